package eproc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Each test that pins an Emacs behaviour names the entry of
// ../shared/emacs-behaviour.md (checked against GNU Emacs 28.2) it follows.

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

func TestDefaultFilterPointAtMarkFollows(t *testing.T) {
	// B3: point at the mark advances with output; so do other markers there.
	rt := newRuntime(t, Config{})
	b := rt.GetBufferCreate("follow")
	b.Insert("ab")
	a := helperArgs("f", "echo", "xyz")
	a.Buffer = b
	p := mustMake(t, rt, a)
	other := NewMarker()
	other.Set(b, 3)
	waitExit(t, p)
	if got, want := b.String(), "abxyz\n\nProcess f finished\n"; got != want {
		t.Fatalf("buffer %q, want %q", got, want)
	}
	if b.Point() != b.PointMax() {
		t.Errorf("point %d, want %d (followed the output)", b.Point(), b.PointMax())
	}
	if other.Position() != b.PointMax() {
		t.Errorf("user marker at the mark: %d, want %d", other.Position(), b.PointMax())
	}
}

func TestDefaultFilterMovedMark(t *testing.T) {
	// B4: output goes where the mark is; B6: a mark pointing nowhere goes
	// to the end of the buffer.
	rt := newRuntime(t, Config{})
	b := rt.GetBufferCreate("moved")
	b.Insert("ABCDEF")
	var sentinelDone bool
	a := helperArgs("m", "bytes", "7879")
	a.Buffer = b
	a.Sentinel = func(*Process, string) { sentinelDone = true }
	p := mustMake(t, rt, a)
	p.Mark().Set(b, 3)
	waitExit(t, p)
	if !sentinelDone || b.String() != "ABxyCDEF" || p.Mark().Position() != 5 {
		t.Errorf("buffer %q mark %d, want ABxyCDEF, 5", b.String(), p.Mark().Position())
	}

	b2 := rt.GetBufferCreate("nowhere")
	b2.Insert("ABC")
	a = helperArgs("n", "bytes", "5a")
	a.Buffer = b2
	a.Sentinel = func(*Process, string) {}
	p = mustMake(t, rt, a)
	p.Mark().Set(nil, 0)
	waitExit(t, p)
	if b2.String() != "ABCZ" || p.Mark().Position() != 5 || p.Mark().Buffer() != b2 {
		t.Errorf("buffer %q mark %v, want ABCZ at 5", b2.String(), p.Mark())
	}
}

