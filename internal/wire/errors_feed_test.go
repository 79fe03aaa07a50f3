package wire_test

// Error and edge tests of the notification feeds (docs/feed.md, docs/operator-api.md
// "Notifications"; catalog §5, §7, §8.3, §9 items 6, 7, 41): -101 and -400 in the x
// envelope with data null, cursors that are only bounds within my own feed, what marks a
// feed read, the like feed's aggregation, the settings that drop notifications, and the
// operator API's refusals — each refusal leaving every feed, count and id sequence as it
// was.
//
// Where the implementation contradicts the docs, the subtest says so through
// fdDiscrepancy (a skip naming the expected and the actual behaviour) instead of pinning
// the wrong behaviour; once fixed, the subtest passes on its own.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/internal/im"
	"github.com/bilimsg/bilimsg/internal/store"
	"github.com/bilimsg/bilimsg/internal/testkit"
)

// fdRoute is one feed route and its cursor parameters (docs/feed.md's table).
type fdRoute struct {
	name, path       string
	idName, timeName string // "" for N1; the system list: cursor and page_size
	kind             string // operator API kind: reply, at, like, system ("" for N1)
}

var fdRoutes = []fdRoute{
	{"unread_old", fdPathUnreadOld, "", "", ""},
	{"unread_new", fdPathUnreadNew, "", "", ""},
	{"reply", fdPathReply, "id", "reply_time", "reply"},
	{"at", fdPathAt, "id", "at_time", "at"},
	{"like", fdPathLike, "id", "like_time", "like"},
	{"system", fdPathSystem, "cursor", "page_size", "system"},
}

// fdPaged are the three feeds paged by (id, time).
var fdPaged = fdRoutes[2:5]

// fdDiscrepancy ends a subtest that found behaviour contradicting the docs (reported
// with these tests, not worked around).
func fdDiscrepancy(t *testing.T, format string, args ...any) {
	t.Helper()
	t.Skipf("DISCREPANCY with the docs (reported): "+format, args...)
}

// fdWantErr asserts HTTP 200 and an x-family error envelope (no msg) with code, the
// catalog's text and data null (every feed route is a GET).
func fdWantErr(t *testing.T, r testkit.Raw, code int) {
	t.Helper()
	wantEnvelope(t, r, false, code, dataNull)
}

// fdGetRaw GETs path with a raw query string (not re-encoded) as u.
func fdGetRaw(t *testing.T, s *testkit.Server, u testkit.User, path, rawQuery string) testkit.Raw {
	t.Helper()
	return rawCall(t, s, "GET", path, rawQuery, nil, "", u)
}

// fdItem is a notification posted for the edge tests.
type fdItem struct {
	id uint64
	tm int64
}

// fdBody is a notification body of kind for mid from actor, with a text that names n.
func fdBody(kind string, actor uint64, n int, text string) map[string]any {
	switch kind {
	case "system":
		return map[string]any{"title": fmt.Sprintf("%s %d", text, n), "content": text}
	case "like":
		b := fdLikeOf(actor, "reply", uint64(265141330000+n), fmt.Sprintf("%s %d", text, n))
		return b
	}
	b := fdVideoReply(actor, uint64(265141330000+n), fmt.Sprintf("%s %d", text, n))
	b["title"] = text
	return b
}

// fdFeedItems lists u's items of a paged feed, newest first, without marking anything
// read (an id without its time is a later page starting at the newest item).
func fdFeedItems(t *testing.T, s *testkit.Server, u testkit.User, rt fdRoute) *jnode {
	t.Helper()
	r := s.Get(u, rt.path, q(rt.idName, "1"))
	mustCode(t, r, 0)
	d := mustParse(t, r.Body).get("data")
	if rt.kind == "like" {
		return d.get("total", "items")
	}
	return d.get("items")
}

// fdState is everything the feeds show of the users: the N1 counts of both URLs, the
// reply, @ and like feeds (read without marking), the system list (read through the
// service with a cursor from the future, which marks nothing) and each feed's
// last_view_at.
func fdState(t *testing.T, s *testkit.Server, users ...testkit.User) string {
	t.Helper()
	var b strings.Builder
	for _, u := range users {
		fmt.Fprintf(&b, "== %d\n", u.Mid)
		for _, p := range []string{fdPathUnreadOld, fdPathUnreadNew} {
			r := s.Get(u, p, nil)
			mustCode(t, r, 0)
			b.Write(r.Body)
			b.WriteByte('\n')
		}
		for _, rt := range fdPaged {
			r := s.Get(u, rt.path, q(rt.idName, "1"))
			mustCode(t, r, 0)
			b.Write(r.Body)
			b.WriteByte('\n')
		}
		p, err := s.App.Service.ReadFeed(context.Background(), u.Mid, store.FeedSystem, im.FeedCursor{Time: math.MaxInt64}, 50)
		if err != nil {
			t.Fatal(err)
		}
		j, _ := json.Marshal(p)
		b.Write(j)
		b.WriteByte('\n')
	}
	return b.String()
}

// fdUnchanged fails the test when the state differs from before.
func fdUnchanged(t *testing.T, what string, before, after string) {
	t.Helper()
	if before != after {
		t.Errorf("%s changed the feeds:\n--- before ---\n%s\n--- after ---\n%s", what, before, after)
	}
}

// fdEdgeWorld is newFdWorld plus, in each of 咕咕鸽's four feeds, three unread items
// from 小红 at Epoch, Epoch+1s and Epoch+2s, and in each of 路人甲's, one item at each
// of those seconds posted between 咕咕鸽's; the clock stands at Epoch+10s. mine and
// others hold the items by kind, oldest first.
type fdEdgeWorld struct {
	*fdWorld
	mine, others map[string][]fdItem
}

func newFdEdgeWorld(t *testing.T) *fdEdgeWorld {
	t.Helper()
	w := &fdEdgeWorld{fdWorld: newFdWorld(t), mine: map[string][]fdItem{}, others: map[string][]fdItem{}}
	s := w.s
	for sec := range 3 {
		for _, kind := range []string{"reply", "at", "like", "system"} {
			now := s.App.FakeClock.Now().Unix()
			w.others[kind] = append(w.others[kind], fdItem{fdMust(t, s, fdOther, kind, fdBody(kind, fdHong, sec, "路人甲的")), now})
			w.mine[kind] = append(w.mine[kind], fdItem{fdMust(t, s, fdMe, kind, fdBody(kind, fdHong, sec, "咕咕鸽的")), now})
		}
		s.Advance(time.Second)
	}
	s.Advance(7 * time.Second)
	return w
}

// ---------------------------------------------------------------------------------------

