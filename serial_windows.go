package eproc

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Serial ports on Windows.
//
// A port ("COM1", `\\.\COM10`) is opened as Emacs on Windows opens it
// (w32.c's serial_open): for reading and writing, no sharing, overlapped.
// Its handle is one of eproc's overlapped descriptors (fd_windows.go) in
// the same completion port as every pipe and socket; writes, closing and
// the report of room for writing are the pipes' own. Configuring it sets
// the port's DCB (SetCommState) as serial_configure does.
//
// Reading differs from a pipe's, because a zero-byte read of a comm
// device completes at once whether or not input waits (on Windows and
// under Wine alike), and WaitCommEvent(EV_RXCHAR) does not work under Wine
// (its wait ends at once, cancelled). So the report that a port is
// readable is the completion of an overlapped read of one byte, with the
// port's read timeouts off (COMMTIMEOUTS all zero: a read waits until it
// has the bytes it asked for). The byte it took is kept (winComm.byte) and
// handed out first by the next readFD, which then reads what the driver
// holds (ClearCommError's count), a read that completes at once. The
// one-byte read's completion is watched through its event on the thread
// pool (as a pipe's write is, waits_windows.go), which posts the readiness
// packet to the completion port. At most one byte leaves the driver
// before the loop asks for output; a port's input has no other
// back-pressure than its flow control anyway.

// serialAttr is the DCB eproc last asked the port for.
type serialAttr = windows.DCB

// winComm is the reading state of a serial port's descriptor. Its fields
// are guarded by the winFD's mu.
type winComm struct {
	ov      windows.Overlapped // the one-byte read; its event's low bit keeps it out of the completion port
	ev      windows.Handle     // its event
	reading bool               // the one-byte read is in progress (a wait on ev is registered)
	byte    [1]byte            // what it read
	held    bool               // byte holds a byte not yet handed out
	err     error              // the read failed: readFD reports the end
	ended   bool               // the read ended with no byte: the end of the input
	device  string             // the port's key in serialOpen
}

// busy reports whether the system holds c's read (nil: no port).
func (c *winComm) busy() bool { return c != nil && c.reading }

// release closes c's event once the read is over.
func (c *winComm) release() {
	if c != nil && c.ev != 0 {
		windows.CloseHandle(c.ev)
		c.ev = 0
	}
}

// errReadyNow makes arm report a port readable at once.
var errReadyNow = errors.New("eproc: serial input waiting")

// armCommReadLocked arms f, a serial port, for one report of input: at
// once if input waits (a held byte, a failure to report, bytes in the
// driver), else when the one-byte read completes. It returns errReadyNow
// for the first, ERROR_IO_PENDING for the second. f.mu must be held.
func (f *winFD) armCommReadLocked() error {
	c := f.comm
	if c.reading {
		return windows.ERROR_IO_PENDING // its completion reports
	}
	if c.held || c.err != nil || c.ended || commQueued(f.h) > 0 {
		return errReadyNow
	}
	if c.ev == 0 {
		ev, err := windows.CreateEvent(nil, 1, 0, nil)
		if err != nil {
			c.err = err
			return errReadyNow
		}
		c.ev = ev
	}
	windows.ResetEvent(c.ev)
	c.ov = windows.Overlapped{HEvent: c.ev | 1}
	err := windows.ReadFile(f.h, c.byte[:], nil, &c.ov)
	if err != nil && err != windows.ERROR_IO_PENDING {
		c.err = err
		return errReadyNow
	}
	// Done at once or not, the event is set when the read is over.
	c.reading = true
	registerWait(c.ev, f.commReadDone)
	return windows.ERROR_IO_PENDING
}

// commReadDone runs on the thread pool when the one-byte read is over: it
// keeps the byte (or the failure) and reports readability to the poller.
func (f *winFD) commReadDone() {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.comm
	c.reading = false
	if !f.closed {
		status := windows.NTStatus(c.ov.Internal)
		switch {
		case c.ov.InternalHigh == 1:
			c.held = true
		case status == windows.STATUS_CANCELLED:
		case status == windows.STATUS_SUCCESS:
			// With no timeouts a read ends without its byte only at the
			// end of the input: take it as the line's end rather than
			// read again at once, and for ever. (A hung-up line under
			// Wine fails the read instead: c.err.)
			c.ended = true
		default:
			c.err = status.Errno()
		}
	}
	if f.rdBusy {
		if f.closed || f.pl == nil || windows.PostQueuedCompletionStatus(f.pl.port, 0, 0, &f.rd.ov) != nil {
			f.rdBusy = false
		}
	}
	f.releaseLocked()
}

// commQueued returns how many received bytes wait in the port's driver.
func commQueued(h windows.Handle) uint32 {
	var errs uint32
	var st windows.ComStat
	if windows.ClearCommError(h, &errs, &st) != nil {
		return 0
	}
	return st.CBInQue
}

