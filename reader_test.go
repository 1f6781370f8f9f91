//go:build unix

package eproc

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// readAllBounded reads r to the end in another goroutine, failing the test
// after longWait.
func readAllBounded(t *testing.T, r io.Reader) ([]byte, error) {
	t.Helper()
	type result struct {
		b   []byte
		err error
	}
	ch := make(chan result, 1)
	go func() {
		b, err := io.ReadAll(r)
		ch <- result{b, err}
	}()
	select {
	case res := <-ch:
		return res.b, res.err
	case <-time.After(longWait):
		t.Fatal("reading timed out")
		return nil, nil
	}
}

// A bufio.Scanner reads every line of a child through a Reader, with no
// other goroutine dispatching: Read dispatches the process itself.
func TestReaderScanner(t *testing.T) {
	for _, conn := range []ConnectionType{Pipe, PTY} {
		t.Run(conn.String(), func(t *testing.T) {
			rt := newRuntime(t, Config{})
			var rec recorder
			p := mustMake(t, rt, ProcessArgs{Name: "lines", Command: helperCmd("lines", "20000"), ConnectionType: conn, Sentinel: rec.sentinel})
			r := p.Reader()
			if p.Reader() != r {
				t.Fatal("a second Reader call gave another Reader")
			}
			r.SetReadDeadline(time.Now().Add(longWait))
			sc := bufio.NewScanner(r)
			n := 0
			for sc.Scan() {
				if want := fmt.Sprintf("line %d", n); sc.Text() != want {
					t.Fatalf("line %d: %q, want %q", n, sc.Text(), want)
				}
				n++
			}
			if err := sc.Err(); err != nil {
				t.Fatalf("scanner: %v", err)
			}
			if n != 20000 {
				t.Fatalf("%d lines", n)
			}
			// After EOF the exit was dispatched (by Read, on this goroutine)
			// or is about to be.
			waitExit(t, p)
			if len(rec.events) != 1 || rec.events[0] != "finished\n" {
				t.Errorf("events %q", rec.events)
			}
			if n, err := r.Read(make([]byte, 10)); n != 0 || err != io.EOF {
				t.Errorf("Read after the end: %d, %v", n, err)
			}
		})
	}
}

// A Reader nobody reads holds a bounded amount: eproc stops reading, the
// child blocks, other processes go on; then every byte arrives, in order,
// before io.EOF.
func TestReaderBackPressure(t *testing.T) {
	rt := newRuntime(t, Config{ReadProcessOutputMax: 16 << 10})
	const n = 8 << 20
	p := mustMake(t, rt, ProcessArgs{Name: "big", Command: helperCmd("random", strconv.Itoa(n), "7", "0"), Stderr: rt.GetBufferCreate("sum")})
	r := p.Reader()
	full := func() bool {
		rt.mu.Lock()
		defer rt.mu.Unlock()
		return p.native.readerFull
	}
	waitUntil(t, rt, "the Reader to fill", full)
	// Nothing more is read for p, while another process is served.
	var rec recorder
	q := mustMake(t, rt, ProcessArgs{Name: "other", Command: helperCmd("echo", "other"), Filter: rec.filter})
	waitExit(t, q)
	if rec.String() != "other\n" {
		t.Errorf("other process's output %q", rec.String())
	}
	for i := 0; i < 3; i++ {
		rt.AcceptProcessOutput(p, shortWait/3, false)
	}
	rt.mu.Lock()
	held := len(r.buf) - r.off
	rt.mu.Unlock()
	if held > 2*16<<10 || !p.Live() {
		t.Fatalf("the Reader holds %d bytes (limit %d); live %v", held, 16<<10, p.Live())
	}
	h := sha256.New()
	r.SetReadDeadline(time.Now().Add(longWait))
	got, err := io.Copy(h, r)
	if err != nil || got != n {
		t.Fatalf("read %d bytes, %v", got, err)
	}
	waitExit(t, p)
	if ep := rt.GetProcess("big stderr"); ep != nil {
		waitExit(t, ep) // the checksum comes through the stderr pipe process
	}
	want := strings.TrimSpace(rt.GetBuffer("sum").String())
	if sum := fmt.Sprintf("%x", h.Sum(nil)); !strings.HasPrefix(want, sum) {
		t.Errorf("sha256 %s, the child says %q", sum, want)
	}
}

