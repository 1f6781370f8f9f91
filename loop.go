package eproc

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// The accept loop.
//
// Descriptors of every process sit in one poller (epoll on Linux, kqueue on
// the BSDs and macOS), armed one-shot. A goroutine that accepts output
// either becomes the leader, which waits in the poller and marks the
// processes it reports ready, or a follower, which waits for the leader's
// next turn. Then each waiter takes the dispatch lock and dispatches: one
// read of at most read-process-output-max bytes from each ready process in
// turn (round-robin), pending writes, and status changes. Output that
// nobody accepts stays in the kernel: a descriptor is armed again only
// after it was read dry.
//
// Status changes come from the reaper (reap_unix.go): SIGCHLD makes it
// call wait4 on each child's own pid, record the new status, bump the
// process's tick, queue the process and wake the poller. On Linux a
// child's pidfd sits in the poller too, so its exit wakes the leader,
// which collects the status itself (pidfd_linux.go). Dispatching a status
// change reads the process's remaining output first, so every byte a child
// wrote reaches its filter before its exit sentinel runs.
//
// A byte's path, from a child's pipe to a string filter:
//
//	poll_linux.go  wait: epoll_wait in the leader (waitEvents, below)
//	loop.go        markEventsLocked: the process joins the ready queue
//	loop.go        dispatchTurn: takes the queue, calls p.tr.read (or,
//	               with several ready, readtogether.go reads them on two
//	               goroutines, then settles each in turn)
//	transport.go   readStream: read(2) into the turn's buffer, re-arm
//	loop.go        filterOutput: one decode (coding_*.go), deliverText
//	callback.go    callFilter: the filter, under the dispatch lock
//
// rt.mu is taken twice for each read (checking that the process reads,
// settling its readiness after) and three times for each turn, whatever
// it reads (marking, taking the queues, taking the status queue); a
// filter that inserts into a buffer takes the buffer's lock.
//
// A child's death:
//
//	pidfd_linux.go  the pidfd is readable: markEventsLocked queues the
//	                process on exited (else reap_unix.go: SIGCHLD, the
//	                reaper goroutine, reapPending)
//	reap.go         reapChild, reap_unix.go reapLocked: wait4, recordStatus
//	status.go       setStatusLocked: the status, the tick, the status queue
//	loop.go         dispatchStatus: drain the output, close the descriptors
//	sentinel.go     runSentinel: the sentinel, then Done (native.go)
//
// How a process's bytes travel (pipes, a pty, a socket, a serial port) is
// its transport's business (transport.go); its descriptors are pfds
// (descriptor.go).

// pollEvent is one readiness report from the poller.
type pollEvent struct {
	fd      int
	in, out bool
}

// loopState is the accept loop's part of a Runtime. Fields are guarded by
// Runtime.mu unless noted.
type loopState struct {
	pl         *poller       // nil until first needed, and again after Close
	shut       bool          // Close closed the poller: waits return at once
	polling    bool          // the leader waits in the poller now: wake it to report a change
	turnSeq    uint64        // bumped after every wait in the poller
	wakes      uint64        // bumped by every wakePollerLocked, polling or not
	turn       chan struct{} // made by the first follower of a turn, closed when it ends; nil without followers
	ready      []*Process    // processes with output to read, oldest report first
	readySpare []*Process    // an empty list to take ready's place at the next turn
	writable   []*Process    // processes whose input descriptor has room
	statusQ    []*Process    // processes with a status change to dispatch
	fds        map[int]*Process
	children   map[int]*Process // pid -> child not yet reaped (deleted ones too)
	pidfds     int              // children's pidfds open (reap.go)
	exited     []*Process       // children whose pidfd reported their exit, to reap
	reapMu     sync.Mutex       // serialises wait4 and kill(2) of our pids; taken before mu

	outputSeq uint64 // bumped by every read that returned output

	pollMu   chanMutex    // held by the leader while it waits in the poller
	events   []pollEvent  // the leader's; guarded by pollMu
	dispatch dispatchLock // serialises reads, filters and sentinels
	spare    []byte       // the next read's buffer, nil once given to a string; guarded by dispatch

	// Reading together (readtogether.go); guarded by dispatch.
	together      [][]byte   // a buffer per read, nil once given to a string
	shots         []readShot // a turn's reads
	readRest      []*Process // a turn's processes read one by one
	togetherTurns int        // turns that read together (tests)
}

