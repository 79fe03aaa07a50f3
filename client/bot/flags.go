package bot

import (
	"errors"
	"flag"
	"os"
	"time"

	"github.com/bilimsg/bilimsg/client"
)

// Flags are the command-line settings every bot needs: where the server is, whom to
// log in as, and where to keep the cursor. Register them with AddFlags, then call
// Client and Options.
type Flags struct {
	Server   string
	Cookie   string
	DemoDir  string
	DemoMid  uint64
	Cursor   string
	Interval time.Duration
	Poll     bool
}

// AddFlags registers -server, -cookie, -demo, -mid, -cursor, -interval and -poll on fs. The
// cookie may also come from the environment variable BILIMSG_COOKIE.
func AddFlags(fs *flag.FlagSet) *Flags {
	f := &Flags{}
	fs.StringVar(&f.Server, "server", "http://127.0.0.1:8080", "the bilimsg server (or https://api.vc.bilibili.com)")
	fs.StringVar(&f.Cookie, "cookie", os.Getenv("BILIMSG_COOKIE"), "login cookies 'SESSDATA=…; bili_jct=…; DedeUserID=…' (default $BILIMSG_COOKIE)")
	fs.StringVar(&f.DemoDir, "demo", "bilimsg-data", "without -cookie: log in as a demo user of `bilimsg serve --demo` with this data directory")
	fs.Uint64Var(&f.DemoMid, "mid", 0, "with -demo: the demo user to act as (default: the demo UP主)")
	fs.StringVar(&f.Cursor, "cursor", "", "file that keeps the bot's position across restarts (default: start fresh each time)")
	fs.DurationVar(&f.Interval, "interval", 2*time.Second, "pause between polls")
	fs.BoolVar(&f.Poll, "poll", false, "only poll every -interval; by default a bilimsg server's live events trigger a poll at once")
	return f
}

// Client logs in as the flags say.
func (f *Flags) Client(opts ...client.Option) (*client.Client, error) {
	var cred client.Credentials
	var err error
	if f.Cookie != "" {
		cred, err = client.ParseCookies(f.Cookie)
	} else {
		cred, err = client.DemoLogin(f.DemoDir, f.DemoMid)
	}
	if err != nil {
		return nil, err
	}
	if cred.Mid == 0 {
		return nil, errors.New("the cookies have no DedeUserID: a bot needs to know who it is")
	}
	return client.New(append([]client.Option{client.WithBaseURL(f.Server), client.WithCredentials(cred)}, opts...)...)
}

// Options returns bot options with the flags' cursor file and interval.
func (f *Flags) Options() (Options, error) {
	opt := Options{Watch: client.WatchOptions{Interval: f.Interval, Live: !f.Poll}}
	if f.Cursor != "" {
		cur, err := client.LoadCursor(f.Cursor)
		if err != nil {
			return Options{}, err
		}
		opt.Watch.Cursor, opt.Watch.Save = cur, client.CursorSaver(f.Cursor)
	}
	return opt, nil
}
