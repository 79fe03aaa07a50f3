package im

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/bilimsg/bilimsg/internal/store"
)

// fold maps text onto the form block words and keywords are compared in: full-width
// ASCII (Ａ, １, ：) becomes half-width, and every letter its simple case fold, so that
// matching ignores case in every script and the width of Latin letters and digits.
// Mapping through upper and then lower case also folds ſ, K (Kelvin) and final ς onto
// s, k and σ, which a plain lower-casing would miss — and the Turkish dotless ı and dotted
// İ onto i, which is what a user who "ignores case" expects of them.
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 0xFF01 && r <= 0xFF5E {
			r -= 0xFEE0
		} else if r == 0x3000 {
			r = ' '
		}
		return unicode.ToLower(unicode.ToUpper(r))
	}, s)
}

// spamRules are the deterministic rules of 私信智能拦截 (ai_intercept): a stranger's message
// that carries a link off bilibili or contact details is routed to the dustbin. They run
// on folded text. The same contact-detail rules refuse auto-reply texts (1500003).
type spamRules struct {
	url, domain, phone, qq, wechat, email *regexp.Regexp
}

func newSpamRules() *spamRules {
	return &spamRules{
		// An explicit http(s) URL, whatever its host.
		url: regexp.MustCompile(`https?://([^\s/?#:@]+)`),
		// A bare domain with a common top-level domain: "www.xx.com", "abc.cn/x". The
		// match is the domain alone, so that one domain's end cannot hide the next one;
		// domains finds where a match is cut short ("x.company").
		domain: regexp.MustCompile(`(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:com|cn|net|org|top|xyz|cc|io|me|vip|info|co|tv|site|shop|club|link|ly|to|app|dev|wang|icu|fun|ink|live)`),
		// A mainland mobile number, optionally grouped 3-4-4 by spaces or dashes.
		phone: regexp.MustCompile(`(?:^|[^0-9])1[3-9][0-9](?:[ -]?[0-9]{4}){2}(?:[^0-9]|$)`),
		// A QQ number announced as such.
		qq: regexp.MustCompile(`(?:qq|扣扣|企鹅|q群)[^0-9]{0,4}[1-9][0-9]{4,10}`),
		// A WeChat id (6–20 characters, starting with a letter) announced as such.
		wechat: regexp.MustCompile(`(?:微信|薇信|威信|v信|vx|wx|weixin|wechat)[号:\s]{0,3}[a-z][-_a-z0-9]{5,19}`),
		email:  regexp.MustCompile(`[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}`),
	}
}

// bilibiliHost reports whether host is one of bilibili's own, whose links are never
// treated as spam (sharing a video is what people do).
func bilibiliHost(host string) bool {
	for _, d := range []string{"bilibili.com", "b23.tv", "hdslb.com", "biliimg.com", "bilibili.tv", "acg.tv"} {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// contact reports phone numbers, QQ numbers and WeChat ids in folded text.
func (r *spamRules) contact(t string) bool {
	return r.phone.MatchString(t) || r.qq.MatchString(t) || r.wechat.MatchString(t)
}

// suspicious reports whether text carries a link off bilibili, contact details or an
// e-mail address.
func (r *spamRules) suspicious(text string) bool {
	t := fold(text)
	if r.contact(t) || r.email.MatchString(t) {
		return true
	}
	for _, m := range r.url.FindAllStringSubmatch(t, -1) {
		if !bilibiliHost(m[1]) {
			return true
		}
	}
	for _, m := range r.domain.FindAllStringIndex(t, -1) {
		// A domain ends where no letter, digit or '-' follows ("x.company" is no ".com").
		if end := m[1]; end < len(t) && isHostByte(t[end]) {
			continue
		}
		if !bilibiliHost(t[m[0]:m[1]]) {
			return true
		}
	}
	return false
}

func isHostByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '-'
}

// sensitive reports whether an auto-reply text would hand out contact details.
func (r *spamRules) sensitive(text string) bool { return r.contact(fold(text)) }

// splitKeywords splits a keyword list on full-width "，" (bilibili's separator) or ASCII
// ",", trimming each keyword and dropping empty ones.
func splitKeywords(s string) []string {
	var out []string
	for _, k := range strings.FieldsFunc(s, func(r rune) bool { return r == '，' || r == ',' }) {
		if k = strings.TrimSpace(k); k != "" {
			out = append(out, k)
		}
	}
	return out
}

// matchText is the form a received text is matched against keywords in: trimmed, folded.
func matchText(text string) string { return fold(strings.TrimSpace(text)) }

// A match index is the one text the send path reads to match a message against a user's
// keyword rules or block words, whatever their number: one entry per folded keyword,
// "<rule id> <e|f> <length>:<keyword>;" — e for an exact keyword (equal to the text), f for
// a fuzzy one (contained in it). Lengths make any keyword text safe to store.

// appendEntry writes one index entry for keyword k (not yet folded).
func appendEntry(b *strings.Builder, id uint64, tag, k string) {
	k = fold(k)
	fmt.Fprintf(b, "%d %s %d:%s;", id, tag, len(k), k)
}

// replyIndex is the index of a user's keyword rules, newest first as listed: key1 words
// exact, key2 words fuzzy, each under its rule's id.
func replyIndex(rules []store.AutoReply) string {
	var b strings.Builder
	for _, r := range rules {
		for _, k := range splitKeywords(r.Key1) {
			appendEntry(&b, r.ID, "e", k)
		}
		for _, k := range splitKeywords(r.Key2) {
			appendEntry(&b, r.ID, "f", k)
		}
	}
	return b.String()
}

// blockIndex is the index of a user's block words: each a fuzzy entry (id 0). Matching
// trims the text first, which changes nothing for block words: they hold no white space.
func blockIndex(words []store.BlockWord) string {
	var b strings.Builder
	for _, w := range words {
		appendEntry(&b, 0, "f", w.Content)
	}
	return b.String()
}

// matchIndex returns the id of the first entry in index (so: the first rule, newest
// first) that matches text: an exact keyword equal to the trimmed, folded text, or a fuzzy
// keyword it contains. A malformed index matches nothing.
func matchIndex(index, text string) (uint64, bool) {
	t := matchText(text)
	for index != "" {
		idText, rest, ok1 := strings.Cut(index, " ")
		tag, rest, ok2 := strings.Cut(rest, " ")
		lenText, rest, ok3 := strings.Cut(rest, ":")
		n, err := strconv.Atoi(lenText)
		if !ok1 || !ok2 || !ok3 || err != nil || n < 0 || n+1 > len(rest) {
			return 0, false
		}
		k := rest[:n]
		index = rest[n+1:] // skip the ";"
		if (tag == "e" && t == k) || (tag == "f" && strings.Contains(t, k)) {
			id, err := strconv.ParseUint(idText, 10, 64)
			return id, err == nil
		}
	}
	return 0, false
}
