//go:build unix

package eproc

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// spawn starts a child in its own session with pipes or a pty for its
// standard input and output (and for standard error, as asked). A pty
// becomes the child's controlling terminal.
func spawn(r spawnRequest) (res spawnResult, err error) {
	res = spawnResult{infd: -1, outfd: -1, ptySlave: -1, pidfd: -1}
	var childEnds []int // closed in the parent once the child has them
	defer func() {
		for _, fd := range childEnds {
			unix.Close(fd)
		}
		if err != nil {
			if res.infd >= 0 {
				unix.Close(res.infd)
			}
			if res.outfd >= 0 && res.outfd != res.infd {
				unix.Close(res.outfd)
			}
			res = spawnResult{}
		}
	}()
	master, slave := -1, -1
	if r.ptyIn || r.ptyOut {
		var name string
		if master, slave, name, err = openPTY(); err != nil {
			return res, err
		}
		childEnds = append(childEnds, slave)
		if r.ptyIn {
			res.outfd = master
		}
		if r.ptyOut {
			res.infd = master
		}
		if err = setupTermios(slave); err != nil {
			return res, &FileError{Op: "Setting up the pty", Err: err}
		}
		res.ttyName = name
		if r.path == "" {
			// A pty with no program: keep the slave open so that reading
			// the master does not fail until another program opens the tty.
			childEnds = nil
			res.ptySlave = slave
			return res, nil
		}
	}
	var files [3]uintptr
	ctty := -1
	if r.ptyIn {
		files[0] = uintptr(slave)
		ctty = 0
	} else {
		var in [2]int
		if err = pipeCloexec(in[:]); err != nil {
			return res, &FileError{Op: "Creating pipe", Err: err}
		}
		childEnds = append(childEnds, in[0])
		res.outfd = in[1]
		unix.SetNonblock(in[1], true)
		files[0] = uintptr(in[0])
	}
	if r.ptyOut {
		files[1] = uintptr(slave)
		if ctty < 0 {
			ctty = 1
		}
	} else {
		var out [2]int
		if err = pipeCloexec(out[:]); err != nil {
			return res, &FileError{Op: "Creating pipe", Err: err}
		}
		childEnds = append(childEnds, out[1])
		res.infd = out[0]
		unix.SetNonblock(out[0], true)
		files[1] = uintptr(out[1])
	}
	files[2] = files[1]
	switch {
	case r.stderr >= 0:
		files[2] = uintptr(r.stderr)
	case r.stderr == -2:
		if fd, err := unix.Open(os.DevNull, unix.O_WRONLY|unix.O_CLOEXEC, 0); err == nil {
			childEnds = append(childEnds, fd)
			files[2] = uintptr(fd)
		}
	}
	res.pid, res.pidfd, err = forkExec(r, files[:], ctty)
	return res, err
}

// forkExec starts the child with files as its descriptors 0, 1 and 2, in a
// new session, with files[ctty] as its controlling terminal when ctty >= 0.
// It returns the child's pid, and its pidfd when r asks for one and the
// system makes it (else -1).
func forkExec(r spawnRequest, files []uintptr, ctty int) (pid, pidfd int, err error) {
	attr := &syscall.ProcAttr{
		Dir:   r.dir,
		Env:   r.env,
		Files: files,
		Sys:   &syscall.SysProcAttr{Setsid: true, Setctty: ctty >= 0, Ctty: max(ctty, 0)},
	}
	pidfd = -1
	if r.pidfd {
		askPidFD(attr.Sys, &pidfd)
	}
	pid, err = syscall.ForkExec(r.path, r.argv, attr)
	if err == nil {
		return pid, pidfd, nil
	}
	pidfd = -1
	switch err {
	case syscall.ENOENT, syscall.EACCES, syscall.ENOEXEC, syscall.EPERM, syscall.ENOTDIR, syscall.ELOOP, syscall.ENAMETOOLONG:
		// Did the chdir fail, or the program? (With no directory, no
		// chdir was asked for.)
		if st, serr := os.Stat(r.dir); r.dir != "" && (serr != nil || !st.IsDir()) {
			return 0, -1, &FileError{Op: "Setting current directory", Err: syscall.ENOENT, Path: r.dir}
		}
		return 0, -1, &execError{path: r.path, err: err}
	}
	return 0, -1, &FileError{Op: "Doing vfork", Err: err}
}
