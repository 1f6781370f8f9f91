package eproc

import (
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// maxListenBacklog is the longest listen queue the system allows, the
// default backlog of a server: net.core.somaxconn (kernels before 4.1
// keep the backlog in 16 bits).
func maxListenBacklog() int {
	b, err := os.ReadFile("/proc/sys/net/core/somaxconn")
	if err != nil {
		return unix.SOMAXCONN
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || n <= 0 {
		return unix.SOMAXCONN
	}
	return min(n, 1<<16-1)
}
