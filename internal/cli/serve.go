package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/bilimsg/bilimsg/internal/im"
	"github.com/bilimsg/bilimsg/internal/server"
)

func serve(args []string, stdout, stderr io.Writer) int {
	cfg, code := parseServe(args, stderr, nil)
	if code >= 0 {
		return code
	}
	cfg.Logger = slog.New(slog.NewTextHandler(stderr, nil))
	cfg.Out = stdout
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := server.Run(ctx, cfg); err != nil {
		fmt.Fprintln(stderr, "bilimsg:", err)
		return 1
	}
	return 0
}

// parseServe reads serve's flags and environment; code is -1 when the server should run.
func parseServe(args []string, stderr io.Writer, getenv func(string) string) (server.Config, int) {
	def := im.DefaultConfig()
	cfg := server.Config{}
	fs := flag.NewFlagSet("bilimsg serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.StringVar(&cfg.DataDir, "data", "./bilimsg-data", "data directory (holds the SQLite database)")
	fs.StringVar(&cfg.AdminToken, "admin-token", "", "operator API bearer token (default: generated and kept in the data directory)")
	fs.BoolVar(&cfg.Demo, "demo", false, "create demo users, follows and history once, and print their cookies")
	fs.BoolVar(&cfg.FakeClock, "fake-clock", false, "enable POST /admin/v1/clock to move the server's clock forward")
	fs.StringVar(&cfg.Synchronous, "synchronous", "normal", "SQLite synchronous level: normal (survives a process crash) or full (also survives power loss)")
	fs.IntVar(&cfg.Rules.BurstLimit, "send-burst", def.BurstLimit, "sends allowed per --send-burst-window before 21020 (0 = no limit)")
	fs.DurationVar(&cfg.Rules.BurstWindow, "send-burst-window", def.BurstWindow, "window of the burst limit")
	fs.IntVar(&cfg.Rules.DailyLimit, "send-daily", def.DailyLimit, "sends allowed per 24 hours before 21046 (0 = no limit)")
	fs.DurationVar(&cfg.Rules.RecvReplyPeriod, "recv-reply-period", def.RecvReplyPeriod, "recv_reply answers a talker at most once per period (0 = every message)")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return cfg, 0
		}
		return cfg, 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "bilimsg serve: unexpected argument %q\n", fs.Arg(0))
		return cfg, 2
	}
	if err := applyEnv(fs, getenv); err != nil {
		fmt.Fprintln(stderr, "bilimsg serve:", err)
		return cfg, 2
	}
	if cfg.Rules.BurstLimit < 0 || cfg.Rules.DailyLimit < 0 || cfg.Rules.BurstWindow < 0 || cfg.Rules.RecvReplyPeriod < 0 {
		fmt.Fprintln(stderr, "bilimsg serve: limits must not be negative")
		return cfg, 2
	}
	return cfg, -1
}
