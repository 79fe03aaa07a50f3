package wire_test

// End-to-end tests of fan groups (docs/groups.md) through HTTP: groups are created and
// run through the operator API, and their members use the bilibili API — send_msg with
// receiver_type 2, the session endpoints with session_type 2, my_group_unread. Every
// step is read back the way a client would: session_detail, get_sessions, new_sessions,
// fetch_session_msgs. Helpers are prefixed grp to keep clear of the other tests of the
// package.

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/internal/testkit"
)

// Values the documents fix (docs/groups.md, docs/operator-api.md).
const (
	grpFirstID    = 200000001
	grpSrcSystem  = 13
	grpSrcWeb     = 7
	grpNoFace     = "https://i0.hdslb.com/bfs/face/member/noface.jpg"
	grpTypeJoined = 306
	grpTypeLeft   = 302
	grpTypeFrozen = 303
	grpTypeEnded  = 304
	grpTypeOpened = 305
)

type grpMsg struct {
	SenderUID      uint64          `json:"sender_uid"`
	ReceiverType   int             `json:"receiver_type"`
	ReceiverID     uint64          `json:"receiver_id"`
	MsgType        int             `json:"msg_type"`
	Content        string          `json:"content"`
	MsgSeqno       uint64          `json:"msg_seqno"`
	Timestamp      int64           `json:"timestamp"`
	AtUIDs         json.RawMessage `json:"at_uids"`
	MsgKey         uint64          `json:"msg_key"`
	MsgStatus      int             `json:"msg_status"`
	NewFaceVersion *int            `json:"new_face_version"` // nil: key absent
	MsgSource      int             `json:"msg_source"`
}

type grpSession struct {
	TalkerID      uint64  `json:"talker_id"`
	SessionType   int     `json:"session_type"`
	AtSeqno       uint64  `json:"at_seqno"`
	TopTs         int64   `json:"top_ts"`
	GroupName     string  `json:"group_name"`
	GroupCover    string  `json:"group_cover"`
	IsFollow      int     `json:"is_follow"`
	IsDnd         int     `json:"is_dnd"`
	AckSeqno      uint64  `json:"ack_seqno"`
	AckTs         int64   `json:"ack_ts"`
	SessionTs     int64   `json:"session_ts"`
	UnreadCount   int64   `json:"unread_count"`
	LastMsg       *grpMsg `json:"last_msg"`
	GroupType     int     `json:"group_type"`
	CanFold       int     `json:"can_fold"`
	MaxSeqno      uint64  `json:"max_seqno"`
	Setting       int     `json:"setting"`
	IsIntercept   int     `json:"is_intercept"`
	IsTrust       int     `json:"is_trust"`
	SystemMsgType int     `json:"system_msg_type"`
	LiveStatus    int     `json:"live_status"`
}

type grpHistory struct {
	Messages []grpMsg `json:"messages"`
	HasMore  int      `json:"has_more"`
	MinSeqno uint64   `json:"min_seqno"`
	MaxSeqno uint64   `json:"max_seqno"`
}

func grpStr(n uint64) string { return strconv.FormatUint(n, 10) }

// grpKey names a session in a list: "g<id>" for a fan group, "u<mid>" for a user.
func grpKey(x grpSession) string {
	if x.SessionType == 2 {
		return "g" + grpStr(x.TalkerID)
	}
	return "u" + grpStr(x.TalkerID)
}

func grpKeys(list []grpSession) []string {
	out := []string{}
	for _, x := range list {
		out = append(out, grpKey(x))
	}
	return out
}

func grpG(id uint64) string { return "g" + grpStr(id) }
func grpU(id uint64) string { return "u" + grpStr(id) }

// grpDetailCode is session_detail of u's session with group gid, and its code.
func grpDetailCode(t *testing.T, s *testkit.Server, u testkit.User, gid uint64) (grpSession, int) {
	t.Helper()
	r := s.Get(u, testkit.PathSessionDetail, url.Values{"talker_id": {grpStr(gid)}, "session_type": {"2"}})
	c := r.Code(t)
	var d grpSession
	if c == 0 {
		r.Data(t, &d)
	}
	return d, c
}

// grpDetail is u's session with gid; the test fails unless there is one.
func grpDetail(t *testing.T, s *testkit.Server, u testkit.User, gid uint64) grpSession {
	t.Helper()
	d, c := grpDetailCode(t, s, u, gid)
	if c != 0 {
		t.Fatalf("session_detail of group %d as %d: code %d", gid, u.Mid, c)
	}
	if d.TalkerID != gid || d.SessionType != 2 {
		t.Fatalf("session_detail of group %d: talker %d type %d", gid, d.TalkerID, d.SessionType)
	}
	return d
}

// grpNoDetail asserts that u has no session with gid (1000004).
func grpNoDetail(t *testing.T, s *testkit.Server, u testkit.User, gid uint64) {
	t.Helper()
	if _, c := grpDetailCode(t, s, u, gid); c != 1000004 {
		t.Errorf("session_detail of group %d as %d: code %d, want 1000004", gid, u.Mid, c)
	}
}

// grpPage is one get_sessions or new_sessions answer.
func grpPage(t *testing.T, s *testkit.Server, u testkit.User, path string, q url.Values) ([]grpSession, int) {
	t.Helper()
	r := s.Get(u, path, q)
	if c := r.Code(t); c != 0 {
		t.Fatalf("%s %v as %d: code %d: %s", path, q, u.Mid, c, r.Body)
	}
	var d struct {
		SessionList []grpSession `json:"session_list"`
		HasMore     int          `json:"has_more"`
	}
	r.Data(t, &d)
	return d.SessionList, d.HasMore
}

// grpCat is get_sessions category cat (size 100) with extra parameters.
func grpCat(t *testing.T, s *testkit.Server, u testkit.User, cat int, extra url.Values) []grpSession {
	t.Helper()
	q := url.Values{"session_type": {strconv.Itoa(cat)}, "size": {"100"}}
	for k, v := range extra {
		q[k] = v
	}
	list, more := grpPage(t, s, u, testkit.PathGetSessions, q)
	if more != 0 {
		t.Fatalf("category %d: has_more with %d sessions", cat, len(list))
	}
	return list
}

// grpNew is new_sessions after begin (µs).
func grpNew(t *testing.T, s *testkit.Server, u testkit.User, begin int64) []grpSession {
	t.Helper()
	list, _ := grpPage(t, s, u, testkit.PathNewSessions, url.Values{"begin_ts": {strconv.FormatInt(begin, 10)},
		"size": {"100"}})
	return list
}

// grpFind returns the session of group gid in list.
func grpFind(list []grpSession, gid uint64) (grpSession, bool) {
	for _, x := range list {
		if x.SessionType == 2 && x.TalkerID == gid {
			return x, true
		}
	}
	return grpSession{}, false
}

// grpListed reports whether u's lists show group gid anywhere: categories 1, 3 and 4
// and new_sessions.
func grpListed(t *testing.T, s *testkit.Server, u testkit.User, gid uint64) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, cat := range []int{1, 3, 4} {
		_, ok := grpFind(grpCat(t, s, u, cat, url.Values{"group_fold": {"0"}}), gid)
		out["category "+strconv.Itoa(cat)] = ok
	}
	_, ok := grpFind(grpNew(t, s, u, 0), gid)
	out["new_sessions"] = ok
	return out
}

func grpWantListed(t *testing.T, s *testkit.Server, u testkit.User, gid uint64, want bool) {
	t.Helper()
	for where, ok := range grpListed(t, s, u, gid) {
		if ok != want {
			t.Errorf("group %d in %s of %d: %v, want %v", gid, where, u.Mid, ok, want)
		}
	}
}

// grpFetchCode is fetch_session_msgs of group gid as u with extra parameters.
func grpFetchCode(t *testing.T, s *testkit.Server, u testkit.User, gid uint64, extra url.Values) (grpHistory, int) {
	t.Helper()
	q := url.Values{"talker_id": {grpStr(gid)}, "session_type": {"2"}}
	for k, v := range extra {
		q[k] = v
	}
	r := s.Get(u, testkit.PathFetchMsgs, q)
	c := r.Code(t)
	var h grpHistory
	if c == 0 {
		r.Data(t, &h)
	}
	return h, c
}

func grpFetch(t *testing.T, s *testkit.Server, u testkit.User, gid uint64, extra url.Values) grpHistory {
	t.Helper()
	h, c := grpFetchCode(t, s, u, gid, extra)
	if c != 0 {
		t.Fatalf("fetch_session_msgs of group %d as %d: code %d", gid, u.Mid, c)
	}
	return h
}

// grpAll is the whole history u sees of gid (size 200), newest first.
func grpAll(t *testing.T, s *testkit.Server, u testkit.User, gid uint64) []grpMsg {
	t.Helper()
	return grpFetch(t, s, u, gid, url.Values{"size": {"200"}}).Messages
}

func grpSeqnos(msgs []grpMsg) []uint64 {
	out := []uint64{}
	for _, m := range msgs {
		out = append(out, m.MsgSeqno)
	}
	return out
}

// grpDown is the seqnos hi, hi-1, …, lo.
func grpDown(hi, lo uint64) []uint64 {
	out := []uint64{}
	for n := hi; n >= lo && n > 0; n-- {
		out = append(out, n)
	}
	return out
}

