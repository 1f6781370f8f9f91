//go:build linux

package eproc

import (
	"bufio"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// halfCloseReply is the server's answer to one line: 20 KB built from it.
func halfCloseReply(line string) string {
	const size = 20 << 10
	var sb strings.Builder
	sb.Grow(size)
	for sb.Len() < size {
		sb.WriteString(line)
		sb.WriteByte('|')
	}
	return sb.String()[:size]
}

// Issue 16 item 5: 25 clients each send 200 lines and then shut their
// sending side down (CloseWrite); the server's filter answers each line
// with 20 KB. Every client must get every reply, in order, before the
// connection closes, and no SendString from the filter may fail. Emacs 28
// closes the socket at the peer's EOF and loses what was still queued;
// the default listen backlog of 5 also made some of the 25 simultaneous
// connections fail.
func TestNetworkHalfCloseKeepsReplies(t *testing.T) {
	const clients, lines = 25, 200
	rt := newRuntime(t, Config{})
	var (
		partial  = map[*Process]string{}
		sendErrs []error
		closed   int
	)
	s := mustServer(t, rt, NetworkArgs{Name: "srv", Coding: Coding{Decoding: "binary", Encoding: "binary"},
		Filter: func(p *Process, out string) {
			text := partial[p] + out
			for {
				i := strings.IndexByte(text, '\n')
				if i < 0 {
					break
				}
				if err := p.SendString(halfCloseReply(text[:i])); err != nil {
					sendErrs = append(sendErrs, err)
				}
				text = text[i+1:]
			}
			partial[p] = text
		},
		Sentinel: func(p *Process, ev string) {
			if ev == "connection broken by remote peer\n" {
				closed++
			}
		}})
	addr := "127.0.0.1:" + servicePort(t, s)

	var done atomic.Int32
	var mu sync.Mutex
	var failures []string
	fail := func(format string, args ...any) {
		mu.Lock()
		failures = append(failures, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer done.Add(1)
			// A small receive buffer, set before the connection (so the
			// window stays small): the server's replies fill it, and the
			// filter's SendString waits for room while the end of the
			// lines (the CloseWrite) arrives, whatever the system's
			// socket buffer sizes.
			d := net.Dialer{Timeout: longWait, Control: func(network, address string, c syscall.RawConn) error {
				var serr error
				err := c.Control(func(fd uintptr) {
					serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4<<10)
				})
				if err != nil {
					return err
				}
				return serr
			}}
			conn, err := d.Dial("tcp", addr)
			if err != nil {
				fail("client %d: %v", c, err)
				return
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(longWait))
			want := sha256.New()
			w := bufio.NewWriter(conn)
			for l := 0; l < lines; l++ {
				line := fmt.Sprintf("client %d line %d", c, l)
				fmt.Fprintf(w, "%s\n", line)
				io.WriteString(want, halfCloseReply(line))
			}
			if err := w.Flush(); err != nil {
				fail("client %d: write: %v", c, err)
				return
			}
			if err := conn.(*net.TCPConn).CloseWrite(); err != nil {
				fail("client %d: CloseWrite: %v", c, err)
				return
			}
			got := sha256.New()
			n, err := io.Copy(got, conn)
			if err != nil {
				fail("client %d: read: %v after %d bytes", c, err, n)
				return
			}
			if n != lines*20<<10 || string(got.Sum(nil)) != string(want.Sum(nil)) {
				fail("client %d: got %d bytes (checksum %x), want %d (checksum %x)", c, n, got.Sum(nil), lines*20<<10, want.Sum(nil))
			}
		}()
	}
	waitUntil(t, rt, "every client's replies", func() bool { return done.Load() == clients })
	wg.Wait()
	for _, f := range failures {
		t.Error(f)
	}
	if len(sendErrs) > 0 {
		t.Errorf("%d SendString calls from the filter failed; the first: %v", len(sendErrs), sendErrs[0])
	}
	waitUntil(t, rt, "every connection closed", func() bool { return closed == clients })
}

// peerReader connects to addr, sends first, shuts its sending side down
// and reads everything until the server closes; the result arrives on the
// channel. With first "", it reads one byte before it shuts its side down.
func peerReader(t *testing.T, addr, first string) <-chan string {
	ch := make(chan string, 1)
	go func() {
		conn, err := net.DialTimeout("tcp", addr, longWait)
		if err != nil {
			ch <- "dial: " + err.Error()
			return
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(longWait))
		var head [1]byte
		n := 0
		if first == "" {
			n, err = io.ReadFull(conn, head[:])
		} else {
			_, err = io.WriteString(conn, first)
		}
		if err != nil {
			ch <- "write or read: " + err.Error()
			return
		}
		conn.(*net.TCPConn).CloseWrite()
		b, err := io.ReadAll(conn)
		b = append(head[:n:n], b...)
		if err != nil {
			ch <- "read: " + err.Error()
			return
		}
		ch <- string(b)
	}()
	return ch
}

