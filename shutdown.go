package eproc

import (
	"syscall"
	"time"
)

// maxReadProcessOutput is the largest read-process-output-max NewRuntime
// keeps (see Config.ReadProcessOutputMax).
const maxReadProcessOutput = 16 << 20

// closeGrace is how long Close waits for children to die of SIGHUP before
// it kills them.
const closeGrace = 2 * time.Second

// Close is kill-emacs for this Runtime. It asks Config.QueryBeforeExit about
// the live processes whose query-on-exit flag is set (false: Close returns
// ErrKillCanceled and nothing happens), then sends SIGHUP to every live
// child's process group, waits up to two seconds for the children to die
// (then sends SIGKILL), runs the sentinels of every process, and closes
// every descriptor. A remote process's SIGHUP goes to the remote program,
// and the connections eproc opened to remote hosts are closed (see
// RemoteHandler).
//
// Once Close has begun, making a process returns ErrClosed; a process whose
// making was under way when Close began is killed with the others. When
// Close returns, no child of the Runtime runs (a child's own children in
// other process groups or sessions are not eproc's: see Delete), every
// waiter has been released (Run returns ErrClosed, Wait returns), and
// later accept calls return at once. A second Close waits for the first
// and returns nil.
//
// Close leaves running what Delete leaves (see Delete): programs that
// left their child's process group, and what an exited child left in its
// group, unless the child was made with ProcessArgs.KillGroup.
func (rt *Runtime) Close() error {
	rt.mu.Lock()
	if rt.closing != nil {
		done := rt.closing
		rt.mu.Unlock()
		<-done
		return nil
	}
	rt.mu.Unlock()
	if q := rt.cfg.QueryBeforeExit; q != nil {
		var ask []*Process
		for _, p := range rt.ProcessList() {
			if p.Live() && p.QueryOnExitFlag() {
				ask = append(ask, p)
			}
		}
		if len(ask) > 0 && !q(ask) {
			return ErrKillCanceled
		}
	}
	rt.mu.Lock()
	if rt.closing != nil { // another Close began meanwhile
		done := rt.closing
		rt.mu.Unlock()
		<-done
		return nil
	}
	rt.closing = make(chan struct{})
	rt.closed = true
	for rt.creating > 0 {
		rt.created.Wait()
	}
	rt.wakePollerLocked() // Run returns
	rt.mu.Unlock()
	rt.hangupRemote() // remote.go: SIGHUP reaches remote programs, not only their ssh
	rt.shutdown()
	rt.closeRemote() // remote.go: the ssh connection masters
	close(rt.closing)
	return nil
}

// beginMaking checks that the Runtime may make a process and counts the
// making until endMaking, so that Close waits for it: a process made while
// Close begins is either refused or registered before Close kills
// everything registered.
func (rt *Runtime) beginMaking() error {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.closed {
		return ErrClosed
	}
	if _, err := rt.pollerLocked(); err != nil {
		return pollerError(err)
	}
	rt.creating++
	return nil
}

// endMaking ends what beginMaking began.
func (rt *Runtime) endMaking() {
	rt.mu.Lock()
	rt.creating--
	if rt.creating == 0 {
		rt.created.Broadcast()
	}
	rt.mu.Unlock()
}

// shutdown is the work of Close: SIGHUP to every live child, a bounded wait
// for them, SIGKILL to the rest, sentinels, and every descriptor closed.
func (rt *Runtime) shutdown() {
	procs := rt.ProcessList()
	var children []*Process
	for _, p := range procs {
		if p.kind == kindReal && p.pid > 0 && (p.remoteHungUp() || rt.signalChild(p, syscall.SIGHUP, true) == nil) { // remote.go: its ssh ends with the remote program
			children = append(children, p)
		}
	}
	allDead := func() bool {
		for _, p := range children {
			if !p.Exited() {
				return false
			}
		}
		return true
	}
	rt.waitLoop(waitSpec{deadline: time.Now().Add(closeGrace), done: allDead})
	for _, p := range procs {
		p.Delete()
	}
	// Close the poller once no goroutine waits in it: the leader returns
	// when woken (it finds the Runtime shut), and nobody enters after.
	rt.mu.Lock()
	rt.loop.shut = true
	rt.wakePollerLocked()
	rt.mu.Unlock()
	rt.loop.pollMu.lock()
	rt.mu.Lock()
	pl := rt.loop.pl
	rt.loop.pl = nil
	rt.mu.Unlock()
	rt.loop.pollMu.unlock()
	if pl != nil {
		pl.close()
	}
	// Children killed just now may not be reaped yet: the reaper keeps
	// this Runtime until the last of them is, so none lingers as a zombie.
	rt.reapAll()
}
