package eproc

import (
	"os"
	"syscall"

	"golang.org/x/sys/windows"
)

// newSessionAttr puts a call-process child in a process group of its own,
// so that a quit (Ctrl-Break) reaches it; see killGroup. Without a console
// of our own, the child gets none either, so no window flashes up.
func newSessionAttr() *syscall.SysProcAttr {
	flags := uint32(windows.CREATE_NEW_PROCESS_GROUP)
	if !hasConsole() {
		flags |= windows.CREATE_NO_WINDOW
	}
	return &syscall.SysProcAttr{CreationFlags: flags}
}

// callStatusOf is call-process's value for a child that ended, as Emacs
// on Windows gives it: the exit code, or "Interrupt" for a child ended by
// Ctrl-C or Ctrl-Break (see exitStatus).
func callStatusOf(ps *os.ProcessState) CallStatus {
	code := uint32(ps.ExitCode())
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok {
		code = ws.ExitCode
	}
	if st := exitStatus(code); st.kind == rawSignal {
		return CallStatus{Signal: signalDescription(syscall.Signal(st.code))}
	}
	return CallStatus{Code: int(code)}
}

// processDone reports false: the quit's signals go through the process
// handle here.
func processDone(p *os.Process) bool { return false }
