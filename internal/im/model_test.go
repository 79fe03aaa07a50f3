package im_test

// TestModel replays a long random mix of operations against im.Service on a real SQLite
// store and, after every step, compares what the service reports with an independent
// in-memory model.
//
// The model is written from the rules (catalog §3 P1–P19, §8.7, §9 items 12, 13, 25–31,
// 53, docs/choices.md and docs/settings.md), not from the service's incremental
// bookkeeping: it keeps every message and computes unread counts, buckets, max_seqno,
// last messages and visibility by definition each time it is asked. Only seqnos,
// msg_keys and auto-reply text ids, which the rules do not fix, are learned from the
// service — and checked to be unique, strictly increasing, and (msg_keys) above 2^53.
//
// The settings part (model_settings_test.go) adds the message settings, block words, the
// smart interception and the auto-replies of docs/settings.md: who may write to whom
// (receive_unfollow_msg), where each delivered message lands (dustbin or not), and which
// auto-replies each send, follow and guard purchase produces.
//
// The fan-group part (model_groups_test.go) adds the groups of docs/groups.md: their
// members, messages, @-mentions and sessions, interleaved with the rest.
//
// After every step the counters of every user are compared, and the session lists and
// sessions of the users the step may have changed; every fullEvery steps, those of every
// user (-model.full: after every step).
//
// Reproduce a failure with: go test ./internal/im -run TestModel -model.seed=SEED
// Longer runs: -model.steps=50000. -model.trace logs every op; -model.edges=false leaves
// out the inputs whose verdict hangs on the exact wording of docs/settings.md (edgeVocab).

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/internal/emoji"
	"github.com/bilimsg/bilimsg/internal/im"
	"github.com/bilimsg/bilimsg/internal/store"
	"github.com/bilimsg/bilimsg/internal/store/sqlite"
)

var (
	modelSeed  = flag.Uint64("model.seed", 0, "TestModel: also run this seed (0: only the fixed ones)")
	modelSteps = flag.Int("model.steps", 3000, "TestModel: steps per seed")
	modelFull  = flag.Bool("model.full", false, "TestModel: compare every user's sessions after every step")
	modelTrace = flag.Bool("model.trace", false, "TestModel: log every op and its outcome")
)

// modelFixedSeed is always run, so the test is the same on every machine.
const modelFixedSeed = 20240602

func TestModel(t *testing.T) {
	seeds := []uint64{modelFixedSeed}
	if *modelSeed != 0 {
		seeds = append(seeds, *modelSeed)
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) { runModel(t, seed, *modelSteps) })
	}
}

// --- the model ---

// mMsg is a message as the model knows it. key and seq are learned from the service.
type mMsg struct {
	key, seq  uint64
	from, to  uint64
	typ, src  int
	content   string
	ts        int64
	status    int
	visibleTo uint64 // 0: both
}

// dir is a directed pair: owner→talker for sessions, follower→target for relations.
type dir struct{ a, b uint64 }

// mSess is what the model stores of a session; everything else is derived from messages.
type mSess struct {
	ack       uint64
	hidden    bool
	intercept bool
	trust     bool
	row       bool // a row exists (messages or a stored setting)
}

type model struct {
	users   []uint64
	exists  map[uint64]bool
	follows map[dir]bool
	blocks  map[dir]bool
	sess    map[dir]*mSess
	conv    map[store.Conv][]*mMsg // creation (= seqno) order
	byKey   map[uint64]*mMsg
	maxSeq  uint64
	maxKey  uint64

	mSettings          // docs/settings.md: preferences, block words, auto-replies
	grp       *mGroups // docs/groups.md (model_groups_test.go)
	// events counts what the rules decided (auto-replies sent or skipped, dustbin
	// deliveries, ...), so that the run can check the mix exercised them.
	events map[string]int
}

func newModel(users []uint64, fans map[uint64]int64, period time.Duration) *model {
	m := &model{users: users, exists: map[uint64]bool{}, follows: map[dir]bool{}, blocks: map[dir]bool{},
		sess: map[dir]*mSess{}, conv: map[store.Conv][]*mMsg{}, byKey: map[uint64]*mMsg{},
		mSettings: newMSettings(fans, period), events: map[string]int{}}
	for _, u := range users {
		m.exists[u] = true
	}
	return m
}

func (m *model) s(owner, talker uint64) *mSess {
	d := dir{owner, talker}
	if m.sess[d] == nil {
		m.sess[d] = &mSess{}
	}
	return m.sess[d]
}

// visible returns the messages of owner's conversation with talker that owner sees, oldest first.
func (m *model) visible(owner, talker uint64) []*mMsg {
	var out []*mMsg
	for _, x := range m.conv[store.ConvOf(owner, talker)] {
		if x.visibleTo == 0 || x.visibleTo == owner {
			out = append(out, x)
		}
	}
	return out
}

// last is owner's newest visible message with talker, or nil.
func (m *model) last(owner, talker uint64) *mMsg {
	v := m.visible(owner, talker)
	if len(v) == 0 {
		return nil
	}
	return v[len(v)-1]
}

func (m *model) maxSeqno(owner, talker uint64) uint64 {
	if l := m.last(owner, talker); l != nil {
		return l.seq
	}
	return 0
}

// unread is the definition (catalog §9 items 30, 53): messages owner sees, after the ack,
// not sent by owner, and not recall messages.
func (m *model) unread(owner, talker uint64) int64 {
	ack := m.s(owner, talker).ack
	var n int64
	for _, x := range m.visible(owner, talker) {
		if x.seq > ack && x.from != owner && x.typ != im.MsgRecall {
			n++
		}
	}
	return n
}

// counters sums unread counts per single_unread bucket: intercepted sessions count in the
// dustbin only; the others by whether the owner follows the talker (catalog §9 item 51).
func (m *model) counters(owner uint64) store.Counters {
	var c store.Counters
	for _, v := range m.users {
		if v == owner {
			continue
		}
		n := m.unread(owner, v)
		switch {
		case m.s(owner, v).intercept:
			c.Dustbin += n
		case m.follows[dir{owner, v}]:
			c.Follow += n
		default:
			c.Unfollow += n
		}
	}
	return c
}

