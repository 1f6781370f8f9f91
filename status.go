package eproc

import (
	"strconv"
	"syscall"
)

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

// setStatusLocked is the one place where a process's status changes: it
// records st, bumps the tick so that the sentinel will report the change,
// queues p for the dispatch of status changes, and wakes a goroutine
// waiting in the poller so that the change is dispatched (and every
// waiter's condition checked) without delay. rt.mu must be held.
func (rt *Runtime) setStatusLocked(p *Process, st rawStatus) {
	p.status = st
	p.tick++
	rt.queueStatusLocked(p)
	rt.wakePollerLocked()
}

// queueStatusLocked queues p for the dispatch of its status change.
// rt.mu must be held.
func (rt *Runtime) queueStatusLocked(p *Process) {
	if !p.inStatusQ {
		p.inStatusQ = true
		rt.loop.statusQ = append(rt.loop.statusQ, p)
	}
}
