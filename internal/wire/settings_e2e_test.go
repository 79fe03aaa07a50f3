package wire_test

// End-to-end tests of the effects of message settings, block words, the smart
// interception and auto-replies (docs/settings.md), through HTTP: real sends through
// send_msg, read back with single_unread, get_sessions, new_sessions, session_detail and
// fetch_session_msgs. Each effect is shown together with its absence when the setting is
// off. Helpers are prefixed e2e to keep clear of the other tests of the package.

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/internal/im"
	"github.com/bilimsg/bilimsg/internal/testkit"
)

// Message sources and types the tests look for (docs/settings.md).
const (
	e2eSrcWeb      = 7
	e2eSrcFollowed = 8
	e2eSrcRecv     = 9
	e2eSrcKeyword  = 10
	e2eSrcVoyage   = 11
	e2eSrcHint     = 18
	e2eTypeWorks   = 16
)

type e2eMsg struct {
	SenderUID      uint64 `json:"sender_uid"`
	ReceiverID     uint64 `json:"receiver_id"`
	MsgType        int    `json:"msg_type"`
	Content        string `json:"content"`
	MsgSeqno       uint64 `json:"msg_seqno"`
	MsgKey         uint64 `json:"msg_key"`
	MsgStatus      int    `json:"msg_status"`
	NewFaceVersion int    `json:"new_face_version"`
	MsgSource      int    `json:"msg_source"`
}

type e2eSession struct {
	TalkerID    uint64 `json:"talker_id"`
	IsFollow    int    `json:"is_follow"`
	AckSeqno    uint64 `json:"ack_seqno"`
	UnreadCount int64  `json:"unread_count"`
	MaxSeqno    uint64 `json:"max_seqno"`
	IsIntercept int    `json:"is_intercept"`
	IsTrust     int    `json:"is_trust"`
}

type e2eUnread struct {
	Follow   int64 `json:"follow_unread"`
	Unfollow int64 `json:"unfollow_unread"`
	Dustbin  int64 `json:"dustbin_unread"`
}

func e2eMid(m uint64) string { return strconv.FormatUint(m, 10) }

// e2eHistory is viewer's conversation with talker, newest first.
func e2eHistory(t *testing.T, s *testkit.Server, viewer testkit.User, talker uint64) []e2eMsg {
	t.Helper()
	r := s.Get(viewer, testkit.PathFetchMsgs, url.Values{"talker_id": {e2eMid(talker)}, "session_type": {"1"}, "size": {"200"}})
	if c := r.Code(t); c != 0 {
		t.Fatalf("fetch_session_msgs %d→%d: code %d: %s", viewer.Mid, talker, c, r.Body)
	}
	var d struct {
		Messages []e2eMsg `json:"messages"`
	}
	r.Data(t, &d)
	return d.Messages
}

// e2eFrom keeps the messages of msgs sent by sender with one of the sources (any source
// when none is given).
func e2eFrom(msgs []e2eMsg, sender uint64, sources ...int) []e2eMsg {
	var out []e2eMsg
	for _, m := range msgs {
		if m.SenderUID == sender && (len(sources) == 0 || slices.Contains(sources, m.MsgSource)) {
			out = append(out, m)
		}
	}
	return out
}

// e2eAutoReplies are the auto-replies (sources 8–11) that replier sent in viewer's
// conversation with replier, newest first.
func e2eAutoReplies(t *testing.T, s *testkit.Server, viewer testkit.User, replier uint64) []e2eMsg {
	t.Helper()
	return e2eFrom(e2eHistory(t, s, viewer, replier), replier, e2eSrcFollowed, e2eSrcRecv, e2eSrcKeyword, e2eSrcVoyage)
}

// e2eTextOf is the text of a msg_type 1 content.
func e2eTextOf(t *testing.T, m e2eMsg) string {
	t.Helper()
	var c struct {
		Content string `json:"content"`
	}
	if err := json.Unmarshal([]byte(m.Content), &c); err != nil {
		t.Fatalf("content %q is not a text: %v", m.Content, err)
	}
	return c.Content
}

// e2eDetail is owner's session with talker; ok is false when session_detail answers
// 1000004 (the two never chatted).
func e2eDetail(t *testing.T, s *testkit.Server, owner testkit.User, talker uint64) (e2eSession, bool) {
	t.Helper()
	r := s.Get(owner, testkit.PathSessionDetail, url.Values{"talker_id": {e2eMid(talker)}, "session_type": {"1"}})
	switch c := r.Code(t); c {
	case 0:
	case 1000004:
		return e2eSession{}, false
	default:
		t.Fatalf("session_detail %d→%d: code %d: %s", owner.Mid, talker, c, r.Body)
	}
	var d e2eSession
	r.Data(t, &d)
	return d, true
}

func e2eMustDetail(t *testing.T, s *testkit.Server, owner testkit.User, talker uint64) e2eSession {
	t.Helper()
	d, ok := e2eDetail(t, s, owner, talker)
	if !ok {
		t.Fatalf("%d has no session with %d", owner.Mid, talker)
	}
	return d
}

// e2eList is the talkers of get_sessions category cat, with extra parameters.
func e2eList(t *testing.T, s *testkit.Server, u testkit.User, cat int, extra url.Values) []uint64 {
	t.Helper()
	q := url.Values{"session_type": {strconv.Itoa(cat)}, "size": {"100"}}
	for k, v := range extra {
		q[k] = v
	}
	return e2eTalkers(t, s.Get(u, testkit.PathGetSessions, q))
}

// e2eNew is the talkers new_sessions lists from the beginning of time.
func e2eNew(t *testing.T, s *testkit.Server, u testkit.User) []uint64 {
	t.Helper()
	return e2eTalkers(t, s.Get(u, testkit.PathNewSessions, url.Values{"begin_ts": {"0"}, "size": {"100"}}))
}

func e2eTalkers(t *testing.T, r testkit.Raw) []uint64 {
	t.Helper()
	if c := r.Code(t); c != 0 {
		t.Fatalf("session list: code %d: %s", c, r.Body)
	}
	var d struct {
		SessionList []e2eSession `json:"session_list"`
	}
	r.Data(t, &d)
	out := []uint64{}
	for _, x := range d.SessionList {
		out = append(out, x.TalkerID)
	}
	slices.Sort(out)
	return out
}

// e2eUnreadOf is u's single_unread with show_dustbin=1.
func e2eUnreadOf(t *testing.T, s *testkit.Server, u testkit.User) e2eUnread {
	t.Helper()
	r := s.Get(u, testkit.PathSingleUnread, url.Values{"show_dustbin": {"1"}})
	if c := r.Code(t); c != 0 {
		t.Fatalf("single_unread: code %d: %s", c, r.Body)
	}
	var d e2eUnread
	r.Data(t, &d)
	return d
}

// e2eSend sends a text and returns the code.
func e2eSend(t *testing.T, s *testkit.Server, from testkit.User, to uint64, text string) int {
	t.Helper()
	return s.Post(from, testkit.PathSendMsg, testkit.SendForm(from.Mid, to, 1, testkit.Text(text))).Code(t)
}

// e2eImage is an image content whose URL carries word.
func e2eImage(word string) string {
	return `{"url":"https://i0.hdslb.com/bfs/im/` + word + `.png","height":100,"width":100,"imageType":"png","original":1,"size":12.5}`
}

func e2eSendImage(t *testing.T, s *testkit.Server, from testkit.User, to uint64, word string) {
	t.Helper()
	r := s.Post(from, testkit.PathSendMsg, testkit.SendForm(from.Mid, to, 2, e2eImage(word)))
	if c := r.Code(t); c != 0 {
		t.Fatalf("send image %d→%d: code %d: %s", from.Mid, to, c, r.Body)
	}
}

// e2eReplier gives u the fans auto-replies need and applies prefs.
func e2eReplier(s *testkit.Server, u testkit.User, prefs map[string]int) {
	s.TB.Helper()
	s.SetFans(u.Mid, im.FanThreshold)
	s.SetPrefs(u, prefs)
}

