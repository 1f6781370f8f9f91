package eproc

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// The network suite's Linux-only part: Unix-domain sockets and descriptor
// counts, and the errno values the portable part expects.

var (
	errConnRefused  error = syscall.ECONNREFUSED
	errAddrInUse    error = syscall.EADDRINUSE
	connRefusedCode       = 111
)

// O5: Unix-domain sockets.
func TestNetworkLocal(t *testing.T) {
	rt := newRuntime(t, Config{})
	path := filepath.Join(t.TempDir(), "sock")
	var l netLog
	s := mustServer(t, rt, NetworkArgs{Name: "us", Family: "local", Service: path, Log: l.log, Sentinel: l.sentinel})
	if s.ContactKey(":service") != path || s.ContactKey(":local").(*net.UnixAddr).Name != path {
		t.Errorf("contact %v %v", s.ContactKey(":service"), s.ContactKey(":local"))
	}
	// One accept counter per Runtime: a TCP accept first counts too.
	ts := mustServer(t, rt, NetworkArgs{Name: "tcp", Log: l.log})
	if _, err := rt.OpenNetworkStream("tc", nil, "", servicePort(t, ts)); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, rt, "tcp accept", func() bool { return len(l.conns) == 1 })
	c, err := rt.MakeNetworkProcess(NetworkArgs{Name: "uc", Family: "local", Service: path})
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, rt, "accept", func() bool { return len(l.conns) == 2 })
	conn := l.conns[1]
	if conn.Name() != "us <2>" || conn.Buffer() == nil || conn.Buffer().Name() != "us <2>" {
		t.Errorf("name %q buffer %v", conn.Name(), conn.Buffer())
	}
	want := []string{"log accept from 127.0.0.1\n", "log accept from -\n", "us <2> open from -\n"}
	if strings.Join(l.entries, "|") != strings.Join(want, "|") {
		t.Errorf("events %q, want %q", l.entries, want)
	}
	if conn.ContactKey(":service") != path {
		t.Errorf("connection :service %v", conn.ContactKey(":service"))
	}
	c.SendString("local\n")
	waitUntil(t, rt, "data", func() bool { return conn.Buffer().String() == "local\n" })
	s.Delete()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("socket file removed: %v", err)
	}
}

// Leaks: descriptors of servers, clients and connections are all closed.
func TestNetworkNoFDLeak(t *testing.T) {
	rt := newRuntime(t, Config{})
	var l netLog
	s := mustServer(t, rt, NetworkArgs{Name: "srv", Log: l.log})
	port := servicePort(t, s)
	rt.AcceptProcessOutput(nil, 0, false)
	before := openFDs(t)
	for i := 0; i < 20; i++ {
		c, err := rt.OpenNetworkStream("c", nil, "", port)
		if err != nil {
			t.Fatal(err)
		}
		waitUntil(t, rt, "accept", func() bool { return len(l.conns) == i+1 })
		c.Delete()
		waitExit(t, l.conns[i])
	}
	if after := openFDs(t); after > before {
		t.Errorf("descriptors: %d before, %d after", before, after)
	}
}

// list-processes shows network processes as Emacs 28's process menu does.
func TestNetworkListProcesses(t *testing.T) {
	rt := newRuntime(t, Config{})
	var l netLog
	s := mustServer(t, rt, NetworkArgs{Name: "srv", Host: "local", Log: l.log})
	port := servicePort(t, s)
	if _, err := rt.OpenNetworkStream("cli", nil, "127.0.0.1", port); err != nil {
		t.Fatal(err)
	}
	ds := mustServer(t, rt, NetworkArgs{Name: "ds", Host: "local", Type: "datagram"})
	path := filepath.Join(t.TempDir(), "q")
	mustServer(t, rt, NetworkArgs{Name: "us", Family: "local", Service: path})
	waitUntil(t, rt, "accept", func() bool { return len(l.conns) == 1 })
	text := rt.ListProcesses(false).String()
	for _, want := range []string{
		"(network connection to 127.0.0.1:" + port + ")",
		"(datagram server on local:" + servicePort(t, ds) + ")",
		"(network server on local:" + port + ")",
		"(network server on " + path + ")",
		"(network connection to " + FormatNetworkAddress(l.conns[0].ContactKey(":remote"), false) + ")",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in\n%s", want, text)
		}
	}
}
