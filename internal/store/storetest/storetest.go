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
	"reflect"
	"slices"
	"strings"
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
		{"UsersNamed", testUsersNamed},
		{"Logins", testLogins},
		{"Relations", testRelations},
		{"SessionRoundTrip", testSessionRoundTrip},
		{"ListSessions", testListSessions},
		{"HasSessions", testHasSessions},
		{"Counters", testCounters},
		{"SystemSessionRoundTrip", testSystemSessionRoundTrip},
		{"ListSessionsOnlySystem", testListSessionsOnlySystem},
		{"ListSystemSessions", testListSystemSessions},
		{"CountersBiz", testCountersBiz},
		{"MessageRoundTrip", testMessageRoundTrip},
		{"MessageBigKeys", testMessageBigKeys},
		{"GetMessages", testGetMessages},
		{"ListMessages", testListMessages},
		{"SetMessageStatus", testSetMessageStatus},
		{"CountUnread", testCountUnread},
		{"Settings", testSettings},
		{"BlockWords", testBlockWords},
		{"BlockWordsConcurrentConflicts", testBlockWordsConcurrentConflicts},
		{"AutoReplies", testAutoReplies},
		{"MatchIndex", testMatchIndex},
		{"Works", testWorks},
		{"Seqno", testSeqno},
		{"MsgKey", testMsgKey},
		{"SequencesConcurrent", testSequencesConcurrent},
		{"SequencesReopen", testSequencesReopen},
		{"SequencesReopenPast2to63", testSequencesReopenPast2to63},
		{"UpdateErrorRollsBack", testUpdateErrorRollsBack},
		{"PrefsUpdateErrorRollsBack", testPrefsUpdateErrorRollsBack},
		{"UpdatePanic", testUpdatePanic},
		{"UpdateConcurrent", testUpdateConcurrent},
		{"UpdateConcurrentFailures", testUpdateConcurrentFailures},
		{"ViewReadOnly", testViewReadOnly},
		{"ViewSnapshot", testViewSnapshot},
		{"UpdateAfterClose", testUpdateAfterClose},
		{"CloseRace", testCloseRace},
		{"GroupRoundTrip", testGroupRoundTrip},
		{"GroupMembers", testGroupMembers},
		{"ListMembers", testListMembers},
		{"ListMemberships", testListMemberships},
		{"MembersNamed", testMembersNamed},
		{"MembersAmong", testMembersAmong},
		{"GroupMessageRoundTrip", testGroupMessageRoundTrip},
		{"GetGroupMessages", testGetGroupMessages},
		{"ListGroupMessages", testListGroupMessages},
		{"SetGroupMessageStatus", testSetGroupMessageStatus},
		{"GroupsUpdateErrorRollsBack", testGroupsUpdateErrorRollsBack},
		{"GroupsConcurrentFailures", testGroupsConcurrentFailures},
		{"GroupsViewReadOnly", testGroupsViewReadOnly},
		{"FeedInsertGet", testFeedInsertGet},
		{"FeedPut", testFeedPut},
		{"FeedAgg", testFeedAgg},
		{"FeedRenew", testFeedRenew},
		{"ListFeedItems", testListFeedItems},
		{"ListFeedItemsIsolation", testListFeedItemsIsolation},
		{"FeedUsers", testFeedUsers},
		{"FeedState", testFeedState},
		{"FeedsUpdateErrorRollsBack", testFeedsUpdateErrorRollsBack},
		{"FeedsViewReadOnly", testFeedsViewReadOnly},
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
	return pluck(ms, func(m store.Message) uint64 { return m.Seqno - seqBase })
}

func talkers(ss []store.Session) []uint64 {
	return pluck(ss, func(s store.Session) uint64 { return s.Talker })
}

func mids(us []store.User) []uint64 { return pluck(us, func(u store.User) uint64 { return u.Mid }) }

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

