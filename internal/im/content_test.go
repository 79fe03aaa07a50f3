package im_test

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bilimsg/bilimsg/internal/im"
)

// jsonObject decodes raw the way a client's JSON.parse would see it: a single JSON object
// (duplicate keys: the last wins, names are case-sensitive). ok is false for anything else.
func jsonObject(raw string) (map[string]any, bool) {
	if !utf8.ValidString(raw) || !json.Valid([]byte(raw)) {
		return nil, false
	}
	t := bytes.TrimLeft([]byte(raw), " \t\r\n")
	if len(t) == 0 || t[0] != '{' {
		return nil, false
	}
	var obj map[string]any
	if json.Unmarshal([]byte(raw), &obj) != nil {
		return nil, false
	}
	return obj, true
}

func FuzzParseText(f *testing.F) {
	for _, s := range []string{
		`{"content":"hi"}`, `{"content":""}`, `{"content":null}`, `{"content":1}`, `{}`, `[]`, `null`, `"x"`,
		`{"content":"[doge]","extra":{"a":[1,2]}}`, ` {"content":"pad"} `, `{"content":"a","content":""}`,
		`{"Content":"case"}`, `{"content":"a","CONTENT":"b"}`, `{"content":"\u0000"}`, `{"content":"\ud800"}`,
		"{\"content\":\"\xff\"}", `{"content":"x"} {}`, `{"content":"x"`, ``,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		text, err := im.ParseText(raw)
		obj, isObj := jsonObject(raw)
		want, isStr := obj["content"].(string)
		if err != nil {
			if err != im.ErrBadRequest {
				t.Fatalf("ParseText(%q) = %v, want only -400 as an error", raw, err)
			}
			if isObj && isStr && want != "" {
				t.Fatalf("ParseText(%q) refused an object with content %q", raw, want)
			}
			return
		}
		if text == "" {
			t.Fatalf("ParseText(%q) accepted an empty text", raw)
		}
		if !isObj {
			t.Fatalf("ParseText(%q) accepted something that is not one valid JSON object", raw)
		}
		if !isStr || want != text {
			t.Fatalf("ParseText(%q) = %q, but the object's content is %#v", raw, text, obj["content"])
		}
		// Stored texts are read back with TextOf (e_infos in history): it must see the same text.
		if got := im.TextOf(raw); got != text {
			t.Fatalf("TextOf(%q) = %q, ParseText gave %q", raw, got, text)
		}
	})
}

// hostOf is an independent reading of an absolute http(s) URL's host, the way a browser
// splits it: the authority ends at the first '/', '?', '#' or '\'.
func hostOf(raw string) (scheme, host, rest string, ok bool) {
	i := strings.Index(raw, "://")
	if i < 0 {
		return "", "", "", false
	}
	scheme = strings.ToLower(raw[:i])
	auth := raw[i+3:]
	end := strings.IndexAny(auth, "/?#\\")
	if end < 0 {
		end = len(auth)
	}
	auth, rest = auth[:end], auth[end:]
	if strings.Contains(auth, "@") {
		return "", "", "", false
	}
	if j := strings.LastIndex(auth, ":"); j >= 0 && !strings.Contains(auth[j:], "]") {
		auth = auth[:j]
	}
	return scheme, strings.ToLower(auth), rest, true
}

