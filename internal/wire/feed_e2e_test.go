package wire_test

// End-to-end tests of the notification feeds (docs/feed.md) through HTTP, with a fake
// clock: notices are posted through the operator client (Notify, NotifySystem, as the
// producers of the operator API take them), and read back through the client package as
// any program would — FeedUnread and FeedUnreadLegacy (N1, both URLs), ReplyFeed (N2),
// AtFeed, LikeFeed and SystemNotices, and the iterators AllReplies, AllAts, AllLikes and
// AllSystemNotices — into the typed client.ReplyFeed, client.AtFeed, client.LikeFeed and
// client.SystemNotice.
//
// A few checks are about what the typed client cannot see or cannot ask. The JSON
// itself: an empty page's exact bytes, 64-bit ids as exact integers, at_details [] and
// data [], N1's exact keys, and no field the client's types lack (the client skips what
// it does not know; these reads decode strictly). And requests the client does not form:
// a cursor with a time but no id or an id but no time, malformed numbers, the web page's
// extra parameters, an explicit page_size or cursor of 0. Those stay on the raw HTTP of
// testkit, each saying why. Helpers are prefixed fe2e to keep clear of the other tests
// of the package.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"maps"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/client"
	"github.com/bilimsg/bilimsg/client/operator"
	"github.com/bilimsg/bilimsg/internal/im"
	"github.com/bilimsg/bilimsg/internal/testkit"
)

const (
	fe2eUnreadOld = "/x/msgfeed/unread"
	fe2eUnreadNew = "/x/im/web/msgfeed/unread"
	fe2eSysList   = "/x/sys-msg/query_notify_list"
	fe2eBigID     = 1073543151725051921 // a subject id above 2^53 (catalog N2's example)
)

// fe2eKinds are the feeds with a (time, id) cursor; fe2eTimeParam their time parameter.
var (
	fe2eKinds     = []string{"reply", "at", "like"}
	fe2eTimeParam = map[string]string{"reply": "reply_time", "at": "at_time", "like": "like_time"}
)

// fe2eWho is a user of a test as both APIs see them: c, a client logged in as the user,
// for everything the typed client can say; the embedded testkit.User and s for the raw
// HTTP of the checks it cannot make.
type fe2eWho struct {
	testkit.User
	c *client.Client
	s *testkit.Server
}

// fe2eNewUser creates a user with a login, and a client logged in as them.
func fe2eNewUser(s *testkit.Server, mid uint64, name string) fe2eWho {
	s.TB.Helper()
	u := s.NewUser(mid, name)
	return fe2eWho{User: u, c: s.Client(u), s: s}
}

// fe2eOK fails the test on an error.
func fe2eOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// --- reading, through the client ---

// fe2eTry is a page of w's feed kind after cur (zero: the first page): a
// *client.ReplyFeed, *client.AtFeed or *client.LikeFeed, or the client's error.
func fe2eTry(t *testing.T, w fe2eWho, kind string, cur client.FeedCursor) (any, error) {
	t.Helper()
	switch kind {
	case "reply":
		return w.c.ReplyFeed(t.Context(), cur)
	case "at":
		return w.c.AtFeed(t.Context(), cur)
	case "like":
		return w.c.LikeFeed(t.Context(), cur)
	}
	t.Fatalf("fe2eTry: feed %q", kind)
	return nil, nil
}

// fe2eFeed is fe2eTry that must succeed.
func fe2eFeed(t *testing.T, w fe2eWho, kind string, cur client.FeedCursor) any {
	t.Helper()
	p, err := fe2eTry(t, w, kind, cur)
	if err != nil {
		t.Fatalf("msgfeed/%s of %d after %+v: %v", kind, w.Mid, cur, err)
	}
	fe2eLatest(t, p)
	return p
}

// fe2eLatest checks that a like page's latest.items is []. (The JSON decoder leaves the
// slice nil for null or an absent key and makes it empty for [].)
func fe2eLatest(t *testing.T, p any) {
	t.Helper()
	if d, ok := p.(*client.LikeFeed); ok && (d.Latest.Items == nil || len(d.Latest.Items) != 0) {
		t.Errorf("like feed: latest.items must be [], got %+v", d.Latest.Items)
	}
}

func fe2eReplies(t *testing.T, w fe2eWho) *client.ReplyFeed {
	t.Helper()
	return fe2eFeed(t, w, "reply", client.FeedCursor{}).(*client.ReplyFeed)
}

func fe2eAts(t *testing.T, w fe2eWho) *client.AtFeed {
	t.Helper()
	return fe2eFeed(t, w, "at", client.FeedCursor{}).(*client.AtFeed)
}

func fe2eLikes(t *testing.T, w fe2eWho) *client.LikeFeed {
	t.Helper()
	return fe2eFeed(t, w, "like", client.FeedCursor{}).(*client.LikeFeed)
}

// fe2eSys is a page of w's system notifications after cursor (0: the newest), at most
// size of them (0: the server's default).
func fe2eSys(t *testing.T, w fe2eWho, cursor uint64, size int) []client.SystemNotice {
	t.Helper()
	l, err := w.c.SystemNotices(t.Context(), cursor, size)
	if err != nil {
		t.Fatalf("query_notify_list of %d (cursor %d, page_size %d): %v", w.Mid, cursor, size, err)
	}
	// The client reads data null as a nil list, and [] as an empty one.
	if l == nil {
		t.Errorf("query_notify_list: data must be an array, got null")
	}
	return l
}

func fe2eSysIDs(ns []client.SystemNotice) []uint64 {
	out := []uint64{}
	for _, n := range ns {
		out = append(out, n.ID)
	}
	return out
}

// fe2ePage is what every (time, id) feed has: a cursor, its items' ids and times, and
// last_view_at.
type fe2ePage struct {
	Cursor     client.FeedCursor
	IDs        []uint64
	Times      []int64
	LastViewAt int64
}

// fe2ePageOf is the fe2ePage of a page of any of the three feeds.
func fe2ePageOf(t *testing.T, page any) fe2ePage {
	t.Helper()
	p := fe2ePage{IDs: []uint64{}, Times: []int64{}}
	switch d := page.(type) {
	case *client.ReplyFeed:
		p.Cursor, p.LastViewAt = d.Cursor, d.LastViewAt
		for _, it := range d.Items {
			p.IDs, p.Times = append(p.IDs, it.ID), append(p.Times, it.ReplyTime)
		}
	case *client.AtFeed:
		p.Cursor, p.LastViewAt = d.Cursor, d.LastViewAt
		for _, it := range d.Items {
			p.IDs, p.Times = append(p.IDs, it.ID), append(p.Times, it.AtTime)
		}
	case *client.LikeFeed:
		p.Cursor, p.LastViewAt = d.Total.Cursor, d.Latest.LastViewAt
		for _, it := range d.Total.Items {
			p.IDs, p.Times = append(p.IDs, it.ID), append(p.Times, it.LikeTime)
		}
	default:
		t.Fatalf("fe2ePageOf: %T", page)
	}
	return p
}

// fe2eRead reads one page of a reply, @ or like feed after cur (zero: the first page).
func fe2eRead(t *testing.T, w fe2eWho, kind string, cur client.FeedCursor) fe2ePage {
	t.Helper()
	return fe2ePageOf(t, fe2eFeed(t, w, kind, cur))
}

// fe2eList reads a page of any feed, the system list included, after cur (zero: the
// first page), and returns its ids (newest first) and last_view_at (0 for the system
// list, which has none). The system list's cursor is cur.ID alone.
func fe2eList(t *testing.T, w fe2eWho, kind string, cur client.FeedCursor) ([]uint64, int64) {
	t.Helper()
	if kind == "system" {
		return fe2eSysIDs(fe2eSys(t, w, cur.ID, 0)), 0
	}
	p := fe2eRead(t, w, kind, cur)
	return p.IDs, p.LastViewAt
}

// fe2eAll is all of w's feed kind through the client's iterator, newest first.
func fe2eAll(t *testing.T, w fe2eWho, kind string) []uint64 {
	t.Helper()
	ctx := t.Context()
	switch kind {
	case "reply":
		return fe2eCollect(t, kind, w.c.AllReplies(ctx), func(e client.ReplyEntry) uint64 { return e.ID })
	case "at":
		return fe2eCollect(t, kind, w.c.AllAts(ctx), func(e client.AtEntry) uint64 { return e.ID })
	case "like":
		return fe2eCollect(t, kind, w.c.AllLikes(ctx), func(e client.LikeEntry) uint64 { return e.ID })
	case "system":
		return fe2eCollect(t, kind, w.c.AllSystemNotices(ctx), func(n client.SystemNotice) uint64 { return n.ID })
	}
	t.Fatalf("fe2eAll: feed %q", kind)
	return nil
}

