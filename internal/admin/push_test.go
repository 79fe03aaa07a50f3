package admin_test

// Operator API tests of the system pushes (internal/admin/feed.go postPush,
// docs/operator-api.md "System pushes", docs/feed.md "System accounts and their
// pushes"). What a push stored is read back through the bilibili API.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/bilimsg/bilimsg/internal/testkit"
)

// The system accounts (docs/feed.md): system_msg_type → talker_id.
var systemTalkers = map[int]uint64{1: 844424930131967, 7: 844424930131966, 8: 844424930131964, 9: 844424930131965}

type pushed struct {
	MsgKey   uint64 `json:"msg_key"`
	MsgSeqno uint64 `json:"msg_seqno"`
	TalkerID uint64 `json:"talker_id"`
}

func pushPath(mid uint64) string { return fmt.Sprintf("/admin/v1/users/%d/pushes", mid) }

// push posts body to mid's pushes and expects status; on 200 it returns the answer, which
// must have exactly msg_key, msg_seqno and talker_id; on 400 it returns the error text.
func push(t *testing.T, s *testkit.Server, mid uint64, body string, status int) (pushed, string) {
	t.Helper()
	r := do(t, s, "POST", pushPath(mid), body)
	var p pushed
	want(t, r, status, &p)
	if status == 200 {
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(r.body, &keys); err != nil || len(keys) != 3 {
			t.Errorf("answer must be {\"msg_key\", \"msg_seqno\", \"talker_id\"}: %s", r.body)
		}
		return p, ""
	}
	var e struct {
		Error string `json:"error"`
	}
	json.Unmarshal(r.body, &e)
	return p, e.Error
}

// pushBody builds a push body; extra fields are added or, when nil, removed.
func pushBody(systemType, msgType int, content string, extra map[string]any) string {
	b := map[string]any{"system_msg_type": systemType, "msg_type": msgType, "content": json.RawMessage(content)}
	for k, v := range extra {
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
	}
	return mustJSON(b)
}

// storedMsg is a message as fetch_session_msgs shows it.
type storedMsg struct {
	SenderUID      uint64   `json:"sender_uid"`
	ReceiverType   int      `json:"receiver_type"`
	ReceiverID     uint64   `json:"receiver_id"`
	MsgType        int      `json:"msg_type"`
	Content        string   `json:"content"`
	MsgSeqno       uint64   `json:"msg_seqno"`
	Timestamp      int64    `json:"timestamp"`
	AtUIDs         []uint64 `json:"at_uids"`
	MsgKey         uint64   `json:"msg_key"`
	MsgStatus      int      `json:"msg_status"`
	NotifyCode     string   `json:"notify_code"`
	NewFaceVersion int      `json:"new_face_version"`
	MsgSource      int      `json:"msg_source"`
}

// systemMsgs are viewer's messages with a system account, newest first.
func systemMsgs(t *testing.T, s *testkit.Server, viewer testkit.User, talker uint64) []storedMsg {
	t.Helper()
	r := s.Get(viewer, testkit.PathFetchMsgs, url.Values{"talker_id": {strconv.FormatUint(talker, 10)},
		"session_type": {"1"}, "size": {"200"}})
	if c := r.Code(t); c != 0 {
		t.Fatalf("fetch %d as %d: code %d: %s", talker, viewer.Mid, c, r.Body)
	}
	var d struct {
		Messages []storedMsg `json:"messages"`
	}
	r.Data(t, &d)
	return d.Messages
}

// pushCounts are viewer's single_unread counters that pushes may touch.
type pushCounts struct {
	Follow, Unfollow, Dustbin, BizFollow, BizUnfollow, Custom int64
}

func pushUnread(t *testing.T, s *testkit.Server, viewer testkit.User) pushCounts {
	t.Helper()
	r := s.Get(viewer, testkit.PathSingleUnread, nil)
	if c := r.Code(t); c != 0 {
		t.Fatalf("single_unread as %d: code %d: %s", viewer.Mid, c, r.Body)
	}
	var d map[string]int64
	r.Data(t, &d)
	return pushCounts{d["follow_unread"], d["unfollow_unread"], d["dustbin_unread"], d["biz_msg_follow_unread"],
		d["biz_msg_unfollow_unread"], d["custom_unread"]}
}

