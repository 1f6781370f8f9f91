package eproc

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// socketCloexec makes a non-blocking, close-on-exec socket. Darwin has no
// SOCK_CLOEXEC, so the fork lock keeps a concurrent fork from inheriting
// the socket before it is marked.
func socketCloexec(domain, typ int) (int, error) {
	syscall.ForkLock.RLock()
	defer syscall.ForkLock.RUnlock()
	fd, err := unix.Socket(domain, typ, 0)
	if err != nil {
		return -1, err
	}
	unix.CloseOnExec(fd)
	unix.SetNonblock(fd, true)
	unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_NOSIGPIPE, 1)
	return fd, nil
}

// acceptCloexec accepts a connection as a non-blocking, close-on-exec
// descriptor (Darwin has no accept4; see socketCloexec).
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
		unix.SetsockoptInt(nfd, unix.SOL_SOCKET, unix.SO_NOSIGPIPE, 1)
		return nfd, sa, nil
	}
}
