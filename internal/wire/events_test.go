package wire_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/bilimsg/bilimsg/client"
	"github.com/bilimsg/bilimsg/client/operator"
	"github.com/bilimsg/bilimsg/internal/testkit"
	"github.com/bilimsg/bilimsg/internal/wire"
)

const pathEvents = "/bilimsg/v1/events"

type evFrame struct {
	Type  string          `json:"type"`
	Seq   uint64          `json:"seq"`
	Epoch string          `json:"epoch"`
	Reset bool            `json:"reset"`
	Data  json.RawMessage `json:"data"`
}

type evConn struct {
	t *testing.T
	c *websocket.Conn
}

// evDial opens the stream as u, resuming from epoch/after when given.
func evDial(t *testing.T, s *testkit.Server, u testkit.User, query string) (*evConn, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h := http.Header{}
	if u.SESSDATA != "" {
		h.Set("Cookie", "SESSDATA="+u.SESSDATA)
	}
	url := "ws" + strings.TrimPrefix(s.URL, "http") + pathEvents + query
	c, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPClient: s.HTTP.Client(), HTTPHeader: h})
	if err != nil {
		return nil, resp, err
	}
	t.Cleanup(func() { c.CloseNow() })
	return &evConn{t: t, c: c}, resp, nil
}

func (e *evConn) next() evFrame {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, b, err := e.c.Read(ctx)
	if err != nil {
		e.t.Fatalf("reading the stream: %v", err)
	}
	var f evFrame
	if err := json.Unmarshal(b, &f); err != nil {
		e.t.Fatalf("frame %s: %v", b, err)
	}
	return f
}

type evMessage struct {
	TalkerID    uint64 `json:"talker_id"`
	SessionType int    `json:"session_type"`
	UnreadCount *int64 `json:"unread_count"`
	Message     struct {
		SenderUID uint64 `json:"sender_uid"`
		MsgType   int    `json:"msg_type"`
		Content   string `json:"content"`
		MsgKey    uint64 `json:"msg_key"`
		MsgSeqno  uint64 `json:"msg_seqno"`
	} `json:"message"`
}

func evData[T any](t *testing.T, f evFrame, typ string) T {
	t.Helper()
	if f.Type != typ {
		t.Fatalf("frame type %q, want %q: %s", f.Type, typ, f.Data)
	}
	var v T
	if err := json.Unmarshal(f.Data, &v); err != nil {
		t.Fatalf("%s data %s: %v", typ, f.Data, err)
	}
	return v
}

// TestEventsAuth: no login is HTTP 401 with -101; a page of another site is refused
// (cross-site WebSocket hijacking); a GET without upgrade is not a stream.
func TestEventsAuth(t *testing.T) {
	s := testkit.Start(t, testkit.Options{})
	u := s.NewUser(0, "u")
	for _, who := range []testkit.User{{}, {Mid: u.Mid, SESSDATA: "not-a-login"}} {
		_, resp, err := evDial(t, s, who, "")
		if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("no login: err %v, resp %v", err, resp)
		}
	}
	resp, err := s.HTTP.Client().Get(s.URL + pathEvents)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("plain GET without login: %d", resp.StatusCode)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, resp, err = websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.URL, "http")+pathEvents, &websocket.DialOptions{
		HTTPClient: s.HTTP.Client(),
		HTTPHeader: http.Header{"Cookie": {"SESSDATA=" + u.SESSDATA}, "Origin": {"https://evil.example"}}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("another site's page: err %v, resp %v", err, resp)
	}
	if n := s.App.Hub.Conns(u.Mid); n != 0 {
		t.Fatalf("refused connections left %d subscriptions", n)
	}
	_, resp, err = evDial(t, s, u, "?after=x")
	if err == nil || resp == nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a malformed position: err %v, resp %v", err, resp)
	}
}

