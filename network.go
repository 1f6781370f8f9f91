package eproc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// NetworkArgs are make-network-process's keywords. A zero field means the
// keyword was omitted.
type NetworkArgs struct {
	// Name is :name, made unique like a child's; it must not be empty.
	Name string
	// Buffer is :buffer, the process buffer; nil for none.
	Buffer *Buffer
	// Host is :host: a host name or a numeric address. "" (Emacs's nil)
	// and "local" (Emacs's 'local) mean the loopback address, 127.0.0.1, or
	// ::1 when Family is "ipv6". Ignored when Family is "local".
	Host string
	// Service is :service: a port number, a service name ("http"), or with
	// Family "local" the socket's file name. See AnyPort for Emacs's t.
	Service string
	// AnyPort is :service t: a server listens on a port the system picks;
	// ContactKey(":service") and ContactKey(":local") report it.
	AnyPort bool
	// Family is :family: "" (any: the first address the host resolves
	// to), "ipv4", "ipv6", or "local" for a Unix-domain socket. Anything
	// else is the error "Unknown address family".
	Family string
	// Type is :type: "" for a stream, "datagram" for datagrams. Anything
	// else is the error "Unsupported connection type".
	Type string
	// Server is :server: listen instead of connecting. Accepted
	// connections become processes of their own (see MakeNetworkProcess).
	Server bool
	// Backlog is the integer form of :server, the listen queue's length;
	// 0 means 5, as in Emacs.
	Backlog int
	// Nowait is :nowait: a client returns at once with status "connect";
	// its sentinel gets "open\n" or "failed with code N\n" later.
	Nowait bool
	// Stop is :stop: the process starts stopped (reading and accepting
	// nothing) until Continue.
	Stop bool
	// NoQuery is :noquery.
	NoQuery bool
	// Coding is :coding; zero fields take the defaults.
	Coding Coding
	// Filter is :filter; nil means DefaultFilter.
	Filter Filter
	// Sentinel is :sentinel; nil means DefaultSentinel.
	Sentinel Sentinel
	// Log is :log, a server's log function, called as (server, conn,
	// message) with "accept from 127.0.0.1\n" when a connection is accepted.
	// It runs like a sentinel: inside an accept call, never concurrently
	// with filters and sentinels of the Runtime. Nil logs nothing.
	Log func(server, conn *Process, message string)
	// Plist is :plist, the initial process plist (names and values
	// alternating). Accepted connections get a copy of the server's.
	Plist []any
	// Options are the socket options, Emacs's :keepalive, :linger,
	// :reuseaddr, :broadcast, :dontroute, :oobinline, :priority and
	// :bindtodevice, with or without the colon. Values are bool, int, or
	// string for bindtodevice. Unknown names are ignored, as in Emacs.
	// A server gets reuseaddr unless Options says otherwise.
	Options map[string]any
	// Local is :local, the address to bind: with it a server ignores Host
	// and Service, and a client binds it before connecting. Nil for none.
	// A *net.TCPAddr, *net.UDPAddr or *net.UnixAddr.
	Local net.Addr
	// Remote is :remote, a client's peer address, used instead of Host
	// and Service. Nil for none.
	Remote net.Addr
}

// netInfo is what a network process knows beyond a Process's fields.
// Fixed when the process is made, except the fields noted.
type netInfo struct {
	args     NetworkArgs // the contact; Service holds the real port
	server   bool        // a listening stream socket or a datagram server
	listener bool        // a listening stream socket: readiness means a connection to accept
	datagram bool
	local    net.Addr // guarded by rt.mu (a nowait client learns it on completion)
	remote   net.Addr
	peer     net.Addr // guarded by rt.mu: where datagrams go (DatagramAddress)
	hostText string   // an accepted connection's peer as its events name it ("127.0.0.1", "-")
}

