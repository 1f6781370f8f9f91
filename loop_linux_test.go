//go:build linux

package eproc

import (
	"strings"
	"testing"
)

// stderrOrderCase makes a child running script (sh) whose standard error is
// a pipe process, every callback appending to log, the stdout filter
// calling onOut first.
func stderrOrderCase(t *testing.T, rt *Runtime, script string, log *[]string, onOut func(p *Process)) (p, errp *Process) {
	t.Helper()
	errp, err := rt.MakePipeProcess(PipeArgs{
		Name:     "err",
		NoBuffer: true,
		Filter:   func(p *Process, s string) { *log = append(*log, "stderr filter "+s) },
		Sentinel: func(p *Process, ev string) { *log = append(*log, "stderr sentinel "+ev) },
	})
	if err != nil {
		t.Fatal(err)
	}
	p = mustMake(t, rt, ProcessArgs{
		Name:    "outerr",
		Command: []string{"sh", "-c", script},
		Stderr:  errp,
		Filter: func(p *Process, s string) {
			*log = append(*log, "stdout filter "+s)
			if onOut != nil {
				onOut(p)
			}
		},
		Sentinel: func(p *Process, ev string) { *log = append(*log, "sentinel "+ev) },
	})
	return p, errp
}

// wantStderrOrder checks log against Emacs 28.2's order (see
// TestStderrOutputBeforeExitSentinel).
func wantStderrOrder(t *testing.T, rt *Runtime, log *[]string) {
	t.Helper()
	waitUntil(t, rt, "the stderr process's sentinel", func() bool { return len(*log) >= 4 })
	want := []string{
		"stdout filter to-out\n",
		"stderr filter to-err\n",
		"sentinel exited abnormally with code 2\n",
		"stderr sentinel finished\n",
	}
	if strings.Join(*log, "|") != strings.Join(want, "|") {
		t.Errorf("order %q, want %q", *log, want)
	}
}

// Issue 16 item 2, made certain: the child's exit is collected (as the
// SIGCHLD reaper does) while its stdout filter runs, in a turn whose
// reports did not include the stderr pipe (the child wrote to it only
// after that filter began). The exit's dispatch must read the stderr pipe
// before the sentinel.
func TestStderrDrainedBeforeExitSentinel(t *testing.T) {
	rt := newRuntime(t, Config{})
	var log []string
	stderrOrderCase(t, rt, "echo to-out; read x; echo to-err >&2; exit 2", &log, func(p *Process) {
		if err := p.SendString("go\n"); err != nil {
			t.Error(err)
			return
		}
		waitZombie(t, p.ID())
		rt.reapPid(p.ID()) // what the reaper goroutine does on SIGCHLD
		if st := p.Status(); st != "exit" {
			t.Errorf("status %q after the reap, want exit", st)
		}
	})
	wantStderrOrder(t, rt, &log)
}

// Issue 16 item 2, made certain: the poller reports the stderr pipe before
// the child's own output (its descriptor joined the poller before the
// fork, the child's output after it, so a fast child's pipe can come
// first). The child's output must still be read first.
func TestStderrPipeReportedFirst(t *testing.T) {
	rt := newRuntime(t, Config{})
	var log []string
	p, errp := stderrOrderCase(t, rt, "echo to-out; echo to-err >&2; exit 2", &log, nil)
	waitZombie(t, p.ID()) // both outputs written; nothing dispatched yet
	rt.mu.Lock()
	if !errp.inReady {
		errp.inReady = true
		rt.loop.ready = append([]*Process{errp}, rt.loop.ready...)
	}
	rt.mu.Unlock()
	wantStderrOrder(t, rt, &log)
}
