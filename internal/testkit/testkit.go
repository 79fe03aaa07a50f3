// Package testkit starts a whole bilimsg in-process for tests and benchmarks, and
// speaks both of its APIs: the operator API and bilibili's.
package testkit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/internal/im"
	"github.com/bilimsg/bilimsg/internal/server"
)

// Epoch is where test clocks start: 2024-06-02 08:00:00 UTC.
var Epoch = time.Date(2024, 6, 2, 8, 0, 0, 0, time.UTC)

// Options tune the server under test.
type Options struct {
	// Rules: the zero value has no rate limits and the default recv_reply period (24 h);
	// set RecvReplyPeriod to 1ns to have recv_reply answer every message.
	Rules      im.Config
	Dir        string // data directory; default t.TempDir()
	RealClock  bool   // use the system clock instead of a fake one at Epoch
	AdminToken string // default "test-admin-token"
	Demo       bool   // seed the demo users and history, as `bilimsg serve --demo` does
}

// Server is a running bilimsg on a loopback port.
type Server struct {
	TB    testing.TB
	App   *server.App
	HTTP  *httptest.Server
	URL   string
	Token string
	Dir   string // the data directory (demo-logins.json is there with Demo)
}

// Start builds and starts a server; it is closed when the test ends.
func Start(tb testing.TB, opt Options) *Server {
	tb.Helper()
	if opt.Dir == "" {
		opt.Dir = tb.TempDir()
	}
	if opt.AdminToken == "" {
		opt.AdminToken = "test-admin-token"
	}
	if opt.Rules.RecvReplyPeriod == 0 {
		opt.Rules.RecvReplyPeriod = im.DefaultConfig().RecvReplyPeriod
	}
	if opt.Rules.PasswordIterations == 0 {
		opt.Rules.PasswordIterations = 1000 // a password check in ~0.3 ms, not 150 ms
	}
	app, err := server.Build(context.Background(), server.Config{DataDir: opt.Dir, AdminToken: opt.AdminToken,
		FakeClock: !opt.RealClock, ClockStart: Epoch, Synchronous: "normal", Rules: opt.Rules,
		Demo: opt.Demo, Out: io.Discard})
	if err != nil {
		tb.Fatalf("build server: %v", err)
	}
	hs := httptest.NewServer(app.Handler)
	tb.Cleanup(func() {
		hs.Close()
		app.Close()
	})
	return &Server{TB: tb, App: app, HTTP: hs, URL: hs.URL, Token: opt.AdminToken, Dir: opt.Dir}
}

// Admin calls the operator API and decodes the JSON answer into out (when non-nil).
// It returns the HTTP status.
func (s *Server) Admin(method, path string, body any, out any) int {
	s.TB.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			s.TB.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.URL+path, rd)
	req.Header.Set("Authorization", "Bearer "+s.Token)
	resp, err := s.HTTP.Client().Do(req)
	if err != nil {
		s.TB.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			s.TB.Fatalf("%s %s: decode: %v", method, path, err)
		}
	}
	return resp.StatusCode
}

// User is a created user with a login.
type User struct {
	Mid      uint64
	SESSDATA string
	BiliJct  string
}

// NewUser creates a user with the given mid (0: assigned) and logs it in.
func (s *Server) NewUser(mid uint64, name string) User {
	s.TB.Helper()
	body := map[string]any{"name": name}
	if mid != 0 {
		body["mid"] = mid
	}
	var u struct {
		Mid uint64 `json:"mid"`
	}
	if st := s.Admin("POST", "/admin/v1/users", body, &u); st != 200 {
		s.TB.Fatalf("create user %d: status %d", mid, st)
	}
	var cr im.Credentials
	if st := s.Admin("POST", fmt.Sprintf("/admin/v1/users/%d/login", u.Mid), nil, &cr); st != 200 {
		s.TB.Fatalf("login %d: status %d", u.Mid, st)
	}
	return User{Mid: u.Mid, SESSDATA: cr.SESSDATA, BiliJct: cr.BiliJct}
}

