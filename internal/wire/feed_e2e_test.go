package wire_test

// End-to-end tests of the notification feeds (docs/feed.md) through HTTP: notices posted
// by the operator API's producers (POST /admin/v1/users/{mid}/notifications/...), read
// back through N1 (both URLs), N2 (x/msgfeed/reply), x/msgfeed/at, x/msgfeed/like and
// x/sys-msg/query_notify_list, with a fake clock. Helpers are prefixed fe2e to keep
// clear of the other tests of the package.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

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

type fe2eUser struct {
	Mid      uint64 `json:"mid"`
	Fans     int    `json:"fans"`
	Nickname string `json:"nickname"`
	Avatar   string `json:"avatar"`
	MidLink  string `json:"mid_link"`
	Follow   bool   `json:"follow"`
}

type fe2eCursor struct {
	IsEnd bool   `json:"is_end"`
	ID    uint64 `json:"id"`
	Time  int64  `json:"time"`
}

type fe2eReplyItem struct {
	SubjectID          uint64     `json:"subject_id"`
	RootID             uint64     `json:"root_id"`
	SourceID           uint64     `json:"source_id"`
	TargetID           uint64     `json:"target_id"`
	Type               string     `json:"type"`
	BusinessID         int        `json:"business_id"`
	Business           string     `json:"business"`
	Title              string     `json:"title"`
	Desc               string     `json:"desc"`
	Image              string     `json:"image"`
	URI                string     `json:"uri"`
	NativeURI          string     `json:"native_uri"`
	DetailTitle        string     `json:"detail_title"`
	RootReplyContent   string     `json:"root_reply_content"`
	SourceContent      string     `json:"source_content"`
	TargetReplyContent string     `json:"target_reply_content"`
	AtDetails          []fe2eUser `json:"at_details"`
	TopicDetails       []any      `json:"topic_details"`
	HideReplyButton    bool       `json:"hide_reply_button"`
	HideLikeButton     bool       `json:"hide_like_button"`
	LikeState          int        `json:"like_state"`
	Danmu              any        `json:"danmu"`
	Message            string     `json:"message"`
}

type fe2eReplyEntry struct {
	ID        uint64        `json:"id"`
	User      fe2eUser      `json:"user"`
	Item      fe2eReplyItem `json:"item"`
	Counts    int           `json:"counts"`
	IsMulti   int           `json:"is_multi"`
	ReplyTime int64         `json:"reply_time"`
}

type fe2eReplies struct {
	Cursor     fe2eCursor       `json:"cursor"`
	Items      []fe2eReplyEntry `json:"items"`
	LastViewAt int64            `json:"last_view_at"`
}

type fe2eAtItem struct {
	Type          string     `json:"type"`
	Business      string     `json:"business"`
	BusinessID    int        `json:"business_id"`
	Title         string     `json:"title"`
	Image         string     `json:"image"`
	URI           string     `json:"uri"`
	SourceContent string     `json:"source_content"`
	SourceID      uint64     `json:"source_id"`
	TargetID      uint64     `json:"target_id"`
	RootID        uint64     `json:"root_id"`
	SubjectID     uint64     `json:"subject_id"`
	NativeURI     string     `json:"native_uri"`
	AtDetails     []fe2eUser `json:"at_details"`
}

type fe2eAtEntry struct {
	ID     uint64     `json:"id"`
	User   fe2eUser   `json:"user"`
	Item   fe2eAtItem `json:"item"`
	AtTime int64      `json:"at_time"`
}

type fe2eAts struct {
	Cursor     fe2eCursor    `json:"cursor"`
	Items      []fe2eAtEntry `json:"items"`
	LastViewAt int64         `json:"last_view_at"`
}

type fe2eLikeItem struct {
	ItemID          uint64 `json:"item_id"`
	Pid             uint64 `json:"pid"`
	Type            string `json:"type"`
	Business        string `json:"business"`
	BusinessID      int    `json:"business_id"`
	ReplyBusinessID int    `json:"reply_business_id"`
	LikeBusinessID  int    `json:"like_business_id"`
	Title           string `json:"title"`
	Desc            string `json:"desc"`
	Image           string `json:"image"`
	URI             string `json:"uri"`
	DetailName      string `json:"detail_name"`
	NativeURI       string `json:"native_uri"`
	Ctime           int64  `json:"ctime"`
}

type fe2eLikeEntry struct {
	ID          uint64       `json:"id"`
	Users       []fe2eUser   `json:"users"`
	Item        fe2eLikeItem `json:"item"`
	Counts      int          `json:"counts"`
	LikeTime    int64        `json:"like_time"`
	NoticeState int          `json:"notice_state"`
}

type fe2eLikes struct {
	Latest struct {
		Items      []fe2eLikeEntry `json:"items"`
		LastViewAt int64           `json:"last_view_at"`
	} `json:"latest"`
	Total struct {
		Cursor fe2eCursor      `json:"cursor"`
		Items  []fe2eLikeEntry `json:"items"`
	} `json:"total"`
}

type fe2eSys struct {
	ID        uint64 `json:"id"`
	Cursor    uint64 `json:"cursor"`
	Publisher struct {
		Name string `json:"name"`
		Mid  uint64 `json:"mid"`
		Face string `json:"face"`
	} `json:"publisher"`
	Type    int    `json:"type"`
	Title   string `json:"title"`
	Content string `json:"content"`
	Source  struct {
		Name string `json:"name"`
		Logo string `json:"logo"`
	} `json:"source"`
	TimeAt         string `json:"time_at"`
	CardType       int    `json:"card_type"`
	CardBrief      string `json:"card_brief"`
	CardMsgBrief   string `json:"card_msg_brief"`
	CardCover      string `json:"card_cover"`
	CardStoryTitle string `json:"card_story_title"`
	CardLink       string `json:"card_link"`
	MC             string `json:"mc"`
	IsStation      int    `json:"is_station"`
	IsSend         int    `json:"is_send"`
	NotifyCursor   uint64 `json:"notify_cursor"`
}

