package eproc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
)

// procKind is Emacs's process-type.
type procKind uint8

const (
	kindReal procKind = iota
	kindPipe
	kindNetwork
	kindSerial
)

func (k procKind) String() string {
	return [...]string{"real", "pipe", "network", "serial"}[k]
}

// StderrTarget is where ProcessArgs.Stderr sends a child's standard error:
// a *Buffer (eproc makes a standard error pipe process writing into it) or
// a pipe *Process made by MakePipeProcess. Only those two types implement it.
type StderrTarget interface{ stderrTarget() }

func (*Buffer) stderrTarget()  {}
func (*Process) stderrTarget() {}

// ProcessArgs are make-process's keywords. A zero field means the keyword
// was omitted.
type ProcessArgs struct {
	// Name is :name, the process name; made unique with "<1>", "<2>", ...
	// An empty name is a name, as in Emacs: the first process is named ""
	// and the next "<1>". (Go cannot tell an omitted :name from "", so
	// there is no wrong-type error for it.)
	Name string
	// Buffer is :buffer, the process buffer; nil for none.
	Buffer *Buffer
	// Command is :command, the program and its arguments. A program named
	// without a slash is searched for in Config.ExecPath; a relative name
	// with a slash is relative to the working directory. Nil (or empty)
	// with a PTY connection opens a pty with no program: a terminal that
	// other programs may open by its TTYName, whose input and output go
	// through the process like a child's. Nil with any other connection is
	// an error (Emacs 28 makes a process that can neither read nor write).
	Command []string
	// Coding is :coding; zero fields take the defaults (see Config).
	Coding Coding
	// ConnectionType is :connection-type: Pipe, PTY, or a pty on one side
	// only (PTYInPipeOut, PipeInPTYOut). DefaultConnection means
	// Config.ProcessConnectionType, except that with a non-nil Stderr it
	// means Pipe (the newest manual: process-connection-type is ignored
	// when :stderr is given). An explicit pty with a non-nil Stderr puts
	// standard input and output on the pty and standard error on Stderr, as
	// Emacs 29 and later do (Emacs 28 used pipes whatever was asked).
	ConnectionType ConnectionType
	// NoQuery is :noquery: the process's query-on-exit flag starts false.
	NoQuery bool
	// Stop is :stop. It must be false: a child never starts stopped, and
	// true is an error, as in Emacs.
	Stop bool
	// Filter is :filter; nil means DefaultFilter.
	Filter Filter
	// BytesFilter, when set, receives the output instead of Filter, as
	// bytes valid only during the call (see SetBytesFilter).
	BytesFilter BytesFilter
	// Sentinel is :sentinel; nil means DefaultSentinel.
	Sentinel Sentinel
	// Stderr is :stderr: nil mixes standard error with standard output; a
	// *Buffer makes a pipe process named "NAME stderr" that inserts the
	// child's standard error there (find it with GetBufferProcess); a pipe
	// *Process receives the child's standard error itself. Every time, what
	// the child wrote to its standard output is delivered first, then what
	// it wrote to its standard error, then its exit sentinel runs, then the
	// pipe process's sentinel ("finished\n"). In Emacs 28.2 that order
	// varies from run to run: the pipe's output can come first, and with
	// a stderr buffer its "finished" often comes before the child's
	// sentinel.
	Stderr StderrTarget
	// FileHandler is :file-handler: when the directory (Dir, else
	// Config.DefaultDirectory) has a file handler (see FileHandler and
	// Config.FileNameHandlers), the handler makes the process, on the
	// remote host of a remote directory. A directory with no handler, and
	// any directory when FileHandler is false, makes a local process.
	FileHandler bool
	// KillGroup makes Delete (and so Close) send SIGKILL to the child's
	// whole process group even when the child itself has already exited,
	// so that what it left running in its group (a background job of a
	// shell, a program that ignores SIGHUP) dies too. Without it, as in
	// Emacs, Delete signals the group only while the child runs. Programs
	// that left the group (setsid daemons) are never reached. Unix only;
	// not for remote processes, where Delete already kills the remote
	// group.
	KillGroup bool
	// Dir is the working directory (default-directory bound for this call);
	// "" uses Config.DefaultDirectory.
	Dir string
	// Env holds process-environment entries for this call, in front of
	// Config.ProcessEnvironment: "VAR=value" sets VAR, "VAR" unsets it, and
	// earlier entries win.
	Env []string
}

