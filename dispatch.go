package eproc

import (
	"context"
	"sync/atomic"
	"time"
)

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
