package im

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/bilimsg/bilimsg/internal/emoji"
	"github.com/bilimsg/bilimsg/internal/store"
)

// SendRequest is one send_msg call, already parsed.
type SendRequest struct {
	Sender         uint64
	ReceiverType   int
	Receiver       uint64
	MsgType        int
	Content        string
	NewFaceVersion int
}

// SendResult is what send_msg answers on success.
type SendResult struct {
	MsgKey uint64
	// Text is true for msg_type 1: then MsgContent, EInfos and KeyHit are meaningful.
	Text       bool
	MsgContent string
	EInfos     []emoji.Info
	KeyHit     *KeyHit // nil when no rule was hit
}

// KeyHit is a keyword warning (key_hit_infos) shown to the sender.
type KeyHit struct {
	Toast  string
	RuleID int
}

// keyRules is the small built-in keyword list: the one rule bilibili's docs show
// (catalog §9 item 45), warning about payment requests.
var keyRules = []struct {
	word string
	hit  KeyHit
}{
	{"支付宝", KeyHit{RuleID: 2, Toast: "【温馨提示】为保障消费者权益，根据平台规则，如创作者在与消费者沟通中进行发布要求非法转账、欺诈转账等违规行为，平台有权对此进行处罚，感谢您的理解。"}},
}

// delivery is one message to put into a 1:1 conversation.
type delivery struct {
	from, to     uint64
	msgType      int
	content      string
	source       int
	nfv          int
	visibleTo    uint64 // 0: both see it; else only this mid
	countsUnread bool   // the receiver's unread count goes up
	ackSender    bool   // the sender's session is marked read up to this message
	active       bool   // the sender actively wrote it (counts for the one-message rule)
	// fromSess is the sender's session when the caller has already read it in this
	// transaction (and not changed it since): deliver then skips reading it again.
	fromSess *store.Session
}

// Send applies bilibili's sending rules and stores the message (catalog §3 P19, §9).
func (s *Service) Send(ctx context.Context, req SendRequest) (SendResult, error) {
	var res SendResult
	if req.ReceiverType == 2 {
		// Fan groups arrive with the groups work; until then no one is a member.
		return res, ErrNotGroupMember
	}
	if req.ReceiverType != 1 {
		return res, ErrBadRequest
	}
	switch req.MsgType {
	case MsgText, MsgImage, MsgRecall:
	default:
		return res, ErrTypeUnsupported
	}
	if req.Receiver == req.Sender {
		return res, ErrToSelf
	}
	if len(req.Content) > MaxContentBytes {
		return res, ErrTooLong
	}
	content, nfv := req.Content, req.NewFaceVersion
	var recallKey uint64
	switch req.MsgType {
	case MsgText:
		if nfv == 0 {
			// Old clients write old emoji names; bilibili rewrites them at send time and
			// the message is stored in the new set (catalog §9 item 10).
			content, nfv = s.emoji.Convert(content), 1
		}
		text, e := ParseText(content)
		if e != nil {
			return res, e
		}
		// msg_content echoes the submitted text, even when emoji names were rewritten
		// for storage (catalog §8.4).
		res.Text, res.MsgContent = true, req.Content
		res.EInfos = s.emoji.Find(text)
		for _, r := range keyRules {
			if strings.Contains(text, r.word) {
				hit := r.hit
				res.KeyHit = &hit
				break
			}
		}
	case MsgImage:
		if e := ParseImage(content); e != nil {
			return res, e
		}
	case MsgRecall:
		k, e := ParseRecall(content)
		if e != nil {
			return res, e
		}
		recallKey = k
	}

	now := s.clock.Now()
	undo, e := s.limits.take(req.Sender, now)
	if e != nil {
		return res, e
	}
	err := s.st.Update(ctx, func(tx store.Tx) error {
		pair, err := tx.GetPair(ctx, req.Sender, req.Receiver)
		if err != nil {
			return err
		}
		if !pair.TargetExists {
			return ErrBadRequest
		}
		mine, theirs := pair.Mine, pair.Theirs
		if mine.Blocking {
			return ErrIBlocked
		}
		if theirs.Blocking {
			// Refused without saying why: the sender must not learn they are blocked.
			return ErrPrivacy
		}
		if req.MsgType == MsgRecall {
			m, err := s.recall(ctx, tx, req.Sender, req.Receiver, recallKey, content, nfv, now)
			res.MsgKey = m.Key
			return err
		}
		mySess, err := loadSession(ctx, tx, req.Sender, 1, req.Receiver)
		if err != nil {
			return err
		}
		// The one-message rule (21047, catalog §9 item 13).
		free := theirs.Following || mySess.TalkerActive
		if !free && mySess.MySent >= 1 {
			return ErrOneMessage
		}
		m, err := s.deliver(ctx, tx, delivery{from: req.Sender, to: req.Receiver, msgType: req.MsgType,
			content: content, source: SourceWeb, nfv: nfv, countsUnread: true, ackSender: true, active: true,
			fromSess: &mySess}, now)
		if err != nil {
			return err
		}
		res.MsgKey = m.Key
		if !free && mySess.MySent == 0 {
			_, err = s.deliver(ctx, tx, delivery{from: req.Sender, to: req.Receiver, msgType: MsgHint,
				content: hintContent, source: SourceHint, visibleTo: req.Sender, ackSender: true}, now)
		}
		return err
	})
	if err != nil {
		undo()
		return SendResult{}, s.internal("send", err)
	}
	return res, nil
}

