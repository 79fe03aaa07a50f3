package client_test

// Tests of the client's errors: the sentinels against the server's real refusals
// (errors.Is), errors.As to *client.Error, IsCode, and the local refusals.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/client"
	"github.com/bilimsg/bilimsg/internal/im"
	"github.com/bilimsg/bilimsg/internal/testkit"
)

// sdkWantErr checks that err is bilibili's refusal sentinel from endpoint, with the
// sentinel's message, and not any other sentinel.
func sdkWantErr(t *testing.T, what string, err error, sentinel *client.Error, endpoint string) {
	t.Helper()
	if !errors.Is(err, sentinel) {
		t.Errorf("%s: %v, want %d %s", what, err, sentinel.Code, sentinel.Message)
		return
	}
	var e *client.Error
	if !errors.As(err, &e) {
		t.Fatalf("%s: errors.Is holds but errors.As fails: %v", what, err)
	}
	if e.Code != sentinel.Code || e.Message != sentinel.Message || e.Endpoint != endpoint || e.HTTPStatus != 200 {
		t.Errorf("%s: %+v, want code %d message %q endpoint %s status 200", what, *e, sentinel.Code, sentinel.Message, endpoint)
	}
	if !client.IsCode(err, sentinel.Code) || client.IsCode(err, sentinel.Code+1) {
		t.Errorf("%s: IsCode disagrees", what)
	}
	want := fmt.Sprintf("bilibili: %s: %d %s", endpoint, sentinel.Code, sentinel.Message)
	if err.Error() != want {
		t.Errorf("%s: Error() = %q, want %q", what, err.Error(), want)
	}
	for _, other := range sdkSentinels {
		if other != sentinel && errors.Is(err, other) {
			t.Errorf("%s: also matches %d", what, other.Code)
		}
	}
}

var sdkSentinels = []*client.Error{client.ErrNotLoggedIn, client.ErrCSRF, client.ErrBadRequest, client.ErrRequestBlocked,
	client.ErrInvalidParam, client.ErrMsgKeyNotFound, client.ErrTooLong, client.ErrRateLimited, client.ErrToSelf,
	client.ErrRecallExpired, client.ErrAlreadyRecalled, client.ErrDailyLimit, client.ErrOneMessage, client.ErrPrivacy,
	client.ErrIBlocked, client.ErrGroupDissolved, client.ErrNotGroupMember, client.ErrNoSession}

func TestSentinelsAreDistinct(t *testing.T) {
	t.Parallel()
	codes := map[int]bool{}
	for _, s := range sdkSentinels {
		if codes[s.Code] || s.Code == 0 || s.Message == "" {
			t.Errorf("sentinel %+v: duplicate, zero or without a message", *s)
		}
		codes[s.Code] = true
		if !errors.Is(s, s) || !errors.Is(fmt.Errorf("wrapped twice: %w", fmt.Errorf("once: %w", s)), s) {
			t.Errorf("errors.Is(%d) does not see through wrapping", s.Code)
		}
	}
	// Is compares codes only, and only with *Error.
	e := &client.Error{Code: client.CodeOneMessage, Message: "another text", Endpoint: "x"}
	if !errors.Is(e, client.ErrOneMessage) || errors.Is(e, client.ErrToSelf) || errors.Is(e, errors.New("对方主动回复或关注你前，最多发送1条消息~")) {
		t.Errorf("Is by code only")
	}
	if client.IsCode(nil, 0) || client.IsCode(errors.New("x"), 0) || !client.IsCode(fmt.Errorf("w: %w", e), client.CodeOneMessage) {
		t.Errorf("IsCode")
	}
	if got := (&client.Error{Code: -1, Message: "m"}).Error(); got != "bilibili: -1 m" {
		t.Errorf("Error() without endpoint: %q", got)
	}
}

