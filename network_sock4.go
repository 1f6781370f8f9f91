//go:build dragonfly || freebsd || linux

package eproc

import "golang.org/x/sys/unix"

// socketCloexec makes a non-blocking, close-on-exec socket.
func socketCloexec(domain, typ int) (int, error) {
	return unix.Socket(domain, typ|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
}

// acceptCloexec accepts a connection as a non-blocking, close-on-exec
// descriptor.
func acceptCloexec(fd int) (int, unix.Sockaddr, error) {
	for {
		nfd, sa, err := unix.Accept4(fd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
		if err == unix.EINTR {
			continue
		}
		return nfd, sa, err
	}
}
