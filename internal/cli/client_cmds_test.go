package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bilimsg/bilimsg/client"
	"github.com/bilimsg/bilimsg/internal/testkit"
)

// runOpts is the world a command runs in: the environment (Getenv sees only these
// variables, never the process's), the context (nil: the test's) and the HTTP client
// (nil: the client packages' defaults). Times print in UTC.
type runOpts struct {
	env   map[string]string
	ctx   context.Context
	hc    *http.Client
	stdin string
}

// run runs one command in-process and returns what it printed and its exit code.
func run(t *testing.T, o runOpts, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	ctx := o.ctx
	if ctx == nil {
		ctx = t.Context()
	}
	sys := &Sys{Ctx: ctx, Stdout: &out, Stderr: &errb, Location: time.UTC, HTTPClient: o.hc,
		Getenv: func(k string) string { return o.env[k] }, Stdin: strings.NewReader(o.stdin)}
	code = Run(sys, args)
	return out.String(), errb.String(), code
}

// world is a test server and a command line pointed at it, with a profiles file of its
// own. Every command run through it is checked for the rules all commands keep: no
// secret in the output (unless asked for), and an error is one line naming the command.
type world struct {
	t   *testing.T
	s   *testkit.Server
	env map[string]string
	cfg string       // the profiles file
	hc  *http.Client // the commands' HTTP client (the server's)

	mu      sync.Mutex
	secrets map[string]bool // SESSDATA and bili_jct values, admin tokens
	stdin   string          // what the next command reads from stdin
}

func newWorld(t *testing.T, opt testkit.Options) *world {
	t.Helper()
	s := testkit.Start(t, opt)
	cfg := filepath.Join(t.TempDir(), "conf", "profiles.json")
	w := &world{t: t, s: s, cfg: cfg, hc: s.HTTP.Client(), env: map[string]string{"BILIMSG_CONFIG": cfg},
		secrets: map[string]bool{s.Token: true}}
	if opt.Demo {
		for _, l := range demoLogins(t, s.Dir) {
			w.secret(l.Cookies.SESSDATA, l.Cookies.BiliJct)
		}
	}
	return w
}

type demoLogin struct {
	Mid     uint64 `json:"mid"`
	Cookies struct {
		SESSDATA string `json:"SESSDATA"`
		BiliJct  string `json:"bili_jct"`
	} `json:"cookies"`
}

func demoLogins(t *testing.T, dir string) []demoLogin {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "demo-logins.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ls []demoLogin
	if err := json.Unmarshal(b, &ls); err != nil {
		t.Fatal(err)
	}
	return ls
}

// secret registers values that must not be printed.
func (w *world) secret(vs ...string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, v := range vs {
		if v != "" {
			w.secrets[v] = true
		}
	}
}

// user creates a user and registers its cookies as secrets.
func (w *world) user(mid uint64, name string) testkit.User {
	w.t.Helper()
	u := w.s.NewUser(mid, name)
	w.secret(u.SESSDATA, u.BiliJct)
	return u
}

// login keeps u's login in the profile (default "default").
func (w *world) login(u testkit.User, profile ...string) {
	w.t.Helper()
	args := []string{"login", "--server", w.s.URL, "--cookie", cookie(u)}
	if len(profile) > 0 {
		args = append(args, "--profile", profile[0])
	}
	w.ok(args...)
}

func u64s(v uint64) string { return strconv.FormatUint(v, 10) }

// run runs a command with the world's environment and the server's HTTP client.
func (w *world) run(args ...string) (string, string, int) {
	w.t.Helper()
	return w.runCtx(nil, args...)
}

func (w *world) runCtx(ctx context.Context, args ...string) (string, string, int) {
	w.t.Helper()
	w.learnProfiles()
	before := w.secretList()
	out, errs, code := run(w.t, runOpts{env: w.env, ctx: ctx, hc: w.hc, stdin: w.stdin}, args...)
	w.stdin = ""
	w.check(args, before, out, errs, code)
	return out, errs, code
}

// learnProfiles registers the cookies and tokens kept in the profiles file as secrets.
func (w *world) learnProfiles() {
	if pf, err := readProfiles(w.cfg); err == nil {
		for _, p := range pf.Profiles {
			w.secret(p.SESSDATA, p.BiliJct, p.AdminToken)
		}
	}
}

func (w *world) secretList() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	list := make([]string, 0, len(w.secrets))
	for s := range w.secrets {
		list = append(list, s)
	}
	return list
}

// check applies the rules every command keeps. It only reports (Errorf), so that it may
// run on another goroutine. before are the secrets known before the command ran.
func (w *world) check(args []string, before []string, out, errs string, code int) {
	w.t.Helper()
	// Secrets: only whoami --secrets prints a profile's cookies and admin token, and
	// user login --secrets the cookies of the login it makes — no other.
	cmd := ""
	if len(args) > 0 {
		cmd = args[0]
	}
	withSecrets := slices.Contains(args, "--secrets")
	userLogin := withSecrets && cmd == "user" && slices.Contains(args, "login")
	whoami := withSecrets && cmd == "whoami"
	w.learnProfiles()
	secrets := w.secretList()
	if userLogin {
		secrets = before
	}
	if !whoami {
		for _, s := range secrets {
			if strings.Contains(out, s) || strings.Contains(errs, s) {
				w.t.Errorf("%q printed a secret %q:\nstdout: %s\nstderr: %s", args, s, out, errs)
			}
		}
	}
	cookiesOK := whoami || userLogin
	if !cookiesOK && (strings.Contains(out, "SESSDATA=") || strings.Contains(errs, "SESSDATA=")) {
		w.t.Errorf("%q printed cookies:\nstdout: %s\nstderr: %s", args, out, errs)
	}
	switch code {
	case 0:
		if errs != "" {
			w.t.Errorf("%q succeeded but said on stderr: %q", args, errs)
		}
	case 1:
		if out != "" {
			w.t.Errorf("%q failed but printed on stdout: %q", args, out)
		}
		if !strings.HasPrefix(errs, "bilimsg "+cmd+": ") || !strings.HasSuffix(errs, "\n") ||
			strings.Count(errs, "\n") != 1 {
			w.t.Errorf("%q: the error is not one line starting with %q: %q", args, "bilimsg "+cmd+": ", errs)
		}
	case 2:
		// A usage error: the error as above, then the command's synopsis. The flag
		// package's own complaints (an unknown flag, a bad flag value) are checked
		// by TestFlagErrorIsOneLine.
		if out != "" {
			w.t.Errorf("%q: a usage error printed on stdout: %q", args, out)
		}
		if !isCommand(cmd) || isFlagError(errs) {
			break
		}
		lines := strings.Split(strings.TrimSuffix(errs, "\n"), "\n")
		if len(lines) != 2 || !strings.HasPrefix(lines[0], "bilimsg "+cmd+": ") ||
			!strings.HasPrefix(lines[1], "usage: bilimsg "+cmd+" ") {
			w.t.Errorf("%q: the usage error is not \"bilimsg %s: …\" and its usage line: %q", args, cmd, errs)
		}
	}
}

func isCommand(name string) bool {
	for _, c := range commands() {
		if c.name == name {
			return true
		}
	}
	return false
}

// isFlagError reports whether stderr is the flag package's complaint.
func isFlagError(errs string) bool {
	for _, s := range []string{"flag provided but not defined", "invalid value", "invalid boolean", "flag needs an argument", "bad flag syntax"} {
		if strings.HasPrefix(errs, s) {
			return true
		}
	}
	return false
}

// ok runs a command that must succeed and returns its stdout.
func (w *world) ok(args ...string) string {
	w.t.Helper()
	out, errs, code := w.run(args...)
	if code != 0 {
		w.t.Fatalf("%q: exit %d, stderr %q, stdout %q", args, code, errs, out)
	}
	return out
}

// fail runs a command that must exit with code and returns its stderr.
func (w *world) fail(code int, args ...string) string {
	w.t.Helper()
	out, errs, got := w.run(args...)
	if got != code {
		w.t.Fatalf("%q: exit %d, want %d; stderr %q, stdout %q", args, got, code, errs, out)
	}
	return errs
}

// client is a client of the server logged in as u.
func (w *world) client(u testkit.User) *client.Client {
	return w.s.Client(u)
}

// latest is the newest message of u's conversation t, read through the client.
func (w *world) latest(u testkit.User, t client.Talker) client.Message {
	w.t.Helper()
	h, err := w.client(u).Messages(w.t.Context(), t, client.HistoryOptions{Size: 1})
	if err != nil {
		w.t.Fatal(err)
	}
	if len(h.Messages) != 1 {
		w.t.Fatalf("no message with %s", t)
	}
	return h.Messages[0]
}

// decode decodes stdout as exactly one JSON value into v, refusing unknown fields.
func decode(t *testing.T, out string, v any) {
	t.Helper()
	if !strings.HasSuffix(out, "\n") || strings.Count(out, "\n") != 1 {
		t.Fatalf("JSON output is not one line: %q", out)
	}
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("JSON output %q: %v", out, err)
	}
}

func cookie(u testkit.User) string {
	return "SESSDATA=" + u.SESSDATA + "; bili_jct=" + u.BiliJct + "; DedeUserID=" + u64s(u.Mid)
}

