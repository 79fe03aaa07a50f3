package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHealthzAndGeneratedAdminToken(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	app, err := Build(context.Background(), Config{DataDir: dir, Out: &out})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	rec := httptest.NewRecorder()
	app.Handler.ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	if rec.Code != 200 {
		t.Fatalf("healthz = %d", rec.Code)
	}
	b, err := os.ReadFile(filepath.Join(dir, "admin-token"))
	if err != nil {
		t.Fatal(err)
	}
	tok := strings.TrimSpace(string(b))
	if len(tok) < 64 || tok != app.AdminToken {
		t.Fatalf("admin token %q (len %d) not the generated one", tok, len(tok))
	}
	if fi, _ := os.Stat(filepath.Join(dir, "admin-token")); fi.Mode().Perm() != 0o600 {
		t.Fatalf("admin-token mode %v, want 0600", fi.Mode().Perm())
	}
	if !strings.Contains(out.String(), filepath.Join(dir, "admin-token")) {
		t.Fatalf("the token's location is not printed: %q", out.String())
	}
	req := httptest.NewRequest("GET", "/admin/v1/users", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	rec = httptest.NewRecorder()
	app.Handler.ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("admin with generated token = %d", rec.Code)
	}
}

// The demo is created once: a restart prints the same cookies and adds no users.
func TestDemoIsCreatedOnce(t *testing.T) {
	dir := t.TempDir()
	build := func() (*App, string) {
		var out bytes.Buffer
		app, err := Build(context.Background(), Config{DataDir: dir, Demo: true, Out: &out})
		if err != nil {
			t.Fatal(err)
		}
		return app, out.String()
	}
	app, first := build()
	users := listUsers(t, app)
	app.Close()
	app, second := build()
	defer app.Close()
	if len(users) != 4 || len(listUsers(t, app)) != 4 {
		t.Fatalf("demo users: %d then %d, want 4", len(users), len(listUsers(t, app)))
	}
	cookies := func(s string) string { return s[strings.Index(s, "demo users"):] }
	if cookies(first) != cookies(second) {
		t.Fatalf("restart printed other cookies:\n%s\n---\n%s", first, second)
	}
	// The printed cookies work against the bilibili API.
	line := cookies(first)
	i := strings.Index(line, "SESSDATA=") + len("SESSDATA=")
	sess := line[i : i+strings.IndexByte(line[i:], ';')]
	req := httptest.NewRequest("GET", "/session_svr/v1/session_svr/single_unread", nil)
	req.AddCookie(&http.Cookie{Name: "SESSDATA", Value: sess})
	rec := httptest.NewRecorder()
	app.Handler.ServeHTTP(rec, req)
	var env struct {
		Code int `json:"code"`
		Data struct {
			Follow   int `json:"follow_unread"`
			Unfollow int `json:"unfollow_unread"`
		} `json:"data"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil || env.Code != 0 {
		t.Fatalf("single_unread with demo cookie: %s", rec.Body)
	}
	if env.Data.Follow+env.Data.Unfollow == 0 {
		t.Fatalf("demo UP主 has no unread messages: %s", rec.Body)
	}
	// Every demo user logs in with the printed password.
	if !strings.Contains(first, "demo users' password (a demo's, known to all): bilimsg\n") {
		t.Fatalf("the demo password is not printed:\n%s", first)
	}
	for _, mid := range []string{"293793435", "1", "2239814", "123"} {
		req := httptest.NewRequest("POST", "/bilimsg/v1/login", strings.NewReader("account="+mid+"&password=bilimsg"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		app.Handler.ServeHTTP(rec, req)
		if !strings.HasPrefix(rec.Body.String(), `{"code":0,`) {
			t.Fatalf("demo user %s with the demo password: %s", mid, rec.Body)
		}
	}
}

func listUsers(t *testing.T, app *App) []json.RawMessage {
	t.Helper()
	req := httptest.NewRequest("GET", "/admin/v1/users", nil)
	req.Header.Set("Authorization", "Bearer "+app.AdminToken)
	rec := httptest.NewRecorder()
	app.Handler.ServeHTTP(rec, req)
	var out struct {
		Users []json.RawMessage `json:"users"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("%v: %s", err, rec.Body)
	}
	return out.Users
}

func TestBadDataDirFails(t *testing.T) {
	f := filepath.Join(t.TempDir(), "file")
	os.WriteFile(f, nil, 0o600)
	if _, err := Build(context.Background(), Config{DataDir: f}); err == nil {
		t.Fatal("Build on a file as data dir succeeded")
	}
}
