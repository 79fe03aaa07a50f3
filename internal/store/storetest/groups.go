package storetest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/bilimsg/bilimsg/internal/store"
)

// Conformance tests of store.Groups: fan groups, their members and their messages.

// --- group fixtures ---

const (
	gidA   = 200_000_001 // an assigned group id, bilibili-sized
	gidB   = 200_000_002
	gidBig = 1<<63 - 1 // the largest group id a backend must keep
)

// group builds a group whose fields all derive from id and need all their bits.
func group(id uint64) store.Group {
	return store.Group{ID: id, Owner: over53 + id%1000, Name: fmt.Sprintf("应援团 %d 'q' \"dq\" 😀", id%1000),
		Cover: fmt.Sprintf("https://i0.hdslb.com/bfs/face/%d.jpg", id%1000), Type: 2, State: store.GroupFrozen,
		Members: 1<<53 + int64(id%1000), MaxSeqno: 1<<53 + 1 + id%1000, Counted: 1<<62 + int64(id%1000),
		LastMsgKey: 1<<63 + id%1000, SessionTs: 1717315200123456 + int64(id%1000), CreatedAt: tsBase + int64(id%100)}
}

// member builds a member row whose fields all derive from (g, mid).
func member(g, mid uint64) store.Member {
	n := (g + mid) % 1000
	return store.Member{Group: g, Mid: mid, JoinedAt: 1717315200000001 + int64(n), JoinSeqno: 1<<53 + 1 + n,
		AckSeqno: 1<<62 + n, AckTs: 1717315300000002 + int64(n), AckCounted: 1<<60 + int64(n), AtSeqno: 1<<63 - 2 - n,
		TopTs: 1717315400000003 + int64(n), IsDnd: n%2 == 0, HiddenSeqno: 1<<62 + 7 + n}
}

// groupMessage builds text message seq of group g. Group messages have no Conv and no
// VisibleTo; ReceiverType is 2 and ReceiverID the group, as the store returns them.
func groupMessage(g, seq uint64) store.Message {
	return store.Message{Key: groupKey(g, seq), Seqno: seq, SenderUID: bigMid + seq%3, ReceiverType: 2, ReceiverID: g,
		MsgType: 1, Content: fmt.Sprintf(`{"content":"g%d m%d"}`, g%1000, seq), Timestamp: tsBase + int64(seq),
		NewFaceVersion: 1, Source: 7, CountsUnread: true, Counted: int64(seq)}
}

// groupKey is the msg_key of groupMessage(g, seq): distinct across groups.
func groupKey(g, seq uint64) uint64 { return keyBase + (g%1000)*1_000_000 + seq }

func groupSeqnos(ms []store.Message) []uint64 {
	return pluck(ms, func(m store.Message) uint64 { return m.Seqno })
}

func memberMids(ms []store.Member) []uint64 {
	return pluck(ms, func(m store.Member) uint64 { return m.Mid })
}

// --- groups ---

func testGroupRoundTrip(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	maxID := func(want uint64) {
		t.Helper()
		d.view(t, func(tx store.Tx) error {
			if got, err := tx.MaxGroupID(ctx); err != nil || got != want {
				t.Errorf("MaxGroupID = %d, %v; want %d", got, err, want)
			}
			return nil
		})
	}
	maxID(0)
	a, b := group(gidA), group(over53)
	zero := store.Group{ID: 1, Name: "z"} // every other field zero
	d.update(t, func(tx store.Tx) error {
		for _, g := range []store.Group{a, b, zero} {
			if err := tx.CreateGroup(ctx, g); err != nil {
				return err
			}
		}
		return nil
	})
	maxID(over53)
	big := group(gidBig)
	big.State, big.Type, big.LastMsgKey, big.Counted = store.GroupDissolved, 0, 1<<64-1, 1<<63-1
	d.update(t, func(tx store.Tx) error { return tx.CreateGroup(ctx, big) })
	maxID(gidBig)

	// A duplicate id conflicts and changes nothing.
	dup := group(gidA)
	dup.Name, dup.Owner = "impostor", 1
	if err := d.st.Update(ctx, func(tx store.Tx) error { return tx.CreateGroup(ctx, dup) }); !errors.Is(err, store.ErrConflict) {
		t.Errorf("CreateGroup with an existing id: %v, want ErrConflict", err)
	}
	check := func(want ...store.Group) {
		t.Helper()
		d.view(t, func(tx store.Tx) error {
			for _, w := range want {
				if got, err := tx.GetGroup(ctx, w.ID); err != nil || got != w {
					t.Errorf("GetGroup(%d) = %+v, %v\nwant %+v", w.ID, got, err, w)
				}
			}
			for _, id := range []uint64{0, 2, gidA + 1, gidBig - 1} {
				if g, err := tx.GetGroup(ctx, id); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("GetGroup(%d) of a missing group = %+v, %v; want ErrNotFound", id, g, err)
				}
			}
			return nil
		})
	}
	check(a, b, zero, big)

	// PutGroup replaces every field, including fields going back to zero.
	a2 := store.Group{ID: gidA, Owner: bigMid, Name: "改名", State: store.GroupOpen, Members: 1, MaxSeqno: 5}
	b2 := b
	b2.State, b2.MaxSeqno, b2.Counted, b2.LastMsgKey, b2.SessionTs = store.GroupDissolved, b.MaxSeqno+1, b.Counted+1,
		keyBase+1, b.SessionTs+1
	d.update(t, func(tx store.Tx) error {
		if err := tx.PutGroup(ctx, a2); err != nil {
			return err
		}
		return tx.PutGroup(ctx, b2)
	})
	check(a2, b2, zero, big)

	// PutGroup of a missing group is ErrNotFound and creates nothing.
	if err := d.st.Update(ctx, func(tx store.Tx) error { return tx.PutGroup(ctx, group(2)) }); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PutGroup of a missing group: %v, want ErrNotFound", err)
	}
	check(a2, b2, zero, big)

	// Everything survives a restart.
	d.reopen(t)
	check(a2, b2, zero, big)
	maxID(gidBig)
}

