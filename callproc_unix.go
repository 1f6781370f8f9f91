//go:build unix

package eproc

import (
	"errors"
	"os"
	"syscall"
)

// newSessionAttr puts a call-process child in its own session, so that a
// quit reaches its whole process group.
func newSessionAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setsid: true} }

// callStatusOf is call-process's value for a child that ended: its exit
// code, or the description of the signal that killed it.
func callStatusOf(ps *os.ProcessState) CallStatus {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return CallStatus{Signal: signalDescription(ws.Signal())}
	}
	return CallStatus{Code: ps.ExitCode()}
}

// processDone reports whether os/exec has collected p, or is about to
// (os.Process knows it once it has seen the exit).
func processDone(p *os.Process) bool {
	return errors.Is(p.Signal(syscall.Signal(0)), os.ErrProcessDone)
}
