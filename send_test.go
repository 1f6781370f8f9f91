package eproc

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"
)

func TestCatLargeInputNoDeadlock(t *testing.T) {
	// H3: sending megabytes to cat keeps dispatching its output.
	rt := newRuntime(t, Config{})
	const n = 16 << 20
	var got int
	var sum bytes.Buffer
	a := helperArgs("cat", "cat")
	a.Filter = func(p *Process, s string) {
		got += len(s)
		if sum.Len() < 1<<20 {
			sum.WriteString(s)
		}
	}
	p := mustMake(t, rt, a)
	data := string(patternBytes(n))
	if err := p.SendString(data); err != nil {
		t.Fatal(err)
	}
	if got == 0 {
		t.Error("no output was dispatched while the input was full")
	}
	if err := p.SendEOF(); err != nil {
		t.Fatal(err)
	}
	waitExit(t, p)
	if got != n {
		t.Errorf("cat echoed %d bytes of %d", got, n)
	}
	if !bytes.Equal(sum.Bytes(), patternBytes(n)[:sum.Len()]) {
		t.Error("echoed bytes differ")
	}
}

func TestConcurrentSendsStayWhole(t *testing.T) {
	// H4: concurrent sends are written whole, in some order; also when
	// each is encoded a piece at a time (latin-1, longer than two pieces).
	t.Run("utf-8", func(t *testing.T) { concurrentSendsStayWhole(t, "utf-8-unix", 300000) })
	t.Run("latin-1 in pieces", func(t *testing.T) { concurrentSendsStayWhole(t, "latin-1-unix", 2*sendPiece+1000) })
}

func concurrentSendsStayWhole(t *testing.T, coding string, size int) {
	rt := newRuntime(t, Config{})
	var out bytes.Buffer
	a := helperArgs("cat2", "cat")
	a.Coding = Coding{Decoding: coding, Encoding: coding}
	a.Filter = func(p *Process, s string) { out.WriteString(s) }
	p := mustMake(t, rt, a)
	const senders = 8
	var wg sync.WaitGroup
	for i := 0; i < senders; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if err := p.SendString(strings.Repeat(string(rune('a'+i)), size)); err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	p.SendEOF()
	waitExit(t, p)
	s := out.String()
	if len(s) != senders*size {
		t.Fatalf("got %d bytes", len(s))
	}
	for i := 0; i < senders; i++ {
		block := s[i*size : (i+1)*size]
		if strings.Count(block, block[:1]) != size {
			t.Fatalf("block %d is interleaved", i)
		}
	}
}

func TestSendAfterExitAndEOF(t *testing.T) {
	rt := newRuntime(t, Config{})
	var rec recorder
	a := helperArgs("count", "count")
	a.Filter = rec.filter
	p := mustMake(t, rt, a)
	p.SendString("hello")
	if err := p.SendEOF(); err != nil {
		t.Fatal(err)
	}
	// H8: after EOF, sends to the running process are discarded silently.
	if err := p.SendString("more"); err != nil {
		t.Errorf("send after EOF: %v", err)
	}
	if err := p.SendEOF(); err != nil {
		t.Errorf("second EOF: %v", err)
	}
	waitExit(t, p)
	if !strings.HasPrefix(rec.String(), "5 ") {
		t.Errorf("count %q", rec.String())
	}
	// R: send to a process that is not running.
	for _, f := range []func() error{
		func() error { return p.SendString("x") },
		func() error { return p.SendEOF() },
	} {
		if err := f(); !errors.Is(err, ErrNotRunning) || !strings.HasPrefix(err.Error(), "Process count not running") {
			t.Errorf("after exit: %v", err)
		}
	}
}

func TestSendRegion(t *testing.T) {
	// H7.
	rt := newRuntime(t, Config{})
	b := rt.GetBufferCreate("src")
	b.Insert("hello world")
	var rec recorder
	a := helperArgs("cat", "cat")
	a.Filter = rec.filter
	p := mustMake(t, rt, a)
	if err := p.SendRegion(b, 7, 1); err != nil {
		t.Fatal(err)
	}
	if err := p.SendRegion(b, 1, 100); err == nil || err.Error() != "Args out of range: #<buffer src>, 1, 100" {
		t.Errorf("bad region: %v", err)
	}
	p.SendEOF()
	waitExit(t, p)
	if rec.String() != "hello " {
		t.Errorf("got %q", rec.String())
	}
}

