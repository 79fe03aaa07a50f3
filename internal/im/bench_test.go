package im_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bilimsg/bilimsg/internal/emoji"
	"github.com/bilimsg/bilimsg/internal/im"
	"github.com/bilimsg/bilimsg/internal/store/sqlite"
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
	cpu0, cpuOK := processCPU()
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
	reportCPU(b, cpu0, cpuOK)
}

// processCPU returns the CPU time (user + system) this process has used so far, read from
// /proc/self/stat in clock ticks of 10 ms (Linux's USER_HZ); ok is false elsewhere. Wall
// time on a shared machine moves with other load; CPU time per operation moves much less.
func processCPU() (d time.Duration, ok bool) {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0, false
	}
	// The command name (field 2) may contain spaces; fields 14 and 15 follow its ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, false
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(ut+st) * 10 * time.Millisecond, true
}

// reportCPU adds a "cpu-µs/op" metric: the process's CPU time since start per operation,
// across all goroutines (with GOMAXPROCS cores, throughput can't exceed cores ÷ that).
func reportCPU(b *testing.B, start time.Duration, ok bool) {
	if end, ok2 := processCPU(); ok && ok2 && b.N > 0 {
		b.ReportMetric(float64(end-start)/float64(time.Microsecond)/float64(b.N), "cpu-µs/op")
	}
}
