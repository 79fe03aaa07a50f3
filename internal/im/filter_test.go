package im

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/bilimsg/bilimsg/internal/store"
)

// Tests of the text matching that docs/settings.md specifies in "Block words", "Smart
// interception" and "Auto-replies".

func TestFold(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", ""},
		{"Hello, World!", "hello, world!"},
		{"ABCxyz019", "abcxyz019"},
		{"Ａ１：", "a1:"}, // full-width letters, digits and punctuation
		{"ＡＢＣ１ａｂｃ", "abc1abc"},
		{"！～", "!~"},        // both ends of the full-width ASCII block
		{"a\u3000b", "a b"}, // the ideographic space
		{"ΣΑΣ σας", "σασ σασ"},
		{"\u212a", "k"}, // Kelvin sign
		{"\u212aelvin KELVIN", "kelvin kelvin"},
		{"ſ", "s"}, // long s
		{"ſtraße STRASSE", "straße strasse"},
		{"ÉCOLE Ölçü", "école ölçü"},
		{"ДОБРО", "добро"},
		{"中文，繁體、简体。", "中文,繁體、简体。"}, // only "，" is full-width ASCII
		{"发發", "发發"},       // 简体 and 繁体 stay different
		{"ｱｲｳ￥￦", "ｱｲｳ￥￦"}, // not full-width ASCII
		{"[doge]😀", "[doge]😀"},
		{"\t\n", "\t\n"},
	}
	for _, c := range cases {
		if got := fold(c.in); got != c.want {
			t.Errorf("fold(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestFoldAllRunes checks every code point: fold reaches a fixed point in one step, maps
// one rune to one rune, folds all case variants alike, and equates a rune only with its
// case variants and case mappings (besides the width of full-width ASCII): "ignoring case
// in every script (simple Unicode case folding)", "no other normalisation".
//
// Case mappings go a little beyond simple case folding for the Turkish i: ı upper-cases
// to I and İ lower-cases to i, so fold equates ı, I, i and İ, where simple case folding
// keeps ı and İ apart. Ignoring case means ı matches I, so that is accepted here.
func TestFoldAllRunes(t *testing.T) {
	var notIdempotent, notOne, splits, merges []string
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		f := fold(string(r))
		desc := func() string { return fmt.Sprintf("%U %q→%q", r, r, f) }
		if fold(f) != f {
			notIdempotent = append(notIdempotent, desc())
		}
		if utf8.RuneCountInString(f) != 1 {
			notOne = append(notOne, desc())
		}
		for x := unicode.SimpleFold(r); x != r; x = unicode.SimpleFold(x) {
			if g := fold(string(x)); g != f {
				splits = append(splits, fmt.Sprintf("%s but %U %q→%q", desc(), x, x, g))
				break
			}
		}
		base := r
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			base = r - 0xFEE0
		case r == 0x3000:
			base = ' '
		}
		if !strings.EqualFold(string(base), f) && !strings.EqualFold(string(unicode.ToUpper(base)), f) &&
			!strings.EqualFold(string(unicode.ToLower(base)), f) {
			merges = append(merges, desc())
		}
	}
	report := func(what string, list []string) {
		t.Helper()
		if len(list) > 0 {
			t.Errorf("%s for %d code points: %s", what, len(list), strings.Join(list[:min(len(list), 10)], ", "))
		}
	}
	report("fold(fold(r)) != fold(r)", notIdempotent)
	report("fold(r) is not one rune", notOne)
	report("case variants fold differently", splits)
	report("fold(r) is not a case variant of r", merges)
}

func TestFilterBlockWord(t *testing.T) {
	words := func(ws ...string) []store.BlockWord {
		var out []store.BlockWord
		for _, w := range ws {
			out = append(out, store.BlockWord{Content: w})
		}
		return out
	}
	cases := []struct {
		text  string
		words []store.BlockWord
		want  bool
	}{
		{"这是广告吗", words("广告"), true},
		{"广告", words("广告"), true},
		{"这是廣告吗", words("广告"), false}, // 繁体 and 简体 are different words
		{"加我ＶＸ", words("vx"), true},
		{"加我vx", words("ＶＸ"), true},
		{"ＡＢＣ１", words("abc1"), true},
		{"abc1", words("ＡＢＣ１"), true},
		{"XABC1X", words("abc1"), true},
		{"ΣΑΣ", words("σας"), true},
		{"σας", words("ΣΑΣ"), true},
		{"kelvin", words("\u212aELVIN"), true},
		{"ſale", words("SALE"), true},
		{"a\u3000b", words("a b"), true},
		{"a b", words("ab"), false}, // no other normalisation
		{"hello", words("hello world"), false},
		{"second", words("first", "cond"), true},
		{"nothing here", words("first", "second"), false},
		{"", words("x"), false},
		{"anything", nil, false},
		{"anything", words(), false},
	}
	for _, c := range cases {
		if got := hasBlockWord(c.text, c.words); got != c.want {
			t.Errorf("hasBlockWord(%q, %+v) = %v, want %v", c.text, c.words, got, c.want)
		}
	}
}

func TestSpamSuspicious(t *testing.T) {
	r := newSpamRules()
	cases := []struct {
		name string
		yes  []string
		no   []string
	}{
		{"url",
			[]string{"https://evil.com", "http://evil.com/x?y=1", "HTTPS://EVIL.COM", "看这个 http://localhost:8080",
				"https://1.2.3.4/", "http://intranet/", "https://bilibili.com.evil.com/video", "http://b23.tv.evil.com",
				"https://notbilibili.com", "https://user@evil.com/", "ｈｔｔｐｓ：／／ｅｖｉｌ．ｃｏｍ", "https://evil.com:8080/"},
			[]string{"https://www.bilibili.com/video/BV1xx411c7mD", "http://bilibili.com", "https://space.bilibili.com/1",
				"https://b23.tv/abc", "https://i0.hdslb.com/bfs/face.jpg", "https://i0.biliimg.com/x.png",
				"https://www.bilibili.tv/en", "http://acg.tv", "HTTPS://WWW.BILIBILI.COM/", "https://www.bilibili.com:443/x",
				"ｈｔｔｐｓ：／／ｂ２３．ｔｖ／ａｂｃ", "https://x.com.bilibili.com/", "http://", "https:// evil"}},
		{"bare domain",
			[]string{"abc.com", "www.x.cn", "加我 evil.net 领奖", "evil.com看", "看evil.com", "site.xyz", "a.b.c.io",
				"bilibili.com.evil.com", "www.bilibili.com.evil.com/x", "notbilibili.com", "b23.tv.evil.cn", "ＥＶＩＬ．ＣＯＭ",
				"EVIL.COM", "x-y.top", "evil.com.", "(evil.vip)", "evil.com bilibili.com"},
			[]string{"bilibili.com", "www.bilibili.com", "space.bilibili.com/123", "b23.tv/abc", "live.bilibili.com",
				"i0.hdslb.com", "biliimg.com", "www.bilibili.tv", "acg.tv", "ＢＩＬＩＢＩＬＩ．ＣＯＭ", "x.com.bilibili.com",
				"v1.2.3", "1.5", "e.g. this", "file.txt", "hello.world", "example.comedy", "readme.md", "b23tv"}},
		// Several links: one off bilibili is enough, wherever it is.
		{"bilibili link then another",
			[]string{"bilibili.com evil.com", "b23.tv,evil.com", "m.bilibili.com,evil.cn", "bilibili.com\nevil.com",
				"acg.tv x.io", "https://www.bilibili.com evil.com", "https://b23.tv https://evil.com",
				"b23.tv/abc evil.com", "live.bilibili.com x.com"},
			nil},
		// A label cannot start with "." or "-": what follows them is the domain.
		{"domain after dots or a dash",
			[]string{"看看...evil.com", "加我-evil.com", "..evil.com"},
			nil},
		{"phone",
			[]string{"13812345678", "138-1234-5678", "138 1234 5678", "电话13812345678", "call 19912345678 now",
				"１３８１２３４５６７８", "138\u30001234\u30005678", "１３８－１２３４－５６７８", "+86 13812345678",
				"(13812345678)", "13812345678。", "tel:17012345678"},
			[]string{"138123456789", "12812345678", "10812345678", "1381234567", "213812345678", "138 1234 56789",
				"1 3812345678", "138--1234-5678", "订单号 12345678901"}},
		{"qq",
			[]string{"qq 12345678", "QQ:12345", "扣扣：123456", "企鹅号 10001", "q群 987654321", "加qq号码是12345678",
				"ＱＱ１２３４５６７８", "qq,,,,12345", "Qq12345678901"},
			[]string{"qq 1234", "qq,,,,,12345", "12345678", "qq群聊天很开心", "扣扣"}},
		{"wechat",
			[]string{"微信 abc_12345", "vx:wxid_abcdef", "VX：abcdef", "加v信 abcdef", "薇信号abc123", "威信: a-b_c1d",
				"weixin abcdef", "WeChat: Hello_World", "wx abcdef", "ｖｘ：ａｂｃｄｅｆ", "vx   abcdef", "微信号：abcdef"},
			[]string{"微信 abcde", "微信 123456", "vx    abcdef", "我不用微信", "微信：：：：abcdef"}},
		{"email",
			[]string{"a@b.co", "我的邮箱 x.y+z@mail.example.org", "ME@EXAMPLE.COM", "ｍｅ＠ｅｘａｍｐｌｅ．ｃｏｍ",
				"x_y@qq.com"},
			[]string{"@someone 你好", "a@b", "user@localhost"}},
		{"neutral",
			nil,
			[]string{"", "你好", "[doge]", "今天天气不错", "see you at 5pm", "第13812集", "up主好"}},
	}
	for _, c := range cases {
		for _, s := range c.yes {
			if !r.suspicious(s) {
				t.Errorf("%s: suspicious(%q) = false, want true", c.name, s)
			}
		}
		for _, s := range c.no {
			if r.suspicious(s) {
				t.Errorf("%s: suspicious(%q) = true, want false", c.name, s)
			}
		}
	}
}

// TestSpamSensitive: auto-replies may not hand out contact details (phone, QQ, WeChat);
// links and e-mail addresses are allowed.
func TestSpamSensitive(t *testing.T) {
	r := newSpamRules()
	yes := []string{"13812345678", "138-1234-5678", "１３８１２３４５６７８", "qq 12345678", "扣扣：123456",
		"微信 abc_12345", "vx:wxid_abcdef", "ＶＸ：ａｂｃｄｅｆ", "合作请加微信 abc_12345 或邮箱 a@b.com"}
	no := []string{"a@b.co", "商务合作 business@example.com", "https://evil.com", "abc.com", "www.x.cn",
		"https://www.bilibili.com/video/BV1xx411c7mD", "谢谢关注！", "", "qq 1234", "微信 abcde", "138123456789"}
	for _, s := range yes {
		if !r.sensitive(s) {
			t.Errorf("sensitive(%q) = false, want true", s)
		}
		if !r.suspicious(s) {
			t.Errorf("suspicious(%q) = false for a sensitive text", s)
		}
	}
	for _, s := range no {
		if r.sensitive(s) {
			t.Errorf("sensitive(%q) = true, want false", s)
		}
	}
}

func TestSplitKeywords(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"a", []string{"a"}},
		{"你好，hello", []string{"你好", "hello"}},
		{"a,b", []string{"a", "b"}},
		{"a，b,c", []string{"a", "b", "c"}},
		{" a ，  b , c ", []string{"a", "b", "c"}},
		{"\u3000全角\u3000，\tx\n", []string{"全角", "x"}},
		{"，,，", nil},
		{"a，，b,,c", []string{"a", "b", "c"}},
		{" ， , ", nil},
		{"hello world", []string{"hello world"}}, // inner spaces stay
		{"a、b;c|d", []string{"a、b;c|d"}},         // only "，" and "," separate
		{"Ａ，Ａ", []string{"Ａ", "Ａ"}},              // kept as written, duplicates too
	}
	for _, c := range cases {
		if got := splitKeywords(c.in); !slices.Equal(got, c.want) {
			t.Errorf("splitKeywords(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestFilterMatchRule(t *testing.T) {
	rules := []store.AutoReply{ // newest first, as listed
		{ID: 30, Key1: "你好，hello"},
		{ID: 20, Key2: "价格，price"},
		{ID: 10, Key1: "hello", Key2: "你"},
		{ID: 5}, // no keywords: never matches
		{ID: 4, Key1: "，, ，", Key2: " ，"},
	}
	cases := []struct {
		text string
		want uint64 // 0: no match
	}{
		{"hello", 30}, // 30 and 10 both match: the first wins
		{"  HELLO\u3000", 30},
		{"ｈｅｌｌｏ", 30},
		{"你好", 30},
		{"hello world", 0}, // key1 is exact
		{"hello你", 10},     // key2 of a later rule
		{"请问价格多少", 20},
		{"PRICE?", 20},
		{"ＰＲＩＣＥ", 20},
		{"你是谁", 10},
		{"", 0},
		{"   ", 0},
		{"anything else", 0},
	}
	for _, c := range cases {
		got, ok := matchRule(c.text, rules)
		if ok != (c.want != 0) || got.ID != c.want {
			t.Errorf("matchRule(%q) = %d, %v; want %d", c.text, got.ID, ok, c.want)
		}
		if ok && !reflect.DeepEqual(got, rules[slices.IndexFunc(rules, func(r store.AutoReply) bool { return r.ID == got.ID })]) {
			t.Errorf("matchRule(%q) returned %+v, not the rule as given", c.text, got)
		}
	}
	// The order given decides, not the ids.
	reversed := slices.Clone(rules)
	slices.Reverse(reversed)
	if got, ok := matchRule("hello", reversed); !ok || got.ID != 10 {
		t.Errorf("matchRule over reversed rules = %d, %v; want 10", got.ID, ok)
	}
	more := []struct {
		text string
		rule store.AutoReply
		want bool
	}{
		{"b", store.AutoReply{Key1: "a,b"}, true},
		{"hi", store.AutoReply{Key1: " hi \u3000"}, true},
		{"hi there", store.AutoReply{Key1: "hi"}, false},
		{"there", store.AutoReply{Key1: "hi there"}, false},
		{"say x please", store.AutoReply{Key2: "x \u3000"}, true},
		{"x", store.AutoReply{Key2: "xy"}, false},
		{"ΣΑΣ", store.AutoReply{Key1: "σας"}, true},
		{"kelvin", store.AutoReply{Key2: "\u212aELV"}, true},
		{"發货", store.AutoReply{Key2: "发货"}, false},
	}
	for _, m := range more {
		if _, ok := matchRule(m.text, []store.AutoReply{m.rule}); ok != m.want {
			t.Errorf("matchRule(%q, key1 %q key2 %q) = %v, want %v", m.text, m.rule.Key1, m.rule.Key2, ok, m.want)
		}
	}
	if _, ok := matchRule("hello", nil); ok {
		t.Errorf("matchRule with no rules matched")
	}
}

// --- fuzzing ---

// fullWidth writes the printable ASCII in s in full width, and spaces as U+3000.
func fullWidth(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == ' ':
			return 0x3000
		case r >= 0x21 && r <= 0x7E:
			return r + 0xFEE0
		}
		return r
	}, s)
}

