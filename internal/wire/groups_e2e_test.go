package wire_test

// End-to-end tests of fan groups (docs/groups.md) through HTTP: groups are created and
// run through the operator API, and their members use the bilibili API through the
// client package (client/) as any program would — SendText and Recall to a
// client.Group, Ack, SetTop, SetDND and RemoveSession on it, MyGroupUnread. Every step
// is read back the way a client would, with the typed client.Session, client.Message and
// client.History: SessionDetail, Sessions, NewSessions, Messages.
//
// A few checks are about facts of the JSON that the typed client cannot see: at_uids
// null rather than [] or [n], new_face_version or key_hit_infos absent rather than 0 or
// null, unread_count present, and requests the client does not send (a parameter given
// as 0 or empty, or left out where the client always sends it). Those stay on the raw
// HTTP of testkit, each saying why. Helpers are prefixed grp to keep clear of the other
// tests of the package.

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/client"
	"github.com/bilimsg/bilimsg/client/operator"
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

// grpErrUnavailable is 21028 (the group is frozen) for errors.Is: the client has a code
// for it (CodeGroupUnavailable) but no sentinel.
var grpErrUnavailable = &client.Error{Code: client.CodeGroupUnavailable}

// grpWho is a user of a test as both APIs see them: c, a client logged in as the user,
// for everything the typed client can say; the embedded testkit.User and s for the raw
// HTTP of the JSON-level checks it cannot make.
type grpWho struct {
	testkit.User
	c *client.Client
	s *testkit.Server
}

// grpNewUser creates a user with a login, and a client logged in as them.
func grpNewUser(s *testkit.Server, mid uint64, name string) grpWho {
	s.TB.Helper()
	u := s.NewUser(mid, name)
	return grpWho{User: u, c: s.Client(u), s: s}
}

// grpOK fails the test on an error.
func grpOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func grpStr(n uint64) string { return strconv.FormatUint(n, 10) }

// grpDetail is w's session with gid; the test fails unless there is one.
func grpDetail(t *testing.T, w grpWho, gid uint64) client.Session {
	t.Helper()
	d, err := w.c.SessionDetail(t.Context(), client.Group(gid))
	if err != nil {
		t.Fatalf("session_detail of group %d as %d: %v", gid, w.Mid, err)
	}
	if d.TalkerID != gid || d.SessionType != client.SessionGroup {
		t.Fatalf("session_detail of group %d: talker %d type %d", gid, d.TalkerID, d.SessionType)
	}
	return *d
}

// grpNoDetail asserts that w has no session with gid: the server refuses with 1000004.
func grpNoDetail(t *testing.T, w grpWho, gid uint64) {
	t.Helper()
	_, err := w.c.SessionDetail(t.Context(), client.Group(gid))
	// The client reports an answer of code 0 with data null as ErrNoSession too; only a
	// refusal of the server has an HTTP status.
	var e *client.Error
	if !errors.Is(err, client.ErrNoSession) || !errors.As(err, &e) || e.HTTPStatus == 0 {
		t.Errorf("session_detail of group %d as %d: %v, want the server's 1000004", gid, w.Mid, err)
	}
}

// grpPage is one get_sessions page of w, and its has_more.
func grpPage(t *testing.T, w grpWho, opt client.SessionsOptions) ([]client.Session, int) {
	t.Helper()
	p, err := w.c.Sessions(t.Context(), opt)
	if err != nil {
		t.Fatalf("get_sessions category %d as %d: %v", opt.Category, w.Mid, err)
	}
	return p.Sessions, p.HasMore
}

// grpCat is a whole get_sessions category of w: one page of size 100 (unless opt sets
// the size) with has_more 0.
func grpCat(t *testing.T, w grpWho, opt client.SessionsOptions) []client.Session {
	t.Helper()
	if opt.Size == 0 {
		opt.Size = 100
	}
	list, more := grpPage(t, w, opt)
	if more != 0 {
		t.Fatalf("category %d: has_more with %d sessions", opt.Category, len(list))
	}
	return list
}

// grpRawCat is grpCat for a request the client does not send, with exactly the
// parameters q, decoded into the client's types.
func grpRawCat(t *testing.T, w grpWho, q url.Values) []client.Session {
	t.Helper()
	r := w.s.Get(w.User, testkit.PathGetSessions, q)
	if c := r.Code(t); c != 0 {
		t.Fatalf("get_sessions %v as %d: code %d: %s", q, w.Mid, c, r.Body)
	}
	var p client.SessionPage
	r.Data(t, &p)
	if p.HasMore != 0 {
		t.Fatalf("get_sessions %v: has_more with %d sessions", q, len(p.Sessions))
	}
	return p.Sessions
}

// grpNew is new_sessions of w after begin (µs).
func grpNew(t *testing.T, w grpWho, begin int64) []client.Session {
	t.Helper()
	p, err := w.c.NewSessions(t.Context(), begin, 100)
	if err != nil {
		t.Fatalf("new_sessions as %d: %v", w.Mid, err)
	}
	return p.Sessions
}

// grpTalkers names the sessions of a list.
func grpTalkers(list []client.Session) []client.Talker {
	out := []client.Talker{}
	for _, x := range list {
		out = append(out, x.Talker())
	}
	return out
}

// grpFind returns the session of group gid in list.
func grpFind(list []client.Session, gid uint64) (client.Session, bool) {
	i := slices.IndexFunc(list, func(x client.Session) bool { return x.Talker() == client.Group(gid) })
	if i < 0 {
		return client.Session{}, false
	}
	return list[i], true
}

// grpListed reports whether w's lists show group gid anywhere: categories 1, 3 and 4
// (unfolded) and new_sessions.
func grpListed(t *testing.T, w grpWho, gid uint64) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, cat := range []int{client.CategoryFollowed, client.CategoryGroups, client.CategoryAll} {
		_, ok := grpFind(grpCat(t, w, client.SessionsOptions{Category: cat, GroupFold: new(false)}), gid)
		out["category "+strconv.Itoa(cat)] = ok
	}
	_, ok := grpFind(grpNew(t, w, 0), gid)
	out["new_sessions"] = ok
	return out
}

func grpWantListed(t *testing.T, w grpWho, gid uint64, want bool) {
	t.Helper()
	for where, ok := range grpListed(t, w, gid) {
		if ok != want {
			t.Errorf("group %d in %s of %d: %v, want %v", gid, where, w.Mid, ok, want)
		}
	}
}

// grpHistory is a window of the history w sees of gid.
func grpHistory(t *testing.T, w grpWho, gid uint64, opt client.HistoryOptions) client.History {
	t.Helper()
	h, err := w.c.Messages(t.Context(), client.Group(gid), opt)
	if err != nil {
		t.Fatalf("fetch_session_msgs of group %d as %d: %v", gid, w.Mid, err)
	}
	return *h
}

// grpAll is the whole history w sees of gid (size 200), newest first.
func grpAll(t *testing.T, w grpWho, gid uint64) []client.Message {
	t.Helper()
	return grpHistory(t, w, gid, client.HistoryOptions{Size: 200}).Messages
}

// grpFetchRaw is fetch_session_msgs of gid as w with exactly the parameters q (besides
// talker_id and session_type 2), decoded into out. It is for requests the client does
// not send — it always sends a size (20 for 0) and never a begin_seqno or end_seqno of
// 0 — and for answers whose JSON matters.
func grpFetchRaw(t *testing.T, w grpWho, gid uint64, q url.Values, out any) testkit.Raw {
	t.Helper()
	f := url.Values{"talker_id": {grpStr(gid)}, "session_type": {"2"}}
	maps.Copy(f, q)
	r := w.s.Get(w.User, testkit.PathFetchMsgs, f)
	if c := r.Code(t); c != 0 {
		t.Fatalf("fetch_session_msgs of group %d as %d with %v: code %d", gid, w.Mid, q, c)
	}
	r.Data(t, out)
	return r
}

