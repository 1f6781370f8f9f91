package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/eproc/eproc"
)

// runEmacs is the Emacs way: a sentinel per child counts the ends, and
// accept-process-output is called until the count is complete. It pays a
// timeout whenever the last events are status changes with no output,
// which AcceptProcessOutput does not return for (as in Emacs).
func runEmacs(rt *eproc.Runtime, n int) (fleet, error) {
	f := fleet{ends: map[string]int{}, outputs: make([]string, n)}
	outs := make([]strings.Builder, n)
	ended := 0
	for i := 0; i < n; i++ {
		_, err := rt.MakeProcess(eproc.ProcessArgs{
			Name:    "child",
			Command: command(i),
			Filter:  func(p *eproc.Process, s string) { outs[i].WriteString(s) },
			Sentinel: func(p *eproc.Process, event string) {
				switch p.Status() {
				case eproc.StatusExit:
					if p.ExitStatus() == 0 {
						f.ends["finished"]++
					} else {
						f.ends[fmt.Sprintf("exited with %d", p.ExitStatus())]++
					}
				case eproc.StatusSignal:
					f.ends[fmt.Sprintf("killed by signal %d", p.ExitStatus())]++
				default:
					return // stopped or continued: not an end
				}
				ended++
			},
		})
		if err != nil {
			return fleet{}, err
		}
	}
	deadline := time.Now().Add(time.Minute)
	for ended < n {
		if time.Now().After(deadline) {
			return fleet{}, errors.New("timed out")
		}
		rt.AcceptProcessOutput(nil, 100*time.Millisecond, false)
	}
	for i := range outs {
		f.outputs[i] = outs[i].String()
	}
	return f, nil
}
