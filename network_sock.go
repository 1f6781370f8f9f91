package eproc

import (
	"errors"
	"fmt"
	"net"
	"syscall"
)

// Sockets, on every system: the logic of opening, accepting, reading and
// sending datagrams, and socket options. The per-system files hold the
// same few unexported primitives over each system's calls, the os/exec
// way:
//
//   - network_unix.go (golang.org/x/sys/unix; with socketCloexec in
//     network_socket*.go and acceptCloexec in network_accept*.go) and
//     network_windows.go (Winsock, overlapped sockets in the I/O
//     completion port: descriptors are winFD handles, fd_windows.go);
//   - network_other.go: stubs, for systems without network processes.
//
// The primitives: the type sockaddr and the constants sockStream,
// sockDgram, soReuseAddr, soKeepAlive, soBroadcast, soDontRoute,
// soOOBInline and errDestAddrReq; inetSockaddr, unixSockaddr,
// fromSockaddr, localAddr and unknownPeer (addresses); socketCloexec,
// closeSocket, bindSocket, listenSocket, adoptSocket and connectSocket
// (opening); connectResult (a nowait connection's outcome);
// acceptCloexec and acceptFailure (accepting); recvDatagram and sendTo
// (datagrams); setSockoptInt, setLinger and setOSSocketOption (options);
// shutdownWrite and maxSocketName.

