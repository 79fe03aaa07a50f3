package wire

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/coder/websocket"

	"github.com/bilimsg/bilimsg/internal/events"
	"github.com/bilimsg/bilimsg/internal/im"
)

// The live-event stream (docs/events.md): bilimsg's own extension, a WebSocket at
// /bilimsg/v1/events authenticated by the same cookies as the API.

// Events is the domain's Publisher over a hub: it encodes each event as the stream's
// JSON, with bilibili's message object for messages.
type Events struct{ Hub *events.Hub }

// Listening implements im.Publisher.
func (e Events) Listening(mids []uint64) []uint64 { return e.Hub.Listening(mids) }

// Streams implements im.Publisher.
func (e Events) Streams() []uint64 { return e.Hub.Streams() }

type eventMessageJSON struct {
	TalkerID    uint64      `json:"talker_id"`
	SessionType int         `json:"session_type"`
	UnreadCount *int64      `json:"unread_count,omitempty"` // absent for fan groups
	IsIntercept int         `json:"is_intercept"`           // the session is in the dustbin
	Message     messageJSON `json:"message"`
}

type eventSessionJSON struct {
	TalkerID    uint64 `json:"talker_id"`
	SessionType int    `json:"session_type"`
	UnreadCount int64  `json:"unread_count"`
	AckSeqno    uint64 `json:"ack_seqno"`
	TopTs       int64  `json:"top_ts"`
	IsDnd       int    `json:"is_dnd"`
	IsIntercept int    `json:"is_intercept"`
	Removed     int    `json:"removed"`
}

// Publish implements im.Publisher.
func (e Events) Publish(mid uint64, ev im.Event) {
	var data any
	switch ev.Kind {
	case im.EventMessage:
		d := eventMessageJSON{TalkerID: ev.Talker, SessionType: ev.Type, IsIntercept: b01(ev.Intercept),
			Message: toMessageJSON(*ev.Message)}
		if ev.Unread >= 0 {
			d.UnreadCount = &ev.Unread
		}
		data = d
	case im.EventSession:
		st := ev.Session
		data = eventSessionJSON{TalkerID: ev.Talker, SessionType: ev.Type, UnreadCount: max(ev.Unread, 0),
			AckSeqno: st.AckSeqno, TopTs: st.TopTs, IsDnd: b01(st.IsDnd), IsIntercept: b01(st.Intercept),
			Removed: b01(st.Removed)}
	case im.EventNotification:
		data = struct {
			Feed string `json:"feed"`
		}{ev.Feed}
	default:
		return
	}
	b, err := json.Marshal(data)
	if err != nil {
		return // our own types: cannot fail
	}
	e.Hub.Publish([]uint64{mid}, string(ev.Kind), b)
}

// EventStream serves the WebSocket.
type EventStream struct {
	svc *im.Service
	hub *events.Hub
	log *slog.Logger
	// Ping is how often an idle connection is pinged (a dead one is noticed within
	// Ping + its timeout) and its login checked again (an ended login's stream is
	// closed with 1008 within Ping); 0: 30 s.
	Ping time.Duration
}

// NewEventStream builds the stream's handler.
func NewEventStream(svc *im.Service, hub *events.Hub, log *slog.Logger) *EventStream {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &EventStream{svc: svc, hub: hub, log: log, Ping: 30 * time.Second}
}

// helloJSON is the first frame of a connection.
type helloJSON struct {
	Type  string `json:"type"` // "hello"
	Epoch string `json:"epoch"`
	Seq   uint64 `json:"seq"`
	Reset bool   `json:"reset"`
	Data  struct {
		Mid uint64 `json:"mid"`
	} `json:"data"`
}

// ServeHTTP authenticates (SESSDATA: else HTTP 401 with -101), subscribes (at most a
// few connections per user: else HTTP 429 with -509), upgrades (a page of another site
// is refused: the Origin must be this host), and then writes: the hello, the events
// the client missed since ?epoch=&after=, and the live events. Nothing is read from the
// client; a stuck client is disconnected and may resume.
func (s *EventStream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Date", s.svc.Clock().Now().UTC().Format(http.TimeFormat))
	if r.Method != http.MethodGet {
		writeEnvelope(w, http.StatusMethodNotAllowed, x, im.ErrBadRequest.Code, im.ErrBadRequest.Message, nil)
		return
	}
	me, err := s.svc.Authenticate(r.Context(), sessdata(r))
	var e *im.Error
	if errors.As(err, &e) && e == im.ErrNotLoggedIn {
		writeEnvelope(w, http.StatusUnauthorized, x, e.Code, e.Message, nil)
		return
	}
	if err != nil {
		writeEnvelope(w, http.StatusInternalServerError, x, im.ErrServer.Code, im.ErrServer.Message, nil)
		return
	}
	q := r.URL.Query()
	var after uint64
	if v := q.Get("after"); v != "" {
		if after, err = strconv.ParseUint(v, 10, 64); err != nil {
			writeEnvelope(w, http.StatusBadRequest, x, im.ErrBadRequest.Code, im.ErrBadRequest.Message, nil)
			return
		}
	}
	sub, hello, err := s.hub.Subscribe(me.Mid, q.Get("epoch"), after)
	if errors.Is(err, events.ErrTooManyConns) {
		writeEnvelope(w, http.StatusTooManyRequests, x, im.ErrTooManyLogins.Code, im.ErrTooManyLogins.Message, nil)
		return
	}
	defer sub.Close()
	c, err := websocket.Accept(w, r, nil) // checks that Origin is this host
	if err != nil {
		return // Accept answered the client
	}
	defer c.CloseNow()
	ctx := c.CloseRead(r.Context()) // ends when the client goes away
	h := helloJSON{Type: "hello", Epoch: hello.Epoch, Seq: hello.Seq, Reset: hello.Reset}
	h.Data.Mid = me.Mid
	if err := s.write(ctx, c, h); err != nil {
		return
	}
	for _, ev := range hello.Missed {
		if err := s.write(ctx, c, ev); err != nil {
			return
		}
	}
	ping := time.NewTicker(s.Ping)
	defer ping.Stop()
	for {
		select {
		case ev, ok := <-sub.C:
			if !ok {
				c.Close(websocket.StatusTryAgainLater, "too slow: resume with epoch and after")
				return
			}
			if err := s.write(ctx, c, ev); err != nil {
				return
			}
		case <-ping.C:
			// A login that ended (logout here or elsewhere) must not keep receiving a
			// user's messages: the stream checks it as often as it pings (a cache hit).
			if _, err := s.svc.Authenticate(ctx, sessdata(r)); errors.Is(err, im.ErrNotLoggedIn) {
				c.Close(websocket.StatusPolicyViolation, "login ended")
				return
			}
			pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			err := c.Ping(pctx)
			cancel()
			if err != nil {
				return
			}
		case <-ctx.Done():
			return
		}
	}
}

func (s *EventStream) write(ctx context.Context, c *websocket.Conn, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return c.Write(wctx, websocket.MessageText, b)
}
