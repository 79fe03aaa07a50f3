package im_test

// The fan-group part of TestModel (model_test.go), modelled from docs/groups.md (and the
// fan-group rows of docs/operator-api.md and docs/choices.md).
//
// The model keeps, per group, its state, its members (join seqno, read position, latest
// @-mention, pin, DND, the seqno a removed session stays hidden until) and every message
// of its dense sequence (sender, type, mentions, status). Unread counts, at_seqno,
// max_seqno, last messages, list membership and order, and history windows are computed
// from those by definition each time they are asked for; only msg_keys are learned from
// the service (and checked to be unique, above 2^53 and increasing with the 1:1 ones:
// "group messages take their msg_keys from the same counter as 1:1 messages",
// architecture.md). Seqnos, group ids and mentions are predicted.
//
// Group ops are drawn from their own random source (gen.groupOp), so the core mix of
// model_test.go runs the same ops as without groups, interleaved with these.
//
// After a group op, or a change of a user's group settings, the users it may have
// changed (the group's members before and after it, the actor) get my_group_unread,
// category 4 with the groups unfolded (every session in the merged order, every group
// session field by field) and session_detail of the groups they are in but removed from
// their lists; everyone outside the group is checked to learn nothing of it (1000004,
// 700014, default settings). Every groupFullEvery steps, every user gets
// my_group_unread, category 3 and those session_details; one user (drawn from the checks'
// own source, so that -model.full does not change the ops) gets categories 1 and 4 with
// and without group_fold, one of 2, 5, 8, 9 (never groups), category 3 bounded by a
// session_ts in both orders, sort_rule 3, new_sessions from 0 and from a bound, paging,
// session_detail and settings of every group they are in, and a group id that does not
// exist; and every group its operator view and members. Every 250 steps and at the end,
// every member reads the whole history of each group, paging down and up. -model.full
// does all of that after every step.
//
// The core comparisons of model_test.go read categories 1 and 4 with group_fold=1, so
// they see only user sessions.

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/bilimsg/bilimsg/internal/im"
	"github.com/bilimsg/bilimsg/internal/store"
)

// modelNames are the users' names, made for @-mentions: prefixes of each other (小明,
// 小明明), one name twice (1001 and 1005), case and width variants (Ann, ann, Ｂｏｂ), a
// name with a space, which cannot be mentioned, and its first word as another user's name.
var modelNames = map[uint64]string{1001: "小明", 1002: "小明明", 1003: "Ann", 1004: "ann", 1005: "小明",
	1006: "Ｂｏｂ", 1007: "two words", 1008: "two"}

// The fan-group ops.
const (
	opGCreate opKind = 100 + iota // operator: create a group
	opGJoin                       // operator: join members
	opGLeave                      // operator: leave or remove
	opGState                      // operator: freeze, unfreeze, dissolve
	opGPatch                      // operator: rename, change the cover
	opGSend                       // send_msg with receiver_type 2
	opGAck                        // update_ack, session_type 2
	opGRemove                     // remove_session
	opGTop                        // set_top
	opGDnd                        // set_msg_dnd
	opGFetch                      // fetch_session_msgs
)

// gOp are a fan-group op's arguments besides op's.
type gOp struct {
	gid           uint64
	mids          []uint64 // join
	id            uint64   // create: the id asked for (0: assigned)
	name, cover   string   // create ("": the default)
	pname, pcover *string  // patch (nil: unchanged)
	gtype         int
	state         store.GroupState
	removed       bool
	size          int // fetch
	begin, end    uint64
}

// The group ids the ops use for groups that do not exist: 0 and ids above 2^63-1 are not
// ids at all; 999_999_999 is never assigned in a run.
var noGroups = []uint64{0, 999_999_999, 1 << 63, math.MaxUint64}

// groupCodes are the outcomes and events the fixed seed must produce.
var groupCodes = []string{
	"gcreate:0", "gcreate:fewfans", "gcreate:exists", "gcreate:invalid", "gcreate:nouser",
	"gjoin:0", "gjoin:state", "gjoin:nouser", "gjoin:404", "gjoin:invalid",
	"gleave:0", "gleave:owner", "gleave:notmember", "gleave:404",
	"gstate:0", "gstate:state", "gpatch:0", "gpatch:state",
	"gsend:0", "gsend:700014", "gsend:700013", "gsend:21028", "gsend:21035", "gsend:-400", "gsend:21007",
	"gsend:21037", "gsend:10005", "gsend:21041", "gsend:21042", "grecall:0",
	"gack:0", "gremove:0", "gtop:0", "gdnd:0", "gfetch:0", "gfetch:700014", "gfetch:700013",
	"gmention:some", "gmention:samename", "gmention:self", "gmention:ignored", "gmention:prefix",
	"gmention:after20", "gack:nonmember", "gsend:nonmember-dissolved", "gleave:state",
}

// --- the model ---

// gMsg is a group message as the model knows it; key is learned from the service.
type gMsg struct {
	gid, key, seq uint64
	from          uint64 // 0: a system message
	typ, src, nfv int
	content       string
	ts            int64
	status        int
	at            [][]uint64 // mentioned mids, one slice per name in order of first mention; nil: none
	// after and ord order the message against every other: after is the newest 1:1 seqno
	// when it was written, ord counts group messages (session_ts follows creation).
	after, ord uint64
}

type gMember struct {
	join, ack, at uint64
	hidden        uint64 // removed when this was the latest seqno; listed once there is a newer one
	joinOrd       uint64
	pinned, dnd   bool
}

type mGroup struct {
	id, owner   uint64
	name, cover string
	typ         int
	state       store.GroupState
	created     int64
	msgs        []*gMsg // msgs[i].seq == i+1
	members     map[uint64]*gMember
}

func (g *mGroup) last() *gMsg { return g.msgs[len(g.msgs)-1] }

// mids returns the members in mid order.
func (g *mGroup) mids() []uint64 {
	out := make([]uint64, 0, len(g.members))
	for mid := range g.members {
		out = append(out, mid)
	}
	slices.Sort(out)
	return out
}

// mGroups is the fan-group part of the model, and the state the group generator and
// checks keep between steps.
type mGroups struct {
	list  []*mGroup // in creation order
	byID  map[uint64]*mGroup
	byKey map[uint64]*gMsg
	ord   uint64 // the last gMsg.ord and gMember.joinOrd given
	// fresh are the messages the current op wrote (in order), to be learned; touched the
	// users whose group sessions it may change; opGroup the group it acted on.
	fresh   []*gMsg
	touched map[uint64]bool
	opGroup *mGroup
	// what the last group op answered
	res    im.SendResult
	err    error
	got    store.Group
	joined []store.Member
	hist   im.History
	before *im.SessionView // a member's session before an ack or set_top
	gr, cr *rand.Rand      // the generator's and the checks' own sources
	now    time.Time       // the clock when the step started
	since  int             // steps since every user's group sessions were compared
	// recallNext is a recall for the generator's next step; queue are the group ops to
	// make next; toured is set once the refusal tour was queued.
	recallNext *gRecall
	queue      []op
	toured     bool
	dissolved  bool // the dissolved tour was queued
}

// gRecall is a recall to make: of key, or (0) of a's newest text or image in group gid.
type gRecall struct{ gid, a, key uint64 }

func newMGroups(seed uint64, now time.Time) *mGroups {
	return &mGroups{byID: map[uint64]*mGroup{}, byKey: map[uint64]*gMsg{}, touched: map[uint64]bool{},
		gr: rand.New(rand.NewPCG(seed^0x243f6a8885a308d3, seed)), cr: rand.New(rand.NewPCG(seed, seed^0x13198a2e03707344)),
		now: now}
}

// gpref reads the group settings, whose defaults (should_receive_group 1, is_group_fold
// 0) are docs/settings.md's.
func (m *model) gpref(u uint64, name string) int {
	if v, ok := m.prefs[u][name]; ok {
		return v
	}
	if name == "should_receive_group" {
		return 1
	}
	return 0
}

// gUnread is the definition: messages after my read position written by members — not
// system messages, not recalls, not my own; 0 when I turned group messages off.
func (m *model) gUnread(u uint64, g *mGroup) int64 {
	mem := g.members[u]
	if mem == nil || m.gpref(u, "should_receive_group") == 0 {
		return 0
	}
	var n int64
	for _, x := range g.msgs[mem.ack:] {
		if x.from != 0 && x.from != u && x.typ != im.MsgRecall {
			n++
		}
	}
	return n
}

// gAt is the at_seqno a member's session shows: the latest mention while unread.
func (m *model) gAt(u uint64, g *mGroup) uint64 {
	mem := g.members[u]
	if m.gpref(u, "should_receive_group") == 0 || mem.at <= mem.ack {
		return 0
	}
	return mem.at
}

// skey orders sessions by session_ts: a user session by its newest visible 1:1 seqno
// (skey{seq, 0}), a group session by its newest message (skey{after, ord}).
type skey struct{ a, b uint64 }

func (k skey) newer(o skey) bool { return k.a > o.a || k.a == o.a && k.b > o.b }

func (g *mGroup) key() skey { l := g.last(); return skey{l.after, l.ord} }

// gListed are u's listed group sessions (a member, and a message since any removal),
// newest first.
func (m *model) gListed(u uint64) []*mGroup {
	var out []*mGroup
	for _, g := range m.grp.list {
		if mem := g.members[u]; mem != nil && uint64(len(g.msgs)) > mem.hidden {
			out = append(out, g)
		}
	}
	slices.SortFunc(out, func(x, y *mGroup) int {
		if x.key().newer(y.key()) {
			return -1
		}
		return 1
	})
	return out
}

// post appends x to g's sequence.
func (m *model) gPost(g *mGroup, x *gMsg, now time.Time) {
	gs := m.grp
	gs.ord++
	x.gid, x.seq, x.ts, x.after, x.ord = g.id, uint64(len(g.msgs)+1), now.Unix(), m.maxSeq, gs.ord
	if x.from != 0 {
		x.src, x.nfv = im.SourceWeb, 1
	} else {
		x.src = im.SourceGroupSystem
	}
	g.msgs = append(g.msgs, x)
	gs.fresh = append(gs.fresh, x)
}