func fe2eCollect[E any](t *testing.T, kind string, seq iter.Seq2[E, error], id func(E) uint64) []uint64 {
	t.Helper()
	out := []uint64{}
	for e, err := range seq {
		if err != nil {
			t.Fatalf("all of %s: %v", kind, err)
		}
		out = append(out, id(e))
	}
	return out
}

// fe2eByFeed are N1's counts by feed.
func fe2eByFeed(d *client.FeedUnread) map[string]int64 {
	return map[string]int64{"reply": d.Reply, "at": d.At, "like": d.Like, "system": d.SysMsg}
}

// fe2eUnread are w's unread counts by feed (N1, new URL), checking the aliases.
func fe2eUnread(t *testing.T, w fe2eWho) map[string]int64 {
	t.Helper()
	d, err := w.c.FeedUnread(t.Context())
	if err != nil {
		t.Fatalf("N1 of %d: %v", w.Mid, err)
	}
	if d.RecvReply != d.Reply || d.RecvLike != d.Like {
		t.Errorf("N1 of %d: recv_reply %d / reply %d, recv_like %d / like %d", w.Mid, d.RecvReply, d.Reply,
			d.RecvLike, d.Like)
	}
	return fe2eByFeed(d)
}

// fe2eShow prints N1's answer with sys_msg_style's value (or "absent") for its pointer.
func fe2eShow(d client.FeedUnread) string {
	style := "absent"
	if d.SysMsgStyle != nil {
		style = strconv.Itoa(*d.SysMsgStyle)
	}
	d.SysMsgStyle = nil
	return fmt.Sprintf("%+v sys_msg_style:%s", d, style)
}

// --- reading, raw ---

// fe2eRawGet is path as w with exactly the parameters q: for requests the client does
// not send and answers whose JSON matters.
func fe2eRawGet(t *testing.T, w fe2eWho, path string, q url.Values) testkit.Raw {
	t.Helper()
	return w.s.Get(w.User, path, q)
}

