package eproc

import (
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"syscall"
)

// glibcSignalText holds strsignal's texts on GNU/Linux, which Emacs uses
// for sentinel events (first letter downcased) and call-process results.
var glibcSignalText = map[int]string{
	1: "Hangup", 2: "Interrupt", 3: "Quit", 4: "Illegal instruction",
	5: "Trace/breakpoint trap", 6: "Aborted", 7: "Bus error",
	8: "Floating point exception", 9: "Killed", 10: "User defined signal 1",
	11: "Segmentation fault", 12: "User defined signal 2", 13: "Broken pipe",
	14: "Alarm clock", 15: "Terminated", 16: "Stack fault", 17: "Child exited",
	18: "Continued", 19: "Stopped (signal)", 20: "Stopped", 21: "Stopped (tty input)",
	22: "Stopped (tty output)", 23: "Urgent I/O condition", 24: "CPU time limit exceeded",
	25: "File size limit exceeded", 26: "Virtual timer expired",
	27: "Profiling timer expired", 28: "Window changed", 29: "I/O possible",
	30: "Power failure", 31: "Bad system call",
}

// signalDescription is strsignal(sig): on Linux glibc's text ("Killed",
// "Real-time signal 1"), elsewhere the system's text as Go knows it, with
// a capital first letter.
func signalDescription(sig syscall.Signal) string {
	n := int(sig)
	if runtime.GOOS == "linux" {
		if s, ok := glibcSignalText[n]; ok {
			return s
		}
		if n >= 34 && n <= 64 {
			return "Real-time signal " + strconv.Itoa(n-34)
		}
		return "Unknown signal " + strconv.Itoa(n)
	}
	s := sig.String()
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		s = string(s[0]-'a'+'A') + s[1:]
	}
	return s
}

// signalNumbers maps Emacs's signal names (without "SIG", lower case) to
// numbers on this system.
var signalNumbers = map[string]syscall.Signal{
	"hup": syscall.SIGHUP, "int": syscall.SIGINT, "quit": syscall.SIGQUIT,
	"ill": syscall.SIGILL, "trap": syscall.SIGTRAP, "abrt": syscall.SIGABRT,
	"fpe": syscall.SIGFPE, "kill": syscall.SIGKILL, "bus": syscall.SIGBUS,
	"segv": syscall.SIGSEGV, "pipe": syscall.SIGPIPE, "alrm": syscall.SIGALRM,
	"term": syscall.SIGTERM,
}

// SignalByName is ParseSignal for a name: "SIGTERM", "term", "sigterm",
// "usr1", without regard to case.
func SignalByName(name string) (syscall.Signal, error) { return ParseSignal(name) }

// ParseSignal turns a signal given as Emacs's signal-process takes it into a
// signal: a syscall.Signal, an int, or a name matched without regard to
// case with or without "SIG" ("SIGTERM", "term", "sigterm", "usr1"). An
// unknown name is Emacs's error "Undefined signal name NAME".
func ParseSignal(sig any) (syscall.Signal, error) {
	switch s := sig.(type) {
	case syscall.Signal:
		return s, nil
	case int:
		return syscall.Signal(s), nil
	case string:
		name := strings.ToLower(s)
		name = strings.TrimPrefix(name, "sig")
		if n, err := strconv.Atoi(name); err == nil && name != "" {
			return syscall.Signal(n), nil
		}
		if n, ok := signalNumbers[name]; ok {
			return n, nil
		}
		if n, ok := moreSignalNumbers[name]; ok {
			return n, nil
		}
		return 0, fmt.Errorf("Undefined signal name %s", s)
	}
	return 0, wrongType("integerp", sig)
}

// signalTarget checks that p is a child that is still there to signal.
func (p *Process) signalTarget() error {
	if p == nil {
		return ErrNilProcess
	}
	if p.kind != kindReal {
		return fmt.Errorf("Process %s is not a subprocess: %w", p.name, ErrNotSubprocess)
	}
	p.rt.mu.Lock()
	defer p.rt.mu.Unlock()
	if p.deleted || p.status.dead() || p.pid <= 0 && p.ttyName == "" {
		return p.notActive()
	}
	return nil
}

