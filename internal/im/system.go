package im

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"github.com/bilimsg/bilimsg/internal/store"
)

// System accounts (catalog §2.1): bilibili's own senders — 主播小助手, UP主小助手, 客服消息,
// 支付小助手 — whose sessions are session_type 1 with a system_msg_type, fixed huge talker
// ids and account_info. They push messages (notification cards, video and article pushes,
// picture and works cards); nobody can write to them. docs/feed.md has the details.

// SystemAccount is one of bilibili's system senders.
type SystemAccount struct {
	Type int    // system_msg_type
	Mid  uint64 // talker_id
	Name string
	Pic  string
}

// SystemAccounts are the four system senders. The ids of types 1, 7 and 9 are those of
// the catalog's example; 8's is bilimsg's, next to them. The avatar of 7 is the
// example's; the others are placeholders on the same host.
var SystemAccounts = []SystemAccount{
	{1, 844424930131967, "主播小助手", "https://message.biliimg.com/bfs/im/b5cbd1fc2e0e15bbd86a4de1c1ae1a8ba1e3b9c7.png"},
	{7, 844424930131966, "UP主小助手", "https://message.biliimg.com/bfs/im/489a63efadfb202366c2f88853d2217b5ddc7a13.png"},
	{8, 844424930131964, "客服消息", "https://message.biliimg.com/bfs/im/6a1f6f1b6b3c0d7e0a3f1d2c4b5e6f708192a3b4.png"},
	{9, 844424930131965, "支付小助手", "https://message.biliimg.com/bfs/im/0c2b3a4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b.png"},
}

// SystemAccountOf returns the system account with this talker id.
func SystemAccountOf(mid uint64) (SystemAccount, bool) {
	for _, a := range SystemAccounts {
		if a.Mid == mid {
			return a, true
		}
	}
	return SystemAccount{}, false
}

// SystemAccountByType returns the system account of a system_msg_type.
func SystemAccountByType(typ int) (SystemAccount, bool) {
	for _, a := range SystemAccounts {
		if a.Type == typ {
			return a, true
		}
	}
	return SystemAccount{}, false
}

// Push sources (catalog §2.3).
const (
	SourceBroadcast = 5 // official broadcast push
	SourcePush      = 6 // per-user notification push
)

// Push is one message a system account pushes to a user.
type Push struct {
	SystemType int
	MsgType    int             // 10, 11, 12, 13 or 16
	Content    json.RawMessage // the content object (catalog §10)
	Source     int             // 5 or 6; 0 means 6
	NotifyCode string          // "<main biz id>_<sub biz id>", or ""
}

// PushError says what is wrong with a push.
type PushError struct{ Reason string }

func (e *PushError) Error() string { return "invalid push: " + e.Reason }

var notifyCodeRE = regexp.MustCompile(`^[0-9]{1,10}_[0-9]{1,10}$`)

// PushMessage delivers p into owner's session with the system account. The content is
// checked against its msg_type's shape first; a malformed push stores nothing. The
// message counts as unread (biz_msg_follow_unread of single_unread) until acked.
func (s *Service) PushMessage(ctx context.Context, owner uint64, p Push) (store.Message, error) {
	acct, ok := SystemAccountByType(p.SystemType)
	if !ok {
		return store.Message{}, &PushError{fmt.Sprintf("system_msg_type %d is not 1, 7, 8 or 9", p.SystemType)}
	}
	if p.Source == 0 {
		p.Source = SourcePush
	}
	if p.Source != SourceBroadcast && p.Source != SourcePush {
		return store.Message{}, &PushError{"msg_source must be 5 or 6"}
	}
	if p.NotifyCode != "" && !notifyCodeRE.MatchString(p.NotifyCode) {
		return store.Message{}, &PushError{`notify_code must look like "2091_253"`}
	}
	content, err := checkCard(p.MsgType, p.Content)
	if err != nil {
		return store.Message{}, err
	}
	if len(content) > 16*MaxContentBytes {
		return store.Message{}, &PushError{"content over 32000 bytes"}
	}
	now := s.clock.Now()
	var m store.Message
	err = s.update(ctx, func(ctx context.Context, tx store.Tx) error {
		if _, err := tx.GetUser(ctx, owner); errors.Is(err, store.ErrNotFound) {
			return ErrUserNotFound
		} else if err != nil {
			return err
		}
		d, err := s.deliver(ctx, tx, delivery{from: acct.Mid, to: owner, msgType: p.MsgType, content: content,
			source: p.Source, notifyCode: p.NotifyCode, nfv: 1, visibleTo: owner, countsUnread: true,
			systemType: acct.Type}, now)
		m = d.msg
		return err
	})
	return m, s.internal("push", err)
}

