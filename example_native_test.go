//go:build unix

package eproc_test

import (
	"bufio"
	"context"
	"fmt"
	"log"
	"regexp"
	"strings"
	"time"

	"github.com/eproc/eproc"
)

// The README's snippets are these functions' bodies (readme_test.go checks
// that every Go block of README.md appears in an example file).

// The Emacs way: a buffer, the default filter and sentinel, an accept call.
func Example_emacsWay() {
	ctx := context.Background()
	rt := eproc.NewRuntime(eproc.Config{})
	defer rt.Close()
	foo := rt.GetBufferCreate("foo")
	p, err := rt.StartProcess("my-process", foo, "echo", "hello")
	if err != nil {
		log.Fatal(err)
	}
	p.Wait(ctx) // dispatches the output and the sentinel
	fmt.Printf("%q\n", foo.String())
	// Output:
	// "hello\n\nProcess my-process finished\n"
}

// The Go-native way: the output as an io.Reader, the input as an io.Writer,
// the end as a typed event.
func Example_goNativeWay() {
	ctx := context.Background()
	rt := eproc.NewRuntime(eproc.Config{ProcessConnectionType: eproc.Pipe})
	defer rt.Close()
	p, err := rt.MakeProcess(eproc.ProcessArgs{Name: "upcase", Command: []string{"tr", "a-z", "A-Z"}})
	if err != nil {
		log.Fatal(err)
	}
	out := p.Reader()               // the output, as an io.Reader
	fmt.Fprintln(p, "hello, world") // *Process is an io.Writer
	p.SendEOF()
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		fmt.Println(sc.Text())
	}
	p.Wait(ctx)
	fmt.Println(p.LastEvent().Kind)
	// Output:
	// HELLO, WORLD
	// finished
}

// A filter and a sentinel of your own.
func Example_filterAndSentinel() {
	ctx := context.Background()
	rt := eproc.NewRuntime(eproc.Config{})
	defer rt.Close()
	p, _ := rt.MakeProcess(eproc.ProcessArgs{
		Name:     "upcase",
		Command:  []string{"tr", "a-z", "A-Z"},
		Filter:   func(p *eproc.Process, s string) { fmt.Print(s) },
		Sentinel: func(p *eproc.Process, ev string) { fmt.Printf("%s: %q\n", p.Name(), ev) },
	})
	p.SendString("hello\n")
	p.SendEOF()
	p.Wait(ctx) // HELLO, then upcase: "finished\n"
	// Output:
	// HELLO
	// upcase: "finished\n"
}

// The loop in a goroutine: Done, like a channel from os/exec's world,
// closes once the exit sentinel has run there.
func ExampleProcess_Done() {
	rt := eproc.NewRuntime(eproc.Config{ProcessConnectionType: eproc.Pipe})
	defer rt.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go rt.Run(ctx) // the loop first (after MakeProcess works too); callbacks run on this goroutine
	p, err := rt.MakeProcess(eproc.ProcessArgs{Name: "job", Command: []string{"sh", "-c", "exit 3"}})
	if err != nil {
		log.Fatal(err)
	}
	select {
	case <-p.Done():
		e := p.LastEvent()
		fmt.Println(e.Kind, e.Code, e.Success())
	case <-time.After(30 * time.Second):
		fmt.Println("timed out")
	}
	// Output:
	// exited 3 false
}

// WaitAll waits for a fleet; LastEvent tells each end apart.
func ExampleWaitAll() {
	ctx := context.Background()
	rt := eproc.NewRuntime(eproc.Config{ProcessConnectionType: eproc.Pipe})
	defer rt.Close()
	var ps []*eproc.Process
	for _, script := range []string{"exit 0", "exit 2", "kill -TERM $$"} {
		p, err := rt.MakeProcess(eproc.ProcessArgs{Name: "job", Command: []string{"sh", "-c", script}})
		if err != nil {
			log.Fatal(err)
		}
		ps = append(ps, p)
	}
	if err := eproc.WaitAll(ctx, ps...); err != nil {
		log.Fatal(err)
	}
	for _, p := range ps {
		switch e := p.LastEvent(); e.Kind {
		case eproc.EventFinished:
			fmt.Println(p.Name(), "finished")
		case eproc.EventExited:
			fmt.Println(p.Name(), "exited with", e.Code)
		case eproc.EventSignaled:
			fmt.Println(p.Name(), "killed by signal", int(e.Signal))
		}
	}
	// Output:
	// job finished
	// job<1> exited with 2
	// job<2> killed by signal 15
}

// Expect waits for a string or a regexp in the output; the filter (here
// the default one, with a buffer) still gets everything.
func ExampleExpecter_Expect() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rt := eproc.NewRuntime(eproc.Config{})
	defer rt.Close()
	script := `printf 'login: '; read name; echo "hello $name"; read x`
	p, err := rt.MakeProcess(eproc.ProcessArgs{Name: "login", Command: []string{"sh", "-c", script}})
	if err != nil {
		log.Fatal(err)
	}
	e := p.Expecter()
	if _, err := e.Expect(ctx, "login: "); err != nil {
		log.Fatal(err)
	}
	p.SendString("ann\n")
	m, err := e.Expect(ctx, regexp.MustCompile(`hello (\w+)`))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(m.Groups[1])
	// Output:
	// ann
}

// Synchronous helpers: a directory, environment and standard input for one
// call, and the output with the exit status.
func ExampleRuntime_Call() {
	ctx := context.Background()
	rt := eproc.NewRuntime(eproc.Config{})
	b := rt.GetBufferCreate("out")
	st, err := rt.Call(ctx, eproc.CallProcessArgs{
		Program: "sh",
		Args:    []string{"-c", `pwd; echo "$GREETING"; tr a-z A-Z`},
		Dir:     "/",
		Env:     []string{"GREETING=hi"},
		Input:   "from stdin\n",
		Dest:    eproc.Destination{Buffer: b},
	})
	fmt.Printf("%v %v %q\n", st, err, b.String())
	out, st, err := rt.ShellCommandOutput(ctx, "echo hi; exit 3")
	fmt.Printf("%q %d %v\n", out, st.Code, err)
	// Output:
	// 0 <nil> "/\nhi\nFROM STDIN\n"
	// "hi\n" 3 <nil>
}

// Filter t: eproc stops reading (the child blocks once its pipe is full);
// any filter set later gets the output that waited.
func ExampleProcess_SetFilterT() {
	ctx := context.Background()
	rt := eproc.NewRuntime(eproc.Config{ProcessConnectionType: eproc.Pipe})
	defer rt.Close()
	p, err := rt.MakeProcess(eproc.ProcessArgs{Name: "talker", Command: []string{"sh", "-c", "echo waited; read x"}})
	if err != nil {
		log.Fatal(err)
	}
	p.SetFilterT()
	fmt.Println(rt.AcceptProcessOutput(p, 100*time.Millisecond, false))
	var out strings.Builder
	p.SetFilter(func(p *eproc.Process, s string) { out.WriteString(s) })
	rt.AcceptProcessOutput(p, 30*time.Second, false)
	fmt.Printf("%q\n", out.String())
	p.SendString("\n")
	p.Wait(ctx)
	// Output:
	// false
	// "waited\n"
}
