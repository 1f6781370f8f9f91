//go:build unix

package eproc

import (
	"context"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// A dialogue: strings and regexps, Before and Groups, the buffer and a
// filter still get everything, and EOF at the end.
func TestExpectDialogue(t *testing.T) {
	for _, conn := range []ConnectionType{Pipe, PTY} {
		t.Run(conn.String(), func(t *testing.T) {
			rt := newRuntime(t, Config{})
			buf := rt.GetBufferCreate("dialogue")
			p := mustMake(t, rt, ProcessArgs{Name: "prompt", Buffer: buf, ConnectionType: conn, Command: helperCmd("prompt")})
			e := p.Expecter()
			if p.Expecter() != e {
				t.Fatal("a second Expecter call gave another Expecter")
			}
			ctx, cancel := context.WithTimeout(context.Background(), longWait)
			defer cancel()
			m, err := e.Expect(ctx, "login: ")
			if err != nil || m.Index != 0 || m.Before != "" || m.Text != "login: " {
				t.Fatalf("login: %+v, %v", m, err)
			}
			// The default filter inserted what matched before Expect returned.
			if buf.String() != "login: " {
				t.Errorf("buffer %q when the match returned", buf.String())
			}
			p.SendString("bob\n")
			m, err = e.Expect(ctx, regexp.MustCompile(`hello (\w+)\n`), "never")
			if err != nil || m.Index != 0 || m.Groups[1] != "bob" || m.Before != "" {
				t.Fatalf("hello: %+v, %v", m, err)
			}
			p.SendString("one\n")
			// The earliest match wins, whatever the order of the patterns.
			m, err = e.Expect(ctx, "$ ", regexp.MustCompile(`got (\w+)`))
			if err != nil || m.Index != 0 || m.Text != "$ " || m.Before != "" {
				t.Fatalf("prompt: %+v, %v", m, err)
			}
			m, err = e.Expect(ctx, "$ ", regexp.MustCompile(`got (\w+)`))
			if err != nil || m.Index != 1 || m.Groups[1] != "one" {
				t.Fatalf("got: %+v, %v", m, err)
			}
			m, err = e.Expect(ctx, "$ ")
			if err != nil || m.Before != "\n" {
				t.Fatalf("second prompt: %+v, %v", m, err)
			}
			p.SendString("quit\n")
			m, err = e.Expect(ctx, "never")
			if err != io.EOF || m.Index != -1 || !strings.HasPrefix(m.Before, "bye\n") {
				t.Fatalf("at the end: %+v, %v", m, err)
			}
			waitExit(t, p)
			if !strings.HasPrefix(buf.String(), "login: hello bob\n$ got one\n$ bye\n") {
				t.Errorf("buffer %q", buf.String())
			}
		})
	}
}

// The context ends an Expect; the text stays for the next call. Batch
// sends and expects in turn. An Expecter composes with a Reader: both see
// all output.
func TestExpectContextBatchReader(t *testing.T) {
	rt := newRuntime(t, Config{})
	p := mustMake(t, rt, ProcessArgs{Name: "prompt", Command: helperCmd("prompt")})
	e := p.Expecter()
	r := p.Reader()
	short, cancel := context.WithTimeout(context.Background(), shortWait)
	defer cancel()
	m, err := e.Expect(short, "never")
	if !errors.Is(err, context.DeadlineExceeded) || m.Index != -1 || m.Before != "login: " {
		t.Fatalf("timeout: %+v, %v", m, err)
	}
	ctx, cancel2 := context.WithTimeout(context.Background(), longWait)
	defer cancel2()
	ms, err := e.Batch(ctx,
		ExpectStep{Expect: "login: "},
		ExpectStep{Send: "ann\n", Expect: regexp.MustCompile(`hello (\w+)`)},
		ExpectStep{Expect: "$ "},
		ExpectStep{Send: "x\n"},
		ExpectStep{Expect: "got x"},
	)
	if err != nil || len(ms) != 4 || ms[1].Groups[1] != "ann" || ms[2].Before != "\n" || ms[3].Text != "got x" {
		t.Fatalf("batch: %+v, %v", ms, err)
	}
	if _, err := e.Expect(ctx, 42); err == nil {
		t.Error("a pattern of a wrong type is accepted")
	}
	p.SendString("quit\n")
	r.SetReadDeadline(time.Now().Add(longWait))
	b, err := io.ReadAll(r)
	if err != nil || string(b) != "login: hello ann\n$ got x\n$ bye\n" {
		t.Errorf("the Reader got %q, %v", b, err)
	}
	ms, err = e.Batch(ctx, ExpectStep{Expect: "bye"}, ExpectStep{Expect: "more"})
	if err != io.EOF || len(ms) != 1 {
		t.Errorf("batch past the end: %+v, %v", ms, err)
	}
}

// Matching is incremental: within one Expect call, a string pattern scans
// each byte about once and a regexp at most its window per check, instead
// of all the output on every chunk (which would scan about chunks*total/2
// bytes here).
func TestExpectIncremental(t *testing.T) {
	const chunks, size = 200, 4096
	const total = chunks * size
	for _, tc := range []struct {
		name    string
		pattern any
		bound   func(checks int) int
	}{
		{"string", "END", func(checks int) int { return total + checks*len("END") }},
		{"regexp", regexp.MustCompile(`E(N)D`), func(checks int) int { return checks*(8<<10) + total }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt := newRuntime(t, Config{})
			p := mustMake(t, rt, ProcessArgs{Name: "chunks", Command: helperCmd("chunks", strconv.Itoa(chunks), strconv.Itoa(size), "END\n")})
			e := p.Expecter()
			e.SetWindow(8 << 10)
			// Each chunk is asked for by a line, sent after a check: the
			// chunks arrive spread over many checks.
			scans := make(chan struct{}, 1)
			scanned, checks := 0, 0
			expectScanHook = func(n int) {
				scanned += n
				checks++
				select {
				case scans <- struct{}{}:
				default:
				}
			}
			defer func() { expectScanHook = nil }()
			fed := make(chan struct{})
			go func() {
				defer close(fed)
				for i := 0; i <= chunks; i++ {
					select {
					case <-scans:
					case <-time.After(longWait):
						return
					}
					if p.SendString("\n") != nil {
						return
					}
				}
			}()
			ctx, cancel := context.WithTimeout(context.Background(), longWait)
			defer cancel()
			m, err := e.Expect(ctx, tc.pattern)
			<-fed
			if err != nil || len(m.Before) != total || m.Text != "END" {
				t.Fatalf("%d bytes before %q, %v", len(m.Before), m.Text, err)
			}
			if checks < chunks/4 {
				t.Fatalf("only %d checks for %d chunks: the test did not spread the output", checks, chunks)
			}
			if scanned > tc.bound(checks) {
				t.Errorf("scanned %d bytes in %d checks for %d bytes of output (bound %d)", scanned, checks, total, tc.bound(checks))
			}
			t.Logf("%d checks scanned %d bytes for %d bytes of output", checks, scanned, total)
			waitExit(t, p)
		})
	}
}