// activeCount counts the messages from has actively written to to: texts and images of
// their own, recalled or not (auto messages such as the mutual-follow greeting and the
// auto-replies, recalls and hints don't count; catalog §9 item 13, docs/settings.md).
func (m *model) activeCount(from, to uint64) int {
	n := 0
	for _, x := range m.conv[store.ConvOf(from, to)] {
		if x.from == from && (x.typ == im.MsgText || x.typ == im.MsgImage) && x.src == im.SourceWeb {
			n++
		}
	}
	return n
}

// countedCount counts from's messages to to that count for the one-message rule: what
// from actively wrote, and from's auto-replies, which "count as one of the replier's
// messages" (docs/settings.md). The mutual-follow greeting, recalls and hints don't.
func (m *model) countedCount(from, to uint64) int {
	n := 0
	for _, x := range m.conv[store.ConvOf(from, to)] {
		if x.from != from {
			continue
		}
		switch x.src {
		case im.SourceWeb:
			if x.typ == im.MsgText || x.typ == im.MsgImage {
				n++
			}
		case im.SourceFollowedReply, im.SourceRecvReply, im.SourceKeywordReply, im.SourceVoyageReply:
			n++
		}
	}
	return n
}

// add appends a new message (seq and key still unknown) and un-hides the session of
// every party who sees it (catalog §9 item 28).
func (m *model) add(x *mMsg) {
	c := store.ConvOf(x.from, x.to)
	m.conv[c] = append(m.conv[c], x)
	for _, side := range []dir{{x.from, x.to}, {x.to, x.from}} {
		if x.visibleTo != 0 && x.visibleTo != side.a {
			continue
		}
		s := m.s(side.a, side.b)
		s.hidden, s.row = false, true
	}
}

// --- operations ---

type opKind int

const (
	opSend opKind = iota
	opAck
	opFollow
	opBlock
	opIntercept
	opRemove
	opDustbinAck
	opDustbinRemove
	opAdvance
	// docs/settings.md (model_settings_test.go)
	opSettings
	opFans
	opAddWord
	opDelWord
	opSetReply
	opDelReply
	opPutWork
	opGuard
)

type op struct {
	kind    opKind
	a, b    uint64
	typ     int
	content string
	seq     *uint64
	on      bool
	d       time.Duration
	note    string
	// settings ops
	patch map[string]int
	n     int64
	word  string
	reply im.ReplyText
	id    uint64
	work  store.Work
	g     *gOp // fan-group ops (model_groups_test.go)
}

func (o op) String() string {
	switch o.kind {
	case opSend:
		return fmt.Sprintf("send %d→%d type %d content %q (%s)", o.a, o.b, o.typ, short(o.content), o.note)
	case opAck:
		s := "nil"
		if o.seq != nil {
			s = strconv.FormatUint(*o.seq, 10)
		}
		return fmt.Sprintf("ack %d/%d seqno %s (%s)", o.a, o.b, s, o.note)
	case opFollow:
		return fmt.Sprintf("follow %d→%d %v", o.a, o.b, o.on)
	case opBlock:
		return fmt.Sprintf("block %d→%d %v", o.a, o.b, o.on)
	case opIntercept:
		return fmt.Sprintf("intercept %d/%d %v", o.a, o.b, o.on)
	case opRemove:
		return fmt.Sprintf("remove_session %d/%d", o.a, o.b)
	case opDustbinAck:
		return fmt.Sprintf("dustbin_ack %d", o.a)
	case opDustbinRemove:
		return fmt.Sprintf("dustbin_remove %d", o.a)
	case opAdvance:
		return fmt.Sprintf("advance %v", o.d)
	}
	if o.kind >= opGCreate {
		return o.groupString()
	}
	return o.settingsString()
}

// outcome is the model's prediction for one op: the error, the messages it creates (in
// order, all visible to their first message's sender) and what to do once their seqnos
// are known.
type outcome struct {
	err   error
	fresh []*mMsg
	after func()
	// sent is GuardPurchased's answer: whether the voyage reply was sent.
	sent bool
	// verify, when set, checks what the op changed (or, refused, left alone) outside
	// sessions — settings, block words, reply texts — learning the ids the service chose.
	verify func(h *harness)
}

const nonUser = 999_999 // a mid nobody has

// predict applies o to the model and returns what the service must answer.
func (m *model) predict(o op, now time.Time) outcome {
	switch o.kind {
	case opSend:
		return m.predictSend(o, now)
	case opAck:
		s := m.s(o.a, o.b)
		target := m.maxSeqno(o.a, o.b)
		if o.seq != nil && *o.seq < target {
			target = *o.seq
		}
		s.ack = max(s.ack, target) // clamps to max_seqno, never backwards (§9 item 30)
	case opFollow:
		if m.follows[dir{o.a, o.b}] == o.on {
			return outcome{}
		}
		if o.on && (m.blocks[dir{o.a, o.b}] || m.blocks[dir{o.b, o.a}]) {
			return outcome{err: im.ErrBlocked}
		}
		m.follows[dir{o.a, o.b}] = o.on
		if !o.on {
			return outcome{}
		}
		var fresh []*mMsg
		if m.follows[dir{o.b, o.a}] {
			// Mutual follow: the automatic greeting (catalog §3 P19 rule 4). It acks nobody.
			x := &mMsg{from: o.a, to: o.b, typ: im.MsgText, src: im.SourceMutualFollow, ts: now.Unix(),
				content: `{"content":"我们已互相关注，开始聊天吧~"}`}
			m.add(x)
			fresh = append(fresh, x)
		}
		// Starting to follow b triggers b's followed reply and works card (docs/settings.md).
		fresh = append(fresh, m.followedReply(o.b, o.a, now)...)
		return outcome{fresh: fresh}
	case opBlock:
		if m.blocks[dir{o.a, o.b}] == o.on {
			return outcome{}
		}
		m.blocks[dir{o.a, o.b}] = o.on
		if o.on { // blocking ends both follows
			m.follows[dir{o.a, o.b}], m.follows[dir{o.b, o.a}] = false, false
		}
	case opIntercept:
		s := m.s(o.a, o.b)
		s.intercept, s.trust, s.row = o.on, !o.on, true // §9 item 31
	case opRemove:
		if mx := m.maxSeqno(o.a, o.b); mx != 0 {
			s := m.s(o.a, o.b)
			s.hidden, s.ack = true, max(s.ack, mx) // hidden until the next message, and read
		}
	case opDustbinAck:
		for _, v := range m.users {
			// Every intercepted session is read up to its latest message (§9 item 31).
			if s := m.s(o.a, v); v != o.a && s.intercept && m.maxSeqno(o.a, v) != 0 {
				s.ack = max(s.ack, m.maxSeqno(o.a, v))
			}
		}
	case opDustbinRemove:
		for _, v := range m.users {
			if s := m.s(o.a, v); v != o.a && s.intercept && m.maxSeqno(o.a, v) != 0 {
				s.hidden, s.ack = true, max(s.ack, m.maxSeqno(o.a, v))
			}
		}
	default:
		if o.kind >= opGCreate {
			return m.predictGroup(o, now)
		}
		out := m.predictSettings(o, now)
		switch a := o.a; o.kind {
		case opSettings:
			out.verify = func(h *harness) { h.verifyPrefs(a) }
		case opAddWord, opDelWord:
			out.verify = func(h *harness) { h.verifyWords(a) }
		case opSetReply, opDelReply:
			out.verify = func(h *harness) { h.verifyReplies(a) }
		}
		return out
	}
	return outcome{}
}

