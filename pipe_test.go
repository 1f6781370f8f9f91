package eproc

import (
	"strings"
	"testing"
)

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