func TestLoginWithCookie(t *testing.T) {
	t.Parallel()
	w := newWorld(t, testkit.Options{})
	a := w.user(0, "alice")
	b := w.user(0, "bob")
	w.s.Follow(b.Mid, a.Mid, true)
	A := u64s(a.Mid)

	// Before any login.
	if got := w.fail(1, "whoami"); got != "bilimsg whoami: no profile \"default\": run bilimsg login first\n" {
		t.Errorf("whoami before login: %q", got)
	}
	if got := w.fail(1, "send", u64s(b.Mid), "hi"); got != "bilimsg send: profile \"default\" is not logged in: run bilimsg login first\n" {
		t.Errorf("send before login: %q", got)
	}
	if got := w.fail(1, "logout"); got != "bilimsg logout: no profile \"default\"\n" {
		t.Errorf("logout before login: %q", got)
	}
	w.fail(2, "login", "--server", w.s.URL) // no way to log in given
	w.fail(2, "login", "--server", w.s.URL, "--cookie", cookie(a), "extra")

	out := w.ok("login", "--server", w.s.URL, "--cookie", cookie(a))
	if want := "logged in as mid " + A + " on " + w.s.URL + " (profile \"default\")\n"; out != want {
		t.Errorf("login:\n got %q\nwant %q", out, want)
	}

	// The profile is readable by its owner only, and holds the cookies.
	st, err := os.Stat(w.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("profiles file mode %v, want 0600", st.Mode().Perm())
	}
	if st, err := os.Stat(filepath.Dir(w.cfg)); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("profiles directory: %v; want mode 0700", err)
	}
	raw, _ := os.ReadFile(w.cfg)
	var pf struct {
		Profiles map[string]map[string]any `json:"profiles"`
	}
	if err := json.Unmarshal(raw, &pf); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"server": w.s.URL, "sessdata": a.SESSDATA, "bili_jct": a.BiliJct, "mid": float64(a.Mid)}
	if got := pf.Profiles["default"]; len(pf.Profiles) != 1 || !mapsEqual(got, want) {
		t.Errorf("profiles file: %s", raw)
	}

	// whoami: the cookies only with --secrets.
	if out := w.ok("whoami"); out != "profile  default\nserver   "+w.s.URL+"\nmid      "+A+"\n" {
		t.Errorf("whoami: %q", out)
	}
	out = w.ok("whoami", "--secrets")
	if want := "profile  default\nserver   " + w.s.URL + "\nmid      " + A + "\ncookie   " + cookie(a) + "\n"; out != want {
		t.Errorf("whoami --secrets:\n got %q\nwant %q", out, want)
	}
	var who map[string]any
	decode(t, w.ok("whoami", "--json"), &who)
	if !mapsEqual(who, map[string]any{"profile": "default", "server": w.s.URL, "mid": float64(a.Mid), "admin_token_set": false}) {
		t.Errorf("whoami --json: %v", who)
	}
	who = nil
	decode(t, w.ok("whoami", "--json", "--secrets"), &who)
	if who["SESSDATA"] != a.SESSDATA || who["bili_jct"] != a.BiliJct || who["admin_token"] != "" {
		t.Errorf("whoami --json --secrets: %v", who)
	}

	// The login works: send as alice.
	w.ok("send", u64s(b.Mid), "hello")
	if m := w.latest(b, client.User(a.Mid)); m.SenderUID != a.Mid {
		t.Errorf("the message was sent by %d", m.SenderUID)
	}

	// Cookies the server does not accept, or without the mid, are refused and the
	// profile is left as it was.
	bogus := "bogus-sessdata-0123456789"
	w.secret(bogus)
	got := w.fail(1, "login", "--server", w.s.URL, "--cookie", "SESSDATA="+bogus+"; bili_jct=x; DedeUserID="+A)
	if want := "bilimsg login: " + w.s.URL + " does not accept these cookies (-101 账号未登录)\n"; got != want {
		t.Errorf("bad cookie:\n got %q\nwant %q", got, want)
	}
	got = w.fail(1, "login", "--server", w.s.URL, "--cookie", "SESSDATA="+b.SESSDATA+"; bili_jct="+b.BiliJct)
	if got != "bilimsg login: the cookies have no DedeUserID (the user's mid)\n" {
		t.Errorf("cookie without DedeUserID: %q", got)
	}
	if got := w.fail(1, "login", "--server", w.s.URL, "--cookie", "bili_jct=x; DedeUserID=1"); got != "bilimsg login: cookies: no SESSDATA\n" {
		t.Errorf("cookie without SESSDATA: %q", got)
	}
	if got := w.fail(1, "login", "--server", w.s.URL, "--cookie", "SESSDATA=x; DedeUserID=me"); got != "bilimsg login: cookies: DedeUserID \"me\" is not a mid\n" {
		t.Errorf("cookie with a bad DedeUserID: %q", got)
	}
	if raw2, _ := os.ReadFile(w.cfg); !bytes.Equal(raw, raw2) {
		t.Errorf("a refused login changed the profiles file:\n%s", raw2)
	}

	// $BILIMSG_COOKIE, and --json.
	w.env["BILIMSG_COOKIE"] = cookie(b)
	var li map[string]any
	decode(t, w.ok("login", "--server", w.s.URL, "--profile", "bob", "--json"), &li)
	delete(w.env, "BILIMSG_COOKIE")
	if !mapsEqual(li, map[string]any{"profile": "bob", "server": w.s.URL, "mid": float64(b.Mid)}) {
		t.Errorf("login --json: %v", li)
	}

	// logout forgets one profile.
	if out := w.ok("logout"); out != "profile \"default\" removed\n" {
		t.Errorf("logout: %q", out)
	}
	w.fail(1, "whoami")
	w.fail(1, "send", u64s(b.Mid), "hi")
	if out := w.ok("whoami", "--profile", "bob"); !strings.Contains(out, "mid      "+u64s(b.Mid)+"\n") {
		t.Errorf("whoami --profile bob after logging out default: %q", out)
	}
	var lo map[string]any
	decode(t, w.ok("logout", "--profile", "bob", "--json"), &lo)
	if !mapsEqual(lo, map[string]any{"profile": "bob", "logged_out": true}) {
		t.Errorf("logout --json: %v", lo)
	}
	if raw, _ := os.ReadFile(w.cfg); strings.Contains(string(raw), a.SESSDATA) || strings.Contains(string(raw), b.SESSDATA) {
		t.Errorf("the cookies stay in the profiles file after logout: %s", raw)
	}
}

func mapsEqual(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range b {
		if av, ok := a[k]; !ok || av != v {
			return false
		}
	}
	return true
}

