package eproc

import "golang.org/x/sys/unix"

// accessExec checks that path may be executed. golang.org/x/sys/unix has
// no AT_EACCESS for AIX, so this checks for the real user (access(2)),
// which differs from Emacs's check only in set-user-ID programs.
func accessExec(path string) error {
	return unix.Access(path, unix.X_OK)
}
