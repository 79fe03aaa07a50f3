package web_test

// The chats view (我的消息, #/whisper) in a real browser: the session list, the chat,
// sending, live updates, recall, errors, emoji, paging and cards.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/bilimsg/bilimsg/client/operator"
	"github.com/bilimsg/bilimsg/internal/testkit"
)

// history reads u's messages with talker (newest first) through the API.
func history(t *testing.T, srv *testkit.Server, u testkit.User, talker uint64, size int) []struct {
	SenderUID uint64 `json:"sender_uid"`
	MsgType   int    `json:"msg_type"`
	Content   string `json:"content"`
	MsgKey    uint64 `json:"msg_key"`
	MsgStatus int    `json:"msg_status"`
} {
	t.Helper()
	r := srv.Get(u, testkit.PathFetchMsgs, url.Values{"talker_id": {strconv.FormatUint(talker, 10)}, "session_type": {"1"}, "size": {strconv.Itoa(size)}})
	var d struct {
		Messages []struct {
			SenderUID uint64 `json:"sender_uid"`
			MsgType   int    `json:"msg_type"`
			Content   string `json:"content"`
			MsgKey    uint64 `json:"msg_key"`
			MsgStatus int    `json:"msg_status"`
		} `json:"messages"`
	}
	if c := r.Code(t); c != 0 {
		t.Fatalf("fetch_session_msgs: code %d: %s", c, r.Body)
	}
	r.Data(t, &d)
	return d.Messages
}

// followUnread is single_unread's follow_unread + unfollow_unread of u.
func unreadOf(t *testing.T, srv *testkit.Server, u testkit.User) int {
	t.Helper()
	r := srv.Get(u, testkit.PathSingleUnread, url.Values{"unread_type": {"0"}})
	var d struct {
		Follow   int `json:"follow_unread"`
		Unfollow int `json:"unfollow_unread"`
	}
	r.Data(t, &d)
	return d.Follow + d.Unfollow
}

// bubbles is how many of my/their bubbles show exactly text.
func bubbleCount(side, text string) string {
	return fmt.Sprintf(`[...document.querySelectorAll('.msg-%s .msg-bubble')].filter((e) => e.textContent === %s).length`, side, strconv.Quote(text))
}

// keyOfBubble returns the data-key of the row whose bubble text is text.
func keyOfBubble(b *browser, text string) string {
	b.t.Helper()
	return eval[string](b, fmt.Sprintf(`[...document.querySelectorAll('.msg')].find((e) => e.querySelector('.msg-bubble')?.textContent === %s)?.dataset.key ?? ''`, strconv.Quote(text)))
}

const menuBadge = `document.querySelector('.menu-item[data-menu=whisper] .badge')`

