package events_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/internal/events"
)

// Publish hands events to the subscriptions' buffered channels before it returns, so
// after a Publish the tests read C without blocking: an event that is not there yet
// never will be.

const epoch = "e1"

// stream1 is the epoch of the first stream a hub makes (its numbering: the hub's epoch
// and the stream's generation).
const stream1 = epoch + ".1"

func fixedEpoch() string { return epoch }

// clock is an injectable Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newHub(opt events.Options) *events.Hub {
	if opt.EpochSource == nil {
		opt.EpochSource = fixedEpoch
	}
	return events.New(opt)
}

func subscribe(t testing.TB, h *events.Hub, mid uint64, ep string, after uint64) (*events.Subscription, events.Hello) {
	t.Helper()
	sub, hello, err := h.Subscribe(mid, ep, after)
	if err != nil {
		t.Fatalf("Subscribe(%d, %q, %d): %v", mid, ep, after, err)
	}
	if sub == nil {
		t.Fatalf("Subscribe(%d, %q, %d): nil subscription without error", mid, ep, after)
	}
	return sub, hello
}

func data(s string) json.RawMessage { return json.RawMessage(fmt.Sprintf(`{"v":%q}`, s)) }

// recv takes the next event, which must already be queued.
func recv(t *testing.T, sub *events.Subscription) events.Event {
	t.Helper()
	select {
	case ev, ok := <-sub.C:
		if !ok {
			t.Fatal("C closed, want an event")
		}
		return ev
	default:
		t.Fatal("no event queued on C")
	}
	return events.Event{}
}

// expectNothing checks that C has nothing queued and is still open.
func expectNothing(t *testing.T, sub *events.Subscription) {
	t.Helper()
	select {
	case ev, ok := <-sub.C:
		if !ok {
			t.Fatal("C closed, want it open and empty")
		}
		t.Fatalf("unexpected event %+v", ev)
	default:
	}
}

// expectClosed checks that C has nothing left and is closed.
func expectClosed(t *testing.T, sub *events.Subscription) {
	t.Helper()
	select {
	case ev, ok := <-sub.C:
		if ok {
			t.Fatalf("unexpected event %+v, want C closed", ev)
		}
	default:
		t.Fatal("C is open, want it closed")
	}
}

func seqs(evs []events.Event) []uint64 {
	out := make([]uint64, 0, len(evs))
	for _, e := range evs {
		out = append(out, e.Seq)
	}
	return out
}

