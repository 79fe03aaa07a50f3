package cli

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/bilimsg/bilimsg/client"
)

func runSend(s *Sys, name string, args []string) int {
	o := newOpts(s, name).withServer()
	var image string
	o.fs.StringVar(&image, "image", "", "send this image URL (on bilibili's image host) instead of text")
	pos, code, ok := o.parse(args, 1, -1)
	if !ok {
		return code
	}
	t, err := client.ParseTalker(pos[0])
	if err != nil {
		o.usageErr(err.Error())
		return 2
	}
	text := strings.Join(pos[1:], " ")
	if (image == "") == (text == "") {
		o.usageErr("give either a text or --image URL")
		return 2
	}
	c, err := o.client()
	if err != nil {
		return o.fail(err)
	}
	var res *client.SendResult
	if image != "" {
		res, err = c.SendImage(s.Ctx, t, client.Image{URL: image})
	} else {
		res, err = c.SendText(s.Ctx, t, text)
	}
	if err != nil {
		return o.fail(err)
	}
	return o.emit(res, func(w io.Writer) {
		fmt.Fprintf(w, "sent to %s: msg_key %d\n", t, res.MsgKey)
		if res.KeyHitInfos != nil && res.KeyHitInfos.Toast != "" {
			fmt.Fprintf(w, "note: %s\n", clean(res.KeyHitInfos.Toast))
		}
	})
}

var categories = map[string]int{
	"followed": client.CategoryFollowed, "unfollowed": client.CategoryUnfollowed, "groups": client.CategoryGroups,
	"all": client.CategoryAll, "dustbin": client.CategoryDustbin, "business": client.CategoryBusiness,
	"system": client.CategorySystem, "strangers": client.CategoryStrangers, "following": client.CategoryFollowing,
}

func runSessions(s *Sys, name string, args []string) int {
	o := newOpts(s, name).withServer()
	var cat string
	var limit int
	o.fs.StringVar(&cat, "category", "all", "all, followed, unfollowed, groups, dustbin, system, strangers, following, business, or 1–9")
	o.fs.IntVar(&limit, "limit", 20, "at most this many sessions (0: all)")
	if _, code, ok := o.parse(args, 0, 0); !ok {
		return code
	}
	n, ok := categories[cat]
	if !ok {
		v, err := strconv.Atoi(cat)
		if err != nil || v < 1 || v > 9 {
			o.usageErr(fmt.Sprintf("unknown category %q", cat))
			return 2
		}
		n = v
	}
	if limit < 0 {
		o.usageErr("--limit must not be negative")
		return 2
	}
	c, err := o.client()
	if err != nil {
		return o.fail(err)
	}
	list := []client.Session{}
	opt := client.SessionsOptions{Category: n, Size: 100}
	switch n {
	case client.CategoryAll: // every conversation on its own line, whatever the folding settings
		no := false
		opt.UnfollowFold, opt.GroupFold = &no, &no
	case client.CategoryFollowed: // followed users and system accounts only
		yes := true
		opt.UnfollowFold, opt.GroupFold = &yes, &yes
	}
	for sess, err := range c.AllSessions(s.Ctx, opt) {
		if err != nil {
			return o.fail(err)
		}
		list = append(list, sess)
		if limit > 0 && len(list) == limit {
			break
		}
	}
	return o.emit(list, func(w io.Writer) {
		if len(list) == 0 {
			fmt.Fprintln(w, "no sessions")
			return
		}
		for _, ss := range list {
			label := ss.Talker().String()
			switch {
			case ss.GroupName != "":
				label += " " + clean(ss.GroupName)
			case ss.AccountInfo != nil:
				label += " " + clean(ss.AccountInfo.Name)
			}
			var last, when string
			if ss.LastMsg != nil {
				last, when = preview(*ss.LastMsg), stamp(ss.LastMsg.Timestamp, s.loc())
			} else {
				when = stamp(ss.SessionTs/1e6, s.loc())
			}
			var flags []string
			if ss.TopTs != 0 {
				flags = append(flags, "pinned")
			}
			if ss.IsDnd == 1 {
				flags = append(flags, "dnd")
			}
			if ss.AtSeqno != 0 {
				flags = append(flags, "@me")
			}
			extra := ""
			if len(flags) > 0 {
				extra = " [" + strings.Join(flags, ",") + "]"
			}
			fmt.Fprintf(w, "%s  %-28s unread %-4d%s  %s\n", when, label, ss.UnreadCount, extra, last)
		}
	})
}