func (l *loopState) init() {
	l.fds = make(map[int]*Process)
	l.children = make(map[int]*Process)
	l.events = make([]pollEvent, 256)
	l.pollMu = make(chanMutex, 1)
	l.dispatch.init()
}

// chanMutex is a mutex with TryLock semantics that never spins.
type chanMutex chan struct{}

func (m chanMutex) tryLock() bool {
	select {
	case m <- struct{}{}:
		return true
	default:
		return false
	}
}

func (m chanMutex) unlock() { <-m }

// lock takes m, waiting as long as it takes.
func (m chanMutex) lock() { m <- struct{}{} }

// pollerLocked returns the Runtime's poller, making it on first use. A
// failure (no descriptor left, say) is not remembered: the next call tries
// again. rt.mu must be held.
func (rt *Runtime) pollerLocked() (*poller, error) {
	l := &rt.loop
	if l.shut {
		return nil, ErrClosed
	}
	if l.pl == nil {
		pl, err := newPoller()
		if err != nil {
			return nil, err
		}
		l.pl = pl
		registerRuntime(rt)
	}
	return l.pl, nil
}

// pollerError is the error of a function that could not get the poller.
func pollerError(err error) error {
	if errors.Is(err, ErrClosed) {
		return ErrClosed
	}
	if errors.Is(err, errors.ErrUnsupported) {
		return fmt.Errorf("eproc: cannot make processes on this system: %w", err)
	}
	return &FileError{Op: "Creating the poller", Err: err}
}

// wakePollerLocked makes the leader's wait in the poller return, if a
// leader waits there, so that it dispatches a change made by another
// goroutine and checks its condition again. A waiter that is not in the
// poller yet does not block in it: it saw the count of wakes before it
// checked its condition, and finds it changed where it enters
// (waitEvents). rt.mu must be held.
func (rt *Runtime) wakePollerLocked() {
	rt.loop.wakes++
	if rt.loop.polling {
		rt.loop.pl.wake()
	}
}

// wakePoller is wakePollerLocked for a caller without rt.mu.
func (rt *Runtime) wakePoller() {
	rt.mu.Lock()
	rt.wakePollerLocked()
	rt.mu.Unlock()
}

// armLocked arms p's descriptors for what p wants next: reading when it
// reads and has no report pending, writing when input is queued.
// rt.mu must be held.
func (rt *Runtime) armLocked(p *Process) {
	if rt.loop.pl == nil {
		return
	}
	// A nowait network connection in progress waits for its socket to
	// become writable, which tells that the connection completed or
	// failed (finishConnectLocked, network_sock.go); it reads nothing yet.
	connecting := p.status.kind == rawConnect
	wantIn := p.in.open() && !p.inReady && !p.stopped && !p.readHeldLocked() && !p.readEnded && !connecting
	wantOut := p.out.open() && (len(p.wq) > 0 || connecting) && !p.inWritable
	if p.pidfd.open() && !p.pidfd.added {
		rt.armFDLocked(p.pidfd, true, false) // one report: the exit
	}
	switch {
	case p.in == p.out: // one descriptor: one registration for both
		if wantIn || wantOut {
			rt.armFDLocked(p.in, wantIn, wantOut)
		}
	default:
		if wantIn {
			rt.armFDLocked(p.in, true, false)
		}
		if wantOut {
			rt.armFDLocked(p.out, false, true)
		}
	}
}

// markEventsLocked records the leader's reports. rt.mu must be held.
func (rt *Runtime) markEventsLocked(evs []pollEvent) {
	l := &rt.loop
	for _, e := range evs {
		p := l.fds[e.fd]
		if p == nil {
			continue
		}
		if e.fd == p.pidfd.fd {
			if !p.exitReady {
				p.exitReady = true
				l.exited = append(l.exited, p)
			}
			continue
		}
		if e.in && e.fd == p.in.fd && !p.inReady {
			p.inReady = true
			l.ready = append(l.ready, p)
		}
		if e.out && e.fd == p.out.fd && !p.inWritable {
			p.inWritable = true
			l.writable = append(l.writable, p)
		}
	}
}

// pendingLocked reports whether a dispatch turn has work already, so a
// waiter must not block. rt.mu must be held.
func (rt *Runtime) pendingLocked(only *Process) bool {
	l := &rt.loop
	if only == nil {
		return len(l.ready) > 0 || len(l.writable) > 0 || len(l.statusQ) > 0 || len(l.exited) > 0
	}
	return only.inReady || only.inWritable || only.inStatusQ || only.exitReady
}

