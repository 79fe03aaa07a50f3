package emoji

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
	"unsafe"
)

// shippedCount is the number of entries in emoji.json; the catalog must not shrink.
const shippedCount = 349

func mustLoad(t testing.TB) *Catalog {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

func texts(infos []Info) []string {
	if infos == nil {
		return nil
	}
	out := make([]string, len(infos))
	for i, e := range infos {
		out[i] = e.Text
	}
	return out
}

func TestLoad(t *testing.T) {
	c := mustLoad(t)
	if c.Len() < shippedCount {
		t.Fatalf("Len = %d, want >= %d", c.Len(), shippedCount)
	}
	if MustLoad().Len() != c.Len() {
		t.Fatal("MustLoad and Load disagree")
	}
}

func TestEntries(t *testing.T) {
	c := mustLoad(t)
	seen := map[string]bool{}
	for _, e := range c.entries {
		if seen[e.Text] {
			t.Errorf("duplicate name %s", e.Text)
		}
		seen[e.Text] = true
		if !isToken(e.Text) {
			t.Errorf("%q is not a token", e.Text)
		}
		if got := c.Find(e.Text); len(got) != 1 || got[0] != e {
			t.Errorf("Find(%q) = %v", e.Text, got)
		}
		if e.Size != 1 {
			t.Errorf("%s: size %d, want 1", e.Text, e.Size)
		}
		checkURL(t, e.Text, "url", e.URL)
		if e.GifURL != "" {
			checkURL(t, e.Text, "gif_url", e.GifURL)
		}
	}
}

func checkURL(t *testing.T, name, field, raw string) {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Errorf("%s: %s %q: %v", name, field, raw, err)
		return
	}
	host := u.Hostname()
	okHost := strings.HasSuffix(host, ".hdslb.com") || strings.HasSuffix(host, ".biliimg.com")
	if u.Scheme != "https" || !okHost || !strings.HasPrefix(u.Path, "/bfs/") || u.RawQuery != "" {
		t.Errorf("%s: bad %s %q", name, field, raw)
	}
}

func TestKnownEntries(t *testing.T) {
	c := mustLoad(t)
	for text, want := range map[string]string{
		"[doge]": "https://i0.hdslb.com/bfs/emote/3087d273a78ccaff4bb1e9972e2ba2a7583c9f11.png",
		"[口罩]":   "https://i0.hdslb.com/bfs/emote/3ad2f66b151496d2a5fb0a8ea75f32265d778dd3.png",
	} {
		e, ok := c.Lookup(text)
		if !ok || e.URL != want || e.Text != text || e.Size != 1 {
			t.Errorf("Lookup(%s) = %+v, %v", text, e, ok)
		}
	}
	if e, ok := c.Lookup("[tv_doge]"); !ok || e.GifURL == "" {
		t.Errorf("Lookup([tv_doge]) = %+v, %v; want a gif_url", e, ok)
	}
	for _, bad := range []string{"", "doge", "[DOGE]", "[doge", "[[doge]]"} {
		if _, ok := c.Lookup(bad); ok {
			t.Errorf("Lookup(%q) found", bad)
		}
	}
}

func TestLegacy(t *testing.T) {
	c := mustLoad(t)
	if len(c.legacy) == 0 {
		t.Fatal("no legacy pairs")
	}
	for from, to := range c.legacy {
		if _, ok := c.Lookup(to); !ok {
			t.Errorf("legacy %s -> %s: target missing", from, to)
		}
		if _, chained := c.legacy[to]; chained {
			t.Errorf("legacy %s -> %s: target is a legacy name", from, to)
		}
	}
}

