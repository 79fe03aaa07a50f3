package wire_test

// Error-code tests for fan groups (docs/groups.md): every refusal asserts HTTP 200, the
// code, the message exactly as the catalog writes it, the envelope family (send_msg has
// no msg) and data null or absent as the route table says (docs/choices.md: send_msg's
// own refusals data null, its -400 no data; GETs data null; the session POSTs no data),
// and that the refusal changed nothing: fgeState, a dump of every member's and
// non-member's view of the groups plus the operator API's, is byte-identical before and
// after.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/internal/im"
	"github.com/bilimsg/bilimsg/internal/testkit"
)

// fgeText is each code's message as the catalog documents it (§3 P5, P17, P19).
var fgeText = map[int]string{
	-400:    "请求错误",
	10005:   "msgkey不存在",
	21007:   "消息过长，无法发送",
	21020:   "你发送消息频率过快，请稍后再发~",
	21028:   "由于系统升级，暂无法发送，敬请谅解",
	21035:   "该类消息暂时无法发送",
	21037:   "图片格式不合法，不要调戏接口啦",
	21041:   "消息已超期，不能撤回了哦",
	21042:   "消息已经撤回了哦",
	700013:  "已解散QAQ，无法执行此操作",
	700014:  "你已不在此同萌中QAQ，无法执行此操作",
	1000004: "入口节点已存在",
}

// fgeWant asserts an error envelope: HTTP 200, the family's keys (svr: with msg), code,
// the catalog's text in message (and msg), ttl 1, and data null or absent.
func fgeWant(t *testing.T, r testkit.Raw, svr bool, code int, data dataWant) {
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
	if data == dataAbsent {
		keys = keys[:len(keys)-1]
	}
	if !wantKeys(t, "envelope", root, keys) {
		t.Errorf("body: %s", r.Body)
		return
	}
	if data == dataNull && root.get("data").kind != 'z' {
		t.Errorf("data must be null: %s", r.Body)
	}
	if got := root.get("code"); string(got.num) != strconv.Itoa(code) {
		t.Errorf("code %s, want %d: %s", got.num, code, r.Body)
		return
	}
	text, ok := fgeText[code]
	if !ok {
		t.Fatalf("no catalog text for %d", code)
	}
	if m := root.get("message"); m.kind != 's' || m.str != text {
		t.Errorf("message %q, want %q", m.str, text)
	}
	if svr && root.get("msg").str != text {
		t.Errorf("msg %q must repeat the message %q", root.get("msg").str, text)
	}
	if root.get("ttl").num != "1" {
		t.Errorf("ttl must be 1")
	}
}

// fgeSendErr: send_msg's own refusals carry data null, -400 no data (x family).
func fgeSendErr(t *testing.T, r testkit.Raw, code int) {
	t.Helper()
	d := dataNull
	if code == -400 {
		d = dataAbsent
	}
	fgeWant(t, r, false, code, d)
}

// fgeGetErr: GET endpoints (svr family) answer errors with data null.
func fgeGetErr(t *testing.T, r testkit.Raw, code int) {
	t.Helper()
	fgeWant(t, r, true, code, dataNull)
}

// fgePostErr: the session POSTs P9–P12 answer errors without data.
func fgePostErr(t *testing.T, r testkit.Raw, code int) {
	t.Helper()
	fgeWant(t, r, true, code, dataAbsent)
}

// The error world's users.
const (
	fgeOwner   = 3001 // 团长: owns every group
	fgeMember  = 3002 // 成员: member of G, D and F
	fgeNever   = 3003 // 路人: never a member of anything
	fgeLeft    = 3004 // 退团者: left G, and left D before it was dissolved
	fgeRemoved = 3005 // 被踢者: removed from G by the owner
)

// Group ids: G is open, D dissolved, F frozen; fgeNoGroup is a well-formed id of the
// same length that no group has.
const (
	fgeG       = 200000001
	fgeD       = 200000002
	fgeF       = 200000003
	fgeNoGroup = 200000999
)

// Well-formed ids that are never a group's: 0, 2^63-1 (valid, unused), 2^63 and 2^64-1
// (docs/groups.md: ids are below 2^63).
var fgeOddIDs = []string{"0", "9223372036854775807", "9223372036854775808", "18446744073709551615"}

// fgeWorld: at Epoch 团长 opens G; at T+1 成员, 退团者 and 被踢者 join it; at T+2 成员
// writes "大家好" (memberKey) and 团长 "欢迎" (ownerKey); at T+3 退团者 leaves and 被踢者
// is removed. At T+4 团长 opens D, which 成员 and 退团者 join; 退团者 leaves it and it is
// dissolved. At T+5 团长 opens F, 成员 joins it and writes "冻结前" (frozenKey), and F is
// frozen. At T+6 成员 writes to 团长 directly ("私聊", directKey). The clock stands at T+6.
type fgeWorld struct {
	s                              *testkit.Server
	owner, member, never, left, rm testkit.User
	memberKey, ownerKey, frozenKey uint64
	directKey                      uint64
}