// predictSend is P19's rules in the model's order: the request itself (type, receiver,
// length, content — contents come from the verdict tables below), then the relation
// (existence, blocks), then recall, or the receiver's receive_unfollow_msg and the
// one-message rule; then where the message lands and which auto-replies answer it.
func (m *model) predictSend(o op, now time.Time) outcome {
	a, b := o.a, o.b
	switch o.typ {
	case im.MsgText, im.MsgImage, im.MsgRecall:
	default:
		return outcome{err: im.ErrTypeUnsupported}
	}
	if a == b {
		return outcome{err: im.ErrToSelf}
	}
	if len(o.content) > im.MaxContentBytes {
		return outcome{err: im.ErrTooLong}
	}
	var recallKey uint64
	var text string
	switch o.typ {
	case im.MsgText:
		if e, ok := textVerdict[o.content]; ok && e != nil {
			return outcome{err: e}
		}
		text = textOf(o.content)
	case im.MsgImage:
		if e, ok := imageVerdict[o.content]; ok && e != nil {
			return outcome{err: e}
		}
	case im.MsgRecall:
		k, err := strconv.ParseUint(o.content, 10, 64)
		if err != nil || k == 0 {
			return outcome{err: im.ErrBadRequest}
		}
		recallKey = k
	}
	if !m.exists[b] {
		return outcome{err: im.ErrBadRequest}
	}
	if m.blocks[dir{a, b}] {
		return outcome{err: im.ErrIBlocked}
	}
	if m.blocks[dir{b, a}] {
		return outcome{err: im.ErrPrivacy}
	}
	if o.typ == im.MsgRecall {
		// §3 P19 rule 1 and §9 item 12: the target must be a text or image I sent myself
		// (not the automatic greeting) in this conversation (anything else is "not
		// found"), not recalled yet, ≤ 120 s old.
		t := m.byKey[recallKey]
		if t == nil || store.ConvOf(t.from, t.to) != store.ConvOf(a, b) || t.from != a || t.visibleTo != 0 ||
			(t.typ != im.MsgText && t.typ != im.MsgImage) || t.src != im.SourceWeb {
			return outcome{err: im.ErrMsgKeyNotFound}
		}
		if t.status == 1 {
			return outcome{err: im.ErrAlreadyRecalled}
		}
		if now.Unix()-t.ts > 120 {
			return outcome{err: im.ErrRecallExpired}
		}
		t.status = 1
		x := &mMsg{from: a, to: b, typ: im.MsgRecall, src: im.SourceWeb, content: o.content, ts: now.Unix()}
		m.add(x)
		return outcome{fresh: []*mMsg{x}, after: func() { m.s(a, b).ack = x.seq }}
	}
	// The receiver's receive_unfollow_msg, then the one-message rule (§9 item 13).
	adm, e := m.admit(a, b, text, o.typ == im.MsgText)
	if e != nil {
		return outcome{err: e}
	}
	x := &mMsg{from: a, to: b, typ: o.typ, src: im.SourceWeb, content: o.content, ts: now.Unix()}
	fresh := m.post(x, adm)
	own := len(fresh)
	// The receiver's auto-replies come after the message (and its hint).
	fresh = append(fresh, m.replyTo(x, text, now)...)
	// Sending marks the sender's session read up to its newest message (§8.7); the
	// auto-replies stay unread.
	return outcome{fresh: fresh, after: func() { m.s(a, b).ack = fresh[own-1].seq }}
}

// hintContent is the msg_type 18 hint of the one-message rule (§9 item 13).
const hintContent = `{"content":"[{\"text\":\"对方主动回复或关注你前，最多发送1条消息\",\"color_day\":\"#9499A0\",\"color_nig\":\"#9499A0\"}]"}`

// mAdmission is what the rules decided about one message between two users.
type mAdmission struct {
	free      bool   // the one-message rule does not hold the sender back
	intercept bool   // the message is for the receiver's dustbin
	why       string // which rule sent it there
}

// admit applies the rules every message between two users obeys, a user's send or an
// auto-reply (choices.md P19, docs/settings.md): blocks (25005, 25003), the receiver's
// receive_unfollow_msg (25003, unless the receiver follows the sender or has written to
// them), the one-message rule (21047); and for a text from someone the receiver doesn't
// follow, the receiver's block words and smart interception.
func (m *model) admit(from, to uint64, text string, isText bool) (mAdmission, *im.Error) {
	if m.blocks[dir{from, to}] {
		return mAdmission{}, im.ErrIBlocked
	}
	if m.blocks[dir{to, from}] {
		return mAdmission{}, im.ErrPrivacy
	}
	followed := m.follows[dir{to, from}]
	wrote := m.activeCount(to, from) > 0 // the receiver has written to the sender
	if m.pref(to, "receive_unfollow_msg") == 0 && !followed {
		if !wrote {
			m.events["privacy:refused"]++
			return mAdmission{}, im.ErrPrivacy
		}
		m.events["privacy:wrote-first"]++
	}
	adm := mAdmission{free: followed || wrote}
	if !adm.free && m.countedCount(from, to) >= 1 {
		return mAdmission{}, im.ErrOneMessage
	}
	if isText && !followed {
		if m.hasBlockWord(to, text) {
			adm.intercept, adm.why = true, "word"
		} else if m.pref(to, "ai_intercept") == 1 && !wrote && m.suspicious(text) {
			adm.intercept, adm.why = true, "ai"
		}
	}
	return adm, nil
}

