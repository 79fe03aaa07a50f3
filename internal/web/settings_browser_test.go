package web_test

import (
	"fmt"
	"net/url"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp/kb"

	"github.com/bilimsg/bilimsg/internal/testkit"
)

// prefs reads u's settings through link_setting/get (with the two keys answered only
// when asked for).
func prefs(t *testing.T, srv *testkit.Server, u testkit.User) map[string]any {
	t.Helper()
	var d map[string]any
	srv.Get(u, testkit.PathGetPrefs, url.Values{"msg_notify": {"1"}, "show_unfollowed_msg": {"1"}}).Data(t, &d)
	return d
}

// savedCount is how many changes the control of setting key has saved (data-saved).
func savedCount(b *browser, key string) int {
	b.t.Helper()
	return eval[int](b, fmt.Sprintf(`Number(document.querySelector('[data-setting=%s] [data-saved]')?.dataset.saved ?? 0)`, key))
}

// changePref clicks sel in the row of setting key, waits until the page has saved the
// change, and checks that the server holds want.
func changePref(t *testing.T, b *browser, srv *testkit.Server, u testkit.User, key, sel string, want int) {
	t.Helper()
	n := savedCount(b, key)
	b.click(fmt.Sprintf("[data-setting=%s] %s", key, sel))
	b.waitFor(fmt.Sprintf(`Number(document.querySelector('[data-setting=%s] [data-saved]')?.dataset.saved ?? 0) === %d`, key, n+1), key+" saved")
	if got := prefs(t, srv, u)[key]; got != float64(want) {
		t.Fatalf("%s = %v after the change, want %d", key, got, want)
	}
}

func switchOn(key string, on bool) string {
	return fmt.Sprintf(`document.querySelector('[data-setting=%s] .ui-switch')?.getAttribute('aria-checked') === '%t'`, key, on)
}

// toastShows is a JS expression: a toast says exactly msg.
func toastShows(msg string) string {
	return fmt.Sprintf(`[...document.querySelectorAll('#toasts .toast')].some(e => e.textContent === %s)`, strconv.Quote(msg))
}

// Each preference is saved as soon as it changes, with bilibili's values, and the page
// shows what the server holds after a reload.
func TestBrowserSettingsPrefs(t *testing.T) {
	srv := testkit.Start(t, testkit.Options{})
	me := srv.NewUser(1001, "咕咕鸽")
	b := newBrowser(t, srv)
	b.loginAs(me)
	b.open("#/config")
	b.waitFor(switchOn("ai_intercept", false), "the 私信智能拦截 switch, off")
	for key, label := range map[string]string{"ai_intercept": "私信智能拦截", "msg_notify": "消息提醒", "set_comment": "回复我的消息提醒",
		"set_at": "@我的消息提醒", "set_like": "收到的赞消息提醒", "receive_unfollow_msg": "接收未关注人消息",
		"show_unfollowed_msg": "收起未关注人消息", "should_receive_group": "接收应援团消息", "is_group_fold": "收起应援团消息"} {
		if got := b.text("#set-label-" + key); got != label {
			t.Errorf("label of %s: %q, want %q", key, got, label)
		}
	}
	if !eval[bool](b, switchOn("msg_notify", true)+" && "+switchOn("should_receive_group", true)+" && "+switchOn("set_like", true)+
		" && "+switchOn("is_group_fold", false)+` && document.querySelector('input[name=pref-set_comment][value="0"]').checked`) {
		t.Error("the defaults are not shown")
	}

	changePref(t, b, srv, me, "ai_intercept", ".ui-switch", 1)
	if !eval[bool](b, switchOn("ai_intercept", true)) {
		t.Error("the switch does not show on")
	}
	changePref(t, b, srv, me, "msg_notify", ".ui-switch", 3)
	changePref(t, b, srv, me, "set_like", ".ui-switch", 5)
	changePref(t, b, srv, me, "set_comment", `input[value="1"]`, 1)
	changePref(t, b, srv, me, "is_group_fold", ".ui-switch", 1)

	b.reload()
	b.waitFor(switchOn("ai_intercept", true), "ai_intercept still on after a reload")
	if !eval[bool](b, switchOn("msg_notify", false)+" && "+switchOn("set_like", false)+" && "+switchOn("is_group_fold", true)+
		` && document.querySelector('input[name=pref-set_comment][value="1"]').checked`) {
		t.Error("the saved settings are not shown after a reload")
	}

	// The app's newer "replies and @" key, stricter, is what applies: the page shows it,
	// and choosing 所有人 again lowers it so that the choice holds.
	srv.SetPrefs(me, map[string]int{"set_recv_reply": 2})
	b.reload()
	b.waitFor(`document.querySelector('input[name=pref-set_at][value="2"]')?.checked`, "@ shown as 不接受任何消息提醒 (set_recv_reply 2)")
	changePref(t, b, srv, me, "set_at", `input[value="0"]`, 0)
	if p := prefs(t, srv, me); p["set_recv_reply"] != float64(0) || p["set_comment"] != float64(1) {
		t.Errorf("after choosing 所有人 for @: %v", p)
	}
	b.waitFor(`document.querySelector('input[name=pref-set_comment][value="1"]').checked`, "回复我的 back to 关注的人")
}

