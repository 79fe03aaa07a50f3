package admin_test

// Operator API tests of the notification producers (internal/admin/feed.go,
// docs/operator-api.md "Notifications"). What the producers did is read back through
// the bilibili feed endpoints (docs/feed.md).

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bilimsg/bilimsg/internal/testkit"
)

type notice struct {
	ID        uint64 `json:"id"`
	Delivered bool   `json:"delivered"`
}

func notifyPath(mid uint64, kind string) string {
	return fmt.Sprintf("/admin/v1/users/%d/notifications/%s", mid, kind)
}

// notify posts body (a JSON text) to mid's feed kind and expects status; on 200 it
// returns the answer, which must have exactly the fields id and delivered.
func notify(t *testing.T, s *testkit.Server, mid uint64, kind, body string, status int) notice {
	t.Helper()
	r := do(t, s, "POST", notifyPath(mid, kind), body)
	var n notice
	want(t, r, status, &n)
	if status == 200 {
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(r.body, &keys); err != nil || len(keys) != 2 {
			t.Errorf("answer must be {\"id\", \"delivered\"}: %s", r.body)
		}
		if n.Delivered != (n.ID != 0) {
			t.Errorf("delivered %v with id %d", n.Delivered, n.ID)
		}
	}
	return n
}

// noticeBody is a complete reply / @ / like notice from actor.
func noticeBody(actor uint64, extra map[string]any) string {
	b := map[string]any{"actor": actor, "type": "reply", "business_id": 1, "business": "评论", "title": "我的视频",
		"uri": "https://www.bilibili.com/video/BV1xx411c7mD", "source_content": "说得好", "subject_id": 1073543151725051921}
	for k, v := range extra {
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
	}
	return mustJSON(b)
}

// feedCounts is viewer's N1 (new URL): reply, at, like, sys_msg.
func feedCounts(t *testing.T, s *testkit.Server, viewer testkit.User) [4]int64 {
	t.Helper()
	r := s.Get(viewer, "/x/im/web/msgfeed/unread", nil)
	if c := r.Code(t); c != 0 {
		t.Fatalf("msgfeed/unread as %d: code %d: %s", viewer.Mid, c, r.Body)
	}
	var d struct {
		Reply  int64 `json:"reply"`
		At     int64 `json:"at"`
		Like   int64 `json:"like"`
		SysMsg int64 `json:"sys_msg"`
	}
	r.Data(t, &d)
	return [4]int64{d.Reply, d.At, d.Like, d.SysMsg}
}

// feedItemIDs are the ids of viewer's first page of a feed (reply, at, like).
func feedItemIDs(t *testing.T, s *testkit.Server, viewer testkit.User, kind string) []uint64 {
	t.Helper()
	r := s.Get(viewer, "/x/msgfeed/"+kind, nil)
	if c := r.Code(t); c != 0 {
		t.Fatalf("msgfeed/%s as %d: code %d: %s", kind, viewer.Mid, c, r.Body)
	}
	var d struct {
		Items []struct {
			ID uint64 `json:"id"`
		} `json:"items"`
		Total struct {
			Items []struct {
				ID uint64 `json:"id"`
			} `json:"items"`
		} `json:"total"`
	}
	r.Data(t, &d)
	out := []uint64{}
	for _, it := range append(d.Items, d.Total.Items...) {
		out = append(out, it.ID)
	}
	return out
}

type sysNote struct {
	ID       uint64 `json:"id"`
	Type     int    `json:"type"`
	Title    string `json:"title"`
	Content  string `json:"content"`
	CardLink string `json:"card_link"`
}

func sysNotes(t *testing.T, s *testkit.Server, viewer testkit.User) []sysNote {
	t.Helper()
	r := s.Get(viewer, "/x/sys-msg/query_notify_list", url.Values{"page_size": {"50"}})
	if c := r.Code(t); c != 0 {
		t.Fatalf("query_notify_list as %d: code %d: %s", viewer.Mid, c, r.Body)
	}
	var d []sysNote
	r.Data(t, &d)
	return d
}

