package client_test

// Tests of the client's construction and request shape (options, cookies, hosts, paths),
// plus the helpers shared by every test file of the package. Top-level helpers are
// prefixed sdk to keep clear of other test files of the package (the Watcher's tests).

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/client"
	"github.com/bilimsg/bilimsg/internal/testkit"
)

// --- shared helpers ---

// sdkMust takes a call's two results and returns a function that fails the test on the
// error and otherwise returns the value: v := sdkMust(c.Call(ctx))(t).
func sdkMust[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return v
	}
}

// sdkOK fails the test on err.
func sdkOK(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

func sdkPtr[T any](v T) *T { return &v }

// sdkCounter is an http.RoundTripper that counts the requests (by path) it passes on.
type sdkCounter struct {
	next http.RoundTripper
	mu   sync.Mutex
	hits map[string]int
	n    atomic.Int64
}

func (c *sdkCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	c.mu.Lock()
	if c.hits == nil {
		c.hits = map[string]int{}
	}
	c.hits[r.URL.Path]++
	c.mu.Unlock()
	return c.next.RoundTrip(r)
}

func (c *sdkCounter) count(path string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits[path]
}

// sdkCounted returns a client of s logged in as u whose requests are counted.
func sdkCounted(t *testing.T, s *testkit.Server, u testkit.User) (*client.Client, *sdkCounter) {
	t.Helper()
	cnt := &sdkCounter{next: s.HTTP.Client().Transport}
	return s.Client(u, client.WithHTTPClient(&http.Client{Transport: cnt})), cnt
}

// sdkNoNet is a transport that fails the test if any request is made.
type sdkNoNet struct{ t testing.TB }

func (n sdkNoNet) RoundTrip(r *http.Request) (*http.Response, error) {
	n.t.Errorf("unexpected request %s %s", r.Method, r.URL)
	return nil, errors.New("no network in this test")
}

// sdkCanned is a transport answering every request with one status and body, without a
// network; it records the last request.
type sdkCanned struct {
	status int
	body   []byte
	mu     sync.Mutex
	last   *http.Request
	n      int
}

func (c *sdkCanned) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.last, c.n = r, c.n+1
	c.mu.Unlock()
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	return &http.Response{StatusCode: c.status, Status: strconv.Itoa(c.status) + " " + http.StatusText(c.status),
		Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(bytes.NewReader(c.body)),
		ContentLength: int64(len(c.body)), Request: r}, nil
}

// sdkCannedClient is a logged-in client whose every request is answered with body.
func sdkCannedClient(t testing.TB, status int, body string) (*client.Client, *sdkCanned) {
	t.Helper()
	rt := &sdkCanned{status: status, body: []byte(body)}
	c, err := client.New(client.WithBaseURL("http://bilimsg.invalid"), client.WithHTTPClient(&http.Client{Transport: rt}),
		client.WithRetry(client.NoRetry()), client.WithCredentials(client.Credentials{SESSDATA: "s", BiliJct: "j", Mid: 7}))
	if err != nil {
		t.Fatal(err)
	}
	return c, rt
}

// sdkRaw reads path as u directly from the server and decodes data with exact numbers.
func sdkRaw(t *testing.T, s *testkit.Server, u testkit.User, path string, q url.Values) map[string]any {
	t.Helper()
	r := s.Get(u, path, q)
	env := r.Envelope(t)
	d, ok := env["data"].(map[string]any)
	if !ok {
		t.Fatalf("GET %s: data is not an object: %s", path, r.Body)
	}
	return d
}

// sdkText sends a text through the client c and returns its msg_key; it fails the test on an error.
func sdkText(t testing.TB, c *client.Client, to client.Talker, text string) uint64 {
	t.Helper()
	res, err := c.SendText(context.Background(), to, text)
	if err != nil {
		t.Fatalf("send %q to %v: %v", text, to, err)
	}
	return res.MsgKey
}

// --- construction and options ---

