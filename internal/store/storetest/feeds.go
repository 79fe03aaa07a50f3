package storetest

// Conformance of store.Feeds: the notification feeds' items (insert, replace, get by id
// and by aggregation key, pages by (time, id) cursor) and the per-feed read state.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/bilimsg/bilimsg/internal/store"
)

// feedItem builds an item of owner's feed at time tsBase+dt; n makes its stamp and body
// distinct.
func feedItem(owner uint64, feed store.FeedKind, dt int64, n int) store.FeedItem {
	return store.FeedItem{Owner: owner, Feed: feed, Time: tsBase + dt, Stamp: (tsBase+dt)*1_000_000 + int64(n),
		Body: fmt.Sprintf(`{"n":%d,"text":"回复 %d"}`, n, n)}
}

// insertFeedItems inserts items in order and returns them with their ids.
func insertFeedItems(t *testing.T, d *db, items ...store.FeedItem) []store.FeedItem {
	t.Helper()
	out := slices.Clone(items)
	ctx := t.Context()
	d.update(t, func(tx store.Tx) error {
		for i := range out {
			id, err := tx.InsertFeedItem(ctx, out[i])
			if err != nil {
				return err
			}
			out[i].ID = id
		}
		return nil
	})
	return out
}

func feedIDs(its []store.FeedItem) []uint64 {
	return pluck(its, func(it store.FeedItem) uint64 { return it.ID })
}

// listFeed is ListFeedItems in a View.
func listFeed(t *testing.T, d *db, owner uint64, feed store.FeedKind, beforeTime int64, beforeID uint64, limit int) []store.FeedItem {
	t.Helper()
	var its []store.FeedItem
	d.view(t, func(tx store.Tx) error {
		var err error
		its, err = tx.ListFeedItems(t.Context(), owner, feed, beforeTime, beforeID, limit)
		return err
	})
	return its
}

// --- items ---

func testFeedInsertGet(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	a := feedItem(over53, store.FeedReply, 0, 1)
	a.Agg = ""
	b := feedItem(bigMid, store.FeedLike, 5, 2)
	b.Agg = "reply:1073543151725051921"
	c := feedItem(over53, store.FeedSystem, -5, 3) // an older time does not make a smaller id
	c.Body = `{"title":"系统通知","content":"emoji 😀 and \"quotes\""}`
	items := insertFeedItems(t, d, a, b)
	items = append(items, insertFeedItems(t, d, c)...)
	ids := feedIDs(items)
	for i := range ids {
		if ids[i] == 0 {
			t.Errorf("InsertFeedItem returned id 0 for item %d", i)
		}
		if i > 0 && ids[i] <= ids[i-1] {
			t.Errorf("InsertFeedItem ids do not increase: %v", ids)
		}
	}
	check := func(when string) {
		t.Helper()
		d.view(t, func(tx store.Tx) error {
			for _, want := range items {
				if got, err := tx.GetFeedItem(ctx, want.ID); err != nil || got != want {
					t.Errorf("%s: GetFeedItem(%d) = %+v, %v\nwant %+v", when, want.ID, got, err, want)
				}
			}
			for _, id := range []uint64{0, ids[2] + 1, ids[2] + 1_000_000, math.MaxInt64, math.MaxInt64 + 1, math.MaxUint64} {
				if it, err := tx.GetFeedItem(ctx, id); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("%s: GetFeedItem(%d) of no item = %+v, %v; want ErrNotFound", when, id, it, err)
				}
			}
			return nil
		})
	}
	check("after inserting")
	d.reopen(t)
	check("after reopening")
	// Ids are never reused, across restarts too.
	more := insertFeedItems(t, d, feedItem(over53, store.FeedReply, 10, 4), feedItem(bigMid, store.FeedReply, 10, 5))
	if more[0].ID <= ids[2] || more[1].ID <= more[0].ID {
		t.Errorf("ids after reopening %v, not above %v", feedIDs(more), ids)
	}
}