// Opening a session from the list, sending with Enter: the message shows once (the
// answer and the live frame are the same message), the composer empties, the list's
// preview follows, and the receiver reads it through the API.
func TestBrowserChatSendWithEnter(t *testing.T) {
	srv := testkit.Start(t, testkit.Options{})
	me := srv.NewUser(1001, "小明")
	other := srv.NewUser(1002, "小红")
	srv.Follow(1001, 1002, true)
	srv.SendText(other, 1001, "你好呀")

	b := newBrowser(t, srv)
	b.loginAs(me)
	b.open("#/whisper")
	b.waitText(".session[data-talker='1002'] .session-preview", "你好呀")
	b.waitText(".session[data-talker='1002'] .session-name", "小红")
	b.waitText("#chat-blank", "快找小伙伴聊天吧")
	b.click(".session[data-talker='1002']")
	b.waitFor(`location.hash === '#/whisper/mid1002'`, "the chat's hash")
	b.waitText("#chat-name", "小红")
	b.waitFor(bubbleCount("other", "你好呀")+" === 1", "the received message")
	b.waitFor(`document.querySelector('.session[data-talker="1002"]').classList.contains('active')`, "the open session highlighted")

	b.typeInto("#composer", "第一条消息"+kb.Enter)
	b.waitFor(bubbleCount("me", "第一条消息")+" === 1", "the sent message")
	// The live frame of the same message gives it its seqno: still one bubble.
	b.waitFor(`[...document.querySelectorAll('.msg-me')].some((e) => e.dataset.seqno !== '' && e.textContent.includes('第一条消息'))`, "the message's seqno from its frame")
	if n := eval[int](b, bubbleCount("me", "第一条消息")); n != 1 {
		t.Errorf("the sent message shows %d times, want 1", n)
	}
	if v := eval[string](b, `document.querySelector('#composer').value`); v != "" {
		t.Errorf("composer after sending = %q, want empty", v)
	}
	b.waitText(".session[data-talker='1002'] .session-preview", "第一条消息")

	// Shift+Enter is a new line, not a send.
	b.do("shift+enter", chromedp.SendKeys(chromedp.CSS("#composer"), "第一行"), chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierShift)), chromedp.SendKeys(chromedp.CSS("#composer"), "第二行"))
	if v := eval[string](b, `document.querySelector('#composer').value`); v != "第一行\n第二行" {
		t.Errorf("composer after Shift+Enter = %q, want two lines", v)
	}
	b.click("#send-btn")
	b.waitFor(bubbleCount("me", "第一行\n第二行")+" === 1", "the two-line message")

	msgs := history(t, srv, other, 1001, 20)
	var texts []string
	for _, m := range msgs {
		texts = append(texts, m.Content)
	}
	joined := strings.Join(texts, "\n")
	if !strings.Contains(joined, testkit.Text("第一条消息")) || !strings.Contains(joined, testkit.Text("第一行\n第二行")) {
		t.Errorf("the receiver's history lacks the sent messages: %s", joined)
	}
	if strings.Count(joined, "第一条消息") != 1 {
		t.Errorf("the message was stored %d times", strings.Count(joined, "第一条消息"))
	}
}

// A message from the open chat's talker shows live and is read at once; one from
// another talker moves that session to the top with its badge and the menu's badge,
// and opening it reads it.
func TestBrowserChatLiveMessages(t *testing.T) {
	srv := testkit.Start(t, testkit.Options{})
	me := srv.NewUser(1001, "小明")
	a := srv.NewUser(1002, "阿甲")
	c := srv.NewUser(1003, "阿丙")
	srv.Follow(1001, 1002, true)
	srv.Follow(1001, 1003, true)
	srv.SendText(c, 1001, "丙的第一条")
	srv.SendText(a, 1001, "甲的第一条")

	b := newBrowser(t, srv)
	b.loginAs(me)
	b.open("#/whisper/mid1002")
	b.waitFor(bubbleCount("other", "甲的第一条")+" === 1", "the open chat")
	b.waitFor(`document.body.dataset.live === 'on'`, "the live stream")
	b.waitFor(`document.querySelectorAll('.session').length === 2`, "the two sessions")
	testkit.Eventually(t, 5*time.Second, "the open chat read", func() bool { return unreadOf(t, srv, me) == 1 })
	b.waitFor(menuBadge+`.dataset.count === '1'`, "the menu badge counting 丙's message")

	srv.SendText(a, 1001, "实时消息")
	b.waitFor(bubbleCount("other", "实时消息")+" === 1", "the live message in the open chat")
	testkit.Eventually(t, 5*time.Second, "the live message read", func() bool { return unreadOf(t, srv, me) == 1 })
	b.waitFor(`document.querySelector('.session[data-talker="1002"]').dataset.unread === '0'`, "no badge on the open session")

	srv.SendText(c, 1001, "丙的第二条")
	b.waitFor(`document.querySelector('.wl-items .session')?.dataset.talker === '1003'`, "丙's session moved to the top")
	b.waitFor(`document.querySelector('.session[data-talker="1003"] .session-badge')?.dataset.count === '2'`, "丙's badge at 2")
	b.waitText(".session[data-talker='1003'] .session-preview", "丙的第二条")
	b.waitFor(menuBadge+`.dataset.count === '2'`, "the menu badge at 2")
	if n := b.count(".msg"); eval[bool](b, bubbleCount("other", "丙的第二条")+" > 0") {
		t.Errorf("丙's message shows in 甲's chat (%d rows)", n)
	}

	b.click(".session[data-talker='1003']")
	b.waitFor(bubbleCount("other", "丙的第二条")+" === 1", "丙's chat")
	b.waitFor(`document.querySelector('.session[data-talker="1003"]').dataset.unread === '0'`, "丙's badge gone")
	b.waitFor(menuBadge+`.hidden && `+menuBadge+`.dataset.count === '0'`, "the menu badge gone")
	testkit.Eventually(t, 5*time.Second, "everything read", func() bool { return unreadOf(t, srv, me) == 0 })

	// A new session (never chatted) appears at the top.
	d := srv.NewUser(1004, "阿丁")
	srv.SendText(d, 1001, "新朋友")
	b.waitFor(`document.querySelector('.wl-items .session')?.dataset.talker === '1004'`, "the new session at the top")
	b.waitText(".session[data-talker='1004'] .session-preview", "新朋友")
}

