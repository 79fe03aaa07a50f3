package sqlite_test

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/internal/store"
	"github.com/bilimsg/bilimsg/internal/store/sqlite"
	"github.com/bilimsg/bilimsg/internal/store/storetest"
)

const dbName = "bilimsg.db"

func open(t testing.TB, dir string) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, dbName), sqlite.Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return st
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, dir string) store.Store { return open(t, dir) })
}

// rawDB opens the file directly, bypassing the store.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func pragma(t *testing.T, db *sql.DB, name string) string {
	t.Helper()
	var v string
	if err := db.QueryRow("PRAGMA " + name).Scan(&v); err != nil {
		t.Fatalf("PRAGMA %s: %v", name, err)
	}
	return v
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	if sqlite.SchemaVersion() < 1 {
		t.Fatalf("SchemaVersion() = %d", sqlite.SchemaVersion())
	}
	path := filepath.Join(t.TempDir(), dbName)
	db := rawDB(t, path)
	newer := sqlite.SchemaVersion() + 1
	if _, err := db.Exec("PRAGMA user_version = " + strconv.Itoa(newer)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE from_the_future (x)"); err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err == nil {
		st.Close()
		t.Fatalf("Open accepted a database at schema version %d (this binary knows %d)", newer, sqlite.SchemaVersion())
	}
	if got := pragma(t, db, "user_version"); got != strconv.Itoa(newer) {
		t.Errorf("user_version is %s after the refused Open, want %d", got, newer)
	}
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM sqlite_schema WHERE name = 'users'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("the refused Open created tables: %d, %v", n, err)
	}
}

func TestOpenMigratesEmpty(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		prepare func(t *testing.T, path string)
	}{
		{"missing file", func(*testing.T, string) {}},
		{"zero-byte file", func(t *testing.T, path string) {
			if err := os.WriteFile(path, nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"foreign table at version 0", func(t *testing.T, path string) {
			db := rawDB(t, path)
			if _, err := db.Exec("CREATE TABLE keep_me (x); INSERT INTO keep_me VALUES (42)"); err != nil {
				t.Fatal(err)
			}
			db.Close()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, dbName)
			tc.prepare(t, path)
			st := open(t, dir)
			err := st.Update(ctx, func(tx store.Tx) error {
				return tx.CreateUser(ctx, store.User{Mid: 1, Name: "a"})
			})
			if err != nil {
				t.Fatalf("Update on a migrated database: %v", err)
			}
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
			db := rawDB(t, path)
			if got := pragma(t, db, "user_version"); got != strconv.Itoa(sqlite.SchemaVersion()) {
				t.Errorf("user_version = %s, want %d", got, sqlite.SchemaVersion())
			}
			if tc.name == "foreign table at version 0" {
				var x int
				if err := db.QueryRow("SELECT x FROM keep_me").Scan(&x); err != nil || x != 42 {
					t.Errorf("migration lost an existing table: %d, %v", x, err)
				}
			}
			// Opening a current database again migrates nothing and keeps the data.
			st = open(t, dir)
			defer st.Close()
			err = st.View(ctx, func(tx store.Tx) error {
				_, err := tx.GetUser(ctx, 1)
				return err
			})
			if err != nil {
				t.Errorf("after reopening: %v", err)
			}
		})
	}
}