// take removes and returns the processes of q that match only (all when
// only is nil), keeping the others in order.
func take(q *[]*Process, only *Process) []*Process {
	if only == nil {
		out := *q
		*q = nil
		return out
	}
	for i, p := range *q {
		if p == only {
			*q = append((*q)[:i:i], (*q)[i+1:]...)
			return []*Process{p}
		}
	}
	return nil
}

// dispatchTurn does one turn of work that is ready: pending writes, one
// read from each ready process, and the status changes. With only set, it
// touches that process alone (accept-process-output's just-this-one). It
// waits for the dispatch lock until ctx ends or the deadline passes (zero
// values: no limit) and reports whether it got it, and the count of the
// poller's wakes at the end of the turn (see waitEvents).
func (rt *Runtime) dispatchTurn(only *Process, ctx context.Context, deadline time.Time) (ok bool, wakes uint64) {
	d := &rt.loop.dispatch
	if !d.lockWithin(ctx, deadline) {
		return false, 0
	}
	defer d.unlock()
	rt.mu.Lock()
	exited := take(&rt.loop.exited, only)
	for _, p := range exited {
		p.exitReady = false
	}
	writable := take(&rt.loop.writable, only)
	ready := take(&rt.loop.ready, only)
	if only == nil {
		// Reuse the previous turn's list for the reports of this one.
		rt.loop.ready, rt.loop.readySpare = rt.loop.readySpare, nil
	}
	rt.mu.Unlock()
	worked := len(writable) > 0 || len(ready) > 0 || len(exited) > 0
	for _, p := range exited {
		rt.reapChild(p) // its status is dispatched below, in this turn
	}
	for _, p := range writable {
		rt.flushWrites(p)
	}
	if readsTogether(ready, only) {
		rt.readTogether(ready)
	} else {
		for _, p := range ready {
			p.tr.read(rt, p)
		}
	}
	for {
		rt.mu.Lock()
		if only == nil && ready != nil {
			clear(ready)
			rt.loop.readySpare, ready = ready[:0], nil
		}
		q := take(&rt.loop.statusQ, only)
		for _, p := range q {
			p.inStatusQ = false
		}
		if len(q) == 0 {
			if worked {
				// Another goroutine may wait in the poller for what this
				// turn did (output, a sentinel): let it check.
				rt.wakePollerLocked()
			}
			wakes := rt.loop.wakes
			rt.mu.Unlock()
			return true, wakes
		}
		rt.mu.Unlock()
		worked = true
		for _, p := range q {
			rt.dispatchStatus(p)
		}
	}
}

// readBuffer returns the buffer for the next read, of
// read-process-output-max bytes. The dispatch lock must be held.
func (rt *Runtime) readBuffer() []byte {
	if rt.loop.spare == nil {
		rt.loop.spare = make([]byte, rt.cfg.ReadProcessOutputMax)
	}
	return rt.loop.spare
}

// deliver hands bytes read from p into the read buffer to its filter
// through its decoder. The dispatch lock must be held.
func (rt *Runtime) deliver(p *Process, data []byte) {
	rt.mu.Lock()
	dec, f, bf := rt.noteOutputLocked(p)
	rt.mu.Unlock()
	rt.filterOutput(p, dec, f, bf, data, &rt.loop.spare)
}

// noteOutputLocked counts a read that returned output (AcceptProcessOutput
// watches the counts) and returns p's decoder and filters. rt.mu must be
// held.
func (rt *Runtime) noteOutputLocked(p *Process) (decoder, Filter, BytesFilter) {
	p.outputSeq++
	rt.loop.outputSeq++
	return p.dec, p.filter, p.bytesFilter
}