func sorted(s []uint64) []uint64 {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func TestPublishWithoutStreamIsNoop(t *testing.T) {
	h := newHub(events.Options{})
	for i := range 5 {
		h.Publish([]uint64{1, 2}, "msg", data(fmt.Sprint(i)))
	}
	if got := h.Listening([]uint64{1, 2}); len(got) != 0 {
		t.Fatalf("Listening = %v, want none", got)
	}
	if got := h.Streams(); len(got) != 0 {
		t.Fatalf("Streams = %v, want none", got)
	}

	// Not even a sequence number was consumed.
	sub, hello := subscribe(t, h, 1, stream1, 0)
	defer sub.Close()
	if hello.Seq != 0 {
		t.Fatalf("Hello.Seq = %d, want 0", hello.Seq)
	}
	if hello.Reset || len(hello.Missed) != 0 {
		t.Fatalf("Hello = %+v, want no reset and nothing missed", hello)
	}
	expectNothing(t, sub)

	// The first event after the stream exists is number 1.
	h.Publish([]uint64{1}, "msg", data("first"))
	if ev := recv(t, sub); ev.Seq != 1 {
		t.Fatalf("first Seq = %d, want 1", ev.Seq)
	}

	// User 2 still has no stream.
	_, hello2 := subscribe(t, h, 2, "", 0)
	if hello2.Seq != 0 {
		t.Fatalf("user 2 Hello.Seq = %d, want 0", hello2.Seq)
	}
}

func TestOrderAndFanOut(t *testing.T) {
	h := newHub(events.Options{})
	a1, _ := subscribe(t, h, 1, "", 0)
	a2, _ := subscribe(t, h, 1, "", 0)
	b, _ := subscribe(t, h, 2, "", 0)
	defer a1.Close()
	defer a2.Close()
	defer b.Close()

	type sent struct {
		typ  string
		data json.RawMessage
	}
	var want []sent
	for i := range 10 {
		s := sent{typ: fmt.Sprintf("type-%d", i), data: data(fmt.Sprintf("payload %d", i))}
		want = append(want, s)
		h.Publish([]uint64{1}, s.typ, s.data)
	}

	for name, sub := range map[string]*events.Subscription{"a1": a1, "a2": a2} {
		for i, w := range want {
			ev := recv(t, sub)
			if ev.Seq != uint64(i+1) {
				t.Fatalf("%s: event %d Seq = %d, want %d", name, i, ev.Seq, i+1)
			}
			if ev.Type != w.typ {
				t.Fatalf("%s: event %d Type = %q, want %q", name, i, ev.Type, w.typ)
			}
			if string(ev.Data) != string(w.data) {
				t.Fatalf("%s: event %d Data = %s, want %s", name, i, ev.Data, w.data)
			}
		}
		expectNothing(t, sub)
	}
	// User 2 got none of user 1's events.
	expectNothing(t, b)

	// An event for both: each stream numbers its own.
	h.Publish([]uint64{1, 2}, "both", data("both"))
	if ev := recv(t, a1); ev.Seq != 11 || ev.Type != "both" {
		t.Fatalf("a1 got %+v, want Seq 11 type both", ev)
	}
	if ev := recv(t, a2); ev.Seq != 11 || ev.Type != "both" {
		t.Fatalf("a2 got %+v, want Seq 11 type both", ev)
	}
	if ev := recv(t, b); ev.Seq != 1 || ev.Type != "both" || string(ev.Data) != string(data("both")) {
		t.Fatalf("b got %+v, want Seq 1 type both", ev)
	}

	// An event for user 2 only.
	h.Publish([]uint64{2}, "only2", data("x"))
	if ev := recv(t, b); ev.Seq != 2 || ev.Type != "only2" {
		t.Fatalf("b got %+v, want Seq 2 type only2", ev)
	}
	expectNothing(t, a1)
	expectNothing(t, a2)
	expectNothing(t, b)
}

func TestEpoch(t *testing.T) {
	if got := newHub(events.Options{}).Epoch(); got != epoch {
		t.Fatalf("Epoch = %q, want %q", got, epoch)
	}
	e1, e2 := events.New(events.Options{}).Epoch(), events.New(events.Options{}).Epoch()
	if e1 == "" || e2 == "" || e1 == e2 {
		t.Fatalf("default epochs %q and %q: want two distinct non-empty ones", e1, e2)
	}
	h := events.New(events.Options{})
	_, hello := subscribe(t, h, 1, "", 0)
	if hello.Epoch != h.Epoch()+".1" {
		t.Fatalf("Hello.Epoch = %q, want %q", hello.Epoch, h.Epoch()+".1")
	}
}

func TestHello(t *testing.T) {
	h := newHub(events.Options{Ring: 4})
	keep, _ := subscribe(t, h, 1, "", 0)
	defer keep.Close()
	for i := 1; i <= 6; i++ {
		h.Publish([]uint64{1}, fmt.Sprintf("t%d", i), data(fmt.Sprint(i)))
	}
	// Seq is 6; the ring holds 3, 4, 5, 6.

	tests := []struct {
		name   string
		epoch  string
		after  uint64
		reset  bool
		missed []uint64
	}{
		{"no position", "", 0, true, nil},
		{"no position with a seq", "", 6, true, nil},
		{"up to date", stream1, 6, false, nil},
		{"missed two", stream1, 4, false, []uint64{5, 6}},
		{"missed one", stream1, 5, false, []uint64{6}},
		{"missed the whole ring", stream1, 2, false, []uint64{3, 4, 5, 6}},
		{"one older than the ring", stream1, 1, true, nil},
		{"from the start", stream1, 0, true, nil},
		{"another epoch", "e0", 6, true, nil},
		{"another epoch within the ring", "e0", 4, true, nil},
		{"from the future", stream1, 7, true, nil},
		{"far future", stream1, 1 << 62, true, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sub, hello := subscribe(t, h, 1, tc.epoch, tc.after)
			defer sub.Close()
			if hello.Epoch != stream1 {
				t.Errorf("Epoch = %q, want %q", hello.Epoch, stream1)
			}
			if hello.Seq != 6 {
				t.Errorf("Seq = %d, want 6", hello.Seq)
			}
			if hello.Reset != tc.reset {
				t.Errorf("Reset = %v, want %v", hello.Reset, tc.reset)
			}
			if got := seqs(hello.Missed); !slices.Equal(got, tc.missed) && !(len(got) == 0 && len(tc.missed) == 0) {
				t.Errorf("Missed seqs = %v, want %v", got, tc.missed)
			}
			for _, ev := range hello.Missed {
				if ev.Type != fmt.Sprintf("t%d", ev.Seq) || string(ev.Data) != string(data(fmt.Sprint(ev.Seq))) {
					t.Errorf("Missed event %+v: wrong type or data", ev)
				}
			}
			expectNothing(t, sub)
		})
	}

	// Missed is a copy: a later publish (shifting the ring) does not change it.
	sub, hello := subscribe(t, h, 1, stream1, 4)
	defer sub.Close()
	h.Publish([]uint64{1}, "t7", data("7"))
	if got := seqs(hello.Missed); !slices.Equal(got, []uint64{5, 6}) {
		t.Fatalf("Missed changed after a publish: %v", got)
	}
	// And live events follow it without a gap.
	if ev := recv(t, sub); ev.Seq != 7 {
		t.Fatalf("first live Seq = %d, want 7", ev.Seq)
	}
}

