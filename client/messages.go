package client

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// HistoryOptions choose a window of a conversation's history (P17). Both bounds are
// exclusive. Neither: the latest Size messages; EndSeqno only: the Size messages just
// below it (scrolling back); BeginSeqno only: the Size messages just above it (catching
// up).
type HistoryOptions struct {
	Size       int // 0 means 20 (bilibili answers only system hints for size 0); bilibili allows 2000, bilimsg serves ≤ 200 a window
	BeginSeqno uint64
	EndSeqno   uint64
}

// History is a window of messages, newest first.
type History struct {
	Messages []Message   `json:"messages"`
	HasMore  int         `json:"has_more"`  // 1: more messages beyond the window, in its direction
	MinSeqno uint64      `json:"min_seqno"` // 2^64−1 when there are no messages
	MaxSeqno uint64      `json:"max_seqno"` // 0 when there are no messages
	EInfos   []EmojiInfo `json:"e_infos,omitempty"`
}

// DefaultHistorySize is the window used when HistoryOptions.Size is 0.
const DefaultHistorySize = 20

// Messages returns one window of a conversation's history (P17 fetch_session_msgs). It
// does not mark anything read. AllMessages walks the whole history.
func (c *Client) Messages(ctx context.Context, t Talker, opt HistoryOptions) (*History, error) {
	q := vals(t.params())
	size := opt.Size
	if size == 0 {
		size = DefaultHistorySize
	}
	q.Set("size", strconv.Itoa(size))
	if opt.BeginSeqno != 0 {
		q.Set("begin_seqno", u64(opt.BeginSeqno))
	}
	if opt.EndSeqno != 0 {
		q.Set("end_seqno", u64(opt.EndSeqno))
	}
	q.Set("sender_device_id", "1")
	q.Set("mobi_app", "web")
	var out History
	return &out, c.call(ctx, endpoint{path: "/svr_sync/v1/svr_sync/fetch_session_msgs"}, q, &out)
}

// Outgoing is a message to send (P19): the raw form of SendText, SendImage and Recall.
type Outgoing struct {
	To      Talker
	MsgType int    // MsgText, MsgImage or MsgRecall
	Content string // the content as bilibili wants it: JSON for text and images, the msg_key for a recall
	// OldEmoji sends new_face_version 0: old emoji names such as [doge] are converted to
	// the new set by the server. By default (false) names are taken as the new set.
	OldEmoji bool
}

// SendResult is what send_msg answers.
type SendResult struct {
	MsgKey      uint64      `json:"msg_key"`
	EInfos      []EmojiInfo `json:"e_infos,omitempty"`
	MsgContent  string      `json:"msg_content,omitempty"`
	KeyHitInfos *KeyHit     `json:"key_hit_infos,omitempty"` // text to a user only; empty when nothing was hit
}

// KeyHit reports that a text touched one of bilibili's warning keywords: the message
// was sent, and the sender is shown Toast.
type KeyHit struct {
	Toast    string            `json:"toast,omitempty"`
	RuleID   int64             `json:"rule_id,omitempty"`
	HighText []json.RawMessage `json:"high_text,omitempty"`
}

// Send sends a message (P19 send_msg). Bilibili's WBI signature is not added: bilibili
// documents it as optional.
func (c *Client) Send(ctx context.Context, m Outgoing) (*SendResult, error) {
	if c.cred.Mid == 0 {
		return nil, errors.New("client: sending needs Credentials.Mid (DedeUserID)")
	}
	rt := m.To.Type
	if rt == 0 {
		rt = SessionUser
	}
	q := url.Values{
		"msg[sender_uid]":       {u64(c.cred.Mid)},
		"msg[receiver_id]":      {u64(m.To.ID)},
		"msg[receiver_type]":    {strconv.Itoa(rt)},
		"msg[msg_type]":         {strconv.Itoa(m.MsgType)},
		"msg[msg_status]":       {"0"},
		"msg[dev_id]":           {c.newDevID()},
		"msg[timestamp]":        {i64(c.now().Unix())},
		"msg[new_face_version]": {b01(!m.OldEmoji)},
		"msg[content]":          {m.Content},
	}
	var out SendResult
	if err := c.call(ctx, endpoint{path: "/web_im/v1/web_im/send_msg", post: true}, q, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// SendText sends a text message. Emoji are written by name, such as [tv_doge].
func (c *Client) SendText(ctx context.Context, to Talker, text string) (*SendResult, error) {
	b, err := json.Marshal(struct {
		Content string `json:"content"`
	}{text})
	if err != nil {
		return nil, err
	}
	return c.Send(ctx, Outgoing{To: to, MsgType: MsgText, Content: string(b)})
}

// SendImage sends an image that is already on bilibili's image host (others answer
// 21037).
func (c *Client) SendImage(ctx context.Context, to Talker, img Image) (*SendResult, error) {
	b, err := json.Marshal(img)
	if err != nil {
		return nil, err
	}
	return c.Send(ctx, Outgoing{To: to, MsgType: MsgImage, Content: string(b)})
}

// Recall withdraws one of my messages in the conversation, within 120 s of sending it.
func (c *Client) Recall(ctx context.Context, in Talker, msgKey uint64) (*SendResult, error) {
	return c.Send(ctx, Outgoing{To: in, MsgType: MsgRecall, Content: u64(msgKey)})
}

// uuid4 is a random version-4 UUID in upper case, as bilibili's web page sends dev_id.
func uuid4() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return strings.ToUpper(fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]))
}
