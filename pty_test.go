//go:build linux

package eproc

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The pty tests follow sections A11, A23, G2, H9, H12 and I of
// ../shared/emacs-behaviour.md, checked against GNU Emacs 28.2.

func init() {
	// session: whether the child leads its own session and group, and its
	// controlling terminal, if any, and whether it is in the foreground.
	helpers["session"] = func(args []string) int {
		pid, pgid := os.Getpid(), unix.Getpgrp()
		sid, _ := unix.Getsid(0)
		fmt.Printf("leader %v\n", pid == sid && pid == pgid)
		f, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
		if err != nil {
			fmt.Println("ctty none")
			return 0
		}
		sc, _ := f.SyscallConn()
		var fg int
		sc.Control(func(fd uintptr) { fg, _ = unix.IoctlGetInt(int(fd), unix.TIOCGPGRP) })
		// The controlling terminal's device number: field 7 of
		// /proc/self/stat, after the command name in parentheses.
		stat, _ := os.ReadFile("/proc/self/stat")
		fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		ttyNr, _ := strconv.Atoi(fields[4])
		fmt.Printf("ctty %d:%d foreground %v\n", ttyNr>>8&0xfff, ttyNr&0xff|ttyNr>>12&0xfff00, fg == pgid)
		return 0
	}
	// winch: print the window size, "ready", then the size at each
	// SIGWINCH, until standard input ends.
	helpers["winch"] = func(args []string) int {
		ch := make(chan os.Signal, 8)
		signal.Notify(ch, syscall.SIGWINCH)
		ws, _ := unix.IoctlGetWinsize(0, unix.TIOCGWINSZ)
		fmt.Printf("size %d %d\nready\n", ws.Row, ws.Col)
		go func() {
			io.Copy(io.Discard, os.Stdin)
			os.Exit(0)
		}()
		for range ch {
			ws, _ := unix.IoctlGetWinsize(0, unix.TIOCGWINSZ)
			fmt.Printf("winch %d %d\n", ws.Row, ws.Col)
		}
		return 0
	}
}

// ptyRuntime makes a Runtime whose Config leaves the connection type at
// its zero value: a pty, as in Emacs.
func ptyRuntime(t testing.TB) *Runtime {
	t.Helper()
	rt := NewRuntime(Config{ProcessEnvironment: append([]string{helperEnv + "=1"}, os.Environ()...)})
	t.Cleanup(func() { rt.Close() })
	return rt
}

// runOutput runs a process to its end and returns its output and events.
func runOutput(t *testing.T, rt *Runtime, a ProcessArgs) (string, *recorder, *Process) {
	t.Helper()
	rec := &recorder{}
	a.Filter, a.Sentinel = rec.filter, rec.sentinel
	p := mustMake(t, rt, a)
	waitExit(t, p)
	return rec.String(), rec, p
}

// waitOutput dispatches until the recorder's output contains want.
func waitOutput(t *testing.T, rt *Runtime, rec *recorder, want string) {
	t.Helper()
	waitUntil(t, rt, fmt.Sprintf("output %q (have %q)", want, lastBytes(rec.String(), 200)), func() bool {
		return strings.Contains(rec.String(), want)
	})
}

func lastBytes(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

func lookPath(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not found", name)
	}
	return p
}

const isTTYScript = `for fd in 0 1 2; do if test -t $fd; then echo $fd:tty; else echo $fd:pipe; fi; done`

func TestPTYConnectionTypes(t *testing.T) {
	// I1, A23 and the newest manual's (INPUT . OUTPUT) form: test -t in
	// the child agrees with the connection asked for, and TTYName is set
	// whenever a side uses a pty.
	rt := ptyRuntime(t)
	cases := []struct {
		conn ConnectionType
		want string
	}{
		{DefaultConnection, "0:tty\n1:tty\n2:tty\n"},
		{PTY, "0:tty\n1:tty\n2:tty\n"},
		{Pipe, "0:pipe\n1:pipe\n2:pipe\n"},
		{PTYInPipeOut, "0:tty\n1:pipe\n2:pipe\n"},
		{PipeInPTYOut, "0:pipe\n1:tty\n2:tty\n"},
	}
	for _, c := range cases {
		out, rec, p := runOutput(t, rt, ProcessArgs{Name: "conn", Command: []string{"/bin/sh", "-c", isTTYScript}, ConnectionType: c.conn})
		if out != c.want {
			t.Errorf("%v: child says %q, want %q", c.conn, out, c.want)
		}
		if wantTTY := c.conn != Pipe; (p.TTYName() != "") != wantTTY || wantTTY && !strings.HasPrefix(p.TTYName(), "/dev/pts/") {
			t.Errorf("%v: TTYName %q", c.conn, p.TTYName())
		}
		if len(rec.events) != 1 || rec.events[0] != "finished\n" {
			t.Errorf("%v: events %q", c.conn, rec.events)
		}
	}
	if got := fmt.Sprint(PTYInPipeOut, " ", PipeInPTYOut, " ", PTY, " ", Pipe); got != "(pty . pipe) (pipe . pty) pty pipe" {
		t.Errorf("String: %s", got)
	}
	if _, err := rt.MakeProcess(ProcessArgs{Name: "bad", Command: []string{"true"}, ConnectionType: 17}); err == nil || !strings.Contains(err.Error(), "Unknown connection type") {
		t.Errorf("bad connection type: %v", err)
	}
}

