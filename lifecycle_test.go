//go:build linux

package eproc

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func init() {
	// sigreset HOW [fleet]: make a child and wait for it (so eproc's
	// SIGCHLD handling is running), then undo it the way a host program
	// might (HOW is "one": signal.Reset(SIGCHLD), "all": signal.Reset(),
	// "ignore": signal.Ignore(SIGCHLD), "renotify": signal.Ignore(SIGCHLD)
	// until the next child has exited and the kernel discarded its
	// status, then a signal.Notify of the host's own that takes SIGCHLD
	// back), then make another child and wait for its exit sentinel,
	// printing its status or "timeout". With "fleet", pidfdMax children
	// run meanwhile, so that no child has a pidfd (reap.go) and only the
	// reaper's periodic check can see the exit.
	helpers["sigreset"] = func(args []string) int {
		fullReapTicks = 2 // "renotify" waits for the full check: 2 s, not 10
		rt := NewRuntime(Config{ProcessConnectionType: Pipe})
		defer rt.Close()
		if len(args) > 1 && args[1] == "fleet" {
			for i := range pidfdMax {
				if _, err := rt.MakeProcess(ProcessArgs{Name: fmt.Sprint("cat", i), Command: []string{"cat"}}); err != nil {
					fmt.Println(err)
					return 1
				}
			}
		}
		wait := func(name string, exited func(pid int)) string {
			p, err := rt.MakeProcess(ProcessArgs{Name: name, Command: []string{"/bin/sh", "-c", "exit 3"}})
			if err != nil {
				return err.Error()
			}
			if exited != nil {
				exited(p.ID())
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			if err := p.Wait(ctx); err != nil {
				return "timeout, status " + string(p.Status())
			}
			return fmt.Sprintf("%s %d", p.Status(), p.ExitStatus())
		}
		if s := wait("warm", nil); s != "exit 3" {
			fmt.Println("warm-up:", s)
			return 1
		}
		var exited func(pid int)
		switch args[0] {
		case "one":
			signal.Reset(syscall.SIGCHLD)
		case "all":
			signal.Reset()
		case "ignore":
			signal.Ignore(syscall.SIGCHLD)
		case "renotify":
			signal.Ignore(syscall.SIGCHLD)
			exited = func(pid int) {
				// Ignored, the child leaves no zombie: it is gone at
				// once.
				deadline := time.Now().Add(20 * time.Second)
				for processRunning(pid) && time.Now().Before(deadline) {
					time.Sleep(time.Millisecond)
				}
				signal.Notify(make(chan os.Signal, 1), syscall.SIGCHLD)
			}
		}
		fmt.Println(wait("after", exited))
		return 0
	}

	// ptyemfile: make pty processes with 0 to 7 descriptors free. Each
	// either works or fails with an error wrapping EMFILE (Issue 17 item
	// 10: a fork that failed for lack of descriptors said "Doing vfork:
	// Bad file descriptor").
	helpers["ptyemfile"] = func(args []string) int {
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: 64, Max: 64}); err != nil {
			fmt.Println("setrlimit:", err)
			return 1
		}
		rt := NewRuntime(Config{})
		defer rt.Close()
		worked := 0
		for free := 0; free < 8; free++ {
			var fillers []*os.File
			for {
				f, err := os.Open(os.DevNull)
				if err != nil {
					break
				}
				fillers = append(fillers, f)
			}
			for _, f := range fillers[:min(free, len(fillers))] {
				f.Close()
			}
			p, err := rt.MakeProcess(ProcessArgs{Name: "pty", Command: []string{"/bin/true"}})
			for _, f := range fillers[min(free, len(fillers)):] {
				f.Close()
			}
			switch {
			case err == nil:
				worked++
				p.Delete()
			case !errors.Is(err, syscall.EMFILE):
				fmt.Printf("with %d descriptors free: %v\n", free, err)
				return 1
			}
		}
		if worked == 0 {
			fmt.Println("no pty process could be made even with 7 descriptors free")
			return 1
		}
		fmt.Println("ok")
		return 0
	}

	// emfile: use up every descriptor under a low limit, check that making
	// a process fails with EMFILE, free the descriptors, and check that the
	// same Runtime then works.
	helpers["emfile"] = func(args []string) int {
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: 64, Max: 64}); err != nil {
			fmt.Println("setrlimit:", err)
			return 1
		}
		rt := NewRuntime(Config{ProcessConnectionType: Pipe})
		defer rt.Close()
		var fillers []*os.File
		for {
			f, err := os.Open(os.DevNull)
			if err != nil {
				break
			}
			fillers = append(fillers, f)
		}
		_, err := rt.MakeProcess(ProcessArgs{Name: "full", Command: []string{"/bin/true"}})
		if !errors.Is(err, syscall.EMFILE) {
			fmt.Println("with every descriptor used, MakeProcess returned", err)
			return 1
		}
		_, err = rt.MakeNetworkProcess(NetworkArgs{Name: "full", Server: true, AnyPort: true, Family: "ipv4"})
		if !errors.Is(err, syscall.EMFILE) {
			fmt.Println("with every descriptor used, MakeNetworkProcess returned", err)
			return 1
		}
		for _, f := range fillers {
			f.Close()
		}
		p, err := rt.MakeProcess(ProcessArgs{Name: "free", Buffer: rt.GetBufferCreate("free"), Command: []string{"/bin/sh", "-c", "echo ok"}})
		if err != nil {
			fmt.Println("after freeing descriptors, MakeProcess returned", err)
			return 1
		}
		s, err := rt.MakeNetworkProcess(NetworkArgs{Name: "srv", Server: true, AnyPort: true, Family: "ipv4"})
		if err != nil {
			fmt.Println("after freeing descriptors, MakeNetworkProcess returned", err)
			return 1
		}
		s.Delete()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := p.Wait(ctx); err != nil {
			fmt.Println("wait:", err)
			return 1
		}
		out, _, _ := strings.Cut(p.Buffer().String(), "\n")
		fmt.Println(out)
		return 0
	}
}

