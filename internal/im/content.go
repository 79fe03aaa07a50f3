package im

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Message types that P19 can send (catalog §10).
const (
	MsgText   = 1
	MsgImage  = 2
	MsgRecall = 5
	MsgWorks  = 16 // the works card of the followed auto-reply (catalog §10.4)
	MsgHint   = 18
)

// Message sources (catalog §2.3).
const (
	SourceWeb           = 7
	SourceFollowedReply = 8  // auto-reply when followed
	SourceRecvReply     = 9  // auto-reply to a received message
	SourceKeywordReply  = 10 // keyword auto-reply
	SourceVoyageReply   = 11 // auto-reply to a guard purchase (大航海)
	SourceMutualFollow  = 17
	SourceHint          = 18
)

// MaxContentBytes is the documented upper bound of msg[content] (21007).
const MaxContentBytes = 2000

// ParseText checks a msg_type 1 content: a JSON object whose "content" is a non-empty
// string (else -400). It returns the text.
func ParseText(raw string) (string, *Error) {
	if !utf8.ValidString(raw) {
		return "", ErrBadRequest
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &obj); err != nil || obj == nil {
		return "", ErrBadRequest
	}
	var text string
	field, ok := obj["content"]
	if !ok || json.Unmarshal(field, &text) != nil || text == "" {
		return "", ErrBadRequest
	}
	return text, nil
}

// ParseImage checks a msg_type 2 content: a JSON object (else -400) whose "url" is an
// http(s) URL on bilibili's image hosts (*.hdslb.com, *.biliimg.com) under /bfs/ (else 21037).
func ParseImage(raw string) *Error {
	if !utf8.ValidString(raw) {
		return ErrBadRequest
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &obj); err != nil || obj == nil {
		return ErrBadRequest
	}
	var s string
	field, ok := obj["url"]
	if !ok || json.Unmarshal(field, &s) != nil {
		return ErrBadImage
	}
	if !IsBilibiliImage(s) {
		return ErrBadImage
	}
	return nil
}

// IsBilibiliImage reports whether s is an image URL on bilibili's image hosts.
func IsBilibiliImage(s string) bool {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil {
		return false
	}
	host := strings.ToLower(u.Hostname())
	if !strings.HasSuffix(host, ".hdslb.com") && !strings.HasSuffix(host, ".biliimg.com") {
		return false
	}
	return strings.HasPrefix(u.EscapedPath(), "/bfs/")
}

// ParseRecall reads a msg_type 5 content: the target msg_key in decimal (else -400).
func ParseRecall(raw string) (uint64, *Error) {
	k, err := strconv.ParseUint(raw, 10, 64)
	if err != nil || k == 0 {
		return 0, ErrBadRequest
	}
	return k, nil
}

// TextOf returns the text of a stored msg_type 1 content, or "" when it has none. It
// reads the content exactly as ParseText does (the "content" key is case-sensitive, as in
// a client's JSON.parse), so history e_infos match what the send answered.
func TextOf(content string) string {
	text, _ := ParseText(content)
	return text
}

// hintContent is the msg_type 18 hint shown to a sender who may send only one message
// (catalog §9 item 13): a content object whose "content" is a JSON array of styled runs.
const hintContent = `{"content":"[{\"text\":\"对方主动回复或关注你前，最多发送1条消息\",\"color_day\":\"#9499A0\",\"color_nig\":\"#9499A0\"}]"}`

// greetingContent is the automatic message of a new mutual follow (msg_source 17).
const greetingContent = `{"content":"我们已互相关注，开始聊天吧~"}`
