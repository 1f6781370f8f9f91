// Command demo runs the start-process example of the Emacs Lisp manual
// ("Asynchronous Processes"): two processes named my-process write into
// buffer foo, the second getting the name my-process<1>, and the buffer
// ends with a "finished" line for each. The first sleeps 1 second instead
// of the manual's 100.
package main

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/eproc/eproc"
)

func main() {
	foo := eproc.GetBufferCreate("foo")
	p1, err := eproc.StartProcess("my-process", foo, "sleep", "1")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p1) // #<process my-process>
	p2, err := eproc.StartProcess("my-process", foo, "ls", "-l", "/bin")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p2) // #<process my-process<1>>

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, p := range []*eproc.Process{p2, p1} {
		if err := p.Wait(ctx); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println("---------- Buffer: foo ----------")
	fmt.Print(foo.String())
	fmt.Println("---------- Buffer: foo ----------")
}
