//go:build !linux && !darwin && !dragonfly && !freebsd && !netbsd && !openbsd && !windows

package eproc

import (
	"errors"
	"time"
)

// poller is not available on this system: eproc's accept loop needs epoll
// or kqueue. Making a process returns an error wrapping
// errors.ErrUnsupported.
type poller struct{}

func newPoller() (*poller, error) {
	return nil, errors.ErrUnsupported
}

func (pl *poller) arm(fd int, in, out, added bool) error { return errors.ErrUnsupported }
func (pl *poller) forget(fd int)                         {}
func (pl *poller) wait(evs []pollEvent, timeout time.Duration) int {
	time.Sleep(timeout)
	return 0
}
func (pl *poller) wake()  {}
func (pl *poller) close() {}
