//go:build linux

package eproc

// Network benchmarks (issue "Performance, round two"), each with the
// net package's baseline first in the same run and eproc's ratio to it:
//
//	go test -run '^$' -bench Network -benchtime 1x
//
// BenchmarkNetworkThroughput  TCP stream through a filter, against a
//                             net.Conn read in a loop (target >= 0.9x)
// BenchmarkNetworkAcceptRate  connections made and answered per second,
//                             against net.Listener with a goroutine per
//                             connection (target >= 0.9x)
// BenchmarkNetworkConnections eproc.netconns open connections on one
//                             server: descriptors, heap and goroutines
//                             per connection (target: <= 1 fd, 0
//                             goroutines, less heap than the baseline)
// BenchmarkNetworkDatagram    datagram round trips, p50 and p99, against
//                             net.UDPConn (target <= 1.2x)

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

var (
	benchNetMiB      = flag.Int("eproc.netmib", 256, "MiB sent through one TCP connection in BenchmarkNetworkThroughput")
	benchNetAccepts  = flag.Int("eproc.netaccepts", 2000, "connections per op in BenchmarkNetworkAcceptRate")
	benchNetConns    = flag.Int("eproc.netconns", 10000, "open connections in BenchmarkNetworkConnections")
	benchNetDatagram = flag.Int("eproc.netdatagrams", 10000, "round trips per op in BenchmarkNetworkDatagram")
)

// tcpSource listens on the loopback and writes size bytes to each
// connection it accepts, then closes it. It returns the address and a
// stop function.
func tcpSource(b *testing.B, size int64) (string, func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	return ln.Addr().String(), serveTCPSource(ln, size)
}

// tcpSourceChild is tcpSource in a helper child, so that the bytes come
// from another process, as a peer's usually do.
func tcpSourceChild(b *testing.B, size int64) (string, func()) {
	_, out, stop := startHelper(b, "tcpsource", fmt.Sprint(size))
	var addr string
	if _, err := fmt.Fscan(out, &addr); err != nil {
		stop()
		b.Fatalf("tcpsource: %v", err)
	}
	return addr, stop
}

// startHelper starts the helper child named by args[0], with the rest of
// args. It returns the child's standard input and output, and a function
// that ends its input and waits for it to exit.
func startHelper(b *testing.B, args ...string) (io.Writer, io.Reader, func()) {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), helperEnv+"=1")
	cmd.Stderr = os.Stderr
	in, out := startPiped(b, cmd)
	return in, out, func() { in.Close(); cmd.Wait() }
}

// serveTCPSource serves tcpSource on ln until the returned stop function.
func serveTCPSource(ln net.Listener, size int64) func() {
	chunk := make([]byte, 64<<10)
	for i := range chunk {
		chunk[i] = byte('a' + i%26)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			for left := size; left > 0; {
				n := min(left, int64(len(chunk)))
				if _, err := c.Write(chunk[:n]); err != nil {
					break
				}
				left -= n
			}
			c.Close()
		}
	}()
	return func() { ln.Close(); wg.Wait() }
}

// BenchmarkNetworkThroughput: a Go server writes eproc.netmib MiB into a
// TCP connection; the baseline reads it from a net.Conn in 64 KiB reads
// (io.Copy's loop), eproc through a network process's filter (coding
// binary). The server is a goroutine of the benchmark (in-process) or a
// helper child (child). Target: eproc/baseline >= 0.9.
func BenchmarkNetworkThroughput(b *testing.B) {
	size := int64(*benchNetMiB) << 20
	b.Run("in-process", func(b *testing.B) {
		addr, stop := tcpSource(b, size)
		defer stop()
		benchNetThroughput(b, addr, size)
	})
	b.Run("child", func(b *testing.B) {
		addr, stop := tcpSourceChild(b, size)
		defer stop()
		benchNetThroughput(b, addr, size)
	})
}

// benchNetThroughput is BenchmarkNetworkThroughput with the server at
// addr.
func benchNetThroughput(b *testing.B, addr string, size int64) {
	var base float64
	b.Run("baseline", func(b *testing.B) {
		b.SetBytes(size)
		b.ReportAllocs()
		start, cpu := time.Now(), cpuTime(b)
		for i := 0; i < b.N; i++ {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				b.Fatal(err)
			}
			var w byteCounter
			if _, err := io.CopyBuffer(&w, c, make([]byte, 64<<10)); err != nil {
				b.Fatal(err)
			}
			c.Close()
			if w.n != size {
				b.Fatalf("read %d bytes, want %d", w.n, size)
			}
		}
		base = mbps(size*int64(b.N), time.Since(start))
		reportCPU(b, cpu)
	})
	for _, bytes := range []bool{false, true} {
		name := "eproc"
		if bytes {
			name = "eproc-bytes" // a BytesFilter: the read buffer is reused
		}
		b.Run(name, func(b *testing.B) { netThroughputEproc(b, addr, size, base, bytes) })
	}
}

