package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/bilimsg/bilimsg/client"
	"github.com/bilimsg/bilimsg/internal/testkit"
)

// Example sends a text message to a user and reads it back from the conversation.
func Example() {
	srv := testkit.StartExample() // a bilimsg on a loopback port, playing bilibili
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
	srv := testkit.StartExample()
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
	srv := testkit.StartExample()
	defer srv.Close()
	srv.Send("bob", 1001, "hi Alice")
	srv.Send("carol", 1001, "lunch?")
	srv.Send("dave", 1001, "hello")
	srv.Send("bob", 1001, "did you get my message?")

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
	srv := testkit.StartExample()
	defer srv.Close()
	for i := 1; i <= 5; i++ {
		srv.Send("bob", 1001, fmt.Sprintf("message %d", i))
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
	srv := testkit.StartExample()
	defer srv.Close()
	srv.Send("bob", 1001, "an old message")
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
	srv.Send("bob", 1001, "are you there?")
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
	srv := testkit.StartExample()
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