// e2eWantDustbin asserts that owner's session with talker is in owner's dustbin and
// nowhere else.
func e2eWantDustbin(t *testing.T, s *testkit.Server, owner testkit.User, talker uint64) {
	t.Helper()
	d := e2eMustDetail(t, s, owner, talker)
	if d.IsIntercept != 1 || d.IsTrust != 0 {
		t.Errorf("%d's session with %d: is_intercept %d is_trust %d, want 1 0", owner.Mid, talker, d.IsIntercept, d.IsTrust)
	}
	if !slices.Contains(e2eList(t, s, owner, 5, nil), talker) {
		t.Errorf("%d's dustbin (category 5) does not list %d", owner.Mid, talker)
	}
	for _, cat := range []int{1, 2, 4, 8, 9} {
		if l := e2eList(t, s, owner, cat, url.Values{"unfollow_fold": {"0"}}); slices.Contains(l, talker) {
			t.Errorf("%d's category %d lists the intercepted session with %d: %v", owner.Mid, cat, talker, l)
		}
	}
	if slices.Contains(e2eNew(t, s, owner), talker) {
		t.Errorf("%d's new_sessions lists the intercepted session with %d", owner.Mid, talker)
	}
}

// e2eWantInbox asserts that owner's session with talker is a normal one, not in the
// dustbin.
func e2eWantInbox(t *testing.T, s *testkit.Server, owner testkit.User, talker uint64) {
	t.Helper()
	d := e2eMustDetail(t, s, owner, talker)
	if d.IsIntercept != 0 {
		t.Errorf("%d's session with %d: is_intercept %d, want 0", owner.Mid, talker, d.IsIntercept)
	}
	if !slices.Contains(e2eList(t, s, owner, 1, url.Values{"unfollow_fold": {"0"}}), talker) {
		t.Errorf("%d's category 1 does not list %d", owner.Mid, talker)
	}
	if slices.Contains(e2eList(t, s, owner, 5, nil), talker) {
		t.Errorf("%d's dustbin lists %d", owner.Mid, talker)
	}
	if !slices.Contains(e2eNew(t, s, owner), talker) {
		t.Errorf("%d's new_sessions does not list %d", owner.Mid, talker)
	}
}

// --- receive_unfollow_msg ---

func TestE2EReceiveUnfollowMsg(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	b := s.NewUser(5001, "b") // the receiver
	a := s.NewUser(5002, "a") // a stranger who wrote while b accepted anyone
	c := s.NewUser(5003, "c") // someone b follows
	d := s.NewUser(5004, "d") // someone b writes to first
	x := s.NewUser(5005, "x") // a stranger
	f := s.NewUser(5006, "f") // a stranger who blocks b
	s.Follow(b.Mid, c.Mid, true)
	s.Block(f.Mid, b.Mid, true)

	// Default 1: a stranger's message is delivered.
	k := s.SendText(a, b.Mid, "hello b")
	if h := e2eFrom(e2eHistory(t, s, b, a.Mid), a.Mid); len(h) != 1 || h[0].MsgKey != k {
		t.Fatalf("default receive_unfollow_msg=1: b does not have a's message: %+v", h)
	}

	s.SetPrefs(b, map[string]int{"receive_unfollow_msg": 0})

	// A stranger is refused and nothing is stored.
	if code := e2eSend(t, s, x, b.Mid, "hi"); code != 25003 {
		t.Errorf("stranger → b with receive_unfollow_msg=0: code %d, want 25003", code)
	}
	if _, ok := e2eDetail(t, s, b, x.Mid); ok {
		t.Errorf("the refused message created a session for b")
	}
	if h := e2eHistory(t, s, x, b.Mid); len(h) != 0 {
		t.Errorf("the refused message is in x's history: %+v", h)
	}
	// a has used its one message: the setting (25003) is checked before the
	// one-message rule (21047).
	if code := e2eSend(t, s, a, b.Mid, "again"); code != 25003 {
		t.Errorf("second message of a stranger: code %d, want 25003 (before 21047)", code)
	}
	// Blocks are checked before the setting: f blocks b → 25005.
	if code := e2eSend(t, s, f, b.Mid, "hi"); code != 25005 {
		t.Errorf("sender blocks receiver and receiver refuses strangers: code %d, want 25005", code)
	}
	// Recalls are not refused: a can take back the message it sent before.
	r := s.Post(a, testkit.PathSendMsg, testkit.SendForm(a.Mid, b.Mid, 5, e2eMid(k)))
	if code := r.Code(t); code != 0 {
		t.Errorf("recall with receive_unfollow_msg=0: code %d, want 0: %s", code, r.Body)
	}
	// Someone b follows gets through.
	if code := e2eSend(t, s, c, b.Mid, "from a friend"); code != 0 {
		t.Errorf("followed user → b: code %d, want 0", code)
	}
	if h := e2eFrom(e2eHistory(t, s, b, c.Mid), c.Mid, e2eSrcWeb); len(h) != 1 {
		t.Errorf("b does not have c's message: %+v", h)
	}
	// The exception: someone b wrote to may answer (and not before b wrote).
	if code := e2eSend(t, s, d, b.Mid, "first"); code != 25003 {
		t.Errorf("d → b before b wrote: code %d, want 25003", code)
	}
	s.SendText(b, d.Mid, "hi d")
	if code := e2eSend(t, s, d, b.Mid, "hi b"); code != 0 {
		t.Errorf("d answers b, who wrote first: code %d, want 0", code)
	}
	if code := e2eSend(t, s, d, b.Mid, "and again"); code != 0 {
		t.Errorf("d writes again in the conversation b started: code %d, want 0", code)
	}

	// Back to 1: strangers get through again.
	s.SetPrefs(b, map[string]int{"receive_unfollow_msg": 1})
	if code := e2eSend(t, s, x, b.Mid, "hi"); code != 0 {
		t.Errorf("stranger → b with receive_unfollow_msg=1: code %d, want 0", code)
	}
}

// --- show_unfollowed_msg ---

func TestE2EShowUnfollowedMsg(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	b := s.NewUser(5101, "b")
	a := s.NewUser(5102, "a") // b does not follow a
	c := s.NewUser(5103, "c") // b follows c
	s.Follow(b.Mid, c.Mid, true)
	s.SendText(a, b.Mid, "from a stranger")
	s.SendText(c, b.Mid, "from a friend")
	both, onlyC, onlyA := []uint64{a.Mid, c.Mid}, []uint64{c.Mid}, []uint64{a.Mid}
	fold0, fold1 := url.Values{"unfollow_fold": {"0"}}, url.Values{"unfollow_fold": {"1"}}

	check := func(step string, cat int, extra url.Values, want []uint64) {
		t.Helper()
		if got := e2eList(t, s, b, cat, extra); !slices.Equal(got, want) {
			t.Errorf("%s: category %d %v: %v, want %v", step, cat, extra, got, want)
		}
	}
	// Setting 0 (default): nothing is folded unless asked for.
	check("setting 0", 1, nil, both)
	check("setting 0", 4, nil, both)
	check("setting 0", 1, fold1, onlyC)
	check("setting 0", 4, fold1, onlyC)

	s.SetPrefs(b, map[string]int{"show_unfollowed_msg": 1})
	check("setting 1", 1, nil, onlyC)
	check("setting 1", 4, nil, onlyC)
	check("setting 1", 1, fold0, both)
	check("setting 1", 4, fold0, both)
	check("setting 1", 2, nil, onlyA)
	check("setting 1", 8, nil, onlyA)
	check("setting 1", 9, nil, onlyC)
	if u := e2eUnreadOf(t, s, b); u.Unfollow != 1 || u.Follow != 1 {
		t.Errorf("folded sessions still count in unfollow_unread: %+v, want follow 1 unfollow 1", u)
	}

	s.SetPrefs(b, map[string]int{"show_unfollowed_msg": 0})
	check("setting back to 0", 1, nil, both)
	check("setting back to 0", 4, nil, both)
}

// --- block words ---