func TestErrNotLoggedIn(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	out := s.Client(testkit.User{})
	ctx := t.Context()
	_, err := out.SingleUnread(ctx, client.UnreadOptions{})
	sdkWantErr(t, "logged out single_unread", err, client.ErrNotLoggedIn, "single_unread")
	_, err = out.FeedUnreadLegacy(ctx)
	sdkWantErr(t, "logged out msgfeed unread", err, client.ErrNotLoggedIn, "unread")
	// A bogus login too, also on a POST.
	bogus := s.Client(testkit.User{}, client.WithCredentials(client.Credentials{SESSDATA: "nope", BiliJct: "nope", Mid: 5}))
	_, err = bogus.Preferences(ctx)
	sdkWantErr(t, "bogus SESSDATA", err, client.ErrNotLoggedIn, "get")
	err = bogus.Ack(ctx, client.User(1), 0)
	sdkWantErr(t, "bogus SESSDATA POST", err, client.ErrNotLoggedIn, "update_ack")
}

func TestErrCSRF(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	u := s.NewUser(0, "u")
	wrong := s.Client(testkit.User{}, client.WithCredentials(client.Credentials{SESSDATA: u.SESSDATA, BiliJct: "wrong", Mid: u.Mid}))
	err := wrong.AddBlockWord(t.Context(), "x")
	if !errors.Is(err, client.ErrCSRF) {
		t.Errorf("wrong bili_jct: %v, want -111", err)
	}
	// Without bili_jct the client refuses by itself and sends nothing.
	cnt := &sdkCounter{next: s.HTTP.Client().Transport}
	c2 := sdkMust(client.New(client.WithBaseURL(s.URL), client.WithHTTPClient(&http.Client{Transport: cnt}),
		client.WithCredentials(client.Credentials{SESSDATA: u.SESSDATA, Mid: u.Mid})))(t)
	for name, call := range map[string]func() error{
		"Ack":             func() error { return c2.Ack(t.Context(), client.User(1), 0) },
		"SetPreferences":  func() error { return c2.SetPreferences(t.Context(), client.PreferenceUpdate{SetLike: sdkPtr(0)}) },
		"ClearDustbin":    func() error { return c2.ClearDustbin(t.Context()) },
		"SendText":        func() error { _, err := c2.SendText(t.Context(), client.User(1), "x"); return err },
		"DeleteReplyText": func() error { return c2.DeleteReplyText(t.Context(), 1) },
	} {
		err := call()
		var e *client.Error
		if !errors.As(err, &e) || e.Code != -111 || e.Endpoint == "" || !strings.Contains(e.Message, "bili_jct") || e.HTTPStatus != 0 {
			t.Errorf("%s without bili_jct: %v", name, err)
		}
	}
	if cnt.n.Load() != 0 {
		t.Errorf("%d requests were sent without bili_jct", cnt.n.Load())
	}
	// GETs work without it.
	sdkMust(c2.SingleUnread(t.Context(), client.UnreadOptions{}))(t)
}

func TestSendErrors(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	a, b, c := s.NewUser(0, "a"), s.NewUser(0, "b"), s.NewUser(0, "c")
	ca := s.Client(a)
	ctx := t.Context()

	_, err := ca.SendText(ctx, client.User(a.Mid), "me")
	sdkWantErr(t, "to myself", err, client.ErrToSelf, "send_msg")

	sdkText(t, ca, client.User(b.Mid), "first")
	_, err = ca.SendText(ctx, client.User(b.Mid), "second")
	sdkWantErr(t, "second before an answer", err, client.ErrOneMessage, "send_msg")

	_, err = ca.SendText(ctx, client.User(b.Mid), "")
	sdkWantErr(t, "empty text", err, client.ErrBadRequest, "send_msg")

	_, err = ca.SendText(ctx, client.User(c.Mid), strings.Repeat("长", 700)) // 2100 bytes
	sdkWantErr(t, "too long", err, client.ErrTooLong, "send_msg")

	_, err = ca.Send(ctx, client.Outgoing{To: client.User(c.Mid), MsgType: client.MsgShare, Content: `{}`})
	if !client.IsCode(err, client.CodeTypeUnsupported) {
		t.Errorf("msg_type 7: %v, want 21035", err)
	}
	_, err = ca.Recall(ctx, client.User(b.Mid), 12345)
	sdkWantErr(t, "unknown msg_key", err, client.ErrMsgKeyNotFound, "send_msg")

	s.Block(a.Mid, c.Mid, true)
	_, err = ca.SendText(ctx, client.User(c.Mid), "blocked")
	sdkWantErr(t, "to someone I block", err, client.ErrIBlocked, "send_msg")
	s.Block(b.Mid, a.Mid, true)
	_, err = s.Client(b).SendText(ctx, client.User(a.Mid), "hi")
	sdkWantErr(t, "to someone I block (b)", err, client.ErrIBlocked, "send_msg")
	_, err = ca.SendText(ctx, client.User(b.Mid), "hi")
	sdkWantErr(t, "to someone who blocks me", err, client.ErrPrivacy, "send_msg")
	// A system account takes no messages: 25003.
	_, err = ca.SendText(ctx, client.User(844424930131966), "hello UP主小助手")
	sdkWantErr(t, "to a system account", err, client.ErrPrivacy, "send_msg")
}

