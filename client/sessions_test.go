package client_test

// End-to-end tests of the session calls (P1–P16) against an in-process bilimsg.

import (
	"encoding/json"
	"slices"
	"strconv"
	"testing"

	"github.com/bilimsg/bilimsg/client"
	"github.com/bilimsg/bilimsg/internal/testkit"
)

// sdkInbox is a user (me) with a followed talker f who wrote twice and a stranger x who
// wrote once.
type sdkInbox struct {
	s        *testkit.Server
	me, f, x testkit.User
	c        *client.Client // me
	fKeys    []uint64       // f's messages, oldest first
	xKey     uint64
}

func sdkNewInbox(t *testing.T) *sdkInbox {
	t.Helper()
	s := testkit.Start(t, testkit.Options{})
	in := &sdkInbox{s: s, me: s.NewUser(0, "me"), f: s.NewUser(0, "friend"), x: s.NewUser(0, "stranger")}
	s.Follow(in.me.Mid, in.f.Mid, true)
	in.c = s.Client(in.me)
	fc, xc := s.Client(in.f), s.Client(in.x)
	in.fKeys = []uint64{sdkText(t, fc, client.User(in.me.Mid), "hello"), sdkText(t, fc, client.User(in.me.Mid), "are you there?")}
	in.xKey = sdkText(t, xc, client.User(in.me.Mid), "hi from a stranger")
	return in
}

// find returns the session with t in sessions.
func sdkFind(sessions []client.Session, t client.Talker) (client.Session, bool) {
	for _, s := range sessions {
		if s.Talker() == t {
			return s, true
		}
	}
	return client.Session{}, false
}

func sdkTalkers(sessions []client.Session) []client.Talker {
	var out []client.Talker
	for _, s := range sessions {
		out = append(out, s.Talker())
	}
	return out
}

func TestSingleUnreadAndDustbin(t *testing.T) {
	t.Parallel()
	in := sdkNewInbox(t)
	ctx := t.Context()
	check := func(what string, opt client.UnreadOptions, want client.SingleUnread) {
		t.Helper()
		got := sdkMust(in.c.SingleUnread(ctx, opt))(t)
		if *got != want {
			t.Errorf("%s: SingleUnread(%+v) = %+v, want %+v", what, opt, *got, want)
		}
	}
	check("start", client.UnreadOptions{}, client.SingleUnread{FollowUnread: 2, UnfollowUnread: 1})
	check("start", client.UnreadOptions{UnreadType: 1}, client.SingleUnread{FollowUnread: 2})
	check("start", client.UnreadOptions{UnreadType: 2}, client.SingleUnread{UnfollowUnread: 1})

	// A stranger's text with one of my block words lands in the dustbin.
	sdkOK(t, in.c.AddBlockWord(ctx, "spam"))
	y := in.s.NewUser(0, "spammer")
	yKey := sdkText(t, in.s.Client(y), client.User(in.me.Mid), "cheap SPAM here")
	check("intercepted", client.UnreadOptions{}, client.SingleUnread{FollowUnread: 2, UnfollowUnread: 1})
	check("intercepted", client.UnreadOptions{ShowDustbin: true}, client.SingleUnread{FollowUnread: 2, UnfollowUnread: 1, DustbinUnread: 1})
	check("intercepted", client.UnreadOptions{UnreadType: 3, ShowDustbin: true}, client.SingleUnread{DustbinUnread: 1})
	d := sdkMust(in.c.SessionDetail(ctx, client.User(y.Mid)))(t)
	if d.IsIntercept != 1 || d.IsTrust != 0 || d.UnreadCount != 1 {
		t.Errorf("intercepted session: is_intercept %d is_trust %d unread %d", d.IsIntercept, d.IsTrust, d.UnreadCount)
	}
	bin := sdkMust(in.c.Sessions(ctx, client.SessionsOptions{Category: client.CategoryDustbin}))(t)
	if got := sdkTalkers(bin.Sessions); !slices.Equal(got, []client.Talker{client.User(y.Mid)}) {
		t.Errorf("dustbin lists %v, want the spammer only", got)
	}
	all := sdkMust(in.c.Sessions(ctx, client.SessionsOptions{}))(t)
	if _, ok := sdkFind(all.Sessions, client.User(y.Mid)); ok {
		t.Errorf("an intercepted session is listed in category 4")
	}

	// AckDustbin reads it; ClearDustbin removes it from the list, not from history.
	sdkOK(t, in.c.AckDustbin(ctx))
	check("dustbin acked", client.UnreadOptions{ShowDustbin: true}, client.SingleUnread{FollowUnread: 2, UnfollowUnread: 1})
	if d := sdkMust(in.c.SessionDetail(ctx, client.User(y.Mid)))(t); d.UnreadCount != 0 || d.AckSeqno != d.MaxSeqno {
		t.Errorf("after AckDustbin: unread %d ack %d max %d", d.UnreadCount, d.AckSeqno, d.MaxSeqno)
	}
	if d := sdkMust(in.c.SessionDetail(ctx, client.User(in.x.Mid)))(t); d.UnreadCount != 1 {
		t.Errorf("AckDustbin read a session outside the dustbin: unread %d", d.UnreadCount)
	}
	sdkOK(t, in.c.ClearDustbin(ctx))
	if bin := sdkMust(in.c.Sessions(ctx, client.SessionsOptions{Category: client.CategoryDustbin}))(t); len(bin.Sessions) != 0 {
		t.Errorf("dustbin after ClearDustbin: %v", sdkTalkers(bin.Sessions))
	}
	h := sdkMust(in.c.Messages(ctx, client.User(y.Mid), client.HistoryOptions{}))(t)
	if len(h.Messages) != 1 || h.Messages[0].MsgKey != yKey {
		t.Errorf("history after ClearDustbin: %+v", h.Messages)
	}
}

