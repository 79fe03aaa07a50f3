package client

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// LoginWithPassword logs in to a bilimsg server with a mid or name and a password, and
// returns the cookies it set. This is bilimsg's own login (POST /bilimsg/v1/login, the
// one its web page uses; docs/api.md), for users the operator gave a password;
// bilibili's login (QR codes, SMS) is not this. opts configure the request as for New
// (WithBaseURL, WithHTTPClient); credentials are not needed (the server does not read them here). A refusal is an
// *Error: -629 wrong account or password, -509 too many attempts.
func LoginWithPassword(ctx context.Context, account, password string, opts ...Option) (Credentials, error) {
	c, err := New(opts...)
	if err != nil {
		return Credentials{}, err
	}
	form := url.Values{"account": {account}, "password": {password}}
	hdr, err := c.callHeader(ctx, endpoint{path: "/bilimsg/v1/login", post: true, public: true}, form, nil)
	if err != nil {
		return Credentials{}, err
	}
	var cr Credentials
	for _, ck := range (&http.Response{Header: hdr}).Cookies() {
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