func TestLoginProfiles(t *testing.T) {
	t.Parallel()
	w := newWorld(t, testkit.Options{})
	a := w.user(0, "alice")
	b := w.user(0, "bob")
	c := w.user(0, "carol")
	w.s.Follow(c.Mid, a.Mid, true)
	w.s.Follow(c.Mid, b.Mid, true)
	w.login(a, "a")
	w.login(b, "b")

	for _, u := range []struct {
		profile string
		mid     uint64
	}{{"a", a.Mid}, {"b", b.Mid}} {
		out := w.ok("whoami", "--profile", u.profile)
		if want := "profile  " + u.profile + "\nserver   " + w.s.URL + "\nmid      " + u64s(u.mid) + "\n"; out != want {
			t.Errorf("whoami --profile %s: %q", u.profile, out)
		}
	}
	// "default" is not one of them.
	w.fail(1, "whoami")

	// --profile and $BILIMSG_PROFILE pick who sends.
	w.ok("send", "--profile", "a", u64s(c.Mid), "from a")
	if m := w.latest(c, client.User(a.Mid)); m.SenderUID != a.Mid {
		t.Errorf("send --profile a sent as %d", m.SenderUID)
	}
	w.env["BILIMSG_PROFILE"] = "b"
	w.ok("send", u64s(c.Mid), "from b")
	if m := w.latest(c, client.User(b.Mid)); m.SenderUID != b.Mid {
		t.Errorf("BILIMSG_PROFILE=b sent as %d", m.SenderUID)
	}
	// --profile wins over $BILIMSG_PROFILE.
	if out := w.ok("whoami", "--profile", "a"); !strings.Contains(out, "profile  a\n") {
		t.Errorf("--profile a with BILIMSG_PROFILE=b: %q", out)
	}
	delete(w.env, "BILIMSG_PROFILE")

	// --config overrides $BILIMSG_CONFIG.
	other := filepath.Join(t.TempDir(), "other.json")
	w.ok("login", "--config", other, "--server", w.s.URL, "--cookie", cookie(c))
	if out := w.ok("whoami", "--config", other); !strings.Contains(out, "mid      "+u64s(c.Mid)+"\n") {
		t.Errorf("whoami --config: %q", out)
	}
	w.fail(1, "whoami") // not in $BILIMSG_CONFIG's file

	// Logging out of one keeps the other.
	w.ok("logout", "--profile", "a")
	w.fail(1, "whoami", "--profile", "a")
	w.ok("whoami", "--profile", "b")
	pf, err := readProfiles(w.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := pf.Profiles["b"]; !ok || len(pf.Profiles) != 1 {
		t.Errorf("profiles after logout of a: %v", pf.Profiles)
	}

	// A damaged profiles file is reported, not overwritten.
	if err := os.WriteFile(w.cfg, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	got := w.fail(1, "whoami", "--profile", "b")
	if !strings.HasPrefix(got, "bilimsg whoami: "+w.cfg+": ") {
		t.Errorf("damaged profiles file: %q", got)
	}
	w.fail(1, "login", "--server", w.s.URL, "--cookie", cookie(a))
	if raw, _ := os.ReadFile(w.cfg); string(raw) != "{not json" {
		t.Errorf("the damaged file was replaced: %q", raw)
	}
}

// demoDir is a data directory as `bilimsg serve --demo` leaves it: the demo logins and
// the admin token the server generated.
func demoDir(t *testing.T, s *testkit.Server) string {
	t.Helper()
	dir := t.TempDir()
	b, err := os.ReadFile(filepath.Join(s.Dir, "demo-logins.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "demo-logins.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "admin-token"), []byte(s.Token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

const demoUserList = "mid 1  bishi  fans 3000\n" +
	"mid 123  路人甲  fans 0\n" +
	"mid 2239814  演示粉丝  fans 12\n" +
	"mid 293793435  bilimsg演示UP主  fans 1200\n"

func TestLoginDemo(t *testing.T) {
	t.Parallel()
	w := newWorld(t, testkit.Options{Demo: true})
	dir := demoDir(t, w.s)

	out := w.ok("login", "--server", w.s.URL, "--demo", dir, "--mid", "1")
	if want := "logged in as mid 1 on " + w.s.URL + " (profile \"default\")\n"; out != want {
		t.Errorf("login --demo: %q", out)
	}
	if out := w.ok("whoami"); out != "profile  default\nserver   "+w.s.URL+"\nmid      1\noperator admin token kept\n" {
		t.Errorf("whoami: %q", out)
	}
	var l1 demoLogin
	for _, l := range demoLogins(t, w.s.Dir) {
		if l.Mid == 1 {
			l1 = l
		}
	}
	out = w.ok("whoami", "--secrets")
	if want := "profile  default\nserver   " + w.s.URL + "\nmid      1\noperator admin token kept\n" +
		"cookie   SESSDATA=" + l1.Cookies.SESSDATA + "; bili_jct=" + l1.Cookies.BiliJct + "; DedeUserID=1\n" +
		"token    " + w.s.Token + "\n"; out != want {
		t.Errorf("whoami --secrets:\n got %q\nwant %q", out, want)
	}

	// The admin token came along: operator commands need no --admin-token.
	if out := w.ok("user", "list"); out != demoUserList {
		t.Errorf("user list with the demo profile:\n%s", out)
	}
	// And the login is mid 1's: its history with the UP主.
	out = w.ok("history", "293793435")
	if !strings.Contains(out, "  me: 你好呀[星星眼]  (seqno ") {
		t.Errorf("history of the demo user 1:\n%s", out)
	}

	// Without --mid: the demo UP主.
	out = w.ok("login", "--server", w.s.URL, "--demo", dir, "--profile", "up")
	if want := "logged in as mid 293793435 on " + w.s.URL + " (profile \"up\")\n"; out != want {
		t.Errorf("login --demo without --mid: %q", out)
	}
	if got := w.fail(1, "login", "--server", w.s.URL, "--demo", dir, "--mid", "999"); !strings.HasPrefix(got, "bilimsg login: demo logins: ") ||
		!strings.HasSuffix(got, " has no mid 999\n") {
		t.Errorf("login --demo --mid 999: %q", got)
	}
	if got := w.fail(1, "login", "--server", w.s.URL, "--demo", t.TempDir()); !strings.HasPrefix(got, "bilimsg login: demo logins: ") {
		t.Errorf("login --demo of a directory without demo logins: %q", got)
	}

	// A data directory without admin-token (a server given --admin-token): the login
	// works, the operator commands say what is missing.
	w.ok("login", "--server", w.s.URL, "--demo", w.s.Dir, "--mid", "123", "--profile", "notoken")
	got := w.fail(1, "user", "list", "--profile", "notoken")
	if want := "bilimsg user: no admin token: give --admin-token, set BILIMSG_ADMIN_TOKEN, or log in with --admin-token (the server keeps it in its data directory, in admin-token)\n"; got != want {
		t.Errorf("user list without a token:\n got %q\nwant %q", got, want)
	}
	// … which $BILIMSG_ADMIN_TOKEN provides.
	w.env["BILIMSG_ADMIN_TOKEN"] = w.s.Token
	if out := w.ok("user", "list", "--profile", "notoken"); out != demoUserList {
		t.Errorf("user list with BILIMSG_ADMIN_TOKEN:\n%s", out)
	}
}

func TestLoginWithAdminToken(t *testing.T) {
	t.Parallel()
	w := newWorld(t, testkit.Options{})
	a := w.user(0, "alice")
	b := w.user(0, "bob")
	w.s.Follow(b.Mid, a.Mid, true)

	out := w.ok("login", "--server", w.s.URL, "--admin-token", w.s.Token, "--mid", u64s(a.Mid))
	if want := "logged in as mid " + u64s(a.Mid) + " on " + w.s.URL + " (profile \"default\")\n"; out != want {
		t.Errorf("login --admin-token: %q", out)
	}
	pf, err := readProfiles(w.cfg)
	if err != nil {
		t.Fatal(err)
	}
	p := pf.Profiles["default"]
	if p.AdminToken != w.s.Token || p.Mid != a.Mid || p.SESSDATA == "" || p.SESSDATA == a.SESSDATA || p.Server != w.s.URL {
		t.Errorf("profile: a new login for alice with the token expected, got mid %d, token kept %t", p.Mid, p.AdminToken == w.s.Token)
	}
	// The new login is a real one, and the token serves the operator commands.
	w.ok("send", u64s(b.Mid), "hi")
	if m := w.latest(b, client.User(a.Mid)); m.SenderUID != a.Mid {
		t.Errorf("sent as %d", m.SenderUID)
	}
	if out := w.ok("user", "get", u64s(b.Mid)); out != "mid "+u64s(b.Mid)+"  bob  fans 0\n" {
		t.Errorf("user get: %q", out)
	}

	got := w.fail(1, "login", "--server", w.s.URL, "--admin-token", "wrong-token", "--mid", u64s(a.Mid), "--profile", "x")
	if !strings.HasPrefix(got, "bilimsg login: operator API: 401 ") {
		t.Errorf("login with a wrong token: %q", got)
	}
	got = w.fail(1, "login", "--server", w.s.URL, "--admin-token", w.s.Token, "--mid", "999999", "--profile", "x")
	if !strings.HasPrefix(got, "bilimsg login: operator API: 404 ") {
		t.Errorf("login of an unknown mid: %q", got)
	}
	// --admin-token without --mid is no way to log in.
	w.fail(2, "login", "--server", w.s.URL, "--admin-token", w.s.Token)
	if pf, _ := readProfiles(w.cfg); len(pf.Profiles) != 1 {
		t.Errorf("refused logins added profiles: %v", pf.Profiles)
	}
}

func TestSend(t *testing.T) {
	t.Parallel()
	w := newWorld(t, testkit.Options{})
	a := w.user(0, "alice")
	b := w.user(0, "bob")
	w.s.Follow(b.Mid, a.Mid, true) // bob follows alice: she may write him more than once
	w.login(a)
	B := u64s(b.Mid)
	toB := client.User(b.Mid)

	// Several words are one text; the output names the msg_key the server stored.
	out := w.ok("send", B, "hi", "there")
	m := w.latest(a, toB)
	if text, _ := m.Text(); text != "hi there" || m.SenderUID != a.Mid {
		t.Errorf("stored %q from %d", text, m.SenderUID)
	}
	if want := "sent to user:" + B + ": msg_key " + u64s(m.MsgKey) + "\n"; out != want {
		t.Errorf("send:\n got %q\nwant %q", out, want)
	}

	// user:<mid>, and flags after the text.
	var res client.SendResult
	decode(t, w.ok("send", "user:"+B, "hi", "--json"), &res)
	m = w.latest(a, toB)
	if text, _ := m.Text(); text != "hi" || res.MsgKey != m.MsgKey || res.MsgKey == 0 {
		t.Errorf("send --json: %+v; stored %q with msg_key %d", res, text, m.MsgKey)
	}

	// "--" ends the flags: the text may start with '-' or look like a flag.
	out = w.ok("send", B, "--", "-1", "--json")
	m = w.latest(a, toB)
	if text, _ := m.Text(); text != "-1 --json" {
		t.Errorf("send -- -1 --json stored %q", text)
	}
	if want := "sent to user:" + B + ": msg_key " + u64s(m.MsgKey) + "\n"; out != want {
		t.Errorf("send after --: %q", out)
	}

	// A warning keyword: sent, with bilibili's toast.
	out = w.ok("send", B, "支付宝")
	m = w.latest(a, toB)
	if want := "sent to user:" + B + ": msg_key " + u64s(m.MsgKey) + "\n" +
		"note: 【温馨提示】为保障消费者权益，根据平台规则，如创作者在与消费者沟通中进行发布要求非法转账、欺诈转账等违规行为，平台有权对此进行处罚，感谢您的理解。\n"; out != want {
		t.Errorf("send with a key hit:\n%s", out)
	}

	// Images: on bilibili's image host only.
	const img = "https://i0.hdslb.com/bfs/im/0123456789abcdef.png"
	out = w.ok("send", B, "--image", img)
	m = w.latest(a, toB)
	if got, ok := m.Image(); !ok || got.URL != img {
		t.Errorf("the image stored is %+v (msg_type %d)", got, m.MsgType)
	}
	if want := "sent to user:" + B + ": msg_key " + u64s(m.MsgKey) + "\n"; out != want {
		t.Errorf("send --image: %q", out)
	}
	before := m.MsgKey
	if got := w.fail(1, "send", B, "--image", "https://example.com/cat.png"); got != "bilimsg send: bilibili: send_msg: 21037 图片格式不合法，不要调戏接口啦\n" {
		t.Errorf("send of a foreign image: %q", got)
	}
	if w.latest(a, toB).MsgKey != before {
		t.Error("the refused image was stored")
	}

	// A fan group.
	d := w.user(0, "dave")
	gid := w.s.NewGroup(d.Mid, "dave's fans")
	w.s.Join(gid, a.Mid)
	G := u64s(gid)
	out = w.ok("send", "group:"+G, "hello", "group")
	m = w.latest(d, client.Group(gid))
	if text, _ := m.Text(); text != "hello group" || m.SenderUID != a.Mid {
		t.Errorf("group message %q from %d", text, m.SenderUID)
	}
	if want := "sent to group:" + G + ": msg_key " + u64s(m.MsgKey) + "\n"; out != want {
		t.Errorf("send to a group: %q", out)
	}
	// A group alice is not in.
	other := w.s.NewGroup(b.Mid, "bob's fans")
	if got := w.fail(1, "send", "group:"+u64s(other), "hi"); !strings.HasPrefix(got, "bilimsg send: bilibili: send_msg: ") {
		t.Errorf("send to a group of others: %q", got)
	}

	// Usage errors.
	usage := "usage: bilimsg send TALKER TEXT… | TALKER --image URL\n"
	if got := w.fail(2, "send", B, "hi", "--image", img); got != "bilimsg send: give either a text or --image URL\n"+usage {
		t.Errorf("text and image: %q", got)
	}
	if got := w.fail(2, "send", B); got != "bilimsg send: give either a text or --image URL\n"+usage {
		t.Errorf("neither text nor image: %q", got)
	}
	if got := w.fail(2, "send"); got != "bilimsg send: wrong number of arguments\n"+usage {
		t.Errorf("no arguments: %q", got)
	}
	if got := w.fail(2, "send", "bob", "hi"); got != "bilimsg send: talker \"bob\": want a mid, user:<mid> or group:<id>\nusage: bilimsg send TALKER TEXT… | TALKER --image URL\n" {
		t.Errorf("bad talker: %q", got)
	}
	// Refusals of the server are one line with bilibili's code.
	if got := w.fail(1, "send", u64s(a.Mid), "me"); got != "bilimsg send: bilibili: send_msg: 21026 不能给自己发送消息哦~\n" {
		t.Errorf("send to myself: %q", got)
	}
	if got := w.fail(1, "send", B, strings.Repeat("长", 700)); !strings.HasPrefix(got, "bilimsg send: bilibili: send_msg: 21007 ") {
		t.Errorf("a too long text: %q", got)
	}
	// Not logged in.
	if got := w.fail(1, "send", "--profile", "nobody", B, "hi"); got != "bilimsg send: profile \"nobody\" is not logged in: run bilimsg login first\n" {
		t.Errorf("send not logged in: %q", got)
	}
}

// group creates fan group id owned by owner (given 1000 fans) with the members.
func (w *world) group(id, owner uint64, name string, members ...uint64) {
	w.t.Helper()
	w.s.SetFans(owner, 1000)
	if st := w.s.Admin("POST", "/admin/v1/groups", map[string]any{"owner": owner, "name": name, "id": id}, nil); st != 200 {
		w.t.Fatalf("create group %d: status %d", id, st)
	}
	for _, m := range members {
		w.s.Join(id, m)
	}
}

func TestSessions(t *testing.T) {
	t.Parallel()
	w := newWorld(t, testkit.Options{})
	a := w.user(11, "alice")
	b := w.user(12, "bob")   // alice follows bob
	c := w.user(13, "carol") // a stranger
	d := w.user(14, "dave")  // a fan group's owner
	e := w.user(15, "eve")   // intercepted by a block word
	w.s.Follow(a.Mid, b.Mid, true)
	ca := w.client(a)
	ctx := t.Context()

	w.login(a)
	if out := w.ok("sessions"); out != "no sessions\n" {
		t.Errorf("sessions of a new user: %q", out)
	}
	var none []client.Session
	decode(t, w.ok("sessions", "--json"), &none)
	if none == nil || len(none) != 0 {
		t.Errorf("sessions --json of a new user: %v", none)
	}

	w.s.SendText(b, a.Mid, "from bob")
	w.s.Advance(time.Minute)
	w.s.SendText(c, a.Mid, "from carol\x1b[2J")
	w.s.Advance(time.Minute)
	w.group(77, d.Mid, "dave's\u202efans", a.Mid)
	w.s.SendGroupText(d, 77, "@alice look")
	w.s.Advance(time.Minute)
	w.s.AddBlockWord(a, "spam") // (client.SetIntercept is broken: see client/sessions_test.go)
	w.s.SendText(e, a.Mid, "spam")
	if err := ca.SetTop(ctx, client.User(b.Mid), true); err != nil {
		t.Fatal(err)
	}
	if err := ca.SetDND(ctx, client.Group(77), true); err != nil {
		t.Fatal(err)
	}

	// Newest first (pinning is a flag: bilibili's list is in session time order).
	const (
		group = "2024-06-02 08:02:00  group:77 dave's\\u202efans    unread 1    [dnd,@me]  @alice look\n"
		carol = "2024-06-02 08:01:00  user:13                      unread 1     from carol\\u001b[2J\n"
		bob   = "2024-06-02 08:00:00  user:12                      unread 1    [pinned]  from bob\n"
		eve   = "2024-06-02 08:03:00  user:15                      unread 1     spam\n"
	)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, group + carol + bob},
		{[]string{"--category", "all"}, group + carol + bob},
		{[]string{"--category", "4"}, group + carol + bob},
		{[]string{"--limit", "2"}, group + carol},
		{[]string{"--limit", "0"}, group + carol + bob},
		{[]string{"--category", "unfollowed"}, carol},
		{[]string{"--category", "2"}, carol},
		{[]string{"--category", "strangers"}, carol},
		{[]string{"--category", "groups"}, group},
		{[]string{"--category", "3"}, group},
		{[]string{"--category", "dustbin"}, eve},
		{[]string{"--category", "5"}, eve},
		{[]string{"--category", "following"}, bob},
		{[]string{"--category", "9"}, bob},
		{[]string{"--category", "system"}, "no sessions\n"},
		{[]string{"--category", "business"}, "no sessions\n"},
	} {
		if out := w.ok(append([]string{"sessions"}, tc.args...)...); out != tc.want {
			t.Errorf("sessions %q:\n got %q\nwant %q", tc.args, out, tc.want)
		}
	}

	var list []client.Session
	decode(t, w.ok("sessions", "--json", "--limit", "3"), &list)
	var talkers []string
	for _, s := range list {
		talkers = append(talkers, s.Talker().String())
	}
	if want := []string{"group:77", "user:13", "user:12"}; !slices.Equal(talkers, want) {
		t.Fatalf("sessions --json: %v, want %v", talkers, want)
	}
	if list[2].TopTs == 0 || list[0].IsDnd != 1 || list[0].AtSeqno == 0 || list[0].GroupName != "dave's\u202efans" ||
		list[1].LastMsg == nil || list[1].UnreadCount != 1 {
		t.Errorf("sessions --json: %+v", list)
	}

	usage := "usage: bilimsg sessions [--category all|followed|unfollowed|groups|dustbin|system] [--limit N]\n"
	for _, cat := range []string{"nope", "0", "10", "-1"} {
		if got := w.fail(2, "sessions", "--category", cat); got != "bilimsg sessions: unknown category \""+cat+"\"\n"+usage {
			t.Errorf("--category %s: %q", cat, got)
		}
	}
	if got := w.fail(2, "sessions", "--limit", "-1"); got != "bilimsg sessions: --limit must not be negative\n"+usage {
		t.Errorf("--limit -1: %q", got)
	}
	w.fail(2, "sessions", "extra")
	w.fail(1, "sessions", "--profile", "nobody")
}

// TestSessionsFollowedCategory: `sessions --category followed` should list the users I
// follow (client.CategoryFollowed: "users I follow, and system accounts"). runSessions
// sends unfollow_fold=0 and group_fold=0 with every category, and for category 1 those
// make bilimsg (as bilibili) add the unfollowed users and the fan groups: the category
// is then the same as "all".
func TestSessionsFollowedCategory(t *testing.T) {
	t.Parallel()
	w := newWorld(t, testkit.Options{})
	a := w.user(11, "alice")
	b := w.user(12, "bob")
	c := w.user(13, "carol")
	w.s.Follow(a.Mid, b.Mid, true)
	w.s.SendText(b, a.Mid, "from bob")
	w.s.Advance(time.Minute)
	w.s.SendText(c, a.Mid, "from carol")
	w.login(a)

	want := "2024-06-02 08:00:00  user:12                      unread 1     from bob\n"
	for _, cat := range []string{"followed", "1"} {
		out := w.ok("sessions", "--category", cat)
		if out != want && strings.Contains(out, "user:13") {
			t.Fatalf("sessions --category %s lists the unfollowed carol too (internal/cli/messages.go runSessions "+
				"passes UnfollowFold/GroupFold false for every category):\n%s", cat, out)
		}
		if out != want {
			t.Errorf("sessions --category %s:\n got %q\nwant %q", cat, out, want)
		}
	}
}

// history reads u's whole conversation t through the client, oldest first.
func (w *world) history(u testkit.User, t client.Talker) []client.Message {
	w.t.Helper()
	var msgs []client.Message
	for m, err := range w.client(u).AllMessages(w.t.Context(), t, 0, 200) {
		if err != nil {
			w.t.Fatal(err)
		}
		msgs = append(msgs, m)
	}
	slices.Reverse(msgs)
	return msgs
}

// line is how history prints m (tail adds the talker after the time).
func line(when, who, text string, m client.Message) string {
	return fmt.Sprintf("%s  %s: %s  (seqno %d, msg_key %d)\n", when, who, text, m.MsgSeqno, m.MsgKey)
}

func TestHistory(t *testing.T) {
	t.Parallel()
	w := newWorld(t, testkit.Options{})
	a := w.user(11, "alice")
	b := w.user(12, "bob")
	w.user(13, "carol") // never talked to
	w.s.Follow(b.Mid, a.Mid, true)
	w.s.Follow(a.Mid, b.Mid, true) // a mutual follow: bilibili greets in alice's name
	w.login(a)

	k1 := w.s.SendText(a, b.Mid, "first")
	w.s.Advance(time.Minute)
	k2 := w.s.SendText(b, a.Mid, "second⏎line\nnext\u2028\x07")
	w.s.Advance(time.Hour)
	k3 := w.s.SendText(a, b.Mid, "third")

	m := w.history(a, client.User(b.Mid))
	if len(m) != 4 || m[1].MsgKey != k1 || m[2].MsgKey != k2 || m[3].MsgKey != k3 {
		t.Fatalf("the conversation read back: %+v", m)
	}
	greeting := line("2024-06-02 08:00:00", "me", "我们已互相关注，开始聊天吧~", m[0])
	first := line("2024-06-02 08:00:00", "me", "first", m[1])
	second := line("2024-06-02 08:01:00", "12", "second⏎line⏎next\\u2028\\u0007", m[2])
	third := line("2024-06-02 09:01:00", "me", "third", m[3])
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"12"}, greeting + first + second + third},
		{[]string{"user:12"}, greeting + first + second + third},
		{[]string{"12", "--limit", "2"}, second + third},
		{[]string{"--limit", "1", "12"}, third},
		{[]string{"12", "--limit", "0"}, greeting + first + second + third},
		{[]string{"13"}, "no messages with user:13\n"},
	} {
		if out := w.ok(append([]string{"history"}, tc.args...)...); out != tc.want {
			t.Errorf("history %q:\n got %q\nwant %q", tc.args, out, tc.want)
		}
	}

	// Bob sees the same messages from his side.
	w.login(b, "bob")
	out := w.ok("history", "11", "--profile", "bob", "--limit", "2")
	if want := line("2024-06-02 08:01:00", "me", "second⏎line⏎next\\u2028\\u0007", m[2]) +
		line("2024-06-02 09:01:00", "11", "third", m[3]); out != want {
		t.Errorf("history as bob:\n got %q\nwant %q", out, want)
	}

	var js []client.Message
	decode(t, w.ok("history", "12", "--json", "--limit", "3"), &js)
	if len(js) != 3 || js[0].MsgKey != k1 || js[2].MsgKey != k3 {
		t.Errorf("history --json: %+v", js)
	}
	if text, _ := js[1].Text(); text != "second⏎line\nnext\u2028\x07" {
		t.Errorf("history --json keeps the text as sent, got %q", text)
	}
	js = nil
	decode(t, w.ok("history", "13", "--json"), &js)
	if js == nil || len(js) != 0 {
		t.Errorf("history --json of no messages: %v", js)
	}

	// A fan group: the senders by mid, system messages as "system".
	d := w.user(14, "dave")
	w.group(77, d.Mid, "dave's fans", a.Mid)
	w.s.SendGroupText(d, 77, "welcome")
	g := w.history(a, client.Group(77))
	if len(g) != 2 {
		t.Fatalf("alice's group history: %+v", g)
	}
	out = w.ok("history", "group:77")
	if want := line("2024-06-02 09:01:00", "system", "欢迎alice入群", g[0]) +
		line("2024-06-02 09:01:00", "14", "welcome", g[1]); out != want {
		t.Errorf("history of a group:\n got %q\nwant %q", out, want)
	}

	usage := "usage: bilimsg history TALKER [--limit N]\n"
	if got := w.fail(2, "history"); got != "bilimsg history: wrong number of arguments\n"+usage {
		t.Errorf("history without a talker: %q", got)
	}
	w.fail(2, "history", "12", "13")
	if got := w.fail(2, "history", "12", "--limit", "-1"); got != "bilimsg history: --limit must not be negative\n"+usage {
		t.Errorf("--limit -1: %q", got)
	}
	w.fail(2, "history", "group:x") // a malformed talker is a usage error
	w.fail(1, "history", "12", "--profile", "nobody")
}