// TestSetIntercept: update_intercept (P14) takes talker_id (the client once sent
// talker_uid, which bilimsg answers -400).
func TestSetIntercept(t *testing.T) {
	t.Parallel()
	in := sdkNewInbox(t)
	ctx := t.Context()
	sdkOK(t, in.c.SetIntercept(ctx, in.x.Mid, true))
	d := sdkMust(in.c.SessionDetail(ctx, client.User(in.x.Mid)))(t)
	if d.IsIntercept != 1 || d.IsTrust != 0 {
		t.Errorf("after SetIntercept(true): is_intercept %d is_trust %d", d.IsIntercept, d.IsTrust)
	}
	want := client.SingleUnread{FollowUnread: 2, DustbinUnread: 1}
	if u := sdkMust(in.c.SingleUnread(ctx, client.UnreadOptions{ShowDustbin: true}))(t); *u != want {
		t.Errorf("single_unread after intercepting the stranger: %+v, want %+v", *u, want)
	}
	bin := sdkMust(in.c.Sessions(ctx, client.SessionsOptions{Category: client.CategoryDustbin}))(t)
	if got := sdkTalkers(bin.Sessions); !slices.Equal(got, []client.Talker{client.User(in.x.Mid)}) {
		t.Errorf("dustbin lists %v, want the stranger", got)
	}
	sdkOK(t, in.c.SetIntercept(ctx, in.x.Mid, false))
	if d := sdkMust(in.c.SessionDetail(ctx, client.User(in.x.Mid)))(t); d.IsIntercept != 0 || d.IsTrust != 1 {
		t.Errorf("after SetIntercept(false): is_intercept %d is_trust %d", d.IsIntercept, d.IsTrust)
	}
}