// Process is an Emacs process object: a child process (type "real"), a
// pipe process, or a network process (type "network"). A Process is safe for concurrent use; its filter and
// sentinel run only inside accept calls of its Runtime.
//
// Once deleted, or dead with its exit sentinel run, a Process stays valid:
// its accessors keep answering, while input and signals return errors.
//
// Methods on a nil *Process (as from GetProcess of a missing name) return
// zero values, and those that act return ErrNilProcess; they never panic.
// So rt.GetProcess("gone").Status() is "", as Emacs's process-status of a
// missing name is nil, and Live is false, as process-live-p of nil is.
// Where Emacs signals wrong-type-argument instead (process-name,
// process-buffer, process-get, ... of nil), eproc's accessors answer the
// zero value: Name "", Buffer nil, Get nil, ExitStatus 0. Exited reports
// true (and Done's channel is closed), so that a loop waiting for a nil
// process ends; Mark, Reader, Expecter and Filter return nil.
type Process struct {
	rt      *Runtime
	kind    procKind
	name    string   // fixed when made
	command []string // fixed when made
	pid     int      // fixed; 0 for pipe processes
	ttyName string   // fixed; "" for pipes
	ptyIn   bool     // fixed: the child's input is a pty (out is its master)
	ptyOut  bool     // fixed: the child's output is a pty (in is its master)
	contact any      // process-contact's value: true, PipeArgs or NetworkArgs
	mark    *Marker  // the process mark; the pointer never changes

	// Guarded by rt.mu.
	buffer          *Buffer
	filter          Filter
	bytesFilter     BytesFilter // set: gets the output instead of filter (filter.go)
	sentinel        Sentinel
	plist           []any
	query           bool
	filterMultibyte bool
	inheritCoding   bool
	decCS, encCS    *CodingSystem
	dec             decoder
	enc             encoder
	status          rawStatus
	stopped         bool   // a pipe process that does not read (stop-process)
	tick            uint64 // bumped by each status change
	updateTick      uint64 // the tick the sentinel last reported
	inSentinel      bool
	exitReported    bool // the sentinel for a dead status has returned
	deleted         bool
	killGroup       bool        // ProcessArgs.KillGroup
	stderrProc      *Process    // the standard error pipe process, if any
	stderrOf        *Process    // of a standard error pipe process: the child writing into it
	endPending      bool        // a stderr pipe process at end of file, closing after stderrOf's exit sentinel
	heldRead        *readShot   // a read that a turn reading together holds, not yet delivered (readtogether.go); guarded by dispatch
	ptyCol          int         // bytes sent into the pty's current input line (see chunkPTYInput)
	event           string      // the next sentinel's event when the status does not say it
	net             *netInfo    // a network process's contact and addresses (network.go)
	serial          *serialInfo // a serial process's port and settings (serial.go)

	// remote is the remote program that this child (ssh, sudo, ...) runs,
	// or nil; fixed when made (remote.go).
	remote *remoteProc

	// Descriptors (guarded by rt.mu; closed only with the dispatch lock).
	tr                  transport // how the bytes travel (transport.go); fixed when made
	pidfd               *pfd      // a child's pidfd, readable once it exits (pidfd_linux.go, reap.go); closed when none
	exitReady           bool      // the pidfd reported the exit: queued in loop.exited
	in, out             *pfd      // read for the output, written for the input; the same pfd when one descriptor serves both (descriptor.go)
	stderrW             int       // a pipe process's writing end, handed to one child as stderr
	ptySlave            int       // a pty with no program keeps the terminal side open
	eofSent             bool      // SendEOF closed the input: later sends are discarded
	readEnded           bool      // the end of output was read but the descriptor stays open: a pty master until the child's exit, a socket until its replies are written (network_eof.go)
	writeErr            error
	inReady, inWritable bool
	inStatusQ           bool
	wq                  []sendSeg // input not yet written: the sends, each its own segment (send.go)
	queued, written     int64     // bytes queued for input in total, and written
	outputSeq           uint64    // bumped by each read that returned output

	native nativeProc // Done, filter t, Reader, Expecter, LastEvent (native.go)
}