// Issue 17 item 8: a long text under an encoding that changes it is
// encoded a piece at a time as the child reads it, so the queue never
// holds the whole encoded copy; the bytes are those of encoding it whole.
func TestLongSendEncodedInPieces(t *testing.T) {
	line := "ligne é à ü ß 1234567890 abcdefghijklmnopqrstuvwxyz\n"
	text := strings.Repeat(line, (3*sendPiece)/len(line)+7)
	for _, name := range []string{"latin-1-unix", "utf-8-dos", "utf-16", "cp1252-dos", "latin-1-unix/pty"} {
		t.Run(name, func(t *testing.T) {
			name, pty := strings.CutSuffix(name, "/pty")
			cs, err := LookupCodingSystem(name)
			if err != nil {
				t.Fatal(err)
			}
			want := cs.newEncoder().encode(text)
			rt := newRuntime(t, Config{})
			var out bytes.Buffer
			var maxQueued, sawRest int
			a := helperArgs("cat", "cat")
			a.Coding = Coding{Decoding: "no-conversion", Encoding: name}
			if pty { // each piece's lines cut for the terminal as the first's
				a.ConnectionType = PTY
			}
			a.Filter = func(p *Process, s string) {
				out.WriteString(s)
				rt.mu.Lock()
				defer rt.mu.Unlock()
				n := 0
				for _, seg := range p.wq {
					n += len(seg.b)
					sawRest = max(sawRest, len(seg.rest))
				}
				maxQueued = max(maxQueued, n)
			}
			p := mustMake(t, rt, a)
			if err := p.SendString(text); err != nil {
				t.Fatal(err)
			}
			if err := p.SendEOF(); err != nil {
				t.Fatal(err)
			}
			waitExit(t, p)
			if !bytes.Equal(out.Bytes(), want) {
				t.Errorf("cat echoed %d bytes, want the %d of encoding the text whole", out.Len(), len(want))
			}
			// utf-16 doubles a piece's bytes; the whole copy would be
			// over six pieces.
			if maxQueued > 2*sendPiece+4 || sawRest == 0 {
				t.Errorf("queued %d encoded bytes at most (a piece is %d bytes of text), text left to encode %d", maxQueued, sendPiece, sawRest)
			}
		})
	}
}

// A long send encoded a piece at a time is encoded whole with the
// encoding it was made with, as Emacs encodes a text before writing it:
// SetCodingSystem while its pieces wait changes later sends only. Before,
// the pieces still to encode took the new encoding.
func TestSetCodingSystemDuringPiecewiseSend(t *testing.T) {
	line := "ligne é à ü ß 1234567890\n"
	text := strings.Repeat(line, (3*sendPiece)/len(line)+7)
	cs, err := LookupCodingSystem("latin-1-unix")
	if err != nil {
		t.Fatal(err)
	}
	want := cs.newEncoder().encode(text)
	got := sendBehindPieces(t, Pipe, text, true, func(p *Process) error { return p.SetCodingSystem("no-conversion", "utf-16") })
	if got != string(want) {
		t.Errorf("cat echoed %d bytes, want the %d of the text in latin-1", len(got), len(want))
	}
}

// sendBehindPieces sends text in latin-1 to cat over conn, and calls then
// from cat's first filter call, while the send's later pieces still wait
// to be encoded (failing the test when they no longer do: the case would
// not be exercised). With eof it sends EOF after the text. It returns what
// cat echoed, undecoded.
func sendBehindPieces(t *testing.T, conn ConnectionType, text string, eof bool, then func(p *Process) error) string {
	t.Helper()
	rt := newRuntime(t, Config{})
	var out strings.Builder
	called, behind := false, false
	a := helperArgs("cat", "cat")
	a.ConnectionType = conn
	a.Coding = Coding{Decoding: "no-conversion", Encoding: "latin-1-unix"}
	a.Filter = func(p *Process, s string) {
		out.WriteString(s)
		if called {
			return
		}
		called = true
		rt.mu.Lock()
		behind = len(p.wq) > 0 && p.wq[0].rest != ""
		rt.mu.Unlock()
		if err := then(p); err != nil {
			t.Error(err)
		}
	}
	p := mustMake(t, rt, a)
	if err := p.SendString(text); err != nil {
		t.Fatal(err)
	}
	if eof {
		if err := p.SendEOF(); err != nil {
			t.Fatal(err)
		}
	}
	waitExit(t, p)
	if !behind {
		t.Fatal("the filter ran after the send's last piece was encoded: the case is not exercised")
	}
	return out.String()
}
