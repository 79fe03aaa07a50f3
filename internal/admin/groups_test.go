package admin_test

// Operator API tests of the fan-group endpoints (internal/admin/groups.go,
// docs/groups.md). What members see of the operator's changes is read back through the
// bilibili API (fetch_session_msgs with session_type 2).

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/internal/testkit"
)

type group struct {
	ID        uint64 `json:"id"`
	Owner     uint64 `json:"owner"`
	Name      string `json:"name"`
	Cover     string `json:"cover"`
	Type      int    `json:"type"`
	State     string `json:"state"`
	Members   int64  `json:"members"`
	MaxSeqno  uint64 `json:"max_seqno"`
	CreatedAt int64  `json:"created_at"`
}

type member struct {
	Group    uint64 `json:"group_id"`
	Mid      uint64 `json:"mid"`
	JoinedAt int64  `json:"joined_at_us"`
	AckSeqno uint64 `json:"ack_seqno"`
}

type memberList struct {
	Members []member `json:"members"`
}

const noFace = "https://i0.hdslb.com/bfs/face/member/noface.jpg"

// mkUser creates a user through the operator API.
func mkUser(t *testing.T, s *testkit.Server, mid uint64, name string, fans int) {
	t.Helper()
	want(t, do(t, s, "POST", "/admin/v1/users", mustJSON(map[string]any{"mid": mid, "name": name, "fans": fans})),
		200, nil)
}

func gpath(gid uint64, rest ...string) string {
	return "/admin/v1/groups/" + strconv.FormatUint(gid, 10) + strings.Join(rest, "")
}

func getGroup(t *testing.T, s *testkit.Server, gid uint64) group {
	t.Helper()
	var g group
	want(t, do(t, s, "GET", gpath(gid), ""), 200, &g)
	return g
}

func members(t *testing.T, s *testkit.Server, gid uint64, query string) []member {
	t.Helper()
	var l memberList
	want(t, do(t, s, "GET", gpath(gid, "/members", query), ""), 200, &l)
	return l.Members
}

func mids(ms []member) []uint64 {
	out := []uint64{}
	for _, m := range ms {
		out = append(out, m.Mid)
	}
	return out
}

// groupTexts is the group's history as viewer (a member) reads it through the bilibili
// API: "<msg_type> <text>" per message, newest first.
func groupTexts(t *testing.T, s *testkit.Server, viewer testkit.User, gid uint64) []string {
	t.Helper()
	r := s.Get(viewer, testkit.PathFetchMsgs, url.Values{"talker_id": {strconv.FormatUint(gid, 10)},
		"session_type": {"2"}, "size": {"200"}})
	if c := r.Code(t); c != 0 {
		t.Fatalf("fetch group %d as %d: code %d: %s", gid, viewer.Mid, c, r.Body)
	}
	var d struct {
		Messages []struct {
			MsgType int    `json:"msg_type"`
			Content string `json:"content"`
		} `json:"messages"`
	}
	r.Data(t, &d)
	out := []string{}
	for _, m := range d.Messages {
		var c struct {
			GroupID uint64 `json:"group_id"`
			Content string `json:"content"`
		}
		if err := json.Unmarshal([]byte(m.Content), &c); err != nil {
			t.Fatalf("content %q: %v", m.Content, err)
		}
		if m.MsgType > 300 && c.GroupID != gid {
			t.Errorf("system message of group %d names group %d", gid, c.GroupID)
		}
		out = append(out, strconv.Itoa(m.MsgType)+" "+c.Content)
	}
	return out
}

// login logs mid in for the bilibili API.
func login(t *testing.T, s *testkit.Server, mid uint64) testkit.User {
	t.Helper()
	var cr struct {
		SESSDATA   string `json:"SESSDATA"`
		BiliJct    string `json:"bili_jct"`
		DedeUserID string `json:"DedeUserID"`
	}
	want(t, do(t, s, "POST", fmt.Sprintf("/admin/v1/users/%d/login", mid), ""), 200, &cr)
	return testkit.User{Mid: mid, SESSDATA: cr.SESSDATA, BiliJct: cr.BiliJct}
}

