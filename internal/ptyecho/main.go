//go:build linux

// Command ptyecho stands in for serial devices on the other end of a line,
// for the Windows serial tests under Wine (.ci/wine-exec). It opens a pty
// pair, puts the slave in raw mode, links LINK (a Wine prefix's
// dosdevices/comN) to the slave, and echoes every byte the slave's user
// writes back to it until it is ended. It keeps the slave open itself, so
// that the line does not hang up when the Windows program closes the port
// and opens it again.
//
// With HANGLINK it also plays a device that hangs up: a second pty pair,
// linked from HANGLINK, whose master and slave it closes as soon as
// anything arrives, then makes afresh (and links again) for the next test.
//
// It prints "ready" on its standard output once the links exist.
//
// Usage: ptyecho LINK [HANGLINK]
package main

import (
	"fmt"
	"os"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

func main() {
	if len(os.Args) != 2 && len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: ptyecho LINK [HANGLINK]")
		os.Exit(2)
	}
	master, slave := line(os.Args[1])
	defer slave.Close()
	if len(os.Args) == 3 {
		hm, hs := line(os.Args[2])
		go hangUp(os.Args[2], hm, hs)
	}
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

// hangUp closes the line as soon as anything arrives on it, and makes a
// new one under the same link.
func hangUp(link string, master, slave *os.File) {
	buf := make([]byte, 4096)
	for {
		master.Read(buf)
		master.Close()
		slave.Close()
		master, slave = line(link)
	}
}

// line opens a pty pair in raw mode and links link to its slave.
func line(link string) (master, slave *os.File) {
	master, slave, err := pty.Open()
	if err != nil {
		fail(err)
	}
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
	// Replace the link atomically: a new name, renamed over the old one.
	tmp := link + ".new"
	os.Remove(tmp)
	if err := os.Symlink(slave.Name(), tmp); err != nil {
		fail(err)
	}
	if err := os.Rename(tmp, link); err != nil {
		fail(err)
	}
	return master, slave
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "ptyecho:", err)
	os.Exit(1)
}