// fe2eStrict checks that r is a success and decodes its data strictly into out: a field
// that out's type lacks is an error, where the client would skip it.
func fe2eStrict(t *testing.T, r testkit.Raw, what string, out any) {
	t.Helper()
	if c := r.Code(t); c != 0 {
		t.Fatalf("%s: code %d: %s", what, c, r.Body)
	}
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(r.Body, &env); err != nil {
		t.Fatalf("%s: %v: %s", what, err, r.Body)
	}
	dec := json.NewDecoder(bytes.NewReader(env.Data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		t.Fatalf("%s: decode data: %v\n%s", what, err, r.Body)
	}
}

// fe2eNewPage is an empty page of feed kind in the client's types, to decode into.
func fe2eNewPage(kind string) any {
	return map[string]any{"reply": &client.ReplyFeed{}, "at": &client.AtFeed{}, "like": &client.LikeFeed{}}[kind]
}

// fe2eReadRaw is fe2eRead with exactly the parameters q, decoded strictly into the
// client's types.
func fe2eReadRaw(t *testing.T, w fe2eWho, kind string, q url.Values) fe2ePage {
	t.Helper()
	p := fe2eNewPage(kind)
	fe2eStrict(t, fe2eRawGet(t, w, "/x/msgfeed/"+kind, q), "msgfeed/"+kind, p)
	fe2eLatest(t, p)
	return fe2ePageOf(t, p)
}

// fe2eSysRaw is fe2eSys with exactly the parameters q, decoded strictly.
func fe2eSysRaw(t *testing.T, w fe2eWho, q url.Values) []client.SystemNotice {
	t.Helper()
	var l []client.SystemNotice
	fe2eStrict(t, fe2eRawGet(t, w, fe2eSysList, q), "query_notify_list", &l)
	if l == nil {
		t.Errorf("query_notify_list: data must be an array, got null")
	}
	return l
}

// fe2eAfter is the raw query of the page after cursor c.
func fe2eAfter(kind string, c client.FeedCursor) url.Values {
	return url.Values{"id": {strconv.FormatUint(c.ID, 10)}, fe2eTimeParam[kind]: {strconv.FormatInt(c.Time, 10)}}
}

// --- posting, through the operator client ---

// fe2eNotice is a notice from actor about item (item_id, ignored by replies and @s).
func fe2eNotice(actor, item uint64) operator.Notice {
	return operator.Notice{Actor: actor, Type: "reply", BusinessID: 1, Business: "评论", Title: "我的视频",
		URI: "https://www.bilibili.com/video/BV1xx411c7mD", Source: "说得好", ItemID: item}
}

// fe2ePost posts n to owner's feed kind and returns the answer.
func fe2ePost(t *testing.T, op *operator.Client, owner uint64, kind string, n operator.Notice) (uint64, bool) {
	t.Helper()
	p, err := op.Notify(t.Context(), owner, kind, n)
	if err != nil {
		t.Fatalf("notify %d (%s): %v", owner, kind, err)
	}
	if p.Delivered != (p.ID != 0) {
		t.Errorf("notify %d (%s): delivered %v with id %d", owner, kind, p.Delivered, p.ID)
	}
	return p.ID, p.Delivered
}

// fe2eMust posts a notice that must be delivered and returns its item id.
func fe2eMust(t *testing.T, op *operator.Client, owner uint64, kind string, n operator.Notice) uint64 {
	t.Helper()
	id, ok := fe2ePost(t, op, owner, kind, n)
	if !ok {
		t.Fatalf("notify %d (%s): not delivered", owner, kind)
	}
	return id
}

// fe2eSystem posts a system notice, which is always delivered, and returns its id.
func fe2eSystem(t *testing.T, op *operator.Client, owner uint64, n operator.SystemNotice) uint64 {
	t.Helper()
	p, err := op.NotifySystem(t.Context(), owner, n)
	if err != nil {
		t.Fatalf("notify %d (system): %v", owner, err)
	}
	if !p.Delivered || p.ID == 0 {
		t.Fatalf("notify %d (system): delivered %v with id %d", owner, p.Delivered, p.ID)
	}
	return p.ID
}

func fe2eSystemTitled(t *testing.T, op *operator.Client, owner uint64, title string) uint64 {
	t.Helper()
	return fe2eSystem(t, op, owner, operator.SystemNotice{Title: title, Content: "内容 " + title})
}

// fe2ePostAny posts to any feed, the system list included.
func fe2ePostAny(t *testing.T, op *operator.Client, owner uint64, kind string, actor, item uint64) uint64 {
	t.Helper()
	if kind == "system" {
		return fe2eSystemTitled(t, op, owner, "通知 "+strconv.FormatUint(item, 10))
	}
	return fe2eMust(t, op, owner, kind, fe2eNotice(actor, item))
}

// fe2ePrefs changes w's message settings through the client (bilibili name → value).
func fe2ePrefs(t *testing.T, w fe2eWho, prefs map[string]int) {
	t.Helper()
	var u client.PreferenceUpdate
	for k, v := range prefs {
		fe2eOK(t, u.Set(k, v))
	}
	fe2eOK(t, w.c.SetPreferences(t.Context(), u))
}

func fe2eNow(s *testkit.Server) int64 { return s.App.FakeClock.Now().Unix() }

func fe2eReversed(ids []uint64) []uint64 {
	out := slices.Clone(ids)
	slices.Reverse(out)
	return out
}

func fe2eMids(us []client.FeedUser) []uint64 {
	out := []uint64{}
	for _, u := range us {
		out = append(out, u.Mid)
	}
	return out
}

// --- unread counts (N1) ---

func TestFeedE2EUnreadCounts(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	op := s.Operator()
	me := fe2eNewUser(s, 10, "收件人")
	s.NewUser(20, "甲")
	s.NewUser(21, "乙")
	zero := map[string]int64{"reply": 0, "at": 0, "like": 0, "system": 0}
	if got := fe2eUnread(t, me); !maps.Equal(got, zero) {
		t.Errorf("before any notice: %v", got)
	}
	for range 2 {
		fe2eMust(t, op, 10, "reply", fe2eNotice(20, 0))
	}
	for range 3 {
		fe2eMust(t, op, 10, "at", fe2eNotice(21, 0))
	}
	// Three likes of two things: two items.
	fe2eMust(t, op, 10, "like", fe2eNotice(20, 1))
	fe2eMust(t, op, 10, "like", fe2eNotice(21, 1))
	fe2eMust(t, op, 10, "like", fe2eNotice(20, 2))
	for range 4 {
		fe2eSystemTitled(t, op, 10, "公告")
	}
	wantNew := client.FeedUnread{At: 3, Like: 2, RecvLike: 2, RecvReply: 2, Reply: 2, SysMsg: 4, SysMsgStyle: new(1)}
	wantOld := wantNew
	wantOld.SysMsgStyle = nil
	counts := func(path string) *client.FeedUnread {
		t.Helper()
		get := me.c.FeedUnread
		if path == fe2eUnreadOld {
			get = me.c.FeedUnreadLegacy
		}
		d, err := get(t.Context())
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return d
	}
	for path, want := range map[string]client.FeedUnread{fe2eUnreadNew: wantNew, fe2eUnreadOld: wantOld} {
		if got := counts(path); fe2eShow(*got) != fe2eShow(want) {
			t.Errorf("%s: %s\nwant %s", path, fe2eShow(*got), fe2eShow(want))
		}
	}
	// Raw: N1's exact keys (the client reads an absent count as 0, and skips a key it
	// does not know).
	keysOld := []string{"at", "chat", "coin", "danmu", "favorite", "like", "recv_like", "recv_reply", "reply", "sys_msg", "up"}
	keysNew := slices.Sorted(slices.Values(append(slices.Clone(keysOld), "sys_msg_style")))
	for path, want := range map[string][]string{fe2eUnreadNew: keysNew, fe2eUnreadOld: keysOld} {
		var d map[string]int64
		fe2eStrict(t, fe2eRawGet(t, me, path, nil), path, &d)
		if got := slices.Sorted(maps.Keys(d)); !slices.Equal(got, want) {
			t.Errorf("%s: keys %v\nwant %v", path, got, want)
		}
	}
	// The web page's parameters are accepted and ignored. Raw: the client does not send
	// them.
	q := url.Values{"build": {"0"}, "mobi_app": {"web"}, "platform": {"web"}, "web_location": {"333.1365"}}
	for _, path := range []string{fe2eUnreadOld, fe2eUnreadNew} {
		var d client.FeedUnread
		fe2eStrict(t, fe2eRawGet(t, me, path, q), path, &d)
		if d.Reply != 2 || d.SysMsg != 4 {
			t.Errorf("%s with the web page's parameters: %s", path, fe2eShow(d))
		}
	}
	// Not logged in.
	nobody := s.Client(testkit.User{})
	if _, err := nobody.FeedUnread(t.Context()); !errors.Is(err, client.ErrNotLoggedIn) {
		t.Errorf("%s without SESSDATA: %v, want -101", fe2eUnreadNew, err)
	}
	if _, err := nobody.FeedUnreadLegacy(t.Context()); !errors.Is(err, client.ErrNotLoggedIn) {
		t.Errorf("%s without SESSDATA: %v, want -101", fe2eUnreadOld, err)
	}
	// Private messages are not notifications (N1 does not count them).
	if _, err := fe2eNewUser(s, 22, "丙").c.SendText(t.Context(), client.User(10), "你好"); err != nil {
		t.Fatalf("send a private message: %v", err)
	}
	if got := counts(fe2eUnreadNew); fe2eShow(*got) != fe2eShow(wantNew) {
		t.Errorf("after a private message: %s", fe2eShow(*got))
	}
}

// --- paging ---

// TestFeedE2EPaging pages through 47 items of each feed, four per second so that the
// page boundaries fall inside a second and the id decides.
func TestFeedE2EPaging(t *testing.T) {
	t.Parallel()
	for _, kind := range fe2eKinds {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			s := testkit.Start(t, testkit.Options{})
			op := s.Operator()
			me := fe2eNewUser(s, 10, "收件人")
			actors := []uint64{s.NewUser(20, "甲").Mid, s.NewUser(21, "乙").Mid, s.NewUser(22, "丙").Mid}
			var posted []uint64
			timeOf := map[uint64]int64{}
			for i := range 47 {
				if i > 0 && i%4 == 0 {
					s.Advance(time.Second)
				}
				id := fe2eMust(t, op, 10, kind, fe2eNotice(actors[i%3], uint64(1000+i)))
				if len(posted) > 0 && id <= posted[len(posted)-1] {
					t.Fatalf("ids do not increase: %d after %d", id, posted[len(posted)-1])
				}
				posted = append(posted, id)
				timeOf[id] = fe2eNow(s)
			}
			if got := fe2eUnread(t, me)[kind]; got != 47 {
				t.Errorf("unread %s = %d, want 47", kind, got)
			}
			var seen []uint64
			var sizes []int
			var pages []fe2ePage
			var cur client.FeedCursor
			for len(pages) < 5 {
				p := fe2eRead(t, me, kind, cur)
				pages = append(pages, p)
				sizes = append(sizes, len(p.IDs))
				seen = append(seen, p.IDs...)
				for i, id := range p.IDs {
					if p.Times[i] != timeOf[id] {
						t.Errorf("item %d: time %d, posted at %d", id, p.Times[i], timeOf[id])
					}
				}
				if n := len(p.IDs); n > 0 && (p.Cursor.ID != p.IDs[n-1] || p.Cursor.Time != p.Times[n-1]) {
					t.Errorf("page %d: cursor %+v, last item (%d, %d)", len(pages), p.Cursor, p.IDs[n-1], p.Times[n-1])
				}
				if p.Cursor.IsEnd {
					break
				}
				cur = p.Cursor
			}
			if !slices.Equal(sizes, []int{20, 20, 7}) {
				t.Fatalf("page sizes %v, want [20 20 7]", sizes)
			}
			if want := fe2eReversed(posted); !slices.Equal(seen, want) {
				t.Errorf("pages: %v\nwant %v", seen, want)
			}
			for i, p := range pages[:2] {
				if p.Cursor.IsEnd {
					t.Errorf("page %d: is_end true with more items", i+1)
				}
				// The fixture's point: the next page starts in the same second.
				if next := pages[i+1]; next.Times[0] != p.Cursor.Time {
					t.Errorf("page %d ends at %d and page %d starts at %d: the boundary is not inside a second",
						i+1, p.Cursor.Time, i+2, next.Times[0])
				}
			}
			// After the last page: an empty page. Raw: its exact bytes (key order, zero
			// cursor, items [] rather than null).
			r := fe2eRawGet(t, me, "/x/msgfeed/"+kind, fe2eAfter(kind, pages[2].Cursor))
			if !bytes.Contains(r.Body, []byte(`"cursor":{"is_end":true,"id":0,"time":0},"items":[]`)) {
				t.Errorf("page after the last: %s", r.Body)
			}
			if p := fe2eRead(t, me, kind, pages[2].Cursor); len(p.IDs) != 0 {
				t.Errorf("page after the last: %v", p.IDs)
			}
			// The page size does not depend on anything the client sends. Raw: the client
			// sends no page size nor the web page's parameters.
			q := url.Values{"ps": {"50"}, "page_size": {"50"}, "build": {"0"}, "mobi_app": {"web"}, "platform": {"web"},
				"web_location": {"333.40164"}}
			if p := fe2eReadRaw(t, me, kind, q); len(p.IDs) != 20 {
				t.Errorf("page with extra parameters: %d items", len(p.IDs))
			}
			// The client's iterator pages through the same items.
			if got, want := fe2eAll(t, me, kind), fe2eReversed(posted); !slices.Equal(got, want) {
				t.Errorf("the client's iterator: %v\nwant %v", got, want)
			}
		})
	}
}

