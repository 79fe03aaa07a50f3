package im

// Unit and fuzz tests of the push card validator (checkCard, internal/im/system.go)
// against the content shapes of catalog §10 (msg_types 10, 11, 12, 13, 16 and §10.1–10.4)
// and docs/feed.md "Pushes".
//
// The field tables below are written from the catalog, not copied from cardShapes, so
// that the two are checked against each other: every field of every shape is deleted,
// given every wrong JSON type, and has unknown siblings added, at the top level and in
// every nested object.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/bilimsg/bilimsg/internal/store"
)

// kinds of JSON values, as the catalog names them.
const (
	jStr  = "string"
	jNum  = "number"
	jObj  = "object"
	jArr  = "array"
	jBool = "bool"
	jNull = "null"
)

// specField is one field of a §10 shape.
type specField struct {
	kind     string
	required bool
	nullable bool
	// nested names the shape of the object (jObj) or of the array items (jArr): a key of
	// specNested, or jStr for arrays of strings.
	nested string
}

// specCards are the top-level shapes of the pushable msg_types, from catalog §10 and the
// required fields of docs/feed.md (10: title, text; 11 and 12: rid; 13: all three; 16: all).
var specCards = map[int]map[string]specField{
	// §10.1
	10: {
		"title": {jStr, true, false, ""}, "text": {jStr, true, false, ""},
		"jump_text": {jStr, false, false, ""}, "jump_uri": {jStr, false, false, ""},
		"modules":     {jArr, false, true, "module"},
		"jump_text_2": {jStr, false, false, ""}, "jump_uri_2": {jStr, false, false, ""},
		"jump_text_3": {jStr, false, false, ""}, "jump_uri_3": {jStr, false, false, ""},
		"notifier":          {jObj, false, true, "notifier"},
		"jump_uri_config":   {jObj, false, false, "jump_config"},
		"jump_uri_2_config": {jObj, false, false, "jump_config"},
		"jump_uri_3_config": {jObj, false, false, "jump_config"},
		"biz_content":       {jObj, false, true, "biz_content"},
	},
	// §10.2, with the degenerate form's "type".
	11: {
		"title": {jStr, false, false, ""}, "times": {jNum, false, false, ""}, "cover": {jStr, false, false, ""},
		"rid": {jNum, true, false, ""}, "type_": {jNum, false, false, ""}, "desc": {jStr, false, false, ""},
		"bvid": {jStr, false, false, ""}, "view": {jNum, false, false, ""}, "danmaku": {jNum, false, false, ""},
		"pub_date": {jNum, false, false, ""}, "attach_msg": {jObj, false, true, "attach_msg"},
		"type": {jNum, false, false, ""},
	},
	// §10.3, with the degenerate form's "type".
	12: {
		"rid": {jNum, true, false, ""}, "title": {jStr, false, false, ""}, "summary": {jStr, false, false, ""},
		"author": {jStr, false, false, ""}, "view": {jNum, false, false, ""}, "like": {jNum, false, false, ""},
		"reply": {jNum, false, false, ""}, "template_id": {jNum, false, false, ""},
		"image_urls": {jArr, false, true, jStr}, "attach_msg": {jObj, false, true, "attach_msg"},
		"pub_date": {jNum, false, false, ""}, "type": {jNum, false, false, ""},
	},
	// §10 table
	13: {"pic_url": {jStr, true, false, ""}, "jump_url": {jStr, true, false, ""}, "title": {jStr, true, false, ""}},
	// §10.4
	16: {"main_title": {jStr, true, false, ""}, "reply_content": {jStr, true, false, ""},
		"sub_cards": {jArr, true, false, "sub_card"}},
}

// specNested are the shapes of the nested objects.
var specNested = map[string]map[string]specField{
	"module": {"title": {jStr, true, false, ""}, "detail": {jStr, true, false, ""}},
	// jump_url "may be """: present, but bilimsg lets it be omitted.
	"notifier": {"avatar_url": {jStr, true, false, ""}, "nickname": {jStr, true, false, ""},
		"jump_url": {jStr, false, false, ""}},
	// The URI keys are absent when the button does not exist; text is always there.
	"jump_config": {"all_uri": {jStr, false, false, ""}, "android_uri": {jStr, false, false, ""},
		"iphone_uri": {jStr, false, false, ""}, "ipad_uri": {jStr, false, false, ""},
		"web_uri": {jStr, false, false, ""}, "text": {jStr, true, false, ""}},
	"biz_content": {"cover": {jStr, true, false, ""}, "backup_cover": {jStr, true, false, ""},
		"refresh_type": {jNum, true, false, ""}, "biz_type": {jNum, true, false, ""},
		"biz_id1": {jStr, true, false, ""}, "biz_id2": {jStr, true, false, ""}, "biz_status": {jNum, true, false, ""}},
	"attach_msg": {"id": {jNum, true, false, ""}, "content": {jStr, true, false, ""}},
	"sub_card": {"card_id": {jNum, true, false, ""}, "card_type": {jNum, true, false, ""},
		"jump_url": {jStr, true, false, ""}, "cover_url": {jStr, true, false, ""}, "field1": {jStr, true, false, ""},
		"field2": {jStr, true, false, ""}, "field3": {jStr, true, false, ""}, "icon3": {jNum, true, false, ""},
		"field4": {jStr, true, false, ""}, "icon4": {jNum, true, false, ""}},
}

