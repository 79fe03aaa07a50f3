package wire_test

// End-to-end tests of the effects of message settings, block words, the smart
// interception and auto-replies (docs/settings.md), through HTTP: real sends, read back
// with single_unread, get_sessions, new_sessions, session_detail and
// fetch_session_msgs. Each effect is shown together with its absence when the setting is
// off.
//
// The users act through the client package (client/) as any program would: settings
// with SetPreferences, block words with AddBlockWord and DeleteBlockWord, auto-reply
// texts and keyword rules with SetReplyText, sends with SendText, SendImage and Recall,
// and they read back with SingleUnread, Sessions, NewSessions, SessionDetail and
// Messages into the typed client.Session, client.Message and client.SingleUnread.
// Refusals are told apart with errors.Is and the client's sentinels. The operator API's
// part — fans, works, guard purchases — goes through its client (client/operator).
//
// One check stays on the raw HTTP of testkit, saying why: send_msg's answer compared key
// for key and byte for byte with and without an auto-reply, which the typed
// client.SendResult cannot show. Helpers are prefixed e2e to keep clear of the other
// tests of the package.

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/client"
	"github.com/bilimsg/bilimsg/client/operator"
	"github.com/bilimsg/bilimsg/internal/im"
	"github.com/bilimsg/bilimsg/internal/testkit"
)

// Message sources and types the tests look for (docs/settings.md); the client names
// neither msg_source values nor msg_type 16.
const (
	e2eSrcWeb      = 7
	e2eSrcFollowed = 8
	e2eSrcRecv     = 9
	e2eSrcKeyword  = 10
	e2eSrcVoyage   = 11
	e2eSrcHint     = 18
	e2eTypeWorks   = 16
)

// e2eWho is a user of a test as both APIs see them: c, a client logged in as the user;
// the embedded testkit.User for the scene set through testkit (follows, blocks) and
// for the raw HTTP of the check the client cannot make.
type e2eWho struct {
	testkit.User
	c *client.Client
}

// e2eNewUser creates a user with the given mid (0: assigned) and a login, and a client
// logged in as them.
func e2eNewUser(s *testkit.Server, mid uint64, name string) e2eWho {
	s.TB.Helper()
	u := s.NewUser(mid, name)
	return e2eWho{User: u, c: s.Client(u)}
}

// e2eOK fails the test on an error.
func e2eOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func e2eMid(m uint64) string { return strconv.FormatUint(m, 10) }

// e2eHistory is viewer's conversation with talker, newest first.
func e2eHistory(t *testing.T, viewer e2eWho, talker uint64) []client.Message {
	t.Helper()
	h, err := viewer.c.Messages(t.Context(), client.User(talker), client.HistoryOptions{Size: 200})
	if err != nil {
		t.Fatalf("fetch_session_msgs %d→%d: %v", viewer.Mid, talker, err)
	}
	return h.Messages
}

// e2eFrom keeps the messages of msgs sent by sender with one of the sources (any source
// when none is given).
func e2eFrom(msgs []client.Message, sender uint64, sources ...int) []client.Message {
	var out []client.Message
	for _, m := range msgs {
		if m.SenderUID == sender && (len(sources) == 0 || slices.Contains(sources, m.MsgSource)) {
			out = append(out, m)
		}
	}
	return out
}

// e2eAutoReplies are the auto-replies (sources 8–11) that replier sent in viewer's
// conversation with replier, newest first.
func e2eAutoReplies(t *testing.T, viewer e2eWho, replier uint64) []client.Message {
	t.Helper()
	return e2eFrom(e2eHistory(t, viewer, replier), replier, e2eSrcFollowed, e2eSrcRecv, e2eSrcKeyword, e2eSrcVoyage)
}

// e2eTextOf is the text of a msg_type 1 message.
func e2eTextOf(t *testing.T, m client.Message) string {
	t.Helper()
	text, ok := m.Text()
	if !ok {
		t.Fatalf("message %d (msg_type %d, content %q) is not a text", m.MsgKey, m.MsgType, m.Content)
	}
	return text
}

// e2eDetail is owner's session with talker; ok is false when session_detail answers
// 1000004 (the two never chatted).
func e2eDetail(t *testing.T, owner e2eWho, talker uint64) (client.Session, bool) {
	t.Helper()
	d, err := owner.c.SessionDetail(t.Context(), client.User(talker))
	switch {
	case err == nil:
		return *d, true
	case errors.Is(err, client.ErrNoSession):
		return client.Session{}, false
	}
	t.Fatalf("session_detail %d→%d: %v", owner.Mid, talker, err)
	return client.Session{}, false
}

func e2eMustDetail(t *testing.T, owner e2eWho, talker uint64) client.Session {
	t.Helper()
	d, ok := e2eDetail(t, owner, talker)
	if !ok {
		t.Fatalf("%d has no session with %d", owner.Mid, talker)
	}
	return d
}

// e2eList is the talkers of get_sessions category cat (size 100), sorted; unfollowFold
// nil leaves folding to the user's settings.
func e2eList(t *testing.T, u e2eWho, cat int, unfollowFold *bool) []uint64 {
	t.Helper()
	p, err := u.c.Sessions(t.Context(), client.SessionsOptions{Category: cat, Size: 100, UnfollowFold: unfollowFold})
	if err != nil {
		t.Fatalf("get_sessions category %d as %d: %v", cat, u.Mid, err)
	}
	return e2eTalkers(p)
}

// e2eNew is the talkers new_sessions lists from the beginning of time, sorted.
func e2eNew(t *testing.T, u e2eWho) []uint64 {
	t.Helper()
	p, err := u.c.NewSessions(t.Context(), 0, 100)
	if err != nil {
		t.Fatalf("new_sessions as %d: %v", u.Mid, err)
	}
	return e2eTalkers(p)
}

func e2eTalkers(p *client.SessionPage) []uint64 {
	out := []uint64{}
	for _, x := range p.Sessions {
		out = append(out, x.TalkerID)
	}
	slices.Sort(out)
	return out
}

// e2eUnreadOf is u's single_unread with show_dustbin=1.
func e2eUnreadOf(t *testing.T, u e2eWho) client.SingleUnread {
	t.Helper()
	c, err := u.c.SingleUnread(t.Context(), client.UnreadOptions{ShowDustbin: true})
	if err != nil {
		t.Fatalf("single_unread as %d: %v", u.Mid, err)
	}
	return *c
}

// e2eSend sends a text and returns the client's error (nil when sent).
func e2eSend(t *testing.T, from e2eWho, to uint64, text string) error {
	t.Helper()
	_, err := from.c.SendText(t.Context(), client.User(to), text)
	return err
}

// e2eSendOK sends a text and returns its msg_key; the test fails on an error.
func e2eSendOK(t *testing.T, from e2eWho, to uint64, text string) uint64 {
	t.Helper()
	res, err := from.c.SendText(t.Context(), client.User(to), text)
	if err != nil {
		t.Fatalf("send %q %d→%d: %v", text, from.Mid, to, err)
	}
	return res.MsgKey
}

// e2eSendImage sends an image whose URL carries word.
func e2eSendImage(t *testing.T, from e2eWho, to uint64, word string) {
	t.Helper()
	img := client.Image{URL: "https://i0.hdslb.com/bfs/im/" + word + ".png", Height: 100, Width: 100, ImageType: "png",
		Original: 1, Size: 12.5}
	if _, err := from.c.SendImage(t.Context(), client.User(to), img); err != nil {
		t.Fatalf("send image %d→%d: %v", from.Mid, to, err)
	}
}

