package eproc

import (
	"runtime"
	"strings"
	"testing"
)

// Process-level coding behaviour (C5, C6, A18, A20), pinned against GNU
// Emacs 28.2.

func TestCRLFSplitAcrossWrites(t *testing.T) {
	// utf-8-dos: a CR at the end of one read waits for the LF of the next.
	rt := newRuntime(t, Config{})
	var chunks []string
	a := helperArgs("crlf", "bytes", "610d", "0a62")
	a.Coding = Coding{Decoding: "utf-8-dos", Encoding: "utf-8-dos"}
	a.Filter = func(p *Process, s string) { chunks = append(chunks, s) }
	p := mustMake(t, rt, a)
	rt.AcceptProcessOutput(p, shortWait, false)
	p.SendString("\n")
	waitExit(t, p)
	if strings.Join(chunks, "") != "a\nb" {
		t.Errorf("chunks %q, want a, newline, b", chunks)
	}
	for _, c := range chunks {
		if strings.Contains(c, "\r") {
			t.Errorf("a CR reached the filter: %q", chunks)
		}
	}
}

func TestUndecidedDetectionIsReported(t *testing.T) {
	// C6: EOL-undecided utf-8 fed pure CRLF decides -dos and says so.
	rt := newRuntime(t, Config{})
	var rec recorder
	a := helperArgs("und", "bytes", "610d0a620d0a")
	a.Coding = Coding{Decoding: "utf-8", Encoding: "utf-8"}
	a.Filter = rec.filter
	p := mustMake(t, rt, a)
	waitExit(t, p)
	if dec, _ := p.CodingSystem(); rec.String() != "a\nb\n" || dec != "utf-8-dos" {
		t.Errorf("output %q, decoding %s", rec.String(), dec)
	}
}

func TestFilterMultibyteOff(t *testing.T) {
	// C5: with the flag off the filter gets the bytes; EOL conversion stays.
	rt := newRuntime(t, Config{})
	var rec recorder
	a := helperArgs("uni", "bytes", "c3a90d0a")
	a.Coding = Coding{Decoding: "utf-8-dos", Encoding: "utf-8-dos"}
	a.Filter = rec.filter
	p := mustMake(t, rt, a)
	p.SetFilterMultibyte(false)
	waitExit(t, p)
	if dec, _ := p.CodingSystem(); rec.String() != "\xc3\xa9\n" || dec != "raw-text-dos" || p.FilterMultibyte() {
		t.Errorf("output %q, decoding %s, multibyte %v", rec.String(), dec, p.FilterMultibyte())
	}
}

func TestArgumentsEncoded(t *testing.T) {
	// A20: arguments go through the encoding system.
	rt := newRuntime(t, Config{CodingSystemForWrite: "latin-1-unix"})
	var rec recorder
	a := helperArgs("arg", "echo", "é")
	a.Coding = Coding{Decoding: "no-conversion"}
	a.Filter = rec.filter
	p := mustMake(t, rt, a)
	waitExit(t, p)
	want := "\xe9\n"
	if runtime.GOOS == "windows" {
		// Command lines are Unicode there: the argument arrives as the
		// text it is, whatever the encoding system (see encodeArg).
		want = "é\n"
	}
	if rec.String() != want {
		t.Errorf("argument arrived as %q, want %q", rec.String(), want)
	}
	if _, enc := p.CodingSystem(); enc != "latin-1-unix" {
		t.Errorf("coding-system-for-write gave %s", enc)
	}
}

func TestDecodeOwnedMatchesDecode(t *testing.T) {
	// decodeOwned (zero-copy for large reads) gives what decode gives, for
	// every split of a text with multibyte characters and raw bytes.
	text := []byte("héllo wörld \xff\xfe 日本語 ok\n")
	for _, name := range []string{"utf-8-unix", "no-conversion", "utf-8-dos", "latin-1-unix", "undecided"} {
		cs, err := LookupCodingSystem(name)
		if err != nil {
			t.Fatal(err)
		}
		for cut := 0; cut <= len(text); cut++ {
			want := cs.newDecoder()
			got := cs.newDecoder()
			w := want.decode(append([]byte(nil), text[:cut]...), false) + want.decode(append([]byte(nil), text[cut:]...), false) + want.decode(nil, true)
			a, _ := got.decodeOwned(append([]byte(nil), text[:cut]...))
			b, _ := got.decodeOwned(append([]byte(nil), text[cut:]...))
			if g := a + b + got.decode(nil, true); g != w {
				t.Errorf("%s split at %d: %q, want %q", name, cut, g, w)
			}
		}
	}
}
