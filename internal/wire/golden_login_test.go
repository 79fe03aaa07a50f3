package wire_test

// Golden cases of bilimsg's own login endpoints (login.go), appended to goldenCases
// (golden_test.go); their files are testdata/golden/login_*.json and logout_*.json.

import (
	"net/url"
	"testing"

	"github.com/bilimsg/bilimsg/internal/testkit"
)

var lgGoldenCases = []goldenCase{
	{"login_ok", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		s := testkit.Start(t, testkit.Options{})
		lgUser(t, s, 1001, "小明", "correct horse")
		return s.Post(testkit.User{}, pathLogin, url.Values{"account": {"1001"}, "password": {"correct horse"}}), nil
	}},
	{"logout_ok", func(t *testing.T) (testkit.Raw, func(*testing.T, *jnode)) {
		s := testkit.Start(t, testkit.Options{})
		return s.Post(s.NewUser(0, "u"), pathLogout, nil), nil
	}},
}

func init() { goldenCases = append(goldenCases, lgGoldenCases...) }
