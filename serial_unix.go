//go:build unix

package eproc

import (
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"
)

// serialAttr is a port's terminal modes as eproc asks the system for them.
type serialAttr = unix.Termios

// openSerial opens a serial port as Emacs's serial_open does: for reading
// and writing, non-blocking, without making it the controlling terminal,
// and exclusive (TIOCEXCL; the call fails on a device that is not a
// terminal, and configuring it then reports why). A port another program
// holds exclusively is refused with EBUSY.
func openSerial(port string) (int, error) {
	var fd int
	var err error
	for {
		fd, err = unix.Open(port, unix.O_RDWR|unix.O_NOCTTY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		return -1, &FileError{Op: "Opening serial port", Err: unwrapErrno(err), Path: port}
	}
	if exclusiveHeld(fd) {
		unix.Close(fd)
		return -1, &FileError{Op: "Opening serial port", Err: syscall.EBUSY, Path: port}
	}
	unix.IoctlSetInt(fd, unix.TIOCEXCL, 0)
	return fd, nil
}

// releaseSerial gives up exclusive use of a port and closes it.
func releaseSerial(fd int) {
	unexclusive(fd)
	unix.Close(fd)
}

// unexclusive ends the exclusive use openSerial asked for, so the port can
// be opened again even while another program keeps it open (errors, on a
// port that hung up, do not matter).
func unexclusive(fd int) {
	unix.IoctlSetInt(fd, unix.TIOCNXCL, 0)
}

// configureSerial sets the port's modes from a (checked by mergeSerial) as
// Emacs's serial_configure does, and returns what it asked for.
func configureSerial(fd int, a SerialArgs) (serialAttr, error) {
	t, err := unix.IoctlGetTermios(fd, ioctlGetSerial)
	if err != nil {
		return serialAttr{}, &FileError{Op: "Failed tcgetattr", Err: unwrapErrno(err)}
	}
	// Raw mode, as cfmakeraw: no input or output processing, no line
	// editing, echo or signal characters, 8 bits, reads of at least one
	// byte without a timer (the descriptor is non-blocking anyway).
	t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	t.Oflag &^= unix.OPOST
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	t.Cflag &^= unix.CSIZE | unix.PARENB
	t.Cflag |= unix.CS8
	t.Cc[unix.VMIN] = 1
	t.Cc[unix.VTIME] = 0
	// Ignore the modem control lines; turn the receiver on.
	t.Cflag |= unix.CLOCAL | unix.CREAD

	setSerialSpeed(t, a.Speed)

	t.Cflag &^= unix.CSIZE
	if a.ByteSize == 7 {
		t.Cflag |= unix.CS7
	} else {
		t.Cflag |= unix.CS8
	}

	t.Cflag &^= unix.PARENB | unix.PARODD
	t.Iflag &^= unix.IGNPAR | unix.INPCK
	switch a.Parity {
	case ParityEven:
		t.Cflag |= unix.PARENB
		t.Iflag |= unix.IGNPAR | unix.INPCK
	case ParityOdd:
		t.Cflag |= unix.PARENB | unix.PARODD
		t.Iflag |= unix.IGNPAR | unix.INPCK
	}

	t.Cflag &^= unix.CSTOPB
	if a.StopBits == 2 {
		t.Cflag |= unix.CSTOPB
	}

	t.Cflag &^= unix.CRTSCTS
	t.Iflag &^= unix.IXON | unix.IXOFF
	switch a.FlowControl {
	case FlowControlHW:
		t.Cflag |= unix.CRTSCTS
	case FlowControlSW:
		t.Iflag |= unix.IXON | unix.IXOFF
	}

	if err := unix.IoctlSetTermios(fd, ioctlSetSerial, t); err != nil {
		return serialAttr{}, &FileError{Op: "Failed tcsetattr", Err: unwrapErrno(err)}
	}
	return *t, nil
}

// drainSerial waits until the output written to p's port has been
// transmitted (tcdrain), without holding any lock meanwhile: it drains a
// duplicate of the descriptor, which a concurrent Delete cannot close. It
// returns "Process NAME not running" once the port is closed.
func (p *Process) drainSerial() error {
	rt := p.rt
	rt.mu.Lock()
	if !p.out.open() {
		rt.mu.Unlock()
		return fmt.Errorf("Process %s not running: %w", p.name, ErrNotRunning)
	}
	fd, err := unix.FcntlInt(uintptr(p.out.fd), unix.F_DUPFD_CLOEXEC, 0)
	rt.mu.Unlock()
	if err == nil {
		defer unix.Close(fd)
		for {
			err = serialDrain(fd)
			if err != unix.EINTR {
				break
			}
		}
	}
	if err != nil {
		return &FileError{Op: "Failed tcdrain", Err: unwrapErrno(err)}
	}
	return nil
}

// serialDrain is tcdrain, a variable so that a test can see the call: a
// pty, which stands in for a port in the tests, has nothing to drain.
var serialDrain = tcdrain

// setNum stores a speed in a termios speed field, whose type differs
// between systems.
func setNum[T ~int32 | ~uint32 | ~int64 | ~uint64](field *T, v int) { *field = T(v) }
