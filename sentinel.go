package eproc

// Sentinel is a process sentinel: it is called when the process's status
// changes, with an event string that is Emacs's, byte for byte
// ("finished\n", "exited abnormally with code 3\n", "killed\n", ...).
//
// A sentinel runs only inside an accept call (or synchronously inside
// Delete and Continue), on the goroutine that made that call, never
// concurrently with another filter or sentinel of the same Runtime and
// never recursively for one process. Several quick status changes may be
// reported by one call with the latest status; termination is reported
// exactly once. A panic in a sentinel is recovered and reported through
// Config.ErrorHandler unless Config.DebugOnError is set.
type Sentinel func(p *Process, event string)

// DefaultSentinel is Emacs's internal-default-process-sentinel, the sentinel
// of a process that has none of its own: unless the new status is "run", it
// inserts "\nProcess NAME EVENT" at the process mark of the live process
// buffer, advancing the mark (and point, when point was at or after it).
func DefaultSentinel(p *Process, event string) {
	switch p.Status() {
	case StatusRun, StatusOpen, StatusListen, StatusConnect:
		return
	}
	b := p.Buffer()
	if b == nil || !b.Live() {
		return
	}
	p.insertAtMark(b, "\nProcess "+p.Name()+" "+event)
}

// runSentinel calls p's sentinel for the status change just noticed, if any.
// The dispatch lock must be held and rt.mu must not be.
func (rt *Runtime) runSentinel(p *Process) {
	rt.mu.Lock()
	if p.tick == p.updateTick || p.inSentinel {
		rt.mu.Unlock()
		return
	}
	p.updateTick = p.tick
	// Exited, signalled and closed processes leave the list; a failed
	// nowait connection stays, as in Emacs 28.2 (status_notify).
	if p.status.dead() && p.status.kind != rawFailed && !rt.cfg.KeepExitedProcesses {
		rt.removeProcess(p)
	}
	s := p.sentinel
	ev := eventString(p.kind, p.status)
	if p.event != "" {
		ev, p.event = p.event, "" // an accepted connection's "open from ADDR\n"
	}
	rt.noteSentinelLocked(p, ev)
	p.inSentinel = true
	rt.mu.Unlock()
	defer func() {
		rt.mu.Lock()
		p.inSentinel = false
		if p.status.dead() {
			p.setExitReportedLocked()
			if e := p.stderrProc; e != nil && e.endPending && !e.status.dead() {
				e.endPending = false
				rt.setStatusLocked(e, rawStatus{kind: rawExit})
			}
		}
		if p.tick != p.updateTick {
			rt.queueStatusLocked(p) // a change during the sentinel: report it next
		}
		rt.wakePollerLocked() // another goroutine may wait for this sentinel
		rt.mu.Unlock()
	}()
	if s == nil {
		s = DefaultSentinel
	}
	rt.callback(p, true, func() { s(p, ev) })
}