func TestE2EBlockWordMatching(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, word, text string
		intercepted      bool
	}{
		{"upper word, lower text", "SPAM", "this is spam", true},
		{"lower word, upper text", "spam", "THIS IS SPAM", true},
		{"full-width text", "SPAM", "ＳＰＡＭ来了", true},
		{"full-width word", "ＳＰＡＭ", "buy spam now", true},
		{"full-width digits", "abc1", "看 ＡＢＣ１ 号", true},
		{"Greek with final sigma", "ΛΟΓΟΣ", "ο λογος", true},
		{"Greek sigma word", "Σ", "ς", true},
		{"Cyrillic", "СПАМ", "это спам", true},
		{"Chinese", "加群", "快来加群吧", true},
		{"traditional is another word", "发财", "恭喜發財", false},
		{"split by a space", "spam", "sp am", false},
		{"no block word in text", "spam", "hello there", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := testkit.Start(t, testkit.Options{})
			b := s.NewUser(5201, "b")
			a := s.NewUser(5202, "a")
			s.AddBlockWord(b, tc.word)
			if code := e2eSend(t, s, a, b.Mid, tc.text); code != 0 {
				t.Fatalf("send: code %d", code)
			}
			if tc.intercepted {
				e2eWantDustbin(t, s, b, a.Mid)
			} else {
				e2eWantInbox(t, s, b, a.Mid)
			}
			// The sender sees nothing different.
			if d := e2eMustDetail(t, s, a, b.Mid); d.IsIntercept != 0 {
				t.Errorf("the sender's own session is intercepted")
			}
		})
	}
}

func TestE2EBlockWords(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	b := s.NewUser(5301, "b")
	a := s.NewUser(5302, "a")  // stranger writing the word
	c := s.NewUser(5303, "c")  // followed by b, writing the word
	g := s.NewUser(5304, "g")  // stranger sending an image named after the word
	h := s.NewUser(5305, "h")  // stranger writing clean text
	i := s.NewUser(5306, "i")  // stranger b wrote to first, answering with the word
	j := s.NewUser(5307, "j")  // stranger writing the word after it was deleted
	z := s.NewUser(5308, "z0") // b2's stranger
	b2 := s.NewUser(5309, "b2")
	s.Follow(b.Mid, c.Mid, true)
	s.AddBlockWord(b, "SPAM")

	// A stranger's text with the word goes to b's dustbin.
	if code := e2eSend(t, s, a, b.Mid, "this is spam"); code != 0 {
		t.Fatalf("the sender sees nothing different: code %d", code)
	}
	e2eWantDustbin(t, s, b, a.Mid)
	if u := e2eUnreadOf(t, s, b); u != (e2eUnread{Dustbin: 1}) {
		t.Errorf("b's unread after one intercepted message: %+v, want dustbin 1 only", u)
	}
	r := s.Get(b, testkit.PathSingleUnread, nil)
	var plain e2eUnread
	r.Data(t, &plain)
	if plain.Dustbin != 0 {
		t.Errorf("dustbin_unread without show_dustbin=1: %d, want 0", plain.Dustbin)
	}
	if d := e2eMustDetail(t, s, a, b.Mid); d.IsIntercept != 0 {
		t.Errorf("the sender's session is marked intercepted")
	}
	if hist := e2eFrom(e2eHistory(t, s, a, b.Mid), a.Mid, e2eSrcWeb); len(hist) != 1 {
		t.Errorf("the sender's history: %+v", hist)
	}
	// Without a block word the same text is normal (another receiver).
	s.SendText(z, b2.Mid, "this is spam")
	e2eWantInbox(t, s, b2, z.Mid)

	// A followed sender is not filtered.
	s.SendText(c, b.Mid, "SPAM!!")
	e2eWantInbox(t, s, b, c.Mid)
	// An image is not filtered.
	e2eSendImage(t, s, g, b.Mid, "spam")
	e2eWantInbox(t, s, b, g.Mid)
	// A clean text is not filtered.
	s.SendText(h, b.Mid, "hello")
	e2eWantInbox(t, s, b, h.Mid)
	if u := e2eUnreadOf(t, s, b); u != (e2eUnread{Follow: 1, Unfollow: 2, Dustbin: 1}) {
		t.Errorf("b's unread: %+v, want follow 1 unfollow 2 dustbin 1", u)
	}
	// Block words apply to someone b wrote to (only following exempts).
	s.SendText(b, i.Mid, "hi i")
	s.SendText(i, b.Mid, "spam back")
	e2eWantDustbin(t, s, b, i.Mid)

	// An intercepted session stays intercepted: a's next (clean) message lands there too.
	s.SendText(b, a.Mid, "who are you?") // frees a from the one-message rule (and marks the session read)
	s.SendText(a, b.Mid, "a clean message")
	e2eWantDustbin(t, s, b, a.Mid)
	if d := e2eMustDetail(t, s, b, a.Mid); d.UnreadCount != 1 {
		t.Errorf("a's session in the dustbin: unread %d, want 1", d.UnreadCount)
	}
	if u := e2eUnreadOf(t, s, b); u != (e2eUnread{Follow: 1, Unfollow: 2, Dustbin: 2}) {
		t.Errorf("b's unread with a and i in the dustbin: %+v, want follow 1 unfollow 2 dustbin 2", u)
	}

	// Trusting the session takes it out and keeps it out.
	s.MustOK(b, testkit.PathUpdateIntercept, url.Values{"talker_id": {e2eMid(a.Mid)}, "status": {"0"}})
	if d := e2eMustDetail(t, s, b, a.Mid); d.IsIntercept != 0 || d.IsTrust != 1 {
		t.Errorf("after update_intercept status=0: %+v", d)
	}
	s.SendText(a, b.Mid, "more SPAM")
	e2eWantInbox(t, s, b, a.Mid)
	if d := e2eMustDetail(t, s, b, a.Mid); d.IsTrust != 1 || d.UnreadCount != 2 {
		t.Errorf("trusted session after another block word: %+v, want is_trust 1, 2 unread", d)
	}
	if u := e2eUnreadOf(t, s, b); u != (e2eUnread{Follow: 1, Unfollow: 4, Dustbin: 1}) {
		t.Errorf("b's unread after trusting a: %+v, want follow 1 unfollow 4 dustbin 1", u)
	}

	// Deleting the word stops the effect for new conversations; intercepted sessions stay.
	s.MustOK(b, testkit.PathDelBlockWord, url.Values{"content": {"SPAM"}})
	s.SendText(j, b.Mid, "spam spam spam")
	e2eWantInbox(t, s, b, j.Mid)
	e2eWantDustbin(t, s, b, i.Mid)
}

// --- smart interception (ai_intercept) ---

