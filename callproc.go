package eproc

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Destination says where call-process puts a child's output: the
// DESTINATION argument of call-process. Its zero value discards the output
// and waits (Emacs's nil).
//
//	Emacs                 Go
//	BUFFER (or t)         Destination{Buffer: b}
//	nil                   Destination{}
//	0                     Destination{NoWait: true}
//	(:file FILE)          Destination{File: FILE}
//	(REAL nil)            REAL's form with DiscardStderr: true
//	(REAL t)              REAL's form (standard error is mixed in by default)
//	(REAL "errfile")      REAL's form with StderrFile: "errfile"
type Destination struct {
	// Buffer receives the output, decoded, inserted before point (point
	// ends after it). Go has no current buffer: t is a buffer too.
	Buffer *Buffer
	// File receives the output, as bytes (the file is truncated first).
	File string
	// NoWait discards all output and returns at once without waiting for
	// the child (Emacs's 0); eproc still reaps it, so it never lingers as a
	// zombie.
	NoWait bool
	// DiscardStderr throws standard error away instead of mixing it in.
	DiscardStderr bool
	// StderrFile receives standard error (truncated first).
	StderrFile string
}

// CallStatus is what call-process returns: how the child ended.
type CallStatus struct {
	// Code is the exit code when the child exited.
	Code int
	// Signal is the description of the signal that killed the child, as
	// Emacs gives it: "Killed", "Segmentation fault" (never with
	// "(core dumped)"). Empty when the child exited.
	Signal string
	// NoWait is true for a call with Destination.NoWait, which did not wait
	// for the child to end (Emacs returns nil).
	NoWait bool
}

// String returns the status as Emacs prints call-process's value: the exit
// code, the signal's description, or "nil" for a NoWait call.
func (s CallStatus) String() string {
	switch {
	case s.Signal != "":
		return s.Signal
	case s.NoWait:
		return "nil"
	}
	return strconv.Itoa(s.Code)
}

// Success reports whether the child exited with code 0.
func (s CallStatus) Success() bool { return s.Signal == "" && !s.NoWait && s.Code == 0 }

// ExitError is returned by ProcessLines when the program did not exit
// with code 0: "PROG exited with status 2" or "PROG exited with status
// Killed".
type ExitError struct {
	Program string
	Status  CallStatus
}

// Error returns Emacs's message, "PROG exited with status STATUS".
func (e *ExitError) Error() string {
	return e.Program + " exited with status " + e.Status.String()
}

// CallProcessArgs are the arguments of Call: call-process's, with what
// Emacs takes from dynamic bindings (default-directory,
// process-environment, coding-system-for-read and -write) given for the
// one call. A zero field means the argument was omitted.
type CallProcessArgs struct {
	// Program is the program to run, looked up in Config.ExecPath as
	// CallProcess does.
	Program string
	// Args are the program's arguments, encoded with the encoding system.
	Args []string
	// ShellCommand, when not empty, is a command line for the shell, run
	// as call-process-shell-command and shell-command-to-string run
	// theirs: Config.ShellFileName with Config.ShellCommandSwitch and the
	// line. Program and Args must then be empty. It gives the shell forms
	// a directory and environment of their own (Dir, Env).
	ShellCommand string
	// Dir is the working directory (default-directory bound for this
	// call); "" uses Config.DefaultDirectory. A directory that does not
	// exist is Emacs's error "Setting current directory: No such file or
	// directory, DIR".
	Dir string
	// Env holds process-environment entries for this call, in front of
	// Config.ProcessEnvironment, as ProcessArgs.Env: "VAR=value" sets VAR,
	// "VAR" unsets it, earlier entries win.
	Env []string
	// Coding names the coding systems for this call (coding-system-for-read
	// and -write bound around it); zero fields take the defaults.
	Coding Coding
	// Standard input: at most one of Infile (a file, relative to Dir),
	// Input (text, encoded with the encoding system, as
	// call-process-region sends a region) and Stdin (bytes, copied as
	// they are). None of them: the null device.
	Infile string
	Input  string
	Stdin  io.Reader
	// Dest says where the output goes, as call-process's DESTINATION.
	Dest Destination
}