// Follow makes a follow b (on) or unfollow.
func (s *Server) Follow(a, b uint64, on bool) {
	s.TB.Helper()
	method := "PUT"
	if !on {
		method = "DELETE"
	}
	if st := s.Admin(method, fmt.Sprintf("/admin/v1/users/%d/follows/%d", a, b), nil, nil); st != 200 {
		s.TB.Fatalf("follow %d→%d: status %d", a, b, st)
	}
}

// Block makes a block b (on) or unblock.
func (s *Server) Block(a, b uint64, on bool) {
	s.TB.Helper()
	method := "PUT"
	if !on {
		method = "DELETE"
	}
	if st := s.Admin(method, fmt.Sprintf("/admin/v1/users/%d/blacklist/%d", a, b), nil, nil); st != 200 {
		s.TB.Fatalf("block %d→%d: status %d", a, b, st)
	}
}

// Advance moves the fake clock.
func (s *Server) Advance(d time.Duration) {
	s.TB.Helper()
	s.App.FakeClock.Advance(d)
}

// Raw is a bilibili response: its HTTP status and body.
type Raw struct {
	Status int
	Header http.Header
	Body   []byte
}

// Envelope decodes the common envelope fields; numbers stay exact.
func (r Raw) Envelope(tb testing.TB) map[string]any {
	tb.Helper()
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		tb.Fatalf("response is not a JSON object: %v\n%s", err, r.Body)
	}
	return m
}

// Code returns the envelope's code.
func (r Raw) Code(tb testing.TB) int {
	tb.Helper()
	c, err := strconv.Atoi(string(r.Envelope(tb)["code"].(json.Number)))
	if err != nil {
		tb.Fatalf("code: %v", err)
	}
	return c
}

// Data decodes the envelope's data into out.
func (r Raw) Data(tb testing.TB, out any) {
	tb.Helper()
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(r.Body, &env); err != nil {
		tb.Fatalf("decode: %v\n%s", err, r.Body)
	}
	if err := json.Unmarshal(env.Data, out); err != nil {
		tb.Fatalf("decode data: %v\n%s", err, r.Body)
	}
}

// Get calls a bilibili GET endpoint as u (zero User: no cookie).
func (s *Server) Get(u User, path string, q url.Values) Raw {
	s.TB.Helper()
	req, _ := http.NewRequest("GET", s.URL+path+"?"+q.Encode(), nil)
	return s.do(u, req)
}

