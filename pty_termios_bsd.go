//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package eproc

import "golang.org/x/sys/unix"

// setupTermios sets the terminal modes Emacs gives a subprocess's pty; see
// pty_termios_linux.go. The BSDs lack some of Linux's flags (case mapping,
// output delays), which are off there anyway.
func setupTermios(fd int) error {
	t, err := unix.IoctlGetTermios(fd, unix.TIOCGETA)
	if err != nil {
		return err
	}
	t.Oflag |= unix.OPOST
	t.Oflag &^= unix.ONLCR
	t.Lflag &^= unix.ECHO
	t.Lflag |= unix.ISIG | unix.ICANON
	t.Iflag &^= unix.ISTRIP
	t.Iflag |= unix.ICRNL
	t.Cflag = t.Cflag&^unix.CSIZE | unix.CS8
	t.Cc[unix.VERASE] = vdisable
	t.Cc[unix.VKILL] = vdisable
	t.Cc[unix.VEOF] = 'D' & 0x1f
	if t.Cc[unix.VINTR] == vdisable {
		t.Cc[unix.VINTR] = 'C' & 0x1f
	}
	if t.Cc[unix.VQUIT] == vdisable {
		t.Cc[unix.VQUIT] = '\\' & 0x1f
	}
	return unix.IoctlSetTermios(fd, unix.TIOCSETA, t)
}

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
