package wire_test

// Golden tests for fan groups (session_type 2 / receiver_type 2, docs/groups.md): real
// requests through HTTP against a deterministic world (fixed mids, testkit's fake clock),
// each full response compared with testdata/golden_groups/<endpoint>_<case>.json
// semantically (numbers exact) and by key order, exactly as golden_test.go does.
//
// The files live in their own directory because TestGoldenCoverage treats every file of
// testdata/golden as a case of goldenCases, whose shape check (wantMessage) requires
// at_uids to be null — true of user sessions only. Here fgShape checks what the catalog
// and docs/groups.md pin about group sessions and group messages, then runs the shared
// catalogShape on a copy in which the at_uids of group messages (already checked) are
// nulled, so that everything else is held to the same catalog rules as user sessions.
//
// Rewrite the golden files with: go test ./internal/wire/ -run TestGoldenGroups -update
// and review every changed file against docs/groups.md before keeping it.

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/internal/testkit"
)

// The fan-group world's users.
const (
	fgOwner    = 2001 // 阿伟: owns both groups
	fgMing     = 2002 // 小明
	fgMingMing = 2003 // 小明明: "@小明明" must mention him, not 小明
	fgHong     = 2004 // 小红
	fgQiang    = 2006 // 阿强
	fgPasser   = 2005 // 路人甲: never a member of anything
)

// Group ids are assigned from 200000001 upwards (docs/groups.md).
const (
	fgG1 = 200000001
	fgG2 = 200000002
)

const (
	fgG2Name  = "阿伟的官方粉丝群"
	fgG2Cover = "https://i0.hdslb.com/bfs/face/7c6f1e0e2b3a4d5c6b7a8f9e0d1c2b3a4f5e6d7c.jpg"
	fgNoFace  = "https://i0.hdslb.com/bfs/face/member/noface.jpg"
	fgImage   = `{"url":"https://i0.hdslb.com/bfs/im/9f8e7d6c5b4a.png","height":640,"width":480,"imageType":"png","original":1,"size":81.5}`
	fgAtText  = "@小明 @小明明你好 欢迎加入[tv_doge]"
	fgG2Text  = "明天晚上八点直播"
)

// fgWorld is the deterministic fan-group world. At Epoch 阿伟 (1000 fans) opens G1
// (default name and cover); 小明, 小明明, 小红 and 阿强 join it one second apart
// (T+1…T+4). At T+5 阿伟 opens the official group G2 (type 2, own name and cover), which
// 小明 joins at T+6. At T+7 小红 writes to 小明 directly ("小明在吗"). At T+8 阿伟 writes
// fgAtText to G1 (mentioning 小明 and 小明明), at T+9 小明明 posts an image to G1, at
// T+10 阿伟 writes fgG2Text to G2, and at T+11 小明 pins G2 and sets it do-not-disturb.
// The clock stands at T+11. 路人甲 exists and never joined anything.
//
// Seqnos: G1 305=1, 306 小明=2, 小明明=3, 小红=4, 阿强=5, the mention=6, the image=7;
// G2 305=1, 306 小明=2, the text=3.
type fgWorld struct {
	s                                      *testkit.Server
	owner, ming, mingming, hong, qiang, ps testkit.User
	atKey, imgKey, g2Key, directKey        uint64
}

func newFgWorld(t *testing.T) *fgWorld {
	t.Helper()
	s := testkit.Start(t, testkit.Options{})
	w := &fgWorld{s: s, owner: s.NewUser(fgOwner, "阿伟"), ming: s.NewUser(fgMing, "小明"),
		mingming: s.NewUser(fgMingMing, "小明明"), hong: s.NewUser(fgHong, "小红"), qiang: s.NewUser(fgQiang, "阿强"),
		ps: s.NewUser(fgPasser, "路人甲")}
	if g := s.NewGroup(fgOwner, ""); g != fgG1 {
		t.Fatalf("first group id %d, want %d", g, fgG1)
	}
	for _, mid := range []uint64{fgMing, fgMingMing, fgHong, fgQiang} {
		s.Advance(time.Second)
		s.Join(fgG1, mid)
	}
	s.Advance(time.Second)
	var g struct {
		ID uint64 `json:"id"`
	}
	if st := s.Admin("POST", "/admin/v1/groups", map[string]any{"owner": fgOwner, "name": fgG2Name, "cover": fgG2Cover,
		"type": 2}, &g); st != 200 || g.ID != fgG2 {
		t.Fatalf("create G2: status %d, id %d", st, g.ID)
	}
	s.Advance(time.Second)
	s.Join(fgG2, fgMing)
	s.Advance(time.Second)
	w.directKey = s.SendText(w.hong, fgMing, "小明在吗")
	s.Advance(time.Second)
	w.atKey = s.SendGroupText(w.owner, fgG1, fgAtText)
	s.Advance(time.Second)
	w.imgKey = fgSendKey(t, s.Post(w.mingming, testkit.PathSendMsg, testkit.GroupForm(fgMingMing, fgG1, 2, fgImage)))
	s.Advance(time.Second)
	w.g2Key = s.SendGroupText(w.owner, fgG2, fgG2Text)
	s.Advance(time.Second)
	mustCode(t, s.Post(w.ming, testkit.PathSetTop, q("talker_id", fgID(fgG2), "session_type", "2", "op_type", "0")), 0)
	mustCode(t, s.Post(w.ming, testkit.PathSetMsgDnd, q("setting", "1", "dnd_group_id", fgID(fgG2))), 0)
	return w
}

func fgID(id uint64) string { return strconv.FormatUint(id, 10) }