// fe2eData checks that r is a success and decodes its data strictly into out.
func fe2eData(t *testing.T, r testkit.Raw, what string, out any) {
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

func fe2eGet(t *testing.T, s *testkit.Server, u testkit.User, kind string, q url.Values) testkit.Raw {
	t.Helper()
	if kind == "system" {
		return s.Get(u, fe2eSysList, q)
	}
	return s.Get(u, "/x/msgfeed/"+kind, q)
}

func fe2eReplyPage(t *testing.T, s *testkit.Server, u testkit.User, q url.Values) fe2eReplies {
	t.Helper()
	var d fe2eReplies
	fe2eData(t, fe2eGet(t, s, u, "reply", q), "msgfeed/reply", &d)
	return d
}

func fe2eAtPage(t *testing.T, s *testkit.Server, u testkit.User, q url.Values) fe2eAts {
	t.Helper()
	var d fe2eAts
	fe2eData(t, fe2eGet(t, s, u, "at", q), "msgfeed/at", &d)
	return d
}

func fe2eLikePage(t *testing.T, s *testkit.Server, u testkit.User, q url.Values) fe2eLikes {
	t.Helper()
	var d fe2eLikes
	fe2eData(t, fe2eGet(t, s, u, "like", q), "msgfeed/like", &d)
	if d.Latest.Items == nil || len(d.Latest.Items) != 0 {
		t.Errorf("like feed: latest.items must be [], got %+v", d.Latest.Items)
	}
	return d
}

func fe2eSysPage(t *testing.T, s *testkit.Server, u testkit.User, q url.Values) []fe2eSys {
	t.Helper()
	var d []fe2eSys
	fe2eData(t, fe2eGet(t, s, u, "system", q), "query_notify_list", &d)
	if d == nil {
		t.Errorf("query_notify_list: data must be an array, got null")
	}
	return d
}

// fe2ePage is what every (time, id) feed has: a cursor, its items' ids and times, and
// last_view_at.
type fe2ePage struct {
	Cursor     fe2eCursor
	IDs        []uint64
	Times      []int64
	LastViewAt int64
}

// fe2eRead reads one page of a reply, @ or like feed.
func fe2eRead(t *testing.T, s *testkit.Server, u testkit.User, kind string, q url.Values) fe2ePage {
	t.Helper()
	p := fe2ePage{IDs: []uint64{}, Times: []int64{}}
	switch kind {
	case "reply":
		d := fe2eReplyPage(t, s, u, q)
		p.Cursor, p.LastViewAt = d.Cursor, d.LastViewAt
		for _, it := range d.Items {
			p.IDs, p.Times = append(p.IDs, it.ID), append(p.Times, it.ReplyTime)
		}
	case "at":
		d := fe2eAtPage(t, s, u, q)
		p.Cursor, p.LastViewAt = d.Cursor, d.LastViewAt
		for _, it := range d.Items {
			p.IDs, p.Times = append(p.IDs, it.ID), append(p.Times, it.AtTime)
		}
	case "like":
		d := fe2eLikePage(t, s, u, q)
		p.Cursor, p.LastViewAt = d.Total.Cursor, d.Latest.LastViewAt
		for _, it := range d.Total.Items {
			p.IDs, p.Times = append(p.IDs, it.ID), append(p.Times, it.LikeTime)
		}
	default:
		t.Fatalf("fe2eRead: feed %q", kind)
	}
	return p
}

// fe2eAfter is the query of the page after cursor c.
func fe2eAfter(kind string, c fe2eCursor) url.Values {
	return url.Values{"id": {strconv.FormatUint(c.ID, 10)}, fe2eTimeParam[kind]: {strconv.FormatInt(c.Time, 10)}}
}

// fe2eNotice is a notice from actor about item (item_id, ignored by replies and @s).
func fe2eNotice(actor, item uint64) map[string]any {
	return map[string]any{"actor": actor, "type": "reply", "business_id": 1, "business": "评论", "title": "我的视频",
		"uri": "https://www.bilibili.com/video/BV1xx411c7mD", "source_content": "说得好", "item_id": item}
}

// fe2ePost posts body to owner's feed kind and returns the answer.
func fe2ePost(t *testing.T, s *testkit.Server, owner uint64, kind string, body map[string]any) (uint64, bool) {
	t.Helper()
	var out struct {
		ID        uint64 `json:"id"`
		Delivered bool   `json:"delivered"`
	}
	if st := s.Admin("POST", fmt.Sprintf("/admin/v1/users/%d/notifications/%s", owner, kind), body, &out); st != 200 {
		t.Fatalf("notify %d (%s): status %d", owner, kind, st)
	}
	if out.Delivered != (out.ID != 0) {
		t.Errorf("notify %d (%s): delivered %v with id %d", owner, kind, out.Delivered, out.ID)
	}
	return out.ID, out.Delivered
}

// fe2eMust posts a notice that must be delivered and returns its item id.
func fe2eMust(t *testing.T, s *testkit.Server, owner uint64, kind string, body map[string]any) uint64 {
	t.Helper()
	id, ok := fe2ePost(t, s, owner, kind, body)
	if !ok {
		t.Fatalf("notify %d (%s): not delivered", owner, kind)
	}
	return id
}

func fe2eSystem(t *testing.T, s *testkit.Server, owner uint64, title string) uint64 {
	t.Helper()
	return fe2eMust(t, s, owner, "system", map[string]any{"title": title, "content": "内容 " + title})
}

// fe2eCounts is u's N1 on path, every field.
func fe2eCounts(t *testing.T, s *testkit.Server, u testkit.User, path string) map[string]int64 {
	t.Helper()
	var d map[string]int64
	fe2eData(t, s.Get(u, path, nil), path, &d)
	return d
}

// fe2eUnread are u's unread counts by feed (new URL), checking the aliases.
func fe2eUnread(t *testing.T, s *testkit.Server, u testkit.User) map[string]int64 {
	t.Helper()
	d := fe2eCounts(t, s, u, fe2eUnreadNew)
	if d["recv_reply"] != d["reply"] || d["recv_like"] != d["like"] {
		t.Errorf("N1 of %d: recv_reply %d / reply %d, recv_like %d / like %d", u.Mid, d["recv_reply"], d["reply"],
			d["recv_like"], d["like"])
	}
	return map[string]int64{"reply": d["reply"], "at": d["at"], "like": d["like"], "system": d["sys_msg"]}
}

func fe2eNow(s *testkit.Server) int64 { return s.App.FakeClock.Now().Unix() }

func fe2eReversed(ids []uint64) []uint64 {
	out := slices.Clone(ids)
	slices.Reverse(out)
	return out
}

func fe2eMids(us []fe2eUser) []uint64 {
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
	me := s.NewUser(10, "收件人")
	s.NewUser(20, "甲")
	s.NewUser(21, "乙")
	zero := map[string]int64{"reply": 0, "at": 0, "like": 0, "system": 0}
	if got := fe2eUnread(t, s, me); !maps.Equal(got, zero) {
		t.Errorf("before any notice: %v", got)
	}
	for range 2 {
		fe2eMust(t, s, 10, "reply", fe2eNotice(20, 0))
	}
	for range 3 {
		fe2eMust(t, s, 10, "at", fe2eNotice(21, 0))
	}
	// Three likes of two things: two items.
	fe2eMust(t, s, 10, "like", fe2eNotice(20, 1))
	fe2eMust(t, s, 10, "like", fe2eNotice(21, 1))
	fe2eMust(t, s, 10, "like", fe2eNotice(20, 2))
	for range 4 {
		fe2eSystem(t, s, 10, "公告")
	}
	wantNew := map[string]int64{"at": 3, "chat": 0, "coin": 0, "danmu": 0, "favorite": 0, "like": 2, "recv_like": 2,
		"recv_reply": 2, "reply": 2, "sys_msg": 4, "sys_msg_style": 1, "up": 0}
	wantOld := maps.Clone(wantNew)
	delete(wantOld, "sys_msg_style")
	if got := fe2eCounts(t, s, me, fe2eUnreadNew); !maps.Equal(got, wantNew) {
		t.Errorf("%s: %v\nwant %v", fe2eUnreadNew, got, wantNew)
	}
	if got := fe2eCounts(t, s, me, fe2eUnreadOld); !maps.Equal(got, wantOld) {
		t.Errorf("%s: %v\nwant %v", fe2eUnreadOld, got, wantOld)
	}
	// The client's parameters are accepted and ignored.
	q := url.Values{"build": {"0"}, "mobi_app": {"web"}, "platform": {"web"}, "web_location": {"333.1365"}}
	for _, path := range []string{fe2eUnreadOld, fe2eUnreadNew} {
		var d map[string]int64
		fe2eData(t, s.Get(me, path, q), path, &d)
		if d["reply"] != 2 || d["sys_msg"] != 4 {
			t.Errorf("%s with the client's parameters: %v", path, d)
		}
		// Not logged in.
		if c := s.Get(testkit.User{}, path, nil).Code(t); c != -101 {
			t.Errorf("%s without SESSDATA: code %d, want -101", path, c)
		}
	}
	// Private messages are not notifications (N1 does not count them).
	s.SendText(s.NewUser(22, "丙"), 10, "你好")
	if got := fe2eCounts(t, s, me, fe2eUnreadNew); !maps.Equal(got, wantNew) {
		t.Errorf("after a private message: %v", got)
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
			me := s.NewUser(10, "收件人")
			actors := []uint64{s.NewUser(20, "甲").Mid, s.NewUser(21, "乙").Mid, s.NewUser(22, "丙").Mid}
			var posted []uint64
			timeOf := map[uint64]int64{}
			for i := range 47 {
				if i > 0 && i%4 == 0 {
					s.Advance(time.Second)
				}
				id := fe2eMust(t, s, 10, kind, fe2eNotice(actors[i%3], uint64(1000+i)))
				if len(posted) > 0 && id <= posted[len(posted)-1] {
					t.Fatalf("ids do not increase: %d after %d", id, posted[len(posted)-1])
				}
				posted = append(posted, id)
				timeOf[id] = fe2eNow(s)
			}
			if got := fe2eUnread(t, s, me)[kind]; got != 47 {
				t.Errorf("unread %s = %d, want 47", kind, got)
			}
			var seen []uint64
			var sizes []int
			var pages []fe2ePage
			q := url.Values{}
			for len(pages) < 5 {
				p := fe2eRead(t, s, me, kind, q)
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
				q = fe2eAfter(kind, p.Cursor)
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
			// After the last page: an empty page.
			r := fe2eGet(t, s, me, kind, fe2eAfter(kind, pages[2].Cursor))
			if !bytes.Contains(r.Body, []byte(`"cursor":{"is_end":true,"id":0,"time":0},"items":[]`)) {
				t.Errorf("page after the last: %s", r.Body)
			}
			if p := fe2eRead(t, s, me, kind, fe2eAfter(kind, pages[2].Cursor)); len(p.IDs) != 0 {
				t.Errorf("page after the last: %v", p.IDs)
			}
			// The page size does not depend on anything the client sends.
			q = url.Values{"ps": {"50"}, "page_size": {"50"}, "build": {"0"}, "mobi_app": {"web"}, "platform": {"web"},
				"web_location": {"333.40164"}}
			if p := fe2eRead(t, s, me, kind, q); len(p.IDs) != 20 {
				t.Errorf("page with extra parameters: %d items", len(p.IDs))
			}
		})
	}
}