// netThroughputEproc is BenchmarkNetworkThroughput's eproc side, with a
// string Filter or a BytesFilter.
func netThroughputEproc(b *testing.B, addr string, size int64, base float64, bytes bool) {
	{
		rt := benchRuntime(b)
		host, port, _ := net.SplitHostPort(addr)
		b.SetBytes(size)
		b.ReportAllocs()
		start, cpu := time.Now(), cpuTime(b)
		for i := 0; i < b.N; i++ {
			var got, reads int64
			p, err := rt.MakeNetworkProcess(NetworkArgs{Name: "recv", Host: host, Service: port,
				Coding:   Coding{Decoding: "binary", Encoding: "binary"},
				Filter:   func(p *Process, s string) { got += int64(len(s)); reads++ },
				Sentinel: func(*Process, string) {}})
			if err != nil {
				b.Fatal(err)
			}
			if bytes {
				// Nothing is read before the wait below dispatches.
				p.SetBytesFilter(func(p *Process, s []byte) { got += int64(len(s)); reads++ })
			}
			waitExit(b, p)
			if got != size {
				b.Fatalf("read %d bytes, want %d", got, size)
			}
			b.ReportMetric(float64(reads), "reads")
		}
		got := mbps(size*int64(b.N), time.Since(start))
		reportCPU(b, cpu)
		if base > 0 {
			b.ReportMetric(got/base, "x-baseline")
		}
	}
}

// dialPingPong makes n connections to addr from `workers` goroutines:
// each sends "ping\n", reads "pong\n" and closes.
func dialPingPong(b *testing.B, addr string, n int) {
	const workers = 8
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 5)
			for next.Add(1) <= int64(n) {
				c, err := net.Dial("tcp", addr)
				if err != nil {
					errs <- err
					return
				}
				c.SetDeadline(time.Now().Add(longWait))
				if _, err := io.WriteString(c, "ping\n"); err != nil {
					errs <- err
					return
				}
				if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "pong\n" {
					errs <- fmt.Errorf("read %q, %v", buf, err)
					return
				}
				c.Close()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}

// BenchmarkNetworkAcceptRate: eproc.netaccepts connections per op from 8
// client goroutines, each sending "ping\n" and reading "pong\n". The
// baseline server is a net.Listener with a goroutine per connection;
// eproc's is a server process whose filter answers, dispatched by Run.
// Target: eproc/baseline >= 0.9 (connections per second).
func BenchmarkNetworkAcceptRate(b *testing.B) {
	n := *benchNetAccepts
	var base float64
	b.Run("baseline", func(b *testing.B) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		defer ln.Close()
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				go func() {
					defer c.Close()
					r := bufio.NewReader(c)
					if line, err := r.ReadString('\n'); err == nil && line == "ping\n" {
						io.WriteString(c, "pong\n")
					}
					io.Copy(io.Discard, r)
				}()
			}
		}()
		b.ReportAllocs()
		start, cpu := time.Now(), cpuTime(b)
		for i := 0; i < b.N; i++ {
			dialPingPong(b, ln.Addr().String(), n)
		}
		base = float64(n*b.N) / time.Since(start).Seconds()
		b.ReportMetric(base, "conns/s")
		reportCPU(b, cpu)
	})
	b.Run("eproc", func(b *testing.B) {
		rt := benchRuntime(b)
		s, err := rt.MakeNetworkProcess(NetworkArgs{Name: "srv", Server: true, AnyPort: true,
			Filter: func(p *Process, s string) {
				if s == "ping\n" {
					p.SendString("pong\n")
				}
			},
			Sentinel: func(*Process, string) {}})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { rt.Run(ctx); close(done) }()
		defer func() { cancel(); <-done }()
		b.ReportAllocs()
		start, cpu := time.Now(), cpuTime(b)
		for i := 0; i < b.N; i++ {
			dialPingPong(b, FormatAddr(s.LocalAddr(), false), n)
		}
		got := float64(n*b.N) / time.Since(start).Seconds()
		b.ReportMetric(got, "conns/s")
		reportCPU(b, cpu)
		if base > 0 {
			b.ReportMetric(got/base, "x-baseline")
		}
	})
}

// connMetrics measures a population of open connections on one server,
// not counting the clients' own descriptors.
type connMetrics struct {
	fds0, gor0 int
	heap0      uint64
	stack0     uint64
}

func startConns(b *testing.B) connMetrics {
	var ms runtime.MemStats
	heap := liveHeap()
	runtime.ReadMemStats(&ms)
	return connMetrics{fds0: openFDs(b), gor0: runtime.NumGoroutine(), heap0: heap, stack0: ms.StackInuse}
}