func TestNotifySuccess(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	mkUser(t, s, 10, "UP主", 0)
	mkUser(t, s, 20, "路人", 0)
	mkUser(t, s, 30, "被艾特", 0)
	up := login(t, s, 10)

	var ids []uint64
	for _, c := range []struct{ kind, body string }{
		{"reply", noticeBody(20, map[string]any{"at_mids": []uint64{30}, "root_id": 5, "target_id": 6,
			"root_reply_content": "根", "target_reply_content": "目标", "desc": "d", "image": "i", "native_uri": "n"})},
		{"at", noticeBody(20, map[string]any{"type": "dynamic", "business": "动态", "business_id": 17})},
		{"like", noticeBody(20, map[string]any{"item_id": 77})},
		{"like", noticeBody(30, map[string]any{"item_id": 78})},
		{"system", `{"title":"公告","content":"欢迎","link":"https://www.bilibili.com/blackboard"}`},
		// The minimal bodies.
		{"reply", `{"actor":20,"type":"reply"}`},
		{"at", `{"actor":20,"type":"reply"}`},
		{"like", `{"actor":20,"type":"reply","item_id":79}`},
		{"system", `{"title":"t"}`},
	} {
		n := notify(t, s, 10, c.kind, c.body, 200)
		if !n.Delivered || n.ID < 800_000_000_000_000 {
			t.Errorf("%s %s: %+v, want delivered with a bilibili-sized id", c.kind, c.body, n)
		}
		ids = append(ids, n.ID)
	}
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	if !slices.Equal(ids, sorted) || len(slices.Compact(sorted)) != len(ids) {
		t.Errorf("ids are not increasing: %v", ids)
	}
	// Another like of the same thing, a second later, renews the item: a new id, at the
	// top of the like feed.
	s.Advance(time.Second)
	renewed := notify(t, s, 10, "like", noticeBody(30, map[string]any{"item_id": 77}), 200)
	if !renewed.Delivered || renewed.ID <= ids[len(ids)-1] {
		t.Errorf("a second like of item 77: %+v, want a new id above %d", renewed, ids[len(ids)-1])
	}
	if got, want := feedCounts(t, s, up), [4]int64{2, 2, 3, 2}; got != want {
		t.Errorf("unread reply, at, like, sys_msg = %v, want %v", got, want)
	}
	for kind, want := range map[string][]uint64{
		"reply": {ids[5], ids[0]},
		"at":    {ids[6], ids[1]},
		"like":  {renewed.ID, ids[7], ids[3]},
	} {
		if got := feedItemIDs(t, s, up, kind); !slices.Equal(got, want) {
			t.Errorf("%s feed: %v, want %v", kind, got, want)
		}
	}
	notes := sysNotes(t, s, up)
	wantNotes := []sysNote{{ids[8], 1, "t", "", ""}, {ids[4], 1, "公告", "欢迎", "https://www.bilibili.com/blackboard"}}
	if !slices.Equal(notes, wantNotes) {
		t.Errorf("system notices: %+v, want %+v", notes, wantNotes)
	}
	// Nothing reached the actor's or the mentioned user's feeds.
	for _, mid := range []uint64{20, 30} {
		if got := feedCounts(t, s, login(t, s, mid)); got != [4]int64{} {
			t.Errorf("user %d's counts: %v", mid, got)
		}
	}
}

func TestNotifyDropped(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	mkUser(t, s, 10, "UP主", 0)
	mkUser(t, s, 20, "路人", 0)
	up := login(t, s, 10)
	s.SetPrefs(up, map[string]int{"set_comment": 2, "set_at": 2, "set_like": 5})
	for _, kind := range []string{"reply", "at", "like"} {
		r := do(t, s, "POST", notifyPath(10, kind), noticeBody(20, map[string]any{"item_id": 1}))
		want(t, r, 200, nil)
		if got := strings.TrimSpace(string(r.body)); got != `{"id":0,"delivered":false}` {
			t.Errorf("%s dropped by the settings: %s", kind, got)
		}
	}
	// System notices are always delivered.
	if n := notify(t, s, 10, "system", `{"title":"t"}`, 200); !n.Delivered {
		t.Errorf("system notice: %+v", n)
	}
	// A blocked actor's notices are dropped whatever the settings.
	s.SetPrefs(up, map[string]int{"set_comment": 0, "set_at": 0, "set_like": 0})
	s.Block(10, 20, true)
	for _, kind := range []string{"reply", "at", "like"} {
		if n := notify(t, s, 10, kind, noticeBody(20, map[string]any{"item_id": 1}), 200); n.Delivered {
			t.Errorf("%s from a blocked actor: %+v", kind, n)
		}
	}
	if got, want := feedCounts(t, s, up), [4]int64{0, 0, 0, 1}; got != want {
		t.Errorf("counts after dropped notices: %v, want %v", got, want)
	}
}