// filterOutput decodes data and calls the filter with the text. With
// owner set, data lies in the read buffer *owner: a large read then
// becomes the filter's string without a copy when the decoder allows (the
// string keeps at most four times its size alive), and *owner is set to
// nil so that the next read gets a new buffer. The dispatch lock must be
// held.
func (rt *Runtime) filterOutput(p *Process, dec decoder, f Filter, bf BytesFilter, data []byte, owner *[]byte) {
	if p.remote != nil {
		var inBuffer bool
		data, inBuffer = p.remote.output(data, owner != nil) // remote.go: takes out eproc's status record
		if !inBuffer {
			owner = nil
		}
	}
	// The text may share the read buffer (decodeOwned). A bytes filter
	// borrows it for the call only, and so does the default filter, which
	// copies it into the process's buffer (and an Expecter into its own):
	// the read buffer is read into again. A string filter may keep the
	// text, so the read buffer is given away (for a large read: a small
	// one is copied instead).
	borrow := bf != nil || f == nil
	var s string
	if owner != nil && (borrow || len(data) >= len(*owner)/4) {
		var kept bool
		if s, kept = dec.decodeOwned(data); kept && !borrow {
			*owner = nil
		}
	} else {
		s = dec.decode(data, false)
	}
	if borrow && owner != nil && *owner != nil {
		// The filter borrows the read buffer for the whole call: a turn
		// run inside it (a filter that waits) reads into another.
		buf := *owner
		*owner = nil
		rt.deliverText(p, f, bf, s)
		if *owner == nil {
			*owner = buf
		}
		return
	}
	rt.deliverText(p, f, bf, s)
}

// deliverText hands the decoded text s to p's bytes filter bf if it has
// one, else to its filter f. The dispatch lock must be held.
func (rt *Runtime) deliverText(p *Process, f Filter, bf BytesFilter, s string) {
	switch {
	case s == "":
	case bf != nil:
		rt.callBytesFilter(p, bf, s)
	default:
		rt.callFilter(p, f, s)
	}
}

// flushDecoder delivers what p's decoder still holds at the end of the
// stream (an incomplete sequence, as raw bytes). The dispatch lock must be
// held.
func (rt *Runtime) flushDecoder(p *Process) {
	rt.mu.Lock()
	dec, f, bf := p.dec, p.filter, p.bytesFilter
	rt.mu.Unlock()
	rt.deliverText(p, f, bf, dec.decode(nil, true))
}

// endOfOutput handles the end of p's output: what its decoder still holds
// is delivered, then its transport says what the end means. The dispatch
// lock must be held.
func (rt *Runtime) endOfOutput(p *Process) {
	rt.flushDecoder(p)
	rt.mu.Lock()
	p.inReady = false
	p.tr.ended(rt, p)
	rt.mu.Unlock()
}

// drainLimit bounds the reading of a dead child's remaining output, so a
// grandchild that keeps writing into the inherited descriptor cannot hold
// the exit sentinel back for ever. It is far above any pipe's capacity.
const drainLimit = 16 << 20

// dispatchStatus dispatches a status change of p: the remaining output of a
// dead process first (and of its standard error pipe process, whose
// sentinel comes later, as in Emacs), then its sentinel. The dispatch lock
// must be held.
func (rt *Runtime) dispatchStatus(p *Process) {
	rt.mu.Lock()
	dead := p.status.dead()
	errp := p.stderrProc
	rt.mu.Unlock()
	if dead {
		rt.deliverHeldRead(p) // readtogether.go: a read an outer turn holds comes first
		rt.drain(p)
		if errp != nil && rt.drain(errp) {
			rt.endOfOutput(errp)
		}
		if p.remote != nil {
			p.remote.finish(p) // remote.go: the remote program's own exit status
		}
		rt.mu.Lock()
		rt.closeFDsLocked(p)
		rt.mu.Unlock()
	}
	rt.runSentinel(p)
}

// drain reads and delivers what p's output holds now, and reports whether
// it reached the end of the stream. It reads a process that is stopped or
// deleted not at all, and at most drainLimit bytes. The dispatch lock must
// be held.
func (rt *Runtime) drain(p *Process) (eof bool) {
	rt.mu.Lock()
	fd := p.in.fd
	if p.stopped || p.deleted || p.native.filterT {
		fd = -1 // with filter t, as in Emacs, a dead process's unread output is dropped
	}
	rt.mu.Unlock()
	if fd < 0 {
		return false
	}
	for total := 0; total < drainLimit; {
		buf := rt.readBuffer()
		n, err := readFD(fd, buf)
		if n <= 0 {
			eof = err != errAgain
			break
		}
		total += n
		rt.deliver(p, buf[:n])
		if rt.fdOf(p) != fd {
			return false // a filter deleted the process
		}
	}
	rt.flushDecoder(p)
	return eof
}

func (rt *Runtime) fdOf(p *Process) int {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return p.in.fd
}

