// Package store declares what the domain needs from persistence: small interfaces per
// domain, plain record types and sentinel errors. Backends (internal/store/sqlite, later
// postgres) implement them and are the only packages that import a database driver.
package store

import (
	"context"
	"errors"
)

// Sentinel errors. Backends map their driver errors onto these so that the domain never
// sees a driver type.
var (
	ErrNotFound = errors.New("store: not found")
	ErrConflict = errors.New("store: conflict")
	ErrClosed   = errors.New("store: closed")
)

// Store runs domain operations in transactions.
//
// Update runs fn in a write transaction. Backends may commit several concurrent Update
// calls in one database transaction (group commit); each fn is still atomic on its own:
// when fn returns an error, none of its writes persist and the error is returned as is.
// When Update returns nil the writes are committed with the backend's durability level.
// fn may run more than once if the backend retries; it must not have side effects outside
// the transaction that cannot be repeated.
//
// View runs fn in a read-only snapshot; write methods fail inside it.
type Store interface {
	Update(ctx context.Context, fn func(Tx) error) error
	View(ctx context.Context, fn func(Tx) error) error
	Close() error
}

// Tx is everything a transaction can do, composed from the per-domain interfaces.
type Tx interface {
	Users
	Logins
	Relations
	Sessions
	Messages
	Sequences
	Preferences
	AutoReplies
	Works
	Groups
	Feeds
}

// Users holds accounts.
type Users interface {
	CreateUser(ctx context.Context, u User) error // ErrConflict when the mid exists
	GetUser(ctx context.Context, mid uint64) (User, error)
	// GetUsers returns the users with these mids, in no particular order; unknown mids
	// are skipped.
	GetUsers(ctx context.Context, mids []uint64) ([]User, error)
	UpdateUser(ctx context.Context, u User) error // ErrNotFound when absent
	// ListUsers returns users with mid > after in mid order, at most limit.
	ListUsers(ctx context.Context, after uint64, limit int) ([]User, error)
	// UsersNamed returns users whose name is exactly name, in mid order, at most limit.
	UsersNamed(ctx context.Context, name string, limit int) ([]User, error)
	MaxMid(ctx context.Context) (uint64, error) // 0 when there are no users
}

// Logins holds web logins (the SESSDATA / bili_jct cookie pairs).
type Logins interface {
	CreateLogin(ctx context.Context, l Login) error
	// GetLogin looks a login up by the SHA-256 of its SESSDATA.
	GetLogin(ctx context.Context, tokenHash []byte) (Login, error)
	// DeleteLogin ends a login (logout); ErrNotFound when there is none.
	DeleteLogin(ctx context.Context, tokenHash []byte) error
}

// Relations holds who follows and who blocks whom. An absent relation is the zero value.
type Relations interface {
	GetRelation(ctx context.Context, mid, target uint64) (Relation, error)
	// Followed returns which of targets mid follows.
	Followed(ctx context.Context, mid uint64, targets []uint64) ([]uint64, error)
	PutRelation(ctx context.Context, mid, target uint64, r Relation) error
	// GetPair reads, in one go, whether target exists, the relations both ways and the
	// target's settings: the send path needs all of them on every message.
	GetPair(ctx context.Context, mid, target uint64) (Pair, error)
}

// Sessions holds one row per (owner, session type, talker) and the per-owner unread
// counters that the domain keeps incrementally.
type Sessions interface {
	GetSession(ctx context.Context, owner uint64, typ int, talker uint64) (Session, error)
	PutSession(ctx context.Context, s Session) error // insert or replace
	ListSessions(ctx context.Context, q SessionQuery) ([]Session, error)
	// HasSessions reports whether the owner has any session with messages, hidden or not.
	HasSessions(ctx context.Context, owner uint64) (bool, error)
	// ListSystemSessions returns the owner's sessions with system accounts that have
	// messages (at most one per system account), hidden or not.
	ListSystemSessions(ctx context.Context, owner uint64) ([]Session, error)
	GetCounters(ctx context.Context, owner uint64) (Counters, error) // zero when absent
	AddCounters(ctx context.Context, owner uint64, delta Counters) error
}

// Messages holds messages of 1:1 conversations, addressed by their conversation
// (the ordered pair of mids) and their seqno.
type Messages interface {
	InsertMessage(ctx context.Context, m Message) error
	GetMessage(ctx context.Context, key uint64) (Message, error)
	// GetMessages returns the messages with these keys, in no particular order; unknown
	// keys are skipped.
	GetMessages(ctx context.Context, keys []uint64) ([]Message, error)
	SetMessageStatus(ctx context.Context, key uint64, status int) error
	ListMessages(ctx context.Context, q MessageQuery) ([]Message, error)
	// CountUnread counts the messages of conv visible to viewer, not sent by viewer, with
	// seqno > after, that count as unread (CountsUnread) and were not removed by the
	// system (status 2).
	CountUnread(ctx context.Context, conv Conv, viewer uint64, after uint64) (int64, error)
}

// Sequences hands out ids. Values are never handed out twice, even across restarts;
// gaps are allowed.
type Sequences interface {
	NextSeqno(ctx context.Context) (uint64, error)
	// NextMsgKey returns a key greater than every key handed out before and at least
	// nowMs<<22, so keys are time-ordered like bilibili's (about 7.5e18 in 2026).
	NextMsgKey(ctx context.Context, nowMs int64) (uint64, error)
}

