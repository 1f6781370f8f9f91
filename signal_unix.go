//go:build unix

package eproc

import (
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"
)

// moreSignalNumbers holds the signal names that not every system has.
var moreSignalNumbers = map[string]syscall.Signal{
	"usr1": syscall.SIGUSR1, "usr2": syscall.SIGUSR2, "chld": syscall.SIGCHLD,
	"cont": syscall.SIGCONT, "stop": syscall.SIGSTOP, "tstp": syscall.SIGTSTP,
	"ttin": syscall.SIGTTIN, "ttou": syscall.SIGTTOU, "urg": syscall.SIGURG,
	"xcpu": syscall.SIGXCPU, "xfsz": syscall.SIGXFSZ, "vtalrm": syscall.SIGVTALRM,
	"prof": syscall.SIGPROF, "winch": syscall.SIGWINCH, "io": syscall.SIGIO,
	"sys": syscall.SIGSYS,
}

func killPid(pid int, sig syscall.Signal) error { return unix.Kill(pid, sig) }

// signalForeground sends sig to the foreground process group of p's
// terminal (a job-control shell's current job, or the shell itself).
func (p *Process) signalForeground(sig syscall.Signal) error {
	p.rt.mu.Lock()
	fd := p.masterLocked()
	if fd < 0 {
		p.rt.mu.Unlock()
		return fmt.Errorf("Process %s is not active: %w", p.name, ErrNotActive)
	}
	pgrp, err := foregroundGroup(fd)
	p.rt.mu.Unlock()
	if err != nil || pgrp <= 0 {
		return errNoForeground(p, err)
	}
	return unix.Kill(-pgrp, sig)
}

const (
	sigSTOP = syscall.SIGSTOP
	sigTSTP = syscall.SIGTSTP
	sigCONT = syscall.SIGCONT
)

// killGroup sends sig to the process group led by pid (every child leads
// its own group, as under Emacs), falling back to pid alone.
func killGroup(pid int, sig syscall.Signal) error {
	if err := unix.Kill(-pid, sig); err != nil {
		return unix.Kill(pid, sig)
	}
	return nil
}

// killGroupOnly sends sig to the process group pgid alone, never to a
// process of that pid (whose leader may be gone).
func killGroupOnly(pgid int, sig syscall.Signal) error {
	return unix.Kill(-pgid, sig)
}
