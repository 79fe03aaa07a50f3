// Package cli is the bilimsg command line: one file per command.
package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

// Sys is what a command may touch of the world: its output, the environment, the
// network and the time zone. Tests replace each.
type Sys struct {
	Ctx        context.Context
	Stdout     io.Writer
	Stderr     io.Writer
	Stdin      io.Reader           // nil: the process's standard input
	Getenv     func(string) string // nil: the process environment
	HTTPClient *http.Client        // nil: the client packages' defaults
	Location   *time.Location      // for printed times; nil: the local zone
}

func (s *Sys) getenv(name string) string {
	if s.Getenv == nil {
		return os.Getenv(name)
	}
	return s.Getenv(name)
}

func (s *Sys) stdin() io.Reader {
	if s.Stdin == nil {
		return os.Stdin
	}
	return s.Stdin
}

func (s *Sys) loc() *time.Location {
	if s.Location == nil {
		return time.Local
	}
	return s.Location
}

// command is one subcommand.
type command struct {
	name    string
	args    string // the synopsis after the name
	summary string
	run     func(s *Sys, name string, args []string) int
}

func commands() []command {
	return []command{
		{"serve", "[flags]", "run the server", func(s *Sys, _ string, a []string) int { return serve(a, s.Stdout, s.Stderr) }},
		{"login", "[--server URL] (--cookie STR | --account MID|NAME --password-stdin | --demo DIR [--mid MID] | --admin-token T --mid MID)", "log in to a server and keep the login in a profile", runLogin},
		{"logout", "[--local]", "end the profile's login on the server and forget it", runLogout},
		{"whoami", "[--secrets]", "show the profile: server, mid (cookies only with --secrets)", runWhoami},
		{"send", "TALKER TEXT… | TALKER --image URL", "send a text (or an image) to a user or group:<id>", runSend},
		{"sessions", "[--category all|followed|unfollowed|groups|dustbin|system] [--limit N]", "list conversations, newest first", runSessions},
		{"history", "TALKER [--limit N]", "show a conversation's messages, oldest first", runHistory},
		{"unread", "", "show unread counts (messages, fan groups, notifications)", runUnread},
		{"ack", "TALKER [--seqno N]", "mark a conversation read (up to a seqno)", runAck},
		{"recall", "TALKER MSG_KEY", "recall one of my messages (within 120 s)", runRecall},
		{"tail", "[--cursor FILE] [--include-own] [--interval D] [--poll]", "follow new messages live", runTail},
		{"settings", "get | set NAME=VALUE…", "read or change message settings", runSettings},
		{"blockword", "list | add WORD | del WORD", "manage block words (a text containing one, from someone I don't follow, goes to the dustbin)", runBlockWord},
		{"autoreply", "list | set followed|keyword|received|voyage TEXT [--title T --exact W,… --contains W,… --id N] | del ID", "manage auto-reply texts and keyword rules", runAutoReply},
		{"feed", "reply|at|like|system [--limit N]", "list a notification feed, newest first (reading it marks it read)", runFeed},
		{"user", "add NAME [--mid M] [--fans N] [--password-stdin] | get MID | list | login MID [--save PROFILE] [--secrets] | fans MID N", "manage users (operator API)", runUser},
		{"follow", "MID TARGET", "make MID follow TARGET (operator API)", runRelation},
		{"unfollow", "MID TARGET", "make MID unfollow TARGET (operator API)", runRelation},
		{"block", "MID TARGET", "make MID block TARGET (operator API)", runRelation},
		{"unblock", "MID TARGET", "lift MID's block of TARGET (operator API)", runRelation},
		{"group", "create OWNER NAME | get GID | join GID MID… | leave GID MID | remove GID MID | freeze|unfreeze|dissolve GID", "manage fan groups (operator API)", runGroup},
	}
}

// Main runs the command line and returns the process exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	return Run(&Sys{Ctx: context.Background(), Stdout: stdout, Stderr: stderr}, args)
}

// Run is Main with the world given.
func Run(s *Sys, args []string) int {
	if s.Ctx == nil {
		s.Ctx = context.Background()
	}
	if len(args) == 0 {
		usage(s.Stderr)
		return 2
	}
	switch args[0] {
	case "help", "-h", "--help":
		usage(s.Stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(s, c.name, args[1:])
		}
	}
	fmt.Fprintf(s.Stderr, "bilimsg: unknown command %q\n\n", args[0])
	usage(s.Stderr)
	return 2
}

func usage(w io.Writer) {
	var b strings.Builder
	b.WriteString("bilimsg — a self-hostable, wire-compatible bilibili message center, and a client of it.\n\nUsage:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %s\n      %s\n", strings.TrimSpace("bilimsg "+c.name+" "+c.args), c.summary)
	}
	b.WriteString(`  bilimsg help
      show this help

TALKER is a user's mid (or user:<mid>) or a fan group as group:<id>.

Client commands act as the login kept in a profile (bilimsg login): --profile NAME picks one (default
"default", or $BILIMSG_PROFILE); --config FILE is where profiles are kept (default: profiles.json in the
user's config directory, or $BILIMSG_CONFIG). --json prints machine-readable output. Operator commands
(user, follow, block, group) use the profile's server and admin token, or --server and --admin-token
($BILIMSG_ADMIN_TOKEN).

Every serve flag can also be set by an environment variable BILIMSG_<NAME>, for example
--admin-token by BILIMSG_ADMIN_TOKEN. A flag on the command line wins over the variable.
`)
	io.WriteString(w, b.String())
}

// applyEnv sets every flag not given on the command line from BILIMSG_<NAME>, where NAME
// is the flag name upper-cased with dashes as underscores.
func applyEnv(fs *flag.FlagSet, getenv func(string) string) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || err != nil {
			return
		}
		name := "BILIMSG_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := lookup(getenv, name); ok {
			if e := f.Value.Set(v); e != nil {
				err = fmt.Errorf("%s=%q: %v", name, v, e)
			}
		}
	})
	return err
}

func lookup(getenv func(string) string, name string) (string, bool) {
	if getenv == nil {
		return os.LookupEnv(name)
	}
	v := getenv(name)
	return v, v != ""
}
