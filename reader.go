package eproc

import (
	"errors"
	"io"
	"os"
	"time"
)

// io adapters: a process's input as an io.Writer, its output as an
// io.Reader.

// errFilterReplaced is what a Reader returns, after the output it holds,
// once SetFilter or SetFilterT replaced it as the process's filter.
var errFilterReplaced = errors.New("eproc: the process filter was replaced: the Reader is detached")

// Write sends b to the process's input as SendString(string(b)) does
// (encoded with the process's encoding system, which leaves the bytes as
// they are under the default utf-8-unix), so that a *Process is an
// io.Writer: fmt.Fprintf, json.NewEncoder, io.Copy and bufio.Writer work
// on it. It returns len(b) once every byte is written, or 0 and
// SendString's error. Like SendString it dispatches output while the
// child's input is full. Safe for concurrent use; concurrent writes are
// not interleaved. On a datagram socket each Write is one datagram.
func (p *Process) Write(b []byte) (int, error) {
	if err := p.SendString(string(b)); err != nil {
		return 0, err
	}
	return len(b), nil
}

// Writer returns the process's input as an io.WriteCloser: Write is
// (*Process).Write and Close is SendEOF. On a pipe or socket Close ends
// the input (later writes are discarded, as after SendEOF); on a pty,
// Close sends the terminal's EOF character, which ends the input only at
// the start of a line (see SendEOF).
func (p *Process) Writer() io.WriteCloser { return inputWriter{p} }

type inputWriter struct{ p *Process }

func (w inputWriter) Write(b []byte) (int, error) { return w.p.Write(b) }
func (w inputWriter) Close() error                { return w.p.SendEOF() }

// Reader is a pull io.Reader over a process's output, made by
// (*Process).Reader: the Go counterpart of a filter, for code that wants
// to read (bufio.Scanner, textproto.Reader, json.Decoder) rather than be
// called. It is safe for concurrent use, but concurrent Reads share the
// output between them.
//
// The Reader is the process's filter while it is attached: output goes to
// it, decoded by the process's coding system (use Coding "binary" for the
// bytes as the child wrote them; the default utf-8-unix keeps them too,
// except that an incomplete character at the end of a read waits for the
// next one), and not to a buffer. Once it holds Config.ReadProcessOutputMax
// bytes that nobody has read (so at most twice that, with the read that
// filled it), eproc stops reading the process (as with filter t): the
// output waits in the kernel and the child blocks when its pipe is full.
// Reading resumes once Read has taken it down to half. Memory stays bounded whatever
// the child writes; the one exception is a child's death, when its
// remaining output (what its pipe holds) is read at once, so that every
// byte arrives before its exit sentinel runs.
//
// Read returns every byte the process wrote, then io.EOF once the output
// has ended: the child closed its output or died and its exit was
// dispatched, a network peer closed, the process was deleted. It works
// the same for children, pipe processes and network connections.
//
// Who dispatches: Read waits as an accept call for this process alone
// (AcceptProcessOutput with just-this-one): on the reading goroutine it
// reads p's output and may run p's sentinel, and nothing of the other
// processes. When another goroutine runs the loop (Run, Wait, ...), that
// goroutine may deliver p's output and Read just takes it. Read never
// blocks the accept loop: the filter only queues, and a full Reader only
// stops reading p. A Read blocks only its own goroutine; as with os/exec
// pipes, a program that writes much input while the same goroutine should
// read much output must use two goroutines.
//
// A nil *Reader, what Reader returns for a nil process, never panics:
// Read, SetReadDeadline and Close return ErrNilProcess.
type Reader struct {
	p     *Process
	limit int    // stop reading p beyond this many unread bytes
	prev  Filter // the filter the Reader replaced, put back by Close

	// Guarded by p.rt.mu.
	buf      []byte // buf[off:] is the output not yet read
	off      int
	err      error // errFilterReplaced once detached
	closed   bool
	deadline time.Time
	wakeSeq  uint64 // bumped by Close and SetReadDeadline: a Read in progress looks again
}

// Reader attaches a Reader to the process and returns it: from now on the
// Reader is the process's filter (see Reader for what that means), until
// SetFilter or SetFilterT replace it (its Read then returns the output it
// holds, then an error) or its Close puts the previous filter back. A
// second call returns the attached Reader. Attach it before output is
// dispatched (right after making the process, before Run or Wait see
// output) so that it receives all of it; output dispatched before went to
// the previous filter. Filter t is replaced.
func (p *Process) Reader() *Reader {
	if p == nil {
		return nil
	}
	rt := p.rt
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if r := p.native.reader; r != nil {
		return r
	}
	r := &Reader{p: p, limit: rt.cfg.ReadProcessOutputMax, prev: p.filter}
	p.native.reader = r
	p.filter = r.filter
	p.bytesFilter = nil
	if p.native.filterT {
		p.native.filterT = false
		rt.resumeReadingLocked(p)
	}
	return r
}

