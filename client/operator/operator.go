// Package operator is a client of bilimsg's operator API (/admin/v1/…): the calls that
// create users, log them in, make them follow or block each other, run fan groups and
// post notifications — everything bilibili does behind its own back office, which a
// test or a demo needs to set the scene. It speaks to bilimsg only; bilibili has no such
// API. The API is described in docs/operator-api.md.
package operator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bilimsg/bilimsg/client"
)

// Client calls a bilimsg server's operator API with its admin token.
type Client struct {
	base  *url.URL
	token string
	hc    *http.Client
}

// New returns a client of the operator API at base (such as "http://127.0.0.1:8080").
// hc may be nil (a client with a 30 s timeout).
func New(base, token string, hc *http.Client) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(base, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("operator: base URL %q: want http(s)://host[:port]", base)
	}
	if token == "" {
		return nil, errors.New("operator: no admin token")
	}
	if hc == nil {
		hc = &http.Client{Timeout: client.DefaultTimeout}
	}
	return &Client{base: u, token: token, hc: hc}, nil
}

// Error is a refusal of the operator API: its HTTP status and its "error" text.
type Error struct {
	Status  int
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("operator API: %d %s", e.Status, e.Message) }

// IsStatus reports whether err is a refusal with this HTTP status (404, 409, …).
func IsStatus(err error, status int) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == status
}