// --- members ---

func testGroupMembers(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	full := member(gidBig, over53)
	other := member(gidA, over53) // same mid, another group: another row
	d.update(t, func(tx store.Tx) error {
		if err := tx.CreateGroup(ctx, group(gidBig)); err != nil {
			return err
		}
		if err := tx.CreateGroup(ctx, group(gidA)); err != nil {
			return err
		}
		if err := tx.PutMember(ctx, full); err != nil {
			return err
		}
		return tx.PutMember(ctx, other)
	})
	get := func(want store.Member) {
		t.Helper()
		d.view(t, func(tx store.Tx) error {
			if got, err := tx.GetMember(ctx, want.Group, want.Mid); err != nil || got != want {
				t.Errorf("GetMember(%d, %d) = %+v, %v\nwant %+v", want.Group, want.Mid, got, err, want)
			}
			return nil
		})
	}
	missing := func(g, mid uint64) {
		t.Helper()
		d.view(t, func(tx store.Tx) error {
			if m, err := tx.GetMember(ctx, g, mid); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("GetMember(%d, %d) of a missing member = %+v, %v; want ErrNotFound", g, mid, m, err)
			}
			return nil
		})
	}
	get(full)
	get(other)
	missing(gidBig, bigMid)
	missing(gidB, over53)
	missing(over53, gidBig) // arguments swapped

	// PutMember replaces the whole row, including fields going back to zero.
	zeroed := store.Member{Group: gidBig, Mid: over53, JoinSeqno: 1}
	d.update(t, func(tx store.Tx) error { return tx.PutMember(ctx, zeroed) })
	get(zeroed)
	get(other)
	flipped := full
	flipped.IsDnd = !full.IsDnd
	d.update(t, func(tx store.Tx) error { return tx.PutMember(ctx, flipped) })
	get(flipped)

	// DeleteMember removes one row; an absent member is no error.
	d.update(t, func(tx store.Tx) error {
		if err := tx.DeleteMember(ctx, gidBig, over53); err != nil {
			return err
		}
		if err := tx.DeleteMember(ctx, gidBig, over53); err != nil {
			return fmt.Errorf("DeleteMember of a deleted member: %w", err)
		}
		return tx.DeleteMember(ctx, gidB, 12345)
	})
	missing(gidBig, over53)
	get(other)
	d.reopen(t)
	missing(gidBig, over53)
	get(other)
}

func testListMembers(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	all := []uint64{5, 1, over53, 3, bigMid, 2, 1<<63 - 1}
	d.update(t, func(tx store.Tx) error {
		for _, g := range []uint64{gidA, gidB} {
			if err := tx.CreateGroup(ctx, group(g)); err != nil {
				return err
			}
		}
		for _, m := range all {
			if err := tx.PutMember(ctx, member(gidA, m)); err != nil {
				return err
			}
		}
		// Members of another group, between and around gidA's mids.
		for _, m := range []uint64{4, 6, bigMid + 1, 1} {
			if err := tx.PutMember(ctx, member(gidB, m)); err != nil {
				return err
			}
		}
		return nil
	})
	sorted := []uint64{1, 2, 3, 5, bigMid, over53, 1<<63 - 1}
	cases := []struct {
		group, after uint64
		limit        int
		want         []uint64
	}{
		{gidA, 0, 100, sorted},
		{gidA, 0, 2, []uint64{1, 2}},
		{gidA, 2, 2, []uint64{3, 5}},
		{gidA, 4, 100, []uint64{5, bigMid, over53, 1<<63 - 1}},
		{gidA, 5, 1, []uint64{bigMid}},
		{gidA, bigMid, 100, []uint64{over53, 1<<63 - 1}},
		{gidA, over53, 100, []uint64{1<<63 - 1}},
		{gidA, 1<<63 - 1, 100, nil},
		{gidA, 1<<64 - 1, 100, nil},
		{gidB, 0, 100, []uint64{1, 4, 6, bigMid + 1}},
		{gidB, 1, 2, []uint64{4, 6}},
		{gidBig, 0, 100, nil},
	}
	d.view(t, func(tx store.Tx) error {
		for _, c := range cases {
			ms, err := tx.ListMembers(ctx, c.group, c.after, c.limit)
			if err != nil || !slices.Equal(memberMids(ms), c.want) {
				t.Errorf("ListMembers(%d, %d, %d) = %v, %v; want %v", c.group, c.after, c.limit, memberMids(ms), err, c.want)
			}
			for _, m := range ms {
				if m != member(c.group, m.Mid) {
					t.Errorf("ListMembers returned %+v\nwant %+v", m, member(c.group, m.Mid))
				}
			}
		}
		return nil
	})
	// Paging through with a small limit visits every member once, in order.
	for _, limit := range []int{1, 3} {
		var seen []uint64
		d.view(t, func(tx store.Tx) error {
			var after uint64
			for range 100 {
				ms, err := tx.ListMembers(ctx, gidA, after, limit)
				if err != nil {
					return err
				}
				if len(ms) == 0 {
					return nil
				}
				if len(ms) > limit {
					return fmt.Errorf("ListMembers with limit %d returned %d members", limit, len(ms))
				}
				seen = append(seen, memberMids(ms)...)
				after = ms[len(ms)-1].Mid
			}
			return errors.New("paging does not end")
		})
		if !slices.Equal(seen, sorted) {
			t.Errorf("paged ListMembers (limit %d) = %v, want %v", limit, seen, sorted)
		}
	}
	// A deleted member is no longer listed.
	d.update(t, func(tx store.Tx) error { return tx.DeleteMember(ctx, gidA, 3) })
	d.view(t, func(tx store.Tx) error {
		ms, err := tx.ListMembers(ctx, gidA, 0, 3)
		if want := []uint64{1, 2, 5}; err != nil || !slices.Equal(memberMids(ms), want) {
			t.Errorf("ListMembers after DeleteMember = %v, %v; want %v", memberMids(ms), err, want)
		}
		return nil
	})
}