func (m connMetrics) report(b *testing.B, n int) {
	var ms runtime.MemStats
	heap := liveHeap()
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(n), "conns")
	b.ReportMetric(float64(openFDs(b)-m.fds0)/float64(n), "fds/conn")
	b.ReportMetric(float64(runtime.NumGoroutine()-m.gor0)/float64(n), "goroutines/conn")
	b.ReportMetric((float64(heap)-float64(m.heap0))/float64(n), "heap-B/conn")
	b.ReportMetric((float64(ms.StackInuse)-float64(m.stack0))/float64(n), "stack-B/conn")
}

// netConnsFit raises the descriptor limit and returns how many
// connections (a descriptor each on the server's side) fit, skipping when
// eproc.netconns do not.
func netConnsFit(b *testing.B) int {
	n := *benchNetConns
	limit := raiseFDLimit(b)
	if need := uint64(n + 1000); limit < need {
		b.Skipf("RLIMIT_NOFILE's hard limit is %d; %d connections need %d (run with ulimit -Hn %d or -eproc.netconns %d)",
			limit, n, need, need, limit-1000)
	}
	return n
}

func init() {
	// udpecho: udpEcho in a helper child; print the port first, stop at
	// the end of input.
	helpers["udpecho"] = func(args []string) int {
		c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			return 1
		}
		fmt.Println(c.LocalAddr().(*net.UDPAddr).Port)
		defer serveUDPEcho(c)()
		io.Copy(io.Discard, os.Stdin)
		return 0
	}
	// tcpsource SIZE: tcpSource in a helper child; print the address
	// first, stop at the end of input.
	helpers["tcpsource"] = func(args []string) int {
		size, _ := strconv.ParseInt(args[0], 10, 64)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 1
		}
		fmt.Println(ln.Addr())
		defer serveTCPSource(ln, size)()
		io.Copy(io.Discard, os.Stdin)
		return 0
	}
	// tcpclients ADDR N: dial N TCP connections to ADDR in batches of 500,
	// printing the count after each batch and waiting for a line before
	// the next; keep them open until the end of input.
	helpers["tcpclients"] = func(args []string) int {
		n, _ := strconv.Atoi(args[1])
		var lim syscall.Rlimit
		if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) == nil {
			lim.Cur = lim.Max
			syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
		}
		in := bufio.NewReader(os.Stdin)
		conns := make([]net.Conn, 0, n)
		for len(conns) < n {
			for k := 0; k < 500 && len(conns) < n; k++ {
				c, err := net.Dial("tcp", args[0])
				if err != nil {
					fmt.Fprintf(os.Stderr, "after %d connections: %v\n", len(conns), err)
					return 1
				}
				conns = append(conns, c)
			}
			fmt.Println(len(conns))
			if len(conns) < n {
				if _, err := in.ReadString('\n'); err != nil {
					return 1
				}
			}
		}
		io.Copy(io.Discard, in)
		for _, c := range conns {
			c.Close()
		}
		return 0
	}
}

// dialChild has a helper child (tcpclients) dial n clients to addr in
// batches, calling settle after each batch so that the server accepts them
// before the listen queue fills. The clients stay open until the returned
// stop function.
func dialChild(b *testing.B, addr string, n int, settle func(dialed int)) (stop func()) {
	in, out, stop := startHelper(b, "tcpclients", addr, fmt.Sprint(n))
	for dialed := 0; dialed < n; {
		if _, err := fmt.Fscan(out, &dialed); err != nil {
			stop()
			b.Fatalf("tcpclients: %v", err)
		}
		settle(dialed)
		if dialed < n {
			io.WriteString(in, "\n")
		}
	}
	return stop
}