func grpSeqnos(msgs []client.Message) []uint64 {
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

// grpMyUnread is w's my_group_unread.
func grpMyUnread(t *testing.T, w grpWho) int64 {
	t.Helper()
	n, err := w.c.MyGroupUnread(t.Context())
	if err != nil {
		t.Fatalf("my_group_unread as %d: %v", w.Mid, err)
	}
	if n == 0 {
		// The client reads an absent (or null) unread_count as 0: the raw answer must have it.
		r := w.s.Get(w.User, testkit.PathMyGroupUnread, nil)
		var d struct {
			UnreadCount *int64 `json:"unread_count"`
		}
		r.Data(t, &d)
		if d.UnreadCount == nil || *d.UnreadCount != 0 {
			t.Fatalf("my_group_unread without unread_count 0: %s", r.Body)
		}
	}
	return n
}

// grpSingleUnread is w's single_unread, dustbin included.
func grpSingleUnread(t *testing.T, w grpWho) client.SingleUnread {
	t.Helper()
	u, err := w.c.SingleUnread(t.Context(), client.UnreadOptions{ShowDustbin: true})
	if err != nil {
		t.Fatalf("single_unread as %d: %v", w.Mid, err)
	}
	return *u
}

// grpSend sends a text to gid as w and returns its msg_key; the test fails on an error.
func grpSend(t *testing.T, w grpWho, gid uint64, text string) uint64 {
	t.Helper()
	res, err := w.c.SendText(t.Context(), client.Group(gid), text)
	if err != nil {
		t.Fatalf("send %q to group %d as %d: %v", text, gid, w.Mid, err)
	}
	return res.MsgKey
}

// grpWantSendErr asserts that a text of w to gid is refused with want.
func grpWantSendErr(t *testing.T, w grpWho, gid uint64, want error) {
	t.Helper()
	if _, err := w.c.SendText(t.Context(), client.Group(gid), "还有人吗"); !errors.Is(err, want) {
		t.Errorf("send to group %d as %d: %v, want %v", gid, w.Mid, err, want)
	}
}

// grpWantFetchErr asserts that reading gid's history as w is refused with want.
func grpWantFetchErr(t *testing.T, w grpWho, gid uint64, want error) {
	t.Helper()
	if _, err := w.c.Messages(t.Context(), client.Group(gid), client.HistoryOptions{}); !errors.Is(err, want) {
		t.Errorf("fetch group %d as %d: %v, want %v", gid, w.Mid, err, want)
	}
}

// grpAckRaw acks gid as w with ack_seqno exactly seq: for "0" and "", which the client
// does not send (Ack with seqno 0 leaves the parameter out: everything is read).
func grpAckRaw(t *testing.T, w grpWho, gid uint64, seq string) {
	t.Helper()
	w.s.MustOK(w.User, testkit.PathUpdateAck, url.Values{"talker_id": {grpStr(gid)}, "session_type": {"2"},
		"ack_seqno": {seq}})
}

// grpSetState freezes, unfreezes or dissolves gid through the operator API.
func grpSetState(t *testing.T, s *testkit.Server, gid uint64, action string) {
	t.Helper()
	if _, err := s.Operator().SetGroupState(t.Context(), gid, action); err != nil {
		t.Fatalf("%s group %d: %v", action, gid, err)
	}
}

// grpJSON is what the typed client.Message cannot show of a message: at_uids as sent
// (null, [] and [0] differ on the wire; client.Message.AtUIDs has length 0 for both of
// the first two) and whether new_face_version is there at all (the client reads an
// absent one as 0).
type grpJSON struct {
	MsgSeqno       uint64          `json:"msg_seqno"`
	MsgKey         uint64          `json:"msg_key"`
	AtUIDs         json.RawMessage `json:"at_uids"`
	NewFaceVersion *int            `json:"new_face_version"` // nil: key absent
}

// grpLastJSON is the last_msg of w's session_detail of gid, as JSON.
func grpLastJSON(t *testing.T, w grpWho, gid uint64) grpJSON {
	t.Helper()
	r := w.s.Get(w.User, testkit.PathSessionDetail, url.Values{"talker_id": {grpStr(gid)}, "session_type": {"2"}})
	if c := r.Code(t); c != 0 {
		t.Fatalf("session_detail of group %d as %d: code %d", gid, w.Mid, c)
	}
	var d struct {
		LastMsg *grpJSON `json:"last_msg"`
	}
	r.Data(t, &d)
	if d.LastMsg == nil {
		t.Fatalf("session_detail of group %d as %d without last_msg: %s", gid, w.Mid, r.Body)
	}
	return *d.LastMsg
}

// grpNewestJSON is the newest message of gid that w sees, as JSON.
func grpNewestJSON(t *testing.T, w grpWho, gid uint64) grpJSON {
	t.Helper()
	var h struct {
		Messages []grpJSON `json:"messages"`
	}
	r := grpFetchRaw(t, w, gid, url.Values{"size": {"1"}}, &h)
	if len(h.Messages) != 1 {
		t.Fatalf("newest message of group %d as %d: %s", gid, w.Mid, r.Body)
	}
	return h.Messages[0]
}

// grpNotice checks that m is a system message of group gid (docs/groups.md, "System
// messages") of type typ at seqno seq saying text; j is the same message as JSON.
func grpNotice(t *testing.T, m client.Message, j grpJSON, gid, seq uint64, typ int, text string) {
	t.Helper()
	// The content is exactly {"group_id": id, "content": text}, HTML characters unescaped.
	content := `{"group_id":` + grpStr(gid) + `,"content":"` + text + `"}`
	if m.SenderUID != 0 || m.ReceiverType != 2 || m.ReceiverID != gid || m.MsgType != typ || m.MsgSeqno != seq ||
		m.MsgSource != grpSrcSystem || m.Content != content || m.MsgStatus != 0 {
		t.Errorf("system message: %+v\nwant type %d, seqno %d, content %s", m, typ, seq, content)
	}
	if j.MsgSeqno != seq {
		t.Fatalf("JSON of message %d, want %d", j.MsgSeqno, seq)
	}
	if j.NewFaceVersion != nil {
		t.Errorf("system message %d has new_face_version %d", seq, *j.NewFaceVersion)
	}
	if string(j.AtUIDs) != "null" {
		t.Errorf("system message %d: at_uids %s, want null", seq, j.AtUIDs)
	}
}

// grpText checks that m is a text of sender in gid at seqno seq with text, and that its
// JSON j has at_uids at.
func grpText(t *testing.T, m client.Message, j grpJSON, sender, gid, seq uint64, text, at string) {
	t.Helper()
	if m.SenderUID != sender || m.ReceiverType != 2 || m.ReceiverID != gid || m.MsgType != 1 ||
		m.MsgSeqno != seq || m.MsgSource != grpSrcWeb || m.Content != testkit.Text(text) {
		t.Errorf("text message: %+v\nwant sender %d, seqno %d, text %q", m, sender, seq, text)
	}
	if m.NewFaceVersion != 1 {
		t.Errorf("message %d: new_face_version %v, want 1", seq, m.NewFaceVersion)
	}
	if j.MsgSeqno != seq {
		t.Fatalf("JSON of message %d, want %d", j.MsgSeqno, seq)
	}
	if string(j.AtUIDs) != at {
		t.Errorf("message %d: at_uids %s, want %s", seq, j.AtUIDs, at)
	}
}

// grpCounts checks a group session's read state.
func grpCounts(t *testing.T, who string, d client.Session, ack, maxSeq uint64, unread int64, at uint64) {
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
	ctx := t.Context()
	s := testkit.Start(t, testkit.Options{})
	op := s.Operator()
	owner := grpNewUser(s, 1001, "团长")
	a := grpNewUser(s, 1002, "小红")
	b := grpNewUser(s, 1003, "小蓝")
	c := grpNewUser(s, 1004, "小绿")
	var seq uint64
	next := func() uint64 { seq++; return seq }

	// Creation: the owner is the first member and sees the 305 message.
	gid := s.NewGroup(owner.Mid, "")
	if gid != grpFirstID {
		t.Fatalf("first group id %d, want %d", gid, grpFirstID)
	}
	g := client.Group(gid)
	opened := next()
	d := grpDetail(t, owner, gid)
	if d.GroupName != "团长的应援团" || d.GroupCover != grpNoFace || d.GroupType != 0 || d.IsFollow != 0 ||
		d.CanFold != 0 || d.Setting != 0 || d.IsIntercept != 0 || d.IsTrust != 0 || d.SystemMsgType != 0 ||
		d.LiveStatus != 0 || d.TopTs != 0 || d.IsDnd != 0 {
		t.Errorf("owner's new group session: %+v", d)
	}
	grpCounts(t, "owner after creation", d, opened, opened, 0, 0)
	grpNotice(t, *d.LastMsg, grpLastJSON(t, owner, gid), gid, opened, grpTypeOpened, "团长的应援团开通啦 (>▽<)")
	if d.LastMsg.Timestamp != testkit.Epoch.Unix() || d.SessionTs < testkit.Epoch.UnixMicro() {
		t.Errorf("timestamp %d, session_ts %d at the epoch", d.LastMsg.Timestamp, d.SessionTs)
	}
	if got := grpTalkers(grpCat(t, owner, client.SessionsOptions{Category: client.CategoryGroups})); !slices.Equal(got,
		[]client.Talker{g}) {
		t.Errorf("owner's category 3: %v", got)
	}
	if n := grpMyUnread(t, owner); n != 0 {
		t.Errorf("owner's my_group_unread %d after creation", n)
	}
	// Before joining, a knows nothing of the group.
	grpNoDetail(t, a, gid)
	grpWantListed(t, a, gid, false)
	grpWantFetchErr(t, a, gid, client.ErrNotGroupMember)
	grpWantSendErr(t, a, gid, client.ErrNotGroupMember)

	// Two members join: each is welcomed (306) and sees the group from that message on.
	s.Advance(time.Second)
	ownerTs := d.SessionTs
	s.Join(gid, a.Mid)
	welcomeA := next()
	da := grpDetail(t, a, gid)
	grpCounts(t, "a after joining", da, welcomeA, welcomeA, 0, 0)
	grpNotice(t, *da.LastMsg, grpLastJSON(t, a, gid), gid, welcomeA, grpTypeJoined, "欢迎小红入群")
	if got := grpSeqnos(grpAll(t, a, gid)); !slices.Equal(got, []uint64{welcomeA}) {
		t.Errorf("a's history right after joining: %v, want only the welcome", got)
	}
	d = grpDetail(t, owner, gid)
	grpCounts(t, "owner after a joined", d, opened, welcomeA, 0, 0) // system messages are never unread
	if d.SessionTs <= ownerTs || d.LastMsg.MsgSeqno != welcomeA {
		t.Errorf("the welcome did not move the owner's session: ts %d (was %d), last %+v", d.SessionTs, ownerTs,
			d.LastMsg)
	}
	s.Join(gid, b.Mid)
	welcomeB := next()
	s.Join(gid, c.Mid)
	welcomeC := next()
	if got := grpSeqnos(grpAll(t, b, gid)); !slices.Equal(got, []uint64{welcomeC, welcomeB}) {
		t.Errorf("b's history: %v", got)
	}
	if got := grpSeqnos(grpAll(t, a, gid)); !slices.Equal(got, []uint64{welcomeC, welcomeB, welcomeA}) {
		t.Errorf("a's history: %v", got)
	}
	grpCounts(t, "a after b and c joined", grpDetail(t, a, gid), welcomeA, welcomeC, 0, 0)
	grpWantListed(t, a, gid, true)

	// Chat. The owner's message mentions nobody: at_uids null, one unread for the others.
	s.Advance(time.Second)
	grpSend(t, owner, gid, "大家好")
	hello := next()
	h := grpAll(t, a, gid)
	grpText(t, h[0], grpNewestJSON(t, a, gid), owner.Mid, gid, hello, "大家好", "null")
	if h[0].Timestamp != testkit.Epoch.Unix()+2 {
		t.Errorf("timestamp %d", h[0].Timestamp)
	}
	grpCounts(t, "owner after sending", grpDetail(t, owner, gid), hello, hello, 0, 0)
	for _, m := range []grpWho{a, b, c} {
		grpCounts(t, "member after the owner's hello", grpDetail(t, m, gid), map[uint64]uint64{a.Mid: welcomeA,
			b.Mid: welcomeB, c.Mid: welcomeC}[m.Mid], hello, 1, 0)
	}
	if n := grpMyUnread(t, a); n != 1 {
		t.Errorf("a's my_group_unread %d, want 1", n)
	}
	// a mentions b, the owner and c; sending reads a's session.
	s.Advance(time.Second)
	grpSend(t, a, gid, "@小蓝 @团长 ＠小绿 看这里")
	look := next()
	grpText(t, grpAll(t, b, gid)[0], grpNewestJSON(t, b, gid), a.Mid, gid, look, "@小蓝 @团长 ＠小绿 看这里",
		fmt.Sprintf("[%d,%d,%d]", b.Mid, owner.Mid, c.Mid))
	grpCounts(t, "a after sending", grpDetail(t, a, gid), look, look, 0, 0)
	grpCounts(t, "b mentioned", grpDetail(t, b, gid), welcomeB, look, 2, look)
	grpCounts(t, "owner mentioned", grpDetail(t, owner, gid), hello, look, 1, look)
	grpCounts(t, "c mentioned", grpDetail(t, c, gid), welcomeC, look, 2, look)
	// The mention shows in the lists too.
	if x, ok := grpFind(grpCat(t, b, client.SessionsOptions{Category: client.CategoryGroups}), gid); !ok ||
		x.AtSeqno != look || x.UnreadCount != 2 {
		t.Errorf("b's category 3 entry: %+v (listed %v)", x, ok)
	}
	// b reads up to the hello: the mention is still unread; then everything.
	grpOK(t, b.c.Ack(ctx, g, hello))
	grpCounts(t, "b acked the hello", grpDetail(t, b, gid), hello, look, 1, look)
	grpOK(t, b.c.Ack(ctx, g, 0))
	grpCounts(t, "b acked all", grpDetail(t, b, gid), look, look, 0, 0)
	grpSend(t, owner, gid, "@小红 收到")
	ack := next()
	grpCounts(t, "a mentioned back", grpDetail(t, a, gid), look, ack, 1, ack)
	grpCounts(t, "owner answered", grpDetail(t, owner, gid), ack, ack, 0, 0)

	// my_group_unread sums the groups: a second group with two unread messages for a.
	owner2 := grpNewUser(s, 1005, "二团长")
	gid2 := s.NewGroup(owner2.Mid, "二团")
	if gid2 != grpFirstID+1 {
		t.Errorf("second group id %d", gid2)
	}
	s.Join(gid2, a.Mid)
	grpSend(t, owner2, gid2, "一")
	grpSend(t, owner2, gid2, "二")
	if d2 := grpDetail(t, a, gid2); d2.GroupName != "二团" || d2.UnreadCount != 2 || d2.MaxSeqno != 4 {
		t.Errorf("a's second group: %+v", d2)
	}
	for _, w := range []struct {
		u    grpWho
		want int64
	}{{a, 3}, {b, 1}, {c, 3}, {owner, 0}, {owner2, 0}} {
		if n := grpMyUnread(t, w.u); n != w.want {
			t.Errorf("my_group_unread of %d: %d, want %d", w.u.Mid, n, w.want)
		}
	}
	if u := grpSingleUnread(t, a); u.FollowUnread != 0 || u.UnfollowUnread != 0 || u.DustbinUnread != 0 {
		t.Errorf("single_unread counts group messages: %+v", u)
	}
	if got := grpTalkers(grpCat(t, a, client.SessionsOptions{Category: client.CategoryGroups, SortRule: 1})); !slices.Equal(got,
		[]client.Talker{client.Group(gid2), g}) {
		t.Errorf("a's groups: %v", got)
	}

	// c leaves: c's session goes with the membership; the others see the 302.
	s.Advance(time.Second)
	grpOK(t, op.Leave(ctx, gid, c.Mid, false))
	left := next()
	grpNoDetail(t, c, gid)
	grpWantListed(t, c, gid, false)
	grpWantFetchErr(t, c, gid, client.ErrNotGroupMember)
	grpWantSendErr(t, c, gid, client.ErrNotGroupMember)
	if n := grpMyUnread(t, c); n != 0 {
		t.Errorf("c's my_group_unread %d after leaving", n)
	}
	da = grpDetail(t, a, gid)
	grpCounts(t, "a after c left", da, look, left, 1, ack)
	grpNotice(t, *da.LastMsg, grpLastJSON(t, a, gid), gid, left, grpTypeLeft, "小绿退出了应援团")
	grpNotice(t, grpAll(t, owner, gid)[0], grpNewestJSON(t, owner, gid), gid, left, grpTypeLeft, "小绿退出了应援团")

	// b is removed by the owner.
	grpOK(t, op.Leave(ctx, gid, b.Mid, true))
	removed := next()
	grpNoDetail(t, b, gid)
	grpWantListed(t, b, gid, false)
	grpWantFetchErr(t, b, gid, client.ErrNotGroupMember)
	grpWantSendErr(t, b, gid, client.ErrNotGroupMember)
	grpNotice(t, *grpDetail(t, a, gid).LastMsg, grpLastJSON(t, a, gid), gid, removed, grpTypeLeft, "小蓝被移出了应援团")
	if n := grpMyUnread(t, b); n != 0 {
		t.Errorf("b's my_group_unread %d after removal", n)
	}

	// c comes back: a new welcome, from which c sees the group; nothing of before.
	s.Join(gid, c.Mid)
	back := next()
	dc := grpDetail(t, c, gid)
	grpCounts(t, "c back", dc, back, back, 0, 0)
	grpNotice(t, *dc.LastMsg, grpLastJSON(t, c, gid), gid, back, grpTypeJoined, "欢迎小绿入群")
	if got := grpSeqnos(grpAll(t, c, gid)); !slices.Equal(got, []uint64{back}) {
		t.Errorf("c's history after coming back: %v", got)
	}

	// Frozen: readable and ackable, nobody can send (21028), nothing is stored.
	s.Advance(time.Second)
	grpSetState(t, s, gid, "freeze")
	frozen := next()
	grpNotice(t, *grpDetail(t, a, gid).LastMsg, grpLastJSON(t, a, gid), gid, frozen, grpTypeFrozen, "该应援团已被冻结")
	grpWantSendErr(t, a, gid, grpErrUnavailable)
	grpWantSendErr(t, owner, gid, grpErrUnavailable)
	grpWantSendErr(t, b, gid, client.ErrNotGroupMember) // a non-member learns nothing
	if got := grpSeqnos(grpAll(t, a, gid)); got[0] != frozen {
		t.Errorf("a's history in the frozen group starts at %v", got)
	}
	grpOK(t, a.c.Ack(ctx, g, 0))
	grpCounts(t, "a acked in the frozen group", grpDetail(t, a, gid), frozen, frozen, 0, 0)
	grpSetState(t, s, gid, "unfreeze")
	unfrozen := next()
	grpNotice(t, *grpDetail(t, owner, gid).LastMsg, grpLastJSON(t, owner, gid), gid, unfrozen, grpTypeFrozen,
		"该应援团已解除冻结")
	grpSend(t, a, gid, "又能说话了")
	again := next()
	grpCounts(t, "owner after the thaw", grpDetail(t, owner, gid), ack, again, 1, 0)
	grpCounts(t, "c after the thaw", grpDetail(t, c, gid), back, again, 1, 0)

	// Dissolved: still listed with the 304 as last message; sending and history 700013;
	// acks and pins still work.
	s.Advance(time.Second)
	grpSetState(t, s, gid, "dissolve")
	ended := next()
	for _, m := range []grpWho{owner, a, c} {
		dm := grpDetail(t, m, gid)
		grpNotice(t, *dm.LastMsg, grpLastJSON(t, m, gid), gid, ended, grpTypeEnded, "该应援团已解散")
		if x, ok := grpFind(grpCat(t, m, client.SessionsOptions{Category: client.CategoryGroups}), gid); !ok ||
			x.LastMsg == nil || x.LastMsg.MsgType != grpTypeEnded {
			t.Errorf("dissolved group in the list of %d: %+v (listed %v)", m.Mid, x, ok)
		}
		grpWantListed(t, m, gid, true)
		grpWantSendErr(t, m, gid, client.ErrGroupDissolved)
		grpWantFetchErr(t, m, gid, client.ErrGroupDissolved)
	}
	grpWantSendErr(t, b, gid, client.ErrNotGroupMember) // never 700013 to a non-member
	grpWantFetchErr(t, b, gid, client.ErrNotGroupMember)
	grpCounts(t, "owner in the dissolved group", grpDetail(t, owner, gid), ack, ended, 1, 0)
	grpOK(t, owner.c.Ack(ctx, g, 0))
	grpCounts(t, "owner acked the dissolved group", grpDetail(t, owner, gid), ended, ended, 0, 0)
	grpOK(t, owner.c.SetTop(ctx, g, true))
	if top := grpDetail(t, owner, gid).TopTs; top < grpNowUs(s) {
		t.Errorf("pin in the dissolved group: top_ts %d", top)
	}
	og, err := op.Group(ctx, gid)
	if err != nil {
		t.Fatalf("GET group %d: %v", gid, err)
	}
	if og.State != "dissolved" || og.MaxSeqno != ended || og.Members != 3 {
		t.Errorf("dissolved group: %+v", og)
	}
	if n := grpMyUnread(t, a); n != 2 {
		t.Errorf("a's my_group_unread %d at the end, want 2 (the second group's)", n)
	}
}

// TestGroupMentions: who a text @-mentions (docs/groups.md, "@-mentions"). at_uids is
// read as JSON throughout: null (nobody) is what many cases are about, and the typed
// client cannot tell it from [].
func TestGroupMentions(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := testkit.Start(t, testkit.Options{})
	owner := grpNewUser(s, 2001, "团长")
	p := grpNewUser(s, 2002, "发言人")
	ming := grpNewUser(s, 2003, "小明")
	mingming := grpNewUser(s, 2004, "小明明")
	hong1 := grpNewUser(s, 2005, "小红")
	hong2 := grpNewUser(s, 2006, "小红")
	outsider := grpNewUser(s, 2007, "小黑")
	bob := grpNewUser(s, 2008, "Bob")
	long := grpNewUser(s, 2009, strings.Repeat("长", 64))
	gid := s.NewGroup(owner.Mid, "")
	g := client.Group(gid)
	for _, u := range []grpWho{p, ming, mingming, hong1, hong2, bob, long} {
		s.Join(gid, u.Mid)
	}
	// say sends text as from and returns the stored message as JSON, as the owner reads it.
	say := func(from grpWho, text string) grpJSON {
		t.Helper()
		key := grpSend(t, from, gid, text)
		m := grpNewestJSON(t, owner, gid)
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
	if d := grpDetail(t, ming, gid); d.AtSeqno != first {
		t.Errorf("小明's at_seqno %d, want %d", d.AtSeqno, first)
	}
	if d := grpDetail(t, mingming, gid); d.AtSeqno == first {
		t.Errorf("小明明 got 小明's mention: %+v", d)
	}
	later := say(p, "@小明明 @小明 再看看").MsgSeqno
	say(p, "没人理我")
	for _, u := range []grpWho{ming, mingming} {
		if d := grpDetail(t, u, gid); d.AtSeqno != later {
			t.Errorf("at_seqno of %d: %d, want the later mention %d", u.Mid, d.AtSeqno, later)
		}
	}
	grpOK(t, ming.c.Ack(ctx, g, later-1))
	if d := grpDetail(t, ming, gid); d.AtSeqno != later {
		t.Errorf("acked below the mention: at_seqno %d, want %d", d.AtSeqno, later)
	}
	grpOK(t, ming.c.Ack(ctx, g, later))
	if d := grpDetail(t, ming, gid); d.AtSeqno != 0 || d.UnreadCount != 1 {
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
	for _, u := range []grpWho{hong1, hong2} {
		if d := grpDetail(t, u, gid); d.AtSeqno != m.MsgSeqno {
			t.Errorf("小红 %d: at_seqno %d, want %d", u.Mid, d.AtSeqno, m.MsgSeqno)
		}
	}
	// A non-member is never mentioned, and gets no session.
	grpNoDetail(t, outsider, gid)

	// Mentioning myself lists me in at_uids but leaves my at_seqno alone.
	byMing := say(ming, "@发言人 你在吗").MsgSeqno
	if d := grpDetail(t, p, gid); d.AtSeqno != byMing {
		t.Errorf("发言人 mentioned: at_seqno %d, want %d", d.AtSeqno, byMing)
	}
	self := say(p, "@发言人 在")
	if string(self.AtUIDs) != at(p.Mid) {
		t.Errorf("self-mention: at_uids %s", self.AtUIDs)
	}
	say(ming, "好的")
	if d := grpDetail(t, p, gid); d.AtSeqno != 0 || d.UnreadCount != 1 {
		t.Errorf("after mentioning myself: at_seqno %d unread %d, want 0 and 1", d.AtSeqno, d.UnreadCount)
	}

	// 1:1 messages never carry at_uids, even with an @name in them (null, as JSON).
	if _, err := p.c.SendText(ctx, client.User(ming.Mid), "@小明 私聊"); err != nil {
		t.Fatalf("1:1 text: %v", err)
	}
	r := s.Get(ming.User, testkit.PathFetchMsgs, url.Values{"talker_id": {grpStr(p.Mid)}, "session_type": {"1"}})
	var h struct {
		Messages []grpJSON `json:"messages"`
	}
	r.Data(t, &h)
	if len(h.Messages) != 1 || string(h.Messages[0].AtUIDs) != "null" {
		t.Errorf("1:1 history: %s", r.Body)
	}
}

// TestGroupMentionTokens: only the first 20 '@' of a text are looked at (docs/groups.md),
// whether or not a name follows them. at_uids is read as JSON (null, not []).
func TestGroupMentionTokens(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	owner := grpNewUser(s, 2101, "团长")
	ming := grpNewUser(s, 2102, "小明")
	gid := s.NewGroup(owner.Mid, "")
	s.Join(gid, ming.Mid)
	check := func(t *testing.T, text, want string) {
		t.Helper()
		key := grpSend(t, owner, gid, text)
		m := grpNewestJSON(t, owner, gid)
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
func grpThree(t *testing.T) (s *testkit.Server, owner, a, b grpWho, gid uint64) {
	t.Helper()
	s = testkit.Start(t, testkit.Options{})
	owner = grpNewUser(s, 3001, "团长")
	a = grpNewUser(s, 3002, "小红")
	b = grpNewUser(s, 3003, "小蓝")
	gid = s.NewGroup(owner.Mid, "")
	s.Join(gid, a.Mid)
	s.Join(gid, b.Mid)
	return s, owner, a, b, gid
}

func TestGroupAck(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, owner, a, b, gid := grpThree(t)
	g := client.Group(gid)
	c := grpNewUser(s, 3004, "小绿")
	outsider := grpNewUser(s, 3005, "路人")
	for _, text := range []string{"四", "五", "六"} {
		grpSend(t, b, gid, text)
	}
	s.Join(gid, c.Mid) // 7: a system message in the middle
	grpSend(t, b, gid, "八")
	grpSend(t, owner, gid, "九")
	grpCounts(t, "a before acking", grpDetail(t, a, gid), 2, 9, 5, 0)
	if n := grpMyUnread(t, a); n != 5 {
		t.Errorf("my_group_unread %d, want 5", n)
	}

	s.Advance(time.Second)
	grpOK(t, a.c.Ack(ctx, g, 5))
	d := grpDetail(t, a, gid)
	grpCounts(t, "acked 5", d, 5, 9, 3, 0)
	if d.AckTs != grpNowUs(s) {
		t.Errorf("ack_ts %d, want now %d", d.AckTs, grpNowUs(s))
	}
	grpOK(t, a.c.Ack(ctx, g, 7)) // acking onto the system message
	grpCounts(t, "acked 7", grpDetail(t, a, gid), 7, 9, 2, 0)
	grpOK(t, a.c.Ack(ctx, g, 6))
	grpCounts(t, "acked 6 (backwards)", grpDetail(t, a, gid), 7, 9, 2, 0)
	for _, back := range []uint64{3, 1, 0} {
		s.Advance(time.Second)
		before := grpDetail(t, a, gid).AckTs
		if back == 0 {
			grpAckRaw(t, a, gid, "0") // Ack(…, 0) would ack everything
		} else {
			grpOK(t, a.c.Ack(ctx, g, back))
		}
		d = grpDetail(t, a, gid)
		grpCounts(t, "acked backwards to "+grpStr(back), d, 7, 9, 2, 0)
		if d.AckTs <= before || d.AckTs < grpNowUs(s) {
			t.Errorf("backward ack %d: ack_ts %d (was %d), want updated", back, d.AckTs, before)
		}
	}
	if n := grpMyUnread(t, a); n != 2 {
		t.Errorf("my_group_unread %d, want 2", n)
	}
	grpOK(t, a.c.Ack(ctx, g, 1000))
	grpCounts(t, "acked beyond the end", grpDetail(t, a, gid), 9, 9, 0, 0)
	// Clamped: the next message is unread.
	grpSend(t, b, gid, "十")
	grpCounts(t, "after clamp", grpDetail(t, a, gid), 9, 10, 1, 0)
	grpSend(t, b, gid, "十一")
	grpOK(t, a.c.Ack(ctx, g, 0)) // the client leaves ack_seqno out
	grpCounts(t, "acked without ack_seqno", grpDetail(t, a, gid), 11, 11, 0, 0)
	grpSend(t, b, gid, "十二")
	grpAckRaw(t, a, gid, "") // an empty ack_seqno, which the client never sends
	grpCounts(t, "acked with an empty ack_seqno", grpDetail(t, a, gid), 12, 12, 0, 0)

	// Mid-history with a mention: unread recomputed from the acked message.
	grpSend(t, b, gid, "@小红 十三")
	grpSend(t, b, gid, "十四")
	grpSend(t, owner, gid, "十五")
	grpCounts(t, "mentioned at 13", grpDetail(t, a, gid), 12, 15, 3, 13)
	grpOK(t, a.c.Ack(ctx, g, 13))
	grpCounts(t, "acked the mention", grpDetail(t, a, gid), 13, 15, 2, 0)
	// c, who joined at 7, counts only from there: 8, 9, 10, 11, 12, 13, 14, 15.
	grpCounts(t, "c", grpDetail(t, c, gid), 7, 15, 8, 0)
	grpOK(t, c.c.Ack(ctx, g, 3)) // below c's welcome
	grpCounts(t, "c acked below its welcome", grpDetail(t, c, gid), 7, 15, 8, 0)
	grpOK(t, c.c.Ack(ctx, g, 10))
	grpCounts(t, "c acked 10", grpDetail(t, c, gid), 10, 15, 5, 0)

	// A non-member's ack answers 0 and changes nothing.
	grpOK(t, outsider.c.Ack(ctx, g, 0))
	grpNoDetail(t, outsider, gid)
	grpOK(t, outsider.c.Ack(ctx, client.Group(999999999), 0))
	// Ids are parsed like every id: raw, a client.Talker's id is always a number.
	for _, bad := range []string{"x", "-1", ""} {
		r := s.Post(a.User, testkit.PathUpdateAck, url.Values{"talker_id": {bad}, "session_type": {"2"}})
		if code := r.Code(t); code != -400 {
			t.Errorf("update_ack talker_id %q: code %d, want -400", bad, code)
		}
	}
}

func TestGroupTopAndDND(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, owner, a, b, gid := grpThree(t)
	group := client.Group(gid)
	outsider := grpNewUser(s, 3005, "路人")
	// A user whose mid is the group's id: settings of the one never touch the other.
	twin := grpNewUser(s, gid, "同号")
	if _, err := twin.c.SendText(ctx, client.User(a.Mid), "你好"); err != nil {
		t.Fatalf("twin's text: %v", err)
	}

	s.Advance(time.Minute)
	pinAt := grpNowUs(s)
	grpOK(t, a.c.SetTop(ctx, group, true))
	d := grpDetail(t, a, gid)
	if d.TopTs < pinAt || d.TopTs > pinAt+1000 {
		t.Errorf("top_ts %d, want about %d", d.TopTs, pinAt)
	}
	s.Advance(time.Minute)
	grpOK(t, a.c.SetTop(ctx, group, true))
	if top := grpDetail(t, a, gid).TopTs; top != d.TopTs {
		t.Errorf("pinning again moved top_ts %d → %d", d.TopTs, top)
	}
	if top := grpDetail(t, b, gid).TopTs; top != 0 {
		t.Errorf("a's pin shows for b: %d", top)
	}
	if x, ok := grpFind(grpCat(t, a, client.SessionsOptions{Category: client.CategoryGroups}), gid); !ok ||
		x.TopTs != d.TopTs {
		t.Errorf("pin in the list: %+v", x)
	}
	if sess, err := a.c.SessionDetail(ctx, client.User(twin.Mid)); err != nil || sess.MaxSeqno == 0 {
		t.Fatalf("a's session with the user %d is missing: %v", twin.Mid, err)
	}
	grpOK(t, a.c.SetTop(ctx, group, false))
	if top := grpDetail(t, a, gid).TopTs; top != 0 {
		t.Errorf("unpinned: top_ts %d", top)
	}
	// A non-member pins nothing (answer 0).
	grpOK(t, outsider.c.SetTop(ctx, group, true))
	grpNoDetail(t, outsider, gid)

	// dnd is u's DND setting of the group and of the user whose mid is the group's id.
	dnd := func(u grpWho) (group, user int) {
		t.Helper()
		out, err := u.c.MsgDND(ctx, []uint64{gid}, []uint64{gid})
		if err != nil {
			t.Fatalf("get_msg_dnd: %v", err)
		}
		if len(out.GroupSettings) != 1 || out.GroupSettings[0].ID != gid || len(out.UIDSettings) != 1 ||
			out.UIDSettings[0].ID != gid {
			t.Fatalf("get_msg_dnd: %+v", out)
		}
		return out.GroupSettings[0].Setting, out.UIDSettings[0].Setting
	}
	if g, u := dnd(a); g != 0 || u != 0 {
		t.Errorf("initial DND: group %d user %d", g, u)
	}
	grpOK(t, a.c.SetDND(ctx, group, true))
	if g, u := dnd(a); g != 1 || u != 0 {
		t.Errorf("group DND on: group %d user %d, want 1 and 0", g, u)
	}
	if d := grpDetail(t, a, gid); d.IsDnd != 1 {
		t.Errorf("is_dnd %d", d.IsDnd)
	}
	if g, _ := dnd(b); g != 0 {
		t.Errorf("a's DND shows for b")
	}
	// DND does not change counts.
	grpSend(t, owner, gid, "打扰一下")
	if d := grpDetail(t, a, gid); d.UnreadCount != 1 {
		t.Errorf("unread under DND: %d", d.UnreadCount)
	}
	if n := grpMyUnread(t, a); n != 1 {
		t.Errorf("my_group_unread under DND: %d", n)
	}
	grpOK(t, a.c.SetDND(ctx, group, false))
	if g, _ := dnd(a); g != 0 {
		t.Errorf("DND off: %d", g)
	}
	if d := grpDetail(t, a, gid); d.IsDnd != 0 {
		t.Errorf("is_dnd %d after off", d.IsDnd)
	}
	// A non-member sets nothing and reads the default.
	grpOK(t, outsider.c.SetDND(ctx, group, true))
	if g, _ := dnd(outsider); g != 0 {
		t.Errorf("non-member's DND: %d", g)
	}
}

func TestGroupRemoveSession(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, owner, a, b, gid := grpThree(t)
	g := client.Group(gid)
	c := grpNewUser(s, 3004, "小绿")
	grpSend(t, b, gid, "一")
	grpSend(t, owner, gid, "二")
	if n := grpMyUnread(t, a); n != 2 {
		t.Fatalf("my_group_unread %d, want 2", n)
	}
	remove := func() {
		t.Helper()
		grpOK(t, a.c.RemoveSession(ctx, g))
	}
	remove()
	grpWantListed(t, a, gid, false)
	if n := grpMyUnread(t, a); n != 0 {
		t.Errorf("my_group_unread %d after removing the session", n)
	}
	grpCounts(t, "removed (read)", grpDetail(t, a, gid), 5, 5, 0, 0)
	if got := grpSeqnos(grpAll(t, a, gid)); !slices.Equal(got, []uint64{5, 4, 3, 2}) {
		t.Errorf("history after removal: %v", got)
	}
	grpWantListed(t, b, gid, true) // only a's session is hidden

	// A system message brings it back, read.
	s.Join(gid, c.Mid)
	grpWantListed(t, a, gid, true)
	groups := client.SessionsOptions{Category: client.CategoryGroups}
	x, _ := grpFind(grpCat(t, a, groups), gid)
	grpCounts(t, "back after a welcome", x, 5, 6, 0, 0)

	// So does a member's message, unread.
	remove()
	grpWantListed(t, a, gid, false)
	grpSend(t, b, gid, "七")
	grpWantListed(t, a, gid, true)
	x, _ = grpFind(grpCat(t, a, groups), gid)
	grpCounts(t, "back after a message", x, 6, 7, 1, 0)
	if n := grpMyUnread(t, a); n != 1 {
		t.Errorf("my_group_unread %d, want 1", n)
	}

	// And freezing.
	remove()
	grpSetState(t, s, gid, "freeze")
	grpWantListed(t, a, gid, true)

	// A non-member removes nothing.
	outsider := grpNewUser(s, 3005, "路人")
	grpOK(t, outsider.c.RemoveSession(ctx, g))
	grpNoDetail(t, outsider, gid)
}

// TestGroupSessionLists: categories, folding, sort rules and new_sessions with user and
// group sessions mixed.
func TestGroupSessionLists(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	type opts = client.SessionsOptions
	s := testkit.Start(t, testkit.Options{})
	m := grpNewUser(s, 4001, "我")
	friend := s.NewUser(4002, "好友")
	stranger := s.NewUser(4003, "路人")
	o1, o2, o3 := grpNewUser(s, 4011, "一团长"), grpNewUser(s, 4012, "二团长"), grpNewUser(s, 4013, "三团长")
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
	step(func() { grpSend(t, o2, g2, "二") })
	step(func() { s.SendText(friend, m.Mid, "在吗") })
	step(func() { grpSend(t, o3, g3, "三") })
	step(func() { grpSend(t, o1, g1, "一") })
	F, Z := client.User(friend.Mid), client.User(stranger.Mid)
	G1, G2, G3 := client.Group(g1), client.Group(g2), client.Group(g3)
	all := []client.Talker{G1, G3, F, G2, Z}
	check := func(name string, got, want []client.Talker) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
	}
	cat := func(o opts) []client.Talker {
		t.Helper()
		return grpTalkers(grpCat(t, m, o))
	}
	fold, unfold := new(true), new(false)

	// Category 3: groups only; by join time unless sort_rule is 1, 2 or 3.
	joinOrder := []client.Talker{G2, G3, G1}
	check("category 3", cat(opts{Category: 3}), joinOrder)
	// Raw: the client leaves a SortRule of 0 out.
	check("category 3, sort_rule 0", grpTalkers(grpRawCat(t, m, url.Values{"session_type": {"3"}, "size": {"100"},
		"sort_rule": {"0"}})), joinOrder)
	check("category 3, sort_rule 4", cat(opts{Category: 3, SortRule: 4}), joinOrder)
	check("category 3, sort_rule 1", cat(opts{Category: 3, SortRule: 1}), []client.Talker{G1, G3, G2})
	check("category 3, sort_rule 2", cat(opts{Category: 3, SortRule: 2}), []client.Talker{G1, G3, G2})
	byTs := map[client.Talker]int64{}
	for _, x := range grpCat(t, m, opts{Category: 1}) {
		byTs[x.Talker()] = x.SessionTs
	}
	// Bounds apply to session_ts in join order too.
	check("category 3 before g1's session_ts", cat(opts{Category: 3, EndTs: byTs[G1]}), []client.Talker{G2, G3})
	check("category 3 after g2's session_ts", cat(opts{Category: 3, BeginTs: byTs[G2]}), []client.Talker{G3, G1})

	// Categories 1 and 4 merge users and groups by session_ts, unless folded.
	check("category 1", cat(opts{Category: 1}), all)
	check("category 4", cat(opts{Category: 4}), all)
	check("category 1, group_fold 0", cat(opts{Category: 1, GroupFold: unfold}), all)
	check("category 1, group_fold 1", cat(opts{Category: 1, GroupFold: fold}), []client.Talker{F, Z})
	check("category 4, group_fold 1", cat(opts{Category: 4, GroupFold: fold}), []client.Talker{F, Z})
	for _, c := range []int{2, 8} {
		check("category "+strconv.Itoa(c), cat(opts{Category: c, GroupFold: unfold}), []client.Talker{Z})
	}
	check("category 9", cat(opts{Category: 9, GroupFold: unfold}), []client.Talker{F})
	check("category 5", cat(opts{Category: 5, GroupFold: unfold}), []client.Talker{})
	// Without group_fold, is_group_fold decides.
	grpOK(t, m.c.SetPreferences(ctx, client.PreferenceUpdate{IsGroupFold: new(1)}))
	check("category 1, is_group_fold 1", cat(opts{Category: 1}), []client.Talker{F, Z})
	check("category 4, is_group_fold 1", cat(opts{Category: 4}), []client.Talker{F, Z})
	check("category 1, is_group_fold 1, group_fold 0", cat(opts{Category: 1, GroupFold: unfold}), all)
	check("category 3, is_group_fold 1", cat(opts{Category: 3}), joinOrder)
	grpOK(t, m.c.SetPreferences(ctx, client.PreferenceUpdate{IsGroupFold: new(0)}))
	check("category 1, is_group_fold 0", cat(opts{Category: 1}), all)

	// sort_rule 3: by ack_ts.
	for _, k := range []client.Talker{Z, G1, G2, G3, F} {
		s.Advance(time.Second)
		grpOK(t, m.c.Ack(ctx, k, 0))
	}
	check("category 3, sort_rule 3", cat(opts{Category: 3, SortRule: 3}), []client.Talker{G3, G2, G1})
	check("category 1, sort_rule 3", cat(opts{Category: 1, SortRule: 3}), []client.Talker{F, G3, G2, G1, Z})
	check("category 1 still by session_ts", cat(opts{Category: 1}), all)

	// new_sessions: groups whose session_ts is after begin_ts.
	check("new_sessions from 0", grpTalkers(grpNew(t, m, 0)), all)
	check("new_sessions after the friend", grpTalkers(grpNew(t, m, byTs[F])), []client.Talker{G1, G3})
	check("new_sessions after g1", grpTalkers(grpNew(t, m, byTs[G1])), []client.Talker{})

	// The other members' views are theirs: o1 lists only g1.
	check("o1's category 1", grpTalkers(grpCat(t, o1, opts{Category: 1})), []client.Talker{G1})
	// A group session is a session: o1's empty category 2 is not an empty address list.
	empty, err := o1.c.Sessions(ctx, opts{Category: 2})
	if err != nil {
		t.Fatalf("o1's category 2: %v", err)
	}
	if len(empty.Sessions) != 0 || empty.IsAddressListEmpty != 0 {
		t.Errorf("o1's category 2: %+v", empty)
	}
}

// TestGroupSessionPaging pages through merged user and group sessions with end_ts.
func TestGroupSessionPaging(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := testkit.Start(t, testkit.Options{})
	m := grpNewUser(s, 5001, "我")
	var want []client.Talker // newest first
	for i := range 5 {
		s.Advance(time.Second)
		o := s.NewUser(uint64(5100+i), "团长"+strconv.Itoa(i))
		g := s.NewGroup(o.Mid, "")
		s.Join(g, m.Mid)
		s.Advance(time.Second)
		u := s.NewUser(uint64(5200+i), "朋友"+strconv.Itoa(i))
		s.SendText(u, m.Mid, "你好")
		want = append([]client.Talker{client.User(u.Mid), client.Group(g)}, want...)
	}
	for _, size := range []int{1, 2, 3, 4, 7, 10, 11} {
		var got []client.Talker
		var hasMore []int
		end := int64(0)
		for range 20 {
			page, more := grpPage(t, m, client.SessionsOptions{Category: 1, Size: size, EndTs: end})
			got = append(got, grpTalkers(page)...)
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
		// The client's iterator pages the same way.
		var iterated []client.Talker
		for x, err := range m.c.AllSessions(ctx, client.SessionsOptions{Category: 1, Size: size}) {
			grpOK(t, err)
			iterated = append(iterated, x.Talker())
		}
		if !slices.Equal(iterated, want) {
			t.Errorf("size %d: AllSessions %v, want %v", size, iterated, want)
		}
	}
	// Category 3 pages too.
	page, more := grpPage(t, m, client.SessionsOptions{Category: 3, Size: 3, SortRule: 1})
	if len(page) != 3 || more != 1 {
		t.Fatalf("category 3 first page: %d sessions, has_more %d", len(page), more)
	}
	rest, more := grpPage(t, m, client.SessionsOptions{Category: 3, Size: 3, SortRule: 1, EndTs: page[2].SessionTs})
	var groups []client.Talker
	for _, k := range want {
		if k.Type == client.SessionGroup {
			groups = append(groups, k)
		}
	}
	if got := append(grpTalkers(page), grpTalkers(rest)...); !slices.Equal(got, groups) || more != 0 {
		t.Errorf("category 3 pages: %v (has_more %d), want %v", got, more, groups)
	}
}

// TestGroupReceiveSwitch: should_receive_group 0 hides the counts, not the sessions;
// single_unread never counts groups.
func TestGroupReceiveSwitch(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, owner, a, b, gid := grpThree(t)
	o2 := grpNewUser(s, 3010, "二团长")
	gid2 := s.NewGroup(o2.Mid, "")
	s.Join(gid2, a.Mid)
	grpSend(t, b, gid, "@小红 一")
	grpSend(t, owner, gid, "二")
	grpSend(t, o2, gid2, "三")
	check := func(name string, unread1, at1, unread2, total int64) {
		t.Helper()
		d1, d2 := grpDetail(t, a, gid), grpDetail(t, a, gid2)
		if d1.UnreadCount != unread1 || int64(d1.AtSeqno) != at1 || d2.UnreadCount != unread2 {
			t.Errorf("%s: detail unread %d at %d / unread %d, want %d %d / %d", name, d1.UnreadCount, d1.AtSeqno,
				d2.UnreadCount, unread1, at1, unread2)
		}
		list := grpCat(t, a, client.SessionsOptions{Category: client.CategoryGroups})
		x1, ok1 := grpFind(list, gid)
		x2, ok2 := grpFind(list, gid2)
		if !ok1 || !ok2 || x1.UnreadCount != unread1 || int64(x1.AtSeqno) != at1 || x2.UnreadCount != unread2 {
			t.Errorf("%s: list %+v", name, list)
		}
		if n := grpMyUnread(t, a); n != total {
			t.Errorf("%s: my_group_unread %d, want %d", name, n, total)
		}
		if u := grpSingleUnread(t, a); u.FollowUnread != 0 || u.UnfollowUnread != 0 || u.DustbinUnread != 0 {
			t.Errorf("%s: single_unread %+v counts groups", name, u)
		}
	}
	check("receiving", 2, 4, 1, 3)
	grpOK(t, a.c.SetPreferences(ctx, client.PreferenceUpdate{ShouldReceiveGroup: new(0)}))
	check("not receiving", 0, 0, 0, 0)
	grpWantListed(t, a, gid, true)
	if got := grpSeqnos(grpAll(t, a, gid)); !slices.Equal(got, []uint64{5, 4, 3, 2}) {
		t.Errorf("history while not receiving: %v", got)
	}
	grpSend(t, owner, gid, "六")
	check("not receiving, one more", 0, 0, 0, 0)
	grpOK(t, a.c.SetPreferences(ctx, client.PreferenceUpdate{ShouldReceiveGroup: new(1)}))
	check("receiving again", 3, 4, 1, 4)

	// single_unread counts 1:1 messages only.
	s.SendText(b.User, a.Mid, "私信")
	if u := grpSingleUnread(t, a); u.UnfollowUnread != 1 || u.FollowUnread != 0 {
		t.Errorf("single_unread with one 1:1 message: %+v", u)
	}
	if n := grpMyUnread(t, a); n != 4 {
		t.Errorf("my_group_unread %d, want 4", n)
	}
}

func TestGroupFetchWindows(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	_, owner, a, _, gid := grpThree(t)
	for i := 4; i <= 12; i++ {
		grpSend(t, owner, gid, "第"+strconv.Itoa(i)+"条")
	}
	type win = client.HistoryOptions
	// a joined at 2: a sees 2–12, the owner 1–12. A window with raw set is sent as is:
	// the client always sends a size and never a begin_seqno of 0.
	for _, c := range []struct {
		name       string
		opt        win
		raw        url.Values
		want       []uint64
		more       int
		viewer     grpWho
		minS, maxS uint64
	}{
		{"default", win{}, url.Values{}, grpDown(12, 2), 0, a, 2, 12},
		{"default, owner", win{}, url.Values{}, grpDown(12, 1), 0, owner, 1, 12},
		{"size 3", win{Size: 3}, nil, grpDown(12, 10), 1, a, 10, 12},
		{"size 11", win{Size: 11}, nil, grpDown(12, 2), 0, a, 2, 12},
		{"size 11, owner", win{Size: 11}, nil, grpDown(12, 2), 1, owner, 2, 12},
		{"end 10", win{EndSeqno: 10, Size: 3}, nil, grpDown(9, 7), 1, a, 7, 9},
		{"end 5", win{EndSeqno: 5, Size: 3}, nil, grpDown(4, 2), 0, a, 2, 4},
		{"end 5, owner", win{EndSeqno: 5, Size: 3}, nil, grpDown(4, 2), 1, owner, 2, 4},
		{"end 2", win{EndSeqno: 2}, nil, []uint64{}, 0, a, 0, 0},
		{"begin 8", win{BeginSeqno: 8, Size: 3}, nil, grpDown(11, 9), 1, a, 9, 11},
		{"begin 9", win{BeginSeqno: 9, Size: 3}, nil, grpDown(12, 10), 0, a, 10, 12},
		{"begin 12", win{BeginSeqno: 12}, nil, []uint64{}, 0, a, 0, 0},
		{"begin 0", win{}, url.Values{"begin_seqno": {"0"}, "size": {"2"}}, grpDown(12, 11), 1, a, 11, 12},
		{"begin below the welcome", win{BeginSeqno: 1, Size: 3}, nil, grpDown(4, 2), 1, a, 2, 4},
		{"between 3 and 10", win{BeginSeqno: 3, EndSeqno: 10, Size: 3}, nil, grpDown(9, 7), 1, a, 7, 9},
		{"between 6 and 10", win{BeginSeqno: 6, EndSeqno: 10, Size: 5}, nil, grpDown(9, 7), 0, a, 7, 9},
		{"between, below the welcome", win{}, url.Values{"begin_seqno": {"0"}, "end_seqno": {"4"}}, grpDown(3, 2), 0,
			a, 2, 3},
	} {
		var h client.History
		if c.raw != nil {
			grpFetchRaw(t, c.viewer, gid, c.raw, &h)
		} else {
			h = grpHistory(t, c.viewer, gid, c.opt)
		}
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
	// size=0 returns nothing (groups have no hints). Raw: the client sends 20 for a Size
	// of 0, and messages must be null, not [].
	var raw struct {
		Messages json.RawMessage `json:"messages"`
		HasMore  int             `json:"has_more"`
	}
	if r := grpFetchRaw(t, a, gid, url.Values{"size": {"0"}}, &raw); string(raw.Messages) != "null" ||
		raw.HasMore != 0 {
		t.Errorf("size 0: %s", r.Body)
	}
	if _, err := a.c.Messages(ctx, client.Group(gid), win{Size: -1}); !errors.Is(err, client.ErrInvalidParam) {
		t.Errorf("size -1: %v, want code 2", err)
	}
	// Reading marks nothing read.
	grpCounts(t, "a after reading history", grpDetail(t, a, gid), 2, 12, 9, 0)

	// Sizes above 200 are clamped.
	for i := 13; i <= 205; i++ {
		grpSend(t, owner, gid, strconv.Itoa(i))
	}
	h := grpHistory(t, a, gid, win{Size: 500})
	if got := grpSeqnos(h.Messages); !slices.Equal(got, grpDown(205, 6)) || h.HasMore != 1 {
		t.Errorf("size 500: %d messages %d…, has_more %d", len(got), got[0], h.HasMore)
	}
	h = grpHistory(t, a, gid, win{Size: 500, EndSeqno: 6})
	if got := grpSeqnos(h.Messages); !slices.Equal(got, grpDown(5, 2)) || h.HasMore != 0 {
		t.Errorf("the rest: %v has_more %d", got, h.HasMore)
	}
}

func TestGroupRecall(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, owner, a, b, gid := grpThree(t)
	g := client.Group(gid)
	// A 1:1 message of a, whose key must not be recallable in the group.
	private := s.SendText(a.User, b.Mid, "私信")

	// The answer to a group text has the shape of a 1:1 one. Raw: the typed SendResult
	// cannot tell key_hit_infos absent from null or empty.
	r0 := s.MustOK(a.User, testkit.PathSendMsg, testkit.GroupForm(a.Mid, gid, 1, testkit.Text("说错了"))) // 4
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
	if _, err := b.c.Recall(ctx, g, key); !errors.Is(err, client.ErrMsgKeyNotFound) {
		t.Errorf("b recalls a's message: %v, want 10005", err)
	}
	if _, err := a.c.Recall(ctx, g, private); !errors.Is(err, client.ErrMsgKeyNotFound) {
		t.Errorf("recall of a 1:1 message in the group: %v, want 10005", err)
	}
	mine := grpAll(t, a, gid)
	sys := mine[len(mine)-1] // a's welcome
	if _, err := a.c.Recall(ctx, g, sys.MsgKey); !errors.Is(err, client.ErrMsgKeyNotFound) {
		t.Errorf("recall of a system message: %v, want 10005", err)
	}
	if _, err := a.c.Recall(ctx, g, 12345); !errors.Is(err, client.ErrMsgKeyNotFound) {
		t.Errorf("recall of an unknown key: %v, want 10005", err)
	}
	if _, err := a.c.Recall(ctx, g, key); err != nil { // exactly 120 s later
		t.Fatalf("recall after 120 s: %v", err)
	}
	h := grpAll(t, b, gid)
	if len(h) < 2 {
		t.Fatalf("history %v", grpSeqnos(h))
	}
	rc, orig := h[0], h[1]
	if rc.MsgType != 5 || rc.SenderUID != a.Mid || rc.Content != grpStr(key) || rc.MsgSeqno != 5 ||
		rc.ReceiverType != 2 || rc.ReceiverID != gid {
		t.Errorf("recall message: %+v", rc)
	}
	// at_uids null, as JSON.
	if j := grpNewestJSON(t, b, gid); j.MsgSeqno != 5 || string(j.AtUIDs) != "null" {
		t.Errorf("recall message: seqno %d at_uids %s, want 5 and null", j.MsgSeqno, j.AtUIDs)
	}
	if orig.MsgKey != key || orig.MsgStatus != 1 || orig.Content != testkit.Text("说错了") {
		t.Errorf("recalled message: %+v", orig)
	}
	// The recall is the last message but never unread: b and the owner have one unread.
	for _, u := range []grpWho{b, owner} {
		d := grpDetail(t, u, gid)
		if d.UnreadCount != 1 || d.MaxSeqno != 5 || d.LastMsg == nil || d.LastMsg.MsgType != 5 {
			t.Errorf("%d after the recall: %+v", u.Mid, d)
		}
	}
	grpCounts(t, "a after the recall", grpDetail(t, a, gid), 5, 5, 0, 0)
	if _, err := a.c.Recall(ctx, g, key); !errors.Is(err, client.ErrAlreadyRecalled) {
		t.Errorf("second recall: %v, want 21042", err)
	}

	late := grpSend(t, a, gid, "这条撤不回") // 6
	s.Advance(121 * time.Second)
	if _, err := a.c.Recall(ctx, g, late); !errors.Is(err, client.ErrRecallExpired) {
		t.Errorf("recall after 121 s: %v, want 21041", err)
	}
	if d := grpDetail(t, b, gid); d.MaxSeqno != 6 {
		t.Errorf("a refused recall stored something: max_seqno %d", d.MaxSeqno)
	}
	// Images are recalled alike. SendImage writes the content in this order.
	img := `{"url":"https://i0.hdslb.com/bfs/im/x.png","height":100,"width":100,"imageType":"png","original":1,"size":12.5}`
	sent, err := a.c.SendImage(ctx, g, client.Image{URL: "https://i0.hdslb.com/bfs/im/x.png", Height: 100,
		Width: 100, ImageType: "png", Original: 1, Size: 12.5})
	if err != nil {
		t.Fatalf("send an image: %v", err)
	}
	if _, err := a.c.Recall(ctx, g, sent.MsgKey); err != nil {
		t.Errorf("recall of an image: %v", err)
	}
	if h := grpAll(t, b, gid); h[1].MsgType != 2 || h[1].MsgStatus != 1 || h[1].Content != img || h[0].MsgType != 5 {
		t.Errorf("recalled image: %+v", h[:2])
	}

	// Recalling in another group: 10005; as a non-member: 700014. (An official group.)
	o2 := s.NewUser(3010, "二团长")
	s.SetFans(o2.Mid, 1000)
	g2, err := s.Operator().CreateGroup(ctx, operator.NewGroup{Owner: o2.Mid, Type: 2,
		Cover: "https://i0.hdslb.com/g.png"})
	if err != nil {
		t.Fatalf("create official group: %v", err)
	}
	gid2 := g2.ID
	s.Join(gid2, a.Mid)
	if d := grpDetail(t, a, gid2); d.GroupType != 2 || d.GroupCover != "https://i0.hdslb.com/g.png" ||
		d.GroupName != "二团长的应援团" {
		t.Errorf("official group session: %+v", d)
	}
	k2 := grpSend(t, a, gid2, "另一个团")
	if _, err := a.c.Recall(ctx, g, k2); !errors.Is(err, client.ErrMsgKeyNotFound) {
		t.Errorf("recall of another group's message: %v, want 10005", err)
	}
	if _, err := b.c.Recall(ctx, client.Group(gid2), k2); !errors.Is(err, client.ErrNotGroupMember) {
		t.Errorf("recall by a non-member: %v, want 700014", err)
	}
	if _, err := a.c.Recall(ctx, client.Group(gid2), k2); err != nil {
		t.Errorf("recall in the second group: %v", err)
	}
}

// TestGroupSeqnos: each group has its own dense sequence; 1:1 seqnos are untouched.
func TestGroupSeqnos(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := testkit.Start(t, testkit.Options{})
	o1, o2 := grpNewUser(s, 6001, "一团长"), grpNewUser(s, 6002, "二团长")
	x := grpNewUser(s, 6003, "小明")
	g1 := s.NewGroup(o1.Mid, "")
	s.SendText(o1.User, o2.Mid, "你好")
	g2 := s.NewGroup(o2.Mid, "")
	s.Join(g1, x.Mid)
	s.Join(g2, x.Mid)
	s.SendText(o2.User, o1.Mid, "你好呀")
	for i := range 3 {
		grpSend(t, o1, g1, "一"+strconv.Itoa(i))
		grpSend(t, x, g2, "二"+strconv.Itoa(i))
		grpSend(t, x, g1, "三"+strconv.Itoa(i))
	}
	s.SendText(o1.User, o2.Mid, "再见")
	if got := grpSeqnos(grpAll(t, o1, g1)); !slices.Equal(got, grpDown(8, 1)) {
		t.Errorf("group 1 seqnos: %v", got)
	}
	if got := grpSeqnos(grpAll(t, o2, g2)); !slices.Equal(got, grpDown(5, 1)) {
		t.Errorf("group 2 seqnos: %v", got)
	}
	if d := grpDetail(t, x, g1); d.MaxSeqno != 8 || d.AckSeqno != 8 {
		t.Errorf("x in group 1: %+v", d)
	}
	if d := grpDetail(t, o2, g2); d.MaxSeqno != 5 || d.UnreadCount != 3 {
		t.Errorf("o2 in group 2: %+v", d)
	}
	// One counter for all 1:1 conversations, from 10^15 (o1 also sees the hint of the
	// one-message rule): consecutive, the groups took none of it.
	hist, err := o1.c.Messages(ctx, client.User(o2.Mid), client.HistoryOptions{Size: 200})
	if err != nil {
		t.Fatalf("1:1 history: %v", err)
	}
	if len(hist.Messages) != 4 {
		t.Fatalf("1:1 history: %+v", hist.Messages)
	}
	base := hist.Messages[3].MsgSeqno
	if got := grpSeqnos(hist.Messages); base < 1_000_000_000_000_000 || !slices.Equal(got, grpDown(base+3, base)) {
		t.Errorf("1:1 seqnos: %v", got)
	}
	sess, err := o1.c.SessionDetail(ctx, client.User(o2.Mid))
	if err != nil {
		t.Fatalf("%d has no session with %d: %v", o1.Mid, o2.Mid, err)
	}
	if sess.MaxSeqno != base+3 {
		t.Errorf("1:1 max_seqno %d", sess.MaxSeqno)
	}
}