// post delivers an admitted message: into the receiver's dustbin when the rules say so
// and the receiver does not trust the session (an intercepted session stays
// intercepted), followed by the hint of the one-message rule when that rule holds and
// this is the sender's first message.
func (m *model) post(x *mMsg, adm mAdmission) []*mMsg {
	first := m.countedCount(x.from, x.to) == 0
	m.add(x)
	s := m.s(x.to, x.from)
	switch {
	case adm.intercept && s.trust:
		m.events["dustbin:trusted"]++
	case adm.intercept:
		s.intercept = true
		m.events["dustbin:"+adm.why]++
	}
	fresh := []*mMsg{x}
	if !adm.free && first {
		h := &mMsg{from: x.from, to: x.to, typ: im.MsgHint, src: im.SourceHint, ts: x.ts, visibleTo: x.from,
			content: hintContent}
		m.add(h)
		fresh = append(fresh, h)
	}
	return fresh
}

// Contents the generator uses, with the model's verdict (nil: valid).
var textVerdict = map[string]*im.Error{
	`{"content":"hello"}`:             nil,
	`{"content":"你好 [doge]"}`:         nil,
	`{"content":"x","extra":1}`:       nil,
	` {"content":"padded"} `:          nil,
	`{"content":""}`:                  im.ErrBadRequest,
	`{"content":null}`:                im.ErrBadRequest,
	`{"content":1}`:                   im.ErrBadRequest,
	`{"text":"no content key"}`:       im.ErrBadRequest,
	`["content","array"]`:             im.ErrBadRequest,
	`null`:                            im.ErrBadRequest,
	`not json`:                        im.ErrBadRequest,
	`{"content":"unterminated"`:       im.ErrBadRequest,
	"{\"content\":\"bad utf8 \xff\"}": im.ErrBadRequest,
	`{"content":"` + strings.Repeat("长", 700) + `"}`: im.ErrTooLong, // 2100 bytes
}

var imageVerdict = map[string]*im.Error{
	`{"url":"https://i0.hdslb.com/bfs/im/a.png","height":10,"width":20,"imageType":"png","size":55.443}`: nil,
	`{"url":"http://message.biliimg.com/bfs/im/b.jpg"}`:                                                  nil,
	`{"url":"https://example.com/bfs/im/a.png"}`:                                                         im.ErrBadImage,
	`{"url":"https://i0.hdslb.com/other/a.png"}`:                                                         im.ErrBadImage,
	`{"url":"ftp://i0.hdslb.com/bfs/a.png"}`:                                                             im.ErrBadImage,
	`{"height":10}`:                                                                                      im.ErrBadImage,
	`{"url":"https://hdslb.com.evil.net/bfs/a.png"}`:                                                     im.ErrBadImage,
	`not json`: im.ErrBadRequest,
}

// --- the generator ---

type gen struct {
	r      *rand.Rand
	m      *model
	step   int
	texts  []string
	imgs   []string
	period time.Duration // the service's RecvReplyPeriod
	queue  []op          // ops to run next (filling a user's keyword rules or block words)
	// wordsFilled and rulesFilled are set once a user's block words or keyword rules
	// were filled up to the limit.
	wordsFilled, rulesFilled bool
}

func sortedKeys[V any](mp map[string]V) []string {
	ks := make([]string, 0, len(mp))
	for k := range mp {
		ks = append(ks, k)
	}
	slices.Sort(ks) // map order is random; the seed must decide alone
	return ks
}

func (g *gen) user() uint64 { return g.m.users[g.r.IntN(len(g.m.users))] }

func (g *gen) other(a uint64) uint64 {
	for {
		if b := g.user(); b != a {
			return b
		}
	}
}

func (g *gen) next() op {
	if len(g.queue) > 0 {
		o := g.queue[0]
		g.queue = g.queue[1:]
		return o
	}
	if o, ok := g.groupOp(); ok { // drawn from the groups' own source
		return o
	}
	a := g.user()
	b := g.other(a)
	// 0–999: the core mix; 1000–1199: the settings of docs/settings.md.
	p := g.r.IntN(1200)
	if p < 615 && quietUsers[a] && g.r.IntN(10) > 0 {
		// Quiet users seldom write, so that they keep strangers (people they never wrote
		// to) for the smart interception and receive_unfollow_msg.
		a = g.m.users[g.r.IntN(len(g.m.users)-len(quietUsers))]
		if a == b {
			b = g.other(a)
		}
	}
	switch {
	case p >= 1000:
		return g.settingsOp(a, b, p-1000)
	case p < 160:
		return op{kind: opSend, a: a, b: b, typ: im.MsgText, note: "text",
			content: fmt.Sprintf(`{"content":"m%d [doge]"}`, g.step)}
	case p < 355:
		return g.vocabSend(a, b)
	case p < 395:
		return op{kind: opSend, a: a, b: b, typ: im.MsgImage, note: "image",
			content: fmt.Sprintf(`{"url":"https://i0.hdslb.com/bfs/im/%d.png","width":1,"height":1}`, g.step)}
	case p < 465:
		return g.badSend(a, b)
	case p < 615:
		return g.recall(a, b)
	case p < 725:
		return g.ack(a, b)
	case p < 815:
		on := !g.m.follows[dir{a, b}]
		if g.r.IntN(5) == 0 {
			on = !on // sometimes a no-op
		}
		return op{kind: opFollow, a: a, b: b, on: on}
	case p < 850:
		on := g.r.IntN(3) == 0
		if g.m.blocks[dir{a, b}] {
			on = g.r.IntN(8) == 0
		}
		return op{kind: opBlock, a: a, b: b, on: on}
	case p < 875:
		// Not too often: a session once trusted or intercepted by hand is out of reach
		// of the filters.
		return op{kind: opIntercept, a: a, b: b, on: g.r.IntN(2) == 0}
	case p < 910:
		return op{kind: opRemove, a: a, b: b}
	case p < 925:
		return op{kind: opDustbinAck, a: a}
	case p < 940:
		return op{kind: opDustbinRemove, a: a}
	default:
		// Mostly small steps, so that recall windows stay open for a while; sometimes
		// exactly around the 120 s limit, sometimes far past it.
		ds := []time.Duration{500 * time.Millisecond, time.Second, time.Second, 2 * time.Second, 5 * time.Second,
			5 * time.Second, 10 * time.Second, 30 * time.Second, 59*time.Second + 700*time.Millisecond,
			119 * time.Second, 120 * time.Second, 121 * time.Second, 3 * time.Minute}
		if g.period > 0 && g.r.IntN(4) == 0 {
			// Around the recv_reply period, so that periods expire (or just don't).
			ds = []time.Duration{g.period - time.Second, g.period, g.period + time.Second, g.period / 2, 24 * time.Hour}
		}
		return op{kind: opAdvance, d: ds[g.r.IntN(len(ds))]}
	}
}

