package wire_test

// Error-code tests: every documented failure of every endpoint, asserting the code, the
// message text exactly as the catalog writes it (full-width punctuation), the envelope
// family (msg only in the svr family), whether data is null or absent (catalog §9 item
// 22 and the route table) and HTTP 200. A hostile-input table checks that malformed
// requests always get a documented code in a valid envelope, never a 500.

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/internal/im"
	"github.com/bilimsg/bilimsg/internal/testkit"
)

// catalogText is each code's message as the catalog documents it (§3 P19, §6, §3 P5, §9).
var catalogText = map[int]string{
	-101:    "账号未登录",
	-111:    "csrf 校验失败",
	-400:    "请求错误",
	-404:    "啥都木有",
	2:       "非法参数",
	10005:   "msgkey不存在",
	21007:   "消息过长，无法发送",
	21020:   "你发送消息频率过快，请稍后再发~",
	21026:   "不能给自己发送消息哦~",
	21035:   "该类消息暂时无法发送",
	21037:   "图片格式不合法，不要调戏接口啦",
	21041:   "消息已超期，不能撤回了哦",
	21042:   "消息已经撤回了哦",
	21046:   "你发消息的频率太高了，请在24小时后再发吧~",
	21047:   "对方主动回复或关注你前，最多发送1条消息~",
	25003:   "因对方隐私设置，暂无法给他发送聊天消息",
	25005:   "你已拉黑了对方，请先将对方移出黑名单后才能聊天",
	700014:  "你已不在此同萌中QAQ，无法执行此操作",
	1000004: "入口节点已存在",
	// §4 S1–S10.
	700009:  "权限不足",
	1003:    "不能删除别人的规则",
	27011:   "请求参数错误",
	1500001: "自动回复内容太长",
	1500002: "规则数量已达上限，请删除后新建",
	1500003: "您保存的内容含敏感信息，请修改后重试",
	1900004: "添加失败，屏蔽词限制最多20个字",
	1900005: "添加失败，最多可以添加200个屏蔽词",
	1900006: "添加失败，屏蔽词重复",
	1900007: "添加失败，屏蔽词不支持空格",
}

// dataWant is what an error envelope carries as data.
type dataWant int

const (
	dataNull   dataWant = iota // "data": null
	dataAbsent                 // no data key
	dataAny                    // not checked
)

// endpoint is the catalog's view of one route.
type endpoint struct {
	name string
	path string
	post bool
	svr  bool // svr family: msg present
	// errData: data of errors raised by the handler; preData: of errors raised before
	// it (-101, -111, unparsable request, wrong method).
	errData, preData dataWant
	valid            func() url.Values // parameters that succeed for alice in errWorld
}

func vals(kv ...string) func() url.Values { return func() url.Values { return q(kv...) } }

var endpoints = []endpoint{
	{"single_unread", testkit.PathSingleUnread, false, true, dataNull, dataNull, vals()},
	{"my_group_unread", testkit.PathMyGroupUnread, false, true, dataNull, dataNull, vals()},
	{"get_sessions", testkit.PathGetSessions, false, true, dataNull, dataNull, vals("session_type", "1")},
	{"new_sessions", testkit.PathNewSessions, false, true, dataNull, dataNull, vals()},
	{"session_detail", testkit.PathSessionDetail, false, true, dataNull, dataNull, vals("talker_id", "1002", "session_type", "1")},
	{"is_limit", testkit.PathIsLimit, false, true, dataNull, dataNull, vals("uid", "1002", "type", "1")},
	{"get_msg_dnd", testkit.PathGetMsgDnd, false, true, dataNull, dataNull, vals("own_uid", "1001")},
	{"get_session_ss", testkit.PathGetSessionSS, false, true, dataNull, dataNull, vals("talker_uid", "1002")},
	{"update_ack", testkit.PathUpdateAck, true, true, dataAbsent, dataAbsent, vals("talker_id", "1002", "session_type", "1")},
	{"remove_session", testkit.PathRemoveSession, true, true, dataAbsent, dataAbsent, vals("talker_id", "1002", "session_type", "1")},
	{"set_top", testkit.PathSetTop, true, true, dataAbsent, dataAbsent, vals("talker_id", "1002", "session_type", "1", "op_type", "0")},
	{"set_msg_dnd", testkit.PathSetMsgDnd, true, true, dataAbsent, dataAbsent, vals("setting", "1", "dnd_uid", "1002")},
	{"set_push_ss", testkit.PathSetPushSS, true, true, dataAbsent, dataAbsent, vals("talker_uid", "1002", "setting", "1")},
	{"update_intercept", testkit.PathUpdateIntercept, true, true, dataAbsent, dataAbsent, vals("talker_id", "1002", "status", "0")},
	{"batch_update_dustbin_ack", testkit.PathDustbinAck, true, true, dataAbsent, dataAbsent, vals()},
	{"batch_rm_dustbin", testkit.PathDustbinRemove, true, true, dataAbsent, dataAbsent, vals()},
	{"fetch_session_msgs", testkit.PathFetchMsgs, false, true, dataNull, dataNull, vals("talker_id", "1002", "session_type", "1")},
	{"send_msg", testkit.PathSendMsg, true, false, dataNull, dataAbsent,
		func() url.Values { return testkit.SendForm(alice, bob, 1, testkit.Text("hi")) }},
	// §4 S1–S10 (docs/settings.md): GETs answer errors with data null, POSTs without data;
	// x/im/auto_reply/* is the x family.
	{"link_setting_get", testkit.PathGetPrefs, false, true, dataNull, dataNull, vals("msg_notify", "1")},
	{"link_setting_set", testkit.PathSetPrefs, true, true, dataAbsent, dataAbsent, vals("set_like", "5")},
	{"get_block_words", testkit.PathGetBlockWords, false, true, dataNull, dataNull, vals()},
	{"add_block_word", testkit.PathAddBlockWord, true, true, dataAbsent, dataAbsent, freshBlockWord},
	{"del_block_word", testkit.PathDelBlockWord, true, true, dataAbsent, dataAbsent, vals("content", "不存在的词")},
	{"get_reply_text", testkit.PathGetReplyText, false, false, dataNull, dataNull, vals("type[]", "1")},
	{"set_reply_text", testkit.PathSetReplyText, true, false, dataAbsent, dataAbsent, vals("type", "1", "reply", "感谢关注")},
	{"del_reply_text", testkit.PathDelReplyText, true, false, dataAbsent, dataAbsent, vals("id", "999999")},
	{"get_sys_setting", testkit.PathGetSysSetting, false, true, dataNull, dataNull, vals()},
	{"show_create_group_icon", testkit.PathShowCreateGroup, false, true, dataNull, dataNull, vals()},
	// §6 (docs/choices.md "User infos"): a GET of the svr family.
	{"user_infos", uiPath, false, true, dataNull, dataNull, vals("uids", "1002,1003")},
}

// getOrPost are the endpoints that answer POST (with csrf) as well as GET (§4 S1).
var getOrPost = map[string]bool{"link_setting_get": true}

// blockWordSeq numbers the words of freshBlockWord.
var blockWordSeq atomic.Int64

// freshBlockWord is add_block_word's valid parameters: a word never added before, so that
// a test may add it as often as it likes without 1900006.
func freshBlockWord() url.Values {
	return q("content", fmt.Sprintf("词%d", blockWordSeq.Add(1)))
}

// bareRequestErrors: send_msg's errors about the request itself (-101, -111, -400) carry
// no data, its own refusals data: null (docs/choices.md, issue #1023 vs #1033).
func bareRequestErrors(ep string, code int, data dataWant) dataWant {
	if ep == "send_msg" && data != dataAny && (code == -400 || code == -101 || code == -111) {
		return dataAbsent
	}
	return data
}

func endpointNamed(t *testing.T, name string) endpoint {
	t.Helper()
	for _, e := range endpoints {
		if e.name == name {
			return e
		}
	}
	t.Fatalf("no endpoint %s", name)
	return endpoint{}
}

// errWorld: alice (1001), bob (1002) who follows alice, carol (1003). alice wrote to bob
// once. The clock stands at Epoch+1s.
type errWorld struct {
	s                 *testkit.Server
	alice, bob, carol testkit.User
	aliceKey          uint64
}

func newErrWorld(t *testing.T, opt testkit.Options) *errWorld {
	t.Helper()
	s := testkit.Start(t, opt)
	w := &errWorld{s: s, alice: s.NewUser(alice, "alice"), bob: s.NewUser(bob, "bob"), carol: s.NewUser(carol, "carol")}
	s.Follow(bob, alice, true)
	w.aliceKey = s.SendText(w.alice, bob, "你好")
	s.Advance(time.Second)
	return w
}