// My message can be recalled within 120 s (the server's clock): the bubble becomes
// the recall line. A recall by the other side arrives live. Past the window the
// server's 21041 is shown and the action goes.
func TestBrowserChatRecall(t *testing.T) {
	srv := testkit.Start(t, testkit.Options{})
	me := srv.NewUser(1001, "小明")
	other := srv.NewUser(1002, "小红")
	srv.Follow(1001, 1002, true)
	srv.Follow(1002, 1001, true)

	b := newBrowser(t, srv)
	b.loginAs(me)
	b.open("#/whisper/mid1002")
	b.waitFor(`document.body.dataset.live === 'on'`, "the live stream")
	b.waitText("#chat-msgs", "我们已互相关注，开始聊天吧~")
	b.typeInto("#composer", "发错了"+kb.Enter)
	b.waitFor(bubbleCount("me", "发错了")+" === 1", "the message")
	key := keyOfBubble(b, "发错了")
	b.click(fmt.Sprintf(".msg[data-key='%s'] .msg-recall", key))
	b.waitText(fmt.Sprintf(".msg[data-key='%s']", key), "你撤回了一条消息")
	b.waitFor(bubbleCount("me", "发错了")+" === 0", "the recalled text gone")
	b.waitText(".session[data-talker='1002'] .session-preview", "你撤回了一条消息")
	for _, m := range history(t, srv, other, 1001, 20) {
		if strconv.FormatUint(m.MsgKey, 10) == key && m.MsgStatus != 1 {
			t.Errorf("the recalled message has msg_status %d, want 1", m.MsgStatus)
		}
	}
	if strings.Contains(b.text("#chat-msgs"), "发错了") {
		t.Error("the recalled text is still on the page")
	}

	// The other side recalls theirs.
	k := srv.SendText(other, 1001, "对方说错话了")
	b.waitFor(bubbleCount("other", "对方说错话了")+" === 1", "their message")
	if n := b.count(".msg-other .msg-recall"); n != 0 {
		t.Errorf("%d recall actions on their messages", n)
	}
	srv.MustOK(other, testkit.PathSendMsg, testkit.SendForm(1002, 1001, 5, strconv.FormatUint(k, 10)))
	b.waitText(fmt.Sprintf(".msg[data-key='%d']", k), "对方撤回了一条消息")
	b.waitFor(bubbleCount("other", "对方说错话了")+" === 0", "their text gone")

	// Past 120 s by the server's clock the action goes: the page learns the time from
	// the Date of its next answer.
	b.typeInto("#composer", "太晚了"+kb.Enter)
	b.waitFor(`[...document.querySelectorAll('.msg-me')].some((e) => e.dataset.seqno !== '' && e.textContent.includes('太晚了'))`, "the late message")
	late := keyOfBubble(b, "太晚了")
	sel := fmt.Sprintf(".msg[data-key='%s'] .msg-recall", late)
	if b.count(sel) != 1 {
		t.Fatal("no recall action on a new message of mine")
	}
	srv.Advance(3 * time.Minute)
	evalAwait[bool](b, `import('/static/js/api.js').then((m) => m.api.get('/session_svr/v1/session_svr/single_unread', {})).then(() => true)`)
	b.waitFor(fmt.Sprintf(`!document.querySelector(%q)`, sel), "the recall action gone past 120 s")
	if n := eval[int](b, bubbleCount("me", "太晚了")); n != 1 {
		t.Errorf("the late message shows %d times, want 1 (not recalled)", n)
	}
	// Another chat drawn now offers no recall on old messages.
	b.open("#/whisper/mid1002")
	b.waitFor(bubbleCount("me", "太晚了")+" === 1", "the chat again")
	if n := b.count(".msg-recall"); n != 0 {
		t.Errorf("%d recall actions on messages older than 120 s", n)
	}
}