func TestRecallErrors(t *testing.T) {
	t.Parallel()
	ch := sdkNewChat(t, testkit.Options{})
	ctx := t.Context()
	key := sdkText(t, ch.ca, client.User(ch.b.Mid), "recall me twice")
	sdkMust(ch.ca.Recall(ctx, client.User(ch.b.Mid), key))(t)
	_, err := ch.ca.Recall(ctx, client.User(ch.b.Mid), key)
	sdkWantErr(t, "recalled twice", err, client.ErrAlreadyRecalled, "send_msg")

	old := sdkText(t, ch.ca, client.User(ch.b.Mid), "too late to recall")
	ch.s.Advance(121 * time.Second)
	_, err = ch.ca.Recall(ctx, client.User(ch.b.Mid), old)
	sdkWantErr(t, "recall after 121 s", err, client.ErrRecallExpired, "send_msg")
	// Someone else's message: not found for me.
	theirs := sdkText(t, ch.cb, client.User(ch.a.Mid), "bob's")
	_, err = ch.ca.Recall(ctx, client.User(ch.b.Mid), theirs)
	if err == nil {
		t.Errorf("recalling someone else's message succeeded")
	}
}

func TestGroupErrors(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	owner, member, outsider := s.NewUser(0, "owner"), s.NewUser(0, "member"), s.NewUser(0, "outsider")
	gid := s.NewGroup(owner.Mid, "g")
	s.Join(gid, member.Mid)
	ctx := t.Context()
	co := s.Client(outsider)
	_, err := co.SendText(ctx, client.Group(gid), "let me in")
	sdkWantErr(t, "send to a group I am not in", err, client.ErrNotGroupMember, "send_msg")
	_, err = co.Messages(ctx, client.Group(gid), client.HistoryOptions{})
	sdkWantErr(t, "history of a group I am not in", err, client.ErrNotGroupMember, "fetch_session_msgs")
	_, err = co.SessionDetail(ctx, client.Group(gid))
	sdkWantErr(t, "detail of a group I am not in", err, client.ErrNoSession, "session_detail")

	op := s.Operator()
	sdkMust(op.SetGroupState(ctx, gid, "freeze"))(t)
	cm := s.Client(member)
	_, err = cm.SendText(ctx, client.Group(gid), "frozen?")
	if !client.IsCode(err, client.CodeGroupUnavailable) {
		t.Errorf("send to a frozen group: %v, want 21028", err)
	}
	sdkMust(op.SetGroupState(ctx, gid, "dissolve"))(t)
	_, err = cm.SendText(ctx, client.Group(gid), "anyone?")
	sdkWantErr(t, "send to a dissolved group", err, client.ErrGroupDissolved, "send_msg")
	_, err = cm.Messages(ctx, client.Group(gid), client.HistoryOptions{})
	sdkWantErr(t, "history of a dissolved group", err, client.ErrGroupDissolved, "fetch_session_msgs")
	var got []error
	for _, err := range cm.AllMessages(ctx, client.Group(gid), 0, 0) {
		got = append(got, err)
	}
	if len(got) != 1 || !errors.Is(got[0], client.ErrGroupDissolved) {
		t.Errorf("AllMessages of a dissolved group: %v", got)
	}
}