// notice is a system message's content: {"group_id": id, "content": text}, compact, with
// HTML characters as they are.
func notice(id uint64, text string) string {
	if strings.ContainsAny(text, "\"\\") || strings.IndexFunc(text, unicode.IsControl) >= 0 {
		panic(fmt.Sprintf("model: notice %q needs escaping", text))
	}
	return fmt.Sprintf(`{"group_id":%d,"content":"%s"}`, id, text)
}

func (m *model) gJoin(g *mGroup, mid uint64, now time.Time) {
	x := &gMsg{typ: im.MsgGroupWelcome, content: notice(g.id, "欢迎"+modelNames[mid]+"入群")}
	m.gPost(g, x, now)
	m.grp.ord++
	g.members[mid] = &gMember{join: x.seq, ack: x.seq, joinOrd: m.grp.ord}
	m.grp.touched[mid] = true
}

// gMentions finds the members a text @-mentions (docs/groups.md): for each of the first
// 20 '@' (or '＠'), the longest run of characters after it, up to white space or the next
// '@', that is a member's name; every member of that name, each once, in order of first
// mention.
func (m *model) gMentions(g *mGroup, text string) [][]uint64 {
	byName := map[string][]uint64{}
	for _, mid := range g.mids() {
		byName[modelNames[mid]] = append(byName[modelNames[mid]], mid)
	}
	rs := []rune(text)
	var out [][]uint64
	seen := map[uint64]bool{}
	ats := 0
	for i := 0; i < len(rs); i++ {
		if rs[i] != '@' && rs[i] != '＠' {
			continue
		}
		j := i + 1
		for j < len(rs) && !unicode.IsSpace(rs[j]) && rs[j] != '@' && rs[j] != '＠' {
			j++
		}
		ats++
		run := rs[i+1 : j]
		for k := len(run); k > 0; k-- {
			mids, ok := byName[string(run[:k])]
			if !ok {
				continue
			}
			if ats > 20 {
				m.events["gmention:after20"]++
				break
			}
			if k < len(run) {
				m.events["gmention:prefix"]++
			}
			var grp []uint64
			for _, mid := range mids {
				if !seen[mid] {
					seen[mid] = true
					grp = append(grp, mid)
				}
			}
			if len(grp) > 0 {
				out = append(out, grp)
			}
			break
		}
	}
	switch {
	case len(out) > 0:
		m.events["gmention:some"]++
	case ats > 0:
		m.events["gmention:ignored"]++
	}
	for _, grp := range out {
		if len(grp) > 1 {
			m.events["gmention:samename"]++
		}
	}
	return out
}

func flat(at [][]uint64) []uint64 {
	var out []uint64
	for _, grp := range at {
		out = append(out, grp...)
	}
	return out
}

// atMatches reports whether got lists the mentions in order of first mention; members
// mentioned by one name may come in any order among themselves (the doc does not say).
func atMatches(got []uint64, want [][]uint64) bool {
	for _, grp := range want {
		if len(got) < len(grp) {
			return false
		}
		a, b := slices.Clone(got[:len(grp)]), slices.Clone(grp)
		slices.Sort(a)
		slices.Sort(b)
		if !slices.Equal(a, b) {
			return false
		}
		got = got[len(grp):]
	}
	return len(got) == 0
}

// predictGroup applies a fan-group op to the model and returns what the service must answer.
func (m *model) predictGroup(o op, now time.Time) outcome {
	gs := m.grp
	gs.fresh, gs.touched, gs.opGroup = nil, map[uint64]bool{}, nil
	g := gs.byID[o.g.gid]
	if g != nil && o.kind != opGCreate {
		gs.opGroup = g
		for mid := range g.members {
			gs.touched[mid] = true
		}
	}
	gs.touched[o.a] = true
	err := m.predictGroupOp(o, g, now)
	return outcome{err: err, verify: func(h *harness) { h.verifyGroupOp(o, err) }}
}

func (m *model) predictGroupOp(o op, g *mGroup, now time.Time) error {
	gs, a, p := m.grp, o.a, o.g
	var mem *gMember
	if g != nil {
		mem = g.members[a]
	}
	switch o.kind {
	case opGCreate:
		if p.id > math.MaxInt64 || (p.gtype != im.GroupSupport && p.gtype != im.GroupOfficial) {
			return im.ErrInvalid
		}
		if !m.exists[a] {
			return im.ErrUserNotFound
		}
		if m.fans[a] < im.FanThreshold {
			return im.ErrFewFans
		}
		id := p.id
		if id == 0 {
			// One above the largest, from 200000001 on (docs/groups.md).
			id = 200_000_001
			for _, x := range gs.list {
				id = max(id, x.id+1)
			}
		}
		if gs.byID[id] != nil {
			return im.ErrGroupExists
		}
		g = &mGroup{id: id, owner: a, name: p.name, cover: p.cover, typ: p.gtype, created: now.Unix(),
			members: map[uint64]*gMember{}}
		if g.name == "" {
			g.name = modelNames[a] + "的应援团"
		}
		if g.cover == "" {
			g.cover = im.DefaultFace // the owner's face: users are created without one
		}
		gs.list, gs.byID[id], gs.opGroup = append(gs.list, g), g, g
		x := &gMsg{typ: im.MsgGroupOpened, content: notice(id, modelNames[a]+"的应援团开通啦 (>▽<)")}
		m.gPost(g, x, now)
		gs.ord++
		g.members[a] = &gMember{join: x.seq, ack: x.seq, joinOrd: gs.ord}
	case opGJoin:
		if len(p.mids) == 0 {
			return im.ErrInvalid
		}
		if g == nil {
			return im.ErrGroupNotFound
		}
		if g.state != store.GroupOpen {
			return im.ErrGroupState
		}
		for _, mid := range p.mids {
			if !m.exists[mid] {
				return im.ErrUserNotFound // all or nothing
			}
		}
		for _, mid := range p.mids {
			if g.members[mid] == nil { // joining again changes nothing
				m.gJoin(g, mid, now)
			}
		}
	case opGLeave:
		switch {
		case g == nil:
			return im.ErrGroupNotFound
		case mem == nil:
			return im.ErrNotMember
		case a == g.owner:
			return im.ErrOwnerStays
		case g.state == store.GroupDissolved:
			// Nothing changes in a dissolved group: members can neither leave nor be removed.
			return im.ErrGroupState
		}
		delete(g.members, a)
		text := modelNames[a] + "退出了应援团"
		if p.removed {
			text = modelNames[a] + "被移出了应援团"
		}
		m.gPost(g, &gMsg{typ: im.MsgGroupLeft, content: notice(g.id, text)}, now)
	case opGState:
		switch {
		case g == nil:
			return im.ErrGroupNotFound
		case g.state == p.state:
			return nil // says nothing
		case g.state == store.GroupDissolved:
			return im.ErrGroupState
		}
		x := &gMsg{typ: im.MsgGroupFrozen, content: notice(g.id, "该应援团已被冻结")}
		switch p.state {
		case store.GroupOpen:
			x.content = notice(g.id, "该应援团已解除冻结")
		case store.GroupDissolved:
			x = &gMsg{typ: im.MsgGroupDissolved, content: notice(g.id, "该应援团已解散")}
		}
		g.state = p.state
		m.gPost(g, x, now)
	case opGPatch:
		switch {
		case g == nil:
			return im.ErrGroupNotFound
		case g.state == store.GroupDissolved:
			return im.ErrGroupState
		}
		if p.pname != nil {
			g.name = *p.pname
		}
		if p.pcover != nil {
			g.cover = *p.pcover
		}
	case opGSend:
		return m.predictGroupSend(o, g, now)
	case opGAck, opGRemove, opGTop, opGDnd:
		if mem == nil {
			// A non-member learns nothing: 0, nothing changed.
			m.events["gack:nonmember"]++
			return nil
		}
		mx := uint64(len(g.msgs))
		switch o.kind {
		case opGAck:
			target := mx
			if o.seq != nil {
				target = min(*o.seq, mx)
			}
			mem.ack = max(mem.ack, target) // clamps, never backwards
		case opGRemove:
			mem.hidden, mem.ack = mx, mx // hidden until the next message, and read
		case opGTop:
			mem.pinned = o.on
		case opGDnd:
			mem.dnd = o.on
		}
	case opGFetch:
		switch {
		case mem == nil:
			return im.ErrNotGroupMember
		case g.state == store.GroupDissolved:
			return im.ErrGroupDissolved
		}
	}
	return nil
}

// predictGroupSend is send_msg with receiver_type 2: the message checked as between
// users, then membership (700014), dissolved (700013), frozen (21028), then a recall's
// target (10005, 21042, 21041).
func (m *model) predictGroupSend(o op, g *mGroup, now time.Time) error {
	a := o.a
	switch o.typ {
	case im.MsgText, im.MsgImage, im.MsgRecall:
	default:
		return im.ErrTypeUnsupported
	}
	if len(o.content) > im.MaxContentBytes {
		return im.ErrTooLong
	}
	var text string
	var key uint64
	switch o.typ {
	case im.MsgText:
		if e, ok := textVerdict[o.content]; ok && e != nil {
			return e
		}
		text = textOf(o.content)
	case im.MsgImage:
		if e, ok := imageVerdict[o.content]; ok && e != nil {
			return e
		}
	case im.MsgRecall:
		k, err := strconv.ParseUint(o.content, 10, 64)
		if err != nil || k == 0 {
			return im.ErrBadRequest
		}
		key = k
	}
	if g == nil || g.members[a] == nil {
		if g != nil && g.state == store.GroupDissolved {
			m.events["gsend:nonmember-dissolved"]++
		}
		return im.ErrNotGroupMember
	}
	switch g.state {
	case store.GroupDissolved:
		return im.ErrGroupDissolved
	case store.GroupFrozen:
		return im.ErrGroupFrozen
	}
	x := &gMsg{from: a, typ: o.typ, content: o.content}
	if o.typ == im.MsgRecall {
		t := m.grp.byKey[key]
		if t == nil || t.gid != g.id || t.from != a || (t.typ != im.MsgText && t.typ != im.MsgImage) {
			return im.ErrMsgKeyNotFound
		}
		if t.status == 1 {
			return im.ErrAlreadyRecalled
		}
		if now.Unix()-t.ts > 120 {
			return im.ErrRecallExpired
		}
		t.status = 1
	} else if text != "" {
		x.at = m.gMentions(g, text)
	}
	m.gPost(g, x, now)
	g.members[a].ack = x.seq // sending reads the session
	for _, mid := range flat(x.at) {
		if mid == a {
			m.events["gmention:self"]++
			continue
		}
		g.members[mid].at = x.seq
	}
	return nil
}

