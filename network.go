package eproc

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"strconv"
	"strings"
	"time"
)

// NetworkArgs are make-network-process's keywords. A zero field means the
// keyword was omitted.
type NetworkArgs struct {
	// Name is :name, made unique like a child's; "" is a name, as in Emacs.
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
	// Backlog is the integer form of :server, the listen queue's length.
	// 0 means the system's maximum (Linux: /proc/sys/net/core/somaxconn;
	// elsewhere SOMAXCONN), where Emacs uses 5: with 5, a burst of
	// simultaneous clients gets connections refused or reset.
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
	// A server gets reuseaddr unless Options says otherwise. The process
	// keeps a copy: SetNetworkProcessOption records its changes there, and
	// ContactKey(":keepalive") reads them back, as in Emacs.
	Options map[string]any
	// Local is :local, the address to bind: with it a server ignores Host
	// and Service, and a client binds it before connecting. Nil for none.
	// A *net.TCPAddr, *net.UDPAddr or *net.UnixAddr; anything else, or a
	// nil pointer of these types, is the error "Malformed :address".
	Local net.Addr
	// Remote is :remote, a client's peer address, used instead of Host
	// and Service. Nil for none; the types are those of Local.
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
	peerSA   any      // guarded by rt.mu: peer as a socket address, made by the first send after a change
	hostText string   // an accepted connection's peer as its events name it ("127.0.0.1", "-")

	// A stream's filter calls on the stack (network_eof.go); guarded by
	// the dispatch lock.
	inFilter int

	// A listener's accept back-off (network_backoff.go); guarded by rt.mu.
	acceptPause time.Duration // the current pause; 0 outside an episode of failed accepts
	paused      bool          // not armed until a descriptor is freed or the pause ends
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
// systems, a copy of its plist and of its contact (Options included); its
// query flag is on whatever the server's, as in Emacs 28.2. When the server uses the
// default filter, the connection gets a new buffer named after the server's
// buffer (or the server) and the same "<...>" suffix; else no buffer.
// Log gets "accept from 127.0.0.1\n" ("accept from -\n"), then the
// connection's sentinel gets "open from 127.0.0.1\n" ("open from -\n").
// A stopped server accepts nothing until Continue. Deleting a server does
// not close the connections it accepted, nor remove a Unix socket's file.
//
// When the peer closes the connection the status becomes "closed",
// ExitStatus 256, and the sentinel gets "connection broken by remote
// peer\n"; Delete gives "deleted\n" and ExitStatus 0. When the peer only
// ends its sending side (a half-close), eproc first writes the input
// already queued and whatever the filter sends while it handles the last
// chunk, then closes: the status stays "open" until then, and the
// connection reads nothing more. Emacs 28 closes at once and loses those
// replies ("Process NAME not running").
//
// A server's listen queue (Backlog) is the system's longest by default.
// When accept fails for lack of descriptors or memory, the server stops
// accepting until eproc closes a descriptor or a short pause passes (5
// ms, doubling to 500 ms), so it never spins; Log gets "accept failed with
// code 24\n" once for the episode.
//
// On Windows, Family "local" (a Unix-domain socket) is an error wrapping
// errors.ErrUnsupported, as Emacs there has no local sockets, and a failed
// nowait connection reports the Winsock code (10061 for a refused one).
func (rt *Runtime) MakeNetworkProcess(a NetworkArgs) (*Process, error) {
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
	if a.Service == "" && !a.AnyPort && a.Family != "local" && a.Local == nil && a.Remote == nil {
		return nil, wrongType("stringp", "nil") // :service omitted, as Emacs 28.2 says
	}
	if err := checkAddress("Local", a.Local); err != nil {
		return nil, err
	}
	if err := checkAddress("Remote", a.Remote); err != nil {
		return nil, err
	}
	if a.Family == "local" && !(a.Server && a.Local != nil) && !(!a.Server && a.Remote != nil) {
		if err := checkSocketName(a.Service); err != nil {
			return nil, err
		}
	}
	if a.Backlog <= 0 {
		a.Backlog = maxListenBacklog()
	}
	a.Options = maps.Clone(a.Options)
	decCS, encCS, err := rt.resolveCoding(a.Coding)
	if err != nil {
		return nil, err
	}
	if err := rt.beginMaking(); err != nil {
		return nil, err
	}
	defer rt.endMaking()
	addrs, lookupErr := resolveNetwork(a)
	p := rt.newProcess(kindNetwork)
	p.filter = a.Filter
	p.sentinel = a.Sentinel
	p.query = !a.NoQuery
	p.stopped = a.Stop
	p.plist = append([]any(nil), a.Plist...)
	p.setCodingLocked(decCS, encCS)
	p.net = &netInfo{args: a, server: a.Server, listener: a.Server && a.Type == "", datagram: a.Type == "datagram"}
	switch {
	case p.net.listener:
		p.tr = listener{}
	case p.net.datagram:
		p.tr = datagram{}
	default:
		p.tr = streamSocket{}
	}
	if lookupErr != nil {
		if !a.Nowait {
			return nil, lookupErr
		}
		// Emacs's asynchronous lookup failed: the process exists and fails.
		rt.mu.Lock()
		rt.registerNetworkLocked(p, a.Name, a.Buffer)
		rt.setStatusLocked(p, rawStatus{kind: rawFailed, msg: "Name lookup of " + hostOrLocal(a.Host) + " failed"})
		rt.mu.Unlock()
		return p, nil
	}
	if err := openNetwork(p, addrs); err != nil {
		return nil, err
	}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.registerNetworkLocked(p, a.Name, a.Buffer)
	rt.registerFDsLocked(p)
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
// data is the argument plist as the caller gave it (checked with Emacs
// 28.2): ":name, NAME, :host, HOST, :service, SERVICE", without :host
// when none was given or the family is "local", with :family and :type
// when given.
func connectError(a NetworkArgs, err error) error {
	parts := []string{":name", a.Name}
	if a.Host != "" && a.Family != "local" {
		parts = append(parts, ":host", a.Host)
	}
	parts = append(parts, ":service", a.Service)
	if a.Family != "" {
		parts = append(parts, ":family", a.Family)
	}
	if a.Type != "" {
		parts = append(parts, ":type", a.Type)
	}
	return &FileError{Op: "make client process failed", Err: unwrapErrno(err), Path: strings.Join(parts, ", ")}
}

// checkAddress checks a Local or Remote address before any socket is
// made: nil is no address; a nil pointer or a type eproc cannot use is
// Emacs's "Malformed :address", and a Unix socket's name must be usable.
func checkAddress(field string, addr net.Addr) error {
	var nilPtr bool
	switch a := addr.(type) {
	case nil:
		return nil
	case *net.TCPAddr:
		nilPtr = a == nil
	case *net.UDPAddr:
		nilPtr = a == nil
	case *net.UnixAddr:
		if a == nil {
			nilPtr = true
			break
		}
		return checkSocketName(a.Name)
	default:
		return fmt.Errorf("Malformed :address: %s is a %T, not a *net.TCPAddr, *net.UDPAddr or *net.UnixAddr", field, addr)
	}
	if nilPtr {
		return fmt.Errorf("Malformed :address: %s is a nil %T", field, addr)
	}
	return nil
}

// checkSocketName checks a Unix socket's file name. Emacs 28 cuts a name
// at a NUL byte and binds an empty name to an automatic abstract address;
// eproc refuses both. A name too long for the socket address is Emacs's
// "Service name too long".
func checkSocketName(name string) error {
	switch {
	case name == "":
		return errors.New("Invalid argument: empty socket file name")
	case strings.IndexByte(name, 0) >= 0:
		return fmt.Errorf("Invalid argument: NUL byte in socket file name %q", name)
	case len(name) >= maxSocketName:
		return errors.New("Service name too long")
	}
	return nil
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
// ":remote" (net.Addr values, nil when unknown). For a serial process
// they are make-serial-process's: ":port", ":speed", ":bytesize",
// ":stopbits" (ints), ":parity" (a Parity), ":flowcontrol" (a
// FlowControl), ":summary" ("8N1" and the like), ":name", ":buffer",
// ":coding", ":noquery", ":stop", ":filter", ":sentinel", ":plist"; the
// settings are nil for a port opened with Speed 0, as in Emacs. For a pipe
// process the keys are looked up in the plist; a child's contact is true
// for any key, as in Emacs. Unknown keys give nil.
func (p *Process) ContactKey(key string) any {
	if p == nil {
		return nil
	}
	if p.kind == kindReal {
		return true
	}
	rt := p.rt
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if p.serial != nil {
		return p.serialContactKeyLocked(key)
	}
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
	// A socket option given to MakeNetworkProcess or set since.
	if k, ok := optionKey(a.Options, key); ok {
		return a.Options[k]
	}
	return nil
}

// optionKey finds the key of the socket option named name (with or
// without the colon) in opts.
func optionKey(opts map[string]any, name string) (string, bool) {
	bare := strings.TrimPrefix(name, ":")
	for _, k := range []string{":" + bare, bare} {
		if _, ok := opts[k]; ok {
			return k, true
		}
	}
	return "", false
}

// NetworkContact is Contact for a network process, typed: the
// NetworkArgs it was made with (see Contact), and false for other
// processes.
func (p *Process) NetworkContact() (NetworkArgs, bool) {
	a, ok := p.Contact().(NetworkArgs)
	return a, ok
}

// LocalAddr is ContactKey(":local") typed: the socket's own address (a
// *net.TCPAddr, *net.UDPAddr or *net.UnixAddr; a server picking its port
// reports the port here), or nil when unknown or not a network process.
func (p *Process) LocalAddr() net.Addr {
	if p == nil || p.net == nil {
		return nil
	}
	p.rt.mu.Lock()
	defer p.rt.mu.Unlock()
	return p.net.local
}

// RemoteAddr is ContactKey(":remote") typed: a client's or an accepted
// connection's peer, or nil when there is none.
func (p *Process) RemoteAddr() net.Addr {
	if p == nil || p.net == nil {
		return nil
	}
	p.rt.mu.Lock()
	defer p.rt.mu.Unlock()
	return p.net.remote
}

// DatagramAddress is process-datagram-address: where a datagram process
// sends (a server: the last sender), or nil; nil for other processes.
func (p *Process) DatagramAddress() net.Addr {
	if p == nil || p.net == nil || !p.net.datagram {
		return nil
	}
	p.rt.mu.Lock()
	defer p.rt.mu.Unlock()
	return p.net.peer
}

// SetDatagramAddress is set-process-datagram-address. It returns false
// (Emacs's nil) for a process that is not a datagram process or an
// address of the wrong family.
//
// A nil address, or a nil *net.UDPAddr, is not an address: false.
func (p *Process) SetDatagramAddress(addr net.Addr) bool {
	if p == nil {
		return false
	}
	if p.net == nil || !p.net.datagram || checkAddress("address", addr) != nil {
		return false
	}
	if fam := addrFamily(addr); fam == "" || fam != addrFamily(p.net.local) {
		return false
	}
	p.rt.mu.Lock()
	defer p.rt.mu.Unlock()
	p.net.peer, p.net.peerSA = addr, nil
	return true
}

// addrFamily is "ipv4", "ipv6", "local" or "" (nil pointers too).
func addrFamily(a net.Addr) string {
	var ip net.IP
	switch a := a.(type) {
	case *net.TCPAddr:
		if a == nil {
			return ""
		}
		ip = a.IP
	case *net.UDPAddr:
		if a == nil {
			return ""
		}
		ip = a.IP
	case *net.UnixAddr:
		if a == nil {
			return ""
		}
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
// option (see NetworkArgs.Options) on a network process and records it
// in the contact, as Emacs does: ContactKey(":keepalive") is then the
// value given (true after setting it, false after clearing it). An
// unknown option is the error "Unknown or unsupported option"; a failing
// setsockopt is a FileError "Cannot set network option", and neither is
// recorded.
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
	if !p.in.open() {
		return fmt.Errorf("Process %s is not running", p.name)
	}
	if err := setSocketOption(p.in.fd, option, value); err != nil {
		return err
	}
	// Copy on write: Contact hands out the map it finds.
	opts := maps.Clone(p.net.args.Options)
	if opts == nil {
		opts = make(map[string]any)
	}
	if k, ok := optionKey(opts, option); ok {
		delete(opts, k)
	}
	opts[":"+strings.TrimPrefix(option, ":")] = value
	p.net.args.Options = opts
	return nil
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
// Unix socket's file name alone. A nowait connection still connecting, or
// failed, is "(network connection to nil:nil)": the menu asks for the
// contact without waiting, and Emacs 28.2 has none to give then.
func (n *netInfo) menuText(st Status) string {
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
	if a.Nowait && (st == StatusConnect || st == StatusFailed) {
		addr = "nil:nil"
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
	ca := sn.args // Options is shared: it is copied on write
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
	c.tr = streamSocket{}
	c.setFDs(fd, fd)

	rt.mu.Lock()
	c.filter = server.filter
	c.native.filterT = server.native.filterT // as in Emacs: a connection inherits filter t
	c.sentinel = server.sentinel
	// The query flag is not the server's: Emacs 28.2 leaves every accepted
	// connection's flag on, even under a NoQuery server (whose contact,
	// :noquery included, the connection still copies).
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
	rt.registerFDsLocked(c)
	rt.armLocked(c)
	c.event = "open from " + host + "\n"
	rt.setStatusLocked(c, rawStatus{kind: rawRun}) // dispatched just below
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

// streamSocket is the transport of a stream connection, made by
// MakeNetworkProcess or accepted by a server.
type streamSocket struct{ stream }

// ended closes the connection with Emacs's status ("closed", exit 256,
// "connection broken by remote peer\n"), or holds the close while replies
// are still to be written (network_eof.go).
func (streamSocket) ended(rt *Runtime, p *Process) {
	if rt.holdPeerEOFLocked(p) {
		// The report of the end disarmed the socket, for writing too: arm
		// it again.
		rt.armLocked(p)
		return
	}
	closeSocketLocked(rt, p)
}

// closeSocketLocked closes p's socket with Emacs's status for a connection
// that ended ("closed", exit 256, "connection broken by remote peer\n").
// rt.mu and the dispatch lock must be held.
func closeSocketLocked(rt *Runtime, p *Process) {
	rt.closeInLocked(p)
	rt.endStatusLocked(p, 256)
}

// sendEOF shuts the sending side down once the queued input is written,
// and keeps reading.
func (streamSocket) sendEOF(p *Process) error {
	if err := p.waitQueued(); err != nil {
		return err
	}
	p.rt.mu.Lock()
	defer p.rt.mu.Unlock()
	if p.out.open() && !p.eofSent {
		shutdownWrite(p.out.fd)
		p.eofSent = true
	}
	return nil
}

// listener is the transport of a listening server: a readable report is a
// connection to accept (acceptConn, network_sock.go), and nothing is sent
// to it (a listening server is not running, for sending).
type listener struct{ streamSocket }

func (listener) read(rt *Runtime, p *Process) { rt.acceptConn(p) }

func (listener) readsStream() bool { return false }

// ended closes the socket: "closed", as a connection that ended (there is
// nothing to write first).
func (listener) ended(rt *Runtime, p *Process) { closeSocketLocked(rt, p) }

// datagram is the transport of a datagram socket: each readable report is
// one datagram for one filter call (readDatagram, network_sock.go), and
// each send one datagram to DatagramAddress.
type datagram struct{ streamSocket }

func (datagram) read(rt *Runtime, p *Process) { rt.readDatagram(p) }

func (datagram) readsStream() bool { return false }

func (datagram) ended(rt *Runtime, p *Process) { closeSocketLocked(rt, p) }

// send sends the text as one datagram, so a long text's tail is encoded
// at once.
func (datagram) send(p *Process, data []byte, rest string) (int64, error) {
	if rest != "" {
		data = append(data, p.enc.encode(rest)...)
	}
	return 0, p.sendDatagramLocked(data)
}

// sendEOF does nothing: a datagram socket has no stream to end, as in
// Emacs.
func (datagram) sendEOF(*Process) error { return nil }