func TestGroupCreate(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	mkUser(t, s, 10, "团长", 1000)
	mkUser(t, s, 11, "小粉", 999)
	want(t, do(t, s, "PATCH", "/admin/v1/users/10", `{"face":"https://i0.hdslb.com/bfs/face/owner.jpg"}`), 200, nil)

	// Defaults: the owner's name and face, type 0, open, the owner as only member, the
	// 305 message as seqno 1.
	var g group
	want(t, do(t, s, "POST", "/admin/v1/groups", `{"owner":10}`), 200, &g)
	if g != (group{ID: 200000001, Owner: 10, Name: "团长的应援团", Cover: "https://i0.hdslb.com/bfs/face/owner.jpg",
		Type: 0, State: "open", Members: 1, MaxSeqno: 1, CreatedAt: testkit.Epoch.Unix()}) {
		t.Errorf("created group: %+v", g)
	}
	if got := getGroup(t, s, g.ID); got != g {
		t.Errorf("GET %+v, created %+v", got, g)
	}
	ms := members(t, s, g.ID, "")
	if len(ms) != 1 || ms[0] != (member{Group: g.ID, Mid: 10, JoinedAt: ms[0].JoinedAt, AckSeqno: 1}) ||
		ms[0].JoinedAt < testkit.Epoch.UnixMicro() || ms[0].JoinedAt > testkit.Epoch.UnixMicro()+1000 {
		t.Errorf("members of a new group: %+v", ms)
	}
	owner := login(t, s, 10)
	if got := groupTexts(t, s, owner, g.ID); !slices.Equal(got, []string{"305 团长的应援团开通啦 (>▽<)"}) {
		t.Errorf("new group's history: %v", got)
	}

	// Everything given; the name and cover are the group's own, not the owner's.
	s.Advance(time.Hour)
	var g2 group
	want(t, do(t, s, "POST", "/admin/v1/groups", `{"owner":10,"name":"官方群","cover":"https://i0.hdslb.com/x.png","type":2}`),
		200, &g2)
	if g2 != (group{ID: 200000002, Owner: 10, Name: "官方群", Cover: "https://i0.hdslb.com/x.png", Type: 2,
		State: "open", Members: 1, MaxSeqno: 1, CreatedAt: testkit.Epoch.Add(time.Hour).Unix()}) {
		t.Errorf("created official group: %+v", g2)
	}
	// The opening text names the owner, not the group.
	if got := groupTexts(t, s, owner, g2.ID); !slices.Equal(got, []string{"305 团长的应援团开通啦 (>▽<)"}) {
		t.Errorf("official group's history: %v", got)
	}

	// Ids: given ones are kept; assigned ones continue one above the largest, never below
	// 200000001.
	var small, next, big, after, explicitZero group
	want(t, do(t, s, "POST", "/admin/v1/groups", `{"owner":10,"id":5}`), 200, &small)
	want(t, do(t, s, "POST", "/admin/v1/groups", `{"owner":10}`), 200, &next)
	want(t, do(t, s, "POST", "/admin/v1/groups", `{"owner":10,"id":300000000}`), 200, &big)
	want(t, do(t, s, "POST", "/admin/v1/groups", `{"owner":10}`), 200, &after)
	want(t, do(t, s, "POST", "/admin/v1/groups", `{"owner":10,"id":0}`), 200, &explicitZero)
	if small.ID != 5 || next.ID != 200000003 || big.ID != 300000000 || after.ID != 300000001 ||
		explicitZero.ID != 300000002 {
		t.Errorf("ids: %d %d %d %d %d", small.ID, next.ID, big.ID, after.ID, explicitZero.ID)
	}

	// Conflicts and refusals.
	want(t, do(t, s, "POST", "/admin/v1/groups", `{"owner":10,"id":5}`), http.StatusConflict, nil)
	want(t, do(t, s, "POST", "/admin/v1/groups", `{"owner":10,"id":200000001}`), http.StatusConflict, nil)
	want(t, do(t, s, "POST", "/admin/v1/groups", `{"owner":11}`), http.StatusForbidden, nil)
	want(t, do(t, s, "POST", "/admin/v1/groups", `{"owner":12}`), http.StatusNotFound, nil)
	// 1000 fans are enough, whenever they come.
	want(t, do(t, s, "PATCH", "/admin/v1/users/11", `{"fans":1000}`), 200, nil)
	var fan group
	want(t, do(t, s, "POST", "/admin/v1/groups", `{"owner":11,"id":77}`), 200, &fan)
	if fan.Name != "小粉的应援团" || fan.Cover != noFace {
		t.Errorf("group of a user without a face: %+v", fan)
	}
	for name, body := range map[string]string{
		"not JSON":           `owner=10`,
		"truncated":          `{"owner":10`,
		"array":              `[{"owner":10}]`,
		"unknown field":      `{"owner":10,"members":[1]}`,
		"two objects":        `{"owner":10}{"owner":10}`,
		"empty body":         ``,
		"id 2^63":            `{"owner":10,"id":9223372036854775808}`,
		"id 2^64-1":          `{"owner":10,"id":18446744073709551615}`,
		"id 2^64":            `{"owner":10,"id":18446744073709551616}`,
		"negative id":        `{"owner":10,"id":-1}`,
		"string id":          `{"owner":10,"id":"123"}`,
		"type 1":             `{"owner":10,"type":1}`,
		"type 3":             `{"owner":10,"type":3}`,
		"type -1":            `{"owner":10,"type":-1}`,
		"string type":        `{"owner":10,"type":"2"}`,
		"space-padded name":  `{"owner":10,"name":" 团 "}`,
		"name over 64 chars": mustJSON(map[string]any{"owner": 10, "name": strings.Repeat("团", 65)}),
		"negative owner":     `{"owner":-10}`,
		"string owner":       `{"owner":"10"}`,
		"name of wrong type": `{"owner":10,"name":1}`,
	} {
		t.Run(name, func(t *testing.T) {
			want(t, do(t, s, "POST", "/admin/v1/groups", body), http.StatusBadRequest, nil)
		})
	}
	var long group
	want(t, do(t, s, "POST", "/admin/v1/groups", mustJSON(map[string]any{"owner": 10, "name": strings.Repeat("团", 64)})),
		200, &long)
	if long.Name != strings.Repeat("团", 64) {
		t.Errorf("64-character name: %q", long.Name)
	}
	// Bodies over 64 KiB are refused.
	want(t, do(t, s, "POST", "/admin/v1/groups", mustJSON(map[string]any{"owner": 10, "cover": strings.Repeat("a", 64<<10)})),
		http.StatusRequestEntityTooLarge, nil)
	// No refused request created a group: the groups are those made above.
	for _, id := range []uint64{300000004, 1} {
		want(t, do(t, s, "GET", gpath(id), ""), http.StatusNotFound, nil)
	}

	// The largest id.
	var maxID group
	want(t, do(t, s, "POST", "/admin/v1/groups", `{"owner":10,"id":9223372036854775807}`), 200, &maxID)
	if maxID.ID != 1<<63-1 || getGroup(t, s, 1<<63-1).ID != 1<<63-1 {
		t.Errorf("id 2^63-1: %+v", maxID)
	}
	t.Run("no id to assign above 2^63-1", func(t *testing.T) {
		// No id is left above 2^63-1: the operator must give one (409), and one still can.
		want(t, do(t, s, "POST", "/admin/v1/groups", `{"owner":10}`), http.StatusConflict, nil)
		want(t, do(t, s, "POST", "/admin/v1/groups", `{"owner":10,"id":987654321}`), 200, nil)
	})
}

