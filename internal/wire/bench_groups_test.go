package wire_test

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/bilimsg/bilimsg/internal/im"
	"github.com/bilimsg/bilimsg/internal/testkit"
)

// BenchmarkGroup measures fan groups through HTTP in a group of 10 members and in one of
// 100,000, to show that read diffusion keeps a send's cost independent of the group's
// size (docs/groups.md, docs/performance.md):
//
//   - send: members send texts to the group concurrently (64 of them; 9 in the small group);
//   - send_mention: the same, each text @-mentioning another member, which also writes
//     that member's at_seqno;
//   - get_sessions / my_group_unread: a member reads their session list (category 4) and
//     their group unread count while the group is busy with messages they have not read.
//
// The group is set up once per size (the parent benchmark runs once); the 100,000-member
// setup takes some seconds.
func BenchmarkGroup(b *testing.B) {
	for _, n := range []int{10, 100_000} {
		s, gid, senders := groupFixture(b, n)
		b.Run(fmt.Sprintf("members=%d/send", n), func(b *testing.B) {
			benchGroupSends(b, s, gid, senders, func(int) string { return "大家好 [doge]" })
		})
		b.Run(fmt.Sprintf("members=%d/send_mention", n), func(b *testing.B) {
			benchGroupSends(b, s, gid, senders, func(i int) string {
				return "@g" + strconv.Itoa((i+1)%len(senders)) + " 你好"
			})
		})
		reader := senders[len(senders)-1]
		client := benchClient()
		b.Run(fmt.Sprintf("members=%d/get_sessions", n), func(b *testing.B) {
			q := url.Values{"session_type": {"4"}}
			for b.Loop() {
				get(b, client, s, reader, testkit.PathGetSessions, q)
			}
		})
		b.Run(fmt.Sprintf("members=%d/my_group_unread", n), func(b *testing.B) {
			for b.Loop() {
				get(b, client, s, reader, testkit.PathMyGroupUnread, nil)
			}
		})
	}
}

// groupFixture starts a server with a group of n members, up to 64 of whom (g0…g63)
// are logged in to send. Members are created and joined through the service in batches:
// 100,000 joins through the operator API one by one would take minutes.
func groupFixture(b *testing.B, n int) (*testkit.Server, uint64, []testkit.User) {
	s := testkit.Start(b, testkit.Options{})
	svc := s.App.Service
	ctx := context.Background()
	owner := s.NewUser(5_000_000, "owner")
	gid := s.NewGroup(owner.Mid, "bench")
	senders := make([]testkit.User, min(64, n-1))
	for i := range senders {
		senders[i] = s.NewUser(uint64(5_000_001+i), "g"+strconv.Itoa(i))
	}
	mids := make([]uint64, 0, n)
	for i := range senders {
		mids = append(mids, senders[i].Mid)
	}
	rest := make(chan uint64, 1024)
	var wg sync.WaitGroup
	var failed atomic.Value
	for range 32 {
		wg.Go(func() {
			for mid := range rest {
				if _, err := svc.CreateUser(ctx, im.NewUser{Mid: mid, Name: "m" + strconv.FormatUint(mid, 10)}); err != nil {
					failed.Store(err)
				}
			}
		})
	}
	for i := len(mids) + 1; i < n; i++ { // the owner is the n-th member
		mid := uint64(6_000_000 + i)
		mids = append(mids, mid)
		rest <- mid
	}
	close(rest)
	wg.Wait()
	if err := failed.Load(); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < len(mids); i += im.MaxJoinBatch {
		if _, err := svc.JoinGroup(ctx, gid, mids[i:min(i+im.MaxJoinBatch, len(mids))]); err != nil {
			b.Fatal(err)
		}
	}
	g, err := svc.GetGroup(ctx, gid)
	if err != nil || g.Members != int64(n) {
		b.Fatalf("group has %d members, want %d (%v)", g.Members, n, err)
	}
	return s, gid, senders
}

// benchGroupSends sends text(i) from senders[i] to the group, one goroutine per sender.
func benchGroupSends(b *testing.B, s *testkit.Server, gid uint64, senders []testkit.User, text func(int) string) {
	client := benchClient()
	var next atomic.Int64
	b.SetParallelism(parallelism)
	b.ResetTimer()
	cpu0, cpuOK := testkit.ProcessCPU()
	b.RunParallel(func(pb *testing.PB) {
		i := int(next.Add(1)-1) % len(senders)
		from := senders[i]
		form := testkit.GroupForm(from.Mid, gid, 1, testkit.Text(text(i)))
		form.Set("csrf", from.BiliJct)
		enc := form.Encode()
		for pb.Next() {
			if body := post(b, client, s, from, testkit.PathSendMsg, enc); !bytes.HasPrefix(body, okPrefix) {
				b.Errorf("send %d→group %d: %s", from.Mid, gid, body)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sends/s")
	testkit.ReportCPU(b, cpu0, cpuOK)
}
