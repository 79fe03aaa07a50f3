package sqlite

import (
	"context"
	"encoding/json"
	"math"

	"github.com/bilimsg/bilimsg/internal/store"
)

// --- fan groups ---

func (t *txn) CreateGroup(ctx context.Context, g store.Group) error {
	_, err := t.exec(ctx, qCreateGroup, groupArgs(g)...)
	return err
}

func groupArgs(g store.Group) []any {
	return []any{u2i(g.ID), u2i(g.Owner), g.Name, g.Cover, g.Type, int(g.State), g.Members, u2i(g.MaxSeqno),
		g.Counted, u2i(g.LastMsgKey), g.SessionTs, g.CreatedAt}
}

// groupDest returns scan destinations for the group columns and a function that copies
// the scanned values into g.
func groupDest(g *store.Group) ([]any, func()) {
	var id, owner, maxs, last int64
	var state int
	dest := []any{&id, &owner, &g.Name, &g.Cover, &g.Type, &state, &g.Members, &maxs, &g.Counted, &last,
		&g.SessionTs, &g.CreatedAt}
	return dest, func() {
		g.ID, g.Owner, g.MaxSeqno, g.LastMsgKey, g.State = uint64(id), uint64(owner), uint64(maxs), uint64(last), store.GroupState(state)
	}
}

func (t *txn) GetGroup(ctx context.Context, id uint64) (store.Group, error) {
	var g store.Group
	dest, done := groupDest(&g)
	err := t.row(ctx, qGetGroup, u2i(id)).Scan(dest...)
	done()
	return g, t.mapErr(err)
}

func (t *txn) PutGroup(ctx context.Context, g store.Group) error {
	return t.execOne(ctx, qPutGroup, groupArgs(g)...)
}

func (t *txn) MaxGroupID(ctx context.Context) (uint64, error) {
	var id int64
	err := t.row(ctx, qMaxGroupID).Scan(&id)
	return uint64(id), t.mapErr(err)
}

func memberDest(m *store.Member) ([]any, func()) {
	var group, mid, join, ack, at, hidden, dnd int64
	dest := []any{&group, &mid, &m.JoinedAt, &join, &ack, &m.AckTs, &m.AckCounted, &at, &m.TopTs, &dnd, &hidden}
	return dest, func() {
		m.Group, m.Mid, m.JoinSeqno, m.AckSeqno, m.AtSeqno, m.HiddenSeqno = uint64(group), uint64(mid), uint64(join),
			uint64(ack), uint64(at), uint64(hidden)
		m.IsDnd = dnd == 1
	}
}

func (t *txn) GetMember(ctx context.Context, group, mid uint64) (store.Member, error) {
	m, err := scanMember(t.row(ctx, qGetMember, u2i(group), u2i(mid)))
	return m, t.mapErr(err)
}

func (t *txn) MembersAmong(ctx context.Context, group uint64, mids []uint64) ([]uint64, error) {
	if len(mids) == 0 {
		return nil, nil
	}
	return queryAll(ctx, t, qMembersAmong, func(sc scanner) (uint64, error) {
		var m int64
		err := sc.Scan(&m)
		return uint64(m), err
	}, u2i(group), keyArray(mids))
}

func (t *txn) PutMember(ctx context.Context, m store.Member) error {
	_, err := t.exec(ctx, qPutMember, u2i(m.Group), u2i(m.Mid), m.JoinedAt, u2i(m.JoinSeqno), u2i(m.AckSeqno), m.AckTs,
		m.AckCounted, u2i(m.AtSeqno), m.TopTs, b2i(m.IsDnd), u2i(m.HiddenSeqno))
	return err
}

func (t *txn) DeleteMember(ctx context.Context, group, mid uint64) error {
	_, err := t.exec(ctx, qDeleteMember, u2i(group), u2i(mid))
	return err
}

