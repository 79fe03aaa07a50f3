package client_test

// Tests of the iterators: AllSessions, AllMessages, AllReplies, AllAts, AllLikes and
// AllSystemNotices against an in-process bilimsg (several pages, no duplicates, no
// gaps, order), and against scripted servers that misbehave (no endless loops).

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/client"
	"github.com/bilimsg/bilimsg/internal/testkit"
)

// sdkCollect gathers a sequence until its first error (returned) or its end.
func sdkCollect[E any](seq func(func(E, error) bool)) ([]E, error) {
	var out []E
	for e, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, e)
	}
	return out, nil
}

func TestAllSessionsPages(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	me := s.NewUser(0, "me")
	for i := range 7 {
		u := s.NewUser(0, fmt.Sprintf("talker%d", i))
		if i%2 == 0 {
			s.Follow(me.Mid, u.Mid, true)
		}
		sdkText(t, s.Client(u), client.User(me.Mid), fmt.Sprintf("hi %d", i))
	}
	gid := s.NewGroup(me.Mid, "mine")
	c, cnt := sdkCounted(t, s, me)
	ctx := t.Context()
	whole := sdkMust(c.Sessions(ctx, client.SessionsOptions{Size: 100}))(t)
	if len(whole.Sessions) != 8 {
		t.Fatalf("%d sessions in one page, want 8", len(whole.Sessions))
	}
	// Pin one in the middle: pins do not reorder the list.
	sdkOK(t, c.SetTop(ctx, whole.Sessions[4].Talker(), true))

	before := cnt.count(testkit.PathGetSessions)
	got, err := sdkCollect(c.AllSessions(ctx, client.SessionsOptions{Category: client.CategoryAll, Size: 3}))
	sdkOK(t, err)
	if pages := cnt.count(testkit.PathGetSessions) - before; pages != 3 {
		t.Errorf("8 sessions by 3 took %d requests, want 3", pages)
	}
	if !slices.Equal(sdkTalkers(got), sdkTalkers(whole.Sessions)) {
		t.Errorf("AllSessions by 3:\n%v\nwant (one page of 100):\n%v", sdkTalkers(got), sdkTalkers(whole.Sessions))
	}
	seen := map[client.Talker]bool{}
	for i, ss := range got {
		if seen[ss.Talker()] {
			t.Errorf("%v twice", ss.Talker())
		}
		seen[ss.Talker()] = true
		if i > 0 && ss.SessionTs >= got[i-1].SessionTs {
			t.Errorf("not newest first at %d", i)
		}
	}
	if !seen[client.Group(gid)] {
		t.Errorf("the group is missing")
	}

	// Bounds: only sessions newer than BeginTs; a category.
	newer, err := sdkCollect(c.AllSessions(ctx, client.SessionsOptions{Size: 2, BeginTs: whole.Sessions[5].SessionTs}))
	sdkOK(t, err)
	if !slices.Equal(sdkTalkers(newer), sdkTalkers(whole.Sessions[:5])) {
		t.Errorf("newer than the 6th: %v", sdkTalkers(newer))
	}
	followed, err := sdkCollect(c.AllSessions(ctx, client.SessionsOptions{Category: client.CategoryFollowing, Size: 1}))
	sdkOK(t, err)
	if len(followed) != 4 {
		t.Errorf("category 9 by 1: %d sessions, want 4", len(followed))
	}

	// Stopping early stops paging.
	before = cnt.count(testkit.PathGetSessions)
	n := 0
	for _, err := range c.AllSessions(ctx, client.SessionsOptions{Size: 3}) {
		sdkOK(t, err)
		if n++; n == 2 {
			break
		}
	}
	if pages := cnt.count(testkit.PathGetSessions) - before; pages != 1 {
		t.Errorf("breaking after 2 of a page of 3 made %d requests", pages)
	}

	// An error is yielded once, then the sequence ends.
	var errs []error
	for _, err := range s.Client(testkit.User{}).AllSessions(ctx, client.SessionsOptions{}) {
		errs = append(errs, err)
	}
	if len(errs) != 1 || !errors.Is(errs[0], client.ErrNotLoggedIn) {
		t.Errorf("logged out: %v, want one ErrNotLoggedIn", errs)
	}
}

