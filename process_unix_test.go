//go:build unix

package eproc

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The behaviour suite's Unix-only part: real signals, process groups,
// /bin/sh, descriptors. The Windows counterparts are in
// process_windows_test.go.

func TestSentinelEventsFromRealChildren(t *testing.T) {
	// D1 with real children: exit codes and deaths by signal.
	rt := newRuntime(t, Config{})
	cases := []struct {
		helper string
		args   []string
		want   string
		status Status
		code   int
	}{
		{"exit", []string{"0"}, "finished\n", StatusExit, 0},
		{"exit", []string{"3"}, "exited abnormally with code 3\n", StatusExit, 3},
		{"exit", []string{"255"}, "exited abnormally with code 255\n", StatusExit, 255},
		{"raise", []string{"9"}, "killed\n", StatusSignal, 9},
		{"raise", []string{"15"}, "terminated\n", StatusSignal, 15},
		{"raise", []string{"2"}, "interrupt\n", StatusSignal, 2},
		{"raise", []string{"1"}, "hangup\n", StatusSignal, 1},
		{"raise", []string{"3"}, "quit\n", StatusSignal, 3},
		{"raise", []string{"11"}, "segmentation fault\n", StatusSignal, 11},
		{"raise", []string{"6"}, "aborted\n", StatusSignal, 6},
		{"raise", []string{"13"}, "broken pipe\n", StatusSignal, 13},
		{"raise", []string{"10"}, "user defined signal 1\n", StatusSignal, 10},
		{"raise", []string{"14"}, "alarm clock\n", StatusSignal, 14},
		{"raise", []string{"35"}, "real-time signal 1\n", StatusSignal, 35},
	}
	for _, c := range cases {
		var rec recorder
		a := helperArgs("ev", c.helper, c.args...)
		if c.helper == "raise" {
			// A shell, not the Go helper: the Go runtime catches signals.
			a.Command = []string{"/bin/sh", "-c", "ulimit -c 0; kill -" + c.args[0] + " $$"}
		}
		a.Sentinel = rec.sentinel
		p := mustMake(t, rt, a)
		waitExit(t, p)
		if len(rec.events) != 1 || rec.events[0] != c.want {
			t.Errorf("%s %v: events %q, want [%q]", c.helper, c.args, rec.events, c.want)
		}
		if p.Status() != c.status || p.ExitStatus() != c.code {
			t.Errorf("%s %v: status %s %d, want %s %d", c.helper, c.args, p.Status(), p.ExitStatus(), c.status, c.code)
		}
	}
}

func TestSignalsAndStatus(t *testing.T) {
	// G1, G3 (eproc really stops the child), G4, E1.
	rt := newRuntime(t, Config{})
	var rec recorder
	a := helperArgs("sig", "ready")
	a.Filter = rec.filter
	a.Sentinel = rec.sentinel
	p := mustMake(t, rt, a)
	waitUntil(t, rt, "ready", func() bool { return rec.String() == "ready\n" })
	if err := p.Stop(false); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, rt, "stop", func() bool { return p.Status() == StatusStop })
	if p.ExitStatus() != int(syscall.SIGSTOP) || len(rec.events) != 1 || rec.events[0] != "stopped (signal)\n" {
		t.Errorf("after stop: exit status %d events %q", p.ExitStatus(), rec.events)
	}
	if err := p.Continue(false); err != nil {
		t.Fatal(err)
	}
	// G4: the sentinel ran inside Continue, once.
	if p.Status() != StatusRun || len(rec.events) != 2 || rec.events[1] != "run" {
		t.Errorf("after continue: status %s events %q", p.Status(), rec.events)
	}
	rt.AcceptProcessOutput(nil, shortWait, false)
	if len(rec.events) != 2 {
		t.Errorf("the kernel's continue report gave another event: %q", rec.events)
	}
	if err := p.Interrupt(false); err != nil {
		t.Fatal(err)
	}
	waitExit(t, p)
	if got := rec.events[len(rec.events)-1]; got != "interrupt\n" || p.Status() != StatusSignal || p.ExitStatus() != 2 {
		t.Errorf("after interrupt: %q %s %d", got, p.Status(), p.ExitStatus())
	}
	// F10: use after exit.
	for _, f := range []func(bool) error{p.Interrupt, p.Kill, p.Quit, p.Stop, p.Continue} {
		if err := f(false); !errors.Is(err, ErrNotActive) || err.Error() != "Process sig is not active: "+ErrNotActive.Error() {
			t.Errorf("signal after exit: %v", err)
		}
	}
	if err := rt.SignalProcess(p, "SIGTERM"); !errors.Is(err, ErrNotActive) {
		t.Errorf("SignalProcess after exit: %v", err)
	}
}