func (rt *Runtime) newProcess(kind procKind) *Process {
	return &Process{
		rt:              rt,
		kind:            kind,
		mark:            NewMarker(),
		query:           true,
		filterMultibyte: true,
		tr:              stream{},
		pidfd:           closedPFD(),
		in:              closedPFD(),
		out:             closedPFD(),
		stderrW:         -1,
		ptySlave:        -1,
	}
}

// String returns "#<process NAME>" as Emacs prints a process.
func (p *Process) String() string {
	if p == nil {
		return "nil"
	}
	return "#<process " + p.name + ">"
}

// wrongType is Emacs's wrong-type-argument error text.
func wrongType(pred string, v any) error {
	return fmt.Errorf("Wrong type argument: %s, %v", pred, v)
}

// MakeProcess is make-process: it starts a child running a.Command and
// returns its process object. The child runs in its own session and
// process group, with standard input and output connected to eproc through
// pipes or a pty (see ConnectionType) and standard error mixed with
// standard output unless a.Stderr says otherwise.
//
// A pty is the child's controlling terminal, with the modes Emacs gives a
// subprocess's terminal (checked with stty -a under Emacs 28.2): no echo,
// canonical input with ^D as end of file and erase and kill disabled,
// signal characters ^C ^\ ^Z, CR read as NL, and no NL to CRNL on output;
// its window size starts at 0x0 (see SetWindowSize). TTYName tells whether
// the child got a pty.
//
// A program that cannot be found on the exec path is an error wrapping
// fs.ErrNotExist ("Searching for program: No such file or directory,
// PROG"). As in Emacs, a program named by an absolute file name is not
// looked up first: if it cannot be run, the process is made anyway, its
// output says why ("eproc: /no/such/prog: No such file or directory") and
// it exits with code 127 (126 when the file exists but cannot be run).
//
// With a.FileHandler set, a directory that has a file handler (a remote
// directory) is the handler's business: see FileHandler and RemoteHandler.
//
// On Windows it is an error instead, as under Emacs there; the package
// documentation's Windows notes say what else differs there.
func (rt *Runtime) MakeProcess(a ProcessArgs) (*Process, error) {
	if a.FileHandler {
		if h, dir := rt.handlerFor(a.Dir); h != nil {
			a.Dir, a.FileHandler = dir, false
			return h.MakeProcess(rt, a)
		}
	}
	return rt.makeProcess(a, nil)
}