func TestGroupGetPatch(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	mkUser(t, s, 10, "团长", 1000)
	var g group
	want(t, do(t, s, "POST", "/admin/v1/groups", `{"owner":10}`), 200, &g)

	var p group
	want(t, do(t, s, "PATCH", gpath(g.ID), `{"name":"新名字"}`), 200, &p)
	wantG := g
	wantG.Name = "新名字"
	if p != wantG {
		t.Errorf("renamed: %+v", p)
	}
	want(t, do(t, s, "PATCH", gpath(g.ID), `{"cover":"https://i0.hdslb.com/c.png"}`), 200, &p)
	wantG.Cover = "https://i0.hdslb.com/c.png"
	if p != wantG || getGroup(t, s, g.ID) != wantG {
		t.Errorf("new cover: %+v", p)
	}
	want(t, do(t, s, "PATCH", gpath(g.ID), `{}`), 200, &p)
	if p != wantG {
		t.Errorf("empty patch changed the group: %+v", p)
	}
	// Members see the new name and cover in their session.
	owner := login(t, s, 10)
	r := s.Get(owner, testkit.PathSessionDetail, url.Values{"talker_id": {strconv.FormatUint(g.ID, 10)}, "session_type": {"2"}})
	var d struct {
		GroupName  string `json:"group_name"`
		GroupCover string `json:"group_cover"`
		MaxSeqno   uint64 `json:"max_seqno"`
	}
	r.Data(t, &d)
	if d.GroupName != "新名字" || d.GroupCover != "https://i0.hdslb.com/c.png" || d.MaxSeqno != 1 {
		t.Errorf("session after the patch: %+v", d)
	}

	for name, body := range map[string]string{
		"unknown field":     `{"name":"x","owner":11}`,
		"empty name":        `{"name":""}`,
		"space-padded name": `{"name":" x"}`,
		"long name":         mustJSON(map[string]string{"name": strings.Repeat("名", 65)}),
		"null name":         `{"name":1}`,
		"not JSON":          `name=x`,
		"state":             `{"state":"frozen"}`,
		"type":              `{"type":2}`,
	} {
		t.Run(name, func(t *testing.T) {
			want(t, do(t, s, "PATCH", gpath(g.ID), body), http.StatusBadRequest, nil)
		})
	}
	if got := getGroup(t, s, g.ID); got != wantG {
		t.Errorf("refused patches changed the group: %+v", got)
	}
	for _, path := range []string{"/admin/v1/groups/x", "/admin/v1/groups/0", "/admin/v1/groups/-1",
		"/admin/v1/groups/18446744073709551616"} {
		want(t, do(t, s, "GET", path, ""), http.StatusBadRequest, nil)
		want(t, do(t, s, "PATCH", path, `{"name":"x"}`), http.StatusBadRequest, nil)
	}
	for _, id := range []uint64{g.ID + 1, 1, 1 << 63, 1<<64 - 1} {
		want(t, do(t, s, "GET", gpath(id), ""), http.StatusNotFound, nil)
		want(t, do(t, s, "PATCH", gpath(id), `{"name":"x"}`), http.StatusNotFound, nil)
	}
	// A dissolved group cannot change.
	want(t, do(t, s, "POST", gpath(g.ID, "/dissolve"), ""), 200, nil)
	want(t, do(t, s, "PATCH", gpath(g.ID), `{"name":"复活"}`), http.StatusConflict, nil)
	if got := getGroup(t, s, g.ID); got.Name != "新名字" {
		t.Errorf("dissolved group renamed: %+v", got)
	}
}