// fgSendKey returns the msg_key of a successful send_msg answer.
func fgSendKey(t *testing.T, r testkit.Raw) uint64 {
	t.Helper()
	mustCode(t, r, 0)
	var d struct {
		MsgKey uint64 `json:"msg_key"`
	}
	r.Data(t, &d)
	return d.MsgKey
}

// fgUint reads a JSON integer node as a uint64.
func fgUint(t *testing.T, n *jnode) uint64 {
	t.Helper()
	if n == nil || n.kind != 'n' {
		t.Fatalf("want a number, got %+v", n)
	}
	v, err := strconv.ParseUint(string(n.num), 10, 64)
	if err != nil {
		t.Fatalf("want an unsigned integer literal, got %s: %v", n.num, err)
	}
	return v
}

// fgNotice returns the text of a group system message's content
// {"group_id": id, "content": text}.
func fgNotice(t *testing.T, m *jnode) string {
	t.Helper()
	c, err := parseOrdered([]byte(m.get("content").str))
	if err != nil {
		t.Fatalf("system message content is not JSON: %q", m.get("content").str)
	}
	return c.get("content").str
}

// ---------------------------------------------------------------------------------------
// Shape checks for fan groups.

var fgUintLiteral = regexp.MustCompile(`^(0|[1-9][0-9]*)$`)

// fgWantUint asserts n is a JSON integer literal that fits a uint64 (no sign, fraction or
// exponent), as msg_keys, seqnos and ids must be (docs/choices.md "Numbers").
func fgWantUint(t *testing.T, where string, n *jnode) uint64 {
	t.Helper()
	if n == nil || n.kind != 'n' || !fgUintLiteral.MatchString(string(n.num)) {
		t.Errorf("%s must be an unsigned JSON integer, got %+v", where, n)
		return 0
	}
	v, err := strconv.ParseUint(string(n.num), 10, 64)
	if err != nil {
		t.Errorf("%s = %s does not fit a uint64", where, n.num)
	}
	return v
}

// fgZero lists the session fields that are 0 in every group session (docs/groups.md).
var fgZero = []string{"is_follow", "can_fold", "status", "new_push_msg", "setting", "is_guardian", "is_intercept",
	"is_trust", "system_msg_type", "live_status", "biz_msg_unread_count"}

// fgCheckMessage checks a message object beyond catalogShape: group messages (receiver
// type 2) and the at_uids rules of docs/groups.md.
func fgCheckMessage(t *testing.T, where string, m *jnode) {
	t.Helper()
	if m == nil || m.kind != 'o' {
		t.Errorf("%s: want a message object", where)
		return
	}
	key := fgWantUint(t, where+".msg_key", m.get("msg_key"))
	if key <= 1<<53 {
		t.Errorf("%s.msg_key %d: bilibili-sized keys exceed 2^53", where, key)
	}
	fgWantUint(t, where+".msg_seqno", m.get("msg_seqno"))
	fgWantUint(t, where+".receiver_id", m.get("receiver_id"))
	fgWantUint(t, where+".sender_uid", m.get("sender_uid"))
	au := m.get("at_uids")
	if m.get("receiver_type").num != "2" {
		if au == nil || au.kind != 'z' {
			t.Errorf("%s: at_uids must be null in user sessions", where)
		}
		return
	}
	typ := m.get("msg_type").num
	if m.get("sender_uid").num == "0" {
		// A system message (§10 301–306).
		if n, _ := strconv.Atoi(string(typ)); n < 302 || n > 306 {
			t.Errorf("%s: a system message has msg_type 302–306 (301 is not produced), got %s", where, typ)
		}
		if m.get("msg_source").num != "13" {
			t.Errorf("%s: system messages have msg_source 13", where)
		}
		if m.has("new_face_version") {
			t.Errorf("%s: system messages have no new_face_version key", where)
		}
		if au == nil || au.kind != 'z' {
			t.Errorf("%s: system messages have at_uids null", where)
		}
		raw := m.get("content").str
		c, err := parseOrdered([]byte(raw))
		if err != nil || !wantKeys(t, where+".content", c, []string{"group_id", "content"}) {
			t.Errorf("%s: content must be {\"group_id\", \"content\"} as a string: %q", where, raw)
			return
		}
		if c.get("group_id").num != m.get("receiver_id").num || c.get("content").kind != 's' || c.get("content").str == "" {
			t.Errorf("%s: content's group_id is the receiver_id and its content a non-empty string: %q", where, raw)
		}
		if strings.Contains(raw, `\u003c`) || strings.Contains(raw, `\u003e`) || strings.Contains(raw, `\u0026`) {
			t.Errorf("%s: HTML characters are not escaped in system messages: %q", where, raw)
		}
		return
	}
	// A member's message, sent through send_msg.
	if m.get("msg_source").num != "7" {
		t.Errorf("%s: messages sent through send_msg have msg_source 7", where)
	}
	if typ != "1" && typ != "2" && typ != "5" {
		t.Errorf("%s: members send msg_type 1, 2 or 5, got %s", where, typ)
	}
	if typ == "5" && !fgUintLiteral.MatchString(m.get("content").str) {
		t.Errorf("%s: a recall's content is the bare msg_key", where)
	}
	switch {
	case au == nil:
		t.Errorf("%s: at_uids key missing", where)
	case au.kind == 'z':
	case au.kind == 'a':
		if len(au.arr) == 0 {
			t.Errorf("%s: nobody mentioned is at_uids null, not []", where)
		}
		if typ != "1" {
			t.Errorf("%s: only texts mention", where)
		}
		seen := map[uint64]bool{}
		for i, x := range au.arr {
			v := fgWantUint(t, fmt.Sprintf("%s.at_uids[%d]", where, i), x)
			if v == 0 || seen[v] {
				t.Errorf("%s.at_uids: mids, each once, never 0", where)
			}
			seen[v] = true
		}
	default:
		t.Errorf("%s: at_uids must be null or an array of numbers", where)
	}
}

