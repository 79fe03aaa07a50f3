package client

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// DemoLogin reads a demo user's credentials from the demo-logins.json that
// `bilimsg serve --demo` writes into its data directory (dataDir), so that a program
// can log in to a demo server without copying cookies by hand. mid 0 picks the first
// demo user (the demo UP主).
func DemoLogin(dataDir string, mid uint64) (Credentials, error) {
	path := filepath.Join(dataDir, "demo-logins.json")
	b, err := os.ReadFile(path)
	if err != nil {
		return Credentials{}, fmt.Errorf("demo logins: %w (start the server with `bilimsg serve --demo` first)", err)
	}
	var logins []struct {
		Mid     uint64 `json:"mid"`
		Cookies struct {
			SESSDATA   string `json:"SESSDATA"`
			BiliJct    string `json:"bili_jct"`
			DedeUserID string `json:"DedeUserID"`
		} `json:"cookies"`
	}
	if err := json.Unmarshal(b, &logins); err != nil {
		return Credentials{}, fmt.Errorf("demo logins: %s: %v", path, err)
	}
	for _, l := range logins {
		if mid == 0 || l.Mid == mid {
			if strconv.FormatUint(l.Mid, 10) != l.Cookies.DedeUserID || l.Cookies.SESSDATA == "" {
				return Credentials{}, fmt.Errorf("demo logins: %s: malformed entry for mid %d", path, l.Mid)
			}
			return Credentials{SESSDATA: l.Cookies.SESSDATA, BiliJct: l.Cookies.BiliJct, Mid: l.Mid}, nil
		}
	}
	return Credentials{}, fmt.Errorf("demo logins: %s has no mid %d", path, mid)
}
