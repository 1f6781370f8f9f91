//go:build unix

package eproc

import "golang.org/x/sys/unix"

// setupTermios sets the terminal modes Emacs gives a subprocess's pty
// (child_setup_tty; stty -a under Emacs 28.2 and under eproc print the same
// flags and characters): output processing on but no NL -> CRNL and no
// delays, no echo, signals and canonical input on, no case mapping or
// stripping, 8-bit characters, erase and kill characters disabled, EOF ^D,
// and interrupt and quit ^C and ^\ if they were disabled. Everything else
// keeps the kernel's defaults (echoe echok echoctl echoke iexten ixon, the
// other control characters). The per-system files give the ioctls and the
// flags the system has (pty_termios_linux.go, pty_termios_bsd.go).
func setupTermios(fd int) error {
	t, err := unix.IoctlGetTermios(fd, ioctlGetTermios)
	if err != nil {
		return err
	}
	t.Oflag |= unix.OPOST
	t.Oflag &^= unix.ONLCR | oflagOff
	t.Lflag &^= unix.ECHO
	t.Lflag |= unix.ISIG | unix.ICANON
	t.Iflag &^= unix.ISTRIP | iflagOff
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
	return unix.IoctlSetTermios(fd, ioctlSetTermios, t)
}