func TestNewRejectsBadOptions(t *testing.T) {
	t.Parallel()
	cases := map[string]client.Option{
		"scheme":          client.WithBaseURL("ftp://example.com"),
		"no host":         client.WithBaseURL("http://"),
		"not a URL":       client.WithBaseURL("http://[::1"),
		"relative":        client.WithBaseURL("/just/a/path"),
		"hosts vc":        client.WithHosts("mailto:x@y", "http://127.0.0.1", "http://127.0.0.1"),
		"hosts api":       client.WithHosts("http://127.0.0.1", "no-scheme", "http://127.0.0.1"),
		"hosts msg":       client.WithHosts("http://127.0.0.1", "http://127.0.0.1", "no-scheme"),
		"cookie ;":        client.WithCredentials(client.Credentials{SESSDATA: "a;b"}),
		"cookie newline":  client.WithCredentials(client.Credentials{SESSDATA: "a", BiliJct: "b\r\nX-Evil: 1"}),
		"cookie NUL":      client.WithCredentials(client.Credentials{SESSDATA: "a\x00"}),
		"nil http client": client.WithHTTPClient(nil),
	}
	for name, opt := range cases {
		if c, err := client.New(opt); err == nil || c != nil {
			t.Errorf("%s: New = %v, %v; want an error and no client", name, c, err)
		}
	}
	// Good options build a client.
	c, err := client.New(client.WithBaseURL("http://127.0.0.1:8080/"), client.WithHosts("https://a.example", "https://b.example/p", "https://c.example"),
		client.WithCredentials(client.Credentials{SESSDATA: "s", BiliJct: "j", Mid: 42}), client.WithUserAgent("x"),
		client.WithRetry(client.RetryPolicy{}), client.WithDeviceID(func() string { return "D" }), client.WithClock(time.Now))
	if err != nil {
		t.Fatal(err)
	}
	if c.Mid() != 42 {
		t.Errorf("Mid() = %d, want 42", c.Mid())
	}
}

func TestLoggedOutClientMid(t *testing.T) {
	t.Parallel()
	c, err := client.New(client.WithHTTPClient(&http.Client{Transport: sdkNoNet{t}}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Mid() != 0 {
		t.Errorf("a logged-out client's Mid() = %d, want 0", c.Mid())
	}
	// A POST without bili_jct is refused locally (no request reaches the network).
	err = c.Ack(t.Context(), client.User(1), 0)
	var e *client.Error
	if !errors.As(err, &e) || e.Code != client.CodeCSRF || e.Endpoint != "update_ack" || !errors.Is(err, client.ErrCSRF) {
		t.Errorf("Ack without bili_jct: %v, want a -111 *Error from update_ack", err)
	}
	// Sending needs the mid; refused before any request.
	if _, err := c.SendText(t.Context(), client.User(1), "hi"); err == nil || !strings.Contains(err.Error(), "Mid") {
		t.Errorf("SendText without a mid: %v, want an error naming Credentials.Mid", err)
	}
}

// sdkRecorder is a test server that records requests and answers a success envelope.
type sdkRecorder struct {
	srv  *httptest.Server
	mu   sync.Mutex
	reqs []sdkSeen
}

type sdkSeen struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Form                   url.Values // POST body
}

func sdkNewRecorder(t *testing.T, data string) *sdkRecorder {
	rec := &sdkRecorder{}
	rec.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen := sdkSeen{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Header: r.Header.Clone()}
		if r.Method == http.MethodPost {
			_ = r.ParseForm()
			seen.Form = r.PostForm
		}
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, seen)
		rec.mu.Unlock()
		io.WriteString(w, `{"code":0,"message":"0","ttl":1,"data":`+data+`}`)
	}))
	t.Cleanup(rec.srv.Close)
	return rec
}

func (r *sdkRecorder) last(t *testing.T) sdkSeen {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.reqs) == 0 {
		t.Fatal("no request was recorded")
	}
	return r.reqs[len(r.reqs)-1]
}

func (r *sdkRecorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.reqs)
}

