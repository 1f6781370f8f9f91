package eproc

import (
	"errors"
	"testing"
)

// The README's Windows remarks that no other Windows test pins.

// stop-process and continue-process of a pipe process work on Windows
// (they only stop reading), unlike a child's: what arrives meanwhile
// stays in the pipe and is read after Continue.
func TestWindowsPipeStopContinue(t *testing.T) {
	rt := newRuntime(t, Config{})
	var rec recorder
	pp, err := rt.MakePipeProcess(PipeArgs{Name: "pp", Filter: rec.filter, Sentinel: rec.sentinel})
	if err != nil {
		t.Fatal(err)
	}
	if err := pp.Stop(false); err != nil || pp.Status() != StatusStop {
		t.Fatalf("Stop: %v, status %s", err, pp.Status())
	}
	a := helperArgs("oe", "outerr")
	a.Stderr = pp
	a.Filter = func(*Process, string) {}
	p := mustMake(t, rt, a)
	waitExit(t, p)
	if rt.AcceptProcessOutput(pp, shortWait, true) || rec.String() != "" {
		t.Fatalf("a stopped pipe process read %q", rec.String())
	}
	if err := pp.Continue(false); err != nil || pp.Status() != StatusOpen {
		t.Fatalf("Continue: %v, status %s", err, pp.Status())
	}
	waitUntil(t, rt, "output after Continue", func() bool { return rec.String() == "to-err\n" })
	if len(rec.events) != 0 {
		t.Errorf("stop and continue ran the sentinel: %q", rec.events)
	}
}

// A remote default directory: start-file-process is an error wrapping
// errors.ErrUnsupported on Windows.
func TestWindowsRemoteUnsupported(t *testing.T) {
	rt := newRuntime(t, Config{DefaultDirectory: "/ssh:nohost:/tmp/"})
	_, err := rt.StartFileProcess("r", nil, "ls")
	if !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("StartFileProcess in a remote directory: %v, want an error wrapping errors.ErrUnsupported", err)
	}
	if len(rt.ProcessList()) != 0 {
		t.Errorf("a process remained: %v", rt.ProcessList())
	}
}
