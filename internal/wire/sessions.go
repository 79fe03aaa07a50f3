package wire

import (
	"strconv"

	"github.com/bilimsg/bilimsg/internal/im"
)

// Session list sizes (catalog §8.6): default 20, at most 100; sizes ≤ 0 mean the default
// and larger ones are clamped (catalog §9 item 24).
const (
	defaultListSize = 20
	maxListSize     = 100
)

func (c *call) listSize() (int, error) {
	n, err := c.p.optInt("size", defaultListSize)
	if err != nil {
		return 0, err
	}
	switch {
	case n <= 0:
		return defaultListSize, nil
	case n > maxListSize:
		return maxListSize, nil
	}
	return int(n), nil
}

// sessionTypeParam reads a session object's session_type (1 user, 2 fan group).
func (c *call) sessionTypeParam() (int, error) {
	t, err := c.p.reqInt("session_type")
	if err != nil {
		return 0, err
	}
	if t != 1 && t != 2 {
		return 0, c.domain()
	}
	return int(t), nil
}

type unreadJSON struct {
	UnfollowUnread       int64 `json:"unfollow_unread"`
	FollowUnread         int64 `json:"follow_unread"`
	UnfollowPushMsg      int64 `json:"unfollow_push_msg"`
	DustbinPushMsg       int64 `json:"dustbin_push_msg"`
	DustbinUnread        int64 `json:"dustbin_unread"`
	BizMsgUnfollowUnread int64 `json:"biz_msg_unfollow_unread"`
	BizMsgFollowUnread   int64 `json:"biz_msg_follow_unread"`
	CustomUnread         int64 `json:"custom_unread"`
}

// singleUnread is P1. All eight fields are always present; the filters zero the counts
// they leave out (catalog §9 item 51).
func (h *Handler) singleUnread(c *call) (any, error) {
	typ, err := c.p.optInt("unread_type", 0)
	if err != nil {
		return nil, err
	}
	dustbin, err := c.p.optInt("show_dustbin", 0)
	if err != nil {
		return nil, err
	}
	if _, err := c.p.optInt("show_unfollow_list", 0); err != nil {
		return nil, err
	}
	cnt, err := c.svc.SingleUnread(c.ctx, c.me.Mid)
	if err != nil {
		return nil, err
	}
	// System accounts' unread pushes are "notifications from followed" (their sessions
	// are is_follow 1), apart from follow_unread; 客服消息's are custom_unread.
	out := unreadJSON{FollowUnread: cnt.Follow, UnfollowUnread: cnt.Unfollow, DustbinUnread: cnt.Dustbin,
		BizMsgFollowUnread: cnt.Biz, CustomUnread: cnt.Custom}
	switch typ {
	case 1:
		out.UnfollowUnread = 0
	case 2:
		out.FollowUnread, out.BizMsgFollowUnread, out.CustomUnread = 0, 0, 0
	case 3:
		out.FollowUnread, out.UnfollowUnread, out.BizMsgFollowUnread, out.CustomUnread = 0, 0, 0, 0
	}
	if dustbin != 1 {
		out.DustbinUnread = 0
	}
	return out, nil
}

// myGroupUnread is P2: the unread messages of all my fan groups.
func (h *Handler) myGroupUnread(c *call) (any, error) {
	n, err := c.svc.MyGroupUnread(c.ctx, c.me.Mid)
	if err != nil {
		return nil, err
	}
	return struct {
		UnreadCount int64 `json:"unread_count"`
	}{n}, nil
}

type sessionListJSON struct {
	SessionList         []sessionJSON `json:"session_list"` // null when empty
	HasMore             int           `json:"has_more"`
	AntiDisturbCleaning bool          `json:"anti_disturb_cleaning"`
	IsAddressListEmpty  int           `json:"is_address_list_empty"`
	// system_msg: get_sessions only, and only when the user has system sessions.
	SystemMsg map[string]uint64 `json:"system_msg,omitempty"`
	ShowLevel bool              `json:"show_level"`
}

func toListJSON(l im.SessionList, showLevel bool) sessionListJSON {
	out := sessionListJSON{HasMore: b01(l.HasMore), IsAddressListEmpty: b01(l.AddressListIsEmpty), ShowLevel: showLevel}
	for typ, talker := range l.SystemMsg {
		if out.SystemMsg == nil {
			out.SystemMsg = map[string]uint64{}
		}
		out.SystemMsg[strconv.Itoa(typ)] = talker
	}
	for _, v := range l.Sessions {
		out.SessionList = append(out.SessionList, toSessionJSON(v))
	}
	return out
}

