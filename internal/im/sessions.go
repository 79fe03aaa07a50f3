package im

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sync"

	"github.com/bilimsg/bilimsg/internal/store"
)

// SessionView is a session with its last message, ready to be rendered.
type SessionView struct {
	store.Session
	LastMsg *store.Message // nil when the session has none
	// AtSeqno and Group are set for fan-group sessions (session_type 2) only.
	AtSeqno uint64
	Group   *GroupInfo
}

// Category is get_sessions' session_type parameter (catalog §3 P3), a different enum
// from the session object's session_type.
type Category int

// ValidCategory reports whether c is one of bilibili's nine categories.
func ValidCategory(c int) bool { return c >= 1 && c <= 9 }

// SessionList is a page of sessions.
type SessionList struct {
	Sessions           []SessionView
	HasMore            bool
	AddressListIsEmpty bool // the page is empty and the user has no sessions at all
	// SystemMsg maps the system_msg_type of each of the user's system sessions to its
	// talker id (get_sessions' system_msg); nil when there are none or not asked for.
	SystemMsg map[int]uint64
}

// ListParams are get_sessions' paging parameters, already validated.
type ListParams struct {
	Category int
	ByAck    bool  // sort_rule 3: by ack_ts
	After    int64 // begin_ts, µs, exclusive
	Before   int64 // end_ts, µs, exclusive; 0 = none
	Size     int
	// JoinOrder lists fan groups by the time I joined them, oldest first (category 3
	// with a sort_rule other than 1–3); the bounds still apply to session_ts.
	JoinOrder bool
	// UnfollowFold leaves unfollowed sessions out of categories 1 and 4 (unfollow_fold);
	// nil: as the user's show_unfollowed_msg (收起未关注人消息) says.
	UnfollowFold *bool
	// GroupFold leaves fan-group sessions out of categories 1 and 4 (group_fold); nil:
	// as the user's is_group_fold says.
	GroupFold *bool
}

// follows returns a filter on IsFollow; a fresh pointer each time, so no caller can
// change another's filter.
func follows(b bool) *bool { return &b }

// groupSel selects a user's fan-group sessions for a list; bounds as SessionQuery's.
type groupSel struct {
	byAck, joinOrder bool
	after, before    int64
}

func (g *groupSel) key(v SessionView) int64 {
	if g.byAck {
		return v.AckTs
	}
	return v.SessionTs
}

// ListSessions returns one page of a category (catalog §9 items 25–27). Intercepted
// sessions appear only in category 5; fan groups in 3, and in 1 and 4 unless folded;
// 花火 orders (6) and system sessions (7) are empty until those features exist.
func (s *Service) ListSessions(ctx context.Context, owner uint64, p ListParams) (SessionList, error) {
	return s.list(ctx, owner, p.Size, func(settings func() (store.Settings, error)) (*store.SessionQuery, *groupSel, error) {
		q := &store.SessionQuery{Owner: owner, After: p.After, Before: p.Before, Limit: p.Size + 1}
		if p.ByAck {
			q.Order = store.ByAckTs
		}
		gs := &groupSel{byAck: p.ByAck, after: p.After, before: p.Before}
		switch p.Category {
		case 1, 4:
			var st store.Settings
			if p.UnfollowFold == nil || p.GroupFold == nil {
				var err error
				if st, err = settings(); err != nil {
					return nil, nil, err
				}
			}
			if fold := p.UnfollowFold; (fold == nil && st.ShowUnfollowedMsg == 1) || (fold != nil && *fold) {
				q.Follow = follows(true)
			}
			if fold := p.GroupFold; (fold == nil && st.IsGroupFold == 1) || (fold != nil && *fold) {
				gs = nil
			}
			return q, gs, nil
		case 3:
			gs.joinOrder = p.JoinOrder
			return nil, gs, nil
		case 2, 8:
			q.Follow = follows(false)
		case 5:
			q.Intercept = true
		case 9:
			q.Follow = follows(true)
		case 7:
			q.OnlySystem = true
		default:
			return nil, nil, nil
		}
		return q, nil, nil
	}, true)
}

