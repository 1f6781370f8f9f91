package eproc

import (
	"sort"
	"strconv"
	"strings"
)

// ListProcesses is list-processes: it writes the table of processes into
// the buffer "*Process List*" (made if needed) and returns the buffer. As
// in Emacs, it first deletes every process that has exited, died of a
// signal or been closed (the ones Config.KeepExitedProcesses keeps), then
// lists the rest sorted by name, one line each with the columns Process,
// PID, Status, Buffer, TTY, Thread and Command, laid out as Emacs 28's
// process menu lays them out. With queryOnly, only the processes whose
// query-on-exit flag is set are listed.
func (rt *Runtime) ListProcesses(queryOnly bool) *Buffer {
	for _, p := range rt.ProcessList() {
		switch p.Status() {
		case StatusExit, StatusSignal, StatusClosed:
			p.Delete()
		}
	}
	ps := rt.ProcessList()
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Name() < ps[j].Name() })
	var sb strings.Builder
	for _, p := range ps {
		if queryOnly && !p.QueryOnExitFlag() {
			continue
		}
		id := "--"
		if p.ID() > 0 {
			id = strconv.Itoa(p.ID())
		}
		// A killed buffer shows as no buffer, as in Emacs 28.2's menu
		// (buffer-live-p): a child that ignored the SIGHUP of its
		// buffer's killing lives on with "--".
		buf := "--"
		if b := p.Buffer(); b != nil && b.Live() {
			buf = b.Name()
		}
		tty := p.TTYName()
		if tty == "" {
			tty = "--"
		}
		cmd := strings.Join(p.Command(), " ")
		if p.net != nil {
			cmd = p.net.menuText(p.Status())
		} else if p.serial != nil {
			cmd = p.serialMenuText()
		} else if p.kind != kindReal {
			// Emacs 28's process menu shows pipe processes in the form it
			// has for serial ones.
			cmd = "(serial port ?)"
		}
		for _, col := range []struct {
			s     string
			width int
		}{{p.Name(), 15}, {id, 7}, {string(p.Status()), 7}, {buf, 25}, {tty, 12}, {"Main", 12}} {
			sb.WriteString(col.s)
			sb.WriteString(strings.Repeat(" ", max(col.width-len([]rune(col.s)), 0)+1))
		}
		sb.WriteString(cmd)
		sb.WriteByte('\n')
	}
	b := rt.GetBufferCreate("*Process List*")
	b.Erase()
	b.Insert(sb.String())
	b.GotoChar(1)
	return b
}
