package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/client"
	"github.com/bilimsg/bilimsg/internal/testkit"
)

// wtRec records what a Watcher delivers. Its handler may run on another goroutine.
type wtRec struct {
	me  uint64
	mu  sync.Mutex
	got []client.Message
}

func (r *wtRec) handle(_ context.Context, m client.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, m)
	return nil
}

func (r *wtRec) n() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

// take returns what was delivered since the last take.
func (r *wtRec) take() []client.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.got
	r.got = nil
	return out
}

func (r *wtRec) all() []client.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

// wtLabel is "<talker>|<text>" (or "<talker>|type<N>" for a message without text).
func wtLabel(me uint64, m client.Message) string {
	text, ok := m.Text()
	if !ok {
		text = fmt.Sprintf("type%d", m.MsgType)
	}
	return m.Talker(me).String() + "|" + text
}

func wtLabels(me uint64, msgs []client.Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = wtLabel(me, m)
	}
	return out
}

func wtPoll(t *testing.T, w *client.Watcher, h client.Handler) {
	t.Helper()
	if err := w.Poll(context.Background(), h); err != nil {
		t.Fatalf("Poll: %v", err)
	}
}

// wtCheckOnceInOrder fails unless every message appears once (by talker and seqno) and
// each conversation's messages come in ascending seqno order.
func wtCheckOnceInOrder(t *testing.T, me uint64, msgs []client.Message) {
	t.Helper()
	seen := map[string]bool{}
	last := map[string]uint64{}
	for _, m := range msgs {
		k := m.Talker(me).String()
		id := fmt.Sprintf("%s#%d", k, m.MsgSeqno)
		if seen[id] {
			t.Errorf("delivered twice: %s (%s)", id, wtLabel(me, m))
		}
		seen[id] = true
		if m.MsgSeqno <= last[k] {
			t.Errorf("%s: seqno %d delivered after %d", k, m.MsgSeqno, last[k])
		}
		last[k] = max(last[k], m.MsgSeqno)
	}
}

// wtHistory is a conversation's whole history as c sees it, oldest first.
func wtHistory(t *testing.T, c *client.Client, tk client.Talker) []client.Message {
	t.Helper()
	var out []client.Message
	for m, err := range c.AllMessages(context.Background(), tk, 0, 200) {
		if err != nil {
			t.Fatalf("history of %s: %v", tk, err)
		}
		out = append(out, m)
	}
	slices.Reverse(out)
	return out
}

func wtSend(t *testing.T, c *client.Client, to client.Talker, text string) {
	t.Helper()
	if _, err := c.SendText(context.Background(), to, text); err != nil {
		t.Fatalf("send %q to %s: %v", text, to, err)
	}
}

// TestWatchFreshStart: the first Poll only records where things stand; later messages are
// delivered once each, oldest first per conversation, conversations in the order they
// changed; my own messages only with IncludeOwn.
func TestWatchFreshStart(t *testing.T) {
	for _, includeOwn := range []bool{false, true} {
		t.Run(fmt.Sprintf("IncludeOwn=%v", includeOwn), func(t *testing.T) {
			s := testkit.Start(t, testkit.Options{})
			me := s.NewUser(0, "watcher")
			a := s.NewUser(0, "alice")
			b := s.NewUser(0, "bob")
			s.Follow(me.Mid, a.Mid, true)
			s.Follow(me.Mid, b.Mid, true)
			s.Follow(a.Mid, me.Mid, true) // so that I may write to alice more than once
			cMe := s.Client(me)
			s.SendText(a, me.Mid, "a-before-1")
			s.SendText(a, me.Mid, "a-before-2")
			s.SendText(b, me.Mid, "b-before")
			wtSend(t, cMe, client.User(a.Mid), "me-before")

			rec := &wtRec{me: me.Mid}
			w := cMe.Watch(client.WatchOptions{IncludeOwn: includeOwn})
			wtPoll(t, w, rec.handle)
			if got := rec.take(); len(got) != 0 {
				t.Fatalf("first poll delivered messages that existed before it: %q", wtLabels(me.Mid, got))
			}
			wtPoll(t, w, rec.handle)
			if got := rec.take(); len(got) != 0 {
				t.Fatalf("second poll with nothing new delivered %q", wtLabels(me.Mid, got))
			}

			ua, ub := client.User(a.Mid).String(), client.User(b.Mid).String()
			wtSend(t, cMe, client.User(a.Mid), "me-1") // before alice's: her conversation still changes last at a-3
			s.SendText(a, me.Mid, "a-1")
			s.SendText(a, me.Mid, "a-2")
			s.SendText(a, me.Mid, "a-3")
			s.SendText(b, me.Mid, "b-1")
			s.SendText(b, me.Mid, "b-2")
			wtPoll(t, w, rec.handle)
			got := rec.take()
			want := []string{ua + "|a-1", ua + "|a-2", ua + "|a-3", ub + "|b-1", ub + "|b-2"}
			if includeOwn {
				want = append([]string{ua + "|me-1"}, want...)
			}
			if l := wtLabels(me.Mid, got); !slices.Equal(l, want) {
				t.Fatalf("delivered %q, want %q", l, want)
			}
			wtCheckOnceInOrder(t, me.Mid, got)
			for _, m := range got {
				if text, _ := m.Text(); strings.HasPrefix(text, "a-") && m.SenderUID != a.Mid {
					t.Errorf("%q: sender %d, want alice %d", text, m.SenderUID, a.Mid)
				}
				if m.SenderUID == me.Mid && !includeOwn {
					t.Errorf("my own message %q delivered without IncludeOwn", wtLabel(me.Mid, m))
				}
			}

			// Nothing new: nothing delivered, however often we poll.
			for range 3 {
				wtPoll(t, w, rec.handle)
			}
			if got := rec.take(); len(got) != 0 {
				t.Fatalf("polls with nothing new delivered %q", wtLabels(me.Mid, got))
			}

			// Only my own message: delivered with IncludeOwn only.
			wtSend(t, cMe, client.User(b.Mid), "me-2")
			wtPoll(t, w, rec.handle)
			got = rec.take()
			var want2 []string
			if includeOwn {
				want2 = []string{ub + "|me-2"}
			}
			if l := wtLabels(me.Mid, got); !slices.Equal(l, want2) {
				t.Fatalf("after my own message: delivered %q, want %q", l, want2)
			}
			// Either way the cursor moved past it.
			if cur := w.Cursor(); cur.Seqnos[ub] == 0 || cur.Seqnos[ub] != wtHistory(t, cMe, client.User(b.Mid))[3].MsgSeqno {
				t.Errorf("cursor for bob = %d, want the seqno of me-2", cur.Seqnos[ub])
			}
		})
	}
}

// wtWorld is a watched user with three followed talkers, a fan group with members, and
// a helper to know the ground truth from the server's histories.
type wtWorld struct {
	s       *testkit.Server
	me      testkit.User
	cMe     *client.Client
	talkers []testkit.User
	owner   testkit.User
	member  testkit.User
	gid     uint64
}

