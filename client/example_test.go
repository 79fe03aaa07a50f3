package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http/httptest"
	"os"

	"github.com/bilimsg/bilimsg/client"
	"github.com/bilimsg/bilimsg/client/operator"
	"github.com/bilimsg/bilimsg/internal/server"
	"github.com/bilimsg/bilimsg/internal/testkit"
)

// Example sends a text message to a user and reads it back from the conversation.
func Example() {
	srv := startExampleServer() // a bilimsg on a loopback port, playing bilibili
	defer srv.Close()
	ctx := context.Background()

	// The cookies a browser holds after logging in: "SESSDATA=…; bili_jct=…; DedeUserID=…".
	cred, err := client.ParseCookies(srv.Cookies["alice"])
	if err != nil {
		log.Fatal(err)
	}
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithCredentials(cred))
	if err != nil {
		log.Fatal(err)
	}

	carol := client.User(1003)
	res, err := c.SendText(ctx, carol, "你好 [tv_doge]")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("emoji:", res.EInfos[0].Text)

	h, err := c.Messages(ctx, carol, client.HistoryOptions{Size: 1})
	if err != nil {
		log.Fatal(err)
	}
	text, _ := h.Messages[0].Text()
	fmt.Println(h.Messages[0].MsgKey == res.MsgKey, text)
	// Output:
	// emoji: [tv_doge]
	// true 你好 [tv_doge]
}

// Example_errors tells bilibili's refusals apart with errors.Is and the sentinels.
func Example_errors() {
	srv := startExampleServer()
	defer srv.Close()
	ctx := context.Background()
	cred, _ := client.ParseCookies(srv.Cookies["alice"])
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithCredentials(cred))
	if err != nil {
		log.Fatal(err)
	}

	dave := client.User(1004) // does not follow Alice and never wrote to her
	if _, err := c.SendText(ctx, dave, "Hi Dave!"); err != nil {
		log.Fatal(err)
	}
	_, err = c.SendText(ctx, dave, "Dave?")
	switch {
	case errors.Is(err, client.ErrOneMessage):
		fmt.Println("wait until Dave answers or follows")
	case errors.Is(err, client.ErrRateLimited):
		fmt.Println("slow down")
	case err != nil:
		log.Fatal(err)
	}
	var e *client.Error
	if errors.As(err, &e) {
		fmt.Println(e.Code, e.Endpoint, e.Message)
	}
	// Output:
	// wait until Dave answers or follows
	// 21047 send_msg 对方主动回复或关注你前，最多发送1条消息~
}

// ExampleClient_AllSessions lists every conversation, newest first, two per request.
func ExampleClient_AllSessions() {
	srv := startExampleServer()
	defer srv.Close()
	srv.send("bob", 1001, "hi Alice")
	srv.send("carol", 1001, "lunch?")
	srv.send("dave", 1001, "hello")
	srv.send("bob", 1001, "did you get my message?")

	cred, _ := client.ParseCookies(srv.Cookies["alice"])
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithCredentials(cred))
	if err != nil {
		log.Fatal(err)
	}
	for s, err := range c.AllSessions(context.Background(), client.SessionsOptions{Size: 2}) {
		if err != nil {
			log.Fatal(err)
		}
		text, _ := s.LastMsg.Text()
		fmt.Printf("%v unread=%d %q\n", s.Talker(), s.UnreadCount, text)
	}
	// Output:
	// user:1002 unread=2 "did you get my message?"
	// user:1004 unread=1 "hello"
	// user:1003 unread=1 "lunch?"
}

// ExampleClient_AllMessages walks a conversation's history backwards.
func ExampleClient_AllMessages() {
	srv := startExampleServer()
	defer srv.Close()
	for i := 1; i <= 5; i++ {
		srv.send("bob", 1001, fmt.Sprintf("message %d", i))
	}

	cred, _ := client.ParseCookies(srv.Cookies["alice"])
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithCredentials(cred))
	if err != nil {
		log.Fatal(err)
	}
	for m, err := range c.AllMessages(context.Background(), client.User(1002), 0, 2) {
		if err != nil {
			log.Fatal(err)
		}
		text, _ := m.Text()
		fmt.Println(m.SenderUID, text)
	}
	// Output:
	// 1002 message 5
	// 1002 message 4
	// 1002 message 3
	// 1002 message 2
	// 1002 message 1
}