func testFeedPut(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	items := insertFeedItems(t, d, feedItem(1, store.FeedLike, 0, 1), feedItem(1, store.FeedLike, 1, 2))
	items[0].Agg = "video:42"
	changed := items[0]
	changed.Time, changed.Stamp = tsBase+100, items[1].Stamp+1
	changed.Body = `{"counts":2,"likers":[3,2]}`
	d.update(t, func(tx store.Tx) error { return tx.PutFeedItem(ctx, changed) })
	d.view(t, func(tx store.Tx) error {
		if got, err := tx.GetFeedItem(ctx, changed.ID); err != nil || got != changed {
			t.Errorf("after PutFeedItem: %+v, %v\nwant %+v", got, err, changed)
		}
		if got, err := tx.GetFeedItem(ctx, items[1].ID); err != nil || got != items[1] {
			t.Errorf("PutFeedItem changed another item: %+v, %v", got, err)
		}
		return nil
	})
	// The replaced item moved to the top of the feed.
	if got := feedIDs(listFeed(t, d, 1, store.FeedLike, 0, 0, 10)); !slices.Equal(got, []uint64{changed.ID, items[1].ID}) {
		t.Errorf("after moving an item: %v, want %v", got, []uint64{changed.ID, items[1].ID})
	}
	for _, id := range []uint64{0, items[1].ID + 1, math.MaxUint64} {
		missing := feedItem(1, store.FeedLike, 0, 9)
		missing.ID = id
		err := d.st.Update(ctx, func(tx store.Tx) error { return tx.PutFeedItem(ctx, missing) })
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("PutFeedItem of missing item %d: %v, want ErrNotFound", id, err)
		}
	}
	d.view(t, func(tx store.Tx) error {
		if it, err := tx.GetFeedItem(ctx, items[1].ID+1); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("PutFeedItem of a missing item created %+v, %v", it, err)
		}
		return nil
	})
	d.reopen(t)
	d.view(t, func(tx store.Tx) error {
		if got, err := tx.GetFeedItem(ctx, changed.ID); err != nil || got != changed {
			t.Errorf("after reopening: %+v, %v\nwant %+v", got, err, changed)
		}
		return nil
	})
}

func testFeedAgg(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	mk := func(owner uint64, feed store.FeedKind, agg string, n int) store.FeedItem {
		it := feedItem(owner, feed, int64(n), n)
		it.Agg = agg
		return it
	}
	items := insertFeedItems(t, d,
		mk(1, store.FeedLike, "reply:7", 1),
		mk(1, store.FeedLike, "video:7", 2),
		mk(2, store.FeedLike, "reply:7", 3),
		mk(1, store.FeedReply, "reply:8", 4),
		mk(1, store.FeedLike, "", 5),
		mk(1, store.FeedLike, "", 6),
	)
	found := []struct {
		owner uint64
		feed  store.FeedKind
		agg   string
		want  store.FeedItem
	}{
		{1, store.FeedLike, "reply:7", items[0]},
		{1, store.FeedLike, "video:7", items[1]},
		{2, store.FeedLike, "reply:7", items[2]},
		{1, store.FeedReply, "reply:8", items[3]},
	}
	missing := []struct {
		owner uint64
		feed  store.FeedKind
		agg   string
	}{
		{3, store.FeedLike, "reply:7"},      // another owner
		{1, store.FeedReply, "reply:7"},     // another feed
		{1, store.FeedSystem, "reply:7"},    // another feed
		{2, store.FeedLike, "video:7"},      // another owner's key
		{1, store.FeedLike, "reply:70"},     // a longer key
		{1, store.FeedLike, "reply:"},       // a prefix
		{1, store.FeedLike, "REPLY:7"},      // case matters
		{1, store.FeedLike, ""},             // "" never matches, although two items have it
		{1, store.FeedReply, ""},            // nor in a feed without such items
		{over53, store.FeedLike, "reply:7"}, // a 64-bit owner
	}
	check := func(when string) {
		t.Helper()
		d.view(t, func(tx store.Tx) error {
			for _, f := range found {
				if got, err := tx.GetFeedItemByAgg(ctx, f.owner, f.feed, f.agg); err != nil || got != f.want {
					t.Errorf("%s: GetFeedItemByAgg(%d, %d, %q) = %+v, %v\nwant %+v", when, f.owner, f.feed, f.agg, got, err, f.want)
				}
			}
			for _, m := range missing {
				if got, err := tx.GetFeedItemByAgg(ctx, m.owner, m.feed, m.agg); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("%s: GetFeedItemByAgg(%d, %d, %q) = %+v, %v; want ErrNotFound", when, m.owner, m.feed, m.agg, got, err)
				}
			}
			return nil
		})
	}
	check("after inserting")
	d.reopen(t)
	check("after reopening")
	// Replacing an item's key: the old key finds nothing, the new one finds it.
	moved := items[1]
	moved.Agg = "video:8"
	d.update(t, func(tx store.Tx) error { return tx.PutFeedItem(ctx, moved) })
	d.view(t, func(tx store.Tx) error {
		if got, err := tx.GetFeedItemByAgg(ctx, 1, store.FeedLike, "video:7"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("old key after PutFeedItem: %+v, %v; want ErrNotFound", got, err)
		}
		if got, err := tx.GetFeedItemByAgg(ctx, 1, store.FeedLike, "video:8"); err != nil || got != moved {
			t.Errorf("new key after PutFeedItem: %+v, %v; want %+v", got, err, moved)
		}
		return nil
	})
}