// TestFeedE2EIsEndExact: is_end is exact when the items fill the pages exactly.
func TestFeedE2EIsEndExact(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	op := s.Operator()
	s.NewUser(20, "甲")
	for _, c := range []struct {
		n     int
		sizes []int
	}{{1, []int{1}}, {20, []int{20}}, {21, []int{20, 1}}, {40, []int{20, 20}}, {41, []int{20, 20, 1}}} {
		owner := uint64(100 + c.n)
		me := fe2eNewUser(s, owner, fmt.Sprintf("u%d", c.n))
		for _, kind := range fe2eKinds {
			for i := range c.n {
				fe2eMust(t, op, owner, kind, fe2eNotice(20, uint64(i+1)))
			}
			var sizes []int
			var cur client.FeedCursor
			for len(sizes) < 5 {
				p := fe2eRead(t, me, kind, cur)
				sizes = append(sizes, len(p.IDs))
				if p.Cursor.IsEnd {
					break
				}
				cur = p.Cursor
			}
			if !slices.Equal(sizes, c.sizes) {
				t.Errorf("%d %s items: pages %v, want %v (the last one is_end)", c.n, kind, sizes, c.sizes)
			}
		}
	}
	// No items: an empty first page, is_end. Raw: the exact bytes (items [] and data []
	// rather than null).
	me := fe2eNewUser(s, 99, "空")
	for _, kind := range fe2eKinds {
		r := fe2eRawGet(t, me, "/x/msgfeed/"+kind, nil)
		if !bytes.Contains(r.Body, []byte(`"cursor":{"is_end":true,"id":0,"time":0},"items":[]`)) {
			t.Errorf("empty %s feed: %s", kind, r.Body)
		}
	}
	if r := fe2eRawGet(t, me, fe2eSysList, nil); !bytes.Contains(r.Body, []byte(`"data":[]`)) {
		t.Errorf("empty system list: %s", r.Body)
	}
}

// TestFeedE2ECursors: what a cursor means (docs/feed.md "Paging").
func TestFeedE2ECursors(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	op := s.Operator()
	me := fe2eNewUser(s, 10, "收件人")
	other := fe2eNewUser(s, 11, "别人")
	s.NewUser(20, "甲")
	for _, kind := range fe2eKinds {
		// Three items in each of three seconds; another user's items in between.
		var mine [][]uint64 // by second
		var theirs []uint64
		var secs []int64
		for sec := range 3 {
			var ids []uint64
			for i := range 3 {
				ids = append(ids, fe2eMust(t, op, 10, kind, fe2eNotice(20, uint64(10*sec+i+1))))
				theirs = append(theirs, fe2eMust(t, op, 11, kind, fe2eNotice(20, uint64(10*sec+i+1))))
			}
			mine, secs = append(mine, ids), append(secs, fe2eNow(s))
			s.Advance(time.Second)
		}
		all := fe2eReversed(slices.Concat(mine...))
		before := fe2eUnread(t, me)[kind]
		tp := fe2eTimeParam[kind]
		sec := func(i int) string { return strconv.FormatInt(secs[i], 10) }
		for _, c := range []struct {
			name string
			cur  client.FeedCursor
			raw  url.Values // sent as is instead of cur: a cursor the client does not send
			want []uint64
		}{
			{"after an item", client.FeedCursor{ID: mine[1][1], Time: secs[1]}, nil, all[5:]},
			// Raw: the client sends a time only with an id, and an id always with a time.
			{"time without id: before that second", client.FeedCursor{}, url.Values{tp: {sec(1)}}, all[6:]},
			{"time without id, id empty", client.FeedCursor{}, url.Values{"id": {""}, tp: {sec(2)}}, all[3:]},
			{"id 0: before that second", client.FeedCursor{}, url.Values{"id": {"0"}, tp: {sec(2)}}, all[3:]},
			{"id without time: the newest items", client.FeedCursor{}, url.Values{"id": {strconv.FormatUint(mine[0][0], 10)}}, all},
			{"id with time 0: the newest items", client.FeedCursor{ID: mine[0][0], Time: 0}, nil, all},
			{"a cursor from the future", client.FeedCursor{ID: 1, Time: 4102444800}, nil, all},
			{"a huge id", client.FeedCursor{ID: math.MaxUint64, Time: secs[2]}, nil, all},
			{"before every item", client.FeedCursor{ID: mine[0][0], Time: secs[0]}, nil, []uint64{}},
			{"a time before every item", client.FeedCursor{}, url.Values{tp: {"1000"}}, []uint64{}},
			// Another user's item bounds my feed by its numbers and shows nothing of theirs.
			{"another user's item", client.FeedCursor{ID: theirs[4], Time: secs[1]}, nil, all[4:]},
			{"another user's oldest item", client.FeedCursor{ID: theirs[0], Time: secs[0]}, nil, all[8:]},
		} {
			var p fe2ePage
			if c.raw != nil {
				p = fe2eReadRaw(t, me, kind, c.raw)
			} else {
				p = fe2eRead(t, me, kind, c.cur)
			}
			if !slices.Equal(p.IDs, c.want) {
				t.Errorf("%s %s (%+v %s): %v, want %v", kind, c.name, c.cur, c.raw.Encode(), p.IDs, c.want)
			}
			if p.LastViewAt != 0 {
				t.Errorf("%s %s: last_view_at %d: a page with a cursor is not a view", kind, c.name, p.LastViewAt)
			}
			for _, id := range p.IDs {
				if slices.Contains(theirs, id) {
					t.Errorf("%s %s: shows the other user's item %d", kind, c.name, id)
				}
			}
		}
		if got := fe2eUnread(t, me)[kind]; got != before || got == 0 {
			t.Errorf("%s: pages with a cursor changed the unread count %d → %d", kind, before, got)
		}
		// A cursor parameter that is not a non-negative integer is -400. Raw: the client's
		// cursor is two numbers, sent together.
		for _, q := range []url.Values{{"id": {"x"}}, {"id": {"-1"}}, {tp: {"-1"}}, {tp: {"1.5"}}, {"id": {"1e3"}},
			{tp: {"x"}}, {"id": {"18446744073709551616"}}} {
			if c := fe2eRawGet(t, me, "/x/msgfeed/"+kind, q).Code(t); c != -400 {
				t.Errorf("%s %s: code %d, want -400", kind, q.Encode(), c)
			}
		}
		// A negative time the client sends as it is: refused the same.
		if _, err := fe2eTry(t, me, kind, client.FeedCursor{ID: 1, Time: -1}); !errors.Is(err, client.ErrBadRequest) {
			t.Errorf("%s with a negative time through the client: %v, want -400", kind, err)
		}
		if got := fe2eUnread(t, other)[kind]; got != 9 {
			t.Errorf("%s: the other user's count %d, want 9", kind, got)
		}
	}
}

// --- marking read ---

func TestFeedE2EMarkRead(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"reply", "at", "like", "system"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			s := testkit.Start(t, testkit.Options{})
			op := s.Operator()
			me := fe2eNewUser(s, 10, "收件人")
			s.NewUser(20, "甲")
			// 25 items of this feed, one of each of the others.
			var ids []uint64
			for i := range 25 {
				if i%3 == 0 {
					s.Advance(time.Second)
				}
				ids = append(ids, fe2ePostAny(t, op, 10, kind, 20, uint64(i+1)))
			}
			others := map[string]int64{"reply": 1, "at": 1, "like": 1, "system": 1}
			for k := range others {
				if k != kind {
					fe2ePostAny(t, op, 10, k, 20, 1)
				}
			}
			want := maps.Clone(others)
			want[kind] = 25
			check := func(when string) {
				t.Helper()
				if got := fe2eUnread(t, me); !maps.Equal(got, want) {
					t.Errorf("%s: unread %v, want %v", when, got, want)
				}
			}
			check("after posting")
			s.Advance(10 * time.Second)

			// Later pages first: they mark nothing, and nothing was viewed yet. (The system
			// list's cursor is the id alone.)
			later := client.FeedCursor{ID: ids[24], Time: fe2eNow(s) - 10}
			if got, lv := fe2eList(t, me, kind, later); len(got) == 0 || lv != 0 {
				t.Errorf("a later page before any view: %d items, last_view_at %d", len(got), lv)
			}
			check("after a later page")

			// The first page marks this feed read, and only this one.
			view1 := fe2eNow(s)
			got, lv := fe2eList(t, me, kind, client.FeedCursor{})
			if len(got) != 20 || got[0] != ids[24] {
				t.Errorf("first page: %v", got)
			}
			if kind != "system" && lv != view1 {
				t.Errorf("first page: last_view_at %d, want now %d", lv, view1)
			}
			want[kind] = 0
			check("after the first page")
			// Both N1 URLs agree.
			old, err := me.c.FeedUnreadLegacy(t.Context())
			fe2eOK(t, err)
			if n := fe2eByFeed(old)[kind]; n != 0 {
				t.Errorf("old N1 after the first page: %s", fe2eShow(*old))
			}

			// Later pages still mark nothing; they report the last view, not now.
			s.Advance(5 * time.Second)
			fe2ePostAny(t, op, 10, kind, 20, 100)
			want[kind] = 1
			if _, lv := fe2eList(t, me, kind, later); kind != "system" && lv != view1 {
				t.Errorf("a later page after a view: last_view_at %d, want the view's %d", lv, view1)
			}
			check("after a later page, with a new item")

			// New items after a view count again.
			s.Advance(time.Second)
			newer := fe2ePostAny(t, op, 10, kind, 20, 101)
			want[kind] = 2
			check("after two new items")
			view2 := fe2eNow(s)
			// A first page with the web page's parameters is a view too. Raw: the client does
			// not send them.
			q := url.Values{"build": {"0"}, "mobi_app": {"web"}}
			if kind == "system" {
				got, lv = fe2eSysIDs(fe2eSysRaw(t, me, q)), 0
			} else {
				p := fe2eReadRaw(t, me, kind, q)
				got, lv = p.IDs, p.LastViewAt
			}
			if len(got) == 0 || got[0] != newer {
				t.Errorf("first page after new items: %v, want %d first", got, newer)
			}
			if kind != "system" && lv != view2 {
				t.Errorf("second view: last_view_at %d, want %d", lv, view2)
			}
			want[kind] = 0
			check("after the second view")
			// Viewing again without anything new changes nothing but last_view_at.
			s.Advance(time.Second)
			if _, lv = fe2eList(t, me, kind, client.FeedCursor{}); kind != "system" && lv != fe2eNow(s) {
				t.Errorf("third view: last_view_at %d, want %d", lv, fe2eNow(s))
			}
			check("after the third view")
			// A view in the same second as a new item: the item is seen.
			fe2ePostAny(t, op, 10, kind, 20, 102)
			want[kind] = 1
			check("after an item in the second of the view")
			fe2eList(t, me, kind, client.FeedCursor{})
			want[kind] = 0
			check("after viewing again in the same second")
			fe2ePostAny(t, op, 10, kind, 20, 103)
			want[kind] = 1
			check("after an item right after the view, in its second")
		})
	}
}

