// Command shell drives an interactive bash on a pseudo-terminal, as Emacs's
// M-x shell does: it waits for each prompt with an Expecter, runs commands,
// sets the terminal's window size, interrupts a foreground job as C-c
// would, stops and continues the shell, and reports how it exited. The
// whole dialogue also lands in the process buffer "*shell*", which it
// prints at the end.
//
//	go run ./examples/shell
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"time"

	"github.com/eproc/eproc"
)

func main() {
	if err := run(os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// prompt is the shell's prompt, set through PS1.
const prompt = "eproc$ "

func run(w io.Writer) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rt := eproc.NewRuntime(eproc.Config{}) // a pty by default, as in Emacs
	defer rt.Close()
	buf := rt.GetBufferCreate("*shell*")
	p, err := rt.MakeProcess(eproc.ProcessArgs{
		Name:    "shell",
		Buffer:  buf, // the default filter inserts everything here
		Command: []string{"bash", "--norc", "--noprofile", "--noediting", "-i"},
		Env:     []string{"PS1=" + prompt, "PS2=", "TERM=dumb", "HISTFILE=/dev/null"},
	})
	if err != nil {
		return err
	}
	e := p.Expecter() // watches the output beside the buffer

	// command sends a line and returns its output: the text before the
	// next prompt.
	command := func(line string) (string, error) {
		if err := p.SendString(line + "\n"); err != nil {
			return "", err
		}
		m, err := e.Expect(ctx, prompt)
		return strings.TrimSpace(m.Before), err
	}
	if _, err := e.Expect(ctx, prompt); err != nil {
		return fmt.Errorf("first prompt: %w", err)
	}
	out, err := command("echo $((6 * 7))")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "6 * 7 = %s\n", out)

	// The window size, as a terminal emulator sets it.
	p.SetWindowSize(40, 132)
	if out, err = command("stty size"); err != nil {
		return err
	}
	fmt.Fprintf(w, "stty size: %s\n", out)

	// C-c: SIGINT to the terminal's foreground job, not to bash. The job
	// says "started" once it holds the terminal.
	if err := p.SendString("sh -c 'echo started; exec sleep 30'\n"); err != nil {
		return err
	}
	if _, err := e.Expect(ctx, "started"); err != nil {
		return err
	}
	if err := p.Interrupt(true); err != nil {
		return err
	}
	if _, err := e.Expect(ctx, prompt); err != nil {
		return err
	}
	if out, err = command("echo $?"); err != nil {
		return err
	}
	fmt.Fprintf(w, "interrupted job's status: %s\n", out)

	// Stop the shell itself. As in Emacs, a stopped process takes no input.
	if err := p.Stop(false); err != nil {
		return err
	}
	for p.LastEvent().Kind != eproc.EventStopped {
		if err := rt.WaitEvent(ctx); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "stopped: %q, status %s\n", p.LastEvent().Text, p.Status())
	fmt.Fprintf(w, "input while stopped: %v\n", p.SendString("echo lost\n"))
	if err := p.Continue(false); err != nil {
		return err
	}
	fmt.Fprintf(w, "continued: %q, status %s\n", p.LastEvent().Text, p.Status())
	if out, err = command("echo resumed"); err != nil {
		return err
	}
	fmt.Fprintf(w, "after continuing: %s\n", out)

	// exit 3, and the typed event.
	if err := p.SendString("exit 3\n"); err != nil {
		return err
	}
	if err := p.Wait(ctx); err != nil {
		return err
	}
	if ev := p.LastEvent(); ev.Kind != eproc.EventExited {
		return errors.New("shell ended with " + ev.Text)
	}
	fmt.Fprintf(w, "shell exited with code %d\n", p.LastEvent().Code)
	fmt.Fprintf(w, "---- buffer *shell* ----\n%s", buf.String())
	return nil
}