func newWTWorld(t *testing.T, talkers int) *wtWorld {
	t.Helper()
	s := testkit.Start(t, testkit.Options{})
	w := &wtWorld{s: s, me: s.NewUser(0, "watcher")}
	w.cMe = s.Client(w.me)
	for i := range talkers {
		u := s.NewUser(0, fmt.Sprintf("talker%d", i))
		s.Follow(w.me.Mid, u.Mid, true)
		w.talkers = append(w.talkers, u)
	}
	w.owner = s.NewUser(0, "owner")
	w.member = s.NewUser(0, "member")
	w.gid = s.NewGroup(w.owner.Mid, "fans")
	s.Join(w.gid, w.me.Mid)
	s.Join(w.gid, w.member.Mid)
	return w
}

// wtID names a message by conversation and seqno (msg_keys of user and group messages
// are not one sequence).
func wtID(me uint64, m client.Message) string {
	return fmt.Sprintf("%s#%d", m.Talker(me), m.MsgSeqno)
}

// truth returns every message of the given conversations not in old and not mine.
func (w *wtWorld) truth(t *testing.T, talkers []client.Talker, old map[string]bool) []client.Message {
	t.Helper()
	var out []client.Message
	for _, tk := range talkers {
		for _, m := range wtHistory(t, w.cMe, tk) {
			if !old[wtID(w.me.Mid, m)] && m.SenderUID != w.me.Mid {
				out = append(out, m)
			}
		}
	}
	return out
}

func wtKeys(t *testing.T, c *client.Client, talkers []client.Talker) map[string]bool {
	t.Helper()
	old := map[string]bool{}
	for _, tk := range talkers {
		for _, m := range wtHistory(t, c, tk) {
			old[wtID(c.Mid(), m)] = true
		}
	}
	return old
}

// wtSameSet fails unless got holds exactly want's messages, each once.
func wtSameSet(t *testing.T, me uint64, got, want []client.Message) {
	t.Helper()
	count := map[string]int{}
	for _, m := range got {
		count[wtID(me, m)]++
	}
	wantKeys := map[string]bool{}
	for _, m := range want {
		wantKeys[wtID(me, m)] = true
		switch n := count[wtID(me, m)]; n {
		case 1:
		case 0:
			t.Errorf("lost: %s #%d", wtLabel(me, m), m.MsgSeqno)
		default:
			t.Errorf("delivered %d times: %s #%d", n, wtLabel(me, m), m.MsgSeqno)
		}
	}
	for _, m := range got {
		if !wantKeys[wtID(me, m)] {
			t.Errorf("delivered but not expected: %s #%d", wtLabel(me, m), m.MsgSeqno)
		}
	}
	if len(got) != len(want) {
		t.Errorf("delivered %d messages, want %d", len(got), len(want))
	}
}

// TestWatchManyPolls: many rounds of messages in user and fan-group conversations
// (including the group's own join and leave notices), polled between rounds, with the
// clock standing still (every message in the same second) or moving (sometimes by more
// than the overlap): each message is delivered exactly once, in order.
func TestWatchManyPolls(t *testing.T) {
	for _, mode := range []string{"still-clock", "moving-clock"} {
		t.Run(mode, func(t *testing.T) {
			w := newWTWorld(t, 3)
			s, me := w.s, w.me
			a, b, c := w.talkers[0], w.talkers[1], w.talkers[2]
			s.Follow(a.Mid, me.Mid, true) // I may write to alice freely
			s.SendText(a, me.Mid, "a-old")
			s.SendText(b, me.Mid, "b-old")
			s.SendGroupText(w.owner, w.gid, "g-old")
			convs := []client.Talker{client.User(a.Mid), client.User(b.Mid), client.User(c.Mid), client.Group(w.gid)}
			old := wtKeys(t, w.cMe, convs)

			rec := &wtRec{me: me.Mid}
			saves := 0
			var lastSaved client.Cursor
			wt := w.cMe.Watch(client.WatchOptions{Save: func(c client.Cursor) error {
				saves++
				lastSaved = c
				return nil
			}})
			wtPoll(t, wt, rec.handle)
			if rec.n() != 0 {
				t.Fatalf("first poll delivered %q", wtLabels(me.Mid, rec.take()))
			}

			joins, leaves := 0, 0
			advances := []time.Duration{0, time.Second, 0, 3 * time.Second, 7 * time.Second, 0, 0, 2 * time.Second}
			for i := range 30 {
				for j := range i % 3 {
					s.SendText(a, me.Mid, fmt.Sprintf("a-%d-%d", i, j))
				}
				if i%2 == 1 {
					s.SendText(b, me.Mid, fmt.Sprintf("b-%d", i))
				}
				if i%4 == 0 {
					s.SendGroupText(w.owner, w.gid, fmt.Sprintf("g-owner-%d-0", i))
					s.SendGroupText(w.owner, w.gid, fmt.Sprintf("g-owner-%d-1", i))
				}
				if i%3 == 1 {
					s.SendGroupText(w.member, w.gid, fmt.Sprintf("g-member-%d", i))
				}
				if i%5 == 2 {
					nu := s.NewUser(0, fmt.Sprintf("joiner%d", i))
					s.Join(w.gid, nu.Mid)
					joins++
					if i%10 == 2 {
						if err := s.Operator().Leave(context.Background(), w.gid, nu.Mid, i%20 == 2); err != nil {
							t.Fatal(err)
						}
						leaves++
					}
				}
				if i%4 == 3 {
					wtSend(t, w.cMe, client.User(a.Mid), fmt.Sprintf("me-%d", i))
					s.SendGroupText(me, w.gid, fmt.Sprintf("g-me-%d", i))
				}
				if i%7 == 6 {
					s.SendText(c, me.Mid, fmt.Sprintf("c-%d", i))
				}
				if mode == "moving-clock" {
					s.Advance(advances[i%len(advances)])
				}
				wtPoll(t, wt, rec.handle)
				if i%3 == 0 { // a second poll in the same round finds nothing new
					n := rec.n()
					wtPoll(t, wt, rec.handle)
					if rec.n() != n {
						t.Fatalf("round %d: a poll with nothing new delivered %d messages", i, rec.n()-n)
					}
				}
			}

			got := rec.all()
			want := w.truth(t, convs, old)
			wtSameSet(t, me.Mid, got, want)
			wtCheckOnceInOrder(t, me.Mid, got)
			sys := map[int]int{}
			for _, m := range got {
				if m.MsgType >= client.MsgGroupSystem {
					sys[m.MsgType]++
					if m.SenderUID != 0 {
						t.Errorf("group system message from %d", m.SenderUID)
					}
				}
				if m.SenderUID == me.Mid {
					t.Errorf("my own message delivered: %s", wtLabel(me.Mid, m))
				}
			}
			if sys[306] != joins || sys[302] != leaves {
				t.Errorf("group system messages delivered: %v, want %d joins (306) and %d leaves (302)", sys, joins, leaves)
			}
			if len(got) < 80 {
				t.Errorf("only %d messages: the scenario is weaker than meant", len(got))
			}
			if saves < len(got) {
				t.Errorf("Save called %d times for %d delivered messages", saves, len(got))
			}
			if cur := wt.Cursor(); cur.SessionTs != lastSaved.SessionTs || !maps.Equal(cur.Seqnos, lastSaved.Seqnos) {
				t.Errorf("last saved cursor %+v differs from Cursor() %+v", lastSaved, cur)
			}
		})
	}
}

