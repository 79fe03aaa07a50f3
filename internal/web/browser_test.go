package web_test

// The browser harness: the page's tests drive a real Chromium (Debian's chromium
// package in CI, which .ci/run installs) through the DevTools protocol against a
// whole bilimsg started in the test. Without a Chromium the tests skip, saying so,
// unless BILIMSG_REQUIRE_BROWSER is set (CI sets it: there a missing browser is a
// failure, not a skip).

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/bilimsg/bilimsg/client"
	"github.com/bilimsg/bilimsg/internal/testkit"
)

// One browser process serves every test of the package; each test gets its own
// browser context (its own cookies and storage) and tab.
var chrome struct {
	once    sync.Once
	path    string
	ctx     context.Context // the browser's
	cancel  func()
	startEr error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if chrome.cancel != nil {
		chrome.cancel()
	}
	os.Exit(code)
}

func findChromium() string {
	if p := os.Getenv("BILIMSG_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

func startChrome() {
	chrome.path = findChromium()
	if chrome.path == "" {
		return
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome.path),
		chromedp.NoSandbox, // CI runs as root, where Chromium's sandbox cannot start
		chromedp.WindowSize(1280, 800),
		// This machine's network is closed: without these Chromium keeps dialling
		// Google's hosts.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "zh-CN"),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		chrome.startEr = err
	}
	chrome.ctx = ctx
	chrome.cancel = func() { cancelCtx(); cancelAlloc() }
}

// browser is one tab of a fresh browser context, pointed at one test server.
type browser struct {
	t    *testing.T
	ctx  context.Context
	srv  *testkit.Server
	base string // where the browser reaches the server: srv.URL, or a proxy in front of it

	mu     sync.Mutex
	errors []string // exceptions thrown in the page
}

func newBrowser(t *testing.T, srv *testkit.Server) *browser {
	t.Helper()
	chrome.once.Do(startChrome)
	if chrome.path == "" {
		if os.Getenv("BILIMSG_REQUIRE_BROWSER") != "" {
			t.Fatal("BILIMSG_REQUIRE_BROWSER is set but no Chromium was found (apt-get install chromium, or set BILIMSG_CHROMIUM)")
		}
		t.Skip("browser test skipped: no Chromium found — install Debian's chromium (apt-get install chromium) or set BILIMSG_CHROMIUM=/path/to/chrome")
	}
	if chrome.startEr != nil {
		t.Fatalf("start %s: %v", chrome.path, chrome.startEr)
	}
	ctx, cancel := chromedp.NewContext(chrome.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	ctx, cancelT := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(cancelT)
	b := &browser{t: t, ctx: ctx, srv: srv, base: srv.URL}
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open tab: %v", err)
	}
	if err := chromedp.Listen(ctx, b.onEvent); err != nil {
		t.Fatalf("listen: %v", err)
	}
	t.Cleanup(func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, e := range b.errors {
			t.Errorf("exception in the page: %s", e)
		}
	})
	return b
}

func (b *browser) onEvent(ev any) {
	switch e := ev.(type) {
	case *runtime.EventExceptionThrown:
		d := e.ExceptionDetails
		msg := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			msg = d.Exception.Description
		}
		b.mu.Lock()
		b.errors = append(b.errors, fmt.Sprintf("%s (%s:%d)", msg, d.URL, d.LineNumber))
		b.mu.Unlock()
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning {
			var parts []string
			for _, a := range e.Args {
				if a.Description != "" {
					parts = append(parts, a.Description)
				} else {
					parts = append(parts, string(a.Value))
				}
			}
			b.t.Logf("console.%s: %s", e.Type, strings.Join(parts, " "))
		}
	}
}

// do runs steps, failing the test on an error.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v\npage: %s", what, err, b.pageText())
	}
}

// loginAs gives the browser u's cookies, as the login endpoint sets them.
func (b *browser) loginAs(u testkit.User) {
	b.t.Helper()
	yes := true
	for _, c := range []network.SetCookieParams{
		{Name: "SESSDATA", Value: u.SESSDATA, URL: b.base, Path: "/", HTTPOnly: &yes},
		{Name: "bili_jct", Value: u.BiliJct, URL: b.base, Path: "/"},
		{Name: "DedeUserID", Value: strconv.FormatUint(u.Mid, 10), URL: b.base, Path: "/"},
	} {
		if _, err := chromedp.Call(b.ctx, network.SetCookie, c); err != nil {
			b.t.Fatalf("set cookie %s: %v", c.Name, err)
		}
	}
}

// loginAsDemo gives the browser the cookies of a demo user (a server started with Demo).
func (b *browser) loginAsDemo(mid uint64) {
	b.t.Helper()
	cred, err := client.DemoLogin(b.srv.Dir, mid)
	if err != nil {
		b.t.Fatal(err)
	}
	b.loginAs(testkit.User{Mid: cred.Mid, SESSDATA: cred.SESSDATA, BiliJct: cred.BiliJct})
}

