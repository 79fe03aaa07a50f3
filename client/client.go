package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Bilibili's API hosts. Most message endpoints live on api.vc.bilibili.com; the
// notification feeds /x/msgfeed/… on api.bilibili.com; the system notifications
// (/x/sys-msg/…) on message.bilibili.com (catalog §1, §7).
const (
	DefaultVCHost      = "https://api.vc.bilibili.com"
	DefaultAPIHost     = "https://api.bilibili.com"
	DefaultMessageHost = "https://message.bilibili.com"
)

// DefaultTimeout bounds each HTTP request when the client builds its own *http.Client.
const DefaultTimeout = 30 * time.Second

// maxBody bounds an answer read into memory. The largest legitimate one (a page of 2000
// messages) is well below it; anything larger is refused rather than buffered.
const maxBody = 32 << 20

// Credentials are a login's cookies, as a browser holds them after logging in to
// bilibili (or as `bilimsg serve --demo` and the operator API hand them out).
type Credentials struct {
	SESSDATA string // the session cookie
	BiliJct  string // the CSRF token, sent as csrf on every POST
	Mid      uint64 // DedeUserID: the logged-in user's id, needed to send messages
}

// Client calls bilibili's message API, or a bilimsg server's. It is safe for concurrent
// use. Create it with New.
type Client struct {
	vc, api  *url.URL
	msg      *url.URL
	hc       *http.Client
	cred     Credentials
	retry    RetryPolicy
	ua       string
	newDevID func() string
	now      func() time.Time
}

// Option configures a Client.
type Option func(*Client) error

// WithBaseURL points every endpoint at one server, such as a bilimsg at
// "http://127.0.0.1:8080" (bilimsg serves both of bilibili's hosts' paths on one
// listener). A path in the URL is kept as a prefix.
func WithBaseURL(base string) Option {
	return func(c *Client) error {
		u, err := parseBase(base)
		if err != nil {
			return err
		}
		c.vc, c.api, c.msg = u, u, u
		return nil
	}
}

// WithHosts sets the three hosts separately: vc for api.vc.bilibili.com's paths, api
// for api.bilibili.com's, msg for message.bilibili.com's.
func WithHosts(vc, api, msg string) Option {
	return func(c *Client) error {
		var err error
		if c.vc, err = parseBase(vc); err != nil {
			return err
		}
		if c.api, err = parseBase(api); err != nil {
			return err
		}
		c.msg, err = parseBase(msg)
		return err
	}
}

// WithCredentials logs the client in.
func WithCredentials(cr Credentials) Option {
	return func(c *Client) error {
		for _, v := range []string{cr.SESSDATA, cr.BiliJct} {
			if strings.ContainsAny(v, ";\r\n\x00") {
				return errors.New("client: a cookie value contains ';' or a control character")
			}
		}
		c.cred = cr
		return nil
	}
}

// WithHTTPClient makes the client send its requests through hc (for proxies, custom
// transports, or tests). Its Timeout applies instead of DefaultTimeout.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return errors.New("client: WithHTTPClient(nil)")
		}
		c.hc = hc
		return nil
	}
}

// WithRetry replaces the retry policy (DefaultRetry).
func WithRetry(p RetryPolicy) Option {
	return func(c *Client) error { c.retry = p.withDefaults(); return nil }
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(c *Client) error { c.ua = ua; return nil }
}

// WithDeviceID makes send_msg use fn's result as msg[dev_id] instead of a random UUID.
func WithDeviceID(fn func() string) Option {
	return func(c *Client) error { c.newDevID = fn; return nil }
}

// WithClock makes the client read the time (send_msg's msg[timestamp]) from now.
func WithClock(now func() time.Time) Option {
	return func(c *Client) error { c.now = now; return nil }
}