func testListMemberships(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	const me, you = over53, bigMid
	groups := []uint64{gidB, 7, gidBig, gidA, 9}
	mine := []uint64{gidBig, 7, gidA} // inserted out of order
	d.update(t, func(tx store.Tx) error {
		for _, g := range groups {
			if err := tx.CreateGroup(ctx, group(g)); err != nil {
				return err
			}
		}
		for _, g := range mine {
			if err := tx.PutMember(ctx, member(g, me)); err != nil {
				return err
			}
		}
		for _, g := range []uint64{gidA, gidB, 9} {
			if err := tx.PutMember(ctx, member(g, you)); err != nil {
				return err
			}
		}
		return nil
	})
	list := func(mid uint64, want []uint64, groupOf func(uint64) store.Group) {
		t.Helper()
		d.view(t, func(tx store.Tx) error {
			ms, err := tx.ListMemberships(ctx, mid)
			if err != nil {
				return err
			}
			got := pluck(ms, func(m store.Membership) uint64 { return m.Member.Group })
			if !slices.Equal(got, want) {
				t.Errorf("ListMemberships(%d) groups = %v, want %v", mid, got, want)
				return nil
			}
			for _, m := range ms {
				if m.Member != member(m.Member.Group, mid) {
					t.Errorf("ListMemberships(%d): member %+v\nwant %+v", mid, m.Member, member(m.Member.Group, mid))
				}
				if want := groupOf(m.Member.Group); m.Group != want {
					t.Errorf("ListMemberships(%d): group %+v\nwant %+v", mid, m.Group, want)
				}
			}
			return nil
		})
	}
	list(me, []uint64{7, gidA, gidBig}, group)
	list(you, []uint64{9, gidA, gidB}, group)
	list(12345, nil, group)

	// The group comes from the group row as it is now.
	changed := group(gidA)
	changed.Name, changed.MaxSeqno, changed.LastMsgKey, changed.State = "新名字", 99, keyBase+99, store.GroupOpen
	d.update(t, func(tx store.Tx) error {
		if err := tx.PutGroup(ctx, changed); err != nil {
			return err
		}
		return tx.DeleteMember(ctx, 7, me)
	})
	current := func(id uint64) store.Group {
		if id == gidA {
			return changed
		}
		return group(id)
	}
	list(me, []uint64{gidA, gidBig}, current)
	list(you, []uint64{9, gidA, gidB}, current)
}

// --- @-mentions ---

func testMembersAmong(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	d.update(t, func(tx store.Tx) error {
		for _, g := range []uint64{gidA, gidB} {
			if err := tx.CreateGroup(ctx, group(g)); err != nil {
				return err
			}
		}
		for _, mid := range []uint64{1, 2, over53} {
			if err := tx.PutMember(ctx, member(gidA, mid)); err != nil {
				return err
			}
		}
		return tx.PutMember(ctx, member(gidB, 3))
	})
	d.view(t, func(tx store.Tx) error {
		for _, c := range []struct {
			group uint64
			mids  []uint64
			want  []uint64
		}{
			{gidA, []uint64{1, 3, over53, 99}, []uint64{1, over53}},
			{gidA, []uint64{3}, nil},
			{gidB, []uint64{1, 2, 3}, []uint64{3}},
			{gidA, nil, nil},
			{gidA + 7, []uint64{1}, nil},
		} {
			got, err := tx.MembersAmong(ctx, c.group, c.mids)
			slices.Sort(got)
			if err != nil || !slices.Equal(got, c.want) {
				t.Errorf("MembersAmong(%d, %v) = %v, %v; want %v", c.group, c.mids, got, err, c.want)
			}
		}
		return nil
	})
}

