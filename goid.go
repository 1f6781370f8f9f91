package eproc

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// dispatchLock serialises the running of filters and sentinels (and the
// reading of process output) in one Runtime. It is re-entrant for the
// goroutine that holds it, because a filter may call AcceptProcessOutput,
// SendString or Delete, as Emacs allows.
type dispatchLock struct {
	mu    sync.Mutex
	owner atomic.Uintptr // identity of the holding goroutine (curG), 0 when free
	depth int            // guarded by mu's ownership
}

func (d *dispatchLock) lock() {
	g := curG()
	if d.owner.Load() == g {
		d.depth++
		return
	}
	d.mu.Lock()
	d.owner.Store(g)
	d.depth = 1
}

func (d *dispatchLock) unlock() {
	d.depth--
	if d.depth == 0 {
		d.owner.Store(0)
		d.mu.Unlock()
	}
}

// heldByMe reports whether the calling goroutine holds d.
func (d *dispatchLock) heldByMe() bool { return d.owner.Load() == curG() }

// slowGoroutineID parses the current goroutine's number from its stack
// header. It is the portable fallback of curG on architectures without the
// assembly accessor; it costs microseconds.
func slowGoroutineID() uintptr {
	var buf [64]byte
	n := runtime.Stack(buf[:], false)
	const prefix = len("goroutine ")
	var id uintptr
	for _, c := range buf[prefix:n] {
		if c < '0' || c > '9' {
			break
		}
		id = id*10 + uintptr(c-'0')
	}
	return id
}