func TestSlowSubscriberDropped(t *testing.T) {
	h := newHub(events.Options{Buffer: 2, Ring: 16, MaxConns: 2})
	slow, _ := subscribe(t, h, 1, "", 0)
	fast, _ := subscribe(t, h, 1, "", 0)
	defer fast.Close()

	publish := func(i int) {
		h.Publish([]uint64{1}, "msg", data(fmt.Sprint(i)))
		if ev := recv(t, fast); ev.Seq != uint64(i) {
			t.Fatalf("fast got Seq %d, want %d", ev.Seq, i)
		}
	}
	publish(1)
	publish(2)
	// Buffer full, not yet dropped.
	if len(slow.C) != 2 {
		t.Fatalf("slow has %d queued, want 2", len(slow.C))
	}
	for i := 3; i <= 5; i++ {
		publish(i) // the third finds the buffer full and drops slow
	}
	expectNothing(t, fast)

	// slow got what fitted in its buffer, then C was closed.
	var lastSeen uint64
	for want := uint64(1); want <= 2; want++ {
		ev := recv(t, slow)
		if ev.Seq != want {
			t.Fatalf("slow got Seq %d, want %d", ev.Seq, want)
		}
		lastSeen = ev.Seq
	}
	expectClosed(t, slow)
	slow.Close() // closing a dropped subscription is harmless
	expectClosed(t, slow)

	// The dropped subscription no longer counts against MaxConns (2): reconnect from
	// the last seen position and get the rest from the ring.
	again, hello := subscribe(t, h, 1, stream1, lastSeen)
	defer again.Close()
	if hello.Reset || hello.Seq != 5 {
		t.Fatalf("Hello = %+v, want Seq 5 without reset", hello)
	}
	if got := seqs(hello.Missed); !slices.Equal(got, []uint64{3, 4, 5}) {
		t.Fatalf("Missed = %v, want [3 4 5]", got)
	}
	for _, ev := range hello.Missed {
		if string(ev.Data) != string(data(fmt.Sprint(ev.Seq))) {
			t.Fatalf("Missed event %+v carries the wrong data", ev)
		}
	}
	publish(6)
	if ev := recv(t, again); ev.Seq != 6 {
		t.Fatalf("reconnected got Seq %d, want 6", ev.Seq)
	}
}

func TestSlowOnlySubscriberKeepsStream(t *testing.T) {
	h := newHub(events.Options{Buffer: 1, Ring: 8})
	slow, _ := subscribe(t, h, 1, "", 0)
	h.Publish([]uint64{1}, "msg", data("1"))
	h.Publish([]uint64{1}, "msg", data("2")) // drops slow
	h.Publish([]uint64{1}, "msg", data("3")) // no subscription: kept in the ring
	if ev := recv(t, slow); ev.Seq != 1 {
		t.Fatalf("slow got Seq %d, want 1", ev.Seq)
	}
	expectClosed(t, slow)
	if got := h.Listening([]uint64{1}); !slices.Equal(got, []uint64{1}) {
		t.Fatalf("Listening = %v, want [1]", got)
	}
	again, hello := subscribe(t, h, 1, stream1, 1)
	defer again.Close()
	if hello.Reset || hello.Seq != 3 || !slices.Equal(seqs(hello.Missed), []uint64{2, 3}) {
		t.Fatalf("Hello = %+v, want Seq 3, Missed [2 3], no reset", hello)
	}
}