func TestConvert(t *testing.T) {
	c := mustLoad(t)
	for in, want := range map[string]string{
		"[doge]":                 "[tv_doge]",
		"催更[doge][doge]!":        "催更[tv_doge][tv_doge]!",
		"[[doge]":                "[[tv_doge]",
		"[a[doge]]":              "[a[tv_doge]]",
		"[tv_doge][doge]x":       "[tv_doge][tv_doge]x",
		"[Doge] [dog] doge []":   "[Doge] [dog] doge []",
		"":                       "",
		"\xff[doge]\xfe":         "\xff[tv_doge]\xfe",
		"[微笑][doge]" + "[" + "]": "[微笑][tv_doge][]",
	} {
		if got := c.Convert(in); got != want {
			t.Errorf("Convert(%q) = %q, want %q", in, got, want)
		}
	}
	// Unchanged input comes back as the same string without allocating.
	in := strings.Repeat("hello [tv_doge] [unknown] [[", 10)
	if got := c.Convert(in); got != in || unsafe.StringData(got) != unsafe.StringData(in) {
		t.Errorf("Convert returned a different string for unconvertible input")
	}
	if n := testing.AllocsPerRun(100, func() { _ = c.Convert(in) }); n != 0 {
		t.Errorf("Convert allocated %v times on unconvertible input", n)
	}
}