func TestGroupStates(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	mkUser(t, s, 10, "团长", 1000)
	mkUser(t, s, 20, "小红", 0)
	mkUser(t, s, 21, "小蓝", 0)
	var g group
	want(t, do(t, s, "POST", "/admin/v1/groups", `{"owner":10}`), 200, &g)
	want(t, do(t, s, "PUT", gpath(g.ID, "/members/20"), ""), 200, nil)
	owner := login(t, s, 10)
	state := func(action string, status int, wantState string, wantSeq uint64) {
		t.Helper()
		r := do(t, s, "POST", gpath(g.ID, "/", action), "")
		var out group
		want(t, r, status, &out)
		if status == 200 && (out.State != wantState || out.MaxSeqno != wantSeq || out.ID != g.ID || out.Members != 2) {
			t.Errorf("%s: %+v, want state %s max_seqno %d", action, out, wantState, wantSeq)
		}
		if got := getGroup(t, s, g.ID); got.State != wantState || got.MaxSeqno != wantSeq {
			t.Errorf("after %s: %+v, want state %s max_seqno %d", action, got, wantState, wantSeq)
		}
	}
	state("freeze", 200, "frozen", 3)
	state("freeze", 200, "frozen", 3) // already frozen: nothing said
	// Frozen: no joins; members can still leave.
	want(t, do(t, s, "PUT", gpath(g.ID, "/members/21"), ""), http.StatusConflict, nil)
	want(t, do(t, s, "POST", gpath(g.ID, "/members"), `{"mids":[21]}`), http.StatusConflict, nil)
	state("unfreeze", 200, "open", 4)
	state("unfreeze", 200, "open", 4)
	state("freeze", 200, "frozen", 5)
	state("dissolve", 200, "dissolved", 6) // a frozen group can be dissolved
	state("dissolve", 200, "dissolved", 6)
	state("freeze", http.StatusConflict, "dissolved", 6)
	state("unfreeze", http.StatusConflict, "dissolved", 6)
	want(t, do(t, s, "PUT", gpath(g.ID, "/members/21"), ""), http.StatusConflict, nil)
	want(t, do(t, s, "PUT", gpath(g.ID, "/members/20"), ""), http.StatusConflict, nil)
	want(t, do(t, s, "POST", gpath(g.ID, "/members"), `{"mids":[21]}`), http.StatusConflict, nil)
	if got := mids(members(t, s, g.ID, "")); !slices.Equal(got, []uint64{10, 20}) {
		t.Errorf("members of the dissolved group: %v", got)
	}
	// Members read the dissolved group's session, not its history (700013).
	r := s.Get(owner, testkit.PathFetchMsgs, url.Values{"talker_id": {strconv.FormatUint(g.ID, 10)}, "session_type": {"2"}})
	if c := r.Code(t); c != 700013 {
		t.Errorf("history of the dissolved group: code %d, want 700013", c)
	}

	for _, action := range []string{"freeze", "unfreeze", "dissolve"} {
		want(t, do(t, s, "POST", gpath(g.ID+1, "/", action), ""), http.StatusNotFound, nil)
		want(t, do(t, s, "POST", "/admin/v1/groups/x/"+action, ""), http.StatusBadRequest, nil)
		want(t, do(t, s, "GET", gpath(g.ID, "/", action), ""), http.StatusNotFound, nil) // wrong method
	}
}