// --- likes ---

func TestFeedE2ELikesAggregate(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	op := s.Operator()
	me := fe2eNewUser(s, 10, "UP主")
	var likers []uint64
	for i := range 14 {
		likers = append(likers, s.NewUser(uint64(20+i), fmt.Sprintf("粉丝%d", i)).Mid)
	}
	like := func(actor uint64, typ string, item uint64) uint64 {
		t.Helper()
		n := fe2eNotice(actor, item)
		n.Type = typ
		return fe2eMust(t, op, 10, "like", n)
	}
	unread := func() int64 { t.Helper(); return fe2eUnread(t, me)["like"] }

	// Twelve likes of one comment, a second apart: one item (renewed with a new id by each
	// like), counted once.
	var agg uint64
	for i, l := range likers[:12] {
		s.Advance(time.Second)
		id := like(l, "reply", 500)
		if id <= agg {
			t.Fatalf("like %d of the same comment: item %d, want one renewed after %d", i+1, id, agg)
		}
		agg = id
		if n := unread(); n != 1 {
			t.Errorf("after %d likes of one comment: unread %d, want 1", i+1, n)
		}
	}
	lastLike := fe2eNow(s)
	s.Advance(time.Second)
	d := fe2eLikes(t, me)
	if len(d.Total.Items) != 1 {
		t.Fatalf("like feed: %+v", d.Total.Items)
	}
	it := d.Total.Items[0]
	wantUsers := fe2eReversed(likers[2:12]) // the newest ten
	if it.ID != agg || it.Counts != 12 || it.LikeTime != lastLike || it.NoticeState != 0 ||
		!slices.Equal(fe2eMids(it.Users), wantUsers) {
		t.Errorf("aggregated like: id %d counts %d like_time %d users %v\nwant id %d counts 12 like_time %d users %v",
			it.ID, it.Counts, it.LikeTime, fe2eMids(it.Users), agg, lastLike, wantUsers)
	}
	if it.Item.ItemID != 500 || it.Item.Type != "reply" {
		t.Errorf("aggregated like's item: %+v", it.Item)
	}
	if n := unread(); n != 0 {
		t.Errorf("after viewing: unread %d", n)
	}

	// Another type with the same item_id, and another item_id with the same type, are
	// other items.
	s.Advance(time.Second)
	video := like(likers[0], "video", 500)
	s.Advance(time.Second)
	other := like(likers[1], "reply", 501)
	if video == agg || other == agg || video == other {
		t.Errorf("separate things aggregated: %d %d %d", agg, video, other)
	}
	if n := unread(); n != 2 {
		t.Errorf("after likes of two other things: unread %d, want 2", n)
	}
	// A new like of the read comment: it moves to the top and is unread again, once.
	s.Advance(time.Second)
	if id := like(likers[12], "reply", 500); id <= other {
		t.Errorf("like after the view: item %d, want one renewed after %d", id, other)
	}
	if n := unread(); n != 3 {
		t.Errorf("after a new like of a read item: unread %d, want 3", n)
	}
	s.Advance(time.Second)
	agg = like(likers[13], "reply", 500)
	if n := unread(); n != 3 {
		t.Errorf("after another like of an unread item: unread %d, want 3", n)
	}
	lastLike = fe2eNow(s)
	d = fe2eLikes(t, me)
	if len(d.Total.Items) != 3 {
		t.Fatalf("like feed: %+v, want 3 items", d.Total.Items)
	}
	ids := []uint64{d.Total.Items[0].ID, d.Total.Items[1].ID, d.Total.Items[2].ID}
	if !slices.Equal(ids, []uint64{agg, other, video}) {
		t.Errorf("like feed order %v, want %v", ids, []uint64{agg, other, video})
	}
	it = d.Total.Items[0]
	wantUsers = fe2eReversed(likers[4:14])
	if it.Counts != 14 || it.LikeTime != lastLike || !slices.Equal(fe2eMids(it.Users), wantUsers) {
		t.Errorf("after 14 likes: counts %d like_time %d users %v; want 14, %d, %v", it.Counts, it.LikeTime,
			fe2eMids(it.Users), lastLike, wantUsers)
	}
	for i, want := range []struct {
		counts int
		users  []uint64
		typ    string
	}{{1, likers[1:2], "reply"}, {1, likers[0:1], "video"}} {
		it := d.Total.Items[i+1]
		if it.Counts != want.counts || !slices.Equal(fe2eMids(it.Users), want.users) || it.Item.Type != want.typ {
			t.Errorf("item %d: counts %d users %v type %s", it.ID, it.Counts, fe2eMids(it.Users), it.Item.Type)
		}
	}
	// A liker who likes again comes first, once.
	s.Advance(time.Second)
	like(likers[8], "reply", 500)
	d = fe2eLikes(t, me)
	users := fe2eMids(d.Total.Items[0].Users)
	if len(users) != 10 || users[0] != likers[8] || len(slices.Compact(slices.Sorted(slices.Values(users)))) != 10 {
		t.Errorf("after a repeated like: users %v, want %d first and no one twice", users, likers[8])
	}
}

// TestFeedE2ELikeMovesToTopSameSecond: docs/feed.md "each new like moves it to the top".
func TestFeedE2ELikeMovesToTopSameSecond(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	op := s.Operator()
	me := fe2eNewUser(s, 10, "UP主")
	s.NewUser(20, "甲")
	s.NewUser(21, "乙")
	fe2eMust(t, op, 10, "like", fe2eNotice(20, 1))
	second := fe2eMust(t, op, 10, "like", fe2eNotice(20, 2))
	renewed := fe2eMust(t, op, 10, "like", fe2eNotice(21, 1)) // the same second
	if got := fe2eRead(t, me, "like", client.FeedCursor{}).IDs; !slices.Equal(got, []uint64{renewed, second}) {
		t.Errorf("like feed %v, want the newly liked %d on top", got, renewed)
	}
}

// TestFeedE2ERepeatedLikerCountsOnce: docs/feed.md "counts how many liked" (the "等N人"
// of "A、B等N人赞了你的评论"): a user who likes the same thing again is still one of them.
func TestFeedE2ERepeatedLikerCountsOnce(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	op := s.Operator()
	me := fe2eNewUser(s, 10, "UP主")
	s.NewUser(20, "甲")
	s.NewUser(21, "乙")
	fe2eMust(t, op, 10, "like", fe2eNotice(20, 1))
	fe2eMust(t, op, 10, "like", fe2eNotice(21, 1))
	s.Advance(time.Second)
	fe2eMust(t, op, 10, "like", fe2eNotice(20, 1))
	it := fe2eLikes(t, me).Total.Items[0]
	if it.Counts != 2 || !slices.Equal(fe2eMids(it.Users), []uint64{20, 21}) {
		t.Errorf("after 甲, 乙 and 甲 again: counts %d users %v, want 2 [20 21]", it.Counts, fe2eMids(it.Users))
	}
}

