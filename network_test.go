//go:build linux || windows

package eproc

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
)

// netLog records a server's log calls and, in the same list, the events of
// its sentinel, to check their order.
type netLog struct {
	entries []string
	conns   []*Process
}

func (l *netLog) log(server, conn *Process, msg string) {
	l.entries = append(l.entries, "log "+msg)
	l.conns = append(l.conns, conn)
}

func (l *netLog) sentinel(p *Process, ev string) {
	l.entries = append(l.entries, p.Name()+" "+ev)
}

func mustServer(t *testing.T, rt *Runtime, a NetworkArgs) *Process {
	t.Helper()
	a.Server = true
	if a.Family != "local" && a.Service == "" {
		a.AnyPort = true
	}
	s, err := rt.MakeNetworkProcess(a)
	if err != nil {
		t.Fatalf("server: %v", err)
	}
	return s
}

func servicePort(t *testing.T, s *Process) string {
	t.Helper()
	port, ok := s.ContactKey(":service").(int)
	if !ok || port <= 0 {
		t.Fatalf(":service = %v", s.ContactKey(":service"))
	}
	return itoa(port)
}

func itoa(n int) string { return strconv.Itoa(n) }

// O1, O2, O3, O6, O7, O8: a TCP server and a blocking client.
func TestNetworkStream(t *testing.T) {
	rt := newRuntime(t, Config{})
	var l netLog
	s := mustServer(t, rt, NetworkArgs{Name: "srv", Host: "local", Family: "ipv4", Log: l.log, Sentinel: l.sentinel})
	// O1: status listen, id 0, type network, live, no command, :local and
	// :service give the port picked.
	if s.Status() != StatusListen || s.ID() != 0 || s.Type() != "network" || !s.Live() || s.Command() != nil {
		t.Fatalf("server: status %s id %d type %s live %v command %v", s.Status(), s.ID(), s.Type(), s.Live(), s.Command())
	}
	port := servicePort(t, s)
	local, _ := s.ContactKey(":local").(*net.TCPAddr)
	if local == nil || itoa(local.Port) != port || FormatNetworkAddress(local, true) != "127.0.0.1" {
		t.Fatalf(":local = %v, port %s", s.ContactKey(":local"), port)
	}
	if c := s.Contact().(NetworkArgs); c.Service != port || c.Host != "local" {
		t.Errorf("server contact %q %q", c.Host, c.Service)
	}

	var crec recorder
	cbuf := rt.GetBufferCreate("*cli*")
	c, err := rt.MakeNetworkProcess(NetworkArgs{Name: "cli", Buffer: cbuf, Host: "127.0.0.1", Service: port, Sentinel: crec.sentinel})
	if err != nil {
		t.Fatal(err)
	}
	// O6: open at once, no sentinel call.
	if c.Status() != StatusOpen || c.ID() != 0 || c.Type() != "network" || !c.Live() || c.ExitStatus() != 0 {
		t.Fatalf("client: status %s id %d", c.Status(), c.ID())
	}
	if c.ContactKey(":host") != "127.0.0.1" || itoa(c.ContactKey(":service").(int)) != port {
		t.Errorf("client contact %v %v", c.ContactKey(":host"), c.ContactKey(":service"))
	}
	waitUntil(t, rt, "accept", func() bool { return len(l.conns) == 1 })
	cport := c.ContactKey(":local").(*net.TCPAddr).Port
	conn := l.conns[0]
	// O2: naming and a new buffer, since the server uses the default filter.
	wantName := "srv <127.0.0.1:" + itoa(cport) + ">"
	if conn.Name() != wantName || conn.Buffer() == nil || conn.Buffer().Name() != wantName {
		t.Fatalf("connection %q buffer %v, want %q", conn.Name(), conn.Buffer(), wantName)
	}
	if conn.ContactKey(":host") != "127.0.0.1" || conn.ContactKey(":service") != cport || conn.ContactKey(":server") != false {
		t.Errorf("connection contact %v %v", conn.ContactKey(":host"), conn.ContactKey(":service"))
	}
	// O3: the log first, then the connection's sentinel with "open from".
	want := []string{"log accept from 127.0.0.1\n", wantName + " open from 127.0.0.1\n"}
	if strings.Join(l.entries, "|") != strings.Join(want, "|") {
		t.Errorf("events %q, want %q", l.entries, want)
	}
	if conn.Status() != StatusOpen || s.Status() != StatusListen {
		t.Errorf("connection %s server %s", conn.Status(), s.Status())
	}
	if len(crec.events) != 0 {
		t.Errorf("client sentinel called: %q", crec.events)
	}
	// O7: data both ways.
	if err := c.SendString("hello\n"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, rt, "hello", func() bool { return conn.Buffer().String() == "hello\n" })
	if err := conn.SendString("back\n"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, rt, "back", func() bool { return cbuf.String() == "back\n" })

	// O8: Delete gives "deleted\n", exit 0; the peer sees
	// "connection broken by remote peer\n", closed, exit 256.
	c.Delete()
	if c.Status() != StatusClosed || c.ExitStatus() != 0 || c.Live() || strings.Join(crec.events, "") != "deleted\n" {
		t.Errorf("deleted client: %s %d %q", c.Status(), c.ExitStatus(), crec.events)
	}
	waitUntil(t, rt, "peer close", func() bool { return conn.Status() == StatusClosed })
	waitExit(t, conn)
	if conn.ExitStatus() != 256 || l.entries[len(l.entries)-1] != wantName+" connection broken by remote peer\n" {
		t.Errorf("peer: exit %d events %q", conn.ExitStatus(), l.entries)
	}
	// F5: deleting the server reports "deleted\n".
	s.Delete()
	if s.Status() != StatusClosed || l.entries[len(l.entries)-1] != "srv deleted\n" {
		t.Errorf("server deleted: %s %q", s.Status(), l.entries)
	}
}

