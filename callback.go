package eproc

import (
	"fmt"
	"log/slog"
	"unsafe"
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
	rt.runFilter(p, func() { f(p, s) }, s)
}

// callBytesFilter calls the bytes filter bf of p with the bytes of s,
// which bf may only read, and only during the call.
func (rt *Runtime) callBytesFilter(p *Process, bf BytesFilter, s string) {
	b := unsafe.Slice(unsafe.StringData(s), len(s))
	rt.runFilter(p, func() { bf(p, b) }, s)
}

// runFilter makes call, a filter call of p with the text s, then shows s
// to p's Expecter, if any.
func (rt *Runtime) runFilter(p *Process, call func(), s string) {
	if p.net != nil {
		rt.callNetFilter(p, call) // a peer's end of file waits for it (network_eof.go)
	} else {
		rt.callback(p, false, call)
	}
	if e := p.native.expecter.Load(); e != nil {
		e.observe(s) // after the filter: an Expecter that returns finds the filter's work done
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
