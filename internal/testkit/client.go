package testkit

import (
	"github.com/bilimsg/bilimsg/client"
	"github.com/bilimsg/bilimsg/client/operator"
)

// Client returns a client of the server logged in as u (zero User: logged out), with
// retries off unless opts turn them on.
func (s *Server) Client(u User, opts ...client.Option) *client.Client {
	s.TB.Helper()
	all := []client.Option{client.WithBaseURL(s.URL), client.WithHTTPClient(s.HTTP.Client()),
		client.WithRetry(client.NoRetry())}
	if u.Mid != 0 {
		all = append(all, client.WithCredentials(client.Credentials{SESSDATA: u.SESSDATA, BiliJct: u.BiliJct, Mid: u.Mid}))
	}
	c, err := client.New(append(all, opts...)...)
	if err != nil {
		s.TB.Fatal(err)
	}
	return c
}

// Operator returns a client of the server's operator API.
func (s *Server) Operator() *operator.Client {
	s.TB.Helper()
	op, err := operator.New(s.URL, s.Token, s.HTTP.Client())
	if err != nil {
		s.TB.Fatal(err)
	}
	return op
}