// O2: a server with a custom filter gives connections no buffer, its filter,
// a copy of its plist and its coding; deleting the server leaves them open
// (O8, F5).
func TestNetworkServerInherits(t *testing.T) {
	rt := newRuntime(t, Config{})
	var rec recorder
	var l netLog
	s := mustServer(t, rt, NetworkArgs{Name: "srv", Buffer: rt.GetBufferCreate("*srv*"), Filter: rec.filter, Log: l.log,
		Plist: []any{"k", 1}, Coding: Coding{Decoding: "latin-1", Encoding: "latin-1"}})
	c, err := rt.OpenNetworkStream("cli", nil, "127.0.0.1", servicePort(t, s))
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, rt, "accept", func() bool { return len(l.conns) == 1 })
	conn := l.conns[0]
	if conn.Buffer() != nil || conn.Get("k") != 1 {
		t.Errorf("buffer %v plist %v", conn.Buffer(), conn.Plist())
	}
	conn.Put("k", 2)
	if s.Get("k") != 1 {
		t.Error("plist shared with the server")
	}
	s.Delete()
	c.SendString("caf\xe9")
	waitUntil(t, rt, "data after server deletion", func() bool { return rec.String() == "café" })
	if conn.Status() != StatusOpen {
		t.Errorf("connection %s after the server's deletion", conn.Status())
	}
}

// O1, O2: with the default filter and a server buffer, connections get a
// buffer named after the server's buffer.
func TestNetworkConnectionBufferName(t *testing.T) {
	rt := newRuntime(t, Config{})
	var l netLog
	s := mustServer(t, rt, NetworkArgs{Name: "srv", Buffer: rt.GetBufferCreate("*srv*"), Log: l.log})
	c, err := rt.OpenNetworkStream("cli", nil, "", servicePort(t, s))
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, rt, "accept", func() bool { return len(l.conns) == 1 })
	want := "*srv* <127.0.0.1:" + itoa(c.ContactKey(":local").(*net.TCPAddr).Port) + ">"
	if b := l.conns[0].Buffer(); b == nil || b.Name() != want {
		t.Errorf("buffer %v, want %q", b, want)
	}
}