// e2ePrefs changes u's message settings.
func e2ePrefs(t *testing.T, u e2eWho, p client.PreferenceUpdate) {
	t.Helper()
	if err := u.c.SetPreferences(t.Context(), p); err != nil {
		t.Fatalf("link_setting/set as %d: %v", u.Mid, err)
	}
}

// e2eFans sets mid's fan count through the operator API (1000 unlock auto-replies).
func e2eFans(t *testing.T, s *testkit.Server, mid uint64, fans int64) {
	t.Helper()
	if _, err := s.Operator().UpdateUser(t.Context(), mid, operator.UserUpdate{Fans: &fans}); err != nil {
		t.Fatalf("set fans of %d: %v", mid, err)
	}
}

// e2eReplier gives u the fans auto-replies need and applies prefs.
func e2eReplier(t *testing.T, s *testkit.Server, u e2eWho, prefs client.PreferenceUpdate) {
	t.Helper()
	e2eFans(t, s, u.Mid, im.FanThreshold)
	e2ePrefs(t, u, prefs)
}

// e2eSetReply stores u's auto-reply text of type typ (client.ReplyFollowed,
// ReplyReceived or ReplyVoyage).
func e2eSetReply(t *testing.T, u e2eWho, typ int, reply string) {
	t.Helper()
	if err := u.c.SetReplyText(t.Context(), client.ReplyText{Type: typ, Reply: reply}); err != nil {
		t.Fatalf("set_reply_text type %d as %d: %v", typ, u.Mid, err)
	}
}

// e2eAddRule creates one of u's keyword rules.
func e2eAddRule(t *testing.T, u e2eWho, title, key1, key2, reply string) {
	t.Helper()
	r := client.ReplyText{Type: client.ReplyKeyword, Title: title, Key1: key1, Key2: key2, Reply: reply}
	if err := u.c.SetReplyText(t.Context(), r); err != nil {
		t.Fatalf("keyword rule %q as %d: %v", title, u.Mid, err)
	}
}

// e2eAddBlockWord adds one of u's block words.
func e2eAddBlockWord(t *testing.T, u e2eWho, word string) {
	t.Helper()
	if err := u.c.AddBlockWord(t.Context(), word); err != nil {
		t.Fatalf("add_block_word %q as %d: %v", word, u.Mid, err)
	}
}

// e2eGuard reports through the operator API that fan bought a guard in up's live room;
// it returns whether up's 大航海 auto-reply was sent.
func e2eGuard(t *testing.T, s *testkit.Server, up, fan uint64) bool {
	t.Helper()
	replied, err := s.Operator().Guard(t.Context(), up, fan)
	if err != nil {
		t.Fatalf("guard %d→%d: %v", fan, up, err)
	}
	return replied
}

// e2eWantDustbin asserts that owner's session with talker is in owner's dustbin and
// nowhere else.
func e2eWantDustbin(t *testing.T, owner e2eWho, talker uint64) {
	t.Helper()
	d := e2eMustDetail(t, owner, talker)
	if d.IsIntercept != 1 || d.IsTrust != 0 {
		t.Errorf("%d's session with %d: is_intercept %d is_trust %d, want 1 0", owner.Mid, talker, d.IsIntercept, d.IsTrust)
	}
	if !slices.Contains(e2eList(t, owner, client.CategoryDustbin, nil), talker) {
		t.Errorf("%d's dustbin (category 5) does not list %d", owner.Mid, talker)
	}
	for _, cat := range []int{1, 2, 4, 8, 9} {
		if l := e2eList(t, owner, cat, new(false)); slices.Contains(l, talker) {
			t.Errorf("%d's category %d lists the intercepted session with %d: %v", owner.Mid, cat, talker, l)
		}
	}
	if slices.Contains(e2eNew(t, owner), talker) {
		t.Errorf("%d's new_sessions lists the intercepted session with %d", owner.Mid, talker)
	}
}

// e2eWantInbox asserts that owner's session with talker is a normal one, not in the
// dustbin.
func e2eWantInbox(t *testing.T, owner e2eWho, talker uint64) {
	t.Helper()
	d := e2eMustDetail(t, owner, talker)
	if d.IsIntercept != 0 {
		t.Errorf("%d's session with %d: is_intercept %d, want 0", owner.Mid, talker, d.IsIntercept)
	}
	if !slices.Contains(e2eList(t, owner, client.CategoryFollowed, new(false)), talker) {
		t.Errorf("%d's category 1 does not list %d", owner.Mid, talker)
	}
	if slices.Contains(e2eList(t, owner, client.CategoryDustbin, nil), talker) {
		t.Errorf("%d's dustbin lists %d", owner.Mid, talker)
	}
	if !slices.Contains(e2eNew(t, owner), talker) {
		t.Errorf("%d's new_sessions does not list %d", owner.Mid, talker)
	}
}

// --- receive_unfollow_msg ---

func TestE2EReceiveUnfollowMsg(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	b := e2eNewUser(s, 5001, "b") // the receiver
	a := e2eNewUser(s, 5002, "a") // a stranger who wrote while b accepted anyone
	c := e2eNewUser(s, 5003, "c") // someone b follows
	d := e2eNewUser(s, 5004, "d") // someone b writes to first
	x := e2eNewUser(s, 5005, "x") // a stranger
	f := e2eNewUser(s, 5006, "f") // a stranger who blocks b
	s.Follow(b.Mid, c.Mid, true)
	s.Block(f.Mid, b.Mid, true)

	// Default 1: a stranger's message is delivered.
	k := e2eSendOK(t, a, b.Mid, "hello b")
	if h := e2eFrom(e2eHistory(t, b, a.Mid), a.Mid); len(h) != 1 || h[0].MsgKey != k {
		t.Fatalf("default receive_unfollow_msg=1: b does not have a's message: %+v", h)
	}

	e2ePrefs(t, b, client.PreferenceUpdate{ReceiveUnfollowMsg: new(0)})

	// A stranger is refused and nothing is stored.
	if err := e2eSend(t, x, b.Mid, "hi"); !errors.Is(err, client.ErrPrivacy) {
		t.Errorf("stranger → b with receive_unfollow_msg=0: %v, want 25003", err)
	}
	if _, ok := e2eDetail(t, b, x.Mid); ok {
		t.Errorf("the refused message created a session for b")
	}
	if h := e2eHistory(t, x, b.Mid); len(h) != 0 {
		t.Errorf("the refused message is in x's history: %+v", h)
	}
	// a has used its one message: the setting (25003) is checked before the
	// one-message rule (21047).
	if err := e2eSend(t, a, b.Mid, "again"); !errors.Is(err, client.ErrPrivacy) {
		t.Errorf("second message of a stranger: %v, want 25003 (before 21047)", err)
	}
	// Blocks are checked before the setting: f blocks b → 25005.
	if err := e2eSend(t, f, b.Mid, "hi"); !errors.Is(err, client.ErrIBlocked) {
		t.Errorf("sender blocks receiver and receiver refuses strangers: %v, want 25005", err)
	}
	// Recalls are not refused: a can take back the message it sent before.
	if _, err := a.c.Recall(t.Context(), client.User(b.Mid), k); err != nil {
		t.Errorf("recall with receive_unfollow_msg=0: %v, want code 0", err)
	}
	// Someone b follows gets through.
	if err := e2eSend(t, c, b.Mid, "from a friend"); err != nil {
		t.Errorf("followed user → b: %v, want code 0", err)
	}
	if h := e2eFrom(e2eHistory(t, b, c.Mid), c.Mid, e2eSrcWeb); len(h) != 1 {
		t.Errorf("b does not have c's message: %+v", h)
	}
	// The exception: someone b wrote to may answer (and not before b wrote).
	if err := e2eSend(t, d, b.Mid, "first"); !errors.Is(err, client.ErrPrivacy) {
		t.Errorf("d → b before b wrote: %v, want 25003", err)
	}
	e2eSendOK(t, b, d.Mid, "hi d")
	if err := e2eSend(t, d, b.Mid, "hi b"); err != nil {
		t.Errorf("d answers b, who wrote first: %v, want code 0", err)
	}
	if err := e2eSend(t, d, b.Mid, "and again"); err != nil {
		t.Errorf("d writes again in the conversation b started: %v, want code 0", err)
	}

	// Back to 1: strangers get through again.
	e2ePrefs(t, b, client.PreferenceUpdate{ReceiveUnfollowMsg: new(1)})
	if err := e2eSend(t, x, b.Mid, "hi"); err != nil {
		t.Errorf("stranger → b with receive_unfollow_msg=1: %v, want code 0", err)
	}
}