// An Expecter beside a filter of the user's while another goroutine runs
// the loop: the filter gets every byte, in order, and Expect returns only
// after the filter has returned from the chunk that matched (the Expecter
// sees a chunk after the filter): the filter holds the first chunk while
// an Expect starts and must not find it.
func TestExpectWithFilterAndRun(t *testing.T) {
	rt := newRuntime(t, Config{})
	var mu sync.Mutex
	var got strings.Builder
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	p := mustMake(t, rt, ProcessArgs{Name: "prompt", Command: helperCmd("prompt"),
		Filter: func(p *Process, s string) {
			once.Do(func() {
				close(entered)
				select {
				case <-release:
				case <-time.After(longWait):
				}
			})
			mu.Lock()
			got.WriteString(s)
			mu.Unlock()
		}})
	e := p.Expecter()
	ctx, cancel := context.WithTimeout(context.Background(), longWait)
	defer cancel()
	runCtx, stopRun := context.WithCancel(ctx)
	ran := make(chan struct{})
	go func() { rt.Run(runCtx); close(ran) }()
	defer func() { stopRun(); <-ran }()
	filtered := func() string { mu.Lock(); defer mu.Unlock(); return got.String() }
	type result struct {
		m   Match
		err error
	}
	select {
	case <-entered:
	case <-time.After(longWait):
		t.Fatal("the filter got no output")
	}
	first := make(chan result, 1)
	go func() {
		m, err := e.Expect(ctx, "login: ")
		first <- result{m, err}
	}()
	var r result
	select {
	case r = <-first:
		t.Errorf("Expect returned %+v, %v while the filter still had the chunk", r.m, r.err)
		close(release)
	case <-time.After(shortWait):
		close(release)
		select {
		case r = <-first:
		case <-time.After(longWait):
			t.Fatal("Expect did not return")
		}
	}
	if r.err != nil || r.m.Text != "login: " {
		t.Fatalf("login: %+v, %v", r.m, r.err)
	}
	if !strings.HasSuffix(filtered(), "login: ") {
		t.Errorf("the filter had %q when Expect returned", filtered())
	}
	p.SendString("cy\n")
	if m, err := e.Expect(ctx, regexp.MustCompile(`hello (\w+)\n\$ `)); err != nil || m.Groups[1] != "cy" {
		t.Fatalf("hello: %+v, %v", m, err)
	}
	if !strings.HasSuffix(filtered(), "hello cy\n$ ") {
		t.Errorf("the filter had %q when Expect returned", filtered())
	}
	p.SendString("quit\n")
	if m, err := e.Expect(ctx, "bye\n"); err != nil || m.Before != "" {
		t.Fatalf("bye: %+v, %v", m, err)
	}
	select {
	case <-p.Done():
	case <-time.After(longWait):
		t.Fatal("Done not closed")
	}
	if s := filtered(); s != "login: hello cy\n$ bye\n" {
		t.Errorf("the filter got %q", s)
	}
}
