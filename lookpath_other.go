//go:build !unix && !windows

package eproc

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// accessExec checks that path may be executed: on systems without
// access(2) (Plan 9, WebAssembly), that it exists and has an execute
// permission bit set.
func accessExec(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return syscall.ENOENT
		}
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return pe.Err
		}
		return err
	}
	if fi.Mode().Perm()&0o111 == 0 {
		return syscall.EACCES
	}
	return nil
}