// --- show_unfollowed_msg ---

func TestE2EShowUnfollowedMsg(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	b := e2eNewUser(s, 5101, "b")
	a := e2eNewUser(s, 5102, "a") // b does not follow a
	c := e2eNewUser(s, 5103, "c") // b follows c
	s.Follow(b.Mid, c.Mid, true)
	e2eSendOK(t, a, b.Mid, "from a stranger")
	e2eSendOK(t, c, b.Mid, "from a friend")
	both, onlyC, onlyA := []uint64{a.Mid, c.Mid}, []uint64{c.Mid}, []uint64{a.Mid}

	check := func(step string, cat int, fold *bool, want []uint64) {
		t.Helper()
		extra := ""
		if fold != nil {
			extra = fmt.Sprintf("unfollow_fold=%v", *fold)
		}
		if got := e2eList(t, b, cat, fold); !slices.Equal(got, want) {
			t.Errorf("%s: category %d %s: %v, want %v", step, cat, extra, got, want)
		}
	}
	// Setting 0 (default): nothing is folded unless asked for.
	check("setting 0", 1, nil, both)
	check("setting 0", 4, nil, both)
	check("setting 0", 1, new(true), onlyC)
	check("setting 0", 4, new(true), onlyC)

	e2ePrefs(t, b, client.PreferenceUpdate{ShowUnfollowedMsg: new(1)})
	check("setting 1", 1, nil, onlyC)
	check("setting 1", 4, nil, onlyC)
	check("setting 1", 1, new(false), both)
	check("setting 1", 4, new(false), both)
	check("setting 1", 2, nil, onlyA)
	check("setting 1", 8, nil, onlyA)
	check("setting 1", 9, nil, onlyC)
	if u := e2eUnreadOf(t, b); u.UnfollowUnread != 1 || u.FollowUnread != 1 {
		t.Errorf("folded sessions still count in unfollow_unread: %+v, want follow 1 unfollow 1", u)
	}

	e2ePrefs(t, b, client.PreferenceUpdate{ShowUnfollowedMsg: new(0)})
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
			b := e2eNewUser(s, 5201, "b")
			a := e2eNewUser(s, 5202, "a")
			e2eAddBlockWord(t, b, tc.word)
			if err := e2eSend(t, a, b.Mid, tc.text); err != nil {
				t.Fatalf("send: %v", err)
			}
			if tc.intercepted {
				e2eWantDustbin(t, b, a.Mid)
			} else {
				e2eWantInbox(t, b, a.Mid)
			}
			// The sender sees nothing different.
			if d := e2eMustDetail(t, a, b.Mid); d.IsIntercept != 0 {
				t.Errorf("the sender's own session is intercepted")
			}
		})
	}
}

func TestE2EBlockWords(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	ctx := t.Context()
	b := e2eNewUser(s, 5301, "b")
	a := e2eNewUser(s, 5302, "a")  // stranger writing the word
	c := e2eNewUser(s, 5303, "c")  // followed by b, writing the word
	g := e2eNewUser(s, 5304, "g")  // stranger sending an image named after the word
	h := e2eNewUser(s, 5305, "h")  // stranger writing clean text
	i := e2eNewUser(s, 5306, "i")  // stranger b wrote to first, answering with the word
	j := e2eNewUser(s, 5307, "j")  // stranger writing the word after it was deleted
	z := e2eNewUser(s, 5308, "z0") // b2's stranger
	b2 := e2eNewUser(s, 5309, "b2")
	s.Follow(b.Mid, c.Mid, true)
	e2eAddBlockWord(t, b, "SPAM")

	// A stranger's text with the word goes to b's dustbin.
	if err := e2eSend(t, a, b.Mid, "this is spam"); err != nil {
		t.Fatalf("the sender sees nothing different: %v", err)
	}
	e2eWantDustbin(t, b, a.Mid)
	if u := e2eUnreadOf(t, b); u != (client.SingleUnread{DustbinUnread: 1}) {
		t.Errorf("b's unread after one intercepted message: %+v, want dustbin 1 only", u)
	}
	plain, err := b.c.SingleUnread(ctx, client.UnreadOptions{})
	e2eOK(t, err)
	if plain.DustbinUnread != 0 {
		t.Errorf("dustbin_unread without show_dustbin=1: %d, want 0", plain.DustbinUnread)
	}
	if d := e2eMustDetail(t, a, b.Mid); d.IsIntercept != 0 {
		t.Errorf("the sender's session is marked intercepted")
	}
	if hist := e2eFrom(e2eHistory(t, a, b.Mid), a.Mid, e2eSrcWeb); len(hist) != 1 {
		t.Errorf("the sender's history: %+v", hist)
	}
	// Without a block word the same text is normal (another receiver).
	e2eSendOK(t, z, b2.Mid, "this is spam")
	e2eWantInbox(t, b2, z.Mid)

	// A followed sender is not filtered.
	e2eSendOK(t, c, b.Mid, "SPAM!!")
	e2eWantInbox(t, b, c.Mid)
	// An image is not filtered.
	e2eSendImage(t, g, b.Mid, "spam")
	e2eWantInbox(t, b, g.Mid)
	// A clean text is not filtered.
	e2eSendOK(t, h, b.Mid, "hello")
	e2eWantInbox(t, b, h.Mid)
	if u := e2eUnreadOf(t, b); u != (client.SingleUnread{FollowUnread: 1, UnfollowUnread: 2, DustbinUnread: 1}) {
		t.Errorf("b's unread: %+v, want follow 1 unfollow 2 dustbin 1", u)
	}
	// Block words apply to someone b wrote to (only following exempts).
	e2eSendOK(t, b, i.Mid, "hi i")
	e2eSendOK(t, i, b.Mid, "spam back")
	e2eWantDustbin(t, b, i.Mid)

	// An intercepted session stays intercepted: a's next (clean) message lands there too.
	e2eSendOK(t, b, a.Mid, "who are you?") // frees a from the one-message rule (and marks the session read)
	e2eSendOK(t, a, b.Mid, "a clean message")
	e2eWantDustbin(t, b, a.Mid)
	if d := e2eMustDetail(t, b, a.Mid); d.UnreadCount != 1 {
		t.Errorf("a's session in the dustbin: unread %d, want 1", d.UnreadCount)
	}
	if u := e2eUnreadOf(t, b); u != (client.SingleUnread{FollowUnread: 1, UnfollowUnread: 2, DustbinUnread: 2}) {
		t.Errorf("b's unread with a and i in the dustbin: %+v, want follow 1 unfollow 2 dustbin 2", u)
	}

	// Trusting the session takes it out and keeps it out.
	e2eOK(t, b.c.SetIntercept(ctx, a.Mid, false))
	if d := e2eMustDetail(t, b, a.Mid); d.IsIntercept != 0 || d.IsTrust != 1 {
		t.Errorf("after update_intercept status=0: %+v", d)
	}
	e2eSendOK(t, a, b.Mid, "more SPAM")
	e2eWantInbox(t, b, a.Mid)
	if d := e2eMustDetail(t, b, a.Mid); d.IsTrust != 1 || d.UnreadCount != 2 {
		t.Errorf("trusted session after another block word: %+v, want is_trust 1, 2 unread", d)
	}
	if u := e2eUnreadOf(t, b); u != (client.SingleUnread{FollowUnread: 1, UnfollowUnread: 4, DustbinUnread: 1}) {
		t.Errorf("b's unread after trusting a: %+v, want follow 1 unfollow 4 dustbin 1", u)
	}

	// Deleting the word stops the effect for new conversations; intercepted sessions stay.
	e2eOK(t, b.c.DeleteBlockWord(ctx, "SPAM"))
	e2eSendOK(t, j, b.Mid, "spam spam spam")
	e2eWantInbox(t, b, j.Mid)
	e2eWantDustbin(t, b, i.Mid)
}

