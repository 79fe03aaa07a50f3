package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const (
	sessionSvr  = "/session_svr/v1/session_svr/"
	linkSetting = "/link_setting/v1/link_setting/"
)

// get_sessions categories (its session_type parameter).
const (
	CategoryFollowed   = 1 // users I follow and system accounts; unfollowed users and fan groups too unless folded
	CategoryUnfollowed = 2 // users I don't follow
	CategoryGroups     = 3 // fan groups
	CategoryAll        = 4
	CategoryDustbin    = 5 // intercepted sessions
	CategoryBusiness   = 6 // 花火 business orders
	CategorySystem     = 7 // system accounts only
	CategoryStrangers  = 8
	CategoryFollowing  = 9 // followed users and system accounts
)

func vals(kv map[string]string) url.Values {
	q := url.Values{}
	for k, v := range kv {
		q.Set(k, v)
	}
	return q
}

func u64(v uint64) string { return strconv.FormatUint(v, 10) }
func i64(v int64) string  { return strconv.FormatInt(v, 10) }
func b01(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// SingleUnread is P1's answer: unread private messages by bucket.
type SingleUnread struct {
	UnfollowUnread       int64 `json:"unfollow_unread"`
	FollowUnread         int64 `json:"follow_unread"`
	UnfollowPushMsg      int64 `json:"unfollow_push_msg"`
	DustbinPushMsg       int64 `json:"dustbin_push_msg"`
	DustbinUnread        int64 `json:"dustbin_unread"`
	BizMsgUnfollowUnread int64 `json:"biz_msg_unfollow_unread"`
	BizMsgFollowUnread   int64 `json:"biz_msg_follow_unread"`
	CustomUnread         int64 `json:"custom_unread"`
}

// UnreadOptions are P1's parameters.
type UnreadOptions struct {
	UnreadType       int  // 0 all, 1 followed only, 2 unfollowed only, 3 intercepted only (with ShowDustbin)
	ShowDustbin      bool // count intercepted sessions in dustbin_unread
	ShowUnfollowList bool // also count unfollowed pushes (unfollow_push_msg)
}

// SingleUnread returns the unread counts of private messages (P1 single_unread).
func (c *Client) SingleUnread(ctx context.Context, opt UnreadOptions) (*SingleUnread, error) {
	q := url.Values{}
	if opt.UnreadType != 0 {
		q.Set("unread_type", strconv.Itoa(opt.UnreadType))
	}
	if opt.ShowDustbin {
		q.Set("show_dustbin", "1")
	}
	if opt.ShowUnfollowList {
		q.Set("show_unfollow_list", "1")
	}
	var out SingleUnread
	return &out, c.call(ctx, endpoint{path: sessionSvr + "single_unread"}, q, &out)
}

// MyGroupUnread returns the number of unread messages in my fan groups (P2).
func (c *Client) MyGroupUnread(ctx context.Context) (int64, error) {
	var out struct {
		UnreadCount int64 `json:"unread_count"`
	}
	err := c.call(ctx, endpoint{path: sessionSvr + "my_group_unread"}, nil, &out)
	return out.UnreadCount, err
}

// SessionsOptions are get_sessions' parameters (P3).
type SessionsOptions struct {
	Category int   // CategoryFollowed … CategoryFollowing; 0 means CategoryAll
	BeginTs  int64 // µs: only sessions after this time
	EndTs    int64 // µs: only sessions before this time (the next page)
	Size     int   // 0: bilibili's default (20); at most 100
	SortRule int   // 1, 2 by session time; 3 by read time
	// UnfollowFold and GroupFold fold unfollowed users and fan groups into one entry each;
	// nil leaves it to the user's settings.
	UnfollowFold, GroupFold *bool
}

// SessionPage is a page of sessions (P3, P4).
type SessionPage struct {
	Sessions            []Session `json:"session_list"`
	HasMore             int       `json:"has_more"`
	AntiDisturbCleaning bool      `json:"anti_disturb_cleaning"`
	IsAddressListEmpty  int       `json:"is_address_list_empty"`
	// SystemMsg maps system_msg_type (as a string) to that system account's talker_id.
	SystemMsg map[string]uint64 `json:"system_msg,omitempty"`
	ShowLevel bool              `json:"show_level"`
}

// Sessions returns one page of a category's sessions, newest first (P3 get_sessions).
// AllSessions pages through all of them.
func (c *Client) Sessions(ctx context.Context, opt SessionsOptions) (*SessionPage, error) {
	p, _, err := c.sessions(ctx, opt)
	return p, err
}

// sessions is Sessions that also returns the server's time (the answer's Date).
func (c *Client) sessions(ctx context.Context, opt SessionsOptions) (*SessionPage, time.Time, error) {
	cat := opt.Category
	if cat == 0 {
		cat = CategoryAll
	}
	q := url.Values{"session_type": {strconv.Itoa(cat)}}
	if opt.BeginTs != 0 {
		q.Set("begin_ts", i64(opt.BeginTs))
	}
	if opt.EndTs != 0 {
		q.Set("end_ts", i64(opt.EndTs))
	}
	if opt.Size != 0 {
		q.Set("size", strconv.Itoa(opt.Size))
	}
	if opt.SortRule != 0 {
		q.Set("sort_rule", strconv.Itoa(opt.SortRule))
	}
	if opt.UnfollowFold != nil {
		q.Set("unfollow_fold", b01(*opt.UnfollowFold))
	}
	if opt.GroupFold != nil {
		q.Set("group_fold", b01(*opt.GroupFold))
	}
	var out SessionPage
	hdr, err := c.callHeader(ctx, endpoint{path: sessionSvr + "get_sessions"}, q, &out)
	date, _ := http.ParseTime(hdr.Get("Date"))
	return &out, date, err
}

// NewSessions returns the sessions changed after beginTs (µs), newest first, at most
// size of them (0: the server's default) — P4, what bilibili's web page polls.
func (c *Client) NewSessions(ctx context.Context, beginTs int64, size int) (*SessionPage, error) {
	q := url.Values{"begin_ts": {i64(beginTs)}}
	if size != 0 {
		q.Set("size", strconv.Itoa(size))
	}
	var out SessionPage
	return &out, c.call(ctx, endpoint{path: sessionSvr + "new_sessions"}, q, &out)
}

// SessionDetail returns one session (P5). A conversation that never had a message
// answers ErrNoSession (1000004).
func (c *Client) SessionDetail(ctx context.Context, t Talker) (*Session, error) {
	var out *Session
	if err := c.call(ctx, endpoint{path: sessionSvr + "session_detail"}, vals(t.params()), &out); err != nil {
		return nil, err
	}
	return out, nil // call refuses data null: success without a session is not the protocol
}

// Limit is P6's answer.
type Limit struct {
	IsLimit     int `json:"is_limit"`
	ReportLimit int `json:"report_limit"`
}

// IsLimit says whether the conversation with uid is restricted (P6; typ is bilibili's
// type parameter, 1 for a user).
func (c *Client) IsLimit(ctx context.Context, uid uint64, typ int) (*Limit, error) {
	var out Limit
	q := url.Values{"uid": {u64(uid)}, "type": {strconv.Itoa(typ)}}
	return &out, c.call(ctx, endpoint{path: linkSetting + "is_limit"}, q, &out)
}

// DNDSetting is one do-not-disturb entry (setting 1: on).
type DNDSetting struct {
	ID      uint64 `json:"id"`
	Setting int    `json:"setting"`
}

// DND is P7's answer.
type DND struct {
	UIDSettings   []DNDSetting `json:"uid_settings"`
	GroupSettings []DNDSetting `json:"group_settings"`
}

// MsgDND reads the do-not-disturb settings of some users and fan groups (P7).
func (c *Client) MsgDND(ctx context.Context, uids, groupIDs []uint64) (*DND, error) {
	q := url.Values{"own_uid": {u64(c.cred.Mid)}}
	if len(uids) > 0 {
		q.Set("uids", joinU64(uids))
	}
	if len(groupIDs) > 0 {
		q.Set("group_ids", joinU64(groupIDs))
	}
	var out DND
	return &out, c.call(ctx, endpoint{path: linkSetting + "get_msg_dnd"}, q, &out)
}

func joinU64(ids []uint64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = u64(id)
	}
	return strings.Join(s, ",")
}

