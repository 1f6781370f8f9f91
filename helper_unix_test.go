//go:build unix

package eproc

import (
	"fmt"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"syscall"
	"time"
)

// The helpers and hooks that only Unix has.
func init() {
	for name, h := range map[string]func(args []string) int{
		// raise SIG: kill itself with signal SIG (core dumps disabled).
		"raise": func(args []string) int {
			syscall.Setrlimit(syscall.RLIMIT_CORE, &syscall.Rlimit{})
			n, _ := strconv.Atoi(args[0])
			signal.Reset()
			syscall.Kill(os.Getpid(), syscall.Signal(n))
			time.Sleep(10 * time.Second)
			return 99
		},
		// fds: list the open descriptors of the child.
		"fds": func(args []string) int {
			ents, _ := os.ReadDir("/proc/self/fd")
			var fds []int
			for _, e := range ents {
				n, _ := strconv.Atoi(e.Name())
				fds = append(fds, n)
			}
			sort.Ints(fds)
			fmt.Println(fds)
			return 0
		},
	} {
		helpers[name] = h
	}
	reapTrace = func(rt *Runtime, pid, got int, err error, ws syscall.WaitStatus) {
		traceMu.Lock()
		trace[pid] = append(trace[pid], fmt.Sprintf("rt %p got %d err %v ws %#x", rt, got, err, int(ws)))
		traceMu.Unlock()
	}
}