// makeProcess is MakeProcess for a local child. remote, when not nil, is
// the remote program that the child (ssh, sudo, ...) runs (remote.go).
func (rt *Runtime) makeProcess(a ProcessArgs, remote *remoteProc) (*Process, error) {
	if a.Stop {
		return nil, wrongType("null", "t")
	}
	var stderrPipe *Process
	hasStderr := false
	switch s := a.Stderr.(type) {
	case nil:
	case *Buffer:
		hasStderr = s != nil
	case *Process:
		if s == nil || s.kind != kindPipe {
			return nil, errors.New("Process is not a pipe process")
		}
		stderrPipe = s
		hasStderr = true
	default:
		return nil, wrongType("bufferp", a.Stderr)
	}
	conn := a.ConnectionType
	if conn == DefaultConnection {
		conn = rt.cfg.ProcessConnectionType
		if hasStderr {
			conn = Pipe
		}
	}
	if conn == DefaultConnection {
		conn = PTY
	}
	if conn < DefaultConnection || conn > PipeInPTYOut {
		return nil, fmt.Errorf("Unknown connection type: %v", conn)
	}
	if !ptySupported {
		conn = Pipe
	}
	if len(a.Command) == 0 && conn != PTY {
		return nil, ErrNoProgram
	}
	decCS, encCS, err := rt.resolveCoding(a.Coding)
	if err != nil {
		return nil, err
	}
	// With no directory given anywhere, the child keeps this process's
	// working directory, which exists and is no remote name the default
	// handlers know: no lookup, no check, no chdir (a spawn's cost).
	dir := ""
	if a.Dir != "" || rt.cfg.DefaultDirectory != "" || rt.cfg.FileNameHandlers != nil {
		dir = rt.localDirectory(a.Dir) // filehandler.go: "~" for a remote one
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			if err == nil {
				err = syscall.ENOTDIR
			}
			return nil, &FileError{Op: "Setting current directory", Err: unwrapErrno(err), Path: dir}
		}
	}

	var argv []string
	var path string
	if len(a.Command) > 0 {
		// findProgram never returns a directory (ErrProgramIsDirectory).
		path, err = findProgram(a.Command[0], rt.execPath(), rt.cfg.ExecSuffixes, dir)
		if err != nil {
			return nil, err
		}
		enc := encCS.newEncoder()
		argv = make([]string, len(a.Command))
		argv[0] = a.Command[0]
		for i, arg := range a.Command[1:] {
			argv[i+1] = encodeArg(enc, arg)
		}
		for _, s := range argv {
			if strings.IndexByte(s, 0) >= 0 {
				return nil, fmt.Errorf("Invalid argument: NUL byte in command line argument %q", s)
			}
		}
	}
	env, err := rt.environment(a.Env)
	if err != nil {
		return nil, err
	}

	if err := rt.beginMaking(); err != nil {
		return nil, err
	}
	defer rt.endMaking()

	if b, ok := a.Stderr.(*Buffer); ok && b != nil {
		stderrPipe, err = rt.MakePipeProcess(PipeArgs{
			Name:    a.Name + " stderr",
			Buffer:  b,
			NoQuery: a.NoQuery,
		})
		if err != nil {
			return nil, err
		}
	}

	p := rt.newProcess(kindReal)
	p.remote = remote
	p.command = append([]string(nil), a.Command...)
	p.contact = true
	p.filter = a.Filter
	p.bytesFilter = a.BytesFilter
	p.sentinel = a.Sentinel
	p.query = !a.NoQuery
	p.killGroup = a.KillGroup
	p.stderrProc = stderrPipe
	p.setCodingLocked(decCS, encCS)

	stderrFD := -1 // mixed with standard output
	if stderrPipe != nil {
		stderrFD = -2 // the null device, unless the pipe process still has its end
		rt.mu.Lock()
		if stderrPipe.stderrW >= 0 {
			stderrFD = stderrPipe.stderrW
		}
		rt.mu.Unlock()
	}
	rt.mu.Lock()
	pidfd := len(rt.loop.children) < pidfdMax
	rt.mu.Unlock()
	sp, err := spawn(spawnRequest{path: path, argv: argv, env: env, dir: dir, ptyIn: conn.ptyIn(), ptyOut: conn.ptyOut(), stderr: stderrFD, pidfd: pidfd})
	if err != nil {
		if stderrPipe != nil && a.Stderr != StderrTarget(stderrPipe) {
			stderrPipe.Delete()
		}
		var ee *execError
		if !errors.As(err, &ee) {
			return nil, err
		}
		// An absolute program that cannot be run: as in Emacs, the process
		// exists, says why, and exits with 127 or 126.
		sp, err = failedExec(ee)
		if err != nil {
			return nil, err
		}
	}
	if stderrPipe != nil {
		// The child has the writing end now; our copy must go so that the
		// pipe process sees end of file when the child exits.
		rt.mu.Lock()
		if stderrPipe.stderrW >= 0 && stderrPipe.stderrW == stderrFD {
			closeFD(stderrPipe.stderrW)
			stderrPipe.stderrW = -1
			if sp.pid > 0 {
				stderrPipe.stderrOf = p
			}
		}
		rt.mu.Unlock()
	}
	if remote != nil {
		// The remote program's start, read before the loop sees the child.
		if err := remote.start(p, &sp); err != nil {
			if stderrPipe != nil && a.Stderr != StderrTarget(stderrPipe) {
				stderrPipe.Delete()
			}
			return nil, err
		}
	}
	p.pid = sp.pid
	p.ttyName = sp.ttyName
	p.ptyIn, p.ptyOut = sp.ttyName != "" && conn.ptyIn(), sp.ttyName != "" && conn.ptyOut()
	p.setFDs(sp.infd, sp.outfd)
	if sp.ttyName != "" {
		p.tr = ptyChild{}
	}
	p.ptySlave = sp.ptySlave
	p.pidfd = &pfd{fd: sp.pidfd}

	rt.mu.Lock()
	rt.addProcess(p, a.Name)
	p.buffer = a.Buffer
	if a.Buffer != nil {
		p.mark.Set(a.Buffer, a.Buffer.PointMax())
	}
	rt.registerFDsLocked(p)
	var reap []int
	if sp.pid > 0 {
		reap = rt.addChildLocked(p)
	} else if sp.failed {
		rt.setStatusLocked(p, sp.status)
	}
	rt.armLocked(p)
	rt.mu.Unlock()
	for _, pid := range reap {
		// It may have exited before it was registered, and SIGCHLD came
		// too early to find it. (A pidfd is readable once it exited,
		// whenever that was.)
		rt.reapPid(pid)
	}
	return p, nil
}

