//go:build linux

package eproc

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

const emfileClients = 20

func init() {
	helpers["acceptemfile"] = acceptEMFILEHelper
}

// acceptEMFILEHelper runs a server whose accepts fail for lack of
// descriptors. It prints "port N", lowers RLIMIT_NOFILE and fills every
// free descriptor, waits for "go" on stdin (the parent has connected its
// clients), dispatches for 500 ms while accept fails, frees the
// descriptors, serves every client ("ok " and the client's line), and
// prints "cpu MICROSECONDS logs N served N" (the CPU time of the 500 ms).
// It exits when stdin closes.
func acceptEMFILEHelper(args []string) int {
	rt := NewRuntime(Config{})
	var logs []string
	served := 0
	s, err := rt.MakeNetworkProcess(NetworkArgs{Name: "srv", Server: true, AnyPort: true,
		Log: func(_, conn *Process, msg string) {
			if conn == nil {
				logs = append(logs, msg)
			}
		},
		Filter: func(p *Process, out string) {
			p.SendString("ok " + out)
			served++
		}})
	if err != nil {
		fmt.Println(err)
		return 1
	}
	fmt.Printf("port %d\n", s.LocalAddr().(*net.TCPAddr).Port)
	in := bufio.NewReader(os.Stdin)
	if line, _ := in.ReadString('\n'); line != "go\n" {
		return 1
	}
	// Room for the clients once the fillers are closed, none before.
	ents, _ := os.ReadDir("/proc/self/fd")
	var lim syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
	lim.Cur = uint64(len(ents) + 2*emfileClients)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		fmt.Println(err)
		return 1
	}
	// The Go runtime's poller needs descriptors of its own when the first
	// timer starts: start one before the filling.
	keep := time.AfterFunc(time.Hour, func() {})
	defer keep.Stop()
	var fillers []int
	for {
		fd, err := unix.Dup(0)
		if err != nil {
			break
		}
		fillers = append(fillers, fd)
	}
	cpu0 := helperCPU()
	rt.SitFor(500 * time.Millisecond)
	cpu := helperCPU() - cpu0
	for _, fd := range fillers {
		unix.Close(fd)
	}
	deadline := time.Now().Add(longWait)
	for served < emfileClients && time.Now().Before(deadline) {
		rt.AcceptProcessOutput(nil, 50*time.Millisecond, false)
	}
	first := ""
	if len(logs) > 0 {
		first = logs[0]
	}
	fmt.Printf("cpu %d logs %d served %d first %q\n", cpu.Microseconds(), len(logs), served, first)
	io.Copy(io.Discard, in)
	return 0
}

func helperCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Issue 17 item 4: while accept fails with EMFILE, a server does not spin:
// the child above (the test binary under a lowered RLIMIT_NOFILE) uses
// little CPU during 500 ms of failing accepts, logs the failure once, and
// serves every client once descriptors are free again. Before the
// back-off it took all the CPU it could get (157 ms on a loaded machine)
// and logged 52,613 lines; after, about 6 ms under -race and one line.
func TestNetworkAcceptEMFILE(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*longWait)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "acceptemfile")
	cmd.Env = append(os.Environ(), helperEnv+"=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	out := bufio.NewReader(stdout)
	var port int
	if line, _ := out.ReadString('\n'); !strings.HasPrefix(line, "port ") {
		t.Fatalf("child said %q; stderr %s", line, stderr.String())
	} else {
		fmt.Sscanf(line, "port %d", &port)
	}
	// The child fills its descriptors only after "go": connect first, so
	// that accept fails from its first attempt.
	var conns []net.Conn
	for i := 0; i < emfileClients; i++ {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), longWait)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(2 * longWait))
		fmt.Fprintf(c, "hi %d\n", i)
		conns = append(conns, c)
	}
	io.WriteString(stdin, "go\n")
	report, _ := out.ReadString('\n')
	var cpu, logs, served int
	if n, _ := fmt.Sscanf(report, "cpu %d logs %d served %d", &cpu, &logs, &served); n != 3 {
		t.Fatalf("child reported %q; stderr %s", report, stderr.String())
	}
	t.Logf("child: %s", strings.TrimSpace(report))
	if cpu > 50_000 {
		t.Errorf("%d µs of CPU during 500 ms of failing accepts: the server spins", cpu)
	}
	if logs != 1 || !strings.Contains(report, `"accept failed with code 24\n"`) {
		t.Errorf("%d log lines, want one \"accept failed with code 24\\n\": %s", logs, report)
	}
	if served != emfileClients {
		t.Errorf("served %d of %d clients", served, emfileClients)
	}
	for i, c := range conns {
		line, err := bufio.NewReader(c).ReadString('\n')
		if want := fmt.Sprintf("ok hi %d\n", i); line != want || err != nil {
			t.Errorf("client %d got %q, %v; want %q", i, line, err, want)
		}
	}
}
