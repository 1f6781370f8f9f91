//go:build unix

package eproc

import (
	"strconv"
	"strings"
	"testing"
)

// Emacs 28.2 (emacs-behaviour.md C7, checked with emacs -Q --batch): with
// (set-process-filter p t) the output is not read and
// accept-process-output returns nil; when the process exits meanwhile, the
// output it left is never delivered, and the sentinel still runs with
// "finished\n"; process-filter stays t.
func TestFilterTDropsOutputAtExit(t *testing.T) {
	for _, conn := range []ConnectionType{Pipe, PTY} {
		t.Run(conn.String(), func(t *testing.T) {
			rt := newRuntime(t, Config{})
			var rec recorder
			buf := rt.GetBufferCreate("ft")
			p := mustMake(t, rt, ProcessArgs{Name: "ft", Buffer: buf, ConnectionType: conn,
				Command: []string{"printf", `hello\nmore\n`}, Filter: rec.filter, Sentinel: rec.sentinel})
			p.SetFilterT()
			if p.Filter() != nil {
				t.Error("Filter() is not nil while the filter is t")
			}
			if rt.AcceptProcessOutput(p, shortWait, false) {
				t.Error("AcceptProcessOutput read output while the filter is t")
			}
			waitExit(t, p)
			if rec.String() != "" || rec.chunks != 0 || buf.String() != "" {
				t.Errorf("output delivered with filter t: %q, buffer %q", rec.String(), buf.String())
			}
			if len(rec.events) != 1 || rec.events[0] != "finished\n" {
				t.Errorf("events %q", rec.events)
			}
			if p.Filter() != nil {
				t.Error("the filter is no longer t after the exit")
			}
		})
	}
}

// Filter t stops reading but the child keeps running, blocked once its
// pipe is full; any filter set afterwards gets every byte that waited.
func TestFilterTResumes(t *testing.T) {
	rt := newRuntime(t, Config{})
	const n = 1 << 20 // far beyond a pipe's capacity
	var rec recorder
	p := mustMake(t, rt, ProcessArgs{Name: "big", Command: helperCmd("write", strconv.Itoa(n)), Sentinel: rec.sentinel})
	p.SetFilterT()
	if rt.AcceptProcessOutput(p, shortWait, false) {
		t.Fatal("output read while the filter is t")
	}
	if !p.Live() || p.Status() != StatusRun {
		t.Fatalf("the child did not keep running: %s", p.Status())
	}
	p.SetFilter(rec.filter)
	if p.Filter() == nil {
		t.Error("Filter() still nil after SetFilter")
	}
	waitExit(t, p)
	if got := rec.String(); got != string(patternBytes(n)) {
		t.Errorf("got %d bytes after resuming, want %d, intact: %v", len(got), n, strings.HasPrefix(string(patternBytes(n)), got))
	}
	if len(rec.events) != 1 || rec.events[0] != "finished\n" {
		t.Errorf("events %q", rec.events)
	}
}

// SetFilter(nil) after filter t restores the default filter, which inserts
// the output that waited into the buffer (Emacs's test set-process-filter-t).
func TestFilterTDefaultFilterResumes(t *testing.T) {
	rt := newRuntime(t, Config{})
	buf := rt.GetBufferCreate("ftd")
	p := mustMake(t, rt, ProcessArgs{Name: "ftd", Buffer: buf, Command: helperCmd("ready")})
	p.SetFilterT()
	// Output arrives in the kernel; nothing is read.
	if rt.AcceptProcessOutput(p, shortWait, false) {
		t.Fatal("output read while the filter is t")
	}
	p.SetFilter(nil)
	waitUntil(t, rt, "the output that waited", func() bool { return buf.String() == "ready\n" })
	p.Delete()
}