func TestNotifyNotFound(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	mkUser(t, s, 10, "UP主", 0)
	mkUser(t, s, 20, "路人", 0)
	mkUser(t, s, 30, "被艾特", 0)
	for _, kind := range []string{"reply", "at", "like"} {
		for _, c := range []struct {
			name string
			mid  uint64
			body string
		}{
			{"unknown user", 99, noticeBody(20, map[string]any{"item_id": 1})},
			{"unknown actor", 10, noticeBody(99, map[string]any{"item_id": 1})},
			{"unknown mentioned user", 10, noticeBody(20, map[string]any{"item_id": 1, "at_mids": []uint64{30, 99}})},
			{"unknown 64-bit user", 1<<63 + 5, noticeBody(20, map[string]any{"item_id": 1})},
		} {
			t.Run(kind+"/"+c.name, func(t *testing.T) {
				notify(t, s, c.mid, kind, c.body, http.StatusNotFound)
			})
		}
	}
	notify(t, s, 99, "system", `{"title":"t"}`, http.StatusNotFound)
	// An unknown feed is an unknown operator endpoint.
	notify(t, s, 10, "coin", noticeBody(20, nil), http.StatusNotFound)
	// Nothing was delivered anywhere.
	if got := feedCounts(t, s, login(t, s, 10)); got != [4]int64{} {
		t.Errorf("refused notices counted: %v", got)
	}
}

func TestNotifyBadRequest(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	mkUser(t, s, 10, "UP主", 0)
	mkUser(t, s, 20, "路人", 0)
	mkUser(t, s, 30, "被艾特", 0)
	at := func(n int) []uint64 {
		mids := make([]uint64, n)
		for i := range mids {
			mids[i] = 30
		}
		return mids
	}
	bad := []struct{ name, body string }{
		{"actor is the user", noticeBody(10, map[string]any{"item_id": 1})},
		{"no actor", noticeBody(0, map[string]any{"actor": nil, "item_id": 1})},
		{"actor 0", noticeBody(0, map[string]any{"item_id": 1})},
		{"empty type", noticeBody(20, map[string]any{"type": "", "item_id": 1})},
		{"no type", noticeBody(20, map[string]any{"type": nil, "item_id": 1})},
		{"51 at_mids", noticeBody(20, map[string]any{"item_id": 1, "at_mids": at(51)})},
		{"unknown field", noticeBody(20, map[string]any{"item_id": 1, "extra": 1})},
		{"the feed's own likers", noticeBody(20, map[string]any{"item_id": 1, "likers": []uint64{30}})},
		{"the feed's own counts", noticeBody(20, map[string]any{"item_id": 1, "counts": 5})},
		{"actor as a string", noticeBody(20, map[string]any{"item_id": 1, "actor": "20"})},
		{"negative actor", noticeBody(20, map[string]any{"item_id": 1, "actor": -20})},
		{"at_mids not an array", noticeBody(20, map[string]any{"item_id": 1, "at_mids": 30})},
		{"not JSON", "actor=20&type=reply"},
		{"empty body", ""},
		{"an array", `[{"actor":20,"type":"reply","item_id":1}]`},
		{"two objects", noticeBody(20, map[string]any{"item_id": 1}) + noticeBody(20, map[string]any{"item_id": 1})},
		{"truncated", `{"actor":20,"type":"reply"`},
		{"null", `null`},
	}
	for _, kind := range []string{"reply", "at", "like"} {
		for _, c := range bad {
			t.Run(kind+"/"+c.name, func(t *testing.T) {
				notify(t, s, 10, kind, c.body, http.StatusBadRequest)
			})
		}
		for _, path := range []string{"/admin/v1/users/0/notifications/", "/admin/v1/users/abc/notifications/",
			"/admin/v1/users/18446744073709551616/notifications/"} {
			want(t, do(t, s, "POST", path+kind, noticeBody(20, map[string]any{"item_id": 1})), http.StatusBadRequest, nil)
		}
	}
	// A like needs the liked item.
	notify(t, s, 10, "like", noticeBody(20, nil), http.StatusBadRequest)
	notify(t, s, 10, "like", noticeBody(20, map[string]any{"item_id": 0}), http.StatusBadRequest)
	// Exactly 50 mentioned users are fine, and the other feeds do not need item_id.
	notify(t, s, 10, "reply", noticeBody(20, map[string]any{"at_mids": at(50)}), 200)
	notify(t, s, 10, "at", noticeBody(20, nil), 200)

	for _, c := range []struct{ name, body string }{
		{"no title", `{"content":"c"}`},
		{"empty title", `{"title":"","content":"c"}`},
		{"unknown field", `{"title":"t","publisher":"x"}`},
		{"type as a string", `{"title":"t","type":"1"}`},
		{"not JSON", "title=t"},
		{"empty body", ""},
		{"an array", `[{"title":"t"}]`},
	} {
		t.Run("system/"+c.name, func(t *testing.T) {
			notify(t, s, 10, "system", c.body, http.StatusBadRequest)
		})
	}
	// Only the two good notices above went through.
	if got, want := feedCounts(t, s, login(t, s, 10)), [4]int64{1, 1, 0, 0}; got != want {
		t.Errorf("counts after the refused notices: %v, want %v", got, want)
	}
}