// TestFeedErrNotLoggedIn: every feed route answers -101 without a valid SESSDATA, in the
// x envelope (no msg) with data null, before looking at its parameters.
func TestFeedErrNotLoggedIn(t *testing.T) {
	t.Parallel()
	w := newFdEdgeWorld(t)
	before := fdState(t, w.s, w.me, w.other)
	for _, rt := range fdRoutes {
		t.Run(rt.name, func(t *testing.T) {
			fdWantErr(t, w.s.Get(testkit.User{}, rt.path, nil), -101)
			fdWantErr(t, w.s.Get(testkit.User{}, rt.path, q("build", "0", "mobi_app", "web")), -101)
			fdWantErr(t, w.s.Get(testkit.User{SESSDATA: "not-a-login", BiliJct: w.me.BiliJct}, rt.path, nil), -101)
			fdWantErr(t, rawCall(t, w.s, "GET", rt.path, "", nil, "", testkit.User{BiliJct: w.me.BiliJct}), -101)
			if rt.idName != "" {
				// -101 comes before the parameters.
				fdWantErr(t, fdGetRaw(t, w.s, testkit.User{}, rt.path, rt.idName+"=abc&"+rt.timeName+"=-1"), -101)
			}
		})
	}
	fdUnchanged(t, "requests without a login", before, fdState(t, w.s, w.me, w.other))
}

// TestFeedErrMalformedCursors: a cursor parameter that is not a non-negative integer is
// -400 (x envelope, data null), and the refused request marks nothing read.
func TestFeedErrMalformedCursors(t *testing.T) {
	t.Parallel()
	w := newFdEdgeWorld(t)
	bad := []string{"abc", "-1", "1.5", "1e3", "0x10", " 1", "1 ", "18446744073709551616", "99999999999999999999999"}
	cases := map[string][]string{} // route name → raw queries
	for _, rt := range fdPaged {
		for _, v := range bad {
			cases[rt.name] = append(cases[rt.name], rt.idName+"="+url.QueryEscape(v), rt.timeName+"="+url.QueryEscape(v),
				rt.idName+"=1&"+rt.timeName+"="+url.QueryEscape(v), rt.idName+"="+url.QueryEscape(v)+"&"+rt.timeName+"=1717315200")
		}
		// Times are signed 64-bit numbers: one past the largest is an overflow, a
		// negative one is outside the domain.
		cases[rt.name] = append(cases[rt.name], rt.timeName+"=9223372036854775808", rt.timeName+"=-9223372036854775808",
			rt.idName+"=-0", rt.idName+"=%2B1")
	}
	for _, v := range bad {
		cases["system"] = append(cases["system"], "cursor="+url.QueryEscape(v), "page_size="+url.QueryEscape(v),
			"cursor=1&page_size="+url.QueryEscape(v))
	}
	cases["system"] = append(cases["system"], "page_size=9223372036854775808", "cursor=%2B1")
	before := fdState(t, w.s, w.me)
	for _, rt := range fdRoutes[2:] {
		t.Run(rt.name, func(t *testing.T) {
			for _, rq := range cases[rt.name] {
				r := fdGetRaw(t, w.s, w.me, rt.path, rq)
				if c := r.Code(t); c != -400 {
					t.Errorf("?%s: code %d, want -400: %s", rq, c, r.Body)
					continue
				}
				fdWantErr(t, r, -400)
			}
			// The wrong method is -400 too (docs/choices.md).
			r := rawCall(t, w.s, "POST", rt.path, "", []byte(withCSRF(w.me, url.Values{}).Encode()), "", w.me)
			fdWantErr(t, r, -400)
		})
	}
	fdUnchanged(t, "malformed requests", before, fdState(t, w.s, w.me))
	if c := fdUnreadBoth(t, w.s, w.me); c != (fdCounts{3, 3, 3, 3}) {
		t.Errorf("counts %+v: a refused first page must not mark the feed read", c)
	}
}

// TestFeedCursorBounds: cursors are only bounds within my own feed (docs/feed.md
// "Paging"): a cursor from the future gives my newest items, one made of another user's
// item gives exactly what the same bound in my own feed gives, and none of them marks
// anything read or shows anything of theirs.
func TestFeedCursorBounds(t *testing.T) {
	t.Parallel()
	w := newFdEdgeWorld(t)
	s := w.s
	before := fdState(t, s, w.me, w.other)
	for _, rt := range fdPaged {
		t.Run(rt.name, func(t *testing.T) {
			mine, others := w.mine[rt.kind], w.others[rt.kind]
			get := func(p url.Values) (string, []uint64) {
				t.Helper()
				r := s.Get(w.me, rt.path, p)
				mustCode(t, r, 0)
				if bytes.Contains(r.Body, []byte("路人甲的")) {
					t.Errorf("?%s shows 路人甲's item: %s", p.Encode(), r.Body)
				}
				root := mustParse(t, r.Body)
				fdShape(t, "msgfeed_"+rt.kind, root.get("data"))
				d := root.get("data")
				if rt.kind == "like" {
					d = d.get("total")
				}
				return string(r.Body), fdIDs(t, d.get("items"))
			}
			ids := func(items ...fdItem) []uint64 {
				var out []uint64
				for i := len(items) - 1; i >= 0; i-- {
					out = append(out, items[i].id)
				}
				return out
			}
			cur := func(it fdItem) url.Values { return fdCursorQuery(rt.idName, rt.timeName, it.id, it.tm) }
			all := ids(mine...)

			// From the future: my newest items (a later page: marks nothing).
			_, got := get(fdCursorQuery(rt.idName, rt.timeName, math.MaxUint64, math.MaxInt64))
			if !slices.Equal(got, all) {
				t.Errorf("a cursor from the future: %v, want all of mine %v", got, all)
			}
			_, got = get(q(rt.timeName, strconv.FormatInt(fdEpoch(1000*time.Hour), 10)))
			if !slices.Equal(got, all) {
				t.Errorf("a time from the future: %v, want all of mine %v", got, all)
			}
			// 路人甲's items were posted just before mine in each second: their
			// cursors bound my feed like my own item of the second before, or like
			// "before that second" for the first second.
			for i, o := range others {
				body, got := get(cur(o))
				var want string
				if i == 0 {
					want, _ = get(q(rt.timeName, strconv.FormatInt(o.tm, 10)))
				} else {
					want, _ = get(cur(mine[i]))
				}
				if !slices.Equal(got, ids(mine[:i]...)) || body != want {
					t.Errorf("路人甲's item %d as a cursor: %v\n%s\nwant the answer of the same bound in my feed %v\n%s",
						i, got, body, ids(mine[:i]...), want)
				}
			}
			// A time without an id: before that second.
			if _, got := get(q(rt.timeName, strconv.FormatInt(mine[2].tm, 10))); !slices.Equal(got, ids(mine[:2]...)) {
				t.Errorf("%s alone: %v, want the items before that second", rt.timeName, got)
			}
			// An id without its time (or with time 0): from the newest item, whosever the id.
			for _, p := range []url.Values{q(rt.idName, strconv.FormatUint(others[1].id, 10)),
				q(rt.idName, strconv.FormatUint(mine[0].id, 10), rt.timeName, "0"), q(rt.idName, "18446744073709551615")} {
				if _, got := get(p); !slices.Equal(got, all) {
					t.Errorf("?%s: %v, want all of mine", p.Encode(), got)
				}
			}
			// Older than everything: an empty page.
			body, got := get(fdCursorQuery(rt.idName, rt.timeName, 1, 1))
			if len(got) != 0 || !strings.Contains(body, `"cursor":{"is_end":true,"id":0,"time":0}`) {
				t.Errorf("a cursor older than everything: %s", body)
			}
		})
	}
	t.Run("system", func(t *testing.T) {
		mine, others := w.mine["system"], w.others["system"]
		// A cursor that is not one of my notifications gives an empty page.
		for _, c := range []uint64{others[2].id, others[0].id, w.mine["reply"][2].id, w.mine["like"][0].id, 1, 799999999999999,
			others[2].id + 1000, math.MaxInt64, math.MaxUint64} {
			r := s.Get(w.me, fdPathSystem, q("cursor", strconv.FormatUint(c, 10)))
			mustCode(t, r, 0)
			if d := mustParse(t, r.Body).get("data"); d.kind != 'a' || len(d.arr) != 0 {
				t.Errorf("cursor %d (not one of my notifications): %s, want []", c, r.Body)
			}
		}
		// One of mine: the older ones.
		r := s.Get(w.me, fdPathSystem, q("cursor", strconv.FormatUint(mine[2].id, 10), "page_size", "1"))
		mustCode(t, r, 0)
		if got := fdIDs(t, mustParse(t, r.Body).get("data")); !slices.Equal(got, []uint64{mine[1].id}) {
			t.Errorf("after my newest, page_size 1: %v, want %v", got, []uint64{mine[1].id})
		}
		if bytes.Contains(r.Body, []byte("路人甲的")) {
			t.Errorf("shows 路人甲's notification: %s", r.Body)
		}
	})
	fdUnchanged(t, "pages with cursors", before, fdState(t, s, w.me, w.other))
}