// openNetwork opens p's socket: it binds and listens for a server, or
// connects a client (at once, or started for Nowait), trying each address
// in turn. It sets p's descriptors, p.status and the addresses.
func openNetwork(p *Process, addrs []net.Addr) error {
	n := p.net
	a := n.args
	var lastErr error
	for _, addr := range addrs {
		sa, family, err := toSockaddr(addr)
		if errors.Is(err, errors.ErrUnsupported) {
			return err // no such sockets on this system (Windows: Family "local")
		}
		if err != nil {
			lastErr = err
			continue
		}
		typ := sockStream
		if n.datagram {
			typ = sockDgram
		}
		fd, err := socketCloexec(family, typ)
		if err != nil {
			return &FileError{Op: "Cannot create socket", Err: err}
		}
		fail := func(op string, err error) error {
			closeSocket(fd)
			return &FileError{Op: op, Err: err}
		}
		if _, local := addr.(*net.UnixAddr); a.Server && !hasOption(a.Options, "reuseaddr") && !local {
			setSockoptInt(fd, soReuseAddr, 1)
		}
		for k, v := range a.Options {
			if err := setSocketOption(fd, k, v); err != nil && !errors.Is(err, errUnknownOption) {
				closeSocket(fd)
				return err
			}
		}
		if a.Server {
			if err := bindSocket(fd, sa); err != nil {
				return fail("Cannot bind server socket", err)
			}
			if n.listener {
				if err := listenSocket(fd, a.Backlog); err != nil {
					return fail("Cannot listen on server socket", err)
				}
				p.status = rawStatus{kind: rawListen}
			}
			if err := adoptSocket(fd, family, n.datagram, n.listener); err != nil {
				closeSocket(fd)
				return err
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
				err = bindSocket(fd, lsa)
			}
			if err != nil {
				return fail("Cannot bind client socket", unwrapErrno(err))
			}
		}
		started, err, fatal := connectSocket(fd, sa, family, n.datagram, a.Nowait, a.Local != nil)
		if fatal != nil {
			closeSocket(fd)
			return fatal
		}
		if err != nil {
			closeSocket(fd)
			lastErr = err
			continue
		}
		if started {
			p.status = rawStatus{kind: rawConnect}
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

// finishConnectLocked completes a nowait connection whose socket became
// writable: status "open" and the sentinel's "open\n", or "failed" with
// the error's code (on Windows a Winsock code, as Emacs there reports
// it). It reports whether the connection is open. rt.mu must be held.
func (rt *Runtime) finishConnectLocked(p *Process) bool {
	if err := connectResult(p.out.fd); err != nil {
		code := -1
		var errno syscall.Errno
		if errors.As(err, &errno) {
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

// acceptOutcome is what a failed accept means for the listener
// (acceptFailure).
type acceptOutcome int

const (
	// acceptQuiet: nothing (more) to accept, or a connection its peer
	// gave up: arm the listener, log nothing.
	acceptQuiet acceptOutcome = iota
	// acceptFailed: arm the listener and log "accept failed with code N".
	acceptFailed
	// acceptExhausted: out of descriptors or memory; pause the listener
	// (network_backoff.go).
	acceptExhausted
)

// acceptConn accepts the connections queued on the listening socket of
// server, up to acceptBatch, and makes their processes (see
// MakeNetworkProcess). Accepting until the queue is empty (Unix: accept
// says EAGAIN; Windows: the one AcceptEx that completed is taken) costs
// one re-arming of the listener per burst instead of one per connection,
// and one turn of the loop; a full batch leaves the listener ready for
// the next turn, unarmed, as a full read does (readStream, transport.go).
// The dispatch lock must be held.
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
		rsa sockaddr
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
	logFailure := false
	switch {
	case err == nil:
		// Probably more: stay ready for the next turn, unarmed. Callbacks
		// below that wait for output (a sentinel accepting output) find
		// the listener queued.
		rt.loop.ready = append(rt.loop.ready, server)
	case acceptFailure(err) == acceptExhausted:
		// Out of descriptors or memory: the connection stays queued and
		// the listener ready, so re-arming would spin. Pause instead
		// (network_backoff.go); log once per episode.
		server.inReady = false
		logFailure = rt.pauseAcceptLocked(server)
	default:
		server.inReady = false
		rt.armLocked(server)
		logFailure = acceptFailure(err) == acceptFailed
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
				setLinger(c.fd, 1, 0)
				closeFD(c.fd)
			}
			return
		}
		remote := fromSockaddr(c.rsa, false)
		if remote == nil {
			remote = unknownPeer()
		}
		rt.addConnection(server, c.fd, remote, localAddr(c.fd, false))
	}
}

// readDatagram receives one datagram on p and delivers it in one filter
// call; a server remembers the sender as where replies go. The dispatch
// lock must be held.
func (rt *Runtime) readDatagram(p *Process) {
	fd, ok := rt.readableFD(p)
	if !ok {
		return
	}
	buf := rt.readBuffer()
	n, from, err := recvDatagram(fd, buf, p.net.server)
	rt.mu.Lock()
	p.inReady = false
	rt.armLocked(p)
	if err == nil && p.net.server && from != nil {
		p.net.peer, p.net.peerSA = from, nil
	}
	rt.mu.Unlock()
	if err != nil || n < 0 {
		return
	}
	rt.deliver(p, buf[:n])
}

// sendDatagramLocked sends data as one datagram to p's datagram address;
// the socket address is made once per address (peerSA). rt.mu must be
// held.
func (p *Process) sendDatagramLocked(data []byte) error {
	if p.net.peer == nil {
		return &FileError{Op: "Sending datagram", Err: errDestAddrReq}
	}
	sa, _ := p.net.peerSA.(sockaddr)
	var err error
	if sa == nil {
		if sa, _, err = toSockaddr(p.net.peer); err == nil {
			p.net.peerSA = sa
		}
	}
	if err == nil {
		err = sendTo(p.out.fd, data, sa)
	}
	if err != nil {
		return &FileError{Op: "Sending datagram", Err: unwrapErrno(err)}
	}
	return nil
}

// setSocketOption sets one of Emacs's socket options on fd. :priority and
// :bindtodevice exist on Linux only (setOSSocketOption); an option the
// system does not have is errUnknownOption.
func setSocketOption(fd int, option string, value any) error {
	name, flag, err := socketOptionValue(option, value)
	if err != nil {
		return err
	}
	switch name {
	case "keepalive":
		err = setSockoptInt(fd, soKeepAlive, min(flag, 1))
	case "reuseaddr":
		err = setSockoptInt(fd, soReuseAddr, min(flag, 1))
	case "broadcast":
		err = setSockoptInt(fd, soBroadcast, min(flag, 1))
	case "dontroute":
		err = setSockoptInt(fd, soDontRoute, min(flag, 1))
	case "oobinline":
		err = setSockoptInt(fd, soOOBInline, min(flag, 1))
	case "linger":
		// t means linger for ever, as Emacs's (:linger t); an integer is
		// the time in seconds.
		on, secs := 0, 0
		if b, ok := value.(bool); ok && b {
			on, secs = 1, 1<<15
		} else if flag > 0 {
			on, secs = 1, flag
		}
		err = setLinger(fd, on, secs)
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

// toSockaddr converts a Go address (checked by checkAddress) to a socket
// address and its family: "Malformed :address" for what cannot be one,
// an error wrapping errors.ErrUnsupported for a family the system has no
// sockets of (Windows: Unix-domain sockets, see errLocalSockets).
func toSockaddr(a net.Addr) (sockaddr, int, error) {
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
		return unixSockaddr(a.Name)
	default:
		return nil, 0, errors.New("Malformed :address")
	}
	if ip4 := ip.To4(); ip4 != nil {
		return inetSockaddr(ip4, port)
	}
	if len(ip) != net.IPv6len {
		return nil, 0, errors.New("Malformed :address")
	}
	return inetSockaddr(ip, port)
}
