package eproc

import (
	"errors"
	"fmt"
	"syscall"
)

// Errors returned by eproc. Test for them with errors.Is.
var (
	// ErrNotRunning is wrapped by the errors of SendString, SendRegion and
	// SendEOF when the process is not running: "Process NAME not running".
	ErrNotRunning = errors.New("process not running")

	// ErrNotActive is wrapped by the errors of the signal functions when the
	// child has exited or was deleted: "Process NAME is not active".
	ErrNotActive = errors.New("process is not active")

	// ErrNotSubprocess is wrapped by the errors of Interrupt, Kill, Quit and
	// RunningChildP on a pipe, network or serial process:
	// "Process NAME is not a subprocess".
	ErrNotSubprocess = errors.New("not a subprocess")

	// ErrNilProcess is returned by methods called on a nil *Process (as
	// from GetProcess of a missing name) that act rather than answer, and
	// by every error-returning method of a nil *TQ, *Reader or *Expecter
	// (what a nil process's TQCreate, Reader and Expecter give).
	ErrNilProcess = errors.New("wrong-type-argument: processp, nil")

	// ErrNilBuffer is returned by the methods of a nil *Buffer that return
	// an error: Kill, DeleteRegion and Substring. Its other methods answer
	// as for an empty buffer, or do nothing.
	ErrNilBuffer = errors.New("wrong-type-argument: bufferp, nil")

	// ErrClosed is returned by functions of a Runtime after Close.
	ErrClosed = errors.New("eproc: runtime closed")

	// ErrProgramIsDirectory is returned by MakeProcess when the program is
	// a directory: "Specified program for new process is a directory".
	ErrProgramIsDirectory = errors.New("Specified program for new process is a directory")

	// ErrNoProgram is returned by MakeProcess (and StartProcess) when no
	// program is given and the connection is not a pty: only a pty can be
	// opened without a program. Emacs 28 makes a process there that can
	// neither read nor write ("Output file descriptor of NAME is closed").
	ErrNoProgram = errors.New("No program given: a process with no program needs a pty connection")
)

// FileError is Emacs's file-error family: an operation on a file failed.
// Its text is Emacs's, "OP: REASON, FILE", for example
// "Searching for program: No such file or directory, nosuchprog".
// It unwraps to the operating-system error, so
// errors.Is(err, fs.ErrNotExist) reports a missing file.
type FileError struct {
	Op   string // what eproc was doing: "Searching for program", "Setting current directory", ...
	Path string // the file concerned; may be empty
	Err  error  // the underlying error, usually a syscall.Errno
}

// Error returns Emacs's message, "OP: REASON, FILE".
func (e *FileError) Error() string {
	reason := errorReason(e.Err)
	if e.Path == "" && e.Op != searchOp { // a search always names its program, even ""
		return e.Op + ": " + reason
	}
	return e.Op + ": " + reason + ", " + e.Path
}

// Unwrap returns the underlying error.
func (e *FileError) Unwrap() error { return e.Err }

// errorReason is an error's text as Emacs prints an errno: capitalised, as
// strerror gives it ("No such file or directory").
func errorReason(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		if s, ok := errnoText(errno); ok {
			return s
		}
		s := errno.Error()
		if s != "" && s[0] >= 'a' && s[0] <= 'z' {
			s = string(s[0]-'a'+'A') + s[1:]
		}
		return s
	}
	if err == nil {
		return "unknown error"
	}
	return err.Error()
}

// ArgsOutOfRangeError is Emacs's args-out-of-range: a buffer position or
// region outside the buffer. Its text is Emacs's,
// "Args out of range: #<buffer foo>, 1, 100".
type ArgsOutOfRangeError struct {
	Buffer     string // the buffer's name
	Start, End int
}

// Error returns Emacs's message, "Args out of range: #<buffer NAME>, START, END".
func (e *ArgsOutOfRangeError) Error() string {
	return fmt.Sprintf("Args out of range: #<buffer %s>, %d, %d", e.Buffer, e.Start, e.End)
}