// Block words: added with Enter or the button, refused in the server's words, deleted.
func TestBrowserSettingsBlockWords(t *testing.T) {
	srv := testkit.Start(t, testkit.Options{})
	me := srv.NewUser(1001, "咕咕鸽")
	words := func() []string {
		var d struct {
			Words []struct {
				Content string `json:"content"`
			} `json:"words"`
		}
		srv.Get(me, testkit.PathGetBlockWords, nil).Data(t, &d)
		var out []string
		for _, w := range d.Words {
			out = append(out, w.Content)
		}
		return out
	}
	b := newBrowser(t, srv)
	b.loginAs(me)
	b.open("#/config")
	b.click("[data-tab=block]")
	b.waitText(".block-list", "暂未添加屏蔽词")

	b.typeInto("#block-word-input", "代购"+kb.Enter)
	b.waitFor(`document.querySelector('.block-chip[data-word="代购"]')`, "the new word")
	b.typeInto("#block-word-input", "加微信")
	b.click("#block-word-add")
	b.waitFor(`document.querySelectorAll('.block-chip').length === 2`, "two words")
	if got := words(); len(got) != 2 || got[0] != "代购" || got[1] != "加微信" {
		t.Fatalf("server holds %v", got)
	}
	b.waitText(".block-summary", "已添加屏蔽词（2/200）")
	if v := eval[string](b, `document.querySelector('#block-word-input').value`); v != "" {
		t.Errorf("input keeps %q after adding", v)
	}

	b.typeInto("#block-word-input", "代购"+kb.Enter)
	b.waitFor(toastShows("添加失败，屏蔽词重复"), "the duplicate refusal")
	b.setValue("#block-word-input", "")
	b.typeInto("#block-word-input", "加 微信"+kb.Enter)
	b.waitFor(toastShows("添加失败，屏蔽词不支持空格"), "the space refusal")
	b.setValue("#block-word-input", "")
	b.typeInto("#block-word-input", "一二三四五六七八九十一二三四五六七八九十一"+kb.Enter)
	b.waitFor(toastShows("添加失败，屏蔽词限制最多20个字"), "the length refusal")
	if n := b.count(".block-chip"); n != 2 {
		t.Errorf("%d words shown after refusals", n)
	}

	b.click(`.block-chip[data-word="代购"] .block-del`)
	b.waitFor(`document.querySelectorAll('.block-chip').length === 1 && !document.querySelector('.block-chip[data-word="代购"]')`, "the word gone")
	if got := words(); len(got) != 1 || got[0] != "加微信" {
		t.Fatalf("server holds %v after the delete", got)
	}

	// #/config/block opens the tab directly.
	b.reload()
	b.waitFor(`document.querySelector('.set-tab.active')?.dataset.tab === 'block' && document.querySelector('.block-chip[data-word="加微信"]')`, "the block tab after a reload")
}

