package wire_test

// Golden tests: one or more realistic scenarios per endpoint of the route table. Each
// full response body is compared with testdata/golden/<endpoint>_<case>.json
// semantically (numbers exact, via json.Decoder.UseNumber) and by key order, and the key
// order of envelopes and of the shared objects is also checked against the catalog
// (api-catalog.md §2, §3) independently of the golden files.
//
// The world is deterministic: fixed mids, and testkit's fake clock pinned at
// testkit.Epoch, so msg_keys, seqnos and timestamps are the same on every run.
//
// Rewrite the golden files with: go test ./internal/wire/ -run TestGolden -update
// and review every changed file against the catalog before keeping it.

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/internal/testkit"
	"github.com/bilimsg/bilimsg/internal/wire"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// ---------------------------------------------------------------------------------------
// Order-preserving JSON.

// jnode is a decoded JSON value that remembers the key order of objects.
type jnode struct {
	kind byte // 'o' object, 'a' array, 's' string, 'n' number, 'b' bool, 'z' null
	keys []string
	obj  map[string]*jnode
	arr  []*jnode
	str  string
	num  json.Number
	b    bool
}

func (n *jnode) get(path ...string) *jnode {
	for _, p := range path {
		if n == nil {
			return nil
		}
		if i, err := strconv.Atoi(p); err == nil && n.kind == 'a' {
			if i >= len(n.arr) {
				return nil
			}
			n = n.arr[i]
			continue
		}
		if n.kind != 'o' {
			return nil
		}
		n = n.obj[p]
	}
	return n
}

func (n *jnode) has(key string) bool {
	_, ok := n.obj[key]
	return n.kind == 'o' && ok
}

// parseOrdered decodes one JSON value (and nothing after it), rejecting duplicate keys.
func parseOrdered(raw []byte) (*jnode, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	n, err := readNode(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the JSON value")
	}
	return n, nil
}

func readNode(dec *json.Decoder) (*jnode, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			n := &jnode{kind: 'o', obj: map[string]*jnode{}}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k := kt.(string)
				if _, dup := n.obj[k]; dup {
					return nil, fmt.Errorf("duplicate key %q", k)
				}
				child, err := readNode(dec)
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, k)
				n.obj[k] = child
			}
			_, err := dec.Token()
			return n, err
		case '[':
			n := &jnode{kind: 'a'}
			for dec.More() {
				child, err := readNode(dec)
				if err != nil {
					return nil, err
				}
				n.arr = append(n.arr, child)
			}
			_, err := dec.Token()
			return n, err
		}
	case string:
		return &jnode{kind: 's', str: v}, nil
	case json.Number:
		return &jnode{kind: 'n', num: v}, nil
	case bool:
		return &jnode{kind: 'b', b: v}, nil
	case nil:
		return &jnode{kind: 'z'}, nil
	}
	return nil, fmt.Errorf("unexpected token %v", tok)
}

func mustParse(t *testing.T, raw []byte) *jnode {
	t.Helper()
	n, err := parseOrdered(raw)
	if err != nil {
		t.Fatalf("response is not valid JSON (%v):\n%s", err, raw)
	}
	return n
}

// keyOrders lists every object's keys by its path, e.g. "data.session_list[0].last_msg".
func keyOrders(n *jnode, path string, out map[string][]string) map[string][]string {
	if out == nil {
		out = map[string][]string{}
	}
	switch n.kind {
	case 'o':
		out[path] = n.keys
		for _, k := range n.keys {
			keyOrders(n.obj[k], path+"."+k, out)
		}
	case 'a':
		for i, c := range n.arr {
			keyOrders(c, fmt.Sprintf("%s[%d]", path, i), out)
		}
	}
	return out
}

