//go:build unix

package eproc

import (
	"os"
	"syscall"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// ptySupported says whether this system gives children pseudo-terminals.
const ptySupported = true

// openPTY opens a pseudo-terminal and returns raw close-on-exec descriptors:
// the master non-blocking, the slave blocking (it becomes the child's
// standard input, output and error). spawn (spawn_unix.go) sets the slave
// up with setupTermios and makes it the child's controlling terminal.
func openPTY() (master, slave int, name string, err error) {
	m, s, err := pty.Open()
	if err != nil {
		return -1, -1, "", &FileError{Op: "Opening pty", Err: err}
	}
	defer m.Close()
	defer s.Close()
	name = s.Name()
	if master, err = dupFile(m); err != nil {
		return -1, -1, "", &FileError{Op: "Opening pty", Err: err}
	}
	if slave, err = dupFile(s); err != nil {
		unix.Close(master)
		return -1, -1, "", &FileError{Op: "Opening pty", Err: err}
	}
	unix.SetNonblock(master, true)
	unix.SetNonblock(slave, false)
	return master, slave, name, nil
}

// dupFile returns a close-on-exec duplicate of f's descriptor, taken
// through SyscallConn so f stays in the mode Go gave it until it is closed.
func dupFile(f *os.File) (int, error) {
	sc, err := f.SyscallConn()
	if err != nil {
		return -1, err
	}
	fd := -1
	var derr error
	if err := sc.Control(func(raw uintptr) {
		fd, derr = unix.FcntlInt(raw, unix.F_DUPFD_CLOEXEC, 0)
	}); err != nil {
		return -1, err
	}
	return fd, derr
}

// The functions below act on a pty through its master, where terminal
// ioctls reach the terminal (slave) side.

// setWindowSize sets the terminal's window size; the kernel sends SIGWINCH
// to the terminal's foreground process group when the size changes.
func setWindowSize(master, rows, cols int) error {
	return unix.IoctlSetWinsize(master, unix.TIOCSWINSZ, &unix.Winsize{Row: uint16(rows), Col: uint16(cols)})
}

// foregroundGroup returns the terminal's foreground process group, or 0
// when it has none.
func foregroundGroup(master int) (int, error) {
	return unix.IoctlGetInt(master, unix.TIOCGPGRP)
}

// readLineMode reads how the terminal takes input now (see ptyLineMode).
func readLineMode(master int, m *ptyLineMode) error {
	t, err := unix.IoctlGetTermios(master, ioctlGetTermios)
	if err != nil {
		return err
	}
	m.canonical = t.Lflag&unix.ICANON != 0
	m.eof, m.eofOK = t.Cc[unix.VEOF], t.Cc[unix.VEOF] != vdisable
	if !m.canonical {
		return nil
	}
	m.class = [256]byteClass{}
	special := func(b byte) {
		if b != vdisable && m.class[b] == bytePlain {
			m.class[b] = byteSpecial
		}
	}
	// What ends a line: NL (unless read as CR), CR read as NL, EOF, EOL
	// and EOL2.
	if t.Iflag&unix.INLCR == 0 {
		m.class['\n'] = byteEnd
	}
	switch {
	case t.Iflag&unix.IGNCR != 0:
		m.class['\r'] = byteSpecial // dropped
	case t.Iflag&unix.ICRNL != 0:
		m.class['\r'] = byteEnd
	}
	for _, i := range []int{unix.VEOF, unix.VEOL, unix.VEOL2} {
		if c := t.Cc[i]; c != vdisable {
			m.class[c] = byteEnd
		}
	}
	// What may not be stored as it is: editing, quoting, signal and flow
	// control characters.
	for _, i := range []int{unix.VERASE, unix.VKILL} {
		special(t.Cc[i])
	}
	if t.Lflag&unix.IEXTEN != 0 {
		for _, i := range []int{unix.VWERASE, unix.VLNEXT, unix.VREPRINT, unix.VDISCARD} {
			special(t.Cc[i])
		}
		for _, i := range extendedControlChars {
			special(t.Cc[i])
		}
	}
	if t.Lflag&unix.ISIG != 0 {
		for _, i := range []int{unix.VINTR, unix.VQUIT, unix.VSUSP} {
			special(t.Cc[i])
		}
	}
	if t.Iflag&unix.IXON != 0 {
		special(t.Cc[unix.VSTART])
		special(t.Cc[unix.VSTOP])
	}
	return nil
}

// signalChar returns the terminal's character for sig (VINTR for SIGINT,
// VQUIT for SIGQUIT, VSUSP for SIGTSTP) and whether the terminal turns it
// into a signal (ISIG); ok is false when sig has no character or the
// character is disabled.
func signalChar(master int, sig syscall.Signal) (ch byte, isig, ok bool) {
	var i int
	switch sig {
	case syscall.SIGINT:
		i = unix.VINTR
	case syscall.SIGQUIT:
		i = unix.VQUIT
	case syscall.SIGTSTP:
		i = unix.VSUSP
	default:
		return 0, false, false
	}
	t, err := unix.IoctlGetTermios(master, ioctlGetTermios)
	if err != nil || t.Cc[i] == vdisable {
		return 0, false, false
	}
	return t.Cc[i], t.Lflag&unix.ISIG != 0, true
}
