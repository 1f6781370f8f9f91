//go:build !unix

package eproc

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// statProgram is os.Stat for the per-system accessExec checks, with the
// error reduced to the errno Emacs reports (ENOENT for a missing file on
// every system).
func statProgram(path string) (fs.FileInfo, error) {
	fi, err := os.Stat(path)
	if err == nil {
		return fi, nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, syscall.ENOENT
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return nil, pe.Err
	}
	return nil, err
}
