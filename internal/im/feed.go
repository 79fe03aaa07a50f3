package im

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/bilimsg/bilimsg/internal/store"
)

// The notification feeds (catalog §5 N1, N2 and §7): 回复我的, @我的, 收到的赞 and 系统通知.
// Producers (the operator API) post items; users read them page by page, newest first,
// and reading a feed's first page marks it read. docs/feed.md has the shapes.

// FeedPageSize is the number of items per page (catalog §9 item 41); the system list's
// page_size may ask for up to MaxFeedPageSize.
const (
	FeedPageSize    = 20
	MaxFeedPageSize = 50
)

// maxLikers is how many of an item's likers the like feed names (newest first); counts
// has them all.
const maxLikers = 10

// Notice is what a producer posts into a user's reply, @ or like feed: who did it, on
// what. Fields that a feed does not show are ignored.
type Notice struct {
	Actor      uint64   `json:"actor"`
	SubjectID  uint64   `json:"subject_id,omitempty"`
	RootID     uint64   `json:"root_id,omitempty"`
	SourceID   uint64   `json:"source_id,omitempty"`
	TargetID   uint64   `json:"target_id,omitempty"`
	ItemID     uint64   `json:"item_id,omitempty"` // likes: what was liked (aggregation key with Type)
	Type       string   `json:"type"`              // business string: "reply", "video", "dynamic", ...
	BusinessID int      `json:"business_id"`
	Business   string   `json:"business"` // display name: 评论, 视频, 动态, ...
	Title      string   `json:"title"`
	Desc       string   `json:"desc,omitempty"`
	Image      string   `json:"image,omitempty"`
	URI        string   `json:"uri"`
	NativeURI  string   `json:"native_uri,omitempty"`
	Source     string   `json:"source_content,omitempty"` // the reply's / the @'s text
	RootText   string   `json:"root_reply_content,omitempty"`
	TargetText string   `json:"target_reply_content,omitempty"`
	AtMids     []uint64 `json:"at_mids,omitempty"` // users @-mentioned in the reply
	// Likers and Counts are kept by the like feed: the likers, newest first (at most
	// maxLikers), and how many liked.
	Likers []uint64 `json:"likers,omitempty"`
	Counts int      `json:"counts,omitempty"`
}

// SysNotice is a system notification (系统通知).
type SysNotice struct {
	Title   string `json:"title"`
	Content string `json:"content"`
	Type    int    `json:"type"` // bilibili's notification type; 1 by default
	Link    string `json:"link,omitempty"`
}

// validNotice checks a producer's notice: an existing actor (checked by the caller),
// valid UTF-8 text of sane size.
func validNotice(n Notice, feed store.FeedKind) bool {
	for _, s := range []string{n.Type, n.Business, n.Title, n.Desc, n.Image, n.URI, n.NativeURI, n.Source,
		n.RootText, n.TargetText} {
		if !utf8.ValidString(s) || len(s) > MaxContentBytes*2 {
			return false
		}
	}
	if n.Type == "" || n.Actor == 0 || len(n.AtMids) > 50 {
		return false
	}
	return feed != store.FeedLike || n.ItemID != 0
}