func grpMyUnread(t *testing.T, s *testkit.Server, u testkit.User) int64 {
	t.Helper()
	r := s.Get(u, testkit.PathMyGroupUnread, nil)
	if c := r.Code(t); c != 0 {
		t.Fatalf("my_group_unread: code %d: %s", c, r.Body)
	}
	var d struct {
		UnreadCount *int64 `json:"unread_count"`
	}
	r.Data(t, &d)
	if d.UnreadCount == nil {
		t.Fatalf("my_group_unread without unread_count: %s", r.Body)
	}
	return *d.UnreadCount
}

// grpSend sends a text to gid and returns its msg_key and the code.
func grpSend(t *testing.T, s *testkit.Server, u testkit.User, gid uint64, text string) (uint64, int) {
	t.Helper()
	r := s.Post(u, testkit.PathSendMsg, testkit.GroupForm(u.Mid, gid, 1, testkit.Text(text)))
	c := r.Code(t)
	var d struct {
		MsgKey uint64 `json:"msg_key"`
	}
	if c == 0 {
		r.Data(t, &d)
	}
	return d.MsgKey, c
}

func grpWantSendCode(t *testing.T, s *testkit.Server, u testkit.User, gid uint64, want int) {
	t.Helper()
	if _, c := grpSend(t, s, u, gid, "还有人吗"); c != want {
		t.Errorf("send to group %d as %d: code %d, want %d", gid, u.Mid, c, want)
	}
}

func grpWantFetchCode(t *testing.T, s *testkit.Server, u testkit.User, gid uint64, want int) {
	t.Helper()
	if _, c := grpFetchCode(t, s, u, gid, nil); c != want {
		t.Errorf("fetch group %d as %d: code %d, want %d", gid, u.Mid, c, want)
	}
}

// grpRecall recalls key in gid and returns the code.
func grpRecall(t *testing.T, s *testkit.Server, u testkit.User, gid, key uint64) int {
	t.Helper()
	return s.Post(u, testkit.PathSendMsg, testkit.GroupForm(u.Mid, gid, 5, grpStr(key))).Code(t)
}

// grpAck acks gid as u; seq "" leaves ack_seqno out.
func grpAck(t *testing.T, s *testkit.Server, u testkit.User, gid uint64, seq string) {
	t.Helper()
	f := url.Values{"talker_id": {grpStr(gid)}, "session_type": {"2"}}
	if seq != "" {
		f.Set("ack_seqno", seq)
	}
	s.MustOK(u, testkit.PathUpdateAck, f)
}

// grpPost posts a session form (talker_id, session_type 2 and extra) and wants code 0.
func grpPost(t *testing.T, s *testkit.Server, u testkit.User, path string, gid uint64, extra url.Values) {
	t.Helper()
	f := url.Values{"talker_id": {grpStr(gid)}, "session_type": {"2"}}
	for k, v := range extra {
		f[k] = v
	}
	s.MustOK(u, path, f)
}

func grpAdmin(t *testing.T, s *testkit.Server, method, path string, want int) {
	t.Helper()
	if st := s.Admin(method, path, nil, nil); st != want {
		t.Fatalf("%s %s: HTTP %d, want %d", method, path, st, want)
	}
}

// grpNotice checks that m is a system message of group gid (docs/groups.md, "System
// messages") of type typ at seqno seq saying text.
func grpNotice(t *testing.T, m grpMsg, gid, seq uint64, typ int, text string) {
	t.Helper()
	// The content is exactly {"group_id": id, "content": text}, HTML characters unescaped.
	content := `{"group_id":` + grpStr(gid) + `,"content":"` + text + `"}`
	if m.SenderUID != 0 || m.ReceiverType != 2 || m.ReceiverID != gid || m.MsgType != typ || m.MsgSeqno != seq ||
		m.MsgSource != grpSrcSystem || m.Content != content || m.MsgStatus != 0 {
		t.Errorf("system message: %+v\nwant type %d, seqno %d, content %s", m, typ, seq, content)
	}
	if m.NewFaceVersion != nil {
		t.Errorf("system message %d has new_face_version %d", seq, *m.NewFaceVersion)
	}
	if string(m.AtUIDs) != "null" {
		t.Errorf("system message %d: at_uids %s, want null", seq, m.AtUIDs)
	}
}

// grpText checks that m is a text of sender in gid at seqno seq with text and at_uids
// (as JSON).
func grpText(t *testing.T, m grpMsg, sender, gid, seq uint64, text, at string) {
	t.Helper()
	if m.SenderUID != sender || m.ReceiverType != 2 || m.ReceiverID != gid || m.MsgType != 1 ||
		m.MsgSeqno != seq || m.MsgSource != grpSrcWeb || m.Content != testkit.Text(text) {
		t.Errorf("text message: %+v\nwant sender %d, seqno %d, text %q", m, sender, seq, text)
	}
	if string(m.AtUIDs) != at {
		t.Errorf("message %d: at_uids %s, want %s", seq, m.AtUIDs, at)
	}
	if m.NewFaceVersion == nil || *m.NewFaceVersion != 1 {
		t.Errorf("message %d: new_face_version %v, want 1", seq, m.NewFaceVersion)
	}
}

// grpCounts checks a group session's read state.
func grpCounts(t *testing.T, who string, d grpSession, ack, maxSeq uint64, unread int64, at uint64) {
	t.Helper()
	if d.AckSeqno != ack || d.MaxSeqno != maxSeq || d.UnreadCount != unread || d.AtSeqno != at {
		t.Errorf("%s: ack %d max %d unread %d at %d, want ack %d max %d unread %d at %d", who, d.AckSeqno,
			d.MaxSeqno, d.UnreadCount, d.AtSeqno, ack, maxSeq, unread, at)
	}
}

func grpNowUs(s *testkit.Server) int64 { return s.App.FakeClock.Now().UnixMicro() }