// TestFeedE2EIsEndExact: is_end is exact when the items fill the pages exactly.
func TestFeedE2EIsEndExact(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	s.NewUser(20, "甲")
	for _, c := range []struct {
		n     int
		sizes []int
	}{{1, []int{1}}, {20, []int{20}}, {21, []int{20, 1}}, {40, []int{20, 20}}, {41, []int{20, 20, 1}}} {
		owner := uint64(100 + c.n)
		me := s.NewUser(owner, fmt.Sprintf("u%d", c.n))
		for _, kind := range fe2eKinds {
			for i := range c.n {
				fe2eMust(t, s, owner, kind, fe2eNotice(20, uint64(i+1)))
			}
			var sizes []int
			q := url.Values{}
			for len(sizes) < 5 {
				p := fe2eRead(t, s, me, kind, q)
				sizes = append(sizes, len(p.IDs))
				if p.Cursor.IsEnd {
					break
				}
				q = fe2eAfter(kind, p.Cursor)
			}
			if !slices.Equal(sizes, c.sizes) {
				t.Errorf("%d %s items: pages %v, want %v (the last one is_end)", c.n, kind, sizes, c.sizes)
			}
		}
	}
	// No items: an empty first page, is_end.
	me := s.NewUser(99, "空")
	for _, kind := range fe2eKinds {
		r := fe2eGet(t, s, me, kind, nil)
		if !bytes.Contains(r.Body, []byte(`"cursor":{"is_end":true,"id":0,"time":0},"items":[]`)) {
			t.Errorf("empty %s feed: %s", kind, r.Body)
		}
	}
	if r := fe2eGet(t, s, me, "system", nil); !bytes.Contains(r.Body, []byte(`"data":[]`)) {
		t.Errorf("empty system list: %s", r.Body)
	}
}

