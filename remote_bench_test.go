//go:build linux

package eproc

// Benchmarks of remote processes beside raw OpenSSH through the same
// control master, against the test sshd (sshd_test.go), for the issue
// "Remote processes". Each has a baseline sub-benchmark (the OpenSSH
// client run with os/exec as "ssh -S MASTER HOST ...") and an eproc one,
// run in the same process through the same master; eproc reports its
// ratio to the baseline as "x-baseline": for latencies eproc's median over
// the baseline's (target <= 1.2), for throughput eproc's rate over the
// baseline's (target >= 0.9). Medians make the latencies robust on a
// shared machine. Check that they run with
//
//	go test -run '^$' -bench Remote -benchtime 1x
//
// and measure with -benchtime 3x -count 3 on a quiet machine.

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"testing"
	"time"
)

var (
	benchRemoteCalls = flag.Int("eproc.remotecalls", 20, "calls per op in the remote latency benchmarks")
	benchRemoteMiB   = flag.Int("eproc.remotemib", 64, "MiB read from a remote cat in BenchmarkRemoteThroughput")
)

// remoteBench is the setting of a remote benchmark: a Runtime with its
// connection to the test sshd open, and the raw ssh command line through
// the same master.
type remoteBench struct {
	rt  *Runtime
	dir string
	ssh []string // ssh ... HOST, to which the remote command is appended
}

func newRemoteBench(b *testing.B, cfg Config) *remoteBench {
	s := needSSHD(b)
	dir := s.prefix() + "/tmp/"
	cfg.DefaultDirectory = dir
	rt := s.runtime(b, nil, cfg)
	if st, err := rt.ProcessFileContext(context.Background(), ProcessFileArgs{Program: "true", Dir: dir}); err != nil || st.Code != 0 {
		b.Fatalf("opening the connection: %v %v", st, err)
	}
	var ctl string
	rt.remote.mu.Lock()
	for _, c := range rt.remote.conns {
		ctl = c.ctlPath
	}
	rt.remote.mu.Unlock()
	return &remoteBench{rt: rt, dir: dir, ssh: []string{"ssh", "-F", s.config, "-S", ctl, "-o", "ControlMaster=no",
		"-o", "BatchMode=yes", "-T", "-p", strconv.Itoa(s.port), "-l", sshTestUser, "127.0.0.1"}}
}

// raw runs the raw ssh with the remote command line.
func (rb *remoteBench) raw(b *testing.B, command string) {
	argv := append(append([]string(nil), rb.ssh...), command)
	if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
		b.Fatalf("%q: %v %s", argv, err, out)
	}
}

// interleaved runs base, eproc and then exec (the baseline with the
// program run as a file, not as a shell builtin) one after the other,
// eproc.remotecalls times per op each, and reports their median latencies
// and eproc's over the baselines'. Interleaving keeps a load that changes
// during the run (other processes on a shared machine) from favouring
// either side.
func interleaved(b *testing.B, base, eproc, exec func()) {
	k := *benchRemoteCalls
	var db, de, dx []time.Duration
	for i := 0; i < b.N; i++ {
		for j := 0; j < k; j++ {
			t0 := time.Now()
			base()
			t1 := time.Now()
			eproc()
			t2 := time.Now()
			exec()
			db, de, dx = append(db, t1.Sub(t0)), append(de, t2.Sub(t1)), append(dx, time.Since(t2))
		}
	}
	med := func(ds []time.Duration) float64 {
		slices.Sort(ds)
		return float64(ds[len(ds)/2].Nanoseconds())
	}
	mb, me, mx := med(db), med(de), med(dx)
	b.ReportMetric(mb, "baseline-median-ns")
	b.ReportMetric(me, "eproc-median-ns")
	b.ReportMetric(float64(de[len(de)*9/10].Nanoseconds()), "eproc-p90-ns")
	b.ReportMetric(me/mb, "x-baseline")
	b.ReportMetric(me/mx, "x-baseline-bin-true")
}

// The latency benchmarks' baseline runs "true", which the remote login
// shell runs as a builtin; eproc runs the program "true" (/bin/true),
// which costs a fork and an exec more on the remote host, as does any
// real program. So they also report x-baseline-bin-true, eproc's median
// over that of "ssh -S MASTER HOST /bin/true".

