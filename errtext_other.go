//go:build !windows

package eproc

import "syscall"

// errnoText: on this system an errno's own text is Emacs's.
func errnoText(errno syscall.Errno) (string, bool) { return "", false }
