package eproc

import (
	"fmt"
	"log/slog"
)

// Running filters and sentinels: a panic is recovered and reported, as
// Emacs catches an error in a process filter or sentinel.

// CallbackError is what Config.ErrorHandler receives when a filter or
// sentinel panics.
type CallbackError struct {
	Process  *Process
	Sentinel bool // false: a filter
	Value    any  // the value passed to panic
}

// Error returns Emacs's message: "error in process filter: VALUE" or
// "error in process sentinel: VALUE".
func (e *CallbackError) Error() string {
	kind := "filter"
	if e.Sentinel {
		kind = "sentinel"
	}
	return fmt.Sprintf("error in process %s: %v", kind, e.Value)
}

// Unwrap returns the panic value when it is an error.
func (e *CallbackError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// reportError hands an error from a callback of p to Config.ErrorHandler.
func (rt *Runtime) reportError(p *Process, err error) {
	if rt.cfg.ErrorHandler != nil {
		rt.cfg.ErrorHandler(err)
		return
	}
	slog.Error(err.Error(), "process", p.Name())
}

// callFilter calls the filter f (nil: DefaultFilter) with s.
func (rt *Runtime) callFilter(p *Process, f Filter, s string) {
	if f == nil {
		f = DefaultFilter
	}
	if p.net != nil {
		rt.callNetFilter(p, f, s) // a peer's end of file waits for it (network_eof.go)
	} else {
		rt.callback(p, false, func() { f(p, s) })
	}
	if e := p.native.expecter.Load(); e != nil {
		e.observe(s) // after the filter: an Expect that returns finds the filter's work done
	}
}

// callback runs f, a filter or sentinel of p, recovering a panic unless
// Config.DebugOnError is set.
func (rt *Runtime) callback(p *Process, sentinel bool, f func()) {
	if rt.cfg.DebugOnError {
		f()
		return
	}
	defer func() {
		if v := recover(); v != nil {
			rt.reportError(p, &CallbackError{Process: p, Sentinel: sentinel, Value: v})
		}
	}()
	f()
}