// O9: a refused blocking connection is a file-error naming the contact and
// leaves no process.
func TestNetworkRefused(t *testing.T) {
	rt := newRuntime(t, Config{})
	s := mustServer(t, rt, NetworkArgs{Name: "srv"})
	port := servicePort(t, s)
	s.Delete()
	_, err := rt.MakeNetworkProcess(NetworkArgs{Name: "refused", Host: "127.0.0.1", Service: port})
	want := "make client process failed: Connection refused, :name, refused, :host, 127.0.0.1, :service, " + port
	if err == nil || err.Error() != want || !errors.Is(err, errConnRefused) {
		t.Fatalf("err %v, want %q", err, want)
	}
	if ps := rt.ProcessList(); len(ps) != 0 {
		t.Errorf("processes left: %v", ps)
	}
}

// O10, E4, H5: nowait connections.
func TestNetworkNowait(t *testing.T) {
	rt := newRuntime(t, Config{})
	var l netLog
	var srec recorder
	s := mustServer(t, rt, NetworkArgs{Name: "srv", Log: l.log, Filter: srec.filter})
	port := servicePort(t, s)
	var rec recorder
	c, err := rt.MakeNetworkProcess(NetworkArgs{Name: "nw", Host: "127.0.0.1", Service: port, Nowait: true, Sentinel: rec.sentinel})
	if err != nil {
		t.Fatal(err)
	}
	// E4: exit status 0 during connect; live.
	if c.Status() != StatusConnect || c.ExitStatus() != 0 || !c.Live() {
		t.Fatalf("status %s exit %d live %v", c.Status(), c.ExitStatus(), c.Live())
	}
	// H5: a send during connect waits for the connection.
	if err := c.SendString("early\n"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, rt, "open", func() bool { return len(rec.events) == 1 })
	if rec.events[0] != "open\n" || c.Status() != StatusOpen {
		t.Errorf("events %q status %s", rec.events, c.Status())
	}
	waitUntil(t, rt, "early data", func() bool { return srec.String() == "early\n" })

	// A refused nowait connection fails with the errno.
	s.Delete()
	var frec recorder
	f, err := rt.MakeNetworkProcess(NetworkArgs{Name: "nwr", Host: "127.0.0.1", Service: port, Nowait: true, Sentinel: frec.sentinel})
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, rt, "failure", func() bool { return len(frec.events) == 1 })
	if frec.events[0] != "failed with code "+itoa(connRefusedCode)+"\n" || f.Status() != StatusFailed || f.ExitStatus() != connRefusedCode || f.Live() {
		t.Errorf("events %q status %s exit %d live %v", frec.events, f.Status(), f.ExitStatus(), f.Live())
	}
	if err := f.SendString("x"); !errors.Is(err, ErrNotRunning) {
		t.Errorf("send to a failed connection: %v", err)
	}
}

// O10: the default sentinel's text for a failed nowait connection.
func TestNetworkNowaitDefaultSentinel(t *testing.T) {
	rt := newRuntime(t, Config{})
	s := mustServer(t, rt, NetworkArgs{Name: "srv"})
	port := servicePort(t, s)
	s.Delete()
	b := rt.GetBufferCreate("nwr")
	f, err := rt.MakeNetworkProcess(NetworkArgs{Name: "nwr", Buffer: b, Host: "127.0.0.1", Service: port, Nowait: true})
	if err != nil {
		t.Fatal(err)
	}
	waitExit(t, f)
	if b.String() != "\nProcess nwr failed with code "+itoa(connRefusedCode)+"\n" {
		t.Errorf("buffer %q", b.String())
	}
}

