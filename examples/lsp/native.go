package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/textproto"
	"strconv"
	"time"

	"github.com/eproc/eproc"
)

// nativeClient is the Go-native client: the server's output is an
// io.Reader parsed by net/textproto and encoding/json, its input an
// io.Writer, and a goroutine runs the loop for everything else (the
// standard error pipe process, the sentinels).
type nativeClient struct {
	p, errProc *eproc.Process // the server, and the pipe process reading its standard error
	stderr     *eproc.Buffer
	out        *eproc.Reader
	r          *textproto.Reader
	stop       context.CancelFunc
	nextID     int
	notes      []incoming // notifications read while waiting for a response
}

func startNative(rt *eproc.Runtime) (*nativeClient, error) {
	cmd, env := serverCommand()
	ctx, stop := context.WithCancel(context.Background())
	go rt.Run(ctx) // the accept loop, in any order with MakeProcess
	stderr := rt.GetBufferCreate("lsp stderr")
	p, err := rt.MakeProcess(eproc.ProcessArgs{Name: "lsp", Command: cmd, Env: env, ConnectionType: eproc.Pipe, Stderr: stderr})
	if err != nil {
		stop()
		return nil, err
	}
	out := p.Reader()
	return &nativeClient{p: p, errProc: rt.GetBufferProcess(stderr), stderr: stderr,
		out: out, r: textproto.NewReader(bufio.NewReader(out)), stop: stop}, nil
}

// read reads the server's next message.
func (c *nativeClient) read() (incoming, error) {
	var m incoming
	c.out.SetReadDeadline(time.Now().Add(timeout))
	h, err := c.r.ReadMIMEHeader()
	if err != nil {
		return m, err
	}
	n, err := strconv.Atoi(h.Get("Content-Length"))
	if err != nil {
		return m, err
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(c.r.R, body); err != nil {
		return m, err
	}
	return m, json.Unmarshal(body, &m)
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
	c.nextID++
	id := c.nextID
	if err := c.send(outgoing{ID: &id, Method: method, Params: params}); err != nil {
		return err
	}
	for {
		m, err := c.read()
		if err != nil {
			return err
		}
		switch {
		case m.Method != "":
			c.notes = append(c.notes, m)
		case m.ID == nil || *m.ID != id:
		case m.Error != nil:
			return m.Error
		case result == nil:
			return nil
		default:
			return json.Unmarshal(m.Result, result)
		}
	}
}

func (c *nativeClient) notify(method string, params any) error {
	return c.send(outgoing{Method: method, Params: params})
}

func (c *nativeClient) notification(method string) (json.RawMessage, error) {
	for i, m := range c.notes {
		if m.Method == method {
			c.notes = append(c.notes[:i], c.notes[i+1:]...)
			return m.Params, nil
		}
	}
	for {
		m, err := c.read()
		if err != nil || m.Method == method {
			return m.Params, err
		}
	}
}

func (c *nativeClient) wait() (string, string, error) {
	defer c.stop()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := eproc.WaitAll(ctx, c.p, c.errProc); err != nil {
		return "", "", err
	}
	return c.p.LastEvent().Text, c.stderr.String(), nil
}
