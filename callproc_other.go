//go:build !unix && !windows

package eproc

import (
	"os"
	"syscall"
)

// newSessionAttr has nothing to ask for on this system.
func newSessionAttr() *syscall.SysProcAttr { return nil }

// callStatusOf is call-process's value for a child that ended.
func callStatusOf(ps *os.ProcessState) CallStatus { return CallStatus{Code: ps.ExitCode()} }

// processDone reports false: the quit's signals go through the process
// handle here.
func processDone(p *os.Process) bool { return false }