// runHelper runs the test binary as the named helper child with os/exec and
// returns its output.
func runHelper(t *testing.T, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*longWait)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], append([]string{name}, args...)...)
	cmd.Env = append(os.Environ(), helperEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helper %s %q: %v\n%s", name, args, err, out)
	}
	return string(out)
}

// Issue 17 item 5: a host program that resets SIGCHLD's handling must not
// stop eproc from seeing its children exit: with a pidfd (fewer than
// pidfdMax children) and without (a fleet: the reaper's periodic check).
// A host that ignores SIGCHLD makes the kernel discard the exit statuses
// of the children that exit meanwhile: their exits are still seen, with
// the lost status, "exit" -1 (see reap_unix.go and doc.go), also when the
// host took SIGCHLD back before eproc's next check (the periodic check by
// pid).
func TestExitDetectedAfterSignalReset(t *testing.T) {
	for _, tc := range []struct{ how, want string }{
		{"one", "exit 3\n"},
		{"all", "exit 3\n"},
		{"ignore", "exit -1\n"},
		{"one fleet", "exit 3\n"},
		{"all fleet", "exit 3\n"},
		{"ignore fleet", "exit -1\n"},
		{"renotify fleet", "exit -1\n"},
	} {
		t.Run(tc.how, func(t *testing.T) {
			t.Parallel() // each runs in a child of its own
			if got := runHelper(t, "sigreset", strings.Fields(tc.how)...); got != tc.want {
				t.Errorf("sigreset %s: %q, want %q", tc.how, got, tc.want)
			}
		})
	}
}

// Issue 17 item 3: running out of descriptors on first use does not
// disable the Runtime for good.
func TestRecoversFromEMFILE(t *testing.T) {
	if got := runHelper(t, "emfile"); got != "ok\n" {
		t.Errorf("emfile helper: %q", got)
	}
}

