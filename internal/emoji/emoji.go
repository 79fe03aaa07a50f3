// Package emoji holds the catalog of bilibili text emoji ("[tv_doge]" style
// tokens) used to build the e_infos arrays of private-message responses
// (api-catalog §2.4) and to rewrite legacy emoji names when a message is sent
// with new_face_version 0 (api-catalog §9 item 10).
//
// The catalog is read from the embedded emoji.json; see its "source" field for
// where the names and image URLs come from.
package emoji

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

//go:embed emoji.json
var catalogJSON string

// maxTokenRunes is the longest emoji name, in characters, between the brackets.
const maxTokenRunes = 32

// linearDedupMax is the result size up to which duplicates are found by a
// linear scan; above it a set is built.
const linearDedupMax = 16

// Info is one e_infos entry as bilibili emits it (catalog §2.4): key "url" (not "uri"); gif_url omitted when empty.
type Info struct {
	Text   string `json:"text"`
	URL    string `json:"url"`
	Size   int    `json:"size"`              // always 1 (small) for text emoji
	GifURL string `json:"gif_url,omitempty"` // only some emoji (the 小电视 tv_ ones) have one
}

// Catalog is an immutable emoji table. It is safe for concurrent use.
type Catalog struct {
	entries []Info
	index   map[string]int    // Text -> position in entries
	legacy  map[string]string // old name -> new name
}

type fileEntry struct {
	Text   string `json:"text"`
	URL    string `json:"url"`
	GifURL string `json:"gif_url"`
}

type file struct {
	Source string            `json:"source"`
	Emoji  []fileEntry       `json:"emoji"`
	Legacy map[string]string `json:"legacy"`
}

// Load parses the embedded catalog file.
func Load() (*Catalog, error) {
	return parse([]byte(catalogJSON))
}

// MustLoad is Load that panics when the embedded file is broken (which a test
// rules out).
func MustLoad() *Catalog {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

func parse(b []byte) (*Catalog, error) {
	var f file
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("emoji: parse catalog: %w", err)
	}
	if len(f.Emoji) == 0 {
		return nil, errors.New("emoji: catalog has no entries")
	}
	c := &Catalog{
		entries: make([]Info, 0, len(f.Emoji)),
		index:   make(map[string]int, len(f.Emoji)),
		legacy:  make(map[string]string, len(f.Legacy)),
	}
	for i, e := range f.Emoji {
		if !isToken(e.Text) {
			return nil, fmt.Errorf("emoji: entry %d: %q is not a [name] token", i, e.Text)
		}
		if e.URL == "" {
			return nil, fmt.Errorf("emoji: entry %s: empty url", e.Text)
		}
		if _, dup := c.index[e.Text]; dup {
			return nil, fmt.Errorf("emoji: duplicate entry %s", e.Text)
		}
		c.index[e.Text] = len(c.entries)
		c.entries = append(c.entries, Info{Text: e.Text, URL: e.URL, Size: 1, GifURL: e.GifURL})
	}
	for from, to := range f.Legacy {
		if !isToken(from) || !isToken(to) {
			return nil, fmt.Errorf("emoji: legacy %q -> %q: not [name] tokens", from, to)
		}
		if _, ok := c.index[to]; !ok {
			return nil, fmt.Errorf("emoji: legacy %s -> %s: target not in catalog", from, to)
		}
		if _, chained := f.Legacy[to]; chained {
			// Keeps Convert idempotent.
			return nil, fmt.Errorf("emoji: legacy %s -> %s: target is itself a legacy name", from, to)
		}
		c.legacy[from] = to
	}
	return c, nil
}

// isToken reports whether s is exactly one token: "[" + 1..32 characters
// without brackets + "]".
func isToken(s string) bool {
	if len(s) < 3 || s[0] != '[' || s[len(s)-1] != ']' {
		return false
	}
	start, end, ok := nextToken(s, 0)
	return ok && start == 0 && end == len(s)
}

