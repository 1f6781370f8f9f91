package eproc

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestAcceptProcessOutputSemantics(t *testing.T) {
	rt := newRuntime(t, Config{})
	var rec recorder
	a := helperArgs("apo", "trap", "0")
	a.Filter = rec.filter
	p := mustMake(t, rt, a)
	// M2: output arrives -> true.
	if !rt.AcceptProcessOutput(p, longWait, false) || rec.String() != "ready\n" {
		t.Fatalf("first accept: %q", rec.String())
	}
	// M1: nothing more -> false after the timeout.
	start := time.Now()
	if rt.AcceptProcessOutput(p, shortWait, false) {
		t.Error("accept with no output returned true")
	}
	if time.Since(start) < shortWait {
		t.Error("returned before the timeout")
	}
	// M6: just-this-one leaves other processes' output unread.
	var rec2 recorder
	a2 := helperArgs("other", "echo", "other")
	a2.Filter = rec2.filter
	q := mustMake(t, rt, a2)
	p.SendString("mine\n")
	if !rt.AcceptProcessOutput(p, longWait, true) {
		t.Fatal("just-this-one got nothing")
	}
	if rec2.String() != "" {
		t.Errorf("just-this-one read another process: %q", rec2.String())
	}
	waitExit(t, q)
	if rec2.String() != "other\n" {
		t.Errorf("other process output %q", rec2.String())
	}
	// M4: after exit, drained: false at once.
	p.SendEOF()
	waitExit(t, p)
	start = time.Now()
	if rt.AcceptProcessOutput(p, longWait, false) {
		t.Error("accept after exit returned true")
	}
	if time.Since(start) > longWait/2 {
		t.Error("accept after exit waited")
	}
}

func TestAcceptReturnsOnStatusChange(t *testing.T) {
	// M3: with no timeout, a process that exits without output ends the wait.
	rt := newRuntime(t, Config{})
	p := mustMake(t, rt, helperArgs("quiet", "exit", "0"))
	done := make(chan bool, 1)
	go func() { done <- rt.AcceptProcessOutput(p, -1, false) }()
	select {
	case got := <-done:
		if got {
			t.Error("returned true without output")
		}
	case <-time.After(longWait):
		t.Fatal("accept with no timeout did not return on exit")
	}
}

func TestReentrantAcceptFromFilter(t *testing.T) {
	// C10: a filter may call accept-process-output recursively.
	rt := newRuntime(t, Config{})
	var got []string
	depth := 0
	a := helperArgs("re", "trap", "0")
	a.Filter = func(p *Process, s string) {
		depth++
		defer func() { depth-- }()
		got = append(got, fmt.Sprintf("%d:%s", depth, s))
		if s == "ready\n" {
			p.SendString("b\n")
			rt.AcceptProcessOutput(p, longWait, false)
		}
	}
	p := mustMake(t, rt, a)
	rt.AcceptProcessOutput(p, longWait, false)
	if strings.Join(got, "") != "1:ready\n2:b\n" {
		t.Errorf("got %q", got)
	}
	p.Delete()
}

func TestConcurrentAcceptCallers(t *testing.T) {
	// Several goroutines accept at once; callbacks never overlap.
	rt := newRuntime(t, Config{})
	var active, maxActive, total int
	var mu sync.Mutex
	filter := func(p *Process, s string) {
		mu.Lock()
		active++
		maxActive = max(maxActive, active)
		total += len(s)
		mu.Unlock()
		time.Sleep(time.Millisecond) // widen the window for overlap
		mu.Lock()
		active--
		mu.Unlock()
	}
	var ps []*Process
	for i := 0; i < 8; i++ {
		a := helperArgs("c", "write", "200000")
		a.Filter = filter
		ps = append(ps, mustMake(t, rt, a))
	}
	var wg sync.WaitGroup
	for _, p := range ps {
		wg.Add(1)
		go func(p *Process) {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), longWait)
			defer cancel()
			if err := p.Wait(ctx); err != nil {
				t.Error(err)
			}
		}(p)
	}
	wg.Wait()
	if maxActive != 1 || total != 8*200000 {
		t.Errorf("max concurrent callbacks %d, total %d", maxActive, total)
	}
}

func TestWaitHonoursContext(t *testing.T) {
	rt := newRuntime(t, Config{})
	p := mustMake(t, rt, helperArgs("long", "ready"))
	ctx, cancel := context.WithTimeout(context.Background(), shortWait)
	defer cancel()
	if err := p.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Wait: %v", err)
	}
	p.Delete()
}

func TestRunDispatchesUntilCancelled(t *testing.T) {
	rt := newRuntime(t, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	var rec recorder
	a := helperArgs("run", "echo", "x")
	a.Filter = rec.filter
	a.Sentinel = func(p *Process, e string) { rec.sentinel(p, e); cancel() }
	mustMake(t, rt, a)
	done := make(chan error, 1)
	go func() { done <- rt.Run(ctx) }()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) || rec.String() != "x\n" || rec.events[0] != "finished\n" {
			t.Errorf("Run: %v %q %q", err, rec.String(), rec.events)
		}
	case <-time.After(longWait):
		t.Fatal("Run did not return")
	}
}

// A cancel that lands while Run is between its last check of the context
// and its wait in the poller still ends Run: the context is checked again
// where the wait is entered (CI once hung here for ten minutes).
func TestRunCancelRacesPollerEntry(t *testing.T) {
	rt := newRuntime(t, Config{})
	mustMake(t, rt, helperArgs("long", "ready")) // the poller exists and has a descriptor
	for i := 0; i < 300; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- rt.Run(ctx) }()
		for j := 0; j < i%50*20; j++ {
			runtime.Gosched()
		}
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Run: %v", err)
			}
		case <-time.After(longWait):
			t.Fatalf("run %d: Run did not return after its context was cancelled", i)
		}
	}
}
