package eproc

import (
	"syscall"
)

// accessExec checks that path may be executed, as Emacs's Windows port
// does: the file must exist, and be a directory or have a name ending in
// .exe, .com, .bat or .cmd; a file that exists with another name gives
// syscall.EACCES.
func accessExec(path string) error {
	fi, err := statProgram(path)
	if err != nil {
		return err
	}
	if fi.IsDir() || windowsExecutableName(path) {
		return nil
	}
	return syscall.EACCES
}
