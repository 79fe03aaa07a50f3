package testkit

import (
	"testing"
	"time"
)

// Eventually polls cond every few milliseconds until it holds, failing the test with
// what after timeout. It is for waiting on another goroutine or process whose progress
// the test can only observe from outside (a bot answering over HTTP); when the code
// under test can signal, wait on a channel instead.
func Eventually(tb testing.TB, timeout time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("after %v: still waiting for %s", timeout, what)
		}
		<-tick.C
	}
}
