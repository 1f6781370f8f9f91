package eproc

import "golang.org/x/sys/unix"

// tstpCaught reports whether the process pid has a handler for SIGTSTP,
// read from the kernel's process table (the p_sigcatch mask of
// kern.proc.pid). It answers false when it cannot tell.
func tstpCaught(pid int) bool {
	k, err := unix.SysctlKinfoProc("kern.proc.pid", pid)
	if err != nil || k == nil || int(k.Proc.P_pid) != pid {
		return false
	}
	return k.Proc.P_sigcatch&(1<<(sigTSTP-1)) != 0
}