func testUsersNamed(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	names := map[uint64]string{over53: "小明", 7: "小明", 3: "小明", 4: "小明 ", 5: "Xiaoming", 6: "xiaoming"}
	d.update(t, func(tx store.Tx) error {
		for m, n := range names {
			u := user(m)
			u.Name = n
			if err := tx.CreateUser(ctx, u); err != nil {
				return err
			}
		}
		return nil
	})
	cases := []struct {
		name  string
		limit int
		want  []uint64
	}{
		{"小明", 10, []uint64{3, 7, over53}}, // exact, in mid order; "小明 " is another name
		{"小明", 2, []uint64{3, 7}},
		{"Xiaoming", 10, []uint64{5}}, // case matters
		{"小", 10, nil},
		{"", 10, nil},
	}
	d.view(t, func(tx store.Tx) error {
		for _, c := range cases {
			us, err := tx.UsersNamed(ctx, c.name, c.limit)
			if err != nil || !slices.Equal(mids(us), c.want) {
				t.Errorf("UsersNamed(%q, %d) = %v, %v; want %v", c.name, c.limit, mids(us), err, c.want)
			}
		}
		return nil
	})
}

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
	// Logout ends one login; the user's other logins stay.
	d.update(t, func(tx store.Tx) error { return tx.DeleteLogin(ctx, l1.TokenHash) })
	d.update(t, func(tx store.Tx) error {
		if err := tx.DeleteLogin(ctx, l1.TokenHash); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("DeleteLogin twice: err %v, want ErrNotFound", err)
		}
		return nil
	})
	d.view(t, func(tx store.Tx) error {
		if _, err := tx.GetLogin(ctx, l1.TokenHash); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetLogin after DeleteLogin: err %v, want ErrNotFound", err)
		}
		if got, err := tx.GetLogin(ctx, l2.TokenHash); err != nil || got.BiliJct != l2.BiliJct {
			t.Errorf("the other login after DeleteLogin: %+v, %v", got, err)
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
			if err != nil || !samePair(got, want) {
				t.Errorf("GetPair(%d, %d) = %s, %v; want %s, nil", mid, target, pairString(got), err, pairString(want))
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

	// The target's settings come with the pair: none until the target sets any, then all
	// of them, even when they are all zero.
	mine, theirs := store.Relation{Following: true, Blocking: true}, store.Relation{Following: true}
	zero, some := store.Settings{}, settingsOf(0)
	d.update(t, func(tx store.Tx) error { return tx.PutSettings(ctx, bigMid, zero) })
	pair(1, bigMid, store.Pair{TargetExists: true, Mine: mine, Theirs: theirs, TargetSettings: &zero})
	pair(bigMid, 1, store.Pair{Mine: theirs, Theirs: mine})
	d.update(t, func(tx store.Tx) error { return tx.PutSettings(ctx, bigMid, some) })
	pair(1, bigMid, store.Pair{TargetExists: true, Mine: mine, Theirs: theirs, TargetSettings: &some})
	pair(2, bigMid, store.Pair{TargetExists: true, TargetSettings: &some})
	pair(bigMid, 1, store.Pair{Mine: theirs, Theirs: mine})
	other := settingsOf(40)
	d.update(t, func(tx store.Tx) error {
		if err := tx.CreateUser(ctx, user(1)); err != nil {
			return err
		}
		return tx.PutSettings(ctx, 1, other)
	})
	pair(bigMid, 1, store.Pair{TargetExists: true, Mine: theirs, Theirs: mine, TargetSettings: &other})
	pair(1, bigMid, store.Pair{TargetExists: true, Mine: mine, Theirs: theirs, TargetSettings: &some})
}

// samePair compares pairs by the settings they hold, not the pointers.
func samePair(x, y store.Pair) bool {
	xs, ys := x.TargetSettings, y.TargetSettings
	if (xs == nil) != (ys == nil) || xs != nil && *xs != *ys {
		return false
	}
	x.TargetSettings, y.TargetSettings = nil, nil
	return x == y
}

func pairString(p store.Pair) string {
	s := "nil"
	if p.TargetSettings != nil {
		s = fmt.Sprintf("%+v", *p.TargetSettings)
	}
	return fmt.Sprintf("{TargetExists:%v Mine:%+v Theirs:%+v TargetSettings:%s}", p.TargetExists, p.Mine, p.Theirs, s)
}

// --- sessions ---

func testSessionRoundTrip(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	full := store.Session{Owner: over53, Type: 1, Talker: bigMid, AckSeqno: seqBase + 3, AckTs: 1717315200123456,
		MaxSeqno: seqBase + 9, SessionTs: 1717315299654321, TopTs: 1717315000000001, Unread: 6,
		LastMsgKey: keyBase + 77, IsFollow: true, IsDnd: true, PushSetting: 1, Intercept: true, Trust: true,
		Hidden: true, MySent: 2, TalkerActive: true, AutoReplyAt: tsBase + 86_400}
	other := full
	other.Type = 2 // same owner and talker, another session type: another row
	other.Unread, other.AutoReplyAt = 1, 0
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
		sess(1, 1000, 500, func(s *store.Session) { s.IsFollow, s.Unread, s.AutoReplyAt = true, 2, tsBase }),
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

// --- preferences ---

// settingsOf returns settings derived from base: values 0–7 (the store's range), mostly
// different from field to field and from base to base, so that a column read into the
// wrong field, or another row's values, show.
func settingsOf(base int) store.Settings {
	v := func(i int) int { return int(uint32(base*2654435761+i*40503) >> 29) }
	return store.Settings{ShowUnfollowedMsg: v(1), MsgNotify: v(2), SetLike: v(3), SetComment: v(4),
		SetAt: v(5), IsGroupFold: v(6), ShouldReceiveGroup: v(7), ReceiveUnfollowMsg: v(8),
		FollowedReply: v(9), KeysReply: v(10), RecvReply: v(11), VoyageReply: v(12),
		RecommendFollowedReply: v(13), AIIntercept: v(14), SetRecvReply: v(15), SetRecvLike: v(16),
		SetNewFollow: v(17)}
}

// rule builds an auto-reply to insert (ID 0), tagged with n.
func rule(owner uint64, typ int, n int64) store.AutoReply {
	return store.AutoReply{Owner: owner, Type: typ, Title: fmt.Sprintf("规则 %d", n), Key1: "你好，Hello",
		Key2: fmt.Sprintf("价格，price%d", n), Reply: fmt.Sprintf("感谢关注 [doge] #%d\n\"quoted\" 'single' 100%% \\ ", n),
		Ctime: tsBase + n}
}

// work builds a work whose fields all derive from aid.
func work(owner, aid uint64, pubDate int64) store.Work {
	return store.Work{Owner: owner, Aid: aid, Bvid: fmt.Sprintf("BV1xx4%dc7mD", aid%1000), Title: fmt.Sprintf("视频 %d", aid),
		Cover: fmt.Sprintf("https://i0.hdslb.com/bfs/archive/%d.jpg", aid%1000), PubDate: pubDate,
		Plays: int64(aid%1000)*1000 + 1, Danmaku: int64(aid%100) + 2, Favorites: int64(aid%10) + 3}
}

func contents(ws []store.BlockWord) []string {
	return pluck(ws, func(w store.BlockWord) string { return w.Content })
}

func ruleIDs(rs []store.AutoReply) []uint64 {
	return pluck(rs, func(r store.AutoReply) uint64 { return r.ID })
}

func aids(ws []store.Work) []uint64 { return pluck(ws, func(w store.Work) uint64 { return w.Aid }) }

// prefsOf prints everything the preference stores hold for owner, to compare before and
// after an operation that must change nothing.
func prefsOf(ctx context.Context, tx store.Tx, owner uint64) string {
	var b strings.Builder
	s, err := tx.GetSettings(ctx, owner)
	fmt.Fprintf(&b, "settings %+v (%v); ", s, err)
	ws, err := tx.ListBlockWords(ctx, owner)
	fmt.Fprintf(&b, "words %+v (%v); ", ws, err)
	for _, typ := range []int{1, 2, 3, 5} {
		rs, err := tx.ListAutoReplies(ctx, owner, typ)
		fmt.Fprintf(&b, "replies %d %+v (%v); ", typ, rs, err)
	}
	works, err := tx.ListWorks(ctx, owner, 1000)
	fmt.Fprintf(&b, "works %+v (%v)", works, err)
	return b.String()
}

func (d *db) prefs(t *testing.T, owner uint64) string {
	t.Helper()
	var p string
	d.view(t, func(tx store.Tx) error {
		p = prefsOf(t.Context(), tx, owner)
		return nil
	})
	return p
}

func testSettings(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	get := func(owner uint64, want store.Settings) {
		t.Helper()
		d.view(t, func(tx store.Tx) error {
			got, err := tx.GetSettings(ctx, owner)
			if err != nil || got != want {
				t.Errorf("GetSettings(%d) = %+v, %v\nwant %+v", owner, got, err, want)
			}
			return nil
		})
	}
	absent := func(owner uint64) {
		t.Helper()
		d.view(t, func(tx store.Tx) error {
			if _, err := tx.GetSettings(ctx, owner); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("GetSettings(%d) of an owner who never set anything: err %v, want ErrNotFound", owner, err)
			}
			return nil
		})
	}
	put := func(owner uint64, s store.Settings) {
		t.Helper()
		d.update(t, func(tx store.Tx) error { return tx.PutSettings(ctx, owner, s) })
	}
	absent(over53)
	absent(1)
	put(over53, settingsOf(0))
	put(1, settingsOf(100))
	get(over53, settingsOf(0))
	get(1, settingsOf(100))
	absent(2)
	// PutSettings replaces every field, including back to zero; an all-zero row still exists.
	put(over53, store.Settings{})
	get(over53, store.Settings{})
	get(1, settingsOf(100))
	neg := settingsOf(-1000)
	put(over53, neg)
	get(over53, neg)
	// Several puts in one transaction: the last wins.
	d.update(t, func(tx store.Tx) error {
		for i := range 5 {
			if err := tx.PutSettings(ctx, 1, settingsOf(200+i)); err != nil {
				return err
			}
		}
		return nil
	})
	get(1, settingsOf(204))
	// Values outside 0–7 are refused, and the refusal writes nothing.
	for _, bad := range []int{-1, 8, 1 << 40} {
		st := settingsOf(300)
		st.SetNewFollow = bad
		if err := d.st.Update(ctx, func(tx store.Tx) error { return tx.PutSettings(ctx, 2, st) }); err == nil {
			t.Errorf("PutSettings with a value of %d: no error", bad)
		}
	}
	d.reopen(t)
	get(over53, neg)
	get(1, settingsOf(204))
	absent(2)
}

func testBlockWords(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	const a, b = bigMid, over53
	list := func(owner uint64, want ...store.BlockWord) {
		t.Helper()
		d.view(t, func(tx store.Tx) error {
			got, err := tx.ListBlockWords(ctx, owner)
			if err != nil || !slices.Equal(got, want) {
				t.Errorf("ListBlockWords(%d) = %q, %v\nwant %q", owner, contents(got), err, contents(want))
				if err == nil && slices.Equal(contents(got), contents(want)) {
					t.Errorf("ctimes differ: %+v\nwant %+v", got, want)
				}
			}
			return nil
		})
	}
	add := func(owner uint64, ws ...store.BlockWord) {
		t.Helper()
		d.update(t, func(tx store.Tx) error {
			for _, w := range ws {
				if err := tx.AddBlockWord(ctx, owner, w); err != nil {
					return fmt.Errorf("AddBlockWord(%d, %q): %w", owner, w.Content, err)
				}
			}
			return nil
		})
	}
	list(a)
	// Words are stored exactly: different case, width, normalisation form or characters
	// that are special in SQL are all different words, even with the same folded form.
	w := func(content string, ctime int64) store.BlockWord {
		return store.BlockWord{Content: content, Ctime: ctime}
	}
	words := []store.BlockWord{
		w("广告", tsBase), w("ABC", tsBase+1), w("abc", tsBase+1), w("ＡＢＣ", tsBase+2), w("😀表情", tsBase+3),
		w("caf\u00e9", tsBase+4), w("cafe\u0301", tsBase+5), w("Σας", tsBase+6), w("σας", tsBase+6),
		w(`a'b"c%_\`, tsBase+7), w("%", tsBase+8), w("发", tsBase+9), w("發", tsBase+10), w("x", 0),
		{Content: "kept as given", Ctime: tsBase + 11},
	}
	add(a, words[0])
	add(a, words[1:5]...) // several in one transaction keep their order too
	for _, x := range words[5:] {
		add(a, x)
	}
	// Someone else's words are separate, even the same ones.
	add(b, w("abc", tsBase+100), w("广告", tsBase+101))
	list(a, words...)
	list(b, w("abc", tsBase+100), w("广告", tsBase+101))
	list(1)

	// The exact same word again conflicts, whatever its ctime, and changes nothing.
	for _, dup := range []store.BlockWord{w("ABC", tsBase+1), w("广告", tsBase+50), w(`a'b"c%_\`, 0),
		{Content: "abc", Ctime: tsBase}} {
		err := d.st.Update(ctx, func(tx store.Tx) error { return tx.AddBlockWord(ctx, a, dup) })
		if !errors.Is(err, store.ErrConflict) {
			t.Errorf("AddBlockWord of the existing %q: %v, want ErrConflict", dup.Content, err)
		}
	}
	// A conflict after other writes in the same transaction undoes them.
	err := d.st.Update(ctx, func(tx store.Tx) error {
		if err := tx.AddBlockWord(ctx, a, w("new-1", tsBase)); err != nil {
			return err
		}
		if err := tx.PutSettings(ctx, a, settingsOf(0)); err != nil {
			return err
		}
		return tx.AddBlockWord(ctx, a, w("广告", tsBase))
	})
	if !errors.Is(err, store.ErrConflict) {
		t.Errorf("Update adding an existing word after other writes: %v, want ErrConflict", err)
	}
	// The same new word twice in one transaction conflicts with itself.
	err = d.st.Update(ctx, func(tx store.Tx) error {
		if err := tx.AddBlockWord(ctx, a, w("new-2", tsBase)); err != nil {
			return err
		}
		return tx.AddBlockWord(ctx, a, w("new-2", tsBase+1))
	})
	if !errors.Is(err, store.ErrConflict) {
		t.Errorf("adding a new word twice in one Update: %v, want ErrConflict", err)
	}
	list(a, words...)
	d.view(t, func(tx store.Tx) error {
		if _, err := tx.GetSettings(ctx, a); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("settings written before a conflict survived: err %v", err)
		}
		return nil
	})
	// A transaction that sees the conflict and carries on is still atomic: either all of
	// its other writes persist (and Update answers nil) or none do.
	var inner error
	err = d.st.Update(ctx, func(tx store.Tx) error {
		if err := tx.AddBlockWord(ctx, a, w("before-conflict", tsBase)); err != nil {
			return err
		}
		inner = tx.AddBlockWord(ctx, a, w("abc", tsBase))
		if !errors.Is(inner, store.ErrConflict) {
			return nil // reported below
		}
		return tx.AddBlockWord(ctx, a, w("after-conflict", tsBase))
	})
	if !errors.Is(inner, store.ErrConflict) {
		t.Errorf("AddBlockWord of an existing word inside a transaction: %v, want ErrConflict", inner)
	}
	if err == nil {
		words = append(words, w("before-conflict", tsBase), w("after-conflict", tsBase))
	} else {
		t.Logf("Update that swallowed a conflict: %v (its writes must all be gone)", err)
	}
	list(a, words...)
	// The store keeps working after conflicts.
	add(a, w("later", tsBase+20))
	words = append(words, w("later", tsBase+20))
	list(a, words...)

	// Deleting is exact too; a word that is not there is no error.
	del := func(owner uint64, content string) {
		t.Helper()
		d.update(t, func(tx store.Tx) error { return tx.DeleteBlockWord(ctx, owner, content) })
	}
	del(a, "abc")
	words = slices.DeleteFunc(words, func(x store.BlockWord) bool { return x.Content == "abc" })
	list(a, words...)
	for _, absent := range []string{"abc", "nope", "", "ａｂｃ", "_%", "a_c"} {
		del(a, absent)
	}
	list(a, words...)
	del(a, "%") // no wildcards: only the word "%" goes
	words = slices.DeleteFunc(words, func(x store.BlockWord) bool { return x.Content == "%" })
	list(a, words...)
	del(1, "abc") // an owner without words
	del(b, "广告")  // someone else's word: a's stays
	list(a, words...)
	list(b, w("abc", tsBase+100))
	// A word deleted and added again is the newest.
	del(a, "广告")
	add(a, w("广告", tsBase+30))
	words = append(slices.DeleteFunc(words, func(x store.BlockWord) bool { return x.Content == "广告" }), w("广告", tsBase+30))
	list(a, words...)
	d.reopen(t)
	list(a, words...)
	list(b, w("abc", tsBase+100))
}

// testBlockWordsConcurrentConflicts runs block-word adds that conflict in the middle of a
// full batch (for a backend that batches): the conflicting ops fail alone and leave
// nothing behind, the others commit exactly once.
func testBlockWordsConcurrentConflicts(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	const n = 96
	const racer = 9999 // everyone with id%4 == 3 adds the same word here: one wins
	taken := store.BlockWord{Content: "taken", Ctime: tsBase}
	d.update(t, func(tx store.Tx) error {
		for i := range n {
			if err := tx.AddBlockWord(ctx, uint64(i+1), taken); err != nil {
				return err
			}
		}
		return nil
	})
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
			return tx.AddBlockWord(ctx, 5000, taken)
		})
	}()
	<-started
	errs, inner := make([]error, n), make([]error, n)
	var ready, wg sync.WaitGroup
	ready.Add(n)
	for i := range n {
		wg.Go(func() {
			id := uint64(i + 1)
			ready.Done()
			errs[i] = d.st.Update(ctx, func(tx store.Tx) error {
				inner[i] = nil
				if err := tx.AddBlockWord(ctx, id, store.BlockWord{Content: fmt.Sprintf("w-%d", id), Ctime: tsBase}); err != nil {
					return err
				}
				if err := tx.AddCounters(ctx, 5000, store.Counters{Unfollow: 1}); err != nil {
					return err
				}
				switch id % 4 {
				case 1:
					return tx.AddBlockWord(ctx, id, taken)
				case 2:
					// Sees the conflict and carries on.
					inner[i] = tx.AddBlockWord(ctx, id, taken)
					if !errors.Is(inner[i], store.ErrConflict) {
						return fmt.Errorf("op %d: AddBlockWord of an existing word: %v, want ErrConflict", id, inner[i])
					}
					return tx.AddBlockWord(ctx, id, store.BlockWord{Content: fmt.Sprintf("w2-%d", id), Ctime: tsBase})
				case 3:
					return tx.AddBlockWord(ctx, racer, store.BlockWord{Content: "race", Ctime: int64(id)})
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
	ok, raceWinner := 0, uint64(0)
	d.view(t, func(tx store.Tx) error {
		for i, err := range errs {
			id := uint64(i + 1)
			ws, lerr := tx.ListBlockWords(ctx, id)
			if lerr != nil {
				return lerr
			}
			want := []string{"taken"}
			switch {
			case id%4 == 1:
				if !errors.Is(err, store.ErrConflict) {
					t.Errorf("op %d: %v, want ErrConflict", id, err)
				}
			case id%4 == 2 && err != nil:
				if !errors.Is(inner[i], store.ErrConflict) {
					t.Errorf("op %d: %v", id, err)
				}
			case id%4 == 2:
				want = append(want, fmt.Sprintf("w-%d", id), fmt.Sprintf("w2-%d", id))
			case id%4 == 3 && err != nil:
				if !errors.Is(err, store.ErrConflict) {
					t.Errorf("op %d: %v, want nil or ErrConflict", id, err)
				}
			case err != nil:
				t.Errorf("op %d: %v", id, err)
			default:
				if id%4 == 3 {
					if raceWinner != 0 {
						t.Errorf("ops %d and %d both added the same word", raceWinner, id)
					}
					raceWinner = id
				}
				want = append(want, fmt.Sprintf("w-%d", id))
			}
			if len(want) > 1 {
				ok++
			}
			if !slices.Equal(contents(ws), want) {
				t.Errorf("op %d (Update: %v): words %q, want %q", id, err, contents(ws), want)
			}
		}
		ws, err := tx.ListBlockWords(ctx, racer)
		if err != nil {
			return err
		}
		if raceWinner == 0 || len(ws) != 1 || ws[0] != (store.BlockWord{Content: "race", Ctime: int64(raceWinner)}) {
			t.Errorf("raced word: %+v, winner %d; want exactly the winner's", ws, raceWinner)
		}
		c, err := tx.GetCounters(ctx, 5000)
		if err == nil && c.Unfollow != int64(ok) {
			t.Errorf("shared counter = %d, want %d (one per successful op)", c.Unfollow, ok)
		}
		return err
	})
}

func testAutoReplies(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	const a, b = bigMid, over53
	missing := func(ids ...uint64) {
		t.Helper()
		d.view(t, func(tx store.Tx) error {
			for _, id := range ids {
				if r, err := tx.GetAutoReply(ctx, id); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("GetAutoReply(%d) = %+v, %v; want ErrNotFound", id, r, err)
				}
			}
			return nil
		})
	}
	list := func(owner uint64, typ int, want ...store.AutoReply) {
		t.Helper()
		d.view(t, func(tx store.Tx) error {
			got, err := tx.ListAutoReplies(ctx, owner, typ)
			if err != nil || !slices.EqualFunc(got, want, func(a, b store.AutoReply) bool { return reflect.DeepEqual(a, b) }) {
				t.Errorf("ListAutoReplies(%d, %d) = ids %v, %v\ngot  %+v\nwant %+v", owner, typ, ruleIDs(got), err, got, want)
			}
			for _, w := range want {
				if got, err := tx.GetAutoReply(ctx, w.ID); err != nil || !reflect.DeepEqual(got, w) {
					t.Errorf("GetAutoReply(%d) = %+v, %v\nwant %+v", w.ID, got, err, w)
				}
			}
			return nil
		})
	}
	insert := func(r store.AutoReply) store.AutoReply {
		t.Helper()
		var id uint64
		d.update(t, func(tx store.Tx) (err error) {
			id, err = tx.PutAutoReply(ctx, r)
			return err
		})
		if id == 0 {
			t.Fatalf("PutAutoReply insert returned id 0")
		}
		r.ID = id
		return r
	}
	list(a, 2)
	missing(0, 1, 2, 1<<63-1, 1<<63, 1<<64-1)

	r1 := insert(rule(a, 2, 1))
	r2 := insert(rule(a, 2, 2))
	var r3, r4, r5 store.AutoReply
	d.update(t, func(tx store.Tx) error { // several in one transaction
		r3, r4, r5 = rule(b, 2, 3), rule(a, 1, 4), rule(a, 2, 5)
		r4.Title, r4.Key1, r4.Key2 = "", "", "" // texts other than keyword rules have none
		for _, r := range []*store.AutoReply{&r3, &r4, &r5} {
			id, err := tx.PutAutoReply(ctx, *r)
			if err != nil {
				return err
			}
			r.ID = id
		}
		return nil
	})
	ids := ruleIDs([]store.AutoReply{r1, r2, r3, r4, r5})
	for i := 1; i < len(ids); i++ {
		if ids[i] <= ids[i-1] {
			t.Fatalf("PutAutoReply ids in insertion order: %v, want increasing", ids)
		}
	}
	list(a, 2, r5, r2, r1) // newest first
	list(a, 1, r4)
	list(a, 3)
	list(a, 5)
	list(b, 2, r3)
	list(b, 1)
	list(1, 2)

	// Replacing keeps the id and the place in the list: newest means highest id, not ctime.
	r2b := r2
	r2b.Title, r2b.Key1, r2b.Key2, r2b.Reply, r2b.Ctime = "改名了", "", "only，fuzzy", "新的回复 😀\n第二行", tsBase+1000
	d.update(t, func(tx store.Tx) error {
		id, err := tx.PutAutoReply(ctx, r2b)
		if err == nil && id != r2b.ID {
			return fmt.Errorf("PutAutoReply replace returned id %d, want %d", id, r2b.ID)
		}
		return err
	})
	list(a, 2, r5, r2b, r1)
	list(b, 2, r3)

	// Replacing a rule that does not exist is ErrNotFound and creates nothing.
	for _, id := range []uint64{r5.ID + 1000, 1<<63 - 1, 1<<64 - 1} {
		ghost := rule(a, 2, 9)
		ghost.ID = id
		err := d.st.Update(ctx, func(tx store.Tx) error {
			_, err := tx.PutAutoReply(ctx, ghost)
			return err
		})
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("PutAutoReply replacing missing id %d: %v, want ErrNotFound", id, err)
		}
		missing(id)
	}
	list(a, 2, r5, r2b, r1)

	// Deleting; deleting what is not there is no error.
	d.update(t, func(tx store.Tx) error { return tx.DeleteAutoReply(ctx, r5.ID) })
	list(a, 2, r2b, r1)
	missing(r5.ID)
	d.update(t, func(tx store.Tx) error {
		for _, id := range []uint64{r5.ID, r5.ID + 1000, 0, 1<<63 - 1, 1<<64 - 1} {
			if err := tx.DeleteAutoReply(ctx, id); err != nil {
				return fmt.Errorf("DeleteAutoReply(%d) of a missing id: %w", id, err)
			}
		}
		return nil
	})
	list(a, 2, r2b, r1)
	list(a, 1, r4)
	list(b, 2, r3)

	// Ids are never reused, not even the highest one just freed, nor after a restart.
	r6 := insert(rule(a, 2, 6))
	if r6.ID <= r5.ID {
		t.Errorf("id %d handed out after deleting %d: reused", r6.ID, r5.ID)
	}
	list(a, 2, r6, r2b, r1)
	d.update(t, func(tx store.Tx) error { return tx.DeleteAutoReply(ctx, r6.ID) })
	d.reopen(t)
	r7 := insert(rule(a, 2, 7))
	if r7.ID <= r6.ID {
		t.Errorf("id %d handed out after a restart, after deleting %d: reused", r7.ID, r6.ID)
	}
	list(a, 2, r7, r2b, r1)
	list(a, 1, r4)
	list(b, 2, r3)
	missing(r5.ID, r6.ID)
}

func testWorks(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	const a, b = over53, bigMid
	const maxAid = 1<<63 - 1
	list := func(owner uint64, limit int, want ...store.Work) {
		t.Helper()
		d.view(t, func(tx store.Tx) error {
			got, err := tx.ListWorks(ctx, owner, limit)
			if err != nil || !slices.Equal(got, want) {
				t.Errorf("ListWorks(%d, %d) = aids %v, %v\ngot  %+v\nwant %+v", owner, limit, aids(got), err, got, want)
			}
			return nil
		})
	}
	put := func(ws ...store.Work) {
		t.Helper()
		d.update(t, func(tx store.Tx) error {
			for _, w := range ws {
				if err := tx.PutWork(ctx, w); err != nil {
					return err
				}
			}
			return nil
		})
	}
	list(a, 10)
	w1, w2, w3 := work(a, 1, tsBase+10), work(a, 2, tsBase+30), work(a, 3, tsBase+20)
	wMax, w4 := work(a, maxAid, tsBase+20), work(a, 4, tsBase+20)
	w4.Bvid, w4.Cover = "", ""   // a work without a bvid is linked by its aid
	b3 := work(b, 3, tsBase+100) // the same aid for someone else is another work
	put(w1, w2)
	put(w3, wMax, w4, b3)
	// Latest publication first, then highest aid.
	list(a, 10, w2, wMax, w4, w3, w1)
	list(a, 5, w2, wMax, w4, w3, w1)
	list(a, 3, w2, wMax, w4)
	list(a, 1, w2)
	list(b, 10, b3)
	list(1, 10)

	// PutWork replaces the whole work, which can move it in the order.
	w2b := work(a, 2, tsBase+5)
	w2b.Title, w2b.Plays, w2b.Danmaku, w2b.Favorites = "改过的标题", 123_456_789, 0, 0
	put(w2b)
	list(a, 10, wMax, w4, w3, w1, w2b)
	w4b := w4
	w4b.PubDate, w4b.Bvid = tsBase+1000, "BV1new"
	put(w4b)
	list(a, 3, w4b, wMax, w3)
	list(b, 10, b3)

	// Deleting; deleting what is not there, or someone else's aid, is no error and
	// touches nothing else.
	del := func(owner, aid uint64) {
		t.Helper()
		d.update(t, func(tx store.Tx) error { return tx.DeleteWork(ctx, owner, aid) })
	}
	del(a, 3)
	list(a, 10, w4b, wMax, w1, w2b)
	list(b, 10, b3)
	del(a, 3)
	del(a, 12345)
	del(1, 1)
	del(b, 1)
	del(a, 1<<64-1)
	list(a, 10, w4b, wMax, w1, w2b)
	list(b, 10, b3)
	del(b, 3)
	list(b, 10)
	list(a, 10, w4b, wMax, w1, w2b)
	d.reopen(t)
	list(a, 10, w4b, wMax, w1, w2b)
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
	if err := tx.InsertMessage(ctx, message(n, n, n+1, n)); err != nil {
		return err
	}
	if err := tx.PutSettings(ctx, n, settingsOf(int(n%1000))); err != nil {
		return err
	}
	if err := tx.AddBlockWord(ctx, n, store.BlockWord{Content: fmt.Sprintf("word-%d", n), Ctime: tsBase}); err != nil {
		return err
	}
	if _, err := tx.PutAutoReply(ctx, rule(n, 2, int64(n%1000))); err != nil {
		return err
	}
	return tx.PutWork(ctx, work(n, n, tsBase))
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
	if _, err := tx.GetSettings(ctx, n); err == nil {
		present++
	} else if !errors.Is(err, store.ErrNotFound) {
		return 0, err
	}
	ws, err := tx.ListBlockWords(ctx, n)
	if err != nil {
		return 0, err
	}
	if len(ws) > 0 {
		present++
	}
	rs, err := tx.ListAutoReplies(ctx, n, 2)
	if err != nil {
		return 0, err
	}
	if len(rs) > 0 {
		present++
	}
	works, err := tx.ListWorks(ctx, n, 10)
	if err != nil {
		return 0, err
	}
	if len(works) > 0 {
		present++
	}
	return present, nil
}

const numWrites = 10

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

// testPrefsUpdateErrorRollsBack changes every kind of preference of an owner who has some
// and of one who has none, then fails: nothing is left behind.
func testPrefsUpdateErrorRollsBack(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	sess := store.Session{Owner: 1, Type: 1, Talker: 2, MaxSeqno: seqBase + 1, AutoReplyAt: tsBase}
	d.update(t, func(tx store.Tx) error {
		if err := writeAll(ctx, tx, 1); err != nil {
			return err
		}
		if _, err := tx.PutAutoReply(ctx, rule(1, 2, 77)); err != nil {
			return err
		}
		if err := tx.PutWork(ctx, work(1, 2, tsBase+1)); err != nil {
			return err
		}
		return tx.PutSession(ctx, sess)
	})
	before1, before2 := d.prefs(t, 1), d.prefs(t, 2)
	var newID uint64
	change := func(ctx context.Context, tx store.Tx) error {
		if err := tx.PutSettings(ctx, 1, store.Settings{}); err != nil {
			return err
		}
		if err := tx.PutSettings(ctx, 2, settingsOf(2)); err != nil {
			return err
		}
		if err := tx.DeleteBlockWord(ctx, 1, "word-1"); err != nil {
			return err
		}
		for _, owner := range []uint64{1, 2} {
			if err := tx.AddBlockWord(ctx, owner, store.BlockWord{Content: "extra", Ctime: tsBase}); err != nil {
				return err
			}
		}
		rs, err := tx.ListAutoReplies(ctx, 1, 2)
		if err != nil {
			return err
		}
		if len(rs) != 2 {
			return fmt.Errorf("owner 1 has %d keyword rules, want 2", len(rs))
		}
		r := rs[0]
		r.Reply, r.Key2 = "changed", "changed"
		if _, err := tx.PutAutoReply(ctx, r); err != nil {
			return err
		}
		if err := tx.DeleteAutoReply(ctx, rs[1].ID); err != nil {
			return err
		}
		if newID, err = tx.PutAutoReply(ctx, rule(2, 3, 8)); err != nil {
			return err
		}
		changed := work(1, 1, tsBase+99)
		changed.Title = "changed"
		if err := tx.PutWork(ctx, changed); err != nil {
			return err
		}
		if err := tx.DeleteWork(ctx, 1, 2); err != nil {
			return err
		}
		if err := tx.PutWork(ctx, work(2, 7, tsBase)); err != nil {
			return err
		}
		s := sess
		s.AutoReplyAt = tsBase + 500
		if err := tx.PutSession(ctx, s); err != nil {
			return err
		}
		// The transaction sees its own changes.
		if got := prefsOf(ctx, tx, 1); got == before1 {
			return fmt.Errorf("inside the transaction owner 1's preferences look unchanged: %s", got)
		}
		if got := prefsOf(ctx, tx, 2); got == before2 {
			return fmt.Errorf("inside the transaction owner 2's preferences look unchanged: %s", got)
		}
		if got, err := tx.GetAutoReply(ctx, newID); err != nil || got.Owner != 2 {
			return fmt.Errorf("inside the transaction GetAutoReply(%d) = %+v, %v", newID, got, err)
		}
		return nil
	}
	unchanged := func(what string) {
		t.Helper()
		if got := d.prefs(t, 1); got != before1 {
			t.Errorf("%s: owner 1's preferences changed:\n%s\nwant %s", what, got, before1)
		}
		if got := d.prefs(t, 2); got != before2 {
			t.Errorf("%s: owner 2 has preferences: %s", what, got)
		}
		d.view(t, func(tx store.Tx) error {
			if r, err := tx.GetAutoReply(ctx, newID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s: the rule inserted by the failed transaction is there: %+v, %v", what, r, err)
			}
			if s, err := tx.GetSession(ctx, 1, 1, 2); err != nil || s != sess {
				t.Errorf("%s: session = %+v, %v; want %+v", what, s, err, sess)
			}
			return nil
		})
	}
	fails := []struct {
		name string
		fail func(tx store.Tx) error
		want error
	}{
		{"fn's error", func(store.Tx) error { return errBoom }, errBoom},
		{"duplicate word", func(tx store.Tx) error {
			return tx.AddBlockWord(ctx, 1, store.BlockWord{Content: "extra", Ctime: tsBase})
		}, store.ErrConflict},
		{"missing rule", func(tx store.Tx) error {
			r := rule(1, 2, 1)
			r.ID = newID + 1000
			_, err := tx.PutAutoReply(ctx, r)
			return err
		}, store.ErrNotFound},
	}
	for _, f := range fails {
		err := d.st.Update(ctx, func(tx store.Tx) error {
			if err := change(ctx, tx); err != nil {
				return err
			}
			return f.fail(tx)
		})
		if !errors.Is(err, f.want) {
			t.Errorf("%s: Update returned %v, want %v", f.name, err, f.want)
		}
		unchanged(f.name)
	}
	// The same changes commit when fn succeeds.
	d.update(t, func(tx store.Tx) error { return change(ctx, tx) })
	if d.prefs(t, 1) == before1 || d.prefs(t, 2) == before2 {
		t.Errorf("the changes did not commit")
	}
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
	prefs1 := d.prefs(t, 1)
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
		{"PutSettings new", func(tx store.Tx) error { return tx.PutSettings(ctx, 2, settingsOf(2)) }},
		{"PutSettings replace", func(tx store.Tx) error { return tx.PutSettings(ctx, 1, store.Settings{}) }},
		{"AddBlockWord", func(tx store.Tx) error {
			return tx.AddBlockWord(ctx, 1, store.BlockWord{Content: "x", Ctime: 1})
		}},
		{"DeleteBlockWord", func(tx store.Tx) error { return tx.DeleteBlockWord(ctx, 1, "word-1") }},
		{"PutAutoReply insert", func(tx store.Tx) error { _, err := tx.PutAutoReply(ctx, rule(1, 2, 9)); return err }},
		{"PutAutoReply replace", func(tx store.Tx) error {
			rs, err := tx.ListAutoReplies(ctx, 1, 2)
			if err != nil || len(rs) != 1 {
				return fmt.Errorf("storetest: ListAutoReplies = %v, %v", rs, err) // not nil: reported below
			}
			r := rs[0]
			r.Reply = "changed"
			_, err = tx.PutAutoReply(ctx, r)
			return err
		}},
		{"DeleteAutoReply", func(tx store.Tx) error {
			rs, err := tx.ListAutoReplies(ctx, 1, 2)
			if err != nil || len(rs) != 1 {
				return fmt.Errorf("storetest: ListAutoReplies = %v, %v", rs, err)
			}
			return tx.DeleteAutoReply(ctx, rs[0].ID)
		}},
		{"PutWork", func(tx store.Tx) error { return tx.PutWork(ctx, work(1, 2, tsBase)) }},
		{"DeleteWork", func(tx store.Tx) error { return tx.DeleteWork(ctx, 1, 1) }},
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
		if got := prefsOf(ctx, tx, 1); got != prefs1 {
			t.Errorf("preferences of 1 = %s\nwant unchanged: %s", got, prefs1)
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

// pluck maps each element of xs through f.
func pluck[T, U any](xs []T, f func(T) U) []U {
	out := make([]U, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

// testMatchIndex: one opaque text per owner and kind, "" when absent; put replaces, ""
// removes; kinds and owners are separate; any content round-trips.
func testMatchIndex(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	const a, b = bigMid, over53
	words, rules := store.IndexBlockWords, store.IndexReplyRules
	get := func(owner uint64, kind store.IndexKind, want string) {
		t.Helper()
		d.view(t, func(tx store.Tx) error {
			if got, err := tx.GetMatchIndex(ctx, owner, kind); err != nil || got != want {
				t.Errorf("GetMatchIndex(%d, %d) = %q, %v; want %q", owner, kind, got, err, want)
			}
			return nil
		})
	}
	put := func(owner uint64, kind store.IndexKind, idx string) {
		t.Helper()
		d.update(t, func(tx store.Tx) error { return tx.PutMatchIndex(ctx, owner, kind, idx) })
	}
	get(a, rules, "")
	odd := "7 e 2:hi;3 f 5:价格\x00;\n'\"%_"
	put(a, rules, odd)
	put(a, words, "2:ad;")
	put(b, rules, "1 f 1:x;")
	get(a, rules, odd)
	get(a, words, "2:ad;")
	get(b, rules, "1 f 1:x;")
	get(b, words, "")
	put(a, rules, "9 e 1:y;")
	get(a, rules, "9 e 1:y;")
	put(a, rules, "")
	get(a, rules, "")
	get(a, words, "2:ad;")
	d.reopen(t)
	get(b, rules, "1 f 1:x;")
	get(a, words, "2:ad;")
	d.view(t, func(tx store.Tx) error {
		if err := tx.PutMatchIndex(ctx, a, words, "z"); err == nil {
			t.Errorf("PutMatchIndex inside View: no error")
		}
		return nil
	})
}
