package client_test

// Malformed answers: a table of bodies no server should send, and FuzzAnswer, which
// serves fuzzed bytes through an in-memory http.RoundTripper (no network) to many of
// the client's methods. Nothing may panic; every answer without a code, or with a
// non-zero one, must be an error; and the errors must say what was wrong.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/client"
)

// sdkCall is one method under test: its endpoint's name, whether it reads data, and a
// data value of the wrong shape for it.
type sdkCall struct {
	name, endpoint string
	readsData      bool
	wrongData      string // data whose fields have the wrong types for this call
	hugeData       string // data with a number out of range for its field
	call           func(context.Context, *client.Client) error
}

// sdkTake walks at most 50 items of a sequence and returns its first error.
func sdkTake[E any](seq func(func(E, error) bool)) error {
	n := 0
	for _, err := range seq {
		if err != nil {
			return err
		}
		if n++; n == 50 {
			return nil
		}
	}
	return nil
}

func sdkErr[T any](_ T, err error) error { return err }

var sdkCalls = []sdkCall{
	{"SingleUnread", "single_unread", true, `{"follow_unread":"2"}`, `{"follow_unread":1e400}`,
		func(ctx context.Context, c *client.Client) error {
			return sdkErr(c.SingleUnread(ctx, client.UnreadOptions{ShowDustbin: true}))
		}},
	{"MyGroupUnread", "my_group_unread", true, `{"unread_count":"2"}`, `{"unread_count":9223372036854775808}`,
		func(ctx context.Context, c *client.Client) error { return sdkErr(c.MyGroupUnread(ctx)) }},
	{"Sessions", "get_sessions", true, `{"session_list":[{"talker_id":"5"}]}`, `{"session_list":[{"talker_id":18446744073709551616}]}`,
		func(ctx context.Context, c *client.Client) error {
			return sdkErr(c.Sessions(ctx, client.SessionsOptions{}))
		}},
	{"NewSessions", "new_sessions", true, `{"session_list":{"talker_id":5}}`, `{"session_list":[{"session_ts":1e19}]}`,
		func(ctx context.Context, c *client.Client) error { return sdkErr(c.NewSessions(ctx, 1, 0)) }},
	{"SessionDetail", "session_detail", true, `{"talker_id":-1}`, `{"max_seqno":-5}`,
		func(ctx context.Context, c *client.Client) error { return sdkErr(c.SessionDetail(ctx, client.User(5))) }},
	{"IsLimit", "is_limit", true, `{"is_limit":false}`, `{"is_limit":1e100}`,
		func(ctx context.Context, c *client.Client) error { return sdkErr(c.IsLimit(ctx, 5, 1)) }},
	{"MsgDND", "get_msg_dnd", true, `{"uid_settings":{"id":1}}`, `{"uid_settings":[{"id":-1}]}`,
		func(ctx context.Context, c *client.Client) error {
			return sdkErr(c.MsgDND(ctx, []uint64{5}, []uint64{6}))
		}},
	{"SessionPushSetting", "get_session_ss", true, `{"push_setting":"0"}`, `{"special":99999999999999999999}`,
		func(ctx context.Context, c *client.Client) error { return sdkErr(c.SessionPushSetting(ctx, 5)) }},
	{"Messages", "fetch_session_msgs", true, `{"messages":[{"msg_key":"7"}]}`, `{"min_seqno":18446744073709551616}`,
		func(ctx context.Context, c *client.Client) error {
			return sdkErr(c.Messages(ctx, client.User(5), client.HistoryOptions{}))
		}},
	{"SendText", "send_msg", true, `{"msg_key":1.5}`, `{"msg_key":18446744073709551616}`,
		func(ctx context.Context, c *client.Client) error { return sdkErr(c.SendText(ctx, client.User(5), "x")) }},
	{"Recall", "send_msg", true, `{"e_infos":{}}`, `{"msg_key":-7202942012620800001}`,
		func(ctx context.Context, c *client.Client) error { return sdkErr(c.Recall(ctx, client.Group(5), 9)) }},
	{"Preferences", "get", true, `{"set_like":true}`, `{"msg_notify":1e10}`,
		func(ctx context.Context, c *client.Client) error { return sdkErr(c.Preferences(ctx)) }},
	{"BlockWords", "get_block_words", true, `{"words":"spam"}`, `{"words":[{"ctime":1e30}]}`,
		func(ctx context.Context, c *client.Client) error { return sdkErr(c.BlockWords(ctx)) }},
	{"ReplyTexts", "get_reply_text", true, `{"texts":{"id":1}}`, `{"texts":[{"id":-2}]}`,
		func(ctx context.Context, c *client.Client) error { return sdkErr(c.ReplyTexts(ctx)) }},
	{"SysSetting", "get_sys_setting", true, `{"session_cfg":[]}`, `{"is_voyage":1e99}`,
		func(ctx context.Context, c *client.Client) error { return sdkErr(c.SysSetting(ctx)) }},
	{"ShowCreateGroupIcon", "show_create_group_icon", true, `{"show":"1"}`, `{"show":1e99}`,
		func(ctx context.Context, c *client.Client) error { return sdkErr(c.ShowCreateGroupIcon(ctx)) }},
	{"FeedUnread", "unread", true, `{"reply":[]}`, `{"reply":1e400}`,
		func(ctx context.Context, c *client.Client) error { return sdkErr(c.FeedUnread(ctx)) }},
	{"FeedUnreadLegacy", "unread", true, `{"sys_msg_style":"1"}`, `{"like":-1e400}`,
		func(ctx context.Context, c *client.Client) error { return sdkErr(c.FeedUnreadLegacy(ctx)) }},
	{"ReplyFeed", "reply", true, `{"cursor":{"is_end":"no"}}`, `{"items":[{"item":{"subject_id":18446744073709551616}}]}`,
		func(ctx context.Context, c *client.Client) error {
			return sdkErr(c.ReplyFeed(ctx, client.FeedCursor{}))
		}},
	{"AtFeed", "at", true, `{"items":[{"user":"me"}]}`, `{"cursor":{"id":-1}}`,
		func(ctx context.Context, c *client.Client) error {
			return sdkErr(c.AtFeed(ctx, client.FeedCursor{ID: 1, Time: 2}))
		}},
	{"LikeFeed", "like", true, `{"total":{"items":{}}}`, `{"total":{"items":[{"counts":1e20}]}}`,
		func(ctx context.Context, c *client.Client) error { return sdkErr(c.LikeFeed(ctx, client.FeedCursor{})) }},
	{"SystemNotices", "query_notify_list", true, `{"id":1}`, `[{"id":18446744073709551616}]`,
		func(ctx context.Context, c *client.Client) error { return sdkErr(c.SystemNotices(ctx, 3, 5)) }},
	{"UserInfos", "user_infos", true, `[{"mid":"5"}]`, `[{"mid":18446744073709551616}]`,
		func(ctx context.Context, c *client.Client) error { return sdkErr(c.UserInfos(ctx, 5, 6)) }},
	{"AllSessions", "get_sessions", true, `{"has_more":"1"}`, `{"session_list":[{"top_ts":1e300}]}`,
		func(ctx context.Context, c *client.Client) error {
			return sdkTake(c.AllSessions(ctx, client.SessionsOptions{}))
		}},
	{"AllMessages", "fetch_session_msgs", true, `{"messages":"none"}`, `{"messages":[{"timestamp":1e300}]}`,
		func(ctx context.Context, c *client.Client) error {
			return sdkTake(c.AllMessages(ctx, client.User(5), 0, 0))
		}},
	{"AllReplies", "reply", true, `{"items":[{"id":"1"}]}`, `{"items":[{"reply_time":1e300}]}`,
		func(ctx context.Context, c *client.Client) error { return sdkTake(c.AllReplies(ctx)) }},
	{"AllLikes", "like", true, `{"latest":[]}`, `{"total":{"cursor":{"time":1e300}}}`,
		func(ctx context.Context, c *client.Client) error { return sdkTake(c.AllLikes(ctx)) }},
	{"AllSystemNotices", "query_notify_list", true, `[{"publisher":[]}]`, `[{"cursor":-1}]`,
		func(ctx context.Context, c *client.Client) error { return sdkTake(c.AllSystemNotices(ctx)) }},
	{"Ack", "update_ack", false, "", "",
		func(ctx context.Context, c *client.Client) error { return c.Ack(ctx, client.User(5), 3) }},
	{"SetPreferences", "set", false, "", "",
		func(ctx context.Context, c *client.Client) error {
			return c.SetPreferences(ctx, client.PreferenceUpdate{SetAt: sdkPtr(1)})
		}},
	{"AddBlockWord", "add_block_word", false, "", "",
		func(ctx context.Context, c *client.Client) error { return c.AddBlockWord(ctx, "w") }},
}

