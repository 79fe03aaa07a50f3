package client

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"
)

// Cursor is where a Watcher stands. Persist it (it marshals to JSON) and hand it back
// in WatchOptions.Cursor to resume after a restart without losing or repeating a
// message.
type Cursor struct {
	// SessionTs (µs) is the newest session time fully read: polls ask for sessions
	// changed after it (less WatchOptions.Overlap).
	SessionTs int64 `json:"session_ts"`
	// Since (unix seconds) is the server's time when watching began (its Date header):
	// a conversation first met later (a new talker, or one removed from the list
	// before) is read from messages sent at or after it.
	Since int64 `json:"since"`
	// Seqnos holds, per conversation ("user:<mid>", "group:<id>"), the last seqno read.
	Seqnos map[string]uint64 `json:"seqnos"`
}

func (c Cursor) clone() Cursor {
	c.Seqnos = maps.Clone(c.Seqnos)
	if c.Seqnos == nil {
		c.Seqnos = map[string]uint64{}
	}
	return c
}

// WatchOptions configure a Watcher.
type WatchOptions struct {
	// Cursor resumes from a saved position. Nil starts now: the first poll records where
	// every conversation stands, and only later messages are delivered.
	Cursor *Cursor
	// Save is called with the new position after each delivered message (and after each
	// poll that moved it); persist it there. An error from Save stops the poll.
	Save func(Cursor) error
	// Interval is the pause between polls in Run (default 2 s; bilibili's web page polls
	// every 20 s).
	Interval time.Duration
	// Overlap re-reads sessions changed this long before the newest session time seen,
	// so that a message whose time was stamped before a faster concurrent one's, but
	// which was stored after it, is not missed (default 5 s). Seqnos keep the re-read
	// from delivering anything twice. Once the newest session time has stood still for
	// Overlap of real time, every such straggler has been stored and read, and polls
	// stop re-reading: an idle poll costs one small request.
	Overlap time.Duration
	// IncludeOwn also delivers my own messages (sent from another device or program).
	IncludeOwn bool
	// Wait pauses between polls (nil: a real timer); tests inject one.
	Wait func(ctx context.Context, d time.Duration) error
	// Now is the real time, for Overlap (nil: time.Now); tests inject one.
	Now func() time.Time
	// MaxBackoff bounds Run's wait after a transient failure (default 1 min).
	MaxBackoff time.Duration
	// Logger receives Run's transient failures (nil: discarded).
	Logger *slog.Logger
	// Live makes Run also listen to bilimsg's live-event stream and poll as soon as a
	// message arrives, instead of at the next Interval: delivery stays the polls' (each
	// message once, in order), only sooner. Where there is no stream (bilibili itself)
	// Run just polls.
	Live bool
}

// Watcher follows new messages the way bilibili's web page does: it polls new_sessions
// with begin_ts and reads each changed conversation with fetch_session_msgs from the
// last seqno it delivered. Each new incoming message is delivered once, in seqno order
// within its conversation, conversations in the order they changed. Intercepted
// conversations (the dustbin) are not followed, as on bilibili's page; nor are fan
// groups dissolved or left before their messages were read (their history answers
// 700013 / 700014).
//
// A message is counted as delivered when the handler returns nil; if the process stops
// between the handler's return and the cursor's save, that one message is delivered
// again on resume (at-least-once across crashes, exactly once otherwise).
type Watcher struct {
	c   *Client
	opt WatchOptions

	mu    sync.Mutex // guards cur for Cursor's callers on other goroutines
	cur   Cursor
	start bool // the first poll has not yet run on a fresh cursor

	// movedAt is when cur.SessionTs last moved (real time); settled says that a poll
	// with the overlap ran more than Overlap after that, so the overlap is no longer
	// needed until the next move.
	movedAt time.Time
	settled bool
}

