// Command echo is the smallest useful bot: it answers every text message with the same
// text, and every image with a word of thanks. See README.md for how to run it.
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

	"github.com/bilimsg/bilimsg/client"
	"github.com/bilimsg/bilimsg/client/bot"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "echo:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("echo", flag.ContinueOnError)
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
	b.Text(func(m *bot.Context) error {
		return m.Reply(m.Text)
	})
	b.Type(client.MsgImage, func(m *bot.Context) error {
		return m.Reply("收到你的图片啦，谢谢~")
	})
	opt.Logger.Info("echo bot running", "mid", c.Mid(), "server", flags.Server)
	return b.Run(ctx)
}
