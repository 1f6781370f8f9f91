// Command fleet starts hundreds of children at once, each printing a line
// and ending its own way (exit codes 0 to 3, or killed by SIGTERM), waits
// for all of them and reports how they ended.
//
//	go run ./examples/fleet               # the Go-native way: WaitAll and LastEvent
//	go run ./examples/fleet -style emacs  # the Emacs way: sentinels and AcceptProcessOutput
//	go run ./examples/fleet -n 2000
//
// native.go and emacs.go hold the two ways, side by side.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"sort"
	"strconv"
	"time"

	"github.com/eproc/eproc"
)

func main() {
	n := flag.Int("n", 300, "how many children")
	style := flag.String("style", "go", `"go" (WaitAll, LastEvent) or "emacs" (sentinels, AcceptProcessOutput)`)
	flag.Parse()
	if err := run(os.Stdout, *n, *style); err != nil {
		log.Fatal(err)
	}
}

// command is child i's command line: it prints "child I" and exits with
// I%4, except every fifth child, which kills itself with SIGTERM.
func command(i int) []string {
	script := "echo child " + strconv.Itoa(i) + "; exit " + strconv.Itoa(i%4)
	if i%5 == 4 {
		script = "echo child " + strconv.Itoa(i) + "; kill -TERM $$"
	}
	return []string{"/bin/sh", "-c", script}
}

// fleet is the result of a run: how many children ended each way, and each
// child's output.
type fleet struct {
	ends    map[string]int
	outputs []string
}

func run(w io.Writer, n int, style string) error {
	// Pipes, not Emacs's default ptys: nothing here needs a terminal.
	rt := eproc.NewRuntime(eproc.Config{ProcessConnectionType: eproc.Pipe})
	defer rt.Close()
	start := time.Now()
	var f fleet
	var err error
	switch style {
	case "go":
		f, err = runNative(rt, n)
	case "emacs":
		f, err = runEmacs(rt, n)
	default:
		return fmt.Errorf("unknown style %q", style)
	}
	if err != nil {
		return err
	}
	for i, out := range f.outputs {
		if want := "child " + strconv.Itoa(i) + "\n"; out != want {
			return fmt.Errorf("child %d wrote %q, want %q", i, out, want)
		}
	}
	fmt.Fprintf(w, "%d children (%s style):\n", n, style)
	var kinds []string
	for k := range f.ends {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		fmt.Fprintf(w, "  %-20s %d\n", k, f.ends[k])
	}
	fmt.Fprintf(os.Stderr, "fleet: %d children in %v\n", n, time.Since(start).Round(time.Millisecond))
	return nil
}
