package eproc

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// The behaviour suite's Windows-only part: what Windows does differently
// (signals, exit codes, program search with exec-suffixes, command-line
// quoting) and the Windows machinery itself (the completion-port poller,
// exit notification through the thread pool). The tests run under Wine on
// the project's Linux CI; where Wine differs from Windows, the test says
// so and skips that case only.

// underWine reports whether the tests run under Wine, whose ntdll
// exports wine_get_version.
func underWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}

// helperExe is the test binary's file, which the helper children run.
func helperExe(t testing.TB) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

func TestWindowsExitCodes(t *testing.T) {
	// Emacs on Windows (w32proc.c's waitpid): STATUS_CONTROL_C_EXIT is
	// death by SIGINT, every other code an exit with that code. eproc
	// keeps the whole code where Emacs 28 keeps its low 8 bits.
	rt := newRuntime(t, Config{})
	for _, c := range []struct {
		code   string
		event  string
		status Status
		exit   int
	}{
		{"0", "finished\n", StatusExit, 0},
		{"3", "exited abnormally with code 3\n", StatusExit, 3},
		{"256", "exited abnormally with code 256\n", StatusExit, 256},
		{strconv.Itoa(int(windows.STATUS_CONTROL_C_EXIT)), "interrupt\n", StatusSignal, 2},
	} {
		var rec recorder
		a := helperArgs("code", "exit", c.code)
		a.Sentinel = rec.sentinel
		p := mustMake(t, rt, a)
		waitExit(t, p)
		if len(rec.events) != 1 || rec.events[0] != c.event || p.Status() != c.status || p.ExitStatus() != c.exit {
			t.Errorf("exit %s: events %q status %s %d, want %q %s %d", c.code, rec.events, p.Status(), p.ExitStatus(), c.event, c.status, c.exit)
		}
	}
}

func TestWindowsSignals(t *testing.T) {
	// Emacs's sys_kill on Windows: SIGKILL terminates the child with exit
	// code 255; signals with no Windows equivalent fail (eproc: wrapping
	// errors.ErrUnsupported); signal 0 checks the process is there.
	rt := newRuntime(t, Config{})
	var rec recorder
	a := helperArgs("sig", "ready")
	a.Filter, a.Sentinel = rec.filter, rec.sentinel
	p := mustMake(t, rt, a)
	waitUntil(t, rt, "ready", func() bool { return rec.String() == "ready\n" })
	for name, f := range map[string]func() error{
		"Stop":     func() error { return p.Stop(false) },
		"Continue": func() error { return p.Continue(false) },
		"SIGTERM":  func() error { return p.Signal(syscall.SIGTERM) },
		"usr1":     func() error { return rt.SignalProcess(p, 10) },
	} {
		if err := f(); !errors.Is(err, errors.ErrUnsupported) {
			t.Errorf("%s: %v, want an error wrapping errors.ErrUnsupported", name, err)
		}
	}
	if _, err := ParseSignal("stop"); err == nil || err.Error() != "Undefined signal name stop" {
		t.Errorf("ParseSignal(stop): %v", err)
	}
	if err := rt.SignalProcess(p, 0); err != nil {
		t.Errorf("signal 0: %v", err)
	}
	if p.Status() != StatusRun || len(rec.events) != 0 {
		t.Errorf("after the refused signals: %s %q", p.Status(), rec.events)
	}
	if err := p.Kill(false); err != nil {
		t.Fatal(err)
	}
	waitExit(t, p)
	if len(rec.events) != 1 || rec.events[0] != "exited abnormally with code 255\n" || p.Status() != StatusExit || p.ExitStatus() != 255 {
		t.Errorf("after Kill: events %q status %s %d", rec.events, p.Status(), p.ExitStatus())
	}
	if err := p.Kill(false); !errors.Is(err, ErrNotActive) {
		t.Errorf("Kill after exit: %v", err)
	}
}