// TestHistoryWhole: --limit 0 prints the whole history, oldest first, however long.
func TestHistoryWhole(t *testing.T) {
	t.Parallel()
	w := newWorld(t, testkit.Options{})
	a := w.user(11, "alice")
	c := w.user(13, "carol")
	w.s.Follow(c.Mid, a.Mid, true)
	w.login(a)
	const n = 250
	for i := range n {
		w.s.SendText(a, c.Mid, fmt.Sprintf("m%03d", i))
	}
	all := w.history(a, client.User(c.Mid))
	if len(all) != n {
		t.Fatalf("%d messages stored", len(all))
	}
	var want strings.Builder
	for i, m := range all {
		want.WriteString(line("2024-06-02 08:00:00", "me", fmt.Sprintf("m%03d", i), m))
	}
	if out := w.ok("history", "13", "--limit", "0"); out != want.String() {
		t.Errorf("history --limit 0: %d lines, want %d", strings.Count(out, "\n"), n)
	}
	// More than one page of 200 with a limit too.
	if out := w.ok("history", "13", "--limit", "201"); out != strings.Join(strings.SplitAfter(want.String(), "\n")[n-201:], "") {
		t.Errorf("history --limit 201: %d lines", strings.Count(out, "\n"))
	}
	var js []client.Message
	if err := json.Unmarshal([]byte(w.ok("history", "13", "--limit", "0", "--json")), &js); err != nil || len(js) != n ||
		js[0].MsgKey != all[0].MsgKey || js[n-1].MsgKey != all[n-1].MsgKey {
		t.Errorf("history --limit 0 --json: %d messages, %v", len(js), err)
	}
}

// countingTransport counts requests by path.
type countingTransport struct {
	rt http.RoundTripper
	mu sync.Mutex
	n  map[string]int
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.n[r.URL.Path]++
	c.mu.Unlock()
	return c.rt.RoundTrip(r)
}

// TestHistoryWholeRequests: the whole history is read 200 messages a request (the page
// size the command uses for any limit above 200), not one message a request.
func TestHistoryWholeRequests(t *testing.T) {
	t.Parallel()
	w := newWorld(t, testkit.Options{})
	a := w.user(11, "alice")
	c := w.user(13, "carol")
	w.s.Follow(c.Mid, a.Mid, true)
	w.login(a)
	for i := range 250 {
		w.s.SendText(a, c.Mid, fmt.Sprintf("m%03d", i))
	}
	count := func(args ...string) int {
		ct := &countingTransport{rt: w.s.HTTP.Client().Transport, n: map[string]int{}}
		w.hc = &http.Client{Transport: ct}
		defer func() { w.hc = w.s.HTTP.Client() }()
		w.ok(args...)
		return ct.n[testkit.PathFetchMsgs]
	}
	if n := count("history", "13", "--limit", "250"); n != 2 {
		t.Errorf("history --limit 250: %d fetch_session_msgs requests, want 2", n)
	}
	if n := count("history", "13", "--limit", "0"); n > 2 {
		t.Errorf("history --limit 0 makes %d fetch_session_msgs requests for 250 messages (one a message): "+
			"internal/cli/messages.go runHistory asks AllMessages for pages of min(max(limit, 1), 200) = 1 when limit is 0", n)
	}
}

func unreadLines(followed, unfollowed, groups int) string {
	return fmt.Sprintf("messages   followed %d, unfollowed %d, dustbin 0, system 0, customer service 0\n"+
		"fan groups %d\nfeed       replies 0, @ 0, likes 0, system 0, UP主 0\n", followed, unfollowed, groups)
}