func TestPTYStartFunctionsDefaultToPTY(t *testing.T) {
	// I1: start-process and start-process-shell-command use
	// process-connection-type, t by default.
	rt := ptyRuntime(t)
	rec := &recorder{}
	p, err := rt.StartProcessShellCommand("sh", nil, isTTYScript)
	if err != nil {
		t.Fatal(err)
	}
	p.SetFilter(rec.filter)
	waitExit(t, p)
	if rec.String() != "0:tty\n1:tty\n2:tty\n" || p.TTYName() == "" {
		t.Errorf("StartProcessShellCommand: %q, tty %q", rec.String(), p.TTYName())
	}
	rec = &recorder{}
	p, err = rt.StartProcess("sp", nil, "/bin/sh", "-c", isTTYScript)
	if err != nil {
		t.Fatal(err)
	}
	p.SetFilter(rec.filter)
	waitExit(t, p)
	if rec.String() != "0:tty\n1:tty\n2:tty\n" || p.TTYName() == "" {
		t.Errorf("StartProcess: %q, tty %q", rec.String(), p.TTYName())
	}
	// Pipes where the caller asks for them.
	prt := NewRuntime(Config{ProcessConnectionType: Pipe})
	defer prt.Close()
	p, err = prt.StartProcess("sp", nil, "/bin/sh", "-c", isTTYScript)
	if err != nil {
		t.Fatal(err)
	}
	rec = &recorder{}
	p.SetFilter(rec.filter)
	waitExit(t, p)
	if rec.String() != "0:pipe\n1:pipe\n2:pipe\n" || p.TTYName() != "" {
		t.Errorf("Config Pipe: %q, tty %q", rec.String(), p.TTYName())
	}
}

func TestPTYWithStderr(t *testing.T) {
	// I7: with :stderr, process-connection-type is ignored and pipes are
	// used; an explicit pty keeps standard input and output on the pty and
	// standard error apart (Emacs 29 and later).
	rt := ptyRuntime(t)
	script := isTTYScript + `; echo to-err >&2`
	for _, c := range []struct {
		conn    ConnectionType
		out     string
		withTTY bool
	}{
		{DefaultConnection, "0:pipe\n1:pipe\n2:pipe\n", false},
		{PTY, "0:tty\n1:tty\n2:pipe\n", true},
		{PipeInPTYOut, "0:pipe\n1:tty\n2:pipe\n", true},
	} {
		errb := rt.GetBufferCreate("err-" + c.conn.String())
		out, _, p := runOutput(t, rt, ProcessArgs{Name: "se", Command: []string{"/bin/sh", "-c", script}, ConnectionType: c.conn, Stderr: errb})
		if out != c.out || (p.TTYName() != "") != c.withTTY {
			t.Errorf("%v: output %q tty %q, want %q", c.conn, out, p.TTYName(), c.out)
		}
		waitUntil(t, rt, "stderr text", func() bool { return strings.HasPrefix(errb.String(), "to-err\n") })
	}
}