// O4: IPv6 connection names print the right groups.
func TestNetworkIPv6(t *testing.T) {
	rt := newRuntime(t, Config{})
	var l netLog
	s, err := rt.MakeNetworkProcess(NetworkArgs{Name: "s6", Server: true, AnyPort: true, Family: "ipv6", Log: l.log})
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	if local := s.ContactKey(":local").(*net.TCPAddr); FormatNetworkAddress(local, true) != "0:0:0:0:0:0:0:1" {
		t.Errorf(":local %v", local)
	}
	c, err := rt.MakeNetworkProcess(NetworkArgs{Name: "c6", Host: "::1", Service: servicePort(t, s)})
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, rt, "accept", func() bool { return len(l.conns) == 1 })
	want := "s6 <[0:0:0:0:0:0:0:1]:" + itoa(c.ContactKey(":local").(*net.TCPAddr).Port) + ">"
	if l.conns[0].Name() != want || l.entries[0] != "log accept from 0:0:0:0:0:0:0:1\n" {
		t.Errorf("name %q, want %q; log %q", l.conns[0].Name(), want, l.entries)
	}
}

// H10: SendEOF shuts the write side down; the peer (closing on EOF, as
// Emacs does) closes too, so both report the broken connection.
func TestNetworkSendEOF(t *testing.T) {
	rt := newRuntime(t, Config{})
	var l netLog
	var srec recorder
	s := mustServer(t, rt, NetworkArgs{Name: "srv", Log: l.log, Filter: srec.filter, Sentinel: srec.sentinel})
	var rec recorder
	c, err := rt.MakeNetworkProcess(NetworkArgs{Name: "cli", Service: servicePort(t, s), Filter: rec.filter, Sentinel: rec.sentinel})
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, rt, "accept", func() bool { return len(l.conns) == 1 })
	c.SendString("last")
	if err := c.SendEOF(); err != nil {
		t.Fatal(err)
	}
	if err := c.SendString("discarded"); err != nil {
		t.Errorf("send after EOF: %v", err)
	}
	waitExit(t, l.conns[0])
	waitExit(t, c)
	if srec.String() != "last" || srec.events[len(srec.events)-1] != "connection broken by remote peer\n" ||
		strings.Join(rec.events, "") != "connection broken by remote peer\n" {
		t.Errorf("server got %q %q; client %q", srec.String(), srec.events, rec.events)
	}
}

// G5, O16: a stopped server accepts nothing until Continue.
func TestNetworkStopServer(t *testing.T) {
	rt := newRuntime(t, Config{})
	var l netLog
	s := mustServer(t, rt, NetworkArgs{Name: "srv", Log: l.log, Stop: true})
	if s.Status() != StatusStop {
		t.Fatalf("status %s", s.Status())
	}
	if _, err := rt.OpenNetworkStream("cli", nil, "", servicePort(t, s)); err != nil {
		t.Fatal(err)
	}
	rt.AcceptProcessOutput(nil, shortWait, false)
	if len(l.conns) != 0 {
		t.Fatal("a stopped server accepted")
	}
	s.Continue(false)
	if s.Status() != StatusListen {
		t.Errorf("status after Continue %s", s.Status())
	}
	waitUntil(t, rt, "accept after Continue", func() bool { return len(l.conns) == 1 })
}