// upUnread is N1's up: the unread pushes of UP主小助手.
func upUnread(t *testing.T, s *testkit.Server, viewer testkit.User) int64 {
	t.Helper()
	r := s.Get(viewer, "/x/im/web/msgfeed/unread", nil)
	if c := r.Code(t); c != 0 {
		t.Fatalf("msgfeed/unread as %d: code %d: %s", viewer.Mid, c, r.Body)
	}
	var d struct {
		Up int64 `json:"up"`
	}
	r.Data(t, &d)
	return d.Up
}

// systemList is viewer's get_sessions category 7: the talkers, and system_msg.
func systemList(t *testing.T, s *testkit.Server, viewer testkit.User) ([]uint64, map[string]uint64) {
	t.Helper()
	r := s.Get(viewer, testkit.PathGetSessions, url.Values{"session_type": {"7"}})
	if c := r.Code(t); c != 0 {
		t.Fatalf("get_sessions 7 as %d: code %d: %s", viewer.Mid, c, r.Body)
	}
	var d struct {
		Sessions []struct {
			TalkerID uint64 `json:"talker_id"`
		} `json:"session_list"`
		SystemMsg map[string]uint64 `json:"system_msg"`
	}
	r.Data(t, &d)
	talkers := []uint64{}
	for _, x := range d.Sessions {
		talkers = append(talkers, x.TalkerID)
	}
	return talkers, d.SystemMsg
}

func compact(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		t.Fatalf("compact %s: %v", s, err)
	}
	return b.String()
}

// Cards of every pushable type (catalog §10).
const (
	// §10.1, verbatim.
	pushCard10 = `{"title":"直播开始提醒","text":"你预约的直播已开始，快来围观吧~","jump_text":"进入直播间","jump_uri":"https://live.bilibili.com/22747055?…",
 "modules":[{"title":"预约主题","detail":"2024哔哩哔哩拜年纪"}],"jump_text_2":"","jump_uri_2":"","jump_text_3":"","jump_uri_3":"",
 "notifier":null,"jump_uri_config":{"all_uri":"https://live.bilibili.com/22747055?…","text":"进入直播间"},
 "jump_uri_2_config":{"text":""},"jump_uri_3_config":{"text":""},
 "biz_content":{"cover":"","backup_cover":"http://…jpg","refresh_type":1,"biz_type":2,"biz_id1":"1868902080","biz_id2":"473923647994271663","biz_status":0}}`
	// P3's UP主小助手 notification (the catalog elides all but the title).
	pushCardP3 = `{"title":"流量奖励到账通知","text":"恭喜你，你的稿件获得了流量奖励","jump_text":"查看详情",
		"jump_uri":"https://member.bilibili.com/york/traffic-reward","modules":null,"notifier":null,
		"jump_uri_config":{"all_uri":"https://member.bilibili.com/york/traffic-reward","text":"查看详情"},
		"jump_uri_2_config":{"text":""},"jump_uri_3_config":{"text":""},"biz_content":null}`
	pushCard11 = `{"title":"【4K】春日vlog","times":245,"cover":"http://i0.hdslb.com/bfs/archive/c.jpg","rid":1951296417,
		"type_":8,"desc":"简介","bvid":"BV1dC41157bH","view":120345,"danmaku":678,"pub_date":1712305278,
		"attach_msg":{"id":1,"content":"UP主赠言：谢谢大家[doge]"}}`
	pushCard12 = `{"rid":33000123,"title":"专栏标题","summary":"摘要","author":"作者","view":1024,"like":64,"reply":8,
		"template_id":4,"image_urls":["https://i0.hdslb.com/bfs/article/a.jpg"],"attach_msg":null,"pub_date":1712305278}`
	pushCard13 = `{"pic_url":"https://i0.hdslb.com/bfs/im/card.png","jump_url":"https://www.bilibili.com/blackboard/a.html","title":"[图片]活动"}`
	pushCard16 = `{"main_title":"更多宝藏内容","reply_content":"感谢关注","sub_cards":[{"card_id":1951296417,"card_type":1,
		"jump_url":"https://www.bilibili.com/video/BV1dC41157bH","cover_url":"http://i0.hdslb.com/c.jpg","field1":"春日vlog",
		"field2":"2024-04-05","field3":"20万","icon3":1,"field4":"479","icon4":3}]}`
)