func runHistory(s *Sys, name string, args []string) int {
	o := newOpts(s, name).withServer()
	var limit int
	o.fs.IntVar(&limit, "limit", 20, "the latest this many messages (0: the whole history)")
	pos, code, ok := o.parse(args, 1, 1)
	if !ok {
		return code
	}
	if limit < 0 {
		o.usageErr("--limit must not be negative")
		return 2
	}
	t, err := client.ParseTalker(pos[0])
	if err != nil {
		o.usageErr(err.Error())
		return 2
	}
	c, err := o.client()
	if err != nil {
		return o.fail(err)
	}
	msgs := []client.Message{}
	size := 200 // the whole history: as few requests as possible
	if limit > 0 && limit < size {
		size = limit
	}
	for m, err := range c.AllMessages(s.Ctx, t, 0, size) {
		if err != nil {
			return o.fail(err)
		}
		msgs = append(msgs, m)
		if limit > 0 && len(msgs) == limit {
			break
		}
	}
	slices.Reverse(msgs) // oldest first, as a chat reads
	return o.emit(msgs, func(w io.Writer) {
		if len(msgs) == 0 {
			fmt.Fprintf(w, "no messages with %s\n", t)
		}
		for _, m := range msgs {
			fmt.Fprintln(w, messageLine(m, c.Mid(), s.loc(), false))
		}
	})
}

func runUnread(s *Sys, name string, args []string) int {
	o := newOpts(s, name).withServer()
	if _, code, ok := o.parse(args, 0, 0); !ok {
		return code
	}
	c, err := o.client()
	if err != nil {
		return o.fail(err)
	}
	pm, err := c.SingleUnread(s.Ctx, client.UnreadOptions{ShowDustbin: true, ShowUnfollowList: true})
	if err != nil {
		return o.fail(err)
	}
	groups, err := c.MyGroupUnread(s.Ctx)
	if err != nil {
		return o.fail(err)
	}
	feed, err := c.FeedUnread(s.Ctx)
	if err != nil {
		return o.fail(err)
	}
	out := struct {
		Messages *client.SingleUnread `json:"messages"`
		Groups   int64                `json:"groups"`
		Feed     *client.FeedUnread   `json:"feed"`
	}{pm, groups, feed}
	return o.emit(out, func(w io.Writer) {
		fmt.Fprintf(w, "messages   followed %d, unfollowed %d, dustbin %d, system %d, customer service %d\n",
			pm.FollowUnread, pm.UnfollowUnread, pm.DustbinUnread, pm.BizMsgFollowUnread+pm.BizMsgUnfollowUnread, pm.CustomUnread)
		fmt.Fprintf(w, "fan groups %d\n", groups)
		fmt.Fprintf(w, "feed       replies %d, @ %d, likes %d, system %d, UP主 %d\n", feed.Reply, feed.At, feed.Like, feed.SysMsg, feed.Up)
	})
}

func runAck(s *Sys, name string, args []string) int {
	o := newOpts(s, name).withServer()
	var seqno uint64
	o.fs.Uint64Var(&seqno, "seqno", 0, "read up to this seqno (default: all)")
	pos, code, ok := o.parse(args, 1, 1)
	if !ok {
		return code
	}
	t, err := client.ParseTalker(pos[0])
	if err != nil {
		o.usageErr(err.Error())
		return 2
	}
	c, err := o.client()
	if err != nil {
		return o.fail(err)
	}
	if err := c.Ack(s.Ctx, t, seqno); err != nil {
		return o.fail(err)
	}
	return o.emit(map[string]any{"talker": t.String(), "acked": true}, func(w io.Writer) {
		fmt.Fprintf(w, "%s marked read\n", t)
	})
}

func runRecall(s *Sys, name string, args []string) int {
	o := newOpts(s, name).withServer()
	pos, code, ok := o.parse(args, 2, 2)
	if !ok {
		return code
	}
	t, err := client.ParseTalker(pos[0])
	if err != nil {
		o.usageErr(err.Error())
		return 2
	}
	key, err := strconv.ParseUint(pos[1], 10, 64)
	if err != nil || key == 0 {
		o.usageErr(fmt.Sprintf("msg_key %q is not a number", pos[1]))
		return 2
	}
	c, err := o.client()
	if err != nil {
		return o.fail(err)
	}
	res, err := c.Recall(s.Ctx, t, key)
	if err != nil {
		return o.fail(err)
	}
	return o.emit(res, func(w io.Writer) {
		fmt.Fprintf(w, "recalled %d in %s\n", key, t)
	})
}