// O12: argument errors, and O13: subprocess-only functions.
func TestNetworkErrors(t *testing.T) {
	rt := newRuntime(t, Config{})
	for _, tc := range []struct {
		a    NetworkArgs
		want string
	}{
		{NetworkArgs{Name: "x", Server: true, Nowait: true}, "‘:server’ is incompatible with ‘:nowait’"},
		{NetworkArgs{Name: "x", Family: "foo"}, "Unknown address family"},
		{NetworkArgs{Name: "x", Type: "foo"}, "Unsupported connection type"},
		{NetworkArgs{Name: "x", Service: "no-such-service"}, "127.0.0.1/no-such-service Servname not supported for ai_socktype"},
		{NetworkArgs{Name: "x"}, "Wrong type argument: stringp, nil"}, // no :service
	} {
		if _, err := rt.MakeNetworkProcess(tc.a); err == nil || err.Error() != tc.want {
			t.Errorf("%+v: %v, want %q", tc.a, err, tc.want)
		}
	}
	s := mustServer(t, rt, NetworkArgs{Name: "srv"})
	_, err := rt.MakeNetworkProcess(NetworkArgs{Name: "dup", Server: true, Service: servicePort(t, s), Options: map[string]any{"reuseaddr": false}})
	if err == nil || err.Error() != "Cannot bind server socket: Address already in use" || !errors.Is(err, errAddrInUse) {
		t.Errorf("bind: %v", err)
	}
	if err := s.Interrupt(false); err == nil || !errors.Is(err, ErrNotSubprocess) || err.Error() != "Process srv is not a subprocess: not a subprocess" && !strings.HasPrefix(err.Error(), "Process srv is not a subprocess") {
		t.Errorf("interrupt: %v", err)
	}
	if err := s.Kill(false); !errors.Is(err, ErrNotSubprocess) {
		t.Errorf("kill: %v", err)
	}
	if _, _, err := s.RunningChildP(); !errors.Is(err, ErrNotSubprocess) {
		t.Errorf("running-child-p: %v", err)
	}
	if s.SetWindowSize(24, 80) {
		t.Error("set-process-window-size on a network process")
	}
	// H5: a listening server is not running (Emacs 28.2).
	if err := s.SendString("x"); !errors.Is(err, ErrNotRunning) || !strings.HasPrefix(err.Error(), "Process srv not running") {
		t.Errorf("send to a server: %v", err)
	}
	if err := s.SendEOF(); !errors.Is(err, ErrNotRunning) {
		t.Errorf("EOF to a server: %v", err)
	}
	if err := rt.SignalProcess(s, 15); err == nil || err.Error() != "Cannot signal process srv" {
		t.Errorf("signal-process: %v", err)
	}
	// O17: options.
	if err := s.SetNetworkProcessOption(":keepalive", true); err != nil {
		t.Errorf("keepalive: %v", err)
	}
	if err := s.SetNetworkProcessOption("frobnicate", true); err == nil || err.Error() != "Unknown or unsupported option" {
		t.Errorf("unknown option: %v", err)
	}
}

// O14: datagrams: one filter call per datagram, replies to the last sender.
func TestNetworkDatagram(t *testing.T) {
	rt := newRuntime(t, Config{})
	var srec recorder
	var chunks []string
	s, err := rt.MakeNetworkProcess(NetworkArgs{Name: "ds", Server: true, AnyPort: true, Type: "datagram",
		Filter: func(p *Process, s string) { chunks = append(chunks, s) }, Sentinel: srec.sentinel})
	if err != nil {
		t.Fatal(err)
	}
	if s.Status() != StatusOpen || s.DatagramAddress() != nil {
		t.Fatalf("status %s address %v", s.Status(), s.DatagramAddress())
	}
	var rec recorder
	c, err := rt.MakeNetworkProcess(NetworkArgs{Name: "dc", Type: "datagram", Service: servicePort(t, s), Filter: rec.filter})
	if err != nil {
		t.Fatal(err)
	}
	c.SendString("ping1")
	c.SendString("ping2")
	waitUntil(t, rt, "datagrams", func() bool { return len(chunks) == 2 })
	if chunks[0] != "ping1" || chunks[1] != "ping2" {
		t.Errorf("chunks %q", chunks)
	}
	cl := c.ContactKey(":local").(*net.UDPAddr)
	if a := s.DatagramAddress(); FormatNetworkAddress(a, false) != FormatNetworkAddress(cl, false) {
		t.Errorf("datagram address %v, want %v", a, cl)
	}
	s.SendString("pong")
	waitUntil(t, rt, "reply", func() bool { return rec.String() == "pong" })
	if err := c.SendEOF(); err != nil || c.Status() != StatusOpen {
		t.Errorf("SendEOF: %v %s", err, c.Status())
	}
	if !s.SetDatagramAddress(cl) || s.SetDatagramAddress(&net.UDPAddr{IP: net.IPv6loopback, Port: 1}) {
		t.Error("SetDatagramAddress")
	}
	tcp := mustServer(t, rt, NetworkArgs{Name: "t"})
	if tcp.DatagramAddress() != nil || tcp.SetDatagramAddress(cl) {
		t.Error("datagram address of a stream")
	}
}

