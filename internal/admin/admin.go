// Package admin is the operator API: plain JSON over HTTP with a bearer token, used by
// tests, demos and operators to create the world the bilibili API assumes (users,
// logins, follows, blocks) and to move a fake clock.
package admin

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bilimsg/bilimsg/internal/im"
	"github.com/bilimsg/bilimsg/internal/store"
)

// maxBody bounds operator request bodies.
const maxBody = 64 << 10

// Handler serves /admin/v1/.
type Handler struct {
	svc   *im.Service
	token string
	clock *im.FakeClock // nil unless --fake-clock
	log   *slog.Logger
	mux   *http.ServeMux
}

// New builds the operator API. clock is nil when the clock endpoint is disabled.
func New(svc *im.Service, token string, clock *im.FakeClock, log *slog.Logger) *Handler {
	h := &Handler{svc: svc, token: token, clock: clock, log: log, mux: http.NewServeMux()}
	h.mux.HandleFunc("POST /admin/v1/users", h.createUser)
	h.mux.HandleFunc("GET /admin/v1/users", h.listUsers)
	h.mux.HandleFunc("GET /admin/v1/users/{mid}", h.getUser)
	h.mux.HandleFunc("PATCH /admin/v1/users/{mid}", h.patchUser)
	h.mux.HandleFunc("POST /admin/v1/users/{mid}/login", h.login)
	h.mux.HandleFunc("GET /admin/v1/users/{mid}/relations/{target}", h.getRelation)
	h.mux.HandleFunc("PUT /admin/v1/users/{mid}/follows/{target}", h.relation(h.svc.Follow, true))
	h.mux.HandleFunc("DELETE /admin/v1/users/{mid}/follows/{target}", h.relation(h.svc.Follow, false))
	h.mux.HandleFunc("PUT /admin/v1/users/{mid}/blacklist/{target}", h.relation(h.svc.Block, true))
	h.mux.HandleFunc("DELETE /admin/v1/users/{mid}/blacklist/{target}", h.relation(h.svc.Block, false))
	h.mux.HandleFunc("GET /admin/v1/users/{mid}/works", h.listWorks)
	h.mux.HandleFunc("PUT /admin/v1/users/{mid}/works/{aid}", h.putWork)
	h.mux.HandleFunc("DELETE /admin/v1/users/{mid}/works/{aid}", h.deleteWork)
	h.mux.HandleFunc("POST /admin/v1/users/{mid}/guards/{target}", h.guardPurchased)
	h.routeGroups()
	h.routeFeeds()
	h.mux.HandleFunc("POST /admin/v1/clock", h.advanceClock)
	h.mux.HandleFunc("GET /admin/v1/clock", h.getClock)
	h.mux.HandleFunc("/admin/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such operator endpoint")
	})
	return h
}

// ServeHTTP checks the bearer token (in constant time) and dispatches.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || subtle.ConstantTimeCompare([]byte(tok), []byte(h.token)) != 1 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="bilimsg admin"`)
		writeError(w, http.StatusUnauthorized, "missing or wrong admin token")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	h.mux.ServeHTTP(w, r)
}

// UserJSON is a user as the operator API shows it.
type UserJSON struct {
	Mid       uint64 `json:"mid"`
	Name      string `json:"name"`
	Face      string `json:"face"`
	Fans      int64  `json:"fans"`
	CreatedAt int64  `json:"created_at"`
}

func userJSON(u store.User) UserJSON {
	return UserJSON{Mid: u.Mid, Name: u.Name, Face: u.Face, Fans: u.Fans, CreatedAt: u.CreatedAt}
}

func (h *Handler) createUser(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name     string  `json:"name"`
		Mid      *uint64 `json:"mid"`
		Face     string  `json:"face"`
		Fans     int64   `json:"fans"`
		Password string  `json:"password"`
	}
	if !decode(w, r, &in) {
		return
	}
	nu := im.NewUser{Name: in.Name, Face: in.Face, Fans: in.Fans, Password: in.Password}
	if in.Mid != nil {
		if *in.Mid == 0 {
			writeError(w, http.StatusBadRequest, "mid must be positive")
			return
		}
		nu.Mid = *in.Mid
	}
	u, err := h.svc.CreateUser(r.Context(), nu)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, userJSON(u))
}

func (h *Handler) listUsers(w http.ResponseWriter, r *http.Request) {
	after, limit := uint64(0), 100
	if v := r.URL.Query().Get("after"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			writeError(w, http.StatusBadRequest, "after must be a mid")
			return
		}
		after = n
	}
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			writeError(w, http.StatusBadRequest, "limit must be 1..1000")
			return
		}
		limit = n
	}
	us, err := h.svc.ListUsers(r.Context(), after, limit)
	if err != nil {
		h.fail(w, err)
		return
	}
	out := struct {
		Users []UserJSON `json:"users"`
	}{Users: []UserJSON{}}
	for _, u := range us {
		out.Users = append(out.Users, userJSON(u))
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) getUser(w http.ResponseWriter, r *http.Request) {
	mid, ok := pathMid(w, r, "mid")
	if !ok {
		return
	}
	u, err := h.svc.GetUser(r.Context(), mid)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, userJSON(u))
}