// --- the generator ---

// groupOp draws, from the group source, whether this step is a fan-group op, and which.
func (g *gen) groupOp() (op, bool) {
	gs := g.m.grp
	r := gs.gr
	if f := gs.recallNext; f != nil {
		// A recall right after the send (the clock moves fast), or the same one again.
		gs.recallNext = nil
		grp := gs.byID[f.gid]
		o := op{kind: opGSend, a: f.a, g: &gOp{gid: f.gid}, typ: im.MsgRecall, note: "again", content: strconv.FormatUint(f.key, 10)}
		if f.key == 0 && grp != nil {
			o.note, o.content = "own newest", "12345"
			for _, x := range slices.Backward(grp.msgs) {
				if x.from == f.a && (x.typ == im.MsgText || x.typ == im.MsgImage) {
					o.content = strconv.FormatUint(x.key, 10)
					break
				}
			}
		}
		return o, true
	}
	if r.IntN(100) >= 15 {
		return op{}, false
	}
	if len(gs.queue) > 0 {
		o := gs.queue[0]
		gs.queue = gs.queue[1:]
		if o.note == "own newest" {
			o.content = "12345"
			if grp := gs.byID[o.g.gid]; grp != nil {
				for _, x := range slices.Backward(grp.msgs) {
					if x.from == o.a && (x.typ == im.MsgText || x.typ == im.MsgImage) {
						o.content = strconv.FormatUint(x.key, 10)
						break
					}
				}
			}
		}
		return o, true
	}
	if !gs.toured && g.step >= 600 && len(gs.list) > 0 && gs.list[0].state != store.GroupDissolved {
		// Once a run for sure: every refusal of an open group.
		gs.toured = true
		gs.queue = g.refusalTour(gs.list[0])
		return g.groupOp()
	}
	live := 0
	for _, x := range gs.list {
		if x.state != store.GroupDissolved {
			live++
		}
	}
	if !gs.dissolved && live >= 2 && g.step >= 1200 {
		// Once a run for sure: a group is dissolved, with messages, members and sessions,
		// and every member and outsider tries everything on it.
		var d *mGroup
		for _, x := range gs.list[1:] {
			if x.state != store.GroupDissolved && (d == nil || len(x.members) > len(d.members)) {
				d = x
			}
		}
		gs.dissolved, gs.queue = true, g.dissolvedTour(d)
		return op{kind: opGState, g: &gOp{gid: d.id, state: store.GroupDissolved}}, true
	}
	p := r.IntN(100)
	if live == 0 && r.IntN(5) < 3 || live < 2 && r.IntN(4) == 0 {
		p = 0
	}
	grp := g.pickGroup()
	if grp == nil && p >= 4 && p < 98 {
		p = 0
	}
	switch {
	case p < 4:
		return g.groupCreate(), true
	case p < 12:
		return g.groupJoin(grp), true
	case p < 17:
		return g.groupLeave(grp), true
	case p < 23:
		return g.groupState(grp), true
	case p < 25:
		o := op{kind: opGPatch, g: &gOp{gid: grp.id}}
		names := []string{"改名的应援团", "Ann's <club> & co", "小明"}
		covers := []string{"https://i0.hdslb.com/bfs/face/x.jpg", ""}
		if r.IntN(3) > 0 {
			o.g.pname = &names[r.IntN(len(names))]
		}
		if r.IntN(2) == 0 {
			o.g.pcover = &covers[r.IntN(len(covers))]
		}
		if r.IntN(10) == 0 {
			o.g.gid = noGroups[1]
		}
		return o, true
	case p < 56:
		o := g.groupSend(grp)
		if o.typ == im.MsgText || o.typ == im.MsgImage {
			if r.IntN(4) == 0 {
				gs.recallNext = &gRecall{gid: o.g.gid, a: o.a}
			}
		}
		return o, true
	case p < 66:
		o := g.groupRecall(grp)
		if o.note == "own recent" && r.IntN(4) == 0 {
			gs.recallNext = &gRecall{gid: grp.id, a: o.a}
			if k, err := strconv.ParseUint(o.content, 10, 64); err == nil {
				gs.recallNext.key = k
			}
		}
		return o, true
	case p < 75:
		return g.groupAck(grp), true
	case p < 78:
		return op{kind: opGRemove, a: g.groupActor(grp), g: &gOp{gid: grp.id}}, true
	case p < 81:
		return op{kind: opGTop, a: g.groupActor(grp), g: &gOp{gid: grp.id}, on: r.IntN(3) > 0}, true
	case p < 84:
		return op{kind: opGDnd, a: g.groupActor(grp), g: &gOp{gid: grp.id}, on: r.IntN(3) > 0}, true
	case p < 88:
		o := op{kind: opSettings, a: g.guser(), patch: map[string]int{}}
		for _, name := range []string{"should_receive_group", "is_group_fold"} {
			if r.IntN(2) == 0 {
				o.patch[name] = r.IntN(2)
			}
		}
		if r.IntN(20) == 0 {
			o.patch["should_receive_group"] = 2
		}
		if len(o.patch) == 0 {
			o.patch["should_receive_group"] = r.IntN(2)
		}
		return o, true
	case p < 93:
		return g.groupFetch(grp), true
	case p < 96:
		return g.groupAdvance(), true
	default:
		// A 1:1 recall of a group message's key: not found (10005).
		a := g.guser()
		b := g.gother(a)
		o := op{kind: opSend, a: a, b: b, typ: im.MsgRecall, note: "a group message's key", content: "12345"}
		if grp != nil {
			var mine []*gMsg
			for _, x := range grp.msgs {
				if x.from == a {
					mine = append(mine, x)
				}
			}
			x := grp.msgs[r.IntN(len(grp.msgs))]
			if len(mine) > 0 && r.IntN(2) == 0 {
				x = mine[r.IntN(len(mine))]
			}
			o.content = strconv.FormatUint(x.key, 10)
		}
		return o, true
	}
}

// refusalTour tries every refusal on an open group grp (and on groups that do not
// exist), one per op.
func (g *gen) refusalTour(grp *mGroup) []op {
	gid, mids := grp.id, grp.mids()
	member := mids[len(mids)-1]
	var outsider uint64 = 1008
	for _, u := range g.m.users {
		if grp.members[u] == nil {
			outsider = u
		}
	}
	text := func(a, gid uint64, typ int, content, note string) op {
		return op{kind: opGSend, a: a, g: &gOp{gid: gid}, typ: typ, content: content, note: note}
	}
	recall := text(member, gid, im.MsgRecall, "", "own newest") // the key is filled in when it is made
	return []op{
		text(member, gid, im.MsgText, `{"content":"to recall"}`, "text"),
		recall,
		recall, // twice: 21042
		text(member, gid, im.MsgImage, `{"url":"https://i0.hdslb.com/bfs/im/r.png"}`, "image"),
		{kind: opAdvance, d: 120 * time.Second},
		recall, // exactly 120 s old: still allowed
		text(member, gid, im.MsgImage, `{"url":"https://i0.hdslb.com/bfs/im/r.png"}`, "image"),
		{kind: opAdvance, d: 121 * time.Second},
		recall, // 21041
		{kind: opGJoin, g: &gOp{gid: gid}},
		{kind: opGJoin, g: &gOp{gid: noGroups[1], mids: []uint64{outsider}}},
		{kind: opGJoin, g: &gOp{gid: gid, mids: []uint64{outsider, nonUser}}},
		{kind: opGLeave, a: member, g: &gOp{gid: noGroups[1]}},
		{kind: opGLeave, a: outsider, g: &gOp{gid: gid}},
		{kind: opGLeave, a: grp.owner, g: &gOp{gid: gid, removed: true}},
		{kind: opGState, g: &gOp{gid: noGroups[0], state: store.GroupFrozen}},
		{kind: opGPatch, g: &gOp{gid: noGroups[1]}},
		{kind: opGCreate, a: 1001, g: &gOp{id: gid}},
		{kind: opGCreate, a: 1004, g: &gOp{}},
		{kind: opGCreate, a: nonUser, g: &gOp{}},
		{kind: opGCreate, a: 1001, g: &gOp{gtype: 1}},
		{kind: opGCreate, a: 1001, g: &gOp{id: 1 << 63}},
		text(member, gid, 7, `{"content":"x"}`, "unsupported type"),
		text(member, gid, im.MsgText, `{"content":"`+strings.Repeat("长", 700)+`"}`, "too long"),
		text(member, gid, im.MsgText, `{"content":""}`, "empty"),
		text(member, gid, im.MsgImage, `{"url":"https://example.com/bfs/im/a.png"}`, "bad image"),
		text(member, gid, im.MsgRecall, "abc", "bad key"),
		text(outsider, gid, im.MsgText, `{"content":"hi"}`, "outsider"),
		text(member, noGroups[2], im.MsgText, `{"content":"hi"}`, "no such group"),
		text(member, gid, im.MsgRecall, strconv.FormatUint(grp.msgs[0].key, 10), "system message"),
		{kind: opGFetch, a: outsider, g: &gOp{gid: gid, size: 20}},
		{kind: opGAck, a: outsider, g: &gOp{gid: gid}},
		{kind: opGTop, a: outsider, g: &gOp{gid: gid}, on: true},
		{kind: opGState, g: &gOp{gid: gid, state: store.GroupFrozen}},
		text(member, gid, im.MsgText, `{"content":"@小明 frozen"}`, "frozen"),
		{kind: opGJoin, g: &gOp{gid: gid, mids: []uint64{outsider}}},
		{kind: opGFetch, a: member, g: &gOp{gid: gid, size: 3}},
		{kind: opGAck, a: member, g: &gOp{gid: gid}},
		{kind: opGState, g: &gOp{gid: gid, state: store.GroupOpen}},
	}
}

