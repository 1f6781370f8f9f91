//go:build !unix && !windows

package eproc

// This system has no children to reap.

func registerRuntime(rt *Runtime)      {}
func unregisterRuntime(rt *Runtime)    {}
func (rt *Runtime) reapPid(pid int)    {}
func (rt *Runtime) reapLocked(pid int) {}

// exitedNoReap reports false: call-process's quit relies on os.Process
// here.
func exitedNoReap(pid int) bool { return false }
