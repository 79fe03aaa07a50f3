package client_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/client"
	"github.com/bilimsg/bilimsg/internal/testkit"
)

// BenchmarkClientSendText is one text message sent through the client: form encoding,
// the HTTP round trip over loopback, the server's send, and decoding the answer.
func BenchmarkClientSendText(b *testing.B) {
	s := testkit.Start(b, testkit.Options{})
	a, z := s.NewUser(0, "a"), s.NewUser(0, "z")
	s.Follow(z.Mid, a.Mid, true)
	c := s.Client(a)
	ctx := context.Background()
	cpu, ok := testkit.ProcessCPU()
	b.ResetTimer()
	for i := range b.N {
		if _, err := c.SendText(ctx, client.User(z.Mid), fmt.Sprintf("消息 %d", i)); err != nil {
			b.Fatal(err)
		}
	}
	testkit.ReportCPU(b, cpu, ok)
}

// BenchmarkWatcherIdlePoll is a poll that finds nothing new, for users with 10 and
// 1,000 conversations of history: one new_sessions request whose cost must not grow
// with the history.
func BenchmarkWatcherIdlePoll(b *testing.B) {
	for _, n := range []int{10, 1000} {
		b.Run(fmt.Sprintf("sessions=%d", n), func(b *testing.B) {
			s := testkit.Start(b, testkit.Options{})
			me := s.NewUser(0, "me")
			for i := range n {
				u := s.NewUser(0, fmt.Sprintf("u%d", i))
				s.SendText(u, me.Mid, "hi")
				s.Advance(time.Second) // conversations of different times, as in life
			}
			// Real time, for the overlap: an hour passes after the first polls.
			now := time.Now()
			w := s.Client(me).Watch(client.WatchOptions{Now: func() time.Time { return now }})
			ctx := context.Background()
			h := func(context.Context, client.Message) error { return nil }
			for range 2 { // the fresh start's snapshot, then one poll with the overlap
				if err := w.Poll(ctx, h); err != nil {
					b.Fatal(err)
				}
				now = now.Add(time.Hour)
			}
			b.ResetTimer()
			for range b.N {
				if err := w.Poll(ctx, h); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkWatcherDeliver is the cost per delivered message when a poll finds 50 new
// messages in one conversation: new_sessions, one fetch_session_msgs, the handler.
func BenchmarkWatcherDeliver(b *testing.B) {
	s := testkit.Start(b, testkit.Options{})
	me, other := s.NewUser(0, "me"), s.NewUser(0, "other")
	s.Follow(me.Mid, other.Mid, true)
	oc := s.Client(other)
	w := s.Client(me).Watch(client.WatchOptions{})
	ctx := context.Background()
	got := 0
	h := func(context.Context, client.Message) error { got++; return nil }
	if err := w.Poll(ctx, h); err != nil {
		b.Fatal(err)
	}
	const batch = 50
	b.ResetTimer()
	for i := 0; i < b.N; i += batch {
		b.StopTimer()
		for j := range batch {
			if _, err := oc.SendText(ctx, client.User(me.Mid), fmt.Sprint(i+j)); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		if err := w.Poll(ctx, h); err != nil {
			b.Fatal(err)
		}
	}
	if got < b.N {
		b.Fatalf("delivered %d, want ≥ %d", got, b.N)
	}
}