// TestFeedE2ECursors: what a cursor means (docs/feed.md "Paging").
func TestFeedE2ECursors(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	me := s.NewUser(10, "收件人")
	other := s.NewUser(11, "别人")
	s.NewUser(20, "甲")
	for _, kind := range fe2eKinds {
		// Three items in each of three seconds; another user's items in between.
		var mine [][]uint64 // by second
		var theirs []uint64
		var secs []int64
		for sec := range 3 {
			var ids []uint64
			for i := range 3 {
				ids = append(ids, fe2eMust(t, s, 10, kind, fe2eNotice(20, uint64(10*sec+i+1))))
				theirs = append(theirs, fe2eMust(t, s, 11, kind, fe2eNotice(20, uint64(10*sec+i+1))))
			}
			mine, secs = append(mine, ids), append(secs, fe2eNow(s))
			s.Advance(time.Second)
		}
		all := fe2eReversed(slices.Concat(mine...))
		before := fe2eUnread(t, s, me)[kind]
		tp := fe2eTimeParam[kind]
		str := func(n uint64) string { return strconv.FormatUint(n, 10) }
		sec := func(i int) string { return strconv.FormatInt(secs[i], 10) }
		for _, c := range []struct {
			name string
			q    url.Values
			want []uint64
		}{
			{"after an item", url.Values{"id": {str(mine[1][1])}, tp: {sec(1)}}, all[5:]},
			{"time without id: before that second", url.Values{tp: {sec(1)}}, all[6:]},
			{"time without id, id empty", url.Values{"id": {""}, tp: {sec(2)}}, all[3:]},
			{"id 0: before that second", url.Values{"id": {"0"}, tp: {sec(2)}}, all[3:]},
			{"id without time: the newest items", url.Values{"id": {str(mine[0][0])}}, all},
			{"id with time 0: the newest items", url.Values{"id": {str(mine[0][0])}, tp: {"0"}}, all},
			{"a cursor from the future", url.Values{"id": {"1"}, tp: {"4102444800"}}, all},
			{"a huge id", url.Values{"id": {"18446744073709551615"}, tp: {sec(2)}}, all},
			{"before every item", url.Values{"id": {str(mine[0][0])}, tp: {sec(0)}}, []uint64{}},
			{"a time before every item", url.Values{tp: {"1000"}}, []uint64{}},
			// Another user's item bounds my feed by its numbers and shows nothing of theirs.
			{"another user's item", url.Values{"id": {str(theirs[4])}, tp: {sec(1)}}, all[4:]},
			{"another user's oldest item", url.Values{"id": {str(theirs[0])}, tp: {sec(0)}}, all[8:]},
		} {
			p := fe2eRead(t, s, me, kind, c.q)
			if !slices.Equal(p.IDs, c.want) {
				t.Errorf("%s %s (%s): %v, want %v", kind, c.name, c.q.Encode(), p.IDs, c.want)
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
		if got := fe2eUnread(t, s, me)[kind]; got != before || got == 0 {
			t.Errorf("%s: pages with a cursor changed the unread count %d → %d", kind, before, got)
		}
		// A cursor parameter that is not a non-negative integer is -400.
		for _, q := range []url.Values{{"id": {"x"}}, {"id": {"-1"}}, {tp: {"-1"}}, {tp: {"1.5"}}, {"id": {"1e3"}},
			{tp: {"x"}}, {"id": {"18446744073709551616"}}} {
			if c := fe2eGet(t, s, me, kind, q).Code(t); c != -400 {
				t.Errorf("%s %s: code %d, want -400", kind, q.Encode(), c)
			}
		}
		if got := fe2eUnread(t, s, other)[kind]; got != 9 {
			t.Errorf("%s: the other user's count %d, want 9", kind, got)
		}
	}
}

// --- marking read ---

// fe2eFirst reads the first page of any feed and returns its ids (newest first) and
// last_view_at (0 for the system list, which has none).
func fe2eFirst(t *testing.T, s *testkit.Server, u testkit.User, kind string, q url.Values) ([]uint64, int64) {
	t.Helper()
	if kind == "system" {
		var ids []uint64
		for _, n := range fe2eSysPage(t, s, u, q) {
			ids = append(ids, n.ID)
		}
		return ids, 0
	}
	p := fe2eRead(t, s, u, kind, q)
	return p.IDs, p.LastViewAt
}

func fe2ePostAny(t *testing.T, s *testkit.Server, owner uint64, kind string, actor, item uint64) uint64 {
	t.Helper()
	if kind == "system" {
		return fe2eSystem(t, s, owner, "通知 "+strconv.FormatUint(item, 10))
	}
	return fe2eMust(t, s, owner, kind, fe2eNotice(actor, item))
}

func TestFeedE2EMarkRead(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"reply", "at", "like", "system"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			s := testkit.Start(t, testkit.Options{})
			me := s.NewUser(10, "收件人")
			s.NewUser(20, "甲")
			// 25 items of this feed, one of each of the others.
			var ids []uint64
			for i := range 25 {
				if i%3 == 0 {
					s.Advance(time.Second)
				}
				ids = append(ids, fe2ePostAny(t, s, 10, kind, 20, uint64(i+1)))
			}
			others := map[string]int64{"reply": 1, "at": 1, "like": 1, "system": 1}
			for k := range others {
				if k != kind {
					fe2ePostAny(t, s, 10, k, 20, 1)
				}
			}
			want := maps.Clone(others)
			want[kind] = 25
			check := func(when string) {
				t.Helper()
				if got := fe2eUnread(t, s, me); !maps.Equal(got, want) {
					t.Errorf("%s: unread %v, want %v", when, got, want)
				}
			}
			check("after posting")
			s.Advance(10 * time.Second)

			// Later pages first: they mark nothing, and nothing was viewed yet.
			var later url.Values
			if kind == "system" {
				later = url.Values{"cursor": {strconv.FormatUint(ids[24], 10)}}
			} else {
				later = fe2eAfter(kind, fe2eCursor{ID: ids[24], Time: fe2eNow(s) - 10})
			}
			if got, lv := fe2eFirst(t, s, me, kind, later); len(got) == 0 || lv != 0 {
				t.Errorf("a later page before any view: %d items, last_view_at %d", len(got), lv)
			}
			check("after a later page")

			// The first page marks this feed read, and only this one.
			view1 := fe2eNow(s)
			got, lv := fe2eFirst(t, s, me, kind, nil)
			if len(got) != 20 || got[0] != ids[24] {
				t.Errorf("first page: %v", got)
			}
			if kind != "system" && lv != view1 {
				t.Errorf("first page: last_view_at %d, want now %d", lv, view1)
			}
			want[kind] = 0
			check("after the first page")
			// Both N1 URLs agree.
			old := fe2eCounts(t, s, me, fe2eUnreadOld)
			if n := map[string]string{"reply": "reply", "at": "at", "like": "like", "system": "sys_msg"}[kind]; old[n] != 0 {
				t.Errorf("old N1 after the first page: %v", old)
			}

			// Later pages still mark nothing; they report the last view, not now.
			s.Advance(5 * time.Second)
			fe2ePostAny(t, s, 10, kind, 20, 100)
			want[kind] = 1
			if _, lv := fe2eFirst(t, s, me, kind, later); kind != "system" && lv != view1 {
				t.Errorf("a later page after a view: last_view_at %d, want the view's %d", lv, view1)
			}
			check("after a later page, with a new item")

			// New items after a view count again.
			s.Advance(time.Second)
			newer := fe2ePostAny(t, s, 10, kind, 20, 101)
			want[kind] = 2
			check("after two new items")
			view2 := fe2eNow(s)
			got, lv = fe2eFirst(t, s, me, kind, url.Values{"build": {"0"}, "mobi_app": {"web"}})
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
			if _, lv = fe2eFirst(t, s, me, kind, nil); kind != "system" && lv != fe2eNow(s) {
				t.Errorf("third view: last_view_at %d, want %d", lv, fe2eNow(s))
			}
			check("after the third view")
			// A view in the same second as a new item: the item is seen.
			fe2ePostAny(t, s, 10, kind, 20, 102)
			want[kind] = 1
			check("after an item in the second of the view")
			fe2eFirst(t, s, me, kind, nil)
			want[kind] = 0
			check("after viewing again in the same second")
			fe2ePostAny(t, s, 10, kind, 20, 103)
			want[kind] = 1
			check("after an item right after the view, in its second")
		})
	}
}

