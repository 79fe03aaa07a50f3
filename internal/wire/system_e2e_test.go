package wire_test

// End-to-end tests of system accounts and their pushes (catalog §2.1, §3 P1, P3–P5,
// P9–P12, P14, P17, P19, §5 N1, §10; docs/feed.md "System accounts and their pushes";
// docs/operator-api.md "System pushes") through HTTP, with a fake clock: cards pushed
// through the operator API and read back byte for byte; malformed cards refused with a
// 400 naming the field and nothing stored; unread counts, acks and N1's up; the session
// categories; the session POSTs on system sessions; send_msg to a system account (25003).
//
// The pushes that set a scene go through the operator API's client (client/operator),
// and the users read and act through the client package (client/) as any program
// would: SessionDetail, Sessions, NewSessions, Messages, SingleUnread, FeedUnread, and
// Ack, SetTop, SetDND, MsgDND, SetPushSetting, RemoveSession, SetIntercept and
// ClearDustbin on system sessions, with the typed client.Session and client.Message.
//
// Some checks stay on the raw HTTP of testkit, each saying why: cards compared byte for
// byte as written (operator.Push re-encodes a card: json.Marshal escapes its & < > as
// \u0026 …), malformed push requests and the operator API's {"error": …} answer; facts
// of the JSON the typed client cannot see (at_uids null, system_msg absent, session_list
// null, send_msg's refusal envelope with data null); requests the client does not form
// (new_sessions without begin_ts, single_unread with unread_type=0, set_msg_dnd without
// uid, send_msg without new_face_version); and the snapshots of everything a user sees,
// compared byte for byte before and after. Helpers and cards shared with
// golden_system_test.go are prefixed sy there; the ones below are prefixed sye.

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/client"
	"github.com/bilimsg/bilimsg/client/operator"
	"github.com/bilimsg/bilimsg/internal/testkit"
)

// syeWho is a user of a test as both APIs see them: c, a client logged in as the user,
// for everything the typed client can say; the embedded testkit.User and s for the raw
// HTTP of the checks it cannot make.
type syeWho struct {
	testkit.User
	c *client.Client
	s *testkit.Server
}

// syeNewUser creates a user with a login, and a client logged in as them.
func syeNewUser(s *testkit.Server, mid uint64, name string) syeWho {
	s.TB.Helper()
	u := s.NewUser(mid, name)
	return syeWho{User: u, c: s.Client(u), s: s}
}

// syeOK fails the test on an error.
func syeOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// syeSend sends a text to user to as w; the test fails on an error.
func syeSend(t *testing.T, w syeWho, to uint64, text string) {
	t.Helper()
	if _, err := w.c.SendText(t.Context(), client.User(to), text); err != nil {
		t.Fatalf("send %q %d→%d: %v", text, w.Mid, to, err)
	}
}

// syePush makes system account sysType push card (msg_type msgType) to mid through the
// operator client; the test fails unless the push is accepted and lands in that
// account's session. The card is re-encoded on the way (see syPush for one sent as
// written).
func syePush(t *testing.T, s *testkit.Server, mid uint64, sysType, msgType int, card string) *operator.Pushed {
	t.Helper()
	p, err := s.Operator().Push(t.Context(), mid, operator.Push{SystemMsgType: sysType, MsgType: msgType,
		Content: json.RawMessage(card)})
	if err != nil {
		t.Fatalf("push %d/%d to %d: %v", sysType, msgType, mid, err)
	}
	i := slices.IndexFunc(syAccounts, func(a syAccount) bool { return a.typ == sysType })
	if p.MsgKey == 0 || p.MsgSeqno == 0 || i < 0 || p.TalkerID != syAccounts[i].mid {
		t.Fatalf("push %d/%d to %d: answered %+v", sysType, msgType, mid, p)
	}
	return p
}

// syeList reads one page of w's get_sessions.
func syeList(t *testing.T, w syeWho, opt client.SessionsOptions) *client.SessionPage {
	t.Helper()
	p, err := w.c.Sessions(t.Context(), opt)
	if err != nil {
		t.Fatalf("get_sessions category %d as %d: %v", opt.Category, w.Mid, err)
	}
	return p
}

// syeCat is the talkers of the first page of w's get_sessions category cat.
func syeCat(t *testing.T, w syeWho, cat int) []uint64 {
	t.Helper()
	return syeTalkers(syeList(t, w, client.SessionsOptions{Category: cat}))
}

// syeNew reads w's new_sessions after begin (µs).
func syeNew(t *testing.T, w syeWho, begin int64) *client.SessionPage {
	t.Helper()
	p, err := w.c.NewSessions(t.Context(), begin, 0)
	if err != nil {
		t.Fatalf("new_sessions as %d: %v", w.Mid, err)
	}
	return p
}

func syeTalkers(p *client.SessionPage) []uint64 {
	var out []uint64
	for _, x := range p.Sessions {
		out = append(out, x.TalkerID)
	}
	return out
}

// syeListJSON is the data of w's get_sessions category cat as JSON, for what
// client.SessionPage cannot show: whether system_msg is there at all (the client reads
// an absent one as nil), and session_list null rather than [].
func syeListJSON(t *testing.T, w syeWho, cat int) *jnode {
	t.Helper()
	r := w.s.Get(w.User, testkit.PathGetSessions, q("session_type", strconv.Itoa(cat)))
	mustCode(t, r, 0)
	return mustParse(t, r.Body).get("data")
}

// syeMustDetail is w's session with talker; the test fails unless there is one.
func syeMustDetail(t *testing.T, w syeWho, talker uint64) client.Session {
	t.Helper()
	d, err := w.c.SessionDetail(t.Context(), client.User(talker))
	if err != nil {
		t.Fatalf("session_detail %d of %d: %v", talker, w.Mid, err)
	}
	return *d
}

// syeNoDetail asserts that w has no session with talker: session_detail answers 1000004.
func syeNoDetail(t *testing.T, w syeWho, talker uint64, what string) {
	t.Helper()
	if _, err := w.c.SessionDetail(t.Context(), client.User(talker)); !errors.Is(err, client.ErrNoSession) {
		t.Errorf("%s: session_detail %d of %d: %v, want 1000004", what, talker, w.Mid, err)
	}
}

// syeHistory returns w's messages with talker, newest first.
func syeHistory(t *testing.T, w syeWho, talker uint64) []client.Message {
	t.Helper()
	h, err := w.c.Messages(t.Context(), client.User(talker), client.HistoryOptions{Size: 200})
	if err != nil {
		t.Fatalf("fetch_session_msgs %d of %d: %v", talker, w.Mid, err)
	}
	return h.Messages
}

// syeUnread reads w's single_unread.
func syeUnread(t *testing.T, w syeWho, opt client.UnreadOptions) client.SingleUnread {
	t.Helper()
	c, err := w.c.SingleUnread(t.Context(), opt)
	if err != nil {
		t.Fatalf("single_unread %+v as %d: %v", opt, w.Mid, err)
	}
	return *c
}

// syeN1Up returns N1's up on both URLs, failing the test when they differ.
func syeN1Up(t *testing.T, w syeWho) int64 {
	t.Helper()
	legacy, err := w.c.FeedUnreadLegacy(t.Context())
	syeOK(t, err)
	n, err := w.c.FeedUnread(t.Context())
	syeOK(t, err)
	if legacy.Up != n.Up {
		t.Errorf("N1 up: %d on the old URL, %d on the new one", legacy.Up, n.Up)
	}
	return legacy.Up
}