// NewSessions returns sessions whose session_ts is after beginUs, newest first
// (catalog §3 P4), fan groups included. Intercepted sessions are left to the dustbin list.
func (s *Service) NewSessions(ctx context.Context, owner uint64, beginUs int64, size int) (SessionList, error) {
	return s.list(ctx, owner, size, func(func() (store.Settings, error)) (*store.SessionQuery, *groupSel, error) {
		return &store.SessionQuery{Owner: owner, After: beginUs, Limit: size + 1}, &groupSel{after: beginUs}, nil
	}, false)
}

// list reads one page in one snapshot: decide picks the user sessions (nil: none) and the
// fan-group sessions (nil: none) to merge, reading the owner's settings (from the same
// snapshot, at most once) only when it needs them. User sessions come from an index
// range; fan-group sessions from the owner's memberships, one row per group they are in,
// whatever the groups' sizes.
func (s *Service) list(ctx context.Context, owner uint64, size int,
	decide func(settings func() (store.Settings, error)) (*store.SessionQuery, *groupSel, error),
	systemMsg bool) (SessionList, error) {
	var out SessionList
	err := s.st.View(ctx, func(tx store.Tx) error {
		settings := sync.OnceValues(func() (store.Settings, error) { return settingsOf(ctx, tx, owner) })
		q, gs, err := decide(settings)
		if err != nil {
			return err
		}
		if systemMsg {
			// system_msg: a few rows at most (one session per system account).
			sys, err := tx.ListSystemSessions(ctx, owner)
			if err != nil {
				return err
			}
			for _, ss := range sys {
				if out.SystemMsg == nil {
					out.SystemMsg = map[int]uint64{}
				}
				out.SystemMsg[ss.SystemType] = ss.Talker
			}
		}
		var views []SessionView
		if q != nil && q.Limit > 0 {
			list := tx.ListSessions
			if q.OnlySystem {
				list = systemPage(tx)
			}
			sessions, err := list(ctx, *q)
			if err != nil {
				return err
			}
			for _, sess := range sessions {
				views = append(views, SessionView{Session: sess})
			}
		}
		if gs != nil {
			ms, err := tx.ListMemberships(ctx, owner)
			if err != nil {
				return err
			}
			if gs.joinOrder {
				slices.SortStableFunc(ms, func(a, b store.Membership) int { return cmp.Compare(a.JoinedAt, b.JoinedAt) })
			}
			var groups []SessionView
			for _, m := range ms {
				st, err := settings()
				if err != nil {
					return err
				}
				v := groupView(m, st.ShouldReceiveGroup != 0)
				if k := gs.key(v); !listed(m) || k <= gs.after || (gs.before != 0 && k >= gs.before) {
					continue
				}
				groups = append(groups, v)
			}
			if !gs.joinOrder {
				// Session and ack times are unique (tsUs), so the order is total.
				views = append(views, groups...)
				slices.SortFunc(views, func(a, b SessionView) int { return cmp.Compare(gs.key(b), gs.key(a)) })
			} else {
				views = groups
			}
		}
		if len(views) > size {
			views, out.HasMore = views[:size], true
		}
		if len(views) == 0 {
			has, err := tx.HasSessions(ctx, owner)
			if err != nil || has {
				return err
			}
			ms, err := tx.ListMemberships(ctx, owner)
			out.AddressListIsEmpty = len(ms) == 0
			return err
		}
		out.Sessions, err = withLastMessages(ctx, tx, views)
		return err
	})
	return out, s.internal("list sessions", err)
}

// withLastMessages attaches last messages with one batched read per kind of session.
func withLastMessages(ctx context.Context, tx store.Tx, views []SessionView) ([]SessionView, error) {
	var keys, groupKeys []uint64
	for _, v := range views {
		switch {
		case v.LastMsgKey == 0:
		case v.Type == 2:
			groupKeys = append(groupKeys, v.LastMsgKey)
		default:
			keys = append(keys, v.LastMsgKey)
		}
	}
	msgs, err := tx.GetMessages(ctx, keys)
	if err != nil {
		return nil, err
	}
	gmsgs, err := tx.GetGroupMessages(ctx, groupKeys)
	if err != nil {
		return nil, err
	}
	msgs = append(msgs, gmsgs...)
	byKey := make(map[uint64]*store.Message, len(msgs))
	for i := range msgs {
		byKey[msgs[i].Key] = &msgs[i]
	}
	for i := range views {
		views[i].LastMsg = byKey[views[i].LastMsgKey]
	}
	return views, nil
}

