package client_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bilimsg/bilimsg/client"
	"github.com/bilimsg/bilimsg/internal/testkit"
)

// TestCursorFile: a missing file is a fresh start; CursorSaver replaces the file whole
// and LoadCursor reads back exactly what was saved; a damaged file is an error.
func TestCursorFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "cursor.json")
	if c, err := client.LoadCursor(path); c != nil || err != nil {
		t.Fatalf("missing file: %v, %v; want nil, nil", c, err)
	}
	save := client.CursorSaver(path)
	want := client.Cursor{SessionTs: 1717315200123456, Since: 1717315200,
		Seqnos: map[string]uint64{"user:1": 18446744073709551615, "group:2": 7}}
	for range 2 { // a second save replaces the first
		if err := save(want); err != nil {
			t.Fatal(err)
		}
	}
	got, err := client.LoadCursor(path)
	if err != nil || got.SessionTs != want.SessionTs || got.Since != want.Since || len(got.Seqnos) != 2 ||
		got.Seqnos["user:1"] != want.Seqnos["user:1"] || got.Seqnos["group:2"] != 7 {
		t.Fatalf("LoadCursor = %+v, %v; want %+v", got, err, want)
	}
	if left, _ := filepath.Glob(path + ".*.tmp"); len(left) != 0 {
		t.Fatalf("temporary files left behind: %v", left)
	}
	if err := os.WriteFile(path, []byte(`{"seqnos":`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := client.LoadCursor(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("damaged file: err = %v, want one naming the file", err)
	}
	if err := client.CursorSaver(filepath.Join(t.TempDir(), "no", "such", "dir", "c.json"))(want); err == nil {
		t.Fatal("saving into a missing directory succeeded")
	}
}

// TestDemoLogin: the demo users' credentials come from serve --demo's data directory and
// log in; mid 0 is the first demo user; unknown mids and missing files are errors.
func TestDemoLogin(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{Demo: true})
	for _, mid := range []uint64{0, 1, 293793435} {
		cr, err := client.DemoLogin(s.Dir, mid)
		if err != nil {
			t.Fatalf("mid %d: %v", mid, err)
		}
		if mid == 0 && cr.Mid != 293793435 || mid != 0 && cr.Mid != mid || cr.SESSDATA == "" || cr.BiliJct == "" {
			t.Fatalf("mid %d: %+v", mid, cr)
		}
		c, err := client.New(client.WithBaseURL(s.URL), client.WithCredentials(cr))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.SingleUnread(t.Context(), client.UnreadOptions{}); err != nil {
			t.Fatalf("mid %d: the demo login does not work: %v", mid, err)
		}
	}
	if _, err := client.DemoLogin(s.Dir, 42); err == nil || !strings.Contains(err.Error(), "no mid 42") {
		t.Fatalf("unknown mid: %v", err)
	}
	if _, err := client.DemoLogin(t.TempDir(), 0); err == nil || !strings.Contains(err.Error(), "serve --demo") {
		t.Fatalf("no demo file: %v", err)
	}
	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, "demo-logins.json"), []byte(`[{"mid":5,"cookies":{"SESSDATA":"x","DedeUserID":"6"}}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := client.DemoLogin(bad, 5); err == nil || !strings.Contains(err.Error(), "malformed") {
		t.Fatalf("mismatched DedeUserID: %v", err)
	}
}
