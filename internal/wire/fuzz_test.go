package wire

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bilimsg/bilimsg/internal/emoji"
	"github.com/bilimsg/bilimsg/internal/im"
	"github.com/bilimsg/bilimsg/internal/store"
	"github.com/bilimsg/bilimsg/internal/store/sqlite"
)

// paramsRequest builds a request without going through a URL parser, so that any query
// string reaches parseParams unchanged.
func paramsRequest(post bool, query, body, contentType string) *http.Request {
	r := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/x", RawQuery: query}, Header: http.Header{},
		Body: http.NoBody}
	if post {
		r.Method = http.MethodPost
		r.Body = io.NopCloser(strings.NewReader(body))
		r.ContentLength = int64(len(body))
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
	}
	return r
}

func FuzzParams(f *testing.F) {
	seeds := []struct {
		post              bool
		query, body, ctyp string
	}{
		{false, "session_type=1&size=20", "", ""},
		{true, "w_rid=abc&wts=1", "msg%5Bsender_uid%5D=1&msg[receiver_id]=2&msg[receiver_type]%20=1", "application/x-www-form-urlencoded"},
		{true, "", "msg[receiver_type] =1&msg[receiver_type]=2", "application/x-www-form-urlencoded; charset=UTF-8"},
		{true, "a=query", "a=body&a=second", ""},
		{true, "", "a=1&+a=2&a+=3", "text/plain"},
		{true, "", "%zz=1", "application/x-www-form-urlencoded"},
		{false, "a=%zz", "", ""},
		{true, "", "--B\r\nContent-Disposition: form-data; name=\" k \"\r\n\r\nv\r\n--B--\r\n", "multipart/form-data; boundary=B"},
		{true, "", "--B\r\nbroken", "multipart/form-data; boundary=B"},
		{true, "", "x=1", "multipart/form-data"},
		{true, "", "x=1", "bogus/;;;"},
		{true, ";", "\x00=\xff", ""},
	}
	for _, s := range seeds {
		f.Add(s.post, s.query, s.body, s.ctyp)
	}
	f.Fuzz(func(t *testing.T, post bool, query, body, contentType string) {
		p, err := parseParams(httptest.NewRecorder(), paramsRequest(post, query, body, contentType))
		// The same request must always give the same parameters.
		for range 3 {
			again, err2 := parseParams(httptest.NewRecorder(), paramsRequest(post, query, body, contentType))
			if (err == nil) != (err2 == nil) || !maps.Equal(p, again) {
				t.Fatalf("parseParams is not deterministic: %v %v / %v %v", p, err, again, err2)
			}
		}
		if err != nil {
			return
		}
		for k := range p {
			if k != strings.TrimSpace(k) {
				t.Fatalf("key %q is not trimmed", k)
			}
		}
		// Independent oracle for url-encoded input: every name (trimmed) is present, with
		// the first value of one of the raw names it comes from (all of them, joined by
		// commas, for "name[]"); the body wins.
		ct := strings.ToLower(strings.TrimSpace(strings.Split(contentType, ";")[0]))
		if post && ct == "multipart/form-data" {
			return
		}
		want := map[string][]string{}
		add := func(raw string, over bool) {
			v, err := url.ParseQuery(raw)
			if err != nil {
				t.Fatalf("parseParams accepted %q, which url.ParseQuery refuses: %v", raw, err)
			}
			layer := map[string][]string{}
			for k, vs := range v {
				k = strings.TrimSpace(k)
				val := vs[0]
				if strings.HasSuffix(k, "[]") { // array parameters keep every value
					val = strings.Join(vs, ",")
				}
				layer[k] = append(layer[k], val)
			}
			for k, vs := range layer {
				if _, ok := want[k]; !ok || over {
					want[k] = vs
				}
			}
		}
		add(query, false)
		if post {
			add(body, true)
		}
		if len(want) != len(p) {
			t.Fatalf("params %q, want the names of %q", p, want)
		}
		for k, vs := range want {
			got, ok := p[k]
			if !ok || !contains(vs, got) {
				t.Fatalf("param %q = %q, want one of %q", k, got, vs)
			}
		}
	})
}