// rawCall sends one request: query goes to the URL, body (when not nil) is POSTed with
// the given Content-Type; cookies are u's (none for the zero User).
func rawCall(t *testing.T, s *testkit.Server, method, path, query string, body []byte, ctype string, u testkit.User) testkit.Raw {
	t.Helper()
	target := s.URL + path
	if query != "" {
		target += "?" + query
	}
	var req *http.Request
	var err error
	if body != nil {
		req, err = http.NewRequest(method, target, bytes.NewReader(body))
		if ctype == "" {
			ctype = "application/x-www-form-urlencoded"
		}
		req.Header.Set("Content-Type", ctype)
	} else {
		req, err = http.NewRequest(method, target, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	// Set the header directly: http.Cookie would drop values it considers invalid.
	switch {
	case u.SESSDATA != "":
		req.Header.Set("Cookie", "SESSDATA="+u.SESSDATA+"; bili_jct="+u.BiliJct)
	case u.BiliJct != "":
		req.Header.Set("Cookie", "bili_jct="+u.BiliJct)
	}
	resp, err := s.HTTP.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	return testkit.Raw{Status: resp.StatusCode, Body: b.Bytes()}
}

// callEp calls e with its own method: GET parameters in the query, POST ones in the body.
func callEp(t *testing.T, s *testkit.Server, e endpoint, u testkit.User, p url.Values) testkit.Raw {
	t.Helper()
	if e.post {
		return rawCall(t, s, "POST", e.path, "", []byte(p.Encode()), "", u)
	}
	return rawCall(t, s, "GET", e.path, p.Encode(), nil, "", u)
}

// withCSRF returns p plus csrf and csrf_token for u.
func withCSRF(u testkit.User, p url.Values) url.Values {
	p.Set("csrf", u.BiliJct)
	p.Set("csrf_token", u.BiliJct)
	return p
}

// edit returns a copy of p changed by edits: "k=v" sets k, "-k" deletes it.
func edit(p url.Values, edits ...string) url.Values {
	out := url.Values{}
	for k, v := range p {
		out[k] = append([]string(nil), v...)
	}
	for _, e := range edits {
		if k, ok := strings.CutPrefix(e, "-"); ok {
			out.Del(k)
			continue
		}
		k, v, _ := strings.Cut(e, "=")
		out.Set(k, v)
	}
	return out
}

// wantEnvelope asserts HTTP 200 and an error envelope of the family with code, the
// catalog's text for it, and data as wanted.
func wantEnvelope(t *testing.T, r testkit.Raw, svr bool, code int, data dataWant) {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Errorf("HTTP %d, want 200: %s", r.Status, r.Body)
	}
	root, err := parseOrdered(r.Body)
	if err != nil {
		t.Fatalf("not a JSON envelope (%v): %s", err, r.Body)
	}
	keys := envelopeX
	if svr {
		keys = envelopeSvr
	}
	switch data {
	case dataAbsent:
		keys = keys[:len(keys)-1]
		wantKeys(t, "envelope", root, keys)
	case dataNull:
		wantKeys(t, "envelope", root, keys)
		if d := root.get("data"); d == nil || d.kind != 'z' {
			t.Errorf("data must be null: %s", r.Body)
		}
	default:
		wantKeys(t, "envelope", root, keys, "data")
	}
	if root.kind != 'o' {
		return
	}
	if got := root.get("code"); got == nil || string(got.num) != strconv.Itoa(code) {
		t.Errorf("code = %v, want %d: %s", got, code, r.Body)
		return
	}
	text, ok := catalogText[code]
	if !ok {
		t.Fatalf("no catalog text for %d", code)
	}
	if m := root.get("message"); m == nil || m.str != text {
		t.Errorf("message = %q, want %q", m.str, text)
	}
	if m := root.get("msg"); svr && (m == nil || m.str != text) {
		t.Errorf("msg must repeat the message in the svr family: %s", r.Body)
	}
	if ttl := root.get("ttl"); ttl == nil || ttl.num != "1" {
		t.Errorf("ttl must be 1")
	}
}

func wantEpError(t *testing.T, r testkit.Raw, e endpoint, code int, pre bool) {
	t.Helper()
	d := e.errData
	if pre {
		d = e.preData
	}
	wantEnvelope(t, r, e.svr, code, bareRequestErrors(e.name, code, d))
}

func wantOK(t *testing.T, r testkit.Raw) {
	t.Helper()
	if r.Status != 200 {
		t.Fatalf("HTTP %d: %s", r.Status, r.Body)
	}
	if c := r.Code(t); c != 0 {
		t.Fatalf("code %d, want 0: %s", c, r.Body)
	}
}

// ---------------------------------------------------------------------------------------

// TestErrBaseline: the valid parameters used below succeed, so every failure in the other
// tests comes from the one thing they change.
func TestErrBaseline(t *testing.T) {
	t.Parallel()
	w := newErrWorld(t, testkit.Options{})
	for _, e := range endpoints {
		t.Run(e.name, func(t *testing.T) {
			p := e.valid()
			if e.post {
				p = withCSRF(w.alice, p)
			}
			wantOK(t, callEp(t, w.s, e, w.alice, p))
		})
	}
}

func TestErrNotLoggedIn(t *testing.T) {
	t.Parallel()
	w := newErrWorld(t, testkit.Options{})
	for _, e := range endpoints {
		t.Run(e.name, func(t *testing.T) {
			p := withCSRF(w.alice, e.valid())
			wantEpError(t, callEp(t, w.s, e, testkit.User{}, p), e, -101, true)
			unknown := testkit.User{SESSDATA: "not-a-login-0123456789abcdef", BiliJct: w.alice.BiliJct}
			wantEpError(t, callEp(t, w.s, e, unknown, p), e, -101, true)
			// Only the SESSDATA cookie logs in; bili_jct alone does not.
			wantEpError(t, callEp(t, w.s, e, testkit.User{BiliJct: w.alice.BiliJct}, p), e, -101, true)
		})
	}
}

func TestErrCSRF(t *testing.T) {
	t.Parallel()
	w := newErrWorld(t, testkit.Options{})
	right, wrong := w.alice.BiliJct, "0123456789abcdef0123456789abcdef"
	for _, e := range endpoints {
		if !e.post {
			continue
		}
		t.Run(e.name, func(t *testing.T) {
			for _, c := range []struct {
				name    string
				edits   []string
				refused bool
			}{
				{"missing both", []string{"-csrf", "-csrf_token"}, true},
				{"both wrong", []string{"csrf=" + wrong, "csrf_token=" + wrong}, true},
				{"both empty", []string{"csrf=", "csrf_token="}, true},
				{"only csrf, wrong", []string{"csrf=" + wrong, "-csrf_token"}, true},
				{"another user's bili_jct", []string{"csrf=" + w.bob.BiliJct, "csrf_token=" + w.bob.BiliJct}, true},
				{"csrf right, csrf_token wrong", []string{"csrf=" + right, "csrf_token=" + wrong}, false},
				{"csrf wrong, csrf_token right", []string{"csrf=" + wrong, "csrf_token=" + right}, false},
				{"only csrf_token", []string{"-csrf", "csrf_token=" + right}, false},
				{"only csrf", []string{"csrf=" + right, "-csrf_token"}, false},
			} {
				t.Run(c.name, func(t *testing.T) {
					p := edit(e.valid(), c.edits...)
					r := callEp(t, w.s, e, w.alice, p)
					if c.refused {
						wantEpError(t, r, e, -111, true)
					} else {
						wantOK(t, r)
					}
				})
			}
		})
	}
}

// TestErrParams: -400 for missing or non-numeric required parameters, code 2 for
// well-formed values outside their domain where the route documents it, 1000004.
func TestErrParams(t *testing.T) {
	t.Parallel()
	w := newErrWorld(t, testkit.Options{})
	// dave has a settings-only session with alice (pinned before any message).
	w.s.NewUser(dave, "dave")
	wantOK(t, w.s.Post(w.alice, testkit.PathSetTop, q("talker_id", "1004", "session_type", "1", "op_type", "0")))
	cases := []struct {
		ep    string
		edits []string
		code  int
	}{
		{"single_unread", []string{"unread_type=abc"}, -400},
		{"single_unread", []string{"show_dustbin=1.5"}, -400},
		{"single_unread", []string{"show_unfollow_list=x"}, -400},
		{"get_sessions", []string{"-session_type"}, -400},
		{"get_sessions", []string{"session_type="}, -400},
		{"get_sessions", []string{"session_type=abc"}, -400},
		{"get_sessions", []string{"session_type=10"}, 2},
		{"get_sessions", []string{"session_type=0"}, 2},
		{"get_sessions", []string{"session_type=-1"}, 2},
		{"get_sessions", []string{"size=abc"}, -400},
		{"get_sessions", []string{"sort_rule=x"}, -400},
		{"get_sessions", []string{"begin_ts=yesterday"}, -400},
		{"get_sessions", []string{"end_ts=1e6"}, -400},
		{"get_sessions", []string{"begin_ts=-1"}, 2},
		{"new_sessions", []string{"begin_ts=abc"}, -400},
		{"new_sessions", []string{"size=abc"}, -400},
		{"session_detail", []string{"-talker_id"}, -400},
		{"session_detail", []string{"talker_id=abc"}, -400},
		{"session_detail", []string{"talker_id=-2"}, -400},
		{"session_detail", []string{"-session_type"}, -400},
		{"session_detail", []string{"session_type=x"}, -400},
		{"session_detail", []string{"session_type=3"}, -400},
		{"session_detail", []string{"talker_id=1003"}, 1000004}, // never chatted
		{"session_detail", []string{"talker_id=1004"}, 1000004}, // settings only, no message
		{"session_detail", []string{"talker_id=1001"}, 1000004}, // myself
		{"is_limit", []string{"-uid"}, -400},
		{"is_limit", []string{"uid=abc"}, -400},
		{"is_limit", []string{"-type"}, -400},
		{"is_limit", []string{"type=abc"}, -400},
		{"is_limit", []string{"type=2"}, 2},
		{"get_msg_dnd", []string{"-own_uid"}, -400},
		{"get_msg_dnd", []string{"own_uid=abc"}, -400},
		{"get_msg_dnd", []string{"own_uid=1002"}, 2},
		{"get_msg_dnd", []string{"uids=abc"}, -400},
		{"get_msg_dnd", []string{"group_ids=x,1"}, -400},
		{"get_session_ss", []string{"-talker_uid"}, -400},
		{"get_session_ss", []string{"talker_uid=abc"}, -400},
		{"update_ack", []string{"-talker_id"}, -400},
		{"update_ack", []string{"talker_id=abc"}, -400},
		{"update_ack", []string{"-session_type"}, -400},
		{"update_ack", []string{"session_type=3"}, -400},
		{"update_ack", []string{"ack_seqno=abc"}, -400},
		{"update_ack", []string{"ack_seqno=-1"}, -400},
		{"remove_session", []string{"-talker_id"}, -400},
		{"remove_session", []string{"-session_type"}, -400},
		{"remove_session", []string{"session_type=abc"}, -400},
		{"set_top", []string{"-talker_id"}, -400},
		{"set_top", []string{"-op_type"}, -400},
		{"set_top", []string{"op_type=abc"}, -400},
		{"set_top", []string{"op_type=2"}, -400},
		{"set_msg_dnd", []string{"-setting"}, -400},
		{"set_msg_dnd", []string{"setting=abc"}, -400},
		{"set_msg_dnd", []string{"setting=2"}, -400},
		{"set_msg_dnd", []string{"-dnd_uid"}, -400},
		{"set_msg_dnd", []string{"dnd_uid=abc"}, -400},
		{"set_msg_dnd", []string{"uid=abc"}, -400},
		{"set_push_ss", []string{"-talker_uid"}, -400},
		{"set_push_ss", []string{"talker_uid=abc"}, -400},
		{"set_push_ss", []string{"-setting"}, -400},
		{"set_push_ss", []string{"setting=7"}, -400},
		{"update_intercept", []string{"-talker_id"}, -400},
		{"update_intercept", []string{"-status"}, -400},
		{"update_intercept", []string{"status=abc"}, -400},
		{"update_intercept", []string{"status=2"}, -400},
		{"fetch_session_msgs", []string{"-talker_id"}, -400},
		{"fetch_session_msgs", []string{"talker_id=abc"}, -400},
		{"fetch_session_msgs", []string{"-session_type"}, -400},
		{"fetch_session_msgs", []string{"session_type=abc"}, -400},
		{"fetch_session_msgs", []string{"session_type=3"}, 2},
		{"fetch_session_msgs", []string{"session_type=0"}, 2},
		{"fetch_session_msgs", []string{"size=-1"}, 2},
		{"fetch_session_msgs", []string{"size=abc"}, -400},
		{"fetch_session_msgs", []string{"begin_seqno=abc"}, -400},
		{"fetch_session_msgs", []string{"end_seqno=-5"}, -400},
		{"fetch_session_msgs", []string{"sender_device_id=x"}, -400},
		{"send_msg", []string{"-msg[sender_uid]"}, -400},
		{"send_msg", []string{"msg[sender_uid]=abc"}, -400},
		{"send_msg", []string{"-msg[receiver_id]"}, -400},
		{"send_msg", []string{"msg[receiver_id]=abc"}, -400},
		{"send_msg", []string{"-msg[msg_type]"}, -400},
		{"send_msg", []string{"msg[msg_type]=text"}, -400},
		{"send_msg", []string{"msg[receiver_type]=abc"}, -400},
		{"send_msg", []string{"-msg[content]"}, -400},
		{"send_msg", []string{"-msg[dev_id]"}, -400},
		{"send_msg", []string{"-msg[timestamp]"}, -400},
		{"send_msg", []string{"msg[timestamp]=now"}, -400},
		{"send_msg", []string{"msg[new_face_version]=x"}, -400},
		{"send_msg", []string{"msg[msg_status]=x"}, -400},
		// user_infos: uids required, each a positive decimal mid (the 200-mid limit: TestUserInfosLimit).
		{"user_infos", []string{"-uids"}, -400},
		{"user_infos", []string{"uids="}, -400},
		{"user_infos", []string{"uids=abc"}, -400},
		{"user_infos", []string{"uids=1002,abc"}, -400},
		{"user_infos", []string{"uids=0"}, -400},
		{"user_infos", []string{"uids=1002,0"}, -400},
		{"user_infos", []string{"uids=-1002"}, -400},
		{"user_infos", []string{"uids=+1002"}, -400},
		{"user_infos", []string{"uids= 1002"}, -400},
		{"user_infos", []string{"uids=1002 "}, -400},
		{"user_infos", []string{"uids=1002.0"}, -400},
		{"user_infos", []string{"uids=0x3ea"}, -400},
		{"user_infos", []string{"uids=1_002"}, -400},
		{"user_infos", []string{"uids=1002,"}, -400},
		{"user_infos", []string{"uids=,1002"}, -400},
		{"user_infos", []string{"uids=1002,,1003"}, -400},
		{"user_infos", []string{"uids=1002;1003"}, -400},
		{"user_infos", []string{"uids=1002 1003"}, -400},
		{"user_infos", []string{"uids=18446744073709551616"}, -400},
	}
	for _, c := range cases {
		t.Run(c.ep+"/"+strings.Join(c.edits, ","), func(t *testing.T) {
			e := endpointNamed(t, c.ep)
			p := edit(e.valid(), c.edits...)
			if e.post {
				p = withCSRF(w.alice, p)
			}
			wantEpError(t, callEp(t, w.s, e, w.alice, p), e, c.code, false)
		})
	}
}

// TestErrMethod: a GET endpoint called with POST, and a POST endpoint called with GET,
// answer -400 before the handler runs.
func TestErrMethod(t *testing.T) {
	t.Parallel()
	w := newErrWorld(t, testkit.Options{})
	for _, e := range endpoints {
		t.Run(e.name, func(t *testing.T) {
			p := withCSRF(w.alice, e.valid())
			var r testkit.Raw
			if e.post {
				r = rawCall(t, w.s, "GET", e.path, p.Encode(), nil, "", w.alice)
			} else {
				r = rawCall(t, w.s, "POST", e.path, "", []byte(p.Encode()), "", w.alice)
			}
			if getOrPost[e.name] {
				wantOK(t, r)
			} else {
				wantEpError(t, r, e, -400, true)
			}
			for _, m := range []string{"PUT", "DELETE", "PATCH"} {
				wantEpError(t, rawCall(t, w.s, m, e.path, p.Encode(), nil, "", w.alice), e, -400, true)
			}
		})
	}
}

func TestErrUnknownPath(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	u := s.NewUser(alice, "alice")
	for _, p := range []string{"/nope", "/session_svr/v1/session_svr/single_unread/", "/session_svr/v1/session_svr/",
		"/SESSION_SVR/v1/session_svr/single_unread", "/x/im/feed/infoweb%00"} {
		for _, user := range []testkit.User{{}, u} {
			r := rawCall(t, s, "GET", p, "", nil, "", user)
			if r.Status != http.StatusNotFound {
				t.Errorf("%s: HTTP %d, want 404", p, r.Status)
			}
			root, err := parseOrdered(r.Body)
			if err != nil {
				t.Fatalf("%s: %v: %s", p, err, r.Body)
			}
			if root.get("code").num != "-404" || root.get("message").str != catalogText[-404] {
				t.Errorf("%s: %s", p, r.Body)
			}
		}
	}
}

// ---------------------------------------------------------------------------------------
// send_msg.

func sendAs(t *testing.T, w *errWorld, u testkit.User, p url.Values) testkit.Raw {
	t.Helper()
	return w.s.Post(u, testkit.PathSendMsg, p)
}

func wantSendErr(t *testing.T, r testkit.Raw, code int) {
	t.Helper()
	wantEnvelope(t, r, false, code, bareRequestErrors("send_msg", code, dataNull))
}

func sendKey(t *testing.T, r testkit.Raw) uint64 {
	t.Helper()
	wantOK(t, r)
	var d struct {
		MsgKey uint64 `json:"msg_key"`
	}
	r.Data(t, &d)
	return d.MsgKey
}

func recallForm(from, to uint64, key uint64) url.Values {
	return testkit.SendForm(from, to, 5, strconv.FormatUint(key, 10))
}

func TestSendValidation(t *testing.T) {
	t.Parallel()
	w := newErrWorld(t, testkit.Options{})
	base := testkit.SendForm(alice, bob, 1, testkit.Text("hi"))
	image := func(u string) string { return `{"url":"` + u + `","height":1,"width":1}` }
	cases := []struct {
		name  string
		edits []string
		code  int
	}{
		{"self", []string{"msg[receiver_id]=1001"}, 21026},
		{"sender is not me", []string{"msg[sender_uid]=1002"}, -400},
		{"receiver does not exist", []string{"msg[receiver_id]=999999"}, -400},
		{"receiver_type 2", []string{"msg[receiver_type]=2"}, 700014},
		{"receiver_type 3", []string{"msg[receiver_type]=3"}, -400},
		{"empty text", []string{`msg[content]={"content":""}`}, -400},
		{"empty content field", []string{"msg[content]="}, -400},
		{"text without content", []string{`msg[content]={"text":"hi"}`}, -400},
		{"text content not a string", []string{`msg[content]={"content":123}`}, -400},
		{"invalid JSON", []string{`msg[content]={"content":"hi"`}, -400},
		{"plain text", []string{`msg[content]=hi`}, -400},
		{"JSON array", []string{`msg[content]=["hi"]`}, -400},
		{"JSON string", []string{`msg[content]="hi"`}, -400},
		{"JSON null", []string{`msg[content]=null`}, -400},
		{"invalid UTF-8", []string{"msg[content]={\"content\":\"\xff\xfe\"}"}, -400},
		{"missing dev_id", []string{"-msg[dev_id]"}, -400},
		{"empty dev_id", []string{"msg[dev_id]="}, -400},
		{"missing timestamp", []string{"-msg[timestamp]"}, -400},
		{"type 6", []string{"msg[msg_type]=6", "msg[content]=" + image("https://i0.hdslb.com/bfs/emote/a.png")}, 21035},
		{"type 7", []string{"msg[msg_type]=7", `msg[content]={"id":1,"source":5,"title":"t","thumb":"x"}`}, 21035},
		{"type 10", []string{"msg[msg_type]=10", `msg[content]={"title":"t"}`}, 21035},
		{"type 18", []string{"msg[msg_type]=18"}, 21035},
		{"type 0", []string{"msg[msg_type]=0"}, 21035},
		{"type -1", []string{"msg[msg_type]=-1"}, 21035},
		{"type 2^32", []string{"msg[msg_type]=4294967296"}, 21035},
		{"type beyond int64", []string{"msg[msg_type]=9223372036854775808"}, -400},
		{"image: other host", []string{"msg[msg_type]=2", "msg[content]=" + image("https://example.com/bfs/im/a.png")}, 21037},
		{"image: look-alike host", []string{"msg[msg_type]=2", "msg[content]=" + image("https://i0.hdslb.com.evil.example/bfs/a.png")}, 21037},
		{"image: path not /bfs/", []string{"msg[msg_type]=2", "msg[content]=" + image("https://i0.hdslb.com/img/a.png")}, 21037},
		{"image: javascript URL", []string{"msg[msg_type]=2", "msg[content]=" + image("javascript:alert(1)")}, 21037},
		{"image: no scheme", []string{"msg[msg_type]=2", "msg[content]=" + image("//i0.hdslb.com/bfs/a.png")}, 21037},
		{"image: ftp", []string{"msg[msg_type]=2", "msg[content]=" + image("ftp://i0.hdslb.com/bfs/a.png")}, 21037},
		{"image: userinfo", []string{"msg[msg_type]=2", "msg[content]=" + image("https://i0.hdslb.com@evil.example/bfs/a.png")}, 21037},
		{"image: no url", []string{"msg[msg_type]=2", `msg[content]={"width":1}`}, 21037},
		{"image: invalid JSON", []string{"msg[msg_type]=2", `msg[content]={"url":`}, -400},
		{"image: JSON array", []string{"msg[msg_type]=2", `msg[content]=[{"url":"https://i0.hdslb.com/bfs/a.png"}]`}, -400},
		{"recall: not a number", []string{"msg[msg_type]=5", "msg[content]=abc"}, -400},
		{"recall: zero", []string{"msg[msg_type]=5", "msg[content]=0"}, -400},
		{"recall: negative", []string{"msg[msg_type]=5", "msg[content]=-7"}, -400},
		{"recall: JSON", []string{"msg[msg_type]=5", `msg[content]={"content":"1"}`}, -400},
		{"recall: unknown key", []string{"msg[msg_type]=5", "msg[content]=12345"}, 10005},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantSendErr(t, sendAs(t, w, w.alice, edit(base, c.edits...)), c.code)
		})
	}
	// None of the refused sends reached bob.
	h := mustParse(t, w.s.Get(w.bob, testkit.PathFetchMsgs, q("talker_id", "1001", "session_type", "1")).Body)
	if n := len(h.get("data", "messages").arr); n != 1 {
		t.Errorf("bob sees %d messages, want only the first one", n)
	}
	// Accepted image URLs.
	for _, u := range []string{"https://i0.hdslb.com/bfs/im/a.png", "http://message.biliimg.com/bfs/im/b.jpg", "https://I2.HDSLB.COM/bfs/x.gif"} {
		wantOK(t, sendAs(t, w, w.alice, edit(base, "msg[msg_type]=2", "msg[content]="+image(u))))
	}
}

