//go:build unix

package eproc

import (
	"errors"
	"fmt"
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

// openNetwork opens p's socket: it binds and listens for a server, or
// connects a client (blocking, or started for Nowait), trying each address
// in turn. It sets p's descriptors, p.status and the addresses.
func openNetwork(p *Process, addrs []net.Addr) error {
	n := p.net
	a := n.args
	var lastErr error
	for _, addr := range addrs {
		sa, domain, err := toSockaddr(addr)
		if err != nil {
			lastErr = err
			continue
		}
		typ := unix.SOCK_STREAM
		if n.datagram {
			typ = unix.SOCK_DGRAM
		}
		fd, err := socketCloexec(domain, typ)
		if err != nil {
			return &FileError{Op: "Cannot create socket", Err: err}
		}
		opts := a.Options
		if a.Server && !hasOption(opts, "reuseaddr") && domain != unix.AF_UNIX {
			unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
		}
		for k, v := range opts {
			if err := setSocketOption(fd, k, v); err != nil && !errors.Is(err, errUnknownOption) {
				unix.Close(fd)
				return err
			}
		}
		if a.Server {
			if err := unix.Bind(fd, sa); err != nil {
				unix.Close(fd)
				return &FileError{Op: "Cannot bind server socket", Err: err}
			}
			if n.listener {
				if err := unix.Listen(fd, a.Backlog); err != nil {
					unix.Close(fd)
					return &FileError{Op: "Cannot listen on server socket", Err: err}
				}
				p.status = rawStatus{kind: rawListen}
			}
			n.local = localAddr(fd, n.datagram)
			if port := addrPort(n.local); port >= 0 {
				n.args.Service = fmt.Sprint(port)
			}
			if n.datagram {
				p.setFDs(fd, fd)
			} else {
				p.setFDs(fd, -1)
			}
			return nil
		}
		if a.Local != nil {
			lsa, _, err := toSockaddr(a.Local)
			if err == nil {
				err = unix.Bind(fd, lsa)
			}
			if err != nil {
				unix.Close(fd)
				return &FileError{Op: "Cannot bind client socket", Err: unwrapErrno(err)}
			}
		}
		err = unix.Connect(fd, sa)
		if err == unix.EINPROGRESS || err == unix.EINTR {
			if a.Nowait {
				p.status = rawStatus{kind: rawConnect}
				err = nil
			} else {
				err = waitConnected(fd)
			}
		} else if err == nil && a.Nowait && !n.datagram {
			// Connected at once (Unix sockets): still report "open\n"
			// through the loop, as for any nowait connection.
			p.status = rawStatus{kind: rawConnect}
		}
		if err != nil {
			unix.Close(fd)
			lastErr = err
			continue
		}
		n.remote = addr
		n.peer = addr
		n.local = localAddr(fd, n.datagram)
		p.setFDs(fd, fd)
		return nil
	}
	if a.Server {
		return &FileError{Op: "Cannot bind server socket", Err: unwrapErrno(lastErr)}
	}
	return connectError(a, lastErr)
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
	soerr, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err != nil {
		return err
	}
	if soerr != 0 {
		return syscall.Errno(soerr)
	}
	return nil
}

// finishConnectLocked completes a nowait connection whose socket became
// writable: status "open" and the sentinel's "open\n", or "failed" with
// the errno. It reports whether the connection is open. rt.mu must be held.
func (rt *Runtime) finishConnectLocked(p *Process) bool {
	soerr, err := unix.GetsockoptInt(p.out.fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err == nil && soerr != 0 {
		err = syscall.Errno(soerr)
	}
	if err != nil {
		code := 0
		if errno, ok := unwrapErrno(err).(syscall.Errno); ok {
			code = int(errno)
		}
		rt.setStatusLocked(p, rawStatus{kind: rawFailed, code: code})
		p.wq = nil
		return false
	}
	rt.setStatusLocked(p, rawStatus{kind: rawRun})
	p.net.local = localAddr(p.out.fd, p.net.datagram)
	return true
}

// acceptBatch is the most connections acceptConn accepts for one report
// of the listener's readiness.
const acceptBatch = 16

// acceptConn accepts the connections queued on the listening socket of
// server, up to acceptBatch, and makes their processes (see
// MakeNetworkProcess). Accepting until the queue is empty (accept says
// EAGAIN) costs one re-arming of the listener per burst instead of one per
// connection, and one turn of the loop; a full batch leaves the listener
// ready for the next turn, unarmed, as a full read does (readStream, transport.go). The
// dispatch lock must be held.
func (rt *Runtime) acceptConn(server *Process) {
	rt.mu.Lock()
	lfd := server.in.fd
	if lfd < 0 || server.stopped {
		server.inReady = false
		rt.mu.Unlock()
		return
	}
	rt.mu.Unlock()
	type accepted struct {
		fd  int
		rsa unix.Sockaddr
	}
	var conns [acceptBatch]accepted
	k := 0
	var err error
	for k < len(conns) {
		fd, rsa, e := acceptCloexec(lfd)
		if e != nil {
			err = e
			break
		}
		conns[k] = accepted{fd, rsa}
		k++
	}
	rt.mu.Lock()
	if k > 0 {
		server.net.acceptPause = 0 // the episode, if any, is over
	}
	logFailure := err != nil && err != unix.EAGAIN && err != unix.EINTR && err != unix.ECONNABORTED
	switch {
	case err == nil:
		// Probably more: stay ready for the next turn, unarmed. Callbacks
		// below that wait for output (a sentinel accepting output) find
		// the listener queued.
		rt.loop.ready = append(rt.loop.ready, server)
	case err == unix.EMFILE || err == unix.ENFILE || err == unix.ENOBUFS || err == unix.ENOMEM:
		// Out of descriptors or memory: the connection stays queued and
		// the listener ready, so re-arming would spin. Pause instead
		// (network_backoff.go); log once per episode.
		server.inReady = false
		logFailure = rt.pauseAcceptLocked(server)
	default:
		server.inReady = false
		rt.armLocked(server)
	}
	log := server.net.args.Log
	rt.mu.Unlock()
	if logFailure && log != nil {
		code := 0
		var errno syscall.Errno
		if errors.As(err, &errno) {
			code = int(errno)
		}
		rt.callback(server, true, func() { log(server, nil, fmt.Sprintf("accept failed with code %d\n", code)) })
	}
	for i, c := range conns[:k] {
		if i > 0 && rt.fdOf(server) != lfd {
			// A callback deleted the server: the connections it had not
			// taken yet go with its socket, reset as the kernel resets
			// its listen queue's (a Unix-domain peer reads end of file).
			for _, c := range conns[i:k] {
				unix.SetsockoptLinger(c.fd, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1})
				closeFD(c.fd)
			}
			return
		}
		remote := fromSockaddr(c.rsa, false)
		if remote == nil {
			remote = &net.UnixAddr{Net: "unix"}
		}
		rt.addConnection(server, c.fd, remote, localAddr(c.fd, false))
	}
}

// readDatagram receives one datagram on p and delivers it in one filter
// call; a server remembers the sender as where replies go. The dispatch
// lock must be held.
func (rt *Runtime) readDatagram(p *Process) {
	rt.mu.Lock()
	fd := p.in.fd
	if fd < 0 || p.stopped || p.readHeldLocked() {
		p.inReady = false
		rt.mu.Unlock()
		return
	}
	rt.mu.Unlock()
	buf := rt.readBuffer()
	var n int
	var from unix.Sockaddr
	var err error
	if p.net.server {
		var sa syscall.Sockaddr // package syscall's: see sysSockaddr
		n, sa, err = syscall.Recvfrom(fd, buf, 0)
		from = sysSockaddr(sa)
	} else {
		n, err = readFD(fd, buf) // connected: only the peer's datagrams come in
	}
	rt.mu.Lock()
	p.inReady = false
	rt.armLocked(p)
	if err == nil && p.net.server {
		if addr := fromSockaddr(from, true); addr != nil {
			p.net.peer, p.net.peerSA = addr, nil
		}
	}
	rt.mu.Unlock()
	if err != nil || n < 0 {
		return
	}
	rt.deliver(p, buf[:n])
}

// sendDatagramLocked sends data as one datagram to p's datagram address.
// rt.mu must be held.
func (p *Process) sendDatagramLocked(data []byte) error {
	if p.net.peer == nil {
		return &FileError{Op: "Sending datagram", Err: unix.EDESTADDRREQ}
	}
	sa, _ := p.net.peerSA.(unix.Sockaddr)
	var err error
	if sa == nil {
		if sa, _, err = toSockaddr(p.net.peer); err == nil {
			p.net.peerSA = sa
		}
	}
	if err == nil {
		err = unix.Sendto(p.out.fd, data, 0, sa)
	}
	if err != nil {
		return &FileError{Op: "Sending datagram", Err: unwrapErrno(err)}
	}
	return nil
}

// shutdownWrite ends a stream socket's sending side (process-send-eof).
func shutdownWrite(fd int) error {
	return unix.Shutdown(fd, unix.SHUT_WR)
}

// setSocketOption sets one of Emacs's socket options on fd.
func setSocketOption(fd int, option string, value any) error {
	name, flag, err := socketOptionValue(option, value)
	if err != nil {
		return err
	}
	switch name {
	case "keepalive":
		err = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_KEEPALIVE, min(flag, 1))
	case "reuseaddr":
		err = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, min(flag, 1))
	case "broadcast":
		err = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_BROADCAST, min(flag, 1))
	case "dontroute":
		err = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_DONTROUTE, min(flag, 1))
	case "oobinline":
		err = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_OOBINLINE, min(flag, 1))
	case "linger":
		// t means linger for ever, as Emacs's (:linger t); an integer is
		// the time in seconds.
		l := unix.Linger{}
		if b, ok := value.(bool); ok && b {
			l.Onoff, l.Linger = 1, 1<<15
		} else if flag > 0 {
			l.Onoff, l.Linger = 1, int32(flag)
		}
		err = unix.SetsockoptLinger(fd, unix.SOL_SOCKET, unix.SO_LINGER, &l)
	case "priority", "bindtodevice":
		err = setOSSocketOption(fd, name, value, flag)
	default:
		return errUnknownOption
	}
	if err != nil {
		if errors.Is(err, errUnknownOption) {
			return err
		}
		return &FileError{Op: "Cannot set network option", Err: unwrapErrno(err)}
	}
	return nil
}