func TestPushSuccess(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	mkUser(t, s, 10, "UP主", 0)
	mkUser(t, s, 20, "路人", 0)
	u := login(t, s, 10)
	other := login(t, s, 20)

	type sent struct {
		systemType, msgType int
		card                string
		extra               map[string]any
		source              int
		notify              string
	}
	pushes := []sent{
		{7, 10, pushCardP3, map[string]any{"notify_code": "2091_253"}, 6, "2091_253"},
		{1, 10, pushCard10, map[string]any{"msg_source": 6, "notify_code": "1_1"}, 6, "1_1"},
		{7, 11, pushCard11, map[string]any{"msg_source": 5}, 5, ""},
		{9, 12, pushCard12, nil, 6, ""},
		{8, 13, pushCard13, map[string]any{"notify_code": "1234567890_0987654321"}, 6, "1234567890_0987654321"},
		{7, 16, pushCard16, map[string]any{"msg_source": 6, "notify_code": ""}, 6, ""},
		{9, 13, `{"title":"t","pic_url":"p","jump_url":"j"}`, nil, 6, ""},
	}
	var answers []pushed
	for _, p := range pushes {
		a, _ := push(t, s, 10, pushBody(p.systemType, p.msgType, p.card, p.extra), 200)
		if a.TalkerID != systemTalkers[p.systemType] {
			t.Errorf("push of system_msg_type %d: talker_id %d, want %d", p.systemType, a.TalkerID, systemTalkers[p.systemType])
		}
		if a.MsgKey < 1<<62 || a.MsgSeqno == 0 {
			t.Errorf("push answer %+v: want a bilibili-sized msg_key and a msg_seqno", a)
		}
		if n := len(answers); n > 0 && (a.MsgKey <= answers[n-1].MsgKey || a.MsgSeqno <= answers[n-1].MsgSeqno) {
			t.Errorf("push answer %+v not after %+v", a, answers[n-1])
		}
		answers = append(answers, a)
	}
	// Each push is a message from its system account, as sent, compacted.
	for typ, talker := range systemTalkers {
		var want []storedMsg
		for i, p := range pushes {
			if p.systemType != typ {
				continue
			}
			want = append(want, storedMsg{SenderUID: talker, ReceiverType: 1, ReceiverID: 10, MsgType: p.msgType,
				Content: compact(t, p.card), MsgSeqno: answers[i].MsgSeqno, Timestamp: testkit.Epoch.Unix(),
				MsgKey: answers[i].MsgKey, NotifyCode: p.notify, NewFaceVersion: 1, MsgSource: p.source})
		}
		slices.Reverse(want) // newest first
		got := systemMsgs(t, s, u, talker)
		if len(got) != len(want) {
			t.Errorf("messages from %d: %d, want %d: %+v", talker, len(got), len(want), got)
			continue
		}
		for i := range got {
			if g := got[i]; g.AtUIDs != nil || fmt.Sprintf("%+v", g) != fmt.Sprintf("%+v", want[i]) {
				t.Errorf("message from %d:\n got %+v\nwant %+v", talker, g, want[i])
			}
		}
		// Nobody else sees them.
		if got := systemMsgs(t, s, other, talker); len(got) != 0 {
			t.Errorf("user 20 sees pushes to user 10: %+v", got)
		}
	}
	// They count as unread pushes of followed accounts, not as messages.
	// 客服消息's push (system_msg_type 8) is custom_unread, the others biz_msg_follow_unread.
	if got, want := pushUnread(t, s, u), (pushCounts{BizFollow: int64(len(pushes) - 1), Custom: 1}); got != want {
		t.Errorf("single_unread after %d pushes = %+v, want %+v", len(pushes), got, want)
	}
	if got := upUnread(t, s, u); got != 3 {
		t.Errorf("N1 up = %d, want 3 (UP主小助手's pushes only)", got)
	}
	if got := pushUnread(t, s, other); got != (pushCounts{}) {
		t.Errorf("single_unread of user 20 = %+v", got)
	}
	// One session per system account, listed in category 7 and in system_msg.
	talkers, systemMsg := systemList(t, s, u)
	slices.Sort(talkers)
	wantTalkers := slices.Sorted(func(yield func(uint64) bool) {
		for _, v := range systemTalkers {
			if !yield(v) {
				return
			}
		}
	})
	if !slices.Equal(talkers, wantTalkers) {
		t.Errorf("category 7 lists %v, want %v", talkers, wantTalkers)
	}
	for typ, talker := range systemTalkers {
		if systemMsg[strconv.Itoa(typ)] != talker {
			t.Errorf("system_msg = %v, want %d: %d", systemMsg, typ, talker)
		}
	}
	if talkers, systemMsg := systemList(t, s, other); len(talkers) != 0 || len(systemMsg) != 0 {
		t.Errorf("user 20's category 7: %v, %v", talkers, systemMsg)
	}
}

