package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"strconv"
	"strings"

	"github.com/bilimsg/bilimsg/internal/store"
)

// txn implements store.Tx over either the writer's connection or a read transaction.
type txn struct {
	ctx   context.Context
	s     *Store
	write bool
	// dirty is set once the current op has sent a write statement (even a failed one);
	// failed once one of its statements failed.
	dirty, failed bool
	stmt          func(id int) *sql.Stmt
}

var errReadOnly = errors.New("sqlite: write in a read-only transaction")

// c is the context a statement runs with. The writer runs statements with the request's
// values but not its cancellation: a write that has started finishes (a request that is
// gone by then is skipped before it starts), and a statement without a cancellable context
// spares the driver a watcher goroutine per statement, which was 5 % of a send's CPU.
func (t *txn) c(ctx context.Context) context.Context {
	if t.write && ctx.Err() == nil {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

func (t *txn) exec(ctx context.Context, id int, args ...any) (sql.Result, error) {
	if !t.write {
		return nil, errReadOnly
	}
	t.dirty = true
	r, err := t.stmt(id).ExecContext(t.c(ctx), args...)
	return r, t.mapErr(err)
}

func (t *txn) row(ctx context.Context, id int, args ...any) *sql.Row {
	return t.stmt(id).QueryRowContext(t.c(ctx), args...)
}

// mapErr maps err like mapErr and remembers that a statement of the current op failed
// (not finding a row is no failure): the writer must then not commit the op's batch as if
// nothing happened, because SQLite may have rolled the transaction back under it.
func (t *txn) mapErr(err error) error {
	err = mapErr(err)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		t.failed = true
	}
	return err
}

// u2i stores a uint64 bit-for-bit in SQLite's int64.
func u2i(u uint64) int64 { return int64(u) }

// bound maps a uint64 range bound (seqno, mid) onto SQLite's signed order. Stored seqnos
// and mids stay below 2^63, so saturating keeps an exclusive bound exact, where u2i would
// wrap a client's huge bound negative and turn "before 2^64-1" into "before -1".
func bound(u uint64) int64 { return int64(min(u, math.MaxInt64)) }

// upper turns an exclusive upper bound where 0 means "none" into the plain comparison the
// list queries use: no bound becomes MaxInt64, above every stored seqno and timestamp.
func upper(b int64) int64 {
	if b == 0 {
		return math.MaxInt64
	}
	return b
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// mapErr turns driver errors into the store's sentinels.
func mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return store.ErrNotFound
	case strings.Contains(err.Error(), "UNIQUE constraint failed"), strings.Contains(err.Error(), "PRIMARY KEY constraint"):
		return errors.Join(store.ErrConflict, err)
	case errors.Is(err, sql.ErrConnDone), errors.Is(err, sql.ErrTxDone):
		return errors.Join(store.ErrClosed, err)
	}
	return err
}

// --- users ---

func (t *txn) CreateUser(ctx context.Context, u store.User) error {
	_, err := t.exec(ctx, qCreateUser, u2i(u.Mid), u.Name, u.Face, u.Fans, u.PasswordHash, u.CreatedAt)
	return err
}

func scanUser(sc scanner) (store.User, error) {
	var u store.User
	var mid int64
	err := sc.Scan(&mid, &u.Name, &u.Face, &u.Fans, &u.PasswordHash, &u.CreatedAt)
	u.Mid = uint64(mid)
	return u, mapErr(err)
}

func (t *txn) GetUser(ctx context.Context, mid uint64) (store.User, error) {
	v, err := scanUser(t.row(ctx, qGetUser, u2i(mid)))
	return v, t.mapErr(err)
}

func (t *txn) GetUsers(ctx context.Context, mids []uint64) ([]store.User, error) {
	if len(mids) == 0 {
		return nil, nil
	}
	return queryAll(ctx, t, qGetUsers, scanUser, keyArray(mids))
}

func (t *txn) UpdateUser(ctx context.Context, u store.User) error {
	r, err := t.exec(ctx, qUpdateUser, u.Name, u.Face, u.Fans, u.PasswordHash, u2i(u.Mid))
	if err != nil {
		return err
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return store.ErrNotFound
	}
	return nil
}

