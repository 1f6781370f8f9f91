//go:build linux

package eproc

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// -eproc.stress runs the full forms of the reliability tests (200
// children of 1 MiB each, 10,000 create-exit cycles); without it they run
// in the size CI affords.
var stress = flag.Bool("eproc.stress", false, "run the full reliability stress tests")

func TestNoLostBytesUnderLoad(t *testing.T) {
	children, size, rounds := 40, 256<<10, 1
	if *stress {
		children, size = 200, 1<<20
	}
	rt := newRuntime(t, Config{})
	type result struct {
		hash    hash
		events  []string
		atEvent int
		code    int
		killed  bool
		errBuf  *Buffer
	}
	r := rand.New(rand.NewSource(1))
	results := make([]*result, children)
	procs := make([]*Process, children)
	for round := 0; round < rounds; round++ {
		for i := range results {
			res := &result{hash: sha256.New()}
			results[i] = res
			res.code = r.Intn(4)
			if r.Intn(5) == 0 {
				res.killed = true
				res.code = -1
			}
			errBuf := rt.GenerateNewBuffer("err")
			a := helperArgs("load", "random", strconv.Itoa(size), strconv.Itoa(i), strconv.Itoa(res.code))
			a.Stderr = errBuf
			res.errBuf = errBuf
			n := 0
			a.Filter = func(p *Process, s string) {
				res.hash.Write([]byte(s))
				n += len(s)
			}
			a.Sentinel = func(p *Process, e string) {
				res.events = append(res.events, e)
				res.atEvent = n
			}
			a.Coding = Coding{Decoding: "no-conversion", Encoding: "no-conversion"}
			procs[i] = mustMake(t, rt, a)
		}
		// The children to kill wait for it once they have written all.
		for i, p := range procs {
			if res := results[i]; res.killed {
				waitUntil(t, rt, "the hash", func() bool { return strings.Contains(res.errBuf.String(), "\n") })
				p.Kill(false)
			}
		}
		for i, p := range procs {
			waitExit(t, p)
			res := results[i]
			errText := ""
			if b := p.stderrProc; b != nil {
				waitExit(t, b)
				errText = strings.TrimSpace(b.Buffer().String())
				errText = strings.TrimSuffix(errText, "Process load stderr finished")
			}
			sum := hex.EncodeToString(res.hash.Sum(nil))
			if !strings.HasPrefix(errText, sum) {
				t.Errorf("child %d: sha256 %s, child said %q", i, sum, errText)
			}
			want := "finished\n"
			switch {
			case res.killed:
				want = "killed\n"
			case res.code != 0:
				want = fmt.Sprintf("exited abnormally with code %d\n", res.code)
			}
			if len(res.events) != 1 || res.events[0] != want || res.atEvent != size {
				t.Errorf("child %d: events %q (want %q) after %d of %d bytes", i, res.events, want, res.atEvent, size)
			}
		}
	}
	t.Logf("%d children x %d bytes checked", children, size)
}

type hash interface {
	Write([]byte) (int, error)
	Sum([]byte) []byte
}

// openFDs counts this process's descriptors.
func openFDs(t testing.TB) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// childPids lists the processes whose parent is this process, with their
// states ("Z" for a zombie).
func childPids(t testing.TB) map[int]string {
	self := os.Getpid()
	out := map[int]string{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(data)
		i := strings.LastIndexByte(s, ')')
		f := strings.Fields(s[i+2:])
		if len(f) > 1 {
			if ppid, _ := strconv.Atoi(f[1]); ppid == self {
				out[pid] = f[0]
			}
		}
	}
	return out
}

