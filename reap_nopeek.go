//go:build unix && !linux

package eproc

// peekChild cannot look at pending child statuses on this system; the
// reaper checks every child instead.
func peekChild() (pid int, ok bool) { return 0, false }

// exitedNoReap cannot wait for a child without collecting it on this
// system: it reports false at once.
func exitedNoReap(pid int) bool { return false }
