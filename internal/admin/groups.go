package admin

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/bilimsg/bilimsg/internal/im"
	"github.com/bilimsg/bilimsg/internal/store"
)

// GroupJSON is a fan group as the operator API shows it.
type GroupJSON struct {
	ID        uint64 `json:"id"`
	Owner     uint64 `json:"owner"`
	Name      string `json:"name"`
	Cover     string `json:"cover"`
	Type      int    `json:"type"`
	State     string `json:"state"` // open, frozen, dissolved
	Members   int64  `json:"members"`
	MaxSeqno  uint64 `json:"max_seqno"`
	CreatedAt int64  `json:"created_at"`
}

// MemberJSON is one membership.
type MemberJSON struct {
	Group    uint64 `json:"group_id"`
	Mid      uint64 `json:"mid"`
	JoinedAt int64  `json:"joined_at_us"`
	AckSeqno uint64 `json:"ack_seqno"`
}

var stateNames = map[store.GroupState]string{store.GroupOpen: "open", store.GroupFrozen: "frozen",
	store.GroupDissolved: "dissolved"}

func groupJSON(g store.Group) GroupJSON {
	return GroupJSON{ID: g.ID, Owner: g.Owner, Name: g.Name, Cover: g.Cover, Type: g.Type, State: stateNames[g.State],
		Members: g.Members, MaxSeqno: g.MaxSeqno, CreatedAt: g.CreatedAt}
}

func memberJSON(m store.Member) MemberJSON {
	return MemberJSON{Group: m.Group, Mid: m.Mid, JoinedAt: m.JoinedAt, AckSeqno: m.AckSeqno}
}

func (h *Handler) routeGroups() {
	h.mux.HandleFunc("POST /admin/v1/groups", h.createGroup)
	h.mux.HandleFunc("GET /admin/v1/groups/{gid}", h.getGroup)
	h.mux.HandleFunc("PATCH /admin/v1/groups/{gid}", h.patchGroup)
	h.mux.HandleFunc("POST /admin/v1/groups/{gid}/freeze", h.groupState(store.GroupFrozen))
	h.mux.HandleFunc("POST /admin/v1/groups/{gid}/unfreeze", h.groupState(store.GroupOpen))
	h.mux.HandleFunc("POST /admin/v1/groups/{gid}/dissolve", h.groupState(store.GroupDissolved))
	h.mux.HandleFunc("GET /admin/v1/groups/{gid}/members", h.listMembers)
	h.mux.HandleFunc("POST /admin/v1/groups/{gid}/members", h.joinMany)
	h.mux.HandleFunc("PUT /admin/v1/groups/{gid}/members/{mid}", h.joinOne)
	h.mux.HandleFunc("DELETE /admin/v1/groups/{gid}/members/{mid}", h.leave(false))
	h.mux.HandleFunc("POST /admin/v1/groups/{gid}/members/{mid}/remove", h.leave(true))
}

// createGroup opens a fan group: {"owner": mid, "name"?, "cover"?, "type"? 0|2, "id"?}.
func (h *Handler) createGroup(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ID    uint64 `json:"id"`
		Owner uint64 `json:"owner"`
		Name  string `json:"name"`
		Cover string `json:"cover"`
		Type  int    `json:"type"`
	}
	if !decode(w, r, &in) {
		return
	}
	g, err := h.svc.CreateGroup(r.Context(), im.NewGroup{ID: in.ID, Owner: in.Owner, Name: in.Name, Cover: in.Cover,
		Type: in.Type})
	h.groupReply(w, g, err)
}

func (h *Handler) getGroup(w http.ResponseWriter, r *http.Request) {
	gid, ok := pathMid(w, r, "gid")
	if !ok {
		return
	}
	g, err := h.svc.GetGroup(r.Context(), gid)
	h.groupReply(w, g, err)
}

