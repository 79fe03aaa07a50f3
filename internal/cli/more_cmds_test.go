package cli

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/bilimsg/bilimsg/client"
	"github.com/bilimsg/bilimsg/client/operator"
	"github.com/bilimsg/bilimsg/internal/testkit"
)

// TestFeed: each feed is listed newest first with its own line shape, --limit cuts it,
// the system notice's China time is shown in the commands' zone (UTC here), reading
// marks the feed read, and an unknown feed is a usage error.
func TestFeed(t *testing.T) {
	t.Parallel()
	w := newWorld(t, testkit.Options{})
	me, a, b := w.user(0, "me"), w.user(0, "小红"), w.user(0, "阿强")
	w.login(me)
	op := w.s.Operator()
	ctx := context.Background()
	n := func(feed string, actor uint64, item uint64, text string) {
		t.Helper()
		_, err := op.Notify(ctx, me.Mid, feed, operator.Notice{Actor: actor, Type: "video", BusinessID: 1, Business: "评论",
			Title: "夏日祭", URI: "https://www.bilibili.com/video/BV1xx411c7mD", ItemID: item, SubjectID: 170001,
			SourceID: 265141324001, Source: text})
		if err != nil {
			t.Fatal(err)
		}
	}
	n("reply", a.Mid, 0, "好看\x1b[2J")
	w.s.Advance(60e9)
	n("reply", b.Mid, 0, "第二条回复")
	n("at", a.Mid, 0, "@me 快来")
	n("like", a.Mid, 170001, "")
	n("like", b.Mid, 170001, "")
	if _, err := op.NotifySystem(ctx, me.Mid, operator.SystemNotice{Title: "系统通知", Content: "欢迎"}); err != nil {
		t.Fatal(err)
	}

	if got := strings.Count(w.ok("unread"), "replies 2, @ 1, likes 1, system 1"); got != 1 {
		t.Fatalf("unread before reading: %q", w.ok("unread"))
	}
	want := "2024-06-02 08:01:00  阿强 (" + u64s(b.Mid) + ") replied on 评论 《夏日祭》: 第二条回复\n" +
		"2024-06-02 08:00:00  小红 (" + u64s(a.Mid) + ") replied on 评论 《夏日祭》: 好看\\u001b[2J\n"
	if got := w.ok("feed", "reply"); got != want {
		t.Errorf("feed reply:\n%s\nwant:\n%s", got, want)
	}
	if got := w.ok("feed", "reply", "--limit", "1"); got != strings.SplitAfter(want, "\n")[0] {
		t.Errorf("feed reply --limit 1: %q", got)
	}
	if got, want := w.ok("feed", "at"), "2024-06-02 08:01:00  小红 ("+u64s(a.Mid)+") mentioned me on 评论 《夏日祭》: @me 快来\n"; got != want {
		t.Errorf("feed at: %q, want %q", got, want)
	}
	if got, want := w.ok("feed", "like"), "2024-06-02 08:01:00  阿强、小红 liked my 评论 《夏日祭》 (2 in all)\n"; got != want {
		t.Errorf("feed like: %q, want %q", got, want)
	}
	if got, want := w.ok("feed", "system"), "2024-06-02 08:01:00  系统通知: 欢迎\n"; got != want {
		t.Errorf("feed system: %q, want %q (time_at is China time, shown in UTC)", got, want)
	}
	if got := w.ok("unread"); !strings.Contains(got, "replies 0, @ 0, likes 0, system 0") {
		t.Errorf("reading every feed did not mark them read:\n%s", got)
	}
	var items []client.ReplyEntry
	decode(t, w.ok("feed", "reply", "--json"), &items)
	if len(items) != 2 || items[0].User.Mid != b.Mid {
		t.Errorf("feed reply --json: %+v", items)
	}

	empty := w.user(0, "nobody")
	w.login(empty, "empty")
	if got := w.ok("feed", "like", "--profile", "empty"); got != "no like notifications\n" {
		t.Errorf("an empty feed: %q", got)
	}
	if got := w.ok("feed", "like", "--profile", "empty", "--json"); got != "[]\n" {
		t.Errorf("an empty feed --json: %q", got)
	}
	w.fail(2, "feed", "bogus")
	w.fail(2, "feed")
	w.fail(2, "feed", "reply", "--limit", "-1")
}

// TestBlockWords: add, list, delete; bilibili's refusals come through as one line.
func TestBlockWords(t *testing.T) {
	t.Parallel()
	w := newWorld(t, testkit.Options{})
	w.login(w.user(0, "me"))
	if got := w.ok("blockword", "list"); got != "0 of 200 block words\n" {
		t.Errorf("empty list: %q", got)
	}
	if got := w.ok("blockword", "add", "加微信"); got != "1 of 200 block words\n  加微信\n" {
		t.Errorf("add: %q", got)
	}
	if got := w.fail(1, "blockword", "add", "加微信"); got != "bilimsg blockword: bilibili: add_block_word: 1900006 添加失败，屏蔽词重复\n" {
		t.Errorf("a repeated word: %q", got)
	}
	w.fail(1, "blockword", "add", "有 空格")
	var words []client.BlockWord
	decode(t, w.ok("blockword", "list", "--json"), &words)
	if len(words) != 1 || words[0].Content != "加微信" {
		t.Errorf("list --json: %+v", words)
	}
	if got := w.ok("blockword", "del", "加微信"); got != "0 of 200 block words\n" {
		t.Errorf("del: %q", got)
	}
	if got := w.ok("blockword", "list", "--json"); got != "[]\n" {
		t.Errorf("empty list --json: %q", got)
	}
	w.fail(2, "blockword", "add")
	w.fail(2, "blockword", "list", "extra")
	w.fail(2, "blockword", "frob", "x")
}