func TestSendLength(t *testing.T) {
	t.Parallel()
	w := newErrWorld(t, testkit.Options{})
	pad := func(total int, unit string) string {
		head, tail := `{"content":"`, `"}`
		n := total - len(head) - len(tail)
		return head + strings.Repeat(unit, n/len(unit)) + strings.Repeat("a", n%len(unit)) + tail
	}
	for _, c := range []struct {
		content string
		code    int
	}{
		{pad(2000, "a"), 0},
		{pad(2001, "a"), 21007},
		{pad(2000, "字"), 0},     // 2000 bytes, far fewer characters
		{pad(2001, "字"), 21007}, // bytes count, not characters
		{pad(4000, "a"), 21007},
	} {
		t.Run(fmt.Sprintf("%d bytes", len(c.content)), func(t *testing.T) {
			if len(c.content) < 2000 {
				t.Fatal("bad padding")
			}
			r := sendAs(t, w, w.alice, testkit.SendForm(alice, bob, 1, c.content))
			if c.code == 0 {
				wantOK(t, r)
			} else {
				wantSendErr(t, r, c.code)
			}
		})
	}
}

func TestSendBlocked(t *testing.T) {
	t.Parallel()
	w := newErrWorld(t, testkit.Options{})
	w.s.Block(alice, bob, true)
	wantSendErr(t, sendAs(t, w, w.alice, testkit.SendForm(alice, bob, 1, testkit.Text("hi"))), 25005)
	// bob is blocked by alice: he cannot tell, he gets the privacy answer.
	wantSendErr(t, sendAs(t, w, w.bob, testkit.SendForm(bob, alice, 1, testkit.Text("hi"))), 25003)
	w.s.Block(alice, bob, false)
	w.s.Block(bob, alice, true)
	wantSendErr(t, sendAs(t, w, w.alice, testkit.SendForm(alice, bob, 1, testkit.Text("hi"))), 25003)
	wantSendErr(t, sendAs(t, w, w.bob, testkit.SendForm(bob, alice, 1, testkit.Text("hi"))), 25005)
	w.s.Block(bob, alice, false)
	// Blocking ended bob's follow, but alice already wrote once and bob never answered:
	// she is now limited by the one-message rule.
	wantSendErr(t, sendAs(t, w, w.alice, testkit.SendForm(alice, bob, 1, testkit.Text("hi"))), 21047)
	wantOK(t, sendAs(t, w, w.bob, testkit.SendForm(bob, alice, 1, testkit.Text("hi"))))
	wantOK(t, sendAs(t, w, w.alice, testkit.SendForm(alice, bob, 1, testkit.Text("hi"))))
}

func fetchView(t *testing.T, s *testkit.Server, viewer testkit.User, talker uint64) *jnode {
	t.Helper()
	r := s.Get(viewer, testkit.PathFetchMsgs, q("talker_id", strconv.FormatUint(talker, 10), "session_type", "1"))
	wantOK(t, r)
	return mustParse(t, r.Body).get("data", "messages")
}

