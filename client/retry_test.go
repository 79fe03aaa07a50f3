package client_test

// Tests of the retry policy against loopback servers that answer scripted bodies. The
// policy's Sleep is injected: it records the waits and never sleeps.

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/client"
)

// sdkAnswer is one scripted answer: an HTTP status and body, or a dropped connection.
type sdkAnswer struct {
	status int
	body   string
	drop   bool // close the connection without answering
}

const sdkOKBody = `{"code":0,"msg":"0","message":"0","ttl":1,"data":{"unfollow_unread":3,"msg_key":7202942012620800001}}`

func sdkCode(code int) sdkAnswer {
	return sdkAnswer{status: 200, body: `{"code":` + strconv.Itoa(code) + `,"message":"scripted","ttl":1}`}
}

var (
	sdk502  = sdkAnswer{status: 502, body: "<html><body><h1>502 Bad Gateway</h1></body></html>"}
	sdkDrop = sdkAnswer{drop: true}
	sdkOK1  = sdkAnswer{status: 200, body: sdkOKBody}
)

// sdkScript serves its answers in order (the last one again when they run out) and
// records the requests.
type sdkScript struct {
	mu      sync.Mutex
	answers []sdkAnswer
	hits    []string // "METHOD path"
	waits   []time.Duration
	srv     *httptest.Server
}

func sdkNewScript(t *testing.T, answers ...sdkAnswer) *sdkScript {
	t.Helper()
	sc := &sdkScript{answers: answers}
	sc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sc.mu.Lock()
		i := len(sc.hits)
		sc.hits = append(sc.hits, r.Method+" "+r.URL.Path)
		a := sc.answers[min(i, len(sc.answers)-1)]
		sc.mu.Unlock()
		if a.drop {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		w.WriteHeader(a.status)
		io.WriteString(w, a.body)
	}))
	t.Cleanup(sc.srv.Close)
	return sc
}

// client returns a client of the script with policy p, whose Sleep records the waits
// (p.Sleep, when set, runs after recording).
func (sc *sdkScript) client(t *testing.T, p client.RetryPolicy) *client.Client {
	t.Helper()
	next := p.Sleep
	p.Sleep = func(ctx context.Context, d time.Duration) error {
		sc.mu.Lock()
		sc.waits = append(sc.waits, d)
		sc.mu.Unlock()
		if next != nil {
			return next(ctx, d)
		}
		return nil
	}
	return sdkMust(client.New(client.WithBaseURL(sc.srv.URL), client.WithRetry(p),
		client.WithHTTPClient(&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}),
		client.WithCredentials(client.Credentials{SESSDATA: "s", BiliJct: "j", Mid: 1})))(t)
}

func (sc *sdkScript) seen() ([]string, []time.Duration) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return slices.Clone(sc.hits), slices.Clone(sc.waits)
}

const sdkMs = time.Millisecond

var sdkPolicy = client.RetryPolicy{Attempts: 3, MinBackoff: 100 * sdkMs, MaxBackoff: time.Second, RateLimitWait: 7 * time.Second}

func TestRetryGETOnHTTP5xx(t *testing.T) {
	t.Parallel()
	sc := sdkNewScript(t, sdk502, sdk502, sdkOK1)
	u, err := sc.client(t, sdkPolicy).SingleUnread(t.Context(), client.UnreadOptions{})
	hits, waits := sc.seen()
	if err != nil || u.UnfollowUnread != 3 {
		t.Fatalf("after two 502s: %+v, %v", u, err)
	}
	if len(hits) != 3 || !slices.Equal(waits, []time.Duration{100 * sdkMs, 200 * sdkMs}) {
		t.Errorf("hits %v waits %v; want 3 hits, waits [100ms 200ms]", hits, waits)
	}
}

func TestRetryGETGivesUpAfterAttempts(t *testing.T) {
	t.Parallel()
	sc := sdkNewScript(t, sdk502)
	_, err := sc.client(t, sdkPolicy).SingleUnread(t.Context(), client.UnreadOptions{})
	hits, waits := sc.seen()
	if err == nil || !strings.Contains(err.Error(), "HTTP 502") || !strings.Contains(err.Error(), "single_unread") {
		t.Errorf("three 502s: %v, want an error naming HTTP 502 and the endpoint", err)
	}
	if len(hits) != 3 || len(waits) != 2 {
		t.Errorf("hits %v waits %v", hits, waits)
	}
}

