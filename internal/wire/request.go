package wire

import (
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bilimsg/bilimsg/internal/im"
)

// MaxBodyBytes bounds a POST body. The largest legitimate one is a send_msg with 2000
// bytes of content, percent-encoded: far below this.
const MaxBodyBytes = 64 << 10

// params are a request's parameters: the query string, overlaid by a POST body.
type params map[string]string

// parseParams reads the query and, for POST, the url-encoded or multipart body. Keys are
// trimmed of surrounding white space, because bilibili's own curl examples send
// "msg[receiver_type] " (catalog §9 item 19). The first value of a repeated key wins.
// Names are accepted raw (msg[sender_uid]) or percent-encoded (msg%5Bsender_uid%5D).
func parseParams(w http.ResponseWriter, r *http.Request) (params, error) {
	p := params{}
	if err := p.addQuery(r.URL.RawQuery); err != nil {
		return nil, err
	}
	if r.Method != http.MethodPost {
		return p, nil
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var body url.Values
	switch ct {
	case "multipart/form-data":
		if err := r.ParseMultipartForm(MaxBodyBytes); err != nil {
			return nil, err
		}
		body = r.MultipartForm.Value
	default:
		// bilibili's clients send application/x-www-form-urlencoded; a missing or odd
		// Content-Type is read the same way rather than rejected.
		raw, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		if body, err = url.ParseQuery(string(raw)); err != nil {
			return nil, err
		}
	}
	bp := params{}
	bp.addValues(body)
	for k, v := range bp { // the body wins over the query string
		p[k] = v
	}
	return p, nil
}

func (p params) addQuery(raw string) error {
	if raw == "" {
		return nil
	}
	v, err := url.ParseQuery(raw)
	if err != nil {
		return err
	}
	p.addValues(v)
	return nil
}

func (p params) addValues(v url.Values) {
	var padded []string
	for k, vs := range v {
		if t := strings.TrimSpace(k); t != k {
			padded = append(padded, k)
		} else if _, seen := p[k]; !seen && len(vs) > 0 {
			p[k] = first(k, vs)
		}
	}
	// Names with white space around them come after the exact names, in a fixed order, so
	// that "msg[receiver_type] " never beats "msg[receiver_type]" and the answer does not
	// depend on map iteration order.
	slices.Sort(padded)
	for _, k := range padded {
		if t := strings.TrimSpace(k); len(v[k]) > 0 {
			if _, seen := p[t]; !seen {
				p[t] = first(t, v[k])
			}
		}
	}
}

// first is the value of a parameter given as vs: the first one, except for array
// parameters ("type[]=1&type[]=2"), whose values are all kept, joined by commas, for
// list to split.
func first(name string, vs []string) string {
	if strings.HasSuffix(name, "[]") {
		return strings.Join(vs, ",")
	}
	return vs[0]
}

// list reads a list of numbers: an array parameter, repeated or comma-separated.
// Absent gives nil; an empty or malformed item → -400.
func (p params) list(name string) ([]int64, error) {
	v, ok := p[name]
	if !ok {
		return nil, nil
	}
	var out []int64
	for item := range strings.SplitSeq(v, ",") {
		n, err := strconv.ParseInt(item, 10, 64)
		if err != nil {
			return nil, im.ErrBadRequest
		}
		out = append(out, n)
	}
	return out, nil
}

// str returns a parameter that must be valid UTF-8.
func (p params) str(name string) (string, bool, error) {
	v, ok := p[name]
	if !ok {
		return "", false, nil
	}
	if !utf8.ValidString(v) {
		return "", true, im.ErrBadRequest
	}
	return v, true, nil
}

// reqUint reads a required unsigned number; missing or malformed → -400.
func (p params) reqUint(name string) (uint64, error) {
	v, ok := p[name]
	if !ok || v == "" {
		return 0, im.ErrBadRequest
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, im.ErrBadRequest
	}
	return n, nil
}

// optUint reads an optional unsigned number; absent or empty gives (0, false).
func (p params) optUint(name string) (uint64, bool, error) {
	v, ok := p[name]
	if !ok || v == "" {
		return 0, false, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, false, im.ErrBadRequest
	}
	return n, true, nil
}

// reqInt reads a required signed number (enums, flags).
func (p params) reqInt(name string) (int64, error) {
	v, ok := p[name]
	if !ok || v == "" {
		return 0, im.ErrBadRequest
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, im.ErrBadRequest
	}
	return n, nil
}

// optInt reads an optional signed number; absent or empty gives def.
func (p params) optInt(name string, def int64) (int64, error) {
	v, ok := p[name]
	if !ok || v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, im.ErrBadRequest
	}
	return n, nil
}

// firstUint reads the first id of a comma-separated list (P7 supports one id only;
// catalog §9 item 38).
func (p params) firstUint(name string) (uint64, bool, error) {
	v, ok := p[name]
	if !ok || v == "" {
		return 0, false, nil
	}
	first, _, _ := strings.Cut(v, ",")
	// No trimming: " 1" is as malformed here as in every other number (docs/choices.md).
	n, err := strconv.ParseUint(first, 10, 64)
	if err != nil {
		return 0, false, im.ErrBadRequest
	}
	return n, true, nil
}
