//go:build unix

package eproc

import "golang.org/x/sys/unix"

// errAgain is what readFD returns when nothing is there to read yet.
var errAgain = unix.EAGAIN

// readFD reads once from a non-blocking descriptor. It returns n > 0 with
// data, (0, errAgain) when nothing is there, and (0, nil) or (0, err) at
// the end of the stream (Linux reports EIO on a pty master once the child
// side is closed: that is the end too).
func readFD(fd int, buf []byte) (int, error) {
	for {
		n, err := unix.Read(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if n < 0 {
			n = 0
		}
		return n, err
	}
}

// writeFD writes once to a non-blocking descriptor.
func writeFD(fd int, b []byte) (int, error) {
	for {
		n, err := unix.Write(fd, b)
		if err == unix.EINTR {
			continue
		}
		if n < 0 {
			n = 0
		}
		return n, err
	}
}

func closeFD(fd int) { unix.Close(fd) }

func setNonblock(fd int) { unix.SetNonblock(fd, true) }
