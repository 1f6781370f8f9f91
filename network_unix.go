//go:build unix

package eproc

import (
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

// The Unix primitives under network_sock.go's sockets; socketCloexec is in
// network_socket*.go, acceptCloexec in network_accept*.go.

// sockaddr is a socket address.
type sockaddr = unix.Sockaddr

const (
	sockStream = unix.SOCK_STREAM
	sockDgram  = unix.SOCK_DGRAM

	soReuseAddr = unix.SO_REUSEADDR
	soKeepAlive = unix.SO_KEEPALIVE
	soBroadcast = unix.SO_BROADCAST
	soDontRoute = unix.SO_DONTROUTE
	soOOBInline = unix.SO_OOBINLINE

	// errDestAddrReq is the error of a datagram sent to no address.
	errDestAddrReq = unix.EDESTADDRREQ
)

func closeSocket(fd int) { unix.Close(fd) }

func bindSocket(fd int, sa sockaddr) error { return unix.Bind(fd, sa) }

func listenSocket(fd, backlog int) error { return unix.Listen(fd, backlog) }

// adoptSocket has nothing to do on Unix: socketCloexec made the socket
// non-blocking, and the poller takes any descriptor.
func adoptSocket(fd, family int, datagram, listener bool) error { return nil }

// connectSocket connects fd to sa: with nowait it only starts the
// connection (started: status "connect" until the loop sees it complete),
// else it waits for the outcome. err is the connection's failure (the next
// address is tried); Unix has no failure that ends the attempt (fatal).
func connectSocket(fd int, sa sockaddr, family int, datagram, nowait, bound bool) (started bool, err, fatal error) {
	err = unix.Connect(fd, sa)
	if err == unix.EINPROGRESS || err == unix.EINTR {
		if nowait {
			return true, nil, nil
		}
		return false, waitConnected(fd), nil
	}
	// Connected at once (Unix sockets): still report "open\n" through the
	// loop, as for any nowait connection.
	return err == nil && nowait && !datagram, err, nil
}

// waitConnected waits for a blocking connection to complete and returns
// its outcome.
func waitConnected(fd int) error {
	pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}}
	for {
		_, err := unix.Poll(pfd, -1)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		break
	}
	return connectResult(fd)
}

// connectResult is the outcome of a connection fd's socket is done with:
// nil, or the errno.
func connectResult(fd int) error {
	soerr, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err == nil && soerr != 0 {
		err = syscall.Errno(soerr)
	}
	return err
}

// acceptFailure classifies an error of acceptCloexec.
func acceptFailure(err error) acceptOutcome {
	switch err {
	case unix.EAGAIN, unix.EINTR, unix.ECONNABORTED:
		return acceptQuiet
	case unix.EMFILE, unix.ENFILE, unix.ENOBUFS, unix.ENOMEM:
		return acceptExhausted
	}
	return acceptFailed
}

// unknownPeer is an accepted connection's peer when accept gave no
// address: an unnamed Unix-domain socket.
func unknownPeer() net.Addr { return &net.UnixAddr{Net: "unix"} }

// recvDatagram receives one datagram, with its sender (nil if unknown)
// when from is set (a server); a connected socket gets only its peer's
// datagrams. It converts the sender itself, so that the socket address
// stays on the stack.
func recvDatagram(fd int, buf []byte, from bool) (int, net.Addr, error) {
	if !from {
		n, err := readFD(fd, buf)
		return n, nil, err
	}
	n, sa, err := syscall.Recvfrom(fd, buf, 0) // package syscall's: see sysSockaddr
	return n, fromSockaddr(sysSockaddr(sa), true), err
}

func sendTo(fd int, data []byte, sa sockaddr) error { return unix.Sendto(fd, data, 0, sa) }

// shutdownWrite ends a stream socket's sending side (process-send-eof).
func shutdownWrite(fd int) error {
	return unix.Shutdown(fd, unix.SHUT_WR)
}

// setSockoptInt sets the SOL_SOCKET option opt.
func setSockoptInt(fd, opt, value int) error {
	return unix.SetsockoptInt(fd, unix.SOL_SOCKET, opt, value)
}

// setLinger sets SO_LINGER: on, for secs seconds.
func setLinger(fd, on, secs int) error {
	return unix.SetsockoptLinger(fd, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: int32(on), Linger: int32(secs)})
}

// maxSocketName is the size of a Unix socket address's path: a name must
// be shorter (checkSocketName).
const maxSocketName = len(unix.RawSockaddrUnix{}.Path)

// inetSockaddr is the socket address of a 4- or 16-byte IP and a port,
// and its family.
func inetSockaddr(ip net.IP, port int) (sockaddr, int, error) {
	if len(ip) == net.IPv4len {
		return &unix.SockaddrInet4{Port: port, Addr: [4]byte(ip)}, unix.AF_INET, nil
	}
	return &unix.SockaddrInet6{Port: port, Addr: [16]byte(ip)}, unix.AF_INET6, nil
}

// unixSockaddr is the socket address of a Unix socket's file name, and
// its family.
func unixSockaddr(name string) (sockaddr, int, error) {
	return &unix.SockaddrUnix{Name: name}, unix.AF_UNIX, nil
}

// fromSockaddr converts a socket address to a Go address (nil if unknown).
func fromSockaddr(sa sockaddr, datagram bool) net.Addr {
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		return inetAddr(net.IPv4(sa.Addr[0], sa.Addr[1], sa.Addr[2], sa.Addr[3]).To4(), sa.Port, datagram)
	case *unix.SockaddrInet6:
		return inetAddr(append(net.IP(nil), sa.Addr[:]...), sa.Port, datagram)
	case *unix.SockaddrUnix:
		if datagram {
			return &net.UnixAddr{Name: sa.Name, Net: "unixgram"}
		}
		return &net.UnixAddr{Name: sa.Name, Net: "unix"}
	}
	return nil
}

// localAddr is the socket's own address. (Here, not in network_sock.go
// over a getsockname primitive: with sysSockaddr inlined, the socket
// address stays on the stack, an allocation less per connection.)
func localAddr(fd int, datagram bool) net.Addr {
	sa, err := syscall.Getsockname(fd) // see sysSockaddr
	if err != nil {
		return nil
	}
	return fromSockaddr(sysSockaddr(sa), datagram)
}

// sysSockaddr converts an address of package syscall to x/sys/unix's (nil
// if unknown). The calls that return an address (accept, recvfrom,
// getsockname) are package syscall's: on Linux x/sys/unix's ask the
// kernel for the socket's protocol (SO_PROTOCOL, to tell L2TP sockets
// apart) on every IPv4 or IPv6 address, a getsockopt per connection
// accepted or datagram received.
func sysSockaddr(sa syscall.Sockaddr) unix.Sockaddr {
	switch sa := sa.(type) {
	case *syscall.SockaddrInet4:
		return &unix.SockaddrInet4{Port: sa.Port, Addr: sa.Addr}
	case *syscall.SockaddrInet6:
		return &unix.SockaddrInet6{Port: sa.Port, ZoneId: sa.ZoneId, Addr: sa.Addr}
	case *syscall.SockaddrUnix:
		return &unix.SockaddrUnix{Name: sa.Name}
	}
	return nil
}
