//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package eproc

import "golang.org/x/sys/unix"

// ioctlSetTermios is the request that sets a terminal's modes.
const ioctlSetTermios = unix.TIOCSETA

// oflagOff and iflagOff are the output and input flags setupTermios
// clears beyond those every system has: none (the BSDs lack Linux's case
// mapping and output delays, which are off there anyway).
const (
	oflagOff = 0
	iflagOff = 0
)

const ioctlGetTermios = unix.TIOCGETA

// vdisable is _POSIX_VDISABLE, the value of a disabled control character.
const vdisable = 0xff

// extendedControlChars are the IEXTEN control characters beyond POSIX's
// that this system has: status (^T) and delayed suspend (^Y).
var extendedControlChars = []int{unix.VSTATUS, unix.VDSUSP}

// ptyMaxLine is the longest line a canonical-mode pty is sure to keep, less
// one place for the line's end: MAX_CANON (255). The terminals of these
// systems keep more (macOS 1024 bytes, the others more still), so this is
// safe everywhere, at the cost of more pieces (see chunkPTYInput).
const ptyMaxLine = 254