// TestGroupLifecycle follows one group from its creation to its dissolution.
func TestGroupLifecycle(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	owner := s.NewUser(1001, "团长")
	a := s.NewUser(1002, "小红")
	b := s.NewUser(1003, "小蓝")
	c := s.NewUser(1004, "小绿")
	var seq uint64
	next := func() uint64 { seq++; return seq }

	// Creation: the owner is the first member and sees the 305 message.
	gid := s.NewGroup(owner.Mid, "")
	if gid != grpFirstID {
		t.Fatalf("first group id %d, want %d", gid, grpFirstID)
	}
	opened := next()
	d := grpDetail(t, s, owner, gid)
	if d.GroupName != "团长的应援团" || d.GroupCover != grpNoFace || d.GroupType != 0 || d.IsFollow != 0 ||
		d.CanFold != 0 || d.Setting != 0 || d.IsIntercept != 0 || d.IsTrust != 0 || d.SystemMsgType != 0 ||
		d.LiveStatus != 0 || d.TopTs != 0 || d.IsDnd != 0 {
		t.Errorf("owner's new group session: %+v", d)
	}
	grpCounts(t, "owner after creation", d, opened, opened, 0, 0)
	grpNotice(t, *d.LastMsg, gid, opened, grpTypeOpened, "团长的应援团开通啦 (>▽<)")
	if d.LastMsg.Timestamp != testkit.Epoch.Unix() || d.SessionTs < testkit.Epoch.UnixMicro() {
		t.Errorf("timestamp %d, session_ts %d at the epoch", d.LastMsg.Timestamp, d.SessionTs)
	}
	if got := grpKeys(grpCat(t, s, owner, 3, nil)); !slices.Equal(got, []string{grpG(gid)}) {
		t.Errorf("owner's category 3: %v", got)
	}
	if n := grpMyUnread(t, s, owner); n != 0 {
		t.Errorf("owner's my_group_unread %d after creation", n)
	}
	// Before joining, a knows nothing of the group.
	grpNoDetail(t, s, a, gid)
	grpWantListed(t, s, a, gid, false)
	grpWantFetchCode(t, s, a, gid, 700014)
	grpWantSendCode(t, s, a, gid, 700014)

	// Two members join: each is welcomed (306) and sees the group from that message on.
	s.Advance(time.Second)
	ownerTs := d.SessionTs
	s.Join(gid, a.Mid)
	welcomeA := next()
	da := grpDetail(t, s, a, gid)
	grpCounts(t, "a after joining", da, welcomeA, welcomeA, 0, 0)
	grpNotice(t, *da.LastMsg, gid, welcomeA, grpTypeJoined, "欢迎小红入群")
	if got := grpSeqnos(grpAll(t, s, a, gid)); !slices.Equal(got, []uint64{welcomeA}) {
		t.Errorf("a's history right after joining: %v, want only the welcome", got)
	}
	d = grpDetail(t, s, owner, gid)
	grpCounts(t, "owner after a joined", d, opened, welcomeA, 0, 0) // system messages are never unread
	if d.SessionTs <= ownerTs || d.LastMsg.MsgSeqno != welcomeA {
		t.Errorf("the welcome did not move the owner's session: ts %d (was %d), last %+v", d.SessionTs, ownerTs,
			d.LastMsg)
	}
	s.Join(gid, b.Mid)
	welcomeB := next()
	s.Join(gid, c.Mid)
	welcomeC := next()
	if got := grpSeqnos(grpAll(t, s, b, gid)); !slices.Equal(got, []uint64{welcomeC, welcomeB}) {
		t.Errorf("b's history: %v", got)
	}
	if got := grpSeqnos(grpAll(t, s, a, gid)); !slices.Equal(got, []uint64{welcomeC, welcomeB, welcomeA}) {
		t.Errorf("a's history: %v", got)
	}
	grpCounts(t, "a after b and c joined", grpDetail(t, s, a, gid), welcomeA, welcomeC, 0, 0)
	grpWantListed(t, s, a, gid, true)

	// Chat. The owner's message mentions nobody: at_uids null, one unread for the others.
	s.Advance(time.Second)
	s.SendGroupText(owner, gid, "大家好")
	hello := next()
	h := grpAll(t, s, a, gid)
	grpText(t, h[0], owner.Mid, gid, hello, "大家好", "null")
	if h[0].Timestamp != testkit.Epoch.Unix()+2 {
		t.Errorf("timestamp %d", h[0].Timestamp)
	}
	grpCounts(t, "owner after sending", grpDetail(t, s, owner, gid), hello, hello, 0, 0)
	for _, m := range []testkit.User{a, b, c} {
		grpCounts(t, "member after the owner's hello", grpDetail(t, s, m, gid), map[uint64]uint64{a.Mid: welcomeA,
			b.Mid: welcomeB, c.Mid: welcomeC}[m.Mid], hello, 1, 0)
	}
	if n := grpMyUnread(t, s, a); n != 1 {
		t.Errorf("a's my_group_unread %d, want 1", n)
	}
	// a mentions b, the owner and c; sending reads a's session.
	s.Advance(time.Second)
	s.SendGroupText(a, gid, "@小蓝 @团长 ＠小绿 看这里")
	look := next()
	grpText(t, grpAll(t, s, b, gid)[0], a.Mid, gid, look, "@小蓝 @团长 ＠小绿 看这里",
		fmt.Sprintf("[%d,%d,%d]", b.Mid, owner.Mid, c.Mid))
	grpCounts(t, "a after sending", grpDetail(t, s, a, gid), look, look, 0, 0)
	grpCounts(t, "b mentioned", grpDetail(t, s, b, gid), welcomeB, look, 2, look)
	grpCounts(t, "owner mentioned", grpDetail(t, s, owner, gid), hello, look, 1, look)
	grpCounts(t, "c mentioned", grpDetail(t, s, c, gid), welcomeC, look, 2, look)
	// The mention shows in the lists too.
	if x, ok := grpFind(grpCat(t, s, b, 3, nil), gid); !ok || x.AtSeqno != look || x.UnreadCount != 2 {
		t.Errorf("b's category 3 entry: %+v (listed %v)", x, ok)
	}
	// b reads up to the hello: the mention is still unread; then everything.
	grpAck(t, s, b, gid, grpStr(hello))
	grpCounts(t, "b acked the hello", grpDetail(t, s, b, gid), hello, look, 1, look)
	grpAck(t, s, b, gid, "")
	grpCounts(t, "b acked all", grpDetail(t, s, b, gid), look, look, 0, 0)
	s.SendGroupText(owner, gid, "@小红 收到")
	ack := next()
	grpCounts(t, "a mentioned back", grpDetail(t, s, a, gid), look, ack, 1, ack)
	grpCounts(t, "owner answered", grpDetail(t, s, owner, gid), ack, ack, 0, 0)

	// my_group_unread sums the groups: a second group with two unread messages for a.
	owner2 := s.NewUser(1005, "二团长")
	gid2 := s.NewGroup(owner2.Mid, "二团")
	if gid2 != grpFirstID+1 {
		t.Errorf("second group id %d", gid2)
	}
	s.Join(gid2, a.Mid)
	s.SendGroupText(owner2, gid2, "一")
	s.SendGroupText(owner2, gid2, "二")
	if d2 := grpDetail(t, s, a, gid2); d2.GroupName != "二团" || d2.UnreadCount != 2 || d2.MaxSeqno != 4 {
		t.Errorf("a's second group: %+v", d2)
	}
	for _, w := range []struct {
		u    testkit.User
		want int64
	}{{a, 3}, {b, 1}, {c, 3}, {owner, 0}, {owner2, 0}} {
		if n := grpMyUnread(t, s, w.u); n != w.want {
			t.Errorf("my_group_unread of %d: %d, want %d", w.u.Mid, n, w.want)
		}
	}
	if u := e2eUnreadOf(t, s, a); u != (e2eUnread{}) {
		t.Errorf("single_unread counts group messages: %+v", u)
	}
	if got := grpKeys(grpCat(t, s, a, 3, url.Values{"sort_rule": {"1"}})); !slices.Equal(got,
		[]string{grpG(gid2), grpG(gid)}) {
		t.Errorf("a's groups: %v", got)
	}

	// c leaves: c's session goes with the membership; the others see the 302.
	s.Advance(time.Second)
	grpAdmin(t, s, "DELETE", fmt.Sprintf("/admin/v1/groups/%d/members/%d", gid, c.Mid), 200)
	left := next()
	grpNoDetail(t, s, c, gid)
	grpWantListed(t, s, c, gid, false)
	grpWantFetchCode(t, s, c, gid, 700014)
	grpWantSendCode(t, s, c, gid, 700014)
	if n := grpMyUnread(t, s, c); n != 0 {
		t.Errorf("c's my_group_unread %d after leaving", n)
	}
	da = grpDetail(t, s, a, gid)
	grpCounts(t, "a after c left", da, look, left, 1, ack)
	grpNotice(t, *da.LastMsg, gid, left, grpTypeLeft, "小绿退出了应援团")
	grpNotice(t, grpAll(t, s, owner, gid)[0], gid, left, grpTypeLeft, "小绿退出了应援团")

	// b is removed by the owner.
	grpAdmin(t, s, "POST", fmt.Sprintf("/admin/v1/groups/%d/members/%d/remove", gid, b.Mid), 200)
	removed := next()
	grpNoDetail(t, s, b, gid)
	grpWantListed(t, s, b, gid, false)
	grpWantFetchCode(t, s, b, gid, 700014)
	grpWantSendCode(t, s, b, gid, 700014)
	grpNotice(t, *grpDetail(t, s, a, gid).LastMsg, gid, removed, grpTypeLeft, "小蓝被移出了应援团")
	if n := grpMyUnread(t, s, b); n != 0 {
		t.Errorf("b's my_group_unread %d after removal", n)
	}

	// c comes back: a new welcome, from which c sees the group; nothing of before.
	s.Join(gid, c.Mid)
	back := next()
	dc := grpDetail(t, s, c, gid)
	grpCounts(t, "c back", dc, back, back, 0, 0)
	grpNotice(t, *dc.LastMsg, gid, back, grpTypeJoined, "欢迎小绿入群")
	if got := grpSeqnos(grpAll(t, s, c, gid)); !slices.Equal(got, []uint64{back}) {
		t.Errorf("c's history after coming back: %v", got)
	}

	// Frozen: readable and ackable, nobody can send (21028), nothing is stored.
	s.Advance(time.Second)
	grpAdmin(t, s, "POST", fmt.Sprintf("/admin/v1/groups/%d/freeze", gid), 200)
	frozen := next()
	grpNotice(t, *grpDetail(t, s, a, gid).LastMsg, gid, frozen, grpTypeFrozen, "该应援团已被冻结")
	grpWantSendCode(t, s, a, gid, 21028)
	grpWantSendCode(t, s, owner, gid, 21028)
	grpWantSendCode(t, s, b, gid, 700014) // a non-member learns nothing
	if got := grpSeqnos(grpAll(t, s, a, gid)); got[0] != frozen {
		t.Errorf("a's history in the frozen group starts at %v", got)
	}
	grpAck(t, s, a, gid, "")
	grpCounts(t, "a acked in the frozen group", grpDetail(t, s, a, gid), frozen, frozen, 0, 0)
	grpAdmin(t, s, "POST", fmt.Sprintf("/admin/v1/groups/%d/unfreeze", gid), 200)
	unfrozen := next()
	grpNotice(t, *grpDetail(t, s, owner, gid).LastMsg, gid, unfrozen, grpTypeFrozen, "该应援团已解除冻结")
	s.SendGroupText(a, gid, "又能说话了")
	again := next()
	grpCounts(t, "owner after the thaw", grpDetail(t, s, owner, gid), ack, again, 1, 0)
	grpCounts(t, "c after the thaw", grpDetail(t, s, c, gid), back, again, 1, 0)

	// Dissolved: still listed with the 304 as last message; sending and history 700013;
	// acks and pins still work.
	s.Advance(time.Second)
	grpAdmin(t, s, "POST", fmt.Sprintf("/admin/v1/groups/%d/dissolve", gid), 200)
	ended := next()
	for _, m := range []testkit.User{owner, a, c} {
		dm := grpDetail(t, s, m, gid)
		grpNotice(t, *dm.LastMsg, gid, ended, grpTypeEnded, "该应援团已解散")
		if x, ok := grpFind(grpCat(t, s, m, 3, nil), gid); !ok || x.LastMsg == nil || x.LastMsg.MsgType != grpTypeEnded {
			t.Errorf("dissolved group in the list of %d: %+v (listed %v)", m.Mid, x, ok)
		}
		grpWantListed(t, s, m, gid, true)
		grpWantSendCode(t, s, m, gid, 700013)
		grpWantFetchCode(t, s, m, gid, 700013)
	}
	grpWantSendCode(t, s, b, gid, 700014) // never 700013 to a non-member
	grpWantFetchCode(t, s, b, gid, 700014)
	grpCounts(t, "owner in the dissolved group", grpDetail(t, s, owner, gid), ack, ended, 1, 0)
	grpAck(t, s, owner, gid, "")
	grpCounts(t, "owner acked the dissolved group", grpDetail(t, s, owner, gid), ended, ended, 0, 0)
	grpPost(t, s, owner, testkit.PathSetTop, gid, url.Values{"op_type": {"0"}})
	if top := grpDetail(t, s, owner, gid).TopTs; top < grpNowUs(s) {
		t.Errorf("pin in the dissolved group: top_ts %d", top)
	}
	if g := grpAdminGroup(t, s, gid); g.State != "dissolved" || g.MaxSeqno != ended || g.Members != 3 {
		t.Errorf("dissolved group: %+v", g)
	}
	if n := grpMyUnread(t, s, a); n != 2 {
		t.Errorf("a's my_group_unread %d at the end, want 2 (the second group's)", n)
	}
}

