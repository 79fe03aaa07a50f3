package client_test

// End-to-end tests of the notification feeds (N1 on both URLs, N2 replies, @, likes,
// system notices), with notifications posted through the operator API.

import (
	"slices"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/client"
	"github.com/bilimsg/bilimsg/client/operator"
	"github.com/bilimsg/bilimsg/internal/testkit"
)

const sdkBigSubject = 1073543151725051921 // above 2^53, catalog N2's example

// sdkNotice is a notice from actor; item is the liked item for likes.
func sdkNotice(actor, item uint64, text string) operator.Notice {
	return operator.Notice{Actor: actor, Type: "reply", BusinessID: 1, Business: "评论", Title: "我的视频",
		URI: "https://www.bilibili.com/video/BV1xx411c7mD", NativeURI: "bilibili://video/170001", SubjectID: sdkBigSubject,
		RootID: 11, SourceID: 22, TargetID: 33, ItemID: item, Source: text, RootText: "root", TargetText: "target"}
}

// sdkNotify posts a notice that must be delivered and returns its id.
func sdkNotify(t *testing.T, s *testkit.Server, to uint64, feed string, n operator.Notice) uint64 {
	t.Helper()
	p, err := s.Operator().Notify(t.Context(), to, feed, n)
	if err != nil || !p.Delivered || p.ID == 0 {
		t.Fatalf("notify %d (%s): %+v, %v", to, feed, p, err)
	}
	return p.ID
}

func sdkNotifySystem(t *testing.T, s *testkit.Server, to uint64, title string) uint64 {
	t.Helper()
	p, err := s.Operator().NotifySystem(t.Context(), to, operator.SystemNotice{Title: title, Content: "内容 " + title,
		Link: "https://www.bilibili.com/blackboard/" + title})
	if err != nil || !p.Delivered {
		t.Fatalf("notify system %d: %+v, %v", to, p, err)
	}
	return p.ID
}

func TestFeedUnread(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	me, actor, other := s.NewUser(0, "me"), s.NewUser(0, "actor"), s.NewUser(0, "other")
	c := s.Client(me)
	ctx := t.Context()
	zero := sdkMust(c.FeedUnread(ctx))(t)
	if zero.SysMsgStyle == nil || *zero.SysMsgStyle != 1 {
		t.Errorf("sys_msg_style %v, want 1", zero.SysMsgStyle)
	}
	z := *zero
	z.SysMsgStyle = nil
	if z != (client.FeedUnread{}) {
		t.Errorf("no notifications: %+v", z)
	}
	sdkNotify(t, s, me.Mid, "reply", sdkNotice(actor.Mid, 0, "r1"))
	sdkNotify(t, s, me.Mid, "reply", sdkNotice(actor.Mid, 0, "r2"))
	sdkNotify(t, s, me.Mid, "at", sdkNotice(actor.Mid, 0, "@me"))
	sdkNotify(t, s, me.Mid, "like", sdkNotice(actor.Mid, 5, ""))
	sdkNotify(t, s, me.Mid, "like", sdkNotice(other.Mid, 5, "")) // same item: one unread
	sdkNotify(t, s, me.Mid, "like", sdkNotice(actor.Mid, 6, ""))
	sdkNotifySystem(t, s, me.Mid, "sys")

	got := sdkMust(c.FeedUnread(ctx))(t)
	if got.Reply != 2 || got.RecvReply != 2 || got.At != 1 || got.Like != 2 || got.RecvLike != 2 || got.SysMsg != 1 ||
		got.Chat != 0 || got.Up != 0 || got.SysMsgStyle == nil || *got.SysMsgStyle != 1 {
		t.Errorf("FeedUnread = %+v", *got)
	}
	legacy := sdkMust(c.FeedUnreadLegacy(ctx))(t)
	if legacy.SysMsgStyle != nil {
		t.Errorf("the legacy URL has sys_msg_style %d", *legacy.SysMsgStyle)
	}
	legacy.SysMsgStyle = got.SysMsgStyle
	if *legacy != *got {
		t.Errorf("legacy %+v, new %+v", *legacy, *got)
	}

	// Reading a feed's first page marks it read; a later page does not.
	sdkMust(c.ReplyFeed(ctx, client.FeedCursor{}))(t)
	sdkMust(c.AtFeed(ctx, client.FeedCursor{ID: 1 << 62, Time: 1 << 40}))(t)
	got = sdkMust(c.FeedUnread(ctx))(t)
	if got.Reply != 0 || got.At != 1 || got.Like != 2 || got.SysMsg != 1 {
		t.Errorf("after reading replies: %+v", *got)
	}
	sdkMust(c.AtFeed(ctx, client.FeedCursor{}))(t)
	sdkMust(c.LikeFeed(ctx, client.FeedCursor{}))(t)
	sdkMust(c.SystemNotices(ctx, 0, 0))(t)
	if got = sdkMust(c.FeedUnread(ctx))(t); got.Reply+got.At+got.Like+got.SysMsg != 0 {
		t.Errorf("after reading every feed: %+v", *got)
	}
}