func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		// Not json.Marshal: it escapes <, > and & as \u003c…, and a pushed card is
		// stored as sent (compacted), so a link's & must stay an &.
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(in); err != nil {
			return err
		}
		body = &b
	}
	u := *c.base
	p, q, _ := strings.Cut(path, "?")
	u.Path, u.RawQuery = c.base.Path+p, q
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return fmt.Errorf("operator: %v", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("operator: %s %s: %w", method, p, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return fmt.Errorf("operator: %s %s: reading the answer: %w", method, p, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(b, &e) != nil || e.Error == "" {
			e.Error = strings.TrimSpace(string(b))
			if len(e.Error) > 200 {
				e.Error = e.Error[:200] + "…"
			}
		}
		return &Error{Status: resp.StatusCode, Message: e.Error}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("operator: %s %s: unexpected answer: %v", method, p, err)
	}
	return nil
}

func id(v uint64) string { return strconv.FormatUint(v, 10) }

// User is a bilimsg user.
type User struct {
	Mid       uint64 `json:"mid"`
	Name      string `json:"name"`
	Face      string `json:"face"`
	Fans      int64  `json:"fans"`
	CreatedAt int64  `json:"created_at"`
}

// NewUser describes a user to create. A nil Mid takes the next free one.
type NewUser struct {
	Name     string  `json:"name"`
	Mid      *uint64 `json:"mid,omitempty"`
	Face     string  `json:"face,omitempty"`
	Fans     int64   `json:"fans,omitempty"`
	Password string  `json:"password,omitempty"`
}

// CreateUser creates a user (409 when the mid exists).
func (c *Client) CreateUser(ctx context.Context, u NewUser) (*User, error) {
	var out User
	return &out, c.do(ctx, http.MethodPost, "/admin/v1/users", u, &out)
}

// User returns one user (404 when there is none).
func (c *Client) User(ctx context.Context, mid uint64) (*User, error) {
	var out User
	return &out, c.do(ctx, http.MethodGet, "/admin/v1/users/"+id(mid), nil, &out)
}

// Users lists up to limit users (0: 100) with mids above after, in mid order.
func (c *Client) Users(ctx context.Context, after uint64, limit int) ([]User, error) {
	var out struct {
		Users []User `json:"users"`
	}
	path := "/admin/v1/users?after=" + id(after)
	if limit > 0 {
		path += "&limit=" + strconv.Itoa(limit)
	}
	err := c.do(ctx, http.MethodGet, path, nil, &out)
	return out.Users, err // after the call: Go leaves the order of the two unspecified
}

// UserUpdate changes some of a user's fields (nil: unchanged).
type UserUpdate struct {
	Name *string `json:"name,omitempty"`
	Face *string `json:"face,omitempty"`
	Fans *int64  `json:"fans,omitempty"`
}

// UpdateUser changes a user.
func (c *Client) UpdateUser(ctx context.Context, mid uint64, u UserUpdate) (*User, error) {
	var out User
	return &out, c.do(ctx, http.MethodPatch, "/admin/v1/users/"+id(mid), u, &out)
}

// Login creates a new login for a user and returns its cookies.
func (c *Client) Login(ctx context.Context, mid uint64) (client.Credentials, error) {
	var out struct {
		SESSDATA   string `json:"SESSDATA"`
		BiliJct    string `json:"bili_jct"`
		DedeUserID string `json:"DedeUserID"`
	}
	if err := c.do(ctx, http.MethodPost, "/admin/v1/users/"+id(mid)+"/login", nil, &out); err != nil {
		return client.Credentials{}, err
	}
	m, err := strconv.ParseUint(out.DedeUserID, 10, 64)
	if err != nil || out.SESSDATA == "" {
		return client.Credentials{}, fmt.Errorf("operator: login: unexpected answer (DedeUserID %q)", out.DedeUserID)
	}
	return client.Credentials{SESSDATA: out.SESSDATA, BiliJct: out.BiliJct, Mid: m}, nil
}

// Relation is how one user stands to another.
type Relation struct {
	Following bool `json:"following"`
	Blocking  bool `json:"blocking"`
}

func (c *Client) relation(ctx context.Context, method, kind string, mid, target uint64) (*Relation, error) {
	var out Relation
	return &out, c.do(ctx, method, "/admin/v1/users/"+id(mid)+"/"+kind+"/"+id(target), nil, &out)
}

// Follow makes mid follow target (a follow back sends bilibili's mutual-follow
// greeting). 409 when either blocks the other.
func (c *Client) Follow(ctx context.Context, mid, target uint64) (*Relation, error) {
	return c.relation(ctx, http.MethodPut, "follows", mid, target)
}

// Unfollow makes mid stop following target.
func (c *Client) Unfollow(ctx context.Context, mid, target uint64) (*Relation, error) {
	return c.relation(ctx, http.MethodDelete, "follows", mid, target)
}

// Block makes mid block target (ending both follows, as on bilibili).
func (c *Client) Block(ctx context.Context, mid, target uint64) (*Relation, error) {
	return c.relation(ctx, http.MethodPut, "blacklist", mid, target)
}

// Unblock lifts mid's block of target.
func (c *Client) Unblock(ctx context.Context, mid, target uint64) (*Relation, error) {
	return c.relation(ctx, http.MethodDelete, "blacklist", mid, target)
}

// Relation returns how mid stands to target.
func (c *Client) Relation(ctx context.Context, mid, target uint64) (*Relation, error) {
	return c.relation(ctx, http.MethodGet, "relations", mid, target)
}

// Clock is the server's clock (with --fake-clock).
type Clock struct {
	Now     int64  `json:"now"`
	NowUs   int64  `json:"now_us"`
	NowText string `json:"now_text"`
}

// Clock reads the server's fake clock (404 without --fake-clock).
func (c *Client) Clock(ctx context.Context) (*Clock, error) {
	var out Clock
	return &out, c.do(ctx, http.MethodGet, "/admin/v1/clock", nil, &out)
}

// Advance moves the server's fake clock forward by d (whole seconds).
func (c *Client) Advance(ctx context.Context, d time.Duration) (*Clock, error) {
	var out Clock
	in := map[string]int64{"advance_seconds": int64(d / time.Second)}
	return &out, c.do(ctx, http.MethodPost, "/admin/v1/clock", in, &out)
}

// Group is a fan group.
type Group struct {
	ID        uint64 `json:"id"`
	Owner     uint64 `json:"owner"`
	Name      string `json:"name"`
	Cover     string `json:"cover"`
	Type      int    `json:"type"`
	State     string `json:"state"` // open, frozen, dissolved
	Members   int64  `json:"members"`
	MaxSeqno  uint64 `json:"max_seqno"`
	CreatedAt int64  `json:"created_at"`
}

// NewGroup describes a fan group to create; the owner needs 1000 fans.
type NewGroup struct {
	Owner uint64 `json:"owner"`
	Name  string `json:"name,omitempty"`
	Cover string `json:"cover,omitempty"`
	Type  int    `json:"type,omitempty"`
	ID    uint64 `json:"id,omitempty"`
}

// CreateGroup creates a fan group.
func (c *Client) CreateGroup(ctx context.Context, g NewGroup) (*Group, error) {
	var out Group
	return &out, c.do(ctx, http.MethodPost, "/admin/v1/groups", g, &out)
}

// Group returns a fan group.
func (c *Client) Group(ctx context.Context, gid uint64) (*Group, error) {
	var out Group
	return &out, c.do(ctx, http.MethodGet, "/admin/v1/groups/"+id(gid), nil, &out)
}

// SetGroupState freezes, unfreezes or dissolves a group (action "freeze", "unfreeze",
// "dissolve").
func (c *Client) SetGroupState(ctx context.Context, gid uint64, action string) (*Group, error) {
	switch action {
	case "freeze", "unfreeze", "dissolve":
	default:
		return nil, fmt.Errorf("operator: unknown group action %q", action)
	}
	var out Group
	return &out, c.do(ctx, http.MethodPost, "/admin/v1/groups/"+id(gid)+"/"+action, nil, &out)
}

// Member is a fan group's member.
type Member struct {
	Group    uint64 `json:"group_id"`
	Mid      uint64 `json:"mid"`
	JoinedAt int64  `json:"joined_at_us"`
	AckSeqno uint64 `json:"ack_seqno"`
}

// Join makes mid a member of the group.
func (c *Client) Join(ctx context.Context, gid, mid uint64) (*Member, error) {
	var out Member
	return &out, c.do(ctx, http.MethodPut, "/admin/v1/groups/"+id(gid)+"/members/"+id(mid), nil, &out)
}

// Leave makes mid leave the group; with removed, the owner removes them.
func (c *Client) Leave(ctx context.Context, gid, mid uint64, removed bool) error {
	if removed {
		return c.do(ctx, http.MethodPost, "/admin/v1/groups/"+id(gid)+"/members/"+id(mid)+"/remove", nil, nil)
	}
	return c.do(ctx, http.MethodDelete, "/admin/v1/groups/"+id(gid)+"/members/"+id(mid), nil, nil)
}

// Notice is a notification to post into a user's reply, at or like feed.
type Notice struct {
	Actor      uint64   `json:"actor"`
	Type       string   `json:"type"`
	BusinessID int      `json:"business_id"`
	Business   string   `json:"business"`
	Title      string   `json:"title"`
	URI        string   `json:"uri"`
	NativeURI  string   `json:"native_uri,omitempty"`
	SubjectID  uint64   `json:"subject_id,omitempty"`
	RootID     uint64   `json:"root_id,omitempty"`
	SourceID   uint64   `json:"source_id,omitempty"`
	TargetID   uint64   `json:"target_id,omitempty"`
	ItemID     uint64   `json:"item_id,omitempty"` // likes: the liked item
	Source     string   `json:"source_content,omitempty"`
	RootText   string   `json:"root_reply_content,omitempty"`
	TargetText string   `json:"target_reply_content,omitempty"`
	Desc       string   `json:"desc,omitempty"`
	Image      string   `json:"image,omitempty"`
	AtMids     []uint64 `json:"at_mids,omitempty"`
}

// Posted says what a notification became.
type Posted struct {
	ID        uint64 `json:"id"`
	Delivered bool   `json:"delivered"`
}

// Notify posts a notification into user mid's feed ("reply", "at" or "like").
func (c *Client) Notify(ctx context.Context, mid uint64, feed string, n Notice) (*Posted, error) {
	switch feed {
	case "reply", "at", "like":
	default:
		return nil, fmt.Errorf("operator: unknown feed %q (reply, at, like)", feed)
	}
	var out Posted
	return &out, c.do(ctx, http.MethodPost, "/admin/v1/users/"+id(mid)+"/notifications/"+feed, n, &out)
}

// SystemNotice is a system notification to post.
type SystemNotice struct {
	Title   string `json:"title"`
	Content string `json:"content"`
	Type    int    `json:"type,omitempty"`
	Link    string `json:"link,omitempty"`
}

// NotifySystem posts a system notification to user mid.
func (c *Client) NotifySystem(ctx context.Context, mid uint64, n SystemNotice) (*Posted, error) {
	var out Posted
	return &out, c.do(ctx, http.MethodPost, "/admin/v1/users/"+id(mid)+"/notifications/system", n, &out)
}