// syeState is everything w can see of sessions, counts and system histories, as raw
// answers (compared byte for byte, which no typed answer can stand for); reading it
// changes nothing.
func syeState(t *testing.T, w syeWho) string {
	t.Helper()
	s, u := w.s, w.User
	var b strings.Builder
	add := func(what string, r testkit.Raw) {
		fmt.Fprintf(&b, "%s: %d %s\n", what, r.Status, r.Body)
	}
	add("single_unread", s.Get(u, testkit.PathSingleUnread, q("show_dustbin", "1", "show_unfollow_list", "1")))
	add("N1 old", s.Get(u, fdPathUnreadOld, nil))
	add("N1 new", s.Get(u, fdPathUnreadNew, nil))
	for _, cat := range []string{"1", "2", "4", "5", "7", "9"} {
		add("get_sessions "+cat, s.Get(u, testkit.PathGetSessions, q("session_type", cat, "size", "100")))
	}
	add("new_sessions", s.Get(u, testkit.PathNewSessions, q("size", "100")))
	for _, a := range syAccounts {
		add("detail "+a.name, s.Get(u, testkit.PathSessionDetail, q("talker_id", syID(a.mid), "session_type", "1")))
		add("fetch "+a.name, s.Get(u, testkit.PathFetchMsgs, q("talker_id", syID(a.mid), "session_type", "1", "size", "200")))
	}
	return b.String()
}

func syeUnchanged(t *testing.T, what, before, after string) {
	t.Helper()
	if before != after {
		t.Errorf("%s changed what the user sees:\n--- before ---\n%s--- after ---\n%s", what, before, after)
	}
}

// syeAtUIDs is at_uids of the newest message of w's session with talker, as JSON, in
// fetch_session_msgs and as session_detail's last_msg: client.Message.AtUIDs is nil for
// null and for an absent key alike. key is the msg_key the newest message must have.
func syeAtUIDs(t *testing.T, w syeWho, talker, key uint64) (fetched, last json.RawMessage) {
	t.Helper()
	type msg struct {
		MsgKey uint64          `json:"msg_key"`
		AtUIDs json.RawMessage `json:"at_uids"`
	}
	r := w.s.Get(w.User, testkit.PathFetchMsgs, q("talker_id", syID(talker), "session_type", "1", "size", "1"))
	mustCode(t, r, 0)
	var h struct {
		Messages []msg `json:"messages"`
	}
	r.Data(t, &h)
	r2 := w.s.Get(w.User, testkit.PathSessionDetail, q("talker_id", syID(talker), "session_type", "1"))
	mustCode(t, r2, 0)
	var d struct {
		LastMsg *msg `json:"last_msg"`
	}
	r2.Data(t, &d)
	if len(h.Messages) != 1 || h.Messages[0].MsgKey != key || d.LastMsg == nil || d.LastMsg.MsgKey != key {
		t.Fatalf("newest message %d of %d, want msg_key %d:\n%s\n%s", talker, w.Mid, key, r.Body, r2.Body)
	}
	return h.Messages[0].AtUIDs, d.LastMsg.AtUIDs
}

// syeCheckPush checks a pushed message as the receiver sees it (docs/feed.md): a 1:1
// message from the system account, the card compacted as sent; at is its at_uids as JSON.
func syeCheckPush(t *testing.T, where string, m client.Message, at json.RawMessage, p syPushed, owner, talker uint64,
	msgType int, card string, source int, code string, ts int64) {
	t.Helper()
	if m.MsgKey != p.MsgKey || m.MsgSeqno != p.MsgSeqno || p.TalkerID != talker {
		t.Errorf("%s: msg_key %d, msg_seqno %d; the push answered %+v (talker %d)", where, m.MsgKey, m.MsgSeqno, p, talker)
	}
	if m.SenderUID != talker || m.ReceiverType != 1 || m.ReceiverID != owner || m.MsgType != msgType {
		t.Errorf("%s: %d→%d receiver_type %d msg_type %d; want %d→%d, 1, %d", where, m.SenderUID, m.ReceiverID,
			m.ReceiverType, m.MsgType, talker, owner, msgType)
	}
	if want := syCompact(t, card); m.Content != want {
		t.Errorf("%s: content\n got %s\nwant %s (the card compacted as sent)", where, m.Content, want)
	}
	if m.MsgSource != source || m.NotifyCode != code || m.NewFaceVersion != 1 || m.MsgStatus != 0 || string(at) != "null" ||
		m.Timestamp != ts {
		t.Errorf("%s: msg_source %d notify_code %q new_face_version %d msg_status %d at_uids %s timestamp %d; want %d, %q, 1, 0, null, %d",
			where, m.MsgSource, m.NotifyCode, m.NewFaceVersion, m.MsgStatus, at, m.Timestamp, source, code, ts)
	}
}

// syeNow is the fake clock in unix seconds.
func syeNow(s *testkit.Server) int64 { return s.App.FakeClock.Now().Unix() }

// syeStart starts a server with users 5001 (u) and 5002 (other).
func syeStart(t *testing.T) (*testkit.Server, syeWho, syeWho) {
	t.Helper()
	s := testkit.Start(t, testkit.Options{})
	return s, syeNewUser(s, 5001, "u"), syeNewUser(s, 5002, "other")
}

