package im_test

// The settings part of TestModel (model_test.go): message settings, block words, the
// smart interception (ai_intercept) and auto-replies, modelled from docs/settings.md.
//
// The model does not re-implement the service's filters. Block words and keywords are
// matched with the model's own folding, as the spec words it (each character mapped to
// upper and then lower case; full-width Latin letters, digits and ASCII punctuation, and
// the ideographic space, to ASCII); whether a text is suspicious for the smart
// interception, or carries contact details for 1500003, is a label written by hand next
// to each text of the fixed vocabularies below, worked out from the spec's rules.

import (
	"encoding/json"
	"flag"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bilimsg/bilimsg/internal/im"
	"github.com/bilimsg/bilimsg/internal/store"
)

// --- vocabularies ---

// sendVocab are the texts vocabSend sends, each with its smart-interception verdict
// (docs/settings.md, rules 1–5: links off bilibili, mainland mobile numbers, announced QQ
// numbers and WeChat ids, e-mail addresses), compared case- and width-insensitively.
var sendVocab = []vocabText{
	// keywords of ruleVocab
	{"hello", false},
	{" hello ", false},
	{"HELLO", false},
	{"ｈｅｌｌｏ", false},
	{"hello world", false},
	{"hello\u3000world", false}, // the ideographic space is a space
	{"你好", false},
	{"这个多少钱？", false},
	{"价格", false},
	{"合作", false},
	{"BUSINESS", false},
	{"商务合作", false},
	{"想谈合作", false},
	// block words of wordVocab
	{"this is spam", false},
	{"SPAM SPAM", false},
	{"ｓｐａｍ", false},
	{"ſpam", false}, // ſ (long s) folds like s
	{"fıx", false},  // the Turkish dotless ı matches i
	{"FİX", false},  // and so does İ
	{"广告位招租", false},
	{"廣告", false},   // 繁体: not 广告
	{"οδος", false}, // final ς folds like σ and Σ
	{"ΟΔΌΣ", false}, // Ό is not Ο
	{"fix it", false},
	{"FIX", false},
	{"ＦＩＸ", false},
	{"好耶!!", false},
	{"好耶！！", false},        // full-width ASCII punctuation matches ASCII
	{"\u212Aelvin", false}, // the Kelvin sign folds like k
	{"代练上分", false},
	// links and contact details
	{"https://b23.tv/xyz", false},
	{"看 https://www.bilibili.com/video/BV1xx411c7mD", false},
	{"space.bilibili.com/2", false},
	{"HTTPS://B23.TV/abc", false},
	{"vx 12345", false},         // a WeChat id starts with a letter; 5 digits are no phone number
	{"订单号 213812345678", false}, // part of a longer number
	{"qq 1234", false},          // 4 digits are no QQ number
	{"readme.md", false},        // not a listed top-level domain
	{"加入 x.company", false},     // .company is not .com
	{"v1.2.3", false},
	{"加我 13812345678", true},
	{"138-1234-5678", true},
	{"电话 138 1234 5678", true},
	{"１３８１２３４５６７８", true},
	{"看 https://example.com", true},
	{"ＨＴＴＰＳ://ＥＸＡＭＰＬＥ.ＣＯＭ/x", true},
	{"ｈｔｔｐｓ：／／ｅｘａｍｐｌｅ．ｃｏｍ", true}, // compared width-insensitively
	{"去 example.com 看看", true},
	{"evil-b23.tv", true},
	{"bilibili.com.evil.net", true},
	{"https://b23.tv.evil.com/x", true},
	{"http://localhost:8080", true},
	{"加qq：123456", true},
	{"扣扣 12345", true},
	{"企鹅号 987654321", true},
	{"q群 55555", true},
	{"vx: abc123", true},
	{"微信号 wxid_abcdef", true},
	{"WeChat Abc-12345", true},
	{"mail: up@example.com", true},
	{"spam https://example.com", true},
	{"b23.tv/x,evil.com", true},
}

// keywordTexts is how many texts at the start of sendVocab carry keywords.
const keywordTexts = 13

type vocabText struct {
	text string
	spam bool
}

// edgeVocab are texts whose verdict hangs on the exact wording of docs/settings.md;
// -model.edges=false leaves them out.
var edgeVocab = []vocabText{
	{"qq 012345", false}, // "5–11 digits not starting with 0": no QQ number
	{"qq 123450", true},  // the same with a first digit that a QQ number can have
}

var modelEdges = flag.Bool("model.edges", true, "TestModel: include the inputs whose verdict hangs on the exact wording of docs/settings.md")

// wordVocab are the block words the generator adds and deletes: case and width
// variants of one word (distinct words, so that adding each is allowed), words of other
// scripts, and words each refusal code is for.
var wordVocab = []string{
	"spam", "SPAM", "ｓｐａｍ", "广告", "ΟΔΟΣ", "fix", "!!", "代练", "kelvin",
	"一二三四五六七八九十一二三四五六七八九十", // 20 characters: allowed
	"two words",   // 1900007
	"全角\u3000空格",  // 1900007
	"tab\tword",   // white space and a control character: 1900007 first
	"ctl\x01word", // -400
	"",            // -400
	"一二三四五六七八九十一二三四五六七八九十一", // 21 characters: 1900004
}