func TestUnreadAndAck(t *testing.T) {
	t.Parallel()
	w := newWorld(t, testkit.Options{})
	a := w.user(11, "alice")
	b := w.user(12, "bob")
	c := w.user(13, "carol")
	d := w.user(14, "dave")
	w.s.Follow(a.Mid, b.Mid, true)
	w.group(77, d.Mid, "dave's fans", a.Mid)
	w.login(a)

	if out := w.ok("unread"); out != unreadLines(0, 0, 0) {
		t.Errorf("unread of nothing:\n%s", out)
	}
	w.s.SendText(b, a.Mid, "one")
	w.s.SendText(b, a.Mid, "two")
	w.s.SendText(b, a.Mid, "three")
	w.s.SendText(c, a.Mid, "hello")
	w.s.SendGroupText(d, 77, "g1")
	w.s.SendGroupText(d, 77, "g2")
	if out := w.ok("unread"); out != unreadLines(3, 1, 2) {
		t.Errorf("unread:\n got %q\nwant %q", out, unreadLines(3, 1, 2))
	}
	var u struct {
		Messages client.SingleUnread `json:"messages"`
		Groups   int64               `json:"groups"`
		Feed     client.FeedUnread   `json:"feed"`
	}
	decode(t, w.ok("unread", "--json"), &u)
	if u.Messages.FollowUnread != 3 || u.Messages.UnfollowUnread != 1 || u.Groups != 2 {
		t.Errorf("unread --json: %+v", u)
	}

	// Up to a seqno, then all of it.
	bob := w.history(a, client.User(b.Mid))
	if out := w.ok("ack", "12", "--seqno", u64s(bob[0].MsgSeqno)); out != "user:12 marked read\n" {
		t.Errorf("ack --seqno: %q", out)
	}
	if out := w.ok("unread"); out != unreadLines(2, 1, 2) {
		t.Errorf("unread after ack --seqno of the first:\n%s", out)
	}
	if out := w.ok("ack", "user:12"); out != "user:12 marked read\n" {
		t.Errorf("ack: %q", out)
	}
	if out := w.ok("unread"); out != unreadLines(0, 1, 2) {
		t.Errorf("unread after ack of bob:\n%s", out)
	}
	var ack map[string]any
	decode(t, w.ok("ack", "13", "--json"), &ack)
	if !mapsEqual(ack, map[string]any{"talker": "user:13", "acked": true}) {
		t.Errorf("ack --json: %v", ack)
	}
	if out := w.ok("ack", "group:77"); out != "group:77 marked read\n" {
		t.Errorf("ack of a group: %q", out)
	}
	if out := w.ok("unread"); out != unreadLines(0, 0, 0) {
		t.Errorf("unread after acking everything:\n%s", out)
	}
	// The sessions agree.
	if out := w.ok("sessions"); strings.Contains(out, "unread 1") || strings.Contains(out, "unread 2") {
		t.Errorf("sessions after the acks:\n%s", out)
	}

	usage := "usage: bilimsg ack TALKER [--seqno N]\n"
	if got := w.fail(2, "ack"); got != "bilimsg ack: wrong number of arguments\n"+usage {
		t.Errorf("ack without a talker: %q", got)
	}
	w.fail(2, "ack", "12", "--seqno", "x")
	w.fail(2, "unread", "extra")
	w.fail(2, "ack", "0")
	w.fail(1, "unread", "--profile", "nobody")
	w.fail(1, "ack", "12", "--profile", "nobody")
}

func TestRecall(t *testing.T) {
	t.Parallel()
	w := newWorld(t, testkit.Options{})
	a := w.user(11, "alice")
	b := w.user(12, "bob")
	w.s.Follow(b.Mid, a.Mid, true)
	w.login(a)

	out := w.ok("send", "12", "oops")
	key := w.latest(a, client.User(b.Mid)).MsgKey
	if out != "sent to user:12: msg_key "+u64s(key)+"\n" {
		t.Fatalf("send: %q", out)
	}
	w.s.Advance(120 * time.Second) // the last second of the window
	if out := w.ok("recall", "12", u64s(key)); out != "recalled "+u64s(key)+" in user:12\n" {
		t.Errorf("recall: %q", out)
	}
	msgs := w.history(a, client.User(b.Mid))
	if len(msgs) != 2 || msgs[0].MsgStatus != 1 || msgs[1].MsgType != client.MsgRecall {
		t.Fatalf("after the recall: %+v", msgs)
	}
	out = w.ok("history", "12")
	if want := line("2024-06-02 08:00:00", "me", "(已撤回) oops", msgs[0]) +
		line("2024-06-02 08:02:00", "me", "[撤回了一条消息 "+u64s(key)+"]", msgs[1]); out != want {
		t.Errorf("history after a recall:\n got %q\nwant %q", out, want)
	}
	if got := w.fail(1, "recall", "12", u64s(key)); got != "bilimsg recall: bilibili: send_msg: 21042 消息已经撤回了哦\n" {
		t.Errorf("recall twice: %q", got)
	}

	// Too late.
	w.ok("send", "12", "old news")
	old := w.latest(a, client.User(b.Mid)).MsgKey
	w.s.Advance(121 * time.Second)
	if got := w.fail(1, "recall", "12", u64s(old)); got != "bilimsg recall: bilibili: send_msg: 21041 消息已超期，不能撤回了哦\n" {
		t.Errorf("recall after 121 s: %q", got)
	}
	// Someone else's message, or none.
	theirs := w.s.SendText(b, a.Mid, "bob's")
	if got := w.fail(1, "recall", "12", u64s(theirs)); !strings.HasPrefix(got, "bilimsg recall: bilibili: send_msg: ") {
		t.Errorf("recall of bob's message: %q", got)
	}
	w.fail(1, "recall", "12", "12345")

	// --json, in a group.
	d := w.user(14, "dave")
	w.group(77, d.Mid, "dave's fans", a.Mid)
	gk := w.s.SendGroupText(a, 77, "to the group")
	var res client.SendResult
	decode(t, w.ok("recall", "group:77", u64s(gk), "--json"), &res)
	if last := w.latest(a, client.Group(77)); res.MsgKey != last.MsgKey || last.MsgType != client.MsgRecall || last.Content != u64s(gk) {
		t.Errorf("recall --json: %+v; the group's last message %+v", res, last)
	}

	usage := "usage: bilimsg recall TALKER MSG_KEY\n"
	for _, bad := range []string{"abc", "0", "-1", "1.5"} {
		if got := w.fail(2, "recall", "12", "--", bad); got != "bilimsg recall: msg_key \""+bad+"\" is not a number\n"+usage {
			t.Errorf("recall of msg_key %s: %q", bad, got)
		}
	}
	if got := w.fail(2, "recall", "12"); got != "bilimsg recall: wrong number of arguments\n"+usage {
		t.Errorf("recall without a key: %q", got)
	}
	w.fail(1, "recall", "12", u64s(key), "--profile", "nobody")
}

type result struct {
	out, err string
	code     int
}

// start runs a command on another goroutine; its result comes on the channel. The
// context bounds it: a tail that never ends fails the test instead of hanging it.
func (w *world) start(ctx context.Context, args ...string) <-chan result {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	done := make(chan result, 1)
	go func() {
		defer cancel()
		out, errs, code := w.runCtx(ctx, args...)
		done <- result{out, errs, code}
	}()
	return done
}

// exists reports whether a file exists.
func exists(path string) func() bool {
	return func() bool {
		_, err := os.Stat(path)
		return err == nil
	}
}

func TestTail(t *testing.T) {
	t.Parallel()
	w := newWorld(t, testkit.Options{})
	a := w.user(11, "alice")
	b := w.user(12, "bob")
	w.s.Follow(a.Mid, b.Mid, true)
	w.s.Follow(b.Mid, a.Mid, true)
	w.login(a)
	w.s.SendText(b, a.Mid, "before the tail") // not printed: the tail starts now
	cursor := filepath.Join(t.TempDir(), "tail.json")

	// A first tail: it starts from now, and stops after --count messages.
	done := w.start(t.Context(), "tail", "--cursor", cursor, "--count", "2", "--interval", "5ms")
	testkit.Eventually(t, 5*time.Second, "the tail's first cursor", exists(cursor))
	w.s.Advance(time.Minute)
	k1 := w.s.SendText(b, a.Mid, "one")
	k2 := w.s.SendText(b, a.Mid, "\x1b[31mred\x1b[0m\nline")
	r := <-done
	if r.code != 0 {
		t.Fatalf("tail: exit %d: %s", r.code, r.err)
	}
	msgs := w.history(a, client.User(b.Mid))
	n := len(msgs)
	if msgs[n-2].MsgKey != k1 || msgs[n-1].MsgKey != k2 {
		t.Fatalf("the messages read back: %+v", msgs)
	}
	one := line("2024-06-02 08:01:00  user:12", "12", "one", msgs[n-2])
	red := line("2024-06-02 08:01:00  user:12", "12", "\\u001b[31mred\\u001b[0m⏎line", msgs[n-1])
	if r.out != one+red {
		t.Errorf("tail:\n got %q\nwant %q", r.out, one+red)
	}
	if strings.Contains(r.out, "\x1b") {
		t.Error("tail printed a raw escape character")
	}

	// --include-own: my own messages too, sent from elsewhere.
	cursor2 := filepath.Join(t.TempDir(), "tail2.json")
	done = w.start(t.Context(), "tail", "--include-own", "--cursor", cursor2, "--count", "1", "--interval", "5ms")
	testkit.Eventually(t, 5*time.Second, "the second tail's first cursor", exists(cursor2))
	w.s.SendText(a, b.Mid, "mine")
	r = <-done
	if want := line("2024-06-02 08:01:00  user:12", "me", "mine", w.latest(a, client.User(b.Mid))); r.code != 0 || r.out != want {
		t.Errorf("tail --include-own: exit %d, %q; want %q", r.code, r.out, want)
	}
}

// cursorAt reports whether the cursor file has read talker up to seqno.
func cursorAt(path, talker string, seqno uint64) func() bool {
	return func() bool {
		c, err := client.LoadCursor(path)
		return err == nil && c != nil && c.Seqnos[talker] >= seqno
	}
}

// TestTailResume: a tail interrupted and started again with the same --cursor prints
// what came meanwhile and nothing twice.
func TestTailResume(t *testing.T) {
	t.Parallel()
	w := newWorld(t, testkit.Options{})
	a := w.user(11, "alice")
	b := w.user(12, "bob")
	c := w.user(13, "carol")
	w.s.Follow(a.Mid, b.Mid, true)
	w.s.Follow(b.Mid, a.Mid, true)
	w.login(a)
	cursor := filepath.Join(t.TempDir(), "tail.json")

	ctx, cancel := context.WithCancel(t.Context())
	done := w.start(ctx, "tail", "--cursor", cursor, "--interval", "5ms")
	testkit.Eventually(t, 5*time.Second, "the tail's first cursor", exists(cursor))
	w.s.SendText(b, a.Mid, "one")
	w.s.SendText(a, b.Mid, "mine") // not printed without --include-own
	w.s.SendText(b, a.Mid, "two")
	msgs := w.history(a, client.User(b.Mid))
	last := msgs[len(msgs)-1]
	testkit.Eventually(t, 5*time.Second, "the tail to read bob's messages", cursorAt(cursor, "user:12", last.MsgSeqno))
	cancel()
	r := <-done
	if r.code != 0 || r.err != "" {
		t.Fatalf("interrupted tail: exit %d, %q", r.code, r.err)
	}
	if want := line("2024-06-02 08:00:00  user:12", "12", "one", msgs[len(msgs)-3]) +
		line("2024-06-02 08:00:00  user:12", "12", "two", last); r.out != want {
		t.Errorf("tail:\n got %q\nwant %q", r.out, want)
	}

	// Meanwhile, carol writes; the next tail prints that only.
	w.s.Advance(time.Minute)
	w.s.SendText(c, a.Mid, "from carol")
	m3 := w.latest(a, client.User(c.Mid))
	out, errs, code := w.runCtx(t.Context(), "tail", "--cursor", cursor, "--count", "1", "--interval", "5ms")
	if code != 0 {
		t.Fatalf("second tail: exit %d: %s", code, errs)
	}
	if want := line("2024-06-02 08:01:00  user:13", "13", "from carol", m3); out != want {
		t.Errorf("second tail:\n got %q\nwant %q", out, want)
	}

	// The --count-th message is printed: a resumed tail must not print it again.
	w.s.Advance(time.Minute)
	w.s.SendText(b, a.Mid, "three")
	m4 := w.latest(a, client.User(b.Mid))
	out, errs, code = w.runCtx(t.Context(), "tail", "--cursor", cursor, "--count", "1", "--interval", "5ms")
	if code != 0 {
		t.Fatalf("third tail: exit %d: %s", code, errs)
	}
	if want := line("2024-06-02 08:02:00  user:12", "12", "three", m4); out != want {
		if strings.Contains(out, "from carol") {
			t.Fatalf("a tail --cursor after tail --count prints the --count-th message again: runTail "+
				"(internal/cli/tail.go) returns errEnough from the handler of that message, and the watcher leaves a "+
				"message whose handler failed undelivered (cursor not moved, not saved):\n%s", out)
		}
		t.Errorf("third tail:\n got %q\nwant %q", out, want)
	}
}