type grpAdminJSON struct {
	ID       uint64 `json:"id"`
	Name     string `json:"name"`
	State    string `json:"state"`
	Members  int64  `json:"members"`
	MaxSeqno uint64 `json:"max_seqno"`
}

func grpAdminGroup(t *testing.T, s *testkit.Server, gid uint64) grpAdminJSON {
	t.Helper()
	var g grpAdminJSON
	if st := s.Admin("GET", fmt.Sprintf("/admin/v1/groups/%d", gid), nil, &g); st != 200 {
		t.Fatalf("GET group %d: HTTP %d", gid, st)
	}
	return g
}

// TestGroupMentions: who a text @-mentions (docs/groups.md, "@-mentions").
func TestGroupMentions(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	owner := s.NewUser(2001, "团长")
	p := s.NewUser(2002, "发言人")
	ming := s.NewUser(2003, "小明")
	mingming := s.NewUser(2004, "小明明")
	hong1 := s.NewUser(2005, "小红")
	hong2 := s.NewUser(2006, "小红")
	outsider := s.NewUser(2007, "小黑")
	bob := s.NewUser(2008, "Bob")
	long := s.NewUser(2009, strings.Repeat("长", 64))
	gid := s.NewGroup(owner.Mid, "")
	for _, u := range []testkit.User{p, ming, mingming, hong1, hong2, bob, long} {
		s.Join(gid, u.Mid)
	}
	// say sends text as from and returns the stored message, as the owner reads it.
	say := func(from testkit.User, text string) grpMsg {
		t.Helper()
		key := s.SendGroupText(from, gid, text)
		m := grpFetch(t, s, owner, gid, url.Values{"size": {"1"}}).Messages[0]
		if m.MsgKey != key {
			t.Fatalf("latest message %d, sent %d", m.MsgKey, key)
		}
		return m
	}
	at := func(mids ...uint64) string {
		if len(mids) == 0 {
			return "null"
		}
		b, _ := json.Marshal(mids)
		return string(b)
	}
	for _, c := range []struct {
		text string
		want string
	}{
		{"@小明 你好", at(ming.Mid)},
		{"@小明，你好", at(ming.Mid)},
		{"@小明你好", at(ming.Mid)},
		{"＠小明 你好", at(ming.Mid)},
		{"@小明\u3000你好", at(ming.Mid)},
		{"你好@小明", at(ming.Mid)},
		{"@小明明", at(mingming.Mid)},
		{"@小明明你好", at(mingming.Mid)},
		{"@小明明明", at(mingming.Mid)},
		{"@小明@小明明", at(ming.Mid, mingming.Mid)},
		{"@小明明 @小明", at(mingming.Mid, ming.Mid)},
		{"@小明 @小明 ＠小明明 @小明明 @小明", at(ming.Mid, mingming.Mid)},
		{"@小黑 你好", at()},
		{"@路人甲 你好", at()},
		{"@小黑 @小明", at(ming.Mid)},
		{"@ 小明", at()},
		{"小明 你好", at()},
		{"@Bob hi", at(bob.Mid)},
		{"@bob hi", at()},
		{"@Ｂｏｂ hi", at()},
		{"@" + strings.Repeat("长", 64) + "你好", at(long.Mid)},
		{strings.Repeat("@路人 ", 19) + "@小明", at(ming.Mid)},
		{strings.Repeat("@路人 ", 20) + "@小明", at()},
		{strings.Repeat("@小明 ", 20) + "@小明明", at(ming.Mid)},
	} {
		if m := say(p, c.text); string(m.AtUIDs) != c.want {
			t.Errorf("%q: at_uids %s, want %s", c.text, m.AtUIDs, c.want)
		}
	}

	// at_seqno: the latest mention while it is unread.
	first := say(p, "@小明 看看").MsgSeqno
	if d := grpDetail(t, s, ming, gid); d.AtSeqno != first {
		t.Errorf("小明's at_seqno %d, want %d", d.AtSeqno, first)
	}
	if d := grpDetail(t, s, mingming, gid); d.AtSeqno == first {
		t.Errorf("小明明 got 小明's mention: %+v", d)
	}
	later := say(p, "@小明明 @小明 再看看").MsgSeqno
	say(p, "没人理我")
	for _, u := range []testkit.User{ming, mingming} {
		if d := grpDetail(t, s, u, gid); d.AtSeqno != later {
			t.Errorf("at_seqno of %d: %d, want the later mention %d", u.Mid, d.AtSeqno, later)
		}
	}
	grpAck(t, s, ming, gid, grpStr(later-1))
	if d := grpDetail(t, s, ming, gid); d.AtSeqno != later {
		t.Errorf("acked below the mention: at_seqno %d, want %d", d.AtSeqno, later)
	}
	grpAck(t, s, ming, gid, grpStr(later))
	if d := grpDetail(t, s, ming, gid); d.AtSeqno != 0 || d.UnreadCount != 1 {
		t.Errorf("acked the mention: at_seqno %d unread %d, want 0 and 1", d.AtSeqno, d.UnreadCount)
	}

	// Two members with the same name are both mentioned.
	m := say(p, "@小红 开会")
	var mids []uint64
	if err := json.Unmarshal(m.AtUIDs, &mids); err != nil {
		t.Fatalf("at_uids %s: %v", m.AtUIDs, err)
	}
	slices.Sort(mids)
	if !slices.Equal(mids, []uint64{hong1.Mid, hong2.Mid}) {
		t.Errorf("@小红: at_uids %s, want both 小红", m.AtUIDs)
	}
	for _, u := range []testkit.User{hong1, hong2} {
		if d := grpDetail(t, s, u, gid); d.AtSeqno != m.MsgSeqno {
			t.Errorf("小红 %d: at_seqno %d, want %d", u.Mid, d.AtSeqno, m.MsgSeqno)
		}
	}
	// A non-member is never mentioned, and gets no session.
	grpNoDetail(t, s, outsider, gid)

	// Mentioning myself lists me in at_uids but leaves my at_seqno alone.
	byMing := say(ming, "@发言人 你在吗").MsgSeqno
	if d := grpDetail(t, s, p, gid); d.AtSeqno != byMing {
		t.Errorf("发言人 mentioned: at_seqno %d, want %d", d.AtSeqno, byMing)
	}
	self := say(p, "@发言人 在")
	if string(self.AtUIDs) != at(p.Mid) {
		t.Errorf("self-mention: at_uids %s", self.AtUIDs)
	}
	say(ming, "好的")
	if d := grpDetail(t, s, p, gid); d.AtSeqno != 0 || d.UnreadCount != 1 {
		t.Errorf("after mentioning myself: at_seqno %d unread %d, want 0 and 1", d.AtSeqno, d.UnreadCount)
	}

	// 1:1 messages never carry at_uids, even with an @name in them.
	s.SendText(p, ming.Mid, "@小明 私聊")
	r := s.Get(ming, testkit.PathFetchMsgs, url.Values{"talker_id": {grpStr(p.Mid)}, "session_type": {"1"}})
	var h grpHistory
	r.Data(t, &h)
	if len(h.Messages) != 1 || string(h.Messages[0].AtUIDs) != "null" {
		t.Errorf("1:1 history: %+v", h.Messages)
	}
}

// TestGroupMentionTokens: only the first 20 '@' of a text are looked at (docs/groups.md),
// whether or not a name follows them.
func TestGroupMentionTokens(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	owner := s.NewUser(2101, "团长")
	ming := s.NewUser(2102, "小明")
	gid := s.NewGroup(owner.Mid, "")
	s.Join(gid, ming.Mid)
	check := func(t *testing.T, text, want string) {
		t.Helper()
		key := s.SendGroupText(owner, gid, text)
		m := grpFetch(t, s, owner, gid, url.Values{"size": {"1"}}).Messages[0]
		if m.MsgKey != key || string(m.AtUIDs) != want {
			t.Errorf("%q: at_uids %s, want %s", text, m.AtUIDs, want)
		}
	}
	check(t, strings.Repeat("@ ", 19)+"@小明", fmt.Sprintf("[%d]", ming.Mid))
	t.Run("bare @ count", func(t *testing.T) {
		// Bare '@'s count toward the first 20 too (docs/groups.md).
		check(t, strings.Repeat("@ ", 20)+"@小明", "null")
		check(t, strings.Repeat("@", 20)+" @小明", "null")
	})
}