func TestE2EAIIntercept(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	on := s.NewUser(5401, "on")
	off := s.NewUser(5402, "off")
	s.SetPrefs(on, map[string]int{"ai_intercept": 1})
	s.SetPrefs(off, map[string]int{"ai_intercept": 0})
	next := uint64(5500)

	for _, tc := range []struct {
		text       string
		suspicious bool
	}{
		{"加我 https://example.com/x", true},
		{"看这个 http://foo.cn", true},
		{"去 www.taobao.com 买", true},
		{"上 abc.xyz 看", true},
		{"ＨＴＴＰＳ：／／ＥＸＡＭＰＬＥ．ＣＯＭ", true},
		{"http://bilibili.com.evil.cn/x", true},
		{"电话13812345678", true},
		{"电话 138 1234 5678", true},
		{"电话 138-1234-5678", true},
		{"qq 12345678", true},
		{"加扣扣：123456", true},
		{"QQ号: 987654321", true},
		{"ＱＱ１２３４５６", true},
		{"微信 abc_123", true},
		{"vx：wxid_abc123", true},
		{"WeChat: Hello_World1", true},
		{"mail me: someone@example.org", true},
		{"https://www.bilibili.com/video/BV1xx411c7mD", false},
		{"https://b23.tv/abc123", false},
		{"看 b23.tv/xyz", false},
		{"m.bilibili.com/video/BV1xx411c7mD", false},
		{"https://i0.hdslb.com/bfs/x.jpg", false},
		{"hello world", false},
		{"我的uid是 13812345678901", false},
		{"价格 13812345", false},
		{"qq音乐真好听", false},
		{"我用微信", false},
	} {
		next++
		sender := s.NewUser(next, "s"+e2eMid(next))
		s.SendText(sender, on.Mid, tc.text)
		s.SendText(sender, off.Mid, tc.text)
		d := e2eMustDetail(t, s, on, sender.Mid)
		if got := d.IsIntercept == 1; got != tc.suspicious {
			t.Errorf("ai_intercept=1, %q from a stranger: intercepted %v, want %v", tc.text, got, tc.suspicious)
		}
		if d := e2eMustDetail(t, s, off, sender.Mid); d.IsIntercept != 0 {
			t.Errorf("ai_intercept=0, %q: intercepted", tc.text)
		}
	}

	// The full effect, as for block words.
	spammer := s.NewUser(5601, "spammer")
	s.SendText(spammer, on.Mid, "加我 https://example.com")
	e2eWantDustbin(t, s, on, spammer.Mid)
	s.SendText(spammer, off.Mid, "加我 https://example.com")
	e2eWantInbox(t, s, off, spammer.Mid)

	// Not strangers: someone I follow, someone I wrote to; and a trusted session.
	friend := s.NewUser(5602, "friend")
	s.Follow(on.Mid, friend.Mid, true)
	s.SendText(friend, on.Mid, "my shop: https://example.com 13812345678")
	e2eWantInbox(t, s, on, friend.Mid)

	asked := s.NewUser(5603, "asked")
	s.SendText(on, asked.Mid, "what is your e-mail?")
	s.SendText(asked, on.Mid, "someone@example.org")
	e2eWantInbox(t, s, on, asked.Mid)

	trusted := s.NewUser(5604, "trusted")
	s.MustOK(on, testkit.PathUpdateIntercept, url.Values{"talker_id": {e2eMid(trusted.Mid)}, "status": {"0"}})
	s.SendText(trusted, on.Mid, "https://example.com")
	e2eWantInbox(t, s, on, trusted.Mid)
	if d := e2eMustDetail(t, s, on, trusted.Mid); d.IsTrust != 1 {
		t.Errorf("trusted session: is_trust %d", d.IsTrust)
	}

	// Images are not filtered.
	pic := s.NewUser(5605, "pic")
	e2eSendImage(t, s, pic, on.Mid, "example.com")
	e2eWantInbox(t, s, on, pic.Mid)
}

// --- auto-replies: followed_reply and the works card ---

func TestE2EFollowedReply(t *testing.T) {
	t.Parallel()
	t.Run("on", func(t *testing.T) {
		t.Parallel()
		s := testkit.Start(t, testkit.Options{})
		up, fan := s.NewUser(6001, "up"), s.NewUser(6002, "fan")
		e2eReplier(s, up, map[string]int{"followed_reply": 1})
		s.SetReply(up, 1, "感谢关注[doge]")
		s.SendText(fan, up.Mid, "hi up") // up has an unread message from fan
		before := e2eMustDetail(t, s, up, fan.Mid)

		s.Follow(fan.Mid, up.Mid, true)
		replies := e2eAutoReplies(t, s, fan, up.Mid)
		if len(replies) != 1 {
			t.Fatalf("fan's auto-replies after following: %+v, want one", replies)
		}
		m := replies[0]
		if m.MsgSource != e2eSrcFollowed || m.MsgType != 1 || m.ReceiverID != fan.Mid || m.NewFaceVersion != 1 ||
			m.Content != `{"content":"感谢关注[tv_doge]"}` {
			t.Errorf("followed reply: %+v, want msg_source 8, msg_type 1, new_face_version 1, old emoji converted", m)
		}
		if upSide := e2eFrom(e2eHistory(t, s, up, fan.Mid), up.Mid, e2eSrcFollowed); len(upSide) != 1 || upSide[0].MsgKey != m.MsgKey {
			t.Errorf("the reply is not in up's history: %+v", upSide)
		}
		// Unread for the follower, in the followed bucket.
		if d := e2eMustDetail(t, s, fan, up.Mid); d.UnreadCount != 1 {
			t.Errorf("fan's session: unread %d, want 1", d.UnreadCount)
		}
		if u := e2eUnreadOf(t, s, fan); u != (e2eUnread{Follow: 1}) {
			t.Errorf("fan's unread: %+v, want follow 1", u)
		}
		// Up's session is not marked read.
		after := e2eMustDetail(t, s, up, fan.Mid)
		if after.UnreadCount != 1 || after.AckSeqno != before.AckSeqno || after.AckSeqno >= after.MaxSeqno {
			t.Errorf("up's session after the auto-reply: %+v (before %+v), want still 1 unread and the ack unchanged",
				after, before)
		}
		// A re-follow that changes nothing sends nothing.
		s.Follow(fan.Mid, up.Mid, true)
		if n := len(e2eAutoReplies(t, s, fan, up.Mid)); n != 1 {
			t.Errorf("a repeated follow sent another reply: %d replies", n)
		}
	})
	t.Run("off", func(t *testing.T) {
		t.Parallel()
		s := testkit.Start(t, testkit.Options{})
		up, fan := s.NewUser(6001, "up"), s.NewUser(6002, "fan")
		e2eReplier(s, up, map[string]int{"followed_reply": 0})
		s.SetReply(up, 1, "感谢关注")
		s.Follow(fan.Mid, up.Mid, true)
		if _, ok := e2eDetail(t, s, fan, up.Mid); ok {
			t.Errorf("followed_reply=0: fan has a session with up: %+v", e2eHistory(t, s, fan, up.Mid))
		}
	})
	t.Run("on without text", func(t *testing.T) {
		t.Parallel()
		s := testkit.Start(t, testkit.Options{})
		up, fan := s.NewUser(6001, "up"), s.NewUser(6002, "fan")
		e2eReplier(s, up, map[string]int{"followed_reply": 1})
		s.Follow(fan.Mid, up.Mid, true)
		if _, ok := e2eDetail(t, s, fan, up.Mid); ok {
			t.Errorf("no text: fan has a session with up: %+v", e2eHistory(t, s, fan, up.Mid))
		}
	})
	t.Run("stays on when the fans drop", func(t *testing.T) {
		t.Parallel()
		s := testkit.Start(t, testkit.Options{})
		up, fan := s.NewUser(6001, "up"), s.NewUser(6002, "fan")
		e2eReplier(s, up, map[string]int{"followed_reply": 1})
		s.SetReply(up, 1, "感谢关注")
		s.SetFans(up.Mid, 10)
		s.Follow(fan.Mid, up.Mid, true)
		if n := len(e2eAutoReplies(t, s, fan, up.Mid)); n != 1 {
			t.Errorf("a switch that is on keeps working after the fans dropped: %d replies, want 1", n)
		}
		if c := s.Post(up, testkit.PathSetPrefs, url.Values{"followed_reply": {"1"}}).Code(t); c != 700009 {
			t.Errorf("switching on again below 1000 fans: code %d, want 700009", c)
		}
	})
}

type e2eSubCard struct {
	CardID   uint64 `json:"card_id"`
	CardType int    `json:"card_type"`
	JumpURL  string `json:"jump_url"`
	CoverURL string `json:"cover_url"`
	Field1   string `json:"field1"`
	Field2   string `json:"field2"`
	Field3   string `json:"field3"`
	Icon3    int    `json:"icon3"`
	Field4   string `json:"field4"`
	Icon4    int    `json:"icon4"`
}

type e2eCard struct {
	MainTitle    string       `json:"main_title"`
	ReplyContent string       `json:"reply_content"`
	SubCards     []e2eSubCard `json:"sub_cards"`
}

