package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/internal/store"
)

func openInternal(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "bilimsg.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// queueBehindHolder holds the writer inside one Update, starts fns as Updates, waits until
// all of them are queued and then lets the writer go, so that they run as one batch.
// It returns each fn's Update error.
func queueBehindHolder(t *testing.T, s *Store, fns []func(store.Tx) error) []error {
	t.Helper()
	ctx := context.Background()
	held, release := make(chan struct{}), make(chan struct{})
	holdErr := make(chan error, 1)
	go func() {
		holdErr <- s.Update(ctx, func(store.Tx) error {
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Go(func() { errs[i] = s.Update(ctx, fn) })
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(s.ops) < len(fns) {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d Updates queued", len(s.ops), len(fns))
		}
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	if err := <-holdErr; err != nil {
		t.Fatalf("holder: %v", err)
	}
	return errs
}

func addOne(owner uint64) func(store.Tx) error {
	return func(tx store.Tx) error {
		return tx.AddCounters(context.Background(), owner, store.Counters{Follow: 1})
	}
}

func counters(t *testing.T, s *Store, owner uint64) store.Counters {
	t.Helper()
	var c store.Counters
	err := s.View(context.Background(), func(tx store.Tx) (err error) {
		c, err = tx.GetCounters(context.Background(), owner)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// One batch mixing successes, an error, a panic and a cancelled context: each op is
// isolated, and nothing is applied twice.
func TestBatchIsolation(t *testing.T) {
	s := openInternal(t)
	if s.maxBatch < 40 {
		t.Fatalf("maxBatch %d too small for this test", s.maxBatch)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	defer cancel()
	var fns []func(store.Tx) error
	for i := range 40 {
		owner := uint64(i + 1)
		switch i % 10 {
		case 3:
			fns = append(fns, func(tx store.Tx) error {
				if err := addOne(owner)(tx); err != nil {
					return err
				}
				return errors.New("op fails")
			})
		case 6:
			fns = append(fns, func(tx store.Tx) error {
				if err := addOne(owner)(tx); err != nil {
					return err
				}
				panic("op panics")
			})
		case 8:
			// A statement run with a context that is already cancelled fails; fn returns it.
			fns = append(fns, func(tx store.Tx) error {
				if err := addOne(owner)(tx); err != nil {
					return err
				}
				cancel()
				return tx.AddCounters(cancelled, owner, store.Counters{Follow: 1})
			})
		default:
			fns = append(fns, addOne(owner))
		}
	}
	errs := queueBehindHolder(t, s, fns)
	for i, err := range errs {
		owner := uint64(i + 1)
		want := int64(1)
		if i%10 == 3 || i%10 == 6 || i%10 == 8 {
			want = 0
			if err == nil {
				t.Errorf("op %d: nil error", i)
			}
		} else if err != nil {
			t.Errorf("op %d: %v", i, err)
		}
		if got := counters(t, s, owner).Follow; got != want {
			t.Errorf("op %d: counter %d, want %d", i, got, want)
		}
	}
}

// When the batch's transaction itself breaks, the ops are retried one by one: the
// innocent ones commit exactly once and only the culprit fails.
func TestBatchRetriedAlone(t *testing.T) {
	s := openInternal(t)
	var fns []func(store.Tx) error
	runs := 0
	for i := range 20 {
		if i == 10 {
			fns = append(fns, func(tx store.Tx) error {
				runs++ // only ever called by the writer goroutine
				// Break the surrounding transaction the way SQLITE_FULL or an I/O error does:
				// SQLite rolls the transaction back and the statement that hit it fails.
				if _, err := tx.(*txn).s.wconn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
					return err
				}
				return tx.CreateUser(context.Background(), store.User{Mid: 100_000, Name: "taken"})
			})
			continue
		}
		fns = append(fns, addOne(uint64(i+1)))
	}
	taken := store.User{Mid: 100_000, Name: "taken"}
	if err := s.Update(context.Background(), func(tx store.Tx) error { return tx.CreateUser(context.Background(), taken) }); err != nil {
		t.Fatal(err)
	}
	errs := queueBehindHolder(t, s, fns)
	for i, err := range errs {
		if i == 10 {
			if err == nil {
				t.Errorf("the op that broke the transaction got nil")
			}
			continue
		}
		if err != nil {
			t.Errorf("op %d: %v", i, err)
		}
		if got := counters(t, s, uint64(i+1)).Follow; got != 1 {
			t.Errorf("op %d: counter %d, want exactly 1", i, got)
		}
	}
	if runs != 2 {
		t.Errorf("the breaking op ran %d times, want 2 (batch, then alone)", runs)
	}
	// The writer still works afterwards.
	if err := s.Update(context.Background(), addOne(100)); err != nil {
		t.Fatal(err)
	}
	if got := counters(t, s, 100).Follow; got != 1 {
		t.Errorf("after the retry: counter %d", got)
	}
}

// Open migrates a database left at any older schema version.
func TestOpenMigratesEveryOlderVersion(t *testing.T) {
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != SchemaVersion() || len(ms) == 0 {
		t.Fatalf("%d migrations, SchemaVersion %d", len(ms), SchemaVersion())
	}
	for v := range len(ms) {
		t.Run(fmt.Sprintf("from v%d", v), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bilimsg.db")
			db, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range ms[:v] {
				if _, err := db.Exec(m.sql); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := db.Exec("PRAGMA user_version = " + strconv.Itoa(v)); err != nil {
				t.Fatal(err)
			}
			db.Close()
			s, err := Open(context.Background(), path, Options{})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer s.Close()
			var got int
			if err := s.wconn.QueryRowContext(context.Background(), "PRAGMA user_version").Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != len(ms) {
				t.Errorf("user_version %d after Open, want %d", got, len(ms))
			}
			if err := s.Update(context.Background(), addOne(1)); err != nil {
				t.Errorf("Update after migrating: %v", err)
			}
		})
	}
}
