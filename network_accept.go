//go:build darwin || netbsd || openbsd

package eproc

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// acceptCloexec accepts a connection as a non-blocking, close-on-exec
// descriptor. x/sys has no accept4 on these systems, so the fork lock
// keeps a concurrent fork from inheriting the descriptor before it is
// marked. (Writing to a socket whose peer is gone gives EPIPE: the Go
// runtime ignores SIGPIPE for descriptors other than 1 and 2.)
func acceptCloexec(fd int) (int, unix.Sockaddr, error) {
	syscall.ForkLock.RLock()
	defer syscall.ForkLock.RUnlock()
	for {
		nfd, sa, err := unix.Accept(fd)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return -1, nil, err
		}
		unix.CloseOnExec(nfd)
		unix.SetNonblock(nfd, true)
		return nfd, sa, nil
	}
}