// TestFeedMarkRead: a feed's first page marks that feed read — its count drops to 0 on
// both N1 URLs and its last_view_at becomes now (fake clock) — while later pages, and
// the system list with a cursor, mark nothing.
func TestFeedMarkRead(t *testing.T) {
	t.Parallel()
	w := newFdEdgeWorld(t)
	s := w.s
	lastView := func(rt fdRoute, p url.Values) int64 {
		t.Helper()
		r := s.Get(w.me, rt.path, p)
		mustCode(t, r, 0)
		d := mustParse(t, r.Body).get("data")
		if rt.kind == "like" {
			return num(t, d.get("latest", "last_view_at"))
		}
		return num(t, d.get("last_view_at"))
	}
	want := fdCounts{3, 3, 3, 3}
	set := func(kind string, v int64) {
		switch kind {
		case "reply":
			want.reply = v
		case "at":
			want.at = v
		case "like":
			want.like = v
		default:
			want.sys = v
		}
	}
	check := func(what string) {
		t.Helper()
		if c := fdUnreadBoth(t, s, w.me); c != want {
			t.Errorf("%s: counts %+v, want %+v", what, c, want)
		}
	}
	check("before reading")
	for _, rt := range fdPaged {
		mine := w.mine[rt.kind]
		// Never viewed: a later page says last_view_at 0 and marks nothing.
		if v := lastView(rt, fdCursorQuery(rt.idName, rt.timeName, mine[2].id, mine[2].tm)); v != 0 {
			t.Errorf("%s: last_view_at %d before any view, want 0", rt.name, v)
		}
		if v := lastView(rt, q(rt.idName, "1")); v != 0 {
			t.Errorf("%s: last_view_at %d before any view, want 0", rt.name, v)
		}
		check(rt.name + " later pages")
		s.Advance(time.Second)
		viewed := s.App.FakeClock.Now().Unix()
		if v := lastView(rt, q("platform", "web", "build", "0", "mobi_app", "web")); v != viewed {
			t.Errorf("%s first page: last_view_at %d, want now %d", rt.name, v, viewed)
		}
		set(rt.kind, 0)
		check(rt.name + " first page")
		s.Advance(time.Second)
		fdMust(t, s, fdMe, rt.kind, fdBody(rt.kind, fdQiang, 10, "新的"))
		set(rt.kind, 1)
		check(rt.name + " a new item")
		s.Advance(time.Second)
		if v := lastView(rt, fdCursorQuery(rt.idName, rt.timeName, mine[2].id, mine[2].tm)); v != viewed {
			t.Errorf("%s later page: last_view_at %d, want the first page's %d", rt.name, v, viewed)
		}
		if v := lastView(rt, q(rt.timeName, strconv.FormatInt(fdEpoch(1000*time.Hour), 10))); v != viewed {
			t.Errorf("%s cursor from the future: last_view_at %d, want %d", rt.name, v, viewed)
		}
		check(rt.name + " later pages after a view")
		// An explicit zero cursor is the first page.
		now := s.App.FakeClock.Now().Unix()
		if v := lastView(rt, q(rt.idName, "0", rt.timeName, "0")); v != now {
			t.Errorf("%s with a zero cursor: last_view_at %d, want now %d", rt.name, v, now)
		}
		set(rt.kind, 0)
		check(rt.name + " zero cursor")
	}
	// The system list: with one of my notifications as cursor, or someone else's, it
	// marks nothing; without one it does.
	for _, c := range []uint64{w.mine["system"][2].id, w.others["system"][2].id, 12345} {
		mustCode(t, s.Get(w.me, fdPathSystem, q("cursor", strconv.FormatUint(c, 10))), 0)
	}
	check("system list with cursors")
	mustCode(t, s.Get(w.me, fdPathSystem, q("page_size", "1")), 0)
	set("system", 0)
	check("system list first page (page_size 1)")
	// 路人甲's counts were never touched.
	if c := fdUnreadBoth(t, s, w.other); c != (fdCounts{3, 3, 3, 3}) {
		t.Errorf("路人甲's counts %+v: reading my feeds marks none of his", c)
	}
}

