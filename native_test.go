//go:build unix

package eproc

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Helpers of the Go-native tests (native_test.go, reader_test.go,
// expect_test.go).
func init() {
	// prompt: a small dialogue: "login: ", read a name, "hello NAME\n$ ",
	// then echo each line as "got LINE\n$ " until "quit".
	helpers["prompt"] = func(args []string) int {
		in := bufio.NewReader(os.Stdin)
		os.Stdout.WriteString("login: ")
		name, _ := in.ReadString('\n')
		fmt.Printf("hello %s\n$ ", strings.TrimSpace(name))
		for {
			line, err := in.ReadString('\n')
			line = strings.TrimSpace(line)
			if err != nil || line == "quit" {
				os.Stdout.WriteString("bye\n")
				return 0
			}
			fmt.Printf("got %s\n$ ", line)
		}
	}
	// print TEXT [CODE]: write TEXT (no newline added), exit with CODE.
	helpers["print"] = func(args []string) int {
		os.Stdout.WriteString(args[0])
		if len(args) > 1 {
			var code int
			fmt.Sscan(args[1], &code)
			return code
		}
		return 0
	}
	// chunks N SIZE TAIL: write N chunks of SIZE 'x' bytes, each after
	// reading a line from stdin, then TAIL, then exit.
	helpers["chunks"] = func(args []string) int {
		var n, size int
		fmt.Sscan(args[0], &n)
		fmt.Sscan(args[1], &size)
		in := bufio.NewReader(os.Stdin)
		chunk := strings.Repeat("x", size)
		for i := 0; i < n; i++ {
			if _, err := in.ReadString('\n'); err != nil {
				return 1
			}
			os.Stdout.WriteString(chunk)
		}
		in.ReadString('\n')
		os.Stdout.WriteString(args[2])
		return 0
	}
}

// Done is closed after the exit sentinel has returned, whoever dispatched
// it: a goroutine running Run, AcceptProcessOutput, WaitEvent or Wait. The
// exit sentinel holds its dispatcher until the test has seen Done still
// open, so a Done closed before the sentinel returns fails the test.
func TestDoneAfterSentinel(t *testing.T) {
	dispatchers := []struct {
		name string
		run  func(ctx context.Context, rt *Runtime, p *Process)
	}{
		{"Run", func(ctx context.Context, rt *Runtime, p *Process) { rt.Run(ctx) }},
		{"AcceptProcessOutput", func(ctx context.Context, rt *Runtime, p *Process) {
			for ctx.Err() == nil {
				rt.AcceptProcessOutput(nil, shortWait, false)
			}
		}},
		{"WaitEvent", func(ctx context.Context, rt *Runtime, p *Process) {
			for rt.WaitEvent(ctx) == nil {
			}
		}},
		{"Wait", func(ctx context.Context, rt *Runtime, p *Process) { p.Wait(ctx) }},
	}
	for _, d := range dispatchers {
		t.Run(d.name, func(t *testing.T) {
			rt := newRuntime(t, Config{})
			entered, release := make(chan struct{}), make(chan struct{})
			var sentinelDone atomic.Bool
			p := mustMake(t, rt, ProcessArgs{Name: "d", Command: []string{"sh", "-c", "exit 3"},
				Sentinel: func(p *Process, ev string) {
					close(entered)
					select {
					case <-release:
					case <-time.After(longWait):
					}
					sentinelDone.Store(true)
				}})
			done := p.Done()
			if p.Done() != done {
				t.Fatal("Done returned a different channel on the second call")
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			ran := make(chan struct{})
			go func() { d.run(ctx, rt, p); close(ran) }()
			select {
			case <-entered:
			case <-time.After(longWait):
				t.Fatal("the exit sentinel did not run")
			}
			select {
			case <-done:
				t.Error("Done closed while the exit sentinel runs")
			default:
			}
			close(release)
			select {
			case <-done:
			case <-time.After(longWait):
				t.Fatal("Done not closed")
			}
			if !sentinelDone.Load() || !p.Exited() {
				t.Errorf("Done closed before the sentinel returned (sentinel %v, Exited %v)", sentinelDone.Load(), p.Exited())
			}
			if e := p.LastEvent(); e.Kind != EventExited || e.Code != 3 {
				t.Errorf("LastEvent %+v", e)
			}
			cancel()
			select {
			case <-ran:
			case <-time.After(longWait):
				t.Fatal("the dispatcher did not return")
			}
			// A Done made after the exit is closed at once.
			q := mustMake(t, rt, ProcessArgs{Name: "q", Command: []string{"true"}})
			waitExit(t, q)
			select {
			case <-q.Done():
			default:
				t.Error("Done made after the exit sentinel is not closed")
			}
		})
	}
}

// Delete and Close close Done without any other dispatcher.
func TestDoneDeleteClose(t *testing.T) {
	rt := newRuntime(t, Config{})
	p := mustMake(t, rt, ProcessArgs{Name: "r", Command: helperCmd("ready")})
	done := p.Done()
	p.Delete()
	select {
	case <-done:
	default:
		t.Fatal("Done not closed after Delete returned")
	}
	if e := p.LastEvent(); e.Kind != EventSignaled || e.Signal != syscall.SIGKILL || e.Text != "killed\n" {
		t.Errorf("LastEvent after Delete: %+v", e)
	}

	rt2 := newRuntime(t, Config{})
	q := mustMake(t, rt2, ProcessArgs{Name: "r", Command: helperCmd("ready")})
	pp, err := rt2.MakePipeProcess(PipeArgs{Name: "pp", NoBuffer: true})
	if err != nil {
		t.Fatal(err)
	}
	qd, ppd := q.Done(), pp.Done()
	rt2.Close()
	for _, d := range []<-chan struct{}{qd, ppd} {
		select {
		case <-d:
		default:
			t.Fatal("Done not closed after Close returned")
		}
	}
	if e := q.LastEvent(); e.Kind != EventSignaled || e.Signal != syscall.SIGHUP {
		t.Errorf("child's LastEvent after Close: %+v", e)
	}
	if e := pp.LastEvent(); e.Kind != EventFinished || e.Text != "finished\n" {
		t.Errorf("pipe process's LastEvent after Close: %+v", e)
	}
}

// WaitEvent returns for a status change with no output, which
// AcceptProcessOutput with a nil process does not (as in Emacs, it waits
// for output only).
func TestWaitEventStatusChange(t *testing.T) {
	rt := newRuntime(t, Config{})
	var events []string
	p := mustMake(t, rt, ProcessArgs{Name: "e", Command: []string{"true"},
		Sentinel: func(p *Process, ev string) { events = append(events, ev) }})
	ctx, cancel := context.WithTimeout(context.Background(), longWait)
	defer cancel()
	for len(events) == 0 {
		if err := rt.WaitEvent(ctx); err != nil {
			t.Fatalf("WaitEvent: %v", err)
		}
	}
	if events[0] != "finished\n" || !p.Exited() {
		t.Errorf("events %q", events)
	}

	// AcceptProcessOutput with a nil process keeps Emacs's behaviour: it
	// runs the sentinel of a child that exits with no output but returns
	// only for output, here at its timeout (Emacs 28.2, emacs -Q --batch:
	// (accept-process-output nil 1) with a child running true returned
	// nil after 1.00 s, its sentinel having run).
	var apoEvents []string
	exiting := mustMake(t, rt, ProcessArgs{Name: "a", Command: []string{"true"},
		Sentinel: func(p *Process, ev string) { apoEvents = append(apoEvents, ev) }})
	for deadline := time.Now().Add(longWait); !exiting.Exited(); {
		if time.Now().After(deadline) {
			t.Fatal("the exit sentinel did not run")
		}
		start := time.Now()
		got := rt.AcceptProcessOutput(nil, shortWait, false)
		if d := time.Since(start); got || d < shortWait*9/10 {
			t.Fatalf("AcceptProcessOutput(nil) with only an exit: %v after %v, events %q", got, d, apoEvents)
		}
	}
	if len(apoEvents) != 1 || apoEvents[0] != "finished\n" {
		t.Errorf("events %q", apoEvents)
	}

	// Output makes it return too.
	var out strings.Builder
	q := mustMake(t, rt, ProcessArgs{Name: "o", Command: helperCmd("ready"),
		Filter: func(p *Process, s string) { out.WriteString(s) }})
	for out.Len() == 0 {
		if err := rt.WaitEvent(ctx); err != nil {
			t.Fatalf("WaitEvent: %v", err)
		}
	}
	if out.String() != "ready\n" {
		t.Errorf("output %q", out.String())
	}

	// Nothing happens: the context ends it.
	short, cancelShort := context.WithTimeout(context.Background(), shortWait)
	defer cancelShort()
	if err := rt.WaitEvent(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitEvent with nothing to do: %v", err)
	}
	q.Delete()
}

// WaitAll waits for every process, of several Runtimes, and LastEvent
// tells how each ended.
func TestWaitAll(t *testing.T) {
	rt1 := newRuntime(t, Config{})
	rt2 := newRuntime(t, Config{})
	var ps []*Process
	for i := 0; i < 40; i++ {
		rt := rt1
		if i%2 == 1 {
			rt = rt2
		}
		cmd := []string{"sh", "-c", "exit " + strconv.Itoa(i%4)}
		if i%10 == 9 {
			cmd = []string{"sh", "-c", "kill -TERM $$"}
		}
		ps = append(ps, mustMake(t, rt, ProcessArgs{Name: "w", Command: cmd}))
	}
	ctx, cancel := context.WithTimeout(context.Background(), longWait)
	defer cancel()
	if err := WaitAll(ctx, append(ps, nil)...); err != nil {
		t.Fatal(err)
	}
	for i, p := range ps {
		e := p.LastEvent()
		switch {
		case i%10 == 9:
			if e.Kind != EventSignaled || e.Signal != syscall.SIGTERM || e.Text != "terminated\n" {
				t.Errorf("%d: %+v", i, e)
			}
		case i%4 == 0:
			if e.Kind != EventFinished || !e.Success() || e.Text != "finished\n" {
				t.Errorf("%d: %+v", i, e)
			}
		default:
			if e.Kind != EventExited || e.Code != i%4 || e.Text != fmt.Sprintf("exited abnormally with code %d\n", i%4) {
				t.Errorf("%d: %+v", i, e)
			}
		}
	}
	// The context ends a wait for a process that does not end.
	p := mustMake(t, rt1, ProcessArgs{Name: "r", Command: helperCmd("ready")})
	short, cancelShort := context.WithTimeout(context.Background(), shortWait)
	defer cancelShort()
	if err := WaitAll(short, p); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitAll of a live process: %v", err)
	}
	p.Delete()
}

// LastEvent inside the sentinel describes the event the sentinel got; stop
// and continue are typed too.
func TestLastEventStopContinue(t *testing.T) {
	rt := newRuntime(t, Config{})
	var mu sync.Mutex
	var seen []Event
	p := mustMake(t, rt, ProcessArgs{Name: "s", Command: helperCmd("ready"),
		Sentinel: func(p *Process, ev string) {
			e := p.LastEvent()
			if e.Text != ev {
				t.Errorf("LastEvent %q in a sentinel called with %q", e.Text, ev)
			}
			mu.Lock()
			seen = append(seen, e)
			mu.Unlock()
		}})
	if e := p.LastEvent(); e.Kind != EventNone || e.String() != "" {
		t.Errorf("LastEvent before any event: %+v", e)
	}
	if err := p.Stop(false); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, rt, "stop", func() bool { mu.Lock(); defer mu.Unlock(); return len(seen) == 1 })
	if err := p.Continue(false); err != nil {
		t.Fatal(err)
	}
	p.Kill(false)
	waitExit(t, p)
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 3 {
		t.Fatalf("events %+v", seen)
	}
	if seen[0].Kind != EventStopped || seen[0].Signal != syscall.SIGSTOP {
		t.Errorf("stop: %+v", seen[0])
	}
	if seen[1].Kind != EventContinued || seen[1].Text != "run" {
		t.Errorf("continue: %+v", seen[1])
	}
	if seen[2].Kind != EventSignaled || seen[2].Signal != syscall.SIGKILL || seen[2].String() != "killed\n" {
		t.Errorf("kill: %+v", seen[2])
	}
	if EventSignaled.String() != "signaled" || EventKind(99).String() != "EventKind(99)" {
		t.Errorf("names %q %q", EventSignaled, EventKind(99))
	}
}