// grpThree is a server with an owner, members a and b, and group gid (seqnos 1–3).
func grpThree(t *testing.T) (s *testkit.Server, owner, a, b testkit.User, gid uint64) {
	t.Helper()
	s = testkit.Start(t, testkit.Options{})
	owner = s.NewUser(3001, "团长")
	a = s.NewUser(3002, "小红")
	b = s.NewUser(3003, "小蓝")
	gid = s.NewGroup(owner.Mid, "")
	s.Join(gid, a.Mid)
	s.Join(gid, b.Mid)
	return s, owner, a, b, gid
}

func TestGroupAck(t *testing.T) {
	t.Parallel()
	s, owner, a, b, gid := grpThree(t)
	c := s.NewUser(3004, "小绿")
	outsider := s.NewUser(3005, "路人")
	for _, text := range []string{"四", "五", "六"} {
		s.SendGroupText(b, gid, text)
	}
	s.Join(gid, c.Mid) // 7: a system message in the middle
	s.SendGroupText(b, gid, "八")
	s.SendGroupText(owner, gid, "九")
	grpCounts(t, "a before acking", grpDetail(t, s, a, gid), 2, 9, 5, 0)
	if n := grpMyUnread(t, s, a); n != 5 {
		t.Errorf("my_group_unread %d, want 5", n)
	}

	s.Advance(time.Second)
	grpAck(t, s, a, gid, "5")
	d := grpDetail(t, s, a, gid)
	grpCounts(t, "acked 5", d, 5, 9, 3, 0)
	if d.AckTs != grpNowUs(s) {
		t.Errorf("ack_ts %d, want now %d", d.AckTs, grpNowUs(s))
	}
	grpAck(t, s, a, gid, "7") // acking onto the system message
	grpCounts(t, "acked 7", grpDetail(t, s, a, gid), 7, 9, 2, 0)
	grpAck(t, s, a, gid, "6")
	grpCounts(t, "acked 6 (backwards)", grpDetail(t, s, a, gid), 7, 9, 2, 0)
	for _, back := range []string{"3", "1", "0"} {
		s.Advance(time.Second)
		before := grpDetail(t, s, a, gid).AckTs
		grpAck(t, s, a, gid, back)
		d = grpDetail(t, s, a, gid)
		grpCounts(t, "acked backwards to "+back, d, 7, 9, 2, 0)
		if d.AckTs <= before || d.AckTs < grpNowUs(s) {
			t.Errorf("backward ack %s: ack_ts %d (was %d), want updated", back, d.AckTs, before)
		}
	}
	if n := grpMyUnread(t, s, a); n != 2 {
		t.Errorf("my_group_unread %d, want 2", n)
	}
	grpAck(t, s, a, gid, "1000")
	grpCounts(t, "acked beyond the end", grpDetail(t, s, a, gid), 9, 9, 0, 0)
	// Clamped: the next message is unread.
	s.SendGroupText(b, gid, "十")
	grpCounts(t, "after clamp", grpDetail(t, s, a, gid), 9, 10, 1, 0)
	s.SendGroupText(b, gid, "十一")
	grpAck(t, s, a, gid, "")
	grpCounts(t, "acked without ack_seqno", grpDetail(t, s, a, gid), 11, 11, 0, 0)
	s.SendGroupText(b, gid, "十二")
	s.MustOK(a, testkit.PathUpdateAck, url.Values{"talker_id": {grpStr(gid)}, "session_type": {"2"}, "ack_seqno": {""}})
	grpCounts(t, "acked with an empty ack_seqno", grpDetail(t, s, a, gid), 12, 12, 0, 0)

	// Mid-history with a mention: unread recomputed from the acked message.
	s.SendGroupText(b, gid, "@小红 十三")
	s.SendGroupText(b, gid, "十四")
	s.SendGroupText(owner, gid, "十五")
	grpCounts(t, "mentioned at 13", grpDetail(t, s, a, gid), 12, 15, 3, 13)
	grpAck(t, s, a, gid, "13")
	grpCounts(t, "acked the mention", grpDetail(t, s, a, gid), 13, 15, 2, 0)
	// c, who joined at 7, counts only from there: 8, 9, 10, 11, 12, 13, 14, 15.
	grpCounts(t, "c", grpDetail(t, s, c, gid), 7, 15, 8, 0)
	grpAck(t, s, c, gid, "3") // below c's welcome
	grpCounts(t, "c acked below its welcome", grpDetail(t, s, c, gid), 7, 15, 8, 0)
	grpAck(t, s, c, gid, "10")
	grpCounts(t, "c acked 10", grpDetail(t, s, c, gid), 10, 15, 5, 0)

	// A non-member's ack answers 0 and changes nothing.
	grpAck(t, s, outsider, gid, "")
	grpNoDetail(t, s, outsider, gid)
	grpAck(t, s, outsider, 999999999, "")
	// Ids are parsed like every id.
	for _, bad := range []string{"x", "-1", ""} {
		r := s.Post(a, testkit.PathUpdateAck, url.Values{"talker_id": {bad}, "session_type": {"2"}})
		if code := r.Code(t); code != -400 {
			t.Errorf("update_ack talker_id %q: code %d, want -400", bad, code)
		}
	}
}

func TestGroupTopAndDND(t *testing.T) {
	t.Parallel()
	s, owner, a, b, gid := grpThree(t)
	outsider := s.NewUser(3005, "路人")
	// A user whose mid is the group's id: settings of the one never touch the other.
	twin := s.NewUser(gid, "同号")
	s.SendText(twin, a.Mid, "你好")

	s.Advance(time.Minute)
	pinAt := grpNowUs(s)
	grpPost(t, s, a, testkit.PathSetTop, gid, url.Values{"op_type": {"0"}})
	d := grpDetail(t, s, a, gid)
	if d.TopTs < pinAt || d.TopTs > pinAt+1000 {
		t.Errorf("top_ts %d, want about %d", d.TopTs, pinAt)
	}
	s.Advance(time.Minute)
	grpPost(t, s, a, testkit.PathSetTop, gid, url.Values{"op_type": {"0"}})
	if top := grpDetail(t, s, a, gid).TopTs; top != d.TopTs {
		t.Errorf("pinning again moved top_ts %d → %d", d.TopTs, top)
	}
	if top := grpDetail(t, s, b, gid).TopTs; top != 0 {
		t.Errorf("a's pin shows for b: %d", top)
	}
	if x, ok := grpFind(grpCat(t, s, a, 3, nil), gid); !ok || x.TopTs != d.TopTs {
		t.Errorf("pin in the list: %+v", x)
	}
	if sess, ok := e2eDetail(t, s, a, twin.Mid); !ok || sess.MaxSeqno == 0 {
		t.Fatalf("a's session with the user %d is missing", twin.Mid)
	}
	grpPost(t, s, a, testkit.PathSetTop, gid, url.Values{"op_type": {"1"}})
	if top := grpDetail(t, s, a, gid).TopTs; top != 0 {
		t.Errorf("unpinned: top_ts %d", top)
	}
	// A non-member pins nothing (answer 0).
	grpPost(t, s, outsider, testkit.PathSetTop, gid, url.Values{"op_type": {"0"}})
	grpNoDetail(t, s, outsider, gid)

	dnd := func(u testkit.User) (group, user int) {
		t.Helper()
		r := s.Get(u, testkit.PathGetMsgDnd, url.Values{"own_uid": {grpStr(u.Mid)}, "group_ids": {grpStr(gid)},
			"uids": {grpStr(gid)}})
		if c := r.Code(t); c != 0 {
			t.Fatalf("get_msg_dnd: code %d: %s", c, r.Body)
		}
		var out struct {
			UIDSettings   []struct{ ID, Setting uint64 } `json:"uid_settings"`
			GroupSettings []struct{ ID, Setting uint64 } `json:"group_settings"`
		}
		r.Data(t, &out)
		if len(out.GroupSettings) != 1 || out.GroupSettings[0].ID != gid || len(out.UIDSettings) != 1 ||
			out.UIDSettings[0].ID != gid {
			t.Fatalf("get_msg_dnd: %s", r.Body)
		}
		return int(out.GroupSettings[0].Setting), int(out.UIDSettings[0].Setting)
	}
	setDnd := func(u testkit.User, on string) {
		t.Helper()
		s.MustOK(u, testkit.PathSetMsgDnd, url.Values{"uid": {grpStr(u.Mid)}, "dnd_group_id": {grpStr(gid)},
			"setting": {on}})
	}
	if g, u := dnd(a); g != 0 || u != 0 {
		t.Errorf("initial DND: group %d user %d", g, u)
	}
	setDnd(a, "1")
	if g, u := dnd(a); g != 1 || u != 0 {
		t.Errorf("group DND on: group %d user %d, want 1 and 0", g, u)
	}
	if d := grpDetail(t, s, a, gid); d.IsDnd != 1 {
		t.Errorf("is_dnd %d", d.IsDnd)
	}
	if g, _ := dnd(b); g != 0 {
		t.Errorf("a's DND shows for b")
	}
	// DND does not change counts.
	s.SendGroupText(owner, gid, "打扰一下")
	if d := grpDetail(t, s, a, gid); d.UnreadCount != 1 {
		t.Errorf("unread under DND: %d", d.UnreadCount)
	}
	if n := grpMyUnread(t, s, a); n != 1 {
		t.Errorf("my_group_unread under DND: %d", n)
	}
	setDnd(a, "0")
	if g, _ := dnd(a); g != 0 {
		t.Errorf("DND off: %d", g)
	}
	if d := grpDetail(t, s, a, gid); d.IsDnd != 0 {
		t.Errorf("is_dnd %d after off", d.IsDnd)
	}
	// A non-member sets nothing and reads the default.
	setDnd(outsider, "1")
	if g, _ := dnd(outsider); g != 0 {
		t.Errorf("non-member's DND: %d", g)
	}
}