// FuzzUserInfosMids checks x/im/user_infos' uids parser against an oracle written from
// its definition: a non-empty comma-separated list of items, each one or more ASCII
// digits whose value fits in a uint64; anything else is refused.
func FuzzUserInfosMids(f *testing.F) {
	for _, s := range []string{"1", "1001,1002,1001", "0", "01", "", ",", "1,", ",1", "1,,2", " 1", "1 ", "+1", "-1",
		"1.0", "0x1", "1_000", "18446744073709551615", "18446744073709551616", "000000000000000000000018446744073709551615",
		"99999999999999999999", "１", "1\x00", "\xff"} {
		f.Add(s)
	}
	const maxU64 = "18446744073709551615"
	f.Fuzz(func(t *testing.T, v string) {
		got, ok := parseMids(v)
		items := strings.Split(v, ",")
		wantOK := v != ""
		for _, it := range items {
			digits := it != ""
			for _, r := range it {
				digits = digits && r >= '0' && r <= '9'
			}
			sig := strings.TrimLeft(it, "0")
			wantOK = wantOK && digits && (len(sig) < len(maxU64) || (len(sig) == len(maxU64) && sig <= maxU64))
		}
		if ok != wantOK {
			t.Fatalf("parseMids(%q) ok = %v, want %v", v, ok, wantOK)
		}
		if !ok {
			if got != nil {
				t.Fatalf("parseMids(%q) refused but returned %v", v, got)
			}
			return
		}
		if len(got) != len(items) {
			t.Fatalf("parseMids(%q) = %v: %d items, want %d", v, got, len(got), len(items))
		}
		for i, it := range items {
			want := strings.TrimLeft(it, "0")
			if want == "" {
				want = "0"
			}
			if strconv.FormatUint(got[i], 10) != want {
				t.Fatalf("parseMids(%q)[%d] = %d, want %s", v, i, got[i], want)
			}
		}
	})
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// sendCodes are the codes send_msg documents (catalog §3 P19), plus the global csrf code.
var sendCodes = map[int64]bool{0: true, -3: true, -101: true, -111: true, -400: true, 10005: true, 21007: true,
	21015: true, 21020: true, 21026: true, 21028: true, 21035: true, 21037: true, 21041: true, 21042: true,
	21046: true, 21047: true, 25003: true, 25005: true, 700013: true, 700014: true}

// Field omission bits of FuzzSendMsg.
const (
	omitSender = 1 << iota
	omitReceiver
	omitReceiverType
	omitMsgType
	omitContent
	omitDevID
	omitTimestamp
	omitNFV
	omitCSRF
)

func FuzzSendMsg(f *testing.F) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(f.TempDir(), "fuzz.db"), sqlite.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	svc := im.New(st, im.NewFakeClock(time.Date(2024, 6, 2, 8, 0, 0, 0, time.UTC)), emoji.MustLoad(), nil, im.Config{})
	// 1001 sends. 1002 follows 1001 (anything goes), 1003 blocks 1001, 1001 blocks 1004,
	// 1005 is a stranger (one message, then 21047).
	users := []uint64{1001, 1002, 1003, 1004, 1005}
	for _, u := range users {
		if _, err := svc.CreateUser(ctx, im.NewUser{Mid: u, Name: "u" + strconv.FormatUint(u, 10)}); err != nil {
			f.Fatal(err)
		}
	}
	must := func(err error) {
		if err != nil {
			f.Fatal(err)
		}
	}
	must(svc.Follow(ctx, 1002, 1001, true))
	must(svc.Block(ctx, 1003, 1001, true))
	must(svc.Block(ctx, 1001, 1004, true))
	cred, err := svc.Login(ctx, 1001)
	must(err)
	sent, err := svc.Send(ctx, im.SendRequest{Sender: 1001, ReceiverType: 1, Receiver: 1002, MsgType: 1,
		Content: `{"content":"first"}`, NewFaceVersion: 1})
	must(err)
	// Fan groups of 1002: 9001 open and 9002 frozen with 1001 in them, 9003 dissolved with
	// 1001 in it, 9004 without 1001.
	_, err = svc.UpdateUser(ctx, 1002, im.UserPatch{Fans: new(int64(1000))})
	must(err)
	groups := []uint64{9001, 9002, 9003, 9004}
	for _, g := range groups {
		_, err := svc.CreateGroup(ctx, im.NewGroup{ID: g, Owner: 1002})
		must(err)
		if g != 9004 {
			_, err = svc.JoinGroup(ctx, g, []uint64{1001, 1005})
			must(err)
		}
	}
	_, err = svc.SetGroupState(ctx, 9002, store.GroupFrozen)
	must(err)
	_, err = svc.SetGroupState(ctx, 9003, store.GroupDissolved)
	must(err)
	groupSent, err := svc.Send(ctx, im.SendRequest{Sender: 1001, ReceiverType: 2, Receiver: 9001, MsgType: 1,
		Content: `{"content":"@u1005 hi"}`, NewFaceVersion: 1})
	must(err)
	h := New(svc, nil)

	f.Add("1001", "1002", "1", "1", `{"content":"hi [doge]"}`, "372778FD-E359-461D-86A3-EA2BCC6FF52A", "1626181379", "1", uint16(0))
	f.Add("1001", "1002", "1", "1", `{"content":"支付宝"}`, "d", "1", "0", uint16(omitReceiverType|omitNFV))
	f.Add("1001", "1002", "1", "2", `{"url":"https://i0.hdslb.com/bfs/im/a.png"}`, "d", "1", "1", uint16(0))
	f.Add("1001", "1002", "1", "2", `{"url":"https://example.com/a.png"}`, "d", "1", "1", uint16(0))
	f.Add("1001", "1002", "1", "5", strconv.FormatUint(sent.MsgKey, 10), "d", "1", "1", uint16(0))
	f.Add("1001", "1002", "1", "5", "123", "d", "1", "1", uint16(0))
	f.Add("1001", "1005", "1", "1", `{"content":"one"}`, "d", "1", "1", uint16(0))
	f.Add("1001", "1003", "1", "1", `{"content":"blocked"}`, "d", "1", "1", uint16(0))
	f.Add("1001", "1004", "1", "1", `{"content":"blocking"}`, "d", "1", "1", uint16(0))
	f.Add("1001", "1001", "1", "1", `{"content":"me"}`, "d", "1", "1", uint16(0))
	f.Add("1001", "1002", "2", "1", `{"content":"group"}`, "d", "1", "1", uint16(0))
	for _, g := range []string{"9001", "9002", "9003", "9004", "0", "18446744073709551615"} {
		f.Add("1001", g, "2", "1", `{"content":"@u1002 @u1005，hi ＠u1001"}`, "d", "1", "1", uint16(0))
	}
	f.Add("1001", "9001", "2", "2", `{"url":"https://i0.hdslb.com/bfs/im/a.png"}`, "d", "1", "1", uint16(0))
	f.Add("1001", "9001", "2", "5", strconv.FormatUint(groupSent.MsgKey, 10), "d", "1", "1", uint16(0))
	f.Add("1001", "9001", "2", "5", strconv.FormatUint(sent.MsgKey, 10), "d", "1", "1", uint16(0))
	f.Add("1001", "1002", "1", "5", strconv.FormatUint(groupSent.MsgKey, 10), "d", "1", "1", uint16(0))
	f.Add("1001", "9001", "2", "1", `{"content":"`+strings.Repeat("@", 30)+`u1005"}`, "d", "1", "1", uint16(0))
	f.Add("1001", "1002", "1", "6", `{"content":"x"}`, "d", "1", "1", uint16(0))
	f.Add("1001", "1002", "1", "99999999999", `{"content":"x"}`, "d", "1", "1", uint16(0))
	f.Add("1002", "1001", "1", "1", `{"content":"not me"}`, "d", "1", "1", uint16(0))
	f.Add("1001", "18446744073709551615", "1", "1", `{"content":"x"}`, "d", "1", "1", uint16(0))
	f.Add("1001", "1002", "1", "1", `{"content":""}`, "d", "1", "1", uint16(0))
	f.Add("1001", "1002", "1", "1", `{"content":"`+strings.Repeat("a", 2000)+`"}`, "d", "1", "1", uint16(0))
	f.Add("1001", "1002", "-1", "-1", "\xff", "", "x", "x", uint16(0))
	f.Add("1001", "1002", "1", "1", `{"content":"x"}`, "d", "1", "1", uint16(omitCSRF))
	f.Add("1001", "1002", "1", "1", `{"content":"x"}`, "d", "1", "1", uint16(omitContent|omitDevID|omitTimestamp))

	state := func(tb testing.TB) (map[uint64]store.Counters, map[uint64]uint64) {
		cs, maxs := map[uint64]store.Counters{}, map[uint64]uint64{}
		for _, u := range users {
			c, err := svc.SingleUnread(ctx, u)
			if err != nil {
				tb.Fatal(err)
			}
			cs[u] = c
			for _, side := range [][2]uint64{{1001, u}, {u, 1001}} {
				s, err := svc.SessionSettings(ctx, side[0], 1, side[1])
				if err != nil {
					tb.Fatal(err)
				}
				maxs[side[0]<<32|side[1]] = s.MaxSeqno
			}
		}
		for _, g := range groups {
			grp, err := svc.GetGroup(ctx, g)
			if err != nil {
				tb.Fatal(err)
			}
			maxs[g] = grp.MaxSeqno
		}
		return cs, maxs
	}

	f.Fuzz(func(t *testing.T, sender, receiver, rtype, mtype, content, devID, ts, nfv string, omit uint16) {
		form := url.Values{}
		set := func(bit uint16, k, v string) {
			if omit&bit == 0 {
				form.Set(k, v)
			}
		}
		set(omitSender, "msg[sender_uid]", sender)
		set(omitReceiver, "msg[receiver_id]", receiver)
		set(omitReceiverType, "msg[receiver_type]", rtype)
		set(omitMsgType, "msg[msg_type]", mtype)
		set(omitContent, "msg[content]", content)
		set(omitDevID, "msg[dev_id]", devID)
		set(omitTimestamp, "msg[timestamp]", ts)
		set(omitNFV, "msg[new_face_version]", nfv)
		set(omitCSRF, "csrf", cred.BiliJct)
		set(omitCSRF, "csrf_token", cred.BiliJct)
		form.Set("msg[msg_status]", "0")

		beforeC, beforeM := state(t)
		r := httptest.NewRequest(http.MethodPost, "/web_im/v1/web_im/send_msg", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.AddCookie(&http.Cookie{Name: "SESSDATA", Value: cred.SESSDATA})
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)

		env, code := fuzzEnvelope(t, w, false)
		if !sendCodes[code] {
			t.Fatalf("code %v is not one send_msg documents: %s", env["code"], w.Body)
		}
		if msg, _ := env["message"].(string); msg == "" || env["ttl"] != json.Number("1") {
			t.Fatalf("envelope without message or ttl 1: %s", w.Body)
		}
		if _, has := env["msg"]; has {
			t.Fatalf("send_msg's envelope has no msg field: %s", w.Body)
		}
		if code == 0 {
			data, _ := env["data"].(map[string]any)
			key, _ := data["msg_key"].(json.Number)
			if k, err := strconv.ParseUint(string(key), 10, 64); err != nil || k <= 1<<53 {
				t.Fatalf("success without an exact msg_key above 2^53: %s", w.Body)
			}
			return
		}
		if d, has := env["data"]; has && d != nil {
			t.Fatalf("error with data: %s", w.Body)
		}
		afterC, afterM := state(t)
		if !maps.Equal(beforeC, afterC) || !maps.Equal(beforeM, afterM) {
			t.Fatalf("code %d but the state changed: counters %v → %v, max seqnos %v → %v", code, beforeC, afterC, beforeM, afterM)
		}
	})
}

