package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/client"
	"github.com/bilimsg/bilimsg/internal/testkit"
)

// The demo's UP主 runs the echo bot; demo user 1 (they follow each other) writes to it.
const demoUP, demoFan = 293793435, 1

// TestEchoBotAgainstDemo runs the bot as its README says, against a `serve --demo`
// server, and checks that it echoes a text and thanks for an image, once each.
func TestEchoBotAgainstDemo(t *testing.T) {
	s := testkit.Start(t, testkit.Options{Demo: true})
	cursor := filepath.Join(t.TempDir(), "echo-cursor.json")
	ctx, cancel := context.WithCancel(context.Background())
	var logs bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-server", s.URL, "-demo", s.Dir, "-cursor", cursor, "-interval", "10ms"}, &logs)
	}()
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		return <-done
	}
	t.Cleanup(func() { stop() })

	// The bot's first round records where every conversation stands and saves the
	// cursor; only messages after it are new to the bot.
	testkit.Eventually(t, 10*time.Second, "the bot's first round", func() bool {
		_, err := os.Stat(cursor)
		return err == nil
	})
	cred, err := client.DemoLogin(s.Dir, demoFan)
	if err != nil {
		t.Fatal(err)
	}
	fan, err := client.New(client.WithBaseURL(s.URL), client.WithCredentials(cred))
	if err != nil {
		t.Fatal(err)
	}
	ctx2 := context.Background()
	if _, err := fan.SendText(ctx2, client.User(demoUP), "回声测试[tv_doge]"); err != nil {
		t.Fatal(err)
	}
	if _, err := fan.SendImage(ctx2, client.User(demoUP), client.Image{URL: "https://i0.hdslb.com/bfs/im/a.png", Width: 10, Height: 10}); err != nil {
		t.Fatal(err)
	}
	botReplies := func() []string {
		h, err := fan.Messages(ctx2, client.User(demoUP), client.HistoryOptions{Size: 50})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range h.Messages {
			if text, ok := m.Text(); ok && m.SenderUID == demoUP && m.MsgSource == 7 { // sent through send_msg
				out = append(out, text)
			}
		}
		return out
	}
	testkit.Eventually(t, 10*time.Second, "the bot's two replies", func() bool { return len(botReplies()) >= 2 })
	if err := stop(); !errors.Is(err, context.Canceled) {
		t.Fatalf("run ended with %v, want context.Canceled; logs:\n%s", err, logs.String())
	}
	got := botReplies()
	want := []string{"收到你的图片啦，谢谢~", "回声测试[tv_doge]"} // newest first
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("bot replies = %q, want %q", got, want)
	}
	// The bot acked what it handled: the UP主 has nothing unread from the fan.
	up, err := client.DemoLogin(s.Dir, demoUP)
	if err != nil {
		t.Fatal(err)
	}
	uc, _ := client.New(client.WithBaseURL(s.URL), client.WithCredentials(up))
	sd, err := uc.SessionDetail(ctx2, client.User(demoFan))
	if err != nil {
		t.Fatal(err)
	}
	if sd.UnreadCount != 0 {
		t.Fatalf("unread after the bot handled everything = %d, want 0", sd.UnreadCount)
	}
}