// TestPushAnswerExactNumbers: the answer's numbers are exact (msg_key is above 2^53).
func TestPushAnswerExactNumbers(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	mkUser(t, s, 10, "UP主", 0)
	r := do(t, s, "POST", pushPath(10), pushBody(7, 13, pushCard13, nil))
	want(t, r, 200, nil)
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.UseNumber()
	var m map[string]json.Number
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("%s: %v", r.body, err)
	}
	for _, k := range []string{"msg_key", "msg_seqno", "talker_id"} {
		if _, err := strconv.ParseUint(string(m[k]), 10, 64); err != nil {
			t.Errorf("%s = %q, want a plain integer", k, m[k])
		}
	}
	if m["talker_id"] != "844424930131966" {
		t.Errorf("talker_id = %s", m["talker_id"])
	}
	msgs := systemMsgs(t, s, login(t, s, 10), systemTalkers[7])
	if len(msgs) != 1 || strconv.FormatUint(msgs[0].MsgKey, 10) != string(m["msg_key"]) ||
		strconv.FormatUint(msgs[0].MsgSeqno, 10) != string(m["msg_seqno"]) {
		t.Errorf("stored %+v, answered %v", msgs, m)
	}
}

func TestPushBadRequest(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	mkUser(t, s, 10, "UP主", 0)
	u := login(t, s, 10)

	// Refusals of the push itself: "invalid push: " and the reason naming what is wrong.
	invalid := []struct {
		name, body string
		names      []string
	}{
		{"system_msg_type 0", pushBody(0, 13, pushCard13, nil), []string{"system_msg_type"}},
		{"no system_msg_type", pushBody(7, 13, pushCard13, map[string]any{"system_msg_type": nil}), []string{"system_msg_type"}},
		{"system_msg_type 2", pushBody(2, 13, pushCard13, nil), []string{"system_msg_type"}},
		{"system_msg_type 6", pushBody(6, 13, pushCard13, nil), []string{"system_msg_type"}},
		{"system_msg_type 10", pushBody(10, 13, pushCard13, nil), []string{"system_msg_type"}},
		{"system_msg_type -7", pushBody(-7, 13, pushCard13, nil), []string{"system_msg_type"}},
		{"msg_type 1", pushBody(7, 1, `{"content":"hi"}`, nil), []string{"msg_type"}},
		{"msg_type 2", pushBody(7, 2, `{"url":"https://i0.hdslb.com/a.png"}`, nil), []string{"msg_type"}},
		{"msg_type 5", pushBody(7, 5, `7345551441311046575`, nil), []string{"msg_type"}},
		{"msg_type 14", pushBody(7, 14, `{"author":"a","cover":"c","desc":"d","source":"直播","title":"t","url":"u"}`, nil),
			[]string{"msg_type"}},
		{"msg_type 15", pushBody(7, 15, pushCard13, nil), []string{"msg_type"}},
		{"msg_type 18", pushBody(7, 18, `{"content":"[]"}`, nil), []string{"msg_type"}},
		{"msg_type 0", pushBody(7, 0, pushCard13, nil), []string{"msg_type"}},
		{"no msg_type", pushBody(7, 13, pushCard13, map[string]any{"msg_type": nil}), []string{"msg_type"}},
		{"msg_source 7", pushBody(7, 13, pushCard13, map[string]any{"msg_source": 7}), []string{"msg_source"}},
		{"msg_source 1", pushBody(7, 13, pushCard13, map[string]any{"msg_source": 1}), []string{"msg_source"}},
		{"msg_source 4", pushBody(7, 13, pushCard13, map[string]any{"msg_source": 4}), []string{"msg_source"}},
		{"msg_source -6", pushBody(7, 13, pushCard13, map[string]any{"msg_source": -6}), []string{"msg_source"}},
		{"msg_source 16", pushBody(7, 13, pushCard13, map[string]any{"msg_source": 16}), []string{"msg_source"}},
		{"notify_code letters", pushBody(7, 13, pushCard13, map[string]any{"notify_code": "abc"}), []string{"notify_code"}},
		{"notify_code one part", pushBody(7, 13, pushCard13, map[string]any{"notify_code": "2091"}), []string{"notify_code"}},
		{"notify_code empty part", pushBody(7, 13, pushCard13, map[string]any{"notify_code": "2091_"}), []string{"notify_code"}},
		{"notify_code empty first", pushBody(7, 13, pushCard13, map[string]any{"notify_code": "_253"}), []string{"notify_code"}},
		{"notify_code dash", pushBody(7, 13, pushCard13, map[string]any{"notify_code": "2091-253"}), []string{"notify_code"}},
		{"notify_code three parts", pushBody(7, 13, pushCard13, map[string]any{"notify_code": "1_2_3"}), []string{"notify_code"}},
		{"notify_code space", pushBody(7, 13, pushCard13, map[string]any{"notify_code": "2091_253 "}), []string{"notify_code"}},
		{"notify_code newline", pushBody(7, 13, pushCard13, map[string]any{"notify_code": "2091_253\n"}), []string{"notify_code"}},
		{"notify_code sign", pushBody(7, 13, pushCard13, map[string]any{"notify_code": "-1_2"}), []string{"notify_code"}},
		{"notify_code wide digits", pushBody(7, 13, pushCard13, map[string]any{"notify_code": "２０９１_２５３"}), []string{"notify_code"}},
		{"notify_code arabic digits", pushBody(7, 13, pushCard13, map[string]any{"notify_code": "٢٠٩١_٢٥٣"}), []string{"notify_code"}},
		{"notify_code too long", pushBody(7, 13, pushCard13, map[string]any{"notify_code": "12345678901_1"}), []string{"notify_code"}},
		// The card.
		{"no content", pushBody(7, 13, pushCard13, map[string]any{"content": nil}), []string{"content"}},
		{"content null", pushBody(7, 13, `null`, nil), []string{"content"}},
		{"content a string", pushBody(7, 13, `"{\"pic_url\":\"p\",\"jump_url\":\"j\",\"title\":\"t\"}"`, nil), []string{"content"}},
		{"content an array", pushBody(7, 13, `[`+pushCard13+`]`, nil), []string{"content"}},
		{"content a number", pushBody(7, 13, `13`, nil), []string{"content"}},
		{"10 no title", pushBody(7, 10, `{"text":"x"}`, nil), []string{"title"}},
		{"10 no text", pushBody(7, 10, `{"title":"t"}`, nil), []string{"text"}},
		{"10 title a number", pushBody(7, 10, `{"title":1,"text":"x"}`, nil), []string{"title"}},
		{"10 notifier a string", pushBody(7, 10, `{"title":"t","text":"x","notifier":"n"}`, nil), []string{"notifier"}},
		{"10 module unknown field", pushBody(7, 10, `{"title":"t","text":"x","modules":[{"title":"a","detail":"b","x":1}]}`, nil),
			[]string{"modules", "x"}},
		{"10 biz_content missing field", pushBody(7, 10, `{"title":"t","text":"x","biz_content":{"cover":""}}`, nil),
			[]string{"biz_content"}},
		{"10 jump_uri_config null", pushBody(7, 10, `{"title":"t","text":"x","jump_uri_config":null}`, nil),
			[]string{"jump_uri_config"}},
		{"11 no rid", pushBody(7, 11, `{"title":"t"}`, nil), []string{"rid"}},
		{"11 rid a string", pushBody(7, 11, `{"rid":"1951296417"}`, nil), []string{"rid"}},
		{"11 attach_msg without content", pushBody(7, 11, `{"rid":1,"attach_msg":{"id":1}}`, nil), []string{"attach_msg", "content"}},
		{"12 image_urls numbers", pushBody(7, 12, `{"rid":1,"image_urls":[1]}`, nil), []string{"image_urls"}},
		{"13 unknown field", pushBody(7, 13, `{"pic_url":"p","jump_url":"j","title":"t","url":"u"}`, nil), []string{"url"}},
		{"13 missing title", pushBody(7, 13, `{"pic_url":"p","jump_url":"j"}`, nil), []string{"title"}},
		{"16 sub_cards null", pushBody(7, 16, `{"main_title":"m","reply_content":"r","sub_cards":null}`, nil), []string{"sub_cards"}},
		{"16 sub_card wrong type", pushBody(7, 16, `{"main_title":"m","reply_content":"r","sub_cards":[{"card_id":"1"}]}`, nil),
			[]string{"sub_cards"}},
		// A card of another type.
		{"13 as 10", pushBody(7, 10, pushCard13, nil), []string{"content"}},
		{"10 as 13", pushBody(7, 13, pushCard10, nil), []string{"content"}},
		{"16 as 11", pushBody(7, 11, pushCard16, nil), []string{"content"}},
	}
	for _, c := range invalid {
		t.Run(c.name, func(t *testing.T) {
			_, msg := push(t, s, 10, c.body, http.StatusBadRequest)
			if !strings.HasPrefix(msg, "invalid push: ") {
				t.Errorf("error %q, want \"invalid push: …\"", msg)
			}
			for _, n := range c.names {
				if !strings.Contains(msg, n) {
					t.Errorf("error %q does not name %q", msg, n)
				}
			}
		})
	}
	// Bodies that are not a push at all: 400 with an error body.
	malformed := []struct{ name, body, field string }{
		{"unknown field", pushBody(7, 13, pushCard13, map[string]any{"extra": 1}), "extra"},
		{"talker_id", pushBody(7, 13, pushCard13, map[string]any{"talker_id": 844424930131966}), "talker_id"},
		{"sender_uid", pushBody(7, 13, pushCard13, map[string]any{"sender_uid": 844424930131966}), "sender_uid"},
		{"system_msg_type a string", pushBody(7, 13, pushCard13, map[string]any{"system_msg_type": "7"}), "system_msg_type"},
		{"system_msg_type a float", pushBody(7, 13, pushCard13, map[string]any{"system_msg_type": 7.5}), "system_msg_type"},
		{"msg_type a string", pushBody(7, 13, pushCard13, map[string]any{"msg_type": "13"}), "msg_type"},
		{"msg_type an array", pushBody(7, 13, pushCard13, map[string]any{"msg_type": []int{13}}), "msg_type"},
		{"msg_source a string", pushBody(7, 13, pushCard13, map[string]any{"msg_source": "6"}), "msg_source"},
		{"notify_code a number", pushBody(7, 13, pushCard13, map[string]any{"notify_code": 2091}), "notify_code"},
		{"not JSON", "system_msg_type=7&msg_type=13", ""},
		{"empty body", "", ""},
		{"null", "null", ""},
		{"an array", "[" + pushBody(7, 13, pushCard13, nil) + "]", ""},
		{"two objects", pushBody(7, 13, pushCard13, nil) + pushBody(7, 13, pushCard13, nil), ""},
		{"trailing garbage", pushBody(7, 13, pushCard13, nil) + "x", ""},
		{"truncated", strings.TrimSuffix(pushBody(7, 13, pushCard13, nil), "}"), ""},
		{"invalid UTF-8 in the card", `{"system_msg_type":7,"msg_type":13,"content":{"pic_url":"p","jump_url":"j","title":"` +
			"\xff" + `"}}`, ""},
	}
	for _, c := range malformed {
		t.Run(c.name, func(t *testing.T) {
			_, msg := push(t, s, 10, c.body, http.StatusBadRequest)
			if c.field != "" && !strings.Contains(msg, c.field) {
				t.Errorf("error %q does not name %q", msg, c.field)
			}
		})
	}
	// Bad paths.
	for _, p := range []string{"/admin/v1/users/0/pushes", "/admin/v1/users/abc/pushes", "/admin/v1/users/-10/pushes",
		"/admin/v1/users/18446744073709551616/pushes"} {
		want(t, do(t, s, "POST", p, pushBody(7, 13, pushCard13, nil)), http.StatusBadRequest, nil)
	}
	// Nothing was stored: no message, no session, no count.
	for _, talker := range systemTalkers {
		if got := systemMsgs(t, s, u, talker); len(got) != 0 {
			t.Errorf("refused pushes stored messages from %d: %+v", talker, got)
		}
	}
	if talkers, sm := systemList(t, s, u); len(talkers) != 0 || len(sm) != 0 {
		t.Errorf("refused pushes made sessions: %v, %v", talkers, sm)
	}
	if got := pushUnread(t, s, u); got != (pushCounts{}) {
		t.Errorf("single_unread after refused pushes = %+v", got)
	}
	if got := upUnread(t, s, u); got != 0 {
		t.Errorf("N1 up after refused pushes = %d", got)
	}
	// The user can still be pushed to.
	push(t, s, 10, pushBody(7, 13, pushCard13, nil), 200)
	if got := pushUnread(t, s, u); got != (pushCounts{BizFollow: 1}) {
		t.Errorf("single_unread after one good push = %+v", got)
	}
}