// Settings endpoints fuzzed by FuzzSettings, and the codes each documents (catalog §4
// S2, S4, S7), plus the global -111.
const (
	fuzzSetPrefs  = "/link_setting/v1/link_setting/set"
	fuzzAddWord   = "/x/im/link_setting/add_block_word"
	fuzzSetReply  = "/x/im/auto_reply/set_reply_text"
	fuzzGetPrefs  = "/link_setting/v1/link_setting/get?msg_notify=1&show_unfollowed_msg=1"
	fuzzGetWords  = "/x/im/link_setting/get_block_words"
	fuzzGetReply  = "/x/im/auto_reply/get_reply_text?type%5B%5D=1,2,3,5"
	fuzzDelWord   = "/x/im/link_setting/del_block_word"
	fuzzDelReply  = "/x/im/auto_reply/del_reply_text"
	fuzzRichMid   = 1002 // 1000 fans
	fuzzRuleOwner = 1003
)

var settingsCodes = map[string]map[int64]bool{
	fuzzSetPrefs: {0: true, -111: true, -400: true, 2: true, 700009: true},
	fuzzAddWord:  {0: true, -111: true, -400: true, 1900004: true, 1900005: true, 1900006: true, 1900007: true},
	fuzzSetReply: {0: true, -111: true, 27011: true, 1500001: true, 1500002: true, 1500003: true},
}