// TestGroupStateMessages: the texts of the state changes, as the members read them.
func TestGroupStateMessages(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	mkUser(t, s, 10, "团长", 1000)
	mkUser(t, s, 20, "小红", 0)
	var g group
	want(t, do(t, s, "POST", "/admin/v1/groups", `{"owner":10}`), 200, &g)
	want(t, do(t, s, "PUT", gpath(g.ID, "/members/20"), ""), 200, nil)
	for _, a := range []string{"freeze", "freeze", "unfreeze", "unfreeze", "freeze"} {
		want(t, do(t, s, "POST", gpath(g.ID, "/", a), ""), 200, nil)
	}
	if got := groupTexts(t, s, login(t, s, 20), g.ID); !slices.Equal(got, []string{"303 该应援团已被冻结",
		"303 该应援团已解除冻结", "303 该应援团已被冻结", "306 欢迎小红入群"}) {
		t.Errorf("history: %v", got)
	}
}

func TestGroupMembers(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	mkUser(t, s, 10, "团长", 1000)
	for i, name := range []string{"甲", "乙", "丙", "丁", "戊"} {
		mkUser(t, s, uint64(20+i), name, 0)
	}
	var g group
	want(t, do(t, s, "POST", "/admin/v1/groups", `{"owner":10}`), 200, &g)
	owner := login(t, s, 10)

	// One join: the member row, a welcome, one more member.
	s.Advance(time.Second)
	var m member
	want(t, do(t, s, "PUT", gpath(g.ID, "/members/20"), ""), 200, &m)
	nowUs := testkit.Epoch.Add(time.Second).UnixMicro()
	if m.Group != g.ID || m.Mid != 20 || m.AckSeqno != 2 || m.JoinedAt < nowUs || m.JoinedAt > nowUs+1000 {
		t.Errorf("joined: %+v", m)
	}
	if got := getGroup(t, s, g.ID); got.Members != 2 || got.MaxSeqno != 2 {
		t.Errorf("after one join: %+v", got)
	}
	// Joining twice changes nothing and says nothing.
	s.Advance(time.Second)
	var again member
	want(t, do(t, s, "PUT", gpath(g.ID, "/members/20"), ""), 200, &again)
	if again != m {
		t.Errorf("joined again: %+v, first %+v", again, m)
	}
	want(t, do(t, s, "PUT", gpath(g.ID, "/members/10"), ""), 200, &again) // the owner too
	if again.Mid != 10 || again.AckSeqno != 1 {
		t.Errorf("owner joined again: %+v", again)
	}
	if got := getGroup(t, s, g.ID); got.Members != 2 || got.MaxSeqno != 2 {
		t.Errorf("after joining twice: %+v", got)
	}

	// Bulk: in the order given, one welcome each; existing members are left as they are.
	var bulk memberList
	want(t, do(t, s, "POST", gpath(g.ID, "/members"), `{"mids":[22,20,21]}`), 200, &bulk)
	if got := mids(bulk.Members); !slices.Equal(got, []uint64{22, 20, 21}) {
		t.Errorf("bulk join answered %v", got)
	}
	if bulk.Members[0].AckSeqno != 3 || bulk.Members[1] != m || bulk.Members[2].AckSeqno != 4 {
		t.Errorf("bulk join: %+v", bulk.Members)
	}
	if got := getGroup(t, s, g.ID); got.Members != 4 || got.MaxSeqno != 4 {
		t.Errorf("after the bulk join: %+v", got)
	}
	if got := groupTexts(t, s, owner, g.ID); !slices.Equal(got, []string{"306 欢迎乙入群", "306 欢迎丙入群",
		"306 欢迎甲入群", "305 团长的应援团开通啦 (>▽<)"}) {
		t.Errorf("history after the joins: %v", got)
	}

	// All or nothing: an unknown user refuses the whole batch.
	want(t, do(t, s, "POST", gpath(g.ID, "/members"), `{"mids":[23,99,24]}`), http.StatusNotFound, nil)
	want(t, do(t, s, "POST", gpath(g.ID, "/members"), `{"mids":[23,24,99]}`), http.StatusNotFound, nil)
	if got := getGroup(t, s, g.ID); got.Members != 4 || got.MaxSeqno != 4 {
		t.Errorf("a refused bulk join changed the group: %+v", got)
	}
	if got := mids(members(t, s, g.ID, "")); !slices.Equal(got, []uint64{10, 20, 21, 22}) {
		t.Errorf("members after a refused bulk join: %v", got)
	}
	want(t, do(t, s, "POST", gpath(g.ID+1, "/members"), `{"mids":[23]}`), http.StatusNotFound, nil)
	for name, body := range map[string]string{
		"no mids":       `{}`,
		"empty mids":    `{"mids":[]}`,
		"null mids":     `{"mids":null}`,
		"unknown field": `{"mids":[23],"mid":23}`,
		"string mids":   `{"mids":["23"]}`,
		"negative mid":  `{"mids":[-23]}`,
		"not a list":    `{"mids":23}`,
		"1001 mids":     mustJSON(map[string]any{"mids": slices.Repeat([]uint64{23}, 1001)}),
		"not JSON":      `mids=23`,
	} {
		t.Run(name, func(t *testing.T) {
			want(t, do(t, s, "POST", gpath(g.ID, "/members"), body), http.StatusBadRequest, nil)
		})
	}
	if got := getGroup(t, s, g.ID); got.Members != 4 || got.MaxSeqno != 4 {
		t.Errorf("refused bulk joins changed the group: %+v", got)
	}

	// Single joins: unknown user, unknown group, bad ids.
	want(t, do(t, s, "PUT", gpath(g.ID, "/members/99"), ""), http.StatusNotFound, nil)
	want(t, do(t, s, "PUT", gpath(g.ID+1, "/members/23"), ""), http.StatusNotFound, nil)
	want(t, do(t, s, "PUT", gpath(g.ID, "/members/0"), ""), http.StatusBadRequest, nil)
	want(t, do(t, s, "PUT", gpath(g.ID, "/members/x"), ""), http.StatusBadRequest, nil)

	// Listing: mid order, after/limit paging, [] past the end.
	if got := mids(members(t, s, g.ID, "?limit=2")); !slices.Equal(got, []uint64{10, 20}) {
		t.Errorf("first page: %v", got)
	}
	if got := mids(members(t, s, g.ID, "?after=20&limit=2")); !slices.Equal(got, []uint64{21, 22}) {
		t.Errorf("second page: %v", got)
	}
	r := do(t, s, "GET", gpath(g.ID, "/members?after=22"), "")
	want(t, r, 200, nil)
	if strings.TrimSpace(string(r.body)) != `{"members":[]}` {
		t.Errorf("empty page: %s", r.body)
	}
	for _, q := range []string{"?limit=0", "?limit=1001", "?limit=x", "?after=x", "?after=-1"} {
		want(t, do(t, s, "GET", gpath(g.ID, "/members", q), ""), http.StatusBadRequest, nil)
	}
	if got := members(t, s, g.ID, "?limit=1000"); len(got) != 4 {
		t.Errorf("limit 1000: %d members", len(got))
	}
	want(t, do(t, s, "GET", gpath(g.ID+1, "/members"), ""), http.StatusNotFound, nil)
	// ack_seqno follows the member's reads through the bilibili API.
	s.SendGroupText(owner, g.ID, "大家好")
	u21 := login(t, s, 21)
	s.MustOK(u21, testkit.PathUpdateAck, url.Values{"talker_id": {strconv.FormatUint(g.ID, 10)}, "session_type": {"2"}})
	for _, mm := range members(t, s, g.ID, "") {
		wantAck := map[uint64]uint64{10: 5, 20: 2, 21: 5, 22: 3}[mm.Mid]
		if mm.AckSeqno != wantAck {
			t.Errorf("ack_seqno of %d: %d, want %d", mm.Mid, mm.AckSeqno, wantAck)
		}
	}
}

