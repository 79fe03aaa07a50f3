// Package wire is the bilibili-compatible HTTP layer: paths, parameter parsing, cookie
// and csrf checks, response envelopes and the mapping of domain errors to codes.
package wire

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
)

// family is an endpoint family; families differ in their envelope (catalog §8.3).
type family int

const (
	// svr: session_svr/*, svr_sync/*, link_setting/v1/* … — code, msg, message, ttl, data.
	svr family = iota
	// x: web_im/send_msg, x/im/auto_reply/*, x/msgfeed/* … — code, message, ttl, data; no msg.
	x
)

// errData says what an error envelope carries as data (catalog §9 item 22).
type errData int

const (
	dataNull   errData = iota // "data":null
	dataAbsent                // no data key
)

// writeEnvelope writes one bilibili response. data is the JSON of the data field, or nil
// for no data key. The envelope is assembled by hand so that key order is bilibili's.
func writeEnvelope(w http.ResponseWriter, status int, fam family, code int, message string, data []byte) {
	var b bytes.Buffer
	b.Grow(64 + len(data))
	b.WriteString(`{"code":`)
	b.WriteString(strconv.Itoa(code))
	msg := appendJSONString(nil, message)
	if fam == svr {
		b.WriteString(`,"msg":`)
		b.Write(msg)
	}
	b.WriteString(`,"message":`)
	b.Write(msg)
	b.WriteString(`,"ttl":1`)
	if data != nil {
		b.WriteString(`,"data":`)
		b.Write(data)
	}
	b.WriteByte('}')
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

func appendJSONString(dst []byte, s string) []byte {
	b, _ := json.Marshal(s)
	return append(dst, b...)
}

var jsonNull = []byte("null")