func TestFind(t *testing.T) {
	c := mustLoad(t)
	cases := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"no emoji here", nil},
		{"[unknown] [] [ ] [doge", nil},
		{"[doge]", []string{"[doge]"}},
		{"a[tv_doge]b[doge]c[tv_doge][doge]", []string{"[tv_doge]", "[doge]"}},
		{"[[doge]", []string{"[doge]"}},
		{"[a[doge]]", []string{"[doge]"}},
		{"[doge]]][[[[口罩]", []string{"[doge]", "[口罩]"}},
		{"[]doge][doge]", []string{"[doge]"}},
		{"\xff\xfe[doge]\x80[\xff][口罩]", []string{"[doge]", "[口罩]"}},
		{"[热词系列_“狼火”] [小绿和小蓝_不想说话]", []string{"[热词系列_“狼火”]", "[小绿和小蓝_不想说话]"}},
		{"[" + strings.Repeat("x", 40) + "[doge]", []string{"[doge]"}},
		{"[" + strings.Repeat("喵", 40) + "][喵]", []string{"[喵]"}},
	}
	for _, tc := range cases {
		if got := texts(c.Find(tc.in)); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Find(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestTokenLength(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want bool
	}{
		{"[" + strings.Repeat("喵", maxTokenRunes) + "]", true},
		{"[" + strings.Repeat("喵", maxTokenRunes+1) + "]", false},
		{"[" + strings.Repeat("a", maxTokenRunes) + "]", true},
		{"[" + strings.Repeat("a", maxTokenRunes+1) + "]", false},
		{"[a]", true},
		{"[]", false},
		{"[a]b", false},
		{"[a[b]", false},
	} {
		if got := isToken(tc.s); got != tc.want {
			t.Errorf("isToken(%q) = %v, want %v", tc.s, got, tc.want)
		}
	}
}

func TestFindLong(t *testing.T) {
	c := mustLoad(t)
	// Many catalog entries, repeated, plus bracket noise: every entry once, in catalog order.
	var b strings.Builder
	for round := 0; round < 3; round++ {
		for _, e := range c.entries {
			b.WriteString("[[x")
			b.WriteString(e.Text)
			b.WriteString("]")
		}
	}
	b.WriteString(strings.Repeat("[", 1<<16))
	got := c.Find(b.String())
	if len(got) != c.Len() {
		t.Fatalf("Find on long input returned %d entries, want %d", len(got), c.Len())
	}
	for i := range got {
		if got[i] != c.entries[i] {
			t.Fatalf("entry %d = %s, want %s", i, got[i].Text, c.entries[i].Text)
		}
	}
}

func TestAppendFind(t *testing.T) {
	c := mustLoad(t)
	var dst []Info
	dst = c.AppendFind(dst, "hi [doge][口罩]")
	dst = c.AppendFind(dst, "[口罩][tv_doge][doge]")
	dst = c.AppendFind(dst, "nothing")
	want := []string{"[doge]", "[口罩]", "[tv_doge]"}
	if got := texts(dst); !reflect.DeepEqual(got, want) {
		t.Fatalf("AppendFind = %q, want %q", got, want)
	}
	if got := c.AppendFind(nil, "none"); got != nil {
		t.Fatalf("AppendFind(nil, none) = %v, want nil", got)
	}
	// Past the linear-scan threshold the set path must dedupe the same way.
	big := append([]Info(nil), c.entries[:40]...)
	var msg strings.Builder
	for _, e := range c.entries[:60] {
		msg.WriteString(e.Text)
	}
	msg.WriteString(c.entries[0].Text)
	got := c.AppendFind(big, msg.String())
	if len(got) != 60 {
		t.Fatalf("AppendFind over big dst: %d entries, want 60", len(got))
	}
	for i := range got {
		if got[i] != c.entries[i] {
			t.Fatalf("entry %d = %s, want %s", i, got[i].Text, c.entries[i].Text)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for name, in := range map[string]string{
		"syntax":     `{`,
		"empty":      `{"emoji":[]}`,
		"bad token":  `{"emoji":[{"text":"doge","url":"u"}]}`,
		"no url":     `{"emoji":[{"text":"[doge]","url":""}]}`,
		"duplicate":  `{"emoji":[{"text":"[a]","url":"u"},{"text":"[a]","url":"u"}]}`,
		"bad target": `{"emoji":[{"text":"[a]","url":"u"}],"legacy":{"[b]":"[c]"}}`,
		"chained":    `{"emoji":[{"text":"[a]","url":"u"},{"text":"[b]","url":"u"}],"legacy":{"[c]":"[a]","[a]":"[b]"}}`,
	} {
		if _, err := parse([]byte(in)); err == nil {
			t.Errorf("%s: parse succeeded", name)
		}
	}
}

func FuzzFind(f *testing.F) {
	for _, s := range []string{
		"", "[doge]", "[[doge]", "[a[doge]]", "催更[doge][tv_doge]", "\xff[doge\xfe]", "[]][[", "[口罩][口罩]",
	} {
		f.Add(s)
	}
	c := MustLoad()
	f.Fuzz(func(t *testing.T, s string) {
		found := c.Find(s)
		seen := map[string]bool{}
		for _, e := range found {
			if got, ok := c.Lookup(e.Text); !ok || got != e {
				t.Fatalf("Find returned %+v, not a catalog entry", e)
			}
			if seen[e.Text] {
				t.Fatalf("Find returned %s twice", e.Text)
			}
			seen[e.Text] = true
			if !strings.Contains(s, e.Text) {
				t.Fatalf("Find returned %s, absent from input", e.Text)
			}
		}
		if found != nil && len(found) == 0 {
			t.Fatal("Find returned empty non-nil slice")
		}
		conv := c.Convert(s)
		if again := c.Convert(conv); again != conv {
			t.Fatalf("Convert not idempotent: %q -> %q -> %q", s, conv, again)
		}
		if utf8.ValidString(s) && !utf8.ValidString(conv) {
			t.Fatalf("Convert broke UTF-8: %q -> %q", s, conv)
		}
		hasLegacy := false
		for from := range c.legacy {
			hasLegacy = hasLegacy || strings.Contains(s, from)
		}
		if !hasLegacy && conv != s {
			t.Fatalf("Convert changed input without legacy names: %q -> %q", s, conv)
		}
		_ = c.AppendFind(found, conv)
	})
}

func BenchmarkFind(b *testing.B) {
	c := MustLoad()
	msg := "今天的视频太好看了[doge]，up主辛苦了！希望下次能多讲讲背景故事，顺便催更[tv_doge]。"
	if len(msg) > 200 {
		b.Fatalf("message too long: %d", len(msg))
	}
	msg += strings.Repeat(" pad [", (200-len(msg))/6)
	msg += strings.Repeat("x", 200-len(msg))
	if n := len(c.Find(msg)); n != 2 || len(msg) != 200 {
		b.Fatalf("Find found %d emoji, want 2 (len %d)", n, len(msg))
	}
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		_ = c.Find(msg)
	}
}