func TestE2EWorksCard(t *testing.T) {
	t.Parallel()
	utc := func(y int, mo time.Month, d, h int) int64 { return time.Date(y, mo, d, h, 0, 0, 0, time.UTC).Unix() }
	putWorks := func(s *testkit.Server, up uint64) {
		// 1004 is the oldest and falls off the card.
		s.PutWork(up, 1001, map[string]any{"title": "一", "cover": "https://i0.hdslb.com/bfs/archive/1.jpg",
			"pub_date": utc(2024, 5, 1, 12), "plays": 350_000_000, "danmaku": 0})
		s.PutWork(up, 1002, map[string]any{"bvid": "BV1xx411c7mD", "title": "二", "cover": "https://i0.hdslb.com/bfs/archive/2.jpg",
			"pub_date": utc(2024, 6, 1, 20), "plays": 123_456, "danmaku": 479, "favorites": 9})
		s.PutWork(up, 1003, map[string]any{"title": "三", "cover": "https://i0.hdslb.com/bfs/archive/3.jpg",
			"pub_date": utc(2024, 5, 20, 0), "plays": 200_000, "danmaku": 12_000})
		s.PutWork(up, 1004, map[string]any{"title": "四", "pub_date": utc(2024, 4, 1, 0), "plays": 1})
	}
	start := func(t *testing.T, prefs map[string]int, text string, works bool) (*testkit.Server, testkit.User, testkit.User) {
		s := testkit.Start(t, testkit.Options{})
		up, fan := s.NewUser(6101, "up"), s.NewUser(6102, "fan")
		e2eReplier(s, up, prefs)
		if text != "" {
			s.SetReply(up, 1, text)
		}
		if works {
			putWorks(s, up.Mid)
		}
		s.Follow(fan.Mid, up.Mid, true)
		return s, up, fan
	}
	cardOf := func(t *testing.T, m e2eMsg) e2eCard {
		t.Helper()
		var c e2eCard
		if err := json.Unmarshal([]byte(m.Content), &c); err != nil {
			t.Fatalf("card content %q: %v", m.Content, err)
		}
		return c
	}

	t.Run("after the followed reply", func(t *testing.T) {
		t.Parallel()
		s, up, fan := start(t, map[string]int{"followed_reply": 1, "recommend_followed_reply": 1}, "谢谢关注", true)
		h := e2eFrom(e2eHistory(t, s, fan, up.Mid), up.Mid)
		if len(h) != 2 {
			t.Fatalf("fan's history from up: %+v, want the reply and the card", h)
		}
		text, card := h[1], h[0] // newest first
		if text.MsgType != 1 || text.MsgSource != e2eSrcFollowed || card.MsgType != e2eTypeWorks ||
			card.MsgSource != e2eSrcFollowed || card.MsgSeqno <= text.MsgSeqno {
			t.Fatalf("want the text (msg_type 1) then the card (msg_type 16), both msg_source 8: %+v", h)
		}
		got := cardOf(t, card)
		want := e2eCard{MainTitle: "更多宝藏内容", ReplyContent: "谢谢关注", SubCards: []e2eSubCard{
			{CardID: 1002, CardType: 1, JumpURL: "https://www.bilibili.com/video/BV1xx411c7mD",
				CoverURL: "https://i0.hdslb.com/bfs/archive/2.jpg", Field1: "二", Field2: "2024-06-02",
				Field3: "12.3万", Icon3: 1, Field4: "479", Icon4: 3},
			{CardID: 1003, CardType: 1, JumpURL: "https://www.bilibili.com/video/av1003",
				CoverURL: "https://i0.hdslb.com/bfs/archive/3.jpg", Field1: "三", Field2: "2024-05-20",
				Field3: "20万", Icon3: 1, Field4: "1.2万", Icon4: 3},
			{CardID: 1001, CardType: 1, JumpURL: "https://www.bilibili.com/video/av1001",
				CoverURL: "https://i0.hdslb.com/bfs/archive/1.jpg", Field1: "一", Field2: "2024-05-01",
				Field3: "3.5亿", Icon3: 1, Field4: "0", Icon4: 3},
		}}
		if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
			t.Errorf("card:\n got %+v\nwant %+v", got, want)
		}
		if upSide := e2eFrom(e2eHistory(t, s, up, fan.Mid), up.Mid, e2eSrcFollowed); len(upSide) != 2 {
			t.Errorf("up's history: %+v", upSide)
		}
		if d := e2eMustDetail(t, s, fan, up.Mid); d.UnreadCount != 2 {
			t.Errorf("fan's unread: %d, want 2", d.UnreadCount)
		}
	})
	t.Run("no works", func(t *testing.T) {
		t.Parallel()
		s, up, fan := start(t, map[string]int{"followed_reply": 1, "recommend_followed_reply": 1}, "谢谢关注", false)
		h := e2eFrom(e2eHistory(t, s, fan, up.Mid), up.Mid)
		if len(h) != 1 || h[0].MsgType != 1 {
			t.Errorf("no works: %+v, want only the text", h)
		}
	})
	t.Run("card alone", func(t *testing.T) {
		t.Parallel()
		s, up, fan := start(t, map[string]int{"followed_reply": 0, "recommend_followed_reply": 1}, "谢谢关注", true)
		h := e2eFrom(e2eHistory(t, s, fan, up.Mid), up.Mid)
		if len(h) != 1 || h[0].MsgType != e2eTypeWorks || h[0].MsgSource != e2eSrcFollowed {
			t.Fatalf("followed_reply off: %+v, want only the card", h)
		}
		if c := cardOf(t, h[0]); c.ReplyContent != "" || len(c.SubCards) != 3 || c.MainTitle != "更多宝藏内容" {
			t.Errorf("card without followed reply: %+v", c)
		}
	})
	t.Run("followed reply without text", func(t *testing.T) {
		t.Parallel()
		s, up, fan := start(t, map[string]int{"followed_reply": 1, "recommend_followed_reply": 1}, "", true)
		h := e2eFrom(e2eHistory(t, s, fan, up.Mid), up.Mid)
		if len(h) != 1 || h[0].MsgType != e2eTypeWorks {
			t.Fatalf("followed_reply on without text: %+v, want only the card", h)
		}
		if c := cardOf(t, h[0]); c.ReplyContent != "" || len(c.SubCards) != 3 {
			t.Errorf("card without a followed-reply text: %+v", c)
		}
	})
	t.Run("recommend off", func(t *testing.T) {
		t.Parallel()
		s, up, fan := start(t, map[string]int{"followed_reply": 1, "recommend_followed_reply": 0}, "谢谢关注", true)
		h := e2eFrom(e2eHistory(t, s, fan, up.Mid), up.Mid)
		if len(h) != 1 || h[0].MsgType != 1 {
			t.Errorf("recommend_followed_reply off: %+v, want only the text", h)
		}
	})
}

// --- keys_reply and recv_reply ---

// e2eUpAndFan starts a server with an up who follows the fan (so the fan may write any
// number of messages).
func e2eUpAndFan(t *testing.T, opt testkit.Options, prefs map[string]int) (*testkit.Server, testkit.User, testkit.User) {
	t.Helper()
	s := testkit.Start(t, opt)
	up, fan := s.NewUser(6201, "up"), s.NewUser(6202, "fan")
	e2eReplier(s, up, prefs)
	s.Follow(up.Mid, fan.Mid, true)
	return s, up, fan
}