// TestGroupBulkJoin1000: the largest batch, 1000 distinct users in one request.
func TestGroupBulkJoin1000(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	mkUser(t, s, 10, "团长", 1000)
	var batch []uint64
	for i := range 1000 {
		mid := uint64(1000 + i)
		mkUser(t, s, mid, "粉丝"+strconv.Itoa(i), 0)
		batch = append(batch, mid)
	}
	mkUser(t, s, 5000, "多一个", 0)
	var g group
	want(t, do(t, s, "POST", "/admin/v1/groups", `{"owner":10}`), 200, &g)
	want(t, do(t, s, "POST", gpath(g.ID, "/members"), mustJSON(map[string]any{"mids": append(slices.Clone(batch), 5000)})),
		http.StatusBadRequest, nil)
	if got := getGroup(t, s, g.ID); got.Members != 1 || got.MaxSeqno != 1 {
		t.Errorf("a refused batch of 1001 changed the group: %+v", got)
	}
	var out memberList
	want(t, do(t, s, "POST", gpath(g.ID, "/members"), mustJSON(map[string]any{"mids": batch})), 200, &out)
	if len(out.Members) != 1000 || out.Members[999].Mid != 1999 || out.Members[999].AckSeqno != 1001 {
		t.Errorf("batch of 1000: %d members, last %+v", len(out.Members), out.Members[len(out.Members)-1])
	}
	if got := getGroup(t, s, g.ID); got.Members != 1001 || got.MaxSeqno != 1001 {
		t.Errorf("after the batch of 1000: %+v", got)
	}
	if got := members(t, s, g.ID, "?after=1998"); len(got) != 1 || got[0].Mid != 1999 {
		t.Errorf("last member: %+v", got)
	}
}

