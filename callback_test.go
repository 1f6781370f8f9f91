package eproc

import (
	"errors"
	"strings"
	"sync"
	"testing"
)

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