// TestMalformedAnswers serves bodies that are not a well-formed answer to every call.
func TestMalformedAnswers(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 500)
	cases := []struct {
		name   string
		status int
		body   string
		want   string // in the error of every call ("" : no error for calls that read no data)
		noData bool   // the body is a success without usable data: only data-reading calls fail
	}{
		{"not JSON", 200, "hello world", `HTTP 200 with an answer that is not bilibili's JSON: "hello world"`, false},
		{"empty body", 200, "", "not bilibili's JSON", false},
		{"whitespace", 200, " \n\t ", "not bilibili's JSON", false},
		{"HTML error page", 500, "<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head></html>", "HTTP 500", false},
		{"HTML with 200", 200, "<html>maintenance</html>", `"<html>maintenance</html>"`, false},
		{"JSON without code", 200, `{"message":"0","ttl":1,"data":{}}`, "not bilibili's JSON", false},
		{"code null", 200, `{"code":null,"data":{}}`, "not bilibili's JSON", false},
		{"code is a string", 200, `{"code":"0","data":{}}`, "not bilibili's JSON", false},
		{"code is a float", 200, `{"code":0.5,"data":{}}`, "not bilibili's JSON", false},
		{"code is huge", 200, `{"code":1e400,"data":{}}`, "not bilibili's JSON", false},
		{"code above int64", 200, `{"code":99999999999999999999,"data":{}}`, "not bilibili's JSON", false},
		{"top-level array", 200, `[{"code":0}]`, "not bilibili's JSON", false},
		{"top-level string", 200, `"ok"`, "not bilibili's JSON", false},
		{"truncated", 200, `{"code":0,"data":{"session_list":[`, "not bilibili's JSON", false},
		{"trailing garbage", 200, `{"code":0,"data":{}}}`, "not bilibili's JSON", false},
		{"message not a string", 200, `{"code":0,"message":5,"data":{}}`, "not bilibili's JSON", false},
		{"deep nesting", 200, `{"code":0,"data":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`, "not bilibili's JSON", false},
		{"long garbage", 502, long, "…", false},
		{"data is a string", 200, `{"code":0,"data":"x"}`, "unexpected data", true},
		{"data is a number", 200, `{"code":0,"data":12}`, "unexpected data", true},
		{"data is a bool", 200, `{"code":0,"data":true}`, "unexpected data", true},
		{"no data", 200, `{"code":0,"message":"0"}`, "the answer has no data", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, call := range sdkCalls {
				c, _ := sdkCannedClient(t, tc.status, tc.body)
				err := call.call(t.Context(), c)
				if tc.noData && !call.readsData {
					if err != nil {
						t.Errorf("%s: %v; a call that reads no data needs none", call.name, err)
					}
					continue
				}
				if err == nil {
					t.Errorf("%s: no error", call.name)
					continue
				}
				msg := err.Error()
				if !strings.Contains(msg, tc.want) || !strings.Contains(msg, call.endpoint) || len(msg) > 400 {
					t.Errorf("%s: error %q, want it to name %s and say %q (and stay short)", call.name, msg, call.endpoint, tc.want)
				}
				var e *client.Error
				if errors.As(err, &e) {
					t.Errorf("%s: a malformed answer reads as bilibili's refusal %+v", call.name, *e)
				}
			}
		})
	}
}

