//go:build unix

package eproc

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The expected values below were produced by GNU Emacs 28.2 (N1, N2, N5,
// N8, N9 of emacs-behaviour.md).

func TestCallProcessReturnValues(t *testing.T) {
	rt := newRuntime(t, Config{})
	for _, c := range []struct {
		script string
		want   string
	}{
		{"exit 0", "0"},
		{"exit 7", "7"},
		{"kill -9 $$", "Killed"},
		{"kill -TERM $$", "Terminated"},
		{"kill -INT $$", "Interrupt"},
		{"kill -HUP $$", "Hangup"},
		{"ulimit -c 0; kill -SEGV $$", "Segmentation fault"},
		{"ulimit -c 0; kill -ABRT $$", "Aborted"},
		{"kill -PIPE $$", "Broken pipe"},
		{"kill -USR1 $$", "User defined signal 1"},
		{"ulimit -c 0; kill -QUIT $$", "Quit"},
	} {
		st, err := rt.CallProcess("sh", "", Destination{}, "-c", c.script)
		if err != nil || st.String() != c.want {
			t.Errorf("%s: %v %v, want %s", c.script, st, err, c.want)
		}
	}
	st, err := rt.CallProcess("true", "", Destination{})
	if err != nil || !st.Success() {
		t.Errorf("true: %v %v", st, err)
	}
}

func TestCallProcessDestinations(t *testing.T) {
	rt := newRuntime(t, Config{})
	script := []string{"-c", "echo out; echo err >&2"}
	// BUFFER: inserted before point, point after the text, stderr mixed.
	b := rt.GetBufferCreate("cp")
	b.Insert("AB")
	b.GotoChar(2)
	st, err := rt.CallProcess("sh", "", Destination{Buffer: b}, script...)
	if err != nil || !st.Success() || b.String() != "Aout\nerr\nB" || b.Point() != 10 {
		t.Errorf("buffer: %v %v %q point %d", st, err, b.String(), b.Point())
	}
	// (t nil): stderr discarded.
	b2 := rt.GetBufferCreate("cp2")
	rt.CallProcess("sh", "", Destination{Buffer: b2, DiscardStderr: true}, script...)
	if b2.String() != "out\n" {
		t.Errorf("(t nil): %q", b2.String())
	}
	// (t "errfile") and (:file "f").
	dir := t.TempDir()
	errFile := filepath.Join(dir, "err")
	outFile := filepath.Join(dir, "out")
	os.WriteFile(outFile, []byte("old contents, longer than the output"), 0o666)
	b3 := rt.GetBufferCreate("cp3")
	rt.CallProcess("sh", "", Destination{Buffer: b3, StderrFile: errFile}, script...)
	if data, _ := os.ReadFile(errFile); b3.String() != "out\n" || string(data) != "err\n" {
		t.Errorf("(t errfile): %q %q", b3.String(), data)
	}
	rt.CallProcess("sh", "", Destination{File: outFile}, script...)
	if data, _ := os.ReadFile(outFile); string(data) != "out\nerr\n" {
		t.Errorf("(:file f): %q", data)
	}
	// nil: discard and wait.
	if st, err := rt.CallProcess("sh", "", Destination{}, "-c", "echo x; exit 4"); err != nil || st.Code != 4 {
		t.Errorf("nil: %v %v", st, err)
	}
	// 0: return at once; the child is still reaped.
	start := time.Now()
	st, err = rt.CallProcess("sleep", "", Destination{NoWait: true}, "1")
	if err != nil || !st.NoWait || st.String() != "nil" || time.Since(start) > 900*time.Millisecond {
		t.Errorf("0: %v %v after %v", st, err, time.Since(start))
	}
}

func TestCallProcessInfileAndErrors(t *testing.T) {
	rt := newRuntime(t, Config{})
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	os.WriteFile(in, []byte("from the file\n"), 0o666)
	b := rt.GetBufferCreate("in")
	if _, err := rt.CallProcess("cat", in, Destination{Buffer: b}); err != nil || b.String() != "from the file\n" {
		t.Errorf("infile: %v %q", err, b.String())
	}
	// N3: a missing input file.
	_, err := rt.CallProcess("cat", "/no/such/infile", Destination{})
	if err == nil || err.Error() != "Opening process input file: No such file or directory, /no/such/infile" || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing infile: %v", err)
	}
	// N4: the program is looked up even when absolute.
	_, err = rt.CallProcess("/no/such/prog", "", Destination{})
	if err == nil || err.Error() != "Searching for program: No such file or directory, /no/such/prog" || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing program: %v", err)
	}
	_, err = rt.CallProcess("/etc/passwd", "", Destination{})
	if err == nil || err.Error() != "Searching for program: Permission denied, /etc/passwd" {
		t.Errorf("not executable: %v", err)
	}
}

