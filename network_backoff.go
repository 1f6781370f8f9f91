package eproc

import "time"

// Accept back-off.
//
// When accept fails for lack of descriptors (EMFILE, ENFILE) or memory
// (ENOBUFS, ENOMEM), the connection stays in the listen queue and the
// listener stays ready: re-arming it at once would spin at full CPU. A
// listener in that state is paused, not armed, until eproc closes a
// descriptor or a short pause passes (5 ms, doubling up to 500 ms while
// the failures go on). The server's log gets "accept failed with code N\n"
// once per episode; the episode ends at the next successful accept, and
// the queued connections are accepted from then on, up to acceptBatch a
// turn (acceptConn, network_sock.go).

const (
	firstAcceptPause = 5 * time.Millisecond
	maxAcceptPause   = 500 * time.Millisecond
)

// pauseAcceptLocked pauses the listener of server after an accept failed
// for lack of resources, and reports whether this failure starts an
// episode (and is to be logged). rt.mu must be held.
func (rt *Runtime) pauseAcceptLocked(server *Process) (first bool) {
	n := server.net
	first = n.acceptPause == 0
	n.acceptPause = min(max(2*n.acceptPause, firstAcceptPause), maxAcceptPause)
	if !n.paused {
		n.paused = true
		rt.netPaused = append(rt.netPaused, server)
	}
	time.AfterFunc(n.acceptPause, func() {
		rt.mu.Lock()
		rt.resumeAcceptLocked()
		rt.mu.Unlock()
	})
	return first
}

// resumeAcceptLocked arms every paused listener again: a descriptor was
// freed, or a pause ended. A listener that still cannot accept pauses
// again, longer. rt.mu must be held.
func (rt *Runtime) resumeAcceptLocked() {
	for _, s := range rt.netPaused {
		s.net.paused = false
		rt.armLocked(s)
	}
	clear(rt.netPaused)
	rt.netPaused = rt.netPaused[:0]
}
