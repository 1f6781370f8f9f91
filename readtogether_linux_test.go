//go:build linux

package eproc

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"testing"
)

// markReady queues ps as the poller's reports would, in that order, for
// the next turn: the tests below choose which processes a turn reads.
func markReady(rt *Runtime, ps ...*Process) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	for _, p := range ps {
		if !p.inReady {
			p.inReady = true
			rt.loop.ready = append(rt.loop.ready, p)
		}
	}
}

// nestedLine is what child i of the tests below writes.
func nestedLine(i int) string {
	return strings.Repeat(fmt.Sprintf("child %d ", i), 50) + "\n"
}

// A filter that waits (a SendString waiting for room, an
// AcceptProcessOutput) runs a turn inside the turn that called it. When
// both read together, the inner turn must not read into the buffers of
// the outer turn's reads not yet delivered: each filter gets its own
// child's output. TestNetworkHalfCloseKeepsReplies hit this: clients got
// other clients' replies.
func TestReadTogetherNestedTurn(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	rt := newRuntime(t, Config{})
	// The second round finds the buffers of the first one's turns.
	for round := range 2 {
		nestedTurnRound(t, rt, round)
	}
}

func nestedTurnRound(t *testing.T, rt *Runtime, round int) {
	const n = readTogetherMin
	turns := rt.loop.togetherTurns
	outs := make([]strings.Builder, 2*n)
	ps := make([]*Process, 2*n)
	nested := false
	for i := range ps {
		a := helperArgs(fmt.Sprint("c", i), "echo", strings.TrimSuffix(nestedLine(i), "\n"))
		a.Sentinel = func(*Process, string) {}
		a.Filter = func(p *Process, s string) {
			outs[i].WriteString(s)
			if i == 0 && !nested {
				nested = true
				markReady(rt, ps[n:]...)
				rt.AcceptProcessOutput(nil, 0, false)
			}
		}
		ps[i] = mustMake(t, rt, a)
	}
	for _, p := range ps {
		waitZombie(t, p.ID()) // every output is written; nothing is read yet
	}
	markReady(rt, ps[:n]...)
	for _, p := range ps {
		waitExit(t, p)
	}
	if !nested {
		t.Fatalf("round %d: the first child's filter never ran the inner turn", round)
	}
	for i := range outs {
		if got := outs[i].String(); got != nestedLine(i) {
			t.Errorf("round %d: child %d's filter got %.30q..., want %.30q...", round, i, got, nestedLine(i))
		}
	}
	if readTogetherOK && rt.loop.togetherTurns-turns < 2 {
		t.Errorf("round %d: %d turns read together, want the outer and the inner one", round, rt.loop.togetherTurns-turns)
	}
}

// The same for a BytesFilter, whose bytes may be the read buffer itself:
// they stay valid during the whole call, even when the call runs a turn
// that reads another process.
func TestBytesFilterNestedTurn(t *testing.T) {
	rt := newRuntime(t, Config{})
	var got []string
	var a, b *Process
	bf := func(p *Process, data []byte) {
		if p == a && b != nil {
			markReady(rt, b)
			rt.AcceptProcessOutput(nil, 0, false) // reads b
		}
		got = append(got, string(data))
	}
	for i, pp := range []**Process{&a, &b} {
		args := helperArgs(fmt.Sprint("c", i), "echo", strings.TrimSuffix(nestedLine(i), "\n"))
		args.Sentinel = func(*Process, string) {}
		p := mustMake(t, rt, args)
		p.SetBytesFilter(bf)
		*pp = p
	}
	waitZombie(t, a.ID())
	waitZombie(t, b.ID())
	markReady(rt, a)
	waitExit(t, a)
	waitExit(t, b)
	want := []string{nestedLine(1), nestedLine(0)}
	if !bytes.Equal([]byte(strings.Join(got, "|")), []byte(strings.Join(want, "|"))) {
		t.Errorf("the bytes filter saw %.40q, want %.40q", got, want)
	}
}

// A turn with more ready processes than a batch reads the later batches
// after the filters of the first have run. A filter that deletes a process
// of a later batch frees its descriptor, which the program may reuse at
// once (here for pipes of its own): the later batch must not read the
// descriptor it noted before the filter ran, taking bytes that belong to
// the pipe's reader.
func TestReadTogetherLaterBatchAfterDelete(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	const n = readTogetherBatch + 8
	rt := newRuntime(t, Config{})
	ps := make([]*Process, n)
	var pipes []*os.File
	defer func() {
		for _, f := range pipes {
			f.Close()
		}
	}()
	called := make([]bool, n)
	turns := rt.loop.togetherTurns
	for i := range ps {
		a := helperArgs(fmt.Sprint("c", i), "echo", strings.TrimSuffix(nestedLine(i), "\n"))
		a.Sentinel = func(*Process, string) {}
		a.Filter = func(p *Process, s string) {
			called[i] = true
			if i != 0 {
				return
			}
			for _, q := range ps[1:] {
				if err := q.Delete(); err != nil {
					t.Error(err)
				}
			}
			// Take the freed descriptors back, each pipe holding a line.
			for range 2 * n {
				r, w, err := os.Pipe()
				if err != nil {
					t.Fatal(err)
				}
				pipes = append(pipes, r, w)
				if _, err := w.WriteString("the pipe's own line\n"); err != nil {
					t.Fatal(err)
				}
			}
		}
		ps[i] = mustMake(t, rt, a)
	}
	for _, p := range ps {
		waitZombie(t, p.ID()) // every output is written; nothing is read yet
	}
	markReady(rt, ps...)
	waitExit(t, ps[0])
	if rt.loop.togetherTurns == turns {
		t.Fatal("no turn read together: the case is not exercised")
	}
	for i := 1; i < n; i++ {
		if called[i] {
			t.Errorf("the filter of c%d ran after c%d was deleted", i, i)
		}
	}
	lost := 0
	for i := 0; i < len(pipes); i += 2 {
		pipes[i+1].Close()
		b, err := io.ReadAll(pipes[i])
		if err != nil || string(b) != "the pipe's own line\n" {
			lost++
		}
	}
	if lost > 0 {
		t.Errorf("%d of %d pipes lost their line to reads of deleted processes' descriptors", lost, len(pipes)/2)
	}
}