// Post calls a bilibili POST endpoint as u, adding csrf and csrf_token unless the form
// already has one of them.
func (s *Server) Post(u User, path string, form url.Values) Raw {
	s.TB.Helper()
	if form == nil {
		form = url.Values{}
	}
	if !form.Has("csrf") && !form.Has("csrf_token") && u.BiliJct != "" {
		form.Set("csrf", u.BiliJct)
		form.Set("csrf_token", u.BiliJct)
	}
	req, _ := http.NewRequest("POST", s.URL+path, bytes.NewBufferString(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return s.do(u, req)
}

func (s *Server) do(u User, req *http.Request) Raw {
	s.TB.Helper()
	if u.SESSDATA != "" {
		req.AddCookie(&http.Cookie{Name: "SESSDATA", Value: u.SESSDATA})
		req.AddCookie(&http.Cookie{Name: "bili_jct", Value: u.BiliJct})
	}
	resp, err := s.HTTP.Client().Do(req)
	if err != nil {
		s.TB.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.TB.Fatal(err)
	}
	return Raw{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// Paths of the bilibili API.
const (
	PathSingleUnread    = "/session_svr/v1/session_svr/single_unread"
	PathMyGroupUnread   = "/session_svr/v1/session_svr/my_group_unread"
	PathGetSessions     = "/session_svr/v1/session_svr/get_sessions"
	PathNewSessions     = "/session_svr/v1/session_svr/new_sessions"
	PathSessionDetail   = "/session_svr/v1/session_svr/session_detail"
	PathIsLimit         = "/link_setting/v1/link_setting/is_limit"
	PathGetMsgDnd       = "/link_setting/v1/link_setting/get_msg_dnd"
	PathGetSessionSS    = "/link_setting/v1/link_setting/get_session_ss"
	PathUpdateAck       = "/session_svr/v1/session_svr/update_ack"
	PathRemoveSession   = "/session_svr/v1/session_svr/remove_session"
	PathSetTop          = "/session_svr/v1/session_svr/set_top"
	PathSetMsgDnd       = "/link_setting/v1/link_setting/set_msg_dnd"
	PathSetPushSS       = "/link_setting/v1/link_setting/set_push_ss"
	PathUpdateIntercept = "/session_svr/v1/session_svr/update_intercept"
	PathDustbinAck      = "/session_svr/v1/session_svr/batch_update_dustbin_ack"
	PathDustbinRemove   = "/session_svr/v1/session_svr/batch_rm_dustbin"
	PathFetchMsgs       = "/svr_sync/v1/svr_sync/fetch_session_msgs"
	PathSendMsg         = "/web_im/v1/web_im/send_msg"

	PathGetPrefs        = "/link_setting/v1/link_setting/get"
	PathSetPrefs        = "/link_setting/v1/link_setting/set"
	PathGetBlockWords   = "/x/im/link_setting/get_block_words"
	PathAddBlockWord    = "/x/im/link_setting/add_block_word"
	PathDelBlockWord    = "/x/im/link_setting/del_block_word"
	PathGetReplyText    = "/x/im/auto_reply/get_reply_text"
	PathSetReplyText    = "/x/im/auto_reply/set_reply_text"
	PathDelReplyText    = "/x/im/auto_reply/del_reply_text"
	PathGetSysSetting   = "/link_setting/v1/link_setting/get_sys_setting"
	PathShowCreateGroup = "/link_group/v1/member/show_create_group_icon"
)

// SendForm builds a send_msg form like bilibili's web client does.
func SendForm(from, to uint64, msgType int, content string) url.Values {
	f := url.Values{}
	f.Set("msg[sender_uid]", strconv.FormatUint(from, 10))
	f.Set("msg[receiver_id]", strconv.FormatUint(to, 10))
	f.Set("msg[receiver_type]", "1")
	f.Set("msg[msg_type]", strconv.Itoa(msgType))
	f.Set("msg[msg_status]", "0")
	f.Set("msg[dev_id]", "372778FD-E359-461D-86A3-EA2BCC6FF52A")
	f.Set("msg[timestamp]", "1626181379")
	f.Set("msg[new_face_version]", "1")
	f.Set("msg[content]", content)
	return f
}

// Text returns a msg_type 1 content for s.
func Text(s string) string {
	b, _ := json.Marshal(map[string]string{"content": s})
	return string(b)
}

// SendText sends a text message and returns its msg_key; it fails the test on a non-zero code.
func (s *Server) SendText(from User, to uint64, text string) uint64 {
	s.TB.Helper()
	r := s.Post(from, PathSendMsg, SendForm(from.Mid, to, 1, Text(text)))
	var d struct {
		MsgKey uint64 `json:"msg_key"`
	}
	if c := r.Code(s.TB); c != 0 {
		s.TB.Fatalf("send %d→%d: code %d: %s", from.Mid, to, c, r.Body)
	}
	r.Data(s.TB, &d)
	return d.MsgKey
}

// MustOK posts form to path as u and fails the test unless the code is 0.
func (s *Server) MustOK(u User, path string, form url.Values) Raw {
	s.TB.Helper()
	r := s.Post(u, path, form)
	if c := r.Code(s.TB); c != 0 {
		s.TB.Fatalf("POST %s as %d: code %d: %s", path, u.Mid, c, r.Body)
	}
	return r
}

// SetFans sets a user's fan count (1000 unlock auto-replies).
func (s *Server) SetFans(mid uint64, fans int64) {
	s.TB.Helper()
	if st := s.Admin("PATCH", fmt.Sprintf("/admin/v1/users/%d", mid), map[string]any{"fans": fans}, nil); st != 200 {
		s.TB.Fatalf("set fans of %d: status %d", mid, st)
	}
}

// SetPrefs changes u's message settings through link_setting/set (name → value).
func (s *Server) SetPrefs(u User, prefs map[string]int) {
	s.TB.Helper()
	f := url.Values{}
	for k, v := range prefs {
		f.Set(k, strconv.Itoa(v))
	}
	s.MustOK(u, PathSetPrefs, f)
}

// SetReply stores an auto-reply text of type typ (1 followed, 3 received, 5 大航海)
// through set_reply_text.
func (s *Server) SetReply(u User, typ int, reply string) {
	s.TB.Helper()
	s.MustOK(u, PathSetReplyText, url.Values{"type": {strconv.Itoa(typ)}, "reply": {reply}})
}

// AddKeywordRule creates a keyword auto-reply rule (type 2).
func (s *Server) AddKeywordRule(u User, title, key1, key2, reply string) {
	s.TB.Helper()
	s.MustOK(u, PathSetReplyText, url.Values{"type": {"2"}, "title": {title}, "key1": {key1}, "key2": {key2}, "reply": {reply}})
}

// AddBlockWord adds one of u's block words.
func (s *Server) AddBlockWord(u User, word string) {
	s.TB.Helper()
	s.MustOK(u, PathAddBlockWord, url.Values{"content": {word}})
}

// PutWork registers a work of mid through the operator API.
func (s *Server) PutWork(mid, aid uint64, work map[string]any) {
	s.TB.Helper()
	if st := s.Admin("PUT", fmt.Sprintf("/admin/v1/users/%d/works/%d", mid, aid), work, nil); st != 200 {
		s.TB.Fatalf("put work %d of %d: status %d", aid, mid, st)
	}
}

// Guard reports that fan bought a guard in up's live room; it returns whether up's
// 大航海 auto-reply was sent.
func (s *Server) Guard(up, fan uint64) bool {
	s.TB.Helper()
	var out struct {
		Replied bool `json:"replied"`
	}
	if st := s.Admin("POST", fmt.Sprintf("/admin/v1/users/%d/guards/%d", up, fan), nil, &out); st != 200 {
		s.TB.Fatalf("guard %d→%d: status %d", fan, up, st)
	}
	return out.Replied
}

// NewGroup creates a fan group owned by owner through the operator API (raising the
// owner's fans to 1000 first) and returns its id.
func (s *Server) NewGroup(owner uint64, name string) uint64 {
	s.TB.Helper()
	s.SetFans(owner, 1000)
	var g struct {
		ID uint64 `json:"id"`
	}
	if st := s.Admin("POST", "/admin/v1/groups", map[string]any{"owner": owner, "name": name}, &g); st != 200 {
		s.TB.Fatalf("create group of %d: status %d", owner, st)
	}
	return g.ID
}

// Join adds mid to group gid through the operator API.
func (s *Server) Join(gid, mid uint64) {
	s.TB.Helper()
	if st := s.Admin("PUT", fmt.Sprintf("/admin/v1/groups/%d/members/%d", gid, mid), nil, nil); st != 200 {
		s.TB.Fatalf("join %d to group %d: status %d", mid, gid, st)
	}
}

// GroupForm builds a send_msg form for fan group gid.
func GroupForm(from, gid uint64, msgType int, content string) url.Values {
	f := SendForm(from, gid, msgType, content)
	f.Set("msg[receiver_type]", "2")
	return f
}

// SendGroupText sends a text to fan group gid and returns its msg_key; it fails the test
// on a non-zero code.
func (s *Server) SendGroupText(from User, gid uint64, text string) uint64 {
	s.TB.Helper()
	r := s.MustOK(from, PathSendMsg, GroupForm(from.Mid, gid, 1, Text(text)))
	var d struct {
		MsgKey uint64 `json:"msg_key"`
	}
	r.Data(s.TB, &d)
	return d.MsgKey
}
