package wire

import (
	"github.com/bilimsg/bilimsg/internal/emoji"
	"github.com/bilimsg/bilimsg/internal/im"
)

type keyHitJSON struct {
	Toast    string     `json:"toast,omitempty"`
	RuleID   int        `json:"rule_id,omitempty"`
	HighText []struct{} `json:"high_text,omitempty"`
}

type sendJSON struct {
	MsgKey      uint64       `json:"msg_key"`
	EInfos      []emoji.Info `json:"e_infos,omitempty"`
	MsgContent  *string      `json:"msg_content,omitempty"`
	KeyHitInfos *keyHitJSON  `json:"key_hit_infos,omitempty"`
}

// sendMsg is P19. WBI parameters (w_rid, wts, w_*) are accepted and ignored; dev_id and
// timestamp must be present but are not checked further (catalog §9 items 18, 20).
func (h *Handler) sendMsg(c *call) (any, error) {
	sender, err := c.p.reqUint("msg[sender_uid]")
	if err != nil {
		return nil, err
	}
	if sender != c.me.Mid {
		return nil, im.ErrBadRequest
	}
	receiver, err := c.p.reqUint("msg[receiver_id]")
	if err != nil {
		return nil, err
	}
	// The seeds' own examples send "msg[receiver_type] " — trimmed to the name — and
	// older ones omit it; it defaults to 1 (catalog §9 item 19).
	rtype, err := c.p.optInt("msg[receiver_type]", 1)
	if err != nil {
		return nil, err
	}
	mtype, err := c.p.reqInt("msg[msg_type]")
	if err != nil {
		return nil, err
	}
	if _, err := c.p.reqInt("msg[timestamp]"); err != nil {
		return nil, err
	}
	if dev, ok, err := c.p.str("msg[dev_id]"); err != nil || !ok || dev == "" {
		return nil, im.ErrBadRequest
	}
	if _, err := c.p.optInt("msg[msg_status]", 0); err != nil {
		return nil, err
	}
	nfv, err := c.p.optInt("msg[new_face_version]", 0)
	if err != nil {
		return nil, err
	}
	content, ok, err := c.p.str("msg[content]")
	if err != nil || !ok || content == "" {
		return nil, im.ErrBadRequest
	}
	if mtype < -1<<31 || mtype > 1<<31 {
		return nil, im.ErrTypeUnsupported
	}
	res, err := c.svc.Send(c.ctx, im.SendRequest{Sender: sender, ReceiverType: int(rtype), Receiver: receiver,
		MsgType: int(mtype), Content: content, NewFaceVersion: b01(nfv != 0)})
	if err != nil {
		return nil, err
	}
	out := sendJSON{MsgKey: res.MsgKey}
	if res.Text {
		out.EInfos = res.EInfos
		out.MsgContent = &res.MsgContent
		// key_hit_infos only for msg_type 1 to a user (catalog P19; both sources agree), {}
		// when nothing was hit; msg_content for every text, fan groups included (§9 item 46).
		if rtype == 1 {
			out.KeyHitInfos = &keyHitJSON{}
			if res.KeyHit != nil {
				out.KeyHitInfos = &keyHitJSON{Toast: res.KeyHit.Toast, RuleID: res.KeyHit.RuleID, HighText: []struct{}{{}}}
			}
		}
	}
	return out, nil
}
