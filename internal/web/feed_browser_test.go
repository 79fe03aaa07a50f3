package web_test

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/bilimsg/bilimsg/internal/testkit"
)

// notify posts a notification into mid's feed (reply, at, like or system) through the
// operator API and fails unless it was delivered.
func notify(t *testing.T, srv *testkit.Server, mid uint64, feed string, body map[string]any) uint64 {
	t.Helper()
	var out struct {
		ID        uint64 `json:"id"`
		Delivered bool   `json:"delivered"`
	}
	if st := srv.Admin("POST", fmt.Sprintf("/admin/v1/users/%d/notifications/%s", mid, feed), body, &out); st != 200 || !out.Delivered {
		t.Fatalf("notify %s of %d: status %d, %+v", feed, mid, st, out)
	}
	return out.ID
}

func videoReply(actor uint64, text string) map[string]any {
	return map[string]any{"actor": actor, "type": "video", "business_id": 1, "business": "评论", "title": "【4K】夏日祭",
		"uri": "https://www.bilibili.com/video/BV1xx411c7mD", "subject_id": 170001, "source_content": text}
}

// badgeIs is a JS expression: the menu badge of id shows n (0: hidden).
func badgeIs(id string, n int) string {
	if n == 0 {
		return fmt.Sprintf(`(b => b && b.hidden && b.dataset.count === '0')(document.querySelector('[data-menu=%s] .menu-badge'))`, id)
	}
	return fmt.Sprintf(`(b => b && !b.hidden && b.dataset.count === '%d')(document.querySelector('[data-menu=%s] .menu-badge'))`, n, id)
}

// itemsShow is a JS expression: the feed view of kind shows n items, the first
// containing first.
func itemsShow(kind string, n int, first string) string {
	return fmt.Sprintf(`(() => { const v = document.querySelector('#view-feed[data-feed=%s]'); if (!v) return false;
		const it = v.querySelectorAll('.feed-item'); return it.length === %d && it[0].textContent.includes(%s); })()`,
		kind, n, strconv.Quote(first))
}

