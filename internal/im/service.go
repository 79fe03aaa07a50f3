package im

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bilimsg/bilimsg/internal/emoji"
	"github.com/bilimsg/bilimsg/internal/store"
)

// Config holds the tunable rules.
type Config struct {
	// BurstLimit sends are allowed in any BurstWindow (21020); 0 disables the limit.
	BurstLimit  int
	BurstWindow time.Duration
	// DailyLimit sends are allowed per 24 hours (21046); 0 disables the limit.
	DailyLimit int
	// RecvReplyPeriod is how long recv_reply waits before answering the same talker
	// again; 0 answers every message.
	RecvReplyPeriod time.Duration
	// PasswordIterations is the PBKDF2 cost of new password hashes; 0 is OWASP's
	// 600,000. Only tests lower it (a check costs ~150 ms at the default, by design).
	PasswordIterations int
}

// DefaultConfig is what `bilimsg serve` uses unless told otherwise.
func DefaultConfig() Config {
	return Config{BurstLimit: 10, BurstWindow: 5 * time.Second, DailyLimit: 2000, RecvReplyPeriod: 24 * time.Hour}
}

// Service is the message center's domain. It is safe for concurrent use.
type Service struct {
	st     store.Store
	clock  Clock
	emoji  *emoji.Catalog
	log    *slog.Logger
	limits *rateLimiter
	cfg    Config
	spam   *spamRules

	// lastUs makes session timestamps strictly increasing, so that clients paging
	// session lists with exclusive end_ts bounds never skip a session, even when the
	// clock stands still (--fake-clock) or many messages share a microsecond.
	lastUs atomic.Int64

	loginMu sync.RWMutex
	logins  map[[32]byte]store.Login // SESSDATA hash → login; a login never changes, Logout evicts it
	// loginEpoch counts logouts; a login read from the store is cached only if no
	// logout happened meanwhile.
	loginEpoch uint64
	guard      *loginGuard // password-login attempts
	pub        Publisher   // live events; nil: none
}

// New builds the service.
func New(st store.Store, clock Clock, cat *emoji.Catalog, log *slog.Logger, cfg Config) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{st: st, clock: clock, emoji: cat, log: log,
		limits: newRateLimiter(cfg.BurstLimit, cfg.BurstWindow, cfg.DailyLimit), cfg: cfg, spam: newSpamRules(),
		logins: make(map[[32]byte]store.Login), guard: newLoginGuard(cfg.PasswordIterations)}
}

// Clock returns the service's clock.
func (s *Service) Clock() Clock { return s.clock }

// Emoji returns the emoji catalog.
func (s *Service) Emoji() *emoji.Catalog { return s.emoji }

// tsUs returns a session timestamp in µs: the clock, but strictly after every earlier one.
func (s *Service) tsUs(now time.Time) int64 {
	us := now.UnixMicro()
	for {
		last := s.lastUs.Load()
		next := max(us, last+1)
		if s.lastUs.CompareAndSwap(last, next) {
			return next
		}
	}
}

// internal wraps an unexpected store failure: it is logged and reported as a generic
// server error, never as a partial success.
func (s *Service) internal(op string, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) || errors.Is(err, context.Canceled) {
		return err
	}
	for _, oe := range operatorErrors {
		if errors.Is(err, oe) {
			return err
		}
	}
	s.log.Error("store failure", "op", op, "err", err)
	return errors.Join(ErrServer, err)
}

// loadSession returns owner's session with talker, or a fresh one (not yet stored) whose
// IsFollow mirrors the relation.
func loadSession(ctx context.Context, tx store.Tx, owner uint64, typ int, talker uint64) (store.Session, error) {
	sess, err := tx.GetSession(ctx, owner, typ, talker)
	if err == nil {
		return sess, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return sess, err
	}
	sess = store.Session{Owner: owner, Type: typ, Talker: talker}
	if typ == 1 {
		rel, err := tx.GetRelation(ctx, owner, talker)
		if err != nil {
			return sess, err
		}
		sess.IsFollow = rel.Following
	}
	return sess, nil
}

// saveSession stores sess and moves the owner's unread counters by the change of its
// bucket since before. Every change to a session's unread count, follow flag or
// intercept flag goes through here, which is what keeps the counters from drifting.
func saveSession(ctx context.Context, tx store.Tx, before, sess store.Session) error {
	if err := tx.PutSession(ctx, sess); err != nil {
		return err
	}
	return tx.AddCounters(ctx, sess.Owner, sess.Bucket().Add(before.Bucket().Neg()))
}
