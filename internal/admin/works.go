package admin

import (
	"net/http"
	"strconv"

	"github.com/bilimsg/bilimsg/internal/store"
)

// WorkJSON is one of a user's works (videos), which the followed auto-reply's works card
// (recommend_followed_reply) shows.
type WorkJSON struct {
	Aid       uint64 `json:"aid"`
	Bvid      string `json:"bvid"`
	Title     string `json:"title"`
	Cover     string `json:"cover"`
	PubDate   int64  `json:"pub_date"` // unix seconds
	Plays     int64  `json:"plays"`
	Danmaku   int64  `json:"danmaku"`
	Favorites int64  `json:"favorites"`
}

func workJSON(w store.Work) WorkJSON {
	return WorkJSON{Aid: w.Aid, Bvid: w.Bvid, Title: w.Title, Cover: w.Cover, PubDate: w.PubDate, Plays: w.Plays,
		Danmaku: w.Danmaku, Favorites: w.Favorites}
}

// putWork registers or replaces work {aid} of user {mid}. pub_date defaults to now.
func (h *Handler) putWork(w http.ResponseWriter, r *http.Request) {
	mid, ok := pathMid(w, r, "mid")
	if !ok {
		return
	}
	aid, ok := pathMid(w, r, "aid")
	if !ok {
		return
	}
	var in struct {
		Bvid      string `json:"bvid"`
		Title     string `json:"title"`
		Cover     string `json:"cover"`
		PubDate   *int64 `json:"pub_date"`
		Plays     int64  `json:"plays"`
		Danmaku   int64  `json:"danmaku"`
		Favorites int64  `json:"favorites"`
	}
	if !decode(w, r, &in) {
		return
	}
	wk := store.Work{Owner: mid, Aid: aid, Bvid: in.Bvid, Title: in.Title, Cover: in.Cover,
		PubDate: h.svc.Clock().Now().Unix(), Plays: in.Plays, Danmaku: in.Danmaku, Favorites: in.Favorites}
	if in.PubDate != nil {
		wk.PubDate = *in.PubDate
	}
	if err := h.svc.PutWork(r.Context(), wk); err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, workJSON(wk))
}

// listWorks answers {"works": [...]}, latest publication first, at most limit (default
// and maximum 100).
func (h *Handler) listWorks(w http.ResponseWriter, r *http.Request) {
	mid, ok := pathMid(w, r, "mid")
	if !ok {
		return
	}
	limit := 100
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			writeError(w, http.StatusBadRequest, "limit must be 1 to 100")
			return
		}
		limit = n
	}
	works, err := h.svc.Works(r.Context(), mid, limit)
	if err != nil {
		h.fail(w, err)
		return
	}
	out := struct {
		Works []WorkJSON `json:"works"`
	}{Works: []WorkJSON{}}
	for _, wk := range works {
		out.Works = append(out.Works, workJSON(wk))
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) deleteWork(w http.ResponseWriter, r *http.Request) {
	mid, ok := pathMid(w, r, "mid")
	if !ok {
		return
	}
	aid, ok := pathMid(w, r, "aid")
	if !ok {
		return
	}
	if err := h.svc.DeleteWork(r.Context(), mid, aid); err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, struct{}{})
}

// guardPurchased is the event "user {target} bought a guard (上船) in {mid}'s live room",
// which sends {mid}'s 大航海 auto-reply when it is on. It answers whether it was sent.
func (h *Handler) guardPurchased(w http.ResponseWriter, r *http.Request) {
	up, fan, ok := pathPair(w, r)
	if !ok {
		return
	}
	replied, err := h.svc.GuardPurchased(r.Context(), up, fan)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Replied bool `json:"replied"`
	}{replied})
}