func TestOutputWithoutBufferIsDiscarded(t *testing.T) {
	// B9: no buffer and the default filter: output is dropped, no error.
	rt := newRuntime(t, Config{})
	p := mustMake(t, rt, helperArgs("nobuf", "write", "100000"))
	if p.Mark().Position() != 0 || p.Mark().Buffer() != nil {
		t.Errorf("mark of a process with no buffer points somewhere: %v", p.Mark())
	}
	waitExit(t, p)
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

func TestUniqueProcessNames(t *testing.T) {
	// A1, A2: foo, foo<1>, foo<2>; a freed name is reused; newest first.
	rt := newRuntime(t, Config{})
	var ps []*Process
	for i := 0; i < 3; i++ {
		ps = append(ps, mustMake(t, rt, helperArgs("foo", "ready")))
	}
	for i, want := range []string{"foo", "foo<1>", "foo<2>"} {
		if ps[i].Name() != want {
			t.Errorf("process %d named %q, want %q", i, ps[i].Name(), want)
		}
	}
	ps[1].Delete()
	p := mustMake(t, rt, helperArgs("foo", "ready"))
	if p.Name() != "foo<1>" {
		t.Errorf("re-created name %q, want foo<1>", p.Name())
	}
	var names []string
	for _, q := range rt.ProcessList() {
		names = append(names, q.Name())
	}
	if got := strings.Join(names, " "); got != "foo<1> foo<2> foo" {
		t.Errorf("ProcessList %q, want newest first: foo<1> foo<2> foo", got)
	}
	if rt.GetProcess("foo<2>") != ps[2] || rt.GetProcess("nosuch") != nil {
		t.Error("GetProcess")
	}
}

func TestUniqueNamesUnderConcurrency(t *testing.T) {
	// 200 goroutines creating "p" at once get 200 distinct names.
	rt := newRuntime(t, Config{})
	const n = 200
	var wg sync.WaitGroup
	ps := make([]*Process, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			p, err := rt.MakePipeProcess(PipeArgs{Name: "p", NoBuffer: true})
			if err != nil {
				t.Error(err)
				return
			}
			ps[i] = p
		}(i)
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, p := range ps {
		if p == nil || seen[p.Name()] {
			t.Fatalf("duplicate or missing process name")
		}
		seen[p.Name()] = true
	}
}

func TestBufferNames(t *testing.T) {
	rt := newRuntime(t, Config{})
	b := rt.GetBufferCreate("x")
	if rt.GetBufferCreate("x") != b || rt.GetBuffer("x") != b || rt.GetBuffer("y") != nil {
		t.Fatal("GetBufferCreate/GetBuffer")
	}
	if n := rt.GenerateNewBuffer("x").Name(); n != "x<2>" {
		t.Errorf("GenerateNewBuffer: %q, want x<2>", n)
	}
	if n := rt.GenerateNewBuffer("x").Name(); n != "x<3>" {
		t.Errorf("GenerateNewBuffer: %q, want x<3>", n)
	}
	b.Kill()
	if b.Live() || rt.GetBuffer("x") != nil {
		t.Error("killed buffer still there")
	}
	if rt.GetBufferCreate("x") == b {
		t.Error("GetBufferCreate returned the killed buffer")
	}
}

func TestStderrBuffer(t *testing.T) {
	// J1: :stderr as a buffer makes the pipe process "NAME stderr".
	rt := newRuntime(t, Config{})
	out := rt.GetBufferCreate("out")
	errb := rt.GetBufferCreate("err")
	a := helperArgs("se", "outerr")
	a.Buffer = out
	a.Stderr = errb
	a.NoQuery = true
	p := mustMake(t, rt, a)
	ep := rt.GetBufferProcess(errb)
	if ep == nil || ep.Name() != "se stderr" || ep.Type() != "pipe" || ep.QueryOnExitFlag() {
		t.Fatalf("stderr process %v (type %s)", ep, ep.Type())
	}
	waitExit(t, p)
	waitExit(t, ep)
	if got, want := out.String(), "to-out\n\nProcess se exited abnormally with code 2\n"; got != want {
		t.Errorf("stdout buffer %q, want %q", got, want)
	}
	if got, want := errb.String(), "to-err\n\nProcess se stderr finished\n"; got != want {
		t.Errorf("stderr buffer %q, want %q", got, want)
	}
	if len(rt.ProcessList()) != 0 {
		t.Errorf("processes left: %v", rt.ProcessList())
	}
}

func TestStderrPipeProcess(t *testing.T) {
	// J2: :stderr as a pipe process: stderr reaches only its filter.
	rt := newRuntime(t, Config{})
	var outRec, errRec recorder
	pp, err := rt.MakePipeProcess(PipeArgs{Name: "errpipe", Filter: errRec.filter, Sentinel: errRec.sentinel})
	if err != nil {
		t.Fatal(err)
	}
	if pp.Status() != StatusOpen || pp.ID() != 0 || pp.Buffer() == nil || pp.Buffer().Name() != "errpipe" {
		t.Errorf("pipe process: status %s id %d buffer %v", pp.Status(), pp.ID(), pp.Buffer())
	}
	a := helperArgs("main", "outerr")
	a.Filter = outRec.filter
	a.Sentinel = outRec.sentinel
	a.Stderr = pp
	p := mustMake(t, rt, a)
	waitExit(t, p)
	waitExit(t, pp)
	if outRec.String() != "to-out\n" || errRec.String() != "to-err\n" {
		t.Errorf("stdout %q stderr %q", outRec.String(), errRec.String())
	}
	if len(errRec.events) != 1 || errRec.events[0] != "finished\n" {
		t.Errorf("pipe events %q", errRec.events)
	}
	if pp.Buffer().String() != "" {
		t.Errorf("pipe buffer got %q", pp.Buffer().String())
	}
}

func TestStderrMixed(t *testing.T) {
	// J3: without :stderr both streams go to the filter.
	rt := newRuntime(t, Config{})
	var rec recorder
	a := helperArgs("mix", "outerr")
	a.Filter = rec.filter
	p := mustMake(t, rt, a)
	waitExit(t, p)
	if s := rec.String(); !strings.Contains(s, "to-out\n") || !strings.Contains(s, "to-err\n") || len(s) != 14 {
		t.Errorf("mixed output %q", s)
	}
}

func TestStderrNotPipeProcess(t *testing.T) {
	// A14.
	rt := newRuntime(t, Config{})
	q := mustMake(t, rt, helperArgs("q", "ready"))
	a := helperArgs("x", "echo")
	a.Stderr = q
	if _, err := rt.MakeProcess(a); err == nil || err.Error() != "Process is not a pipe process" {
		t.Errorf("err %v", err)
	}
}

func TestCatLargeInputNoDeadlock(t *testing.T) {
	// H3: sending megabytes to cat keeps dispatching its output.
	rt := newRuntime(t, Config{})
	const n = 16 << 20
	var got int
	var sum bytes.Buffer
	a := helperArgs("cat", "cat")
	a.Filter = func(p *Process, s string) {
		got += len(s)
		if sum.Len() < 1<<20 {
			sum.WriteString(s)
		}
	}
	p := mustMake(t, rt, a)
	data := string(patternBytes(n))
	if err := p.SendString(data); err != nil {
		t.Fatal(err)
	}
	if got == 0 {
		t.Error("no output was dispatched while the input was full")
	}
	if err := p.SendEOF(); err != nil {
		t.Fatal(err)
	}
	waitExit(t, p)
	if got != n {
		t.Errorf("cat echoed %d bytes of %d", got, n)
	}
	if !bytes.Equal(sum.Bytes(), patternBytes(n)[:sum.Len()]) {
		t.Error("echoed bytes differ")
	}
}

func TestConcurrentSendsStayWhole(t *testing.T) {
	// H4: concurrent sends are written whole, in some order.
	rt := newRuntime(t, Config{})
	var out bytes.Buffer
	a := helperArgs("cat2", "cat")
	a.Filter = func(p *Process, s string) { out.WriteString(s) }
	p := mustMake(t, rt, a)
	const senders, size = 8, 300000
	var wg sync.WaitGroup
	for i := 0; i < senders; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if err := p.SendString(strings.Repeat(string(rune('a'+i)), size)); err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	p.SendEOF()
	waitExit(t, p)
	s := out.String()
	if len(s) != senders*size {
		t.Fatalf("got %d bytes", len(s))
	}
	for i := 0; i < senders; i++ {
		block := s[i*size : (i+1)*size]
		if strings.Count(block, block[:1]) != size {
			t.Fatalf("block %d is interleaved", i)
		}
	}
}

func TestDeleteRunningProcess(t *testing.T) {
	// F1, F2, F4: SIGKILL, status at once, sentinel inside Delete, unread
	// output discarded, second Delete harmless.
	rt := newRuntime(t, Config{})
	b := rt.GetBufferCreate("del2")
	var events []string
	a := helperArgs("del2", "ready")
	a.Buffer = b
	p := mustMake(t, rt, a)
	p.SetSentinel(func(p *Process, e string) {
		events = append(events, e)
		DefaultSentinel(p, e)
	})
	if err := p.Delete(); err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || events[0] != "killed\n" || p.Status() != StatusSignal || p.ExitStatus() != 9 {
		t.Errorf("after Delete: events %q status %s %d", events, p.Status(), p.ExitStatus())
	}
	if b.String() != "\nProcess del2 killed\n" {
		t.Errorf("buffer %q", b.String())
	}
	if rt.GetProcess("del2") != nil || len(rt.ProcessList()) != 0 || rt.GetBufferProcess(b) != nil {
		t.Error("deleted process still listed")
	}
	if err := p.Delete(); err != nil || len(events) != 1 {
		t.Errorf("second Delete: %v, events %q", err, events)
	}
	if err := p.SendString("x"); !errors.Is(err, ErrNotRunning) || !strings.HasPrefix(err.Error(), "Process del2 not running") {
		t.Errorf("send after delete: %v", err)
	}
	rt.AcceptProcessOutput(nil, shortWait, false)
	if len(events) != 1 {
		t.Errorf("events after reaping %q", events)
	}
}

func TestPipeProcessStopContinue(t *testing.T) {
	// K1, K3, G5.
	rt := newRuntime(t, Config{})
	var rec recorder
	pp, err := rt.MakePipeProcess(PipeArgs{Name: "pipe", Stop: true, Filter: rec.filter, Sentinel: rec.sentinel})
	if err != nil {
		t.Fatal(err)
	}
	if pp.Status() != StatusStop || pp.Type() != "pipe" || pp.Command() != nil || pp.TTYName() != "" {
		t.Errorf("pipe: %s %s %v", pp.Status(), pp.Type(), pp.Command())
	}
	a := helperArgs("w", "outerr")
	a.Stderr = pp
	a.Filter = func(*Process, string) {}
	p := mustMake(t, rt, a)
	waitExit(t, p)
	if rt.AcceptProcessOutput(pp, shortWait, false) || rec.String() != "" {
		t.Errorf("a stopped pipe process read %q", rec.String())
	}
	pp.Continue(false)
	if pp.Status() != StatusOpen {
		t.Errorf("status after continue %s", pp.Status())
	}
	waitExit(t, pp)
	if rec.String() != "to-err\n" || len(rec.events) != 1 || rec.events[0] != "finished\n" || pp.Status() != StatusClosed {
		t.Errorf("after continue: %q %q %s", rec.String(), rec.events, pp.Status())
	}
	if got, ok := pp.Contact().(PipeArgs); !ok || got.Name != "pipe" {
		t.Errorf("Contact %v", pp.Contact())
	}
}

func TestProgramErrors(t *testing.T) {
	rt := newRuntime(t, Config{})
	// A7: a program not on the exec path.
	_, err := rt.MakeProcess(ProcessArgs{Name: "x", Command: []string{"no-such-prog-xyz"}})
	if err == nil || err.Error() != "Searching for program: No such file or directory, no-such-prog-xyz" || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing program: %v", err)
	}
	if len(rt.ProcessList()) != 0 {
		t.Error("a process remained after the error")
	}
	// A9: a directory.
	if _, err := rt.MakeProcess(ProcessArgs{Name: "x", Command: []string{"/tmp"}}); !errors.Is(err, ErrProgramIsDirectory) || err.Error() != "Specified program for new process is a directory" {
		t.Errorf("directory: %v", err)
	}
	// A13: :stop t.
	if _, err := rt.MakeProcess(ProcessArgs{Name: "x", Command: []string{"true"}, Stop: true}); err == nil || err.Error() != "Wrong type argument: null, t" {
		t.Errorf("stop: %v", err)
	}
	// A19: a missing working directory.
	if _, err := rt.MakeProcess(ProcessArgs{Name: "x", Command: []string{"true"}, Dir: "/nonexistent-dir/"}); err == nil ||
		err.Error() != "Setting current directory: No such file or directory, /nonexistent-dir/" || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("bad dir: %v", err)
	}
	// A17: an unknown coding system.
	if _, err := rt.MakeProcess(ProcessArgs{Name: "x", Command: []string{"true"}, Coding: Coding{Decoding: "no-such-coding"}}); err == nil || err.Error() != "Invalid coding system: no-such-coding" {
		t.Errorf("bad coding: %v", err)
	}
	// The Runtime still works.
	p := mustMake(t, rt, helperArgs("ok", "exit", "0"))
	waitExit(t, p)
}

