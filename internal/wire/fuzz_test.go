package wire

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/internal/emoji"
	"github.com/bilimsg/bilimsg/internal/im"
	"github.com/bilimsg/bilimsg/internal/store"
	"github.com/bilimsg/bilimsg/internal/store/sqlite"
)

// paramsRequest builds a request without going through a URL parser, so that any query
// string reaches parseParams unchanged.
func paramsRequest(post bool, query, body, contentType string) *http.Request {
	r := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/x", RawQuery: query}, Header: http.Header{},
		Body: http.NoBody}
	if post {
		r.Method = http.MethodPost
		r.Body = io.NopCloser(strings.NewReader(body))
		r.ContentLength = int64(len(body))
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
	}
	return r
}

func FuzzParams(f *testing.F) {
	seeds := []struct {
		post              bool
		query, body, ctyp string
	}{
		{false, "session_type=1&size=20", "", ""},
		{true, "w_rid=abc&wts=1", "msg%5Bsender_uid%5D=1&msg[receiver_id]=2&msg[receiver_type]%20=1", "application/x-www-form-urlencoded"},
		{true, "", "msg[receiver_type] =1&msg[receiver_type]=2", "application/x-www-form-urlencoded; charset=UTF-8"},
		{true, "a=query", "a=body&a=second", ""},
		{true, "", "a=1&+a=2&a+=3", "text/plain"},
		{true, "", "%zz=1", "application/x-www-form-urlencoded"},
		{false, "a=%zz", "", ""},
		{true, "", "--B\r\nContent-Disposition: form-data; name=\" k \"\r\n\r\nv\r\n--B--\r\n", "multipart/form-data; boundary=B"},
		{true, "", "--B\r\nbroken", "multipart/form-data; boundary=B"},
		{true, "", "x=1", "multipart/form-data"},
		{true, "", "x=1", "bogus/;;;"},
		{true, ";", "\x00=\xff", ""},
	}
	for _, s := range seeds {
		f.Add(s.post, s.query, s.body, s.ctyp)
	}
	f.Fuzz(func(t *testing.T, post bool, query, body, contentType string) {
		p, err := parseParams(httptest.NewRecorder(), paramsRequest(post, query, body, contentType))
		// The same request must always give the same parameters.
		for range 3 {
			again, err2 := parseParams(httptest.NewRecorder(), paramsRequest(post, query, body, contentType))
			if (err == nil) != (err2 == nil) || !maps.Equal(p, again) {
				t.Fatalf("parseParams is not deterministic: %v %v / %v %v", p, err, again, err2)
			}
		}
		if err != nil {
			return
		}
		for k := range p {
			if k != strings.TrimSpace(k) {
				t.Fatalf("key %q is not trimmed", k)
			}
		}
		// Independent oracle for url-encoded input: every name (trimmed) is present, with
		// the first value of one of the raw names it comes from (all of them, joined by
		// commas, for "name[]"); the body wins.
		ct := strings.ToLower(strings.TrimSpace(strings.Split(contentType, ";")[0]))
		if post && ct == "multipart/form-data" {
			return
		}
		want := map[string][]string{}
		add := func(raw string, over bool) {
			v, err := url.ParseQuery(raw)
			if err != nil {
				t.Fatalf("parseParams accepted %q, which url.ParseQuery refuses: %v", raw, err)
			}
			layer := map[string][]string{}
			for k, vs := range v {
				k = strings.TrimSpace(k)
				val := vs[0]
				if strings.HasSuffix(k, "[]") { // array parameters keep every value
					val = strings.Join(vs, ",")
				}
				layer[k] = append(layer[k], val)
			}
			for k, vs := range layer {
				if _, ok := want[k]; !ok || over {
					want[k] = vs
				}
			}
		}
		add(query, false)
		if post {
			add(body, true)
		}
		if len(want) != len(p) {
			t.Fatalf("params %q, want the names of %q", p, want)
		}
		for k, vs := range want {
			got, ok := p[k]
			if !ok || !contains(vs, got) {
				t.Fatalf("param %q = %q, want one of %q", k, got, vs)
			}
		}
	})
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// sendCodes are the codes send_msg documents (catalog §3 P19), plus the global csrf code.
var sendCodes = map[int64]bool{0: true, -3: true, -101: true, -111: true, -400: true, 10005: true, 21007: true,
	21015: true, 21020: true, 21026: true, 21028: true, 21035: true, 21037: true, 21041: true, 21042: true,
	21046: true, 21047: true, 25003: true, 25005: true, 700013: true, 700014: true}

// Field omission bits of FuzzSendMsg.
const (
	omitSender = 1 << iota
	omitReceiver
	omitReceiverType
	omitMsgType
	omitContent
	omitDevID
	omitTimestamp
	omitNFV
	omitCSRF
)

func FuzzSendMsg(f *testing.F) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(f.TempDir(), "fuzz.db"), sqlite.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	svc := im.New(st, im.NewFakeClock(time.Date(2024, 6, 2, 8, 0, 0, 0, time.UTC)), emoji.MustLoad(), nil, im.Config{})
	// 1001 sends. 1002 follows 1001 (anything goes), 1003 blocks 1001, 1001 blocks 1004,
	// 1005 is a stranger (one message, then 21047).
	users := []uint64{1001, 1002, 1003, 1004, 1005}
	for _, u := range users {
		if _, err := svc.CreateUser(ctx, im.NewUser{Mid: u, Name: "u" + strconv.FormatUint(u, 10)}); err != nil {
			f.Fatal(err)
		}
	}
	must := func(err error) {
		if err != nil {
			f.Fatal(err)
		}
	}
	must(svc.Follow(ctx, 1002, 1001, true))
	must(svc.Block(ctx, 1003, 1001, true))
	must(svc.Block(ctx, 1001, 1004, true))
	cred, err := svc.Login(ctx, 1001)
	must(err)
	sent, err := svc.Send(ctx, im.SendRequest{Sender: 1001, ReceiverType: 1, Receiver: 1002, MsgType: 1,
		Content: `{"content":"first"}`, NewFaceVersion: 1})
	must(err)
	h := New(svc, nil)

	f.Add("1001", "1002", "1", "1", `{"content":"hi [doge]"}`, "372778FD-E359-461D-86A3-EA2BCC6FF52A", "1626181379", "1", uint16(0))
	f.Add("1001", "1002", "1", "1", `{"content":"支付宝"}`, "d", "1", "0", uint16(omitReceiverType|omitNFV))
	f.Add("1001", "1002", "1", "2", `{"url":"https://i0.hdslb.com/bfs/im/a.png"}`, "d", "1", "1", uint16(0))
	f.Add("1001", "1002", "1", "2", `{"url":"https://example.com/a.png"}`, "d", "1", "1", uint16(0))
	f.Add("1001", "1002", "1", "5", strconv.FormatUint(sent.MsgKey, 10), "d", "1", "1", uint16(0))
	f.Add("1001", "1002", "1", "5", "123", "d", "1", "1", uint16(0))
	f.Add("1001", "1005", "1", "1", `{"content":"one"}`, "d", "1", "1", uint16(0))
	f.Add("1001", "1003", "1", "1", `{"content":"blocked"}`, "d", "1", "1", uint16(0))
	f.Add("1001", "1004", "1", "1", `{"content":"blocking"}`, "d", "1", "1", uint16(0))
	f.Add("1001", "1001", "1", "1", `{"content":"me"}`, "d", "1", "1", uint16(0))
	f.Add("1001", "1002", "2", "1", `{"content":"group"}`, "d", "1", "1", uint16(0))
	f.Add("1001", "1002", "1", "6", `{"content":"x"}`, "d", "1", "1", uint16(0))
	f.Add("1001", "1002", "1", "99999999999", `{"content":"x"}`, "d", "1", "1", uint16(0))
	f.Add("1002", "1001", "1", "1", `{"content":"not me"}`, "d", "1", "1", uint16(0))
	f.Add("1001", "18446744073709551615", "1", "1", `{"content":"x"}`, "d", "1", "1", uint16(0))
	f.Add("1001", "1002", "1", "1", `{"content":""}`, "d", "1", "1", uint16(0))
	f.Add("1001", "1002", "1", "1", `{"content":"`+strings.Repeat("a", 2000)+`"}`, "d", "1", "1", uint16(0))
	f.Add("1001", "1002", "-1", "-1", "\xff", "", "x", "x", uint16(0))
	f.Add("1001", "1002", "1", "1", `{"content":"x"}`, "d", "1", "1", uint16(omitCSRF))
	f.Add("1001", "1002", "1", "1", `{"content":"x"}`, "d", "1", "1", uint16(omitContent|omitDevID|omitTimestamp))

	state := func(tb testing.TB) (map[uint64]store.Counters, map[uint64]uint64) {
		cs, maxs := map[uint64]store.Counters{}, map[uint64]uint64{}
		for _, u := range users {
			c, err := svc.SingleUnread(ctx, u)
			if err != nil {
				tb.Fatal(err)
			}
			cs[u] = c
			for _, side := range [][2]uint64{{1001, u}, {u, 1001}} {
				s, err := svc.SessionSettings(ctx, side[0], 1, side[1])
				if err != nil {
					tb.Fatal(err)
				}
				maxs[side[0]<<32|side[1]] = s.MaxSeqno
			}
		}
		return cs, maxs
	}

	f.Fuzz(func(t *testing.T, sender, receiver, rtype, mtype, content, devID, ts, nfv string, omit uint16) {
		form := url.Values{}
		set := func(bit uint16, k, v string) {
			if omit&bit == 0 {
				form.Set(k, v)
			}
		}
		set(omitSender, "msg[sender_uid]", sender)
		set(omitReceiver, "msg[receiver_id]", receiver)
		set(omitReceiverType, "msg[receiver_type]", rtype)
		set(omitMsgType, "msg[msg_type]", mtype)
		set(omitContent, "msg[content]", content)
		set(omitDevID, "msg[dev_id]", devID)
		set(omitTimestamp, "msg[timestamp]", ts)
		set(omitNFV, "msg[new_face_version]", nfv)
		set(omitCSRF, "csrf", cred.BiliJct)
		set(omitCSRF, "csrf_token", cred.BiliJct)
		form.Set("msg[msg_status]", "0")

		beforeC, beforeM := state(t)
		r := httptest.NewRequest(http.MethodPost, "/web_im/v1/web_im/send_msg", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.AddCookie(&http.Cookie{Name: "SESSDATA", Value: cred.SESSDATA})
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)

		if w.Code != http.StatusOK {
			t.Fatalf("HTTP %d: %s", w.Code, w.Body)
		}
		dec := json.NewDecoder(bytes.NewReader(w.Body.Bytes()))
		dec.UseNumber()
		var env map[string]any
		if err := dec.Decode(&env); err != nil || dec.More() {
			t.Fatalf("body is not one JSON object (%v): %s", err, w.Body)
		}
		num, _ := env["code"].(json.Number)
		code, err := num.Int64()
		if err != nil || !sendCodes[code] {
			t.Fatalf("code %v is not one send_msg documents: %s", env["code"], w.Body)
		}
		if msg, _ := env["message"].(string); msg == "" || env["ttl"] != json.Number("1") {
			t.Fatalf("envelope without message or ttl 1: %s", w.Body)
		}
		if _, has := env["msg"]; has {
			t.Fatalf("send_msg's envelope has no msg field: %s", w.Body)
		}
		if code == 0 {
			data, _ := env["data"].(map[string]any)
			key, _ := data["msg_key"].(json.Number)
			if k, err := strconv.ParseUint(string(key), 10, 64); err != nil || k <= 1<<53 {
				t.Fatalf("success without an exact msg_key above 2^53: %s", w.Body)
			}
			return
		}
		if d, has := env["data"]; has && d != nil {
			t.Fatalf("error with data: %s", w.Body)
		}
		afterC, afterM := state(t)
		if !maps.Equal(beforeC, afterC) || !maps.Equal(beforeM, afterM) {
			t.Fatalf("code %d but the state changed: counters %v → %v, max seqnos %v → %v", code, beforeC, afterC, beforeM, afterM)
		}
	})
}
