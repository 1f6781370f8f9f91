package eproc

// transport is the part of a process that depends on how its bytes travel:
// what a report that its output is readable means, what the end of its
// output means, how its input is queued and how it is ended. Process keeps
// the Emacs object (name, buffer, mark, callbacks, plist, coding, status);
// the loop and the send functions call its transport instead of testing
// which kind of process it is. Each is chosen once, when the process is
// made:
//
//	stream        a child over pipes (transport.go)
//	ptyChild      a child whose input or output is a pty (pty.go)
//	pipeEnd       a pipe process (pipe.go)
//	streamSocket  a stream connection, made or accepted (network.go)
//	listener      a listening server (network.go)
//	datagram      a datagram socket (network.go)
//	serialLine    a serial port (serial.go)
//
// A remote child (remote.go) is a stream or ptyChild whose program runs
// elsewhere; its hooks are about the program, not the transport.
type transport interface {
	// read handles a report that p's output descriptor is readable: one
	// read delivered to the filter, the connections queued on a listener
	// accepted (up to a batch), one datagram.
	// The dispatch lock must be held.
	read(rt *Runtime, p *Process)

	// readsStream reports whether read is one read(2) of the output
	// stream (readStream), which a turn may make together with other
	// processes' (readtogether.go).
	readsStream() bool

	// ended handles the end of p's output (end of file, or an error that
	// ends the stream) once the decoder's remainder is delivered: it
	// closes what must close and gives the status that a process which is
	// not a child gets. rt.mu and the dispatch lock must be held.
	ended(rt *Runtime, p *Process)

	// send queues data, encoded, for p's input, followed by rest, text
	// still to encode (a long text's tail, encoded a piece at a time as
	// the input drains: see enqueueTextLocked). It returns the position
	// in the input to wait for with waitWritten, 0 when nothing is left to
	// wait for. rt.mu must be held, and p's input open.
	send(p *Process, data []byte, rest string) (target int64, err error)

	// sendEOF ends p's input after the input already sent
	// (process-send-eof). No lock may be held.
	sendEOF(p *Process) error

	// release undoes what opening the descriptor did besides opening it,
	// just before p's descriptors close. rt.mu and the dispatch lock must
	// be held.
	release(p *Process)
}

// stream is the transport of a child over pipes, and what the others
// start from: a byte stream read with read(2) and written with write(2),
// whose reading end closes at its end and whose writing end closes to end
// the input.
type stream struct{}

func (stream) read(rt *Runtime, p *Process) { rt.readStream(p) }

func (stream) readsStream() bool { return true }

// ended closes the reading end. A child that closed its output keeps
// running: its exit comes from the reaper.
func (stream) ended(rt *Runtime, p *Process) { rt.closeInLocked(p) }

func (stream) send(p *Process, data []byte, rest string) (int64, error) {
	return p.enqueueTextLocked(data, rest, nil)
}

// sendEOF closes our writing end once the queued input is written; later
// sends are discarded, as in Emacs.
func (stream) sendEOF(p *Process) error {
	if err := p.waitQueued(); err != nil {
		return err
	}
	rt := p.rt
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if p.out.open() && !p.eofSent {
		rt.closeOutLocked(p)
		p.eofSent = true
	}
	return nil
}

func (stream) release(*Process) {}

// readStream reads once from a ready byte stream and delivers what it
// read, or handles its end. The dispatch lock must be held.
func (rt *Runtime) readStream(p *Process) {
	fd, ok := rt.readableFD(p)
	if !ok {
		return
	}
	buf := rt.readBuffer()
	n, err := readFD(fd, buf)
	rt.settleRead(p, buf, n, err, &rt.loop.spare)
}

// readableFD returns p's output descriptor if p reads now
// (readableLocked); otherwise it clears p's readiness and reports false.
func (rt *Runtime) readableFD(p *Process) (int, bool) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if !p.readableLocked() {
		p.inReady = false
		return -1, false
	}
	return p.in.fd, true
}

// readableLocked reports whether p's output stream may be read now: it is
// open, and p reads (not stopped, not held back, not at its end, not
// connecting). rt.mu must be held.
func (p *Process) readableLocked() bool {
	return p.in.open() && !p.stopped && !p.readHeldLocked() && !p.readEnded && p.status.kind != rawConnect
}

// settleRead finishes a read of p's output stream into buf, owned by
// *owner, that returned n and err: p's readiness is settled, then the
// bytes go to its filter, or the end of the stream is handled. The
// dispatch lock must be held.
func (rt *Runtime) settleRead(p *Process, buf []byte, n int, err error, owner *[]byte) {
	switch {
	case n > 0:
		// Settle readiness before the filter runs: a filter that accepts
		// output again (re-entering the loop) must find p armed or queued.
		rt.mu.Lock()
		if n == len(buf) {
			// Probably more: stay ready for the next turn, unarmed.
			rt.loop.ready = append(rt.loop.ready, p)
		} else {
			p.inReady = false
			rt.armLocked(p)
		}
		dec, f, bf := rt.noteOutputLocked(p)
		rt.mu.Unlock()
		rt.filterOutput(p, dec, f, bf, buf[:n], owner)
	case err == errAgain:
		rt.mu.Lock()
		p.inReady = false
		rt.armLocked(p)
		rt.mu.Unlock()
	default: // end of file, or an error that ends the stream
		rt.endOfOutput(p)
	}
}

// endStatusLocked gives p, a process that is not a child, the status of a
// stream that ended (code 0: "finished"; 256 for a connection: "connection
// broken by remote peer", as Emacs), unless it is dead already. rt.mu must
// be held.
func (rt *Runtime) endStatusLocked(p *Process, code int) {
	if !p.status.dead() {
		rt.setStatusLocked(p, rawStatus{kind: rawExit, code: code})
	}
}
