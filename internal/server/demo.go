package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/bilimsg/bilimsg/internal/im"
	"github.com/bilimsg/bilimsg/internal/store"
)

// The demo world uses the mids of the seed documents' examples, so their curl commands
// work once SESSDATA and csrf are filled in. Every demo user has the password
// demoPassword, for the password login (bilimsg login --account, the web page).
var demoUsers = []im.NewUser{
	{Mid: 293793435, Name: "bilimsg演示UP主", Fans: 1200, Password: demoPassword},
	{Mid: 1, Name: "bishi", Fans: 3000, Password: demoPassword},
	{Mid: 2239814, Name: "演示粉丝", Fans: 12, Password: demoPassword},
	{Mid: 123, Name: "路人甲", Fans: 0, Password: demoPassword},
}

const demoPassword = "bilimsg"

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
	fmt.Fprintf(cfg.Out, "demo users' password (a demo's, known to all): %s\n", demoPassword)
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
	if err := demoAutoReplies(ctx, svc, 293793435); err != nil {
		return nil, err
	}
	// 293793435 and 1 follow each other (which sends the mutual-follow greeting);
	// 2239814 follows 293793435 as a fan. Each follow of 293793435 gets its followed
	// auto-reply and works card.
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
	if err := demoGroup(ctx, svc); err != nil {
		return nil, err
	}
	if err := demoNotifications(ctx, svc, 293793435); err != nil {
		return nil, err
	}
	return logins, nil
}

// demoNotifications fills the demo UP主's notification feeds — a reply, an @, two likes
// of the same comment (one aggregated item) and a system notification — and has
// UP主小助手 push them a notification card.
func demoNotifications(ctx context.Context, svc *im.Service, up uint64) error {
	video := im.Notice{Type: "video", BusinessID: 1, Business: "评论", Title: "【bilimsg】一条私信的旅程",
		URI: "https://www.bilibili.com/video/BV17x411w7KC", SubjectID: 170001}
	for _, n := range []struct {
		feed store.FeedKind
		n    im.Notice
	}{
		{store.FeedReply, im.Notice{Actor: 2239814, SourceID: 265141324256, Source: "做得好用心！@bishi 快来看"}},
		{store.FeedAt, im.Notice{Actor: 1, SourceID: 265141324257, Source: "@bilimsg演示UP主 这期讲得真清楚"}},
		{store.FeedLike, im.Notice{Actor: 2239814, ItemID: 265141324258, Type: "reply"}},
		{store.FeedLike, im.Notice{Actor: 123, ItemID: 265141324258, Type: "reply"}},
	} {
		notice := video
		notice.Actor, notice.SourceID, notice.Source, notice.ItemID = n.n.Actor, n.n.SourceID, n.n.Source, n.n.ItemID
		if n.n.Type != "" {
			notice.Type = n.n.Type
		}
		if n.feed == store.FeedReply {
			notice.AtMids = []uint64{1}
		}
		if _, err := svc.PostNotice(ctx, up, n.feed, notice); err != nil {
			return fmt.Errorf("demo notification: %w", err)
		}
	}
	if _, err := svc.PostSystem(ctx, up, im.SysNotice{Title: "欢迎使用 bilimsg",
		Content: "这是一条系统通知：你的私信、应援团和通知都在这里。", Link: "https://www.bilibili.com/"}); err != nil {
		return err
	}
	// UP主小助手 pushes a notification card, as in the catalog's get_sessions example.
	_, err := svc.PushMessage(ctx, up, im.Push{SystemType: 7, MsgType: 10, NotifyCode: "2091_253",
		Content: json.RawMessage(`{"title":"流量奖励到账通知","text":"你的稿件【bilimsg】一条私信的旅程获得了流量奖励，快去看看吧~",` +
			`"jump_text":"查看详情","jump_uri":"https://member.bilibili.com/","modules":null,"notifier":null,` +
			`"jump_uri_config":{"all_uri":"https://member.bilibili.com/","text":"查看详情"},` +
			`"jump_uri_2_config":{"text":""},"jump_uri_3_config":{"text":""},"biz_content":null}`)})
	return err
}

// demoGroupID is the fan-group id of bilibili's own examples (catalog §10, msg_type 305).
const demoGroupID = 221082140

// demoGroup opens the demo UP主's fan group with the other demo users in it and a few
// messages, one of which @-mentions 演示粉丝, so that group sessions, at_seqno and
// my_group_unread have something to show.
func demoGroup(ctx context.Context, svc *im.Service) error {
	if _, err := svc.CreateGroup(ctx, im.NewGroup{ID: demoGroupID, Owner: 293793435}); err != nil {
		return err
	}
	if _, err := svc.JoinGroup(ctx, demoGroupID, []uint64{1, 2239814, 123}); err != nil {
		return err
	}
	for _, m := range []struct {
		from uint64
		text string
	}{
		{2239814, "大家好~[星星眼]"},
		{293793435, "欢迎大家！@演示粉丝 周五记得来看新视频"},
		{1, "前排[doge]"},
	} {
		content, _ := json.Marshal(map[string]string{"content": m.text})
		if _, err := svc.Send(ctx, im.SendRequest{Sender: m.from, ReceiverType: 2, Receiver: demoGroupID,
			MsgType: im.MsgText, Content: string(content), NewFaceVersion: 1}); err != nil {
			return fmt.Errorf("demo group message from %d: %w", m.from, err)
		}
	}
	return nil
}

// demoAutoReplies gives the demo UP主 auto-replies and three works, so that following
// them, writing to them or writing "催更" shows bilibili's auto-replies at work.
func demoAutoReplies(ctx context.Context, svc *im.Service, up uint64) error {
	if err := svc.UpdateSettings(ctx, up, map[string]int{"followed_reply": 1, "keys_reply": 1, "recv_reply": 1,
		"voyage_reply": 1, "recommend_followed_reply": 1}); err != nil {
		return err
	}
	for _, r := range []im.ReplyText{
		{Type: im.ReplyFollowed, Reply: "感谢关注~ 每周五更新，记得来看[星星眼]"},
		{Type: im.ReplyReceived, Reply: "你好，消息已收到，UP主看到后会尽快回复~"},
		{Type: im.ReplyVoyage, Reply: "感谢上船！舰长群的入口在粉丝团里~"},
		{Type: im.ReplyKeyword, Title: "催更", Key1: "更新了吗", Key2: "催更，什么时候更新", Reply: "在做了在做了，每周五更新[doge]"},
	} {
		if err := svc.SetReplyText(ctx, up, r); err != nil {
			return err
		}
	}
	for i, w := range []store.Work{
		{Aid: 170001, Bvid: "BV17x411w7KC", Title: "【bilimsg】一条私信的旅程", Plays: 123456, Danmaku: 479, PubDate: 1717128000},
		{Aid: 170002, Bvid: "BV17x411w7KD", Title: "自动回复是怎么工作的", Plays: 20480, Danmaku: 88, PubDate: 1716523200},
		{Aid: 170003, Bvid: "BV17x411w7KE", Title: "屏蔽词与私信智能拦截", Plays: 9527, Danmaku: 12, PubDate: 1715918400},
	} {
		w.Owner = up
		w.Cover = fmt.Sprintf("https://i0.hdslb.com/bfs/archive/demo-cover-%d.jpg", i+1)
		if err := svc.PutWork(ctx, w); err != nil {
			return err
		}
	}
	return nil
}