// unwrapErrno returns the errno inside err, or err.
func unwrapErrno(err error) error {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno
	}
	return err
}

// environment builds a child's environment: the call's entries, then
// Config.ProcessEnvironment (or the host's environment), first entry of a
// variable winning and "VAR" without "=" removing VAR.
func (rt *Runtime) environment(extra []string) ([]string, error) {
	base := rt.cfg.ProcessEnvironment
	if base == nil {
		base = os.Environ()
	}
	seen := make(map[string]bool, len(base)+len(extra))
	env := make([]string, 0, len(base)+len(extra))
	for _, list := range [][]string{extra, base} {
		for _, kv := range list {
			if strings.IndexByte(kv, 0) >= 0 {
				return nil, fmt.Errorf("Invalid argument: NUL byte in environment entry %q", kv)
			}
			name, _, hasValue := strings.Cut(kv, "=")
			if seen[envKey(name)] {
				continue
			}
			seen[envKey(name)] = true
			if hasValue {
				env = append(env, kv)
			}
		}
	}
	return env, nil
}

// StartProcess is start-process: MakeProcess with the name, buffer and the
// command program followed by args.
func (rt *Runtime) StartProcess(name string, buf *Buffer, program string, args ...string) (*Process, error) {
	var cmd []string
	if program != "" {
		cmd = append([]string{program}, args...)
	}
	return rt.MakeProcess(ProcessArgs{Name: name, Buffer: buf, Command: cmd})
}

// StartProcessShellCommand is start-process-shell-command: it runs command
// with Config.ShellFileName and Config.ShellCommandSwitch ("-c").
func (rt *Runtime) StartProcessShellCommand(name string, buf *Buffer, command string) (*Process, error) {
	return rt.StartProcess(name, buf, rt.shellFileName(), rt.cfg.ShellCommandSwitch, command)
}

// Name returns the process name (process-name).
func (p *Process) Name() string {
	if p == nil {
		return ""
	}
	return p.name
}

// Command returns the program and arguments the process was started with
// (process-command); nil for a pipe process or a pty with no program, and
// for network and serial processes.
//
// Where eproc differs from Emacs 28.2: Emacs's process-command is t while a
// pipe, network or serial process is stopped (that is how it marks the
// stop); Command stays nil for them, and Status says "stop".
func (p *Process) Command() []string {
	if p == nil {
		return nil
	}
	return append([]string(nil), p.command...)
}

// ID returns the operating system's process ID of a child (process-id):
// 0 for pipe processes and for a pty with no program (Emacs gives -2 there).
func (p *Process) ID() int {
	if p == nil {
		return 0
	}
	return p.pid
}

// Type returns the process type (process-type): "real" for a child,
// "pipe", "network" or "serial".
func (p *Process) Type() string {
	if p == nil {
		return ""
	}
	return p.kind.String()
}

// TTYName returns the name of the pty the process uses, such as
// "/dev/pts/3" (process-tty-name): for a pty with no program, for a child
// with a PTY connection, and for one with a pty on one side only
// (PTYInPipeOut, PipeInPTYOut). It is "" when the process uses pipes only,
// so it tells which connection a child really got.
func (p *Process) TTYName() string {
	if p == nil {
		return ""
	}
	return p.ttyName
}

// Contact returns process-contact's value with no key: true for a child;
// for a pipe, network or serial process, the PipeArgs, NetworkArgs or
// SerialArgs it was made with, with Buffer, Filter and Sentinel as they are
// now (and a network server's Service holding the real port, as Emacs
// rewrites it; a serial port's settings as configured now). See ContactKey
// for single keys.
func (p *Process) Contact() any {
	if p == nil {
		return nil
	}
	rt := p.rt
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if a, ok := p.contact.(PipeArgs); ok {
		a.Buffer, a.Filter, a.Sentinel = p.buffer, p.filter, p.sentinel
		return a
	}
	if p.net != nil {
		a := p.net.args
		a.Buffer, a.Filter, a.Sentinel = p.buffer, p.filter, p.sentinel
		return a
	}
	if p.serial != nil {
		return p.serialContactLocked()
	}
	return p.contact
}

