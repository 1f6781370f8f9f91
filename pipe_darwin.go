package eproc

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// pipeCloexec makes a pipe whose two ends are close-on-exec. Darwin has no
// pipe2, so the fork lock keeps a concurrent fork from inheriting the ends
// before they are marked.
func pipeCloexec(p []int) error {
	syscall.ForkLock.RLock()
	defer syscall.ForkLock.RUnlock()
	if err := unix.Pipe(p); err != nil {
		return err
	}
	unix.CloseOnExec(p[0])
	unix.CloseOnExec(p[1])
	return nil
}
