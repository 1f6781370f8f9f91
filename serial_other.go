//go:build !unix && !windows

package eproc

import (
	"errors"
	"fmt"
)

// On systems that are neither Unix nor Windows (Plan 9, WebAssembly) there
// are no serial processes: MakeSerialProcess returns an error wrapping
// errors.ErrUnsupported.

type serialAttr struct{}

func openSerial(port string) (int, error) {
	return -1, fmt.Errorf("eproc: serial processes: %w", errors.ErrUnsupported)
}

func releaseSerial(fd int) {}
func unexclusive(fd int)   {}
func configureSerial(fd int, a SerialArgs) (serialAttr, error) {
	return serialAttr{}, errors.ErrUnsupported
}
func (p *Process) drainSerial() error { return errors.ErrUnsupported }
func flushSerialInput(fd int)         {}