// TestFeedEmptyFirstPages: a user without notifications gets empty pages and counts 0;
// the first page still records the view.
func TestFeedEmptyFirstPages(t *testing.T) {
	t.Parallel()
	w := newFdWorld(t)
	s := w.s
	fdMust(t, s, fdOther, "reply", fdVideoReply(fdHong, 1, "别人的"))
	s.Advance(time.Hour)
	now := s.App.FakeClock.Now().Unix()
	if c := fdUnreadBoth(t, s, w.me); c != (fdCounts{}) {
		t.Errorf("counts %+v, want all 0", c)
	}
	for _, rt := range fdPaged {
		r := s.Get(w.me, rt.path, nil)
		mustCode(t, r, 0)
		root := mustParse(t, r.Body)
		fdShape(t, "msgfeed_"+rt.kind, root.get("data"))
		want := fmt.Sprintf(`{"cursor":{"is_end":true,"id":0,"time":0},"items":[],"last_view_at":%d}`, now)
		if rt.kind == "like" {
			want = fmt.Sprintf(`{"latest":{"items":[],"last_view_at":%d},"total":{"cursor":{"is_end":true,"id":0,"time":0},"items":[]}}`, now)
		}
		if got := fdRawData(t, r); got != want {
			t.Errorf("%s: data %s, want %s", rt.name, got, want)
		}
	}
	r := s.Get(w.me, fdPathSystem, nil)
	mustCode(t, r, 0)
	if got := fdRawData(t, r); got != "[]" {
		t.Errorf("system list: data %s, want []", got)
	}
}

// fdRawData returns the envelope's data as sent.
func fdRawData(t *testing.T, r testkit.Raw) string {
	t.Helper()
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(r.Body, &env); err != nil {
		t.Fatalf("decode: %v: %s", err, r.Body)
	}
	return string(env.Data)
}

// TestFeedPaging: 20 items per page, newest first, every item exactly once across the
// pages, is_end exactly when nothing older exists — also when the items share one second
// (§9 item 41) and when the last page is full.
func TestFeedPaging(t *testing.T) {
	t.Parallel()
	for _, rt := range fdPaged {
		t.Run(rt.name, func(t *testing.T) {
			t.Parallel()
			w := newFdWorld(t)
			s := w.s
			// 40 items: 25 in one second, 15 in the next.
			var all []uint64
			for i := range 40 {
				if i == 25 {
					s.Advance(time.Second)
				}
				all = append(all, fdMust(t, s, fdMe, rt.kind, fdBody(rt.kind, []uint64{fdMing, fdHong, fdQiang}[i%3], i, "第")))
			}
			slices.Reverse(all)
			var got []uint64
			p := url.Values{}
			for page := 0; ; page++ {
				r := s.Get(w.me, rt.path, p)
				mustCode(t, r, 0)
				root := mustParse(t, r.Body)
				fdShape(t, "msgfeed_"+rt.kind, root.get("data"))
				d := root.get("data")
				if rt.kind == "like" {
					d = d.get("total")
				}
				ids := fdIDs(t, d.get("items"))
				c := d.get("cursor")
				end := c.get("is_end").b
				switch page {
				case 0, 1:
					if len(ids) != 20 || end != (page == 1) {
						t.Fatalf("page %d: %d items, is_end %v; want 20, %v", page, len(ids), end, page == 1)
					}
				case 2:
					if len(ids) != 0 || !end {
						t.Fatalf("after the last page: %d items, is_end %v", len(ids), end)
					}
				}
				got = append(got, ids...)
				if page == 2 {
					break
				}
				p = q(rt.idName, string(c.get("id").num), rt.timeName, string(c.get("time").num))
			}
			if !slices.Equal(got, all) {
				t.Errorf("pages %v\nwant every item once, newest first %v", got, all)
			}
			// 20 items exactly: one full page that is the end.
			w2 := newFdWorld(t)
			for i := range 20 {
				fdMust(t, w2.s, fdMe, rt.kind, fdBody(rt.kind, fdHong, i, "第"))
			}
			r := w2.s.Get(w2.me, rt.path, nil)
			d := mustParse(t, r.Body).get("data")
			if rt.kind == "like" {
				d = d.get("total")
			}
			if len(d.get("items").arr) != 20 || !d.get("cursor", "is_end").b {
				t.Errorf("20 items: one page with is_end true: %s", r.Body)
			}
		})
	}
	t.Run("system", func(t *testing.T) {
		t.Parallel()
		w := newFdWorld(t)
		s := w.s
		var all []uint64
		for i := range 55 {
			if i%10 == 0 {
				s.Advance(time.Second)
			}
			all = append(all, fdMust(t, s, fdMe, "system", fdBody("system", 0, i, "通知")))
		}
		slices.Reverse(all)
		list := func(p url.Values) []uint64 {
			t.Helper()
			r := s.Get(w.me, fdPathSystem, p)
			mustCode(t, r, 0)
			root := mustParse(t, r.Body)
			fdShape(t, "query_notify_list", root.get("data"))
			return fdIDs(t, root.get("data"))
		}
		if got := list(nil); !slices.Equal(got, all[:20]) {
			t.Errorf("default page: %d notifications, want the newest 20", len(got))
		}
		if got := list(q("page_size", "100")); !slices.Equal(got, all[:50]) {
			t.Errorf("page_size 100: %d notifications, want the newest 50 (at most 50)", len(got))
		}
		if got := list(q("page_size", "7")); !slices.Equal(got, all[:7]) {
			t.Errorf("page_size 7: %v", got)
		}
		var got []uint64
		p := q("page_size", "20")
		for range 4 {
			ids := list(p)
			got = append(got, ids...)
			if len(ids) == 0 {
				break
			}
			p = q("page_size", "20", "cursor", strconv.FormatUint(ids[len(ids)-1], 10))
		}
		if !slices.Equal(got, all) {
			t.Errorf("paged by cursor: %v\nwant every notification once, newest first", got)
		}
	})
}

// TestFeedUsersAsTheyAreNow: the users of a feed are shown with their name and face as
// they are now and whether I follow them now.
func TestFeedUsersAsTheyAreNow(t *testing.T) {
	t.Parallel()
	w := newFdWorld(t)
	s := w.s
	fdMust(t, s, fdMe, "reply", fdVideoReply(fdHong, 1, "你好"))
	fdMust(t, s, fdMe, "at", fdDynamicReply(fdQiang, "@咕咕鸽", fdHong))
	fdMust(t, s, fdMe, "like", fdLikeOf(fdHong, "video", 170001, "视频"))
	const face = "https://i0.hdslb.com/bfs/face/2c8e1a7f3b0d4e5f6a7b8c9d0e1f2a3b4c5d6e7f.jpg"
	if st := s.Admin("PATCH", fmt.Sprintf("/admin/v1/users/%d", fdHong), map[string]any{"name": "小红红", "face": face}, nil); st != 200 {
		t.Fatalf("rename: %d", st)
	}
	s.Follow(fdMe, fdHong, true)
	users := func() []*jnode {
		var out []*jnode
		for _, rt := range fdPaged {
			d := mustParse(t, s.Get(w.me, rt.path, q(rt.idName, "1")).Body).get("data")
			switch rt.kind {
			case "reply":
				out = append(out, d.get("items", "0", "user"))
			case "at":
				out = append(out, d.get("items", "0", "item", "at_details", "0"))
			case "like":
				out = append(out, d.get("total", "items", "0", "users", "0"))
			}
		}
		return out
	}
	for i, u := range users() {
		if u.get("nickname").str != "小红红" || u.get("avatar").str != face || !u.get("follow").b {
			t.Errorf("user %d: %s/%s/%v, want 小红红, the new face, followed", i, u.get("nickname").str, u.get("avatar").str, u.get("follow").b)
		}
	}
	s.Follow(fdMe, fdHong, false)
	for i, u := range users() {
		if u.get("follow").b {
			t.Errorf("user %d: still followed after the unfollow", i)
		}
	}
}