func TestSessionsCategoriesAndDetail(t *testing.T) {
	t.Parallel()
	in := sdkNewInbox(t)
	ctx := t.Context()
	gid := in.s.NewGroup(in.f.Mid, "friends")
	in.s.Join(gid, in.me.Mid)

	all := sdkMust(in.c.Sessions(ctx, client.SessionsOptions{Category: client.CategoryAll}))(t)
	if !all.ShowLevel || all.HasMore != 0 || all.IsAddressListEmpty != 0 || all.SystemMsg != nil {
		t.Errorf("page flags: show_level %v has_more %d address_empty %d system_msg %v", all.ShowLevel, all.HasMore,
			all.IsAddressListEmpty, all.SystemMsg)
	}
	// Newest first: the group (joined last), the stranger, the friend.
	want := []client.Talker{client.Group(gid), client.User(in.x.Mid), client.User(in.f.Mid)}
	if got := sdkTalkers(all.Sessions); !slices.Equal(got, want) {
		t.Fatalf("category 4: %v, want %v", got, want)
	}
	for i := 1; i < len(all.Sessions); i++ {
		if all.Sessions[i-1].SessionTs <= all.Sessions[i].SessionTs {
			t.Errorf("session_ts not descending at %d", i)
		}
	}
	f, _ := sdkFind(all.Sessions, client.User(in.f.Mid))
	if f.SessionType != client.SessionUser || f.IsFollow != 1 || f.UnreadCount != 2 || f.LastMsg == nil ||
		f.LastMsg.MsgKey != in.fKeys[1] || f.MaxSeqno != f.LastMsg.MsgSeqno || f.AckSeqno != 0 || f.TopTs != 0 ||
		f.SessionTs/1_000_000 != testkit.Epoch.Unix() || f.SystemMsgType != 0 || f.AccountInfo != nil {
		t.Errorf("friend's session: %+v", f)
	}
	if text, ok := f.LastMsg.Text(); !ok || text != "are you there?" {
		t.Errorf("friend's last message text %q %v", text, ok)
	}
	x, _ := sdkFind(all.Sessions, client.User(in.x.Mid))
	if x.IsFollow != 0 || x.UnreadCount != 1 || x.LastMsg == nil || x.LastMsg.MsgKey != in.xKey {
		t.Errorf("stranger's session: %+v", x)
	}
	g, _ := sdkFind(all.Sessions, client.Group(gid))
	if g.SessionType != client.SessionGroup || g.GroupName != "friends" || g.IsFollow != 0 || g.LastMsg == nil ||
		g.LastMsg.MsgType < client.MsgGroupSystem || g.LastMsg.SenderUID != 0 {
		t.Errorf("group session: %+v (last %+v)", g, g.LastMsg)
	}

	// Categories.
	cats := map[int][]client.Talker{
		// 1 is 4 unless folded (docs/settings.md); the client's comment says "users I follow".
		client.CategoryFollowed:   want,
		client.CategoryUnfollowed: {client.User(in.x.Mid)},
		client.CategoryGroups:     {client.Group(gid)},
		client.CategoryStrangers:  {client.User(in.x.Mid)},
		client.CategoryFollowing:  {client.User(in.f.Mid)},
		client.CategoryDustbin:    nil,
		client.CategorySystem:     nil,
	}
	for cat, want := range cats {
		p := sdkMust(in.c.Sessions(ctx, client.SessionsOptions{Category: cat}))(t)
		if got := sdkTalkers(p.Sessions); !slices.Equal(got, want) {
			t.Errorf("category %d: %v, want %v", cat, got, want)
		}
	}
	// Folding, size and bounds.
	yes := true
	folded := sdkMust(in.c.Sessions(ctx, client.SessionsOptions{UnfollowFold: &yes, GroupFold: &yes}))(t)
	if got := sdkTalkers(folded.Sessions); !slices.Equal(got, []client.Talker{client.User(in.f.Mid)}) {
		t.Errorf("folded category 4: %v", got)
	}
	one := sdkMust(in.c.Sessions(ctx, client.SessionsOptions{Size: 1}))(t)
	if len(one.Sessions) != 1 || one.HasMore != 1 || one.Sessions[0].Talker() != client.Group(gid) {
		t.Errorf("size 1: %v has_more %d", sdkTalkers(one.Sessions), one.HasMore)
	}
	older := sdkMust(in.c.Sessions(ctx, client.SessionsOptions{EndTs: g.SessionTs, BeginTs: f.SessionTs}))(t)
	if got := sdkTalkers(older.Sessions); !slices.Equal(got, []client.Talker{client.User(in.x.Mid)}) {
		t.Errorf("between the friend and the group (exclusive): %v", got)
	}

	// SessionDetail answers the same objects.
	for _, want := range all.Sessions {
		d := sdkMust(in.c.SessionDetail(ctx, want.Talker()))(t)
		if d.TalkerID != want.TalkerID || d.SessionType != want.SessionType || d.MaxSeqno != want.MaxSeqno ||
			d.SessionTs != want.SessionTs || d.UnreadCount != want.UnreadCount || d.LastMsg == nil ||
			d.LastMsg.MsgKey != want.LastMsg.MsgKey || d.GroupName != want.GroupName {
			t.Errorf("SessionDetail(%v) = %+v, want %+v", want.Talker(), d, want)
		}
	}

	// The exact uint64s match what the server writes.
	raw := sdkRaw(t, in.s, in.me, testkit.PathSessionDetail, map[string][]string{"talker_id": {sdkU64(in.f.Mid)}, "session_type": {"1"}})
	last := raw["last_msg"].(map[string]any)
	if last["msg_key"].(json.Number).String() != sdkU64(in.fKeys[1]) ||
		raw["max_seqno"].(json.Number).String() != sdkU64(f.MaxSeqno) {
		t.Errorf("raw session_detail msg_key %v max_seqno %v; the client read %d, %d", last["msg_key"], raw["max_seqno"],
			in.fKeys[1], f.MaxSeqno)
	}
}

