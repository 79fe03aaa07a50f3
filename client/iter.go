package client

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"
)

// AllSessions pages through a category's sessions, newest first, from opt.EndTs (0: the
// newest) back to opt.BeginTs. It stops at the first error, which it yields.
//
// Pages are placed by session time (end_ts), so the iterator lists by session time:
// fan groups (category 3), which bilibili lists by join time unless asked otherwise,
// are asked for by session time (SortRule 1); SortRule 3 (by read time) cannot be
// paged — sessions never read share read time 0 — and yields an error.
//
//	for s, err := range c.AllSessions(ctx, client.SessionsOptions{Category: client.CategoryAll}) {
//		if err != nil { return err }
//		…
//	}
func (c *Client) AllSessions(ctx context.Context, opt SessionsOptions) iter.Seq2[Session, error] {
	return c.allSessions(ctx, opt, nil)
}

// allSessions is AllSessions that also hands the server's time (the first page's Date
// header) to date, when date is not nil.
func (c *Client) allSessions(ctx context.Context, opt SessionsOptions, date func(time.Time)) iter.Seq2[Session, error] {
	return func(yield func(Session, error) bool) {
		switch {
		case opt.SortRule == 3:
			yield(Session{}, errors.New("client: AllSessions: sort_rule 3 (by read time) cannot be paged; use 1"))
			return
		case opt.SortRule == 0 && opt.Category == CategoryGroups:
			opt.SortRule = 1
		}
		seen := map[Talker]bool{} // pinned sessions may head every page
		for first := true; ; first = false {
			page, at, err := c.sessions(ctx, opt)
			if err != nil {
				yield(Session{}, err)
				return
			}
			if first && date != nil {
				date(at)
			}
			next := opt.EndTs
			for _, s := range page.Sessions {
				if next == 0 || s.SessionTs < next {
					next = s.SessionTs
				}
			}
			more := page.HasMore == 1 && len(page.Sessions) > 0
			stuck := more && next == opt.EndTs
			if stuck && !first { // a repeated page: nothing new to yield
				yield(Session{}, errStuck("get_sessions", uint64(next)))
				return
			}
			for _, s := range page.Sessions {
				if seen[s.Talker()] {
					continue
				}
				seen[s.Talker()] = true
				if !yield(s, nil) {
					return
				}
			}
			if stuck {
				yield(Session{}, errStuck("get_sessions", uint64(next)))
				return
			}
			if !more {
				return
			}
			opt.EndTs = next
		}
	}
}

// AllMessages walks a conversation's history backwards, newest first, size messages
// per request (0: 200), starting below endSeqno (0: at the newest message).
func (c *Client) AllMessages(ctx context.Context, t Talker, endSeqno uint64, size int) iter.Seq2[Message, error] {
	if size <= 0 {
		size = 200
	}
	return func(yield func(Message, error) bool) {
		end := endSeqno
		for first := true; ; first = false {
			h, err := c.Messages(ctx, t, HistoryOptions{Size: size, EndSeqno: end})
			if err != nil {
				yield(Message{}, err)
				return
			}
			// The next window ends below the oldest message returned; it must move down.
			var next uint64
			for i, m := range h.Messages {
				if i == 0 || m.MsgSeqno < next {
					next = m.MsgSeqno
				}
			}
			more := h.HasMore == 1 && len(h.Messages) > 0
			stuck := more && (next == 0 || (end != 0 && next >= end))
			if stuck && !first {
				yield(Message{}, errStuck("fetch_session_msgs", end))
				return
			}
			for _, m := range h.Messages {
				if !yield(m, nil) {
					return
				}
			}
			if stuck {
				yield(Message{}, errStuck("fetch_session_msgs", end))
				return
			}
			if !more {
				return
			}
			end = next
		}
	}
}

// AllReplies pages through the "replies to me" feed, newest first.
func (c *Client) AllReplies(ctx context.Context) iter.Seq2[ReplyEntry, error] {
	return feedAll(ctx, "reply", c.ReplyFeed, func(p *ReplyFeed) ([]ReplyEntry, FeedCursor) { return p.Items, p.Cursor })
}

// AllAts pages through the "@ me" feed, newest first.
func (c *Client) AllAts(ctx context.Context) iter.Seq2[AtEntry, error] {
	return feedAll(ctx, "at", c.AtFeed, func(p *AtFeed) ([]AtEntry, FeedCursor) { return p.Items, p.Cursor })
}

// AllLikes pages through the "likes" feed, newest first.
func (c *Client) AllLikes(ctx context.Context) iter.Seq2[LikeEntry, error] {
	return feedAll(ctx, "like", c.LikeFeed, func(p *LikeFeed) ([]LikeEntry, FeedCursor) { return p.Total.Items, p.Total.Cursor })
}

func feedAll[P, E any](ctx context.Context, name string, get func(context.Context, FeedCursor) (*P, error),
	split func(*P) ([]E, FeedCursor)) iter.Seq2[E, error] {
	return func(yield func(E, error) bool) {
		var cur FeedCursor
		var zero E
		for first := true; ; first = false {
			p, err := get(ctx, cur)
			if err != nil {
				yield(zero, err)
				return
			}
			items, next := split(p)
			more := !next.IsEnd && len(items) > 0
			stuck := more && next.ID == cur.ID && next.Time == cur.Time
			if stuck && !first {
				yield(zero, errStuck("msgfeed/"+name, next.ID))
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if stuck {
				yield(zero, errStuck("msgfeed/"+name, next.ID))
				return
			}
			if !more {
				return
			}
			cur = FeedCursor{ID: next.ID, Time: next.Time}
		}
	}
}

// AllSystemNotices pages through the system notifications, newest first.
func (c *Client) AllSystemNotices(ctx context.Context) iter.Seq2[SystemNotice, error] {
	return func(yield func(SystemNotice, error) bool) {
		var cursor uint64
		for first := true; ; first = false {
			page, err := c.SystemNotices(ctx, cursor, 0)
			if err != nil {
				yield(SystemNotice{}, err)
				return
			}
			if len(page) == 0 {
				return
			}
			last := page[len(page)-1].Cursor
			stuck := last == cursor
			if stuck && !first {
				yield(SystemNotice{}, errStuck("query_notify_list", last))
				return
			}
			for _, n := range page {
				if !yield(n, nil) {
					return
				}
			}
			if stuck {
				yield(SystemNotice{}, errStuck("query_notify_list", last))
				return
			}
			cursor = last
		}
	}
}

// errStuck reports a server that says there is more but answers a page that does not
// move on: the iterator stops rather than loop.
func errStuck(endpoint string, at uint64) error {
	return fmt.Errorf("client: %s: more pages announced, but the page does not move on (at %d)", endpoint, at)
}
