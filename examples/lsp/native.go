package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/textproto"
	"strconv"
	"sync"
	"time"

	"github.com/eproc/eproc"
)

// nativeClient is the Go-native client: the server's output is an
// io.Reader read by textproto and encoding/json on a goroutine of its own,
// its input an io.Writer, and the loop runs in another goroutine.
type nativeClient struct {
	p       *eproc.Process
	errProc *eproc.Process // the pipe process reading the server's standard error into stderr
	stderr  *eproc.Buffer
	cancel  context.CancelFunc
	notes   chan incoming
	mu      sync.Mutex
	nextID  int
	pending map[int]chan incoming
}

func startNative(rt *eproc.Runtime) (*nativeClient, error) {
	cmd, env := serverCommand()
	stderr := rt.GetBufferCreate("lsp stderr")
	p, err := rt.MakeProcess(eproc.ProcessArgs{Name: "lsp", Command: cmd, Env: env, ConnectionType: eproc.Pipe, Stderr: stderr})
	if err != nil {
		return nil, err
	}
	c := &nativeClient{p: p, errProc: rt.GetBufferProcess(stderr), stderr: stderr, notes: make(chan incoming, 16), pending: map[int]chan incoming{}}
	r := textproto.NewReader(bufio.NewReader(p.Reader()))
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	go rt.Run(ctx) // after MakeProcess: see issue 16 item 1
	go c.readLoop(r)
	return c, nil
}

// readLoop reads the server's messages and hands each to its waiter.
func (c *nativeClient) readLoop(r *textproto.Reader) {
	defer close(c.notes)
	for {
		h, err := r.ReadMIMEHeader()
		if err != nil {
			return
		}
		n, _ := strconv.Atoi(h.Get("Content-Length"))
		body := make([]byte, n)
		if _, err := io.ReadFull(r.R, body); err != nil {
			return
		}
		var m incoming
		if json.Unmarshal(body, &m) != nil {
			continue
		}
		if m.Method != "" {
			c.notes <- m
			continue
		}
		c.mu.Lock()
		ch := c.pending[*m.ID]
		delete(c.pending, *m.ID)
		c.mu.Unlock()
		if ch != nil {
			ch <- m
		}
	}
}

func (c *nativeClient) send(m outgoing) error {
	m.JSONRPC = "2.0"
	b, err := frame(m)
	if err == nil {
		_, err = c.p.Write(b)
	}
	return err
}

func (c *nativeClient) call(method string, params, result any) error {
	ch := make(chan incoming, 1)
	c.mu.Lock()
	c.nextID++
	id := c.nextID
	c.pending[id] = ch
	c.mu.Unlock()
	if err := c.send(outgoing{ID: &id, Method: method, Params: params}); err != nil {
		return err
	}
	select {
	case m := <-ch:
		if m.Error != nil {
			return m.Error
		}
		if result == nil {
			return nil
		}
		return json.Unmarshal(m.Result, result)
	case <-time.After(timeout):
		return errors.New("timed out waiting for " + method)
	}
}

func (c *nativeClient) notify(method string, params any) error {
	return c.send(outgoing{Method: method, Params: params})
}

func (c *nativeClient) notification(method string) (json.RawMessage, error) {
	for {
		select {
		case m, ok := <-c.notes:
			if !ok {
				return nil, errors.New("server gone")
			}
			if m.Method == method {
				return m.Params, nil
			}
		case <-time.After(timeout):
			return nil, errors.New("timed out waiting for " + method)
		}
	}
}

func (c *nativeClient) wait() (string, string, error) {
	defer c.cancel()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := eproc.WaitAll(ctx, c.p, c.errProc); err != nil {
		return "", "", err
	}
	return c.p.LastEvent().Text, c.stderr.String(), nil
}
