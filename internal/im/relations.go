package im

import (
	"context"
	"errors"

	"github.com/bilimsg/bilimsg/internal/store"
)

// Relation is what a user does towards another, as the operator API shows it.
type Relation struct {
	Following bool `json:"following"`
	Blocking  bool `json:"blocking"`
}

// Follow makes mid follow (on) or unfollow (!on) target. Following moves mid's unread
// messages from target between the followed and unfollowed buckets; a follow that makes
// the two users follow each other sends bilibili's automatic greeting (msg_source 17).
func (s *Service) Follow(ctx context.Context, mid, target uint64, on bool) error {
	if mid == target {
		return ErrInvalid
	}
	err := s.update(ctx, func(ctx context.Context, tx store.Tx) error {
		if err := usersExist(ctx, tx, mid, target); err != nil {
			return err
		}
		rel, err := tx.GetRelation(ctx, mid, target)
		if err != nil {
			return err
		}
		if rel.Following == on {
			return nil
		}
		back, err := tx.GetRelation(ctx, target, mid)
		if err != nil {
			return err
		}
		if on && (rel.Blocking || back.Blocking) {
			return ErrBlocked
		}
		rel.Following = on
		if err := tx.PutRelation(ctx, mid, target, rel); err != nil {
			return err
		}
		if err := setFollowFlag(ctx, tx, mid, target, on); err != nil {
			return err
		}
		if !on {
			return nil
		}
		now := s.clock.Now()
		if back.Following {
			if _, err := s.deliver(ctx, tx, delivery{from: mid, to: target, msgType: MsgText, content: greetingContent,
				source: SourceMutualFollow, nfv: 1, countsUnread: true}, now); err != nil {
				return err
			}
		}
		return s.followedReply(ctx, tx, target, mid, now)
	})
	return s.internal("follow", err)
}

// Block makes mid block (on) or unblock target. Blocking also ends both follows, as on
// bilibili; unblocking does not restore them.
func (s *Service) Block(ctx context.Context, mid, target uint64, on bool) error {
	if mid == target {
		return ErrInvalid
	}
	err := s.update(ctx, func(ctx context.Context, tx store.Tx) error {
		if err := usersExist(ctx, tx, mid, target); err != nil {
			return err
		}
		rel, err := tx.GetRelation(ctx, mid, target)
		if err != nil {
			return err
		}
		if rel.Blocking == on {
			return nil
		}
		rel.Blocking = on
		if on {
			if err := unfollow(ctx, tx, target, mid); err != nil {
				return err
			}
			if rel.Following {
				rel.Following = false
				if err := setFollowFlag(ctx, tx, mid, target, false); err != nil {
					return err
				}
			}
		}
		return tx.PutRelation(ctx, mid, target, rel)
	})
	return s.internal("block", err)
}

// GetRelation returns what mid does towards target.
func (s *Service) GetRelation(ctx context.Context, mid, target uint64) (Relation, error) {
	var rel store.Relation
	err := s.st.View(ctx, func(tx store.Tx) error {
		var err error
		rel, err = tx.GetRelation(ctx, mid, target)
		return err
	})
	return Relation{Following: rel.Following, Blocking: rel.Blocking}, s.internal("get relation", err)
}

func unfollow(ctx context.Context, tx store.Tx, mid, target uint64) error {
	rel, err := tx.GetRelation(ctx, mid, target)
	if err != nil || !rel.Following {
		return err
	}
	rel.Following = false
	if err := tx.PutRelation(ctx, mid, target, rel); err != nil {
		return err
	}
	return setFollowFlag(ctx, tx, mid, target, false)
}

// setFollowFlag mirrors a follow change onto owner's session with talker, moving its
// unread count to the other bucket.
func setFollowFlag(ctx context.Context, tx store.Tx, owner, talker uint64, follow bool) error {
	sess, err := tx.GetSession(ctx, owner, 1, talker)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil || sess.IsFollow == follow {
		return err
	}
	before := sess
	sess.IsFollow = follow
	return saveSession(ctx, tx, before, sess)
}

func usersExist(ctx context.Context, tx store.Tx, mids ...uint64) error {
	for _, m := range mids {
		if _, err := tx.GetUser(ctx, m); errors.Is(err, store.ErrNotFound) {
			return ErrUserNotFound
		} else if err != nil {
			return err
		}
	}
	return nil
}
