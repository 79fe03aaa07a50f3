package testkit

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"os"

	"github.com/bilimsg/bilimsg/client"
	"github.com/bilimsg/bilimsg/client/operator"
	"github.com/bilimsg/bilimsg/internal/server"
)

// ExampleServer is a bilimsg started for a runnable example (go doc), with users alice (1001), bob
// (1002), carol (1003) and dave (1004): Alice follows Bob, Carol follows Alice.
type ExampleServer struct {
	URL        string
	AdminToken string            // the operator API's token
	Cookies    map[string]string // name → Cookie header of a login
	clients    map[string]*client.Client
	close      func()
}

func (s *ExampleServer) Close() { s.close() }

// Send makes user name send a text to mid.
func (s *ExampleServer) Send(name string, to uint64, text string) {
	if _, err := s.clients[name].SendText(context.Background(), client.User(to), text); err != nil {
		log.Fatalf("%s → %d: %v", name, to, err)
	}
}

// StartExample builds a server with a fake clock (so that every run answers the
// same) in a temporary directory, for runnable examples, which have no testing.TB:
// failures end the process, as in a program.
func StartExample() *ExampleServer {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "bilimsg-example-")
	if err != nil {
		log.Fatal(err)
	}
	const token = "example-admin-token"
	app, err := server.Build(ctx, server.Config{DataDir: dir, AdminToken: token, FakeClock: true,
		ClockStart: Epoch, Synchronous: "normal"})
	if err != nil {
		log.Fatal(err)
	}
	hs := httptest.NewServer(app.Handler)
	s := &ExampleServer{URL: hs.URL, AdminToken: token, Cookies: map[string]string{}, clients: map[string]*client.Client{}, close: func() {
		hs.Close()
		app.Close()
		os.RemoveAll(dir)
	}}
	op, err := operator.New(hs.URL, token, nil)
	if err != nil {
		log.Fatal(err)
	}
	for i, name := range []string{"alice", "bob", "carol", "dave"} {
		mid := uint64(1001 + i)
		if _, err := op.CreateUser(ctx, operator.NewUser{Name: name, Mid: &mid}); err != nil {
			log.Fatal(err)
		}
		cr, err := op.Login(ctx, mid)
		if err != nil {
			log.Fatal(err)
		}
		s.Cookies[name] = fmt.Sprintf("SESSDATA=%s; bili_jct=%s; DedeUserID=%d", cr.SESSDATA, cr.BiliJct, cr.Mid)
		if s.clients[name], err = client.New(client.WithBaseURL(hs.URL), client.WithCredentials(cr)); err != nil {
			log.Fatal(err)
		}
	}
	for _, f := range [][2]uint64{{1001, 1002}, {1003, 1001}} {
		if _, err := op.Follow(ctx, f[0], f[1]); err != nil {
			log.Fatal(err)
		}
	}
	return s
}
