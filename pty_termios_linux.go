package eproc

import "golang.org/x/sys/unix"

// setupTermios sets the terminal modes Emacs gives a subprocess's pty
// (child_setup_tty; stty -a under Emacs 28.2 and under eproc print the same
// flags and characters): output processing on but no NL -> CRNL and no
// delays, no echo, signals and canonical input on, no case mapping or
// stripping, 8-bit characters, erase and kill characters disabled, EOF ^D,
// and interrupt and quit ^C and ^\ if they were disabled. Everything else
// keeps the kernel's defaults (echoe echok echoctl echoke iexten ixon, the
// other control characters).
func setupTermios(fd int) error {
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return err
	}
	t.Oflag |= unix.OPOST
	t.Oflag &^= unix.ONLCR | unix.OLCUC | unix.NLDLY | unix.CRDLY | unix.TABDLY | unix.BSDLY | unix.VTDLY | unix.FFDLY
	t.Lflag &^= unix.ECHO
	t.Lflag |= unix.ISIG | unix.ICANON
	t.Iflag &^= unix.ISTRIP | unix.IUCLC
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
	return unix.IoctlSetTermios(fd, unix.TCSETS, t)
}

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
