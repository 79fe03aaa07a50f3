package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/client"
	"github.com/bilimsg/bilimsg/internal/testkit"
)

// The demo's UP主 runs the FAQ bot; demo user 1 (they follow each other) asks it.
const demoUP, demoFan = 293793435, 1

// TestFAQBotAgainstDemo runs the bot as its README says, against a `serve --demo`
// server: help, a keyword question and an unknown question each get their answer, once,
// in order; and a restart from the saved cursor answers only what came in meanwhile.
func TestFAQBotAgainstDemo(t *testing.T) {
	s := testkit.Start(t, testkit.Options{Demo: true})
	cursor := filepath.Join(t.TempDir(), "faq-cursor.json")
	cred, err := client.DemoLogin(s.Dir, demoFan)
	if err != nil {
		t.Fatal(err)
	}
	fan, err := client.New(client.WithBaseURL(s.URL), client.WithCredentials(cred))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	botReplies := func() []string {
		var out []string
		for m, err := range fan.AllMessages(ctx, client.User(demoUP), 0, 50) {
			if err != nil {
				t.Fatal(err)
			}
			if text, ok := m.Text(); ok && m.SenderUID == demoUP && m.MsgSource == 7 {
				out = append(out, text)
			}
		}
		slices.Reverse(out) // oldest first
		return out
	}
	start := func() func() {
		rctx, cancel := context.WithCancel(ctx)
		var logs bytes.Buffer
		done := make(chan error, 1)
		go func() {
			done <- run(rctx, []string{"-server", s.URL, "-demo", s.Dir, "-cursor", cursor, "-interval", "10ms"}, &logs)
		}()
		return func() {
			cancel()
			if err := <-done; !errors.Is(err, context.Canceled) {
				t.Fatalf("run ended with %v, want context.Canceled; logs:\n%s", err, logs.String())
			}
		}
	}
	send := func(text string) {
		t.Helper()
		if _, err := fan.SendText(ctx, client.User(demoUP), text); err != nil {
			t.Fatal(err)
		}
	}

	stop := start()
	testkit.Eventually(t, 10*time.Second, "the bot's first round", func() bool {
		_, err := os.Stat(cursor)
		return err == nil
	})
	send("帮助")
	send("请问商单价格是多少？")
	send("今天天气不错")
	testkit.Eventually(t, 10*time.Second, "three answers", func() bool { return len(botReplies()) >= 3 })
	stop()
	want := []string{help(), faq[0].answer, "没太看懂呢，发送「帮助」看看我能回答什么~"}
	if got := botReplies(); !slices.Equal(got, want) {
		t.Fatalf("answers = %q,\nwant %q", got, want)
	}

	// Down for a while: the question asked meanwhile is answered after the restart, and
	// nothing before it is answered again.
	send("什么时候更新呀")
	stop = start()
	want = append(want, faq[1].answer)
	testkit.Eventually(t, 10*time.Second, "the answer after the restart", func() bool { return len(botReplies()) >= 4 })
	stop()
	if got := botReplies(); !slices.Equal(got, want) {
		t.Fatalf("answers after restart = %q,\nwant %q", got, want)
	}
}
