package client_test

// End-to-end tests of history (P17) and sending (P19: text, image, recall), and unit
// tests of the message helpers (Text, Image, RecalledKey, Talker, ParseTalker).

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/client"
	"github.com/bilimsg/bilimsg/internal/testkit"
)

// sdkChat is two users, a and b, where b follows a (so a may write freely, without
// hints), and their clients.
type sdkChat struct {
	s      *testkit.Server
	a, b   testkit.User
	ca, cb *client.Client
}

func sdkNewChat(t *testing.T, opt testkit.Options) *sdkChat {
	t.Helper()
	s := testkit.Start(t, opt)
	ch := &sdkChat{s: s, a: s.NewUser(0, "alice"), b: s.NewUser(0, "bob")}
	s.Follow(ch.b.Mid, ch.a.Mid, true)
	ch.ca, ch.cb = s.Client(ch.a), s.Client(ch.b)
	return ch
}

func TestSendTextAndMessages(t *testing.T) {
	t.Parallel()
	ch := sdkNewChat(t, testkit.Options{})
	ctx := t.Context()
	texts := []string{"first", "second [tv_doge]", "third\nline", `"quoted" & <tags>`, "第五条"}
	var keys []uint64
	for _, text := range texts {
		res := sdkMust(ch.ca.SendText(ctx, client.User(ch.b.Mid), text))(t)
		want, _ := json.Marshal(map[string]string{"content": text})
		if res.MsgKey == 0 || res.MsgContent != string(want) || res.KeyHitInfos == nil {
			t.Errorf("SendText(%q) = %+v", text, res)
		}
		if strings.Contains(text, "[tv_doge]") != (len(res.EInfos) == 1) {
			t.Errorf("SendText(%q) e_infos %+v", text, res.EInfos)
		}
		keys = append(keys, res.MsgKey)
	}
	if e := sdkMust(ch.ca.SendText(ctx, client.User(ch.b.Mid), "[tv_doge]"))(t).EInfos; len(e) != 1 || e[0].Text != "[tv_doge]" ||
		!strings.HasPrefix(e[0].URL, "https://i0.hdslb.com/bfs/emote/") || e[0].Size != 1 {
		t.Errorf("e_infos of [tv_doge]: %+v", e)
	}
	for i := 1; i < len(keys); i++ {
		if keys[i] <= keys[i-1] {
			t.Errorf("msg_keys do not increase: %v", keys)
		}
	}

	// b reads the history, newest first.
	h := sdkMust(ch.cb.Messages(ctx, client.User(ch.a.Mid), client.HistoryOptions{Size: 5, EndSeqno: 0}))(t)
	h2 := sdkMust(ch.cb.Messages(ctx, client.User(ch.a.Mid), client.HistoryOptions{Size: 10}))(t)
	if len(h2.Messages) != 6 || h2.HasMore != 0 {
		t.Fatalf("whole history: %d messages has_more %d, want 6, 0", len(h2.Messages), h2.HasMore)
	}
	if len(h.Messages) != 5 || h.HasMore != 1 {
		t.Fatalf("size 5: %d messages has_more %d", len(h.Messages), h.HasMore)
	}
	msgs := h2.Messages[1:] // without the last "[tv_doge]"
	for i, m := range msgs {
		j := len(texts) - 1 - i
		text, ok := m.Text()
		if !ok || text != texts[j] || m.MsgKey != keys[j] || m.SenderUID != ch.a.Mid || m.ReceiverID != ch.b.Mid ||
			m.ReceiverType != client.SessionUser || m.MsgType != client.MsgText || m.MsgStatus != 0 ||
			m.Timestamp != testkit.Epoch.Unix() || m.NewFaceVersion != 1 {
			t.Errorf("message %d: %+v (text %q %v), want %q key %d", i, m, text, ok, texts[j], keys[j])
		}
		if m.Talker(ch.b.Mid) != client.User(ch.a.Mid) || m.Talker(ch.a.Mid) != client.User(ch.b.Mid) {
			t.Errorf("Talker of %d: as b %v, as a %v", i, m.Talker(ch.b.Mid), m.Talker(ch.a.Mid))
		}
		if i > 0 && m.MsgSeqno >= msgs[i-1].MsgSeqno {
			t.Errorf("history not newest first at %d", i)
		}
	}
	if h2.MaxSeqno != h2.Messages[0].MsgSeqno || h2.MinSeqno != h2.Messages[5].MsgSeqno {
		t.Errorf("min/max seqno %d/%d, messages %d..%d", h2.MinSeqno, h2.MaxSeqno, h2.Messages[5].MsgSeqno, h2.Messages[0].MsgSeqno)
	}
	if len(h2.EInfos) != 1 || h2.EInfos[0].Text != "[tv_doge]" {
		t.Errorf("history e_infos %+v", h2.EInfos)
	}
	// a sees the same messages with the same keys and seqnos.
	ha := sdkMust(ch.ca.Messages(ctx, client.User(ch.b.Mid), client.HistoryOptions{Size: 10}))(t)
	if !slices.EqualFunc(ha.Messages, h2.Messages, func(x, y client.Message) bool {
		return x.MsgKey == y.MsgKey && x.MsgSeqno == y.MsgSeqno && x.Content == y.Content
	}) {
		t.Errorf("a's and b's histories differ")
	}

	// Windows: below EndSeqno, above BeginSeqno, between both.
	seq := func(i int) uint64 { return msgs[len(msgs)-1-i].MsgSeqno } // i-th oldest of texts
	below := sdkMust(ch.cb.Messages(ctx, client.User(ch.a.Mid), client.HistoryOptions{Size: 2, EndSeqno: seq(3)}))(t)
	if got := sdkKeys(below.Messages); !slices.Equal(got, []uint64{keys[2], keys[1]}) || below.HasMore != 1 {
		t.Errorf("2 below the 4th: %v has_more %d, want %v", got, below.HasMore, []uint64{keys[2], keys[1]})
	}
	above := sdkMust(ch.cb.Messages(ctx, client.User(ch.a.Mid), client.HistoryOptions{Size: 2, BeginSeqno: seq(0)}))(t)
	if got := sdkKeys(above.Messages); !slices.Equal(got, []uint64{keys[2], keys[1]}) || above.HasMore != 1 {
		t.Errorf("2 above the 1st: %v has_more %d", got, above.HasMore)
	}
	between := sdkMust(ch.cb.Messages(ctx, client.User(ch.a.Mid), client.HistoryOptions{Size: 20, BeginSeqno: seq(0), EndSeqno: seq(4)}))(t)
	if got := sdkKeys(between.Messages); !slices.Equal(got, []uint64{keys[3], keys[2], keys[1]}) {
		t.Errorf("between the 1st and the 5th: %v", got)
	}
	empty := sdkMust(ch.cb.Messages(ctx, client.User(ch.a.Mid), client.HistoryOptions{EndSeqno: seq(0)}))(t)
	if len(empty.Messages) != 0 || empty.HasMore != 0 || empty.MinSeqno != 1<<64-1 || empty.MaxSeqno != 0 {
		t.Errorf("below the oldest: %+v", empty)
	}
	// Reading history marks nothing read.
	if d := sdkMust(ch.cb.SessionDetail(ctx, client.User(ch.a.Mid)))(t); d.UnreadCount != 6 {
		t.Errorf("unread after reading history: %d, want 6", d.UnreadCount)
	}
	// Sending reads the session.
	sdkText(t, ch.cb, client.User(ch.a.Mid), "reply")
	if d := sdkMust(ch.cb.SessionDetail(ctx, client.User(ch.a.Mid)))(t); d.UnreadCount != 0 {
		t.Errorf("unread after replying: %d, want 0", d.UnreadCount)
	}
}