func TestSendOneMessageRule(t *testing.T) {
	t.Parallel()
	w := newErrWorld(t, testkit.Options{})
	s := w.s
	dave := s.NewUser(dave, "dave")
	first := sendKey(t, sendAs(t, w, w.carol, testkit.SendForm(carol, dave.Mid, 1, testkit.Text("你好"))))
	wantSendErr(t, sendAs(t, w, w.carol, testkit.SendForm(carol, dave.Mid, 1, testkit.Text("在吗"))), 21047)
	wantSendErr(t, sendAs(t, w, w.carol, testkit.SendForm(carol, dave.Mid, 2, `{"url":"https://i0.hdslb.com/bfs/a.png"}`)), 21047)

	// The sender sees the msg_type 18 hint (msg_source 18) above her message.
	mine := fetchView(t, s, w.carol, dave.Mid)
	if len(mine.arr) != 2 || num(t, mine.arr[0].get("msg_type")) != 18 || num(t, mine.arr[0].get("msg_source")) != 18 ||
		!strings.Contains(mine.arr[0].get("content").str, "对方主动回复或关注你前，最多发送1条消息") {
		t.Errorf("carol's view: hint, then her message")
	}
	// The receiver does not, and it does not count as unread.
	theirs := fetchView(t, s, dave, carol)
	if len(theirs.arr) != 1 || num(t, theirs.arr[0].get("msg_type")) != 1 {
		t.Errorf("dave's view: only carol's message")
	}
	u := mustParse(t, s.Get(dave, testkit.PathSingleUnread, nil).Body)
	if num(t, u.get("data", "unfollow_unread")) != 1 {
		t.Errorf("dave has 1 unread message")
	}
	hintKey, _ := strconv.ParseUint(string(mine.arr[0].get("msg_key").num), 10, 64)
	// The hint is nobody's message to recall; the first message can still be recalled.
	wantSendErr(t, sendAs(t, w, w.carol, recallForm(carol, dave.Mid, hintKey)), 10005)
	wantOK(t, sendAs(t, w, w.carol, recallForm(carol, dave.Mid, first)))
	// Recalling it does not give the one message back.
	wantSendErr(t, sendAs(t, w, w.carol, testkit.SendForm(carol, dave.Mid, 1, testkit.Text("再试"))), 21047)

	// A reply lifts the limit; the replier is not limited (carol was active).
	wantOK(t, sendAs(t, w, dave, testkit.SendForm(dave.Mid, carol, 1, testkit.Text("你好呀"))))
	wantOK(t, sendAs(t, w, w.carol, testkit.SendForm(carol, dave.Mid, 1, testkit.Text("太好了"))))
	wantOK(t, sendAs(t, w, w.carol, testkit.SendForm(carol, dave.Mid, 1, testkit.Text("再来一条"))))
	wantOK(t, sendAs(t, w, dave, testkit.SendForm(dave.Mid, carol, 1, testkit.Text("嗯"))))
	if n := len(fetchView(t, s, w.carol, dave.Mid).arr); n != 7 {
		t.Errorf("carol sees %d messages, want 7 (one hint only)", n)
	}

	// A follow lifts it too.
	erin, frank := s.NewUser(1005, "erin"), s.NewUser(1006, "frank")
	wantOK(t, sendAs(t, w, erin, testkit.SendForm(erin.Mid, frank.Mid, 1, testkit.Text("1"))))
	wantSendErr(t, sendAs(t, w, erin, testkit.SendForm(erin.Mid, frank.Mid, 1, testkit.Text("2"))), 21047)
	s.Follow(frank.Mid, erin.Mid, true)
	wantOK(t, sendAs(t, w, erin, testkit.SendForm(erin.Mid, frank.Mid, 1, testkit.Text("3"))))
	wantOK(t, sendAs(t, w, erin, testkit.SendForm(erin.Mid, frank.Mid, 1, testkit.Text("4"))))

	// No hint when the receiver already follows the sender (alice → bob in errWorld).
	for _, m := range fetchView(t, s, w.alice, bob).arr {
		if num(t, m.get("msg_type")) == 18 {
			t.Errorf("no hint when the receiver follows the sender")
		}
	}
}

func TestSendRecall(t *testing.T) {
	t.Parallel()
	w := newErrWorld(t, testkit.Options{})
	s := w.s
	unread := func() int64 {
		return num(t, mustParse(t, s.Get(w.bob, testkit.PathSingleUnread, nil).Body).get("data", "follow_unread"))
	}
	detail := func(u testkit.User, talker string) *jnode {
		return mustParse(t, s.Get(u, testkit.PathSessionDetail, q("talker_id", talker, "session_type", "1")).Body).get("data")
	}
	key := sendKey(t, sendAs(t, w, w.alice, testkit.SendForm(alice, bob, 1, testkit.Text("发错了"))))
	before := unread()
	if before != 2 {
		t.Fatalf("bob has %d unread, want 2", before)
	}
	recall := sendKey(t, sendAs(t, w, w.alice, recallForm(alice, bob, key)))
	if after := unread(); after != before {
		t.Errorf("a recall raised bob's unread: %d → %d", before, after)
	}
	if d := detail(w.bob, "1001"); num(t, d.get("unread_count")) != before ||
		num(t, d.get("last_msg", "msg_type")) != 5 || string(d.get("last_msg", "msg_key").num) != strconv.FormatUint(recall, 10) {
		t.Errorf("bob's session: last_msg is the recall, unread_count unchanged")
	}
	for _, viewer := range []struct {
		u      testkit.User
		talker uint64
	}{{w.alice, bob}, {w.bob, alice}} {
		m := fetchView(t, s, viewer.u, viewer.talker)
		if num(t, m.arr[0].get("msg_type")) != 5 || m.arr[0].get("content").str != strconv.FormatUint(key, 10) {
			t.Errorf("%d's view: the recall message first", viewer.u.Mid)
		}
		if num(t, m.arr[1].get("msg_status")) != 1 || m.arr[1].get("content").str != testkit.Text("发错了") {
			t.Errorf("%d's view: the target has msg_status 1 and keeps its content", viewer.u.Mid)
		}
	}
	// Already recalled; a recall is not recallable.
	wantSendErr(t, sendAs(t, w, w.alice, recallForm(alice, bob, key)), 21042)
	wantSendErr(t, sendAs(t, w, w.alice, recallForm(alice, bob, recall)), 10005)

	// Someone else's message: bob's reply, recalled by alice.
	bobs := sendKey(t, sendAs(t, w, w.bob, testkit.SendForm(bob, alice, 1, testkit.Text("收到"))))
	wantSendErr(t, sendAs(t, w, w.alice, recallForm(alice, bob, bobs)), 10005)
	// A message of another session: alice → carol, recalled in the session with bob.
	toCarol := sendKey(t, sendAs(t, w, w.alice, testkit.SendForm(alice, carol, 1, testkit.Text("嗨"))))
	wantSendErr(t, sendAs(t, w, w.alice, recallForm(alice, bob, toCarol)), 10005)
	// A third party cannot recall it either.
	wantSendErr(t, sendAs(t, w, w.carol, recallForm(carol, alice, bobs)), 10005)

	// The window: 120 s is still fine, 121 s is too late.
	k120 := sendKey(t, sendAs(t, w, w.alice, testkit.SendForm(alice, bob, 1, testkit.Text("a"))))
	s.Advance(120 * time.Second)
	wantOK(t, sendAs(t, w, w.alice, recallForm(alice, bob, k120)))
	k121 := sendKey(t, sendAs(t, w, w.alice, testkit.SendForm(alice, bob, 1, testkit.Text("b"))))
	s.Advance(121 * time.Second)
	wantSendErr(t, sendAs(t, w, w.alice, recallForm(alice, bob, k121)), 21041)
	// Images can be recalled as well.
	img := sendKey(t, sendAs(t, w, w.alice, testkit.SendForm(alice, bob, 2, `{"url":"https://i0.hdslb.com/bfs/a.png"}`)))
	wantOK(t, sendAs(t, w, w.alice, recallForm(alice, bob, img)))
}

func TestSendRateLimits(t *testing.T) {
	t.Parallel()
	t.Run("burst", func(t *testing.T) {
		t.Parallel()
		w := newErrWorld(t, testkit.Options{Rules: im.Config{BurstLimit: 3, BurstWindow: 10 * time.Second}})
		text := testkit.SendForm(alice, bob, 1, testkit.Text("x"))
		// The world's first send was 1 s ago; refused sends do not count.
		wantSendErr(t, sendAs(t, w, w.alice, edit(text, "msg[receiver_id]=999999")), -400)
		wantOK(t, sendAs(t, w, w.alice, text))
		wantOK(t, sendAs(t, w, w.alice, text))
		wantSendErr(t, sendAs(t, w, w.alice, text), 21020)
		wantSendErr(t, sendAs(t, w, w.alice, recallForm(alice, bob, w.aliceKey)), 21020)
		// Per sender: bob may still write.
		wantOK(t, sendAs(t, w, w.bob, testkit.SendForm(bob, alice, 1, testkit.Text("y"))))
		w.s.Advance(8 * time.Second) // 9 s after the first send: still within the window
		wantSendErr(t, sendAs(t, w, w.alice, text), 21020)
		w.s.Advance(time.Second) // the first send leaves the window
		wantOK(t, sendAs(t, w, w.alice, text))
		wantSendErr(t, sendAs(t, w, w.alice, text), 21020)
		w.s.Advance(10 * time.Second)
		wantOK(t, sendAs(t, w, w.alice, text))
	})
	t.Run("daily", func(t *testing.T) {
		t.Parallel()
		w := newErrWorld(t, testkit.Options{Rules: im.Config{DailyLimit: 3}})
		text := testkit.SendForm(alice, bob, 1, testkit.Text("x"))
		wantOK(t, sendAs(t, w, w.alice, text))
		wantOK(t, sendAs(t, w, w.alice, text))
		wantSendErr(t, sendAs(t, w, w.alice, text), 21046)
		w.s.Advance(24*time.Hour - 2*time.Second) // 1 s before the day's window closes
		wantSendErr(t, sendAs(t, w, w.alice, text), 21046)
		w.s.Advance(time.Second)
		wantOK(t, sendAs(t, w, w.alice, text))
		wantOK(t, sendAs(t, w, w.alice, text))
	})
}

// ---------------------------------------------------------------------------------------
// Settings (§4 S1–S10, docs/settings.md).

// postEp posts p (plus csrf) to the endpoint named ep as u.
func postEp(t *testing.T, w *errWorld, u testkit.User, ep string, p url.Values) testkit.Raw {
	t.Helper()
	return callEp(t, w.s, endpointNamed(t, ep), u, withCSRF(u, p))
}

// getEp calls the GET endpoint named ep as u with a raw query string.
func getEp(t *testing.T, w *errWorld, u testkit.User, ep, query string) testkit.Raw {
	t.Helper()
	return rawCall(t, w.s, "GET", endpointNamed(t, ep).path, query, nil, "", u)
}

// wantErr asserts an error of the endpoint named ep raised by its handler.
func wantErr(t *testing.T, r testkit.Raw, ep string, code int) {
	t.Helper()
	wantEpError(t, r, endpointNamed(t, ep), code, false)
}

// snapshot returns the body of a successful GET, to compare states before and after a
// refused call.
func snapshot(t *testing.T, w *errWorld, u testkit.User, ep, query string) string {
	t.Helper()
	r := getEp(t, w, u, ep, query)
	wantOK(t, r)
	return string(r.Body)
}

func prefsState(t *testing.T, w *errWorld, u testkit.User) string {
	t.Helper()
	return snapshot(t, w, u, "link_setting_get", "msg_notify=1&show_unfollowed_msg=1")
}

func blockWordsState(t *testing.T, w *errWorld, u testkit.User) string {
	t.Helper()
	return snapshot(t, w, u, "get_block_words", "")
}

