package eproc

import "golang.org/x/sys/unix"

// ioctlSetTermios is the request that sets a terminal's modes.
const ioctlSetTermios = unix.TCSETS

// oflagOff and iflagOff are the output and input flags setupTermios
// clears beyond those every system has: case mapping and output delays.
const (
	oflagOff = unix.OLCUC | unix.NLDLY | unix.CRDLY | unix.TABDLY | unix.BSDLY | unix.VTDLY | unix.FFDLY
	iflagOff = unix.IUCLC
)

const ioctlGetTermios = unix.TCGETS

// vdisable is _POSIX_VDISABLE, the value of a disabled control character.
const vdisable = 0

// extendedControlChars are the IEXTEN control characters beyond POSIX's
// that this system has.
var extendedControlChars []int

// ptyMaxLine is the longest line a canonical-mode pty keeps: Linux's
// N_TTY_BUF_SIZE (4096) less one place for the line's end. Emacs 28.2
// delivered 4095 bytes and the newline of a 5000-byte line.
const ptyMaxLine = 4095
