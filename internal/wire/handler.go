package wire

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/bilimsg/bilimsg/internal/im"
)

// route is one bilibili endpoint. The table of routes is the single place that says each
// endpoint's method, envelope family and error shape.
type route struct {
	path string
	fam  family
	// post endpoints need POST and csrf; getOrPost accepts both (csrf only when POSTed).
	post, getOrPost bool
	// badDomain is the code for a well-formed value outside its domain: 2 (非法参数)
	// where the endpoint documents it, else -400 (catalog §9 item 23).
	badDomain *im.Error
	// errData is the data field of error envelopes. bareRequestErrors drops it for
	// -101, -111 and -400 while the endpoint's own refusals keep "data":null, as real
	// send_msg responses show (catalog §3 P19: issue #1023's -400 has no data, #1033's
	// 21028 has data null).
	errData           errData
	bareRequestErrors bool
	// sysErr replaces unexpected failures (send_msg documents -3 系统错误).
	sysErr *im.Error
	// public endpoints need no login (the password login itself).
	public bool
	h      func(*call) (any, error)
}

// call is one request in flight.
type call struct {
	ctx  context.Context
	w    http.ResponseWriter // for the cookies of login and logout
	r    *http.Request
	p    params
	me   im.Session
	svc  *im.Service
	rt   *route
	post bool
}

// domain returns the endpoint's code for an out-of-domain value.
func (c *call) domain() error { return c.rt.badDomain }

// Handler serves the bilibili API.
type Handler struct {
	svc    *im.Service
	log    *slog.Logger
	routes map[string]*route
}

// New builds the handler.
func New(svc *im.Service, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &Handler{svc: svc, log: log, routes: map[string]*route{}}
	for _, rt := range h.table() {
		if rt.badDomain == nil {
			rt.badDomain = im.ErrBadRequest
		}
		h.routes[rt.path] = rt
	}
	return h
}

// Paths lists every path the handler serves.
func (h *Handler) Paths() []string {
	out := make([]string, 0, len(h.routes))
	for p := range h.routes {
		out = append(out, p)
	}
	return out
}

func (h *Handler) table() []*route {
	const (
		ss  = "/session_svr/v1/session_svr/"
		ls  = "/link_setting/v1/link_setting/"
		xls = "/x/im/link_setting/"
		ar  = "/x/im/auto_reply/"
	)
	code2 := im.ErrInvalidParam
	return []*route{
		{path: ss + "single_unread", fam: svr, h: h.singleUnread},
		{path: ss + "my_group_unread", fam: svr, h: h.myGroupUnread},
		{path: ss + "get_sessions", fam: svr, badDomain: code2, h: h.getSessions},
		{path: ss + "new_sessions", fam: svr, h: h.newSessions},
		{path: ss + "session_detail", fam: svr, h: h.sessionDetail},
		{path: ls + "is_limit", fam: svr, badDomain: code2, h: h.isLimit},
		{path: ls + "get_msg_dnd", fam: svr, badDomain: code2, h: h.getMsgDnd},
		{path: ls + "get_session_ss", fam: svr, badDomain: code2, h: h.getSessionSS},
		{path: ss + "update_ack", fam: svr, post: true, errData: dataAbsent, h: h.updateAck},
		{path: ss + "remove_session", fam: svr, post: true, errData: dataAbsent, h: h.removeSession},
		{path: ss + "set_top", fam: svr, post: true, errData: dataAbsent, h: h.setTop},
		{path: ls + "set_msg_dnd", fam: svr, post: true, errData: dataAbsent, h: h.setMsgDnd},
		{path: ls + "set_push_ss", fam: svr, post: true, errData: dataAbsent, h: h.setPushSS},
		{path: ss + "update_intercept", fam: svr, post: true, errData: dataAbsent, h: h.updateIntercept},
		{path: ss + "batch_update_dustbin_ack", fam: svr, post: true, errData: dataAbsent, h: h.dustbinAck},
		{path: ss + "batch_rm_dustbin", fam: svr, post: true, errData: dataAbsent, h: h.dustbinRemove},
		{path: "/svr_sync/v1/svr_sync/fetch_session_msgs", fam: svr, badDomain: code2, h: h.fetchSessionMsgs},
		{path: ls + "get", fam: svr, getOrPost: true, h: h.getPrefs},
		{path: ls + "set", fam: svr, post: true, errData: dataAbsent, badDomain: code2, h: h.setPrefs},
		{path: xls + "get_block_words", fam: svr, h: h.getBlockWords},
		{path: xls + "add_block_word", fam: svr, post: true, errData: dataAbsent, h: h.addBlockWord},
		{path: xls + "del_block_word", fam: svr, post: true, errData: dataAbsent, h: h.delBlockWord},
		{path: ar + "get_reply_text", fam: x, badDomain: code2, h: h.getReplyText},
		{path: ar + "set_reply_text", fam: x, post: true, errData: dataAbsent, h: h.setReplyText},
		{path: ar + "del_reply_text", fam: x, post: true, errData: dataAbsent, h: h.delReplyText},
		{path: ls + "get_sys_setting", fam: svr, h: h.getSysSetting},
		{path: "/link_group/v1/member/show_create_group_icon", fam: svr, h: h.showCreateGroupIcon},
		{path: "/web_im/v1/web_im/send_msg", fam: x, post: true, bareRequestErrors: true, sysErr: im.ErrSystem, h: h.sendMsg},
		{path: "/x/msgfeed/unread", fam: x, h: h.feedUnread(false)},
		{path: "/x/im/web/msgfeed/unread", fam: x, h: h.feedUnread(true)},
		{path: "/x/msgfeed/reply", fam: x, h: h.feedReply},
		{path: "/x/msgfeed/at", fam: x, h: h.feedAt},
		{path: "/x/msgfeed/like", fam: x, h: h.feedLike},
		{path: "/x/sys-msg/query_notify_list", fam: x, h: h.feedSystem},
		// Catalog §6: the users' names and faces the message page renders (users.go).
		{path: "/x/im/user_infos", fam: svr, h: h.userInfos},
		// bilimsg's own: the password login of its web page (login.go).
		{path: "/bilimsg/v1/login", fam: x, post: true, public: true, errData: dataAbsent, h: h.login},
		{path: "/bilimsg/v1/logout", fam: x, post: true, errData: dataAbsent, h: h.logout},
	}
}

