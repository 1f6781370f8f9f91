//go:build unix

package eproc

import (
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// Reaping. One goroutine for the whole program receives SIGCHLD and asks
// every Runtime to check its own children with wait4 on their pids (never
// wait4(-1): the host program's own children are not ours to reap).

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
			for range ch {
				reaper.mu.Lock()
				rts := make([]*Runtime, 0, len(reaper.rts))
				for rt := range reaper.rts {
					rts = append(rts, rt)
				}
				reaper.mu.Unlock()
				if reapPending(rts) {
					continue
				}
				for _, rt := range rts {
					rt.reapAll()
				}
			}
		}()
	})
	reaper.mu.Lock()
	reaper.rts[rt] = true
	reaper.mu.Unlock()
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
// has, records it and queues the process for dispatch. Reaps of one
// Runtime are serialised: of two concurrent wait4 calls on one pid, one
// would get the status and the other ECHILD, and the ECHILD must not be
// taken as the answer.
func (rt *Runtime) reapPid(pid int) {
	rt.loop.reapMu.Lock()
	defer rt.loop.reapMu.Unlock()
	for {
		var ws syscall.WaitStatus
		got, err := syscall.Wait4(pid, &ws, syscall.WNOHANG|syscall.WUNTRACED|syscall.WCONTINUED, nil)
		if reapTrace != nil {
			reapTrace(rt, pid, got, err, ws)
		}
		if err == syscall.EINTR {
			continue
		}
		if got != pid || err != nil {
			if err == syscall.ECHILD {
				rt.mu.Lock()
				delete(rt.loop.children, pid)
				rt.mu.Unlock()
			}
			return
		}
		if rt.recordWait(pid, ws) {
			return
		}
	}
}

// recordWait records one wait status of pid and reports whether the child
// is gone.
func (rt *Runtime) recordWait(pid int, ws syscall.WaitStatus) (gone bool) {
	rt.mu.Lock()
	p := rt.loop.children[pid]
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
		rt.mu.Unlock()
		return false
	}
	if gone {
		delete(rt.loop.children, pid)
	}
	if p == nil || p.status.dead() {
		rt.mu.Unlock()
		return gone
	}
	if st.kind == rawRun && p.status.kind == rawRun {
		// continue-process already reported "run".
		rt.mu.Unlock()
		return gone
	}
	p.status = st
	p.tick++
	rt.queueStatusLocked(p)
	pl := rt.loop.pl
	rt.mu.Unlock()
	if pl != nil {
		pl.wake()
	}
	return gone
}
