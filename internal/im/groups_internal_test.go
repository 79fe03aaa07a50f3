package im

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/bilimsg/bilimsg/internal/store"
)

// Tests of the @-mention parsing of fan-group messages (docs/groups.md).

func TestMentionTokens(t *testing.T) {
	long := strings.Repeat("字", 100)
	cases := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"hello", nil},
		{"@小明", []string{"小明"}},
		{"@小明你好", []string{"小明你好"}},
		{"@小明 你好", []string{"小明"}},
		{"hi @小明", []string{"小明"}},
		{"＠小明 hi", []string{"小明"}}, // full-width @
		{"＠ｈｉ＠ｔｈｅｒｅ", []string{"ｈｉ", "ｔｈｅｒｅ"}},
		{"a@b@c", []string{"b", "c"}},
		{"@a＠b@c", []string{"a", "b", "c"}},
		{"@a,b!c", []string{"a,b!c"}}, // punctuation is part of a name
		{"@😀x [doge]", []string{"😀x"}},
		// Whitespace of every kind ends a token.
		{"@a\tb", []string{"a"}},
		{"@a\nb", []string{"a"}},
		{"@a\r\nb", []string{"a"}},
		{"@a\u3000b", []string{"a"}},        // ideographic space
		{"@a\u00a0b", []string{"a"}},        // no-break space
		{"@a\u2003b", []string{"a"}},        // em space
		{"@a\u200bb", []string{"a\u200bb"}}, // a zero-width space is not white space
		// Nothing after the @.
		{"@", nil},
		{"@@", nil},
		{"＠＠@", nil},
		{"@ a", nil},
		{"@\tx", nil},
		{"@\u3000x", nil},
		{"x@", nil},
		{"@ @a", []string{"a"}},
		{"@@a", []string{"a"}},
		{"email a@b.com", []string{"b.com"}},
		// At most maxNameRunes runes per token, counted in runes, not bytes.
		{"@" + strings.Repeat("a", 64), []string{strings.Repeat("a", 64)}},
		{"@" + strings.Repeat("a", 65), []string{strings.Repeat("a", 64)}},
		{"@" + long, []string{long[:64*len("字")]}},
		{"@" + long + "@b", []string{long[:64*len("字")], "b"}},
		{"@" + strings.Repeat("😀", 64) + " x", []string{strings.Repeat("😀", 64)}},
	}
	for _, c := range cases {
		got := mentionTokens(c.in)
		if !slices.Equal(got, c.want) {
			t.Errorf("mentionTokens(%q) = %q, want %q", c.in, got, c.want)
		}
		checkTokens(t, c.in, got)
	}
}

func TestMentionTokensLimit(t *testing.T) {
	if maxMentionTokens != 20 || maxNameRunes != 64 {
		t.Fatalf("limits changed: %d tokens, %d runes; update this test and docs/groups.md",
			maxMentionTokens, maxNameRunes)
	}
	var in strings.Builder
	var want []string
	for i := range 30 {
		name := string(rune('a'+i%26)) + strings.Repeat("x", i)
		in.WriteString("@" + name + " ")
		if i < maxMentionTokens {
			want = append(want, name)
		}
	}
	if got := mentionTokens(in.String()); !slices.Equal(got, want) {
		t.Errorf("mentionTokens of 30 mentions = %q\nwant the first %d: %q", got, maxMentionTokens, want)
	}
	// A long text of @s and empty mentions is no problem, and yields nothing.
	if got := mentionTokens(strings.Repeat("@", 5000) + strings.Repeat("@ ", 5000)); got != nil {
		t.Errorf("mentionTokens of empty mentions = %q, want none", got)
	}
	// Only the first 20 '@'s are looked at, bare ones too (docs/groups.md).
	if got := mentionTokens(strings.Repeat("@ ", 19) + "@x @y"); !slices.Equal(got, []string{"x"}) {
		t.Errorf("mentionTokens after 19 bare @s = %q, want [x]", got)
	}
	if got := mentionTokens(strings.Repeat("@", 21) + "x"); got != nil {
		t.Errorf("mentionTokens of 21 @s then a name = %q, want none", got)
	}
}

func TestMentionTokensInvalidUTF8(t *testing.T) {
	// Invalid bytes before or inside a name.
	for _, in := range []string{"\xff@x", "@x\xffyz", "\xe4\xb8@a b", "@\xffab"} {
		checkTokens(t, in, mentionTokens(in))
	}
	// Invalid UTF-8 (Send never passes it, but the parser must not care): an invalid byte
	// is one byte wide, so no panic and no token running past a space or an '@'.
	for _, in := range []string{"@\xff", "@a\xff", "@\xff b", "@\xff@ab", "@\xc3", "@\xe4\xb8", "@\xe4\xb8 x",
		"@\xed\xa0\x80", "@\xf0\x9f\x98", "@a\xc3\t", "＠\xff", "@" + strings.Repeat("\xff", 100),
		"@" + strings.Repeat("字", 63) + "\xff\xff"} {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("mentionTokens(%q) panics: %v", in, r)
				}
			}()
			checkTokens(t, in, mentionTokens(in))
		}()
	}
}