// feedListFixture: owner 1's reply feed has 9 items over three seconds, inserted out of
// time order so that ids alone do not give the order; other owners and feeds have
// items at the same times.
func feedListFixture(t *testing.T, d *db) (want []store.FeedItem) {
	t.Helper()
	// dt of each item of owner 1's reply feed, in insertion order.
	dts := []int64{20, 10, 20, 30, 10, 20, 30, 10, 30}
	var items []store.FeedItem
	for i, dt := range dts {
		items = append(items, feedItem(1, store.FeedReply, dt, i))
		// Noise: the same times in owner 2's reply feed and owner 1's @ feed.
		items = append(items, feedItem(2, store.FeedReply, dt, 100+i), feedItem(1, store.FeedAt, dt, 200+i))
	}
	items = insertFeedItems(t, d, items...)
	for _, it := range items {
		if it.Owner == 1 && it.Feed == store.FeedReply {
			want = append(want, it)
		}
	}
	slices.SortFunc(want, func(a, b store.FeedItem) int {
		if a.Time != b.Time {
			return int(b.Time - a.Time)
		}
		if a.ID > b.ID {
			return -1
		}
		return 1
	})
	return want
}

func testListFeedItems(t *testing.T, h *harness) {
	d := h.new(t)
	all := feedListFixture(t, d)
	ids := feedIDs(all)
	// all[0..2] at tsBase+30, all[3..5] at +20, all[6..8] at +10.
	for i := 0; i < 9; i += 3 {
		if all[i].Time != all[i+2].Time {
			t.Fatalf("fixture: %+v", all)
		}
	}
	cases := []struct {
		name       string
		beforeTime int64
		beforeID   uint64
		limit      int
		want       []uint64
	}{
		{"newest first", 0, 0, 100, ids},
		{"limit", 0, 0, 4, ids[:4]},
		{"limit 1", 0, 0, 1, ids[:1]},
		{"limit = all", 0, 0, 9, ids},
		{"beforeTime 0 ignores beforeID", 0, ids[4], 100, ids},
		{"after an item: same second smaller id, then older seconds", all[1].Time, ids[1], 100, ids[2:]},
		{"after the last item of a second", all[2].Time, ids[2], 100, ids[3:]},
		{"after the first item of a second", all[3].Time, ids[3], 3, ids[4:7]},
		{"beforeID 0: before that second", all[3].Time, 0, 100, ids[6:]},
		{"beforeID above every id: that whole second", all[3].Time, math.MaxUint64, 100, ids[3:]},
		{"beforeID above MaxInt64: that whole second", all[3].Time, math.MaxInt64 + 10, 100, ids[3:]},
		{"a time between seconds", all[3].Time - 5, 0, 100, ids[6:]},
		{"a time between seconds, any id", all[3].Time - 5, 1, 100, ids[6:]},
		{"a future cursor", tsBase + 1_000_000, 1, 100, ids},
		{"the largest time", math.MaxInt64, math.MaxUint64, 100, ids},
		{"after the oldest item", all[8].Time, ids[8], 100, nil},
		{"before every time", tsBase, 0, 100, nil},
		{"time 1", 1, math.MaxUint64, 100, nil},
	}
	// Another owner's item as the cursor only bounds owner 1's feed by its (time, id).
	var other store.FeedItem
	for _, it := range listFeed(t, d, 2, store.FeedReply, 0, 0, 100) {
		if it.Time == all[3].Time {
			other = it
			break
		}
	}
	var bounded []uint64
	for _, it := range all {
		if it.Time < other.Time || it.Time == other.Time && it.ID < other.ID {
			bounded = append(bounded, it.ID)
		}
	}
	cases = append(cases, struct {
		name       string
		beforeTime int64
		beforeID   uint64
		limit      int
		want       []uint64
	}{"a cursor of another owner's item", other.Time, other.ID, 100, bounded})
	for _, c := range cases {
		got := feedIDs(listFeed(t, d, 1, store.FeedReply, c.beforeTime, c.beforeID, c.limit))
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: ListFeedItems(%d, %d, %d) = %v, want %v", c.name, c.beforeTime, c.beforeID, c.limit, got, c.want)
		}
	}
	// Whole items come back.
	if got := listFeed(t, d, 1, store.FeedReply, 0, 0, 100); !slices.Equal(got, all) {
		t.Errorf("ListFeedItems items:\n%+v\nwant\n%+v", got, all)
	}
	// Paging by the last item's (time, id) visits every item once, in order.
	for _, size := range []int{1, 2, 3, 4, 8, 9, 10} {
		var seen []uint64
		var bt int64
		var bid uint64
		for range 20 {
			page := listFeed(t, d, 1, store.FeedReply, bt, bid, size)
			if len(page) > size {
				t.Fatalf("page of %d items with limit %d", len(page), size)
			}
			seen = append(seen, feedIDs(page)...)
			if len(page) < size {
				break
			}
			bt, bid = page[len(page)-1].Time, page[len(page)-1].ID
		}
		if !slices.Equal(seen, ids) {
			t.Errorf("paging by %d: %v, want %v", size, seen, ids)
		}
	}
}