func decodeLoose(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

// ---------------------------------------------------------------------------------------
// Catalog key orders.

var (
	envelopeSvr = []string{"code", "msg", "message", "ttl", "data"}
	envelopeX   = []string{"code", "message", "ttl", "data"}

	// §2.1, in the order of the examples; account_info only in system sessions.
	sessionKeys = []string{"talker_id", "session_type", "at_seqno", "top_ts", "group_name", "group_cover",
		"is_follow", "is_dnd", "ack_seqno", "ack_ts", "session_ts", "unread_count", "last_msg", "group_type",
		"can_fold", "status", "max_seqno", "new_push_msg", "setting", "is_guardian", "is_intercept", "is_trust",
		"system_msg_type", "account_info", "live_status", "biz_msg_unread_count", "user_label"}
	// §2.2; sys_cancel only when true, new_face_version absent when 0.
	messageKeys = []string{"sender_uid", "receiver_type", "receiver_id", "msg_type", "content", "msg_seqno",
		"timestamp", "at_uids", "msg_key", "msg_status", "sys_cancel", "notify_code", "new_face_version",
		"msg_source"}
	eInfoKeys       = []string{"text", "url", "size", "gif_url"}
	sessionListKeys = []string{"session_list", "has_more", "anti_disturb_cleaning", "is_address_list_empty",
		"system_msg", "show_level"}
	historyKeys = []string{"messages", "has_more", "min_seqno", "max_seqno", "e_infos"}
	unreadKeys  = []string{"unfollow_unread", "follow_unread", "unfollow_push_msg", "dustbin_push_msg",
		"dustbin_unread", "biz_msg_unfollow_unread", "biz_msg_follow_unread", "custom_unread"}
	sendKeys   = []string{"msg_key", "e_infos", "msg_content", "key_hit_infos"}
	keyHitKeys = []string{"toast", "rule_id", "high_text"}

	// §4 S1; the first two keys only when the request asked for them (§9 item 37).
	prefsKeys = []string{"show_unfollowed_msg", "msg_notify", "set_like", "set_comment", "set_at", "is_group_fold",
		"should_receive_group", "receive_unfollow_msg", "followed_reply", "keys_reply", "recv_reply", "voyage_reply",
		"recommend_followed_reply", "ai_intercept", "anti_harassment", "set_recv_reply", "set_recv_like",
		"set_new_follow"}
	// The documented values of each S1 number (§4 S1, §9 item 36).
	prefsValues = map[string][]int64{"show_unfollowed_msg": {0, 1}, "msg_notify": {1, 3}, "set_like": {0, 5},
		"set_comment": {0, 1, 2}, "set_at": {0, 1, 2}, "set_recv_reply": {0, 1, 2}, "set_recv_like": {0, 2},
		"set_new_follow": {0, 2}}
	// §4 S3.
	blockWordsKeys = []string{"words", "message", "max_word_length", "max_words_size"}
	blockWordKeys  = []string{"content", "ctime"}
	// §4 S6.
	replyTextKeys = []string{"id", "uid", "type", "title", "key1", "key2", "reply"}
	// §4 S9, in the order of the example.
	sysSettingKeys = []string{"is_create_group_available", "is_auto_reply_available", "vc_hint_title",
		"vc_hint_title_button", "vc_hint_detail", "vc_hint_detail_button", "auto_reply_html", "is_receive_unfollow_wl",
		"is_voyage", "is_auto_reply_recommend_available", "is_discuss_style_im_page", "discuss_unread_style_im_page",
		"old_up_assistant_door", "is_new_up_assistant_effective", "is_archive_gray", "session_cfg",
		"migrate_session_api", "game_msg", "auto_reply_msg_desc", "huahuo_group_icon_new",
		"huahuo_group_icon_dark_new", "im_disabled_input_hint"}
	oldUpDoorKeys  = []string{"show_old_up_door", "title", "sub_title"}
	sessionCfgKeys = []string{"hidden_emote_btn", "hidden_pic_btn", "max_height", "hint_text", "hidden_top_hint",
		"is_gpt_account"}
	// S9's fixed texts, as the catalog writes them (full-width punctuation).
	sysSettingTexts = map[string]string{
		"vc_hint_title":          "我为什么会收到此类消息",
		"vc_hint_title_button":   "了解更多",
		"vc_hint_detail":         "您【特别关注】的UP主更新视频或专栏后，会第一时间在私信推送给您。如有需要可点击右上角设置关闭推送。",
		"vc_hint_detail_button":  "关闭推送",
		"auto_reply_html":        "https://message.bilibili.com/h5/app/auto-reply",
		"auto_reply_msg_desc":    "此条消息为自动回复",
		"im_disabled_input_hint": "请到UP主空间发起咨询",
	}
	// bilibili's AI accounts, configured in S9's session_cfg (docs/settings.md).
	aiAccounts = []string{"100000000000001", "100000000000002", "1400565964"}
)

// xFamily are the endpoints whose envelope has no msg (§8.3); the feed endpoints
// (fdEndpoints, golden_feed_test.go) are of this family too.
var xFamily = append([]string{"send_msg", "get_reply_text", "set_reply_text", "del_reply_text", "login", "logout"}, fdEndpoints...)

// wantFlag asserts n is the number 0 or 1.
func wantFlag(t *testing.T, where string, n *jnode) {
	t.Helper()
	if n == nil || n.kind != 'n' || (n.num != "0" && n.num != "1") {
		t.Errorf("%s must be the number 0 or 1, got %+v", where, n)
	}
}

// wantBool asserts n is a JSON boolean.
func wantBool(t *testing.T, where string, n *jnode) {
	t.Helper()
	if n == nil || n.kind != 'b' {
		t.Errorf("%s must be a JSON boolean, got %+v", where, n)
	}
}

// wantKeys asserts n is an object whose keys are exactly full, in that order, minus the
// optional keys that are absent; it reports whether they are.
func wantKeys(t *testing.T, where string, n *jnode, full []string, optional ...string) bool {
	t.Helper()
	if n == nil || n.kind != 'o' {
		t.Errorf("%s: want an object, got %v", where, n)
		return false
	}
	var want []string
	for _, k := range full {
		if !slices.Contains(optional, k) || n.has(k) {
			want = append(want, k)
		}
	}
	if !slices.Equal(n.keys, want) {
		t.Errorf("%s: keys\n got %v\nwant %v", where, n.keys, want)
		return false
	}
	return true
}

func wantSession(t *testing.T, where string, n *jnode) {
	t.Helper()
	wantKeys(t, where, n, sessionKeys, "account_info")
	if n == nil || n.kind != 'o' {
		return
	}
	if lm := n.get("last_msg"); lm != nil && lm.kind != 'z' {
		wantMessage(t, where+".last_msg", lm)
	}
	// User sessions: no account_info, user_label null (§2.1, §9 item 50).
	if n.get("system_msg_type").num == "0" && n.has("account_info") {
		t.Errorf("%s: account_info in a user session", where)
	}
	// System sessions (§2.1): session_type 1, account_info {name, pic_url}, is_follow 1.
	if st := n.get("system_msg_type"); st != nil && st.kind == 'n' && st.num != "0" {
		if wantKeys(t, where+".account_info", n.get("account_info"), []string{"name", "pic_url"}) {
			for _, k := range []string{"name", "pic_url"} {
				if v := n.get("account_info", k); v.kind != 's' || v.str == "" {
					t.Errorf("%s.account_info.%s must be a non-empty string", where, k)
				}
			}
		}
		if n.get("is_follow").num != "1" || n.get("session_type").num != "1" {
			t.Errorf("%s: a system session has session_type 1 and is_follow 1", where)
		}
	}
	if ul := n.get("user_label"); ul == nil || ul.kind != 'z' {
		t.Errorf("%s: user_label must be null", where)
	}
}

func wantMessage(t *testing.T, where string, n *jnode) {
	t.Helper()
	wantKeys(t, where, n, messageKeys, "sys_cancel", "new_face_version")
	if n == nil || n.kind != 'o' {
		return
	}
	if au := n.get("at_uids"); au == nil || au.kind != 'z' {
		t.Errorf("%s: at_uids must be null in user sessions (§9 item 8)", where)
	}
	if nfv := n.get("new_face_version"); nfv != nil && nfv.num == "0" {
		t.Errorf("%s: new_face_version must be absent when 0 (§9 item 9)", where)
	}
	if c := n.get("content"); c == nil || c.kind != 's' {
		t.Errorf("%s: content must be a string", where)
	}
}

func wantEInfos(t *testing.T, where string, n *jnode) {
	t.Helper()
	if n == nil || n.kind != 'a' || len(n.arr) == 0 {
		t.Errorf("%s: want a non-empty array", where)
		return
	}
	for i, e := range n.arr {
		w := fmt.Sprintf("%s[%d]", where, i)
		wantKeys(t, w, e, eInfoKeys, "gif_url")
		if g := e.get("gif_url"); g != nil && g.str == "" {
			t.Errorf("%s: empty gif_url must be omitted", w)
		}
	}
}

// catalogShape checks what the catalog pins about an endpoint's response, independently
// of the golden file.
func catalogShape(t *testing.T, endpoint string, root *jnode) {
	t.Helper()
	fam := envelopeSvr
	if slices.Contains(xFamily, endpoint) {
		fam = envelopeX
	}
	wantKeys(t, "envelope", root, fam)
	if root.get("code").num != "0" || root.get("message").str != "0" || root.get("ttl").num != "1" {
		t.Errorf("success envelope must be code 0, message \"0\", ttl 1")
	}
	if m := root.get("msg"); m != nil && m.str != "0" {
		t.Errorf("msg = %q, want \"0\"", m.str)
	}
	data := root.get("data")
	switch endpoint {
	case "single_unread":
		wantKeys(t, "data", data, unreadKeys)
	case "my_group_unread":
		wantKeys(t, "data", data, []string{"unread_count"})
	case "get_sessions", "new_sessions":
		// system_msg: only when system sessions exist, {"<system_msg_type>": talker_id}; §3 P4: never.
		wantKeys(t, "data", data, sessionListKeys, "system_msg")
		if data.has("system_msg") && endpoint == "new_sessions" {
			t.Errorf("new_sessions has no system_msg")
		}
		if sm := data.get("system_msg"); sm != nil {
			if sm.kind != 'o' || len(sm.keys) == 0 {
				t.Errorf("system_msg must be a non-empty object (absent when there are no system sessions)")
			}
			for _, k := range sm.keys {
				if typ, err := strconv.Atoi(k); err != nil || typ <= 0 || sm.get(k).kind != 'n' {
					t.Errorf("system_msg[%q]: keys are system_msg_type codes, values talker ids", k)
				}
			}
		}
		for _, k := range []string{"anti_disturb_cleaning", "show_level"} {
			if data.get(k).kind != 'b' {
				t.Errorf("data.%s must be a JSON boolean", k)
			}
		}
		if sl := data.get("show_level"); sl.b != (endpoint == "get_sessions") {
			t.Errorf("show_level = %v: true in get_sessions, false in new_sessions", sl.b)
		}
		list := data.get("session_list")
		switch list.kind {
		case 'z':
		case 'a':
			if len(list.arr) == 0 {
				t.Errorf("an empty session_list must be null, not []")
			}
			for i, s := range list.arr {
				wantSession(t, fmt.Sprintf("data.session_list[%d]", i), s)
			}
		default:
			t.Errorf("session_list must be an array or null")
		}
	case "session_detail":
		wantSession(t, "data", data)
	case "is_limit":
		wantKeys(t, "data", data, []string{"is_limit", "report_limit"})
	case "get_msg_dnd":
		wantKeys(t, "data", data, []string{"uid_settings", "group_settings"}, "uid_settings", "group_settings")
		for _, k := range []string{"uid_settings", "group_settings"} {
			if s := data.get(k); s != nil {
				if s.kind != 'a' || len(s.arr) != 1 {
					t.Errorf("data.%s must hold exactly one item", k)
					continue
				}
				wantKeys(t, "data."+k+"[0]", s.arr[0], []string{"id", "setting"})
			}
		}
	case "get_session_ss":
		wantKeys(t, "data", data, []string{"follow_status", "special", "push_setting", "show_push_setting"})
	case "update_ack", "remove_session", "set_top", "set_msg_dnd", "set_push_ss", "update_intercept",
		"batch_update_dustbin_ack", "batch_rm_dustbin",
		"link_setting_set", "add_block_word", "del_block_word", "set_reply_text", "del_reply_text", "logout":
		// Successful no-payload POSTs answer data: {} (never null; §8.3).
		if data == nil || data.kind != 'o' || len(data.keys) != 0 {
			t.Errorf("data must be {}")
		}
	case "fetch_session_msgs":
		wantKeys(t, "data", data, historyKeys, "e_infos")
		msgs := data.get("messages")
		switch msgs.kind {
		case 'z':
			if data.get("min_seqno").num != "18446744073709551615" || data.get("max_seqno").num != "0" {
				t.Errorf("empty history: min_seqno must be 18446744073709551615 and max_seqno 0")
			}
			if data.has("e_infos") {
				t.Errorf("empty history must not carry e_infos")
			}
		case 'a':
			if len(msgs.arr) == 0 {
				t.Errorf("empty messages must be null, not []")
			}
			var seqs []uint64
			for i, m := range msgs.arr {
				wantMessage(t, fmt.Sprintf("data.messages[%d]", i), m)
				s, err := strconv.ParseUint(string(m.get("msg_seqno").num), 10, 64)
				if err != nil {
					t.Errorf("msg_seqno: %v", err)
				}
				seqs = append(seqs, s)
			}
			for i := 1; i < len(seqs); i++ {
				if seqs[i] >= seqs[i-1] {
					t.Errorf("messages must be newest first: seqnos %v", seqs)
				}
			}
			if len(seqs) > 0 {
				if got := data.get("max_seqno").num; string(got) != strconv.FormatUint(seqs[0], 10) {
					t.Errorf("max_seqno = %s, want %d", got, seqs[0])
				}
				if got := data.get("min_seqno").num; string(got) != strconv.FormatUint(seqs[len(seqs)-1], 10) {
					t.Errorf("min_seqno = %s, want %d", got, seqs[len(seqs)-1])
				}
			}
		default:
			t.Errorf("messages must be an array or null")
		}
		if e := data.get("e_infos"); e != nil {
			wantEInfos(t, "data.e_infos", e)
		}
	case "send_msg":
		wantKeys(t, "data", data, sendKeys, "e_infos", "msg_content", "key_hit_infos")
		if e := data.get("e_infos"); e != nil {
			wantEInfos(t, "data.e_infos", e)
		}
		if k := data.get("key_hit_infos"); k != nil {
			wantKeys(t, "data.key_hit_infos", k, keyHitKeys, keyHitKeys...)
		}
	case "link_setting_get":
		if !wantKeys(t, "data", data, prefsKeys, "show_unfollowed_msg", "msg_notify") {
			break
		}
		for _, k := range prefsKeys {
			v := data.get(k)
			switch {
			case k == "anti_harassment":
				if v == nil || v.kind != 'z' {
					t.Errorf("data.anti_harassment must be null")
				}
			case v == nil: // an absent conditional key
			case prefsValues[k] != nil:
				if n, err := strconv.ParseInt(string(v.num), 10, 64); v.kind != 'n' || err != nil || !slices.Contains(prefsValues[k], n) {
					t.Errorf("data.%s = %+v, want one of %v", k, v, prefsValues[k])
				}
			default:
				wantFlag(t, "data."+k, v)
			}
		}
	case "get_block_words":
		if !wantKeys(t, "data", data, blockWordsKeys) {
			break
		}
		if data.get("message").str != "" || data.get("message").kind != 's' {
			t.Errorf("data.message must be the empty string")
		}
		if data.get("max_word_length").num != "20" || data.get("max_words_size").num != "200" {
			t.Errorf("max_word_length 20, max_words_size 200")
		}
		switch ws := data.get("words"); ws.kind {
		case 'z':
		case 'a':
			if len(ws.arr) == 0 {
				t.Errorf("no words: words must be null, not [] (§9 item 33)")
			}
			for i, w := range ws.arr {
				where := fmt.Sprintf("data.words[%d]", i)
				if !wantKeys(t, where, w, blockWordKeys) {
					continue
				}
				if w.get("content").kind != 's' || w.get("ctime").kind != 'n' {
					t.Errorf("%s: content a string, ctime a number", where)
				} else if c := num(t, w.get("ctime")); c < 1e9 || c > 1e10 {
					t.Errorf("%s: ctime %d must be in seconds", where, c)
				}
			}
		default:
			t.Errorf("words must be an array or null")
		}
	case "get_reply_text":
		if !wantKeys(t, "data", data, []string{"texts"}, "texts") {
			break
		}
		ts := data.get("texts")
		if ts == nil {
			break
		}
		if ts.kind != 'a' || len(ts.arr) == 0 {
			t.Errorf("texts must be absent when nothing is configured, else a non-empty array")
			break
		}
		for i, x := range ts.arr {
			where := fmt.Sprintf("data.texts[%d]", i)
			if !wantKeys(t, where, x, replyTextKeys) {
				continue
			}
			typ := num(t, x.get("type"))
			if !slices.Contains([]int64{1, 2, 3, 5}, typ) {
				t.Errorf("%s: type %d (1, 2, 3 or 5)", where, typ)
			}
			for _, k := range []string{"title", "key1", "key2", "reply"} {
				if v := x.get(k); v.kind != 's' || (typ != 2 && k != "reply" && v.str != "") {
					t.Errorf("%s.%s must be a string, empty except for keyword rules", where, k)
				}
			}
			if i > 0 && typ == 2 && num(t, ts.arr[i-1].get("type")) == 2 && num(t, x.get("id")) >= num(t, ts.arr[i-1].get("id")) {
				t.Errorf("%s: keyword rules come newest (highest id) first", where)
			}
		}
	case "get_sys_setting":
		if !wantKeys(t, "data", data, sysSettingKeys) {
			break
		}
		for _, k := range []string{"is_create_group_available", "is_auto_reply_available", "is_receive_unfollow_wl",
			"is_voyage", "is_auto_reply_recommend_available", "is_discuss_style_im_page",
			"discuss_unread_style_im_page", "is_new_up_assistant_effective"} {
			wantFlag(t, "data."+k, data.get(k))
		}
		for k, v := range sysSettingTexts {
			if got := data.get(k); got.kind != 's' || got.str != v {
				t.Errorf("data.%s = %q, want %q", k, got.str, v)
			}
		}
		for _, k := range []string{"huahuo_group_icon_new", "huahuo_group_icon_dark_new"} {
			if !strings.HasPrefix(data.get(k).str, "http://i0.hdslb.com/bfs/kfptfe/floor/") {
				t.Errorf("data.%s: bilibili's icon URL", k)
			}
		}
		door := data.get("old_up_assistant_door")
		if wantKeys(t, "data.old_up_assistant_door", door, oldUpDoorKeys) && (door.get("show_old_up_door").num != "0" || door.get("title").str != "" || door.get("sub_title").str != "") {
			t.Errorf("old_up_assistant_door: show_old_up_door 0, empty title and sub_title")
		}
		wantBool(t, "data.is_archive_gray", data.get("is_archive_gray"))
		wantBool(t, "data.migrate_session_api", data.get("migrate_session_api"))
		if data.get("migrate_session_api").b {
			t.Errorf("migrate_session_api must be false")
		}
		cfg := data.get("session_cfg")
		if cfg == nil || cfg.kind != 'o' || !slices.Equal(slices.Sorted(slices.Values(cfg.keys)), aiAccounts) {
			t.Errorf("session_cfg: keyed by the AI accounts %v", aiAccounts)
		} else {
			for _, k := range cfg.keys {
				where := "data.session_cfg." + k
				c := cfg.get(k)
				if !wantKeys(t, where, c, sessionCfgKeys) {
					continue
				}
				for _, f := range []string{"hidden_emote_btn", "hidden_pic_btn", "hidden_top_hint", "is_gpt_account"} {
					wantBool(t, where+"."+f, c.get(f))
				}
				if c.get("max_height").kind != 'n' || c.get("hint_text").str != "你想问什么问题呢?" {
					t.Errorf("%s: max_height a number, hint_text 你想问什么问题呢?", where)
				}
			}
		}
		if g := data.get("game_msg"); g == nil || g.kind != 'o' {
			t.Errorf("game_msg must be an object")
		} else if len(g.keys) != 0 && wantKeys(t, "data.game_msg", g, []string{"show_install"}) {
			if s := g.get("show_install"); s.kind != 'b' || !s.b {
				t.Errorf("game_msg.show_install must be true")
			}
		}
	case "login": // bilimsg's own (docs/api.md): the logged-in mid, a number
		if wantKeys(t, "data", data, []string{"mid"}) && data.get("mid").kind != 'n' {
			t.Errorf("data.mid must be a number")
		}
	case "user_infos": // §6, golden_users_test.go
		uiShape(t, data)
	case "show_create_group_icon":
		if !wantKeys(t, "data", data, []string{"show"}) {
			break
		}
		wantFlag(t, "data.show", data.get("show"))
	default:
		if (endpoint == "msgfeed_unread_old" || endpoint == "msgfeed_unread_new") && data.has("up") {
			// up is the UP主小助手 session's unread count (docs/feed.md), which fdShape still
			// pins to 0 from before system accounts: check it here, hand fdShape a 0.
			fdUintLit(t, "data.up", data.get("up"))
			data = withUpZero(data)
		}
		if !fdShape(t, endpoint, data) { // the notification feeds, golden_feed_test.go
			t.Errorf("no catalog shape for endpoint %q", endpoint)
		}
	}
}

// withUpZero returns a shallow copy of N1's data with up 0.
func withUpZero(data *jnode) *jnode {
	c := *data
	c.obj = map[string]*jnode{}
	for k, v := range data.obj {
		c.obj[k] = v
	}
	c.obj["up"] = &jnode{kind: 'n', num: "0"}
	return &c
}

// ---------------------------------------------------------------------------------------
// Golden comparison.

func goldenPath(name string) string { return filepath.Join("testdata", "golden", name+".json") }

// checkGolden compares a response with its golden file (rewriting it under -update) and
// with the catalog's shape for the endpoint; it returns the parsed response.
func checkGolden(t *testing.T, name string, r testkit.Raw) *jnode {
	t.Helper()
	return compareGolden(t, goldenPath(name), r, func(got *jnode) { catalogShape(t, endpointOf(name), got) })
}

// compareGolden checks r's shape, then compares it with the golden file at path
// (rewriting it under -update), values and key order; it returns the parsed response.
func compareGolden(t *testing.T, path string, r testkit.Raw, shape func(*jnode)) *jnode {
	t.Helper()
	if r.Status != 200 {
		t.Fatalf("HTTP %d, want 200: %s", r.Status, r.Body)
	}
	got := mustParse(t, r.Body)
	shape(got)
	if *update {
		var buf bytes.Buffer
		if err := json.Indent(&buf, r.Body, "", "  "); err != nil {
			t.Fatal(err)
		}
		buf.WriteByte('\n')
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file: %v (run with -update to create it)", err)
	}
	want, err := parseOrdered(raw)
	if err != nil {
		t.Fatalf("golden file %s is not valid JSON: %v", path, err)
	}
	gv, _ := decodeLoose(r.Body)
	wv, _ := decodeLoose(raw)
	if !reflect.DeepEqual(gv, wv) {
		var pretty bytes.Buffer
		json.Indent(&pretty, r.Body, "", "  ")
		t.Errorf("response differs from %s\n--- got ---\n%s\n--- want ---\n%s", path, pretty.String(), raw)
		return got
	}
	gk, wk := keyOrders(got, "", nil), keyOrders(want, "", nil)
	for p, keys := range wk {
		if !slices.Equal(gk[p], keys) {
			t.Errorf("key order of %q differs from %s:\n got %v\nwant %v", p, path, gk[p], keys)
		}
	}
	return got
}

// endpointAliases name the routes whose last path segment does not identify them:
// link_setting/get and /set would be "get" and "set", prefixes of many other names; the
// two N1 URLs both end in "unread", and "reply", "at" and "like" say little.
var endpointAliases = map[string]string{
	testkit.PathGetPrefs: "link_setting_get",
	testkit.PathSetPrefs: "link_setting_set",
	fdPathUnreadOld:      "msgfeed_unread_old",
	fdPathUnreadNew:      "msgfeed_unread_new",
	fdPathReply:          "msgfeed_reply",
	fdPathAt:             "msgfeed_at",
	fdPathLike:           "msgfeed_like",
}

// endpointKey is a route's endpoint name: its alias, else the last segment of its path.
func endpointKey(path string) string {
	if k, ok := endpointAliases[path]; ok {
		return k
	}
	return path[strings.LastIndexByte(path, '/')+1:]
}

// endpointOf returns the endpoint part of a golden name "<endpoint>_<case>": the longest
// endpoint key the name starts with (followed by "_"), so that "get_session_ss_x" is not
// taken for a get_sessions case nor "get_sessions_x" for a shorter key.
func endpointOf(name string) string {
	best := ""
	for _, p := range routePaths() {
		if ep := endpointKey(p); strings.HasPrefix(name, ep+"_") && len(ep) > len(best) {
			best = ep
		}
	}
	if best == "" {
		return name
	}
	return best
}

func routePaths() []string {
	ps := wire.New(nil, nil).Paths()
	slices.Sort(ps)
	return ps
}

// ---------------------------------------------------------------------------------------
// The deterministic world.

const (
	alice = 1001
	bob   = 1002
	carol = 1003
	dave  = 1004
)

// world: bob follows alice. alice wrote to bob at Epoch ("你好[tv_doge]", so the one-
// message rule does not apply to her); carol, whom bob does not follow, wrote to bob at
// Epoch+2s ("在吗") and got the msg_type 18 hint in her own view. The clock stands at
// Epoch+5s. dave exists but never chatted.
type world struct {
	s                  *testkit.Server
	alice, bob, carol  testkit.User
	dave               testkit.User
	aliceKey, carolKey uint64
}

func newWorld(t *testing.T) *world {
	t.Helper()
	s := testkit.Start(t, testkit.Options{})
	w := &world{s: s, alice: s.NewUser(alice, "alice"), bob: s.NewUser(bob, "bob"),
		carol: s.NewUser(carol, "carol"), dave: s.NewUser(dave, "dave")}
	s.Follow(bob, alice, true)
	w.aliceKey = s.SendText(w.alice, bob, "你好[tv_doge]")
	s.Advance(2 * time.Second)
	w.carolKey = s.SendText(w.carol, bob, "在吗")
	s.Advance(3 * time.Second)
	return w
}

func q(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

func mustCode(t *testing.T, r testkit.Raw, code int) {
	t.Helper()
	if c := r.Code(t); c != code {
		t.Fatalf("code %d, want %d: %s", c, code, r.Body)
	}
}

func num(t *testing.T, n *jnode) int64 {
	t.Helper()
	if n == nil || n.kind != 'n' {
		t.Fatalf("want a number, got %+v", n)
	}
	v, err := strconv.ParseInt(string(n.num), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func epochUs(d time.Duration) int64 { return testkit.Epoch.Add(d).UnixMicro() }

// ---------------------------------------------------------------------------------------
// The cases.

type goldenCase struct {
	name string
	run  func(t *testing.T) (testkit.Raw, func(t *testing.T, root *jnode))
}

// goldenCases are the cases of TestGolden; golden_feed_test.go appends the feed cases.
var goldenCases = []goldenCase{
	// P1
	{"single_unread_basic", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		return w.s.Get(w.bob, testkit.PathSingleUnread, nil), func(t *testing.T, root *jnode) {
			d := root.get("data")
			if num(t, d.get("follow_unread")) != 1 || num(t, d.get("unfollow_unread")) != 1 {
				t.Errorf("bob follows alice (1 unread) and not carol (1 unread)")
			}
		}
	}},
	{"single_unread_dustbin", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		mustCode(t, w.s.Post(w.bob, testkit.PathUpdateIntercept, q("talker_id", "1003", "status", "1")), 0)
		without := mustParse(t, w.s.Get(w.bob, testkit.PathSingleUnread, nil).Body)
		if num(t, without.get("data", "dustbin_unread")) != 0 || num(t, without.get("data", "unfollow_unread")) != 0 {
			t.Errorf("without show_dustbin=1 intercepted messages count nowhere: %v", without.get("data").keys)
		}
		return w.s.Get(w.bob, testkit.PathSingleUnread, q("show_dustbin", "1")), func(t *testing.T, root *jnode) {
			d := root.get("data")
			if num(t, d.get("dustbin_unread")) != 1 || num(t, d.get("unfollow_unread")) != 0 || num(t, d.get("follow_unread")) != 1 {
				t.Errorf("carol's message moved to the dustbin; alice's stays followed")
			}
		}
	}},
	// P2
	{"my_group_unread_basic", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		return w.s.Get(w.bob, testkit.PathMyGroupUnread, q("build", "0", "mobi_app", "web")), nil
	}},
	// P3
	{"get_sessions_empty", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		return w.s.Get(w.dave, testkit.PathGetSessions, q("session_type", "1")), func(t *testing.T, root *jnode) {
			d := root.get("data")
			if d.get("session_list").kind != 'z' {
				t.Errorf("session_list must be null when empty")
			}
			if num(t, d.get("is_address_list_empty")) != 1 {
				t.Errorf("dave has no sessions at all: is_address_list_empty must be 1 (§9 item 49)")
			}
		}
	}},
	{"get_sessions_users", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		return w.s.Get(w.bob, testkit.PathGetSessions, q("session_type", "1", "mobi_app", "web")), func(t *testing.T, root *jnode) {
			d := root.get("data")
			l := d.get("session_list")
			if l.kind != 'a' || len(l.arr) != 2 {
				t.Fatalf("want 2 sessions")
			}
			// Newest first: carol (Epoch+2s), then alice (Epoch).
			if num(t, l.arr[0].get("talker_id")) != carol || num(t, l.arr[1].get("talker_id")) != alice {
				t.Errorf("sessions must be sorted by session_ts, newest first")
			}
			if num(t, l.arr[0].get("is_follow")) != 0 || num(t, l.arr[1].get("is_follow")) != 1 {
				t.Errorf("is_follow: bob follows alice, not carol")
			}
			if num(t, l.arr[0].get("unread_count")) != 1 || num(t, l.arr[0].get("ack_seqno")) != 0 {
				t.Errorf("carol's message is unread")
			}
			if got := l.arr[1].get("last_msg", "msg_key").num; string(got) != strconv.FormatUint(w.aliceKey, 10) {
				t.Errorf("alice's last_msg key %s, want %d", got, w.aliceKey)
			}
			if num(t, l.arr[1].get("session_ts")) != epochUs(0) {
				t.Errorf("session_ts is in µs")
			}
			if num(t, d.get("is_address_list_empty")) != 0 || num(t, d.get("has_more")) != 0 {
				t.Errorf("is_address_list_empty and has_more must be 0")
			}
		}
	}},
	{"get_sessions_paged", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		first := mustParse(t, w.s.Get(w.bob, testkit.PathGetSessions, q("session_type", "4", "size", "1")).Body)
		if num(t, first.get("data", "has_more")) != 1 || num(t, first.get("data", "session_list", "0", "talker_id")) != carol {
			t.Fatalf("first page: carol, has_more 1")
		}
		end := string(first.get("data", "session_list", "0", "session_ts").num)
		return w.s.Get(w.bob, testkit.PathGetSessions, q("session_type", "4", "size", "1", "end_ts", end)), func(t *testing.T, root *jnode) {
			d := root.get("data")
			if num(t, d.get("has_more")) != 0 || num(t, d.get("session_list", "0", "talker_id")) != alice {
				t.Errorf("second page: alice, has_more 0")
			}
		}
	}},
	{"get_sessions_unfollowed", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		return w.s.Get(w.bob, testkit.PathGetSessions, q("session_type", "2")), func(t *testing.T, root *jnode) {
			l := root.get("data", "session_list")
			if l.kind != 'a' || len(l.arr) != 1 || num(t, l.arr[0].get("talker_id")) != carol {
				t.Errorf("category 2 holds only carol")
			}
		}
	}},
	{"get_sessions_sender_view", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		// carol's own view: her last_msg is the msg_type 18 hint only she sees, and sending
		// acked her session.
		w := newWorld(t)
		return w.s.Get(w.carol, testkit.PathGetSessions, q("session_type", "1")), func(t *testing.T, root *jnode) {
			s := root.get("data", "session_list", "0")
			if num(t, s.get("last_msg", "msg_type")) != 18 || num(t, s.get("last_msg", "msg_source")) != 18 {
				t.Errorf("carol's last message is the one-message hint")
			}
			if s.get("last_msg").has("new_face_version") {
				t.Errorf("the hint has new_face_version 0: key absent")
			}
			if num(t, s.get("unread_count")) != 0 || s.get("ack_seqno").num != s.get("max_seqno").num {
				t.Errorf("the sender's session is read")
			}
		}
	}},
	{"get_sessions_dustbin", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		mustCode(t, w.s.Post(w.bob, testkit.PathUpdateIntercept, q("talker_id", "1003", "status", "1")), 0)
		normal := mustParse(t, w.s.Get(w.bob, testkit.PathGetSessions, q("session_type", "4")).Body)
		if l := normal.get("data", "session_list"); len(l.arr) != 1 || num(t, l.arr[0].get("talker_id")) != alice {
			t.Errorf("intercepted sessions leave the normal lists")
		}
		return w.s.Get(w.bob, testkit.PathGetSessions, q("session_type", "5")), func(t *testing.T, root *jnode) {
			s := root.get("data", "session_list", "0")
			if num(t, s.get("is_intercept")) != 1 || num(t, s.get("is_trust")) != 0 {
				t.Errorf("intercepted: is_intercept 1, is_trust 0")
			}
		}
	}},
	// P4
	{"new_sessions_empty", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		return w.s.Get(w.bob, testkit.PathNewSessions, q("begin_ts", strconv.FormatInt(epochUs(10*time.Second), 10))), func(t *testing.T, root *jnode) {
			d := root.get("data")
			if d.get("session_list").kind != 'z' || num(t, d.get("is_address_list_empty")) != 0 {
				t.Errorf("no new sessions: session_list null; bob has sessions: is_address_list_empty 0")
			}
		}
	}},
	{"new_sessions_basic", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		return w.s.Get(w.bob, testkit.PathNewSessions, q("begin_ts", strconv.FormatInt(epochUs(time.Second), 10), "size", "20")), func(t *testing.T, root *jnode) {
			l := root.get("data", "session_list")
			if l.kind != 'a' || len(l.arr) != 1 || num(t, l.arr[0].get("talker_id")) != carol {
				t.Errorf("only carol's session changed after Epoch+1s")
			}
		}
	}},
	// P5
	{"session_detail_basic", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		return w.s.Get(w.alice, testkit.PathSessionDetail, q("talker_id", "1002", "session_type", "1")), func(t *testing.T, root *jnode) {
			d := root.get("data")
			if num(t, d.get("talker_id")) != bob || num(t, d.get("is_follow")) != 0 || num(t, d.get("unread_count")) != 0 {
				t.Errorf("alice's session with bob: she does not follow him, nothing unread")
			}
			if d.get("ack_seqno").num != d.get("max_seqno").num {
				t.Errorf("sending acks the sender's session")
			}
		}
	}},
	{"session_detail_settings", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		mustCode(t, w.s.Post(w.bob, testkit.PathSetTop, q("talker_id", "1001", "session_type", "1", "op_type", "0")), 0)
		mustCode(t, w.s.Post(w.bob, testkit.PathSetMsgDnd, q("setting", "1", "dnd_uid", "1001")), 0)
		mustCode(t, w.s.Post(w.bob, testkit.PathSetPushSS, q("talker_uid", "1001", "setting", "1")), 0)
		mustCode(t, w.s.Post(w.bob, testkit.PathUpdateAck, q("talker_id", "1001", "session_type", "1")), 0)
		return w.s.Get(w.bob, testkit.PathSessionDetail, q("talker_id", "1001", "session_type", "1")), func(t *testing.T, root *jnode) {
			d := root.get("data")
			if num(t, d.get("top_ts")) == 0 || num(t, d.get("is_dnd")) != 1 || num(t, d.get("setting")) != 1 {
				t.Errorf("pinned (top_ts ≠ 0), do-not-disturb, push off")
			}
			if num(t, d.get("unread_count")) != 0 || d.get("ack_seqno").num != d.get("max_seqno").num || num(t, d.get("ack_ts")) == 0 {
				t.Errorf("acked without ack_seqno: up to max_seqno, ack_ts set")
			}
		}
	}},
	// P6
	{"is_limit_basic", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		return w.s.Get(w.bob, testkit.PathIsLimit, q("uid", "1001", "type", "1")), nil
	}},
	// P7
	{"get_msg_dnd_uids", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		mustCode(t, w.s.Post(w.bob, testkit.PathSetMsgDnd, q("setting", "1", "dnd_uid", "1001")), 0)
		return w.s.Get(w.bob, testkit.PathGetMsgDnd, q("own_uid", "1002", "uids", "1001")), func(t *testing.T, root *jnode) {
			d := root.get("data")
			if d.has("group_settings") || num(t, d.get("uid_settings", "0", "setting")) != 1 {
				t.Errorf("only uid_settings, with setting 1")
			}
		}
	}},
	{"get_msg_dnd_both", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		// Several ids: only the first counts (§9 item 38).
		return w.s.Get(w.bob, testkit.PathGetMsgDnd, q("own_uid", "1002", "uids", "1003,1001", "group_ids", "221082140")), func(t *testing.T, root *jnode) {
			d := root.get("data")
			if num(t, d.get("uid_settings", "0", "id")) != carol || num(t, d.get("group_settings", "0", "id")) != 221082140 {
				t.Errorf("uid_settings for the first uid and group_settings for the group")
			}
		}
	}},
	{"get_msg_dnd_none", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		return w.s.Get(w.bob, testkit.PathGetMsgDnd, q("own_uid", "1002")), func(t *testing.T, root *jnode) {
			if d := root.get("data"); d.kind != 'o' || len(d.keys) != 0 {
				t.Errorf("no uids/group_ids: data {}")
			}
		}
	}},
	// P8
	{"get_session_ss_mutual", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		w.s.Follow(alice, bob, true)
		mustCode(t, w.s.Post(w.bob, testkit.PathSetPushSS, q("talker_uid", "1001", "setting", "1")), 0)
		return w.s.Get(w.bob, testkit.PathGetSessionSS, q("talker_uid", "1001")), func(t *testing.T, root *jnode) {
			if num(t, root.get("data", "follow_status")) != 6 || num(t, root.get("data", "push_setting")) != 1 {
				t.Errorf("mutual follow: 6; push off: 1")
			}
		}
	}},
	{"get_session_ss_blocked", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		w.s.Block(bob, carol, true)
		return w.s.Get(w.bob, testkit.PathGetSessionSS, q("talker_uid", "1003")), func(t *testing.T, root *jnode) {
			if num(t, root.get("data", "follow_status")) != 128 {
				t.Errorf("I blocked the talker: 128 (§9 item 39)")
			}
		}
	}},
	// P9–P16: every settings POST answers data {}.
	{"update_ack_ok", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		r := w.s.Post(w.bob, testkit.PathUpdateAck, q("talker_id", "1003", "session_type", "1", "ack_seqno", strconv.FormatUint(w.carolSeq(t), 10)))
		return r, func(t *testing.T, _ *jnode) {
			u := mustParse(t, w.s.Get(w.bob, testkit.PathSingleUnread, nil).Body)
			if num(t, u.get("data", "unfollow_unread")) != 0 {
				t.Errorf("acking carol's message clears the unfollowed unread count")
			}
		}
	}},
	{"remove_session_ok", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		r := w.s.Post(w.bob, testkit.PathRemoveSession, q("talker_id", "1003", "session_type", "1"))
		return r, func(t *testing.T, _ *jnode) {
			l := mustParse(t, w.s.Get(w.bob, testkit.PathGetSessions, q("session_type", "4")).Body)
			if s := l.get("data", "session_list"); len(s.arr) != 1 || num(t, s.arr[0].get("talker_id")) != alice {
				t.Errorf("carol's session is gone from the list")
			}
			h := mustParse(t, w.s.Get(w.bob, testkit.PathFetchMsgs, q("talker_id", "1003", "session_type", "1")).Body)
			if len(h.get("data", "messages").arr) != 1 {
				t.Errorf("history stays after remove_session")
			}
		}
	}},
	{"set_top_ok", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		r := w.s.Post(w.bob, testkit.PathSetTop, q("talker_id", "1001", "session_type", "1", "op_type", "0"))
		return r, func(t *testing.T, _ *jnode) {
			d := mustParse(t, w.s.Get(w.bob, testkit.PathSessionDetail, q("talker_id", "1001", "session_type", "1")).Body)
			if num(t, d.get("data", "top_ts")) != epochUs(5*time.Second) {
				t.Errorf("top_ts = %d, want the pin time in µs", num(t, d.get("data", "top_ts")))
			}
			mustCode(t, w.s.Post(w.bob, testkit.PathSetTop, q("talker_id", "1001", "session_type", "1", "op_type", "1")), 0)
			d = mustParse(t, w.s.Get(w.bob, testkit.PathSessionDetail, q("talker_id", "1001", "session_type", "1")).Body)
			if num(t, d.get("data", "top_ts")) != 0 {
				t.Errorf("op_type 1 unpins: top_ts 0")
			}
		}
	}},
	{"set_msg_dnd_ok", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		r := w.s.Post(w.bob, testkit.PathSetMsgDnd, q("uid", "1002", "setting", "1", "dnd_uid", "1003"))
		return r, func(t *testing.T, _ *jnode) {
			d := mustParse(t, w.s.Get(w.bob, testkit.PathGetMsgDnd, q("own_uid", "1002", "uids", "1003")).Body)
			if num(t, d.get("data", "uid_settings", "0", "setting")) != 1 {
				t.Errorf("set_msg_dnd is visible in get_msg_dnd")
			}
		}
	}},
	{"set_push_ss_ok", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		r := w.s.Post(w.bob, testkit.PathSetPushSS, q("talker_uid", "1003", "setting", "1"))
		return r, func(t *testing.T, _ *jnode) {
			d := mustParse(t, w.s.Get(w.bob, testkit.PathGetSessionSS, q("talker_uid", "1003")).Body)
			if num(t, d.get("data", "push_setting")) != 1 {
				t.Errorf("set_push_ss is visible in get_session_ss")
			}
		}
	}},
	{"update_intercept_ok", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		mustCode(t, w.s.Post(w.bob, testkit.PathUpdateIntercept, q("talker_id", "1003", "status", "1")), 0)
		r := w.s.Post(w.bob, testkit.PathUpdateIntercept, q("talker_id", "1003", "status", "0"))
		return r, func(t *testing.T, _ *jnode) {
			d := mustParse(t, w.s.Get(w.bob, testkit.PathSessionDetail, q("talker_id", "1003", "session_type", "1")).Body)
			if num(t, d.get("data", "is_intercept")) != 0 || num(t, d.get("data", "is_trust")) != 1 {
				t.Errorf("un-intercepting trusts the session (§9 item 31)")
			}
		}
	}},
	{"batch_update_dustbin_ack_ok", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		mustCode(t, w.s.Post(w.bob, testkit.PathUpdateIntercept, q("talker_id", "1003", "status", "1")), 0)
		r := w.s.Post(w.bob, testkit.PathDustbinAck, nil)
		return r, func(t *testing.T, _ *jnode) {
			u := mustParse(t, w.s.Get(w.bob, testkit.PathSingleUnread, q("show_dustbin", "1")).Body)
			if num(t, u.get("data", "dustbin_unread")) != 0 || num(t, u.get("data", "follow_unread")) != 1 {
				t.Errorf("the dustbin is read; alice's message is untouched")
			}
		}
	}},
	{"batch_rm_dustbin_ok", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		mustCode(t, w.s.Post(w.bob, testkit.PathUpdateIntercept, q("talker_id", "1003", "status", "1")), 0)
		r := w.s.Post(w.bob, testkit.PathDustbinRemove, nil)
		return r, func(t *testing.T, _ *jnode) {
			l := mustParse(t, w.s.Get(w.bob, testkit.PathGetSessions, q("session_type", "5")).Body)
			if l.get("data", "session_list").kind != 'z' {
				t.Errorf("the dustbin is empty")
			}
		}
	}},
	// P17
	{"fetch_session_msgs_empty", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		return w.s.Get(w.dave, testkit.PathFetchMsgs, q("talker_id", "1001", "session_type", "1", "size", "20")), nil
	}},
	{"fetch_session_msgs_emoji", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		w.s.SendText(w.bob, alice, "[口罩][tv_doge][口罩][不存在的表情]")
		return w.s.Get(w.alice, testkit.PathFetchMsgs, q("talker_id", "1002", "session_type", "1", "mobi_app", "web")), func(t *testing.T, root *jnode) {
			d := root.get("data")
			if len(d.get("messages").arr) != 2 || num(t, d.get("has_more")) != 0 {
				t.Errorf("two messages, has_more 0")
			}
			e := d.get("e_infos")
			var texts []string
			for _, x := range e.arr {
				texts = append(texts, x.get("text").str)
				if x.get("url").str == "" || num(t, x.get("size")) != 1 {
					t.Errorf("e_info %s: url and size 1", x.get("text").str)
				}
				if strings.HasPrefix(x.get("text").str, "[tv_") != x.has("gif_url") {
					t.Errorf("e_info %s: gif_url only for tv_ emoji", x.get("text").str)
				}
			}
			slices.Sort(texts)
			if !slices.Equal(texts, []string{"[tv_doge]", "[口罩]"}) {
				t.Errorf("e_infos texts %v: each known emoji once, unknown tokens are plain text", texts)
			}
		}
	}},
	{"fetch_session_msgs_recall", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		w.s.Advance(10 * time.Second)
		key := w.s.SendText(w.alice, bob, "发错了")
		w.s.Advance(30 * time.Second)
		r := w.s.Post(w.alice, testkit.PathSendMsg, testkit.SendForm(alice, bob, 5, strconv.FormatUint(key, 10)))
		mustCode(t, r, 0)
		return w.s.Get(w.bob, testkit.PathFetchMsgs, q("talker_id", "1001", "session_type", "1")), func(t *testing.T, root *jnode) {
			m := root.get("data", "messages")
			if len(m.arr) != 3 {
				t.Fatalf("recall, recalled message, first message")
			}
			if num(t, m.arr[0].get("msg_type")) != 5 || m.arr[0].get("content").str != strconv.FormatUint(key, 10) {
				t.Errorf("the recall is a msg_type 5 message whose content is the bare msg_key")
			}
			if m.arr[0].has("sys_cancel") {
				t.Errorf("sys_cancel only when true")
			}
			if num(t, m.arr[1].get("msg_status")) != 1 || m.arr[1].get("content").str != testkit.Text("发错了") {
				t.Errorf("the recalled message keeps its content with msg_status 1")
			}
		}
	}},
	{"fetch_session_msgs_hint", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		other := mustParse(t, w.s.Get(w.bob, testkit.PathFetchMsgs, q("talker_id", "1003", "session_type", "1")).Body)
		if m := other.get("data", "messages"); len(m.arr) != 1 || num(t, m.arr[0].get("msg_type")) != 1 {
			t.Errorf("the receiver does not see the sender's hint")
		}
		return w.s.Get(w.carol, testkit.PathFetchMsgs, q("talker_id", "1002", "session_type", "1")), func(t *testing.T, root *jnode) {
			m := root.get("data", "messages")
			if len(m.arr) != 2 || num(t, m.arr[0].get("msg_type")) != 18 || num(t, m.arr[0].get("msg_source")) != 18 {
				t.Fatalf("the sender sees the msg_type 18 hint above her message")
			}
			var inner struct {
				Content string `json:"content"`
			}
			if err := json.Unmarshal([]byte(m.arr[0].get("content").str), &inner); err != nil {
				t.Fatal(err)
			}
			var runs []map[string]string
			if err := json.Unmarshal([]byte(inner.Content), &runs); err != nil || len(runs) != 1 ||
				runs[0]["text"] != "对方主动回复或关注你前，最多发送1条消息" {
				t.Errorf("hint content: a JSON array of styled runs with the documented text: %q", inner.Content)
			}
		}
	}},
	{"fetch_session_msgs_hints_only", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		// size=0: only system hints (§9 item 1).
		w := newWorld(t)
		return w.s.Get(w.carol, testkit.PathFetchMsgs, q("talker_id", "1002", "session_type", "1", "size", "0")), func(t *testing.T, root *jnode) {
			m := root.get("data", "messages")
			if len(m.arr) != 1 || num(t, m.arr[0].get("msg_type")) != 18 {
				t.Errorf("size=0 returns only the hint")
			}
		}
	}},
	{"fetch_session_msgs_window", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		for i := range 4 {
			w.s.Advance(time.Second)
			w.s.SendText(w.alice, bob, fmt.Sprintf("第%d条", i+1))
		}
		all := mustParse(t, w.s.Get(w.bob, testkit.PathFetchMsgs, q("talker_id", "1001", "session_type", "1")).Body)
		seq := func(i int) string { return string(all.get("data", "messages", strconv.Itoa(i), "msg_seqno").num) }
		// messages[0] is 第4条 … messages[4] the first message. Scroll back below 第3条, 2 at a time.
		return w.s.Get(w.bob, testkit.PathFetchMsgs, q("talker_id", "1001", "session_type", "1", "size", "2", "end_seqno", seq(1))), func(t *testing.T, root *jnode) {
			m := root.get("data", "messages")
			if len(m.arr) != 2 || string(m.arr[0].get("msg_seqno").num) != seq(2) || num(t, root.get("data", "has_more")) != 1 {
				t.Errorf("end_seqno is exclusive; 2 messages below it, newest first, has_more 1")
			}
		}
	}},
	// P19
	{"send_msg_text_emoji", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		content := `{"content":"up主你好，\n催更[tv_doge][口罩]"}`
		return w.s.Post(w.alice, testkit.PathSendMsg, testkit.SendForm(alice, bob, 1, content)), func(t *testing.T, root *jnode) {
			d := root.get("data")
			if d.get("msg_content").str != content {
				t.Errorf("msg_content echoes msg[content]")
			}
			if k := d.get("key_hit_infos"); k == nil || k.kind != 'o' || len(k.keys) != 0 {
				t.Errorf("key_hit_infos {} when nothing was hit")
			}
			if len(d.get("e_infos").arr) != 2 {
				t.Errorf("one e_info per emoji")
			}
		}
	}},
	{"send_msg_text_plain", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		return w.s.Post(w.alice, testkit.PathSendMsg, testkit.SendForm(alice, bob, 1, testkit.Text("没有表情"))), func(t *testing.T, root *jnode) {
			d := root.get("data")
			if d.has("e_infos") || !d.has("msg_content") || !d.has("key_hit_infos") {
				t.Errorf("text without emoji: no e_infos; msg_content and key_hit_infos present")
			}
		}
	}},
	{"send_msg_image", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		img := `{"url":"https://i0.hdslb.com/bfs/im/a0b1c2d3e4f5.png","height":300,"width":400,"imageType":"png","original":1,"size":55.443}`
		r := w.s.Post(w.alice, testkit.PathSendMsg, testkit.SendForm(alice, bob, 2, img))
		return r, func(t *testing.T, root *jnode) {
			if d := root.get("data"); !slices.Equal(d.keys, []string{"msg_key"}) {
				t.Errorf("image answer: only msg_key, got %v", d.keys)
			}
			h := mustParse(t, w.s.Get(w.bob, testkit.PathFetchMsgs, q("talker_id", "1001", "session_type", "1", "size", "1")).Body)
			if m := h.get("data", "messages", "0"); m.get("content").str != img || num(t, m.get("msg_type")) != 2 {
				t.Errorf("the image content is stored as sent (size 55.443 unchanged)")
			}
		}
	}},
	{"send_msg_keyword", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		return w.s.Post(w.alice, testkit.PathSendMsg, testkit.SendForm(alice, bob, 1, testkit.Text("支付宝"))), func(t *testing.T, root *jnode) {
			k := root.get("data", "key_hit_infos")
			wantKeys(t, "key_hit_infos", k, keyHitKeys)
			if num(t, k.get("rule_id")) != 2 || !strings.HasPrefix(k.get("toast").str, "【温馨提示】为保障消费者权益，") {
				t.Errorf("rule 2 with the consumer-protection toast")
			}
			if h := k.get("high_text"); h.kind != 'a' || len(h.arr) != 1 || h.arr[0].kind != 'o' || len(h.arr[0].keys) != 0 {
				t.Errorf("high_text: [{}]")
			}
		}
	}},
	{"send_msg_recall", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		return w.s.Post(w.alice, testkit.PathSendMsg, testkit.SendForm(alice, bob, 5, strconv.FormatUint(w.aliceKey, 10))), func(t *testing.T, root *jnode) {
			if d := root.get("data"); !slices.Equal(d.keys, []string{"msg_key"}) {
				t.Errorf("recall answer: only msg_key, got %v", d.keys)
			}
		}
	}},
	// S1
	{"link_setting_get_default", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		return w.s.Get(w.bob, testkit.PathGetPrefs, q("build", "0", "mobi_app", "web")), func(t *testing.T, root *jnode) {
			d := root.get("data")
			if d.has("show_unfollowed_msg") || d.has("msg_notify") {
				t.Errorf("show_unfollowed_msg and msg_notify only when the request asks for them")
			}
			for _, k := range prefsKeys[2:] {
				if k == "anti_harassment" {
					continue
				}
				want := int64(0)
				if k == "should_receive_group" || k == "receive_unfollow_msg" {
					want = 1
				}
				if got := num(t, d.get(k)); got != want {
					t.Errorf("default %s = %d, want %d (docs/settings.md)", k, got, want)
				}
			}
		}
	}},
	{"link_setting_get_requested", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		w.s.SetFans(bob, 1000)
		w.s.SetPrefs(w.bob, map[string]int{"show_unfollowed_msg": 1, "msg_notify": 3, "set_like": 5, "set_comment": 1,
			"set_at": 2, "is_group_fold": 1, "should_receive_group": 0, "receive_unfollow_msg": 0, "followed_reply": 1,
			"keys_reply": 1, "recv_reply": 1, "voyage_reply": 1, "recommend_followed_reply": 1, "ai_intercept": 1,
			"set_recv_reply": 1, "set_recv_like": 2, "set_new_follow": 2})
		// The values the request carries do not matter: the stored ones are answered.
		return w.s.Get(w.bob, testkit.PathGetPrefs, q("msg_notify", "1", "show_unfollowed_msg", "0")), func(t *testing.T, root *jnode) {
			d := root.get("data")
			if num(t, d.get("show_unfollowed_msg")) != 1 || num(t, d.get("msg_notify")) != 3 {
				t.Errorf("the stored show_unfollowed_msg 1 and msg_notify 3, whatever was asked with")
			}
			// Any integer asks for the key, even one outside the domain; anything else
			// counts as absent (§9 item 37).
			for _, c := range []struct {
				v     string
				asked bool
			}{{"7", true}, {"-1", true}, {"0", true}, {"", false}, {"abc", false}, {"1.0", false}, {" 1", false}} {
				for _, k := range []string{"msg_notify", "show_unfollowed_msg"} {
					d := mustParse(t, w.s.Get(w.bob, testkit.PathGetPrefs, q(k, c.v)).Body).get("data")
					want := prefsKeys[2:]
					if c.asked {
						want = append([]string{k}, want...)
					}
					if !slices.Equal(d.keys, want) {
						t.Errorf("%s=%q: keys %v, want %s present: %v", k, c.v, d.keys, k, c.asked)
					}
				}
			}
		}
	}},
	{"link_setting_get_post", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		w.s.SetPrefs(w.bob, map[string]int{"show_unfollowed_msg": 1, "set_comment": 2})
		r := w.s.Post(w.bob, testkit.PathGetPrefs, q("show_unfollowed_msg", "1", "build", "0", "mobi_app", "web"))
		return r, func(t *testing.T, root *jnode) {
			d := root.get("data")
			if !d.has("show_unfollowed_msg") || d.has("msg_notify") || num(t, d.get("set_comment")) != 2 {
				t.Errorf("POST reads its body like GET its query: only show_unfollowed_msg asked")
			}
			if g := w.s.Get(w.bob, testkit.PathGetPrefs, q("show_unfollowed_msg", "1")); !bytes.Equal(g.Body, r.Body) {
				t.Errorf("GET and POST answer the same:\n%s\n%s", g.Body, r.Body)
			}
		}
	}},
	// S2
	{"link_setting_set_ok", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		w.s.SetFans(bob, 1000)
		// An empty value counts as absent; unknown parameters are ignored.
		r := w.s.Post(w.bob, testkit.PathSetPrefs, q("set_like", "5", "keys_reply", "1", "ai_intercept", "1",
			"msg_notify", "", "unknown_setting", "9", "build", "0", "mobi_app", "web"))
		return r, func(t *testing.T, root *jnode) {
			d := prefsData(t, w.s, w.bob)
			want := map[string]int64{"set_like": 5, "keys_reply": 1, "ai_intercept": 1, "msg_notify": 1,
				"should_receive_group": 1, "receive_unfollow_msg": 1}
			for _, k := range prefsKeys {
				if k != "anti_harassment" && num(t, d.get(k)) != want[k] {
					t.Errorf("%s = %d, want %d: only the settings sent change", k, num(t, d.get(k)), want[k])
				}
			}
		}
	}},
	// S3
	{"get_block_words_empty", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		return w.s.Get(w.bob, testkit.PathGetBlockWords, q("build", "0", "mobi_app", "web")), func(t *testing.T, root *jnode) {
			if root.get("data", "words").kind != 'z' {
				t.Errorf("no block words: words null (§9 item 33)")
			}
		}
	}},
	{"get_block_words_words", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		w.s.AddBlockWord(w.bob, "加微信")
		w.s.Advance(time.Minute)
		w.s.AddBlockWord(w.bob, "ＡＢＣ")
		w.s.AddBlockWord(w.bob, "代购")
		return w.s.Get(w.bob, testkit.PathGetBlockWords, nil), func(t *testing.T, root *jnode) {
			got, ctimes := blockWords(t, root)
			if !slices.Equal(got, []string{"加微信", "ＡＢＣ", "代购"}) {
				t.Errorf("words %q: in the order added, stored as sent", got)
			}
			at := testkit.Epoch.Add(5 * time.Second).Unix()
			if !slices.Equal(ctimes, []int64{at, at + 60, at + 60}) {
				t.Errorf("ctimes %v: the time each word was added, in seconds", ctimes)
			}
		}
	}},
	// S4
	{"add_block_word_ok", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		r := w.s.Post(w.bob, testkit.PathAddBlockWord, q("content", "屏蔽词", "build", "0", "mobi_app", "web"))
		return r, func(t *testing.T, _ *jnode) {
			got, ctimes := blockWords(t, mustParse(t, w.s.Get(w.bob, testkit.PathGetBlockWords, nil).Body))
			if !slices.Equal(got, []string{"屏蔽词"}) || ctimes[0] != testkit.Epoch.Add(5*time.Second).Unix() {
				t.Errorf("the word is listed with its ctime: %q %v", got, ctimes)
			}
		}
	}},
	// S5
	{"del_block_word_ok", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		w.s.AddBlockWord(w.bob, "甲")
		w.s.AddBlockWord(w.bob, "乙")
		r := w.s.Post(w.bob, testkit.PathDelBlockWord, q("content", "甲", "build", "0", "mobi_app", "web"))
		return r, func(t *testing.T, _ *jnode) {
			if got, _ := blockWords(t, mustParse(t, w.s.Get(w.bob, testkit.PathGetBlockWords, nil).Body)); !slices.Equal(got, []string{"乙"}) {
				t.Errorf("words %q after deleting 甲", got)
			}
		}
	}},
	// S6
	{"get_reply_text_types", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		w.s.SetReply(w.bob, 1, "感谢关注！")
		w.s.SetReply(w.bob, 3, "我现在不在，稍后回复你哦")
		w.s.SetReply(w.bob, 5, "欢迎上船！")
		w.s.AddKeywordRule(w.bob, "价格", "多少钱，价格", "报价", "商单请看置顶动态")
		p := url.Values{"type[]": {"1", "2", "3"}, "uid": {"1002"}, "build": {"0"}, "mobi_app": {"web"}}
		return w.s.Get(w.bob, testkit.PathGetReplyText, p), func(t *testing.T, root *jnode) {
			if got := replyTypes(t, root.get("data", "texts")); !slices.Equal(got, []int64{1, 2, 3}) {
				t.Errorf("types %v: the types asked for, in that order (not 5)", got)
			}
			for _, x := range root.get("data", "texts").arr {
				if num(t, x.get("uid")) != bob {
					t.Errorf("uid is the owner")
				}
			}
			// The order asked for, repeated or comma-separated.
			for _, c := range []struct {
				types []string
				want  []int64
			}{{[]string{"3", "1"}, []int64{3, 1}}, {[]string{"5,2"}, []int64{5, 2}}, {[]string{"2", "5,1"}, []int64{2, 5, 1}}} {
				if got := replyTypes(t, replyTextsOf(t, w.s, w.bob, c.types...)); !slices.Equal(got, c.want) {
					t.Errorf("type[]=%v: types %v, want %v", c.types, got, c.want)
				}
			}
		}
	}},
	{"get_reply_text_keywords", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		w.s.AddKeywordRule(w.bob, "价格", "多少钱，价格", "", "商单请看置顶动态")
		w.s.Advance(time.Second)
		w.s.AddKeywordRule(w.bob, "谢谢", "谢谢, Thank you", "感谢", "我也感谢您对我的支持 (=・ω・=)")
		w.s.Advance(time.Second)
		w.s.AddKeywordRule(w.bob, "更新", "", "更新，催更, 什么时候更", "在做了在做了[doge]")
		return w.s.Get(w.bob, testkit.PathGetReplyText, url.Values{"type[]": {"2"}}), func(t *testing.T, root *jnode) {
			ts := root.get("data", "texts")
			var titles []string
			for _, x := range ts.arr {
				titles = append(titles, x.get("title").str)
			}
			if !slices.Equal(titles, []string{"更新", "谢谢", "价格"}) {
				t.Errorf("rules %q: newest first", titles)
			}
			if k := ts.get("1", "key1").str; k != "谢谢，Thank you" {
				t.Errorf("key1 %q: keywords split on , and ， and joined by ，", k)
			}
			if k := ts.get("0", "key2").str; k != "更新，催更，什么时候更" {
				t.Errorf("key2 %q: keywords trimmed and joined by ，", k)
			}
		}
	}},
	{"get_reply_text_none", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		w.s.SetReply(w.bob, 1, "感谢关注！") // bob's, not dave's
		return w.s.Get(w.dave, testkit.PathGetReplyText, url.Values{"type[]": {"1", "2", "3", "5"}}), func(t *testing.T, root *jnode) {
			if d := root.get("data"); d.kind != 'o' || len(d.keys) != 0 {
				t.Errorf("nothing configured: data {} (texts absent)")
			}
		}
	}},
	// S7
	{"set_reply_text_followed", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		r := w.s.Post(w.bob, testkit.PathSetReplyText, q("type", "1", "reply", "感谢关注～", "build", "0", "mobi_app", "web"))
		return r, func(t *testing.T, _ *jnode) {
			ts := replyTextsOf(t, w.s, w.bob, "1")
			if len(ts.arr) != 1 || ts.get("0", "reply").str != "感谢关注～" || ts.get("0", "title").str != "" {
				t.Fatalf("the followed reply is stored")
			}
			id := num(t, ts.get("0", "id"))
			// Types 1, 3 and 5 hold one text: a new one replaces it; id, title and keys are ignored.
			w.s.MustOK(w.bob, testkit.PathSetReplyText, q("type", "1", "reply", "新的回复", "id", "0", "title", "t", "key1", "k"))
			ts = replyTextsOf(t, w.s, w.bob, "1")
			if len(ts.arr) != 1 || num(t, ts.get("0", "id")) != id || ts.get("0", "reply").str != "新的回复" ||
				ts.get("0", "title").str != "" || ts.get("0", "key1").str != "" {
				t.Errorf("type 1 holds one text, replaced in place")
			}
		}
	}},
	{"set_reply_text_keyword", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		r := w.s.Post(w.bob, testkit.PathSetReplyText, q("type", "2", "id", "0", "title", "合作", "key1", "商务合作，合作",
			"key2", "商单", "reply", "商务合作请发邮件至 up@example.com"))
		return r, func(t *testing.T, _ *jnode) {
			ts := replyTextsOf(t, w.s, w.bob, "2")
			if len(ts.arr) != 1 || ts.get("0", "title").str != "合作" || ts.get("0", "key1").str != "商务合作，合作" ||
				ts.get("0", "key2").str != "商单" || ts.get("0", "reply").str != "商务合作请发邮件至 up@example.com" {
				t.Fatalf("the rule is stored as sent")
			}
			id := ts.get("0", "id").num
			w.s.MustOK(w.bob, testkit.PathSetReplyText, q("type", "2", "id", string(id), "title", "合作2", "key1", "", "key2", "商单", "reply", "改了"))
			ts = replyTextsOf(t, w.s, w.bob, "2")
			if len(ts.arr) != 1 || ts.get("0", "id").num != id || ts.get("0", "title").str != "合作2" ||
				ts.get("0", "key1").str != "" || ts.get("0", "reply").str != "改了" {
				t.Errorf("an id modifies that rule")
			}
		}
	}},
	// S8
	{"del_reply_text_ok", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		w.s.AddKeywordRule(w.bob, "旧", "旧", "", "旧的")
		w.s.AddKeywordRule(w.bob, "新", "新", "", "新的")
		old := replyTextsOf(t, w.s, w.bob, "2").get("1", "id").num
		r := w.s.Post(w.bob, testkit.PathDelReplyText, q("id", string(old), "build", "0", "mobi_app", "web"))
		return r, func(t *testing.T, _ *jnode) {
			ts := replyTextsOf(t, w.s, w.bob, "2")
			if len(ts.arr) != 1 || ts.get("0", "title").str != "新" {
				t.Errorf("only the newer rule is left")
			}
		}
	}},
	// S9
	{"get_sys_setting_up", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		w.s.SetFans(bob, 1000)
		return w.s.Get(w.bob, testkit.PathGetSysSetting, q("build", "0", "mobi_app", "web")), func(t *testing.T, root *jnode) {
			d := root.get("data")
			for _, k := range []string{"is_create_group_available", "is_auto_reply_available", "is_voyage",
				"is_auto_reply_recommend_available", "is_receive_unfollow_wl"} {
				if num(t, d.get(k)) != 1 {
					t.Errorf("%s must be 1 with 1000 fans", k)
				}
			}
			if g := d.get("game_msg"); len(g.keys) != 0 {
				t.Errorf("mobi_app=web: game_msg {}")
			}
		}
	}},
	{"get_sys_setting_fan", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		w.s.SetFans(dave, 999)
		return w.s.Get(w.dave, testkit.PathGetSysSetting, nil), func(t *testing.T, root *jnode) {
			d := root.get("data")
			for _, k := range []string{"is_create_group_available", "is_auto_reply_available", "is_voyage",
				"is_auto_reply_recommend_available"} {
				if num(t, d.get(k)) != 0 {
					t.Errorf("%s must be 0 with 999 fans", k)
				}
			}
			if num(t, d.get("is_receive_unfollow_wl")) != 1 {
				t.Errorf("is_receive_unfollow_wl is 1 for everyone")
			}
			if g := d.get("game_msg"); !slices.Equal(g.keys, []string{"show_install"}) {
				t.Errorf("without mobi_app=web: game_msg {\"show_install\":true}")
			}
		}
	}},
	// S10
	{"show_create_group_icon_up", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		w.s.SetFans(bob, 1000)
		return w.s.Get(w.bob, testkit.PathShowCreateGroup, q("build", "0", "mobi_app", "web")), func(t *testing.T, root *jnode) {
			if num(t, root.get("data", "show")) != 1 {
				t.Errorf("1000 fans: show 1")
			}
		}
	}},
	{"show_create_group_icon_fan", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		w.s.SetFans(bob, 999)
		return w.s.Get(w.bob, testkit.PathShowCreateGroup, nil), func(t *testing.T, root *jnode) {
			if num(t, root.get("data", "show")) != 0 {
				t.Errorf("999 fans: show 0")
			}
		}
	}},
	// P17 with every kind of auto-reply: dave follows bob (followed reply and works card,
	// msg_source 8), writes a keyword (10), gets a real answer, writes again (received-
	// message reply, 9) and buys a guard (大航海 reply, 11). dave's view.
	{"fetch_session_msgs_autoreplies", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		s := w.s
		s.SetFans(bob, 1000)
		s.SetPrefs(w.bob, map[string]int{"followed_reply": 1, "recommend_followed_reply": 1, "keys_reply": 1,
			"recv_reply": 1, "voyage_reply": 1})
		s.SetReply(w.bob, 1, "感谢关注！")
		s.SetReply(w.bob, 3, "我现在不在，稍后回复你哦")
		s.SetReply(w.bob, 5, "欢迎上船！")
		s.AddKeywordRule(w.bob, "价格", "多少钱", "报价", "商单请看置顶动态")
		// 2024-06-01 20:00 UTC is 2024-06-02 in China.
		s.PutWork(bob, 170001, map[string]any{"bvid": "BV1xx411c7mD", "title": "【4K】夏日祭", "cover": "https://i0.hdslb.com/bfs/archive/a.jpg",
			"pub_date": testkit.Epoch.Add(-12 * time.Hour).Unix(), "plays": 123456, "danmaku": 479})
		s.PutWork(bob, 170002, map[string]any{"title": "第一个视频", "cover": "https://i0.hdslb.com/bfs/archive/b.jpg",
			"pub_date": testkit.Epoch.Add(-400 * 24 * time.Hour).Unix(), "plays": 999, "danmaku": 12000})
		s.Follow(dave, bob, true)
		s.Advance(time.Second)
		s.SendText(w.dave, bob, "多少钱")
		s.Advance(time.Second)
		s.SendText(w.bob, dave, "你好")
		s.Advance(time.Second)
		s.SendText(w.dave, bob, "好的")
		s.Advance(time.Second)
		if !s.Guard(bob, dave) {
			t.Fatalf("the 大航海 reply is sent")
		}
		return s.Get(w.dave, testkit.PathFetchMsgs, q("talker_id", "1002", "session_type", "1")), func(t *testing.T, root *jnode) {
			type m struct {
				sender, typ, source int64
				text                string
			}
			var got []m
			msgs := root.get("data", "messages").arr
			for i := len(msgs) - 1; i >= 0; i-- { // oldest first
				x := msgs[i]
				if num(t, x.get("msg_type")) == 18 {
					continue // dave's one-message hint
				}
				var c struct {
					Content string `json:"content"`
				}
				json.Unmarshal([]byte(x.get("content").str), &c)
				got = append(got, m{num(t, x.get("sender_uid")), num(t, x.get("msg_type")), num(t, x.get("msg_source")), c.Content})
				if num(t, x.get("sender_uid")) == bob && num(t, x.get("new_face_version")) != 1 {
					t.Errorf("bob's messages have new_face_version 1")
				}
			}
			want := []m{{bob, 1, 8, "感谢关注！"}, {bob, 16, 8, ""}, {dave, 1, 0, "多少钱"}, {bob, 1, 10, "商单请看置顶动态"},
				{bob, 1, 0, "你好"}, {dave, 1, 0, "好的"}, {bob, 1, 9, "我现在不在，稍后回复你哦"}, {bob, 1, 11, "欢迎上船！"}}
			if len(got) != len(want) {
				t.Fatalf("messages %v, want %v", got, want)
			}
			for i := range want {
				g := got[i]
				if g.sender != want[i].sender || g.typ != want[i].typ || g.text != want[i].text ||
					(want[i].source != 0 && g.source != want[i].source) || (want[i].source == 0 && slices.Contains([]int64{8, 9, 10, 11}, g.source)) {
					t.Errorf("message %d: %+v, want %+v", i, g, want[i])
				}
			}
			// The works card (§10.4): latest work first, counts as bilibili writes them.
			var card struct {
				MainTitle    string           `json:"main_title"`
				ReplyContent string           `json:"reply_content"`
				SubCards     []map[string]any `json:"sub_cards"`
			}
			for _, x := range msgs {
				if num(t, x.get("msg_type")) == 16 {
					c := mustParse(t, []byte(x.get("content").str))
					wantKeys(t, "works card", c, []string{"main_title", "reply_content", "sub_cards"})
					for i, sc := range c.get("sub_cards").arr {
						wantKeys(t, fmt.Sprintf("works card sub_cards[%d]", i), sc, []string{"card_id", "card_type", "jump_url",
							"cover_url", "field1", "field2", "field3", "icon3", "field4", "icon4"})
					}
					if err := json.Unmarshal([]byte(x.get("content").str), &card); err != nil {
						t.Fatal(err)
					}
				}
			}
			if card.MainTitle != "更多宝藏内容" || card.ReplyContent != "感谢关注！" || len(card.SubCards) != 2 {
				t.Fatalf("card %+v", card)
			}
			c0, c1 := card.SubCards[0], card.SubCards[1]
			if c0["card_id"] != 170001.0 || c0["jump_url"] != "https://www.bilibili.com/video/BV1xx411c7mD" ||
				c0["field1"] != "【4K】夏日祭" || c0["field2"] != "2024-06-02" || c0["field3"] != "12.3万" || c0["icon3"] != 1.0 ||
				c0["field4"] != "479" || c0["icon4"] != 3.0 || c0["card_type"] != 1.0 || c0["cover_url"] != "https://i0.hdslb.com/bfs/archive/a.jpg" {
				t.Errorf("first card %v", c0)
			}
			if c1["card_id"] != 170002.0 || c1["jump_url"] != "https://www.bilibili.com/video/av170002" ||
				c1["field3"] != "999" || c1["field4"] != "1.2万" {
				t.Errorf("second card %v", c1)
			}
		}
	}},
}

