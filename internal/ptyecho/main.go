//go:build linux

// Command ptyecho stands in for a serial device on the other end of a
// line, for the Windows serial tests under Wine (.ci/wine-exec): it opens
// a pty pair, puts the slave in raw mode, links LINK (a Wine prefix's
// dosdevices/comN) to the slave, prints "ready" on its standard output,
// and echoes every byte the slave's user writes back to it until it is
// ended. It keeps the slave open itself, so that the line does not hang
// up when the Windows program closes the port and opens it again.
//
// Usage: ptyecho LINK
package main

import (
	"fmt"
	"os"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: ptyecho LINK")
		os.Exit(2)
	}
	master, slave, err := pty.Open()
	if err != nil {
		fail(err)
	}
	defer slave.Close()
	t, err := unix.IoctlGetTermios(int(slave.Fd()), unix.TCGETS)
	if err != nil {
		fail(err)
	}
	// Raw mode, as cfmakeraw.
	t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	t.Oflag &^= unix.OPOST
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	t.Cflag &^= unix.CSIZE | unix.PARENB
	t.Cflag |= unix.CS8 | unix.CLOCAL | unix.CREAD
	t.Cc[unix.VMIN], t.Cc[unix.VTIME] = 1, 0
	if err := unix.IoctlSetTermios(int(slave.Fd()), unix.TCSETS, t); err != nil {
		fail(err)
	}
	link := os.Args[1]
	os.Remove(link)
	if err := os.Symlink(slave.Name(), link); err != nil {
		fail(err)
	}
	defer os.Remove(link)
	fmt.Println("ready")
	buf := make([]byte, 64<<10)
	for {
		n, err := master.Read(buf)
		if n > 0 {
			if _, werr := master.Write(buf[:n]); werr != nil {
				fail(werr)
			}
		}
		if err != nil {
			fail(err)
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "ptyecho:", err)
	os.Exit(1)
}