func (p *Process) notActive() error {
	return fmt.Errorf("Process %s is not active: %w", p.name, ErrNotActive)
}

// beforeKill, when set (by tests), runs between signalChild's check that
// the child is still there and the kill, with the target (a pid, or a
// process group as its negative).
var beforeKill func(target int)

// signalChild sends sig to p's child: to its process group (every child
// leads its own) when group is set, else to its pid alone. It refuses with
// ErrNotActive once the child has died or was deleted. The reaper's lock
// is held from that check to the kill, so the pid cannot be collected, and
// reused by the system, in between: a signal never reaches another
// program.
func (rt *Runtime) signalChild(p *Process, sig syscall.Signal, group bool) error {
	rt.loop.reapMu.Lock()
	defer rt.loop.reapMu.Unlock()
	rt.mu.Lock()
	gone := p.pid <= 0 || p.deleted || p.status.dead()
	rt.mu.Unlock()
	if gone {
		return p.notActive()
	}
	return rt.killLocked(p.pid, sig, group)
}

// killLocked sends sig to pid (with group, to its process group, falling
// back to pid alone). rt.loop.reapMu must be held.
func (rt *Runtime) killLocked(pid int, sig syscall.Signal, group bool) error {
	if beforeKill != nil {
		target := pid
		if group {
			target = -pid
		}
		beforeKill(target)
	}
	if group {
		return killGroup(pid, sig)
	}
	return killPid(pid, sig)
}

// killDeleted is delete-process's kill: SIGKILL to the child's process
// group and status "signal" 9, unless the child already died (its exit,
// noticed now if it was not yet, keeps its real status). p is deleted.
func (rt *Runtime) killDeleted(p *Process) {
	rt.loop.reapMu.Lock()
	defer rt.loop.reapMu.Unlock()
	rt.reapLocked(p.pid)
	rt.mu.Lock()
	dead := p.status.dead()
	rt.mu.Unlock()
	if dead {
		return
	}
	rt.killLocked(p.pid, syscall.SIGKILL, true)
	rt.mu.Lock()
	rt.setStatusLocked(p, rawStatus{kind: rawSignal, code: int(syscall.SIGKILL)})
	rt.mu.Unlock()
}

// sendSignal delivers sig to p's process group, or with currentGroup on a
// pty as the terminal would (see signalTerminal).
func (p *Process) sendSignal(sig syscall.Signal, currentGroup bool) error {
	if err := p.signalTarget(); err != nil {
		return err
	}
	if p.remote != nil {
		return p.remote.signal(p, sig, currentGroup) // remote.go
	}
	if currentGroup && p.ttyName != "" {
		if done, err := p.signalTerminal(sig); done {
			return err
		}
	}
	if p.pid <= 0 {
		return p.signalForeground(sig)
	}
	if err := p.rt.signalChild(p, sig, true); err != nil {
		if errors.Is(err, ErrNotActive) {
			return err
		}
		return fmt.Errorf("Process %s: %w", p.name, err)
	}
	return nil
}

// signalTerminal delivers sig to the foreground process group of p's
// terminal: a job-control shell's current job, or the child itself. When
// the program on the terminal has turned signal characters off (stty
// -isig, as full-screen programs and line editors do) and sig has a
// character (SIGINT ^C, SIGQUIT ^\, SIGTSTP ^Z), the character is sent as
// input instead, after any input already queued, for the program to act on
// as it would on the key, as Emacs does. done is false when the terminal
// has no foreground group, and the caller falls back to the child's group.
//
// Emacs also writes the character when signal characters are on, letting
// the terminal raise the signal; eproc signals the group directly, which
// works even when the program does not read its input, but does not
// discard unread input and output as the terminal does on ^C.
func (p *Process) signalTerminal(sig syscall.Signal) (done bool, err error) {
	rt := p.rt
	rt.mu.Lock()
	if p.ptyIn && p.out.open() && p.writeErr == nil {
		if ch, isig, ok := signalChar(p.out.fd, sig); ok && !isig {
			_, err := p.enqueueLocked([]byte{ch})
			rt.mu.Unlock()
			return true, err
		}
	}
	rt.mu.Unlock()
	return p.signalForeground(sig) == nil, nil
}