func TestWindowsInterrupt(t *testing.T) {
	// Interrupt is a Ctrl-Break event for the child's process group, as in
	// Emacs; a Go program that does not handle it ends with
	// STATUS_CONTROL_C_EXIT: "interrupt\n".
	rt := newRuntime(t, Config{})
	var rec recorder
	a := helperArgs("int", "ready")
	a.Filter, a.Sentinel = rec.filter, rec.sentinel
	p := mustMake(t, rt, a)
	defer p.Delete()
	waitUntil(t, rt, "ready", func() bool { return rec.String() == "ready\n" })
	if err := p.Interrupt(false); err != nil {
		if underWine() && errors.Is(err, errors.ErrUnsupported) {
			// Wine gives a program started without a terminal no console,
			// and delivers no Ctrl-Break without one.
			t.Skipf("Wine cannot deliver Ctrl-Break here: %v", err)
		}
		t.Fatal(err)
	}
	waitExit(t, p)
	if len(rec.events) != 1 || rec.events[0] != "interrupt\n" || p.Status() != StatusSignal || p.ExitStatus() != 2 {
		t.Errorf("after Interrupt: events %q status %s %d", rec.events, p.Status(), p.ExitStatus())
	}
}

func TestWindowsKillBufferTerminates(t *testing.T) {
	// kill-buffer's SIGHUP: Emacs on Windows terminates the child (255).
	rt := newRuntime(t, Config{})
	b := rt.GetBufferCreate("kb")
	var rec recorder
	a := helperArgs("kb", "ready")
	a.Buffer, a.Sentinel = b, rec.sentinel
	p := mustMake(t, rt, a)
	if err := b.Kill(); err != nil {
		t.Fatal(err)
	}
	waitExit(t, p)
	if len(rec.events) != 1 || rec.events[0] != "exited abnormally with code 255\n" {
		t.Errorf("events %q", rec.events)
	}
}

func TestWindowsMissingProgram(t *testing.T) {
	// Emacs on Windows has no fork to fail in: a program that cannot be
	// run is an error from make-process, not a child exiting with 127. The
	// text is the errno's, as Emacs maps Windows errors.
	rt := newRuntime(t, Config{})
	prog := filepath.Join(tempDir(t), "no-such-prog.exe")
	_, err := rt.MakeProcess(ProcessArgs{Name: "x", Command: []string{prog}})
	if want := "Spawning child process: No such file or directory, " + prog; err == nil || err.Error() != want || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("err %v, want %q wrapping fs.ErrNotExist", err, want)
	}
	if len(rt.ProcessList()) != 0 {
		t.Errorf("a process remained: %v", rt.ProcessList())
	}
	_, err = rt.MakeProcess(ProcessArgs{Name: "x", Command: []string{"no-such-prog-xyz"}})
	if err == nil || err.Error() != "Searching for program: No such file or directory, no-such-prog-xyz" {
		t.Errorf("not on the exec path: %v", err)
	}
}