func sdkKeys(ms []client.Message) []uint64 {
	var out []uint64
	for _, m := range ms {
		out = append(out, m.MsgKey)
	}
	return out
}

// TestMsgKeysExact: msg_keys above 2^53 travel as exact uint64s — the client's numbers
// equal the server's JSON digits.
func TestMsgKeysExact(t *testing.T) {
	t.Parallel()
	ch := sdkNewChat(t, testkit.Options{})
	ctx := t.Context()
	var keys []uint64
	for range 3 { // same fake instant: keys differ in their low bits
		keys = append(keys, sdkText(t, ch.ca, client.User(ch.b.Mid), "same instant"))
	}
	if keys[0] < 1<<53 {
		t.Fatalf("msg_key %d is not above 2^53; the test proves nothing", keys[0])
	}
	raw := sdkRaw(t, ch.s, ch.b, testkit.PathFetchMsgs, map[string][]string{"talker_id": {sdkU64(ch.a.Mid)},
		"session_type": {"1"}, "size": {"10"}})
	rawMsgs := raw["messages"].([]any)
	h := sdkMust(ch.cb.Messages(ctx, client.User(ch.a.Mid), client.HistoryOptions{Size: 10}))(t)
	if len(rawMsgs) != 3 || len(h.Messages) != 3 {
		t.Fatalf("%d raw messages, %d decoded", len(rawMsgs), len(h.Messages))
	}
	for i, rm := range rawMsgs {
		m := rm.(map[string]any)
		if got, want := m["msg_key"].(json.Number).String(), sdkU64(h.Messages[i].MsgKey); got != want {
			t.Errorf("message %d: server msg_key %s, client %s", i, got, want)
		}
		if got, want := m["msg_seqno"].(json.Number).String(), sdkU64(h.Messages[i].MsgSeqno); got != want {
			t.Errorf("message %d: server msg_seqno %s, client %s", i, got, want)
		}
		if h.Messages[i].MsgKey != keys[2-i] {
			t.Errorf("message %d: key %d, send answered %d", i, h.Messages[i].MsgKey, keys[2-i])
		}
	}
	if keys[0] == keys[1] || keys[1] == keys[2] {
		t.Errorf("msg_keys repeat: %v", keys)
	}
}