func TestRequestShape(t *testing.T) {
	t.Parallel()
	rec := sdkNewRecorder(t, `{"msg_key":7202942012620800001}`)
	clock := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	c, err := client.New(client.WithBaseURL(rec.srv.URL+"/prefix/"), client.WithRetry(client.NoRetry()),
		client.WithCredentials(client.Credentials{SESSDATA: "sess%2Cdata", BiliJct: "jct123", Mid: 1001}),
		client.WithUserAgent("test-agent/2"), client.WithDeviceID(func() string { return "DEV-1" }),
		client.WithClock(func() time.Time { return clock }))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()

	// A GET: path under the prefix, query, cookies, headers.
	sdkMust(c.SingleUnread(ctx, client.UnreadOptions{UnreadType: 2, ShowDustbin: true, ShowUnfollowList: true}))(t)
	got := rec.last(t)
	if got.Method != http.MethodGet || got.Path != "/prefix/session_svr/v1/session_svr/single_unread" {
		t.Errorf("SingleUnread: %s %s", got.Method, got.Path)
	}
	q, _ := url.ParseQuery(got.RawQuery)
	if q.Get("unread_type") != "2" || q.Get("show_dustbin") != "1" || q.Get("show_unfollow_list") != "1" {
		t.Errorf("SingleUnread query %q", got.RawQuery)
	}
	if q.Has("csrf") {
		t.Errorf("a GET carries csrf: %q", got.RawQuery)
	}
	if ck := got.Header.Get("Cookie"); ck != "SESSDATA=sess%2Cdata; bili_jct=jct123; DedeUserID=1001" {
		t.Errorf("Cookie header %q", ck)
	}
	if ua := got.Header.Get("User-Agent"); ua != "test-agent/2" {
		t.Errorf("User-Agent %q", ua)
	}
	if a := got.Header.Get("Accept"); a != "application/json" {
		t.Errorf("Accept %q", a)
	}

	// A POST: form body with both csrf fields, and send_msg's fields.
	res := sdkMust(c.SendText(ctx, client.Group(77), `say "hi" [doge]`))(t)
	if res.MsgKey != 7202942012620800001 {
		t.Errorf("msg_key %d, want 7202942012620800001 exactly", res.MsgKey)
	}
	got = rec.last(t)
	if got.Method != http.MethodPost || got.Path != "/prefix/web_im/v1/web_im/send_msg" {
		t.Errorf("SendText: %s %s", got.Method, got.Path)
	}
	if ct := got.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		t.Errorf("Content-Type %q", ct)
	}
	want := map[string]string{
		"csrf": "jct123", "csrf_token": "jct123",
		"msg[sender_uid]": "1001", "msg[receiver_id]": "77", "msg[receiver_type]": "2", "msg[msg_type]": "1",
		"msg[msg_status]": "0", "msg[dev_id]": "DEV-1", "msg[timestamp]": strconv.FormatInt(clock.Unix(), 10),
		"msg[new_face_version]": "1", "msg[content]": `{"content":"say \"hi\" [doge]"}`,
	}
	for k, v := range want {
		if got.Form.Get(k) != v {
			t.Errorf("send_msg %s = %q, want %q", k, got.Form.Get(k), v)
		}
	}
	// OldEmoji asks the server to convert old names; a zero Type is a user.
	sdkMust(c.Send(ctx, client.Outgoing{To: client.Talker{ID: 5}, MsgType: client.MsgText, Content: `{"content":"[doge]"}`, OldEmoji: true}))(t)
	got = rec.last(t)
	if got.Form.Get("msg[new_face_version]") != "0" || got.Form.Get("msg[receiver_type]") != "1" {
		t.Errorf("Send OldEmoji to Talker{ID:5}: %v", got.Form)
	}

	// Talker parameters of the session calls.
	sdkOK(t, c.SetTop(ctx, client.Group(9), true))
	got = rec.last(t)
	if got.Path != "/prefix/session_svr/v1/session_svr/set_top" || got.Form.Get("talker_id") != "9" ||
		got.Form.Get("session_type") != "2" || got.Form.Get("op_type") != "0" {
		t.Errorf("SetTop(group 9, pin): %s %v", got.Path, got.Form)
	}
	sdkOK(t, c.SetTop(ctx, client.User(8), false))
	if got = rec.last(t); got.Form.Get("op_type") != "1" || got.Form.Get("session_type") != "1" {
		t.Errorf("SetTop(user 8, unpin): %v", got.Form)
	}
	sdkOK(t, c.SetDND(ctx, client.Group(9), true))
	if got = rec.last(t); got.Form.Get("dnd_group_id") != "9" || got.Form.Has("dnd_uid") || got.Form.Get("uid") != "1001" ||
		got.Form.Get("setting") != "1" {
		t.Errorf("SetDND(group 9): %v", got.Form)
	}
	sdkOK(t, c.Ack(ctx, client.User(8), 0))
	if got = rec.last(t); got.Form.Has("ack_seqno") {
		t.Errorf("Ack with seqno 0 sends ack_seqno: %v", got.Form)
	}
	sdkOK(t, c.Ack(ctx, client.User(8), 18446744073709551615))
	if got = rec.last(t); got.Form.Get("ack_seqno") != "18446744073709551615" {
		t.Errorf("Ack ack_seqno %q", got.Form.Get("ack_seqno"))
	}
	sdkMust(c.ReplyTexts(ctx, 5, 3, 3, 1))(t)
	if got = rec.last(t); !strings.Contains(got.RawQuery, "type%5B%5D=1&type%5B%5D=3&type%5B%5D=5") {
		t.Errorf("ReplyTexts(5,3,3,1) query %q, want type[]=1,3,5 once each", got.RawQuery)
	}
	sdkMust(c.Messages(ctx, client.User(8), client.HistoryOptions{}))(t)
	got = rec.last(t)
	q, _ = url.ParseQuery(got.RawQuery)
	if q.Get("size") != strconv.Itoa(client.DefaultHistorySize) || q.Has("begin_seqno") || q.Has("end_seqno") || q.Get("mobi_app") != "web" {
		t.Errorf("Messages with zero options: %q", got.RawQuery)
	}
}

