package operator_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/bilimsg/bilimsg/client"
	"github.com/bilimsg/bilimsg/client/operator"
	"github.com/bilimsg/bilimsg/internal/testkit"
)

// TestWorksGuardsGroupsPushes covers the operator calls beyond users and relations:
// works, the guard event, group edits and membership lists, and system pushes — each
// checked through the server's answers.
func TestWorksGuardsGroupsPushes(t *testing.T) {
	s := testkit.Start(t, testkit.Options{})
	op := s.Operator()
	ctx := context.Background()
	up, fan := s.NewUser(0, "up"), s.NewUser(0, "fan")

	w, err := op.PutWork(ctx, up.Mid, operator.Work{Aid: 170001, Title: "夏日祭", Bvid: "BV1xx411c7mD", PubDate: 1717243200, Plays: 9})
	if err != nil || w.Aid != 170001 || w.Title != "夏日祭" || w.PubDate != 1717243200 || w.Plays != 9 {
		t.Fatalf("PutWork = %+v, %v", w, err)
	}
	if ws, err := op.Works(ctx, up.Mid, 10); err != nil || len(ws) != 1 || ws[0].Bvid != "BV1xx411c7mD" {
		t.Fatalf("Works = %+v, %v", ws, err)
	}
	if err := op.DeleteWork(ctx, up.Mid, 170001); err != nil {
		t.Fatal(err)
	}
	if ws, err := op.Works(ctx, up.Mid, 0); err != nil || len(ws) != 0 {
		t.Fatalf("Works after delete = %+v, %v", ws, err)
	}
	if _, err := op.PutWork(ctx, up.Mid, operator.Work{Aid: 1}); !operator.IsStatus(err, 400) {
		t.Fatalf("a work without a title: err = %v, want 400", err)
	}

	// No 大航海 reply configured: the event is recorded, nothing is sent.
	if replied, err := op.Guard(ctx, up.Mid, fan.Mid); err != nil || replied {
		t.Fatalf("Guard = %v, %v; want false, nil", replied, err)
	}

	s.SetFans(up.Mid, 1000)
	g, err := op.CreateGroup(ctx, operator.NewGroup{Owner: up.Mid, Name: "旧名"})
	if err != nil {
		t.Fatal(err)
	}
	name := "新名"
	if g2, err := op.UpdateGroup(ctx, g.ID, &name, nil); err != nil || g2.Name != "新名" || g2.Cover != g.Cover {
		t.Fatalf("UpdateGroup = %+v, %v", g2, err)
	}
	others := []uint64{s.NewUser(0, "m1").Mid, s.NewUser(0, "m2").Mid, fan.Mid}
	if ms, err := op.JoinMany(ctx, g.ID, others); err != nil || len(ms) != 3 {
		t.Fatalf("JoinMany = %+v, %v", ms, err)
	}
	if _, err := op.JoinMany(ctx, g.ID, []uint64{999999999}); !operator.IsStatus(err, 404) {
		t.Fatalf("JoinMany with an unknown user: err = %v, want 404", err)
	}
	ms, err := op.Members(ctx, g.ID, 0, 2)
	if err != nil || len(ms) != 2 || ms[0].Mid >= ms[1].Mid {
		t.Fatalf("Members page 1 = %+v, %v", ms, err)
	}
	rest, err := op.Members(ctx, g.ID, ms[1].Mid, 0)
	if err != nil || len(rest) != 2 {
		t.Fatalf("Members page 2 = %+v, %v (the owner and 3 joined: 4 in all)", rest, err)
	}

	card := json.RawMessage(`{"title":"账号安全提醒","text":"你的账号在新设备登录","jump_text":"","jump_uri":""}`)
	p, err := op.Push(ctx, fan.Mid, operator.Push{SystemMsgType: 7, MsgType: 10, Content: card})
	if err != nil {
		t.Fatalf("Push: %v", err)
	}
	sd, err := s.Client(fan).SessionDetail(ctx, client.User(p.TalkerID))
	if err != nil || sd.SystemMsgType != 7 || sd.LastMsg == nil || sd.LastMsg.MsgKey != p.MsgKey || sd.MaxSeqno != p.MsgSeqno {
		t.Fatalf("the pushed card's session = %+v, %v (push %+v)", sd, err, p)
	}
	// The card is stored as sent: an & in a link stays an & (not \u0026).
	amp := json.RawMessage(`{"title":"a&b <c>","text":"t","jump_text":"","jump_uri":"https://www.bilibili.com/?a=1&b=2"}`)
	p2, err := op.Push(ctx, fan.Mid, operator.Push{SystemMsgType: 7, MsgType: 10, Content: amp})
	if err != nil {
		t.Fatal(err)
	}
	h, err := s.Client(fan).Messages(ctx, client.User(p2.TalkerID), client.HistoryOptions{Size: 1})
	if err != nil || len(h.Messages) != 1 || h.Messages[0].Content != string(amp) {
		t.Fatalf("the pushed card reads back as %q (%v), want %s", h.Messages[0].Content, err, amp)
	}
	if _, err := op.Push(ctx, fan.Mid, operator.Push{SystemMsgType: 7, MsgType: 10, Content: json.RawMessage(`{"title":1}`)}); !operator.IsStatus(err, 400) {
		t.Fatalf("a malformed card: err = %v, want 400", err)
	}
}