func TestRetryGETOnTemporaryCodes(t *testing.T) {
	t.Parallel()
	for _, code := range []int{client.CodeServer, client.CodeUnavailable, client.CodeRequestBlocked, client.CodeSystem} {
		sc := sdkNewScript(t, sdkCode(code), sdkOK1)
		_, err := sc.client(t, sdkPolicy).Sessions(t.Context(), client.SessionsOptions{})
		hits, waits := sc.seen()
		if err != nil || len(hits) != 2 || !slices.Equal(waits, []time.Duration{100 * sdkMs}) {
			t.Errorf("code %d then success: %v, hits %v waits %v", code, err, hits, waits)
		}
	}
	// The last error is returned when every attempt fails.
	sc := sdkNewScript(t, sdkCode(-500), sdkCode(-500), sdkCode(-503))
	_, err := sc.client(t, sdkPolicy).Sessions(t.Context(), client.SessionsOptions{})
	var e *client.Error
	if hits, _ := sc.seen(); !errors.As(err, &e) || e.Code != -503 || e.Endpoint != "get_sessions" || e.Message != "scripted" || len(hits) != 3 {
		t.Errorf("-500, -500, -503: %v after %d hits", err, len(hits))
	}
	// -412 as bilibili's anti-crawler sends it: HTTP 412 with a JSON body.
	sc = sdkNewScript(t, sdkAnswer{status: 412, body: `{"code":-412,"message":"请求被拦截"}`}, sdkOK1)
	if _, err := sc.client(t, sdkPolicy).MyGroupUnread(t.Context()); err != nil {
		t.Errorf("HTTP 412 -412 then success: %v", err)
	}
	sc = sdkNewScript(t, sdkAnswer{status: 412, body: `{"code":-412,"message":"请求被拦截"}`})
	_, err = sc.client(t, client.NoRetry()).MyGroupUnread(t.Context())
	if !errors.As(err, &e) || e.HTTPStatus != 412 || !errors.Is(err, client.ErrRequestBlocked) {
		t.Errorf("HTTP 412: %v (%+v)", err, e)
	}
}

func TestRetryNotOnRefusals(t *testing.T) {
	t.Parallel()
	for _, code := range []int{client.CodeNotLoggedIn, client.CodeBadRequest, client.CodeInvalidParam, client.CodeCSRF,
		client.CodeNotFound, client.CodeNoSession, client.CodeNotGroupMember, -1} {
		sc := sdkNewScript(t, sdkCode(code), sdkOK1)
		_, err := sc.client(t, sdkPolicy).SessionDetail(t.Context(), client.User(5))
		hits, waits := sc.seen()
		if !client.IsCode(err, code) || len(hits) != 1 || len(waits) != 0 {
			t.Errorf("code %d: %v, hits %v waits %v; want the refusal after one request", code, err, hits, waits)
		}
	}
	// A 4xx page that is not JSON is not retried either.
	sc := sdkNewScript(t, sdkAnswer{status: 404, body: "404 page not found"}, sdkOK1)
	if _, err := sc.client(t, sdkPolicy).BlockWords(t.Context()); err == nil || !strings.Contains(err.Error(), "HTTP 404") {
		t.Errorf("HTTP 404: %v", err)
	}
	if hits, _ := sc.seen(); len(hits) != 1 {
		t.Errorf("HTTP 404 was retried: %v", hits)
	}
}

