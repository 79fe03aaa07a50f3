package web_test

import (
	"testing"

	"github.com/bilimsg/bilimsg/internal/testkit"
)

// Logging in through the form sets the API's cookies (SESSDATA stays HttpOnly, out of
// the page's reach); a wrong password shows bilibili's words; logout ends the login.
func TestBrowserLoginLogout(t *testing.T) {
	srv := testkit.Start(t, testkit.Options{Demo: true})
	b := newBrowser(t, srv)
	b.open("")
	b.waitFor(`document.body.dataset.page === 'login'`, "the login page")
	if got := b.text("h2"); got != "登录" {
		t.Errorf("login title %q, want 登录 (Chinese by default)", got)
	}

	b.typeInto("#login-account", "演示粉丝")
	b.typeInto("#login-password", "wrong")
	b.click("#login-submit")
	b.waitText("#login-error", "账号或者密码错误")

	b.setValue("#login-password", "")
	b.typeInto("#login-password", "bilimsg")
	b.click("#login-submit")
	b.waitFor(`document.body.dataset.page === 'app'`, "the message center after login")
	b.waitText(".me-name", "演示粉丝")
	if c := eval[string](b, "document.cookie"); !contains(c, "DedeUserID=2239814") || contains(c, "SESSDATA") {
		t.Errorf("page sees cookies %q: want DedeUserID and no SESSDATA (HttpOnly)", c)
	}
	b.waitFor(`document.body.dataset.live === 'on'`, "the live stream to connect")

	b.click("#logout")
	b.waitFor(`document.body.dataset.page === 'login'`, "the login page after logout")
	b.open("")
	b.waitFor(`document.body.dataset.page === 'login'`, "the login page after a reload: the login has ended")
}