func TestNewSessions(t *testing.T) {
	t.Parallel()
	in := sdkNewInbox(t)
	ctx := t.Context()
	all := sdkMust(in.c.NewSessions(ctx, 0, 0))(t)
	if got := sdkTalkers(all.Sessions); !slices.Equal(got, []client.Talker{client.User(in.x.Mid), client.User(in.f.Mid)}) {
		t.Fatalf("new_sessions from 0: %v", got)
	}
	if all.ShowLevel || all.SystemMsg != nil {
		t.Errorf("new_sessions: show_level %v system_msg %v", all.ShowLevel, all.SystemMsg)
	}
	newest := all.Sessions[0].SessionTs
	if p := sdkMust(in.c.NewSessions(ctx, newest, 20))(t); len(p.Sessions) != 0 || p.HasMore != 0 {
		t.Errorf("new_sessions after the newest: %v", sdkTalkers(p.Sessions))
	}
	one := sdkMust(in.c.NewSessions(ctx, 0, 1))(t)
	if len(one.Sessions) != 1 || one.HasMore != 1 {
		t.Errorf("new_sessions size 1: %d sessions has_more %d", len(one.Sessions), one.HasMore)
	}
	// A new message moves the friend's session after the cursor.
	sdkText(t, in.s.Client(in.f), client.User(in.me.Mid), "third")
	p := sdkMust(in.c.NewSessions(ctx, newest, 0))(t)
	if got := sdkTalkers(p.Sessions); !slices.Equal(got, []client.Talker{client.User(in.f.Mid)}) || p.Sessions[0].UnreadCount != 3 {
		t.Errorf("new_sessions after a new message: %v", got)
	}
}