// --- users ---

func TestFeedE2EUsers(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	op := s.Operator()
	me := fe2eNewUser(s, 10, "收件人")
	s.NewUser(20, "甲")
	s.NewUser(21, "乙")
	s.NewUser(22, "丙")
	s.Follow(10, 20, true)
	s.Follow(21, 10, true) // 乙 follows me: that is not my following 乙
	reply := fe2eNotice(20, 0)
	reply.AtMids = []uint64{21, 22, 10}
	fe2eMust(t, op, 10, "reply", reply)
	at := fe2eNotice(21, 0)
	at.AtMids = []uint64{20}
	fe2eMust(t, op, 10, "at", at)
	fe2eMust(t, op, 10, "like", fe2eNotice(20, 1))
	fe2eMust(t, op, 10, "like", fe2eNotice(21, 1))

	type view struct {
		name, face string
		follow     bool
	}
	check := func(when string, want map[uint64]view) {
		t.Helper()
		u := func(where string, got client.FeedUser) {
			t.Helper()
			w := want[got.Mid]
			if got.Nickname != w.name || got.Avatar != w.face || got.Follow != w.follow || got.Fans != 0 || got.MidLink != "" {
				t.Errorf("%s: %s: %+v, want %+v", when, where, got, w)
			}
		}
		rp := fe2eReplies(t, me)
		u("reply user", rp.Items[0].User)
		if got := fe2eMids(rp.Items[0].Item.AtDetails); !slices.Equal(got, []uint64{21, 22, 10}) {
			t.Errorf("%s: reply at_details %v", when, got)
		}
		for _, a := range rp.Items[0].Item.AtDetails {
			u("reply at_details", a)
		}
		ap := fe2eAts(t, me)
		u("@ user", ap.Items[0].User)
		for _, a := range ap.Items[0].Item.AtDetails {
			u("@ at_details", a)
		}
		lp := fe2eLikes(t, me)
		if got := fe2eMids(lp.Total.Items[0].Users); !slices.Equal(got, []uint64{21, 20}) {
			t.Errorf("%s: likers %v", when, got)
		}
		for _, l := range lp.Total.Items[0].Users {
			u("liker", l)
		}
	}
	views := map[uint64]view{
		10: {"收件人", im.DefaultFace, false},
		20: {"甲", im.DefaultFace, true},
		21: {"乙", im.DefaultFace, false},
		22: {"丙", im.DefaultFace, false},
	}
	check("as posted", views)

	// Names, faces and follows are read when the feed is, not when the item was posted.
	const face = "https://i0.hdslb.com/bfs/face/甲.jpg"
	if _, err := op.UpdateUser(t.Context(), 20, operator.UserUpdate{Name: new("甲改名"), Face: new(face)}); err != nil {
		t.Fatalf("update user 20: %v", err)
	}
	if _, err := op.UpdateUser(t.Context(), 22, operator.UserUpdate{Name: new("丙丙")}); err != nil {
		t.Fatalf("update user 22: %v", err)
	}
	s.Follow(10, 20, false)
	s.Follow(10, 21, true)
	views[20] = view{"甲改名", face, false}
	views[21] = view{"乙", im.DefaultFace, true}
	views[22] = view{"丙丙", im.DefaultFace, false}
	check("after the changes", views)
}

// TestFeedE2EShapes: every field a producer gives comes back where docs/feed.md puts it,
// big ids exact.
func TestFeedE2EShapes(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	op := s.Operator()
	me := fe2eNewUser(s, 10, "收件人")
	s.NewUser(20, "甲")
	s.NewUser(21, "乙")
	full := operator.Notice{Actor: 20, SubjectID: fe2eBigID, RootID: 265141324255, SourceID: 265141324256,
		TargetID: 265141324257, Type: "dynamic", BusinessID: 17, Business: "动态", Title: "标题",
		Desc: "描述", Image: "https://i0.hdslb.com/bfs/x.jpg",
		URI:       "https://www.bilibili.com/opus/1073543151725051921#reply265141324256",
		NativeURI: "bilibili://opus/detail/1073543151725051921?comment_root_id=265141324256&comment_on=1",
		Source:    "回复 @乙 :60", RootText: "根评论", TargetText: "目标评论",
		AtMids: []uint64{21}, ItemID: fe2eBigID}
	s.Advance(90 * time.Second)
	posted := fe2eNow(s)
	rid := fe2eMust(t, op, 10, "reply", full)
	aid := fe2eMust(t, op, 10, "at", full)
	lid := fe2eMust(t, op, 10, "like", full)

	rp := fe2eReplies(t, me)
	at21 := client.FeedUser{Mid: 21, Nickname: "乙", Avatar: im.DefaultFace}
	wantReply := client.ReplyEntry{ID: rid, User: client.FeedUser{Mid: 20, Nickname: "甲", Avatar: im.DefaultFace},
		Item: client.ReplyItem{SubjectID: fe2eBigID, RootID: 265141324255, SourceID: 265141324256, TargetID: 265141324257,
			Type: "dynamic", BusinessID: 17, Business: "动态", Title: "标题", Desc: "描述",
			Image: "https://i0.hdslb.com/bfs/x.jpg", URI: full.URI, NativeURI: full.NativeURI,
			RootReplyContent: "根评论", SourceContent: "回复 @乙 :60", TargetReplyContent: "目标评论",
			AtDetails: []client.FeedUser{at21}, TopicDetails: []any{}},
		Counts: 1, ReplyTime: posted}
	if len(rp.Items) != 1 || fmt.Sprintf("%+v", rp.Items[0]) != fmt.Sprintf("%+v", wantReply) {
		t.Errorf("reply item:\n%+v\nwant\n%+v", rp.Items, wantReply)
	}
	if rp.Cursor != (client.FeedCursor{IsEnd: true, ID: rid, Time: posted}) {
		t.Errorf("reply cursor %+v", rp.Cursor)
	}

	ap := fe2eAts(t, me)
	wantAt := client.AtEntry{ID: aid, User: wantReply.User, AtTime: posted,
		Item: client.AtItem{Type: "dynamic", Business: "动态", BusinessID: 17, Title: "标题",
			Image: "https://i0.hdslb.com/bfs/x.jpg", URI: full.URI, SourceContent: "回复 @乙 :60",
			SourceID: 265141324256, TargetID: 265141324257, RootID: 265141324255, SubjectID: fe2eBigID,
			NativeURI: full.NativeURI, AtDetails: []client.FeedUser{at21}}}
	if len(ap.Items) != 1 || fmt.Sprintf("%+v", ap.Items[0]) != fmt.Sprintf("%+v", wantAt) {
		t.Errorf("@ item:\n%+v\nwant\n%+v", ap.Items, wantAt)
	}

	lp := fe2eLikes(t, me)
	wantLike := client.LikeEntry{ID: lid, Users: []client.FeedUser{wantReply.User}, Counts: 1, LikeTime: posted,
		Item: client.LikeItem{ItemID: fe2eBigID, Type: "dynamic", Business: "动态", BusinessID: 17, Title: "标题",
			Desc: "描述", Image: "https://i0.hdslb.com/bfs/x.jpg", URI: full.URI,
			NativeURI: full.NativeURI, Ctime: posted}}
	if len(lp.Total.Items) != 1 || fmt.Sprintf("%+v", lp.Total.Items[0]) != fmt.Sprintf("%+v", wantLike) {
		t.Errorf("like item:\n%+v\nwant\n%+v", lp.Total.Items, wantLike)
	}
	if lp.Latest.LastViewAt != fe2eNow(s) {
		t.Errorf("like feed: latest.last_view_at %d, want %d", lp.Latest.LastViewAt, fe2eNow(s))
	}

	// Raw: the 64-bit ids are written as exact JSON integers, digit for digit (what a
	// JavaScript page reads), and every field the server sends is in the client's types
	// (a strict decoding of the full items; the client skips unknown fields).
	for _, kind := range fe2eKinds {
		r := fe2eRawGet(t, me, "/x/msgfeed/"+kind, nil)
		if !strings.Contains(string(r.Body), "1073543151725051921") {
			t.Errorf("%s: the 64-bit id is not exact: %s", kind, r.Body)
		}
		if !strings.Contains(string(r.Body), fmt.Sprintf(`"id":%d`, map[string]uint64{"reply": rid, "at": aid, "like": lid}[kind])) {
			t.Errorf("%s: the item id is not a JSON integer: %s", kind, r.Body)
		}
		fe2eStrict(t, r, "msgfeed/"+kind, fe2eNewPage(kind))
	}
	// Raw: at_details is written [] when nobody is mentioned (the typed check below sees
	// only a non-nil slice).
	fe2eMust(t, op, 10, "reply", fe2eNotice(21, 0))
	fe2eMust(t, op, 10, "at", fe2eNotice(21, 0))
	for _, kind := range []string{"reply", "at"} {
		if r := fe2eRawGet(t, me, "/x/msgfeed/"+kind, nil); !strings.Contains(string(r.Body), `"at_details":[]`) {
			t.Errorf("%s without mentions: %s", kind, r.Body)
		}
	}
	rp = fe2eReplies(t, me)
	if it := rp.Items[0].Item; it.SubjectID != 0 || it.Desc != "" || it.NativeURI != "" || it.AtDetails == nil ||
		it.TopicDetails == nil || it.Danmu != nil {
		t.Errorf("a minimal reply: %+v", it)
	}
}