// TestWatchRestart: a cursor saved as JSON resumes exactly where the watcher stopped: the
// messages sent while it was down are delivered once, nothing before them again.
func TestWatchRestart(t *testing.T) {
	w := newWTWorld(t, 2)
	s, me := w.s, w.me
	a, b := w.talkers[0], w.talkers[1]
	s.SendText(a, me.Mid, "a-old")

	var saved []byte
	save := func(c client.Cursor) error {
		var err error
		saved, err = json.Marshal(c)
		return err
	}
	rec := &wtRec{me: me.Mid}
	w1 := w.cMe.Watch(client.WatchOptions{Save: save})
	wtPoll(t, w1, rec.handle)
	s.SendText(a, me.Mid, "a-1")
	s.SendGroupText(w.owner, w.gid, "g-1")
	wtPoll(t, w1, rec.handle)
	ua, ub, ug := client.User(a.Mid).String(), client.User(b.Mid).String(), client.Group(w.gid).String()
	if l := wtLabels(me.Mid, rec.take()); !slices.Equal(l, []string{ua + "|a-1", ug + "|g-1"}) {
		t.Fatalf("before the restart: delivered %q", l)
	}

	// The JSON holds the documented fields.
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(saved, &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"session_ts", "since", "seqnos"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("saved cursor %s has no %q", saved, k)
		}
	}

	// Down: more messages arrive, in known and new conversations, over time.
	s.SendText(a, me.Mid, "a-2")
	s.Advance(3 * time.Second)
	s.SendText(b, me.Mid, "b-1") // a talker first met while down
	s.SendGroupText(w.member, w.gid, "g-2")
	s.Advance(10 * time.Second)
	s.SendText(a, me.Mid, "a-3")

	var cur client.Cursor
	if err := json.Unmarshal(saved, &cur); err != nil {
		t.Fatal(err)
	}
	if cur.Seqnos[ua] == 0 || cur.Seqnos[ug] == 0 || cur.SessionTs == 0 {
		t.Fatalf("saved cursor %s lacks a position", saved)
	}
	w2 := w.cMe.Watch(client.WatchOptions{Cursor: &cur, Save: save})
	wtPoll(t, w2, rec.handle)
	got := rec.take()
	want := []string{ug + "|g-2", ub + "|b-1", ua + "|a-2", ua + "|a-3"} // conversations in the order they changed
	if l := wtLabels(me.Mid, got); !slices.Equal(slices.Sorted(slices.Values(l)), slices.Sorted(slices.Values(want))) {
		t.Fatalf("after the restart: delivered %q, want %q (any conversation order)", l, want)
	}
	wtCheckOnceInOrder(t, me.Mid, got)
	if l := wtLabels(me.Mid, got); !slices.Equal(l, []string{ub + "|b-1", ug + "|g-2", ua + "|a-2", ua + "|a-3"}) {
		t.Errorf("conversation order %q: want them in the order they changed (bob, group, alice)", l)
	}
	wtPoll(t, w2, rec.handle)
	if got := rec.take(); len(got) != 0 {
		t.Fatalf("second poll after the restart delivered %q", wtLabels(me.Mid, got))
	}

	// Resuming once more from the latest saved cursor delivers nothing.
	var again client.Cursor
	if err := json.Unmarshal(saved, &again); err != nil {
		t.Fatal(err)
	}
	w3 := w.cMe.Watch(client.WatchOptions{Cursor: &again})
	wtPoll(t, w3, rec.handle)
	if got := rec.take(); len(got) != 0 {
		t.Fatalf("resuming from the latest cursor delivered %q", wtLabels(me.Mid, got))
	}
}

// TestWatchHandlerFailure: a handler's error stops the poll; the failed message and those
// after it come again, the earlier ones do not — on the same watcher and on one resumed
// from the saved cursor.
func TestWatchHandlerFailure(t *testing.T) {
	for _, resume := range []bool{false, true} {
		t.Run(fmt.Sprintf("resume=%v", resume), func(t *testing.T) {
			w := newWTWorld(t, 2)
			s, me := w.s, w.me
			a, b := w.talkers[0], w.talkers[1]
			var saved client.Cursor
			save := func(c client.Cursor) error { saved = c; return nil }
			rec := &wtRec{me: me.Mid}
			boom := errors.New("boom")
			failOn := "a-3"
			var attempts []string
			h := func(ctx context.Context, m client.Message) error {
				text, _ := m.Text()
				attempts = append(attempts, text)
				if text == failOn {
					return boom
				}
				return rec.handle(ctx, m)
			}
			wt := w.cMe.Watch(client.WatchOptions{Save: save})
			wtPoll(t, wt, h)
			for i := 1; i <= 5; i++ {
				s.SendText(a, me.Mid, fmt.Sprintf("a-%d", i))
			}
			s.SendText(b, me.Mid, "b-1")
			s.SendText(b, me.Mid, "b-2")
			if err := wt.Poll(context.Background(), h); !errors.Is(err, boom) {
				t.Fatalf("Poll with a failing handler: %v, want boom", err)
			}
			if !slices.Equal(attempts, []string{"a-1", "a-2", "a-3"}) {
				t.Fatalf("handler saw %q before failing, want a-1 a-2 a-3", attempts)
			}
			hist := wtHistory(t, w.cMe, client.User(a.Mid))
			ua := client.User(a.Mid).String()
			if saved.Seqnos[ua] != hist[1].MsgSeqno {
				t.Errorf("saved seqno for alice %d, want a-2's %d", saved.Seqnos[ua], hist[1].MsgSeqno)
			}
			if wt.Cursor().Seqnos[ua] != hist[1].MsgSeqno {
				t.Errorf("Cursor() seqno for alice %d, want a-2's %d", wt.Cursor().Seqnos[ua], hist[1].MsgSeqno)
			}

			failOn = ""
			attempts = nil
			next := wt
			if resume {
				cp := saved
				next = w.cMe.Watch(client.WatchOptions{Cursor: &cp, Save: save})
			}
			s.SendText(a, me.Mid, "a-6")
			wtPoll(t, next, h)
			if want := []string{"a-3", "a-4", "a-5", "a-6", "b-1", "b-2"}; !slices.Equal(slices.Sorted(slices.Values(attempts)), want) {
				t.Fatalf("after the failure the handler saw %q, want %q", attempts, want)
			}
			got := rec.all()
			wtCheckOnceInOrder(t, me.Mid, got)
			if len(got) != 8 {
				t.Errorf("delivered %d in all, want 8: %q", len(got), wtLabels(me.Mid, got))
			}
			wtPoll(t, next, h)
			if len(attempts) != 6 {
				t.Errorf("a further poll handled %q", attempts[6:])
			}
		})
	}
}

