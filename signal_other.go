//go:build !unix && !windows

package eproc

import (
	"errors"
	"syscall"
)

// This system has no signals eproc can send.

var moreSignalNumbers = map[string]syscall.Signal{}

const (
	sigSTOP = syscall.Signal(19)
	sigTSTP = syscall.Signal(20)
	sigCONT = syscall.Signal(18)
)

func killGroup(pid int, sig syscall.Signal) error            { return errors.ErrUnsupported }
func killPid(pid int, sig syscall.Signal) error              { return errors.ErrUnsupported }
func (p *Process) signalForeground(sig syscall.Signal) error { return errors.ErrUnsupported }

func killGroupOnly(pgid int, sig syscall.Signal) error { return errors.ErrUnsupported }
