package eproc

// reapAll checks every child of rt (reapPid is per system), and lets the
// reaper forget a closed Runtime once its last child is reaped.
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

// pidfdMax is how many children a Runtime may have for a new one to get a
// pidfd (pidfd_linux.go). A pidfd is a descriptor more per child, and a
// fleet's exits gain nothing from it (SIGCHLD's cost is shared among the
// exits it reports), so reaching pidfdMax children closes those that are
// open: a fleet keeps two descriptors per child.
const pidfdMax = 64

// addChildLocked enters p, a started child, in the table of children that
// the reaper checks. It returns the pids to check with reapPid once rt.mu
// is released, since a child may have exited before it was in the table,
// when SIGCHLD could not find it: p's own unless its pidfd will tell, and
// those of the children whose pidfds it closed. rt.mu must be held.
func (rt *Runtime) addChildLocked(p *Process) (reap []int) {
	rt.loop.children[p.pid] = p
	if p.pidfd.open() {
		rt.loop.pidfds++
	} else {
		reap = append(reap, p.pid)
	}
	if len(rt.loop.children) < pidfdMax || rt.loop.pidfds == 0 {
		return reap
	}
	for pid, c := range rt.loop.children {
		if c.pidfd.open() {
			rt.closePidFDLocked(c)
			reap = append(reap, pid)
		}
	}
	return reap
}

// closePidFDLocked closes p's pidfd, if it has one. Unlike the other
// descriptors, a pidfd is never read, so rt.mu alone suffices.
func (rt *Runtime) closePidFDLocked(p *Process) {
	if p.pidfd.open() {
		rt.closeFDLocked(p.pidfd)
		rt.loop.pidfds--
	}
}

// reapChild collects the status of the child p, whose pidfd reported its
// exit, unless the reaper collected it first. The pid is p's as long as p
// is in the table: a collected pid leaves it under reapMu, before the
// system may reuse it.
func (rt *Runtime) reapChild(p *Process) {
	rt.loop.reapMu.Lock()
	defer rt.loop.reapMu.Unlock()
	rt.mu.Lock()
	mine := rt.loop.children[p.pid] == p
	rt.mu.Unlock()
	if mine {
		rt.reapLocked(p.pid)
	}
}
