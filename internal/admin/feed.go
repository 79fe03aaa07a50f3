package admin

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/bilimsg/bilimsg/internal/im"
	"github.com/bilimsg/bilimsg/internal/store"
)

func (h *Handler) routeFeeds() {
	h.mux.HandleFunc("POST /admin/v1/users/{mid}/notifications/reply", h.postNotice(store.FeedReply))
	h.mux.HandleFunc("POST /admin/v1/users/{mid}/notifications/at", h.postNotice(store.FeedAt))
	h.mux.HandleFunc("POST /admin/v1/users/{mid}/notifications/like", h.postNotice(store.FeedLike))
	h.mux.HandleFunc("POST /admin/v1/users/{mid}/notifications/system", h.postSystem)
	h.mux.HandleFunc("POST /admin/v1/users/{mid}/pushes", h.postPush)
}

// noticeJSON is the answer of the notification producers: the feed item's id, and whether
// the user's settings let it through (a dropped notice has id 0).
type noticeJSON struct {
	ID        uint64 `json:"id"`
	Delivered bool   `json:"delivered"`
}

// postNotice posts a reply, @ or like notification to user {mid}.
func (h *Handler) postNotice(feed store.FeedKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		mid, ok := pathMid(w, r, "mid")
		if !ok {
			return
		}
		var in struct {
			Actor      uint64   `json:"actor"`
			SubjectID  uint64   `json:"subject_id"`
			RootID     uint64   `json:"root_id"`
			SourceID   uint64   `json:"source_id"`
			TargetID   uint64   `json:"target_id"`
			ItemID     uint64   `json:"item_id"`
			Type       string   `json:"type"`
			BusinessID int      `json:"business_id"`
			Business   string   `json:"business"`
			Title      string   `json:"title"`
			Desc       string   `json:"desc"`
			Image      string   `json:"image"`
			URI        string   `json:"uri"`
			NativeURI  string   `json:"native_uri"`
			Source     string   `json:"source_content"`
			RootText   string   `json:"root_reply_content"`
			TargetText string   `json:"target_reply_content"`
			AtMids     []uint64 `json:"at_mids"`
		}
		if !decode(w, r, &in) {
			return
		}
		id, err := h.svc.PostNotice(r.Context(), mid, feed, im.Notice{Actor: in.Actor, SubjectID: in.SubjectID,
			RootID: in.RootID, SourceID: in.SourceID, TargetID: in.TargetID, ItemID: in.ItemID, Type: in.Type,
			BusinessID: in.BusinessID, Business: in.Business, Title: in.Title, Desc: in.Desc, Image: in.Image,
			URI: in.URI, NativeURI: in.NativeURI, Source: in.Source, RootText: in.RootText, TargetText: in.TargetText,
			AtMids: in.AtMids})
		if err != nil {
			h.fail(w, err)
			return
		}
		writeJSON(w, http.StatusOK, noticeJSON{ID: id, Delivered: id != 0})
	}
}

// postSystem posts a system notification (系统通知) to user {mid}.
func (h *Handler) postSystem(w http.ResponseWriter, r *http.Request) {
	mid, ok := pathMid(w, r, "mid")
	if !ok {
		return
	}
	var in im.SysNotice
	if !decode(w, r, &in) {
		return
	}
	id, err := h.svc.PostSystem(r.Context(), mid, in)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, noticeJSON{ID: id, Delivered: true})
}

// postPush makes a system account push a message (a card) to user {mid}:
// {"system_msg_type": 1|7|8|9, "msg_type": 10|11|12|13|16, "content": {...}, "msg_source"?: 5|6,
// "notify_code"?: "2091_253"}. A content that does not match its card's shape is a 400
// naming the field, and nothing is stored.
func (h *Handler) postPush(w http.ResponseWriter, r *http.Request) {
	mid, ok := pathMid(w, r, "mid")
	if !ok {
		return
	}
	var in struct {
		SystemType int             `json:"system_msg_type"`
		MsgType    int             `json:"msg_type"`
		Content    json.RawMessage `json:"content"`
		Source     int             `json:"msg_source"`
		NotifyCode string          `json:"notify_code"`
	}
	if !decode(w, r, &in) {
		return
	}
	m, err := h.svc.PushMessage(r.Context(), mid, im.Push{SystemType: in.SystemType, MsgType: in.MsgType,
		Content: in.Content, Source: in.Source, NotifyCode: in.NotifyCode})
	var pe *im.PushError
	if errors.As(err, &pe) {
		writeError(w, http.StatusBadRequest, pe.Error())
		return
	}
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		MsgKey   uint64 `json:"msg_key"`
		MsgSeqno uint64 `json:"msg_seqno"`
		TalkerID uint64 `json:"talker_id"`
	}{m.Key, m.Seqno, m.SenderUID})
}