// A refused send shows bilibili's words and keeps the text: the second message to
// someone who neither follows me nor answered (21047). The hint (msg_type 18) shows.
func TestBrowserChatSendErrors(t *testing.T) {
	srv := testkit.Start(t, testkit.Options{})
	me := srv.NewUser(1001, "小明")
	srv.NewUser(1002, "陌生人")

	b := newBrowser(t, srv)
	b.loginAs(me)
	b.open("#/whisper/mid1002")
	b.waitText("#chat-name", "陌生人")
	b.waitText("#chat-msgs", "暂无消息")
	b.typeInto("#composer", "冒昧打扰"+kb.Enter)
	b.waitFor(bubbleCount("me", "冒昧打扰")+" === 1", "the first message")
	b.waitText(".msg-hint", "对方主动回复或关注你前，最多发送1条消息")
	b.waitText(".session[data-talker='1002'] .session-preview", "对方主动回复或关注你前")

	b.typeInto("#composer", "再说一句"+kb.Enter)
	b.waitText("#toasts", "对方主动回复或关注你前，最多发送1条消息~")
	if n := eval[int](b, bubbleCount("me", "再说一句")); n != 0 {
		t.Errorf("the refused message shows %d times", n)
	}
	if v := eval[string](b, `document.querySelector('#composer').value`); v != "再说一句" {
		t.Errorf("composer after a refusal = %q, want the text kept", v)
	}

	// An image from a host that is not bilibili's: 21037.
	b.click("#image-btn")
	b.typeInto("#image-url", "https://example.com/a.jpg"+kb.Enter)
	b.waitText("#toasts", "图片格式不合法，不要调戏接口啦")
}

// The emoji panel inserts [name] at the cursor; the sent message shows the emoji (its
// image, or its name when the image cannot load).
func TestBrowserChatEmoji(t *testing.T) {
	srv := testkit.Start(t, testkit.Options{})
	me := srv.NewUser(1001, "小明")
	srv.NewUser(1002, "小红")
	srv.Follow(1002, 1001, true)

	b := newBrowser(t, srv)
	b.loginAs(me)
	b.open("#/whisper/mid1002")
	b.waitText("#chat-name", "小红")
	b.typeInto("#composer", "戴好")
	b.click("#emoji-btn")
	b.waitFor(`document.querySelector('.emoji-item[data-emoji="[口罩]"]')`, "the emoji panel")
	b.click(`.emoji-item[data-emoji="[口罩]"]`)
	b.waitFor(`document.querySelector('#composer').value === '戴好[口罩]'`, "[口罩] inserted at the cursor")
	b.typeInto("#composer", "哦"+kb.Enter)
	const emo = `[...document.querySelectorAll('.msg-me .msg-bubble')].find((e) => e.textContent.includes('戴好') || e.querySelector('img[alt="[口罩]"]'))`
	b.waitFor(emo, "the sent message")
	b.waitFor(`(() => { const e = `+emo+`; return e && (e.querySelector('img.emoji[alt="[口罩]"]') || [...e.querySelectorAll('.emoji-text')].some((x) => x.textContent === '[口罩]')); })()`, "the emoji drawn")
	if got := eval[string](b, `(() => { const e = `+emo+`; return [...e.childNodes].map((n) => n.nodeType === 3 ? n.textContent : (n.alt || n.textContent)).join(''); })()`); got != "戴好[口罩]哦" {
		t.Errorf("the message reads %q, want 戴好[口罩]哦", got)
	}
}

