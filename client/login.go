package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// LoginWithPassword logs in to a bilimsg server with a mid or name and a password, and
// returns the cookies it set. This is bilimsg's own login (POST /bilimsg/v1/login, the
// one its web page uses; docs/api.md), for users the operator gave a password;
// bilibili's login (QR codes, SMS) is not this. opts configure the request as for New
// (WithBaseURL, WithHTTPClient); credentials among them are ignored. A refusal is an
// *Error: -629 wrong account or password, -509 too many attempts.
func LoginWithPassword(ctx context.Context, account, password string, opts ...Option) (Credentials, error) {
	c, err := New(opts...)
	if err != nil {
		return Credentials{}, err
	}
	u := *c.vc
	u.Path = c.vc.Path + "/bilimsg/v1/login"
	form := url.Values{"account": {account}, "password": {password}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return Credentials{}, fmt.Errorf("client: login: %v", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if c.ua != "" {
		req.Header.Set("User-Agent", c.ua)
	}
	resp, err := c.hc.Do(req) // not retried: a login is a write
	if err != nil {
		return Credentials{}, fmt.Errorf("client: login: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return Credentials{}, fmt.Errorf("client: login: reading the answer: %w", err)
	}
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil || env.Code == nil {
		return Credentials{}, fmt.Errorf("client: login: HTTP %d with an answer that is not bilibili's JSON: %s", resp.StatusCode, snippet(body))
	}
	if *env.Code != 0 {
		return Credentials{}, &Error{Code: *env.Code, Message: env.Message, Endpoint: "login", HTTPStatus: resp.StatusCode}
	}
	var cr Credentials
	for _, ck := range resp.Cookies() {
		switch ck.Name {
		case "SESSDATA":
			cr.SESSDATA = ck.Value
		case "bili_jct":
			cr.BiliJct = ck.Value
		case "DedeUserID":
			cr.Mid, _ = strconv.ParseUint(ck.Value, 10, 64)
		}
	}
	if cr.SESSDATA == "" || cr.BiliJct == "" || cr.Mid == 0 {
		return Credentials{}, fmt.Errorf("client: login: success without the SESSDATA, bili_jct and DedeUserID cookies")
	}
	return cr, nil
}

// Logout ends this client's login on a bilimsg server (POST /bilimsg/v1/logout): its
// SESSDATA stops working; the user's other logins go on.
func (c *Client) Logout(ctx context.Context) error {
	return c.call(ctx, endpoint{path: "/bilimsg/v1/logout", post: true}, nil, nil)
}
