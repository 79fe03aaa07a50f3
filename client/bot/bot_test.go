package bot_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bilimsg/bilimsg/client"
	"github.com/bilimsg/bilimsg/client/bot"
	"github.com/bilimsg/bilimsg/internal/testkit"
)

// scene: a bot user (with 1000 fans, so other users' auto-replies can be set) and two
// users who write to it; everyone follows everyone, so the one-message rule is out of
// the way.
type scene struct {
	s          *testkit.Server
	botU, a, z testkit.User
	ctx        context.Context
}

func newScene(t *testing.T) *scene {
	s := testkit.Start(t, testkit.Options{})
	sc := &scene{s: s, botU: s.NewUser(0, "bot"), a: s.NewUser(0, "a"), z: s.NewUser(0, "z"), ctx: context.Background()}
	for _, p := range [][2]testkit.User{{sc.botU, sc.a}, {sc.botU, sc.z}} {
		s.Follow(p[0].Mid, p[1].Mid, true)
		s.Follow(p[1].Mid, p[0].Mid, true)
	}
	return sc
}

// replies are the texts the bot sent to u, oldest first.
func (sc *scene) replies(t *testing.T, u testkit.User) []string {
	t.Helper()
	h, err := sc.s.Client(u).Messages(sc.ctx, client.User(sc.botU.Mid), client.HistoryOptions{Size: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range slices.Backward(h.Messages) {
		if text, ok := m.Text(); ok && m.SenderUID == sc.botU.Mid && m.MsgSource == 7 {
			out = append(out, text)
		}
	}
	return out
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// TestRoutesFirstMatchWins: routes are tried in the order added; the first that matches
// takes the message and later ones do not see it; unmatched messages are dropped.
func TestRoutesFirstMatchWins(t *testing.T) {
	sc := newScene(t)
	b := bot.New(sc.s.Client(sc.botU), bot.Options{Logger: quiet()})
	b.Exact([]string{"帮助", "help"}, func(m *bot.Context) error { return m.Reply("exact") })
	b.Keyword([]string{"价格", "PRICE"}, func(m *bot.Context) error { return m.Reply("keyword") })
	b.Sender([]uint64{sc.z.Mid}, func(m *bot.Context) error { return m.Reply("sender z") })
	b.Type(client.MsgImage, func(m *bot.Context) error { return m.Reply("image") })
	if err := b.Poll(sc.ctx); err != nil { // the fresh start
		t.Fatal(err)
	}
	ac := sc.s.Client(sc.a)
	for _, text := range []string{" help ", "请问price多少", "帮助我", "随便"} {
		if _, err := ac.SendText(sc.ctx, client.User(sc.botU.Mid), text); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ac.SendImage(sc.ctx, client.User(sc.botU.Mid), client.Image{URL: "https://i0.hdslb.com/bfs/im/x.png"}); err != nil {
		t.Fatal(err)
	}
	if _, err := sc.s.Client(sc.z).SendText(sc.ctx, client.User(sc.botU.Mid), "价格"); err != nil {
		t.Fatal(err)
	}
	sc.s.SendText(sc.z, sc.botU.Mid, "hello")
	if err := b.Poll(sc.ctx); err != nil {
		t.Fatal(err)
	}
	// " help " is exact after trimming; "price" matches PRICE case-insensitively;
	// "帮助我" is not exact and has no keyword; "随便" matches nothing (dropped).
	if got, want := sc.replies(t, sc.a), []string{"exact", "keyword", "image"}; !slices.Equal(got, want) {
		t.Fatalf("replies to a = %q, want %q", got, want)
	}
	// z's keyword message goes to the keyword route (added before the sender route).
	if got, want := sc.replies(t, sc.z), []string{"keyword", "sender z"}; !slices.Equal(got, want) {
		t.Fatalf("replies to z = %q, want %q", got, want)
	}
}

// TestAcksHandledMessages: every message the bot took (or dropped) is acked, so its
// user has nothing unread; with NoAck the unread count stays.
func TestAcksHandledMessages(t *testing.T) {
	for _, noAck := range []bool{false, true} {
		sc := newScene(t)
		bc := sc.s.Client(sc.botU)
		b := bot.New(bc, bot.Options{NoAck: noAck, Logger: quiet()})
		b.Keyword([]string{"ping"}, func(m *bot.Context) error { return nil }) // handled without a reply
		if err := b.Poll(sc.ctx); err != nil {
			t.Fatal(err)
		}
		// The mutual follow's greeting is unread from before the bot started.
		before, err := bc.SessionDetail(sc.ctx, client.User(sc.a.Mid))
		if err != nil {
			t.Fatal(err)
		}
		sc.s.SendText(sc.a, sc.botU.Mid, "ping")
		sc.s.SendText(sc.a, sc.botU.Mid, "unrouted")
		if err := b.Poll(sc.ctx); err != nil {
			t.Fatal(err)
		}
		sd, err := bc.SessionDetail(sc.ctx, client.User(sc.a.Mid))
		if err != nil {
			t.Fatal(err)
		}
		want := int64(0)
		if noAck {
			want = before.UnreadCount + 2
		}
		if sd.UnreadCount != want {
			t.Fatalf("NoAck=%v: unread = %d, want %d", noAck, sd.UnreadCount, want)
		}
	}
}

// TestIgnoresAutoReplies: another account's auto-reply (msg_source 9) does not reach
// the routes unless AnswerAutoReplies.
func TestIgnoresAutoReplies(t *testing.T) {
	for _, answer := range []bool{false, true} {
		s := testkit.Start(t, testkit.Options{})
		botU, up := s.NewUser(0, "bot"), s.NewUser(0, "up")
		s.Follow(botU.Mid, up.Mid, true)
		s.Follow(up.Mid, botU.Mid, true)
		s.SetFans(up.Mid, 1000)
		s.SetReply(up, 3, "自动回复：已收到")
		s.SetPrefs(up, map[string]int{"recv_reply": 1})
		var seen []string
		b := bot.New(s.Client(botU), bot.Options{AnswerAutoReplies: answer, Logger: quiet()})
		b.Default(func(m *bot.Context) error { seen = append(seen, m.Text); return nil })
		ctx := context.Background()
		if err := b.Poll(ctx); err != nil {
			t.Fatal(err)
		}
		s.SendText(botU, up.Mid, "你好") // up's recv_reply answers the bot
		if err := b.Poll(ctx); err != nil {
			t.Fatal(err)
		}
		want := []string(nil)
		if answer {
			want = []string{"自动回复：已收到"}
		}
		if !slices.Equal(seen, want) {
			t.Fatalf("AnswerAutoReplies=%v: routes saw %q, want %q", answer, seen, want)
		}
	}
}

// TestHandlerErrors: by default a failed handler is logged and the bot goes on (the
// message counts as handled); an OnError that returns an error stops the bot, and the
// message is handled again by the next round.
func TestHandlerErrors(t *testing.T) {
	sc := newScene(t)
	var logs bytes.Buffer
	calls := 0
	b := bot.New(sc.s.Client(sc.botU), bot.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	b.Text(func(m *bot.Context) error { calls++; return errors.New("boom") })
	if err := b.Poll(sc.ctx); err != nil {
		t.Fatal(err)
	}
	sc.s.SendText(sc.a, sc.botU.Mid, "one")
	sc.s.SendText(sc.a, sc.botU.Mid, "two")
	if err := b.Poll(sc.ctx); err != nil {
		t.Fatalf("default OnError stopped the bot: %v", err)
	}
	if calls != 2 || strings.Count(logs.String(), "boom") != 2 {
		t.Fatalf("calls = %d, logs:\n%s", calls, logs.String())
	}

	stopErr := errors.New("stop here")
	var texts []string
	fail := true
	b2 := bot.New(sc.s.Client(sc.botU), bot.Options{Logger: quiet(),
		OnError: func(m *bot.Context, err error) error { return stopErr }})
	b2.Text(func(m *bot.Context) error {
		texts = append(texts, m.Text)
		if m.Text == "four" && fail {
			fail = false
			return errors.New("transient")
		}
		return nil
	})
	if err := b2.Poll(sc.ctx); err != nil {
		t.Fatal(err)
	}
	for _, x := range []string{"three", "four", "five"} {
		sc.s.SendText(sc.a, sc.botU.Mid, x)
	}
	if err := b2.Poll(sc.ctx); !errors.Is(err, stopErr) {
		t.Fatalf("Poll = %v, want the OnError's error", err)
	}
	if err := b2.Poll(sc.ctx); err != nil {
		t.Fatal(err)
	}
	if want := []string{"three", "four", "four", "five"}; !slices.Equal(texts, want) {
		t.Fatalf("handled %q, want %q", texts, want)
	}
}

// TestFlags: the standard flags log in with cookies or a demo login and keep the
// cursor in a file.
func TestFlags(t *testing.T) {
	s := testkit.Start(t, testkit.Options{Demo: true})
	dir := t.TempDir()
	cursor := filepath.Join(dir, "cursor.json")

	fs := flag.NewFlagSet("b", flag.ContinueOnError)
	f := bot.AddFlags(fs)
	if err := fs.Parse([]string{"-server", s.URL, "-demo", s.Dir, "-mid", "1", "-cursor", cursor, "-interval", "5s"}); err != nil {
		t.Fatal(err)
	}
	c, err := f.Client()
	if err != nil || c.Mid() != 1 {
		t.Fatalf("demo login: mid %v, err %v", c, err)
	}
	opt, err := f.Options()
	if err != nil || opt.Watch.Cursor != nil || opt.Watch.Save == nil || opt.Watch.Interval.Seconds() != 5 {
		t.Fatalf("options = %+v, %v", opt.Watch, err)
	}
	b := bot.New(c, opt)
	if err := b.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(cursor); err != nil {
		t.Fatalf("the first round did not save the cursor: %v", err)
	}
	if opt, err = f.Options(); err != nil || opt.Watch.Cursor == nil || len(opt.Watch.Cursor.Seqnos) == 0 {
		t.Fatalf("a second start does not resume from the saved cursor: %+v, %v", opt.Watch.Cursor, err)
	}

	u := s.NewUser(0, "c")
	fs = flag.NewFlagSet("b", flag.ContinueOnError)
	f = bot.AddFlags(fs)
	if err := fs.Parse([]string{"-server", s.URL, "-cookie", "SESSDATA=" + u.SESSDATA + "; bili_jct=" + u.BiliJct}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Client(); err == nil || !strings.Contains(err.Error(), "DedeUserID") {
		t.Fatalf("cookies without DedeUserID: err = %v", err)
	}
	fs = flag.NewFlagSet("b", flag.ContinueOnError)
	f = bot.AddFlags(fs)
	if err := fs.Parse([]string{"-demo", filepath.Join(dir, "nowhere")}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Client(); err == nil || !strings.Contains(err.Error(), "serve --demo") {
		t.Fatalf("missing demo dir: err = %v", err)
	}
}
