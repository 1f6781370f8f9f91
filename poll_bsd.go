//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package eproc

import (
	"time"

	"golang.org/x/sys/unix"
)

// poller is the kqueue back end: one-shot filters, so a descriptor is
// reported once and stays quiet until the loop arms it again, and a pipe
// to wake a wait in progress.
type poller struct {
	kq     int
	wakeR  int
	wakeW  int
	raw    []unix.Kevent_t
	change []unix.Kevent_t
}

func newPoller() (*poller, error) {
	kq, err := unix.Kqueue()
	if err != nil {
		return nil, err
	}
	unix.CloseOnExec(kq)
	var p [2]int
	if err := pipeCloexec(p[:]); err != nil {
		unix.Close(kq)
		return nil, err
	}
	unix.SetNonblock(p[0], true)
	unix.SetNonblock(p[1], true)
	pl := &poller{kq: kq, wakeR: p[0], wakeW: p[1], raw: make([]unix.Kevent_t, 256)}
	var ev unix.Kevent_t
	unix.SetKevent(&ev, p[0], unix.EVFILT_READ, unix.EV_ADD)
	if _, err := unix.Kevent(kq, []unix.Kevent_t{ev}, nil, nil); err != nil {
		pl.close()
		return nil, err
	}
	return pl, nil
}

func (pl *poller) arm(fd int, in, out, added bool) error {
	var evs []unix.Kevent_t
	if in {
		var ev unix.Kevent_t
		unix.SetKevent(&ev, fd, unix.EVFILT_READ, unix.EV_ADD|unix.EV_ONESHOT)
		evs = append(evs, ev)
	}
	if out {
		var ev unix.Kevent_t
		unix.SetKevent(&ev, fd, unix.EVFILT_WRITE, unix.EV_ADD|unix.EV_ONESHOT)
		evs = append(evs, ev)
	}
	if len(evs) == 0 {
		return nil
	}
	_, err := unix.Kevent(pl.kq, evs, nil, nil)
	return err
}

func (pl *poller) forget(fd int) {
	var evs [2]unix.Kevent_t
	unix.SetKevent(&evs[0], fd, unix.EVFILT_READ, unix.EV_DELETE)
	unix.SetKevent(&evs[1], fd, unix.EVFILT_WRITE, unix.EV_DELETE)
	unix.Kevent(pl.kq, evs[:1], nil, nil)
	unix.Kevent(pl.kq, evs[1:], nil, nil)
}

func (pl *poller) wait(evs []pollEvent, timeout time.Duration) int {
	var ts *unix.Timespec
	if timeout >= 0 {
		t := unix.NsecToTimespec(int64(timeout))
		ts = &t
	}
	raw := pl.raw
	if len(evs) < len(raw) {
		raw = raw[:len(evs)]
	}
	n, err := unix.Kevent(pl.kq, nil, raw, ts)
	if err != nil {
		return 0
	}
	k := 0
	for _, e := range raw[:n] {
		fd := int(e.Ident)
		if fd == pl.wakeR {
			var b [64]byte
			unix.Read(pl.wakeR, b[:])
			continue
		}
		evs[k] = pollEvent{fd: fd, in: e.Filter == unix.EVFILT_READ, out: e.Filter == unix.EVFILT_WRITE}
		k++
	}
	return k
}

func (pl *poller) wake() {
	unix.Write(pl.wakeW, []byte{1})
}

func (pl *poller) close() {
	unix.Close(pl.kq)
	unix.Close(pl.wakeR)
	unix.Close(pl.wakeW)
}