// TestEventsMessagesAndSessions: a connected user sees, in order and numbered, the
// messages of their sessions (received, and sent from another device), their own
// session changes, notifications, and fan-group messages of their groups only;
// nothing of a refused send.
func TestEventsMessagesAndSessions(t *testing.T) {
	s := testkit.Start(t, testkit.Options{})
	me, a, other := s.NewUser(0, "me"), s.NewUser(0, "a"), s.NewUser(0, "other")
	s.Follow(me.Mid, a.Mid, true)
	gid := s.NewGroup(a.Mid, "a的应援团")
	s.Join(gid, me.Mid)

	ec, _, err := evDial(t, s, me, "")
	if err != nil {
		t.Fatal(err)
	}
	hello := ec.next()
	var hd struct {
		Mid uint64 `json:"mid"`
	}
	if hello.Type != "hello" || !hello.Reset || hello.Seq != 0 || !strings.HasSuffix(hello.Epoch, ".1") || len(hello.Epoch) != 18 || json.Unmarshal(hello.Data, &hd) != nil || hd.Mid != me.Mid {
		t.Fatalf("hello: %+v %s", hello, hello.Data)
	}
	oc, _, err := evDial(t, s, other, "")
	if err != nil {
		t.Fatal(err)
	}
	oc.next()

	key := s.SendText(a, me.Mid, "你好")
	f := ec.next()
	m := evData[evMessage](t, f, "message")
	if f.Seq != 1 || m.TalkerID != a.Mid || m.SessionType != 1 || m.UnreadCount == nil || *m.UnreadCount != 1 ||
		m.Message.MsgKey != key || m.Message.Content != `{"content":"你好"}` || m.Message.SenderUID != a.Mid {
		t.Fatalf("received message: seq %d %+v", f.Seq, m)
	}
	// Sent by me elsewhere: the talker is the receiver, nothing unread.
	mine := s.SendText(me, a.Mid, "在的")
	f = ec.next()
	m = evData[evMessage](t, f, "message")
	if f.Seq != 2 || m.TalkerID != a.Mid || *m.UnreadCount != 0 || m.Message.MsgKey != mine {
		t.Fatalf("my own message: seq %d %+v", f.Seq, m)
	}
	// A refused send publishes nothing: other → me is the one-message rule's second.
	oclient := s.Client(other)
	if _, err := oclient.SendText(context.Background(), client.User(me.Mid), "1"); err != nil {
		t.Fatal(err)
	}
	ec.next() // that first one
	if _, err := oclient.SendText(context.Background(), client.User(me.Mid), "2"); !errors.Is(err, client.ErrOneMessage) {
		t.Fatalf("the second message: %v, want 21047", err)
	}
	// My session changes.
	mc := s.Client(me)
	ctx := context.Background()
	if err := mc.Ack(ctx, client.User(a.Mid), 0); err != nil {
		t.Fatal(err)
	}
	type evSession struct {
		TalkerID    uint64 `json:"talker_id"`
		SessionType int    `json:"session_type"`
		UnreadCount int64  `json:"unread_count"`
		AckSeqno    uint64 `json:"ack_seqno"`
		TopTs       int64  `json:"top_ts"`
		IsDnd       int    `json:"is_dnd"`
		Removed     int    `json:"removed"`
	}
	f = ec.next()
	if sv := evData[evSession](t, f, "session"); f.Seq != 4 || sv.TalkerID != a.Mid || sv.UnreadCount != 0 || sv.AckSeqno == 0 {
		t.Fatalf("ack: seq %d %+v (the refused send took no number)", f.Seq, sv)
	}
	if err := mc.SetTop(ctx, client.User(a.Mid), true); err != nil {
		t.Fatal(err)
	}
	if sv := evData[evSession](t, ec.next(), "session"); sv.TopTs == 0 {
		t.Fatalf("pin: %+v", sv)
	}
	if err := mc.RemoveSession(ctx, client.User(a.Mid)); err != nil {
		t.Fatal(err)
	}
	if sv := evData[evSession](t, ec.next(), "session"); sv.Removed != 1 {
		t.Fatalf("remove: %+v", sv)
	}
	// A fan-group message reaches the member, not the non-member.
	if _, err := s.Client(a).SendText(ctx, client.Group(gid), "群消息"); err != nil {
		t.Fatal(err)
	}
	m = evData[evMessage](t, ec.next(), "message")
	if m.TalkerID != gid || m.SessionType != 2 || m.UnreadCount != nil || m.Message.Content != `{"content":"群消息"}` {
		t.Fatalf("group message: %+v", m)
	}
	s.SendText(a, other.Mid, "marker")
	for { // other's own messages to me came first; no group message may be among them
		om := evData[evMessage](t, oc.next(), "message")
		if om.SessionType != 1 {
			t.Fatalf("a non-member got a fan-group message: %+v", om)
		}
		if om.Message.Content == `{"content":"marker"}` {
			break
		}
	}
	// A notification.
	if _, err := s.Operator().Notify(ctx, me.Mid, "reply", operator.Notice{Actor: a.Mid, Type: "video", BusinessID: 1,
		Business: "评论", Title: "t", URI: "https://www.bilibili.com/video/BV1", Source: "回复"}); err != nil {
		t.Fatal(err)
	}
	if n := evData[struct {
		Feed string `json:"feed"`
	}](t, ec.next(), "notification"); n.Feed != "reply" {
		t.Fatalf("notification: %+v", n)
	}
}

