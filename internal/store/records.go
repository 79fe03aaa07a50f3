package store

import (
	"strconv"
	"strings"
)

// User is an account.
type User struct {
	Mid          uint64
	Name         string
	Face         string
	Fans         int64
	PasswordHash string // empty when the user has no password
	CreatedAt    int64  // unix seconds
}

// Login is one web login. The SESSDATA itself is never stored, only its SHA-256.
type Login struct {
	TokenHash []byte
	Mid       uint64
	BiliJct   string
	CreatedAt int64 // unix seconds
}

// Relation is what mid does towards target.
type Relation struct {
	Following bool
	Blocking  bool
}

// Pair is what two users are to each other.
type Pair struct {
	TargetExists bool
	Mine         Relation // mid towards target
	Theirs       Relation // target towards mid
	// TargetSettings are the target's message settings, nil when the target never
	// changed one: whether a message gets through depends on them.
	TargetSettings *Settings
}

// Conv names a 1:1 conversation by its two mids, Lo < Hi.
type Conv struct{ Lo, Hi uint64 }

// ConvOf returns the conversation between a and b.
func ConvOf(a, b uint64) Conv {
	if a > b {
		a, b = b, a
	}
	return Conv{Lo: a, Hi: b}
}

// Message is a stored message.
type Message struct {
	Key            uint64
	Seqno          uint64
	Conv           Conv
	SenderUID      uint64
	ReceiverType   int
	ReceiverID     uint64
	MsgType        int
	Content        string
	Timestamp      int64 // unix seconds
	Status         int
	NewFaceVersion int
	Source         int
	NotifyCode     string
	// VisibleTo is 0 for a message both parties see, or the only mid that sees it
	// (system hints, msg_type 18).
	VisibleTo uint64
	// CountsUnread is false for messages that never count as unread (recalls).
	CountsUnread bool
	// Mentions are the mids a fan-group message @-mentions (at_uids), as decimal numbers
	// joined by commas; "" when it mentions nobody. A string keeps Message comparable.
	Mentions string
	// Counted is, for a fan-group message, how many of the group's messages up to and
	// including this one count as unread: a member's unread count is the group's latest
	// Counted minus the Counted of the message the member acked (read diffusion).
	Counted int64
}

// AtUIDs returns the mentioned mids, nil when there are none.
func (m Message) AtUIDs() []uint64 {
	if m.Mentions == "" {
		return nil
	}
	var out []uint64
	for f := range strings.SplitSeq(m.Mentions, ",") {
		if v, err := strconv.ParseUint(f, 10, 64); err == nil {
			out = append(out, v)
		}
	}
	return out
}

// JoinMentions encodes mids for Message.Mentions.
func JoinMentions(mids []uint64) string {
	var b []byte
	for i, m := range mids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendUint(b, m, 10)
	}
	return string(b)
}

// Session is one owner's view of one conversation. A row may exist only to hold
// settings (pin, DND, push, intercept) before any message: such rows have MaxSeqno 0 and
// are not listed.
type Session struct {
	Owner       uint64
	Type        int // 1 user, 2 fan group
	Talker      uint64
	AckSeqno    uint64
	AckTs       int64 // µs
	MaxSeqno    uint64
	SessionTs   int64 // µs
	TopTs       int64 // µs; 0 = not pinned
	Unread      int64
	LastMsgKey  uint64
	IsFollow    bool // owner follows talker; mirrors the relation for indexed filtering
	IsDnd       bool
	PushSetting int // 0 receive pushes, 1 don't
	Intercept   bool
	Trust       bool
	Hidden      bool // removed from lists until the next message
	// MySent counts the owner's own sends that count towards the "1 message before a
	// reply or follow" rule; TalkerActive is set once the talker actively sent a message.
	MySent       int64
	TalkerActive bool
	// AutoReplyAt is when the owner last auto-replied to a received message in this
	// session (unix seconds; 0 = never), for the once-per-period rule of recv_reply.
	AutoReplyAt int64
	// SystemType is the session's system_msg_type when the talker is a system account
	// (UP主小助手 …), else 0.
	SystemType int
}

