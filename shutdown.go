package eproc

import (
	"syscall"
	"time"
)

// shutdown is the work of Close: SIGHUP to every live child, a bounded wait
// for them, SIGKILL to the rest, sentinels, and every descriptor closed.
func (rt *Runtime) shutdown(grace time.Duration) {
	procs := rt.ProcessList()
	var children []*Process
	for _, p := range procs {
		if p.kind == kindReal && p.pid > 0 && p.Live() {
			killGroup(p.pid, syscall.SIGHUP)
			children = append(children, p)
		}
	}
	allDead := func() bool {
		for _, p := range children {
			if !p.Exited() {
				return false
			}
		}
		return true
	}
	rt.waitLoop(waitSpec{deadline: time.Now().Add(grace), done: allDead})
	for _, p := range procs {
		p.Delete()
	}
	rt.mu.Lock()
	pl := rt.loop.pl
	rt.loop.pl = nil
	rt.loop.plErr = ErrClosed
	rt.mu.Unlock()
	if pl != nil {
		pl.close()
	}
	// Children killed just now may not be reaped yet: the reaper keeps
	// this Runtime until the last of them is, so none lingers as a zombie.
	rt.reapAll()
}

// Exited reports whether the process is dead and its exit sentinel has run.
func (p *Process) Exited() bool {
	p.rt.mu.Lock()
	defer p.rt.mu.Unlock()
	return p.exitReported
}