// prefsData returns u's settings (S1 data) with both conditional keys.
func prefsData(t *testing.T, s *testkit.Server, u testkit.User) *jnode {
	t.Helper()
	r := s.Get(u, testkit.PathGetPrefs, q("show_unfollowed_msg", "0", "msg_notify", "0"))
	mustCode(t, r, 0)
	return mustParse(t, r.Body).get("data")
}

// blockWords returns the contents and ctimes of a get_block_words answer.
func blockWords(t *testing.T, root *jnode) ([]string, []int64) {
	t.Helper()
	var words []string
	var ctimes []int64
	for _, w := range root.get("data", "words").arr {
		words = append(words, w.get("content").str)
		ctimes = append(ctimes, num(t, w.get("ctime")))
	}
	return words, ctimes
}

// replyTextsOf returns u's auto-reply texts of the types (get_reply_text's data.texts),
// an empty array when the key is absent.
func replyTextsOf(t *testing.T, s *testkit.Server, u testkit.User, types ...string) *jnode {
	t.Helper()
	r := s.Get(u, testkit.PathGetReplyText, url.Values{"type[]": types})
	mustCode(t, r, 0)
	if ts := mustParse(t, r.Body).get("data", "texts"); ts != nil {
		return ts
	}
	return &jnode{kind: 'a'}
}