// O11: a host that cannot be resolved: an error when blocking; with Nowait
// a failed process whose sentinel says so (Emacs 28 never calls it).
func TestNetworkLookupFailure(t *testing.T) {
	old := lookupIPAddr
	lookupIPAddr = func(ctx context.Context, host string) ([]net.IPAddr, error) {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	t.Cleanup(func() { lookupIPAddr = old })
	rt := newRuntime(t, Config{})
	_, err := rt.MakeNetworkProcess(NetworkArgs{Name: "x", Host: "no-such-host.invalid", Service: "80"})
	if err == nil || err.Error() != "no-such-host.invalid/80 Name or service not known" {
		t.Errorf("blocking: %v", err)
	}
	var rec recorder
	p, err := rt.MakeNetworkProcess(NetworkArgs{Name: "nw", Host: "no-such-host.invalid", Service: "80", Nowait: true, Sentinel: rec.sentinel})
	if err != nil {
		t.Fatal(err)
	}
	waitExit(t, p)
	if strings.Join(rec.events, "") != "failed with code Name lookup of no-such-host.invalid failed\n" || p.Status() != StatusFailed || p.Live() {
		t.Errorf("events %q status %s", rec.events, p.Status())
	}
}

// O7, H5: a large send to a peer that echoes it back completes, dispatching
// output while the socket is full, and every byte arrives in order.
func TestNetworkLargeEcho(t *testing.T) {
	rt := newRuntime(t, Config{})
	s := mustServer(t, rt, NetworkArgs{Name: "echo", Filter: func(p *Process, s string) {
		if err := p.SendString(s); err != nil {
			t.Error(err)
		}
	}, Coding: Coding{Decoding: "binary", Encoding: "binary"}})
	var got strings.Builder
	c, err := rt.MakeNetworkProcess(NetworkArgs{Name: "cli", Service: servicePort(t, s), Filter: func(p *Process, s string) { got.WriteString(s) },
		Coding: Coding{Decoding: "binary", Encoding: "binary"}})
	if err != nil {
		t.Fatal(err)
	}
	data := string(patternBytes(4 << 20))
	if err := c.SendString(data); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, rt, "echo", func() bool { return got.Len() >= len(data) })
	if got.String() != data {
		t.Errorf("echo differs: %d bytes, want %d", got.Len(), len(data))
	}
}

// G5, O16: a stopped connection reads nothing until Continue; sending still
// works.
func TestNetworkStopConnection(t *testing.T) {
	rt := newRuntime(t, Config{})
	var l netLog
	var srec recorder
	s := mustServer(t, rt, NetworkArgs{Name: "srv", Log: l.log, Filter: srec.filter})
	var rec recorder
	c, err := rt.MakeNetworkProcess(NetworkArgs{Name: "cli", Service: servicePort(t, s), Filter: rec.filter, Stop: true})
	if err != nil {
		t.Fatal(err)
	}
	if c.Status() != StatusStop {
		t.Fatalf("status %s", c.Status())
	}
	waitUntil(t, rt, "accept", func() bool { return len(l.conns) == 1 })
	l.conns[0].SendString("held")
	if err := c.SendString("sent while stopped"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, rt, "data from the stopped client", func() bool { return srec.String() == "sent while stopped" })
	rt.AcceptProcessOutput(nil, shortWait, false)
	if rec.String() != "" {
		t.Fatalf("a stopped connection read %q", rec.String())
	}
	c.Continue(false)
	if c.Status() != StatusOpen {
		t.Errorf("status after Continue %s", c.Status())
	}
	waitUntil(t, rt, "held data", func() bool { return rec.String() == "held" })
}
