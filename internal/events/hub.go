// Package events carries live events to the users they concern: the in-process hub
// behind the WebSocket stream (docs/events.md). It knows users and bytes, not what the
// events mean: the domain says what happened, the wire layer encodes it.
//
// Each user has a stream: a sequence number per event, and a ring of the latest events
// so that a client that reconnects with the last sequence it saw is sent what it missed.
// A stream is numbered within an epoch, chosen at random when the hub starts; a client
// from another epoch (the server restarted), or one that missed more than the ring
// holds, is told to catch up through the API instead (Hello.Reset).
package events

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"time"
)

// Event is one frame of a user's stream.
type Event struct {
	Seq  uint64          `json:"seq"`
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// Options size the hub. The zero value gives the defaults.
type Options struct {
	Ring        int           // events kept per user for catching up (default 256)
	Buffer      int           // events queued per connection before it counts as stuck (default 256)
	MaxConns    int           // connections per user (default 8)
	Retention   time.Duration // how long a user's stream outlives their last connection (default 10 min)
	Now         func() time.Time
	EpochSource func() string // tests fix the epoch
}

// ErrTooManyConns is Subscribe's answer past Options.MaxConns.
var ErrTooManyConns = errors.New("events: too many connections for this user")

// Hub is the in-process event bus. It is safe for concurrent use.
type Hub struct {
	opt   Options
	epoch string

	mu        sync.Mutex
	users     map[uint64]*stream
	lastSweep time.Time
	gen       uint64 // streams made so far
}

type stream struct {
	// epoch numbers this stream: the hub's epoch and the stream's generation, so that a
	// stream made again after a sweep (numbered from 1 again) is never taken for the old.
	epoch string
	seq   uint64
	// ring holds the latest events, at most opt.Ring: a circular buffer whose oldest
	// event is at head once it is full (a publish then overwrites it, copying nothing).
	ring     []Event
	head     int
	subs     map[*Subscription]struct{}
	lastSeen time.Time // when the last subscription ended
}

// New makes a hub.
func New(opt Options) *Hub {
	if opt.Ring <= 0 {
		opt.Ring = 256
	}
	if opt.Buffer <= 0 {
		opt.Buffer = 256
	}
	if opt.MaxConns <= 0 {
		opt.MaxConns = 8
	}
	if opt.Retention <= 0 {
		opt.Retention = 10 * time.Minute
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.EpochSource == nil {
		opt.EpochSource = func() string {
			b := make([]byte, 8)
			rand.Read(b)
			return hex.EncodeToString(b)
		}
	}
	return &Hub{opt: opt, epoch: opt.EpochSource(), users: map[uint64]*stream{}}
}

// Epoch names this hub's numbering; each user's stream is numbered within
// Epoch()+"."+its generation (Hello.Epoch).
func (h *Hub) Epoch() string { return h.epoch }

// Listening reports which of mids have a stream (are connected, or were moments ago
// and may come back for what they missed). Publishing to anyone else is a no-op, so the
// caller need not build events for them.
func (h *Hub) Listening(mids []uint64) []uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []uint64
	for _, m := range mids {
		if _, ok := h.users[m]; ok {
			out = append(out, m)
		}
	}
	return out
}

// Streams returns every user with a stream, for fan-outs that would otherwise cost one
// step per possible recipient (a fan group's members).
func (h *Hub) Streams() []uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]uint64, 0, len(h.users))
	for m := range h.users {
		out = append(out, m)
	}
	return out
}

// Conns returns how many connections mid has open.
func (h *Hub) Conns(mid uint64) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	if st, ok := h.users[mid]; ok {
		return len(st.subs)
	}
	return 0
}

// Publish appends an event to each user's stream (users without one are skipped) and
// hands it to their connections. data is the event's JSON, shared by all.
func (h *Hub) Publish(mids []uint64, typ string, data json.RawMessage) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, m := range mids {
		st, ok := h.users[m]
		if !ok {
			continue
		}
		st.seq++
		ev := Event{Seq: st.seq, Type: typ, Data: data}
		if len(st.ring) < h.opt.Ring {
			st.ring = append(st.ring, ev)
		} else {
			st.ring[st.head] = ev
			st.head = (st.head + 1) % len(st.ring)
		}
		for sub := range st.subs {
			select {
			case sub.ch <- ev:
			default:
				// Stuck: drop it rather than block every publisher. Its client
				// reconnects from its last sequence and catches up from the ring.
				h.dropLocked(m, st, sub)
			}
		}
	}
}

// Hello is where a new connection starts.
type Hello struct {
	Epoch string
	Seq   uint64 // the stream's latest sequence: events after it follow live
	// Reset says the client must catch up through the API: it gave no position, one of
	// another epoch, or one older than the ring holds. Otherwise Missed are the events
	// after its position, to send before the live ones.
	Reset  bool
	Missed []Event
}

// Subscription is one connection's feed of events.
type Subscription struct {
	hub *Hub
	mid uint64
	ch  chan Event
	// C delivers the events in sequence order. It is closed when the subscription
	// ends: by Close, or because the connection fell too far behind.
	C <-chan Event
}

// Subscribe opens a connection's subscription to mid's stream. epoch and after are the
// client's position (empty epoch: none).
func (h *Hub) Subscribe(mid uint64, epoch string, after uint64) (*Subscription, Hello, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.sweepLocked()
	st, ok := h.users[mid]
	if !ok {
		h.gen++
		st = &stream{epoch: h.epoch + "." + strconv.FormatUint(h.gen, 10), subs: map[*Subscription]struct{}{}}
		h.users[mid] = st
	}
	if len(st.subs) >= h.opt.MaxConns {
		return nil, Hello{}, ErrTooManyConns
	}
	hello := Hello{Epoch: st.epoch, Seq: st.seq, Reset: true}
	if epoch == st.epoch && after <= st.seq {
		missed := st.seq - after
		switch {
		case missed == 0:
			hello.Reset = false
		case missed <= uint64(len(st.ring)):
			hello.Reset = false
			hello.Missed = st.latest(int(missed))
		}
	}
	ch := make(chan Event, h.opt.Buffer)
	sub := &Subscription{hub: h, mid: mid, ch: ch, C: ch}
	st.subs[sub] = struct{}{}
	return sub, hello, nil
}

// latest returns the stream's n latest events, oldest first, in a new slice.
func (st *stream) latest(n int) []Event {
	out := make([]Event, n)
	for i := range n {
		out[i] = st.ring[(st.head+len(st.ring)-n+i)%len(st.ring)]
	}
	return out
}

// Close ends the subscription; it may be called more than once.
func (s *Subscription) Close() {
	h := s.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	if st, ok := h.users[s.mid]; ok {
		if _, live := st.subs[s]; live {
			h.dropLocked(s.mid, st, s)
		}
	}
}

func (h *Hub) dropLocked(mid uint64, st *stream, sub *Subscription) {
	delete(st.subs, sub)
	close(sub.ch)
	if len(st.subs) == 0 {
		st.lastSeen = h.opt.Now()
	}
}

// sweepLocked forgets streams without connections for longer than Retention, at most
// once a minute, so that memory follows the users connected lately.
func (h *Hub) sweepLocked() {
	now := h.opt.Now()
	if now.Sub(h.lastSweep) < time.Minute {
		return
	}
	h.lastSweep = now
	for m, st := range h.users {
		if len(st.subs) == 0 && now.Sub(st.lastSeen) > h.opt.Retention {
			delete(h.users, m)
		}
	}
}
