//go:build dragonfly || freebsd || linux

package eproc

import "golang.org/x/sys/unix"

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