func TestSendImage(t *testing.T) {
	t.Parallel()
	ch := sdkNewChat(t, testkit.Options{})
	ctx := t.Context()
	img := client.Image{URL: "https://i0.hdslb.com/bfs/im/0123456789abcdef.png", Width: 640, Height: 480, ImageType: "png", Original: 1, Size: 55.443}
	res := sdkMust(ch.ca.SendImage(ctx, client.User(ch.b.Mid), img))(t)
	if res.MsgKey == 0 || res.MsgContent != "" || res.KeyHitInfos != nil {
		t.Errorf("SendImage answer %+v: an image has only msg_key", res)
	}
	h := sdkMust(ch.cb.Messages(ctx, client.User(ch.a.Mid), client.HistoryOptions{}))(t)
	if len(h.Messages) != 1 {
		t.Fatalf("history: %+v", h.Messages)
	}
	m := h.Messages[0]
	got, ok := m.Image()
	if m.MsgType != client.MsgImage || m.MsgKey != res.MsgKey || !ok || got != img {
		t.Errorf("image message %+v: Image() = %+v %v, want %+v", m, got, ok, img)
	}
	if _, ok := m.Text(); ok {
		t.Errorf("Text() of an image is ok")
	}
	// Not on bilibili's image host: 21037.
	_, err := ch.ca.SendImage(ctx, client.User(ch.b.Mid), client.Image{URL: "https://example.com/x.png", Width: 1, Height: 1})
	if !client.IsCode(err, client.CodeBadImage) {
		t.Errorf("image on example.com: %v, want 21037", err)
	}
}

