package operator

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
)

// Work is one of a user's videos, which recommend_followed_reply's works card shows.
type Work struct {
	Aid       uint64 `json:"aid"`
	Bvid      string `json:"bvid"`
	Title     string `json:"title"`
	Cover     string `json:"cover"`
	PubDate   int64  `json:"pub_date"`
	Plays     int64  `json:"plays"`
	Danmaku   int64  `json:"danmaku"`
	Favorites int64  `json:"favorites"`
}

// PutWork registers or replaces one of mid's works (PubDate 0: now).
func (c *Client) PutWork(ctx context.Context, mid uint64, w Work) (*Work, error) {
	in := map[string]any{"title": w.Title, "bvid": w.Bvid, "cover": w.Cover, "plays": w.Plays,
		"danmaku": w.Danmaku, "favorites": w.Favorites}
	if w.PubDate != 0 {
		in["pub_date"] = w.PubDate
	}
	var out Work
	return &out, c.do(ctx, http.MethodPut, "/admin/v1/users/"+id(mid)+"/works/"+id(w.Aid), in, &out)
}

// DeleteWork removes one of mid's works (also when it did not exist).
func (c *Client) DeleteWork(ctx context.Context, mid, aid uint64) error {
	return c.do(ctx, http.MethodDelete, "/admin/v1/users/"+id(mid)+"/works/"+id(aid), nil, nil)
}

// Works lists mid's works, latest first, at most limit (0: 100).
func (c *Client) Works(ctx context.Context, mid uint64, limit int) ([]Work, error) {
	path := "/admin/v1/users/" + id(mid) + "/works"
	if limit > 0 {
		path += "?limit=" + strconv.Itoa(limit)
	}
	var out struct {
		Works []Work `json:"works"`
	}
	err := c.do(ctx, http.MethodGet, path, nil, &out)
	return out.Works, err // after the call: Go leaves the order of the two unspecified
}

// Guard reports that fan bought a guard (上船) in up's live room; replied says whether
// up's 大航海 auto-reply was sent.
func (c *Client) Guard(ctx context.Context, up, fan uint64) (replied bool, err error) {
	var out struct {
		Replied bool `json:"replied"`
	}
	err = c.do(ctx, http.MethodPost, "/admin/v1/users/"+id(up)+"/guards/"+id(fan), nil, &out)
	return out.Replied, err
}

// UpdateGroup renames a group or changes its cover (nil: unchanged).
func (c *Client) UpdateGroup(ctx context.Context, gid uint64, name, cover *string) (*Group, error) {
	in := map[string]*string{}
	if name != nil {
		in["name"] = name
	}
	if cover != nil {
		in["cover"] = cover
	}
	var out Group
	return &out, c.do(ctx, http.MethodPatch, "/admin/v1/groups/"+id(gid), in, &out)
}

// Members lists up to limit (0: 100) members with mids above after, in mid order.
func (c *Client) Members(ctx context.Context, gid, after uint64, limit int) ([]Member, error) {
	path := "/admin/v1/groups/" + id(gid) + "/members?after=" + id(after)
	if limit > 0 {
		path += "&limit=" + strconv.Itoa(limit)
	}
	var out struct {
		Members []Member `json:"members"`
	}
	err := c.do(ctx, http.MethodGet, path, nil, &out)
	return out.Members, err // after the call: Go leaves the order of the two unspecified
}

// JoinMany makes up to 1000 users members at once: all of them, or none.
func (c *Client) JoinMany(ctx context.Context, gid uint64, mids []uint64) ([]Member, error) {
	var out struct {
		Members []Member `json:"members"`
	}
	err := c.do(ctx, http.MethodPost, "/admin/v1/groups/"+id(gid)+"/members", map[string][]uint64{"mids": mids}, &out)
	return out.Members, err // after the call: Go leaves the order of the two unspecified
}

// Push is a card a system account pushes (UP主小助手 and the others; docs/feed.md).
type Push struct {
	SystemMsgType int             `json:"system_msg_type"` // 1, 7, 8 or 9
	MsgType       int             `json:"msg_type"`        // 10, 11, 12, 13 or 16
	Content       json.RawMessage `json:"content"`         // the card, as a JSON object
	MsgSource     int             `json:"msg_source,omitempty"`
	NotifyCode    string          `json:"notify_code,omitempty"`
}

// Pushed says where a push landed.
type Pushed struct {
	MsgKey   uint64 `json:"msg_key"`
	MsgSeqno uint64 `json:"msg_seqno"`
	TalkerID uint64 `json:"talker_id"`
}

// Push makes a system account push a card to user mid.
func (c *Client) Push(ctx context.Context, mid uint64, p Push) (*Pushed, error) {
	var out Pushed
	return &out, c.do(ctx, http.MethodPost, "/admin/v1/users/"+id(mid)+"/pushes", p, &out)
}