func (h *Handler) patchUser(w http.ResponseWriter, r *http.Request) {
	mid, ok := pathMid(w, r, "mid")
	if !ok {
		return
	}
	var in struct {
		Name *string `json:"name"`
		Face *string `json:"face"`
		Fans *int64  `json:"fans"`
	}
	if !decode(w, r, &in) {
		return
	}
	u, err := h.svc.UpdateUser(r.Context(), mid, im.UserPatch{Name: in.Name, Face: in.Face, Fans: in.Fans})
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, userJSON(u))
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	mid, ok := pathMid(w, r, "mid")
	if !ok {
		return
	}
	cr, err := h.svc.Login(r.Context(), mid)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, cr)
}

func (h *Handler) getRelation(w http.ResponseWriter, r *http.Request) {
	mid, target, ok := pathPair(w, r)
	if !ok {
		return
	}
	rel, err := h.svc.GetRelation(r.Context(), mid, target)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, rel)
}

func (h *Handler) relation(op func(ctx context.Context, mid, target uint64, on bool) error, on bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		mid, target, ok := pathPair(w, r)
		if !ok {
			return
		}
		if err := op(r.Context(), mid, target, on); err != nil {
			h.fail(w, err)
			return
		}
		rel, err := h.svc.GetRelation(r.Context(), mid, target)
		if err != nil {
			h.fail(w, err)
			return
		}
		writeJSON(w, http.StatusOK, rel)
	}
}

type clockJSON struct {
	Now     int64  `json:"now"`      // unix seconds
	NowUs   int64  `json:"now_us"`   // unix microseconds
	NowText string `json:"now_text"` // RFC 3339
}

func clockOf(t time.Time) clockJSON {
	return clockJSON{Now: t.Unix(), NowUs: t.UnixMicro(), NowText: t.UTC().Format(time.RFC3339Nano)}
}

func (h *Handler) advanceClock(w http.ResponseWriter, r *http.Request) {
	if h.clock == nil {
		writeError(w, http.StatusNotFound, "the clock can only be moved when the server runs with --fake-clock")
		return
	}
	var in struct {
		AdvanceSeconds *int64 `json:"advance_seconds"`
	}
	if !decode(w, r, &in) {
		return
	}
	if in.AdvanceSeconds == nil || *in.AdvanceSeconds < 0 || *in.AdvanceSeconds > 100*365*24*3600 {
		writeError(w, http.StatusBadRequest, "advance_seconds must be a whole number of seconds, 0 or more")
		return
	}
	now := h.clock.Advance(time.Duration(*in.AdvanceSeconds) * time.Second)
	writeJSON(w, http.StatusOK, clockOf(now))
}

func (h *Handler) getClock(w http.ResponseWriter, r *http.Request) {
	if h.clock == nil {
		writeError(w, http.StatusNotFound, "the clock can only be read here when the server runs with --fake-clock")
		return
	}
	writeJSON(w, http.StatusOK, clockOf(h.clock.Now()))
}

func pathMid(w http.ResponseWriter, r *http.Request, name string) (uint64, bool) {
	n, err := strconv.ParseUint(r.PathValue(name), 10, 64)
	if err != nil || n == 0 {
		writeError(w, http.StatusBadRequest, name+" must be a positive integer")
		return 0, false
	}
	return n, true
}

// pathPair reads the {mid} and {target} of a relation path.
func pathPair(w http.ResponseWriter, r *http.Request) (mid, target uint64, ok bool) {
	if mid, ok = pathMid(w, r, "mid"); ok {
		target, ok = pathMid(w, r, "target")
	}
	return mid, target, ok
}

// decode reads a JSON object body strictly: unknown fields and trailing data are errors.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(r.Body) // at most maxBody
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, "body too large")
		return false
	case err != nil:
		writeError(w, http.StatusBadRequest, "cannot read the body")
		return false
	case !utf8.Valid(body):
		// encoding/json would quietly turn invalid bytes into U+FFFD.
		writeError(w, http.StatusBadRequest, "body must be valid UTF-8")
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "body must be a JSON object: "+err.Error())
		return false
	}
	if _, err := dec.Token(); err != io.EOF {
		writeError(w, http.StatusBadRequest, "body must hold one JSON object")
		return false
	}
	return true
}

func (h *Handler) fail(w http.ResponseWriter, err error) {
	if st, ok := groupStatus(err); ok {
		writeError(w, st, err.Error())
		return
	}
	switch {
	case errors.Is(err, im.ErrUserNotFound):
		writeError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, im.ErrUserExists):
		writeError(w, http.StatusConflict, err.Error())
	case errors.Is(err, im.ErrBlocked), errors.Is(err, im.ErrIDsExhausted):
		writeError(w, http.StatusConflict, err.Error())
	case errors.Is(err, im.ErrInvalid):
		writeError(w, http.StatusBadRequest, err.Error())
	default:
		h.log.Error("operator request failed", "err", err)
		writeError(w, http.StatusInternalServerError, "internal error")
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
