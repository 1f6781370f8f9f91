//go:build dragonfly || freebsd || linux

package eproc

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// acceptCloexec accepts a connection as a non-blocking, close-on-exec
// descriptor. It calls package syscall's accept4: x/sys/unix's asks the
// kernel for the socket's protocol (a getsockopt) on every call on Linux
// (see sysSockaddr).
func acceptCloexec(fd int) (int, unix.Sockaddr, error) {
	for {
		nfd, sa, err := syscall.Accept4(fd, syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC)
		if err == syscall.EINTR {
			continue
		}
		return nfd, sysSockaddr(sa), err
	}
}
