package client

import (
	"context"
	"time"
)

// RetryPolicy says how often and how patiently a call is repeated. Only what is safe to
// repeat is: reads that failed in transit or on the server's side (HTTP 5xx, -500, -503,
// -412), and any call refused with 21020 (sending too fast — the message was not sent),
// after RateLimitWait. Writes that failed in transit are never repeated: they may have
// happened.
type RetryPolicy struct {
	Attempts      int           // tries in all, the first included; 1 = never retry
	MinBackoff    time.Duration // wait before the second try; doubles per try
	MaxBackoff    time.Duration // the longest wait between tries
	RateLimitWait time.Duration // wait after 21020
	// Sleep waits for d or until ctx ends (returning its error). Nil: a real timer.
	// Tests inject one to run without waiting.
	Sleep func(ctx context.Context, d time.Duration) error
}

// DefaultRetry is three tries, backing off from 250 ms, and 5 s after 21020 (bilibili
// does not say how long to wait; bilimsg's default burst window is 5 s).
func DefaultRetry() RetryPolicy {
	return RetryPolicy{Attempts: 3, MinBackoff: 250 * time.Millisecond, MaxBackoff: 5 * time.Second,
		RateLimitWait: 5 * time.Second}
}

// NoRetry tries every call once.
func NoRetry() RetryPolicy { return RetryPolicy{Attempts: 1} }

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.Attempts < 1 {
		p.Attempts = 1
	}
	if p.MinBackoff <= 0 {
		p.MinBackoff = 250 * time.Millisecond
	}
	if p.MaxBackoff < p.MinBackoff {
		p.MaxBackoff = p.MinBackoff
	}
	if p.RateLimitWait < 0 {
		p.RateLimitWait = 0
	}
	if p.Sleep == nil {
		p.Sleep = sleep
	}
	return p
}

// backoff is the wait after the given failed attempt (1-based).
func (p RetryPolicy) backoff(attempt int) time.Duration {
	d := p.MinBackoff
	for i := 1; i < attempt && d < p.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, p.MaxBackoff)
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