func TestReplyFeed(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	me, actor, mentioned := s.NewUser(0, "me"), s.NewUser(0, "replier"), s.NewUser(0, "friend")
	s.Follow(me.Mid, actor.Mid, true)
	c := s.Client(me)
	ctx := t.Context()
	empty := sdkMust(c.ReplyFeed(ctx, client.FeedCursor{}))(t)
	if len(empty.Items) != 0 || empty.Cursor != (client.FeedCursor{IsEnd: true}) {
		t.Errorf("empty reply feed %+v", *empty)
	}
	n := sdkNotice(actor.Mid, 0, "说得好 @friend")
	n.AtMids = []uint64{mentioned.Mid}
	first := sdkNotify(t, s, me.Mid, "reply", n)
	s.Advance(2 * time.Second)
	second := sdkNotify(t, s, me.Mid, "reply", sdkNotice(actor.Mid, 0, "again"))

	p := sdkMust(c.ReplyFeed(ctx, client.FeedCursor{}))(t)
	if len(p.Items) != 2 || p.Items[0].ID != second || p.Items[1].ID != first {
		t.Fatalf("reply feed %+v, want [%d %d]", p.Items, second, first)
	}
	if p.Cursor != (client.FeedCursor{IsEnd: true, ID: first, Time: testkit.Epoch.Unix()}) || p.LastViewAt != testkit.Epoch.Unix()+2 {
		t.Errorf("cursor %+v last_view_at %d", p.Cursor, p.LastViewAt)
	}
	e := p.Items[1]
	if e.ReplyTime != testkit.Epoch.Unix() || e.Counts != 1 || e.IsMulti != 0 {
		t.Errorf("entry %+v", e)
	}
	if e.User.Mid != actor.Mid || e.User.Nickname != "replier" || !e.User.Follow || e.User.Avatar == "" {
		t.Errorf("user %+v", e.User)
	}
	it := e.Item
	if it.SubjectID != sdkBigSubject || it.RootID != 11 || it.SourceID != 22 || it.TargetID != 33 || it.Type != "reply" ||
		it.BusinessID != 1 || it.Business != "评论" || it.Title != "我的视频" || it.URI != n.URI || it.NativeURI != n.NativeURI ||
		it.SourceContent != "说得好 @friend" || it.RootReplyContent != "root" || it.TargetReplyContent != "target" ||
		it.TopicDetails == nil || it.Danmu != nil {
		t.Errorf("item %+v", it)
	}
	if len(it.AtDetails) != 1 || it.AtDetails[0].Mid != mentioned.Mid || it.AtDetails[0].Nickname != "friend" {
		t.Errorf("at_details %+v", it.AtDetails)
	}
	// The next page after the first item.
	next := sdkMust(c.ReplyFeed(ctx, client.FeedCursor{ID: second, Time: testkit.Epoch.Unix() + 2}))(t)
	if len(next.Items) != 1 || next.Items[0].ID != first || !next.Cursor.IsEnd {
		t.Errorf("page after %d: %+v", second, next.Items)
	}
}

