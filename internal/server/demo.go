package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/bilimsg/bilimsg/internal/im"
)

// The demo world uses the mids of the seed documents' examples, so their curl commands
// work once SESSDATA and csrf are filled in.
var demoUsers = []im.NewUser{
	{Mid: 293793435, Name: "bilimsg演示UP主", Fans: 1200},
	{Mid: 1, Name: "bishi", Fans: 3000},
	{Mid: 2239814, Name: "演示粉丝", Fans: 12},
	{Mid: 123, Name: "路人甲", Fans: 0},
}

type demoLogin struct {
	Mid  uint64         `json:"mid"`
	Name string         `json:"name"`
	Cred im.Credentials `json:"cookies"`
}

// seedDemo creates the demo users, follows and a little history once, and prints every
// demo user's cookies on every start.
func seedDemo(ctx context.Context, app *App, cfg Config) error {
	path := filepath.Join(cfg.DataDir, "demo-logins.json")
	var logins []demoLogin
	if b, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(b, &logins); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	} else {
		if logins, err = createDemo(ctx, app.Service); err != nil {
			return err
		}
		b, _ := json.MarshalIndent(logins, "", "  ")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			return err
		}
	}
	fmt.Fprintf(cfg.Out, "demo users (cookies also in %s):\n", path)
	for _, l := range logins {
		fmt.Fprintf(cfg.Out, "  mid %-10d %-16s -b 'SESSDATA=%s; bili_jct=%s; DedeUserID=%s'   csrf=%s\n",
			l.Mid, l.Name, l.Cred.SESSDATA, l.Cred.BiliJct, l.Cred.DedeUserID, l.Cred.BiliJct)
	}
	return nil
}

func createDemo(ctx context.Context, svc *im.Service) ([]demoLogin, error) {
	var logins []demoLogin
	for _, nu := range demoUsers {
		u, err := svc.CreateUser(ctx, nu)
		if errors.Is(err, im.ErrUserExists) {
			u, err = svc.GetUser(ctx, nu.Mid)
		}
		if err != nil {
			return nil, err
		}
		cred, err := svc.Login(ctx, u.Mid)
		if err != nil {
			return nil, err
		}
		logins = append(logins, demoLogin{Mid: u.Mid, Name: u.Name, Cred: cred})
	}
	// 293793435 and 1 follow each other (which sends the mutual-follow greeting);
	// 2239814 follows 293793435 as a fan.
	for _, f := range [][2]uint64{{293793435, 1}, {1, 293793435}, {2239814, 293793435}} {
		if err := svc.Follow(ctx, f[0], f[1], true); err != nil {
			return nil, err
		}
	}
	for _, m := range []struct {
		from, to uint64
		text     string
	}{
		{2239814, 293793435, "up主你好，\n催更[doge]"},
		{293793435, 2239814, "在做了在做了[tv_微笑]"},
		{1, 293793435, "你好呀[星星眼]"},
		{123, 293793435, "路过，关注一下～"},
	} {
		content, _ := json.Marshal(map[string]string{"content": m.text})
		if _, err := svc.Send(ctx, im.SendRequest{Sender: m.from, ReceiverType: 1, Receiver: m.to, MsgType: im.MsgText,
			Content: string(content), NewFaceVersion: 1}); err != nil {
			return nil, fmt.Errorf("demo message %d→%d: %w", m.from, m.to, err)
		}
	}
	return logins, nil
}