func testListFeedItemsIsolation(t *testing.T, h *harness) {
	d := h.new(t)
	feedListFixture(t, d)
	// Another user's and another feed's items stay out of each other's pages.
	by := func(owner uint64, feed store.FeedKind) []store.FeedItem {
		return listFeed(t, d, owner, feed, 0, 0, 100)
	}
	for _, c := range []struct {
		owner uint64
		feed  store.FeedKind
		n     int
	}{
		{1, store.FeedReply, 9},
		{2, store.FeedReply, 9},
		{1, store.FeedAt, 9},
		{2, store.FeedAt, 0},
		{1, store.FeedLike, 0},
		{1, store.FeedSystem, 0},
		{3, store.FeedReply, 0},
		{over53, store.FeedReply, 0},
	} {
		got := by(c.owner, c.feed)
		if len(got) != c.n {
			t.Errorf("owner %d feed %d: %d items, want %d", c.owner, c.feed, len(got), c.n)
		}
		for _, it := range got {
			if it.Owner != c.owner || it.Feed != c.feed {
				t.Errorf("owner %d feed %d lists %+v", c.owner, c.feed, it)
			}
		}
	}
	// 64-bit owners.
	items := insertFeedItems(t, d, feedItem(over53, store.FeedSystem, 1, 1), feedItem(over53+1, store.FeedSystem, 1, 2))
	if got := feedIDs(by(over53, store.FeedSystem)); !slices.Equal(got, []uint64{items[0].ID}) {
		t.Errorf("owner %d: %v, want %v", uint64(over53), got, items[0].ID)
	}
}

// --- the users a page names ---