// The catalog's examples.
const (
	// §10.1, verbatim.
	card10Catalog = `{"title":"直播开始提醒","text":"你预约的直播已开始，快来围观吧~","jump_text":"进入直播间","jump_uri":"https://live.bilibili.com/22747055?…",
 "modules":[{"title":"预约主题","detail":"2024哔哩哔哩拜年纪"}],"jump_text_2":"","jump_uri_2":"","jump_text_3":"","jump_uri_3":"",
 "notifier":null,"jump_uri_config":{"all_uri":"https://live.bilibili.com/22747055?…","text":"进入直播间"},
 "jump_uri_2_config":{"text":""},"jump_uri_3_config":{"text":""},
 "biz_content":{"cover":"","backup_cover":"http://…jpg","refresh_type":1,"biz_type":2,"biz_id1":"1868902080","biz_id2":"473923647994271663","biz_status":0}}`
	// P3's last_msg (UP主小助手, notify_code 2091_253): the catalog elides all but the
	// title; the rest is a notification of the same kind.
	card10P3 = `{"title":"流量奖励到账通知","text":"恭喜你，你的稿件《春日vlog》获得了流量奖励，快去看看吧~","jump_text":"查看详情",` +
		`"jump_uri":"https://member.bilibili.com/york/traffic-reward","modules":null,"jump_text_2":"","jump_uri_2":"",` +
		`"jump_text_3":"","jump_uri_3":"","notifier":null,` +
		`"jump_uri_config":{"all_uri":"https://member.bilibili.com/york/traffic-reward","text":"查看详情"},` +
		`"jump_uri_2_config":{"text":""},"jump_uri_3_config":{"text":""},"biz_content":null}`
)

// fullCards hold every field of their shape (and of the nested shapes), each with a value
// of the right kind, so that the field tests can delete or spoil any of them.
var fullCards = map[int]string{
	10: `{"title":"直播开始提醒","text":"你预约的直播已开始，快来围观吧~","jump_text":"进入直播间",
		"jump_uri":"https://live.bilibili.com/22747055","modules":[{"title":"预约主题","detail":"2024哔哩哔哩拜年纪"},
		{"title":"时间","detail":"2月9日 19:00"}],"jump_text_2":"取消预约","jump_uri_2":"https://live.bilibili.com/cancel",
		"jump_text_3":"更多","jump_uri_3":"https://live.bilibili.com/more",
		"notifier":{"avatar_url":"https://i0.hdslb.com/bfs/face/a.jpg","nickname":"哔哩哔哩直播","jump_url":"https://space.bilibili.com/1"},
		"jump_uri_config":{"all_uri":"https://live.bilibili.com/22747055","android_uri":"bilibili://live/22747055",
		"iphone_uri":"bilibili://live/22747055","ipad_uri":"bilibili://live/22747055","web_uri":"https://live.bilibili.com/22747055",
		"text":"进入直播间"},
		"jump_uri_2_config":{"all_uri":"https://live.bilibili.com/cancel","android_uri":"a","iphone_uri":"i","ipad_uri":"p","web_uri":"w","text":"取消"},
		"jump_uri_3_config":{"all_uri":"https://live.bilibili.com/more","android_uri":"a","iphone_uri":"i","ipad_uri":"p","web_uri":"w","text":"更多"},
		"biz_content":{"cover":"http://i0.hdslb.com/c.jpg","backup_cover":"http://i0.hdslb.com/b.jpg","refresh_type":1,"biz_type":2,
		"biz_id1":"1868902080","biz_id2":"473923647994271663","biz_status":0}}`,
	11: `{"title":"【4K】春日vlog","times":245,"cover":"http://i0.hdslb.com/bfs/archive/c.jpg","rid":1951296417,"type_":8,
		"desc":"简介","bvid":"BV1dC41157bH","view":120345,"danmaku":678,"pub_date":1712305278,
		"attach_msg":{"id":7354295169819585966,"content":"UP主赠言：谢谢大家[doge]"},"type":8}`,
	12: `{"rid":33000123,"title":"专栏标题","summary":"摘要","author":"作者","view":1024,"like":64,"reply":8,"template_id":4,
		"image_urls":["https://i0.hdslb.com/bfs/article/a.jpg","https://i0.hdslb.com/bfs/article/b.jpg"],
		"attach_msg":{"id":1,"content":"UP主赠言：新文章"},"pub_date":1712305278,"type":12}`,
	13: `{"pic_url":"https://i0.hdslb.com/bfs/im/card.png","jump_url":"https://www.bilibili.com/blackboard/activity.html","title":"[图片]活动开始啦"}`,
	16: `{"main_title":"更多宝藏内容","reply_content":"感谢关注，这是我的作品",
		"sub_cards":[{"card_id":1951296417,"card_type":1,"jump_url":"https://www.bilibili.com/video/BV1dC41157bH",
		"cover_url":"http://i0.hdslb.com/bfs/archive/c.jpg","field1":"春日vlog","field2":"2024-04-05","field3":"20万","icon3":1,
		"field4":"479","icon4":3},{"card_id":2,"card_type":1,"jump_url":"https://www.bilibili.com/video/av2",
		"cover_url":"","field1":"第二个","field2":"2024-04-01","field3":"1.2万","icon3":1,"field4":"3","icon4":5}]}`,
}

