package eproc

import (
	"errors"
	"fmt"
	"net"
)

// Sockets on Windows: not yet.

type winSock struct{}

func openNetwork(p *Process, addrs []net.Addr) error {
	return fmt.Errorf("eproc: network processes: %w", errors.ErrUnsupported)
}

func (rt *Runtime) finishConnectLocked(p *Process) bool      { return false }
func (rt *Runtime) acceptConn(server *Process)               {}
func (rt *Runtime) readDatagram(p *Process)                  {}
func (p *Process) sendDatagramLocked(data []byte) error      { return errors.ErrUnsupported }
func shutdownWrite(fd int) error                             { return errors.ErrUnsupported }
func setSocketOption(fd int, option string, value any) error { return errors.ErrUnsupported }
func (f *winFD) readSocket(buf []byte) (int, error)          { return 0, errors.ErrUnsupported }
func (f *winFD) writeSocket(b []byte) (int, error)           { return 0, errors.ErrUnsupported }
func (f *winFD) armSocketRead() error                        { return errors.ErrUnsupported }
func (f *winFD) armSocketWrite()                             {}