// Buffer returns the process buffer (process-buffer), or nil.
func (p *Process) Buffer() *Buffer {
	if p == nil {
		return nil
	}
	p.rt.mu.Lock()
	defer p.rt.mu.Unlock()
	return p.buffer
}

// SetBuffer sets the process buffer (set-process-buffer). A new buffer
// moves the process mark to its end; nil leaves the mark where it is, as
// in Emacs.
func (p *Process) SetBuffer(b *Buffer) {
	if p == nil {
		return
	}
	p.rt.mu.Lock()
	p.buffer = b
	p.rt.mu.Unlock()
	if b != nil {
		p.mark.Set(b, b.PointMax())
	}
}

// Mark returns the process mark (process-mark), the marker where the
// default filter inserts output. It is never nil (but for a nil process);
// without a buffer it points nowhere.
func (p *Process) Mark() *Marker {
	if p == nil {
		return nil
	}
	return p.mark
}

// Status returns the process status (process-status); "" for a nil
// process, as process-status of a missing process name is nil.
func (p *Process) Status() Status {
	if p == nil {
		return ""
	}
	p.rt.mu.Lock()
	defer p.rt.mu.Unlock()
	return statusOf(p.kind, p.status, p.stopped)
}

// ExitStatus returns process-exit-status: the exit code of an exited child,
// the signal number of a signalled or stopped one, 0 while it runs.
func (p *Process) ExitStatus() int {
	if p == nil {
		return 0
	}
	p.rt.mu.Lock()
	defer p.rt.mu.Unlock()
	if p.status.kind == rawRun {
		return 0
	}
	return p.status.code
}

// Live reports whether the process is alive (process-live-p): its status
// is run, stop, open, listen or connect.
func (p *Process) Live() bool {
	if p == nil {
		return false
	}
	p.rt.mu.Lock()
	defer p.rt.mu.Unlock()
	return !p.status.dead() && !p.deleted
}

// runningLocked reports whether a wait for p's output may still be
// answered. rt.mu must be held.
func (p *Process) runningLocked() bool {
	if p.deleted || p.status.dead() {
		return p.in.open() && !p.deleted
	}
	return p.status.kind == rawRun || p.kind == kindNetwork // listen and connect too
}

// Get returns the value of the property prop of the process plist
// (process-get), or nil.
func (p *Process) Get(prop string) any {
	if p == nil {
		return nil
	}
	p.rt.mu.Lock()
	defer p.rt.mu.Unlock()
	for i := 0; i+1 < len(p.plist); i += 2 {
		if p.plist[i] == prop {
			return p.plist[i+1]
		}
	}
	return nil
}

// Put sets the property prop of the process plist to v (process-put).
func (p *Process) Put(prop string, v any) {
	if p == nil {
		return
	}
	p.rt.mu.Lock()
	defer p.rt.mu.Unlock()
	for i := 0; i+1 < len(p.plist); i += 2 {
		if p.plist[i] == prop {
			p.plist[i+1] = v
			return
		}
	}
	p.plist = append(p.plist, prop, v)
}

// Plist returns a copy of the process plist (process-plist): property names
// (strings) and values alternating.
func (p *Process) Plist() []any {
	if p == nil {
		return nil
	}
	p.rt.mu.Lock()
	defer p.rt.mu.Unlock()
	return append([]any(nil), p.plist...)
}

// SetPlist replaces the process plist (set-process-plist). It must hold
// string names and values alternating; otherwise it is an error and the
// plist is unchanged.
func (p *Process) SetPlist(plist []any) error {
	if p == nil {
		return ErrNilProcess
	}
	if len(plist)%2 != 0 {
		return wrongType("plistp", fmt.Sprint(plist))
	}
	for i := 0; i < len(plist); i += 2 {
		if _, ok := plist[i].(string); !ok {
			return wrongType("stringp", plist[i])
		}
	}
	p.rt.mu.Lock()
	defer p.rt.mu.Unlock()
	p.plist = append([]any(nil), plist...)
	return nil
}