// tailLine is one line of tail --json.
type tailLine struct {
	Talker string `json:"talker"`
	client.Message
}

func TestTailJSON(t *testing.T) {
	t.Parallel()
	w := newWorld(t, testkit.Options{})
	a := w.user(11, "alice")
	b := w.user(12, "bob")
	d := w.user(14, "dave")
	w.s.Follow(a.Mid, b.Mid, true)
	w.s.Follow(b.Mid, a.Mid, true)
	w.group(77, d.Mid, "dave's fans", a.Mid)
	w.login(a)
	cursor := filepath.Join(t.TempDir(), "tail.json")

	done := w.start(t.Context(), "tail", "--json", "--include-own", "--cursor", cursor, "--count", "3", "--interval", "5ms")
	testkit.Eventually(t, 5*time.Second, "the tail's first cursor", exists(cursor))
	k1 := w.s.SendText(b, a.Mid, "x\x1b")
	k2 := w.s.SendText(a, b.Mid, "mine")
	w.s.Advance(time.Second)
	k3 := w.s.SendGroupText(d, 77, "to the group")
	r := <-done
	if r.code != 0 {
		t.Fatalf("tail --json: exit %d: %s", r.code, r.err)
	}
	lines := strings.SplitAfter(r.out, "\n")
	if len(lines) != 4 || lines[3] != "" {
		t.Fatalf("tail --json printed %q", r.out)
	}
	want := []struct {
		talker string
		key    uint64
		sender uint64
		text   string
	}{{"user:12", k1, 12, "x\x1b"}, {"user:12", k2, 11, "mine"}, {"group:77", k3, 14, "to the group"}}
	for i, l := range lines[:3] {
		var tl tailLine
		decode(t, l, &tl)
		text, _ := tl.Text()
		if tl.Talker != want[i].talker || tl.MsgKey != want[i].key || tl.SenderUID != want[i].sender || text != want[i].text {
			t.Errorf("line %d: %+v, want %+v", i, tl, want[i])
		}
	}
	if !strings.Contains(lines[0], `\u001b`) {
		t.Errorf("the JSON line does not escape the control character: %q", lines[0])
	}
}

func TestTailUsage(t *testing.T) {
	t.Parallel()
	w := newWorld(t, testkit.Options{})
	a := w.user(11, "alice")
	w.login(a)
	usage := "usage: bilimsg tail [--cursor FILE] [--include-own] [--interval D] [--poll]\n"
	for _, args := range [][]string{{"--interval", "0s"}, {"--interval", "-1s"}, {"--count", "-1"}} {
		if got := w.fail(2, append([]string{"tail"}, args...)...); got != "bilimsg tail: --interval must be positive and --count not negative\n"+usage {
			t.Errorf("tail %q: %q", args, got)
		}
	}
	w.fail(2, "tail", "extra")
	w.fail(2, "tail", "--interval", "soon")
	w.fail(1, "tail", "--profile", "nobody")
	bad := filepath.Join(t.TempDir(), "cursor.json")
	if err := os.WriteFile(bad, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := w.fail(1, "tail", "--cursor", bad); !strings.HasPrefix(got, "bilimsg tail: cursor "+bad+": ") {
		t.Errorf("tail with a damaged cursor: %q", got)
	}
}

// settingsOut is settings' output for these values, in S1's order.
func settingsOut(v map[string]int) string {
	var b strings.Builder
	for _, n := range client.PreferenceNames() {
		fmt.Fprintf(&b, "%-26s %d\n", n, v[n])
	}
	return b.String()
}

func TestSettings(t *testing.T) {
	t.Parallel()
	w := newWorld(t, testkit.Options{})
	a := w.user(11, "alice")
	w.login(a)
	w.env["BILIMSG_ADMIN_TOKEN"] = w.s.Token

	const defaults = "show_unfollowed_msg        0\n" +
		"msg_notify                 1\n" +
		"set_like                   0\n" +
		"set_comment                0\n" +
		"set_at                     0\n" +
		"is_group_fold              0\n" +
		"should_receive_group       1\n" +
		"receive_unfollow_msg       1\n" +
		"followed_reply             0\n" +
		"keys_reply                 0\n" +
		"recv_reply                 0\n" +
		"voyage_reply               0\n" +
		"recommend_followed_reply   0\n" +
		"ai_intercept               0\n" +
		"set_recv_reply             0\n" +
		"set_recv_like              0\n" +
		"set_new_follow             0\n"
	if out := w.ok("settings", "get"); out != defaults {
		t.Errorf("settings get:\n got %q\nwant %q", out, defaults)
	}
	cur := map[string]int{"msg_notify": 1, "should_receive_group": 1, "receive_unfollow_msg": 1}
	if settingsOut(cur) != defaults {
		t.Fatal("settingsOut does not render the defaults")
	}

	// set applies, all at once, and prints the settings as they now are.
	out := w.ok("settings", "set", "set_like=5", "set_comment=2", "is_group_fold=1")
	cur["set_like"], cur["set_comment"], cur["is_group_fold"] = 5, 2, 1
	if out != settingsOut(cur) {
		t.Errorf("settings set:\n%s", out)
	}
	p, err := w.client(a).Preferences(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if p.SetLike != 5 || p.SetComment != 2 || p.IsGroupFold != 1 || p.SetAt != 0 {
		t.Errorf("the server's settings after set: %+v", p)
	}

	// A value out of range: bilibili's 2, and nothing changes.
	if got := w.fail(1, "settings", "set", "set_at=1", "set_like=3"); got != "bilimsg settings: bilibili: set: 2 非法参数\n" {
		t.Errorf("set_like=3: %q", got)
	}
	// An auto-reply needs 1000 fans.
	if got := w.fail(1, "settings", "set", "set_at=1", "recv_reply=1"); got != "bilimsg settings: bilibili: set: 700009 权限不足\n" {
		t.Errorf("recv_reply=1 with no fans: %q", got)
	}
	if out := w.ok("settings", "get"); out != settingsOut(cur) {
		t.Errorf("a refused set changed something:\n%s", out)
	}
	w.ok("user", "fans", "11", "1000", "--server", w.s.URL)
	out = w.ok("settings", "set", "recv_reply=1")
	cur["recv_reply"] = 1
	if out != settingsOut(cur) {
		t.Errorf("recv_reply=1 with 1000 fans:\n%s", out)
	}

	var pj client.Preferences
	decode(t, w.ok("settings", "get", "--json"), &pj)
	if pj.SetLike != 5 || pj.RecvReply != 1 || pj.MsgNotify == nil || *pj.MsgNotify != 1 || pj.ShowUnfollowedMsg == nil {
		t.Errorf("settings get --json: %+v", pj)
	}
	pj = client.Preferences{}
	decode(t, w.ok("settings", "set", "set_like=0", "--json"), &pj)
	if pj.SetLike != 0 || pj.RecvReply != 1 {
		t.Errorf("settings set --json: %+v", pj)
	}

	usage := "usage: bilimsg settings get | set NAME=VALUE…\n"
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{nil, "wrong number of arguments"},
		{[]string{"frob"}, `unknown settings action "frob"`},
		{[]string{"get", "set_like"}, "settings get takes no arguments"},
		{[]string{"set"}, "settings set needs NAME=VALUE"},
		{[]string{"set", "set_like"}, `"set_like": want NAME=NUMBER`},
		{[]string{"set", "set_like=on"}, `"set_like=on": want NAME=NUMBER`},
	} {
		if got := w.fail(2, append([]string{"settings"}, tc.args...)...); got != "bilimsg settings: "+tc.msg+"\n"+usage {
			t.Errorf("settings %q: %q", tc.args, got)
		}
	}
	got := w.fail(2, "settings", "set", "nope=1")
	if !strings.HasPrefix(got, `bilimsg settings: no setting is called "nope" (known: [show_unfollowed_msg msg_notify `) {
		t.Errorf("an unknown setting: %q", got)
	}
	w.fail(1, "settings", "get", "--profile", "nobody")
}

func TestOperatorUser(t *testing.T) {
	t.Parallel()
	w := newWorld(t, testkit.Options{})
	b := w.user(12, "bob")
	op := []string{"--server", w.s.URL, "--admin-token", w.s.Token}
	user := func(args ...string) []string { return append(append([]string{"user"}, args...), op...) }

	w.secret("carol's-secret-password")
	w.stdin = "carol's-secret-password\n"
	if out := w.ok(user("add", "carol", "--mid", "5000", "--fans", "10", "--password-stdin")...); out != "mid 5000  carol  fans 10\n" {
		t.Errorf("user add: %q", out)
	}
	// The password works for bilimsg's own login.
	if _, err := client.LoginWithPassword(t.Context(), "5000", "carol's-secret-password", client.WithBaseURL(w.s.URL)); err != nil {
		t.Errorf("the password given with user add: %v", err)
	}
	w.fail(2, user("add", "nopw", "--password-stdin")...)
	var nu struct {
		Mid       uint64 `json:"mid"`
		Name      string `json:"name"`
		Face      string `json:"face"`
		Fans      int64  `json:"fans"`
		CreatedAt int64  `json:"created_at"`
	}
	decode(t, w.ok(user("add", "dave", "--json")...), &nu)
	if nu.Mid == 0 || nu.Name != "dave" || nu.Fans != 0 || nu.CreatedAt != testkit.Epoch.Unix() {
		t.Errorf("user add --json: %+v", nu)
	}
	if out := w.ok(user("add", "ev\x1b[2Jil", "--mid", "6000")...); out != "mid 6000  ev\\u001b[2Jil  fans 0\n" {
		t.Errorf("user add of a name with an escape: %q", out)
	}
	if got := w.fail(1, user("add", "again", "--mid", "5000")...); !strings.HasPrefix(got, "bilimsg user: operator API: 409 ") {
		t.Errorf("user add of a taken mid: %q", got)
	}

	if out := w.ok(user("get", "5000")...); out != "mid 5000  carol  fans 10\n" {
		t.Errorf("user get: %q", out)
	}
	if got := w.fail(1, user("get", "999")...); !strings.HasPrefix(got, "bilimsg user: operator API: 404 ") {
		t.Errorf("user get of no one: %q", got)
	}
	if got := w.fail(1, user("get", "carol")...); got != "bilimsg user: \"carol\" is not a mid\n" {
		t.Errorf("user get carol: %q", got)
	}
	if out := w.ok(user("fans", "5000", "1200")...); out != "mid 5000  carol  fans 1200\n" {
		t.Errorf("user fans: %q", out)
	}
	if got := w.fail(1, user("fans", "5000", "many")...); got != "bilimsg user: \"many\" is not a fan count\n" {
		t.Errorf("user fans many: %q", got)
	}
	want := "mid 12  bob  fans 0\nmid 5000  carol  fans 1200\nmid 6000  ev\\u001b[2Jil  fans 0\n" +
		"mid " + u64s(nu.Mid) + "  dave  fans 0\n"
	if out := w.ok(user("list")...); out != want {
		t.Errorf("user list:\n got %q\nwant %q", out, want)
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(w.ok(user("list", "--json")...)), &list); err != nil || len(list) != 4 || list[1]["name"] != "carol" {
		t.Errorf("user list --json: %v %v", list, err)
	}

	// user login: the cookies only with --secrets, or kept with --save.
	if out := w.ok(user("login", "5000")...); out != "new login for mid 5000\n(cookies not shown: add --secrets to print them, or --save PROFILE to keep them)\n" {
		t.Errorf("user login: %q", out)
	}
	out := w.ok(user("login", "5000", "--secrets")...)
	first, rest, _ := strings.Cut(out, "\n")
	cr, err := client.ParseCookies(strings.TrimSuffix(rest, "\n"))
	if first != "new login for mid 5000" || err != nil || cr.Mid != 5000 || cr.BiliJct == "" || strings.Count(rest, "\n") != 1 {
		t.Fatalf("user login --secrets: %q (%v)", out, err)
	}
	w.secret(cr.SESSDATA, cr.BiliJct)
	w.s.Follow(b.Mid, 5000, true)
	w.ok("login", "--server", w.s.URL, "--cookie", strings.TrimSuffix(rest, "\n"), "--profile", "printed")
	w.ok("send", "12", "with printed cookies", "--profile", "printed")

	var lj map[string]any
	decode(t, w.ok(user("login", "5000", "--secrets", "--json")...), &lj)
	if lj["mid"] != float64(5000) || lj["DedeUserID"] != "5000" || lj["SESSDATA"] == "" || lj["bili_jct"] == "" || len(lj) != 4 {
		t.Errorf("user login --secrets --json: %v", lj)
	}
	w.secret(fmt.Sprint(lj["SESSDATA"]), fmt.Sprint(lj["bili_jct"]))
	lj = nil
	decode(t, w.ok(user("login", "5000", "--json")...), &lj)
	if !mapsEqual(lj, map[string]any{"mid": float64(5000)}) {
		t.Errorf("user login --json: %v", lj)
	}

	out = w.ok(user("login", "5000", "--save", "carol")...)
	if out != "new login for mid 5000, kept in profile \"carol\"\n" {
		t.Errorf("user login --save: %q", out)
	}
	if out := w.ok("whoami", "--profile", "carol"); out != "profile  carol\nserver   "+w.s.URL+"\nmid      5000\noperator admin token kept\n" {
		t.Errorf("whoami of the saved login: %q", out)
	}
	w.ok("send", "--profile", "carol", "12", "saved")
	if m := w.latest(b, client.User(5000)); m.SenderUID != 5000 {
		t.Errorf("send --profile carol sent as %d", m.SenderUID)
	}
	// The saved profile's token serves the operator commands.
	if out := w.ok("user", "get", "12", "--profile", "carol"); out != "mid 12  bob  fans 0\n" {
		t.Errorf("user get as the saved profile: %q", out)
	}
	if st, err := os.Stat(w.cfg); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("profiles file after --save: %v", err)
	}
	if got := w.fail(1, user("login", "999")...); !strings.HasPrefix(got, "bilimsg user: operator API: 404 ") {
		t.Errorf("user login of no one: %q", got)
	}

	// $BILIMSG_ADMIN_TOKEN.
	w.env["BILIMSG_ADMIN_TOKEN"] = w.s.Token
	if out := w.ok("user", "get", "5000", "--server", w.s.URL); out != "mid 5000  carol  fans 1200\n" {
		t.Errorf("user get with BILIMSG_ADMIN_TOKEN: %q", out)
	}
	delete(w.env, "BILIMSG_ADMIN_TOKEN")

	// No token, a wrong one, and usage errors.
	if got := w.fail(1, "user", "list", "--server", w.s.URL); got != "bilimsg user: no admin token: give --admin-token, set BILIMSG_ADMIN_TOKEN, or log in with --admin-token (the server keeps it in its data directory, in admin-token)\n" {
		t.Errorf("user list without a token: %q", got)
	}
	got := w.fail(1, "user", "list", "--server", w.s.URL, "--admin-token", "wrong-token")
	if !strings.HasPrefix(got, "bilimsg user: operator API: 401 ") {
		t.Errorf("user list with a wrong token: %q", got)
	}
	w.secret("wrong-token")
	usage := "usage: bilimsg user add NAME [--mid M] [--fans N] [--password-stdin] | get MID | list | login MID [--save PROFILE] [--secrets] | fans MID N\n"
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"frob"}, `unknown user action "frob"`},
		{[]string{"add"}, "user add NAME"},
		{[]string{"add", "a", "b"}, "user add NAME"},
		{[]string{"get"}, "user get MID"},
		{[]string{"fans", "5000"}, "user fans MID N"},
		{[]string{"login"}, "user login MID"},
	} {
		if got := w.fail(2, user(tc.args...)...); got != "bilimsg user: "+tc.msg+"\n"+usage {
			t.Errorf("user %q: %q", tc.args, got)
		}
	}
	if got := w.fail(2, append([]string{"user"}, op...)...); got != "bilimsg user: wrong number of arguments\n"+usage {
		t.Errorf("user: %q", got)
	}
}