func (t *txn) ListUsers(ctx context.Context, after uint64, limit int) ([]store.User, error) {
	rows, err := t.stmt(qListUsers).QueryContext(t.c(ctx), bound(after), limit)
	if err != nil {
		return nil, t.mapErr(err)
	}
	defer rows.Close()
	var out []store.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, t.mapErr(err)
		}
		out = append(out, u)
	}
	return out, t.mapErr(rows.Err())
}

func (t *txn) UsersNamed(ctx context.Context, name string, limit int) ([]store.User, error) {
	return queryAll(ctx, t, qUsersNamed, scanUser, name, limit)
}

func (t *txn) MaxMid(ctx context.Context) (uint64, error) {
	var m int64
	err := t.row(ctx, qMaxMid).Scan(&m)
	return uint64(m), t.mapErr(err)
}

// --- logins ---

func (t *txn) CreateLogin(ctx context.Context, l store.Login) error {
	_, err := t.exec(ctx, qCreateLogin, l.TokenHash, u2i(l.Mid), l.BiliJct, l.CreatedAt)
	return err
}

func (t *txn) GetLogin(ctx context.Context, tokenHash []byte) (store.Login, error) {
	var l store.Login
	var mid int64
	err := t.row(ctx, qGetLogin, tokenHash).Scan(&l.TokenHash, &mid, &l.BiliJct, &l.CreatedAt)
	l.Mid = uint64(mid)
	return l, t.mapErr(err)
}

func (t *txn) DeleteLogin(ctx context.Context, tokenHash []byte) error {
	return t.execOne(ctx, qDeleteLogin, tokenHash)
}

// --- relations ---

func (t *txn) GetRelation(ctx context.Context, mid, target uint64) (store.Relation, error) {
	var f, b int64
	err := t.row(ctx, qGetRelation, u2i(mid), u2i(target)).Scan(&f, &b)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Relation{}, nil
	}
	return store.Relation{Following: f == 1, Blocking: b == 1}, t.mapErr(err)
}

func (t *txn) Followed(ctx context.Context, mid uint64, targets []uint64) ([]uint64, error) {
	if len(targets) == 0 {
		return nil, nil
	}
	return queryAll(ctx, t, qFollowed, func(sc scanner) (uint64, error) {
		var v int64
		err := sc.Scan(&v)
		return uint64(v), err
	}, u2i(mid), keyArray(targets))
}

func (t *txn) PutRelation(ctx context.Context, mid, target uint64, r store.Relation) error {
	_, err := t.exec(ctx, qPutRelation, u2i(mid), u2i(target), b2i(r.Following), b2i(r.Blocking))
	return err
}

func (t *txn) GetPair(ctx context.Context, mid, target uint64) (store.Pair, error) {
	var p store.Pair
	var mine, theirs, packed int64
	err := t.row(ctx, qGetPair, u2i(mid), u2i(target)).Scan(&p.TargetExists, &mine, &theirs, &packed)
	p.Mine = store.Relation{Following: mine&1 != 0, Blocking: mine&2 != 0}
	p.Theirs = store.Relation{Following: theirs&1 != 0, Blocking: theirs&2 != 0}
	if err == nil && packed >= 0 {
		var st store.Settings
		for i, f := range settingsFields(&st) {
			*f = int(packed >> (i * settingBits) & (1<<settingBits - 1))
		}
		p.TargetSettings = &st
	}
	return p, t.mapErr(err)
}

// --- sessions ---