// replyVocab are auto-reply texts, with the hand-made labels: contact details
// (phone, QQ, WeChat: 1500003) and the smart-interception verdict.
var replyVocab = []struct {
	text          string
	contact, spam bool
}{
	{"谢谢关注 [doge]", false, false},
	{"已收到，稍后回复", false, false},
	{"商务请发邮件 up@example.com", false, true}, // e-mail addresses and links are allowed
	{"感谢上船 <3", false, false},
	{"舰长群见 https://example.com/guard", false, true},
	{"no spam here", false, false}, // the receiver's block word "spam" applies
	{"hello", false, false},        // an auto-reply never triggers another
	{strings.Repeat("长", 500), false, false},
	{"加我 13812345678", true, true},
	{"vx: abc123", true, true},
	{"qq 12345", true, true},
	{strings.Repeat("长", 501), false, false}, // 1500001
	{"   ", false, false},                    // 27011
	{"bad \xff utf8", false, false},          // 27011
}

// ruleVocab are keyword rules (type 2) as set_reply_text receives them, labelled with
// whether the title or keywords carry contact details.
var ruleVocab = []struct {
	title, key1, key2 string
	contact           bool
}{
	{"问候", "hello，你好", "", false},
	{"价格", "", "多少钱,价格", false},
	{"合作", " 合作 ，business", "商务", false},
	{"垃圾", "", "SPAM", false},
	{"希腊", "", "ΟΔΟΣ", false},
	{"修", "ＦＩＸ", "", false},
	{"问候2", "HELLO", "hello", false},
	{"空格", "hello world", "", false},
	{strings.Repeat("题", 30), "", "你好,,，", false}, // 30 characters and one keyword: allowed
	{"二十", keywords(20), "", false},               // 20 keywords: allowed
	{"", "hello", "", false},                      // 27011
	{strings.Repeat("题", 31), "hello", "", false}, // 27011
	{"空", "，, ,", " ", false},                     // no keyword: 27011
	{"多", "", keywords(21), false},                // 27011
	{"电话", "13812345678", "", true},               // 1500003
	{"vx: abc123", "hello", "", true},             // 1500003
}

// validRules is how many rules at the start of ruleVocab are valid.
const validRules = 10

// ruleContact is the label of a keyword rule of ruleVocab: whether its title or keywords
// carry contact details.
func ruleContact(in im.ReplyText) bool {
	for _, v := range ruleVocab {
		if v.title == in.Title && v.key1 == in.Key1 && v.key2 == in.Key2 {
			return v.contact
		}
	}
	panic(fmt.Sprintf("model: no label for rule %+v", in))
}

func keywords(n int) string {
	ks := make([]string, n)
	for i := range ks {
		ks[i] = fmt.Sprintf("k%d", i+1)
	}
	return strings.Join(ks, "，")
}

// workVocab are the works the generator registers, with how the works card must show
// them (catalog §10.4: the date in China time, counts as bilibili writes them).
var workVocab = []struct {
	bvid, title          string
	pub                  time.Time
	plays, danmaku       int64
	date, fPlays, fDanmu string
}{
	{"BV1xx411c7mD", "视频一", time.Date(2024, 6, 1, 20, 0, 0, 0, time.UTC), 123000, 479, "2024-06-02", "12.3万", "479"},
	{"", "视频二", time.Date(2024, 5, 1, 15, 59, 59, 0, time.UTC), 9999, 10000, "2024-05-01", "9999", "1万"},
	{"BV1yy411c7mE", "视频三", time.Date(2024, 5, 20, 16, 0, 0, 0, time.UTC), 350000000, 12000, "2024-05-21", "3.5亿", "1.2万"},
	{"", "视频四", time.Date(2023, 12, 31, 16, 30, 0, 0, time.UTC), 200000, 0, "2024-01-01", "20万", "0"},
}

// workVariant replaces a work's title and counts (PutWork of the same aid).
var workVariant = struct {
	title          string
	plays, danmaku int64
	fPlays, fDanmu string
}{"视频（新）", 479, 100000000, "479", "1亿"}

// upUsers have the fans auto-replies need (modelFans).
var upUsers = []uint64{1001, 1002}

// The settings the model follows, their defaults and which of them are auto-reply
// switches (≥ 1000 fans to switch on).
var (
	prefNames    = []string{"receive_unfollow_msg", "ai_intercept", "keys_reply", "recv_reply", "followed_reply", "voyage_reply", "recommend_followed_reply"}
	prefDefaults = map[string]int{"receive_unfollow_msg": 1}
	autoSwitches = []string{"keys_reply", "recv_reply", "followed_reply", "voyage_reply", "recommend_followed_reply"}
)

// prefsOf reads the modelled settings out of the service's record.
func prefsOf(st store.Settings) map[string]int {
	return map[string]int{"receive_unfollow_msg": st.ReceiveUnfollowMsg, "ai_intercept": st.AIIntercept,
		"keys_reply": st.KeysReply, "recv_reply": st.RecvReply, "followed_reply": st.FollowedReply,
		"voyage_reply": st.VoyageReply, "recommend_followed_reply": st.RecommendFollowedReply}
}

// settingsCodes are the outcomes and events the fixed seed must produce.
var settingsCodes = []string{
	"settings:0", "settings:2", "settings:700009",
	"word:0", "word:-400", "word:1900004", "word:1900005", "word:1900006", "word:1900007", "delword:0",
	"reply:0", "reply:27011", "reply:1500001", "reply:1500002", "reply:1500003", "delreply:0", "delreply:1003",
	"guard:0", "auto:8", "auto:8:card", "auto:9", "auto:10", "auto:11", "auto:11:refused",
	"dustbin:word", "dustbin:ai", "dustbin:trusted", "recv:period", "noreply:dustbin",
	"privacy:refused", "privacy:wrote-first",
}

