package wire_test

// Benchmarks of the bilibili API through real HTTP over loopback (testkit), on the SQLite
// store with group commit, a fake clock and no rate limits. docs/performance.md has the
// numbers and the commands.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/bilimsg/bilimsg/internal/im"
	"github.com/bilimsg/bilimsg/internal/testkit"
)

// benchClient keeps one idle connection per goroutine; the default transport keeps two,
// so a parallel benchmark would mostly measure TCP handshakes.
func benchClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024}}
}

var okPrefix = []byte(`{"code":0,`)

// post sends a form as u and returns the body; it fails b on transport errors.
func post(b *testing.B, c *http.Client, s *testkit.Server, u testkit.User, path, form string) []byte {
	req, _ := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "SESSDATA", Value: u.SESSDATA})
	resp, err := c.Do(req)
	if err != nil {
		b.Error(err)
		return nil
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		b.Error(err)
	}
	return body
}

func get(b *testing.B, c *http.Client, s *testkit.Server, u testkit.User, path string, q url.Values) []byte {
	req, _ := http.NewRequest(http.MethodGet, s.URL+path+"?"+q.Encode(), nil)
	req.AddCookie(&http.Cookie{Name: "SESSDATA", Value: u.SESSDATA})
	resp, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || !bytes.HasPrefix(body, okPrefix) {
		b.Fatalf("GET %s: %v %d %s", path, err, resp.StatusCode, body)
	}
	return body
}

// parallelism is b.SetParallelism's factor: 16 goroutines per GOMAXPROCS keep both cores
// of the reference machine busy while requests wait on the writer's group commit.
const parallelism = 16

// BenchmarkSendMsgHTTP measures send_msg throughput: many distinct sender→receiver pairs
// that follow each other (no rule refuses), each goroutine sending on its own pair.
func BenchmarkSendMsgHTTP(b *testing.B) {
	s := testkit.Start(b, testkit.Options{})
	svc := s.App.Service
	ctx := context.Background()
	const pairs = 128
	users := make([]testkit.User, 2*pairs)
	for i := range users {
		users[i] = s.NewUser(uint64(3_000_000+i), "bench"+strconv.Itoa(i))
	}
	for i := 0; i < pairs; i++ {
		a, c := users[2*i].Mid, users[2*i+1].Mid
		if err := svc.Follow(ctx, a, c, true); err != nil {
			b.Fatal(err)
		}
		if err := svc.Follow(ctx, c, a, true); err != nil {
			b.Fatal(err)
		}
	}
	benchSends(b, s, users, testkit.Text("你好，催更 [doge]"))
}

