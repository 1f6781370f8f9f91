package eproc

import (
	"bytes"
	"fmt"
	"runtime"
	"strconv"
	"testing"
)

// Children writing at once are read on two goroutines (readtogether.go;
// not on Windows), and each still gets every byte of its own output, in
// order.
func TestReadTogetherEveryByte(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	rt := newRuntime(t, Config{})
	const n, size = 12, 1 << 20
	outs := make([]bytes.Buffer, n)
	ps := make([]*Process, n)
	for i := range ps {
		a := helperArgs(fmt.Sprint("w", i), "write", strconv.Itoa(size))
		a.Filter = func(p *Process, s string) { outs[i].WriteString(s) }
		a.Sentinel = func(*Process, string) {}
		ps[i] = mustMake(t, rt, a)
	}
	for _, p := range ps {
		waitExit(t, p)
	}
	want := patternBytes(size)
	for i := range outs {
		if !bytes.Equal(outs[i].Bytes(), want) {
			t.Errorf("child %d: %d bytes, not its output", i, outs[i].Len())
		}
	}
	if readTogetherOK && rt.loop.togetherTurns == 0 {
		t.Error("no turn read the twelve children together")
	}
}

// A filter that deletes another process whose output the same turn has
// read already: that output is dropped, and the deleted process's filter
// is never called again.
func TestReadTogetherDeleteFromFilter(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	rt := newRuntime(t, Config{})
	const n, size = 8, 4 << 20
	ps := make([]*Process, n)
	deleted := make([]bool, n)
	outs := make([]int, n)
	var late []string
	for i := range ps {
		a := helperArgs(fmt.Sprint("w", i), "write", strconv.Itoa(size))
		a.Filter = func(p *Process, s string) {
			if deleted[i] {
				late = append(late, p.Name())
			}
			outs[i] += len(s)
			if j := i + 1; i%2 == 0 && !deleted[j] {
				ps[j].Delete() // the odd ones go at the first output of the one before
				deleted[j] = true
			}
		}
		a.Sentinel = func(*Process, string) {}
		ps[i] = mustMake(t, rt, a)
	}
	for i := 0; i < n; i += 2 {
		waitExit(t, ps[i])
		if outs[i] != size {
			t.Errorf("child %d: %d bytes of %d", i, outs[i], size)
		}
	}
	if len(late) > 0 {
		t.Errorf("filters called after their process was deleted: %q", late)
	}
}
