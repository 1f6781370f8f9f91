//go:build unix

package eproc

import (
	"fmt"
	"io"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// remoteProcesses reports whether RemoteHandler.MakeProcess works here.
const remoteProcesses = true

// start reads the remote program's start record from the child's output,
// one byte at a time so that none of the program's own output is taken
// with it, and puts "remote-pid" and "remote-command" on p's plist; it is
// called by makeProcess before the loop knows the child. On failure it
// kills and reaps the child and closes its descriptors.
func (r *remoteProc) start(p *Process, sp *spawnResult) error {
	if sp.failed || sp.pid <= 0 {
		msg := make([]byte, 4096)
		n, _ := readFD(sp.infd, msg)
		closeFD(sp.infd)
		return r.startFailed(msg[:max(n, 0)], "cannot run the connection program")
	}
	err := r.readStart(sp.infd, time.Now().Add(r.route.h.timeout()))
	if err == nil {
		p.plist = append(p.plist, "remote-pid", r.pid, "remote-command", r.cmd)
		return nil
	}
	killGroup(sp.pid, syscall.SIGKILL)
	var ws syscall.WaitStatus
	for {
		if _, werr := syscall.Wait4(sp.pid, &ws, 0, nil); werr != syscall.EINTR {
			break
		}
	}
	for _, fd := range []int{sp.infd, sp.outfd, sp.ptySlave, sp.pidfd} {
		if fd >= 0 && (fd != sp.outfd || sp.outfd != sp.infd) {
			closeFD(fd)
		}
	}
	if err == io.EOF {
		how := fmt.Sprintf("exited with code %d before the program started", ws.ExitStatus())
		return r.startFailed(r.recs.noise, how)
	}
	return err
}

// readStart reads until the start record and interprets it.
func (r *remoteProc) readStart(fd int, deadline time.Time) error {
	var b [1]byte
	for !r.recs.started {
		n, err := readFD(fd, b[:])
		switch {
		case n == 1:
			r.recs.feed(b[:])
			continue
		case err == errAgain:
		default:
			return io.EOF
		}
		wait := time.Until(deadline)
		if wait <= 0 {
			return r.startFailed(r.recs.noise, "timed out waiting for the program to start")
		}
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		if _, err := unix.Poll(fds, int(min(wait, time.Minute)/time.Millisecond)+1); err != nil && err != unix.EINTR {
			return err
		}
	}
	return r.parseStart(r.recs.start)
}