// getSessions is P3.
func (h *Handler) getSessions(c *call) (any, error) {
	cat, err := c.p.reqInt("session_type")
	if err != nil {
		return nil, err
	}
	if !im.ValidCategory(int(cat)) {
		return nil, c.domain()
	}
	size, err := c.listSize()
	if err != nil {
		return nil, err
	}
	sortRule, err := c.p.optInt("sort_rule", 0)
	if err != nil {
		return nil, err
	}
	begin, err := c.p.optInt("begin_ts", 0)
	if err != nil {
		return nil, err
	}
	end, err := c.p.optInt("end_ts", 0)
	if err != nil {
		return nil, err
	}
	if begin < 0 || end < 0 {
		return nil, c.domain()
	}
	unfollowFold, err := c.fold("unfollow_fold") // absent: the user's show_unfollowed_msg decides
	if err != nil {
		return nil, err
	}
	groupFold, err := c.fold("group_fold") // absent: the user's is_group_fold decides
	if err != nil {
		return nil, err
	}
	l, err := c.svc.ListSessions(c.ctx, c.me.Mid, im.ListParams{Category: int(cat), Size: size, After: begin, Before: end,
		ByAck: sortRule == 3 && cat != 4 && cat != 7, UnfollowFold: unfollowFold, GroupFold: groupFold,
		// "other" sort rules list fan groups by join time, oldest first (catalog §3 P3).
		JoinOrder: cat == 3 && (sortRule < 1 || sortRule > 3)})
	if err != nil {
		return nil, err
	}
	return toListJSON(l, true), nil
}

// fold reads a folding switch: nil when absent, else whether it is 1.
func (c *call) fold(name string) (*bool, error) {
	v, err := c.p.optInt(name, -1)
	if err != nil || v == -1 {
		return nil, err
	}
	return new(v == 1), nil
}

// newSessions is P4.
func (h *Handler) newSessions(c *call) (any, error) {
	begin, err := c.p.optInt("begin_ts", 0)
	if err != nil {
		return nil, err
	}
	if begin < 0 {
		return nil, c.domain()
	}
	size, err := c.listSize()
	if err != nil {
		return nil, err
	}
	l, err := c.svc.NewSessions(c.ctx, c.me.Mid, begin, size)
	if err != nil {
		return nil, err
	}
	return toListJSON(l, false), nil
}

// sessionDetail is P5.
func (h *Handler) sessionDetail(c *call) (any, error) {
	talker, typ, err := c.sessionTarget()
	if err != nil {
		return nil, err
	}
	v, err := c.svc.SessionDetail(c.ctx, c.me.Mid, typ, talker)
	if err != nil {
		return nil, err
	}
	return toSessionJSON(v), nil
}

// sessionTarget reads talker_id and session_type of the session POSTs.
func (c *call) sessionTarget() (uint64, int, error) {
	talker, err := c.p.reqUint("talker_id")
	if err != nil {
		return 0, 0, err
	}
	typ, err := c.sessionTypeParam()
	return talker, typ, err
}

var empty = struct{}{}

// updateAck is P9. A missing or empty ack_seqno acks the latest message (catalog §9 item 2).
func (h *Handler) updateAck(c *call) (any, error) {
	talker, typ, err := c.sessionTarget()
	if err != nil {
		return nil, err
	}
	seq, ok, err := c.p.optUint("ack_seqno")
	if err != nil {
		return nil, err
	}
	var at *uint64
	if ok {
		at = &seq
	}
	return empty, c.svc.Ack(c.ctx, c.me.Mid, typ, talker, at)
}

// removeSession is P10.
func (h *Handler) removeSession(c *call) (any, error) {
	talker, typ, err := c.sessionTarget()
	if err != nil {
		return nil, err
	}
	return empty, c.svc.RemoveSession(c.ctx, c.me.Mid, typ, talker)
}

// setTop is P11: op_type 0 pins, 1 unpins.
func (h *Handler) setTop(c *call) (any, error) {
	talker, typ, err := c.sessionTarget()
	if err != nil {
		return nil, err
	}
	op, err := c.p.reqInt("op_type")
	if err != nil {
		return nil, err
	}
	if op != 0 && op != 1 {
		return nil, c.domain()
	}
	return empty, c.svc.SetTop(c.ctx, c.me.Mid, typ, talker, op == 0)
}

// updateIntercept is P14.
func (h *Handler) updateIntercept(c *call) (any, error) {
	talker, err := c.p.reqUint("talker_id")
	if err != nil {
		return nil, err
	}
	st, err := c.p.reqInt("status")
	if err != nil {
		return nil, err
	}
	if st != 0 && st != 1 {
		return nil, c.domain()
	}
	return empty, c.svc.SetIntercept(c.ctx, c.me.Mid, talker, st == 1)
}

// dustbinAck is P15.
func (h *Handler) dustbinAck(c *call) (any, error) {
	return empty, c.svc.DustbinAck(c.ctx, c.me.Mid)
}

// dustbinRemove is P16.
func (h *Handler) dustbinRemove(c *call) (any, error) {
	return empty, c.svc.DustbinRemove(c.ctx, c.me.Mid)
}