func TestPTYSessionAndTTYName(t *testing.T) {
	// A23: the child leads its own session with the pty as its controlling
	// terminal, in the foreground; TTYName is what tty prints in the child.
	rt := ptyRuntime(t)
	for _, conn := range []ConnectionType{PTY, PTYInPipeOut, PipeInPTYOut} {
		rec := &recorder{}
		p := mustMake(t, rt, ProcessArgs{Name: "sess", Command: helperCmd("session"), ConnectionType: conn, Filter: rec.filter})
		var st unix.Stat_t
		if err := unix.Stat(p.TTYName(), &st); err != nil {
			t.Fatal(err)
		}
		waitExit(t, p)
		out := rec.String()
		want := fmt.Sprintf("leader true\nctty %d:%d foreground true\n", unix.Major(uint64(st.Rdev)), unix.Minor(uint64(st.Rdev)))
		if out != want {
			t.Errorf("%v: %q, want %q", conn, out, want)
		}
	}
	out, _, _ := runOutput(t, rt, ProcessArgs{Name: "sess", Command: helperCmd("session"), ConnectionType: Pipe})
	if out != "leader true\nctty none\n" {
		t.Errorf("pipe: %q", out)
	}
	tty := lookPath(t, "tty")
	out, _, p := runOutput(t, rt, ProcessArgs{Name: "tty", Command: []string{tty}})
	if out != p.TTYName()+"\n" {
		t.Errorf("tty printed %q, TTYName %q", out, p.TTYName())
	}
	out, _, p = runOutput(t, rt, ProcessArgs{Name: "tty", Command: []string{"/bin/sh", "-c", "tty <&1"}, ConnectionType: PipeInPTYOut})
	if out != p.TTYName()+"\n" {
		t.Errorf("(pipe . pty): tty printed %q, TTYName %q", out, p.TTYName())
	}
}

// sttyFlags runs stty -a on the child's terminal and returns its settings:
// each flag word ("icrnl" true, "-echo" false) and each "name = value".
func sttyFlags(t *testing.T, rt *Runtime, conn ConnectionType) (map[string]bool, map[string]string) {
	t.Helper()
	stty := lookPath(t, "stty")
	out, _, _ := runOutput(t, rt, ProcessArgs{Name: "stty", Command: []string{"/bin/sh", "-c", stty + " -a </dev/tty"}, ConnectionType: conn})
	flags := map[string]bool{}
	chars := map[string]string{}
	for _, field := range strings.FieldsFunc(out, func(r rune) bool { return r == ';' || r == '\n' }) {
		field = strings.TrimSpace(field)
		if name, val, ok := strings.Cut(field, " = "); ok {
			chars[name] = val
			continue
		}
		if name, val, ok := strings.Cut(field, " "); ok && (name == "rows" || name == "columns" || name == "speed") {
			chars[name] = val
			continue
		}
		for _, w := range strings.Fields(field) {
			flags[strings.TrimPrefix(w, "-")] = !strings.HasPrefix(w, "-")
		}
	}
	if len(flags) < 20 {
		t.Fatalf("cannot parse stty -a output %q", out)
	}
	return flags, chars
}