func TestE2EKeywordReply(t *testing.T) {
	t.Parallel()
	rules := func(s *testkit.Server, up testkit.User) {
		// Created oldest first; get_reply_text lists (and matching tries) newest first.
		s.AddKeywordRule(up, "exact", "Hello，你好,嗨", "", "exact reply") // both separators
		s.AddKeywordRule(up, "fuzzy", "", "价格", "fuzzy reply")
		s.AddKeywordRule(up, "newest", "", "价格表", "newest reply")
	}
	t.Run("on", func(t *testing.T) {
		t.Parallel()
		s, up, fan := e2eUpAndFan(t, testkit.Options{}, map[string]int{"keys_reply": 1})
		rules(s, up)
		for _, tc := range []struct{ text, want string }{
			{"  HELLO  ", "exact reply"},
			{"hello there", ""}, // key1 needs the whole text
			{"你好", "exact reply"},
			{"嗨", "exact reply"},
			{"ＨＥＬＬＯ", "exact reply"},
			{"请问价格多少", "fuzzy reply"},
			{"价格表发我", "newest reply"}, // both match: the newest rule wins
			{"thanks", ""},
		} {
			n := len(e2eAutoReplies(t, s, fan, up.Mid))
			s.SendText(fan, up.Mid, tc.text)
			got := e2eAutoReplies(t, s, fan, up.Mid)
			switch {
			case tc.want == "" && len(got) != n:
				t.Errorf("%q: got an auto-reply %+v, want none", tc.text, got[0])
			case tc.want != "" && len(got) != n+1:
				t.Errorf("%q: %d new auto-replies, want 1", tc.text, len(got)-n)
			case tc.want != "" && (got[0].MsgSource != e2eSrcKeyword || e2eTextOf(t, got[0]) != tc.want):
				t.Errorf("%q: reply %+v, want %q with msg_source 10", tc.text, got[0], tc.want)
			}
		}
		// Images are not matched.
		n := len(e2eAutoReplies(t, s, fan, up.Mid))
		e2eSendImage(t, s, fan, up.Mid, "hello")
		if got := len(e2eAutoReplies(t, s, fan, up.Mid)); got != n {
			t.Errorf("an image got a keyword reply")
		}
	})
	t.Run("off", func(t *testing.T) {
		t.Parallel()
		s, up, fan := e2eUpAndFan(t, testkit.Options{}, map[string]int{"keys_reply": 0})
		rules(s, up)
		s.SendText(fan, up.Mid, "hello")
		s.SendText(fan, up.Mid, "价格")
		if got := e2eAutoReplies(t, s, fan, up.Mid); len(got) != 0 {
			t.Errorf("keys_reply=0: %+v", got)
		}
	})
}

func TestE2EKeywordBeforeRecvReply(t *testing.T) {
	t.Parallel()
	s, up, fan := e2eUpAndFan(t, testkit.Options{}, map[string]int{"keys_reply": 1, "recv_reply": 1})
	s.AddKeywordRule(up, "price", "", "价格", "kw")
	s.SetReply(up, 3, "recv")
	step := func(text string, wantSource int, wantText string) {
		t.Helper()
		n := len(e2eAutoReplies(t, s, fan, up.Mid))
		s.SendText(fan, up.Mid, text)
		got := e2eAutoReplies(t, s, fan, up.Mid)
		if wantSource == 0 {
			if len(got) != n {
				t.Errorf("%q: unexpected auto-reply %+v", text, got[0])
			}
			return
		}
		if len(got) != n+1 || got[0].MsgSource != wantSource || e2eTextOf(t, got[0]) != wantText {
			t.Errorf("%q: auto-replies %+v, want exactly one new, %q with msg_source %d", text, got, wantText, wantSource)
		}
	}
	step("价格?", e2eSrcKeyword, "kw") // the keyword reply only: no recv_reply as well
	step("你好", e2eSrcRecv, "recv")   // the keyword reply did not start the period
	step("价格?", e2eSrcKeyword, "kw") // keyword replies have no period
	step("thanks", 0, "")            // recv_reply's period runs
}

func TestE2ERecvReply(t *testing.T) {
	t.Parallel()
	t.Run("once per talker per 24h", func(t *testing.T) {
		t.Parallel()
		s, up, fan := e2eUpAndFan(t, testkit.Options{}, map[string]int{"recv_reply": 1})
		fan2 := s.NewUser(6203, "fan2")
		s.Follow(up.Mid, fan2.Mid, true)
		s.SetReply(up, 3, "收到，稍后回复")
		count := func(f testkit.User) int { return len(e2eFrom(e2eHistory(t, s, f, up.Mid), up.Mid, e2eSrcRecv)) }

		s.SendText(fan, up.Mid, "m1")
		got := e2eAutoReplies(t, s, fan, up.Mid)
		if len(got) != 1 || got[0].MsgSource != e2eSrcRecv || e2eTextOf(t, got[0]) != "收到，稍后回复" || got[0].MsgType != 1 {
			t.Fatalf("first message: auto-replies %+v, want one msg_source 9", got)
		}
		s.SendText(fan, up.Mid, "m2")
		if n := count(fan); n != 1 {
			t.Errorf("second message within 24h: %d replies, want 1", n)
		}
		s.Advance(24*time.Hour - time.Second)
		s.SendText(fan, up.Mid, "m3")
		if n := count(fan); n != 1 {
			t.Errorf("a second before 24h: %d replies, want 1", n)
		}
		// Another talker gets their own reply meanwhile.
		s.SendText(fan2, up.Mid, "hello")
		if n := count(fan2); n != 1 {
			t.Errorf("second talker: %d replies, want 1", n)
		}
		s.Advance(time.Second)
		s.SendText(fan, up.Mid, "m4")
		if n := count(fan); n != 2 {
			t.Errorf("24h after the first reply: %d replies, want 2", n)
		}
		// fan2's period runs from its own reply.
		s.SendText(fan2, up.Mid, "again")
		if n := count(fan2); n != 1 {
			t.Errorf("second talker within its period: %d replies, want 1", n)
		}
	})
	t.Run("read state", func(t *testing.T) {
		t.Parallel()
		s, up, fan := e2eUpAndFan(t, testkit.Options{}, map[string]int{"recv_reply": 1})
		s.SetReply(up, 3, "auto")
		s.SendText(fan, up.Mid, "hi")
		if d := e2eMustDetail(t, s, up, fan.Mid); d.UnreadCount != 1 || d.AckSeqno >= d.MaxSeqno {
			t.Errorf("up's session after the auto-reply: %+v, want fan's message still unread", d)
		}
		if d := e2eMustDetail(t, s, fan, up.Mid); d.UnreadCount != 1 {
			t.Errorf("fan's session: unread %d, want 1 (the reply)", d.UnreadCount)
		}
		if u := e2eUnreadOf(t, s, fan); u != (e2eUnread{Unfollow: 1}) {
			t.Errorf("fan's unread: %+v, want unfollow 1", u)
		}
		if u := e2eUnreadOf(t, s, up); u != (e2eUnread{Follow: 1}) {
			t.Errorf("up's unread: %+v, want follow 1", u)
		}
	})
	t.Run("image", func(t *testing.T) {
		t.Parallel()
		s, up, fan := e2eUpAndFan(t, testkit.Options{}, map[string]int{"recv_reply": 1})
		s.SetReply(up, 3, "auto")
		e2eSendImage(t, s, fan, up.Mid, "pic")
		if got := e2eAutoReplies(t, s, fan, up.Mid); len(got) != 1 || got[0].MsgSource != e2eSrcRecv {
			t.Errorf("an image: auto-replies %+v, want one msg_source 9", got)
		}
	})
	t.Run("off", func(t *testing.T) {
		t.Parallel()
		s, up, fan := e2eUpAndFan(t, testkit.Options{}, map[string]int{"recv_reply": 0})
		s.SetReply(up, 3, "auto")
		s.SendText(fan, up.Mid, "hi")
		if got := e2eAutoReplies(t, s, fan, up.Mid); len(got) != 0 {
			t.Errorf("recv_reply=0: %+v", got)
		}
	})
	t.Run("on without text", func(t *testing.T) {
		t.Parallel()
		s, up, fan := e2eUpAndFan(t, testkit.Options{}, map[string]int{"recv_reply": 1})
		s.SendText(fan, up.Mid, "hi")
		if got := e2eAutoReplies(t, s, fan, up.Mid); len(got) != 0 {
			t.Errorf("recv_reply=1 without text: %+v", got)
		}
	})
}