// --- smart interception (ai_intercept) ---

func TestE2EAIIntercept(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	on := e2eNewUser(s, 5401, "on")
	off := e2eNewUser(s, 5402, "off")
	e2ePrefs(t, on, client.PreferenceUpdate{AIIntercept: new(1)})
	e2ePrefs(t, off, client.PreferenceUpdate{AIIntercept: new(0)})
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
		sender := e2eNewUser(s, next, "s"+e2eMid(next))
		e2eSendOK(t, sender, on.Mid, tc.text)
		e2eSendOK(t, sender, off.Mid, tc.text)
		d := e2eMustDetail(t, on, sender.Mid)
		if got := d.IsIntercept == 1; got != tc.suspicious {
			t.Errorf("ai_intercept=1, %q from a stranger: intercepted %v, want %v", tc.text, got, tc.suspicious)
		}
		if d := e2eMustDetail(t, off, sender.Mid); d.IsIntercept != 0 {
			t.Errorf("ai_intercept=0, %q: intercepted", tc.text)
		}
	}

	// The full effect, as for block words.
	spammer := e2eNewUser(s, 5601, "spammer")
	e2eSendOK(t, spammer, on.Mid, "加我 https://example.com")
	e2eWantDustbin(t, on, spammer.Mid)
	e2eSendOK(t, spammer, off.Mid, "加我 https://example.com")
	e2eWantInbox(t, off, spammer.Mid)

	// Not strangers: someone I follow, someone I wrote to; and a trusted session.
	friend := e2eNewUser(s, 5602, "friend")
	s.Follow(on.Mid, friend.Mid, true)
	e2eSendOK(t, friend, on.Mid, "my shop: https://example.com 13812345678")
	e2eWantInbox(t, on, friend.Mid)

	asked := e2eNewUser(s, 5603, "asked")
	e2eSendOK(t, on, asked.Mid, "what is your e-mail?")
	e2eSendOK(t, asked, on.Mid, "someone@example.org")
	e2eWantInbox(t, on, asked.Mid)

	trusted := e2eNewUser(s, 5604, "trusted")
	e2eOK(t, on.c.SetIntercept(t.Context(), trusted.Mid, false))
	e2eSendOK(t, trusted, on.Mid, "https://example.com")
	e2eWantInbox(t, on, trusted.Mid)
	if d := e2eMustDetail(t, on, trusted.Mid); d.IsTrust != 1 {
		t.Errorf("trusted session: is_trust %d", d.IsTrust)
	}

	// Images are not filtered.
	pic := e2eNewUser(s, 5605, "pic")
	e2eSendImage(t, pic, on.Mid, "example.com")
	e2eWantInbox(t, on, pic.Mid)
}

// --- auto-replies: followed_reply and the works card ---

func TestE2EFollowedReply(t *testing.T) {
	t.Parallel()
	t.Run("on", func(t *testing.T) {
		t.Parallel()
		s := testkit.Start(t, testkit.Options{})
		up, fan := e2eNewUser(s, 6001, "up"), e2eNewUser(s, 6002, "fan")
		e2eReplier(t, s, up, client.PreferenceUpdate{FollowedReply: new(1)})
		e2eSetReply(t, up, client.ReplyFollowed, "感谢关注[doge]")
		e2eSendOK(t, fan, up.Mid, "hi up") // up has an unread message from fan
		before := e2eMustDetail(t, up, fan.Mid)

		s.Follow(fan.Mid, up.Mid, true)
		replies := e2eAutoReplies(t, fan, up.Mid)
		if len(replies) != 1 {
			t.Fatalf("fan's auto-replies after following: %+v, want one", replies)
		}
		m := replies[0]
		if m.MsgSource != e2eSrcFollowed || m.MsgType != client.MsgText || m.ReceiverID != fan.Mid || m.NewFaceVersion != 1 ||
			m.Content != `{"content":"感谢关注[tv_doge]"}` {
			t.Errorf("followed reply: %+v, want msg_source 8, msg_type 1, new_face_version 1, old emoji converted", m)
		}
		if upSide := e2eFrom(e2eHistory(t, up, fan.Mid), up.Mid, e2eSrcFollowed); len(upSide) != 1 || upSide[0].MsgKey != m.MsgKey {
			t.Errorf("the reply is not in up's history: %+v", upSide)
		}
		// Unread for the follower, in the followed bucket.
		if d := e2eMustDetail(t, fan, up.Mid); d.UnreadCount != 1 {
			t.Errorf("fan's session: unread %d, want 1", d.UnreadCount)
		}
		if u := e2eUnreadOf(t, fan); u != (client.SingleUnread{FollowUnread: 1}) {
			t.Errorf("fan's unread: %+v, want follow 1", u)
		}
		// Up's session is not marked read.
		after := e2eMustDetail(t, up, fan.Mid)
		if after.UnreadCount != 1 || after.AckSeqno != before.AckSeqno || after.AckSeqno >= after.MaxSeqno {
			t.Errorf("up's session after the auto-reply: %+v (before %+v), want still 1 unread and the ack unchanged",
				after, before)
		}
		// A re-follow that changes nothing sends nothing.
		s.Follow(fan.Mid, up.Mid, true)
		if n := len(e2eAutoReplies(t, fan, up.Mid)); n != 1 {
			t.Errorf("a repeated follow sent another reply: %d replies", n)
		}
	})
	t.Run("off", func(t *testing.T) {
		t.Parallel()
		s := testkit.Start(t, testkit.Options{})
		up, fan := e2eNewUser(s, 6001, "up"), e2eNewUser(s, 6002, "fan")
		e2eReplier(t, s, up, client.PreferenceUpdate{FollowedReply: new(0)})
		e2eSetReply(t, up, client.ReplyFollowed, "感谢关注")
		s.Follow(fan.Mid, up.Mid, true)
		if _, ok := e2eDetail(t, fan, up.Mid); ok {
			t.Errorf("followed_reply=0: fan has a session with up: %+v", e2eHistory(t, fan, up.Mid))
		}
	})
	t.Run("on without text", func(t *testing.T) {
		t.Parallel()
		s := testkit.Start(t, testkit.Options{})
		up, fan := e2eNewUser(s, 6001, "up"), e2eNewUser(s, 6002, "fan")
		e2eReplier(t, s, up, client.PreferenceUpdate{FollowedReply: new(1)})
		s.Follow(fan.Mid, up.Mid, true)
		if _, ok := e2eDetail(t, fan, up.Mid); ok {
			t.Errorf("no text: fan has a session with up: %+v", e2eHistory(t, fan, up.Mid))
		}
	})
	t.Run("stays on when the fans drop", func(t *testing.T) {
		t.Parallel()
		s := testkit.Start(t, testkit.Options{})
		up, fan := e2eNewUser(s, 6001, "up"), e2eNewUser(s, 6002, "fan")
		e2eReplier(t, s, up, client.PreferenceUpdate{FollowedReply: new(1)})
		e2eSetReply(t, up, client.ReplyFollowed, "感谢关注")
		e2eFans(t, s, up.Mid, 10)
		s.Follow(fan.Mid, up.Mid, true)
		if n := len(e2eAutoReplies(t, fan, up.Mid)); n != 1 {
			t.Errorf("a switch that is on keeps working after the fans dropped: %d replies, want 1", n)
		}
		err := up.c.SetPreferences(t.Context(), client.PreferenceUpdate{FollowedReply: new(1)})
		if !client.IsCode(err, client.CodeNoPermission) {
			t.Errorf("switching on again below 1000 fans: %v, want 700009", err)
		}
	})
}