func (h *Handler) patchGroup(w http.ResponseWriter, r *http.Request) {
	gid, ok := pathMid(w, r, "gid")
	if !ok {
		return
	}
	var in struct {
		Name  *string `json:"name"`
		Cover *string `json:"cover"`
	}
	if !decode(w, r, &in) {
		return
	}
	g, err := h.svc.UpdateGroup(r.Context(), gid, im.GroupPatch{Name: in.Name, Cover: in.Cover})
	h.groupReply(w, g, err)
}

func (h *Handler) groupState(to store.GroupState) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		gid, ok := pathMid(w, r, "gid")
		if !ok {
			return
		}
		g, err := h.svc.SetGroupState(r.Context(), gid, to)
		h.groupReply(w, g, err)
	}
}

// groupReply answers g, or err.
func (h *Handler) groupReply(w http.ResponseWriter, g store.Group, err error) {
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, groupJSON(g))
}

// listMembers answers {"members": [...]} in mid order, mids > after, at most limit
// (default 100, at most 1000).
func (h *Handler) listMembers(w http.ResponseWriter, r *http.Request) {
	gid, ok := pathMid(w, r, "gid")
	if !ok {
		return
	}
	q := r.URL.Query()
	after, limit := uint64(0), 100
	if v := q.Get("after"); v != "" {
		a, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			writeError(w, http.StatusBadRequest, "after must be a mid")
			return
		}
		after = a
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			writeError(w, http.StatusBadRequest, "limit must be 1–1000")
			return
		}
		limit = n
	}
	ms, err := h.svc.ListMembers(r.Context(), gid, after, limit)
	if err != nil {
		h.fail(w, err)
		return
	}
	out := struct {
		Members []MemberJSON `json:"members"`
	}{Members: []MemberJSON{}}
	for _, m := range ms {
		out.Members = append(out.Members, memberJSON(m))
	}
	writeJSON(w, http.StatusOK, out)
}

// joinOne adds user {mid} to the group.
func (h *Handler) joinOne(w http.ResponseWriter, r *http.Request) {
	gid, ok := pathMid(w, r, "gid")
	if !ok {
		return
	}
	mid, ok := pathMid(w, r, "mid")
	if !ok {
		return
	}
	ms, err := h.svc.JoinGroup(r.Context(), gid, []uint64{mid})
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, memberJSON(ms[0]))
}

// joinMany adds up to 1000 users at once: {"mids": [...]}; all or nothing.
func (h *Handler) joinMany(w http.ResponseWriter, r *http.Request) {
	gid, ok := pathMid(w, r, "gid")
	if !ok {
		return
	}
	var in struct {
		Mids []uint64 `json:"mids"`
	}
	if !decode(w, r, &in) {
		return
	}
	ms, err := h.svc.JoinGroup(r.Context(), gid, in.Mids)
	if err != nil {
		h.fail(w, err)
		return
	}
	out := struct {
		Members []MemberJSON `json:"members"`
	}{}
	for _, m := range ms {
		out.Members = append(out.Members, memberJSON(m))
	}
	writeJSON(w, http.StatusOK, out)
}

// leave takes {mid} out of the group: leaving, or removed by the owner.
func (h *Handler) leave(removed bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		gid, ok := pathMid(w, r, "gid")
		if !ok {
			return
		}
		mid, ok := pathMid(w, r, "mid")
		if !ok {
			return
		}
		if err := h.svc.LeaveGroup(r.Context(), gid, mid, removed); err != nil {
			h.fail(w, err)
			return
		}
		writeJSON(w, http.StatusOK, struct{}{})
	}
}

// groupStatus maps the group errors onto HTTP statuses; ok is false for other errors.
func groupStatus(err error) (int, bool) {
	switch {
	case errors.Is(err, im.ErrGroupNotFound), errors.Is(err, im.ErrNotMember):
		return http.StatusNotFound, true
	case errors.Is(err, im.ErrGroupExists), errors.Is(err, im.ErrGroupState), errors.Is(err, im.ErrOwnerStays):
		return http.StatusConflict, true
	case errors.Is(err, im.ErrFewFans):
		return http.StatusForbidden, true
	}
	return 0, false
}
