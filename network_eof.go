package eproc

// A peer's half-close.
//
// When the peer of a stream connection ends its sending side (shutdown,
// CloseWrite), the read returns end of file. Emacs 28 closes the socket
// there, so replies still queued, and whatever the filter sends while it
// handles the last chunk, are lost ("Process NAME not running"). eproc
// keeps the socket open for writing until both are done: the connection
// stops reading, its status stays "open", the queued input is written, and
// when the last filter call returns and nothing is left to write, the
// socket is closed with Emacs's status ("closed", exit 256, "connection
// broken by remote peer\n").

// holdPeerEOFLocked is the question of a stream connection's end of
// output (streamSocket.ended, network.go): must the close wait? It must
// with input queued or with its filter running (the end was read inside a
// wait of that filter, such as a SendString waiting for room). Then p
// stops reading (readEnded, as a pty master that reported its end) and
// finishPeerEOFLocked closes it later. rt.mu and the dispatch lock must be
// held.
func (rt *Runtime) holdPeerEOFLocked(p *Process) bool {
	if !p.out.open() || p.writeErr != nil || len(p.wq) == 0 && p.net.inFilter == 0 {
		return false
	}
	p.readEnded = true
	return true
}

// finishPeerEOFLocked closes a stream whose peer had ended once its filter
// has returned and its queued input is written (or writing failed), and
// reports whether it did. rt.mu and the dispatch lock must be held.
func (rt *Runtime) finishPeerEOFLocked(p *Process) bool {
	if p.net == nil || !p.readEnded || p.net.inFilter > 0 || len(p.wq) > 0 || !p.in.open() || p.status.dead() {
		return false
	}
	rt.closeInLocked(p)
	rt.setStatusLocked(p, rawStatus{kind: rawExit, code: 256})
	return true
}

// callNetFilter makes call, a filter call of the network process p,
// counting it so that a peer's end of file read meanwhile waits for it to
// return. The dispatch lock must be held.
func (rt *Runtime) callNetFilter(p *Process, call func()) {
	p.net.inFilter++
	defer func() {
		p.net.inFilter--
		if p.net.inFilter == 0 {
			rt.mu.Lock()
			rt.finishPeerEOFLocked(p)
			rt.mu.Unlock()
		}
	}()
	rt.callback(p, false, call)
}
