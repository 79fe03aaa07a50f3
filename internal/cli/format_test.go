package cli

import (
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/bilimsg/bilimsg/client"
)

// FuzzPreview: whatever a message holds, the line printed for it has no control
// character (no escape sequence reaches the terminal) and no line break, and is at
// most 200 characters of content.
func FuzzPreview(f *testing.F) {
	f.Add(1, `{"content":"a\u001b[2Jb\nc"}`, 0)
	f.Add(2, `{"url":"https://i0.hdslb.com/bfs/im/\u202eabc.png"}`, 0)
	f.Add(5, "123", 0)
	f.Add(11, strings.Repeat("长", 300), 1)
	f.Fuzz(func(t *testing.T, typ int, content string, status int) {
		m := client.Message{MsgType: typ, Content: content, MsgStatus: status, SenderUID: 7, ReceiverID: 1}
		line := messageLine(m, 1, time.UTC, true)
		for _, r := range line {
			if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
				t.Fatalf("the line for %q holds %U: %q", content, r, line)
			}
		}
	})
}