func TestMaxConns(t *testing.T) {
	h := newHub(events.Options{MaxConns: 3})
	var subs []*events.Subscription
	for range 3 {
		s, _ := subscribe(t, h, 1, "", 0)
		subs = append(subs, s)
	}
	sub, hello, err := h.Subscribe(1, "", 0)
	if !errors.Is(err, events.ErrTooManyConns) {
		t.Fatalf("4th Subscribe err = %v, want ErrTooManyConns", err)
	}
	if sub != nil {
		t.Fatalf("4th Subscribe returned a subscription")
	}
	if hello.Epoch != "" || hello.Seq != 0 || hello.Reset || hello.Missed != nil {
		t.Fatalf("4th Subscribe Hello = %+v, want zero", hello)
	}

	// The limit is per user.
	other, _ := subscribe(t, h, 2, "", 0)
	defer other.Close()

	// Close is idempotent and closes C.
	subs[0].Close()
	expectClosed(t, subs[0])
	subs[0].Close()
	expectClosed(t, subs[0])

	// One slot came free (not two, despite the second Close).
	repl, _ := subscribe(t, h, 1, "", 0)
	if _, _, err := h.Subscribe(1, "", 0); !errors.Is(err, events.ErrTooManyConns) {
		t.Fatalf("Subscribe after refilling err = %v, want ErrTooManyConns", err)
	}

	// Events reach the live subscriptions, not the closed one.
	h.Publish([]uint64{1}, "msg", data("x"))
	for _, s := range []*events.Subscription{subs[1], subs[2], repl} {
		if ev := recv(t, s); ev.Seq != 1 {
			t.Fatalf("got Seq %d, want 1", ev.Seq)
		}
	}
	expectClosed(t, subs[0])

	for _, s := range append(subs[1:], repl) {
		s.Close()
		s.Close()
		expectClosed(t, s)
	}
	// All closed: MaxConns new ones are accepted again.
	for range 3 {
		s, _ := subscribe(t, h, 1, "", 0)
		defer s.Close()
	}
}

func TestDefaultMaxConns(t *testing.T) {
	h := newHub(events.Options{})
	for range 8 {
		s, _ := subscribe(t, h, 1, "", 0)
		defer s.Close()
	}
	if _, _, err := h.Subscribe(1, "", 0); !errors.Is(err, events.ErrTooManyConns) {
		t.Fatalf("9th Subscribe err = %v, want ErrTooManyConns", err)
	}
}

func TestRetention(t *testing.T) {
	clk := newClock()
	const retention = 10 * time.Minute
	h := newHub(events.Options{Ring: 8, Retention: retention, Now: clk.Now})

	// t0: connect (this Subscribe runs the first sweep), get two events, disconnect.
	sub, _ := subscribe(t, h, 1, "", 0)
	h.Publish([]uint64{1}, "msg", data("1"))
	h.Publish([]uint64{1}, "msg", data("2"))
	recv(t, sub)
	recv(t, sub)
	sub.Close()

	// Events published while nobody is connected are kept.
	h.Publish([]uint64{1}, "msg", data("3"))
	h.Publish([]uint64{1}, "msg", data("4"))
	if got := h.Listening([]uint64{1}); !slices.Equal(got, []uint64{1}) {
		t.Fatalf("Listening right after the close = %v, want [1]", got)
	}

	// t0+9m30s: a sweep runs (another user subscribes); retention has not passed.
	clk.Advance(9*time.Minute + 30*time.Second)
	s2, _ := subscribe(t, h, 2, "", 0)
	defer s2.Close()
	if got := sorted(h.Listening([]uint64{1, 2})); !slices.Equal(got, []uint64{1, 2}) {
		t.Fatalf("Listening before retention = %v, want [1 2]", got)
	}

	// t0+10m15s: retention has passed, but the last sweep was 45s ago, so this
	// Subscribe does not sweep.
	clk.Advance(45 * time.Second)
	s3, _ := subscribe(t, h, 3, "", 0)
	defer s3.Close()
	if got := sorted(h.Listening([]uint64{1, 2, 3})); !slices.Equal(got, []uint64{1, 2, 3}) {
		t.Fatalf("Listening after retention, before a sweep = %v, want [1 2 3]", got)
	}
	if got := sorted(h.Streams()); !slices.Equal(got, []uint64{1, 2, 3}) {
		t.Fatalf("Streams after retention, before a sweep = %v, want [1 2 3]", got)
	}
	// Neither Listening, Streams nor Publish sweeps.
	h.Publish([]uint64{1}, "msg", data("5"))

	// t0+10m30s: a minute since the last sweep; this Subscribe sweeps user 1 away.
	// Users 2 and 3 are connected and stay.
	clk.Advance(15 * time.Second)
	s4, _ := subscribe(t, h, 4, "", 0)
	defer s4.Close()
	if got := sorted(h.Listening([]uint64{1, 2, 3, 4})); !slices.Equal(got, []uint64{2, 3, 4}) {
		t.Fatalf("Listening after the sweep = %v, want [2 3 4]", got)
	}
	if got := sorted(h.Streams()); !slices.Equal(got, []uint64{2, 3, 4}) {
		t.Fatalf("Streams after the sweep = %v, want [2 3 4]", got)
	}

	// Publishing to user 1 is now a no-op, and a reconnect starts over.
	h.Publish([]uint64{1}, "msg", data("6"))
	back, hello := subscribe(t, h, 1, stream1, 2)
	defer back.Close()
	if hello.Seq != 0 || !hello.Reset || len(hello.Missed) != 0 {
		t.Fatalf("Hello after the sweep = %+v, want Seq 0, Reset, nothing missed", hello)
	}
	expectNothing(t, back)
}