func TestDefaultDeviceIDIsUUID4(t *testing.T) {
	t.Parallel()
	rec := sdkNewRecorder(t, `{"msg_key":1}`)
	c := sdkMust(client.New(client.WithBaseURL(rec.srv.URL), client.WithRetry(client.NoRetry()),
		client.WithCredentials(client.Credentials{SESSDATA: "s", BiliJct: "j", Mid: 1})))(t)
	re := regexp.MustCompile(`^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$`)
	seen := map[string]bool{}
	for range 5 {
		sdkMust(c.SendText(t.Context(), client.User(2), "x"))(t)
		id := rec.last(t).Form.Get("msg[dev_id]")
		if !re.MatchString(id) {
			t.Errorf("dev_id %q is not an upper-case version-4 UUID", id)
		}
		seen[id] = true
	}
	if len(seen) != 5 {
		t.Errorf("5 sends used %d different dev_ids, want 5", len(seen))
	}
}

func TestWithHostsSplitsEndpoints(t *testing.T) {
	t.Parallel()
	vc := sdkNewRecorder(t, `{}`)
	api := sdkNewRecorder(t, `{}`)
	msg := sdkNewRecorder(t, `[]`)
	c := sdkMust(client.New(client.WithHosts(vc.srv.URL, api.srv.URL+"/api", msg.srv.URL+"/m"), client.WithRetry(client.NoRetry()),
		client.WithCredentials(client.Credentials{SESSDATA: "s", BiliJct: "j", Mid: 1})))(t)
	ctx := t.Context()
	onVC := map[string]func() error{
		"/x/im/web/msgfeed/unread":                 func() error { _, err := c.FeedUnread(ctx); return err },
		"/session_svr/v1/session_svr/get_sessions": func() error { _, err := c.Sessions(ctx, client.SessionsOptions{}); return err },
		"/x/im/link_setting/get_block_words":       func() error { _, err := c.BlockWords(ctx); return err },
	}
	onAPI := map[string]func() error{
		"/api/x/msgfeed/unread": func() error { _, err := c.FeedUnreadLegacy(ctx); return err },
		"/api/x/msgfeed/reply":  func() error { _, err := c.ReplyFeed(ctx, client.FeedCursor{}); return err },
		"/api/x/msgfeed/at":     func() error { _, err := c.AtFeed(ctx, client.FeedCursor{}); return err },
		"/api/x/msgfeed/like":   func() error { _, err := c.LikeFeed(ctx, client.FeedCursor{}); return err },
	}
	for path, call := range onVC {
		n := api.count()
		sdkOK(t, call())
		if got := vc.last(t).Path; got != path || api.count() != n {
			t.Errorf("want %s on the vc host, got %s (api requests %d→%d)", path, got, n, api.count())
		}
	}
	for path, call := range onAPI {
		n := vc.count()
		sdkOK(t, call())
		if got := api.last(t).Path; got != path || vc.count() != n {
			t.Errorf("want %s on the api host, got %s", path, got)
		}
	}
	// The system notifications live on message.bilibili.com.
	n, m := vc.count()+api.count(), msg.count()
	sdkMust(c.SystemNotices(ctx, 0, 0))(t)
	if got := msg.last(t).Path; got != "/m/x/sys-msg/query_notify_list" || vc.count()+api.count() != n || msg.count() != m+1 {
		t.Errorf("SystemNotices went to %s, want the message host", got)
	}
	// Cursor parameters of the feeds.
	sdkMust(c.AtFeed(ctx, client.FeedCursor{ID: 12, Time: 34}))(t)
	if q := api.last(t).RawQuery; q != "at_time=34&id=12" {
		t.Errorf("AtFeed cursor query %q", q)
	}
	sdkMust(c.LikeFeed(ctx, client.FeedCursor{ID: 12, Time: 34, IsEnd: true}))(t)
	if q := api.last(t).RawQuery; q != "id=12&like_time=34" {
		t.Errorf("LikeFeed cursor query %q", q)
	}
	sdkMust(c.ReplyFeed(ctx, client.FeedCursor{ID: 12, Time: 34}))(t)
	if q := api.last(t).RawQuery; q != "id=12&reply_time=34" {
		t.Errorf("ReplyFeed cursor query %q", q)
	}
	sdkMust(c.ReplyFeed(ctx, client.FeedCursor{Time: 34}))(t) // a time alone: everything before it
	if q := api.last(t).RawQuery; q != "reply_time=34" {
		t.Errorf("ReplyFeed time-only cursor query %q", q)
	}
	sdkMust(c.ReplyFeed(ctx, client.FeedCursor{}))(t)
	if q := api.last(t).RawQuery; q != "" {
		t.Errorf("ReplyFeed first-page query %q", q)
	}
}