// PushSetting is P8's answer.
type PushSetting struct {
	FollowStatus    int `json:"follow_status"`
	Special         int `json:"special"`
	PushSetting     int `json:"push_setting"`
	ShowPushSetting int `json:"show_push_setting"`
}

// SessionPushSetting reads the push setting of the conversation with a user (P8).
func (c *Client) SessionPushSetting(ctx context.Context, talker uint64) (*PushSetting, error) {
	var out PushSetting
	q := url.Values{"talker_uid": {u64(talker)}}
	return &out, c.call(ctx, endpoint{path: linkSetting + "get_session_ss"}, q, &out)
}

// Ack marks a conversation read up to seqno (P9 update_ack); seqno 0 marks all of it.
func (c *Client) Ack(ctx context.Context, t Talker, seqno uint64) error {
	q := vals(t.params())
	if seqno != 0 {
		q.Set("ack_seqno", u64(seqno))
	}
	return c.call(ctx, endpoint{path: sessionSvr + "update_ack", post: true}, q, nil)
}

// RemoveSession removes a conversation from the list until its next message (P10); the
// history stays.
func (c *Client) RemoveSession(ctx context.Context, t Talker) error {
	return c.call(ctx, endpoint{path: sessionSvr + "remove_session", post: true}, vals(t.params()), nil)
}