func TestGroupRemoveSession(t *testing.T) {
	t.Parallel()
	s, owner, a, b, gid := grpThree(t)
	c := s.NewUser(3004, "小绿")
	s.SendGroupText(b, gid, "一")
	s.SendGroupText(owner, gid, "二")
	if n := grpMyUnread(t, s, a); n != 2 {
		t.Fatalf("my_group_unread %d, want 2", n)
	}
	remove := func() {
		t.Helper()
		grpPost(t, s, a, testkit.PathRemoveSession, gid, nil)
	}
	remove()
	grpWantListed(t, s, a, gid, false)
	if n := grpMyUnread(t, s, a); n != 0 {
		t.Errorf("my_group_unread %d after removing the session", n)
	}
	grpCounts(t, "removed (read)", grpDetail(t, s, a, gid), 5, 5, 0, 0)
	if got := grpSeqnos(grpAll(t, s, a, gid)); !slices.Equal(got, []uint64{5, 4, 3, 2}) {
		t.Errorf("history after removal: %v", got)
	}
	grpWantListed(t, s, b, gid, true) // only a's session is hidden

	// A system message brings it back, read.
	s.Join(gid, c.Mid)
	grpWantListed(t, s, a, gid, true)
	x, _ := grpFind(grpCat(t, s, a, 3, nil), gid)
	grpCounts(t, "back after a welcome", x, 5, 6, 0, 0)

	// So does a member's message, unread.
	remove()
	grpWantListed(t, s, a, gid, false)
	s.SendGroupText(b, gid, "七")
	grpWantListed(t, s, a, gid, true)
	x, _ = grpFind(grpCat(t, s, a, 3, nil), gid)
	grpCounts(t, "back after a message", x, 6, 7, 1, 0)
	if n := grpMyUnread(t, s, a); n != 1 {
		t.Errorf("my_group_unread %d, want 1", n)
	}

	// And freezing.
	remove()
	grpAdmin(t, s, "POST", fmt.Sprintf("/admin/v1/groups/%d/freeze", gid), 200)
	grpWantListed(t, s, a, gid, true)

	// A non-member removes nothing.
	outsider := s.NewUser(3005, "路人")
	grpPost(t, s, outsider, testkit.PathRemoveSession, gid, nil)
	grpNoDetail(t, s, outsider, gid)
}

// TestGroupSessionLists: categories, folding, sort rules and new_sessions with user and
// group sessions mixed.
func TestGroupSessionLists(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	m := s.NewUser(4001, "我")
	friend := s.NewUser(4002, "好友")
	stranger := s.NewUser(4003, "路人")
	o1, o2, o3 := s.NewUser(4011, "一团长"), s.NewUser(4012, "二团长"), s.NewUser(4013, "三团长")
	g1, g2, g3 := s.NewGroup(o1.Mid, ""), s.NewGroup(o2.Mid, ""), s.NewGroup(o3.Mid, "")
	s.Follow(m.Mid, friend.Mid, true)
	s.Follow(friend.Mid, m.Mid, true)
	// m joins g2, g3, g1 in that order…
	for _, g := range []uint64{g2, g3, g1} {
		s.Advance(time.Second)
		s.Join(g, m.Mid)
	}
	// …and the activity is, oldest first: stranger, g2, friend, g3, g1.
	step := func(f func()) { s.Advance(time.Second); f() }
	step(func() { s.SendText(stranger, m.Mid, "你好") })
	step(func() { s.SendGroupText(o2, g2, "二") })
	step(func() { s.SendText(friend, m.Mid, "在吗") })
	step(func() { s.SendGroupText(o3, g3, "三") })
	step(func() { s.SendGroupText(o1, g1, "一") })
	F, Z := grpU(friend.Mid), grpU(stranger.Mid)
	G1, G2, G3 := grpG(g1), grpG(g2), grpG(g3)
	all := []string{G1, G3, F, G2, Z}
	check := func(name string, got, want []string) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
	}
	cat := func(c int, kv ...string) []string {
		t.Helper()
		q := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			q.Set(kv[i], kv[i+1])
		}
		return grpKeys(grpCat(t, s, m, c, q))
	}

	// Category 3: groups only; by join time unless sort_rule is 1, 2 or 3.
	joinOrder := []string{G2, G3, G1}
	check("category 3", cat(3), joinOrder)
	check("category 3, sort_rule 0", cat(3, "sort_rule", "0"), joinOrder)
	check("category 3, sort_rule 4", cat(3, "sort_rule", "4"), joinOrder)
	check("category 3, sort_rule 1", cat(3, "sort_rule", "1"), []string{G1, G3, G2})
	check("category 3, sort_rule 2", cat(3, "sort_rule", "2"), []string{G1, G3, G2})
	byTs := map[string]int64{}
	for _, x := range grpCat(t, s, m, 1, nil) {
		byTs[grpKey(x)] = x.SessionTs
	}
	// Bounds apply to session_ts in join order too.
	check("category 3 before g1's session_ts", cat(3, "end_ts", strconv.FormatInt(byTs[G1], 10)), []string{G2, G3})
	check("category 3 after g2's session_ts", cat(3, "begin_ts", strconv.FormatInt(byTs[G2], 10)), []string{G3, G1})

	// Categories 1 and 4 merge users and groups by session_ts, unless folded.
	check("category 1", cat(1), all)
	check("category 4", cat(4), all)
	check("category 1, group_fold 0", cat(1, "group_fold", "0"), all)
	check("category 1, group_fold 1", cat(1, "group_fold", "1"), []string{F, Z})
	check("category 4, group_fold 1", cat(4, "group_fold", "1"), []string{F, Z})
	for _, c := range []int{2, 8} {
		check("category "+strconv.Itoa(c), cat(c, "group_fold", "0"), []string{Z})
	}
	check("category 9", cat(9, "group_fold", "0"), []string{F})
	check("category 5", cat(5, "group_fold", "0"), []string{})
	// Without group_fold, is_group_fold decides.
	s.SetPrefs(m, map[string]int{"is_group_fold": 1})
	check("category 1, is_group_fold 1", cat(1), []string{F, Z})
	check("category 4, is_group_fold 1", cat(4), []string{F, Z})
	check("category 1, is_group_fold 1, group_fold 0", cat(1, "group_fold", "0"), all)
	check("category 3, is_group_fold 1", cat(3), joinOrder)
	s.SetPrefs(m, map[string]int{"is_group_fold": 0})
	check("category 1, is_group_fold 0", cat(1), all)

	// sort_rule 3: by ack_ts.
	for _, k := range []struct {
		talker uint64
		typ    string
	}{{stranger.Mid, "1"}, {g1, "2"}, {g2, "2"}, {g3, "2"}, {friend.Mid, "1"}} {
		s.Advance(time.Second)
		s.MustOK(m, testkit.PathUpdateAck, url.Values{"talker_id": {grpStr(k.talker)}, "session_type": {k.typ}})
	}
	check("category 3, sort_rule 3", cat(3, "sort_rule", "3"), []string{G3, G2, G1})
	check("category 1, sort_rule 3", cat(1, "sort_rule", "3"), []string{F, G3, G2, G1, Z})
	check("category 1 still by session_ts", cat(1), all)

	// new_sessions: groups whose session_ts is after begin_ts.
	check("new_sessions from 0", grpKeys(grpNew(t, s, m, 0)), all)
	check("new_sessions after the friend", grpKeys(grpNew(t, s, m, byTs[F])), []string{G1, G3})
	check("new_sessions after g1", grpKeys(grpNew(t, s, m, byTs[G1])), []string{})

	// The other members' views are theirs: o1 lists only g1.
	check("o1's category 1", grpKeys(grpCat(t, s, o1, 1, nil)), []string{G1})
	// A group session is a session: o1's empty category 2 is not an empty address list.
	r := s.Get(o1, testkit.PathGetSessions, url.Values{"session_type": {"2"}})
	var empty struct {
		SessionList        []grpSession `json:"session_list"`
		IsAddressListEmpty int          `json:"is_address_list_empty"`
	}
	r.Data(t, &empty)
	if len(empty.SessionList) != 0 || empty.IsAddressListEmpty != 0 {
		t.Errorf("o1's category 2: %s", r.Body)
	}
}

