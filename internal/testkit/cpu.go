package testkit

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// ProcessCPU returns the CPU time (user + system) this process has used so far, read from
// /proc/self/stat in clock ticks of 10 ms (Linux's USER_HZ); ok is false elsewhere. Wall
// time on a shared machine moves with other load; CPU time per operation moves much less.
func ProcessCPU() (d time.Duration, ok bool) {
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

// ReportCPU adds a "cpu-µs/op" metric: the process's CPU time since start per operation,
// across all goroutines (with GOMAXPROCS cores, throughput can't exceed cores ÷ that).
func ReportCPU(b *testing.B, start time.Duration, ok bool) {
	if end, ok2 := ProcessCPU(); ok && ok2 && b.N > 0 {
		b.ReportMetric(float64(end-start)/float64(time.Microsecond)/float64(b.N), "cpu-µs/op")
	}
}
