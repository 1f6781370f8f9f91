//go:build unix

package eproc

import (
	"errors"
	"io"
	"net"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// localServer makes a Unix-socket server with a filter and a sentinel
// that do nothing.
func localServer(t *testing.T, rt *Runtime, a NetworkArgs) {
	t.Helper()
	a.Server, a.Family = true, "local"
	a.Filter = func(*Process, string) {}
	a.Sentinel = func(*Process, string) {}
	if _, err := rt.MakeNetworkProcess(a); err != nil {
		t.Fatalf("server: %v", err)
	}
}

// localClients connects k clients to the Unix-socket server at path. A
// Unix-domain connect returns once the connection is in the server's
// listen queue, so after it the k connections wait to be accepted.
func localClients(t *testing.T, path string, k int) []net.Conn {
	t.Helper()
	var cs []net.Conn
	for i := 0; i < k; i++ {
		c, err := net.Dial("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		cs = append(cs, c)
	}
	return cs
}

// TestAcceptBatch: one report of a listener's readiness accepts every
// queued connection, up to acceptBatch; a full batch leaves the listener
// ready, and the next turn accepts the rest.
func TestAcceptBatch(t *testing.T) {
	rt := newRuntime(t, Config{})
	path := filepath.Join(t.TempDir(), "s")
	accepted := 0
	localServer(t, rt, NetworkArgs{Name: "srv", Service: path,
		Log: func(_, c *Process, _ string) {
			if c != nil {
				accepted++
			}
		}})
	localClients(t, path, 5)
	// One poll (timeout 0) and the turn after it.
	rt.AcceptProcessOutput(nil, 0, false)
	if accepted != 5 {
		t.Fatalf("one turn accepted %d of 5 queued connections", accepted)
	}
	localClients(t, path, acceptBatch+3)
	rt.AcceptProcessOutput(nil, 0, false)
	if accepted != 5+acceptBatch {
		t.Fatalf("one turn accepted %d of %d queued connections, want the batch of %d", accepted-5, acceptBatch+3, acceptBatch)
	}
	waitUntil(t, rt, "the rest accepted", func() bool { return accepted == 5+acceptBatch+3 })
}

// TestAcceptBatchServerDeleted: when a callback deletes the server in the
// middle of a batch, the connections accepted with it but not yet made
// into processes are closed, as the listen queue is with the listener.
func TestAcceptBatchServerDeleted(t *testing.T) {
	rt := newRuntime(t, Config{})
	path := filepath.Join(t.TempDir(), "s")
	var conns []*Process
	localServer(t, rt, NetworkArgs{Name: "srv", Service: path,
		Log: func(s, c *Process, _ string) {
			if c != nil {
				conns = append(conns, c)
				s.Delete()
			}
		}})
	cs := localClients(t, path, 4)
	rt.AcceptProcessOutput(nil, 0, false)
	if len(conns) != 1 {
		t.Fatalf("%d connections made after the server was deleted by the first one's log, want 1", len(conns))
	}
	// The first client's connection lives on; the other three end (reset
	// by the kernel with the listener's queue, or closed by eproc after it
	// accepted them: end of file).
	deadline := time.Now().Add(longWait)
	for i, c := range cs[1:] {
		c.SetReadDeadline(deadline)
		if n, err := c.Read(make([]byte, 1)); err != io.EOF && !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("client %d: read %d, %v; want its end", i+2, n, err)
		}
	}
	if !conns[0].Live() {
		t.Errorf("first connection: status %v, want open", conns[0].Status())
	}
}
