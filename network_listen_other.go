//go:build unix && !linux

package eproc

import "golang.org/x/sys/unix"

// maxListenBacklog is the longest listen queue the system allows, the
// default backlog of a server: kern.ipc.somaxconn where the system has
// it, else SOMAXCONN.
func maxListenBacklog() int {
	if n, err := unix.SysctlUint32("kern.ipc.somaxconn"); err == nil && n > 0 && n < 1<<31 {
		return int(n)
	}
	return unix.SOMAXCONN
}
