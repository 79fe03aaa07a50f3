package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/bilimsg/bilimsg/client"
)

var chinaTime = time.FixedZone("CST", 8*3600)

// runFeed lists a notification feed, newest first: replies to me, @ me, likes, or
// system notifications. Reading a feed's first page marks it read, as on bilibili.
func runFeed(s *Sys, name string, args []string) int {
	o := newOpts(s, name).withServer()
	var limit int
	o.fs.IntVar(&limit, "limit", 20, "at most this many items (0: all)")
	pos, code, ok := o.parse(args, 1, 1)
	if !ok {
		return code
	}
	if limit < 0 {
		o.usageErr("--limit must not be negative")
		return 2
	}
	c, err := o.client()
	if err != nil {
		return o.fail(err)
	}
	var lines []string
	var items []any
	add := func(item any, line string) bool {
		items = append(items, item)
		lines = append(lines, line)
		return limit == 0 || len(items) < limit
	}
	loc := s.loc()
	switch pos[0] {
	case "reply":
		for e, err := range c.AllReplies(s.Ctx) {
			if err != nil {
				return o.fail(err)
			}
			if !add(e, fmt.Sprintf("%s  %s (%d) replied on %s 《%s》: %s", stamp(e.ReplyTime, loc), clean(e.User.Nickname),
				e.User.Mid, clean(e.Item.Business), clean(e.Item.Title), clean(e.Item.SourceContent))) {
				break
			}
		}
	case "at":
		for e, err := range c.AllAts(s.Ctx) {
			if err != nil {
				return o.fail(err)
			}
			if !add(e, fmt.Sprintf("%s  %s (%d) mentioned me on %s 《%s》: %s", stamp(e.AtTime, loc), clean(e.User.Nickname),
				e.User.Mid, clean(e.Item.Business), clean(e.Item.Title), clean(e.Item.SourceContent))) {
				break
			}
		}
	case "like":
		for e, err := range c.AllLikes(s.Ctx) {
			if err != nil {
				return o.fail(err)
			}
			var who []string
			for _, u := range e.Users {
				who = append(who, clean(u.Nickname))
			}
			if !add(e, fmt.Sprintf("%s  %s liked my %s 《%s》 (%d in all)", stamp(e.LikeTime, loc), strings.Join(who, "、"),
				clean(e.Item.Business), clean(e.Item.Title), e.Counts)) {
				break
			}
		}
	case "system":
		for n, err := range c.AllSystemNotices(s.Ctx) {
			if err != nil {
				return o.fail(err)
			}
			at := clean(n.TimeAt)
			// time_at is China time as text; shown in the zone of the other times.
			if t, err := time.ParseInLocation(time.DateTime, n.TimeAt, chinaTime); err == nil {
				at = t.In(loc).Format(time.DateTime)
			}
			if !add(n, fmt.Sprintf("%s  %s: %s", at, clean(n.Title), clean(n.Content))) {
				break
			}
		}
	default:
		o.usageErr(fmt.Sprintf("unknown feed %q (reply, at, like, system)", pos[0]))
		return 2
	}
	if items == nil {
		items = []any{}
	}
	return o.emit(items, func(w io.Writer) {
		if len(lines) == 0 {
			fmt.Fprintf(w, "no %s notifications\n", pos[0])
		}
		for _, l := range lines {
			fmt.Fprintln(w, l)
		}
	})
}

// runBlockWord lists, adds or removes block words (S3–S5).
func runBlockWord(s *Sys, name string, args []string) int {
	o := newOpts(s, name).withServer()
	pos, code, ok := o.parse(args, 1, 2)
	if !ok {
		return code
	}
	act := pos[0]
	if (act == "list") != (len(pos) == 1) || (act != "list" && act != "add" && act != "del") {
		o.usageErr("blockword list | add WORD | del WORD")
		return 2
	}
	c, err := o.client()
	if err != nil {
		return o.fail(err)
	}
	switch act {
	case "add":
		err = c.AddBlockWord(s.Ctx, pos[1])
	case "del":
		err = c.DeleteBlockWord(s.Ctx, pos[1])
	}
	if err != nil {
		return o.fail(err)
	}
	bw, err := c.BlockWords(s.Ctx)
	if err != nil {
		return o.fail(err)
	}
	words := bw.Words
	if words == nil {
		words = []client.BlockWord{}
	}
	return o.emit(words, func(w io.Writer) {
		fmt.Fprintf(w, "%d of %d block words\n", len(words), bw.MaxWordsSize)
		for _, bwd := range words {
			fmt.Fprintf(w, "  %s\n", clean(bwd.Content))
		}
	})
}

