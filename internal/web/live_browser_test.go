package web_test

import (
	"io"
	"net"
	"sync"
	"testing"

	"github.com/bilimsg/bilimsg/internal/testkit"
)

// cutter is a TCP proxy in front of the server whose connections the test can cut,
// as a network that drops does: the page's open WebSocket breaks, new connections
// still get through.
type cutter struct {
	ln    net.Listener
	mu    sync.Mutex
	conns map[net.Conn]bool
}

func newCutter(t *testing.T, backend string) *cutter {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &cutter{ln: ln, conns: map[net.Conn]bool{}}
	t.Cleanup(func() { ln.Close(); c.cut() })
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", backend)
			if err != nil {
				in.Close()
				continue
			}
			c.mu.Lock()
			c.conns[in], c.conns[out] = true, true
			c.mu.Unlock()
			go func() { io.Copy(out, in); out.Close() }()
			go func() { io.Copy(in, out); in.Close() }()
		}
	}()
	return c
}

func (c *cutter) url() string { return "http://" + c.ln.Addr().String() }

func (c *cutter) cut() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for conn := range c.conns {
		conn.Close()
	}
	clear(c.conns)
}

// The menu badge follows messages live; after a lost connection the page resumes
// its stream and catches up on what it missed, without a reload.
func TestBrowserLiveBadgeAndCatchUp(t *testing.T) {
	srv := testkit.Start(t, testkit.Options{})
	me := srv.NewUser(1001, "我")
	friend := srv.NewUser(1002, "朋友")
	srv.Follow(me.Mid, friend.Mid, true)

	b := newBrowser(t, srv)
	proxy := newCutter(t, srv.HTTP.Listener.Addr().String())
	b.base = proxy.url()
	b.loginAs(me)
	b.open("#/reply")
	b.waitFor(`document.body.dataset.live === 'on'`, "the live stream")
	badge := `.menu-item[data-menu=whisper] .badge`
	if n := eval[string](b, `document.querySelector("`+badge+`").dataset.count`); n != "0" {
		t.Fatalf("whisper badge %s before any message", n)
	}

	srv.SendText(friend, me.Mid, "一")
	b.waitFor(`document.querySelector("`+badge+`").dataset.count === '1'`, "the badge to count the live message")
	if r := eval[string](b, `document.body.dataset.liveResets`); r != "1" {
		t.Fatalf("%s resets before the cut, want 1 (the first hello)", r)
	}

	// The connection drops; two messages arrive meanwhile; the page reconnects with
	// its position and the server replays them (no reset: the same stream goes on).
	proxy.cut()
	b.waitFor(`document.body.dataset.live === 'off'`, "the stream to drop")
	srv.SendText(friend, me.Mid, "二")
	srv.SendText(friend, me.Mid, "三")
	b.waitFor(`document.body.dataset.live === 'on'`, "the stream to come back")
	b.waitFor(`document.querySelector("`+badge+`").dataset.count === '3'`, "the badge to catch up on the missed messages")
	if r := eval[string](b, `document.body.dataset.liveResets`); r != "1" {
		t.Errorf("%s resets after the reconnection, want still 1: the page should have resumed its stream", r)
	}
}