// Bucket is which single_unread counter a session's unread messages count in.
func (s Session) Bucket() Counters {
	switch {
	case s.SystemType == SystemCustomerService:
		return Counters{Custom: s.Unread}
	case s.SystemType != 0:
		return Counters{Biz: s.Unread}
	case s.Intercept:
		return Counters{Dustbin: s.Unread}
	case s.IsFollow:
		return Counters{Follow: s.Unread}
	default:
		return Counters{Unfollow: s.Unread}
	}
}

// Counters are a user's unread totals per single_unread bucket.
type Counters struct {
	Follow   int64
	Unfollow int64
	Dustbin  int64
	Biz      int64 // unread pushes of system accounts
	Custom   int64 // unread messages of 客服消息 (customer service)
}

// SystemCustomerService is the system_msg_type of 客服消息, whose unread messages are
// single_unread's custom_unread rather than a push count.
const SystemCustomerService = 8

// Add returns c + d.
func (c Counters) Add(d Counters) Counters {
	return Counters{Follow: c.Follow + d.Follow, Unfollow: c.Unfollow + d.Unfollow, Dustbin: c.Dustbin + d.Dustbin,
		Biz: c.Biz + d.Biz, Custom: c.Custom + d.Custom}
}

// Neg returns -c.
func (c Counters) Neg() Counters {
	return Counters{Follow: -c.Follow, Unfollow: -c.Unfollow, Dustbin: -c.Dustbin, Biz: -c.Biz, Custom: -c.Custom}
}

// IsZero reports whether all counters are 0.
func (c Counters) IsZero() bool { return c == Counters{} }

// SessionOrder is how ListSessions sorts.
type SessionOrder int

const (
	BySessionTs SessionOrder = iota // session_ts descending
	ByAckTs                         // ack_ts descending
)

// SessionQuery selects listed sessions (MaxSeqno > 0, not hidden) of one owner.
// Bounds are exclusive and apply to the ordering key; 0 means unbounded.
type SessionQuery struct {
	Owner     uint64
	Order     SessionOrder
	After     int64 // key > After
	Before    int64 // key < Before (0 = no bound)
	Follow    *bool // filter on IsFollow when set
	Intercept bool  // the dustbin (true) or everything else (false)
	Limit     int
	// Unacked keeps only sessions not read up to their latest message
	// (AckSeqno < MaxSeqno), for bulk acks.
	Unacked bool
	// IncludeHidden also returns hidden sessions (bulk operations).
	IncludeHidden bool
	// OnlySystem keeps only system accounts' sessions (get_sessions category 7).
	OnlySystem bool
}

// MessageQuery selects messages of a conversation visible to Viewer, excluding
// system-recalled ones (status 2). Bounds are exclusive; 0 means unbounded.
// Ascending returns the lowest seqnos first, otherwise the highest first.
type MessageQuery struct {
	Conv      Conv
	Viewer    uint64
	After     uint64
	Before    uint64
	Limit     int
	Ascending bool
	OnlyType  int // when non-zero, only messages of this msg_type
}

// Settings are a user's message preferences (catalog §4 S1), one number per setting.
// Users who never changed a setting have no row; the domain supplies the defaults.
type Settings struct {
	ShowUnfollowedMsg      int
	MsgNotify              int
	SetLike                int
	SetComment             int
	SetAt                  int
	IsGroupFold            int
	ShouldReceiveGroup     int
	ReceiveUnfollowMsg     int
	FollowedReply          int
	KeysReply              int
	RecvReply              int
	VoyageReply            int
	RecommendFollowedReply int
	AIIntercept            int
	SetRecvReply           int
	SetRecvLike            int
	SetNewFollow           int
}

// BlockWord is one of a user's block words.
type BlockWord struct {
	Content string
	Ctime   int64 // unix seconds
}

