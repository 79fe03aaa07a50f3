package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/bilimsg/bilimsg/client"
)

// errEnough ends tail after --count messages.
var errEnough = errors.New("enough")

// runTail follows new messages with the client's watcher and prints each as it comes:
// one line, or one JSON object per line with --json. It runs until interrupted, or
// until --count messages were printed.
func runTail(s *Sys, name string, args []string) int {
	o := newOpts(s, name).withServer()
	var cursorFile string
	var includeOwn, poll bool
	var interval time.Duration
	var count int
	o.fs.StringVar(&cursorFile, "cursor", "", "keep the position in this file: a restart prints what came meanwhile, nothing twice")
	o.fs.BoolVar(&includeOwn, "include-own", false, "also print my own messages")
	o.fs.BoolVar(&poll, "poll", false, "only poll every --interval; by default a bilimsg server's live events trigger a poll at once")
	o.fs.DurationVar(&interval, "interval", 2*time.Second, "pause between polls")
	o.fs.IntVar(&count, "count", 0, "exit after printing this many messages (0: run until interrupted)")
	if _, code, ok := o.parse(args, 0, 0); !ok {
		return code
	}
	if interval <= 0 || count < 0 {
		o.usageErr("--interval must be positive and --count not negative")
		return 2
	}
	c, err := o.client()
	if err != nil {
		return o.fail(err)
	}
	wo := client.WatchOptions{Interval: interval, IncludeOwn: includeOwn, Live: !poll}
	if cursorFile != "" {
		if wo.Cursor, err = client.LoadCursor(cursorFile); err != nil {
			return o.fail(err)
		}
		wo.Save = client.CursorSaver(cursorFile)
	}
	printed := 0
	enc := json.NewEncoder(s.Stdout)
	enc.SetEscapeHTML(false)
	// After the count-th message, the context is cancelled; the watcher has then saved
	// the cursor past it (the handler returned nil), so a resumed tail does not print it
	// again. A message handed over after that is refused, and so stays undelivered.
	ctx, cancel := context.WithCancel(s.Ctx)
	defer cancel()
	err = c.Watch(wo).Run(ctx, func(_ context.Context, m client.Message) error {
		if count > 0 && printed >= count {
			return errEnough
		}
		if o.json {
			if err := enc.Encode(struct {
				Talker string `json:"talker"`
				client.Message
			}{m.Talker(c.Mid()).String(), m}); err != nil {
				return err
			}
		} else {
			fmt.Fprintln(s.Stdout, messageLine(m, c.Mid(), s.loc(), true))
		}
		if printed++; count > 0 && printed >= count {
			cancel()
		}
		return nil
	})
	switch {
	case errors.Is(err, errEnough), errors.Is(err, context.Canceled):
		return 0
	case err != nil:
		return o.fail(err)
	}
	return 0
}
