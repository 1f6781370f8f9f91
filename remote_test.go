//go:build unix

package eproc

import (
	"context"
	"strings"
	"testing"
)

func TestRemoteSmoke(t *testing.T) {
	s := needSSHD(t)
	rt := s.runtime(t, nil, Config{})
	var rec recorder
	p, err := rt.MakeProcess(ProcessArgs{Name: "r", Command: []string{"sh", "-c", "echo hello $$; pwd; exit 3"}, Dir: s.prefix() + "/tmp/", FileHandler: true, Filter: rec.filter, Sentinel: rec.sentinel})
	if err != nil {
		t.Fatal(err)
	}
	waitExit(t, p)
	t.Logf("out %q events %q pid %v status %v %d", rec.String(), rec.events, p.Get("remote-pid"), p.Status(), p.ExitStatus())
	_ = context.Background
	_ = strings.Contains
}
