//go:build dragonfly || freebsd || linux || netbsd || openbsd

package eproc

import "golang.org/x/sys/unix"

// pipeCloexec makes a pipe whose two ends are close-on-exec.
func pipeCloexec(p []int) error {
	return unix.Pipe2(p, unix.O_CLOEXEC)
}
