package im

import (
	"context"
	"crypto/sha256"
	"errors"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/bilimsg/bilimsg/internal/store"
)

// Password logins (the web page's login form, and `bilimsg login --password`). bilibili's
// own login (QR codes, SMS, captchas) is not reproduced: bilimsg's users are made by
// the operator API, with a password when they are to log in by themselves.

// Refusals of the login form, in bilibili's words.
var (
	ErrWrongPassword = &Error{-629, "账号或者密码错误"}
	ErrAmbiguousName = &Error{-629, "该昵称对应多个账号，请使用UID登录"}
	ErrTooManyLogins = &Error{-509, "请求过于频繁，请稍后再试"}
)

// Login attempts are limited twice: per account (LoginFailures wrong passwords per
// LoginWindow, then refused until the window passes — a password cannot be guessed) and
// per client address (LoginFailures × 4, so that one address cannot try many accounts).
// Password checks use at most half the cores at once (one on a 2-core machine): each
// is ~150 ms of CPU by design, and a burst of logins must not starve the message
// traffic.
const (
	LoginFailures = 5
	LoginWindow   = 15 * time.Minute
)

// loginGuard counts recent failures by key ("account:…" as typed, "mid:…" once known,
// "ip:…").
type loginGuard struct {
	mu       sync.Mutex
	failures map[string][]time.Time
	hashers  chan struct{}
	// dummy is verified against when no user matches, so that an unknown account costs
	// the same time as a wrong password and timing does not tell which accounts exist.
	dummy func() string
}

func newLoginGuard(iterations int) *loginGuard {
	return &loginGuard{failures: map[string][]time.Time{}, hashers: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)/2)),
		dummy: sync.OnceValue(func() string { return hashPassword("bilimsg-no-such-user", iterations) })}
}

// recent returns key's failures within the window before now, dropping older ones.
func (g *loginGuard) recent(key string, now time.Time) int {
	fs := g.failures[key]
	i := 0
	for i < len(fs) && now.Sub(fs[i]) >= LoginWindow {
		i++
	}
	if i == len(fs) {
		delete(g.failures, key)
		return 0
	}
	g.failures[key] = fs[i:]
	return len(fs) - i
}

// allowed reports whether another attempt may be made for every key.
func (g *loginGuard) allowed(now time.Time, keys map[string]int) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	for k, limit := range keys {
		if g.recent(k, now) >= limit {
			return false
		}
	}
	return true
}

func (g *loginGuard) fail(now time.Time, keys map[string]int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.failures) > 100_000 { // bound the memory an attacker can make us hold
		for k := range g.failures {
			g.recent(k, now)
		}
	}
	for k := range keys {
		g.failures[k] = append(g.failures[k], now)
	}
}

// PasswordLogin logs a user in by mid or name and password, from client address addr,
// and creates a login as Login does. An account is a mid when it is all digits and a
// user has that mid, else a name, which must be one user's.
func (s *Service) PasswordLogin(ctx context.Context, account, password, addr string) (Credentials, error) {
	if account == "" || password == "" || len(account) > 256 || len(password) > 1024 {
		return Credentials{}, ErrBadRequest
	}
	now := s.clock.Now()
	keys := map[string]int{"account:" + account: LoginFailures, "ip:" + addr: 4 * LoginFailures}
	if !s.guard.allowed(now, keys) {
		return Credentials{}, ErrTooManyLogins
	}
	var u store.User
	found := false
	err := s.st.View(ctx, func(tx store.Tx) error {
		if mid, err := strconv.ParseUint(account, 10, 64); err == nil && mid != 0 {
			got, err := tx.GetUser(ctx, mid)
			if err == nil {
				u, found = got, true
				return nil
			}
			if !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		us, err := tx.UsersNamed(ctx, account, 2)
		if err != nil {
			return err
		}
		switch len(us) {
		case 1:
			u, found = us[0], true
		case 2:
			return ErrAmbiguousName
		}
		return nil
	})
	if errors.Is(err, ErrAmbiguousName) {
		return Credentials{}, ErrAmbiguousName
	}
	if err != nil {
		return Credentials{}, s.internal("password login", err)
	}
	if found {
		// The same user by mid or by name: one count.
		keys["mid:"+strconv.FormatUint(u.Mid, 10)] = LoginFailures
		if !s.guard.allowed(now, keys) {
			return Credentials{}, ErrTooManyLogins
		}
	}
	hash := s.guard.dummy()
	if found && u.PasswordHash != "" {
		hash = u.PasswordHash
	}
	select {
	case s.guard.hashers <- struct{}{}:
	case <-ctx.Done():
		return Credentials{}, ctx.Err()
	}
	ok := VerifyPassword(hash, password)
	<-s.guard.hashers
	if !ok || !found || u.PasswordHash == "" {
		s.guard.fail(now, keys)
		return Credentials{}, ErrWrongPassword
	}
	return s.Login(ctx, u.Mid)
}

// Logout ends the login of a SESSDATA: it no longer authenticates, here or in any
// cached copy of this process. Other logins of the user stay.
func (s *Service) Logout(ctx context.Context, sessdata string) error {
	if sessdata == "" || len(sessdata) > 512 {
		return ErrNotLoggedIn
	}
	h := sha256.Sum256([]byte(sessdata))
	err := s.update(ctx, func(ctx context.Context, tx store.Tx) error { return tx.DeleteLogin(ctx, h[:]) })
	if errors.Is(err, store.ErrNotFound) {
		return ErrNotLoggedIn
	}
	if err != nil {
		return s.internal("logout", err)
	}
	// Evict after the delete, and move the epoch: an Authenticate that read the login
	// before the delete must not put it back into the cache afterwards.
	s.loginMu.Lock()
	delete(s.logins, h)
	s.loginEpoch++
	s.loginMu.Unlock()
	return nil
}
