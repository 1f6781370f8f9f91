//go:build linux && !ppc && !ppc64 && !ppc64le

package eproc

import "golang.org/x/sys/unix"

// termios2 carries the speeds as numbers, so any speed can be set.
const (
	ioctlGetSerial = unix.TCGETS2
	ioctlSetSerial = unix.TCSETS2
)