func (g *gen) badSend(a, b uint64) op {
	switch g.r.IntN(7) {
	case 0:
		return op{kind: opSend, a: a, b: a, typ: im.MsgText, content: `{"content":"me"}`, note: "to self"}
	case 1:
		return op{kind: opSend, a: a, b: nonUser, typ: im.MsgText, content: `{"content":"who"}`, note: "no such user"}
	case 2:
		return op{kind: opSend, a: a, b: b, typ: []int{0, 3, 6, 7, 10, 18, 19}[g.r.IntN(7)],
			content: `{"content":"x"}`, note: "unsupported type"}
	case 3, 4:
		return op{kind: opSend, a: a, b: b, typ: im.MsgText, content: g.texts[g.r.IntN(len(g.texts))], note: "text table"}
	default:
		return op{kind: opSend, a: a, b: b, typ: im.MsgImage, content: g.imgs[g.r.IntN(len(g.imgs))], note: "image table"}
	}
}

func (g *gen) recall(a, b uint64) op {
	if g.r.IntN(2) == 0 {
		// Mostly recall in the conversation that moved last, whose messages are fresh.
		var newest *mMsg
		for _, xs := range g.m.conv {
			if len(xs) > 0 && (newest == nil || xs[len(xs)-1].seq > newest.seq) {
				newest = xs[len(xs)-1]
			}
		}
		if newest != nil {
			a, b = newest.from, newest.to
		}
	}
	o := op{kind: opSend, a: a, b: b, typ: im.MsgRecall}
	conv := g.m.conv[store.ConvOf(a, b)]
	var mine, theirs, recalled []*mMsg
	for _, x := range conv {
		switch {
		case x.from == a && (x.typ == im.MsgText || x.typ == im.MsgImage) && x.status == 0:
			mine = append(mine, x)
		case x.from == a && x.status == 1:
			recalled = append(recalled, x)
		case x.from == b:
			theirs = append(theirs, x)
		}
	}
	var all []*mMsg
	for _, u := range g.m.users {
		for _, v := range g.m.users {
			if u < v {
				all = append(all, g.m.conv[store.ConvOf(u, v)]...)
			}
		}
	}
	target := func(xs []*mMsg, recent bool) *mMsg {
		if len(xs) == 0 {
			return nil
		}
		if recent && len(xs) > 2 {
			xs = xs[len(xs)-2:]
		}
		return xs[g.r.IntN(len(xs))]
	}
	var t *mMsg
	switch p := g.r.IntN(100); {
	case p < 45:
		t, o.note = target(mine, true), "own recent"
	case p < 55:
		t, o.note = target(mine, false), "own, maybe stale"
	case p < 65:
		t, o.note = target(theirs, false), "talker's"
	case p < 75:
		t, o.note = target(recalled, false), "already recalled"
	case p < 87:
		t, o.note = target(all, false), "anywhere"
	case p < 93:
		o.content, o.note = strconv.FormatUint(g.m.maxKey+12345, 10), "no such key"
		return o
	default:
		o.content, o.note = []string{"0", "abc", "", "-5", "1e9", "18446744073709551616"}[g.r.IntN(6)], "bad key"
		return o
	}
	if t == nil {
		t, o.note = target(all, false), o.note+"→anywhere"
	}
	if t == nil {
		o.content, o.note = "12345", o.note+"→no messages"
		return o
	}
	o.content = strconv.FormatUint(t.key, 10)
	return o
}

func (g *gen) ack(a, b uint64) op {
	o := op{kind: opAck, a: a, b: b}
	mx, ack := g.m.maxSeqno(a, b), g.m.s(a, b).ack
	var s uint64
	switch p := g.r.IntN(100); {
	case p < 25:
		o.note = "latest"
		return o
	case p < 45:
		s, o.note = mx, "max"
	case p < 60:
		s, o.note = mx+1+uint64(g.r.IntN(1000)), "beyond max"
	case p < 75:
		s, o.note = ack-min(ack, 1+uint64(g.r.IntN(3))), "backwards"
	case p < 90:
		vis := g.m.visible(a, b)
		if len(vis) > 0 {
			s = vis[g.r.IntN(len(vis))].seq
		}
		o.note = "some message"
	default:
		o.note = "zero"
	}
	o.seq = &s
	return o
}

// --- the runner ---

type harness struct {
	t     *testing.T
	ctx   context.Context
	svc   *im.Service
	clock *im.FakeClock
	m     *model
	seed  uint64
	step  int
	o     op
	trail []string
	// sinceFull counts steps since every user's sessions were last compared.
	sinceFull int
}

func (h *harness) fail(format string, args ...any) {
	h.t.Helper()
	h.t.Fatalf("seed %d step %d op %s:\n%s\nlast ops:\n  %s\nreproduce: go test ./internal/im -run 'TestModel' -model.seed=%d -model.steps=%d",
		h.seed, h.step, h.o, fmt.Sprintf(format, args...), strings.Join(h.trail, "\n  "), h.seed, h.step+1)
}

// modelPeriods are the recv_reply periods a run may use (Config.RecvReplyPeriod); the
// fixed seed uses the first, other seeds pick one by the seed.
var modelPeriods = []time.Duration{5 * time.Minute, 0, time.Hour, 24 * time.Hour}