// SessionDetail returns one session; 1000004 when the two never chatted.
func (s *Service) SessionDetail(ctx context.Context, owner uint64, typ int, talker uint64) (SessionView, error) {
	var v SessionView
	if typ == 2 {
		return s.groupDetail(ctx, owner, talker)
	}
	err := s.st.View(ctx, func(tx store.Tx) error {
		sess, err := tx.GetSession(ctx, owner, typ, talker)
		if errors.Is(err, store.ErrNotFound) || (err == nil && sess.MaxSeqno == 0) {
			return ErrNoSession
		}
		if err != nil {
			return err
		}
		views, err := withLastMessages(ctx, tx, []SessionView{{Session: sess}})
		if err == nil {
			v = views[0]
		}
		return err
	})
	return v, s.internal("session detail", err)
}

// SingleUnread returns the owner's unread counters, kept incrementally.
func (s *Service) SingleUnread(ctx context.Context, owner uint64) (store.Counters, error) {
	var c store.Counters
	err := s.st.View(ctx, func(tx store.Tx) error {
		var err error
		c, err = tx.GetCounters(ctx, owner)
		return err
	})
	return c, s.internal("single unread", err)
}

// Ack marks the session read up to seqno (nil: up to its latest message). Acks clamp to
// max_seqno and never move backwards; ack_ts is updated on every ack (catalog §9 item 30).
func (s *Service) Ack(ctx context.Context, owner uint64, typ int, talker uint64, seqno *uint64) error {
	if typ == 2 {
		err := s.updateMember(ctx, owner, talker, func(tx store.Tx, g store.Group, m *store.Member, nowUs int64) error {
			target := g.MaxSeqno
			if seqno != nil {
				target = *seqno
			}
			m.AckTs = nowUs
			return ackMember(ctx, tx, g, m, target)
		})
		return s.internal("ack", err)
	}
	err := s.updateSession(ctx, owner, typ, talker, false, func(tx store.Tx, sess *store.Session, nowUs int64) error {
		target := sess.MaxSeqno
		if seqno != nil && *seqno < target {
			target = *seqno
		}
		sess.AckTs = nowUs
		return ackTo(ctx, tx, sess, target)
	})
	return s.internal("ack", err)
}

// ackTo moves sess's ack forward to target and recounts its unread messages.
func ackTo(ctx context.Context, tx store.Tx, sess *store.Session, target uint64) error {
	if target <= sess.AckSeqno {
		return nil
	}
	sess.AckSeqno = target
	if target >= sess.MaxSeqno {
		sess.Unread = 0
		return nil
	}
	n, err := tx.CountUnread(ctx, store.ConvOf(sess.Owner, sess.Talker), sess.Owner, target)
	sess.Unread = n
	return err
}