// TestGroupSessionPaging pages through merged user and group sessions with end_ts.
func TestGroupSessionPaging(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	m := s.NewUser(5001, "我")
	var want []string // newest first
	for i := range 5 {
		s.Advance(time.Second)
		o := s.NewUser(uint64(5100+i), "团长"+strconv.Itoa(i))
		g := s.NewGroup(o.Mid, "")
		s.Join(g, m.Mid)
		s.Advance(time.Second)
		u := s.NewUser(uint64(5200+i), "朋友"+strconv.Itoa(i))
		s.SendText(u, m.Mid, "你好")
		want = append([]string{grpU(u.Mid), grpG(g)}, want...)
	}
	for _, size := range []int{1, 2, 3, 4, 7, 10, 11} {
		var got []string
		var hasMore []int
		end := int64(0)
		for range 20 {
			q := url.Values{"session_type": {"1"}, "size": {strconv.Itoa(size)}}
			if end != 0 {
				q.Set("end_ts", strconv.FormatInt(end, 10))
			}
			page, more := grpPage(t, s, m, testkit.PathGetSessions, q)
			got = append(got, grpKeys(page)...)
			hasMore = append(hasMore, more)
			if more == 0 || len(page) == 0 {
				break
			}
			end = page[len(page)-1].SessionTs
		}
		if !slices.Equal(got, want) {
			t.Errorf("size %d: paged %v, want %v", size, got, want)
		}
		pages := (len(want) + size - 1) / size
		wantMore := slices.Repeat([]int{1}, pages-1)
		wantMore = append(wantMore, 0)
		if !slices.Equal(hasMore, wantMore) {
			t.Errorf("size %d: has_more %v, want %v", size, hasMore, wantMore)
		}
	}
	// Category 3 pages too.
	page, more := grpPage(t, s, m, testkit.PathGetSessions, url.Values{"session_type": {"3"}, "size": {"3"},
		"sort_rule": {"1"}})
	if len(page) != 3 || more != 1 {
		t.Fatalf("category 3 first page: %d sessions, has_more %d", len(page), more)
	}
	rest, more := grpPage(t, s, m, testkit.PathGetSessions, url.Values{"session_type": {"3"}, "size": {"3"},
		"sort_rule": {"1"}, "end_ts": {strconv.FormatInt(page[2].SessionTs, 10)}})
	var groups []string
	for _, k := range want {
		if k[0] == 'g' {
			groups = append(groups, k)
		}
	}
	if got := append(grpKeys(page), grpKeys(rest)...); !slices.Equal(got, groups) || more != 0 {
		t.Errorf("category 3 pages: %v (has_more %d), want %v", got, more, groups)
	}
}

// TestGroupReceiveSwitch: should_receive_group 0 hides the counts, not the sessions;
// single_unread never counts groups.
func TestGroupReceiveSwitch(t *testing.T) {
	t.Parallel()
	s, owner, a, b, gid := grpThree(t)
	o2 := s.NewUser(3010, "二团长")
	gid2 := s.NewGroup(o2.Mid, "")
	s.Join(gid2, a.Mid)
	s.SendGroupText(b, gid, "@小红 一")
	s.SendGroupText(owner, gid, "二")
	s.SendGroupText(o2, gid2, "三")
	check := func(name string, unread1, at1, unread2, total int64) {
		t.Helper()
		d1, d2 := grpDetail(t, s, a, gid), grpDetail(t, s, a, gid2)
		if d1.UnreadCount != unread1 || int64(d1.AtSeqno) != at1 || d2.UnreadCount != unread2 {
			t.Errorf("%s: detail unread %d at %d / unread %d, want %d %d / %d", name, d1.UnreadCount, d1.AtSeqno,
				d2.UnreadCount, unread1, at1, unread2)
		}
		list := grpCat(t, s, a, 3, nil)
		x1, ok1 := grpFind(list, gid)
		x2, ok2 := grpFind(list, gid2)
		if !ok1 || !ok2 || x1.UnreadCount != unread1 || int64(x1.AtSeqno) != at1 || x2.UnreadCount != unread2 {
			t.Errorf("%s: list %+v", name, list)
		}
		if n := grpMyUnread(t, s, a); n != total {
			t.Errorf("%s: my_group_unread %d, want %d", name, n, total)
		}
		if u := e2eUnreadOf(t, s, a); u != (e2eUnread{}) {
			t.Errorf("%s: single_unread %+v counts groups", name, u)
		}
	}
	check("receiving", 2, 4, 1, 3)
	s.SetPrefs(a, map[string]int{"should_receive_group": 0})
	check("not receiving", 0, 0, 0, 0)
	grpWantListed(t, s, a, gid, true)
	if got := grpSeqnos(grpAll(t, s, a, gid)); !slices.Equal(got, []uint64{5, 4, 3, 2}) {
		t.Errorf("history while not receiving: %v", got)
	}
	s.SendGroupText(owner, gid, "六")
	check("not receiving, one more", 0, 0, 0, 0)
	s.SetPrefs(a, map[string]int{"should_receive_group": 1})
	check("receiving again", 3, 4, 1, 4)

	// single_unread counts 1:1 messages only.
	s.SendText(b, a.Mid, "私信")
	if u := e2eUnreadOf(t, s, a); u.Unfollow != 1 || u.Follow != 0 {
		t.Errorf("single_unread with one 1:1 message: %+v", u)
	}
	if n := grpMyUnread(t, s, a); n != 4 {
		t.Errorf("my_group_unread %d, want 4", n)
	}
}

func TestGroupFetchWindows(t *testing.T) {
	t.Parallel()
	s, owner, a, _, gid := grpThree(t)
	for i := 4; i <= 12; i++ {
		s.SendGroupText(owner, gid, "第"+strconv.Itoa(i)+"条")
	}
	// a joined at 2: a sees 2–12, the owner 1–12.
	for _, c := range []struct {
		name       string
		q          url.Values
		want       []uint64
		more       int
		viewer     testkit.User
		minS, maxS uint64
	}{
		{"default", nil, grpDown(12, 2), 0, a, 2, 12},
		{"default, owner", nil, grpDown(12, 1), 0, owner, 1, 12},
		{"size 3", url.Values{"size": {"3"}}, grpDown(12, 10), 1, a, 10, 12},
		{"size 11", url.Values{"size": {"11"}}, grpDown(12, 2), 0, a, 2, 12},
		{"size 11, owner", url.Values{"size": {"11"}}, grpDown(12, 2), 1, owner, 2, 12},
		{"end 10", url.Values{"end_seqno": {"10"}, "size": {"3"}}, grpDown(9, 7), 1, a, 7, 9},
		{"end 5", url.Values{"end_seqno": {"5"}, "size": {"3"}}, grpDown(4, 2), 0, a, 2, 4},
		{"end 5, owner", url.Values{"end_seqno": {"5"}, "size": {"3"}}, grpDown(4, 2), 1, owner, 2, 4},
		{"end 2", url.Values{"end_seqno": {"2"}}, []uint64{}, 0, a, 0, 0},
		{"begin 8", url.Values{"begin_seqno": {"8"}, "size": {"3"}}, grpDown(11, 9), 1, a, 9, 11},
		{"begin 9", url.Values{"begin_seqno": {"9"}, "size": {"3"}}, grpDown(12, 10), 0, a, 10, 12},
		{"begin 12", url.Values{"begin_seqno": {"12"}}, []uint64{}, 0, a, 0, 0},
		{"begin 0", url.Values{"begin_seqno": {"0"}, "size": {"2"}}, grpDown(12, 11), 1, a, 11, 12},
		{"begin below the welcome", url.Values{"begin_seqno": {"1"}, "size": {"3"}}, grpDown(4, 2), 1, a, 2, 4},
		{"between 3 and 10", url.Values{"begin_seqno": {"3"}, "end_seqno": {"10"}, "size": {"3"}}, grpDown(9, 7), 1,
			a, 7, 9},
		{"between 6 and 10", url.Values{"begin_seqno": {"6"}, "end_seqno": {"10"}, "size": {"5"}}, grpDown(9, 7), 0,
			a, 7, 9},
		{"between, below the welcome", url.Values{"begin_seqno": {"0"}, "end_seqno": {"4"}}, grpDown(3, 2), 0, a, 2, 3},
	} {
		h := grpFetch(t, s, c.viewer, gid, c.q)
		if got := grpSeqnos(h.Messages); !slices.Equal(got, c.want) || h.HasMore != c.more {
			t.Errorf("%s: %v has_more %d, want %v has_more %d", c.name, got, h.HasMore, c.want, c.more)
		}
		if len(c.want) == 0 {
			c.minS = ^uint64(0)
		}
		if h.MinSeqno != c.minS || h.MaxSeqno != c.maxS {
			t.Errorf("%s: min %d max %d, want %d %d", c.name, h.MinSeqno, h.MaxSeqno, c.minS, c.maxS)
		}
	}
	// size=0 returns nothing (groups have no hints).
	r := s.Get(a, testkit.PathFetchMsgs, url.Values{"talker_id": {grpStr(gid)}, "session_type": {"2"}, "size": {"0"}})
	if c := r.Code(t); c != 0 {
		t.Fatalf("size 0: code %d", c)
	}
	var raw struct {
		Messages json.RawMessage `json:"messages"`
		HasMore  int             `json:"has_more"`
	}
	r.Data(t, &raw)
	if string(raw.Messages) != "null" || raw.HasMore != 0 {
		t.Errorf("size 0: %s", r.Body)
	}
	if _, c := grpFetchCode(t, s, a, gid, url.Values{"size": {"-1"}}); c != 2 {
		t.Errorf("size -1: code %d, want 2", c)
	}
	// Reading marks nothing read.
	grpCounts(t, "a after reading history", grpDetail(t, s, a, gid), 2, 12, 9, 0)

	// Sizes above 200 are clamped.
	for i := 13; i <= 205; i++ {
		s.SendGroupText(owner, gid, strconv.Itoa(i))
	}
	h := grpFetch(t, s, a, gid, url.Values{"size": {"500"}})
	if got := grpSeqnos(h.Messages); !slices.Equal(got, grpDown(205, 6)) || h.HasMore != 1 {
		t.Errorf("size 500: %d messages %d…, has_more %d", len(got), got[0], h.HasMore)
	}
	h = grpFetch(t, s, a, gid, url.Values{"size": {"500"}, "end_seqno": {"6"}})
	if got := grpSeqnos(h.Messages); !slices.Equal(got, grpDown(5, 2)) || h.HasMore != 0 {
		t.Errorf("the rest: %v has_more %d", got, h.HasMore)
	}
}