// wrongValues are one value of each JSON kind.
var wrongValues = []struct{ kind, raw string }{
	{jStr, `"1"`}, {jStr, `""`}, {jNum, `1`}, {jNum, `0`}, {jObj, `{}`}, {jArr, `[]`}, {jBool, `true`},
	{jBool, `false`}, {jNull, `null`},
}

// accepted asserts that checkCard accepts in and returns it compacted and equal.
func accepted(t *testing.T, msgType int, in string) {
	t.Helper()
	out, err := checkCard(msgType, json.RawMessage(in))
	if err != nil {
		t.Errorf("checkCard(%d, %s) refused: %v", msgType, in, err)
		return
	}
	if msg := sameCard(in, out); msg != "" {
		t.Errorf("checkCard(%d, %s) = %s: %s", msgType, in, out, msg)
	}
}

// refused asserts that checkCard refuses in with a *PushError whose message contains
// every one of names.
func refused(t *testing.T, msgType int, in string, names ...string) {
	t.Helper()
	out, err := checkCard(msgType, json.RawMessage(in))
	if err == nil {
		t.Errorf("checkCard(%d, %s) accepted: %s; want an error naming %q", msgType, in, out, names)
		return
	}
	var pe *PushError
	if !errors.As(err, &pe) {
		t.Errorf("checkCard(%d, %s): error %v (%T), want a *PushError", msgType, in, err, err)
	}
	if !strings.HasPrefix(err.Error(), "invalid push: ") {
		t.Errorf("checkCard(%d, %s): error %q does not start with \"invalid push: \"", msgType, in, err)
	}
	for _, n := range names {
		if !strings.Contains(err.Error(), n) {
			t.Errorf("checkCard(%d, %s): error %q does not name %q", msgType, in, err, n)
		}
	}
	if out != "" {
		t.Errorf("checkCard(%d, %s) refused but returned %q", msgType, in, out)
	}
}

// sameCard says what is wrong with out as the stored form of in ("" when nothing): out
// must be valid, compact JSON equal to in.
func sameCard(in, out string) string {
	if !json.Valid([]byte(out)) {
		return "not valid JSON"
	}
	var c bytes.Buffer
	if err := json.Compact(&c, []byte(out)); err != nil || c.String() != out {
		return "not compact"
	}
	a, errA := decodeJSON([]byte(in))
	b, errB := decodeJSON([]byte(out))
	if errA != nil || errB != nil {
		return fmt.Sprintf("cannot decode: %v, %v", errA, errB)
	}
	if !reflect.DeepEqual(a, b) {
		return "not JSON-equal to the input"
	}
	return ""
}

// decodeJSON decodes one JSON value with exact numbers.
func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, errors.New("trailing data")
	}
	return v, nil
}