func TestRetryPOSTNotOnServerFailure(t *testing.T) {
	t.Parallel()
	for name, a := range map[string]sdkAnswer{"HTTP 502": sdk502, "-500": sdkCode(-500), "-503": sdkCode(-503),
		"-412": sdkCode(-412), "dropped connection": sdkDrop} {
		sc := sdkNewScript(t, a, sdkOK1)
		c := sc.client(t, sdkPolicy)
		errAck := c.Ack(t.Context(), client.User(5), 0)
		_, errSend := c.SendText(t.Context(), client.User(5), "maybe sent")
		hits, waits := sc.seen()
		if errAck == nil || errSend != nil {
			t.Errorf("%s: Ack %v, then send %v", name, errAck, errSend)
		}
		if len(hits) != 2 || hits[0] != "POST /session_svr/v1/session_svr/update_ack" || len(waits) != 0 {
			t.Errorf("%s: a POST was retried: hits %v waits %v", name, hits, waits)
		}
	}
}

func TestRetryGETOnDroppedConnection(t *testing.T) {
	t.Parallel()
	sc := sdkNewScript(t, sdkDrop, sdkOK1)
	_, err := sc.client(t, sdkPolicy).Preferences(t.Context())
	if hits, waits := sc.seen(); err != nil || len(hits) != 2 || len(waits) != 1 {
		t.Errorf("dropped then success: %v, hits %v waits %v", err, hits, waits)
	}
	// In transit errors wrap the transport's error.
	sentinel := errors.New("transport says no")
	c := sdkMust(client.New(client.WithBaseURL("http://bilimsg.invalid"), client.WithRetry(client.RetryPolicy{Attempts: 2,
		Sleep: func(context.Context, time.Duration) error { return nil }}),
		client.WithHTTPClient(&http.Client{Transport: sdkFailing{sentinel}})))(t)
	if _, err := c.Preferences(t.Context()); !errors.Is(err, sentinel) || !strings.Contains(err.Error(), "client: get:") {
		t.Errorf("transport error: %v, want it wrapped and named", err)
	}
}

type sdkFailing struct{ err error }

func (f sdkFailing) RoundTrip(*http.Request) (*http.Response, error) { return nil, f.err }

func TestRetrySendAfterRateLimit(t *testing.T) {
	t.Parallel()
	sc := sdkNewScript(t, sdkCode(client.CodeTooFast), sdkOK1)
	res, err := sc.client(t, sdkPolicy).SendText(t.Context(), client.User(5), "again")
	hits, waits := sc.seen()
	if err != nil || res.MsgKey != 7202942012620800001 {
		t.Fatalf("21020 then success: %+v, %v", res, err)
	}
	if len(hits) != 2 || hits[1] != "POST /web_im/v1/web_im/send_msg" || !slices.Equal(waits, []time.Duration{7 * time.Second}) {
		t.Errorf("hits %v waits %v; want two sends and one wait of RateLimitWait (7s)", hits, waits)
	}
	// Still too fast after every attempt: ErrRateLimited, each wait RateLimitWait.
	sc = sdkNewScript(t, sdkCode(client.CodeTooFast))
	_, err = sc.client(t, sdkPolicy).SendText(t.Context(), client.User(5), "again")
	hits, waits = sc.seen()
	if !errors.Is(err, client.ErrRateLimited) || len(hits) != 3 || !slices.Equal(waits, []time.Duration{7 * time.Second, 7 * time.Second}) {
		t.Errorf("always 21020: %v, hits %v waits %v", err, hits, waits)
	}
	// Other POSTs too: nothing was done.
	sc = sdkNewScript(t, sdkCode(client.CodeTooFast), sdkOK1)
	if err := sc.client(t, sdkPolicy).SetTop(t.Context(), client.User(5), true); err != nil {
		t.Errorf("set_top after 21020: %v", err)
	}
}

func TestRetryBackoffDoublesUpToMax(t *testing.T) {
	t.Parallel()
	sc := sdkNewScript(t, sdkCode(-500))
	_, err := sc.client(t, client.RetryPolicy{Attempts: 7, MinBackoff: 100 * sdkMs, MaxBackoff: 500 * sdkMs}).MyGroupUnread(t.Context())
	hits, waits := sc.seen()
	want := []time.Duration{100 * sdkMs, 200 * sdkMs, 400 * sdkMs, 500 * sdkMs, 500 * sdkMs, 500 * sdkMs}
	if err == nil || len(hits) != 7 || !slices.Equal(waits, want) {
		t.Errorf("7 attempts: %v, %d hits, waits %v; want %v", err, len(hits), waits, want)
	}
}