// TestPushContentSize: the stored (compacted) card may be up to 32000 bytes; whitespace
// the compaction drops does not count.
func TestPushContentSize(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	mkUser(t, s, 10, "UP主", 0)
	u := login(t, s, 10)
	card := func(n int) string { return `{"pic_url":"p","jump_url":"j","title":"` + strings.Repeat("x", n) + `"}` }
	base := len(card(0))
	push(t, s, 10, pushBody(7, 13, card(32000-base), nil), 200)
	_, msg := push(t, s, 10, pushBody(7, 13, card(32000-base+1), nil), http.StatusBadRequest)
	if !strings.HasPrefix(msg, "invalid push: ") || !strings.Contains(msg, "content") {
		t.Errorf("error %q for a card of 32001 bytes", msg)
	}
	// Multi-byte text counts in bytes: 10667 × 3 bytes is over.
	cjk := `{"pic_url":"p","jump_url":"j","title":"` + strings.Repeat("字", 10667) + `"}`
	push(t, s, 10, pushBody(7, 13, cjk, nil), http.StatusBadRequest)
	// Spaces outside the strings are not stored.
	spaced := `{"pic_url":"p",   "jump_url":"j",` + strings.Repeat(" ", 5000) + `"title":"` + strings.Repeat("x", 32000-base) + `"}`
	push(t, s, 10, pushBody(7, 13, spaced, nil), 200)
	msgs := systemMsgs(t, s, u, systemTalkers[7])
	if len(msgs) != 2 || len(msgs[0].Content) != 32000 || msgs[0].Content != card(32000-base) {
		t.Errorf("stored %d messages, the last of %d bytes", len(msgs), len(msgs[0].Content))
	}
	// A body over the operator API's limit is refused as such.
	r := do(t, s, "POST", pushPath(10), pushBody(7, 13, card(70<<10), nil))
	want(t, r, http.StatusRequestEntityTooLarge, nil)
	if got := pushUnread(t, s, u); got != (pushCounts{BizFollow: 2}) {
		t.Errorf("single_unread = %+v, want the 2 accepted pushes", got)
	}
}

