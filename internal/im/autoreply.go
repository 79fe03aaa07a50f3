package im

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/bilimsg/bilimsg/internal/store"
)

// Auto-replies are messages the server writes on a user's behalf: when someone follows
// them (followed_reply, msg_source 8, and the works card of recommend_followed_reply),
// when a keyword matches a received text (keys_reply, 10), on a received message at most
// once per talker per period (recv_reply, 9), and when someone buys a guard (voyage_reply,
// 11). They are written in the transaction of the event that caused them, obey the rules
// of every message between users (admit) and never cause another auto-reply: only a
// user's own send, a follow and a guard purchase trigger them, so two auto-replying users
// cannot loop.

// textContent is a msg_type 1 content for text, encoded like bilibili's (no HTML
// escaping of <, > and &).
func textContent(text string) string {
	return jsonContent(map[string]string{"content": text})
}

func jsonContent(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // maps of strings and plain structs always encode
	return string(bytes.TrimRight(b.Bytes(), "\n"))
}

// replyToMessage answers a user's message d, received by d.msg.ReceiverID, with the
// receiver's keyword reply or else their received-message reply. Messages that went to
// the dustbin and recalls get no answer. pair is seen from the original sender.
func (s *Service) replyToMessage(ctx context.Context, tx store.Tx, upSettings store.Settings, pair store.Pair,
	d delivered, text string, now time.Time) error {
	if d.toSess.Intercept || d.msg.MsgType == MsgRecall {
		return nil
	}
	up, fan := d.msg.ReceiverID, d.msg.SenderUID
	// The pair seen from the replier, with the fan's settings, read only when a reply is due.
	var back store.Pair
	reverse := func() error {
		st, err := settingsOf(ctx, tx, fan)
		back = store.Pair{TargetExists: true, Mine: pair.Theirs, Theirs: pair.Mine, TargetSettings: &st}
		return err
	}
	if upSettings.KeysReply == 1 && d.msg.MsgType == MsgText {
		// One row, whatever the number of rules: the index the rules were folded into.
		index, err := tx.GetMatchIndex(ctx, up, store.IndexReplyRules)
		if err != nil {
			return err
		}
		if id, ok := matchIndex(index, text); ok {
			r, err := tx.GetAutoReply(ctx, id)
			if err != nil {
				return err
			}
			if err := reverse(); err != nil {
				return err
			}
			_, err = s.autoSend(ctx, tx, back, d.toSess, delivery{from: up, to: fan, msgType: MsgText,
				content: textContent(s.emoji.Convert(r.Reply)), source: SourceKeywordReply}, r.Reply, now)
			return err
		}
	}
	if upSettings.RecvReply != 1 || (d.toSess.AutoReplyAt != 0 && now.Unix()-d.toSess.AutoReplyAt < int64(s.cfg.RecvReplyPeriod/time.Second)) {
		return nil
	}
	texts, err := tx.ListAutoReplies(ctx, up, ReplyReceived)
	if err != nil || len(texts) == 0 {
		return err
	}
	if err := reverse(); err != nil {
		return err
	}
	_, err = s.autoSend(ctx, tx, back, d.toSess, delivery{from: up, to: fan, msgType: MsgText,
		content: textContent(s.emoji.Convert(texts[0].Reply)), source: SourceRecvReply, autoReplyAt: now.Unix()},
		texts[0].Reply, now)
	return err
}

// autoSend posts an auto-reply d under the rules of every message (admit). A reply the
// rules refuse (the receiver blocks the replier, takes no messages from strangers, ...)
// is skipped, never an error of the event that caused it. pair is seen from the replier;
// fromSess is the replier's session with the receiver; text is what block words and the
// smart interception of the receiver look at. pair.TargetSettings must hold the receiver's
// settings when they have any. It reports whether the reply was sent.
func (s *Service) autoSend(ctx context.Context, tx store.Tx, pair store.Pair, fromSess store.Session, d delivery,
	text string, now time.Time) (bool, error) {
	adm, err := s.admit(ctx, tx, d.to, pair, fromSess, settingsOfPair(pair), text)
	var refused *Error
	if errors.As(err, &refused) {
		s.log.Debug("auto-reply not sent", "from", d.from, "to", d.to, "source", d.source, "code", refused.Code)
		return false, nil
	}
	if err != nil {
		return false, err
	}
	// Auto-replies leave the replier's unread messages unread (the user has not read
	// them) and do not count as the replier actively answering (catalog §9 item 13).
	d.nfv, d.countsUnread, d.counted = 1, true, true
	_, err = s.post(ctx, tx, adm, fromSess, d, now)
	return err == nil, err
}

// followedReply sends up's followed auto-reply and works card to a new follower.
func (s *Service) followedReply(ctx context.Context, tx store.Tx, up, fan uint64, now time.Time) error {
	st, err := settingsOf(ctx, tx, up)
	if err != nil || (st.FollowedReply != 1 && st.RecommendFollowedReply != 1) {
		return err
	}
	var reply string
	if st.FollowedReply == 1 {
		texts, err := tx.ListAutoReplies(ctx, up, ReplyFollowed)
		if err != nil {
			return err
		}
		if len(texts) > 0 {
			reply = texts[0].Reply
			if _, err := s.autoSendNew(ctx, tx, up, fan, delivery{msgType: MsgText,
				content: textContent(s.emoji.Convert(reply)), source: SourceFollowedReply}, reply, now); err != nil {
				return err
			}
		}
	}
	if st.RecommendFollowedReply != 1 {
		return nil
	}
	works, err := tx.ListWorks(ctx, up, 3)
	if err != nil || len(works) == 0 {
		return err
	}
	_, err = s.autoSendNew(ctx, tx, up, fan, delivery{msgType: MsgWorks, content: worksCard(reply, works),
		source: SourceFollowedReply}, "", now)
	return err
}