func TestGroupDelivery(t *testing.T) {
	// G1: the signal goes to the child's process group: a shell and its
	// background job both die.
	rt := newRuntime(t, Config{})
	var rec recorder
	p, err := rt.MakeProcess(ProcessArgs{Name: "grp", Command: []string{"/bin/sh", "-c", "sleep 30 & echo started; wait"},
		Filter: rec.filter, Sentinel: rec.sentinel})
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, rt, "started", func() bool { return rec.String() == "started\n" })
	p.Kill(false)
	waitExit(t, p)
	if rec.events[0] != "killed\n" {
		t.Errorf("events %q", rec.events)
	}
	// The background sleep was in the same group: signalling the group now
	// finds nobody.
	deadline := time.Now().Add(longWait)
	for syscall.Kill(-p.ID(), 0) == nil {
		if time.Now().After(deadline) {
			t.Fatal("the background job outlived the kill")
		}
		rt.AcceptProcessOutput(nil, 10*time.Millisecond, false)
	}
}

func TestSignalProcessNames(t *testing.T) {
	// G7: names with and without SIG, any case; numbers; errors.
	for _, s := range []any{"SIGTERM", "term", "sigterm", "Term", 15, syscall.SIGTERM, "15"} {
		if sig, err := ParseSignal(s); err != nil || sig != syscall.SIGTERM {
			t.Errorf("ParseSignal(%v) = %v, %v", s, sig, err)
		}
	}
	if _, err := ParseSignal("sigfoo"); err == nil || err.Error() != "Undefined signal name sigfoo" {
		t.Errorf("bad name: %v", err)
	}
	rt := newRuntime(t, Config{})
	var rec recorder
	a := helperArgs("sp", "ready")
	a.Sentinel = rec.sentinel
	a.Filter = rec.filter
	p := mustMake(t, rt, a)
	waitUntil(t, rt, "ready", func() bool { return rec.String() == "ready\n" })
	if err := rt.SignalProcess("sp", "sigterm"); err != nil {
		t.Fatal(err)
	}
	waitExit(t, p)
	if rec.events[0] != "terminated\n" {
		t.Errorf("events %q", rec.events)
	}
	pp, _ := rt.MakePipeProcess(PipeArgs{Name: "pp"})
	if err := rt.SignalProcess(pp, 15); err == nil || err.Error() != "Cannot signal process pp" {
		t.Errorf("pipe: %v", err)
	}
	if err := pp.Interrupt(false); !errors.Is(err, ErrNotSubprocess) || !strings.HasPrefix(err.Error(), "Process pp is not a subprocess") {
		t.Errorf("pipe interrupt: %v", err)
	}
}

func TestKillBufferHangsUp(t *testing.T) {
	// F7: kill-buffer sends SIGHUP; the sentinel comes later with "hangup\n".
	// F9: the query hook is asked only with the query flag set.
	asked := 0
	rt := newRuntime(t, Config{KillBufferQuery: func(b *Buffer, p *Process) bool { asked++; return asked > 1 }})
	b := rt.GetBufferCreate("kq")
	var rec recorder
	a := helperArgs("kq", "ready")
	a.Buffer = b
	a.Sentinel = rec.sentinel
	p := mustMake(t, rt, a)
	if err := b.Kill(); !errors.Is(err, ErrKillCanceled) || !b.Live() {
		t.Fatalf("first kill: %v, live %v", err, b.Live())
	}
	if err := b.Kill(); err != nil || b.Live() {
		t.Fatalf("second kill: %v", err)
	}
	if len(rec.events) != 0 {
		t.Errorf("sentinel ran inside kill-buffer: %q", rec.events)
	}
	waitExit(t, p)
	if len(rec.events) != 1 || rec.events[0] != "hangup\n" {
		t.Errorf("events %q", rec.events)
	}
	if asked != 2 {
		t.Errorf("query asked %d times", asked)
	}
	// A pipe process of a killed buffer is deleted at once (F8).
	b2 := rt.GetBufferCreate("pb")
	var prec recorder
	pp, _ := rt.MakePipeProcess(PipeArgs{Name: "pp", Buffer: b2, NoQuery: true, Sentinel: prec.sentinel})
	b2.Kill()
	if len(prec.events) != 1 || prec.events[0] != "finished\n" || pp.Status() != StatusClosed {
		t.Errorf("pipe process of killed buffer: %q %s", prec.events, pp.Status())
	}
}