// TestFeedIgnoredParams: build, mobi_app, platform and web_location are accepted and
// ignored (docs/feed.md).
func TestFeedIgnoredParams(t *testing.T) {
	t.Parallel()
	w := newFdEdgeWorld(t)
	for _, rt := range fdRoutes {
		t.Run(rt.name, func(t *testing.T) {
			plain := w.s.Get(w.me, rt.path, nil)
			mustCode(t, plain, 0)
			for _, p := range []url.Values{
				q("platform", "web", "build", "0", "mobi_app", "web", "web_location", "333.40164"),
				q("build", "8130300", "mobi_app", "android", "platform", "android"),
				q("build", "abc", "web_location", "", "mobi_app", "\u2603"),
			} {
				r := w.s.Get(w.me, rt.path, p)
				mustCode(t, r, 0)
				if !bytes.Equal(r.Body, plain.Body) {
					t.Errorf("?%s changes the answer:\n%s\nwant\n%s", p.Encode(), r.Body, plain.Body)
				}
			}
		})
	}
}

// TestFeedExact64BitIDs: the item ids keep all 64 bits, as exact JSON integers.
func TestFeedExact64BitIDs(t *testing.T) {
	t.Parallel()
	w := newFdWorld(t)
	s := w.s
	body := fdDynamicReply(fdMing, "大数", fdMing)
	body["subject_id"] = uint64(math.MaxUint64)
	body["root_id"] = uint64(1) << 63
	body["source_id"] = uint64(1)<<53 + 1
	body["target_id"] = uint64(9007199254740993)
	fdMust(t, s, fdMe, "reply", body)
	fdMust(t, s, fdMe, "at", body)
	fdMust(t, s, fdMe, "like", fdLikeOf(fdMing, "reply", math.MaxUint64, "大数"))
	want := map[string]string{"subject_id": "18446744073709551615", "root_id": "9223372036854775808",
		"source_id": "9007199254740993", "target_id": "9007199254740993"}
	for _, rt := range fdPaged[:2] {
		r := s.Get(w.me, rt.path, nil)
		mustCode(t, r, 0)
		x := mustParse(t, r.Body).get("data", "items", "0", "item")
		for k, v := range want {
			if got := x.get(k); got == nil || string(got.num) != v {
				t.Errorf("%s %s = %+v, want %s exactly", rt.name, k, got, v)
			}
		}
		if m := x.get("at_details", "0", "mid"); m == nil || m.num != "3546910497441845" {
			t.Errorf("%s at_details mid %+v", rt.name, m)
		}
	}
	r := s.Get(w.me, fdPathLike, nil)
	if got := mustParse(t, r.Body).get("data", "total", "items", "0", "item", "item_id"); got == nil || got.num != "18446744073709551615" {
		t.Errorf("like item_id %+v, want 18446744073709551615 exactly", got)
	}
	// Item ids and times are exact too: read them back as cursors.
	if !bytes.Contains(r.Body, []byte(`"id":8000000000000`)) {
		t.Errorf("feed item ids are about 8·10^14: %s", r.Body)
	}
}

// TestFeedLikeAggregation: likes of the same thing (type + item_id) are one item that
// moves to the top with the new liker in front, is unread again after a view and counted
// once while unread; at most 10 likers are named, counts has them all.
func TestFeedLikeAggregation(t *testing.T) {
	t.Parallel()
	w := newFdWorld(t)
	s := w.s
	var likers []uint64
	for i := range 11 {
		u := s.NewUser(uint64(3100+i), fmt.Sprintf("粉丝%d", i))
		likers = append(likers, u.Mid)
	}
	likes := func() *jnode {
		t.Helper()
		r := s.Get(w.me, fdPathLike, q("id", "1"))
		mustCode(t, r, 0)
		root := mustParse(t, r.Body)
		fdShape(t, "msgfeed_like", root.get("data"))
		return root.get("data", "total", "items")
	}
	mids := func(n *jnode) []uint64 {
		var out []uint64
		for _, u := range n.get("users").arr {
			out = append(out, fdUintLit(t, "mid", u.get("mid")))
		}
		return out
	}
	// The items are identified by what was liked; the producer's answer is the item's id
	// as the feed shows it, a new one for each like (docs/feed.md: a renewed item "gets a
	// new id").
	fdMust(t, s, fdMe, "like", fdLikeOf(likers[0], "reply", 42, "评论"))
	s.Advance(time.Second)
	last := fdMust(t, s, fdMe, "like", fdLikeOf(likers[0], "video", 42, "视频")) // same item_id, another type
	s.Advance(time.Second)
	for _, m := range likers[1:] {
		id := fdMust(t, s, fdMe, "like", fdLikeOf(m, "reply", 42, "评论"))
		if id <= last {
			t.Errorf("a renewed like item has id %d, want a new id above %d", id, last)
		}
		last = id
	}
	if c := fdUnreadBoth(t, s, w.me); c.like != 2 {
		t.Errorf("like unread %d: two items, each counted once while unread", c.like)
	}
	items := likes()
	if got := fdLikeThings(t, items); !slices.Equal(got, []string{"reply:42", "video:42"}) {
		t.Fatalf("items %v: one per thing, the comment moved to the top", got)
	}
	if id := fdUintLit(t, "id", items.get("0", "id")); id != last {
		t.Errorf("the comment's item has id %d, the producer was told %d", id, last)
	}
	wantUsers := slices.Clone(likers[1:])
	slices.Reverse(wantUsers)
	if got := mids(items.arr[0]); !slices.Equal(got, wantUsers) || num(t, items.get("0", "counts")) != 11 {
		t.Errorf("users %v counts %d: want the 10 latest likers newest first %v, counts 11", got, num(t, items.get("0", "counts")), wantUsers)
	}
	// A view, then new likes: unread again, once.
	mustCode(t, s.Get(w.me, fdPathLike, nil), 0)
	if c := fdUnreadBoth(t, s, w.me); c.like != 0 {
		t.Errorf("like unread %d after the first page", c.like)
	}
	s.Advance(time.Second)
	fdMust(t, s, fdMe, "like", fdLikeOf(likers[1], "video", 42, "视频"))
	fdMust(t, s, fdMe, "like", fdLikeOf(likers[2], "video", 42, "视频"))
	if c := fdUnreadBoth(t, s, w.me); c.like != 1 {
		t.Errorf("like unread %d after two new likes of one item, want 1", c.like)
	}
	items = likes()
	if got := fdLikeThings(t, items); !slices.Equal(got, []string{"video:42", "reply:42"}) {
		t.Errorf("items %v: the video moved to the top", got)
	}
	if got := mids(items.arr[0]); !slices.Equal(got, []uint64{likers[2], likers[1], likers[0]}) || num(t, items.get("0", "counts")) != 3 {
		t.Errorf("video likers %v counts %d, want 3 newest first", got, num(t, items.get("0", "counts")))
	}
	if num(t, items.get("0", "like_time")) != s.App.FakeClock.Now().Unix() {
		t.Errorf("like_time is the latest like")
	}
	// The same user liking again: in front, named once.
	t.Run("same liker again", func(t *testing.T) {
		s.Advance(time.Second)
		fdMust(t, s, fdMe, "like", fdLikeOf(likers[0], "video", 42, "视频"))
		items := likes()
		if want := []uint64{likers[0], likers[2], likers[1]}; !slices.Equal(mids(items.arr[0]), want) {
			t.Errorf("likers %v, want %v: the liker moves to the front, named once", mids(items.arr[0]), want)
		}
		if n := num(t, items.get("0", "counts")); n != 3 {
			fdDiscrepancy(t, "docs/feed.md: counts is \"how many liked\" (A、B等N人赞了你的…); after a second like by "+
				"the same user three people have liked the video, but counts is %d", n)
		}
	})
}