// autoSendNew is autoSend for an event that has not read the pair or the session yet.
func (s *Service) autoSendNew(ctx context.Context, tx store.Tx, from, to uint64, d delivery, text string, now time.Time) (bool, error) {
	pair, err := tx.GetPair(ctx, from, to)
	if err != nil {
		return false, err
	}
	sess, err := loadSession(ctx, tx, from, 1, to)
	if err != nil {
		return false, err
	}
	d.from, d.to = from, to
	return s.autoSend(ctx, tx, pair, sess, d, text, now)
}

// worksCard is the msg_type 16 content of catalog §10.4: up to three latest works.
func worksCard(reply string, works []store.Work) string {
	type subCard struct {
		CardID   uint64 `json:"card_id"`
		CardType int    `json:"card_type"`
		JumpURL  string `json:"jump_url"`
		CoverURL string `json:"cover_url"`
		Field1   string `json:"field1"`
		Field2   string `json:"field2"`
		Field3   string `json:"field3"`
		Icon3    int    `json:"icon3"`
		Field4   string `json:"field4"`
		Icon4    int    `json:"icon4"`
	}
	card := struct {
		MainTitle    string    `json:"main_title"`
		ReplyContent string    `json:"reply_content"`
		SubCards     []subCard `json:"sub_cards"`
	}{MainTitle: "更多宝藏内容", ReplyContent: reply}
	china := time.FixedZone("CST", 8*3600) // bilibili shows dates in China time
	for _, w := range works {
		jump := "https://www.bilibili.com/video/av" + strconv.FormatUint(w.Aid, 10)
		if w.Bvid != "" {
			jump = "https://www.bilibili.com/video/" + w.Bvid
		}
		card.SubCards = append(card.SubCards, subCard{CardID: w.Aid, CardType: 1, JumpURL: jump, CoverURL: w.Cover,
			Field1: w.Title, Field2: time.Unix(w.PubDate, 0).In(china).Format("2006-01-02"),
			Field3: countText(w.Plays), Icon3: 1, Field4: countText(w.Danmaku), Icon4: 3})
	}
	return jsonContent(card)
}

// countText writes a count the way bilibili's cards do: 479, 1.2万, 20万, 3.5亿.
func countText(n int64) string {
	unit := func(v int64, div int64, suffix string) string {
		whole, tenth := v/div, v%div*10/div
		if tenth == 0 || whole >= 100 {
			return strconv.FormatInt(whole, 10) + suffix
		}
		return strconv.FormatInt(whole, 10) + "." + strconv.FormatInt(tenth, 10) + suffix
	}
	switch {
	case n >= 100_000_000:
		return unit(n, 100_000_000, "亿")
	case n >= 10_000:
		return unit(n, 10_000, "万")
	default:
		return strconv.FormatInt(max(n, 0), 10)
	}
}

// GuardPurchased is the operator event "fan bought a guard (上船) in up's live room": with
// voyage_reply on and a type-5 text set, up answers with it (msg_source 11). It reports
// whether the reply was sent.
func (s *Service) GuardPurchased(ctx context.Context, up, fan uint64) (bool, error) {
	if up == fan {
		return false, ErrInvalid
	}
	var sent bool
	err := s.update(ctx, func(ctx context.Context, tx store.Tx) error {
		sent = false
		if err := usersExist(ctx, tx, up, fan); err != nil {
			return err
		}
		st, err := settingsOf(ctx, tx, up)
		if err != nil || st.VoyageReply != 1 {
			return err
		}
		texts, err := tx.ListAutoReplies(ctx, up, ReplyVoyage)
		if err != nil || len(texts) == 0 {
			return err
		}
		sent, err = s.autoSendNew(ctx, tx, up, fan, delivery{msgType: MsgText,
			content: textContent(s.emoji.Convert(texts[0].Reply)), source: SourceVoyageReply}, texts[0].Reply, s.clock.Now())
		return err
	})
	return sent, s.internal("guard purchased", err)
}

// Works returns up to limit of mid's works, latest first.
func (s *Service) Works(ctx context.Context, mid uint64, limit int) ([]store.Work, error) {
	var out []store.Work
	err := s.st.View(ctx, func(tx store.Tx) error {
		if err := usersExist(ctx, tx, mid); err != nil {
			return err
		}
		var err error
		out, err = tx.ListWorks(ctx, mid, limit)
		return err
	})
	return out, s.internal("list works", err)
}

// PutWork registers (or replaces) one of a user's works.
func (s *Service) PutWork(ctx context.Context, w store.Work) error {
	if w.Aid == 0 || w.Aid > 1<<63-1 || w.Title == "" || w.PubDate < 0 || w.Plays < 0 || w.Danmaku < 0 || w.Favorites < 0 {
		return ErrInvalid
	}
	err := s.update(ctx, func(ctx context.Context, tx store.Tx) error {
		if err := usersExist(ctx, tx, w.Owner); err != nil {
			return err
		}
		return tx.PutWork(ctx, w)
	})
	return s.internal("put work", err)
}

// DeleteWork removes one of a user's works.
func (s *Service) DeleteWork(ctx context.Context, mid, aid uint64) error {
	err := s.update(ctx, func(ctx context.Context, tx store.Tx) error {
		if err := usersExist(ctx, tx, mid); err != nil {
			return err
		}
		return tx.DeleteWork(ctx, mid, aid)
	})
	return s.internal("delete work", err)
}
