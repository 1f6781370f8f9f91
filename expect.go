package eproc

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"regexp"
	"sync"
)

// Expecter waits for text in a process's output, as pexpect and goexpect
// do: Expect returns when a string or regular expression matches the
// output seen so far, with the match and the text before it. Get it with
// (*Process).Expecter. It is safe for concurrent use, but two Expect calls
// at once consume the same text; use one goroutine per Expecter.
//
// The Expecter watches the output; it does not take it. Every chunk
// handed to the process's filter (the user's filter, the default filter
// inserting into the buffer, or a Reader) is also appended to the
// Expecter's text, right after the filter returns, so that when Expect
// returns, the filter has handled the text that matched (the buffer holds
// it). Filters, buffers and Readers keep working as without it. With
// filter t nothing is read, so nothing matches.
//
// Matching is incremental: each check scans only the text that arrived
// since the last one (for a string, plus len(string)-1 bytes before it),
// not all of it again. A regular expression is matched against at most
// the last Window bytes of the unconsumed text (8 KiB unless SetWindow
// says otherwise), as pexpect's searchwindowsize: a match that starts
// earlier is not found, and ^ and \A match at the start of that window
// once the unconsumed text is longer than it. The unconsumed text is kept
// up to MaxBuffer bytes (1 MiB unless SetMaxBuffer says otherwise); older
// text is dropped.
//
// A nil *Expecter, what Expecter returns for a nil process, never panics:
// Expect, Batch and Close return ErrNilProcess, and the setters do
// nothing.
type Expecter struct {
	p *Process

	mu        sync.Mutex
	buf       []byte // buf[off:] is the text not consumed by a match
	off       int
	base      int64 // absolute offset of buf[0] in the process's output
	window    int
	maxBuffer int
	detached  bool
}

// Default limits of an Expecter.
const (
	defaultExpectWindow    = 8 << 10
	defaultExpectMaxBuffer = 1 << 20
)

// Expecter returns the process's Expecter, attaching one on the first call.
// It sees the output dispatched from then on: attach it right after making
// the process, before Run or Wait dispatch output, to see all of it.
func (p *Process) Expecter() *Expecter {
	if p == nil {
		return nil
	}
	if e := p.native.expecter.Load(); e != nil {
		return e
	}
	rt := p.rt
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if e := p.native.expecter.Load(); e != nil {
		return e
	}
	e := &Expecter{p: p, window: defaultExpectWindow, maxBuffer: defaultExpectMaxBuffer}
	p.native.expecter.Store(e)
	return e
}

// SetWindow sets how many bytes at the end of the unconsumed text a
// regular expression is matched against; n <= 0 means all of it (each
// check then scans the whole unconsumed text again).
func (e *Expecter) SetWindow(n int) {
	if e == nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.window = n
}

// SetMaxBuffer sets how many bytes of unconsumed text the Expecter keeps;
// older text is dropped. n <= 0 means 1 MiB.
func (e *Expecter) SetMaxBuffer(n int) {
	if e == nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if n <= 0 {
		n = defaultExpectMaxBuffer
	}
	e.maxBuffer = n
}

// Close detaches the Expecter from the process: it sees no more output,
// and a later (*Process).Expecter attaches a new one. Expect calls after
// Close match only the text already seen.
func (e *Expecter) Close() error {
	if e == nil {
		return ErrNilProcess
	}
	e.p.native.expecter.CompareAndSwap(e, nil)
	e.mu.Lock()
	e.detached = true
	e.mu.Unlock()
	return nil
}

// observe appends a chunk of output. It runs on the dispatching goroutine,
// after the filter.
func (e *Expecter) observe(s string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.detached {
		return
	}
	if e.off > 0 && len(e.buf)+len(s) > cap(e.buf) {
		n := copy(e.buf, e.buf[e.off:])
		e.base += int64(e.off)
		e.buf, e.off = e.buf[:n], 0
	}
	e.buf = append(e.buf, s...)
	if over := len(e.buf) - e.off - e.maxBuffer; over > 0 {
		e.off += over
	}
}

// Match is what Expect found.
type Match struct {
	// Index is the position in Expect's patterns of the one that matched;
	// -1 when none did.
	Index int
	// Before is the output between the end of the previous match (or the
	// start of the text the Expecter kept) and this match. When nothing
	// matched, it is all the unconsumed text.
	Before string
	// Text is the matched text.
	Text string
	// Groups are a regular expression's submatches, Groups[0] being Text
	// ("" for a group that did not take part); for a string, just Text.
	Groups []string
}

// matcher is one pattern of an Expect call with its scanning state.
type matcher struct {
	s       string
	re      *regexp.Regexp
	scanned int64 // absolute offset up to which the text was scanned without a match
}

