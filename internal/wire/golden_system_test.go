package wire_test

// Golden tests of system accounts (UP主小助手 and the others; catalog §2.1, §3 P1, P3–P5,
// P17, §5 N1, §10; docs/feed.md "System accounts and their pushes"): their sessions in
// get_sessions (category 7 alone, and mixed with user sessions under the system_msg map),
// new_sessions, session_detail, the pushed cards of all five types in
// fetch_session_msgs, biz_msg_follow_unread in single_unread and N1's up. The cases are
// appended to goldenCases (golden_test.go), so they run in TestGolden and their files
// live in testdata/golden/; catalogShape checks what the catalog pins about system
// sessions (account_info only there, is_follow 1, system_msg only in get_sessions).
//
// Pushes are made through the operator API (POST /admin/v1/users/{mid}/pushes) with raw
// JSON bodies, so that the card reaches the server exactly as written here. Helpers and
// cards are prefixed sy; system_e2e_test.go uses them too.
//
// Rewrite the golden files with: go test ./internal/wire/ -run TestGolden -update
// and review every changed file against the catalog before keeping it.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/internal/testkit"
)

// The system accounts as the catalog (§2.1, P3's example) and docs/feed.md name them,
// written out independently of im.SystemAccounts.
const (
	syAnchor  = 844424930131967 // 1 主播小助手
	syUp      = 844424930131966 // 7 UP主小助手
	syService = 844424930131964 // 8 客服消息
	syPay     = 844424930131965 // 9 支付小助手

	// UP主小助手's avatar in the catalog's P3 example.
	syUpPic = "https://message.biliimg.com/bfs/im/489a63efadfb202366c2f88853d2217b5ddc7a13.png"
)

type syAccount struct {
	typ  int
	mid  uint64
	name string
}

var syAccounts = []syAccount{{1, syAnchor, "主播小助手"}, {7, syUp, "UP主小助手"}, {8, syService, "客服消息"},
	{9, syPay, "支付小助手"}}

func syAccountOf(mid uint64) (syAccount, bool) {
	for _, a := range syAccounts {
		if a.mid == mid {
			return a, true
		}
	}
	return syAccount{}, false
}

// The cards (catalog §10), some written with whitespace to show that the stored content
// is the card compacted as sent.
const (
	// 10: UP主小助手's notification of the catalog's P3 example (流量奖励到账通知).
	syCardTraffic = `{"title":"流量奖励到账通知","text":"恭喜！你的稿件《【4K】夏日祭》获得了流量奖励，已为你额外推荐1000次曝光。",
		"jump_text":"查看详情","jump_uri":"https://member.bilibili.com/york/traffic-reward?navhide=1&from=msg",
		"modules":[{"title":"稿件标题","detail":"【4K】夏日祭"},{"title":"到账时间","detail":"2024-06-02 16:00"}],
		"jump_text_2":"","jump_uri_2":"","jump_text_3":"","jump_uri_3":"","notifier":null,
		"jump_uri_config":{"all_uri":"https://member.bilibili.com/york/traffic-reward?navhide=1&from=msg","text":"查看详情"},
		"jump_uri_2_config":{"text":""},"jump_uri_3_config":{"text":""},"biz_content":null}`
	// 10: the live reminder of §10.1, with a notifier and biz_content.
	syCardLive = `{"title":"直播开始提醒","text":"你预约的直播已开始，快来围观吧~","jump_text":"进入直播间",
		"jump_uri":"https://live.bilibili.com/22747055?broadcast_type=0&is_room_feed=1",
		"modules":[{"title":"预约主题","detail":"2024哔哩哔哩拜年纪"}],"jump_text_2":"","jump_uri_2":"","jump_text_3":"","jump_uri_3":"",
		"notifier":{"avatar_url":"https://i0.hdslb.com/bfs/face/member/noface.jpg","nickname":"哔哩哔哩拜年纪","jump_url":""},
		"jump_uri_config":{"all_uri":"https://live.bilibili.com/22747055?broadcast_type=0&is_room_feed=1","text":"进入直播间"},
		"jump_uri_2_config":{"text":""},"jump_uri_3_config":{"text":""},
		"biz_content":{"cover":"","backup_cover":"http://i0.hdslb.com/bfs/live/new_room_cover/a.jpg","refresh_type":1,
		"biz_type":2,"biz_id1":"1868902080","biz_id2":"473923647994271663","biz_status":0}}`
	// 11: a video push with the UP主赠言 (§10.2).
	syCardVideo = `{"title":"【4K】夏日祭","times":245,"cover":"https://i0.hdslb.com/bfs/archive/a.jpg","rid":170001,"type_":8,
		"desc":"夏天到了 & 祭典开始了","bvid":"BV1xx411c7mD","view":123456,"danmaku":479,"pub_date":1717243200,
		"attach_msg":{"id":1,"content":"UP主赠言：感谢观看[tv_doge]"}}`
	// 12: an article push with its images (§10.3).
	syCardArticle = `{"rid":1,"title":"夏日祭幕后","summary":"拍摄花絮与器材清单","author":"bob","view":1608818,"like":32247,
		"reply":14143,"template_id":4,"image_urls":["https://i0.hdslb.com/bfs/article/a.jpg","https://i0.hdslb.com/bfs/article/b.jpg"],
		"attach_msg":null,"pub_date":1717243200}`
	// 13: a picture card (§10).
	syCardPicture = `{"pic_url":"https://i0.hdslb.com/bfs/im/pay-bill.png","jump_url":"https://pay.bilibili.com/bill?month=2024-05",
		"title":"你的5月账单已生成"}`
	// 16: a works card (§10.4).
	syCardWorks = `{"main_title":"更多宝藏内容","reply_content":"这些稿件也许你会喜欢",
		"sub_cards":[{"card_id":170001,"card_type":1,"jump_url":"https://www.bilibili.com/video/BV1xx411c7mD",
		"cover_url":"https://i0.hdslb.com/bfs/archive/a.jpg","field1":"【4K】夏日祭","field2":"2024-06-02","field3":"12.3万",
		"icon3":1,"field4":"479","icon4":3},
		{"card_id":170002,"card_type":1,"jump_url":"https://www.bilibili.com/video/av170002",
		"cover_url":"https://i0.hdslb.com/bfs/archive/b.jpg","field1":"第一个视频","field2":"2023-04-29","field3":"999",
		"icon3":1,"field4":"1.2万","icon4":3}]}`
)