func testMembersNamed(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	quoted := `O'Brien "Bob" \ %_ ;--`
	wide := "Ａｌｉｃｅ 😀 小明"
	users := []store.User{
		{Mid: 1, Name: "小明"},
		{Mid: over53, Name: "小明"}, // a duplicate name
		{Mid: 3, Name: quoted},
		{Mid: 4, Name: wide},
		{Mid: 5, Name: "alice"},
		{Mid: 6, Name: "bob"},        // not a member
		{Mid: 7, Name: "小明"},         // a member of another group only
		{Mid: 8, Name: "123"},        // looks like a number
		{Mid: 9, Name: "[doge]"},     // not a member either
		{Mid: 10, Name: "<b>&amp;<"}, // escaped in JSON by encoding/json
	}
	d.update(t, func(tx store.Tx) error {
		for _, u := range users {
			u.CreatedAt = tsBase
			if err := tx.CreateUser(ctx, u); err != nil {
				return err
			}
		}
		for _, g := range []uint64{gidA, gidB} {
			if err := tx.CreateGroup(ctx, group(g)); err != nil {
				return err
			}
		}
		for _, mid := range []uint64{1, over53, 3, 4, 5, 8, 10} {
			if err := tx.PutMember(ctx, member(gidA, mid)); err != nil {
				return err
			}
		}
		return tx.PutMember(ctx, member(gidB, 7))
	})
	type named struct {
		mid  uint64
		name string
	}
	norm := func(us []store.User) []named {
		out := pluck(us, func(u store.User) named { return named{u.Mid, u.Name} })
		slices.SortFunc(out, func(x, y named) int { return cmp.Compare(x.mid, y.mid) })
		return out
	}
	var many []string
	for i := range 500 {
		many = append(many, fmt.Sprintf("nobody-%d", i))
	}
	many = append(many, "alice", quoted)
	cases := []struct {
		name  string
		group uint64
		names []string
		want  []named
	}{
		{"nil", gidA, nil, nil},
		{"empty", gidA, []string{}, nil},
		{"duplicate name", gidA, []string{"小明"}, []named{{1, "小明"}, {over53, "小明"}}},
		{"asked twice", gidA, []string{"小明", "小明"}, []named{{1, "小明"}, {over53, "小明"}}},
		{"prefix is not a name", gidA, []string{"小"}, nil},
		{"longer is not a name", gidA, []string{"小明你好"}, nil},
		{"quotes", gidA, []string{quoted}, []named{{3, quoted}}},
		{"unicode", gidA, []string{wide}, []named{{4, wide}}},
		{"unicode part", gidA, []string{"Ａｌｉｃｅ"}, nil},
		{"exact case", gidA, []string{"Alice", "ALICE"}, nil},
		{"lower case", gidA, []string{"alice"}, []named{{5, "alice"}}},
		{"number", gidA, []string{"123"}, []named{{8, "123"}}},
		{"html", gidA, []string{"<b>&amp;<", `<b>&amp;\u003c`, "<b>&<"}, []named{{10, "<b>&amp;<"}}},
		{"like wildcards", gidA, []string{"%", "_", "%%"}, nil},
		{"not a member", gidA, []string{"bob", "[doge]"}, nil},
		{"several", gidA, []string{"alice", "bob", "", "123", "小明"},
			[]named{{1, "小明"}, {5, "alice"}, {8, "123"}, {over53, "小明"}}},
		{"many", gidA, many, []named{{3, quoted}, {5, "alice"}}},
		{"other group", gidB, []string{"小明", "alice"}, []named{{7, "小明"}}},
		{"no such group", gidBig, []string{"小明", "alice"}, nil},
	}
	d.view(t, func(tx store.Tx) error {
		for _, c := range cases {
			got, err := tx.MembersNamed(ctx, c.group, c.names)
			if err != nil || !slices.Equal(norm(got), c.want) {
				t.Errorf("%s: MembersNamed(%d, %q) = %v, %v; want %v", c.name, c.group, c.names, norm(got), err, c.want)
			}
		}
		return nil
	})
	// Renames and departures show at once.
	d.update(t, func(tx store.Tx) error {
		if err := tx.UpdateUser(ctx, store.User{Mid: 5, Name: "Alice"}); err != nil {
			return err
		}
		return tx.DeleteMember(ctx, gidA, 1)
	})
	d.view(t, func(tx store.Tx) error {
		got, err := tx.MembersNamed(ctx, gidA, []string{"alice", "Alice", "小明"})
		if want := []named{{5, "Alice"}, {over53, "小明"}}; err != nil || !slices.Equal(norm(got), want) {
			t.Errorf("after a rename and a departure: MembersNamed = %v, %v; want %v", norm(got), err, want)
		}
		return nil
	})
}

// --- group messages ---

func testGroupMessageRoundTrip(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	full := store.Message{Key: 1<<63 + 99, Seqno: 1, SenderUID: over53, ReceiverType: 2, ReceiverID: gidBig,
		MsgType: 1, Content: `{"content":"@小明 你好 \u0000 \"quoted\""}`, Timestamp: tsBase, Status: 1,
		NewFaceVersion: 1, Source: 7, NotifyCode: "0_1", CountsUnread: true,
		Mentions: store.JoinMentions([]uint64{1, over53, 1<<64 - 1}), Counted: 1<<62 + 5}
	plain := groupMessage(gidA, 1) // same seqno, another group
	plain.CountsUnread, plain.Counted = false, 0
	huge := groupMessage(gidA, 2)
	huge.Key, huge.Seqno, huge.Counted = 1<<64-1, 1<<53+1, 1<<63-1
	low := groupMessage(gidA, 3)
	low.Key = 1<<62 + 1
	msgs := []store.Message{full, plain, huge, low}
	// A 1:1 message beside them, which is not a group message.
	direct := message(1, 1, 2, 1)
	d.update(t, func(tx store.Tx) error {
		for _, m := range msgs {
			if err := tx.InsertGroupMessage(ctx, m); err != nil {
				return err
			}
		}
		return tx.InsertMessage(ctx, direct)
	})
	check := func() {
		t.Helper()
		d.view(t, func(tx store.Tx) error {
			for _, want := range msgs {
				if got, err := tx.GetGroupMessage(ctx, want.Key); err != nil || got != want {
					t.Errorf("GetGroupMessage(%d) = %+v, %v\nwant %+v", want.Key, got, err, want)
				}
				if got, err := tx.GetGroupMessageAt(ctx, want.ReceiverID, want.Seqno); err != nil || got != want {
					t.Errorf("GetGroupMessageAt(%d, %d) = %+v, %v\nwant %+v", want.ReceiverID, want.Seqno, got, err, want)
				}
			}
			if got, err := tx.GetGroupMessage(ctx, full.Key); err == nil {
				if at := got.AtUIDs(); !slices.Equal(at, []uint64{1, over53, 1<<64 - 1}) {
					t.Errorf("AtUIDs of the stored message = %v", at)
				}
			}
			for _, k := range []uint64{0, 1<<63 + 98, keyBase, direct.Key} {
				if m, err := tx.GetGroupMessage(ctx, k); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("GetGroupMessage(%d) of a missing key = %+v, %v; want ErrNotFound", k, m, err)
				}
			}
			for _, at := range [][2]uint64{{gidBig, 2}, {gidA, 4}, {gidA, 0}, {gidB, 1}, {gidBig, 0}} {
				if m, err := tx.GetGroupMessageAt(ctx, at[0], at[1]); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("GetGroupMessageAt(%d, %d) of a missing message = %+v, %v; want ErrNotFound", at[0], at[1], m, err)
				}
			}
			// The 1:1 message stays a 1:1 message, and group messages are not 1:1 messages.
			if got, err := tx.GetMessage(ctx, direct.Key); err != nil || got != direct {
				t.Errorf("GetMessage(%d) = %+v, %v\nwant %+v", direct.Key, got, err, direct)
			}
			if m, err := tx.GetMessage(ctx, full.Key); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("GetMessage of a group message's key = %+v, %v; want ErrNotFound", m, err)
			}
			return nil
		})
	}
	check()

	// A group never has two messages with one seqno: ErrConflict, and nothing changes.
	for _, dup := range []store.Message{groupMessage(gidA, 1), groupMessage(gidBig, 1)} {
		dup.Key = keyBase + 424242
		err := d.st.Update(ctx, func(tx store.Tx) error { return tx.InsertGroupMessage(ctx, dup) })
		if !errors.Is(err, store.ErrConflict) {
			t.Errorf("InsertGroupMessage of seqno %d in group %d again: %v, want ErrConflict", dup.Seqno, dup.ReceiverID, err)
		}
	}
	// A key is never stored twice either.
	again := groupMessage(gidB, 1)
	again.Key = plain.Key
	if err := d.st.Update(ctx, func(tx store.Tx) error { return tx.InsertGroupMessage(ctx, again) }); err == nil {
		t.Errorf("InsertGroupMessage with an existing key succeeded")
	}
	d.view(t, func(tx store.Tx) error {
		if m, err := tx.GetGroupMessage(ctx, keyBase+424242); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a conflicting insert left a message behind: %+v, %v", m, err)
		}
		if m, err := tx.GetGroupMessageAt(ctx, gidB, 1); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("an insert with a duplicate key left a message behind: %+v, %v", m, err)
		}
		return nil
	})
	check()
	d.reopen(t)
	check()
}

