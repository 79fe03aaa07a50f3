package client_test

import (
	"strings"
	"testing"

	"github.com/bilimsg/bilimsg/client"
)

// FuzzParseTalker: any text either parses to a talker whose String parses back to
// itself, or is refused; it never panics.
func FuzzParseTalker(f *testing.F) {
	for _, s := range []string{"1", "user:293793435", "group:221082140", "group:", "user:0", "-1", "18446744073709551616", "group:1:2", " 1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tk, err := client.ParseTalker(s)
		if err != nil {
			return
		}
		if tk.ID == 0 || (tk.Type != client.SessionUser && tk.Type != client.SessionGroup) {
			t.Fatalf("ParseTalker(%q) = %+v", s, tk)
		}
		back, err := client.ParseTalker(tk.String())
		if err != nil || back != tk {
			t.Fatalf("ParseTalker(%q) = %+v; its String %q parses to %+v, %v", s, tk, tk.String(), back, err)
		}
	})
}

// FuzzParseCookies: any Cookie text either gives credentials with a SESSDATA that can
// be sent back as a cookie, or is refused; it never panics.
func FuzzParseCookies(f *testing.F) {
	for _, s := range []string{"SESSDATA=a; bili_jct=b; DedeUserID=1", "SESSDATA=", "DedeUserID=x; SESSDATA=a", ";;=;", "SESSDATA=a%2Cb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cr, err := client.ParseCookies(s)
		if err != nil {
			return
		}
		if cr.SESSDATA == "" || strings.Contains(cr.SESSDATA, ";") || strings.Contains(cr.BiliJct, ";") {
			t.Fatalf("ParseCookies(%q) = %+v", s, cr)
		}
		// What parsed is accepted as credentials unless it holds a control character.
		_, err = client.New(client.WithCredentials(cr))
		if err != nil && !strings.ContainsAny(cr.SESSDATA+cr.BiliJct, "\r\n\x00") {
			t.Fatalf("credentials parsed from %q are refused: %v", s, err)
		}
	})
}

// FuzzMessageContent: the content readers take any content of any message type without
// panicking, and Text finds words only in text (and fan-group system) messages.
func FuzzMessageContent(f *testing.F) {
	f.Add(1, `{"content":"你好[tv_doge]"}`)
	f.Add(2, `{"url":"https://i0.hdslb.com/bfs/im/a.png","width":1,"height":2}`)
	f.Add(5, "7202942012620800000")
	f.Add(306, `{"group_id":1,"content":"欢迎x入群"}`)
	f.Add(1, `{"content":null}`)
	f.Fuzz(func(t *testing.T, typ int, content string) {
		m := client.Message{MsgType: typ, Content: content}
		if _, ok := m.Text(); ok && typ != client.MsgText && typ < client.MsgGroupSystem {
			t.Fatalf("Text found words in a msg_type %d", typ)
		}
		if img, ok := m.Image(); ok && (typ != client.MsgImage || img.URL == "") {
			t.Fatalf("Image(%d, %q) = %+v", typ, content, img)
		}
		if _, ok := m.RecalledKey(); ok && typ != client.MsgRecall {
			t.Fatalf("RecalledKey on a msg_type %d", typ)
		}
		_ = m.Talker(1)
	})
}
