package wire

import (
	"github.com/bilimsg/bilimsg/internal/im"
	"github.com/bilimsg/bilimsg/internal/store"
)

// sessionJSON is the session object (catalog §2.1), fields in bilibili's order.
type sessionJSON struct {
	TalkerID          uint64       `json:"talker_id"`
	SessionType       int          `json:"session_type"`
	AtSeqno           uint64       `json:"at_seqno"`
	TopTs             int64        `json:"top_ts"`
	GroupName         string       `json:"group_name"`
	GroupCover        string       `json:"group_cover"`
	IsFollow          int          `json:"is_follow"`
	IsDnd             int          `json:"is_dnd"`
	AckSeqno          uint64       `json:"ack_seqno"`
	AckTs             int64        `json:"ack_ts"`
	SessionTs         int64        `json:"session_ts"`
	UnreadCount       int64        `json:"unread_count"`
	LastMsg           *messageJSON `json:"last_msg"`
	GroupType         int          `json:"group_type"`
	CanFold           int          `json:"can_fold"`
	Status            int          `json:"status"`
	MaxSeqno          uint64       `json:"max_seqno"`
	NewPushMsg        int          `json:"new_push_msg"`
	Setting           int          `json:"setting"`
	IsGuardian        int          `json:"is_guardian"`
	IsIntercept       int          `json:"is_intercept"`
	IsTrust           int          `json:"is_trust"`
	SystemMsgType     int          `json:"system_msg_type"`
	AccountInfo       *accountInfo `json:"account_info,omitempty"` // system sessions only
	LiveStatus        int          `json:"live_status"`
	BizMsgUnreadCount int          `json:"biz_msg_unread_count"`
	UserLabel         *struct{}    `json:"user_label"` // always null (catalog §9 item 50)
}

type accountInfo struct {
	Name   string `json:"name"`
	PicURL string `json:"pic_url"`
}

// messageJSON is the message object (catalog §2.2).
type messageJSON struct {
	SenderUID    uint64   `json:"sender_uid"`
	ReceiverType int      `json:"receiver_type"`
	ReceiverID   uint64   `json:"receiver_id"`
	MsgType      int      `json:"msg_type"`
	Content      string   `json:"content"`
	MsgSeqno     uint64   `json:"msg_seqno"`
	Timestamp    int64    `json:"timestamp"`
	AtUIDs       []uint64 `json:"at_uids"` // null: nobody mentioned (catalog §9 item 8)
	MsgKey       uint64   `json:"msg_key"`
	MsgStatus    int      `json:"msg_status"`
	SysCancel    bool     `json:"sys_cancel,omitempty"` // only when true
	NotifyCode   string   `json:"notify_code"`
	// new_face_version is omitted when 0 (catalog §9 item 9).
	NewFaceVersion int `json:"new_face_version,omitempty"`
	MsgSource      int `json:"msg_source"`
}

func b01(b bool) int {
	if b {
		return 1
	}
	return 0
}

func toSessionJSON(v im.SessionView) sessionJSON {
	s := v.Session
	out := sessionJSON{
		TalkerID: s.Talker, SessionType: s.Type, TopTs: s.TopTs,
		IsFollow: b01(s.IsFollow), IsDnd: b01(s.IsDnd), AckSeqno: s.AckSeqno, AckTs: s.AckTs,
		SessionTs: s.SessionTs, UnreadCount: s.Unread, MaxSeqno: s.MaxSeqno, Setting: s.PushSetting,
		IsIntercept: b01(s.Intercept), IsTrust: b01(s.Trust),
		// can_fold: the session may fold into the "unfollowed" folder (upstream's reading).
		CanFold: b01(s.Type == 1 && !s.IsFollow),
	}
	if acct, ok := im.SystemAccountOf(s.Talker); ok && s.SystemType != 0 {
		// A system account's session (catalog §2.1): is_follow 1, account_info, and the
		// unread pushes as new_push_msg and biz_msg_unread_count.
		out.SystemMsgType, out.AccountInfo = acct.Type, &accountInfo{Name: acct.Name, PicURL: acct.Pic}
		out.IsFollow, out.NewPushMsg, out.BizMsgUnreadCount = 1, b01(s.Unread > 0), int(s.Unread)
	}
	if g := v.Group; g != nil {
		// A fan-group session: is_follow and can_fold stay 0 (catalog §2.1).
		out.AtSeqno, out.GroupName, out.GroupCover, out.GroupType = v.AtSeqno, g.Name, g.Cover, g.Type
	}
	if v.LastMsg != nil {
		m := toMessageJSON(*v.LastMsg)
		out.LastMsg = &m
	}
	return out
}

func toMessageJSON(m store.Message) messageJSON {
	return messageJSON{
		SenderUID: m.SenderUID, ReceiverType: m.ReceiverType, ReceiverID: m.ReceiverID, MsgType: m.MsgType,
		Content: m.Content, MsgSeqno: m.Seqno, Timestamp: m.Timestamp, AtUIDs: m.AtUIDs(), MsgKey: m.Key,
		MsgStatus: m.Status, NotifyCode: m.NotifyCode, NewFaceVersion: m.NewFaceVersion, MsgSource: m.Source,
	}
}
