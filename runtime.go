package eproc

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ConnectionType says how a child's standard input and output are connected
// to eproc: Emacs's process-connection-type and make-process's
// :connection-type.
//
// Besides Pipe and PTY, the newest Emacs manual lets the two directions
// differ, :connection-type (INPUT . OUTPUT); PTYInPipeOut and PipeInPTYOut
// are those forms. The side on a pty gets a pty set up as for PTY (see
// MakeProcess), and that pty is the child's controlling terminal; standard
// error follows standard output unless ProcessArgs.Stderr says otherwise.
type ConnectionType int

const (
	// DefaultConnection means Config.ProcessConnectionType.
	DefaultConnection ConnectionType = iota
	// Pipe connects the child through pipes (Emacs's nil / 'pipe).
	Pipe
	// PTY connects the child through a pseudo-terminal (Emacs's t / 'pty).
	PTY
	// PTYInPipeOut gives the child a pty as standard input and a pipe as
	// standard output (Emacs's '(pty . pipe)).
	PTYInPipeOut
	// PipeInPTYOut gives the child a pipe as standard input and a pty as
	// standard output (Emacs's '(pipe . pty)).
	PipeInPTYOut
)

// String returns Emacs's printed value for the connection type: "pipe",
// "pty", "(pty . pipe)", "(pipe . pty)", or "nil" for DefaultConnection.
func (t ConnectionType) String() string {
	switch t {
	case Pipe:
		return "pipe"
	case PTY:
		return "pty"
	case PTYInPipeOut:
		return "(pty . pipe)"
	case PipeInPTYOut:
		return "(pipe . pty)"
	case DefaultConnection:
		return "nil"
	}
	return "ConnectionType(" + strconv.Itoa(int(t)) + ")"
}

// ptyIn and ptyOut say which of the child's standard streams a connection
// type puts on a pty: its input, its output.
func (t ConnectionType) ptyIn() bool  { return t == PTY || t == PTYInPipeOut }
func (t ConnectionType) ptyOut() bool { return t == PTY || t == PipeInPTYOut }

// Coding names the coding systems of a process: Emacs's :coding keyword.
// A name is an Emacs coding-system name such as "utf-8" or "latin-1-unix";
// "" means the default. Set Decoding and Encoding to the same name for
// Emacs's single-symbol form, or apart for the (DECODING . ENCODING) form.
// Encoding also applies to the command-line arguments with a non-ASCII
// character (Emacs encodes only multibyte strings, so with utf-16le an
// ASCII argument is passed as it is); on Windows, whose command lines are
// Unicode, to none.
type Coding struct {
	Decoding string // for output from the process; "" = the default
	Encoding string // for input to the process and non-ASCII command-line arguments; "" = the default
}

// Config holds the Emacs variables that a Runtime models. Its zero value
// means Emacs's defaults; each field names the variable it stands for.
type Config struct {
	// ProcessConnectionType is process-connection-type: the connection used
	// when ProcessArgs.ConnectionType is DefaultConnection and
	// ProcessArgs.Stderr is nil (a child with its own standard error gets
	// pipes unless the call asks otherwise, as in Emacs). Zero means PTY,
	// as in Emacs. On systems without ptys (Windows) every child gets pipes.
	ProcessConnectionType ConnectionType

	// KeepExitedProcesses is delete-exited-processes set to nil: processes
	// that exit stay in ProcessList until Delete. Zero (false) is Emacs's
	// default t: they leave the list just before their exit sentinel runs.
	KeepExitedProcesses bool

	// ShellFileName is shell-file-name, used by StartProcessShellCommand.
	// Empty means $SHELL, then /bin/sh (on Windows $SHELL, then
	// %ComSpec%, then cmd.exe).
	ShellFileName string

	// ShellCommandSwitch is shell-command-switch; empty means "-c" ("/c"
	// on Windows when the shell is cmd.exe or command.com).
	ShellCommandSwitch string

	// ExecPath is exec-path, the directories searched for a program named
	// without a slash. Nil means the directories of $PATH; an empty string
	// element means the default directory.
	ExecPath []string

	// ExecSuffixes is exec-suffixes, the suffixes tried on each program
	// name. Nil means none ("" only) on POSIX systems.
	ExecSuffixes []string

	// ProcessEnvironment is process-environment: "VAR=value" entries for
	// children; an entry "VAR" without "=" removes VAR. Earlier entries win.
	// Nil means os.Environ() at the time a process is made.
	ProcessEnvironment []string

	// DefaultDirectory is default-directory, the working directory of
	// children. Empty means the host program's working directory.
	DefaultDirectory string

	// ReadProcessOutputMax is read-process-output-max: the most bytes read
	// from one process in one turn of the accept loop, and so the largest
	// chunk a filter receives. Zero (or less) means 65536 (Emacs's default
	// is 4096; eproc reads more, with no change in what is delivered).
	// NewRuntime lowers a value above 16 MiB to 16 MiB: each turn may
	// allocate a buffer of this size.
	ReadProcessOutputMax int

	// CodingSystemForRead is coding-system-for-read: when not empty, the
	// decoding system of processes made without Coding.Decoding.
	CodingSystemForRead string

	// CodingSystemForWrite is coding-system-for-write: when not empty, the
	// encoding system of processes made without Coding.Encoding.
	CodingSystemForWrite string

	// DefaultProcessCodingSystem is default-process-coding-system, used when
	// neither the call nor the two fields above name a system. Empty names
	// mean "utf-8-unix", Emacs's value on a UTF-8 system.
	DefaultProcessCodingSystem Coding

	// ErrorHandler receives errors from filters and sentinels (a recovered
	// panic, as Emacs catches an error in a filter, as a *CallbackError) and
	// from transaction-queue handlers. It is called on the goroutine that
	// ran the callback. Nil logs with log/slog, with Emacs's texts "error in
	// process filter: ...", "error in process sentinel: ..." and "Error
	// while processing tq callback: ...".
	ErrorHandler func(err error)

	// DebugOnError is debug-on-error: a panic in a filter or sentinel is not
	// recovered but propagates out of the accept call that ran it.
	DebugOnError bool

	// KillBufferQuery is process-kill-buffer-query-function: before
	// (*Buffer).Kill kills a buffer whose process is live and has its
	// query-on-exit flag set, it asks this function; false cancels the kill.
	// Nil answers yes.
	KillBufferQuery func(b *Buffer, p *Process) bool

	// CallProcessQuitDelay is how long a cancelled CallProcessContext waits
	// after SIGINT before it sends SIGKILL (Emacs's second C-g). Zero means
	// two seconds.
	CallProcessQuitDelay time.Duration

	// QueryBeforeExit is asked by Close with the live processes whose
	// query-on-exit flag is set (Emacs's "Active processes exist; kill them
	// and exit anyway?"); false cancels Close. Nil answers yes.
	QueryBeforeExit func(ps []*Process) bool

	// FileNameHandlers is file-name-handler-alist for the process
	// operations (see FileHandler): the handlers of remote directories.
	// Nil means DefaultFileNameHandlers(), the built-in RemoteHandler for
	// names like "/ssh:host:/dir/"; an empty list means none.
	FileNameHandlers []FileNameHandler
}