// Read does not need the reading goroutine to dispatch: with a goroutine
// running Run, output delivered there reaches the Reader. Run starts
// before the process exists (issue 16 item 1).
func TestReaderWithRun(t *testing.T) {
	rt := newRuntime(t, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { rt.Run(ctx); close(stopped) }()
	defer func() { cancel(); <-stopped }()
	p := mustMake(t, rt, ProcessArgs{Name: "lines", Command: helperCmd("lines", "5000")})
	r := p.Reader()
	b, err := readAllBounded(t, r)
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(string(b), "\n"); lines != 5000 {
		t.Errorf("%d lines", lines)
	}
	select {
	case <-p.Done():
	case <-time.After(longWait):
		t.Fatal("Done not closed")
	}
}

// JSON in, JSON out: the process is an io.Writer, its Reader feeds a
// json.Decoder; Close of Writer is SendEOF.
func TestReaderWriterJSON(t *testing.T) {
	rt := newRuntime(t, Config{})
	p := mustMake(t, rt, ProcessArgs{Name: "cat", Command: helperCmd("cat")})
	r := p.Reader()
	r.SetReadDeadline(time.Now().Add(longWait)) // a Close that is not SendEOF fails, not hangs
	dec := json.NewDecoder(r)
	enc := json.NewEncoder(p)
	w := p.Writer()
	type msg struct {
		ID   int    `json:"id"`
		Text string `json:"text"`
	}
	for i := 0; i < 100; i++ {
		if err := enc.Encode(msg{i, strings.Repeat("é", i)}); err != nil {
			t.Fatal(err)
		}
		var m msg
		if err := dec.Decode(&m); err != nil {
			t.Fatal(err)
		}
		if m.ID != i || m.Text != strings.Repeat("é", i) {
			t.Fatalf("got %+v", m)
		}
	}
	if _, err := io.WriteString(w, `{"id":-1}`); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var m msg
	if err := dec.Decode(&m); err != nil || m.ID != -1 {
		t.Fatalf("last message %+v, %v", m, err)
	}
	if err := dec.Decode(&m); err != io.EOF {
		t.Fatalf("after SendEOF: %v", err)
	}
	waitExit(t, p)
	if _, err := p.Write([]byte("x")); !errors.Is(err, ErrNotRunning) {
		t.Errorf("Write to an exited process: %v", err)
	}
}

// The deadline and Close end a Read that waits; Close puts the previous
// filter back.
func TestReaderDeadlineClose(t *testing.T) {
	rt := newRuntime(t, Config{})
	buf := rt.GetBufferCreate("silent")
	p := mustMake(t, rt, ProcessArgs{Name: "silent", Buffer: buf, Command: helperCmd("cat")})
	r := p.Reader()
	r.SetReadDeadline(time.Now().Add(shortWait))
	start := time.Now()
	if n, err := r.Read(make([]byte, 8)); n != 0 || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Read past the deadline: %d, %v", n, err)
	}
	if d := time.Since(start); d < shortWait/2 || d > longWait {
		t.Errorf("the deadline ended Read after %v", d)
	}
	r.SetReadDeadline(time.Time{})
	// A Read in progress returns when the Reader is closed.
	ch := make(chan error, 1)
	go func() {
		_, err := r.Read(make([]byte, 8))
		ch <- err
	}()
	r.Close()
	select {
	case err := <-ch:
		if err != io.ErrClosedPipe {
			t.Errorf("Read during Close: %v", err)
		}
	case <-time.After(longWait):
		t.Fatal("Close did not end the Read")
	}
	// The default filter is back: output goes to the buffer.
	p.SendString("back\n")
	waitUntil(t, rt, "buffer output", func() bool { return buf.String() == "back\n" })
	p.Delete()
}

// SetFilter detaches the Reader: it returns what it holds, then an error;
// the new filter gets the rest.
func TestReaderDetach(t *testing.T) {
	rt := newRuntime(t, Config{})
	p := mustMake(t, rt, ProcessArgs{Name: "cat", Command: helperCmd("cat")})
	r := p.Reader()
	r.SetReadDeadline(time.Now().Add(longWait))
	p.SendString("one\n")
	waitUntil(t, rt, "the Reader to hold output", func() bool {
		rt.mu.Lock()
		defer rt.mu.Unlock()
		return len(r.buf) > r.off
	})
	var rec recorder
	p.SetFilter(rec.filter)
	b, err := io.ReadAll(r)
	if string(b) != "one\n" || err != errFilterReplaced {
		t.Errorf("detached Reader: %q, %v", b, err)
	}
	p.SendString("two\n")
	waitUntil(t, rt, "the new filter", func() bool { return rec.String() == "two\n" })
	p.Delete()
}

// A Close that lands while Read is between its check and its wait in the
// poller still ends the Read: every wake is counted, and a wait entered
// after one does not block (CI once hung 30 s in TestReaderDeadlineClose).
func TestReaderCloseRacesPollerEntry(t *testing.T) {
	rt := newRuntime(t, Config{})
	p := mustMake(t, rt, ProcessArgs{Name: "silent", Command: helperCmd("cat")})
	for i := 0; i < 300; i++ {
		r := p.Reader()
		ch := make(chan error, 1)
		go func() {
			_, err := r.Read(make([]byte, 8))
			ch <- err
		}()
		for j := 0; j < i%50*20; j++ {
			runtime.Gosched()
		}
		r.Close()
		select {
		case err := <-ch:
			if err != io.ErrClosedPipe {
				t.Fatalf("Read during Close: %v", err)
			}
		case <-time.After(longWait):
			t.Fatalf("run %d: Close did not end the Read", i)
		}
	}
	p.Delete()
}