func TestOperatorRelations(t *testing.T) {
	t.Parallel()
	w := newWorld(t, testkit.Options{})
	w.user(11, "alice")
	w.user(12, "bob")
	w.env["BILIMSG_ADMIN_TOKEN"] = w.s.Token
	srv := []string{"--server", w.s.URL}
	rel := func(args ...string) string { return w.ok(append(args, srv...)...) }
	opc := w.s.Operator()
	check := func(following, blocking bool) {
		t.Helper()
		r, err := opc.Relation(t.Context(), 11, 12)
		if err != nil || r.Following != following || r.Blocking != blocking {
			t.Errorf("relation 11 → 12: %+v, %v; want following %t, blocking %t", r, err, following, blocking)
		}
	}

	if out := rel("follow", "11", "12"); out != "11 → 12: following true, blocking false\n" {
		t.Errorf("follow: %q", out)
	}
	check(true, false)
	if out := rel("unfollow", "11", "12"); out != "11 → 12: following false, blocking false\n" {
		t.Errorf("unfollow: %q", out)
	}
	check(false, false)
	rel("follow", "11", "12")
	if out := rel("block", "11", "12"); out != "11 → 12: following false, blocking true\n" {
		t.Errorf("block ends the follow: %q", out)
	}
	check(false, true)
	if got := w.fail(1, append([]string{"follow", "11", "12"}, srv...)...); !strings.HasPrefix(got, "bilimsg follow: operator API: 409 ") {
		t.Errorf("follow while blocking: %q", got)
	}
	var r struct {
		Following bool `json:"following"`
		Blocking  bool `json:"blocking"`
	}
	decode(t, rel("unblock", "11", "12", "--json"), &r)
	if r.Following || r.Blocking {
		t.Errorf("unblock --json: %+v", r)
	}
	check(false, false)
	decode(t, rel("follow", "--json", "11", "12"), &r)
	if !r.Following {
		t.Errorf("follow --json: %+v", r)
	}

	for _, cmd := range []string{"follow", "unfollow", "block", "unblock"} {
		if got := w.fail(2, cmd, "11"); got != "bilimsg "+cmd+": wrong number of arguments\nusage: bilimsg "+cmd+" MID TARGET\n" {
			t.Errorf("%s 11: %q", cmd, got)
		}
		if got := w.fail(1, append([]string{cmd, "11", "bob"}, srv...)...); got != "bilimsg "+cmd+": \"bob\" is not a mid\n" {
			t.Errorf("%s 11 bob: %q", cmd, got)
		}
		if got := w.fail(1, append([]string{cmd, "11", "999"}, srv...)...); !strings.HasPrefix(got, "bilimsg "+cmd+": operator API: 404 ") {
			t.Errorf("%s 11 999: %q", cmd, got)
		}
	}
	if got := w.fail(1, append([]string{"follow", "11", "11"}, srv...)...); !strings.HasPrefix(got, "bilimsg follow: operator API: ") {
		t.Errorf("follow oneself: %q", got)
	}
	delete(w.env, "BILIMSG_ADMIN_TOKEN")
	if got := w.fail(1, append([]string{"block", "11", "12"}, srv...)...); !strings.HasPrefix(got, "bilimsg block: no admin token: ") {
		t.Errorf("block without a token: %q", got)
	}
	if got := w.fail(1, append([]string{"unblock", "11", "12", "--admin-token", "nope"}, srv...)...); !strings.HasPrefix(got, "bilimsg unblock: operator API: 401 ") {
		t.Errorf("unblock with a wrong token: %q", got)
	}
}

func TestOperatorGroup(t *testing.T) {
	t.Parallel()
	w := newWorld(t, testkit.Options{})
	a := w.user(11, "alice")
	w.user(12, "bob")
	w.user(13, "carol")
	o := w.user(20, "owner")
	w.env["BILIMSG_ADMIN_TOKEN"] = w.s.Token
	srv := []string{"--server", w.s.URL}
	group := func(args ...string) []string { return append(append([]string{"group"}, args...), srv...) }

	if got := w.fail(1, group("create", "20", "no fans")...); !strings.HasPrefix(got, "bilimsg group: operator API: ") {
		t.Errorf("group create by an owner without fans: %q", got)
	}
	w.ok("user", "fans", "20", "1000", "--server", w.s.URL)
	var g struct {
		ID        uint64 `json:"id"`
		Owner     uint64 `json:"owner"`
		Name      string `json:"name"`
		Cover     string `json:"cover"`
		Type      int    `json:"type"`
		State     string `json:"state"`
		Members   int64  `json:"members"`
		MaxSeqno  uint64 `json:"max_seqno"`
		CreatedAt int64  `json:"created_at"`
	}
	decode(t, w.ok(group("create", "20", "owner's fans", "--json")...), &g)
	if g.ID == 0 || g.Owner != 20 || g.Name != "owner's fans" || g.State != "open" {
		t.Fatalf("group create --json: %+v", g)
	}
	G := u64s(g.ID)
	line := func(members int, state string) string {
		return "group " + G + "  owner's fans  owner 20  members " + strconv.Itoa(members) + "  " + state + "\n"
	}
	if out := w.ok(group("get", G)...); out != line(int(g.Members), "open") {
		t.Errorf("group get: %q", out)
	}
	base := int(g.Members)
	if out := w.ok(group("create", "20", "second\x1b[0m")...); !strings.Contains(out, "  second\\u001b[0m  owner 20  members ") {
		t.Errorf("group create: %q", out)
	}

	if out := w.ok(group("join", G, "11", "12", "13")...); out != "group "+G+": join [11 12 13]\n" {
		t.Errorf("group join: %q", out)
	}
	if out := w.ok(group("get", G)...); out != line(base+3, "open") {
		t.Errorf("group get after join: %q", out)
	}
	// The members are in: alice can write to the group.
	w.login(a, "alice")
	w.ok("send", "group:"+G, "hello", "--profile", "alice")
	if out := w.ok(group("leave", G, "11")...); out != "group "+G+": leave [11]\n" {
		t.Errorf("group leave: %q", out)
	}
	if out := w.ok(group("remove", G, "12")...); out != "group "+G+": remove [12]\n" {
		t.Errorf("group remove: %q", out)
	}
	if out := w.ok(group("get", G)...); out != line(base+1, "open") {
		t.Errorf("group get after leave and remove: %q", out)
	}
	var mj map[string]any
	decode(t, w.ok(group("join", G, "11", "--json")...), &mj)
	if mj["group"] != float64(g.ID) || mj["action"] != "join" || fmt.Sprint(mj["mids"]) != "[11]" {
		t.Errorf("group join --json: %v", mj)
	}

	// Frozen, the members cannot write; unfrozen they can; dissolved it is gone.
	w.login(o, "owner")
	if out := w.ok(group("freeze", G)...); out != line(base+2, "frozen") {
		t.Errorf("group freeze: %q", out)
	}
	if got := w.fail(1, "send", "group:"+G, "hi", "--profile", "owner"); !strings.HasPrefix(got, "bilimsg send: bilibili: send_msg: ") {
		t.Errorf("send to a frozen group: %q", got)
	}
	if out := w.ok(group("unfreeze", G)...); out != line(base+2, "open") {
		t.Errorf("group unfreeze: %q", out)
	}
	w.ok("send", "group:"+G, "hi", "--profile", "owner")
	decode(t, w.ok(group("dissolve", G, "--json")...), &g)
	if g.State != "dissolved" {
		t.Errorf("group dissolve --json: %+v", g)
	}
	if got := w.fail(1, "send", "group:"+G, "hi", "--profile", "owner"); !strings.HasPrefix(got, "bilimsg send: bilibili: send_msg: 700013 ") {
		t.Errorf("send to a dissolved group: %q", got)
	}

	if got := w.fail(1, group("get", "999")...); !strings.HasPrefix(got, "bilimsg group: operator API: 404 ") {
		t.Errorf("group get of none: %q", got)
	}
	if got := w.fail(1, group("get", "g1")...); got != "bilimsg group: \"g1\" is not a mid\n" {
		t.Errorf("group get g1: %q", got)
	}
	usage := "usage: bilimsg group create OWNER NAME | get GID | join GID MID… | leave GID MID | remove GID MID | freeze|unfreeze|dissolve GID\n"
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"frob", G}, `unknown group action "frob"`},
		{[]string{"create", "20"}, "group create OWNER NAME"},
		{[]string{"create", "20", "a", "b"}, "group create OWNER NAME"},
		{[]string{"get", G, "x"}, "group get GID"},
		{[]string{"freeze", G, G}, "group freeze GID"},
		{[]string{"join", G}, "group join GID MID"},
		{[]string{"get"}, "wrong number of arguments"},
		{[]string{"leave", G, "11", "12"}, "group leave GID MID"},
		{[]string{"remove", G, "11", "12"}, "group remove GID MID"},
	} {
		if got := w.fail(2, group(tc.args...)...); got != "bilimsg group: "+tc.msg+"\n"+usage {
			t.Errorf("group %q: %q", tc.args, got)
		}
	}
	delete(w.env, "BILIMSG_ADMIN_TOKEN")
	if got := w.fail(1, group("get", G)...); !strings.HasPrefix(got, "bilimsg group: no admin token: ") {
		t.Errorf("group get without a token: %q", got)
	}
	if got := w.fail(1, group("get", G, "--admin-token", "nope")...); !strings.HasPrefix(got, "bilimsg group: operator API: 401 ") {
		t.Errorf("group get with a wrong token: %q", got)
	}
}