// Preferences holds message settings and block words.
type Preferences interface {
	GetSettings(ctx context.Context, owner uint64) (Settings, error) // ErrNotFound when never set
	// PutSettings stores every field; each must be 0–7 (bilibili's settings use 0–5),
	// else it fails and writes nothing.
	PutSettings(ctx context.Context, owner uint64, s Settings) error
	// ListBlockWords returns the owner's block words in the order they were added.
	ListBlockWords(ctx context.Context, owner uint64) ([]BlockWord, error)
	AddBlockWord(ctx context.Context, owner uint64, w BlockWord) error       // ErrConflict for a duplicate
	DeleteBlockWord(ctx context.Context, owner uint64, content string) error // no error when absent
	// GetMatchIndex returns one of the owner's match indexes: an opaque text the domain
	// builds from the block words or the keyword rules whenever they change, so that
	// matching a received message reads one row however many words or rules there are.
	// "" when there is none.
	GetMatchIndex(ctx context.Context, owner uint64, kind IndexKind) (string, error)
	PutMatchIndex(ctx context.Context, owner uint64, kind IndexKind, index string) error // "" removes it
}

// AutoReplies holds auto-reply texts and keyword rules. Ids are never reused.
type AutoReplies interface {
	// ListAutoReplies returns the owner's texts of one type, newest (highest id) first.
	ListAutoReplies(ctx context.Context, owner uint64, typ int) ([]AutoReply, error)
	GetAutoReply(ctx context.Context, id uint64) (AutoReply, error)

	// PutAutoReply inserts r when r.ID is 0 and returns the new id, else replaces rule r.ID
	// (ErrNotFound when absent).
	PutAutoReply(ctx context.Context, r AutoReply) (uint64, error)
	DeleteAutoReply(ctx context.Context, id uint64) error // no error when absent
}

// Works holds users' published works.
type Works interface {
	PutWork(ctx context.Context, w Work) error               // insert or replace (owner, aid)
	DeleteWork(ctx context.Context, owner, aid uint64) error // no error when absent
	// ListWorks returns the owner's works, latest publication first (then highest aid), at most limit.
	ListWorks(ctx context.Context, owner uint64, limit int) ([]Work, error)
}

// Groups holds fan groups, their members and their messages. A group message is stored
// once whatever the number of members (read diffusion): members keep only their read
// position, and everything else a member's session shows comes from the group row.
type Groups interface {
	CreateGroup(ctx context.Context, g Group) error // ErrConflict when the id exists
	GetGroup(ctx context.Context, id uint64) (Group, error)
	PutGroup(ctx context.Context, g Group) error    // replaces; ErrNotFound when absent
	MaxGroupID(ctx context.Context) (uint64, error) // 0 when there are no groups

	GetMember(ctx context.Context, group, mid uint64) (Member, error)
	PutMember(ctx context.Context, m Member) error             // insert or replace
	DeleteMember(ctx context.Context, group, mid uint64) error // no error when absent
	// ListMembers returns the group's members with mid > after in mid order, at most limit.
	ListMembers(ctx context.Context, group, after uint64, limit int) ([]Member, error)
	// ListMemberships returns every group mid belongs to, with the group, in group id order.
	ListMemberships(ctx context.Context, mid uint64) ([]Membership, error)
	// MembersAmong returns which of mids are members of the group, in no particular
	// order: the live stream's fan-out reads only the users connected, never every member.
	MembersAmong(ctx context.Context, group uint64, mids []uint64) ([]uint64, error)
	// MembersNamed returns the group's members whose user name is one of names (mid and
	// name filled), for @-mentions.
	MembersNamed(ctx context.Context, group uint64, names []string) ([]User, error)

	// InsertGroupMessage stores m (ReceiverType 2, ReceiverID the group); ErrConflict when
	// the group already has a message with m's seqno.
	InsertGroupMessage(ctx context.Context, m Message) error
	GetGroupMessage(ctx context.Context, key uint64) (Message, error)
	GetGroupMessageAt(ctx context.Context, group, seqno uint64) (Message, error)
	// GetGroupMessages returns the messages with these keys in no particular order;
	// unknown keys are skipped.
	GetGroupMessages(ctx context.Context, keys []uint64) ([]Message, error)
	SetGroupMessageStatus(ctx context.Context, key uint64, status int) error
	ListGroupMessages(ctx context.Context, q GroupMessageQuery) ([]Message, error)
}

// Feeds holds the notification feeds.
type Feeds interface {
	// InsertFeedItem stores it (ID 0) and returns its id; ids are never reused.
	InsertFeedItem(ctx context.Context, it FeedItem) (uint64, error)
	PutFeedItem(ctx context.Context, it FeedItem) error  // replaces item it.ID; ErrNotFound when absent
	DeleteFeedItem(ctx context.Context, id uint64) error // no error when absent
	// AddFeedLiker records that mid liked the owner's aggregated item agg; false when
	// mid already had.
	AddFeedLiker(ctx context.Context, owner uint64, agg string, mid uint64) (bool, error)
	GetFeedItem(ctx context.Context, id uint64) (FeedItem, error)
	// GetFeedItemByAgg returns the owner's item of feed with this aggregation key.
	GetFeedItemByAgg(ctx context.Context, owner uint64, feed FeedKind, agg string) (FeedItem, error)
	// ListFeedItems returns the owner's items of feed older than the cursor (time, id) —
	// time < beforeTime, or the same time and id < beforeID (so beforeID 0 means "before
	// that second") — newest first, at most limit. beforeTime 0 starts at the newest.
	ListFeedItems(ctx context.Context, owner uint64, feed FeedKind, beforeTime int64, beforeID uint64, limit int) ([]FeedItem, error)
	GetFeedState(ctx context.Context, owner uint64, feed FeedKind) (FeedState, error) // zero when absent
	// ListFeedStates returns the owner's states of every feed that has one.
	ListFeedStates(ctx context.Context, owner uint64) (map[FeedKind]FeedState, error)
	PutFeedState(ctx context.Context, owner uint64, feed FeedKind, st FeedState) error
}