func TestAbsoluteMissingProgram(t *testing.T) {
	// A8: an absolute program is not checked: the process exits 127 and
	// says why; a file that cannot be executed gives 126.
	rt := newRuntime(t, Config{})
	for _, c := range []struct {
		prog string
		code int
		msg  string
	}{
		{"/no/such/prog", 127, "eproc: /no/such/prog: No such file or directory\n"},
		{"/etc/passwd", 126, "eproc: /etc/passwd: Permission denied\n"},
	} {
		var rec recorder
		p, err := rt.MakeProcess(ProcessArgs{Name: "abs", Command: []string{c.prog}, Filter: rec.filter, Sentinel: rec.sentinel})
		if err != nil {
			t.Fatalf("%s: %v", c.prog, err)
		}
		waitExit(t, p)
		want := fmt.Sprintf("exited abnormally with code %d\n", c.code)
		if rec.String() != c.msg || len(rec.events) != 1 || rec.events[0] != want || p.ExitStatus() != c.code {
			t.Errorf("%s: output %q events %q", c.prog, rec.String(), rec.events)
		}
	}
}

func TestDescriptorsSeenByChild(t *testing.T) {
	// A child sees only 0, 1 and 2 (plus the one ls opens to list them),
	// over pipes and over a pty.
	rt := newRuntime(t, Config{})
	// Descriptors the test binary itself inherited without close-on-exec
	// (from whatever started it) pass to every child; eproc adds none.
	want := map[string]bool{"0": true, "1": true, "2": true, "3": true}
	for _, fd := range inheritedFDs() {
		want[strconv.Itoa(fd)] = true
	}
	for _, conn := range []ConnectionType{Pipe, PTY} {
		var rec recorder
		p := mustMake(t, rt, ProcessArgs{Name: "fds", ConnectionType: conn, Command: []string{"/bin/sh", "-c", "exec ls /proc/self/fd"}, Filter: rec.filter})
		waitExit(t, p)
		got := strings.Fields(rec.String())
		for _, fd := range got {
			if !want[fd] {
				t.Errorf("%v: child has descriptor %s (all: %v, allowed %v)", conn, fd, got, want)
			}
		}
	}
}

// inheritedFDs lists this process's descriptors above 2 that lack
// close-on-exec: the ones it inherited from whatever started the tests.
func inheritedFDs() []int {
	ents, _ := os.ReadDir("/proc/self/fd")
	var fds []int
	for _, e := range ents {
		fd, err := strconv.Atoi(e.Name())
		if err != nil || fd <= 2 {
			continue
		}
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if err == nil && flags&unix.FD_CLOEXEC == 0 {
			fds = append(fds, fd)
		}
	}
	return fds
}

func TestDefaultSentinelStopThenKill(t *testing.T) {
	// B13: stop then kill leaves two messages in the buffer.
	rt := newRuntime(t, Config{})
	b := rt.GetBufferCreate("stb")
	a := helperArgs("st", "ready")
	a.Buffer = b
	p := mustMake(t, rt, a)
	waitUntil(t, rt, "ready", func() bool { return b.String() == "ready\n" })
	b.Erase()
	p.Mark().Set(b, 1)
	if err := rt.SignalProcess(p, "SIGSTOP"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, rt, "stop", func() bool { return p.Status() == StatusStop && b.Len() > 0 })
	p.Kill(false)
	waitExit(t, p)
	if got, want := b.String(), "\nProcess st stopped (signal)\n\nProcess st killed\n"; got != want {
		t.Errorf("buffer %q, want %q", got, want)
	}
}

func TestGrandchildHoldingOutput(t *testing.T) {
	// D2.4: the sentinel runs when the direct child exits, even if a
	// grandchild still holds its output.
	rt := newRuntime(t, Config{})
	var rec recorder
	p := mustMake(t, rt, ProcessArgs{Name: "gc", Command: []string{"/bin/sh", "-c", "sleep 30 & echo started"},
		Filter: rec.filter, Sentinel: rec.sentinel})
	waitExit(t, p)
	if rec.String() != "started\n" || rec.events[0] != "finished\n" {
		t.Errorf("output %q events %q", rec.String(), rec.events)
	}
	syscall.Kill(-p.ID(), syscall.SIGKILL)
}

