package store

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestMentionsRoundTrip(t *testing.T) {
	cases := []struct {
		mids []uint64
		want string
	}{
		{nil, ""},
		{[]uint64{}, ""},
		{[]uint64{0}, "0"},
		{[]uint64{844424930131966}, "844424930131966"},
		{[]uint64{3, 1, 2}, "3,1,2"}, // order kept
		{[]uint64{5, 5, 1}, "5,5,1"}, // duplicates kept
		{[]uint64{1<<53 + 1, 1<<63 - 1, 1 << 63, 1<<64 - 1},
			"9007199254740993,9223372036854775807,9223372036854775808,18446744073709551615"},
	}
	for _, c := range cases {
		s := JoinMentions(c.mids)
		if s != c.want {
			t.Errorf("JoinMentions(%v) = %q, want %q", c.mids, s, c.want)
		}
		got := Message{Mentions: s}.AtUIDs()
		if len(c.mids) == 0 {
			if got != nil {
				t.Errorf("AtUIDs of %q = %v, want nil", s, got)
			}
			continue
		}
		if !slices.Equal(got, c.mids) {
			t.Errorf("AtUIDs(JoinMentions(%v)) = %v", c.mids, got)
		}
	}

	// Random lists round-trip too.
	r := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		mids := make([]uint64, 1+r.IntN(20))
		for i := range mids {
			mids[i] = r.Uint64() >> r.IntN(64)
		}
		if got := (Message{Mentions: JoinMentions(mids)}).AtUIDs(); !slices.Equal(got, mids) {
			t.Fatalf("AtUIDs(JoinMentions(%v)) = %v", mids, got)
		}
	}

	// A Message with mentions stays comparable, and equal messages compare equal.
	a := Message{Key: 1, Mentions: JoinMentions([]uint64{1, 2})}
	if b := (Message{Key: 1, Mentions: "1,2"}); a != b {
		t.Errorf("%+v != %+v", a, b)
	}
}

// TestAtUIDsSkipsGarbage: a field that is not a decimal uint64 is skipped, not fatal.
func TestAtUIDsSkipsGarbage(t *testing.T) {
	cases := []struct {
		in   string
		want []uint64
	}{
		{"", nil},
		{",", nil},
		{"x", nil},
		{"1,,2", []uint64{1, 2}},
		{"1,x,2", []uint64{1, 2}},
		{"-1,3", []uint64{3}},
		{" 1,2", []uint64{2}},
		{"18446744073709551616,7", []uint64{7}}, // 2^64 overflows
	}
	for _, c := range cases {
		if got := (Message{Mentions: c.in}).AtUIDs(); !slices.Equal(got, c.want) {
			t.Errorf("AtUIDs of %q = %v, want %v", c.in, got, c.want)
		}
	}
}
