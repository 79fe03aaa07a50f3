package client_test

// End-to-end tests of the settings calls (S1–S10): preferences, block words,
// auto-reply texts, system settings.

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/client"
	"github.com/bilimsg/bilimsg/internal/testkit"
)

func TestPreferencesDefaults(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	c := s.Client(s.NewUser(0, "u"))
	p := sdkMust(c.Preferences(t.Context()))(t)
	want := client.Preferences{ShowUnfollowedMsg: sdkPtr(0), MsgNotify: sdkPtr(1), ShouldReceiveGroup: 1, ReceiveUnfollowMsg: 1}
	if !reflect.DeepEqual(*p, want) {
		t.Errorf("default preferences %+v, want %+v", *p, want)
	}
}

// TestPreferenceNames: the names are S1's keys in S1's order (the fields of Preferences
// but anti_harassment, which cannot be set).
func TestPreferenceNames(t *testing.T) {
	t.Parallel()
	var fromType []string
	rt := reflect.TypeFor[client.Preferences]()
	for i := range rt.NumField() {
		name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
		if name != "anti_harassment" {
			fromType = append(fromType, name)
		}
	}
	names := client.PreferenceNames()
	if !slices.Equal(names, fromType) {
		t.Errorf("PreferenceNames() = %v\nPreferences' keys = %v", names, fromType)
	}
	if len(names) != 17 {
		t.Errorf("%d names, want 17", len(names))
	}
	var u client.PreferenceUpdate
	err := u.Set("anti_harassment", 1)
	if err == nil || !strings.Contains(err.Error(), "recv_reply") {
		t.Errorf("Set(anti_harassment) = %v, want an error listing the known names", err)
	}
	if err := u.Set("RECV_REPLY", 1); err == nil {
		t.Errorf("Set is case-sensitive; RECV_REPLY was accepted")
	}
	if u != (client.PreferenceUpdate{}) {
		t.Errorf("a refused Set changed the update: %+v", u)
	}
}

// TestSetPreferencesEveryName sets every setting by name to a value other than its
// default and reads them all back.
func TestSetPreferencesEveryName(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	me := s.NewUser(0, "up")
	s.SetFans(me.Mid, 1000) // auto-replies need 1000 fans
	c := s.Client(me)
	ctx := t.Context()
	values := map[string]int{
		"show_unfollowed_msg": 1, "msg_notify": 3, "set_like": 5, "set_comment": 2, "set_at": 1, "is_group_fold": 1,
		"should_receive_group": 0, "receive_unfollow_msg": 0, "followed_reply": 1, "keys_reply": 1, "recv_reply": 1,
		"voyage_reply": 1, "recommend_followed_reply": 1, "ai_intercept": 1, "set_recv_reply": 2, "set_recv_like": 2,
		"set_new_follow": 2,
	}
	var u client.PreferenceUpdate
	for _, name := range client.PreferenceNames() {
		v, ok := values[name]
		if !ok {
			t.Fatalf("no test value for %q", name)
		}
		sdkOK(t, u.Set(name, v))
	}
	sdkOK(t, c.SetPreferences(ctx, u))
	p := sdkMust(c.Preferences(ctx))(t)
	b, _ := json.Marshal(p)
	var got map[string]any
	_ = json.Unmarshal(b, &got)
	for name, v := range values {
		if got[name] != float64(v) {
			t.Errorf("%s = %v after setting %d", name, got[name], v)
		}
	}
	if p.AntiHarassment != nil {
		t.Errorf("anti_harassment %v, want null", p.AntiHarassment)
	}
}

