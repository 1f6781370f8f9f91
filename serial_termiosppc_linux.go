//go:build linux && (ppc || ppc64 || ppc64le)

package eproc

import "golang.org/x/sys/unix"

// On powerpc the plain termios carries the speeds as numbers (there is no
// termios2).
const (
	ioctlGetSerial = unix.TCGETS
	ioctlSetSerial = unix.TCSETS
)
