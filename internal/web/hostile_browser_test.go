package web_test

// Hostile content in the chats view: message texts, user and group names, card fields
// and URLs written to run script. The page shows them as text, makes no element of
// them, links nothing to javascript:, and nothing runs.

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"

	"github.com/bilimsg/bilimsg/client/operator"
	"github.com/bilimsg/bilimsg/internal/testkit"
)

const (
	xssImg    = `<img src=x onerror="window.__pwned=1">`
	xssScript = `<script>window.__pwned=1</script>`
	xssSvg    = `"><svg onload="window.__pwned=1">`
	xssJS     = `javascript:window.__pwned=1`
	xssText   = xssScript + xssImg + xssSvg + ` [<img src=x onerror=window.__pwned=1>] ` + xssJS
)

func TestBrowserHostileContent(t *testing.T) {
	srv := testkit.Start(t, testkit.Options{})
	me := srv.NewUser(1001, "小明")
	evil := srv.NewUser(1002, xssImg)
	evil2 := srv.NewUser(1003, xssSvg)
	srv.Follow(1001, 1002, true)
	srv.Follow(1001, 1003, true)
	srv.SendText(evil, 1001, xssText)
	srv.SendText(evil2, 1001, xssScript)
	// An image whose URL is on bilibili's host but carries markup in its path.
	r := srv.Post(evil, testkit.PathSendMsg, testkit.SendForm(1002, 1001, 2, `{"url":"https://i0.hdslb.com/bfs/a.png?\"><img src=x onerror=window.__pwned=1>","width":10,"height":10}`))
	if c := r.Code(t); c != 0 {
		t.Logf("image send refused (%d): %s", c, r.Body)
	}

	// A fan group with a hostile name, where the hostile user writes.
	gid := srv.NewGroup(1002, xssScript)
	srv.Join(gid, 1001)
	srv.Join(gid, 1003) // welcomed by a system message with the hostile name
	srv.SendGroupText(evil, gid, xssImg+xssSvg)

	// Cards with hostile fields and javascript: links.
	op := srv.Operator()
	push := func(typ int, card map[string]any) {
		t.Helper()
		raw, _ := json.Marshal(card)
		if _, err := op.Push(context.Background(), 1001, operator.Push{SystemMsgType: 7, MsgType: typ, Content: raw}); err != nil {
			t.Fatalf("push %d: %v", typ, err)
		}
	}
	push(10, map[string]any{"title": xssImg, "text": xssScript, "jump_text": xssSvg, "jump_uri": xssJS,
		"modules": []map[string]string{{"title": xssSvg, "detail": xssImg}}, "notifier": nil,
		"jump_uri_config": map[string]string{"all_uri": xssJS, "text": xssImg}, "jump_uri_2_config": map[string]string{"all_uri": "data:text/html,<script>window.__pwned=1</script>", "text": "x"},
		"jump_uri_3_config": map[string]string{"text": ""}, "biz_content": nil})
	push(11, map[string]any{"title": xssSvg, "times": 10, "cover": xssJS, "rid": 1, "desc": xssImg, "bvid": `"><script>window.__pwned=1</script>`,
		"view": 1, "danmaku": 1, "pub_date": 1, "attach_msg": map[string]any{"id": 1, "content": xssScript}})
	push(12, map[string]any{"rid": 2, "title": xssScript, "summary": xssSvg, "author": xssImg, "view": 1, "like": 1, "reply": 1, "template_id": 4,
		"image_urls": []string{xssJS}, "attach_msg": nil, "pub_date": 1})
	push(13, map[string]any{"pic_url": xssJS, "jump_url": xssJS, "title": xssImg})
	push(16, map[string]any{"main_title": xssSvg, "reply_content": xssImg, "sub_cards": []map[string]any{{"card_id": 1, "card_type": 1,
		"jump_url": "JaVaScRiPt:window.__pwned=1", "cover_url": "data:image/svg+xml,<svg onload='window.__pwned=1'/>", "field1": xssScript, "field2": xssImg, "field3": xssSvg, "icon3": 1, "field4": "", "icon4": 3}}})

	b := newBrowser(t, srv)
	b.loginAs(me)
	b.open("#/whisper")
	b.waitText(".session[data-talker='1002'] .session-name", xssImg)
	b.waitText(".session[data-talker='1003'] .session-name", xssSvg)
	b.waitText(".session[data-talker='1003'] .session-preview", xssScript)
	b.waitText(fmt.Sprintf(".session[data-talker='%d'] .session-name", gid), xssScript)
	b.waitText(".session[data-talker='844424930131966'] .session-preview", xssImg)
	checkClean(t, b, "the session list")

	// The hostile user's chat: the text literally, the name in the header.
	b.click(".session[data-talker='1002']")
	b.waitText("#chat-name", xssImg)
	b.waitFor(bubbleCount("other", xssText)+" === 1", "the hostile text shown literally")
	b.waitFor(`document.querySelectorAll('.msg-other').length >= 2`, "the image message")
	checkClean(t, b, "the 1:1 chat")

	// The group: name in the header, the sender's name over the bubble.
	b.click(fmt.Sprintf(".session[data-talker='%d']", gid))
	b.waitText("#chat-name", xssScript)
	b.waitFor(bubbleCount("other", xssImg+xssSvg)+" === 1", "the group message")
	b.waitText(".msg-other .msg-name", xssImg)
	b.waitFor(`[...document.querySelectorAll('.msg-group-sys')].some((e) => e.textContent === `+strconv.Quote("欢迎"+xssSvg+"入群")+`)`, "the welcome line with the hostile name")
	checkClean(t, b, "the group chat")

	// The system account's cards: every field as text, no javascript: link.
	b.click(".session[data-talker='844424930131966']")
	b.waitFor(`document.querySelectorAll('.msg-card').length === 5`, "five cards")
	for typ, title := range map[int]string{10: xssImg, 11: xssSvg, 12: xssScript, 13: xssImg, 16: xssSvg} {
		if got := b.text(fmt.Sprintf(".msg-card[data-card-type='%d'] .card-title", typ)); got != title {
			t.Errorf("card %d title %q, want %q literally", typ, got, title)
		}
	}
	b.waitText(".msg-card[data-card-type='10'] .card-text", xssScript)
	b.waitText(".msg-card[data-card-type='11'] .card-attach", xssScript)
	b.waitText(".msg-card[data-card-type='16'] .works-title", xssScript)
	if n := b.count(".msg-card[data-card-type='10'] .card-btn"); n != 0 {
		t.Errorf("%d buttons for javascript:/data: links", n)
	}
	checkClean(t, b, "the cards")

	// Share cards (7, 14) and a hint (18) made in the page from hostile contents.
	got := evalAwait[string](b, `import('/static/js/messages.js').then((m) => {
		const x = `+strconv.Quote(xssText)+`;
		const box = document.querySelector('#chat-msgs');
		const a = m.card({msg_type: 7, content: JSON.stringify({author: x, headline: x, id: 1, source: 5, thumb: 'javascript:window.__pwned=1', title: x, url: 'javascript:window.__pwned=1', bvid: '"><script>window.__pwned=1</script>'})});
		const b = m.card({msg_type: 14, content: JSON.stringify({author: x, cover: 'vbscript:x', desc: x, source: x, title: x, url: ' javascript:window.__pwned=1'})});
		const c = document.createElement('div');
		c.append(...[m.lineBody({msg_type: 18, content: JSON.stringify({content: JSON.stringify([{text: x, color_day: 'red;background:url(javascript:alert(1))', jump_url: 'javascript:window.__pwned=1'}])})})].flat());
		box.append(a, b, c);
		return [a.tagName, b.tagName, a.querySelector('.card-title').textContent === x, b.querySelector('.card-title').textContent === x, c.textContent === x, c.querySelector('a') === null, c.querySelector('[style]') === null].join(',');
	})`)
	if got != "DIV,DIV,true,true,true,true,true" {
		t.Errorf("share cards and hint from hostile contents: %s", got)
	}
	checkClean(t, b, "share cards and hints")
}