func TestSendAfterExitAndEOF(t *testing.T) {
	rt := newRuntime(t, Config{})
	var rec recorder
	a := helperArgs("count", "count")
	a.Filter = rec.filter
	p := mustMake(t, rt, a)
	p.SendString("hello")
	if err := p.SendEOF(); err != nil {
		t.Fatal(err)
	}
	// H8: after EOF, sends to the running process are discarded silently.
	if err := p.SendString("more"); err != nil {
		t.Errorf("send after EOF: %v", err)
	}
	if err := p.SendEOF(); err != nil {
		t.Errorf("second EOF: %v", err)
	}
	waitExit(t, p)
	if !strings.HasPrefix(rec.String(), "5 ") {
		t.Errorf("count %q", rec.String())
	}
	// R: send to a process that is not running.
	for _, f := range []func() error{
		func() error { return p.SendString("x") },
		func() error { return p.SendEOF() },
	} {
		if err := f(); !errors.Is(err, ErrNotRunning) || !strings.HasPrefix(err.Error(), "Process count not running") {
			t.Errorf("after exit: %v", err)
		}
	}
}

func TestSendRegion(t *testing.T) {
	// H7.
	rt := newRuntime(t, Config{})
	b := rt.GetBufferCreate("src")
	b.Insert("hello world")
	var rec recorder
	a := helperArgs("cat", "cat")
	a.Filter = rec.filter
	p := mustMake(t, rt, a)
	if err := p.SendRegion(b, 7, 1); err != nil {
		t.Fatal(err)
	}
	if err := p.SendRegion(b, 1, 100); err == nil || err.Error() != "Args out of range: #<buffer src>, 1, 100" {
		t.Errorf("bad region: %v", err)
	}
	p.SendEOF()
	waitExit(t, p)
	if rec.String() != "hello " {
		t.Errorf("got %q", rec.String())
	}
}

