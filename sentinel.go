package eproc

import (
	"strconv"
	"syscall"
)

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

// Status is a process status, as Emacs's process-status returns it.
type Status string

// The statuses of process-status.
const (
	StatusRun     Status = "run"     // a child that is running
	StatusStop    Status = "stop"    // stopped but continuable (a child, or a pipe process not reading)
	StatusExit    Status = "exit"    // a child that exited
	StatusSignal  Status = "signal"  // a child killed by a signal
	StatusOpen    Status = "open"    // a pipe or network process that is open
	StatusClosed  Status = "closed"  // a pipe or network process that was closed
	StatusConnect Status = "connect" // a non-blocking connection not yet complete
	StatusFailed  Status = "failed"  // a non-blocking connection that failed
	StatusListen  Status = "listen"  // a network server
)

// String returns Emacs's symbol name for the status.
func (s Status) String() string { return string(s) }

// rawStatus is the internal status (Emacs's raw_status decoded): what the
// child or connection is doing, independent of the process type.
type rawStatus struct {
	kind rawKind
	code int    // exit code, signal number, stop signal, errno of a failed connection
	core bool   // the signal dumped core
	msg  string // a failed connection's reason when it is not an errno (a host lookup)
}

type rawKind uint8

const (
	rawRun    rawKind = iota // running (open for pipes)
	rawStop                  // stopped by a signal (code: the signal)
	rawExit                  // exited (code: exit status); closed for pipes
	rawSignal                // killed by a signal (code: the signal)

	// Network processes only (network.go).
	rawListen  // a stream server waiting for connections
	rawConnect // a nowait connection in progress
	rawFailed  // a nowait connection that failed (code: errno, or msg)
)

// statusOf maps the raw status to process-status's value for p's type.
func statusOf(kind procKind, st rawStatus, stopped bool) Status {
	if kind == kindReal {
		switch st.kind {
		case rawStop:
			return StatusStop
		case rawExit:
			return StatusExit
		case rawSignal:
			return StatusSignal
		}
		return StatusRun
	}
	switch {
	case st.kind == rawExit || st.kind == rawSignal:
		return StatusClosed
	case st.kind == rawFailed:
		return StatusFailed
	case stopped:
		return StatusStop
	case st.kind == rawListen:
		return StatusListen
	case st.kind == rawConnect:
		return StatusConnect
	}
	return StatusOpen
}

// dead reports whether the status can never change again.
func (st rawStatus) dead() bool {
	return st.kind == rawExit || st.kind == rawSignal || st.kind == rawFailed
}

// eventString is Emacs's status_message: the sentinel's event text for st.
func eventString(kind procKind, st rawStatus) string {
	switch st.kind {
	case rawRun:
		if kind == kindNetwork {
			return "open\n" // a nowait connection completed
		}
		return "run"
	case rawListen:
		return "listen"
	case rawConnect:
		return "connect"
	case rawFailed:
		if st.msg != "" {
			return "failed with code " + st.msg + "\n"
		}
		return "failed with code " + strconv.Itoa(st.code) + "\n"
	case rawStop, rawSignal:
		s := lowerFirst(signalDescription(syscall.Signal(st.code)))
		if st.core {
			s += " (core dumped)"
		}
		return s + "\n"
	}
	if kind == kindNetwork {
		if st.code == 0 {
			return "deleted\n"
		}
		return "connection broken by remote peer\n"
	}
	if st.code == 0 {
		return "finished\n"
	}
	return "exited abnormally with code " + strconv.Itoa(st.code) + "\n"
}

// lowerFirst downcases the first letter only, as Emacs does with strsignal's
// text ("cPU time limit exceeded").
func lowerFirst(s string) string {
	if s != "" && s[0] >= 'A' && s[0] <= 'Z' {
		return string(s[0]-'A'+'a') + s[1:]
	}
	return s
}

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
	if p.status.dead() && !rt.cfg.KeepExitedProcesses {
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
		}
		again := p.tick != p.updateTick
		rt.mu.Unlock()
		if again {
			rt.queueStatus(p)
		}
	}()
	if s == nil {
		s = DefaultSentinel
	}
	rt.callback(p, true, func() { s(p, ev) })
}

// callback runs f, a filter or sentinel of p, recovering a panic unless
// Config.DebugOnError is set.
func (rt *Runtime) callback(p *Process, sentinel bool, f func()) {
	if rt.cfg.DebugOnError {
		f()
		return
	}
	defer func() {
		if v := recover(); v != nil {
			rt.reportError(p, &CallbackError{Process: p, Sentinel: sentinel, Value: v})
		}
	}()
	f()
}