func newFgeWorld(t *testing.T) *fgeWorld {
	t.Helper()
	s := testkit.Start(t, testkit.Options{})
	w := &fgeWorld{s: s, owner: s.NewUser(fgeOwner, "团长"), member: s.NewUser(fgeMember, "成员"),
		never: s.NewUser(fgeNever, "路人"), left: s.NewUser(fgeLeft, "退团者"), rm: s.NewUser(fgeRemoved, "被踢者")}
	if g := s.NewGroup(fgeOwner, "应援团G"); g != fgeG {
		t.Fatalf("G has id %d", g)
	}
	s.Advance(time.Second)
	for _, m := range []uint64{fgeMember, fgeLeft, fgeRemoved} {
		s.Join(fgeG, m)
	}
	s.Advance(time.Second)
	w.memberKey = s.SendGroupText(w.member, fgeG, "大家好")
	w.ownerKey = s.SendGroupText(w.owner, fgeG, "欢迎")
	s.Advance(time.Second)
	fgeAdmin(t, s, "DELETE", fmt.Sprintf("/admin/v1/groups/%d/members/%d", fgeG, fgeLeft))
	fgeAdmin(t, s, "POST", fmt.Sprintf("/admin/v1/groups/%d/members/%d/remove", fgeG, fgeRemoved))
	s.Advance(time.Second)
	if g := s.NewGroup(fgeOwner, "应援团D"); g != fgeD {
		t.Fatalf("D has id %d", g)
	}
	s.Join(fgeD, fgeMember)
	s.Join(fgeD, fgeLeft)
	fgeAdmin(t, s, "DELETE", fmt.Sprintf("/admin/v1/groups/%d/members/%d", fgeD, fgeLeft))
	fgeAdmin(t, s, "POST", fmt.Sprintf("/admin/v1/groups/%d/dissolve", fgeD))
	s.Advance(time.Second)
	if g := s.NewGroup(fgeOwner, "应援团F"); g != fgeF {
		t.Fatalf("F has id %d", g)
	}
	s.Join(fgeF, fgeMember)
	w.frozenKey = s.SendGroupText(w.member, fgeF, "冻结前")
	fgeAdmin(t, s, "POST", fmt.Sprintf("/admin/v1/groups/%d/freeze", fgeF))
	s.Advance(time.Second)
	w.directKey = s.SendText(w.member, fgeOwner, "私聊")
	return w
}

func fgeAdmin(t *testing.T, s *testkit.Server, method, path string) {
	t.Helper()
	if st := s.Admin(method, path, nil, nil); st != 200 {
		t.Fatalf("%s %s: status %d", method, path, st)
	}
}

// fgeBody returns the raw answer of a GET.
func fgeBody(t *testing.T, s *testkit.Server, u testkit.User, path string, kv ...string) string {
	t.Helper()
	r := s.Get(u, path, q(kv...))
	if r.Status != 200 {
		t.Fatalf("GET %s: HTTP %d", path, r.Status)
	}
	return string(r.Body)
}

// fgeState dumps everything the refused calls could have changed: the operator API's
// view of each group and its members, and each user's session lists, unread counts,
// group sessions, histories and DND settings.
func fgeState(t *testing.T, w *fgeWorld) string {
	t.Helper()
	var b strings.Builder
	for _, g := range []uint64{fgeG, fgeD, fgeF} {
		for _, p := range []string{fmt.Sprintf("/admin/v1/groups/%d", g), fmt.Sprintf("/admin/v1/groups/%d/members", g)} {
			var raw json.RawMessage
			if st := w.s.Admin("GET", p, nil, &raw); st != 200 {
				t.Fatalf("GET %s: %d", p, st)
			}
			fmt.Fprintf(&b, "%s %s\n", p, raw)
		}
	}
	for _, u := range []testkit.User{w.owner, w.member, w.never, w.left, w.rm} {
		fmt.Fprintf(&b, "user %d\n", u.Mid)
		for _, c := range []string{"1", "3", "4"} {
			b.WriteString(fgeBody(t, w.s, u, testkit.PathGetSessions, "session_type", c, "group_fold", "0") + "\n")
		}
		b.WriteString(fgeBody(t, w.s, u, testkit.PathNewSessions, "begin_ts", "0") + "\n")
		b.WriteString(fgeBody(t, w.s, u, testkit.PathMyGroupUnread) + "\n")
		b.WriteString(fgeBody(t, w.s, u, testkit.PathSingleUnread) + "\n")
		for _, g := range []uint64{fgeG, fgeD, fgeF} {
			id := fgID(g)
			b.WriteString(fgeBody(t, w.s, u, testkit.PathSessionDetail, "talker_id", id, "session_type", "2") + "\n")
			b.WriteString(fgeBody(t, w.s, u, testkit.PathFetchMsgs, "talker_id", id, "session_type", "2", "size", "200") + "\n")
			b.WriteString(fgeBody(t, w.s, u, testkit.PathGetMsgDnd, "own_uid", fgID(u.Mid), "group_ids", id) + "\n")
		}
	}
	return b.String()
}

// fgeUnchanged fails the test when the state differs from before.
func fgeUnchanged(t *testing.T, w *fgeWorld, before string) {
	t.Helper()
	if after := fgeState(t, w); after != before {
		t.Errorf("a refused call changed the state:\n%s", fgeDiff(before, after))
	}
}

// fgeDiff shows the first differing lines of two dumps.
func fgeDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d\nbefore: %s\n after: %s", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("%d lines before, %d after", len(al), len(bl))
}

