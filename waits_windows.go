package eproc

import (
	"sync"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Waits on the system's thread pool. A child's exit and the completion of
// a write that the loop waits for are signalled on kernel objects (the
// process handle, the write's event); eproc registers a one-shot wait for
// each with RegisterWaitForSingleObject, and the thread pool runs the
// wait's function when the object is signalled: no goroutine waits, and a
// pool thread waits for up to 63 objects at once.

var (
	procRegisterWaitForSingleObject = modkernel32.NewProc("RegisterWaitForSingleObject")
	procUnregisterWait              = modkernel32.NewProc("UnregisterWait")
)

const (
	wtExecuteOnlyOnce = 0x8
)

// winWait is one registered wait.
type winWait struct {
	id    uintptr
	f     func()
	mu    sync.Mutex
	h     windows.Handle // the wait's handle, once RegisterWaitForSingleObject returned
	fired bool           // the callback has begun, or the wait was cancelled
}

var waits struct {
	sync.Mutex
	m    map[uintptr]*winWait
	next uintptr
	cb   uintptr
}

// waitCallback is the thread pool's callback: ctx names the wait.
func waitCallback(ctx, timedOut uintptr) uintptr {
	waits.Lock()
	w := waits.m[ctx]
	delete(waits.m, ctx)
	waits.Unlock()
	if w == nil {
		return 0 // cancelled
	}
	w.mu.Lock()
	w.fired = true
	if w.h != 0 {
		procUnregisterWait.Call(uintptr(w.h)) // from the callback: does not wait for it
	}
	w.mu.Unlock()
	w.f()
	return 0
}

// registerWait runs f on a thread-pool thread once obj is signalled. If
// the system refuses the wait (out of resources), a goroutine waits
// instead.
func registerWait(obj windows.Handle, f func()) *winWait {
	waits.Lock()
	if waits.m == nil {
		waits.m = make(map[uintptr]*winWait)
		waits.cb = windows.NewCallback(waitCallback)
	}
	waits.next++
	w := &winWait{id: waits.next, f: f}
	waits.m[w.id] = w
	cb := waits.cb
	waits.Unlock()
	var h windows.Handle
	r, _, _ := procRegisterWaitForSingleObject.Call(uintptr(unsafe.Pointer(&h)), uintptr(obj), cb, w.id, uintptr(windows.INFINITE), wtExecuteOnlyOnce)
	if r == 0 {
		go func() {
			windows.WaitForSingleObject(obj, windows.INFINITE)
			waitCallback(w.id, 0)
		}()
		return w
	}
	w.mu.Lock()
	if w.fired {
		procUnregisterWait.Call(uintptr(h))
	} else {
		w.h = h
	}
	w.mu.Unlock()
	return w
}

// cancel unregisters w if its function has not begun; it does not wait
// for a function that has.
func (w *winWait) cancel() {
	waits.Lock()
	delete(waits.m, w.id)
	waits.Unlock()
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.fired {
		w.fired = true
		if w.h != 0 {
			procUnregisterWait.Call(uintptr(w.h))
		}
	}
}