// fdLikeThings lists the like items as "type:item_id".
func fdLikeThings(t *testing.T, items *jnode) []string {
	t.Helper()
	var out []string
	for _, it := range items.arr {
		out = append(out, it.get("item", "type").str+":"+string(it.get("item", "item_id").num))
	}
	return out
}

// TestFeedLikeMovesToTopSameSecond: "each new like moves it to the top" (docs/feed.md)
// also when the new like comes in the same second as a newer item.
func TestFeedLikeMovesToTopSameSecond(t *testing.T) {
	t.Parallel()
	w := newFdWorld(t)
	s := w.s
	fdMust(t, s, fdMe, "like", fdLikeOf(fdHong, "reply", 42, "评论"))
	fdMust(t, s, fdMe, "like", fdLikeOf(fdHong, "video", 170001, "视频"))
	fdMust(t, s, fdMe, "like", fdLikeOf(fdQiang, "reply", 42, "评论")) // the same second
	r := s.Get(w.me, fdPathLike, nil)
	mustCode(t, r, 0)
	got := fdLikeThings(t, mustParse(t, r.Body).get("data", "total", "items"))
	if len(got) != 2 {
		t.Fatalf("items %v, want 2", got)
	}
	if want := []string{"reply:42", "video:170001"}; !slices.Equal(got, want) {
		fdDiscrepancy(t, "the comment was liked last, so it should be on top (%v), but the feed is %v: within one "+
			"second items are ordered by id, and the renewed item kept its first id", want, got)
	}
}

// fdSettingCase is one settings scenario: the receiver's settings and relation to the
// actor, and which kinds are delivered.
type fdSettingCase struct {
	name            string
	prefs           map[string]int
	follow, block   bool
	reply, at, like bool // delivered?
}

// TestFeedSettingsFilter: the receiver's settings drop notifications at posting time
// (docs/feed.md "Settings that filter notifications"): the producer hears
// delivered false and id 0, nothing is stored and no count moves; system
// notifications are always delivered.
func TestFeedSettingsFilter(t *testing.T) {
	t.Parallel()
	cases := []fdSettingCase{
		{"defaults", nil, false, false, true, true, true},
		{"set_comment 1 stranger", map[string]int{"set_comment": 1}, false, false, false, true, true},
		{"set_comment 1 followed", map[string]int{"set_comment": 1}, true, false, true, true, true},
		{"set_comment 2 followed", map[string]int{"set_comment": 2}, true, false, false, true, true},
		{"set_at 1 stranger", map[string]int{"set_at": 1}, false, false, true, false, true},
		{"set_at 1 followed", map[string]int{"set_at": 1}, true, false, true, true, true},
		{"set_at 2 followed", map[string]int{"set_at": 2}, true, false, true, false, true},
		{"set_recv_reply 1 stranger", map[string]int{"set_recv_reply": 1}, false, false, false, false, true},
		{"set_recv_reply 1 followed", map[string]int{"set_recv_reply": 1}, true, false, true, true, true},
		{"set_recv_reply 2 followed", map[string]int{"set_recv_reply": 2}, true, false, false, false, true},
		{"stricter: set_comment 1 set_recv_reply 2", map[string]int{"set_comment": 1, "set_recv_reply": 2}, true, false, false, false, true},
		{"stricter: set_comment 2 set_recv_reply 1", map[string]int{"set_comment": 2, "set_recv_reply": 1}, true, false, false, true, true},
		{"stricter: set_at 1 set_recv_reply 0 stranger", map[string]int{"set_at": 1, "set_recv_reply": 0}, false, false, true, false, true},
		{"set_like 5", map[string]int{"set_like": 5}, false, false, true, true, false},
		{"set_like 5 followed", map[string]int{"set_like": 5}, true, false, true, true, false},
		{"set_recv_like 2", map[string]int{"set_recv_like": 2}, true, false, true, true, false},
		{"everything off", map[string]int{"set_comment": 2, "set_at": 2, "set_recv_reply": 2, "set_like": 5, "set_recv_like": 2}, true, false, false, false, false},
		{"blocked", nil, false, true, false, false, false},
		{"blocked, all open", map[string]int{"set_comment": 0, "set_at": 0}, false, true, false, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			w := newFdWorld(t)
			s := w.s
			// An earlier like of the same comment by 小明, and one item in each feed, so
			// that a dropped notice has something to change.
			fdMust(t, s, fdMe, "reply", fdVideoReply(fdMing, 1, "早"))
			fdMust(t, s, fdMe, "at", fdDynamicReply(fdMing, "@咕咕鸽"))
			fdMust(t, s, fdMe, "like", fdLikeOf(fdMing, "reply", 77, "评论"))
			last := fdMust(t, s, fdMe, "system", map[string]any{"title": "早", "content": ""})
			s.Advance(time.Second)
			if c.prefs != nil {
				s.SetPrefs(w.me, c.prefs)
			}
			if c.follow {
				s.Follow(fdMe, fdHong, true)
			}
			if c.block {
				s.Block(fdMe, fdHong, true)
			}
			for _, k := range []struct {
				kind string
				want bool
				body map[string]any
			}{
				{"reply", c.reply, fdVideoReply(fdHong, 2, "回复")},
				{"at", c.at, fdDynamicReply(fdHong, "@咕咕鸽 看")},
				{"like", c.like, fdLikeOf(fdHong, "reply", 77, "评论")},
				{"system", true, map[string]any{"title": "系统", "content": "总是送达"}},
			} {
				before := fdState(t, s, w.me)
				id, delivered := fdNotify(t, s, fdMe, k.kind, k.body)
				if delivered != k.want {
					t.Errorf("%s: delivered %v, want %v", k.kind, delivered, k.want)
				}
				if !delivered {
					if id != 0 {
						t.Errorf("%s: a dropped notice has id 0, got %d", k.kind, id)
					}
					fdUnchanged(t, "a dropped "+k.kind, before, fdState(t, s, w.me))
					continue
				}
				// Delivered: stored under the next id (a like of the existing comment
				// may keep its item's id), and counted.
				if k.kind == "like" {
					if items := fdFeedItems(t, s, w.me, fdPaged[2]); len(items.arr) != 1 || num(t, items.get("0", "counts")) != 2 {
						t.Errorf("like: the comment's item has counts 2")
					}
				}
				if id > last && id != last+1 {
					t.Errorf("%s: id %d, want %d (no id consumed by the dropped ones)", k.kind, id, last+1)
				}
				if k.kind != "like" && id <= last {
					t.Errorf("%s: id %d, want a new one above %d", k.kind, id, last)
				}
				last = max(last, id)
			}
			// The counts: each feed's unread items.
			want := fdCounts{1, 1, 1, 2}
			if c.reply {
				want.reply++
			}
			if c.at {
				want.at++
			}
			if got := fdUnreadBoth(t, s, w.me); got != want {
				t.Errorf("counts %+v, want %+v", got, want)
			}
		})
	}
}