func TestRetentionReplaysOnReconnect(t *testing.T) {
	clk := newClock()
	const retention = 10 * time.Minute
	h := newHub(events.Options{Ring: 8, Retention: retention, Now: clk.Now})

	sub, _ := subscribe(t, h, 1, "", 0)
	h.Publish([]uint64{1}, "msg", data("1"))
	h.Publish([]uint64{1}, "msg", data("2"))
	sub.Close()
	h.Publish([]uint64{1}, "msg", data("3"))
	h.Publish([]uint64{1}, "msg", data("4"))

	// Just before retention passes, a sweep runs (via another user): user 1 stays.
	clk.Advance(retention - time.Second)
	other, _ := subscribe(t, h, 2, "", 0)
	defer other.Close()
	if got := h.Listening([]uint64{1}); !slices.Equal(got, []uint64{1}) {
		t.Fatalf("Listening = %v, want [1]", got)
	}

	// Retention passes, but the reconnect comes before the next sweep may run
	// (less than a minute after the last): the stream and its ring are there.
	clk.Advance(2 * time.Second)
	back, hello := subscribe(t, h, 1, stream1, 2)
	defer back.Close()
	if hello.Reset || hello.Seq != 4 {
		t.Fatalf("Hello = %+v, want Seq 4 without reset", hello)
	}
	if got := seqs(hello.Missed); !slices.Equal(got, []uint64{3, 4}) {
		t.Fatalf("Missed = %v, want [3 4]", got)
	}
	for _, ev := range hello.Missed {
		if string(ev.Data) != string(data(fmt.Sprint(ev.Seq))) {
			t.Fatalf("Missed event %+v carries the wrong data", ev)
		}
	}
	h.Publish([]uint64{1}, "msg", data("5"))
	if ev := recv(t, back); ev.Seq != 5 {
		t.Fatalf("live Seq = %d, want 5", ev.Seq)
	}
}

func TestRetentionCountsFromLastClose(t *testing.T) {
	clk := newClock()
	const retention = 10 * time.Minute
	h := newHub(events.Options{Retention: retention, Now: clk.Now})

	a, _ := subscribe(t, h, 1, "", 0)
	b, _ := subscribe(t, h, 1, "", 0)

	// A connected stream is never swept, however old.
	clk.Advance(time.Hour)
	s, _ := subscribe(t, h, 2, "", 0) // sweeps
	s.Close()
	if got := h.Listening([]uint64{1}); !slices.Equal(got, []uint64{1}) {
		t.Fatalf("Listening with a connection after an hour = %v, want [1]", got)
	}

	// Closing one of two subscriptions does not start the retention clock.
	a.Close()
	clk.Advance(time.Hour)
	s, _ = subscribe(t, h, 2, "", 0) // sweeps
	s.Close()
	if got := h.Listening([]uint64{1}); !slices.Equal(got, []uint64{1}) {
		t.Fatalf("Listening with one connection left = %v, want [1]", got)
	}
	h.Publish([]uint64{1}, "msg", data("1"))
	if ev := recv(t, b); ev.Seq != 1 {
		t.Fatalf("Seq = %d, want 1", ev.Seq)
	}

	// The last close starts it: kept within retention of that moment...
	b.Close()
	clk.Advance(retention / 2)
	s, _ = subscribe(t, h, 2, "", 0) // sweeps
	s.Close()
	if got := h.Listening([]uint64{1}); !slices.Equal(got, []uint64{1}) {
		t.Fatalf("Listening half a retention after the last close = %v, want [1]", got)
	}
	// ...and gone after it.
	clk.Advance(retention/2 + time.Minute)
	s, _ = subscribe(t, h, 2, "", 0) // sweeps
	s.Close()
	if got := h.Listening([]uint64{1}); len(got) != 0 {
		t.Fatalf("Listening past retention = %v, want none", got)
	}
	// User 2's stream was closed moments ago: still there.
	if got := h.Streams(); !slices.Equal(got, []uint64{2}) {
		t.Fatalf("Streams = %v, want [2]", got)
	}
}