// TestEventsResume: a client that reconnects with its epoch and last seq gets exactly
// what it missed, in order, without a reset; another epoch or a position from the
// future is a reset.
func TestEventsResume(t *testing.T) {
	s := testkit.Start(t, testkit.Options{})
	me, a := s.NewUser(0, "me"), s.NewUser(0, "a")
	s.Follow(me.Mid, a.Mid, true)
	ec, _, err := evDial(t, s, me, "")
	if err != nil {
		t.Fatal(err)
	}
	hello := ec.next()
	s.SendText(a, me.Mid, "one")
	last := ec.next().Seq
	ec.c.Close(websocket.StatusNormalClosure, "")
	testkit.Eventually(t, 10*time.Second, "the server to let go of the connection", func() bool { return s.App.Hub.Conns(me.Mid) == 0 })
	for _, text := range []string{"two", "three", "four"} {
		s.SendText(a, me.Mid, text)
	}
	ec, _, err = evDial(t, s, me, "?epoch="+hello.Epoch+"&after="+strconv.FormatUint(last, 10))
	if err != nil {
		t.Fatal(err)
	}
	if h := ec.next(); h.Type != "hello" || h.Reset || h.Seq != last+3 {
		t.Fatalf("resumed hello: %+v", h)
	}
	for i, want := range []string{"two", "three", "four"} {
		f := ec.next()
		if m := evData[evMessage](t, f, "message"); f.Seq != last+1+uint64(i) || m.Message.Content != `{"content":"`+want+`"}` {
			t.Fatalf("missed event %d: seq %d %+v", i, f.Seq, m)
		}
	}
	s.SendText(a, me.Mid, "live")
	if f := ec.next(); f.Seq != last+4 {
		t.Fatalf("the live event after the missed ones: seq %d", f.Seq)
	}
	for _, q := range []string{"?epoch=0000000000000000&after=1", "?epoch=" + hello.Epoch + "&after=999"} {
		c, _, err := evDial(t, s, me, q)
		if err != nil {
			t.Fatal(err)
		}
		if h := c.next(); !h.Reset || h.Seq != last+4 {
			t.Fatalf("%s: hello %+v, want a reset at the latest seq", q, h)
		}
	}
}

// TestEventsLimitsAndCleanup: at most 8 connections per user (the 9th: HTTP 429,
// -509); closing connections frees their places and their goroutines.
func TestEventsLimitsAndCleanup(t *testing.T) {
	s := testkit.Start(t, testkit.Options{})
	me := s.NewUser(0, "me")
	var conns []*evConn
	for range 8 {
		c, _, err := evDial(t, s, me, "")
		if err != nil {
			t.Fatal(err)
		}
		c.next()
		conns = append(conns, c)
	}
	_, resp, err := evDial(t, s, me, "")
	if err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("the 9th connection: err %v, resp %v", err, resp)
	}
	for _, c := range conns {
		c.c.Close(websocket.StatusNormalClosure, "")
	}
	testkit.Eventually(t, 10*time.Second, "every subscription to end", func() bool { return s.App.Hub.Conns(me.Mid) == 0 })
	testkit.Eventually(t, 10*time.Second, "the connections' handlers to end", func() bool { return evHandlers() == 0 })
	if _, _, err := evDial(t, s, me, ""); err != nil {
		t.Fatalf("a connection after the others closed: %v", err)
	}
}

// evHandlers counts the goroutines running a stream's handler.
func evHandlers() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Count(string(buf[:n]), "(*EventStream).ServeHTTP")
		}
		buf = make([]byte, 2*len(buf))
	}
}

// TestEventsIntercepted: a message caught by a block word reaches the stream marked as
// in the dustbin, so that a page can file it there.
func TestEventsIntercepted(t *testing.T) {
	s := testkit.Start(t, testkit.Options{})
	me, stranger := s.NewUser(0, "me"), s.NewUser(0, "stranger")
	s.AddBlockWord(me, "加微信")
	ec, _, err := evDial(t, s, me, "")
	if err != nil {
		t.Fatal(err)
	}
	ec.next()
	s.SendText(stranger, me.Mid, "加微信领红包")
	f := ec.next()
	var d struct {
		IsIntercept int `json:"is_intercept"`
	}
	if f.Type != "message" || json.Unmarshal(f.Data, &d) != nil || d.IsIntercept != 1 {
		t.Fatalf("an intercepted message: %s %s", f.Type, f.Data)
	}
}

// TestEventsLoginEnded: a stream whose login ends (logout, from this page or any other
// client) is closed with 1008 at its next check, rather than go on pushing the user's
// messages to a credential that no longer logs in.
func TestEventsLoginEnded(t *testing.T) {
	s := testkit.Start(t, testkit.Options{})
	me := s.NewUser(0, "me")
	es := wire.NewEventStream(s.App.Service, s.App.Hub, slog.New(slog.DiscardHandler))
	es.Ping = 20 * time.Millisecond
	hs := httptest.NewServer(es)
	t.Cleanup(hs.Close)
	fast := &testkit.Server{TB: t, App: s.App, HTTP: hs, URL: hs.URL}

	c, _, err := evDial(t, fast, me, "")
	if err != nil {
		t.Fatal(err)
	}
	c.next() // hello
	s.MustOK(me, "/bilimsg/v1/logout", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, _, err = c.c.Read(ctx)
	if got := websocket.CloseStatus(err); got != websocket.StatusPolicyViolation {
		t.Fatalf("after logout the stream ended with %v (status %d), want close 1008", err, got)
	}
}