// fgeSends are one text, one image and one recall (of key) from u to group id gid.
func fgeSends(u testkit.User, gid string, key uint64) map[string]url.Values {
	out := map[string]url.Values{
		"text":   testkit.GroupForm(u.Mid, 0, 1, testkit.Text("你好")),
		"image":  testkit.GroupForm(u.Mid, 0, 2, `{"url":"https://i0.hdslb.com/bfs/im/a.png","width":1,"height":1}`),
		"recall": testkit.GroupForm(u.Mid, 0, 5, fgID(key)),
	}
	for _, f := range out {
		f.Set("msg[receiver_id]", gid)
	}
	return out
}

func fgeFetch(s *testkit.Server, u testkit.User, gid string) testkit.Raw {
	return s.Get(u, testkit.PathFetchMsgs, q("talker_id", gid, "session_type", "2"))
}

// TestGroupErrNotMember: send_msg and fetch_session_msgs answer 700014 to anyone who is
// not a member — never was, left, was removed — and for group ids that do not exist.
func TestGroupErrNotMember(t *testing.T) {
	t.Parallel()
	w := newFgeWorld(t)
	before := fgeState(t, w)
	type who struct {
		name string
		u    testkit.User
		gid  string
	}
	var cases []who
	for _, u := range []struct {
		name string
		u    testkit.User
	}{{"never a member", w.never}, {"left", w.left}, {"removed", w.rm}} {
		cases = append(cases, who{u.name, u.u, fgID(fgeG)})
	}
	for _, id := range append([]string{fgID(fgeNoGroup), fgID(fgeOwner), fgID(fgeMember)}, fgeOddIDs...) {
		cases = append(cases, who{"member, group " + id, w.member, id})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for kind, f := range fgeSends(c.u, c.gid, w.memberKey) {
				t.Run(kind, func(t *testing.T) {
					fgeSendErr(t, w.s.Post(c.u, testkit.PathSendMsg, f), 700014)
				})
			}
			fgeGetErr(t, fgeFetch(w.s, c.u, c.gid), 700014)
			for _, extra := range [][]string{{"size", "0"}, {"size", "200"}, {"begin_seqno", "1"}, {"end_seqno", "100"}} {
				p := q("talker_id", c.gid, "session_type", "2")
				p.Set(extra[0], extra[1])
				fgeGetErr(t, w.s.Get(c.u, testkit.PathFetchMsgs, p), 700014)
			}
		})
	}
	fgeUnchanged(t, w, before)
	// The member's own sends still work: the refusals above were about membership.
	if r := w.s.Post(w.member, testkit.PathSendMsg, testkit.GroupForm(fgeMember, fgeG, 1, testkit.Text("还在"))); r.Code(t) != 0 {
		t.Errorf("a member sends: %s", r.Body)
	}
	if r := fgeFetch(w.s, w.member, fgID(fgeG)); r.Code(t) != 0 {
		t.Errorf("a member reads: %s", r.Body)
	}
}

// TestGroupErrDissolved: a member of a dissolved group gets 700013 on send and history;
// anyone else 700014, never 700013, which would reveal the dissolved group.
func TestGroupErrDissolved(t *testing.T) {
	t.Parallel()
	w := newFgeWorld(t)
	before := fgeState(t, w)
	for _, c := range []struct {
		name string
		u    testkit.User
		code int
	}{{"member", w.member, 700013}, {"owner", w.owner, 700013}, {"never a member", w.never, 700014},
		{"left before the dissolution", w.left, 700014}, {"removed from another group", w.rm, 700014}} {
		t.Run(c.name, func(t *testing.T) {
			for kind, f := range fgeSends(c.u, fgID(fgeD), w.memberKey) {
				t.Run(kind, func(t *testing.T) {
					fgeSendErr(t, w.s.Post(c.u, testkit.PathSendMsg, f), c.code)
				})
			}
			fgeGetErr(t, fgeFetch(w.s, c.u, fgID(fgeD)), c.code)
			fgeGetErr(t, w.s.Get(c.u, testkit.PathFetchMsgs, q("talker_id", fgID(fgeD), "session_type", "2", "size", "0")), c.code)
		})
	}
	// The message is validated first (docs/groups.md), whoever sends.
	for _, u := range []testkit.User{w.member, w.never} {
		f := testkit.GroupForm(u.Mid, fgeD, 7, `{"id":1,"source":5,"title":"t","thumb":"x"}`)
		fgeSendErr(t, w.s.Post(u, testkit.PathSendMsg, f), 21035)
	}
	fgeUnchanged(t, w, before)

	// The session stays, with the 304 as its last message; acks, pins, DND and removal
	// still work.
	d := mustParse(t, w.s.Get(w.member, testkit.PathSessionDetail, q("talker_id", fgID(fgeD), "session_type", "2")).Body)
	if d.get("code").num != "0" || num(t, d.get("data", "last_msg", "msg_type")) != 304 || num(t, d.get("data", "last_msg", "sender_uid")) != 0 {
		t.Fatalf("a dissolved group's session shows the 304: %v", d.get("code").num)
	}
	mustCode(t, w.s.Post(w.member, testkit.PathSetTop, q("talker_id", fgID(fgeD), "session_type", "2", "op_type", "0")), 0)
	mustCode(t, w.s.Post(w.member, testkit.PathSetMsgDnd, q("setting", "1", "dnd_group_id", fgID(fgeD))), 0)
	mustCode(t, w.s.Post(w.member, testkit.PathUpdateAck, q("talker_id", fgID(fgeD), "session_type", "2")), 0)
	d = mustParse(t, w.s.Get(w.member, testkit.PathSessionDetail, q("talker_id", fgID(fgeD), "session_type", "2")).Body).get("data")
	if num(t, d.get("top_ts")) == 0 || num(t, d.get("is_dnd")) != 1 || d.get("ack_seqno").num != d.get("max_seqno").num {
		t.Errorf("pin, DND and ack work on a dissolved group")
	}
	mustCode(t, w.s.Post(w.member, testkit.PathRemoveSession, q("talker_id", fgID(fgeD), "session_type", "2")), 0)
	for _, s := range fgList(t, w.s, w.member, testkit.PathGetSessions, q("session_type", "3")) {
		if s == "2:"+fgID(fgeD) {
			t.Errorf("remove_session hides a dissolved group")
		}
	}
}