// dissolvedTour tries everything on a group d about to be dissolved: members and an
// outsider send, fetch, ack, pin, mute, remove the session and leave; the operator
// changes it, joins someone to it and creates a group with its id.
func (g *gen) dissolvedTour(d *mGroup) []op {
	gid, mids := d.id, d.mids()
	member := mids[len(mids)-1]
	var outsider uint64 = nonUser
	for _, u := range g.m.users {
		if d.members[u] == nil {
			outsider = u
		}
	}
	return []op{
		{kind: opGSend, a: member, g: &gOp{gid: gid}, typ: im.MsgText, content: `{"content":"still there?"}`, note: "dissolved"},
		{kind: opGSend, a: outsider, g: &gOp{gid: gid}, typ: im.MsgText, content: `{"content":"hi"}`, note: "outsider, dissolved"},
		{kind: opGFetch, a: member, g: &gOp{gid: gid, size: 20}},
		{kind: opGFetch, a: outsider, g: &gOp{gid: gid, size: 20}},
		{kind: opGAck, a: member, g: &gOp{gid: gid}},
		{kind: opGTop, a: d.owner, g: &gOp{gid: gid}, on: true},
		{kind: opGDnd, a: member, g: &gOp{gid: gid}, on: true},
		{kind: opGRemove, a: d.owner, g: &gOp{gid: gid}},
		{kind: opGLeave, a: member, g: &gOp{gid: gid}},
		{kind: opGState, g: &gOp{gid: gid, state: store.GroupOpen}},
		{kind: opGState, g: &gOp{gid: gid, state: store.GroupDissolved}},
		{kind: opGPatch, g: &gOp{gid: gid, pname: &d.name}},
		{kind: opGJoin, g: &gOp{gid: gid, mids: []uint64{outsider}}},
		{kind: opGCreate, a: 1001, g: &gOp{id: gid}},
	}
}

// guser and gother are gen.user and gen.other on the groups' source, so that the core
// mix draws what it would without groups.
func (g *gen) guser() uint64 { return g.m.users[g.m.grp.gr.IntN(len(g.m.users))] }

func (g *gen) gother(a uint64) uint64 {
	for {
		if b := g.guser(); b != a {
			return b
		}
	}
}

// pickGroup picks a group, mostly one that is not dissolved; nil when there is none.
func (g *gen) pickGroup() *mGroup {
	gs := g.m.grp
	if len(gs.list) == 0 {
		return nil
	}
	var live []*mGroup
	for _, x := range gs.list {
		if x.state != store.GroupDissolved {
			live = append(live, x)
		}
	}
	if len(live) > 0 && gs.gr.IntN(5) > 0 {
		return live[gs.gr.IntN(len(live))]
	}
	return gs.list[gs.gr.IntN(len(gs.list))]
}

// groupActor is mostly a member of grp, sometimes anyone.
func (g *gen) groupActor(grp *mGroup) uint64 {
	r := g.m.grp.gr
	if mids := grp.mids(); r.IntN(100) < 85 {
		return mids[r.IntN(len(mids))]
	}
	return g.guser()
}

func (g *gen) groupCreate() op {
	r, m := g.m.grp.gr, g.m
	o := op{kind: opGCreate, g: &gOp{}}
	var rich []uint64
	for _, u := range m.users {
		if m.fans[u] >= im.FanThreshold {
			rich = append(rich, u)
		}
	}
	o.a = rich[r.IntN(len(rich))]
	if r.IntN(3) == 0 {
		o.g.name = []string{"小明的粉丝团", "Ann's <club> & co", "官方群 (>▽<)"}[r.IntN(3)]
	}
	if r.IntN(4) == 0 {
		o.g.cover = "https://i0.hdslb.com/bfs/face/g.jpg"
	}
	if r.IntN(4) == 0 {
		o.g.gtype = im.GroupOfficial
	}
	q, live := r.IntN(100), 0
	for _, x := range g.m.grp.list {
		if x.state != store.GroupDissolved {
			live++
		}
	}
	if len(g.m.grp.list) >= 6 && live >= 2 {
		q = r.IntN(25) // enough groups: a refusal
	}
	switch {
	case q < 7:
		o.a = 1003 + uint64(r.IntN(6)) // 1003 around the threshold; the others have no fans
	case q < 11:
		o.a = nonUser
	case q < 18:
		// An id that exists, or one that is a user's mid too, or one far above the others.
		o.g.id = []uint64{200_000_001, 1003, 250_000_000}[r.IntN(3)]
	case q < 21:
		o.g.id = 1 << 63
	case q < 25:
		o.g.gtype = 1
	}
	return o
}

func (g *gen) groupJoin(grp *mGroup) op {
	r := g.m.grp.gr
	o := op{kind: opGJoin, g: &gOp{gid: grp.id}}
	switch q := r.IntN(100); {
	case q < 3:
		return o // no mids
	case q < 6:
		o.g.gid = noGroups[1]
	}
	for range 1 + r.IntN(3) {
		mid := g.guser()
		for range 3 { // mostly someone new
			if grp.members[mid] == nil {
				break
			}
			mid = g.guser()
		}
		o.g.mids = append(o.g.mids, mid)
	}
	if grp.state == store.GroupOpen && r.IntN(20) == 0 {
		o.g.mids = append(o.g.mids, nonUser)
	}
	return o
}

func (g *gen) groupLeave(grp *mGroup) op {
	r := g.m.grp.gr
	o := op{kind: opGLeave, g: &gOp{gid: grp.id, removed: r.IntN(2) == 0}}
	var others []uint64
	for _, mid := range grp.mids() {
		if mid != grp.owner {
			others = append(others, mid)
		}
	}
	switch q := r.IntN(100); {
	case q < 70 && len(others) > 0:
		o.a = others[r.IntN(len(others))]
	case q < 82:
		o.a = grp.owner
	case q < 95:
		o.a = g.guser()
	default:
		o.a, o.g.gid = g.guser(), noGroups[r.IntN(len(noGroups))]
	}
	return o
}

func (g *gen) groupState(grp *mGroup) op {
	r := g.m.grp.gr
	o := op{kind: opGState, g: &gOp{gid: grp.id}}
	switch q := r.IntN(100); {
	case q < 6:
		o.g.state = store.GroupDissolved
	case q < 20:
		o.g.state = grp.state // the state it has
	case q < 30 && grp.state == store.GroupDissolved:
		o.g.state = store.GroupState(r.IntN(2))
	case q < 25:
		o.g.gid, o.g.state = noGroups[1], store.GroupFrozen
	case grp.state == store.GroupFrozen:
		o.g.state = store.GroupOpen
	case grp.state == store.GroupOpen && q < 45:
		o.g.state = store.GroupFrozen
	default:
		return g.groupSend(grp) // not freezing too often
	}
	return o
}

// groupSend is a text with @-mentions, an image, or a refused message.
func (g *gen) groupSend(grp *mGroup) op {
	r := g.m.grp.gr
	o := op{kind: opGSend, a: g.groupActor(grp), g: &gOp{gid: grp.id}, typ: im.MsgText}
	if r.IntN(30) == 0 {
		o.g.gid = noGroups[r.IntN(len(noGroups))]
	}
	switch q := r.IntN(100); {
	case q < 75:
		c, _ := json.Marshal(map[string]string{"content": g.groupText(grp)})
		o.content, o.note = string(c), "text"
	case q < 87:
		o.typ, o.note = im.MsgImage, "image"
		o.content = fmt.Sprintf(`{"url":"https://i0.hdslb.com/bfs/im/g%d.png","width":1,"height":1}`, g.step)
	case q < 90:
		o.typ, o.content, o.note = []int{0, 3, 6, 18, 305}[r.IntN(5)], `{"content":"x"}`, "unsupported type"
	case q < 96:
		o.content, o.note = g.texts[r.IntN(len(g.texts))], "text table"
	default:
		o.typ, o.content, o.note = im.MsgImage, g.imgs[r.IntN(len(g.imgs))], "image table"
	}
	return o
}

// groupText is a text with @-mentions of members, of users who are not members, of
// names nobody has, prefixes and extensions of names, with every kind of separator; or
// with none; or with more than 20 '@'.
func (g *gen) groupText(grp *mGroup) string {
	r := g.m.grp.gr
	mids := grp.mids()
	name := func() string {
		switch q := r.IntN(10); {
		case q < 6:
			return modelNames[mids[r.IntN(len(mids))]]
		case q < 8:
			return modelNames[g.guser()]
		}
		return []string{"nobody", "小", "An", "Annie", "小明明明", "Bob", "two words", "Ｂｏ"}[r.IntN(8)]
	}
	seps := []string{" ", "", "，", "\u3000", "\t", "你好 ", "!", "\n"}
	var b strings.Builder
	switch q := r.IntN(20); {
	case q < 3:
		fmt.Fprintf(&b, "m%d [doge] no mentions", g.step)
	case q < 5:
		// 19 to 21 '@' first: only the first 20 are looked at.
		filler := []string{"@x ", "@ ", "@", "＠nobody "}[r.IntN(4)]
		b.WriteString(strings.Repeat(filler, 19+r.IntN(3)))
		b.WriteString("@" + modelNames[mids[r.IntN(len(mids))]])
	default:
		for range 1 + r.IntN(3) {
			if r.IntN(3) == 0 {
				b.WriteString([]string{"hi ", "看这个", "abc", "mail", "支付宝转账"}[r.IntN(5)])
			}
			at := "@"
			if r.IntN(5) == 0 {
				at = "＠"
			}
			b.WriteString(at + name() + seps[r.IntN(len(seps))])
		}
	}
	s := strings.TrimRightFunc(b.String(), unicode.IsSpace)
	if s == "" {
		s = "@"
	}
	return s
}