// ---------------------------------------------------------------------------------------
// The operator API.

// fdAdminRaw sends a raw operator request; token "" sends none.
func fdAdminRaw(t *testing.T, s *testkit.Server, method, path, token string, body []byte) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := s.HTTP.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

func fdNoticePath(mid any, kind string) string {
	return fmt.Sprintf("/admin/v1/users/%v/notifications/%s", mid, kind)
}

// fdJSON marshals v, failing the test on error.
func fdJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fdWith returns a copy of body with the edits: key → value, or key → nil to delete.
func fdWith(body map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range body {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
		} else {
			out[kv[i].(string)] = kv[i+1]
		}
	}
	return out
}

// TestFeedOperatorAnswers: a delivered notification answers exactly {"id", "delivered"}.
func TestFeedOperatorAnswers(t *testing.T) {
	t.Parallel()
	w := newFdWorld(t)
	for _, kind := range []string{"reply", "at", "like", "system"} {
		st, b := fdAdminRaw(t, w.s, "POST", fdNoticePath(fdMe, kind), w.s.Token, fdJSON(t, fdBody(kind, fdHong, 1, "x")))
		if st != 200 {
			t.Fatalf("%s: status %d: %s", kind, st, b)
		}
		root := mustParse(t, b)
		if wantKeys(t, kind, root, []string{"id", "delivered"}) {
			if fdUintLit(t, "id", root.get("id")) < 800000000000000 || root.get("delivered").kind != 'b' || !root.get("delivered").b {
				t.Errorf("%s: %s", kind, b)
			}
		}
	}
	w.s.Block(fdMe, fdHong, true)
	_, b := fdAdminRaw(t, w.s, "POST", fdNoticePath(fdMe, "reply"), w.s.Token, fdJSON(t, fdBody("reply", fdHong, 2, "x")))
	if string(bytes.TrimSpace(b)) != `{"id":0,"delivered":false}` {
		t.Errorf("a dropped notice: %s, want {\"id\":0,\"delivered\":false}", b)
	}
}