func TestGroupRecall(t *testing.T) {
	t.Parallel()
	s, owner, a, b, gid := grpThree(t)
	// A 1:1 message of a, whose key must not be recallable in the group.
	private := s.SendText(a, b.Mid, "私信")

	// The answer to a group text has the shape of a 1:1 one.
	r0 := s.MustOK(a, testkit.PathSendMsg, testkit.GroupForm(a.Mid, gid, 1, testkit.Text("说错了"))) // 4
	var ans struct {
		MsgKey      uint64          `json:"msg_key"`
		MsgContent  *string         `json:"msg_content"`
		KeyHitInfos json.RawMessage `json:"key_hit_infos"`
	}
	r0.Data(t, &ans)
	// No key_hit_infos for a group text: bilibili sends it only for texts to a user.
	if ans.MsgKey == 0 || ans.MsgContent == nil || *ans.MsgContent != testkit.Text("说错了") ||
		ans.KeyHitInfos != nil {
		t.Errorf("send answer: %s", r0.Body)
	}
	key := ans.MsgKey
	s.Advance(120 * time.Second)
	if c := grpRecall(t, s, b, gid, key); c != 10005 {
		t.Errorf("b recalls a's message: code %d, want 10005", c)
	}
	if c := grpRecall(t, s, a, gid, private); c != 10005 {
		t.Errorf("recall of a 1:1 message in the group: code %d, want 10005", c)
	}
	mine := grpAll(t, s, a, gid)
	sys := mine[len(mine)-1] // a's welcome
	if c := grpRecall(t, s, a, gid, sys.MsgKey); c != 10005 {
		t.Errorf("recall of a system message: code %d, want 10005", c)
	}
	if c := grpRecall(t, s, a, gid, 12345); c != 10005 {
		t.Errorf("recall of an unknown key: code %d, want 10005", c)
	}
	if c := grpRecall(t, s, a, gid, key); c != 0 { // exactly 120 s later
		t.Fatalf("recall after 120 s: code %d", c)
	}
	h := grpAll(t, s, b, gid)
	if len(h) < 2 {
		t.Fatalf("history %v", grpSeqnos(h))
	}
	rc, orig := h[0], h[1]
	if rc.MsgType != 5 || rc.SenderUID != a.Mid || rc.Content != grpStr(key) || rc.MsgSeqno != 5 ||
		rc.ReceiverType != 2 || rc.ReceiverID != gid || string(rc.AtUIDs) != "null" {
		t.Errorf("recall message: %+v", rc)
	}
	if orig.MsgKey != key || orig.MsgStatus != 1 || orig.Content != testkit.Text("说错了") {
		t.Errorf("recalled message: %+v", orig)
	}
	// The recall is the last message but never unread: b and the owner have one unread.
	for _, u := range []testkit.User{b, owner} {
		d := grpDetail(t, s, u, gid)
		if d.UnreadCount != 1 || d.MaxSeqno != 5 || d.LastMsg == nil || d.LastMsg.MsgType != 5 {
			t.Errorf("%d after the recall: %+v", u.Mid, d)
		}
	}
	grpCounts(t, "a after the recall", grpDetail(t, s, a, gid), 5, 5, 0, 0)
	if c := grpRecall(t, s, a, gid, key); c != 21042 {
		t.Errorf("second recall: code %d, want 21042", c)
	}

	late := s.SendGroupText(a, gid, "这条撤不回") // 6
	s.Advance(121 * time.Second)
	if c := grpRecall(t, s, a, gid, late); c != 21041 {
		t.Errorf("recall after 121 s: code %d, want 21041", c)
	}
	if d := grpDetail(t, s, b, gid); d.MaxSeqno != 6 {
		t.Errorf("a refused recall stored something: max_seqno %d", d.MaxSeqno)
	}
	// Images are recalled alike.
	img := `{"url":"https://i0.hdslb.com/bfs/im/x.png","height":100,"width":100,"imageType":"png","original":1,"size":12.5}`
	r := s.MustOK(a, testkit.PathSendMsg, testkit.GroupForm(a.Mid, gid, 2, img))
	var sent struct {
		MsgKey uint64 `json:"msg_key"`
	}
	r.Data(t, &sent)
	if c := grpRecall(t, s, a, gid, sent.MsgKey); c != 0 {
		t.Errorf("recall of an image: code %d", c)
	}
	if h := grpAll(t, s, b, gid); h[1].MsgType != 2 || h[1].MsgStatus != 1 || h[1].Content != img || h[0].MsgType != 5 {
		t.Errorf("recalled image: %+v", h[:2])
	}

	// Recalling in another group: 10005; as a non-member: 700014. (An official group.)
	o2 := s.NewUser(3010, "二团长")
	s.SetFans(o2.Mid, 1000)
	var g2 struct {
		ID uint64 `json:"id"`
	}
	if st := s.Admin("POST", "/admin/v1/groups", map[string]any{"owner": o2.Mid, "type": 2,
		"cover": "https://i0.hdslb.com/g.png"}, &g2); st != 200 {
		t.Fatalf("create official group: HTTP %d", st)
	}
	gid2 := g2.ID
	s.Join(gid2, a.Mid)
	if d := grpDetail(t, s, a, gid2); d.GroupType != 2 || d.GroupCover != "https://i0.hdslb.com/g.png" ||
		d.GroupName != "二团长的应援团" {
		t.Errorf("official group session: %+v", d)
	}
	k2 := s.SendGroupText(a, gid2, "另一个团")
	if c := grpRecall(t, s, a, gid, k2); c != 10005 {
		t.Errorf("recall of another group's message: code %d, want 10005", c)
	}
	if c := grpRecall(t, s, b, gid2, k2); c != 700014 {
		t.Errorf("recall by a non-member: code %d, want 700014", c)
	}
	if c := grpRecall(t, s, a, gid2, k2); c != 0 {
		t.Errorf("recall in the second group: code %d", c)
	}
}

// TestGroupSeqnos: each group has its own dense sequence; 1:1 seqnos are untouched.
func TestGroupSeqnos(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	o1, o2 := s.NewUser(6001, "一团长"), s.NewUser(6002, "二团长")
	x := s.NewUser(6003, "小明")
	g1 := s.NewGroup(o1.Mid, "")
	s.SendText(o1, o2.Mid, "你好")
	g2 := s.NewGroup(o2.Mid, "")
	s.Join(g1, x.Mid)
	s.Join(g2, x.Mid)
	s.SendText(o2, o1.Mid, "你好呀")
	for i := range 3 {
		s.SendGroupText(o1, g1, "一"+strconv.Itoa(i))
		s.SendGroupText(x, g2, "二"+strconv.Itoa(i))
		s.SendGroupText(x, g1, "三"+strconv.Itoa(i))
	}
	s.SendText(o1, o2.Mid, "再见")
	if got := grpSeqnos(grpAll(t, s, o1, g1)); !slices.Equal(got, grpDown(8, 1)) {
		t.Errorf("group 1 seqnos: %v", got)
	}
	if got := grpSeqnos(grpAll(t, s, o2, g2)); !slices.Equal(got, grpDown(5, 1)) {
		t.Errorf("group 2 seqnos: %v", got)
	}
	if d := grpDetail(t, s, x, g1); d.MaxSeqno != 8 || d.AckSeqno != 8 {
		t.Errorf("x in group 1: %+v", d)
	}
	if d := grpDetail(t, s, o2, g2); d.MaxSeqno != 5 || d.UnreadCount != 3 {
		t.Errorf("o2 in group 2: %+v", d)
	}
	// One counter for all 1:1 conversations, from 10^15 (o1 also sees the hint of the
	// one-message rule): consecutive, the groups took none of it.
	hist := e2eHistory(t, s, o1, o2.Mid)
	if len(hist) != 4 {
		t.Fatalf("1:1 history: %+v", hist)
	}
	base := hist[3].MsgSeqno
	var got []uint64
	for _, m := range hist {
		got = append(got, m.MsgSeqno)
	}
	if base < 1_000_000_000_000_000 || !slices.Equal(got, grpDown(base+3, base)) {
		t.Errorf("1:1 seqnos: %v", got)
	}
	if sess := e2eMustDetail(t, s, o1, o2.Mid); sess.MaxSeqno != base+3 {
		t.Errorf("1:1 max_seqno %d", sess.MaxSeqno)
	}
}