func TestPTYTerminalModes(t *testing.T) {
	// I2: stty -a under Emacs 28.2 (make-process :connection-type 'pty):
	//   speed 38400 baud; rows 0; columns 0; line = 0;
	//   intr = ^C; quit = ^\; erase = <undef>; kill = <undef>; eof = ^D; ...
	//   susp = ^Z; ...
	//   -parenb -parodd -cmspar cs8 -hupcl -cstopb cread -clocal -crtscts
	//   -ignbrk -brkint -ignpar -parmrk -inpck -istrip -inlcr -igncr icrnl ixon
	//   -ixoff -iuclc -ixany -imaxbel -iutf8
	//   opost -olcuc -ocrnl -onlcr -onocr -onlret -ofill -ofdel nl0 cr0 tab0
	//   bs0 vt0 ff0
	//   isig icanon iexten -echo echoe echok -echonl -noflsh -xcase -tostop
	//   -echoprt echoctl echoke -flusho -extproc
	// The flags Emacs sets itself (child_setup_tty), then those it leaves
	// at the kernel's defaults; both must hold under eproc.
	rt := ptyRuntime(t)
	wantFlags := map[string]bool{
		// Set by Emacs.
		"opost": true, "onlcr": false, "olcuc": false, "echo": false, "isig": true,
		"icanon": true, "istrip": false, "iuclc": false, "icrnl": true, "cs8": true,
		"nl0": true, "cr0": true, "tab0": true, "bs0": true, "vt0": true, "ff0": true,
		// Left at the kernel's defaults.
		"echoe": true, "echok": true, "echoctl": true, "echoke": true, "iexten": true,
		"ixon": true, "inlcr": false, "igncr": false, "ocrnl": false, "onlret": false,
		"echonl": false, "noflsh": false, "tostop": false, "hupcl": false, "cread": true,
	}
	wantChars := map[string]string{
		"intr": "^C", "quit": `^\`, "erase": "<undef>", "kill": "<undef>",
		"eof": "^D", "eol": "<undef>", "susp": "^Z", "rows": "0", "columns": "0",
		"start": "^Q", "stop": "^S", "werase": "^W", "lnext": "^V",
	}
	for _, conn := range []ConnectionType{PTY, PTYInPipeOut, PipeInPTYOut} {
		flags, chars := sttyFlags(t, rt, conn)
		for f, want := range wantFlags {
			if got, ok := flags[f]; !ok || got != want {
				t.Errorf("%v: flag %s: %v (present %v), want %v", conn, f, got, ok, want)
			}
		}
		for c, want := range wantChars {
			if chars[c] != want {
				t.Errorf("%v: %s = %q, want %q", conn, c, chars[c], want)
			}
		}
	}
}

func TestPTYNewlinesAndCR(t *testing.T) {
	// I3: no NL -> CRNL on output, CR read as NL on input, no echo.
	rt := ptyRuntime(t)
	out, _, _ := runOutput(t, rt, ProcessArgs{Name: "nl", Command: helperCmd("echo", "a", "b")})
	if out != "a\nb\n" {
		t.Errorf("output %q, want \"a\\nb\\n\"", out)
	}
	rec := &recorder{}
	p := mustMake(t, rt, ProcessArgs{Name: "cat", Command: helperCmd("cat"), Filter: rec.filter, Sentinel: rec.sentinel})
	if err := p.SendString("hello\na\rb\n"); err != nil {
		t.Fatal(err)
	}
	waitOutput(t, rt, rec, "a\nb\n")
	if err := p.SendEOF(); err != nil {
		t.Fatal(err)
	}
	waitExit(t, p)
	if rec.String() != "hello\na\nb\n" {
		t.Errorf("cat echoed %q, want \"hello\\na\\nb\\n\" (once, CR read as NL)", rec.String())
	}
}

func TestPTYSendEOF(t *testing.T) {
	// H9: ^D after "abc" hands "abc" to cat, which keeps running; ^D at the
	// start of a line ends its input.
	rt := ptyRuntime(t)
	rec := &recorder{}
	p := mustMake(t, rt, ProcessArgs{Name: "cat", Command: []string{lookPath(t, "cat")}, Filter: rec.filter, Sentinel: rec.sentinel})
	p.SendString("abc")
	if err := p.SendEOF(); err != nil {
		t.Fatal(err)
	}
	waitOutput(t, rt, rec, "abc")
	if p.Status() != StatusRun {
		t.Errorf("status after abc^D: %s, want run", p.Status())
	}
	p.SendString("def\n")
	waitOutput(t, rt, rec, "abcdef\n")
	if err := p.SendEOF(); err != nil {
		t.Fatal(err)
	}
	waitExit(t, p)
	if rec.String() != "abcdef\n" || len(rec.events) != 1 || rec.events[0] != "finished\n" {
		t.Errorf("output %q events %q", rec.String(), rec.events)
	}
	// On a pty, the pipe (input . output) forms take EOF as their input side
	// does.
	rec = &recorder{}
	p = mustMake(t, rt, ProcessArgs{Name: "cat", Command: helperCmd("count"), ConnectionType: PipeInPTYOut, Filter: rec.filter, Sentinel: rec.sentinel})
	p.SendString("xyz")
	p.SendEOF()
	waitExit(t, p)
	if want := fmt.Sprintf("3 %x\n", sha256.Sum256([]byte("xyz"))); rec.String() != want {
		t.Errorf("(pipe . pty) EOF: %q, want %q", rec.String(), want)
	}
}

func TestPTYWindowSize(t *testing.T) {
	// I4: the size starts at 0x0; SetWindowSize (HEIGHT, WIDTH) shows in
	// stty size and sends SIGWINCH; false without a pty.
	rt := ptyRuntime(t)
	rec := &recorder{}
	p := mustMake(t, rt, ProcessArgs{Name: "winch", Command: helperCmd("winch"), Filter: rec.filter, Sentinel: rec.sentinel})
	waitOutput(t, rt, rec, "size 0 0\nready\n")
	if !p.SetWindowSize(24, 80) {
		t.Fatal("SetWindowSize(24, 80) = false")
	}
	waitOutput(t, rt, rec, "winch 24 80\n")
	if !p.SetWindowSize(40, 132) {
		t.Fatal("SetWindowSize(40, 132) = false")
	}
	waitOutput(t, rt, rec, "winch 40 132\n")
	p.SendEOF()
	waitExit(t, p)
	if p.SetWindowSize(1, 2) {
		t.Error("SetWindowSize on a dead process = true")
	}

	// stty size in a shell, and a shell's WINCH trap.
	stty := lookPath(t, "stty")
	rec = &recorder{}
	p = mustMake(t, rt, ProcessArgs{Name: "sh", Command: []string{"/bin/sh", "-c", "trap 'echo winch' WINCH; echo ready; read x; " + stty + " size"}, Filter: rec.filter})
	waitOutput(t, rt, rec, "ready\n")
	if !p.SetWindowSize(33, 77) {
		t.Fatal("SetWindowSize(33, 77) = false")
	}
	p.SendString("\n")
	waitExit(t, p)
	if rec.String() != "ready\nwinch\n33 77\n" {
		t.Errorf("shell printed %q, want ready, winch, 33 77", rec.String())
	}

	prt := newRuntime(t, Config{})
	q := mustMake(t, prt, helperArgs("pipe", "ready"))
	if q.SetWindowSize(24, 80) {
		t.Error("SetWindowSize on a pipe child = true")
	}
	pp, err := prt.MakePipeProcess(PipeArgs{Name: "pp"})
	if err != nil {
		t.Fatal(err)
	}
	if pp.SetWindowSize(24, 80) {
		t.Error("SetWindowSize on a pipe process = true")
	}
	var nilp *Process
	if nilp.SetWindowSize(1, 1) || p.SetWindowSize(-1, 5) {
		t.Error("SetWindowSize on nil or with a negative size = true")
	}
}

// interactiveShell starts a job-control shell on a pty and waits until it
// answers.
func interactiveShell(t *testing.T, rt *Runtime) (*Process, *recorder) {
	t.Helper()
	cmd := []string{"/bin/sh", "-i"}
	if bash, err := exec.LookPath("bash"); err == nil {
		cmd = []string{bash, "--norc", "--noprofile", "--noediting", "-i"}
	}
	rec := &recorder{}
	p := mustMake(t, rt, ProcessArgs{Name: "shell", Command: cmd, Filter: rec.filter, Sentinel: rec.sentinel, Env: []string{"PS1=$ ", "PS2=> ", "TERM=dumb"}})
	p.SendString("echo ready-$((6*7))\n")
	waitOutput(t, rt, rec, "ready-42")
	return p, rec
}

func TestPTYJobControl(t *testing.T) {
	// I5 and G1/G2: an idle shell runs no child; while it runs a job in
	// the foreground, RunningChildP names the job's group; Interrupt with
	// currentGroup false goes to the shell's own group (which an
	// interactive shell survives, and the job does not see), with true to
	// the job, and the shell lives on and answers.
	rt := ptyRuntime(t)
	p, rec := interactiveShell(t, rt)
	if pgid, running, err := p.RunningChildP(); err != nil || running || pgid != 0 {
		t.Errorf("idle shell: RunningChildP = %d, %v, %v; want 0, false, nil", pgid, running, err)
	}
	sleep := lookPath(t, "sleep")
	p.SendString(sleep + " 100\n")
	var job int
	waitUntil(t, rt, "the shell to run sleep in the foreground", func() bool {
		pgid, running, err := p.RunningChildP()
		if err != nil {
			t.Fatal(err)
		}
		if !running || pgid == 0 {
			return false
		}
		comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pgid))
		job = pgid
		return string(comm) == "sleep\n"
	})
	if job == p.ID() {
		t.Fatalf("the job's group %d is the shell's", job)
	}

	if err := p.Interrupt(false); err != nil {
		t.Fatal(err)
	}
	rt.SitFor(shortWait)
	if pgid, running, _ := p.RunningChildP(); !running || pgid != job || !p.Live() {
		t.Errorf("after Interrupt(false): RunningChildP = %d, %v, live %v; want the job %d still running", pgid, running, p.Live(), job)
	}

	if err := p.Interrupt(true); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, rt, "the job to end", func() bool {
		_, running, _ := p.RunningChildP()
		return !running
	})
	p.SendString("echo alive-$?\n")
	waitOutput(t, rt, rec, "alive-130")
	if !p.Live() || p.Status() != StatusRun {
		t.Errorf("shell status %s", p.Status())
	}
	p.SendString("exit\n")
	waitExit(t, p)
	if _, _, err := p.RunningChildP(); !errors.Is(err, ErrNotActive) || err.Error() != "Process shell is not active: process is not active" {
		t.Errorf("dead shell: RunningChildP error %v", err)
	}
}

func TestPTYRunningChildPOthers(t *testing.T) {
	// I5: a pipe child cannot tell (Emacs's t); a pipe process is not a
	// subprocess.
	rt := newRuntime(t, Config{})
	q := mustMake(t, rt, helperArgs("pipechild", "ready"))
	if pgid, running, err := q.RunningChildP(); err != nil || !running || pgid != 0 {
		t.Errorf("pipe child: %d, %v, %v; want 0, true, nil", pgid, running, err)
	}
	pp, err := rt.MakePipeProcess(PipeArgs{Name: "pp"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := pp.RunningChildP(); !errors.Is(err, ErrNotSubprocess) || !strings.HasPrefix(err.Error(), "Process pp is not a subprocess") {
		t.Errorf("pipe process: %v", err)
	}
}

func TestPTYSignalCharacters(t *testing.T) {
	// G2: when the program has turned signal characters off, Interrupt,
	// Quit and Stop with currentGroup send ^C ^\ ^Z as input, as Emacs
	// does; Emacs's proof was stty -isig; od -c receiving 003 034 032.
	stty, od := lookPath(t, "stty"), lookPath(t, "od")
	rt := ptyRuntime(t)
	rec := &recorder{}
	p := mustMake(t, rt, ProcessArgs{Name: "od", Command: []string{"/bin/sh", "-c", stty + " -isig; echo ready; exec " + od + " -An -c"}, Filter: rec.filter, Sentinel: rec.sentinel})
	waitOutput(t, rt, rec, "ready\n")
	for _, f := range []func(bool) error{p.Interrupt, p.Quit, p.Stop} {
		if err := f(true); err != nil {
			t.Fatal(err)
		}
	}
	p.SendEOF() // hands the three characters over
	p.SendEOF() // ends the input
	waitExit(t, p)
	if got := strings.Fields(strings.TrimPrefix(rec.String(), "ready\n")); strings.Join(got, " ") != `003 034 032` {
		t.Errorf("od -c read %q, want 003 034 032", rec.String())
	}
	if len(rec.events) != 1 || rec.events[0] != "finished\n" {
		t.Errorf("events %q", rec.events)
	}
}

func TestPTYOutputDeliveredBeforeExit(t *testing.T) {
	// I6 and D2.3: a child that writes 1 MiB and exits at once loses
	// nothing, and its sentinel runs after all of it. Linux's EIO on the
	// master is the end of the stream.
	rt := ptyRuntime(t)
	want := patternBytes(1 << 20)
	for i := 0; i < 2; i++ {
		rec := &recorder{}
		var atSentinel int
		p := mustMake(t, rt, ProcessArgs{Name: "big", Command: helperCmd("write", strconv.Itoa(len(want))),
			Filter:   rec.filter,
			Sentinel: func(p *Process, e string) { atSentinel = rec.out.Len(); rec.sentinel(p, e) }})
		waitExit(t, p)
		if got := rec.String(); got != string(want) {
			t.Fatalf("run %d: got %d bytes, want %d (equal prefix %d)", i, len(got), len(want), commonPrefix(got, string(want)))
		}
		if atSentinel != len(want) || len(rec.events) != 1 || rec.events[0] != "finished\n" {
			t.Errorf("run %d: sentinel saw %d bytes, events %q", i, atSentinel, rec.events)
		}
	}
	// All of it after the child has exited, before any accept call: the
	// exit's dispatch drains the pty.
	for i := 0; i < 2; i++ {
		rec := &recorder{}
		n := 4000 + i*5000 // fits in the pty's buffers
		p := mustMake(t, rt, ProcessArgs{Name: "small", Command: helperCmd("write", strconv.Itoa(n)), Filter: rec.filter, Sentinel: rec.sentinel})
		waitDead(t, p.ID())
		waitExit(t, p)
		if got := rec.String(); got != string(patternBytes(n)) {
			t.Fatalf("exited child: got %d bytes, want %d", len(got), n)
		}
	}
}

// waitDead waits (bounded) until the child pid has exited, without
// reaping it and without dispatching anything.
func waitDead(t *testing.T, pid int) {
	t.Helper()
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return // already reaped by eproc: it has exited
	}
	defer unix.Close(fd)
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	if n, err := unix.Poll(fds, int(longWait/time.Millisecond)); n != 1 || err != nil {
		t.Fatalf("child %d did not exit: %v", pid, err)
	}
}

func commonPrefix(a, b string) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}

// countLine is what the count helper prints for data.
func countLine(data []byte) string {
	return fmt.Sprintf("%d %x\n", len(data), sha256.Sum256(data))
}

func TestPTYLongInput(t *testing.T) {
	// H12: Emacs 28 cuts a line at 4095 bytes; eproc delivers every byte,
	// in lines of any length, sent at once or in pieces.
	rt := ptyRuntime(t)
	lines := patternBytes(100 << 10)
	lines[len(lines)-1] = '\n'
	long := bytes.Repeat([]byte("0123456789abcdefghijklmnopqrstuvwxyz"), 100<<10/36)
	long = append(long, '\n')
	r := rand.New(rand.NewSource(1))
	for _, c := range []struct {
		name   string
		data   []byte
		pieces int // SendString calls
	}{
		{"100 KB of lines", lines, 1},
		{"one 100 KB line", long, 1},
		{"one 100 KB line in 50 sends", long, 50},
		{"one 100 KB line in random sends", long, -1},
	} {
		rec := &recorder{}
		p := mustMake(t, rt, ProcessArgs{Name: "count", Command: helperCmd("count"), Filter: rec.filter, Sentinel: rec.sentinel})
		data := c.data
		for len(data) > 0 {
			k := len(data)
			switch {
			case c.pieces > 1:
				k = min(len(data), len(c.data)/c.pieces+1)
			case c.pieces < 0:
				k = min(len(data), 1+r.Intn(9000))
			}
			if err := p.SendString(string(data[:k])); err != nil {
				t.Fatal(err)
			}
			data = data[k:]
		}
		if err := p.SendEOF(); err != nil {
			t.Fatal(err)
		}
		waitExit(t, p)
		if want := countLine(c.data); rec.String() != want {
			t.Errorf("%s: child counted %q, want %q", c.name, rec.String(), want)
		}
	}
}

func TestPTYLongInputReadsInPieces(t *testing.T) {
	// The one visible effect of the chunking: a reader's reads of a long
	// line return at most ptyMaxLine bytes each, and never 0 (end of
	// file) amid the line. cat copies each read, so its output is whole.
	rt := ptyRuntime(t)
	rec := &recorder{}
	p := mustMake(t, rt, ProcessArgs{Name: "cat", Command: []string{lookPath(t, "cat")}, Filter: rec.filter, Sentinel: rec.sentinel})
	line := strings.Repeat("x", 3*ptyMaxLine) + "\n"
	if err := p.SendString(line); err != nil {
		t.Fatal(err)
	}
	waitOutput(t, rt, rec, "\n")
	p.SendEOF()
	waitExit(t, p)
	if rec.String() != line {
		t.Errorf("cat returned %d bytes, want %d", len(rec.String()), len(line))
	}
}

func TestChunkPTYInput(t *testing.T) {
	// chunkPTYInput over many inputs and splits: removing the inserted EOF
	// characters gives the input back, no line outgrows maxLine, and no EOF
	// is inserted at the start of a line or after a special character.
	var m ptyLineMode
	m.canonical, m.eof, m.eofOK = true, 4, true
	m.class['\n'], m.class['\r'], m.class[4] = byteEnd, byteEnd, byteEnd
	m.class[0x16], m.class[0x17], m.class[3] = byteSpecial, byteSpecial, byteSpecial
	alphabet := []byte("abcdefgh\n\x16\x17\x03")
	r := rand.New(rand.NewSource(2))
	for _, maxLine := range []int{16, 64, 4095} {
		for iter := 0; iter < 300; iter++ {
			n := r.Intn(5 * maxLine)
			data := make([]byte, n)
			newlines := r.Intn(3) == 0
			for i := range data {
				data[i] = alphabet[r.Intn(8)]
				if newlines && r.Intn(maxLine) == 0 {
					data[i] = '\n'
				}
				if r.Intn(20) == 0 {
					data[i] = alphabet[8+r.Intn(4)]
				}
			}
			var out []byte
			col := 0
			for rest := data; len(rest) > 0; {
				k := min(len(rest), 1+r.Intn(2*maxLine))
				out = append(out, chunkPTYInput(rest[:k], &m, &col, maxLine)...)
				rest = rest[k:]
			}
			var back []byte
			line := 0
			for i, b := range out {
				if b == 4 {
					if line == 0 {
						t.Fatalf("maxLine %d: EOF at the start of a line, at %d", maxLine, i)
					}
					if prev := out[i-1]; m.class[prev] != bytePlain && line < maxLine {
						t.Fatalf("maxLine %d: EOF after special byte %q before the limit", maxLine, prev)
					}
					line = 0
					continue
				}
				back = append(back, b)
				if m.class[b] == byteEnd {
					line = 0
				} else if line++; line > maxLine {
					t.Fatalf("maxLine %d: line of %d bytes", maxLine, line)
				}
			}
			if !bytes.Equal(back, data) {
				t.Fatalf("maxLine %d: data changed", maxLine)
			}
		}
	}
	// Outside canonical mode nothing changes.
	m.canonical = false
	col := 5
	data := bytes.Repeat([]byte("z"), 10000)
	if got := chunkPTYInput(data, &m, &col, 64); !bytes.Equal(got, data) || col != 0 {
		t.Error("non-canonical input was changed")
	}
}

func TestPTYNoProgram(t *testing.T) {
	// A11: a pty with no program: run status, type real, no command, a tty
	// name (ID 0 where Emacs says -2). Another program can open the tty;
	// what it writes reaches the filter, what is sent reaches it.
	rt := ptyRuntime(t)
	rec := &recorder{}
	p := mustMake(t, rt, ProcessArgs{Name: "term", Filter: rec.filter, Sentinel: rec.sentinel})
	if p.ID() != 0 || p.Status() != StatusRun || p.Type() != "real" || p.Command() != nil || !strings.HasPrefix(p.TTYName(), "/dev/pts/") {
		t.Fatalf("accessors: id %d status %s type %s command %v tty %q", p.ID(), p.Status(), p.Type(), p.Command(), p.TTYName())
	}
	f, err := os.OpenFile(p.TTYName(), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("from-tty\n"); err != nil {
		t.Fatal(err)
	}
	waitOutput(t, rt, rec, "from-tty\n")
	if err := p.SendString("to-tty\n"); err != nil {
		t.Fatal(err)
	}
	f.SetReadDeadline(time.Now().Add(longWait))
	buf := make([]byte, 100)
	n, err := f.Read(buf)
	if err != nil || string(buf[:n]) != "to-tty\n" {
		t.Errorf("read from the tty %q, %v", buf[:n], err)
	}
	if rec.String() != "from-tty\n" {
		t.Errorf("filter got %q (an echo?)", rec.String())
	}
	if pgid, running, err := p.RunningChildP(); running || pgid != 0 || err != nil {
		t.Errorf("RunningChildP: %d %v %v", pgid, running, err)
	}
	if !p.SetWindowSize(10, 20) {
		t.Error("SetWindowSize = false")
	}
	if ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ); err != nil || ws.Row != 10 || ws.Col != 20 {
		t.Errorf("size seen on the tty: %+v %v", ws, err)
	}
	f.Close()
	// Closing the tty does not end the process: it keeps the terminal.
	rt.AcceptProcessOutput(p, shortWait, true)
	if p.Status() != StatusRun || len(rec.events) != 0 {
		t.Errorf("after the tty closed: status %s events %q", p.Status(), rec.events)
	}
	if err := p.Delete(); err != nil {
		t.Fatal(err)
	}
	if len(rec.events) != 1 || p.Live() {
		t.Errorf("after Delete: events %q live %v", rec.events, p.Live())
	}

	// start-process with no program is the same.
	q, err := rt.StartProcess("term2", nil, "")
	if err != nil || q.TTYName() == "" || q.ID() != 0 {
		t.Fatalf("StartProcess with no program: %v %v", q, err)
	}
	q.Delete()
	// With pipes there is nothing to open: an error.
	if _, err := rt.MakeProcess(ProcessArgs{Name: "nothing", ConnectionType: Pipe}); !errors.Is(err, ErrNoProgram) {
		t.Errorf("no program over pipes: %v", err)
	}
	if _, err := rt.MakeProcess(ProcessArgs{Name: "nothing", ConnectionType: PTYInPipeOut}); !errors.Is(err, ErrNoProgram) {
		t.Errorf("no program, (pty . pipe): %v", err)
	}
}

func TestPTYLeaks(t *testing.T) {
	// Every connection closes its descriptors when the process ends: the
	// masters, and the writing ends of pipes whose output ended first.
	rt := ptyRuntime(t)
	countFDs := func() int {
		ents, _ := os.ReadDir("/proc/self/fd")
		return len(ents)
	}
	runOutput(t, rt, ProcessArgs{Name: "warm", Command: []string{"/bin/true"}})
	before := countFDs()
	for i := 0; i < 10; i++ {
		for _, conn := range []ConnectionType{PTY, PTYInPipeOut, PipeInPTYOut, Pipe} {
			runOutput(t, rt, ProcessArgs{Name: "leak", Command: []string{"/bin/true"}, ConnectionType: conn})
		}
		p := mustMake(t, rt, ProcessArgs{Name: "nocmd"})
		p.Delete()
	}
	if after := countFDs(); after > before {
		t.Errorf("descriptors: %d before, %d after", before, after)
	}
}