func TestStartProcessShellCommand(t *testing.T) {
	// N9: shell-file-name with "-c".
	rt := newRuntime(t, Config{ShellFileName: "/bin/sh"})
	b := rt.GetBufferCreate("sh")
	p, err := rt.StartProcessShellCommand("sh", b, "echo $((6*7)) *.nothing")
	if err != nil {
		t.Fatal(err)
	}
	if cmd := strings.Join(p.Command(), " "); cmd != "/bin/sh -c echo $((6*7)) *.nothing" {
		t.Errorf("command %q", cmd)
	}
	waitExit(t, p)
	if b.String() != "42 *.nothing\n\nProcess sh finished\n" {
		t.Errorf("buffer %q", b.String())
	}
}

func TestStatusChangesCoalesce(t *testing.T) {
	// D2.2: changes that happen while nobody waits collapse into the last:
	// SIGSTOP then SIGKILL gives only "killed\n".
	rt := newRuntime(t, Config{})
	var rec recorder
	a := helperArgs("co", "ready")
	a.Sentinel = rec.sentinel
	a.Filter = rec.filter
	p := mustMake(t, rt, a)
	waitUntil(t, rt, "ready", func() bool { return rec.String() == "ready\n" })
	syscall.Kill(p.ID(), syscall.SIGSTOP)
	// Wait, without dispatching, until the kernel reports the stop.
	deadline := time.Now().Add(longWait)
	for {
		data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.ID()))
		if f := strings.Fields(string(data)); len(f) > 2 && f[2] == "T" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the child did not stop")
		}
		runtime.Gosched()
	}
	syscall.Kill(p.ID(), syscall.SIGKILL)
	// The reaper records statuses as they come; wait, still without
	// dispatching, until it has recorded the death.
	for p.Status() != StatusSignal {
		if time.Now().After(deadline) {
			t.Fatal("the death was not recorded")
		}
		runtime.Gosched()
	}
	waitExit(t, p)
	if len(rec.events) != 1 || rec.events[0] != "killed\n" {
		t.Errorf("events %q, want only killed", rec.events)
	}
}

func TestSentinelNeverRecursive(t *testing.T) {
	// A sentinel that changes its own process's status is not re-entered;
	// the new change is reported after it returns.
	rt := newRuntime(t, Config{})
	var events []string
	depth := 0
	a := helperArgs("nr", "ready")
	a.Filter = func(*Process, string) {}
	a.Sentinel = func(p *Process, e string) {
		depth++
		defer func() { depth-- }()
		events = append(events, fmt.Sprintf("%d:%s", depth, e))
		if e == "stopped (signal)\n" {
			p.Delete()
		}
	}
	p := mustMake(t, rt, a)
	p.Stop(false)
	waitExit(t, p)
	if strings.Join(events, "") != "1:stopped (signal)\n1:killed\n" {
		t.Errorf("events %q", events)
	}
}

// Issue 16 item 11: Emacs encodes only multibyte arguments. With
// utf-16le as the coding system, ASCII arguments reach the program as
// they are (printf gets its format, not UTF-16), while a non-ASCII one is
// encoded: "é" in latin-1 is the byte 0xE9.
func TestOnlyNonASCIIArgumentsEncoded(t *testing.T) {
	rt := newRuntime(t, Config{ProcessConnectionType: Pipe})
	for _, tc := range []struct {
		coding  string
		command []string
		want    string
	}{
		{"utf-16le", []string{"printf", `a\000b\000`}, "ab"},
		{"latin-1", []string{"printf", "%s", "é"}, "é"},
	} {
		var rec recorder
		p := mustMake(t, rt, ProcessArgs{Name: tc.coding, Command: tc.command,
			Coding: Coding{Decoding: tc.coding, Encoding: tc.coding}, Filter: rec.filter})
		waitExit(t, p)
		if rec.String() != tc.want || p.ExitStatus() != 0 {
			t.Errorf("%s %q: output %q, exit %d; want %q", tc.coding, tc.command, rec.String(), p.ExitStatus(), tc.want)
		}
	}
}
