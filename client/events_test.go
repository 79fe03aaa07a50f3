package client_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/client"
	"github.com/bilimsg/bilimsg/internal/testkit"
)

// TestStream: the typed reader of the live-event stream: the hello, then a message
// event; a logged-out client is ErrNotLoggedIn; a server without the stream is
// ErrNoStream.
func TestStream(t *testing.T) {
	s := testkit.Start(t, testkit.Options{})
	me, a := s.NewUser(0, "me"), s.NewUser(0, "a")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := s.Client(me).Stream(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	hello, err := st.Next(ctx)
	if err != nil || hello.Type != "hello" || hello.Epoch == "" || !hello.Reset {
		t.Fatalf("hello: %+v, %v", hello, err)
	}
	key := s.SendText(a, me.Mid, "hi")
	ev, err := st.Next(ctx)
	if err != nil || ev.Type != "message" || ev.Seq != hello.Seq+1 || !strings.Contains(string(ev.Data), `"msg_key":`+strconv.FormatUint(key, 10)) {
		t.Fatalf("message event: %+v %s, %v", ev, ev.Data, err)
	}
	if _, err := s.Client(testkit.User{}).Stream(ctx, "", 0); !errors.Is(err, client.ErrNotLoggedIn) {
		t.Fatalf("logged out: %v", err)
	}
	bare := httptest.NewServer(http.NotFoundHandler())
	defer bare.Close()
	c, _ := client.New(client.WithBaseURL(bare.URL))
	if _, err := c.Stream(ctx, "", 0); !errors.Is(err, client.ErrNoStream) {
		t.Fatalf("a server without the stream: %v", err)
	}
}

// TestWatchLive: with Live, a message is delivered as soon as it arrives although the
// interval is an hour: the stream wakes the watcher, and delivery is still the poll's.
func TestWatchLive(t *testing.T) {
	s := testkit.Start(t, testkit.Options{})
	me, a := s.NewUser(0, "me"), s.NewUser(0, "a")
	s.Follow(me.Mid, a.Mid, true)
	started := make(chan struct{}, 1)
	got := make(chan string, 10)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := s.Client(me).Watch(client.WatchOptions{Live: true, Interval: time.Hour,
		Save: func(client.Cursor) error {
			select {
			case started <- struct{}{}:
			default:
			}
			return nil
		}})
	done := make(chan error, 1)
	go func() {
		done <- w.Run(ctx, func(_ context.Context, m client.Message) error {
			text, _ := m.Text()
			got <- text
			return nil
		})
	}()
	wait := func(what string, ch <-chan struct{}) {
		t.Helper()
		select {
		case <-ch:
		case <-time.After(10 * time.Second):
			t.Fatalf("no %s within 10 s", what)
		}
	}
	wait("first round", started)
	for _, text := range []string{"one", "two"} {
		s.SendText(a, me.Mid, text)
		select {
		case g := <-got:
			if g != text {
				t.Fatalf("delivered %q, want %q", g, text)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%q not delivered within 10 s with an hour's interval: the stream did not wake the watcher", text)
		}
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v", err)
	}
}

// TestWatchLiveWithoutStream: where there is no stream (a 404), Live falls back to
// polling every interval, and delivery goes on.
func TestWatchLiveWithoutStream(t *testing.T) {
	s := testkit.Start(t, testkit.Options{})
	me, a := s.NewUser(0, "me"), s.NewUser(0, "a")
	s.Follow(me.Mid, a.Mid, true)
	noStream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/bilimsg/v1/events" {
			http.NotFound(w, r)
			return
		}
		s.App.Handler.ServeHTTP(w, r)
	}))
	defer noStream.Close()
	c, err := client.New(client.WithBaseURL(noStream.URL), client.WithRetry(client.NoRetry()),
		client.WithCredentials(client.Credentials{SESSDATA: me.SESSDATA, BiliJct: me.BiliJct, Mid: me.Mid}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	polls := 0
	var got []string
	w := c.Watch(client.WatchOptions{Live: true, Interval: time.Hour, Wait: func(ctx context.Context, d time.Duration) error {
		if polls++; polls == 1 {
			s.SendText(a, me.Mid, "polled")
		} else {
			cancel()
		}
		return ctx.Err()
	}})
	err = w.Run(ctx, func(_ context.Context, m client.Message) error {
		text, _ := m.Text()
		got = append(got, text)
		return nil
	})
	if !errors.Is(err, context.Canceled) || len(got) != 1 || got[0] != "polled" || polls != 2 {
		t.Fatalf("Run = %v after %d pauses, delivered %q", err, polls, got)
	}
}
