package eproc

import "golang.org/x/sys/unix"

// setupTermios sets the terminal modes Emacs gives a subprocess's pty
// (child_setup_tty, confirmed with stty -a under Emacs 28.2): output
// processing on but no NL -> CRNL and no delays, no echo, signals and
// canonical input on, no case mapping or stripping, 8-bit characters, erase
// and kill characters disabled, EOF ^D, and interrupt and quit ^C and ^\
// if they were disabled. Everything else keeps the kernel's defaults.
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
	t.Cc[unix.VERASE] = 0 // _POSIX_VDISABLE
	t.Cc[unix.VKILL] = 0
	t.Cc[unix.VEOF] = 'D' & 0x1f
	if t.Cc[unix.VINTR] == 0 {
		t.Cc[unix.VINTR] = 'C' & 0x1f
	}
	if t.Cc[unix.VQUIT] == 0 {
		t.Cc[unix.VQUIT] = '\\' & 0x1f
	}
	return unix.IoctlSetTermios(fd, unix.TCSETS, t)
}

const ioctlGetTermios = unix.TCGETS