func FuzzFold(f *testing.F) {
	for _, s := range []string{"", "ABC", "Ａ１：", "a\u3000b", "ΣσςΣ", "\u212a ſ", "İı", "ǅǄǆ", "中文", "ẞß",
		"\xff", "a\xc0b", "\xef\xbc", "ﬀ", "ΐ ΐ", "Ꭰꭰ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := fold(s)
		if again := fold(got); again != got {
			t.Fatalf("fold is not idempotent: fold(%q) = %q, fold of that = %q", s, got, again)
		}
		if utf8.RuneCountInString(got) != utf8.RuneCountInString(s) {
			t.Fatalf("fold(%q) = %q changes the number of characters", s, got)
		}
		if !utf8.ValidString(s) {
			return
		}
		if !utf8.ValidString(got) {
			t.Fatalf("fold(%q) = %q is not valid UTF-8", s, got)
		}
		// Case and width do not matter.
		for _, v := range []string{strings.ToUpper(s), strings.ToLower(s), strings.ToTitle(s), fullWidth(s),
			strings.Map(unicode.SimpleFold, s)} {
			if fv := fold(v); fv != got {
				t.Fatalf("fold(%q) = %q but fold(%q) = %q", s, got, v, fv)
			}
		}
	})
}

func FuzzSpam(f *testing.F) {
	for _, s := range []string{"", "你好", "https://evil.com", "https://www.bilibili.com/video/BV1xx411c7mD", "abc.com",
		"b23.tv", "bilibili.com.evil.com", "13812345678", "138-1234-5678", "１３８１２３４５６７８", "qq 12345678",
		"扣扣：123456", "微信 abc_12345", "vx:wxid_abcdef", "a@b.co", "ｍｅ＠ｅｘａｍｐｌｅ．ｃｏｍ", "\xff13812345678"} {
		f.Add(s, "")
		f.Add(s, "hello")
	}
	f.Add("evil.com", "你好 ")
	f.Add("qq 12345", "13812345678")
	rules := newSpamRules()
	f.Fuzz(func(t *testing.T, s, other string) {
		sus, sen := rules.suspicious(s), rules.sensitive(s)
		if sen && !sus {
			t.Fatalf("sensitive(%q) but not suspicious", s)
		}
		fs := fold(s)
		if got := rules.suspicious(fs); got != sus {
			t.Fatalf("suspicious(%q) = %v but suspicious(fold) = suspicious(%q) = %v", s, sus, fs, got)
		}
		if got := rules.sensitive(fs); got != sen {
			t.Fatalf("sensitive(%q) = %v but sensitive(fold) = sensitive(%q) = %v", s, sen, fs, got)
		}
		// The rules are about what a text contains: more text on other lines takes
		// nothing away.
		for _, longer := range []string{other + "\n" + s, s + "\n" + other, other + "\n" + s + "\n" + other} {
			if sus && !rules.suspicious(longer) {
				t.Fatalf("suspicious(%q) but not suspicious(%q)", s, longer)
			}
			if sen && !rules.sensitive(longer) {
				t.Fatalf("sensitive(%q) but not sensitive(%q)", s, longer)
			}
		}
	})
}

