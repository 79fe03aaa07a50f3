package wire_test

// Golden tests for the notification feeds (docs/feed.md; catalog §5 N1, N2, §7, §9 items
// 6, 7, 41): both N1 URLs, 回复我的, @我的, 收到的赞 and 系统通知. The cases are appended to
// goldenCases (golden_test.go), so they run in TestGolden, their files live in
// testdata/golden/ with the others and TestGoldenCoverage sees one case per feed route;
// catalogShape hands the feed endpoints to fdShape, which checks what docs/feed.md and
// the catalog pin (key order, JSON types, [] vs null, constant fields) independently of
// the golden files.
//
// The world is deterministic: fixed mids, the fake clock at testkit.Epoch, and feed item
// ids assigned from 800000000000001 in a fresh store.
//
// Rewrite the golden files with: go test ./internal/wire/ -run TestGolden -update
// and review every changed file against docs/feed.md before keeping it.

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/internal/testkit"
)

// The feed routes (docs/feed.md). testkit has no constants for them yet.
const (
	fdPathUnreadOld = "/x/msgfeed/unread"
	fdPathUnreadNew = "/x/im/web/msgfeed/unread"
	fdPathReply     = "/x/msgfeed/reply"
	fdPathAt        = "/x/msgfeed/at"
	fdPathLike      = "/x/msgfeed/like"
	fdPathSystem    = "/x/sys-msg/query_notify_list"
)

// fdEndpoints are the golden endpoint keys of the feed routes (endpointAliases for the
// first five); all are of the x family (catalog §8.3).
var fdEndpoints = []string{"msgfeed_unread_old", "msgfeed_unread_new", "msgfeed_reply", "msgfeed_at", "msgfeed_like",
	"query_notify_list"}

func init() { goldenCases = append(goldenCases, fdGoldenCases...) }

// ---------------------------------------------------------------------------------------
// What docs/feed.md pins about the shapes, written out independently of the handlers.