// modelFans are the users' fan counts at the start: two may switch auto-replies on
// (≥ 1000, one exactly at the threshold), one is just below, the rest have none.
var modelFans = map[uint64]int64{1001: 5000, 1002: im.FanThreshold, 1003: im.FanThreshold - 1}

// quietUsers seldom send (see gen.next).
var quietUsers = map[uint64]bool{1007: true, 1008: true}

// fullEvery bounds how many steps may pass without comparing every user (see compare).
const fullEvery = 4

func runModel(t *testing.T, seed uint64, steps int) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "model.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	period := modelPeriods[0]
	if seed != modelFixedSeed {
		period = modelPeriods[seed%uint64(len(modelPeriods))]
	}
	clock := im.NewFakeClock(time.Date(2024, 6, 2, 8, 0, 0, 0, time.UTC))
	svc := im.New(st, clock, emoji.MustLoad(), nil, im.Config{RecvReplyPeriod: period})
	users := []uint64{1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008} // the quiet ones last
	fans := map[uint64]int64{}
	for _, u := range users {
		fans[u] = modelFans[u]
		if _, err := svc.CreateUser(ctx, im.NewUser{Mid: u, Name: modelNames[u], Fans: fans[u]}); err != nil {
			t.Fatal(err)
		}
	}
	m := newModel(users, fans, period)
	m.grp = newMGroups(seed, clock.Now())
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	g := &gen{r: r, m: m, texts: sortedKeys(textVerdict), imgs: sortedKeys(imageVerdict), period: period,
		queue: preamble()}
	h := &harness{t: t, ctx: ctx, svc: svc, clock: clock, m: m, seed: seed}
	// compare draws from its own source, so that how much it compares (-model.full)
	// does not change the ops.
	cr := rand.New(rand.NewPCG(seed^0x5bd1e995, seed))
	codes := map[string]int{}
	for h.step = 0; h.step < steps; h.step++ {
		g.step = h.step
		h.o = g.next()
		h.trail = append(h.trail, fmt.Sprintf("%d: %s", h.step, h.o))
		if len(h.trail) > 12 {
			h.trail = h.trail[1:]
		}
		want := m.predict(h.o, clock.Now())
		res, err := h.exec(h.o)
		if !sameErr(err, want.err) {
			h.fail("error %v, want %v", err, want.err)
		}
		codes[codeName(h.o, err)]++
		if *modelTrace {
			t.Logf("%d: %s → %s, %d new messages", h.step, h.o, codeName(h.o, err), len(want.fresh)+len(m.grp.fresh))
		}
		if want.err == nil && len(want.fresh) > 0 {
			h.learn(want.fresh, res.send)
			if want.after != nil {
				want.after()
			}
		}
		if h.o.kind == opGuard && err == nil && res.sent != want.sent {
			h.fail("guard purchase answered sent=%v, want %v", res.sent, want.sent)
		}
		if want.verify != nil {
			want.verify(h)
		}
		h.compare(cr, touchedBy(h.o, want))
		h.compareGroups()
		if h.step%250 == 249 || h.step == steps-1 {
			h.compareHistory()
			h.compareGroupHistory()
		}
	}
	// The mix must actually exercise every rule it claims to; otherwise the test could
	// pass without checking anything. (Checked on the fixed seed, where it is
	// deterministic; a rare code may not come up in a short run of another seed.)
	for _, k := range append([]string{"send:0", "send:21047", "send:25005", "send:25003", "send:21026", "send:-400",
		"send:21007", "send:21035", "send:21037", "send:10005", "send:21041", "send:21042", "recall:0"},
		slices.Concat(settingsCodes, groupCodes)...) {
		if codes[k] == 0 && m.events[k] == 0 && seed == modelFixedSeed && steps >= 3000 {
			t.Errorf("seed %d: the op mix never produced %s (%v, events %v)", seed, k, codes, m.events)
		}
	}
	t.Logf("seed %d: %d steps, recv_reply period %v, outcomes %v, events %v", seed, steps, period, codes, m.events)
}

func codeName(o op, err error) string {
	if o.kind >= opGCreate {
		return groupCodeName(o, err)
	}
	kind := "other"
	switch o.kind {
	case opSend:
		kind = "send"
		if o.typ == im.MsgRecall && err == nil {
			kind = "recall"
		}
	case opSettings:
		kind = "settings"
	case opAddWord:
		kind = "word"
	case opDelWord:
		kind = "delword"
	case opSetReply:
		kind = "reply"
	case opDelReply:
		kind = "delreply"
	case opGuard:
		kind = "guard"
	}
	var e *im.Error
	switch {
	case err == nil:
		return kind + ":0"
	case errors.As(err, &e):
		return kind + ":" + strconv.Itoa(e.Code)
	}
	return kind + ":" + err.Error()
}

func sameErr(got, want error) bool {
	if want == nil || got == nil {
		return got == want
	}
	var w, g *im.Error
	if errors.As(want, &w) {
		return errors.As(got, &g) && g.Code == w.Code
	}
	return errors.Is(got, want)
}

// execResult is what an op answered besides its error.
type execResult struct {
	send im.SendResult
	sent bool // GuardPurchased
}

func (h *harness) exec(o op) (execResult, error) {
	ctx, svc := h.ctx, h.svc
	var err error
	var res execResult
	switch o.kind {
	case opSend:
		res.send, err = svc.Send(ctx, im.SendRequest{Sender: o.a, ReceiverType: 1, Receiver: o.b, MsgType: o.typ,
			Content: o.content, NewFaceVersion: 1})
	case opAck:
		err = svc.Ack(ctx, o.a, 1, o.b, o.seq)
	case opFollow:
		err = svc.Follow(ctx, o.a, o.b, o.on)
	case opBlock:
		err = svc.Block(ctx, o.a, o.b, o.on)
	case opIntercept:
		err = svc.SetIntercept(ctx, o.a, o.b, o.on)
	case opRemove:
		err = svc.RemoveSession(ctx, o.a, 1, o.b)
	case opDustbinAck:
		err = svc.DustbinAck(ctx, o.a)
	case opDustbinRemove:
		err = svc.DustbinRemove(ctx, o.a)
	case opAdvance:
		h.clock.Advance(o.d)
	default:
		if o.kind >= opGCreate {
			return h.execGroup(o)
		}
		return h.execSettings(o)
	}
	return res, err
}