func scanMember(sc scanner) (store.Member, error) {
	var m store.Member
	dest, done := memberDest(&m)
	err := sc.Scan(dest...)
	done()
	return m, err
}

func (t *txn) ListMembers(ctx context.Context, group, after uint64, limit int) ([]store.Member, error) {
	return queryAll(ctx, t, qListMembers, scanMember, u2i(group), bound(after), limit)
}

func (t *txn) ListMemberships(ctx context.Context, mid uint64) ([]store.Membership, error) {
	return queryAll(ctx, t, qListMemberships, func(sc scanner) (store.Membership, error) {
		var ms store.Membership
		md, mdone := memberDest(&ms.Member)
		gd, gdone := groupDest(&ms.Group)
		err := sc.Scan(append(md, gd...)...)
		mdone()
		gdone()
		return ms, err
	}, u2i(mid))
}

func (t *txn) MembersNamed(ctx context.Context, group uint64, names []string) ([]store.User, error) {
	if len(names) == 0 {
		return nil, nil
	}
	arr, err := json.Marshal(names)
	if err != nil {
		return nil, err
	}
	return queryAll(ctx, t, qMembersNamed, func(sc scanner) (store.User, error) {
		var u store.User
		var mid int64
		err := sc.Scan(&mid, &u.Name)
		u.Mid = uint64(mid)
		return u, err
	}, u2i(group), string(arr))
}

func scanGroupMessage(sc scanner) (store.Message, error) {
	var m store.Message
	var group, seq, key, sender, counts int64
	err := sc.Scan(&group, &seq, &key, &sender, &m.MsgType, &m.Content, &m.Timestamp, &m.Status, &m.NewFaceVersion,
		&m.Source, &m.NotifyCode, &counts, &m.Mentions, &m.Counted)
	m.ReceiverType, m.ReceiverID, m.Seqno, m.Key, m.SenderUID = 2, uint64(group), uint64(seq), uint64(key), uint64(sender)
	m.CountsUnread = counts == 1
	return m, mapErr(err)
}

func (t *txn) InsertGroupMessage(ctx context.Context, m store.Message) error {
	_, err := t.exec(ctx, qInsertGroupMessage, u2i(m.ReceiverID), u2i(m.Seqno), u2i(m.Key), u2i(m.SenderUID), m.MsgType,
		m.Content, m.Timestamp, m.Status, m.NewFaceVersion, m.Source, m.NotifyCode, b2i(m.CountsUnread), m.Mentions,
		m.Counted)
	return err
}

func (t *txn) GetGroupMessage(ctx context.Context, key uint64) (store.Message, error) {
	m, err := scanGroupMessage(t.row(ctx, qGetGroupMessage, u2i(key)))
	return m, t.mapErr(err)
}

func (t *txn) GetGroupMessageAt(ctx context.Context, group, seqno uint64) (store.Message, error) {
	if seqno > math.MaxInt64 {
		return store.Message{}, store.ErrNotFound // group seqnos count up from 1
	}
	m, err := scanGroupMessage(t.row(ctx, qGetGroupMessageAt, u2i(group), u2i(seqno)))
	return m, t.mapErr(err)
}

func (t *txn) GetGroupMessages(ctx context.Context, keys []uint64) ([]store.Message, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	return queryAll(ctx, t, qGetGroupMessages, scanGroupMessage, keyArray(keys))
}

func (t *txn) SetGroupMessageStatus(ctx context.Context, key uint64, status int) error {
	return t.execOne(ctx, qSetGroupMessageStatus, status, u2i(key))
}

func (t *txn) ListGroupMessages(ctx context.Context, q store.GroupMessageQuery) ([]store.Message, error) {
	id := qListGroupMessagesDesc
	if q.Ascending {
		id = qListGroupMessagesAsc
	}
	return queryAll(ctx, t, id, scanGroupMessage, u2i(q.Group), bound(q.After), upper(bound(q.Before)), q.Limit, q.OnlyType)
}