// TestWrongDataTypes serves a success whose data has fields of the wrong type, or
// numbers out of their field's range, for each call.
func TestWrongDataTypes(t *testing.T) {
	t.Parallel()
	for _, call := range sdkCalls {
		if !call.readsData {
			continue
		}
		for kind, data := range map[string]string{"wrong types": call.wrongData, "huge numbers": call.hugeData} {
			c, _ := sdkCannedClient(t, 200, `{"code":0,"message":"0","data":`+data+`}`)
			err := call.call(t.Context(), c)
			if err == nil || !strings.Contains(err.Error(), "unexpected data") || !strings.Contains(err.Error(), call.endpoint) {
				t.Errorf("%s with %s (%s): %v, want an unexpected-data error naming %s", call.name, kind, data, err, call.endpoint)
			}
		}
	}
}

// TestRefusalsAreErrors: any non-zero code is an *Error with the code and the message
// (message, else msg), whatever data is.
func TestRefusalsAreErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		body string
		code int
		msg  string
	}{
		{`{"code":-1}`, -1, ""},
		{`{"code":21047,"msg":"only msg"}`, 21047, "only msg"},
		{`{"code":21047,"message":"message wins","msg":"msg"}`, 21047, "message wins"},
		{`{"code":-101,"message":"账号未登录","data":{"unfollow_unread":1}}`, -101, "账号未登录"},
		{`{"code":2147483647,"message":"big","data":null}`, 2147483647, "big"},
		{`{"code":-2147483648,"message":"small","data":"x"}`, -2147483648, "small"},
	} {
		for _, call := range sdkCalls {
			c, _ := sdkCannedClient(t, 200, tc.body)
			err := call.call(t.Context(), c)
			var e *client.Error
			if !errors.As(err, &e) || e.Code != tc.code || e.Message != tc.msg || e.Endpoint != call.endpoint || e.HTTPStatus != 200 {
				t.Errorf("%s on %s: %v, want code %d message %q", call.name, tc.body, err, tc.code, tc.msg)
			}
		}
	}
}

