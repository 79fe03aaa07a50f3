package client_test

import (
	"errors"
	"testing"

	"github.com/bilimsg/bilimsg/client"
	"github.com/bilimsg/bilimsg/client/operator"
	"github.com/bilimsg/bilimsg/internal/testkit"
)

// TestLoginWithPassword: a user with a password logs in by mid or name, the cookies
// work, Logout ends them; refusals are *Error with bilibili's codes.
func TestLoginWithPassword(t *testing.T) {
	s := testkit.Start(t, testkit.Options{})
	ctx := t.Context()
	mid := uint64(4242)
	if _, err := s.Operator().CreateUser(ctx, operator.NewUser{Name: "密码用户", Mid: &mid, Password: "s3cret"}); err != nil {
		t.Fatal(err)
	}
	opts := []client.Option{client.WithBaseURL(s.URL), client.WithHTTPClient(s.HTTP.Client())}
	for _, account := range []string{"4242", "密码用户"} {
		cr, err := client.LoginWithPassword(ctx, account, "s3cret", opts...)
		if err != nil || cr.Mid != mid || cr.SESSDATA == "" || cr.BiliJct == "" {
			t.Fatalf("login as %q: %+v, %v", account, cr, err)
		}
		c, err := client.New(append(opts, client.WithCredentials(cr))...)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.SingleUnread(ctx, client.UnreadOptions{}); err != nil {
			t.Fatalf("the login does not work: %v", err)
		}
		if err := c.Logout(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := c.SingleUnread(ctx, client.UnreadOptions{}); !errors.Is(err, client.ErrNotLoggedIn) {
			t.Fatalf("after Logout: %v, want ErrNotLoggedIn", err)
		}
	}
	_, err := client.LoginWithPassword(ctx, "4242", "wrong", opts...)
	var e *client.Error
	if !errors.As(err, &e) || e.Code != -629 || e.Endpoint != "login" {
		t.Fatalf("a wrong password: %v", err)
	}
	if _, err := client.LoginWithPassword(ctx, "4242", "s3cret", client.WithBaseURL("ftp://x")); err == nil {
		t.Fatal("a bad option was ignored")
	}
}
