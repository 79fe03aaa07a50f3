package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"math"

	"github.com/bilimsg/bilimsg/internal/store"
)

// --- notification feeds ---

func scanFeedItem(sc scanner) (store.FeedItem, error) {
	var it store.FeedItem
	var id, owner int64
	err := sc.Scan(&id, &owner, &it.Feed, &it.Time, &it.Stamp, &it.Agg, &it.Body)
	it.ID, it.Owner = uint64(id), uint64(owner)
	return it, err
}

func (t *txn) InsertFeedItem(ctx context.Context, it store.FeedItem) (uint64, error) {
	r, err := t.exec(ctx, qInsertFeedItem, u2i(it.Owner), int(it.Feed), it.Time, it.Stamp, it.Agg, it.Body)
	if err != nil {
		return 0, err
	}
	id, err := r.LastInsertId()
	return uint64(id), t.mapErr(err)
}

func (t *txn) PutFeedItem(ctx context.Context, it store.FeedItem) error {
	return t.execOne(ctx, qPutFeedItem, u2i(it.ID), u2i(it.Owner), int(it.Feed), it.Time, it.Stamp, it.Agg, it.Body)
}

func (t *txn) DeleteFeedItem(ctx context.Context, id uint64) error {
	_, err := t.exec(ctx, qDeleteFeedItem, u2i(id))
	return err
}

func (t *txn) AddFeedLiker(ctx context.Context, owner uint64, agg string, mid uint64) (bool, error) {
	r, err := t.exec(ctx, qAddFeedLiker, u2i(owner), agg, u2i(mid))
	if err != nil {
		return false, err
	}
	n, err := r.RowsAffected()
	return n == 1, t.mapErr(err)
}

func (t *txn) GetFeedItem(ctx context.Context, id uint64) (store.FeedItem, error) {
	if id > math.MaxInt64 {
		return store.FeedItem{}, store.ErrNotFound
	}
	it, err := scanFeedItem(t.row(ctx, qGetFeedItem, u2i(id)))
	return it, t.mapErr(err)
}

func (t *txn) GetFeedItemByAgg(ctx context.Context, owner uint64, feed store.FeedKind, agg string) (store.FeedItem, error) {
	it, err := scanFeedItem(t.row(ctx, qGetFeedItemByAgg, u2i(owner), int(feed), agg))
	return it, t.mapErr(err)
}

func (t *txn) ListFeedItems(ctx context.Context, owner uint64, feed store.FeedKind, beforeTime int64, beforeID uint64,
	limit int) ([]store.FeedItem, error) {
	if beforeTime == 0 {
		beforeTime, beforeID = math.MaxInt64, 0
	}
	return queryAll(ctx, t, qListFeedItems, scanFeedItem, u2i(owner), int(feed), beforeTime, bound(beforeID), limit)
}

func (t *txn) GetFeedState(ctx context.Context, owner uint64, feed store.FeedKind) (store.FeedState, error) {
	var st store.FeedState
	err := t.row(ctx, qGetFeedState, u2i(owner), int(feed)).Scan(&st.Unread, &st.SeenStamp, &st.LastViewAt)
	if errors.Is(err, sql.ErrNoRows) {
		return store.FeedState{}, nil
	}
	return st, t.mapErr(err)
}

func (t *txn) ListFeedStates(ctx context.Context, owner uint64) (map[store.FeedKind]store.FeedState, error) {
	type row struct {
		feed store.FeedKind
		st   store.FeedState
	}
	rows, err := queryAll(ctx, t, qListFeedStates, func(sc scanner) (row, error) {
		var r row
		err := sc.Scan(&r.feed, &r.st.Unread, &r.st.SeenStamp, &r.st.LastViewAt)
		return r, err
	}, u2i(owner))
	out := make(map[store.FeedKind]store.FeedState, len(rows))
	for _, r := range rows {
		out[r.feed] = r.st
	}
	return out, err
}

func (t *txn) PutFeedState(ctx context.Context, owner uint64, feed store.FeedKind, st store.FeedState) error {
	_, err := t.exec(ctx, qPutFeedState, u2i(owner), int(feed), st.Unread, st.SeenStamp, st.LastViewAt)
	return err
}
