package wire_test

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/internal/testkit"
)

const (
	pathLogin  = "/bilimsg/v1/login"
	pathLogout = "/bilimsg/v1/logout"
)

// lgUser creates a user with a password through the operator API.
func lgUser(t *testing.T, s *testkit.Server, mid uint64, name, password string) {
	t.Helper()
	if st := s.Admin("POST", "/admin/v1/users", map[string]any{"mid": mid, "name": name, "password": password}, nil); st != 200 {
		t.Fatalf("create user: status %d", st)
	}
}

// lgPost posts a form with extra headers and no cookies unless given.
func lgPost(t *testing.T, s *testkit.Server, path string, form url.Values, header http.Header, cookies ...*http.Cookie) *http.Response {
	t.Helper()
	req, err := http.NewRequest("POST", s.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, vs := range header {
		req.Header[k] = vs
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	resp, err := s.HTTP.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func lgBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func lgCookies(resp *http.Response) map[string]*http.Cookie {
	out := map[string]*http.Cookie{}
	for _, c := range resp.Cookies() {
		out[c.Name] = c
	}
	return out
}

// TestLoginSetsCookies: a good login answers {mid} and sets SESSDATA (HttpOnly),
// bili_jct and DedeUserID for 180 days, Lax, on the whole site; the cookies work on
// bilibili's endpoints; behind an https proxy they are Secure.
func TestLoginSetsCookies(t *testing.T) {
	s := testkit.Start(t, testkit.Options{})
	lgUser(t, s, 1001, "小明", "correct horse")
	for _, https := range []bool{false, true} {
		h := http.Header{"Origin": {s.URL}} // the page itself
		if https {
			h = http.Header{"X-Forwarded-Proto": {"https"}}
		}
		resp := lgPost(t, s, pathLogin, url.Values{"account": {"小明"}, "password": {"correct horse"}}, h)
		if body := lgBody(t, resp); body != `{"code":0,"message":"0","ttl":1,"data":{"mid":1001}}` {
			t.Fatalf("login answer %s", body)
		}
		ck := lgCookies(resp)
		for name, httpOnly := range map[string]bool{"SESSDATA": true, "bili_jct": false, "DedeUserID": false} {
			c := ck[name]
			if c == nil || c.Value == "" || c.Path != "/" || c.MaxAge != 180*24*3600 || c.HttpOnly != httpOnly ||
				c.SameSite != http.SameSiteLaxMode || c.Secure != https {
				t.Fatalf("https=%v: cookie %s = %+v", https, name, c)
			}
		}
		if ck["DedeUserID"].Value != "1001" {
			t.Fatalf("DedeUserID = %q", ck["DedeUserID"].Value)
		}
		u := testkit.User{Mid: 1001, SESSDATA: ck["SESSDATA"].Value, BiliJct: ck["bili_jct"].Value}
		if code := s.Get(u, testkit.PathSingleUnread, nil).Code(t); code != 0 {
			t.Fatalf("the login's cookies: single_unread code %d", code)
		}
		if code := s.Post(u, testkit.PathSetTop, q("talker_id", "1", "session_type", "1", "op_type", "0")).Code(t); code != 0 {
			t.Fatalf("the login's bili_jct as csrf: set_top code %d", code)
		}
	}
}

// TestLoginRefusals: each refusal is bilibili's envelope with no data and no cookie.
func TestLoginRefusals(t *testing.T) {
	s := testkit.Start(t, testkit.Options{})
	lgUser(t, s, 1001, "小明", "correct horse")
	lgUser(t, s, 1002, "重名", "a")
	lgUser(t, s, 1003, "重名", "b")
	env := func(code int, msg string) string {
		return `{"code":` + strconv.Itoa(code) + `,"message":"` + msg + `","ttl":1}`
	}
	for _, c := range []struct {
		name   string
		form   url.Values
		header http.Header
		want   string
	}{
		{"wrong password", url.Values{"account": {"1001"}, "password": {"x"}}, nil, env(-629, "账号或者密码错误")},
		{"unknown", url.Values{"account": {"nobody"}, "password": {"x"}}, nil, env(-629, "账号或者密码错误")},
		{"shared name", url.Values{"account": {"重名"}, "password": {"a"}}, nil, env(-629, "该昵称对应多个账号，请使用UID登录")},
		{"no password", url.Values{"account": {"1001"}}, nil, env(-400, "请求错误")},
		{"no account", url.Values{"password": {"x"}}, nil, env(-400, "请求错误")},
		{"another site's form", url.Values{"account": {"1001"}, "password": {"correct horse"}},
			http.Header{"Origin": {"https://evil.example"}}, env(-111, "csrf 校验失败")},
		{"a cross-site fetch", url.Values{"account": {"1001"}, "password": {"correct horse"}},
			http.Header{"Sec-Fetch-Site": {"cross-site"}}, env(-111, "csrf 校验失败")},
	} {
		resp := lgPost(t, s, pathLogin, c.form, c.header)
		if body := lgBody(t, resp); body != c.want || len(resp.Cookies()) != 0 || resp.StatusCode != 200 {
			t.Errorf("%s: %d %s, cookies %v; want %s", c.name, resp.StatusCode, body, resp.Cookies(), c.want)
		}
	}
	// A GET is -400, as for every POST endpoint.
	resp, err := s.HTTP.Client().Get(s.URL + pathLogin + "?account=1001&password=correct+horse")
	if err != nil {
		t.Fatal(err)
	}
	if body := lgBody(t, resp); body != env(-400, "请求错误") || len(resp.Cookies()) != 0 {
		t.Errorf("GET: %s", body)
	}
	resp.Body.Close()
	// Five wrong passwords from one address lock the account for a while: -509.
	for range 5 {
		lgPost(t, s, pathLogin, url.Values{"account": {"小明"}, "password": {"guess"}}, nil)
	}
	resp = lgPost(t, s, pathLogin, url.Values{"account": {"1001"}, "password": {"correct horse"}}, nil)
	if body := lgBody(t, resp); body != env(-509, "请求过于频繁，请稍后再试") {
		t.Errorf("after five wrong passwords: %s", body)
	}
	s.Advance(15 * time.Minute)
	resp = lgPost(t, s, pathLogin, url.Values{"account": {"1001"}, "password": {"correct horse"}}, nil)
	if body := lgBody(t, resp); !strings.HasPrefix(body, `{"code":0,`) {
		t.Errorf("after the window: %s", body)
	}
}

// TestLogout: logout needs the login and its csrf; it clears the cookies, and the
// SESSDATA stops working while the user's other logins go on.
func TestLogout(t *testing.T) {
	s := testkit.Start(t, testkit.Options{})
	u := s.NewUser(0, "u")
	second := loginAgain(t, s, u.Mid)
	if code := s.Post(u, pathLogout, q("csrf", "wrong")).Code(t); code != -111 {
		t.Fatalf("logout with a wrong csrf: code %d, want -111", code)
	}
	resp := lgPost(t, s, pathLogout, q("csrf", u.BiliJct), nil, &http.Cookie{Name: "SESSDATA", Value: u.SESSDATA})
	if body := lgBody(t, resp); body != `{"code":0,"message":"0","ttl":1,"data":{}}` {
		t.Fatalf("logout: %s", body)
	}
	ck := lgCookies(resp)
	for _, name := range []string{"SESSDATA", "bili_jct", "DedeUserID"} {
		if c := ck[name]; c == nil || c.MaxAge >= 0 || c.Value != "" {
			t.Errorf("logout does not clear %s: %+v", name, c)
		}
	}
	if code := s.Get(u, testkit.PathSingleUnread, nil).Code(t); code != -101 {
		t.Errorf("the SESSDATA after logout: code %d, want -101", code)
	}
	if code := s.Get(second, testkit.PathSingleUnread, nil).Code(t); code != 0 {
		t.Errorf("another login of the user after logout: code %d, want 0", code)
	}
	if code := s.Post(u, pathLogout, nil).Code(t); code != -101 {
		t.Errorf("logout again: code %d, want -101", code)
	}
}

func loginAgain(t *testing.T, s *testkit.Server, mid uint64) testkit.User {
	t.Helper()
	var cr struct {
		SESSDATA string `json:"SESSDATA"`
		BiliJct  string `json:"bili_jct"`
	}
	if st := s.Admin("POST", "/admin/v1/users/"+strconv.FormatUint(mid, 10)+"/login", nil, &cr); st != 200 {
		t.Fatalf("login: %d", st)
	}
	return testkit.User{Mid: mid, SESSDATA: cr.SESSDATA, BiliJct: cr.BiliJct}
}
