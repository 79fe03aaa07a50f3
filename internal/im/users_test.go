package im_test

import (
	"context"
	"math"
	"slices"
	"testing"
)

// TestUserInfos: the users in the order asked for, each once, unknown mids skipped, no
// password hashes; nothing known is an empty, non-nil list.
func TestUserInfos(t *testing.T) {
	svc, _ := loginService(t) // users 10–14; 10, 11, 12 and 14 have passwords
	ctx := context.Background()
	us, err := svc.UserInfos(ctx, []uint64{14, 99, 10, 14, 0, math.MaxUint64, 1 << 63, 13, 10})
	if err != nil {
		t.Fatal(err)
	}
	var mids []uint64
	for _, u := range us {
		mids = append(mids, u.Mid)
		if u.PasswordHash != "" {
			t.Errorf("user %d: the password hash is returned", u.Mid)
		}
	}
	if !slices.Equal(mids, []uint64{14, 10, 13}) {
		t.Errorf("mids %v, want [14 10 13]", mids)
	}
	if us[0].Name != "10" || us[1].Name != "小明" || us[2].Face == "" {
		t.Errorf("users %+v", us)
	}
	for _, in := range [][]uint64{nil, {}, {99, 100}, {math.MaxUint64}} {
		us, err := svc.UserInfos(ctx, in)
		if err != nil || us == nil || len(us) != 0 {
			t.Errorf("UserInfos(%v) = %#v, %v; want an empty, non-nil list", in, us, err)
		}
	}
}
