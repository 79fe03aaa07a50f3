package wire

import (
	"time"

	"github.com/bilimsg/bilimsg/internal/im"
	"github.com/bilimsg/bilimsg/internal/store"
)

// The notification feeds (catalog §5 and §7); shapes chosen for the undocumented ones are
// in docs/feed.md.

// feedUnreadJSON is N1. chat exists on both URLs and sys_msg_style on the new one only
// (catalog §9 item 7); recv_reply = reply and recv_like = like (item 6).
type feedUnreadJSON struct {
	At          int64 `json:"at"`
	Chat        int   `json:"chat"`
	Coin        int   `json:"coin"`
	Danmu       int   `json:"danmu"`
	Favorite    int   `json:"favorite"`
	Like        int64 `json:"like"`
	RecvLike    int64 `json:"recv_like"`
	RecvReply   int64 `json:"recv_reply"`
	Reply       int64 `json:"reply"`
	SysMsg      int64 `json:"sys_msg"`
	SysMsgStyle *int  `json:"sys_msg_style,omitempty"`
	Up          int   `json:"up"`
}

func (h *Handler) feedUnread(newURL bool) func(*call) (any, error) {
	return func(c *call) (any, error) {
		u, err := c.svc.FeedUnread(c.ctx, c.me.Mid)
		if err != nil {
			return nil, err
		}
		out := feedUnreadJSON{At: u.At, Like: u.Like, RecvLike: u.Like, RecvReply: u.Reply, Reply: u.Reply,
			SysMsg: u.System, Up: int(u.Up)}
		if newURL {
			out.SysMsgStyle = new(1)
		}
		return out, nil
	}
}

type feedCursorJSON struct {
	IsEnd bool   `json:"is_end"`
	ID    uint64 `json:"id"`
	Time  int64  `json:"time"`
}

type feedUserJSON struct {
	Mid      uint64 `json:"mid"`
	Fans     int    `json:"fans"` // always 0 (catalog N2)
	Nickname string `json:"nickname"`
	Avatar   string `json:"avatar"`
	MidLink  string `json:"mid_link"` // always ""
	Follow   bool   `json:"follow"`
}

func toFeedUser(u im.FeedUser) feedUserJSON {
	return feedUserJSON{Mid: u.Mid, Nickname: u.Nickname, Avatar: u.Avatar, Follow: u.Follow}
}

func toFeedUsers(us []im.FeedUser) []feedUserJSON {
	out := []feedUserJSON{} // [] when none (catalog §8.3)
	for _, u := range us {
		out = append(out, toFeedUser(u))
	}
	return out
}

// feedCursor is the cursor after a page: its last (oldest) item.
func feedCursor(p im.FeedPage) feedCursorJSON {
	c := feedCursorJSON{IsEnd: p.IsEnd}
	if n := len(p.Entries); n > 0 {
		c.ID, c.Time = p.Entries[n-1].ID, p.Entries[n-1].Time
	}
	return c
}

// readFeed reads the cursor parameters idName and timeName and one page of feed.
func (c *call) readFeed(feed store.FeedKind, idName, timeName string) (im.FeedPage, error) {
	id, _, err := c.p.optUint(idName)
	if err != nil {
		return im.FeedPage{}, err
	}
	t, err := c.p.optInt(timeName, 0)
	if err != nil {
		return im.FeedPage{}, err
	}
	if t < 0 {
		return im.FeedPage{}, c.domain()
	}
	if id != 0 && t == 0 {
		// An id without its time cannot place a page: it starts at the newest item, but
		// as a later page (it does not mark the feed read).
		t = 1<<63 - 1
	}
	return c.svc.ReadFeed(c.ctx, c.me.Mid, feed, im.FeedCursor{Time: t, ID: id}, 0)
}

type replyItemJSON struct {
	SubjectID          uint64         `json:"subject_id"`
	RootID             uint64         `json:"root_id"`
	SourceID           uint64         `json:"source_id"`
	TargetID           uint64         `json:"target_id"`
	Type               string         `json:"type"`
	BusinessID         int            `json:"business_id"`
	Business           string         `json:"business"`
	Title              string         `json:"title"`
	Desc               string         `json:"desc"`
	Image              string         `json:"image"`
	URI                string         `json:"uri"`
	NativeURI          string         `json:"native_uri"`
	DetailTitle        string         `json:"detail_title"`
	RootReplyContent   string         `json:"root_reply_content"`
	SourceContent      string         `json:"source_content"`
	TargetReplyContent string         `json:"target_reply_content"`
	AtDetails          []feedUserJSON `json:"at_details"`
	TopicDetails       []struct{}     `json:"topic_details"`
	HideReplyButton    bool           `json:"hide_reply_button"`
	HideLikeButton     bool           `json:"hide_like_button"`
	LikeState          int            `json:"like_state"`
	Danmu              *struct{}      `json:"danmu"` // always null
	Message            string         `json:"message"`
}

