package bot_test

import (
	"context"
	"fmt"
	"log"
	"slices"

	"github.com/bilimsg/bilimsg/client"
	"github.com/bilimsg/bilimsg/client/bot"
	"github.com/bilimsg/bilimsg/internal/testkit"
)

// Example is a small FAQ bot: Alice's account answers questions by keyword. Poll runs
// one round; a real bot calls Run, which polls until its context ends.
func Example() {
	srv := testkit.StartExample() // a bilimsg on a loopback port, playing bilibili
	defer srv.Close()
	ctx := context.Background()

	cred, err := client.ParseCookies(srv.Cookies["alice"])
	if err != nil {
		log.Fatal(err)
	}
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithCredentials(cred))
	if err != nil {
		log.Fatal(err)
	}
	b := bot.New(c, bot.Options{})
	b.Exact([]string{"帮助", "help"}, func(m *bot.Context) error {
		return m.Reply("可以问我：价格、更新时间")
	})
	b.Keyword([]string{"价格", "多少钱"}, func(m *bot.Context) error {
		return m.Reply("商单请看置顶动态")
	})
	b.Text(func(m *bot.Context) error {
		return m.Reply("没看懂，发送「帮助」试试")
	})
	if err := b.Poll(ctx); err != nil { // the first round notes where every conversation stands
		log.Fatal(err)
	}

	for _, q := range []string{"help", "接商单吗？多少钱", "在吗"} {
		srv.Send("bob", 1001, q)            // Bob (1002) writes to Alice (1001)…
		if err := b.Poll(ctx); err != nil { // …and her bot answers
			log.Fatal(err)
		}
	}

	// Bob's view of the conversation, oldest first.
	bobCred, _ := client.ParseCookies(srv.Cookies["bob"])
	bob, _ := client.New(client.WithBaseURL(srv.URL), client.WithCredentials(bobCred))
	h, err := bob.Messages(ctx, client.User(1001), client.HistoryOptions{Size: 10})
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range slices.Backward(h.Messages) {
		text, _ := m.Text()
		fmt.Printf("%d: %s\n", m.SenderUID, text)
	}
	// Output:
	// 1002: help
	// 1001: 可以问我：价格、更新时间
	// 1002: 接商单吗？多少钱
	// 1001: 商单请看置顶动态
	// 1002: 在吗
	// 1001: 没看懂，发送「帮助」试试
}