type replyText struct {
	ID    uint64 `json:"id"`
	Type  int    `json:"type"`
	Title string `json:"title"`
	Key1  string `json:"key1"`
	Key2  string `json:"key2"`
	Reply string `json:"reply"`
}

func replyTexts(t *testing.T, srv *testkit.Server, u testkit.User) []replyText {
	t.Helper()
	var d struct {
		Texts []replyText `json:"texts"`
	}
	srv.Get(u, testkit.PathGetReplyText, url.Values{"type[]": {"1", "2", "3", "5"}}).Data(t, &d)
	return d.Texts
}

// Auto-replies: switching one on needs 1000 fans (the server's 权限不足 is shown and the
// switch goes back); the followed reply's text is saved; a keyword rule is added and
// deleted.
func TestBrowserSettingsAutoReply(t *testing.T) {
	srv := testkit.Start(t, testkit.Options{})
	me := srv.NewUser(1001, "咕咕鸽")
	b := newBrowser(t, srv)
	b.loginAs(me)
	b.open("#/config/autoreply")
	b.waitFor(`document.querySelector('#autoreply-unavailable')`, "the fan-count notice")
	b.click("[data-setting=followed_reply] .ui-switch")
	b.waitFor(toastShows("权限不足"), "the refusal")
	b.waitFor(switchOn("followed_reply", false)+` && !document.querySelector('[data-setting=followed_reply] .ui-switch').disabled`, "the switch back off")

	srv.SetFans(me.Mid, 1000)
	b.reload()
	b.waitFor(`document.querySelector('#reply-text-1') && !document.querySelector('#autoreply-unavailable')`, "the auto-reply tab without the notice")
	changePref(t, b, srv, me, "followed_reply", ".ui-switch", 1)

	b.typeInto("#reply-text-1", "感谢关注！")
	b.waitText("[data-setting=followed_reply] .ui-counter", "5/500")
	b.click("#reply-save-1")
	b.waitFor(toastShows("保存成功"), "saved")
	if got := replyTexts(t, srv, me); len(got) != 1 || got[0].Type != 1 || got[0].Reply != "感谢关注！" {
		t.Fatalf("texts %+v", got)
	}

	b.click("[data-sub=keys]")
	b.waitText("#reply-rules", "暂无关键词回复规则")
	b.click("#rule-new")
	b.typeInto("#rule-title", "价格")
	b.typeInto("#rule-key1", "多少钱，价格")
	b.typeInto("#rule-key2", "报价")
	b.typeInto("#rule-reply", "商单请看置顶动态")
	b.click("#rule-save")
	b.waitFor(`document.querySelectorAll('#reply-rules .rule').length === 1`, "the rule listed")
	if got := b.text("#reply-rules .rule"); !contains(got, "价格") || !contains(got, "多少钱") || !contains(got, "报价") || !contains(got, "商单请看置顶动态") {
		t.Errorf("rule shows %q", got)
	}
	var rule replyText
	for _, x := range replyTexts(t, srv, me) {
		if x.Type == 2 {
			rule = x
		}
	}
	if rule.Title != "价格" || rule.Key1 != "多少钱，价格" || rule.Key2 != "报价" || rule.Reply != "商单请看置顶动态" {
		t.Fatalf("rule on the server: %+v", rule)
	}

	// Editing changes the same rule.
	b.click("#reply-rules .rule-edit")
	b.waitFor(`document.querySelector('#rule-title').value === '价格'`, "the form filled with the rule")
	b.setValue("#rule-reply", "")
	b.typeInto("#rule-reply", "请私信邮箱")
	b.click("#rule-save")
	b.waitText("#reply-rules .rule", "请私信邮箱")
	if got := replyTexts(t, srv, me); len(got) != 2 || got[1].ID != rule.ID || got[1].Reply != "请私信邮箱" {
		t.Fatalf("after the edit: %+v", got)
	}

	// Contact details are refused in the server's words.
	b.click("#rule-new")
	b.typeInto("#rule-title", "联系")
	b.typeInto("#rule-key2", "合作")
	b.typeInto("#rule-reply", "加我微信 abc123456")
	b.click("#rule-save")
	b.waitFor(toastShows("您保存的内容含敏感信息，请修改后重试"), "the sensitive-content refusal")
	b.click("#rule-cancel")

	b.click(fmt.Sprintf(`#reply-rules .rule[data-id="%d"] .rule-del`, rule.ID))
	b.waitFor(`document.querySelector('.ui-modal-ok')`, "the confirmation")
	b.click(".ui-modal-ok")
	b.waitFor(`document.querySelectorAll('#reply-rules .rule').length === 0`, "the rule gone")
	for _, x := range replyTexts(t, srv, me) {
		if x.Type == 2 {
			t.Fatalf("rule still on the server: %+v", x)
		}
	}

	b.reload()
	b.waitFor(`document.querySelector('#reply-text-1')?.value === '感谢关注！'`, "the saved text after a reload")
	if !eval[bool](b, switchOn("followed_reply", true)) {
		t.Error("followed_reply not shown on after a reload")
	}
}