type replyEntryJSON struct {
	ID        uint64        `json:"id"`
	User      feedUserJSON  `json:"user"`
	Item      replyItemJSON `json:"item"`
	Counts    int           `json:"counts"`   // always 1
	IsMulti   int           `json:"is_multi"` // always 0
	ReplyTime int64         `json:"reply_time"`
}

// feedReply is N2, 回复我的.
func (h *Handler) feedReply(c *call) (any, error) {
	p, err := c.readFeed(store.FeedReply, "id", "reply_time")
	if err != nil {
		return nil, err
	}
	items := []replyEntryJSON{}
	for _, e := range p.Entries {
		n := e.Notice
		items = append(items, replyEntryJSON{ID: e.ID, User: toFeedUser(e.User), Counts: 1, ReplyTime: e.Time,
			Item: replyItemJSON{SubjectID: n.SubjectID, RootID: n.RootID, SourceID: n.SourceID, TargetID: n.TargetID,
				Type: n.Type, BusinessID: n.BusinessID, Business: n.Business, Title: n.Title, Desc: n.Desc,
				Image: n.Image, URI: n.URI, NativeURI: n.NativeURI, RootReplyContent: n.RootText,
				SourceContent: n.Source, TargetReplyContent: n.TargetText, AtDetails: toFeedUsers(e.At),
				TopicDetails: []struct{}{}}})
	}
	return struct {
		Cursor     feedCursorJSON   `json:"cursor"`
		Items      []replyEntryJSON `json:"items"`
		LastViewAt int64            `json:"last_view_at"`
	}{feedCursor(p), items, p.LastViewAt}, nil
}

type atItemJSON struct {
	Type          string         `json:"type"`
	Business      string         `json:"business"`
	BusinessID    int            `json:"business_id"`
	Title         string         `json:"title"`
	Image         string         `json:"image"`
	URI           string         `json:"uri"`
	SourceContent string         `json:"source_content"`
	SourceID      uint64         `json:"source_id"`
	TargetID      uint64         `json:"target_id"`
	RootID        uint64         `json:"root_id"`
	SubjectID     uint64         `json:"subject_id"`
	NativeURI     string         `json:"native_uri"`
	AtDetails     []feedUserJSON `json:"at_details"`
}

type atEntryJSON struct {
	ID     uint64       `json:"id"`
	User   feedUserJSON `json:"user"`
	Item   atItemJSON   `json:"item"`
	AtTime int64        `json:"at_time"`
}

// feedAt is x/msgfeed/at, @我的 (catalog §7; shape in docs/feed.md).
func (h *Handler) feedAt(c *call) (any, error) {
	p, err := c.readFeed(store.FeedAt, "id", "at_time")
	if err != nil {
		return nil, err
	}
	items := []atEntryJSON{}
	for _, e := range p.Entries {
		n := e.Notice
		items = append(items, atEntryJSON{ID: e.ID, User: toFeedUser(e.User), AtTime: e.Time,
			Item: atItemJSON{Type: n.Type, Business: n.Business, BusinessID: n.BusinessID, Title: n.Title,
				Image: n.Image, URI: n.URI, SourceContent: n.Source, SourceID: n.SourceID, TargetID: n.TargetID,
				RootID: n.RootID, SubjectID: n.SubjectID, NativeURI: n.NativeURI, AtDetails: toFeedUsers(e.At)}})
	}
	return struct {
		Cursor     feedCursorJSON `json:"cursor"`
		Items      []atEntryJSON  `json:"items"`
		LastViewAt int64          `json:"last_view_at"`
	}{feedCursor(p), items, p.LastViewAt}, nil
}

type likeItemJSON struct {
	ItemID          uint64 `json:"item_id"`
	Pid             uint64 `json:"pid"`
	Type            string `json:"type"`
	Business        string `json:"business"`
	BusinessID      int    `json:"business_id"`
	ReplyBusinessID int    `json:"reply_business_id"`
	LikeBusinessID  int    `json:"like_business_id"`
	Title           string `json:"title"`
	Desc            string `json:"desc"`
	Image           string `json:"image"`
	URI             string `json:"uri"`
	DetailName      string `json:"detail_name"`
	NativeURI       string `json:"native_uri"`
	Ctime           int64  `json:"ctime"`
}

