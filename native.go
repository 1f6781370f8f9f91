package eproc

import (
	"context"
	"strconv"
	"sync/atomic"
	"syscall"
)

// Go-native waiting: Done, WaitEvent, WaitAll and the typed last event.
//
// They sit beside Emacs's accept calls and keep its promise: callbacks run
// only inside an accept call. Done and LastEvent dispatch nothing; WaitEvent
// and WaitAll are accept calls, like Wait.

// nativeProc is a process's part of the Go-native helpers (native.go,
// reader.go, expect.go, and filter t in filter.go). Fields are guarded by
// rt.mu unless noted.
type nativeProc struct {
	done       chan struct{} // made by Done on demand; closed when the exit sentinel has run
	filterT    bool          // the filter is t (SetFilterT): output is not read
	readerFull bool          // the Reader's queue is full: output is not read until it drains
	reader     *Reader       // the Reader that is p's filter, if any
	expecter   atomic.Pointer[Expecter]
	lastStatus rawStatus // the status the last sentinel call reported
	lastText   string    // that call's event string; "" before the first call
}

// nativeRuntime is a Runtime's part of the Go-native helpers. Guarded by
// rt.mu.
type nativeRuntime struct {
	sentinelSeq uint64 // bumped by every sentinel call (WaitEvent watches it)
}

// readHeldLocked reports whether reading p's output is held back by filter
// t or by a full Reader: the accept loop then leaves p's output in the
// kernel and the child blocks when its pipe is full. As in Emacs, filter t
// does not stop a server from accepting connections. rt.mu must be held.
func (p *Process) readHeldLocked() bool {
	if p.native.readerFull {
		return true
	}
	return p.native.filterT && (p.net == nil || !p.net.listener)
}

// resumeReadingLocked arms p again after reading was held back, and wakes
// the poller so that a wait in progress sees p's output. rt.mu must be
// held.
func (rt *Runtime) resumeReadingLocked(p *Process) {
	rt.armLocked(p)
	rt.wakePollerLocked()
}

// noteSentinelLocked records the event a sentinel call is about to report
// (LastEvent) and counts the call (WaitEvent). runSentinel calls it.
// rt.mu must be held.
func (rt *Runtime) noteSentinelLocked(p *Process, event string) {
	p.native.lastStatus = p.status
	p.native.lastText = event
	rt.native.sentinelSeq++
}

// setExitReportedLocked records that the sentinel for p's death has
// returned, and closes Done's channel. runSentinel calls it. rt.mu must be
// held.
func (p *Process) setExitReportedLocked() {
	if p.exitReported {
		return
	}
	p.exitReported = true
	if p.native.done != nil {
		close(p.native.done)
	}
}

// Done returns a channel that is closed once the process is dead and its
// exit sentinel has returned, whichever goroutine dispatched it: Wait, Run,
// AcceptProcessOutput, WaitEvent, WaitAll, Delete or Close. It is the
// channel form of Exited.
//
// Done dispatches nothing: something must run the accept loop for the
// channel to close, such as a goroutine running Run, or Wait. A process
// whose exit sentinel has already run gets a closed channel. Done may be
// called from any goroutine, any number of times; it returns the same
// channel each time. A nil process gets a closed channel, so that a
// select on it never blocks.
func (p *Process) Done() <-chan struct{} {
	if p == nil {
		return closedDone
	}
	rt := p.rt
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if p.native.done == nil {
		p.native.done = make(chan struct{})
		if p.exitReported {
			close(p.native.done)
		}
	}
	return p.native.done
}

// closedDone is what Done returns for a nil process: a channel closed for
// ever.
var closedDone = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// WaitEvent dispatches output, status changes and sentinels of every
// process until at least one chunk of output was handed to a filter or one
// sentinel ran, then returns nil; or it returns ctx.Err() when ctx ends
// first. Unlike AcceptProcessOutput with a nil process, which returns only
// for output (as Emacs's accept-process-output does, ignoring status
// changes), WaitEvent also returns for a status change of any process,
// a connection accepted by a server, and the exit of a child that wrote
// nothing. A loop of WaitEvent calls is the Go form of Emacs's command
// loop: each return is a chance to look at what changed.
//
// WaitEvent is an accept call: filters and sentinels run on the calling
// goroutine (or on another goroutine accepting at the same time).
func (rt *Runtime) WaitEvent(ctx context.Context) error {
	rt.mu.Lock()
	out, sent := rt.loop.outputSeq, rt.native.sentinelSeq
	rt.mu.Unlock()
	ok := rt.waitLoop(waitSpec{ctx: ctx, done: func() bool {
		rt.mu.Lock()
		defer rt.mu.Unlock()
		return rt.loop.outputSeq != out || rt.native.sentinelSeq != sent
	}})
	if !ok {
		return ctx.Err()
	}
	return nil
}

