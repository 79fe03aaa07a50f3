package client

import (
	"context"
	"fmt"
	"iter"
)

// AllSessions pages through a category's sessions, newest first, from opt.EndTs (0: the
// newest) back to opt.BeginTs. It stops at the first error, which it yields.
//
//	for s, err := range c.AllSessions(ctx, client.SessionsOptions{Category: client.CategoryAll}) {
//		if err != nil { return err }
//		…
//	}
func (c *Client) AllSessions(ctx context.Context, opt SessionsOptions) iter.Seq2[Session, error] {
	return func(yield func(Session, error) bool) {
		seen := map[Talker]bool{} // pinned sessions may head every page
		for {
			page, err := c.Sessions(ctx, opt)
			if err != nil {
				yield(Session{}, err)
				return
			}
			next := opt.EndTs
			for _, s := range page.Sessions {
				if next == 0 || s.SessionTs < next {
					next = s.SessionTs
				}
				if seen[s.Talker()] {
					continue
				}
				seen[s.Talker()] = true
				if !yield(s, nil) {
					return
				}
			}
			if page.HasMore != 1 || len(page.Sessions) == 0 {
				return
			}
			if next == opt.EndTs {
				yield(Session{}, fmt.Errorf("client: get_sessions: has_more=1 but the page does not move back from end_ts %d", next))
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
		for {
			h, err := c.Messages(ctx, t, HistoryOptions{Size: size, EndSeqno: end})
			if err != nil {
				yield(Message{}, err)
				return
			}
			for _, m := range h.Messages {
				if !yield(m, nil) {
					return
				}
			}
			if h.HasMore != 1 || len(h.Messages) == 0 {
				return
			}
			if end != 0 && h.MinSeqno >= end {
				yield(Message{}, fmt.Errorf("client: fetch_session_msgs: has_more=1 but the window does not move below seqno %d", end))
				return
			}
			end = h.MinSeqno
		}
	}
}

// AllReplies pages through the "replies to me" feed, newest first.
func (c *Client) AllReplies(ctx context.Context) iter.Seq2[ReplyEntry, error] {
	return feedAll(ctx, c.ReplyFeed, func(p *ReplyFeed) ([]ReplyEntry, FeedCursor) { return p.Items, p.Cursor })
}

// AllAts pages through the "@ me" feed, newest first.
func (c *Client) AllAts(ctx context.Context) iter.Seq2[AtEntry, error] {
	return feedAll(ctx, c.AtFeed, func(p *AtFeed) ([]AtEntry, FeedCursor) { return p.Items, p.Cursor })
}

// AllLikes pages through the "likes" feed, newest first.
func (c *Client) AllLikes(ctx context.Context) iter.Seq2[LikeEntry, error] {
	return feedAll(ctx, c.LikeFeed, func(p *LikeFeed) ([]LikeEntry, FeedCursor) { return p.Total.Items, p.Total.Cursor })
}

func feedAll[P, E any](ctx context.Context, get func(context.Context, FeedCursor) (*P, error),
	split func(*P) ([]E, FeedCursor)) iter.Seq2[E, error] {
	return func(yield func(E, error) bool) {
		var cur FeedCursor
		var zero E
		for {
			p, err := get(ctx, cur)
			if err != nil {
				yield(zero, err)
				return
			}
			items, next := split(p)
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if next.IsEnd || len(items) == 0 {
				return
			}
			if next.ID == cur.ID && next.Time == cur.Time {
				yield(zero, fmt.Errorf("client: feed cursor does not move (id %d)", next.ID))
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
		for {
			page, err := c.SystemNotices(ctx, cursor, 0)
			if err != nil {
				yield(SystemNotice{}, err)
				return
			}
			for _, n := range page {
				if !yield(n, nil) {
					return
				}
			}
			if len(page) == 0 {
				return
			}
			last := page[len(page)-1].Cursor
			if last == cursor {
				yield(SystemNotice{}, fmt.Errorf("client: query_notify_list: cursor does not move (%d)", last))
				return
			}
			cursor = last
		}
	}
}