// BenchmarkNetworkConnections: eproc.netconns idle connections open on one
// server (the clients are net.Conns of a helper child, so that only the
// server's descriptors count against this process's limit). The baseline
// is a net.Listener with a goroutine per connection, blocked in Read;
// eproc's server accepts them as processes. Needs RLIMIT_NOFILE >= the
// connections + 1000: the soft limit is raised to the hard one, and the
// benchmark skips, saying why, when that is too low. Targets: <= 1 fd and
// 0 goroutines per connection, less heap than the baseline.
func BenchmarkNetworkConnections(b *testing.B) {
	b.Run("baseline", func(b *testing.B) {
		n := netConnsFit(b)
		for i := 0; i < b.N; i++ {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			m := startConns(b)
			var accepted atomic.Int64
			var server []net.Conn
			var mu sync.Mutex
			go func() {
				for {
					c, err := ln.Accept()
					if err != nil {
						return
					}
					mu.Lock()
					server = append(server, c)
					mu.Unlock()
					accepted.Add(1)
					go func() {
						buf := make([]byte, 4096) // a reader's buffer, as a line server has
						for {
							if _, err := c.Read(buf); err != nil {
								return
							}
						}
					}()
				}
			}()
			start := time.Now()
			stop := dialChild(b, ln.Addr().String(), n, func(dialed int) {
				for deadline := time.Now().Add(longWait); accepted.Load() < int64(dialed); {
					if time.Now().After(deadline) {
						b.Fatalf("accepted %d of %d", accepted.Load(), dialed)
					}
					runtime.Gosched()
				}
			})
			since(b, start, "open-ms")
			m.report(b, n)
			ln.Close()
			stop()
			mu.Lock()
			for _, c := range server {
				c.Close()
			}
			mu.Unlock()
		}
	})
	b.Run("eproc", func(b *testing.B) {
		n := netConnsFit(b)
		for i := 0; i < b.N; i++ {
			rt := benchRuntime(b)
			accepted := 0
			s, err := rt.MakeNetworkProcess(NetworkArgs{Name: "srv", Server: true, AnyPort: true,
				Filter:   func(*Process, string) {},
				Sentinel: func(*Process, string) {},
				Log:      func(_, _ *Process, _ string) { accepted++ }})
			if err != nil {
				b.Fatal(err)
			}
			m := startConns(b)
			start := time.Now()
			stop := dialChild(b, FormatAddr(s.LocalAddr(), false), n, func(dialed int) {
				waitUntil(b, rt, "accepts", func() bool { return accepted >= dialed })
			})
			since(b, start, "open-ms")
			m.report(b, n)
			stop()
			rt.Close()
		}
	})
}

// udpEcho answers every datagram on a loopback socket with the same
// datagram, until stop.
func udpEcho(b *testing.B) (*net.UDPAddr, func()) {
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		b.Fatal(err)
	}
	return c.LocalAddr().(*net.UDPAddr), serveUDPEcho(c)
}

// serveUDPEcho serves udpEcho on c until the returned stop function.
func serveUDPEcho(c *net.UDPConn) func() {
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 2048)
		for {
			n, from, err := c.ReadFromUDP(buf)
			if err != nil {
				return
			}
			c.WriteToUDP(buf[:n], from)
		}
	}()
	return func() { c.Close(); <-done }
}

// udpEchoChild is udpEcho in a helper child, so that the round trip goes
// to another process, as a UDP peer's usually does.
func udpEchoChild(b *testing.B) (*net.UDPAddr, func()) {
	_, out, stop := startHelper(b, "udpecho")
	var port int
	if _, err := fmt.Fscan(out, &port); err != nil {
		stop()
		b.Fatalf("udpecho: %v", err)
	}
	return &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}, stop
}

// BenchmarkNetworkDatagram: eproc.netdatagrams round trips per op to an
// echo server on the loopback: send a datagram, wait for its echo. The
// echo server is a goroutine of the benchmark (in-process) or a helper
// child (child). The baseline is a connected net.UDPConn; eproc's client
// is a datagram process waiting in AcceptProcessOutput. Target: eproc's
// median and p99 latency <= 1.2 times the baseline's.
func BenchmarkNetworkDatagram(b *testing.B) {
	b.Run("in-process", func(b *testing.B) {
		addr, stop := udpEcho(b)
		defer stop()
		benchDatagram(b, addr)
	})
	b.Run("child", func(b *testing.B) {
		addr, stop := udpEchoChild(b)
		defer stop()
		benchDatagram(b, addr)
	})
}

// benchDatagram is BenchmarkNetworkDatagram with the echo server at addr.
func benchDatagram(b *testing.B, addr *net.UDPAddr) {
	k := *benchNetDatagram
	var baseMedian, baseP99 float64
	b.Run("baseline", func(b *testing.B) {
		c, err := net.DialUDP("udp", nil, addr)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		buf := make([]byte, 64)
		ds := make([]time.Duration, 0, b.N*k)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N*k; i++ {
			t0 := time.Now()
			if _, err := c.Write([]byte("ping")); err != nil {
				b.Fatal(err)
			}
			c.SetReadDeadline(t0.Add(longWait))
			if n, err := c.Read(buf); err != nil || string(buf[:n]) != "ping" {
				b.Fatalf("read %q, %v", buf[:n], err)
			}
			ds = append(ds, time.Since(t0))
		}
		b.StopTimer()
		baseMedian, baseP99 = latencies(b, ds)
	})
	b.Run("eproc", func(b *testing.B) {
		rt := benchRuntime(b)
		echoes := 0
		p, err := rt.MakeNetworkProcess(NetworkArgs{Name: "udp", Type: "datagram", Remote: addr,
			Filter: func(p *Process, s string) {
				if s == "ping" {
					echoes++
				}
			}})
		if err != nil {
			b.Fatal(err)
		}
		echoLatencies(b, rt, p, "ping", func() int { return echoes }, k, baseMedian, baseP99)
	})
}