// recall withdraws the sender's own message key in the conversation with receiver.
func (s *Service) recall(ctx context.Context, tx store.Tx, sender, receiver, key uint64, content string, nfv int, now time.Time) (store.Message, error) {
	target, err := tx.GetMessage(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return target, ErrMsgKeyNotFound
	}
	if err != nil {
		return target, err
	}
	// Someone else's message, another conversation, a hint, a recall or the automatic
	// mutual-follow greeting: all "not found", so that a recall cannot probe for other
	// people's messages (catalog §9 item 12) and only what the sender wrote can be taken back.
	if target.Conv != store.ConvOf(sender, receiver) || target.SenderUID != sender || target.VisibleTo != 0 ||
		(target.MsgType != MsgText && target.MsgType != MsgImage) || target.Source != SourceWeb || target.Status == 2 {
		return target, ErrMsgKeyNotFound
	}
	if target.Status == 1 {
		return target, ErrAlreadyRecalled
	}
	if now.Unix()-target.Timestamp > 120 {
		return target, ErrRecallExpired
	}
	if err := tx.SetMessageStatus(ctx, key, 1); err != nil {
		return target, err
	}
	return s.deliver(ctx, tx, delivery{from: sender, to: receiver, msgType: MsgRecall, content: content,
		source: SourceWeb, nfv: nfv, ackSender: true}, now)
}

// deliver stores a message and updates both parties' sessions and counters.
func (s *Service) deliver(ctx context.Context, tx store.Tx, d delivery, now time.Time) (store.Message, error) {
	seq, err := tx.NextSeqno(ctx)
	if err != nil {
		return store.Message{}, err
	}
	key, err := tx.NextMsgKey(ctx, now.UnixMilli())
	if err != nil {
		return store.Message{}, err
	}
	m := store.Message{Key: key, Seqno: seq, Conv: store.ConvOf(d.from, d.to), SenderUID: d.from, ReceiverType: 1,
		ReceiverID: d.to, MsgType: d.msgType, Content: d.content, Timestamp: now.Unix(), NewFaceVersion: d.nfv,
		Source: d.source, VisibleTo: d.visibleTo, CountsUnread: d.countsUnread}
	if err := tx.InsertMessage(ctx, m); err != nil {
		return m, err
	}
	us := s.tsUs(now)
	for _, side := range [2]struct {
		owner, talker uint64
		sender        bool
	}{{d.from, d.to, true}, {d.to, d.from, false}} {
		if d.visibleTo != 0 && d.visibleTo != side.owner {
			continue
		}
		var sess store.Session
		if side.sender && d.fromSess != nil {
			sess = *d.fromSess
		} else if sess, err = loadSession(ctx, tx, side.owner, 1, side.talker); err != nil {
			return m, err
		}
		before := sess
		sess.MaxSeqno, sess.LastMsgKey, sess.SessionTs, sess.Hidden = seq, key, us, false
		switch {
		case side.sender && d.ackSender:
			sess.AckSeqno, sess.AckTs, sess.Unread = seq, us, 0
		case !side.sender && d.countsUnread:
			sess.Unread++
		}
		if d.active {
			if side.sender {
				sess.MySent++
			} else {
				sess.TalkerActive = true
			}
		}
		if err := saveSession(ctx, tx, before, sess); err != nil {
			return m, err
		}
	}
	return m, nil
}
