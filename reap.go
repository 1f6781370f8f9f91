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