func TestNoLeaks(t *testing.T) {
	cycles := 2000
	if *stress {
		cycles = 10000
	}
	// Warm up the runtime and the reaper so their one-time descriptors and
	// goroutines are in the baseline.
	warm := newRuntime(t, Config{})
	p := mustMake(t, warm, helperArgs("warm", "exit", "0"))
	waitExit(t, p)
	runtime.GC()
	fds0, gs0 := openFDs(t), runtime.NumGoroutine()

	func() {
		rt := NewRuntime(Config{ProcessConnectionType: Pipe, ProcessEnvironment: append([]string{helperEnv + "=1"}, os.Environ()...)})
		defer rt.Close()
		for i := 0; i < cycles; i++ {
			var b *Buffer
			if i%5 == 0 {
				b = rt.GetBufferCreate("leak")
			}
			conn := Pipe
			if i%3 == 0 {
				conn = PTY
			}
			switch i % 4 {
			case 0: // run to completion
				p := mustMake(t, rt, ProcessArgs{Name: "leak", Buffer: b, ConnectionType: conn, Command: []string{"true"}})
				waitExit(t, p)
			case 1: // delete while running
				p := mustMake(t, rt, ProcessArgs{Name: "leak", Buffer: b, ConnectionType: conn, Command: []string{"sleep", "30"}})
				p.Delete()
			case 2: // a pipe process as stderr, then deleted
				pp, err := rt.MakePipeProcess(PipeArgs{Name: "leakpipe", NoBuffer: true})
				if err != nil {
					t.Fatal(err)
				}
				p := mustMake(t, rt, ProcessArgs{Name: "leak", Command: []string{"true"}, Stderr: pp})
				waitExit(t, p)
				waitExit(t, pp)
			case 3: // kill the buffer
				kb := rt.GetBufferCreate("killme")
				mustMake(t, rt, ProcessArgs{Name: "leak", Buffer: kb, ConnectionType: conn, Command: []string{"sleep", "30"}})
				kb.Kill()
			}
			if b != nil {
				b.Kill()
			}
		}
	}()
	// Every child is gone: reaped, not a zombie, not running.
	deadline := time.Now().Add(longWait)
	for len(childPids(t)) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("children left: %v", childPids(t))
		}
		warm.AcceptProcessOutput(nil, 10*time.Millisecond, false)
	}
	fds1 := openFDs(t)
	var gs1 int
	for i := 0; i < 100; i++ {
		if gs1 = runtime.NumGoroutine(); gs1 <= gs0 {
			break
		}
		warm.AcceptProcessOutput(nil, 10*time.Millisecond, false)
	}
	t.Logf("%d cycles: fds %d -> %d, goroutines %d -> %d", cycles, fds0, fds1, gs0, gs1)
	if fds1 > fds0 {
		ents, _ := os.ReadDir("/proc/self/fd")
		kinds := map[string]int{}
		for _, e := range ents {
			l, _ := os.Readlink("/proc/self/fd/" + e.Name())
			if i := strings.IndexByte(l, '['); i > 0 {
				l = l[:i]
			}
			kinds[l]++
		}
		t.Errorf("descriptors leaked: %d before, %d after: %v", fds0, fds1, kinds)
	}
	if gs1 > gs0 {
		buf := make([]byte, 1<<16)
		n := runtime.Stack(buf, true)
		t.Errorf("goroutines leaked: %d before, %d after\n%s", gs0, gs1, buf[:n])
	}
}

func TestHostExecChildrenKeepTheirStatus(t *testing.T) {
	// eproc never reaps the host program's own children.
	rt := newRuntime(t, Config{})
	var ps []*Process
	for i := 0; i < 20; i++ {
		ps = append(ps, mustMake(t, rt, helperArgs("busy", "exit", "0")))
	}
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := exec.Command("sh", "-c", "exit 3").Run()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 3 {
				t.Errorf("os/exec child: %v", err)
			}
		}()
	}
	for _, p := range ps {
		waitExit(t, p)
	}
	wg.Wait()
}

func TestDeleteKillsBackgroundJobs(t *testing.T) {
	// Deleting a shell that started a background job kills its group.
	rt := newRuntime(t, Config{})
	var rec recorder
	p := mustMake(t, rt, ProcessArgs{Name: "orph", Command: []string{"/bin/sh", "-c", "sleep 30 & echo $!; wait"}, Filter: rec.filter})
	waitUntil(t, rt, "pid", func() bool { return strings.HasSuffix(rec.String(), "\n") })
	bg, _ := strconv.Atoi(strings.TrimSpace(rec.String()))
	p.Delete()
	deadline := time.Now().Add(longWait)
	for syscall.Kill(bg, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatal("the background job survived Delete")
		}
		rt.AcceptProcessOutput(nil, 10*time.Millisecond, false)
	}
}