// testFeedUsers: GetUsers and Followed, which resolve a page's users and follow states.
func testFeedUsers(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	d.update(t, func(tx store.Tx) error {
		for _, mid := range []uint64{1, 2, 3, bigMid, over53} {
			if err := tx.CreateUser(ctx, user(mid)); err != nil {
				return err
			}
		}
		for _, r := range []struct {
			mid, target uint64
			rel         store.Relation
		}{
			{1, 2, store.Relation{Following: true}},
			{1, over53, store.Relation{Following: true}},
			{1, 3, store.Relation{Blocking: true}},
			{1, bigMid, store.Relation{}},            // unfollowed: a row that follows no one
			{1, 99, store.Relation{Following: true}}, // a user who does not exist
			{2, 1, store.Relation{Following: true}},
			{over53, 1, store.Relation{Following: true}},
		} {
			if err := tx.PutRelation(ctx, r.mid, r.target, r.rel); err != nil {
				return err
			}
		}
		return nil
	})
	set := func(ms []uint64) []uint64 { return slices.Compact(slices.Sorted(slices.Values(ms))) }
	d.view(t, func(tx store.Tx) error {
		for _, c := range []struct {
			mids, want []uint64
		}{
			{nil, nil},
			{[]uint64{}, nil},
			{[]uint64{99}, nil},
			{[]uint64{over53, 99, 1, 1, bigMid}, []uint64{1, bigMid, over53}},
			{[]uint64{2, 3, 1}, []uint64{1, 2, 3}},
			{[]uint64{math.MaxUint64, 1 << 63}, nil},
		} {
			us, err := tx.GetUsers(ctx, c.mids)
			if err != nil {
				t.Errorf("GetUsers(%v): %v", c.mids, err)
				continue
			}
			if got := set(mids(us)); !slices.Equal(got, c.want) {
				t.Errorf("GetUsers(%v) = %v, want %v", c.mids, got, c.want)
			}
			for _, u := range us {
				if u != user(u.Mid) {
					t.Errorf("GetUsers(%v): %+v, want %+v", c.mids, u, user(u.Mid))
				}
			}
		}
		for _, c := range []struct {
			mid           uint64
			targets, want []uint64
		}{
			{1, nil, nil},
			{1, []uint64{}, nil},
			{1, []uint64{2, 3, bigMid, over53, 99, 1}, []uint64{2, 99, over53}},
			{1, []uint64{3, bigMid}, nil},
			{2, []uint64{1, 3, over53}, []uint64{1}},
			{over53, []uint64{1, 2}, []uint64{1}},
			{3, []uint64{1, 2}, nil},
			{1, []uint64{math.MaxUint64}, nil},
		} {
			got, err := tx.Followed(ctx, c.mid, c.targets)
			if err != nil {
				t.Errorf("Followed(%d, %v): %v", c.mid, c.targets, err)
				continue
			}
			if got = set(got); !slices.Equal(got, c.want) {
				t.Errorf("Followed(%d, %v) = %v, want %v", c.mid, c.targets, got, c.want)
			}
		}
		return nil
	})
}

// --- state ---

func testFeedState(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	feeds := []store.FeedKind{store.FeedReply, store.FeedAt, store.FeedLike, store.FeedSystem}
	d.view(t, func(tx store.Tx) error {
		for _, f := range feeds {
			if st, err := tx.GetFeedState(ctx, 1, f); err != nil || st != (store.FeedState{}) {
				t.Errorf("GetFeedState(1, %d) when absent = %+v, %v; want zero", f, st, err)
			}
		}
		return nil
	})
	want := map[store.FeedKind]store.FeedState{
		store.FeedReply:  {Unread: 3, SeenStamp: 1_717_315_200_123_456, LastViewAt: tsBase},
		store.FeedAt:     {Unread: 1 << 40},
		store.FeedSystem: {LastViewAt: tsBase + 1, SeenStamp: 1},
	}
	d.update(t, func(tx store.Tx) error {
		for f, st := range want {
			if err := tx.PutFeedState(ctx, over53, f, st); err != nil {
				return err
			}
		}
		return tx.PutFeedState(ctx, 2, store.FeedLike, store.FeedState{Unread: 7})
	})
	check := func(when string) {
		t.Helper()
		d.view(t, func(tx store.Tx) error {
			for _, f := range feeds {
				if st, err := tx.GetFeedState(ctx, over53, f); err != nil || st != want[f] {
					t.Errorf("%s: GetFeedState(%d, %d) = %+v, %v; want %+v", when, uint64(over53), f, st, err, want[f])
				}
			}
			if st, err := tx.GetFeedState(ctx, 2, store.FeedLike); err != nil || st != (store.FeedState{Unread: 7}) {
				t.Errorf("%s: owner 2's like state = %+v, %v", when, st, err)
			}
			if st, err := tx.GetFeedState(ctx, 2, store.FeedReply); err != nil || st != (store.FeedState{}) {
				t.Errorf("%s: owner 2's reply state = %+v, %v; want zero", when, st, err)
			}
			return nil
		})
	}
	check("after PutFeedState")
	d.reopen(t)
	check("after reopening")
	// Put replaces the whole state, zero included.
	want[store.FeedReply] = store.FeedState{SeenStamp: 5}
	want[store.FeedAt] = store.FeedState{}
	d.update(t, func(tx store.Tx) error {
		if err := tx.PutFeedState(ctx, over53, store.FeedReply, want[store.FeedReply]); err != nil {
			return err
		}
		return tx.PutFeedState(ctx, over53, store.FeedAt, store.FeedState{})
	})
	check("after replacing")
}