// New builds a client. Without options it talks to bilibili itself, logged out.
func New(opts ...Option) (*Client, error) {
	c := &Client{retry: DefaultRetry().withDefaults(), ua: "bilimsg-client/1", newDevID: uuid4, now: time.Now}
	c.vc, _ = url.Parse(DefaultVCHost)
	c.api, _ = url.Parse(DefaultAPIHost)
	c.msg, _ = url.Parse(DefaultMessageHost)
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, err
		}
	}
	if c.hc == nil {
		c.hc = &http.Client{Timeout: DefaultTimeout}
	}
	return c, nil
}

// Mid is the logged-in user's id (0 when unknown).
func (c *Client) Mid() uint64 { return c.cred.Mid }

func parseBase(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(s, "/"))
	if err != nil {
		return nil, fmt.Errorf("client: base URL %q: %v", s, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("client: base URL %q: want http(s)://host[:port]", s)
	}
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}

// Which host an endpoint lives on.
const (
	onVC  = iota // api.vc.bilibili.com
	onAPI        // api.bilibili.com
	onMsg        // message.bilibili.com
)

// endpoint is one API path and the host it lives on.
type endpoint struct {
	path   string
	host   int
	post   bool
	public bool // needs no login: a POST without csrf (bilimsg's password login)
}

// name is the endpoint's last path element, for error messages.
func (e endpoint) name() string { return e.path[strings.LastIndexByte(e.path, '/')+1:] }

// envelope is bilibili's answer: code, message (and msg on some hosts), ttl, data.
type envelope struct {
	Code    *int            `json:"code"`
	Message string          `json:"message"`
	Msg     string          `json:"msg"`
	Data    json.RawMessage `json:"data"`
}

// call sends one request and decodes the data field into out (when non-nil), retrying
// as the policy allows.
func (c *Client) call(ctx context.Context, ep endpoint, q url.Values, out any) error {
	_, err := c.callHeader(ctx, ep, q, out)
	return err
}

// callHeader is call that also returns the header of the answer (for its Date, or the
// cookies a login sets).
func (c *Client) callHeader(ctx context.Context, ep endpoint, q url.Values, out any) (http.Header, error) {
	if q == nil {
		q = url.Values{}
	}
	if ep.post && !ep.public {
		if c.cred.BiliJct == "" {
			return nil, &Error{Code: CodeCSRF, Message: "client has no bili_jct to send as csrf", Endpoint: ep.name()}
		}
		q.Set("csrf", c.cred.BiliJct)
		q.Set("csrf_token", c.cred.BiliJct)
	}
	var err error
	for attempt := 1; ; attempt++ {
		var data json.RawMessage
		var retryable bool
		var hdr http.Header
		data, retryable, hdr, err = c.once(ctx, ep, q)
		if err == nil {
			if out == nil {
				return hdr, nil
			}
			if len(data) == 0 || (string(data) == "null" && !wantsList(out)) {
				return hdr, fmt.Errorf("client: %s: the answer has no data", ep.name())
			}
			if err := json.Unmarshal(data, out); err != nil {
				return hdr, fmt.Errorf("client: %s: unexpected data: %v", ep.name(), err)
			}
			return hdr, nil
		}
		if !retryable || attempt >= c.retry.Attempts || ctx.Err() != nil {
			return nil, err
		}
		wait := c.retry.backoff(attempt)
		if IsCode(err, CodeTooFast) {
			wait = c.retry.RateLimitWait
		}
		if serr := c.retry.Sleep(ctx, wait); serr != nil {
			return nil, err
		}
	}
}

