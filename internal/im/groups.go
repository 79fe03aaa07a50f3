package im

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bilimsg/bilimsg/internal/store"
)

// Fan-group system messages (catalog §10): sender 0, receiver_type 2, msg_source 13,
// content {"group_id": id, "content": text}.
const (
	MsgGroupJoined    = 301 // not produced: bilimsg announces a join with 306, as bilibili's example does
	MsgGroupLeft      = 302
	MsgGroupFrozen    = 303 // freezing and unfreezing
	MsgGroupDissolved = 304
	MsgGroupOpened    = 305
	MsgGroupWelcome   = 306

	SourceGroupSystem = 13
)

// Group types (catalog §2.1 group_type).
const (
	GroupSupport  = 0 // 应援团
	GroupOfficial = 2
)

// firstAutoGroupID is where assigned group ids start, in the range of bilibili's (2.2e8).
const firstAutoGroupID = 200_000_001

// MaxJoinBatch bounds one bulk join.
const MaxJoinBatch = 1000

// Mentions: only the first maxMentionTokens '@'s of a text are looked at, and a name is
// at most maxNameRunes runes (the operator API's limit), which bounds the lookup.
const (
	maxMentionTokens = 20
	maxNameRunes     = 64
)

// Errors of the operator API's group endpoints.
var (
	ErrGroupNotFound = errors.New("group not found")
	ErrNotMember     = errors.New("not a member of the group")
	ErrFewFans       = errors.New("the owner needs at least 1000 fans to create a fan group")
	ErrGroupState    = errors.New("the group's state does not allow this")
	ErrOwnerStays    = errors.New("the owner cannot leave or be removed; dissolve the group instead")
)

// ErrGroupFrozen answers a send to a frozen group: the code bilibili has been seen to
// answer for fan groups only (catalog §3 P19, issue #1033), with its own text.
var ErrGroupFrozen = &Error{21028, "由于系统升级，暂无法发送，敬请谅解"}

// NewGroup describes a group to create; zero ID means "assign one", empty Name means
// "<owner's name>的应援团".
type NewGroup struct {
	ID    uint64
	Owner uint64
	Name  string
	Cover string
	Type  int
}

// GroupPatch changes a group's name or cover; nil fields stay.
type GroupPatch struct {
	Name  *string
	Cover *string
}

func validGroupID(id uint64) bool { return id != 0 && id <= math.MaxInt64 }

