package eproc

import (
	"errors"
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