// TestFeedOperatorErrors: the producers' refusals (docs/operator-api.md
// "Notifications"): 404 for an unknown user, actor or mentioned user, 400 for bad input,
// 401 without the token, 413 for a body over 64 KiB — each with {"error": …} and
// nothing changed anywhere.
func TestFeedOperatorErrors(t *testing.T) {
	t.Parallel()
	w := newFdEdgeWorld(t)
	s := w.s
	reply := fdVideoReply(fdHong, 9, "回复")
	at := fdDynamicReply(fdHong, "@咕咕鸽", fdQiang)
	like := fdLikeOf(fdHong, "reply", 88, "评论")
	sys := map[string]any{"title": "通知", "content": "内容", "type": 1, "link": "https://www.bilibili.com"}
	many := make([]uint64, 51)
	for i := range many {
		many[i] = fdHong
	}
	type tc struct {
		name   string
		path   string
		body   []byte
		status int
		token  string // "" → the server's
	}
	var cases []tc
	add := func(name, path string, status int, body []byte) {
		cases = append(cases, tc{name: name, path: path, body: body, status: status})
	}
	for _, k := range []struct {
		kind string
		body map[string]any
	}{{"reply", reply}, {"at", at}, {"like", like}} {
		p := fdNoticePath(fdMe, k.kind)
		add(k.kind+" unknown user", fdNoticePath(9999, k.kind), 404, fdJSON(t, k.body))
		add(k.kind+" unknown actor", p, 404, fdJSON(t, fdWith(k.body, "actor", 9999)))
		add(k.kind+" unknown at_mid", p, 404, fdJSON(t, fdWith(k.body, "at_mids", []uint64{fdHong, 9999})))
		add(k.kind+" 51 at_mids", p, 400, fdJSON(t, fdWith(k.body, "at_mids", many)))
		add(k.kind+" actor is the user", p, 400, fdJSON(t, fdWith(k.body, "actor", fdMe)))
		add(k.kind+" no actor", p, 400, fdJSON(t, fdWith(k.body, "actor", nil)))
		add(k.kind+" actor 0", p, 400, fdJSON(t, fdWith(k.body, "actor", 0)))
		add(k.kind+" actor negative", p, 400, fdJSON(t, fdWith(k.body, "actor", -1)))
		add(k.kind+" actor 2^64", p, 400, []byte(strings.Replace(string(fdJSON(t, k.body)), `"actor":3003`, `"actor":18446744073709551616`, 1)))
		add(k.kind+" actor a string", p, 400, fdJSON(t, fdWith(k.body, "actor", "3003")))
		add(k.kind+" empty type", p, 400, fdJSON(t, fdWith(k.body, "type", "")))
		add(k.kind+" no type", p, 400, fdJSON(t, fdWith(k.body, "type", nil)))
		add(k.kind+" unknown field", p, 400, fdJSON(t, fdWith(k.body, "foo", 1)))
		add(k.kind+" likers", p, 400, fdJSON(t, fdWith(k.body, "likers", []uint64{fdHong})))
		add(k.kind+" counts", p, 400, fdJSON(t, fdWith(k.body, "counts", 5)))
		add(k.kind+" mid 0", fdNoticePath(0, k.kind), 400, fdJSON(t, k.body))
		add(k.kind+" mid abc", fdNoticePath("abc", k.kind), 400, fdJSON(t, k.body))
		add(k.kind+" mid -1", fdNoticePath(-1, k.kind), 400, fdJSON(t, k.body))
		add(k.kind+" not an object", p, 400, []byte(`[1]`))
		add(k.kind+" two objects", p, 400, append(fdJSON(t, k.body), fdJSON(t, k.body)...))
		add(k.kind+" empty body", p, 400, nil)
		add(k.kind+" truncated", p, 400, fdJSON(t, k.body)[:20])
		add(k.kind+" body over 64 KiB", p, 413, fdJSON(t, fdWith(k.body, "desc", strings.Repeat("长", 30000))))
	}
	add("like without item_id", fdNoticePath(fdMe, "like"), 400, fdJSON(t, fdWith(like, "item_id", nil)))
	add("like item_id 0", fdNoticePath(fdMe, "like"), 400, fdJSON(t, fdWith(like, "item_id", 0)))
	add("like item_id negative", fdNoticePath(fdMe, "like"), 400, fdJSON(t, fdWith(like, "item_id", -1)))
	add("system unknown user", fdNoticePath(9999, "system"), 404, fdJSON(t, sys))
	add("system unknown field", fdNoticePath(fdMe, "system"), 400, fdJSON(t, fdWith(sys, "actor", fdHong)))
	add("system type a string", fdNoticePath(fdMe, "system"), 400, fdJSON(t, fdWith(sys, "type", "1")))
	add("system not an object", fdNoticePath(fdMe, "system"), 400, []byte(`"通知"`))
	add("system mid 0", fdNoticePath(0, "system"), 400, fdJSON(t, sys))
	add("unknown kind", fdNoticePath(fdMe, "coin"), 404, fdJSON(t, reply))
	cases = append(cases, tc{name: "no token", path: fdNoticePath(fdMe, "reply"), body: fdJSON(t, reply), status: 401, token: "-"},
		tc{name: "wrong token", path: fdNoticePath(fdMe, "system"), body: fdJSON(t, sys), status: 401, token: "wrong"})

	users := []testkit.User{w.me, w.other, w.ming, w.hong, w.qiang}
	before := fdState(t, s, users...)
	last := w.mine["system"][2].id
	if o := w.others["system"][2].id; o > last {
		last = o
	}
	for _, c := range cases {
		token := s.Token
		switch c.token {
		case "-":
			token = ""
		case "":
		default:
			token = c.token
		}
		st, b := fdAdminRaw(t, s, "POST", c.path, token, c.body)
		if st != c.status {
			t.Errorf("%s: status %d, want %d: %s", c.name, st, c.status, b)
			continue
		}
		var e map[string]any
		if err := json.Unmarshal(b, &e); err != nil || len(e) != 1 || e["error"] == nil {
			t.Errorf("%s: body %s, want {\"error\": …}", c.name, b)
		}
	}
	fdUnchanged(t, "the refused operator requests", before, fdState(t, s, users...))
	// No id was consumed: the next notification gets the next id.
	if id := fdMust(t, s, fdOther, "system", map[string]any{"title": "下一个", "content": ""}); id != last+1 {
		t.Errorf("next id %d, want %d: a refusal consumed ids", id, last+1)
	}

	// Bodies must be valid UTF-8: invalid bytes are a 400, not quietly replaced; an
	// escaped lone surrogate is valid JSON and becomes U+FFFD (docs/operator-api.md).
	// In each body, BAD stands for the text.
	bodies := []struct{ kind, body, bad string }{
		{"reply", `{"actor":3003,"type":"video","business_id":1,"business":"评论","title":"BAD","uri":"u"}`, "\xff\xfe"},
		{"at", `{"actor":3003,"type":"video","business_id":1,"business":"评论","title":"t","uri":"u","source_content":"@咕咕鸽 BAD"}`, "\xc3\x28"},
		{"like", `{"actor":3003,"type":"reply","item_id":5,"business_id":1,"business":"BAD","title":"t","uri":"u"}`, "\xed\xa0\x80"},
		{"system", `{"title":"BAD","content":"c"}`, "\xff"},
		{"system", `{"title":"t","content":"BAD","link":"l"}`, "a\x80"},
	}
	t.Run("invalid UTF-8 bytes", func(t *testing.T) {
		before := fdState(t, s, users...)
		var accepted []string
		for _, c := range bodies {
			body := strings.Replace(c.body, "BAD", c.bad, 1)
			st, b := fdAdminRaw(t, s, "POST", fdNoticePath(fdMe, c.kind), s.Token, []byte(body))
			if st != 400 {
				accepted = append(accepted, fmt.Sprintf("%s %q → %d %s", c.kind, body, st, bytes.TrimSpace(b)))
			}
		}
		after := fdState(t, s, users...)
		// The same bodies with valid text are accepted (by 阿强): only the text was refused.
		for _, c := range bodies {
			if st, b := fdAdminRaw(t, s, "POST", fdNoticePath(fdQiang, c.kind), s.Token,
				[]byte(strings.Replace(c.body, "BAD", "好", 1))); st != 200 {
				t.Errorf("%s with valid text: %d %s", c.kind, st, b)
			}
		}
		if len(accepted) > 0 {
			fdDiscrepancy(t, "docs/operator-api.md: invalid UTF-8 bytes are a 400, not quietly replaced, but these were "+
				"accepted (stored with U+FFFD): %s", strings.Join(accepted, "; "))
		}
		fdUnchanged(t, "invalid UTF-8", before, after)
	})
	t.Run("escaped lone surrogates", func(t *testing.T) {
		for _, c := range []struct{ kind, body string }{
			{"reply", `{"actor":3003,"type":"video","business_id":1,"business":"评论","title":"\udc00标题","uri":"u"}`},
			{"system", `{"title":"\ud800x标题","content":"c"}`},
		} {
			if st, b := fdAdminRaw(t, s, "POST", fdNoticePath(fdOther, c.kind), s.Token, []byte(c.body)); st != 200 {
				t.Errorf("%s %s: %d %s, want 200 (valid JSON)", c.kind, c.body, st, b)
			}
		}
		r := s.Get(w.other, fdPathReply, q("id", "1"))
		if got := mustParse(t, r.Body).get("data", "items", "0", "item", "title").str; got != "\uFFFD标题" {
			t.Errorf("reply title %q, want %q", got, "\uFFFD标题")
		}
		r = s.Get(w.other, fdPathSystem, nil)
		if got := mustParse(t, r.Body).get("data", "0", "title").str; got != "\uFFFDx标题" {
			t.Errorf("system title %q, want %q", got, "\uFFFDx标题")
		}
	})
}