// TestMigrateV1KeepsData upgrades a database written at schema version 1: its rows stay,
// sessions read AutoReplyAt 0, and the tables of later versions work.
func TestMigrateV1KeepsData(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, dbName)
	v1, err := os.ReadFile(filepath.Join("migrations", "0001_init.sql"))
	if err != nil {
		t.Fatal(err)
	}
	db := rawDB(t, path)
	const (
		owner  = 1<<60 + 12345
		talker = 844424930131966
		key    = 7_500_000_000_000_000_001
		seqno  = 1_000_000_000_000_042
	)
	// Written the way the version-1 binary wrote them (its own column lists).
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{string(v1), nil},
		{"PRAGMA user_version = 1", nil},
		{`INSERT INTO users (mid, name, face, fans, password_hash, created_at) VALUES (?, 'old', 'f', 5, 'h', 1717315200)`,
			[]any{int64(owner)}},
		{`INSERT INTO sessions (owner, type, talker, ack_seqno, ack_ts, max_seqno, session_ts, top_ts, unread, last_msg_key,
			is_follow, is_dnd, push_setting, intercept, trust, hidden, my_sent, talker_active)
			VALUES (?, 1, ?, ?, 11, ?, 22, 33, 4, ?, 1, 1, 1, 0, 1, 0, 2, 1)`,
			[]any{int64(owner), int64(talker), int64(seqno - 1), int64(seqno), int64(key)}},
		{`INSERT INTO messages (msg_key, seqno, conv_lo, conv_hi, sender_uid, receiver_type, receiver_id, msg_type, content,
			timestamp, status, new_face_version, source, notify_code, visible_to, counts_unread)
			VALUES (?, ?, ?, ?, ?, 1, ?, 1, '{"content":"hi"}', 1717315200, 0, 1, 0, '', 0, 1)`,
			[]any{int64(key), int64(seqno), int64(talker), int64(owner), int64(talker), int64(owner)}},
		{`INSERT INTO counters (owner, follow, unfollow, dustbin) VALUES (?, 4, 0, 0)`, []any{int64(owner)}},
	} {
		if _, err := db.Exec(q.sql, q.args...); err != nil {
			t.Fatalf("%.60s: %v", q.sql, err)
		}
	}
	db.Close()

	st := open(t, dir)
	defer st.Close()
	wantUser := store.User{Mid: owner, Name: "old", Face: "f", Fans: 5, PasswordHash: "h", CreatedAt: 1717315200}
	wantSess := store.Session{Owner: owner, Type: 1, Talker: talker, AckSeqno: seqno - 1, AckTs: 11, MaxSeqno: seqno,
		SessionTs: 22, TopTs: 33, Unread: 4, LastMsgKey: key, IsFollow: true, IsDnd: true, PushSetting: 1, Trust: true,
		MySent: 2, TalkerActive: true, AutoReplyAt: 0}
	check := func(wantSess store.Session, wantSettings error) {
		t.Helper()
		err := st.View(ctx, func(tx store.Tx) error {
			if u, err := tx.GetUser(ctx, owner); err != nil || u != wantUser {
				t.Errorf("user after migrating = %+v, %v; want %+v", u, err, wantUser)
			}
			if s, err := tx.GetSession(ctx, owner, 1, talker); err != nil || s != wantSess {
				t.Errorf("session after migrating = %+v, %v\nwant %+v", s, err, wantSess)
			}
			ss, err := tx.ListSessions(ctx, store.SessionQuery{Owner: owner, Limit: 10})
			if err != nil || len(ss) != 1 || ss[0] != wantSess {
				t.Errorf("listed sessions after migrating = %+v, %v", ss, err)
			}
			if m, err := tx.GetMessage(ctx, key); err != nil || m.Seqno != seqno || m.Content != `{"content":"hi"}` {
				t.Errorf("message after migrating = %+v, %v", m, err)
			}
			if c, err := tx.GetCounters(ctx, owner); err != nil || c != (store.Counters{Follow: 4}) {
				t.Errorf("counters after migrating = %+v, %v", c, err)
			}
			if _, err := tx.GetSettings(ctx, owner); !errors.Is(err, wantSettings) {
				t.Errorf("settings of the migrated user: err %v, want %v", err, wantSettings)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	check(wantSess, store.ErrNotFound)
	// The sequences continue above the migrated message.
	err = st.Update(ctx, func(tx store.Tx) error {
		s, err := tx.NextSeqno(ctx)
		if err == nil && s <= seqno {
			return fmt.Errorf("NextSeqno after migrating = %d, not above %d", s, seqno)
		}
		k, err := tx.NextMsgKey(ctx, 0)
		if err == nil && k <= key {
			return fmt.Errorf("NextMsgKey after migrating = %d, not above %d", k, uint64(key))
		}
		return err
	})
	if err != nil {
		t.Error(err)
	}
	// The new tables and column work.
	wantSess.AutoReplyAt = 1717315299
	err = st.Update(ctx, func(tx store.Tx) error {
		if err := tx.PutSession(ctx, wantSess); err != nil {
			return err
		}
		if err := tx.PutSettings(ctx, owner, store.Settings{AIIntercept: 1}); err != nil {
			return err
		}
		if err := tx.AddBlockWord(ctx, owner, store.BlockWord{Content: "广告", Ctime: 1}); err != nil {
			return err
		}
		if _, err := tx.PutAutoReply(ctx, store.AutoReply{Owner: owner, Type: 1, Reply: "thanks", Ctime: 1}); err != nil {
			return err
		}
		return tx.PutWork(ctx, store.Work{Owner: owner, Aid: 1, Title: "w", PubDate: 1})
	})
	if err != nil {
		t.Fatalf("writing the new tables after migrating: %v", err)
	}
	check(wantSess, nil)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if got := pragma(t, rawDB(t, path), "user_version"); got != strconv.Itoa(sqlite.SchemaVersion()) {
		t.Errorf("user_version = %s after migrating, want %d", got, sqlite.SchemaVersion())
	}
}

func TestWALMode(t *testing.T) {
	dir := t.TempDir()
	st := open(t, dir)
	defer st.Close()
	ctx := context.Background()
	if err := st.Update(ctx, func(tx store.Tx) error { return tx.CreateUser(ctx, store.User{Mid: 1}) }); err != nil {
		t.Fatal(err)
	}
	db := rawDB(t, filepath.Join(dir, dbName))
	if got := pragma(t, db, "journal_mode"); got != "wal" {
		t.Errorf("journal_mode = %q, want wal", got)
	}
	if _, err := os.Stat(filepath.Join(dir, dbName+"-wal")); err != nil {
		t.Errorf("no WAL file beside the database: %v", err)
	}
}

func TestOpenRejectsBadSynchronous(t *testing.T) {
	_, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), dbName), sqlite.Options{Synchronous: "OFF"})
	if err == nil {
		t.Fatal("Open accepted synchronous=OFF")
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), dbName), sqlite.Options{Synchronous: "FULL"})
	if err != nil {
		t.Fatalf("synchronous=FULL: %v", err)
	}
	st.Close()
}