// e2eSubCard and e2eCard are the content of a works card (msg_type 16), which the client
// leaves as a string (client.Message.Content) with no type to read it into.
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
	putWorks := func(t *testing.T, s *testkit.Server, up uint64) {
		t.Helper()
		op := s.Operator()
		// 1004 is the oldest and falls off the card.
		for _, w := range []operator.Work{
			{Aid: 1001, Title: "一", Cover: "https://i0.hdslb.com/bfs/archive/1.jpg", PubDate: utc(2024, 5, 1, 12),
				Plays: 350_000_000, Danmaku: 0},
			{Aid: 1002, Bvid: "BV1xx411c7mD", Title: "二", Cover: "https://i0.hdslb.com/bfs/archive/2.jpg",
				PubDate: utc(2024, 6, 1, 20), Plays: 123_456, Danmaku: 479, Favorites: 9},
			{Aid: 1003, Title: "三", Cover: "https://i0.hdslb.com/bfs/archive/3.jpg", PubDate: utc(2024, 5, 20, 0),
				Plays: 200_000, Danmaku: 12_000},
			{Aid: 1004, Title: "四", PubDate: utc(2024, 4, 1, 0), Plays: 1},
		} {
			if _, err := op.PutWork(t.Context(), up, w); err != nil {
				t.Fatalf("put work %d of %d: %v", w.Aid, up, err)
			}
		}
	}
	start := func(t *testing.T, prefs client.PreferenceUpdate, text string, works bool) (e2eWho, e2eWho) {
		s := testkit.Start(t, testkit.Options{})
		up, fan := e2eNewUser(s, 6101, "up"), e2eNewUser(s, 6102, "fan")
		e2eReplier(t, s, up, prefs)
		if text != "" {
			e2eSetReply(t, up, client.ReplyFollowed, text)
		}
		if works {
			putWorks(t, s, up.Mid)
		}
		s.Follow(fan.Mid, up.Mid, true)
		return up, fan
	}
	cardOf := func(t *testing.T, m client.Message) e2eCard {
		t.Helper()
		var c e2eCard
		if err := json.Unmarshal([]byte(m.Content), &c); err != nil {
			t.Fatalf("card content %q: %v", m.Content, err)
		}
		return c
	}

	t.Run("after the followed reply", func(t *testing.T) {
		t.Parallel()
		up, fan := start(t, client.PreferenceUpdate{FollowedReply: new(1), RecommendFollowedReply: new(1)}, "谢谢关注", true)
		h := e2eFrom(e2eHistory(t, fan, up.Mid), up.Mid)
		if len(h) != 2 {
			t.Fatalf("fan's history from up: %+v, want the reply and the card", h)
		}
		text, card := h[1], h[0] // newest first
		if text.MsgType != client.MsgText || text.MsgSource != e2eSrcFollowed || card.MsgType != e2eTypeWorks ||
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
		if upSide := e2eFrom(e2eHistory(t, up, fan.Mid), up.Mid, e2eSrcFollowed); len(upSide) != 2 {
			t.Errorf("up's history: %+v", upSide)
		}
		if d := e2eMustDetail(t, fan, up.Mid); d.UnreadCount != 2 {
			t.Errorf("fan's unread: %d, want 2", d.UnreadCount)
		}
	})
	t.Run("no works", func(t *testing.T) {
		t.Parallel()
		up, fan := start(t, client.PreferenceUpdate{FollowedReply: new(1), RecommendFollowedReply: new(1)}, "谢谢关注", false)
		h := e2eFrom(e2eHistory(t, fan, up.Mid), up.Mid)
		if len(h) != 1 || h[0].MsgType != client.MsgText {
			t.Errorf("no works: %+v, want only the text", h)
		}
	})
	t.Run("card alone", func(t *testing.T) {
		t.Parallel()
		up, fan := start(t, client.PreferenceUpdate{FollowedReply: new(0), RecommendFollowedReply: new(1)}, "谢谢关注", true)
		h := e2eFrom(e2eHistory(t, fan, up.Mid), up.Mid)
		if len(h) != 1 || h[0].MsgType != e2eTypeWorks || h[0].MsgSource != e2eSrcFollowed {
			t.Fatalf("followed_reply off: %+v, want only the card", h)
		}
		if c := cardOf(t, h[0]); c.ReplyContent != "" || len(c.SubCards) != 3 || c.MainTitle != "更多宝藏内容" {
			t.Errorf("card without followed reply: %+v", c)
		}
	})
	t.Run("followed reply without text", func(t *testing.T) {
		t.Parallel()
		up, fan := start(t, client.PreferenceUpdate{FollowedReply: new(1), RecommendFollowedReply: new(1)}, "", true)
		h := e2eFrom(e2eHistory(t, fan, up.Mid), up.Mid)
		if len(h) != 1 || h[0].MsgType != e2eTypeWorks {
			t.Fatalf("followed_reply on without text: %+v, want only the card", h)
		}
		if c := cardOf(t, h[0]); c.ReplyContent != "" || len(c.SubCards) != 3 {
			t.Errorf("card without a followed-reply text: %+v", c)
		}
	})
	t.Run("recommend off", func(t *testing.T) {
		t.Parallel()
		up, fan := start(t, client.PreferenceUpdate{FollowedReply: new(1), RecommendFollowedReply: new(0)}, "谢谢关注", true)
		h := e2eFrom(e2eHistory(t, fan, up.Mid), up.Mid)
		if len(h) != 1 || h[0].MsgType != client.MsgText {
			t.Errorf("recommend_followed_reply off: %+v, want only the text", h)
		}
	})
}

// --- keys_reply and recv_reply ---

// e2eUpAndFan starts a server with an up who follows the fan (so the fan may write any
// number of messages).
func e2eUpAndFan(t *testing.T, opt testkit.Options, prefs client.PreferenceUpdate) (*testkit.Server, e2eWho, e2eWho) {
	t.Helper()
	s := testkit.Start(t, opt)
	up, fan := e2eNewUser(s, 6201, "up"), e2eNewUser(s, 6202, "fan")
	e2eReplier(t, s, up, prefs)
	s.Follow(up.Mid, fan.Mid, true)
	return s, up, fan
}