// Call is call-process with every argument in a CallProcessArgs: a
// working directory, environment entries and coding systems for this call
// alone (no other Runtime needed), and standard input from a file, a
// string or an io.Reader; with ShellCommand, it is
// call-process-shell-command with the same. It runs the program synchronously and returns
// how it ended; filters and sentinels do not run meanwhile. When ctx ends,
// the child's process group gets SIGINT, then SIGKILL after
// Config.CallProcessQuitDelay, as CallProcessContext does, and Call
// returns ctx.Err() with the child's end.
func (rt *Runtime) Call(ctx context.Context, a CallProcessArgs) (CallStatus, error) {
	n := 0
	for _, set := range []bool{a.Infile != "", a.Input != "", a.Stdin != nil} {
		if set {
			n++
		}
	}
	if n > 1 {
		return CallStatus{}, errors.New("eproc: CallProcessArgs: more than one of Infile, Input and Stdin")
	}
	if a.ShellCommand != "" {
		if a.Program != "" || len(a.Args) > 0 {
			return CallStatus{}, errors.New("eproc: CallProcessArgs: ShellCommand with Program or Args")
		}
		a.Program, a.Args = rt.shellFileName(), []string{rt.cfg.ShellCommandSwitch, a.ShellCommand}
	}
	stdin := a.Stdin
	if a.Input != "" {
		_, encCS, err := rt.resolveCoding(a.Coding)
		if err != nil {
			return CallStatus{}, err
		}
		stdin = strings.NewReader(string(encCS.newEncoder().encode(a.Input)))
	}
	if a.Dir != "" && rt.FindFileNameHandler(a.Dir) == nil { // a remote Dir runs locally in ~, as callProcess says
		if st, err := os.Stat(a.Dir); err != nil || !st.IsDir() {
			if err == nil {
				err = syscall.ENOTDIR
			}
			return CallStatus{}, &FileError{Op: "Setting current directory", Err: unwrapErrno(err), Path: a.Dir}
		}
	}
	return rt.callProcess(ctx, callRequest{program: a.Program, infile: a.Infile, stdin: stdin, dest: a.Dest, args: a.Args, dir: a.Dir, env: a.Env, coding: a.Coding})
}

// ShellCommandOutput is shell-command-to-string that also returns how the
// shell ended: it runs command with Config.ShellFileName and
// Config.ShellCommandSwitch, and returns its output (standard error
// included) and its status. ctx cancels it as in Call. For another
// directory or environment, use Call with ShellCommand, Dir and Env.
func (rt *Runtime) ShellCommandOutput(ctx context.Context, command string) (string, CallStatus, error) {
	b := newBuffer(" *shell-command-to-string*")
	st, err := rt.Call(ctx, CallProcessArgs{
		Program: rt.shellFileName(),
		Args:    []string{rt.cfg.ShellCommandSwitch, command},
		Dest:    Destination{Buffer: b},
	})
	return b.String(), st, err
}

// callRequest is call-process's arguments for callProcess.
type callRequest struct {
	program, infile string
	stdin           io.Reader // when not nil, standard input (else infile, else the null device)
	dest            Destination
	args            []string
	dir             string   // "": the default directory
	env             []string // entries in front of the process environment
	coding          Coding
}