func TestGroupLeave(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	mkUser(t, s, 10, "团长", 1000)
	mkUser(t, s, 20, "小红", 0)
	mkUser(t, s, 21, "小蓝", 0)
	mkUser(t, s, 22, "小绿", 0)
	mkUser(t, s, 23, "路人", 0)
	var g group
	want(t, do(t, s, "POST", "/admin/v1/groups", `{"owner":10}`), 200, nil)
	want(t, do(t, s, "GET", gpath(200000001), ""), 200, &g)
	want(t, do(t, s, "POST", gpath(g.ID, "/members"), `{"mids":[20,21,22]}`), 200, nil)
	owner := login(t, s, 10)

	r := do(t, s, "DELETE", gpath(g.ID, "/members/20"), "")
	want(t, r, 200, nil)
	if strings.TrimSpace(string(r.body)) != `{}` {
		t.Errorf("leave answered %s", r.body)
	}
	r = do(t, s, "POST", gpath(g.ID, "/members/21/remove"), "")
	want(t, r, 200, nil)
	if strings.TrimSpace(string(r.body)) != `{}` {
		t.Errorf("remove answered %s", r.body)
	}
	if got := getGroup(t, s, g.ID); got.Members != 2 || got.MaxSeqno != 6 {
		t.Errorf("after a leave and a removal: %+v", got)
	}
	if got := mids(members(t, s, g.ID, "")); !slices.Equal(got, []uint64{10, 22}) {
		t.Errorf("members: %v", got)
	}
	if got := groupTexts(t, s, owner, g.ID)[:2]; !slices.Equal(got, []string{"302 小蓝被移出了应援团", "302 小红退出了应援团"}) {
		t.Errorf("history: %v", got)
	}

	// Not a member (any more), unknown user or group: 404; nothing said.
	want(t, do(t, s, "DELETE", gpath(g.ID, "/members/20"), ""), http.StatusNotFound, nil)
	want(t, do(t, s, "POST", gpath(g.ID, "/members/21/remove"), ""), http.StatusNotFound, nil)
	want(t, do(t, s, "DELETE", gpath(g.ID, "/members/23"), ""), http.StatusNotFound, nil)
	want(t, do(t, s, "DELETE", gpath(g.ID, "/members/99"), ""), http.StatusNotFound, nil)
	want(t, do(t, s, "DELETE", gpath(g.ID+1, "/members/22"), ""), http.StatusNotFound, nil)
	want(t, do(t, s, "POST", gpath(g.ID+1, "/members/22/remove"), ""), http.StatusNotFound, nil)
	want(t, do(t, s, "DELETE", gpath(g.ID, "/members/0"), ""), http.StatusBadRequest, nil)
	want(t, do(t, s, "POST", gpath(g.ID, "/members/x/remove"), ""), http.StatusBadRequest, nil)
	// The owner stays.
	want(t, do(t, s, "DELETE", gpath(g.ID, "/members/10"), ""), http.StatusConflict, nil)
	want(t, do(t, s, "POST", gpath(g.ID, "/members/10/remove"), ""), http.StatusConflict, nil)
	if got := getGroup(t, s, g.ID); got.Members != 2 || got.MaxSeqno != 6 {
		t.Errorf("refused leaves changed the group: %+v", got)
	}

	// Back in: a new membership from a new welcome.
	var m member
	want(t, do(t, s, "PUT", gpath(g.ID, "/members/20"), ""), 200, &m)
	if m.AckSeqno != 7 {
		t.Errorf("rejoined: %+v", m)
	}
	// A frozen group can be left.
	want(t, do(t, s, "POST", gpath(g.ID, "/freeze"), ""), 200, nil)
	want(t, do(t, s, "DELETE", gpath(g.ID, "/members/20"), ""), 200, nil)
	if got := groupTexts(t, s, owner, g.ID)[0]; got != "302 小红退出了应援团" {
		t.Errorf("leaving the frozen group: %q", got)
	}
	if got := getGroup(t, s, g.ID); got.Members != 2 || got.MaxSeqno != 9 || got.State != "frozen" {
		t.Errorf("after leaving the frozen group: %+v", got)
	}

	t.Run("dissolved", func(t *testing.T) {
		// docs/operator-api.md: "any change to a dissolved group is 409".
		want(t, do(t, s, "POST", gpath(g.ID, "/dissolve"), ""), 200, nil)
		want(t, do(t, s, "DELETE", gpath(g.ID, "/members/22"), ""), http.StatusConflict, nil)
		want(t, do(t, s, "POST", gpath(g.ID, "/members/22/remove"), ""), http.StatusConflict, nil)
		if got := mids(members(t, s, g.ID, "")); !slices.Equal(got, []uint64{10, 22}) {
			t.Errorf("members of the dissolved group: %v", got)
		}
	})
}

