package eproc

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// tstpCaught reports whether the process pid has a handler for SIGTSTP,
// read from the SigCgt mask of /proc/PID/status. It answers false when it
// cannot tell.
func tstpCaught(pid int) bool {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return false
	}
	defer f.Close()
	const bit = 1 << (sigTSTP - 1)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || k != "SigCgt" {
			continue
		}
		mask, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		return err == nil && mask&bit != 0
	}
	return false
}
