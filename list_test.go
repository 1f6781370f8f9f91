//go:build unix

package eproc

import (
	"fmt"
	"strings"
	"testing"
)

func TestListProcesses(t *testing.T) {
	// The layout is Emacs 28.2's list-processes (checked in emacs -Q
	// --batch): exited processes are deleted first, the rest sorted by
	// name, long values push the next column along.
	rt := newRuntime(t, Config{KeepExitedProcesses: true})
	long := mustMake(t, rt, ProcessArgs{Name: "a-very-long-process-name-here", Buffer: rt.GetBufferCreate("a-very-long-buffer-name-for-the-test"),
		Command: []string{"sh", "-c", "sleep 30; echo and more"}})
	quiet := mustMake(t, rt, ProcessArgs{Name: "nobuf", Command: []string{"sleep", "30"}, NoQuery: true})
	pp, _ := rt.MakePipeProcess(PipeArgs{Name: "pp"})
	done := mustMake(t, rt, ProcessArgs{Name: "quick", Command: []string{"true"}})
	waitExit(t, done)
	if rt.GetProcess("quick") == nil {
		t.Fatal("kept process missing before list-processes")
	}
	want := fmt.Sprintf("a-very-long-process-name-here %-7d run     a-very-long-buffer-name-for-the-test --           Main         sh -c sleep 30; echo and more\n", long.ID()) +
		fmt.Sprintf("nobuf           %-7d run     --                        --           Main         sleep 30\n", quiet.ID()) +
		"pp              --      open    pp                        --           Main         (serial port ?)\n"
	b := rt.ListProcesses(false)
	if b.Name() != "*Process List*" || b.String() != want {
		t.Errorf("list-processes:\n%s\nwant:\n%s", b.String(), want)
	}
	if rt.GetProcess("quick") != nil {
		t.Error("list-processes kept an exited process")
	}
	b = rt.ListProcesses(true)
	if strings.Contains(b.String(), "nobuf") || !strings.Contains(b.String(), "pp ") {
		t.Errorf("query-only list:\n%s", b.String())
	}
	long.Delete()
	quiet.Delete()
	pp.Delete()
}
