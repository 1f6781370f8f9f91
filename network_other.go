//go:build !unix && !windows

package eproc

import (
	"errors"
	"fmt"
	"net"
)

// On systems that are not Unix (Windows), there are no network processes
// yet: MakeNetworkProcess returns an error wrapping errors.ErrUnsupported.

func openNetwork(p *Process, addrs []net.Addr) error {
	return fmt.Errorf("eproc: network processes: %w", errors.ErrUnsupported)
}

func (rt *Runtime) finishConnectLocked(p *Process) bool      { return false }
func (rt *Runtime) acceptConn(server *Process)               {}
func (rt *Runtime) readDatagram(p *Process)                  {}
func (p *Process) sendDatagramLocked(data []byte) error      { return errors.ErrUnsupported }
func shutdownWrite(fd int) error                             { return errors.ErrUnsupported }
func setSocketOption(fd int, option string, value any) error { return errors.ErrUnsupported }

const maxSocketName = 108

func maxListenBacklog() int { return 128 }