// MakeNetworkProcess is make-network-process: a process of type "network"
// talking over a socket, as a client or a server. Its ID is 0 and its
// Command nil.
//
// A client connects before MakeNetworkProcess returns: its status is "open"
// at once, with no sentinel call. A refused connection is an error
// ("make client process failed: Connection refused, :name, NAME, :host,
// HOST, :service, SERVICE", wrapping syscall.ECONNREFUSED) and leaves no
// process. With Nowait the status is "connect" until the accept loop
// sees the connection complete; the sentinel then gets "open\n", or
// "failed with code N\n" (status "failed", ExitStatus N). Sends during
// "connect" wait for the connection. A host that cannot be resolved is
// an error ("HOST/SERVICE Name or service not known"); with Nowait the
// process is made anyway and its sentinel gets "failed with code Name
// lookup of HOST failed\n" (Emacs 28 never calls the sentinel there).
//
// A server's status is "listen" ("open" for datagrams). The accept loop
// accepts connections: each becomes a process named "SERVER <A.B.C.D:PORT>"
// (IPv6 "SERVER <[h:h:h:h:h:h:h:h]:PORT>", Unix sockets "SERVER <N>" with
// one counter per Runtime) with the server's filter, sentinel, coding
// systems, query flag and a copy of its plist. When the server uses the
// default filter, the connection gets a new buffer named after the server's
// buffer (or the server) and the same "<...>" suffix; else no buffer.
// Log gets "accept from 127.0.0.1\n" ("accept from -\n"), then the
// connection's sentinel gets "open from 127.0.0.1\n" ("open from -\n").
// A stopped server accepts nothing until Continue. Deleting a server does
// not close the connections it accepted, nor remove a Unix socket's file.
//
// When the peer closes the connection the status becomes "closed",
// ExitStatus 256, and the sentinel gets "connection broken by remote
// peer\n"; Delete gives "deleted\n" and ExitStatus 0.
//
// On Windows, Family "local" (a Unix-domain socket) is an error wrapping
// errors.ErrUnsupported, as Emacs there has no local sockets, and a failed
// nowait connection reports the Winsock code (10061 for a refused one).
func (rt *Runtime) MakeNetworkProcess(a NetworkArgs) (*Process, error) {
	if a.Name == "" {
		return nil, wrongType("stringp", "nil")
	}
	if a.Server && a.Nowait {
		return nil, errors.New("‘:server’ is incompatible with ‘:nowait’")
	}
	switch a.Family {
	case "", "ipv4", "ipv6", "local":
	default:
		return nil, errors.New("Unknown address family")
	}
	switch a.Type {
	case "", "datagram":
	default:
		return nil, errors.New("Unsupported connection type")
	}
	if a.Backlog <= 0 {
		a.Backlog = 5
	}
	decCS, encCS, err := rt.resolveCoding(a.Coding)
	if err != nil {
		return nil, err
	}
	rt.mu.Lock()
	if rt.closed {
		rt.mu.Unlock()
		return nil, ErrClosed
	}
	_, err = rt.pollerLocked()
	rt.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("eproc: cannot make network processes on this system: %w", err)
	}
	addrs, lookupErr := resolveNetwork(a)
	p := rt.newProcess(kindNetwork)
	p.filter = a.Filter
	p.sentinel = a.Sentinel
	p.query = !a.NoQuery
	p.stopped = a.Stop
	p.plist = append([]any(nil), a.Plist...)
	p.setCodingLocked(decCS, encCS)
	p.net = &netInfo{args: a, server: a.Server, listener: a.Server && a.Type == "", datagram: a.Type == "datagram"}
	if lookupErr != nil {
		if !a.Nowait {
			return nil, lookupErr
		}
		// Emacs's asynchronous lookup failed: the process exists and fails.
		p.status = rawStatus{kind: rawFailed, msg: "Name lookup of " + hostOrLocal(a.Host) + " failed"}
		p.tick++
		rt.mu.Lock()
		rt.registerNetworkLocked(p, a.Name, a.Buffer)
		rt.queueStatusLocked(p)
		pl := rt.loop.pl
		rt.mu.Unlock()
		pl.wake()
		return p, nil
	}
	if err := openNetwork(p, addrs); err != nil {
		return nil, err
	}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.closed {
		closeFD(p.infd)
		return nil, ErrClosed
	}
	rt.registerNetworkLocked(p, a.Name, a.Buffer)
	rt.loop.fds[p.infd] = p
	rt.armLocked(p)
	return p, nil
}

