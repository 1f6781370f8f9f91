// Command tcpserver runs a line server made of eproc network processes and
// a crowd of eproc clients talking to it at once. The server answers each
// line with its upper-case form, and QUIT with BYE before it closes its
// side. Each connection, server side and client side, is read through a
// Reader by a goroutine of its own, with bufio.Scanner; one goroutine runs
// the accept loop for all of them.
//
//	go run ./examples/tcpserver
//	go run ./examples/tcpserver -clients 50 -lines 1000
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/eproc/eproc"
)

func main() {
	clients := flag.Int("clients", 20, "how many clients")
	lines := flag.Int("lines", 100, "lines per client")
	flag.Parse()
	if err := run(os.Stdout, *clients, *lines); err != nil {
		log.Fatal(err)
	}
}

// serveConn answers the lines of one connection until QUIT or the end.
func serveConn(c *eproc.Process, r io.Reader) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if sc.Text() == "QUIT" {
			fmt.Fprint(c, "BYE\n")
			c.SendEOF() // close our side; the client closes its own
			continue
		}
		fmt.Fprintln(c, strings.ToUpper(sc.Text()))
	}
}

// talk is one client's dialogue: lines, checked answers, QUIT, BYE, end.
func talk(c *eproc.Process, id, lines int) error {
	sc := bufio.NewScanner(c.Reader())
	for j := 0; j < lines; j++ {
		fmt.Fprintf(c, "line %d from client %d\n", j, id)
		if !sc.Scan() {
			return fmt.Errorf("client %d: no answer to line %d: %v", id, j, sc.Err())
		}
		if want := fmt.Sprintf("LINE %d FROM CLIENT %d", j, id); sc.Text() != want {
			return fmt.Errorf("client %d: got %q, want %q", id, sc.Text(), want)
		}
	}
	fmt.Fprint(c, "QUIT\n")
	if !sc.Scan() || sc.Text() != "BYE" {
		return fmt.Errorf("client %d: no BYE", id)
	}
	if sc.Scan() {
		return fmt.Errorf("client %d: %q after BYE", id, sc.Text())
	}
	return sc.Err() // nil: the server closed, the Reader said io.EOF
}

func run(w io.Writer, clients, lines int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rt := eproc.NewRuntime(eproc.Config{})
	defer rt.Close()
	go rt.Run(ctx) // the accept loop, for the Readers below: start it first

	var mu sync.Mutex
	var conns []*eproc.Process
	var served sync.WaitGroup
	srv, err := rt.MakeNetworkProcess(eproc.NetworkArgs{
		Name: "lines", Server: true, Host: "127.0.0.1", AnyPort: true,
		// Connections inherit the server's sentinel. It runs for a new
		// connection ("open from 127.0.0.1:PORT\n") before any of its
		// output is read: the Reader gets all of it.
		Sentinel: func(c *eproc.Process, event string) {
			if c.LastEvent().Kind != eproc.EventOpen {
				return
			}
			mu.Lock() // also orders served.Add before served.Wait
			conns = append(conns, c)
			served.Add(1)
			mu.Unlock()
			r := c.Reader()
			go func() { defer served.Done(); serveConn(c, r) }()
		},
	})
	if err != nil {
		return err
	}
	port := strconv.Itoa(srv.ContactKey(":service").(int))

	cs := make([]*eproc.Process, clients)
	errs := make(chan error, clients)
	for i := range cs {
		c, err := rt.OpenNetworkStream("client "+strconv.Itoa(i), nil, "127.0.0.1", port)
		if err != nil {
			return err
		}
		cs[i] = c
		go func() { errs <- talk(c, i, lines) }()
	}
	var all []error
	for range cs {
		all = append(all, <-errs)
	}
	if err := errors.Join(all...); err != nil {
		return err
	}
	mu.Lock()
	ps := append(cs, conns...)
	mu.Unlock()
	served.Wait()
	if err := eproc.WaitAll(ctx, ps...); err != nil {
		return err
	}
	fmt.Fprintf(w, "%d clients x %d lines: every answer right\n", clients, lines)
	tally := map[string]int{}
	for _, p := range ps {
		side := "client"
		if !strings.HasPrefix(p.Name(), "client ") {
			side = "server"
		}
		tally[side+": "+strings.TrimSpace(p.LastEvent().Text)]++
	}
	var keys []string
	for k := range tally {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "%3d %s\n", tally[k], k)
	}
	return nil
}