// filter is the Reader's process filter. It runs on the dispatching
// goroutine and never blocks: a full Reader stops the reading of p.
func (r *Reader) filter(p *Process, s string) {
	rt := p.rt
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if r.closed {
		return
	}
	if r.off > 0 && len(r.buf)+len(s) > cap(r.buf) {
		n := copy(r.buf, r.buf[r.off:])
		r.buf, r.off = r.buf[:n], 0
	}
	r.buf = append(r.buf, s...)
	if len(r.buf)-r.off >= r.limit && p.native.reader == r {
		p.native.readerFull = true
	}
}

// Read reads output of the process into b, waiting for some when there is
// none: see Reader for who dispatches meanwhile. It returns io.EOF once all
// output was read and the output has ended; os.ErrDeadlineExceeded when
// the deadline set by SetReadDeadline passes; io.ErrClosedPipe after
// Close; and, once SetFilter or SetFilterT detached the Reader and the
// output it holds was read, an error saying so.
func (r *Reader) Read(b []byte) (int, error) {
	if r == nil {
		return 0, ErrNilProcess
	}
	p := r.p
	rt := p.rt
	for {
		rt.mu.Lock()
		if r.closed {
			rt.mu.Unlock()
			return 0, io.ErrClosedPipe
		}
		if r.off < len(r.buf) {
			n := copy(b, r.buf[r.off:])
			r.off += n
			if r.off == len(r.buf) {
				r.buf, r.off = r.buf[:0], 0
			}
			if p.native.readerFull && p.native.reader == r && len(r.buf)-r.off <= r.limit/2 {
				p.native.readerFull = false
				rt.resumeReadingLocked(p)
			}
			rt.mu.Unlock()
			return n, nil
		}
		if r.err != nil {
			rt.mu.Unlock()
			return 0, r.err
		}
		if p.outputEndedLocked() {
			rt.mu.Unlock()
			return 0, io.EOF
		}
		if len(b) == 0 {
			rt.mu.Unlock()
			return 0, nil
		}
		deadline, seq := r.deadline, r.wakeSeq
		rt.mu.Unlock()
		if !deadline.IsZero() && !time.Now().Before(deadline) {
			return 0, os.ErrDeadlineExceeded
		}
		rt.waitLoop(waitSpec{only: p, deadline: deadline, done: func() bool {
			rt.mu.Lock()
			defer rt.mu.Unlock()
			return r.off < len(r.buf) || r.err != nil || r.closed || r.wakeSeq != seq || p.outputEndedLocked()
		}})
	}
}

// SetReadDeadline sets the time after which Read returns
// os.ErrDeadlineExceeded instead of waiting; the zero time means no
// deadline. It applies to a Read in progress too.
func (r *Reader) SetReadDeadline(t time.Time) error {
	if r == nil {
		return ErrNilProcess
	}
	rt := r.p.rt
	rt.mu.Lock()
	r.deadline = t
	r.wakeSeq++
	rt.mu.Unlock()
	rt.wakePoller()
	return nil
}

// Close detaches the Reader: the filter it replaced becomes the process's
// filter again (DefaultFilter when there was none), output it held and
// nobody read is discarded, reading resumes if the Reader was full, and
// Reads, in progress or later, return io.ErrClosedPipe. The process keeps
// running. Closing twice does nothing.
func (r *Reader) Close() error {
	if r == nil {
		return ErrNilProcess
	}
	p := r.p
	rt := p.rt
	rt.mu.Lock()
	if r.closed {
		rt.mu.Unlock()
		return nil
	}
	r.closed = true
	r.buf, r.off = nil, 0
	r.wakeSeq++
	if p.native.reader == r {
		p.native.reader = nil
		p.filter = r.prev
		if p.native.readerFull {
			p.native.readerFull = false
			rt.armLocked(p)
		}
	}
	rt.mu.Unlock()
	rt.wakePoller()
	return nil
}

// detachReaderLocked detaches p's Reader, if any, because its filter was
// replaced: the Reader keeps the output it holds and then returns err.
// rt.mu must be held.
func (p *Process) detachReaderLocked(err error) {
	r := p.native.reader
	if r == nil {
		return
	}
	p.native.reader = nil
	r.err = err
	r.wakeSeq++
	p.native.readerFull = false
	p.rt.resumeReadingLocked(p) // also wakes a Read in progress
}

// outputEndedLocked reports whether no more output of p can be dispatched:
// its reading end is closed (end of file, a dispatched death, Delete) or
// its pty reported the end. rt.mu must be held.
func (p *Process) outputEndedLocked() bool {
	return !p.in.open() || p.readEnded || p.deleted
}