func TestMisbehavingCallbacks(t *testing.T) {
	rt := newRuntime(t, Config{ErrorHandler: func(error) {}})
	// A filter that deletes its own process: no more filter calls, one
	// sentinel call.
	var calls int
	var events []string
	a := helperArgs("selfdel", "write", "1000000")
	a.Filter = func(p *Process, s string) { calls++; p.Delete() }
	a.Sentinel = func(p *Process, e string) { events = append(events, e) }
	p := mustMake(t, rt, a)
	waitExit(t, p)
	if calls != 1 || len(events) != 1 {
		t.Errorf("self-deleting filter: %d calls, events %q", calls, events)
	}
	// A filter that kills its buffer.
	b := rt.GetBufferCreate("kb")
	a = helperArgs("killbuf", "write", "300000")
	a.Buffer = b
	a.Filter = func(p *Process, s string) {
		if b := p.Buffer(); b != nil {
			b.Kill()
		}
	}
	p = mustMake(t, rt, a)
	waitExit(t, p)
	// A sentinel that starts new processes.
	var second *Process
	a = helperArgs("first", "exit", "0")
	a.Sentinel = func(p *Process, e string) {
		second = mustMake(t, rt, helperArgs("second", "echo", "hi"))
	}
	p = mustMake(t, rt, a)
	waitExit(t, p)
	if second == nil {
		t.Fatal("the sentinel did not start a process")
	}
	waitExit(t, second)
	// A slow filter holds up nothing but its own dispatch.
	var got int
	a = helperArgs("slow", "write", "200000")
	a.Filter = func(p *Process, s string) {
		if got == 0 {
			time.Sleep(time.Second) // the misbehaviour under test: a filter that blocks for a second
		}
		got += len(s)
	}
	p = mustMake(t, rt, a)
	waitExit(t, p)
	if got != 200000 {
		t.Errorf("slow filter got %d bytes", got)
	}
}