// CreateGroup opens a fan group. The owner needs FanThreshold fans (the threshold of
// show_create_group_icon), becomes its first member and sees the "opened" message.
func (s *Service) CreateGroup(ctx context.Context, ng NewGroup) (store.Group, error) {
	if ng.ID > math.MaxInt64 || (ng.Name != "" && !validName(ng.Name)) || !utf8.ValidString(ng.Cover) ||
		(ng.Type != GroupSupport && ng.Type != GroupOfficial) {
		return store.Group{}, ErrInvalid
	}
	now := s.clock.Now()
	var g store.Group
	err := s.update(ctx, func(ctx context.Context, tx store.Tx) error {
		owner, err := tx.GetUser(ctx, ng.Owner)
		if errors.Is(err, store.ErrNotFound) {
			return ErrUserNotFound
		}
		if err != nil {
			return err
		}
		if owner.Fans < FanThreshold {
			return ErrFewFans
		}
		g = store.Group{ID: ng.ID, Owner: ng.Owner, Name: ng.Name, Cover: ng.Cover, Type: ng.Type, CreatedAt: now.Unix()}
		if g.Name == "" {
			g.Name = owner.Name + "的应援团"
		}
		if g.Cover == "" {
			g.Cover = owner.Face
		}
		if g.ID == 0 {
			maxID, err := tx.MaxGroupID(ctx)
			if err != nil {
				return err
			}
			if maxID >= math.MaxInt64 {
				return ErrIDsExhausted
			}
			g.ID = max(maxID+1, firstAutoGroupID)
		}
		// Checked before the first write: a refused call must write nothing (docs/architecture.md).
		if _, err := tx.GetGroup(ctx, g.ID); err == nil {
			return ErrGroupExists
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err := tx.CreateGroup(ctx, g); err != nil {
			return err
		}
		m, err := s.postGroupDeferred(ctx, tx, &g, store.Message{MsgType: MsgGroupOpened,
			Content: groupNotice(g.ID, owner.Name+"的应援团开通啦 (>▽<)"), Source: SourceGroupSystem}, now)
		if err != nil {
			return err
		}
		if err := s.addMember(ctx, tx, &g, owner.Mid, m.Seqno, now); err != nil {
			return err
		}
		return tx.PutGroup(ctx, g)
	})
	return g, s.internal("create group", err)
}

// ErrGroupExists: a group with the requested id exists.
var ErrGroupExists = errors.New("a group with this id exists")

// GetGroup returns a group.
func (s *Service) GetGroup(ctx context.Context, id uint64) (store.Group, error) {
	var g store.Group
	err := s.st.View(ctx, func(tx store.Tx) error {
		var err error
		g, err = getGroup(ctx, tx, id)
		return err
	})
	return g, s.internal("get group", err)
}

func getGroup(ctx context.Context, tx store.Tx, id uint64) (store.Group, error) {
	if !validGroupID(id) {
		return store.Group{}, ErrGroupNotFound
	}
	g, err := tx.GetGroup(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return g, ErrGroupNotFound
	}
	return g, err
}

// UpdateGroup renames a group or changes its cover.
func (s *Service) UpdateGroup(ctx context.Context, id uint64, p GroupPatch) (store.Group, error) {
	if (p.Name != nil && !validName(*p.Name)) || (p.Cover != nil && !utf8.ValidString(*p.Cover)) {
		return store.Group{}, ErrInvalid
	}
	var g store.Group
	err := s.update(ctx, func(ctx context.Context, tx store.Tx) error {
		var err error
		if g, err = getGroup(ctx, tx, id); err != nil {
			return err
		}
		if g.State == store.GroupDissolved {
			return ErrGroupState
		}
		if p.Name != nil {
			g.Name = *p.Name
		}
		if p.Cover != nil {
			g.Cover = *p.Cover
		}
		return tx.PutGroup(ctx, g)
	})
	return g, s.internal("update group", err)
}

// ListMembers returns a page of a group's members in mid order.
func (s *Service) ListMembers(ctx context.Context, id, after uint64, limit int) ([]store.Member, error) {
	var out []store.Member
	err := s.st.View(ctx, func(tx store.Tx) error {
		if _, err := getGroup(ctx, tx, id); err != nil {
			return err
		}
		var err error
		out, err = tx.ListMembers(ctx, id, after, limit)
		return err
	})
	return out, s.internal("list members", err)
}

// JoinGroup makes users members of an open group, each welcomed by a 306 message
// ("欢迎xxx入群"). Users who already are members are left as they are. All or nothing.
func (s *Service) JoinGroup(ctx context.Context, id uint64, mids []uint64) ([]store.Member, error) {
	if len(mids) == 0 || len(mids) > MaxJoinBatch {
		return nil, ErrInvalid
	}
	now := s.clock.Now()
	var out []store.Member
	err := s.update(ctx, func(ctx context.Context, tx store.Tx) error {
		out = out[:0]
		g, err := getGroup(ctx, tx, id)
		if err != nil {
			return err
		}
		if g.State != store.GroupOpen {
			return ErrGroupState
		}
		// Every user is checked before the first write: a refused call writes nothing.
		names := make(map[uint64]string, len(mids))
		var joining []uint64
		for _, mid := range mids {
			if _, ok := names[mid]; ok {
				continue
			}
			u, err := tx.GetUser(ctx, mid)
			if errors.Is(err, store.ErrNotFound) {
				return ErrUserNotFound
			}
			if err != nil {
				return err
			}
			names[mid] = u.Name
			if _, err := tx.GetMember(ctx, id, mid); errors.Is(err, store.ErrNotFound) {
				joining = append(joining, mid)
			} else if err != nil {
				return err
			}
		}
		for _, mid := range joining {
			msg, err := s.postGroupDeferred(ctx, tx, &g, store.Message{MsgType: MsgGroupWelcome,
				Content: groupNotice(id, "欢迎"+names[mid]+"入群"), Source: SourceGroupSystem}, now)
			if err != nil {
				return err
			}
			if err := s.addMember(ctx, tx, &g, mid, msg.Seqno, now); err != nil {
				return err
			}
		}
		if len(joining) > 0 {
			if err := tx.PutGroup(ctx, g); err != nil {
				return err
			}
		}
		seen := make(map[uint64]bool, len(mids))
		for _, mid := range mids {
			if seen[mid] {
				continue
			}
			seen[mid] = true
			m, err := tx.GetMember(ctx, id, mid)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return nil
	})
	return out, s.internal("join group", err)
}

// addMember stores a new member who sees the group from message seqno on (and has read
// it), and counts it in g, which the caller saves.
func (s *Service) addMember(ctx context.Context, tx store.Tx, g *store.Group, mid, seqno uint64, now time.Time) error {
	us := s.tsUs(now)
	g.Members++
	return tx.PutMember(ctx, store.Member{Group: g.ID, Mid: mid, JoinedAt: us, JoinSeqno: seqno, AckSeqno: seqno,
		AckTs: us, AckCounted: g.Counted})
}

// LeaveGroup takes a member out of a group: by their own choice, or removed by the owner
// (removed). The member's session goes with the membership; the others see a 302
// message. The owner cannot leave.
func (s *Service) LeaveGroup(ctx context.Context, id, mid uint64, removed bool) error {
	now := s.clock.Now()
	err := s.update(ctx, func(ctx context.Context, tx store.Tx) error {
		g, err := getGroup(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.GetMember(ctx, id, mid); errors.Is(err, store.ErrNotFound) {
			return ErrNotMember
		} else if err != nil {
			return err
		}
		if mid == g.Owner {
			return ErrOwnerStays
		}
		if g.State == store.GroupDissolved {
			return ErrGroupState // nothing changes in a dissolved group; members remove the session instead
		}
		u, err := tx.GetUser(ctx, mid)
		if err != nil {
			return err
		}
		if err := tx.DeleteMember(ctx, id, mid); err != nil {
			return err
		}
		g.Members--
		text := u.Name + "退出了应援团"
		if removed {
			text = u.Name + "被移出了应援团"
		}
		_, err = s.postGroup(ctx, tx, &g, store.Message{MsgType: MsgGroupLeft, Content: groupNotice(id, text),
			Source: SourceGroupSystem}, now)
		return err
	})
	return s.internal("leave group", err)
}

// SetGroupState freezes, unfreezes or dissolves a group, announcing it to the members
// (303, 304). Dissolving is final. Setting the state a group already has changes nothing.
func (s *Service) SetGroupState(ctx context.Context, id uint64, to store.GroupState) (store.Group, error) {
	now := s.clock.Now()
	var g store.Group
	err := s.update(ctx, func(ctx context.Context, tx store.Tx) error {
		var err error
		if g, err = getGroup(ctx, tx, id); err != nil {
			return err
		}
		if g.State == to {
			return nil
		}
		if g.State == store.GroupDissolved {
			return ErrGroupState
		}
		var msgType int
		var text string
		switch to {
		case store.GroupFrozen:
			msgType, text = MsgGroupFrozen, "该应援团已被冻结"
		case store.GroupOpen:
			msgType, text = MsgGroupFrozen, "该应援团已解除冻结"
		case store.GroupDissolved:
			msgType, text = MsgGroupDissolved, "该应援团已解散"
		default:
			return ErrInvalid
		}
		g.State = to
		_, err = s.postGroup(ctx, tx, &g, store.Message{MsgType: msgType, Content: groupNotice(id, text),
			Source: SourceGroupSystem}, now)
		return err
	})
	return g, s.internal("set group state", err)
}

// groupNotice is a system message's content: {"group_id": id, "content": text}, with
// the text's <, > and & as they are (bilibili's example has "(>▽<)").
func groupNotice(id uint64, text string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(struct {
		GroupID uint64 `json:"group_id"`
		Content string `json:"content"`
	}{id, text})
	return strings.TrimSuffix(buf.String(), "\n")
}

// postGroup appends m to the group's sequence and saves the group: one message row and
// one group row, whatever the number of members.
func (s *Service) postGroup(ctx context.Context, tx store.Tx, g *store.Group, m store.Message, now time.Time) (store.Message, error) {
	m, err := s.postGroupDeferred(ctx, tx, g, m, now)
	if err != nil {
		return m, err
	}
	return m, tx.PutGroup(ctx, *g)
}

// postGroupDeferred is postGroup without saving g, for callers that change g further.
// System messages (sender 0) and recalls never count as unread.
func (s *Service) postGroupDeferred(ctx context.Context, tx store.Tx, g *store.Group, m store.Message, now time.Time) (store.Message, error) {
	key, err := tx.NextMsgKey(ctx, now.UnixMilli())
	if err != nil {
		return m, err
	}
	m.Key, m.Seqno, m.ReceiverType, m.ReceiverID, m.Timestamp = key, g.MaxSeqno+1, 2, g.ID, now.Unix()
	m.CountsUnread = m.SenderUID != 0 && m.MsgType != MsgRecall
	m.Counted = g.Counted
	if m.CountsUnread {
		m.Counted++
	}
	if err := tx.InsertGroupMessage(ctx, m); err != nil {
		return m, err
	}
	g.MaxSeqno, g.Counted, g.LastMsgKey, g.SessionTs = m.Seqno, m.Counted, m.Key, s.tsUs(now)
	noteGroup(ctx, m)
	return m, nil
}

// member returns mid's membership of group id, or 700014 for anyone who is not a member
// of an existing group: a non-member learns nothing, not even whether the group exists.
func member(ctx context.Context, tx store.Tx, id, mid uint64) (store.Group, store.Member, error) {
	if !validGroupID(id) {
		return store.Group{}, store.Member{}, ErrNotGroupMember
	}
	m, err := tx.GetMember(ctx, id, mid)
	if errors.Is(err, store.ErrNotFound) {
		return store.Group{}, m, ErrNotGroupMember
	}
	if err != nil {
		return store.Group{}, m, err
	}
	g, err := tx.GetGroup(ctx, id)
	return g, m, err
}

// sendGroup is send_msg with receiver_type 2: members only (700014), not to a dissolved
// (700013) or frozen (21028) group. Text, image and recall, as between users; a text
// records the members it @-mentions.
func (s *Service) sendGroup(ctx context.Context, tx store.Tx, req SendRequest, content string, nfv int, text string,
	recallKey uint64, now time.Time) (uint64, error) {
	g, mem, err := member(ctx, tx, req.Receiver, req.Sender)
	if err != nil {
		return 0, err
	}
	switch g.State {
	case store.GroupDissolved:
		return 0, ErrGroupDissolved
	case store.GroupFrozen:
		return 0, ErrGroupFrozen
	}
	m := store.Message{SenderUID: req.Sender, MsgType: req.MsgType, Content: content, NewFaceVersion: nfv,
		Source: SourceWeb}
	var mentioned []uint64
	if req.MsgType == MsgRecall {
		target, err := tx.GetGroupMessage(ctx, recallKey)
		if errors.Is(err, store.ErrNotFound) {
			return 0, ErrMsgKeyNotFound
		}
		if err != nil {
			return 0, err
		}
		if target.ReceiverID != g.ID || target.SenderUID != req.Sender || target.Source != SourceWeb ||
			(target.MsgType != MsgText && target.MsgType != MsgImage) || target.Status == 2 {
			return 0, ErrMsgKeyNotFound
		}
		if target.Status == 1 {
			return 0, ErrAlreadyRecalled
		}
		if now.Unix()-target.Timestamp > 120 {
			return 0, ErrRecallExpired
		}
		if err := tx.SetGroupMessageStatus(ctx, recallKey, 1); err != nil {
			return 0, err
		}
	} else if text != "" {
		if mentioned, err = mentions(ctx, tx, g.ID, text); err != nil {
			return 0, err
		}
		m.Mentions = store.JoinMentions(mentioned)
	}
	if m, err = s.postGroup(ctx, tx, &g, m, now); err != nil {
		return 0, err
	}
	// Sending reads the session up to the new message, as between users.
	mem.AckSeqno, mem.AckTs, mem.AckCounted = m.Seqno, g.SessionTs, m.Counted
	if err := tx.PutMember(ctx, mem); err != nil {
		return 0, err
	}
	for _, mid := range mentioned {
		if mid == req.Sender {
			continue
		}
		other, err := tx.GetMember(ctx, g.ID, mid)
		if err != nil {
			return 0, err
		}
		other.AtSeqno = m.Seqno
		if err := tx.PutMember(ctx, other); err != nil {
			return 0, err
		}
	}
	return m.Key, nil
}

// mentionTokens returns, for each of the first maxMentionTokens '@'s (ASCII or
// full-width) of text — bare ones count too — the run of at most maxNameRunes runes after
// it up to the next space or '@', when that run is not empty. A mention is the longest
// prefix of a token that is a member's name, so "@小明你好" mentions 小明 and "@小明 你好" too.
func mentionTokens(text string) []string {
	var out []string
	for range maxMentionTokens {
		i := strings.IndexAny(text, "@＠")
		if i < 0 {
			break
		}
		_, w := utf8.DecodeRuneInString(text[i:])
		text = text[i+w:]
		end, n := 0, 0
		for j, r := range text {
			if unicode.IsSpace(r) || r == '@' || r == '＠' || n == maxNameRunes {
				break
			}
			// The width actually decoded: an invalid byte is one byte, not RuneLen(U+FFFD).
			_, w := utf8.DecodeRuneInString(text[j:])
			end, n = j+w, n+1
		}
		if end > 0 {
			out = append(out, text[:end])
		}
	}
	return out
}

// mentions returns the members of group that text @-mentions, in order of first mention.
// It costs one indexed lookup per candidate name, whatever the size of the group.
func mentions(ctx context.Context, tx store.Tx, group uint64, text string) ([]uint64, error) {
	tokens := mentionTokens(text)
	if len(tokens) == 0 {
		return nil, nil
	}
	seen := map[string]bool{}
	var names []string
	for _, tok := range tokens {
		for i := range tok {
			if i == 0 {
				continue
			}
			if p := tok[:i]; !seen[p] {
				seen[p] = true
				names = append(names, p)
			}
		}
		if !seen[tok] {
			seen[tok] = true
			names = append(names, tok)
		}
	}
	found, err := tx.MembersNamed(ctx, group, names)
	if err != nil || len(found) == 0 {
		return nil, err
	}
	byName := map[string][]uint64{}
	for _, u := range found {
		byName[u.Name] = append(byName[u.Name], u.Mid)
	}
	var out []uint64
	done := map[uint64]bool{}
	for _, tok := range tokens {
		// The longest prefix (ending on a rune boundary) that names a member.
		for end := len(tok); end > 0; end-- {
			if end < len(tok) && !utf8.RuneStart(tok[end]) {
				continue
			}
			if mids, ok := byName[tok[:end]]; ok {
				for _, mid := range mids {
					if !done[mid] {
						done[mid] = true
						out = append(out, mid)
					}
				}
				break
			}
		}
	}
	return out, nil
}

// groupView is a member's session with a group. The group row supplies what every
// member shares (the latest message, session_ts, max_seqno); the member row what is
// theirs. unread_count and at_seqno are 0 for a member who turned group messages off
// (should_receive_group 0).
func groupView(ms store.Membership, receive bool) SessionView {
	g, m := ms.Group, ms.Member
	v := SessionView{Session: store.Session{Owner: m.Mid, Type: 2, Talker: g.ID, AckSeqno: m.AckSeqno, AckTs: m.AckTs,
		MaxSeqno: g.MaxSeqno, SessionTs: g.SessionTs, TopTs: m.TopTs, LastMsgKey: g.LastMsgKey, IsDnd: m.IsDnd},
		Group: &GroupInfo{Name: g.Name, Cover: g.Cover, Type: g.Type}}
	if receive {
		v.Unread = max(g.Counted-m.AckCounted, 0)
		if m.AtSeqno > m.AckSeqno {
			v.AtSeqno = m.AtSeqno
		}
	}
	return v
}

// listed reports whether a member's group session shows in lists: not removed, or a
// message arrived since.
func listed(ms store.Membership) bool { return ms.Group.MaxSeqno > ms.HiddenSeqno }

// GroupInfo is what a group session shows of its group.
type GroupInfo struct {
	Name  string
	Cover string
	Type  int
}

// MyGroupUnread is my_group_unread: the unread messages of all my groups, 0 when I turned
// group messages off. It reads one row per group I am in, whatever their sizes.
func (s *Service) MyGroupUnread(ctx context.Context, mid uint64) (int64, error) {
	var n int64
	err := s.st.View(ctx, func(tx store.Tx) error {
		st, err := settingsOf(ctx, tx, mid)
		if err != nil || st.ShouldReceiveGroup == 0 {
			return err
		}
		ms, err := tx.ListMemberships(ctx, mid)
		for _, m := range ms {
			n += groupView(m, true).Unread
		}
		return err
	})
	return n, s.internal("my group unread", err)
}

// updateMember is updateSession for group sessions: a missing membership is a
// successful no-op, as for sessions that do not exist.
func (s *Service) updateMember(ctx context.Context, owner, id uint64,
	fn func(tx store.Tx, g store.Group, m *store.Member, nowUs int64) error) error {
	if !validGroupID(id) {
		return nil
	}
	now := s.clock.Now()
	return s.update(ctx, func(ctx context.Context, tx store.Tx) error {
		g, m, err := member(ctx, tx, id, owner)
		if errors.Is(err, ErrNotGroupMember) {
			return nil
		}
		if err != nil {
			return err
		}
		before := m
		if err := fn(tx, g, &m, s.tsUs(now)); err != nil || m == before {
			return err
		}
		v := groupView(store.Membership{Group: g, Member: m}, true)
		note(ctx, owner, Event{Kind: EventSession, Talker: g.ID, Type: 2, Unread: v.Unread, Session: &SessionState{
			AckSeqno: m.AckSeqno, TopTs: m.TopTs, IsDnd: m.IsDnd, Removed: !listed(store.Membership{Group: g, Member: m})}})
		return tx.PutMember(ctx, m)
	})
}

// ackMember moves a member's read position to target (clamped, never backwards).
func ackMember(ctx context.Context, tx store.Tx, g store.Group, m *store.Member, target uint64) error {
	target = min(target, g.MaxSeqno)
	if target <= m.AckSeqno {
		return nil
	}
	m.AckSeqno = target
	if target == g.MaxSeqno {
		m.AckCounted = g.Counted
		return nil
	}
	at, err := tx.GetGroupMessageAt(ctx, g.ID, target)
	m.AckCounted = at.Counted
	return err
}

// groupDetail is session_detail for a fan group: members only; to anyone else the
// group is a session that does not exist (1000004).
func (s *Service) groupDetail(ctx context.Context, owner, id uint64) (SessionView, error) {
	var v SessionView
	err := s.st.View(ctx, func(tx store.Tx) error {
		g, m, err := member(ctx, tx, id, owner)
		if errors.Is(err, ErrNotGroupMember) {
			return ErrNoSession
		}
		if err != nil {
			return err
		}
		st, err := settingsOf(ctx, tx, owner)
		if err != nil {
			return err
		}
		views, err := withLastMessages(ctx, tx, []SessionView{groupView(store.Membership{Member: m, Group: g},
			st.ShouldReceiveGroup != 0)})
		if err == nil {
			v = views[0]
		}
		return err
	})
	return v, s.internal("session detail", err)
}