func TestEnvAndDir(t *testing.T) {
	// A19, A22.
	dir := tempDir(t)
	rt := newRuntime(t, Config{ProcessEnvironment: []string{helperEnv + "=1", "A=base", "B=base", "PATH=" + os.Getenv("PATH")}})
	var rec recorder
	a := helperArgs("env", "env", "A", "B", "C")
	a.Env = []string{"A=call", "B", "C=c"}
	a.Filter = rec.filter
	p := mustMake(t, rt, a)
	waitExit(t, p)
	if got := rec.String(); got != "A=call\nB unset\nC=c\n" {
		t.Errorf("env: %q", got)
	}
	var rec2 recorder
	a = helperArgs("pwd", "pwd")
	a.Dir = dir
	a.Filter = rec2.filter
	p = mustMake(t, rt, a)
	waitExit(t, p)
	real, _ := filepath.EvalSymlinks(dir)
	if got := strings.TrimSpace(rec2.String()); got != dir && got != real {
		t.Errorf("pwd %q, want %q", got, dir)
	}
}

func TestSplitUTF8AcrossReads(t *testing.T) {
	// C2: a character split across writes reaches the filter whole, in one
	// call; C3: an incomplete one at EOF comes out as the raw byte.
	rt := newRuntime(t, Config{})
	var chunks []string
	a := helperArgs("u", "bytes", "c3", "a978")
	a.Filter = func(p *Process, s string) { chunks = append(chunks, s) }
	p := mustMake(t, rt, a)
	rt.AcceptProcessOutput(p, shortWait, false)
	p.SendString("\n")
	waitExit(t, p)
	if len(chunks) != 1 || chunks[0] != "éx" {
		t.Errorf("chunks %q, want [\"éx\"]", chunks)
	}
	chunks = nil
	a = helperArgs("u2", "bytes", "61c3")
	a.Filter = func(p *Process, s string) { chunks = append(chunks, s) }
	p = mustMake(t, rt, a)
	waitExit(t, p)
	if strings.Join(chunks, "") != "a\xc3" {
		t.Errorf("chunks %q, want a then the raw byte", chunks)
	}
}