// Interrupt sends SIGINT (interrupt-process). With currentGroup false it
// goes to the child's process group (the child leads its own, in its own
// session, as under Emacs). With currentGroup on a pty it goes to the
// terminal's foreground process group, as typing C-c would: the current
// job of a job-control shell, leaving the shell running (see
// signalTerminal for a program that reads ^C itself).
func (p *Process) Interrupt(currentGroup bool) error {
	return p.sendSignal(syscall.SIGINT, currentGroup)
}

// Kill sends SIGKILL (kill-process), to the child's process group or with
// currentGroup on a pty to the terminal's foreground process group.
func (p *Process) Kill(currentGroup bool) error {
	return p.sendSignal(syscall.SIGKILL, currentGroup)
}

// Quit sends SIGQUIT (quit-process), as Interrupt sends SIGINT: with
// currentGroup on a pty as typing C-\ would.
func (p *Process) Quit(currentGroup bool) error {
	return p.sendSignal(syscall.SIGQUIT, currentGroup)
}

// Signal sends sig to the child's process group, as the functions above
// do.
func (p *Process) Signal(sig syscall.Signal) error {
	return p.sendSignal(sig, false)
}

// Stop is stop-process. A child's process group gets SIGTSTP, as from
// Emacs, when the child has a handler for it (so a TSTP trap runs, and the
// child stops when its trap stops it). Otherwise the group gets SIGSTOP
// and the child really stops: SIGTSTP would do nothing to a child that
// ignores it (an interactive shell) or leaves it at its default action,
// which the kernel discards for the orphaned group of a child in its own
// session; under Emacs 28 such children never stop. (Linux and macOS
// read the child's handlers from the kernel; other systems always send
// SIGSTOP.) Once the
// child stops, its status becomes "stop" and its sentinel gets "stopped
// (signal)\n". With currentGroup on a pty the terminal's foreground group
// gets SIGTSTP, as typing C-z would. A pipe process stops reading: output
// waits in the kernel until Continue, and its status is "stop".
func (p *Process) Stop(currentGroup bool) error {
	if p == nil {
		return ErrNilProcess
	}
	if p.kind != kindReal {
		p.setReading(false)
		return nil
	}
	if currentGroup && p.ttyName != "" {
		return p.sendSignal(sigTSTP, true)
	}
	if p.pid > 0 && p.remote == nil && tstpCaught(p.pid) {
		return p.sendSignal(sigTSTP, false)
	}
	return p.sendSignal(sigSTOP, false)
}

// Continue is continue-process: SIGCONT to the child's process group (or
// with currentGroup on a pty, the foreground group). The status becomes
// "run" at once and the sentinel runs before Continue returns, with "run";
// the kernel's later report of the continuation gives no second call. A
// pipe process resumes reading; a stopped serial process first discards
// the input that arrived while it was stopped (tcflush), as Emacs does.
func (p *Process) Continue(currentGroup bool) error {
	if p == nil {
		return ErrNilProcess
	}
	if p.kind != kindReal {
		p.setReading(true)
		return nil
	}
	if err := p.sendSignal(sigCONT, currentGroup); err != nil {
		return err
	}
	rt := p.rt
	d := &rt.loop.dispatch
	d.lock()
	defer d.unlock()
	rt.mu.Lock()
	if !p.status.dead() {
		rt.setStatusLocked(p, rawStatus{kind: rawRun})
	}
	rt.mu.Unlock()
	rt.runSentinel(p)
	return nil
}