// A block word and an auto-reply rule made of HTML are shown as text.
func TestBrowserSettingsHostile(t *testing.T) {
	srv := testkit.Start(t, testkit.Options{})
	me := srv.NewUser(1001, "咕咕鸽")
	const word = `<svg/onload=f()>`
	const title = `<img src=x onerror=f()>`
	b := newBrowser(t, srv)
	b.loginAs(me)
	b.open("#/config/block")
	b.waitFor(`document.querySelector('#block-word-input')`, "the block tab")
	b.typeInto("#block-word-input", word+kb.Enter)
	b.waitFor(`document.querySelector('.block-chip')`, "the word")
	if got := b.text(".block-chip .block-text"); got != word {
		t.Errorf("word shows as %q", got)
	}
	checkClean(t, b, "block word")

	srv.AddKeywordRule(me, title, hostileJS, hostileHTML, hostileHTML+hostileJS)
	srv.SetReply(me, 1, hostileHTML)
	b.click("[data-tab=autoreply]")
	b.waitFor(`document.querySelector('#reply-text-1')`, "the auto-reply tab")
	if v := eval[string](b, `document.querySelector('#reply-text-1').value`); v != hostileHTML {
		t.Errorf("followed reply text %q", v)
	}
	b.click("[data-sub=keys]")
	b.waitFor(`document.querySelector('#reply-rules .rule')`, "the rule")
	got := b.text("#reply-rules .rule")
	for _, want := range []string{title, hostileJS, hostileHTML} {
		if !contains(got, want) {
			t.Errorf("rule %q does not show %q as text", got, want)
		}
	}
	b.click("#reply-rules .rule-del")
	b.waitFor(`document.querySelector('.ui-modal-text')`, "the confirmation")
	if got := b.text(".ui-modal-text"); !contains(got, title) {
		t.Errorf("confirmation %q", got)
	}
	checkClean(t, b, "auto-reply rule")
	if eval[bool](b, `!!document.querySelector('body > .ui-modal-mask img, body > .ui-modal-mask script')`) {
		t.Error("the confirmation injected an element")
	}
	b.click(".ui-modal-cancel")
}

// The language switch draws the settings page in English and back.
func TestBrowserSettingsEnglish(t *testing.T) {
	srv := testkit.Start(t, testkit.Options{})
	me := srv.NewUser(1001, "咕咕鸽")
	b := newBrowser(t, srv)
	b.loginAs(me)
	b.open("#/config")
	b.waitText("#set-label-ai_intercept", "私信智能拦截")
	b.click("#lang-switch")
	b.waitText("#set-label-ai_intercept", "Smart message filter")
	if got := b.text(".set-tab.active"); got != "General" {
		t.Errorf("active tab %q in English", got)
	}
	if got := b.text("[data-setting=set_comment] .ui-radio-label"); got != "Everyone" {
		t.Errorf("radio %q in English", got)
	}
	b.click("#lang-switch")
	b.waitText("#set-label-ai_intercept", "私信智能拦截")
}
