package im_test

import (
	"context"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/internal/emoji"
	"github.com/bilimsg/bilimsg/internal/im"
	"github.com/bilimsg/bilimsg/internal/store/sqlite"
	"github.com/bilimsg/bilimsg/internal/testkit"
)

// BenchmarkSend measures im.Service.Send on the SQLite store without HTTP: many distinct
// pairs that follow each other, each goroutine sending on its own pair, no rate limits.
// Compare with wire's BenchmarkSendMsgHTTP to see what HTTP costs.
func BenchmarkSend(b *testing.B) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	svc := im.New(st, im.NewFakeClock(time.Date(2024, 6, 2, 8, 0, 0, 0, time.UTC)), emoji.MustLoad(), nil, im.Config{})
	const pairs = 128
	for i := range 2 * pairs {
		if _, err := svc.CreateUser(ctx, im.NewUser{Mid: uint64(3_000_000 + i), Name: "u" + strconv.Itoa(i)}); err != nil {
			b.Fatal(err)
		}
	}
	for i := range pairs {
		a, c := uint64(3_000_000+2*i), uint64(3_000_001+2*i)
		if err := svc.Follow(ctx, a, c, true); err != nil {
			b.Fatal(err)
		}
		if err := svc.Follow(ctx, c, a, true); err != nil {
			b.Fatal(err)
		}
	}
	var next atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	cpu0, cpuOK := testkit.ProcessCPU()
	b.RunParallel(func(pb *testing.PB) {
		i := uint64(next.Add(1)-1) % (2 * pairs)
		req := im.SendRequest{Sender: 3_000_000 + i, Receiver: 3_000_000 + (i ^ 1), ReceiverType: 1, MsgType: im.MsgText,
			Content: `{"content":"你好，催更 [doge]"}`, NewFaceVersion: 1}
		for pb.Next() {
			if _, err := svc.Send(ctx, req); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sends/s")
	testkit.ReportCPU(b, cpu0, cpuOK)
}
