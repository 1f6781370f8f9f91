package eproc

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/sys/windows"
)

// The network suite's Windows part, beside the portable network_test.go:
// the Winsock codes it expects, and what Windows does differently.

var (
	errConnRefused  error = windows.WSAECONNREFUSED
	errAddrInUse    error = windows.WSAEADDRINUSE
	connRefusedCode       = 10061 // Emacs on Windows reports the Winsock code
)

func TestWindowsNetworkLocalUnsupported(t *testing.T) {
	// Emacs on Windows has no local sockets: "Unknown address family".
	rt := newRuntime(t, Config{})
	_, err := rt.MakeNetworkProcess(NetworkArgs{Name: "us", Family: "local", Server: true, Service: "sock"})
	if err == nil || !errors.Is(err, errors.ErrUnsupported) || err.Error() != "Unknown address family: "+errors.ErrUnsupported.Error() {
		t.Errorf("local server: %v", err)
	}
	if len(rt.ProcessList()) != 0 {
		t.Errorf("a process remained: %v", rt.ProcessList())
	}
}

func TestWindowsNetworkNoHandleLeak(t *testing.T) {
	// Sockets of servers, clients and connections are all closed, and the
	// socket of the AcceptEx in progress with its server.
	round := func() {
		rt := newRuntime(t, Config{})
		var l netLog
		s := mustServer(t, rt, NetworkArgs{Name: "srv", Log: l.log, Filter: func(*Process, string) {}})
		port := servicePort(t, s)
		for i := 0; i < 5; i++ {
			c, err := rt.OpenNetworkStream("c", nil, "", port)
			if err != nil {
				t.Fatal(err)
			}
			c.SendString("x")
			waitUntil(t, rt, "accept", func() bool { return len(l.conns) == i+1 })
			c.Delete()
			waitExit(t, l.conns[i])
		}
		rt.Close()
	}
	round()
	before := handleCount(t)
	for i := 0; i < 3; i++ {
		round()
	}
	if after := handleCount(t); after > before+4 {
		t.Errorf("%d handles after 15 more connections, %d before", after, before)
	}
}

func TestWindowsNetworkSendEOFAfterLargeSend(t *testing.T) {
	// SendEOF right after a large send: the socket's sending side ends
	// only once the send in progress completes, so the peer gets every
	// byte before end of file.
	rt := newRuntime(t, Config{})
	var l netLog
	var got strings.Builder
	atEOF := -1
	s := mustServer(t, rt, NetworkArgs{Name: "srv", Log: l.log, Coding: Coding{Decoding: "binary", Encoding: "binary"},
		Filter: func(p *Process, s string) { got.WriteString(s) },
		Sentinel: func(p *Process, ev string) {
			if ev == "connection broken by remote peer\n" {
				atEOF = got.Len()
			}
		}})
	c, err := rt.MakeNetworkProcess(NetworkArgs{Name: "cli", Service: servicePort(t, s), Coding: Coding{Decoding: "binary", Encoding: "binary"}})
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, rt, "accept", func() bool { return len(l.conns) == 1 })
	data := string(patternBytes(2 << 20))
	if err := c.SendString(data); err != nil {
		t.Fatal(err)
	}
	if err := c.SendEOF(); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, rt, "end of file at the server", func() bool { return atEOF >= 0 })
	if atEOF != len(data) || got.String() != data {
		t.Errorf("the server had %d bytes at end of file, %d in all, want %d", atEOF, got.Len(), len(data))
	}
}