func TestAcceptProcessOutputSemantics(t *testing.T) {
	rt := newRuntime(t, Config{})
	var rec recorder
	a := helperArgs("apo", "trap", "0")
	a.Filter = rec.filter
	p := mustMake(t, rt, a)
	// M2: output arrives -> true.
	if !rt.AcceptProcessOutput(p, longWait, false) || rec.String() != "ready\n" {
		t.Fatalf("first accept: %q", rec.String())
	}
	// M1: nothing more -> false after the timeout.
	start := time.Now()
	if rt.AcceptProcessOutput(p, shortWait, false) {
		t.Error("accept with no output returned true")
	}
	if time.Since(start) < shortWait {
		t.Error("returned before the timeout")
	}
	// M6: just-this-one leaves other processes' output unread.
	var rec2 recorder
	a2 := helperArgs("other", "echo", "other")
	a2.Filter = rec2.filter
	q := mustMake(t, rt, a2)
	p.SendString("mine\n")
	if !rt.AcceptProcessOutput(p, longWait, true) {
		t.Fatal("just-this-one got nothing")
	}
	if rec2.String() != "" {
		t.Errorf("just-this-one read another process: %q", rec2.String())
	}
	waitExit(t, q)
	if rec2.String() != "other\n" {
		t.Errorf("other process output %q", rec2.String())
	}
	// M4: after exit, drained: false at once.
	p.SendEOF()
	waitExit(t, p)
	start = time.Now()
	if rt.AcceptProcessOutput(p, longWait, false) {
		t.Error("accept after exit returned true")
	}
	if time.Since(start) > longWait/2 {
		t.Error("accept after exit waited")
	}
}

func TestAcceptReturnsOnStatusChange(t *testing.T) {
	// M3: with no timeout, a process that exits without output ends the wait.
	rt := newRuntime(t, Config{})
	p := mustMake(t, rt, helperArgs("quiet", "exit", "0"))
	done := make(chan bool, 1)
	go func() { done <- rt.AcceptProcessOutput(p, -1, false) }()
	select {
	case got := <-done:
		if got {
			t.Error("returned true without output")
		}
	case <-time.After(longWait):
		t.Fatal("accept with no timeout did not return on exit")
	}
}