type likeEntryJSON struct {
	ID          uint64         `json:"id"`
	Users       []feedUserJSON `json:"users"` // newest liker first
	Item        likeItemJSON   `json:"item"`
	Counts      int            `json:"counts"` // how many liked: "users[0]等counts人赞了你的…"
	LikeTime    int64          `json:"like_time"`
	NoticeState int            `json:"notice_state"`
}

// feedLike is x/msgfeed/like, 收到的赞 (catalog §7; shape in docs/feed.md): likes of the
// same thing are one item.
func (h *Handler) feedLike(c *call) (any, error) {
	p, err := c.readFeed(store.FeedLike, "id", "like_time")
	if err != nil {
		return nil, err
	}
	items := []likeEntryJSON{}
	for _, e := range p.Entries {
		n := e.Notice
		items = append(items, likeEntryJSON{ID: e.ID, Users: toFeedUsers(e.Users), Counts: n.Counts, LikeTime: e.Time,
			Item: likeItemJSON{ItemID: n.ItemID, Type: n.Type, Business: n.Business, BusinessID: n.BusinessID,
				Title: n.Title, Desc: n.Desc, Image: n.Image, URI: n.URI, NativeURI: n.NativeURI, Ctime: e.Time}})
	}
	type latest struct {
		Items      []likeEntryJSON `json:"items"`
		LastViewAt int64           `json:"last_view_at"`
	}
	type total struct {
		Cursor feedCursorJSON  `json:"cursor"`
		Items  []likeEntryJSON `json:"items"`
	}
	return struct {
		Latest latest `json:"latest"`
		Total  total  `json:"total"`
	}{latest{[]likeEntryJSON{}, p.LastViewAt}, total{feedCursor(p), items}}, nil
}

type sysPublisherJSON struct {
	Name string `json:"name"`
	Mid  uint64 `json:"mid"`
	Face string `json:"face"`
}

type sysSourceJSON struct {
	Name string `json:"name"`
	Logo string `json:"logo"`
}

type sysEntryJSON struct {
	ID             uint64           `json:"id"`
	Cursor         uint64           `json:"cursor"`
	Publisher      sysPublisherJSON `json:"publisher"`
	Type           int              `json:"type"`
	Title          string           `json:"title"`
	Content        string           `json:"content"`
	Source         sysSourceJSON    `json:"source"`
	TimeAt         string           `json:"time_at"` // China time, "2006-01-02 15:04:05"
	CardType       int              `json:"card_type"`
	CardBrief      string           `json:"card_brief"`
	CardMsgBrief   string           `json:"card_msg_brief"`
	CardCover      string           `json:"card_cover"`
	CardStoryTitle string           `json:"card_story_title"`
	CardLink       string           `json:"card_link"`
	MC             string           `json:"mc"`
	IsStation      int              `json:"is_station"`
	IsSend         int              `json:"is_send"`
	NotifyCursor   uint64           `json:"notify_cursor"`
}

// chinaTime is bilibili's clock for displayed times (UTC+8, no daylight saving).
var chinaTime = time.FixedZone("CST", 8*3600)

// feedSystem is x/sys-msg/query_notify_list, 系统通知 (catalog §7; shape in
// docs/feed.md): data is the array of notifications, paged by the id of the last one
// (cursor) and page_size.
func (h *Handler) feedSystem(c *call) (any, error) {
	cursor, _, err := c.p.optUint("cursor")
	if err != nil {
		return nil, err
	}
	size, err := c.p.optInt("page_size", im.FeedPageSize)
	if err != nil {
		return nil, err
	}
	if size < 0 {
		return nil, c.domain()
	}
	out := []sysEntryJSON{}
	var cur im.FeedCursor
	if cursor != 0 {
		var ok bool
		if cur, ok, err = c.svc.SystemCursor(c.ctx, c.me.Mid, cursor); err != nil || !ok {
			return out, err // not one of my notifications: nothing after it
		}
	}
	p, err := c.svc.ReadFeed(c.ctx, c.me.Mid, store.FeedSystem, cur, int(min(size, im.MaxFeedPageSize)))
	if err != nil {
		return nil, err
	}
	for _, e := range p.Entries {
		out = append(out, sysEntryJSON{ID: e.ID, Cursor: e.ID, Type: e.Sys.Type, Title: e.Sys.Title,
			Content: e.Sys.Content, TimeAt: time.Unix(e.Time, 0).In(chinaTime).Format(time.DateTime),
			CardLink: e.Sys.Link, NotifyCursor: e.ID})
	}
	return out, nil
}
