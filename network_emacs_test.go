//go:build linux

package eproc

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Issue 16 item 6: a NoQuery server's accepted connections still have the
// query flag on. Emacs 28.2: (process-query-on-exit-flag srv) is nil,
// (process-query-on-exit-flag conn) is t, and (process-contact conn
// :noquery) is t, the server's contact copied.
func TestNetworkConnectionQueryFlag(t *testing.T) {
	rt := newRuntime(t, Config{})
	var l netLog
	s := mustServer(t, rt, NetworkArgs{Name: "srv", NoQuery: true, Log: l.log})
	c, err := rt.OpenNetworkStream("cli", nil, "127.0.0.1", servicePort(t, s))
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, rt, "accept", func() bool { return len(l.conns) == 1 })
	conn := l.conns[0]
	if s.QueryOnExitFlag() || !conn.QueryOnExitFlag() || !c.QueryOnExitFlag() {
		t.Errorf("query flags: server %v, connection %v, client %v; want false, true, true",
			s.QueryOnExitFlag(), conn.QueryOnExitFlag(), c.QueryOnExitFlag())
	}
	if conn.ContactKey(":noquery") != true {
		t.Errorf("connection's :noquery %v, want true (the server's contact)", conn.ContactKey(":noquery"))
	}
}

// Issue 16 item 7: a nowait client whose connection failed stays in
// ProcessList, GetProcess and ListProcesses, as in Emacs 28.2, where
// status_notify removes only exited, signalled and closed processes, and
// list-processes deletes only those. Its command column is Emacs 28.2's
// "(network connection to nil:nil)". Delete removes it.
func TestNetworkFailedNowaitStaysListed(t *testing.T) {
	rt := newRuntime(t, Config{})
	s := mustServer(t, rt, NetworkArgs{Name: "srv"})
	port := servicePort(t, s)
	s.Delete()
	var rec recorder
	f, err := rt.MakeNetworkProcess(NetworkArgs{Name: "nwr", Host: "127.0.0.1", Service: port, Nowait: true, Sentinel: rec.sentinel})
	if err != nil {
		t.Fatal(err)
	}
	waitExit(t, f)
	if strings.Join(rec.events, "") != "failed with code 111\n" {
		t.Fatalf("events %q", rec.events)
	}
	if ps := rt.ProcessList(); len(ps) != 1 || ps[0] != f || rt.GetProcess("nwr") != f {
		t.Fatalf("process list %v, get-process %v", ps, rt.GetProcess("nwr"))
	}
	want := "nwr             --      failed  --                        --           Main         (network connection to nil:nil)\n"
	if got := rt.ListProcesses(false).String(); got != want {
		t.Errorf("list-processes:\n%q\nwant\n%q", got, want)
	}
	if rt.GetProcess("nwr") != f {
		t.Error("list-processes deleted the failed connection")
	}
	f.Delete()
	if len(rt.ProcessList()) != 0 || rt.GetProcess("nwr") != nil {
		t.Errorf("after Delete: %v", rt.ProcessList())
	}
}

// Issue 16 item 8: set-network-process-option records the option in the
// contact. Emacs 28.2: (process-contact cli :keepalive) is nil before, t
// after setting it, nil after clearing it; a server's options are in its
// connections' contacts.
func TestNetworkOptionInContact(t *testing.T) {
	rt := newRuntime(t, Config{})
	var l netLog
	s := mustServer(t, rt, NetworkArgs{Name: "srv", Log: l.log, Options: map[string]any{"keepalive": true}})
	c, err := rt.OpenNetworkStream("cli", nil, "127.0.0.1", servicePort(t, s))
	if err != nil {
		t.Fatal(err)
	}
	if v := c.ContactKey(":keepalive"); v != nil {
		t.Errorf(":keepalive before %v", v)
	}
	if err := c.SetNetworkProcessOption(":keepalive", true); err != nil {
		t.Fatal(err)
	}
	if v := c.ContactKey(":keepalive"); v != true {
		t.Errorf(":keepalive after setting %v", v)
	}
	if err := c.SetNetworkProcessOption("keepalive", false); err != nil {
		t.Fatal(err)
	}
	if v := c.ContactKey(":keepalive"); v != false {
		t.Errorf(":keepalive after clearing %v", v)
	}
	if a, _ := c.NetworkContact(); len(a.Options) != 1 || a.Options[":keepalive"] != false {
		t.Errorf("contact options %v", a.Options)
	}
	if err := c.SetNetworkProcessOption(":linger", 5); err != nil || c.ContactKey(":linger") != 5 {
		t.Errorf("linger: %v, %v", err, c.ContactKey(":linger"))
	}
	// A rejected option is not recorded.
	if err := c.SetNetworkProcessOption(":frobnicate", true); err == nil || c.ContactKey(":frobnicate") != nil {
		t.Errorf("unknown option: %v, recorded %v", err, c.ContactKey(":frobnicate"))
	}
	waitUntil(t, rt, "accept", func() bool { return len(l.conns) == 1 })
	conn := l.conns[0]
	if s.ContactKey(":keepalive") != true || conn.ContactKey(":keepalive") != true {
		t.Errorf("server's :keepalive %v, connection's %v", s.ContactKey(":keepalive"), conn.ContactKey(":keepalive"))
	}
	// The connection's record is its own.
	if err := conn.SetNetworkProcessOption(":keepalive", false); err != nil {
		t.Fatal(err)
	}
	if s.ContactKey(":keepalive") != true || conn.ContactKey(":keepalive") != false {
		t.Errorf("after the connection's change: server's %v, connection's %v", s.ContactKey(":keepalive"), conn.ContactKey(":keepalive"))
	}
}

