package eproc

import (
	"bytes"
	"runtime"
	"strconv"
	"testing"
)

func TestEventStringTable(t *testing.T) {
	// D1: the event strings, built from strsignal with the first letter
	// downcased.
	cases := []struct {
		st   rawStatus
		want string
	}{
		{rawStatus{kind: rawExit}, "finished\n"},
		{rawStatus{kind: rawExit, code: 3}, "exited abnormally with code 3\n"},
		{rawStatus{kind: rawExit, code: 255}, "exited abnormally with code 255\n"},
		{rawStatus{kind: rawSignal, code: 9}, "killed\n"},
		{rawStatus{kind: rawSignal, code: 15}, "terminated\n"},
		{rawStatus{kind: rawSignal, code: 2}, "interrupt\n"},
		{rawStatus{kind: rawSignal, code: 1}, "hangup\n"},
		{rawStatus{kind: rawSignal, code: 3}, "quit\n"},
		{rawStatus{kind: rawSignal, code: 11}, "segmentation fault\n"},
		{rawStatus{kind: rawSignal, code: 11, core: true}, "segmentation fault (core dumped)\n"},
		{rawStatus{kind: rawSignal, code: 6}, "aborted\n"},
		{rawStatus{kind: rawSignal, code: 13}, "broken pipe\n"},
		{rawStatus{kind: rawSignal, code: 10}, "user defined signal 1\n"},
		{rawStatus{kind: rawSignal, code: 14}, "alarm clock\n"},
		{rawStatus{kind: rawSignal, code: 35}, "real-time signal 1\n"},
		{rawStatus{kind: rawSignal, code: 24}, "cPU time limit exceeded\n"},
		{rawStatus{kind: rawSignal, code: 26}, "virtual timer expired\n"},
		{rawStatus{kind: rawSignal, code: 5}, "trace/breakpoint trap\n"},
		{rawStatus{kind: rawSignal, code: 7}, "bus error\n"},
		{rawStatus{kind: rawSignal, code: 8}, "floating point exception\n"},
		{rawStatus{kind: rawSignal, code: 4}, "illegal instruction\n"},
		{rawStatus{kind: rawSignal, code: 31}, "bad system call\n"},
		{rawStatus{kind: rawSignal, code: 16}, "stack fault\n"},
		{rawStatus{kind: rawSignal, code: 30}, "power failure\n"},
		{rawStatus{kind: rawStop, code: 19}, "stopped (signal)\n"},
		{rawStatus{kind: rawStop, code: 20}, "stopped\n"},
		{rawStatus{kind: rawStop, code: 21}, "stopped (tty input)\n"},
		{rawStatus{kind: rawStop, code: 22}, "stopped (tty output)\n"},
		{rawStatus{kind: rawRun}, "run"},
	}
	if runtime.GOOS != "linux" {
		t.Skip("the texts are glibc's strsignal; other systems word them differently")
	}
	for _, c := range cases {
		if got := eventString(kindReal, c.st); got != c.want {
			t.Errorf("eventString(%+v) = %q, want %q", c.st, got, c.want)
		}
	}
	// D1: pipe processes report "finished\n" when closed, network ones
	// "deleted\n" or "connection broken by remote peer\n".
	if got := eventString(kindPipe, rawStatus{kind: rawExit}); got != "finished\n" {
		t.Errorf("pipe closed: %q", got)
	}
	if got := eventString(kindNetwork, rawStatus{kind: rawExit, code: 256}); got != "connection broken by remote peer\n" {
		t.Errorf("network broken: %q", got)
	}
}

func TestDefaultSentinelAndFilterText(t *testing.T) {
	// B2: buffer "PRE\n", point at 2, output then exit.
	rt := newRuntime(t, Config{})
	b := rt.GetBufferCreate("echo-buf")
	b.Insert("PRE\n")
	b.GotoChar(2)
	a := helperArgs("echo", "echo", "hello", "world")
	a.Buffer = b
	p := mustMake(t, rt, a)
	if got := p.Mark().Position(); got != 5 {
		t.Errorf("initial mark %d, want 5 (B1: end of buffer)", got)
	}
	waitExit(t, p)
	if got, want := b.String(), "PRE\nhello\nworld\n\nProcess echo finished\n"; got != want {
		t.Errorf("buffer %q, want %q", got, want)
	}
	if b.Point() != 2 {
		t.Errorf("point %d, want 2: it was before the mark", b.Point())
	}
	if got := p.Mark().Position(); got != b.PointMax() {
		t.Errorf("mark %d, want end %d", got, b.PointMax())
	}
}

func TestAllOutputBeforeExitSentinel(t *testing.T) {
	// D2.3: every byte reaches the filter before the exit sentinel.
	rt := newRuntime(t, Config{})
	const n = 1 << 20
	var got bytes.Buffer
	var atSentinel = -1
	var events []string
	a := helperArgs("big", "write", strconv.Itoa(n), "4")
	a.Filter = func(p *Process, s string) { got.WriteString(s) }
	a.Sentinel = func(p *Process, e string) { atSentinel = got.Len(); events = append(events, e) }
	p := mustMake(t, rt, a)
	waitExit(t, p)
	if atSentinel != n || !bytes.Equal(got.Bytes(), patternBytes(n)) {
		t.Errorf("sentinel saw %d bytes of %d; total %d, equal %v", atSentinel, n, got.Len(), bytes.Equal(got.Bytes(), patternBytes(n)))
	}
	if len(events) != 1 || events[0] != "exited abnormally with code 4\n" {
		t.Errorf("events %q", events)
	}
}

func TestSentinelExactlyOnceManyChildren(t *testing.T) {
	// D2.1 and the manual: termination runs the sentinel exactly once.
	rt := newRuntime(t, Config{})
	const n = 50
	counts := make(map[string]int)
	var ps []*Process
	for i := 0; i < n; i++ {
		a := helperArgs("once", "write", strconv.Itoa(1000*i), strconv.Itoa(i%4))
		a.Filter = func(*Process, string) {}
		a.Sentinel = func(p *Process, e string) { counts[p.Name()]++ }
		ps = append(ps, mustMake(t, rt, a))
	}
	for _, p := range ps {
		waitExit(t, p)
	}
	rt.AcceptProcessOutput(nil, shortWait, false)
	for _, p := range ps {
		if counts[p.Name()] != 1 {
			t.Errorf("%s: sentinel ran %d times", p.Name(), counts[p.Name()])
		}
	}
	if len(rt.ProcessList()) != 0 {
		t.Errorf("exited processes still listed: %v", rt.ProcessList())
	}
}