func TestIsLimitDNDAndPushSetting(t *testing.T) {
	t.Parallel()
	in := sdkNewInbox(t)
	ctx := t.Context()
	gid := in.s.NewGroup(in.f.Mid, "g")
	in.s.Join(gid, in.me.Mid)

	if l := sdkMust(in.c.IsLimit(ctx, in.f.Mid, 1))(t); *l != (client.Limit{}) {
		t.Errorf("IsLimit = %+v, want 0/0", *l)
	}

	dnd := sdkMust(in.c.MsgDND(ctx, []uint64{in.f.Mid}, []uint64{gid}))(t)
	if !slices.Equal(dnd.UIDSettings, []client.DNDSetting{{ID: in.f.Mid}}) || !slices.Equal(dnd.GroupSettings, []client.DNDSetting{{ID: gid}}) {
		t.Errorf("DND before: %+v", dnd)
	}
	sdkOK(t, in.c.SetDND(ctx, client.User(in.f.Mid), true))
	sdkOK(t, in.c.SetDND(ctx, client.Group(gid), true))
	dnd = sdkMust(in.c.MsgDND(ctx, []uint64{in.f.Mid}, nil))(t)
	if !slices.Equal(dnd.UIDSettings, []client.DNDSetting{{ID: in.f.Mid, Setting: 1}}) || dnd.GroupSettings != nil {
		t.Errorf("DND of the user after SetDND: %+v", dnd)
	}
	dnd = sdkMust(in.c.MsgDND(ctx, nil, []uint64{gid}))(t)
	if dnd.UIDSettings != nil || !slices.Equal(dnd.GroupSettings, []client.DNDSetting{{ID: gid, Setting: 1}}) {
		t.Errorf("DND of the group after SetDND: %+v", dnd)
	}
	if d := sdkMust(in.c.SessionDetail(ctx, client.User(in.f.Mid)))(t); d.IsDnd != 1 {
		t.Errorf("session is_dnd %d after SetDND", d.IsDnd)
	}
	if d := sdkMust(in.c.SessionDetail(ctx, client.Group(gid)))(t); d.IsDnd != 1 {
		t.Errorf("group session is_dnd %d after SetDND", d.IsDnd)
	}
	sdkOK(t, in.c.SetDND(ctx, client.User(in.f.Mid), false))
	if dnd := sdkMust(in.c.MsgDND(ctx, []uint64{in.f.Mid}, nil))(t); dnd.UIDSettings[0].Setting != 0 {
		t.Errorf("DND after turning it off: %+v", dnd)
	}

	ps := sdkMust(in.c.SessionPushSetting(ctx, in.f.Mid))(t)
	if *ps != (client.PushSetting{FollowStatus: 2, ShowPushSetting: 1}) {
		t.Errorf("push setting of a followed talker: %+v", *ps)
	}
	if ps := sdkMust(in.c.SessionPushSetting(ctx, in.x.Mid))(t); ps.FollowStatus != 0 {
		t.Errorf("follow_status of a stranger: %+v", *ps)
	}
	sdkOK(t, in.c.SetPushSetting(ctx, in.f.Mid, 1))
	if ps := sdkMust(in.c.SessionPushSetting(ctx, in.f.Mid))(t); ps.PushSetting != 1 {
		t.Errorf("push_setting after SetPushSetting(1): %+v", *ps)
	}
	if d := sdkMust(in.c.SessionDetail(ctx, client.User(in.f.Mid)))(t); d.Setting != 1 {
		t.Errorf("session setting %d after SetPushSetting(1)", d.Setting)
	}
}

func TestAck(t *testing.T) {
	t.Parallel()
	in := sdkNewInbox(t)
	ctx := t.Context()
	h := sdkMust(in.c.Messages(ctx, client.User(in.f.Mid), client.HistoryOptions{}))(t)
	first := h.Messages[1].MsgSeqno // oldest
	sdkOK(t, in.c.Ack(ctx, client.User(in.f.Mid), first))
	d := sdkMust(in.c.SessionDetail(ctx, client.User(in.f.Mid)))(t)
	if d.UnreadCount != 1 || d.AckSeqno != first || d.AckTs == 0 {
		t.Errorf("after acking the first message: unread %d ack_seqno %d (want %d) ack_ts %d", d.UnreadCount, d.AckSeqno, first, d.AckTs)
	}
	sdkOK(t, in.c.Ack(ctx, client.User(in.f.Mid), 0)) // everything
	d = sdkMust(in.c.SessionDetail(ctx, client.User(in.f.Mid)))(t)
	if d.UnreadCount != 0 || d.AckSeqno != d.MaxSeqno {
		t.Errorf("after Ack(0): unread %d ack_seqno %d max %d", d.UnreadCount, d.AckSeqno, d.MaxSeqno)
	}
	if u := sdkMust(in.c.SingleUnread(ctx, client.UnreadOptions{}))(t); u.FollowUnread != 0 || u.UnfollowUnread != 1 {
		t.Errorf("single_unread after acking the friend: %+v", *u)
	}
}

