package eproc

import (
	"time"

	"golang.org/x/sys/unix"
)

// poller is the epoll back end. Descriptors are armed one-shot: an event
// is reported once and the descriptor stays quiet until the loop arms it
// again after reading (or writing), so output nobody accepts stays in the
// kernel and never makes the loop spin.
type poller struct {
	epfd   int
	wakefd int // an eventfd: SIGCHLD, context cancellation, other goroutines
	raw    []unix.EpollEvent
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
	return &poller{epfd: epfd, wakefd: wfd, raw: make([]unix.EpollEvent, 256)}, nil
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
	n, err := unix.EpollWait(pl.epfd, raw, ms)
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

// wake makes a wait in progress (or the next one) return.
func (pl *poller) wake() {
	one := [8]byte{1}
	unix.Write(pl.wakefd, one[:])
}

func (pl *poller) close() {
	unix.Close(pl.epfd)
	unix.Close(pl.wakefd)
}