func TestRecall(t *testing.T) {
	t.Parallel()
	ch := sdkNewChat(t, testkit.Options{})
	ctx := t.Context()
	key := sdkText(t, ch.ca, client.User(ch.b.Mid), "oops")
	keep := sdkText(t, ch.ca, client.User(ch.b.Mid), "keep this")
	res := sdkMust(ch.ca.Recall(ctx, client.User(ch.b.Mid), key))(t)
	if res.MsgKey == 0 || res.MsgKey == key {
		t.Errorf("Recall answered msg_key %d", res.MsgKey)
	}
	h := sdkMust(ch.cb.Messages(ctx, client.User(ch.a.Mid), client.HistoryOptions{}))(t)
	if len(h.Messages) != 3 {
		t.Fatalf("history after a recall: %d messages", len(h.Messages))
	}
	rc, kept, orig := h.Messages[0], h.Messages[1], h.Messages[2]
	if k, ok := rc.RecalledKey(); rc.MsgType != client.MsgRecall || !ok || k != key || rc.MsgKey != res.MsgKey {
		t.Errorf("recall message %+v: RecalledKey = %d %v, want %d", rc, k, ok, key)
	}
	if orig.MsgKey != key || orig.MsgStatus != 1 {
		t.Errorf("recalled message: key %d status %d, want %d, 1", orig.MsgKey, orig.MsgStatus, key)
	}
	if text, ok := orig.Text(); !ok || text != "oops" {
		t.Errorf("a recalled message keeps its content: %q %v", text, ok)
	}
	if kept.MsgKey != keep || kept.MsgStatus != 0 {
		t.Errorf("the other message: %+v", kept)
	}
	if _, ok := kept.RecalledKey(); ok {
		t.Errorf("RecalledKey of a text is ok")
	}
	// A recall never counts as unread.
	if d := sdkMust(ch.cb.SessionDetail(ctx, client.User(ch.a.Mid)))(t); d.UnreadCount != 2 || d.LastMsg.MsgKey != res.MsgKey {
		t.Errorf("b's session after the recall: unread %d last %d", d.UnreadCount, d.LastMsg.MsgKey)
	}
}

func TestSendToGroup(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	owner, me := s.NewUser(0, "owner"), s.NewUser(0, "member")
	gid := s.NewGroup(owner.Mid, "club")
	s.Join(gid, me.Mid)
	c := s.Client(me)
	ctx := t.Context()
	res := sdkMust(c.SendText(ctx, client.Group(gid), "hello @owner"))(t)
	if res.MsgKey == 0 || res.MsgContent != `{"content":"hello @owner"}` || res.KeyHitInfos != nil {
		t.Errorf("group send answer %+v (no key_hit_infos for groups)", res)
	}
	h := sdkMust(s.Client(owner).Messages(ctx, client.Group(gid), client.HistoryOptions{}))(t)
	m := h.Messages[0]
	if m.MsgKey != res.MsgKey || m.ReceiverType != client.SessionGroup || m.ReceiverID != gid || m.SenderUID != me.Mid ||
		!slices.Equal(m.AtUIDs, []uint64{owner.Mid}) {
		t.Errorf("group message %+v", m)
	}
	if m.Talker(owner.Mid) != client.Group(gid) || m.Talker(me.Mid) != client.Group(gid) {
		t.Errorf("a group message's talker: %v / %v", m.Talker(owner.Mid), m.Talker(me.Mid))
	}
	// The oldest are system messages (305 opened for the owner; 306 welcomes): sender 0, text readable.
	sys := h.Messages[len(h.Messages)-1]
	if text, ok := sys.Text(); sys.SenderUID != 0 || sys.MsgType < client.MsgGroupSystem || !ok || text == "" {
		t.Errorf("group system message %+v: Text %q %v", sys, text, ok)
	}
	if d := sdkMust(s.Client(owner).SessionDetail(ctx, client.Group(gid)))(t); d.AtSeqno != m.MsgSeqno {
		t.Errorf("owner's at_seqno %d, want %d", d.AtSeqno, m.MsgSeqno)
	}
	rc := sdkMust(c.Recall(ctx, client.Group(gid), res.MsgKey))(t)
	h = sdkMust(c.Messages(ctx, client.Group(gid), client.HistoryOptions{Size: 1}))(t)
	if k, ok := h.Messages[0].RecalledKey(); !ok || k != res.MsgKey || h.Messages[0].MsgKey != rc.MsgKey {
		t.Errorf("group recall: %+v", h.Messages[0])
	}
}