func TestErrNoSessionAndBadRequest(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	a, b := s.NewUser(0, "a"), s.NewUser(0, "b")
	c := s.Client(a)
	ctx := t.Context()
	d, err := c.SessionDetail(ctx, client.User(b.Mid))
	sdkWantErr(t, "never chatted", err, client.ErrNoSession, "session_detail")
	if d != nil {
		t.Errorf("SessionDetail returned %+v with the error", d)
	}
	_, err = c.Sessions(ctx, client.SessionsOptions{Category: 42})
	sdkWantErr(t, "category 42", err, client.ErrInvalidParam, "get_sessions")
	_, err = c.Messages(ctx, client.Talker{ID: b.Mid, Type: 3}, client.HistoryOptions{})
	if err == nil {
		t.Errorf("history of session_type 3: no error")
	}
	_, err = c.Messages(ctx, client.User(b.Mid), client.HistoryOptions{Size: -1})
	sdkWantErr(t, "history size -1", err, client.ErrInvalidParam, "fetch_session_msgs")
	err = c.SetPushSetting(ctx, b.Mid, 7)
	if !errors.Is(err, client.ErrInvalidParam) && !errors.Is(err, client.ErrBadRequest) {
		t.Errorf("push setting 7: %v", err)
	}
}

func TestErrRateLimited(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{Rules: im.Config{BurstLimit: 1, BurstWindow: time.Minute}})
	a, b := s.NewUser(0, "a"), s.NewUser(0, "b")
	s.Follow(b.Mid, a.Mid, true)
	ca := s.Client(a)
	ctx := t.Context()
	sdkText(t, ca, client.User(b.Mid), "one")
	_, err := ca.SendText(ctx, client.User(b.Mid), "two")
	sdkWantErr(t, "second send within the burst window", err, client.ErrRateLimited, "send_msg")
	// With retries the client waits RateLimitWait and tries again: still refused while
	// the server's clock stands still, sent once it moves on.
	var waits []time.Duration
	retrying := s.Client(a, client.WithRetry(client.RetryPolicy{Attempts: 3, RateLimitWait: 6 * time.Second,
		Sleep: func(ctx context.Context, d time.Duration) error {
			waits = append(waits, d)
			if len(waits) == 2 {
				s.Advance(time.Minute)
			}
			return nil
		}}))
	res, err := retrying.SendText(ctx, client.User(b.Mid), "three")
	if err != nil || res.MsgKey == 0 || len(waits) != 2 || waits[0] != 6*time.Second || waits[1] != 6*time.Second {
		t.Errorf("send with retries: %+v, %v, waits %v; want sent after two waits of 6 s", res, err, waits)
	}
	h := sdkMust(s.Client(b).Messages(ctx, client.User(a.Mid), client.HistoryOptions{}))(t)
	if len(h.Messages) != 2 {
		t.Errorf("b got %d messages, want 2 (one and three)", len(h.Messages))
	}
}

func TestErrDailyLimit(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{Rules: im.Config{DailyLimit: 1}})
	a, b := s.NewUser(0, "a"), s.NewUser(0, "b")
	s.Follow(b.Mid, a.Mid, true)
	ca := s.Client(a)
	sdkText(t, ca, client.User(b.Mid), "one")
	_, err := ca.SendText(t.Context(), client.User(b.Mid), "two")
	sdkWantErr(t, "second send of the day", err, client.ErrDailyLimit, "send_msg")
}

func TestSettingsErrors(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	c := s.Client(s.NewUser(0, "u"))
	ctx := t.Context()
	err := c.SetPreferences(ctx, client.PreferenceUpdate{MsgNotify: sdkPtr(2)})
	sdkWantErr(t, "msg_notify 2", err, client.ErrInvalidParam, "set")
	var e *client.Error
	err = c.SetPreferences(ctx, client.PreferenceUpdate{KeysReply: sdkPtr(1)})
	if !errors.As(err, &e) || e.Code != client.CodeNoPermission || e.Message != "权限不足" || e.Endpoint != "set" {
		t.Errorf("keys_reply below 1000 fans: %v", err)
	}
	err = c.AddBlockWord(ctx, "two words")
	if !errors.As(err, &e) || e.Code != 1900007 || e.Message != "添加失败，屏蔽词不支持空格" || e.Endpoint != "add_block_word" {
		t.Errorf("block word with a space: %v", err)
	}
}
