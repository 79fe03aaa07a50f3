package client

import (
	"context"
	"net/url"
	"strconv"
)

// FeedUnread is N1's answer: unread notifications by feed.
type FeedUnread struct {
	At          int64 `json:"at"`
	Chat        int64 `json:"chat"`
	Coin        int64 `json:"coin"`
	Danmu       int64 `json:"danmu"`
	Favorite    int64 `json:"favorite"`
	Like        int64 `json:"like"`
	RecvLike    int64 `json:"recv_like"`
	RecvReply   int64 `json:"recv_reply"`
	Reply       int64 `json:"reply"`
	SysMsg      int64 `json:"sys_msg"`
	SysMsgStyle *int  `json:"sys_msg_style,omitempty"` // the new URL only
	Up          int64 `json:"up"`
}

// FeedUnread returns the unread notification counts (N1, the web page's newer URL on
// api.vc.bilibili.com).
func (c *Client) FeedUnread(ctx context.Context) (*FeedUnread, error) {
	var out FeedUnread
	return &out, c.call(ctx, endpoint{path: "/x/im/web/msgfeed/unread"}, nil, &out)
}

// FeedUnreadLegacy is FeedUnread on the older URL (api.bilibili.com/x/msgfeed/unread).
func (c *Client) FeedUnreadLegacy(ctx context.Context) (*FeedUnread, error) {
	var out FeedUnread
	return &out, c.call(ctx, endpoint{path: "/x/msgfeed/unread", host: onAPI}, nil, &out)
}

// FeedCursor places a page of a feed: the zero value is the newest page; a page's
// Cursor (ID and Time of its last item) asks for the page after it; a Time alone asks
// for the items before that time.
type FeedCursor struct {
	IsEnd bool   `json:"is_end"`
	ID    uint64 `json:"id"`
	Time  int64  `json:"time"`
}

// FeedUser is a user in a notification.
type FeedUser struct {
	Mid      uint64 `json:"mid"`
	Fans     int    `json:"fans"`
	Nickname string `json:"nickname"`
	Avatar   string `json:"avatar"`
	MidLink  string `json:"mid_link"`
	Follow   bool   `json:"follow"`
}

// ReplyItem is what a reply notification is about.
type ReplyItem struct {
	SubjectID          uint64     `json:"subject_id"`
	RootID             uint64     `json:"root_id"`
	SourceID           uint64     `json:"source_id"`
	TargetID           uint64     `json:"target_id"`
	Type               string     `json:"type"`
	BusinessID         int        `json:"business_id"`
	Business           string     `json:"business"`
	Title              string     `json:"title"`
	Desc               string     `json:"desc"`
	Image              string     `json:"image"`
	URI                string     `json:"uri"`
	NativeURI          string     `json:"native_uri"`
	DetailTitle        string     `json:"detail_title"`
	RootReplyContent   string     `json:"root_reply_content"`
	SourceContent      string     `json:"source_content"`
	TargetReplyContent string     `json:"target_reply_content"`
	AtDetails          []FeedUser `json:"at_details"`
	TopicDetails       []any      `json:"topic_details"`
	HideReplyButton    bool       `json:"hide_reply_button"`
	HideLikeButton     bool       `json:"hide_like_button"`
	LikeState          int        `json:"like_state"`
	Danmu              any        `json:"danmu"`
	Message            string     `json:"message"`
}

// ReplyEntry is one "replied to me" notification.
type ReplyEntry struct {
	ID        uint64    `json:"id"`
	User      FeedUser  `json:"user"`
	Item      ReplyItem `json:"item"`
	Counts    int       `json:"counts"`
	IsMulti   int       `json:"is_multi"`
	ReplyTime int64     `json:"reply_time"`
}

// ReplyFeed is a page of the "replies to me" feed (N2).
type ReplyFeed struct {
	Cursor     FeedCursor   `json:"cursor"`
	Items      []ReplyEntry `json:"items"`
	LastViewAt int64        `json:"last_view_at"`
}

// feedQuery places a page: after item (ID, Time), or with a Time alone everything
// before that time.
func feedQuery(cur FeedCursor, timeName string) url.Values {
	q := url.Values{}
	if cur.ID != 0 {
		q.Set("id", u64(cur.ID))
	}
	if cur.ID != 0 || cur.Time != 0 {
		q.Set(timeName, i64(cur.Time))
	}
	return q
}

// ReplyFeed returns a page of replies to me (N2 x/msgfeed/reply). Reading the first
// page marks the feed read.
func (c *Client) ReplyFeed(ctx context.Context, cur FeedCursor) (*ReplyFeed, error) {
	var out ReplyFeed
	return &out, c.call(ctx, endpoint{path: "/x/msgfeed/reply", host: onAPI}, feedQuery(cur, "reply_time"), &out)
}

