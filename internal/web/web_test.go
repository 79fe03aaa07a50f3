package web_test

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bilimsg/bilimsg/internal/testkit"
)

func get(t *testing.T, url string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestPageServed(t *testing.T) {
	srv := testkit.Start(t, testkit.Options{})
	resp, body := get(t, srv.URL+"/", nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if !strings.Contains(body, `<script type="module" src="/static/js/app.js">`) {
		t.Errorf("index.html does not load the app module")
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "default-src 'none'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP allows inline or eval: %q", csp)
	}
	for k, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}

	// Revalidation: the ETag answers 304.
	etag := resp.Header.Get("ETag")
	if etag == "" || resp.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("ETag %q, Cache-Control %q", etag, resp.Header.Get("Cache-Control"))
	}
	if r, _ := get(t, srv.URL+"/", map[string]string{"If-None-Match": etag}); r.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: %d, want 304", r.StatusCode)
	}

	for path, ctype := range map[string]string{
		"/static/js/app.js":     "text/javascript; charset=utf-8",
		"/static/css/style.css": "text/css; charset=utf-8",
		"/static/favicon.svg":   "image/svg+xml",
		"/static/emoji.json":    "application/json; charset=utf-8",
	} {
		r, _ := get(t, srv.URL+path, nil)
		if r.StatusCode != 200 || r.Header.Get("Content-Type") != ctype {
			t.Errorf("GET %s: %d %q, want 200 %q", path, r.StatusCode, r.Header.Get("Content-Type"), ctype)
		}
	}
	for _, path := range []string{"/static/", "/static/nope.js", "/static/js/", "/static/../go.mod"} {
		if r, _ := get(t, srv.URL+path, nil); r.StatusCode != 404 {
			t.Errorf("GET %s: %d, want 404", path, r.StatusCode)
		}
	}
}

// index.html preloads every module, so that a browser fetches them all at once instead
// of one level of imports after another (a round trip each on a real network).
func TestEveryModulePreloaded(t *testing.T) {
	index, err := os.ReadFile("static/index.html")
	if err != nil {
		t.Fatal(err)
	}
	mods, err := filepath.Glob("static/js/*.js")
	if err != nil || len(mods) == 0 {
		t.Fatal(mods, err)
	}
	for _, m := range mods {
		name := filepath.Base(m)
		if name == "app.js" {
			continue
		}
		if !strings.Contains(string(index), `<link rel="modulepreload" href="/static/js/`+name+`">`) {
			t.Errorf("index.html does not preload %s", name)
		}
	}
}

// The page takes / and /static/ only: every other path is still bilibili's API, whose
// unknown paths answer the -404 envelope, and POST / is not the page.
func TestPageLeavesTheAPIAlone(t *testing.T) {
	srv := testkit.Start(t, testkit.Options{})
	for _, tc := range []struct{ method, path string }{{"GET", "/nope"}, {"POST", "/"}, {"GET", "/index.html"}} {
		req, _ := http.NewRequest(tc.method, srv.URL+tc.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var env struct {
			Code int `json:"code"`
		}
		err = json.NewDecoder(resp.Body).Decode(&env)
		resp.Body.Close()
		if err != nil || env.Code != -404 {
			t.Errorf("%s %s: code %d (%v), want the -404 envelope", tc.method, tc.path, env.Code, err)
		}
	}
}

func TestEmojiPanel(t *testing.T) {
	srv := testkit.Start(t, testkit.Options{})
	_, body := get(t, srv.URL+"/static/emoji.json", nil)
	var panel struct {
		Emoji []struct{ Text, URL string } `json:"emoji"`
	}
	if err := json.Unmarshal([]byte(body), &panel); err != nil {
		t.Fatal(err)
	}
	if len(panel.Emoji) != srv.App.Service.Emoji().Len() {
		t.Fatalf("%d emoji, want the catalog's %d", len(panel.Emoji), srv.App.Service.Emoji().Len())
	}
	for _, e := range panel.Emoji {
		if !strings.HasPrefix(e.Text, "[") || !strings.HasSuffix(e.Text, "]") || !strings.HasPrefix(e.URL, "http") {
			t.Fatalf("bad entry %+v", e)
		}
	}
}

// The page's rule, checked in its source: no HTML parser ever sees a string. Every
// element is made by dom.js's h() with text children.
func TestNoHTMLSinks(t *testing.T) {
	sinks := regexp.MustCompile(`\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|createContextualFragment|\beval\(|new Function\(|DOMParser|srcdoc`)
	err := filepath.WalkDir("static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".js") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			code := line
			if j := strings.Index(code, "//"); j >= 0 && !strings.Contains(code[:j], "'") && !strings.Contains(code[:j], "`") {
				code = code[:j]
			}
			if m := sinks.FindString(code); m != "" {
				t.Errorf("%s:%d uses %s: build elements with h() instead", p, i+1, m)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Text files go out gzipped (compressed once at start) to a browser that accepts it,
// with their own ETag; the same bytes otherwise.
func TestPageGzip(t *testing.T) {
	srv := testkit.Start(t, testkit.Options{})
	plainResp, plain := get(t, srv.URL+"/static/js/app.js", map[string]string{"Accept-Encoding": "identity"})
	if plainResp.Header.Get("Content-Encoding") != "" {
		t.Fatalf("identity answered with %q", plainResp.Header.Get("Content-Encoding"))
	}
	resp, body := get(t, srv.URL+"/static/js/app.js", map[string]string{"Accept-Encoding": "br, gzip, deflate"})
	if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("Content-Encoding %q, Vary %q", resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"))
	}
	zr, err := gzip.NewReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil || string(unzipped) != plain {
		t.Fatalf("gzipped body differs from the plain one (%v)", err)
	}
	if len(body) >= len(plain) {
		t.Errorf("gzipped %d bytes, plain %d", len(body), len(plain))
	}
	if resp.Header.Get("ETag") == plainResp.Header.Get("ETag") {
		t.Errorf("both representations have ETag %s", resp.Header.Get("ETag"))
	}
	if r, _ := get(t, srv.URL+"/static/js/app.js", map[string]string{"Accept-Encoding": "gzip", "If-None-Match": resp.Header.Get("ETag")}); r.StatusCode != 304 {
		t.Errorf("revalidating the gzipped file: %d", r.StatusCode)
	}
	if r, _ := get(t, srv.URL+"/static/js/app.js", map[string]string{"Accept-Encoding": "gzip;q=0"}); r.Header.Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0 answered gzipped")
	}
}
