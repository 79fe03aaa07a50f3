package client_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/client"
	"github.com/bilimsg/bilimsg/internal/testkit"
)

// outage fails the next n requests: with a proxy's HTML error page (HTTP 502), or
// without an answer at all.
type outage struct {
	base    http.RoundTripper
	n       atomic.Int64
	noReply bool
}

func (o *outage) RoundTrip(r *http.Request) (*http.Response, error) {
	if o.n.Add(-1) >= 0 {
		if o.noReply {
			return nil, errors.New("connection refused")
		}
		return &http.Response{StatusCode: 502, Header: http.Header{"Content-Type": {"text/html"}},
			Body: io.NopCloser(strings.NewReader("<html>Bad Gateway</html>")), Request: r}, nil
	}
	return o.base.RoundTrip(r)
}

// TestWatcherRunOutlivesOutage: Run keeps polling through transient failures (a 502
// page, a refused connection), waiting twice as long each time up to MaxBackoff and
// back to Interval after a success, and delivers what arrived during the outage.
func TestWatcherRunOutlivesOutage(t *testing.T) {
	for _, noReply := range []bool{false, true} {
		s := testkit.Start(t, testkit.Options{})
		me, other := s.NewUser(0, "me"), s.NewUser(0, "other")
		s.Follow(me.Mid, other.Mid, true)
		o := &outage{base: s.HTTP.Client().Transport, noReply: noReply}
		c := s.Client(me, client.WithHTTPClient(&http.Client{Transport: o}))

		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var waits []time.Duration
		var got []string
		wait := func(ctx context.Context, d time.Duration) error {
			waits = append(waits, d)
			switch len(waits) {
			case 1: // after the fresh start: a message arrives, then the server goes away for 5 requests
				s.SendText(other, me.Mid, "during the outage")
				o.n.Store(5)
			case 8:
				cancel()
			}
			return ctx.Err()
		}
		w := c.Watch(client.WatchOptions{Interval: time.Second, MaxBackoff: 5 * time.Second, Wait: wait})
		err := w.Run(ctx, func(_ context.Context, m client.Message) error {
			text, _ := m.Text()
			got = append(got, text)
			return nil
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("noReply=%v: Run = %v, want context.Canceled", noReply, err)
		}
		// Five failed polls: 2, 4, 5, 5, 5 s; then a success and the interval again.
		want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second,
			5 * time.Second, time.Second, time.Second}
		if len(waits) != len(want) {
			t.Fatalf("noReply=%v: waits %v, want %v", noReply, waits, want)
		}
		for i := range want {
			if waits[i] != want[i] {
				t.Fatalf("noReply=%v: waits %v, want %v", noReply, waits, want)
			}
		}
		if len(got) != 1 || got[0] != "during the outage" {
			t.Fatalf("noReply=%v: delivered %q", noReply, got)
		}
	}
}

// TestWatcherRunStopsOnRefusal: a refusal that will stand (-101: the login is gone) and
// a handler's error stop Run at once; they are not retried.
func TestWatcherRunStopsOnRefusal(t *testing.T) {
	s := testkit.Start(t, testkit.Options{})
	me := s.NewUser(0, "me")
	polls := 0
	wait := func(ctx context.Context, d time.Duration) error { polls++; return nil }
	loggedOut := s.Client(testkit.User{Mid: me.Mid, SESSDATA: "not-a-login", BiliJct: "x"})
	err := loggedOut.Watch(client.WatchOptions{Wait: wait}).Run(context.Background(), func(context.Context, client.Message) error { return nil })
	if !errors.Is(err, client.ErrNotLoggedIn) || polls != 0 || client.Transient(err) {
		t.Fatalf("Run = %v after %d waits, want ErrNotLoggedIn at once", err, polls)
	}

	other := s.NewUser(0, "other")
	s.Follow(me.Mid, other.Mid, true)
	boom := errors.New("boom")
	w := s.Client(me).Watch(client.WatchOptions{Wait: func(ctx context.Context, d time.Duration) error {
		if polls++; polls == 1 {
			s.SendText(other, me.Mid, "hi")
		}
		return nil
	}})
	polls = 0
	err = w.Run(context.Background(), func(context.Context, client.Message) error { return boom })
	if !errors.Is(err, boom) || polls != 1 {
		t.Fatalf("Run = %v after %d waits, want the handler's error after the first", err, polls)
	}
}

// TestTransient classifies errors.
func TestTransient(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{context.Canceled, false},
		{&client.Error{Code: -500}, true},
		{&client.Error{Code: -412}, true},
		{&client.Error{Code: -101}, false},
		{&client.Error{Code: 21047}, false},
		{errors.New("handler failed"), false},
	} {
		if got := client.Transient(tc.err); got != tc.want {
			t.Errorf("Transient(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
