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
	// active: the sender actively wrote it, which frees the receiver from the one-message
	// rule; counted: it counts as one of the sender's messages for that rule. A user's
	// send is both; an auto-reply only counted.
	active, counted bool
	// intercept routes the message to the receiver's dustbin (block words, smart
	// interception), unless the receiver trusts the session.
	intercept bool
	// autoReplyAt, when non-zero, records a received-message auto-reply in the sender's
	// session.
	autoReplyAt int64
	// fromSess is the sender's session when the caller has already read it in this
	// transaction (and not changed it since): deliver then skips reading it again.
	fromSess *store.Session
	// notifyCode is a push's notify_code; systemType, when not 0, marks the receiver's
	// session as the one with that system account (system pushes).
	notifyCode string
	systemType int
}

// delivered is a stored message and the sessions it changed.
type delivered struct {
	msg      store.Message
	fromSess store.Session
	toSess   store.Session // zero for a message only the sender sees
}

// Send applies bilibili's sending rules and stores the message (catalog §3 P19, §9).
func (s *Service) Send(ctx context.Context, req SendRequest) (SendResult, error) {
	var res SendResult
	if req.ReceiverType != 1 && req.ReceiverType != 2 {
		return res, ErrBadRequest
	}
	switch req.MsgType {
	case MsgText, MsgImage, MsgRecall:
	default:
		return res, ErrTypeUnsupported
	}
	if req.ReceiverType == 1 && req.Receiver == req.Sender {
		return res, ErrToSelf
	}
	if _, ok := SystemAccountOf(req.Receiver); ok && req.ReceiverType == 1 {
		// System accounts only push; writing to one is refused like a closed inbox
		// (docs/feed.md).
		return res, ErrPrivacy
	}
	if len(req.Content) > MaxContentBytes {
		return res, ErrTooLong
	}
	content, nfv := req.Content, req.NewFaceVersion
	var recallKey uint64
	var text string
	switch req.MsgType {
	case MsgText:
		if nfv == 0 {
			// Old clients write old emoji names; bilibili rewrites them at send time and
			// the message is stored in the new set (catalog §9 item 10).
			content, nfv = s.emoji.Convert(content), 1
		}
		t, e := ParseText(content)
		if e != nil {
			return res, e
		}
		text = t
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
	err := s.update(ctx, func(ctx context.Context, tx store.Tx) error {
		if req.ReceiverType == 2 {
			var err error
			res.MsgKey, err = s.sendGroup(ctx, tx, req, content, nfv, text, recallKey, now)
			return err
		}
		pair, err := tx.GetPair(ctx, req.Sender, req.Receiver)
		if err != nil {
			return err
		}
		if !pair.TargetExists {
			return ErrBadRequest
		}
		if req.MsgType == MsgRecall {
			if err := blocked(pair); err != nil {
				return err
			}
			m, err := s.recall(ctx, tx, req.Sender, req.Receiver, recallKey, content, nfv, now)
			res.MsgKey = m.Key
			return err
		}
		mySess, err := loadSession(ctx, tx, req.Sender, 1, req.Receiver)
		if err != nil {
			return err
		}
		theirSettings := settingsOfPair(pair)
		adm, err := s.admit(ctx, tx, req.Receiver, pair, mySess, theirSettings, text)
		if err != nil {
			return err
		}
		d, err := s.post(ctx, tx, adm, mySess, delivery{from: req.Sender, to: req.Receiver, msgType: req.MsgType,
			content: content, source: SourceWeb, nfv: nfv, countsUnread: true, ackSender: true, active: true,
			counted: true}, now)
		if err != nil {
			return err
		}
		res.MsgKey = d.msg.Key
		return s.replyToMessage(ctx, tx, theirSettings, pair, d, text, now)
	})
	if err != nil {
		undo()
		return SendResult{}, s.internal("send", err)
	}
	return res, nil
}

// blocked refuses a message when either user blocks the other: 25005 when the sender
// blocks, and for a block by the receiver the privacy refusal 25003, which does not
// reveal the block.
func blocked(pair store.Pair) error {
	if pair.Mine.Blocking {
		return ErrIBlocked
	}
	if pair.Theirs.Blocking {
		return ErrPrivacy
	}
	return nil
}

// admission is what the rules decided about one message between two users.
type admission struct {
	free      bool // the one-message rule does not hold the sender back
	intercept bool // the message goes to the receiver's dustbin
}

// admit applies the rules that every message between two users obeys, a user's own or an
// auto-reply (catalog §9 item 13; docs/settings.md):
//   - blocks either way (25005, 25003);
//   - the receiver's receive_unfollow_msg = 0: only people the receiver follows, or has
//     written to, get through (25003);
//   - the one-message rule (21047);
//
// and decides whether the message goes to the receiver's dustbin: a text from someone the
// receiver does not follow that contains one of the receiver's block words, or, with
// ai_intercept on, a stranger's text with links or contact details. pair is seen from the
// sender; fromSess is the sender's session with the receiver; text is the message's text
// ("" when it has none).
func (s *Service) admit(ctx context.Context, tx store.Tx, to uint64, pair store.Pair, fromSess store.Session,
	toSettings store.Settings, text string) (admission, error) {
	if err := blocked(pair); err != nil {
		return admission{}, err
	}
	followed := pair.Theirs.Following
	// TalkerActive on the sender's session: the receiver has actively written to the sender.
	wroteBack := fromSess.TalkerActive
	if toSettings.ReceiveUnfollowMsg == 0 && !followed && !wroteBack {
		return admission{}, ErrPrivacy
	}
	adm := admission{free: followed || wroteBack}
	if !adm.free && fromSess.MySent >= 1 {
		return admission{}, ErrOneMessage
	}
	if followed || text == "" {
		return adm, nil
	}
	if toSettings.AIIntercept == 1 && !wroteBack && s.spam.suspicious(text) {
		adm.intercept = true
		return adm, nil
	}
	// One row, whatever the number of words: the index they were folded into.
	index, err := tx.GetMatchIndex(ctx, to, store.IndexBlockWords)
	_, adm.intercept = matchIndex(index, text)
	return adm, err
}

// post delivers an admitted message and, when the one-message rule holds and this is the
// sender's first message, the hint that tells the sender so (catalog §9 item 13).
func (s *Service) post(ctx context.Context, tx store.Tx, adm admission, fromSess store.Session, d delivery, now time.Time) (delivered, error) {
	d.intercept, d.fromSess = adm.intercept, &fromSess
	out, err := s.deliver(ctx, tx, d, now)
	if err != nil || adm.free || fromSess.MySent != 0 {
		return out, err
	}
	hint, err := s.deliver(ctx, tx, delivery{from: d.from, to: d.to, msgType: MsgHint, content: hintContent,
		source: SourceHint, visibleTo: d.from, ackSender: d.ackSender, fromSess: &out.fromSess}, now)
	out.fromSess = hint.fromSess
	return out, err
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
	d, err := s.deliver(ctx, tx, delivery{from: sender, to: receiver, msgType: MsgRecall, content: content,
		source: SourceWeb, nfv: nfv, ackSender: true}, now)
	return d.msg, err
}

// deliver stores a message and updates both parties' sessions and counters.
func (s *Service) deliver(ctx context.Context, tx store.Tx, d delivery, now time.Time) (delivered, error) {
	var out delivered
	seq, err := tx.NextSeqno(ctx)
	if err != nil {
		return out, err
	}
	key, err := tx.NextMsgKey(ctx, now.UnixMilli())
	if err != nil {
		return out, err
	}
	m := store.Message{Key: key, Seqno: seq, Conv: store.ConvOf(d.from, d.to), SenderUID: d.from, ReceiverType: 1,
		ReceiverID: d.to, MsgType: d.msgType, Content: d.content, Timestamp: now.Unix(), NewFaceVersion: d.nfv,
		Source: d.source, VisibleTo: d.visibleTo, CountsUnread: d.countsUnread, NotifyCode: d.notifyCode}
	out.msg = m
	if err := tx.InsertMessage(ctx, m); err != nil {
		return out, err
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
			return out, err
		}
		before := sess
		sess.MaxSeqno, sess.LastMsgKey, sess.SessionTs, sess.Hidden = seq, key, us, false
		switch {
		case side.sender && d.ackSender:
			sess.AckSeqno, sess.AckTs, sess.Unread = seq, us, 0
		case !side.sender && d.countsUnread:
			sess.Unread++
		}
		if side.sender {
			if d.counted {
				sess.MySent++
			}
			if d.autoReplyAt != 0 {
				sess.AutoReplyAt = d.autoReplyAt
			}
		} else {
			if d.active {
				sess.TalkerActive = true
			}
			if d.intercept && !sess.Trust {
				sess.Intercept = true
			}
			if d.systemType != 0 {
				// System sessions count as followed (is_follow 1) and never fold away.
				sess.SystemType, sess.IsFollow = d.systemType, true
			}
		}
		if err := saveSession(ctx, tx, before, sess); err != nil {
			return out, err
		}
		if side.sender {
			out.fromSess = sess
		} else {
			out.toSess = sess
		}
		msg := m
		note(ctx, side.owner, Event{Kind: EventMessage, Talker: side.talker, Type: 1, Message: &msg, Unread: sess.Unread,
			Intercept: sess.Intercept})
	}
	return out, nil
}
