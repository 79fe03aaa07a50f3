package wire_test

// x/im/user_infos beyond its golden files and error codes (errors_test.go): the order of
// the answer, duplicates, the 200-mid limit, exact 64-bit mids, ids that are not users,
// and users as they are now (docs/choices.md "User infos").

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/bilimsg/bilimsg/internal/testkit"
)

// uiMids is n distinct mids, 1001 upwards, comma-separated.
func uiMids(n int) string {
	ms := make([]string, n)
	for i := range ms {
		ms[i] = strconv.Itoa(1001 + i)
	}
	return strings.Join(ms, ",")
}

// uiGet asks for uids as u and returns the mids of the answer, in its order.
func uiGet(t *testing.T, s *testkit.Server, u testkit.User, uids string) []string {
	t.Helper()
	r := s.Get(u, uiPath, q("uids", uids))
	mustCode(t, r, 0)
	root := mustParse(t, r.Body)
	uiShape(t, root.get("data"))
	var mids []string
	for _, x := range root.get("data").arr {
		mids = append(mids, string(x.get("mid").num))
	}
	return mids
}

func TestUserInfosOrderAndDuplicates(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for _, c := range []struct {
		uids string
		want []string
	}{
		{"1004,1002,1004,1001,1002,999", []string{"1004", "1002", "1001"}},
		{"1001,1002,1003,1004", []string{"1001", "1002", "1003", "1004"}},
		{"1004,1003,1002,1001", []string{"1004", "1003", "1002", "1001"}},
		{"1002", []string{"1002"}}, // myself
		{"1003,1003,1003", []string{"1003"}},
		{"01001", []string{"1001"}}, // leading zeros: still a decimal mid
		{"999,998", nil},
	} {
		if got := uiGet(t, w.s, w.bob, c.uids); !slices.Equal(got, c.want) {
			t.Errorf("uids=%s: mids %v, want %v", c.uids, got, c.want)
		}
	}
}

// TestUserInfosLimit: 200 mids are answered, 201 refused with -400 — duplicates count,
// since the limit is on the request.
func TestUserInfosLimit(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	if got := uiGet(t, w.s, w.bob, uiMids(200)); !slices.Equal(got, []string{"1001", "1002", "1003", "1004"}) {
		t.Errorf("200 mids: %v", got)
	}
	if got := uiGet(t, w.s, w.bob, strings.Repeat("1003,", 199)+"1003"); !slices.Equal(got, []string{"1003"}) {
		t.Errorf("1003 200 times: %v", got)
	}
	for _, uids := range []string{uiMids(201), strings.Repeat("1003,", 200) + "1003"} {
		wantEnvelope(t, w.s.Get(w.bob, uiPath, q("uids", uids)), true, -400, dataNull)
	}
	// A huge list is refused without being read.
	r := w.s.Get(w.bob, uiPath, q("uids", strings.Repeat("x,", 20000)))
	wantEnvelope(t, r, true, -400, dataNull)
}

// TestUserInfosExactMids: mids are exact JSON integers, up to the largest a user can have
// (2^63-1); larger ones, and the system accounts, which are not users, are unknown.
func TestUserInfosExactMids(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	const big = 9223372036854775807
	w.s.NewUser(big, "最大")
	r := w.s.Get(w.bob, uiPath, q("uids", "9223372036854775807,1001"))
	mustCode(t, r, 0)
	if !strings.Contains(string(r.Body), `"mid":9223372036854775807,`) {
		t.Errorf("mid 2^63-1 must be written exactly: %s", r.Body)
	}
	if got := uiGet(t, w.s, w.bob, "9223372036854775807,1001"); !slices.Equal(got, []string{"9223372036854775807", "1001"}) {
		t.Errorf("mids %v", got)
	}
	for _, uids := range []string{"18446744073709551615", "9223372036854775808", fmt.Sprint(uint64(syUp)),
		fmt.Sprint(uint64(syService))} {
		if got := uiGet(t, w.s, w.bob, uids); len(got) != 0 {
			t.Errorf("uids=%s: %v, want none", uids, got)
		}
	}
}

// TestUserInfosAsTheyAreNow: a renamed user, a new face, a face removed (bilibili's
// noface); HEAD is served like GET.
func TestUserInfosAsTheyAreNow(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	face := "https://i0.hdslb.com/bfs/face/875eb66bb952f16afa9634081a820dea8e3fac96.jpg"
	if st := w.s.Admin("PATCH", "/admin/v1/users/1001", map[string]any{"name": "爱丽丝", "face": face}, nil); st != 200 {
		t.Fatalf("patch: %d", st)
	}
	check := func(wantName, wantFace string) {
		t.Helper()
		r := w.s.Get(w.carol, uiPath, q("uids", "1001"))
		mustCode(t, r, 0)
		d := mustParse(t, r.Body).get("data", "0")
		if d.get("name").str != wantName || d.get("face").str != wantFace {
			t.Errorf("name %q face %q, want %q %q", d.get("name").str, d.get("face").str, wantName, wantFace)
		}
	}
	check("爱丽丝", face)
	uiSetFace(t, w.s, alice, "")
	check("爱丽丝", uiNoFace)
	if r := rawCall(t, w.s, "HEAD", uiPath, "uids=1001", nil, "", w.carol); r.Status != 200 {
		t.Errorf("HEAD: HTTP %d", r.Status)
	}
}
