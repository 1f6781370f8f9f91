package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/eproc/eproc"
)

// runNative is the Go-native way: WaitAll returns when every exit sentinel
// has run, and LastEvent says how each child ended.
func runNative(rt *eproc.Runtime, n int) (fleet, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	outs := make([]strings.Builder, n)
	ps := make([]*eproc.Process, n)
	for i := range ps {
		p, err := rt.MakeProcess(eproc.ProcessArgs{
			Name:    "child",
			Command: command(i),
			Filter:  func(p *eproc.Process, s string) { outs[i].WriteString(s) },
		})
		if err != nil {
			return fleet{}, err
		}
		ps[i] = p
	}
	if err := eproc.WaitAll(ctx, ps...); err != nil {
		return fleet{}, err
	}
	f := fleet{ends: map[string]int{}, outputs: make([]string, n)}
	for i, p := range ps {
		f.outputs[i] = outs[i].String()
		switch e := p.LastEvent(); e.Kind {
		case eproc.EventFinished:
			f.ends["finished"]++
		case eproc.EventExited:
			f.ends[fmt.Sprintf("exited with %d", e.Code)]++
		case eproc.EventSignaled:
			f.ends[fmt.Sprintf("killed by signal %d", e.Signal)]++
		}
	}
	return f, nil
}
