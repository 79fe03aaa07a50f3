package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/bilimsg/bilimsg/internal/store"
)

// --- settings and block words ---

// settingsCount is the number of columns in settingsCols.
const settingsCount = 17

// settingBits is how many bits each setting has in GetPair's packed form: bilibili's
// settings take the values 0 to 5, and 17 × 3 bits fit an int64.
const settingBits = 3

var errSettingRange = errors.New("sqlite: a setting's value must be 0 to 7")

// settingsFields lists s's fields in the order of settingsCols.
func settingsFields(s *store.Settings) [settingsCount]*int {
	return [settingsCount]*int{&s.ShowUnfollowedMsg, &s.MsgNotify, &s.SetLike, &s.SetComment, &s.SetAt,
		&s.IsGroupFold, &s.ShouldReceiveGroup, &s.ReceiveUnfollowMsg, &s.FollowedReply, &s.KeysReply,
		&s.RecvReply, &s.VoyageReply, &s.RecommendFollowedReply, &s.AIIntercept, &s.SetRecvReply,
		&s.SetRecvLike, &s.SetNewFollow}
}

func (t *txn) GetSettings(ctx context.Context, owner uint64) (store.Settings, error) {
	var s store.Settings
	var dest []any
	for _, f := range settingsFields(&s) {
		dest = append(dest, f)
	}
	err := t.row(ctx, qGetSettings, u2i(owner)).Scan(dest...)
	return s, t.mapErr(err)
}

func (t *txn) PutSettings(ctx context.Context, owner uint64, s store.Settings) error {
	args := []any{u2i(owner)}
	for _, f := range settingsFields(&s) {
		if *f < 0 || *f >= 1<<settingBits {
			return errSettingRange
		}
		args = append(args, *f)
	}
	_, err := t.exec(ctx, qPutSettings, args...)
	return err
}

func (t *txn) ListBlockWords(ctx context.Context, owner uint64) ([]store.BlockWord, error) {
	rows, err := t.stmt(qListBlockWords).QueryContext(t.c(ctx), u2i(owner))
	if err != nil {
		return nil, t.mapErr(err)
	}
	defer rows.Close()
	var out []store.BlockWord
	for rows.Next() {
		var w store.BlockWord
		if err := rows.Scan(&w.Content, &w.Ctime); err != nil {
			return nil, t.mapErr(err)
		}
		out = append(out, w)
	}
	return out, t.mapErr(rows.Err())
}

func (t *txn) AddBlockWord(ctx context.Context, owner uint64, w store.BlockWord) error {
	_, err := t.exec(ctx, qAddBlockWord, u2i(owner), w.Content, w.Ctime)
	return err
}

func (t *txn) DeleteBlockWord(ctx context.Context, owner uint64, content string) error {
	_, err := t.exec(ctx, qDeleteBlockWord, u2i(owner), content)
	return err
}

// --- auto-replies ---

func scanAutoReply(sc scanner) (store.AutoReply, error) {
	var r store.AutoReply
	var id, owner int64
	err := sc.Scan(&id, &owner, &r.Type, &r.Title, &r.Key1, &r.Key2, &r.Reply, &r.Ctime)
	r.ID, r.Owner = uint64(id), uint64(owner)
	return r, mapErr(err)
}

func (t *txn) GetMatchIndex(ctx context.Context, owner uint64, kind store.IndexKind) (string, error) {
	var idx string
	err := t.row(ctx, qGetMatchIndex, u2i(owner), int(kind)).Scan(&idx)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return idx, t.mapErr(err)
}

func (t *txn) PutMatchIndex(ctx context.Context, owner uint64, kind store.IndexKind, index string) error {
	if index == "" {
		_, err := t.exec(ctx, qDeleteMatchIndex, u2i(owner), int(kind))
		return err
	}
	_, err := t.exec(ctx, qPutMatchIndex, u2i(owner), int(kind), index)
	return err
}

func (t *txn) ListAutoReplies(ctx context.Context, owner uint64, typ int) ([]store.AutoReply, error) {
	rows, err := t.stmt(qListAutoReplies).QueryContext(t.c(ctx), u2i(owner), typ)
	if err != nil {
		return nil, t.mapErr(err)
	}
	defer rows.Close()
	var out []store.AutoReply
	for rows.Next() {
		r, err := scanAutoReply(rows)
		if err != nil {
			return nil, t.mapErr(err)
		}
		out = append(out, r)
	}
	return out, t.mapErr(rows.Err())
}

func (t *txn) GetAutoReply(ctx context.Context, id uint64) (store.AutoReply, error) {
	r, err := scanAutoReply(t.row(ctx, qGetAutoReply, bound(id)))
	return r, t.mapErr(err)
}

func (t *txn) PutAutoReply(ctx context.Context, r store.AutoReply) (uint64, error) {
	if r.ID == 0 {
		res, err := t.exec(ctx, qInsertAutoReply, u2i(r.Owner), r.Type, r.Title, r.Key1, r.Key2, r.Reply, r.Ctime)
		if err != nil {
			return 0, err
		}
		id, err := res.LastInsertId()
		return uint64(id), t.mapErr(err)
	}
	res, err := t.exec(ctx, qUpdateAutoReply, u2i(r.Owner), r.Type, r.Title, r.Key1, r.Key2, r.Reply, r.Ctime, bound(r.ID))
	if err != nil {
		return 0, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, store.ErrNotFound
	}
	return r.ID, nil
}

func (t *txn) DeleteAutoReply(ctx context.Context, id uint64) error {
	_, err := t.exec(ctx, qDeleteAutoReply, bound(id))
	return err
}

// --- works ---

func (t *txn) PutWork(ctx context.Context, w store.Work) error {
	_, err := t.exec(ctx, qPutWork, u2i(w.Owner), u2i(w.Aid), w.Bvid, w.Title, w.Cover, w.PubDate, w.Plays, w.Danmaku, w.Favorites)
	return err
}

func (t *txn) DeleteWork(ctx context.Context, owner, aid uint64) error {
	_, err := t.exec(ctx, qDeleteWork, u2i(owner), u2i(aid))
	return err
}

func (t *txn) ListWorks(ctx context.Context, owner uint64, limit int) ([]store.Work, error) {
	rows, err := t.stmt(qListWorks).QueryContext(t.c(ctx), u2i(owner), limit)
	if err != nil {
		return nil, t.mapErr(err)
	}
	defer rows.Close()
	var out []store.Work
	for rows.Next() {
		var w store.Work
		var owner, aid int64
		if err := rows.Scan(&owner, &aid, &w.Bvid, &w.Title, &w.Cover, &w.PubDate, &w.Plays, &w.Danmaku, &w.Favorites); err != nil {
			return nil, t.mapErr(err)
		}
		w.Owner, w.Aid = uint64(owner), uint64(aid)
		out = append(out, w)
	}
	return out, t.mapErr(rows.Err())
}