// textLabel is what the hand-made labels say of a text.
type textLabel struct {
	spam    bool // suspicious for the smart interception
	contact bool // contact details, refused in auto-reply texts (1500003)
}

// labels maps every text the model may have to judge to its labels.
var labels = func() map[string]textLabel {
	l := map[string]textLabel{}
	for _, v := range sendVocab {
		l[v.text] = textLabel{spam: v.spam}
	}
	for _, v := range edgeVocab {
		l[v.text] = textLabel{spam: v.spam}
	}
	for _, v := range replyVocab {
		l[v.text] = textLabel{v.spam, v.contact}
	}
	// The core mix's valid texts carry nothing suspicious.
	for _, s := range []string{"x", "padded", "你好 [doge]"} {
		l[s] = textLabel{}
	}
	return l
}()

var generatedText = regexp.MustCompile(`^m[0-9]+ \[doge\]$`)

func label(s string) textLabel {
	if generatedText.MatchString(s) {
		return textLabel{}
	}
	l, ok := labels[s]
	if !ok {
		panic(fmt.Sprintf("model: no label for %q", s))
	}
	return l
}

// --- the model ---

type mWord struct {
	content string
	ctime   int64
}

// mText is one auto-reply text. id 0: just set, not yet learned from the service.
type mText struct {
	id, prevID uint64
	typ        int
	title      string
	key1, key2 []string // normalised: trimmed, empty ones dropped
	reply      string
}

type mSettings struct {
	period    time.Duration // Config.RecvReplyPeriod
	fans      map[uint64]int64
	prefs     map[uint64]map[string]int // the values set, by name; the rest are prefDefaults
	words     map[uint64][]mWord        // in the order added
	texts     map[uint64][]*mText
	textOwner map[uint64]uint64 // live text id → owner
	usedIDs   map[uint64]bool   // every id ever seen
	maxID     uint64
	works     map[uint64]map[uint64]store.Work // owner → aid → work
	replyAt   map[dir]int64                    // (replier, talker) → time of the last recv reply
}

func newMSettings(fans map[uint64]int64, period time.Duration) mSettings {
	return mSettings{period: period, fans: fans, prefs: map[uint64]map[string]int{}, words: map[uint64][]mWord{},
		texts: map[uint64][]*mText{}, textOwner: map[uint64]uint64{}, usedIDs: map[uint64]bool{},
		works: map[uint64]map[uint64]store.Work{}, replyAt: map[dir]int64{}}
}

func (m *mSettings) pref(u uint64, name string) int {
	if v, ok := m.prefs[u][name]; ok {
		return v
	}
	return prefDefaults[name]
}

// single returns u's text of type 1, 3 or 5, or nil.
func (m *mSettings) single(u uint64, typ int) *mText {
	for _, t := range m.texts[u] {
		if t.typ == typ {
			return t
		}
	}
	return nil
}

// rules returns u's keyword rules newest (highest id; a rule just created) first.
func (m *mSettings) rules(u uint64) []*mText {
	var rs []*mText
	for _, t := range m.texts[u] {
		if t.typ == im.ReplyKeyword {
			rs = append(rs, t)
		}
	}
	key := func(t *mText) uint64 {
		if t.id == 0 {
			return ^uint64(0)
		}
		return t.id
	}
	slices.SortFunc(rs, func(x, y *mText) int {
		switch {
		case key(x) > key(y):
			return -1
		case key(x) < key(y):
			return 1
		}
		return 0
	})
	return rs
}

// mFold is the form block words and keywords are compared in (docs/settings.md): the
// full-width forms of Latin letters, digits and ASCII punctuation (！ to ～) made ASCII,
// the ideographic space a space, and each character mapped to upper and then lower case.
// Nothing else is normalised.
func mFold(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '！' && r <= '～':
			r += '!' - '！'
		case r == '　':
			r = ' '
		}
		b.WriteRune(unicode.ToLower(unicode.ToUpper(r)))
	}
	return b.String()
}

func (m *mSettings) hasBlockWord(u uint64, text string) bool {
	t := mFold(text)
	for _, w := range m.words[u] {
		if strings.Contains(t, mFold(w.content)) {
			return true
		}
	}
	return false
}

func (m *mSettings) suspicious(text string) bool { return label(text).spam }

// splitKeys splits a keyword list on "，" and ",", trims each keyword and drops empty ones.
func splitKeys(s string) []string {
	var out []string
	for _, part := range strings.Split(strings.ReplaceAll(s, ",", "，"), "，") {
		if k := strings.TrimFunc(part, unicode.IsSpace); k != "" {
			out = append(out, k)
		}
	}
	return out
}

// matchRule is the first of u's rules, newest first, one of whose key1 keywords equals
// the trimmed text or one of whose key2 keywords it contains, compared folded.
func (m *mSettings) matchRule(u uint64, text string) *mText {
	t := mFold(strings.TrimFunc(text, unicode.IsSpace))
	for _, r := range m.rules(u) {
		for _, k := range r.key1 {
			if t == mFold(k) {
				return r
			}
		}
		for _, k := range r.key2 {
			if strings.Contains(t, mFold(k)) {
				return r
			}
		}
	}
	return nil
}