// History pages load as the chat scrolls up (every message once); the session list
// pages as it scrolls down.
func TestBrowserChatInfiniteScroll(t *testing.T) {
	srv := testkit.Start(t, testkit.Options{})
	me := srv.NewUser(1001, "小明")
	a := srv.NewUser(1002, "话痨")
	srv.Follow(1001, 1002, true)
	srv.Follow(1002, 1001, true)
	for i := 1; i <= 45; i++ {
		srv.SendText(a, 1001, fmt.Sprintf("消息 %d", i))
	}
	for i := 0; i < 25; i++ {
		u := srv.NewUser(uint64(2001+i), fmt.Sprintf("路人%d", i))
		srv.SendText(u, 1001, fmt.Sprintf("路人%d来了", i))
		srv.Advance(time.Second)
	}

	b := newBrowser(t, srv)
	b.loginAs(me)
	b.open("#/whisper/mid1002")
	b.waitFor(bubbleCount("other", "消息 45")+" === 1", "the newest messages")
	if n := b.count(".msg-bubble"); n > 40 {
		t.Errorf("%d messages before scrolling, want a page", n)
	}
	// Each poll scrolls to the top, which reads the next older page.
	const numbered = `[...document.querySelectorAll('.msg-other .msg-bubble')].filter((e) => e.textContent.startsWith('消息 '))`
	b.waitFor(`(document.querySelector('#chat-msgs').scrollTop = 0, `+numbered+`.length === 45)`, "all 45 messages after scrolling up")
	b.waitText(".chat-top", "没有更多消息了")
	b.waitText("#chat-msgs", "我们已互相关注，开始聊天吧~")
	texts := eval[[]string](b, numbered+`.map((e) => e.textContent)`)
	for i, s := range texts {
		if want := fmt.Sprintf("消息 %d", i+1); s != want {
			t.Fatalf("message %d reads %q, want %q (in order, once each)", i, s, want)
		}
	}
	seqnos := eval[[]string](b, `[...document.querySelectorAll('.msg[data-seqno]')].map((e) => e.dataset.seqno)`)
	seen := map[string]bool{}
	for _, s := range seqnos {
		if s == "" || seen[s] {
			t.Fatalf("seqno %q empty or twice in %v", s, seqnos)
		}
		seen[s] = true
	}

	// The list: 26 sessions, 20 a page.
	b.waitFor(`document.querySelectorAll('.wl-items .session').length === 20`, "the first page of sessions")
	b.waitFor(`(() => { const l = document.querySelector('#session-list'); l.scrollTop = l.scrollHeight; return document.querySelectorAll('.wl-items .session').length === 26; })()`, "all 26 sessions after scrolling down")
	talkers := eval[[]string](b, `[...document.querySelectorAll('.wl-items .session')].map((e) => e.dataset.talker)`)
	seen = map[string]bool{}
	for _, id := range talkers {
		if seen[id] {
			t.Fatalf("session %s listed twice: %v", id, talkers)
		}
		seen[id] = true
	}
	if talkers[0] != "2025" {
		t.Errorf("first session %s, want the newest (2025)", talkers[0])
	}
	b.waitText("#session-list", "没有更多了")
}

