//go:build !linux

package eproc

// tstpDefault reports whether the process pid leaves SIGTSTP at its
// default action. This system does not say, so the answer is yes: Stop
// sends SIGSTOP, which always stops.
func tstpDefault(pid int) bool { return true }
