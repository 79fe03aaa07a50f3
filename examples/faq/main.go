// Command faq is a keyword FAQ bot for an UP主's inbox: it answers the questions it
// knows by keyword, lists them when asked for help, and says so when it does not
// understand. See README.md for how to run it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"

	"github.com/bilimsg/bilimsg/client/bot"
)

// faq is the bot's knowledge: keywords (any of them, anywhere in the message) and the
// answer. The first entry that matches answers.
var faq = []struct {
	topic    string
	keywords []string
	answer   string
}{
	{"商务合作", []string{"合作", "商单", "价格", "多少钱"}, "商务合作请发邮件到 up@example.com，一般三个工作日内回复~"},
	{"更新时间", []string{"更新", "催更", "什么时候"}, "每周五晚上八点更新，在做了在做了 [tv_doge]"},
	{"设备", []string{"设备", "相机", "麦克风", "用的什么"}, "设备清单在置顶动态里，可以去看看~"},
	{"转载", []string{"转载", "搬运"}, "转载请注明出处并私信告知，禁止商用哦"},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "faq:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("faq", flag.ContinueOnError)
	fs.SetOutput(stderr)
	flags := bot.AddFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	c, err := flags.Client()
	if err != nil {
		return err
	}
	opt, err := flags.Options()
	if err != nil {
		return err
	}
	opt.Logger = slog.New(slog.NewTextHandler(stderr, nil))
	b := bot.New(c, opt)
	b.Exact([]string{"帮助", "help", "?", "？"}, func(m *bot.Context) error {
		return m.Reply(help())
	})
	for _, q := range faq {
		b.Keyword(q.keywords, func(m *bot.Context) error { return m.Reply(q.answer) })
	}
	b.Text(func(m *bot.Context) error {
		return m.Reply("没太看懂呢，发送「帮助」看看我能回答什么~")
	})
	opt.Logger.Info("faq bot running", "mid", c.Mid(), "server", flags.Server)
	return b.Run(ctx)
}

func help() string {
	var s strings.Builder
	s.WriteString("我可以回答这些问题：")
	for i, q := range faq {
		fmt.Fprintf(&s, "\n%d. %s（关键词：%s）", i+1, q.topic, strings.Join(q.keywords, "、"))
	}
	return s.String()
}