func repliesState(t *testing.T, w *errWorld, u testkit.User) string {
	t.Helper()
	return snapshot(t, w, u, "get_reply_text", "type%5B%5D=1,2,3,5")
}

// prefOf returns one of u's settings as S1 answers it.
func prefOf(t *testing.T, w *errWorld, u testkit.User, name string) int64 {
	t.Helper()
	root := mustParse(t, []byte(prefsState(t, w, u)))
	return num(t, root.get("data", name))
}

// autoReplySwitches need 1000 fans to be switched on (§9 item 35).
var autoReplySwitches = []string{"followed_reply", "keys_reply", "recv_reply", "voyage_reply", "recommend_followed_reply"}

// TestErrPrefsPost: S1 also answers POST, which needs the csrf token; GET needs none.
// Its errors carry data null either way.
func TestErrPrefsPost(t *testing.T) {
	t.Parallel()
	w := newErrWorld(t, testkit.Options{})
	e := endpointNamed(t, "link_setting_get")
	post := func(u testkit.User, p url.Values) testkit.Raw {
		return rawCall(t, w.s, "POST", e.path, "", []byte(p.Encode()), "", u)
	}
	wantOK(t, post(w.alice, withCSRF(w.alice, q("msg_notify", "1"))))
	wantOK(t, post(w.alice, q("csrf", w.alice.BiliJct)))
	wantOK(t, getEp(t, w, w.alice, "link_setting_get", "msg_notify=1"))
	wantEnvelope(t, post(testkit.User{}, withCSRF(w.alice, q())), true, -101, dataNull)
	wantEnvelope(t, post(w.alice, q("msg_notify", "1")), true, -111, dataNull)
	wantEnvelope(t, post(w.alice, q("csrf", "0123456789abcdef0123456789abcdef")), true, -111, dataNull)
	wantEnvelope(t, post(w.alice, withCSRF(w.bob, q())), true, -111, dataNull)
}

// TestErrSetPrefs: link_setting/set answers -400 for a value that is not an integer, 2
// for an integer outside the setting's values, 700009 for switching an auto-reply on
// without 1000 fans, and a refused call changes nothing at all (§9 items 35, 36).
func TestErrSetPrefs(t *testing.T) {
	t.Parallel()
	w := newErrWorld(t, testkit.Options{}) // alice has no fans
	before := prefsState(t, w, w.alice)
	cases := []struct {
		edits []string
		code  int
	}{
		// Not an integer.
		{[]string{"set_like=abc"}, -400},
		{[]string{"msg_notify=1.5"}, -400},
		{[]string{"ai_intercept=true"}, -400},
		{[]string{"set_comment= 1"}, -400},
		{[]string{"set_at=0x1"}, -400},
		{[]string{"followed_reply=1e0"}, -400},
		{[]string{"is_group_fold=٠"}, -400}, // Arabic-Indic zero
		{[]string{"set_new_follow=99999999999999999999"}, -400},
		// Integers outside the setting's values.
		{[]string{"show_unfollowed_msg=2"}, 2},
		{[]string{"show_unfollowed_msg=-1"}, 2},
		{[]string{"msg_notify=2"}, 2},
		{[]string{"msg_notify=0"}, 2},
		{[]string{"set_like=1"}, 2},
		{[]string{"set_like=3"}, 2},
		{[]string{"set_comment=3"}, 2},
		{[]string{"set_at=-1"}, 2},
		{[]string{"is_group_fold=2"}, 2},
		{[]string{"should_receive_group=2"}, 2},
		{[]string{"receive_unfollow_msg=2"}, 2},
		{[]string{"ai_intercept=5"}, 2},
		{[]string{"set_recv_reply=3"}, 2},
		{[]string{"set_recv_like=1"}, 2},
		{[]string{"set_new_follow=1"}, 2},
		{[]string{"followed_reply=2"}, 2},
		{[]string{"keys_reply=-1"}, 2},
		{[]string{"recv_reply=2"}, 2},
		{[]string{"voyage_reply=10"}, 2},
		{[]string{"recommend_followed_reply=2"}, 2},
		{[]string{"set_like=4294967296"}, 2}, // an integer, if a large one
		// Switching an auto-reply on without 1000 fans.
		{[]string{"followed_reply=1"}, 700009},
		{[]string{"keys_reply=1"}, 700009},
		{[]string{"recv_reply=1"}, 700009},
		{[]string{"voyage_reply=1"}, 700009},
		{[]string{"recommend_followed_reply=1"}, 700009},
		// All or nothing: a valid change next to a refused one is not stored.
		{[]string{"set_like=5", "msg_notify=2"}, 2},
		{[]string{"set_like=5", "set_comment=abc"}, -400},
		{[]string{"set_like=5", "ai_intercept=1", "followed_reply=1"}, 700009},
		{[]string{"keys_reply=0", "recv_reply=1", "show_unfollowed_msg=1"}, 700009},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.edits, "&"), func(t *testing.T) {
			wantErr(t, postEp(t, w, w.alice, "link_setting_set", edit(url.Values{}, c.edits...)), "link_setting_set", c.code)
			if after := prefsState(t, w, w.alice); after != before {
				t.Errorf("a refused call changed the settings:\n%s\n%s", before, after)
			}
		})
	}
	// Switching off is always allowed, one by one or together.
	for _, s := range autoReplySwitches {
		wantOK(t, postEp(t, w, w.alice, "link_setting_set", q(s, "0")))
	}
	all := url.Values{}
	for _, s := range autoReplySwitches {
		all.Set(s, "0")
	}
	wantOK(t, postEp(t, w, w.alice, "link_setting_set", all))
	// No setting at all, an empty value (absent) and unknown parameters: 0, nothing changes.
	wantOK(t, postEp(t, w, w.alice, "link_setting_set", q()))
	wantOK(t, postEp(t, w, w.alice, "link_setting_set", q("set_like", "", "msg_notify", "", "followed_reply", "")))
	wantOK(t, postEp(t, w, w.alice, "link_setting_set", q("anti_harassment", "1", "nonsense", "x", "build", "0", "mobi_app", "web")))
	if after := prefsState(t, w, w.alice); after != before {
		t.Errorf("calls without a change changed the settings:\n%s\n%s", before, after)
	}
}

// TestSetPrefsDomains: every value of every setting's domain is accepted and stored
// (by a user with 1000 fans, who may switch auto-replies on).
func TestSetPrefsDomains(t *testing.T) {
	t.Parallel()
	w := newErrWorld(t, testkit.Options{})
	w.s.SetFans(alice, 1000)
	domains := map[string][]int{"show_unfollowed_msg": {0, 1}, "msg_notify": {1, 3}, "set_like": {0, 5},
		"set_comment": {0, 1, 2}, "set_at": {0, 1, 2}, "is_group_fold": {0, 1}, "should_receive_group": {0, 1},
		"receive_unfollow_msg": {0, 1}, "followed_reply": {0, 1}, "keys_reply": {0, 1}, "recv_reply": {0, 1},
		"voyage_reply": {0, 1}, "recommend_followed_reply": {0, 1}, "ai_intercept": {0, 1},
		"set_recv_reply": {0, 1, 2}, "set_recv_like": {0, 2}, "set_new_follow": {0, 2}}
	for name, vs := range domains {
		for _, v := range vs {
			wantOK(t, postEp(t, w, w.alice, "link_setting_set", q(name, strconv.Itoa(v))))
			if got := prefOf(t, w, w.alice, name); got != int64(v) {
				t.Errorf("%s=%d stored as %d", name, v, got)
			}
		}
	}
}

// TestErrSetPrefsFans: the threshold is 1000 fans; a switch that is on stays on when the
// fan count drops, but cannot be switched on again until it is back (§9 item 35).
func TestErrSetPrefsFans(t *testing.T) {
	t.Parallel()
	w := newErrWorld(t, testkit.Options{})
	set := func(kv ...string) testkit.Raw { return postEp(t, w, w.alice, "link_setting_set", q(kv...)) }
	w.s.SetFans(alice, 999)
	for _, s := range autoReplySwitches {
		wantErr(t, set(s, "1"), "link_setting_set", 700009)
	}
	w.s.SetFans(alice, 1000)
	for _, s := range autoReplySwitches {
		wantOK(t, set(s, "1"))
		if prefOf(t, w, w.alice, s) != 1 {
			t.Errorf("%s is on with 1000 fans", s)
		}
	}
	w.s.SetFans(alice, 10)
	for _, s := range autoReplySwitches {
		if prefOf(t, w, w.alice, s) != 1 {
			t.Errorf("%s stays on when the fans drop", s)
		}
	}
	before := prefsState(t, w, w.alice)
	wantErr(t, set("followed_reply", "1"), "link_setting_set", 700009)
	wantErr(t, set("set_like", "5", "keys_reply", "1"), "link_setting_set", 700009)
	if after := prefsState(t, w, w.alice); after != before {
		t.Errorf("a refused call changed the settings:\n%s\n%s", before, after)
	}
	wantOK(t, set("followed_reply", "0", "set_like", "5"))
	if prefOf(t, w, w.alice, "followed_reply") != 0 || prefOf(t, w, w.alice, "set_like") != 5 {
		t.Errorf("switching off works with few fans")
	}
	wantErr(t, set("followed_reply", "1"), "link_setting_set", 700009)
	w.s.SetFans(alice, 1000)
	wantOK(t, set("followed_reply", "1"))
}

// TestErrAddBlockWord: white space → 1900007, a control character → -400, more than 20
// characters → 1900004, an exact duplicate → 1900006, missing or empty → -400, checked in
// that order (§9 item 32); refused words are not stored.
func TestErrAddBlockWord(t *testing.T) {
	t.Parallel()
	w := newErrWorld(t, testkit.Options{})
	add := func(content string) testkit.Raw {
		return postEp(t, w, w.alice, "add_block_word", q("content", content))
	}
	wantOK(t, add("重复"))
	before := blockWordsState(t, w, w.alice)
	cases := []struct {
		name    string
		p       url.Values
		code    int
		content string
	}{
		{"missing content", q(), -400, ""},
		{"empty content", q("content", ""), -400, ""},
		{"ASCII space", nil, 1900007, "屏蔽 词"},
		{"leading space", nil, 1900007, " 屏蔽词"},
		{"trailing space", nil, 1900007, "屏蔽词 "},
		{"only a space", nil, 1900007, " "},
		{"full-width space", nil, 1900007, "屏蔽\u3000词"},
		{"tab", nil, 1900007, "屏蔽\t词"},
		{"newline", nil, 1900007, "屏蔽\n词"},
		{"no-break space", nil, 1900007, "屏蔽\u00a0词"},
		{"em space", nil, 1900007, "屏蔽\u2003词"},
		{"control character", nil, -400, "屏蔽\x01词"},
		{"NUL", nil, -400, "屏蔽\x00词"},
		{"DEL", nil, -400, "屏蔽\x7f词"},
		{"21 CJK characters", nil, 1900004, strings.Repeat("屏", 21)},
		{"21 ASCII letters", nil, 1900004, strings.Repeat("a", 21)},
		{"21 emoji", nil, 1900004, strings.Repeat("😀", 21)},
		{"duplicate", nil, 1900006, "重复"},
		// The order of the checks.
		{"space before length", nil, 1900007, strings.Repeat("a", 25) + " b"},
		{"control before length", nil, -400, strings.Repeat("a", 25) + "\x01"},
		{"space before control", nil, 1900007, "a \x01"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := c.p
			if p == nil {
				p = q("content", c.content)
			}
			wantErr(t, postEp(t, w, w.alice, "add_block_word", p), "add_block_word", c.code)
			if after := blockWordsState(t, w, w.alice); after != before {
				t.Errorf("a refused word was stored:\n%s", after)
			}
		})
	}
	// Characters, not bytes: 20 CJK characters (60 bytes) and 20 emoji (80 bytes) are fine.
	wantOK(t, add(strings.Repeat("屏", 20)))
	wantOK(t, add(strings.Repeat("😀", 20)))
	// Only the exact same word is a duplicate.
	wantOK(t, add("ABC"))
	wantOK(t, add("abc"))
	wantOK(t, add("ＡＢＣ"))
	var got []string
	for _, x := range mustParse(t, []byte(blockWordsState(t, w, w.alice))).get("data", "words").arr {
		got = append(got, x.get("content").str)
	}
	if want := []string{"重复", strings.Repeat("屏", 20), strings.Repeat("😀", 20), "ABC", "abc", "ＡＢＣ"}; !slices.Equal(got, want) {
		t.Errorf("words %q, want %q", got, want)
	}
}

