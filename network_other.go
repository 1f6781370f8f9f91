//go:build !unix && !windows

package eproc

import (
	"errors"
	"fmt"
	"net"
)

// On systems that are neither Unix nor Windows there are no network
// processes: no address makes a socket address, so MakeNetworkProcess
// returns an error wrapping errors.ErrUnsupported (openNetwork,
// network_sock.go). The other primitives are never reached.

var errNoNetwork = fmt.Errorf("eproc: network processes: %w", errors.ErrUnsupported)

type sockaddr = any

const (
	sockStream = iota
	sockDgram
	soReuseAddr
	soKeepAlive
	soBroadcast
	soDontRoute
	soOOBInline
)

var errDestAddrReq = errors.ErrUnsupported

func inetSockaddr(ip net.IP, port int) (sockaddr, int, error)   { return nil, 0, errNoNetwork }
func unixSockaddr(name string) (sockaddr, int, error)           { return nil, 0, errNoNetwork }
func fromSockaddr(sa sockaddr, datagram bool) net.Addr          { return nil }
func localAddr(fd int, datagram bool) net.Addr                  { return nil }
func unknownPeer() net.Addr                                     { return nil }
func socketCloexec(family, typ int) (int, error)                { return -1, errNoNetwork }
func closeSocket(fd int)                                        {}
func bindSocket(fd int, sa sockaddr) error                      { return errNoNetwork }
func listenSocket(fd, backlog int) error                        { return errNoNetwork }
func adoptSocket(fd, family int, datagram, listener bool) error { return errNoNetwork }
func connectSocket(fd int, sa sockaddr, family int, datagram, nowait, bound bool) (started bool, err, fatal error) {
	return false, nil, errNoNetwork
}
func connectResult(fd int) error                                        { return errNoNetwork }
func acceptCloexec(fd int) (int, sockaddr, error)                       { return -1, nil, errNoNetwork }
func acceptFailure(err error) acceptOutcome                             { return acceptQuiet }
func recvDatagram(fd int, buf []byte, from bool) (int, net.Addr, error) { return 0, nil, errNoNetwork }
func sendTo(fd int, data []byte, sa sockaddr) error                     { return errNoNetwork }
func setSockoptInt(fd, opt, value int) error                            { return errNoNetwork }
func setLinger(fd, on, secs int) error                                  { return errNoNetwork }
func setOSSocketOption(fd int, name string, value any, flag int) error  { return errUnknownOption }
func shutdownWrite(fd int) error                                        { return errors.ErrUnsupported }

const maxSocketName = 108

func maxListenBacklog() int { return 128 }