var (
	// N1: all twelve on the new URL, all but sys_msg_style on the old one (§9 item 7).
	fdUnreadKeys = []string{"at", "chat", "coin", "danmu", "favorite", "like", "recv_like", "recv_reply", "reply",
		"sys_msg", "sys_msg_style", "up"}
	fdPageKeys   = []string{"cursor", "items", "last_view_at"}
	fdCursorKeys = []string{"is_end", "id", "time"}
	fdUserKeys   = []string{"mid", "fans", "nickname", "avatar", "mid_link", "follow"}
	// N2.
	fdReplyEntryKeys = []string{"id", "user", "item", "counts", "is_multi", "reply_time"}
	fdReplyItemKeys  = []string{"subject_id", "root_id", "source_id", "target_id", "type", "business_id", "business",
		"title", "desc", "image", "uri", "native_uri", "detail_title", "root_reply_content", "source_content",
		"target_reply_content", "at_details", "topic_details", "hide_reply_button", "hide_like_button", "like_state",
		"danmu", "message"}
	// @我的.
	fdAtEntryKeys = []string{"id", "user", "item", "at_time"}
	fdAtItemKeys  = []string{"type", "business", "business_id", "title", "image", "uri", "source_content", "source_id",
		"target_id", "root_id", "subject_id", "native_uri", "at_details"}
	// 收到的赞.
	fdLikeDataKeys  = []string{"latest", "total"}
	fdLikeEntryKeys = []string{"id", "users", "item", "counts", "like_time", "notice_state"}
	fdLikeItemKeys  = []string{"item_id", "pid", "type", "business", "business_id", "reply_business_id",
		"like_business_id", "title", "desc", "image", "uri", "detail_name", "native_uri", "ctime"}
	// 系统通知.
	fdSysKeys = []string{"id", "cursor", "publisher", "type", "title", "content", "source", "time_at", "card_type",
		"card_brief", "card_msg_brief", "card_cover", "card_story_title", "card_link", "mc", "is_station", "is_send",
		"notify_cursor"}
	fdTimeAt = regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$`)
)

// fdChina is bilibili's display clock (UTC+8, no daylight saving), for time_at.
var fdChina = time.FixedZone("UTC+8", 8*3600)

// fdUintLit reads a JSON integer as a uint64 (exactly: no float on the way).
func fdUintLit(t *testing.T, where string, n *jnode) uint64 {
	t.Helper()
	if n == nil || n.kind != 'n' {
		t.Errorf("%s must be a number, got %+v", where, n)
		return 0
	}
	v, err := strconv.ParseUint(string(n.num), 10, 64)
	if err != nil {
		t.Errorf("%s = %s: want an unsigned integer literal", where, n.num)
	}
	return v
}

// fdWantConst asserts n is the JSON literal lit ("0", `""`, "null", "false"…).
func fdWantConst(t *testing.T, where string, n *jnode, lit string) {
	t.Helper()
	var ok bool
	switch {
	case n == nil:
	case lit == "null":
		ok = n.kind == 'z'
	case lit == "false" || lit == "true":
		ok = n.kind == 'b' && n.b == (lit == "true")
	case lit == `""`:
		ok = n.kind == 's' && n.str == ""
	case lit == "[]":
		ok = n.kind == 'a' && len(n.arr) == 0
	default:
		ok = n.kind == 'n' && string(n.num) == lit
	}
	if !ok {
		t.Errorf("%s must be %s, got %+v", where, lit, n)
	}
}

func fdWantStr(t *testing.T, where string, n *jnode) {
	t.Helper()
	if n == nil || n.kind != 's' {
		t.Errorf("%s must be a string, got %+v", where, n)
	}
}

// fdWantUser checks a feed user object (N2's user).
func fdWantUser(t *testing.T, where string, u *jnode) {
	t.Helper()
	if !wantKeys(t, where, u, fdUserKeys) {
		return
	}
	if fdUintLit(t, where+".mid", u.get("mid")) == 0 {
		t.Errorf("%s.mid must not be 0", where)
	}
	fdWantConst(t, where+".fans", u.get("fans"), "0")
	fdWantStr(t, where+".nickname", u.get("nickname"))
	fdWantStr(t, where+".avatar", u.get("avatar"))
	fdWantConst(t, where+".mid_link", u.get("mid_link"), `""`)
	wantBool(t, where+".follow", u.get("follow"))
}

// fdWantUsers checks an array of users: an array, never null.
func fdWantUsers(t *testing.T, where string, a *jnode) {
	t.Helper()
	if a == nil || a.kind != 'a' {
		t.Errorf("%s must be an array ([] when none), got %+v", where, a)
		return
	}
	for i, u := range a.arr {
		fdWantUser(t, fmt.Sprintf("%s[%d]", where, i), u)
	}
}

// fdWantCursor checks a page's cursor against its items: {"is_end":true,"id":0,"time":0}
// when empty, else the last (oldest) item's id and time; items newest first by (time, id).
func fdWantCursor(t *testing.T, cursor, items *jnode, timeKey string) {
	t.Helper()
	if !wantKeys(t, "cursor", cursor, fdCursorKeys) {
		return
	}
	wantBool(t, "cursor.is_end", cursor.get("is_end"))
	if items == nil || items.kind != 'a' {
		t.Errorf("items must be an array ([] when empty), got %+v", items)
		return
	}
	id, tm := fdUintLit(t, "cursor.id", cursor.get("id")), fdUintLit(t, "cursor.time", cursor.get("time"))
	if len(items.arr) == 0 {
		if !cursor.get("is_end").b || id != 0 || tm != 0 {
			t.Errorf("an empty page has the cursor {is_end: true, id: 0, time: 0}")
		}
		return
	}
	type key struct{ tm, id uint64 }
	var prev key
	for i, it := range items.arr {
		k := key{fdUintLit(t, "items.time", it.get(timeKey)), fdUintLit(t, "items.id", it.get("id"))}
		if i > 0 && (k.tm > prev.tm || (k.tm == prev.tm && k.id >= prev.id)) {
			t.Errorf("items[%d]: not strictly older than the item before (newest first by (time, id))", i)
		}
		prev = k
	}
	if id != prev.id || tm != prev.tm {
		t.Errorf("cursor (%d, %d) must be the last item's (%d, %d)", id, tm, prev.id, prev.tm)
	}
	if len(items.arr) > 20 {
		t.Errorf("%d items: 20 per page", len(items.arr))
	}
}

// fdShape checks a feed endpoint's data against docs/feed.md and the catalog; it reports
// whether endpoint is a feed endpoint.
func fdShape(t *testing.T, endpoint string, data *jnode) bool {
	t.Helper()
	switch endpoint {
	case "msgfeed_unread_old", "msgfeed_unread_new":
		newURL := endpoint == "msgfeed_unread_new"
		opt := []string{}
		if !newURL {
			opt = append(opt, "sys_msg_style")
		}
		if !wantKeys(t, "data", data, fdUnreadKeys, opt...) {
			return true
		}
		if !newURL && data.has("sys_msg_style") {
			t.Errorf("the old URL has no sys_msg_style (§9 item 7)")
		}
		for _, k := range data.keys {
			fdUintLit(t, "data."+k, data.get(k))
		}
		for _, k := range []string{"chat", "coin", "danmu", "favorite", "up"} {
			fdWantConst(t, "data."+k, data.get(k), "0") // no producers (docs/feed.md)
		}
		if newURL {
			fdWantConst(t, "data.sys_msg_style", data.get("sys_msg_style"), "1")
		}
		if data.get("recv_like").num != data.get("like").num {
			t.Errorf("recv_like must equal like")
		}
		if data.get("recv_reply").num != data.get("reply").num {
			t.Errorf("recv_reply must equal reply (the seed's reading, §9 item 6)")
		}
	case "msgfeed_reply":
		if !wantKeys(t, "data", data, fdPageKeys) {
			return true
		}
		fdUintLit(t, "data.last_view_at", data.get("last_view_at"))
		items := data.get("items")
		fdWantCursor(t, data.get("cursor"), items, "reply_time")
		for i, it := range items.arr {
			w := fmt.Sprintf("data.items[%d]", i)
			if !wantKeys(t, w, it, fdReplyEntryKeys) {
				continue
			}
			fdWantUser(t, w+".user", it.get("user"))
			fdWantConst(t, w+".counts", it.get("counts"), "1")
			fdWantConst(t, w+".is_multi", it.get("is_multi"), "0")
			x := it.get("item")
			if !wantKeys(t, w+".item", x, fdReplyItemKeys) {
				continue
			}
			for _, k := range []string{"subject_id", "root_id", "source_id", "target_id", "business_id"} {
				fdUintLit(t, w+".item."+k, x.get(k))
			}
			for _, k := range []string{"type", "business", "title", "desc", "image", "uri", "native_uri",
				"root_reply_content", "source_content", "target_reply_content"} {
				fdWantStr(t, w+".item."+k, x.get(k))
			}
			fdWantConst(t, w+".item.detail_title", x.get("detail_title"), `""`)
			fdWantUsers(t, w+".item.at_details", x.get("at_details"))
			fdWantConst(t, w+".item.topic_details", x.get("topic_details"), "[]")
			fdWantConst(t, w+".item.hide_reply_button", x.get("hide_reply_button"), "false")
			fdWantConst(t, w+".item.hide_like_button", x.get("hide_like_button"), "false")
			fdWantConst(t, w+".item.like_state", x.get("like_state"), "0")
			fdWantConst(t, w+".item.danmu", x.get("danmu"), "null")
			fdWantConst(t, w+".item.message", x.get("message"), `""`)
		}
	case "msgfeed_at":
		if !wantKeys(t, "data", data, fdPageKeys) {
			return true
		}
		fdUintLit(t, "data.last_view_at", data.get("last_view_at"))
		items := data.get("items")
		fdWantCursor(t, data.get("cursor"), items, "at_time")
		for i, it := range items.arr {
			w := fmt.Sprintf("data.items[%d]", i)
			if !wantKeys(t, w, it, fdAtEntryKeys) {
				continue
			}
			fdWantUser(t, w+".user", it.get("user"))
			x := it.get("item")
			if !wantKeys(t, w+".item", x, fdAtItemKeys) {
				continue
			}
			for _, k := range []string{"business_id", "source_id", "target_id", "root_id", "subject_id"} {
				fdUintLit(t, w+".item."+k, x.get(k))
			}
			for _, k := range []string{"type", "business", "title", "image", "uri", "source_content", "native_uri"} {
				fdWantStr(t, w+".item."+k, x.get(k))
			}
			fdWantUsers(t, w+".item.at_details", x.get("at_details"))
		}
	case "msgfeed_like":
		if !wantKeys(t, "data", data, fdLikeDataKeys) {
			return true
		}
		latest, total := data.get("latest"), data.get("total")
		if wantKeys(t, "data.latest", latest, []string{"items", "last_view_at"}) {
			fdWantConst(t, "data.latest.items", latest.get("items"), "[]")
			fdUintLit(t, "data.latest.last_view_at", latest.get("last_view_at"))
		}
		if !wantKeys(t, "data.total", total, []string{"cursor", "items"}) {
			return true
		}
		items := total.get("items")
		fdWantCursor(t, total.get("cursor"), items, "like_time")
		for i, it := range items.arr {
			w := fmt.Sprintf("data.total.items[%d]", i)
			if !wantKeys(t, w, it, fdLikeEntryKeys) {
				continue
			}
			users := it.get("users")
			fdWantUsers(t, w+".users", users)
			n := fdUintLit(t, w+".counts", it.get("counts"))
			if users != nil && (len(users.arr) == 0 || len(users.arr) > 10 || uint64(len(users.arr)) > n) {
				t.Errorf("%s: %d users for counts %d: 1 to 10 of the likers", w, len(users.arr), n)
			}
			fdWantConst(t, w+".notice_state", it.get("notice_state"), "0")
			x := it.get("item")
			if !wantKeys(t, w+".item", x, fdLikeItemKeys) {
				continue
			}
			if fdUintLit(t, w+".item.item_id", x.get("item_id")) == 0 {
				t.Errorf("%s.item.item_id must not be 0", w)
			}
			for _, k := range []string{"business_id", "ctime"} {
				fdUintLit(t, w+".item."+k, x.get(k))
			}
			for _, k := range []string{"pid", "reply_business_id", "like_business_id"} {
				fdWantConst(t, w+".item."+k, x.get(k), "0")
			}
			fdWantConst(t, w+".item.detail_name", x.get("detail_name"), `""`)
			for _, k := range []string{"type", "business", "title", "desc", "image", "uri", "native_uri"} {
				fdWantStr(t, w+".item."+k, x.get(k))
			}
		}
	case "query_notify_list":
		if data == nil || data.kind != 'a' {
			t.Errorf("data must be the array of notifications ([] when none), got %+v", data)
			return true
		}
		var prev uint64
		for i, n := range data.arr {
			w := fmt.Sprintf("data[%d]", i)
			if !wantKeys(t, w, n, fdSysKeys) {
				continue
			}
			id := fdUintLit(t, w+".id", n.get("id"))
			if fdUintLit(t, w+".cursor", n.get("cursor")) != id || fdUintLit(t, w+".notify_cursor", n.get("notify_cursor")) != id {
				t.Errorf("%s: cursor and notify_cursor must equal id", w)
			}
			if i > 0 && id >= prev {
				t.Errorf("%s: newest first", w)
			}
			prev = id
			if p := n.get("publisher"); wantKeys(t, w+".publisher", p, []string{"name", "mid", "face"}) {
				fdWantConst(t, w+".publisher.name", p.get("name"), `""`)
				fdWantConst(t, w+".publisher.mid", p.get("mid"), "0")
				fdWantConst(t, w+".publisher.face", p.get("face"), `""`)
			}
			if s := n.get("source"); wantKeys(t, w+".source", s, []string{"name", "logo"}) {
				fdWantConst(t, w+".source.name", s.get("name"), `""`)
				fdWantConst(t, w+".source.logo", s.get("logo"), `""`)
			}
			fdUintLit(t, w+".type", n.get("type"))
			for _, k := range []string{"title", "content", "card_brief", "card_msg_brief", "card_cover", "card_link"} {
				fdWantStr(t, w+"."+k, n.get(k))
			}
			if ta := n.get("time_at"); ta == nil || !fdTimeAt.MatchString(ta.str) {
				t.Errorf("%s.time_at must be \"2006-01-02 15:04:05\", got %+v", w, ta)
			}
			for _, k := range []string{"card_type", "is_station", "is_send"} {
				fdWantConst(t, w+"."+k, n.get(k), "0")
			}
			fdWantConst(t, w+".card_story_title", n.get("card_story_title"), `""`)
			fdWantConst(t, w+".mc", n.get("mc"), `""`)
		}
	default:
		return false
	}
	return true
}

// ---------------------------------------------------------------------------------------
// The feed world.

const (
	fdMe    = 3001             // 咕咕鸽: the feeds' owner
	fdMing  = 3546910497441845 // 小明: a mid like the catalog's example; 咕咕鸽 follows him
	fdHong  = 3003             // 小红
	fdQiang = 3004             // 阿强
	fdOther = 3005             // 路人甲: has feeds of his own
)

// The catalog's N2 example (§5 N2).
const (
	fdSubject    uint64 = 1073543151725051921 // > 2^53
	fdSubjectStr        = "1073543151725051921"
	fdMingFace          = "https://i0.hdslb.com/bfs/face/5d2c92beb774a4bb30762538bb102d23670ae9c0.jpg"
)

// fdWorld: 咕咕鸽 (3001) follows 小明, whose face is set; 小红, 阿强 and 路人甲 have the
// default face. The clock stands at Epoch; nothing is in any feed yet.
type fdWorld struct {
	s                            *testkit.Server
	me, ming, hong, qiang, other testkit.User
}

func newFdWorld(t *testing.T) *fdWorld {
	t.Helper()
	s := testkit.Start(t, testkit.Options{})
	w := &fdWorld{s: s, me: s.NewUser(fdMe, "咕咕鸽"), ming: s.NewUser(fdMing, "小明"), hong: s.NewUser(fdHong, "小红"),
		qiang: s.NewUser(fdQiang, "阿强"), other: s.NewUser(fdOther, "路人甲")}
	if st := s.Admin("PATCH", fmt.Sprintf("/admin/v1/users/%d", uint64(fdMing)), map[string]any{"face": fdMingFace}, nil); st != 200 {
		t.Fatalf("set 小明's face: status %d", st)
	}
	s.Follow(fdMe, fdMing, true)
	return w
}

// fdNotify posts a notification of kind (reply, at, like, system) to mid through the
// operator API; it fails the test unless the answer is 200.
func fdNotify(t testing.TB, s *testkit.Server, mid uint64, kind string, body map[string]any) (id uint64, delivered bool) {
	t.Helper()
	var out struct {
		ID        uint64 `json:"id"`
		Delivered bool   `json:"delivered"`
	}
	if st := s.Admin("POST", fmt.Sprintf("/admin/v1/users/%d/notifications/%s", mid, kind), body, &out); st != 200 {
		t.Fatalf("post %s notification to %d: status %d", kind, mid, st)
	}
	if out.Delivered != (out.ID != 0) {
		t.Fatalf("post %s notification to %d: id %d, delivered %v", kind, mid, out.ID, out.Delivered)
	}
	return out.ID, out.Delivered
}

// fdMust posts a notification that must be delivered and returns its id.
func fdMust(t testing.TB, s *testkit.Server, mid uint64, kind string, body map[string]any) uint64 {
	t.Helper()
	id, ok := fdNotify(t, s, mid, kind, body)
	if !ok {
		t.Fatalf("the %s notification to %d was not delivered", kind, mid)
	}
	return id
}

// fdVideoReply is a reply notification: actor replied text under video BV1xx411c7mD.
func fdVideoReply(actor uint64, src uint64, text string) map[string]any {
	return map[string]any{"actor": actor, "type": "video", "business_id": 1, "business": "评论",
		"title": "【4K】夏日祭", "subject_id": 170001, "source_id": src, "root_id": src, "source_content": text,
		"uri":        "https://www.bilibili.com/video/BV1xx411c7mD",
		"native_uri": fmt.Sprintf("bilibili://video/170001?comment_root_id=%d&comment_on=1", src)}
}

// fdDynamicReply is the catalog's N2 example: a reply in a dynamic's comments.
func fdDynamicReply(actor uint64, text string, atMids ...uint64) map[string]any {
	b := map[string]any{"actor": actor, "type": "dynamic", "business_id": 17, "business": "动态",
		"title": "今天去看了海", "subject_id": fdSubject, "source_id": 265141324256, "source_content": text,
		"uri":        "https://www.bilibili.com/opus/" + fdSubjectStr + "#reply265141324256",
		"native_uri": "bilibili://opus/detail/" + fdSubjectStr + "?comment_root_id=265141324256&comment_on=1"}
	if len(atMids) > 0 {
		b["at_mids"] = atMids
	}
	return b
}

// fdLikeOf is actor's like of thing item_id of kind typ.
func fdLikeOf(actor uint64, typ string, itemID uint64, title string) map[string]any {
	b := map[string]any{"actor": actor, "type": typ, "item_id": itemID, "title": title}
	switch typ {
	case "reply":
		b["business"], b["business_id"] = "评论", 1
		b["uri"] = fmt.Sprintf("https://www.bilibili.com/video/BV1xx411c7mD#reply%d", itemID)
		b["native_uri"] = fmt.Sprintf("bilibili://comment/detail/1/170001/%d", itemID)
	case "video":
		b["business"], b["business_id"] = "视频", 1
		b["uri"] = "https://www.bilibili.com/video/BV1xx411c7mD"
		b["native_uri"] = fmt.Sprintf("bilibili://video/%d", itemID)
		b["image"] = "https://i0.hdslb.com/bfs/archive/a.jpg"
	}
	return b
}

// fdUnread returns u's N1 counts from url (fdPathUnreadOld or fdPathUnreadNew).
func fdUnread(t *testing.T, s *testkit.Server, u testkit.User, path string) map[string]int64 {
	t.Helper()
	r := s.Get(u, path, nil)
	mustCode(t, r, 0)
	d := mustParse(t, r.Body).get("data")
	out := map[string]int64{}
	for _, k := range d.keys {
		out[k] = num(t, d.get(k))
	}
	return out
}

// fdCounts are the four feeds' unread counts as both N1 URLs give them; it fails the
// test when the URLs disagree.
type fdCounts struct{ reply, at, like, sys int64 }

func fdUnreadBoth(t *testing.T, s *testkit.Server, u testkit.User) fdCounts {
	t.Helper()
	o, n := fdUnread(t, s, u, fdPathUnreadOld), fdUnread(t, s, u, fdPathUnreadNew)
	for k, v := range o {
		if n[k] != v {
			t.Errorf("N1 %s: old URL %d, new URL %d", k, v, n[k])
		}
	}
	return fdCounts{n["reply"], n["at"], n["like"], n["sys_msg"]}
}

func fdIDs(t *testing.T, items *jnode) []uint64 {
	t.Helper()
	var out []uint64
	if items != nil {
		for _, it := range items.arr {
			out = append(out, fdUintLit(t, "id", it.get("id")))
		}
	}
	return out
}

func fdEpoch(d time.Duration) int64 { return testkit.Epoch.Add(d).Unix() }

// fdCountsWorld: 咕咕鸽 has two unread replies, one unread @, three likes on two things
// (two unread items) and one unread system notification; the clock stands at Epoch+10s.
func fdCountsWorld(t *testing.T) *fdWorld {
	t.Helper()
	w := newFdWorld(t)
	s := w.s
	fdMust(t, s, fdMe, "reply", fdVideoReply(fdHong, 265141324001, "好看"))
	s.Advance(time.Second)
	fdMust(t, s, fdMe, "reply", fdDynamicReply(fdMing, "60"))
	s.Advance(time.Second)
	fdMust(t, s, fdMe, "at", fdDynamicReply(fdQiang, "@咕咕鸽 快来", fdMe))
	s.Advance(time.Second)
	fdMust(t, s, fdMe, "like", fdLikeOf(fdMing, "reply", 265141324001, "好看"))
	fdMust(t, s, fdMe, "like", fdLikeOf(fdHong, "reply", 265141324001, "好看"))
	fdMust(t, s, fdMe, "like", fdLikeOf(fdHong, "video", 170001, "【4K】夏日祭"))
	s.Advance(time.Second)
	fdMust(t, s, fdMe, "system", map[string]any{"title": "账号安全提醒", "content": "你的账号在新设备登录"})
	// Someone else's notifications count only for them.
	fdMust(t, s, fdOther, "reply", fdVideoReply(fdHong, 1, "别人的"))
	fdMust(t, s, fdOther, "system", map[string]any{"title": "别人的", "content": "别人的"})
	s.Advance(6 * time.Second)
	return w
}

// fdCountsCheck is the extra check of both N1 goldens: the counts of fdCountsWorld, the
// same on both URLs, and reading them marks nothing read.
func fdCountsCheck(w *fdWorld) func(*testing.T, *jnode) {
	return func(t *testing.T, root *jnode) {
		d := root.get("data")
		want := map[string]int64{"at": 1, "chat": 0, "like": 2, "recv_like": 2, "reply": 2, "recv_reply": 2, "sys_msg": 1}
		for k, v := range want {
			if got := num(t, d.get(k)); got != v {
				t.Errorf("%s = %d, want %d", k, got, v)
			}
		}
		if c := fdUnreadBoth(t, w.s, w.me); c != (fdCounts{2, 1, 2, 1}) {
			t.Errorf("counts %+v after reading N1 twice: N1 marks nothing read", c)
		}
	}
}

var fdGoldenCases = []goldenCase{
	// N1, both URLs (§9 items 6 and 7).
	{"msgfeed_unread_old_counts", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := fdCountsWorld(t)
		return w.s.Get(w.me, fdPathUnreadOld, q("build", "0", "mobi_app", "web")), fdCountsCheck(w)
	}},
	{"msgfeed_unread_new_counts", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := fdCountsWorld(t)
		return w.s.Get(w.me, fdPathUnreadNew, q("build", "0", "mobi_app", "web")), func(t *testing.T, root *jnode) {
			fdCountsCheck(w)(t, root)
			if num(t, root.get("data", "recv_reply")) == 3 {
				t.Errorf("recv_reply is reply (2), not reply + at (§9 item 6)")
			}
		}
	}},
	// N2: 小红 replied under a video at Epoch; 小明 (followed) replied "@小红 @阿强 60" in a
	// dynamic at Epoch+1s, the catalog's example with its subject_id above 2^53. Read at
	// Epoch+5s.
	{"msgfeed_reply_at_details", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newFdWorld(t)
		s := w.s
		first := fdMust(t, s, fdMe, "reply", fdVideoReply(fdHong, 265141324001, "好看[doge]"))
		s.Advance(time.Second)
		second := fdMust(t, s, fdMe, "reply", fdDynamicReply(fdMing, "@小红 @阿强 60", fdHong, fdQiang))
		s.Advance(4 * time.Second)
		if c := fdUnreadBoth(t, s, w.me); c.reply != 2 {
			t.Fatalf("reply unread %d before reading, want 2", c.reply)
		}
		return s.Get(w.me, fdPathReply, q("platform", "web", "build", "0", "mobi_app", "web", "web_location", "333.40164")),
			func(t *testing.T, root *jnode) {
				d := root.get("data")
				if ids := fdIDs(t, d.get("items")); !slices.Equal(ids, []uint64{second, first}) {
					t.Errorf("items %v, want %v (newest first)", ids, []uint64{second, first})
				}
				x := d.get("items", "0", "item")
				if x.get("subject_id").num != fdSubjectStr {
					t.Errorf("subject_id %s, want %s exactly", x.get("subject_id").num, fdSubjectStr)
				}
				var at []int64
				for _, u := range x.get("at_details").arr {
					at = append(at, num(t, u.get("mid")))
				}
				if !slices.Equal(at, []int64{fdHong, fdQiang}) {
					t.Errorf("at_details %v, want 小红 and 阿强", at)
				}
				u := d.get("items", "0", "user")
				if !u.get("follow").b || u.get("avatar").str != fdMingFace || u.get("nickname").str != "小明" ||
					u.get("mid").num != "3546910497441845" {
					t.Errorf("小明 as the feed shows him: followed, his face and name")
				}
				if d.get("items", "1", "user", "follow").b {
					t.Errorf("咕咕鸽 does not follow 小红")
				}
				if num(t, d.get("last_view_at")) != fdEpoch(5*time.Second) || num(t, d.get("items", "1", "reply_time")) != fdEpoch(0) {
					t.Errorf("last_view_at is now (the first page is a view); reply_time the reply's second")
				}
				if c := fdUnreadBoth(t, s, w.me); c.reply != 0 {
					t.Errorf("reply unread %d after the first page, want 0", c.reply)
				}
			}
	}},
	// N2, nothing for me (路人甲 has a reply): an empty page.
	{"msgfeed_reply_empty", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newFdWorld(t)
		fdMust(t, w.s, fdOther, "reply", fdVideoReply(fdHong, 1, "别人的"))
		w.s.Advance(3 * time.Second)
		return w.s.Get(w.me, fdPathReply, nil), func(t *testing.T, root *jnode) {
			d := root.get("data")
			if len(d.get("items").arr) != 0 || num(t, d.get("last_view_at")) != fdEpoch(3*time.Second) {
				t.Errorf("an empty page viewed now")
			}
		}
	}},
	// N2, a second page: 12 replies at Epoch+1s and 10 at Epoch+2s; the first page (read at
	// Epoch+3s) ends inside the first second, so the second page starts at the same
	// second with smaller ids (§9 item 41). A 23rd reply comes at Epoch+5s; the second page
	// is read at Epoch+10s.
	{"msgfeed_reply_page2", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newFdWorld(t)
		s := w.s
		var all []uint64
		for i := range 22 {
			if i == 0 || i == 12 {
				s.Advance(time.Second)
			}
			actor := []uint64{fdMing, fdHong, fdQiang}[i%3]
			all = append(all, fdMust(t, s, fdMe, "reply", fdVideoReply(actor, uint64(265141324100+i), fmt.Sprintf("第%d楼", i+1))))
		}
		s.Advance(time.Second)
		p1 := mustParse(t, s.Get(w.me, fdPathReply, nil).Body).get("data")
		c := p1.get("cursor")
		if c.get("is_end").b || len(p1.get("items").arr) != 20 || num(t, c.get("time")) != fdEpoch(time.Second) {
			t.Fatalf("first page: 20 items, is_end false, ending at Epoch+1s: %v", fdIDs(t, p1.get("items")))
		}
		s.Advance(2 * time.Second)
		late := fdMust(t, s, fdMe, "reply", fdVideoReply(fdQiang, 265141324999, "来晚了"))
		s.Advance(5 * time.Second)
		r := s.Get(w.me, fdPathReply, q("id", string(c.get("id").num), "reply_time", string(c.get("time").num),
			"platform", "web", "build", "0", "mobi_app", "web"))
		return r, func(t *testing.T, root *jnode) {
			d := root.get("data")
			got := append(fdIDs(t, p1.get("items")), fdIDs(t, d.get("items"))...)
			want := slices.Clone(all)
			slices.Reverse(want)
			if !slices.Equal(got, want) {
				t.Errorf("the two pages %v, want every reply once, newest first %v", got, want)
			}
			if !d.get("cursor", "is_end").b {
				t.Errorf("the second page is the last")
			}
			if num(t, d.get("last_view_at")) != fdEpoch(3*time.Second) {
				t.Errorf("last_view_at %d: the first page's view (Epoch+3s), not now", num(t, d.get("last_view_at")))
			}
			if slices.Contains(got, late) {
				t.Errorf("the reply after the first page is newer than the cursor")
			}
			if c := fdUnreadBoth(t, s, w.me); c.reply != 1 {
				t.Errorf("reply unread %d: a later page marks nothing read (the late reply stays unread)", c.reply)
			}
		}
	}},
	// @我的: 阿强 mentioned nobody else in a video comment at Epoch; 小明 mentioned 咕咕鸽 and
	// 小红 in a dynamic's comments at Epoch+2s. Read at Epoch+3s.
	{"msgfeed_at_basic", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newFdWorld(t)
		s := w.s
		a := fdMust(t, s, fdMe, "at", map[string]any{"actor": fdQiang, "type": "reply", "business_id": 1, "business": "评论",
			"title": "【4K】夏日祭", "subject_id": 170001, "source_id": 265141324500, "root_id": 265141324400,
			"target_id": 265141324450, "source_content": "回复 @小红 :@咕咕鸽 来看", "uri": "https://www.bilibili.com/video/BV1xx411c7mD",
			"native_uri": "bilibili://video/170001?comment_root_id=265141324400&comment_secondary_id=265141324500"})
		s.Advance(2 * time.Second)
		b := fdMust(t, s, fdMe, "at", fdDynamicReply(fdMing, "@咕咕鸽 @小红 一起去", fdMe, fdHong))
		s.Advance(time.Second)
		fdMust(t, s, fdOther, "at", fdDynamicReply(fdMing, "@路人甲"))
		return s.Get(w.me, fdPathAt, q("platform", "web", "build", "0", "mobi_app", "web")), func(t *testing.T, root *jnode) {
			d := root.get("data")
			if ids := fdIDs(t, d.get("items")); !slices.Equal(ids, []uint64{b, a}) {
				t.Errorf("items %v, want %v", ids, []uint64{b, a})
			}
			if n := len(d.get("items", "0", "item", "at_details").arr); n != 2 {
				t.Errorf("at_details of 小明's mention: %d users, want 2", n)
			}
			if d.get("items", "0", "item", "subject_id").num != fdSubjectStr || num(t, d.get("items", "1", "at_time")) != fdEpoch(0) {
				t.Errorf("subject_id exact, at_time the mention's second")
			}
			if c := fdUnreadBoth(t, s, w.me); c.at != 0 {
				t.Errorf("at unread %d after the first page", c.at)
			}
		}
	}},
	// 收到的赞: my comment 265141324001 liked by 小明 (Epoch), 小红 (Epoch+1s) and 阿强
	// (Epoch+3s): one item, counts 3, users newest first; my video liked by 小红 at
	// Epoch+2s. Read at Epoch+4s.
	{"msgfeed_like_aggregated", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newFdWorld(t)
		s := w.s
		fdMust(t, s, fdMe, "like", fdLikeOf(fdMing, "reply", 265141324001, "好看[doge]"))
		s.Advance(time.Second)
		fdMust(t, s, fdMe, "like", fdLikeOf(fdHong, "reply", 265141324001, "好看[doge]"))
		s.Advance(time.Second)
		video := fdMust(t, s, fdMe, "like", fdLikeOf(fdHong, "video", 170001, "【4K】夏日祭"))
		s.Advance(time.Second)
		comment := fdMust(t, s, fdMe, "like", fdLikeOf(fdQiang, "reply", 265141324001, "好看[doge]"))
		s.Advance(time.Second)
		if c := fdUnreadBoth(t, s, w.me); c.like != 2 {
			t.Fatalf("like unread %d, want 2 (one per item)", c.like)
		}
		return s.Get(w.me, fdPathLike, q("platform", "web", "build", "0", "mobi_app", "web")), func(t *testing.T, root *jnode) {
			d := root.get("data")
			items := d.get("total", "items")
			// The producer's answers name the items as the feed shows them.
			if ids := fdIDs(t, items); !slices.Equal(ids, []uint64{comment, video}) {
				t.Fatalf("items %v, want the comment (latest like: %d) then the video (%d)", ids, comment, video)
			}
			var likers []int64
			for _, u := range items.get("0", "users").arr {
				likers = append(likers, num(t, u.get("mid")))
			}
			if !slices.Equal(likers, []int64{fdQiang, fdHong, fdMing}) || num(t, items.get("0", "counts")) != 3 {
				t.Errorf("likers %v counts %d: 阿强, 小红, 小明 (newest first), 3", likers, num(t, items.get("0", "counts")))
			}
			if num(t, items.get("0", "like_time")) != fdEpoch(3*time.Second) || num(t, items.get("1", "counts")) != 1 {
				t.Errorf("like_time is the latest like; the video has one like")
			}
			if items.get("0", "item", "item_id").num != "265141324001" || items.get("0", "item", "type").str != "reply" {
				t.Errorf("item_id and type as posted")
			}
			if num(t, d.get("latest", "last_view_at")) != fdEpoch(4*time.Second) {
				t.Errorf("last_view_at is now")
			}
			if c := fdUnreadBoth(t, s, w.me); c.like != 0 {
				t.Errorf("like unread %d after the first page", c.like)
			}
		}
	}},
	// 系统通知: one at Epoch (08:00 UTC: 16:00 in China) with the default type, one at
	// Epoch+9h (17:00 UTC: the next day 01:00 in China) with type 2 and a link.
	{"query_notify_list_basic", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newFdWorld(t)
		s := w.s
		a := fdMust(t, s, fdMe, "system", map[string]any{"title": "账号安全提醒",
			"content": "你的账号于2024-06-02 16:00在新设备登录，如非本人操作请及时修改密码。"})
		s.Advance(9 * time.Hour)
		b := fdMust(t, s, fdMe, "system", map[string]any{"title": "【活动】夏日祭开幕", "content": "夏日祭投稿活动已开始，快来参加吧～",
			"type": 2, "link": "https://www.bilibili.com/blackboard/activity-summer.html"})
		fdMust(t, s, fdOther, "system", map[string]any{"title": "别人的通知", "content": "别人的"})
		s.Advance(time.Minute)
		return s.Get(w.me, fdPathSystem, q("page_size", "20", "build", "0", "mobi_app", "web")), func(t *testing.T, root *jnode) {
			d := root.get("data")
			if ids := fdIDs(t, d); !slices.Equal(ids, []uint64{b, a}) {
				t.Fatalf("notifications %v, want %v", ids, []uint64{b, a})
			}
			for i, at := range []time.Time{testkit.Epoch.Add(9 * time.Hour), testkit.Epoch} {
				if got, want := d.get(strconv.Itoa(i), "time_at").str, at.In(fdChina).Format("2006-01-02 15:04:05"); got != want {
					t.Errorf("time_at %q, want %q (China time)", got, want)
				}
			}
			if d.get("0", "time_at").str != "2024-06-03 01:00:00" {
				t.Errorf("17:00 UTC is the next day in China")
			}
			if num(t, d.get("1", "type")) != 1 || num(t, d.get("0", "type")) != 2 {
				t.Errorf("type: 1 unless given")
			}
			if d.get("0", "card_link").str != "https://www.bilibili.com/blackboard/activity-summer.html" || d.get("1", "card_link").str != "" {
				t.Errorf("card_link is the notification's link")
			}
			if c := fdUnreadBoth(t, s, w.me); c.sys != 0 {
				t.Errorf("sys_msg unread %d after the first page", c.sys)
			}
		}
	}},
}

// fdCursorQuery is a page request after (tm, id) with the feed's parameter names.
func fdCursorQuery(idName, timeName string, id uint64, tm int64) url.Values {
	return q(idName, strconv.FormatUint(id, 10), timeName, strconv.FormatInt(tm, 10))
}