// TestErrBlockWordsFull: the 201st word is 1900005; the earlier checks still come first.
func TestErrBlockWordsFull(t *testing.T) {
	t.Parallel()
	w := newErrWorld(t, testkit.Options{})
	add := func(content string) testkit.Raw {
		return postEp(t, w, w.alice, "add_block_word", q("content", content))
	}
	for i := range 200 {
		wantOK(t, add(fmt.Sprintf("词%03d", i)))
	}
	before := blockWordsState(t, w, w.alice)
	if n := len(mustParse(t, []byte(before)).get("data", "words").arr); n != 200 {
		t.Fatalf("%d words, want 200", n)
	}
	wantErr(t, add("第二百零一"), "add_block_word", 1900005)
	wantErr(t, add("词000"), "add_block_word", 1900006)
	wantErr(t, add(strings.Repeat("长", 21)), "add_block_word", 1900004)
	wantErr(t, add("a b"), "add_block_word", 1900007)
	if after := blockWordsState(t, w, w.alice); after != before {
		t.Errorf("a refused word was stored")
	}
	// Another user's words do not count.
	wantOK(t, postEp(t, w, w.bob, "add_block_word", q("content", "第二百零一")))
	wantOK(t, postEp(t, w, w.alice, "del_block_word", q("content", "词000")))
	wantOK(t, add("第二百零一"))
	wantErr(t, add("第二百零二"), "add_block_word", 1900005)
}

// TestErrDelBlockWord: a missing or empty content is -400; a word that is not there is 0.
func TestErrDelBlockWord(t *testing.T) {
	t.Parallel()
	w := newErrWorld(t, testkit.Options{})
	del := func(p url.Values) testkit.Raw { return postEp(t, w, w.alice, "del_block_word", p) }
	wantOK(t, postEp(t, w, w.alice, "add_block_word", q("content", "abc")))
	before := blockWordsState(t, w, w.alice)
	wantErr(t, del(q()), "del_block_word", -400)
	wantErr(t, del(q("content", "")), "del_block_word", -400)
	wantOK(t, del(q("content", "不存在")))
	wantOK(t, del(q("content", "ABC"))) // not the same word
	wantOK(t, postEp(t, w, w.bob, "del_block_word", q("content", "abc")))
	if after := blockWordsState(t, w, w.alice); after != before {
		t.Errorf("deleting another word, or bob deleting his, removed alice's:\n%s", after)
	}
	wantOK(t, del(q("content", "abc")))
	wantOK(t, del(q("content", "abc")))
	if ws := mustParse(t, []byte(blockWordsState(t, w, w.alice))).get("data", "words"); ws.kind != 'z' {
		t.Errorf("the word is gone: words null")
	}
}

// TestErrGetReplyText: type[] (or, without it, type) missing or not a number → -400; a
// type outside 1, 2, 3, 5 or a uid that is not mine → 2 (§9 item 23); data null, no msg.
func TestErrGetReplyText(t *testing.T) {
	t.Parallel()
	w := newErrWorld(t, testkit.Options{})
	for _, c := range []struct {
		query string
		code  int
	}{
		{"", -400},
		{"build=0&mobi_app=web", -400},
		{"type=abc", -400},
		{"type=4", 2},
		{"type=1", 0}, // a plain type is read when there is no type[]
		{"type%5B%5D=1&type=4", 0},
		{"type%5B%5D=4&type=1", 2},
		{"type%5B%5D=abc&type=1", -400},
		{"type%5B%5D=", -400},
		{"type%5B%5D=abc", -400},
		{"type%5B%5D=1.0", -400},
		{"type%5B%5D=1,x", -400},
		{"type%5B%5D=1&type%5B%5D=", -400},
		{"type%5B%5D=1&uid=abc", -400},
		{"type%5B%5D=4", 2},
		{"type%5B%5D=0", 2},
		{"type%5B%5D=6", 2},
		{"type%5B%5D=-1", 2},
		{"type%5B%5D=4294967297", 2},
		{"type%5B%5D=1&type%5B%5D=4", 2},
		{"type%5B%5D=1,4", 2},
		{"type%5B%5D=1&uid=1002", 2},
		{"type%5B%5D=1&uid=0", 2},
		{"type%5B%5D=1&uid=1001", 0},
		{"type%5B%5D=1&type%5B%5D=2&type%5B%5D=3&type%5B%5D=5", 0},
		{"type%5B%5D=5,3,2,1", 0},
	} {
		t.Run(c.query, func(t *testing.T) {
			r := getEp(t, w, w.alice, "get_reply_text", c.query)
			if c.code == 0 {
				wantOK(t, r)
				return
			}
			wantErr(t, r, "get_reply_text", c.code)
		})
	}
}

// TestErrSetReplyText: every problem with the parameters is 27011; then a reply over 500
// characters is 1500001 and contact details 1500003 (§9 item 34, docs/settings.md).
// Refused calls store nothing.
func TestErrSetReplyText(t *testing.T) {
	t.Parallel()
	w := newErrWorld(t, testkit.Options{})
	set := func(u testkit.User, p url.Values) testkit.Raw { return postEp(t, w, u, "set_reply_text", p) }
	// bob's rule, whose id alice must not be able to use.
	wantOK(t, set(w.bob, q("type", "2", "title", "bob", "key1", "bob", "reply", "bob")))
	bobRule := mustParse(t, []byte(repliesState(t, w, w.bob))).get("data", "texts", "0", "id").num
	wantOK(t, set(w.alice, q("type", "1", "reply", "感谢关注")))
	wantOK(t, set(w.alice, q("type", "2", "title", "价格", "key1", "多少钱", "reply", "看置顶")))
	before := repliesState(t, w, w.alice)

	text := q("type", "1", "reply", "感谢关注")
	rule := q("type", "2", "title", "价格", "key1", "多少钱，价格", "key2", "报价", "reply", "看置顶")
	keywords := func(n int, sep string) string {
		ks := make([]string, n)
		for i := range ks {
			ks[i] = fmt.Sprintf("词%d", i)
		}
		return strings.Join(ks, sep)
	}
	cases := []struct {
		name string
		p    url.Values
		code int
	}{
		{"missing type", edit(text, "-type"), 27011},
		{"empty type", edit(text, "type="), 27011},
		{"type 4", edit(text, "type=4"), 27011},
		{"type 0", edit(text, "type=0"), 27011},
		{"type 6", edit(text, "type=6"), 27011},
		{"type -1", edit(text, "type=-1"), 27011},
		{"type abc", edit(text, "type=abc"), 27011},
		{"type 2^32+1", edit(text, "type=4294967297"), 27011},
		{"missing reply", edit(text, "-reply"), 27011},
		{"empty reply", edit(text, "reply="), 27011},
		{"white-space reply", edit(text, "reply=   "), 27011},
		{"full-width white-space reply", edit(text, "reply=\u3000\n\t"), 27011},
		{"keyword rule without reply", edit(rule, "-reply"), 27011},
		{"keyword rule without title", edit(rule, "-title"), 27011},
		{"keyword rule with an empty title", edit(rule, "title="), 27011},
		{"title of 31 characters", edit(rule, "title="+strings.Repeat("题", 31)), 27011},
		{"no keywords", edit(rule, "-key1", "-key2"), 27011},
		{"empty keywords", edit(rule, "key1=", "key2="), 27011},
		{"only separators", edit(rule, "key1=，, ，", "key2= "), 27011},
		{"21 keywords in key1", edit(rule, "key1="+keywords(21, "，")), 27011},
		{"21 keywords in key2", edit(rule, "key2="+keywords(21, "，")), 27011},
		{"21 keywords split by ASCII commas", edit(rule, "key1="+keywords(21, ",")), 27011},
		{"id of someone else's rule", edit(rule, "id="+string(bobRule)), 27011},
		{"id that does not exist", edit(rule, "id=999999"), 27011},
		{"non-numeric id", edit(rule, "id=abc"), 27011},
		{"negative id", edit(rule, "id=-1"), 27011},
		{"invalid UTF-8 reply", edit(text, "reply=\xff\xfe"), 27011},
		{"invalid UTF-8 title", edit(rule, "title=\xff"), 27011},
		{"invalid UTF-8 keyword", edit(rule, "key2=\xff报价"), 27011},
		{"reply of 501 characters", edit(text, "reply="+strings.Repeat("字", 501)), 1500001},
		{"rule reply of 501 ASCII characters", edit(rule, "reply="+strings.Repeat("a", 501)), 1500001},
		{"phone number", edit(text, "reply=有事打 13812345678"), 1500003},
		{"grouped phone number", edit(text, "reply=电话 138-1234-5678"), 1500003},
		{"WeChat id", edit(text, "reply=加我微信 abc_123456"), 1500003},
		{"vx id", edit(text, "reply=VX：abcdef1"), 1500003},
		{"QQ number", edit(text, "reply=QQ 12345678"), 1500003},
		{"QQ group", edit(text, "reply=粉丝q群：123456789"), 1500003},
		{"phone number in the title", edit(rule, "title=13912345678"), 1500003},
		{"WeChat id in a keyword", edit(rule, "key1=多少钱，weixin abcdefg"), 1500003},
		{"QQ number in a keyword", edit(rule, "key2=扣扣 123456"), 1500003},
		// The order of the checks.
		{"27011 before 1500001", edit(text, "type=4", "reply="+strings.Repeat("字", 501)), 27011},
		{"27011 before 1500003", edit(rule, "title=", "reply=13812345678"), 27011},
		{"1500001 before 1500003", edit(text, "reply=13812345678"+strings.Repeat("字", 500)), 1500001},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantErr(t, set(w.alice, c.p), "set_reply_text", c.code)
			if after := repliesState(t, w, w.alice); after != before {
				t.Errorf("a refused call changed the texts:\n%s", after)
			}
		})
	}
	// The limits themselves are fine, and so are e-mail addresses, links and numbers that
	// are not phone numbers.
	for _, c := range []struct {
		name string
		p    url.Values
	}{
		{"reply of 500 characters", edit(text, "reply="+strings.Repeat("字", 500))},
		{"title of 30 characters", edit(rule, "title="+strings.Repeat("题", 30))},
		{"20 + 20 keywords", edit(rule, "key1="+keywords(20, "，"), "key2="+keywords(20, ","))},
		{"only key2", edit(rule, "key1=")},
		{"e-mail address", edit(text, "reply=商务合作请联系 up@example.com")},
		{"link", edit(text, "reply=详见 https://example.com/faq 和 https://space.bilibili.com/1001")},
		{"long number", edit(text, "reply=订单号 213812345678900")},
		{"type 3", edit(text, "type=3")},
		{"type 5", edit(text, "type=5")},
	} {
		t.Run("ok/"+c.name, func(t *testing.T) { wantOK(t, set(w.alice, c.p)) })
	}
}