// Watch returns a Watcher. Use Run to follow messages, or Poll for one round; a
// Watcher is driven by one goroutine at a time.
func (c *Client) Watch(opt WatchOptions) *Watcher {
	if opt.Interval <= 0 {
		opt.Interval = 2 * time.Second
	}
	if opt.Overlap < 0 {
		opt.Overlap = 0
	} else if opt.Overlap == 0 {
		opt.Overlap = 5 * time.Second
	}
	if opt.Wait == nil {
		opt.Wait = sleep
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.MaxBackoff <= 0 {
		opt.MaxBackoff = time.Minute
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	w := &Watcher{c: c, opt: opt, movedAt: opt.Now()}
	if opt.Cursor != nil {
		w.cur = opt.Cursor.clone()
	} else {
		w.cur, w.start = Cursor{Seqnos: map[string]uint64{}}, true
	}
	return w
}

// Cursor returns a copy of the current position.
func (w *Watcher) Cursor() Cursor {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.cur.clone()
}

// Handler handles one delivered message. Returning an error stops the watcher and
// leaves the message undelivered: the next Poll (or a resume from the saved cursor)
// delivers it again.
type Handler func(ctx context.Context, m Message) error

// Run polls until ctx ends (returning ctx's error) or a poll fails for good. A failure
// that may pass by itself (Transient: the network, a failing server) does not stop it:
// it is logged and the poll is tried again, waiting twice as long each time up to
// MaxBackoff, so that a bot outlives an outage. Any other error — a handler's, Save's,
// a refusal such as -101 (logged out) — stops it and is returned.
func (w *Watcher) Run(ctx context.Context, h Handler) error {
	var wake <-chan struct{}
	if w.opt.Live {
		lctx, cancel := context.WithCancel(ctx)
		defer cancel()
		wake = w.listen(lctx)
	}
	wait := w.opt.Interval
	for {
		err := w.Poll(ctx, h)
		switch {
		case err == nil:
			wait = w.opt.Interval
		case ctx.Err() != nil:
			return ctx.Err()
		case Transient(err):
			wait = min(max(wait*2, w.opt.Interval), max(w.opt.MaxBackoff, w.opt.Interval))
			w.opt.Logger.Warn("watcher: poll failed; trying again", "err", err, "in", wait)
		default:
			return err
		}
		if err := w.pause(ctx, wait, wake); err != nil {
			return err
		}
	}
}

// pause waits d between polls, or less when wake signals.
func (w *Watcher) pause(ctx context.Context, d time.Duration, wake <-chan struct{}) error {
	if wake == nil {
		return w.opt.Wait(ctx, d)
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-wake:
			cancel()
		case <-wctx.Done():
		}
	}()
	w.opt.Wait(wctx, d) // ends early when woken
	return ctx.Err()
}

// listen connects to the live-event stream (the first time before Run's first poll, so
// that nothing arriving after it goes unnoticed) and signals wake on every message, and
// on every reconnection (something may have arrived meanwhile). It keeps reconnecting,
// backing off, until ctx ends — or stops for good where there is no stream to listen to.
func (w *Watcher) listen(ctx context.Context) <-chan struct{} {
	wake := make(chan struct{}, 1)
	signal := func() {
		select {
		case wake <- struct{}{}:
		default:
		}
	}
	st, err := w.c.Stream(ctx, "", 0)
	go func() {
		backoff := w.opt.Interval
		for {
			if st == nil {
				if errors.Is(err, ErrNoStream) || errors.Is(err, ErrNotLoggedIn) {
					w.opt.Logger.Info("watcher: no live events here; polling every interval", "err", err)
					return
				}
				if err != nil {
					w.opt.Logger.Warn("watcher: live events unavailable; trying again", "err", err, "in", backoff)
				}
				if sleep(ctx, backoff) != nil {
					return
				}
				backoff = min(2*backoff, w.opt.MaxBackoff)
				if st, err = w.c.Stream(ctx, "", 0); err != nil {
					continue
				}
				signal()
			}
			backoff = w.opt.Interval
			for {
				ev, err := st.Next(ctx)
				if err != nil {
					st.Close()
					st = nil
					break
				}
				if ev.Type == "message" {
					signal()
				}
			}
			if ctx.Err() != nil {
				return
			}
		}
	}()
	return wake
}

// Poll runs one round: it delivers every message that arrived since the last round.
func (w *Watcher) Poll(ctx context.Context, h Handler) error {
	if w.start {
		if err := w.snapshot(ctx); err != nil {
			return err
		}
		w.start, w.movedAt, w.settled = false, w.opt.Now(), false
		return w.save()
	}
	polledAt := w.opt.Now()
	changed, err := w.changed(ctx)
	if err != nil {
		return err
	}
	newest := w.cur.SessionTs
	for _, s := range changed {
		if err := w.readSession(ctx, s, h); err != nil {
			return err
		}
		newest = max(newest, s.SessionTs)
	}
	if newest != w.cur.SessionTs {
		w.mu.Lock()
		w.cur.SessionTs = newest
		w.mu.Unlock()
		w.movedAt, w.settled = w.opt.Now(), false
		return w.save()
	}
	if !w.settled && polledAt.Sub(w.movedAt) > w.opt.Overlap {
		// This poll began after every send stamped before the newest time had long
		// finished, and it re-read the overlap: nothing can still arrive behind it.
		w.settled = true
	}
	return nil
}

// snapshot records where every listed conversation stands now, and the server's time
// (its Date header) as Since: a conversation not listed — new, or removed from the list
// earlier — is read from messages sent at or after it.
func (w *Watcher) snapshot(ctx context.Context) error {
	cur := Cursor{Seqnos: map[string]uint64{}}
	no := false
	opt := SessionsOptions{Category: CategoryAll, Size: 100, UnfollowFold: &no, GroupFold: &no}
	date := func(at time.Time) {
		if !at.IsZero() {
			cur.Since = at.Unix()
		}
	}
	for s, err := range w.c.allSessions(ctx, opt, date) {
		if err != nil {
			return err
		}
		cur.Seqnos[s.Talker().String()] = s.MaxSeqno
		cur.SessionTs = max(cur.SessionTs, s.SessionTs)
	}
	if cur.Since == 0 {
		// No Date header (a proxy dropped it): the newest listed session's time.
		cur.Since = cur.SessionTs / 1e6
	}
	w.mu.Lock()
	w.cur = cur
	w.mu.Unlock()
	return nil
}

// changed lists the conversations changed since the cursor (less the overlap), oldest
// change first.
func (w *Watcher) changed(ctx context.Context) ([]Session, error) {
	// new_sessions answers sessions after begin_ts; those stamped exactly at the newest
	// time seen are always re-read, since another session may share its microsecond
	// (bilimsg keeps session times distinct; bilibili does not say it does).
	begin := w.cur.SessionTs - 1
	if !w.settled {
		begin -= w.opt.Overlap.Microseconds()
	}
	begin = max(0, begin)
	page, err := w.c.NewSessions(ctx, begin, 100)
	if err != nil {
		return nil, err
	}
	list := page.Sessions
	if page.HasMore == 1 {
		// More changed than one answer holds: new_sessions cannot page, get_sessions can.
		list = nil
		no := false
		for s, err := range w.c.AllSessions(ctx, SessionsOptions{Category: CategoryAll, BeginTs: begin, Size: 100,
			UnfollowFold: &no, GroupFold: &no}) {
			if err != nil {
				return nil, err
			}
			list = append(list, s)
		}
	}
	slices.SortStableFunc(list, func(a, b Session) int {
		switch {
		case a.SessionTs < b.SessionTs:
			return -1
		case a.SessionTs > b.SessionTs:
			return 1
		}
		return 0
	})
	return list, nil
}

// readSession delivers a changed conversation's new messages in seqno order.
func (w *Watcher) readSession(ctx context.Context, s Session, h Handler) error {
	t := s.Talker()
	key := t.String()
	last := w.cur.Seqnos[key]
	if last != 0 && s.MaxSeqno <= last {
		return nil // seen already (an overlap re-read, or only my own messages)
	}
	if last == 0 {
		msgs, err := w.since(ctx, t)
		if gone(err) {
			return w.skip(key, s.MaxSeqno)
		}
		if err != nil {
			return err
		}
		if err := w.deliver(ctx, key, msgs, h); err != nil {
			return err
		}
		// Everything up to the listed max_seqno was read: what was not delivered is
		// older than Since. Remember that, so that the next round does not read it again.
		return w.skip(key, s.MaxSeqno)
	}
	for {
		hist, err := w.c.Messages(ctx, t, HistoryOptions{Size: 200, BeginSeqno: last})
		if gone(err) {
			return w.skip(key, s.MaxSeqno)
		}
		if err != nil {
			return err
		}
		msgs := slices.Clone(hist.Messages)
		slices.Reverse(msgs) // oldest first
		if err := w.deliver(ctx, key, msgs, h); err != nil {
			return err
		}
		if hist.HasMore != 1 || len(msgs) == 0 {
			return nil
		}
		next := w.cur.Seqnos[key]
		if next <= last {
			return errors.New("client: fetch_session_msgs: has_more=1 but begin_seqno does not move")
		}
		last = next
	}
}

// gone reports a fan group whose history can no longer be read: dissolved (700013), or
// I am no longer a member (700014). Its session stays listed, but there is nothing to
// deliver; waiting would stop the watcher for good.
func gone(err error) bool {
	return errors.Is(err, ErrGroupDissolved) || errors.Is(err, ErrNotGroupMember)
}

// skip moves a conversation's cursor to seqno without delivering anything.
func (w *Watcher) skip(key string, seqno uint64) error {
	if seqno <= w.cur.Seqnos[key] {
		return nil
	}
	w.mu.Lock()
	w.cur.Seqnos[key] = seqno
	w.mu.Unlock()
	return w.save()
}

// since reads a conversation first met after watching began: its messages sent at or
// after Cursor.Since, oldest first.
func (w *Watcher) since(ctx context.Context, t Talker) ([]Message, error) {
	var msgs []Message
	for m, err := range w.c.AllMessages(ctx, t, 0, 200) {
		if err != nil {
			return nil, err
		}
		if m.Timestamp < w.cur.Since {
			break
		}
		msgs = append(msgs, m)
	}
	slices.Reverse(msgs)
	return msgs, nil
}

// deliver hands msgs (oldest first) to h, moving and saving the cursor after each.
func (w *Watcher) deliver(ctx context.Context, key string, msgs []Message, h Handler) error {
	me := w.c.Mid()
	for _, m := range msgs {
		if m.MsgSeqno <= w.cur.Seqnos[key] {
			continue
		}
		if m.SenderUID != me || w.opt.IncludeOwn {
			if err := h(ctx, m); err != nil {
				return err
			}
		}
		w.mu.Lock()
		w.cur.Seqnos[key] = m.MsgSeqno
		w.mu.Unlock()
		if err := w.save(); err != nil {
			return err
		}
	}
	return nil
}

func (w *Watcher) save() error {
	if w.opt.Save == nil {
		return nil
	}
	return w.opt.Save(w.Cursor())
}