// registerNetworkLocked enters a network process into the process table
// with its buffer. rt.mu must be held.
func (rt *Runtime) registerNetworkLocked(p *Process, name string, buf *Buffer) {
	rt.addProcess(p, name)
	p.buffer = buf
	p.contact = p.net.args
	if buf != nil {
		rt.mu.Unlock()
		p.mark.Set(buf, buf.PointMax())
		rt.mu.Lock()
	}
}

// OpenNetworkStream is open-network-stream's plain case: a blocking stream
// client connection to host and service.
func (rt *Runtime) OpenNetworkStream(name string, buf *Buffer, host, service string) (*Process, error) {
	return rt.MakeNetworkProcess(NetworkArgs{Name: name, Buffer: buf, Host: host, Service: service})
}

func hostOrLocal(h string) string {
	if h == "" {
		return "local"
	}
	return h
}

// resolveNetwork turns the arguments into the addresses to bind (servers)
// or connect to (clients), in order of preference.
func resolveNetwork(a NetworkArgs) ([]net.Addr, error) {
	dgram := a.Type == "datagram"
	if a.Server && a.Local != nil {
		return []net.Addr{a.Local}, nil
	}
	if !a.Server && a.Remote != nil {
		return []net.Addr{a.Remote}, nil
	}
	if a.Family == "local" {
		if dgram {
			return []net.Addr{&net.UnixAddr{Name: a.Service, Net: "unixgram"}}, nil
		}
		return []net.Addr{&net.UnixAddr{Name: a.Service, Net: "unix"}}, nil
	}
	proto := "tcp"
	if dgram {
		proto = "udp"
	}
	port := 0
	if !a.AnyPort {
		n, err := strconv.Atoi(a.Service)
		if err != nil {
			n, err = net.LookupPort(proto, a.Service)
			if err != nil || a.Service == "" {
				return nil, fmt.Errorf("%s/%s Servname not supported for ai_socktype", hostText(a), a.Service)
			}
		}
		if n < 0 || n > 65535 {
			return nil, fmt.Errorf("%s/%s Servname not supported for ai_socktype", hostText(a), a.Service)
		}
		port = n
	}
	var ips []net.IP
	switch a.Host {
	case "", "local":
		if a.Family == "ipv6" {
			ips = []net.IP{net.IPv6loopback}
		} else {
			ips = []net.IP{net.IPv4(127, 0, 0, 1)}
		}
	default:
		if ip := net.ParseIP(a.Host); ip != nil {
			ips = []net.IP{ip}
		} else {
			res, err := lookupIPAddr(context.Background(), a.Host)
			if err != nil {
				return nil, fmt.Errorf("%s/%s Name or service not known", a.Host, a.Service)
			}
			for _, r := range res {
				ips = append(ips, r.IP)
			}
		}
	}
	var out []net.Addr
	for _, ip := range ips {
		v4 := ip.To4() != nil
		if a.Family == "ipv4" && !v4 || a.Family == "ipv6" && v4 {
			continue
		}
		if dgram {
			out = append(out, &net.UDPAddr{IP: ip, Port: port})
		} else {
			out = append(out, &net.TCPAddr{IP: ip, Port: port})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s/%s Name or service not known", hostText(a), a.Service)
	}
	return out, nil
}

// lookupIPAddr resolves host names; tests replace it so as not to depend
// on a name server.
var lookupIPAddr = net.DefaultResolver.LookupIPAddr

func hostText(a NetworkArgs) string {
	switch a.Host {
	case "", "local":
		if a.Family == "ipv6" {
			return "::1"
		}
		return "127.0.0.1"
	}
	return a.Host
}

// connectError is Emacs's file-error for a failed blocking connection; its
// data is the argument plist (here :name, :host and :service).
func connectError(a NetworkArgs, err error) error {
	return &FileError{Op: "make client process failed", Err: unwrapErrno(err),
		Path: fmt.Sprintf(":name, %s, :host, %s, :service, %s", a.Name, hostText(a), a.Service)}
}

// addrPort returns the port of an inet address, or -1.
func addrPort(a net.Addr) int {
	switch a := a.(type) {
	case *net.TCPAddr:
		return a.Port
	case *net.UDPAddr:
		return a.Port
	}
	return -1
}

// ContactKey is process-contact with a key. For a network process the keys
// are make-network-process's keywords: ":name", ":host" (a string; ""
// for Emacs's nil), ":service" (the port as an int, with a server's t
// replaced by the real port; a Unix socket's file name), ":family",
// ":type", ":server", ":nowait", ":noquery", ":stop", ":buffer",
// ":filter", ":sentinel", ":log", ":coding", ":plist", ":local" and
// ":remote" (net.Addr values, nil when unknown). For a pipe process the
// keys are looked up in the plist; a child's contact is true for any key,
// as in Emacs. Unknown keys give nil.
func (p *Process) ContactKey(key string) any {
	if p.kind == kindReal {
		return true
	}
	rt := p.rt
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if p.net == nil {
		for i := 0; i+1 < len(p.plist); i += 2 {
			if p.plist[i] == key {
				return p.plist[i+1]
			}
		}
		return nil
	}
	n := p.net
	a := n.args
	switch key {
	case ":name":
		return p.name
	case ":host":
		return a.Host
	case ":service":
		if a.Family == "local" {
			return a.Service
		}
		if port, err := strconv.Atoi(a.Service); err == nil {
			return port
		}
		return a.Service
	case ":family":
		return a.Family
	case ":type":
		return a.Type
	case ":server":
		return a.Server
	case ":nowait":
		return a.Nowait
	case ":noquery":
		return a.NoQuery
	case ":stop":
		return p.stopped
	case ":buffer":
		return p.buffer
	case ":filter":
		return p.filter
	case ":sentinel":
		return p.sentinel
	case ":log":
		return a.Log
	case ":coding":
		return a.Coding
	case ":plist":
		return append([]any(nil), p.plist...)
	case ":local":
		return n.local
	case ":remote":
		return n.remote
	}
	return nil
}

// DatagramAddress is process-datagram-address: where a datagram process
// sends (a server: the last sender), or nil; nil for other processes.
func (p *Process) DatagramAddress() net.Addr {
	if p.net == nil || !p.net.datagram {
		return nil
	}
	p.rt.mu.Lock()
	defer p.rt.mu.Unlock()
	return p.net.peer
}

// SetDatagramAddress is set-process-datagram-address. It returns false
// (Emacs's nil) for a process that is not a datagram process or an
// address of the wrong family.
func (p *Process) SetDatagramAddress(addr net.Addr) bool {
	if p.net == nil || !p.net.datagram || addr == nil || addrFamily(addr) != addrFamily(p.net.local) {
		return false
	}
	p.rt.mu.Lock()
	defer p.rt.mu.Unlock()
	p.net.peer = addr
	return true
}

// addrFamily is "ipv4", "ipv6", "local" or "".
func addrFamily(a net.Addr) string {
	var ip net.IP
	switch a := a.(type) {
	case *net.TCPAddr:
		ip = a.IP
	case *net.UDPAddr:
		ip = a.IP
	case *net.UnixAddr:
		return "local"
	default:
		return ""
	}
	if ip.To4() != nil {
		return "ipv4"
	}
	return "ipv6"
}

// SetNetworkProcessOption is set-network-process-option: it sets a socket
// option (see NetworkArgs.Options) on a network process. An unknown option
// is the error "Unknown or unsupported option"; a failing setsockopt is
// a FileError "Cannot set network option".
func (p *Process) SetNetworkProcessOption(option string, value any) error {
	if p == nil {
		return ErrNilProcess
	}
	if p.net == nil {
		return wrongType("networkp", p)
	}
	rt := p.rt
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if p.infd < 0 {
		return fmt.Errorf("Process %s is not running", p.name)
	}
	return setSocketOption(p.infd, option, value)
}

// FormatNetworkAddress is format-network-address. addr is Emacs's address
// vector as a []int ([A B C D PORT], [A B C D], eight 16-bit groups with or
// without a port), a *net.TCPAddr, *net.UDPAddr, *net.IPAddr,
// *net.UnixAddr, netip.AddrPort, netip.Addr, or a string (returned as it
// is). IPv6 groups are printed in lower-case hex without "::"
// compression, as Emacs does: "[2001:db8:0:0:0:0:0:1]:443". With omitPort
// the port is left out (and not checked). It returns "" where Emacs
// returns nil: a malformed vector or an unknown type.
func FormatNetworkAddress(addr any, omitPort bool) string {
	var v []int
	switch a := addr.(type) {
	case string:
		return a
	case []int:
		v = a
	case *net.UnixAddr:
		if a == nil {
			return ""
		}
		return a.Name
	case *net.TCPAddr:
		if a == nil {
			return ""
		}
		v = ipVector(a.IP, a.Port)
	case *net.UDPAddr:
		if a == nil {
			return ""
		}
		v = ipVector(a.IP, a.Port)
	case *net.IPAddr:
		if a == nil {
			return ""
		}
		v = ipVector(a.IP, -1)
	case netip.AddrPort:
		v = ipVector(net.IP(a.Addr().Unmap().AsSlice()), int(a.Port()))
	case netip.Addr:
		v = ipVector(net.IP(a.Unmap().AsSlice()), -1)
	default:
		return ""
	}
	var parts []string
	var port int
	hasPort := false
	switch len(v) {
	case 4, 5:
		for _, b := range v[:4] {
			if b < 0 || b > 255 {
				return ""
			}
			parts = append(parts, strconv.Itoa(b))
		}
		hasPort = len(v) == 5
	case 8, 9:
		for _, g := range v[:8] {
			if g < 0 || g > 65535 {
				return ""
			}
			parts = append(parts, strconv.FormatInt(int64(g), 16))
		}
		hasPort = len(v) == 9
	default:
		return ""
	}
	ipv6 := len(v) >= 8
	sep := "."
	if ipv6 {
		sep = ":"
	}
	host := strings.Join(parts, sep)
	if !hasPort || omitPort {
		return host
	}
	port = v[len(v)-1]
	if port < 0 || port > 65535 {
		return ""
	}
	if ipv6 {
		return "[" + host + "]:" + strconv.Itoa(port)
	}
	return host + ":" + strconv.Itoa(port)
}

// ipVector is Emacs's address vector of ip and port (port < 0: none).
func ipVector(ip net.IP, port int) []int {
	var v []int
	if ip4 := ip.To4(); ip4 != nil {
		for _, b := range ip4 {
			v = append(v, int(b))
		}
	} else if len(ip) == net.IPv6len {
		for i := 0; i < 16; i += 2 {
			v = append(v, int(ip[i])<<8|int(ip[i+1]))
		}
	} else {
		return nil
	}
	if port >= 0 {
		v = append(v, port)
	}
	return v
}

// connectionName is an accepted connection's "<...>" suffix and the host
// text of its events.
func (rt *Runtime) connectionName(remote net.Addr) (suffix, host string) {
	switch r := remote.(type) {
	case *net.TCPAddr:
		return "<" + FormatNetworkAddress(r, false) + ">", FormatNetworkAddress(r, true)
	}
	// A Unix socket's peer has no name: Emacs numbers them, one counter for
	// every accepted connection of the session.
	rt.mu.Lock()
	n := rt.acceptCount
	rt.mu.Unlock()
	return "<" + strconv.Itoa(n) + ">", "-"
}

// menuText is a network process's command column in ListProcesses, as
// Emacs 28's process menu writes it: "(network server on local:PORT)",
// "(datagram server on ...)", "(network connection to HOST:PORT)", with a
// Unix socket's file name alone.
func (n *netInfo) menuText() string {
	a := n.args
	kind := "network"
	if n.datagram {
		kind = "datagram"
	}
	where := "connection to "
	if a.Server {
		where = "server on "
	}
	addr := a.Service
	if a.Family != "local" && a.Host != "" {
		addr = a.Host + ":" + a.Service
	}
	return "(" + kind + " " + where + addr + ")"
}

// addConnection makes the process of a connection that the server
// accepted on the descriptor fd (see MakeNetworkProcess), logs it and
// runs its sentinel. The dispatch lock must be held.
func (rt *Runtime) addConnection(server *Process, fd int, remote, local net.Addr) {
	sn := server.net
	log := sn.args.Log
	rt.mu.Lock()
	rt.acceptCount++
	rt.mu.Unlock()
	suffix, host := rt.connectionName(remote)

	c := rt.newProcess(kindNetwork)
	ca := sn.args
	ca.Server = false
	ca.Nowait = false
	ca.Local, ca.Remote = nil, nil
	if tcp, ok := remote.(*net.TCPAddr); ok {
		ca.Host = host
		ca.Service = fmt.Sprint(tcp.Port)
	} else {
		ca.Host = "t" // Emacs's :host t for a Unix-socket connection
	}
	c.net = &netInfo{args: ca, remote: remote, local: local, peer: remote, hostText: host}
	c.infd, c.outfd = fd, fd

	rt.mu.Lock()
	c.filter = server.filter
	c.sentinel = server.sentinel
	c.query = server.query
	c.plist = append([]any(nil), server.plist...)
	c.setCodingLocked(server.decCS, server.encCS)
	c.net.args.Plist = c.plist
	var buf *Buffer
	if server.filter == nil {
		base := server.name
		if server.buffer != nil {
			base = server.buffer.Name()
		}
		name := base + " " + suffix
		if buf = rt.bufNames[name]; buf == nil {
			buf = rt.newBufferLocked(name)
		}
	}
	if rt.closed {
		rt.mu.Unlock()
		closeFD(fd)
		return
	}
	rt.registerNetworkLocked(c, server.name+" "+suffix, buf)
	rt.loop.fds[fd] = c
	rt.armLocked(c)
	c.tick++
	c.event = "open from " + host + "\n"
	rt.mu.Unlock()

	if log != nil {
		rt.callback(server, true, func() { log(server, c, "accept from "+host+"\n") })
	}
	rt.runSentinel(c)
}

// errUnknownOption is setSocketOption's error for an option this system
// does not have; MakeNetworkProcess ignores those, as Emacs does.
var errUnknownOption = errors.New("Unknown or unsupported option")

// hasOption reports whether opts names the socket option name, with or
// without the colon.
func hasOption(opts map[string]any, name string) bool {
	for k := range opts {
		if strings.TrimPrefix(k, ":") == name {
			return true
		}
	}
	return false
}

// socketOptionValue reads a socket option as Emacs takes it: the name
// without its colon, and the value as a number (t is 1, nil 0); only
// :bindtodevice takes a string.
func socketOptionValue(option string, value any) (name string, flag int, err error) {
	name = strings.TrimPrefix(option, ":")
	switch v := value.(type) {
	case bool:
		if v {
			flag = 1
		}
	case int:
		flag = v
	case nil:
	case string:
		if name != "bindtodevice" {
			return name, 0, fmt.Errorf("Wrong type argument: integerp, %q", v)
		}
	default:
		return name, 0, wrongType("integerp", value)
	}
	return name, flag, nil
}