func TestRetentionDefault(t *testing.T) {
	clk := newClock()
	h := newHub(events.Options{Now: clk.Now})
	s, _ := subscribe(t, h, 1, "", 0)
	s.Close()
	clk.Advance(10*time.Minute - time.Second)
	s, _ = subscribe(t, h, 2, "", 0) // sweeps
	defer s.Close()
	if got := h.Listening([]uint64{1}); !slices.Equal(got, []uint64{1}) {
		t.Fatalf("Listening before the default 10 min = %v, want [1]", got)
	}
	clk.Advance(time.Minute)
	s, _ = subscribe(t, h, 3, "", 0) // sweeps
	defer s.Close()
	if got := h.Listening([]uint64{1}); len(got) != 0 {
		t.Fatalf("Listening after the default 10 min = %v, want none", got)
	}
}

// A stream that was swept and is opened again numbers its events from 1 again, in the
// same epoch. A client that still holds a position from the old numbering is then
// given a position of the new one as if it were its own: it silently misses events.
func TestSweptStreamDoesNotReuseSequence(t *testing.T) {
	// A stream made again after a sweep has a new epoch (the hub's and a new
	// generation): an old position is never taken for one in the new numbering.
	clk := newClock()
	const retention = 10 * time.Minute
	h := newHub(events.Options{Retention: retention, Now: clk.Now})

	// Device A sees events 1-3, disconnects; 4 and 5 follow while it is away.
	a, _ := subscribe(t, h, 1, "", 0)
	for i := 1; i <= 3; i++ {
		h.Publish([]uint64{1}, "old", data(fmt.Sprint(i)))
		recv(t, a)
	}
	a.Close()
	h.Publish([]uint64{1}, "old", data("4"))
	h.Publish([]uint64{1}, "old", data("5"))

	// Much later device B connects: the stream is swept and made again.
	clk.Advance(retention + time.Minute)
	b, _ := subscribe(t, h, 1, "", 0)
	defer b.Close()
	for i := 1; i <= 4; i++ {
		h.Publish([]uint64{1}, "new", data(fmt.Sprint(i)))
	}

	// Device A comes back with its position (epoch, 3). It has missed old 4-5 and new
	// 1-4, so it must be told to catch up through the API (or be sent all of them).
	a2, hello := subscribe(t, h, 1, stream1, 3)
	defer a2.Close()
	if !hello.Reset {
		t.Errorf("Hello = %+v: Reset false, the client silently misses 6 events (Missed %v)", hello, seqs(hello.Missed))
	}

	// Same root cause, simplest form: a client that connected at position 0, saw
	// nothing, and comes back after the sweep is told it missed nothing.
	h2 := newHub(events.Options{Retention: retention, Now: clk.Now})
	c, _ := subscribe(t, h2, 7, "", 0)
	c.Close()
	h2.Publish([]uint64{7}, "lost", data("1"))
	h2.Publish([]uint64{7}, "lost", data("2"))
	clk.Advance(retention + time.Minute)
	c2, hello := subscribe(t, h2, 7, stream1, 0)
	defer c2.Close()
	if !hello.Reset {
		t.Errorf("Hello = %+v: Reset false, the client silently misses 2 events", hello)
	}
}