// PostNotice delivers n into owner's reply, @ or like feed, unless owner's settings turn
// that feed off for the actor (set_comment / set_at / set_recv_reply: 1 followed only,
// 2 nobody — the stricter of the old and the new switch; set_like 5 / set_recv_like 2:
// off). Likes of the same thing (Type, ItemID) aggregate into one item that moves to the
// top (with a new id) and is unread again; its counts is the number of different
// likers. It returns the item's id, or 0 when the settings dropped it.
func (s *Service) PostNotice(ctx context.Context, owner uint64, feed store.FeedKind, n Notice) (uint64, error) {
	if feed != store.FeedReply && feed != store.FeedAt && feed != store.FeedLike {
		return 0, ErrInvalid
	}
	if !validNotice(n, feed) || n.Actor == owner {
		return 0, ErrInvalid
	}
	n.Likers, n.Counts = nil, 0
	n.AtMids = uniqueMids(n.AtMids)
	now := s.clock.Now()
	var outID uint64
	err := s.update(ctx, func(ctx context.Context, tx store.Tx) error {
		// The store may run this function again: work on a copy of the notice.
		n := n
		outID = 0
		for _, mid := range append([]uint64{owner, n.Actor}, n.AtMids...) {
			if _, err := tx.GetUser(ctx, mid); errors.Is(err, store.ErrNotFound) {
				return ErrUserNotFound
			} else if err != nil {
				return err
			}
		}
		st, err := settingsOf(ctx, tx, owner)
		if err != nil {
			return err
		}
		rel, err := tx.GetRelation(ctx, owner, n.Actor)
		if err != nil {
			return err
		}
		if !feedAccepts(st, feed, rel.Following) || rel.Blocking {
			return nil
		}
		state, err := tx.GetFeedState(ctx, owner, feed)
		if err != nil {
			return err
		}
		it := store.FeedItem{Owner: owner, Feed: feed, Time: now.Unix(), Stamp: s.tsUs(now)}
		var replaces uint64 // the aggregated item this like renews
		if feed == store.FeedLike {
			it.Agg = n.Type + ":" + strconv.FormatUint(n.ItemID, 10)
			old, err := tx.GetFeedItemByAgg(ctx, owner, feed, it.Agg)
			switch {
			case err == nil:
				var prev Notice
				if err := json.Unmarshal([]byte(old.Body), &prev); err != nil {
					return err
				}
				n.Likers, n.Counts = prev.Likers, prev.Counts
				if old.Stamp > state.SeenStamp {
					state.Unread-- // already unread: it stays one unread item
				}
				replaces = old.ID
			case !errors.Is(err, store.ErrNotFound):
				return err
			}
			// counts is how many different people liked it; liking again only moves the
			// liker to the front.
			added, err := tx.AddFeedLiker(ctx, owner, it.Agg, n.Actor)
			if err != nil {
				return err
			}
			if added {
				n.Counts++
			}
			n.Likers = append([]uint64{n.Actor}, removeMid(n.Likers, n.Actor)...)
			if len(n.Likers) > maxLikers {
				n.Likers = n.Likers[:maxLikers]
			}
		}
		body, err := json.Marshal(n)
		if err != nil {
			return err
		}
		it.Body = string(body)
		if replaces != 0 {
			// A new id puts the renewed item at the top even within the same second.
			if err := tx.DeleteFeedItem(ctx, replaces); err != nil {
				return err
			}
		}
		if it.ID, err = tx.InsertFeedItem(ctx, it); err != nil {
			return err
		}
		outID = it.ID
		state.Unread++
		note(ctx, owner, Event{Kind: EventNotification, Feed: feedNames[feed]})
		return tx.PutFeedState(ctx, owner, feed, state)
	})
	return outID, s.internal("post notice", err)
}

// feedNames name the feeds in live events.
var feedNames = map[store.FeedKind]string{store.FeedReply: "reply", store.FeedAt: "at", store.FeedLike: "like",
	store.FeedSystem: "system"}

