// Package server is the one wiring function: open the store, build the services, mount
// the handlers and run the HTTP server.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bilimsg/bilimsg/internal/admin"
	"github.com/bilimsg/bilimsg/internal/emoji"
	"github.com/bilimsg/bilimsg/internal/events"
	"github.com/bilimsg/bilimsg/internal/im"
	"github.com/bilimsg/bilimsg/internal/store/sqlite"
	"github.com/bilimsg/bilimsg/internal/web"
	"github.com/bilimsg/bilimsg/internal/wire"
)

// Config is everything `bilimsg serve` can be told.
type Config struct {
	Addr       string
	DataDir    string
	AdminToken string // generated and kept in DataDir when empty
	Demo       bool
	FakeClock  bool
	// ClockStart is where the fake clock starts (default: now). Tests pin it so that
	// timestamps and msg_keys are the same on every run.
	ClockStart  time.Time
	Synchronous string // NORMAL or FULL
	Rules       im.Config
	Logger      *slog.Logger
	// Out receives what a person starting the server needs to read (admin token location,
	// demo logins). Logs go to Logger.
	Out io.Writer
}

// App is a built server: its HTTP handler and the parts tests reach into.
type App struct {
	Handler    http.Handler
	Service    *im.Service
	FakeClock  *im.FakeClock // nil unless Config.FakeClock
	AdminToken string
	Hub        *events.Hub // the live-event stream's hub
	store      *sqlite.Store
}

// Close releases the store.
func (a *App) Close() error { return a.store.Close() }

// Build opens the data directory and assembles the server without listening.
func Build(ctx context.Context, cfg Config) (*App, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	st, err := sqlite.Open(ctx, filepath.Join(cfg.DataDir, "bilimsg.db"),
		sqlite.Options{Synchronous: strings.ToUpper(cfg.Synchronous), Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	cat, err := emoji.Load()
	if err != nil {
		st.Close()
		return nil, err
	}
	app := &App{store: st}
	var clock im.Clock = im.SystemClock{}
	if cfg.FakeClock {
		start := cfg.ClockStart
		if start.IsZero() {
			start = time.Now()
		}
		app.FakeClock = im.NewFakeClock(start)
		clock = app.FakeClock
	}
	app.Service = im.New(st, clock, cat, cfg.Logger, cfg.Rules)
	app.Hub = events.New(events.Options{})
	app.Service.SetPublisher(wire.Events{Hub: app.Hub})
	if app.AdminToken, err = adminToken(cfg); err != nil {
		st.Close()
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	mux.Handle("/admin/", admin.New(app.Service, app.AdminToken, app.FakeClock, cfg.Logger))
	mux.Handle("/bilimsg/v1/events", wire.NewEventStream(app.Service, app.Hub, cfg.Logger))
	page, err := web.New(app.Service.Emoji())
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("web page: %w", err)
	}
	// The page is GET / exactly and GET /static/…; every other path is bilibili's API.
	page.Register(mux)
	// Both bilibili hosts' paths are served from the root: api.vc.bilibili.com and
	// api.bilibili.com paths do not collide.
	mux.Handle("/", wire.New(app.Service, cfg.Logger))
	app.Handler = mux
	if cfg.Demo {
		if err := seedDemo(ctx, app, cfg); err != nil {
			st.Close()
			return nil, fmt.Errorf("demo data: %w", err)
		}
	}
	return app, nil
}

// adminToken returns the configured token or the one kept in the data directory,
// generating it on first start.
func adminToken(cfg Config) (string, error) {
	if cfg.AdminToken != "" {
		return cfg.AdminToken, nil
	}
	path := filepath.Join(cfg.DataDir, "admin-token")
	if b, err := os.ReadFile(path); err == nil {
		if tok := strings.TrimSpace(string(b)); tok != "" {
			fmt.Fprintf(cfg.Out, "admin token: in %s\n", path)
			return tok, nil
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	raw := make([]byte, 32)
	rand.Read(raw)
	tok := hex.EncodeToString(raw)
	if err := os.WriteFile(path, []byte(tok+"\n"), 0o600); err != nil {
		return "", err
	}
	fmt.Fprintf(cfg.Out, "admin token: generated, in %s\n", path)
	return tok, nil
}

// Run serves until ctx is cancelled, then shuts down gracefully.
func Run(ctx context.Context, cfg Config) error {
	app, err := Build(ctx, cfg)
	if err != nil {
		return err
	}
	defer app.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: app.Handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10}
	cfg.Logger.Info("serving", "addr", ln.Addr().String(), "data", cfg.DataDir, "fake_clock", cfg.FakeClock)
	fmt.Fprintf(cfg.Out, "bilimsg listening on http://%s\nmessage center (in a browser): http://%s/\n", ln.Addr(), ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}