// TestErrKeywordRuleCap: the 21st keyword rule is 1500002 (§9 item 34); modifying one of
// the 20 is fine, and the other checks come first. Ids are never reused.
func TestErrKeywordRuleCap(t *testing.T) {
	t.Parallel()
	w := newErrWorld(t, testkit.Options{})
	rule := func(i int, edits ...string) url.Values {
		return edit(q("type", "2", "title", fmt.Sprintf("规则%d", i), "key1", fmt.Sprintf("词%d", i), "reply", "回复"), edits...)
	}
	set := func(p url.Values) testkit.Raw { return postEp(t, w, w.alice, "set_reply_text", p) }
	for i := range 20 {
		wantOK(t, set(rule(i)))
	}
	ids := func() []string { // of the keyword rules, newest first
		var out []string
		for _, x := range mustParse(t, []byte(snapshot(t, w, w.alice, "get_reply_text", "type%5B%5D=2"))).get("data", "texts").arr {
			out = append(out, string(x.get("id").num))
		}
		return out
	}
	before := repliesState(t, w, w.alice)
	if len(ids()) != 20 {
		t.Fatalf("20 rules")
	}
	wantErr(t, set(rule(20)), "set_reply_text", 1500002)
	wantErr(t, set(rule(20, "id=0")), "set_reply_text", 1500002)
	wantErr(t, set(rule(20, "title=")), "set_reply_text", 27011)
	wantErr(t, set(rule(20, "reply="+strings.Repeat("字", 501))), "set_reply_text", 1500001)
	wantErr(t, set(rule(20, "reply=13812345678")), "set_reply_text", 1500003)
	if after := repliesState(t, w, w.alice); after != before {
		t.Errorf("a refused call changed the rules")
	}
	// Texts of the other types do not count.
	wantOK(t, set(q("type", "1", "reply", "感谢关注")))
	first := ids()[len(ids())-1]
	wantOK(t, set(rule(0, "id="+first, "reply=改了")))
	wantOK(t, postEp(t, w, w.alice, "del_reply_text", q("id", first)))
	wantOK(t, set(rule(21)))
	got := ids()
	if n, _ := strconv.Atoi(got[0]); n <= 21 {
		t.Errorf("the new rule's id %s reuses an old one", got[0])
	}
	wantErr(t, set(rule(22)), "set_reply_text", 1500002)
	// bob has his own 20.
	wantOK(t, postEp(t, w, w.bob, "set_reply_text", rule(0)))
}

// TestErrDelReplyText: someone else's rule → 1003 (and it stays); an id that does not
// exist → 0; a missing or non-numeric id → -400 (§9 item 34).
func TestErrDelReplyText(t *testing.T) {
	t.Parallel()
	w := newErrWorld(t, testkit.Options{})
	wantOK(t, postEp(t, w, w.bob, "set_reply_text", q("type", "2", "title", "bob", "key1", "bob", "reply", "bob")))
	wantOK(t, postEp(t, w, w.bob, "set_reply_text", q("type", "1", "reply", "感谢关注")))
	bobs := mustParse(t, []byte(repliesState(t, w, w.bob))).get("data", "texts")
	bobText, bobRule := string(bobs.get("0", "id").num), string(bobs.get("1", "id").num)
	bobBefore := repliesState(t, w, w.bob)
	del := func(p url.Values) testkit.Raw { return postEp(t, w, w.alice, "del_reply_text", p) }
	wantErr(t, del(q("id", bobRule)), "del_reply_text", 1003)
	wantErr(t, del(q("id", bobText)), "del_reply_text", 1003)
	if after := repliesState(t, w, w.bob); after != bobBefore {
		t.Errorf("alice deleted bob's texts")
	}
	wantOK(t, del(q("id", "999999")))
	wantOK(t, del(q("id", "0")))
	for _, p := range []url.Values{q(), q("id", ""), q("id", "abc"), q("id", "-1"), q("id", "1.5"), q("id", "18446744073709551616")} {
		wantErr(t, del(p), "del_reply_text", -400)
	}
	// Any type's text can be deleted by its id.
	wantOK(t, postEp(t, w, w.bob, "del_reply_text", q("id", bobText)))
	wantOK(t, postEp(t, w, w.bob, "del_reply_text", q("id", bobRule)))
	if d := mustParse(t, []byte(repliesState(t, w, w.bob))).get("data"); d.has("texts") {
		t.Errorf("bob's texts are gone")
	}
}

// ---------------------------------------------------------------------------------------
// Hostile input.