func TestListeningAndStreams(t *testing.T) {
	h := newHub(events.Options{})
	if got := h.Listening(nil); len(got) != 0 {
		t.Fatalf("Listening(nil) = %v, want none", got)
	}
	if got := h.Listening([]uint64{1, 2, 3}); len(got) != 0 {
		t.Fatalf("Listening on an empty hub = %v, want none", got)
	}
	if got := h.Streams(); got == nil || len(got) != 0 {
		t.Fatalf("Streams on an empty hub = %#v, want empty", got)
	}

	var subs []*events.Subscription
	for _, m := range []uint64{5, 1, 3} {
		s, _ := subscribe(t, h, m, "", 0)
		subs = append(subs, s)
	}
	// A second connection of a user does not list them twice.
	extra, _ := subscribe(t, h, 3, "", 0)
	subs = append(subs, extra)

	if got := h.Listening([]uint64{1, 2, 3, 4, 5, 6}); !slices.Equal(got, []uint64{1, 3, 5}) {
		t.Fatalf("Listening = %v, want [1 3 5] (in the order asked)", got)
	}
	if got := h.Listening([]uint64{6, 5, 4, 3}); !slices.Equal(got, []uint64{5, 3}) {
		t.Fatalf("Listening = %v, want [5 3] (in the order asked)", got)
	}
	if got := h.Listening([]uint64{2, 4, 6}); len(got) != 0 {
		t.Fatalf("Listening = %v, want none", got)
	}
	if got := sorted(h.Streams()); !slices.Equal(got, []uint64{1, 3, 5}) {
		t.Fatalf("Streams = %v, want [1 3 5]", got)
	}

	// Closing does not remove a stream (retention), publishing to others adds none.
	for _, s := range subs {
		s.Close()
	}
	h.Publish([]uint64{2, 4, 6}, "msg", data("x"))
	if got := sorted(h.Streams()); !slices.Equal(got, []uint64{1, 3, 5}) {
		t.Fatalf("Streams after closing = %v, want [1 3 5]", got)
	}
	if got := h.Listening([]uint64{1, 2, 3, 4, 5, 6}); !slices.Equal(got, []uint64{1, 3, 5}) {
		t.Fatalf("Listening after closing = %v, want [1 3 5]", got)
	}
	// A failed Subscribe (too many connections) does not matter either.
	h2 := newHub(events.Options{MaxConns: 1})
	s, _ := subscribe(t, h2, 9, "", 0)
	defer s.Close()
	if _, _, err := h2.Subscribe(9, "", 0); !errors.Is(err, events.ErrTooManyConns) {
		t.Fatalf("err = %v, want ErrTooManyConns", err)
	}
	if got := h2.Streams(); !slices.Equal(got, []uint64{9}) {
		t.Fatalf("Streams = %v, want [9]", got)
	}
}