// --- system notifications ---

func TestFeedE2ESystemList(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	op := s.Operator()
	me := fe2eNewUser(s, 10, "收件人")
	other := fe2eNewUser(s, 11, "别人")
	s.NewUser(20, "甲")
	// 55 notices, five per second; Epoch is 16:00 in China, and at 00:00 there the day
	// changes.
	var ids []uint64
	var times []string
	for i := range 55 {
		if i > 0 && i%5 == 0 {
			s.Advance(time.Second)
		}
		if i == 50 {
			s.Advance(8*time.Hour - 10*time.Second) // Epoch + 8h: 2024-06-03 00:00:00 in China
		}
		ids = append(ids, fe2eSystem(t, op, 10, operator.SystemNotice{Title: fmt.Sprintf("通知%d", i),
			Content: fmt.Sprintf("内容%d", i), Type: i % 3, Link: fmt.Sprintf("https://www.bilibili.com/%d", i)}))
		times = append(times, s.App.FakeClock.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05"))
	}
	theirs := fe2eSystemTitled(t, op, 11, "别人的")
	myReply := fe2eMust(t, op, 10, "reply", fe2eNotice(20, 0))
	if times[0] != "2024-06-02 16:00:00" || times[50] != "2024-06-03 00:00:00" {
		t.Fatalf("fixture times: %s, %s", times[0], times[50])
	}
	newest := fe2eReversed(ids)
	if n := fe2eUnread(t, me)["system"]; n != 55 {
		t.Errorf("unread sys_msg %d, want 55", n)
	}
	all := fe2eSys(t, me, 0, 50)
	if len(all) != 50 {
		t.Fatalf("page_size 50: %d", len(all))
	}
	for i, n := range all {
		k := 54 - i // posting index
		want := client.SystemNotice{ID: ids[k], Cursor: ids[k], Type: max(k%3, 1), Title: fmt.Sprintf("通知%d", k),
			Content: fmt.Sprintf("内容%d", k), TimeAt: times[k], CardLink: fmt.Sprintf("https://www.bilibili.com/%d", k),
			NotifyCursor: ids[k]}
		if n != want {
			t.Errorf("notice %d:\n%+v\nwant\n%+v", i, n, want)
		}
	}
	if n := fe2eUnread(t, me)["system"]; n != 0 {
		t.Errorf("after the first page: unread sys_msg %d", n)
	}
	for _, c := range []struct {
		cursor uint64
		size   int
		raw    url.Values // sent as is instead: a page_size or cursor the client does not send
		want   []uint64
	}{
		{0, 0, nil, newest[:20]},
		{0, 7, nil, newest[:7]},
		{0, 1, nil, newest[:1]},
		// Raw: SystemNotices leaves a page_size and a cursor of 0 out.
		{0, 0, url.Values{"page_size": {"0"}}, newest[:20]},
		{0, 0, url.Values{"page_size": {""}}, newest[:20]},
		{0, 51, nil, newest[:50]},
		{0, 1000000, nil, newest[:50]},
		{0, 0, url.Values{"cursor": {"0"}}, newest[:20]},
		{ids[54], 0, nil, newest[1:21]},
		{ids[52], 4, nil, newest[3:7]},
		{ids[3], 0, nil, newest[52:]},
		{ids[0], 0, nil, []uint64{}},
		// Not one of my notifications: nothing after it.
		{theirs, 0, nil, []uint64{}},
		{myReply, 0, nil, []uint64{}},
		{1, 0, nil, []uint64{}},
		{math.MaxUint64, 0, nil, []uint64{}},
	} {
		var got []uint64
		if c.raw != nil {
			got = fe2eSysIDs(fe2eSysRaw(t, me, c.raw))
		} else {
			got = fe2eSysIDs(fe2eSys(t, me, c.cursor, c.size))
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("query_notify_list cursor %d page_size %d %s: %v\nwant %v", c.cursor, c.size, c.raw.Encode(), got, c.want)
		}
	}
	// Paging by the last id: 20, 20, 15, then nothing.
	var seen []uint64
	var sizes []int
	var cursor uint64
	for len(sizes) < 6 {
		page := fe2eSysIDs(fe2eSys(t, me, cursor, 20))
		sizes = append(sizes, len(page))
		if len(page) == 0 {
			break
		}
		seen = append(seen, page...)
		cursor = page[len(page)-1]
	}
	if !slices.Equal(sizes, []int{20, 20, 15, 0}) || !slices.Equal(seen, newest) {
		t.Errorf("paging: sizes %v, items %v\nwant [20 20 15 0], %v", sizes, seen, newest)
	}
	// Pages with a cursor mark nothing; the first page does.
	fresh := fe2eSystemTitled(t, op, 10, "新的")
	fe2eSys(t, me, ids[54], 0)
	if n := fe2eUnread(t, me)["system"]; n != 1 {
		t.Errorf("after a page with a cursor: unread %d, want 1", n)
	}
	// The other user sees only their own.
	if got := fe2eSysIDs(fe2eSys(t, other, 0, 0)); !slices.Equal(got, []uint64{theirs}) {
		t.Errorf("the other user's list: %v", got)
	}
	// The client's iterator pages through them all.
	if got, want := fe2eAll(t, me, "system"), append([]uint64{fresh}, newest...); !slices.Equal(got, want) {
		t.Errorf("the client's iterator: %v\nwant %v", got, want)
	}
	// Bad page parameters. Raw but for a negative page_size: the client's cursor is a
	// uint64 and its page size an int.
	if _, err := me.c.SystemNotices(t.Context(), 0, -1); !errors.Is(err, client.ErrBadRequest) {
		t.Errorf("query_notify_list?page_size=-1: %v, want -400", err)
	}
	for _, q := range []url.Values{{"page_size": {"x"}}, {"cursor": {"-1"}}, {"cursor": {"x"}}} {
		if c := fe2eRawGet(t, me, fe2eSysList, q).Code(t); c != -400 {
			t.Errorf("query_notify_list?%s: code %d, want -400", q.Encode(), c)
		}
	}
	if _, err := s.Client(testkit.User{}).SystemNotices(t.Context(), 0, 0); !errors.Is(err, client.ErrNotLoggedIn) {
		t.Errorf("query_notify_list without SESSDATA: %v", err)
	}
}

// --- settings ---

func TestFeedE2ESettingsFilter(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	op := s.Operator()
	const followed, unfollowed = 20, 21
	s.NewUser(followed, "关注的")
	s.NewUser(unfollowed, "没关注的")
	type two = [2]bool // {from followed, from unfollowed}
	all, none, onlyFollowed := two{true, true}, two{false, false}, two{true, false}
	cases := []struct {
		prefs     map[string]int
		reply, at two
		like      bool
	}{
		{nil, all, all, true},
		{map[string]int{"set_comment": 0, "set_at": 0, "set_recv_reply": 0, "set_like": 0, "set_recv_like": 0}, all, all, true},
		{map[string]int{"set_comment": 1}, onlyFollowed, all, true},
		{map[string]int{"set_comment": 2}, none, all, true},
		{map[string]int{"set_at": 1}, all, onlyFollowed, true},
		{map[string]int{"set_at": 2}, all, none, true},
		{map[string]int{"set_recv_reply": 1}, onlyFollowed, onlyFollowed, true},
		{map[string]int{"set_recv_reply": 2}, none, none, true},
		// The stricter of the old and the new switch.
		{map[string]int{"set_comment": 1, "set_recv_reply": 2}, none, none, true},
		{map[string]int{"set_comment": 2, "set_recv_reply": 1}, none, onlyFollowed, true},
		{map[string]int{"set_comment": 1, "set_recv_reply": 1}, onlyFollowed, onlyFollowed, true},
		{map[string]int{"set_at": 1, "set_recv_reply": 2}, none, none, true},
		{map[string]int{"set_at": 2, "set_recv_reply": 1}, onlyFollowed, none, true},
		{map[string]int{"set_comment": 1, "set_at": 2}, onlyFollowed, none, true},
		{map[string]int{"set_comment": 2, "set_at": 2, "set_recv_reply": 2}, none, none, true},
		// Likes: either switch off drops them, whoever likes.
		{map[string]int{"set_like": 5}, all, all, false},
		{map[string]int{"set_recv_like": 2}, all, all, false},
		{map[string]int{"set_like": 5, "set_recv_like": 2}, all, all, false},
		{map[string]int{"set_like": 5, "set_comment": 2, "set_at": 2}, none, none, false},
	}
	for i, c := range cases {
		owner := uint64(100 + i)
		me := fe2eNewUser(s, owner, fmt.Sprintf("收件人%d", i))
		s.Follow(owner, followed, true)
		s.Follow(unfollowed, owner, true) // being followed by them is not following them
		if c.prefs != nil {
			fe2ePrefs(t, me, c.prefs)
		}
		name := fmt.Sprint(c.prefs)
		wantIDs := map[string][]uint64{"reply": {}, "at": {}, "like": {}}
		for _, kind := range fe2eKinds {
			for j, actor := range []uint64{followed, unfollowed} {
				id, ok := fe2ePost(t, op, owner, kind, fe2eNotice(actor, uint64(j+1)))
				want := map[string]bool{"reply": c.reply[j], "at": c.at[j], "like": c.like}[kind]
				if ok != want {
					t.Errorf("%s: %s from %d: delivered %v, want %v", name, kind, actor, ok, want)
				}
				if ok {
					wantIDs[kind] = append([]uint64{id}, wantIDs[kind]...)
				}
			}
		}
		// System notices are always delivered.
		fe2eSystemTitled(t, op, owner, "系统")
		got := fe2eUnread(t, me)
		for _, kind := range fe2eKinds {
			if got[kind] != int64(len(wantIDs[kind])) {
				t.Errorf("%s: unread %s %d, want %d", name, kind, got[kind], len(wantIDs[kind]))
			}
			if ids := fe2eRead(t, me, kind, client.FeedCursor{}).IDs; !slices.Equal(ids, wantIDs[kind]) {
				t.Errorf("%s: %s feed %v, want %v", name, kind, ids, wantIDs[kind])
			}
		}
		if got["system"] != 1 {
			t.Errorf("%s: unread system %d, want 1", name, got["system"])
		}
	}
}

func TestFeedE2EBlockedActor(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	op := s.Operator()
	me := fe2eNewUser(s, 10, "收件人")
	s.NewUser(20, "甲")
	s.NewUser(21, "乙")
	// 乙 liked comment 1 before being blocked.
	agg := fe2eMust(t, op, 10, "like", fe2eNotice(21, 1))
	s.Follow(10, 21, true)
	s.Block(10, 21, true)
	for _, kind := range fe2eKinds {
		if id, ok := fe2ePost(t, op, 10, kind, fe2eNotice(21, 1)); ok || id != 0 {
			t.Errorf("%s from a blocked actor: id %d delivered %v", kind, id, ok)
		}
	}
	// Someone else mentioning the blocked user is not from them.
	withBlocked := fe2eNotice(20, 0)
	withBlocked.AtMids = []uint64{21}
	fe2eMust(t, op, 10, "reply", withBlocked)
	fe2eSystemTitled(t, op, 10, "系统")
	if got, want := fe2eUnread(t, me), map[string]int64{"reply": 1, "at": 0, "like": 1, "system": 1}; !maps.Equal(got, want) {
		t.Errorf("unread %v, want %v", got, want)
	}
	lp := fe2eLikes(t, me)
	if len(lp.Total.Items) != 1 || lp.Total.Items[0].Counts != 1 {
		t.Errorf("a dropped like changed the aggregated item: %+v", lp.Total.Items)
	}
	// The settings' drops do not touch an aggregated item either.
	fe2ePrefs(t, me, map[string]int{"set_recv_like": 2})
	if _, ok := fe2ePost(t, op, 10, "like", fe2eNotice(20, 1)); ok {
		t.Errorf("like with set_recv_like 2 delivered")
	}
	fe2ePrefs(t, me, map[string]int{"set_recv_like": 0})
	lp = fe2eLikes(t, me)
	if len(lp.Total.Items) != 1 || lp.Total.Items[0].Counts != 1 || !slices.Equal(fe2eMids(lp.Total.Items[0].Users), []uint64{21}) {
		t.Errorf("dropped likes changed the aggregated item: %+v", lp.Total.Items)
	}
	// Unblocked, their notices arrive again.
	s.Block(10, 21, false)
	for _, kind := range fe2eKinds {
		if _, ok := fe2ePost(t, op, 10, kind, fe2eNotice(21, 1)); !ok {
			t.Errorf("%s after unblocking: not delivered", kind)
		}
	}
	// The like renews the aggregated item: one item, with a new id.
	if id := fe2eRead(t, me, "like", client.FeedCursor{}).IDs; len(id) != 1 || id[0] <= agg {
		t.Errorf("like feed after unblocking: %v, want one item renewed after %d", id, agg)
	}
}

// --- two users ---

func TestFeedE2ETwoUsers(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	op := s.Operator()
	a := fe2eNewUser(s, 10, "甲方")
	b := fe2eNewUser(s, 11, "乙方")
	s.NewUser(20, "路人")
	mine := map[string]uint64{}
	theirs := map[string]uint64{}
	for _, kind := range []string{"reply", "at", "like", "system"} {
		mine[kind] = fe2ePostAny(t, op, 10, kind, 20, 7)
		s.Advance(time.Second)
		theirs[kind] = fe2ePostAny(t, op, 11, kind, 20, 7) // the same thing liked: another user's item
		s.Advance(time.Second)
	}
	one := map[string]int64{"reply": 1, "at": 1, "like": 1, "system": 1}
	for _, u := range []fe2eWho{a, b} {
		if got := fe2eUnread(t, u); !maps.Equal(got, one) {
			t.Errorf("user %d: unread %v", u.Mid, got)
		}
	}
	// Reading my feeds reads only mine.
	for _, kind := range []string{"reply", "at", "like", "system"} {
		if ids, _ := fe2eList(t, a, kind, client.FeedCursor{}); !slices.Equal(ids, []uint64{mine[kind]}) {
			t.Errorf("%s feed of %d: %v, want [%d]", kind, a.Mid, ids, mine[kind])
		}
	}
	if got := fe2eUnread(t, a); !maps.Equal(got, map[string]int64{"reply": 0, "at": 0, "like": 0, "system": 0}) {
		t.Errorf("user %d after reading: %v", a.Mid, got)
	}
	if got := fe2eUnread(t, b); !maps.Equal(got, one) {
		t.Errorf("user %d after the other read: %v", b.Mid, got)
	}
	// The same comment liked for both is two items, each counting its own likes.
	s.Advance(time.Second)
	fe2eMust(t, op, 11, "like", fe2eNotice(20, 7))
	la, lb := fe2eLikes(t, a), fe2eLikes(t, b)
	// 20 liked it for b before: b's item is renewed but still counts one person.
	if la.Total.Items[0].ID == lb.Total.Items[0].ID || la.Total.Items[0].Counts != 1 || lb.Total.Items[0].Counts != 1 {
		t.Errorf("likes of the same thing for two users: %+v / %+v", la.Total.Items, lb.Total.Items)
	}
	// The other's item as my cursor shows nothing of theirs.
	for _, kind := range fe2eKinds {
		theirTime := fe2eRead(t, b, kind, client.FeedCursor{}).Times[0]
		p := fe2eRead(t, a, kind, client.FeedCursor{ID: theirs[kind], Time: theirTime})
		for _, id := range p.IDs {
			if id != mine[kind] {
				t.Errorf("%s feed of %d with the other's cursor shows %d", kind, a.Mid, id)
			}
		}
	}
	if got := fe2eSys(t, a, theirs["system"], 0); len(got) != 0 {
		t.Errorf("system list of %d after the other's notice: %+v", a.Mid, got)
	}
}