// syCompact is a card as it must be stored and served: compacted, nothing else changed.
func syCompact(t testing.TB, card string) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(card)); err != nil {
		t.Fatalf("card is not JSON: %v", err)
	}
	return b.String()
}

// syAdmin sends body as it is to the operator API and returns the status and answer.
func syAdmin(t testing.TB, s *testkit.Server, method, path, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.HTTP.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// syPushPath is the push route of user mid.
func syPushPath(mid uint64) string { return fmt.Sprintf("/admin/v1/users/%d/pushes", mid) }

// syPushBody is a push request; extra is appended to the object (",\"msg_source\":5").
func syPushBody(sysType, msgType int, card, extra string) string {
	return fmt.Sprintf(`{"system_msg_type":%d,"msg_type":%d,"content":%s%s}`, sysType, msgType, card, extra)
}

// syPushed is the operator API's answer to a push.
type syPushed struct {
	MsgKey   uint64 `json:"msg_key"`
	MsgSeqno uint64 `json:"msg_seqno"`
	TalkerID uint64 `json:"talker_id"`
}

// syPush makes system account sysType push card (msg_type msgType) to mid; it fails the
// test unless the push is accepted.
func syPush(t testing.TB, s *testkit.Server, mid uint64, sysType, msgType int, card, extra string) syPushed {
	t.Helper()
	st, body := syAdmin(t, s, "POST", syPushPath(mid), syPushBody(sysType, msgType, card, extra))
	if st != 200 {
		t.Fatalf("push %d/%d to %d: status %d: %s", sysType, msgType, mid, st, body)
	}
	n, err := parseOrdered(body)
	if err != nil || n.kind != 'o' || !slices.Equal(n.keys, []string{"msg_key", "msg_seqno", "talker_id"}) {
		t.Fatalf("push answer %s: want {msg_key, msg_seqno, talker_id}", body)
	}
	var p syPushed
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	if p.MsgKey == 0 || p.MsgSeqno == 0 {
		t.Fatalf("push answer %s: msg_key and msg_seqno are set", body)
	}
	return p
}

func syID(n uint64) string { return strconv.FormatUint(n, 10) }

// sySystemSession checks a system session object beyond catalogShape: the account of its
// talker, and unread pushes as new_push_msg and biz_msg_unread_count (docs/feed.md).
func sySystemSession(t *testing.T, where string, n *jnode) {
	t.Helper()
	a, ok := syAccountOf(uint64(num(t, n.get("talker_id"))))
	if !ok {
		t.Fatalf("%s: talker %s is no system account", where, n.get("talker_id").num)
	}
	if num(t, n.get("system_msg_type")) != int64(a.typ) || n.get("account_info", "name").str != a.name {
		t.Errorf("%s: system_msg_type %s, account_info.name %q; want %d, %q", where, n.get("system_msg_type").num,
			n.get("account_info", "name").str, a.typ, a.name)
	}
	if a.typ == 7 && n.get("account_info", "pic_url").str != syUpPic {
		t.Errorf("%s: UP主小助手's pic_url is the catalog's", where)
	}
	unread := num(t, n.get("unread_count"))
	if num(t, n.get("biz_msg_unread_count")) != unread || num(t, n.get("new_push_msg")) != b01(unread > 0) {
		t.Errorf("%s: unread %d: biz_msg_unread_count = unread_count, new_push_msg 1 while unread", where, unread)
	}
	for _, k := range []string{"can_fold", "live_status", "group_type", "at_seqno", "is_intercept"} {
		if num(t, n.get(k)) != 0 {
			t.Errorf("%s: %s must be 0 in a system session", where, k)
		}
	}
	if lm := n.get("last_msg"); lm != nil && lm.kind == 'o' {
		if uint64(num(t, lm.get("sender_uid"))) != a.mid || num(t, lm.get("receiver_type")) != 1 ||
			num(t, lm.get("new_face_version")) != 1 {
			t.Errorf("%s.last_msg: sent by the system account, receiver_type 1, new_face_version 1", where)
		}
	}
}

func b01(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// syTalkers lists the talker ids of a session list.
func syTalkers(t *testing.T, list *jnode) []uint64 {
	t.Helper()
	var out []uint64
	if list != nil {
		for _, s := range list.arr {
			out = append(out, uint64(num(t, s.get("talker_id"))))
		}
	}
	return out
}

// sySystemMsg reads a system_msg map as type → talker.
func sySystemMsg(t *testing.T, n *jnode) map[string]uint64 {
	t.Helper()
	if n == nil {
		return nil
	}
	out := map[string]uint64{}
	for _, k := range n.keys {
		out[k] = uint64(num(t, n.get(k)))
	}
	return out
}

func init() { goldenCases = append(goldenCases, syGoldenCases...) }

var syGoldenCases = []goldenCase{
	// P3 category 7: dave, who never chatted, has two system sessions: 支付小助手 (a
	// picture card) and UP主小助手 (two notifications, as in the catalog's example).
	{"get_sessions_system_only", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		s := w.s
		s.Advance(time.Second)
		syPush(t, s, dave, 9, 13, syCardPicture, "")
		s.Advance(time.Second)
		syPush(t, s, dave, 7, 10, syCardTraffic, `,"msg_source":6,"notify_code":"2091_253"`)
		s.Advance(time.Second)
		last := syPush(t, s, dave, 7, 10, syCardTraffic, `,"notify_code":"2091_253"`)
		return s.Get(w.dave, testkit.PathGetSessions, q("session_type", "7", "mobi_app", "web")), func(t *testing.T, root *jnode) {
			d := root.get("data")
			l := d.get("session_list")
			if got := syTalkers(t, l); !slices.Equal(got, []uint64{syUp, syPay}) {
				t.Fatalf("talkers %v: UP主小助手 (newest), then 支付小助手", got)
			}
			for i, x := range l.arr {
				sySystemSession(t, fmt.Sprintf("session_list[%d]", i), x)
			}
			up, pay := l.arr[0], l.arr[1]
			if num(t, up.get("unread_count")) != 2 || num(t, pay.get("unread_count")) != 1 {
				t.Errorf("unread: 2 UP主小助手 pushes, 1 支付小助手 push")
			}
			lm := up.get("last_msg")
			if uint64(num(t, lm.get("msg_key"))) != last.MsgKey || lm.get("notify_code").str != "2091_253" ||
				num(t, lm.get("msg_source")) != 6 || num(t, lm.get("msg_type")) != 10 ||
				lm.get("content").str != syCompact(t, syCardTraffic) {
				t.Errorf("UP主小助手's last_msg is the latest notification, card compacted as sent")
			}
			if pay.get("last_msg", "notify_code").str != "" || num(t, pay.get("last_msg", "msg_source")) != 6 {
				t.Errorf("no notify_code: \"\"; msg_source defaults to 6")
			}
			if sm := sySystemMsg(t, d.get("system_msg")); len(sm) != 2 || sm["7"] != syUp || sm["9"] != syPay {
				t.Errorf("system_msg %v: {\"7\": UP主小助手, \"9\": 支付小助手}", sm)
			}
			if num(t, d.get("has_more")) != 0 || num(t, d.get("is_address_list_empty")) != 0 {
				t.Errorf("has_more 0; dave has sessions now: is_address_list_empty 0")
			}
		}
	}},
	// P3 category 1: bob's user sessions (alice, followed; carol, not) and system sessions,
	// under the system_msg map of the catalog's example (1, 7).
	{"get_sessions_system_mixed", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		s := w.s
		s.Advance(time.Second)
		syPush(t, s, bob, 1, 10, syCardLive, `,"notify_code":"2091_253"`)
		s.Advance(time.Second)
		s.SendText(w.alice, bob, "看直播吗")
		s.Advance(time.Second)
		syPush(t, s, bob, 7, 11, syCardVideo, `,"msg_source":5`)
		return s.Get(w.bob, testkit.PathGetSessions, q("session_type", "1")), func(t *testing.T, root *jnode) {
			d := root.get("data")
			l := d.get("session_list")
			if got := syTalkers(t, l); !slices.Equal(got, []uint64{syUp, alice, syAnchor, carol}) {
				t.Fatalf("talkers %v: users and system sessions together, newest first", got)
			}
			for _, i := range []int{0, 2} {
				sySystemSession(t, fmt.Sprintf("session_list[%d]", i), l.arr[i])
			}
			for _, i := range []int{1, 3} {
				if x := l.arr[i]; num(t, x.get("system_msg_type")) != 0 || x.has("account_info") {
					t.Errorf("session_list[%d]: a user session: system_msg_type 0, no account_info", i)
				}
			}
			if num(t, l.arr[0].get("last_msg", "msg_source")) != 5 {
				t.Errorf("the broadcast push has msg_source 5")
			}
			if sm := sySystemMsg(t, d.get("system_msg")); len(sm) != 2 || sm["1"] != syAnchor || sm["7"] != syUp {
				t.Errorf("system_msg %v: {\"1\": 主播小助手, \"7\": UP主小助手}", sm)
			}
		}
	}},
	// P4: a system session is a new session like any other; new_sessions has no system_msg.
	{"new_sessions_system", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		s := w.s
		s.Advance(time.Second)
		syPush(t, s, bob, 7, 13, syCardPicture, "")
		return s.Get(w.bob, testkit.PathNewSessions, q("begin_ts", strconv.FormatInt(epochUs(time.Second), 10))), func(t *testing.T, root *jnode) {
			d := root.get("data")
			l := d.get("session_list")
			if got := syTalkers(t, l); !slices.Equal(got, []uint64{syUp, carol}) {
				t.Fatalf("talkers %v: UP主小助手's push, then carol's message", got)
			}
			sySystemSession(t, "session_list[0]", l.arr[0])
			if d.has("system_msg") {
				t.Errorf("new_sessions never has system_msg (catalog P4)")
			}
		}
	}},
	// P5 of a system session: three pushes, the first acked; pinned.
	{"session_detail_system", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		s := w.s
		var first syPushed
		for i, card := range []string{syCardTraffic, syCardVideo, syCardArticle} {
			s.Advance(time.Second)
			p := syPush(t, s, bob, 7, []int{10, 11, 12}[i], card, "")
			if i == 0 {
				first = p
			}
		}
		s.Advance(time.Second)
		s.MustOK(w.bob, testkit.PathUpdateAck, q("talker_id", syID(syUp), "session_type", "1", "ack_seqno", syID(first.MsgSeqno)))
		s.MustOK(w.bob, testkit.PathSetTop, q("talker_id", syID(syUp), "session_type", "1", "op_type", "0"))
		return s.Get(w.bob, testkit.PathSessionDetail, q("talker_id", syID(syUp), "session_type", "1")), func(t *testing.T, root *jnode) {
			d := root.get("data")
			sySystemSession(t, "data", d)
			if num(t, d.get("unread_count")) != 2 || uint64(num(t, d.get("ack_seqno"))) != first.MsgSeqno ||
				num(t, d.get("ack_ts")) != epochUs(9*time.Second) || num(t, d.get("top_ts"))/1e6 != epochUs(9*time.Second)/1e6 {
				t.Errorf("acked up to the first push: 2 unread; ack_ts and top_ts at Epoch+9s (µs)")
			}
			if num(t, d.get("last_msg", "msg_type")) != 12 {
				t.Errorf("last_msg is the article push")
			}
		}
	}},
	// P17 of a system session: one push of each type, newest first.
	{"fetch_session_msgs_system", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		s := w.s
		type push struct {
			typ        int
			card, opts string
		}
		pushes := []push{{10, syCardTraffic, `,"notify_code":"2091_253"`}, {11, syCardVideo, `,"msg_source":5`},
			{12, syCardArticle, ""}, {13, syCardPicture, ""}, {16, syCardWorks, ""}}
		var keys []uint64
		for _, p := range pushes {
			s.Advance(time.Second)
			keys = append(keys, syPush(t, s, bob, 7, p.typ, p.card, p.opts).MsgKey)
		}
		return s.Get(w.bob, testkit.PathFetchMsgs, q("talker_id", syID(syUp), "session_type", "1", "size", "20")), func(t *testing.T, root *jnode) {
			m := root.get("data", "messages")
			if len(m.arr) != len(pushes) || num(t, root.get("data", "has_more")) != 0 {
				t.Fatalf("%d messages, want the %d pushes", len(m.arr), len(pushes))
			}
			for i, x := range m.arr {
				p := pushes[len(pushes)-1-i]
				where := fmt.Sprintf("messages[%d]", i)
				if num(t, x.get("msg_type")) != int64(p.typ) || x.get("content").str != syCompact(t, p.card) ||
					uint64(num(t, x.get("msg_key"))) != keys[len(pushes)-1-i] {
					t.Errorf("%s: msg_type %d with the card compacted as sent", where, p.typ)
				}
				if uint64(num(t, x.get("sender_uid"))) != syUp || num(t, x.get("receiver_id")) != bob ||
					num(t, x.get("receiver_type")) != 1 || num(t, x.get("new_face_version")) != 1 || num(t, x.get("msg_status")) != 0 {
					t.Errorf("%s: from UP主小助手 to bob, receiver_type 1, new_face_version 1, msg_status 0", where)
				}
				wantSource, wantCode := int64(6), ""
				if p.typ == 11 {
					wantSource = 5
				}
				if p.typ == 10 {
					wantCode = "2091_253"
				}
				if num(t, x.get("msg_source")) != wantSource || x.get("notify_code").str != wantCode {
					t.Errorf("%s: msg_source %d, notify_code %q", where, wantSource, wantCode)
				}
			}
			if root.get("data").has("e_infos") {
				t.Errorf("cards carry no e_infos (only texts do)")
			}
		}
	}},
	// P1: bob's followed and unfollowed unread messages, and three unread pushes of two
	// system accounts in biz_msg_follow_unread.
	{"single_unread_system", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		s := w.s
		s.Advance(time.Second)
		syPush(t, s, bob, 7, 10, syCardTraffic, "")
		syPush(t, s, bob, 7, 16, syCardWorks, "")
		syPush(t, s, bob, 9, 13, syCardPicture, "")
		return s.Get(w.bob, testkit.PathSingleUnread, q("show_unfollow_list", "1", "show_dustbin", "1")), func(t *testing.T, root *jnode) {
			d := root.get("data")
			if num(t, d.get("biz_msg_follow_unread")) != 3 || num(t, d.get("follow_unread")) != 1 ||
				num(t, d.get("unfollow_unread")) != 1 {
				t.Errorf("pushes: biz_msg_follow_unread 3; alice's and carol's messages where they were")
			}
			for _, k := range []string{"unfollow_push_msg", "dustbin_push_msg", "dustbin_unread", "biz_msg_unfollow_unread", "custom_unread"} {
				if num(t, d.get(k)) != 0 {
					t.Errorf("%s must stay 0", k)
				}
			}
		}
	}},
	// N1 (new URL): up is the unread pushes of UP主小助手, and only of it.
	{"msgfeed_unread_new_up", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newWorld(t)
		s := w.s
		s.Advance(time.Second)
		syPush(t, s, bob, 7, 11, syCardVideo, "")
		syPush(t, s, bob, 7, 12, syCardArticle, "")
		syPush(t, s, bob, 1, 10, syCardLive, "")
		syPush(t, s, bob, 9, 13, syCardPicture, "")
		return s.Get(w.bob, fdPathUnreadNew, q("build", "0", "mobi_app", "web")), func(t *testing.T, root *jnode) {
			if num(t, root.get("data", "up")) != 2 {
				t.Errorf("up = %s: UP主小助手's 2 unread pushes (not 主播小助手's or 支付小助手's)", root.get("data", "up").num)
			}
		}
	}},
}