// TestAllSessionsGroupsInJoinOrder: get_sessions category 3 without a sort_rule lists fan
// groups by the time I joined them (catalog P3; docs/groups.md) while end_ts bounds
// session_ts; AllSessions asks for session-time order (sort_rule 1) so that paging by
// the page's smallest session_ts lists every group.
func TestAllSessionsGroupsInJoinOrder(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	owner, me := s.NewUser(0, "owner"), s.NewUser(0, "me")
	var gids []uint64
	for i := range 3 {
		gid := s.NewGroup(owner.Mid, fmt.Sprintf("g%d", i))
		s.Join(gid, me.Mid)
		gids = append(gids, gid)
	}
	sdkText(t, s.Client(owner), client.Group(gids[0]), "the first group is now the newest")
	c := s.Client(me)
	got, err := sdkCollect(c.AllSessions(t.Context(), client.SessionsOptions{Category: client.CategoryGroups, Size: 1}))
	sdkOK(t, err)
	if len(got) != 3 {
		t.Errorf("AllSessions(category 3, size 1) = %v, want all 3 groups %v", sdkTalkers(got), gids)
	}
}

// TestAllSessionsSortByAck: with sort_rule 3 get_sessions orders and bounds by ack_ts,
// which cannot be paged (never-read sessions share ack_ts 0): AllSessions refuses it
// with an error instead of skipping sessions.
func TestAllSessionsSortByAck(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	me := s.NewUser(0, "me")
	var talkers []client.Talker
	for i := range 3 {
		u := s.NewUser(0, fmt.Sprintf("t%d", i))
		s.Follow(me.Mid, u.Mid, true)
		sdkText(t, s.Client(u), client.User(me.Mid), "hi")
		talkers = append(talkers, client.User(u.Mid))
	}
	c := s.Client(me)
	ctx := t.Context()
	for _, tk := range talkers { // acked oldest first: ack order = session order
		sdkOK(t, c.Ack(ctx, tk, 0))
	}
	page := sdkMust(c.Sessions(ctx, client.SessionsOptions{Category: client.CategoryFollowing, SortRule: 3, Size: 10}))(t)
	if len(page.Sessions) != 3 {
		t.Fatalf("sort_rule 3: %d sessions", len(page.Sessions))
	}
	got, err := sdkCollect(c.AllSessions(ctx, client.SessionsOptions{Category: client.CategoryFollowing, SortRule: 3, Size: 1}))
	if err == nil || len(got) != 0 || !strings.Contains(err.Error(), "sort_rule 3") {
		t.Errorf("AllSessions(sort_rule 3) = %v, %v; want no sessions and an error naming sort_rule 3", sdkTalkers(got), err)
	}
}

func TestAllMessages(t *testing.T) {
	t.Parallel()
	ch := sdkNewChat(t, testkit.Options{})
	var keys []uint64
	for i := range 25 {
		keys = append(keys, sdkText(t, ch.ca, client.User(ch.b.Mid), fmt.Sprintf("m%02d", i)))
	}
	slices.Reverse(keys) // newest first
	c, cnt := sdkCounted(t, ch.s, ch.b)
	ctx := t.Context()
	got, err := sdkCollect(c.AllMessages(ctx, client.User(ch.a.Mid), 0, 10))
	sdkOK(t, err)
	if !slices.Equal(sdkKeys(got), keys) {
		t.Errorf("AllMessages by 10: %d messages %v\nwant %v", len(got), sdkKeys(got), keys)
	}
	for i := 1; i < len(got); i++ {
		if got[i].MsgSeqno >= got[i-1].MsgSeqno {
			t.Errorf("not newest first at %d", i)
		}
	}
	if pages := cnt.count(testkit.PathFetchMsgs); pages != 3 {
		t.Errorf("25 messages by 10 took %d requests, want 3", pages)
	}
	// From below a seqno.
	older, err := sdkCollect(c.AllMessages(ctx, client.User(ch.a.Mid), got[9].MsgSeqno, 7))
	sdkOK(t, err)
	if !slices.Equal(sdkKeys(older), keys[10:]) {
		t.Errorf("below the 10th: %v, want %v", sdkKeys(older), keys[10:])
	}
	// Default size: one request.
	n := cnt.count(testkit.PathFetchMsgs)
	all, err := sdkCollect(c.AllMessages(ctx, client.User(ch.a.Mid), 0, 0))
	sdkOK(t, err)
	if len(all) != 25 || cnt.count(testkit.PathFetchMsgs)-n != 1 {
		t.Errorf("default size: %d messages in %d requests", len(all), cnt.count(testkit.PathFetchMsgs)-n)
	}
	// Stopping early.
	n = cnt.count(testkit.PathFetchMsgs)
	for m, err := range c.AllMessages(ctx, client.User(ch.a.Mid), 0, 10) {
		sdkOK(t, err)
		if m.MsgKey != keys[0] {
			t.Errorf("first message %d, want %d", m.MsgKey, keys[0])
		}
		break
	}
	if cnt.count(testkit.PathFetchMsgs)-n != 1 {
		t.Errorf("breaking at once made %d requests", cnt.count(testkit.PathFetchMsgs)-n)
	}
	// Errors are yielded.
	_, err = sdkCollect(c.AllMessages(ctx, client.Group(123456), 0, 0))
	if !errors.Is(err, client.ErrNotGroupMember) {
		t.Errorf("history of a group I am not in: %v, want 700014", err)
	}
}

