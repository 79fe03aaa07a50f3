package im

import (
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bilimsg/bilimsg/internal/store"
)

// DefaultFace is bilibili's "no face" avatar, given to users created without one.
const DefaultFace = "https://i0.hdslb.com/bfs/face/member/noface.jpg"

// firstAutoMid is where automatically assigned mids start, so they look like real ones.
const firstAutoMid = 100_000_001

// NewUser describes a user to create; zero Mid means "assign one".
type NewUser struct {
	Mid      uint64
	Name     string
	Face     string
	Fans     int64
	Password string
}

// UserPatch changes some of a user's fields; nil fields stay.
type UserPatch struct {
	Name *string
	Face *string
	Fans *int64
}

func validName(n string) bool {
	return n != "" && utf8.ValidString(n) && utf8.RuneCountInString(n) <= 64 && strings.TrimSpace(n) == n
}

// CreateUser creates a user.
func (s *Service) CreateUser(ctx context.Context, nu NewUser) (store.User, error) {
	if !validName(nu.Name) || nu.Mid > math.MaxInt64 || nu.Fans < 0 || !utf8.ValidString(nu.Face) {
		return store.User{}, ErrInvalid
	}
	if _, ok := SystemAccountOf(nu.Mid); ok {
		return store.User{}, ErrInvalid // the system accounts' ids are taken (docs/feed.md)
	}
	u := store.User{Mid: nu.Mid, Name: nu.Name, Face: nu.Face, Fans: nu.Fans, CreatedAt: s.clock.Now().Unix()}
	if u.Face == "" {
		u.Face = DefaultFace
	}
	if nu.Password != "" {
		u.PasswordHash = hashPassword(nu.Password, s.cfg.PasswordIterations)
	}
	err := s.update(ctx, func(ctx context.Context, tx store.Tx) error {
		if u.Mid == 0 {
			m, err := tx.MaxMid(ctx)
			if err != nil {
				return err
			}
			if m >= math.MaxInt64 {
				return ErrIDsExhausted
			}
			u.Mid = max(m+1, firstAutoMid)
		}
		err := tx.CreateUser(ctx, u)
		if errors.Is(err, store.ErrConflict) {
			return ErrUserExists
		}
		return err
	})
	return u, s.internal("create user", err)
}

// GetUser looks a user up.
func (s *Service) GetUser(ctx context.Context, mid uint64) (store.User, error) {
	var u store.User
	err := s.st.View(ctx, func(tx store.Tx) error {
		var err error
		u, err = tx.GetUser(ctx, mid)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return u, ErrUserNotFound
	}
	return u, s.internal("get user", err)
}

// ListUsers lists users with mid > after, in mid order.
func (s *Service) ListUsers(ctx context.Context, after uint64, limit int) ([]store.User, error) {
	var us []store.User
	err := s.st.View(ctx, func(tx store.Tx) error {
		var err error
		us, err = tx.ListUsers(ctx, after, limit)
		return err
	})
	return us, s.internal("list users", err)
}

// UserInfos looks up the users with these mids for x/im/user_infos (catalog §6), in one
// read: the users in the order asked for, each once however often it was asked for;
// unknown mids (and the system accounts, which are not users) are skipped, so no mid
// known gives an empty, non-nil list. The password hashes are left out.
func (s *Service) UserInfos(ctx context.Context, mids []uint64) ([]store.User, error) {
	want := make([]uint64, 0, len(mids))
	seen := make(map[uint64]bool, len(mids))
	for _, m := range mids {
		// Mids above 2^63-1 are never created (CreateUser), so they need no lookup.
		if !seen[m] && m <= math.MaxInt64 {
			seen[m] = true
			want = append(want, m)
		}
	}
	var found []store.User
	if len(want) > 0 {
		err := s.st.View(ctx, func(tx store.Tx) error {
			var err error
			found, err = tx.GetUsers(ctx, want)
			return err
		})
		if err != nil {
			return nil, s.internal("user infos", err)
		}
	}
	byMid := make(map[uint64]store.User, len(found))
	for _, u := range found {
		u.PasswordHash = ""
		byMid[u.Mid] = u
	}
	out := make([]store.User, 0, len(found))
	for _, m := range want {
		if u, ok := byMid[m]; ok {
			out = append(out, u)
		}
	}
	return out, nil
}

// UpdateUser applies a patch.
func (s *Service) UpdateUser(ctx context.Context, mid uint64, p UserPatch) (store.User, error) {
	if (p.Name != nil && !validName(*p.Name)) || (p.Fans != nil && *p.Fans < 0) || (p.Face != nil && !utf8.ValidString(*p.Face)) {
		return store.User{}, ErrInvalid
	}
	var u store.User
	err := s.update(ctx, func(ctx context.Context, tx store.Tx) error {
		var err error
		if u, err = tx.GetUser(ctx, mid); err != nil {
			return err
		}
		if p.Name != nil {
			u.Name = *p.Name
		}
		if p.Face != nil {
			u.Face = *p.Face
		}
		if p.Fans != nil {
			u.Fans = *p.Fans
		}
		return tx.UpdateUser(ctx, u)
	})
	if errors.Is(err, store.ErrNotFound) {
		return u, ErrUserNotFound
	}
	return u, s.internal("update user", err)
}

// Credentials are the cookies of one web login.
type Credentials struct {
	SESSDATA   string `json:"SESSDATA"`
	BiliJct    string `json:"bili_jct"`
	DedeUserID string `json:"DedeUserID"`
}

// Login creates a new login for mid. Earlier logins stay valid.
func (s *Service) Login(ctx context.Context, mid uint64) (Credentials, error) {
	token := randomToken(32)
	jct := make([]byte, 16)
	rand.Read(jct)
	l := store.Login{Mid: mid, BiliJct: hex.EncodeToString(jct), CreatedAt: s.clock.Now().Unix()}
	h := sha256.Sum256([]byte(token))
	l.TokenHash = h[:]
	err := s.update(ctx, func(ctx context.Context, tx store.Tx) error {
		if _, err := tx.GetUser(ctx, mid); err != nil {
			return err
		}
		return tx.CreateLogin(ctx, l)
	})
	if errors.Is(err, store.ErrNotFound) {
		return Credentials{}, ErrUserNotFound
	}
	if err != nil {
		return Credentials{}, s.internal("login", err)
	}
	return Credentials{SESSDATA: token, BiliJct: l.BiliJct, DedeUserID: strconv.FormatUint(mid, 10)}, nil
}

// Session is an authenticated caller.
type Session struct {
	Mid     uint64
	biliJct string
}

// CheckCSRF reports whether token is this login's bili_jct, in constant time.
func (a Session) CheckCSRF(token string) bool {
	return token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(a.biliJct)) == 1
}