// TestNullData: a success whose data is null is not an answer to a call that reads an
// object: every such call reports it (none returns zero values as if they were read);
// for the answers that are lists, null is the empty list.
func TestNullData(t *testing.T) {
	t.Parallel()
	var silent []string
	for _, call := range sdkCalls {
		if !call.readsData {
			continue
		}
		c, _ := sdkCannedClient(t, 200, `{"code":0,"message":"0","data":null}`)
		err := call.call(t.Context(), c)
		if call.name == "SystemNotices" || call.name == "AllSystemNotices" || call.name == "UserInfos" {
			// Their data is a list, and null is bilibili's empty list: no error, nothing.
			if err != nil {
				t.Errorf("%s with data null: %v, want an empty list", call.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), "no data") {
			silent = append(silent, call.name)
		}
	}
	if len(silent) > 0 {
		t.Errorf("data null gave no error to %v (client.go call: only an absent data is refused)", silent)
	}
}

// sdkEndless is a reader of n bytes of 'a' produced on the fly.
type sdkEndless struct{ n int64 }

func (r *sdkEndless) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	k := int64(len(p))
	if k > r.n {
		k = r.n
	}
	for i := range p[:k] {
		p[i] = 'a'
	}
	r.n -= k
	return int(k), nil
}

type sdkBigBody struct{ n int }

func (b *sdkBigBody) RoundTrip(r *http.Request) (*http.Response, error) {
	b.n++
	return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(&sdkEndless{n: 32<<20 + 1}), Request: r}, nil
}

// TestOversizedAnswer: an answer over 32 MiB is refused (not buffered whole), not retried.
func TestOversizedAnswer(t *testing.T) {
	t.Parallel()
	rt := &sdkBigBody{}
	c := sdkMust(client.New(client.WithBaseURL("http://bilimsg.invalid"), client.WithHTTPClient(&http.Client{Transport: rt}),
		client.WithRetry(client.RetryPolicy{Attempts: 3, Sleep: func(context.Context, time.Duration) error { return nil }})))(t)
	_, err := c.Messages(t.Context(), client.User(1), client.HistoryOptions{})
	if err == nil || !strings.Contains(err.Error(), "larger than") || rt.n != 1 {
		t.Errorf("a 32 MiB + 1 answer: %v after %d requests", err, rt.n)
	}
}