func TestE2EKeywordReply(t *testing.T) {
	t.Parallel()
	rules := func(t *testing.T, up e2eWho) {
		t.Helper()
		// Created oldest first; get_reply_text lists (and matching tries) newest first.
		e2eAddRule(t, up, "exact", "Hello，你好,嗨", "", "exact reply") // both separators
		e2eAddRule(t, up, "fuzzy", "", "价格", "fuzzy reply")
		e2eAddRule(t, up, "newest", "", "价格表", "newest reply")
	}
	t.Run("on", func(t *testing.T) {
		t.Parallel()
		_, up, fan := e2eUpAndFan(t, testkit.Options{}, client.PreferenceUpdate{KeysReply: new(1)})
		rules(t, up)
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
			n := len(e2eAutoReplies(t, fan, up.Mid))
			e2eSendOK(t, fan, up.Mid, tc.text)
			got := e2eAutoReplies(t, fan, up.Mid)
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
		n := len(e2eAutoReplies(t, fan, up.Mid))
		e2eSendImage(t, fan, up.Mid, "hello")
		if got := len(e2eAutoReplies(t, fan, up.Mid)); got != n {
			t.Errorf("an image got a keyword reply")
		}
	})
	t.Run("off", func(t *testing.T) {
		t.Parallel()
		_, up, fan := e2eUpAndFan(t, testkit.Options{}, client.PreferenceUpdate{KeysReply: new(0)})
		rules(t, up)
		e2eSendOK(t, fan, up.Mid, "hello")
		e2eSendOK(t, fan, up.Mid, "价格")
		if got := e2eAutoReplies(t, fan, up.Mid); len(got) != 0 {
			t.Errorf("keys_reply=0: %+v", got)
		}
	})
}

func TestE2EKeywordBeforeRecvReply(t *testing.T) {
	t.Parallel()
	_, up, fan := e2eUpAndFan(t, testkit.Options{}, client.PreferenceUpdate{KeysReply: new(1), RecvReply: new(1)})
	e2eAddRule(t, up, "price", "", "价格", "kw")
	e2eSetReply(t, up, client.ReplyReceived, "recv")
	step := func(text string, wantSource int, wantText string) {
		t.Helper()
		n := len(e2eAutoReplies(t, fan, up.Mid))
		e2eSendOK(t, fan, up.Mid, text)
		got := e2eAutoReplies(t, fan, up.Mid)
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
		s, up, fan := e2eUpAndFan(t, testkit.Options{}, client.PreferenceUpdate{RecvReply: new(1)})
		fan2 := e2eNewUser(s, 6203, "fan2")
		s.Follow(up.Mid, fan2.Mid, true)
		e2eSetReply(t, up, client.ReplyReceived, "收到，稍后回复")
		count := func(f e2eWho) int { return len(e2eFrom(e2eHistory(t, f, up.Mid), up.Mid, e2eSrcRecv)) }

		e2eSendOK(t, fan, up.Mid, "m1")
		got := e2eAutoReplies(t, fan, up.Mid)
		if len(got) != 1 || got[0].MsgSource != e2eSrcRecv || e2eTextOf(t, got[0]) != "收到，稍后回复" || got[0].MsgType != client.MsgText {
			t.Fatalf("first message: auto-replies %+v, want one msg_source 9", got)
		}
		e2eSendOK(t, fan, up.Mid, "m2")
		if n := count(fan); n != 1 {
			t.Errorf("second message within 24h: %d replies, want 1", n)
		}
		s.Advance(24*time.Hour - time.Second)
		e2eSendOK(t, fan, up.Mid, "m3")
		if n := count(fan); n != 1 {
			t.Errorf("a second before 24h: %d replies, want 1", n)
		}
		// Another talker gets their own reply meanwhile.
		e2eSendOK(t, fan2, up.Mid, "hello")
		if n := count(fan2); n != 1 {
			t.Errorf("second talker: %d replies, want 1", n)
		}
		s.Advance(time.Second)
		e2eSendOK(t, fan, up.Mid, "m4")
		if n := count(fan); n != 2 {
			t.Errorf("24h after the first reply: %d replies, want 2", n)
		}
		// fan2's period runs from its own reply.
		e2eSendOK(t, fan2, up.Mid, "again")
		if n := count(fan2); n != 1 {
			t.Errorf("second talker within its period: %d replies, want 1", n)
		}
	})
	t.Run("read state", func(t *testing.T) {
		t.Parallel()
		_, up, fan := e2eUpAndFan(t, testkit.Options{}, client.PreferenceUpdate{RecvReply: new(1)})
		e2eSetReply(t, up, client.ReplyReceived, "auto")
		e2eSendOK(t, fan, up.Mid, "hi")
		if d := e2eMustDetail(t, up, fan.Mid); d.UnreadCount != 1 || d.AckSeqno >= d.MaxSeqno {
			t.Errorf("up's session after the auto-reply: %+v, want fan's message still unread", d)
		}
		if d := e2eMustDetail(t, fan, up.Mid); d.UnreadCount != 1 {
			t.Errorf("fan's session: unread %d, want 1 (the reply)", d.UnreadCount)
		}
		if u := e2eUnreadOf(t, fan); u != (client.SingleUnread{UnfollowUnread: 1}) {
			t.Errorf("fan's unread: %+v, want unfollow 1", u)
		}
		if u := e2eUnreadOf(t, up); u != (client.SingleUnread{FollowUnread: 1}) {
			t.Errorf("up's unread: %+v, want follow 1", u)
		}
	})
	t.Run("image", func(t *testing.T) {
		t.Parallel()
		_, up, fan := e2eUpAndFan(t, testkit.Options{}, client.PreferenceUpdate{RecvReply: new(1)})
		e2eSetReply(t, up, client.ReplyReceived, "auto")
		e2eSendImage(t, fan, up.Mid, "pic")
		if got := e2eAutoReplies(t, fan, up.Mid); len(got) != 1 || got[0].MsgSource != e2eSrcRecv {
			t.Errorf("an image: auto-replies %+v, want one msg_source 9", got)
		}
	})
	t.Run("off", func(t *testing.T) {
		t.Parallel()
		_, up, fan := e2eUpAndFan(t, testkit.Options{}, client.PreferenceUpdate{RecvReply: new(0)})
		e2eSetReply(t, up, client.ReplyReceived, "auto")
		e2eSendOK(t, fan, up.Mid, "hi")
		if got := e2eAutoReplies(t, fan, up.Mid); len(got) != 0 {
			t.Errorf("recv_reply=0: %+v", got)
		}
	})
	t.Run("on without text", func(t *testing.T) {
		t.Parallel()
		_, up, fan := e2eUpAndFan(t, testkit.Options{}, client.PreferenceUpdate{RecvReply: new(1)})
		e2eSendOK(t, fan, up.Mid, "hi")
		if got := e2eAutoReplies(t, fan, up.Mid); len(got) != 0 {
			t.Errorf("recv_reply=1 without text: %+v", got)
		}
	})
}

// An auto-reply is not the up actively answering: a fan the up does not follow still
// waits for a real answer (or a follow) before writing again.
func TestE2ERecvReplyOneMessageRule(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	up, fan := e2eNewUser(s, 6301, "up"), e2eNewUser(s, 6302, "fan")
	e2eReplier(t, s, up, client.PreferenceUpdate{RecvReply: new(1)})
	e2eSetReply(t, up, client.ReplyReceived, "auto")
	e2eSendOK(t, fan, up.Mid, "hi")
	h := e2eHistory(t, fan, up.Mid)
	if len(e2eFrom(h, up.Mid, e2eSrcRecv)) != 1 || len(e2eFrom(h, fan.Mid, e2eSrcHint)) != 1 {
		t.Fatalf("fan's history: %+v, want the auto-reply and the one-message hint", h)
	}
	if err := e2eSend(t, fan, up.Mid, "hi again"); !errors.Is(err, client.ErrOneMessage) {
		t.Errorf("after an auto-reply only: %v, want 21047", err)
	}
	e2eSendOK(t, up, fan.Mid, "hello, a real answer")
	if err := e2eSend(t, fan, up.Mid, "thanks"); err != nil {
		t.Errorf("after the up answered: %v, want code 0", err)
	}
}