func TestAllFeeds(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	me, actor := s.NewUser(0, "me"), s.NewUser(0, "actor")
	var replies, ats, likes, system []uint64
	for i := range 25 {
		replies = append(replies, sdkNotify(t, s, me.Mid, "reply", sdkNotice(actor.Mid, 0, fmt.Sprint("reply ", i))))
		if i < 21 {
			ats = append(ats, sdkNotify(t, s, me.Mid, "at", sdkNotice(actor.Mid, 0, fmt.Sprint("at ", i))))
		}
		if i < 22 {
			likes = append(likes, sdkNotify(t, s, me.Mid, "like", sdkNotice(actor.Mid, uint64(1000+i), "")))
		}
		if i < 23 {
			system = append(system, sdkNotifySystem(t, s, me.Mid, fmt.Sprint("n", i)))
		}
		if i%7 == 0 {
			s.Advance(time.Second) // some in the same second, some not
		}
	}
	for _, ids := range [][]uint64{replies, ats, likes, system} {
		slices.Reverse(ids)
	}
	c, cnt := sdkCounted(t, s, me)
	ctx := t.Context()
	check := func(what, path string, got []uint64, err error, want []uint64) {
		t.Helper()
		sdkOK(t, err)
		if !slices.Equal(got, want) {
			t.Errorf("%s: %v\nwant %v", what, got, want)
		}
		if n := cnt.count(path); n != 2 {
			t.Errorf("%s: %d requests, want 2", what, n)
		}
	}
	r, err := sdkCollect(c.AllReplies(ctx))
	check("AllReplies", "/x/msgfeed/reply", sdkIDs(r, func(e client.ReplyEntry) uint64 { return e.ID }), err, replies)
	a, err := sdkCollect(c.AllAts(ctx))
	check("AllAts", "/x/msgfeed/at", sdkIDs(a, func(e client.AtEntry) uint64 { return e.ID }), err, ats)
	l, err := sdkCollect(c.AllLikes(ctx))
	check("AllLikes", "/x/msgfeed/like", sdkIDs(l, func(e client.LikeEntry) uint64 { return e.ID }), err, likes)
	n, err := sdkCollect(c.AllSystemNotices(ctx))
	// 23 notices by 20: two pages and an empty one that ends the walk.
	sdkOK(t, err)
	if got := sdkIDs(n, func(e client.SystemNotice) uint64 { return e.ID }); !slices.Equal(got, system) {
		t.Errorf("AllSystemNotices: %v\nwant %v", got, system)
	}
	if k := cnt.count("/x/sys-msg/query_notify_list"); k < 2 || k > 3 {
		t.Errorf("AllSystemNotices: %d requests", k)
	}

	// Stopping early: one request each.
	c2, cnt2 := sdkCounted(t, s, me)
	for range c2.AllReplies(ctx) {
		break
	}
	for range c2.AllAts(ctx) {
		break
	}
	for range c2.AllLikes(ctx) {
		break
	}
	for range c2.AllSystemNotices(ctx) {
		break
	}
	if cnt2.n.Load() != 4 {
		t.Errorf("breaking at once from 4 feeds made %d requests", cnt2.n.Load())
	}
	// Errors.
	out := s.Client(testkit.User{})
	for name, err := range map[string]error{
		"AllReplies":       sdkFirstErr(out.AllReplies(ctx)),
		"AllAts":           sdkFirstErr(out.AllAts(ctx)),
		"AllLikes":         sdkFirstErr(out.AllLikes(ctx)),
		"AllSystemNotices": sdkFirstErr(out.AllSystemNotices(ctx)),
	} {
		if !errors.Is(err, client.ErrNotLoggedIn) {
			t.Errorf("%s logged out: %v", name, err)
		}
	}
}

func sdkIDs[E any](es []E, id func(E) uint64) []uint64 {
	var out []uint64
	for _, e := range es {
		out = append(out, id(e))
	}
	return out
}

func sdkFirstErr[E any](seq func(func(E, error) bool)) error {
	_, err := sdkCollect(seq)
	return err
}

// sdkStuck is a server that answers every request of a path with the same body, and
// -500 after 20 requests (so that an endless loop ends).
func sdkStuck(t *testing.T, bodies map[string]string) (*client.Client, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) > 20 {
			io.WriteString(w, `{"code":-500,"message":"loop"}`)
			return
		}
		io.WriteString(w, `{"code":0,"message":"0","data":`+bodies[r.URL.Path]+`}`)
	}))
	t.Cleanup(srv.Close)
	c := sdkMust(client.New(client.WithBaseURL(srv.URL), client.WithRetry(client.NoRetry()),
		client.WithCredentials(client.Credentials{SESSDATA: "s", BiliJct: "j", Mid: 1})))(t)
	return c, &n
}