// Pushes of system accounts show as cards with their titles; the session shows the
// account's name and the card's title.
func TestBrowserChatCards(t *testing.T) {
	srv := testkit.Start(t, testkit.Options{})
	me := srv.NewUser(1001, "小明")
	op := srv.Operator()
	ctx := context.Background()
	push := func(sys, typ int, card string) {
		t.Helper()
		if _, err := op.Push(ctx, 1001, operator.Push{SystemMsgType: sys, MsgType: typ, Content: json.RawMessage(card)}); err != nil {
			t.Fatalf("push %d: %v", typ, err)
		}
	}
	push(7, 10, `{"title":"流量奖励到账通知","text":"你的稿件获得了流量奖励","jump_text":"","jump_uri":"https://member.bilibili.com/","modules":[{"title":"奖励","detail":"1000 播放"}],"notifier":null,"jump_uri_config":{"all_uri":"https://member.bilibili.com/","text":"查看详情"},"jump_uri_2_config":{"text":""},"jump_uri_3_config":{"text":""},"biz_content":null}`)
	push(7, 11, `{"title":"【UP】新视频","times":125,"cover":"https://i0.hdslb.com/bfs/archive/a.jpg","rid":170001,"type_":8,"desc":"简介","bvid":"BV17x411w7KC","view":12345,"danmaku":67,"pub_date":1717315200,"attach_msg":{"id":1,"content":"UP主赠言：快来看"}}`)
	push(7, 12, `{"rid":1,"title":"专栏文章标题","summary":"摘要","author":"作者","view":10,"like":2,"reply":1,"template_id":4,"image_urls":["https://i0.hdslb.com/bfs/article/a.jpg"],"attach_msg":null,"pub_date":1717315200}`)
	push(7, 13, `{"pic_url":"https://i0.hdslb.com/bfs/im/p.png","jump_url":"https://www.bilibili.com/","title":"图片卡片标题"}`)
	push(7, 16, `{"main_title":"更多宝藏内容","reply_content":"感谢关注","sub_cards":[{"card_id":170001,"card_type":1,"jump_url":"https://www.bilibili.com/video/BV17x411w7KC","cover_url":"https://i0.hdslb.com/bfs/archive/a.jpg","field1":"作品一号","field2":"2024-05-01","field3":"20万","icon3":1,"field4":"479","icon4":3}]}`)

	b := newBrowser(t, srv)
	b.loginAs(me)
	b.open("#/whisper")
	const up = "844424930131966"
	b.waitText(".session[data-talker='"+up+"'] .session-name", "UP主小助手")
	b.waitText(".session[data-talker='"+up+"'] .session-preview", "感谢关注")
	b.click(".session[data-talker='" + up + "']")
	b.waitFor(`document.querySelectorAll('.msg-card').length === 5`, "five cards")
	for typ, title := range map[int]string{10: "流量奖励到账通知", 11: "【UP】新视频", 12: "专栏文章标题", 13: "图片卡片标题", 16: "更多宝藏内容"} {
		got := b.text(fmt.Sprintf(".msg-card[data-card-type='%d'] .card-title", typ))
		if got != title {
			t.Errorf("card %d title %q, want %q", typ, got, title)
		}
	}
	b.waitText(".msg-card[data-card-type='10'] .card-btn", "查看详情")
	b.waitText(".msg-card[data-card-type='11']", "UP主赠言：快来看")
	b.waitText(".msg-card[data-card-type='16'] .works-title", "作品一号")
	if b.count("#composer") != 0 {
		t.Error("a composer for a system account, which takes no messages")
	}
	if h := eval[string](b, `document.querySelector(".msg-card[data-card-type='11'] a.card").href`); h != "https://www.bilibili.com/video/BV17x411w7KC" {
		t.Errorf("video card links to %q", h)
	}

	// Share cards (7, 14) are not pushed by any system account here: drawn by the
	// page's own module.
	got := evalAwait[string](b, `import('/static/js/messages.js').then((m) => {
		const a = m.card({msg_type: 7, content: JSON.stringify({author: '作者', headline: '', id: 1, source: 5, thumb: 'https://i0.hdslb.com/bfs/a.jpg', title: '分享的视频', url: 'https://www.bilibili.com/video/BV17x411w7KC', bvid: 'BV17x411w7KC'})});
		const b = m.card({msg_type: 14, content: JSON.stringify({author: '主播', cover: '', desc: '直播中', source: '直播', title: '直播间标题', url: 'https://live.bilibili.com/1'})});
		return a.querySelector('.card-title').textContent + '|' + a.href + '|' + b.querySelector('.card-title').textContent + '|' + m.textOf({msg_type: 14, content: JSON.stringify({source: '直播', title: '直播间标题'})});
	})`)
	if got != "分享的视频|https://www.bilibili.com/video/BV17x411w7KC|直播间标题|[直播]直播间标题" {
		t.Errorf("share cards: %q", got)
	}
}

