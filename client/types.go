package client

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// Session types (a session object's session_type; not get_sessions' categories).
const (
	SessionUser  = 1 // a user, or a system account when SystemMsgType ≠ 0
	SessionGroup = 2 // a fan group (应援团)
)

// Talker names a conversation: a user (or system account) or a fan group.
type Talker struct {
	ID   uint64 // the user's mid or the group's id
	Type int    // SessionUser or SessionGroup
}

// User is the conversation with user mid.
func User(mid uint64) Talker { return Talker{ID: mid, Type: SessionUser} }

// Group is the conversation of fan group id.
func Group(id uint64) Talker { return Talker{ID: id, Type: SessionGroup} }

// String is "user:<mid>" or "group:<id>"; ParseTalker reads it back.
func (t Talker) String() string {
	if t.Type == SessionGroup {
		return "group:" + strconv.FormatUint(t.ID, 10)
	}
	return "user:" + strconv.FormatUint(t.ID, 10)
}

// ParseTalker reads "user:<mid>", "group:<id>", or a bare mid (a user).
func ParseTalker(s string) (Talker, error) {
	typ, num := SessionUser, s
	switch {
	case len(s) > 5 && s[:5] == "user:":
		num = s[5:]
	case len(s) > 6 && s[:6] == "group:":
		typ, num = SessionGroup, s[6:]
	}
	id, err := strconv.ParseUint(num, 10, 64)
	if err != nil || id == 0 {
		return Talker{}, fmt.Errorf("talker %q: want a mid, user:<mid> or group:<id>", s)
	}
	return Talker{ID: id, Type: typ}, nil
}

func (t Talker) params() map[string]string {
	typ := t.Type
	if typ == 0 {
		typ = SessionUser
	}
	return map[string]string{"talker_id": strconv.FormatUint(t.ID, 10), "session_type": strconv.Itoa(typ)}
}

// Session is bilibili's session object (one conversation in a list). Flags that
// bilibili sends as 0/1 numbers stay ints here.
type Session struct {
	TalkerID          uint64       `json:"talker_id"`
	SessionType       int          `json:"session_type"`
	AtSeqno           uint64       `json:"at_seqno"` // latest unread message that @-mentions me (groups)
	TopTs             int64        `json:"top_ts"`   // µs when pinned, 0 when not
	GroupName         string       `json:"group_name"`
	GroupCover        string       `json:"group_cover"`
	IsFollow          int          `json:"is_follow"`
	IsDnd             int          `json:"is_dnd"`
	AckSeqno          uint64       `json:"ack_seqno"`
	AckTs             int64        `json:"ack_ts"`     // µs
	SessionTs         int64        `json:"session_ts"` // µs
	UnreadCount       int64        `json:"unread_count"`
	LastMsg           *Message     `json:"last_msg"`
	GroupType         int          `json:"group_type"`
	CanFold           int          `json:"can_fold"`
	Status            int          `json:"status"`
	MaxSeqno          uint64       `json:"max_seqno"`
	NewPushMsg        int          `json:"new_push_msg"`
	Setting           int          `json:"setting"`
	IsGuardian        int          `json:"is_guardian"`
	IsIntercept       int          `json:"is_intercept"`
	IsTrust           int          `json:"is_trust"`
	SystemMsgType     int          `json:"system_msg_type"` // 0: not a system account
	AccountInfo       *AccountInfo `json:"account_info,omitempty"`
	LiveStatus        int          `json:"live_status"`
	BizMsgUnreadCount int          `json:"biz_msg_unread_count"`
	UserLabel         any          `json:"user_label"`
}

// Talker is the session's conversation.
func (s Session) Talker() Talker { return Talker{ID: s.TalkerID, Type: s.SessionType} }

// AccountInfo names a system account (UP主小助手 and the like).
type AccountInfo struct {
	Name   string `json:"name"`
	PicURL string `json:"pic_url"`
}

// Message types (msg_type) a program most often meets.
const (
	MsgText         = 1
	MsgImage        = 2
	MsgRecall       = 5
	MsgShare        = 7
	MsgNotification = 10
	MsgVideoPush    = 11
	MsgArticlePush  = 12
	MsgHint         = 18
	MsgGroupSystem  = 301 // and up: fan-group system messages (302 left, 306 joined, …)
)

// Message is bilibili's message object.
type Message struct {
	SenderUID      uint64   `json:"sender_uid"` // 0 for fan-group system messages
	ReceiverType   int      `json:"receiver_type"`
	ReceiverID     uint64   `json:"receiver_id"`
	MsgType        int      `json:"msg_type"`
	Content        string   `json:"content"` // a JSON object as a string; Text and Image read it
	MsgSeqno       uint64   `json:"msg_seqno"`
	Timestamp      int64    `json:"timestamp"` // seconds
	AtUIDs         []uint64 `json:"at_uids"`
	MsgKey         uint64   `json:"msg_key"`
	MsgStatus      int      `json:"msg_status"` // 0 normal, 1 recalled by the sender
	SysCancel      bool     `json:"sys_cancel,omitempty"`
	NotifyCode     string   `json:"notify_code"`
	NewFaceVersion int      `json:"new_face_version,omitempty"`
	MsgSource      int      `json:"msg_source"`
}

// Talker is the conversation the message belongs to, seen by user me.
func (m Message) Talker(me uint64) Talker {
	switch {
	case m.ReceiverType == SessionGroup:
		return Group(m.ReceiverID)
	case m.SenderUID == me:
		return User(m.ReceiverID)
	default:
		return User(m.SenderUID)
	}
}

// Text is a text message's words (the content's "content" field); ok is false for other
// message types or content that is not the expected JSON.
func (m Message) Text() (text string, ok bool) {
	if m.MsgType != MsgText && m.MsgType < MsgGroupSystem {
		return "", false
	}
	var c struct {
		Content *string `json:"content"`
	}
	if json.Unmarshal([]byte(m.Content), &c) != nil || c.Content == nil {
		return "", false
	}
	return *c.Content, true
}

// Image is the content of an image message (msg_type 2).
type Image struct {
	URL       string  `json:"url"`
	Height    int     `json:"height"`
	Width     int     `json:"width"`
	ImageType string  `json:"imageType,omitempty"`
	Original  int     `json:"original,omitempty"`
	Size      float64 `json:"size,omitempty"` // KiB
}

// Image reads an image message's content; ok is false for other messages.
func (m Message) Image() (img Image, ok bool) {
	if m.MsgType != MsgImage || json.Unmarshal([]byte(m.Content), &img) != nil || img.URL == "" {
		return Image{}, false
	}
	return img, true
}

// RecalledKey is the msg_key a recall message (msg_type 5) withdraws.
func (m Message) RecalledKey() (uint64, bool) {
	if m.MsgType != MsgRecall {
		return 0, false
	}
	k, err := strconv.ParseUint(m.Content, 10, 64)
	return k, err == nil
}

// EmojiInfo describes an emoji used in text (e_infos).
type EmojiInfo struct {
	Text   string `json:"text"`
	URL    string `json:"url"`
	Size   int    `json:"size"`
	GifURL string `json:"gif_url,omitempty"`
}