func TestSetPreferencesPartialAndRefused(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	me := s.NewUser(0, "fan")
	c, cnt := sdkCounted(t, s, me)
	ctx := t.Context()

	// Only the given settings change.
	sdkOK(t, c.SetPreferences(ctx, client.PreferenceUpdate{SetLike: sdkPtr(5), MsgNotify: sdkPtr(3)}))
	p := sdkMust(c.Preferences(ctx))(t)
	if p.SetLike != 5 || *p.MsgNotify != 3 || p.SetComment != 0 || p.ShouldReceiveGroup != 1 {
		t.Errorf("after a partial update: %+v", *p)
	}
	// An empty update sends nothing.
	n := cnt.n.Load()
	sdkOK(t, c.SetPreferences(ctx, client.PreferenceUpdate{}))
	if cnt.n.Load() != n {
		t.Errorf("an empty update made a request")
	}
	// Out of range: 2, nothing stored.
	err := c.SetPreferences(ctx, client.PreferenceUpdate{SetComment: sdkPtr(1), SetLike: sdkPtr(3)})
	if !errors.Is(err, client.ErrInvalidParam) {
		t.Errorf("set_like 3: %v, want 2 非法参数", err)
	}
	// Auto-replies need 1000 fans: 700009, nothing stored.
	var u client.PreferenceUpdate
	sdkOK(t, u.Set("set_comment", 2))
	sdkOK(t, u.Set("recv_reply", 1))
	err = c.SetPreferences(ctx, u)
	if !client.IsCode(err, client.CodeNoPermission) {
		t.Errorf("recv_reply 1 below 1000 fans: %v, want 700009", err)
	}
	if p := sdkMust(c.Preferences(ctx))(t); p.SetComment != 0 || p.RecvReply != 0 || p.SetLike != 5 {
		t.Errorf("a refused update changed settings: %+v", *p)
	}
	s.SetFans(me.Mid, 1000)
	sdkOK(t, c.SetPreferences(ctx, u))
	if p := sdkMust(c.Preferences(ctx))(t); p.SetComment != 2 || p.RecvReply != 1 {
		t.Errorf("after the update with 1000 fans: %+v", *p)
	}
}

func TestBlockWords(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	c := s.Client(s.NewUser(0, "u"))
	ctx := t.Context()
	bw := sdkMust(c.BlockWords(ctx))(t)
	if len(bw.Words) != 0 || bw.MaxWordLength != 20 || bw.MaxWordsSize != 200 || bw.Message != "" {
		t.Errorf("no block words: %+v", *bw)
	}
	sdkOK(t, c.AddBlockWord(ctx, "广告"))
	s.Advance(3 * time.Second)
	sdkOK(t, c.AddBlockWord(ctx, "spam"))
	bw = sdkMust(c.BlockWords(ctx))(t)
	want := []client.BlockWord{{Content: "广告", Ctime: testkit.Epoch.Unix()}, {Content: "spam", Ctime: testkit.Epoch.Unix() + 3}}
	if !slices.Equal(bw.Words, want) {
		t.Errorf("block words %+v, want %+v", bw.Words, want)
	}
	for word, code := range map[string]int{"spam": 1900006, "has space": 1900007, strings.Repeat("字", 21): 1900004, "": -400} {
		if err := c.AddBlockWord(ctx, word); !client.IsCode(err, code) {
			t.Errorf("AddBlockWord(%q) = %v, want %d", word, err, code)
		}
	}
	sdkOK(t, c.DeleteBlockWord(ctx, "广告"))
	sdkOK(t, c.DeleteBlockWord(ctx, "never added"))
	bw = sdkMust(c.BlockWords(ctx))(t)
	if !slices.Equal(bw.Words, want[1:]) {
		t.Errorf("after deleting: %+v", bw.Words)
	}
}

