package eproc

import (
	"errors"
	"fmt"
	"syscall"

	"golang.org/x/sys/windows"
)

// Signals on Windows, as Emacs's w32 port emulates them (w32proc.c's
// sys_kill):
//
//   - SIGINT and SIGQUIT become a Ctrl-Break event for the child's process
//     group (every child leads one: CREATE_NEW_PROCESS_GROUP). It reaches
//     the child only when the child shares eproc's console; a program
//     with no console of its own (a service, a GUI program) cannot send
//     it, and the call returns an error wrapping errors.ErrUnsupported. A
//     console program that does not handle Ctrl-Break ends with
//     STATUS_CONTROL_C_EXIT, which eproc reports as death by SIGINT
//     ("interrupt\n"), as Emacs does.
//   - SIGKILL and SIGHUP terminate the child (TerminateProcess) with exit
//     code 255: its sentinel gets "exited abnormally with code 255\n", as
//     under Emacs. Only the child ends; its own children do not.
//   - Signal 0 checks that the process exists.
//   - Every other signal (SIGTERM, SIGSTOP, SIGCONT, ...) has no Windows
//     equivalent: an error wrapping errors.ErrUnsupported. So Stop and
//     Continue of a child are unsupported; those of a pipe or network
//     process work, since they only stop reading.

// moreSignalNumbers holds the signal names that not every system has:
// none here.
var moreSignalNumbers = map[string]syscall.Signal{}

// The job-control signals, which Windows does not have; their Linux
// numbers, so that they have names and every use fails.
const (
	sigSTOP = syscall.Signal(19)
	sigTSTP = syscall.Signal(20)
	sigCONT = syscall.Signal(18)
	sigINT  = syscall.SIGINT
)

// terminatedCode is the exit code TerminateProcess gives, as Emacs's.
const terminatedCode = 255

// errNoSignal is the error for a signal Windows cannot deliver.
func errNoSignal(sig syscall.Signal) error {
	return fmt.Errorf("signal %d has no equivalent on Windows: %w", int(sig), errors.ErrUnsupported)
}

// killGroup sends sig to the child pid (and for SIGINT and SIGQUIT, the
// process group it leads) as described above.
func killGroup(pid int, sig syscall.Signal) error {
	switch sig {
	case syscall.SIGINT, syscall.SIGQUIT:
		if err := windows.GenerateConsoleCtrlEvent(windows.CTRL_BREAK_EVENT, uint32(pid)); err != nil {
			return fmt.Errorf("Ctrl-Break to process group %d: %v: %w", pid, err, errors.ErrUnsupported)
		}
		return nil
	case syscall.SIGKILL, syscall.SIGHUP, 0:
	default:
		return errNoSignal(sig)
	}
	h := childHandle(pid)
	if h == 0 {
		access := uint32(windows.PROCESS_QUERY_LIMITED_INFORMATION)
		if sig != 0 {
			access = windows.PROCESS_TERMINATE
		}
		var err error
		if h, err = windows.OpenProcess(access, false, uint32(pid)); err != nil {
			return err
		}
		defer windows.CloseHandle(h)
	}
	if sig == 0 {
		return nil
	}
	return windows.TerminateProcess(h, terminatedCode)
}

// killPid is signal-process for a pid.
func killPid(pid int, sig syscall.Signal) error {
	if err := killGroup(pid, sig); err != nil {
		return fmt.Errorf("signal-process %d: %w", pid, err)
	}
	return nil
}

// signalForeground is never reached on Windows, which has no ptys.
func (p *Process) signalForeground(sig syscall.Signal) error {
	return fmt.Errorf("Process %s has no terminal: %w", p.name, errors.ErrUnsupported)
}

// killGroupOnly has no Windows form: a process group there is a console
// group, which only Ctrl-Break reaches (ProcessArgs.KillGroup is Unix
// only).
func killGroupOnly(pgid int, sig syscall.Signal) error { return errors.ErrUnsupported }
