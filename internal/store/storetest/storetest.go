// Package storetest is the conformance suite every store backend must pass.
//
// A backend's test calls Run with a function that opens its store over a directory. Each
// subtest opens its own store in a fresh directory; some close it and open the same
// directory again to check what survives a restart.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/internal/store"
)

// Run runs the suite. open must return a store over the data kept in dir (creating it
// when dir is empty) or fail the test; the suite closes what it opens.
func Run(t *testing.T, open func(t *testing.T, dir string) store.Store) {
	h := &harness{open: open}
	tests := []struct {
		name string
		fn   func(t *testing.T, h *harness)
	}{
		{"Users", testUsers},
		{"UsersList", testUsersList},
		{"Logins", testLogins},
		{"Relations", testRelations},
		{"SessionRoundTrip", testSessionRoundTrip},
		{"ListSessions", testListSessions},
		{"HasSessions", testHasSessions},
		{"Counters", testCounters},
		{"MessageRoundTrip", testMessageRoundTrip},
		{"MessageBigKeys", testMessageBigKeys},
		{"GetMessages", testGetMessages},
		{"ListMessages", testListMessages},
		{"SetMessageStatus", testSetMessageStatus},
		{"CountUnread", testCountUnread},
		{"Seqno", testSeqno},
		{"MsgKey", testMsgKey},
		{"SequencesConcurrent", testSequencesConcurrent},
		{"SequencesReopen", testSequencesReopen},
		{"SequencesReopenPast2to63", testSequencesReopenPast2to63},
		{"UpdateErrorRollsBack", testUpdateErrorRollsBack},
		{"UpdatePanic", testUpdatePanic},
		{"UpdateConcurrent", testUpdateConcurrent},
		{"UpdateConcurrentFailures", testUpdateConcurrentFailures},
		{"ViewReadOnly", testViewReadOnly},
		{"ViewSnapshot", testViewSnapshot},
		{"UpdateAfterClose", testUpdateAfterClose},
		{"CloseRace", testCloseRace},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, h) })
	}
}

// --- harness ---

type harness struct {
	open func(t *testing.T, dir string) store.Store
}

// db is one store over one directory, closed when the test ends.
type db struct {
	h      *harness
	dir    string
	st     store.Store
	closed bool
}

