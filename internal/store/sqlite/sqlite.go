// Package sqlite is the embedded store: pure-Go SQLite (modernc.org/sqlite) in WAL mode.
//
// Writes go through one goroutine that owns the single write connection and commits
// whatever Update calls are queued in one transaction (group commit). A call that fails
// leaves no write behind: the domain checks its rules before writing, and a call that
// fails after writing makes the writer roll the batch back and run each call alone.
// Reads use a separate pool of read-only connections, which WAL lets run beside the writer.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"sync"

	"github.com/bilimsg/bilimsg/internal/store"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Options tune the store. The zero value is the default.
type Options struct {
	// Synchronous is SQLite's synchronous pragma: "NORMAL" (default) or "FULL".
	// In WAL mode NORMAL makes every commit survive a crash of the process (the commit is
	// in the WAL file before Update returns); FULL also survives a power loss or OS crash
	// by fsyncing the WAL on every commit.
	Synchronous string
	// MaxBatch caps how many Update calls share one transaction (default 256).
	MaxBatch int
	// ReadConns is the size of the read pool (default 4).
	ReadConns int
	Logger    *slog.Logger
}

// Store is the SQLite implementation of store.Store.
type Store struct {
	wdb, rdb  *sql.DB
	wconn     *sql.Conn
	wstmts    []*sql.Stmt
	rstmts    []*sql.Stmt
	ops       chan *op
	quit      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
	maxBatch  int
	log       *slog.Logger

	// Sequences are owned by the writer goroutine (only write transactions call them).
	seqno  uint64
	msgKey uint64
}

type op struct {
	ctx  context.Context
	fn   func(store.Tx) error
	done chan error
}

// Open opens (creating if needed) the database file at path, applies migrations and
// starts the writer.
func Open(ctx context.Context, path string, opt Options) (*Store, error) {
	if opt.Synchronous == "" {
		opt.Synchronous = "NORMAL"
	}
	if opt.Synchronous != "NORMAL" && opt.Synchronous != "FULL" {
		return nil, fmt.Errorf("sqlite: synchronous must be NORMAL or FULL, not %q", opt.Synchronous)
	}
	if opt.MaxBatch <= 0 {
		opt.MaxBatch = 256
	}
	if opt.ReadConns <= 0 {
		opt.ReadConns = 4
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	base := (&url.URL{Scheme: "file", Path: abs}).String()
	common := "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(" + opt.Synchronous + ")"
	wdb, err := sql.Open("sqlite", base+common+"&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxLifetime(0)
	if err := migrate(ctx, wdb); err != nil {
		wdb.Close()
		return nil, err
	}
	rdb, err := sql.Open("sqlite", base+common+"&_pragma=query_only(1)")
	if err != nil {
		wdb.Close()
		return nil, err
	}
	rdb.SetMaxOpenConns(opt.ReadConns)
	rdb.SetMaxIdleConns(opt.ReadConns)
	s := &Store{wdb: wdb, rdb: rdb, ops: make(chan *op, 4*opt.MaxBatch), quit: make(chan struct{}),
		done: make(chan struct{}), maxBatch: opt.MaxBatch, log: opt.Logger}
	if err := s.prepare(ctx); err != nil {
		s.closeDBs()
		return nil, err
	}
	if err := s.loadSequences(ctx); err != nil {
		s.closeDBs()
		return nil, err
	}
	go s.writer()
	return s, nil
}

func (s *Store) prepare(ctx context.Context) error {
	conn, err := s.wdb.Conn(ctx)
	if err != nil {
		return err
	}
	s.wconn = conn
	s.wstmts = make([]*sql.Stmt, len(queries))
	s.rstmts = make([]*sql.Stmt, len(queries))
	for i, q := range queries {
		if s.wstmts[i], err = conn.PrepareContext(ctx, q); err != nil {
			return fmt.Errorf("sqlite: prepare %q: %w", q, err)
		}
		if s.rstmts[i], err = s.rdb.PrepareContext(ctx, q); err != nil {
			return fmt.Errorf("sqlite: prepare %q: %w", q, err)
		}
	}
	return nil
}

func (s *Store) loadSequences(ctx context.Context) error {
	// Keys are unsigned: once keys pass 2^63 (in 2039) they are stored negative, and the
	// largest key is the largest negative one. Fan-group messages draw their keys from
	// the same counter (their seqnos are the groups' own). Each MAX is one index seek.
	var seq int64
	var neg, pos [2]sql.NullInt64
	err := s.wconn.QueryRowContext(ctx, `SELECT (SELECT COALESCE(MAX(seqno), 0) FROM messages),
		(SELECT MAX(msg_key) FROM messages WHERE msg_key < 0), (SELECT MAX(msg_key) FROM messages),
		(SELECT MAX(msg_key) FROM group_messages WHERE msg_key < 0), (SELECT MAX(msg_key) FROM group_messages)`).
		Scan(&seq, &neg[0], &pos[0], &neg[1], &pos[1])
	if err != nil {
		return err
	}
	var key uint64
	for i := range 2 {
		if neg[i].Valid {
			key = max(key, uint64(neg[i].Int64))
		} else if pos[i].Valid {
			key = max(key, uint64(pos[i].Int64))
		}
	}
	s.seqno, s.msgKey = uint64(seq), key
	if s.seqno < seqnoBase {
		s.seqno = seqnoBase
	}
	return nil
}

// seqnoBase makes user-session seqnos look like bilibili's (about 10^15), which keeps
// clients honest about their integer types while staying below 2^53.
const seqnoBase = 1_000_000_000_000_000

// Update implements store.Store.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	o := &op{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case s.ops <- o:
	case <-s.quit:
		return store.ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-o.done:
		return err
	case <-s.done:
		// The writer answers every queued op before it exits, so look once more.
		select {
		case err := <-o.done:
			return err
		default:
			return store.ErrClosed
		}
	}
}