// WaitAll dispatches output, status changes and sentinels until every
// process in ps is dead and its exit sentinel has returned, as Wait does
// for one. It returns nil then, whatever the exit statuses (see LastEvent
// for each), or ctx.Err() if ctx ends first. Processes of several Runtimes
// may be mixed: each Runtime is dispatched in turn, by the calling
// goroutine. Nil entries are skipped.
func WaitAll(ctx context.Context, ps ...*Process) error {
	var order []*Runtime
	groups := make(map[*Runtime][]*Process)
	for _, p := range ps {
		if p == nil {
			continue
		}
		if _, ok := groups[p.rt]; !ok {
			order = append(order, p.rt)
		}
		groups[p.rt] = append(groups[p.rt], p)
	}
	for _, rt := range order {
		group := groups[rt]
		next := 0 // group[:next] have all exited: Exited never turns false again
		done := func() bool {
			for next < len(group) && group[next].Exited() {
				next++
			}
			return next == len(group)
		}
		if !rt.waitLoop(waitSpec{ctx: ctx, done: done}) {
			return ctx.Err()
		}
	}
	return nil
}

// EventKind says what kind of status change a sentinel event reports.
type EventKind uint8

// The kinds of sentinel events, with Emacs's event strings.
const (
	EventNone      EventKind = iota // no sentinel call yet
	EventFinished                   // "finished\n": a child exited with code 0, or a pipe process was closed
	EventExited                     // "exited abnormally with code N\n": Event.Code is N
	EventSignaled                   // "killed\n", "terminated\n", ...: Event.Signal, Event.CoreDumped
	EventStopped                    // "stopped (signal)\n", ...: Event.Signal
	EventContinued                  // "run": a stopped child continued (also "listen", "connect")
	EventOpen                       // "open\n" (a nowait connection completed) or "open from ADDR\n" (an accepted connection)
	EventDeleted                    // "deleted\n": a network process was deleted
	EventBroken                     // "connection broken by remote peer\n": a network peer closed
	EventFailed                     // "failed with code N\n": a nowait connection failed; Event.Code is the errno, or Event.Reason says why
)

var eventKindNames = [...]string{"none", "finished", "exited", "signaled", "stopped", "continued", "open", "deleted", "broken", "failed"}

// String returns the kind's name: "finished", "exited", "signaled", ...
func (k EventKind) String() string {
	if int(k) < len(eventKindNames) {
		return eventKindNames[k]
	}
	return "EventKind(" + strconv.Itoa(int(k)) + ")"
}

// Event is a sentinel event in typed form: what LastEvent returns, so that a
// program can tell "finished", "exited with N" and "killed by SIG" apart
// without comparing strings.
type Event struct {
	Kind       EventKind
	Code       int            // EventExited: the exit code; EventFailed: the errno (0 when Reason says why)
	Signal     syscall.Signal // EventSignaled, EventStopped: the signal
	CoreDumped bool           // EventSignaled: the child dumped core
	Reason     string         // EventFailed: the reason when it is not an errno ("Name lookup of HOST failed")
	Text       string         // the event string the sentinel got, byte for byte ("finished\n")
}

// String returns the event string the sentinel got.
func (e Event) String() string { return e.Text }

// Success reports whether the event is EventFinished.
func (e Event) Success() bool { return e.Kind == EventFinished }

// LastEvent returns the event of the last sentinel call of p in typed form
// (EventNone before the first). It is recorded just before the sentinel is
// called, so inside a sentinel it describes the event the sentinel got,
// and after Wait, WaitAll or Done it describes how p ended. Safe for
// concurrent use; it dispatches nothing.
func (p *Process) LastEvent() Event {
	if p == nil {
		return Event{}
	}
	rt := p.rt
	rt.mu.Lock()
	st, text := p.native.lastStatus, p.native.lastText
	rt.mu.Unlock()
	if text == "" {
		return Event{}
	}
	e := Event{Text: text}
	switch st.kind {
	case rawRun:
		e.Kind = EventContinued
		if p.kind == kindNetwork {
			e.Kind = EventOpen
		}
	case rawListen, rawConnect:
		e.Kind = EventContinued
	case rawStop:
		e.Kind, e.Signal = EventStopped, syscall.Signal(st.code)
	case rawSignal:
		e.Kind, e.Signal, e.CoreDumped = EventSignaled, syscall.Signal(st.code), st.core
	case rawFailed:
		e.Kind, e.Code, e.Reason = EventFailed, st.code, st.msg
	case rawExit:
		switch {
		case p.kind == kindNetwork && st.code == 0:
			e.Kind = EventDeleted
		case p.kind == kindNetwork:
			e.Kind = EventBroken
		case st.code == 0:
			e.Kind = EventFinished
		default:
			e.Kind, e.Code = EventExited, st.code
		}
	}
	return e
}