// nextToken finds the first token in s at or after byte offset i and returns
// its bounds s[start:end] (brackets included). A token is "[" followed by
// 1..maxTokenRunes characters that are neither "[" nor "]", then "]". Invalid
// UTF-8 bytes count as one character each. Every byte is examined at most
// once per call chain, so scanning a whole string with repeated calls (each
// resuming at the previous end) is linear.
func nextToken(s string, i int) (start, end int, ok bool) {
	for {
		o := strings.IndexByte(s[i:], '[')
		if o < 0 {
			return 0, 0, false
		}
		start = i + o
		j := start + 1
		n := 0
	scan:
		for j < len(s) {
			switch s[j] {
			case ']':
				if n > 0 {
					return start, j + 1, true
				}
				// "[]": not a token; resume after it.
				j++
				break scan
			case '[':
				// Nested/unbalanced: restart at the inner bracket.
				break scan
			}
			if n == maxTokenRunes {
				// Too long; no "[" seen so far, so resume here.
				break scan
			}
			if s[j] < utf8.RuneSelf {
				j++
			} else {
				_, sz := utf8.DecodeRuneInString(s[j:])
				j += sz
			}
			n++
		}
		if j >= len(s) {
			return 0, 0, false
		}
		i = j
	}
}

// Len returns the number of catalog entries.
func (c *Catalog) Len() int { return len(c.entries) }

// Lookup returns the entry for text, which includes the brackets ("[tv_doge]").
func (c *Catalog) Lookup(text string) (Info, bool) {
	i, ok := c.index[text]
	if !ok {
		return Info{}, false
	}
	return c.entries[i], true
}

// Convert rewrites legacy names to new ones ("[doge]" -> "[tv_doge]") — used when new_face_version is 0.
// Returns the input unchanged (same string, no allocation) when nothing converts.
func (c *Catalog) Convert(s string) string {
	if len(c.legacy) == 0 {
		return s
	}
	var b strings.Builder
	last := 0 // s[:last] is already written to b (when b is in use)
	for i := 0; ; {
		start, end, ok := nextToken(s, i)
		if !ok {
			break
		}
		i = end
		to, found := c.legacy[s[start:end]]
		if !found {
			continue
		}
		if b.Len() == 0 && last == 0 {
			b.Grow(len(s) + 16)
		}
		b.WriteString(s[last:start])
		b.WriteString(to)
		last = end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// Find returns the catalog entries for the [name] tokens in s, each once, in order of first appearance;
// nil when none. Unknown tokens are plain text. Must handle nested/unbalanced brackets ("[[doge]", "[a[doge]]"),
// invalid UTF-8, and very long strings without panicking; linear time.
func (c *Catalog) Find(s string) []Info {
	return c.AppendFind(nil, s)
}

// AppendFind is Find appending into dst and skipping entries whose Text is already in dst (to merge e_infos across messages).
func (c *Catalog) AppendFind(dst []Info, s string) []Info {
	var seen map[string]struct{} // built lazily once dst grows past linearDedupMax
	for i := 0; ; {
		start, end, ok := nextToken(s, i)
		if !ok {
			return dst
		}
		i = end
		idx, found := c.index[s[start:end]]
		if !found {
			continue
		}
		e := c.entries[idx]
		if seen == nil && len(dst) > linearDedupMax {
			seen = make(map[string]struct{}, 2*len(dst))
			for _, d := range dst {
				seen[d.Text] = struct{}{}
			}
		}
		if seen != nil {
			if _, dup := seen[e.Text]; dup {
				continue
			}
			seen[e.Text] = struct{}{}
		} else if containsText(dst, e.Text) {
			continue
		}
		if dst == nil {
			dst = make([]Info, 0, 4) // one allocation for the common few-emoji message
		}
		dst = append(dst, e)
	}
}

func containsText(list []Info, text string) bool {
	for i := range list {
		if list[i].Text == text {
			return true
		}
	}
	return false
}

// All returns every entry in catalog order (the emoji picker's list); legacy names
// that Convert rewrites are not entries.
func (c *Catalog) All() []Info { return slices.Clone(c.entries) }