func TestNotifySystemType(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	mkUser(t, s, 10, "UP主", 0)
	up := login(t, s, 10)
	var ids []uint64
	for _, body := range []string{
		`{"title":"默认","content":"c1"}`,
		`{"title":"零","content":"c2","type":0}`,
		`{"title":"五","content":"c3","type":5,"link":"https://www.bilibili.com/x"}`,
	} {
		ids = append(ids, notify(t, s, 10, "system", body, 200).ID)
	}
	got := sysNotes(t, s, up)
	wantNotes := []sysNote{
		{ids[2], 5, "五", "c3", "https://www.bilibili.com/x"},
		{ids[1], 1, "零", "c2", ""},
		{ids[0], 1, "默认", "c1", ""},
	}
	if !slices.Equal(got, wantNotes) {
		t.Errorf("system notices: %+v\nwant %+v", got, wantNotes)
	}
}

func TestNotifyAuth(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	mkUser(t, s, 10, "UP主", 0)
	mkUser(t, s, 20, "路人", 0)
	for _, kind := range []string{"reply", "at", "like", "system"} {
		body := noticeBody(20, map[string]any{"item_id": 1})
		if kind == "system" {
			body = `{"title":"t"}`
		}
		for _, token := range []string{"", "Bearer wrong", s.Token} {
			r := call(t, s, token, "POST", notifyPath(10, kind), []byte(body))
			want(t, r, http.StatusUnauthorized, nil)
			if r.header.Get("WWW-Authenticate") == "" {
				t.Errorf("%s: 401 without WWW-Authenticate", kind)
			}
		}
	}
	if got := feedCounts(t, s, login(t, s, 10)); got != [4]int64{} {
		t.Errorf("refused requests delivered notices: %v", got)
	}
}

// invalidUTF8Bodies are notices whose texts are not valid UTF-8: raw bytes, and a JSON
// escape of a lone surrogate.
func invalidUTF8Bodies() map[string]string {
	return map[string]string{
		"reply raw bytes":     strings.Replace(noticeBody(20, nil), "说得好", "\xff\xfe说", 1),
		"like raw bytes":      strings.Replace(noticeBody(20, map[string]any{"item_id": 1}), "我的视频", "\xc3(", 1),
		"system raw bytes":    "{\"title\":\"t\",\"content\":\"\xff\"}",
		"system in the title": "{\"title\":\"\xe2\x82\",\"content\":\"c\"}",
	}
}

// TestNotifyInvalidUTF8 is docs/operator-api.md's "Texts must be valid UTF-8" (a 400).
func TestNotifyInvalidUTF8(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	mkUser(t, s, 10, "UP主", 0)
	mkUser(t, s, 20, "路人", 0)
	for name, body := range invalidUTF8Bodies() {
		kind, _, _ := strings.Cut(name, " ")
		t.Run(name, func(t *testing.T) { notify(t, s, 10, kind, body, http.StatusBadRequest) })
	}
}

// TestNotifyInvalidUTF8NeverShown: whatever the producers answer, no feed ever serves
// invalid UTF-8.
func TestNotifyInvalidUTF8NeverShown(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	mkUser(t, s, 10, "UP主", 0)
	mkUser(t, s, 20, "路人", 0)
	up := login(t, s, 10)
	for name, body := range invalidUTF8Bodies() {
		kind, _, _ := strings.Cut(name, " ")
		if r := do(t, s, "POST", notifyPath(10, kind), body); r.status != 200 && r.status != http.StatusBadRequest {
			t.Errorf("%s: HTTP %d: %s", name, r.status, r.body)
		}
	}
	for _, path := range []string{"/x/msgfeed/reply", "/x/msgfeed/at", "/x/msgfeed/like", "/x/sys-msg/query_notify_list"} {
		r := s.Get(up, path, nil)
		if c := r.Code(t); c != 0 {
			t.Fatalf("%s: code %d", path, c)
		}
		if !utf8.Valid(r.Body) {
			t.Errorf("%s serves invalid UTF-8: %q", path, r.Body)
		}
	}
}