// View implements store.Store.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	tx, err := s.rdb.BeginTx(ctx, nil)
	if err != nil {
		return mapErr(err)
	}
	defer tx.Rollback()
	t := &txn{ctx: ctx, s: s, stmt: func(id int) *sql.Stmt { return tx.StmtContext(ctx, s.rstmts[id]) }}
	return fn(t)
}

// Close stops the writer after it has answered every queued Update and closes the files.
func (s *Store) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.quit)
		<-s.done
		err = s.closeDBs()
	})
	return err
}

func (s *Store) closeDBs() error {
	if s.wconn != nil {
		s.wconn.Close()
	}
	return errors.Join(s.rdb.Close(), s.wdb.Close())
}

func (s *Store) writer() {
	defer close(s.done)
	batch := make([]*op, 0, s.maxBatch)
	for {
		batch = batch[:0]
		select {
		case o := <-s.ops:
			batch = append(batch, o)
		case <-s.quit:
			// Drain what was queued before Close.
			for {
				select {
				case o := <-s.ops:
					s.run([]*op{o})
				default:
					return
				}
			}
		}
	fill:
		for len(batch) < s.maxBatch {
			select {
			case o := <-s.ops:
				batch = append(batch, o)
			default:
				break fill
			}
		}
		s.run(batch)
	}
}

// run commits a batch. If the transaction fails as a whole, or an op fails after it has
// written, each op is retried alone so that one bad op cannot fail its neighbours.
func (s *Store) run(batch []*op) {
	errs, err := s.runTx(batch)
	if err == nil {
		for i, o := range batch {
			o.done <- errs[i]
		}
		return
	}
	if len(batch) == 1 {
		batch[0].done <- err
		return
	}
	if !errors.Is(err, errRetryAlone) {
		s.log.Warn("sqlite: batch failed, retrying ops one by one", "ops", len(batch), "err", err)
	}
	for _, o := range batch {
		s.run([]*op{o})
	}
}

// errRetryAlone aborts a batch in which an op failed after writing: its writes cannot be
// taken back alone, so the whole transaction is rolled back and every op runs again alone.
var errRetryAlone = errors.New("sqlite: an op failed after writing")

// errStatementFailed is returned for an op that swallowed the error of one of its statements.
var errStatementFailed = errors.New("sqlite: a statement failed inside the transaction")

func (s *Store) exec(ctx context.Context, id int) error {
	_, err := s.wstmts[id].ExecContext(ctx)
	return err
}

// runTx runs a batch in one transaction. Ops are not wrapped in savepoints: the domain
// checks its rules before it writes, so an op that fails has almost always written
// nothing, and the few that fail after writing (storage errors, a cancelled request)
// abort the batch, which run then retries op by op. That saves two statements per op.
func (s *Store) runTx(batch []*op) (errs []error, err error) {
	ctx := context.Background()
	if err := s.exec(ctx, qBegin); err != nil {
		return nil, mapErr(err)
	}
	committed := false
	defer func() {
		if !committed {
			s.exec(ctx, qRollback)
		}
	}()
	errs = make([]error, len(batch))
	wrote := false
	t := &txn{ctx: ctx, s: s, write: true, stmt: func(id int) *sql.Stmt { return s.wstmts[id] }}
	for i, o := range batch {
		if err := o.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		t.ctx, t.dirty, t.failed = o.ctx, false, false
		errs[i] = callSafely(o.fn, t)
		wrote = wrote || (t.dirty && errs[i] == nil)
		// An op that failed after writing, or whose statement failed (SQLite may have
		// rolled the transaction back), cannot be taken back alone.
		if (errs[i] != nil && t.dirty) || t.failed {
			if len(batch) == 1 {
				if errs[i] == nil {
					errs[i] = errStatementFailed
				}
				return errs, nil // the deferred ROLLBACK undoes whatever it did
			}
			return nil, errRetryAlone
		}
	}
	if !wrote {
		return errs, nil // nothing to commit; the deferred ROLLBACK ends the transaction
	}
	if err := s.exec(ctx, qCommit); err != nil {
		return nil, mapErr(err)
	}
	committed = true
	return errs, nil
}

// callSafely turns a panic inside an op into an error for that op alone, so that a bug
// in one request can neither kill the writer nor leave its writes half done.
func callSafely(fn func(store.Tx) error, t store.Tx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("sqlite: panic in transaction: %v", r)
		}
	}()
	return fn(t)
}
