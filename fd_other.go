//go:build !unix && !windows

package eproc

import (
	"errors"
	"syscall"
)

// This system has no descriptors eproc can poll; nothing reaches these,
// since newPoller fails first.

var errAgain error = syscall.EAGAIN

func readFD(fd int, buf []byte) (int, error) { return 0, errors.ErrUnsupported }
func writeFD(fd int, b []byte) (int, error)  { return 0, errors.ErrUnsupported }
func closeFD(fd int)                         {}
func setNonblock(fd int)                     {}
func pipeCloexec(p []int) error              { return errors.ErrUnsupported }