func TestBadInput(t *testing.T) {
	rt := newRuntime(t, Config{})
	dead := mustMake(t, rt, helperArgs("dead", "exit", "0"))
	waitExit(t, dead)
	deleted := mustMake(t, rt, helperArgs("deleted", "ready"))
	deleted.Delete()
	pipe, _ := rt.MakePipeProcess(PipeArgs{Name: "bpipe", NoBuffer: true})
	killed := rt.GetBufferCreate("killed")
	killed.Kill()
	notExec := t.TempDir() + "/notexec"
	os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644)
	var nilProc *Process
	for _, c := range []struct {
		name string
		err  func() error
		want string
	}{
		{"empty command", func() error { _, err := rt.MakeProcess(ProcessArgs{Name: "x", ConnectionType: Pipe}); return err }, ErrNoProgram.Error()},
		{"missing program", func() error {
			_, err := rt.MakeProcess(ProcessArgs{Name: "x", Command: []string{"no-such-prog-xyz"}})
			return err
		}, "Searching for program: No such file or directory, no-such-prog-xyz"},
		{"directory", func() error { _, err := rt.MakeProcess(ProcessArgs{Name: "x", Command: []string{"/"}}); return err }, "Specified program for new process is a directory"},
		{"NUL in argument", func() error {
			_, err := rt.MakeProcess(ProcessArgs{Name: "x", Command: []string{"echo", "a\x00b"}})
			return err
		}, `Invalid argument: NUL byte in command line argument "a\x00b"`},
		{"NUL in Env", func() error {
			_, err := rt.MakeProcess(ProcessArgs{Name: "x", Command: []string{"true"}, Env: []string{"A=\x00"}})
			return err
		}, `Invalid argument: NUL byte in environment entry "A=\x00"`},
		{"missing Dir", func() error {
			_, err := rt.MakeProcess(ProcessArgs{Name: "x", Command: []string{"true"}, Dir: "/no/such/dir"})
			return err
		}, "Setting current directory: No such file or directory, /no/such/dir"},
		{"Stop", func() error {
			_, err := rt.MakeProcess(ProcessArgs{Name: "x", Command: []string{"true"}, Stop: true})
			return err
		}, "Wrong type argument: null, t"},
		{"unknown coding", func() error {
			_, err := rt.MakeProcess(ProcessArgs{Name: "x", Command: []string{"true"}, Coding: Coding{Encoding: "klingon"}})
			return err
		}, "Invalid coding system: klingon"},
		{"bad stderr", func() error {
			_, err := rt.MakeProcess(ProcessArgs{Name: "x", Command: []string{"true"}, Stderr: dead})
			return err
		}, "Process is not a pipe process"},
		{"send after exit", func() error { return dead.SendString("x") }, "Process dead not running: process not running"},
		{"EOF after exit", func() error { return dead.SendEOF() }, "Process dead not running: process not running"},
		{"region after exit", func() error { return dead.SendRegion(killed, 1, 1) }, "Process dead not running: process not running"},
		{"region out of range", func() error { return pipe.SendRegion(rt.GetBufferCreate("r"), 1, 5) }, "Args out of range: #<buffer r>, 1, 5"},
		{"signal exited", func() error { return dead.Interrupt(false) }, "Process dead is not active: process is not active"},
		{"signal deleted", func() error { return deleted.Kill(false) }, "Process deleted is not active: process is not active"},
		{"signal pipe", func() error { return pipe.Kill(false) }, "Process bpipe is not a subprocess: not a subprocess"},
		{"unknown signal", func() error { return rt.SignalProcess(dead, "sigfoo") }, "Undefined signal name sigfoo"},
		{"nil process send", func() error { return nilProc.SendString("x") }, ErrNilProcess.Error()},
		{"nil process delete", func() error { return nilProc.Delete() }, ErrNilProcess.Error()},
		{"delete twice", func() error { return deleted.Delete() }, ""},
		{"unknown process name", func() error { return rt.SignalProcess("nosuch", 15) }, "Process nosuch does not exist"},
		{"non-executable file on the exec path", func() error {
			r2 := NewRuntime(Config{ExecPath: []string{filepath.Dir(notExec)}})
			defer r2.Close()
			_, err := r2.MakeProcess(ProcessArgs{Name: "x", Command: []string{"notexec"}})
			return err
		}, "Searching for program: Permission denied, notexec"},
		{"non-executable file by absolute name (A8: exits 126)", func() error {
			var rec recorder
			p, err := rt.MakeProcess(ProcessArgs{Name: "x", Command: []string{notExec}, Sentinel: rec.sentinel, Filter: rec.filter})
			if err != nil {
				return err
			}
			waitExit(t, p)
			if p.ExitStatus() != 126 {
				return fmt.Errorf("exit status %d", p.ExitStatus())
			}
			return nil
		}, ""},
		{"SetWindowSize on a pipe", func() error {
			if pipe.SetWindowSize(24, 80) || dead.SetWindowSize(24, 80) {
				return errors.New("SetWindowSize answered true")
			}
			return nil
		}, ""},
		{"a killed buffer as process buffer (Emacs accepts it; output is dropped)", func() error {
			p, err := rt.MakeProcess(ProcessArgs{Name: "x", Buffer: killed, Command: []string{"echo", "lost"}})
			if err != nil {
				return err
			}
			waitExit(t, p)
			if killed.String() != "" {
				return errors.New("output reached a killed buffer")
			}
			return nil
		}, ""},
	} {
		err := c.err()
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != c.want {
			t.Errorf("%s: error %q, want %q", c.name, got, c.want)
		}
		// The Runtime still works. (echo, not the test binary: under the
		// race detector each start of the test binary costs a second.)
		var rec recorder
		p := mustMake(t, rt, ProcessArgs{Name: "after", Command: []string{"echo", "ok"}, Filter: rec.filter})
		waitExit(t, p)
		if rec.String() != "ok\n" {
			t.Fatalf("after %s: the Runtime is broken: %q", c.name, rec.String())
		}
	}
	if rt.GetProcess("nosuch") != nil {
		t.Error("GetProcess of an unknown name")
	}
}

func TestRuntimeClose(t *testing.T) {
	var asked []string
	rt := NewRuntime(Config{ProcessConnectionType: Pipe, ProcessEnvironment: append([]string{helperEnv + "=1"}, os.Environ()...),
		QueryBeforeExit: func(ps []*Process) bool {
			for _, p := range ps {
				asked = append(asked, p.Name())
			}
			return len(asked) > 1
		}})
	var events []string
	var mu sync.Mutex
	for _, name := range []string{"q1", "q2"} {
		a := helperArgs(name, "ready")
		a.NoQuery = name == "q2"
		a.Sentinel = func(p *Process, e string) { mu.Lock(); events = append(events, p.Name()+" "+e); mu.Unlock() }
		mustMake(t, rt, a)
	}
	if err := rt.Close(); !errors.Is(err, ErrKillCanceled) || strings.Join(asked, " ") != "q1" {
		t.Fatalf("first Close: %v, asked %q", err, asked)
	}
	if err := rt.Close(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(events, "|"); got != "q1 hangup\n|q2 hangup\n" && got != "q2 hangup\n|q1 hangup\n" {
		t.Errorf("events %q", got)
	}
	if _, err := rt.MakeProcess(helperArgs("late", "exit", "0")); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
}
