package eproc

import (
	"errors"
	"fmt"
	"net"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Sockets on Windows, in the same poller as the pipes (fd_windows.go,
// poll_windows.go). Each socket is overlapped and non-blocking:
//
//   - A connected stream socket is readable when a zero-byte overlapped
//     receive completes; readFD then receives without blocking (0 bytes:
//     the peer closed). Writes are overlapped sends, one at a time, as on
//     a pipe.
//   - A datagram socket is readable when a zero-byte receive with MSG_PEEK
//     completes, which leaves the datagram in place for readDatagram.
//   - A listening socket keeps one AcceptEx in progress: its completion
//     is the report that a connection is there, and acceptConn takes it.
//   - A nowait client connects with ConnectEx, watched like a write: the
//     loop's wait for room is the wait for the connection.
//
// Unix-domain sockets (Family "local") are not supported, as in Emacs on
// Windows: "Unknown address family".

// winSock is the state a socket has beyond a pipe's. accepted and addrs
// are guarded by the mu of the socket's winFD.
type winSock struct {
	family   int
	datagram bool
	listener bool
	accepted windows.Handle // the socket of the AcceptEx in progress or completed; 0 when none
	addrs    [2 * (sockaddrStorageSize + 16)]byte
}

const (
	sockaddrStorageSize    = 128
	wsaFlagNoHandleInherit = 0x80
	fionbio                = 0x8004667e
	soUpdateConnectContext = 0x7010
	soOOBInline            = 0x100
)

var (
	modws2_32       = windows.NewLazySystemDLL("ws2_32.dll")
	procRecv        = modws2_32.NewProc("recv")
	procIoctlsocket = modws2_32.NewProc("ioctlsocket")
)

// newSocket makes an overlapped socket that no child inherits.
func newSocket(family, typ int) (windows.Handle, error) {
	return windows.WSASocket(int32(family), int32(typ), 0, nil, 0, windows.WSA_FLAG_OVERLAPPED|wsaFlagNoHandleInherit)
}

// setSocketNonblock makes recv, send and accept on s return
// WSAEWOULDBLOCK instead of blocking; overlapped operations are not
// affected.
func setSocketNonblock(s windows.Handle) error {
	one := uint32(1)
	if r, _, err := procIoctlsocket.Call(uintptr(s), fionbio, uintptr(unsafe.Pointer(&one))); int32(r) != 0 {
		return err
	}
	return nil
}

// errLocalSockets is the error for Family "local", which Emacs on Windows
// does not know either.
var errLocalSockets = fmt.Errorf("Unknown address family: %w", errors.ErrUnsupported)

// openNetwork opens p's socket: it binds and listens for a server, or
// connects a client (at once, or started for Nowait), trying each address
// in turn. It sets p's descriptors, p.status and the addresses.
func openNetwork(p *Process, addrs []net.Addr) error {
	n := p.net
	a := n.args
	var lastErr error
	for _, addr := range addrs {
		sa, family, err := toSockaddr(addr)
		if err != nil {
			if _, ok := addr.(*net.UnixAddr); ok {
				return errLocalSockets
			}
			lastErr = err
			continue
		}
		typ := windows.SOCK_STREAM
		if n.datagram {
			typ = windows.SOCK_DGRAM
		}
		h, err := newSocket(family, typ)
		if err != nil {
			return &FileError{Op: "Cannot create socket", Err: err}
		}
		fail := func(op string, err error) error {
			windows.Closesocket(h)
			return &FileError{Op: op, Err: err}
		}
		if a.Server && !hasOption(a.Options, "reuseaddr") {
			windows.SetsockoptInt(h, windows.SOL_SOCKET, windows.SO_REUSEADDR, 1)
		}
		for k, v := range a.Options {
			if err := setSocketOption(int(h), k, v); err != nil && !errors.Is(err, errUnknownOption) {
				windows.Closesocket(h)
				return err
			}
		}
		sock := &winSock{family: family, datagram: n.datagram, listener: n.listener}
		if a.Server {
			if err := windows.Bind(h, sa); err != nil {
				return fail("Cannot bind server socket", err)
			}
			if n.listener {
				if err := windows.Listen(h, a.Backlog); err != nil {
					return fail("Cannot listen on server socket", err)
				}
				p.status = rawStatus{kind: rawListen}
			}
			if err := setSocketNonblock(h); err != nil {
				return fail("Cannot set socket non-blocking", err)
			}
			f := newWinFD(h, sock)
			n.local = localAddr(int(h), n.datagram)
			if port := addrPort(n.local); port >= 0 {
				n.args.Service = fmt.Sprint(port)
			}
			if n.datagram {
				p.setFDs(int(f.h), int(f.h))
			} else {
				p.setFDs(int(f.h), -1)
			}
			return nil
		}
		if a.Local != nil {
			if lsa, _, err := toSockaddr(a.Local); err == nil {
				if err := windows.Bind(h, lsa); err != nil {
					return fail("Cannot bind client socket", err)
				}
			}
		}
		if a.Nowait && !n.datagram {
			// ConnectEx wants a bound socket.
			if a.Local == nil {
				if err := windows.Bind(h, wildcardSockaddr(family)); err != nil {
					return fail("Cannot bind client socket", err)
				}
			}
			if err := setSocketNonblock(h); err != nil {
				return fail("Cannot set socket non-blocking", err)
			}
			f := newWinFD(h, sock)
			if err := f.startConnect(sa); err != nil {
				closeFD(int(f.h))
				lastErr = err
				continue
			}
			p.status = rawStatus{kind: rawConnect}
		} else {
			if err := windows.Connect(h, sa); err != nil {
				windows.Closesocket(h)
				lastErr = err
				continue
			}
			if err := setSocketNonblock(h); err != nil {
				return fail("Cannot set socket non-blocking", err)
			}
			newWinFD(h, sock)
		}
		n.remote = addr
		n.peer = addr
		n.local = localAddr(int(h), n.datagram)
		p.setFDs(int(h), int(h))
		return nil
	}
	if a.Server {
		return &FileError{Op: "Cannot bind server socket", Err: unwrapErrno(lastErr)}
	}
	return connectError(a, lastErr)
}

// startConnect starts a nowait connection to sa with ConnectEx, in the
// place of a write: the loop's wait for room is the wait for it.
func (f *winFD) startConnect(sa windows.Sockaddr) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	ev, err := windows.CreateEvent(nil, 1, 0, nil)
	if err != nil {
		return err
	}
	f.wrEvent = ev
	f.wrBuf = make([]byte, winWriteMax)
	f.wr.ov = windows.Overlapped{HEvent: f.wrEvent | 1}
	switch err := windows.ConnectEx(f.h, sa, nil, 0, nil, &f.wr.ov); err {
	case nil:
	case windows.ERROR_IO_PENDING:
		f.wrBusy = true
	default:
		return err
	}
	return nil
}

// finishConnectLocked completes a nowait connection whose ConnectEx
// completed: status "open" and the sentinel's "open\n", or "failed" with
// the error's code (a Winsock code, as Emacs on Windows reports it). It
// reports whether the connection is open. rt.mu must be held.
func (rt *Runtime) finishConnectLocked(p *Process) bool {
	err := errors.New("not a socket")
	if f := lookupFD(p.out.fd); f != nil {
		f.mu.Lock()
		f.writeDoneLocked()
		err = f.wrErr
		f.mu.Unlock()
		if err == nil {
			err = windows.Setsockopt(f.h, windows.SOL_SOCKET, soUpdateConnectContext, nil, 0)
		}
	}
	if err != nil {
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

// armSocketRead starts the operation whose completion reports that the
// socket has something to read (see the top of this file). f.mu must be
// held.
func (f *winFD) armSocketRead() error {
	f.rd.ov = windows.Overlapped{}
	s := f.sock
	if s.listener {
		if s.accepted == 0 {
			as, err := newSocket(s.family, windows.SOCK_STREAM)
			if err != nil {
				return err
			}
			s.accepted = as
		}
		var n uint32
		return windows.AcceptEx(f.h, s.accepted, &s.addrs[0], 0, sockaddrStorageSize+16, sockaddrStorageSize+16, &n, &f.rd.ov)
	}
	var flags uint32
	if s.datagram {
		flags = windows.MSG_PEEK
	}
	var b windows.WSABuf
	return windows.WSARecv(f.h, &b, 1, nil, &flags, &f.rd.ov, nil)
}

// readSocket receives once without blocking.
func (f *winFD) readSocket(buf []byte) (int, error) {
	if len(buf) == 0 {
		return 0, nil
	}
	r, _, err := procRecv.Call(uintptr(f.h), uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), 0)
	if int32(r) < 0 {
		if err == windows.WSAEWOULDBLOCK {
			return 0, errAgain
		}
		return 0, err
	}
	return int(r), nil
}

// close closes the socket of an AcceptEx still in progress.
func (s *winSock) close() {
	if s.accepted != 0 {
		windows.Closesocket(s.accepted)
		s.accepted = 0
	}
}

// acceptConn takes the connection the listening socket of server has
// accepted (its AcceptEx completed) and makes its process (see
// MakeNetworkProcess). The dispatch lock must be held.
func (rt *Runtime) acceptConn(server *Process) {
	rt.mu.Lock()
	lfd := server.in.fd
	if lfd < 0 || server.stopped {
		server.inReady = false
		rt.mu.Unlock()
		return
	}
	rt.mu.Unlock()
	f := lookupFD(lfd)
	var as windows.Handle
	var err error
	if f != nil {
		f.mu.Lock()
		if !f.rdBusy && f.sock.accepted != 0 {
			as = f.sock.accepted
			f.sock.accepted = 0
			_, err = f.overlappedResult(&f.rd.ov)
		}
		f.mu.Unlock()
	}
	rt.mu.Lock()
	server.inReady = false
	rt.armLocked(server)
	log := server.net.args.Log
	rt.mu.Unlock()
	if as == 0 {
		return
	}
	if err == nil {
		err = windows.Setsockopt(as, windows.SOL_SOCKET, windows.SO_UPDATE_ACCEPT_CONTEXT, (*byte)(unsafe.Pointer(&f.h)), int32(unsafe.Sizeof(f.h)))
	}
	if err == nil {
		err = setSocketNonblock(as)
	}
	if err != nil {
		windows.Closesocket(as)
		if log != nil && err != windows.WSAECONNRESET && err != windows.ERROR_NETNAME_DELETED {
			code := 0
			var errno syscall.Errno
			if errors.As(err, &errno) {
				code = int(errno)
			}
			rt.callback(server, true, func() { log(server, nil, fmt.Sprintf("accept failed with code %d\n", code)) })
		}
		return
	}
	c := newWinFD(as, &winSock{family: f.sock.family})
	var remote net.Addr
	if rsa, err := windows.Getpeername(as); err == nil {
		remote = fromSockaddr(rsa, false)
	}
	if remote == nil {
		remote = &net.TCPAddr{}
	}
	rt.addConnection(server, int(c.h), remote, localAddr(int(c.h), false))
}

// readDatagram receives one datagram on p and delivers it in one filter
// call; a server remembers the sender as where replies go. The dispatch
// lock must be held.
func (rt *Runtime) readDatagram(p *Process) {
	rt.mu.Lock()
	fd := p.in.fd
	if fd < 0 || p.stopped {
		p.inReady = false
		rt.mu.Unlock()
		return
	}
	rt.mu.Unlock()
	buf := rt.readBuffer()
	n, from, err := windows.Recvfrom(windows.Handle(fd), buf, 0)
	rt.mu.Lock()
	p.inReady = false
	rt.armLocked(p)
	if err == nil && p.net.server {
		if addr := fromSockaddr(from, true); addr != nil {
			p.net.peer = addr
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
		return &FileError{Op: "Sending datagram", Err: windows.WSAEDESTADDRREQ}
	}
	sa, _, err := toSockaddr(p.net.peer)
	if err == nil {
		err = windows.Sendto(windows.Handle(p.out.fd), data, 0, sa)
	}
	if err != nil {
		return &FileError{Op: "Sending datagram", Err: unwrapErrno(err)}
	}
	return nil
}

// shutdownWrite ends a stream socket's sending side (process-send-eof),
// once the send in progress has completed.
func shutdownWrite(fd int) error {
	f := lookupFD(fd)
	if f == nil {
		return windows.WSAENOTSOCK
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.writeDoneLocked() {
		f.shutting = true
		f.watchWriteLocked()
		return nil
	}
	return windows.Shutdown(f.h, windows.SHUT_WR)
}

// setSocketOption sets one of Emacs's socket options on fd. :priority and
// :bindtodevice exist on Linux only.
func setSocketOption(fd int, option string, value any) error {
	name, flag, err := socketOptionValue(option, value)
	if err != nil {
		return err
	}
	h := windows.Handle(fd)
	switch name {
	case "keepalive":
		err = windows.SetsockoptInt(h, windows.SOL_SOCKET, windows.SO_KEEPALIVE, min(flag, 1))
	case "reuseaddr":
		err = windows.SetsockoptInt(h, windows.SOL_SOCKET, windows.SO_REUSEADDR, min(flag, 1))
	case "broadcast":
		err = windows.SetsockoptInt(h, windows.SOL_SOCKET, windows.SO_BROADCAST, min(flag, 1))
	case "dontroute":
		err = windows.SetsockoptInt(h, windows.SOL_SOCKET, windows.SO_DONTROUTE, min(flag, 1))
	case "oobinline":
		err = windows.SetsockoptInt(h, windows.SOL_SOCKET, soOOBInline, min(flag, 1))
	case "linger":
		// t means linger for ever, as Emacs's (:linger t); an integer is
		// the time in seconds.
		l := windows.Linger{}
		if b, ok := value.(bool); ok && b {
			l.Onoff, l.Linger = 1, 1<<15
		} else if flag > 0 {
			l.Onoff, l.Linger = 1, int32(flag)
		}
		err = windows.SetsockoptLinger(h, windows.SOL_SOCKET, windows.SO_LINGER, &l)
	default:
		return errUnknownOption
	}
	if err != nil {
		return &FileError{Op: "Cannot set network option", Err: unwrapErrno(err)}
	}
	return nil
}

// toSockaddr converts a Go address to a socket address and its family.
// Unix-domain addresses are refused (see errLocalSockets).
func toSockaddr(a net.Addr) (windows.Sockaddr, int, error) {
	var ip net.IP
	port := 0
	switch a := a.(type) {
	case *net.TCPAddr:
		ip, port = a.IP, a.Port
	case *net.UDPAddr:
		ip, port = a.IP, a.Port
	default:
		return nil, 0, errors.New("Malformed :address")
	}
	if ip4 := ip.To4(); ip4 != nil {
		sa := &windows.SockaddrInet4{Port: port}
		copy(sa.Addr[:], ip4)
		return sa, windows.AF_INET, nil
	}
	if len(ip) != net.IPv6len {
		return nil, 0, errors.New("Malformed :address")
	}
	sa := &windows.SockaddrInet6{Port: port}
	copy(sa.Addr[:], ip)
	return sa, windows.AF_INET6, nil
}

// wildcardSockaddr is the any-address, any-port socket address of family.
func wildcardSockaddr(family int) windows.Sockaddr {
	if family == windows.AF_INET6 {
		return &windows.SockaddrInet6{}
	}
	return &windows.SockaddrInet4{}
}

// fromSockaddr converts a socket address to a Go address (nil if unknown).
func fromSockaddr(sa windows.Sockaddr, datagram bool) net.Addr {
	switch sa := sa.(type) {
	case *windows.SockaddrInet4:
		return inetAddr(net.IPv4(sa.Addr[0], sa.Addr[1], sa.Addr[2], sa.Addr[3]).To4(), sa.Port, datagram)
	case *windows.SockaddrInet6:
		return inetAddr(append(net.IP(nil), sa.Addr[:]...), sa.Port, datagram)
	}
	return nil
}

// localAddr is the socket's own address.
func localAddr(fd int, datagram bool) net.Addr {
	sa, err := windows.Getsockname(windows.Handle(fd))
	if err != nil {
		return nil
	}
	return fromSockaddr(sa, datagram)
}

// maxSocketName is the size of a Unix socket address's path, for
// checkSocketName's message (Windows refuses local sockets anyway).
const maxSocketName = 108

// maxListenBacklog is the default backlog of a server: SOMAXCONN, which
// Windows takes as "the largest reasonable queue".
func maxListenBacklog() int { return windows.SOMAXCONN }
