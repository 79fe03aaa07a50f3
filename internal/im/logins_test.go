package im_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/internal/emoji"
	"github.com/bilimsg/bilimsg/internal/im"
	"github.com/bilimsg/bilimsg/internal/store/sqlite"
)

func loginService(t *testing.T) (*im.Service, *im.FakeClock) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clock := im.NewFakeClock(time.Date(2024, 6, 2, 8, 0, 0, 0, time.UTC))
	svc := im.New(st, clock, emoji.MustLoad(), nil, im.Config{PasswordIterations: 1000})
	for _, u := range []im.NewUser{
		{Mid: 10, Name: "小明", Password: "correct horse"},
		{Mid: 11, Name: "重名", Password: "a"},
		{Mid: 12, Name: "重名", Password: "b"},
		{Mid: 13, Name: "没有密码"},
		{Mid: 14, Name: "10", Password: "name is digits"},
	} {
		if _, err := svc.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	return svc, clock
}

// TestPasswordLogin: by mid or by name; the login authenticates; wrong passwords,
// unknown accounts, users without a password and shared names are refused with
// bilibili's codes.
func TestPasswordLogin(t *testing.T) {
	svc, _ := loginService(t)
	ctx := context.Background()
	for _, account := range []string{"10", "小明"} {
		cr, err := svc.PasswordLogin(ctx, account, "correct horse", "1.2.3.4")
		if err != nil || cr.DedeUserID != "10" {
			t.Fatalf("login as %q: %+v, %v", account, cr, err)
		}
		if sess, err := svc.Authenticate(ctx, cr.SESSDATA); err != nil || sess.Mid != 10 || !sess.CheckCSRF(cr.BiliJct) {
			t.Fatalf("the new login does not authenticate: %+v, %v", sess, err)
		}
	}
	// "10" is mid 10 first; user 14, named "10", logs in by mid.
	if cr, err := svc.PasswordLogin(ctx, "14", "name is digits", "1.2.3.4"); err != nil || cr.DedeUserID != "14" {
		t.Fatalf("login by mid 14: %+v, %v", cr, err)
	}
	for _, c := range []struct {
		account, password string
		want              error
	}{
		{"10", "wrong", im.ErrWrongPassword},
		{"小明", "Correct horse", im.ErrWrongPassword},
		{"nobody", "x", im.ErrWrongPassword},
		{"999", "x", im.ErrWrongPassword},
		{"没有密码", "", im.ErrBadRequest},
		{"没有密码", "anything", im.ErrWrongPassword},
		{"重名", "a", im.ErrAmbiguousName},
		{"11", "a", nil},
		{"", "x", im.ErrBadRequest},
	} {
		_, err := svc.PasswordLogin(ctx, c.account, c.password, "5.6.7.8")
		if !errors.Is(err, c.want) && !(c.want == nil && err == nil) {
			t.Errorf("PasswordLogin(%q, %q) = %v, want %v", c.account, c.password, err, c.want)
		}
	}
}

// TestPasswordLoginLimits: after LoginFailures wrong passwords an account is refused
// (-509) even with the right password, by mid or by name, until LoginWindow has passed;
// another address cannot lift it; one address is cut off after trying many accounts.
func TestPasswordLoginLimits(t *testing.T) {
	svc, clock := loginService(t)
	ctx := context.Background()
	for range im.LoginFailures {
		if _, err := svc.PasswordLogin(ctx, "10", "guess", "1.1.1.1"); !errors.Is(err, im.ErrWrongPassword) {
			t.Fatalf("a wrong password: %v", err)
		}
	}
	for _, addr := range []string{"1.1.1.1", "2.2.2.2"} {
		if _, err := svc.PasswordLogin(ctx, "10", "correct horse", addr); !errors.Is(err, im.ErrTooManyLogins) {
			t.Fatalf("after %d failures, from %s: %v, want -509", im.LoginFailures, addr, err)
		}
	}
	if _, err := svc.PasswordLogin(ctx, "小明", "correct horse", "2.2.2.2"); !errors.Is(err, im.ErrTooManyLogins) {
		t.Fatalf("the same user by name: %v, want -509 (the limit is per user)", err)
	}
	clock.Advance(im.LoginWindow)
	if _, err := svc.PasswordLogin(ctx, "10", "correct horse", "1.1.1.1"); err != nil {
		t.Fatalf("after the window: %v", err)
	}

	// One address trying many accounts.
	for i := range 4 * im.LoginFailures {
		if _, err := svc.PasswordLogin(ctx, "user"+string(rune('a'+i)), "x", "9.9.9.9"); !errors.Is(err, im.ErrWrongPassword) {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	if _, err := svc.PasswordLogin(ctx, "10", "correct horse", "9.9.9.9"); !errors.Is(err, im.ErrTooManyLogins) {
		t.Fatalf("an address after %d failures: %v, want -509", 4*im.LoginFailures, err)
	}
	if _, err := svc.PasswordLogin(ctx, "10", "correct horse", "8.8.8.8"); err != nil {
		t.Fatalf("another address: %v", err)
	}
}

// TestLogout: the login stops authenticating at once (its cached copy too); the user's
// other logins stay; logging out twice or with nonsense is -101.
func TestLogout(t *testing.T) {
	svc, _ := loginService(t)
	ctx := context.Background()
	a, err := svc.Login(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	b, err := svc.Login(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, a.SESSDATA); err != nil { // now cached
		t.Fatal(err)
	}
	if err := svc.Logout(ctx, a.SESSDATA); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, a.SESSDATA); !errors.Is(err, im.ErrNotLoggedIn) {
		t.Fatalf("after logout: %v, want -101", err)
	}
	if _, err := svc.Authenticate(ctx, b.SESSDATA); err != nil {
		t.Fatalf("the other login: %v", err)
	}
	for _, s := range []string{a.SESSDATA, "", "nonsense"} {
		if err := svc.Logout(ctx, s); !errors.Is(err, im.ErrNotLoggedIn) {
			t.Errorf("Logout(%q) = %v, want -101", s, err)
		}
	}
}

// TestLogoutRacesAuthenticate: a logout that runs while other requests authenticate
// with the same login leaves no cached copy behind.
func TestLogoutRacesAuthenticate(t *testing.T) {
	svc, _ := loginService(t)
	ctx := context.Background()
	for range 20 {
		cr, err := svc.Login(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() { svc.Authenticate(ctx, cr.SESSDATA) })
		}
		if err := svc.Logout(ctx, cr.SESSDATA); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		if _, err := svc.Authenticate(ctx, cr.SESSDATA); !errors.Is(err, im.ErrNotLoggedIn) {
			t.Fatalf("a login survived its logout in the cache: %v", err)
		}
	}
}

// BenchmarkPasswordLogin is one successful password login at the production cost
// (PBKDF2-HMAC-SHA256, 600,000 iterations): what a login costs the server by design.
func BenchmarkPasswordLogin(b *testing.B) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "db"), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	svc := im.New(st, im.NewFakeClock(time.Date(2024, 6, 2, 8, 0, 0, 0, time.UTC)), emoji.MustLoad(), nil, im.Config{})
	if _, err := svc.CreateUser(ctx, im.NewUser{Mid: 10, Name: "u", Password: "pw"}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := svc.PasswordLogin(ctx, "10", "pw", "1.2.3.4"); err != nil {
			b.Fatal(err)
		}
	}
}