// QueryOnExitFlag returns the query-on-exit flag
// (process-query-on-exit-flag).
func (p *Process) QueryOnExitFlag() bool {
	if p == nil {
		return false
	}
	p.rt.mu.Lock()
	defer p.rt.mu.Unlock()
	return p.query
}

// SetQueryOnExitFlag sets the query-on-exit flag
// (set-process-query-on-exit-flag).
func (p *Process) SetQueryOnExitFlag(flag bool) {
	if p == nil {
		return
	}
	p.rt.mu.Lock()
	defer p.rt.mu.Unlock()
	p.query = flag
}

// KillWithoutQuery is process-kill-without-query: it sets the query flag
// to doQuery and returns the old flag.
func (p *Process) KillWithoutQuery(doQuery bool) bool {
	if p == nil {
		return false
	}
	p.rt.mu.Lock()
	defer p.rt.mu.Unlock()
	old := p.query
	p.query = doQuery
	return old
}

// Delete is delete-process. A running child's process group gets SIGKILL
// and its status becomes "signal" 9 at once (if the child had already
// exited, its real status is kept); a pipe process is closed. Output not
// yet read is discarded, every descriptor is closed, the process leaves
// the process table, and its sentinel has run when Delete returns (called
// from p's own sentinel, the new status is reported right after that
// sentinel returns: sentinels never run recursively). After Delete
// returns, no filter of p runs again. Deleting a deleted process does
// nothing. Delete has no deadline: while a filter or sentinel runs on
// another goroutine, it waits for that callback to return (it runs p's
// sentinel, and callbacks never run concurrently); the waits that take a
// deadline or a context return on time whatever callbacks run.
//
// What Delete leaves running, as Emacs's delete-process does: programs
// that left the child's process group (a daemon that called setsid, a
// job a shell with job control put in a group of its own), and, once the
// child itself has exited, whatever it left in its group (a background
// job of a non-interactive shell, a grandchild ignoring SIGHUP). Set
// ProcessArgs.KillGroup to kill the group in that last case too.
func (p *Process) Delete() error {
	if p == nil {
		return ErrNilProcess
	}
	rt := p.rt
	d := &rt.loop.dispatch
	d.lock()
	defer d.unlock()
	rt.mu.Lock()
	if p.deleted {
		rt.mu.Unlock()
		return nil
	}
	p.deleted = true
	rt.removeProcess(p)
	live := !p.status.dead()
	rt.mu.Unlock()
	if live && p.kind == kindReal && p.pid > 0 {
		rt.killDeleted(p)
	} else if live {
		rt.mu.Lock()
		rt.setStatusLocked(p, rawStatus{kind: rawExit})
		rt.mu.Unlock()
	}
	if live && p.remote != nil {
		p.remote.kill(p, syscall.SIGKILL) // remote.go: the remote program too, not only its ssh
	}
	if p.killGroup && p.kind == kindReal && p.pid > 0 && p.remote == nil {
		// The group outlives its leader while it has members, and the
		// system gives no new process a pid that names a live group.
		killGroupOnly(p.pid, syscall.SIGKILL)
	}
	rt.mu.Lock()
	rt.closeFDsLocked(p)
	rt.mu.Unlock()
	rt.runSentinel(p)
	return nil
}

// Exited reports whether the process is dead and its exit sentinel has run.
// A nil process reports true, so that a loop waiting on it ends.
func (p *Process) Exited() bool {
	if p == nil {
		return true
	}
	p.rt.mu.Lock()
	defer p.rt.mu.Unlock()
	return p.exitReported
}

// Wait dispatches output, status changes and sentinels (of every process)
// until p is dead and its exit sentinel has returned. It returns nil then,
// whatever the exit status, or ctx.Err() if ctx ends first. Calling Wait
// from p's own sentinel waits until ctx ends.
func (p *Process) Wait(ctx context.Context) error {
	if p == nil {
		return ErrNilProcess
	}
	rt := p.rt
	ok := rt.waitLoop(waitSpec{ctx: ctx, done: p.Exited})
	if !ok {
		return ctx.Err()
	}
	return nil
}
