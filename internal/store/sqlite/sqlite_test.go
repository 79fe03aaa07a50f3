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

// dbAtVersion creates the database at path as a binary of schema version v left it: the
// first v migrations applied, user_version v. The migration tests then write rows the way
// that binary did and open the store to upgrade it.
func dbAtVersion(t *testing.T, path string, v int) *sql.DB {
	t.Helper()
	db := rawDB(t, path)
	names, err := filepath.Glob(filepath.Join("migrations", "*.sql"))
	if err != nil || len(names) < v {
		t.Fatalf("migrations: %v, %d files", err, len(names))
	}
	for _, name := range names[:v] {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(string(b)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if _, err := db.Exec("PRAGMA user_version = " + strconv.Itoa(v)); err != nil {
		t.Fatal(err)
	}
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
	db := dbAtVersion(t, path, 1)
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
	err := st.Update(ctx, func(tx store.Tx) error {
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

// TestMigrateV2KeepsData upgrades a database written at schema version 2 (before fan
// groups): its rows stay, the sequences continue above them, the group tables work, and
// the index that @-mentions look names up with exists.
func TestMigrateV2KeepsData(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, dbName)
	db := dbAtVersion(t, path, 2)
	const (
		owner  = 1<<60 + 12345
		talker = 844424930131966
		key    = 7_500_000_000_000_000_001
		seqno  = 1_000_000_000_000_042
	)
	// Written the way the version-2 binary wrote them (its own column lists).
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO users (mid, name, face, fans, password_hash, created_at) VALUES (?, '老用户', 'f', 5, 'h', 1717315200)`,
			[]any{int64(owner)}},
		{`INSERT INTO users (mid, name, face, fans, password_hash, created_at) VALUES (?, 'talker', '', 0, '', 1717315201)`,
			[]any{int64(talker)}},
		{`INSERT INTO sessions (owner, type, talker, ack_seqno, ack_ts, max_seqno, session_ts, top_ts, unread, last_msg_key,
			is_follow, is_dnd, push_setting, intercept, trust, hidden, my_sent, talker_active, auto_reply_at)
			VALUES (?, 1, ?, ?, 11, ?, 22, 33, 4, ?, 1, 1, 1, 0, 1, 0, 2, 1, 1717315299)`,
			[]any{int64(owner), int64(talker), int64(seqno - 1), int64(seqno), int64(key)}},
		{`INSERT INTO messages (msg_key, seqno, conv_lo, conv_hi, sender_uid, receiver_type, receiver_id, msg_type, content,
			timestamp, status, new_face_version, source, notify_code, visible_to, counts_unread)
			VALUES (?, ?, ?, ?, ?, 1, ?, 1, '{"content":"hi"}', 1717315200, 0, 1, 0, '', 0, 1)`,
			[]any{int64(key), int64(seqno), int64(talker), int64(owner), int64(talker), int64(owner)}},
		{`INSERT INTO counters (owner, follow, unfollow, dustbin) VALUES (?, 4, 0, 0)`, []any{int64(owner)}},
		{`INSERT INTO settings (owner, show_unfollowed_msg, msg_notify, set_like, set_comment, set_at, is_group_fold,
			should_receive_group, receive_unfollow_msg, followed_reply, keys_reply, recv_reply, voyage_reply,
			recommend_followed_reply, ai_intercept, set_recv_reply, set_recv_like, set_new_follow)
			VALUES (?, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0)`, []any{int64(owner)}},
		{`INSERT INTO block_words (owner, content, ctime) VALUES (?, '广告', 1717315200)`, []any{int64(owner)}},
		{`INSERT INTO auto_replies (owner, type, title, key1, key2, reply, ctime) VALUES (?, 1, '', '', '', 'thanks', 1)`,
			[]any{int64(owner)}},
		{`INSERT INTO works (owner, aid, bvid, title, cover, pub_date, plays, danmaku, favorites)
			VALUES (?, 1, 'BV1', 'w', '', 1, 2, 3, 4)`, []any{int64(owner)}},
	} {
		if _, err := db.Exec(q.sql, q.args...); err != nil {
			t.Fatalf("%.60s: %v", q.sql, err)
		}
	}
	db.Close()

	st := open(t, dir)
	defer st.Close()
	wantUser := store.User{Mid: owner, Name: "老用户", Face: "f", Fans: 5, PasswordHash: "h", CreatedAt: 1717315200}
	wantSess := store.Session{Owner: owner, Type: 1, Talker: talker, AckSeqno: seqno - 1, AckTs: 11, MaxSeqno: seqno,
		SessionTs: 22, TopTs: 33, Unread: 4, LastMsgKey: key, IsFollow: true, IsDnd: true, PushSetting: 1, Trust: true,
		MySent: 2, TalkerActive: true, AutoReplyAt: 1717315299}
	wantSettings := store.Settings{ShowUnfollowedMsg: 1, ShouldReceiveGroup: 1, AIIntercept: 1}
	err := st.View(ctx, func(tx store.Tx) error {
		if u, err := tx.GetUser(ctx, owner); err != nil || u != wantUser {
			t.Errorf("user after migrating = %+v, %v; want %+v", u, err, wantUser)
		}
		if s, err := tx.GetSession(ctx, owner, 1, talker); err != nil || s != wantSess {
			t.Errorf("session after migrating = %+v, %v\nwant %+v", s, err, wantSess)
		}
		if m, err := tx.GetMessage(ctx, key); err != nil || m.Seqno != seqno || m.Content != `{"content":"hi"}` {
			t.Errorf("message after migrating = %+v, %v", m, err)
		}
		if c, err := tx.GetCounters(ctx, owner); err != nil || c != (store.Counters{Follow: 4}) {
			t.Errorf("counters after migrating = %+v, %v", c, err)
		}
		if s, err := tx.GetSettings(ctx, owner); err != nil || s != wantSettings {
			t.Errorf("settings after migrating = %+v, %v; want %+v", s, err, wantSettings)
		}
		if ws, err := tx.ListBlockWords(ctx, owner); err != nil || len(ws) != 1 || ws[0].Content != "广告" {
			t.Errorf("block words after migrating = %+v, %v", ws, err)
		}
		if rs, err := tx.ListAutoReplies(ctx, owner, 1); err != nil || len(rs) != 1 || rs[0].Reply != "thanks" {
			t.Errorf("auto-replies after migrating = %+v, %v", rs, err)
		}
		if ws, err := tx.ListWorks(ctx, owner, 10); err != nil || len(ws) != 1 || ws[0].Favorites != 4 {
			t.Errorf("works after migrating = %+v, %v", ws, err)
		}
		if id, err := tx.MaxGroupID(ctx); err != nil || id != 0 {
			t.Errorf("MaxGroupID after migrating = %d, %v; want 0", id, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The sequences continue above the migrated message, and the group tables work with
	// the migrated users.
	const gid = 200_000_001
	var gkey uint64
	err = st.Update(ctx, func(tx store.Tx) error {
		s, err := tx.NextSeqno(ctx)
		if err == nil && s <= seqno {
			return fmt.Errorf("NextSeqno after migrating = %d, not above %d", s, seqno)
		}
		if gkey, err = tx.NextMsgKey(ctx, 0); err == nil && gkey <= key {
			return fmt.Errorf("NextMsgKey after migrating = %d, not above %d", gkey, uint64(key))
		}
		if err != nil {
			return err
		}
		if err := tx.CreateGroup(ctx, store.Group{ID: gid, Owner: owner, Name: "应援团", Members: 2, MaxSeqno: 1,
			Counted: 1, LastMsgKey: gkey, CreatedAt: 1717315300}); err != nil {
			return err
		}
		for _, mid := range []uint64{owner, talker} {
			if err := tx.PutMember(ctx, store.Member{Group: gid, Mid: mid, JoinSeqno: 1}); err != nil {
				return err
			}
		}
		return tx.InsertGroupMessage(ctx, store.Message{Key: gkey, Seqno: 1, SenderUID: talker, ReceiverType: 2,
			ReceiverID: gid, MsgType: 1, Content: `{"content":"@老用户 hi"}`, Timestamp: 1717315300, CountsUnread: true,
			Mentions: store.JoinMentions([]uint64{owner}), Counted: 1})
	})
	if err != nil {
		t.Fatalf("writing the group tables after migrating: %v", err)
	}
	err = st.View(ctx, func(tx store.Tx) error {
		us, err := tx.MembersNamed(ctx, gid, []string{"老用户", "nobody"})
		if err != nil || len(us) != 1 || us[0].Mid != owner || us[0].Name != "老用户" {
			t.Errorf("MembersNamed after migrating = %+v, %v", us, err)
		}
		ms, err := tx.ListMemberships(ctx, talker)
		if err != nil || len(ms) != 1 || ms[0].Group.ID != gid || ms[0].Group.LastMsgKey != gkey {
			t.Errorf("ListMemberships after migrating = %+v, %v", ms, err)
		}
		if m, err := tx.GetGroupMessageAt(ctx, gid, 1); err != nil || m.Key != gkey || m.Mentions != store.JoinMentions([]uint64{owner}) {
			t.Errorf("group message after migrating = %+v, %v", m, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	db = rawDB(t, path)
	if got := pragma(t, db, "user_version"); got != strconv.Itoa(sqlite.SchemaVersion()) {
		t.Errorf("user_version = %s after migrating, want %d", got, sqlite.SchemaVersion())
	}
	for _, idx := range []struct{ name, table string }{
		{"users_by_name", "users"},
		{"group_members_by_mid", "group_members"},
		{"group_messages_by_key", "group_messages"},
	} {
		var table string
		err := db.QueryRow(`SELECT tbl_name FROM sqlite_schema WHERE type = 'index' AND name = ?`, idx.name).Scan(&table)
		if err != nil || table != idx.table {
			t.Errorf("index %s after migrating: on %q, %v; want on %s", idx.name, table, err, idx.table)
		}
	}
	// The name lookup of @-mentions uses the index, not a scan of every user.
	rows, err := db.Query(`EXPLAIN QUERY PLAN SELECT mid FROM users WHERE name IN ('a', 'b')`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if p := strings.Join(plan, "; "); !strings.Contains(p, "users_by_name") {
		t.Errorf("looking users up by name does not use users_by_name: %s", p)
	}
}

// TestMigrateV3KeepsData upgrades a database written at schema version 3 to the feeds
// (0004): its rows stay, the AUTOINCREMENT counter of the existing tables goes on where
// it was, and feed item ids start at 800000000000001 like bilibili's.
func TestMigrateV3KeepsData(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, dbName)
	db := dbAtVersion(t, path, 3)
	const (
		owner  = 1<<60 + 12345
		talker = 844424930131966
		gid    = 200_000_001
		ruleID = 41
	)
	// Written the way the version-3 binary wrote them (its own column lists).
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO users (mid, name, face, fans, password_hash, created_at) VALUES (?, '老用户', 'f', 5, 'h', 1717315200)`,
			[]any{int64(owner)}},
		{`INSERT INTO users (mid, name, face, fans, password_hash, created_at) VALUES (?, 'talker', '', 0, '', 1717315201)`,
			[]any{int64(talker)}},
		{`INSERT INTO auto_replies (id, owner, type, title, key1, key2, reply, ctime) VALUES (?, ?, 1, '', '', '', 'thanks', 1)`,
			[]any{ruleID, int64(owner)}},
		{`INSERT INTO groups (id, owner, name, members, max_seqno, created_at) VALUES (?, ?, '应援团', 1, 0, 1717315300)`,
			[]any{gid, int64(owner)}},
		{`INSERT INTO group_members (group_id, mid, joined_at, join_seqno) VALUES (?, ?, 1717315300000000, 1)`,
			[]any{gid, int64(owner)}},
	} {
		if _, err := db.Exec(q.sql, q.args...); err != nil {
			t.Fatalf("%.60s: %v", q.sql, err)
		}
	}
	db.Close()

	st := open(t, dir)
	defer st.Close()
	err := st.View(ctx, func(tx store.Tx) error {
		if u, err := tx.GetUser(ctx, owner); err != nil || u.Name != "老用户" || u.Fans != 5 {
			t.Errorf("user after migrating = %+v, %v", u, err)
		}
		if r, err := tx.GetAutoReply(ctx, ruleID); err != nil || r.Owner != owner || r.Reply != "thanks" {
			t.Errorf("auto-reply after migrating = %+v, %v", r, err)
		}
		if g, err := tx.GetGroup(ctx, gid); err != nil || g.Name != "应援团" || g.Members != 1 {
			t.Errorf("group after migrating = %+v, %v", g, err)
		}
		if m, err := tx.GetMember(ctx, gid, owner); err != nil || m.JoinSeqno != 1 {
			t.Errorf("member after migrating = %+v, %v", m, err)
		}
		for _, f := range []store.FeedKind{store.FeedReply, store.FeedAt, store.FeedLike, store.FeedSystem} {
			if its, err := tx.ListFeedItems(ctx, owner, f, 0, 0, 10); err != nil || len(its) != 0 {
				t.Errorf("feed %d after migrating = %+v, %v; want empty", f, its, err)
			}
			if fs, err := tx.GetFeedState(ctx, owner, f); err != nil || fs != (store.FeedState{}) {
				t.Errorf("feed state %d after migrating = %+v, %v; want zero", f, fs, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The feeds work with the migrated users; their ids start at 800000000000001 and the
	// auto-replies' counter, kept in the same sqlite_sequence, goes on from 41.
	var feedIDs []uint64
	var newRule uint64
	err = st.Update(ctx, func(tx store.Tx) error {
		for _, it := range []store.FeedItem{
			{Owner: owner, Feed: store.FeedReply, Time: 1717315400, Stamp: 1717315400_000_000, Body: `{"actor":1}`},
			{Owner: owner, Feed: store.FeedLike, Time: 1717315401, Stamp: 1717315401_000_000, Agg: "reply:1", Body: `{}`},
		} {
			id, err := tx.InsertFeedItem(ctx, it)
			if err != nil {
				return err
			}
			feedIDs = append(feedIDs, id)
		}
		if err := tx.PutFeedState(ctx, owner, store.FeedReply, store.FeedState{Unread: 1, SeenStamp: 1}); err != nil {
			return err
		}
		var err error
		newRule, err = tx.PutAutoReply(ctx, store.AutoReply{Owner: owner, Type: 3, Reply: "hi", Ctime: 2})
		return err
	})
	if err != nil {
		t.Fatalf("writing after migrating: %v", err)
	}
	if want := []uint64{800000000000001, 800000000000002}; feedIDs[0] != want[0] || feedIDs[1] != want[1] {
		t.Errorf("feed item ids after migrating = %v, want %v", feedIDs, want)
	}
	if newRule != ruleID+1 {
		t.Errorf("auto-reply id after migrating = %d, want %d", newRule, ruleID+1)
	}
	err = st.View(ctx, func(tx store.Tx) error {
		if it, err := tx.GetFeedItemByAgg(ctx, owner, store.FeedLike, "reply:1"); err != nil || it.ID != feedIDs[1] {
			t.Errorf("GetFeedItemByAgg after migrating = %+v, %v", it, err)
		}
		if fs, err := tx.GetFeedState(ctx, owner, store.FeedReply); err != nil || fs != (store.FeedState{Unread: 1, SeenStamp: 1}) {
			t.Errorf("feed state after migrating = %+v, %v", fs, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	db = rawDB(t, path)
	if got := pragma(t, db, "user_version"); got != strconv.Itoa(sqlite.SchemaVersion()) {
		t.Errorf("user_version = %s after migrating, want %d", got, sqlite.SchemaVersion())
	}
	for _, idx := range []string{"feed_items_by_time", "feed_items_by_agg"} {
		var table string
		err := db.QueryRow(`SELECT tbl_name FROM sqlite_schema WHERE type = 'index' AND name = ?`, idx).Scan(&table)
		if err != nil || table != "feed_items" {
			t.Errorf("index %s after migrating: on %q, %v; want on feed_items", idx, table, err)
		}
	}
	for _, seq := range []struct {
		name string
		want int64
	}{{"feed_items", 800000000000002}, {"auto_replies", ruleID + 1}} {
		var got int64
		if err := db.QueryRow(`SELECT seq FROM sqlite_sequence WHERE name = ?`, seq.name).Scan(&got); err != nil || got != seq.want {
			t.Errorf("sqlite_sequence of %s = %d, %v; want %d", seq.name, got, err, seq.want)
		}
	}
	// A page of a feed is an index range, not a scan and a sort.
	rows, err := db.Query(`EXPLAIN QUERY PLAN SELECT id FROM feed_items WHERE owner = 1 AND feed = 1 AND (time, id) < (5, 5)
		ORDER BY time DESC, id DESC LIMIT 21`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if p := strings.Join(plan, "; "); !strings.Contains(p, "feed_items_by_time") || strings.Contains(p, "TEMP B-TREE") {
		t.Errorf("a feed page does not read feed_items_by_time in order: %s", p)
	}

	// A database created at the current version hands out the same first id.
	fresh := open(t, t.TempDir())
	defer fresh.Close()
	var first uint64
	err = fresh.Update(ctx, func(tx store.Tx) error {
		var err error
		first, err = tx.InsertFeedItem(ctx, store.FeedItem{Owner: 1, Feed: store.FeedSystem, Time: 1, Stamp: 1, Body: "{}"})
		return err
	})
	if err != nil || first != 800000000000001 {
		t.Errorf("first feed item id of a new database = %d, %v; want 800000000000001", first, err)
	}
}

// TestMigrateV4KeepsData upgrades a database written at schema version 4 to the system
// accounts' sessions (0005): its rows stay, sessions read SystemType 0 and counters Biz
// 0, and the partial index sessions_by_system exists and serves the system session
// queries.
func TestMigrateV4KeepsData(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, dbName)
	db := dbAtVersion(t, path, 4)
	const (
		owner  = 1<<60 + 12345
		talker = 844424930131966 // UP主小助手's id: before 0005 an ordinary talker
		other  = 2
		key    = 7_500_000_000_000_000_001
		seqno  = 1_000_000_000_000_042
		feedID = 800000000000001
	)
	// Written the way the version-4 binary wrote them (its own column lists).
	steps := []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO users (mid, name, face, fans, password_hash, created_at) VALUES (?, '老用户', 'f', 5, 'h', 1717315200)`,
			[]any{int64(owner)}},
		{`INSERT INTO sessions (owner, type, talker, ack_seqno, ack_ts, max_seqno, session_ts, top_ts, unread, last_msg_key,
			is_follow, is_dnd, push_setting, intercept, trust, hidden, my_sent, talker_active, auto_reply_at)
			VALUES (?, 1, ?, ?, 11, ?, 22, 33, 4, ?, 1, 1, 1, 0, 1, 1, 2, 1, 1717315299)`,
			[]any{int64(owner), int64(talker), int64(seqno - 1), int64(seqno), int64(key)}},
		{`INSERT INTO sessions (owner, type, talker, max_seqno, session_ts, unread, intercept)
			VALUES (?, 1, ?, ?, 44, 1, 1)`, []any{int64(owner), other, int64(seqno - 5)}},
		{`INSERT INTO messages (msg_key, seqno, conv_lo, conv_hi, sender_uid, receiver_type, receiver_id, msg_type, content,
			timestamp, status, new_face_version, source, notify_code, visible_to, counts_unread)
			VALUES (?, ?, ?, ?, ?, 1, ?, 10, '{"title":"t","text":"x"}', 1717315200, 0, 1, 6, '2091_253', 0, 1)`,
			[]any{int64(key), int64(seqno), int64(talker), int64(owner), int64(talker), int64(owner)}},
		{`INSERT INTO counters (owner, follow, unfollow, dustbin) VALUES (?, 4, -1, 1)`, []any{int64(owner)}},
		{`INSERT INTO feed_items (owner, feed, time, stamp, agg, body) VALUES (?, 1, 1717315400, 1717315400000000, '', '{}')`,
			[]any{int64(owner)}},
	}
	for _, q := range steps {
		if _, err := db.Exec(q.sql, q.args...); err != nil {
			t.Fatalf("%.60s: %v", q.sql, err)
		}
	}
	db.Close()

	st := open(t, dir)
	defer st.Close()
	wantSess := store.Session{Owner: owner, Type: 1, Talker: talker, AckSeqno: seqno - 1, AckTs: 11, MaxSeqno: seqno,
		SessionTs: 22, TopTs: 33, Unread: 4, LastMsgKey: key, IsFollow: true, IsDnd: true, PushSetting: 1, Trust: true,
		Hidden: true, MySent: 2, TalkerActive: true, AutoReplyAt: 1717315299, SystemType: 0}
	wantOther := store.Session{Owner: owner, Type: 1, Talker: other, MaxSeqno: seqno - 5, SessionTs: 44, Unread: 1,
		Intercept: true}
	err := st.View(ctx, func(tx store.Tx) error {
		if u, err := tx.GetUser(ctx, owner); err != nil || u.Name != "老用户" || u.Fans != 5 {
			t.Errorf("user after migrating = %+v, %v", u, err)
		}
		for _, want := range []store.Session{wantSess, wantOther} {
			if s, err := tx.GetSession(ctx, owner, 1, want.Talker); err != nil || s != want {
				t.Errorf("session after migrating = %+v, %v\nwant %+v", s, err, want)
			}
		}
		if m, err := tx.GetMessage(ctx, key); err != nil || m.Seqno != seqno || m.MsgType != 10 || m.NotifyCode != "2091_253" {
			t.Errorf("message after migrating = %+v, %v", m, err)
		}
		if c, err := tx.GetCounters(ctx, owner); err != nil || c != (store.Counters{Follow: 4, Unfollow: -1, Dustbin: 1}) {
			t.Errorf("counters after migrating = %+v, %v; want Biz 0", c, err)
		}
		if it, err := tx.GetFeedItem(ctx, feedID); err != nil || it.Owner != owner {
			t.Errorf("feed item after migrating = %+v, %v", it, err)
		}
		// No session was a system session before 0005.
		if ss, err := tx.ListSystemSessions(ctx, owner); err != nil || len(ss) != 0 {
			t.Errorf("ListSystemSessions after migrating = %+v, %v; want none", ss, err)
		}
		if ss, err := tx.ListSessions(ctx, store.SessionQuery{Owner: owner, Limit: 10, OnlySystem: true,
			IncludeHidden: true}); err != nil || len(ss) != 0 {
			t.Errorf("ListSessions(OnlySystem) after migrating = %+v, %v; want none", ss, err)
		}
		if ss, err := tx.ListSessions(ctx, store.SessionQuery{Owner: owner, Limit: 10, IncludeHidden: true}); err != nil ||
			len(ss) != 1 || ss[0] != wantSess {
			t.Errorf("ListSessions after migrating = %+v, %v", ss, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The new columns work with the migrated rows.
	sys := wantSess
	sys.SystemType, sys.Hidden = 7, false
	err = st.Update(ctx, func(tx store.Tx) error {
		if err := tx.PutSession(ctx, sys); err != nil {
			return err
		}
		return tx.AddCounters(ctx, owner, store.Counters{Follow: -4, Biz: 4})
	})
	if err != nil {
		t.Fatalf("writing after migrating: %v", err)
	}
	err = st.View(ctx, func(tx store.Tx) error {
		if ss, err := tx.ListSystemSessions(ctx, owner); err != nil || len(ss) != 1 || ss[0] != sys {
			t.Errorf("ListSystemSessions after a push = %+v, %v; want %+v", ss, err, sys)
		}
		if c, err := tx.GetCounters(ctx, owner); err != nil || c != (store.Counters{Unfollow: -1, Dustbin: 1, Biz: 4}) {
			t.Errorf("counters after a push = %+v, %v", c, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	db = rawDB(t, path)
	if got := pragma(t, db, "user_version"); got != strconv.Itoa(sqlite.SchemaVersion()) {
		t.Errorf("user_version = %s after migrating, want %d", got, sqlite.SchemaVersion())
	}
	if sqlite.SchemaVersion() < 5 {
		t.Errorf("SchemaVersion() = %d, want at least 5", sqlite.SchemaVersion())
	}
	// The columns: NOT NULL with default 0.
	for _, col := range []struct{ table, name string }{{"sessions", "system_type"}, {"counters", "biz"}} {
		var typ, dflt string
		var notNull int
		err := db.QueryRow(`SELECT type, "notnull", dflt_value FROM pragma_table_info(?) WHERE name = ?`, col.table,
			col.name).Scan(&typ, &notNull, &dflt)
		if err != nil || typ != "INTEGER" || notNull != 1 || dflt != "0" {
			t.Errorf("%s.%s: %s notnull=%d default %q, %v; want INTEGER NOT NULL DEFAULT 0", col.table, col.name, typ,
				notNull, dflt, err)
		}
	}
	// The rows written at version 4 read 0 in the new columns.
	var systemType, biz int64
	if err := db.QueryRow(`SELECT system_type FROM sessions WHERE owner = ? AND talker = ?`, int64(owner), other).
		Scan(&systemType); err != nil || systemType != 0 {
		t.Errorf("system_type of a version-4 session = %d, %v; want 0", systemType, err)
	}
	// A row inserted without the column (as a version-4 binary would) gets the default.
	if _, err := db.Exec(`INSERT INTO counters (owner, follow, unfollow, dustbin) VALUES (99, 1, 0, 0)`); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT biz FROM counters WHERE owner = 99`).Scan(&biz); err != nil || biz != 0 {
		t.Errorf("biz of a counters row without it = %d, %v; want 0", biz, err)
	}
	// The partial index.
	var table, sqlText string
	err = db.QueryRow(`SELECT tbl_name, sql FROM sqlite_schema WHERE type = 'index' AND name = 'sessions_by_system'`).
		Scan(&table, &sqlText)
	if err != nil || table != "sessions" || !strings.Contains(sqlText, "WHERE system_type > 0") {
		t.Errorf("index sessions_by_system: on %q, %q, %v; want a partial index on sessions", table, sqlText, err)
	}
	var cols []string
	rows, err := db.Query(`SELECT name FROM pragma_index_info('sessions_by_system') ORDER BY seqno`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, c)
	}
	rows.Close()
	if strings.Join(cols, ",") != "owner,system_type" {
		t.Errorf("sessions_by_system columns = %v, want owner, system_type", cols)
	}
	// The system session queries read the index, without a sort.
	for _, q := range []string{
		`SELECT talker FROM sessions WHERE owner = ? AND system_type > 0`,
		`SELECT * FROM sessions WHERE owner = ? AND system_type > 0 AND max_seqno > 0 ORDER BY system_type`,
	} {
		if p := queryPlan(t, db, q, int64(owner)); !strings.Contains(p, "sessions_by_system") || strings.Contains(p, "TEMP B-TREE") {
			t.Errorf("%s: plan %q does not read sessions_by_system in order", q, p)
		}
	}
}

// queryPlan returns the details of EXPLAIN QUERY PLAN q, joined by "; ".
func queryPlan(t *testing.T, db *sql.DB, q string, args ...any) string {
	t.Helper()
	rows, err := db.Query("EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(plan, "; ")
}

// TestReopenMsgKeyAboveGroupMessages: fan-group messages draw their keys from the same
// counter as 1:1 messages, so after a restart NextMsgKey must hand out a key above the
// largest of either table, with keys at or past 2^63 stored negative.
func TestReopenMsgKeyAboveGroupMessages(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name            string
		direct, grouped []uint64 // keys stored in messages and in group_messages
		wantAbove       uint64
	}{
		{"group largest", []uint64{7_500_000_000_000_000_000}, []uint64{7_500_000_000_000_000_500, 7_500_000_000_000_000_499},
			7_500_000_000_000_000_500},
		{"group only", nil, []uint64{7_500_000_000_000_000_007}, 7_500_000_000_000_000_007},
		{"group negative", []uint64{1<<63 - 1}, []uint64{1<<63 + 5, 1 << 63, 7_500_000_000_000_000_000}, 1<<63 + 5},
		{"group negative only", nil, []uint64{1<<63 + 1000, 1<<64 - 1000}, 1<<64 - 1000},
		{"direct negative, group positive", []uint64{1<<63 + 9}, []uint64{1<<63 - 1}, 1<<63 + 9},
		{"both negative, group larger", []uint64{1<<63 + 9}, []uint64{1<<63 + 10}, 1<<63 + 10},
		{"both negative, direct larger", []uint64{1<<63 + 11}, []uint64{1<<63 + 10}, 1<<63 + 11},
		{"direct largest", []uint64{7_500_000_000_000_001_000}, []uint64{7_500_000_000_000_000_999}, 7_500_000_000_000_001_000},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			st := open(t, dir)
			t.Cleanup(func() { st.Close() }) // the last one opened; Close is idempotent
			err := st.Update(ctx, func(tx store.Tx) error {
				if err := tx.CreateGroup(ctx, store.Group{ID: 1, Owner: 1, Name: "g", CreatedAt: 1}); err != nil {
					return err
				}
				for i, k := range c.direct {
					if err := tx.InsertMessage(ctx, store.Message{Key: k, Seqno: 1_000_000_000_000_001 + uint64(i),
						Conv: store.ConvOf(1, 2), SenderUID: 1, ReceiverType: 1, ReceiverID: 2, MsgType: 1,
						Content: `{"content":"x"}`, Timestamp: 1, CountsUnread: true}); err != nil {
						return err
					}
				}
				for i, k := range c.grouped {
					if err := tx.InsertGroupMessage(ctx, store.Message{Key: k, Seqno: uint64(i + 1), SenderUID: 1,
						ReceiverType: 2, ReceiverID: 1, MsgType: 1, Content: `{"content":"y"}`, Timestamp: 1,
						CountsUnread: true, Counted: int64(i + 1)}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
			for round := range 2 {
				st = open(t, dir)
				var k uint64
				err = st.Update(ctx, func(tx store.Tx) error {
					var err error
					k, err = tx.NextMsgKey(ctx, 1_717_315_200_000) // a clock far behind the stored keys
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				if k <= c.wantAbove {
					t.Errorf("round %d: NextMsgKey after reopening = %d, not above %d", round, k, c.wantAbove)
				}
				// The key handed out is usable for a group message.
				err = st.Update(ctx, func(tx store.Tx) error {
					return tx.InsertGroupMessage(ctx, store.Message{Key: k, Seqno: uint64(100 + round), SenderUID: 1,
						ReceiverType: 2, ReceiverID: 1, MsgType: 1, Content: `{"content":"z"}`, Timestamp: 2})
				})
				if err != nil {
					t.Errorf("round %d: storing a group message with the new key %d: %v", round, k, err)
				}
				if err := st.Close(); err != nil {
					t.Fatal(err)
				}
				c.wantAbove = k
			}
		})
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