// AtItem is what an @ notification is about.
type AtItem struct {
	Type          string     `json:"type"`
	Business      string     `json:"business"`
	BusinessID    int        `json:"business_id"`
	Title         string     `json:"title"`
	Image         string     `json:"image"`
	URI           string     `json:"uri"`
	SourceContent string     `json:"source_content"`
	SourceID      uint64     `json:"source_id"`
	TargetID      uint64     `json:"target_id"`
	RootID        uint64     `json:"root_id"`
	SubjectID     uint64     `json:"subject_id"`
	NativeURI     string     `json:"native_uri"`
	AtDetails     []FeedUser `json:"at_details"`
}

// AtEntry is one "@ me" notification.
type AtEntry struct {
	ID     uint64   `json:"id"`
	User   FeedUser `json:"user"`
	Item   AtItem   `json:"item"`
	AtTime int64    `json:"at_time"`
}

// AtFeed is a page of the "@ me" feed.
type AtFeed struct {
	Cursor     FeedCursor `json:"cursor"`
	Items      []AtEntry  `json:"items"`
	LastViewAt int64      `json:"last_view_at"`
}

// AtFeed returns a page of mentions of me (x/msgfeed/at).
func (c *Client) AtFeed(ctx context.Context, cur FeedCursor) (*AtFeed, error) {
	var out AtFeed
	return &out, c.call(ctx, endpoint{path: "/x/msgfeed/at", host: onAPI}, feedQuery(cur, "at_time"), &out)
}

// LikeItem is what was liked.
type LikeItem struct {
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

// LikeEntry is the likes of one item, aggregated: Users (newest first) and Counts in all.
type LikeEntry struct {
	ID          uint64     `json:"id"`
	Users       []FeedUser `json:"users"`
	Item        LikeItem   `json:"item"`
	Counts      int        `json:"counts"`
	LikeTime    int64      `json:"like_time"`
	NoticeState int        `json:"notice_state"`
}

// LikeFeed is a page of the "likes" feed.
type LikeFeed struct {
	Latest struct {
		Items      []LikeEntry `json:"items"`
		LastViewAt int64       `json:"last_view_at"`
	} `json:"latest"`
	Total struct {
		Cursor FeedCursor  `json:"cursor"`
		Items  []LikeEntry `json:"items"`
	} `json:"total"`
}

// LikeFeed returns a page of likes of my things (x/msgfeed/like).
func (c *Client) LikeFeed(ctx context.Context, cur FeedCursor) (*LikeFeed, error) {
	var out LikeFeed
	return &out, c.call(ctx, endpoint{path: "/x/msgfeed/like", host: onAPI}, feedQuery(cur, "like_time"), &out)
}

// SystemNotice is one system notification.
type SystemNotice struct {
	ID        uint64 `json:"id"`
	Cursor    uint64 `json:"cursor"`
	Publisher struct {
		Name string `json:"name"`
		Mid  uint64 `json:"mid"`
		Face string `json:"face"`
	} `json:"publisher"`
	Type    int    `json:"type"`
	Title   string `json:"title"`
	Content string `json:"content"`
	Source  struct {
		Name string `json:"name"`
		Logo string `json:"logo"`
	} `json:"source"`
	TimeAt         string `json:"time_at"` // China time, "2006-01-02 15:04:05"
	CardType       int    `json:"card_type"`
	CardBrief      string `json:"card_brief"`
	CardMsgBrief   string `json:"card_msg_brief"`
	CardCover      string `json:"card_cover"`
	CardStoryTitle string `json:"card_story_title"`
	CardLink       string `json:"card_link"`
	MC             string `json:"mc"`
	IsStation      int    `json:"is_station"`
	IsSend         int    `json:"is_send"`
	NotifyCursor   uint64 `json:"notify_cursor"`
}

// SystemNotices returns system notifications older than cursor (0: the newest), at most
// pageSize of them (0: the server's default) — x/sys-msg/query_notify_list.
func (c *Client) SystemNotices(ctx context.Context, cursor uint64, pageSize int) ([]SystemNotice, error) {
	q := url.Values{}
	if cursor != 0 {
		q.Set("cursor", u64(cursor))
	}
	if pageSize != 0 {
		q.Set("page_size", strconv.Itoa(pageSize))
	}
	var out []SystemNotice
	err := c.call(ctx, endpoint{path: "/x/sys-msg/query_notify_list", host: onMsg}, q, &out)
	return out, err // after the call: Go leaves the order of the two unspecified
}