// TestAutoReply: texts of every kind and keyword rules (commas become bilibili's
// full-width commas), listed, changed by id and deleted; the refusals of set_reply_text
// come through.
func TestAutoReply(t *testing.T) {
	t.Parallel()
	w := newWorld(t, testkit.Options{})
	me := w.user(0, "me")
	w.login(me)
	if got := w.ok("autoreply", "list"); got != "no auto-reply texts\n" {
		t.Errorf("empty: %q", got)
	}
	if got := w.ok("autoreply", "set", "received", "稍后回复"); got != "received auto-reply saved (turn it on with: bilimsg settings set recv_reply=1)\n" {
		t.Errorf("set received: %q", got)
	}
	w.ok("autoreply", "set", "keyword", "商单请看置顶", "--title", "商务", "--exact", "多少钱,价格", "--contains", "合作")
	rules, err := w.client(me).ReplyTexts(context.Background(), client.ReplyKeyword)
	if err != nil || len(rules) != 1 || rules[0].Key1 != "多少钱，价格" || rules[0].Key2 != "合作" || rules[0].Title != "商务" {
		t.Fatalf("the keyword rule stored: %+v, %v", rules, err)
	}
	id := u64s(rules[0].ID)
	w.ok("autoreply", "set", "keyword", "请发邮件", "--title", "商务", "--exact", "多少钱", "--id", id)
	want := "keyword #" + id + " 商务 [exact: 多少钱] [contains: ] → 请发邮件\nreceived → 稍后回复\n"
	if got := w.ok("autoreply", "list"); got != want {
		t.Errorf("list:\n%s\nwant:\n%s", got, want)
	}
	if got := w.fail(1, "autoreply", "set", "keyword", "x", "--title", "没有关键词"); !strings.HasPrefix(got, "bilimsg autoreply: bilibili: set_reply_text: 27011 ") {
		t.Errorf("a keyword rule without keywords: %q", got)
	}
	if got := w.ok("autoreply", "del", id); got != "keyword rule #"+id+" deleted\n" {
		t.Errorf("del: %q", got)
	}
	if got := w.ok("autoreply", "list"); got != "received → 稍后回复\n" {
		t.Errorf("after del: %q", got)
	}
	w.fail(2, "autoreply", "set", "sometimes", "x")
	w.fail(2, "autoreply", "set", "received")
	w.fail(2, "autoreply", "del", "x")
	w.fail(2, "autoreply", "frob")
}

// TestLoginWithPassword: --account with the password on stdin or in $BILIMSG_PASSWORD
// logs in (by mid or name) and keeps the login; the password never shows; wrong ones
// are bilibili's -629; logout ends the login on the server, --local only forgets it.
func TestLoginWithPassword(t *testing.T) {
	t.Parallel()
	w := newWorld(t, testkit.Options{})
	mid := uint64(5151)
	if _, err := w.s.Operator().CreateUser(context.Background(), operator.NewUser{Name: "有密码", Mid: &mid, Password: "pa55 word"}); err != nil {
		t.Fatal(err)
	}
	w.secret("pa55 word")
	w.stdin = "pa55 word\n"
	if got := w.ok("login", "--server", w.s.URL, "--account", "有密码", "--password-stdin"); got != "logged in as mid 5151 on "+w.s.URL+" (profile \"default\")\n" {
		t.Errorf("login by name: %q", got)
	}
	pf, err := readProfiles(w.cfg)
	if err != nil {
		t.Fatal(err)
	}
	first := pf.Profiles["default"]
	w.secret(first.SESSDATA, first.BiliJct)
	if got := w.ok("whoami"); !strings.Contains(got, "mid      5151") {
		t.Errorf("whoami: %q", got)
	}

	w.env["BILIMSG_PASSWORD"] = "pa55 word"
	w.ok("login", "--server", w.s.URL, "--account", "5151", "--profile", "second")
	w.env["BILIMSG_PASSWORD"] = "wrong"
	if got := w.fail(1, "login", "--server", w.s.URL, "--account", "5151", "--profile", "third"); got != "bilimsg login: bilibili: login: -629 账号或者密码错误\n" {
		t.Errorf("a wrong password: %q", got)
	}
	delete(w.env, "BILIMSG_PASSWORD")
	w.fail(2, "login", "--server", w.s.URL, "--account", "5151", "--profile", "third")

	// logout ends the login on the server: the kept cookies no longer work.
	w.ok("logout")
	c := w.client(testkit.User{Mid: mid, SESSDATA: first.SESSDATA, BiliJct: first.BiliJct})
	if _, err := c.SingleUnread(context.Background(), client.UnreadOptions{}); !errors.Is(err, client.ErrNotLoggedIn) {
		t.Errorf("the login after logout: %v, want -101", err)
	}
	// --local forgets without ending it.
	pf, _ = readProfiles(w.cfg)
	second := pf.Profiles["second"]
	w.secret(second.SESSDATA, second.BiliJct)
	w.ok("logout", "--profile", "second", "--local")
	c = w.client(testkit.User{Mid: mid, SESSDATA: second.SESSDATA, BiliJct: second.BiliJct})
	if _, err := c.SingleUnread(context.Background(), client.UnreadOptions{}); err != nil {
		t.Errorf("the login after logout --local: %v, want it still valid", err)
	}
}