// Runtime is one Emacs's process world: the process table, the buffer table,
// the Config and the accept loop. A Runtime is safe for concurrent use by
// many goroutines. Filters and sentinels of its processes run only inside
// its accept calls (AcceptProcessOutput, (*Process).Wait, Run, SitFor, and
// the waits inside SendString, Delete and Continue), on the goroutine that
// made the call, one at a time.
type Runtime struct {
	cfg Config

	mu       sync.Mutex
	procs    []*Process // oldest first; ProcessList reverses
	names    map[string]*Process
	nameHint map[string]int // per name, a suffix below which every NAME<k> is taken (uniqueProcessName)
	buffers  []*Buffer
	bufNames map[string]*Buffer
	closed   bool          // Close began: nothing new is made
	closing  chan struct{} // made when Close begins, closed when it ends
	creating int           // makings in progress, which Close waits for
	created  sync.Cond     // broadcast (with mu) when creating drops to 0
	loop     loopState     // the accept loop's state; see loop.go
	native   nativeRuntime // WaitEvent's count of sentinel calls (native.go)

	acceptCount int        // connections accepted by servers; names Unix-socket ones (network.go)
	netPaused   []*Process // listeners paused after accept ran out of descriptors (network_backoff.go)

	remote remoteState // the connections of remote processes (remote.go)
}

// Default is the Runtime the package-level functions act on. Libraries and
// tests that want their own process world use NewRuntime.
var Default = NewRuntime(Config{})

// NewRuntime makes a Runtime with the given configuration; zero fields mean
// Emacs's defaults.
func NewRuntime(cfg Config) *Runtime {
	if cfg.ReadProcessOutputMax <= 0 {
		cfg.ReadProcessOutputMax = 65536
	}
	cfg.ReadProcessOutputMax = min(cfg.ReadProcessOutputMax, maxReadProcessOutput)
	if cfg.ShellCommandSwitch == "" {
		cfg.ShellCommandSwitch = defaultShellSwitch(cfg.ShellFileName)
	}
	rt := &Runtime{
		cfg:      cfg,
		names:    make(map[string]*Process),
		nameHint: make(map[string]int),
		bufNames: make(map[string]*Buffer),
	}
	rt.created.L = &rt.mu
	rt.loop.init()
	return rt
}

// Config returns the Runtime's configuration, with defaults filled in.
func (rt *Runtime) Config() Config { return rt.cfg }

func (rt *Runtime) shellFileName() string {
	if rt.cfg.ShellFileName != "" {
		return rt.cfg.ShellFileName
	}
	return defaultShell()
}

func (rt *Runtime) execPath() []string {
	if rt.cfg.ExecPath != nil {
		return rt.cfg.ExecPath
	}
	return defaultExecPath()
}