// --- message helpers (no server) ---

func TestMessageText(t *testing.T) {
	t.Parallel()
	cases := []struct {
		m    client.Message
		text string
		ok   bool
	}{
		{client.Message{MsgType: client.MsgText, Content: `{"content":"hi"}`}, "hi", true},
		{client.Message{MsgType: client.MsgText, Content: `{"content":""}`}, "", true},
		{client.Message{MsgType: client.MsgText, Content: `{"content":"a\u0000b\n\"c\""}`}, "a\x00b\n\"c\"", true},
		{client.Message{MsgType: client.MsgText, Content: `{"text":"hi"}`}, "", false},
		{client.Message{MsgType: client.MsgText, Content: `{"content":5}`}, "", false},
		{client.Message{MsgType: client.MsgText, Content: `not json`}, "", false},
		{client.Message{MsgType: client.MsgText, Content: ``}, "", false},
		{client.Message{MsgType: client.MsgText, Content: `{"content":null}`}, "", false},
		{client.Message{MsgType: client.MsgImage, Content: `{"content":"x","url":"u"}`}, "", false},
		{client.Message{MsgType: client.MsgHint, Content: `{"content":"[{\"text\":\"t\"}]"}`}, "", false},
		{client.Message{MsgType: 306, Content: `{"group_id":1,"content":"欢迎x入群"}`}, "欢迎x入群", true},
		{client.Message{MsgType: 305, Content: `{"group_id":1}`}, "", false},
	}
	for _, c := range cases {
		text, ok := c.m.Text()
		if text != c.text || ok != c.ok {
			t.Errorf("Text() of type %d %q = %q %v, want %q %v", c.m.MsgType, c.m.Content, text, ok, c.text, c.ok)
		}
	}
}

func TestMessageImageAndRecalledKey(t *testing.T) {
	t.Parallel()
	img, ok := client.Message{MsgType: client.MsgImage, Content: `{"url":"https://i0.hdslb.com/bfs/a.png","height":2,"width":3,"size":1.5}`}.Image()
	if !ok || img != (client.Image{URL: "https://i0.hdslb.com/bfs/a.png", Height: 2, Width: 3, Size: 1.5}) {
		t.Errorf("Image() = %+v %v", img, ok)
	}
	for _, m := range []client.Message{
		{MsgType: client.MsgText, Content: `{"url":"u"}`},
		{MsgType: client.MsgImage, Content: `{"url":""}`},
		{MsgType: client.MsgImage, Content: `{"url":5}`},
		{MsgType: client.MsgImage, Content: `[]`},
	} {
		if img, ok := m.Image(); ok || img != (client.Image{}) {
			t.Errorf("Image() of %+v = %+v %v, want nothing", m, img, ok)
		}
	}
	if k, ok := (client.Message{MsgType: client.MsgRecall, Content: "18446744073709551615"}).RecalledKey(); !ok || k != 1<<64-1 {
		t.Errorf("RecalledKey of the largest key: %d %v", k, ok)
	}
	for _, m := range []client.Message{
		{MsgType: client.MsgRecall, Content: `{"content":"1"}`},
		{MsgType: client.MsgRecall, Content: "-1"},
		{MsgType: client.MsgRecall, Content: "18446744073709551616"},
		{MsgType: client.MsgText, Content: "123"},
	} {
		if k, ok := m.RecalledKey(); ok {
			t.Errorf("RecalledKey of %+v = %d %v, want not ok", m, k, ok)
		}
	}
}

func TestMessageTalker(t *testing.T) {
	t.Parallel()
	in := client.Message{SenderUID: 2, ReceiverType: client.SessionUser, ReceiverID: 1}
	if in.Talker(1) != client.User(2) || in.Talker(2) != client.User(1) {
		t.Errorf("1:1 talker: as receiver %v, as sender %v", in.Talker(1), in.Talker(2))
	}
	sys := client.Message{SenderUID: 0, ReceiverType: client.SessionGroup, ReceiverID: 9}
	if sys.Talker(1) != client.Group(9) {
		t.Errorf("group system message talker %v", sys.Talker(1))
	}
	s := client.Session{TalkerID: 9, SessionType: client.SessionGroup}
	if s.Talker() != client.Group(9) {
		t.Errorf("Session.Talker %v", s.Talker())
	}
}