// learn reads the op's new messages back (newest first, as a party who sees them all sees
// them), checks they are exactly the predicted ones, and records their seqnos and msg_keys.
func (h *harness) learn(fresh []*mMsg, res im.SendResult) {
	viewer, talker := fresh[0].from, fresh[0].to
	for _, x := range fresh {
		if store.ConvOf(x.from, x.to) != store.ConvOf(viewer, talker) {
			h.fail("model: an op's new messages span two conversations")
		}
		if x.visibleTo != 0 && x.visibleTo != viewer {
			viewer, talker = talker, viewer
		}
	}
	for _, x := range fresh {
		if x.visibleTo != 0 && x.visibleTo != viewer {
			h.fail("model: no party sees all of an op's new messages")
		}
	}
	// One more than the new messages: the one before them must be the model's.
	hist, err := h.svc.FetchMessages(h.ctx, viewer, im.FetchParams{Talker: talker, Type: 1, Size: len(fresh) + 1})
	if err != nil {
		h.fail("fetch new messages: %v", err)
	}
	vis := h.m.visible(viewer, talker)
	var prev *mMsg
	if len(vis) > len(fresh) {
		prev = vis[len(vis)-len(fresh)-1]
	}
	var have, want []string
	for _, g := range slices.Backward(hist.Messages) {
		have = append(have, fmt.Sprintf("%d→%d type %d source %d %s", g.SenderUID, g.ReceiverID, g.MsgType, g.Source, short(g.Content)))
	}
	if prev != nil {
		want = append(want, fmt.Sprintf("%d→%d type %d source %d %s", prev.from, prev.to, prev.typ, prev.src, short(prev.content)))
	}
	for _, x := range fresh {
		want = append(want, fmt.Sprintf("%d→%d type %d source %d %s", x.from, x.to, x.typ, x.src, short(x.content)))
	}
	mismatch := func(format string, args ...any) {
		h.t.Helper()
		h.fail("%s\n  %d/%d's newest messages, oldest first:\n    have %s\n    want %s", fmt.Sprintf(format, args...),
			viewer, talker, strings.Join(have, "\n         "), strings.Join(want, "\n         "))
	}
	if len(hist.Messages) != len(want) || (prev != nil && hist.Messages[len(fresh)].Key != prev.key) {
		mismatch("the op wrote other messages than the %d the model predicts", len(fresh))
	}
	for i, x := range fresh {
		got := hist.Messages[len(fresh)-1-i]
		if got.SenderUID != x.from || got.ReceiverID != x.to || got.MsgType != x.typ || got.Source != x.src ||
			got.Content != x.content || got.Timestamp != x.ts || got.Status != 0 || got.VisibleTo != x.visibleTo ||
			got.ReceiverType != 1 {
			mismatch("new message %d is %+v, want %+v", i, got, *x)
		}
		if autoSource(x.src) && got.NewFaceVersion != 1 {
			h.fail("auto-reply %d has new_face_version %d, want 1", i, got.NewFaceVersion)
		}
		if got.Seqno <= h.m.maxSeq {
			h.fail("seqno %d not above every earlier seqno (%d)", got.Seqno, h.m.maxSeq)
		}
		if got.Key <= h.m.maxKey || got.Key <= 1<<53 {
			h.fail("msg_key %d not above every earlier key (%d) and 2^53", got.Key, h.m.maxKey)
		}
		if h.m.byKey[got.Key] != nil {
			h.fail("msg_key %d reused", got.Key)
		}
		x.seq, x.key = got.Seqno, got.Key
		h.m.maxSeq, h.m.maxKey = got.Seqno, got.Key
		h.m.byKey[got.Key] = x
	}
	if h.o.kind == opSend && res.MsgKey != fresh[0].key {
		h.fail("send answered msg_key %d, the stored message has %d", res.MsgKey, fresh[0].key)
	}
}

// short cuts a content down for a failure message.
func short(s string) string {
	if r := []rune(s); len(r) > 80 {
		return string(r[:80]) + fmt.Sprintf("…(%d characters)", len(r))
	}
	return s
}

// touchedBy lists the users whose sessions o may change by the rules: the two parties of
// a successful send, ack, follow, block, intercept, remove or guard purchase; the owner of
// a dustbin op. Failed ops, clock advances and settings change no session.
func touchedBy(o op, want outcome) []uint64 {
	if want.err != nil {
		return nil
	}
	switch o.kind {
	case opSend, opAck, opFollow, opBlock, opIntercept, opRemove, opGuard:
		return []uint64{o.a, o.b}
	case opDustbinAck, opDustbinRemove:
		return []uint64{o.a}
	}
	return nil
}