func TestPushNotFound(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	mkUser(t, s, 10, "UP主", 0)
	for _, mid := range []uint64{11, 9, 1 << 62, 1<<64 - 1, systemTalkers[7], systemTalkers[1]} {
		_, msg := push(t, s, mid, pushBody(7, 13, pushCard13, nil), http.StatusNotFound)
		if msg == "" {
			t.Errorf("push to %d: no error text", mid)
		}
	}
	// Nothing reached user 10.
	if got := pushUnread(t, s, login(t, s, 10)); got != (pushCounts{}) {
		t.Errorf("single_unread of user 10 = %+v", got)
	}
	// A system account never became a user.
	want(t, do(t, s, "GET", fmt.Sprintf("/admin/v1/users/%d", systemTalkers[7]), ""), http.StatusNotFound, nil)
}

func TestPushAuth(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	mkUser(t, s, 10, "UP主", 0)
	body := []byte(pushBody(7, 13, pushCard13, nil))
	for _, tok := range []string{"", "Bearer wrong", s.Token, "bearer " + s.Token} {
		r := call(t, s, tok, "POST", pushPath(10), body)
		want(t, r, http.StatusUnauthorized, nil)
	}
	for _, method := range []string{"GET", "PUT", "DELETE", "PATCH"} {
		r := call(t, s, auth(s), method, pushPath(10), body)
		if r.status == 200 {
			t.Errorf("%s %s: 200 %s", method, pushPath(10), r.body)
		}
	}
	if got := pushUnread(t, s, login(t, s, 10)); got != (pushCounts{}) {
		t.Errorf("single_unread after unauthorized pushes = %+v", got)
	}
}