func testGetGroupMessages(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	want := map[uint64]store.Message{}
	d.update(t, func(tx store.Tx) error {
		for _, g := range []uint64{gidA, gidB, 7} {
			for seq := uint64(1); seq <= 20; seq++ {
				m := groupMessage(g, seq)
				if seq == 20 {
					m.Key = 1<<63 + g%1000 // keys stored negative
				}
				if seq == 5 {
					m.Status = 2 // system-recalled: still found by key
				}
				want[m.Key] = m
				if err := tx.InsertGroupMessage(ctx, m); err != nil {
					return err
				}
			}
		}
		return tx.InsertMessage(ctx, message(1, 1, 2, 1))
	})
	d.view(t, func(tx store.Tx) error {
		for _, keys := range [][]uint64{nil, {}, {keyBase + 999_999_999}, {message(1, 0, 0, 0).Key}} {
			got, err := tx.GetGroupMessages(ctx, keys)
			if err != nil || len(got) != 0 {
				t.Errorf("GetGroupMessages(%v) = %d messages, %v; want none", keys, len(got), err)
			}
		}
		keys := []uint64{groupKey(gidA, 7), 0, groupKey(gidB, 5), 1<<63 + gidB%1000, message(1, 0, 0, 0).Key,
			groupKey(7, 1), 1<<64 - 1, groupKey(gidA, 7), groupKey(gidB, 21)}
		got, err := tx.GetGroupMessages(ctx, keys)
		if err != nil {
			return err
		}
		var gotKeys []uint64
		for _, m := range got {
			if m != want[m.Key] {
				t.Errorf("GetGroupMessages returned %+v\nwant %+v", m, want[m.Key])
			}
			gotKeys = append(gotKeys, m.Key)
		}
		slices.Sort(gotKeys)
		wantKeys := []uint64{groupKey(7, 1), groupKey(gidA, 7), groupKey(gidB, 5), 1<<63 + gidB%1000}
		slices.Sort(wantKeys)
		// A key asked for twice may come back once or twice, but nothing else may.
		if gotKeys = slices.Compact(gotKeys); !slices.Equal(gotKeys, wantKeys) {
			t.Errorf("GetGroupMessages keys = %v, want %v", gotKeys, wantKeys)
		}
		all := make([]uint64, 0, len(want))
		for k := range want {
			all = append(all, k)
		}
		if got, err := tx.GetGroupMessages(ctx, all); err != nil || len(got) != len(all) {
			t.Errorf("GetGroupMessages of all %d keys = %d messages, %v", len(all), len(got), err)
		}
		return nil
	})
}

