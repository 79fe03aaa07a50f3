package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/bilimsg/bilimsg/client"
	"github.com/bilimsg/bilimsg/client/operator"
)

// opts are the flags every client command takes.
type opts struct {
	s          *Sys
	name       string // the command, for messages
	fs         *flag.FlagSet
	profile    string
	config     string
	json       bool
	server     string
	adminToken string
}

// newOpts starts a command's flag set with the common flags.
func newOpts(s *Sys, name string) *opts {
	o := &opts{s: s, name: name, fs: flag.NewFlagSet("bilimsg "+name, flag.ContinueOnError)}
	// parse reports flag errors itself, as one line; -h prints the flags to stdout.
	o.fs.SetOutput(io.Discard)
	o.fs.StringVar(&o.profile, "profile", "", "profile to use (default $BILIMSG_PROFILE or \"default\")")
	o.fs.StringVar(&o.config, "config", "", "profiles file (default $BILIMSG_CONFIG or the user's config directory)")
	o.fs.BoolVar(&o.json, "json", false, "print JSON")
	return o
}

// withServer adds --server and --admin-token (commands that may run without a profile).
func (o *opts) withServer() *opts {
	o.fs.StringVar(&o.server, "server", "", "server URL (default: the profile's, else http://127.0.0.1:8080)")
	o.fs.StringVar(&o.adminToken, "admin-token", "", "operator API token (default: the profile's, or $BILIMSG_ADMIN_TOKEN)")
	return o
}

// parse reads flags anywhere among the arguments (bilimsg send 1 hi --json) and
// returns the others; "--" ends flags. ok is false after a usage error, reported.
func (o *opts) parse(args []string, minArgs, maxArgs int) (pos []string, code int, ok bool) {
	for {
		if err := o.fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				o.help()
				return nil, 0, false
			}
			o.usageErr(err.Error())
			return nil, 2, false
		}
		rest := o.fs.Args()
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		if len(rest) == 0 {
			break
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
	if len(pos) < minArgs || (maxArgs >= 0 && len(pos) > maxArgs) {
		o.usageErr("wrong number of arguments")
		return nil, 2, false
	}
	return pos, 0, true
}

// help prints the command's synopsis and flags (for -h).
func (o *opts) help() {
	for _, c := range commands() {
		if c.name == o.name {
			fmt.Fprintf(o.s.Stdout, "usage: bilimsg %s %s\n%s\n\nflags:\n", c.name, c.args, c.summary)
		}
	}
	o.fs.SetOutput(o.s.Stdout)
	o.fs.PrintDefaults()
	o.fs.SetOutput(io.Discard)
}

func (o *opts) usageErr(msg string) {
	for _, c := range commands() {
		if c.name == o.name {
			fmt.Fprintf(o.s.Stderr, "bilimsg %s: %s\nusage: bilimsg %s %s\n", o.name, msg, c.name, c.args)
			return
		}
	}
	fmt.Fprintf(o.s.Stderr, "bilimsg %s: %s\n", o.name, msg)
}

// fail prints err as one line and returns the exit code 1.
func (o *opts) fail(err error) int {
	msg := strings.ReplaceAll(err.Error(), "\n", " ")
	fmt.Fprintf(o.s.Stderr, "bilimsg %s: %s\n", o.name, msg)
	return 1
}

func (o *opts) profileName() string {
	if o.profile != "" {
		return o.profile
	}
	if v := o.s.getenv("BILIMSG_PROFILE"); v != "" {
		return v
	}
	return "default"
}

// load returns the profile (the zero profile when there is none).
func (o *opts) load() (profile, error) {
	path, err := configPath(o.s, o.config)
	if err != nil {
		return profile{}, err
	}
	pf, err := readProfiles(path)
	return pf.Profiles[o.profileName()], err
}

// editProfiles reads the profiles file, lets fn change it, and writes it back.
func (o *opts) editProfiles(fn func(pf *profileFile)) error {
	path, err := configPath(o.s, o.config)
	if err != nil {
		return err
	}
	pf, err := readProfiles(path)
	if err != nil {
		return err
	}
	fn(&pf)
	return writeProfiles(path, pf)
}

// client returns a client logged in as the profile says.
func (o *opts) client() (*client.Client, error) {
	p, err := o.load()
	if err != nil {
		return nil, err
	}
	if p.SESSDATA == "" {
		return nil, fmt.Errorf("profile %q is not logged in: run bilimsg login first", o.profileName())
	}
	server := p.Server
	if o.server != "" {
		server = o.server
	}
	return o.newClient(server, client.Credentials{SESSDATA: p.SESSDATA, BiliJct: p.BiliJct, Mid: p.Mid})
}

func (o *opts) newClient(server string, cr client.Credentials) (*client.Client, error) {
	op := []client.Option{client.WithBaseURL(server), client.WithCredentials(cr)}
	if o.s.HTTPClient != nil {
		op = append(op, client.WithHTTPClient(o.s.HTTPClient))
	}
	return client.New(op...)
}

// operator returns a client of the operator API: --server/--admin-token, else the
// profile's, else $BILIMSG_ADMIN_TOKEN.
func (o *opts) operator() (*operator.Client, error) {
	p, err := o.load()
	if err != nil {
		return nil, err
	}
	server, token := firstOf(o.server, p.Server, "http://127.0.0.1:8080"), firstOf(o.adminToken, p.AdminToken, o.s.getenv("BILIMSG_ADMIN_TOKEN"))
	if token == "" {
		return nil, errors.New("no admin token: give --admin-token, set BILIMSG_ADMIN_TOKEN, or log in with --admin-token (the server keeps it in its data directory, in admin-token)")
	}
	return operator.New(server, token, o.s.HTTPClient)
}

func firstOf(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// emit prints v as JSON with --json, else calls human.
func (o *opts) emit(v any, human func(w io.Writer)) int {
	if o.json {
		enc := json.NewEncoder(o.s.Stdout)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return o.fail(err)
		}
		return 0
	}
	human(o.s.Stdout)
	return 0
}
