package im

import (
	"sync"
	"time"
)

// rateLimiter enforces the two send limits: at most Burst sends in any BurstWindow
// (21020) and at most Daily sends in a 24-hour window that opens with the first send
// after the previous window closed (21046). It lives in memory: a restart forgets it.
type rateLimiter struct {
	burst  int
	window time.Duration
	daily  int

	mu    sync.Mutex
	users map[uint64]*userRate
}

type userRate struct {
	recent   []time.Time // times of the last `burst` sends, oldest first
	dayStart time.Time
	dayCount int
}

func newRateLimiter(burst int, window time.Duration, daily int) *rateLimiter {
	return &rateLimiter{burst: burst, window: window, daily: daily, users: make(map[uint64]*userRate)}
}

// take records a send by mid at now, or refuses it. The returned undo gives the send
// back when the message is refused later for another reason.
func (l *rateLimiter) take(mid uint64, now time.Time) (undo func(), err *Error) {
	if l.burst <= 0 && l.daily <= 0 {
		return func() {}, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	u := l.users[mid]
	if u == nil {
		if len(l.users) >= 100_000 {
			l.sweep(now)
		}
		u = &userRate{}
		l.users[mid] = u
	}
	if l.daily > 0 && now.Sub(u.dayStart) >= 24*time.Hour {
		u.dayStart, u.dayCount = now, 0
	}
	if l.burst > 0 && len(u.recent) >= l.burst && now.Sub(u.recent[len(u.recent)-l.burst]) < l.window {
		return nil, ErrTooFast
	}
	if l.daily > 0 && u.dayCount >= l.daily {
		return nil, ErrDailyLimit
	}
	u.dayCount++
	if l.burst > 0 {
		if len(u.recent) >= l.burst {
			u.recent = append(u.recent[:0], u.recent[1:]...)
		}
		u.recent = append(u.recent, now)
	}
	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		u.dayCount--
		for i := len(u.recent) - 1; i >= 0; i-- {
			if u.recent[i].Equal(now) {
				u.recent = append(u.recent[:i], u.recent[i+1:]...)
				break
			}
		}
	}, nil
}

// sweep forgets users whose windows have all closed, so memory follows active senders.
func (l *rateLimiter) sweep(now time.Time) {
	for mid, u := range l.users {
		idleBurst := len(u.recent) == 0 || now.Sub(u.recent[len(u.recent)-1]) >= l.window
		if idleBurst && now.Sub(u.dayStart) >= 24*time.Hour {
			delete(l.users, mid)
		}
	}
}