// The four feeds show what the operator API posted, with bilibili's words; the menu
// badges count the unread notifications and each drops to 0 once its feed is viewed
// (the server marks a feed read when its first page is read).
func TestBrowserFeedPages(t *testing.T) {
	srv := testkit.Start(t, testkit.Options{})
	me := srv.NewUser(1001, "咕咕鸽")
	red := srv.NewUser(1002, "小红")
	qiang := srv.NewUser(1003, "阿强")
	ming := srv.NewUser(1004, "小明")

	notify(t, srv, me.Mid, "reply", videoReply(red.Mid, "好看[doge]"))
	reply := videoReply(qiang.Mid, "回复 @咕咕鸽 :同意楼上 @小红")
	reply["target_id"], reply["root_id"], reply["source_id"] = 265141324001, 265141324001, 265141324002
	reply["target_reply_content"] = "我的评论：夏日祭真好"
	reply["at_mids"] = []uint64{red.Mid}
	notify(t, srv, me.Mid, "reply", reply)
	notify(t, srv, me.Mid, "at", map[string]any{"actor": ming.Mid, "type": "reply", "business_id": 1, "business": "评论",
		"title": "今天去看了海", "uri": "https://www.bilibili.com/opus/1073543151725051921", "source_content": "@咕咕鸽 一起去"})
	for _, who := range []uint64{red.Mid, qiang.Mid, ming.Mid} {
		notify(t, srv, me.Mid, "like", map[string]any{"actor": who, "type": "reply", "item_id": 265141324001, "business_id": 1,
			"business": "评论", "title": "夏日祭真好", "uri": "https://www.bilibili.com/video/BV1xx411c7mD#reply265141324001"})
	}
	notify(t, srv, me.Mid, "like", map[string]any{"actor": red.Mid, "type": "video", "item_id": 170001, "business_id": 1,
		"business": "视频", "title": "【4K】夏日祭", "image": "https://i0.hdslb.com/bfs/archive/a.jpg",
		"uri": "https://www.bilibili.com/video/BV1xx411c7mD"})
	notify(t, srv, me.Mid, "system", map[string]any{"title": "账号安全提醒", "content": "你的账号在新设备登录，如非本人操作请及时修改密码。",
		"link": "https://www.bilibili.com/blackboard/safe.html"})

	b := newBrowser(t, srv)
	b.loginAs(me)
	b.open("#/config")
	b.waitFor(badgeIs("reply", 2), "the 回复我的 badge to show 2")
	b.waitFor(badgeIs("at", 1), "the @我的 badge to show 1")
	b.waitFor(badgeIs("love", 2), "the 收到的赞 badge to show 2 (one per liked thing)")
	b.waitFor(badgeIs("system", 1), "the 系统通知 badge to show 1")

	b.click("[data-menu=reply]")
	b.waitFor(itemsShow("reply", 2, "阿强"), "the two replies, newest first")
	first := b.text("#view-feed .feed-item:nth-child(1)")
	for _, want := range []string{"阿强", "回复了我的评论", "回复 @咕咕鸽 :同意楼上 @小红", "我的评论：夏日祭真好"} {
		if !contains(first, want) {
			t.Errorf("first reply %q lacks %q", first, want)
		}
	}
	if got := b.text("#view-feed .feed-item:nth-child(1) .feed-at"); got != "@小红" {
		t.Errorf("the @-mention of at_details is %q, want @小红 highlighted", got)
	}
	second := b.text("#view-feed .feed-item:nth-child(2)")
	for _, want := range []string{"小红", "评论了我的视频", "好看[doge]", "【4K】夏日祭"} {
		if !contains(second, want) {
			t.Errorf("second reply %q lacks %q", second, want)
		}
	}
	link := eval[map[string]string](b, `(a => ({href: a.href, target: a.target, rel: a.rel}))(document.querySelector('#view-feed .feed-item .feed-link'))`)
	if link["href"] != "https://www.bilibili.com/video/BV1xx411c7mD" || link["target"] != "_blank" || link["rel"] != "noopener noreferrer" {
		t.Errorf("reply link %v: want the item's uri in a new tab, noopener noreferrer", link)
	}
	b.waitFor(badgeIs("reply", 0), "the 回复我的 badge to drop to 0 once viewed")
	b.waitFor(`document.querySelector('#view-feed .feed-more').dataset.state === 'end'`, "the end of the list")
	if got := b.text("#view-feed .feed-more"); got != "没有更多消息了" {
		t.Errorf("list end says %q", got)
	}

	b.click("[data-menu=at]")
	b.waitFor(itemsShow("at", 1, "小明"), "the @ item")
	if got := b.text("#view-feed .feed-item"); !contains(got, "在评论中@了我") || !contains(got, "@咕咕鸽 一起去") || !contains(got, "今天去看了海") {
		t.Errorf("@ item %q", got)
	}
	b.waitFor(badgeIs("at", 0), "the @我的 badge to drop to 0")

	b.click("[data-menu=love]")
	b.waitFor(itemsShow("love", 2, "小红"), "the two like items, the video liked last first")
	if got := b.text("#view-feed .feed-item:nth-child(1) .feed-line"); got != "小红 赞了我的视频" {
		t.Errorf("single like %q, want 小红 赞了我的视频", got)
	}
	if got := b.text("#view-feed .feed-item:nth-child(2) .feed-line"); got != "小明、阿强 等总计3人 赞了我的评论" {
		t.Errorf("aggregated like %q, want 小明、阿强 等总计3人 赞了我的评论", got)
	}
	if n := b.count("#view-feed .feed-item:nth-child(2) .feed-faces .feed-avatar"); n != 2 {
		t.Errorf("aggregated like shows %d avatars, want 2", n)
	}
	if src := eval[string](b, `document.querySelector('#view-feed .feed-item:nth-child(1) .feed-preview img')?.src ?? ''`); src != "https://i0.hdslb.com/bfs/archive/a.jpg" {
		t.Errorf("video like preview %q", src)
	}
	b.waitFor(badgeIs("love", 0), "the 收到的赞 badge to drop to 0")

	b.click("[data-menu=system]")
	b.waitFor(itemsShow("system", 1, "账号安全提醒"), "the system notice")
	if got := b.text("#view-feed .sys-content"); got != "你的账号在新设备登录，如非本人操作请及时修改密码。" {
		t.Errorf("system content %q", got)
	}
	if got := eval[string](b, `document.querySelector('#view-feed .sys-more')?.href ?? ''`); got != "https://www.bilibili.com/blackboard/safe.html" {
		t.Errorf("system link %q", got)
	}
	b.waitFor(badgeIs("system", 0), "the 系统通知 badge to drop to 0")

	// A feed with nothing in it.
	other := srv.NewUser(1005, "路人")
	b2 := newBrowser(t, srv)
	b2.loginAs(other)
	b2.open("#/at")
	b2.waitFor(`document.querySelector('#view-feed .feed-more')?.dataset.state === 'empty'`, "the empty state")
	if got := b2.text("#view-feed .feed-more"); got != "暂无消息" {
		t.Errorf("empty feed says %q", got)
	}
}