// replyTypes lists the type of each item of texts.
func replyTypes(t *testing.T, texts *jnode) []int64 {
	t.Helper()
	var out []int64
	if texts != nil {
		for _, x := range texts.arr {
			out = append(out, num(t, x.get("type")))
		}
	}
	return out
}

// carolSeq returns the seqno of carol's message to bob, as bob sees it.
func (w *world) carolSeq(t *testing.T) uint64 {
	t.Helper()
	h := mustParse(t, w.s.Get(w.bob, testkit.PathFetchMsgs, q("talker_id", "1003", "session_type", "1")).Body)
	s, err := strconv.ParseUint(string(h.get("data", "messages", "0", "msg_seqno").num), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestGolden(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r, extra := c.run(t)
			root := checkGolden(t, c.name, r)
			if extra != nil && !t.Failed() {
				extra(t, root)
			}
		})
	}
}

// TestGoldenCoverage: every route has at least one golden case, every case has its
// golden file, and no golden file is stale.
func TestGoldenCoverage(t *testing.T) {
	names := map[string]bool{}
	for _, c := range goldenCases {
		if names[c.name] {
			t.Errorf("duplicate case %s", c.name)
		}
		names[c.name] = true
	}
	paths := routePaths()
	if len(paths) != 37 { // bilibili's 35 (§6's user_infos among them), and bilimsg's login and logout
		t.Errorf("the route table has %d paths, want 37", len(paths))
	}
	keys := map[string]string{}
	for _, p := range paths {
		ep := endpointKey(p)
		if other, dup := keys[ep]; dup {
			t.Errorf("%s and %s have the same endpoint key %q", other, p, ep)
		}
		keys[ep] = p
		found := false
		for n := range names {
			found = found || endpointOf(n) == ep
		}
		if !found {
			t.Errorf("no golden case for %s", p)
		}
	}
	for a := range endpointAliases {
		if !slices.Contains(paths, a) {
			t.Errorf("endpoint alias for %s, which is not a route", a)
		}
	}
	for n := range names {
		if _, ok := keys[endpointOf(n)]; !ok {
			t.Errorf("case %s names no endpoint", n)
		}
	}
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	onDisk := map[string]bool{}
	for _, f := range files {
		n := strings.TrimSuffix(filepath.Base(f), ".json")
		onDisk[n] = true
		if !names[n] {
			t.Errorf("stale golden file %s (no case uses it)", f)
		}
	}
	for n := range names {
		if !onDisk[n] && !*update {
			t.Errorf("case %s has no golden file", n)
		}
	}
}