// TestGroupErrFrozen: sending to a frozen group answers 21028 (data null), to its
// members only; reading works; after unfreezing, sending works again.
func TestGroupErrFrozen(t *testing.T) {
	t.Parallel()
	w := newFgeWorld(t)
	// A frozen group can be read and acked: the ack moves past the 303.
	if r := fgeFetch(w.s, w.member, fgID(fgeF)); r.Code(t) != 0 {
		t.Errorf("a frozen group can be read: %s", r.Body)
	}
	mustCode(t, w.s.Post(w.member, testkit.PathUpdateAck, q("talker_id", fgID(fgeF), "session_type", "2")), 0)
	if d := fgDetail(t, w.s, w.member, fgeF); fgUint(t, d.get("ack_seqno")) != 4 || num(t, d.get("last_msg", "msg_type")) != 303 {
		t.Errorf("acked up to the 303 (seqno 4)")
	}
	before := fgeState(t, w)
	for _, c := range []struct {
		name string
		u    testkit.User
		code int
	}{{"member", w.member, 21028}, {"owner", w.owner, 21028}, {"never a member", w.never, 700014}, {"left", w.left, 700014}} {
		t.Run(c.name, func(t *testing.T) {
			for kind, f := range fgeSends(c.u, fgID(fgeF), w.frozenKey) {
				t.Run(kind, func(t *testing.T) {
					fgeSendErr(t, w.s.Post(c.u, testkit.PathSendMsg, f), c.code)
				})
			}
		})
	}
	fgeUnchanged(t, w, before)
	// Joining a frozen group is refused (operator API 409).
	if st := w.s.Admin("PUT", fmt.Sprintf("/admin/v1/groups/%d/members/%d", fgeF, fgeNever), nil, nil); st != http.StatusConflict {
		t.Errorf("join a frozen group: status %d, want 409", st)
	}
	fgeUnchanged(t, w, before)

	fgeAdmin(t, w.s, "POST", fmt.Sprintf("/admin/v1/groups/%d/unfreeze", fgeF))
	w.s.Advance(time.Second)
	key := sendKey(t, w.s.Post(w.member, testkit.PathSendMsg, testkit.GroupForm(fgeMember, fgeF, 1, testkit.Text("解冻了"))))
	h := mustParse(t, fgeFetch(w.s, w.owner, fgID(fgeF)).Body).get("data", "messages")
	if fgUint(t, h.get("0", "msg_key")) != key || num(t, h.get("1", "msg_type")) != 303 || fgNotice(t, h.arr[1]) != "该应援团已解除冻结" ||
		num(t, h.get("2", "msg_type")) != 303 || fgNotice(t, h.arr[2]) != "该应援团已被冻结" {
		t.Errorf("history: the freeze, the unfreeze, then the new message")
	}
	// The recall refused while frozen now works ("冻结前" was sent 2 s ago).
	mustCode(t, w.s.Post(w.member, testkit.PathSendMsg, testkit.GroupForm(fgeMember, fgeF, 5, fgID(w.frozenKey))), 0)
}

// fgeMessage returns the message with key in u's history of group gid (nil if none).
func fgeMessage(t *testing.T, s *testkit.Server, u testkit.User, gid uint64, key uint64) *jnode {
	t.Helper()
	h := mustParse(t, s.Get(u, testkit.PathFetchMsgs, q("talker_id", fgID(gid), "session_type", "2", "size", "200")).Body)
	for _, m := range h.get("data", "messages").arr {
		if fgUint(t, m.get("msg_key")) == key {
			return m
		}
	}
	return nil
}