func FuzzKeywords(f *testing.F) {
	for _, s := range []string{"", "a", "你好，hello", "a,b", " a ，  b , c ", "，,，", "\u3000全角\u3000，x",
		"a，，b", "hello world", "\xef\xbc，\x8c", "a\xef\xbc\x8cb", "ＡＢＣ，ａｂｃ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ks := splitKeywords(s)
		for _, k := range ks {
			if k == "" || strings.TrimSpace(k) != k || strings.ContainsAny(k, "，,") {
				t.Fatalf("splitKeywords(%q) = %q: item %q is empty, untrimmed or holds a separator", s, ks, k)
			}
			if !strings.Contains(s, k) {
				t.Fatalf("splitKeywords(%q) = %q: item %q is not in the input", s, ks, k)
			}
		}
		// Keyword lists are stored joined by "，" and split again when matching.
		for _, sep := range []string{"，", ","} {
			if again := splitKeywords(strings.Join(ks, sep)); !slices.Equal(again, ks) {
				t.Fatalf("splitKeywords(%q) = %q, but joined by %q and split again: %q", s, ks, sep, again)
			}
		}
		// Every keyword matches: as key1 the text that is the keyword, as key2 any text
		// that contains it.
		for _, k := range ks {
			if _, ok := matchRule(k, []store.AutoReply{{Key1: s}}); !ok {
				t.Fatalf("key1 %q does not match its keyword %q", s, k)
			}
			if _, ok := matchRule("«"+strings.ToUpper(k)+"»", []store.AutoReply{{Key2: s}}); !ok {
				t.Fatalf("key2 %q does not match a text containing its keyword %q", s, k)
			}
		}
	})
}