// BenchmarkRemoteProcessFile: ProcessFile("true") on a remote directory
// beside "ssh -S MASTER HOST true". Target: x-baseline <= 1.2.
func BenchmarkRemoteProcessFile(b *testing.B) {
	rb := newRemoteBench(b, Config{})
	interleaved(b, func() { rb.raw(b, "true") }, func() {
		st, err := rb.rt.ProcessFileContext(context.Background(), ProcessFileArgs{Program: "true", Dir: rb.dir})
		if err != nil || st.Code != 0 {
			b.Fatalf("ProcessFile: %v %v", st, err)
		}
	}, func() { rb.raw(b, "/bin/true") })
}

// BenchmarkRemoteStartFileProcess: StartFileProcess running "true" in
// the remote default directory (over pipes, as the baseline's ssh -T),
// waited for until its exit sentinel has run, beside "ssh -S MASTER HOST
// true". Target: x-baseline <= 1.2.
func BenchmarkRemoteStartFileProcess(b *testing.B) {
	rb := newRemoteBench(b, Config{ProcessConnectionType: Pipe})
	interleaved(b, func() { rb.raw(b, "true") }, func() {
		exited := false
		p, err := rb.rt.StartFileProcess("true", nil, "true")
		if err != nil {
			b.Fatal(err)
		}
		p.SetSentinel(func(p *Process, ev string) { exited = ev == "finished\n" })
		ctx, cancel := context.WithTimeout(context.Background(), longWait)
		defer cancel()
		if err := p.Wait(ctx); err != nil || !exited {
			b.Fatalf("wait: %v, exited %v", err, exited)
		}
	}, func() { rb.raw(b, "/bin/true") })
}

// BenchmarkRemoteThroughput: eproc.remotemib MiB of UTF-8 text from a
// remote cat into a filter that counts the bytes, beside "ssh -S MASTER
// HOST cat FILE" read by a Go reader in 64 KiB reads, interleaved.
// Target: x-baseline >= 0.9.
func BenchmarkRemoteThroughput(b *testing.B) {
	rb := newRemoteBench(b, Config{})
	size := int64(*benchRemoteMiB) << 20
	local, _ := benchText(b, b.TempDir(), int(size))
	remote := fmt.Sprintf("/tmp/eproc-bench-%d-%d", os.Getpid(), time.Now().UnixNano())
	if st, err := rb.rt.ProcessFileContext(context.Background(), ProcessFileArgs{Program: "sh", Args: []string{"-c", "cat > " + remote}, Infile: local, Dir: rb.dir}); err != nil || st.Code != 0 {
		b.Fatalf("copying the text: %v %v", st, err)
	}
	b.Cleanup(func() { rb.raw(b, "rm -f "+remote) })
	b.SetBytes(size)
	var tb, te time.Duration
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		argv := append(append([]string(nil), rb.ssh...), "cat "+remote)
		cmd := exec.Command(argv[0], argv[1:]...)
		out, err := cmd.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		n, _ := io.CopyBuffer(io.Discard, out, make([]byte, 64<<10))
		if err := cmd.Wait(); err != nil || n != size {
			b.Fatalf("raw ssh cat: %d bytes, %v", n, err)
		}
		t1 := time.Now()
		n = 0
		p, err := rb.rt.MakeProcess(ProcessArgs{Name: "cat", Command: []string{"cat", remote}, Dir: rb.dir, FileHandler: true,
			ConnectionType: Pipe, Filter: func(p *Process, s string) { n += int64(len(s)) }})
		if err != nil {
			b.Fatal(err)
		}
		waitExit(b, p)
		if n != size || p.ExitStatus() != 0 {
			b.Fatalf("eproc counted %d bytes, status %d", n, p.ExitStatus())
		}
		tb, te = tb+t1.Sub(t0), te+time.Since(t1)
	}
	base, got := mbps(size*int64(b.N), tb), mbps(size*int64(b.N), te)
	b.ReportMetric(base, "baseline-MB/s")
	b.ReportMetric(got, "eproc-MB/s")
	b.ReportMetric(got/base, "x-baseline")
}