func TestMyGroupUnreadAndGroupAck(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	owner, me := s.NewUser(0, "owner"), s.NewUser(0, "member")
	gid := s.NewGroup(owner.Mid, "g")
	s.Join(gid, me.Mid)
	c := s.Client(me)
	ctx := t.Context()
	if n := sdkMust(c.MyGroupUnread(ctx))(t); n != 0 {
		t.Errorf("my_group_unread before any message: %d", n)
	}
	oc := s.Client(owner)
	for _, text := range []string{"one", "two", "three"} {
		sdkText(t, oc, client.Group(gid), text)
	}
	if n := sdkMust(c.MyGroupUnread(ctx))(t); n != 3 {
		t.Errorf("my_group_unread after 3 messages: %d", n)
	}
	sdkOK(t, c.Ack(ctx, client.Group(gid), 0))
	if n := sdkMust(c.MyGroupUnread(ctx))(t); n != 0 {
		t.Errorf("my_group_unread after Ack: %d", n)
	}
	// Single unread never counts groups.
	if u := sdkMust(c.SingleUnread(ctx, client.UnreadOptions{}))(t); *u != (client.SingleUnread{}) {
		t.Errorf("single_unread of a group member: %+v", *u)
	}
}

func TestRemoveSessionAndSetTop(t *testing.T) {
	t.Parallel()
	in := sdkNewInbox(t)
	ctx := t.Context()
	sdkOK(t, in.c.SetTop(ctx, client.User(in.f.Mid), true))
	d := sdkMust(in.c.SessionDetail(ctx, client.User(in.f.Mid)))(t)
	if d.TopTs == 0 {
		t.Errorf("top_ts 0 after SetTop(true)")
	}
	p := sdkMust(in.c.Sessions(ctx, client.SessionsOptions{}))(t)
	if s, _ := sdkFind(p.Sessions, client.User(in.f.Mid)); s.TopTs != d.TopTs {
		t.Errorf("listed top_ts %d, detail %d", s.TopTs, d.TopTs)
	}
	sdkOK(t, in.c.SetTop(ctx, client.User(in.f.Mid), false))
	if d := sdkMust(in.c.SessionDetail(ctx, client.User(in.f.Mid)))(t); d.TopTs != 0 {
		t.Errorf("top_ts %d after SetTop(false)", d.TopTs)
	}

	sdkOK(t, in.c.RemoveSession(ctx, client.User(in.f.Mid)))
	p = sdkMust(in.c.Sessions(ctx, client.SessionsOptions{}))(t)
	if _, ok := sdkFind(p.Sessions, client.User(in.f.Mid)); ok {
		t.Errorf("a removed session is listed: %v", sdkTalkers(p.Sessions))
	}
	if d := sdkMust(in.c.SessionDetail(ctx, client.User(in.f.Mid)))(t); d.UnreadCount != 0 {
		t.Errorf("a removed session keeps %d unread", d.UnreadCount)
	}
	if h := sdkMust(in.c.Messages(ctx, client.User(in.f.Mid), client.HistoryOptions{}))(t); len(h.Messages) != 2 {
		t.Errorf("history after RemoveSession: %d messages, want 2", len(h.Messages))
	}
	// The next message brings it back.
	key := sdkText(t, in.s.Client(in.f), client.User(in.me.Mid), "back again")
	p = sdkMust(in.c.Sessions(ctx, client.SessionsOptions{}))(t)
	if s, ok := sdkFind(p.Sessions, client.User(in.f.Mid)); !ok || s.UnreadCount != 1 || s.LastMsg.MsgKey != key {
		t.Errorf("after a new message: listed %v, %+v", ok, s)
	}
}

func sdkU64(v uint64) string { return strconv.FormatUint(v, 10) }