func (h *harness) new(t *testing.T) *db {
	t.Helper()
	d := &db{h: h, dir: t.TempDir()}
	d.st = h.open(t, d.dir)
	t.Cleanup(func() {
		if err := d.close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return d
}

func (d *db) close() error {
	if d.closed {
		return nil
	}
	d.closed = true
	return d.st.Close()
}

// reopen closes the store and opens the same directory again.
func (d *db) reopen(t *testing.T) {
	t.Helper()
	if err := d.close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	d.st = d.h.open(t, d.dir)
	d.closed = false
}

// update runs fn in a write transaction and fails the test on an error. fn must not call
// t.Fatal: it may run on another goroutine.
func (d *db) update(t *testing.T, fn func(tx store.Tx) error) {
	t.Helper()
	if err := d.st.Update(t.Context(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func (d *db) view(t *testing.T, fn func(tx store.Tx) error) {
	t.Helper()
	if err := d.st.View(t.Context(), fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// waitOrFail waits for done, failing the test if it takes longer than a generous bound:
// a hang is a failure, not a stuck test run.
func waitOrFail(t *testing.T, done <-chan struct{}, what string) {
	t.Helper()
	timer := time.NewTimer(30 * time.Second)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		t.Fatalf("%s: no answer after 30s", what)
	}
}

var errBoom = errors.New("storetest: boom")

// --- fixtures ---

const (
	seqBase = 1_000_000_000_000_000     // bilibili-sized seqnos, ~1e15
	keyBase = 7_500_000_000_000_000_000 // bilibili-sized msg_keys, above 2^62
	tsBase  = 1_717_315_200             // 2024-06-02, unix seconds
	bigMid  = 844424930131966           // a real-looking talker id
	over53  = 1<<60 + 12345             // needs all 64 bits
)

func user(mid uint64) store.User {
	return store.User{Mid: mid, Name: fmt.Sprintf("user-%d", mid), Face: "https://i0.hdslb.com/face.jpg",
		Fans: int64(mid % 1000), PasswordHash: "$argon2id$x", CreatedAt: tsBase + int64(mid%100)}
}

// message builds a text message from sender to the other party of {a, b}.
func message(n uint64, a, b, sender uint64) store.Message {
	recv := b
	if sender == b {
		recv = a
	}
	return store.Message{Key: keyBase + n*1000, Seqno: seqBase + n, Conv: store.ConvOf(a, b), SenderUID: sender,
		ReceiverType: 1, ReceiverID: recv, MsgType: 1, Content: fmt.Sprintf(`{"content":"m%d"}`, n),
		Timestamp: tsBase + int64(n), CountsUnread: true}
}

func seqnos(ms []store.Message) []uint64 {
	out := make([]uint64, len(ms))
	for i, m := range ms {
		out[i] = m.Seqno - seqBase
	}
	return out
}

func talkers(ss []store.Session) []uint64 {
	out := make([]uint64, len(ss))
	for i, s := range ss {
		out[i] = s.Talker
	}
	return out
}

func mids(us []store.User) []uint64 {
	out := make([]uint64, len(us))
	for i, u := range us {
		out[i] = u.Mid
	}
	return out
}

// --- users ---

func testUsers(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	d.view(t, func(tx store.Tx) error {
		m, err := tx.MaxMid(ctx)
		if err != nil || m != 0 {
			return fmt.Errorf("MaxMid on an empty store = %d, %v; want 0, nil", m, err)
		}
		return nil
	})
	a, b := user(7), user(over53)
	d.update(t, func(tx store.Tx) error {
		if err := tx.CreateUser(ctx, a); err != nil {
			return err
		}
		return tx.CreateUser(ctx, b)
	})

	// A duplicate mid conflicts and changes nothing.
	dup := user(7)
	dup.Name = "impostor"
	err := d.st.Update(ctx, func(tx store.Tx) error { return tx.CreateUser(ctx, dup) })
	if !errors.Is(err, store.ErrConflict) {
		t.Errorf("CreateUser with an existing mid: %v, want ErrConflict", err)
	}

	d.view(t, func(tx store.Tx) error {
		for _, want := range []store.User{a, b} {
			got, err := tx.GetUser(ctx, want.Mid)
			if err != nil || got != want {
				t.Errorf("GetUser(%d) = %+v, %v; want %+v", want.Mid, got, err, want)
			}
		}
		if _, err := tx.GetUser(ctx, 8); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetUser of a missing mid: err %v, want ErrNotFound", err)
		}
		if m, err := tx.MaxMid(ctx); err != nil || m != over53 {
			t.Errorf("MaxMid = %d, %v; want %d", m, err, uint64(over53))
		}
		return nil
	})

	// UpdateUser changes every mutable field; a missing mid is ErrNotFound and creates nothing.
	a2 := a
	a2.Name, a2.Face, a2.Fans, a2.PasswordHash = "renamed", "https://i1.hdslb.com/new.png", 123456, ""
	d.update(t, func(tx store.Tx) error { return tx.UpdateUser(ctx, a2) })
	err = d.st.Update(ctx, func(tx store.Tx) error { return tx.UpdateUser(ctx, user(9)) })
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateUser of a missing mid: %v, want ErrNotFound", err)
	}
	d.view(t, func(tx store.Tx) error {
		if got, err := tx.GetUser(ctx, 7); err != nil || got != a2 {
			t.Errorf("after UpdateUser: %+v, %v; want %+v", got, err, a2)
		}
		if _, err := tx.GetUser(ctx, 9); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("UpdateUser of a missing mid created it: err %v", err)
		}
		return nil
	})
}

func testUsersList(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	all := []uint64{5, 1, over53, 3, bigMid, 2}
	d.update(t, func(tx store.Tx) error {
		for _, m := range all {
			if err := tx.CreateUser(ctx, user(m)); err != nil {
				return err
			}
		}
		return nil
	})
	cases := []struct {
		after uint64
		limit int
		want  []uint64
	}{
		{0, 100, []uint64{1, 2, 3, 5, bigMid, over53}},
		{0, 2, []uint64{1, 2}},
		{2, 2, []uint64{3, 5}},
		{4, 100, []uint64{5, bigMid, over53}},
		{5, 1, []uint64{bigMid}},
		{bigMid, 100, []uint64{over53}},
		{over53, 100, nil},
	}
	d.view(t, func(tx store.Tx) error {
		for _, c := range cases {
			us, err := tx.ListUsers(ctx, c.after, c.limit)
			if err != nil || !slices.Equal(mids(us), c.want) {
				t.Errorf("ListUsers(%d, %d) = %v, %v; want %v", c.after, c.limit, mids(us), err, c.want)
			}
			for _, u := range us {
				if u != user(u.Mid) {
					t.Errorf("ListUsers returned %+v, want %+v", u, user(u.Mid))
				}
			}
		}
		return nil
	})
	// Paging through with a small limit visits every user once, in order.
	var seen []uint64
	d.view(t, func(tx store.Tx) error {
		var after uint64
		for {
			us, err := tx.ListUsers(ctx, after, 4)
			if err != nil {
				return err
			}
			if len(us) == 0 {
				return nil
			}
			seen = append(seen, mids(us)...)
			after = us[len(us)-1].Mid
		}
	})
	if want := []uint64{1, 2, 3, 5, bigMid, over53}; !slices.Equal(seen, want) {
		t.Errorf("paged ListUsers = %v, want %v", seen, want)
	}
}

// --- logins ---

func testLogins(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	hash := func(b byte) []byte { return bytes.Repeat([]byte{b, 0x00, 0xff}, 11)[:32] }
	l1 := store.Login{TokenHash: hash(1), Mid: bigMid, BiliJct: "0123456789abcdef0123456789abcdef", CreatedAt: tsBase}
	l2 := store.Login{TokenHash: hash(2), Mid: bigMid, BiliJct: "fedcba9876543210fedcba9876543210", CreatedAt: tsBase + 1}
	d.update(t, func(tx store.Tx) error {
		if err := tx.CreateLogin(ctx, l1); err != nil {
			return err
		}
		return tx.CreateLogin(ctx, l2)
	})
	d.view(t, func(tx store.Tx) error {
		for _, want := range []store.Login{l1, l2} {
			got, err := tx.GetLogin(ctx, want.TokenHash)
			if err != nil || !bytes.Equal(got.TokenHash, want.TokenHash) || got.Mid != want.Mid ||
				got.BiliJct != want.BiliJct || got.CreatedAt != want.CreatedAt {
				t.Errorf("GetLogin = %+v, %v; want %+v", got, err, want)
			}
		}
		for _, unknown := range [][]byte{hash(3), hash(1)[:31], append(hash(1), 0)} {
			if _, err := tx.GetLogin(ctx, unknown); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("GetLogin(%x): err %v, want ErrNotFound", unknown, err)
			}
		}
		return nil
	})
}

// --- relations ---

func testRelations(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	get := func(mid, target uint64, want store.Relation) {
		t.Helper()
		d.view(t, func(tx store.Tx) error {
			got, err := tx.GetRelation(ctx, mid, target)
			if err != nil || got != want {
				t.Errorf("GetRelation(%d, %d) = %+v, %v; want %+v, nil", mid, target, got, err, want)
			}
			return nil
		})
	}
	put := func(mid, target uint64, r store.Relation) {
		t.Helper()
		d.update(t, func(tx store.Tx) error { return tx.PutRelation(ctx, mid, target, r) })
	}
	get(1, bigMid, store.Relation{})
	put(1, bigMid, store.Relation{Following: true})
	get(1, bigMid, store.Relation{Following: true})
	get(bigMid, 1, store.Relation{}) // relations are directed
	put(1, bigMid, store.Relation{Blocking: true})
	get(1, bigMid, store.Relation{Blocking: true})
	put(1, bigMid, store.Relation{Following: true, Blocking: true})
	get(1, bigMid, store.Relation{Following: true, Blocking: true})
	put(1, bigMid, store.Relation{})
	get(1, bigMid, store.Relation{})

	// GetPair: the target's existence and both directions in one read.
	pair := func(mid, target uint64, want store.Pair) {
		t.Helper()
		d.view(t, func(tx store.Tx) error {
			got, err := tx.GetPair(ctx, mid, target)
			if err != nil || got != want {
				t.Errorf("GetPair(%d, %d) = %+v, %v; want %+v, nil", mid, target, got, err, want)
			}
			return nil
		})
	}
	pair(1, bigMid, store.Pair{})
	d.update(t, func(tx store.Tx) error { return tx.CreateUser(ctx, store.User{Mid: bigMid, Name: "big"}) })
	pair(1, bigMid, store.Pair{TargetExists: true})
	pair(bigMid, 1, store.Pair{}) // user 1 does not exist
	put(1, bigMid, store.Relation{Following: true})
	put(bigMid, 1, store.Relation{Blocking: true})
	pair(1, bigMid, store.Pair{TargetExists: true, Mine: store.Relation{Following: true}, Theirs: store.Relation{Blocking: true}})
	put(1, bigMid, store.Relation{Following: true, Blocking: true})
	put(bigMid, 1, store.Relation{Following: true})
	pair(1, bigMid, store.Pair{TargetExists: true, Mine: store.Relation{Following: true, Blocking: true},
		Theirs: store.Relation{Following: true}})
	pair(bigMid, 1, store.Pair{Mine: store.Relation{Following: true}, Theirs: store.Relation{Following: true, Blocking: true}})
}

// --- sessions ---

func testSessionRoundTrip(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	full := store.Session{Owner: over53, Type: 1, Talker: bigMid, AckSeqno: seqBase + 3, AckTs: 1717315200123456,
		MaxSeqno: seqBase + 9, SessionTs: 1717315299654321, TopTs: 1717315000000001, Unread: 6,
		LastMsgKey: keyBase + 77, IsFollow: true, IsDnd: true, PushSetting: 1, Intercept: true, Trust: true,
		Hidden: true, MySent: 2, TalkerActive: true}
	other := full
	other.Type = 2 // same owner and talker, another session type: another row
	other.Unread = 1
	d.update(t, func(tx store.Tx) error {
		if err := tx.PutSession(ctx, full); err != nil {
			return err
		}
		return tx.PutSession(ctx, other)
	})
	d.view(t, func(tx store.Tx) error {
		for _, want := range []store.Session{full, other} {
			got, err := tx.GetSession(ctx, want.Owner, want.Type, want.Talker)
			if err != nil || got != want {
				t.Errorf("GetSession = %+v, %v\nwant %+v", got, err, want)
			}
		}
		for _, k := range [][3]uint64{{over53, 1, 1}, {bigMid, 1, over53}, {over53, 3, bigMid}} {
			if _, err := tx.GetSession(ctx, k[0], int(k[1]), k[2]); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("GetSession%v of a missing session: err %v, want ErrNotFound", k, err)
			}
		}
		return nil
	})
	// PutSession replaces the whole row, including fields going back to zero.
	zeroed := store.Session{Owner: full.Owner, Type: full.Type, Talker: full.Talker, MaxSeqno: seqBase + 10}
	d.update(t, func(tx store.Tx) error { return tx.PutSession(ctx, zeroed) })
	d.view(t, func(tx store.Tx) error {
		got, err := tx.GetSession(ctx, full.Owner, full.Type, full.Talker)
		if err != nil || got != zeroed {
			t.Errorf("after replace: %+v, %v\nwant %+v", got, err, zeroed)
		}
		if got, err := tx.GetSession(ctx, other.Owner, other.Type, other.Talker); err != nil || got != other {
			t.Errorf("replace touched another row: %+v, %v", got, err)
		}
		return nil
	})
}

func testListSessions(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	const owner = 100
	sess := func(talker uint64, sessionTs, ackTs int64, f func(*store.Session)) store.Session {
		s := store.Session{Owner: owner, Type: 1, Talker: talker, MaxSeqno: seqBase + talker,
			AckSeqno: seqBase, SessionTs: sessionTs, AckTs: ackTs, LastMsgKey: keyBase + talker}
		if f != nil {
			f(&s)
		}
		// Sessions without unread messages are read up to their latest message, except
		// talker 2, whose last message is (say) the owner's own recall: unacked, 0 unread.
		if s.Unread == 0 && s.Talker != 2 {
			s.AckSeqno = s.MaxSeqno
		}
		return s
	}
	fixture := []store.Session{
		sess(1, 1000, 500, func(s *store.Session) { s.IsFollow, s.Unread = true, 2 }),
		sess(2, 2000, 0, nil), // never acked
		sess(3, 3000, 3500, func(s *store.Session) { s.Unread = 1 }),
		sess(4, 4000, 100, func(s *store.Session) { s.IsFollow, s.Hidden, s.Unread = true, true, 1 }),
		sess(5, 5000, 200, func(s *store.Session) { s.Intercept, s.Unread = true, 3 }),
		sess(6, 6000, 6000, func(s *store.Session) { s.MaxSeqno, s.IsDnd = 0, true }), // settings only
		sess(7, 7000, 50, func(s *store.Session) { s.Intercept, s.Hidden = true, true }),
		sess(8, 8000, 8000, func(s *store.Session) { s.Owner = owner + 1 }), // someone else's
		sess(9, 9000, 9000, func(s *store.Session) { s.Owner = owner - 1 }), // someone else's
		sess(10, 500, 9500, func(s *store.Session) { s.IsFollow, s.Unread = true, 4 }),
	}
	d.update(t, func(tx store.Tx) error {
		for _, s := range fixture {
			if err := tx.PutSession(ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
	yes, no := true, false
	cases := []struct {
		name string
		q    store.SessionQuery
		want []uint64
	}{
		{"default", store.SessionQuery{}, []uint64{3, 2, 1, 10}},
		{"hidden", store.SessionQuery{IncludeHidden: true}, []uint64{4, 3, 2, 1, 10}},
		{"dustbin", store.SessionQuery{Intercept: true}, []uint64{5}},
		{"dustbin hidden", store.SessionQuery{Intercept: true, IncludeHidden: true}, []uint64{7, 5}},
		{"follow", store.SessionQuery{Follow: &yes}, []uint64{1, 10}},
		{"follow hidden", store.SessionQuery{Follow: &yes, IncludeHidden: true}, []uint64{4, 1, 10}},
		{"unfollow", store.SessionQuery{Follow: &no}, []uint64{3, 2}},
		{"unfollow dustbin", store.SessionQuery{Follow: &no, Intercept: true, IncludeHidden: true}, []uint64{7, 5}},
		{"follow dustbin", store.SessionQuery{Follow: &yes, Intercept: true}, nil},
		{"unacked", store.SessionQuery{Unacked: true}, []uint64{3, 2, 1, 10}},
		{"unacked hidden", store.SessionQuery{Unacked: true, IncludeHidden: true}, []uint64{4, 3, 2, 1, 10}},
		{"unacked dustbin hidden", store.SessionQuery{Unacked: true, Intercept: true, IncludeHidden: true}, []uint64{5}},
		{"after", store.SessionQuery{After: 1000}, []uint64{3, 2}},
		{"before", store.SessionQuery{Before: 3000}, []uint64{2, 1, 10}},
		{"after before", store.SessionQuery{After: 1000, Before: 3000}, []uint64{2}},
		{"after before empty", store.SessionQuery{After: 2000, Before: 3000}, nil},
		{"after hidden", store.SessionQuery{After: 2999, IncludeHidden: true}, []uint64{4, 3}},
		{"limit", store.SessionQuery{Limit: 2}, []uint64{3, 2}},
		{"limit before", store.SessionQuery{Limit: 2, Before: 2000}, []uint64{1, 10}},
		{"follow before", store.SessionQuery{Follow: &yes, Before: 1000}, []uint64{10}},
		{"ack", store.SessionQuery{Order: store.ByAckTs}, []uint64{10, 3, 1, 2}},
		{"ack after", store.SessionQuery{Order: store.ByAckTs, After: 500}, []uint64{10, 3}},
		{"ack before", store.SessionQuery{Order: store.ByAckTs, Before: 3500}, []uint64{1, 2}},
		{"ack after before", store.SessionQuery{Order: store.ByAckTs, After: 0, Before: 500}, []uint64{2}},
		{"ack limit", store.SessionQuery{Order: store.ByAckTs, Limit: 3}, []uint64{10, 3, 1}},
		{"ack unfollow", store.SessionQuery{Order: store.ByAckTs, Follow: &no}, []uint64{3, 2}},
		{"ack follow hidden", store.SessionQuery{Order: store.ByAckTs, Follow: &yes, IncludeHidden: true}, []uint64{10, 1, 4}},
		{"ack unacked", store.SessionQuery{Order: store.ByAckTs, Unacked: true}, []uint64{10, 3, 1, 2}},
		{"ack dustbin hidden", store.SessionQuery{Order: store.ByAckTs, Intercept: true, IncludeHidden: true}, []uint64{5, 7}},
		{"ack dustbin", store.SessionQuery{Order: store.ByAckTs, Intercept: true}, []uint64{5}},
	}
	byTalker := map[uint64]store.Session{}
	for _, s := range fixture {
		if s.Owner == owner {
			byTalker[s.Talker] = s
		}
	}
	d.view(t, func(tx store.Tx) error {
		for _, c := range cases {
			q := c.q
			q.Owner = owner
			if q.Limit == 0 {
				q.Limit = 100
			}
			got, err := tx.ListSessions(ctx, q)
			if err != nil || !slices.Equal(talkers(got), c.want) {
				t.Errorf("%s: ListSessions(%+v) = %v, %v; want %v", c.name, q, talkers(got), err, c.want)
				continue
			}
			for _, s := range got {
				if s != byTalker[s.Talker] {
					t.Errorf("%s: listed %+v\nwant %+v", c.name, s, byTalker[s.Talker])
				}
			}
		}
		if got, err := tx.ListSessions(ctx, store.SessionQuery{Owner: 12345, Limit: 10, IncludeHidden: true}); err != nil || len(got) != 0 {
			t.Errorf("ListSessions of an owner without sessions = %v, %v", talkers(got), err)
		}
		return nil
	})
}

func testHasSessions(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	has := func(owner uint64, want bool) {
		t.Helper()
		d.view(t, func(tx store.Tx) error {
			got, err := tx.HasSessions(ctx, owner)
			if err != nil || got != want {
				t.Errorf("HasSessions(%d) = %v, %v; want %v", owner, got, err, want)
			}
			return nil
		})
	}
	has(1, false)
	// A settings-only row (MaxSeqno 0) is not a session with messages.
	d.update(t, func(tx store.Tx) error {
		return tx.PutSession(ctx, store.Session{Owner: 1, Type: 1, Talker: 2, IsDnd: true, Intercept: true})
	})
	has(1, false)
	// A hidden session with messages counts.
	d.update(t, func(tx store.Tx) error {
		return tx.PutSession(ctx, store.Session{Owner: 1, Type: 1, Talker: 3, MaxSeqno: seqBase, Hidden: true})
	})
	has(1, true)
	has(3, false)
	has(2, false)
}

func testCounters(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	get := func(owner uint64, want store.Counters) {
		t.Helper()
		d.view(t, func(tx store.Tx) error {
			got, err := tx.GetCounters(ctx, owner)
			if err != nil || got != want {
				t.Errorf("GetCounters(%d) = %+v, %v; want %+v", owner, got, err, want)
			}
			return nil
		})
	}
	add := func(owner uint64, delta store.Counters) {
		t.Helper()
		d.update(t, func(tx store.Tx) error { return tx.AddCounters(ctx, owner, delta) })
	}
	get(bigMid, store.Counters{})
	add(bigMid, store.Counters{})
	get(bigMid, store.Counters{})
	add(bigMid, store.Counters{Follow: 1, Unfollow: 2, Dustbin: 3})
	get(bigMid, store.Counters{Follow: 1, Unfollow: 2, Dustbin: 3})
	add(bigMid, store.Counters{Follow: -1, Dustbin: 5})
	get(bigMid, store.Counters{Unfollow: 2, Dustbin: 8})
	add(bigMid, store.Counters{Unfollow: -2, Dustbin: -8})
	get(bigMid, store.Counters{})
	get(bigMid+1, store.Counters{})
	// Several adds in one transaction accumulate.
	d.update(t, func(tx store.Tx) error {
		for range 10 {
			if err := tx.AddCounters(ctx, 5, store.Counters{Follow: 1, Unfollow: -1}); err != nil {
				return err
			}
		}
		return nil
	})
	get(5, store.Counters{Follow: 10, Unfollow: -10})
	get(bigMid, store.Counters{})
}

// --- messages ---

func testMessageRoundTrip(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	m := store.Message{Key: keyBase + 1, Seqno: seqBase + 1, Conv: store.ConvOf(bigMid, over53), SenderUID: over53,
		ReceiverType: 1, ReceiverID: bigMid, MsgType: 18, Content: `{"content":"你好 \u0000 \"quoted\""}`,
		Timestamp: tsBase, Status: 1, NewFaceVersion: 1, Source: 8, NotifyCode: "0_1", VisibleTo: over53,
		CountsUnread: false}
	m2 := message(2, 1, 2, 1)
	d.update(t, func(tx store.Tx) error {
		if err := tx.InsertMessage(ctx, m); err != nil {
			return err
		}
		return tx.InsertMessage(ctx, m2)
	})
	d.view(t, func(tx store.Tx) error {
		for _, want := range []store.Message{m, m2} {
			got, err := tx.GetMessage(ctx, want.Key)
			if err != nil || got != want {
				t.Errorf("GetMessage = %+v, %v\nwant %+v", got, err, want)
			}
		}
		if _, err := tx.GetMessage(ctx, keyBase+3); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetMessage of a missing key: err %v, want ErrNotFound", err)
		}
		return nil
	})
	// A key is never stored twice.
	dup := message(3, 1, 2, 1)
	dup.Key = m2.Key
	if err := d.st.Update(ctx, func(tx store.Tx) error { return tx.InsertMessage(ctx, dup) }); err == nil {
		t.Errorf("InsertMessage with an existing key succeeded")
	}
}

func testMessageBigKeys(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	keys := []uint64{1<<62 + 1, 1<<62 + 12345678901, 1<<63 - 1, 1 << 63, 1<<63 + 99, 1<<64 - 2, 1<<64 - 1}
	var msgs []store.Message
	for i, k := range keys {
		m := message(uint64(i+1), 1, 2, 1)
		m.Key = k
		msgs = append(msgs, m)
	}
	d.update(t, func(tx store.Tx) error {
		for _, m := range msgs {
			if err := tx.InsertMessage(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	d.view(t, func(tx store.Tx) error {
		for _, want := range msgs {
			if got, err := tx.GetMessage(ctx, want.Key); err != nil || got != want {
				t.Errorf("GetMessage(%d) = %+v, %v", want.Key, got, err)
			}
		}
		got, err := tx.GetMessages(ctx, keys)
		if err != nil {
			return err
		}
		gotKeys := make([]uint64, len(got))
		for i, m := range got {
			gotKeys[i] = m.Key
		}
		slices.Sort(gotKeys)
		if !slices.Equal(gotKeys, keys) {
			t.Errorf("GetMessages keys = %v, want %v", gotKeys, keys)
		}
		list, err := tx.ListMessages(ctx, store.MessageQuery{Conv: store.ConvOf(1, 2), Viewer: 1, Limit: 100, Ascending: true})
		if err != nil {
			return err
		}
		if len(list) != len(msgs) {
			return fmt.Errorf("ListMessages returned %d messages, want %d", len(list), len(msgs))
		}
		for i := range list {
			if list[i] != msgs[i] {
				t.Errorf("ListMessages[%d] = %+v, want %+v", i, list[i], msgs[i])
			}
		}
		return nil
	})
}

func testGetMessages(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	want := map[uint64]store.Message{}
	d.update(t, func(tx store.Tx) error {
		for n := uint64(1); n <= 50; n++ {
			m := message(n, 1, 2+n%3, 1)
			want[m.Key] = m
			if err := tx.InsertMessage(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	d.view(t, func(tx store.Tx) error {
		for _, keys := range [][]uint64{nil, {}, {keyBase + 999_999}} {
			got, err := tx.GetMessages(ctx, keys)
			if err != nil || len(got) != 0 {
				t.Errorf("GetMessages(%v) = %d messages, %v; want none", keys, len(got), err)
			}
		}
		keys := []uint64{message(7, 0, 0, 0).Key, keyBase + 7001, message(50, 0, 0, 0).Key, 0,
			message(1, 0, 0, 0).Key, 1<<64 - 1, message(23, 0, 0, 0).Key}
		got, err := tx.GetMessages(ctx, keys)
		if err != nil {
			return err
		}
		var gotKeys []uint64
		for _, m := range got {
			if m != want[m.Key] {
				t.Errorf("GetMessages returned %+v, want %+v", m, want[m.Key])
			}
			gotKeys = append(gotKeys, m.Key)
		}
		slices.Sort(gotKeys)
		wantKeys := []uint64{message(1, 0, 0, 0).Key, message(7, 0, 0, 0).Key, message(23, 0, 0, 0).Key, message(50, 0, 0, 0).Key}
		if !slices.Equal(gotKeys, wantKeys) {
			t.Errorf("GetMessages keys = %v, want %v", gotKeys, wantKeys)
		}
		all := make([]uint64, 0, len(want))
		for k := range want {
			all = append(all, k)
		}
		if got, err := tx.GetMessages(ctx, all); err != nil || len(got) != len(all) {
			t.Errorf("GetMessages of all %d keys = %d messages, %v", len(all), len(got), err)
		}
		return nil
	})
}

// listFixture stores messages in conversations {10, 20} and {10, 30}; seqnos (minus
// seqBase) are global, so the two conversations interleave.
func listFixture(t *testing.T, d *db) {
	t.Helper()
	ctx := t.Context()
	type spec struct {
		n, a, b, sender uint64
		f               func(*store.Message)
	}
	hint := func(to uint64) func(*store.Message) {
		return func(m *store.Message) { m.MsgType, m.VisibleTo, m.CountsUnread = 18, to, false }
	}
	specs := []spec{
		{1, 10, 20, 10, nil},
		{2, 10, 20, 20, nil},
		{3, 10, 20, 10, hint(10)},
		{4, 10, 30, 30, nil},
		{5, 10, 20, 20, func(m *store.Message) { m.MsgType, m.VisibleTo = 18, 20 }}, // only 20 sees it; counts
		{6, 10, 20, 20, func(m *store.Message) { m.Status, m.CountsUnread = 2, false }},
		{7, 10, 30, 10, nil},
		{8, 10, 20, 10, func(m *store.Message) { m.MsgType, m.CountsUnread = 5, false }}, // a recall
		{9, 10, 20, 20, nil},
		{10, 10, 20, 20, func(m *store.Message) { m.Status = 1 }}, // recalled by its sender
		{11, 10, 20, 10, func(m *store.Message) { m.MsgType, m.VisibleTo = 18, 10 }},
		{12, 10, 20, 10, nil},
	}
	d.update(t, func(tx store.Tx) error {
		for _, s := range specs {
			m := message(s.n, s.a, s.b, s.sender)
			if s.f != nil {
				s.f(&m)
			}
			if err := tx.InsertMessage(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
}

func testListMessages(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	listFixture(t, d)
	a, b := store.ConvOf(20, 10), store.ConvOf(10, 30)
	s := func(n uint64) uint64 { return seqBase + n }
	cases := []struct {
		name string
		q    store.MessageQuery
		want []uint64
	}{
		{"viewer 10", store.MessageQuery{Conv: a, Viewer: 10}, []uint64{12, 11, 10, 9, 8, 3, 2, 1}},
		{"viewer 20", store.MessageQuery{Conv: a, Viewer: 20}, []uint64{12, 10, 9, 8, 5, 2, 1}},
		{"viewer 20 asc", store.MessageQuery{Conv: a, Viewer: 20, Ascending: true}, []uint64{1, 2, 5, 8, 9, 10, 12}},
		{"stranger", store.MessageQuery{Conv: a, Viewer: 30}, []uint64{12, 10, 9, 8, 2, 1}},
		{"other conv", store.MessageQuery{Conv: b, Viewer: 10}, []uint64{7, 4}},
		{"after before", store.MessageQuery{Conv: a, Viewer: 10, After: s(2), Before: s(10)}, []uint64{9, 8, 3}},
		{"after before asc", store.MessageQuery{Conv: a, Viewer: 10, After: s(2), Before: s(10), Ascending: true}, []uint64{3, 8, 9}},
		{"after", store.MessageQuery{Conv: a, Viewer: 10, After: s(9)}, []uint64{12, 11, 10}},
		{"after asc", store.MessageQuery{Conv: a, Viewer: 10, After: s(9), Ascending: true}, []uint64{10, 11, 12}},
		{"before", store.MessageQuery{Conv: a, Viewer: 10, Before: s(3)}, []uint64{2, 1}},
		{"bounds on hidden", store.MessageQuery{Conv: a, Viewer: 10, After: s(4), Before: s(7)}, nil},
		{"limit", store.MessageQuery{Conv: a, Viewer: 10, Limit: 3}, []uint64{12, 11, 10}},
		{"limit asc", store.MessageQuery{Conv: a, Viewer: 10, Limit: 3, Ascending: true}, []uint64{1, 2, 3}},
		{"limit before", store.MessageQuery{Conv: a, Viewer: 10, Limit: 2, Before: s(9)}, []uint64{8, 3}},
		{"limit after asc", store.MessageQuery{Conv: a, Viewer: 10, Limit: 2, After: s(3), Ascending: true}, []uint64{8, 9}},
		{"hints 10", store.MessageQuery{Conv: a, Viewer: 10, OnlyType: 18}, []uint64{11, 3}},
		{"hints 20", store.MessageQuery{Conv: a, Viewer: 20, OnlyType: 18}, []uint64{5}},
		{"recalls", store.MessageQuery{Conv: a, Viewer: 20, OnlyType: 5}, []uint64{8}},
		{"texts limit", store.MessageQuery{Conv: a, Viewer: 20, OnlyType: 1, Limit: 2, Ascending: true}, []uint64{1, 2}},
		{"no such conv", store.MessageQuery{Conv: store.ConvOf(20, 30), Viewer: 20}, nil},
	}
	d.view(t, func(tx store.Tx) error {
		for _, c := range cases {
			q := c.q
			if q.Limit == 0 {
				q.Limit = 100
			}
			got, err := tx.ListMessages(ctx, q)
			if err != nil || !slices.Equal(seqnos(got), c.want) {
				t.Errorf("%s: ListMessages = %v, %v; want %v", c.name, seqnos(got), err, c.want)
				continue
			}
			for _, m := range got {
				full, err := tx.GetMessage(ctx, m.Key)
				if err != nil || full != m {
					t.Errorf("%s: listed %+v, stored %+v (%v)", c.name, m, full, err)
				}
			}
		}
		return nil
	})
}

func testSetMessageStatus(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	listFixture(t, d)
	a := store.ConvOf(10, 20)
	list := func(want []uint64) {
		t.Helper()
		d.view(t, func(tx store.Tx) error {
			got, err := tx.ListMessages(ctx, store.MessageQuery{Conv: a, Viewer: 10, Limit: 100})
			if err != nil || !slices.Equal(seqnos(got), want) {
				t.Errorf("ListMessages = %v, %v; want %v", seqnos(got), err, want)
			}
			return nil
		})
	}
	status := func(n uint64, want int) {
		t.Helper()
		d.view(t, func(tx store.Tx) error {
			m, err := tx.GetMessage(ctx, message(n, 0, 0, 0).Key)
			if err != nil || m.Status != want {
				t.Errorf("message %d: status %d, %v; want %d", n, m.Status, err, want)
			}
			return nil
		})
	}
	set := func(n uint64, st int) {
		t.Helper()
		d.update(t, func(tx store.Tx) error { return tx.SetMessageStatus(ctx, message(n, 0, 0, 0).Key, st) })
	}
	set(9, 1)
	status(9, 1)
	list([]uint64{12, 11, 10, 9, 8, 3, 2, 1})
	set(9, 2) // system-recalled: never listed again, but still readable by key
	status(9, 2)
	list([]uint64{12, 11, 10, 8, 3, 2, 1})
	set(6, 0) // and back
	status(6, 0)
	list([]uint64{12, 11, 10, 8, 6, 3, 2, 1})
	status(12, 0)

	err := d.st.Update(ctx, func(tx store.Tx) error { return tx.SetMessageStatus(ctx, keyBase+999_999, 1) })
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetMessageStatus of a missing key: %v, want ErrNotFound", err)
	}
}

func testCountUnread(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	listFixture(t, d)
	a, b := store.ConvOf(10, 20), store.ConvOf(10, 30)
	s := func(n uint64) uint64 { return seqBase + n }
	cases := []struct {
		conv          store.Conv
		viewer, after uint64
		want          int64
	}{
		// 10 sees from 20: 2, 9 and 10 (recalled by its sender, still counting); not 5
		// (visible to 20 only) nor 6 (does not count).
		{a, 10, 0, 3},
		{a, 10, s(1), 3},
		{a, 10, s(2), 2},
		{a, 10, s(9), 1},
		{a, 10, s(10), 0},
		{a, 10, s(12), 0},
		// 20 sees from 10: 1 and 12; not 3 and 11 (visible to 10 only) nor 8 (a recall).
		{a, 20, 0, 2},
		{a, 20, s(1), 1},
		{a, 20, s(11), 1},
		{a, 20, s(12), 0},
		{b, 10, 0, 1},
		{b, 30, 0, 1},
		{b, 30, s(7), 0},
		{store.ConvOf(20, 30), 20, 0, 0},
	}
	d.view(t, func(tx store.Tx) error {
		for _, c := range cases {
			got, err := tx.CountUnread(ctx, c.conv, c.viewer, c.after)
			if err != nil || got != c.want {
				t.Errorf("CountUnread(%v, viewer %d, after %d) = %d, %v; want %d", c.conv, c.viewer, c.after, got, err, c.want)
			}
		}
		return nil
	})
}

// --- sequences ---

func testSeqno(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	var got []uint64
	for range 5 {
		d.update(t, func(tx store.Tx) error {
			for range 200 {
				s, err := tx.NextSeqno(ctx)
				if err != nil {
					return err
				}
				got = append(got, s)
			}
			return nil
		})
	}
	for i := 1; i < len(got); i++ {
		if got[i] <= got[i-1] {
			t.Fatalf("NextSeqno: %d after %d", got[i], got[i-1])
		}
	}
	// A transaction that fails does not make the next values go back.
	last := got[len(got)-1]
	err := d.st.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.NextSeqno(ctx); err != nil {
			return err
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("Update: %v, want errBoom", err)
	}
	d.update(t, func(tx store.Tx) error {
		s, err := tx.NextSeqno(ctx)
		if err != nil {
			return err
		}
		if s <= last {
			return fmt.Errorf("NextSeqno after a failed transaction = %d, not above %d", s, last)
		}
		return nil
	})
}

func testMsgKey(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	const now = int64(1_717_315_200_000)
	steps := []int64{now, now, now + 1, now - 1, now - 60_000, now + 5, now + 3_600_000, now, now + 3_600_001, 0}
	var prev uint64
	for i, ms := range steps {
		d.update(t, func(tx store.Tx) error {
			k, err := tx.NextMsgKey(ctx, ms)
			if err != nil {
				return err
			}
			if k < uint64(ms)<<22 {
				return fmt.Errorf("step %d: NextMsgKey(%d) = %d, below nowMs<<22 = %d", i, ms, k, uint64(ms)<<22)
			}
			if k <= prev {
				return fmt.Errorf("step %d: NextMsgKey(%d) = %d, not above the previous %d", i, ms, k, prev)
			}
			prev = k
			return nil
		})
	}
	// Many keys in one transaction at the same millisecond stay increasing.
	d.update(t, func(tx store.Tx) error {
		for i := range 10_000 {
			k, err := tx.NextMsgKey(ctx, now)
			if err != nil {
				return err
			}
			if k <= prev {
				return fmt.Errorf("key %d: %d not above %d", i, k, prev)
			}
			prev = k
		}
		return nil
	})
}

func testSequencesConcurrent(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	const goroutines, perG = 16, 50
	const now = int64(1_717_315_200_000)
	type pair struct{ seq, key uint64 }
	results := make([][]pair, goroutines)
	errs := make([]error, goroutines)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range perG {
				var p [2]pair
				err := d.st.Update(ctx, func(tx store.Tx) error {
					for j := range p {
						s, err := tx.NextSeqno(ctx)
						if err != nil {
							return err
						}
						k, err := tx.NextMsgKey(ctx, now+int64(i%3))
						if err != nil {
							return err
						}
						p[j] = pair{s, k}
					}
					if p[1].seq <= p[0].seq || p[1].key <= p[0].key {
						return fmt.Errorf("not increasing within a transaction: %v", p)
					}
					return nil
				})
				if err != nil {
					errs[g] = err
					return
				}
				results[g] = append(results[g], p[:]...)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	seqs, keys := map[uint64]bool{}, map[uint64]bool{}
	for _, rs := range results {
		for i, p := range rs {
			if seqs[p.seq] || keys[p.key] {
				t.Fatalf("value handed out twice: %+v", p)
			}
			seqs[p.seq], keys[p.key] = true, true
			// One goroutine's transactions are sequential, so its values increase.
			if i > 0 && (p.seq <= rs[i-1].seq || p.key <= rs[i-1].key) {
				t.Fatalf("sequential transactions: %+v after %+v", p, rs[i-1])
			}
		}
	}
	if len(seqs) != goroutines*perG*2 {
		t.Fatalf("%d distinct seqnos, want %d", len(seqs), goroutines*perG*2)
	}
}

// sendLike stores a message with freshly handed out values, as the domain does.
func sendLike(ctx context.Context, tx store.Tx, nowMs int64) (store.Message, error) {
	seq, err := tx.NextSeqno(ctx)
	if err != nil {
		return store.Message{}, err
	}
	key, err := tx.NextMsgKey(ctx, nowMs)
	if err != nil {
		return store.Message{}, err
	}
	m := message(0, 1, 2, 1)
	m.Seqno, m.Key = seq, key
	return m, tx.InsertMessage(ctx, m)
}

func testSequencesReopen(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	const now = int64(1_717_315_200_000)
	var maxSeq, maxKey uint64
	for i := range 20 {
		// The clock jumps an hour ahead and back, so the last key is far from now.
		ms := now + int64(i%2)*3_600_000
		d.update(t, func(tx store.Tx) error {
			m, err := sendLike(ctx, tx, ms)
			maxSeq, maxKey = max(maxSeq, m.Seqno), max(maxKey, m.Key)
			return err
		})
	}
	for round := range 2 {
		d.reopen(t)
		d.update(t, func(tx store.Tx) error {
			m, err := sendLike(ctx, tx, now-86_400_000) // and a day back after the restart
			if err != nil {
				return err
			}
			if m.Seqno <= maxSeq || m.Key <= maxKey {
				return fmt.Errorf("round %d: after reopen seqno %d, key %d; want above %d, %d", round, m.Seqno, m.Key, maxSeq, maxKey)
			}
			maxSeq, maxKey = m.Seqno, m.Key
			return nil
		})
	}
}

// testSequencesReopenPast2to63 hands out keys on both sides of 2^63 (the clock passes
// 2^41 ms in 2039) and checks that a restart continues above the larger one.
func testSequencesReopenPast2to63(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	const now = int64(1_717_315_200_000)
	const later = int64(1<<41 + 1000)
	var last uint64
	d.update(t, func(tx store.Tx) error {
		m1, err := sendLike(ctx, tx, now)
		if err != nil {
			return err
		}
		m2, err := sendLike(ctx, tx, later)
		if err != nil {
			return err
		}
		if m2.Key < 1<<63 || m2.Key <= m1.Key {
			return fmt.Errorf("keys %d then %d", m1.Key, m2.Key)
		}
		last = m2.Key
		return nil
	})
	d.reopen(t)
	d.update(t, func(tx store.Tx) error {
		m, err := sendLike(ctx, tx, now)
		if err != nil {
			return err
		}
		if m.Key <= last {
			return fmt.Errorf("after reopen NextMsgKey = %d, not above %d", m.Key, last)
		}
		return nil
	})
}

// --- transactions ---

// writeAll performs one write of every kind, each tagged with n.
func writeAll(ctx context.Context, tx store.Tx, n uint64) error {
	if err := tx.CreateUser(ctx, user(n)); err != nil {
		return err
	}
	if err := tx.CreateLogin(ctx, store.Login{TokenHash: []byte(fmt.Sprintf("hash-%d", n)), Mid: n, BiliJct: "x", CreatedAt: 1}); err != nil {
		return err
	}
	if err := tx.PutRelation(ctx, n, n+1, store.Relation{Following: true}); err != nil {
		return err
	}
	if err := tx.PutSession(ctx, store.Session{Owner: n, Type: 1, Talker: n + 1, MaxSeqno: seqBase + n}); err != nil {
		return err
	}
	if err := tx.AddCounters(ctx, n, store.Counters{Follow: 1}); err != nil {
		return err
	}
	return tx.InsertMessage(ctx, message(n, n, n+1, n))
}

// checkWrites reports which of writeAll(n)'s writes are visible: all or none are expected.
func checkWrites(ctx context.Context, tx store.Tx, n uint64) (present int, err error) {
	if _, err := tx.GetUser(ctx, n); err == nil {
		present++
	} else if !errors.Is(err, store.ErrNotFound) {
		return 0, err
	}
	if _, err := tx.GetLogin(ctx, []byte(fmt.Sprintf("hash-%d", n))); err == nil {
		present++
	} else if !errors.Is(err, store.ErrNotFound) {
		return 0, err
	}
	r, err := tx.GetRelation(ctx, n, n+1)
	if err != nil {
		return 0, err
	}
	if r.Following {
		present++
	}
	if _, err := tx.GetSession(ctx, n, 1, n+1); err == nil {
		present++
	} else if !errors.Is(err, store.ErrNotFound) {
		return 0, err
	}
	c, err := tx.GetCounters(ctx, n)
	if err != nil {
		return 0, err
	}
	if c.Follow != 0 {
		present++
	}
	if _, err := tx.GetMessage(ctx, message(n, 0, 0, 0).Key); err == nil {
		present++
	} else if !errors.Is(err, store.ErrNotFound) {
		return 0, err
	}
	return present, nil
}

const numWrites = 6

func expectWrites(t *testing.T, d *db, n uint64, want bool) {
	t.Helper()
	d.view(t, func(tx store.Tx) error {
		got, err := checkWrites(t.Context(), tx, n)
		if err != nil {
			return err
		}
		if want && got != numWrites || !want && got != 0 {
			t.Errorf("writes of %d: %d of %d visible; want all: %v", n, got, numWrites, want)
		}
		return nil
	})
}

func testUpdateErrorRollsBack(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	d.update(t, func(tx store.Tx) error { return writeAll(ctx, tx, 1) })
	err := d.st.Update(ctx, func(tx store.Tx) error {
		if err := writeAll(ctx, tx, 2); err != nil {
			return err
		}
		// Changes to rows that existed before are undone too.
		u := user(1)
		u.Name = "changed"
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if err := tx.AddCounters(ctx, 1, store.Counters{Follow: 100}); err != nil {
			return err
		}
		if err := tx.SetMessageStatus(ctx, message(1, 0, 0, 0).Key, 2); err != nil {
			return err
		}
		// The transaction sees its own writes.
		if got, err := checkWrites(ctx, tx, 2); err != nil || got != numWrites {
			return fmt.Errorf("inside the transaction %d of %d writes visible (%v)", got, numWrites, err)
		}
		return errBoom
	})
	if err != errBoom {
		t.Fatalf("Update returned %v, want fn's error as is", err)
	}
	expectWrites(t, d, 1, true)
	expectWrites(t, d, 2, false)
	d.view(t, func(tx store.Tx) error {
		if u, err := tx.GetUser(ctx, 1); err != nil || u != user(1) {
			t.Errorf("user 1 = %+v, %v; want it unchanged", u, err)
		}
		if c, err := tx.GetCounters(ctx, 1); err != nil || c != (store.Counters{Follow: 1}) {
			t.Errorf("counters of 1 = %+v, %v; want unchanged", c, err)
		}
		if m, err := tx.GetMessage(ctx, message(1, 0, 0, 0).Key); err != nil || m.Status != 0 {
			t.Errorf("message 1 status = %d, %v; want 0", m.Status, err)
		}
		return nil
	})
	// An error from the store itself (a conflict) inside fn, returned by fn, also rolls back.
	err = d.st.Update(ctx, func(tx store.Tx) error {
		if err := writeAll(ctx, tx, 3); err != nil {
			return err
		}
		return tx.CreateUser(ctx, user(1))
	})
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("Update: %v, want ErrConflict", err)
	}
	expectWrites(t, d, 3, false)
	// The store still works.
	d.update(t, func(tx store.Tx) error { return writeAll(ctx, tx, 4) })
	expectWrites(t, d, 4, true)
}

func testUpdatePanic(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	for round := range 3 {
		n := uint64(10 + round)
		var err error
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("Update let the panic through: %v", r)
				}
			}()
			err = d.st.Update(ctx, func(tx store.Tx) error {
				if err := writeAll(ctx, tx, n); err != nil {
					return err
				}
				panic("storetest: deliberate panic")
			})
		}()
		if err == nil {
			t.Fatalf("Update with a panicking fn returned nil")
		}
		expectWrites(t, d, n, false)
		d.update(t, func(tx store.Tx) error { return writeAll(ctx, tx, n+100) })
		expectWrites(t, d, n+100, true)
	}
}

func testUpdateConcurrent(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	const goroutines, perG = 64, 20
	errs := make([]error, goroutines)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			<-start
			for i := range perG {
				mid := uint64(g*1000 + i + 1)
				err := d.st.Update(ctx, func(tx store.Tx) error {
					if err := tx.CreateUser(ctx, user(mid)); err != nil {
						return err
					}
					// Read-modify-write on one shared counter row: lost updates show up.
					return tx.AddCounters(ctx, 1, store.Counters{Follow: 1, Dustbin: int64(mid)})
				})
				if err != nil {
					errs[g] = fmt.Errorf("update %d: %w", mid, err)
					return
				}
			}
		})
	}
	close(start)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	var wantDustbin int64
	for g := range goroutines {
		for i := range perG {
			wantDustbin += int64(g*1000 + i + 1)
		}
	}
	d.view(t, func(tx store.Tx) error {
		us, err := tx.ListUsers(ctx, 0, goroutines*perG+10)
		if err != nil {
			return err
		}
		if len(us) != goroutines*perG {
			t.Errorf("%d users visible, want %d", len(us), goroutines*perG)
		}
		c, err := tx.GetCounters(ctx, 1)
		if err != nil {
			return err
		}
		if want := (store.Counters{Follow: goroutines * perG, Dustbin: wantDustbin}); c != want {
			t.Errorf("counters = %+v, want %+v", c, want)
		}
		return nil
	})
}

func testUpdateConcurrentFailures(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	const n = 96
	// Hold the writer with one transaction while the others queue up, so that a backend
	// that batches has a full batch with failures in the middle of it.
	started, release := make(chan struct{}), make(chan struct{})
	holdErr := make(chan error, 1)
	go func() {
		holdErr <- d.st.Update(ctx, func(tx store.Tx) error {
			select {
			case <-started:
			default:
				close(started)
			}
			<-release
			return writeAll(ctx, tx, 1000)
		})
	}()
	<-started
	errs := make([]error, n)
	var ready, wg sync.WaitGroup
	ready.Add(n)
	for i := range n {
		wg.Go(func() {
			id := uint64(i + 1)
			ready.Done()
			errs[i] = d.st.Update(ctx, func(tx store.Tx) error {
				if err := writeAll(ctx, tx, id); err != nil {
					return err
				}
				// Everyone touches one shared row as well.
				if err := tx.AddCounters(ctx, 5000, store.Counters{Unfollow: 1}); err != nil {
					return err
				}
				switch id % 8 {
				case 3:
					return fmt.Errorf("op %d: %w", id, errBoom)
				case 6:
					panic(fmt.Sprintf("op %d panics", id))
				}
				return nil
			})
		})
	}
	ready.Wait()
	close(release)
	wg.Wait()
	if err := <-holdErr; err != nil {
		t.Fatalf("holding Update: %v", err)
	}
	ok := 0
	for i, err := range errs {
		id := uint64(i + 1)
		switch id % 8 {
		case 3:
			if !errors.Is(err, errBoom) {
				t.Errorf("op %d: %v, want errBoom", id, err)
			}
			expectWrites(t, d, id, false)
		case 6:
			if err == nil {
				t.Errorf("op %d panicked but Update returned nil", id)
			}
			expectWrites(t, d, id, false)
		default:
			if err != nil {
				t.Errorf("op %d: %v", id, err)
			}
			expectWrites(t, d, id, true)
			ok++
		}
	}
	expectWrites(t, d, 1000, true)
	d.view(t, func(tx store.Tx) error {
		c, err := tx.GetCounters(ctx, 5000)
		if err == nil && c.Unfollow != int64(ok) {
			t.Errorf("shared counter = %d, want %d (one per successful op)", c.Unfollow, ok)
		}
		return err
	})
}

func testViewReadOnly(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	d.update(t, func(tx store.Tx) error { return writeAll(ctx, tx, 1) })
	writes := []struct {
		name string
		fn   func(tx store.Tx) error
	}{
		{"CreateUser", func(tx store.Tx) error { return tx.CreateUser(ctx, user(2)) }},
		{"UpdateUser", func(tx store.Tx) error { u := user(1); u.Name = "x"; return tx.UpdateUser(ctx, u) }},
		{"CreateLogin", func(tx store.Tx) error {
			return tx.CreateLogin(ctx, store.Login{TokenHash: []byte("hash-2"), Mid: 2, BiliJct: "x"})
		}},
		{"PutRelation", func(tx store.Tx) error { return tx.PutRelation(ctx, 2, 3, store.Relation{Following: true}) }},
		{"PutSession", func(tx store.Tx) error {
			return tx.PutSession(ctx, store.Session{Owner: 2, Type: 1, Talker: 3, MaxSeqno: 1})
		}},
		{"AddCounters", func(tx store.Tx) error { return tx.AddCounters(ctx, 2, store.Counters{Follow: 1}) }},
		{"InsertMessage", func(tx store.Tx) error { return tx.InsertMessage(ctx, message(2, 2, 3, 2)) }},
		{"SetMessageStatus", func(tx store.Tx) error { return tx.SetMessageStatus(ctx, message(1, 0, 0, 0).Key, 2) }},
		{"NextSeqno", func(tx store.Tx) error { _, err := tx.NextSeqno(ctx); return err }},
		{"NextMsgKey", func(tx store.Tx) error { _, err := tx.NextMsgKey(ctx, 1_717_315_200_000); return err }},
	}
	for _, w := range writes {
		var inner error
		err := d.st.View(ctx, func(tx store.Tx) error {
			inner = w.fn(tx)
			return nil
		})
		if err != nil {
			t.Errorf("%s: View: %v", w.name, err)
		}
		if inner == nil {
			t.Errorf("%s succeeded inside View", w.name)
		}
	}
	expectWrites(t, d, 1, true)
	expectWrites(t, d, 2, false)
	d.view(t, func(tx store.Tx) error {
		if u, err := tx.GetUser(ctx, 1); err != nil || u != user(1) {
			t.Errorf("user 1 = %+v, %v; want unchanged", u, err)
		}
		if m, err := tx.GetMessage(ctx, message(1, 0, 0, 0).Key); err != nil || m.Status != 0 {
			t.Errorf("message 1 status = %d, %v; want 0", m.Status, err)
		}
		if c, err := tx.GetCounters(ctx, 1); err != nil || c != (store.Counters{Follow: 1}) {
			t.Errorf("counters of 1 = %+v, %v; want unchanged", c, err)
		}
		return nil
	})
	// A View's error is returned.
	if err := d.st.View(ctx, func(store.Tx) error { return errBoom }); !errors.Is(err, errBoom) {
		t.Errorf("View returned %v, want fn's error", err)
	}
}

func testViewSnapshot(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	d.update(t, func(tx store.Tx) error { return tx.CreateUser(ctx, user(1)) })
	d.view(t, func(tx store.Tx) error {
		if u, err := tx.GetUser(ctx, 1); err != nil || u.Name != user(1).Name {
			return fmt.Errorf("first read: %+v, %v", u, err)
		}
		// A write committed while the View runs is not seen by it.
		err := d.st.Update(ctx, func(tx store.Tx) error {
			u := user(1)
			u.Name = "changed"
			if err := tx.UpdateUser(ctx, u); err != nil {
				return err
			}
			return tx.CreateUser(ctx, user(2))
		})
		if err != nil {
			return fmt.Errorf("update during view: %w", err)
		}
		if u, err := tx.GetUser(ctx, 1); err != nil || u.Name != user(1).Name {
			t.Errorf("View saw a later commit: %+v, %v", u, err)
		}
		if _, err := tx.GetUser(ctx, 2); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("View saw a user created after it began: err %v", err)
		}
		return nil
	})
	d.view(t, func(tx store.Tx) error {
		if u, err := tx.GetUser(ctx, 1); err != nil || u.Name != "changed" {
			t.Errorf("a new View does not see the commit: %+v, %v", u, err)
		}
		return nil
	})
}

func testUpdateAfterClose(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	d.update(t, func(tx store.Tx) error { return writeAll(ctx, tx, 1) })
	if err := d.close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	done := make(chan struct{})
	var uerr, verr error
	ran := false
	go func() {
		defer close(done)
		uerr = d.st.Update(ctx, func(tx store.Tx) error {
			ran = true
			return writeAll(ctx, tx, 2)
		})
		verr = d.st.View(ctx, func(tx store.Tx) error {
			_, err := tx.GetUser(ctx, 1)
			return err
		})
	}()
	waitOrFail(t, done, "Update and View after Close")
	if uerr == nil {
		t.Errorf("Update after Close returned nil (fn ran: %v)", ran)
	} else if !errors.Is(uerr, store.ErrClosed) {
		t.Logf("Update after Close: %v (not ErrClosed)", uerr)
	}
	if verr == nil {
		t.Errorf("View after Close returned nil")
	}
	d.reopen(t)
	expectWrites(t, d, 1, true)
	expectWrites(t, d, 2, false)
}

func testCloseRace(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	const n = 64
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = d.st.Update(ctx, func(tx store.Tx) error { return writeAll(ctx, tx, uint64(i+1)) })
		})
	}
	close(start)
	var closeErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		closeErr = d.close()
		wg.Wait()
	}()
	waitOrFail(t, done, "Updates racing Close")
	if closeErr != nil {
		t.Fatalf("Close: %v", closeErr)
	}
	d.reopen(t)
	for i, err := range errs {
		// An Update that reported success is durable. (One that failed may or may not have
		// committed, as with any lost answer.)
		if err == nil {
			expectWrites(t, d, uint64(i+1), true)
		}
	}
}