func TestConcurrency(t *testing.T) {
	const (
		users       = 16
		publishers  = 6
		perPub      = 400
		subscribers = 12
	)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	h := newHub(events.Options{Ring: 32, Buffer: 16, MaxConns: 2})
	// Open every stream first, so that every publish is numbered and the final
	// sequence numbers can be checked against the publish counts.
	for m := range uint64(users) {
		s, _ := subscribe(t, h, m, "", 0)
		s.Close()
	}
	var published [users]atomic.Uint64

	var pubWG, subWG sync.WaitGroup
	pubDone := make(chan struct{})
	errc := make(chan error, publishers+subscribers+2)

	for p := range publishers {
		pubWG.Add(1)
		go func() {
			defer pubWG.Done()
			r := rand.New(rand.NewPCG(uint64(p), 1))
			for i := range perPub {
				n := 1 + r.IntN(4)
				mids := make([]uint64, 0, n)
				for range n {
					m := r.Uint64N(users)
					if !slices.Contains(mids, m) {
						mids = append(mids, m)
					}
				}
				for _, m := range mids {
					published[m].Add(1)
				}
				h.Publish(mids, "msg", data(fmt.Sprintf("%d/%d", p, i)))
				if i%50 == 0 {
					h.Listening(mids)
					h.Streams()
				}
				if ctx.Err() != nil {
					return
				}
			}
		}()
	}

	var received, dropped, tooMany atomic.Int64
	for s := range subscribers {
		subWG.Add(1)
		go func() {
			defer subWG.Done()
			r := rand.New(rand.NewPCG(uint64(s), 2))
			type open struct {
				sub  *events.Subscription
				mid  uint64
				next uint64 // the Seq expected next
			}
			check := func(o *open, ev events.Event) bool {
				if ev.Seq != o.next {
					errc <- fmt.Errorf("user %d: got Seq %d, want %d", o.mid, ev.Seq, o.next)
					return false
				}
				o.next++
				received.Add(1)
				return true
			}
			// finish closes o and checks what is left, then that C is closed.
			finish := func(o *open) bool {
				o.sub.Close()
				for ev := range o.sub.C {
					if !check(o, ev) {
						return false
					}
				}
				return true
			}
			// Lazy subscriptions never read until publishing is over: they fall
			// behind and are dropped.
			var lazy []*open
			defer func() {
				for _, o := range lazy {
					if !finish(o) {
						return
					}
				}
			}()
			for {
				select {
				case <-pubDone:
					return
				case <-ctx.Done():
					errc <- errors.New("subscriber: deadline")
					return
				default:
				}
				mid := r.Uint64N(users)
				sub, hello, err := h.Subscribe(mid, "", 0)
				if errors.Is(err, events.ErrTooManyConns) {
					tooMany.Add(1)
					runtime.Gosched()
					continue
				}
				if err != nil {
					errc <- err
					return
				}
				o := &open{sub: sub, mid: mid, next: hello.Seq + 1}
				if r.IntN(4) == 0 {
					lazy = append(lazy, o)
					continue
				}
			read:
				for range 1 + r.IntN(40) {
					select {
					case ev, ok := <-sub.C:
						if !ok {
							dropped.Add(1)
							break read
						}
						if !check(o, ev) {
							sub.Close()
							return
						}
					case <-pubDone:
						break read
					case <-ctx.Done():
						errc <- errors.New("subscriber: deadline while reading")
						sub.Close()
						return
					}
				}
				if !finish(o) {
					return
				}
			}
		}()
	}

	// A hammer on Close: subscribe and close at once, twice.
	subWG.Add(1)
	go func() {
		defer subWG.Done()
		for i := 0; ; i++ {
			select {
			case <-pubDone:
				return
			case <-ctx.Done():
				return
			default:
			}
			sub, _, err := h.Subscribe(uint64(i%users), "", 0)
			if err != nil {
				runtime.Gosched()
				continue
			}
			go sub.Close()
			sub.Close()
			for range sub.C {
			}
		}
	}()

	finished := make(chan struct{})
	go func() {
		pubWG.Wait()
		close(pubDone)
		subWG.Wait()
		close(finished)
	}()
	select {
	case <-finished:
	case <-ctx.Done():
		t.Fatal("deadlock: publishers and subscribers did not finish in time")
	}
	close(errc)
	for err := range errc {
		t.Error(err)
	}

	// No sequence number was lost or repeated.
	for m := range uint64(users) {
		sub, hello := subscribe(t, h, m, "", 0)
		sub.Close()
		if hello.Seq != published[m].Load() {
			t.Errorf("user %d: Seq %d, want %d publishes", m, hello.Seq, published[m].Load())
		}
	}
	t.Logf("received %d events, %d subscriptions dropped, %d refused", received.Load(), dropped.Load(), tooMany.Load())
}

func BenchmarkPublish(b *testing.B) {
	b.Run("1user_1sub_draining", func(b *testing.B) {
		const buffer = 1024
		h := newHub(events.Options{Buffer: buffer})
		sub, _ := subscribe(b, h, 1, "", 0)
		var got atomic.Int64
		drained := make(chan struct{})
		go func() {
			defer close(drained)
			for range sub.C {
				got.Add(1)
			}
		}()
		mids := []uint64{1}
		payload := data("hello")
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			h.Publish(mids, "msg", payload)
			// Keep the subscriber from being dropped as stuck if the reader lags.
			if i%64 == 0 {
				for len(sub.C) > buffer/2 {
					runtime.Gosched()
				}
			}
		}
		b.StopTimer()
		sub.Close()
		<-drained
		_, hello := subscribe(b, h, 1, "", 0)
		if got.Load() != int64(hello.Seq) {
			b.Fatalf("subscriber got %d events of %d: dropped", got.Load(), hello.Seq)
		}
	})
	b.Run("1000users_none_listening", func(b *testing.B) {
		h := newHub(events.Options{})
		// Someone else is connected, so the map is not empty.
		s, _ := subscribe(b, h, 1_000_000, "", 0)
		defer s.Close()
		mids := make([]uint64, 1000)
		for i := range mids {
			mids[i] = uint64(i + 1)
		}
		payload := data("hello")
		b.ReportAllocs()
		for b.Loop() {
			h.Publish(mids, "msg", payload)
		}
	})
}