// TestJSONEverywhere runs every command with --json and decodes what it prints: one
// JSON object or array (tail's lines are decoded by TestTailJSON).
func TestJSONEverywhere(t *testing.T) {
	t.Parallel()
	w := newWorld(t, testkit.Options{})
	a := w.user(11, "alice")
	b := w.user(12, "bob")
	w.s.Follow(b.Mid, a.Mid, true)
	w.env["BILIMSG_ADMIN_TOKEN"] = w.s.Token
	key := w.s.SendText(a, b.Mid, "to recall")

	decodeAny := func(args ...string) any {
		t.Helper()
		out := w.ok(append(args, "--json")...)
		var v any
		decode(t, out, &v)
		switch v.(type) {
		case map[string]any, []any:
		default:
			t.Errorf("%q --json printed %q, not an object or array", args, out)
		}
		return v
	}
	for _, args := range [][]string{
		{"login", "--server", w.s.URL, "--cookie", cookie(a)},
		{"whoami"},
		{"whoami", "--secrets"},
		{"send", "12", "hi"},
		{"send", "12", "--image", "https://i0.hdslb.com/bfs/im/x.png"},
		{"sessions"},
		{"history", "12"},
		{"unread"},
		{"ack", "12"},
		{"recall", "12", u64s(key)},
		{"settings", "get"},
		{"settings", "set", "set_like=5"},
		{"user", "add", "x", "--mid", "30"},
		{"user", "get", "30"},
		{"user", "list"},
		{"user", "fans", "30", "1000"},
		{"user", "login", "30"},
		{"user", "login", "30", "--save", "p30"},
		{"follow", "30", "11"},
		{"unfollow", "30", "11"},
		{"block", "30", "11"},
		{"unblock", "30", "11"},
		{"logout", "--profile", "p30"},
	} {
		decodeAny(args...)
	}
	g := decodeAny("group", "create", "30", "g").(map[string]any)
	G := strconv.FormatFloat(g["id"].(float64), 'f', -1, 64)
	for _, args := range [][]string{
		{"group", "get", G},
		{"group", "join", G, "11", "12"},
		{"group", "leave", G, "11"},
		{"group", "remove", G, "12"},
		{"group", "freeze", G},
		{"group", "unfreeze", G},
		{"group", "dissolve", G},
	} {
		decodeAny(args...)
	}
}

// TestJSONEmptyUserList: an empty list is [] (as sessions and history print it), not null.
func TestJSONEmptyUserList(t *testing.T) {
	t.Parallel()
	w := newWorld(t, testkit.Options{})
	out := w.ok("user", "list", "--json", "--server", w.s.URL, "--admin-token", w.s.Token)
	if out == "null\n" {
		t.Fatal("user list --json prints null for no users (internal/cli/operator.go runUser: var all []operator.User); " +
			"sessions and history print []")
	}
	if out != "[]\n" {
		t.Errorf("user list --json of no users: %q", out)
	}
}

func TestHelpAndUnknownCommand(t *testing.T) {
	t.Parallel()
	for _, h := range []string{"help", "-h", "--help"} {
		out, errs, code := run(t, runOpts{}, h)
		if code != 0 || errs != "" {
			t.Errorf("%s: exit %d, stderr %q", h, code, errs)
		}
		for _, c := range commands() {
			if !strings.Contains(out, "\n  bilimsg "+c.name) {
				t.Errorf("%s does not show %q", h, c.name)
			}
		}
		if !strings.Contains(out, "  bilimsg help\n") {
			t.Errorf("%s does not show itself", h)
		}
	}
	help, _, _ := run(t, runOpts{}, "help")

	out, errs, code := run(t, runOpts{})
	if code != 2 || out != "" || errs != help {
		t.Errorf("no arguments: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	out, errs, code = run(t, runOpts{}, "frobnicate", "--json")
	if code != 2 || out != "" || errs != "bilimsg: unknown command \"frobnicate\"\n\n"+help {
		t.Errorf("unknown command: exit %d, stdout %q, stderr %q", code, out, errs)
	}

	// A command's -h: its synopsis and flags on stdout, exit 0.
	out, errs, code = run(t, runOpts{}, "send", "-h")
	if code != 0 || errs != "" || !strings.HasPrefix(out, "usage: bilimsg send TALKER") ||
		!strings.Contains(out, "-image") || !strings.Contains(out, "-profile") {
		t.Errorf("send -h: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

// TestFlagErrorIsOneLine: docs/client.md says errors are one line on stderr, "bilimsg
// <command>: <what>", and a usage error exits 2 with the command's synopsis — also for a
// flag the command does not know, or a bad flag value.
func TestFlagErrorIsOneLine(t *testing.T) {
	t.Parallel()
	w := newWorld(t, testkit.Options{})
	for _, args := range [][]string{{"send", "1", "hi", "--nope"}, {"history", "1", "--limit", "many"}} {
		errs := w.fail(2, args...)
		if !strings.Contains(errs, "-nope") && !strings.Contains(errs, "many") {
			t.Errorf("%q: the error does not name the flag: %q", args, errs)
		}
		first, _, _ := strings.Cut(errs, "\n")
		want := "usage: bilimsg " + args[0] + " "
		if !strings.HasPrefix(first, "bilimsg "+args[0]+": ") || !strings.Contains(errs, want) {
			t.Errorf("%q: a flag error is not \"bilimsg %s: …\" with the synopsis: %q", args, args[0], errs)
		}
	}
}

// TestDemoUP: the demo UP主's view — a system account's session is labelled with its
// name, a message type the command cannot render is shown raw and cut at 200
// characters, and the unread counts include the notification feeds.
func TestDemoUP(t *testing.T) {
	t.Parallel()
	w := newWorld(t, testkit.Options{Demo: true})
	w.ok("login", "--server", w.s.URL, "--demo", demoDir(t, w.s))

	out := w.ok("sessions", "--category", "system")
	const head = "2024-06-02 08:00:00  user:844424930131966 UP主小助手  unread 1     [msg_type 10] {\"title\":\"流量奖励到账通知\","
	if !strings.HasPrefix(out, head) || !strings.HasSuffix(out, "…\n") || strings.Count(out, "\n") != 1 {
		t.Errorf("sessions --category system:\n%s", out)
	}
	if preview := strings.TrimSuffix(out[strings.Index(out, "[msg_type"):], "…\n"); utf8.RuneCountInString(preview) != 200 {
		t.Errorf("the preview is %d characters, want 200 and …", utf8.RuneCountInString(preview))
	}
	if out := w.ok("sessions", "--category", "groups"); out != "2024-06-02 08:00:00  group:221082140 bilimsg演示UP主的应援团 unread 1     前排[doge]\n" {
		t.Errorf("sessions --category groups: %q", out)
	}
	want := "messages   followed 2, unfollowed 1, dustbin 0, system 1, customer service 0\n" +
		"fan groups 1\n" +
		"feed       replies 1, @ 1, likes 1, system 1, UP主 1\n"
	if out := w.ok("unread"); out != want {
		t.Errorf("unread of the demo UP主:\n got %q\nwant %q", out, want)
	}
	// The fan's message, with its newline shown as ⏎.
	if out := w.ok("history", "2239814"); !strings.Contains(out, "  2239814: up主你好，⏎催更[doge]  (seqno ") {
		t.Errorf("history with the demo fan:\n%s", out)
	}
}

// TestServerFlagAndUnreachableServer: --server overrides the profile's server, and a
// server that cannot be reached is one line of error.
func TestServerFlagAndUnreachableServer(t *testing.T) {
	t.Parallel()
	w := newWorld(t, testkit.Options{})
	a := w.user(11, "alice")
	w.user(12, "bob")
	w.login(a)
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	got := w.fail(1, "send", "12", "hi", "--server", gone.URL)
	if !strings.HasPrefix(got, "bilimsg send: client: send_msg: ") {
		t.Errorf("send to a server that is gone: %q", got)
	}
	got = w.fail(1, "follow", "11", "12", "--server", gone.URL, "--admin-token", w.s.Token)
	if !strings.HasPrefix(got, "bilimsg follow: operator: PUT /admin/v1/users/11/follows/12: ") {
		t.Errorf("follow on a server that is gone: %q", got)
	}
	got = w.fail(1, "login", "--server", "ftp://example", "--cookie", cookie(a), "--profile", "x")
	if !strings.HasPrefix(got, "bilimsg login: client: base URL \"ftp://example\": ") {
		t.Errorf("login to a non-HTTP server: %q", got)
	}
}

// TestProfilesFileMode: a profiles file that was readable by others is replaced by one
// readable by its owner only.
func TestProfilesFileMode(t *testing.T) {
	t.Parallel()
	w := newWorld(t, testkit.Options{})
	a := w.user(11, "alice")
	if err := os.MkdirAll(filepath.Dir(w.cfg), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(w.cfg, []byte(`{"profiles":{"old":{"server":"http://127.0.0.1:1"}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	w.login(a)
	if st, err := os.Stat(w.cfg); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("profiles file after login: %v; want mode 0600", err)
	}
	pf, err := readProfiles(w.cfg)
	if err != nil || pf.Profiles["old"].Server != "http://127.0.0.1:1" || pf.Profiles["default"].Mid != 11 {
		t.Errorf("profiles after login: %+v, %v", pf.Profiles, err)
	}
	// No temporary file is left next to it.
	entries, _ := os.ReadDir(filepath.Dir(w.cfg))
	if len(entries) != 1 {
		t.Errorf("files beside the profiles: %v", entries)
	}
}
