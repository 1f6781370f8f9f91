//go:build dragonfly || freebsd || linux || netbsd || openbsd

package eproc

import "golang.org/x/sys/unix"

// socketCloexec makes a non-blocking, close-on-exec socket.
func socketCloexec(domain, typ int) (int, error) {
	return unix.Socket(domain, typ|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
}
