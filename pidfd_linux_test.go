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
		p := mustMake(t, rt, ProcessArgs{Name: "true", Command: []string{"true"}})
		if !p.pidfd.open() {
			t.Fatal("a Runtime's first child has no pidfd")
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
		if p.pidfd.open() {
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
	open := rt.loop.pidfds
	for _, p := range ps {
		if p.pidfd.open() {
			open--
		}
	}
	rt.mu.Unlock()
	if open != 0 || rt.loop.pidfds != 0 {
		t.Errorf("%d pidfds open with %d children (count off by %d)", rt.loop.pidfds, len(ps), open)
	}
	for _, p := range ps {
		p.Kill(false)
	}
	for _, p := range ps {
		waitExit(t, p)
	}
	next := mustMake(t, rt, ProcessArgs{Name: "true", Command: []string{"true"}})
	if !next.pidfd.open() {
		t.Error("with its fleet gone, a new child has no pidfd")
	}
	waitExit(t, next)
}
