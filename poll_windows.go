package eproc

import (
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// poller is the Windows back end: one I/O completion port. Readiness is
// reported one-shot, as with epoll's EPOLLONESHOT: arm starts a zero-byte
// read (for a socket a zero-byte receive, for a listening socket an
// AcceptEx; see network_windows.go) whose completion is the report that
// the handle is readable, and it is reported once; the loop arms again
// after reading. A serial port's report is a one-byte read's completion,
// posted by the thread pool (serial_windows.go).
// Room for writing is a packet posted when no write is in progress (see
// fd_windows.go). Children's exits do not pass through here as packets:
// the system's thread pool waits on their process handles and reaps them
// (reap_windows.go), which wakes the poller like SIGCHLD on Unix.
type poller struct {
	port    windows.Handle
	woken   atomic.Bool // a wake-up packet is queued and not yet taken
	entries []overlappedEntry

	mu  sync.Mutex
	fds map[*winFD]struct{} // associated with the port
}

// overlappedEntry is the system's OVERLAPPED_ENTRY.
type overlappedEntry struct {
	key      uintptr
	ov       *windows.Overlapped
	internal uintptr
	n        uint32
}

// keyWake marks the wake-up packets; every other packet has key 0.
const keyWake = 1

var procGetQueuedCompletionStatusEx = modkernel32.NewProc("GetQueuedCompletionStatusEx")

func newPoller() (*poller, error) {
	port, err := windows.CreateIoCompletionPort(windows.InvalidHandle, 0, 0, 1)
	if err != nil {
		return nil, err
	}
	return &poller{port: port, fds: make(map[*winFD]struct{})}, nil
}

// arm asks for one report when fd becomes readable (in) or writable
// (out). added says whether fd was armed before (the first arm associates
// the handle with the port).
func (pl *poller) arm(fd int, in, out, added bool) error {
	f := lookupFD(fd)
	if f == nil {
		return windows.ERROR_INVALID_HANDLE
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return windows.ERROR_INVALID_HANDLE
	}
	if f.pl == nil {
		if _, err := windows.CreateIoCompletionPort(f.h, pl.port, 0, 0); err != nil {
			return err
		}
		f.pl = pl
		pl.mu.Lock()
		pl.fds[f] = struct{}{}
		pl.mu.Unlock()
	}
	if in && !f.rdBusy {
		f.rdBusy = true
		var err error
		switch {
		case f.socket:
			err = f.armSocketRead()
		case f.comm != nil:
			err = f.armCommReadLocked() // serial_windows.go
		default:
			f.rd.ov = windows.Overlapped{}
			err = windows.ReadFile(f.h, nil, nil, &f.rd.ov)
		}
		if err != nil && err != windows.ERROR_IO_PENDING {
			// No completion will come (the pipe has ended, for one):
			// report readability now, and let the read find out.
			if err := windows.PostQueuedCompletionStatus(pl.port, 0, 0, &f.rd.ov); err != nil {
				f.rdBusy = false
			}
		}
	}
	if out {
		f.wantOut = true
		if f.writeDoneLocked() {
			f.postNoteLocked()
		} else {
			f.watchWriteLocked()
		}
	}
	return nil
}

// postNoteLocked posts the report that f has room for writing. f.mu must
// be held.
func (f *winFD) postNoteLocked() {
	if f.noteBusy || f.pl == nil {
		return
	}
	if windows.PostQueuedCompletionStatus(f.pl.port, 0, 0, &f.note.ov) == nil {
		f.noteBusy = true
	}
}

// forget is called before fd is closed; closeFD does what is needed.
func (pl *poller) forget(fd int) {}

// wait blocks until an armed handle is ready, the poller is woken, or
// timeout passes (timeout < 0: no limit). It fills evs and returns how
// many it filled; a wake-up fills none.
func (pl *poller) wait(evs []pollEvent, timeout time.Duration) int {
	ms := uint32(windows.INFINITE)
	if timeout >= 0 {
		ms = uint32(min((timeout+time.Millisecond-1)/time.Millisecond, 1<<31))
	}
	if len(pl.entries) < len(evs) {
		pl.entries = make([]overlappedEntry, len(evs))
	}
	var got uint32
	r, _, _ := procGetQueuedCompletionStatusEx.Call(uintptr(pl.port),
		uintptr(unsafe.Pointer(&pl.entries[0])), uintptr(len(evs)),
		uintptr(unsafe.Pointer(&got)), uintptr(ms), 0)
	if r == 0 {
		return 0 // timed out
	}
	k := 0
	for _, e := range pl.entries[:got] {
		if e.key == keyWake {
			pl.woken.Store(false)
			continue
		}
		if e.ov == nil {
			continue
		}
		op := (*winOp)(unsafe.Pointer(e.ov))
		f := op.fd
		f.mu.Lock()
		switch op {
		case &f.rd:
			f.rdBusy = false
			if !f.closed {
				evs[k] = pollEvent{fd: int(f.h), in: true}
				k++
			}
		case &f.note:
			f.noteBusy = false
			if !f.closed && f.wantOut {
				f.wantOut = false
				evs[k] = pollEvent{fd: int(f.h), out: true}
				k++
			}
		}
		f.releaseLocked()
		f.mu.Unlock()
	}
	return k
}

// wake makes a wait in progress (or the next one) return.
func (pl *poller) wake() {
	if pl.woken.CompareAndSwap(false, true) {
		if windows.PostQueuedCompletionStatus(pl.port, 0, keyWake, nil) != nil {
			pl.woken.Store(false)
		}
	}
}

// close closes the port. Operations still in progress on its handles are
// cancelled and waited for first, so the system writes into no
// OVERLAPPED that eproc has let go of.
func (pl *poller) close() {
	pl.mu.Lock()
	fds := make([]*winFD, 0, len(pl.fds))
	for f := range pl.fds {
		fds = append(fds, f)
	}
	pl.fds = nil
	pl.mu.Unlock()
	for _, f := range fds {
		f.mu.Lock()
		if f.rdBusy && !f.closed {
			windows.CancelIoEx(f.h, &f.rd.ov)
		}
		f.mu.Unlock()
	}
	for _, f := range fds {
		f.mu.Lock()
		if f.rdBusy {
			awaitOverlapped(&f.rd.ov)
			f.rdBusy = false
		}
		f.noteBusy = false
		f.pl = nil
		f.releaseLocked()
		f.mu.Unlock()
	}
	windows.CloseHandle(pl.port)
}

// awaitOverlapped waits (briefly: the operation was cancelled or its
// handle closed) until the system is done with ov.
func awaitOverlapped(ov *windows.Overlapped) {
	for i := 0; atomic.LoadUintptr(&ov.Internal) == uintptr(windows.STATUS_PENDING) && i < 1000; i++ {
		windows.SleepEx(1, false)
	}
}