func TestAtFeed(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	me, actor := s.NewUser(0, "me"), s.NewUser(0, "caller")
	c := s.Client(me)
	n := sdkNotice(actor.Mid, 0, "@me 看这个")
	n.Type, n.Business, n.BusinessID = "dynamic", "动态", 17
	id := sdkNotify(t, s, me.Mid, "at", n)
	p := sdkMust(c.AtFeed(t.Context(), client.FeedCursor{}))(t)
	if len(p.Items) != 1 || !p.Cursor.IsEnd || p.Cursor.ID != id || p.LastViewAt != testkit.Epoch.Unix() {
		t.Fatalf("at feed %+v", *p)
	}
	e := p.Items[0]
	if e.ID != id || e.AtTime != testkit.Epoch.Unix() || e.User.Mid != actor.Mid || e.User.Follow {
		t.Errorf("entry %+v", e)
	}
	if it := e.Item; it.Type != "dynamic" || it.Business != "动态" || it.BusinessID != 17 || it.SourceContent != "@me 看这个" ||
		it.SubjectID != sdkBigSubject || it.SourceID != 22 || it.RootID != 11 || it.TargetID != 33 || it.URI != n.URI ||
		it.AtDetails == nil {
		t.Errorf("item %+v", it)
	}
}

func TestLikeFeed(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	me, a, b := s.NewUser(0, "me"), s.NewUser(0, "a"), s.NewUser(0, "b")
	c := s.Client(me)
	const item = 1<<60 + 7
	sdkNotify(t, s, me.Mid, "like", sdkNotice(a.Mid, 99, ""))
	sdkNotify(t, s, me.Mid, "like", sdkNotice(a.Mid, item, ""))
	s.Advance(time.Second)
	last := sdkNotify(t, s, me.Mid, "like", sdkNotice(b.Mid, item, ""))
	p := sdkMust(c.LikeFeed(t.Context(), client.FeedCursor{}))(t)
	if len(p.Latest.Items) != 0 || p.Latest.LastViewAt != testkit.Epoch.Unix()+1 {
		t.Errorf("latest %+v", p.Latest)
	}
	if len(p.Total.Items) != 2 || !p.Total.Cursor.IsEnd {
		t.Fatalf("total %+v", p.Total)
	}
	top := p.Total.Items[0]
	var likers []uint64
	for _, u := range top.Users {
		likers = append(likers, u.Mid)
	}
	if top.ID != last || top.Counts != 2 || !slices.Equal(likers, []uint64{b.Mid, a.Mid}) || top.LikeTime != testkit.Epoch.Unix()+1 ||
		top.Item.ItemID != item || top.Item.Type != "reply" || top.Item.Title != "我的视频" || top.Item.URI == "" {
		t.Errorf("aggregated like %+v", top)
	}
	if p.Total.Items[1].Item.ItemID != 99 || p.Total.Items[1].Counts != 1 {
		t.Errorf("second like %+v", p.Total.Items[1])
	}
}

func TestSystemNotices(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	me := s.NewUser(0, "me")
	c := s.Client(me)
	ctx := t.Context()
	if l := sdkMust(c.SystemNotices(ctx, 0, 0))(t); l == nil || len(l) != 0 {
		t.Errorf("no notices: %#v, want an empty list", l)
	}
	var ids []uint64
	for _, title := range []string{"one", "two", "three"} {
		ids = append(ids, sdkNotifySystem(t, s, me.Mid, title))
	}
	l := sdkMust(c.SystemNotices(ctx, 0, 0))(t)
	if len(l) != 3 {
		t.Fatalf("%d notices", len(l))
	}
	n := l[0]
	if n.ID != ids[2] || n.Cursor != n.ID || n.NotifyCursor != n.ID || n.Title != "three" || n.Content != "内容 three" ||
		n.Type != 1 || n.TimeAt != "2024-06-02 16:00:00" || n.CardLink != "https://www.bilibili.com/blackboard/three" {
		t.Errorf("newest notice %+v", n)
	}
	one := sdkMust(c.SystemNotices(ctx, 0, 1))(t)
	if len(one) != 1 || one[0].ID != ids[2] {
		t.Errorf("page size 1: %+v", one)
	}
	rest := sdkMust(c.SystemNotices(ctx, one[0].Cursor, 10))(t)
	if len(rest) != 2 || rest[0].ID != ids[1] || rest[1].ID != ids[0] {
		t.Errorf("after cursor %d: %+v", one[0].Cursor, rest)
	}
}
