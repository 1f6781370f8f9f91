package eproc

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// peekChild returns the pid of a child of this program that has a status
// change to report, without collecting it (waitid with WNOWAIT), or 0 when
// there is none. ok is false when the system cannot tell.
func peekChild() (pid int, ok bool) {
	var info unix.Siginfo
	err := unix.Waitid(unix.P_ALL, 0, &info, unix.WEXITED|unix.WSTOPPED|unix.WCONTINUED|unix.WNOHANG|unix.WNOWAIT, nil)
	if err == unix.ECHILD {
		return 0, true
	}
	if err != nil {
		return 0, false
	}
	// si_pid is the first field of the union after si_signo, si_errno and
	// si_code, which is aligned like a pointer.
	off := (3*unsafe.Sizeof(int32(0)) + unsafe.Sizeof(uintptr(0)) - 1) &^ (unsafe.Sizeof(uintptr(0)) - 1)
	return int(*(*int32)(unsafe.Add(unsafe.Pointer(&info), off))), true
}

// exitedNoReap blocks until the child pid has exited, without collecting
// it (waitid with WNOWAIT), and reports true; false if it cannot tell.
func exitedNoReap(pid int) bool {
	var info unix.Siginfo
	for {
		err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if err != unix.EINTR {
			return err == nil
		}
	}
}