// prefDomains are the values of each link_setting/set parameter (docs/settings.md, catalog
// §9 item 36), written out independently of the implementation's table.
var prefDomains = map[string][]int64{"show_unfollowed_msg": {0, 1}, "msg_notify": {1, 3}, "set_like": {0, 5},
	"set_comment": {0, 1, 2}, "set_at": {0, 1, 2}, "is_group_fold": {0, 1}, "should_receive_group": {0, 1},
	"receive_unfollow_msg": {0, 1}, "followed_reply": {0, 1}, "keys_reply": {0, 1}, "recv_reply": {0, 1},
	"voyage_reply": {0, 1}, "recommend_followed_reply": {0, 1}, "ai_intercept": {0, 1},
	"set_recv_reply": {0, 1, 2}, "set_recv_like": {0, 2}, "set_new_follow": {0, 2}}

var autoReplyPrefs = []string{"followed_reply", "keys_reply", "recv_reply", "voyage_reply", "recommend_followed_reply"}

// fuzzEnvelope checks that w holds one bilibili envelope of the family (msg only in the
// svr family) and returns it with its code.
func fuzzEnvelope(t *testing.T, w *httptest.ResponseRecorder, svr bool) (map[string]any, int64) {
	t.Helper()
	if w.Code != http.StatusOK {
		t.Fatalf("HTTP %d: %s", w.Code, w.Body)
	}
	dec := json.NewDecoder(bytes.NewReader(w.Body.Bytes()))
	dec.UseNumber()
	var env map[string]any
	if err := dec.Decode(&env); err != nil || dec.More() {
		t.Fatalf("body is not one JSON object (%v): %s", err, w.Body)
	}
	num, _ := env["code"].(json.Number)
	code, err := num.Int64()
	if err != nil {
		t.Fatalf("code %v: %s", env["code"], w.Body)
	}
	if msg, _ := env["message"].(string); msg == "" || env["ttl"] != json.Number("1") {
		t.Fatalf("envelope without message or ttl 1: %s", w.Body)
	}
	if _, has := env["msg"]; has != svr {
		t.Fatalf("msg present: %v, want %v: %s", has, svr, w.Body)
	}
	return env, code
}