// Issue 16 item 4: a signal never reaches a pid eproc has reaped (and the
// system may have reused). beforeKill runs between the check that the
// child is still ours and the kill; there, the test makes the child a
// zombie and lets the reaper try to collect it. The reaper must wait until
// the kill is done.
func TestSignalNeverReachesReapedPid(t *testing.T) {
	defer func() { beforeKill = nil }()
	signals := map[string]func(p *Process) error{
		"Interrupt":         func(p *Process) error { return p.Interrupt(false) },
		"Signal":            func(p *Process) error { return p.Signal(syscall.SIGTERM) },
		"SignalProcess":     func(p *Process) error { return p.rt.SignalProcess(p, "TERM") },
		"SignalProcess pid": func(p *Process) error { return p.rt.SignalProcess(p.ID(), "TERM") },
		"SignalPID":         func(p *Process) error { return p.rt.SignalPID(p.ID(), syscall.SIGTERM) },
		"Delete":            func(p *Process) error { return p.Delete() },
		"Kill buffer":       func(p *Process) error { return p.Buffer().Kill() },
		"Close":             func(p *Process) error { return p.rt.Close() },
	}
	for name, send := range signals {
		t.Run(name, func(t *testing.T) {
			rt := newRuntime(t, Config{})
			a := helperArgs("ready", "ready")
			a.Buffer = rt.GenerateNewBuffer("ready")
			p := mustMake(t, rt, a)
			waitUntil(t, rt, "ready", func() bool { return strings.Contains(a.Buffer.String(), "ready") })
			pid := p.ID()
			reapedFirst, called := false, false
			var mu sync.Mutex
			beforeKill = func(target int) {
				mu.Lock()
				first := !called && (target == pid || target == -pid)
				called = called || first
				mu.Unlock()
				if !first {
					return
				}
				syscall.Kill(pid, syscall.SIGKILL)
				waitZombie(t, pid)
				reaped := make(chan struct{})
				go func() { rt.reapPid(pid); close(reaped) }()
				select {
				case <-reaped:
					mu.Lock()
					reapedFirst = true
					mu.Unlock()
				case <-time.After(shortWait):
				}
			}
			send(p)
			beforeKill = nil
			mu.Lock()
			defer mu.Unlock()
			if !called {
				t.Fatalf("%s: the kill did not go through the check made under the reaper's lock", name)
			}
			if reapedFirst {
				t.Fatalf("%s: the child was reaped between the liveness check and kill(2)", name)
			}
			waitExit(t, p)
		})
	}
}

// Issue 16 item 4, the stress form: children that exit at once, while
// goroutines signal them over and over and the loop collects them. At
// every kill(2) the target must still be an uncollected child of this
// program: its /proc entry names this process as its parent (a pid the
// system reused would not, and a collected one has no entry).
func TestSignalRacesReapingStress(t *testing.T) {
	rt := newRuntime(t, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go rt.Run(ctx)
	self := os.Getpid()
	var mu sync.Mutex
	kills, stale := 0, 0
	var first string
	beforeKill = func(target int) {
		pid := max(target, -target)
		ppid := -1
		if data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
			s := string(data)
			if i := strings.LastIndexByte(s, ')'); i > 0 {
				if f := strings.Fields(s[i+1:]); len(f) > 1 {
					ppid, _ = strconv.Atoi(f[1])
				}
			}
		}
		mu.Lock()
		defer mu.Unlock()
		kills++
		if ppid != self {
			stale++
			if first == "" {
				first = fmt.Sprintf("pid %d (parent %d)", pid, ppid)
			}
		}
	}
	defer func() { beforeKill = nil }()
	senders := []func(p *Process) error{
		func(p *Process) error { return p.Signal(syscall.SIGCONT) },
		func(p *Process) error { return rt.SignalProcess(p, syscall.SIGCONT) },
		func(p *Process) error { return rt.SignalPID(p.ID(), syscall.SIGCONT) },
	}
	const rounds, width = 100, 4
	for range rounds {
		var wg sync.WaitGroup
		for range width {
			p := mustMake(t, rt, ProcessArgs{Name: "true", Command: []string{"/bin/true"}})
			for _, send := range senders {
				wg.Add(1)
				go func() {
					defer wg.Done()
					deadline := time.Now().Add(longWait)
					for time.Now().Before(deadline) {
						if err := send(p); err != nil {
							return // "not active" once collected, or no such process
						}
					}
					t.Errorf("%s was still signalled after %v", p.Name(), longWait)
				}()
			}
		}
		wg.Wait()
	}
	mu.Lock()
	defer mu.Unlock()
	t.Logf("%d kills checked", kills)
	if stale > 0 {
		t.Errorf("%d of %d kills reached a pid that was no longer an uncollected child, first %s", stale, kills, first)
	}
}

