package eproc

import (
	"context"
	"fmt"
)

// sendableLocked checks that input may be sent to p: Emacs's "Process NAME
// not running". rt.mu must be held.
func (p *Process) sendableLocked() error {
	// A listening server is not running either (checked with Emacs 28.2).
	if p.deleted || p.status.dead() || p.kind == kindReal && p.status.kind != rawRun || p.status.kind == rawListen {
		return fmt.Errorf("Process %s not running: %w", p.name, ErrNotRunning)
	}
	return nil
}

// writableLocked is sendableLocked, and no earlier write failed (the
// child closed its input). rt.mu must be held.
func (p *Process) writableLocked() error {
	if err := p.sendableLocked(); err != nil {
		return err
	}
	return p.writeErr
}

// SendString sends s to the process's standard input (process-send-string),
// encoded with its encoding system. It returns when every byte is written.
// While the child's input is full it keeps dispatching output (filters and
// sentinels may run), so writing megabytes to a child that echoes them
// never deadlocks. Concurrent sends are written whole, one after another;
// a send from a filter while another send waits goes after it.
//
// Sending to a process that is not running is an error wrapping
// ErrNotRunning. After SendEOF, sends are discarded, as in Emacs. If the
// child closed its input, SendString returns an error and closes our end;
// the process's status stays what the child's really is (Emacs 28 fakes
// "exited abnormally with code 256").
//
// Into a pty in canonical mode, no line is cut, however long: eproc inserts
// the terminal's EOF character (^D) before a line outgrows the terminal's
// line buffer (4095 bytes on Linux), which hands the reader the line so
// far. So a reader sees a longer line in pieces, and every byte arrives
// (Emacs 28 drops the bytes beyond 4095). See pty.go.
//
// The text is queued once: with an encoding that writes it as it is
// (utf-8-unix, raw-text-unix, no-conversion), the bytes written are the
// string's own, with no copy. Otherwise a long text is encoded a piece
// (256 KiB) at a time as the child reads it, so a send holds one piece's
// encoded copy, not the whole text's (Emacs encodes it whole first), except
// under ISO-2022 systems and those with a pre-write conversion (utf-7,
// chinese-hz, compound-text...), whose encoding of a text depends on all of
// it: their encoded bytes are the one copy. Either way the whole text is
// encoded with the encoding system the process had when SendString was
// called: SetCodingSystem changes later sends, not one under way.
func (p *Process) SendString(s string) error {
	return p.SendStringContext(context.Background(), s)
}

// SendStringContext is SendString that stops waiting when ctx ends (nil:
// never), returning ctx.Err(). The part of s not yet written stays queued
// and is written as the process reads, so the input stream stays whole;
// Delete discards it. A send that waits returns as soon as the process is
// deleted or its input closed, with an error wrapping ErrNotRunning.
func (p *Process) SendStringContext(ctx context.Context, s string) error {
	if p == nil {
		return ErrNilProcess
	}
	rt := p.rt
	rt.mu.Lock()
	if err := p.writableLocked(); err != nil {
		rt.mu.Unlock()
		return err
	}
	if !p.out.open() || p.eofSent {
		rt.mu.Unlock()
		return nil // after SendEOF, or a pipe process: nothing reads it
	}
	var data []byte
	if piece, rest := p.enc.firstPiece(s); rest != "" {
		data = p.enc.encode(piece)
		s = rest
	} else {
		data, s = p.enc.encodeShared(s), ""
	}
	target, err := p.tr.send(p, data, s)
	rt.mu.Unlock()
	if err != nil || target == 0 {
		return err
	}
	return p.waitWrittenContext(ctx, target)
}

// sendSeg is one send's input not yet written: bytes ready to write, and,
// for a long text under an encoding that changes it, the text still to
// encode, a piece at a time as the bytes before it are written.
type sendSeg struct {
	b     []byte
	enc   encoder             // a piecewise segment's encoder: p's when the send was made
	buf   []byte              // a piecewise segment's buffer, which each piece's encoding reuses
	rest  string              // text still to encode
	prep  func([]byte) []byte // applied to each encoded piece (a pty's line cutting), or nil
	units int64               // with piece: the count in queued and written that b stands for
	piece bool                // written counts units once b is written whole (a piecewise segment, or one prep may grow)
	raw   bool                // b has not been through prep yet: it is, once the segment heads the queue
}

// enqueueLocked writes data to p's input as far as it goes now and queues
// the rest for the loop. It returns 0 when everything was written, else
// the position in the input to wait for with waitWritten. rt.mu must be
// held, and p.out.fd must be open.
func (p *Process) enqueueLocked(data []byte) (target int64, err error) {
	return p.enqueueTextLocked(data, "", nil)
}

// enqueueTextLocked is enqueueLocked for data followed by rest, text to
// encode with p's encoder a piece at a time, data and each piece passed
// through prep (if not nil) when it is next to be written: prep may keep
// state about the stream (a pty's column), so it sees the bytes in the
// order they are written, whatever order the sends were queued in. The
// position counts data's bytes and rest's (text) bytes: data, and each
// piece of rest, counts as written once its bytes are all written.
func (p *Process) enqueueTextLocked(data []byte, rest string, prep func([]byte) []byte) (target int64, err error) {
	if len(data) == 0 && rest == "" { // no empty segment in the queue
		if len(p.wq) == 0 {
			return 0, nil
		}
		return p.queued, nil
	}
	seg := sendSeg{b: data, rest: rest, prep: prep, raw: prep != nil}
	if rest != "" || prep != nil {
		seg.piece, seg.units = true, int64(len(data))
	}
	if rest != "" {
		// The whole text is encoded with the encoder it started with, as
		// in Emacs, which encodes it before writing it: SetCodingSystem
		// changes the encoding of later sends only.
		seg.buf, seg.enc = data, p.enc
	}
	p.queued += int64(len(data)) + int64(len(rest))
	p.wq = append(p.wq, seg)
	// A nowait connection still in progress queues everything: the queue
	// is written when the connection completes.
	if len(p.wq) == 1 && p.status.kind != rawConnect {
		if err := p.writeQueueLocked(); err != nil {
			return 0, err
		}
		if len(p.wq) == 0 {
			return 0, nil
		}
	}
	p.rt.armLocked(p)
	return p.queued, nil
}