func TestReplyTexts(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	me, other := s.NewUser(0, "up"), s.NewUser(0, "other")
	c := s.Client(me)
	ctx := t.Context()
	if texts := sdkMust(c.ReplyTexts(ctx))(t); len(texts) != 0 {
		t.Errorf("no texts yet: %+v", texts)
	}
	sdkOK(t, c.SetReplyText(ctx, client.ReplyText{Type: client.ReplyReceived, Reply: "谢谢留言"}))
	sdkOK(t, c.SetReplyText(ctx, client.ReplyText{Type: client.ReplyFollowed, Reply: "thanks for following",
		Title: "ignored", Key1: "ignored"}))
	sdkOK(t, c.SetReplyText(ctx, client.ReplyText{Type: client.ReplyKeyword, Title: "价格", Key1: "多少钱,价格", Key2: "价", Reply: "见简介"}))
	sdkOK(t, c.SetReplyText(ctx, client.ReplyText{Type: client.ReplyKeyword, Title: "合作", Key2: "合作", Reply: "请发邮件"}))

	all := sdkMust(c.ReplyTexts(ctx))(t)
	var types []int
	for _, r := range all {
		types = append(types, r.Type)
		if r.UID != me.Mid || r.ID == 0 {
			t.Errorf("text %+v: uid/id", r)
		}
	}
	if !slices.Equal(types, []int{1, 2, 2, 3}) {
		t.Fatalf("types %v, want [1 2 2 3] (type by type)", types)
	}
	followed, newer, older, received := all[0], all[1], all[2], all[3]
	if followed.Reply != "thanks for following" || followed.Title != "" || followed.Key1 != "" {
		t.Errorf("followed text %+v (title and keys are for keyword rules only)", followed)
	}
	if newer.Title != "合作" || newer.Key2 != "合作" || newer.Key1 != "" || older.Title != "价格" ||
		older.Key1 != "多少钱，价格" || older.Key2 != "价" || older.Reply != "见简介" || newer.ID <= older.ID {
		t.Errorf("keyword rules %+v, %+v (newest first, keys joined by ，)", newer, older)
	}
	if received.Reply != "谢谢留言" {
		t.Errorf("received text %+v", received)
	}
	kw := sdkMust(c.ReplyTexts(ctx, client.ReplyKeyword))(t)
	if len(kw) != 2 || kw[0] != newer || kw[1] != older {
		t.Errorf("ReplyTexts(keyword) = %+v", kw)
	}
	if two := sdkMust(c.ReplyTexts(ctx, client.ReplyReceived, client.ReplyVoyage, client.ReplyReceived))(t); len(two) != 1 || two[0] != received {
		t.Errorf("ReplyTexts(3, 5, 3) = %+v", two)
	}

	// Changing a rule by id; deleting it.
	older.Reply, older.Key1 = "看置顶", "价格"
	sdkOK(t, c.SetReplyText(ctx, older))
	kw = sdkMust(c.ReplyTexts(ctx, client.ReplyKeyword))(t)
	if len(kw) != 2 || kw[1].ID != older.ID || kw[1].Reply != "看置顶" || kw[1].Key1 != "价格" {
		t.Errorf("after changing rule %d: %+v", older.ID, kw)
	}
	if err := s.Client(other).DeleteReplyText(ctx, older.ID); !client.IsCode(err, 1003) {
		t.Errorf("deleting someone else's rule: %v, want 1003", err)
	}
	sdkOK(t, c.DeleteReplyText(ctx, older.ID))
	kw = sdkMust(c.ReplyTexts(ctx, client.ReplyKeyword))(t)
	if len(kw) != 1 || kw[0].ID != newer.ID {
		t.Errorf("after deleting rule %d: %+v", older.ID, kw)
	}
	// Refusals.
	if err := c.SetReplyText(ctx, client.ReplyText{Type: client.ReplyKeyword, Reply: "no title", Key1: "k"}); !client.IsCode(err, 27011) {
		t.Errorf("keyword rule without a title: %v, want 27011", err)
	}
	if err := c.SetReplyText(ctx, client.ReplyText{Type: client.ReplyReceived, Reply: strings.Repeat("长", 501)}); !client.IsCode(err, 1500001) {
		t.Errorf("reply of 501 characters: %v, want 1500001", err)
	}
	if _, err := c.ReplyTexts(ctx, 4); !errors.Is(err, client.ErrInvalidParam) {
		t.Errorf("ReplyTexts(4): %v, want 2", err)
	}
}

func TestSysSettingAndCreateGroupIcon(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	me := s.NewUser(0, "u")
	c := s.Client(me)
	ctx := t.Context()
	ss := sdkMust(c.SysSetting(ctx))(t)
	if ss.IsAutoReplyAvailable != 0 || ss.IsCreateGroupAvailable != 0 || ss.IsVoyage != 0 || ss.IsReceiveUnfollowWl != 1 ||
		ss.AutoReplyMsgDesc != "此条消息为自动回复" || ss.VcHintTitle != "我为什么会收到此类消息" || !ss.IsArchiveGray ||
		ss.AutoReplyHTML != "https://message.bilibili.com/h5/app/auto-reply" {
		t.Errorf("sys setting of a small account: %+v", *ss)
	}
	if ss.GameMsg == nil || len(ss.GameMsg) != 0 {
		t.Errorf("game_msg with mobi_app=web: %v, want {}", ss.GameMsg)
	}
	if cfg, ok := ss.SessionCfg["1400565964"]; !ok || !cfg.IsGptAccount || !cfg.HiddenPicBtn || cfg.HintText == "" || len(ss.SessionCfg) != 3 {
		t.Errorf("session_cfg %+v", ss.SessionCfg)
	}
	if show := sdkMust(c.ShowCreateGroupIcon(ctx))(t); show {
		t.Errorf("show_create_group_icon with 0 fans: true")
	}
	s.SetFans(me.Mid, 1000)
	ss = sdkMust(c.SysSetting(ctx))(t)
	if ss.IsAutoReplyAvailable != 1 || ss.IsCreateGroupAvailable != 1 || ss.IsVoyage != 1 || ss.IsAutoReplyRecommendAvailable != 1 {
		t.Errorf("sys setting with 1000 fans: %+v", *ss)
	}
	if show := sdkMust(c.ShowCreateGroupIcon(ctx))(t); !show {
		t.Errorf("show_create_group_icon with 1000 fans: false")
	}
}