// TestGroupErrRecall: a recall in a group takes back only my own text or image in this
// group (else 10005), within 120 s (21041), once (21042).
func TestGroupErrRecall(t *testing.T) {
	t.Parallel()
	w := newFgeWorld(t)
	s := w.s
	// H: another open group with a message of 成员's.
	h := s.NewGroup(fgeOwner, "应援团H")
	s.Join(h, fgeMember)
	inH := s.SendGroupText(w.member, h, "在H里")
	// The system messages of G: the 305, the 306 welcoming 成员 and the 302 about 退团者.
	var opening, welcome, left uint64
	for _, m := range mustParse(t, fgeFetch(s, w.owner, fgID(fgeG)).Body).get("data", "messages").arr {
		if num(t, m.get("sender_uid")) != 0 {
			continue
		}
		switch k := fgUint(t, m.get("msg_key")); fgNotice(t, m) {
		case "团长的应援团开通啦 (>▽<)":
			opening = k
		case "欢迎成员入群":
			welcome = k
		case "退团者退出了应援团":
			left = k
		}
	}
	if opening == 0 || welcome == 0 || left == 0 {
		t.Fatalf("G's system messages: opening %d, welcome %d, left %d", opening, welcome, left)
	}
	// A recall of G to recall.
	mine := s.SendGroupText(w.member, fgeG, "撤回我")
	myRecall := fgSendKey(t, s.Post(w.member, testkit.PathSendMsg, testkit.GroupForm(fgeMember, fgeG, 5, fgID(mine))))

	before := fgeState(t, w)
	for _, c := range []struct {
		name string
		key  uint64
	}{
		{"someone else's message", w.ownerKey},
		{"the opening message", opening},
		{"my own welcome", welcome},
		{"a 302", left},
		{"a 1:1 message of mine", w.directKey},
		{"my message in another group", inH},
		{"my message in a frozen group", w.frozenKey},
		{"a recall", myRecall},
		{"unknown key", 12345},
		{"key 2^64-1", 18446744073709551615},
	} {
		t.Run(c.name, func(t *testing.T) {
			fgeSendErr(t, s.Post(w.member, testkit.PathSendMsg, testkit.GroupForm(fgeMember, fgeG, 5, fgID(c.key))), 10005)
		})
	}
	// A group message cannot be recalled through a 1:1 session either.
	fgeSendErr(t, s.Post(w.member, testkit.PathSendMsg, testkit.SendForm(fgeMember, fgeOwner, 5, fgID(w.memberKey))), 10005)
	// Already recalled.
	fgeSendErr(t, s.Post(w.member, testkit.PathSendMsg, testkit.GroupForm(fgeMember, fgeG, 5, fgID(mine))), 21042)
	fgeUnchanged(t, w, before)
	if m := fgeMessage(t, s, w.owner, fgeG, w.ownerKey); m == nil || num(t, m.get("msg_status")) != 0 {
		t.Errorf("someone else's message is untouched")
	}

	// The window: 120 s is still fine, 121 s is too late.
	k120 := s.SendGroupText(w.member, fgeG, "120")
	s.Advance(120 * time.Second)
	mustCode(t, s.Post(w.member, testkit.PathSendMsg, testkit.GroupForm(fgeMember, fgeG, 5, fgID(k120))), 0)
	k121 := s.SendGroupText(w.member, fgeG, "121")
	s.Advance(121 * time.Second)
	before = fgeState(t, w)
	fgeSendErr(t, s.Post(w.member, testkit.PathSendMsg, testkit.GroupForm(fgeMember, fgeG, 5, fgID(k121))), 21041)
	fgeUnchanged(t, w, before)
	if m := fgeMessage(t, s, w.member, fgeG, k121); m == nil || num(t, m.get("msg_status")) != 0 {
		t.Errorf("the expired message is not recalled")
	}
	// An image is recallable; twice is 21042.
	img := fgSendKey(t, s.Post(w.member, testkit.PathSendMsg, testkit.GroupForm(fgeMember, fgeG, 2, `{"url":"https://i0.hdslb.com/bfs/im/b.png"}`)))
	mustCode(t, s.Post(w.member, testkit.PathSendMsg, testkit.GroupForm(fgeMember, fgeG, 5, fgID(img))), 0)
	before = fgeState(t, w)
	fgeSendErr(t, s.Post(w.member, testkit.PathSendMsg, testkit.GroupForm(fgeMember, fgeG, 5, fgID(img))), 21042)
	fgeUnchanged(t, w, before)
}

// TestGroupErrValidation: the message is validated as between users before anything
// about the group: msg_type other than 1, 2, 5 → 21035 (also the system types 301–306),
// over 2000 bytes → 21007, malformed content → -400, bad image URL → 21037.
func TestGroupErrValidation(t *testing.T) {
	t.Parallel()
	w := newFgeWorld(t)
	before := fgeState(t, w)
	share := `{"author":"up","headline":"","id":170001,"source":5,"thumb":"https://i0.hdslb.com/bfs/archive/a.jpg","title":"t","url":"","bvid":"BV1xx411c7mD"}`
	long := testkit.Text(strings.Repeat("a", 2000))
	for _, c := range []struct {
		name    string
		typ     int
		content string
		code    int
	}{
		{"share (msg_type 7)", 7, share, 21035},
		{"custom emoji (6)", 6, `{"url":"https://i0.hdslb.com/bfs/emote/a.png"}`, 21035},
		{"hint (18)", 18, testkit.Text("x"), 21035},
		{"member joined (301)", 301, `{"group_id":200000001,"content":"x"}`, 21035},
		{"opened (305)", 305, `{"group_id":200000001,"content":"x"}`, 21035},
		{"welcome (306)", 306, `{"group_id":200000001,"content":"x"}`, 21035},
		{"over 2000 bytes", 1, long, 21007},
		{"empty text", 1, `{"content":""}`, -400},
		{"not JSON", 1, "你好", -400},
		{"image on another host", 2, `{"url":"https://example.com/bfs/a.png"}`, 21037},
		{"recall of no number", 5, "abc", -400},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, u := range []testkit.User{w.member, w.never} {
				for _, gid := range []uint64{fgeG, fgeD, fgeF, fgeNoGroup} {
					r := w.s.Post(u, testkit.PathSendMsg, testkit.GroupForm(u.Mid, gid, c.typ, c.content))
					fgeSendErr(t, r, c.code)
				}
			}
		})
	}
	// Sending to myself as a group is about membership, not 21026.
	fgeSendErr(t, w.s.Post(w.member, testkit.PathSendMsg, testkit.GroupForm(fgeMember, fgeMember, 1, testkit.Text("我"))), 700014)
	fgeUnchanged(t, w, before)
}