// once sends the request one time. retryable says whether sending it again is safe and
// may help: a read that failed in transit or on the server, or any request that
// bilibili refused as too fast (21020: nothing was done).
func (c *Client) once(ctx context.Context, ep endpoint, q url.Values) (json.RawMessage, bool, http.Header, error) {
	base := c.vc
	switch ep.host {
	case onAPI:
		base = c.api
	case onMsg:
		base = c.msg
	}
	u := *base
	u.Path = base.Path + ep.path
	var req *http.Request
	var err error
	if ep.post {
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, u.String(), strings.NewReader(q.Encode()))
		if req != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	} else {
		u.RawQuery = q.Encode()
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	}
	if err != nil {
		return nil, false, nil, fmt.Errorf("client: %s: %v", ep.name(), err)
	}
	req.Header.Set("Accept", "application/json")
	if c.ua != "" {
		req.Header.Set("User-Agent", c.ua)
	}
	if ck := c.cookieHeader(); ck != "" {
		req.Header.Set("Cookie", ck)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		// In transit: a read may be repeated; a write may have happened.
		return nil, !ep.post, nil, fmt.Errorf("client: %s: %w", ep.name(), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, !ep.post, nil, fmt.Errorf("client: %s: reading the answer: %w", ep.name(), err)
	}
	if len(body) > maxBody {
		return nil, false, nil, fmt.Errorf("client: %s: the answer is larger than %d bytes", ep.name(), maxBody)
	}
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil || env.Code == nil {
		return nil, !ep.post && resp.StatusCode >= 500, nil,
			&badAnswer{status: resp.StatusCode, msg: fmt.Sprintf("client: %s: HTTP %d with an answer that is not bilibili's JSON: %s",
				ep.name(), resp.StatusCode, snippet(body))}
	}
	if *env.Code != 0 {
		msg := env.Message
		if msg == "" {
			msg = env.Msg
		}
		e := &Error{Code: *env.Code, Message: msg, Endpoint: ep.name(), HTTPStatus: resp.StatusCode}
		retry := *env.Code == CodeTooFast || (!ep.post && e.temporary())
		return nil, retry, nil, e
	}
	return env.Data, false, resp.Header, nil
}

// badAnswer is an answer that is not bilibili's envelope (a proxy's error page, say).
type badAnswer struct {
	status int
	msg    string
}

func (e *badAnswer) Error() string { return e.msg }

// Transient reports whether err is a failure that may pass by itself: the network, a
// server that failed (HTTP 5xx, -500, -503, -3) or bilibili's anti-crawler limit (-412)
// — rather than a refusal that will stand (-101, 21047, …) or a context that ended. The
// client has already retried such failures as its RetryPolicy allows; a long-running
// program (Watcher.Run) waits and tries again.
func Transient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var e *Error
	if errors.As(err, &e) {
		return e.temporary()
	}
	var ba *badAnswer
	if errors.As(err, &ba) {
		return ba.status >= 500
	}
	var ue *url.Error
	return errors.As(err, &ue)
}

// wantsList reports whether out points to a slice, for which data null is an empty list
// (bilibili sends null for some empty lists).
func wantsList(out any) bool {
	t := reflect.TypeOf(out)
	return t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Slice
}

func (c *Client) cookieHeader() string {
	var parts []string
	if c.cred.SESSDATA != "" {
		parts = append(parts, "SESSDATA="+c.cred.SESSDATA)
	}
	if c.cred.BiliJct != "" {
		parts = append(parts, "bili_jct="+c.cred.BiliJct)
	}
	if c.cred.Mid != 0 {
		parts = append(parts, "DedeUserID="+strconv.FormatUint(c.cred.Mid, 10))
	}
	return strings.Join(parts, "; ")
}

// snippet quotes the start of an unexpected answer for an error message.
func snippet(b []byte) string {
	const n = 120
	b = bytes.TrimSpace(b)
	if len(b) > n {
		return strconv.Quote(string(b[:n])) + "…"
	}
	return strconv.Quote(string(b))
}

// ParseCookies reads credentials from a Cookie header's text, as a browser's developer
// tools show it or as `bilimsg serve --demo` prints it:
// "SESSDATA=…; bili_jct=…; DedeUserID=…". Other cookies are ignored.
func ParseCookies(s string) (Credentials, error) {
	var cr Credentials
	for part := range strings.SplitSeq(s, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "SESSDATA":
			cr.SESSDATA = v
		case "bili_jct":
			cr.BiliJct = v
		case "DedeUserID":
			mid, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return Credentials{}, fmt.Errorf("cookies: DedeUserID %q is not a mid", v)
			}
			cr.Mid = mid
		}
	}
	if cr.SESSDATA == "" {
		return Credentials{}, errors.New("cookies: no SESSDATA")
	}
	return cr, nil
}
