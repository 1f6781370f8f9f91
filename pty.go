package eproc

import "fmt"

// Ptys.
//
// A child with a PTY connection (or a pty on one side, PTYInPipeOut or
// PipeInPTYOut) gets a new pseudo-terminal as its controlling terminal in
// a new session, with the modes Emacs sets (setupTermios, per system in
// pty_termios_*.go). eproc keeps the master: in when the child's output
// goes through the pty, out when its input does, both when both do. The
// spawning is in spawn_unix.go, the ioctls in pty_unix.go; this file holds
// what is the same everywhere.
//
// Long input lines. A pty in canonical mode keeps the line being typed in
// a buffer of fixed size (4096 bytes on Linux) until its end arrives;
// bytes beyond that are dropped (Emacs 28.2 delivers 4095 bytes and the
// newline of a 5000-byte line). So when eproc sends into a pty in
// canonical mode, it inserts the terminal's EOF character (^D) before a
// line grows past ptyMaxLine bytes. Amid a line, EOF does not end the input:
// it hands the reader what was typed so far, without the ^D, as the manual
// suggests for long input. Every byte arrives, in order; the one visible
// effect is that a reader sees such a long line in pieces (each read
// returns at most ptyMaxLine bytes of it), which programs reading lines
// with buffered I/O do not notice.

// byteClass says what a terminal in canonical mode does with a byte of
// input.
type byteClass uint8

const (
	bytePlain   byteClass = iota // stored in the line as it is
	byteEnd                      // ends the line: NL, CR read as NL, EOF, EOL, EOL2
	byteSpecial                  // edits, quotes, signals, flow control, or is dropped: maybe not stored
)

// ptyLineMode is how a terminal takes input at one moment.
type ptyLineMode struct {
	canonical bool
	eof       byte // the EOF character, when eofOK
	eofOK     bool
	class     [256]byteClass // filled when canonical
}

// chunkPTYInput returns data with m's EOF character inserted wherever a line
// would otherwise grow past maxLine bytes. col holds the bytes already sent
// into the current line, across calls; it is updated.
//
// The EOF character goes right after a byte that is stored as it is, found
// once the line is 1/16 short of maxLine, so the line is never empty there
// (EOF at the start of a line would end the input) and the EOF is never
// quoted by a ^V; only when no such byte comes before maxLine does it go
// in regardless. A byte stored as it is from an earlier call does not
// count: the reader may have taken the line in non-canonical mode since.
// Outside canonical mode a terminal has no lines, and data is unchanged.
func chunkPTYInput(data []byte, m *ptyLineMode, col *int, maxLine int) []byte {
	if !m.canonical || !m.eofOK {
		*col = 0
		return data
	}
	soft := maxLine - maxLine/16
	c := *col
	if c+len(data) < soft {
		// Fast path: no line of data can reach soft.
		for i := len(data) - 1; i >= 0; i-- {
			if m.class[data[i]] == byteEnd {
				*col = len(data) - 1 - i
				return data
			}
		}
		*col = c + len(data)
		return data
	}
	var out []byte // nil until the first insertion
	last := 0      // data[last:i] is not in out yet
	safe := false  // the byte before i is stored as it is
	for i, b := range data {
		if c >= soft && safe || c >= maxLine {
			if out == nil {
				out = make([]byte, 0, len(data)+len(data)/max(soft/2, 1)+1)
			}
			out = append(out, data[last:i]...)
			out = append(out, m.eof)
			last = i
			c = 0
		}
		switch m.class[b] {
		case byteEnd:
			c, safe = 0, false
		case byteSpecial:
			c, safe = c+1, false
		default:
			c, safe = c+1, true
		}
	}
	*col = c
	if out == nil {
		return data
	}
	return append(out, data[last:]...)
}

// masterLocked returns the pty master of p, or -1 when p has no pty or has
// closed it. rt.mu must be held (descriptors are closed only under it, so
// an ioctl made while it is held cannot hit a reused descriptor).
func (p *Process) masterLocked() int {
	switch {
	case p.ptyIn:
		return p.out.fd
	case p.ptyOut, p.kind == kindSerial:
		return p.in.fd
	}
	return -1
}

// SetWindowSize sets the window size of the process's pty to height rows
// and width columns (set-process-window-size). The programs on the
// terminal see the size (stty size, TIOCGWINSZ), and its foreground
// process group gets SIGWINCH when the size changes. A pty starts at 0x0,
// as under Emacs.
//
// It returns true when the size was set, and false for a child using
// pipes, a pipe process, a process whose pty is closed (it died or was
// deleted), or a size outside 0..65535.
//
// eproc has no windows, so nothing calls SetWindowSize for you: Emacs's
// window-adjust-process-window-size-function, which Emacs calls when the
// windows showing a process buffer change, has no counterpart here. A
// program that shows a process's output calls SetWindowSize when its own
// display changes.
func (p *Process) SetWindowSize(height, width int) bool {
	if p == nil || height < 0 || width < 0 || height > 0xffff || width > 0xffff {
		return false
	}
	rt := p.rt
	rt.mu.Lock()
	defer rt.mu.Unlock()
	fd := p.masterLocked()
	if fd < 0 || p.deleted {
		return false
	}
	return setWindowSize(fd, height, width) == nil
}

