package eproc

import (
	"fmt"
	"strings"
	"testing"
)

func TestDefaultFilterPointAtMarkFollows(t *testing.T) {
	// B3: point at the mark advances with output; so do other markers there.
	rt := newRuntime(t, Config{})
	b := rt.GetBufferCreate("follow")
	b.Insert("ab")
	a := helperArgs("f", "echo", "xyz")
	a.Buffer = b
	p := mustMake(t, rt, a)
	other := NewMarker()
	other.Set(b, 3)
	waitExit(t, p)
	if got, want := b.String(), "abxyz\n\nProcess f finished\n"; got != want {
		t.Fatalf("buffer %q, want %q", got, want)
	}
	if b.Point() != b.PointMax() {
		t.Errorf("point %d, want %d (followed the output)", b.Point(), b.PointMax())
	}
	if other.Position() != b.PointMax() {
		t.Errorf("user marker at the mark: %d, want %d", other.Position(), b.PointMax())
	}
}

func TestDefaultFilterMovedMark(t *testing.T) {
	// B4: output goes where the mark is; B6: a mark pointing nowhere goes
	// to the end of the buffer.
	rt := newRuntime(t, Config{})
	b := rt.GetBufferCreate("moved")
	b.Insert("ABCDEF")
	var sentinelDone bool
	a := helperArgs("m", "bytes", "7879")
	a.Buffer = b
	a.Sentinel = func(*Process, string) { sentinelDone = true }
	p := mustMake(t, rt, a)
	p.Mark().Set(b, 3)
	waitExit(t, p)
	if !sentinelDone || b.String() != "ABxyCDEF" || p.Mark().Position() != 5 {
		t.Errorf("buffer %q mark %d, want ABxyCDEF, 5", b.String(), p.Mark().Position())
	}

	b2 := rt.GetBufferCreate("nowhere")
	b2.Insert("ABC")
	a = helperArgs("n", "bytes", "5a")
	a.Buffer = b2
	a.Sentinel = func(*Process, string) {}
	p = mustMake(t, rt, a)
	p.Mark().Set(nil, 0)
	waitExit(t, p)
	if b2.String() != "ABCZ" || p.Mark().Position() != 5 || p.Mark().Buffer() != b2 {
		t.Errorf("buffer %q mark %v, want ABCZ at 5", b2.String(), p.Mark())
	}
}

func TestOutputWithoutBufferIsDiscarded(t *testing.T) {
	// B9: no buffer and the default filter: output is dropped, no error.
	rt := newRuntime(t, Config{})
	p := mustMake(t, rt, helperArgs("nobuf", "write", "100000"))
	if p.Mark().Position() != 0 || p.Mark().Buffer() != nil {
		t.Errorf("mark of a process with no buffer points somewhere: %v", p.Mark())
	}
	waitExit(t, p)
}

func TestSplitUTF8AcrossReads(t *testing.T) {
	// C2: a character split across writes reaches the filter whole, in one
	// call; C3: an incomplete one at EOF comes out as the raw byte.
	rt := newRuntime(t, Config{})
	var chunks []string
	a := helperArgs("u", "bytes", "c3", "a978")
	a.Filter = func(p *Process, s string) { chunks = append(chunks, s) }
	p := mustMake(t, rt, a)
	rt.AcceptProcessOutput(p, shortWait, false)
	p.SendString("\n")
	waitExit(t, p)
	if len(chunks) != 1 || chunks[0] != "éx" {
		t.Errorf("chunks %q, want [\"éx\"]", chunks)
	}
	chunks = nil
	a = helperArgs("u2", "bytes", "61c3")
	a.Filter = func(p *Process, s string) { chunks = append(chunks, s) }
	p = mustMake(t, rt, a)
	waitExit(t, p)
	if strings.Join(chunks, "") != "a\xc3" {
		t.Errorf("chunks %q, want a then the raw byte", chunks)
	}
}

func TestLatin1OutputIntoBuffer(t *testing.T) {
	// Output decoded with the process's coding system into the buffer, and
	// input encoded (H2: latin-1 "é\n" is e9 0a).
	rt := newRuntime(t, Config{})
	b := rt.GetBufferCreate("latin")
	a := helperArgs("l1", "cat")
	a.Buffer = b
	a.Sentinel = func(*Process, string) {}
	a.Coding = Coding{Decoding: "latin-1-unix", Encoding: "latin-1-unix"}
	p := mustMake(t, rt, a)
	p.SendString("café\n")
	p.SendEOF()
	waitExit(t, p)
	if b.String() != "café\n" {
		t.Errorf("buffer %q", b.String())
	}
	var raw recorder
	a = helperArgs("l1raw", "cat")
	a.Filter = raw.filter
	a.Coding = Coding{Decoding: "no-conversion", Encoding: "latin-1-unix"}
	p = mustMake(t, rt, a)
	p.SendString("é\n")
	p.SendEOF()
	waitExit(t, p)
	if raw.String() != "\xe9\n" {
		t.Errorf("bytes sent %q, want e9 0a", raw.String())
	}
}

func TestSetFilterNilRestoresDefault(t *testing.T) {
	rt := newRuntime(t, Config{})
	b := rt.GetBufferCreate("sf")
	var rec recorder
	a := helperArgs("sf", "trap", "0")
	a.Buffer = b
	a.Filter = rec.filter
	p := mustMake(t, rt, a)
	waitUntil(t, rt, "ready", func() bool { return rec.String() == "ready\n" })
	p.SetFilter(nil)
	p.SendString("to the buffer\n")
	waitUntil(t, rt, "buffer", func() bool { return b.String() == "to the buffer\n" })
	if rec.String() != "ready\n" {
		t.Errorf("old filter got %q", rec.String())
	}
	p.Delete()
}

// The default filter borrows the read buffer (filterOutput reads into it
// again at once): every byte must be in the process buffer, in order,
// after many full reads.
func TestDefaultFilterBorrowsReadBuffer(t *testing.T) {
	rt := newRuntime(t, Config{})
	b := rt.GetBufferCreate("lines")
	a := helperArgs("lines", "lines", "200000")
	a.Buffer = b
	a.Sentinel = func(*Process, string) {} // no "Process lines finished" line
	p := mustMake(t, rt, a)
	waitExit(t, p)
	var want strings.Builder
	for i := 0; i < 200000; i++ {
		fmt.Fprintf(&want, "line %d\n", i)
	}
	if got := b.String(); got != want.String() {
		i := 0
		for i < min(len(got), want.Len()) && got[i] == want.String()[i] {
			i++
		}
		t.Fatalf("buffer differs at byte %d of %d (want %d bytes)", i, len(got), want.Len())
	}
}