func (g *gen) groupRecall(grp *mGroup) op {
	r, gs := g.m.grp.gr, g.m.grp
	a := g.groupActor(grp)
	if r.IntN(2) == 0 {
		// The sender of the group's newest message, whose messages are fresh.
		for _, x := range slices.Backward(grp.msgs) {
			if x.from != 0 {
				a = x.from
				break
			}
		}
	}
	o := op{kind: opGSend, a: a, g: &gOp{gid: grp.id}, typ: im.MsgRecall}
	var mine, recalled, theirs, system, recalls, elsewhere []*gMsg
	for _, x := range grp.msgs {
		switch {
		case x.from == 0:
			system = append(system, x)
		case x.typ == im.MsgRecall:
			recalls = append(recalls, x)
		case x.from == a && x.status == 0:
			mine = append(mine, x)
		case x.from == a:
			recalled = append(recalled, x)
		default:
			theirs = append(theirs, x)
		}
	}
	for _, other := range gs.list {
		if other != grp {
			for _, x := range other.msgs {
				if x.from == a || r.IntN(4) == 0 {
					elsewhere = append(elsewhere, x)
				}
			}
		}
	}
	pick := func(xs []*gMsg, recent bool) *gMsg {
		if len(xs) == 0 {
			return nil
		}
		if recent && len(xs) > 2 {
			xs = xs[len(xs)-2:]
		}
		return xs[r.IntN(len(xs))]
	}
	var t *gMsg
	switch q := r.IntN(100); {
	case q < 45:
		t, o.note = pick(mine, true), "own recent"
	case q < 55:
		t, o.note = pick(mine, false), "own, maybe stale"
	case q < 63:
		t, o.note = pick(recalled, false), "already recalled"
	case q < 70:
		t, o.note = pick(theirs, false), "someone else's"
	case q < 76:
		t, o.note = pick(system, false), "system message"
	case q < 80:
		t, o.note = pick(recalls, false), "a recall"
	case q < 86:
		t, o.note = pick(elsewhere, false), "another group's"
	case q < 91:
		// A 1:1 message's key.
		var all []*mMsg
		for _, u := range g.m.users {
			for _, v := range g.m.users {
				if u < v {
					all = append(all, g.m.conv[store.ConvOf(u, v)]...)
				}
			}
		}
		o.note = "a 1:1 message"
		if len(all) > 0 {
			o.content = strconv.FormatUint(all[r.IntN(len(all))].key, 10)
			return o
		}
	case q < 95:
		o.content, o.note = strconv.FormatUint(g.m.maxKey+777, 10), "no such key"
		return o
	default:
		o.content, o.note = []string{"0", "abc", "", "-5"}[r.IntN(4)], "bad key"
		return o
	}
	if t == nil {
		t, o.note = grp.last(), o.note+"→the last message"
	}
	o.content = strconv.FormatUint(t.key, 10)
	return o
}

func (g *gen) groupAck(grp *mGroup) op {
	r := g.m.grp.gr
	o := op{kind: opGAck, a: g.groupActor(grp), g: &gOp{gid: grp.id}}
	if r.IntN(30) == 0 {
		o.g.gid = noGroups[r.IntN(len(noGroups))]
	}
	mx := uint64(len(grp.msgs))
	var ack, join uint64
	if mem := grp.members[o.a]; mem != nil {
		ack, join = mem.ack, mem.join
	}
	var s uint64
	switch q := r.IntN(100); {
	case q < 25:
		o.note = "latest"
		return o
	case q < 40:
		s, o.note = mx, "max"
	case q < 55:
		s, o.note = mx+1+uint64(r.IntN(5)), "beyond max"
	case q < 65:
		s, o.note = ack-min(ack, 1+uint64(r.IntN(3))), "backwards"
	case q < 85:
		s, o.note = join+uint64(r.IntN(int(mx-min(mx, join))+1)), "some message"
	case q < 92:
		s, o.note = uint64(r.IntN(int(join)+1)), "before joining"
	default:
		o.note = "zero"
	}
	o.seq = &s
	return o
}

func (g *gen) groupFetch(grp *mGroup) op {
	r := g.m.grp.gr
	o := op{kind: opGFetch, a: g.groupActor(grp), g: &gOp{gid: grp.id}}
	if r.IntN(20) == 0 {
		o.g.gid = noGroups[r.IntN(len(noGroups))]
	}
	o.g.size = []int{0, 1, 2, 3, 5, 20, 200, 250}[r.IntN(8)]
	seq := func() uint64 { return uint64(r.IntN(len(grp.msgs) + 3)) }
	switch r.IntN(4) {
	case 1:
		o.g.end = seq()
	case 2:
		o.g.begin = seq()
	case 3:
		o.g.begin, o.g.end = seq(), seq()
	}
	return o
}

// groupAdvance moves the clock around the 120 s recall window of the newest message.
func (g *gen) groupAdvance() op {
	gs := g.m.grp
	var newest *gMsg
	for _, grp := range gs.list {
		if l := grp.last(); l.from != 0 && (newest == nil || l.ord > newest.ord) {
			newest = l
		}
	}
	d := time.Second
	if newest != nil {
		age := gs.now.Unix() - newest.ts
		if want := []int64{119, 120, 121, 125}[gs.gr.IntN(4)]; want > age {
			d = time.Duration(want-age) * time.Second
		}
	}
	return op{kind: opAdvance, d: d}
}

// --- running ---

var groupKinds = map[opKind]string{opGCreate: "gcreate", opGJoin: "gjoin", opGLeave: "gleave", opGState: "gstate",
	opGPatch: "gpatch", opGSend: "gsend", opGAck: "gack", opGRemove: "gremove", opGTop: "gtop", opGDnd: "gdnd",
	opGFetch: "gfetch"}

func (o op) groupString() string {
	p := o.g
	switch o.kind {
	case opGCreate:
		return fmt.Sprintf("create_group owner %d id %d name %q cover %q type %d", o.a, p.id, p.name, p.cover, p.gtype)
	case opGJoin:
		return fmt.Sprintf("join_group %d mids %v", p.gid, p.mids)
	case opGLeave:
		return fmt.Sprintf("leave_group %d mid %d removed %v", p.gid, o.a, p.removed)
	case opGState:
		return fmt.Sprintf("set_group_state %d %d", p.gid, p.state)
	case opGPatch:
		s := func(p *string) string {
			if p == nil {
				return "-"
			}
			return strconv.Quote(*p)
		}
		return fmt.Sprintf("update_group %d name %s cover %s", p.gid, s(p.pname), s(p.pcover))
	case opGSend:
		return fmt.Sprintf("group_send %d→group %d type %d content %q (%s)", o.a, p.gid, o.typ, short(o.content), o.note)
	case opGAck:
		s := "nil"
		if o.seq != nil {
			s = strconv.FormatUint(*o.seq, 10)
		}
		return fmt.Sprintf("group_ack %d/%d seqno %s (%s)", o.a, p.gid, s, o.note)
	case opGRemove:
		return fmt.Sprintf("group_remove_session %d/%d", o.a, p.gid)
	case opGTop:
		return fmt.Sprintf("group_set_top %d/%d %v", o.a, p.gid, o.on)
	case opGDnd:
		return fmt.Sprintf("group_set_dnd %d/%d %v", o.a, p.gid, o.on)
	case opGFetch:
		return fmt.Sprintf("group_fetch %d/%d size %d begin %d end %d", o.a, p.gid, p.size, p.begin, p.end)
	}
	return "?"
}

func groupCodeName(o op, err error) string {
	kind := groupKinds[o.kind]
	if o.kind == opGSend && o.typ == im.MsgRecall && err == nil {
		kind = "grecall"
	}
	if err == nil {
		return kind + ":0"
	}
	for _, s := range []struct {
		err  error
		name string
	}{{im.ErrFewFans, "fewfans"}, {im.ErrGroupNotFound, "404"}, {im.ErrNotMember, "notmember"},
		{im.ErrGroupState, "state"}, {im.ErrOwnerStays, "owner"}, {im.ErrInvalid, "invalid"},
		{im.ErrUserNotFound, "nouser"}, {im.ErrGroupExists, "exists"}} {
		if errors.Is(err, s.err) {
			return kind + ":" + s.name
		}
	}
	var e *im.Error
	if errors.As(err, &e) {
		return kind + ":" + strconv.Itoa(e.Code)
	}
	return kind + ":" + err.Error()
}

func (h *harness) execGroup(o op) (execResult, error) {
	ctx, svc, gs, p := h.ctx, h.svc, h.m.grp, o.g
	var err error
	switch o.kind {
	case opGCreate:
		gs.got, err = svc.CreateGroup(ctx, im.NewGroup{ID: p.id, Owner: o.a, Name: p.name, Cover: p.cover, Type: p.gtype})
	case opGJoin:
		gs.joined, err = svc.JoinGroup(ctx, p.gid, p.mids)
	case opGLeave:
		err = svc.LeaveGroup(ctx, p.gid, o.a, p.removed)
	case opGState:
		gs.got, err = svc.SetGroupState(ctx, p.gid, p.state)
	case opGPatch:
		gs.got, err = svc.UpdateGroup(ctx, p.gid, im.GroupPatch{Name: p.pname, Cover: p.pcover})
	case opGSend:
		gs.res, err = svc.Send(ctx, im.SendRequest{Sender: o.a, ReceiverType: 2, Receiver: p.gid, MsgType: o.typ,
			Content: o.content, NewFaceVersion: 1})
	case opGAck:
		gs.before = h.memberView(o.a, p.gid)
		err = svc.Ack(ctx, o.a, 2, p.gid, o.seq)
	case opGRemove:
		err = svc.RemoveSession(ctx, o.a, 2, p.gid)
	case opGTop:
		gs.before = h.memberView(o.a, p.gid)
		err = svc.SetTop(ctx, o.a, 2, p.gid, o.on)
	case opGDnd:
		err = svc.SetDND(ctx, o.a, 2, p.gid, o.on)
	case opGFetch:
		gs.hist, err = svc.FetchMessages(ctx, o.a, im.FetchParams{Talker: p.gid, Type: 2, Size: p.size, Begin: p.begin,
			End: p.end})
	default:
		h.fail("unknown group op")
	}
	gs.err = err
	return execResult{}, err
}