// An auto-reply is not the up actively answering: a fan the up does not follow still
// waits for a real answer (or a follow) before writing again.
func TestE2ERecvReplyOneMessageRule(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	up, fan := s.NewUser(6301, "up"), s.NewUser(6302, "fan")
	e2eReplier(s, up, map[string]int{"recv_reply": 1})
	s.SetReply(up, 3, "auto")
	s.SendText(fan, up.Mid, "hi")
	h := e2eHistory(t, s, fan, up.Mid)
	if len(e2eFrom(h, up.Mid, e2eSrcRecv)) != 1 || len(e2eFrom(h, fan.Mid, e2eSrcHint)) != 1 {
		t.Fatalf("fan's history: %+v, want the auto-reply and the one-message hint", h)
	}
	if code := e2eSend(t, s, fan, up.Mid, "hi again"); code != 21047 {
		t.Errorf("after an auto-reply only: code %d, want 21047", code)
	}
	s.SendText(up, fan.Mid, "hello, a real answer")
	if code := e2eSend(t, s, fan, up.Mid, "thanks"); code != 0 {
		t.Errorf("after the up answered: code %d, want 0", code)
	}
}

// --- voyage_reply ---

func TestE2EVoyageReply(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	up := s.NewUser(6401, "up")
	fan := s.NewUser(6402, "fan")
	e2eReplier(s, up, map[string]int{"voyage_reply": 0})
	s.SetReply(up, 5, "感谢上船")

	// Off: nothing.
	if s.Guard(up.Mid, fan.Mid) {
		t.Errorf("voyage_reply=0: replied")
	}
	if _, ok := e2eDetail(t, s, fan, up.Mid); ok {
		t.Errorf("voyage_reply=0: fan has a session with up")
	}
	// On: a msg_source 11 text, unread for the fan.
	s.SetPrefs(up, map[string]int{"voyage_reply": 1})
	s.Follow(fan.Mid, up.Mid, true)
	if !s.Guard(up.Mid, fan.Mid) {
		t.Fatalf("voyage_reply=1: not replied")
	}
	got := e2eAutoReplies(t, s, fan, up.Mid)
	if len(got) != 1 || got[0].MsgSource != e2eSrcVoyage || got[0].MsgType != 1 || e2eTextOf(t, got[0]) != "感谢上船" {
		t.Errorf("voyage reply: %+v", got)
	}
	if u := e2eUnreadOf(t, s, fan); u != (e2eUnread{Follow: 1}) {
		t.Errorf("fan's unread: %+v, want follow 1", u)
	}
	if up2 := e2eFrom(e2eHistory(t, s, up, fan.Mid), up.Mid, e2eSrcVoyage); len(up2) != 1 || up2[0].MsgKey != got[0].MsgKey {
		t.Errorf("up's history: %+v", up2)
	}
	// On without text: nothing.
	other := s.NewUser(6403, "other")
	e2eReplier(s, other, map[string]int{"voyage_reply": 1})
	if s.Guard(other.Mid, fan.Mid) {
		t.Errorf("voyage_reply=1 without text: replied")
	}
}

// Auto-replies obey the rules of every message between users.
func TestE2EAutoReplyRules(t *testing.T) {
	t.Parallel()
	t.Run("guard: blocks, receive_unfollow_msg, one-message rule", func(t *testing.T) {
		t.Parallel()
		s := testkit.Start(t, testkit.Options{})
		up := s.NewUser(6501, "up")
		e2eReplier(s, up, map[string]int{"voyage_reply": 1})
		s.SetReply(up, 5, "感谢上船")
		for _, tc := range []struct {
			name    string
			setup   func(fan testkit.User)
			replied bool
		}{
			{"fan blocks up", func(f testkit.User) { s.Block(f.Mid, up.Mid, true) }, false},
			{"up blocks fan", func(f testkit.User) { s.Block(up.Mid, f.Mid, true) }, false},
			{"fan refuses strangers", func(f testkit.User) { s.SetPrefs(f, map[string]int{"receive_unfollow_msg": 0}) }, false},
			{"fan refuses strangers but follows up", func(f testkit.User) {
				s.SetPrefs(f, map[string]int{"receive_unfollow_msg": 0})
				s.Follow(f.Mid, up.Mid, true)
			}, true},
			{"nothing special", func(testkit.User) {}, true},
		} {
			fan := s.NewUser(0, "fan")
			tc.setup(fan)
			if got := s.Guard(up.Mid, fan.Mid); got != tc.replied {
				t.Errorf("%s: replied %v, want %v", tc.name, got, tc.replied)
			}
			if n := len(e2eFrom(e2eHistory(t, s, up, fan.Mid), up.Mid, e2eSrcVoyage)); n != map[bool]int{true: 1}[tc.replied] {
				t.Errorf("%s: %d voyage replies stored", tc.name, n)
			}
		}
		// The auto-reply counts as up's one message to a fan who neither follows up nor
		// wrote to up: a second one is refused (and skipped).
		fan := s.NewUser(0, "fan")
		if !s.Guard(up.Mid, fan.Mid) {
			t.Fatalf("first guard: not replied")
		}
		if s.Guard(up.Mid, fan.Mid) {
			t.Errorf("second guard to a fan who neither follows nor wrote: replied, want refused by 21047")
		}
		// Once the fan follows up, it is delivered again.
		s.Follow(fan.Mid, up.Mid, true)
		if !s.Guard(up.Mid, fan.Mid) {
			t.Errorf("guard after the fan followed: not replied")
		}
	})
	t.Run("receive_unfollow_msg exception", func(t *testing.T) {
		t.Parallel()
		s := testkit.Start(t, testkit.Options{})
		up, fan := s.NewUser(6601, "up"), s.NewUser(6602, "fan")
		e2eReplier(s, up, map[string]int{"recv_reply": 1})
		s.SetReply(up, 3, "auto")
		s.SetPrefs(fan, map[string]int{"receive_unfollow_msg": 0})
		// fan does not follow up but wrote to up: the reply is delivered.
		s.SendText(fan, up.Mid, "hi")
		if got := e2eAutoReplies(t, s, fan, up.Mid); len(got) != 1 {
			t.Errorf("fan refuses strangers but wrote first: auto-replies %+v, want 1", got)
		}
	})
	t.Run("fan's block words", func(t *testing.T) {
		t.Parallel()
		s := testkit.Start(t, testkit.Options{})
		up := s.NewUser(6701, "up")
		stranger, follower := s.NewUser(6702, "stranger"), s.NewUser(6703, "follower")
		e2eReplier(s, up, map[string]int{"recv_reply": 1})
		s.SetReply(up, 3, "感谢来信")
		s.Follow(follower.Mid, up.Mid, true)
		for _, f := range []testkit.User{stranger, follower} {
			s.AddBlockWord(f, "感谢")
			s.SendText(f, up.Mid, "hi")
			if got := e2eAutoReplies(t, s, f, up.Mid); len(got) != 1 {
				t.Fatalf("%d: auto-replies %+v, want 1", f.Mid, got)
			}
		}
		// The fan who does not follow up gets the reply in the dustbin.
		e2eWantDustbin(t, s, stranger, up.Mid)
		if u := e2eUnreadOf(t, s, stranger); u != (e2eUnread{Dustbin: 1}) {
			t.Errorf("stranger's unread: %+v, want dustbin 1", u)
		}
		// The follower does not.
		e2eWantInbox(t, s, follower, up.Mid)
		if u := e2eUnreadOf(t, s, follower); u != (e2eUnread{Follow: 1}) {
			t.Errorf("follower's unread: %+v, want follow 1", u)
		}
	})
	t.Run("fan's smart interception", func(t *testing.T) {
		t.Parallel()
		s := testkit.Start(t, testkit.Options{})
		up := s.NewUser(6801, "up")
		on, off := s.NewUser(6802, "on"), s.NewUser(6803, "off")
		e2eReplier(s, up, map[string]int{"voyage_reply": 1})
		s.SetReply(up, 5, "舰长群见 https://example.com/join")
		s.SetPrefs(on, map[string]int{"ai_intercept": 1})
		if !s.Guard(up.Mid, on.Mid) || !s.Guard(up.Mid, off.Mid) {
			t.Fatalf("guard replies not sent")
		}
		e2eWantDustbin(t, s, on, up.Mid)
		e2eWantInbox(t, s, off, up.Mid)
	})
}

