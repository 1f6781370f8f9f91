//go:build netbsd || openbsd

package eproc

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// socketCloexec makes a non-blocking, close-on-exec socket.
func socketCloexec(domain, typ int) (int, error) {
	return unix.Socket(domain, typ|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
}

// acceptCloexec accepts a connection as a non-blocking, close-on-exec
// descriptor. x/sys has no accept4 here, so the fork lock keeps a
// concurrent fork from inheriting it before it is marked.
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