// Issue 16 item 9: a live process whose buffer was killed shows "--" in
// the Buffer column. Emacs 28.2: a child that ignores SIGHUP survives
// kill-buffer, and list-processes shows "--" (its menu tests
// buffer-live-p).
func TestListProcessesKilledBuffer(t *testing.T) {
	rt := newRuntime(t, Config{})
	b := rt.GetBufferCreate("bb")
	p := mustMake(t, rt, ProcessArgs{Name: "trapper", Buffer: b, Command: helperCmd("trap", "1"), NoQuery: true})
	waitUntil(t, rt, "ready", func() bool { return strings.Contains(b.String(), "ready") })
	if err := b.Kill(); err != nil {
		t.Fatal(err)
	}
	text := rt.ListProcesses(false).String()
	want := fmt.Sprintf("trapper         %-7d run     --                        --           Main         ", p.ID())
	if !p.Live() || !strings.HasPrefix(text, want) {
		t.Errorf("live %v; list-processes:\n%s\nwant a line starting\n%s", p.Live(), text, want)
	}
	p.Delete() // SIGKILL: Close would wait for the SIGHUP it ignores
}

// Issue 17 item 6: nil pointers as addresses are clear errors, leak no
// descriptor and do not panic.
func TestNetworkTypedNilAddresses(t *testing.T) {
	rt := newRuntime(t, Config{})
	s := mustServer(t, rt, NetworkArgs{Name: "srv"})
	port := servicePort(t, s)
	before := openFDs(t)
	for _, tc := range []struct {
		a    NetworkArgs
		want string
	}{
		{NetworkArgs{Name: "x", Server: true, Local: (*net.TCPAddr)(nil)}, "Malformed :address: Local is a nil *net.TCPAddr"},
		{NetworkArgs{Name: "x", Service: port, Local: (*net.TCPAddr)(nil)}, "Malformed :address: Local is a nil *net.TCPAddr"},
		{NetworkArgs{Name: "x", Remote: (*net.UnixAddr)(nil)}, "Malformed :address: Remote is a nil *net.UnixAddr"},
		{NetworkArgs{Name: "x", Type: "datagram", Remote: (*net.UDPAddr)(nil)}, "Malformed :address: Remote is a nil *net.UDPAddr"},
		{NetworkArgs{Name: "x", Remote: &net.IPAddr{IP: net.IPv4(127, 0, 0, 1)}},
			"Malformed :address: Remote is a *net.IPAddr, not a *net.TCPAddr, *net.UDPAddr or *net.UnixAddr"},
	} {
		for i := 0; i < 3; i++ {
			p, err := rt.MakeNetworkProcess(tc.a)
			if err == nil || err.Error() != tc.want || p != nil {
				t.Errorf("got %v, %v; want %q", p, err, tc.want)
			}
		}
	}
	if after := openFDs(t); after != before {
		t.Errorf("descriptors: %d before, %d after", before, after)
	}
	d, err := rt.MakeNetworkProcess(NetworkArgs{Name: "d", Type: "datagram", Service: port})
	if err != nil {
		t.Fatal(err)
	}
	if d.SetDatagramAddress((*net.UDPAddr)(nil)) || d.SetDatagramAddress(nil) {
		t.Error("SetDatagramAddress accepted a nil address")
	}
	if a := d.DatagramAddress(); FormatNetworkAddress(a, false) != "127.0.0.1:"+port {
		t.Errorf("datagram address changed to %v", a)
	}
	if len(rt.ProcessList()) != 2 {
		t.Errorf("processes %v", rt.ProcessList())
	}
}