// Pinning, do-not-disturb and removing a session from its menu.
func TestBrowserChatSessionMenu(t *testing.T) {
	srv := testkit.Start(t, testkit.Options{})
	me := srv.NewUser(1001, "小明")
	a := srv.NewUser(1002, "阿甲")
	c := srv.NewUser(1003, "阿丙")
	srv.Follow(1001, 1002, true)
	srv.Follow(1001, 1003, true)
	srv.SendText(a, 1001, "甲")
	srv.Advance(time.Second)
	srv.SendText(c, 1001, "丙")

	b := newBrowser(t, srv)
	b.loginAs(me)
	b.open("#/whisper")
	b.waitFor(`document.querySelector('.wl-items .session')?.dataset.talker === '1003'`, "the newest first")

	b.click(".session[data-talker='1002'] .session-more")
	b.click(".ctx-menu [data-action=top]")
	b.waitFor(`document.querySelector('.wl-items .session')?.dataset.talker === '1002' && document.querySelector('.session[data-talker="1002"]').classList.contains('pinned')`, "the pinned session first")
	testkit.Eventually(t, 5*time.Second, "top_ts set", func() bool {
		r := srv.Get(me, testkit.PathSessionDetail, url.Values{"talker_id": {"1002"}, "session_type": {"1"}})
		return !strings.Contains(string(r.Body), `"top_ts":0`)
	})

	b.click(".session[data-talker='1002'] .session-more")
	b.click(".ctx-menu [data-action=dnd]")
	b.waitFor(`document.querySelector('.session[data-talker="1002"]').classList.contains('dnd') && document.querySelector('.session[data-talker="1002"] .session-dot')`, "the DND look: a grey dot, no number")
	if n := b.count(".session[data-talker='1002'] .session-badge:not([hidden])"); n != 0 {
		t.Error("a DND session shows a number badge")
	}

	b.click(".session[data-talker='1003'] .session-more")
	b.click(".ctx-menu [data-action=remove]")
	b.waitFor(`!document.querySelector('.session[data-talker="1003"]')`, "the removed session gone")
	// It comes back with the next message.
	srv.SendText(c, 1001, "我又来了")
	b.waitText(".session[data-talker='1003'] .session-preview", "我又来了")
	if first := eval[string](b, `document.querySelector('.wl-items .session').dataset.talker`); first != "1002" {
		t.Errorf("first session %s, want the pinned 1002", first)
	}
}

