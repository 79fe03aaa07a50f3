package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/coder/websocket"
)

// The live-event stream of a bilimsg server (docs/events.md): bilimsg's own extension,
// which bilibili does not have. The Watcher uses it, with WatchOptions.Live, to poll as
// soon as something happens instead of at its next interval.

// StreamEvent is one frame of the stream: the hello first (Type "hello", with Epoch and
// Reset), then events ("message", "session", "notification") numbered by Seq.
type StreamEvent struct {
	Type  string          `json:"type"`
	Seq   uint64          `json:"seq"`
	Epoch string          `json:"epoch,omitempty"`
	Reset bool            `json:"reset,omitempty"`
	Data  json.RawMessage `json:"data"`
}

// ErrNoStream: the server has no live-event stream (bilibili itself, or an older bilimsg).
var ErrNoStream = errors.New("client: the server has no live-event stream")

// EventStream is an open connection to the stream.
type EventStream struct {
	conn *websocket.Conn
}

// Stream connects to the live-event stream. epoch and after resume from a position
// (epoch "": from now; the hello then says Reset). The stream carries no more than the
// API does: a client that misses events loses only time.
func (c *Client) Stream(ctx context.Context, epoch string, after uint64) (*EventStream, error) {
	u := *c.vc
	switch u.Scheme {
	case "https":
		u.Scheme = "wss"
	default:
		u.Scheme = "ws"
	}
	u.Path = c.vc.Path + "/bilimsg/v1/events"
	if epoch != "" {
		u.RawQuery = url.Values{"epoch": {epoch}, "after": {strconv.FormatUint(after, 10)}}.Encode()
	}
	h := http.Header{}
	if ck := c.cookieHeader(); ck != "" {
		h.Set("Cookie", ck)
	}
	if c.ua != "" {
		h.Set("User-Agent", c.ua)
	}
	conn, resp, err := websocket.Dial(ctx, u.String(), &websocket.DialOptions{HTTPClient: c.hc, HTTPHeader: h})
	if err != nil {
		if resp != nil {
			switch resp.StatusCode {
			case http.StatusNotFound:
				return nil, ErrNoStream
			case http.StatusUnauthorized:
				return nil, &Error{Code: CodeNotLoggedIn, Message: "账号未登录", Endpoint: "events", HTTPStatus: resp.StatusCode}
			}
			return nil, fmt.Errorf("client: events: HTTP %d: %w", resp.StatusCode, err)
		}
		return nil, fmt.Errorf("client: events: %w", err)
	}
	conn.SetReadLimit(maxBody)
	return &EventStream{conn: conn}, nil
}

// Next waits for the next frame.
func (s *EventStream) Next(ctx context.Context) (StreamEvent, error) {
	_, b, err := s.conn.Read(ctx)
	if err != nil {
		return StreamEvent{}, fmt.Errorf("client: events: %w", err)
	}
	var ev StreamEvent
	if err := json.Unmarshal(b, &ev); err != nil || ev.Type == "" {
		return StreamEvent{}, fmt.Errorf("client: events: a frame that is not an event: %s", snippet(b))
	}
	return ev, nil
}

// Close ends the connection.
func (s *EventStream) Close() error { return s.conn.Close(websocket.StatusNormalClosure, "") }
