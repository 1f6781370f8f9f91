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
	t.Cc[unix.VERASE] = 0xff // _POSIX_VDISABLE
	t.Cc[unix.VKILL] = 0xff
	t.Cc[unix.VEOF] = 'D' & 0x1f
	return unix.IoctlSetTermios(fd, unix.TIOCSETA, t)
}

const ioctlGetTermios = unix.TIOCGETA
