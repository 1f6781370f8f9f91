package eproc

import (
	"errors"
	"io/fs"
	"runtime"
	"strings"
)

// Starting children: what every system's spawn takes and returns. The
// per-system spawn is in spawn_unix.go, spawn_windows.go and
// spawn_other.go.

// spawnRequest describes a child to start.
type spawnRequest struct {
	path          string   // the program's file; "" opens a pty with no program
	argv          []string // argv[0] is the program as named
	env           []string
	dir           string
	ptyIn, ptyOut bool // which of the child's standard input and output go through a pty
	stderr        int  // -1: as stdout; -2: the null device; else a descriptor
	pidfd         bool // return a descriptor that is readable once the child exits, where the system can (pidfd_linux.go)
}

// spawnResult is a started child: our ends of its input and output.
type spawnResult struct {
	pid         int
	infd, outfd int // the same descriptor, the pty's master, when both sides use the pty
	ttyName     string
	ptySlave    int  // a pty with no program keeps its slave open; else -1
	pidfd       int  // readable once the child exits; -1 when not asked for or not made
	failed      bool // the program could not be run: status says how it ended
	status      rawStatus
}

// execError is a failure to run the program itself (not to set up the
// child): Emacs makes the process anyway, and it exits with 127 or 126.
type execError struct {
	path string
	err  error
}

func (e *execError) Error() string { return e.path + ": " + errorReason(e.err) }
func (e *execError) Unwrap() error { return e.err }

// failedExec makes the stand-in for a child whose program could not be
// run: its output holds the complaint a forked Emacs would print, and its
// status is exit 127 (126 when the file exists but cannot be executed).
func failedExec(e *execError) (spawnResult, error) {
	var p [2]int
	if err := pipeCloexec(p[:]); err != nil {
		return spawnResult{}, &FileError{Op: "Creating pipe", Err: err}
	}
	msg := "eproc: " + e.path + ": " + errorReason(e.err) + "\n"
	writeFD(p[1], []byte(msg)) // far below a pipe's capacity: it does not block
	closeFD(p[1])
	setNonblock(p[0])
	code := 126
	if errors.Is(e.err, fs.ErrNotExist) {
		code = 127
	}
	return spawnResult{infd: p[0], outfd: -1, ptySlave: -1, pidfd: -1, failed: true, status: rawStatus{kind: rawExit, code: code}}, nil
}

// envKey is the form in which process-environment entries' names are
// compared: the name itself, or on Windows, where names are
// case-insensitive ("Path" is "PATH"), its upper-case form, as Emacs on
// Windows compares them.
func envKey(name string) string {
	if runtime.GOOS == "windows" {
		return strings.ToUpper(name)
	}
	return name
}

// encodeArg encodes a command-line argument with the process's encoding
// system. On Windows command lines are Unicode text (CreateProcess takes
// UTF-16), so arguments go as the text they are and the encoding system
// does not apply to them (Emacs 28 on Windows encodes them and hands the
// bytes to the ANSI CreateProcessA, which garbles what the code page
// lacks).
//
// As Emacs encodes only multibyte strings, an argument of ASCII text alone
// is passed as it is: with Coding utf-16le, "a" stays "a".
func encodeArg(enc encoder, arg string) string {
	if runtime.GOOS == "windows" || isASCII(arg) {
		return arg
	}
	return string(enc.encode(arg))
}

// isASCII reports whether s holds ASCII characters only.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