// verifyGroupOp learns the op's new messages and checks what the op answered besides
// its error.
func (h *harness) verifyGroupOp(o op, want error) {
	gs := h.m.grp
	if want != nil && !isCoded(want) && errors.Is(gs.err, im.ErrServer) {
		h.fail("the refusal %q is reported as a server failure: %q", want, gs.err)
	}
	if len(gs.fresh) > 0 {
		h.learnGroup(gs.fresh)
	}
	if want != nil {
		return
	}
	switch o.kind {
	case opGSend:
		// msg_key, and for texts msg_content (key_hit_infos is left out by the wire layer).
		r := gs.res
		if r.MsgKey != gs.fresh[0].key || r.Text != (o.typ == im.MsgText) || (r.Text && r.MsgContent != o.content) {
			h.fail("send answered %+v, the stored message has msg_key %d", r, gs.fresh[0].key)
		}
	case opGCreate, opGState, opGPatch:
		h.compareGroupRow(gs.opGroup, gs.got, "the answer")
	case opGJoin:
		// The members asked for, each once (how a mid asked for twice is answered is not
		// documented).
		var have, wantS []string
		for _, x := range gs.joined {
			have = append(have, fmt.Sprintf("%d@%d", x.Mid, x.AckSeqno))
		}
		for _, mid := range o.g.mids {
			if s := fmt.Sprintf("%d@%d", mid, gs.opGroup.members[mid].ack); !slices.Contains(wantS, s) {
				wantS = append(wantS, s)
			}
		}
		slices.Sort(have)
		have = slices.Compact(have)
		slices.Sort(wantS)
		if !slices.Equal(have, wantS) || len(gs.joined) > len(o.g.mids) {
			h.fail("join answered members %v, want %v (mid@ack_seqno)", have, wantS)
		}
	case opGAck, opGTop:
		g := gs.opGroup
		if gs.before == nil || g == nil || g.members[o.a] == nil {
			return
		}
		v := h.memberView(o.a, g.id)
		b := *gs.before
		switch {
		case o.kind == opGAck && v.AckTs <= b.AckTs:
			// ack_ts is updated on every ack (docs/groups.md, choices.md).
			h.fail("ack_ts of %d/%d went from %d to %d", o.a, g.id, b.AckTs, v.AckTs)
		case o.kind == opGTop && o.on && b.TopTs != 0 && v.TopTs != b.TopTs:
			// Pinning a pinned session keeps its time (choices.md).
			h.fail("top_ts of %d/%d, pinned again, went from %d to %d", o.a, g.id, b.TopTs, v.TopTs)
		}
	case opGFetch:
		g := gs.opGroup
		want, more := h.m.gWindow(g, o.a, o.g.size, o.g.begin, o.g.end)
		h.compareWindow(fmt.Sprintf("fetch %d/%d", o.a, g.id), gs.hist, want, more)
	}
}

func isCoded(err error) bool {
	var e *im.Error
	return errors.As(err, &e)
}

// learnGroup reads an op's new messages back, as the owner (always a member, who sees
// the group from its first message) sees them, checks they are the predicted ones, and
// records their msg_keys.
func (h *harness) learnGroup(fresh []*gMsg) {
	m, gs := h.m, h.m.grp
	g := gs.byID[fresh[0].gid]
	var got []store.Message // oldest first
	if g.state == store.GroupDissolved {
		// History answers 700013 now; the 304 is the last message.
		v, err := h.svc.SessionDetail(h.ctx, g.owner, 2, g.id)
		if err != nil || v.LastMsg == nil || len(fresh) != 1 {
			h.fail("session_detail %d/%d after dissolving: %+v, %v", g.owner, g.id, v, err)
		}
		got = []store.Message{*v.LastMsg}
	} else {
		hist, err := h.svc.FetchMessages(h.ctx, g.owner, im.FetchParams{Talker: g.id, Type: 2, Size: len(fresh) + 1})
		if err != nil {
			h.fail("fetch the new messages of group %d: %v", g.id, err)
		}
		n := len(fresh)
		var prev *gMsg
		if first := fresh[0].seq; first > 1 {
			prev = g.msgs[first-2]
		}
		if (prev == nil && len(hist.Messages) != n) || (prev != nil && (len(hist.Messages) != n+1 ||
			hist.Messages[n].Key != prev.key)) {
			h.fail("group %d: the op wrote other messages than the %d the model predicts: %v", g.id, n, msgList(hist.Messages))
		}
		for i := range n {
			got = append(got, hist.Messages[n-1-i])
		}
	}
	for i, x := range fresh {
		k := got[i].Key
		if k <= m.maxKey || k <= 1<<53 || gs.byKey[k] != nil || m.byKey[k] != nil {
			h.fail("group message msg_key %d reused or not above every earlier key (%d) and 2^53", k, m.maxKey)
		}
		x.key, m.maxKey, gs.byKey[k] = k, k, x
		if d := gMsgDiff(got[i], x); d != "" {
			h.fail("new message %d of group %d: %s", i, g.id, d)
		}
	}
}

func msgList(ms []store.Message) string {
	var out []string
	for _, x := range ms {
		out = append(out, fmt.Sprintf("#%d %d type %d %s", x.Seqno, x.SenderUID, x.MsgType, short(x.Content)))
	}
	return strings.Join(out, "; ")
}

// gMsgDiff compares a stored group message with the model's; "" when they agree.
func gMsgDiff(got store.Message, x *gMsg) string {
	f := "key %d group %d/%d seqno %d sender %d type %d source %d nfv %d status %d ts %d visible_to %d content %s"
	have := fmt.Sprintf(f, got.Key, got.ReceiverType, got.ReceiverID, got.Seqno, got.SenderUID, got.MsgType, got.Source,
		got.NewFaceVersion, got.Status, got.Timestamp, got.VisibleTo, got.Content)
	want := fmt.Sprintf(f, x.key, 2, x.gid, x.seq, x.from, x.typ, x.src, x.nfv, x.status, x.ts, 0, x.content)
	if have != want || !atMatches(got.AtUIDs(), x.at) {
		return fmt.Sprintf("\n  have %s at_uids %v\n  want %s at_uids %v", have, got.AtUIDs(), want, x.at)
	}
	return ""
}

// gVisible is what u sees of g: from their welcome message on, newest first.
func (m *model) gVisible(g *mGroup, u uint64) []*gMsg {
	out := slices.Clone(g.msgs[g.members[u].join-1:])
	slices.Reverse(out)
	return out
}

// gWindow is what fetch_session_msgs returns of a group to a member (docs/choices.md
// History, docs/groups.md): the messages from the member's welcome message on, strictly
// between begin and end; no bounds or end only → the newest size below end; begin only →
// the size just above begin; both → the newest size between. size 0: none (no hints).
func (m *model) gWindow(g *mGroup, u uint64, size int, begin, end uint64) ([]*gMsg, bool) {
	join := g.members[u].join
	var sel []*gMsg
	for _, x := range g.msgs {
		if x.seq >= join && (begin == 0 || x.seq > begin) && (end == 0 || x.seq < end) {
			sel = append(sel, x)
		}
	}
	if size == 0 {
		return nil, false
	}
	n, more := min(size, im.MaxFetchSize), false
	if len(sel) > n {
		more = true
		if begin != 0 && end == 0 {
			sel = sel[:n]
		} else {
			sel = sel[len(sel)-n:]
		}
	}
	out := slices.Clone(sel)
	slices.Reverse(out)
	return out, more
}

func (h *harness) compareWindow(what string, got im.History, want []*gMsg, more bool) {
	h.t.Helper()
	if len(got.Messages) != len(want) || got.HasMore != more {
		var ws []string
		for _, x := range want {
			ws = append(ws, fmt.Sprintf("#%d", x.seq))
		}
		h.fail("%s: %d messages (has_more %v): %s\n  want %d (has_more %v): %v", what, len(got.Messages), got.HasMore,
			msgList(got.Messages), len(want), more, ws)
	}
	for i, x := range want {
		if d := gMsgDiff(got.Messages[i], x); d != "" {
			h.fail("%s: message %d: %s", what, i, d)
		}
	}
}

// compareGroupRow compares the operator's view of a group.
func (h *harness) compareGroupRow(g *mGroup, got store.Group, what string) {
	f := "id %d owner %d name %q cover %q type %d state %d members %d max_seqno %d created_at %d"
	have := fmt.Sprintf(f, got.ID, got.Owner, got.Name, got.Cover, got.Type, got.State, got.Members, got.MaxSeqno, got.CreatedAt)
	want := fmt.Sprintf(f, g.id, g.owner, g.name, g.cover, g.typ, g.state, len(g.members), len(g.msgs), g.created)
	if have != want {
		h.fail("group %d (%s):\n  have %s\n  want %s", g.id, what, have, want)
	}
}