// sdkGoldenBodies are the server's real answers, the fuzz target's seeds.
func sdkGoldenBodies(tb testing.TB) [][]byte {
	var out [][]byte
	for _, dir := range []string{"../internal/wire/testdata/golden", "../internal/wire/testdata/golden_groups"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.json"))
		if err != nil {
			tb.Fatal(err)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				tb.Fatal(err)
			}
			out = append(out, b)
		}
	}
	if len(out) < 40 {
		tb.Fatalf("only %d golden answers found", len(out))
	}
	return out
}

// TestGoldenAnswersAccepted: every golden answer is accepted by the calls it answers
// (checked by endpoint name in the file name) — the seeds of FuzzAnswer are successes.
func TestGoldenAnswersAccepted(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{"../internal/wire/testdata/golden", "../internal/wire/testdata/golden_groups"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		for _, f := range files {
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			base := filepath.Base(f)
			for _, call := range sdkCalls {
				if strings.HasPrefix(call.name, "All") {
					continue // one page repeated forever is a stuck cursor to an iterator
				}
				prefix := map[string]string{"get": "link_setting_get", "unread": "msgfeed_unread", "reply": "msgfeed_reply",
					"at": "msgfeed_at", "like": "msgfeed_like"}[call.endpoint]
				if prefix == "" {
					prefix = call.endpoint
				}
				if !strings.HasPrefix(base, prefix) {
					continue
				}
				c, _ := sdkCannedClient(t, 200, string(body))
				if err := call.call(t.Context(), c); err != nil {
					t.Errorf("%s with %s: %v", call.name, base, err)
				}
			}
		}
	}
}

func FuzzAnswer(f *testing.F) {
	for _, b := range sdkGoldenBodies(f) {
		f.Add(b)
	}
	for _, s := range []string{"", "null", "{}", `{"code":0}`, `{"code":0,"data":null}`, `{"code":-101,"message":"账号未登录"}`,
		`{"code":0,"data":{"session_list":[{"talker_id":1,"session_ts":5,"last_msg":{"msg_type":5,"content":"1"}}],"has_more":1}}`,
		`{"code":0,"data":{"messages":[{"msg_seqno":3}],"has_more":1,"min_seqno":3}}`,
		`{"code":0,"data":[{"id":1,"cursor":1}]}`, `{"code":0,"data":{"cursor":{"is_end":false,"id":2,"time":2},"items":[{"id":2}]}}`,
		"<html>502</html>", `{"code":1e400}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var env struct {
			Code *int `json:"code"`
		}
		refused := json.Unmarshal(body, &env) != nil || env.Code == nil || *env.Code != 0
		rt := &sdkCanned{status: 200, body: bytes.Clone(body)}
		c, err := client.New(client.WithBaseURL("http://fuzz.invalid"), client.WithHTTPClient(&http.Client{Transport: rt}),
			client.WithRetry(client.NoRetry()), client.WithCredentials(client.Credentials{SESSDATA: "s", BiliJct: "j", Mid: 7}))
		if err != nil {
			t.Fatal(err)
		}
		for _, call := range sdkCalls {
			err := call.call(context.Background(), c)
			if refused && err == nil {
				t.Fatalf("%s: no error for an answer without a zero code: %q", call.name, body)
			}
			var e *client.Error
			if errors.As(err, &e) && !(call.name == "SessionDetail" && errors.Is(err, client.ErrNoSession)) {
				// (SessionDetail reports data null as ErrNoSession.)
				if env.Code == nil || e.Code != *env.Code || e.Code == 0 || e.Endpoint != call.endpoint {
					t.Fatalf("%s: %+v from %q", call.name, *e, body)
				}
			}
			// The feed iterators' stuck-cursor error names no endpoint ("client: feed cursor
			// does not move"); every other error names its endpoint.
			if err != nil && !strings.Contains(err.Error(), call.endpoint) && !strings.Contains(err.Error(), "feed cursor") {
				t.Fatalf("%s: the error does not name %s: %v", call.name, call.endpoint, err)
			}
		}
	})
}
