package eproc

import (
	"errors"
	"fmt"
	"net"
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

// The Windows primitives under network_sock.go's sockets. A socket's
// descriptor is its handle as an int; once adopted (adoptSocket, or
// acceptCloexec for a connection) it is a winFD of fd_windows.go.

// sockaddr is a socket address.
type sockaddr = windows.Sockaddr

const (
	sockStream = windows.SOCK_STREAM
	sockDgram  = windows.SOCK_DGRAM

	soReuseAddr = windows.SO_REUSEADDR
	soKeepAlive = windows.SO_KEEPALIVE
	soBroadcast = windows.SO_BROADCAST
	soDontRoute = windows.SO_DONTROUTE

	// errDestAddrReq is the error of a datagram sent to no address.
	errDestAddrReq = windows.WSAEDESTADDRREQ
)

// socketCloexec makes an overlapped socket that no child inherits.
func socketCloexec(family, typ int) (int, error) {
	h, err := newSocket(family, typ)
	return int(h), err
}

// closeSocket closes a socket, adopted or not.
func closeSocket(fd int) {
	if lookupFD(fd) != nil {
		closeFD(fd)
		return
	}
	windows.Closesocket(windows.Handle(fd))
}

func bindSocket(fd int, sa sockaddr) error { return windows.Bind(windows.Handle(fd), sa) }

func listenSocket(fd, backlog int) error { return windows.Listen(windows.Handle(fd), backlog) }

// adoptSocket makes fd non-blocking (for recv, send and accept) and one of
// eproc's overlapped handles, which the poller takes.
func adoptSocket(fd, family int, datagram, listener bool) error {
	h := windows.Handle(fd)
	if err := setSocketNonblock(h); err != nil {
		return &FileError{Op: "Cannot set socket non-blocking", Err: err}
	}
	newWinFD(h, &winSock{family: family, datagram: datagram, listener: listener})
	return nil
}

// connectSocket connects fd to sa and adopts it. A nowait stream only
// starts the connection with ConnectEx (started: status "connect" until
// the loop sees it complete); anything else connects at once. err is the
// connection's failure (the next address is tried), fatal a socket that
// cannot be set up.
func connectSocket(fd int, sa sockaddr, family int, datagram, nowait, bound bool) (started bool, err, fatal error) {
	h := windows.Handle(fd)
	if !nowait || datagram {
		if err := windows.Connect(h, sa); err != nil {
			return false, err, nil
		}
		return false, nil, adoptSocket(fd, family, datagram, false)
	}
	// ConnectEx wants a bound socket.
	if !bound {
		if err := windows.Bind(h, wildcardSockaddr(family)); err != nil {
			return false, nil, &FileError{Op: "Cannot bind client socket", Err: err}
		}
	}
	if err := adoptSocket(fd, family, datagram, false); err != nil {
		return false, nil, err
	}
	if err := lookupFD(fd).startConnect(sa); err != nil {
		return false, err, nil
	}
	return true, nil, nil
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

// connectResult is the outcome of the nowait connection (ConnectEx) of fd:
// nil, or the Winsock error.
func connectResult(fd int) error {
	f := lookupFD(fd)
	if f == nil {
		return errors.New("not a socket")
	}
	f.mu.Lock()
	f.writeDoneLocked()
	err := f.wrErr
	f.mu.Unlock()
	if err == nil {
		err = windows.Setsockopt(f.h, windows.SOL_SOCKET, soUpdateConnectContext, nil, 0)
	}
	return err
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

// acceptCloexec takes the connection the listening socket fd has
// accepted (its AcceptEx completed) and adopts it; errAgain when there is
// none (the next AcceptEx starts when the listener is armed again).
func acceptCloexec(fd int) (int, sockaddr, error) {
	f := lookupFD(fd)
	if f == nil {
		return -1, nil, errAgain
	}
	f.mu.Lock()
	as := f.sock.accepted
	if f.rdBusy || as == 0 {
		f.mu.Unlock()
		return -1, nil, errAgain
	}
	f.sock.accepted = 0
	_, err := f.overlappedResult(&f.rd.ov)
	f.mu.Unlock()
	if err == nil {
		err = windows.Setsockopt(as, windows.SOL_SOCKET, windows.SO_UPDATE_ACCEPT_CONTEXT, (*byte)(unsafe.Pointer(&f.h)), int32(unsafe.Sizeof(f.h)))
	}
	if err == nil {
		err = setSocketNonblock(as)
	}
	if err != nil {
		windows.Closesocket(as)
		return -1, nil, err
	}
	newWinFD(as, &winSock{family: f.sock.family})
	rsa, err := windows.Getpeername(as)
	if err != nil {
		rsa = nil
	}
	return int(as), rsa, nil
}

// acceptFailure classifies an error of acceptCloexec: a connection reset
// before it was taken is not logged.
func acceptFailure(err error) acceptOutcome {
	switch err {
	case errAgain, windows.WSAECONNRESET, windows.ERROR_NETNAME_DELETED:
		return acceptQuiet
	}
	return acceptFailed
}

// unknownPeer is an accepted connection's peer when getpeername failed.
func unknownPeer() net.Addr { return &net.TCPAddr{} }

// recvDatagram receives one datagram, with its sender (nil if unknown).
func recvDatagram(fd int, buf []byte, from bool) (int, net.Addr, error) {
	n, sa, err := windows.Recvfrom(windows.Handle(fd), buf, 0)
	return n, fromSockaddr(sa, true), err
}

func sendTo(fd int, data []byte, sa sockaddr) error {
	return windows.Sendto(windows.Handle(fd), data, 0, sa)
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

// setSockoptInt sets the SOL_SOCKET option opt.
func setSockoptInt(fd, opt, value int) error {
	return windows.SetsockoptInt(windows.Handle(fd), windows.SOL_SOCKET, opt, value)
}

// setLinger sets SO_LINGER: on, for secs seconds.
func setLinger(fd, on, secs int) error {
	return windows.SetsockoptLinger(windows.Handle(fd), windows.SOL_SOCKET, windows.SO_LINGER, &windows.Linger{Onoff: int32(on), Linger: int32(secs)})
}

// setOSSocketOption: :priority and :bindtodevice exist on Linux only.
func setOSSocketOption(fd int, name string, value any, flag int) error {
	return errUnknownOption
}

// inetSockaddr is the socket address of a 4- or 16-byte IP and a port,
// and its family.
func inetSockaddr(ip net.IP, port int) (sockaddr, int, error) {
	if len(ip) == net.IPv4len {
		return &windows.SockaddrInet4{Port: port, Addr: [4]byte(ip)}, windows.AF_INET, nil
	}
	return &windows.SockaddrInet6{Port: port, Addr: [16]byte(ip)}, windows.AF_INET6, nil
}

// unixSockaddr refuses Unix-domain sockets (see errLocalSockets).
func unixSockaddr(name string) (sockaddr, int, error) {
	return nil, 0, errLocalSockets
}

// wildcardSockaddr is the any-address, any-port socket address of family.
func wildcardSockaddr(family int) windows.Sockaddr {
	if family == windows.AF_INET6 {
		return &windows.SockaddrInet6{}
	}
	return &windows.SockaddrInet4{}
}

// fromSockaddr converts a socket address to a Go address (nil if unknown).
func fromSockaddr(sa sockaddr, datagram bool) net.Addr {
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