// waitZombie waits, bounded, until pid is a zombie.
func waitZombie(t *testing.T, pid int) {
	deadline := time.Now().Add(longWait)
	for time.Now().Before(deadline) {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return
		}
		s := string(data)
		if i := strings.LastIndexByte(s, ')'); i > 0 && strings.HasPrefix(s[i+1:], " Z") {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Errorf("pid %d never became a zombie", pid)
}

// Issue 17 item 2: Close racing MakeProcess leaves no child running: after
// Close returns, every child made is dead and every later MakeProcess
// returns ErrClosed.
func TestCloseRacingMakeProcess(t *testing.T) {
	fds0 := openFDs(t)
	for round := range 40 {
		rt := NewRuntime(Config{ProcessConnectionType: Pipe})
		var mu sync.Mutex
		var pids []int
		started := make(chan struct{}, 4)
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					p, err := rt.MakeProcess(ProcessArgs{Name: "sleep", Command: []string{"/bin/sleep", "30"}})
					if errors.Is(err, ErrClosed) {
						return
					}
					if err != nil {
						t.Errorf("MakeProcess: %v", err)
						return
					}
					mu.Lock()
					pids = append(pids, p.ID())
					mu.Unlock()
					if i == 0 {
						started <- struct{}{}
					}
				}
			}()
		}
		<-started
		if err := rt.Close(); err != nil {
			t.Fatal(err)
		}
		// Every child registered before Close returned is dead now (a
		// zombie at worst, until the reaper collects it).
		mu.Lock()
		for _, pid := range pids {
			data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
			if err == nil {
				s := string(data)
				if i := strings.LastIndexByte(s, ')'); i > 0 && !strings.HasPrefix(s[i+1:], " Z") {
					t.Errorf("round %d: child %d still runs after Close returned", round, pid)
				}
			}
		}
		mu.Unlock()
		wg.Wait()
		if _, err := rt.MakeProcess(ProcessArgs{Name: "late", Command: []string{"/bin/true"}}); !errors.Is(err, ErrClosed) {
			t.Fatalf("MakeProcess after Close: %v, want ErrClosed", err)
		}
		// And no child is left running at all, counting those made by a
		// creation that raced with Close.
		for pid, state := range childPids(t) {
			if state != "Z" {
				if comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); strings.TrimSpace(string(comm)) == "sleep" {
					t.Fatalf("round %d: child %d (sleep) still runs after Close", round, pid)
				}
			}
		}
	}
	deadline := time.Now().Add(longWait)
	for openFDs(t) > fds0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n := openFDs(t); n > fds0 {
		t.Errorf("descriptors: %d before, %d after", fds0, n)
	}
}

// Issue 17 item 7: an absurd read-process-output-max is clamped, and the
// Runtime works: a child's output and an accepted connection's are read.
func TestReadProcessOutputMaxClamped(t *testing.T) {
	for _, n := range []int{min(1<<40, math.MaxInt), min(1<<62, math.MaxInt), -5} {
		rt := newRuntime(t, Config{ReadProcessOutputMax: n})
		got := rt.Config().ReadProcessOutputMax
		if got <= 0 || got > maxReadProcessOutput {
			t.Errorf("ReadProcessOutputMax %d became %d", n, got)
		}
		b := rt.GetBufferCreate("out")
		p := mustMake(t, rt, ProcessArgs{Name: "echo", Buffer: b, Command: helperCmd("echo", "hi")})
		waitExit(t, p)
		if !strings.HasPrefix(b.String(), "hi\n") {
			t.Errorf("output %q", b.String())
		}
		// An accepted connection reads with the same limit (1<<62
		// panicked in every accept).
		var read strings.Builder
		s, err := rt.MakeNetworkProcess(NetworkArgs{Name: "srv", Server: true, AnyPort: true, Family: "ipv4",
			Filter: func(_ *Process, out string) { read.WriteString(out) }})
		if err != nil {
			t.Fatal(err)
		}
		c, err := rt.OpenNetworkStream("cli", nil, "127.0.0.1", servicePort(t, s))
		if err != nil {
			t.Fatal(err)
		}
		c.SendString("hello\n")
		waitUntil(t, rt, "the server's read", func() bool { return read.String() == "hello\n" })
		c.Delete()
		s.Delete()
	}
}