func TestPanickingCallbacks(t *testing.T) {
	// C9, D2.8: errors in filters and sentinels are caught and reported with
	// Emacs's texts; later output still arrives.
	var mu sync.Mutex
	var reports []string
	rt := newRuntime(t, Config{ErrorHandler: func(err error) {
		mu.Lock()
		reports = append(reports, err.Error())
		mu.Unlock()
	}})
	var rec recorder
	calls := 0
	a := helperArgs("boom", "trap", "0")
	a.Filter = func(p *Process, s string) {
		calls++
		if calls == 1 {
			panic("boom in filter")
		}
		rec.filter(p, s)
	}
	a.Sentinel = func(p *Process, e string) { panic(errors.New("boom in sentinel")) }
	p := mustMake(t, rt, a)
	rt.AcceptProcessOutput(p, longWait, false)
	p.SendString("second\n")
	rt.AcceptProcessOutput(p, longWait, false)
	p.SendEOF()
	waitExit(t, p)
	if rec.String() != "second\n" {
		t.Errorf("output after the panic: %q", rec.String())
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{"error in process filter: boom in filter", "error in process sentinel: boom in sentinel"}
	if strings.Join(reports, "|") != strings.Join(want, "|") {
		t.Errorf("reports %q, want %q", reports, want)
	}
}

func TestDebugOnErrorRepanics(t *testing.T) {
	rt := newRuntime(t, Config{DebugOnError: true})
	a := helperArgs("dbg", "echo", "x")
	a.Filter = func(p *Process, s string) { panic("debug me") }
	p := mustMake(t, rt, a)
	defer p.Delete()
	defer func() {
		if v := recover(); v != "debug me" {
			t.Errorf("recovered %v", v)
		}
	}()
	rt.AcceptProcessOutput(p, longWait, false)
	t.Error("the panic did not propagate")
}

func TestReentrantAcceptFromFilter(t *testing.T) {
	// C10: a filter may call accept-process-output recursively.
	rt := newRuntime(t, Config{})
	var got []string
	depth := 0
	a := helperArgs("re", "trap", "0")
	a.Filter = func(p *Process, s string) {
		depth++
		defer func() { depth-- }()
		got = append(got, fmt.Sprintf("%d:%s", depth, s))
		if s == "ready\n" {
			p.SendString("b\n")
			rt.AcceptProcessOutput(p, longWait, false)
		}
	}
	p := mustMake(t, rt, a)
	rt.AcceptProcessOutput(p, longWait, false)
	if strings.Join(got, "") != "1:ready\n2:b\n" {
		t.Errorf("got %q", got)
	}
	p.Delete()
}

func TestConcurrentAcceptCallers(t *testing.T) {
	// Several goroutines accept at once; callbacks never overlap.
	rt := newRuntime(t, Config{})
	var active, maxActive, total int
	var mu sync.Mutex
	filter := func(p *Process, s string) {
		mu.Lock()
		active++
		maxActive = max(maxActive, active)
		total += len(s)
		mu.Unlock()
		time.Sleep(time.Millisecond) // widen the window for overlap
		mu.Lock()
		active--
		mu.Unlock()
	}
	var ps []*Process
	for i := 0; i < 8; i++ {
		a := helperArgs("c", "write", "200000")
		a.Filter = filter
		ps = append(ps, mustMake(t, rt, a))
	}
	var wg sync.WaitGroup
	for _, p := range ps {
		wg.Add(1)
		go func(p *Process) {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), longWait)
			defer cancel()
			if err := p.Wait(ctx); err != nil {
				t.Error(err)
			}
		}(p)
	}
	wg.Wait()
	if maxActive != 1 || total != 8*200000 {
		t.Errorf("max concurrent callbacks %d, total %d", maxActive, total)
	}
}

func TestWaitHonoursContext(t *testing.T) {
	rt := newRuntime(t, Config{})
	p := mustMake(t, rt, helperArgs("long", "ready"))
	ctx, cancel := context.WithTimeout(context.Background(), shortWait)
	defer cancel()
	if err := p.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Wait: %v", err)
	}
	p.Delete()
}

func TestRunDispatchesUntilCancelled(t *testing.T) {
	rt := newRuntime(t, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	var rec recorder
	a := helperArgs("run", "echo", "x")
	a.Filter = rec.filter
	a.Sentinel = func(p *Process, e string) { rec.sentinel(p, e); cancel() }
	mustMake(t, rt, a)
	done := make(chan error, 1)
	go func() { done <- rt.Run(ctx) }()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) || rec.String() != "x\n" || rec.events[0] != "finished\n" {
			t.Errorf("Run: %v %q %q", err, rec.String(), rec.events)
		}
	case <-time.After(longWait):
		t.Fatal("Run did not return")
	}
}

