package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bilimsg/bilimsg/client"
)

// clean makes user content safe for a terminal: control characters (an escape
// sequence could rewrite the screen) become visible escapes, newlines become "⏎".
func clean(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteString("⏎")
		case r == utf8.RuneError:
			b.WriteRune(r)
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069):
			// Also the bidirectional overrides, which can disguise text.
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// preview is a one-line rendering of a message's content.
func preview(m client.Message) string {
	var s string
	switch {
	case m.MsgType == client.MsgRecall:
		s = "[撤回了一条消息 " + m.Content + "]"
	case m.MsgType == client.MsgImage:
		if img, ok := m.Image(); ok {
			s = "[图片] " + img.URL
		} else {
			s = "[图片]"
		}
	default:
		if t, ok := m.Text(); ok {
			s = t
		} else {
			s = fmt.Sprintf("[msg_type %d] %s", m.MsgType, m.Content)
		}
	}
	if m.MsgStatus == 1 && m.MsgType != client.MsgRecall {
		s = "(已撤回) " + s
	}
	return clean(truncate(s, 200))
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// sender names who sent a message, seen by me.
func sender(m client.Message, me uint64) string {
	switch {
	case m.SenderUID == me:
		return "me"
	case m.SenderUID == 0:
		return "system"
	}
	return strconv.FormatUint(m.SenderUID, 10)
}

func stamp(sec int64, loc *time.Location) string {
	if sec == 0 {
		return "-"
	}
	return time.Unix(sec, 0).In(loc).Format("2006-01-02 15:04:05")
}

// messageLine is one message as the history and tail commands print it.
func messageLine(m client.Message, me uint64, loc *time.Location, withTalker bool) string {
	var b strings.Builder
	b.WriteString(stamp(m.Timestamp, loc))
	if withTalker {
		b.WriteString("  " + m.Talker(me).String())
	}
	fmt.Fprintf(&b, "  %s: %s  (seqno %d, msg_key %d)", sender(m, me), preview(m), m.MsgSeqno, m.MsgKey)
	return b.String()
}
