package im

import (
	"context"

	"github.com/bilimsg/bilimsg/internal/store"
)

// Live events (docs/events.md). The domain says what happened to whom, after it is
// stored; a Publisher (the wire layer over internal/events) encodes it for the users'
// live streams. Nothing is built for users nobody is listening for.

// EventKind says what an Event is about.
type EventKind string

const (
	EventMessage      EventKind = "message"      // a message appeared in one of my sessions
	EventSession      EventKind = "session"      // a session of mine changed by my own hand (another tab, device, program)
	EventNotification EventKind = "notification" // a notification arrived in one of my feeds
)

// Event is one change for one user.
type Event struct {
	Kind    EventKind
	Talker  uint64 // the session: a user (SessionType 1) or a group (2)
	Type    int
	Message *store.Message // EventMessage
	// Unread is the session's unread count after a 1:1 message (-1 for fan groups,
	// whose count the client adds up) or a session change.
	Unread    int64
	Intercept bool          // EventMessage: the session is in the dustbin (the message was intercepted)
	Session   *SessionState // EventSession
	Feed      string        // EventNotification: "reply", "at", "like" or "system"
}

// SessionState is what a session change leaves, enough for a page to update its list.
type SessionState struct {
	AckSeqno  uint64
	TopTs     int64
	IsDnd     bool
	Removed   bool // out of the lists until its next message
	Intercept bool // in the dustbin
}

// Publisher carries events to live streams. Listening narrows mids to those with a
// stream; Streams lists everyone with one (for fan groups, whose members may be many).
type Publisher interface {
	Listening(mids []uint64) []uint64
	Streams() []uint64
	Publish(mid uint64, ev Event)
}

// SetPublisher makes the service publish live events; it is set once, while wiring,
// before the service serves.
func (s *Service) SetPublisher(p Publisher) { s.pub = p }

// collector gathers what a store transaction changed, so that it is published only
// after the commit, and only once however often the store retries the transaction.
type collector struct {
	direct []directEvent // events for known users
	groups []store.Message
}

type directEvent struct {
	mid uint64
	ev  Event
}

type collectorKey struct{}

func collectorOf(ctx context.Context) *collector {
	c, _ := ctx.Value(collectorKey{}).(*collector)
	return c
}

// note records an event for mid, to publish after the commit.
func note(ctx context.Context, mid uint64, ev Event) {
	if c := collectorOf(ctx); c != nil {
		c.direct = append(c.direct, directEvent{mid, ev})
	}
}

// noteGroup records a group message, published after the commit to the connected
// members.
func noteGroup(ctx context.Context, m store.Message) {
	if c := collectorOf(ctx); c != nil {
		c.groups = append(c.groups, m)
	}
}

// update is st.Update with live events: fn records them on the context it is given; they
// are published when (and if) the transaction commits.
func (s *Service) update(ctx context.Context, fn func(ctx context.Context, tx store.Tx) error) error {
	if s.pub == nil {
		return s.st.Update(ctx, func(tx store.Tx) error { return fn(ctx, tx) })
	}
	col := &collector{}
	cctx := context.WithValue(ctx, collectorKey{}, col)
	err := s.st.Update(cctx, func(tx store.Tx) error {
		col.direct, col.groups = col.direct[:0], col.groups[:0] // a retry starts over
		return fn(cctx, tx)
	})
	if err == nil {
		s.publish(ctx, col)
	}
	return err
}

func (s *Service) publish(ctx context.Context, col *collector) {
	if len(col.direct) > 0 {
		mids := make([]uint64, 0, len(col.direct))
		for _, d := range col.direct {
			mids = append(mids, d.mid)
		}
		listening := map[uint64]bool{}
		for _, m := range s.pub.Listening(mids) {
			listening[m] = true
		}
		for _, d := range col.direct {
			if listening[d.mid] {
				s.pub.Publish(d.mid, d.ev)
			}
		}
	}
	if len(col.groups) == 0 {
		return
	}
	streams := s.pub.Streams()
	if len(streams) == 0 {
		return
	}
	// The connected members of each group, read once per group: a bulk join writes one
	// welcome per new member, all in the same group.
	members := map[uint64][]uint64{}
	err := s.st.View(ctx, func(tx store.Tx) error {
		for _, m := range col.groups {
			if _, ok := members[m.ReceiverID]; ok {
				continue
			}
			mids, err := tx.MembersAmong(ctx, m.ReceiverID, streams)
			if err != nil {
				return err
			}
			members[m.ReceiverID] = mids
		}
		return nil
	})
	if err != nil {
		// The messages are stored; a page that misses their events sees them on its next
		// read. Not worth failing the request that sent them.
		s.log.Warn("live events: group members", "err", err)
		return
	}
	for _, m := range col.groups {
		for _, mid := range members[m.ReceiverID] {
			msg := m
			s.pub.Publish(mid, Event{Kind: EventMessage, Talker: m.ReceiverID, Type: 2, Message: &msg, Unread: -1})
		}
	}
}
