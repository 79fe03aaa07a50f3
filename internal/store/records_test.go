package store

import (
	"math"
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

// TestBucket: a session's unread messages count in exactly one single_unread counter; a
// system account's session (SystemType ≠ 0) counts in Biz whatever its other flags.
func TestBucket(t *testing.T) {
	cases := []struct {
		name string
		s    Session
		want Counters
	}{
		{"unfollowed", Session{Unread: 3}, Counters{Unfollow: 3}},
		{"followed", Session{Unread: 3, IsFollow: true}, Counters{Follow: 3}},
		{"dustbin", Session{Unread: 3, Intercept: true}, Counters{Dustbin: 3}},
		{"followed dustbin", Session{Unread: 3, Intercept: true, IsFollow: true}, Counters{Dustbin: 3}},
		{"system", Session{Unread: 4, SystemType: 7, IsFollow: true}, Counters{Biz: 4}},
		{"system unfollowed", Session{Unread: 4, SystemType: 1}, Counters{Biz: 4}},
		{"system intercepted", Session{Unread: 4, SystemType: 9, Intercept: true, IsFollow: true}, Counters{Biz: 4}},
		{"system hidden dnd", Session{Unread: 2, SystemType: 9, Hidden: true, IsDnd: true}, Counters{Biz: 2}},
		{"customer service", Session{Unread: 3, SystemType: SystemCustomerService}, Counters{Custom: 3}},
		{"system type not 1 7 8 9", Session{Unread: 1, SystemType: 1000}, Counters{Biz: 1}},
		{"system type negative", Session{Unread: 1, SystemType: -1}, Counters{Biz: 1}},
		{"system read", Session{SystemType: 7, IsFollow: true}, Counters{}},
		{"read", Session{IsFollow: true}, Counters{}},
		{"big", Session{Unread: math.MaxInt64, SystemType: 7}, Counters{Biz: math.MaxInt64}},
		{"negative", Session{Unread: -5, SystemType: 7}, Counters{Biz: -5}},
	}
	for _, c := range cases {
		got := c.s.Bucket()
		if got != c.want {
			t.Errorf("%s: Bucket of %+v = %+v, want %+v", c.name, c.s, got, c.want)
		}
		if sum := got.Follow + got.Unfollow + got.Dustbin + got.Biz + got.Custom; sum != c.s.Unread {
			t.Errorf("%s: the buckets add up to %d, Unread is %d", c.name, sum, c.s.Unread)
		}
		if got.IsZero() != (c.s.Unread == 0) {
			t.Errorf("%s: IsZero = %v with Unread %d", c.name, got.IsZero(), c.s.Unread)
		}
		// The delta of a session whose unread messages are read is the bucket's negation.
		read := c.s
		read.Unread = 0
		if d := read.Bucket().Add(c.s.Bucket().Neg()); d != c.want.Neg() {
			t.Errorf("%s: delta of reading = %+v, want %+v", c.name, d, c.want.Neg())
		}
	}
	// A session that becomes a system session moves its unread count from its old bucket
	// to Biz: the delta the domain adds to the counters.
	before := Session{Unread: 2, IsFollow: true}
	after := before
	after.SystemType, after.Unread = 7, 3
	if d, want := after.Bucket().Add(before.Bucket().Neg()), (Counters{Follow: -2, Biz: 3}); d != want {
		t.Errorf("delta of becoming a system session = %+v, want %+v", d, want)
	}
}

// TestCountersArithmetic: Add, Neg and IsZero cover every counter, Biz included.
func TestCountersArithmetic(t *testing.T) {
	a := Counters{Follow: 1, Unfollow: -2, Dustbin: 3, Biz: 4}
	b := Counters{Follow: 10, Unfollow: 20, Dustbin: -30, Biz: 40}
	if got, want := a.Add(b), (Counters{Follow: 11, Unfollow: 18, Dustbin: -27, Biz: 44}); got != want {
		t.Errorf("%+v + %+v = %+v, want %+v", a, b, got, want)
	}
	if got, want := a.Neg(), (Counters{Follow: -1, Unfollow: 2, Dustbin: -3, Biz: -4}); got != want {
		t.Errorf("-%+v = %+v, want %+v", a, got, want)
	}
	if a.Add(b) != b.Add(a) {
		t.Errorf("Add is not commutative")
	}
	for _, c := range []Counters{a, b, {Biz: 1}, {Biz: math.MinInt64 + 1}, {Biz: math.MaxInt64}, {Custom: 1}, {Custom: -7}} {
		if !c.Add(c.Neg()).IsZero() {
			t.Errorf("%+v + -%+v = %+v, not zero", c, c, c.Add(c.Neg()))
		}
		if c.IsZero() {
			t.Errorf("%+v IsZero", c)
		}
		if c.Neg().Neg() != c {
			t.Errorf("--%+v = %+v", c, c.Neg().Neg())
		}
		if c.Add(Counters{}) != c {
			t.Errorf("%+v + 0 = %+v", c, c.Add(Counters{}))
		}
	}
	if !(Counters{}).IsZero() || (Counters{Biz: -1}).IsZero() {
		t.Errorf("IsZero wrong about Biz")
	}
	// Random sums are componentwise, Biz included.
	r := rand.New(rand.NewPCG(3, 4))
	for range 1000 {
		x := Counters{r.Int64N(1 << 40), r.Int64N(1 << 40), r.Int64N(1 << 40), r.Int64N(1<<40) - 1<<39, r.Int64N(1 << 40)}
		y := Counters{r.Int64N(1 << 40), r.Int64N(1 << 40), r.Int64N(1 << 40), r.Int64N(1<<40) - 1<<39, r.Int64N(1 << 40)}
		s := x.Add(y)
		if s.Biz != x.Biz+y.Biz || s.Custom != x.Custom+y.Custom || s.Follow != x.Follow+y.Follow || s.Add(y.Neg()) != x {
			t.Fatalf("%+v + %+v = %+v", x, y, s)
		}
	}
}