// RunningChildP is process-running-child-p: it reports whether the child
// has given its terminal to a process group of its own children, as a
// job-control shell does while it runs a job in the foreground.
//
//   - On a pty: running is true and pgid is the terminal's foreground
//     process group when that group is not the child's own (Emacs returns
//     the group's number); running is false with pgid 0 when the child
//     itself (an idle shell) has the terminal (Emacs returns nil). For a pty
//     with no program, any program that made the pty its controlling
//     terminal is running.
//   - On pipes the system cannot tell: running is true with pgid 0
//     (Emacs returns t), so a caller asking "may I kill it?" stays careful.
//   - A pipe, network or serial process is an error wrapping
//     ErrNotSubprocess ("Process NAME is not a subprocess"); a child that
//     has exited or was deleted is an error wrapping ErrNotActive
//     ("Process NAME is not active").
func (p *Process) RunningChildP() (pgid int, running bool, err error) {
	if p == nil {
		return 0, false, ErrNilProcess
	}
	if err := p.signalTarget(); err != nil {
		return 0, false, err
	}
	rt := p.rt
	rt.mu.Lock()
	defer rt.mu.Unlock()
	fd := p.masterLocked()
	if fd < 0 {
		return 0, true, nil
	}
	g, err := foregroundGroup(fd)
	if err != nil {
		return 0, true, nil
	}
	if g <= 0 || g == p.pid {
		return 0, false, nil
	}
	return g, true, nil
}

// chunkForPTYLocked prepares input for a child whose input is a pty (see
// chunkPTYInput). rt.mu must be held.
func (p *Process) chunkForPTYLocked(data []byte) []byte {
	var m ptyLineMode
	if fd := p.masterLocked(); fd < 0 || readLineMode(fd, &m) != nil {
		return data
	}
	return chunkPTYInput(data, &m, &p.ptyCol, ptyMaxLine)
}

// eofCharLocked returns what SendEOF writes into a pty: the terminal's EOF
// character (^D as eproc sets it up). rt.mu must be held.
func (p *Process) eofCharLocked() byte {
	var m ptyLineMode
	if fd := p.masterLocked(); fd >= 0 && readLineMode(fd, &m) == nil && m.eofOK {
		return m.eof
	}
	return 'D' & 0x1f
}

// ptyLineEndedLocked is the EOF character's prep (see enqueueTextLocked):
// in canonical mode the EOF character hands the line to the reader, so the
// next byte written starts a line. It runs when the character is next to
// be written, after every byte queued before it. rt.mu must be held.
func (p *Process) ptyLineEndedLocked(b []byte) []byte {
	var m ptyLineMode
	if fd := p.masterLocked(); fd >= 0 && readLineMode(fd, &m) == nil && m.eofOK && m.canonical {
		p.ptyCol = 0
	}
	return b
}

// errNoForeground is signalForeground's error when the terminal has no
// foreground process group.
func errNoForeground(p *Process, err error) error {
	if err == nil {
		return fmt.Errorf("Process %s: its terminal has no foreground process group", p.name)
	}
	return fmt.Errorf("Process %s: no foreground process group: %w", p.name, err)
}

// ptyChild is the transport of a child whose input or output (or both) is
// a pty: input is cut into lines the terminal can hold and ended with the
// terminal's EOF character, and the end of output leaves the master open
// while the child lives.
type ptyChild struct{ stream }

// ended handles the end a pty master reports (EIO on Linux) once no
// program has the terminal open, which a child does just before it exits
// (GNU programs close their standard streams before exiting). Closing the
// master then would hang the terminal up and kill the exiting child with
// SIGHUP. So a live child's master stops being read but stays open until
// the child's exit is dispatched, as in Emacs.
func (t ptyChild) ended(rt *Runtime, p *Process) {
	if p.ptyOut && p.pid > 0 && !p.status.dead() && !p.deleted {
		p.readEnded = true
		return
	}
	t.stream.ended(rt, p)
}

func (ptyChild) send(p *Process, data []byte, rest string) (int64, error) {
	if !p.ptyIn {
		return p.enqueueTextLocked(data, rest, nil)
	}
	return p.enqueueTextLocked(data, rest, p.chunkForPTYLocked)
}

// sendEOF writes the terminal's EOF character (^D) after the input already
// sent, and returns once it is written.
func (t ptyChild) sendEOF(p *Process) error {
	rt := p.rt
	rt.mu.Lock()
	if !p.ptyIn || !p.out.open() {
		rt.mu.Unlock()
		return t.stream.sendEOF(p)
	}
	target, err := p.enqueueTextLocked([]byte{p.eofCharLocked()}, "", p.ptyLineEndedLocked)
	rt.mu.Unlock()
	if err != nil || target == 0 {
		return err
	}
	return p.waitWritten(target)
}