// compareGroupView compares a member's session with a group.
func (h *harness) compareGroupView(u uint64, g *mGroup, v im.SessionView, where string) {
	h.t.Helper()
	m := h.m
	mem, last := g.members[u], g.last()
	f := "type %d talker %d unread %d at %d ack %d max %d last %d #%d type %d status %d pinned %v dnd %v " +
		"follow %v intercept %v trust %v setting %d"
	want := fmt.Sprintf(f, 2, g.id, m.gUnread(u, g), m.gAt(u, g), mem.ack, len(g.msgs), last.key, last.seq, last.typ,
		last.status, mem.pinned, mem.dnd, false, false, false, 0)
	var lk, ls uint64
	var lt, lst int
	if v.LastMsg != nil {
		lk, ls, lt, lst = v.LastMsg.Key, v.LastMsg.Seqno, v.LastMsg.MsgType, v.LastMsg.Status
	}
	have := fmt.Sprintf(f, v.Type, v.Talker, v.Unread, v.AtSeqno, v.AckSeqno, v.MaxSeqno, lk, ls, lt, lst, v.TopTs != 0,
		v.IsDnd, v.IsFollow, v.Intercept, v.Trust, v.PushSetting)
	if v.LastMsgKey != lk {
		have += fmt.Sprintf(" last_msg_key %d", v.LastMsgKey)
	}
	if v.Group == nil {
		have += " no group info"
	} else if v.Group.Name != g.name || v.Group.Cover != g.cover || v.Group.Type != g.typ {
		have += fmt.Sprintf(" group %q %q %d, want %q %q %d", v.Group.Name, v.Group.Cover, v.Group.Type, g.name, g.cover, g.typ)
	}
	if have != want {
		h.fail("group session %d/%d (%s):\n  have %s\n  want %s", u, g.id, where, have, want)
	}
}

// sref is one session of a list: a user session (typ 1) or a group (typ 2).
type sref struct {
	typ    int
	talker uint64
	key    skey
	g      *mGroup
}

// mergedList is category 1 or 4 by the rules: every user session that is not
// intercepted (docs/choices.md; show_unfollowed_msg stays 0 in the model), and unless
// folded the listed groups, newest first.
func (m *model) mergedList(u uint64, fold bool) []sref {
	var out []sref
	for _, v := range m.users {
		if s := m.s(u, v); v != u && m.maxSeqno(u, v) != 0 && !s.hidden && !s.intercept {
			out = append(out, sref{typ: 1, talker: v, key: skey{m.maxSeqno(u, v), 0}})
		}
	}
	if !fold {
		for _, g := range m.gListed(u) {
			out = append(out, sref{typ: 2, talker: g.id, key: g.key(), g: g})
		}
	}
	slices.SortFunc(out, func(x, y sref) int {
		if x.key.newer(y.key) {
			return -1
		}
		return 1
	})
	return out
}

func groupRefs(gs []*mGroup) []sref {
	var out []sref
	for _, g := range gs {
		out = append(out, sref{typ: 2, talker: g.id, key: g.key(), g: g})
	}
	return out
}

func refString(rs []sref) string {
	var out []string
	for _, r := range rs {
		out = append(out, fmt.Sprintf("%d:%d", r.typ, r.talker))
	}
	return "[" + strings.Join(out, " ") + "]"
}

// compareRefs compares a page of sessions with the expected ones, each group session
// field by field; ordered: session_ts strictly decreasing.
func (h *harness) compareRefs(u uint64, what string, l im.SessionList, want []sref, more, ordered bool) {
	h.t.Helper()
	var got []sref
	for _, v := range l.Sessions {
		got = append(got, sref{typ: v.Type, talker: v.Talker})
	}
	if refString(got) != refString(want) || l.HasMore != more {
		h.fail("%s of %d: sessions %s (has_more %v), want %s (has_more %v)", what, u, refString(got), l.HasMore,
			refString(want), more)
	}
	for i, v := range l.Sessions {
		if ordered && i > 0 && v.SessionTs >= l.Sessions[i-1].SessionTs {
			h.fail("%s of %d: session_ts not strictly decreasing: %d then %d", what, u, l.Sessions[i-1].SessionTs, v.SessionTs)
		}
		if want[i].g != nil {
			h.compareGroupView(u, want[i].g, v, what)
		} else if v.LastMsg != nil && v.LastMsg.Mentions != "" {
			h.fail("%s of %d: user session %d's last message has at_uids %q", what, u, v.Talker, v.LastMsg.Mentions)
		}
	}
}

func (h *harness) list(u uint64, p im.ListParams) im.SessionList {
	h.t.Helper()
	if p.Size == 0 {
		p.Size = 100
	}
	l, err := h.svc.ListSessions(h.ctx, u, p)
	if err != nil {
		h.fail("get_sessions %d %+v: %v", u, p, err)
	}
	return l
}

func pbool(b bool) *bool { return &b }

// groupFullEvery bounds how many steps may pass without comparing every user's group
// sessions. By the rules only group ops and settings change them, and those steps compare
// every user they touch; the full comparisons catch anything else changing them.
const groupFullEvery = 12

// compareGroups checks the fan-group side of every user after a step (see the top of the
// file for what is compared when).
func (h *harness) compareGroups() {
	m, gs := h.m, h.m.grp
	gs.now = h.clock.Now()
	defer func() { gs.fresh = nil }()
	if h.o.kind == opSettings {
		gs.touched = map[uint64]bool{h.o.a: true}
		st, err := h.svc.Settings(h.ctx, h.o.a)
		if err != nil {
			h.fail("settings of %d: %v", h.o.a, err)
		}
		have := fmt.Sprintf("should_receive_group %d is_group_fold %d", st.ShouldReceiveGroup, st.IsGroupFold)
		want := fmt.Sprintf("should_receive_group %d is_group_fold %d", m.gpref(h.o.a, "should_receive_group"),
			m.gpref(h.o.a, "is_group_fold"))
		if have != want {
			h.fail("settings of %d: %s, want %s", h.o.a, have, want)
		}
	} else if h.o.kind < opGCreate {
		gs.touched = nil
	}
	h.compareGroupOp()
	gs.since++
	all := *modelFull || gs.since >= groupFullEvery
	if all {
		gs.since = 0
	}
	for _, u := range m.users {
		if !all && !gs.touched[u] {
			continue
		}
		n, err := h.svc.MyGroupUnread(h.ctx, u)
		var want int64
		for _, g := range gs.list {
			want += m.gUnread(u, g)
		}
		if err != nil || n != want {
			h.fail("my_group_unread of %d = %d (%v), want %d", u, n, err, want)
		}
		listed := m.gListed(u)
		if gs.touched[u] {
			// Category 4 with the groups unfolded: the group sessions in the order of all.
			h.compareRefs(u, "get_sessions category 4 group_fold=false",
				h.list(u, im.ListParams{Category: 4, GroupFold: pbool(false)}), m.mergedList(u, false), false, true)
		}
		if all {
			// Category 3: every listed group session, field by field.
			h.compareRefs(u, "get_sessions category 3", h.list(u, im.ListParams{Category: 3}), groupRefs(listed), false, true)
		}
		for _, g := range gs.list {
			if mem := g.members[u]; mem != nil && !slices.Contains(listed, g) {
				h.compareMember(u, g) // hidden: session_detail still answers
			}
		}
	}
	if !all {
		return
	}
	if *modelFull {
		h.compareGroupHistory()
	}
	// One user's lists every way they can be asked for (the source is the checks' own,
	// so that -model.full does not change the ops).
	u := m.users[gs.cr.IntN(len(m.users))]
	listed := m.gListed(u)
	fold := m.gpref(u, "is_group_fold") == 1
	f := gs.cr.IntN(2) == 0 // group_fold decides over is_group_fold
	h.compareRefs(u, fmt.Sprintf("get_sessions category 1 group_fold=%v", f),
		h.list(u, im.ListParams{Category: 1, GroupFold: pbool(f)}), m.mergedList(u, f), false, true)
	h.compareRefs(u, fmt.Sprintf("get_sessions category 4 group_fold=%v", !f),
		h.list(u, im.ListParams{Category: 4, GroupFold: pbool(!f)}), m.mergedList(u, !f), false, true)
	h.compareRefs(u, "get_sessions category 1", h.list(u, im.ListParams{Category: 1}), m.mergedList(u, fold), false, true)
	h.compareRefs(u, "get_sessions category 4", h.list(u, im.ListParams{Category: 4}), m.mergedList(u, fold), false, true)
	h.compareRefs(u, "get_sessions category 3", h.list(u, im.ListParams{Category: 3}), groupRefs(listed), false, true)
	c := []int{2, 5, 8, 9}[gs.cr.IntN(4)] // never groups
	for _, v := range h.list(u, im.ListParams{Category: c}).Sessions {
		if v.Type != 1 {
			h.fail("get_sessions category %d of %d lists %d:%d", c, u, v.Type, v.Talker)
		}
	}
	h.compareBounded(u, listed)
	h.compareByAck(u, listed)
	h.compareNewSessions(u, listed)
	h.comparePaging(u)
	for _, g := range gs.list {
		h.compareMember(u, g)
		got, err := h.svc.GetGroup(h.ctx, g.id)
		if err != nil {
			h.fail("get group %d: %v", g.id, err)
		}
		h.compareGroupRow(g, got, "get")
		h.compareMembers(g)
	}
	h.compareOutsider(u, noGroups[gs.cr.IntN(len(noGroups))])
}

// compareGroupOp checks, after a group op, that nobody outside its group learns anything
// of it.
func (h *harness) compareGroupOp() {
	m, gs := h.m, h.m.grp
	if g := gs.opGroup; g != nil && h.o.kind >= opGCreate {
		for _, u := range m.users {
			if g.members[u] == nil {
				h.compareOutsider(u, g.id)
			}
		}
	}
	gs.opGroup = nil
}

// memberView is u's session with group gid, or nil when u is not a member by the model.
func (h *harness) memberView(u, gid uint64) *im.SessionView {
	g := h.m.grp.byID[gid]
	if g == nil || g.members[u] == nil {
		return nil
	}
	v, err := h.svc.SessionDetail(h.ctx, u, 2, gid)
	if err != nil {
		h.fail("session_detail %d/%d: %v", u, gid, err)
	}
	return &v
}

// compareMember compares u's session with g when u is a member (listed or not): detail
// and session settings.
func (h *harness) compareMember(u uint64, g *mGroup) {
	if g.members[u] == nil {
		return
	}
	v, err := h.svc.SessionDetail(h.ctx, u, 2, g.id)
	if err != nil {
		h.fail("session_detail %d/%d: %v", u, g.id, err)
	}
	h.compareGroupView(u, g, v, "session_detail")
	st, err := h.svc.SessionSettings(h.ctx, u, 2, g.id)
	if err != nil || st.IsDnd != g.members[u].dnd {
		h.fail("session settings %d/%d: dnd %v (%v), want %v", u, g.id, st.IsDnd, err, g.members[u].dnd)
	}
}

