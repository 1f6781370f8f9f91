//go:build !linux && !darwin

package eproc

// tstpCaught reports whether the process pid has a handler for SIGTSTP.
// This system does not say (Linux and macOS do), so the answer is no:
// Stop sends SIGSTOP, which always stops.
func tstpCaught(pid int) bool { return false }
