//go:build unix && !aix

package eproc

import "golang.org/x/sys/unix"

// accessExec checks that path may be executed by the effective user, as
// Emacs does with faccessat(AT_EACCESS). A directory passes when it may be
// searched; the caller tells it apart.
func accessExec(path string) error {
	return unix.Faccessat(unix.AT_FDCWD, path, unix.X_OK, unix.AT_EACCESS)
}