// --- transactions ---

// feedWrites is every kind of feed write, on owner n.
func feedWrites(ctx context.Context, tx store.Tx, n uint64, existing store.FeedItem) error {
	if _, err := tx.InsertFeedItem(ctx, feedItem(n, store.FeedReply, 50, int(n))); err != nil {
		return err
	}
	changed := existing
	changed.Body, changed.Time = `{"changed":true}`, existing.Time+60
	if err := tx.PutFeedItem(ctx, changed); err != nil {
		return err
	}
	return tx.PutFeedState(ctx, existing.Owner, existing.Feed, store.FeedState{Unread: int64(n)})
}

// expectFeedBase checks that only base and its state exist in the feeds of its owner and
// of the owners in ns.
func expectFeedBase(t *testing.T, d *db, what string, base store.FeedItem, ns ...uint64) {
	t.Helper()
	ctx := t.Context()
	d.view(t, func(tx store.Tx) error {
		if got, err := tx.GetFeedItem(ctx, base.ID); err != nil || got != base {
			t.Errorf("%s: base item = %+v, %v; want %+v", what, got, err, base)
		}
		if st, err := tx.GetFeedState(ctx, base.Owner, base.Feed); err != nil || st != (store.FeedState{Unread: 1}) {
			t.Errorf("%s: base state = %+v, %v; want {Unread: 1}", what, st, err)
		}
		for _, n := range ns {
			if its, err := tx.ListFeedItems(ctx, n, store.FeedReply, 0, 0, 10); err != nil || len(its) != 0 {
				t.Errorf("%s: owner %d has items %+v, %v", what, n, its, err)
			}
		}
		return nil
	})
}

func testFeedsUpdateErrorRollsBack(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	base := insertFeedItems(t, d, feedItem(1, store.FeedLike, 0, 1))[0]
	d.update(t, func(tx store.Tx) error { return tx.PutFeedState(ctx, 1, store.FeedLike, store.FeedState{Unread: 1}) })
	fails := []struct {
		name string
		fail func(tx store.Tx) error
		want error
	}{
		{"fn's error", func(tx store.Tx) error {
			// The transaction sees its own writes.
			if st, err := tx.GetFeedState(ctx, 1, store.FeedLike); err != nil || st.Unread == 1 {
				return fmt.Errorf("inside the transaction the state is %+v, %v", st, err)
			}
			if its, err := tx.ListFeedItems(ctx, 1, store.FeedLike, 0, 0, 10); err != nil || len(its) != 1 ||
				its[0].Body != `{"changed":true}` {
				return fmt.Errorf("inside the transaction the items are %+v, %v", its, err)
			}
			return errBoom
		}, errBoom},
		{"missing item", func(tx store.Tx) error {
			missing := base
			missing.ID = base.ID + 1_000_000
			return tx.PutFeedItem(ctx, missing)
		}, store.ErrNotFound},
	}
	for i, f := range fails {
		n := uint64(11 + i)
		err := d.st.Update(ctx, func(tx store.Tx) error {
			if err := feedWrites(ctx, tx, n, base); err != nil {
				return err
			}
			return f.fail(tx)
		})
		if !errors.Is(err, f.want) {
			t.Errorf("%s: Update returned %v, want %v", f.name, err, f.want)
		}
		expectFeedBase(t, d, f.name, base, n)
	}
	// The same writes commit when fn succeeds.
	d.update(t, func(tx store.Tx) error { return feedWrites(ctx, tx, 30, base) })
	d.view(t, func(tx store.Tx) error {
		if its, err := tx.ListFeedItems(ctx, 30, store.FeedReply, 0, 0, 10); err != nil || len(its) != 1 {
			t.Errorf("after a successful Update: owner 30's items %+v, %v", its, err)
		}
		if it, err := tx.GetFeedItem(ctx, base.ID); err != nil || it.Body != `{"changed":true}` {
			t.Errorf("after a successful Update: base item %+v, %v", it, err)
		}
		if st, err := tx.GetFeedState(ctx, 1, store.FeedLike); err != nil || st != (store.FeedState{Unread: 30}) {
			t.Errorf("after a successful Update: state %+v, %v", st, err)
		}
		return nil
	})
}

