package admin_test

// Operator API tests, through a whole in-process server (testkit) on loopback with a
// fake clock. The contract is docs/operator-api.md.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/internal/testkit"
)

type user struct {
	Mid       uint64 `json:"mid"`
	Name      string `json:"name"`
	Face      string `json:"face"`
	Fans      int64  `json:"fans"`
	CreatedAt int64  `json:"created_at"`
}

type relation struct {
	Following bool `json:"following"`
	Blocking  bool `json:"blocking"`
}

type clock struct {
	Now     int64  `json:"now"`
	NowUs   int64  `json:"now_us"`
	NowText string `json:"now_text"`
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

// call sends a raw operator request; token "" sends no Authorization header.
func call(t *testing.T, s *testkit.Server, token, method, path string, body []byte) reply {
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
		req.Header.Set("Authorization", token)
	}
	resp, err := s.HTTP.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

func auth(s *testkit.Server) string { return "Bearer " + s.Token }

// do sends an authorized request with a raw body.
func do(t *testing.T, s *testkit.Server, method, path, body string) reply {
	t.Helper()
	var b []byte
	if body != "" {
		b = []byte(body)
	}
	return call(t, s, auth(s), method, path, b)
}

// want asserts the status and, for 2xx, decodes the JSON answer into out; for errors it
// checks the {"error": "..."} body.
func want(t *testing.T, r reply, status int, out any) {
	t.Helper()
	if r.status != status {
		t.Fatalf("HTTP %d, want %d: %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	if status >= 400 {
		var e struct {
			Error string `json:"error"`
		}
		if err := json.Unmarshal(r.body, &e); err != nil || e.Error == "" {
			t.Errorf("error body must be {\"error\": \"...\"}: %s", r.body)
		}
		return
	}
	if out != nil {
		dec := json.NewDecoder(bytes.NewReader(r.body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(out); err != nil {
			t.Fatalf("decode %s: %v", r.body, err)
		}
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// bilibili calls the bilibili API's single_unread with SESSDATA and returns the code.
func unreadCode(t *testing.T, s *testkit.Server, sessdata string) int {
	t.Helper()
	return s.Get(testkit.User{SESSDATA: sessdata}, testkit.PathSingleUnread, nil).Code(t)
}

func TestAuth(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	for _, c := range []struct {
		name, header string
	}{
		{"no header", ""},
		{"wrong token", "Bearer not-the-token"},
		{"no scheme", s.Token},
		{"basic scheme", "Basic " + s.Token},
		{"lower-case scheme", "bearer " + s.Token},
		{"token prefix", "Bearer " + s.Token[:len(s.Token)-1]},
		{"token plus suffix", "Bearer " + s.Token + "x"},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, ep := range []struct{ method, path, body string }{
				{"GET", "/admin/v1/users", ""},
				{"POST", "/admin/v1/users", `{"name":"x"}`},
				{"GET", "/admin/v1/clock", ""},
				{"GET", "/admin/v1/nope", ""},
			} {
				var body []byte
				if ep.body != "" {
					body = []byte(ep.body)
				}
				r := call(t, s, c.header, ep.method, ep.path, body)
				want(t, r, http.StatusUnauthorized, nil)
				if r.header.Get("WWW-Authenticate") == "" {
					t.Errorf("401 without WWW-Authenticate")
				}
			}
		})
	}
	// Nothing was created by the refused requests.
	var list struct{ Users []user }
	want(t, do(t, s, "GET", "/admin/v1/users", ""), 200, &list)
	if len(list.Users) != 0 {
		t.Errorf("refused requests created users: %+v", list.Users)
	}
	// The right token works; unknown operator paths are 404 behind it.
	want(t, do(t, s, "GET", "/admin/v1/nope", ""), http.StatusNotFound, nil)
	want(t, do(t, s, "DELETE", "/admin/v1/users", ""), http.StatusNotFound, nil)
}

func TestCreateUser(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	var u1, u2, u3, explicit user
	want(t, do(t, s, "POST", "/admin/v1/users", `{"name":"甲"}`), 200, &u1)
	if u1.Mid != 100000001 || u1.Name != "甲" || u1.Fans != 0 || u1.CreatedAt != testkit.Epoch.Unix() ||
		u1.Face != "https://i0.hdslb.com/bfs/face/member/noface.jpg" {
		t.Errorf("first assigned user: %+v", u1)
	}
	want(t, do(t, s, "POST", "/admin/v1/users", `{"name":"乙","face":"https://i0.hdslb.com/bfs/face/x.jpg","fans":1200}`), 200, &u2)
	if u2.Mid != 100000002 || u2.Face != "https://i0.hdslb.com/bfs/face/x.jpg" || u2.Fans != 1200 {
		t.Errorf("second assigned user: %+v", u2)
	}
	want(t, do(t, s, "POST", "/admin/v1/users", `{"name":"bishi","mid":1}`), 200, &explicit)
	if explicit.Mid != 1 {
		t.Errorf("explicit mid: %+v", explicit)
	}
	// Assigned mids continue above the largest one.
	want(t, do(t, s, "POST", "/admin/v1/users", `{"name":"big","mid":500000000}`), 200, nil)
	want(t, do(t, s, "POST", "/admin/v1/users", `{"name":"丙"}`), 200, &u3)
	if u3.Mid != 500000001 {
		t.Errorf("assigned after 500000000: %d", u3.Mid)
	}
	// The password is accepted but never shown.
	r := do(t, s, "POST", "/admin/v1/users", `{"name":"pw","mid":77,"password":"hunter2"}`)
	want(t, r, 200, &user{})
	if bytes.Contains(r.body, []byte("hunter2")) || bytes.Contains(r.body, []byte("pbkdf2")) {
		t.Errorf("password leaked: %s", r.body)
	}

	want(t, do(t, s, "POST", "/admin/v1/users", `{"name":"again","mid":1}`), http.StatusConflict, nil)
	for name, body := range map[string]string{
		"not JSON":            `name=x`,
		"truncated":           `{"name":"x"`,
		"array":               `[{"name":"x"}]`,
		"unknown field":       `{"name":"x","nick":"y"}`,
		"two objects":         `{"name":"x"}{"name":"y"}`,
		"empty body":          ``,
		"empty name":          `{"name":""}`,
		"no name":             `{"mid":5}`,
		"space-padded name":   `{"name":" x "}`,
		"name over 64 chars":  mustJSON(map[string]string{"name": strings.Repeat("名", 65)}),
		"mid 0":               `{"name":"x","mid":0}`,
		"mid 2^63":            `{"name":"x","mid":9223372036854775808}`,
		"mid 2^64":            `{"name":"x","mid":18446744073709551616}`,
		"negative mid":        `{"name":"x","mid":-1}`,
		"string mid":          `{"name":"x","mid":"5"}`,
		"negative fans":       `{"name":"x","fans":-1}`,
		"name of wrong type":  `{"name":5}`,
		"null body":           `null`,
		"mid with a fraction": `{"name":"x","mid":1.5}`,
	} {
		t.Run(name, func(t *testing.T) {
			want(t, do(t, s, "POST", "/admin/v1/users", body), http.StatusBadRequest, nil)
		})
	}
	// A 64-character name is fine.
	want(t, do(t, s, "POST", "/admin/v1/users", mustJSON(map[string]string{"name": strings.Repeat("名", 64)})), 200, nil)
	// Bodies over 64 KiB are rejected, even when they are valid JSON.
	big := mustJSON(map[string]string{"name": "x", "face": strings.Repeat("a", 64<<10)})
	want(t, do(t, s, "POST", "/admin/v1/users", big), http.StatusRequestEntityTooLarge, nil)

	var list struct{ Users []user }
	want(t, do(t, s, "GET", "/admin/v1/users", ""), 200, &list)
	if len(list.Users) != 7 {
		t.Errorf("%d users, want the 7 created", len(list.Users))
	}
}

func TestGetListPatch(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	for _, mid := range []uint64{5, 3, 9, 1, 7} {
		want(t, do(t, s, "POST", "/admin/v1/users", fmt.Sprintf(`{"name":"u%d","mid":%d}`, mid, mid)), 200, nil)
	}
	var u user
	want(t, do(t, s, "GET", "/admin/v1/users/7", ""), 200, &u)
	if u.Mid != 7 || u.Name != "u7" {
		t.Errorf("GET 7: %+v", u)
	}
	want(t, do(t, s, "GET", "/admin/v1/users/8", ""), http.StatusNotFound, nil)
	want(t, do(t, s, "GET", "/admin/v1/users/0", ""), http.StatusBadRequest, nil)
	want(t, do(t, s, "GET", "/admin/v1/users/abc", ""), http.StatusBadRequest, nil)
	want(t, do(t, s, "GET", "/admin/v1/users/18446744073709551616", ""), http.StatusBadRequest, nil)

	mids := func(query string) []uint64 {
		t.Helper()
		var l struct{ Users []user }
		want(t, do(t, s, "GET", "/admin/v1/users"+query, ""), 200, &l)
		if l.Users == nil {
			t.Errorf("users must be an array, never null: %s", query)
		}
		out := []uint64{}
		for _, u := range l.Users {
			out = append(out, u.Mid)
		}
		return out
	}
	for query, wantMids := range map[string][]uint64{
		"":                            {1, 3, 5, 7, 9},
		"?limit=2":                    {1, 3},
		"?after=3&limit=2":            {5, 7},
		"?after=7&limit=2":            {9},
		"?after=9":                    {},
		"?after=4":                    {5, 7, 9},
		"?limit=1000":                 {1, 3, 5, 7, 9},
		"?after=18446744073709551615": {},
		"?after=9223372036854775808":  {},
	} {
		if got := mids(query); fmt.Sprint(got) != fmt.Sprint(wantMids) {
			t.Errorf("list%s: %v, want %v", query, got, wantMids)
		}
	}
	for _, bad := range []string{"?limit=0", "?limit=1001", "?limit=-1", "?limit=x", "?after=x", "?after=-1"} {
		want(t, do(t, s, "GET", "/admin/v1/users"+bad, ""), http.StatusBadRequest, nil)
	}

	want(t, do(t, s, "PATCH", "/admin/v1/users/7", `{"name":"新名字","fans":1500}`), 200, &u)
	if u.Name != "新名字" || u.Fans != 1500 || u.Face != "https://i0.hdslb.com/bfs/face/member/noface.jpg" {
		t.Errorf("PATCH changes only the given fields: %+v", u)
	}
	want(t, do(t, s, "PATCH", "/admin/v1/users/7", `{"face":"https://i0.hdslb.com/bfs/face/y.jpg"}`), 200, &u)
	if u.Name != "新名字" || u.Face != "https://i0.hdslb.com/bfs/face/y.jpg" {
		t.Errorf("second PATCH: %+v", u)
	}
	want(t, do(t, s, "GET", "/admin/v1/users/7", ""), 200, &u)
	if u.Name != "新名字" || u.Fans != 1500 {
		t.Errorf("PATCH persisted: %+v", u)
	}
	want(t, do(t, s, "PATCH", "/admin/v1/users/8", `{"name":"x"}`), http.StatusNotFound, nil)
	for _, bad := range []string{`{"name":""}`, `{"fans":-5}`, `{"mid":8}`, `{"name":" x"}`, `[]`, `{"name":`} {
		want(t, do(t, s, "PATCH", "/admin/v1/users/7", bad), http.StatusBadRequest, nil)
	}
	want(t, do(t, s, "GET", "/admin/v1/users/7", ""), 200, &u)
	if u.Name != "新名字" || u.Fans != 1500 {
		t.Errorf("refused PATCHes changed the user: %+v", u)
	}
}

func TestLogin(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	want(t, do(t, s, "POST", "/admin/v1/users", `{"name":"a","mid":1001}`), 200, nil)
	type creds struct {
		SESSDATA   string `json:"SESSDATA"`
		BiliJct    string `json:"bili_jct"`
		DedeUserID string `json:"DedeUserID"`
	}
	var c1, c2 creds
	want(t, do(t, s, "POST", "/admin/v1/users/1001/login", ""), 200, &c1)
	want(t, do(t, s, "POST", "/admin/v1/users/1001/login", ""), 200, &c2)
	if c1.SESSDATA == "" || c1.BiliJct == "" || c1.DedeUserID != "1001" {
		t.Errorf("login: %+v", c1)
	}
	if c1.SESSDATA == c2.SESSDATA || c1.BiliJct == c2.BiliJct {
		t.Errorf("each login is new: %+v %+v", c1, c2)
	}
	// Both logins work; an unknown one does not.
	for _, sd := range []string{c1.SESSDATA, c2.SESSDATA} {
		if c := unreadCode(t, s, sd); c != 0 {
			t.Errorf("login %s…: code %d", sd[:4], c)
		}
	}
	if c := unreadCode(t, s, c1.SESSDATA+"x"); c != -101 {
		t.Errorf("a wrong SESSDATA: code %d, want -101", c)
	}
	// Each login has its own bili_jct: csrf must be the one of the login used.
	u1 := testkit.User{Mid: 1001, SESSDATA: c1.SESSDATA, BiliJct: c1.BiliJct}
	ack := url.Values{"talker_id": {"1002"}, "session_type": {"1"}}
	if c := s.Post(u1, testkit.PathUpdateAck, ack).Code(t); c != 0 {
		t.Errorf("own csrf: code %d", c)
	}
	mixed := url.Values{"talker_id": {"1002"}, "session_type": {"1"}, "csrf": {c2.BiliJct}, "csrf_token": {c2.BiliJct}}
	if c := s.Post(u1, testkit.PathUpdateAck, mixed).Code(t); c != -111 {
		t.Errorf("the other login's bili_jct: code %d, want -111", c)
	}
	want(t, do(t, s, "POST", "/admin/v1/users/1002/login", ""), http.StatusNotFound, nil)
	want(t, do(t, s, "POST", "/admin/v1/users/x/login", ""), http.StatusBadRequest, nil)
	want(t, do(t, s, "GET", "/admin/v1/users/1001/login", ""), http.StatusNotFound, nil)
}

func fetch(t *testing.T, s *testkit.Server, viewer testkit.User, talker uint64) []map[string]any {
	t.Helper()
	r := s.Get(viewer, testkit.PathFetchMsgs, url.Values{"talker_id": {strconv.FormatUint(talker, 10)}, "session_type": {"1"}})
	if c := r.Code(t); c != 0 {
		t.Fatalf("fetch: code %d: %s", c, r.Body)
	}
	var d struct {
		Messages []map[string]any `json:"messages"`
	}
	r.Data(t, &d)
	return d.Messages
}

func rel(t *testing.T, s *testkit.Server, method string, mid, target uint64, kind string) relation {
	t.Helper()
	var out relation
	want(t, do(t, s, method, fmt.Sprintf("/admin/v1/users/%d/%s/%d", mid, kind, target), ""), 200, &out)
	return out
}

func getRel(t *testing.T, s *testkit.Server, mid, target uint64) relation {
	t.Helper()
	var out relation
	want(t, do(t, s, "GET", fmt.Sprintf("/admin/v1/users/%d/relations/%d", mid, target), ""), 200, &out)
	return out
}

func unread(t *testing.T, s *testkit.Server, u testkit.User) (follow, unfollow float64) {
	t.Helper()
	var d map[string]float64
	s.Get(u, testkit.PathSingleUnread, nil).Data(t, &d)
	return d["follow_unread"], d["unfollow_unread"]
}

func TestFollows(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	a, b := s.NewUser(1001, "a"), s.NewUser(1002, "b")

	if r := rel(t, s, "PUT", 1001, 1002, "follows"); r != (relation{Following: true}) {
		t.Errorf("PUT follow: %+v", r)
	}
	if r := rel(t, s, "PUT", 1001, 1002, "follows"); r != (relation{Following: true}) {
		t.Errorf("PUT follow is idempotent: %+v", r)
	}
	if r := getRel(t, s, 1002, 1001); r != (relation{}) {
		t.Errorf("a follow is one-way: %+v", r)
	}
	if len(fetch(t, s, a, 1002)) != 0 {
		t.Errorf("a one-way follow sends nothing")
	}
	// b follows back: the mutual-follow greeting, from b, with msg_source 17.
	rel(t, s, "PUT", 1002, 1001, "follows")
	for _, view := range []struct {
		u      testkit.User
		talker uint64
	}{{a, 1002}, {b, 1001}} {
		m := fetch(t, s, view.u, view.talker)
		if len(m) != 1 {
			t.Fatalf("%d sees %d messages, want the greeting", view.u.Mid, len(m))
		}
		g := m[0]
		if g["msg_source"] != 17.0 || g["msg_type"] != 1.0 || g["content"] != `{"content":"我们已互相关注，开始聊天吧~"}` ||
			g["sender_uid"] != 1002.0 || g["receiver_id"] != 1001.0 {
			t.Errorf("greeting: %v", g)
		}
	}
	// The greeting is unread for a (followed bucket), read for b who "sent" it.
	if f, u := unread(t, s, a); f != 1 || u != 0 {
		t.Errorf("a's unread: follow %v unfollow %v", f, u)
	}
	if f, u := unread(t, s, b); f != 0 || u != 0 {
		t.Errorf("b's unread: follow %v unfollow %v", f, u)
	}
	// Unfollowing moves a's unread to the unfollowed bucket; following again (while b
	// still follows a) greets again.
	if r := rel(t, s, "DELETE", 1001, 1002, "follows"); r != (relation{}) {
		t.Errorf("DELETE follow: %+v", r)
	}
	if f, u := unread(t, s, a); f != 0 || u != 1 {
		t.Errorf("after unfollow, a's unread: follow %v unfollow %v", f, u)
	}
	rel(t, s, "DELETE", 1001, 1002, "follows") // idempotent
	rel(t, s, "PUT", 1001, 1002, "follows")
	if m := fetch(t, s, b, 1001); len(m) != 2 || m[0]["sender_uid"] != 1001.0 || m[0]["msg_source"] != 17.0 {
		t.Errorf("a second mutual follow greets again, from a: %v", m)
	}

	// Errors.
	want(t, do(t, s, "PUT", "/admin/v1/users/1001/follows/1001", ""), http.StatusBadRequest, nil)
	want(t, do(t, s, "PUT", "/admin/v1/users/1001/follows/1003", ""), http.StatusNotFound, nil)
	want(t, do(t, s, "PUT", "/admin/v1/users/1003/follows/1001", ""), http.StatusNotFound, nil)
	want(t, do(t, s, "PUT", "/admin/v1/users/1001/follows/abc", ""), http.StatusBadRequest, nil)
	want(t, do(t, s, "PUT", "/admin/v1/users/0/follows/1002", ""), http.StatusBadRequest, nil)
	want(t, do(t, s, "POST", "/admin/v1/users/1001/follows/1002", ""), http.StatusNotFound, nil)
	want(t, do(t, s, "GET", "/admin/v1/users/1001/relations/1003", ""), 200, nil) // no relation is the zero relation
}

func TestBlacklist(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	a, b := s.NewUser(1001, "a"), s.NewUser(1002, "b")
	rel(t, s, "PUT", 1001, 1002, "follows")
	rel(t, s, "PUT", 1002, 1001, "follows")

	// Blocking ends both follows.
	if r := rel(t, s, "PUT", 1001, 1002, "blacklist"); r != (relation{Blocking: true}) {
		t.Errorf("PUT blacklist: %+v", r)
	}
	if r := getRel(t, s, 1002, 1001); r != (relation{}) {
		t.Errorf("the blocked user no longer follows: %+v", r)
	}
	// While blocked, neither may follow the other.
	want(t, do(t, s, "PUT", "/admin/v1/users/1002/follows/1001", ""), http.StatusConflict, nil)
	want(t, do(t, s, "PUT", "/admin/v1/users/1001/follows/1002", ""), http.StatusConflict, nil)
	// The bilibili API sees the block.
	r := s.Post(a, testkit.PathSendMsg, testkit.SendForm(1001, 1002, 1, testkit.Text("hi")))
	if c := r.Code(t); c != 25005 {
		t.Errorf("sending to a user I block: code %d", c)
	}
	r = s.Post(b, testkit.PathSendMsg, testkit.SendForm(1002, 1001, 1, testkit.Text("hi")))
	if c := r.Code(t); c != 25003 {
		t.Errorf("sending to a user who blocks me: code %d", c)
	}
	// Unblocking does not restore the follows.
	if r := rel(t, s, "DELETE", 1001, 1002, "blacklist"); r != (relation{}) {
		t.Errorf("DELETE blacklist: %+v", r)
	}
	if r := getRel(t, s, 1002, 1001); r != (relation{}) {
		t.Errorf("follows are not restored: %+v", r)
	}
	rel(t, s, "DELETE", 1001, 1002, "blacklist") // idempotent
	rel(t, s, "PUT", 1002, 1001, "follows")
	if c := s.Post(a, testkit.PathSendMsg, testkit.SendForm(1001, 1002, 1, testkit.Text("hi"))).Code(t); c != 0 {
		t.Errorf("after unblock: code %d", c)
	}
	want(t, do(t, s, "PUT", "/admin/v1/users/1001/blacklist/1001", ""), http.StatusBadRequest, nil)
	want(t, do(t, s, "PUT", "/admin/v1/users/1001/blacklist/4242", ""), http.StatusNotFound, nil)
}

func TestClock(t *testing.T) {
	t.Parallel()
	t.Run("real clock", func(t *testing.T) {
		t.Parallel()
		s := testkit.Start(t, testkit.Options{RealClock: true})
		want(t, do(t, s, "GET", "/admin/v1/clock", ""), http.StatusNotFound, nil)
		want(t, do(t, s, "POST", "/admin/v1/clock", `{"advance_seconds":10}`), http.StatusNotFound, nil)
		// Without a token it is still 401 first.
		want(t, call(t, s, "", "GET", "/admin/v1/clock", nil), http.StatusUnauthorized, nil)
	})
	t.Run("fake clock", func(t *testing.T) {
		t.Parallel()
		s := testkit.Start(t, testkit.Options{})
		var c clock
		want(t, do(t, s, "GET", "/admin/v1/clock", ""), 200, &c)
		if c.Now != testkit.Epoch.Unix() || c.NowUs != testkit.Epoch.UnixMicro() || c.NowText != "2024-06-02T08:00:00Z" {
			t.Errorf("clock at Epoch: %+v", c)
		}
		want(t, do(t, s, "POST", "/admin/v1/clock", `{"advance_seconds":90}`), 200, &c)
		if c.Now != testkit.Epoch.Unix()+90 || c.NowText != "2024-06-02T08:01:30Z" {
			t.Errorf("advanced 90 s: %+v", c)
		}
		want(t, do(t, s, "POST", "/admin/v1/clock", `{"advance_seconds":0}`), 200, &c)
		if c.Now != testkit.Epoch.Unix()+90 {
			t.Errorf("advancing 0 s: %+v", c)
		}
		for name, body := range map[string]string{
			"negative":      `{"advance_seconds":-1}`,
			"missing":       `{}`,
			"string":        `{"advance_seconds":"10"}`,
			"fraction":      `{"advance_seconds":1.5}`,
			"null":          `{"advance_seconds":null}`,
			"unknown field": `{"advance_seconds":1,"to":5}`,
			"not JSON":      `advance_seconds=1`,
			"empty":         ``,
			"over 100 yrs":  `{"advance_seconds":3153600001}`,
			"overflow":      `{"advance_seconds":9223372036854775808}`,
		} {
			t.Run(name, func(t *testing.T) {
				want(t, do(t, s, "POST", "/admin/v1/clock", body), http.StatusBadRequest, nil)
			})
		}
		want(t, do(t, s, "GET", "/admin/v1/clock", ""), 200, &c)
		if c.Now != testkit.Epoch.Unix()+90 {
			t.Errorf("refused advances moved the clock: %+v", c)
		}
		// The bilibili API runs on the same clock.
		a := s.NewUser(1001, "a")
		s.NewUser(1002, "b")
		s.SendText(a, 1002, "hi")
		m := fetch(t, s, a, 1002)
		if len(m) == 0 || m[len(m)-1]["timestamp"] != float64(testkit.Epoch.Add(90*time.Second).Unix()) {
			t.Errorf("message timestamp follows the fake clock: %v", m)
		}
	})
}

type work struct {
	Aid       uint64 `json:"aid"`
	Bvid      string `json:"bvid"`
	Title     string `json:"title"`
	Cover     string `json:"cover"`
	PubDate   int64  `json:"pub_date"`
	Plays     int64  `json:"plays"`
	Danmaku   int64  `json:"danmaku"`
	Favorites int64  `json:"favorites"`
}

// worksOf lists a user's works through the operator API.
func worksOf(t *testing.T, s *testkit.Server, mid uint64, query string) []work {
	t.Helper()
	var l struct {
		Works []work `json:"works"`
	}
	r := do(t, s, "GET", fmt.Sprintf("/admin/v1/users/%d/works%s", mid, query), "")
	want(t, r, 200, &l)
	if l.Works == nil {
		t.Errorf("works must be an array, never null: %s", r.body)
	}
	return l.Works
}

func aids(ws []work) []uint64 {
	out := []uint64{}
	for _, w := range ws {
		out = append(out, w.Aid)
	}
	return out
}

func TestWorks(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	want(t, do(t, s, "POST", "/admin/v1/users", `{"name":"up","mid":1001}`), 200, nil)
	want(t, do(t, s, "POST", "/admin/v1/users", `{"name":"other","mid":1002}`), 200, nil)

	if ws := worksOf(t, s, 1001, ""); len(ws) != 0 {
		t.Errorf("a new user has no works: %+v", ws)
	}
	// Every field given.
	var w work
	want(t, do(t, s, "PUT", "/admin/v1/users/1001/works/170001",
		`{"bvid":"BV1xx411c7mD","title":"标题","cover":"https://i0.hdslb.com/bfs/archive/c.jpg","pub_date":1717200000,"plays":123456,"danmaku":479,"favorites":7}`), 200, &w)
	full := work{Aid: 170001, Bvid: "BV1xx411c7mD", Title: "标题", Cover: "https://i0.hdslb.com/bfs/archive/c.jpg",
		PubDate: 1717200000, Plays: 123456, Danmaku: 479, Favorites: 7}
	if w != full {
		t.Errorf("PUT answer: %+v, want %+v", w, full)
	}
	// Only the title: pub_date defaults to now (the fake clock), the rest to zero values.
	want(t, do(t, s, "PUT", "/admin/v1/users/1001/works/170002", `{"title":"只有标题"}`), 200, &w)
	if w != (work{Aid: 170002, Title: "只有标题", PubDate: testkit.Epoch.Unix()}) {
		t.Errorf("PUT with the title only: %+v", w)
	}
	// An older and a same-date work with a lower aid.
	want(t, do(t, s, "PUT", "/admin/v1/users/1001/works/170003", `{"title":"old","pub_date":1000}`), 200, nil)
	want(t, do(t, s, "PUT", "/admin/v1/users/1001/works/170000", `{"title":"same date, lower aid","pub_date":1717200000}`), 200, nil)
	want(t, do(t, s, "PUT", "/admin/v1/users/1002/works/170009", `{"title":"someone else's"}`), 200, nil)

	// Latest publication first, then the highest aid; limit cuts from the latest.
	if got := aids(worksOf(t, s, 1001, "")); fmt.Sprint(got) != "[170002 170001 170000 170003]" {
		t.Errorf("listing order: %v", got)
	}
	if got := aids(worksOf(t, s, 1001, "?limit=2")); fmt.Sprint(got) != "[170002 170001]" {
		t.Errorf("limit=2: %v", got)
	}
	if got := aids(worksOf(t, s, 1001, "?limit=100")); len(got) != 4 {
		t.Errorf("limit=100: %v", got)
	}
	if ws := worksOf(t, s, 1001, ""); ws[1] != full {
		t.Errorf("listed work: %+v, want %+v", ws[1], full)
	}
	if got := aids(worksOf(t, s, 1002, "")); fmt.Sprint(got) != "[170009]" {
		t.Errorf("works are per user: %v", got)
	}
	for _, bad := range []string{"?limit=0", "?limit=101", "?limit=-1", "?limit=x", "?limit=1.5"} {
		want(t, do(t, s, "GET", "/admin/v1/users/1001/works"+bad, ""), http.StatusBadRequest, nil)
	}

	// PUT again replaces the whole work (absent fields fall back to their defaults).
	s.Advance(time.Hour)
	want(t, do(t, s, "PUT", "/admin/v1/users/1001/works/170001", `{"title":"新标题","plays":5}`), 200, &w)
	replaced := work{Aid: 170001, Title: "新标题", PubDate: testkit.Epoch.Add(time.Hour).Unix(), Plays: 5}
	if w != replaced {
		t.Errorf("replacing PUT: %+v, want %+v", w, replaced)
	}
	if ws := worksOf(t, s, 1001, ""); len(ws) != 4 || ws[0] != replaced {
		t.Errorf("after replacing: %+v", ws)
	}

	// Refused PUTs.
	for name, c := range map[string]struct{ path, body string }{
		"aid 0":            {"/admin/v1/users/1001/works/0", `{"title":"x"}`},
		"aid not a number": {"/admin/v1/users/1001/works/abc", `{"title":"x"}`},
		"negative aid":     {"/admin/v1/users/1001/works/-5", `{"title":"x"}`},
		"aid 2^63":         {"/admin/v1/users/1001/works/9223372036854775808", `{"title":"x"}`},
		"aid 2^64":         {"/admin/v1/users/1001/works/18446744073709551616", `{"title":"x"}`},
		"mid not a number": {"/admin/v1/users/x/works/5", `{"title":"x"}`},
		"no title":         {"/admin/v1/users/1001/works/5", `{"plays":1}`},
		"empty title":      {"/admin/v1/users/1001/works/5", `{"title":""}`},
		"negative plays":   {"/admin/v1/users/1001/works/5", `{"title":"x","plays":-1}`},
		"negative danmaku": {"/admin/v1/users/1001/works/5", `{"title":"x","danmaku":-1}`},
		"negative favs":    {"/admin/v1/users/1001/works/5", `{"title":"x","favorites":-1}`},
		"negative date":    {"/admin/v1/users/1001/works/5", `{"title":"x","pub_date":-1}`},
		"unknown field":    {"/admin/v1/users/1001/works/5", `{"title":"x","aid":5}`},
		"misspelled field": {"/admin/v1/users/1001/works/5", `{"title":"x","play":5}`},
		"two objects":      {"/admin/v1/users/1001/works/5", `{"title":"x"}{"title":"y"}`},
		"trailing data":    {"/admin/v1/users/1001/works/5", `{"title":"x"} 1`},
		"not JSON":         {"/admin/v1/users/1001/works/5", `title=x`},
		"array":            {"/admin/v1/users/1001/works/5", `[{"title":"x"}]`},
		"empty body":       {"/admin/v1/users/1001/works/5", ``},
		"string plays":     {"/admin/v1/users/1001/works/5", `{"title":"x","plays":"5"}`},
		"fractional plays": {"/admin/v1/users/1001/works/5", `{"title":"x","plays":1.5}`},
		"title not string": {"/admin/v1/users/1001/works/5", `{"title":5}`},
		"truncated":        {"/admin/v1/users/1001/works/5", `{"title":"x"`},
	} {
		t.Run(name, func(t *testing.T) {
			want(t, do(t, s, "PUT", c.path, c.body), http.StatusBadRequest, nil)
		})
	}
	big := mustJSON(map[string]string{"title": "x", "cover": strings.Repeat("a", 64<<10)})
	want(t, do(t, s, "PUT", "/admin/v1/users/1001/works/5", big), http.StatusRequestEntityTooLarge, nil)
	if got := aids(worksOf(t, s, 1001, "")); len(got) != 4 {
		t.Errorf("refused PUTs stored works: %v", got)
	}

	// Unknown users.
	want(t, do(t, s, "PUT", "/admin/v1/users/4242/works/5", `{"title":"x"}`), http.StatusNotFound, nil)
	want(t, do(t, s, "GET", "/admin/v1/users/4242/works", ""), http.StatusNotFound, nil)
	want(t, do(t, s, "DELETE", "/admin/v1/users/4242/works/5", ""), http.StatusNotFound, nil)

	// DELETE removes one work, and answers {} also for a work that is not there.
	for range 2 {
		r := do(t, s, "DELETE", "/admin/v1/users/1001/works/170001", "")
		want(t, r, 200, &struct{}{})
		if strings.TrimSpace(string(r.body)) != "{}" {
			t.Errorf("DELETE answer: %s, want {}", r.body)
		}
	}
	if got := aids(worksOf(t, s, 1001, "")); fmt.Sprint(got) != "[170002 170000 170003]" {
		t.Errorf("after DELETE: %v", got)
	}
	// Another user's work of the same aid is another work.
	want(t, do(t, s, "DELETE", "/admin/v1/users/1001/works/170009", ""), 200, nil)
	if got := aids(worksOf(t, s, 1002, "")); fmt.Sprint(got) != "[170009]" {
		t.Errorf("DELETE of a work of another user removed it: %v", got)
	}
	want(t, do(t, s, "DELETE", "/admin/v1/users/1001/works/0", ""), http.StatusBadRequest, nil)
	want(t, do(t, s, "DELETE", "/admin/v1/users/1001/works/x", ""), http.StatusBadRequest, nil)
	want(t, do(t, s, "POST", "/admin/v1/users/1001/works/5", `{"title":"x"}`), http.StatusNotFound, nil)
}

func TestGuard(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	up := s.NewUser(1001, "up")
	fan := s.NewUser(1002, "fan")
	guard := func() bool {
		t.Helper()
		var out struct {
			Replied bool `json:"replied"`
		}
		want(t, do(t, s, "POST", "/admin/v1/users/1001/guards/1002", ""), 200, &out)
		return out.Replied
	}
	voyage := func() []map[string]any {
		var out []map[string]any
		for _, m := range fetch(t, s, fan, up.Mid) {
			if m["msg_source"] == 11.0 {
				out = append(out, m)
			}
		}
		return out
	}

	// voyage_reply off (the default): nothing is sent.
	if guard() {
		t.Errorf("voyage_reply off: replied")
	}
	if m := fetch(t, s, fan, up.Mid); len(m) != 0 {
		t.Errorf("voyage_reply off: messages %v", m)
	}
	// On, but no text yet: nothing.
	s.SetFans(up.Mid, 1000)
	s.SetPrefs(up, map[string]int{"voyage_reply": 1})
	if guard() {
		t.Errorf("voyage_reply on without text: replied")
	}
	// On with a text: the reply, from up, msg_source 11.
	s.SetReply(up, 5, "感谢上船")
	s.Follow(fan.Mid, up.Mid, true)
	if !guard() {
		t.Fatalf("voyage_reply on with a text: not replied")
	}
	m := voyage()
	if len(m) != 1 || m[0]["sender_uid"] != 1001.0 || m[0]["receiver_id"] != 1002.0 || m[0]["msg_type"] != 1.0 ||
		m[0]["content"] != `{"content":"感谢上船"}` {
		t.Errorf("voyage reply: %v", m)
	}
	// Switched off again: nothing more.
	s.SetPrefs(up, map[string]int{"voyage_reply": 0})
	if guard() || len(voyage()) != 1 {
		t.Errorf("voyage_reply off again: replied")
	}
	// Under the rules of any message: a fan who blocks up gets nothing.
	s.SetPrefs(up, map[string]int{"voyage_reply": 1})
	s.Block(fan.Mid, up.Mid, true)
	if guard() || len(voyage()) != 1 {
		t.Errorf("fan blocks up: replied")
	}

	// Errors.
	want(t, do(t, s, "POST", "/admin/v1/users/1001/guards/1001", ""), http.StatusBadRequest, nil)
	want(t, do(t, s, "POST", "/admin/v1/users/1001/guards/4242", ""), http.StatusNotFound, nil)
	want(t, do(t, s, "POST", "/admin/v1/users/4242/guards/1002", ""), http.StatusNotFound, nil)
	want(t, do(t, s, "POST", "/admin/v1/users/1001/guards/0", ""), http.StatusBadRequest, nil)
	want(t, do(t, s, "POST", "/admin/v1/users/x/guards/1002", ""), http.StatusBadRequest, nil)
	want(t, do(t, s, "GET", "/admin/v1/users/1001/guards/1002", ""), http.StatusNotFound, nil)
	want(t, call(t, s, "", "POST", "/admin/v1/users/1001/guards/1002", nil), http.StatusUnauthorized, nil)
}

// TestCreateUserNoMidLeft: when the largest mid is already 2^63-1 the server cannot
// assign one above it; it answers 409 and a given mid still works.
func TestCreateUserNoMidLeft(t *testing.T) {
	s := testkit.Start(t, testkit.Options{})
	want(t, do(t, s, "POST", "/admin/v1/users", `{"name":"max","mid":9223372036854775807}`), 200, nil)
	want(t, do(t, s, "POST", "/admin/v1/users", `{"name":"next"}`), http.StatusConflict, nil)
	want(t, do(t, s, "POST", "/admin/v1/users", `{"name":"given","mid":42}`), 200, nil)
}

// TestCreateUserSystemMid: the system accounts' talker ids cannot become users.
func TestCreateUserSystemMid(t *testing.T) {
	s := testkit.Start(t, testkit.Options{})
	for _, mid := range []string{"844424930131964", "844424930131965", "844424930131966", "844424930131967"} {
		want(t, do(t, s, "POST", "/admin/v1/users", `{"name":"假小助手","mid":`+mid+`}`), http.StatusBadRequest, nil)
	}
	want(t, do(t, s, "POST", "/admin/v1/users", `{"name":"邻居","mid":844424930131968}`), 200, nil)
}