// --- voyage_reply ---

func TestE2EVoyageReply(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	up := e2eNewUser(s, 6401, "up")
	fan := e2eNewUser(s, 6402, "fan")
	e2eReplier(t, s, up, client.PreferenceUpdate{VoyageReply: new(0)})
	e2eSetReply(t, up, client.ReplyVoyage, "感谢上船")

	// Off: nothing.
	if e2eGuard(t, s, up.Mid, fan.Mid) {
		t.Errorf("voyage_reply=0: replied")
	}
	if _, ok := e2eDetail(t, fan, up.Mid); ok {
		t.Errorf("voyage_reply=0: fan has a session with up")
	}
	// On: a msg_source 11 text, unread for the fan.
	e2ePrefs(t, up, client.PreferenceUpdate{VoyageReply: new(1)})
	s.Follow(fan.Mid, up.Mid, true)
	if !e2eGuard(t, s, up.Mid, fan.Mid) {
		t.Fatalf("voyage_reply=1: not replied")
	}
	got := e2eAutoReplies(t, fan, up.Mid)
	if len(got) != 1 || got[0].MsgSource != e2eSrcVoyage || got[0].MsgType != client.MsgText || e2eTextOf(t, got[0]) != "感谢上船" {
		t.Errorf("voyage reply: %+v", got)
	}
	if u := e2eUnreadOf(t, fan); u != (client.SingleUnread{FollowUnread: 1}) {
		t.Errorf("fan's unread: %+v, want follow 1", u)
	}
	if up2 := e2eFrom(e2eHistory(t, up, fan.Mid), up.Mid, e2eSrcVoyage); len(up2) != 1 || up2[0].MsgKey != got[0].MsgKey {
		t.Errorf("up's history: %+v", up2)
	}
	// On without text: nothing.
	other := e2eNewUser(s, 6403, "other")
	e2eReplier(t, s, other, client.PreferenceUpdate{VoyageReply: new(1)})
	if e2eGuard(t, s, other.Mid, fan.Mid) {
		t.Errorf("voyage_reply=1 without text: replied")
	}
}

// Auto-replies obey the rules of every message between users.
func TestE2EAutoReplyRules(t *testing.T) {
	t.Parallel()
	t.Run("guard: blocks, receive_unfollow_msg, one-message rule", func(t *testing.T) {
		t.Parallel()
		s := testkit.Start(t, testkit.Options{})
		up := e2eNewUser(s, 6501, "up")
		e2eReplier(t, s, up, client.PreferenceUpdate{VoyageReply: new(1)})
		e2eSetReply(t, up, client.ReplyVoyage, "感谢上船")
		for _, tc := range []struct {
			name    string
			setup   func(fan e2eWho)
			replied bool
		}{
			{"fan blocks up", func(f e2eWho) { s.Block(f.Mid, up.Mid, true) }, false},
			{"up blocks fan", func(f e2eWho) { s.Block(up.Mid, f.Mid, true) }, false},
			{"fan refuses strangers", func(f e2eWho) { e2ePrefs(t, f, client.PreferenceUpdate{ReceiveUnfollowMsg: new(0)}) }, false},
			{"fan refuses strangers but follows up", func(f e2eWho) {
				e2ePrefs(t, f, client.PreferenceUpdate{ReceiveUnfollowMsg: new(0)})
				s.Follow(f.Mid, up.Mid, true)
			}, true},
			{"nothing special", func(e2eWho) {}, true},
		} {
			fan := e2eNewUser(s, 0, "fan")
			tc.setup(fan)
			if got := e2eGuard(t, s, up.Mid, fan.Mid); got != tc.replied {
				t.Errorf("%s: replied %v, want %v", tc.name, got, tc.replied)
			}
			if n := len(e2eFrom(e2eHistory(t, up, fan.Mid), up.Mid, e2eSrcVoyage)); n != map[bool]int{true: 1}[tc.replied] {
				t.Errorf("%s: %d voyage replies stored", tc.name, n)
			}
		}
		// The auto-reply counts as up's one message to a fan who neither follows up nor
		// wrote to up: a second one is refused (and skipped).
		fan := e2eNewUser(s, 0, "fan")
		if !e2eGuard(t, s, up.Mid, fan.Mid) {
			t.Fatalf("first guard: not replied")
		}
		if e2eGuard(t, s, up.Mid, fan.Mid) {
			t.Errorf("second guard to a fan who neither follows nor wrote: replied, want refused by 21047")
		}
		// Once the fan follows up, it is delivered again.
		s.Follow(fan.Mid, up.Mid, true)
		if !e2eGuard(t, s, up.Mid, fan.Mid) {
			t.Errorf("guard after the fan followed: not replied")
		}
	})
	t.Run("receive_unfollow_msg exception", func(t *testing.T) {
		t.Parallel()
		s := testkit.Start(t, testkit.Options{})
		up, fan := e2eNewUser(s, 6601, "up"), e2eNewUser(s, 6602, "fan")
		e2eReplier(t, s, up, client.PreferenceUpdate{RecvReply: new(1)})
		e2eSetReply(t, up, client.ReplyReceived, "auto")
		e2ePrefs(t, fan, client.PreferenceUpdate{ReceiveUnfollowMsg: new(0)})
		// fan does not follow up but wrote to up: the reply is delivered.
		e2eSendOK(t, fan, up.Mid, "hi")
		if got := e2eAutoReplies(t, fan, up.Mid); len(got) != 1 {
			t.Errorf("fan refuses strangers but wrote first: auto-replies %+v, want 1", got)
		}
	})
	t.Run("fan's block words", func(t *testing.T) {
		t.Parallel()
		s := testkit.Start(t, testkit.Options{})
		up := e2eNewUser(s, 6701, "up")
		stranger, follower := e2eNewUser(s, 6702, "stranger"), e2eNewUser(s, 6703, "follower")
		e2eReplier(t, s, up, client.PreferenceUpdate{RecvReply: new(1)})
		e2eSetReply(t, up, client.ReplyReceived, "感谢来信")
		s.Follow(follower.Mid, up.Mid, true)
		for _, f := range []e2eWho{stranger, follower} {
			e2eAddBlockWord(t, f, "感谢")
			e2eSendOK(t, f, up.Mid, "hi")
			if got := e2eAutoReplies(t, f, up.Mid); len(got) != 1 {
				t.Fatalf("%d: auto-replies %+v, want 1", f.Mid, got)
			}
		}
		// The fan who does not follow up gets the reply in the dustbin.
		e2eWantDustbin(t, stranger, up.Mid)
		if u := e2eUnreadOf(t, stranger); u != (client.SingleUnread{DustbinUnread: 1}) {
			t.Errorf("stranger's unread: %+v, want dustbin 1", u)
		}
		// The follower does not.
		e2eWantInbox(t, follower, up.Mid)
		if u := e2eUnreadOf(t, follower); u != (client.SingleUnread{FollowUnread: 1}) {
			t.Errorf("follower's unread: %+v, want follow 1", u)
		}
	})
	t.Run("fan's smart interception", func(t *testing.T) {
		t.Parallel()
		s := testkit.Start(t, testkit.Options{})
		up := e2eNewUser(s, 6801, "up")
		on, off := e2eNewUser(s, 6802, "on"), e2eNewUser(s, 6803, "off")
		e2eReplier(t, s, up, client.PreferenceUpdate{VoyageReply: new(1)})
		e2eSetReply(t, up, client.ReplyVoyage, "舰长群见 https://example.com/join")
		e2ePrefs(t, on, client.PreferenceUpdate{AIIntercept: new(1)})
		if !e2eGuard(t, s, up.Mid, on.Mid) || !e2eGuard(t, s, up.Mid, off.Mid) {
			t.Fatalf("guard replies not sent")
		}
		e2eWantDustbin(t, on, up.Mid)
		e2eWantInbox(t, off, up.Mid)
	})
}