// ExampleClient_Watch follows new messages, saving the cursor after each one so that a
// restarted program resumes where it stopped.
func ExampleClient_Watch() {
	srv := startExampleServer()
	defer srv.Close()
	srv.send("bob", 1001, "an old message")
	ctx := context.Background()

	cred, _ := client.ParseCookies(srv.Cookies["alice"])
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithCredentials(cred))
	if err != nil {
		log.Fatal(err)
	}
	var saved client.Cursor // persist it (it marshals to JSON) and pass it back in WatchOptions.Cursor
	w := c.Watch(client.WatchOptions{Save: func(cur client.Cursor) error { saved = cur; return nil }})
	show := func(ctx context.Context, m client.Message) error {
		text, _ := m.Text()
		fmt.Printf("%v: %s\n", m.Talker(c.Mid()), text)
		return nil
	}
	// The first poll records where every conversation stands: old messages are not delivered.
	if err := w.Poll(ctx, show); err != nil {
		log.Fatal(err)
	}
	srv.send("bob", 1001, "are you there?")
	// Run(ctx, show) would poll every WatchOptions.Interval; one poll is enough here.
	if err := w.Poll(ctx, show); err != nil {
		log.Fatal(err)
	}
	h, _ := c.Messages(ctx, client.User(1002), client.HistoryOptions{Size: 1})
	fmt.Println("saved up to the newest:", saved.Seqnos["user:1002"] == h.Messages[0].MsgSeqno)
	// Output:
	// user:1002: are you there?
	// saved up to the newest: true
}

// ExampleClient_SetPreferences changes some message settings by field and by name.
func ExampleClient_SetPreferences() {
	srv := startExampleServer()
	defer srv.Close()
	ctx := context.Background()
	cred, _ := client.ParseCookies(srv.Cookies["alice"])
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithCredentials(cred))
	if err != nil {
		log.Fatal(err)
	}

	off := 5
	u := client.PreferenceUpdate{SetLike: &off}        // no like notifications (old switch)
	if err := u.Set("set_recv_reply", 1); err != nil { // replies and @ only from people I follow
		log.Fatal(err)
	}
	if err := c.SetPreferences(ctx, u); err != nil {
		log.Fatal(err)
	}
	p, err := c.Preferences(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("set_like:", p.SetLike, "set_recv_reply:", p.SetRecvReply, "msg_notify:", *p.MsgNotify)

	// Auto-replies need 1000 fans.
	on := 1
	err = c.SetPreferences(ctx, client.PreferenceUpdate{RecvReply: &on})
	fmt.Println(client.IsCode(err, client.CodeNoPermission), err)
	// Output:
	// set_like: 5 set_recv_reply: 1 msg_notify: 1
	// true bilibili: set: 700009 权限不足
}

// exampleServer is a bilimsg started for an example, with users alice (1001), bob
// (1002), carol (1003) and dave (1004): Alice follows Bob, Carol follows Alice.
type exampleServer struct {
	URL     string
	Cookies map[string]string // name → Cookie header of a login
	clients map[string]*client.Client
	close   func()
}

func (s *exampleServer) Close() { s.close() }

// send makes user name send a text to mid.
func (s *exampleServer) send(name string, to uint64, text string) {
	if _, err := s.clients[name].SendText(context.Background(), client.User(to), text); err != nil {
		log.Fatalf("%s → %d: %v", name, to, err)
	}
}

// startExampleServer builds a server with a fake clock (so that every run answers the
// same) in a temporary directory, the way internal/testkit does for tests.
func startExampleServer() *exampleServer {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "bilimsg-example-")
	if err != nil {
		log.Fatal(err)
	}
	const token = "example-admin-token"
	app, err := server.Build(ctx, server.Config{DataDir: dir, AdminToken: token, FakeClock: true,
		ClockStart: testkit.Epoch, Synchronous: "normal"})
	if err != nil {
		log.Fatal(err)
	}
	hs := httptest.NewServer(app.Handler)
	s := &exampleServer{URL: hs.URL, Cookies: map[string]string{}, clients: map[string]*client.Client{}, close: func() {
		hs.Close()
		app.Close()
		os.RemoveAll(dir)
	}}
	op, err := operator.New(hs.URL, token, nil)
	if err != nil {
		log.Fatal(err)
	}
	for i, name := range []string{"alice", "bob", "carol", "dave"} {
		mid := uint64(1001 + i)
		if _, err := op.CreateUser(ctx, operator.NewUser{Name: name, Mid: &mid}); err != nil {
			log.Fatal(err)
		}
		cr, err := op.Login(ctx, mid)
		if err != nil {
			log.Fatal(err)
		}
		s.Cookies[name] = fmt.Sprintf("SESSDATA=%s; bili_jct=%s; DedeUserID=%d", cr.SESSDATA, cr.BiliJct, cr.Mid)
		if s.clients[name], err = client.New(client.WithBaseURL(hs.URL), client.WithCredentials(cr)); err != nil {
			log.Fatal(err)
		}
	}
	for _, f := range [][2]uint64{{1001, 1002}, {1003, 1001}} {
		if _, err := op.Follow(ctx, f[0], f[1]); err != nil {
			log.Fatal(err)
		}
	}
	return s
}