// compareOutsider checks that u, not a member of group id (which may not exist), learns
// nothing of it: session_detail 1000004, history 700014, default settings.
func (h *harness) compareOutsider(u, id uint64) {
	if _, err := h.svc.SessionDetail(h.ctx, u, 2, id); !sameErr(err, im.ErrNoSession) {
		h.fail("session_detail %d/%d of a non-member: %v, want 1000004", u, id, err)
	}
	size := []int{0, 1, 20}[h.m.grp.cr.IntN(3)]
	if _, err := h.svc.FetchMessages(h.ctx, u, im.FetchParams{Talker: id, Type: 2, Size: size}); !sameErr(err, im.ErrNotGroupMember) {
		h.fail("fetch %d/%d (size %d) of a non-member: %v, want 700014", u, id, size, err)
	}
	st, err := h.svc.SessionSettings(h.ctx, u, 2, id)
	if err != nil || st.IsDnd || st.TopTs != 0 || st.Unread != 0 || st.MaxSeqno != 0 {
		h.fail("session settings %d/%d of a non-member: %+v (%v), want the defaults", u, id, st, err)
	}
}

// compareBounded checks category 3 in join order (sort_rule other than 1–3) and by
// session_ts, bounded on one side by a listed group's session_ts, and new_sessions from
// that time.
func (h *harness) compareBounded(u uint64, listed []*mGroup) {
	gs := h.m.grp
	byJoin := func(gs []*mGroup) []*mGroup {
		out := slices.Clone(gs)
		slices.SortFunc(out, func(x, y *mGroup) int {
			if x.members[u].joinOrd < y.members[u].joinOrd {
				return -1
			}
			return 1
		})
		return out
	}
	if len(listed) == 0 || gs.cr.IntN(3) == 0 {
		h.compareRefs(u, "get_sessions category 3 in join order", h.list(u, im.ListParams{Category: 3, JoinOrder: true}),
			groupRefs(byJoin(listed)), false, false)
		return
	}
	pivot := listed[gs.cr.IntN(len(listed))]
	v, err := h.svc.SessionDetail(h.ctx, u, 2, pivot.id)
	if err != nil {
		h.fail("session_detail %d/%d: %v", u, pivot.id, err)
	}
	after := gs.cr.IntN(2) == 0
	p := im.ListParams{Category: 3}
	if after {
		p.After = v.SessionTs
	} else {
		p.Before = v.SessionTs
	}
	want := slices.DeleteFunc(slices.Clone(listed), func(g *mGroup) bool {
		return g == pivot || g.key().newer(pivot.key()) != after
	})
	what := fmt.Sprintf("get_sessions category 3 begin_ts %d end_ts %d", p.After, p.Before)
	h.compareRefs(u, what, h.list(u, p), groupRefs(want), false, true)
	p.JoinOrder = true
	h.compareRefs(u, what+" in join order", h.list(u, p), groupRefs(byJoin(want)), false, false)
	if !after {
		return
	}
	l, err := h.svc.NewSessions(h.ctx, u, p.After, 100)
	if err != nil {
		h.fail("new_sessions %d: %v", u, err)
	}
	got := map[uint64]bool{}
	for _, v := range l.Sessions {
		if g := gs.byID[v.Talker]; v.Type == 2 && g != nil && slices.Contains(listed, g) {
			got[g.id] = true
			if !slices.Contains(want, g) {
				h.fail("new_sessions of %d from %d lists group %d, whose session_ts is not after it", u, p.After, g.id)
			}
		}
	}
	for _, g := range want {
		if !got[g.id] {
			h.fail("new_sessions of %d from %d leaves out group %d", u, p.After, g.id)
		}
	}
}

// compareByAck: category 3 with sort_rule 3 lists the same groups by ack_ts, newest
// first (the model does not follow ack_ts: every ack moves it).
func (h *harness) compareByAck(u uint64, listed []*mGroup) {
	l := h.list(u, im.ListParams{Category: 3, ByAck: true})
	var got, want []uint64
	for i, v := range l.Sessions {
		got = append(got, v.Talker)
		if i > 0 && v.AckTs >= l.Sessions[i-1].AckTs {
			h.fail("get_sessions category 3 sort_rule 3 of %d: ack_ts not strictly decreasing: %d then %d", u,
				l.Sessions[i-1].AckTs, v.AckTs)
		}
		if g := h.m.grp.byID[v.Talker]; g != nil && g.members[u] != nil {
			h.compareGroupView(u, g, v, "category 3 sort_rule 3")
		}
	}
	for _, g := range listed {
		want = append(want, g.id)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) || l.HasMore {
		h.fail("get_sessions category 3 sort_rule 3 of %d: groups %v (has_more %v), want %v", u, got, l.HasMore, want)
	}
}

// compareNewSessions: new_sessions from 0 includes every listed group, and no group I
// am not in (hidden ones are not checked: the rules do not say).
func (h *harness) compareNewSessions(u uint64, listed []*mGroup) {
	l, err := h.svc.NewSessions(h.ctx, u, 0, 100)
	if err != nil {
		h.fail("new_sessions %d: %v", u, err)
	}
	got := map[uint64]bool{}
	for _, v := range l.Sessions {
		if v.Type != 2 {
			continue
		}
		g := h.m.grp.byID[v.Talker]
		if g == nil || g.members[u] == nil {
			h.fail("new_sessions of %d lists group %d, which they are not in", u, v.Talker)
		}
		got[v.Talker] = true
		h.compareGroupView(u, g, v, "new_sessions")
	}
	for _, g := range listed {
		if !got[g.id] {
			h.fail("new_sessions of %d leaves out group %d", u, g.id)
		}
	}
}

// comparePaging reads category 4 (groups unfolded) and category 3 a few sessions at a
// time, paging with end_ts as a client scrolls, and compares the whole.
func (h *harness) comparePaging(u uint64) {
	gs := h.m.grp
	for _, c := range []int{3, 4} {
		want := groupRefs(h.m.gListed(u))
		if c == 4 {
			want = h.m.mergedList(u, false)
		}
		size := 1 + gs.cr.IntN(3)
		var got []im.SessionView
		var before int64
		for page := 0; ; page++ {
			l := h.list(u, im.ListParams{Category: c, Size: size, Before: before, GroupFold: pbool(false)})
			got = append(got, l.Sessions...)
			if n := min(size, len(want)-len(got)+len(l.Sessions)); len(l.Sessions) != n || page > len(want) {
				h.fail("get_sessions category %d of %d, page %d of size %d: %d sessions", c, u, page, size, len(l.Sessions))
			}
			if !l.HasMore {
				break
			}
			before = l.Sessions[len(l.Sessions)-1].SessionTs
		}
		h.compareRefs(u, fmt.Sprintf("get_sessions category %d paged by %d", c, size), im.SessionList{Sessions: got}, want,
			false, true)
	}
}

// compareMembers compares the operator's member list (mid order, ack_seqno), whole and
// from the middle.
func (h *harness) compareMembers(g *mGroup) {
	mids := g.mids()
	after := uint64(0)
	if len(mids) > 1 && h.m.grp.cr.IntN(2) == 0 {
		after = mids[0]
		mids = mids[1:]
	}
	ms, err := h.svc.ListMembers(h.ctx, g.id, after, 1000)
	if err != nil {
		h.fail("members of %d: %v", g.id, err)
	}
	var have, want []string
	for _, x := range ms {
		have = append(have, fmt.Sprintf("%d@%d", x.Mid, x.AckSeqno))
	}
	for _, mid := range mids {
		want = append(want, fmt.Sprintf("%d@%d", mid, g.members[mid].ack))
	}
	if !slices.Equal(have, want) {
		h.fail("members of %d after %d: %v, want %v (mid@ack_seqno)", g.id, after, have, want)
	}
}

// compareGroupHistory reads every group's whole history as each member, paging back
// with end_seqno, and forward with begin_seqno.
func (h *harness) compareGroupHistory() {
	m := h.m
	for _, g := range m.grp.list {
		for _, u := range g.mids() {
			if g.state == store.GroupDissolved {
				if _, err := h.svc.FetchMessages(h.ctx, u, im.FetchParams{Talker: g.id, Type: 2, Size: 20}); !sameErr(err, im.ErrGroupDissolved) {
					h.fail("fetch %d/%d of a dissolved group: %v, want 700013", u, g.id, err)
				}
				continue
			}
			all := m.gVisible(g, u)
			for _, up := range []bool{false, true} {
				// Down from the newest; up from the welcome message (for the owner, from
				// the second message: begin_seqno 0 is no bound).
				var got []store.Message
				var bound uint64
				want := all
				if up {
					bound = max(g.members[u].join, 2) - 1
					want = slices.DeleteFunc(slices.Clone(all), func(x *gMsg) bool { return x.seq <= bound })
				}
				for range len(g.msgs) + 2 {
					p := im.FetchParams{Talker: g.id, Type: 2, Size: 7}
					if up {
						p.Begin = bound
					} else {
						p.End = bound
					}
					hist, err := h.svc.FetchMessages(h.ctx, u, p)
					if err != nil {
						h.fail("fetch %d/%d: %v", u, g.id, err)
					}
					if up {
						got = append(slices.Clone(hist.Messages), got...)
					} else {
						got = append(got, hist.Messages...)
					}
					if !hist.HasMore {
						break
					}
					if up {
						bound = hist.Messages[0].Seqno
					} else {
						bound = hist.Messages[len(hist.Messages)-1].Seqno
					}
				}
				h.compareWindow(fmt.Sprintf("history %d/%d (paging %s)", u, g.id, map[bool]string{false: "down", true: "up"}[up]),
					im.History{Messages: got}, want, false)
			}
		}
	}
}
