package web_test

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/bilimsg/bilimsg/internal/testkit"
)

var screenshots = flag.String("screenshots", "", "write the docs' screenshots of the page into this directory")

// TestScreenshots makes docs/screenshots/*.png from the demo world, logged in as the
// demo UP主 (docs/web.md has the command). Without -screenshots it skips.
func TestScreenshots(t *testing.T) {
	if *screenshots == "" {
		t.Skip("makes the docs' screenshots: go test ./internal/web -run TestScreenshots -args -screenshots=\"$PWD/docs/screenshots\"")
	}
	dir, err := filepath.Abs(*screenshots)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	srv := testkit.Start(t, testkit.Options{Demo: true})
	b := newBrowser(t, srv)
	b.do("viewport", chromedp.EmulateViewport(1280, 800))
	b.loginAsDemo(293793435) // the demo UP主

	settled := `[...document.images].every((i) => i.complete) && !document.querySelector('.loading')`
	shot := func(hash, want, name string, more ...string) {
		t.Helper()
		b.open(hash)
		b.waitFor(`document.body.dataset.live === 'on'`, "the live stream")
		b.waitFor(`document.querySelector('main').innerText.includes(`+strconv.Quote(want)+`)`, want)
		b.waitFor(settled, "images to load or fall back")
		for _, cond := range more {
			b.waitFor(cond, cond)
		}
		b.screenshot(filepath.Join(dir, name))
	}
	shot("#/whisper", "演示粉丝", "sessions.png")
	shot("#/whisper/mid2239814", "催更", "chat.png")
	shot("#/config", "屏蔽词", "settings.png")
	shot("#/reply", "做得好用心", "feed.png", `document.querySelector('.menu-item[data-menu=reply] .badge').hidden`)
}
