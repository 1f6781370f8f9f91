package eproc

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// Each test that pins an Emacs behaviour names the entry of
// ../shared/emacs-behaviour.md (checked against GNU Emacs 28.2) it follows.

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

// Names stay Emacs's lowest free suffix with the search hint
// (uniqueProcessName): freed suffixes are taken again lowest first, then
// the numbering goes on.
func TestUniqueNamesReuseLowestFree(t *testing.T) {
	rt := newRuntime(t, Config{})
	ps := map[string]*Process{}
	mk := func() string {
		p, err := rt.MakePipeProcess(PipeArgs{Name: "p", NoBuffer: true})
		if err != nil {
			t.Fatal(err)
		}
		ps[p.Name()] = p
		return p.Name()
	}
	for range 50 {
		mk()
	}
	ps["p<10>"].Delete()
	ps["p<3>"].Delete()
	ps["p"].Delete()
	var got []string
	for range 4 {
		got = append(got, mk())
	}
	if want := []string{"p", "p<3>", "p<10>", "p<50>"}; !slices.Equal(got, want) {
		t.Errorf("names %q, want %q", got, want)
	}
	for _, p := range ps {
		p.Delete()
	}
}