// groupListFixture stores messages 1–12 of group gidA and 1–6 of group gidB: the groups'
// seqnos overlap, as every group has its own sequence.
func groupListFixture(t *testing.T, d *db) {
	t.Helper()
	ctx := t.Context()
	specs := map[uint64]func(*store.Message){
		3:  func(m *store.Message) { m.MsgType = 2; m.Content = `{"url":"https://i0.hdslb.com/bfs/im/x.png"}` },
		5:  func(m *store.Message) { m.Status, m.CountsUnread = 2, false },  // system-recalled
		6:  func(m *store.Message) { m.MsgType, m.CountsUnread = 5, false }, // a recall
		8:  func(m *store.Message) { m.Status = 1 },                         // recalled by its sender
		9:  func(m *store.Message) { m.MsgType = 2 },
		10: func(m *store.Message) { m.Mentions = store.JoinMentions([]uint64{bigMid, over53}) },
		11: func(m *store.Message) { m.Status = 2 },
	}
	d.update(t, func(tx store.Tx) error {
		for seq := uint64(1); seq <= 12; seq++ {
			m := groupMessage(gidA, seq)
			if f := specs[seq]; f != nil {
				f(&m)
			}
			if err := tx.InsertGroupMessage(ctx, m); err != nil {
				return err
			}
			if seq <= 6 {
				if err := tx.InsertGroupMessage(ctx, groupMessage(gidB, seq)); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func testListGroupMessages(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	groupListFixture(t, d)
	a, b := uint64(gidA), uint64(gidB)
	cases := []struct {
		name string
		q    store.GroupMessageQuery
		want []uint64
	}{
		{"all", store.GroupMessageQuery{Group: a}, []uint64{12, 10, 9, 8, 7, 6, 4, 3, 2, 1}},
		{"all asc", store.GroupMessageQuery{Group: a, Ascending: true}, []uint64{1, 2, 3, 4, 6, 7, 8, 9, 10, 12}},
		{"other group", store.GroupMessageQuery{Group: b}, []uint64{6, 5, 4, 3, 2, 1}},
		{"other group asc", store.GroupMessageQuery{Group: b, Ascending: true, After: 4}, []uint64{5, 6}},
		{"after before", store.GroupMessageQuery{Group: a, After: 2, Before: 8}, []uint64{7, 6, 4, 3}},
		{"after before asc", store.GroupMessageQuery{Group: a, After: 2, Before: 8, Ascending: true}, []uint64{3, 4, 6, 7}},
		{"after", store.GroupMessageQuery{Group: a, After: 9}, []uint64{12, 10}},
		{"after asc", store.GroupMessageQuery{Group: a, After: 9, Ascending: true}, []uint64{10, 12}},
		{"before", store.GroupMessageQuery{Group: a, Before: 3}, []uint64{2, 1}},
		{"before asc", store.GroupMessageQuery{Group: a, Before: 3, Ascending: true}, []uint64{1, 2}},
		{"before 1", store.GroupMessageQuery{Group: a, Before: 1}, nil},
		{"after last", store.GroupMessageQuery{Group: a, After: 12}, nil},
		{"bounds on removed", store.GroupMessageQuery{Group: a, After: 4, Before: 6}, nil},
		{"bounds on removed 2", store.GroupMessageQuery{Group: a, After: 10, Before: 12}, nil},
		{"huge before", store.GroupMessageQuery{Group: a, After: 10, Before: 1<<64 - 1}, []uint64{12}},
		{"huge after", store.GroupMessageQuery{Group: a, After: 1<<64 - 1}, nil},
		{"limit", store.GroupMessageQuery{Group: a, Limit: 3}, []uint64{12, 10, 9}},
		{"limit asc", store.GroupMessageQuery{Group: a, Limit: 3, Ascending: true}, []uint64{1, 2, 3}},
		{"limit before", store.GroupMessageQuery{Group: a, Limit: 2, Before: 9}, []uint64{8, 7}},
		{"limit after asc", store.GroupMessageQuery{Group: a, Limit: 2, After: 4, Ascending: true}, []uint64{6, 7}},
		{"limit 1", store.GroupMessageQuery{Group: a, Limit: 1, Ascending: true, After: 1}, []uint64{2}},
		{"images", store.GroupMessageQuery{Group: a, OnlyType: 2}, []uint64{9, 3}},
		{"images asc after", store.GroupMessageQuery{Group: a, OnlyType: 2, Ascending: true, After: 3}, []uint64{9}},
		{"recalls", store.GroupMessageQuery{Group: a, OnlyType: 5}, []uint64{6}},
		{"texts limit", store.GroupMessageQuery{Group: a, OnlyType: 1, Limit: 2, Ascending: true}, []uint64{1, 2}},
		{"texts", store.GroupMessageQuery{Group: a, OnlyType: 1}, []uint64{12, 10, 8, 7, 4, 2, 1}},
		{"no such type", store.GroupMessageQuery{Group: a, OnlyType: 18}, nil},
		{"no such group", store.GroupMessageQuery{Group: gidBig}, nil},
	}
	d.view(t, func(tx store.Tx) error {
		for _, c := range cases {
			q := c.q
			if q.Limit == 0 {
				q.Limit = 100
			}
			got, err := tx.ListGroupMessages(ctx, q)
			if err != nil || !slices.Equal(groupSeqnos(got), c.want) {
				t.Errorf("%s: ListGroupMessages(%+v) = %v, %v; want %v", c.name, q, groupSeqnos(got), err, c.want)
				continue
			}
			for _, m := range got {
				if m.ReceiverID != q.Group {
					t.Errorf("%s: listed a message of group %d", c.name, m.ReceiverID)
				}
				full, err := tx.GetGroupMessage(ctx, m.Key)
				if err != nil || full != m {
					t.Errorf("%s: listed %+v\nstored %+v (%v)", c.name, m, full, err)
				}
			}
		}
		return nil
	})
}

func testSetGroupMessageStatus(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	groupListFixture(t, d)
	direct := message(1, 1, 2, 1)
	d.update(t, func(tx store.Tx) error { return tx.InsertMessage(ctx, direct) })
	list := func(want []uint64) {
		t.Helper()
		d.view(t, func(tx store.Tx) error {
			got, err := tx.ListGroupMessages(ctx, store.GroupMessageQuery{Group: gidA, Limit: 100})
			if err != nil || !slices.Equal(groupSeqnos(got), want) {
				t.Errorf("ListGroupMessages = %v, %v; want %v", groupSeqnos(got), err, want)
			}
			return nil
		})
	}
	status := func(seq uint64, want int) {
		t.Helper()
		d.view(t, func(tx store.Tx) error {
			m, err := tx.GetGroupMessage(ctx, groupKey(gidA, seq))
			if err != nil || m.Status != want {
				t.Errorf("message %d: status %d, %v; want %d", seq, m.Status, err, want)
			}
			at, err := tx.GetGroupMessageAt(ctx, gidA, seq)
			if err != nil || at != m {
				t.Errorf("message %d by seqno = %+v, %v\nby key %+v", seq, at, err, m)
			}
			return nil
		})
	}
	set := func(seq uint64, st int) {
		t.Helper()
		d.update(t, func(tx store.Tx) error { return tx.SetGroupMessageStatus(ctx, groupKey(gidA, seq), st) })
	}
	set(9, 1)
	status(9, 1)
	list([]uint64{12, 10, 9, 8, 7, 6, 4, 3, 2, 1})
	set(9, 2) // system-recalled: never listed again, but still readable
	status(9, 2)
	list([]uint64{12, 10, 8, 7, 6, 4, 3, 2, 1})
	set(5, 0) // and back
	status(5, 0)
	list([]uint64{12, 10, 8, 7, 6, 5, 4, 3, 2, 1})
	status(12, 0)
	// The other group's message with the same seqno is untouched.
	d.view(t, func(tx store.Tx) error {
		if m, err := tx.GetGroupMessageAt(ctx, gidB, 9); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetGroupMessageAt(gidB, 9) = %+v, %v; want ErrNotFound", m, err)
		}
		if m, err := tx.GetGroupMessageAt(ctx, gidB, 5); err != nil || m != groupMessage(gidB, 5) {
			t.Errorf("group B's message 5 = %+v, %v; want unchanged", m, err)
		}
		return nil
	})

	for _, k := range []uint64{keyBase + 999_999_999, 0, 1<<64 - 1, direct.Key} {
		err := d.st.Update(ctx, func(tx store.Tx) error { return tx.SetGroupMessageStatus(ctx, k, 1) })
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("SetGroupMessageStatus of key %d (no group message): %v, want ErrNotFound", k, err)
		}
	}
	d.view(t, func(tx store.Tx) error {
		if m, err := tx.GetMessage(ctx, direct.Key); err != nil || m != direct {
			t.Errorf("SetGroupMessageStatus touched a 1:1 message: %+v, %v", m, err)
		}
		return nil
	})
}

// --- transactions ---

// groupWrites performs one group write of every kind, tagged with n, on group n (which
// it creates) and group gidA (which must exist, with member 1 and message 1).
func groupWrites(ctx context.Context, tx store.Tx, n uint64) error {
	if err := tx.CreateGroup(ctx, group(n)); err != nil {
		return err
	}
	if err := tx.PutMember(ctx, member(n, n)); err != nil {
		return err
	}
	if err := tx.InsertGroupMessage(ctx, groupMessage(n, 1)); err != nil {
		return err
	}
	g := group(gidA)
	g.MaxSeqno, g.Name = n, fmt.Sprintf("changed by %d", n)
	if err := tx.PutGroup(ctx, g); err != nil {
		return err
	}
	m := member(gidA, 1)
	m.AckSeqno = n
	if err := tx.PutMember(ctx, m); err != nil {
		return err
	}
	if err := tx.DeleteMember(ctx, gidA, 2); err != nil {
		return err
	}
	return tx.SetGroupMessageStatus(ctx, groupKey(gidA, 1), 2)
}

// groupBase creates what groupWrites changes.
func groupBase(ctx context.Context, tx store.Tx) error {
	if err := tx.CreateGroup(ctx, group(gidA)); err != nil {
		return err
	}
	if err := tx.PutMember(ctx, member(gidA, 1)); err != nil {
		return err
	}
	if err := tx.PutMember(ctx, member(gidA, 2)); err != nil {
		return err
	}
	return tx.InsertGroupMessage(ctx, groupMessage(gidA, 1))
}

// expectGroupBase checks that groupBase's rows are as it wrote them and that none of
// groupWrites(n)'s rows exist, for each n.
func expectGroupBase(t *testing.T, d *db, what string, ns ...uint64) {
	t.Helper()
	ctx := t.Context()
	d.view(t, func(tx store.Tx) error {
		if g, err := tx.GetGroup(ctx, gidA); err != nil || g != group(gidA) {
			t.Errorf("%s: group = %+v, %v; want unchanged", what, g, err)
		}
		for _, mid := range []uint64{1, 2} {
			if m, err := tx.GetMember(ctx, gidA, mid); err != nil || m != member(gidA, mid) {
				t.Errorf("%s: member %d = %+v, %v; want unchanged", what, mid, m, err)
			}
		}
		if m, err := tx.GetGroupMessage(ctx, groupKey(gidA, 1)); err != nil || m != groupMessage(gidA, 1) {
			t.Errorf("%s: message = %+v, %v; want unchanged", what, m, err)
		}
		for _, n := range ns {
			if g, err := tx.GetGroup(ctx, n); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s: group %d = %+v, %v; want ErrNotFound", what, n, g, err)
			}
			if m, err := tx.GetMember(ctx, n, n); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s: member %d = %+v, %v; want ErrNotFound", what, n, m, err)
			}
			if m, err := tx.GetGroupMessage(ctx, groupKey(n, 1)); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s: message of group %d = %+v, %v; want ErrNotFound", what, n, m, err)
			}
		}
		return nil
	})
}

