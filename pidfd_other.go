//go:build unix && !linux

package eproc

import "syscall"

// askPidFD: no pidfd on this system; exits come through SIGCHLD alone
// (pidfd_linux.go).
func askPidFD(sys *syscall.SysProcAttr, fd *int) {}