// writeQueueLocked writes the queued input until the descriptor is full,
// encoding the next piece of a piecewise segment when the bytes before it
// are written. rt.mu must be held.
func (p *Process) writeQueueLocked() error {
	for len(p.wq) > 0 && p.out.open() {
		s := &p.wq[0]
		if s.raw {
			s.raw = false
			s.b = s.prep(s.b)
		}
		if len(s.b) == 0 && s.rest != "" {
			var piece string
			piece, s.rest = s.enc.nextPiece(s.rest)
			s.b, s.units = s.enc.appendEncode(s.buf[:0], piece), int64(len(piece))
			if s.prep != nil {
				s.b = s.prep(s.b)
			}
			s.buf = s.b
		}
		var n int
		var err error
		if len(s.b) > 0 {
			n, err = writeFD(p.out.fd, s.b)
		}
		s.b = s.b[n:]
		if !s.piece {
			p.written += int64(n)
		} else if len(s.b) == 0 {
			p.written += s.units
		}
		if len(s.b) == 0 && s.rest == "" {
			p.wq[0] = sendSeg{} // let the sent text go
			p.wq = p.wq[1:]
		}
		if err == errAgain {
			break
		}
		if err != nil {
			return p.failWriteLocked(err)
		}
	}
	if len(p.wq) == 0 {
		p.wq = nil
	}
	return nil
}

// waitQueued dispatches until the input queued now is written, or
// writing failed.
func (p *Process) waitQueued() error {
	p.rt.mu.Lock()
	target := p.queued
	queued := len(p.wq) > 0
	p.rt.mu.Unlock()
	if !queued {
		return nil
	}
	return p.waitWritten(target)
}

// waitWritten dispatches until the input queued up to target is written,
// or writing failed.
func (p *Process) waitWritten(target int64) error {
	return p.waitWrittenContext(context.Background(), target)
}

// waitWrittenContext is waitWritten that stops waiting when ctx ends.
func (p *Process) waitWrittenContext(ctx context.Context, target int64) error {
	rt := p.rt
	var err error
	done := rt.waitLoop(waitSpec{ctx: ctx, done: func() bool {
		rt.mu.Lock()
		defer rt.mu.Unlock()
		if p.written >= target {
			return true
		}
		if p.writeErr != nil {
			err = p.writeErr
			return true
		}
		if !p.out.open() || p.deleted {
			err = fmt.Errorf("Process %s not running: %w", p.name, ErrNotRunning)
			return true
		}
		return false
	}})
	if !done {
		if ctx != nil && ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("Process %s not running: %w", p.name, ErrNotRunning) // the Runtime closed
	}
	return err
}

// failWriteLocked records a write error: our end is closed and every
// waiting send fails. rt.mu must be held.
func (p *Process) failWriteLocked(err error) error {
	p.writeErr = fmt.Errorf("process %s no longer connected to pipe; closed it: %w", p.name, err)
	if p.out != p.in { // a shared descriptor stays open for reading
		p.rt.closeOutLocked(p)
	}
	p.wq = nil
	return p.writeErr
}

// flushWrites writes queued input to a process whose input has room.
// The dispatch lock must be held.
func (rt *Runtime) flushWrites(p *Process) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	p.inWritable = false
	if p.status.kind == rawConnect && p.out.open() && !rt.finishConnectLocked(p) {
		return // the nowait connection failed (network_sock.go)
	}
	p.writeQueueLocked()
	if rt.finishPeerEOFLocked(p) {
		return // the peer had ended and all is written: closed (network_eof.go)
	}
	// Re-arm even when all is written: on a pty, input and output share
	// one descriptor, and the one-shot report of room for input disarmed
	// the reading of output too.
	rt.armLocked(p)
}

// SendRegion sends the text of b between start and end to the process
// (process-send-region; the positions may come in either order). Go has no
// current buffer: name the buffer. A region outside the buffer is Emacs's
// args-out-of-range error.
func (p *Process) SendRegion(b *Buffer, start, end int) error {
	if p == nil {
		return ErrNilProcess
	}
	if b == nil {
		return wrongType("bufferp", "nil")
	}
	s, err := b.Substring(start, end)
	if err != nil {
		return err
	}
	return p.SendString(s)
}

// SendEOF makes the process see end of file on its input
// (process-send-eof), after any input already sent. On a pipe our writing
// end is closed, and later sends are discarded, as in Emacs. On a pty the
// terminal's EOF character (^D) is written after the input already sent,
// and SendEOF returns once it is written. As on a terminal, it ends input
// only at the start of a line: after unterminated text it just hands the
// text to the reader, and a second SendEOF ends the input. On a serial
// port it waits until the output has been transmitted (tcdrain, holding no
// lock, so other goroutines keep dispatching) and closes nothing, as
// Emacs does.
func (p *Process) SendEOF() error {
	if p == nil {
		return ErrNilProcess
	}
	rt := p.rt
	rt.mu.Lock()
	err := p.writableLocked()
	rt.mu.Unlock()
	if err != nil {
		return err
	}
	return p.tr.sendEOF(p)
}
