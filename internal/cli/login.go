package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/bilimsg/bilimsg/client"
	"github.com/bilimsg/bilimsg/client/operator"
)

// runLogin logs in one of four ways — cookies (as from a browser, or bilibili itself),
// a password (bilimsg's own login, --account with the password on stdin or in
// $BILIMSG_PASSWORD: never on the command line, where other users could read it), a
// demo user of `serve --demo` (cookies and admin token from its data directory), or a
// new login made through the operator API — checks the login with a real call, and
// keeps it in the profile.
func runLogin(s *Sys, name string, args []string) int {
	o := newOpts(s, name).withServer()
	var cookie, demo, account string
	var mid uint64
	var pwStdin bool
	o.fs.StringVar(&account, "account", "", "log in with this mid or name and a password (bilimsg only)")
	o.fs.BoolVar(&pwStdin, "password-stdin", false, "with --account: read the password from the first line of stdin (default $BILIMSG_PASSWORD)")
	o.fs.StringVar(&cookie, "cookie", "", "cookies 'SESSDATA=…; bili_jct=…; DedeUserID=…' (default $BILIMSG_COOKIE)")
	o.fs.StringVar(&demo, "demo", "", "data directory of `bilimsg serve --demo`: log in as one of its demo users")
	o.fs.Uint64Var(&mid, "mid", 0, "with --demo: which demo user (default the UP主); with --admin-token: the user to log in")
	if _, code, ok := o.parse(args, 0, 0); !ok {
		return code
	}
	if cookie == "" {
		cookie = s.getenv("BILIMSG_COOKIE")
	}
	p := profile{Server: firstOf(o.server, "http://127.0.0.1:8080"), AdminToken: o.adminToken}
	var cr client.Credentials
	var err error
	switch {
	case account != "":
		password := s.getenv("BILIMSG_PASSWORD")
		if pwStdin {
			if password, err = firstLine(s.stdin()); err != nil {
				return o.fail(fmt.Errorf("reading the password from stdin: %v", err))
			}
		}
		if password == "" {
			o.usageErr("--account needs --password-stdin or $BILIMSG_PASSWORD")
			return 2
		}
		opts := []client.Option{client.WithBaseURL(p.Server)}
		if s.HTTPClient != nil {
			opts = append(opts, client.WithHTTPClient(s.HTTPClient))
		}
		cr, err = client.LoginWithPassword(s.Ctx, account, password, opts...)
	case cookie != "":
		cr, err = client.ParseCookies(cookie)
		if err == nil && cr.Mid == 0 {
			err = errors.New("the cookies have no DedeUserID (the user's mid)")
		}
	case demo != "":
		cr, err = client.DemoLogin(demo, mid)
		if err == nil && p.AdminToken == "" {
			if b, rerr := os.ReadFile(filepath.Join(demo, "admin-token")); rerr == nil {
				p.AdminToken = strings.TrimSpace(string(b))
			}
		}
	case o.adminToken != "" && mid != 0:
		var op *operator.Client
		if op, err = operator.New(p.Server, o.adminToken, s.HTTPClient); err == nil {
			cr, err = op.Login(s.Ctx, mid)
		}
	default:
		o.usageErr("give --cookie, --account, --demo DIR, or --admin-token with --mid")
		return 2
	}
	if err != nil {
		return o.fail(err)
	}
	c, err := o.newClient(p.Server, cr)
	if err != nil {
		return o.fail(err)
	}
	// A real call proves the cookies: -101 means they are not (or no longer) a login.
	if _, err := c.SingleUnread(s.Ctx, client.UnreadOptions{}); err != nil {
		if errors.Is(err, client.ErrNotLoggedIn) {
			return o.fail(fmt.Errorf("%s does not accept these cookies (-101 账号未登录)", p.Server))
		}
		return o.fail(err)
	}
	p.SESSDATA, p.BiliJct, p.Mid = cr.SESSDATA, cr.BiliJct, cr.Mid
	if err := o.editProfiles(func(pf *profileFile) { pf.Profiles[o.profileName()] = p }); err != nil {
		return o.fail(err)
	}
	return o.emit(map[string]any{"profile": o.profileName(), "server": p.Server, "mid": p.Mid}, func(w io.Writer) {
		fmt.Fprintf(w, "logged in as mid %d on %s (profile %q)\n", p.Mid, p.Server, o.profileName())
	})
}

func runLogout(s *Sys, name string, args []string) int {
	o := newOpts(s, name)
	var local bool
	o.fs.BoolVar(&local, "local", false, "only forget the login here; do not end it on the server")
	if _, code, ok := o.parse(args, 0, 0); !ok {
		return code
	}
	p, err := o.load()
	if err != nil {
		return o.fail(err)
	}
	if p.Server == "" { // every kept profile has its server
		return o.fail(fmt.Errorf("no profile %q", o.profileName()))
	}
	if !local && p.SESSDATA != "" {
		// End the login on the server, so that the cookies are worth nothing even if
		// copied. A login already gone (-101), or a server without bilimsg's logout
		// (bilibili itself: -404), leaves nothing to end.
		c, err := o.newClient(p.Server, client.Credentials{SESSDATA: p.SESSDATA, BiliJct: p.BiliJct, Mid: p.Mid})
		if err == nil {
			err = c.Logout(s.Ctx)
		}
		if err != nil && !client.IsCode(err, client.CodeNotLoggedIn) && !client.IsCode(err, client.CodeNotFound) {
			return o.fail(fmt.Errorf("%v (--local forgets the login without ending it)", err))
		}
	}
	if err := o.editProfiles(func(pf *profileFile) { delete(pf.Profiles, o.profileName()) }); err != nil {
		return o.fail(err)
	}
	return o.emit(map[string]any{"profile": o.profileName(), "logged_out": true}, func(w io.Writer) {
		fmt.Fprintf(w, "profile %q removed\n", o.profileName())
	})
}

// firstLine reads a line (a password piped in), without its line ending.
func firstLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// runWhoami shows the profile; cookies and token only with --secrets.
func runWhoami(s *Sys, name string, args []string) int {
	o := newOpts(s, name)
	var secrets bool
	o.fs.BoolVar(&secrets, "secrets", false, "also print the cookies and the admin token")
	if _, code, ok := o.parse(args, 0, 0); !ok {
		return code
	}
	p, err := o.load()
	if err != nil {
		return o.fail(err)
	}
	if p.Server == "" {
		return o.fail(fmt.Errorf("no profile %q: run bilimsg login first", o.profileName()))
	}
	out := map[string]any{"profile": o.profileName(), "server": p.Server, "mid": p.Mid, "admin_token_set": p.AdminToken != ""}
	if secrets {
		out["SESSDATA"], out["bili_jct"], out["admin_token"] = p.SESSDATA, p.BiliJct, p.AdminToken
	}
	return o.emit(out, func(w io.Writer) {
		fmt.Fprintf(w, "profile  %s\nserver   %s\nmid      %d\n", o.profileName(), p.Server, p.Mid)
		if p.AdminToken != "" {
			fmt.Fprintln(w, "operator admin token kept")
		}
		if secrets {
			fmt.Fprintf(w, "cookie   SESSDATA=%s; bili_jct=%s; DedeUserID=%d\n", p.SESSDATA, p.BiliJct, p.Mid)
			if p.AdminToken != "" {
				fmt.Fprintf(w, "token    %s\n", p.AdminToken)
			}
		}
	})
}