// open loads the page afresh at hash ("#/whisper") and waits until it has drawn itself
// (the login page or the message center).
func (b *browser) open(hash string) {
	b.t.Helper()
	// about:blank first: from the page itself, a new hash would only be a same-document
	// navigation, not a load.
	b.do("open "+hash, chromedp.Navigate("about:blank"), chromedp.Navigate(b.base+"/"+hash))
	b.waitFor("document.body.dataset.page", "the page to draw")
}

// waitFor polls the JavaScript expression until it is truthy (10 s at most). Right
// after a navigation, while chromedp has not yet seen the new document's JavaScript
// context, an evaluation can fail with "Cannot find context with specified id": that
// one error is waited out too.
func (b *browser) waitFor(expr, what string) {
	b.t.Helper()
	for try := 0; ; try++ {
		_, err := chromedp.Run(b.ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(10*time.Second)))
		if err == nil {
			return
		}
		if try < 5 && strings.Contains(err.Error(), "Cannot find context") {
			continue
		}
		b.t.Fatalf("waiting for %s (%s): %v\npage: %s", what, expr, err, b.pageText())
	}
}

// reload reloads the page (a new document: a mark set on the old one is gone).
func (b *browser) reload() {
	b.t.Helper()
	eval[bool](b, `(window.__before_reload = true)`)
	b.do("reload", chromedp.Reload())
	b.waitFor(`document.body.dataset.page && window.__before_reload === undefined`, "the reloaded page")
}

// waitText waits until the element sel exists and its text contains want.
func (b *browser) waitText(sel, want string) {
	b.t.Helper()
	b.waitFor(fmt.Sprintf("(document.querySelector(%s)?.textContent ?? '').includes(%s)", strconv.Quote(sel), strconv.Quote(want)),
		fmt.Sprintf("%q to show %q", sel, want))
}

// eval evaluates a JavaScript expression and returns its JSON value as T.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("eval %s: %v", expr, err)
	}
	return v
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	return eval[string](b, fmt.Sprintf("document.querySelector(%s)?.textContent ?? ''", strconv.Quote(sel)))
}

func (b *browser) count(sel string) int {
	b.t.Helper()
	return eval[int](b, fmt.Sprintf("document.querySelectorAll(%s).length", strconv.Quote(sel)))
}

func (b *browser) click(sel string) {
	b.t.Helper()
	b.do("click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// typeInto types text into the element sel with real key events.
func (b *browser) typeInto(sel, text string) {
	b.t.Helper()
	b.do("type into "+sel, chromedp.SendKeys(chromedp.CSS(sel), text))
}

func (b *browser) pageText() string {
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string]("document.body ? document.body.innerText.slice(0, 2000) : ''"))
	if err != nil {
		return "(unreadable: " + err.Error() + ")"
	}
	return s
}

func (b *browser) screenshot(path string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// setValue sets an input's value directly (to clear it before typing).
func (b *browser) setValue(sel, v string) {
	b.t.Helper()
	eval[bool](b, fmt.Sprintf("(document.querySelector(%s).value = %s, true)", strconv.Quote(sel), strconv.Quote(v)))
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// checkClean fails the test if anything of the hostile content became markup.
func checkClean(t *testing.T, b *browser, where string) {
	t.Helper()
	if v := eval[string](b, `String(window.__pwned)`); v != "undefined" {
		t.Errorf("%s: window.__pwned = %s: script ran", where, v)
	}
	if n := b.count("body script"); n != 0 {
		t.Errorf("%s: %d <script> elements in the body", where, n)
	}
	if n := b.count("svg"); n != 0 {
		t.Errorf("%s: %d <svg> elements", where, n)
	}
	if s := eval[string](b, `[...document.querySelectorAll('*')].flatMap((e) => [...e.attributes].filter((a) => /^on/i.test(a.name)).map((a) => e.tagName + ' ' + a.name)).join(', ')`); s != "" {
		t.Errorf("%s: event-handler attributes in the DOM: %s", where, s)
	}
	if s := eval[string](b, `[...document.querySelectorAll('img')].filter((i) => !/^https?:/.test(i.getAttribute('src') || '')).map((i) => i.outerHTML).join(', ')`); s != "" {
		t.Errorf("%s: images that are not the page's (no http(s) source): %s", where, s)
	}
	if s := eval[string](b, `[...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href')).filter((h) => !/^(https?:\/\/|#)/i.test(h)).join(', ')`); s != "" {
		t.Errorf("%s: links that are not http(s): %s", where, s)
	}
	if n := b.count("iframe, object, embed, frame, body style, base, meta[http-equiv]"); n != 0 {
		t.Errorf("%s: %d foreign elements", where, n)
	}
}
