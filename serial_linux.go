package eproc

import "golang.org/x/sys/unix"

// linuxSpeeds maps the speeds of the system's table to their codes. Other
// speeds are set as numbers (BOTHER), which termios2 carries.
var linuxSpeeds = map[int]uint32{
	50: unix.B50, 75: unix.B75, 110: unix.B110, 134: unix.B134, 150: unix.B150,
	200: unix.B200, 300: unix.B300, 600: unix.B600, 1200: unix.B1200,
	1800: unix.B1800, 2400: unix.B2400, 4800: unix.B4800, 9600: unix.B9600,
	19200: unix.B19200, 38400: unix.B38400, 57600: unix.B57600,
	115200: unix.B115200, 230400: unix.B230400, 460800: unix.B460800,
	500000: unix.B500000, 576000: unix.B576000, 921600: unix.B921600,
	1000000: unix.B1000000, 1152000: unix.B1152000, 1500000: unix.B1500000,
	2000000: unix.B2000000, 2500000: unix.B2500000, 3000000: unix.B3000000,
	3500000: unix.B3500000, 4000000: unix.B4000000,
}

// setSerialSpeed sets both directions' speed: a speed of the table by its
// code, any other one by number (BOTHER). An input speed code of 0 means
// "the output speed".
func setSerialSpeed(t *unix.Termios, speed int) {
	t.Cflag &^= unix.CBAUD | unix.CIBAUD
	if code, ok := linuxSpeeds[speed]; ok {
		t.Cflag |= code
	} else {
		t.Cflag |= unix.BOTHER
	}
	setNum(&t.Ispeed, speed)
	setNum(&t.Ospeed, speed)
}

// exclusiveHeld reports whether another program holds the port
// exclusively (TIOCGEXCL). The kernel lets root open such a port; eproc
// refuses it for everyone.
func exclusiveHeld(fd int) bool {
	v, err := unix.IoctlGetInt(fd, unix.TIOCGEXCL)
	return err == nil && v != 0
}

// tcdrain waits until the output written to fd has been transmitted.
func tcdrain(fd int) error { return unix.IoctlSetInt(fd, unix.TCSBRK, 1) }

// flushSerialInput discards the input received but not read (tcflush
// TCIFLUSH).
func flushSerialInput(fd int) { unix.IoctlSetInt(fd, unix.TCFLSH, unix.TCIFLUSH) }
