package wire_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/bilimsg/bilimsg/internal/im"
	"github.com/bilimsg/bilimsg/internal/testkit"
)

// BenchmarkSendMsgSettings measures send_msg through HTTP as BenchmarkSendMsgHTTP does,
// with the receivers' settings in four states:
//
//   - off: default settings (no auto-reply, no block words), the core's send path;
//   - autoreply_on: every receiver has keys_reply and recv_reply on, 20 keyword rules
//     with 3 exact and 3 fuzzy keywords each that the texts never match, and a
//     received-message reply that fires once per pair and then waits out its 24 h
//     period — the steady state of an UP with auto-replies on;
//   - autoreply_firing: every text matches a keyword rule, so every send also writes an
//     auto-reply (the worst case: two messages per request);
//   - block_words: senders the receivers don't follow (each receiver wrote first, so the
//     one-message rule doesn't refuse), 200 block words and ai_intercept on — every text
//     is checked against all 200 words.
func BenchmarkSendMsgSettings(b *testing.B) {
	for _, mode := range []string{"off", "autoreply_on", "autoreply_firing", "block_words"} {
		b.Run(mode, func(b *testing.B) { benchSendSettings(b, mode) })
	}
}

func benchSendSettings(b *testing.B, mode string) {
	s := testkit.Start(b, testkit.Options{})
	svc := s.App.Service
	ctx := context.Background()
	const pairs = 128
	users := make([]testkit.User, 2*pairs)
	for i := range users {
		users[i] = s.NewUser(uint64(3_000_000+i), "bench"+strconv.Itoa(i))
	}
	text := "你好，催更 [doge]"
	for i := range users {
		u, talker := users[i], users[i^1]
		if mode != "block_words" {
			if err := svc.Follow(ctx, u.Mid, talker.Mid, true); err != nil {
				b.Fatal(err)
			}
		}
		// Set up through the service: 51,200 block words through HTTP would take minutes.
		switch mode {
		case "autoreply_on", "autoreply_firing":
			s.SetFans(u.Mid, 5000)
			must(b, svc.UpdateSettings(ctx, u.Mid, map[string]int{"keys_reply": 1, "recv_reply": 1}))
			must(b, svc.SetReplyText(ctx, u.Mid, im.ReplyText{Type: im.ReplyReceived, Reply: "收到，谢谢支持！"}))
			for r := range 20 {
				n := strconv.Itoa(r)
				must(b, svc.SetReplyText(ctx, u.Mid, im.ReplyText{Type: im.ReplyKeyword, Title: "规则" + n,
					Key1: "问题" + n + "，question" + n + "，Q" + n, Key2: "关键词" + n + "，keyword" + n + "，kw" + n,
					Reply: "这是第" + n + "条规则的回复"}))
			}
		case "block_words":
			must(b, svc.UpdateSettings(ctx, u.Mid, map[string]int{"ai_intercept": 1}))
			for w := range 200 {
				must(b, svc.AddBlockWord(ctx, u.Mid, "屏蔽词"+strconv.Itoa(w)))
			}
		}
	}
	switch mode {
	case "autoreply_firing":
		text = "想问一下 keyword7 的事情"
	case "block_words":
		// Each receiver writes first, so its talker is no stranger and may keep writing.
		for i := range users {
			if _, err := svc.Send(ctx, im.SendRequest{Sender: users[i].Mid, Receiver: users[i^1].Mid, ReceiverType: 1,
				MsgType: im.MsgText, Content: testkit.Text("hi"), NewFaceVersion: 1}); err != nil {
				b.Fatal(err)
			}
		}
	}
	benchSends(b, s, users, testkit.Text(text))
}

func must(b *testing.B, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}