// Authenticate resolves a SESSDATA cookie. Logins are looked up by the SHA-256 of the
// token, so neither the table nor the lookup's timing reveals a usable token.
func (s *Service) Authenticate(ctx context.Context, sessdata string) (Session, error) {
	if sessdata == "" || len(sessdata) > 512 {
		return Session{}, ErrNotLoggedIn
	}
	h := sha256.Sum256([]byte(sessdata))
	s.loginMu.RLock()
	l, ok := s.logins[h]
	epoch := s.loginEpoch
	s.loginMu.RUnlock()
	if !ok {
		err := s.st.View(ctx, func(tx store.Tx) error {
			var err error
			l, err = tx.GetLogin(ctx, h[:])
			return err
		})
		if errors.Is(err, store.ErrNotFound) {
			return Session{}, ErrNotLoggedIn
		}
		if err != nil {
			return Session{}, s.internal("authenticate", err)
		}
		s.loginMu.Lock()
		if len(s.logins) >= 100_000 { // a crude bound; logins are cheap to reload
			clear(s.logins)
		}
		if s.loginEpoch == epoch { // else a logout ran meanwhile: this login may be gone
			s.logins[h] = l
		}
		s.loginMu.Unlock()
	}
	return Session{Mid: l.Mid, biliJct: l.BiliJct}, nil
}

func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Passwords are stored as PBKDF2-HMAC-SHA256 with a random salt and OWASP's iteration
// count; the standard library has it, so no extra dependency is needed.
const pbkdf2Iterations = 600_000

func hashPassword(pw string, iterations int) string {
	if iterations <= 0 {
		iterations = pbkdf2Iterations
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	key, _ := pbkdf2.Key(sha256.New, pw, salt, iterations, 32)
	return fmt.Sprintf("pbkdf2-sha256$%d$%s$%s", iterations,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// VerifyPassword checks pw against a hash made by hashPassword, in constant time.
func VerifyPassword(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 4 || parts[0] != "pbkdf2-sha256" {
		return false
	}
	iter, err := strconv.Atoi(parts[1])
	if err != nil || iter <= 0 || iter > 10_000_000 {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[2])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[3])
	if err1 != nil || err2 != nil {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, pw, salt, iter, len(want))
	return err == nil && subtle.ConstantTimeCompare(got, want) == 1
}