// updateSession loads owner's session (creating a settings-only row when create is set),
// lets fn change it, and saves it with its counters. A missing session without create is
// a successful no-op, as bilibili answers 0 for those.
func (s *Service) updateSession(ctx context.Context, owner uint64, typ int, talker uint64, create bool,
	fn func(tx store.Tx, sess *store.Session, nowUs int64) error) error {
	if typ != 1 {
		return nil // fan-group sessions are the members' rows (updateMember)
	}
	now := s.clock.Now()
	return s.update(ctx, func(ctx context.Context, tx store.Tx) error {
		sess, err := tx.GetSession(ctx, owner, typ, talker)
		if errors.Is(err, store.ErrNotFound) {
			if !create || owner == talker {
				return nil
			}
			if sess, err = loadSession(ctx, tx, owner, typ, talker); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		before := sess
		if err := fn(tx, &sess, s.tsUs(now)); err != nil {
			return err
		}
		if sess == before {
			return nil
		}
		noteSession(ctx, sess)
		return saveSession(ctx, tx, before, sess)
	})
}

// noteSession records a session change by its owner's hand, for the live stream.
func noteSession(ctx context.Context, sess store.Session) {
	note(ctx, sess.Owner, Event{Kind: EventSession, Talker: sess.Talker, Type: sess.Type, Unread: sess.Unread,
		Session: &SessionState{AckSeqno: sess.AckSeqno, TopTs: sess.TopTs, IsDnd: sess.IsDnd, Removed: sess.Hidden,
			Intercept: sess.Intercept}})
}

// RemoveSession hides the session until its next message and marks it read; history
// stays (catalog §9 item 28).
func (s *Service) RemoveSession(ctx context.Context, owner uint64, typ int, talker uint64) error {
	if typ == 2 {
		err := s.updateMember(ctx, owner, talker, func(tx store.Tx, g store.Group, m *store.Member, _ int64) error {
			m.HiddenSeqno = g.MaxSeqno
			return ackMember(ctx, tx, g, m, g.MaxSeqno)
		})
		return s.internal("remove session", err)
	}
	err := s.updateSession(ctx, owner, typ, talker, false, func(tx store.Tx, sess *store.Session, nowUs int64) error {
		if sess.MaxSeqno == 0 {
			return nil
		}
		sess.Hidden = true
		return ackTo(ctx, tx, sess, sess.MaxSeqno)
	})
	return s.internal("remove session", err)
}

// SetTop pins (top_ts = now) or unpins (0) a session.
func (s *Service) SetTop(ctx context.Context, owner uint64, typ int, talker uint64, pin bool) error {
	if typ == 2 {
		err := s.updateMember(ctx, owner, talker, func(_ store.Tx, _ store.Group, m *store.Member, nowUs int64) error {
			if !pin {
				m.TopTs = 0
			} else if m.TopTs == 0 {
				m.TopTs = nowUs
			}
			return nil
		})
		return s.internal("set top", err)
	}
	err := s.updateSession(ctx, owner, typ, talker, true, func(_ store.Tx, sess *store.Session, nowUs int64) error {
		if !pin {
			sess.TopTs = 0
		} else if sess.TopTs == 0 {
			sess.TopTs = nowUs
		}
		return nil
	})
	return s.internal("set top", err)
}

// SetDND turns do-not-disturb on or off for a session.
func (s *Service) SetDND(ctx context.Context, owner uint64, typ int, talker uint64, on bool) error {
	if typ == 2 {
		err := s.updateMember(ctx, owner, talker, func(_ store.Tx, _ store.Group, m *store.Member, _ int64) error {
			m.IsDnd = on
			return nil
		})
		return s.internal("set dnd", err)
	}
	err := s.updateSession(ctx, owner, typ, talker, true, func(_ store.Tx, sess *store.Session, _ int64) error {
		sess.IsDnd = on
		return nil
	})
	return s.internal("set dnd", err)
}

// SetPush sets a user session's push setting (0 receive, 1 don't).
func (s *Service) SetPush(ctx context.Context, owner, talker uint64, setting int) error {
	err := s.updateSession(ctx, owner, 1, talker, true, func(_ store.Tx, sess *store.Session, _ int64) error {
		sess.PushSetting = setting
		return nil
	})
	return s.internal("set push", err)
}

// SetIntercept moves a user session into (on) or out of the dustbin; taking it out marks
// it trusted (catalog §9 item 31). Its unread messages move bucket with it.
func (s *Service) SetIntercept(ctx context.Context, owner, talker uint64, on bool) error {
	if _, ok := SystemAccountOf(talker); ok {
		return nil // system sessions are never intercepted (catalog P14: user sessions only)
	}
	err := s.updateSession(ctx, owner, 1, talker, true, func(_ store.Tx, sess *store.Session, _ int64) error {
		sess.Intercept, sess.Trust = on, !on
		return nil
	})
	return s.internal("set intercept", err)
}

// SessionSettings returns a session's settings, or the defaults when there is none.
func (s *Service) SessionSettings(ctx context.Context, owner uint64, typ int, talker uint64) (store.Session, error) {
	var sess store.Session
	err := s.st.View(ctx, func(tx store.Tx) error {
		if typ == 2 {
			// Only members have settings for a group; anyone else sees the defaults.
			sess = store.Session{Owner: owner, Type: typ, Talker: talker}
			_, m, err := member(ctx, tx, talker, owner)
			if errors.Is(err, ErrNotGroupMember) {
				return nil
			}
			sess.IsDnd = m.IsDnd
			return err
		}
		var err error
		sess, err = tx.GetSession(ctx, owner, typ, talker)
		if errors.Is(err, store.ErrNotFound) {
			sess, err = store.Session{Owner: owner, Type: typ, Talker: talker}, nil
		}
		return err
	})
	return sess, s.internal("session settings", err)
}

// dustbinPage bounds how many sessions one bulk step touches.
const dustbinPage = 500

// DustbinAck marks every intercepted session read.
func (s *Service) DustbinAck(ctx context.Context, owner uint64) error {
	return s.dustbin(ctx, owner, true, false)
}

// DustbinRemove removes every intercepted session from the lists (history stays).
func (s *Service) DustbinRemove(ctx context.Context, owner uint64) error {
	return s.dustbin(ctx, owner, false, true)
}

func (s *Service) dustbin(ctx context.Context, owner uint64, unacked, hide bool) error {
	now := s.clock.Now()
	err := s.update(ctx, func(ctx context.Context, tx store.Tx) error {
		for {
			page, err := tx.ListSessions(ctx, store.SessionQuery{Owner: owner, Intercept: true, Limit: dustbinPage,
				Unacked: unacked, IncludeHidden: unacked})
			if err != nil {
				return err
			}
			for _, sess := range page {
				before := sess
				sess.AckTs = s.tsUs(now)
				sess.Hidden = sess.Hidden || hide
				if err := ackTo(ctx, tx, &sess, sess.MaxSeqno); err != nil {
					return err
				}
				noteSession(ctx, sess)
				if err := saveSession(ctx, tx, before, sess); err != nil {
					return err
				}
			}
			// Each processed session leaves the selection (read, or hidden), so the next
			// query returns the rest.
			if len(page) < dustbinPage {
				return nil
			}
		}
	})
	return s.internal("dustbin", err)
}

// FollowStatus is get_session_ss' follow_status seen from the caller (catalog §9 item 39):
// 0 none, 2 I follow, 6 mutual, 128 I blocked.
func (s *Service) FollowStatus(ctx context.Context, owner, talker uint64) (int, error) {
	var st int
	err := s.st.View(ctx, func(tx store.Tx) error {
		mine, err := tx.GetRelation(ctx, owner, talker)
		if err != nil {
			return err
		}
		theirs, err := tx.GetRelation(ctx, talker, owner)
		switch {
		case mine.Blocking:
			st = 128
		case mine.Following && theirs.Following:
			st = 6
		case mine.Following:
			st = 2
		}
		return err
	})
	return st, s.internal("follow status", err)
}

// systemPage lists category 7 (system sessions) from the owner's few system sessions,
// with q's bounds, order and limit.
func systemPage(tx store.Tx) func(ctx context.Context, q store.SessionQuery) ([]store.Session, error) {
	return func(ctx context.Context, q store.SessionQuery) ([]store.Session, error) {
		all, err := tx.ListSystemSessions(ctx, q.Owner)
		if err != nil {
			return nil, err
		}
		key := func(s store.Session) int64 {
			if q.Order == store.ByAckTs {
				return s.AckTs
			}
			return s.SessionTs
		}
		var out []store.Session
		for _, s := range all {
			if k := key(s); !s.Hidden && !s.Intercept && (q.After == 0 || k > q.After) && (q.Before == 0 || k < q.Before) {
				out = append(out, s)
			}
		}
		slices.SortFunc(out, func(a, b store.Session) int { return cmp.Compare(key(b), key(a)) })
		return out[:min(len(out), q.Limit)], nil
	}
}