// edit decodes the card, applies f to it, and encodes it again.
func edit(t *testing.T, card string, f func(m map[string]any)) string {
	t.Helper()
	v, err := decodeJSON([]byte(card))
	if err != nil {
		t.Fatalf("fixture %s: %v", card, err)
	}
	m := v.(map[string]any)
	f(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// --- the catalog's examples and other valid cards ---

func TestCheckCardValid(t *testing.T) {
	cases := []struct {
		name    string
		msgType int
		in      string
	}{
		{"10 catalog §10.1", 10, card10Catalog},
		{"10 P3 example", 10, card10P3},
		{"10 minimal", 10, `{"title":"t","text":"x"}`},
		{"10 empty strings", 10, `{"title":"","text":""}`},
		{"10 modules null", 10, `{"title":"t","text":"x","modules":null}`},
		{"10 modules empty", 10, `{"title":"t","text":"x","modules":[]}`},
		{"10 notifier", 10, `{"title":"t","text":"x","notifier":{"avatar_url":"a","nickname":"n","jump_url":""}}`},
		{"10 notifier without jump_url", 10, `{"title":"t","text":"x","notifier":{"avatar_url":"a","nickname":"n"}}`},
		{"10 button config of a missing button", 10, `{"title":"t","text":"x","jump_uri_2_config":{"text":""}}`},
		{"10 biz_content null", 10, `{"title":"t","text":"x","biz_content":null}`},
		{"11 full", 11, fullCards[11]},
		{"11 catalog fields", 11, `{"title":"t","times":10,"cover":"c","rid":1,"type_":8,"desc":"d","bvid":"BV1",` +
			`"view":0,"danmaku":0,"pub_date":1712305278,"attach_msg":null}`},
		{"11 degenerate", 11, `{"rid":1951296417,"type":11,"attach_msg":{"id":1,"content":"UP主赠言：[doge]"}}`},
		{"11 degenerate type 8", 11, `{"rid":1,"type":8,"attach_msg":null}`},
		{"11 invalid video", 11, `{"title":"","times":0,"cover":"","rid":1,"desc":"","view":0,"danmaku":0}`},
		{"11 minimal", 11, `{"rid":1}`},
		{"12 full", 12, fullCards[12]},
		{"12 invalid article", 12, `{"rid":1,"title":"内容已失效","summary":"","author":"","view":0,"like":0,"reply":0,` +
			`"template_id":0,"image_urls":null,"attach_msg":null,"pub_date":0}`},
		{"12 no images", 12, `{"rid":1,"image_urls":[]}`},
		{"12 degenerate", 12, `{"rid":33000123,"type":12,"attach_msg":{"id":2,"content":"UP主赠言：x"}}`},
		{"12 minimal", 12, `{"rid":1}`},
		{"13", 13, fullCards[13]},
		{"13 empty strings", 13, `{"pic_url":"","jump_url":"","title":""}`},
		{"16 full", 16, fullCards[16]},
		{"16 no cards", 16, `{"main_title":"更多宝藏内容","reply_content":"r","sub_cards":[]}`},
		{"16 one card", 16, `{"main_title":"m","reply_content":"r","sub_cards":[{"card_id":1,"card_type":1,"jump_url":"j",` +
			`"cover_url":"c","field1":"1","field2":"2","field3":"3","icon3":1,"field4":"4","icon4":3}]}`},
		// Whitespace and key order do not matter; the output is compacted.
		{"whitespace", 13, " \n\t{ \"title\" : \"a b\" ,\n \"jump_url\":\"j\",\r\n\"pic_url\" :\"p\" } \n"},
		// Numbers are integers of 64 bits (signed or not); big ones are kept digit for digit.
		{"big rid", 11, `{"rid":18446744073709551615}`},
		{"negative", 11, `{"rid":-1,"view":-0}`},
		// Strings with escapes and non-ASCII text stay as they were.
		{"escapes", 13, `{"pic_url":"a\"b\\c\/d","jump_url":"\u0041\ud83d\ude00\n","title":"<b>&amp;</b> 😀 \u2028"}`},
		{"escaped key", 13, `{"pic_\u0075rl":"p","jump_url":"j","title":"t"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { accepted(t, c.msgType, c.in) })
	}
	// The full cards really are full: they hold every field of the catalog's shapes.
	for typ, spec := range specCards {
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(fullCards[typ]), &m); err != nil {
			t.Fatalf("fullCards[%d]: %v", typ, err)
		}
		if got, want := slices.Sorted(maps.Keys(m)), slices.Sorted(maps.Keys(spec)); !slices.Equal(got, want) {
			t.Errorf("fullCards[%d] has %v, the catalog's shape %v", typ, got, want)
		}
		accepted(t, typ, fullCards[typ])
	}
}

// TestCheckCardCompacts: the stored content is exactly the compact form of the input,
// key order and escapes kept.
func TestCheckCardCompacts(t *testing.T) {
	for _, c := range []struct {
		msgType int
		in      string
		want    string
	}{
		{13, " {\n  \"title\": \"t\",\n  \"pic_url\": \"p\",\n  \"jump_url\": \"j\"\n} ", `{"title":"t","pic_url":"p","jump_url":"j"}`},
		{11, `{ "rid" : 1951296417 , "attach_msg" : null }`, `{"rid":1951296417,"attach_msg":null}`},
		{11, `{"rid":18446744073709551615}`, `{"rid":18446744073709551615}`},
		{13, `{"pic_url":"\u00e9","jump_url":"<>&","title":"a b"}`, `{"pic_url":"\u00e9","jump_url":"<>&","title":"a b"}`},
		{10, `{"title":"t","text":"x","modules":[ {"title":"a" , "detail":"b"} ]}`,
			`{"title":"t","text":"x","modules":[{"title":"a","detail":"b"}]}`},
	} {
		got, err := checkCard(c.msgType, json.RawMessage(c.in))
		if err != nil || got != c.want {
			t.Errorf("checkCard(%d, %s) = %s, %v; want %s", c.msgType, c.in, got, err, c.want)
		}
	}
	var c bytes.Buffer
	if err := json.Compact(&c, []byte(card10Catalog)); err != nil {
		t.Fatal(err)
	}
	if got, err := checkCard(10, json.RawMessage(card10Catalog)); err != nil || got != c.String() {
		t.Errorf("the §10.1 example is stored as %s, %v; want %s", got, err, c.String())
	}
}

// --- refusals ---

func TestCheckCardMsgType(t *testing.T) {
	for _, typ := range []int{-10, 0, 1, 2, 3, 5, 6, 7, 8, 9, 14, 15, 17, 18, 19, 50, 51, 101, 301, 306, 1 << 40} {
		for _, in := range []string{fullCards[13], fullCards[10], `{}`} {
			refused(t, typ, in, "msg_type", fmt.Sprint(typ))
		}
	}
	// A valid card of another type is refused: each type has its own shape.
	for from, card := range fullCards {
		for _, to := range slices.Sorted(maps.Keys(fullCards)) {
			if to == from {
				continue
			}
			if _, err := checkCard(to, json.RawMessage(card)); err == nil {
				t.Errorf("the full card of msg_type %d passes as msg_type %d", from, to)
			}
		}
	}
}

func TestCheckCardNotAnObject(t *testing.T) {
	for typ := range specCards {
		for _, in := range []string{``, ` `, `null`, ` null `, `[]`, `[{"rid":1}]`, `"{\"rid\":1}"`, `1`, `true`,
			`{`, `{"rid":1`, `{"rid":1}}`, `{"rid":1} {}`, `{"rid":1}x`, `{rid:1}`, `{'rid':1}`, `{"rid":1,}`,
			"\xef\xbb\xbf{\"rid\":1}"} {
			refused(t, typ, in, "content")
		}
	}
}

// TestCheckCardFields deletes, spoils and adds to every field of every shape, at every
// level, starting from the full cards.
func TestCheckCardFields(t *testing.T) {
	for _, typ := range slices.Sorted(maps.Keys(specCards)) {
		t.Run(fmt.Sprint(typ), func(t *testing.T) {
			checkFields(t, typ, fullCards[typ], nil, specCards[typ])
		})
	}
}

// objAt returns the object at path (keys and array indexes) in the decoded card m.
func objAt(m map[string]any, path []any) map[string]any {
	var v any = m
	for _, p := range path {
		switch p := p.(type) {
		case string:
			v = v.(map[string]any)[p]
		case int:
			v = v.([]any)[p]
		}
	}
	return v.(map[string]any)
}

// checkFields checks every field of the object at path (a list of keys and array
// indexes under the card) against shape.
func checkFields(t *testing.T, typ int, card string, path []any, shape map[string]specField) {
	t.Helper()
	at := func(m map[string]any) map[string]any { return objAt(m, path) }
	where := "content"
	for _, p := range path {
		if _, ok := p.(int); ok {
			where += fmt.Sprintf("[%d]", p)
		} else {
			where += "." + p.(string)
		}
	}
	// What a reason about field must name: the field, and the top-level field it is in.
	names := func(field string) []string {
		if len(path) == 0 {
			return []string{field}
		}
		return []string{path[0].(string), field}
	}
	for _, name := range slices.Sorted(maps.Keys(shape)) {
		f := shape[name]
		// Deleted.
		in := edit(t, card, func(m map[string]any) { delete(at(m), name) })
		if f.required {
			refused(t, typ, in, append(names(name), "required")...)
		} else {
			accepted(t, typ, in)
		}
		// Every other kind of value.
		for _, w := range wrongValues {
			in := edit(t, card, func(m map[string]any) { at(m)[name] = json.RawMessage(w.raw) })
			switch {
			case w.kind == f.kind && (w.kind == jStr || w.kind == jNum):
				accepted(t, typ, in)
			case w.kind == f.kind && w.kind == jArr:
				accepted(t, typ, in) // an empty array
			case w.kind == f.kind && w.kind == jObj:
				// {} misses the nested shape's required fields, if it has any.
				if hasRequired(specNested[f.nested]) {
					refused(t, typ, in, append(names(name), "required")...)
				} else {
					accepted(t, typ, in)
				}
			case w.kind == jNull && f.nullable:
				accepted(t, typ, in)
			default:
				refused(t, typ, in, names(name)...)
			}
		}
		// A number written as a string is not a number.
		if f.kind == jNum {
			refused(t, typ, edit(t, card, func(m map[string]any) { at(m)[name] = "12" }), names(name)...)
		}
		// Arrays: items of every wrong kind, and the nested shape of their items.
		if f.kind == jArr {
			checkItems(t, typ, card, path, name, f, names(name))
		}
		// Objects: their own fields, one level down.
		if f.kind == jObj {
			checkFields(t, typ, card, append(slices.Clone(path), name), specNested[f.nested])
		}
	}
	// An unknown field, a field of another shape, and a known one in another case: the
	// reason names it with its path.
	for _, extra := range []string{"extra", "Title", "TITLE", "title ", "content_", "msg_type", "sender_uid", ""} {
		if _, ok := shape[extra]; ok {
			continue
		}
		in := edit(t, card, func(m map[string]any) { at(m)[extra] = "x" })
		refused(t, typ, in, where+"."+extra)
		in = edit(t, card, func(m map[string]any) { at(m)[extra] = nil })
		refused(t, typ, in, where+"."+extra)
	}
	// An empty object misses the required fields.
	if hasRequired(shape) {
		in := edit(t, card, func(m map[string]any) { clear(at(m)) })
		refused(t, typ, in, "required")
	}
}

// checkItems spoils the items of the array field name of the object at path.
func checkItems(t *testing.T, typ int, card string, path []any, name string, f specField, names []string) {
	t.Helper()
	items := func(m map[string]any) []any { return objAt(m, path)[name].([]any) }
	for _, w := range wrongValues {
		in := edit(t, card, func(m map[string]any) { items(m)[0] = json.RawMessage(w.raw) })
		switch {
		case f.nested == jStr && w.kind == jStr:
			accepted(t, typ, in)
		case f.nested != jStr && w.kind == jObj:
			refused(t, typ, in, append(names, "[0]", "required")...) // {} misses the item's fields
		default:
			refused(t, typ, in, append(names, "[0]")...) // null items are never allowed
		}
		// The bad item last, after good ones.
		in = edit(t, card, func(m map[string]any) { objAt(m, path)[name] = append(items(m), json.RawMessage(w.raw)) })
		if f.nested != jStr || w.kind != jStr {
			refused(t, typ, in, names...)
		}
	}
	// Nested arrays.
	refused(t, typ, edit(t, card, func(m map[string]any) { items(m)[0] = []any{items(m)[0]} }), names...)
	if f.nested == jStr {
		return
	}
	// The items' own fields, in the first item and in the last.
	v, _ := decodeJSON([]byte(card))
	n := len(items(v.(map[string]any)))
	if n < 2 {
		t.Fatalf("fixture: %s needs two %s items", card, name)
	}
	checkFields(t, typ, card, append(slices.Clone(path), name, 0), specNested[f.nested])
	checkFields(t, typ, card, append(slices.Clone(path), name, n-1), specNested[f.nested])
}

func hasRequired(shape map[string]specField) bool {
	for _, f := range shape {
		if f.required {
			return true
		}
	}
	return false
}

// TestCardShapesMatchCatalog compares the validator's tables with the catalog's
// field by field, so that a field the catalog does not have cannot slip in.
func TestCardShapesMatchCatalog(t *testing.T) {
	kindOf := map[cardKind]string{kStr: jStr, kNum: jNum, kObj: jObj, kArr: jArr}
	var compare func(what string, got map[string]cardField, want map[string]specField)
	compare = func(what string, got map[string]cardField, want map[string]specField) {
		t.Helper()
		if g, w := slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)); !slices.Equal(g, w) {
			t.Errorf("%s: fields %v, catalog %v", what, g, w)
		}
		for name, w := range want {
			g, ok := got[name]
			if !ok {
				continue
			}
			if kindOf[g.kind] != w.kind || g.required != w.required || g.nullable != w.nullable {
				t.Errorf("%s.%s: %s required=%v nullable=%v; catalog %s required=%v nullable=%v", what, name,
					kindOf[g.kind], g.required, g.nullable, w.kind, w.required, w.nullable)
			}
			if w.nested != "" && w.nested != jStr {
				if n, ok := nestedShapes[name]; !ok {
					t.Errorf("%s.%s has no nested shape", what, name)
				} else {
					compare(what+"."+name, n, specNested[w.nested])
				}
			} else if _, ok := nestedShapes[name]; ok && (w.kind == jObj || w.kind == jArr) {
				t.Errorf("%s.%s has a nested shape, the catalog none", what, name)
			}
		}
	}
	if g, w := slices.Sorted(maps.Keys(cardShapes)), slices.Sorted(maps.Keys(specCards)); !slices.Equal(g, w) {
		t.Errorf("pushable msg_types %v, want %v", g, w)
	}
	for typ, want := range specCards {
		compare(fmt.Sprintf("msg_type %d", typ), cardShapes[typ], want)
	}
}

// TestCheckCardCases are hand-picked refusals, with what the reason must name.
func TestCheckCardCases(t *testing.T) {
	cases := []struct {
		name    string
		msgType int
		in      string
		names   []string
	}{
		{"10 empty", 10, `{}`, []string{"required"}},
		{"10 no title", 10, `{"text":"x"}`, []string{"title", "required"}},
		{"10 no text", 10, `{"title":"t"}`, []string{"text", "required"}},
		{"10 title null", 10, `{"title":null,"text":"x"}`, []string{"title", "null"}},
		{"10 jump_uri_config null", 10, `{"title":"t","text":"x","jump_uri_config":null}`, []string{"jump_uri_config"}},
		{"10 config without text", 10, `{"title":"t","text":"x","jump_uri_config":{"all_uri":"u"}}`,
			[]string{"jump_uri_config", "text"}},
		{"10 config unknown uri", 10, `{"title":"t","text":"x","jump_uri_config":{"text":"","harmony_uri":"u"}}`,
			[]string{"jump_uri_config", "harmony_uri"}},
		{"10 modules an object", 10, `{"title":"t","text":"x","modules":{"title":"a","detail":"b"}}`, []string{"modules"}},
		{"10 module null", 10, `{"title":"t","text":"x","modules":[null]}`, []string{"modules[0]"}},
		{"10 module a string", 10, `{"title":"t","text":"x","modules":["预约主题"]}`, []string{"modules[0]"}},
		{"10 module without detail", 10, `{"title":"t","text":"x","modules":[{"title":"a"}]}`, []string{"modules[0]", "detail"}},
		{"10 second module bad", 10, `{"title":"t","text":"x","modules":[{"title":"a","detail":"b"},{"title":"a","detail":2}]}`,
			[]string{"modules[1]", "detail"}},
		{"10 module unknown field", 10, `{"title":"t","text":"x","modules":[{"title":"a","detail":"b","icon":"i"}]}`,
			[]string{"modules[0]", "icon"}},
		{"10 notifier an array", 10, `{"title":"t","text":"x","notifier":[]}`, []string{"notifier"}},
		{"10 notifier jump_url null", 10, `{"title":"t","text":"x","notifier":{"avatar_url":"a","nickname":"n","jump_url":null}}`,
			[]string{"notifier", "jump_url"}},
		{"10 biz_content id as a number", 10, `{"title":"t","text":"x","biz_content":{"cover":"","backup_cover":"",` +
			`"refresh_type":1,"biz_type":2,"biz_id1":1868902080,"biz_id2":"4","biz_status":0}}`, []string{"biz_content", "biz_id1"}},
		{"10 biz_content status as a string", 10, `{"title":"t","text":"x","biz_content":{"cover":"","backup_cover":"",` +
			`"refresh_type":1,"biz_type":2,"biz_id1":"1","biz_id2":"4","biz_status":"0"}}`, []string{"biz_content", "biz_status"}},
		{"10 deep unknown", 10, `{"title":"t","text":"x","biz_content":{"cover":"","backup_cover":"","refresh_type":1,` +
			`"biz_type":2,"biz_id1":"1","biz_id2":"4","biz_status":0,"extra":{"a":1}}}`, []string{"biz_content", "extra"}},
		{"11 no rid", 11, `{"title":"t","bvid":"BV1"}`, []string{"rid", "required"}},
		{"11 rid a string", 11, `{"rid":"1951296417"}`, []string{"rid"}},
		{"11 rid null", 11, `{"rid":null}`, []string{"rid"}},
		{"11 rid bool", 11, `{"rid":true}`, []string{"rid"}},
		{"11 type a string", 11, `{"rid":1,"type":"11"}`, []string{"type"}},
		{"11 attach_msg string", 11, `{"rid":1,"attach_msg":"UP主赠言：x"}`, []string{"attach_msg"}},
		{"11 attach_msg without id", 11, `{"rid":1,"attach_msg":{"content":"c"}}`, []string{"attach_msg", "id"}},
		{"11 attach_msg content null", 11, `{"rid":1,"attach_msg":{"id":1,"content":null}}`, []string{"attach_msg", "content"}},
		{"11 article fields", 11, `{"rid":1,"summary":"s"}`, []string{"summary"}},
		{"12 image_urls a string", 12, `{"rid":1,"image_urls":"https://a"}`, []string{"image_urls"}},
		{"12 image_urls numbers", 12, `{"rid":1,"image_urls":[1,2]}`, []string{"image_urls[0]"}},
		{"12 image_urls null item", 12, `{"rid":1,"image_urls":["a",null]}`, []string{"image_urls[1]"}},
		{"12 image_urls objects", 12, `{"rid":1,"image_urls":[{"url":"a"}]}`, []string{"image_urls[0]"}},
		{"12 image_urls nested", 12, `{"rid":1,"image_urls":[["a"]]}`, []string{"image_urls[0]"}},
		{"12 video fields", 12, `{"rid":1,"bvid":"BV1"}`, []string{"bvid"}},
		{"13 missing title", 13, `{"pic_url":"p","jump_url":"j"}`, []string{"title", "required"}},
		{"13 missing pic_url", 13, `{"title":"t","jump_url":"j"}`, []string{"pic_url", "required"}},
		{"13 missing jump_url", 13, `{"pic_url":"p","title":"t"}`, []string{"jump_url", "required"}},
		{"13 url as jump_uri", 13, `{"pic_url":"p","jump_uri":"j","title":"t"}`, []string{"jump_uri"}},
		{"13 title a number", 13, `{"pic_url":"p","jump_url":"j","title":13}`, []string{"title"}},
		{"16 no sub_cards", 16, `{"main_title":"m","reply_content":"r"}`, []string{"sub_cards", "required"}},
		{"16 sub_cards null", 16, `{"main_title":"m","reply_content":"r","sub_cards":null}`, []string{"sub_cards"}},
		{"16 sub_cards an object", 16, `{"main_title":"m","reply_content":"r","sub_cards":{}}`, []string{"sub_cards"}},
		{"16 sub_card empty", 16, `{"main_title":"m","reply_content":"r","sub_cards":[{}]}`, []string{"sub_cards[0]", "required"}},
		{"16 sub_card numbers", 16, `{"main_title":"m","reply_content":"r","sub_cards":[1951296417]}`, []string{"sub_cards[0]"}},
		{"16 sub_card icon3 a string", 16, `{"main_title":"m","reply_content":"r","sub_cards":[{"card_id":1,"card_type":1,` +
			`"jump_url":"j","cover_url":"c","field1":"1","field2":"2","field3":"3","icon3":"1","field4":"4","icon4":3}]}`,
			[]string{"sub_cards[0]", "icon3"}},
		{"16 sub_card field3 a number", 16, `{"main_title":"m","reply_content":"r","sub_cards":[{"card_id":1,"card_type":1,` +
			`"jump_url":"j","cover_url":"c","field1":"1","field2":"2","field3":200000,"icon3":1,"field4":"4","icon4":3}]}`,
			[]string{"sub_cards[0]", "field3"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { refused(t, c.msgType, c.in, c.names...) })
	}
}

// TestWorksCardIsPushable: the msg_type 16 card that the followed auto-reply builds
// (worksCard) has the shape a push of msg_type 16 must have.
func TestWorksCardIsPushable(t *testing.T) {
	works := []store.Work{
		{Owner: 1, Aid: 1951296417, Bvid: "BV1dC41157bH", Title: "春日\"vlog\" <1>", Cover: "http://i0.hdslb.com/c.jpg",
			PubDate: 1712305278, Plays: 200_000, Danmaku: 479, Favorites: 3},
		{Owner: 1, Aid: 2, Title: "", PubDate: 0, Plays: 0},
		{Owner: 1, Aid: 1<<63 + 1, Bvid: "BV1", Title: "😀", PubDate: 1, Plays: 350_000_000, Danmaku: 12_345},
	}
	for n := 1; n <= len(works); n++ {
		card := worksCard("感谢关注", works[:n])
		accepted(t, MsgWorks, card)
	}
}

// --- fuzzing ---

// FuzzCheckCard: checkCard never panics, refuses with a *PushError, and what it accepts
// is stored as valid compact JSON equal to the input, which it accepts again unchanged.
func FuzzCheckCard(f *testing.F) {
	for typ, card := range fullCards {
		f.Add(typ, []byte(card))
	}
	f.Add(10, []byte(card10Catalog))
	f.Add(10, []byte(card10P3))
	f.Add(11, []byte(`{"rid":1951296417,"type":11,"attach_msg":null}`))
	f.Add(12, []byte(`{"rid":1,"image_urls":["a",null]}`))
	f.Add(13, []byte(` {"pic_url":"p" ,"jump_url":"j","title":"t"} `))
	f.Add(16, []byte(`{"main_title":"m","reply_content":"r","sub_cards":[{}]}`))
	f.Add(13, []byte(`{"pic_url":"p","jump_url":"j","title":"t","title":1}`))
	f.Add(13, []byte("{\"pic_url\":\"\xff\",\"jump_url\":\"j\",\"title\":\"t\"}"))
	f.Add(10, []byte(`null`))
	f.Add(14, []byte(`{}`))
	f.Fuzz(func(t *testing.T, msgType int, in []byte) {
		out, err := checkCard(msgType, json.RawMessage(in))
		if err != nil {
			var pe *PushError
			if !errors.As(err, &pe) || !strings.HasPrefix(err.Error(), "invalid push: ") {
				t.Fatalf("checkCard(%d, %q): error %v (%T), want a *PushError", msgType, in, err, err)
			}
			if out != "" {
				t.Fatalf("checkCard(%d, %q) refused but returned %q", msgType, in, out)
			}
			return
		}
		if _, ok := specCards[msgType]; !ok {
			t.Fatalf("checkCard accepted msg_type %d", msgType)
		}
		if msg := sameCard(string(in), out); msg != "" {
			t.Fatalf("checkCard(%d, %q) = %q: %s", msgType, in, out, msg)
		}
		if v, _ := decodeJSON([]byte(out)); reflect.TypeOf(v) != reflect.TypeFor[map[string]any]() {
			t.Fatalf("checkCard(%d, %q) accepted a %T", msgType, in, v)
		}
		again, err := checkCard(msgType, json.RawMessage(out))
		if err != nil || again != out {
			t.Fatalf("checkCard of its own output %q = %q, %v", out, again, err)
		}
	})
}

// TestCheckCardIntegers: every number of the cards is an integer that fits 64 bits
// (ids, counts, times, codes); fractions, exponents and bigger numbers are refused.
func TestCheckCardIntegers(t *testing.T) {
	for _, in := range []string{`{"rid":1.5}`, `{"rid":2e3}`, `{"rid":1E-2}`, `{"rid":1.0}`,
		`{"rid":123456789012345678901234567890}`, `{"rid":18446744073709551616}`, `{"rid":-9223372036854775809}`,
		`{"rid":1,"times":12.25}`} {
		if _, err := checkCard(11, json.RawMessage(in)); err == nil {
			t.Errorf("checkCard(11, %s) accepted", in)
		}
	}
	for _, in := range []string{`{"rid":0}`, `{"rid":-9223372036854775808}`, `{"rid":18446744073709551615}`} {
		if _, err := checkCard(11, json.RawMessage(in)); err != nil {
			t.Errorf("checkCard(11, %s): %v", in, err)
		}
	}
}

// TestCheckCardDuplicateKeys: a key twice in any object of a card is refused, since
// clients would read one value and the check have seen the other.
func TestCheckCardDuplicateKeys(t *testing.T) {
	for _, c := range []struct {
		typ int
		in  string
	}{
		{13, `{"pic_url":"p","jump_url":"j","title":13,"title":"t"}`},
		{16, `{"main_title":"m","reply_content":"r","sub_cards":null,"sub_cards":[]}`},
		{10, `{"title":"t","text":"x","modules":[{"title":"a","detail":"b","detail":"c"}]}`},
	} {
		if _, err := checkCard(c.typ, json.RawMessage(c.in)); err == nil {
			t.Errorf("checkCard(%d, %s) accepted", c.typ, c.in)
		}
	}
}