// TestWatchSaveError: an error from Save stops the poll and is returned.
func TestWatchSaveError(t *testing.T) {
	w := newWTWorld(t, 1)
	disk := errors.New("disk full")
	fail := false
	rec := &wtRec{me: w.me.Mid}
	wt := w.cMe.Watch(client.WatchOptions{Save: func(client.Cursor) error {
		if fail {
			return disk
		}
		return nil
	}})
	wtPoll(t, wt, rec.handle)
	w.s.SendText(w.talkers[0], w.me.Mid, "x-1")
	w.s.SendText(w.talkers[0], w.me.Mid, "x-2")
	fail = true
	if err := wt.Poll(context.Background(), rec.handle); !errors.Is(err, disk) {
		t.Fatalf("Poll with a failing Save: %v, want disk full", err)
	}
	if got := wtLabels(w.me.Mid, rec.take()); len(got) != 1 {
		t.Fatalf("the poll went on after Save failed: delivered %q", got)
	}
	fail = false
	wtPoll(t, wt, rec.handle)
	if got := wtLabels(w.me.Mid, rec.take()); len(got) != 1 || !strings.HasSuffix(got[0], "|x-2") {
		t.Fatalf("next poll delivered %q, want x-2 only", got)
	}
}

// TestWatchConcurrentSenders: 8 senders write 50 messages each while Run polls; once they
// are done, every message has been delivered exactly once, in each sender's order.
func TestWatchConcurrentSenders(t *testing.T) {
	const senders, per = 8, 50
	w := newWTWorld(t, senders)
	me := w.me
	clients := make([]*client.Client, senders)
	byMid := map[uint64]int{}
	for i, u := range w.talkers {
		clients[i] = w.s.Client(u)
		byMid[u.Mid] = i
	}
	rec := &wtRec{me: me.Mid}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sendsDone := make(chan struct{})
	polls, extra := 0, 0
	wt := w.cMe.Watch(client.WatchOptions{Wait: func(ctx context.Context, d time.Duration) error {
		polls++
		select {
		case <-sendsDone:
			extra++
			if rec.n() >= senders*per || extra > 50 {
				cancel()
			}
		default:
		}
		return ctx.Err()
	}})
	wtPoll(t, wt, rec.handle) // the start, before anyone sends

	runErr := make(chan error, 1)
	go func() { runErr <- wt.Run(ctx, rec.handle) }()

	var wg sync.WaitGroup
	errs := make(chan error, senders)
	for i := range senders {
		wg.Go(func() {
			for j := range per {
				if _, err := clients[i].SendText(ctx, client.User(me.Mid), fmt.Sprintf("s%d-%03d", i, j)); err != nil {
					errs <- fmt.Errorf("sender %d message %d: %w", i, j, err)
					return
				}
				// Read the cursor from this goroutine while Run moves it.
				if cur := wt.Cursor(); cur.Seqnos == nil {
					errs <- errors.New("Cursor() has nil Seqnos")
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	during := rec.n()
	close(sendsDone)
	if err := <-runErr; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run: %v, want context.Canceled", err)
	}
	// Run may have been cancelled mid-poll; a few more polls finish the job.
	for i := 0; i < 5 && rec.n() < senders*per; i++ {
		wtPoll(t, wt, rec.handle)
	}

	got := rec.all()
	if len(got) != senders*per {
		t.Errorf("delivered %d messages, want %d (after %d polls)", len(got), senders*per, polls)
	}
	wtCheckOnceInOrder(t, me.Mid, got)
	next := make([]int, senders)
	lastSeq := make([]uint64, senders)
	seen := map[string]bool{}
	for _, m := range got {
		i, ok := byMid[m.SenderUID]
		if !ok {
			t.Fatalf("message from unexpected sender %d", m.SenderUID)
		}
		text, _ := m.Text()
		if seen[text] {
			t.Errorf("%q delivered twice", text)
		}
		seen[text] = true
		if want := fmt.Sprintf("s%d-%03d", i, next[i]); text != want {
			t.Errorf("sender %d: got %q, want %q next", i, text, want)
		}
		next[i]++
		if m.MsgSeqno <= lastSeq[i] {
			t.Errorf("sender %d: seqno %d after %d", i, m.MsgSeqno, lastSeq[i])
		}
		lastSeq[i] = m.MsgSeqno
	}
	for i, n := range next {
		if n != per {
			t.Errorf("sender %d: %d of %d delivered", i, n, per)
		}
	}
	t.Logf("%d polls; %d messages delivered while the senders were still sending", polls, during)
}

// wtCountRT records the requests a client makes.
type wtCountRT struct {
	base http.RoundTripper
	mu   sync.Mutex
	reqs []string
}

func (rt *wtCountRT) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.mu.Lock()
	rt.reqs = append(rt.reqs, r.URL.Path+"?"+r.URL.RawQuery)
	rt.mu.Unlock()
	return rt.base.RoundTrip(r)
}

func (rt *wtCountRT) take() []string {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	out := rt.reqs
	rt.reqs = nil
	return out
}

// TestWatchNewTalker: a conversation first met after the start is delivered from its
// first message on, also when it is long.
func TestWatchNewTalker(t *testing.T) {
	w := newWTWorld(t, 1)
	s, me := w.s, w.me
	rec := &wtRec{me: me.Mid}
	wt := w.cMe.Watch(client.WatchOptions{})
	wtPoll(t, wt, rec.handle)

	n := s.NewUser(0, "newcomer")
	s.SendText(n, me.Mid, "n-1") // a stranger's one message
	wtPoll(t, wt, rec.handle)
	un := client.User(n.Mid).String()
	if l := wtLabels(me.Mid, rec.take()); !slices.Equal(l, []string{un + "|n-1"}) {
		t.Fatalf("new talker: delivered %q", l)
	}
	s.Follow(me.Mid, n.Mid, true)
	s.SendText(n, me.Mid, "n-2")
	wtPoll(t, wt, rec.handle)
	if l := wtLabels(me.Mid, rec.take()); !slices.Equal(l, []string{un + "|n-2"}) {
		t.Fatalf("new talker's second message: delivered %q", l)
	}

	// A new talker with more than one page of history (200), and a known one with more
	// than one window of new messages, between two polls.
	long := s.NewUser(0, "chatty")
	s.Follow(me.Mid, long.Mid, true)
	s.Advance(time.Second)
	var want []string
	ul, ua := client.User(long.Mid).String(), client.User(w.talkers[0].Mid).String()
	for i := range 230 {
		s.SendText(long, me.Mid, fmt.Sprintf("l-%03d", i))
		want = append(want, ul+"|"+fmt.Sprintf("l-%03d", i))
	}
	for i := range 210 {
		s.SendText(w.talkers[0], me.Mid, fmt.Sprintf("a-%03d", i))
		want = append(want, ua+"|"+fmt.Sprintf("a-%03d", i))
	}
	wtPoll(t, wt, rec.handle)
	got := rec.take()
	if l := wtLabels(me.Mid, got); !slices.Equal(l, want) {
		t.Fatalf("long conversations: delivered %d messages, want %d; first %q", len(l), len(want), l[:min(3, len(l))])
	}
	wtCheckOnceInOrder(t, me.Mid, got)
}

// TestWatchManyChanged: more than 100 conversations changed in one round — more than one
// new_sessions answer holds — are all delivered, through get_sessions' paging.
func TestWatchManyChanged(t *testing.T) {
	const known, fresh = 60, 70
	s := testkit.Start(t, testkit.Options{})
	me := s.NewUser(0, "watcher")
	rt := &wtCountRT{base: s.HTTP.Client().Transport}
	cMe := s.Client(me, client.WithHTTPClient(&http.Client{Transport: rt}))
	var users []testkit.User
	for i := range known + fresh {
		u := s.NewUser(0, fmt.Sprintf("u%d", i))
		users = append(users, u)
		if i < known {
			s.Follow(me.Mid, u.Mid, true)
			s.SendText(u, me.Mid, fmt.Sprintf("old-%d", i))
		}
	}
	rec := &wtRec{me: me.Mid}
	wt := cMe.Watch(client.WatchOptions{})
	wtPoll(t, wt, rec.handle)
	if got := len(wt.Cursor().Seqnos); got != known {
		t.Fatalf("the start recorded %d conversations, want %d", got, known)
	}
	rt.take()
	want := map[string]bool{}
	for i, u := range users {
		text := fmt.Sprintf("new-%d", i)
		s.SendText(u, me.Mid, text)
		want[client.User(u.Mid).String()+"|"+text] = true
	}
	wtPoll(t, wt, rec.handle)
	paged := 0
	for _, r := range rt.take() {
		if strings.Contains(r, "/get_sessions?") && strings.Contains(r, "begin_ts=") {
			paged++
		}
	}
	if paged < 2 {
		t.Errorf("get_sessions with begin_ts was called %d times: the has_more path was not taken through two pages", paged)
	}
	got := rec.take()
	if len(got) != len(want) {
		t.Errorf("delivered %d, want %d", len(got), len(want))
	}
	for _, l := range wtLabels(me.Mid, got) {
		if !want[l] {
			t.Errorf("unexpected or repeated delivery %q", l)
		}
		delete(want, l)
	}
	for l := range want {
		t.Errorf("lost %q", l)
	}
	wtPoll(t, wt, rec.handle)
	if got := rec.take(); len(got) != 0 {
		t.Errorf("the next poll delivered %d more", len(got))
	}
}

// TestWatchRemovedSession: a conversation removed from the list (RemoveSession) that gets a
// new message delivers only the new one.
func TestWatchRemovedSession(t *testing.T) {
	ctx := context.Background()
	t.Run("removed-after-start", func(t *testing.T) {
		w := newWTWorld(t, 1)
		s, me, r := w.s, w.me, w.talkers[0]
		s.SendText(r, me.Mid, "r-old")
		rec := &wtRec{me: me.Mid}
		wt := w.cMe.Watch(client.WatchOptions{})
		wtPoll(t, wt, rec.handle)
		s.SendText(r, me.Mid, "r-1")
		if err := w.cMe.RemoveSession(ctx, client.User(r.Mid)); err != nil {
			t.Fatal(err)
		}
		if err := w.cMe.RemoveSession(ctx, client.Group(w.gid)); err != nil {
			t.Fatal(err)
		}
		s.SendText(r, me.Mid, "r-2")
		s.SendGroupText(w.owner, w.gid, "g-1")
		wtPoll(t, wt, rec.handle)
		ur, ug := client.User(r.Mid).String(), client.Group(w.gid).String()
		if l := wtLabels(me.Mid, rec.take()); !slices.Equal(l, []string{ur + "|r-1", ur + "|r-2", ug + "|g-1"}) {
			t.Fatalf("delivered %q", l)
		}
	})
	// Removed before the start (so not listed then), with a newer conversation listed.
	t.Run("removed-before-start", func(t *testing.T) {
		w := newWTWorld(t, 2)
		s, me, r, a := w.s, w.me, w.talkers[0], w.talkers[1]
		s.SendText(r, me.Mid, "r-old")
		s.SendGroupText(w.owner, w.gid, "g-old")
		if err := w.cMe.RemoveSession(ctx, client.User(r.Mid)); err != nil {
			t.Fatal(err)
		}
		if err := w.cMe.RemoveSession(ctx, client.Group(w.gid)); err != nil {
			t.Fatal(err)
		}
		s.Advance(10 * time.Second)
		s.SendText(a, me.Mid, "a-old")
		s.Advance(10 * time.Second)
		rec := &wtRec{me: me.Mid}
		wt := w.cMe.Watch(client.WatchOptions{})
		wtPoll(t, wt, rec.handle)
		if _, ok := wt.Cursor().Seqnos[client.User(r.Mid).String()]; ok {
			t.Fatalf("the removed session was listed at the start: the test does not test what it names")
		}
		s.SendText(r, me.Mid, "r-new")
		s.SendGroupText(w.owner, w.gid, "g-new")
		wtPoll(t, wt, rec.handle)
		ur, ug := client.User(r.Mid).String(), client.Group(w.gid).String()
		if l := wtLabels(me.Mid, rec.take()); !slices.Equal(l, []string{ur + "|r-new", ug + "|g-new"}) {
			t.Fatalf("delivered %q, want r-new and g-new only", l)
		}
	})
	// Removed before the start, and the newest of all conversations then: Cursor.Since
	// ("when watching began") must still be after its old messages.
	t.Run("removed-newest-before-start", func(t *testing.T) {
		w := newWTWorld(t, 2)
		s, me, r, a := w.s, w.me, w.talkers[0], w.talkers[1]
		s.SendText(a, me.Mid, "a-old")
		s.Advance(10 * time.Second)
		s.SendText(r, me.Mid, "r-old") // at start−10 s, newer than every listed conversation
		if err := w.cMe.RemoveSession(ctx, client.User(r.Mid)); err != nil {
			t.Fatal(err)
		}
		s.Advance(10 * time.Second)
		rec := &wtRec{me: me.Mid}
		wt := w.cMe.Watch(client.WatchOptions{})
		wtPoll(t, wt, rec.handle)
		s.SendText(r, me.Mid, "r-new")
		wtPoll(t, wt, rec.handle)
		ur := client.User(r.Mid).String()
		if l := wtLabels(me.Mid, rec.take()); !slices.Equal(l, []string{ur + "|r-new"}) {
			t.Errorf("delivered %q, want only r-new: r-old was sent 10 s before the watcher started "+
				"(Cursor.Since = %d)", l, wt.Cursor().Since)
		}
	})
}

// TestWatchCursorCopy: Cursor returns a copy, and Watch copies the cursor it is given.
func TestWatchCursorCopy(t *testing.T) {
	w := newWTWorld(t, 1)
	s, me := w.s, w.me
	s.SendText(w.talkers[0], me.Mid, "old")
	rec := &wtRec{me: me.Mid}
	wt := w.cMe.Watch(client.WatchOptions{})
	wtPoll(t, wt, rec.handle)
	before := wt.Cursor()
	ua := client.User(w.talkers[0].Mid).String()
	if before.Seqnos[ua] == 0 || before.SessionTs == 0 || before.Since == 0 {
		t.Fatalf("cursor after the start: %+v", before)
	}
	c := wt.Cursor()
	c.Seqnos[ua] = 1 << 40
	c.Seqnos["user:1"] = 5
	c.SessionTs = 1
	if again := wt.Cursor(); !maps.Equal(again.Seqnos, before.Seqnos) || again.SessionTs != before.SessionTs {
		t.Fatalf("mutating Cursor()'s copy changed the watcher: %+v, was %+v", again, before)
	}

	// The cursor handed to Watch is copied too.
	given := before
	given.Seqnos = maps.Clone(before.Seqnos)
	w2 := w.cMe.Watch(client.WatchOptions{Cursor: &given})
	clear(given.Seqnos)
	given.SessionTs = 0
	s.SendText(w.talkers[0], me.Mid, "new")
	wtPoll(t, w2, rec.handle)
	if l := wtLabels(me.Mid, rec.take()); !slices.Equal(l, []string{ua + "|new"}) {
		t.Fatalf("delivered %q, want only new", l)
	}

	// A cursor with no Seqnos (as an empty JSON object decodes) is usable.
	var empty client.Cursor
	if err := json.Unmarshal([]byte(`{"session_ts": 0, "since": 0}`), &empty); err != nil {
		t.Fatal(err)
	}
	w3 := w.cMe.Watch(client.WatchOptions{Cursor: &empty})
	if cur := w3.Cursor(); cur.Seqnos == nil {
		t.Errorf("Cursor() of a watcher resumed from a cursor without seqnos has nil Seqnos")
	}
}

// TestWatchRun: Run polls, waits through WatchOptions.Wait with the interval, stops with
// the context's error, and stops at once on a poll's error.
func TestWatchRun(t *testing.T) {
	t.Run("cancel", func(t *testing.T) {
		w := newWTWorld(t, 1)
		s, me, a := w.s, w.me, w.talkers[0]
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		rec := &wtRec{me: me.Mid}
		polls := 0
		var waits []time.Duration
		wt := w.cMe.Watch(client.WatchOptions{Interval: 7 * time.Second, Wait: func(ctx context.Context, d time.Duration) error {
			polls++
			waits = append(waits, d)
			switch polls {
			case 1, 2:
				s.SendText(a, me.Mid, fmt.Sprintf("m-%d", polls)) // Run's goroutine is the test's
			case 4:
				cancel()
			}
			return ctx.Err()
		}})
		err := wt.Run(ctx, rec.handle)
		if err != context.Canceled {
			t.Fatalf("Run: %v, want context.Canceled", err)
		}
		if polls != 4 {
			t.Errorf("Run waited %d times, want 4", polls)
		}
		for _, d := range waits {
			if d != 7*time.Second {
				t.Errorf("Wait got %v, want the interval 7s", d)
			}
		}
		ua := client.User(a.Mid).String()
		if l := wtLabels(me.Mid, rec.take()); !slices.Equal(l, []string{ua + "|m-1", ua + "|m-2"}) {
			t.Errorf("delivered %q", l)
		}
	})
	t.Run("default-interval", func(t *testing.T) {
		w := newWTWorld(t, 1)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var got time.Duration
		wt := w.cMe.Watch(client.WatchOptions{Wait: func(ctx context.Context, d time.Duration) error {
			got = d
			cancel()
			return ctx.Err()
		}})
		if err := wt.Run(ctx, (&wtRec{}).handle); !errors.Is(err, context.Canceled) {
			t.Fatalf("Run: %v", err)
		}
		if got != 2*time.Second {
			t.Errorf("default interval %v, want 2s", got)
		}
	})
	t.Run("handler-error", func(t *testing.T) {
		w := newWTWorld(t, 1)
		boom := errors.New("boom")
		polls := 0
		wt := w.cMe.Watch(client.WatchOptions{Wait: func(ctx context.Context, d time.Duration) error {
			polls++
			if polls == 1 {
				w.s.SendText(w.talkers[0], w.me.Mid, "x")
			}
			if polls > 5 {
				return errors.New("Run did not stop on the handler's error")
			}
			return nil
		}})
		err := wt.Run(context.Background(), func(context.Context, client.Message) error { return boom })
		if !errors.Is(err, boom) {
			t.Fatalf("Run: %v, want boom", err)
		}
		if polls != 1 {
			t.Errorf("Run waited %d times, want 1 (it stops at the failing poll)", polls)
		}
	})
	t.Run("real-wait", func(t *testing.T) {
		// The default Wait (a timer) ends when the context does.
		w := newWTWorld(t, 1)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		started := make(chan struct{}, 1)
		wt := w.cMe.Watch(client.WatchOptions{Interval: time.Hour, Save: func(client.Cursor) error {
			select {
			case started <- struct{}{}:
			default:
			}
			return nil
		}})
		done := make(chan error, 1)
		go func() { done <- wt.Run(ctx, (&wtRec{}).handle) }()
		<-started
		cancel()
		select {
		case err := <-done:
			if err != context.Canceled {
				t.Fatalf("Run: %v, want context.Canceled", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not return after the context was cancelled")
		}
	})
	t.Run("already-cancelled", func(t *testing.T) {
		w := newWTWorld(t, 1)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		wt := w.cMe.Watch(client.WatchOptions{Wait: func(ctx context.Context, d time.Duration) error { return ctx.Err() }})
		if err := wt.Run(ctx, (&wtRec{}).handle); !errors.Is(err, context.Canceled) {
			t.Fatalf("Run with a cancelled context: %v, want context.Canceled", err)
		}
	})
}

// TestWatchDissolvedGroup: a fan group dissolved while watched can no longer be read
// (700013); the watcher moves past it and goes on delivering the other conversations.
func TestWatchDissolvedGroup(t *testing.T) {
	w := newWTWorld(t, 1)
	s, me, a := w.s, w.me, w.talkers[0]
	rec := &wtRec{me: me.Mid}
	wt := w.cMe.Watch(client.WatchOptions{})
	wtPoll(t, wt, rec.handle)
	s.SendText(a, me.Mid, "a-1")
	s.SendGroupText(w.owner, w.gid, "g-lost") // never read: the group is gone before the next poll
	g, err := s.Operator().SetGroupState(context.Background(), w.gid, "dissolve")
	if err != nil {
		t.Fatal(err)
	}
	s.SendText(a, me.Mid, "a-2")
	for i := range 3 {
		if err := wt.Poll(context.Background(), rec.handle); err != nil {
			t.Fatalf("poll %d after the group was dissolved: %v", i, err)
		}
	}
	ua := client.User(a.Mid).String()
	if l := wtLabels(me.Mid, rec.take()); !slices.Equal(l, []string{ua + "|a-1", ua + "|a-2"}) {
		t.Errorf("after the group was dissolved: delivered %q, want a-1, a-2", l)
	}
	if got := wt.Cursor().Seqnos[client.Group(w.gid).String()]; got != g.MaxSeqno {
		t.Errorf("cursor for the dissolved group: %d, want its last seqno %d", got, g.MaxSeqno)
	}
	s.SendText(a, me.Mid, "a-3")
	wtPoll(t, wt, rec.handle)
	if l := wtLabels(me.Mid, rec.take()); !slices.Equal(l, []string{ua + "|a-3"}) {
		t.Errorf("later: delivered %q, want a-3", l)
	}
}

// TestWatchLeftMidPoll: a group listed as changed but left before the poll reads it
// (700014) is moved past; the poll does not fail.
func TestWatchLeftMidPoll(t *testing.T) {
	w := newWTWorld(t, 1)
	s, me, a := w.s, w.me, w.talkers[0]
	rec := &wtRec{me: me.Mid}
	wt := w.cMe.Watch(client.WatchOptions{})
	wtPoll(t, wt, rec.handle)
	s.SendText(a, me.Mid, "a-1")           // alice's conversation changes first,
	s.SendGroupText(w.owner, w.gid, "g-1") // then the group's: it is read second
	left := false
	h := func(ctx context.Context, m client.Message) error {
		if !left {
			left = true
			if err := s.Operator().Leave(ctx, w.gid, me.Mid, true); err != nil {
				t.Fatal(err)
			}
		}
		return rec.handle(ctx, m)
	}
	if err := wt.Poll(context.Background(), h); err != nil {
		t.Fatalf("Poll: %v", err)
	}
	ua := client.User(a.Mid).String()
	if l := wtLabels(me.Mid, rec.take()); !slices.Equal(l, []string{ua + "|a-1"}) {
		t.Fatalf("delivered %q, want a-1 only", l)
	}
	s.SendText(a, me.Mid, "a-2")
	wtPoll(t, wt, rec.handle)
	if l := wtLabels(me.Mid, rec.take()); !slices.Equal(l, []string{ua + "|a-2"}) {
		t.Fatalf("next poll delivered %q, want a-2", l)
	}
}

// TestWatchSinceIsServerTime: a fresh start takes Since from the server's clock (its
// Date header), not from the newest session, also when there is no session at all.
func TestWatchSinceIsServerTime(t *testing.T) {
	s := testkit.Start(t, testkit.Options{})
	me := s.NewUser(0, "watcher")
	a := s.NewUser(0, "alice")
	c := s.Client(me)
	s.Advance(100 * time.Second)
	wt := c.Watch(client.WatchOptions{})
	rec := &wtRec{me: me.Mid}
	wtPoll(t, wt, rec.handle)
	if got, want := wt.Cursor().Since, testkit.Epoch.Unix()+100; got != want {
		t.Errorf("Since with no sessions = %d, want the server's time %d", got, want)
	}
	s.SendText(a, me.Mid, "hi")
	s.Advance(50 * time.Second)
	w2 := c.Watch(client.WatchOptions{})
	wtPoll(t, w2, rec.handle)
	if got, want := w2.Cursor().Since, testkit.Epoch.Unix()+150; got != want {
		t.Errorf("Since = %d, want the server's time %d", got, want)
	}
}

// TestWatchGroupRejoin: a member who leaves a fan group and joins it again is delivered
// the new welcome and what follows, not what was said while they were away.
func TestWatchGroupRejoin(t *testing.T) {
	w := newWTWorld(t, 0)
	s, me := w.s, w.me
	op := s.Operator()
	rec := &wtRec{me: me.Mid}
	wt := w.cMe.Watch(client.WatchOptions{})
	wtPoll(t, wt, rec.handle)
	s.SendGroupText(w.owner, w.gid, "g-1")
	wtPoll(t, wt, rec.handle)
	if err := op.Leave(context.Background(), w.gid, me.Mid, false); err != nil {
		t.Fatal(err)
	}
	s.SendGroupText(w.owner, w.gid, "g-away")
	wtPoll(t, wt, rec.handle)
	s.Join(w.gid, me.Mid)
	s.SendGroupText(w.member, w.gid, "g-2")
	wtPoll(t, wt, rec.handle)
	ug := client.Group(w.gid).String()
	want := []string{ug + "|g-1", ug + "|欢迎watcher入群", ug + "|g-2"}
	if l := wtLabels(me.Mid, rec.take()); !slices.Equal(l, want) {
		t.Fatalf("delivered %q, want %q", l, want)
	}
}

// wtClock is an injectable real-time clock for WatchOptions.Now.
type wtClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *wtClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *wtClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// wtBegins returns the begin_ts of the new_sessions requests in reqs.
func wtBegins(t *testing.T, reqs []string) []int64 {
	t.Helper()
	var out []int64
	for _, r := range reqs {
		path, query, _ := strings.Cut(r, "?")
		if !strings.HasSuffix(path, "/new_sessions") {
			continue
		}
		q, err := url.ParseQuery(query)
		if err != nil {
			t.Fatal(err)
		}
		n, err := strconv.ParseInt(q.Get("begin_ts"), 10, 64)
		if err != nil {
			t.Fatalf("new_sessions begin_ts %q: %v", q.Get("begin_ts"), err)
		}
		out = append(out, n)
	}
	return out
}

// TestWatchOverlapSettles: polls re-read Overlap before the newest session time until it
// has stood still for Overlap of real time (WatchOptions.Now); then they ask only from
// the newest time; a new message starts the overlap again.
func TestWatchOverlapSettles(t *testing.T) {
	for _, overlap := range []time.Duration{0, 2 * time.Second, -1} {
		t.Run(fmt.Sprint(overlap), func(t *testing.T) {
			s := testkit.Start(t, testkit.Options{})
			me := s.NewUser(0, "watcher")
			a := s.NewUser(0, "alice")
			s.Follow(me.Mid, a.Mid, true)
			rt := &wtCountRT{base: s.HTTP.Client().Transport}
			c := s.Client(me, client.WithHTTPClient(&http.Client{Transport: rt}))
			s.SendText(a, me.Mid, "old")
			clock := &wtClock{t: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
			rec := &wtRec{me: me.Mid}
			wt := c.Watch(client.WatchOptions{Overlap: overlap, Now: clock.now})
			wtPoll(t, wt, rec.handle)
			eff := overlap
			switch {
			case overlap == 0:
				eff = 5 * time.Second // the default
			case overlap < 0:
				eff = 0
			}
			s0 := wt.Cursor().SessionTs
			rt.take()
			poll := func(after time.Duration) int64 {
				t.Helper()
				clock.add(after)
				wtPoll(t, wt, rec.handle)
				b := wtBegins(t, rt.take())
				if len(b) != 1 {
					t.Fatalf("a poll made %d new_sessions requests", len(b))
				}
				return b[0]
			}
			withOverlap := func(ts int64) int64 { return max(0, ts-1-eff.Microseconds()) }
			if got, want := poll(eff/2), withOverlap(s0); got != want {
				t.Errorf("poll soon after the start: begin_ts %d, want %d (newest − 1 − overlap)", got, want)
			}
			if got, want := poll(eff), withOverlap(s0); got != want {
				t.Errorf("poll past the overlap: begin_ts %d, want %d (it still re-reads once)", got, want)
			}
			if got, want := poll(time.Second), s0-1; got != want {
				t.Errorf("settled poll: begin_ts %d, want %d (newest − 1)", got, want)
			}
			s.SendText(a, me.Mid, "new")
			if got, want := poll(time.Second), s0-1; got != want {
				t.Errorf("settled poll with news: begin_ts %d, want %d", got, want)
			}
			if l := wtLabels(me.Mid, rec.take()); len(l) != 1 || !strings.HasSuffix(l[0], "|new") {
				t.Fatalf("delivered %q, want new", l)
			}
			s1 := wt.Cursor().SessionTs
			if s1 <= s0 {
				t.Fatalf("SessionTs did not move: %d → %d", s0, s1)
			}
			if got, want := poll(time.Second), withOverlap(s1); got != want && eff > 0 {
				t.Errorf("poll after a move: begin_ts %d, want %d (the overlap again)", got, want)
			}
		})
	}
}

// TestWatchSettledNoLoss: with the watcher settling as often as it can (its real-time
// clock jumps past Overlap at every reading), sequential and concurrent senders still
// lose nothing.
func TestWatchSettledNoLoss(t *testing.T) {
	const senders, per = 4, 40
	w := newWTWorld(t, senders)
	me := w.me
	clock := &wtClock{t: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	jump := func() time.Time { clock.add(time.Minute); return clock.now() }
	rec := &wtRec{me: me.Mid}
	wt := w.cMe.Watch(client.WatchOptions{Now: jump})
	wtPoll(t, wt, rec.handle)

	// Sequential: one message, then several idle polls, again and again.
	for i := range 10 {
		w.s.SendText(w.talkers[i%senders], me.Mid, fmt.Sprintf("seq-%d", i))
		if i%3 == 0 {
			w.s.SendGroupText(w.owner, w.gid, fmt.Sprintf("g-%d", i))
		}
		for range 3 {
			wtPoll(t, wt, rec.handle)
		}
	}
	if n := rec.n(); n != 14 {
		t.Fatalf("sequential: delivered %d, want 14: %q", n, wtLabels(me.Mid, rec.all()))
	}
	rec.take()

	// Concurrent senders while this goroutine polls.
	clients := make([]*client.Client, senders)
	for i, u := range w.talkers {
		clients[i] = w.s.Client(u)
	}
	var wg sync.WaitGroup
	errs := make(chan error, senders)
	for i := range senders {
		wg.Go(func() {
			for j := range per {
				if _, err := clients[i].SendText(context.Background(), client.User(me.Mid), fmt.Sprintf("c%d-%03d", i, j)); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	polls := 0
	for running := true; running; polls++ {
		select {
		case <-done:
			running = false
		default:
		}
		wtPoll(t, wt, rec.handle)
	}
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for i := 0; i < 3 && rec.n() < senders*per; i++ {
		wtPoll(t, wt, rec.handle)
	}
	got := rec.all()
	if len(got) != senders*per {
		t.Errorf("concurrent: delivered %d, want %d (%d polls)", len(got), senders*per, polls)
	}
	wtCheckOnceInOrder(t, me.Mid, got)
}

// wtHideRT hides one talker's session from new_sessions answers while hide is set, as if
// that talker's message, stamped earlier, were stored after a later-stamped one.
type wtHideRT struct {
	base http.RoundTripper
	mu   sync.Mutex
	hide uint64 // talker_id to leave out; 0: none
}

func (rt *wtHideRT) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := rt.base.RoundTrip(r)
	rt.mu.Lock()
	hide := rt.hide
	rt.mu.Unlock()
	if err != nil || hide == 0 || !strings.HasSuffix(r.URL.Path, "/new_sessions") {
		return resp, err
	}
	defer resp.Body.Close()
	var env map[string]any
	dec := json.NewDecoder(resp.Body)
	dec.UseNumber()
	if err := dec.Decode(&env); err != nil {
		return nil, err
	}
	if data, ok := env["data"].(map[string]any); ok {
		if list, ok := data["session_list"].([]any); ok {
			kept := []any{}
			for _, s := range list {
				if id, _ := s.(map[string]any)["talker_id"].(json.Number); id.String() != strconv.FormatUint(hide, 10) {
					kept = append(kept, s)
				}
			}
			data["session_list"] = kept
		}
	}
	b, err := json.Marshal(env)
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	resp.ContentLength = int64(len(b))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// TestWatchOverlapCatchesStraggler: a conversation whose change a poll did not see although
// a later change was seen (stored late) is read by the next poll, thanks to the overlap.
func TestWatchOverlapCatchesStraggler(t *testing.T) {
	s := testkit.Start(t, testkit.Options{})
	me := s.NewUser(0, "watcher")
	a := s.NewUser(0, "alice")
	b := s.NewUser(0, "bob")
	rt := &wtHideRT{base: s.HTTP.Client().Transport}
	c := s.Client(me, client.WithHTTPClient(&http.Client{Transport: rt}))
	clock := &wtClock{t: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	rec := &wtRec{me: me.Mid}
	wt := c.Watch(client.WatchOptions{Now: clock.now})
	wtPoll(t, wt, rec.handle)

	s.SendText(a, me.Mid, "a-1") // stamped first…
	s.Advance(2 * time.Second)
	s.SendText(b, me.Mid, "b-1") // …b-1 later, but the poll sees only b-1
	rt.mu.Lock()
	rt.hide = a.Mid
	rt.mu.Unlock()
	clock.add(time.Second)
	wtPoll(t, wt, rec.handle)
	ua, ub := client.User(a.Mid).String(), client.User(b.Mid).String()
	if l := wtLabels(me.Mid, rec.take()); !slices.Equal(l, []string{ub + "|b-1"}) {
		t.Fatalf("with alice hidden: delivered %q", l)
	}
	rt.mu.Lock()
	rt.hide = 0
	rt.mu.Unlock()
	clock.add(time.Second)
	wtPoll(t, wt, rec.handle)
	if l := wtLabels(me.Mid, rec.take()); !slices.Equal(l, []string{ua + "|a-1"}) {
		t.Fatalf("once alice's change is visible: delivered %q, want a-1", l)
	}
}