// compare checks every user's counters after every step, and the lists and sessions of
// the users the step may have changed (touched) — and of every user at least every
// fullEvery steps, so that a change to anyone else is caught within a few steps (the
// trail shows them). -model.full compares everything after every step.
func (h *harness) compare(r *rand.Rand, touched []uint64) {
	m := h.m
	h.sinceFull++
	all := *modelFull || h.sinceFull >= fullEvery
	if all {
		h.sinceFull = 0
	}
	for _, u := range m.users {
		c, err := h.svc.SingleUnread(h.ctx, u)
		if err != nil {
			h.fail("single_unread %d: %v", u, err)
		}
		if want := m.counters(u); c != want {
			h.fail("single_unread of %d = %+v, want %+v", u, c, want)
		}
		if !all && !slices.Contains(touched, u) {
			continue
		}
		listed := map[uint64]bool{}
		for _, cat := range []int{4, 5} {
			var want []uint64
			for _, v := range m.users {
				s := m.s(u, v)
				if v != u && m.maxSeqno(u, v) != 0 && !s.hidden && s.intercept == (cat == 5) {
					want = append(want, v)
				}
			}
			h.compareList(u, cat, want, listed)
		}
		for _, v := range m.users {
			if v == u || listed[v] {
				continue
			}
			view, err := h.svc.SessionDetail(h.ctx, u, 1, v)
			if m.maxSeqno(u, v) == 0 {
				if !sameErr(err, im.ErrNoSession) {
					h.fail("session_detail %d/%d without messages: %v, want 1000004", u, v, err)
				}
				st, err := h.svc.SessionSettings(h.ctx, u, 1, v)
				if err != nil {
					h.fail("session settings %d/%d: %v", u, v, err)
				}
				s := m.s(u, v)
				if st.Intercept != s.intercept || st.Trust != s.trust || st.MaxSeqno != 0 || st.Unread != 0 {
					h.fail("settings of %d/%d: %+v, want intercept %v trust %v", u, v, st, s.intercept, s.trust)
				}
				continue
			}
			if err != nil {
				h.fail("session_detail %d/%d: %v", u, v, err)
			}
			if !m.s(u, v).hidden {
				h.fail("session %d/%d is in no list but not hidden in the model", u, v)
			}
			h.compareSession(u, v, view)
		}
	}
	// The follow filters of get_sessions and new_sessions, for one owner the step
	// touched (any owner on the steps that compare everyone).
	if all {
		touched = m.users
	}
	if len(touched) == 0 {
		return
	}
	u := touched[r.IntN(len(touched))]
	for _, cat := range []int{9, 2} {
		var want []uint64
		for _, v := range m.users {
			s := m.s(u, v)
			if v != u && m.maxSeqno(u, v) != 0 && !s.hidden && !s.intercept && m.follows[dir{u, v}] == (cat == 9) {
				want = append(want, v)
			}
		}
		h.compareList(u, cat, want, map[uint64]bool{})
	}
	// new_sessions leaves the dustbin out (docs/settings.md); hidden sessions are not
	// checked here (the rules do not say).
	l, err := h.svc.NewSessions(h.ctx, u, 0, 100)
	if err != nil {
		h.fail("new_sessions %d: %v", u, err)
	}
	got := map[uint64]bool{}
	for _, v := range l.Sessions {
		if v.Type == 2 {
			continue // fan groups: compareGroups
		}
		if m.s(u, v.Talker).intercept {
			h.fail("new_sessions of %d lists %d, whose session is in the dustbin", u, v.Talker)
		}
		got[v.Talker] = true
	}
	for _, v := range m.users {
		if s := m.s(u, v); v != u && m.maxSeqno(u, v) != 0 && !s.hidden && !s.intercept && !got[v] {
			h.fail("new_sessions of %d leaves out %d", u, v)
		}
	}
}

func (h *harness) compareList(u uint64, cat int, want []uint64, listed map[uint64]bool) {
	m := h.m
	// Lists are newest first; session_ts follows the newest message the owner sees.
	slices.SortFunc(want, func(x, y uint64) int {
		sx, sy := m.maxSeqno(u, x), m.maxSeqno(u, y)
		switch {
		case sx > sy:
			return -1
		case sx < sy:
			return 1
		}
		return 0
	})
	// Fan groups folded out: compareGroups compares them, and the lists they are in.
	fold := true
	l, err := h.svc.ListSessions(h.ctx, u, im.ListParams{Category: cat, Size: 100, GroupFold: &fold})
	if err != nil {
		h.fail("get_sessions %d cat %d: %v", u, cat, err)
	}
	var got []uint64
	for _, v := range l.Sessions {
		got = append(got, v.Talker)
	}
	if !slices.Equal(got, want) || l.HasMore {
		h.fail("get_sessions of %d, category %d: talkers %v (has_more %v), want %v", u, cat, got, l.HasMore, want)
	}
	for i, v := range l.Sessions {
		if i > 0 && v.SessionTs >= l.Sessions[i-1].SessionTs {
			h.fail("get_sessions of %d: session_ts not strictly decreasing: %d then %d", u, l.Sessions[i-1].SessionTs, v.SessionTs)
		}
		listed[v.Talker] = true
		h.compareSession(u, v.Talker, v)
	}
}

func (h *harness) compareSession(u, v uint64, got im.SessionView) {
	m := h.m
	s := m.s(u, v)
	last := m.last(u, v)
	want := fmt.Sprintf("unread %d max %d ack %d last %d follow %v intercept %v trust %v hidden %v",
		m.unread(u, v), last.seq, s.ack, last.key, m.follows[dir{u, v}], s.intercept, s.trust, s.hidden)
	have := fmt.Sprintf("unread %d max %d ack %d last %d follow %v intercept %v trust %v hidden %v",
		got.Unread, got.MaxSeqno, got.AckSeqno, got.LastMsgKey, got.IsFollow, got.Intercept, got.Trust, got.Hidden)
	if have != want {
		h.fail("session %d/%d:\n  have %s\n  want %s", u, v, have, want)
	}
	if got.LastMsg == nil || got.LastMsg.Key != last.key || got.LastMsg.Seqno != last.seq || got.LastMsg.Status != last.status {
		h.fail("session %d/%d: last_msg %+v, want key %d seqno %d status %d", u, v, got.LastMsg, last.key, last.seq, last.status)
	}
}

// compareHistory checks every conversation, from both sides, message by message, paging
// back with end_seqno as a client scrolls.
func (h *harness) compareHistory() {
	m := h.m
	for _, u := range m.users {
		for _, v := range m.users {
			if u == v {
				continue
			}
			var got []store.Message
			var end uint64
			for {
				hist, err := h.svc.FetchMessages(h.ctx, u, im.FetchParams{Talker: v, Type: 1, Size: 50, End: end})
				if err != nil {
					h.fail("fetch %d/%d: %v", u, v, err)
				}
				got = append(got, hist.Messages...)
				if !hist.HasMore {
					break
				}
				end = hist.Messages[len(hist.Messages)-1].Seqno
			}
			want := m.visible(u, v)
			if len(got) != len(want) {
				h.fail("history %d/%d has %d messages, want %d", u, v, len(got), len(want))
			}
			for i, g := range got {
				x := want[len(want)-1-i]
				if g.Key != x.key || g.Seqno != x.seq || g.SenderUID != x.from || g.MsgType != x.typ ||
					g.Content != x.content || g.Status != x.status || g.Timestamp != x.ts || g.Source != x.src {
					h.fail("history %d/%d message %d: %+v, want %+v", u, v, i, g, *x)
				}
			}
		}
	}
}
