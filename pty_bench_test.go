//go:build linux

package eproc

import (
	"context"
	"errors"
	"io"
	"os/exec"
	"strconv"
	"syscall"
	"testing"

	"github.com/creack/pty"
)

// BenchmarkPTYThroughput reads 64 MiB that a child writes into a pty:
// through eproc (a filter counting bytes), and through creack/pty and
// io.Copy with the terminal in the same modes (the baseline).
func BenchmarkPTYThroughput(b *testing.B) {
	const size = 64 << 20
	head, err := exec.LookPath("head")
	if err != nil {
		b.Skip("head not found")
	}
	args := []string{head, "-c", strconv.Itoa(size), "/dev/zero"}

	b.Run("eproc", func(b *testing.B) {
		rt := NewRuntime(Config{ProcessConnectionType: PTY})
		defer rt.Close()
		b.SetBytes(size)
		for b.Loop() {
			n := 0
			p, err := rt.MakeProcess(ProcessArgs{Name: "head", Command: args,
				Filter: func(p *Process, s string) { n += len(s) }})
			if err != nil {
				b.Fatal(err)
			}
			if err := p.Wait(context.Background()); err != nil {
				b.Fatal(err)
			}
			if n != size {
				b.Fatalf("read %d bytes, want %d", n, size)
			}
		}
	})

	b.Run("baseline", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			ptmx, tty, err := pty.Open()
			if err != nil {
				b.Fatal(err)
			}
			sc, _ := tty.SyscallConn()
			sc.Control(func(fd uintptr) { err = setupTermios(int(fd)) })
			if err != nil {
				b.Fatal(err)
			}
			cmd := exec.Command(args[0], args[1:]...)
			cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
			cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
			if err := cmd.Start(); err != nil {
				b.Fatal(err)
			}
			tty.Close()
			var c counter
			_, err = io.Copy(&c, ptmx)
			if err != nil && !errors.Is(err, syscall.EIO) {
				b.Fatal(err)
			}
			cmd.Wait()
			ptmx.Close()
			if c != size {
				b.Fatalf("read %d bytes, want %d", c, size)
			}
		}
	})
}

// counter is an io.Writer that counts what it is given.
type counter int

func (c *counter) Write(p []byte) (int, error) {
	*c += counter(len(p))
	return len(p), nil
}
