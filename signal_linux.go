package eproc

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// tstpDefault reports whether the process pid leaves SIGTSTP at its
// default action, read from the SigCgt and SigIgn masks of
// /proc/PID/status. It answers true when it cannot tell.
func tstpDefault(pid int) bool {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return true
	}
	defer f.Close()
	const bit = 1 << (sigTSTP - 1)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || k != "SigCgt" && k != "SigIgn" {
			continue
		}
		mask, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		if err == nil && mask&bit != 0 {
			return false
		}
	}
	return true
}