// --- cookies ---

func TestParseCookies(t *testing.T) {
	t.Parallel()
	good := map[string]client.Credentials{
		"SESSDATA=abc; bili_jct=def; DedeUserID=123": {SESSDATA: "abc", BiliJct: "def", Mid: 123},
		" buvid3=x ;DedeUserID=18446744073709551615;SESSDATA=a%2Cb%2Cc=; other; bili_jct=j ": {
			SESSDATA: "a%2Cb%2Cc=", BiliJct: "j", Mid: 18446744073709551615},
		"SESSDATA=only":                     {SESSDATA: "only"},
		"SESSDATA=x; DedeUserID__ckMd5=abc": {SESSDATA: "x"},
	}
	for in, want := range good {
		got, err := client.ParseCookies(in)
		if err != nil || got != want {
			t.Errorf("ParseCookies(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	bad := []string{"", "bili_jct=j; DedeUserID=1", "SESSDATA=; bili_jct=j", "SESSDATA=s; DedeUserID=abc",
		"SESSDATA=s; DedeUserID=-1", "SESSDATA=s; DedeUserID=18446744073709551616", "SESSDATA=s; DedeUserID="}
	for _, in := range bad {
		got, err := client.ParseCookies(in)
		if err == nil || got != (client.Credentials{}) {
			t.Errorf("ParseCookies(%q) = %+v, %v; want an error and no credentials", in, got, err)
		}
	}
}

// TestParseCookiesLogsIn: the cookies a login hands out work through ParseCookies.
func TestParseCookiesLogsIn(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	u := s.NewUser(0, "cookie")
	cr := sdkMust(client.ParseCookies("SESSDATA=" + u.SESSDATA + "; bili_jct=" + u.BiliJct + "; DedeUserID=" + strconv.FormatUint(u.Mid, 10)))(t)
	c := sdkMust(client.New(client.WithBaseURL(s.URL), client.WithHTTPClient(s.HTTP.Client()), client.WithCredentials(cr),
		client.WithRetry(client.NoRetry())))(t)
	if c.Mid() != u.Mid {
		t.Errorf("Mid() = %d, want %d", c.Mid(), u.Mid)
	}
	sdkMust(c.SingleUnread(t.Context(), client.UnreadOptions{}))(t)
	sdkOK(t, c.SetPreferences(t.Context(), client.PreferenceUpdate{SetLike: sdkPtr(5)})) // a POST: csrf accepted
}

// TestGoldenAnswersDecodeStrictly decodes every golden answer of the server into the
// client's type for it, refusing unknown fields: the client's types name every field
// the server sends.
func TestGoldenAnswersDecodeStrictly(t *testing.T) {
	t.Parallel()
	types := map[string]func() any{
		"single_unread":      func() any { return new(client.SingleUnread) },
		"get_sessions":       func() any { return new(client.SessionPage) },
		"new_sessions":       func() any { return new(client.SessionPage) },
		"session_detail":     func() any { return new(client.Session) },
		"is_limit":           func() any { return new(client.Limit) },
		"get_msg_dnd":        func() any { return new(client.DND) },
		"get_session_ss":     func() any { return new(client.PushSetting) },
		"fetch_session_msgs": func() any { return new(client.History) },
		"send_msg":           func() any { return new(client.SendResult) },
		"link_setting_get":   func() any { return new(client.Preferences) },
		"get_block_words":    func() any { return new(client.BlockWords) },
		"get_reply_text": func() any {
			return new(struct {
				Texts []client.ReplyText `json:"texts"`
			})
		},
		"get_sys_setting":   func() any { return new(client.SysSetting) },
		"msgfeed_unread":    func() any { return new(client.FeedUnread) },
		"msgfeed_reply":     func() any { return new(client.ReplyFeed) },
		"msgfeed_at":        func() any { return new(client.AtFeed) },
		"msgfeed_like":      func() any { return new(client.LikeFeed) },
		"query_notify_list": func() any { return new([]client.SystemNotice) },
		"user_infos":        func() any { return new([]client.UserInfo) },
		"my_group_unread": func() any {
			return new(struct {
				UnreadCount int64 `json:"unread_count"`
			})
		},
		"show_create_group_icon": func() any {
			return new(struct {
				Show int `json:"show"`
			})
		},
	}
	checked := 0
	for _, dir := range []string{"../internal/wire/testdata/golden", "../internal/wire/testdata/golden_groups"} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			name := strings.TrimSuffix(e.Name(), ".json")
			var mk func() any
			best := ""
			for prefix, f := range types {
				if strings.HasPrefix(name, prefix) && len(prefix) > len(best) {
					best, mk = prefix, f
				}
			}
			if mk == nil {
				continue // POST answers with data {}
			}
			b, err := os.ReadFile(dir + "/" + e.Name())
			if err != nil {
				t.Fatal(err)
			}
			var env struct {
				Data json.RawMessage `json:"data"`
			}
			if err := json.Unmarshal(b, &env); err != nil {
				t.Fatalf("%s: %v", e.Name(), err)
			}
			dec := json.NewDecoder(bytes.NewReader(env.Data))
			dec.DisallowUnknownFields()
			if err := dec.Decode(mk()); err != nil {
				t.Errorf("%s: the client's type for %s does not take the answer: %v", e.Name(), best, err)
			}
			checked++
		}
	}
	if checked < 40 {
		t.Errorf("only %d golden answers checked", checked)
	}
}