func TestRetryPolicyDefaults(t *testing.T) {
	t.Parallel()
	if d := client.DefaultRetry(); d.Attempts != 3 || d.MinBackoff != 250*sdkMs || d.MaxBackoff != 5*time.Second ||
		d.RateLimitWait != 5*time.Second || d.Sleep != nil {
		t.Errorf("DefaultRetry() = %+v", d)
	}
	if n := client.NoRetry(); n.Attempts != 1 {
		t.Errorf("NoRetry() = %+v", n)
	}
	// A zero policy tries once.
	sc := sdkNewScript(t, sdk502, sdkOK1)
	if _, err := sc.client(t, client.RetryPolicy{}).MyGroupUnread(t.Context()); err == nil {
		t.Errorf("zero policy: no error")
	}
	if hits, _ := sc.seen(); len(hits) != 1 {
		t.Errorf("zero policy: %d hits", len(hits))
	}
	// Attempts only: 250 ms waits (MaxBackoff below MinBackoff is raised to it).
	sc = sdkNewScript(t, sdk502)
	sc.client(t, client.RetryPolicy{Attempts: 3}).MyGroupUnread(t.Context())
	if _, waits := sc.seen(); !slices.Equal(waits, []time.Duration{250 * sdkMs, 250 * sdkMs}) {
		t.Errorf("Attempts 3 alone: waits %v, want [250ms 250ms]", waits)
	}
	// A negative RateLimitWait is no wait.
	sc = sdkNewScript(t, sdkCode(client.CodeTooFast), sdkOK1)
	sc.client(t, client.RetryPolicy{Attempts: 2, RateLimitWait: -time.Second}).SendText(t.Context(), client.User(5), "x")
	if hits, waits := sc.seen(); len(hits) != 2 || !slices.Equal(waits, []time.Duration{0}) {
		t.Errorf("negative RateLimitWait: hits %v waits %v", hits, waits)
	}
}

func TestRetryStopsWhenContextEnds(t *testing.T) {
	t.Parallel()
	// Cancelled while waiting: the wait fails, the call returns the last refusal.
	sc := sdkNewScript(t, sdkCode(-500), sdkOK1)
	ctx, cancel := context.WithCancel(t.Context())
	p := sdkPolicy
	p.Sleep = func(ctx context.Context, d time.Duration) error {
		cancel()
		return ctx.Err()
	}
	_, err := sc.client(t, p).Sessions(ctx, client.SessionsOptions{})
	hits, waits := sc.seen()
	if !client.IsCode(err, -500) || len(hits) != 1 || len(waits) != 1 {
		t.Errorf("cancelled during the wait: %v, hits %v waits %v", err, hits, waits)
	}
	// Already cancelled: no request, no wait, the context's error.
	sc = sdkNewScript(t, sdkOK1)
	dead, stop := context.WithCancel(t.Context())
	stop()
	_, err = sc.client(t, sdkPolicy).Sessions(dead, client.SessionsOptions{})
	hits, waits = sc.seen()
	if !errors.Is(err, context.Canceled) || len(hits) != 0 || len(waits) != 0 {
		t.Errorf("cancelled context: %v, hits %v waits %v", err, hits, waits)
	}
	// Cancelled during a request that failed: not retried.
	sc2 := &sdkScript{}
	ctx3, cancel3 := context.WithCancel(t.Context())
	sc2.answers = []sdkAnswer{sdk502}
	sc2.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sc2.mu.Lock()
		sc2.hits = append(sc2.hits, r.URL.Path)
		sc2.mu.Unlock()
		cancel3()
		w.WriteHeader(502)
	}))
	t.Cleanup(sc2.srv.Close)
	_, err = sc2.client(t, sdkPolicy).Sessions(ctx3, client.SessionsOptions{})
	if hits, waits := sc2.seen(); err == nil || len(hits) != 1 || len(waits) != 0 {
		t.Errorf("cancelled during a failing request: %v, hits %v waits %v", err, hits, waits)
	}
}