// --- likes ---

func TestFeedE2ELikesAggregate(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	me := s.NewUser(10, "UP主")
	var likers []uint64
	for i := range 14 {
		likers = append(likers, s.NewUser(uint64(20+i), fmt.Sprintf("粉丝%d", i)).Mid)
	}
	like := func(actor uint64, typ string, item uint64) uint64 {
		t.Helper()
		b := fe2eNotice(actor, item)
		b["type"] = typ
		return fe2eMust(t, s, 10, "like", b)
	}
	unread := func() int64 { t.Helper(); return fe2eUnread(t, s, me)["like"] }

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
	d := fe2eLikePage(t, s, me, nil)
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
	d = fe2eLikePage(t, s, me, nil)
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
	d = fe2eLikePage(t, s, me, nil)
	users := fe2eMids(d.Total.Items[0].Users)
	if len(users) != 10 || users[0] != likers[8] || len(slices.Compact(slices.Sorted(slices.Values(users)))) != 10 {
		t.Errorf("after a repeated like: users %v, want %d first and no one twice", users, likers[8])
	}
}

// TestFeedE2ELikeMovesToTopSameSecond: docs/feed.md "each new like moves it to the top".
func TestFeedE2ELikeMovesToTopSameSecond(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	me := s.NewUser(10, "UP主")
	s.NewUser(20, "甲")
	s.NewUser(21, "乙")
	fe2eMust(t, s, 10, "like", fe2eNotice(20, 1))
	second := fe2eMust(t, s, 10, "like", fe2eNotice(20, 2))
	renewed := fe2eMust(t, s, 10, "like", fe2eNotice(21, 1)) // the same second
	if got := fe2eRead(t, s, me, "like", nil).IDs; !slices.Equal(got, []uint64{renewed, second}) {
		t.Errorf("like feed %v, want the newly liked %d on top", got, renewed)
	}
}

// TestFeedE2ERepeatedLikerCountsOnce: docs/feed.md "counts how many liked" (the "等N人"
// of "A、B等N人赞了你的评论"): a user who likes the same thing again is still one of them.
func TestFeedE2ERepeatedLikerCountsOnce(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	me := s.NewUser(10, "UP主")
	s.NewUser(20, "甲")
	s.NewUser(21, "乙")
	fe2eMust(t, s, 10, "like", fe2eNotice(20, 1))
	fe2eMust(t, s, 10, "like", fe2eNotice(21, 1))
	s.Advance(time.Second)
	fe2eMust(t, s, 10, "like", fe2eNotice(20, 1))
	it := fe2eLikePage(t, s, me, nil).Total.Items[0]
	if it.Counts != 2 || !slices.Equal(fe2eMids(it.Users), []uint64{20, 21}) {
		t.Errorf("after 甲, 乙 and 甲 again: counts %d users %v, want 2 [20 21]", it.Counts, fe2eMids(it.Users))
	}
}

// --- users ---