func FuzzParseImage(f *testing.F) {
	for _, s := range []string{
		`{"url":"https://i0.hdslb.com/bfs/im/a.png","height":1,"width":2,"imageType":"png","size":55.443}`,
		`{"url":"http://message.biliimg.com/bfs/im/b.jpg"}`, `{"url":"https://I0.HDSLB.COM/bfs/x"}`,
		`{"url":"https://example.com/bfs/a.png"}`, `{"url":"https://hdslb.com/bfs/a.png"}`,
		`{"url":"https://i0.hdslb.com.evil.net/bfs/a.png"}`, `{"url":"https://evil.net/?.hdslb.com/bfs/"}`,
		`{"url":"https://user@i0.hdslb.com/bfs/a"}`, `{"url":"https://evil.net\\@i0.hdslb.com/bfs/a"}`,
		`{"url":"https://evil.net#@i0.hdslb.com/bfs/a"}`, `{"url":"https://i0.hdslb.com:443/bfs/a"}`,
		`{"url":"//i0.hdslb.com/bfs/a"}`, `{"url":"ftp://i0.hdslb.com/bfs/a"}`, `{"url":"javascript:alert(1)//.hdslb.com/bfs/"}`,
		`{"url":"https://i0.hdslb.com/bfs/../x"}`, `{"url":"https://i0.hdslb.com/%62fs/x"}`, `{"url":1}`, `{}`, `[]`,
		`not json`, "{\"url\":\"https://i0.hdslb.com/bfs/\xff\"}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		err := im.ParseImage(raw)
		obj, isObj := jsonObject(raw)
		switch {
		case err == im.ErrBadRequest:
			if isObj {
				t.Fatalf("ParseImage(%q) = -400 for a JSON object (want 21037 for a bad url)", raw)
			}
			return
		case !isObj:
			t.Fatalf("ParseImage(%q) = %v for something that is not a JSON object, want -400", raw, err)
		case err == im.ErrBadImage:
			return
		case err != nil:
			t.Fatalf("ParseImage(%q) = %v, want nil, -400 or 21037", raw, err)
		}
		u, isStr := obj["url"].(string)
		if !isStr || !im.IsBilibiliImage(u) {
			t.Fatalf("ParseImage(%q) accepted url %#v", raw, obj["url"])
		}
		scheme, host, rest, ok := hostOf(u)
		if !ok || (scheme != "http" && scheme != "https") ||
			!(strings.HasSuffix(host, ".hdslb.com") || strings.HasSuffix(host, ".biliimg.com")) ||
			!strings.HasPrefix(rest, "/bfs/") {
			t.Fatalf("ParseImage(%q) accepted %q, which a browser would load from host %q path %q", raw, u, host, rest)
		}
	})
}

func FuzzParseRecall(f *testing.F) {
	for _, s := range []string{"7345551441311046575", "1", "0", "", "00012", "-1", "+1", " 1", "1 ", "1e9", "0x10",
		"18446744073709551615", "18446744073709551616", "１２", "abc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		k, err := im.ParseRecall(raw)
		// Oracle: only ASCII digits, a non-zero value that fits 64 bits.
		digits := raw != "" && strings.Trim(raw, "0123456789") == ""
		trimmed := strings.TrimLeft(raw, "0")
		fits := digits && (len(trimmed) < 20 || (len(trimmed) == 20 && trimmed <= "18446744073709551615"))
		valid := fits && trimmed != ""
		if err != nil {
			if err != im.ErrBadRequest {
				t.Fatalf("ParseRecall(%q) = %v, want only -400 as an error", raw, err)
			}
			if valid {
				t.Fatalf("ParseRecall(%q) refused a valid key", raw)
			}
			return
		}
		if !valid || k == 0 || strconv.FormatUint(k, 10) != trimmed {
			t.Fatalf("ParseRecall(%q) = %d", raw, k)
		}
	})
}

// TestContentRules pins the documented content rules with plain cases (catalog §9 items
// 11, 15–17), so that they hold even without fuzzing.
func TestContentRules(t *testing.T) {
	texts := map[string]*im.Error{
		`{"content":"hi"}`: nil, `{"content":""}`: im.ErrBadRequest, `not json`: im.ErrBadRequest,
		`{"content":1}`: im.ErrBadRequest, `{}`: im.ErrBadRequest, `null`: im.ErrBadRequest,
	}
	for raw, want := range texts {
		if _, got := im.ParseText(raw); got != want {
			t.Errorf("ParseText(%q) = %v, want %v", raw, got, want)
		}
	}
	images := map[string]*im.Error{
		`{"url":"https://i0.hdslb.com/bfs/im/a.png"}`:  nil,
		`{"url":"http://album.biliimg.com/bfs/x.jpg"}`: nil,
		`{"url":"https://example.com/bfs/im/a.png"}`:   im.ErrBadImage,
		`{"url":"https://i0.hdslb.com/im/a.png"}`:      im.ErrBadImage,
		`{"url":"https://x@i0.hdslb.com/bfs/a.png"}`:   im.ErrBadImage,
		`{"width":1}`: im.ErrBadImage,
		`not json`:    im.ErrBadRequest,
	}
	for raw, want := range images {
		if got := im.ParseImage(raw); got != want {
			t.Errorf("ParseImage(%q) = %v, want %v", raw, got, want)
		}
	}
	for raw, want := range map[string]uint64{"7345551441311046575": 7345551441311046575, "0": 0, "x": 0, "": 0} {
		got, err := im.ParseRecall(raw)
		if got != want || (want == 0) != (err == im.ErrBadRequest) {
			t.Errorf("ParseRecall(%q) = %d, %v; want %d", raw, got, err, want)
		}
	}
}