func (rt *Runtime) defaultDirectory() string {
	if rt.cfg.DefaultDirectory != "" {
		return rt.cfg.DefaultDirectory
	}
	wd, err := os.Getwd()
	if err != nil {
		return "/"
	}
	return wd
}

// uniqueProcessName returns name, or name<1>, name<2>, ... whichever is free
// first, as Emacs numbers processes. rt.mu must be held.
func (rt *Runtime) uniqueProcessName(name string) string {
	if _, taken := rt.names[name]; !taken {
		return name
	}
	// Emacs takes the lowest free suffix. The search starts at the hint,
	// below which every suffix is taken, so that a thousand processes of
	// one name cost a thousand lookups, not half a million.
	for i := max(1, rt.nameHint[name]); ; i++ {
		n := name + "<" + strconv.Itoa(i) + ">"
		if _, taken := rt.names[n]; !taken {
			rt.nameHint[name] = i + 1 // i is about to be taken
			return n
		}
	}
}

// freeNameLocked notes that the name n is free again: if it is NAME<k>,
// the search for NAME's next suffix starts at k at the latest. rt.mu must
// be held.
func (rt *Runtime) freeNameLocked(n string) {
	if !strings.HasSuffix(n, ">") {
		return
	}
	i := strings.LastIndexByte(n, '<')
	if i < 0 {
		return
	}
	k, err := strconv.Atoi(n[i+1 : len(n)-1])
	if err != nil || k < 1 {
		return
	}
	switch h, ok := rt.nameHint[n[:i]]; {
	case ok && k <= 1:
		delete(rt.nameHint, n[:i]) // the search starts at 1 anyway
	case ok && k < h:
		rt.nameHint[n[:i]] = k
	}
}

// addProcess enters p into the process table under a unique name.
// rt.mu must be held.
func (rt *Runtime) addProcess(p *Process, name string) {
	p.name = rt.uniqueProcessName(name)
	rt.names[p.name] = p
	rt.procs = append(rt.procs, p)
}

// removeProcess takes p out of the process table (delete-process, or an exit
// under delete-exited-processes). rt.mu must be held.
func (rt *Runtime) removeProcess(p *Process) {
	if rt.names[p.name] == p {
		delete(rt.names, p.name)
		rt.freeNameLocked(p.name)
	}
	for i, q := range rt.procs {
		if q == p {
			rt.procs = append(rt.procs[:i], rt.procs[i+1:]...)
			break
		}
	}
}

// ProcessList returns every process that has not been deleted, newest first,
// as Emacs's process-list does.
func (rt *Runtime) ProcessList() []*Process {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	out := make([]*Process, len(rt.procs))
	for i, p := range rt.procs {
		out[len(out)-1-i] = p
	}
	return out
}

// GetProcess returns the process named name, or nil if there is none
// (get-process).
func (rt *Runtime) GetProcess(name string) *Process {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.names[name]
}

// GetBufferProcess returns the newest undeleted process whose buffer is b, or
// nil (get-buffer-process).
func (rt *Runtime) GetBufferProcess(b *Buffer) *Process {
	if b == nil {
		return nil
	}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	for i := len(rt.procs) - 1; i >= 0; i-- {
		if rt.procs[i].buffer == b {
			return rt.procs[i]
		}
	}
	return nil
}

// GetBufferCreate returns the live buffer named name, making it if there is
// none (get-buffer-create).
func (rt *Runtime) GetBufferCreate(name string) *Buffer {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if b := rt.bufNames[name]; b != nil {
		return b
	}
	return rt.newBufferLocked(name)
}

// GetBuffer returns the live buffer named name, or nil (get-buffer).
func (rt *Runtime) GetBuffer(name string) *Buffer {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.bufNames[name]
}

// GenerateNewBuffer makes a new buffer whose name is name, or name<2>,
// name<3>, ... whichever is free first (generate-new-buffer).
func (rt *Runtime) GenerateNewBuffer(name string) *Buffer {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.newBufferLocked(rt.generateNewBufferNameLocked(name))
}

// GenerateNewBufferName returns name if no live buffer has it, otherwise
// name<2>, name<3>, ... whichever is free first (generate-new-buffer-name).
func (rt *Runtime) GenerateNewBufferName(name string) string {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.generateNewBufferNameLocked(name)
}

func (rt *Runtime) generateNewBufferNameLocked(name string) string {
	if rt.bufNames[name] == nil {
		return name
	}
	for i := 2; ; i++ {
		n := name + "<" + strconv.Itoa(i) + ">"
		if rt.bufNames[n] == nil {
			return n
		}
	}
}

func (rt *Runtime) newBufferLocked(name string) *Buffer {
	b := newBuffer(name)
	b.rt = rt
	rt.bufNames[name] = b
	rt.buffers = append(rt.buffers, b)
	return b
}

// BufferList returns the live buffers, oldest first (buffer-list).
func (rt *Runtime) BufferList() []*Buffer {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return append([]*Buffer(nil), rt.buffers...)
}