// fgCheckSession checks a session object beyond catalogShape.
func fgCheckSession(t *testing.T, where string, s *jnode) {
	t.Helper()
	if s == nil || s.kind != 'o' {
		t.Errorf("%s: want a session object", where)
		return
	}
	talker := fgWantUint(t, where+".talker_id", s.get("talker_id"))
	ack := fgWantUint(t, where+".ack_seqno", s.get("ack_seqno"))
	maxSeq := fgWantUint(t, where+".max_seqno", s.get("max_seqno"))
	at := fgWantUint(t, where+".at_seqno", s.get("at_seqno"))
	lm := s.get("last_msg")
	if lm != nil && lm.kind != 'z' {
		fgCheckMessage(t, where+".last_msg", lm)
	}
	for _, k := range []string{"group_name", "group_cover"} {
		if s.get(k) == nil || s.get(k).kind != 's' {
			t.Errorf("%s.%s must be a string", where, k)
		}
	}
	if s.get("session_type").num != "2" {
		if at != 0 || s.get("group_name").str != "" || s.get("group_cover").str != "" || s.get("group_type").num != "0" {
			t.Errorf("%s: a user session has at_seqno 0, empty group_name and group_cover, group_type 0", where)
		}
		return
	}
	if s.get("group_name").str == "" || s.get("group_cover").str == "" {
		t.Errorf("%s: a group session has its group's name and cover", where)
	}
	if gt := s.get("group_type").num; gt != "0" && gt != "2" {
		t.Errorf("%s: group_type 0 or 2, got %s", where, gt)
	}
	for _, k := range fgZero {
		if n := s.get(k); n == nil || n.kind != 'n' || n.num != "0" {
			t.Errorf("%s.%s must be 0 in a group session, got %+v", where, k, n)
		}
	}
	if s.has("account_info") {
		t.Errorf("%s: account_info only in system sessions", where)
	}
	if ack > maxSeq {
		t.Errorf("%s: ack_seqno %d beyond max_seqno %d", where, ack, maxSeq)
	}
	if at != 0 && (at <= ack || at > maxSeq) {
		t.Errorf("%s: a shown at_seqno %d is unread (> ack_seqno %d) and ≤ max_seqno %d", where, at, ack, maxSeq)
	}
	if lm == nil || lm.kind != 'o' {
		t.Errorf("%s: a group session always has a last_msg", where)
		return
	}
	if lm.get("receiver_type").num != "2" || fgUint(t, lm.get("receiver_id")) != talker ||
		fgUint(t, lm.get("msg_seqno")) != maxSeq {
		t.Errorf("%s: last_msg is the group's latest message (receiver_type 2, receiver_id = talker_id, seqno = max_seqno)", where)
	}
	ts, sts := num(t, lm.get("timestamp")), num(t, s.get("session_ts"))
	if sts < ts*1_000_000 || sts >= (ts+1)*1_000_000 {
		t.Errorf("%s: session_ts %d µs is last_msg's time %d s", where, sts, ts)
	}
}

// fgNullGroupAtUIDs returns a copy of n in which the at_uids of group messages are null,
// for catalogShape, which only knows user sessions.
func fgNullGroupAtUIDs(n *jnode) *jnode {
	switch n.kind {
	case 'o':
		c := &jnode{kind: 'o', keys: slices.Clone(n.keys), obj: map[string]*jnode{}}
		group := n.get("receiver_type") != nil && n.get("receiver_type").num == "2"
		for _, k := range n.keys {
			if k == "at_uids" && group {
				c.obj[k] = &jnode{kind: 'z'}
			} else {
				c.obj[k] = fgNullGroupAtUIDs(n.obj[k])
			}
		}
		return c
	case 'a':
		c := &jnode{kind: 'a'}
		for _, x := range n.arr {
			c.arr = append(c.arr, fgNullGroupAtUIDs(x))
		}
		return c
	}
	return n
}

// fgShape checks a successful response: the group rules, then the catalog's.
func fgShape(t *testing.T, endpoint string, root *jnode) {
	t.Helper()
	data := root.get("data")
	switch endpoint {
	case "get_sessions", "new_sessions":
		for i, s := range data.get("session_list").arr {
			fgCheckSession(t, fmt.Sprintf("data.session_list[%d]", i), s)
		}
	case "session_detail":
		fgCheckSession(t, "data", data)
	case "fetch_session_msgs":
		for i, m := range data.get("messages").arr {
			fgCheckMessage(t, fmt.Sprintf("data.messages[%d]", i), m)
		}
		fgWantUint(t, "data.min_seqno", data.get("min_seqno"))
		fgWantUint(t, "data.max_seqno", data.get("max_seqno"))
	case "send_msg":
		if k := fgWantUint(t, "data.msg_key", data.get("msg_key")); k <= 1<<53 {
			t.Errorf("msg_key %d: bilibili-sized keys exceed 2^53", k)
		}
	case "get_msg_dnd":
		for _, k := range []string{"uid_settings", "group_settings"} {
			if l := data.get(k); l != nil && len(l.arr) == 1 {
				fgWantUint(t, "data."+k+"[0].id", l.arr[0].get("id"))
				wantFlag(t, "data."+k+"[0].setting", l.arr[0].get("setting"))
			}
		}
	}
	catalogShape(t, endpoint, fgNullGroupAtUIDs(root))
}