// hasBlockWord matches text against words the way the send path does: through the index
// AddBlockWord and DeleteBlockWord build from them (blockIndex) and matchIndex.
func hasBlockWord(text string, words []store.BlockWord) bool {
	_, ok := matchIndex(blockIndex(words), text)
	return ok
}

// matchRule matches text against rules the way the send path does: through the index
// SetReplyText builds from them (replyIndex) and matchIndex.
func matchRule(text string, rules []store.AutoReply) (store.AutoReply, bool) {
	id, ok := matchIndex(replyIndex(rules), text)
	if !ok {
		return store.AutoReply{}, false
	}
	i := slices.IndexFunc(rules, func(r store.AutoReply) bool { return r.ID == id })
	if i < 0 {
		return store.AutoReply{}, false
	}
	return rules[i], true
}

// FuzzMatchIndex: matchIndex never panics on any index text (the store returns what was
// put, but a damaged row must not take the send path down), and an index built from
// rules with arbitrary keywords matches exactly as a rule-by-rule reading of them does.
func FuzzMatchIndex(f *testing.F) {
	f.Add("1 e 2:hi;", "hi", "x", "y")
	f.Add("1 e 99:hi;", "hi", "a；b", ";;")
	f.Add("x", "", "1:2;", "e 3:")
	f.Fuzz(func(t *testing.T, index, text, key1, key2 string) {
		matchIndex(index, text)
		rules := []store.AutoReply{{ID: 9, Key1: key1}, {ID: 3, Key2: key2}, {ID: 1, Key1: key2, Key2: key1}}
		got, ok := matchIndex(replyIndex(rules), text)
		want, wantOK := uint64(0), false
		tt := matchText(text)
		for _, r := range rules {
			hit := slices.ContainsFunc(splitKeywords(r.Key1), func(k string) bool { return fold(k) == tt }) ||
				slices.ContainsFunc(splitKeywords(r.Key2), func(k string) bool { return strings.Contains(tt, fold(k)) })
			if hit {
				want, wantOK = r.ID, true
				break
			}
		}
		if got != want || ok != wantOK {
			t.Fatalf("matchIndex(%q) = %d, %v; rule by rule: %d, %v", text, got, ok, want, wantOK)
		}
	})
}

// FuzzMatchBlockIndex: an index built from arbitrary storable words (non-empty, no white
// space: add_block_word refuses the others) matches exactly when the folded text contains a
// folded word.
func FuzzMatchBlockIndex(f *testing.F) {
	f.Add("AD here", "广告", "x;y:1")
	f.Add(" ab ", "ab", ";")
	f.Fuzz(func(t *testing.T, text, w1, w2 string) {
		for _, w := range []string{w1, w2} {
			if w == "" || strings.IndexFunc(w, unicode.IsSpace) >= 0 {
				return
			}
		}
		words := []store.BlockWord{{Content: w1}, {Content: w2}}
		want := strings.Contains(fold(text), fold(w1)) || strings.Contains(fold(text), fold(w2))
		if got := hasBlockWord(text, words); got != want {
			t.Fatalf("hasBlockWord(%q, %q, %q) = %v, want %v", text, w1, w2, got, want)
		}
	})
}