// fgeBad are malformed ids: -400 wherever an id is parsed (docs/choices.md: ids take no
// sign, no fraction, no spaces; 2^64 overflows).
var fgeBad = []string{"abc", "-1", "1.5", "18446744073709551616", "99999999999999999999999", " 1", "+1", "0x1", "1e3"}

// TestGroupErrMalformedIDs: -400 for malformed group ids on every endpoint that takes
// one, with session_type 2.
func TestGroupErrMalformedIDs(t *testing.T) {
	t.Parallel()
	w := newFgeWorld(t)
	before := fgeState(t, w)
	u := w.member
	for _, bad := range append([]string{""}, fgeBad...) {
		t.Run(fmt.Sprintf("%q", bad), func(t *testing.T) {
			fgeGetErr(t, w.s.Get(u, testkit.PathSessionDetail, q("talker_id", bad, "session_type", "2")), -400)
			fgeGetErr(t, w.s.Get(u, testkit.PathFetchMsgs, q("talker_id", bad, "session_type", "2")), -400)
			fgePostErr(t, w.s.Post(u, testkit.PathUpdateAck, q("talker_id", bad, "session_type", "2")), -400)
			fgePostErr(t, w.s.Post(u, testkit.PathUpdateAck, q("talker_id", bad, "session_type", "2", "ack_seqno", "1")), -400)
			fgePostErr(t, w.s.Post(u, testkit.PathSetTop, q("talker_id", bad, "session_type", "2", "op_type", "0")), -400)
			fgePostErr(t, w.s.Post(u, testkit.PathRemoveSession, q("talker_id", bad, "session_type", "2")), -400)
			fgePostErr(t, w.s.Post(u, testkit.PathSetMsgDnd, q("setting", "1", "dnd_group_id", bad)), -400)
			f := testkit.GroupForm(fgeMember, fgeG, 1, testkit.Text("hi"))
			f.Set("msg[receiver_id]", bad)
			fgeSendErr(t, w.s.Post(u, testkit.PathSendMsg, f), -400)
			// An empty group_ids counts as absent (data {}). " 1" is accepted there: P7 trims
			// the items of its comma-separated list (see the report: docs/choices.md says
			// " 1" is -400 for every number).
			if bad != "" && bad != " 1" {
				fgeGetErr(t, w.s.Get(u, testkit.PathGetMsgDnd, q("own_uid", fgID(fgeMember), "group_ids", bad)), -400)
			}
		})
	}
	// A malformed ack_seqno on a group session.
	fgePostErr(t, w.s.Post(u, testkit.PathUpdateAck, q("talker_id", fgID(fgeG), "session_type", "2", "ack_seqno", "-1")), -400)
	fgePostErr(t, w.s.Post(u, testkit.PathUpdateAck, q("talker_id", fgID(fgeG), "session_type", "2", "ack_seqno", "x")), -400)
	fgeUnchanged(t, w, before)
}

// TestGroupErrDetailNonMember: session_detail with session_type 2 answers 1000004 to
// anyone who is not a member, whatever the id.
func TestGroupErrDetailNonMember(t *testing.T) {
	t.Parallel()
	w := newFgeWorld(t)
	before := fgeState(t, w)
	detail := func(u testkit.User, id string) testkit.Raw {
		return w.s.Get(u, testkit.PathSessionDetail, q("talker_id", id, "session_type", "2"))
	}
	for _, u := range []testkit.User{w.never, w.left, w.rm} {
		for _, g := range []uint64{fgeG, fgeD, fgeF} {
			fgeGetErr(t, detail(u, fgID(g)), 1000004)
		}
	}
	for _, id := range append([]string{fgID(fgeNoGroup), fgID(fgeOwner)}, fgeOddIDs...) {
		fgeGetErr(t, detail(w.member, id), 1000004)
	}
	// A user session is not a group session: 团长 and 成员 chatted, but not as a group.
	fgeGetErr(t, detail(w.member, fgID(fgeOwner)), 1000004)
	for _, g := range []uint64{fgeG, fgeD, fgeF} {
		if r := detail(w.member, fgID(g)); r.Code(t) != 0 {
			t.Errorf("a member's detail of %d: %s", g, r.Body)
		}
	}
	fgeUnchanged(t, w, before)
}