// uniqueMids returns mids without repetitions, in order of first appearance.
func uniqueMids(mids []uint64) []uint64 {
	var out []uint64
	for _, m := range mids {
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

func removeMid(mids []uint64, mid uint64) []uint64 {
	out := mids[:0:0]
	for _, m := range mids {
		if m != mid {
			out = append(out, m)
		}
	}
	return out
}

// feedAccepts applies the notification switches of the settings (catalog §4 S1).
func feedAccepts(st store.Settings, feed store.FeedKind, following bool) bool {
	who := func(old, recent int) bool { // 0 everyone, 1 people I follow, 2 nobody
		switch max(old, recent) {
		case 0:
			return true
		case 1:
			return following
		}
		return false
	}
	switch feed {
	case store.FeedReply:
		return who(st.SetComment, st.SetRecvReply)
	case store.FeedAt:
		return who(st.SetAt, st.SetRecvReply)
	case store.FeedLike:
		return st.SetLike == 0 && st.SetRecvLike == 0
	}
	return true
}

// PostSystem delivers a system notification to owner.
func (s *Service) PostSystem(ctx context.Context, owner uint64, n SysNotice) (uint64, error) {
	if n.Title == "" || !utf8.ValidString(n.Title) || !utf8.ValidString(n.Content) || !utf8.ValidString(n.Link) ||
		len(n.Title)+len(n.Content)+len(n.Link) > MaxContentBytes*4 {
		return 0, ErrInvalid
	}
	if n.Type == 0 {
		n.Type = 1
	}
	now := s.clock.Now()
	var id uint64
	err := s.update(ctx, func(ctx context.Context, tx store.Tx) error {
		if _, err := tx.GetUser(ctx, owner); errors.Is(err, store.ErrNotFound) {
			return ErrUserNotFound
		} else if err != nil {
			return err
		}
		body, err := json.Marshal(n)
		if err != nil {
			return err
		}
		state, err := tx.GetFeedState(ctx, owner, store.FeedSystem)
		if err != nil {
			return err
		}
		if id, err = tx.InsertFeedItem(ctx, store.FeedItem{Owner: owner, Feed: store.FeedSystem, Time: now.Unix(),
			Stamp: s.tsUs(now), Body: string(body)}); err != nil {
			return err
		}
		state.Unread++
		note(ctx, owner, Event{Kind: EventNotification, Feed: feedNames[store.FeedSystem]})
		return tx.PutFeedState(ctx, owner, store.FeedSystem, state)
	})
	return id, s.internal("post system notice", err)
}

// FeedUnread are a user's unread counts per feed (N1).
type FeedUnread struct {
	Reply, At, Like, System int64
	Up                      int64 // unread pushes of UP主小助手 (system_msg_type 7)
}

// FeedUnread returns owner's unread counts, kept incrementally: one query over the feeds'
// rows, and the UP主小助手 session for `up`.
func (s *Service) FeedUnread(ctx context.Context, owner uint64) (FeedUnread, error) {
	var u FeedUnread
	err := s.st.View(ctx, func(tx store.Tx) error {
		states, err := tx.ListFeedStates(ctx, owner)
		if err != nil {
			return err
		}
		u = FeedUnread{Reply: states[store.FeedReply].Unread, At: states[store.FeedAt].Unread,
			Like: states[store.FeedLike].Unread, System: states[store.FeedSystem].Unread}
		up, _ := SystemAccountByType(7)
		sess, err := tx.GetSession(ctx, owner, 1, up.Mid)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		u.Up = sess.Unread
		return err
	})
	return u, s.internal("feed unread", err)
}

// FeedCursor is where a page starts: after the item (Time, ID) of the previous page's
// end; zero for the first page.
type FeedCursor struct {
	Time int64
	ID   uint64
}

// FeedUser is a user as the feeds show them.
type FeedUser struct {
	Mid      uint64
	Nickname string
	Avatar   string
	Follow   bool // the feed's owner follows them
}

// FeedEntry is one item of a page, with its users resolved.
type FeedEntry struct {
	store.FeedItem
	Notice Notice     // reply, @ and like feeds
	Sys    SysNotice  // system feed
	User   FeedUser   // the actor (reply, @)
	Users  []FeedUser // the likers, newest first (like)
	At     []FeedUser // the users @-mentioned in a reply
}

// FeedPage is one page of a feed.
type FeedPage struct {
	Entries    []FeedEntry
	IsEnd      bool
	LastViewAt int64 // unix seconds: now on a first page, which is a view
}

// ReadFeed returns a page of owner's feed, newest first. The first page (zero cursor)
// marks the feed read: its unread count drops to 0 and last_view_at becomes now (catalog
// §9 item 41). A cursor that is
// not one of owner's items only bounds owner's own feed, so it reveals nothing.
func (s *Service) ReadFeed(ctx context.Context, owner uint64, feed store.FeedKind, cur FeedCursor, size int) (FeedPage, error) {
	var page FeedPage
	if size <= 0 || size > MaxFeedPageSize {
		size = FeedPageSize
	}
	first := cur == FeedCursor{}
	now := s.clock.Now()
	read := func(tx store.Tx) error {
		page = FeedPage{}
		st, err := tx.GetFeedState(ctx, owner, feed)
		if err != nil {
			return err
		}
		page.LastViewAt = st.LastViewAt
		if first {
			page.LastViewAt = now.Unix()
		}
		items, err := tx.ListFeedItems(ctx, owner, feed, cur.Time, cur.ID, size+1)
		if err != nil {
			return err
		}
		page.IsEnd = len(items) <= size
		if !page.IsEnd {
			items = items[:size]
		}
		if page.Entries, err = s.resolveFeed(ctx, tx, owner, items); err != nil {
			return err
		}
		if !first || (st.Unread == 0 && st.LastViewAt == now.Unix()) {
			return nil
		}
		st.Unread, st.SeenStamp, st.LastViewAt = 0, s.tsUs(now), now.Unix()
		return tx.PutFeedState(ctx, owner, feed, st)
	}
	var err error
	if first {
		err = s.st.Update(ctx, read)
	} else {
		err = s.st.View(ctx, read)
	}
	return page, s.internal("read feed", err)
}

// resolveFeed decodes items and looks up the users they name: two queries for the whole
// page (the users, and which of them owner follows), whatever the number of items.
func (s *Service) resolveFeed(ctx context.Context, tx store.Tx, owner uint64, items []store.FeedItem) ([]FeedEntry, error) {
	out := make([]FeedEntry, 0, len(items))
	var mids []uint64
	seen := map[uint64]bool{}
	want := func(ms ...uint64) {
		for _, m := range ms {
			if !seen[m] {
				seen[m] = true
				mids = append(mids, m)
			}
		}
	}
	for _, it := range items {
		e := FeedEntry{FeedItem: it}
		dst := any(&e.Notice)
		if it.Feed == store.FeedSystem {
			dst = &e.Sys
		}
		if err := json.Unmarshal([]byte(it.Body), dst); err != nil {
			return nil, err
		}
		if it.Feed != store.FeedSystem {
			want(e.Notice.Actor)
			want(e.Notice.Likers...)
			want(e.Notice.AtMids...)
		}
		out = append(out, e)
	}
	users, err := tx.GetUsers(ctx, mids)
	if err != nil {
		return nil, err
	}
	followed, err := tx.Followed(ctx, owner, mids)
	if err != nil {
		return nil, err
	}
	byMid := make(map[uint64]FeedUser, len(mids))
	for _, m := range mids {
		byMid[m] = FeedUser{Mid: m} // a user who no longer exists keeps their mid
	}
	for _, u := range users {
		byMid[u.Mid] = FeedUser{Mid: u.Mid, Nickname: u.Name, Avatar: u.Face}
	}
	for _, m := range followed {
		u := byMid[m]
		u.Follow = true
		byMid[m] = u
	}
	for i := range out {
		n := &out[i].Notice
		if out[i].Feed == store.FeedSystem {
			continue
		}
		out[i].User = byMid[n.Actor]
		for _, m := range n.Likers {
			out[i].Users = append(out[i].Users, byMid[m])
		}
		for _, m := range n.AtMids {
			out[i].At = append(out[i].At, byMid[m])
		}
	}
	return out, nil
}

// SystemCursor returns the cursor of system notification id in owner's feed, ok false
// when id is not one of them (query_notify_list pages by id alone).
func (s *Service) SystemCursor(ctx context.Context, owner, id uint64) (FeedCursor, bool, error) {
	var cur FeedCursor
	var ok bool
	err := s.st.View(ctx, func(tx store.Tx) error {
		it, err := tx.GetFeedItem(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if it.Owner == owner && it.Feed == store.FeedSystem {
			cur, ok = FeedCursor{Time: it.Time, ID: it.ID}, true
		}
		return nil
	})
	return cur, ok, s.internal("system cursor", err)
}