// Expect waits until one of patterns matches the output not yet consumed
// by an earlier match, and returns the match; the text up to its end is
// consumed. Each pattern is a string (matched literally) or a
// *regexp.Regexp. When several match, the one that starts first wins, and
// among those the first in patterns.
//
// If the process's output ends with no match (the child died and its exit
// was dispatched, the peer closed, the process was deleted), Expect
// returns Match{Index: -1, Before: the unconsumed text} and io.EOF; if ctx
// ends first, the same with ctx.Err(). The unconsumed text stays for the
// next call.
//
// Expect waits as an accept call for this process alone (as
// AcceptProcessOutput with just-this-one): the process's filter and
// sentinel may run on the calling goroutine, and no other process's; when
// another goroutine runs the loop (Run), that goroutine may deliver the
// output and Expect just looks at it.
func (e *Expecter) Expect(ctx context.Context, patterns ...any) (Match, error) {
	if e == nil {
		return Match{}, ErrNilProcess
	}
	ms := make([]matcher, len(patterns))
	for i, pat := range patterns {
		switch v := pat.(type) {
		case string:
			ms[i].s = v
		case *regexp.Regexp:
			if v == nil {
				return Match{Index: -1}, wrongType("regexp", "nil")
			}
			ms[i].re = v
		default:
			return Match{Index: -1}, wrongType("stringp", fmt.Sprint(pat))
		}
	}
	if len(ms) == 0 {
		return Match{Index: -1}, wrongType("stringp", "nil")
	}
	var m Match
	found := false
	check := func() bool {
		if !found {
			m, found = e.scan(ms)
		}
		return found
	}
	p := e.p
	rt := p.rt
	ended := func() bool {
		rt.mu.Lock()
		defer rt.mu.Unlock()
		return p.outputEndedLocked()
	}
	if check() {
		return m, nil
	}
	rt.waitLoop(waitSpec{only: p, ctx: ctx, done: func() bool { return check() || ended() }})
	if check() {
		return m, nil
	}
	e.mu.Lock()
	rest := string(e.buf[e.off:])
	e.mu.Unlock()
	if ctx.Err() != nil {
		return Match{Index: -1, Before: rest}, ctx.Err()
	}
	return Match{Index: -1, Before: rest}, io.EOF
}

// scan looks for the earliest match of ms in the text that arrived since
// their last scan, and consumes it.
func (e *Expecter) scan(ms []matcher) (Match, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	start := e.base + int64(e.off) // absolute offset of the unconsumed text
	end := e.base + int64(len(e.buf))
	best, bestStart, bestEnd := -1, int64(0), int64(0)
	var bestLoc []int
	var bestFrom int64
	for i := range ms {
		mt := &ms[i]
		if mt.scanned >= end && mt.scanned > start {
			continue // nothing new since the last scan
		}
		var from int64
		var loc []int
		if mt.re == nil {
			from = max(start, mt.scanned-int64(len(mt.s))+1)
			if j := bytes.Index(e.buf[from-e.base:], []byte(mt.s)); j >= 0 {
				loc = []int{j, j + len(mt.s)}
			}
		} else {
			from = start
			if e.window > 0 && end-int64(e.window) > from {
				from = end - int64(e.window)
			}
			loc = mt.re.FindSubmatchIndex(e.buf[from-e.base:])
		}
		if expectScanHook != nil {
			expectScanHook(int(end - from))
		}
		if loc == nil {
			mt.scanned = end
			continue
		}
		if best < 0 || from+int64(loc[0]) < bestStart {
			best, bestStart, bestEnd, bestLoc, bestFrom = i, from+int64(loc[0]), from+int64(loc[1]), loc, from
		}
	}
	if best < 0 {
		return Match{}, false
	}
	m := Match{
		Index:  best,
		Before: string(e.buf[start-e.base : bestStart-e.base]),
		Text:   string(e.buf[bestStart-e.base : bestEnd-e.base]),
	}
	if ms[best].re == nil {
		m.Groups = []string{m.Text}
	} else {
		m.Groups = make([]string, len(bestLoc)/2)
		for g := range m.Groups {
			if a, b := bestLoc[2*g], bestLoc[2*g+1]; a >= 0 {
				m.Groups[g] = string(e.buf[bestFrom-e.base+int64(a) : bestFrom-e.base+int64(b)])
			}
		}
	}
	e.off = int(bestEnd - e.base)
	return m, true
}

// expectScanHook, when set by a test, is told how many bytes each scan of
// a pattern covers.
var expectScanHook func(n int)

// ExpectStep is one step of Batch: send, then expect.
type ExpectStep struct {
	// Send is sent to the process with SendString first, when not empty.
	Send string
	// Expect is a string or *regexp.Regexp to wait for after sending; nil
	// for a step that only sends.
	Expect any
}

// Batch runs steps in order, as goexpect's ExpectBatch: each step sends
// its Send text, then waits for its Expect pattern as Expect does. It
// returns the matches of the steps that expect something, in order, and
// stops at the first error (a send that failed, io.EOF, ctx's error),
// returning the matches so far with it.
func (e *Expecter) Batch(ctx context.Context, steps ...ExpectStep) ([]Match, error) {
	if e == nil {
		return nil, ErrNilProcess
	}
	var out []Match
	for _, st := range steps {
		if st.Send != "" {
			if err := e.p.SendString(st.Send); err != nil {
				return out, err
			}
		}
		if st.Expect == nil {
			continue
		}
		m, err := e.Expect(ctx, st.Expect)
		if err != nil {
			return out, err
		}
		out = append(out, m)
	}
	return out, nil
}
