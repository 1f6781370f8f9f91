package eproc

import "errors"

// PipeArgs are make-pipe-process's keywords. A zero field means the
// keyword was omitted.
type PipeArgs struct {
	// Name is :name, made unique like a child's; "" is a name, as in
	// Emacs, but not a buffer's: with neither Buffer nor NoBuffer it is
	// Emacs's error "Empty string for buffer name is not allowed".
	Name string
	// Buffer is :buffer. Nil makes (or reuses) a buffer named Name, as
	// Emacs 28 does, unless NoBuffer is set.
	Buffer *Buffer
	// NoBuffer asks for no buffer at all when Buffer is nil (Emacs 31's
	// :buffer nil).
	NoBuffer bool
	// Coding is :coding; zero fields take the defaults.
	Coding Coding
	// NoQuery is :noquery.
	NoQuery bool
	// Stop is :stop: the pipe process starts stopped and reads nothing
	// until Continue.
	Stop bool
	// Filter is :filter; nil means DefaultFilter.
	Filter Filter
	// Sentinel is :sentinel; nil means DefaultSentinel.
	Sentinel Sentinel
}

// MakePipeProcess is make-pipe-process: a process of type "pipe" that
// reads what a child writes into it, for use as ProcessArgs.Stderr. Its
// status is "open" ("stop" while stopped); when every writer has closed
// the pipe it becomes "closed" and its sentinel gets "finished\n". The
// writing end is handed to the first child that uses the pipe process as
// its standard error. Input sent to a pipe process is discarded: nothing
// reads it.
func (rt *Runtime) MakePipeProcess(a PipeArgs) (*Process, error) {
	if a.Name == "" && a.Buffer == nil && !a.NoBuffer {
		return nil, errors.New("Empty string for buffer name is not allowed")
	}
	decCS, encCS, err := rt.resolveCoding(a.Coding)
	if err != nil {
		return nil, err
	}
	if err := rt.beginMaking(); err != nil {
		return nil, err
	}
	defer rt.endMaking()
	var fds [2]int
	if err := pipeCloexec(fds[:]); err != nil {
		return nil, &FileError{Op: "Creating pipe", Err: err}
	}
	setNonblock(fds[0])
	p := rt.newProcess(kindPipe)
	p.contact = a
	p.filter = a.Filter
	p.sentinel = a.Sentinel
	p.query = !a.NoQuery
	p.stopped = a.Stop
	p.tr = pipeEnd{}
	p.setFDs(fds[0], -1)
	p.stderrW = fds[1]
	p.setCodingLocked(decCS, encCS)

	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.addProcess(p, a.Name)
	buf := a.Buffer
	if buf == nil && !a.NoBuffer {
		buf = rt.bufNames[p.name]
		if buf == nil {
			buf = rt.newBufferLocked(p.name)
		}
	}
	p.buffer = buf
	rt.registerFDsLocked(p)
	rt.armLocked(p)
	if buf != nil {
		rt.mu.Unlock()
		p.mark.Set(buf, buf.PointMax())
		rt.mu.Lock()
	}
	return p, nil
}

// pipeEnd is the transport of a pipe process: it reads the pipe that
// eproc handed a child as its standard error, and nothing reads its input.
type pipeEnd struct{ stream }

// read reads the child writing into the pipe first, as long as the
// child's output is open (a child that died keeps it until its exit is
// dispatched, which drains it): what a child wrote to its standard output
// comes before what it wrote to its standard error, as in Emacs 28.2
// (issue 16 item 2), even when the pipe is reported first (its descriptor
// joined the poller before the fork, the child's own output after it), or
// when the child's pidfd made the turn collect its exit before the reads.
func (pipeEnd) read(rt *Runtime, p *Process) {
	rt.mu.Lock()
	c := p.stderrOf
	first := c != nil && c.in.open()
	rt.mu.Unlock()
	if first {
		c.tr.read(rt, c)
	}
	rt.readStream(p)
}

// readsStream: read reads the child first.
func (pipeEnd) readsStream() bool { return false }

// ended closes the pipe, and the process with "finished"; a standard error
// pipe process closes after the exit sentinel of the child writing into
// it, as in Emacs (see runSentinel).
func (t pipeEnd) ended(rt *Runtime, p *Process) {
	t.stream.ended(rt, p)
	if w := p.stderrOf; w != nil && !w.exitReported && !p.status.dead() {
		p.endPending = true
		return
	}
	rt.endStatusLocked(p, 0)
}
