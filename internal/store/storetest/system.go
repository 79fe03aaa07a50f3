package storetest

// Conformance of the system accounts' sessions (docs/feed.md "System accounts and their
// pushes"): Session.SystemType, SessionQuery.OnlySystem, ListSystemSessions, and the
// Biz counter of unread pushes.

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/bilimsg/bilimsg/internal/store"
)

// System accounts' talker ids (system_msg_type 1, 7, 8, 9).
const (
	sys1 = 844424930131967
	sys7 = 844424930131966
	sys8 = 844424930131964
	sys9 = 844424930131965
)

func systemTypes(ss []store.Session) []int {
	return pluck(ss, func(s store.Session) int { return s.SystemType })
}

func testSystemSessionRoundTrip(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	full := store.Session{Owner: over53, Type: 1, Talker: sys7, AckSeqno: seqBase + 3, AckTs: 1709536924979884,
		MaxSeqno: seqBase + 9, SessionTs: 1712305278098351, TopTs: 1712305000000001, Unread: 4,
		LastMsgKey: keyBase + 77, IsFollow: true, IsDnd: true, PushSetting: 1, Intercept: true, Trust: true,
		Hidden: true, MySent: 2, TalkerActive: true, AutoReplyAt: tsBase, SystemType: 7}
	sessions := []store.Session{full}
	for _, st := range []struct {
		talker uint64
		typ    int
	}{{sys1, 1}, {sys8, 8}, {sys9, 9}, {bigMid + 100, math.MaxInt32}, {bigMid + 101, 1 << 40}, {bigMid + 102, -1}} {
		s := full
		s.Talker, s.SystemType, s.Hidden, s.Intercept = st.talker, st.typ, false, false
		sessions = append(sessions, s)
	}
	user := full
	user.Talker, user.SystemType = 4242, 0
	sessions = append(sessions, user)
	d.update(t, func(tx store.Tx) error {
		for _, s := range sessions {
			if err := tx.PutSession(ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
	check := func(when string) {
		t.Helper()
		d.view(t, func(tx store.Tx) error {
			for _, want := range sessions {
				if got, err := tx.GetSession(ctx, want.Owner, want.Type, want.Talker); err != nil || got != want {
					t.Errorf("%s: GetSession = %+v, %v\nwant %+v", when, got, err, want)
				}
			}
			listed, err := tx.ListSessions(ctx, store.SessionQuery{Owner: over53, Limit: 100, IncludeHidden: true})
			if err != nil {
				return err
			}
			dustbin, err := tx.ListSessions(ctx, store.SessionQuery{Owner: over53, Limit: 100, IncludeHidden: true,
				Intercept: true})
			if err != nil {
				return err
			}
			listed = append(listed, dustbin...)
			if len(listed) != len(sessions) {
				t.Errorf("%s: listed %d sessions, want %d", when, len(listed), len(sessions))
			}
			for _, got := range listed {
				i := slices.IndexFunc(sessions, func(s store.Session) bool { return s.Talker == got.Talker })
				if i < 0 || got != sessions[i] {
					t.Errorf("%s: listed %+v", when, got)
				}
			}
			return nil
		})
	}
	check("stored")
	d.reopen(t)
	check("reopened")
	// PutSession replaces SystemType too, back to 0 and to another type.
	zeroed, other := full, sessions[1]
	zeroed.SystemType = 0
	other.SystemType = 9
	d.update(t, func(tx store.Tx) error {
		if err := tx.PutSession(ctx, zeroed); err != nil {
			return err
		}
		return tx.PutSession(ctx, other)
	})
	sessions[0], sessions[1] = zeroed, other
	check("replaced")
}

// systemFixture stores a mix of system and user sessions of owner (and others') and
// returns the owner's, by talker.
func systemFixture(t *testing.T, d *db, owner uint64) map[uint64]store.Session {
	t.Helper()
	ctx := t.Context()
	sess := func(talker uint64, systemType int, sessionTs, ackTs int64, f func(*store.Session)) store.Session {
		s := store.Session{Owner: owner, Type: 1, Talker: talker, MaxSeqno: seqBase + uint64(sessionTs),
			AckSeqno: seqBase + uint64(sessionTs), SessionTs: sessionTs, AckTs: ackTs, LastMsgKey: keyBase + talker,
			SystemType: systemType, IsFollow: systemType != 0}
		if f != nil {
			f(&s)
		}
		return s
	}
	fixture := []store.Session{
		sess(sys7, 7, 5000, 100, func(s *store.Session) { s.Unread, s.AckSeqno = 4, seqBase }),
		sess(sys1, 1, 3000, 3000, nil),
		sess(sys9, 9, 1000, 9000, func(s *store.Session) { s.TopTs = 1 }),
		sess(sys8, 8, 7000, 7000, func(s *store.Session) { s.Hidden = true }),
		// A user session, followed and not, in between.
		sess(10, 0, 4000, 4000, func(s *store.Session) { s.IsFollow = true }),
		sess(11, 0, 6000, 6000, nil),
		sess(12, 0, 2000, 2000, func(s *store.Session) { s.Hidden = true }),
		sess(13, 0, 8000, 8000, func(s *store.Session) { s.Intercept = true }),
		// Someone else's system sessions.
		sess(sys7, 7, 9000, 9000, func(s *store.Session) { s.Owner = owner + 1 }),
		sess(sys1, 1, 9500, 9500, func(s *store.Session) { s.Owner = owner - 1 }),
	}
	d.update(t, func(tx store.Tx) error {
		for _, s := range fixture {
			if err := tx.PutSession(ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
	out := map[uint64]store.Session{}
	for _, s := range fixture {
		if s.Owner == owner {
			out[s.Talker] = s
		}
	}
	return out
}

func testListSessionsOnlySystem(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	const owner = 200
	byTalker := systemFixture(t, d, owner)
	// Settings-only rows (no message yet) of system accounts are never listed, nor a
	// system session in the dustbin outside the dustbin query.
	d.update(t, func(tx store.Tx) error {
		if err := tx.PutSession(ctx, store.Session{Owner: owner, Type: 1, Talker: bigMid + 7, SystemType: 7,
			IsDnd: true}); err != nil {
			return err
		}
		s := store.Session{Owner: owner, Type: 1, Talker: bigMid + 9, SystemType: 9, MaxSeqno: seqBase + 1,
			SessionTs: 6500, AckTs: 6500, Intercept: true, IsFollow: true}
		byTalker[s.Talker] = s
		return tx.PutSession(ctx, s)
	})
	yes, no := true, false
	cases := []struct {
		name string
		q    store.SessionQuery
		want []uint64
	}{
		{"all", store.SessionQuery{}, []uint64{sys7, sys1, sys9}},
		{"hidden", store.SessionQuery{IncludeHidden: true}, []uint64{sys8, sys7, sys1, sys9}},
		{"dustbin", store.SessionQuery{Intercept: true}, []uint64{bigMid + 9}},
		{"follow", store.SessionQuery{Follow: &yes}, []uint64{sys7, sys1, sys9}},
		{"unfollow", store.SessionQuery{Follow: &no}, nil},
		{"after", store.SessionQuery{After: 1000}, []uint64{sys7, sys1}},
		{"before", store.SessionQuery{Before: 5000}, []uint64{sys1, sys9}},
		{"after before", store.SessionQuery{After: 1000, Before: 5000}, []uint64{sys1}},
		{"limit", store.SessionQuery{Limit: 2}, []uint64{sys7, sys1}},
		{"limit hidden", store.SessionQuery{Limit: 1, IncludeHidden: true}, []uint64{sys8}},
		{"unacked", store.SessionQuery{Unacked: true}, []uint64{sys7}},
		{"ack", store.SessionQuery{Order: store.ByAckTs}, []uint64{sys9, sys1, sys7}},
		{"ack before", store.SessionQuery{Order: store.ByAckTs, Before: 9000}, []uint64{sys1, sys7}},
		{"ack hidden", store.SessionQuery{Order: store.ByAckTs, IncludeHidden: true}, []uint64{sys9, sys8, sys1, sys7}},
		{"follow before", store.SessionQuery{Follow: &yes, Before: 3000}, []uint64{sys9}},
	}
	d.view(t, func(tx store.Tx) error {
		for _, c := range cases {
			q := c.q
			q.Owner, q.OnlySystem = owner, true
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
			// Without OnlySystem, the same query lists the system sessions among the others.
			q.OnlySystem = false
			all, err := tx.ListSessions(ctx, q)
			if err != nil {
				return err
			}
			var sys []uint64
			for _, s := range all {
				if s.SystemType > 0 {
					sys = append(sys, s.Talker)
				}
			}
			if q.Limit == 100 && !slices.Equal(sys, c.want) {
				t.Errorf("%s: the system sessions among all listed are %v, want %v", c.name, sys, c.want)
			}
		}
		// The users' sessions are there without the filter.
		all, err := tx.ListSessions(ctx, store.SessionQuery{Owner: owner, Limit: 100})
		if want := []uint64{11, sys7, 10, sys1, sys9}; err != nil || !slices.Equal(talkers(all), want) {
			t.Errorf("ListSessions without OnlySystem = %v, %v; want %v", talkers(all), err, want)
		}
		// An owner without system sessions lists none.
		for _, o := range []uint64{owner + 2, 12345} {
			if got, err := tx.ListSessions(ctx, store.SessionQuery{Owner: o, Limit: 10, OnlySystem: true,
				IncludeHidden: true}); err != nil || len(got) != 0 {
				t.Errorf("ListSessions(OnlySystem) of %d = %v, %v", o, talkers(got), err)
			}
		}
		return nil
	})
}

func testListSystemSessions(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	const owner = 300
	byTalker := systemFixture(t, d, owner)
	list := func(owner uint64) ([]store.Session, error) {
		var out []store.Session
		err := d.st.View(ctx, func(tx store.Tx) error {
			var err error
			out, err = tx.ListSystemSessions(ctx, owner)
			return err
		})
		return out, err
	}
	// Ordered by system_type, hidden included, users' sessions left out.
	got, err := list(owner)
	if err != nil || !slices.Equal(systemTypes(got), []int{1, 7, 8, 9}) ||
		!slices.Equal(talkers(got), []uint64{sys1, sys7, sys8, sys9}) {
		t.Fatalf("ListSystemSessions = %v %v, %v; want types [1 7 8 9]", systemTypes(got), talkers(got), err)
	}
	for _, s := range got {
		if s != byTalker[s.Talker] {
			t.Errorf("listed %+v\nwant %+v", s, byTalker[s.Talker])
		}
	}
	// Per owner.
	for _, c := range []struct {
		owner uint64
		want  []uint64
	}{{owner + 1, []uint64{sys7}}, {owner - 1, []uint64{sys1}}, {owner + 2, nil}, {bigMid, nil}} {
		if got, err := list(c.owner); err != nil || !slices.Equal(talkers(got), c.want) {
			t.Errorf("ListSystemSessions(%d) = %v, %v; want %v", c.owner, talkers(got), err, c.want)
		}
	}
	// Settings-only rows (no message) are left out; intercepted ones are in; a type
	// that is not > 0 is not a system session.
	d.update(t, func(tx store.Tx) error {
		for _, s := range []store.Session{
			{Owner: owner + 2, Type: 1, Talker: sys7, SystemType: 7, IsDnd: true, TopTs: 5},
			{Owner: owner + 2, Type: 1, Talker: sys9, SystemType: 9, MaxSeqno: seqBase, Intercept: true},
			{Owner: owner + 2, Type: 1, Talker: bigMid, SystemType: -1, MaxSeqno: seqBase},
			{Owner: owner + 2, Type: 1, Talker: 1, MaxSeqno: seqBase},
		} {
			if err := tx.PutSession(ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
	if got, err := list(owner + 2); err != nil || !slices.Equal(talkers(got), []uint64{sys9}) {
		t.Errorf("ListSystemSessions without settings-only rows = %v, %v; want [%d]", talkers(got), err, uint64(sys9))
	}
	// A session that becomes a user session (SystemType 0) leaves the list; its first
	// message moves a settings-only row in.
	d.update(t, func(tx store.Tx) error {
		s := byTalker[sys8]
		s.SystemType = 0
		if err := tx.PutSession(ctx, s); err != nil {
			return err
		}
		return tx.PutSession(ctx, store.Session{Owner: owner + 2, Type: 1, Talker: sys7, SystemType: 7, IsDnd: true,
			TopTs: 5, MaxSeqno: seqBase + 1})
	})
	if got, err := list(owner); err != nil || !slices.Equal(systemTypes(got), []int{1, 7, 9}) {
		t.Errorf("ListSystemSessions after a type went to 0 = %v, %v; want [1 7 9]", systemTypes(got), err)
	}
	if got, err := list(owner + 2); err != nil || !slices.Equal(systemTypes(got), []int{7, 9}) {
		t.Errorf("ListSystemSessions after a first push = %v, %v; want [7 9]", systemTypes(got), err)
	}
	// It survives a restart and works inside a write transaction too.
	d.reopen(t)
	d.update(t, func(tx store.Tx) error {
		got, err := tx.ListSystemSessions(ctx, owner)
		if err != nil || !slices.Equal(talkers(got), []uint64{sys1, sys7, sys9}) {
			return fmt.Errorf("ListSystemSessions after reopening = %v, %v", talkers(got), err)
		}
		return nil
	})
}

func testCountersBiz(t *testing.T, h *harness) {
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
	// Biz alone creates the row and changes nothing else.
	add(over53, store.Counters{Biz: 4})
	get(over53, store.Counters{Biz: 4})
	add(over53, store.Counters{Follow: 1, Unfollow: 2, Dustbin: 3})
	get(over53, store.Counters{Follow: 1, Unfollow: 2, Dustbin: 3, Biz: 4})
	add(over53, store.Counters{Follow: -1, Biz: -4})
	get(over53, store.Counters{Unfollow: 2, Dustbin: 3})
	// Negative totals are kept as they are (the domain never makes them, but the store
	// must not clamp them).
	add(over53, store.Counters{Biz: -7})
	get(over53, store.Counters{Unfollow: 2, Dustbin: 3, Biz: -7})
	add(over53, store.Counters{Unfollow: -2, Dustbin: -3, Biz: 7})
	get(over53, store.Counters{})
	// Big values: all 63 bits, both signs.
	big := store.Counters{Follow: 1, Biz: math.MaxInt64}
	add(bigMid, big)
	get(bigMid, big)
	add(bigMid, store.Counters{Biz: -math.MaxInt64})
	get(bigMid, store.Counters{Follow: 1})
	add(bigMid, store.Counters{Biz: math.MinInt64 + 1})
	get(bigMid, store.Counters{Follow: 1, Biz: math.MinInt64 + 1})
	add(bigMid, store.Counters{Biz: -1})
	get(bigMid, store.Counters{Follow: 1, Biz: math.MinInt64})
	add(bigMid, store.Counters{Biz: math.MaxInt64})
	get(bigMid, store.Counters{Follow: 1, Biz: -1})
	add(bigMid, store.Counters{Biz: 1 << 40, Dustbin: -(1 << 40)})
	get(bigMid, store.Counters{Follow: 1, Biz: 1<<40 - 1, Dustbin: -(1 << 40)})
	// Other owners are untouched.
	get(over53+1, store.Counters{})
	get(1, store.Counters{})
	// Several adds in one transaction accumulate, the Bucket deltas of a session going
	// from unread pushes to read ones included.
	before := store.Session{SystemType: 7, Unread: 3, IsFollow: true}
	after := before
	after.Unread = 0
	d.update(t, func(tx store.Tx) error {
		for range 10 {
			if err := tx.AddCounters(ctx, 5, before.Bucket()); err != nil {
				return err
			}
		}
		return tx.AddCounters(ctx, 5, after.Bucket().Add(before.Bucket().Neg()))
	})
	get(5, store.Counters{Biz: 27})
	// A rolled-back transaction leaves Biz as it was.
	err := d.st.Update(ctx, func(tx store.Tx) error {
		if err := tx.AddCounters(ctx, 5, store.Counters{Biz: 100}); err != nil {
			return err
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Errorf("Update = %v, want errBoom", err)
	}
	get(5, store.Counters{Biz: 27})
	// And it survives a restart.
	d.reopen(t)
	get(5, store.Counters{Biz: 27})
	get(bigMid, store.Counters{Follow: 1, Biz: 1<<40 - 1, Dustbin: -(1 << 40)})
}
