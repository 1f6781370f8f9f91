//go:build unix

package eproc

import (
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// Reaping. One goroutine for the whole program receives SIGCHLD and asks
// every Runtime to check its own children with wait4 on their pids (never
// wait4(-1): the host program's own children are not ours to reap).
//
// A host program may undo eproc's interest in SIGCHLD (signal.Reset, or
// signal.Ignore, which also makes the kernel discard children's exit
// statuses). So while any Runtime has children, the reaper renews its
// signal.Notify and checks for exits every reaperTick: an exit is never
// missed, only noticed up to reaperTick late while SIGCHLD is not ours.
// A child whose status the kernel discarded is no longer a child to peek
// at (reapPending finds nothing): only a wait4 on its own pid tells, with
// ECHILD, that it is gone. So a tick that finds SIGCHLD ignored, and every
// fullReapTicks-th tick in any case (the host may have ignored it and
// taken it back between two ticks), checks every child by pid.

// reaperTick is how often the reaper renews its interest in SIGCHLD and
// checks the children without being signalled.
const reaperTick = time.Second

// fullReapTicks is how many ticks pass between two checks of every child
// by pid while SIGCHLD does not seem ignored (a variable for a test's
// helper child, which shortens it before its first Runtime).
var fullReapTicks = 10

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
			for ticks := 1; ; {
				full := false
				select {
				case <-ch:
				case <-tick.C:
					if !reaperHasChildren() {
						continue
					}
					full = signal.Ignored(syscall.SIGCHLD) || ticks%fullReapTicks == 0
					ticks++
					signal.Notify(ch, syscall.SIGCHLD)
				}
				if full {
					for _, rt := range reaperRuntimes() {
						rt.reapAll()
					}
				} else {
					reapEverything()
				}
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
		if p != nil {
			rt.closePidFDLocked(p)
		}
	}
	if p == nil || p.status.dead() {
		return
	}
	if st.kind == rawRun && p.status.kind == rawRun {
		return // continue-process already reported "run"
	}
	rt.setStatusLocked(p, st)
}
