package eproc

import (
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Descriptors on Windows.
//
// eproc's descriptors on Windows are handles, held as ints: our ends of
// the named pipes eproc makes for children's standard streams and for pipe
// processes (opened for overlapped I/O; the child's ends are ordinary
// synchronous handles), sockets (network_windows.go) and serial ports
// (serial_windows.go, whose readiness is a one-byte read). The accept loop
// uses them as on Unix: readFD and writeFD never block, they return
// errAgain when a pipe has nothing to read or no room, and the poller
// (poll_windows.go) reports when that changes.
//
//   - Reading. The poller's report that a pipe is readable is the
//     completion of a zero-byte overlapped read, which takes nothing from
//     the pipe. readFD then asks how many bytes wait (PeekNamedPipe) and
//     reads at most that many, which completes at once. So bytes leave the
//     pipe only when the loop reads them, as on Unix: output nobody accepts
//     stays in the pipe and the child blocks when it is full.
//   - Writing. writeFD hands at most winWriteMax bytes to one overlapped
//     write and returns; while that write is in progress writeFD returns
//     errAgain. When the loop waits for room, the poller reports the
//     write's completion.
//   - Closing. A handle whose write is still in progress is closed when
//     the write completes, so input sent before SendEOF reaches the child
//     whole; a handle with a zero-byte read in progress is closed at once
//     (the read is cancelled and its report dropped).

// errAgain is what readFD and writeFD return when they cannot go on now.
var errAgain error = syscall.EAGAIN

// winWriteMax is the most bytes one overlapped write takes: as much as a
// pipe holds, so input waits in the process's queue, not in eproc's
// buffer, while the child reads slowly.
const winWriteMax = 64 << 10

// winPipeSize is the buffer size asked for each pipe eproc makes.
const winPipeSize = 64 << 10

// winFD is eproc's state for one overlapped handle. It stays in winFDs
// while the handle is open, and in winLive until the system holds no
// reference to its operations any more (see releaseLocked).
//
// Locks: mu guards the fields below it. It is taken under Runtime.mu (by
// arm, writeFD and closeFD, which the loop calls holding it) and without
// it (by the poller's wait, readFD, and the thread pool's callbacks), and
// neither they nor anything they call take Runtime.mu while holding mu.
// winFDsMu and poller.mu are taken last.
type winFD struct {
	h      windows.Handle
	socket bool     // a socket; else our end of a pipe
	sock   *winSock // a socket's own state (network_windows.go)

	mu       sync.Mutex
	pl       *poller // the poller its completions go to; nil before the first arm and after the poller closed
	rd       winOp   // the zero-byte read that reports readability
	rdBusy   bool    // rd is in progress, or its completion not yet taken from the port
	note     winOp   // the packet that reports room for writing
	noteBusy bool    // note is posted and not yet taken from the port
	wantOut  bool    // the poller was asked to report room
	rdEvent  windows.Handle
	rdSync   winOp // readFD's read
	wr       winOp // the last write
	wrEvent  windows.Handle
	wrBusy   bool   // wr is in progress
	wrBuf    []byte // the bytes of the last write
	wrOff    int    // wrBuf[wrOff:wrLen] is not written yet
	wrLen    int
	wrErr    error // the failure of a completed write, reported by the next writeFD
	wrWait   bool  // a wait on wrEvent is registered (see watchWriteLocked)
	closing  bool  // closed by closeFD while wr was in progress: close h when it completes
	shutting bool  // a socket's sending side ends once wr completes (shutdownWrite)
	closed   bool  // closeFD was called

	comm *winComm // a serial port's reading state (serial_windows.go); nil for pipes and sockets
}

// winOp is one overlapped operation of a winFD. ov must stay its first
// field: the poller finds the operation from the OVERLAPPED pointer a
// completion carries.
type winOp struct {
	ov windows.Overlapped
	fd *winFD
}

// winFDs maps open handles to their state; winLive keeps every winFD the
// system may still refer to reachable, so the collector cannot free an
// OVERLAPPED under a pending operation.
var (
	winFDsMu sync.Mutex
	winFDs   = map[int]*winFD{}
	winLive  = map[*winFD]struct{}{}
)

// newWinFD registers h as an overlapped handle of eproc's and returns its
// descriptor.
func newWinFD(h windows.Handle, sock *winSock) *winFD {
	f := &winFD{h: h, socket: sock != nil, sock: sock}
	f.rd.fd, f.note.fd, f.rdSync.fd, f.wr.fd = f, f, f, f
	winFDsMu.Lock()
	winFDs[int(h)] = f
	winLive[f] = struct{}{}
	winFDsMu.Unlock()
	return f
}

// lookupFD returns the state of descriptor fd, or nil if it is not one of
// eproc's overlapped handles (a child's end of a pipe, for one).
func lookupFD(fd int) *winFD {
	winFDsMu.Lock()
	defer winFDsMu.Unlock()
	return winFDs[fd]
}

// releaseLocked drops f from winLive once it is closed and the system
// holds none of its operations. f.mu must be held.
func (f *winFD) releaseLocked() {
	if !f.closed || f.closing || f.rdBusy || f.noteBusy || f.wrWait || f.comm.busy() {
		return
	}
	f.comm.release()
	if f.rdEvent != 0 {
		windows.CloseHandle(f.rdEvent)
		f.rdEvent = 0
	}
	if f.wrEvent != 0 {
		windows.CloseHandle(f.wrEvent)
		f.wrEvent = 0
	}
	winFDsMu.Lock()
	delete(winLive, f)
	winFDsMu.Unlock()
}

var (
	modkernel32       = windows.NewLazySystemDLL("kernel32.dll")
	procPeekNamedPipe = modkernel32.NewProc("PeekNamedPipe")
)

// peekNamedPipe returns how many bytes wait in the pipe h.
func peekNamedPipe(h windows.Handle) (uint32, error) {
	var avail uint32
	r, _, err := procPeekNamedPipe.Call(uintptr(h), 0, 0, 0, uintptr(unsafe.Pointer(&avail)), 0)
	if r == 0 {
		return 0, err
	}
	return avail, nil
}

// pipeEnded reports whether err from a pipe means that the other end is
// closed: the end of the stream.
func pipeEnded(err error) bool {
	return err == windows.ERROR_BROKEN_PIPE || err == windows.ERROR_PIPE_NOT_CONNECTED || err == windows.ERROR_NO_DATA
}

// readFD reads once from one of eproc's pipe ends (or sockets) without
// blocking. It returns n > 0 with data, (0, errAgain) when nothing is
// there, and (0, nil) or (0, err) at the end of the stream.
func readFD(fd int, buf []byte) (int, error) {
	f := lookupFD(fd)
	if f == nil {
		// Not an overlapped handle of ours: a plain read.
		var n uint32
		err := windows.ReadFile(windows.Handle(fd), buf, &n, nil)
		if pipeEnded(err) {
			err = nil
		}
		return int(n), err
	}
	if f.socket {
		return f.readSocket(buf)
	}
	if f.comm != nil {
		return f.readComm(buf) // serial_windows.go
	}
	avail, err := peekNamedPipe(f.h)
	if err != nil {
		if pipeEnded(err) {
			return 0, nil
		}
		return 0, err
	}
	if avail == 0 {
		return 0, errAgain
	}
	if uint32(len(buf)) > avail {
		buf = buf[:avail]
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.rdEvent == 0 {
		if f.rdEvent, err = windows.CreateEvent(nil, 1, 0, nil); err != nil {
			return 0, err
		}
	}
	// The event's low bit keeps the completion out of the port: this read
	// is over before readFD returns.
	f.rdSync.ov = windows.Overlapped{HEvent: f.rdEvent | 1}
	var n uint32
	err = windows.ReadFile(f.h, buf, &n, &f.rdSync.ov)
	if err == windows.ERROR_IO_PENDING {
		err = windows.GetOverlappedResult(f.h, &f.rdSync.ov, &n, true)
	}
	if err != nil && n == 0 {
		if pipeEnded(err) {
			return 0, nil
		}
		return 0, err
	}
	return int(n), nil
}

// writeFD writes to one of eproc's pipe ends (or sockets) without
// blocking: it starts one write of at most winWriteMax bytes and returns
// how many it took, or errAgain while the previous write is in progress.
// A write that failed after writeFD returned is reported by the next
// call. Handles that are not eproc's overlapped ones (a pipe's writing
// end, before a child has it) are written synchronously.
func writeFD(fd int, b []byte) (int, error) {
	f := lookupFD(fd)
	if f == nil {
		var n uint32
		err := windows.WriteFile(windows.Handle(fd), b, &n, nil)
		return int(n), err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.writeDoneLocked() {
		return 0, errAgain
	}
	if f.wrErr != nil {
		return 0, f.wrErr
	}
	if f.wrEvent == 0 {
		ev, err := windows.CreateEvent(nil, 1, 0, nil)
		if err != nil {
			return 0, err
		}
		f.wrEvent = ev
		f.wrBuf = make([]byte, winWriteMax)
	}
	n := copy(f.wrBuf, b)
	f.wrOff, f.wrLen = 0, n
	if err := f.startWriteLocked(); err != nil {
		f.wrLen = 0
		return 0, err
	}
	return n, nil
}

// startWriteLocked writes wrBuf[wrOff:wrLen], as far as it goes at once,
// leaving the rest to a write in progress. f.mu must be held.
func (f *winFD) startWriteLocked() error {
	for f.wrOff < f.wrLen {
		// The event's low bit keeps the completion out of the port: the
		// write is watched through the event (see watchWriteLocked).
		f.wr.ov = windows.Overlapped{HEvent: f.wrEvent | 1}
		var n uint32
		var err error
		if f.socket {
			b := windows.WSABuf{Len: uint32(f.wrLen - f.wrOff), Buf: &f.wrBuf[f.wrOff]}
			err = windows.WSASend(f.h, &b, 1, &n, 0, &f.wr.ov, nil)
		} else {
			err = windows.WriteFile(f.h, f.wrBuf[f.wrOff:f.wrLen], &n, &f.wr.ov)
		}
		if err == windows.ERROR_IO_PENDING {
			f.wrBusy = true
			return nil
		}
		if err != nil {
			return err
		}
		f.wrOff += int(n)
	}
	return nil
}

// writeDoneLocked reports whether no write of f is in progress, taking
// the result of one that completed (and writing on if it was short).
// f.mu must be held.
func (f *winFD) writeDoneLocked() bool {
	for f.wrBusy {
		if atomic.LoadUintptr(&f.wr.ov.Internal) == uintptr(windows.STATUS_PENDING) {
			return false
		}
		f.wrBusy = false
		n, err := f.overlappedResult(&f.wr.ov)
		if err != nil {
			f.wrErr = err
			return true
		}
		f.wrOff += n
		if err := f.startWriteLocked(); err != nil {
			f.wrErr = err
		}
	}
	return true
}

// overlappedResult is the outcome of f's completed operation ov: its byte
// count, and its error as the API that started it reports it (Winsock
// codes for a socket, such as WSAECONNREFUSED).
func (f *winFD) overlappedResult(ov *windows.Overlapped) (int, error) {
	var n, flags uint32
	var err error
	if f.socket {
		err = windows.WSAGetOverlappedResult(f.h, ov, &n, false, &flags)
	} else {
		err = windows.GetOverlappedResult(f.h, ov, &n, false)
	}
	return int(n), err
}

// closeFD closes a descriptor: at once, or for a handle whose write is in
// progress, when the write completes.
func closeFD(fd int) {
	winFDsMu.Lock()
	f := winFDs[fd]
	delete(winFDs, fd)
	winFDsMu.Unlock()
	if f == nil {
		windows.CloseHandle(windows.Handle(fd))
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	f.wantOut = false
	if !f.writeDoneLocked() {
		f.closing = true
		f.watchWriteLocked()
		return
	}
	f.closeHandleLocked()
}

// closeHandleLocked closes f's handle, which cancels a zero-byte read in
// progress (its completion still comes through the port and is dropped).
// f.mu must be held.
func (f *winFD) closeHandleLocked() {
	if f.socket {
		f.sock.close()
		windows.Closesocket(f.h)
	} else {
		windows.CloseHandle(f.h)
	}
	f.releaseLocked()
}

// watchWriteLocked registers a wait for the write in progress: when it
// completes, the handle is closed if closeFD asked for it, or room is
// reported to the poller if the loop asked for it. f.mu must be held.
func (f *winFD) watchWriteLocked() {
	if f.wrWait {
		return
	}
	f.wrWait = true
	registerWait(f.wrEvent, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.wrWait = false
		if !f.writeDoneLocked() {
			f.watchWriteLocked() // a short write goes on
			return
		}
		if f.shutting {
			f.shutting = false
			windows.Shutdown(f.h, windows.SHUT_WR)
		}
		switch {
		case f.closing:
			f.closing = false
			f.closeHandleLocked()
			return
		case f.wantOut:
			f.postNoteLocked()
		}
		f.releaseLocked()
	})
}

// setNonblock does nothing on Windows: eproc's ends of its pipes are
// overlapped, and readFD and writeFD never block on them.
func setNonblock(fd int) {}

// pipeSeq numbers the pipes this program makes, for their names.
var pipeSeq atomic.Uint64

// newPipe makes a named pipe: our end, overlapped and registered with
// eproc, and the other end, an ordinary synchronous handle for a child.
// With inbound the data flows from the child's end to ours. Neither end
// is inheritable: a child gets its end through the handle list
// syscall.StartProcess passes (so no other child inherits it).
func newPipe(inbound bool) (ours *winFD, theirs windows.Handle, err error) {
	access := uint32(windows.PIPE_ACCESS_OUTBOUND)
	theirAccess := uint32(windows.GENERIC_READ | windows.FILE_WRITE_ATTRIBUTES)
	if inbound {
		access = windows.PIPE_ACCESS_INBOUND
		theirAccess = windows.GENERIC_WRITE | windows.FILE_READ_ATTRIBUTES
	}
	for range 16 {
		name := fmt.Sprintf(`\\.\pipe\eproc-%d-%d-%x`, os.Getpid(), pipeSeq.Add(1), rand.Uint64())
		name16, err := windows.UTF16PtrFromString(name)
		if err != nil {
			return nil, 0, err
		}
		h, err := windows.CreateNamedPipe(name16,
			access|windows.FILE_FLAG_OVERLAPPED|windows.FILE_FLAG_FIRST_PIPE_INSTANCE,
			windows.PIPE_TYPE_BYTE|windows.PIPE_READMODE_BYTE|windows.PIPE_WAIT|windows.PIPE_REJECT_REMOTE_CLIENTS,
			1, winPipeSize, winPipeSize, 0, nil)
		if err == windows.ERROR_ACCESS_DENIED || err == windows.ERROR_PIPE_BUSY {
			continue // the name is taken: try another
		}
		if err != nil {
			return nil, 0, err
		}
		t, err := windows.CreateFile(name16, theirAccess, 0, nil, windows.OPEN_EXISTING, 0, 0)
		if err != nil {
			windows.CloseHandle(h)
			return nil, 0, err
		}
		return newWinFD(h, nil), t, nil
	}
	return nil, 0, windows.ERROR_PIPE_BUSY
}

// pipeCloexec makes a pipe: p[0] is the reading end, p[1] the writing end
// (for a child's standard error). See newPipe.
func pipeCloexec(p []int) error {
	ours, theirs, err := newPipe(true)
	if err != nil {
		return err
	}
	p[0], p[1] = int(ours.h), int(theirs)
	return nil
}