// readComm is readFD for a serial port: the byte the readiness read took,
// then what waits in the driver, without blocking. It returns errAgain
// when there is nothing, or while the one-byte read is in progress, and
// the read's failure, or (0, nil), at the end.
func (f *winFD) readComm(buf []byte) (int, error) {
	if len(buf) == 0 {
		return 0, nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.comm
	n := 0
	if c.held {
		buf[0] = c.byte[0]
		c.held = false
		n = 1
	}
	if c.reading || f.closed {
		return ret(n)
	}
	if n == 0 && (c.err != nil || c.ended) {
		return 0, c.err // (0, nil): the end of the input
	}
	want := min(uint32(len(buf)-n), commQueued(f.h))
	if want == 0 {
		return ret(n)
	}
	if f.rdEvent == 0 {
		ev, err := windows.CreateEvent(nil, 1, 0, nil)
		if err != nil {
			return ret(n)
		}
		f.rdEvent = ev
	}
	f.rdSync.ov = windows.Overlapped{HEvent: f.rdEvent | 1}
	var got uint32
	err := windows.ReadFile(f.h, buf[n:n+int(want)], &got, &f.rdSync.ov)
	if err == windows.ERROR_IO_PENDING {
		// The bytes are in the driver: the read completes at once.
		err = windows.GetOverlappedResult(f.h, &f.rdSync.ov, &got, true)
	}
	n += int(got)
	if err != nil && n == 0 {
		return 0, err
	}
	return ret(n)
}

// ret is readComm's result for n bytes read: errAgain for none.
func ret(n int) (int, error) {
	if n == 0 {
		return 0, errAgain
	}
	return n, nil
}

// serialOpen holds the ports this program has open (upper-cased device
// names), so that it refuses to open one twice even where the system
// does not (Wine).
var (
	serialOpenMu sync.Mutex
	serialOpen   = map[string]int{}
)

// serialDevice is the device name eproc opens for port: a name with no
// backslash ("COM1", "COM10") gets the `\\.\` prefix, as Emacs's
// serial-read-name adds it, so that ports above COM9 open too.
func serialDevice(port string) string {
	if strings.ContainsRune(port, '\\') {
		return port
	}
	return `\\.\` + port
}

// openSerial opens a serial port as Emacs on Windows does: for reading and
// writing, exclusive (no sharing), overlapped. A port another program
// holds (ERROR_ACCESS_DENIED, ERROR_SHARING_VIOLATION), or this one,
// is refused with "Device or resource busy" (EBUSY), the Unix text. The
// read timeouts are turned off (see the top of this file).
func openSerial(port string) (int, error) {
	dev := serialDevice(port)
	key := strings.ToUpper(dev)
	name, err := windows.UTF16PtrFromString(dev)
	if err != nil {
		return -1, &FileError{Op: "Opening serial port", Err: syscall.EINVAL, Path: port}
	}
	serialOpenMu.Lock()
	defer serialOpenMu.Unlock()
	if _, held := serialOpen[key]; held {
		return -1, &FileError{Op: "Opening serial port", Err: syscall.EBUSY, Path: port}
	}
	h, err := windows.CreateFile(name, windows.GENERIC_READ|windows.GENERIC_WRITE, 0, nil,
		windows.OPEN_EXISTING, windows.FILE_FLAG_OVERLAPPED, 0)
	if err != nil {
		return -1, openSerialError(port, err)
	}
	if err := windows.SetCommTimeouts(h, &windows.CommTimeouts{}); err != nil {
		windows.CloseHandle(h)
		return -1, &FileError{Op: "SetCommTimeouts() failed", Err: err}
	}
	f := newWinFD(h, nil)
	f.comm = &winComm{device: key}
	serialOpen[key] = int(h)
	return int(h), nil
}

// openSerialError is the error of a failed CreateFile of port: a port
// held by another program (ERROR_ACCESS_DENIED, or under Wine
// ERROR_SHARING_VIOLATION) is busy, as on Unix.
func openSerialError(port string, err error) error {
	if err == windows.ERROR_ACCESS_DENIED || err == windows.ERROR_SHARING_VIOLATION {
		err = syscall.EBUSY
	}
	return &FileError{Op: "Opening serial port", Err: err, Path: port}
}

// releaseSerial closes a port that did not become a process.
func releaseSerial(fd int) {
	unexclusive(fd)
	closeFD(fd)
}

// unexclusive lets this program open the port of fd again: it is about to
// be closed.
func unexclusive(fd int) {
	serialOpenMu.Lock()
	defer serialOpenMu.Unlock()
	for key, h := range serialOpen {
		if h == fd {
			delete(serialOpen, key)
		}
	}
}

// The DCB's flag bits (the bit fields of the C structure).
const (
	dcbBinary       = 0x0001
	dcbParity       = 0x0002
	dcbOutxCtsFlow  = 0x0004
	dcbOutxDsrFlow  = 0x0008
	dcbDtrMask      = 0x0030
	dcbDsrSensitive = 0x0040
	dcbOutX         = 0x0100
	dcbInX          = 0x0200
	dcbErrorChar    = 0x0400
	dcbNull         = 0x0800
	dcbRtsMask      = 0x3000
	dcbAbortOnError = 0x4000
)

// configureSerial sets the port's DCB from a (checked by mergeSerial) as
// Emacs's serial_configure on Windows does: binary mode, no NUL stripping,
// no error character, I/O not aborted on errors, DTR on, the speed, byte
// size, parity (checked on input when on), stop bits, and flow control:
// RTS/CTS for hw, XON/XOFF both ways for sw, none otherwise (RTS on). It
// returns the DCB it set.
func configureSerial(fd int, a SerialArgs) (serialAttr, error) {
	h := windows.Handle(fd)
	var d windows.DCB
	d.DCBlength = uint32(unsafe.Sizeof(d))
	if err := windows.GetCommState(h, &d); err != nil {
		return serialAttr{}, &FileError{Op: "GetCommState() failed", Err: err}
	}
	d.BaudRate = uint32(a.Speed)
	d.Flags &^= dcbParity | dcbOutxCtsFlow | dcbOutxDsrFlow | dcbDtrMask | dcbDsrSensitive |
		dcbOutX | dcbInX | dcbErrorChar | dcbNull | dcbRtsMask | dcbAbortOnError
	d.Flags |= dcbBinary | windows.DTR_CONTROL_ENABLE
	d.ByteSize = uint8(a.ByteSize)
	switch a.Parity {
	case ParityOdd:
		d.Parity = windows.ODDPARITY
		d.Flags |= dcbParity
	case ParityEven:
		d.Parity = windows.EVENPARITY
		d.Flags |= dcbParity
	default:
		d.Parity = windows.NOPARITY
	}
	d.StopBits = windows.ONESTOPBIT
	if a.StopBits == 2 {
		d.StopBits = windows.TWOSTOPBITS
	}
	switch a.FlowControl {
	case FlowControlHW:
		d.Flags |= dcbOutxCtsFlow | windows.RTS_CONTROL_HANDSHAKE
	case FlowControlSW:
		d.Flags |= dcbOutX | dcbInX | windows.RTS_CONTROL_ENABLE
		d.XonChar, d.XoffChar = 0x11, 0x13
	default:
		d.Flags |= windows.RTS_CONTROL_ENABLE
	}
	if err := windows.SetCommState(h, &d); err != nil {
		return serialAttr{}, &FileError{Op: "SetCommState() failed", Err: err}
	}
	return d, nil
}

// drainSerial waits until the output written to p's port has been
// transmitted: the write in progress completes, then FlushFileBuffers,
// which for a comm device returns once its transmit buffer is empty. No
// lock is held meanwhile: it waits on duplicates of the port's handle and
// of its write's event, which a concurrent Delete cannot close. It
// returns "Process NAME not running" once the port is closed.
func (p *Process) drainSerial() error {
	rt := p.rt
	rt.mu.Lock()
	if !p.out.open() {
		rt.mu.Unlock()
		return fmt.Errorf("Process %s not running: %w", p.name, ErrNotRunning)
	}
	f := lookupFD(p.out.fd)
	self := windows.CurrentProcess()
	var h, ev windows.Handle
	err := windows.DuplicateHandle(self, windows.Handle(p.out.fd), self, &h, 0, false, windows.DUPLICATE_SAME_ACCESS)
	if err == nil && f != nil {
		f.mu.Lock()
		if !f.writeDoneLocked() {
			err = windows.DuplicateHandle(self, f.wrEvent, self, &ev, 0, false, windows.DUPLICATE_SAME_ACCESS)
		}
		f.mu.Unlock()
	}
	rt.mu.Unlock()
	if h != 0 {
		defer windows.CloseHandle(h)
	}
	if ev != 0 {
		defer windows.CloseHandle(ev)
	}
	for err == nil && ev != 0 {
		// A short write goes on with the same event: wait until none is
		// in progress.
		if _, err = windows.WaitForSingleObject(ev, windows.INFINITE); err != nil {
			break
		}
		f.mu.Lock()
		done := f.writeDoneLocked()
		f.mu.Unlock()
		if done {
			break
		}
	}
	if err == nil {
		err = windows.FlushFileBuffers(h)
	}
	if err != nil {
		return &FileError{Op: "FlushFileBuffers() failed", Err: err}
	}
	return nil
}

// flushSerialInput discards the input received but not read: the byte
// the readiness read holds and the driver's input (PurgeComm). It holds
// the descriptor's lock meanwhile, so that no readComm counts bytes that
// the purge then takes away (its read would wait for them).
func flushSerialInput(fd int) {
	f := lookupFD(fd)
	if f == nil || f.comm == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.comm.held = false
	windows.PurgeComm(f.h, windows.PURGE_RXCLEAR)
}