// TestSystemE2EPushRoundTrip: every card type, in its full and degenerate forms, with
// nulls where §10 allows them, exact 64-bit numbers, floats and escapes, pushed by each
// system account, comes back in fetch_session_msgs and as last_msg with the card
// compacted as sent, byte for byte.
func TestSystemE2EPushRoundTrip(t *testing.T) {
	t.Parallel()
	s, u, other := syeStart(t)
	cards := []struct {
		name    string
		msgType int
		card    string
	}{
		{"notification", 10, syCardTraffic},
		{"notification with notifier and biz_content", 10, syCardLive},
		{"notification, minimal", 10, `{"title":"审核通过","text":"你的稿件已通过审核"}`},
		{"notification, nulls", 10, `{"title":"t","text":"x","modules":null,"notifier":null,"biz_content":null}`},
		{"notification, every button", 10, `{ "title" : "t" , "text" : "x",
			"jump_uri_config":{"all_uri":"a","android_uri":"b","iphone_uri":"c","ipad_uri":"d","web_uri":"e","text":"f"},
			"jump_uri_2_config":{"web_uri":"https://www.bilibili.com/","text":"二"},"jump_text_2":"二","jump_uri_2":"u2",
			"jump_uri_3_config":{"text":""},"jump_text_3":"","jump_uri_3":"",
			"notifier":{"avatar_url":"https://i0.hdslb.com/a.jpg","nickname":"n"},"modules":[]}`},
		{"video", 11, syCardVideo},
		{"video, degenerate", 11, `{"rid":170002,"type":11,"attach_msg":{"id":2,"content":"UP主赠言：新视频[doge]"}}`},
		{"video, big and odd numbers", 11, `{"rid":1073543151725051921,"view":1500,"danmaku":-0,"times":12,
			"title":"\u003c精选\u003e \"引号\" \/ \\ 😀","attach_msg":null}`},
		{"article", 12, syCardArticle},
		{"article, degenerate", 12, `{"rid":2,"type":12,"attach_msg":null}`},
		{"article, no images", 12, `{"rid":3,"title":"内容已失效","image_urls":null,"attach_msg":{"id":3,"content":"UP主赠言：嗨"}}`},
		{"picture", 13, syCardPicture},
		{"works", 16, syCardWorks},
		{"works, no cards", 16, `{"main_title":"更多宝藏内容","reply_content":"","sub_cards":[]}`},
	}
	for i, c := range cards {
		a := syAccounts[i%len(syAccounts)]
		source, code, extra := 6, "", ""
		switch i % 3 {
		case 1:
			source, extra = 5, `,"msg_source":5`
		case 2:
			code, extra = "2091_253", `,"msg_source":6,"notify_code":"2091_253"`
		}
		s.Advance(time.Second)
		// Pushed raw (syPush): the card must come back byte for byte as written, and
		// operator.Push would re-encode it (the & in syCardTraffic's URLs as \u0026).
		p := syPush(t, s, u.Mid, a.typ, c.msgType, c.card, extra)
		h := syeHistory(t, u, a.mid)
		if len(h) == 0 {
			t.Fatalf("%s: no message in the session with %s", c.name, a.name)
		}
		d := syeMustDetail(t, u, a.mid)
		if d.LastMsg == nil {
			t.Fatalf("%s: no last_msg", c.name)
		}
		atFetched, atLast := syeAtUIDs(t, u, a.mid, p.MsgKey)
		syeCheckPush(t, c.name, h[0], atFetched, p, u.Mid, a.mid, c.msgType, c.card, source, code, syeNow(s))
		syeCheckPush(t, c.name+" (last_msg)", *d.LastMsg, atLast, p, u.Mid, a.mid, c.msgType, c.card, source, code, syeNow(s))
		if d.MaxSeqno != p.MsgSeqno || d.SessionTs/1e6 != syeNow(s) {
			t.Errorf("%s: max_seqno %d, session_ts %d: the push's seqno and time", c.name, d.MaxSeqno, d.SessionTs)
		}
	}
	// Every account's history holds its pushes only, newest first, seqnos increasing.
	total := 0
	for i, a := range syAccounts {
		h := syeHistory(t, u, a.mid)
		var want []int
		for j := i; j < len(cards); j += len(syAccounts) {
			want = append([]int{cards[j].msgType}, want...)
		}
		var got []int
		for k, m := range h {
			got = append(got, m.MsgType)
			if k > 0 && m.MsgSeqno >= h[k-1].MsgSeqno {
				t.Errorf("%s: history not newest first", a.name)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: msg_types %v, want %v", a.name, got, want)
		}
		total += len(h)
	}
	if total != len(cards) {
		t.Errorf("%d messages in the system sessions, want %d", total, len(cards))
	}
	// The other user got nothing: no sessions, and (a fact of the JSON) no system_msg.
	if l := syeList(t, other, client.SessionsOptions{Category: client.CategoryAll}); len(l.Sessions) != 0 {
		t.Errorf("pushes to %d leak to %d: %v", u.Mid, other.Mid, syeTalkers(l))
	}
	if syeListJSON(t, other, client.CategoryAll).has("system_msg") {
		t.Errorf("pushes to %d leak to %d: system_msg", u.Mid, other.Mid)
	}
	if c := syeUnread(t, other, client.UnreadOptions{}); c.BizMsgFollowUnread != 0 {
		t.Errorf("the other user's biz_msg_follow_unread %d", c.BizMsgFollowUnread)
	}
}

// syeBad is a push the operator API must refuse with a 400 naming field.
type syeBad struct {
	name         string
	sysType, typ int
	card, extra  string
	field        string
}

var syeBadPushes = []syeBad{
	// 10: notification.
	{"10 without title", 7, 10, `{"text":"x"}`, "", "title"},
	{"10 without text", 7, 10, `{"title":"t"}`, "", "text"},
	{"10 title a number", 7, 10, `{"title":1,"text":"x"}`, "", "title"},
	{"10 title null", 7, 10, `{"title":null,"text":"x"}`, "", "title"},
	{"10 jump_text a bool", 7, 10, `{"title":"t","text":"x","jump_text":true}`, "", "jump_text"},
	{"10 unknown field", 7, 10, `{"title":"t","text":"x","titel":"t"}`, "", "titel"},
	{"10 modules an object", 7, 10, `{"title":"t","text":"x","modules":{"title":"a","detail":"b"}}`, "", "modules"},
	{"10 modules item without detail", 7, 10, `{"title":"t","text":"x","modules":[{"title":"a"}]}`, "", "detail"},
	{"10 modules item detail a number", 7, 10, `{"title":"t","text":"x","modules":[{"title":"a","detail":"b"},{"title":"a","detail":2}]}`, "", "detail"},
	{"10 modules item unknown field", 7, 10, `{"title":"t","text":"x","modules":[{"title":"a","detail":"b","url":"u"}]}`, "", "url"},
	{"10 modules item null", 7, 10, `{"title":"t","text":"x","modules":[null]}`, "", "modules"},
	{"10 modules item a string", 7, 10, `{"title":"t","text":"x","modules":["a"]}`, "", "modules"},
	{"10 notifier without nickname", 7, 10, `{"title":"t","text":"x","notifier":{"avatar_url":"a"}}`, "", "nickname"},
	{"10 notifier without avatar_url", 7, 10, `{"title":"t","text":"x","notifier":{"nickname":"n"}}`, "", "avatar_url"},
	{"10 notifier jump_url a number", 7, 10, `{"title":"t","text":"x","notifier":{"avatar_url":"a","nickname":"n","jump_url":1}}`, "", "jump_url"},
	{"10 notifier unknown field", 7, 10, `{"title":"t","text":"x","notifier":{"avatar_url":"a","nickname":"n","mid":1}}`, "", "mid"},
	{"10 notifier a string", 7, 10, `{"title":"t","text":"x","notifier":"n"}`, "", "notifier"},
	{"10 jump_uri_config without text", 7, 10, `{"title":"t","text":"x","jump_uri_config":{"all_uri":"u"}}`, "", "text"},
	{"10 jump_uri_config null", 7, 10, `{"title":"t","text":"x","jump_uri_config":null}`, "", "jump_uri_config"},
	{"10 jump_uri_2_config unknown key", 7, 10, `{"title":"t","text":"x","jump_uri_2_config":{"uri":"u","text":""}}`, "", "uri"},
	{"10 jump_uri_3_config web_uri a number", 7, 10, `{"title":"t","text":"x","jump_uri_3_config":{"web_uri":1,"text":""}}`, "", "web_uri"},
	{"10 biz_content without biz_status", 7, 10, `{"title":"t","text":"x","biz_content":{"cover":"","backup_cover":"","refresh_type":1,"biz_type":2,"biz_id1":"1","biz_id2":"2"}}`, "", "biz_status"},
	{"10 biz_content refresh_type a string", 7, 10, `{"title":"t","text":"x","biz_content":{"cover":"","backup_cover":"","refresh_type":"1","biz_type":2,"biz_id1":"1","biz_id2":"2","biz_status":0}}`, "", "refresh_type"},
	{"10 biz_content biz_id1 a number", 7, 10, `{"title":"t","text":"x","biz_content":{"cover":"","backup_cover":"","refresh_type":1,"biz_type":2,"biz_id1":1,"biz_id2":"2","biz_status":0}}`, "", "biz_id1"},
	{"10 biz_content unknown field", 7, 10, `{"title":"t","text":"x","biz_content":{"cover":"","backup_cover":"","refresh_type":1,"biz_type":2,"biz_id1":"1","biz_id2":"2","biz_status":0,"biz_id3":"3"}}`, "", "biz_id3"},
	// 11: video push.
	{"11 without rid", 1, 11, `{"title":"t","attach_msg":null}`, "", "rid"},
	{"11 rid a string", 1, 11, `{"rid":"170001"}`, "", "rid"},
	{"11 rid a bool", 1, 11, `{"rid":true}`, "", "rid"},
	{"11 rid null", 1, 11, `{"rid":null}`, "", "rid"},
	{"11 view a string", 1, 11, `{"rid":1,"view":"12万"}`, "", "view"},
	{"11 type_ an object", 1, 11, `{"rid":1,"type_":{}}`, "", "type_"},
	{"11 unknown field", 1, 11, `{"rid":1,"aid":1}`, "", "aid"},
	{"11 attach_msg without content", 1, 11, `{"rid":1,"attach_msg":{"id":1}}`, "", "content"},
	{"11 attach_msg without id", 1, 11, `{"rid":1,"attach_msg":{"content":"c"}}`, "", "id"},
	{"11 attach_msg id a string", 1, 11, `{"rid":1,"attach_msg":{"id":"1","content":"c"}}`, "", "id"},
	{"11 attach_msg unknown field", 1, 11, `{"rid":1,"attach_msg":{"id":1,"content":"c","mid":2}}`, "", "mid"},
	{"11 attach_msg an array", 1, 11, `{"rid":1,"attach_msg":[]}`, "", "attach_msg"},
	// 12: article push.
	{"12 without rid", 8, 12, `{"title":"t"}`, "", "rid"},
	{"12 image_urls a string", 8, 12, `{"rid":1,"image_urls":"https://i0.hdslb.com/a.jpg"}`, "", "image_urls"},
	{"12 image_urls item a number", 8, 12, `{"rid":1,"image_urls":["https://i0.hdslb.com/a.jpg",1]}`, "", "image_urls"},
	{"12 image_urls item null", 8, 12, `{"rid":1,"image_urls":[null]}`, "", "image_urls"},
	{"12 like a string", 8, 12, `{"rid":1,"like":"1"}`, "", "like"},
	{"12 attach_msg content a number", 8, 12, `{"rid":1,"attach_msg":{"id":1,"content":1}}`, "", "content"},
	{"12 unknown field", 8, 12, `{"rid":1,"cover":"c"}`, "", "cover"},
	// 13: picture card.
	{"13 without pic_url", 9, 13, `{"jump_url":"j","title":"t"}`, "", "pic_url"},
	{"13 without jump_url", 9, 13, `{"pic_url":"p","title":"t"}`, "", "jump_url"},
	{"13 without title", 9, 13, `{"pic_url":"p","jump_url":"j"}`, "", "title"},
	{"13 title a number", 9, 13, `{"pic_url":"p","jump_url":"j","title":13}`, "", "title"},
	{"13 pic_url null", 9, 13, `{"pic_url":null,"jump_url":"j","title":"t"}`, "", "pic_url"},
	{"13 unknown field", 9, 13, `{"pic_url":"p","jump_url":"j","title":"t","desc":"d"}`, "", "desc"},
	// 16: works card.
	{"16 without sub_cards", 7, 16, `{"main_title":"m","reply_content":"r"}`, "", "sub_cards"},
	{"16 without reply_content", 7, 16, `{"main_title":"m","sub_cards":[]}`, "", "reply_content"},
	{"16 main_title a number", 7, 16, `{"main_title":1,"reply_content":"r","sub_cards":[]}`, "", "main_title"},
	{"16 sub_cards null", 7, 16, `{"main_title":"m","reply_content":"r","sub_cards":null}`, "", "sub_cards"},
	{"16 sub_cards an object", 7, 16, `{"main_title":"m","reply_content":"r","sub_cards":{}}`, "", "sub_cards"},
	{"16 sub_cards item without icon4", 7, 16, `{"main_title":"m","reply_content":"r","sub_cards":[{"card_id":1,"card_type":1,"jump_url":"j","cover_url":"c","field1":"1","field2":"2","field3":"3","icon3":1,"field4":"4"}]}`, "", "icon4"},
	{"16 sub_cards item field3 a number", 7, 16, `{"main_title":"m","reply_content":"r","sub_cards":[{"card_id":1,"card_type":1,"jump_url":"j","cover_url":"c","field1":"1","field2":"2","field3":3,"icon3":1,"field4":"4","icon4":3}]}`, "", "field3"},
	{"16 sub_cards item card_id a string", 7, 16, `{"main_title":"m","reply_content":"r","sub_cards":[{"card_id":"1","card_type":1,"jump_url":"j","cover_url":"c","field1":"1","field2":"2","field3":"3","icon3":1,"field4":"4","icon4":3}]}`, "", "card_id"},
	{"16 sub_cards item unknown field", 7, 16, `{"main_title":"m","reply_content":"r","sub_cards":[{"card_id":1,"card_type":1,"jump_url":"j","cover_url":"c","field1":"1","field2":"2","field3":"3","icon3":1,"field4":"4","icon4":3,"field5":"5"}]}`, "", "field5"},
	{"16 sub_cards item null", 7, 16, `{"main_title":"m","reply_content":"r","sub_cards":[null]}`, "", "sub_cards"},
	// The card and the request around it.
	{"content an array", 7, 10, `[]`, "", "content"},
	{"content a JSON string", 7, 13, `"{\"pic_url\":\"p\",\"jump_url\":\"j\",\"title\":\"t\"}"`, "", "content"},
	{"content null", 7, 13, `null`, "", "content"},
	{"another type's card", 7, 10, syCardPicture, "", "content"},
	{"system_msg_type 5", 5, 13, syCardPicture, "", "system_msg_type"},
	{"system_msg_type 0", 0, 13, syCardPicture, "", "system_msg_type"},
	{"msg_type 1", 7, 1, `{"content":"你好"}`, "", "msg_type"},
	{"msg_type 14", 7, 14, `{"author":"a","cover":"c","desc":"d","source":"直播","title":"t","url":"u"}`, "", "msg_type"},
	{"msg_source 7", 7, 13, syCardPicture, `,"msg_source":7`, "msg_source"},
	{"msg_source 18", 7, 13, syCardPicture, `,"msg_source":18`, "msg_source"},
	{"notify_code not <main>_<sub>", 7, 13, syCardPicture, `,"notify_code":"abc"`, "notify_code"},
}

// TestSystemE2EMalformedPushes: each malformed push is a 400 naming the field and stores
// nothing: for a user without system sessions they stay absent, for a user with all
// four nothing they see changes (counters, lists, histories, N1).
func TestSystemE2EMalformedPushes(t *testing.T) {
	t.Parallel()
	s, fresh, busy := syeStart(t)
	op := s.Operator()
	s.Advance(time.Second)
	for _, a := range syAccounts {
		syePush(t, s, busy.Mid, a.typ, 13, syCardPicture)
	}
	s.Advance(time.Second)
	freshBefore, busyBefore := syeState(t, fresh), syeState(t, busy)
	// Sent raw: each card must reach the server exactly as written (operator.Push
	// re-encodes it), and the answer must be {"error": …} (*operator.Error carries the
	// answer's text whether or not it is that JSON).
	for _, c := range syeBadPushes {
		for _, u := range []syeWho{fresh, busy} {
			st, body := syAdmin(t, s, "POST", syPushPath(u.Mid), syPushBody(c.sysType, c.typ, c.card, c.extra))
			var e struct {
				Error string `json:"error"`
			}
			if err := json.Unmarshal(body, &e); st != 400 || err != nil || e.Error == "" {
				t.Errorf("%s: status %d %s; want 400 {\"error\": …}", c.name, st, body)
				continue
			}
			if !strings.Contains(e.Error, c.field) {
				t.Errorf("%s: error %q does not name %s", c.name, e.Error, c.field)
			}
		}
	}
	// The request itself: no content, an unknown top-level field, not JSON — requests
	// the operator client cannot send, so raw.
	for name, body := range map[string]string{
		"no content":           `{"system_msg_type":7,"msg_type":13}`,
		"unknown field":        `{"system_msg_type":7,"msg_type":13,"content":` + syCardPicture + `,"talker_id":844424930131966}`,
		"trailing data":        syPushBody(7, 13, syCardPicture, "") + `{}`,
		"not JSON":             `system_msg_type=7`,
		"content not closed":   `{"system_msg_type":7,"msg_type":13,"content":{"pic_url":"p"`,
		"system_msg_type text": `{"system_msg_type":"7","msg_type":13,"content":` + syCardPicture + `}`,
	} {
		if st, b := syAdmin(t, s, "POST", syPushPath(busy.Mid), body); st != 400 {
			t.Errorf("%s: status %d %s, want 400", name, st, b)
		}
	}
	syeUnchanged(t, "malformed pushes", freshBefore, syeState(t, fresh))
	syeUnchanged(t, "malformed pushes", busyBefore, syeState(t, busy))
	for _, a := range syAccounts {
		syeNoDetail(t, fresh, a.mid, "session_detail of "+a.name+" for a user without pushes")
	}
	// session_list null and no system_msg: facts of the JSON.
	if l := syeListJSON(t, fresh, client.CategorySystem); l.get("session_list") == nil ||
		l.get("session_list").kind != 'z' || l.has("system_msg") {
		t.Errorf("refused pushes left system sessions: %v", syeCat(t, fresh, client.CategorySystem))
	}

	// Unknown users: 404, and nothing stored anywhere; a system account is no user.
	picture := operator.Push{SystemMsgType: 7, MsgType: 13, Content: json.RawMessage(syCardPicture)}
	for _, mid := range []uint64{999999, syUp, syPay} {
		if _, err := op.Push(t.Context(), mid, picture); !operator.IsStatus(err, 404) {
			t.Errorf("push to %d: %v, want 404", mid, err)
		}
	}
	if _, err := op.Push(t.Context(), 0, picture); !operator.IsStatus(err, 400) {
		t.Errorf("POST /admin/v1/users/0/pushes: %v, want 400", err)
	}
	// A mid that is not a number: a path the operator client cannot form.
	if st, b := syAdmin(t, s, "POST", "/admin/v1/users/abc/pushes", syPushBody(7, 13, syCardPicture, "")); st != 400 {
		t.Errorf("POST /admin/v1/users/abc/pushes: status %d %s, want 400", st, b)
	}
	syeUnchanged(t, "pushes to unknown users", freshBefore, syeState(t, fresh))
	syeUnchanged(t, "pushes to unknown users", busyBefore, syeState(t, busy))

	// Well-formed again: accepted (the refusals did not break anything).
	syePush(t, s, fresh.Mid, 7, 13, syCardPicture)
	if d := syeMustDetail(t, fresh, syUp); d.UnreadCount != 1 || d.SystemMsgType != 7 {
		t.Errorf("after the refusals a good push arrives: unread %d, system_msg_type %d", d.UnreadCount, d.SystemMsgType)
	}
}

// TestSystemE2ESessionObject: a system session as docs/feed.md describes it, for each
// account: system_msg_type, account_info, is_follow 1, can_fold 0, unread pushes as
// unread_count, biz_msg_unread_count and new_push_msg.
func TestSystemE2ESessionObject(t *testing.T) {
	t.Parallel()
	s, u, _ := syeStart(t)
	for i, a := range syAccounts {
		for range i + 1 {
			s.Advance(time.Second)
			syePush(t, s, u.Mid, a.typ, 13, syCardPicture)
		}
	}
	for i, a := range syAccounts {
		d := syeMustDetail(t, u, a.mid)
		if d.TalkerID != a.mid || d.SessionType != client.SessionUser || d.SystemMsgType != a.typ || d.AccountInfo == nil ||
			d.AccountInfo.Name != a.name || d.AccountInfo.PicURL == "" {
			t.Errorf("%s: talker %d type %d system_msg_type %d account_info %+v", a.name, d.TalkerID, d.SessionType,
				d.SystemMsgType, d.AccountInfo)
		}
		if a.typ == 7 && d.AccountInfo != nil && d.AccountInfo.PicURL != syUpPic {
			t.Errorf("UP主小助手's pic_url %q, want the catalog's", d.AccountInfo.PicURL)
		}
		n := int64(i + 1)
		if d.IsFollow != 1 || d.CanFold != 0 || d.UnreadCount != n || d.BizMsgUnreadCount != int(n) || d.NewPushMsg != 1 ||
			d.AckSeqno != 0 || d.IsIntercept != 0 {
			t.Errorf("%s: is_follow %d can_fold %d unread %d biz %d new_push_msg %d ack_seqno %d; want 1, 0, %d, %d, 1, 0",
				a.name, d.IsFollow, d.CanFold, d.UnreadCount, d.BizMsgUnreadCount, d.NewPushMsg, d.AckSeqno, n, n)
		}
	}
	// The same objects in the lists as in session_detail.
	for _, x := range syeList(t, u, client.SessionsOptions{Category: client.CategorySystem}).Sessions {
		d := syeMustDetail(t, u, x.TalkerID)
		if !reflect.DeepEqual(x, d) {
			t.Errorf("%d: get_sessions and session_detail differ:\n%+v\n%+v", x.TalkerID, x, d)
		}
	}
	// Pinned accounts' icons: all distinct.
	pics := map[string]bool{}
	for _, a := range syAccounts {
		pics[syeMustDetail(t, u, a.mid).AccountInfo.PicURL] = true
	}
	if len(pics) != len(syAccounts) {
		t.Errorf("the accounts share avatars: %v", pics)
	}
}

// TestSystemE2EAck: update_ack on a system session clears its unread pushes, with
// new_push_msg, biz_msg_unread_count, single_unread's biz_msg_follow_unread and N1's up;
// a partial ack leaves the later pushes unread; fetching acks nothing.
func TestSystemE2EAck(t *testing.T) {
	t.Parallel()
	s, u, _ := syeStart(t)
	ctx := t.Context()
	var ups []*operator.Pushed
	for _, c := range []struct {
		msgType int
		card    string
	}{{10, syCardTraffic}, {11, syCardVideo}, {12, syCardArticle}} {
		s.Advance(time.Second)
		ups = append(ups, syePush(t, s, u.Mid, 7, c.msgType, c.card))
	}
	s.Advance(time.Second)
	syePush(t, s, u.Mid, 9, 13, syCardPicture)
	check := func(step string, up, all int64, ack uint64) {
		t.Helper()
		d := syeMustDetail(t, u, syUp)
		if d.UnreadCount != up || int64(d.BizMsgUnreadCount) != up || d.NewPushMsg != int(b01(up > 0)) || d.AckSeqno != ack {
			t.Errorf("%s: UP主小助手 unread %d biz %d new_push_msg %d ack_seqno %d; want %d, %d, %d, %d", step,
				d.UnreadCount, d.BizMsgUnreadCount, d.NewPushMsg, d.AckSeqno, up, up, b01(up > 0), ack)
		}
		if c := syeUnread(t, u, client.UnreadOptions{}); c.BizMsgFollowUnread != all || c.FollowUnread != 0 || c.UnfollowUnread != 0 {
			t.Errorf("%s: single_unread %+v; want biz_msg_follow_unread %d, nothing else", step, c, all)
		}
		if got := syeN1Up(t, u); got != up {
			t.Errorf("%s: N1 up %d, want %d", step, got, up)
		}
	}
	check("four pushes", 3, 4, 0)
	syeHistory(t, u, syUp)
	check("fetching marks nothing read", 3, 4, 0)

	s.Advance(time.Second)
	syeOK(t, u.c.Ack(ctx, client.User(syUp), ups[1].MsgSeqno))
	check("acked up to the second push", 1, 2, ups[1].MsgSeqno)
	if d := syeMustDetail(t, u, syUp); d.AckTs != s.App.FakeClock.Now().UnixMicro() {
		t.Errorf("ack_ts %d: the ack's time in µs", d.AckTs)
	}
	syeOK(t, u.c.Ack(ctx, client.User(syUp), ups[0].MsgSeqno))
	check("acking backwards is a no-op", 1, 2, ups[1].MsgSeqno)
	syeOK(t, u.c.Ack(ctx, client.User(syUp), 0))
	check("acked to the latest", 0, 1, ups[2].MsgSeqno)

	s.Advance(time.Second)
	p := syePush(t, s, u.Mid, 7, 13, syCardPicture)
	check("a new push is unread again", 1, 2, ups[2].MsgSeqno)
	syeOK(t, u.c.Ack(ctx, client.User(syUp), p.MsgSeqno+1000))
	check("an ack beyond max_seqno clamps", 0, 1, p.MsgSeqno)
	syeOK(t, u.c.Ack(ctx, client.User(syPay), 0))
	check("支付小助手 acked", 0, 0, p.MsgSeqno)
	if d := syeMustDetail(t, u, syPay); d.UnreadCount != 0 || d.NewPushMsg != 0 || d.BizMsgUnreadCount != 0 {
		t.Errorf("支付小助手 after ack: %+v", d)
	}

	// Acking a system account one never got a push from: code 0, nothing appears.
	before := syeState(t, u)
	syeOK(t, u.c.Ack(ctx, client.User(syService), 0))
	syeUnchanged(t, "ack of a session that does not exist", before, syeState(t, u))
}

// TestSystemE2ECategories: get_sessions category 7 lists only system sessions; 1, 4 and
// 9 include them; 2, 3, 5, 6 and 8 never; system_msg is in every get_sessions answer of a
// user with system sessions and in none of a user without; new_sessions lists them
// without system_msg.
func TestSystemE2ECategories(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	u, followed, stranger := syeNewUser(s, 5001, "u"), syeNewUser(s, 5002, "followed"), syeNewUser(s, 5003, "stranger")
	s.Follow(u.Mid, followed.Mid, true)
	s.Advance(time.Second)
	syeSend(t, followed, u.Mid, "你好")
	s.Advance(time.Second)
	syePush(t, s, u.Mid, 8, 10, syCardTraffic) // 客服消息
	s.Advance(time.Second)
	syeSend(t, stranger, u.Mid, "在吗")
	s.Advance(time.Second)
	syePush(t, s, u.Mid, 1, 10, syCardLive) // 主播小助手
	s.Advance(time.Second)
	syePush(t, s, u.Mid, 9, 13, syCardPicture) // 支付小助手
	s.Advance(time.Second)
	syePush(t, s, u.Mid, 7, 16, syCardWorks) // UP主小助手
	s.Advance(time.Second)
	syeSend(t, stranger, followed.Mid, "你好") // followed's only session: with stranger

	systems := []uint64{syUp, syPay, syAnchor, syService} // newest first
	wantSM := map[string]uint64{"1": syAnchor, "7": syUp, "8": syService, "9": syPay}
	for _, c := range []struct {
		opt   client.SessionsOptions
		extra string // the options besides the category, for the messages
		want  []uint64
	}{
		{client.SessionsOptions{Category: 1}, "", []uint64{syUp, syPay, syAnchor, stranger.Mid, syService, followed.Mid}},
		{client.SessionsOptions{Category: 1, UnfollowFold: new(true)}, "unfollow_fold=1", []uint64{syUp, syPay, syAnchor, syService, followed.Mid}},
		{client.SessionsOptions{Category: 2}, "", []uint64{stranger.Mid}},
		{client.SessionsOptions{Category: 3}, "", nil},
		{client.SessionsOptions{Category: 4}, "", []uint64{syUp, syPay, syAnchor, stranger.Mid, syService, followed.Mid}},
		{client.SessionsOptions{Category: 5}, "", nil},
		{client.SessionsOptions{Category: 6}, "", nil},
		{client.SessionsOptions{Category: 7}, "", systems},
		{client.SessionsOptions{Category: 7, SortRule: 3}, "sort_rule=3", systems},
		{client.SessionsOptions{Category: 8}, "", []uint64{stranger.Mid}},
		{client.SessionsOptions{Category: 9}, "", []uint64{syUp, syPay, syAnchor, syService, followed.Mid}},
	} {
		cat := c.opt.Category
		l := syeList(t, u, c.opt)
		if got := syeTalkers(l); !slices.Equal(got, c.want) {
			t.Errorf("category %d %s: talkers %v, want %v", cat, c.extra, got, c.want)
		}
		if !maps.Equal(l.SystemMsg, wantSM) {
			t.Errorf("category %d: system_msg %v, want %v", cat, l.SystemMsg, wantSM)
		}
		for _, x := range l.Sessions {
			if _, sys := syAccountOf(x.TalkerID); sys != (x.SystemMsgType != 0) || sys != (x.AccountInfo != nil) {
				t.Errorf("category %d: %d has system_msg_type %d, account_info %v", cat, x.TalkerID, x.SystemMsgType, x.AccountInfo)
			}
		}
	}
	// A user without system sessions: no system_msg anywhere (a fact of the JSON).
	for cat := 1; cat <= 9; cat++ {
		if l := syeListJSON(t, followed, cat); l.has("system_msg") {
			t.Errorf("category %d of a user without system sessions: system_msg %v", cat, l.get("system_msg"))
		}
	}
	// new_sessions: system sessions included, never system_msg. Raw: the request has no
	// parameters at all (the client always sends begin_ts), and system_msg must be absent
	// from the JSON.
	r := s.Get(u.User, testkit.PathNewSessions, nil)
	mustCode(t, r, 0)
	var n client.SessionPage
	r.Data(t, &n)
	if got := syeTalkers(&n); !slices.Equal(got, []uint64{syUp, syPay, syAnchor, stranger.Mid, syService, followed.Mid}) {
		t.Errorf("new_sessions: talkers %v", got)
	}
	if d := mustParse(t, r.Body).get("data"); d.has("system_msg") {
		t.Errorf("new_sessions has system_msg")
	}
	if got := syeTalkers(syeNew(t, u, epochUs(4500*time.Millisecond))); !slices.Equal(got, []uint64{syUp, syPay}) {
		t.Errorf("new_sessions after Epoch+5s: talkers %v, want UP主小助手, 支付小助手", got)
	}

	// Paging category 7 with size and end_ts / begin_ts (µs).
	p1 := syeList(t, u, client.SessionsOptions{Category: 7, Size: 3})
	if got := syeTalkers(p1); !slices.Equal(got, systems[:3]) || p1.HasMore != 1 {
		t.Errorf("category 7 size 3: %v has_more %d", got, p1.HasMore)
	} else {
		p2 := syeList(t, u, client.SessionsOptions{Category: 7, Size: 3, EndTs: p1.Sessions[2].SessionTs})
		if got := syeTalkers(p2); !slices.Equal(got, systems[3:]) || p2.HasMore != 0 {
			t.Errorf("category 7 second page: %v has_more %d", got, p2.HasMore)
		}
	}
	after := syeList(t, u, client.SessionsOptions{Category: 7, BeginTs: epochUs(4500 * time.Millisecond)})
	if got := syeTalkers(after); !slices.Equal(got, systems[:2]) {
		t.Errorf("category 7 after Epoch+5s: %v", got)
	}

	// Intercepting the stranger moves them to 5; the system sessions stay where they were.
	syeOK(t, u.c.SetIntercept(t.Context(), stranger.Mid, true))
	if got := syeCat(t, u, 5); !slices.Equal(got, []uint64{stranger.Mid}) {
		t.Errorf("category 5: %v, want the stranger only", got)
	}
	if got := syeCat(t, u, 7); !slices.Equal(got, systems) {
		t.Errorf("category 7 after intercepting a user: %v", got)
	}
	// Following and unfollowing people changes nothing for system sessions.
	s.Follow(u.Mid, followed.Mid, false)
	if got := syeCat(t, u, 9); !slices.Equal(got, systems) {
		t.Errorf("category 9 after unfollowing: %v, want the system sessions", got)
	}
	if got := syeCat(t, u, 2); !slices.Equal(got, []uint64{followed.Mid}) {
		t.Errorf("category 2 after unfollowing: %v", got)
	}
}

// TestSystemE2EUnreadTypes: single_unread puts system pushes in biz_msg_follow_unread,
// never follow_unread; unread_type 1 keeps them, 2 and 3 zero them (catalog §9 item 51);
// the push-message and customer-service counters stay 0.
func TestSystemE2EUnreadTypes(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	u, followed := syeNewUser(s, 5001, "u"), syeNewUser(s, 5002, "f")
	stranger, spammer := syeNewUser(s, 5003, "s"), syeNewUser(s, 5004, "x")
	s.Follow(u.Mid, followed.Mid, true)
	syeSend(t, followed, u.Mid, "1")
	syeSend(t, stranger, u.Mid, "2")
	syeSend(t, spammer, u.Mid, "3")
	syeOK(t, u.c.SetIntercept(t.Context(), spammer.Mid, true))
	syePush(t, s, u.Mid, 7, 10, syCardTraffic)
	syePush(t, s, u.Mid, 1, 10, syCardLive)
	syePush(t, s, u.Mid, 8, 13, syCardPicture)
	for _, c := range []struct {
		opt client.UnreadOptions
		// raw, when set, is sent as it is instead of opt: unread_type=0 given explicitly,
		// which the client leaves out.
		raw  url.Values
		want [3]int64 // follow, unfollow, dustbin, with biz_msg_follow_unread below (客服消息's push is custom_unread)
		biz  int64
	}{
		{client.UnreadOptions{}, nil, [3]int64{1, 1, 0}, 2},
		{client.UnreadOptions{ShowDustbin: true}, nil, [3]int64{1, 1, 1}, 2},
		{client.UnreadOptions{}, q("unread_type", "0", "show_dustbin", "1", "show_unfollow_list", "1"), [3]int64{1, 1, 1}, 2},
		{client.UnreadOptions{UnreadType: 1}, nil, [3]int64{1, 0, 0}, 2},
		{client.UnreadOptions{UnreadType: 2}, nil, [3]int64{0, 1, 0}, 0},
		{client.UnreadOptions{UnreadType: 3, ShowDustbin: true}, nil, [3]int64{0, 0, 1}, 0},
		{client.UnreadOptions{UnreadType: 3}, nil, [3]int64{0, 0, 0}, 0},
	} {
		var m client.SingleUnread
		where := fmt.Sprintf("%+v", c.opt)
		if c.raw != nil {
			r := s.Get(u.User, testkit.PathSingleUnread, c.raw)
			mustCode(t, r, 0)
			r.Data(t, &m)
			where = c.raw.Encode()
		} else {
			m = syeUnread(t, u, c.opt)
		}
		got := [3]int64{m.FollowUnread, m.UnfollowUnread, m.DustbinUnread}
		if got != c.want || m.BizMsgFollowUnread != c.biz {
			t.Errorf("%s: follow/unfollow/dustbin %v biz %d; want %v, %d", where, got, m.BizMsgFollowUnread, c.want, c.biz)
		}
		for k, v := range map[string]int64{"unfollow_push_msg": m.UnfollowPushMsg, "dustbin_push_msg": m.DustbinPushMsg,
			"biz_msg_unfollow_unread": m.BizMsgUnfollowUnread} {
			if v != 0 {
				t.Errorf("%s: %s = %d, want 0", where, k, v)
			}
		}
	}
}

// TestSystemE2ESendRefused: send_msg to a system account — text, image, recall of a push —
// answers 25003 with data null (x family) and changes nothing; a push cannot be recalled
// through another conversation either.
func TestSystemE2ESendRefused(t *testing.T) {
	t.Parallel()
	s, u, other := syeStart(t)
	p := syePush(t, s, u.Mid, 7, 10, syCardTraffic)
	s.Advance(time.Second)
	syeSend(t, other, u.Mid, "你好")
	s.Advance(time.Second)
	before, otherBefore := syeState(t, u), syeState(t, other)
	// Sent raw: the refusal's envelope is checked key for key with data null, which a
	// *client.Error does not show, and one form leaves out new_face_version, which the
	// client always sends.
	img := `{"url":"https://i0.hdslb.com/bfs/im/a0b1c2d3e4f5.png","height":300,"width":400,"imageType":"png","original":1,"size":55.443}`
	for _, a := range syAccounts {
		for name, form := range map[string]url.Values{
			"text":   testkit.SendForm(u.Mid, a.mid, 1, testkit.Text("你好")),
			"image":  testkit.SendForm(u.Mid, a.mid, 2, img),
			"recall": testkit.SendForm(u.Mid, a.mid, 5, syID(p.MsgKey)),
			"old emoji text": func() url.Values {
				f := testkit.SendForm(u.Mid, a.mid, 1, testkit.Text("[doge]"))
				f.Del("msg[new_face_version]")
				return f
			}(),
		} {
			for _, who := range []syeWho{u, other} {
				f := url.Values{}
				for k, v := range form {
					f[k] = slices.Clone(v)
				}
				f.Set("msg[sender_uid]", syID(who.Mid))
				r := s.Post(who.User, testkit.PathSendMsg, f)
				where := fmt.Sprintf("%s to %s as %d", name, a.name, who.Mid)
				if r.Status != 200 {
					t.Errorf("%s: HTTP %d", where, r.Status)
				}
				root := mustParse(t, r.Body)
				if !wantKeys(t, where, root, envelopeX) {
					continue
				}
				if num(t, root.get("code")) != 25003 || root.get("message").str != "因对方隐私设置，暂无法给他发送聊天消息" ||
					root.get("data").kind != 'z' || num(t, root.get("ttl")) != 1 {
					t.Errorf("%s: %s; want 25003 因对方隐私设置，暂无法给他发送聊天消息 with data null", where, r.Body)
				}
			}
		}
	}
	// Recalling the push through another conversation: refused, the push untouched.
	var e *client.Error
	if _, err := u.c.Recall(t.Context(), client.User(other.Mid), p.MsgKey); !errors.As(err, &e) {
		t.Errorf("recall of a push through another session: %v, want a refusal", err)
	}
	s.Advance(time.Second)
	syeUnchanged(t, "refused sends", before, syeState(t, u))
	syeUnchanged(t, "refused sends", otherBefore, syeState(t, other))
	if h := syeHistory(t, u, syUp); len(h) != 1 || h[0].MsgStatus != 0 || h[0].MsgKey != p.MsgKey {
		t.Errorf("the push is untouched: %+v", h)
	}
	// The refusals did not count against the sender's rate limits or the one-message rule.
	syeSend(t, u, other.Mid, "还能发")
}

// TestSystemE2ESessionOps: remove_session, set_top, set_msg_dnd (with get_msg_dnd) and
// set_push_ss work on system sessions as on user sessions; settings made before the first
// push stay; system sessions never go to the dustbin (category 5).
func TestSystemE2ESessionOps(t *testing.T) {
	t.Parallel()
	s, u, other := syeStart(t)
	ctx := t.Context()
	up := client.User(syUp)
	syeSend(t, other, u.Mid, "你好")
	s.Advance(time.Second)
	first := syePush(t, s, u.Mid, 7, 10, syCardTraffic)
	s.Advance(time.Second)

	// set_top: top_ts in µs, 0 when unpinned.
	syeOK(t, u.c.SetTop(ctx, up, true))
	if d := syeMustDetail(t, u, syUp); d.TopTs/1e6 != syeNow(s) {
		t.Errorf("set_top: top_ts %d", d.TopTs)
	}
	syeOK(t, u.c.SetTop(ctx, up, false))
	if d := syeMustDetail(t, u, syUp); d.TopTs != 0 {
		t.Errorf("unpinned: top_ts %d", d.TopTs)
	}
	// set_msg_dnd, visible as is_dnd and in get_msg_dnd.
	syeOK(t, u.c.SetDND(ctx, up, true))
	if d := syeMustDetail(t, u, syUp); d.IsDnd != 1 {
		t.Errorf("set_msg_dnd: is_dnd %d", d.IsDnd)
	}
	dnd, err := u.c.MsgDND(ctx, []uint64{syUp}, nil)
	syeOK(t, err)
	if len(dnd.UIDSettings) == 0 || dnd.UIDSettings[0].ID != syUp || dnd.UIDSettings[0].Setting != 1 {
		t.Errorf("get_msg_dnd of UP主小助手: %+v", dnd)
	}
	// set_push_ss: the session's setting.
	syeOK(t, u.c.SetPushSetting(ctx, syUp, 1))
	if d := syeMustDetail(t, u, syUp); d.Setting != 1 || d.UnreadCount != 1 || d.SystemMsgType != 7 {
		t.Errorf("set_push_ss: setting %d, unread %d, system_msg_type %d", d.Setting, d.UnreadCount, d.SystemMsgType)
	}

	// remove_session: gone from the lists, read, history kept, detail still there;
	// the next push brings it back.
	syeOK(t, u.c.RemoveSession(ctx, up))
	for _, cat := range []int{1, 4, 7, 9} {
		if got := syeCat(t, u, cat); slices.Contains(got, syUp) {
			t.Errorf("category %d after remove_session: %v", cat, got)
		}
	}
	if got := syeTalkers(syeNew(t, u, 0)); slices.Contains(got, syUp) {
		t.Errorf("new_sessions after remove_session: %v", got)
	}
	if d := syeMustDetail(t, u, syUp); d.UnreadCount != 0 || d.AckSeqno != first.MsgSeqno || d.NewPushMsg != 0 {
		t.Errorf("removed: read up to the push; %+v", d)
	}
	if c := syeUnread(t, u, client.UnreadOptions{}); c.BizMsgFollowUnread != 0 || syeN1Up(t, u) != 0 {
		t.Errorf("removed: biz_msg_follow_unread %d", c.BizMsgFollowUnread)
	}
	if h := syeHistory(t, u, syUp); len(h) != 1 {
		t.Errorf("history after remove_session: %d messages", len(h))
	}
	s.Advance(time.Second)
	syePush(t, s, u.Mid, 7, 13, syCardPicture)
	if got := syeCat(t, u, 7); !slices.Equal(got, []uint64{syUp}) {
		t.Errorf("the next push brings the session back: %v", got)
	}
	if d := syeMustDetail(t, u, syUp); d.UnreadCount != 1 || d.IsDnd != 1 || d.Setting != 1 {
		t.Errorf("back with one unread push and its settings: %+v", d)
	}

	// Settings made before the first push of an account stay, and the session is a
	// system session all the same.
	syeOK(t, u.c.SetTop(ctx, client.User(syPay), true))
	// set_msg_dnd without uid, raw: the client always sends it.
	s.MustOK(u.User, testkit.PathSetMsgDnd, q("setting", "1", "dnd_uid", syID(syPay)))
	syeNoDetail(t, u, syPay, "settings alone make no session")
	if l := syeList(t, u, client.SessionsOptions{Category: 7}); slices.Contains(syeTalkers(l), syPay) || l.SystemMsg["9"] != 0 {
		t.Errorf("settings alone make no system session: %v %v", syeTalkers(l), l.SystemMsg)
	}
	s.Advance(time.Second)
	syePush(t, s, u.Mid, 9, 13, syCardPicture)
	d := syeMustDetail(t, u, syPay)
	if d.TopTs == 0 || d.IsDnd != 1 || d.SystemMsgType != 9 || d.IsFollow != 1 || d.CanFold != 0 || d.UnreadCount != 1 {
		t.Errorf("支付小助手 after settings then a push: %+v", d)
	}
	if c := syeUnread(t, u, client.UnreadOptions{ShowDustbin: true}); c.BizMsgFollowUnread != 2 || c.UnfollowUnread != 1 || c.FollowUnread != 0 {
		t.Errorf("counts: %+v; want biz 2 (two pushes), unfollowed 1 (other's message)", c)
	}
}

// syeDiscrepancy ends a subtest that found behaviour contradicting the catalog or
// docs/feed.md (reported with these tests, not worked around), as fdDiscrepancy does.
func syeDiscrepancy(t *testing.T, format string, args ...any) {
	t.Helper()
	t.Skipf("DISCREPANCY with the docs (reported): "+format, args...)
}

// TestSystemE2ENeverInDustbin: system sessions are never in categories 2, 5 and 8
// (docs/feed.md), and update_intercept is for user sessions only (catalog P14): after
// update_intercept on a system account, before or after its first push, its session
// stays in categories 1, 4, 7 and 9 and out of 5, and batch_rm_dustbin leaves it.
func TestSystemE2ENeverInDustbin(t *testing.T) {
	t.Parallel()
	for _, when := range []string{"after the first push", "before the first push"} {
		t.Run(when, func(t *testing.T) {
			t.Parallel()
			s, u, other := syeStart(t)
			syeSend(t, other, u.Mid, "你好")
			s.Advance(time.Second)
			if when == "after the first push" {
				syePush(t, s, u.Mid, 7, 10, syCardTraffic)
			}
			if err := u.c.SetIntercept(t.Context(), syUp, true); err != nil {
				var e *client.Error
				if !errors.As(err, &e) {
					t.Fatalf("update_intercept of UP主小助手: %v", err)
				}
				return // refused: nothing more to see
			}
			if when == "before the first push" {
				syePush(t, s, u.Mid, 7, 10, syCardTraffic)
			}
			if c := syeUnread(t, u, client.UnreadOptions{ShowDustbin: true}); c.BizMsgFollowUnread != 1 || c.DustbinUnread != 0 {
				t.Errorf("counts: %+v; the push counts in biz_msg_follow_unread, never in dustbin_unread", c)
			}
			var wrong []string
			for _, cat := range []int{1, 2, 4, 5, 7, 8, 9} {
				in := slices.Contains(syeCat(t, u, cat), syUp)
				if want := cat != 2 && cat != 5 && cat != 8; in != want {
					wrong = append(wrong, fmt.Sprintf("category %d lists it: %v", cat, in))
				}
			}
			if !slices.Contains(syeTalkers(syeNew(t, u, 0)), syUp) {
				wrong = append(wrong, "new_sessions lacks it")
			}
			d := syeMustDetail(t, u, syUp)
			syeOK(t, u.c.ClearDustbin(t.Context()))
			if !slices.Contains(syeCat(t, u, 7), syUp) {
				wrong = append(wrong, "batch_rm_dustbin removed it from category 7")
			}
			if len(wrong) > 0 {
				syeDiscrepancy(t, "update_intercept on UP主小助手 (%s) sends its system session to the dustbin "+
					"(is_intercept %d): %s", when, d.IsIntercept, strings.Join(wrong, "; "))
			}
		})
	}
}

// TestSystemE2EDuplicateKeys: a card is checked against its shape before it is stored,
// every field with its JSON type (docs/feed.md). A card with a duplicated field is stored
// as sent, so a duplicate of the wrong type would reach clients (JSON parsers differ on
// which duplicate wins); it must be refused.
func TestSystemE2EDuplicateKeys(t *testing.T) {
	t.Parallel()
	s, u, _ := syeStart(t)
	for _, c := range []struct {
		typ  int
		card string
	}{
		{13, `{"pic_url":"p","jump_url":"j","title":13,"title":"t"}`},
		{16, `{"main_title":"m","reply_content":"r","sub_cards":null,"sub_cards":[]}`},
		{10, `{"title":"t","text":"x","modules":[{"title":"a","detail":1,"detail":"b"}]}`},
	} {
		t.Run(fmt.Sprint(c.typ), func(t *testing.T) {
			// Pushed raw: the card must reach the server byte for byte as written, which
			// operator.Push (re-encoding it) does not promise.
			st, body := syAdmin(t, s, "POST", syPushPath(u.Mid), syPushBody(7, c.typ, c.card, ""))
			if st == 400 {
				return
			}
			var stored string
			if h := syeHistory(t, u, syUp); len(h) > 0 {
				stored = h[0].Content
			}
			syeDiscrepancy(t, "a card with a duplicated field passes the shape check (only the last value is "+
				"checked) and is stored with both: status %d %s, content %s", st, strings.TrimSpace(string(body)), stored)
		})
	}
}

// TestSystemE2EN1Up: N1's up (both URLs) is the unread count of the UP主小助手 session
// only, per user.
func TestSystemE2EN1Up(t *testing.T) {
	t.Parallel()
	s, u, other := syeStart(t)
	ctx := t.Context()
	if syeN1Up(t, u) != 0 {
		t.Errorf("no pushes: up 0")
	}
	for _, a := range syAccounts {
		syePush(t, s, u.Mid, a.typ, 13, syCardPicture)
	}
	syePush(t, s, u.Mid, 7, 16, syCardWorks)
	syePush(t, s, other.Mid, 7, 16, syCardWorks)
	if got := syeN1Up(t, u); got != 2 {
		t.Errorf("up %d: UP主小助手's 2 pushes only", got)
	}
	if got := syeN1Up(t, other); got != 1 {
		t.Errorf("the other user's up %d, want 1", got)
	}
	// The other N1 counts are the feeds', untouched by pushes.
	n, err := u.c.FeedUnread(ctx)
	syeOK(t, err)
	rest := *n
	rest.Up, rest.SysMsgStyle = 0, nil
	if rest != (client.FeedUnread{}) {
		t.Errorf("N1 after pushes: %+v, want every count but up 0", rest)
	}
	// Reading a feed does not read the pushes; acking does.
	_, err = u.c.SystemNotices(ctx, 0, 0)
	syeOK(t, err)
	if got := syeN1Up(t, u); got != 2 {
		t.Errorf("after reading 系统通知: up %d, want 2", got)
	}
	syeOK(t, u.c.Ack(ctx, client.User(syUp), 0))
	if got := syeN1Up(t, u); got != 0 {
		t.Errorf("after the ack: up %d", got)
	}
}