// A notification posted while its feed is open appears at the top without a reload;
// one of another feed lights that feed's badge.
func TestBrowserFeedLive(t *testing.T) {
	srv := testkit.Start(t, testkit.Options{})
	me := srv.NewUser(1001, "咕咕鸽")
	red := srv.NewUser(1002, "小红")
	qiang := srv.NewUser(1003, "阿强")
	notify(t, srv, me.Mid, "reply", videoReply(red.Mid, "第一条回复"))

	b := newBrowser(t, srv)
	b.loginAs(me)
	b.open("#/reply")
	b.waitFor(itemsShow("reply", 1, "第一条回复"), "the first reply")
	b.waitFor(`document.body.dataset.live === 'on'`, "the live stream")
	b.waitFor(badgeIs("reply", 0), "the reply badge at 0")
	eval[bool](b, `(window.__same = true)`)

	notify(t, srv, me.Mid, "reply", videoReply(qiang.Mid, "第二条回复"))
	b.waitFor(itemsShow("reply", 2, "第二条回复"), "the new reply at the top, live")
	if !eval[bool](b, `window.__same === true`) {
		t.Fatal("the page reloaded")
	}
	if !eval[bool](b, `document.querySelector('#view-feed .feed-item').classList.contains('feed-item-new')`) {
		t.Error("the new item is not marked new")
	}
	b.waitFor(badgeIs("reply", 0), "the reply badge back at 0: the open feed was read again")

	notify(t, srv, me.Mid, "at", map[string]any{"actor": red.Mid, "type": "reply", "business_id": 1, "business": "评论",
		"title": "t", "uri": "https://www.bilibili.com/video/BV1xx411c7mD", "source_content": "@咕咕鸽 看这里"})
	b.waitFor(badgeIs("at", 1), "the @ badge to light live")
	if n := b.count("#view-feed .feed-item"); n != 2 {
		t.Errorf("the reply feed shows %d items after an @, want 2", n)
	}

	// Likes: a new like of the same thing moves its one item up with the new liker.
	like := func(who uint64, item int) {
		notify(t, srv, me.Mid, "like", map[string]any{"actor": who, "type": "reply", "item_id": item, "business_id": 1,
			"business": "评论", "title": fmt.Sprintf("评论%d", item), "uri": "https://www.bilibili.com/video/BV1xx411c7mD"})
	}
	like(red.Mid, 1)
	like(red.Mid, 2)
	b.click("[data-menu=love]")
	b.waitFor(itemsShow("love", 2, "评论2"), "two like items")
	like(qiang.Mid, 1)
	b.waitFor(itemsShow("love", 2, "阿强、小红 赞了我的评论"), "the item liked again moved to the top with both likers")
	if got := b.text("#view-feed .feed-item:nth-child(2)"); !contains(got, "评论2") {
		t.Errorf("second like item %q", got)
	}
	b.waitFor(badgeIs("love", 0), "the like badge at 0 while the feed is open")

	notify(t, srv, me.Mid, "system", map[string]any{"title": "新功能上线", "content": "快来试试"})
	b.waitFor(badgeIs("system", 1), "the system badge to light live")
	b.click("[data-menu=system]")
	b.waitFor(itemsShow("system", 1, "新功能上线"), "the system notice")
	notify(t, srv, me.Mid, "system", map[string]any{"title": "第二条通知", "content": "内容"})
	b.waitFor(itemsShow("system", 2, "第二条通知"), "the new system notice at the top, live")
	b.waitFor(badgeIs("system", 0), "the system badge at 0")
}