// ---------------------------------------------------------------------------------------
// Golden comparison (as checkGolden, in testdata/golden_groups).

const fgGoldenDir = "golden_groups"

func fgGoldenPath(name string) string { return filepath.Join("testdata", fgGoldenDir, name+".json") }

func fgCheckGolden(t *testing.T, name string, r testkit.Raw) *jnode {
	t.Helper()
	return compareGolden(t, fgGoldenPath(name), r, func(got *jnode) { fgShape(t, endpointOf(name), got) })
}

func TestGoldenGroups(t *testing.T) {
	for _, c := range fgGoldenCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r, extra := c.run(t)
			root := fgCheckGolden(t, c.name, r)
			if extra != nil && !t.Failed() {
				extra(t, root)
			}
		})
	}
}

// TestGoldenGroupsFiles: every case names an endpoint and has its golden file, and no
// file of testdata/golden_groups is stale.
func TestGoldenGroupsFiles(t *testing.T) {
	names := map[string]bool{}
	for _, c := range fgGoldenCases {
		if names[c.name] {
			t.Errorf("duplicate case %s", c.name)
		}
		names[c.name] = true
		if endpointOf(c.name) == c.name {
			t.Errorf("case %s names no endpoint", c.name)
		}
		if _, err := os.Stat(fgGoldenPath(c.name)); err != nil && !*update {
			t.Errorf("case %s has no golden file", c.name)
		}
	}
	files, err := filepath.Glob(filepath.Join("testdata", fgGoldenDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if n := strings.TrimSuffix(filepath.Base(f), ".json"); !names[n] {
			t.Errorf("stale golden file %s (no case uses it)", f)
		}
	}
}

// ---------------------------------------------------------------------------------------
// The cases.

// fgDetail returns u's session_detail data for group gid.
func fgDetail(t *testing.T, s *testkit.Server, u testkit.User, gid uint64) *jnode {
	t.Helper()
	r := s.Get(u, testkit.PathSessionDetail, q("talker_id", fgID(gid), "session_type", "2"))
	mustCode(t, r, 0)
	return mustParse(t, r.Body).get("data")
}

// fgTalkers lists the (session_type, talker_id) of a session list as "type:id".
func fgTalkers(t *testing.T, list *jnode) []string {
	t.Helper()
	var out []string
	for _, s := range list.arr {
		out = append(out, string(s.get("session_type").num)+":"+string(s.get("talker_id").num))
	}
	return out
}

func fgList(t *testing.T, s *testkit.Server, u testkit.User, path string, p url.Values) []string {
	t.Helper()
	r := s.Get(u, path, p)
	mustCode(t, r, 0)
	return fgTalkers(t, mustParse(t, r.Body).get("data", "session_list"))
}

var (
	fgS1 = "1:" + strconv.Itoa(fgHong)
	fgS2 = "2:" + strconv.Itoa(fgG1)
	fgS3 = "2:" + strconv.Itoa(fgG2)
)

var fgGoldenCases = []goldenCase{
	// P3, category 3: my fan groups only, in the order I joined them (no sort_rule).
	{"get_sessions_groups_only", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newFgWorld(t)
		return w.s.Get(w.ming, testkit.PathGetSessions, q("session_type", "3", "mobi_app", "web")), func(t *testing.T, root *jnode) {
			l := root.get("data", "session_list")
			if got := fgTalkers(t, l); !slices.Equal(got, []string{fgS2, fgS3}) {
				t.Fatalf("sessions %v: only groups, by join time, oldest first", got)
			}
			g1, g2 := l.arr[0], l.arr[1]
			if fgUint(t, g1.get("at_seqno")) != 6 || fgUint(t, g1.get("ack_seqno")) != 2 || num(t, g1.get("unread_count")) != 2 {
				t.Errorf("G1: mentioned at seqno 6, read up to the welcome (2), 2 unread (the mention and the image)")
			}
			if g1.get("group_name").str != "阿伟的应援团" || g1.get("group_cover").str != fgNoFace || num(t, g1.get("group_type")) != 0 {
				t.Errorf("G1: default name <owner>的应援团, the owner's face as cover, type 0")
			}
			if num(t, g1.get("top_ts")) != 0 || num(t, g1.get("is_dnd")) != 0 {
				t.Errorf("G1 is neither pinned nor DND")
			}
			if num(t, g1.get("last_msg", "msg_type")) != 2 || g1.get("last_msg", "at_uids").kind != 'z' ||
				fgUint(t, g1.get("last_msg", "msg_key")) != w.imgKey {
				t.Errorf("G1's last_msg is 小明明's image, at_uids null")
			}
			if num(t, g2.get("top_ts")) != epochUs(11*time.Second) || num(t, g2.get("is_dnd")) != 1 {
				t.Errorf("G2: pinned at T+11 (µs) and DND")
			}
			if num(t, g2.get("unread_count")) != 1 || fgUint(t, g2.get("at_seqno")) != 0 || num(t, g2.get("group_type")) != 2 ||
				g2.get("group_name").str != fgG2Name || g2.get("group_cover").str != fgG2Cover {
				t.Errorf("G2: 1 unread, not mentioned, official (2), its own name and cover")
			}
			if num(t, g2.get("session_ts")) != epochUs(10*time.Second) {
				t.Errorf("G2's session_ts is its last message's time in µs")
			}
			// A sort_rule of 1–3 sorts by session_ts, newest first.
			if got := fgList(t, w.s, w.ming, testkit.PathGetSessions, q("session_type", "3", "sort_rule", "1")); !slices.Equal(got, []string{fgS3, fgS2}) {
				t.Errorf("sort_rule=1: %v, want newest first", got)
			}
			// No user sessions in category 3.
			if got := fgList(t, w.s, w.hong, testkit.PathGetSessions, q("session_type", "3")); !slices.Equal(got, []string{fgS2}) {
				t.Errorf("小红's category 3: %v, want only G1", got)
			}
		}
	}},
	// P3, category 4: user and group sessions merged by session_ts.
	{"get_sessions_groups_mixed", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newFgWorld(t)
		return w.s.Get(w.ming, testkit.PathGetSessions, q("session_type", "4", "mobi_app", "web")), func(t *testing.T, root *jnode) {
			if got := fgTalkers(t, root.get("data", "session_list")); !slices.Equal(got, []string{fgS3, fgS2, fgS1}) {
				t.Fatalf("sessions %v: G2 (T+10), G1 (T+9), 小红 (T+7)", got)
			}
			u := root.get("data", "session_list", "2")
			if fgUint(t, u.get("last_msg", "msg_key")) != w.directKey || num(t, u.get("unread_count")) != 1 {
				t.Errorf("小红's direct message, unread")
			}
			for _, c := range []struct {
				cat, fold string
				want      []string
			}{{"4", "1", []string{fgS1}}, {"4", "0", []string{fgS3, fgS2, fgS1}}, {"1", "1", []string{fgS1}},
				{"1", "", []string{fgS3, fgS2, fgS1}}, {"2", "", []string{fgS1}}} {
				p := q("session_type", c.cat)
				if c.fold != "" {
					p.Set("group_fold", c.fold)
				}
				if got := fgList(t, w.s, w.ming, testkit.PathGetSessions, p); !slices.Equal(got, c.want) {
					t.Errorf("category %s, group_fold=%q: %v, want %v", c.cat, c.fold, got, c.want)
				}
			}
			// Without group_fold, is_group_fold decides.
			w.s.SetPrefs(w.ming, map[string]int{"is_group_fold": 1})
			if got := fgList(t, w.s, w.ming, testkit.PathGetSessions, q("session_type", "4")); !slices.Equal(got, []string{fgS1}) {
				t.Errorf("is_group_fold=1: %v, want the groups folded out", got)
			}
			if got := fgList(t, w.s, w.ming, testkit.PathGetSessions, q("session_type", "4", "group_fold", "0")); len(got) != 3 {
				t.Errorf("group_fold=0 beats is_group_fold=1: %v", got)
			}
		}
	}},
	// P4: group sessions changed after begin_ts.
	{"new_sessions_group", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newFgWorld(t)
		begin := strconv.FormatInt(epochUs(7*time.Second+500*time.Millisecond), 10)
		return w.s.Get(w.ming, testkit.PathNewSessions, q("begin_ts", begin, "size", "20", "mobi_app", "web")), func(t *testing.T, root *jnode) {
			if got := fgTalkers(t, root.get("data", "session_list")); !slices.Equal(got, []string{fgS3, fgS2}) {
				t.Errorf("sessions %v: G2 and G1 changed after T+7.5; 小红's (T+7) did not", got)
			}
			later := strconv.FormatInt(epochUs(9*time.Second+500*time.Millisecond), 10)
			if got := fgList(t, w.s, w.ming, testkit.PathNewSessions, q("begin_ts", later)); !slices.Equal(got, []string{fgS3}) {
				t.Errorf("after T+9.5: %v, want only G2", got)
			}
		}
	}},
	// P5 with session_type 2.
	{"session_detail_group", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newFgWorld(t)
		return w.s.Get(w.mingming, testkit.PathSessionDetail, q("talker_id", fgID(fgG1), "session_type", "2", "mobi_app", "web")), func(t *testing.T, root *jnode) {
			d := root.get("data")
			// 小明明 sent the image: his session is read up to it, and "@小明明你好" mentioned
			// him at seqno 6, which he has read by sending.
			if fgUint(t, d.get("ack_seqno")) != 7 || fgUint(t, d.get("max_seqno")) != 7 || num(t, d.get("unread_count")) != 0 ||
				fgUint(t, d.get("at_seqno")) != 0 || num(t, d.get("ack_ts")) < epochUs(9*time.Second) || num(t, d.get("ack_ts")) >= epochUs(10*time.Second) {
				t.Errorf("sending reads the session: ack 7 at T+9 (µs), nothing unread, at_seqno 0 once acked past")
			}
			// 小红 was mentioned by nobody; 小明 was, and has not read it.
			if fgUint(t, fgDetail(t, w.s, w.hong, fgG1).get("at_seqno")) != 0 {
				t.Errorf("小红 was not mentioned")
			}
			m := fgDetail(t, w.s, w.ming, fgG1)
			if fgUint(t, m.get("at_seqno")) != 6 || num(t, m.get("unread_count")) != 2 {
				t.Errorf("小明: at_seqno 6, 2 unread")
			}
			// Acking past the mention clears it; acking to 6 exactly too (at_seqno > ack_seqno).
			mustCode(t, w.s.Post(w.ming, testkit.PathUpdateAck, q("talker_id", fgID(fgG1), "session_type", "2", "ack_seqno", "5")), 0)
			if m := fgDetail(t, w.s, w.ming, fgG1); fgUint(t, m.get("at_seqno")) != 6 || num(t, m.get("unread_count")) != 2 {
				t.Errorf("acked to 5: the mention still shows")
			}
			mustCode(t, w.s.Post(w.ming, testkit.PathUpdateAck, q("talker_id", fgID(fgG1), "session_type", "2", "ack_seqno", "6")), 0)
			if m := fgDetail(t, w.s, w.ming, fgG1); fgUint(t, m.get("at_seqno")) != 0 || num(t, m.get("unread_count")) != 1 {
				t.Errorf("acked to 6: at_seqno 0, 1 unread (the image)")
			}
		}
	}},
	// P2.
	{"my_group_unread_groups", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newFgWorld(t)
		return w.s.Get(w.ming, testkit.PathMyGroupUnread, q("build", "0", "mobi_app", "web")), func(t *testing.T, root *jnode) {
			if num(t, root.get("data", "unread_count")) != 3 {
				t.Errorf("2 unread in G1 + 1 in G2 (DND does not change counts)")
			}
			// single_unread never counts groups: only 小红's direct message.
			u := mustParse(t, w.s.Get(w.ming, testkit.PathSingleUnread, nil).Body).get("data")
			if num(t, u.get("unfollow_unread"))+num(t, u.get("follow_unread")) != 1 {
				t.Errorf("single_unread counts the direct message only")
			}
			// Turning group messages off zeroes the count; back on shows it again.
			w.s.SetPrefs(w.ming, map[string]int{"should_receive_group": 0})
			if n := num(t, mustParse(t, w.s.Get(w.ming, testkit.PathMyGroupUnread, nil).Body).get("data", "unread_count")); n != 0 {
				t.Errorf("should_receive_group=0: %d, want 0", n)
			}
			if d := fgDetail(t, w.s, w.ming, fgG1); num(t, d.get("unread_count")) != 0 || fgUint(t, d.get("at_seqno")) != 0 {
				t.Errorf("should_receive_group=0: the session shows unread_count 0 and at_seqno 0")
			}
			w.s.SetPrefs(w.ming, map[string]int{"should_receive_group": 1})
			if n := num(t, mustParse(t, w.s.Get(w.ming, testkit.PathMyGroupUnread, nil).Body).get("data", "unread_count")); n != 3 {
				t.Errorf("should_receive_group=1 again: %d, want 3", n)
			}
		}
	}},
	// P17 with session_type 2: every kind of group message, seen by the owner, who sees
	// the group from its opening. At T+12 小明明 writes "发错了" and recalls it at T+13;
	// at T+14 小红 leaves, at T+15 阿伟 removes 阿强, at T+16 the group is frozen and at
	// T+17 unfrozen.
	{"fetch_session_msgs_group_system", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newFgWorld(t)
		s := w.s
		s.Advance(time.Second)
		wrong := s.SendGroupText(w.mingming, fgG1, "发错了")
		s.Advance(time.Second)
		recall := fgSendKey(t, s.Post(w.mingming, testkit.PathSendMsg, testkit.GroupForm(fgMingMing, fgG1, 5, fgID(wrong))))
		for _, step := range []struct{ method, path string }{
			{"DELETE", fmt.Sprintf("/admin/v1/groups/%d/members/%d", fgG1, fgHong)},
			{"POST", fmt.Sprintf("/admin/v1/groups/%d/members/%d/remove", fgG1, fgQiang)},
			{"POST", fmt.Sprintf("/admin/v1/groups/%d/freeze", fgG1)},
			{"POST", fmt.Sprintf("/admin/v1/groups/%d/unfreeze", fgG1)},
		} {
			s.Advance(time.Second)
			if st := s.Admin(step.method, step.path, nil, nil); st != 200 {
				t.Fatalf("%s %s: status %d", step.method, step.path, st)
			}
		}
		return s.Get(w.owner, testkit.PathFetchMsgs, q("talker_id", fgID(fgG1), "session_type", "2", "size", "20", "mobi_app", "web")), func(t *testing.T, root *jnode) {
			d := root.get("data")
			msgs := d.get("messages").arr
			type m struct {
				sender, typ int64
				text        string
			}
			var got []m
			for i := len(msgs) - 1; i >= 0; i-- { // oldest first
				x := msgs[i]
				var text string
				switch {
				case num(t, x.get("sender_uid")) == 0:
					text = fgNotice(t, x)
				case num(t, x.get("msg_type")) == 1:
					var c struct {
						Content string `json:"content"`
					}
					json.Unmarshal([]byte(x.get("content").str), &c)
					text = c.Content
				default:
					text = x.get("content").str
				}
				got = append(got, m{num(t, x.get("sender_uid")), num(t, x.get("msg_type")), text})
				if want := uint64(len(msgs) - i); fgUint(t, x.get("msg_seqno")) != want {
					t.Errorf("message %d has seqno %d: the group's own dense sequence", want, fgUint(t, x.get("msg_seqno")))
				}
			}
			want := []m{{0, 305, "阿伟的应援团开通啦 (>▽<)"}, {0, 306, "欢迎小明入群"}, {0, 306, "欢迎小明明入群"},
				{0, 306, "欢迎小红入群"}, {0, 306, "欢迎阿强入群"}, {fgOwner, 1, fgAtText}, {fgMingMing, 2, fgImage},
				{fgMingMing, 1, "发错了"}, {fgMingMing, 5, fgID(wrong)}, {0, 302, "小红退出了应援团"},
				{0, 302, "阿强被移出了应援团"}, {0, 303, "该应援团已被冻结"}, {0, 303, "该应援团已解除冻结"}}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("messages (oldest first)\n got %v\nwant %v", got, want)
			}
			at := msgs[len(msgs)-6]
			if au := at.get("at_uids"); au.kind != 'a' || len(au.arr) != 2 || fgUint(t, au.arr[0]) != fgMing || fgUint(t, au.arr[1]) != fgMingMing {
				t.Errorf("the mention's at_uids: [小明, 小明明] as numbers, in order of mention")
			}
			if fgUint(t, at.get("msg_key")) != w.atKey || num(t, at.get("new_face_version")) != 1 {
				t.Errorf("the mention: its msg_key exactly, new_face_version 1")
			}
			recalled, rc := msgs[len(msgs)-8], msgs[len(msgs)-9]
			if num(t, recalled.get("msg_status")) != 1 || recalled.get("content").str != testkit.Text("发错了") {
				t.Errorf("the recalled message keeps its content with msg_status 1")
			}
			if fgUint(t, rc.get("msg_key")) != recall || rc.get("at_uids").kind != 'z' || rc.has("sys_cancel") {
				t.Errorf("the recall: its msg_key, at_uids null, no sys_cancel")
			}
			for _, x := range msgs {
				if num(t, x.get("msg_status")) != 0 && x != recalled {
					t.Errorf("only the recalled message has a msg_status")
				}
			}
			if e := d.get("e_infos"); len(e.arr) != 1 || e.arr[0].get("text").str != "[tv_doge]" {
				t.Errorf("e_infos: the mention's [tv_doge]")
			}
			// The same history, two at a time from the top.
			r := s.Get(w.owner, testkit.PathFetchMsgs, q("talker_id", fgID(fgG1), "session_type", "2", "size", "2"))
			p := mustParse(t, r.Body).get("data")
			if len(p.get("messages").arr) != 2 || num(t, p.get("has_more")) != 1 || fgUint(t, p.get("max_seqno")) != 13 ||
				fgUint(t, p.get("min_seqno")) != 12 {
				t.Errorf("size=2: seqnos 13 and 12, has_more 1")
			}
			// size=0: groups have no hints.
			z := mustParse(t, s.Get(w.owner, testkit.PathFetchMsgs, q("talker_id", fgID(fgG1), "session_type", "2", "size", "0")).Body).get("data")
			if z.get("messages").kind != 'z' || z.get("min_seqno").num != "18446744073709551615" || z.get("max_seqno").num != "0" {
				t.Errorf("size=0: no messages")
			}
		}
	}},
	// P17: a member sees the group from their own welcome message on.
	{"fetch_session_msgs_group_joined_later", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newFgWorld(t)
		return w.s.Get(w.hong, testkit.PathFetchMsgs, q("talker_id", fgID(fgG1), "session_type", "2")), func(t *testing.T, root *jnode) {
			d := root.get("data")
			msgs := d.get("messages").arr
			if len(msgs) != 4 || fgUint(t, d.get("min_seqno")) != 4 || fgUint(t, d.get("max_seqno")) != 7 || num(t, d.get("has_more")) != 0 {
				t.Fatalf("小红 joined at seqno 4: she sees 4–7, has_more 0")
			}
			if fgNotice(t, msgs[3]) != "欢迎小红入群" {
				t.Errorf("her first message is her own welcome")
			}
			// Scrolling back below her welcome finds nothing.
			r := w.s.Get(w.hong, testkit.PathFetchMsgs, q("talker_id", fgID(fgG1), "session_type", "2", "end_seqno", "4"))
			if m := mustParse(t, r.Body).get("data", "messages"); m.kind != 'z' {
				t.Errorf("end_seqno=4: nothing before her welcome")
			}
			r = w.s.Get(w.hong, testkit.PathFetchMsgs, q("talker_id", fgID(fgG1), "session_type", "2", "begin_seqno", "1", "size", "1"))
			if m := mustParse(t, r.Body).get("data", "messages"); len(m.arr) != 1 || fgUint(t, m.arr[0].get("msg_seqno")) != 4 {
				t.Errorf("begin_seqno=1: reading up starts at her welcome")
			}
		}
	}},
	// P19 to a group: a text with mentions and emoji.
	{"send_msg_group_text", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newFgWorld(t)
		content := `{"content":"@阿伟 @小红 @路人甲 @小红，今晚几点直播[tv_doge][口罩]"}`
		r := w.s.Post(w.ming, testkit.PathSendMsg, testkit.GroupForm(fgMing, fgG1, 1, content))
		return r, func(t *testing.T, root *jnode) {
			d := root.get("data")
			// No key_hit_infos: bilibili sends it only for texts to a user (catalog P19).
			if want := []string{"msg_key", "e_infos", "msg_content"}; !slices.Equal(d.keys, want) {
				t.Errorf("a group text answers msg_key, e_infos, msg_content: %v", d.keys)
			}
			if d.get("msg_content").str != content || len(d.get("e_infos").arr) != 2 {
				t.Errorf("msg_content echoes msg[content]; one e_info per emoji")
			}
			key := fgUint(t, d.get("msg_key"))
			h := mustParse(t, w.s.Get(w.hong, testkit.PathFetchMsgs, q("talker_id", fgID(fgG1), "session_type", "2", "size", "1")).Body)
			m := h.get("data", "messages", "0")
			if fgUint(t, m.get("msg_key")) != key || fgUint(t, m.get("msg_seqno")) != 8 || fgUint(t, m.get("sender_uid")) != fgMing {
				t.Fatalf("小红 sees 小明's message as seqno 8")
			}
			// Members only (路人甲 is not one), each once, in order of first mention.
			if au := m.get("at_uids"); au.kind != 'a' || len(au.arr) != 2 || fgUint(t, au.arr[0]) != fgOwner || fgUint(t, au.arr[1]) != fgHong {
				t.Errorf("at_uids: [阿伟, 小红]")
			}
			if fgUint(t, fgDetail(t, w.s, w.hong, fgG1).get("at_seqno")) != 8 || fgUint(t, fgDetail(t, w.s, w.owner, fgG1).get("at_seqno")) != 8 {
				t.Errorf("the mentioned members' at_seqno is the message's seqno")
			}
			me := fgDetail(t, w.s, w.ming, fgG1)
			if fgUint(t, me.get("ack_seqno")) != 8 || num(t, me.get("unread_count")) != 0 || fgUint(t, me.get("at_seqno")) != 0 {
				t.Errorf("sending reads the sender's session (and its earlier mention)")
			}
			if num(t, fgDetail(t, w.s, w.hong, fgG1).get("unread_count")) != 3 {
				t.Errorf("小红: the mention, the image and this text are unread")
			}
		}
	}},
	{"send_msg_group_image", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newFgWorld(t)
		img := `{"url":"https://i0.hdslb.com/bfs/im/0a1b2c3d.jpg","height":100,"width":100}`
		r := w.s.Post(w.ming, testkit.PathSendMsg, testkit.GroupForm(fgMing, fgG2, 2, img))
		return r, func(t *testing.T, root *jnode) {
			if d := root.get("data"); !slices.Equal(d.keys, []string{"msg_key"}) {
				t.Errorf("image answer: only msg_key, got %v", d.keys)
			}
			h := mustParse(t, w.s.Get(w.owner, testkit.PathFetchMsgs, q("talker_id", fgID(fgG2), "session_type", "2", "size", "1")).Body)
			m := h.get("data", "messages", "0")
			if m.get("content").str != img || m.get("at_uids").kind != 'z' || fgUint(t, m.get("receiver_id")) != fgG2 ||
				num(t, m.get("receiver_type")) != 2 {
				t.Errorf("the image is stored as sent, at_uids null, to the group")
			}
			// The owner's session: 1 unread (the image); 小明 pinned G2 before: still pinned.
			if num(t, fgDetail(t, w.s, w.owner, fgG2).get("unread_count")) != 1 || num(t, fgDetail(t, w.s, w.ming, fgG2).get("top_ts")) == 0 {
				t.Errorf("the owner has 1 unread; 小明's pin stays")
			}
		}
	}},
	{"send_msg_group_recall", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newFgWorld(t)
		w.s.Advance(30 * time.Second)
		before := fgDetail(t, w.s, w.ming, fgG1)
		r := w.s.Post(w.mingming, testkit.PathSendMsg, testkit.GroupForm(fgMingMing, fgG1, 5, fgID(w.imgKey)))
		return r, func(t *testing.T, root *jnode) {
			if d := root.get("data"); !slices.Equal(d.keys, []string{"msg_key"}) {
				t.Errorf("recall answer: only msg_key, got %v", d.keys)
			}
			key := fgUint(t, root.get("data", "msg_key"))
			after := fgDetail(t, w.s, w.ming, fgG1)
			if num(t, after.get("unread_count")) != num(t, before.get("unread_count")) {
				t.Errorf("a recall never counts as unread, and the recalled image still does")
			}
			if fgUint(t, after.get("last_msg", "msg_key")) != key || num(t, after.get("last_msg", "msg_type")) != 5 ||
				after.get("last_msg", "content").str != fgID(w.imgKey) || fgUint(t, after.get("max_seqno")) != 8 {
				t.Errorf("the recall is the group's message 8 and its last_msg, content the bare msg_key")
			}
			h := mustParse(t, w.s.Get(w.ming, testkit.PathFetchMsgs, q("talker_id", fgID(fgG1), "session_type", "2", "size", "2")).Body)
			if img := h.get("data", "messages", "1"); num(t, img.get("msg_status")) != 1 || img.get("content").str != fgImage {
				t.Errorf("the recalled image keeps its content with msg_status 1")
			}
			sender := fgDetail(t, w.s, w.mingming, fgG1)
			if fgUint(t, sender.get("ack_seqno")) != 8 || num(t, sender.get("unread_count")) != 0 {
				t.Errorf("recalling reads the sender's session")
			}
		}
	}},
	// P7 with group_ids: only the first id counts.
	{"get_msg_dnd_group", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		w := newFgWorld(t)
		return w.s.Get(w.ming, testkit.PathGetMsgDnd, q("own_uid", fgID(fgMing), "group_ids", fgID(fgG2)+","+fgID(fgG1), "uids", fgID(fgHong))), func(t *testing.T, root *jnode) {
			d := root.get("data")
			if fgUint(t, d.get("group_settings", "0", "id")) != fgG2 || num(t, d.get("group_settings", "0", "setting")) != 1 {
				t.Errorf("group_settings: G2, DND on")
			}
			if fgUint(t, d.get("uid_settings", "0", "id")) != fgHong || num(t, d.get("uid_settings", "0", "setting")) != 0 {
				t.Errorf("uid_settings: 小红, DND off")
			}
			g1 := mustParse(t, w.s.Get(w.ming, testkit.PathGetMsgDnd, q("own_uid", fgID(fgMing), "group_ids", fgID(fgG1))).Body)
			if num(t, g1.get("data", "group_settings", "0", "setting")) != 0 || g1.get("data").has("uid_settings") {
				t.Errorf("G1: DND off; no uid_settings without uids")
			}
			// set_msg_dnd off again.
			mustCode(t, w.s.Post(w.ming, testkit.PathSetMsgDnd, q("setting", "0", "dnd_group_id", fgID(fgG2))), 0)
			if num(t, fgDetail(t, w.s, w.ming, fgG2).get("is_dnd")) != 0 {
				t.Errorf("set_msg_dnd setting=0 turns is_dnd off")
			}
		}
	}},
}
