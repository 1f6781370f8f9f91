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
