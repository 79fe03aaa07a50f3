package operator_test

import (
	"context"
	"fmt"
	"log"

	"github.com/bilimsg/bilimsg/client"
	"github.com/bilimsg/bilimsg/client/operator"
	"github.com/bilimsg/bilimsg/internal/testkit"
)

// Example sets a scene on a bilimsg server — two users who follow each other — and
// logs one of them in with the bilibili client.
func Example() {
	srv := testkit.StartExample() // a bilimsg on a loopback port
	defer srv.Close()
	ctx := context.Background()

	op, err := operator.New(srv.URL, srv.AdminToken, nil)
	if err != nil {
		log.Fatal(err)
	}
	up, err := op.CreateUser(ctx, operator.NewUser{Name: "某UP主", Fans: 1200})
	if err != nil {
		log.Fatal(err)
	}
	fan, err := op.CreateUser(ctx, operator.NewUser{Name: "粉丝"})
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range [][2]uint64{{fan.Mid, up.Mid}, {up.Mid, fan.Mid}} {
		if _, err := op.Follow(ctx, f[0], f[1]); err != nil {
			log.Fatal(err)
		}
	}
	cred, err := op.Login(ctx, fan.Mid)
	if err != nil {
		log.Fatal(err)
	}
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithCredentials(cred))
	if err != nil {
		log.Fatal(err)
	}
	// Following back sent bilibili's mutual-follow greeting.
	h, err := c.Messages(ctx, client.User(up.Mid), client.HistoryOptions{})
	if err != nil {
		log.Fatal(err)
	}
	text, _ := h.Messages[0].Text()
	fmt.Println(up.Name, up.Fans, text)

	if _, err := op.CreateUser(ctx, operator.NewUser{Name: "重复", Mid: &up.Mid}); operator.IsStatus(err, 409) {
		fmt.Println("mid taken:", err)
	}
	// Output:
	// 某UP主 1200 我们已互相关注，开始聊天吧~
	// mid taken: operator API: 409 a user with this mid exists
}