// TestIteratorsStopOnStuckCursors: a server that repeats a page with more to come must
// not make an iterator loop or repeat items.
func TestIteratorsStopOnStuckCursors(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	t.Run("sessions", func(t *testing.T) {
		c, n := sdkStuck(t, map[string]string{testkit.PathGetSessions: `{"session_list":[{"talker_id":5,"session_type":1,"session_ts":100}],"has_more":1}`})
		got, err := sdkCollect(c.AllSessions(ctx, client.SessionsOptions{}))
		if err == nil || len(got) != 1 || n.Load() != 2 {
			t.Errorf("AllSessions: %d sessions, %v, %d requests", len(got), err, n.Load())
		}
	})
	t.Run("sessions without times", func(t *testing.T) {
		c, n := sdkStuck(t, map[string]string{testkit.PathGetSessions: `{"session_list":[{"talker_id":5,"session_type":1}],"has_more":1}`})
		got, err := sdkCollect(c.AllSessions(ctx, client.SessionsOptions{}))
		if err == nil || len(got) != 1 || n.Load() != 1 {
			t.Errorf("AllSessions: %d sessions, %v, %d requests", len(got), err, n.Load())
		}
	})
	t.Run("messages", func(t *testing.T) {
		c, n := sdkStuck(t, map[string]string{testkit.PathFetchMsgs: `{"messages":[{"msg_seqno":7,"msg_key":70}],"has_more":1,"min_seqno":7,"max_seqno":7}`})
		got, err := sdkCollect(c.AllMessages(ctx, client.User(5), 0, 1))
		if err == nil || n.Load() > 2 {
			t.Errorf("AllMessages: %d messages, %v, %d requests", len(got), err, n.Load())
		}
		if len(got) != 1 {
			t.Errorf("AllMessages yielded %d messages from one repeated window, want 1", len(got))
		}
	})
	t.Run("messages with min_seqno 0", func(t *testing.T) {
		c, n := sdkStuck(t, map[string]string{testkit.PathFetchMsgs: `{"messages":[{"msg_seqno":7,"msg_key":70}],"has_more":1,"min_seqno":0,"max_seqno":7}`})
		got, err := sdkCollect(c.AllMessages(ctx, client.User(5), 0, 1))
		if n.Load() > 2 {
			t.Errorf("AllMessages: %d messages, %v, %d requests: it loops", len(got), err, n.Load())
		}
		if err == nil {
			t.Errorf("AllMessages: no error")
		}
	})
	for _, f := range []struct {
		name, path string
		body       string
		walk       func(*client.Client) (int, error)
	}{
		{"replies", "/x/msgfeed/reply", `{"cursor":{"is_end":false,"id":1,"time":1},"items":[{"id":1}]}`,
			func(c *client.Client) (int, error) { l, err := sdkCollect(c.AllReplies(ctx)); return len(l), err }},
		{"ats", "/x/msgfeed/at", `{"cursor":{"is_end":false,"id":1,"time":1},"items":[{"id":1}]}`,
			func(c *client.Client) (int, error) { l, err := sdkCollect(c.AllAts(ctx)); return len(l), err }},
		{"likes", "/x/msgfeed/like", `{"total":{"cursor":{"is_end":false,"id":1,"time":1},"items":[{"id":1}]}}`,
			func(c *client.Client) (int, error) { l, err := sdkCollect(c.AllLikes(ctx)); return len(l), err }},
		{"likes zero cursor", "/x/msgfeed/like", `{"total":{"cursor":{"is_end":false},"items":[{"id":1}]}}`,
			func(c *client.Client) (int, error) { l, err := sdkCollect(c.AllLikes(ctx)); return len(l), err }},
		{"system", "/x/sys-msg/query_notify_list", `[{"id":5,"cursor":5}]`,
			func(c *client.Client) (int, error) { l, err := sdkCollect(c.AllSystemNotices(ctx)); return len(l), err }},
		{"system zero cursor", "/x/sys-msg/query_notify_list", `[{"id":5}]`,
			func(c *client.Client) (int, error) { l, err := sdkCollect(c.AllSystemNotices(ctx)); return len(l), err }},
	} {
		t.Run(f.name, func(t *testing.T) {
			c, n := sdkStuck(t, map[string]string{f.path: f.body})
			got, err := f.walk(c)
			if err == nil || n.Load() > 2 {
				t.Errorf("%s: %d items, %v, %d requests", f.name, got, err, n.Load())
			}
			if got != 1 {
				t.Errorf("%s yielded %d items from one repeated page, want 1", f.name, got)
			}
		})
	}
}