func scanSession(sc scanner) (store.Session, error) {
	var s store.Session
	var owner, talker, ack, maxs, last int64
	var follow, dnd, icpt, trust, hidden, active int64
	err := sc.Scan(&owner, &s.Type, &talker, &ack, &s.AckTs, &maxs, &s.SessionTs, &s.TopTs, &s.Unread, &last,
		&follow, &dnd, &s.PushSetting, &icpt, &trust, &hidden, &s.MySent, &active, &s.AutoReplyAt, &s.SystemType)
	s.Owner, s.Talker, s.AckSeqno, s.MaxSeqno, s.LastMsgKey = uint64(owner), uint64(talker), uint64(ack), uint64(maxs), uint64(last)
	s.IsFollow, s.IsDnd, s.Intercept, s.Trust, s.Hidden, s.TalkerActive = follow == 1, dnd == 1, icpt == 1, trust == 1, hidden == 1, active == 1
	return s, mapErr(err)
}

func (t *txn) GetSession(ctx context.Context, owner uint64, typ int, talker uint64) (store.Session, error) {
	v, err := scanSession(t.row(ctx, qGetSession, u2i(owner), typ, u2i(talker)))
	return v, t.mapErr(err)
}

func (t *txn) PutSession(ctx context.Context, s store.Session) error {
	_, err := t.exec(ctx, qPutSession, u2i(s.Owner), s.Type, u2i(s.Talker), u2i(s.AckSeqno), s.AckTs, u2i(s.MaxSeqno),
		s.SessionTs, s.TopTs, s.Unread, u2i(s.LastMsgKey), b2i(s.IsFollow), b2i(s.IsDnd), s.PushSetting,
		b2i(s.Intercept), b2i(s.Trust), b2i(s.Hidden), s.MySent, b2i(s.TalkerActive), s.AutoReplyAt, s.SystemType)
	return err
}

func (t *txn) ListSessions(ctx context.Context, q store.SessionQuery) ([]store.Session, error) {
	id := qListSessionsTs
	follow := int64(-1)
	if q.Follow != nil {
		follow = b2i(*q.Follow)
		id = qListSessionsFollow
	}
	if q.Order == store.ByAckTs {
		id = qListSessionsAck
	}
	// After 0 means no lower bound: a never-acked session (ack_ts 0) is still listed.
	after := q.After
	if after == 0 {
		after = math.MinInt64
	}
	rows, err := t.stmt(id).QueryContext(t.c(ctx), u2i(q.Owner), q.IncludeHidden, follow, q.Unacked,
		b2i(q.Intercept), after, upper(q.Before), q.Limit, q.OnlySystem)
	if err != nil {
		return nil, t.mapErr(err)
	}
	defer rows.Close()
	var out []store.Session
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, t.mapErr(err)
		}
		out = append(out, s)
	}
	return out, t.mapErr(rows.Err())
}

func (t *txn) ListSystemSessions(ctx context.Context, owner uint64) ([]store.Session, error) {
	return queryAll(ctx, t, qListSystemSessions, scanSession, u2i(owner))
}

func (t *txn) HasSessions(ctx context.Context, owner uint64) (bool, error) {
	var ok bool
	err := t.row(ctx, qHasSessions, u2i(owner)).Scan(&ok)
	return ok, t.mapErr(err)
}

func (t *txn) GetCounters(ctx context.Context, owner uint64) (store.Counters, error) {
	var c store.Counters
	err := t.row(ctx, qGetCounters, u2i(owner)).Scan(&c.Follow, &c.Unfollow, &c.Dustbin, &c.Biz, &c.Custom)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Counters{}, nil
	}
	return c, t.mapErr(err)
}

func (t *txn) AddCounters(ctx context.Context, owner uint64, d store.Counters) error {
	if d.IsZero() {
		return nil
	}
	_, err := t.exec(ctx, qAddCounters, u2i(owner), d.Follow, d.Unfollow, d.Dustbin, d.Biz, d.Custom)
	return err
}

// --- messages ---

func scanMessage(sc scanner) (store.Message, error) {
	var m store.Message
	var key, seq, lo, hi, sender, recv, vis, counts int64
	err := sc.Scan(&key, &seq, &lo, &hi, &sender, &m.ReceiverType, &recv, &m.MsgType, &m.Content,
		&m.Timestamp, &m.Status, &m.NewFaceVersion, &m.Source, &m.NotifyCode, &vis, &counts)
	m.Key, m.Seqno, m.Conv, m.SenderUID, m.ReceiverID, m.VisibleTo = uint64(key), uint64(seq),
		store.Conv{Lo: uint64(lo), Hi: uint64(hi)}, uint64(sender), uint64(recv), uint64(vis)
	m.CountsUnread = counts == 1
	return m, mapErr(err)
}