// splitKeys is the documented keyword-list rule: split on "，" and ",", trim, drop empty.
func splitKeys(s string) []string {
	var out []string
	for _, k := range strings.FieldsFunc(s, func(r rune) bool { return r == '，' || r == ',' }) {
		if k = strings.TrimSpace(k); k != "" {
			out = append(out, k)
		}
	}
	return out
}

// FuzzSettings posts arbitrary values to link_setting/set ((op&0x3f)%3 == 0: a and c are
// parameter names, b and d their values), add_block_word (1: content a) and
// set_reply_text (2: type a, reply b, title c, key1 d, key2 e, id g) as 1001 (no fans)
// or, with op&0x80, 1002 (1000 fans); op&0x40 leaves content or id out. Every answer is
// HTTP 200 with an envelope and a code the endpoint documents; a refused call changes
// nothing; codes follow the documented rules where they can be predicted.
func FuzzSettings(f *testing.F) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(f.TempDir(), "fuzz.db"), sqlite.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	svc := im.New(st, im.NewFakeClock(time.Date(2024, 6, 2, 8, 0, 0, 0, time.UTC)), emoji.MustLoad(), nil, im.Config{})
	must := func(err error) {
		if err != nil {
			f.Fatal(err)
		}
	}
	fans := map[uint64]int64{1001: 0, fuzzRichMid: 1000, fuzzRuleOwner: 0}
	for _, u := range []uint64{1001, fuzzRichMid, fuzzRuleOwner} {
		_, err := svc.CreateUser(ctx, im.NewUser{Mid: u, Name: "u" + strconv.FormatUint(u, 10), Fans: fans[u]})
		must(err)
	}
	creds := map[uint64]im.Credentials{}
	for _, u := range []uint64{1001, fuzzRichMid} {
		c, err := svc.Login(ctx, u)
		must(err)
		creds[u] = c
		must(svc.AddBlockWord(ctx, u, "已有"))
		must(svc.SetReplyText(ctx, u, im.ReplyText{Type: 2, Title: "价格", Key1: "多少钱", Reply: "看置顶"}))
	}
	must(svc.SetReplyText(ctx, fuzzRuleOwner, im.ReplyText{Type: 2, Title: "别人的", Key1: "别人", Reply: "别人的回复"}))
	// Rule ids: 1 is 1001's, 2 is 1002's, 3 is 1003's.
	h := New(svc, nil)

	do := func(mid uint64, method, target string, form url.Values) *httptest.ResponseRecorder {
		var r *http.Request
		if method == http.MethodPost {
			r = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		} else {
			r = httptest.NewRequest(method, target, nil)
		}
		r.AddCookie(&http.Cookie{Name: "SESSDATA", Value: creds[mid].SESSDATA})
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	state := func(t *testing.T, mid uint64, target string, svr bool) string {
		t.Helper()
		w := do(mid, http.MethodGet, target, nil)
		if _, code := fuzzEnvelope(t, w, svr); code != 0 {
			t.Fatalf("GET %s: %s", target, w.Body)
		}
		return w.Body.String()
	}

	f.Add(uint8(0), "set_like", "5", "msg_notify", "3", "", "")
	f.Add(uint8(0), "set_like", "5", "msg_notify", "2", "", "")
	f.Add(uint8(0), "set_comment", "abc", "set_at", "1", "", "")
	f.Add(uint8(0), "followed_reply", "1", "set_like", "5", "", "")
	f.Add(uint8(0x80), "followed_reply", "1", "keys_reply", "1", "", "")
	f.Add(uint8(0x80), " recv_reply", "0", "voyage_reply ", "1", "", "")
	f.Add(uint8(0), "set_new_follow", "4294967296", "set_recv_like", "", "", "")
	f.Add(uint8(0), "csrf", "x", "ai_intercept", "1", "", "")
	f.Add(uint8(1), "屏蔽词", "", "", "", "", "")
	f.Add(uint8(1), "已有", "", "", "", "", "")
	f.Add(uint8(1), "a\u3000b", "", "", "", "", "")
	f.Add(uint8(1), "a\x01b", "", "", "", "", "")
	f.Add(uint8(1), strings.Repeat("词", 21), "", "", "", "", "")
	f.Add(uint8(1), "\xff", "", "", "", "", "")
	f.Add(uint8(0x41), "", "", "", "", "", "")
	f.Add(uint8(2), "1", "感谢关注", "", "", "", "")
	f.Add(uint8(2), "2", "看置顶", "价格", "多少钱，价格", "报价, 预算", "")
	f.Add(uint8(2), "2", "改了", "价格", "多少钱", "", "1")
	f.Add(uint8(2), "2", "改了", "价格", "多少钱", "", "3")
	f.Add(uint8(2), "4", "hi", "", "", "", "")
	f.Add(uint8(2), "3", "加我微信 abc_123456", "", "", "", "")
	f.Add(uint8(2), "5", strings.Repeat("字", 501), "", "", "", "")
	f.Add(uint8(2), "2", "hi", strings.Repeat("题", 31), "k", "", "")
	f.Add(uint8(2), "2", "hi", "t", strings.Repeat("k,", 21), "", "")

	f.Fuzz(func(t *testing.T, op uint8, a, b, c, d, e, g string) {
		kind := (op & 0x3f) % 3 // 0 link_setting/set, 1 add_block_word, 2 set_reply_text
		mid := uint64(1001)
		if op&0x80 != 0 {
			mid = fuzzRichMid
		}
		cred := creds[mid]
		form := url.Values{}
		var path, stateURL string
		svr := true
		switch kind {
		case 0:
			path, stateURL = fuzzSetPrefs, fuzzGetPrefs
			form.Set(a, b)
			form.Set(c, d)
		case 1:
			path, stateURL = fuzzAddWord, fuzzGetWords
			if op&0x40 == 0 {
				form.Set("content", a)
			}
		case 2:
			path, stateURL, svr = fuzzSetReply, fuzzGetReply, false
			form.Set("type", a)
			form.Set("reply", b)
			form.Set("title", c)
			form.Set("key1", d)
			form.Set("key2", e)
			if op&0x40 == 0 {
				form.Set("id", g)
			}
		}
		// csrf last, so that a fuzzed parameter named csrf cannot remove it (it may
		// still add a padded one).
		csrfKeyed := false
		for k := range form {
			csrfKeyed = csrfKeyed || strings.TrimSpace(k) == "csrf" || strings.TrimSpace(k) == "csrf_token"
		}
		if !csrfKeyed {
			form.Set("csrf", cred.BiliJct)
		}
		oversized := len(form.Encode()) > MaxBodyBytes

		before := state(t, mid, stateURL, svr)
		w := do(mid, http.MethodPost, path, form)
		env, code := fuzzEnvelope(t, w, svr)
		if !settingsCodes[path][code] && !(code == -400 && oversized) {
			t.Fatalf("code %d is not one %s documents: %s", code, path, w.Body)
		}
		if code == -111 && !csrfKeyed {
			t.Fatalf("the right csrf was refused: %s", w.Body)
		}
		if code != 0 {
			if d, has := env["data"]; has {
				t.Fatalf("a POST's error has no data, got %v: %s", d, w.Body)
			}
			if after := state(t, mid, stateURL, svr); after != before {
				t.Fatalf("code %d but the state changed:\n%s\n%s", code, before, after)
			}
		} else if d, _ := env["data"].(map[string]any); d == nil || len(d) != 0 {
			t.Fatalf("success without data {}: %s", w.Body)
		}
		if csrfKeyed || oversized {
			return
		}

		switch kind {
		case 0:
			// The parameters as the server sees them: names trimmed. Two names that trim
			// to the same one are parseParams' business (FuzzParams), not this test's.
			ka, kc := strings.TrimSpace(a), strings.TrimSpace(c)
			if ka == kc && a != c {
				return
			}
			p := map[string]string{ka: b, kc: d}
			if a == c {
				p = map[string]string{kc: d}
			}
			want := int64(0)
			nonInt, outside, on := false, false, false
			for name, dom := range prefDomains {
				v, ok := p[name]
				if !ok || v == "" {
					continue
				}
				n, err := strconv.ParseInt(v, 10, 64)
				if err != nil {
					nonInt = true
					continue
				}
				outside = outside || !slices.Contains(dom, n)
				on = on || (slices.Contains(autoReplyPrefs, name) && n == 1)
			}
			switch {
			case nonInt:
				want = -400
			case outside:
				want = 2
			case on && fans[mid] < 1000:
				want = 700009
			}
			if code != want {
				t.Fatalf("%q: code %d, want %d: %s", p, code, want, w.Body)
			}
			if code != 0 {
				return
			}
			var prefs struct {
				Data map[string]*int64 `json:"data"`
			}
			if err := json.Unmarshal([]byte(state(t, mid, stateURL, svr)), &prefs); err != nil {
				t.Fatal(err)
			}
			for name := range prefDomains {
				if v, ok := p[name]; ok && v != "" {
					n, _ := strconv.ParseInt(v, 10, 64)
					if got := prefs.Data[name]; got == nil || *got != n {
						t.Fatalf("%s=%q stored as %v", name, v, got)
					}
				}
			}
		case 1:
			content, sent := form["content"]
			var want int64
			switch {
			case !sent || content[0] == "" || !utf8.ValidString(a):
				want = -400
			case strings.IndexFunc(a, unicode.IsSpace) >= 0:
				want = 1900007
			case strings.IndexFunc(a, unicode.IsControl) >= 0:
				want = -400
			case utf8.RuneCountInString(a) > 20:
				want = 1900004
			case a == "已有":
				want = 1900006
			}
			if code != want {
				t.Fatalf("content %q: code %d, want %d: %s", a, code, want, w.Body)
			}
			if code != 0 {
				return
			}
			// Listed last; deleting it restores the state.
			var list struct {
				Data struct {
					Words []struct {
						Content string `json:"content"`
						Ctime   int64  `json:"ctime"`
					} `json:"words"`
				} `json:"data"`
			}
			if err := json.Unmarshal([]byte(state(t, mid, stateURL, svr)), &list); err != nil {
				t.Fatal(err)
			}
			ws := list.Data.Words
			if len(ws) != 2 || ws[1].Content != a || ws[1].Ctime != svc.Clock().Now().Unix() {
				t.Fatalf("added %q, words %+v", a, ws)
			}
			dw := do(mid, http.MethodPost, fuzzDelWord, url.Values{"content": {a}, "csrf": {cred.BiliJct}})
			if _, code := fuzzEnvelope(t, dw, true); code != 0 {
				t.Fatalf("delete %q: %s", a, dw.Body)
			}
			if after := state(t, mid, stateURL, svr); after != before {
				t.Fatalf("add then delete %q changed the words:\n%s\n%s", a, before, after)
			}
		case 2:
			typ, err := strconv.ParseInt(a, 10, 64)
			validType := err == nil && slices.Contains([]int64{1, 2, 3, 5}, typ)
			k1, k2 := splitKeys(d), splitKeys(e)
			// The keyword rule of 1001 is 1, that of 1002 is 2.
			var id uint64
			idErr := error(nil)
			if _, has := form["id"]; has && g != "" {
				id, idErr = strconv.ParseUint(g, 10, 64)
			}
			create := idErr == nil && id == 0
			sure27011 := !validType || strings.TrimSpace(b) == "" ||
				!utf8.ValidString(b) || !utf8.ValidString(c) || !utf8.ValidString(d) || !utf8.ValidString(e) ||
				(typ == 2 && (c == "" || utf8.RuneCountInString(c) > 30 || len(k1)+len(k2) == 0 || len(k1) > 20 || len(k2) > 20)) ||
				(typ == 2 && !create && (idErr != nil || id != map[uint64]uint64{1001: 1, fuzzRichMid: 2}[mid]))
			if sure27011 && code != 27011 {
				t.Fatalf("type %q reply %q title %q key1 %q key2 %q id %q: code %d, want 27011", a, b, c, d, e, g, code)
			}
			if code == 1500001 || code == 0 {
				if (utf8.RuneCountInString(b) > 500) != (code == 1500001) {
					t.Fatalf("reply of %d characters: code %d", utf8.RuneCountInString(b), code)
				}
			}
			if code == 1500002 && !(typ == 2 && create) {
				t.Fatalf("1500002 without creating a rule")
			}
			if code != 0 {
				return
			}
			var list struct {
				Data struct {
					Texts []struct {
						ID    uint64 `json:"id"`
						UID   uint64 `json:"uid"`
						Type  int64  `json:"type"`
						Title string `json:"title"`
						Key1  string `json:"key1"`
						Key2  string `json:"key2"`
						Reply string `json:"reply"`
					} `json:"texts"`
				} `json:"data"`
			}
			if err := json.Unmarshal([]byte(state(t, mid, stateURL, svr)), &list); err != nil {
				t.Fatal(err)
			}
			found := false
			var newRule uint64
			for _, x := range list.Data.Texts {
				if x.Type != typ || x.Reply != b || x.UID != mid {
					continue
				}
				if typ != 2 {
					found = x.Title == "" && x.Key1 == "" && x.Key2 == ""
					continue
				}
				if x.Title == c && x.Key1 == strings.Join(k1, "，") && x.Key2 == strings.Join(k2, "，") {
					found = true
					if create {
						newRule = x.ID
					} else if x.ID != id {
						t.Fatalf("modifying rule %d stored rule %d", id, x.ID)
					}
				}
			}
			if !found {
				t.Fatalf("stored texts %+v lack type %d reply %q title %q key1 %q key2 %q", list.Data.Texts, typ, b, c, d, e)
			}
			if newRule != 0 { // keep one rule per user
				dw := do(mid, http.MethodPost, fuzzDelReply, url.Values{"id": {strconv.FormatUint(newRule, 10)}, "csrf": {cred.BiliJct}})
				if _, code := fuzzEnvelope(t, dw, false); code != 0 {
					t.Fatalf("delete rule %d: %s", newRule, dw.Body)
				}
			}
		}
	})
}
