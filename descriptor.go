package eproc

// pfd is one descriptor through which a process's bytes travel (a handle's
// number on Windows): the number, whether the poller knows it, and its
// closing, which happens once. A descriptor that serves both directions (a
// pty master for a child's input and output, a socket, a serial port) is
// one pfd that Process.in and Process.out both point to: it is registered
// with the poller once, armed for both directions at once, and closed once,
// which closes both ends.
//
// A pfd is guarded by rt.mu; it is closed only with the dispatch lock held
// too, since reads happen without rt.mu.
type pfd struct {
	fd    int  // -1 once closed
	added bool // registered with the poller, so arming modifies
}

// closedPFD returns a descriptor that is not open, for an end that a
// process does not have.
func closedPFD() *pfd { return &pfd{fd: -1} }

// open reports whether d is open.
func (d *pfd) open() bool { return d.fd >= 0 }

// setFDs gives p its descriptors: in is read for its output, out written
// for its input (-1: none). The same number for both is one shared
// descriptor.
func (p *Process) setFDs(in, out int) {
	p.in, p.out = &pfd{fd: in}, &pfd{fd: out}
	if in >= 0 && in == out {
		p.out = p.in
	}
}

// registerFDsLocked enters p's open descriptors in the loop's table, so
// that the poller's reports find p. rt.mu must be held.
func (rt *Runtime) registerFDsLocked(p *Process) {
	for _, d := range [3]*pfd{p.in, p.out, p.pidfd} {
		if d.open() {
			rt.loop.fds[d.fd] = p
		}
	}
}

// armFDLocked asks the poller for one report of d becoming readable (in)
// or writable (out). rt.mu must be held, and the poller exist.
func (rt *Runtime) armFDLocked(d *pfd, in, out bool) {
	rt.loop.pl.arm(d.fd, in, out, d.added)
	d.added = true
}

// closeFDLocked closes d, unless it is closed already, and forgets it in
// the loop's table and, if it was ever armed, in the poller. rt.mu and the
// dispatch lock must be held.
func (rt *Runtime) closeFDLocked(d *pfd) {
	if !d.open() {
		return
	}
	if rt.loop.fds[d.fd] != nil {
		delete(rt.loop.fds, d.fd)
		if d.added && rt.loop.pl != nil {
			rt.loop.pl.forget(d.fd)
		}
		if len(rt.netPaused) > 0 {
			rt.resumeAcceptLocked() // a descriptor is freed (network_backoff.go)
		}
	}
	closeFD(d.fd)
	d.fd, d.added = -1, false
}
