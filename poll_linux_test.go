package eproc

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// osThreads is the number of threads of this process.
func osThreads(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Threads:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no Threads line in /proc/self/status")
	return 0
}

// TestPollerWaitHoldsNoThread: a goroutine waiting in the poller is
// parked in the Go runtime's network poller, as a goroutine reading a
// net.Conn is, and holds no OS thread. Blocked in epoll_wait, each of the
// waiting Runtimes below would hold a thread of its own (the runtime
// starts a new one for the other goroutines), about 20 more in all.
func TestPollerWaitHoldsNoThread(t *testing.T) {
	const n = 20
	base := osThreads(t)
	ctx, cancel := context.WithCancel(context.Background())
	rts := make([]*Runtime, n)
	done := make(chan struct{}, n)
	for i := range rts {
		rts[i] = newRuntime(t, Config{})
		go func() { rts[i].Run(ctx); done <- struct{}{} }()
	}
	defer func() {
		cancel()
		for range rts {
			<-done
		}
	}()
	// Every Runtime has its leader in the poller: with blocking waits, the
	// last one gets there only once the others hold a thread each.
	deadline := time.Now().Add(longWait)
	for _, rt := range rts {
		for {
			rt.mu.Lock()
			polling := rt.loop.polling
			rt.mu.Unlock()
			if polling {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("timed out waiting for the Runtimes to wait in their pollers")
			}
			runtime.Gosched()
		}
	}
	if got := osThreads(t); got-base >= n/2 {
		t.Errorf("%d Runtimes waiting in their pollers: %d threads, %d before", n, got, base)
	}
}