var replyTypes = map[string]int{"followed": client.ReplyFollowed, "keyword": client.ReplyKeyword,
	"received": client.ReplyReceived, "voyage": client.ReplyVoyage}

// runAutoReply lists, sets or deletes auto-reply texts (S6–S8). Turning a kind on or
// off is a setting (settings set recv_reply=1 …).
func runAutoReply(s *Sys, name string, args []string) int {
	o := newOpts(s, name).withServer()
	var title, exact, contains string
	var id uint64
	o.fs.StringVar(&title, "title", "", "set keyword: the rule's title")
	o.fs.StringVar(&exact, "exact", "", "set keyword: keywords that must match exactly, separated by commas")
	o.fs.StringVar(&contains, "contains", "", "set keyword: keywords that must be contained, separated by commas")
	o.fs.Uint64Var(&id, "id", 0, "set keyword: change this rule instead of adding one")
	pos, code, ok := o.parse(args, 1, 3)
	if !ok {
		return code
	}
	c, err := o.client()
	if err != nil {
		return o.fail(err)
	}
	switch pos[0] {
	case "list":
		if len(pos) != 1 {
			break
		}
		texts, err := c.ReplyTexts(s.Ctx)
		if err != nil {
			return o.fail(err)
		}
		if texts == nil {
			texts = []client.ReplyText{}
		}
		kind := map[int]string{}
		for k, v := range replyTypes {
			kind[v] = k
		}
		return o.emit(texts, func(w io.Writer) {
			if len(texts) == 0 {
				fmt.Fprintln(w, "no auto-reply texts")
			}
			for _, r := range texts {
				if r.Type == client.ReplyKeyword {
					fmt.Fprintf(w, "keyword #%d %s [exact: %s] [contains: %s] → %s\n", r.ID, clean(r.Title),
						clean(r.Key1), clean(r.Key2), clean(r.Reply))
				} else {
					fmt.Fprintf(w, "%s → %s\n", kind[r.Type], clean(r.Reply))
				}
			}
		})
	case "set":
		if len(pos) != 3 {
			break
		}
		typ, known := replyTypes[pos[1]]
		if !known {
			o.usageErr(fmt.Sprintf("unknown kind %q (followed, keyword, received, voyage)", pos[1]))
			return 2
		}
		// bilibili separates keywords with the full-width comma.
		full := func(s string) string { return strings.ReplaceAll(s, ",", "，") }
		r := client.ReplyText{Type: typ, ID: id, Title: title, Key1: full(exact), Key2: full(contains), Reply: pos[2]}
		if err := c.SetReplyText(s.Ctx, r); err != nil {
			return o.fail(err)
		}
		return o.emit(map[string]any{"set": pos[1]}, func(w io.Writer) {
			fmt.Fprintf(w, "%s auto-reply saved (turn it on with: bilimsg settings set %s=1)\n", pos[1], prefOf(typ))
		})
	case "del":
		if len(pos) != 2 {
			break
		}
		rid, err := parseMid(pos[1])
		if err != nil {
			o.usageErr("autoreply del ID: " + err.Error())
			return 2
		}
		if err := c.DeleteReplyText(s.Ctx, rid); err != nil {
			return o.fail(err)
		}
		return o.emit(map[string]any{"deleted": rid}, func(w io.Writer) {
			fmt.Fprintf(w, "keyword rule #%d deleted\n", rid)
		})
	}
	o.usageErr("autoreply list | set KIND TEXT [--title T --exact W,… --contains W,… --id N] | del ID")
	return 2
}

// prefOf is the setting that turns an auto-reply kind on.
func prefOf(typ int) string {
	return map[int]string{client.ReplyFollowed: "followed_reply", client.ReplyKeyword: "keys_reply",
		client.ReplyReceived: "recv_reply", client.ReplyVoyage: "voyage_reply"}[typ]
}