// benchSends runs the parallel send loop of the send_msg benchmarks: each goroutine sends
// content on its own direction of one of the pairs (users[2i], users[2i+1]).
func benchSends(b *testing.B, s *testkit.Server, users []testkit.User, content string) {
	client := benchClient()
	var next atomic.Int64
	b.SetParallelism(parallelism)
	b.ResetTimer()
	cpu0, cpuOK := testkit.ProcessCPU()
	b.RunParallel(func(pb *testing.PB) {
		i := int(next.Add(1)-1) % len(users)
		from, to := users[i], users[i^1] // each goroutine: one direction of one pair
		form := testkit.SendForm(from.Mid, to.Mid, 1, content)
		form.Set("csrf", from.BiliJct)
		form.Set("csrf_token", from.BiliJct)
		enc := form.Encode()
		for pb.Next() {
			if body := post(b, client, s, from, testkit.PathSendMsg, enc); !bytes.HasPrefix(body, okPrefix) {
				b.Errorf("send %d→%d: %s", from.Mid, to.Mid, body)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sends/s")
	testkit.ReportCPU(b, cpu0, cpuOK)
}

// sendMany delivers n texts from→to through the service, concurrently so that the writer
// batches them; the order of the texts does not matter to the benchmarks.
func sendMany(b *testing.B, svc *im.Service, pairs [][2]uint64) {
	ctx := context.Background()
	work := make(chan [2]uint64, 1024)
	var wg sync.WaitGroup
	var failed atomic.Value
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range work {
				_, err := svc.Send(ctx, im.SendRequest{Sender: p[0], ReceiverType: 1, Receiver: p[1], MsgType: 1,
					Content: `{"content":"history [doge]"}`, NewFaceVersion: 1})
				if err != nil {
					failed.Store(err)
				}
			}
		}()
	}
	for _, p := range pairs {
		work <- p
	}
	close(work)
	wg.Wait()
	if err := failed.Load(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkGetSessions lists 20 sessions of a user who has 1,000, both the newest page
// and a page deep in the list (end_ts of the 800th session).
func BenchmarkGetSessions(b *testing.B) {
	s := testkit.Start(b, testkit.Options{})
	svc := s.App.Service
	ctx := context.Background()
	owner := s.NewUser(4_000_000, "owner")
	const n = 1000
	var pairs [][2]uint64
	for i := range n {
		mid := uint64(4_000_001 + i)
		if _, err := svc.CreateUser(ctx, im.NewUser{Mid: mid, Name: "t" + strconv.Itoa(i)}); err != nil {
			b.Fatal(err)
		}
		pairs = append(pairs, [2]uint64{mid, owner.Mid}) // a first message is always allowed
	}
	sendMany(b, svc, pairs)
	all, err := svc.ListSessions(ctx, owner.Mid, im.ListParams{Category: 4, Size: n + 1})
	if err != nil || len(all.Sessions) != n {
		b.Fatalf("owner has %d sessions (%v), want %d", len(all.Sessions), err, n)
	}
	deep := strconv.FormatInt(all.Sessions[799].SessionTs, 10)
	c := benchClient()
	for _, bc := range []struct {
		name string
		q    url.Values
	}{
		{"newest", url.Values{"session_type": {"4"}, "size": {"20"}}},
		{"deep", url.Values{"session_type": {"4"}, "size": {"20"}, "end_ts": {deep}}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			if body := get(b, c, s, owner, testkit.PathGetSessions, bc.q); bytes.Count(body, []byte(`"talker_id"`)) != 20 {
				b.Fatalf("want 20 sessions: %.300s", body)
			}
			for b.Loop() {
				get(b, c, s, owner, testkit.PathGetSessions, bc.q)
			}
		})
	}
}

// BenchmarkFetchSessionMsgs reads 20 messages of a conversation with 100 and with 10,000
// messages: the newest page, and a page deep in history (end_seqno near the oldest). The
// cost must not grow with the history.
func BenchmarkFetchSessionMsgs(b *testing.B) {
	s := testkit.Start(b, testkit.Options{})
	svc := s.App.Service
	ctx := context.Background()
	for _, size := range []int{100, 10_000} {
		a := s.NewUser(uint64(5_000_000+2*size), "a")
		r := s.NewUser(uint64(5_000_001+2*size), "r")
		if err := svc.Follow(ctx, r.Mid, a.Mid, true); err != nil {
			b.Fatal(err)
		}
		pairs := make([][2]uint64, size)
		for i := range pairs {
			pairs[i] = [2]uint64{a.Mid, r.Mid}
		}
		sendMany(b, svc, pairs)
		// Walk back to the message 50 above the oldest: the deep page ends there.
		var end uint64
		var seen int
		for {
			h, err := svc.FetchMessages(ctx, r.Mid, im.FetchParams{Talker: a.Mid, Type: 1, Size: 200, End: end})
			if err != nil {
				b.Fatal(err)
			}
			if seen+len(h.Messages) > size-50 {
				end = h.Messages[size-50-seen].Seqno
				break
			}
			seen += len(h.Messages)
			end = h.Messages[len(h.Messages)-1].Seqno
		}
		c := benchClient()
		talker := strconv.FormatUint(a.Mid, 10)
		for _, bc := range []struct {
			name string
			q    url.Values
		}{
			{"newest", url.Values{"talker_id": {talker}, "session_type": {"1"}, "size": {"20"}}},
			{"deep", url.Values{"talker_id": {talker}, "session_type": {"1"}, "size": {"20"},
				"end_seqno": {strconv.FormatUint(end, 10)}}},
		} {
			b.Run(fmt.Sprintf("history=%d/%s", size, bc.name), func(b *testing.B) {
				if body := get(b, c, s, r, testkit.PathFetchMsgs, bc.q); bytes.Count(body, []byte(`"msg_key"`)) != 20 {
					b.Fatalf("want 20 messages: %.300s", body)
				}
				for b.Loop() {
					get(b, c, s, r, testkit.PathFetchMsgs, bc.q)
				}
			})
		}
	}
}

// BenchmarkSingleUnread reads the unread counters of a user with 100 unread sessions.
func BenchmarkSingleUnread(b *testing.B) {
	s := testkit.Start(b, testkit.Options{})
	svc := s.App.Service
	ctx := context.Background()
	owner := s.NewUser(6_000_000, "owner")
	var pairs [][2]uint64
	for i := range 100 {
		mid := uint64(6_000_001 + i)
		if _, err := svc.CreateUser(ctx, im.NewUser{Mid: mid, Name: "t" + strconv.Itoa(i)}); err != nil {
			b.Fatal(err)
		}
		pairs = append(pairs, [2]uint64{mid, owner.Mid})
	}
	sendMany(b, svc, pairs)
	c := benchClient()
	q := url.Values{"show_dustbin": {"1"}}
	if body := get(b, c, s, owner, testkit.PathSingleUnread, q); !bytes.Contains(body, []byte(`"unfollow_unread":100`)) {
		b.Fatalf("want 100 unfollowed unread: %s", body)
	}
	for b.Loop() {
		get(b, c, s, owner, testkit.PathSingleUnread, q)
	}
}