// TestPushSession: pushes of one account go to one session, which the user reads and
// removes like any other; the next push brings it back.
func TestPushSession(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	mkUser(t, s, 10, "UP主", 0)
	u := login(t, s, 10)
	var last pushed
	for i := range 3 {
		last, _ = push(t, s, 10, pushBody(7, 13, fmt.Sprintf(`{"pic_url":"p","jump_url":"j","title":"第%d张"}`, i), nil), 200)
	}
	if got := pushUnread(t, s, u); got != (pushCounts{BizFollow: 3}) {
		t.Errorf("single_unread after 3 pushes = %+v", got)
	}
	if got := upUnread(t, s, u); got != 3 {
		t.Errorf("N1 up = %d, want 3", got)
	}
	talker := strconv.FormatUint(systemTalkers[7], 10)
	if c := s.Post(u, testkit.PathUpdateAck, url.Values{"talker_id": {talker}, "session_type": {"1"},
		"ack_seqno": {strconv.FormatUint(last.MsgSeqno, 10)}}).Code(t); c != 0 {
		t.Fatalf("update_ack: code %d", c)
	}
	if got := pushUnread(t, s, u); got != (pushCounts{}) {
		t.Errorf("single_unread after reading = %+v", got)
	}
	if got := upUnread(t, s, u); got != 0 {
		t.Errorf("N1 up after reading = %d", got)
	}
	if c := s.Post(u, testkit.PathRemoveSession, url.Values{"talker_id": {talker}, "session_type": {"1"}}).Code(t); c != 0 {
		t.Fatalf("remove_session: code %d", c)
	}
	if talkers, _ := systemList(t, s, u); len(talkers) != 0 {
		t.Errorf("category 7 after remove_session: %v", talkers)
	}
	next, _ := push(t, s, 10, pushBody(7, 13, pushCard13, nil), 200)
	if next.MsgSeqno <= last.MsgSeqno {
		t.Errorf("seqno %d after %d", next.MsgSeqno, last.MsgSeqno)
	}
	if talkers, _ := systemList(t, s, u); !slices.Equal(talkers, []uint64{systemTalkers[7]}) {
		t.Errorf("category 7 after a new push: %v", talkers)
	}
	if got := pushUnread(t, s, u); got != (pushCounts{BizFollow: 1}) {
		t.Errorf("single_unread after a new push = %+v", got)
	}
	if msgs := systemMsgs(t, s, u, systemTalkers[7]); len(msgs) != 4 {
		t.Errorf("%d messages from UP主小助手, want 4", len(msgs))
	}
}