// SetTop pins (true) or unpins a conversation (P11).
func (c *Client) SetTop(ctx context.Context, t Talker, pinned bool) error {
	q := vals(t.params())
	q.Set("op_type", b01(!pinned)) // bilibili: 0 pins, 1 unpins
	return c.call(ctx, endpoint{path: sessionSvr + "set_top", post: true}, q, nil)
}

// SetDND turns do-not-disturb on or off for a conversation (P12).
func (c *Client) SetDND(ctx context.Context, t Talker, on bool) error {
	q := url.Values{"uid": {u64(c.cred.Mid)}, "setting": {b01(on)}}
	if t.Type == SessionGroup {
		q.Set("dnd_group_id", u64(t.ID))
	} else {
		q.Set("dnd_uid", u64(t.ID))
	}
	return c.call(ctx, endpoint{path: linkSetting + "set_msg_dnd", post: true}, q, nil)
}

// SetPushSetting sets the push setting of the conversation with a user (P13).
func (c *Client) SetPushSetting(ctx context.Context, talker uint64, setting int) error {
	q := url.Values{"talker_uid": {u64(talker)}, "setting": {strconv.Itoa(setting)}}
	return c.call(ctx, endpoint{path: linkSetting + "set_push_ss", post: true}, q, nil)
}

// SetIntercept moves a user's conversation into the dustbin (true) or trusts it out of
// there (P14).
func (c *Client) SetIntercept(ctx context.Context, talker uint64, intercept bool) error {
	q := url.Values{"talker_id": {u64(talker)}, "status": {b01(intercept)}}
	return c.call(ctx, endpoint{path: sessionSvr + "update_intercept", post: true}, q, nil)
}

// AckDustbin marks every intercepted conversation read (P15).
func (c *Client) AckDustbin(ctx context.Context) error {
	return c.call(ctx, endpoint{path: sessionSvr + "batch_update_dustbin_ack", post: true}, nil, nil)
}

// ClearDustbin removes every intercepted conversation (P16).
func (c *Client) ClearDustbin(ctx context.Context) error {
	return c.call(ctx, endpoint{path: sessionSvr + "batch_rm_dustbin", post: true}, nil, nil)
}
