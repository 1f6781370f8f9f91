//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package eproc

import "golang.org/x/sys/unix"

const (
	ioctlGetSerial = unix.TIOCGETA
	ioctlSetSerial = unix.TIOCSETA
)

// setSerialSpeed sets both directions' speed. BSD speeds are numbers: any
// speed may be asked for, and a driver that cannot do it refuses it when
// the modes are set.
func setSerialSpeed(t *unix.Termios, speed int) {
	setNum(&t.Ispeed, speed)
	setNum(&t.Ospeed, speed)
}

// exclusiveHeld is false: these systems cannot tell, and their open(2)
// itself refuses a port held exclusively (except to root).
func exclusiveHeld(fd int) bool { return false }

// tcdrain waits until the output written to fd has been transmitted.
func tcdrain(fd int) error { return unix.IoctlSetInt(fd, unix.TIOCDRAIN, 0) }

// flushSerialInput discards the input received but not read (tcflush
// TCIFLUSH: TIOCFLUSH with FREAD, which is 1).
func flushSerialInput(fd int) { unix.IoctlSetPointerInt(fd, unix.TIOCFLUSH, 1) }