// Issue 16 item 13: Stop sends SIGTSTP, as Emacs does, to a child that
// traps it: the trap runs (here it reports, then stops the shell with
// SIGSTOP itself), and the status becomes "stop". A child that leaves
// SIGTSTP at its default action gets SIGSTOP and stops too (the kernel
// would discard SIGTSTP in its orphaned process group), and so does a
// child that ignores SIGTSTP (an interactive shell). Emacs 28.2 (emacs -Q
// --batch, stop-process on the same commands): the trap prints "caught",
// the status is stop and the sentinel gets "stopped (signal)\n"; `sleep
// 30` and a child ignoring TSTP stay "run" with no event, which eproc
// departs from (Stop's doc and the README say so).
func TestStopSendsTSTPToATrap(t *testing.T) {
	rt := newRuntime(t, Config{ProcessConnectionType: Pipe})
	var rec recorder
	p := mustMake(t, rt, ProcessArgs{Name: "trap", Filter: rec.filter, Sentinel: rec.sentinel, Command: []string{"sh", "-c",
		`trap 'echo caught; kill -STOP $$' TSTP; echo ready; while :; do sleep 0.05; done`}})
	waitUntil(t, rt, "ready", func() bool { return strings.Contains(rec.String(), "ready") })
	if err := p.Stop(false); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	waitUntil(t, rt, "the trap and the stop", func() bool { return strings.Contains(rec.String(), "caught") && p.Status() == "stop" })

	var rec2 recorder
	q := mustMake(t, rt, ProcessArgs{Name: "plain", Sentinel: rec2.sentinel, Command: []string{"sleep", "30"}})
	if err := q.Stop(false); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	waitUntil(t, rt, "the plain child's stop", func() bool { return q.Status() == "stop" })
	if !slices.Contains(rec2.events, "stopped (signal)\n") {
		t.Errorf("events %q", rec2.events)
	}

	var rec3 recorder
	r := mustMake(t, rt, ProcessArgs{Name: "ignore", Filter: rec3.filter, Command: []string{"sh", "-c", "trap '' TSTP; echo ready; exec sleep 30"}})
	waitUntil(t, rt, "ready", func() bool { return strings.Contains(rec3.String(), "ready") })
	if err := r.Stop(false); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	waitUntil(t, rt, "the ignoring child's stop", func() bool { return r.Status() == "stop" })
	p.Delete()
	q.Delete()
	r.Delete()
}

func TestPTYForkEMFILE(t *testing.T) {
	if got := runHelper(t, "ptyemfile"); got != "ok\n" {
		t.Errorf("ptyemfile helper: %q", got)
	}
}

// Issue 17 item 10: an empty program is named in the error, as Emacs 28.2
// prints (make-process :name "x" :command '("")): "Searching for program:
// Is a directory, " (the file name is the empty string).
func TestEmptyProgramNamed(t *testing.T) {
	rt := newRuntime(t, Config{})
	_, err := rt.MakeProcess(ProcessArgs{Name: "x", Command: []string{""}})
	if err == nil || err.Error() != "Searching for program: Is a directory, " {
		t.Errorf("MakeProcess of \"\": %v", err)
	}
	_, err = rt.CallProcess("", "", Destination{})
	if err == nil || err.Error() != "Searching for program: Is a directory, " {
		t.Errorf("CallProcess of \"\": %v", err)
	}
}

// Issue 17 item 11: a shell's background job stays in the shell's
// process group after the shell exits. Delete leaves it running, as
// Emacs's delete-process does (the child is dead: nothing is signalled);
// with KillGroup, Delete kills the group and the job dies.
func TestDeleteKillGroup(t *testing.T) {
	rt := newRuntime(t, Config{ProcessConnectionType: Pipe})
	for _, killGroup := range []bool{false, true} {
		var rec recorder
		p := mustMake(t, rt, ProcessArgs{Name: "sh", KillGroup: killGroup, Filter: rec.filter,
			Command: []string{"sh", "-c", "sleep 30 </dev/null >/dev/null 2>&1 & echo $!"}})
		waitExit(t, p)
		job, err := strconv.Atoi(strings.TrimSpace(rec.String()))
		if err != nil {
			t.Fatalf("job pid %q", rec.String())
		}
		if !processRunning(job) {
			t.Fatalf("the background job %d is not running before Delete", job)
		}
		p.Delete()
		if !killGroup {
			if !processRunning(job) {
				t.Errorf("without KillGroup, Delete killed the background job")
			}
			syscall.Kill(job, syscall.SIGKILL)
			continue
		}
		deadline := time.Now().Add(longWait)
		for processRunning(job) {
			if time.Now().After(deadline) {
				syscall.Kill(job, syscall.SIGKILL)
				t.Fatalf("with KillGroup, the background job %d survived Delete", job)
			}
			runtime.Gosched()
		}
	}
}

// processRunning reports whether pid is a process that has not ended (a
// zombie waiting for a parent that does not reap, as PID 1 in some
// containers, counts as ended).
func processRunning(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && i+2 < len(s) && s[i+2] != 'Z' && s[i+2] != 'X'
}