// TestGroupErrNonMemberLearnsNothing: for someone who is not a member, every endpoint that
// takes a group id answers byte for byte as for a group that does not exist — for an
// open, a dissolved and a frozen group — and the lists and counts show no trace of the
// groups. Nothing changes for the members.
func TestGroupErrNonMemberLearnsNothing(t *testing.T) {
	t.Parallel()
	w := newFgeWorld(t)
	s := w.s
	before := fgeState(t, w)
	// Every call that takes a group id, as u, for group id.
	calls := func(u testkit.User, id string) []struct {
		name string
		r    testkit.Raw
	} {
		var out []struct {
			name string
			r    testkit.Raw
		}
		add := func(name string, r testkit.Raw) {
			out = append(out, struct {
				name string
				r    testkit.Raw
			}{name, r})
		}
		g2 := func(kv ...string) url.Values {
			return q(append([]string{"talker_id", id, "session_type", "2"}, kv...)...)
		}
		add("session_detail", s.Get(u, testkit.PathSessionDetail, g2()))
		add("fetch", s.Get(u, testkit.PathFetchMsgs, g2()))
		add("fetch size=0", s.Get(u, testkit.PathFetchMsgs, g2("size", "0")))
		add("fetch begin_seqno", s.Get(u, testkit.PathFetchMsgs, g2("begin_seqno", "1", "size", "5")))
		for _, kind := range []string{"text", "image", "recall"} {
			add("send "+kind, s.Post(u, testkit.PathSendMsg, fgeSends(u, id, w.memberKey)[kind]))
		}
		add("send recall of an unknown key", s.Post(u, testkit.PathSendMsg, fgeSends(u, id, 12345)["recall"]))
		add("update_ack", s.Post(u, testkit.PathUpdateAck, g2()))
		add("update_ack seqno", s.Post(u, testkit.PathUpdateAck, g2("ack_seqno", "3")))
		add("set_top pin", s.Post(u, testkit.PathSetTop, g2("op_type", "0")))
		add("set_top unpin", s.Post(u, testkit.PathSetTop, g2("op_type", "1")))
		add("remove_session", s.Post(u, testkit.PathRemoveSession, g2()))
		add("set_msg_dnd on", s.Post(u, testkit.PathSetMsgDnd, q("setting", "1", "dnd_group_id", id)))
		add("set_msg_dnd off", s.Post(u, testkit.PathSetMsgDnd, q("setting", "0", "dnd_group_id", id)))
		add("get_msg_dnd", s.Get(u, testkit.PathGetMsgDnd, q("own_uid", fgID(u.Mid), "group_ids", id)))
		return out
	}
	fresh := s.NewUser(3099, "新用户") // never anything: no session, no group
	lists := func(u testkit.User) []string {
		var out []string
		for _, c := range []string{"1", "3", "4"} {
			for _, fold := range []string{"", "0"} { // an empty group_fold counts as absent
				out = append(out, fgeBody(t, s, u, testkit.PathGetSessions, "session_type", c, "group_fold", fold))
			}
		}
		out = append(out, fgeBody(t, s, u, testkit.PathNewSessions), fgeBody(t, s, u, testkit.PathNewSessions, "begin_ts", "0"),
			fgeBody(t, s, u, testkit.PathMyGroupUnread))
		return out
	}
	freshLists := lists(fresh)
	for _, u := range []struct {
		name string
		u    testkit.User
	}{{"never a member", w.never}, {"left", w.left}, {"removed", w.rm}} {
		t.Run(u.name, func(t *testing.T) {
			none := calls(u.u, fgID(fgeNoGroup))
			for _, g := range []uint64{fgeG, fgeD, fgeF} {
				got := calls(u.u, fgID(g))
				for i := range got {
					want := strings.ReplaceAll(string(none[i].r.Body), fgID(fgeNoGroup), fgID(g))
					if string(got[i].r.Body) != want {
						t.Errorf("group %d, %s: answer differs from a group that does not exist:\n got %s\nwant %s",
							g, got[i].name, got[i].r.Body, want)
					}
				}
			}
			// And those answers are the documented ones.
			for _, c := range none {
				code := map[string]int{"session_detail": 1000004, "fetch": 700014, "fetch size=0": 700014,
					"fetch begin_seqno": 700014, "send text": 700014, "send image": 700014, "send recall": 700014,
					"send recall of an unknown key": 700014}[c.name]
				if got := c.r.Code(t); got != code {
					t.Errorf("%s: code %d, want %d: %s", c.name, got, code, c.r.Body)
				}
			}
			// The lists show nothing: the same as for a user who never had anything.
			for i, l := range lists(u.u) {
				if l != freshLists[i] {
					t.Errorf("list %d differs from a fresh user's:\n got %s\nwant %s", i, l, freshLists[i])
				}
			}
		})
	}
	fgeUnchanged(t, w, before)
	// The comparison can fail: a member's answers for G differ from a missing group's.
	mine, none := calls(w.member, fgID(fgeG)), calls(w.member, fgID(fgeNoGroup))
	if string(mine[0].r.Body) == strings.ReplaceAll(string(none[0].r.Body), fgID(fgeNoGroup), fgID(fgeG)) {
		t.Errorf("a member's session_detail must differ from a missing group's")
	}
}

