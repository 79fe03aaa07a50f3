package wire_test

import (
	"net/url"
	"strconv"
	"testing"

	"github.com/bilimsg/bilimsg/internal/testkit"
)

// The mutual-follow greeting is sent in the new follower's name, but it is automatic:
// it cannot be recalled (10005), while a message the user wrote can.
func TestGreetingCannotBeRecalled(t *testing.T) {
	s := testkit.Start(t, testkit.Options{})
	a := s.NewUser(4001, "a")
	b := s.NewUser(4002, "b")
	s.Follow(b.Mid, a.Mid, true)
	s.Follow(a.Mid, b.Mid, true) // a completes the mutual follow: the greeting is from a
	h := s.Get(a, testkit.PathFetchMsgs, url.Values{"talker_id": {"4002"}, "session_type": {"1"}})
	var hist struct {
		Messages []struct {
			SenderUID uint64 `json:"sender_uid"`
			MsgKey    uint64 `json:"msg_key"`
			MsgSource int    `json:"msg_source"`
		} `json:"messages"`
	}
	h.Data(t, &hist)
	if len(hist.Messages) != 1 || hist.Messages[0].MsgSource != 17 || hist.Messages[0].SenderUID != a.Mid {
		t.Fatalf("want one greeting from a: %s", h.Body)
	}
	r := s.Post(a, testkit.PathSendMsg, testkit.SendForm(a.Mid, b.Mid, 5, strconv.FormatUint(hist.Messages[0].MsgKey, 10)))
	if c := r.Code(t); c != 10005 {
		t.Fatalf("recall of the greeting: code %d, want 10005: %s", c, r.Body)
	}
	own := s.SendText(a, b.Mid, "hi")
	r = s.Post(a, testkit.PathSendMsg, testkit.SendForm(a.Mid, b.Mid, 5, strconv.FormatUint(own, 10)))
	if c := r.Code(t); c != 0 {
		t.Fatalf("recall of an own message: code %d: %s", c, r.Body)
	}
}