// --- crash durability ---

const crashDirEnv = "BILIMSG_STORE_CRASH_DIR"

// TestCrashChild is the process TestCrash kills. It commits one message per Update and
// prints each key only after Update has returned.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("only runs as TestCrash's child")
	}
	st := open(t, dir)
	ctx := context.Background()
	w := bufio.NewWriter(os.Stdout)
	deadline := time.Now().Add(time.Minute) // in case the parent never kills us
	for i := uint64(1); time.Now().Before(deadline); i++ {
		var key uint64
		err := st.Update(ctx, func(tx store.Tx) error {
			seq, err := tx.NextSeqno(ctx)
			if err != nil {
				return err
			}
			if key, err = tx.NextMsgKey(ctx, time.Now().UnixMilli()); err != nil {
				return err
			}
			return tx.InsertMessage(ctx, store.Message{Key: key, Seqno: seq, Conv: store.ConvOf(1, 2), SenderUID: 1,
				ReceiverType: 1, ReceiverID: 2, MsgType: 1, Content: fmt.Sprintf(`{"content":"%d"}`, i),
				Timestamp: time.Now().Unix(), CountsUnread: true})
		})
		if err != nil {
			t.Fatalf("Update: %v", err)
		}
		fmt.Fprintf(w, "KEY %d\n", key)
		if err := w.Flush(); err != nil {
			return // the parent went away
		}
	}
	t.Fatal("never killed")
}