// IndexKind names one of a user's match indexes.
type IndexKind int

const (
	IndexBlockWords IndexKind = 1
	IndexReplyRules IndexKind = 2
)

// AutoReply is one auto-reply text. Types 1 (followed), 3 (received message) and 5
// (大航海) hold at most one per owner; type 2 (keyword) holds many rules.
type AutoReply struct {
	ID    uint64
	Owner uint64
	Type  int
	Title string
	Key1  string // exact-match keywords, joined by "，"
	Key2  string // fuzzy-match keywords, joined by "，"
	Reply string
	Ctime int64 // unix seconds
}

// Work is one of a user's published works (videos), which the followed auto-reply can
// recommend.
type Work struct {
	Owner     uint64
	Aid       uint64
	Bvid      string
	Title     string
	Cover     string
	PubDate   int64 // unix seconds
	Plays     int64
	Danmaku   int64
	Favorites int64
}

// GroupState is a fan group's life stage.
type GroupState int

const (
	GroupOpen      GroupState = 0
	GroupFrozen    GroupState = 1 // nobody can send until it is unfrozen
	GroupDissolved GroupState = 2 // final: members keep the session, nothing else works
)

// Group is a fan group (粉丝团 / 应援团). Its messages are stored once, in the group's
// own dense sequence (1, 2, 3, ...); the group row carries the head of that sequence, which
// is every member's session_ts, max_seqno and last message.
type Group struct {
	ID         uint64
	Owner      uint64
	Name       string
	Cover      string
	Type       int // 0 应援团 (support group), 2 official group
	State      GroupState
	Members    int64
	MaxSeqno   uint64
	Counted    int64 // Message.Counted of the latest message (0 before any)
	LastMsgKey uint64
	SessionTs  int64 // µs of the latest message
	CreatedAt  int64 // unix seconds
}

// Member is one user's membership of a group, and that user's session with it.
type Member struct {
	Group     uint64
	Mid       uint64
	JoinedAt  int64  // µs
	JoinSeqno uint64 // the first of the group's messages the member sees
	AckSeqno  uint64
	AckTs     int64 // µs
	// AckCounted is the Counted of the message at AckSeqno, so that the unread count is
	// one subtraction, whatever the number of messages.
	AckCounted int64
	AtSeqno    uint64 // the latest message that @-mentions the member
	TopTs      int64  // µs; 0 = not pinned
	IsDnd      bool
	// HiddenSeqno: the member removed the session when the group's latest message was
	// this one; it stays out of lists until a newer message arrives (0 = never removed).
	HiddenSeqno uint64
}

// Membership is a member row with its group.
type Membership struct {
	Member
	Group Group
}

// GroupMessageQuery selects a window of one group's messages, excluding system-recalled
// ones (status 2). Bounds are exclusive; 0 means unbounded.
type GroupMessageQuery struct {
	Group     uint64
	After     uint64
	Before    uint64
	Limit     int
	Ascending bool
	OnlyType  int
}

// FeedKind names one of a user's notification feeds.
type FeedKind int

const (
	FeedReply  FeedKind = 1 // 回复我的
	FeedAt     FeedKind = 2 // @我的
	FeedLike   FeedKind = 3 // 收到的赞
	FeedSystem FeedKind = 4 // 系统通知
)

// FeedItem is one item of a notification feed. Body is the domain's JSON of the item;
// Agg, when not empty, is the key that later items of the same thing update (likes).
type FeedItem struct {
	ID    uint64
	Owner uint64
	Feed  FeedKind
	Time  int64 // unix seconds: the item's time, the feed's order and cursor
	Stamp int64 // µs, strictly increasing: when the item last became new
	Agg   string
	Body  string
}

// FeedState is a user's read state of one feed.
type FeedState struct {
	Unread     int64
	SeenStamp  int64 // items stamped after this are unread
	LastViewAt int64 // unix seconds
}
