package eproc

import (
	"runtime"
	"sync"
)

// Reading several processes at once.
//
// Filters never run concurrently, but the reads that feed them need not
// wait for one another. A turn with several byte streams ready reads them
// on two goroutines at once, the dispatching one and a helper, each read
// into a buffer of its own, and only then settles and delivers each read,
// in the order the poller reported them. No filter runs while the reads
// are in flight, so no descriptor can be closed under them: closing takes
// the dispatch lock, which the turn holds. Between the reads and a
// delivery, a filter may delete a process that was read: its bytes are
// dropped, as a deleted process's output is. A filter that waits (a
// SendString waiting for room) runs a turn inside the turn: that inner
// turn reads into lists and buffers of its own, and delivers a held read
// of a process whose exit it dispatches before that exit (see
// deliverHeldRead). A fleet of children writing at once is read on two
// cores, as a goroutine per child would be.

const (
	readTogetherMin   = 4  // ready streams for a turn to read them on two goroutines
	readTogetherBatch = 32 // streams read at once, then delivered, before the next batch
)

// readTogetherOK: where the turn's reads may run on two goroutines. Not on
// Windows, whose reads complete through the I/O completion port
// (fd_windows.go).
var readTogetherOK = runtime.GOOS != "windows"

// readShot is one read of a turn that reads together.
type readShot struct {
	p   *Process
	fd  int
	n   int
	err error
	buf *[]byte // the buffer read into, as its owner slot
}

// readsTogether reports whether a turn that reads ready, with only (its
// just-this-one process) or nil, reads on two goroutines.
func readsTogether(ready []*Process, only *Process) bool {
	return only == nil && len(ready) >= readTogetherMin && readTogetherOK && runtime.GOMAXPROCS(0) > 1
}

// readTogether reads once from each ready process: those that are byte
// streams in batches of readTogetherBatch, each batch read on two
// goroutines at once and then settled and delivered in turn; the others
// one by one after. The dispatch lock must be held.
func (rt *Runtime) readTogether(ready []*Process) {
	l := &rt.loop
	// The lists and buffers are the turn's own until it ends: a filter
	// that waits (a SendString waiting for room) runs a turn inside this
	// one, which must not read into the buffers of reads not yet
	// delivered. That inner turn makes lists and buffers of its own.
	shots, rest, bufs := l.shots[:0], l.readRest[:0], l.together
	l.shots, l.readRest, l.together = nil, nil, nil
	for _, p := range ready {
		if p.tr.readsStream() {
			shots = append(shots, readShot{p: p})
		} else {
			rest = append(rest, p)
		}
	}
	for batch := shots; len(batch) > 0; {
		k := min(len(batch), readTogetherBatch)
		if b := rt.readableShots(batch[:k]); len(b) > 0 {
			bufs = rt.readBatch(b, bufs)
		}
		batch = batch[k:]
	}
	for _, p := range rest {
		p.tr.read(rt, p)
	}
	clear(shots) // the lists are kept for the next turn, without the processes
	clear(rest)
	l.shots, l.readRest, l.together = shots[:0], rest[:0], bufs
}

// readableShots keeps, in place, the shots whose process reads now
// (readableLocked), noting the descriptor to read, and clears the
// readiness of the others, as readableFD does. Each batch is checked just
// before it is read: the filters of an earlier batch may have deleted,
// stopped or held back one of its processes, and a deleted process's
// descriptor number may be another's by now.
func (rt *Runtime) readableShots(shots []readShot) []readShot {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	kept := shots[:0]
	for _, s := range shots {
		if s.p.readableLocked() {
			s.fd = s.p.in.fd
			kept = append(kept, s)
		} else {
			s.p.inReady = false
		}
	}
	clear(shots[len(kept):])
	return kept
}

// readBatch reads shots on two goroutines into together, a buffer per
// read (made where nil or missing), then settles and delivers each read in
// turn; it returns together, grown. A process whose descriptor a filter
// closed meanwhile (Delete) gets nothing. The dispatch lock must be held.
func (rt *Runtime) readBatch(shots []readShot, together [][]byte) [][]byte {
	l := &rt.loop
	for len(together) < len(shots) {
		together = append(together, nil)
	}
	bufs := together[:len(shots)]
	for i := range bufs {
		if bufs[i] == nil {
			bufs[i] = make([]byte, rt.cfg.ReadProcessOutputMax)
		}
	}
	read := func(shots []readShot, bufs [][]byte) {
		for i := range shots {
			shots[i].n, shots[i].err = readFD(shots[i].fd, bufs[i])
		}
	}
	half := len(shots) / 2
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		read(shots[half:], bufs[half:])
	}()
	read(shots[:half], bufs[:half])
	wg.Wait()
	l.togetherTurns++
	for i := range shots {
		shots[i].buf = &bufs[i]
		shots[i].p.heldRead = &shots[i]
	}
	for i := range shots {
		rt.deliverHeldRead(shots[i].p)
	}
	return together
}

// deliverHeldRead settles and delivers p's read that a turn reading
// together holds, if any. The turn delivers its reads in order; a filter
// among them that waits runs a turn inside it, and when that inner turn
// dispatches the exit of a process whose read the outer turn still holds,
// it delivers that read first (dispatchStatus), so the output comes
// before the descriptors close and before the sentinel. A process deleted
// meanwhile gets nothing. The dispatch lock must be held.
func (rt *Runtime) deliverHeldRead(p *Process) {
	s := p.heldRead
	if s == nil {
		return
	}
	p.heldRead = nil
	rt.mu.Lock()
	gone := p.in.fd != s.fd || p.deleted
	if gone {
		p.inReady = false
	}
	rt.mu.Unlock()
	if !gone {
		rt.settleRead(p, *s.buf, s.n, s.err, s.buf)
	}
}