// A card field's kind.
type cardKind int

const (
	kStr cardKind = iota
	kNum
	kObj
	kArr
)

type cardField struct {
	kind     cardKind
	required bool
	nullable bool
}

// cardShapes are the content shapes of the pushable msg_types (catalog §10): every field
// with its JSON kind; fields not listed are refused, so a typo cannot pass.
var cardShapes = map[int]map[string]cardField{
	10: {"title": {kStr, true, false}, "text": {kStr, true, false}, "jump_text": {kStr, false, false},
		"jump_uri": {kStr, false, false}, "modules": {kArr, false, true}, "jump_text_2": {kStr, false, false},
		"jump_uri_2": {kStr, false, false}, "jump_text_3": {kStr, false, false}, "jump_uri_3": {kStr, false, false},
		"notifier": {kObj, false, true}, "jump_uri_config": {kObj, false, false},
		"jump_uri_2_config": {kObj, false, false}, "jump_uri_3_config": {kObj, false, false},
		"biz_content": {kObj, false, true}},
	11: {"title": {kStr, false, false}, "times": {kNum, false, false}, "cover": {kStr, false, false},
		"rid": {kNum, true, false}, "type_": {kNum, false, false}, "type": {kNum, false, false},
		"desc": {kStr, false, false}, "bvid": {kStr, false, false}, "view": {kNum, false, false},
		"danmaku": {kNum, false, false}, "pub_date": {kNum, false, false}, "attach_msg": {kObj, false, true}},
	12: {"rid": {kNum, true, false}, "title": {kStr, false, false}, "summary": {kStr, false, false},
		"author": {kStr, false, false}, "view": {kNum, false, false}, "like": {kNum, false, false},
		"reply": {kNum, false, false}, "template_id": {kNum, false, false}, "image_urls": {kArr, false, true},
		"attach_msg": {kObj, false, true}, "pub_date": {kNum, false, false}, "type": {kNum, false, false}},
	13: {"pic_url": {kStr, true, false}, "jump_url": {kStr, true, false}, "title": {kStr, true, false}},
	16: {"main_title": {kStr, true, false}, "reply_content": {kStr, true, false}, "sub_cards": {kArr, true, false}},
}

// nested shapes: array items and objects inside the cards.
var (
	moduleShape    = map[string]cardField{"title": {kStr, true, false}, "detail": {kStr, true, false}}
	notifierShape  = map[string]cardField{"avatar_url": {kStr, true, false}, "nickname": {kStr, true, false}, "jump_url": {kStr, false, false}}
	jumpConfigKeys = map[string]cardField{"all_uri": {kStr, false, false}, "android_uri": {kStr, false, false},
		"iphone_uri": {kStr, false, false}, "ipad_uri": {kStr, false, false}, "web_uri": {kStr, false, false},
		"text": {kStr, true, false}}
	bizContentShape = map[string]cardField{"cover": {kStr, true, false}, "backup_cover": {kStr, true, false},
		"refresh_type": {kNum, true, false}, "biz_type": {kNum, true, false}, "biz_id1": {kStr, true, false},
		"biz_id2": {kStr, true, false}, "biz_status": {kNum, true, false}}
	attachShape  = map[string]cardField{"id": {kNum, true, false}, "content": {kStr, true, false}}
	subCardShape = map[string]cardField{"card_id": {kNum, true, false}, "card_type": {kNum, true, false},
		"jump_url": {kStr, true, false}, "cover_url": {kStr, true, false}, "field1": {kStr, true, false},
		"field2": {kStr, true, false}, "field3": {kStr, true, false}, "icon3": {kNum, true, false},
		"field4": {kStr, true, false}, "icon4": {kNum, true, false}}
)