// Only a user's own send, a follow and a guard purchase trigger auto-replies: two
// auto-replying users do not loop.
func TestE2ENoAutoReplyLoop(t *testing.T) {
	t.Parallel()
	// A period of 1ns: recv_reply would answer every message, so only the rule stops a loop.
	s := testkit.Start(t, testkit.Options{Rules: im.Config{RecvReplyPeriod: time.Nanosecond}})
	a, b := s.NewUser(6901, "a"), s.NewUser(6902, "b")
	for _, u := range []testkit.User{a, b} {
		e2eReplier(s, u, map[string]int{"keys_reply": 1, "recv_reply": 1, "followed_reply": 1})
		s.AddKeywordRule(u, "hi", "", "hi", fmt.Sprintf("hi from %d", u.Mid))
		s.SetReply(u, 3, fmt.Sprintf("recv from %d", u.Mid))
	}
	autos := func() []e2eMsg {
		h := e2eHistory(t, s, a, b.Mid)
		return append(e2eFrom(h, a.Mid, e2eSrcFollowed, e2eSrcRecv, e2eSrcKeyword, e2eSrcVoyage),
			e2eFrom(h, b.Mid, e2eSrcFollowed, e2eSrcRecv, e2eSrcKeyword, e2eSrcVoyage)...)
	}
	s.SendText(a, b.Mid, "hi")
	got := autos()
	if len(got) != 1 || got[0].SenderUID != b.Mid || got[0].MsgSource != e2eSrcKeyword || e2eTextOf(t, got[0]) != fmt.Sprintf("hi from %d", b.Mid) {
		t.Fatalf("one message: auto-replies %+v, want exactly b's keyword reply", got)
	}
	s.SendText(b, a.Mid, "hi")
	if got := autos(); len(got) != 2 || got[0].SenderUID != a.Mid {
		t.Errorf("b's message: auto-replies %+v, want exactly one more, from a", got)
	}
}

// No auto-reply answers a message that went to the dustbin, or a recall.
func TestE2ENoAutoReplyToDustbinOrRecall(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{Rules: im.Config{RecvReplyPeriod: time.Nanosecond}})
	up := s.NewUser(7001, "up")
	e2eReplier(s, up, map[string]int{"recv_reply": 1, "keys_reply": 1, "ai_intercept": 1})
	s.SetReply(up, 3, "auto")
	s.AddKeywordRule(up, "spam", "", "spam", "kw")
	s.AddBlockWord(up, "spam")

	// A block word: dustbin, no reply (neither keyword nor received-message).
	a := s.NewUser(7002, "a")
	s.SendText(a, up.Mid, "spam here")
	e2eWantDustbin(t, s, up, a.Mid)
	if got := e2eAutoReplies(t, s, a, up.Mid); len(got) != 0 {
		t.Errorf("a message in the dustbin got auto-replies: %+v", got)
	}
	// A later clean message in the intercepted session: still no reply.
	s.SendText(up, a.Mid, "hm?")
	s.SendText(a, up.Mid, "clean now")
	e2eWantDustbin(t, s, up, a.Mid)
	if got := e2eAutoReplies(t, s, a, up.Mid); len(got) != 0 {
		t.Errorf("a message into an intercepted session got auto-replies: %+v", got)
	}
	// The smart interception: dustbin, no reply.
	d := s.NewUser(7003, "d")
	s.SendText(d, up.Mid, "https://example.com")
	e2eWantDustbin(t, s, up, d.Mid)
	if got := e2eAutoReplies(t, s, d, up.Mid); len(got) != 0 {
		t.Errorf("a smart-intercepted message got auto-replies: %+v", got)
	}
	// Control: a clean stranger gets the reply.
	c := s.NewUser(7004, "c")
	s.SendText(c, up.Mid, "hello")
	if got := e2eAutoReplies(t, s, c, up.Mid); len(got) != 1 {
		t.Errorf("a clean message: auto-replies %+v, want 1", got)
	}
	// A recall gets no reply, though recv_reply answers every message here.
	f := s.NewUser(7005, "f")
	s.Follow(up.Mid, f.Mid, true)
	k := s.SendText(f, up.Mid, "oops")
	if got := e2eAutoReplies(t, s, f, up.Mid); len(got) != 1 {
		t.Fatalf("f's message: auto-replies %+v, want 1", got)
	}
	r := s.Post(f, testkit.PathSendMsg, testkit.SendForm(f.Mid, up.Mid, 5, e2eMid(k)))
	if code := r.Code(t); code != 0 {
		t.Fatalf("recall: code %d: %s", code, r.Body)
	}
	if got := e2eAutoReplies(t, s, f, up.Mid); len(got) != 1 {
		t.Errorf("a recall got an auto-reply: %+v", got)
	}
}

// send_msg answers the same with or without auto-replies, and the reply exists as soon
// as send_msg has answered.
func TestE2ESendAnswerWithAutoReply(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	fan := s.NewUser(7101, "fan")
	plain := s.NewUser(7102, "plain")
	up := s.NewUser(7103, "up")
	e2eReplier(s, up, map[string]int{"keys_reply": 1, "recv_reply": 1})
	s.AddKeywordRule(up, "hi", "", "你好", "kw")

	answer := func(to uint64) (map[string]json.RawMessage, uint64) {
		t.Helper()
		r := s.Post(fan, testkit.PathSendMsg, testkit.SendForm(fan.Mid, to, 1, testkit.Text("你好[doge]")))
		if c := r.Code(t); c != 0 {
			t.Fatalf("send: code %d: %s", c, r.Body)
		}
		var d map[string]json.RawMessage
		r.Data(t, &d)
		var k struct {
			MsgKey uint64 `json:"msg_key"`
		}
		r.Data(t, &k)
		return d, k.MsgKey
	}
	dPlain, _ := answer(plain.Mid)
	dUp, key := answer(up.Mid)
	// Everything but the key itself is the same.
	delete(dPlain, "msg_key")
	delete(dUp, "msg_key")
	jPlain, _ := json.Marshal(dPlain)
	jUp, _ := json.Marshal(dUp)
	if string(jPlain) != string(jUp) {
		t.Errorf("send_msg answer differs with an auto-reply:\nplain %s\nup    %s", jPlain, jUp)
	}
	// The answer's msg_key is the fan's message; the reply is already there, after it.
	h := e2eHistory(t, s, fan, up.Mid)
	mine := e2eFrom(h, fan.Mid, e2eSrcWeb)
	replies := e2eFrom(h, up.Mid, e2eSrcKeyword)
	if len(mine) != 1 || mine[0].MsgKey != key {
		t.Fatalf("send_msg's msg_key %d is not the fan's message: %+v", key, h)
	}
	if len(replies) != 1 || replies[0].MsgKey == key || replies[0].MsgSeqno <= mine[0].MsgSeqno {
		t.Errorf("the auto-reply is not stored right after the message: %+v", h)
	}
}

// The send rate limits are for clients: server-written replies are not limited and do
// not use up the replier's own allowance.
func TestE2EAutoReplyNotRateLimited(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{Rules: im.Config{BurstLimit: 2, BurstWindow: time.Minute,
		RecvReplyPeriod: time.Nanosecond}})
	up := s.NewUser(7201, "up")
	e2eReplier(s, up, map[string]int{"recv_reply": 1})
	s.SetReply(up, 3, "auto")
	for i := range 4 {
		fan := s.NewUser(uint64(7210+i), "fan")
		s.SendText(fan, up.Mid, "hi")
		if got := e2eAutoReplies(t, s, fan, up.Mid); len(got) != 1 {
			t.Errorf("fan %d: auto-replies %+v, want 1 (replies are not rate-limited)", i, got)
		}
	}
	// up's own allowance (2 per minute) is untouched by the 4 replies, and in force.
	other := s.NewUser(7220, "other")
	s.Follow(other.Mid, up.Mid, true) // other follows up: no one-message rule for up
	for i := range 2 {
		if code := e2eSend(t, s, up, other.Mid, "mine"); code != 0 {
			t.Errorf("up's own send %d: code %d, want 0", i, code)
		}
	}
	if code := e2eSend(t, s, up, other.Mid, "third"); code != 21020 {
		t.Errorf("up's third send within the window: code %d, want 21020", code)
	}
}