func TestCrash(t *testing.T) {
	if os.Getenv(crashDirEnv) != "" {
		t.Skip("in the child")
	}
	const want = 300
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1", "-test.timeout=2m")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var killed atomic.Bool
	defer func() {
		if !killed.Load() {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()

	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	deadline := time.NewTimer(30 * time.Second)
	defer deadline.Stop()
	var keys []uint64
	for len(keys) < want {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("child exited after %d keys", len(keys))
			}
			rest, found := strings.CutPrefix(line, "KEY ")
			if !found {
				continue // test framework output
			}
			k, err := strconv.ParseUint(rest, 10, 64)
			if err != nil {
				t.Fatalf("child printed %q", line)
			}
			keys = append(keys, k)
		case <-deadline.C:
			t.Fatalf("only %d of %d keys from the child within 30s", len(keys), want)
		}
	}
	if err := cmd.Process.Signal(os.Kill); err != nil {
		t.Fatal(err)
	}
	killed.Store(true)
	werr := cmd.Wait() // also drains and closes the pipe
	for range lines {
	}
	var exit *exec.ExitError
	if !errors.As(werr, &exit) || exit.ExitCode() != -1 {
		t.Fatalf("child did not die by the signal: %v", werr)
	}

	st := open(t, dir)
	defer st.Close()
	ctx := context.Background()
	err = st.View(ctx, func(tx store.Tx) error {
		got, err := tx.GetMessages(ctx, keys)
		if err != nil {
			return err
		}
		have := make(map[uint64]bool, len(got))
		for _, m := range got {
			have[m.Key] = true
		}
		missing := 0
		for _, k := range keys {
			if !have[k] {
				missing++
			}
		}
		if missing > 0 {
			t.Errorf("%d of %d acknowledged messages lost in the crash", missing, len(keys))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The recovered store keeps handing out fresh keys.
	err = st.Update(ctx, func(tx store.Tx) error {
		k, err := tx.NextMsgKey(ctx, 0)
		if err == nil && k <= keys[len(keys)-1] {
			err = fmt.Errorf("NextMsgKey after recovery = %d, not above %d", k, keys[len(keys)-1])
		}
		return err
	})
	if err != nil {
		t.Error(err)
	}
}

// --- benchmarks ---

// sendOp has the shape of a send: one message, both parties' sessions, counters.
func sendOp(ctx context.Context, tx store.Tx, from, to uint64) error {
	seq, err := tx.NextSeqno(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	key, err := tx.NextMsgKey(ctx, now.UnixMilli())
	if err != nil {
		return err
	}
	err = tx.InsertMessage(ctx, store.Message{Key: key, Seqno: seq, Conv: store.ConvOf(from, to), SenderUID: from,
		ReceiverType: 1, ReceiverID: to, MsgType: 1, Content: `{"content":"hello there"}`, Timestamp: now.Unix(),
		CountsUnread: true})
	if err != nil {
		return err
	}
	us := now.UnixMicro()
	if err := tx.PutSession(ctx, store.Session{Owner: from, Type: 1, Talker: to, AckSeqno: seq, AckTs: us,
		MaxSeqno: seq, SessionTs: us, LastMsgKey: key, MySent: 1}); err != nil {
		return err
	}
	if err := tx.PutSession(ctx, store.Session{Owner: to, Type: 1, Talker: from, MaxSeqno: seq, SessionTs: us,
		LastMsgKey: key, Unread: 1, TalkerActive: true}); err != nil {
		return err
	}
	return tx.AddCounters(ctx, to, store.Counters{Unfollow: 1})
}

func BenchmarkUpdateSerial(b *testing.B) {
	st := open(b, b.TempDir())
	defer st.Close()
	ctx := context.Background()
	var i uint64
	for b.Loop() {
		i++
		from, to := 1+i%1000, 1+(i*7+1)%1000
		if err := st.Update(ctx, func(tx store.Tx) error { return sendOp(ctx, tx, from, to) }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

func BenchmarkUpdateParallel(b *testing.B) {
	st := open(b, b.TempDir())
	defer st.Close()
	ctx := context.Background()
	var next atomic.Uint64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1)
			from, to := 1+i%1000, 1+(i*7+1)%1000
			if err := st.Update(ctx, func(tx store.Tx) error { return sendOp(ctx, tx, from, to) }); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}