// checkTokens checks what must hold of mentionTokens(in) for any in.
func checkTokens(t *testing.T, in string, toks []string) {
	t.Helper()
	if len(toks) > maxMentionTokens {
		t.Errorf("mentionTokens(%q): %d tokens, more than %d", in, len(toks), maxMentionTokens)
	}
	for _, tok := range toks {
		if tok == "" {
			t.Errorf("mentionTokens(%q): an empty token", in)
		}
		if utf8.ValidString(in) && !utf8.ValidString(tok) {
			t.Errorf("mentionTokens(%q): token %q is not valid UTF-8", in, tok)
		}
		if n := utf8.RuneCountInString(tok); n > maxNameRunes {
			t.Errorf("mentionTokens(%q): token %q has %d runes, more than %d", in, tok, n, maxNameRunes)
		}
		if strings.ContainsFunc(tok, unicode.IsSpace) || strings.ContainsAny(tok, "@＠") {
			t.Errorf("mentionTokens(%q): token %q holds white space or an @", in, tok)
		}
		if !strings.Contains(in, tok) {
			t.Errorf("mentionTokens(%q): token %q is not in the text", in, tok)
		}
	}
}

// refTokens is mentionTokens written over runes, for valid UTF-8: the first
// maxMentionTokens '@'s count, bare ones too (docs/groups.md).
func refTokens(s string) []string {
	rs := []rune(s)
	stop := func(r rune) bool { return unicode.IsSpace(r) || r == '@' || r == '＠' }
	var out []string
	ats := 0
	for i := 0; i < len(rs) && ats < maxMentionTokens; i++ {
		if rs[i] != '@' && rs[i] != '＠' {
			continue
		}
		ats++
		j := i + 1
		for j < len(rs) && j-(i+1) < maxNameRunes && !stop(rs[j]) {
			j++
		}
		if j > i+1 {
			out = append(out, string(rs[i+1:j]))
		}
		i = j - 1
	}
	return out
}

func FuzzMentionTokens(f *testing.F) {
	for _, s := range []string{"", "@小明", "@小明 你好", "@小明你好", "＠ｈｉ@there", "a@@b", "@\u3000x", "@a\u200bb",
		strings.Repeat("@a ", 25), "@" + strings.Repeat("字", 70) + "@b", strings.Repeat("@ ", 30) + "@x",
		"email a@b.com @", "@😀\t@[doge]", "\xff@x", "@\xff", "@\xff b", "@a\xc3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		valid := utf8.ValidString(s)
		toks := mentionTokens(s)
		checkTokens(t, s, toks)
		if valid {
			if want := refTokens(s); !slices.Equal(toks, want) {
				t.Fatalf("mentionTokens(%q) = %q, want %q", s, toks, want)
			}
		}
	})
}

// namedTx answers MembersNamed from a fixed table of member names; nothing else.
type namedTx struct {
	store.Tx
	members map[string][]uint64
	asked   [][]string
	err     error
}

func (n *namedTx) MembersNamed(_ context.Context, group uint64, names []string) ([]store.User, error) {
	n.asked = append(n.asked, slices.Clone(names))
	if n.err != nil {
		return nil, n.err
	}
	var out []store.User
	for _, name := range names {
		for _, mid := range n.members[name] {
			out = append(out, store.User{Mid: mid, Name: name})
		}
	}
	return out, nil
}

func TestMentions(t *testing.T) {
	ctx := context.Background()
	members := map[string][]uint64{
		"小明": {1}, "小": {2}, "ab": {3}, "abc": {4}, "同名": {5, 6}, "😀": {7}, "a b": {8},
	}
	cases := []struct {
		text string
		want []uint64
	}{
		{"@小明你好", []uint64{1}},
		{"@小明 你好", []uint64{1}},
		{"@小 @小明", []uint64{2, 1}}, // in order of first mention
		{"@小明 @小", []uint64{1, 2}},
		{"@小明 @小明 ＠小明", []uint64{1}}, // once each
		{"@abcd", []uint64{4}},       // the longest prefix that names a member
		{"@abx", []uint64{3}},
		{"@a", nil},
		{"@同名", []uint64{5, 6}}, // every member with that name
		{"@😀😀", []uint64{7}},
		{"@a b", nil}, // a name with a space cannot be mentioned
		{"@nobody", nil},
		{"no mention", nil},
		{"@", nil},
	}
	for _, c := range cases {
		tx := &namedTx{members: members}
		got, err := mentions(ctx, tx, 42, c.text)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("mentions(%q) = %v, %v; want %v", c.text, got, err, c.want)
		}
		if len(mentionTokens(c.text)) == 0 && len(tx.asked) != 0 {
			t.Errorf("mentions(%q) looked names up without a mention: %q", c.text, tx.asked)
		}
		if len(tx.asked) > 1 {
			t.Errorf("mentions(%q) looked names up %d times, want once", c.text, len(tx.asked))
		}
	}

	// The names looked up are every prefix of every token that ends on a rune boundary,
	// each once.
	tx := &namedTx{members: members}
	if _, err := mentions(ctx, tx, 42, "@小明你 @ab @小明"); err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"小", "小明", "小明你", "a", "ab"}}
	if !slices.EqualFunc(tx.asked, want, slices.Equal[[]string]) {
		t.Errorf("mentions looked up %q, want %q", tx.asked, want)
	}

	// The store's error comes back.
	boom := errors.New("boom")
	if got, err := mentions(ctx, &namedTx{err: boom}, 42, "@小明"); !errors.Is(err, boom) || got != nil {
		t.Errorf("mentions with a failing store = %v, %v; want nil, boom", got, err)
	}
}
