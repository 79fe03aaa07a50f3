package cli

import (
	"bytes"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestServeDefaults(t *testing.T) {
	cfg, code := parseServe(nil, &bytes.Buffer{}, env(nil))
	if code != -1 {
		t.Fatalf("code = %d, want -1 (run)", code)
	}
	if cfg.Addr != "127.0.0.1:8080" || cfg.DataDir != "./bilimsg-data" || cfg.Demo || cfg.FakeClock || cfg.AdminToken != "" {
		t.Fatalf("defaults = %+v", cfg)
	}
	if cfg.Rules.BurstLimit != 10 || cfg.Rules.BurstWindow != 5*time.Second || cfg.Rules.DailyLimit != 2000 ||
		cfg.Rules.RecvReplyPeriod != 24*time.Hour {
		t.Fatalf("default rules = %+v", cfg.Rules)
	}
}

func TestServeEnvAndFlagPrecedence(t *testing.T) {
	e := env(map[string]string{
		"BILIMSG_ADDR":              "127.0.0.1:9999",
		"BILIMSG_DATA":              "/tmp/from-env",
		"BILIMSG_ADMIN_TOKEN":       "tok",
		"BILIMSG_DEMO":              "true",
		"BILIMSG_FAKE_CLOCK":        "1",
		"BILIMSG_SEND_DAILY":        "7",
		"BILIMSG_RECV_REPLY_PERIOD": "90m",
	})
	cfg, code := parseServe([]string{"--addr", "127.0.0.1:7000"}, &bytes.Buffer{}, e)
	if code != -1 {
		t.Fatalf("code = %d", code)
	}
	if cfg.Addr != "127.0.0.1:7000" {
		t.Errorf("flag must win over env: addr = %q", cfg.Addr)
	}
	if cfg.DataDir != "/tmp/from-env" || cfg.AdminToken != "tok" || !cfg.Demo || !cfg.FakeClock || cfg.Rules.DailyLimit != 7 ||
		cfg.Rules.RecvReplyPeriod != 90*time.Minute {
		t.Errorf("env not applied: %+v", cfg)
	}
}

func TestServeRejectsBadInput(t *testing.T) {
	for name, tc := range map[string]struct {
		args []string
		env  map[string]string
	}{
		"bad env bool":    {env: map[string]string{"BILIMSG_DEMO": "maybe"}},
		"unknown flag":    {args: []string{"--nope"}},
		"stray argument":  {args: []string{"extra"}},
		"negative limit":  {args: []string{"--send-burst", "-1"}},
		"negative period": {args: []string{"--recv-reply-period", "-1s"}},
	} {
		var stderr bytes.Buffer
		if _, code := parseServe(tc.args, &stderr, env(tc.env)); code != 2 {
			t.Errorf("%s: code = %d, want 2", name, code)
		}
		if stderr.Len() == 0 {
			t.Errorf("%s: nothing said on stderr", name)
		}
	}
}

func TestMainUnknownCommand(t *testing.T) {
	var out, errb bytes.Buffer
	if code := Main([]string{"frobnicate"}, &out, &errb); code != 2 {
		t.Fatalf("code = %d, want 2", code)
	}
	if code := Main([]string{"help"}, &out, &errb); code != 0 || !bytes.Contains(out.Bytes(), []byte("serve")) {
		t.Fatalf("help: code %d, output %q", code, out.String())
	}
}
