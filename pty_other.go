//go:build !unix

package eproc

import (
	"errors"
	"syscall"
)

// No ptys on this system (Windows among them): every child gets pipes, as
// the manual says for MS-Windows, so the functions below are never
// reached; MakeProcess turns a PTY connection into Pipe.

const ptySupported = false

const ptyMaxLine = 4095

func setWindowSize(master, rows, cols int) error                   { return errors.ErrUnsupported }
func foregroundGroup(master int) (int, error)                      { return 0, errors.ErrUnsupported }
func readLineMode(master int, m *ptyLineMode) error                { return errors.ErrUnsupported }
func signalChar(master int, sig syscall.Signal) (byte, bool, bool) { return 0, false, false }