// callProcess is call-process's common work.
func (rt *Runtime) callProcess(ctx context.Context, r callRequest) (CallStatus, error) {
	program, infile, stdin, dest, args := r.program, r.infile, r.stdin, r.dest, r.args
	dir := rt.localDirectory(r.dir)
	path, err := findCallProgram(program, rt.execPath(), rt.cfg.ExecSuffixes, dir)
	if err != nil {
		return CallStatus{}, err
	}
	decCS, encCS, err := rt.resolveCoding(r.coding)
	if err != nil {
		return CallStatus{}, err
	}
	enc := encCS.newEncoder()
	argv := make([]string, len(args))
	for i, a := range args {
		argv[i] = encodeArg(enc, a)
	}
	env, err := rt.environment(r.env)
	if err != nil {
		return CallStatus{}, err
	}
	cmd := exec.Command(path, argv...)
	cmd.Args[0] = program
	cmd.Dir = dir
	cmd.Env = env
	cmd.SysProcAttr = newSessionAttr()

	var closers []io.Closer
	defer func() {
		for _, c := range closers {
			c.Close()
		}
	}()
	switch {
	case stdin != nil:
		cmd.Stdin = stdin
	case infile != "":
		if !filepath.IsAbs(infile) {
			infile = filepath.Join(dir, infile)
		}
		f, err := os.Open(infile)
		if err != nil {
			return CallStatus{}, &FileError{Op: "Opening process input file", Err: unwrapErrno(err), Path: infile}
		}
		closers = append(closers, f)
		cmd.Stdin = f
	}

	var out io.Writer // nil: discarded by os/exec
	if dest.File != "" && !dest.NoWait {
		f, err := os.OpenFile(dest.File, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666)
		if err != nil {
			return CallStatus{}, &FileError{Op: "Opening process output file", Err: unwrapErrno(err), Path: dest.File}
		}
		closers = append(closers, f)
		out = f
	}
	var pr *os.File
	if dest.Buffer != nil && !dest.NoWait {
		r, w, err := os.Pipe()
		if err != nil {
			return CallStatus{}, &FileError{Op: "Creating pipe", Err: err}
		}
		pr = r
		closers = append(closers, r)
		defer w.Close()
		out = w
	}
	cmd.Stdout = out
	switch {
	case dest.NoWait || dest.DiscardStderr:
	case dest.StderrFile != "":
		f, err := os.OpenFile(dest.StderrFile, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666)
		if err != nil {
			return CallStatus{}, &FileError{Op: "Opening process output file", Err: unwrapErrno(err), Path: dest.StderrFile}
		}
		closers = append(closers, f)
		cmd.Stderr = f
	default:
		cmd.Stderr = out
	}
	if err := cmd.Start(); err != nil {
		return CallStatus{}, &FileError{Op: "Doing vfork", Err: unwrapErrno(err), Path: program}
	}
	if dest.NoWait {
		go cmd.Wait() // reap it: a NoWait child must not linger as a zombie
		return CallStatus{NoWait: true}, nil
	}
	if pr != nil {
		out.(*os.File).Close() // the child has its own copy
	}

	waited := make(chan struct{})
	defer close(waited)
	child := &callChild{proc: cmd.Process}
	stop := context.AfterFunc(ctx, func() { rt.quitChild(child, waited) })
	defer stop()
	if pr != nil {
		dec := decCS.newDecoder()
		buf := make([]byte, rt.cfg.ReadProcessOutputMax)
		for {
			n, err := pr.Read(buf)
			if n > 0 {
				if s := dec.decode(buf[:n], false); s != "" {
					dest.Buffer.Insert(s)
				}
			}
			if err != nil {
				break
			}
		}
		if s := dec.decode(nil, true); s != "" {
			dest.Buffer.Insert(s)
		}
	}
	child.waitExited()
	err = cmd.Wait()
	if cmd.ProcessState == nil {
		return CallStatus{Signal: "internal error"}, err
	}
	return callStatusOf(cmd.ProcessState), ctx.Err()
}

// callChild is a call-process child, whose quit signals must not reach a
// program that reused its pid once os/exec collects it.
type callChild struct {
	proc *os.Process
	mu   sync.Mutex
	done bool // it exited, and is about to be collected
}

// waitExited blocks until the child has exited, without collecting it,
// and marks it done, so that a quit after that signals nothing. Where
// the system cannot wait without collecting (exitedNoReap is false), it
// marks nothing, and kill relies on os.Process's own knowledge.
func (c *callChild) waitExited() {
	if exitedNoReap(c.proc.Pid) {
		c.mu.Lock()
		c.done = true
		c.mu.Unlock()
	}
}

// kill sends sig to the child's process group while the child has not
// exited: the check and the kill are one step against waitExited.
func (c *callChild) kill(sig syscall.Signal) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done || processDone(c.proc) {
		return
	}
	killGroup(c.proc.Pid, sig)
}

// quitChild is C-g during call-process: SIGINT to the child's process
// group, and SIGKILL if it has not died after Config.CallProcessQuitDelay
// (a second C-g).
func (rt *Runtime) quitChild(c *callChild, waited <-chan struct{}) {
	c.kill(syscall.SIGINT)
	delay := rt.cfg.CallProcessQuitDelay
	if delay <= 0 {
		delay = 2 * time.Second
	}
	t := time.NewTimer(delay)
	go func() {
		defer t.Stop()
		select {
		case <-waited:
		case <-t.C:
			c.kill(syscall.SIGKILL)
		}
	}()
}