func testGroupsUpdateErrorRollsBack(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	d.update(t, func(tx store.Tx) error { return groupBase(ctx, tx) })
	fails := []struct {
		name string
		fail func(tx store.Tx) error
		want error
	}{
		{"fn's error", func(tx store.Tx) error {
			// The transaction sees its own writes.
			if g, err := tx.GetGroup(ctx, 11); err != nil || g != group(11) {
				return fmt.Errorf("inside the transaction GetGroup = %+v, %v", g, err)
			}
			if _, err := tx.GetMember(ctx, gidA, 2); !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("inside the transaction the deleted member is there: %v", err)
			}
			return errBoom
		}, errBoom},
		{"duplicate group", func(tx store.Tx) error { return tx.CreateGroup(ctx, group(gidA)) }, store.ErrConflict},
		{"duplicate seqno", func(tx store.Tx) error {
			m := groupMessage(gidA, 1)
			m.Key++
			return tx.InsertGroupMessage(ctx, m)
		}, store.ErrConflict},
		{"missing group", func(tx store.Tx) error { return tx.PutGroup(ctx, group(gidB)) }, store.ErrNotFound},
		{"missing message", func(tx store.Tx) error {
			return tx.SetGroupMessageStatus(ctx, groupKey(gidB, 1), 1)
		}, store.ErrNotFound},
	}
	for i, f := range fails {
		n := uint64(11 + i)
		err := d.st.Update(ctx, func(tx store.Tx) error {
			if err := groupWrites(ctx, tx, n); err != nil {
				return err
			}
			return f.fail(tx)
		})
		if !errors.Is(err, f.want) {
			t.Errorf("%s: Update returned %v, want %v", f.name, err, f.want)
		}
		expectGroupBase(t, d, f.name, n)
	}
	// The same writes commit when fn succeeds.
	d.update(t, func(tx store.Tx) error { return groupWrites(ctx, tx, 30) })
	d.view(t, func(tx store.Tx) error {
		if g, err := tx.GetGroup(ctx, 30); err != nil || g != group(30) {
			t.Errorf("after a successful Update: group 30 = %+v, %v", g, err)
		}
		if g, err := tx.GetGroup(ctx, gidA); err != nil || g.MaxSeqno != 30 {
			t.Errorf("after a successful Update: group A = %+v, %v", g, err)
		}
		if _, err := tx.GetMember(ctx, gidA, 2); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("after a successful Update: member 2 is still there (%v)", err)
		}
		if m, err := tx.GetGroupMessage(ctx, groupKey(gidA, 1)); err != nil || m.Status != 2 {
			t.Errorf("after a successful Update: message status %d, %v; want 2", m.Status, err)
		}
		return nil
	})
}

