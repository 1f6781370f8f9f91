package eproc

import (
	"context"
	"sync"
	"syscall"
	"testing"
)

// A child's exit is collected by the goroutine waiting for it, woken by
// the child's pidfd, rather than by the reaper goroutine after SIGCHLD
// (pidfd_linux.go). The reaper still runs and may win a race now and
// then, so of 20 exits at least one must be the waiter's; with SIGCHLD
// alone none is.
func TestExitCollectedThroughPidFD(t *testing.T) {
	rt := newRuntime(t, Config{})
	var mu sync.Mutex
	collector := map[int]uintptr{}
	reapTrace = func(_ *Runtime, pid, got int, err error, _ syscall.WaitStatus) {
		if got == pid && err == nil {
			mu.Lock()
			collector[pid] = curG()
			mu.Unlock()
		}
	}
	defer func() { reapTrace = nil }()
	me, mine := curG(), 0
	for i := 0; i < 20; i++ {
		// cat lives until its input ends, so its pidfd is still open here
		// (the system's cat: a helper built with -race takes a second to exit).
		p := mustMake(t, rt, ProcessArgs{Name: "cat", Command: []string{"cat"}})
		rt.mu.Lock()
		open := p.pidfd.open()
		rt.mu.Unlock()
		if !open {
			t.Fatal("a Runtime's only child has no pidfd")
		}
		if err := p.SendEOF(); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), longWait)
		err := p.Wait(ctx)
		cancel()
		if err != nil {
			t.Fatalf("Wait: %v", err)
		}
		mu.Lock()
		if collector[p.pid] == me {
			mine++
		}
		mu.Unlock()
		rt.mu.Lock()
		open = p.pidfd.open()
		rt.mu.Unlock()
		if open {
			t.Errorf("spawn %d: the pidfd of a collected child is still open", i)
		}
	}
	if mine == 0 {
		t.Error("no exit of 20 was collected by the waiting goroutine")
	}
	t.Logf("%d of 20 exits collected by the waiter", mine)
}

// A Runtime that reaches pidfdMax children closes their pidfds, so a fleet
// keeps two descriptors per child; exits still arrive (through SIGCHLD).
func TestPidFDsDroppedForFleets(t *testing.T) {
	rt := newRuntime(t, Config{})
	var ps []*Process
	for i := 0; i < pidfdMax+2; i++ {
		ps = append(ps, mustMake(t, rt, helperArgs("long", "ready")))
	}
	rt.mu.Lock()
	count, open := rt.loop.pidfds, 0
	for _, p := range ps {
		if p.pidfd.open() {
			open++
		}
	}
	rt.mu.Unlock()
	if open != 0 || count != 0 {
		t.Errorf("%d pidfds open with %d children (counted %d)", open, len(ps), count)
	}
	for _, p := range ps {
		p.Kill(false)
	}
	for _, p := range ps {
		waitExit(t, p)
	}
	next := mustMake(t, rt, ProcessArgs{Name: "cat", Command: []string{"cat"}})
	rt.mu.Lock()
	nextOpen := next.pidfd.open()
	rt.mu.Unlock()
	if !nextOpen {
		t.Error("with its fleet gone, a new child has no pidfd")
	}
	next.SendEOF()
	waitExit(t, next)
}