// ServeHTTP dispatches by path. Every answer, even to a bad request, is bilibili's
// envelope with HTTP 200; only unknown paths get 404 (with the -404 envelope).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Date is the service's clock, as bilibili's is its own: with --fake-clock a client
	// (the SDK's watcher) reads the same time the messages are stamped with.
	w.Header().Set("Date", h.svc.Clock().Now().UTC().Format(http.TimeFormat))
	rt, ok := h.routes[r.URL.Path]
	if !ok {
		writeEnvelope(w, http.StatusNotFound, x, im.ErrNothingHere.Code, im.ErrNothingHere.Message, nil)
		return
	}
	defer func() {
		if v := recover(); v != nil {
			h.log.Error("panic in handler", "path", r.URL.Path, "panic", v)
			h.fail(w, rt, im.ErrServer)
		}
	}()
	c := &call{ctx: r.Context(), w: w, r: r, svc: h.svc, rt: rt, post: r.Method == http.MethodPost}
	if !h.methodAllowed(rt, r.Method) {
		h.fail(w, rt, im.ErrBadRequest)
		return
	}
	var err error
	if c.p, err = parseParams(w, r); err != nil {
		h.fail(w, rt, im.ErrBadRequest)
		return
	}
	if !rt.public {
		if c.me, err = h.svc.Authenticate(c.ctx, sessdata(r)); err != nil {
			h.fail(w, rt, err)
			return
		}
		if c.post && !h.csrfOK(c) {
			h.fail(w, rt, im.ErrCSRF)
			return
		}
	}
	data, err := rt.h(c)
	if err != nil {
		h.fail(w, rt, err)
		return
	}
	body, err := json.Marshal(data)
	if err != nil {
		h.fail(w, rt, err)
		return
	}
	writeEnvelope(w, http.StatusOK, rt.fam, 0, "0", body)
}

// sessdata is the request's SESSDATA cookie ("" when none).
func sessdata(r *http.Request) string {
	if ck, err := r.Cookie("SESSDATA"); err == nil {
		return ck.Value
	}
	return ""
}

func (h *Handler) methodAllowed(rt *route, m string) bool {
	switch {
	case rt.getOrPost:
		return m == http.MethodGet || m == http.MethodHead || m == http.MethodPost
	case rt.post:
		return m == http.MethodPost
	default:
		return m == http.MethodGet || m == http.MethodHead
	}
}

// csrfOK accepts the request when csrf or csrf_token equals the login's bili_jct
// (catalog §9 item 21).
func (h *Handler) csrfOK(c *call) bool {
	return c.me.CheckCSRF(c.p["csrf"]) || c.me.CheckCSRF(c.p["csrf_token"])
}

// fail writes err as bilibili's error envelope.
func (h *Handler) fail(w http.ResponseWriter, rt *route, err error) {
	var e *im.Error
	if !errors.As(err, &e) || e == im.ErrServer {
		if !errors.As(err, &e) {
			h.log.Error("request failed", "path", rt.path, "err", err)
		}
		e = im.ErrServer
		if rt.sysErr != nil {
			e = rt.sysErr
		}
	}
	data := jsonNull
	if rt.errData == dataAbsent || (rt.bareRequestErrors && isRequestError(e)) {
		data = nil
	}
	writeEnvelope(w, http.StatusOK, rt.fam, e.Code, e.Message, data)
}

// isRequestError reports the errors about the request itself rather than the endpoint's
// rules: not logged in, csrf, malformed request.
func isRequestError(e *im.Error) bool {
	return e == im.ErrNotLoggedIn || e == im.ErrCSRF || e == im.ErrBadRequest
}