// closeInLocked closes p's output descriptor (our reading end). rt.mu must
// be held, and the dispatch lock, since reads happen without rt.mu.
func (rt *Runtime) closeInLocked(p *Process) {
	if rt.closeEndLocked(p, p.in) {
		p.inReady = false
	}
}

// closeOutLocked closes p's input descriptor (our writing end), and drops
// what is queued for it. rt.mu must be held.
func (rt *Runtime) closeOutLocked(p *Process) {
	if rt.closeEndLocked(p, p.out) {
		p.wq = nil
	}
}

// closeEndLocked closes d, which is p.in or p.out, and reports whether it
// closed that one alone: a descriptor serving both directions (a pty
// master, a socket) takes all of p's with it. rt.mu must be held.
func (rt *Runtime) closeEndLocked(p *Process, d *pfd) bool {
	if !d.open() {
		return false
	}
	if p.in == p.out {
		rt.closeFDsLocked(p)
		return false
	}
	rt.closeFDLocked(d)
	return true
}

// closeFDsLocked closes every descriptor of p. rt.mu and the dispatch lock
// must be held.
func (rt *Runtime) closeFDsLocked(p *Process) {
	if p.in.open() {
		p.tr.release(p)
	}
	rt.closePidFDLocked(p)
	rt.closeFDLocked(p.in)
	rt.closeFDLocked(p.out)
	for _, fd := range []int{p.stderrW, p.ptySlave} {
		if fd >= 0 {
			closeFD(fd)
		}
	}
	p.stderrW, p.ptySlave = -1, -1
	p.inReady = false
	p.wq = nil
}

// waitSpec says what an accept call waits for.
type waitSpec struct {
	only     *Process        // dispatch this process alone (just-this-one)
	deadline time.Time       // zero: no limit
	ctx      context.Context // nil: none
	done     func() bool     // checked after each turn, without locks held
}

// waitLoop dispatches turns until spec.done reports true (it returns true),
// or the deadline passes, the context ends or the Runtime is closed (it
// returns spec.done()). Every turn dispatches what is ready before waiting
// in the poller; after the deadline one last turn dispatches what the last
// wait reported.
func (rt *Runtime) waitLoop(spec waitSpec) bool {
	if spec.ctx != nil && spec.ctx.Done() != nil {
		// The end of the context wakes whoever waits in the poller; a
		// follower watches the context itself.
		stop := context.AfterFunc(spec.ctx, rt.wakePoller)
		defer stop()
	}
	for waited := false; ; waited = true {
		rt.mu.Lock()
		seq := rt.loop.turnSeq
		shut := rt.loop.shut
		rt.mu.Unlock()
		// A change that spec.done or the context will see is made before
		// a wake; a wake after the turn's count keeps the wait from
		// blocking.
		ok, wakes := rt.dispatchTurn(spec.only, spec.ctx, spec.deadline)
		if !ok || shut {
			return spec.done()
		}
		if spec.done() {
			return true
		}
		if spec.ctx != nil && spec.ctx.Err() != nil {
			return false
		}
		timeout := time.Duration(-1)
		if !spec.deadline.IsZero() {
			timeout = max(time.Until(spec.deadline), 0)
			if timeout == 0 && waited {
				return false
			}
		}
		rt.waitEvents(spec.only, seq, wakes, timeout, spec.ctx)
	}
}

// waitEvents waits for the next events: in the poller when no other
// goroutine is there (the leader), or for the end of the leader's turn
// (seq is the turn the caller saw before it dispatched, so a turn that
// ended meanwhile is not waited for; wakes the count of wakes it saw
// before it checked its condition, so a wake meanwhile is not missed). A
// leader that cannot have the poller (no descriptor left to make it)
// waits a little and lets the next turn try again.
func (rt *Runtime) waitEvents(only *Process, seq, wakes uint64, timeout time.Duration, ctx context.Context) {
	l := &rt.loop
	if !l.pollMu.tryLock() {
		rt.sleep(seq, timeout, ctx)
		return
	}
	rt.mu.Lock()
	pl, err := rt.pollerLocked()
	// Checked under rt.mu, where polling is set: a wake (the end of the
	// context, a Reader's Close, a status change) either came after the
	// caller's count and the wait does not block, or comes after this and
	// finds polling set.
	if rt.pendingLocked(only) || l.shut || l.wakes != wakes {
		timeout = 0
	}
	l.polling = err == nil
	rt.mu.Unlock()
	n := 0
	switch {
	case err == nil:
		n = pl.wait(l.events, timeout)
	case timeout != 0 && !errors.Is(err, ErrClosed):
		if timeout < 0 || timeout > pollerRetry {
			timeout = pollerRetry
		}
		pause(timeout, ctx)
	}
	rt.mu.Lock()
	l.polling = false
	rt.markEventsLocked(l.events[:n])
	l.turnSeq++
	if l.turn != nil {
		close(l.turn)
		l.turn = nil
	}
	// Give up the poller before rt.mu: a waiter that sees the new turn
	// must find the poller free (or taken by a new leader), or it could
	// sleep for a turn that no leader runs.
	l.pollMu.unlock()
	rt.mu.Unlock()
}