// CallProcess is call-process: it runs program with args synchronously,
// its standard input from infile ("" means the null device; a relative
// name is relative to the default directory), and puts its output where
// dest says. It returns how the child ended. Filters and sentinels do not
// run meanwhile. Unlike make-process, the program is always looked up and
// checked, an absolute name too: a missing one is an error wrapping
// fs.ErrNotExist ("Searching for program: No such file or directory,
// PROG").
//
// Output for a buffer is decoded with Config.CodingSystemForRead or the
// default process coding system; arguments are encoded with the encoding
// system.
func (rt *Runtime) CallProcess(program, infile string, dest Destination, args ...string) (CallStatus, error) {
	return rt.callProcess(context.Background(), callRequest{program: program, infile: infile, dest: dest, args: args})
}

// CallProcessContext is CallProcess that can be cancelled: when ctx ends,
// the child's process group gets SIGINT, then SIGKILL if it is still there
// after Config.CallProcessQuitDelay, as typing C-g twice does in Emacs. It
// returns the child's end and ctx.Err().
func (rt *Runtime) CallProcessContext(ctx context.Context, program, infile string, dest Destination, args ...string) (CallStatus, error) {
	return rt.callProcess(ctx, callRequest{program: program, infile: infile, dest: dest, args: args})
}

// CallProcessRegion is call-process-region: the text of b between start
// and end (in either order; start = end = 0 means the whole buffer) is the
// standard input of program, encoded with the encoding system. With
// deleteRegion the text is deleted before the output is inserted, so
// output sent to the same buffer replaces it.
func (rt *Runtime) CallProcessRegion(b *Buffer, start, end int, program string, deleteRegion bool, dest Destination, args ...string) (CallStatus, error) {
	if b == nil {
		return CallStatus{}, wrongType("bufferp", "nil")
	}
	if start == 0 && end == 0 {
		start, end = 1, b.PointMax()
	}
	text, err := b.Substring(start, end)
	if err != nil {
		return CallStatus{}, err
	}
	_, encCS, err := rt.resolveCoding(Coding{})
	if err != nil {
		return CallStatus{}, err
	}
	input := encCS.newEncoder().encode(text)
	if deleteRegion {
		b.DeleteRegion(start, end)
	}
	var stdin io.Reader = strings.NewReader(string(input))
	if len(input) == 0 {
		stdin = nil
	}
	return rt.callProcess(context.Background(), callRequest{program: program, stdin: stdin, dest: dest, args: args})
}

// CallProcessShellCommand is call-process-shell-command: command, with
// args appended after spaces, run by Config.ShellFileName with "-c".
func (rt *Runtime) CallProcessShellCommand(command, infile string, dest Destination, args ...string) (CallStatus, error) {
	if len(args) > 0 {
		command += " " + strings.Join(args, " ")
	}
	return rt.CallProcess(rt.shellFileName(), infile, dest, rt.cfg.ShellCommandSwitch, command)
}

// ShellCommandToString is shell-command-to-string: it runs command with
// the shell and returns its output, standard error included.
func (rt *Runtime) ShellCommandToString(command string) (string, error) {
	b := newBuffer(" *shell-command-to-string*")
	_, err := rt.CallProcess(rt.shellFileName(), "", Destination{Buffer: b}, rt.cfg.ShellCommandSwitch, command)
	return b.String(), err
}

// ProcessLines is process-lines: it runs program with args and returns its
// output (standard error included) split into lines, keeping empty lines
// and a last line without a newline. A status other than exit code 0 is
// an *ExitError ("PROG exited with status 2").
func (rt *Runtime) ProcessLines(program string, args ...string) ([]string, error) {
	lines, st, err := rt.processLines(program, args)
	if err == nil && !st.Success() {
		err = &ExitError{Program: program, Status: st}
	}
	return lines, err
}

// ProcessLinesIgnoreStatus is process-lines-ignore-status: ProcessLines
// without the status check.
func (rt *Runtime) ProcessLinesIgnoreStatus(program string, args ...string) ([]string, error) {
	lines, _, err := rt.processLines(program, args)
	return lines, err
}

func (rt *Runtime) processLines(program string, args []string) ([]string, CallStatus, error) {
	b := newBuffer(" *process-lines*")
	st, err := rt.CallProcess(program, "", Destination{Buffer: b}, args...)
	if err != nil {
		return nil, st, err
	}
	text := b.String()
	if text == "" {
		return nil, st, nil
	}
	text = strings.TrimSuffix(text, "\n")
	return strings.Split(text, "\n"), st, nil
}

// Package-level call-process functions acting on Default.
