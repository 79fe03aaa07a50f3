package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/bilimsg/bilimsg/client"
)

// runSettings reads (get) or changes (set name=value …, all or nothing) the message
// settings of link_setting/get and /set.
func runSettings(s *Sys, name string, args []string) int {
	o := newOpts(s, name).withServer()
	pos, code, ok := o.parse(args, 1, -1)
	if !ok {
		return code
	}
	switch pos[0] {
	case "get":
		if len(pos) != 1 {
			o.usageErr("settings get takes no arguments")
			return 2
		}
	case "set":
		if len(pos) < 2 {
			o.usageErr("settings set needs NAME=VALUE")
			return 2
		}
	default:
		o.usageErr(fmt.Sprintf("unknown settings action %q", pos[0]))
		return 2
	}
	var upd client.PreferenceUpdate
	for _, kv := range pos[1:] {
		k, v, found := strings.Cut(kv, "=")
		n, err := strconv.Atoi(v)
		if !found || err != nil {
			o.usageErr(fmt.Sprintf("%q: want NAME=NUMBER", kv))
			return 2
		}
		if err := upd.Set(k, n); err != nil {
			o.usageErr(err.Error())
			return 2
		}
	}
	c, err := o.client()
	if err != nil {
		return o.fail(err)
	}
	if pos[0] == "set" {
		if err := c.SetPreferences(s.Ctx, upd); err != nil {
			return o.fail(err)
		}
	}
	p, err := c.Preferences(s.Ctx)
	if err != nil {
		return o.fail(err)
	}
	return o.emit(p, func(w io.Writer) {
		// The names and values as bilibili sends them, in S1's order.
		b, _ := json.Marshal(p)
		var byName map[string]json.RawMessage
		_ = json.Unmarshal(b, &byName)
		for _, n := range client.PreferenceNames() {
			if v, ok := byName[n]; ok {
				fmt.Fprintf(w, "%-26s %s\n", n, v)
			}
		}
	})
}