// Issue 16 item 5: the filter is handling the peer's last chunk, and its
// SendString waits for room when the peer's end of file is read: the
// send completes, a later send from the same filter call works too, and
// the socket closes only after both are written.
func TestNetworkPeerEOFDuringFilterSend(t *testing.T) {
	rt := newRuntime(t, Config{})
	big := string(patternBytes(32 << 20))
	var sendErrs []error
	var events []string
	eofDuringSend := false
	s := mustServer(t, rt, NetworkArgs{Name: "srv", Coding: Coding{Decoding: "binary", Encoding: "binary"},
		Filter: func(p *Process, out string) {
			if err := p.SendString(big); err != nil {
				sendErrs = append(sendErrs, err)
			}
			p.rt.mu.Lock()
			eofDuringSend = p.readEnded || p.status.dead() // the end was read inside the send's wait
			p.rt.mu.Unlock()
			if err := p.SendString("tail\n"); err != nil {
				sendErrs = append(sendErrs, err)
			}
		},
		Sentinel: func(p *Process, ev string) { events = append(events, ev) }})
	got := peerReader(t, "127.0.0.1:"+servicePort(t, s), "go\n")
	var res string
	waitUntil(t, rt, "the client's reading", func() bool {
		select {
		case res = <-got:
			return true
		default:
			return false
		}
	})
	if len(sendErrs) > 0 {
		t.Errorf("sends from the filter failed: %v", sendErrs)
	}
	if !eofDuringSend {
		t.Error("the peer's end of file was not read during the filter's send: the case is not exercised")
	}
	if res != big+"tail\n" {
		t.Errorf("client got %d bytes (%.40q...), want %d", len(res), res, len(big)+5)
	}
	waitUntil(t, rt, "the close", func() bool { return len(events) == 2 })
	if events[1] != "connection broken by remote peer\n" {
		t.Errorf("events %q", events)
	}
}

// Issue 16 item 5: input queued by a SendString (from outside any filter)
// is written after the peer's end of file, then the socket closes. The
// peer ends its side once the first byte has arrived, so the end is read
// while most of the input is queued.
func TestNetworkPeerEOFWithQueuedInput(t *testing.T) {
	rt := newRuntime(t, Config{})
	var l netLog
	s := mustServer(t, rt, NetworkArgs{Name: "srv", Log: l.log, Sentinel: l.sentinel, Coding: Coding{Decoding: "binary", Encoding: "binary"}})
	got := peerReader(t, "127.0.0.1:"+servicePort(t, s), "")
	waitUntil(t, rt, "accept", func() bool { return len(l.conns) == 1 })
	conn := l.conns[0]
	big := string(patternBytes(32 << 20))
	if err := conn.SendString(big); err != nil {
		t.Fatalf("SendString: %v", err)
	}
	var res string
	waitUntil(t, rt, "the client's reading", func() bool {
		select {
		case res = <-got:
			return true
		default:
			return false
		}
	})
	if res != big {
		t.Errorf("client got %d bytes, want %d", len(res), len(big))
	}
	waitExit(t, conn)
	if ev := l.entries[len(l.entries)-1]; ev != conn.Name()+" connection broken by remote peer\n" || conn.ExitStatus() != 256 {
		t.Errorf("last event %q, exit %d", ev, conn.ExitStatus())
	}
}

// Issue 16 item 5: the default listen backlog is the system's maximum,
// not Emacs's 5: 25 clients connect at once to a server that is not
// accepting yet (stopped), and every connection completes (with 5, the
// kernel drops the later clients' SYNs and their connects time out).
func TestNetworkDefaultBacklog(t *testing.T) {
	const clients = 25
	rt := newRuntime(t, Config{})
	var l netLog
	s := mustServer(t, rt, NetworkArgs{Name: "srv", Log: l.log, Stop: true})
	addr := "127.0.0.1:" + servicePort(t, s)
	errs := make(chan error, clients)
	var conns sync.Map
	for c := 0; c < clients; c++ {
		go func() {
			conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
			if err == nil {
				conns.Store(c, conn)
			}
			errs <- err
		}()
	}
	t.Cleanup(func() {
		conns.Range(func(_, v any) bool { v.(net.Conn).Close(); return true })
	})
	for c := 0; c < clients; c++ {
		if err := <-errs; err != nil {
			t.Errorf("connect: %v", err)
		}
	}
	s.Continue(false)
	waitUntil(t, rt, "every accept", func() bool { return len(l.conns) == clients })

	// Backlog still sets the queue's length: Linux queues Backlog+1
	// connections, and drops the next client's SYN.
	small := mustServer(t, rt, NetworkArgs{Name: "small", Backlog: 1, Stop: true})
	addr = "127.0.0.1:" + servicePort(t, small)
	for i := 0; i < 3; i++ {
		timeout := longWait
		if i == 2 {
			timeout = shortWait // the SYN is dropped: the next try would come after 1 s
		}
		conn, err := net.DialTimeout("tcp", addr, timeout)
		if i < 2 && err != nil {
			t.Fatalf("connection %d to a Backlog 1 server: %v", i, err)
		}
		if i == 2 && err == nil {
			t.Error("a third connection to a stopped Backlog 1 server completed")
		}
		if err == nil {
			defer conn.Close()
		}
	}
}