// maxSocketName is the size of a Unix socket address's path: a name must
// be shorter (checkSocketName).
const maxSocketName = len(unix.RawSockaddrUnix{}.Path)

// toSockaddr converts a Go address (checked by checkAddress) to a socket
// address and its domain.
func toSockaddr(a net.Addr) (unix.Sockaddr, int, error) {
	var ip net.IP
	port := 0
	switch a := a.(type) {
	case *net.TCPAddr:
		if a != nil {
			ip, port = a.IP, a.Port
		}
	case *net.UDPAddr:
		if a != nil {
			ip, port = a.IP, a.Port
		}
	case *net.UnixAddr:
		if a == nil || checkSocketName(a.Name) != nil {
			return nil, 0, errors.New("Malformed :address")
		}
		return &unix.SockaddrUnix{Name: a.Name}, unix.AF_UNIX, nil
	default:
		return nil, 0, errors.New("Malformed :address")
	}
	if ip4 := ip.To4(); ip4 != nil {
		sa := &unix.SockaddrInet4{Port: port}
		copy(sa.Addr[:], ip4)
		return sa, unix.AF_INET, nil
	}
	if len(ip) != net.IPv6len {
		return nil, 0, errors.New("Malformed :address")
	}
	sa := &unix.SockaddrInet6{Port: port}
	copy(sa.Addr[:], ip)
	return sa, unix.AF_INET6, nil
}

// fromSockaddr converts a socket address to a Go address (nil if unknown).
func fromSockaddr(sa unix.Sockaddr, datagram bool) net.Addr {
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

// localAddr is the socket's own address.
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
