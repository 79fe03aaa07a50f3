package im

import (
	"context"
	"slices"

	"github.com/bilimsg/bilimsg/internal/emoji"
	"github.com/bilimsg/bilimsg/internal/store"
)

// FetchParams select a window of history (catalog §9 items 1 and 52).
type FetchParams struct {
	Talker uint64
	Type   int
	Size   int    // 0: only system hints
	Begin  uint64 // exclusive lower bound; 0 = none
	End    uint64 // exclusive upper bound; 0 = none
}

// MaxFetchSize is fetch_session_msgs' cap; larger sizes are clamped.
const MaxFetchSize = 200

// History is one window, newest first.
type History struct {
	Messages []store.Message
	HasMore  bool
	EInfos   []emoji.Info
}

// FetchMessages returns a window of the viewer's conversation. It marks nothing read.
func (s *Service) FetchMessages(ctx context.Context, viewer uint64, p FetchParams) (History, error) {
	var h History
	if p.Type == 2 {
		return s.fetchGroup(ctx, viewer, p)
	}
	if p.Type != 1 || p.Talker == viewer {
		return h, nil
	}
	q := store.MessageQuery{Conv: store.ConvOf(viewer, p.Talker), Viewer: viewer, After: p.Begin, Before: p.End,
		Limit: min(p.Size, MaxFetchSize) + 1}
	if p.Size == 0 {
		q.OnlyType, q.Limit = MsgHint, MaxFetchSize
	}
	// Catching up from begin_seqno alone reads upwards; every other window reads down
	// from the newest end.
	q.Ascending = p.Begin != 0 && p.End == 0
	err := s.st.View(ctx, func(tx store.Tx) error {
		msgs, err := tx.ListMessages(ctx, q)
		if err != nil {
			return err
		}
		if p.Size > 0 && len(msgs) > q.Limit-1 {
			msgs, h.HasMore = msgs[:q.Limit-1], true
		}
		if q.Ascending {
			slices.Reverse(msgs)
		}
		h.Messages = msgs
		return nil
	})
	if err != nil {
		return History{}, s.internal("fetch messages", err)
	}
	s.withEmoji(&h)
	return h, nil
}

// withEmoji fills h's e_infos from its text messages.
func (s *Service) withEmoji(h *History) {
	for _, m := range h.Messages {
		if m.MsgType == MsgText {
			h.EInfos = s.emoji.AppendFind(h.EInfos, TextOf(m.Content))
		}
	}
}

// fetchGroup is fetch_session_msgs for a fan group: members only (700014), not in a
// dissolved group (700013); a member sees the group's messages from the one that
// welcomed them on.
func (s *Service) fetchGroup(ctx context.Context, viewer uint64, p FetchParams) (History, error) {
	var h History
	q := store.GroupMessageQuery{Group: p.Talker, After: p.Begin, Before: p.End, Limit: min(p.Size, MaxFetchSize) + 1}
	if p.Size == 0 {
		q.OnlyType, q.Limit = MsgHint, MaxFetchSize
	}
	q.Ascending = p.Begin != 0 && p.End == 0
	err := s.st.View(ctx, func(tx store.Tx) error {
		g, m, err := member(ctx, tx, p.Talker, viewer)
		if err != nil {
			return err
		}
		if g.State == store.GroupDissolved {
			return ErrGroupDissolved
		}
		q.After = max(q.After, m.JoinSeqno-1)
		msgs, err := tx.ListGroupMessages(ctx, q)
		if err != nil {
			return err
		}
		if p.Size > 0 && len(msgs) > q.Limit-1 {
			msgs, h.HasMore = msgs[:q.Limit-1], true
		}
		if q.Ascending {
			slices.Reverse(msgs)
		}
		h.Messages = msgs
		return nil
	})
	if err != nil {
		return History{}, s.internal("fetch group messages", err)
	}
	s.withEmoji(&h)
	return h, nil
}
