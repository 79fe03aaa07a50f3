package wire

import (
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bilimsg/bilimsg/internal/im"
)

// bilimsg's own endpoints for its web page: log in with a mid or name and a password,
// log out. They answer in bilibili's envelope (x family) and set or clear the cookies
// every other endpoint reads: SESSDATA (HttpOnly: scripts never see the session),
// bili_jct (readable: the page sends it as csrf, as bilibili's does) and DedeUserID.

// loginLifetime is how long the cookies are kept by the browser, as long as bilibili's.
const loginLifetime = 180 * 24 * time.Hour

type loginJSON struct {
	Mid uint64 `json:"mid"`
}

// login is POST /bilimsg/v1/login with account (a mid or a name) and password. A form
// posted from another site is refused (-111), so that no page can log a visitor into
// an account of its choosing (login CSRF).
func (h *Handler) login(c *call) (any, error) {
	if crossSite(c.r) {
		return nil, im.ErrCSRF
	}
	account, _, err := c.p.str("account")
	if err != nil {
		return nil, err
	}
	password, _, err := c.p.str("password")
	if err != nil {
		return nil, err
	}
	cr, err := c.svc.PasswordLogin(c.ctx, account, password, clientAddr(c.r))
	if err != nil {
		return nil, err
	}
	setLoginCookies(c.w, c.r, cr, loginLifetime)
	mid, _ := strconv.ParseUint(cr.DedeUserID, 10, 64)
	return loginJSON{Mid: mid}, nil
}

// logout is POST /bilimsg/v1/logout (logged in, with csrf): it ends this login and
// clears the cookies. The user's other logins stay.
func (h *Handler) logout(c *call) (any, error) {
	if err := c.svc.Logout(c.ctx, sessdata(c.r)); err != nil {
		return nil, err
	}
	setLoginCookies(c.w, c.r, im.Credentials{}, -1)
	return empty, nil
}

// setLoginCookies sets the three cookies for d (d < 0: deletes them).
func setLoginCookies(w http.ResponseWriter, r *http.Request, cr im.Credentials, d time.Duration) {
	secure := r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
	maxAge := int(d / time.Second)
	if d < 0 {
		maxAge = -1
	}
	for _, ck := range []struct {
		name, value string
		httpOnly    bool
	}{{"SESSDATA", cr.SESSDATA, true}, {"bili_jct", cr.BiliJct, false}, {"DedeUserID", cr.DedeUserID, false}} {
		http.SetCookie(w, &http.Cookie{Name: ck.name, Value: ck.value, Path: "/", MaxAge: maxAge,
			HttpOnly: ck.httpOnly, Secure: secure, SameSite: http.SameSiteLaxMode})
	}
}

// crossSite reports a request sent by a page of another site: the browser says so
// (Sec-Fetch-Site), or its Origin is not this host. Requests without either header
// (curl, the SDK) are not from a page.
func crossSite(r *http.Request) bool {
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return true
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return false
	}
	u, err := url.Parse(o)
	return err != nil || !strings.EqualFold(u.Host, r.Host)
}

// clientAddr is the remote address without its port, for the per-address login limit.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
