package eproc

import (
	"testing"
)

func TestWindowsSmoke(t *testing.T) {
	rt := newRuntime(t, Config{})
	var r recorder
	a := helperArgs("smoke", "echo", "a b", "c")
	a.Filter, a.Sentinel = r.filter, r.sentinel
	p := mustMake(t, rt, a)
	waitExit(t, p)
	if got := r.String(); got != "a b\r\nc\r\n" && got != "a b\nc\n" {
		t.Errorf("output %q", got)
	}
	if len(r.events) != 1 || r.events[0] != "finished\n" {
		t.Errorf("events %q", r.events)
	}
}
