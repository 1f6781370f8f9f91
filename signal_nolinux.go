//go:build !linux

package eproc

// tstpCaught reports whether the process pid has a handler for SIGTSTP.
// This system does not say, so the answer is no: Stop sends SIGSTOP,
// which always stops.
func tstpCaught(pid int) bool { return false }
