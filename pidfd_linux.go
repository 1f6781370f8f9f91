package eproc

import "syscall"

// A child's exit reaches the loop in one step where the system can name a
// process by a descriptor (Linux 5.3's pidfd): the descriptor, made by the
// fork itself (CLONE_PIDFD), becomes readable when the child exits, and the
// leader, waiting in the poller, wakes for it and collects the status
// itself. SIGCHLD takes more hand-offs on the way (the runtime's signal
// handler, os/signal's goroutine, the reaper goroutine, then a wake of the
// poller). The reaper still runs for every child, so an exit is never
// missed; whichever comes first collects it (reapMu serialises them).

// askPidFD makes a fork that sys describes store the child's pidfd in
// *fd, or -1 where the kernel has none.
func askPidFD(sys *syscall.SysProcAttr, fd *int) { sys.PidFD = fd }