// pollerRetry is how long a waiter that could not make the poller waits
// before it tries again.
const pollerRetry = 50 * time.Millisecond

// pause waits for d or the end of ctx (nil: none).
func pause(d time.Duration, ctx context.Context) {
	t := time.NewTimer(d)
	defer t.Stop()
	var done <-chan struct{}
	if ctx != nil {
		done = ctx.Done()
	}
	select {
	case <-t.C:
	case <-done:
	}
}

// sleep waits for the end of the leader's turn after seq, the timeout or
// the context.
func (rt *Runtime) sleep(seq uint64, timeout time.Duration, ctx context.Context) {
	if timeout == 0 {
		return
	}
	rt.mu.Lock()
	if rt.loop.turnSeq != seq {
		rt.mu.Unlock()
		return
	}
	if rt.loop.turn == nil {
		rt.loop.turn = make(chan struct{})
	}
	turn := rt.loop.turn
	rt.mu.Unlock()
	var timer <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		timer = t.C
	}
	var done <-chan struct{}
	if ctx != nil {
		done = ctx.Done()
	}
	select {
	case <-turn:
	case <-timer:
	case <-done:
	}
}

// AcceptProcessOutput is accept-process-output: it dispatches process
// output, status changes and sentinels until output arrives, then returns.
// With p nil it returns after output from any process arrived, with p set
// after output from p arrived or p stopped running; it returns at once when
// p is not running and has no output left. timeout 0 polls once; a
// negative timeout means no limit. With justThisOne, only p's output and
// status are handled (other processes wait for a later call).
//
// The result is true when output was read (from p when p is set) during
// the call; unlike Emacs 28, it is true whenever output was read, even if a
// status change was dispatched in the same call.
func (rt *Runtime) AcceptProcessOutput(p *Process, timeout time.Duration, justThisOne bool) bool {
	var spec waitSpec
	if timeout >= 0 {
		spec.deadline = time.Now().Add(timeout)
	}
	if justThisOne {
		spec.only = p
	}
	rt.mu.Lock()
	start := rt.loop.outputSeq
	var startTick uint64
	if p != nil {
		start = p.outputSeq
		startTick = p.tick
	}
	rt.mu.Unlock()
	got := func() bool {
		rt.mu.Lock()
		defer rt.mu.Unlock()
		if p == nil {
			return rt.loop.outputSeq != start
		}
		return p.outputSeq != start
	}
	spec.done = func() bool {
		if got() {
			return true
		}
		if p == nil {
			return false
		}
		rt.mu.Lock()
		defer rt.mu.Unlock()
		return p.tick != startTick || !p.runningLocked()
	}
	rt.waitLoop(spec)
	return got()
}

// Run dispatches output, status changes and sentinels of every process
// until ctx ends, and returns ctx.Err(); or until the Runtime is closed,
// and returns ErrClosed. It is the Go counterpart of Emacs's command loop
// waiting for input. It may be started before the first process is made.
func (rt *Runtime) Run(ctx context.Context) error {
	closed := func() bool {
		rt.mu.Lock()
		defer rt.mu.Unlock()
		return rt.closed
	}
	if rt.waitLoop(waitSpec{ctx: ctx, done: closed}) {
		return ErrClosed
	}
	return ctx.Err()
}

// SitFor waits for d while dispatching output, status changes and
// sentinels (sit-for, sleep-for).
func (rt *Runtime) SitFor(d time.Duration) {
	rt.waitLoop(waitSpec{deadline: time.Now().Add(d), done: func() bool { return false }})
}
