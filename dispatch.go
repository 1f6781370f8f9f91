package eproc

import (
	"context"
	"sync/atomic"
	"time"
)

// The locking discipline of a Runtime: what each lock guards, in the
// order they are taken (a goroutine holding one may take those after it,
// never one before it).
//
//  1. The dispatch lock (rt.loop.dispatch, below): the running of filters
//     and sentinels, the reading of output, and the closing of
//     descriptors (Delete, endOfOutput). Re-entrant for the goroutine that
//     holds it, since a filter may call AcceptProcessOutput, SendString
//     or Delete. Waits for it honour deadlines and contexts.
//  2. rt.loop.reapMu: wait4 and kill(2) of the Runtime's pids, so that a
//     check that a child is ours and the kill that follows are one step
//     with respect to reaping, and no signal reaches a reaped (perhaps
//     reused) pid (signal.go signalChild, reap_unix.go).
//  3. rt.loop.pollMu: held by the leader, the one goroutine waiting in the
//     poller (loop.go waitEvents). It is given up before rt.mu at the end
//     of a turn, so that a waiter that sees the new turn finds the poller
//     free.
//  4. rt.mu: the process and buffer tables, every Process field not marked
//     "fixed", the loop's queues (ready, writable, statusQ), the poller's
//     registrations and the Runtime's state (closed, creating). Held for
//     short steps only: never across a callback, a blocking system call
//     or a wait. Status changes go through setStatusLocked (status.go).
//  5. Leaf locks: a Buffer's and a Marker's (buffer.go), an Expecter's, a
//     TQ's, a Windows descriptor's (fd_windows.go), the remote connection
//     table's. Code holding one of them never takes rt.mu; code holding
//     rt.mu may read a buffer (its name) but drops rt.mu before changing
//     one (registerNetworkLocked and MakePipeProcess set markers without
//     it).
//
// Filters and sentinels run with the dispatch lock held and no other.
//
// A change that another goroutine may be waiting for (a status, output
// for a Reader, its Close, the end of a context) is made under rt.mu and
// followed by rt.wakePollerLocked, which counts the wake: a waiter reads
// the count before it checks its condition and does not block in the
// poller if the count moved since (loop.go waitLoop, waitEvents).

// dispatchLock serialises the running of filters and sentinels (and the
// reading of process output) in one Runtime: Emacs's promise that
// callbacks never run concurrently. It is re-entrant for the goroutine
// that holds it, because a filter may call AcceptProcessOutput,
// SendString or Delete, as Emacs allows. A goroutine that waits for it
// with a deadline or a context gives up when they end, so a wait never
// outlasts its limit because another goroutine's filter runs long.
type dispatchLock struct {
	ch    chan struct{}  // holds one value while the lock is held
	owner atomic.Uintptr // identity of the holding goroutine (curG), 0 when free
	depth int            // guarded by the lock's ownership
}

func (d *dispatchLock) init() { d.ch = make(chan struct{}, 1) }

// lock takes d, waiting as long as it takes.
func (d *dispatchLock) lock() {
	g := curG()
	if d.owner.Load() == g {
		d.depth++
		return
	}
	d.ch <- struct{}{}
	d.owner.Store(g)
	d.depth = 1
}

// lockWithin takes d unless ctx (nil: none) ends or deadline (zero: none)
// passes first; it reports whether it took d.
func (d *dispatchLock) lockWithin(ctx context.Context, deadline time.Time) bool {
	g := curG()
	if d.owner.Load() == g {
		d.depth++
		return true
	}
	select {
	case d.ch <- struct{}{}:
	default:
		var done <-chan struct{}
		if ctx != nil {
			done = ctx.Done()
		}
		var timer <-chan time.Time
		if !deadline.IsZero() {
			t := time.NewTimer(time.Until(deadline))
			defer t.Stop()
			timer = t.C
		}
		select {
		case d.ch <- struct{}{}:
		case <-done:
			return false
		case <-timer:
			return false
		}
	}
	d.owner.Store(g)
	d.depth = 1
	return true
}

func (d *dispatchLock) unlock() {
	d.depth--
	if d.depth == 0 {
		d.owner.Store(0)
		<-d.ch
	}
}