func (t *txn) InsertMessage(ctx context.Context, m store.Message) error {
	_, err := t.exec(ctx, qInsertMessage, u2i(m.Key), u2i(m.Seqno), u2i(m.Conv.Lo), u2i(m.Conv.Hi), u2i(m.SenderUID),
		m.ReceiverType, u2i(m.ReceiverID), m.MsgType, m.Content, m.Timestamp, m.Status, m.NewFaceVersion,
		m.Source, m.NotifyCode, u2i(m.VisibleTo), b2i(m.CountsUnread))
	return err
}

func (t *txn) GetMessage(ctx context.Context, key uint64) (store.Message, error) {
	v, err := scanMessage(t.row(ctx, qGetMessage, u2i(key)))
	return v, t.mapErr(err)
}

func (t *txn) GetMessages(ctx context.Context, keys []uint64) ([]store.Message, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	return t.queryMessages(ctx, qGetMessages, keyArray(keys))
}

// keyArray encodes keys (bit-for-bit as stored) as the one JSON array parameter of the
// "IN (SELECT value FROM json_each(?))" queries.
func keyArray(keys []uint64) string {
	buf := make([]byte, 0, len(keys)*20+2)
	buf = append(buf, '[')
	for i, k := range keys {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = strconv.AppendInt(buf, u2i(k), 10)
	}
	return string(append(buf, ']'))
}

func (t *txn) queryMessages(ctx context.Context, id int, args ...any) ([]store.Message, error) {
	return queryAll(ctx, t, id, scanMessage, args...)
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(...any) error }

// queryAll runs statement id and scans every row with scan.
func queryAll[T any](ctx context.Context, t *txn, id int, scan func(scanner) (T, error), args ...any) ([]T, error) {
	rows, err := t.stmt(id).QueryContext(t.c(ctx), args...)
	if err != nil {
		return nil, t.mapErr(err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, t.mapErr(err)
		}
		out = append(out, v)
	}
	return out, t.mapErr(rows.Err())
}

// execOne runs write statement id, which must change a row: ErrNotFound when none.
func (t *txn) execOne(ctx context.Context, id int, args ...any) error {
	r, err := t.exec(ctx, id, args...)
	if err != nil {
		return err
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return store.ErrNotFound
	}
	return nil
}

func (t *txn) SetMessageStatus(ctx context.Context, key uint64, status int) error {
	return t.execOne(ctx, qSetMessageStatus, status, u2i(key))
}

func (t *txn) ListMessages(ctx context.Context, q store.MessageQuery) ([]store.Message, error) {
	id := qListMessagesDesc
	if q.Ascending {
		id = qListMessagesAsc
	}
	return t.queryMessages(ctx, id, u2i(q.Conv.Lo), u2i(q.Conv.Hi), u2i(q.Viewer), bound(q.After), upper(bound(q.Before)), q.Limit, q.OnlyType)
}

func (t *txn) CountUnread(ctx context.Context, conv store.Conv, viewer, after uint64) (int64, error) {
	var n int64
	err := t.row(ctx, qCountUnread, u2i(conv.Lo), u2i(conv.Hi), u2i(viewer), u2i(after)).Scan(&n)
	return n, t.mapErr(err)
}

// --- sequences ---

func (t *txn) NextSeqno(ctx context.Context) (uint64, error) {
	if !t.write {
		return 0, errReadOnly
	}
	t.s.seqno++
	return t.s.seqno, nil
}

func (t *txn) NextMsgKey(ctx context.Context, nowMs int64) (uint64, error) {
	if !t.write {
		return 0, errReadOnly
	}
	k := uint64(nowMs) << 22
	if k <= t.s.msgKey {
		k = t.s.msgKey + 1
	}
	t.s.msgKey = k
	return k, nil
}
