//go:build unix

package eproc_test

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/eproc/eproc"
)

// The manual's start-process example: output and the default sentinel's
// messages go into the process buffer.
func ExampleRuntime_StartProcess() {
	rt := eproc.NewRuntime(eproc.Config{})
	defer rt.Close()
	foo := rt.GetBufferCreate("foo")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p1, _ := rt.StartProcess("my-process", foo, "sh", "-c", "echo hello; read x")
	rt.AcceptProcessOutput(p1, 30*time.Second, false) // "hello\n" arrives
	p2, _ := rt.StartProcess("my-process", foo, "sh", "-c", "exit 3")
	fmt.Println(p1, p2)
	p2.Wait(ctx)
	p1.SendString("bye\n")
	p1.Wait(ctx)
	fmt.Printf("%q\n", foo.String())
	// Output:
	// #<process my-process> #<process my-process<1>>
	// "hello\n\nProcess my-process<1> exited abnormally with code 3\n\nProcess my-process finished\n"
}

// A filter receives the output; a sentinel receives the status changes.
func ExampleRuntime_MakeProcess() {
	rt := eproc.NewRuntime(eproc.Config{ProcessConnectionType: eproc.Pipe})
	defer rt.Close()
	var out strings.Builder
	p, err := rt.MakeProcess(eproc.ProcessArgs{
		Name:     "upcase",
		Command:  []string{"tr", "a-z", "A-Z"},
		Filter:   func(p *eproc.Process, s string) { out.WriteString(s) },
		Sentinel: func(p *eproc.Process, event string) { fmt.Printf("%s: %q\n", p.Name(), event) },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	p.SendString("hello, world\n")
	p.SendEOF()
	p.Wait(context.Background())
	fmt.Print(out.String())
	// Output:
	// upcase: "finished\n"
	// HELLO, WORLD
}

// AcceptProcessOutput waits for output, as in an expect-style dialogue.
func ExampleRuntime_AcceptProcessOutput() {
	rt := eproc.NewRuntime(eproc.Config{ProcessConnectionType: eproc.Pipe})
	defer rt.Close()
	var out strings.Builder
	p, _ := rt.MakeProcess(eproc.ProcessArgs{
		Name:    "cat",
		Command: []string{"cat"},
		Filter:  func(p *eproc.Process, s string) { out.WriteString(s) },
	})
	p.SendString("ping\n")
	for !strings.Contains(out.String(), "\n") {
		if !rt.AcceptProcessOutput(p, 10*time.Second, false) {
			break
		}
	}
	fmt.Printf("%q\n", out.String())
	p.Delete()
	fmt.Println(p.Status(), p.ExitStatus())
	// Output:
	// "ping\n"
	// signal 9
}

// Errors carry Emacs's texts.
func ExampleRuntime_MakeProcess_missingProgram() {
	rt := eproc.NewRuntime(eproc.Config{})
	defer rt.Close()
	_, err := rt.MakeProcess(eproc.ProcessArgs{Name: "x", Command: []string{"no-such-program"}})
	fmt.Println(err)
	// Output:
	// Searching for program: No such file or directory, no-such-program
}

// Shell arguments are quoted exactly as Emacs quotes them.
func ExampleShellQuoteArgument() {
	fmt.Println(eproc.ShellQuoteArgument("foo > bar"))
	fmt.Println(eproc.ShellQuoteArgument(""))
	// Output:
	// foo\ \>\ bar
	// ''
}

// FormatNetworkAddress prints Emacs's address vectors and Go's addresses
// alike.
func ExampleFormatNetworkAddress() {
	fmt.Println(eproc.FormatNetworkAddress([]int{127, 0, 0, 1, 80}, false))
	fmt.Println(eproc.FormatNetworkAddress([]int{8193, 3512, 0, 0, 0, 0, 0, 1, 443}, false))
	fmt.Println(eproc.FormatNetworkAddress(netip.MustParseAddrPort("[::1]:8080"), true))
	// Output:
	// 127.0.0.1:80
	// [2001:db8:0:0:0:0:0:1]:443
	// 0:0:0:0:0:0:0:1
}