// With 收起未关注人消息 on, unfollowed users fold into one entry that opens their list.
func TestBrowserChatFoldedUnfollowed(t *testing.T) {
	srv := testkit.Start(t, testkit.Options{})
	me := srv.NewUser(1001, "小明")
	a := srv.NewUser(1002, "关注的人")
	s := srv.NewUser(1003, "陌生人")
	srv.Follow(1001, 1002, true)
	srv.SendText(a, 1001, "来自关注")
	srv.SendText(s, 1001, "来自陌生人")
	srv.SetPrefs(me, map[string]int{"show_unfollowed_msg": 1})

	b := newBrowser(t, srv)
	b.loginAs(me)
	b.open("#/whisper")
	b.waitText(".session-fold[data-fold=unfollow]", "未关注人消息")
	b.waitText(".session-fold[data-fold=unfollow] .session-preview", "来自陌生人")
	if b.count(".wl-items .session[data-talker='1003']") != 0 {
		t.Error("an unfollowed session in the main list while folded")
	}
	b.click(".session-fold[data-fold=unfollow]")
	b.waitText(".wl-side-title", "未关注人消息")
	b.waitText(".wl-items .session[data-talker='1003'] .session-preview", "来自陌生人")
	if b.count(".wl-items .session[data-talker='1002']") != 0 {
		t.Error("a followed session in the unfollowed list")
	}
	b.click("#session-back")
	b.waitText(".wl-items .session[data-talker='1002'] .session-preview", "来自关注")

	// A block word sends a stranger's message to the dustbin: 被拦截的消息.
	srv.AddBlockWord(me, "广告")
	spam := srv.NewUser(1004, "推销员")
	srv.SendText(spam, 1001, "广告来了")
	b.waitText(".session-fold[data-fold=dustbin]", "被拦截的消息")
	b.waitText(".session-fold[data-fold=dustbin] .session-preview", "广告来了")
	if b.count(".wl-items .session[data-talker='1004']") != 0 {
		t.Error("an intercepted session in the main list")
	}
	b.click(".session-fold[data-fold=dustbin]")
	b.waitText(".wl-items .session[data-talker='1004'] .session-preview", "广告来了")
	b.click(".session[data-talker='1004'] .session-more")
	b.click(".ctx-menu [data-action=trust]")
	b.waitFor(`!document.querySelector('.wl-items .session[data-talker="1004"]')`, "the trusted session out of the dustbin")
	b.click("#session-back")
	b.waitText(".session-fold[data-fold=unfollow] .session-preview", "广告来了")
}

// A fan group: folded into 应援团消息 when is_group_fold is on; its chat sends with
// receiver_type 2, shows the members' names and their messages live.
func TestBrowserChatGroup(t *testing.T) {
	srv := testkit.Start(t, testkit.Options{})
	me := srv.NewUser(1001, "小明")
	owner := srv.NewUser(1002, "UP主")
	fan := srv.NewUser(1003, "粉丝甲")
	gid := srv.NewGroup(1002, "UP主的应援团")
	srv.Join(gid, 1001)
	srv.Join(gid, 1003)
	srv.SendGroupText(owner, gid, "欢迎大家")
	srv.SetPrefs(me, map[string]int{"is_group_fold": 1})
	g := strconv.FormatUint(gid, 10)

	b := newBrowser(t, srv)
	b.loginAs(me)
	b.open("#/whisper")
	b.waitText(".session-fold[data-fold=group]", "应援团消息")
	b.waitFor(`document.querySelector('.session-fold[data-fold=group] .session-badge').dataset.count === '1'`, "the folded groups' unread count")
	b.click(".session-fold[data-fold=group]")
	b.click(".session[data-talker='" + g + "']")
	b.waitFor(`location.hash === '#/whisper/group`+g+`'`, "the group's hash")
	b.waitText("#chat-name", "UP主的应援团")
	b.waitFor(bubbleCount("other", "欢迎大家")+" === 1", "the group's message")
	b.waitText(".msg-other .msg-name", "UP主")
	b.waitText("#chat-msgs", "欢迎粉丝甲入群")
	b.waitFor(`document.body.dataset.live === 'on'`, "the live stream")

	b.typeInto("#composer", "大家好"+kb.Enter)
	b.waitFor(bubbleCount("me", "大家好")+" === 1", "my group message")
	srv.SendGroupText(fan, gid, "你好呀")
	b.waitFor(bubbleCount("other", "你好呀")+" === 1", "a member's message live")
	r := srv.Get(owner, testkit.PathFetchMsgs, url.Values{"talker_id": {g}, "session_type": {"2"}, "size": {"20"}})
	if !strings.Contains(string(r.Body), "大家好") {
		t.Errorf("the group's history lacks my message: %s", r.Body)
	}
	testkit.Eventually(t, 5*time.Second, "the group read", func() bool {
		r := srv.Get(me, testkit.PathMyGroupUnread, nil)
		return strings.Contains(string(r.Body), `"unread_count":0`)
	})
}

// evalAwait evaluates an expression that returns a promise.
func evalAwait[T any](b *browser, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("eval %s: %v", expr, err)
	}
	return v
}