func TestHostileInput(t *testing.T) {
	t.Parallel()
	w := newErrWorld(t, testkit.Options{})
	s, a := w.s, w.alice
	csrf := "&csrf=" + a.BiliJct + "&csrf_token=" + a.BiliJct
	sendBody := func(extra string) []byte {
		return []byte(withCSRF(a, testkit.SendForm(alice, bob, 1, testkit.Text("hi"))).Encode() + extra)
	}
	big := strings.Repeat("a", wire64KiB+1)
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	for k, v := range withCSRF(a, testkit.SendForm(alice, bob, 1, testkit.Text(big))) {
		mw.WriteField(k, v[0])
	}
	mw.Close()
	var mpOK bytes.Buffer
	mw2 := multipart.NewWriter(&mpOK)
	for k, v := range withCSRF(a, testkit.SendForm(alice, bob, 1, testkit.Text("multipart"))) {
		mw2.WriteField(k, v[0])
	}
	mw2.Close()

	type hc struct {
		name        string
		ep          string
		method      string // default: the endpoint's
		query, body string
		ctype       string
		user        *testkit.User
		code        int
		data        dataWant
	}
	bad := testkit.User{SESSDATA: "\xff\xfe", BiliJct: a.BiliJct}
	cases := []hc{
		// Size.
		{name: "body over 64 KiB", ep: "send_msg", body: string(sendBody("&pad=" + big)), code: -400, data: dataAbsent},
		{name: "content over 64 KiB", ep: "send_msg", body: withCSRF(a, testkit.SendForm(alice, bob, 1, testkit.Text(big))).Encode(), code: -400, data: dataAbsent},
		{name: "multipart over 64 KiB", ep: "send_msg", body: mp.String(), ctype: mw.FormDataContentType(), code: -400, data: dataAbsent},
		{name: "multipart ok", ep: "send_msg", body: mpOK.String(), ctype: mw2.FormDataContentType(), code: 0},
		{name: "ack body over 64 KiB", ep: "update_ack", body: "talker_id=1002&session_type=1" + csrf + "&pad=" + big, code: -400, data: dataAbsent},
		{name: "GET with a body", ep: "single_unread", body: "x=" + big, method: "GET", code: 0},
		// Encoding.
		{name: "bad percent-encoding in body", ep: "send_msg", body: string(sendBody("&x=%zz")), code: -400, data: dataAbsent},
		{name: "bad percent-encoding in query", ep: "get_sessions", query: "session_type=1&x=%zz", code: -400, data: dataNull},
		{name: "semicolon in query", ep: "get_sessions", query: "session_type=1;x=1", code: -400, data: dataNull},
		{name: "invalid UTF-8 number", ep: "session_detail", query: "talker_id=%FF&session_type=1", code: -400, data: dataNull},
		{name: "invalid UTF-8 enum", ep: "get_sessions", query: "session_type=%C3%28", code: -400, data: dataNull},
		{name: "invalid UTF-8 in an informational param", ep: "single_unread", query: "mobi_app=%FF%FE&build=0", code: 0},
		{name: "invalid UTF-8 content, encoded", ep: "send_msg", body: withCSRF(a, testkit.SendForm(alice, bob, 1, "{\"content\":\"\xff\"}")).Encode(), code: -400, data: dataNull},
		{name: "invalid UTF-8 content, raw bytes", ep: "send_msg", body: strings.Replace(string(sendBody("")), "hi", "\xff\xfe", 1), code: -400, data: dataNull},
		{name: "invalid UTF-8 dev_id", ep: "send_msg", body: edit(withCSRF(a, testkit.SendForm(alice, bob, 1, testkit.Text("hi"))), "msg[dev_id]=\xff").Encode(), code: -400, data: dataNull},
		{name: "invalid UTF-8 image url", ep: "send_msg", body: withCSRF(a, testkit.SendForm(alice, bob, 2, "{\"url\":\"https://i0.hdslb.com/bfs/\xff.png\"}")).Encode(), code: -400, data: dataNull},
		{name: "invalid UTF-8 key is ignored", ep: "send_msg", body: string(sendBody("&msg%5B%FF%5D=1")), code: 0},
		{name: "invalid UTF-8 csrf", ep: "update_ack", body: "talker_id=1002&session_type=1&csrf=%FF&csrf_token=%FF", code: -111, data: dataAbsent},
		{name: "invalid UTF-8 SESSDATA", ep: "single_unread", user: &bad, code: -101, data: dataNull},
		{name: "NUL in a number", ep: "session_detail", query: "talker_id=1002%00&session_type=1", code: -400, data: dataNull},
		{name: "spaces around a number", ep: "session_detail", query: "talker_id=+1002&session_type=1", code: -400, data: dataNull},
		// Huge numbers.
		{name: "talker_id 2^64", ep: "session_detail", query: "talker_id=18446744073709551616&session_type=1", code: -400, data: dataNull},
		{name: "talker_id 2^64-1", ep: "session_detail", query: "talker_id=18446744073709551615&session_type=1", code: 1000004, data: dataNull},
		{name: "talker_id 2^63 history", ep: "fetch_session_msgs", query: "talker_id=9223372036854775808&session_type=1", code: 0},
		{name: "pin talker 2^64-1", ep: "set_top", body: "talker_id=18446744073709551615&session_type=1&op_type=0" + csrf, code: 0},
		{name: "intercept talker 2^64-1", ep: "update_intercept", body: "talker_id=18446744073709551615&status=1" + csrf, code: 0},
		{name: "dnd talker 2^64-1", ep: "get_msg_dnd", query: "own_uid=1001&uids=18446744073709551615", code: 0},
		{name: "ack_seqno 2^64-1 clamps", ep: "update_ack", body: "talker_id=1002&session_type=1&ack_seqno=18446744073709551615" + csrf, code: 0},
		{name: "ack_seqno 2^64", ep: "update_ack", body: "talker_id=1002&session_type=1&ack_seqno=18446744073709551616" + csrf, code: -400, data: dataAbsent},
		{name: "size 2^64", ep: "fetch_session_msgs", query: "talker_id=1002&session_type=1&size=18446744073709551616", code: -400, data: dataNull},
		{name: "size 2^63-1 clamps", ep: "fetch_session_msgs", query: "talker_id=1002&session_type=1&size=9223372036854775807", code: 0},
		{name: "list size 2^63-1 clamps", ep: "get_sessions", query: "session_type=1&size=9223372036854775807", code: 0},
		{name: "begin_ts int64 max", ep: "new_sessions", query: "begin_ts=9223372036854775807", code: 0},
		{name: "receiver_id 2^64", ep: "send_msg", body: edit(withCSRF(a, testkit.SendForm(alice, bob, 1, testkit.Text("hi"))), "msg[receiver_id]=18446744073709551616").Encode(), code: -400, data: dataNull},
		{name: "receiver_id 2^64-1", ep: "send_msg", body: edit(withCSRF(a, testkit.SendForm(alice, bob, 1, testkit.Text("hi"))), "msg[receiver_id]=18446744073709551615").Encode(), code: -400, data: dataNull},
		{name: "recall key 2^64-1", ep: "send_msg", body: withCSRF(a, testkit.SendForm(alice, bob, 5, "18446744073709551615")).Encode(), code: 10005, data: dataNull},
		{name: "recall key 2^64", ep: "send_msg", body: withCSRF(a, testkit.SendForm(alice, bob, 5, "18446744073709551616")).Encode(), code: -400, data: dataNull},
		// Negative and non-numeric sizes.
		{name: "negative history size", ep: "fetch_session_msgs", query: "talker_id=1002&session_type=1&size=-20", code: 2, data: dataNull},
		{name: "negative list size means default", ep: "get_sessions", query: "session_type=1&size=-5", code: 0},
		{name: "negative new_sessions size", ep: "new_sessions", query: "size=-1", code: 0},
		{name: "size=abc", ep: "fetch_session_msgs", query: "talker_id=1002&session_type=1&size=abc", code: -400, data: dataNull},
		{name: "list size=abc", ep: "new_sessions", query: "size=abc", code: -400, data: dataNull},
		{name: "size with a fraction", ep: "get_sessions", query: "session_type=1&size=2.5", code: -400, data: dataNull},
		// JSON that is not an object, unknown msg_type.
		{name: "content JSON number", ep: "send_msg", body: withCSRF(a, testkit.SendForm(alice, bob, 1, "42")).Encode(), code: -400, data: dataNull},
		{name: "content JSON true", ep: "send_msg", body: withCSRF(a, testkit.SendForm(alice, bob, 1, "true")).Encode(), code: -400, data: dataNull},
		{name: "content two objects", ep: "send_msg", body: withCSRF(a, testkit.SendForm(alice, bob, 1, `{"content":"a"}{"content":"b"}`)).Encode(), code: -400, data: dataNull},
		{name: "image content string", ep: "send_msg", body: withCSRF(a, testkit.SendForm(alice, bob, 2, `"https://i0.hdslb.com/bfs/a.png"`)).Encode(), code: -400, data: dataNull},
		{name: "unknown msg_type", ep: "send_msg", body: withCSRF(a, testkit.SendForm(alice, bob, 99, testkit.Text("hi"))).Encode(), code: 21035, data: dataNull},
		// Keys.
		{name: "percent-encoded keys", ep: "send_msg", body: string(sendBody("")), code: 0},
		{name: "raw bracket keys", ep: "send_msg", body: rawBrackets(string(sendBody(""))), code: 0},
		{name: "receiver_type key with a trailing space", ep: "send_msg", body: rawBrackets(strings.Replace(string(sendBody("")), "msg%5Breceiver_type%5D=1", "msg[receiver_type] =1", 1)), code: 0},
		{name: "receiver_type key with a trailing +", ep: "send_msg", body: strings.Replace(string(sendBody("")), "msg%5Breceiver_type%5D=1", "msg%5Breceiver_type%5D+=1", 1), code: 0},
		{name: "trimmed receiver_type key is read", ep: "send_msg", body: rawBrackets(strings.Replace(string(sendBody("")), "msg%5Breceiver_type%5D=1", "msg[receiver_type] =2", 1)), code: 700014, data: dataNull},
		{name: "exact key beats a padded one", ep: "send_msg", body: rawBrackets(string(sendBody(""))) + "&msg[receiver_type] =2&msg[receiver_type]%20=2", code: 0},
		{name: "receiver_type absent defaults to 1", ep: "send_msg", body: edit(withCSRF(a, testkit.SendForm(alice, bob, 1, testkit.Text("hi"))), "-msg[receiver_type]").Encode(), code: 0},
		{name: "duplicated key: first wins", ep: "send_msg", body: string(sendBody("&msg%5Bmsg_type%5D=7")), code: 0},
		{name: "duplicated key: first wins (bad first)", ep: "send_msg", body: "msg%5Bmsg_type%5D=7&" + string(sendBody("")), code: 21035, data: dataNull},
		{name: "duplicated csrf: first wins", ep: "update_ack", body: "talker_id=1002&session_type=1&csrf=bad&csrf=" + a.BiliJct, code: -111, data: dataAbsent},
		{name: "body wins over query", ep: "send_msg", query: "msg%5Bmsg_type%5D=7", body: string(sendBody("")), code: 0},
		{name: "query fills a missing body field", ep: "send_msg", query: "msg%5Bdev_id%5D=X", body: edit(withCSRF(a, testkit.SendForm(alice, bob, 1, testkit.Text("hi"))), "-msg[dev_id]").Encode(), code: 0},
		{name: "WBI parameters are ignored", ep: "send_msg", query: "w_sender_uid=1001&w_receiver_id=1002&w_dev_id=X&w_rid=0123&wts=1", body: string(sendBody("")), code: 0},
		{name: "odd Content-Type read as a form", ep: "send_msg", body: string(sendBody("")), ctype: "text/plain", code: 0},
		{name: "empty body", ep: "update_ack", body: "", code: -111, data: dataAbsent},
		// Settings endpoints (§4 S1–S10).
		{name: "prefs: invalid UTF-8 value", ep: "link_setting_set", body: "set_like=%FF" + csrf, code: -400, data: dataAbsent},
		{name: "prefs: NUL in a value", ep: "link_setting_set", body: "set_like=5%00" + csrf, code: -400, data: dataAbsent},
		{name: "prefs: value 2^64", ep: "link_setting_set", body: "set_like=18446744073709551616" + csrf, code: -400, data: dataAbsent},
		{name: "prefs: body over 64 KiB", ep: "link_setting_set", body: "set_like=5" + csrf + "&pad=" + big, code: -400, data: dataAbsent},
		{name: "prefs: invalid UTF-8 key is ignored", ep: "link_setting_set", body: "%FF=1&set_like=0" + csrf, code: 0},
		{name: "prefs: duplicated key, first wins", ep: "link_setting_set", body: "set_like=0&set_like=7" + csrf, code: 0},
		{name: "prefs: duplicated key, bad first", ep: "link_setting_set", body: "set_like=7&set_like=0" + csrf, code: 2, data: dataAbsent},
		{name: "prefs get: invalid UTF-8 counts as absent", ep: "link_setting_get", query: "msg_notify=%FF&show_unfollowed_msg=%C3%28", code: 0},
		{name: "prefs get: huge value", ep: "link_setting_get", query: "msg_notify=99999999999999999999999", code: 0},
		{name: "prefs get: POST body over 64 KiB", ep: "link_setting_get", method: "POST", body: "msg_notify=1" + csrf + "&pad=" + big, code: -400, data: dataNull},
		{name: "block word: invalid UTF-8", ep: "add_block_word", body: "content=%FF%FE" + csrf, code: -400, data: dataAbsent},
		{name: "block word: surrogate half", ep: "add_block_word", body: "content=%ED%A0%80" + csrf, code: -400, data: dataAbsent},
		{name: "block word: 60 KB", ep: "add_block_word", body: "content=" + strings.Repeat("a", 60000) + csrf, code: 1900004, data: dataAbsent},
		{name: "block word: over 64 KiB", ep: "add_block_word", body: "content=" + big + csrf, code: -400, data: dataAbsent},
		{name: "block word: delete invalid UTF-8", ep: "del_block_word", body: "content=%FF" + csrf, code: -400, data: dataAbsent},
		{name: "block word: delete 60 KB", ep: "del_block_word", body: "content=" + strings.Repeat("a", 60000) + csrf, code: 0},
		{name: "reply: invalid UTF-8", ep: "set_reply_text", body: "type=1&reply=%FF" + csrf, code: 27011, data: dataAbsent},
		{name: "reply: 60 KB", ep: "set_reply_text", body: "type=1&reply=" + strings.Repeat("a", 60000) + csrf, code: 1500001, data: dataAbsent},
		{name: "reply: over 64 KiB", ep: "set_reply_text", body: "type=1&reply=" + big + csrf, code: -400, data: dataAbsent},
		{name: "reply: type 2^64", ep: "set_reply_text", body: "type=18446744073709551616&reply=hi" + csrf, code: 27011, data: dataAbsent},
		{name: "reply: id 2^64", ep: "set_reply_text", body: "type=2&id=18446744073709551616&title=t&key1=k&reply=hi" + csrf, code: 27011, data: dataAbsent},
		{name: "reply: id 2^64-1", ep: "set_reply_text", body: "type=2&id=18446744073709551615&title=t&key1=k&reply=hi" + csrf, code: 27011, data: dataAbsent},
		{name: "reply: 10000 keywords", ep: "set_reply_text", body: "type=2&title=t&key1=" + strings.Repeat("k%2C", 10000) + "&reply=hi" + csrf, code: 27011, data: dataAbsent},
		{name: "del reply: id 2^64-1", ep: "del_reply_text", body: "id=18446744073709551615" + csrf, code: 0},
		{name: "del reply: id 2^64", ep: "del_reply_text", body: "id=18446744073709551616" + csrf, code: -400, data: dataAbsent},
		{name: "reply texts: invalid UTF-8 type", ep: "get_reply_text", query: "type%5B%5D=%FF", code: -400, data: dataNull},
		{name: "reply texts: type 2^64", ep: "get_reply_text", query: "type%5B%5D=18446744073709551616", code: -400, data: dataNull},
		{name: "reply texts: 10000 types", ep: "get_reply_text", query: "type%5B%5D=" + strings.Repeat("1,", 9999) + "1", code: 0},
		{name: "reply texts: uid 2^64-1", ep: "get_reply_text", query: "type%5B%5D=1&uid=18446744073709551615", code: 2, data: dataNull},
		{name: "reply texts: raw brackets", ep: "get_reply_text", query: "type[]=1&type[]=2", code: 0},
		{name: "sys setting: invalid UTF-8 mobi_app", ep: "get_sys_setting", query: "mobi_app=%FF&build=%FF", code: 0},
		{name: "group icon: huge build", ep: "show_create_group_icon", query: "build=99999999999999999999999", code: 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := endpointNamed(t, c.ep)
			method := c.method
			if method == "" {
				method = map[bool]string{true: "POST", false: "GET"}[e.post]
			}
			var body []byte
			if method == "POST" || c.body != "" {
				body = []byte(c.body)
			}
			u := a
			if c.user != nil {
				u = *c.user
			}
			r := rawCall(t, s, method, e.path, c.query, body, c.ctype, u)
			if c.code == 0 {
				wantOK(t, r)
				return
			}
			wantEnvelope(t, r, e.svr, c.code, bareRequestErrors(c.ep, c.code, c.data))
		})
	}
	// The duplicated-key and trailing-space sends arrived as text messages to bob.
	for _, m := range fetchView(t, s, w.bob, alice).arr {
		if num(t, m.get("msg_type")) != 1 {
			t.Errorf("a message of type %d reached bob", num(t, m.get("msg_type")))
		}
	}
}

// wire64KiB is the documented bound of a request body (wire.MaxBodyBytes).
const wire64KiB = 64 << 10

// rawBrackets turns percent-encoded brackets of the keys back into literal ones, as
// curl --data-urlencode sends them.
func rawBrackets(body string) string {
	return strings.NewReplacer("msg%5B", "msg[", "%5D=", "]=").Replace(body)
}

// TestHostileHistoryBounds: seqno bounds are exclusive whatever their size (§9 item 52).
func TestHostileHistoryBounds(t *testing.T) {
	t.Parallel()
	w := newErrWorld(t, testkit.Options{})
	for i := range 3 {
		w.s.SendText(w.alice, bob, fmt.Sprintf("%d", i))
	}
	count := func(extra ...string) int {
		t.Helper()
		r := w.s.Get(w.bob, testkit.PathFetchMsgs, q(append([]string{"talker_id", "1001", "session_type", "1"}, extra...)...))
		wantOK(t, r)
		return len(mustParse(t, r.Body).get("data", "messages").arr)
	}
	for _, c := range []struct {
		bound string
		value string
		want  int
	}{
		{"end_seqno", "9223372036854775807", 4},
		{"end_seqno", "9223372036854775808", 4},
		{"end_seqno", "18446744073709551615", 4},
		{"begin_seqno", "9223372036854775807", 0},
		{"begin_seqno", "9223372036854775808", 0},
		{"begin_seqno", "18446744073709551615", 0},
		{"begin_seqno", "1", 4},
		{"end_seqno", "1", 0},
	} {
		if got := count(c.bound, c.value); got != c.want {
			t.Errorf("%s=%s: %d messages, want %d", c.bound, c.value, got, c.want)
		}
	}
}