func testFeedsViewReadOnly(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	base := insertFeedItems(t, d, feedItem(1, store.FeedLike, 0, 1))[0]
	d.update(t, func(tx store.Tx) error { return tx.PutFeedState(ctx, 1, store.FeedLike, store.FeedState{Unread: 1}) })
	writes := []struct {
		name string
		fn   func(tx store.Tx) error
	}{
		{"InsertFeedItem", func(tx store.Tx) error {
			_, err := tx.InsertFeedItem(ctx, feedItem(2, store.FeedReply, 0, 2))
			return err
		}},
		{"PutFeedItem", func(tx store.Tx) error {
			it := base
			it.Body = "{}"
			return tx.PutFeedItem(ctx, it)
		}},
		{"PutFeedState replace", func(tx store.Tx) error {
			return tx.PutFeedState(ctx, 1, store.FeedLike, store.FeedState{Unread: 9})
		}},
		{"PutFeedState new", func(tx store.Tx) error {
			return tx.PutFeedState(ctx, 2, store.FeedReply, store.FeedState{Unread: 9})
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
	expectFeedBase(t, d, "after writes inside View", base, 2)
	d.view(t, func(tx store.Tx) error {
		if st, err := tx.GetFeedState(ctx, 2, store.FeedReply); err != nil || st != (store.FeedState{}) {
			t.Errorf("PutFeedState inside View stored %+v, %v", st, err)
		}
		return nil
	})
}

// testFeedRenew: DeleteFeedItem removes one item (absent ids are no error), and a new
// insert for the same aggregation key gets a larger id; AddFeedLiker reports each
// (owner, agg, mid) once.
func testFeedRenew(t *testing.T, h *harness) {
	d := h.new(t)
	ctx := t.Context()
	it := feedItem(1, store.FeedLike, 10, 1)
	it.Agg = "reply:7"
	first := insertFeedItems(t, d, it)[0]
	d.update(t, func(tx store.Tx) error {
		if err := tx.DeleteFeedItem(ctx, first.ID); err != nil {
			return err
		}
		if err := tx.DeleteFeedItem(ctx, first.ID); err != nil {
			t.Errorf("deleting an absent item: %v", err)
		}
		if _, err := tx.GetFeedItem(ctx, first.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetFeedItem after delete: %v, want ErrNotFound", err)
		}
		id, err := tx.InsertFeedItem(ctx, it)
		if err != nil {
			return err
		}
		if id <= first.ID {
			t.Errorf("renewed id %d, want above %d", id, first.ID)
		}
		if got, err := tx.GetFeedItemByAgg(ctx, 1, store.FeedLike, "reply:7"); err != nil || got.ID != id {
			t.Errorf("GetFeedItemByAgg after renewal = %+v, %v", got, err)
		}
		for _, c := range []struct {
			owner uint64
			agg   string
			mid   uint64
			want  bool
		}{{1, "reply:7", 20, true}, {1, "reply:7", 20, false}, {1, "reply:7", 21, true}, {1, "video:7", 20, true},
			{2, "reply:7", 20, true}, {over53, "reply:7", over53, true}, {over53, "reply:7", over53, false}} {
			added, err := tx.AddFeedLiker(ctx, c.owner, c.agg, c.mid)
			if err != nil || added != c.want {
				t.Errorf("AddFeedLiker(%d, %q, %d) = %v, %v; want %v", c.owner, c.agg, c.mid, added, err, c.want)
			}
		}
		return nil
	})
}