// setReading stops or resumes reading a pipe (or network) process.
func (p *Process) setReading(on bool) {
	rt := p.rt
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if on && p.stopped && p.kind == kindSerial && p.in.open() {
		flushSerialInput(p.in.fd) // serial_unix.go: continue-process discards pending input
	}
	p.stopped = !on
	if on {
		rt.armLocked(p)
	}
}

// SignalPID is SignalProcess with Go types: sig to the process pid alone.
// When pid is a child of this Runtime, the check that it has not been
// reaped and the kill are one step, as for a *Process.
func (rt *Runtime) SignalPID(pid int, sig syscall.Signal) error {
	rt.mu.Lock()
	p := rt.loop.children[pid]
	rt.mu.Unlock()
	if p != nil {
		return rt.SignalProcess(p, sig)
	}
	return rt.SignalProcess(pid, sig)
}

// SignalProcess is signal-process: it sends a signal to a process given as
// a *Process, a process name, or a pid (an int, or a string of digits),
// and to that pid only, not its group. The signal is a syscall.Signal, an
// int, or a name as ParseSignal takes it. A *Process that eproc has reaped
// or deleted is refused with "Process NAME is not active" (Emacs 28 would
// signal a stale, maybe reused pid); a pipe process is refused with
// "Cannot signal process NAME". A pid that is a child of this Runtime not
// yet collected is signalled under the same check as its *Process.
func (rt *Runtime) SignalProcess(process any, signal any) error {
	sig, err := ParseSignal(signal)
	if err != nil {
		return err
	}
	var pid int
	switch v := process.(type) {
	case *Process:
		if v == nil {
			return ErrNilProcess
		}
		if v.kind != kindReal {
			return fmt.Errorf("Cannot signal process %s", v.name)
		}
		if err := v.signalTarget(); err != nil {
			return err
		}
		if v.remote != nil {
			return v.remote.signalPid(v, sig) // remote.go: the remote program's pid
		}
		if v.pid > 0 {
			if err := rt.signalChild(v, sig, false); err != nil {
				if errors.Is(err, ErrNotActive) {
					return err
				}
				return fmt.Errorf("signal-process %d: %w", v.pid, err)
			}
			return nil
		}
		pid = v.pid
	case int:
		pid = v
	case string:
		if p := rt.GetProcess(v); p != nil {
			return rt.SignalProcess(p, sig)
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("Process %s does not exist", v)
		}
		pid = n
	default:
		return wrongType("processp", process)
	}
	if pid <= 0 {
		return errors.New("Cannot signal a process with no pid")
	}
	if err := rt.killPidChecked(pid, sig); err != nil {
		return fmt.Errorf("signal-process %d: %w", pid, err)
	}
	return nil
}

// killPidChecked sends sig to pid alone. While pid is a child of this
// Runtime that the reaper has not collected, the check and the kill are
// one step under the reaper's lock, so the signal cannot reach a program
// that reused the pid; any other pid is signalled as it is, as Emacs does.
func (rt *Runtime) killPidChecked(pid int, sig syscall.Signal) error {
	rt.loop.reapMu.Lock()
	defer rt.loop.reapMu.Unlock()
	rt.mu.Lock()
	_, mine := rt.loop.children[pid]
	rt.mu.Unlock()
	if mine {
		return rt.killLocked(pid, sig, false)
	}
	return killPid(pid, sig)
}

// hangupForKilledBuffer sends SIGHUP to the child's process group, as
// kill-buffer does; the status change comes later from the reaper.
func (p *Process) hangupForKilledBuffer() {
	if p.pid > 0 {
		if p.remote != nil && p.Live() && p.remote.kill(p, syscall.SIGHUP) == nil {
			return // remote.go: the remote program got it; its ssh ends with it
		}
		p.rt.signalChild(p, syscall.SIGHUP, true)
	}
}