// 30 replies: the first page has 20, scrolling to the end reads the other 10 once,
// and the list says it has no more.
func TestBrowserFeedInfiniteScroll(t *testing.T) {
	srv := testkit.Start(t, testkit.Options{})
	me := srv.NewUser(1001, "咕咕鸽")
	red := srv.NewUser(1002, "小红")
	for i := 1; i <= 30; i++ {
		notify(t, srv, me.Mid, "reply", videoReply(red.Mid, fmt.Sprintf("第%d楼", i)))
	}
	b := newBrowser(t, srv)
	b.loginAs(me)
	b.open("#/reply")
	b.waitFor(itemsShow("reply", 20, "第30楼"), "the first page, newest first")
	b.waitFor(`document.querySelector('#view-feed .feed-more').dataset.state === 'more'`, "more to read")
	b.waitFor(badgeIs("reply", 0), "the reply badge at 0")

	eval[bool](b, `(document.querySelector('#view-feed .feed-body').scrollTop = 1e6, true)`)
	b.waitFor(`document.querySelectorAll('#view-feed .feed-item').length === 30 && document.querySelector('#view-feed .feed-more').dataset.state === 'end'`,
		"the second page after scrolling, and the end")
	got := eval[[]string](b, `[...document.querySelectorAll('#view-feed .feed-content')].map(e => e.textContent)`)
	for i, s := range got {
		if want := fmt.Sprintf("第%d楼", 30-i); s != want {
			t.Fatalf("item %d is %q, want %q (all: %v)", i, s, want, got)
		}
	}
	eval[bool](b, `(document.querySelector('#view-feed .feed-body').scrollTop = 0, document.querySelector('#view-feed .feed-body').scrollTop = 1e6, true)`)
	if n := b.count("#view-feed .feed-item"); n != 30 {
		t.Errorf("%d items after scrolling again, want 30", n)
	}
}

const (
	hostileHTML = `<img src=x onerror="window.__pwned=1">`
	hostileJS   = `<script>window.__pwned=1</script>`
	hostileURL  = `javascript:window.__pwned=1`
)

// Nicknames, texts, titles and links of notifications are shown as text: no element,
// handler or javascript: link comes out of them.
func TestBrowserFeedHostile(t *testing.T) {
	srv := testkit.Start(t, testkit.Options{})
	me := srv.NewUser(1001, "咕咕鸽")
	evil := srv.NewUser(1002, hostileHTML)
	if st := srv.Admin("PATCH", "/admin/v1/users/1002", map[string]any{"face": hostileURL}, nil); st != 200 {
		t.Fatalf("patch face: %d", st)
	}
	text := hostileJS + hostileHTML + " @" + hostileHTML
	body := func() map[string]any {
		return map[string]any{"actor": evil.Mid, "type": hostileHTML, "business_id": 1, "business": hostileJS,
			"title": hostileHTML, "uri": hostileURL, "image": hostileURL, "source_content": text,
			"target_reply_content": hostileJS, "at_mids": []uint64{evil.Mid}, "item_id": 7}
	}
	notify(t, srv, me.Mid, "reply", body())
	notify(t, srv, me.Mid, "at", body())
	notify(t, srv, me.Mid, "like", body())
	notify(t, srv, me.Mid, "system", map[string]any{"title": hostileHTML, "content": hostileJS + `#{点我}{"` + hostileURL + `"}`, "link": hostileURL})

	b := newBrowser(t, srv)
	b.loginAs(me)
	for _, kind := range []string{"reply", "at", "love", "system"} {
		b.open("#/" + kind)
		b.waitFor(fmt.Sprintf(`document.querySelectorAll('#view-feed[data-feed=%s] .feed-item').length === 1`, kind), kind+" item")
		got := b.text("#view-feed .feed-item")
		if !contains(got, hostileHTML) {
			t.Errorf("%s: %q does not show the HTML as text", kind, got)
		}
		if kind != "love" && !contains(got, hostileJS) {
			t.Errorf("%s: %q does not show the script as text", kind, got)
		}
		checkClean(t, b, kind)
	}
	if got := b.text("#view-feed .sys-link"); got != "点我" {
		t.Errorf("system link text %q", got)
	}
	if eval[bool](b, `document.querySelector('#view-feed .sys-link').hasAttribute('href') || !!document.querySelector('#view-feed .sys-more[href]')`) {
		t.Error("a javascript: link of a system notice kept an href")
	}
}
