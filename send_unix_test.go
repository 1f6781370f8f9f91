//go:build unix

package eproc

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Issue 17 item 8: a long SendString queues the caller's text once. With
// utf-8-unix the bytes written are the string's own (before: the encoded
// copy and the queue's copy, three times the payload in all); with
// latin-1, the encoded bytes are the one copy.
func TestSendStringCopiesOnce(t *testing.T) {
	const size = 32 << 20
	rt := newRuntime(t, Config{ProcessConnectionType: Pipe})
	for _, tc := range []struct {
		coding string
		max    uint64 // bytes the send may allocate
	}{
		{"utf-8-unix", 1 << 20},
		// Encoded 256 KiB at a time, into the buffer of the piece before.
		{"latin-1-unix", 1 << 20},
		{"utf-8-dos", 1 << 20},
	} {
		p := mustMake(t, rt, ProcessArgs{Name: tc.coding, Command: []string{"sh", "-c", "cat >/dev/null"},
			Coding: Coding{Decoding: tc.coding, Encoding: tc.coding}})
		s := strings.Repeat("x", size)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if err := p.SendString(s); err != nil {
			t.Fatalf("SendString: %v", err)
		}
		runtime.ReadMemStats(&after)
		if got := after.TotalAlloc - before.TotalAlloc; got > tc.max {
			t.Errorf("%s: sending %d bytes allocated %d bytes, want at most %d", tc.coding, size, got, tc.max)
		}
		p.SendEOF()
		waitExit(t, p)
	}
}

// A send blocked on a child that does not read stops waiting when its
// context ends, and one blocked without a context returns when another
// goroutine deletes the process (17.1, 17.8).
func TestSendStringReleased(t *testing.T) {
	rt := newRuntime(t, Config{ProcessConnectionType: Pipe})
	big := strings.Repeat("y", 4<<20) // far more than a pipe holds
	p := mustMake(t, rt, ProcessArgs{Name: "deaf", Command: []string{"sleep", "30"}})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := p.SendStringContext(ctx, big); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("SendStringContext: %v, want the context's error", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("SendStringContext returned after %v", d)
	}

	q := mustMake(t, rt, ProcessArgs{Name: "deaf2", Command: []string{"sleep", "30"}})
	go func() {
		// Delete once the send is waiting: its input is queued.
		deadline := time.Now().Add(longWait)
		for time.Now().Before(deadline) {
			rt.mu.Lock()
			queued := len(q.wq) > 0
			rt.mu.Unlock()
			if queued {
				break
			}
			runtime.Gosched()
		}
		q.Delete()
	}()
	done := make(chan error, 1)
	go func() { done <- q.SendString(big) }()
	select {
	case err := <-done:
		if !errors.Is(err, ErrNotRunning) {
			t.Errorf("SendString after Delete: %v, want ErrNotRunning", err)
		}
	case <-time.After(longWait):
		t.Fatal("SendString still waiting after Delete")
	}
	p.Delete()
}

// BytesFilter (issue 13, fan-in): the output arrives whole and in order,
// as the decoded text's bytes: under utf-8-unix the read buffer itself,
// under latin-1 the UTF-8 of the decoded text. SetFilter removes it.
func TestBytesFilter(t *testing.T) {
	rt := newRuntime(t, Config{ProcessConnectionType: Pipe})
	for _, tc := range []struct {
		coding, out, want string
	}{
		{"utf-8-unix", strings.Repeat("0123456789abcdef", 1<<16), strings.Repeat("0123456789abcdef", 1<<16)},
		{"latin-1-unix", "caf\xe9\n", "café\n"},
	} {
		var got []byte
		calls := 0
		p := mustMake(t, rt, ProcessArgs{Name: tc.coding, Command: []string{"cat"}, Coding: Coding{Decoding: tc.coding, Encoding: "binary"},
			BytesFilter: func(p *Process, b []byte) { got = append(got, b...); calls++ }})
		if err := p.SendString(tc.out); err != nil {
			t.Fatal(err)
		}
		p.SendEOF()
		waitExit(t, p)
		if string(got) != tc.want || calls == 0 {
			t.Errorf("%s: got %d bytes in %d calls, want %d bytes", tc.coding, len(got), calls, len(tc.want))
		}
	}
	var rec recorder
	var bytesCalls int
	p := mustMake(t, rt, ProcessArgs{Name: "switch", Command: []string{"cat"}, Filter: rec.filter,
		BytesFilter: func(p *Process, b []byte) { bytesCalls++ }})
	p.SetFilter(rec.filter)
	p.SendString("to the filter\n")
	p.SendEOF()
	waitExit(t, p)
	if rec.String() != "to the filter\n" || bytesCalls != 0 {
		t.Errorf("after SetFilter: filter got %q, bytes filter %d calls", rec.String(), bytesCalls)
	}
}

// A send queued behind a long send that is encoded a piece at a time, into
// a pty: each piece's lines are cut for the terminal from the column where
// the bytes before it really end. Before, the queued send (and SendEOF's
// new line) was cut when it was queued, between the long send's first
// piece and its second, so the second piece was cut from the wrong column
// and the terminal dropped the bytes of a line past 4095.
func TestPTYSendQueuedBehindPieces(t *testing.T) {
	long := strings.Repeat("x", 3*sendPiece) + "\n" // one line: cut every few KiB
	short := strings.Repeat("y", 3000) + "\n"
	for _, tc := range []struct {
		name string
		then func(p *Process) error // from the filter, while the long send waits
		want string
	}{
		{"send", func(p *Process) error { return p.SendString(short) }, long + short},
		{"eof", func(p *Process) error { return p.SendEOF() }, long},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := sendBehindPieces(t, PTY, long, tc.name == "send", tc.then)
			if got != tc.want {
				t.Errorf("cat echoed %d x and %d y, want %d and %d", strings.Count(got, "x"), strings.Count(got, "y"),
					strings.Count(tc.want, "x"), strings.Count(tc.want, "y"))
			}
		})
	}
}