func TestFeedE2EUsers(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	me := s.NewUser(10, "收件人")
	s.NewUser(20, "甲")
	s.NewUser(21, "乙")
	s.NewUser(22, "丙")
	s.Follow(10, 20, true)
	s.Follow(21, 10, true) // 乙 follows me: that is not my following 乙
	reply := fe2eNotice(20, 0)
	reply["at_mids"] = []uint64{21, 22, 10}
	fe2eMust(t, s, 10, "reply", reply)
	at := fe2eNotice(21, 0)
	at["at_mids"] = []uint64{20}
	fe2eMust(t, s, 10, "at", at)
	fe2eMust(t, s, 10, "like", fe2eNotice(20, 1))
	fe2eMust(t, s, 10, "like", fe2eNotice(21, 1))

	type view struct {
		name, face string
		follow     bool
	}
	check := func(when string, want map[uint64]view) {
		t.Helper()
		u := func(where string, got fe2eUser) {
			t.Helper()
			w := want[got.Mid]
			if got.Nickname != w.name || got.Avatar != w.face || got.Follow != w.follow || got.Fans != 0 || got.MidLink != "" {
				t.Errorf("%s: %s: %+v, want %+v", when, where, got, w)
			}
		}
		rp := fe2eReplyPage(t, s, me, nil)
		u("reply user", rp.Items[0].User)
		if got := fe2eMids(rp.Items[0].Item.AtDetails); !slices.Equal(got, []uint64{21, 22, 10}) {
			t.Errorf("%s: reply at_details %v", when, got)
		}
		for _, a := range rp.Items[0].Item.AtDetails {
			u("reply at_details", a)
		}
		ap := fe2eAtPage(t, s, me, nil)
		u("@ user", ap.Items[0].User)
		for _, a := range ap.Items[0].Item.AtDetails {
			u("@ at_details", a)
		}
		lp := fe2eLikePage(t, s, me, nil)
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
	if st := s.Admin("PATCH", "/admin/v1/users/20", map[string]any{"name": "甲改名", "face": face}, nil); st != 200 {
		t.Fatalf("PATCH user 20: %d", st)
	}
	if st := s.Admin("PATCH", "/admin/v1/users/22", map[string]any{"name": "丙丙"}, nil); st != 200 {
		t.Fatalf("PATCH user 22: %d", st)
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
	me := s.NewUser(10, "收件人")
	s.NewUser(20, "甲")
	s.NewUser(21, "乙")
	full := map[string]any{"actor": 20, "subject_id": uint64(fe2eBigID), "root_id": 265141324255, "source_id": 265141324256,
		"target_id": 265141324257, "type": "dynamic", "business_id": 17, "business": "动态", "title": "标题",
		"desc": "描述", "image": "https://i0.hdslb.com/bfs/x.jpg",
		"uri":            "https://www.bilibili.com/opus/1073543151725051921#reply265141324256",
		"native_uri":     "bilibili://opus/detail/1073543151725051921?comment_root_id=265141324256&comment_on=1",
		"source_content": "回复 @乙 :60", "root_reply_content": "根评论", "target_reply_content": "目标评论",
		"at_mids": []uint64{21}, "item_id": uint64(fe2eBigID)}
	s.Advance(90 * time.Second)
	posted := fe2eNow(s)
	rid := fe2eMust(t, s, 10, "reply", full)
	aid := fe2eMust(t, s, 10, "at", full)
	lid := fe2eMust(t, s, 10, "like", full)

	rp := fe2eReplyPage(t, s, me, nil)
	at21 := fe2eUser{Mid: 21, Nickname: "乙", Avatar: im.DefaultFace}
	wantReply := fe2eReplyEntry{ID: rid, User: fe2eUser{Mid: 20, Nickname: "甲", Avatar: im.DefaultFace},
		Item: fe2eReplyItem{SubjectID: fe2eBigID, RootID: 265141324255, SourceID: 265141324256, TargetID: 265141324257,
			Type: "dynamic", BusinessID: 17, Business: "动态", Title: "标题", Desc: "描述",
			Image: "https://i0.hdslb.com/bfs/x.jpg", URI: full["uri"].(string), NativeURI: full["native_uri"].(string),
			RootReplyContent: "根评论", SourceContent: "回复 @乙 :60", TargetReplyContent: "目标评论",
			AtDetails: []fe2eUser{at21}, TopicDetails: []any{}},
		Counts: 1, ReplyTime: posted}
	if len(rp.Items) != 1 || fmt.Sprintf("%+v", rp.Items[0]) != fmt.Sprintf("%+v", wantReply) {
		t.Errorf("reply item:\n%+v\nwant\n%+v", rp.Items, wantReply)
	}
	if rp.Cursor != (fe2eCursor{IsEnd: true, ID: rid, Time: posted}) {
		t.Errorf("reply cursor %+v", rp.Cursor)
	}

	ap := fe2eAtPage(t, s, me, nil)
	wantAt := fe2eAtEntry{ID: aid, User: wantReply.User, AtTime: posted,
		Item: fe2eAtItem{Type: "dynamic", Business: "动态", BusinessID: 17, Title: "标题",
			Image: "https://i0.hdslb.com/bfs/x.jpg", URI: full["uri"].(string), SourceContent: "回复 @乙 :60",
			SourceID: 265141324256, TargetID: 265141324257, RootID: 265141324255, SubjectID: fe2eBigID,
			NativeURI: full["native_uri"].(string), AtDetails: []fe2eUser{at21}}}
	if len(ap.Items) != 1 || fmt.Sprintf("%+v", ap.Items[0]) != fmt.Sprintf("%+v", wantAt) {
		t.Errorf("@ item:\n%+v\nwant\n%+v", ap.Items, wantAt)
	}

	lp := fe2eLikePage(t, s, me, nil)
	wantLike := fe2eLikeEntry{ID: lid, Users: []fe2eUser{wantReply.User}, Counts: 1, LikeTime: posted,
		Item: fe2eLikeItem{ItemID: fe2eBigID, Type: "dynamic", Business: "动态", BusinessID: 17, Title: "标题",
			Desc: "描述", Image: "https://i0.hdslb.com/bfs/x.jpg", URI: full["uri"].(string),
			NativeURI: full["native_uri"].(string), Ctime: posted}}
	if len(lp.Total.Items) != 1 || fmt.Sprintf("%+v", lp.Total.Items[0]) != fmt.Sprintf("%+v", wantLike) {
		t.Errorf("like item:\n%+v\nwant\n%+v", lp.Total.Items, wantLike)
	}
	if lp.Latest.LastViewAt != fe2eNow(s) {
		t.Errorf("like feed: latest.last_view_at %d, want %d", lp.Latest.LastViewAt, fe2eNow(s))
	}

	// The 64-bit ids are exact JSON integers, and at_details is [] when nobody is
	// mentioned.
	for _, kind := range fe2eKinds {
		r := fe2eGet(t, s, me, kind, nil)
		if !strings.Contains(string(r.Body), "1073543151725051921") {
			t.Errorf("%s: the 64-bit id is not exact: %s", kind, r.Body)
		}
		if !strings.Contains(string(r.Body), fmt.Sprintf(`"id":%d`, map[string]uint64{"reply": rid, "at": aid, "like": lid}[kind])) {
			t.Errorf("%s: the item id is not a JSON integer: %s", kind, r.Body)
		}
	}
	fe2eMust(t, s, 10, "reply", fe2eNotice(21, 0))
	fe2eMust(t, s, 10, "at", fe2eNotice(21, 0))
	for _, kind := range []string{"reply", "at"} {
		if r := fe2eGet(t, s, me, kind, nil); !strings.Contains(string(r.Body), `"at_details":[]`) {
			t.Errorf("%s without mentions: %s", kind, r.Body)
		}
	}
	rp = fe2eReplyPage(t, s, me, nil)
	if it := rp.Items[0].Item; it.SubjectID != 0 || it.Desc != "" || it.NativeURI != "" || it.AtDetails == nil ||
		it.TopicDetails == nil || it.Danmu != nil {
		t.Errorf("a minimal reply: %+v", it)
	}
}

// --- system notifications ---

func TestFeedE2ESystemList(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	me := s.NewUser(10, "收件人")
	other := s.NewUser(11, "别人")
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
		ids = append(ids, fe2eMust(t, s, 10, "system", map[string]any{"title": fmt.Sprintf("通知%d", i),
			"content": fmt.Sprintf("内容%d", i), "type": i % 3, "link": fmt.Sprintf("https://www.bilibili.com/%d", i)}))
		times = append(times, s.App.FakeClock.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05"))
	}
	theirs := fe2eSystem(t, s, 11, "别人的")
	myReply := fe2eMust(t, s, 10, "reply", fe2eNotice(20, 0))
	if times[0] != "2024-06-02 16:00:00" || times[50] != "2024-06-03 00:00:00" {
		t.Fatalf("fixture times: %s, %s", times[0], times[50])
	}
	newest := fe2eReversed(ids)
	if n := fe2eUnread(t, s, me)["system"]; n != 55 {
		t.Errorf("unread sys_msg %d, want 55", n)
	}
	all := fe2eSysPage(t, s, me, url.Values{"page_size": {"50"}})
	if len(all) != 50 {
		t.Fatalf("page_size 50: %d", len(all))
	}
	for i, n := range all {
		k := 54 - i // posting index
		want := fe2eSys{ID: ids[k], Cursor: ids[k], Type: max(k%3, 1), Title: fmt.Sprintf("通知%d", k),
			Content: fmt.Sprintf("内容%d", k), TimeAt: times[k], CardLink: fmt.Sprintf("https://www.bilibili.com/%d", k),
			NotifyCursor: ids[k]}
		if n != want {
			t.Errorf("notice %d:\n%+v\nwant\n%+v", i, n, want)
		}
	}
	if n := fe2eUnread(t, s, me)["system"]; n != 0 {
		t.Errorf("after the first page: unread sys_msg %d", n)
	}
	ofPage := func(ns []fe2eSys) []uint64 {
		out := []uint64{}
		for _, n := range ns {
			out = append(out, n.ID)
		}
		return out
	}
	for _, c := range []struct {
		q    url.Values
		want []uint64
	}{
		{nil, newest[:20]},
		{url.Values{"page_size": {"7"}}, newest[:7]},
		{url.Values{"page_size": {"1"}}, newest[:1]},
		{url.Values{"page_size": {"0"}}, newest[:20]},
		{url.Values{"page_size": {""}}, newest[:20]},
		{url.Values{"page_size": {"51"}}, newest[:50]},
		{url.Values{"page_size": {"1000000"}}, newest[:50]},
		{url.Values{"cursor": {"0"}}, newest[:20]},
		{url.Values{"cursor": {strconv.FormatUint(ids[54], 10)}}, newest[1:21]},
		{url.Values{"cursor": {strconv.FormatUint(ids[52], 10)}, "page_size": {"4"}}, newest[3:7]},
		{url.Values{"cursor": {strconv.FormatUint(ids[3], 10)}}, newest[52:]},
		{url.Values{"cursor": {strconv.FormatUint(ids[0], 10)}}, []uint64{}},
		// Not one of my notifications: nothing after it.
		{url.Values{"cursor": {strconv.FormatUint(theirs, 10)}}, []uint64{}},
		{url.Values{"cursor": {strconv.FormatUint(myReply, 10)}}, []uint64{}},
		{url.Values{"cursor": {"1"}}, []uint64{}},
		{url.Values{"cursor": {"18446744073709551615"}}, []uint64{}},
	} {
		if got := ofPage(fe2eSysPage(t, s, me, c.q)); !slices.Equal(got, c.want) {
			t.Errorf("query_notify_list?%s: %v\nwant %v", c.q.Encode(), got, c.want)
		}
	}
	// Paging by the last id: 20, 20, 15, then nothing.
	var seen []uint64
	var sizes []int
	q := url.Values{"page_size": {"20"}}
	for len(sizes) < 6 {
		page := ofPage(fe2eSysPage(t, s, me, q))
		sizes = append(sizes, len(page))
		if len(page) == 0 {
			break
		}
		seen = append(seen, page...)
		q.Set("cursor", strconv.FormatUint(page[len(page)-1], 10))
	}
	if !slices.Equal(sizes, []int{20, 20, 15, 0}) || !slices.Equal(seen, newest) {
		t.Errorf("paging: sizes %v, items %v\nwant [20 20 15 0], %v", sizes, seen, newest)
	}
	// Pages with a cursor mark nothing; the first page does.
	fe2eSystem(t, s, 10, "新的")
	fe2eSysPage(t, s, me, url.Values{"cursor": {strconv.FormatUint(ids[54], 10)}})
	if n := fe2eUnread(t, s, me)["system"]; n != 1 {
		t.Errorf("after a page with a cursor: unread %d, want 1", n)
	}
	// The other user sees only their own.
	if got := ofPage(fe2eSysPage(t, s, other, nil)); !slices.Equal(got, []uint64{theirs}) {
		t.Errorf("the other user's list: %v", got)
	}
	// Bad page parameters.
	for _, q := range []url.Values{{"page_size": {"-1"}}, {"page_size": {"x"}}, {"cursor": {"-1"}}, {"cursor": {"x"}}} {
		if c := fe2eGet(t, s, me, "system", q).Code(t); c != -400 {
			t.Errorf("query_notify_list?%s: code %d, want -400", q.Encode(), c)
		}
	}
	if c := s.Get(testkit.User{}, fe2eSysList, nil).Code(t); c != -101 {
		t.Errorf("query_notify_list without SESSDATA: code %d", c)
	}
}

// --- settings ---

func TestFeedE2ESettingsFilter(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
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
		me := s.NewUser(owner, fmt.Sprintf("收件人%d", i))
		s.Follow(owner, followed, true)
		s.Follow(unfollowed, owner, true) // being followed by them is not following them
		if c.prefs != nil {
			s.SetPrefs(me, c.prefs)
		}
		name := fmt.Sprint(c.prefs)
		wantIDs := map[string][]uint64{"reply": {}, "at": {}, "like": {}}
		for _, kind := range fe2eKinds {
			for j, actor := range []uint64{followed, unfollowed} {
				id, ok := fe2ePost(t, s, owner, kind, fe2eNotice(actor, uint64(j+1)))
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
		fe2eSystem(t, s, owner, "系统")
		got := fe2eUnread(t, s, me)
		for _, kind := range fe2eKinds {
			if got[kind] != int64(len(wantIDs[kind])) {
				t.Errorf("%s: unread %s %d, want %d", name, kind, got[kind], len(wantIDs[kind]))
			}
			if ids := fe2eRead(t, s, me, kind, nil).IDs; !slices.Equal(ids, wantIDs[kind]) {
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
	me := s.NewUser(10, "收件人")
	s.NewUser(20, "甲")
	s.NewUser(21, "乙")
	// 乙 liked comment 1 before being blocked.
	agg := fe2eMust(t, s, 10, "like", fe2eNotice(21, 1))
	s.Follow(10, 21, true)
	s.Block(10, 21, true)
	for _, kind := range fe2eKinds {
		if id, ok := fe2ePost(t, s, 10, kind, fe2eNotice(21, 1)); ok || id != 0 {
			t.Errorf("%s from a blocked actor: id %d delivered %v", kind, id, ok)
		}
	}
	// Someone else mentioning the blocked user is not from them.
	withBlocked := fe2eNotice(20, 0)
	withBlocked["at_mids"] = []uint64{21}
	fe2eMust(t, s, 10, "reply", withBlocked)
	fe2eSystem(t, s, 10, "系统")
	if got, want := fe2eUnread(t, s, me), map[string]int64{"reply": 1, "at": 0, "like": 1, "system": 1}; !maps.Equal(got, want) {
		t.Errorf("unread %v, want %v", got, want)
	}
	lp := fe2eLikePage(t, s, me, nil)
	if len(lp.Total.Items) != 1 || lp.Total.Items[0].Counts != 1 {
		t.Errorf("a dropped like changed the aggregated item: %+v", lp.Total.Items)
	}
	// The settings' drops do not touch an aggregated item either.
	s.SetPrefs(me, map[string]int{"set_recv_like": 2})
	if _, ok := fe2ePost(t, s, 10, "like", fe2eNotice(20, 1)); ok {
		t.Errorf("like with set_recv_like 2 delivered")
	}
	s.SetPrefs(me, map[string]int{"set_recv_like": 0})
	lp = fe2eLikePage(t, s, me, nil)
	if len(lp.Total.Items) != 1 || lp.Total.Items[0].Counts != 1 || !slices.Equal(fe2eMids(lp.Total.Items[0].Users), []uint64{21}) {
		t.Errorf("dropped likes changed the aggregated item: %+v", lp.Total.Items)
	}
	// Unblocked, their notices arrive again.
	s.Block(10, 21, false)
	for _, kind := range fe2eKinds {
		if _, ok := fe2ePost(t, s, 10, kind, fe2eNotice(21, 1)); !ok {
			t.Errorf("%s after unblocking: not delivered", kind)
		}
	}
	// The like renews the aggregated item: one item, with a new id.
	if id := fe2eRead(t, s, me, "like", nil).IDs; len(id) != 1 || id[0] <= agg {
		t.Errorf("like feed after unblocking: %v, want one item renewed after %d", id, agg)
	}
}

// --- two users ---

func TestFeedE2ETwoUsers(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	a := s.NewUser(10, "甲方")
	b := s.NewUser(11, "乙方")
	s.NewUser(20, "路人")
	mine := map[string]uint64{}
	theirs := map[string]uint64{}
	for _, kind := range []string{"reply", "at", "like", "system"} {
		mine[kind] = fe2ePostAny(t, s, 10, kind, 20, 7)
		s.Advance(time.Second)
		theirs[kind] = fe2ePostAny(t, s, 11, kind, 20, 7) // the same thing liked: another user's item
		s.Advance(time.Second)
	}
	one := map[string]int64{"reply": 1, "at": 1, "like": 1, "system": 1}
	for _, u := range []testkit.User{a, b} {
		if got := fe2eUnread(t, s, u); !maps.Equal(got, one) {
			t.Errorf("user %d: unread %v", u.Mid, got)
		}
	}
	// Reading my feeds reads only mine.
	for _, kind := range []string{"reply", "at", "like", "system"} {
		if ids, _ := fe2eFirst(t, s, a, kind, nil); !slices.Equal(ids, []uint64{mine[kind]}) {
			t.Errorf("%s feed of %d: %v, want [%d]", kind, a.Mid, ids, mine[kind])
		}
	}
	if got := fe2eUnread(t, s, a); !maps.Equal(got, map[string]int64{"reply": 0, "at": 0, "like": 0, "system": 0}) {
		t.Errorf("user %d after reading: %v", a.Mid, got)
	}
	if got := fe2eUnread(t, s, b); !maps.Equal(got, one) {
		t.Errorf("user %d after the other read: %v", b.Mid, got)
	}
	// The same comment liked for both is two items, each counting its own likes.
	s.Advance(time.Second)
	fe2eMust(t, s, 11, "like", fe2eNotice(20, 7))
	la, lb := fe2eLikePage(t, s, a, nil), fe2eLikePage(t, s, b, nil)
	// 20 liked it for b before: b's item is renewed but still counts one person.
	if la.Total.Items[0].ID == lb.Total.Items[0].ID || la.Total.Items[0].Counts != 1 || lb.Total.Items[0].Counts != 1 {
		t.Errorf("likes of the same thing for two users: %+v / %+v", la.Total.Items, lb.Total.Items)
	}
	// The other's item as my cursor shows nothing of theirs.
	for _, kind := range fe2eKinds {
		theirTime := fe2eRead(t, s, b, kind, nil).Times[0]
		p := fe2eRead(t, s, a, kind, fe2eAfter(kind, fe2eCursor{ID: theirs[kind], Time: theirTime}))
		for _, id := range p.IDs {
			if id != mine[kind] {
				t.Errorf("%s feed of %d with the other's cursor shows %d", kind, a.Mid, id)
			}
		}
	}
	if got := fe2eSysPage(t, s, a, url.Values{"cursor": {strconv.FormatUint(theirs["system"], 10)}}); len(got) != 0 {
		t.Errorf("system list of %d after the other's notice: %+v", a.Mid, got)
	}
}
