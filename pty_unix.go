//go:build unix

package eproc

import (
	"os"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// ptySupported says whether this system gives children pseudo-terminals.
const ptySupported = true

// spawnPTY starts a child on a new pseudo-terminal: the pty becomes its
// controlling terminal in a new session, set up as Emacs sets up a
// subprocess's terminal (setupTermios). Without a program (r.path empty)
// only the pty is opened. Our end, the master, serves for both directions.
func spawnPTY(r spawnRequest) (spawnResult, error) {
	master, slave, name, err := openPTY()
	if err != nil {
		return spawnResult{}, err
	}
	if err := setupTermios(slave); err != nil {
		unix.Close(master)
		unix.Close(slave)
		return spawnResult{}, &FileError{Op: "Setting up the pty", Err: err}
	}
	if r.path == "" {
		// A pty with no program: keep the slave open so that reading the
		// master does not fail until another program opens the tty.
		return spawnResult{infd: master, outfd: master, ttyName: name, ptySlave: slave}, nil
	}
	pid, err := forkExec(r, []uintptr{uintptr(slave), uintptr(slave), uintptr(slave)}, true)
	unix.Close(slave)
	if err != nil {
		unix.Close(master)
		return spawnResult{}, err
	}
	return spawnResult{pid: pid, infd: master, outfd: master, ttyName: name, ptySlave: -1}, nil
}

// openPTY opens a pseudo-terminal and returns raw close-on-exec descriptors:
// the master non-blocking, the slave blocking (it becomes the child's
// standard input, output and error).
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
