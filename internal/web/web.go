// Package web serves bilimsg's message center page: plain HTML, CSS and JavaScript
// modules embedded in the binary (no build step), which talk to the same bilibili API
// every other client uses, plus the live-event stream.
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/bilimsg/bilimsg/internal/emoji"
)

//go:embed static
var embedded embed.FS

// securityHeaders go on every answer of the page. The Content-Security-Policy is the
// second wall behind the page's own rule (user content only ever reaches the DOM as
// text): no inline script or style can run, whatever a message contains. Images may
// come from anywhere over http(s) — avatars, emoji and message images are bilibili
// image URLs — and no Referer is sent, as bilibili's image hosts refuse foreign ones.
var securityHeaders = [][2]string{
	{"Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; " +
		"img-src 'self' https: http: data:; connect-src 'self'; font-src 'self'; " +
		"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"},
	{"X-Content-Type-Options", "nosniff"},
	{"Referrer-Policy", "no-referrer"},
	{"X-Frame-Options", "DENY"},
}

type asset struct {
	body  []byte
	gz    []byte // body gzipped once at start, nil when that does not pay
	ctype string
	etag  string
}

// Handler serves the page at / and its files under /static/.
type Handler struct {
	assets map[string]asset // by URL path
}

// New reads the embedded files once and adds /static/emoji.json, the emoji panel
// built from the server's own catalog (the one that fills e_infos).
func New(cat *emoji.Catalog) (*Handler, error) {
	h := &Handler{assets: map[string]asset{}}
	err := fs.WalkDir(embedded, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := embedded.ReadFile(p)
		if err != nil {
			return err
		}
		h.add("/"+p, b)
		return nil
	})
	if err != nil {
		return nil, err
	}
	panel, err := emojiPanel(cat)
	if err != nil {
		return nil, err
	}
	h.add("/static/emoji.json", panel)
	return h, nil
}

func (h *Handler) add(urlPath string, b []byte) {
	ct := mime.TypeByExtension(path.Ext(urlPath))
	switch path.Ext(urlPath) { // not left to the machine's mime tables
	case ".js":
		ct = "text/javascript; charset=utf-8"
	case ".css":
		ct = "text/css; charset=utf-8"
	case ".html":
		ct = "text/html; charset=utf-8"
	case ".json":
		ct = "application/json; charset=utf-8"
	case ".svg":
		ct = "image/svg+xml"
	}
	sum := sha256.Sum256(b)
	a := asset{body: b, ctype: ct, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	if buf.Len() < len(b)*9/10 {
		a.gz = buf.Bytes()
	}
	h.assets[urlPath] = a
}

// Register mounts the page on mux. The page is the exact path / only: every other
// unknown path stays with the bilibili API's -404 envelope.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		h.serve(w, r, "/static/index.html")
	})
	mux.HandleFunc("GET /static/", func(w http.ResponseWriter, r *http.Request) {
		h.serve(w, r, r.URL.Path)
	})
}

// serve answers with one embedded file. Files are revalidated on every load
// (no-cache + ETag): module imports have no fingerprints, and a server upgrade must
// never leave a browser with half old, half new modules.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request, p string) {
	for _, kv := range securityHeaders {
		w.Header().Set(kv[0], kv[1])
	}
	a, ok := h.assets[p]
	if !ok {
		http.Error(w, "404 page not found", http.StatusNotFound)
		return
	}
	// The gzipped answer is another representation, with its own ETag.
	gz := a.gz != nil && acceptsGzip(r.Header.Get("Accept-Encoding"))
	etag := a.etag
	if gz {
		etag = strings.TrimSuffix(etag, `"`) + `-gz"`
	}
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Vary", "Accept-Encoding")
	w.Header().Set("ETag", etag)
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", a.ctype)
	if gz {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Length", strconv.Itoa(len(a.gz)))
		if r.Method != http.MethodHead {
			w.Write(a.gz)
		}
		return
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
}

// acceptsGzip reports whether an Accept-Encoding header lists gzip (without q=0).
func acceptsGzip(header string) bool {
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") {
			q := strings.ReplaceAll(params, " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}

// emojiPanel is the picker's list: name and image of every emoji the server knows, in
// the catalog's order.
func emojiPanel(cat *emoji.Catalog) ([]byte, error) {
	type item struct {
		Text string `json:"text"`
		URL  string `json:"url"`
	}
	items := []item{}
	for _, e := range cat.All() {
		items = append(items, item{Text: e.Text, URL: e.URL})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(map[string]any{"emoji": items}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
