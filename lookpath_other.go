//go:build !unix && !windows

package eproc

import (
	"syscall"
)

// accessExec checks that path may be executed: on systems without
// access(2) (Plan 9, WebAssembly), that it exists and has an execute
// permission bit set.
func accessExec(path string) error {
	fi, err := statProgram(path)
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o111 == 0 {
		return syscall.EACCES
	}
	return nil
}