func TestParseTalker(t *testing.T) {
	t.Parallel()
	good := map[string]client.Talker{
		"1":                          client.User(1),
		"user:42":                    client.User(42),
		"group:200000001":            client.Group(200000001),
		"18446744073709551615":       client.User(1<<64 - 1),
		"group:18446744073709551615": client.Group(1<<64 - 1),
	}
	for in, want := range good {
		got, err := client.ParseTalker(in)
		if err != nil || got != want {
			t.Errorf("ParseTalker(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "user:0", "group:0", "user:", "group:", "user:x", "-1", "+1", " 1", "1 ",
		"User:1", "grp:1", "user:1:2", "group:-5", "18446744073709551616", "0x10"} {
		if got, err := client.ParseTalker(in); err == nil || got != (client.Talker{}) {
			t.Errorf("ParseTalker(%q) = %v, %v; want an error", in, got, err)
		}
	}
	// Round trip.
	for _, tk := range []client.Talker{client.User(1), client.User(123456789), client.Group(7), client.Group(1<<63 + 5)} {
		s := tk.String()
		back, err := client.ParseTalker(s)
		if err != nil || back != tk {
			t.Errorf("ParseTalker(%v.String() = %q) = %v, %v", tk, s, back, err)
		}
	}
	if s := (client.Talker{ID: 5}).String(); s != "user:5" {
		t.Errorf("zero Type prints %q, want user:5", s)
	}
	if client.User(3).String() != "user:3" || client.Group(3).String() != "group:3" {
		t.Errorf("String: %q %q", client.User(3).String(), client.Group(3).String())
	}
}

// TestSendUsesClientClock: msg[timestamp] comes from WithClock; the server stamps the
// message with its own time.
func TestSendUsesClientClock(t *testing.T) {
	t.Parallel()
	ch := sdkNewChat(t, testkit.Options{})
	c := ch.s.Client(ch.a, client.WithClock(func() time.Time { return time.Unix(1, 0) }))
	key := sdkText(t, c, client.User(ch.b.Mid), "clocked")
	h := sdkMust(ch.cb.Messages(t.Context(), client.User(ch.a.Mid), client.HistoryOptions{}))(t)
	if h.Messages[0].MsgKey != key || h.Messages[0].Timestamp != testkit.Epoch.Unix() {
		t.Errorf("message %+v", h.Messages[0])
	}
}

// TestSendOldEmoji: Outgoing.OldEmoji sends new_face_version 0, so the server converts
// old emoji names; by default names are taken as they are.
func TestSendOldEmoji(t *testing.T) {
	t.Parallel()
	ch := sdkNewChat(t, testkit.Options{})
	ctx := t.Context()
	for _, tc := range []struct {
		old       bool
		wantText  string
		wantEmoji string
	}{{true, "催更[tv_doge]", "[tv_doge]"}, {false, "催更[doge]", "[doge]"}} {
		res := sdkMust(ch.ca.Send(ctx, client.Outgoing{To: client.User(ch.b.Mid), MsgType: client.MsgText,
			Content: `{"content":"催更[doge]"}`, OldEmoji: tc.old}))(t)
		if res.MsgContent != `{"content":"催更[doge]"}` || len(res.EInfos) != 1 || res.EInfos[0].Text != tc.wantEmoji {
			t.Errorf("OldEmoji %v: answer %+v", tc.old, res)
		}
		h := sdkMust(ch.cb.Messages(ctx, client.User(ch.a.Mid), client.HistoryOptions{Size: 1}))(t)
		if text, _ := h.Messages[0].Text(); text != tc.wantText || h.Messages[0].MsgKey != res.MsgKey {
			t.Errorf("OldEmoji %v: stored %q, want %q", tc.old, text, tc.wantText)
		}
	}
}
