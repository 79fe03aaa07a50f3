package web_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/bilimsg/bilimsg/internal/testkit"
)

// What opening the page costs, measured in Chromium: the files and the API requests
// until a chat is shown, live. The budgets catch a page that starts reading things
// twice, or a file that stops being compressed (docs/performance.md has the figures).
func TestBrowserPageLoad(t *testing.T) {
	srv := testkit.Start(t, testkit.Options{Demo: true})
	b := newBrowser(t, srv)
	b.loginAsDemo(293793435) // the demo UP主
	b.open("#/whisper/mid2239814")
	b.waitFor(`document.body.dataset.live === 'on'`, "the live stream")
	b.waitFor(`document.querySelector('main').innerText.includes('催更')`, "the chat")
	shown := eval[float64](b, `performance.now()`) // ms since the navigation started (±the poll's interval)
	b.waitFor(`[...document.images].every((i) => i.complete) && !document.querySelector('.loading')`, "the page to settle")

	type entry struct {
		Name     string  `json:"name"`
		Transfer float64 `json:"transferSize"`
		Body     float64 `json:"decodedBodySize"`
		Duration float64 `json:"duration"`
	}
	raw, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`JSON.stringify([
	  ...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
	  .map((e) => ({name: e.name, transferSize: e.transferSize, decodedBodySize: e.decodedBodySize, duration: e.duration})))`))
	if err != nil {
		t.Fatal(err)
	}
	var entries []entry
	if err := json.Unmarshal([]byte(raw), &entries); err != nil {
		t.Fatal(err)
	}
	var files, apis int
	var transferred, decoded float64
	calls := map[string]int{}
	for _, e := range entries {
		u, err := url.Parse(e.Name)
		if err != nil || !strings.HasPrefix(e.Name, b.base) {
			continue // an image of bilibili's hosts, unreachable here
		}
		if u.Path == "/" || strings.HasPrefix(u.Path, "/static/") {
			files++
			transferred += e.Transfer
			decoded += e.Body
			continue
		}
		apis++
		calls[u.Path]++
	}
	paths := make([]string, 0, len(calls))
	for p, n := range calls {
		paths = append(paths, fmt.Sprintf("%s ×%d", p, n))
	}
	sort.Strings(paths)
	t.Logf("page and files: %d requests, %.0f KB transferred (%.0f KB decoded)", files, transferred/1024, decoded/1024)
	t.Logf("API requests until the chat shows: %d\n  %s", apis, strings.Join(paths, "\n  "))
	t.Logf("the chat shown %.0f ms after the navigation started", shown)
	if transferred > 160*1024 {
		t.Errorf("the page's files weigh %.0f KB on the wire: budget 160 KB", transferred/1024)
	}
	if apis > 16 {
		t.Errorf("%d API requests to open a chat: budget 16", apis)
	}
}