// TestGroupErrLeaveLeavesNoTrace: joining shows the group; leaving takes every trace away, and
// the session POSTs made meanwhile change nothing — rejoining starts afresh.
func TestGroupErrLeaveLeavesNoTrace(t *testing.T) {
	t.Parallel()
	w := newFgeWorld(t)
	s := w.s
	u := s.NewUser(3010, "后来者")
	s.SendText(w.owner, u.Mid, "你好") // a user session, so that the lists are not empty
	s.Advance(time.Second)
	snap := func() []string {
		return []string{fgeBody(t, s, u, testkit.PathGetSessions, "session_type", "4"),
			fgeBody(t, s, u, testkit.PathGetSessions, "session_type", "3"),
			fgeBody(t, s, u, testkit.PathNewSessions, "begin_ts", "0"),
			fgeBody(t, s, u, testkit.PathMyGroupUnread)}
	}
	outside := snap()
	s.Join(fgeG, u.Mid)
	s.Advance(time.Second)
	s.SendGroupText(w.member, fgeG, "欢迎新人")
	s.Advance(time.Second)
	mustCode(t, s.Post(u, testkit.PathSetTop, q("talker_id", fgID(fgeG), "session_type", "2", "op_type", "0")), 0)
	inside := snap()
	for i := range inside {
		if inside[i] == outside[i] {
			t.Fatalf("snapshot %d does not show the group: the comparison below could not fail", i)
		}
	}
	fgeAdmin(t, s, "DELETE", fmt.Sprintf("/admin/v1/groups/%d/members/%d", fgeG, u.Mid))
	s.Advance(time.Second)
	for i, got := range snap() {
		if got != outside[i] {
			t.Errorf("after leaving, snapshot %d still differs:\n got %s\nwant %s", i, got, outside[i])
		}
	}
	// Meanwhile, as a non-member.
	for _, r := range []testkit.Raw{
		s.Post(u, testkit.PathSetTop, q("talker_id", fgID(fgeG), "session_type", "2", "op_type", "0")),
		s.Post(u, testkit.PathSetMsgDnd, q("setting", "1", "dnd_group_id", fgID(fgeG))),
		s.Post(u, testkit.PathRemoveSession, q("talker_id", fgID(fgeG), "session_type", "2")),
	} {
		if r.Code(t) != 0 || !strings.HasSuffix(string(r.Body), `"data":{}}`) {
			t.Errorf("a non-member's session POST answers 0 with data {}: %s", r.Body)
		}
	}
	s.Advance(time.Second)
	s.Join(fgeG, u.Mid)
	d := fgDetail(t, s, u, fgeG)
	if num(t, d.get("top_ts")) != 0 || num(t, d.get("is_dnd")) != 0 || num(t, d.get("unread_count")) != 0 {
		t.Errorf("rejoining starts afresh: not pinned, not DND, nothing unread")
	}
	if n := fgNotice(t, d.get("last_msg")); n != "欢迎后来者入群" || d.get("ack_seqno").num != d.get("max_seqno").num {
		t.Errorf("rejoined: the new welcome is the first message, already read (%q)", n)
	}
	// History starts at the new welcome: nothing from the first membership.
	h := mustParse(t, fgeFetch(s, u, fgID(fgeG)).Body).get("data", "messages")
	if len(h.arr) != 1 {
		t.Errorf("rejoined: history shows %d messages, want only the new welcome", len(h.arr))
	}
}

// TestGroupErrRateLimits: sends to groups obey the 1:1 limits (21020 here), and refused
// sends (700014, 21028) do not use them up.
func TestGroupErrRateLimits(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{Rules: im.Config{BurstLimit: 2, BurstWindow: 10 * time.Second}})
	owner, m, x := s.NewUser(3001, "团长"), s.NewUser(3002, "成员"), s.NewUser(3003, "路人")
	g := s.NewGroup(owner.Mid, "")
	s.Join(g, m.Mid)
	f := s.NewGroup(owner.Mid, "冻结团")
	s.Join(f, m.Mid)
	fgeAdmin(t, s, "POST", fmt.Sprintf("/admin/v1/groups/%d/freeze", f))
	text := func(u testkit.User, gid uint64) testkit.Raw {
		return s.Post(u, testkit.PathSendMsg, testkit.GroupForm(u.Mid, gid, 1, testkit.Text("hi")))
	}
	// Refusals do not count.
	for range 3 {
		fgeSendErr(t, text(x, g), 700014)
		fgeSendErr(t, text(m, f), 21028)
	}
	mustCode(t, s.Post(x, testkit.PathSendMsg, testkit.SendForm(x.Mid, owner.Mid, 1, testkit.Text("1"))), 0)
	mustCode(t, text(m, g), 0)
	mustCode(t, text(m, g), 0)
	// The third send within the window: 21020, to a group as to a user.
	fgeSendErr(t, text(m, g), 21020)
	fgeSendErr(t, s.Post(m, testkit.PathSendMsg, testkit.SendForm(m.Mid, owner.Mid, 1, testkit.Text("1"))), 21020)

	// The limit is the sender's and is checked before the group (docs/groups.md, "Sending"):
	// over the limit, a frozen group and a group I am not in both answer 21020, which
	// reveals nothing about them.
	frozen := text(m, f)
	s.Join(g, x.Mid) // x becomes a member of g; h is a group x is not in
	h := s.NewGroup(owner.Mid, "别的团")
	mustCode(t, text(x, g), 0) // x's second send: x is now at the limit too
	fgeSendErr(t, frozen, 21020)
	fgeSendErr(t, text(x, h), 21020)
}