// TestGroupErrorBodies: refusals of the group endpoints are plain client errors, not
// server errors.
func TestGroupErrorBodies(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	mkUser(t, s, 10, "团长", 1000)
	mkUser(t, s, 11, "小粉", 0)
	want(t, do(t, s, "POST", "/admin/v1/groups", `{"owner":10}`), 200, nil)
	for _, c := range []struct {
		method, path, body string
		status             int
	}{
		{"GET", gpath(1), "", http.StatusNotFound},
		{"POST", "/admin/v1/groups", `{"owner":11}`, http.StatusForbidden},
		{"POST", "/admin/v1/groups", `{"owner":10,"id":200000001}`, http.StatusConflict},
		{"DELETE", gpath(200000001, "/members/11"), "", http.StatusNotFound},
		{"DELETE", gpath(200000001, "/members/10"), "", http.StatusConflict},
	} {
		r := do(t, s, c.method, c.path, c.body)
		want(t, r, c.status, nil)
		if strings.Contains(string(r.body), "服务器错误") {
			t.Errorf("%s %s: %s", c.method, c.path, r.body)
		}
	}
}

func TestGroupAuth(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	mkUser(t, s, 10, "团长", 1000)
	mkUser(t, s, 20, "小红", 0)
	var g group
	want(t, do(t, s, "POST", "/admin/v1/groups", `{"owner":10}`), 200, &g)
	for _, ep := range []struct{ method, path, body string }{
		{"POST", "/admin/v1/groups", `{"owner":10}`},
		{"GET", gpath(g.ID), ""},
		{"PATCH", gpath(g.ID), `{"name":"x"}`},
		{"POST", gpath(g.ID, "/freeze"), ""},
		{"POST", gpath(g.ID, "/unfreeze"), ""},
		{"POST", gpath(g.ID, "/dissolve"), ""},
		{"GET", gpath(g.ID, "/members"), ""},
		{"POST", gpath(g.ID, "/members"), `{"mids":[20]}`},
		{"PUT", gpath(g.ID, "/members/20"), ""},
		{"DELETE", gpath(g.ID, "/members/20"), ""},
		{"POST", gpath(g.ID, "/members/20/remove"), ""},
	} {
		for _, token := range []string{"", "Bearer wrong"} {
			var body []byte
			if ep.body != "" {
				body = []byte(ep.body)
			}
			want(t, call(t, s, token, ep.method, ep.path, body), http.StatusUnauthorized, nil)
		}
	}
	// Nothing happened.
	want(t, do(t, s, "GET", gpath(g.ID+1), ""), http.StatusNotFound, nil)
	if got := getGroup(t, s, g.ID); got != g {
		t.Errorf("refused requests changed the group: %+v", got)
	}
	if got := mids(members(t, s, g.ID, "")); !slices.Equal(got, []uint64{10}) {
		t.Errorf("refused requests changed the members: %v", got)
	}
}
