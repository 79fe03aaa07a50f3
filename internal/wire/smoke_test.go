package wire_test

import (
	"testing"

	"github.com/bilimsg/bilimsg/internal/testkit"
)

func TestSmokeSendAndUnread(t *testing.T) {
	s := testkit.Start(t, testkit.Options{})
	a := s.NewUser(1001, "a")
	b := s.NewUser(1002, "b")
	s.Follow(b.Mid, a.Mid, true)
	s.SendText(a, b.Mid, "hi [doge]")
	r := s.Get(b, testkit.PathSingleUnread, nil)
	var d struct {
		Follow int `json:"follow_unread"`
	}
	r.Data(t, &d)
	if d.Follow != 1 {
		t.Fatalf("follow_unread = %d, want 1: %s", d.Follow, r.Body)
	}
}