func TestKeepExitedProcesses(t *testing.T) {
	// D2.10: with delete-exited-processes nil the process stays listed.
	rt := newRuntime(t, Config{KeepExitedProcesses: true})
	var rec recorder
	a := helperArgs("keep", "exit", "0")
	a.Sentinel = rec.sentinel
	p := mustMake(t, rt, a)
	waitExit(t, p)
	if rt.GetProcess("keep") != p {
		t.Error("exited process left the list")
	}
	p.Delete()
	if rt.GetProcess("keep") != nil || len(rec.events) != 1 {
		t.Errorf("after Delete: %v %q", rt.GetProcess("keep"), rec.events)
	}
}

func TestInformationAccessors(t *testing.T) {
	// A21, L1, L2, L3, B10.
	rt := newRuntime(t, Config{})
	b := rt.GetBufferCreate("info")
	a := helperArgs("info", "ready")
	a.Buffer = b
	p := mustMake(t, rt, a)
	defer p.Delete()
	if p.Type() != "real" || p.ID() <= 0 || p.TTYName() != "" || p.Contact() != true || !p.Live() || p.Status() != StatusRun {
		t.Errorf("accessors: %s %d %q %v %v %s", p.Type(), p.ID(), p.TTYName(), p.Contact(), p.Live(), p.Status())
	}
	if cmd := p.Command(); len(cmd) != 2 || cmd[1] != "ready" {
		t.Errorf("command %q", cmd)
	}
	if !p.QueryOnExitFlag() || p.KillWithoutQuery(false) != true || p.QueryOnExitFlag() {
		t.Error("query flag")
	}
	p.Put("a", 1)
	p.Put("b", "two")
	p.Put("a", 3)
	if p.Get("a") != 3 || p.Get("b") != "two" || p.Get("c") != nil || len(p.Plist()) != 4 {
		t.Errorf("plist %v", p.Plist())
	}
	if err := p.SetPlist([]any{"x"}); err == nil {
		t.Error("odd plist accepted")
	}
	b2 := rt.GetBufferCreate("other")
	b2.Insert("0123456789")
	p.SetBuffer(b2)
	if p.Buffer() != b2 || p.Mark().Buffer() != b2 || p.Mark().Position() != 11 {
		t.Errorf("set-process-buffer: mark %v", p.Mark())
	}
	p.SetBuffer(nil)
	if p.Buffer() != nil || p.Mark().Buffer() != b2 {
		t.Error("set-process-buffer nil should leave the mark in the old buffer (B10)")
	}
	if dec, enc := p.CodingSystem(); dec != "utf-8-unix" || enc != "utf-8-unix" {
		t.Errorf("coding %s %s", dec, enc)
	}
}

func TestDeletePipeProcess(t *testing.T) {
	// F5: deleting a pipe process closes it with "finished\n".
	rt := newRuntime(t, Config{})
	var rec recorder
	pp, err := rt.MakePipeProcess(PipeArgs{Name: "pd", Sentinel: rec.sentinel})
	if err != nil {
		t.Fatal(err)
	}
	pp.Delete()
	if len(rec.events) != 1 || rec.events[0] != "finished\n" || pp.Status() != StatusClosed || pp.ExitStatus() != 0 {
		t.Errorf("events %q status %s %d", rec.events, pp.Status(), pp.ExitStatus())
	}
}

func TestChildClosingOutputKeepsRunning(t *testing.T) {
	// D2.5: end of file without exit: the status stays "run" until the
	// child exits.
	rt := newRuntime(t, Config{})
	var rec recorder
	a := helperArgs("eo", "closeout")
	a.Sentinel = rec.sentinel
	p := mustMake(t, rt, a)
	rt.AcceptProcessOutput(p, shortWait, false)
	if p.Status() != StatusRun || len(rec.events) != 0 {
		t.Errorf("after EOF: status %s events %q", p.Status(), rec.events)
	}
	p.SendEOF()
	waitExit(t, p)
	if rec.events[0] != "finished\n" {
		t.Errorf("events %q", rec.events)
	}
}