func TestCallProcessRegion(t *testing.T) {
	// N5.
	rt := newRuntime(t, Config{})
	for _, c := range []struct {
		point int
		del   bool
		want  string
		pt    int
	}{
		{12, false, "hello worldHELLO", 17},
		{12, true, " worldHELLO", 12},
		{3, true, "HELLO world", 6},
	} {
		b := rt.GenerateNewBuffer("region")
		b.Insert("hello world")
		b.GotoChar(c.point)
		st, err := rt.CallProcessRegion(b, 1, 6, "tr", c.del, Destination{Buffer: b}, "a-z", "A-Z")
		if err != nil || !st.Success() || b.String() != c.want || b.Point() != c.pt {
			t.Errorf("point %d delete %v: %v %v %q point %d, want %q point %d", c.point, c.del, st, err, b.String(), b.Point(), c.want, c.pt)
		}
	}
	b := rt.GenerateNewBuffer("whole")
	b.Insert("abc")
	rt.CallProcessRegion(b, 0, 0, "rev", true, Destination{Buffer: b})
	if b.String() != "cba\n" && b.String() != "cba" {
		t.Errorf("whole buffer through rev: %q", b.String())
	}
}

func TestProcessLinesAndShellCommand(t *testing.T) {
	rt := newRuntime(t, Config{ShellFileName: "/bin/sh"})
	lines, err := rt.ProcessLines("sh", "-c", "echo out; echo err >&2; printf 'a\\n\\nb'")
	if err != nil || strings.Join(lines, "|") != "out|err|a||b" {
		t.Errorf("process-lines: %q %v", lines, err)
	}
	_, err = rt.ProcessLines("sh", "-c", "exit 2")
	var ee *ExitError
	if !errors.As(err, &ee) || err.Error() != "sh exited with status 2" {
		t.Errorf("status 2: %v", err)
	}
	if _, err = rt.ProcessLines("sh", "-c", "kill -9 $$"); err == nil || err.Error() != "sh exited with status Killed" {
		t.Errorf("killed: %v", err)
	}
	if lines, err := rt.ProcessLinesIgnoreStatus("sh", "-c", "echo x; exit 2"); err != nil || strings.Join(lines, "|") != "x" {
		t.Errorf("ignore status: %q %v", lines, err)
	}
	if s, err := rt.ShellCommandToString("echo hi; echo err >&2"); err != nil || s != "hi\nerr\n" {
		t.Errorf("shell-command-to-string: %q %v", s, err)
	}
	b := rt.GetBufferCreate("cpsc")
	if _, err := rt.CallProcessShellCommand("echo", "", Destination{Buffer: b}, "a", "b c"); err != nil || b.String() != "a b c\n" {
		t.Errorf("call-process-shell-command: %q %v", b.String(), err)
	}
}

func TestCallProcessLargeOutput(t *testing.T) {
	rt := newRuntime(t, Config{})
	const n = 64 << 20
	b := rt.GetBufferCreate("big")
	st, err := rt.CallProcess("head", "", Destination{Buffer: b}, "-c", "67108864", "/dev/zero")
	if err != nil || !st.Success() || b.Len() != n {
		t.Errorf("64 MiB: %v %v %d", st, err, b.Len())
	}
}

func TestCallProcessContextCancel(t *testing.T) {
	rt := newRuntime(t, Config{CallProcessQuitDelay: 100 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	// The child ignores SIGINT, so the SIGKILL after the delay ends it.
	st, err := rt.CallProcessContext(ctx, "sh", "", Destination{}, "-c", "trap '' INT; sleep 30")
	if !errors.Is(err, context.DeadlineExceeded) || st.Signal != "Killed" {
		t.Errorf("cancelled: %v %v", st, err)
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel2()
	st, err = rt.CallProcessContext(ctx2, "sleep", "", Destination{}, "30")
	if !errors.Is(err, context.DeadlineExceeded) || st.Signal != "Interrupt" {
		t.Errorf("interrupted: %v %v", st, err)
	}
}

// Issue 16 item 4, for call-process: once the child has exited, a quit
// signals nothing (on Linux waitExited sees the exit without collecting
// the child, so that the pid cannot be reused before the check), and a
// quit while it runs still reaches it.
func TestCallChildQuitChecksExit(t *testing.T) {
	run := func(script string) (*exec.Cmd, *callChild) {
		cmd := exec.Command("/bin/sh", "-c", script)
		cmd.SysProcAttr = newSessionAttr()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, &callChild{proc: cmd.Process}
	}
	cmd, c := run("exit 3")
	c.waitExited()
	if runtime.GOOS == "linux" && !c.done {
		t.Error("waitExited did not mark the exited child")
	}
	c.kill(syscall.SIGKILL)
	if err := cmd.Wait(); cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 3 {
		t.Errorf("exit: %v", err)
	}
	c.kill(syscall.SIGKILL) // collected: nothing to signal, no panic

	cmd, c = run("exec sleep 30")
	c.kill(syscall.SIGKILL)
	cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		t.Errorf("a running child's quit: %v", cmd.ProcessState)
	}
}
