package client_test

// End-to-end tests of UserInfos (x/im/user_infos) against an in-process bilimsg.

import (
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/bilimsg/bilimsg/client"
	"github.com/bilimsg/bilimsg/internal/testkit"
)

func TestUserInfos(t *testing.T) {
	t.Parallel()
	s := testkit.Start(t, testkit.Options{})
	me, a, b := s.NewUser(0, "me"), s.NewUser(0, "甲"), s.NewUser(0, "乙")
	c, cnt := sdkCounted(t, s, me)
	ctx := t.Context()

	// The known users in the order asked for, each once; an unknown mid is left out.
	got := sdkMust(c.UserInfos(ctx, b.Mid, 424242, a.Mid, b.Mid))(t)
	var mids []uint64
	for _, u := range got {
		mids = append(mids, u.Mid)
	}
	if !slices.Equal(mids, []uint64{b.Mid, a.Mid}) {
		t.Fatalf("mids %v, want [%d %d]", mids, b.Mid, a.Mid)
	}
	// bilimsg's fixed values (docs/choices.md): no 大会员, no verification.
	u := got[0]
	if u.Name != "乙" || u.Face != "https://i0.hdslb.com/bfs/face/member/noface.jpg" || u.Sex != "保密" || u.Sign != "" ||
		u.Rank != 10000 || u.Level != 0 || u.Silence != 0 || u.IsFakeAccount != 0 ||
		u.Official != (client.UserOfficial{Type: -1}) || u.Vip.Type != 0 || u.Vip.Status != 0 ||
		u.Vip.Label != (client.UserVipLabel{UseImgLabel: true}) || u.Vip.AvatarIcon.IconType != 0 ||
		string(u.Vip.AvatarIcon.IconResource) != "{}" || u.ExpertInfo != (client.UserExpertInfo{}) {
		t.Errorf("user %+v", u)
	}
	// The request: one GET, uids comma-separated as given.
	if n := cnt.count("/x/im/user_infos"); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}

	// Nothing known: an empty list, not an error.
	if got := sdkMust(c.UserInfos(ctx, 424242))(t); len(got) != 0 {
		t.Errorf("unknown mid: %+v", got)
	}
	// No mids: no request at all.
	if got, err := c.UserInfos(ctx); got != nil || err != nil || cnt.count("/x/im/user_infos") != 2 {
		t.Errorf("no mids: %v, %v after %d requests", got, err, cnt.count("/x/im/user_infos"))
	}
	// Refusals are bilibili's: mid 0 and more than 200 mids are -400.
	many := make([]uint64, 201)
	for i := range many {
		many[i] = uint64(i + 1)
	}
	for _, in := range [][]uint64{{0}, many} {
		_, err := c.UserInfos(ctx, in...)
		var e *client.Error
		if !errors.As(err, &e) || e.Code != -400 || e.Endpoint != "user_infos" {
			t.Errorf("UserInfos(%d mids): %v, want -400", len(in), err)
		}
	}
}

func TestUserInfosRequestShape(t *testing.T) {
	t.Parallel()
	c, rt := sdkCannedClient(t, 200, `{"code":0,"msg":"0","message":"0","ttl":1,"data":[]}`)
	got := sdkMust(c.UserInfos(t.Context(), 2, 18446744073709551615, 2))(t)
	if got == nil || len(got) != 0 {
		t.Errorf("data [] → %#v, want an empty list", got)
	}
	r := rt.last
	q, _ := url.ParseQuery(r.URL.RawQuery)
	if r.Method != "GET" || !strings.HasSuffix(r.URL.Path, "/x/im/user_infos") || q.Get("uids") != "2,18446744073709551615,2" ||
		q.Has("csrf") {
		t.Errorf("%s %s?%s", r.Method, r.URL.Path, r.URL.RawQuery)
	}
}