// textContent is an auto-reply's msg_type 1 content: the text with old emoji names
// converted like a send ([doge] is the one documented rename), not HTML-escaped.
func textContent(text string) string {
	if strings.ContainsAny(text, "\"\\") || strings.IndexFunc(text, unicode.IsControl) >= 0 {
		panic(fmt.Sprintf("model: reply %q needs JSON escaping", text))
	}
	return `{"content":"` + strings.ReplaceAll(text, "[doge]", "[tv_doge]") + `"}`
}

// textOf is the text of a valid msg_type 1 content.
func textOf(content string) string {
	var v struct{ Content string }
	if err := json.Unmarshal([]byte(content), &v); err != nil {
		panic(fmt.Sprintf("model: content %q: %v", content, err))
	}
	return v.Content
}

// card is the works card (catalog §10.4) of up's three latest works.
func (m *mSettings) card(up uint64, reply string) string {
	var ws []store.Work
	for _, w := range m.works[up] {
		ws = append(ws, w)
	}
	slices.SortFunc(ws, func(x, y store.Work) int { return int(y.PubDate - x.PubDate) })
	var b strings.Builder
	fmt.Fprintf(&b, `{"main_title":"更多宝藏内容","reply_content":"%s","sub_cards":[`, reply)
	for i, w := range ws[:min(3, len(ws))] {
		n := int(w.Aid % 10)
		v := workVocab[n]
		title, fPlays, fDanmu := v.title, v.fPlays, v.fDanmu
		if w.Title == workVariant.title {
			title, fPlays, fDanmu = workVariant.title, workVariant.fPlays, workVariant.fDanmu
		}
		jump := "https://www.bilibili.com/video/av" + strconv.FormatUint(w.Aid, 10)
		if v.bvid != "" {
			jump = "https://www.bilibili.com/video/" + v.bvid
		}
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"card_id":%d,"card_type":1,"jump_url":"%s","cover_url":"https://i0.hdslb.com/bfs/archive/%d.jpg",`+
			`"field1":"%s","field2":"%s","field3":"%s","icon3":1,"field4":"%s","icon4":3}`, w.Aid, jump, n, title, v.date, fPlays, fDanmu)
	}
	b.WriteString("]}")
	return b.String()
}

func autoSource(src int) bool {
	return src == im.SourceFollowedReply || src == im.SourceRecvReply || src == im.SourceKeywordReply ||
		src == im.SourceVoyageReply
}

// autoSend posts an auto-reply from → to under the rules of every message; a reply the
// rules refuse is skipped silently (docs/settings.md).
func (m *model) autoSend(from, to uint64, typ int, content string, src int, text string, now time.Time) []*mMsg {
	ev := "auto:" + strconv.Itoa(src)
	if typ == im.MsgWorks {
		ev += ":card"
	}
	adm, e := m.admit(from, to, text, typ == im.MsgText)
	if e != nil {
		m.events[ev+":refused"]++
		m.events[ev+":refused:"+strconv.Itoa(e.Code)]++
		return nil
	}
	m.events[ev]++
	return m.post(&mMsg{from: from, to: to, typ: typ, src: src, content: content, ts: now.Unix()}, adm)
}

// replyTo is the receiver's answer to a delivered message x: the keyword reply, else the
// received-message reply at most once per period; none for a message in the dustbin.
func (m *model) replyTo(x *mMsg, text string, now time.Time) []*mMsg {
	up, fan := x.to, x.from
	if m.s(up, fan).intercept {
		if m.pref(up, "keys_reply") == 1 || m.pref(up, "recv_reply") == 1 {
			m.events["noreply:dustbin"]++
		}
		return nil
	}
	if x.typ == im.MsgText && m.pref(up, "keys_reply") == 1 {
		if r := m.matchRule(up, text); r != nil {
			if out := m.autoSend(up, fan, im.MsgText, textContent(r.reply), im.SourceKeywordReply, r.reply, now); len(out) > 0 {
				return out
			}
		}
	}
	t := m.single(up, im.ReplyReceived)
	if m.pref(up, "recv_reply") != 1 || t == nil {
		return nil
	}
	if last, ok := m.replyAt[dir{up, fan}]; ok && now.Unix() < last+int64(m.period/time.Second) {
		m.events["recv:period"]++
		return nil
	}
	out := m.autoSend(up, fan, im.MsgText, textContent(t.reply), im.SourceRecvReply, t.reply, now)
	if len(out) > 0 {
		m.replyAt[dir{up, fan}] = now.Unix()
	}
	return out
}

// followedReply is up's answer to fan starting to follow: the followed reply, then the
// works card.
func (m *model) followedReply(up, fan uint64, now time.Time) []*mMsg {
	var out []*mMsg
	reply := ""
	if t := m.single(up, im.ReplyFollowed); m.pref(up, "followed_reply") == 1 && t != nil {
		reply = t.reply
		out = append(out, m.autoSend(up, fan, im.MsgText, textContent(reply), im.SourceFollowedReply, reply, now)...)
	}
	if m.pref(up, "recommend_followed_reply") == 1 && len(m.works[up]) > 0 {
		out = append(out, m.autoSend(up, fan, im.MsgWorks, m.card(up, reply), im.SourceFollowedReply, "", now)...)
	}
	return out
}

// predictSettings applies the settings ops.
func (m *model) predictSettings(o op, now time.Time) outcome {
	a := o.a
	switch o.kind {
	case opSettings:
		for _, v := range o.patch {
			if v != 0 && v != 1 {
				return outcome{err: im.ErrInvalidParam}
			}
		}
		for _, name := range autoSwitches {
			if v, ok := o.patch[name]; ok && v == 1 && m.fans[a] < im.FanThreshold {
				return outcome{err: im.ErrNoPermission}
			}
		}
		if m.prefs[a] == nil {
			m.prefs[a] = map[string]int{}
		}
		for name, v := range o.patch {
			m.prefs[a][name] = v
		}
		return outcome{}
	case opFans:
		m.fans[a] = o.n
	case opAddWord:
		w := o.word
		switch {
		case w == "":
			return outcome{err: im.ErrBadRequest}
		case strings.IndexFunc(w, func(r rune) bool { return unicode.Is(unicode.White_Space, r) }) >= 0:
			return outcome{err: im.ErrBlockWordSpace}
		case strings.IndexFunc(w, func(r rune) bool { return unicode.Is(unicode.Cc, r) }) >= 0:
			return outcome{err: im.ErrBadRequest}
		case utf8.RuneCountInString(w) > 20:
			return outcome{err: im.ErrBlockWordTooLong}
		case slices.ContainsFunc(m.words[a], func(x mWord) bool { return x.content == w }):
			return outcome{err: im.ErrBlockWordExists}
		case len(m.words[a]) >= 200:
			return outcome{err: im.ErrTooManyBlockWords}
		}
		m.words[a] = append(m.words[a], mWord{w, now.Unix()})
		return outcome{}
	case opDelWord:
		m.words[a] = slices.DeleteFunc(m.words[a], func(x mWord) bool { return x.content == o.word })
		return outcome{}
	case opSetReply:
		return m.predictSetReply(a, o.reply)
	case opDelReply:
		owner, ok := m.textOwner[o.id]
		switch {
		case !ok:
		case owner != a:
			return outcome{err: im.ErrNotYourRule}
		default:
			delete(m.textOwner, o.id)
			m.texts[a] = slices.DeleteFunc(m.texts[a], func(t *mText) bool { return t.id == o.id })
		}
		return outcome{}
	case opPutWork:
		if m.works[a] == nil {
			m.works[a] = map[uint64]store.Work{}
		}
		m.works[a][o.work.Aid] = o.work
	case opGuard:
		up, fan := o.a, o.b
		if up == fan {
			return outcome{err: im.ErrInvalid}
		}
		t := m.single(up, im.ReplyVoyage)
		if m.pref(up, "voyage_reply") != 1 || t == nil {
			return outcome{}
		}
		out := m.autoSend(up, fan, im.MsgText, textContent(t.reply), im.SourceVoyageReply, t.reply, now)
		return outcome{fresh: out, sent: len(out) > 0}
	}
	return outcome{}
}

// predictSetReply is set_reply_text (docs/settings.md): every problem with the
// parameters 27011, then 1500001, 1500003, 1500002.
func (m *model) predictSetReply(a uint64, in im.ReplyText) outcome {
	bad := outcome{err: im.ErrReplyParam}
	if !slices.Contains([]int{1, 2, 3, 5}, in.Type) || !utf8.ValidString(in.Reply) ||
		strings.TrimFunc(in.Reply, unicode.IsSpace) == "" {
		return bad
	}
	var k1, k2 []string
	var rule *mText
	if in.Type == im.ReplyKeyword {
		k1, k2 = splitKeys(in.Key1), splitKeys(in.Key2)
		if in.Title == "" || utf8.RuneCountInString(in.Title) > 30 || len(k1)+len(k2) == 0 || len(k1) > 20 || len(k2) > 20 {
			return bad
		}
		if in.ID != 0 {
			i := slices.IndexFunc(m.rules(a), func(t *mText) bool { return t.id == in.ID })
			if i < 0 {
				return bad
			}
			rule = m.rules(a)[i]
		}
	}
	if utf8.RuneCountInString(in.Reply) > 500 {
		return outcome{err: im.ErrReplyTooLong}
	}
	if label(in.Reply).contact || in.Type == im.ReplyKeyword && ruleContact(in) {
		return outcome{err: im.ErrReplySensitive}
	}
	if in.Type == im.ReplyKeyword && in.ID == 0 && len(m.rules(a)) >= 20 {
		return outcome{err: im.ErrTooManyRules}
	}
	switch {
	case in.Type != im.ReplyKeyword:
		if t := m.single(a, in.Type); t != nil {
			t.reply, t.prevID, t.id = in.Reply, t.id, 0 // replaced; the id is learned again
			delete(m.textOwner, t.prevID)
		} else {
			m.texts[a] = append(m.texts[a], &mText{typ: in.Type, reply: in.Reply})
		}
	case rule != nil:
		rule.title, rule.key1, rule.key2, rule.reply = in.Title, k1, k2, in.Reply
	default:
		m.texts[a] = append(m.texts[a], &mText{typ: im.ReplyKeyword, title: in.Title, key1: k1, key2: k2, reply: in.Reply})
	}
	return outcome{}
}

// --- the generator ---

func (g *gen) pick(xs []uint64) uint64 { return xs[g.r.IntN(len(xs))] }

// vocabSend sends a text of the vocabulary, often a keyword to a user who may auto-reply.
func (g *gen) vocabSend(a, b uint64) op {
	vocab := sendVocab
	if *modelEdges {
		vocab = append(slices.Clip(vocab), edgeVocab...)
	}
	v := vocab[g.r.IntN(len(vocab))]
	if g.r.IntN(3) == 0 {
		if b = g.pick(upUsers); b == a {
			b = g.other(a)
		}
		if g.r.IntN(2) == 0 {
			v = sendVocab[g.r.IntN(keywordTexts)]
			for range 3 { // preferably one of b's
				if g.m.matchRule(b, v.text) != nil {
					break
				}
				v = sendVocab[g.r.IntN(keywordTexts)]
			}
		}
	}
	// Aim at the receiver's filters: a text with one of its block words, or, from a
	// stranger, a suspicious one.
	// A stranger gets one message through (the one-message rule), so make it count.
	m := g.m
	var words, spam []int
	stranger := m.pref(b, "ai_intercept") == 1 && !m.follows[dir{b, a}] && m.activeCount(b, a) == 0
	for i, x := range vocab {
		if m.hasBlockWord(b, x.text) {
			words = append(words, i)
		}
		if x.spam {
			spam = append(spam, i)
		}
	}
	switch {
	case stranger && g.r.IntN(3) > 0:
		v = vocab[spam[g.r.IntN(len(spam))]]
	case len(words) > 0 && g.r.IntN(3) == 0:
		v = vocab[words[g.r.IntN(len(words))]]
	}
	c, _ := json.Marshal(map[string]string{"content": v.text})
	return op{kind: opSend, a: a, b: b, typ: im.MsgText, content: string(c), note: "vocabulary"}
}

// settingsOp is one of the settings ops; p is in [0, 200).
func (g *gen) settingsOp(a, b uint64, p int) op {
	switch {
	case p < 45:
		o := op{kind: opSettings, a: a, patch: map[string]int{}}
		if g.r.IntN(20) == 0 {
			o.patch[prefNames[g.r.IntN(len(prefNames))]] = []int{2, -1, 5}[g.r.IntN(3)]
			return o
		}
		names, on := prefNames, 3
		switch q := g.r.IntN(10); {
		case q < 4:
			// The auto-reply switches, mostly on, mostly of those who may switch them on.
			names, on = autoSwitches, 4
			if g.r.IntN(4) > 0 {
				o.a = g.pick(upUsers)
			}
		case q < 7:
			// Who may write to me and the smart interception, mostly of quiet users,
			// who have strangers.
			names = prefNames[:2]
			if g.r.IntN(3) > 0 {
				o.a = g.pick([]uint64{1007, 1008})
			}
		}
		for range 1 + g.r.IntN(3) {
			name := names[g.r.IntN(len(names))]
			v := 0
			if g.r.IntN(5) < on {
				v = 1
			}
			o.patch[name] = v
		}
		return o
	case p < 50:
		// Around the threshold: switches stay on below it, and cannot be switched on.
		return op{kind: opFans, a: g.pick([]uint64{1002, 1003}), n: []int64{im.FanThreshold - 1, im.FanThreshold, im.FanThreshold}[g.r.IntN(3)]}
	case p < 90:
		if !g.wordsFilled && g.step >= 1000 {
			// Once a run: fill a user's block words up to the 201st (1900005).
			g.wordsFilled = true
			for i := len(g.m.words[a]); i <= 200; i++ {
				g.queue = append(g.queue, op{kind: opAddWord, a: a, word: fmt.Sprintf("w%d", i)})
			}
			return g.next()
		}
		if ws := g.m.words[a]; g.r.IntN(10) < 3 {
			w := wordVocab[g.r.IntN(len(wordVocab)-2)] // not the empty word
			if len(ws) > 0 && g.r.IntN(3) > 0 {
				w = ws[g.r.IntN(len(ws))].content
			}
			return op{kind: opDelWord, a: a, word: w}
		}
		return op{kind: opAddWord, a: a, word: wordVocab[g.r.IntN(len(wordVocab))]}
	case p == 158 || !g.rulesFilled && g.step >= 500 && p < 145:
		// Sometimes (and once a run for sure), fill a user's keyword rules up to the
		// 21st, one create per step.
		g.rulesFilled = true
		for range 21 - len(g.m.rules(a)) {
			r := ruleVocab[g.r.IntN(validRules)]
			g.queue = append(g.queue, op{kind: opSetReply, a: a, reply: im.ReplyText{Type: im.ReplyKeyword,
				Title: r.title, Key1: r.key1, Key2: r.key2, Reply: replyVocab[g.r.IntN(8)].text}})
		}
		return g.next()
	case p < 145:
		return g.setReply(a, b)
	case p < 158:
		o := op{kind: opDelReply, a: a}
		var mine, theirs []uint64
		for id, owner := range g.m.textOwner {
			if owner == a {
				mine = append(mine, id)
			} else {
				theirs = append(theirs, id)
			}
		}
		slices.Sort(mine)
		slices.Sort(theirs)
		switch q := g.r.IntN(20); {
		case q < 12 && len(mine) > 0:
			o.id = mine[g.r.IntN(len(mine))]
		case q < 15 && len(theirs) > 0:
			o.id = theirs[g.r.IntN(len(theirs))]
		default:
			o.id = 1 + uint64(g.r.IntN(int(g.m.maxID)+5)) // deleted, never used, or live
		}
		return o
	case p < 167:
		n := g.r.IntN(len(workVocab))
		v := workVocab[n]
		w := store.Work{Owner: a, Aid: 170000 + (a-1000)*10 + uint64(n), Bvid: v.bvid, Title: v.title,
			Cover: fmt.Sprintf("https://i0.hdslb.com/bfs/archive/%d.jpg", n), PubDate: v.pub.Unix(),
			Plays: v.plays, Danmaku: v.danmaku}
		if g.r.IntN(4) == 0 {
			w.Title, w.Plays, w.Danmaku = workVariant.title, workVariant.plays, workVariant.danmaku
		}
		return op{kind: opPutWork, a: a, work: w}
	default:
		up := a
		if g.r.IntN(5) < 3 {
			up = g.pick(upUsers)
		}
		fan := g.other(up)
		if g.r.IntN(50) == 0 {
			fan = up
		}
		return op{kind: opGuard, a: up, b: fan}
	}
}

// setReply is a set_reply_text call: mostly valid, sometimes each kind of refusal.
func (g *gen) setReply(a, b uint64) op {
	if g.r.IntN(3) > 0 {
		if a = g.pick(upUsers); a == b {
			b = g.other(a)
		}
	}
	reply := replyVocab[g.r.IntN(len(replyVocab))].text
	if g.r.IntN(3) > 0 {
		reply = replyVocab[g.r.IntN(8)].text // the valid ones
	}
	in := im.ReplyText{Reply: reply}
	switch q := g.r.IntN(100); {
	case q < 3:
		in.Type = []int{0, 4, 6}[g.r.IntN(3)]
	case q < 20:
		in.Type = im.ReplyFollowed
	case q < 37:
		in.Type = im.ReplyReceived
	case q < 52:
		in.Type = im.ReplyVoyage
	default:
		in.Type = im.ReplyKeyword
	}
	if in.Type != im.ReplyKeyword {
		if g.r.IntN(4) == 0 { // ignored for these types
			in.ID, in.Title, in.Key1 = 12345, "vx: abc123", "13812345678"
		}
		return op{kind: opSetReply, a: a, reply: in}
	}
	r := ruleVocab[g.r.IntN(len(ruleVocab))]
	if g.r.IntN(3) > 0 {
		r = ruleVocab[g.r.IntN(validRules)]
	}
	in.Title, in.Key1, in.Key2 = r.title, r.key1, r.key2
	switch q := g.r.IntN(100); {
	case q < 30:
		// Fill someone's rules up, so that the 21st comes.
		most := a
		for _, u := range g.m.users {
			if len(g.m.rules(u)) > len(g.m.rules(most)) {
				most = u
			}
		}
		a = most
	case q < 50:
		if rs := g.m.rules(a); len(rs) > 0 {
			in.ID = rs[g.r.IntN(len(rs))].id
		}
	case q < 55:
		if rs := g.m.rules(b); len(rs) > 0 {
			in.ID = rs[g.r.IntN(len(rs))].id // someone else's rule: 27011
		}
	case q < 58:
		if t := g.m.single(a, im.ReplyFollowed); t != nil {
			in.ID = t.id // not a keyword rule: 27011
		}
	case q < 61:
		in.ID = 999_999
	case q < 66:
		// A bad id and a reply refused for another reason: the id is a parameter
		// problem, which comes first (27011).
		in.ID, in.Reply = 999_999, []string{"加我 13812345678", strings.Repeat("长", 501)}[g.r.IntN(2)]
	}
	return op{kind: opSetReply, a: a, reply: in}
}

// preamble are the first ops of every run: the filters and auto-replies on from the
// start, while most pairs of users are still strangers — a stranger's first message is
// the only one the one-message rule lets through, so later the smart interception has
// little left to judge.
func preamble() []op {
	set := func(a uint64, kv ...any) op {
		o := op{kind: opSettings, a: a, patch: map[string]int{}}
		for i := 0; i < len(kv); i += 2 {
			o.patch[kv[i].(string)] = kv[i+1].(int)
		}
		return o
	}
	reply := func(a uint64, typ int, text string) op {
		return op{kind: opSetReply, a: a, reply: im.ReplyText{Type: typ, Reply: text}}
	}
	r := ruleVocab[0]
	v := workVocab[0]
	return []op{
		set(1007, "ai_intercept", 1),
		set(1008, "receive_unfollow_msg", 0),
		set(1004, "ai_intercept", 1),
		{kind: opAddWord, a: 1005, word: "spam"},
		{kind: opAddWord, a: 1006, word: "ＦＩＸ"},
		reply(1001, im.ReplyReceived, "已收到，稍后回复"),
		{kind: opSetReply, a: 1001, reply: im.ReplyText{Type: im.ReplyKeyword, Title: r.title, Key1: r.key1, Key2: r.key2, Reply: "hello"}},
		set(1001, "recv_reply", 1, "keys_reply", 1),
		reply(1002, im.ReplyVoyage, "舰长群见 https://example.com/guard"),
		reply(1002, im.ReplyFollowed, "谢谢关注 [doge]"),
		{kind: opPutWork, a: 1002, work: store.Work{Owner: 1002, Aid: 170020, Bvid: v.bvid, Title: v.title,
			Cover: "https://i0.hdslb.com/bfs/archive/0.jpg", PubDate: v.pub.Unix(), Plays: v.plays, Danmaku: v.danmaku}},
		set(1002, "voyage_reply", 1, "followed_reply", 1, "recommend_followed_reply", 1),
	}
}

// --- running ---

func (o op) settingsString() string {
	switch o.kind {
	case opSettings:
		var ks []string
		for _, k := range sortedKeys(o.patch) {
			ks = append(ks, fmt.Sprintf("%s=%d", k, o.patch[k]))
		}
		return fmt.Sprintf("settings %d %s", o.a, strings.Join(ks, " "))
	case opFans:
		return fmt.Sprintf("fans %d = %d", o.a, o.n)
	case opAddWord:
		return fmt.Sprintf("add_block_word %d %q", o.a, o.word)
	case opDelWord:
		return fmt.Sprintf("del_block_word %d %q", o.a, o.word)
	case opSetReply:
		r := o.reply
		reply := r.Reply
		if utf8.RuneCountInString(reply) > 20 {
			reply = string([]rune(reply)[:20]) + fmt.Sprintf("…(%d)", utf8.RuneCountInString(reply))
		}
		return fmt.Sprintf("set_reply_text %d type %d id %d title %q key1 %q key2 %q reply %q", o.a, r.Type, r.ID,
			r.Title, r.Key1, r.Key2, reply)
	case opDelReply:
		return fmt.Sprintf("del_reply_text %d id %d", o.a, o.id)
	case opPutWork:
		return fmt.Sprintf("put_work %d aid %d %q", o.a, o.work.Aid, o.work.Title)
	case opGuard:
		return fmt.Sprintf("guard_purchased up %d fan %d", o.a, o.b)
	}
	return "?"
}

func (h *harness) execSettings(o op) (execResult, error) {
	ctx, svc := h.ctx, h.svc
	var res execResult
	var err error
	switch o.kind {
	case opSettings:
		err = svc.UpdateSettings(ctx, o.a, o.patch)
	case opFans:
		_, err = svc.UpdateUser(ctx, o.a, im.UserPatch{Fans: &o.n})
	case opAddWord:
		err = svc.AddBlockWord(ctx, o.a, o.word)
	case opDelWord:
		err = svc.DeleteBlockWord(ctx, o.a, o.word)
	case opSetReply:
		err = svc.SetReplyText(ctx, o.a, o.reply)
	case opDelReply:
		err = svc.DeleteReplyText(ctx, o.a, o.id)
	case opPutWork:
		err = svc.PutWork(ctx, o.work)
	case opGuard:
		res.sent, err = svc.GuardPurchased(ctx, o.a, o.b)
	default:
		h.fail("unknown op")
	}
	return res, err
}

func (h *harness) verifyPrefs(u uint64) {
	st, err := h.svc.Settings(h.ctx, u)
	if err != nil {
		h.fail("settings of %d: %v", u, err)
	}
	got := prefsOf(st)
	for _, name := range prefNames {
		if got[name] != h.m.pref(u, name) {
			h.fail("setting %s of %d is %d, want %d", name, u, got[name], h.m.pref(u, name))
		}
	}
}

func (h *harness) verifyWords(u uint64) {
	ws, err := h.svc.BlockWords(h.ctx, u)
	if err != nil {
		h.fail("block words of %d: %v", u, err)
	}
	var got, want []string
	for _, w := range ws {
		got = append(got, fmt.Sprintf("%q@%d", w.Content, w.Ctime))
	}
	for _, w := range h.m.words[u] {
		want = append(want, fmt.Sprintf("%q@%d", w.content, w.ctime))
	}
	if !slices.Equal(got, want) {
		h.fail("block words of %d: %v, want %v", u, got, want)
	}
}

// verifyReplies compares u's reply texts, as get_reply_text lists them for type[]=1,2,3,5
// (type by type, keyword rules newest first), and learns the id of a text just set:
// never one used before (a replaced text may keep its own), and above every earlier one.
func (h *harness) verifyReplies(u uint64) {
	m := h.m
	got, err := h.svc.ReplyTexts(h.ctx, u, []int{1, 2, 3, 5})
	if err != nil {
		h.fail("reply texts of %d: %v", u, err)
	}
	var want []*mText
	if t := m.single(u, im.ReplyFollowed); t != nil {
		want = append(want, t)
	}
	want = append(want, m.rules(u)...)
	for _, typ := range []int{im.ReplyReceived, im.ReplyVoyage} {
		if t := m.single(u, typ); t != nil {
			want = append(want, t)
		}
	}
	if len(got) != len(want) {
		h.fail("reply texts of %d: %d, want %d: %+v", u, len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if w.id == 0 {
			if g.ID == 0 || (m.usedIDs[g.ID] && g.ID != w.prevID) || (g.ID != w.prevID && g.ID <= m.maxID) {
				h.fail("reply text %d of %d has id %d: reused or not above the earlier ids (%d)", i, u, g.ID, m.maxID)
			}
			w.id, w.prevID = g.ID, 0
			m.usedIDs[g.ID], m.textOwner[g.ID] = true, u
			m.maxID = max(m.maxID, g.ID)
		}
		have := fmt.Sprintf("id %d type %d title %q key1 %q key2 %q reply %q", g.ID, g.Type, g.Title, g.Key1, g.Key2, g.Reply)
		wantS := fmt.Sprintf("id %d type %d title %q key1 %q key2 %q reply %q", w.id, w.typ, w.title,
			strings.Join(w.key1, "，"), strings.Join(w.key2, "，"), w.reply)
		if have != wantS {
			h.fail("reply text %d of %d:\n  have %s\n  want %s", i, u, have, wantS)
		}
	}
}