// Issue 17 item 10: Unix socket names. A NUL byte and an empty name are
// errors (Emacs 28.2 cuts the name at the NUL, and binds "" to an
// automatic abstract address); a name too long is Emacs's "Service name
// too long"; errors of the local family name no TCP host (Emacs 28.2:
// (file-missing "make client process failed" "No such file or directory"
// :name "uc" :family local :service "/tmp/nosuch")).
func TestNetworkUnixSocketNames(t *testing.T) {
	rt := newRuntime(t, Config{})
	dir := t.TempDir()
	mustServer(t, rt, NetworkArgs{Name: "poller"}) // the poller's descriptors are counted in before
	before := openFDs(t)
	nul := filepath.Join(dir, "a\x00b")
	for _, tc := range []struct {
		a    NetworkArgs
		want string
	}{
		{NetworkArgs{Name: "x", Family: "local", Server: true, Service: nul}, fmt.Sprintf("Invalid argument: NUL byte in socket file name %q", nul)},
		{NetworkArgs{Name: "x", Family: "local", Service: nul}, fmt.Sprintf("Invalid argument: NUL byte in socket file name %q", nul)},
		{NetworkArgs{Name: "x", Family: "local", Server: true, Local: &net.UnixAddr{Name: nul, Net: "unix"}}, fmt.Sprintf("Invalid argument: NUL byte in socket file name %q", nul)},
		{NetworkArgs{Name: "x", Family: "local", Server: true}, "Invalid argument: empty socket file name"},
		{NetworkArgs{Name: "x", Family: "local"}, "Invalid argument: empty socket file name"},
		{NetworkArgs{Name: "x", Remote: &net.UnixAddr{Net: "unix"}}, "Invalid argument: empty socket file name"},
		{NetworkArgs{Name: "x", Family: "local", Server: true, Service: "/" + strings.Repeat("a", 200)}, "Service name too long"},
		{NetworkArgs{Name: "uc", Family: "local", Host: "example", Service: filepath.Join(dir, "nosuch")},
			"make client process failed: No such file or directory, :name, uc, :service, " + filepath.Join(dir, "nosuch") + ", :family, local"},
	} {
		p, err := rt.MakeNetworkProcess(tc.a)
		if err == nil || err.Error() != tc.want || p != nil {
			t.Errorf("got %v, %v; want %q", p, err, tc.want)
		}
	}
	_, err := rt.MakeNetworkProcess(NetworkArgs{Name: "uc", Family: "local", Service: filepath.Join(dir, "nosuch")})
	if !errors.Is(err, fs.ErrNotExist) || !errors.Is(err, syscall.ENOENT) {
		t.Errorf("missing socket: %v is not ENOENT", err)
	}
	// The TCP form keeps the host when it is given, and leaves it out
	// when not (Emacs 28.2: :name "tc" :service 1).
	_, err = rt.MakeNetworkProcess(NetworkArgs{Name: "tc", Service: "1"})
	if err == nil || err.Error() != "make client process failed: Connection refused, :name, tc, :service, 1" {
		t.Errorf("TCP refused: %v", err)
	}
	if after := openFDs(t); after != before {
		t.Errorf("descriptors: %d before, %d after", before, after)
	}
	if len(rt.ProcessList()) != 1 {
		t.Errorf("processes left: %v", rt.ProcessList())
	}
}

// Issue 10: the typed accessors give what ContactKey gives.
func TestNetworkTypedContact(t *testing.T) {
	rt := newRuntime(t, Config{})
	s := mustServer(t, rt, NetworkArgs{Name: "srv", Host: "local"})
	c, err := rt.OpenNetworkStream("cli", nil, "127.0.0.1", servicePort(t, s))
	if err != nil {
		t.Fatal(err)
	}
	if s.LocalAddr() != s.ContactKey(":local") || c.LocalAddr() != c.ContactKey(":local") || c.RemoteAddr() != c.ContactKey(":remote") {
		t.Errorf("LocalAddr/RemoteAddr differ from ContactKey")
	}
	if FormatAddr(c.RemoteAddr(), false) != FormatAddr(s.LocalAddr(), false) || s.RemoteAddr() != nil {
		t.Errorf("client's remote %v, server's local %v, server's remote %v", c.RemoteAddr(), s.LocalAddr(), s.RemoteAddr())
	}
	if a, ok := s.NetworkContact(); !ok || !a.Server || a.Service != servicePort(t, s) || a.Host != "local" {
		t.Errorf("server's contact %+v %v", a, ok)
	}
	pp, err := rt.MakePipeProcess(PipeArgs{Name: "pp"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := pp.NetworkContact(); ok || pp.LocalAddr() != nil || pp.RemoteAddr() != nil {
		t.Error("a pipe process has a network contact")
	}
}
