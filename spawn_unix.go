//go:build unix

package eproc

import (
	"errors"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// errAgain is what readFD returns when nothing is there to read yet.
var errAgain = unix.EAGAIN

// readFD reads once from a non-blocking descriptor. It returns n > 0 with
// data, (0, errAgain) when nothing is there, and (0, nil) or (0, err) at
// the end of the stream (Linux reports EIO on a pty master once the child
// side is closed: that is the end too).
func readFD(fd int, buf []byte) (int, error) {
	for {
		n, err := unix.Read(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if n < 0 {
			n = 0
		}
		return n, err
	}
}

// writeFD writes once to a non-blocking descriptor.
func writeFD(fd int, b []byte) (int, error) {
	for {
		n, err := unix.Write(fd, b)
		if err == unix.EINTR {
			continue
		}
		if n < 0 {
			n = 0
		}
		return n, err
	}
}

func closeFD(fd int) { unix.Close(fd) }

func setNonblock(fd int) { unix.SetNonblock(fd, true) }

// killGroup sends sig to the process group led by pid (every child leads
// its own group, as under Emacs), falling back to pid alone.
func killGroup(pid int, sig syscall.Signal) error {
	if err := unix.Kill(-pid, sig); err != nil {
		return unix.Kill(pid, sig)
	}
	return nil
}

// spawnRequest describes a child to start.
type spawnRequest struct {
	path          string   // the program's file; "" opens a pty with no program
	argv          []string // argv[0] is the program as named
	env           []string
	dir           string
	ptyIn, ptyOut bool // which of the child's standard input and output go through a pty
	stderr        int  // -1: as stdout; -2: the null device; else a descriptor
}

// spawnResult is a started child: our ends of its input and output.
type spawnResult struct {
	pid         int
	infd, outfd int // the same descriptor, the pty's master, when both sides use the pty
	ttyName     string
	ptySlave    int  // a pty with no program keeps its slave open; else -1
	failed      bool // the program could not be run: status says how it ended
	status      rawStatus
}

// execError is a failure to run the program itself (not to set up the
// child): Emacs makes the process anyway, and it exits with 127 or 126.
type execError struct {
	path string
	err  error
}

func (e *execError) Error() string { return e.path + ": " + errorReason(e.err) }
func (e *execError) Unwrap() error { return e.err }

// spawn starts a child in its own session with pipes or a pty for its
// standard input and output (and for standard error, as asked). A pty
// becomes the child's controlling terminal.
func spawn(r spawnRequest) (res spawnResult, err error) {
	res = spawnResult{infd: -1, outfd: -1, ptySlave: -1}
	var childEnds []int // closed in the parent once the child has them
	defer func() {
		for _, fd := range childEnds {
			unix.Close(fd)
		}
		if err != nil {
			if res.infd >= 0 {
				unix.Close(res.infd)
			}
			if res.outfd >= 0 && res.outfd != res.infd {
				unix.Close(res.outfd)
			}
			res = spawnResult{}
		}
	}()
	master, slave := -1, -1
	if r.ptyIn || r.ptyOut {
		var name string
		if master, slave, name, err = openPTY(); err != nil {
			return res, err
		}
		childEnds = append(childEnds, slave)
		if r.ptyIn {
			res.outfd = master
		}
		if r.ptyOut {
			res.infd = master
		}
		if err = setupTermios(slave); err != nil {
			return res, &FileError{Op: "Setting up the pty", Err: err}
		}
		res.ttyName = name
		if r.path == "" {
			// A pty with no program: keep the slave open so that reading
			// the master does not fail until another program opens the tty.
			childEnds = nil
			res.ptySlave = slave
			return res, nil
		}
	}
	var files [3]uintptr
	ctty := -1
	if r.ptyIn {
		files[0] = uintptr(slave)
		ctty = 0
	} else {
		var in [2]int
		if err = pipeCloexec(in[:]); err != nil {
			return res, &FileError{Op: "Creating pipe", Err: err}
		}
		childEnds = append(childEnds, in[0])
		res.outfd = in[1]
		unix.SetNonblock(in[1], true)
		files[0] = uintptr(in[0])
	}
	if r.ptyOut {
		files[1] = uintptr(slave)
		if ctty < 0 {
			ctty = 1
		}
	} else {
		var out [2]int
		if err = pipeCloexec(out[:]); err != nil {
			return res, &FileError{Op: "Creating pipe", Err: err}
		}
		childEnds = append(childEnds, out[1])
		res.infd = out[0]
		unix.SetNonblock(out[0], true)
		files[1] = uintptr(out[1])
	}
	files[2] = files[1]
	switch {
	case r.stderr >= 0:
		files[2] = uintptr(r.stderr)
	case r.stderr == -2:
		if fd, err := unix.Open(os.DevNull, unix.O_WRONLY|unix.O_CLOEXEC, 0); err == nil {
			childEnds = append(childEnds, fd)
			files[2] = uintptr(fd)
		}
	}
	res.pid, err = forkExec(r, files[:], ctty)
	return res, err
}

// forkExec starts the child with files as its descriptors 0, 1 and 2, in a
// new session, with files[ctty] as its controlling terminal when ctty >= 0.
func forkExec(r spawnRequest, files []uintptr, ctty int) (int, error) {
	attr := &syscall.ProcAttr{
		Dir:   r.dir,
		Env:   r.env,
		Files: files,
		Sys:   &syscall.SysProcAttr{Setsid: true, Setctty: ctty >= 0, Ctty: max(ctty, 0)},
	}
	pid, err := syscall.ForkExec(r.path, r.argv, attr)
	if err == nil {
		return pid, nil
	}
	switch err {
	case syscall.ENOENT, syscall.EACCES, syscall.ENOEXEC, syscall.EPERM, syscall.ENOTDIR, syscall.ELOOP, syscall.ENAMETOOLONG:
		if st, serr := os.Stat(r.dir); serr != nil || !st.IsDir() {
			return 0, &FileError{Op: "Setting current directory", Err: syscall.ENOENT, Path: r.dir}
		}
		return 0, &execError{path: r.path, err: err}
	}
	return 0, &FileError{Op: "Doing vfork", Err: err}
}

// failedExec makes the stand-in for a child whose program could not be
// run: its output holds the complaint a forked Emacs would print, and its
// status is exit 127 (126 when the file exists but cannot be executed).
func failedExec(e *execError) (spawnResult, error) {
	var p [2]int
	if err := pipeCloexec(p[:]); err != nil {
		return spawnResult{}, &FileError{Op: "Creating pipe", Err: err}
	}
	msg := "eproc: " + e.path + ": " + errorReason(e.err) + "\n"
	unix.Write(p[1], []byte(msg))
	unix.Close(p[1])
	unix.SetNonblock(p[0], true)
	code := 126
	if errors.Is(e.err, syscall.ENOENT) {
		code = 127
	}
	return spawnResult{infd: p[0], outfd: -1, ptySlave: -1, failed: true, status: rawStatus{kind: rawExit, code: code}}, nil
}

// Reaping. One goroutine for the whole program receives SIGCHLD and asks
// every Runtime to check its own children with wait4 on their pids (never
// wait4(-1): the host program's own children are not ours to reap).
//
// A host program may undo eproc's interest in SIGCHLD (signal.Reset, or
// signal.Ignore, which also makes the kernel discard children's exit
// statuses). So while any Runtime has children, the reaper renews its
// signal.Notify and checks for exits every reaperTick: an exit is never
// missed, only noticed up to reaperTick late while SIGCHLD is not ours.

// reaperTick is how often the reaper renews its interest in SIGCHLD and
// checks the children without being signalled.
const reaperTick = time.Second

var reaper struct {
	once sync.Once
	mu   sync.Mutex
	rts  map[*Runtime]bool
}

// registerRuntime starts the reaper on first use and makes it check rt.
func registerRuntime(rt *Runtime) {
	reaper.once.Do(func() {
		reaper.rts = make(map[*Runtime]bool)
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGCHLD)
		go func() {
			tick := time.NewTicker(reaperTick)
			defer tick.Stop()
			for {
				select {
				case <-ch:
				case <-tick.C:
					if !reaperHasChildren() {
						continue
					}
					signal.Notify(ch, syscall.SIGCHLD)
				}
				reapEverything()
			}
		}()
	})
	reaper.mu.Lock()
	reaper.rts[rt] = true
	reaper.mu.Unlock()
}

// reaperRuntimes returns the Runtimes the reaper checks.
func reaperRuntimes() []*Runtime {
	reaper.mu.Lock()
	defer reaper.mu.Unlock()
	rts := make([]*Runtime, 0, len(reaper.rts))
	for rt := range reaper.rts {
		rts = append(rts, rt)
	}
	return rts
}

// reaperHasChildren reports whether any Runtime has a child not yet reaped.
func reaperHasChildren() bool {
	for _, rt := range reaperRuntimes() {
		rt.mu.Lock()
		n := len(rt.loop.children)
		rt.mu.Unlock()
		if n > 0 {
			return true
		}
	}
	return false
}

// reapEverything collects the pending statuses of every Runtime's children.
func reapEverything() {
	rts := reaperRuntimes()
	if reapPending(rts) {
		return
	}
	for _, rt := range rts {
		rt.reapAll()
	}
}

func unregisterRuntime(rt *Runtime) {
	reaper.mu.Lock()
	delete(reaper.rts, rt)
	reaper.mu.Unlock()
}

// reapTrace, when set (by tests), sees every wait4 result.
var reapTrace func(rt *Runtime, pid, got int, err error, ws syscall.WaitStatus)

// reapPending collects the pending statuses of our children one by one,
// as the kernel names them, so a SIGCHLD costs a few system calls rather
// than one per child. It reports false when it cannot finish that way (no
// way to peek on this system, or a pending child that is not ours: the
// host program's own, which only its owner may collect), and the caller
// checks every child instead.
func reapPending(rts []*Runtime) bool {
	for range 4096 {
		pid, ok := peekChild()
		if !ok {
			return false
		}
		if pid == 0 {
			return true
		}
		var owner *Runtime
		for _, rt := range rts {
			rt.mu.Lock()
			_, mine := rt.loop.children[pid]
			rt.mu.Unlock()
			if mine {
				owner = rt
				break
			}
		}
		if owner == nil {
			return false
		}
		owner.reapPid(pid)
	}
	return false
}

// reapAll checks every child of rt.
func (rt *Runtime) reapAll() {
	rt.mu.Lock()
	pids := make([]int, 0, len(rt.loop.children))
	for pid := range rt.loop.children {
		pids = append(pids, pid)
	}
	rt.mu.Unlock()
	for _, pid := range pids {
		rt.reapPid(pid)
	}
	rt.mu.Lock()
	done := rt.closed && len(rt.loop.children) == 0
	rt.mu.Unlock()
	if done {
		unregisterRuntime(rt)
	}
}

// reapPid collects every status change of the child pid that the kernel
// has, records it and queues the process for dispatch. Reaps and kills of
// one Runtime's pids are serialised (reapMu): of two concurrent wait4
// calls on one pid, one would get the status and the other ECHILD, which
// must not be taken as the answer; and a kill must not reach a pid once
// it is collected (see signalChild).
func (rt *Runtime) reapPid(pid int) {
	rt.loop.reapMu.Lock()
	defer rt.loop.reapMu.Unlock()
	rt.reapLocked(pid)
}

// reapLocked is reapPid's work. rt.loop.reapMu must be held.
func (rt *Runtime) reapLocked(pid int) {
	for {
		var ws syscall.WaitStatus
		got, err := syscall.Wait4(pid, &ws, syscall.WNOHANG|syscall.WUNTRACED|syscall.WCONTINUED, nil)
		if reapTrace != nil {
			reapTrace(rt, pid, got, err, ws)
		}
		if err == syscall.EINTR {
			continue
		}
		if err == syscall.ECHILD {
			// The kernel discarded the child's status: SIGCHLD was set to
			// be ignored. The child is gone; how it ended is lost.
			rt.recordStatus(pid, rawStatus{kind: rawExit, code: lostExitCode}, true)
			return
		}
		if got != pid || err != nil {
			return
		}
		if rt.recordWait(pid, ws) {
			return
		}
	}
}

// lostExitCode is the exit code reported for a child whose status the
// kernel discarded (see reapLocked): no real exit code is negative.
const lostExitCode = -1

// recordWait records one wait status of pid and reports whether the child
// is gone.
func (rt *Runtime) recordWait(pid int, ws syscall.WaitStatus) (gone bool) {
	var st rawStatus
	switch {
	case ws.Exited():
		st = rawStatus{kind: rawExit, code: ws.ExitStatus()}
		gone = true
	case ws.Signaled():
		st = rawStatus{kind: rawSignal, code: int(ws.Signal()), core: ws.CoreDump()}
		gone = true
	case ws.Stopped():
		st = rawStatus{kind: rawStop, code: int(ws.StopSignal())}
	case ws.Continued():
		st = rawStatus{kind: rawRun}
	default:
		return false
	}
	rt.recordStatus(pid, st, gone)
	return gone
}

// recordStatus records the new status of the child pid; gone says it has
// been collected.
func (rt *Runtime) recordStatus(pid int, st rawStatus, gone bool) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	p := rt.loop.children[pid]
	if gone {
		delete(rt.loop.children, pid)
	}
	if p == nil || p.status.dead() {
		return
	}
	if st.kind == rawRun && p.status.kind == rawRun {
		return // continue-process already reported "run"
	}
	rt.setStatusLocked(p, st)
}

// hangupForKilledBuffer sends SIGHUP to the child's process group, as
// kill-buffer does; the status change comes later from the reaper.
func (p *Process) hangupForKilledBuffer() {
	if p.pid > 0 {
		if p.remote != nil && p.Live() && p.remote.kill(p, syscall.SIGHUP) == nil {
			return // remote.go: the remote program got it; its ssh ends with it
		}
		p.rt.signalChild(p, syscall.SIGHUP, true)
	}
}

// newSessionAttr puts a call-process child in its own session, so that a
// quit reaches its whole process group.
func newSessionAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setsid: true} }