func TestSetCodingSystem(t *testing.T) {
	// L4: the encoding gets -unix; the decoding keeps its name.
	rt := newRuntime(t, Config{})
	p := mustMake(t, rt, helperArgs("c", "cat"))
	defer p.Delete()
	for _, c := range []struct{ dec, enc, wantDec, wantEnc string }{
		{"utf-8", "utf-8", "utf-8", "utf-8-unix"},
		{"latin-1", "latin-1", "latin-1", "iso-latin-1-unix"},
	} {
		if err := p.SetCodingSystem(c.dec, c.enc); err != nil {
			t.Fatal(err)
		}
		if dec, enc := p.CodingSystem(); dec != c.wantDec || enc != c.wantEnc {
			t.Errorf("SetCodingSystem(%s, %s): %s %s, want %s %s", c.dec, c.enc, dec, enc, c.wantDec, c.wantEnc)
		}
	}
	if err := p.SetCodingSystem("nope", "utf-8"); err == nil || err.Error() != "Invalid coding system: nope" {
		t.Errorf("bad coding: %v", err)
	}
}

func TestLatin1OutputIntoBuffer(t *testing.T) {
	// Output decoded with the process's coding system into the buffer, and
	// input encoded (H2: latin-1 "é\n" is e9 0a).
	rt := newRuntime(t, Config{})
	b := rt.GetBufferCreate("latin")
	a := helperArgs("l1", "cat")
	a.Buffer = b
	a.Sentinel = func(*Process, string) {}
	a.Coding = Coding{Decoding: "latin-1-unix", Encoding: "latin-1-unix"}
	p := mustMake(t, rt, a)
	p.SendString("café\n")
	p.SendEOF()
	waitExit(t, p)
	if b.String() != "café\n" {
		t.Errorf("buffer %q", b.String())
	}
	var raw recorder
	a = helperArgs("l1raw", "cat")
	a.Filter = raw.filter
	a.Coding = Coding{Decoding: "no-conversion", Encoding: "latin-1-unix"}
	p = mustMake(t, rt, a)
	p.SendString("é\n")
	p.SendEOF()
	waitExit(t, p)
	if raw.String() != "\xe9\n" {
		t.Errorf("bytes sent %q, want e9 0a", raw.String())
	}
}

func TestSetFilterNilRestoresDefault(t *testing.T) {
	rt := newRuntime(t, Config{})
	b := rt.GetBufferCreate("sf")
	var rec recorder
	a := helperArgs("sf", "trap", "0")
	a.Buffer = b
	a.Filter = rec.filter
	p := mustMake(t, rt, a)
	waitUntil(t, rt, "ready", func() bool { return rec.String() == "ready\n" })
	p.SetFilter(nil)
	p.SendString("to the buffer\n")
	waitUntil(t, rt, "buffer", func() bool { return b.String() == "to the buffer\n" })
	if rec.String() != "ready\n" {
		t.Errorf("old filter got %q", rec.String())
	}
	p.Delete()
}

// Issue 16 item 12: an empty name is a name. Emacs 28.2:
// (start-process "" nil "sleep" "5") twice, then (make-process :name ""
// ...) gives "", "<1>" and "<2>"; a network server named "" is one too;
// (make-pipe-process :name "") is "Empty string for buffer name is not
// allowed", as its buffer would be named "".
func TestEmptyNameIsAName(t *testing.T) {
	rt := newRuntime(t, Config{ProcessConnectionType: Pipe})
	var names []string
	cmd := helperCmd("ready") // the test binary, waiting: on every system
	for range 2 {
		p, err := rt.StartProcess("", nil, cmd[0], cmd[1:]...)
		if err != nil {
			t.Fatalf("StartProcess: %v", err)
		}
		names = append(names, p.Name())
	}
	p, err := rt.MakeProcess(ProcessArgs{Command: cmd})
	if err != nil {
		t.Fatalf("MakeProcess: %v", err)
	}
	names = append(names, p.Name())
	if want := []string{"", "<1>", "<2>"}; !slices.Equal(names, want) {
		t.Errorf("names %q, want %q", names, want)
	}
	if rt.GetProcess("") == nil || rt.GetProcess("<1>") == nil {
		t.Error("GetProcess does not find the empty name or <1>")
	}
	if _, err := rt.MakePipeProcess(PipeArgs{}); err == nil || err.Error() != "Empty string for buffer name is not allowed" {
		t.Errorf("pipe process named \"\": %v", err)
	}
	if pp, err := rt.MakePipeProcess(PipeArgs{NoBuffer: true}); err != nil || pp.Name() != "<3>" {
		t.Errorf("pipe process named \"\" without a buffer: %v, %v", pp, err)
	}
	for _, p := range rt.ProcessList() {
		p.Delete()
	}
}