// nestedShapes says which fields hold objects (or arrays of objects) of a known shape.
var nestedShapes = map[string]map[string]cardField{"modules": moduleShape, "notifier": notifierShape,
	"jump_uri_config": jumpConfigKeys, "jump_uri_2_config": jumpConfigKeys, "jump_uri_3_config": jumpConfigKeys,
	"biz_content": bizContentShape, "attach_msg": attachShape, "sub_cards": subCardShape}

// checkCard validates a push's content against its msg_type's shape and returns it
// compacted, as it will be stored and served (JSON-serialized into `content`).
func checkCard(msgType int, raw json.RawMessage) (string, error) {
	shape, ok := cardShapes[msgType]
	if !ok {
		return "", &PushError{fmt.Sprintf("msg_type %d cannot be pushed (10, 11, 12, 13, 16)", msgType)}
	}
	if err := checkObject("content", raw, shape); err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return "", &PushError{"content is not JSON"}
	}
	return buf.String(), nil
}

func checkObject(path string, raw json.RawMessage, shape map[string]cardField) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return &PushError{path + " must be a JSON object"}
	}
	if dup := duplicateKey(raw); dup != "" {
		// Clients would read one of the two values and the check the other.
		return &PushError{fmt.Sprintf("%s.%s appears twice", path, dup)}
	}
	for name := range obj {
		if _, ok := shape[name]; !ok {
			return &PushError{fmt.Sprintf("%s.%s is not a field of this card", path, name)}
		}
	}
	for name, f := range shape {
		v, ok := obj[name]
		if !ok {
			if f.required {
				return &PushError{fmt.Sprintf("%s.%s is required", path, name)}
			}
			continue
		}
		if err := checkValue(path+"."+name, name, v, f); err != nil {
			return err
		}
	}
	return nil
}

func checkValue(path, name string, v json.RawMessage, f cardField) error {
	v = bytes.TrimSpace(v)
	if string(v) == "null" {
		if f.nullable {
			return nil
		}
		return &PushError{path + " must not be null"}
	}
	want := map[cardKind]byte{kStr: '"', kObj: '{', kArr: '['}[f.kind]
	switch {
	case f.kind == kNum:
		// Every number of the cards is an integer: ids, counts, times, codes.
		_, errI := strconv.ParseInt(string(v), 10, 64)
		_, errU := strconv.ParseUint(string(v), 10, 64)
		if errI != nil && errU != nil {
			return &PushError{path + " must be an integer"}
		}
		return nil
	case len(v) == 0 || v[0] != want:
		return &PushError{path + " has the wrong JSON type"}
	}
	nested, ok := nestedShapes[name]
	switch {
	case f.kind == kObj && ok:
		return checkObject(path, v, nested)
	case f.kind == kArr:
		var items []json.RawMessage
		if err := json.Unmarshal(v, &items); err != nil {
			return &PushError{path + " must be an array"}
		}
		for i, it := range items {
			p := fmt.Sprintf("%s[%d]", path, i)
			if ok {
				if err := checkObject(p, it, nested); err != nil {
					return err
				}
			} else if err := checkValue(p, "", it, cardField{kind: kStr}); err != nil { // image_urls
				return err
			}
		}
	case f.kind == kStr:
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return &PushError{path + " must be a string"}
		}
	}
	return nil
}

// duplicateKey returns a key that the top level of the JSON object raw has twice, or "".
func duplicateKey(raw json.RawMessage) string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return ""
	}
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return ""
		}
		key, _ := t.(string)
		if seen[key] {
			return key
		}
		seen[key] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return ""
		}
	}
	return ""
}