// Only a user's own send, a follow and a guard purchase trigger auto-replies: two
// auto-replying users do not loop.
func TestE2ENoAutoReplyLoop(t *testing.T) {
	t.Parallel()
	// A period of 1ns: recv_reply would answer every message, so only the rule stops a loop.
	s := testkit.Start(t, testkit.Options{Rules: im.Config{RecvReplyPeriod: time.Nanosecond}})
	a, b := e2eNewUser(s, 6901, "a"), e2eNewUser(s, 6902, "b")
	for _, u := range []e2eWho{a, b} {
		e2eReplier(t, s, u, client.PreferenceUpdate{KeysReply: new(1), RecvReply: new(1), FollowedReply: new(1)})
		e2eAddRule(t, u, "hi", "", "hi", fmt.Sprintf("hi from %d", u.Mid))
		e2eSetReply(t, u, client.ReplyReceived, fmt.Sprintf("recv from %d", u.Mid))
	}
	autos := func() []client.Message {
		h := e2eHistory(t, a, b.Mid)
		return append(e2eFrom(h, a.Mid, e2eSrcFollowed, e2eSrcRecv, e2eSrcKeyword, e2eSrcVoyage),
			e2eFrom(h, b.Mid, e2eSrcFollowed, e2eSrcRecv, e2eSrcKeyword, e2eSrcVoyage)...)
	}
	e2eSendOK(t, a, b.Mid, "hi")
	got := autos()
	if len(got) != 1 || got[0].SenderUID != b.Mid || got[0].MsgSource != e2eSrcKeyword || e2eTextOf(t, got[0]) != fmt.Sprintf("hi from %d", b.Mid) {
		t.Fatalf("one message: auto-replies %+v, want exactly b's keyword reply", got)
	}
	e2eSendOK(t, b, a.Mid, "hi")
	if got := autos(); len(got) != 2 || got[0].SenderUID != a.Mid {
		t.Errorf("b's message: auto-replies %+v, want exactly one more, from a", got)
	}
}

// No auto-reply answers a message that went to the dustbin, or a recall.
func TestE2ENoAutoReplyToDustbinOrRecall(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{Rules: im.Config{RecvReplyPeriod: time.Nanosecond}})
	up := e2eNewUser(s, 7001, "up")
	e2eReplier(t, s, up, client.PreferenceUpdate{RecvReply: new(1), KeysReply: new(1), AIIntercept: new(1)})
	e2eSetReply(t, up, client.ReplyReceived, "auto")
	e2eAddRule(t, up, "spam", "", "spam", "kw")
	e2eAddBlockWord(t, up, "spam")

	// A block word: dustbin, no reply (neither keyword nor received-message).
	a := e2eNewUser(s, 7002, "a")
	e2eSendOK(t, a, up.Mid, "spam here")
	e2eWantDustbin(t, up, a.Mid)
	if got := e2eAutoReplies(t, a, up.Mid); len(got) != 0 {
		t.Errorf("a message in the dustbin got auto-replies: %+v", got)
	}
	// A later clean message in the intercepted session: still no reply.
	e2eSendOK(t, up, a.Mid, "hm?")
	e2eSendOK(t, a, up.Mid, "clean now")
	e2eWantDustbin(t, up, a.Mid)
	if got := e2eAutoReplies(t, a, up.Mid); len(got) != 0 {
		t.Errorf("a message into an intercepted session got auto-replies: %+v", got)
	}
	// The smart interception: dustbin, no reply.
	d := e2eNewUser(s, 7003, "d")
	e2eSendOK(t, d, up.Mid, "https://example.com")
	e2eWantDustbin(t, up, d.Mid)
	if got := e2eAutoReplies(t, d, up.Mid); len(got) != 0 {
		t.Errorf("a smart-intercepted message got auto-replies: %+v", got)
	}
	// Control: a clean stranger gets the reply.
	c := e2eNewUser(s, 7004, "c")
	e2eSendOK(t, c, up.Mid, "hello")
	if got := e2eAutoReplies(t, c, up.Mid); len(got) != 1 {
		t.Errorf("a clean message: auto-replies %+v, want 1", got)
	}
	// A recall gets no reply, though recv_reply answers every message here.
	f := e2eNewUser(s, 7005, "f")
	s.Follow(up.Mid, f.Mid, true)
	k := e2eSendOK(t, f, up.Mid, "oops")
	if got := e2eAutoReplies(t, f, up.Mid); len(got) != 1 {
		t.Fatalf("f's message: auto-replies %+v, want 1", got)
	}
	if _, err := f.c.Recall(t.Context(), client.User(up.Mid), k); err != nil {
		t.Fatalf("recall: %v", err)
	}
	if got := e2eAutoReplies(t, f, up.Mid); len(got) != 1 {
		t.Errorf("a recall got an auto-reply: %+v", got)
	}
}

// send_msg answers the same with or without auto-replies, and the reply exists as soon
// as send_msg has answered.
func TestE2ESendAnswerWithAutoReply(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	fan := e2eNewUser(s, 7101, "fan")
	plain := e2eNewUser(s, 7102, "plain")
	up := e2eNewUser(s, 7103, "up")
	e2eReplier(t, s, up, client.PreferenceUpdate{KeysReply: new(1), RecvReply: new(1)})
	e2eAddRule(t, up, "hi", "", "你好", "kw")

	// Sent raw: the two answers are compared key for key and byte for byte, which the
	// typed client.SendResult cannot show (it drops keys it does not know and reads an
	// absent one as empty).
	answer := func(to uint64) (map[string]json.RawMessage, uint64) {
		t.Helper()
		r := s.Post(fan.User, testkit.PathSendMsg, testkit.SendForm(fan.Mid, to, 1, testkit.Text("你好[doge]")))
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
	h := e2eHistory(t, fan, up.Mid)
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
	up := e2eNewUser(s, 7201, "up")
	e2eReplier(t, s, up, client.PreferenceUpdate{RecvReply: new(1)})
	e2eSetReply(t, up, client.ReplyReceived, "auto")
	for i := range 4 {
		fan := e2eNewUser(s, uint64(7210+i), "fan")
		e2eSendOK(t, fan, up.Mid, "hi")
		if got := e2eAutoReplies(t, fan, up.Mid); len(got) != 1 {
			t.Errorf("fan %d: auto-replies %+v, want 1 (replies are not rate-limited)", i, got)
		}
	}
	// up's own allowance (2 per minute) is untouched by the 4 replies, and in force.
	other := e2eNewUser(s, 7220, "other")
	s.Follow(other.Mid, up.Mid, true) // other follows up: no one-message rule for up
	for i := range 2 {
		if err := e2eSend(t, up, other.Mid, "mine"); err != nil {
			t.Errorf("up's own send %d: %v, want code 0", i, err)
		}
	}
	if err := e2eSend(t, up, other.Mid, "third"); !errors.Is(err, client.ErrRateLimited) {
		t.Errorf("up's third send within the window: %v, want 21020", err)
	}
}
