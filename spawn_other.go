//go:build !unix

package eproc

import (
	"errors"
	"syscall"
)

// On systems that are not Unix (Windows), eproc cannot make processes yet:
// the functions below report errors.ErrUnsupported. Windows has no ptys, so
// when processes come there they will use pipes, as the manual says.

const ptySupported = false

var errAgain = errors.New("resource temporarily unavailable")

var moreSignalNumbers = map[string]syscall.Signal{}

type spawnRequest struct {
	path   string
	argv   []string
	env    []string
	dir    string
	ptyIn  bool
	ptyOut bool
	stderr int
}

type spawnResult struct {
	pid         int
	infd, outfd int
	ttyName     string
	ptySlave    int
	failed      bool
	status      rawStatus
}

type execError struct {
	path string
	err  error
}

func (e *execError) Error() string { return e.path + ": " + errorReason(e.err) }

func spawn(r spawnRequest) (spawnResult, error) {
	return spawnResult{}, errors.ErrUnsupported
}

func failedExec(e *execError) (spawnResult, error) { return spawnResult{}, errors.ErrUnsupported }

func pipeCloexec(p []int) error                              { return errors.ErrUnsupported }
func readFD(fd int, buf []byte) (int, error)                 { return 0, errors.ErrUnsupported }
func writeFD(fd int, b []byte) (int, error)                  { return 0, errors.ErrUnsupported }
func closeFD(fd int)                                         {}
func setNonblock(fd int)                                     {}
func killGroup(pid int, sig syscall.Signal) error            { return errors.ErrUnsupported }
func killPid(pid int, sig syscall.Signal) error              { return errors.ErrUnsupported }
func registerRuntime(rt *Runtime)                            {}
func unregisterRuntime(rt *Runtime)                          {}
func (rt *Runtime) reapPid(pid int)                          {}
func (rt *Runtime) reapAll()                                 {}
func (rt *Runtime) reapLocked(pid int)                       {}
func (p *Process) hangupForKilledBuffer()                    {}
func (p *Process) signalForeground(sig syscall.Signal) error { return errors.ErrUnsupported }

// No ptys: these are never reached, since ptySupported is false.

const ptyMaxLine = 4095

func setWindowSize(master, rows, cols int) error                   { return errors.ErrUnsupported }
func foregroundGroup(master int) (int, error)                      { return 0, errors.ErrUnsupported }
func readLineMode(master int, m *ptyLineMode) error                { return errors.ErrUnsupported }
func signalChar(master int, sig syscall.Signal) (byte, bool, bool) { return 0, false, false }

// Job-control signals, which this system does not have.
const (
	sigSTOP = syscall.Signal(19)
	sigTSTP = syscall.Signal(20)
	sigCONT = syscall.Signal(18)
)

func newSessionAttr() *syscall.SysProcAttr { return nil }