// testGroupsConcurrentFailures queues many group writes behind one held Update, a few of
// which fail on a duplicate seqno after writing: with group commit, they must fail alone.
func testGroupsConcurrentFailures(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	const n = 48
	d.update(t, func(tx store.Tx) error {
		if err := tx.CreateGroup(ctx, group(gidA)); err != nil {
			return err
		}
		return tx.InsertGroupMessage(ctx, groupMessage(gidA, 1000))
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
			return tx.PutMember(ctx, member(gidA, 5000))
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
				if err := tx.PutMember(ctx, member(gidA, id)); err != nil {
					return err
				}
				m := groupMessage(gidA, id)
				if id%4 == 3 {
					m.Seqno = 1000 // taken
				}
				return tx.InsertGroupMessage(ctx, m)
			})
		})
	}
	ready.Wait()
	close(release)
	wg.Wait()
	if err := <-holdErr; err != nil {
		t.Fatalf("holding Update: %v", err)
	}
	d.view(t, func(tx store.Tx) error {
		for i, err := range errs {
			id := uint64(i + 1)
			_, merr := tx.GetMember(ctx, gidA, id)
			_, gerr := tx.GetGroupMessage(ctx, groupKey(gidA, id))
			if id%4 == 3 {
				if !errors.Is(err, store.ErrConflict) {
					t.Errorf("op %d: %v, want ErrConflict", id, err)
				}
				if merr == nil || gerr == nil {
					t.Errorf("op %d failed but left writes behind (member %v, message %v)", id, merr, gerr)
				}
				continue
			}
			if err != nil {
				t.Errorf("op %d: %v", id, err)
			}
			if merr != nil || gerr != nil {
				t.Errorf("op %d succeeded but its writes are missing (member %v, message %v)", id, merr, gerr)
			}
		}
		if _, err := tx.GetMember(ctx, gidA, 5000); err != nil {
			t.Errorf("the holding Update's member: %v", err)
		}
		return nil
	})
}

func testGroupsViewReadOnly(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	d.update(t, func(tx store.Tx) error { return groupBase(ctx, tx) })
	writes := []struct {
		name string
		fn   func(tx store.Tx) error
	}{
		{"CreateGroup", func(tx store.Tx) error { return tx.CreateGroup(ctx, group(gidB)) }},
		{"PutGroup", func(tx store.Tx) error { g := group(gidA); g.Name = "x"; return tx.PutGroup(ctx, g) }},
		{"PutMember new", func(tx store.Tx) error { return tx.PutMember(ctx, member(gidA, 3)) }},
		{"PutMember replace", func(tx store.Tx) error { m := member(gidA, 1); m.AckSeqno++; return tx.PutMember(ctx, m) }},
		{"DeleteMember", func(tx store.Tx) error { return tx.DeleteMember(ctx, gidA, 2) }},
		{"InsertGroupMessage", func(tx store.Tx) error { return tx.InsertGroupMessage(ctx, groupMessage(gidA, 2)) }},
		{"SetGroupMessageStatus", func(tx store.Tx) error {
			return tx.SetGroupMessageStatus(ctx, groupKey(gidA, 1), 2)
		}},
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
	expectGroupBase(t, d, "after writes inside View", gidB)
	d.view(t, func(tx store.Tx) error {
		if m, err := tx.GetMember(ctx, gidA, 3); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("PutMember inside View created %+v, %v", m, err)
		}
		if m, err := tx.GetGroupMessageAt(ctx, gidA, 2); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("InsertGroupMessage inside View stored %+v, %v", m, err)
		}
		return nil
	})
}
