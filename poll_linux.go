package eproc

import (
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// poller is the epoll back end. Descriptors are armed one-shot: an event
// is reported once and the descriptor stays quiet until the loop arms it
// again after reading (or writing), so output nobody accepts stays in the
// kernel and never makes the loop spin.
//
// The leader does not block its thread in epoll_wait: the epoll descriptor
// is itself pollable (readable while it has a report), so it sits in the
// Go runtime's network poller and the leader parks there as a goroutine
// blocked in a net.Conn's Read does. A thread blocked in a system call
// keeps the runtime's monitor awake (20 µs ticks), has its P taken away
// and handed to another thread, and when the report comes the goroutine
// often continues on another thread, woken by futex: a few microseconds
// per wait, tens at the tail.
type poller struct {
	epfd   int
	wakefd int // an eventfd: SIGCHLD, context cancellation, other goroutines
	raw    []unix.EpollEvent
	file   *os.File        // epfd in the Go runtime's poller; nil: block in epoll_wait
	rc     syscall.RawConn // file's
}

func newPoller() (*poller, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	wfd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		unix.Close(epfd)
		return nil, err
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(wfd)}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, wfd, &ev); err != nil {
		unix.Close(epfd)
		unix.Close(wfd)
		return nil, err
	}
	pl := &poller{epfd: epfd, wakefd: wfd, raw: make([]unix.EpollEvent, 256)}
	// os.NewFile hands a non-blocking descriptor to the runtime's poller.
	// Should that fail (the file is then in blocking mode), or the raw
	// connection be unavailable, wait blocks in epoll_wait instead.
	if unix.SetNonblock(epfd, true) == nil {
		f := os.NewFile(uintptr(epfd), "eproc-epoll")
		if rc, err := f.SyscallConn(); err == nil && f.SetReadDeadline(time.Time{}) == nil {
			pl.file, pl.rc = f, rc
		} else {
			pl.file = f // it owns epfd now: closed through it
		}
	}
	return pl, nil
}

// arm asks for one report when fd becomes readable (in) or writable (out).
// added says whether fd is already known to the poller.
func (pl *poller) arm(fd int, in, out, added bool) error {
	ev := unix.EpollEvent{Events: unix.EPOLLONESHOT, Fd: int32(fd)}
	if in {
		ev.Events |= unix.EPOLLIN | unix.EPOLLRDHUP
	}
	if out {
		ev.Events |= unix.EPOLLOUT
	}
	op := unix.EPOLL_CTL_MOD
	if !added {
		op = unix.EPOLL_CTL_ADD
	}
	return unix.EpollCtl(pl.epfd, op, fd, &ev)
}

// forget removes fd from the poller before it is closed.
func (pl *poller) forget(fd int) {
	unix.EpollCtl(pl.epfd, unix.EPOLL_CTL_DEL, fd, nil)
}

// wait blocks until an armed descriptor is ready, the poller is woken, or
// timeout passes (timeout < 0: no limit). It fills evs and returns how many
// it filled; a wake-up fills none.
func (pl *poller) wait(evs []pollEvent, timeout time.Duration) int {
	ms := -1
	if timeout >= 0 {
		ms = int((timeout + time.Millisecond - 1) / time.Millisecond)
	}
	raw := pl.raw
	if len(evs) < len(raw) {
		raw = raw[:len(evs)]
	}
	var n int
	var err error
	if pl.rc == nil || timeout == 0 {
		n, err = unix.EpollWait(pl.epfd, raw, ms)
	} else {
		n, err = pl.park(raw, timeout)
	}
	if err != nil {
		return 0
	}
	k := 0
	for _, e := range raw[:n] {
		if int(e.Fd) == pl.wakefd {
			var b [8]byte
			unix.Read(pl.wakefd, b[:])
			continue
		}
		evs[k] = pollEvent{
			fd:  int(e.Fd),
			in:  e.Events&(unix.EPOLLIN|unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) != 0,
			out: e.Events&(unix.EPOLLOUT|unix.EPOLLERR|unix.EPOLLHUP) != 0,
		}
		k++
	}
	return k
}

// park waits for reports as a goroutine parked in the runtime's poller:
// epoll_wait without blocking, and when it reports nothing, a wait for
// epfd to become readable (the runtime's poller watches it edge-triggered;
// an edge between the check and the wait is not lost) or the timeout.
func (pl *poller) park(raw []unix.EpollEvent, timeout time.Duration) (n int, err error) {
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
	}
	if err := pl.file.SetReadDeadline(deadline); err != nil {
		return 0, err
	}
	rerr := pl.rc.Read(func(uintptr) bool {
		for {
			n, err = unix.EpollWait(pl.epfd, raw, 0)
			if err != unix.EINTR {
				return n != 0 || err != nil
			}
		}
	})
	if err == nil && rerr != nil {
		return 0, rerr // the timeout, or the poller closed
	}
	return n, err
}

// wake makes a wait in progress (or the next one) return.
func (pl *poller) wake() {
	one := [8]byte{1}
	unix.Write(pl.wakefd, one[:])
}

func (pl *poller) close() {
	if pl.file != nil {
		pl.file.Close() // epfd's owner
	} else {
		unix.Close(pl.epfd)
	}
	unix.Close(pl.wakefd)
}
