package eproc

import (
	"sync"

	"golang.org/x/sys/windows"
)

// Reaping on Windows. spawn keeps each child's process handle in
// winChildren. The first reapPid of a child (MakeProcess calls it at once)
// registers a wait on the handle with the system's thread pool
// (waits_windows.go); when the child ends, the pool runs reapPid again,
// which records the exit, queues the process and wakes the poller, as
// SIGCHLD does on Unix. No goroutine waits for a child. The handle is
// closed once the exit is recorded; until then the system keeps the pid
// from being reused, so signals reach the right process.

// winChild is a child's process handle and the wait for its end.
type winChild struct {
	h    windows.Handle
	wait *winWait
}

var winChildren struct {
	sync.Mutex
	m map[int]*winChild
}

// addChild records a child started by spawn.
func addChild(pid int, h windows.Handle) {
	winChildren.Lock()
	if winChildren.m == nil {
		winChildren.m = make(map[int]*winChild)
	}
	winChildren.m[pid] = &winChild{h: h}
	winChildren.Unlock()
}

// childHandle returns the process handle of a child of eproc's that has
// not been reaped, or 0.
func childHandle(pid int) windows.Handle {
	winChildren.Lock()
	defer winChildren.Unlock()
	if c := winChildren.m[pid]; c != nil {
		return c.h
	}
	return 0
}

// registerRuntime and unregisterRuntime have nothing to do on Windows:
// each child's wait knows its Runtime.
func registerRuntime(rt *Runtime)   {}
func unregisterRuntime(rt *Runtime) {}

// reapPid records the exit of the child pid if it has ended, and
// otherwise makes sure a wait will call it again when it does.
func (rt *Runtime) reapPid(pid int) {
	rt.loop.reapMu.Lock()
	defer rt.loop.reapMu.Unlock()
	rt.reapLocked(pid)
}

// reapLocked is reapPid's work. rt.loop.reapMu must be held.
func (rt *Runtime) reapLocked(pid int) {
	winChildren.Lock()
	c := winChildren.m[pid]
	winChildren.Unlock()
	if c == nil {
		return
	}
	if ev, _ := windows.WaitForSingleObject(c.h, 0); ev != windows.WAIT_OBJECT_0 {
		if c.wait == nil {
			c.wait = registerWait(c.h, func() { rt.reapPid(pid) })
		}
		return
	}
	var code uint32
	windows.GetExitCodeProcess(c.h, &code)
	winChildren.Lock()
	delete(winChildren.m, pid)
	winChildren.Unlock()
	if c.wait != nil {
		c.wait.cancel()
	}
	windows.CloseHandle(c.h)
	rt.recordExit(pid, exitStatus(code))
}

// exitStatus is how Emacs on Windows reads a child's exit code: the
// code of a child ended by Ctrl-C or Ctrl-Break (STATUS_CONTROL_C_EXIT) is
// death by SIGINT, any other an exit with that code. (Emacs 28 keeps only
// the low 8 bits of the code, as if it were a Unix status; eproc keeps it
// whole, so an exit with 256 is not taken for success, and a crash shows
// its NTSTATUS, such as 3221225477 for an access violation.)
func exitStatus(code uint32) rawStatus {
	if code == uint32(windows.STATUS_CONTROL_C_EXIT) {
		return rawStatus{kind: rawSignal, code: int(sigINT)}
	}
	return rawStatus{kind: rawExit, code: int(code)}
}

// recordExit records that the child pid has ended with st and queues its
// process for dispatch.
func (rt *Runtime) recordExit(pid int, st rawStatus) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	p := rt.loop.children[pid]
	delete(rt.loop.children, pid)
	if p == nil || p.status.dead() {
		return
	}
	rt.setStatusLocked(p, st)
}

// exitedNoReap reports false: call-process's quit relies on os.Process
// here.
func exitedNoReap(pid int) bool { return false }