func TestWindowsSuffixSearch(t *testing.T) {
	// exec-suffixes as Emacs's w32 port uses them: each directory of
	// exec-path is tried with .exe, .com, .bat, .cmd, .btm and "" in turn;
	// a file is executable only with one of the first four.
	dir := tempDir(t)
	exe, err := os.ReadFile(helperExe(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"helper.exe", "both.exe", "plain"} {
		if err := os.WriteFile(filepath.Join(dir, name), exe, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, text := range map[string]string{
		"script.bat":  "@echo off\r\necho bat %1\r\n",
		"both.bat":    "@echo off\r\necho the batch file\r\n",
		"cmdfile.cmd": "@echo off\r\necho cmd %1\r\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rt := newRuntime(t, Config{ExecPath: []string{filepath.Join(dir, "nothing-here"), dir}})
	for _, c := range []struct {
		command []string
		want    string
	}{
		{[]string{"helper", "echo", "found"}, "found\n"},
		{[]string{"both", "echo", "the exe wins"}, "the exe wins\n"},
		{[]string{"script", "x"}, "bat x\r\n"},
		{[]string{"cmdfile", "y"}, "cmd y\r\n"},
		{[]string{"HELPER.EXE", "echo", "any case"}, "any case\n"},
	} {
		var rec recorder
		p, err := rt.MakeProcess(ProcessArgs{Name: "s", Command: c.command, Filter: rec.filter, Sentinel: rec.sentinel})
		if err != nil {
			t.Errorf("%q: %v", c.command, err)
			continue
		}
		waitExit(t, p)
		if rec.String() != c.want || len(rec.events) != 1 || rec.events[0] != "finished\n" {
			t.Errorf("%q: output %q events %q, want %q", c.command, rec.String(), rec.events, c.want)
		}
	}
	// A file whose name has no executable suffix is found but refused.
	if _, err := rt.MakeProcess(ProcessArgs{Name: "p", Command: []string{"plain"}}); err == nil || err.Error() != "Searching for program: Permission denied, plain" {
		t.Errorf("plain: %v", err)
	}
	// call-process searches the same way.
	b := rt.GetBufferCreate("call")
	if st, err := rt.CallProcess("helper", "", Destination{Buffer: b}, "echo", "called"); err != nil || st.Code != 0 || b.String() != "called\n" {
		t.Errorf("CallProcess: %v %v %q", st, err, b.String())
	}
}

func TestWindowsCommandLineRoundTrip(t *testing.T) {
	// Arguments reach a child linked with the Microsoft C runtime's
	// argument parser (as every Go program is) exactly as given, argv[0]
	// being the program's file in DOS form, as Emacs passes it.
	rt := newRuntime(t, Config{})
	args := []string{"", "plain", "a b", "tab\there", `a"b`, `"quoted"`, `a\"b`, `trailing\`, `c:\dir with space\`,
		`\\server\share`, "*.go", "?", `back\\slashes\\`, "new\nline", "é ü 世界", `%PATH%`, "a^b&c|d<e>f"}
	var rec recorder
	a := helperArgs("args", "args", args...)
	a.Filter = rec.filter
	p := mustMake(t, rt, a)
	waitExit(t, p)
	var got []string
	for _, line := range strings.Split(strings.TrimSuffix(rec.String(), "\n"), "\n") {
		s, err := strconv.Unquote(line)
		if err != nil {
			t.Fatalf("output %q: %v", rec.String(), err)
		}
		got = append(got, s)
	}
	if strings.Join(got, "\x00") != strings.Join(args, "\x00") {
		t.Errorf("arguments arrived as %q, want %q", got, args)
	}
	var rec0 recorder
	a = helperArgs("argv0", "argv0")
	a.Command[0] = strings.ReplaceAll(a.Command[0], `\`, "/")
	a.Filter = rec0.filter
	p = mustMake(t, rt, a)
	waitExit(t, p)
	if got, want := strings.TrimSpace(rec0.String()), strings.ReplaceAll(helperExe(t), "/", `\`); !strings.EqualFold(got, want) {
		t.Errorf("argv[0] %q, want %q", got, want)
	}
}

func TestWindowsShellCommands(t *testing.T) {
	// shell-file-name defaults to $SHELL, then %ComSpec% (cmd.exe) with
	// "/c".
	t.Setenv("SHELL", "") // Wine passes on the Linux one
	rt := newRuntime(t, Config{})
	if cfg := rt.Config(); cfg.ShellCommandSwitch != "/c" {
		t.Errorf("shell-command-switch %q", cfg.ShellCommandSwitch)
	}
	b := rt.GetBufferCreate("sh")
	p, err := rt.StartProcessShellCommand("sh", b, "echo hello& echo world")
	if err != nil {
		t.Fatal(err)
	}
	if cmd := p.Command(); len(cmd) != 3 || cmd[1] != "/c" || cmd[2] != "echo hello& echo world" {
		t.Errorf("command %q", cmd)
	}
	waitExit(t, p)
	if got := b.String(); got != "hello\r\nworld\r\n\nProcess sh finished\n" {
		t.Errorf("buffer %q", got)
	}
	s, err := rt.ShellCommandToString("echo out& echo err 1>&2")
	if err != nil || strings.ReplaceAll(s, " \r\n", "\r\n") != "out\r\nerr\r\n" {
		t.Errorf("ShellCommandToString: %q %v", s, err)
	}
}

func TestWindowsCallProcess(t *testing.T) {
	// The call-process family over os/exec, with Emacs's Windows statuses.
	rt := newRuntime(t, Config{CallProcessQuitDelay: 100 * time.Millisecond})
	exe := helperExe(t)
	b := rt.GetBufferCreate("cp")
	if st, err := rt.CallProcess(exe, "", Destination{Buffer: b}, "echo", "a b", `c"d`); err != nil || st.String() != "0" || b.String() != "a b\nc\"d\n" {
		t.Errorf("CallProcess: %v %v %q", st, err, b.String())
	}
	if st, err := rt.CallProcess(exe, "", Destination{}, "exit", "7"); err != nil || st.Code != 7 {
		t.Errorf("exit 7: %v %v", st, err)
	}
	if st, err := rt.CallProcess(exe, "", Destination{}, "exit", strconv.Itoa(int(windows.STATUS_CONTROL_C_EXIT))); err != nil || st.Signal != "Interrupt" {
		t.Errorf("Ctrl-C exit: %v %v", st, err)
	}
	lines, err := rt.ProcessLines(exe, "lines", "3")
	if err != nil || strings.Join(lines, "|") != "line 0|line 1|line 2" {
		t.Errorf("ProcessLines: %q %v", lines, err)
	}
	if _, err := rt.ProcessLines(exe, "exit", "2"); err == nil || !strings.HasSuffix(err.Error(), " exited with status 2") {
		t.Errorf("ProcessLines exit 2: %v", err)
	}
	// Cancelling is C-g twice: Ctrl-Break, then termination (255).
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	st, err := rt.CallProcessContext(ctx, exe, "", Destination{}, "block")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	switch {
	case st.Signal == "Interrupt":
	case st.Code == 255 && underWine():
		// Wine delivers no Ctrl-Break without a console: the second
		// step, termination, ended the child.
	default:
		t.Errorf("cancelled call: %v", st)
	}
}

func TestWindowsExitNotification(t *testing.T) {
	// A child's end is noticed by the thread pool's wait on its handle,
	// with no accept call and no goroutine per child: the status changes
	// at once, the sentinel waits for an accept call.
	rt := newRuntime(t, Config{})
	var rec recorder
	a := helperArgs("en", "exit", "5")
	a.Sentinel = rec.sentinel
	p := mustMake(t, rt, a)
	deadline := time.Now().Add(longWait)
	for p.Status() != StatusExit {
		if time.Now().After(deadline) {
			t.Fatal("the exit was not recorded without an accept call")
		}
		runtime.Gosched()
	}
	if len(rec.events) != 0 {
		t.Errorf("the sentinel ran outside an accept call: %q", rec.events)
	}
	waitExit(t, p)
	if len(rec.events) != 1 || rec.events[0] != "exited abnormally with code 5\n" {
		t.Errorf("events %q", rec.events)
	}

	// No goroutine per child.
	before := runtime.NumGoroutine()
	var ps []*Process
	for i := 0; i < 20; i++ {
		ps = append(ps, mustMake(t, rt, helperArgs("many", "ready")))
	}
	if after := runtime.NumGoroutine(); after > before {
		t.Errorf("%d goroutines with 20 children, %d before", after, before)
	}
	for _, p := range ps {
		p.Delete()
		if p.Status() != StatusSignal || p.ExitStatus() != 9 {
			t.Errorf("deleted child: %s %d", p.Status(), p.ExitStatus())
		}
	}
}

func TestWindowsOutputWaitsForAccept(t *testing.T) {
	// Demand-driven reading: what nobody accepts stays in the pipe, and
	// the child blocks once the pipe is full, so it cannot reach its
	// standard error message; accepting then delivers every byte, in
	// order, before the exit sentinel.
	rt := newRuntime(t, Config{})
	var errRec recorder
	pp, err := rt.MakePipeProcess(PipeArgs{Name: "err", Filter: errRec.filter, Sentinel: func(*Process, string) {}})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	var atSentinel = -1
	const n = 4 << 20
	a := helperArgs("w", "random", strconv.Itoa(n), "1", "0")
	a.Stderr = pp
	a.Filter = func(_ *Process, s string) { out.WriteString(s) }
	a.Sentinel = func(*Process, string) { atSentinel = out.Len() }
	p := mustMake(t, rt, a)
	rt.AcceptProcessOutput(pp, shortWait, true)
	if errRec.String() != "" || p.Status() != StatusRun || out.Len() != 0 {
		t.Fatalf("without accepting the output: stderr %q, status %s, %d bytes read", errRec.String(), p.Status(), out.Len())
	}
	waitExit(t, p)
	waitExit(t, pp)
	if out.Len() != n || atSentinel != n {
		t.Errorf("read %d bytes, %d before the sentinel, want %d", out.Len(), atSentinel, n)
	}
	if strings.TrimSpace(errRec.String()) == "" {
		t.Error("no checksum on standard error")
	}
}

func TestWindowsPollerPipes(t *testing.T) {
	// The completion-port poller with eproc's named pipes: a zero-byte
	// read reports readability without taking bytes; reports are one-shot;
	// the end of the stream is reported and read as end of file; a full
	// pipe makes writeFD say errAgain and the poller reports room; a
	// handle closed with a write in progress delivers every byte first.
	pl, err := newPoller()
	if err != nil {
		t.Fatal(err)
	}
	defer pl.close()
	evs := make([]pollEvent, 8)
	in, theirs, err := newPipe(true)
	if err != nil {
		t.Fatal(err)
	}
	fd := int(in.h)
	if err := pl.arm(fd, true, false, false); err != nil {
		t.Fatal(err)
	}
	if n := pl.wait(evs, shortWait); n != 0 {
		t.Fatalf("a report with nothing written: %v", evs[:n])
	}
	if err := windows.WriteFile(theirs, []byte("hello"), nil, nil); err != nil {
		t.Fatal(err)
	}
	if n := pl.wait(evs, longWait); n != 1 || evs[0] != (pollEvent{fd: fd, in: true}) {
		t.Fatalf("after a write: %v", evs[:n])
	}
	if n := pl.wait(evs, shortWait); n != 0 {
		t.Fatalf("a second report without arming again: %v", evs[:n])
	}
	buf := make([]byte, 100)
	if n, err := readFD(fd, buf); n != 5 || err != nil || string(buf[:n]) != "hello" {
		t.Fatalf("readFD: %d %v %q", n, err, buf[:n])
	}
	if n, err := readFD(fd, buf); n != 0 || err != errAgain {
		t.Fatalf("readFD on an empty pipe: %d %v", n, err)
	}
	pl.arm(fd, true, false, true)
	windows.CloseHandle(theirs)
	if n := pl.wait(evs, longWait); n != 1 || !evs[0].in {
		t.Fatalf("after the writer closed: %v", evs[:n])
	}
	if n, err := readFD(fd, buf); n != 0 || err != nil {
		t.Fatalf("readFD at the end: %d %v", n, err)
	}
	closeFD(fd)

	out, theirs, err := newPipe(false)
	if err != nil {
		t.Fatal(err)
	}
	fd = int(out.h)
	data := patternBytes(1 << 20)
	written := 0
	for written < len(data) {
		n, err := writeFD(fd, data[written:])
		if err == errAgain {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		written += n
	}
	if written == len(data) {
		t.Fatal("1 MiB went into a pipe nobody reads")
	}
	if err := pl.arm(fd, false, true, false); err != nil {
		t.Fatal(err)
	}
	if n := pl.wait(evs, shortWait); n != 0 {
		t.Fatalf("room reported while the pipe is full: %v", evs[:n])
	}
	got := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(winFile{theirs})
		got <- b
	}()
	if n := pl.wait(evs, longWait); n != 1 || evs[0] != (pollEvent{fd: fd, out: true}) {
		t.Fatalf("no room reported once the reader reads: %v", evs[:n])
	}
	for written < len(data) {
		n, err := writeFD(fd, data[written:])
		if err == errAgain {
			pl.arm(fd, false, true, true)
			pl.wait(evs, longWait)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		written += n
	}
	closeFD(fd) // a write is likely in progress: the close waits for it
	select {
	case b := <-got:
		if !bytes.Equal(b, data) {
			t.Errorf("the reader got %d bytes, want %d, equal %v", len(b), len(data), bytes.Equal(b, data))
		}
	case <-time.After(longWait):
		t.Fatal("the reader saw no end of file")
	}
	windows.CloseHandle(theirs)
}

// winFile reads a synchronous handle, ending at a broken pipe.
type winFile struct{ h windows.Handle }

func (f winFile) Read(b []byte) (int, error) {
	var n uint32
	err := windows.ReadFile(f.h, b, &n, nil)
	if pipeEnded(err) || err == nil && n == 0 {
		return int(n), io.EOF
	}
	return int(n), err
}

func TestWindowsPTYFallsBackToPipes(t *testing.T) {
	// "On MS-Windows ... pipes are used unconditionally": a PTY connection
	// (process-connection-type's default) gives pipes.
	rt := newRuntime(t, Config{ProcessConnectionType: PTY})
	var rec recorder
	a := helperArgs("pty", "cat")
	a.ConnectionType = PTY
	a.Filter = rec.filter
	p := mustMake(t, rt, a)
	if p.TTYName() != "" || p.SetWindowSize(24, 80) {
		t.Errorf("a pty on Windows: %q", p.TTYName())
	}
	if pgid, running, err := p.RunningChildP(); err != nil || !running || pgid != 0 {
		t.Errorf("RunningChildP on pipes: %d %v %v", pgid, running, err)
	}
	p.SendString("over pipes\n")
	p.SendEOF()
	waitExit(t, p)
	if rec.String() != "over pipes\n" {
		t.Errorf("output %q", rec.String())
	}
}

func TestWindowsRuntimeClose(t *testing.T) {
	// kill-emacs: every live child is terminated (SIGHUP: exit code 255 on
	// Windows), every sentinel runs, and nothing can be made afterwards.
	rt := newRuntime(t, Config{})
	var events []string
	sentinel := func(p *Process, e string) { events = append(events, p.Name()+": "+e) }
	for i := 0; i < 3; i++ {
		a := helperArgs("c", "ready")
		a.Sentinel = sentinel
		mustMake(t, rt, a)
	}
	if _, err := rt.MakePipeProcess(PipeArgs{Name: "pipe", Sentinel: sentinel}); err != nil {
		t.Fatal(err)
	}
	if err := rt.Close(); err != nil {
		t.Fatal(err)
	}
	want := "c: exited abnormally with code 255\n|c<1>: exited abnormally with code 255\n|c<2>: exited abnormally with code 255\n|pipe: finished\n"
	slices.Sort(events)
	if got := strings.Join(events, "|"); got != want {
		t.Errorf("events %q, want %q", got, want)
	}
	if _, err := rt.MakeProcess(helperArgs("late", "exit", "0")); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
}

var procGetProcessHandleCount = windows.NewLazySystemDLL("kernel32.dll").NewProc("GetProcessHandleCount")

// handleCount is the number of handles this process has open. Wine's
// GetProcessHandleCount always says 0; its SystemHandleInformation lists
// every handle, with a 32-bit owner pid (Windows's own layout differs).
func handleCount(t *testing.T) int {
	var n uint32
	if r, _, err := procGetProcessHandleCount.Call(uintptr(windows.CurrentProcess()), uintptr(unsafe.Pointer(&n))); r == 0 {
		t.Fatal(err)
	}
	if n > 0 || !underWine() {
		return int(n)
	}
	buf := make([]byte, 1<<20)
	for {
		var size uint32
		err := windows.NtQuerySystemInformation(16, unsafe.Pointer(&buf[0]), uint32(len(buf)), &size)
		if err == windows.STATUS_INFO_LENGTH_MISMATCH {
			buf = make([]byte, 2*len(buf))
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		break
	}
	const entrySize = 24 // ULONG pid, BYTE type, BYTE flags, USHORT handle, PVOID object, ULONG access
	total := *(*uint32)(unsafe.Pointer(&buf[0]))
	pid := uint32(os.Getpid())
	count := 0
	for i := 0; i < int(total); i++ {
		if *(*uint32)(unsafe.Pointer(&buf[8+entrySize*i])) == pid {
			count++
		}
	}
	return count
}

func TestWindowsNoHandleLeak(t *testing.T) {
	// Every handle eproc opens for a child (pipes, events, the process
	// handle, its wait) is closed once the child is gone and its Runtime
	// closed.
	round := func() {
		rt := newRuntime(t, Config{})
		var ps []*Process
		for i := 0; i < 10; i++ {
			a := helperArgs("leak", "cat")
			a.Filter = func(*Process, string) {}
			p := mustMake(t, rt, a)
			p.SendString("some input\n")
			p.SendEOF()
			ps = append(ps, p)
		}
		for _, p := range ps {
			waitExit(t, p)
		}
		mustMake(t, rt, helperArgs("live", "ready")) // killed by Close
		rt.MakePipeProcess(PipeArgs{Name: "pipe"})
		rt.Close()
	}
	round() // the first round starts the thread pool's threads
	before := handleCount(t)
	for i := 0; i < 3; i++ {
		round()
	}
	// The thread pool may keep a thread (and its handle) more or less.
	if after := handleCount(t); after > before+4 {
		t.Errorf("%d handles after 30 more children, %d before", after, before)
	}
}
