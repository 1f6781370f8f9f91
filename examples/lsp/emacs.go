package main

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/eproc/eproc"
)

// emacsClient is the Emacs-style client, as an Emacs Lisp LSP client is
// written: a filter accumulates the output and cuts it into messages by
// their Content-Length headers, a sentinel records the end, and every wait
// is a loop of accept-process-output calls.
type emacsClient struct {
	rt        *eproc.Runtime
	p         *eproc.Process
	errProc   *eproc.Process
	stderr    *eproc.Buffer
	pending   string // output not yet cut into messages
	nextID    int
	responses map[int]incoming
	notes     []incoming
	event     string // the server's exit event, once its sentinel ran
}

func startEmacs(rt *eproc.Runtime) (*emacsClient, error) {
	cmd, env := serverCommand()
	c := &emacsClient{rt: rt, stderr: rt.GetBufferCreate("lsp stderr"), responses: map[int]incoming{}}
	p, err := rt.MakeProcess(eproc.ProcessArgs{
		Name: "lsp", Command: cmd, Env: env, ConnectionType: eproc.Pipe, Stderr: c.stderr,
		Filter: c.filter,
		Sentinel: func(p *eproc.Process, event string) {
			if !p.Live() {
				c.event = event
			}
		},
	})
	if err != nil {
		return nil, err
	}
	c.p = p
	c.errProc = rt.GetBufferProcess(c.stderr)
	return c, nil
}

// filter cuts the output into messages.
func (c *emacsClient) filter(p *eproc.Process, output string) {
	c.pending += output
	for {
		end := strings.Index(c.pending, "\r\n\r\n")
		if end < 0 {
			return
		}
		length := -1
		for _, line := range strings.Split(c.pending[:end], "\r\n") {
			name, value, ok := strings.Cut(line, ":")
			if ok && strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
				length, _ = strconv.Atoi(strings.TrimSpace(value))
			}
		}
		if length < 0 {
			c.pending = c.pending[end+4:] // a header without a length: skip it
			continue
		}
		if len(c.pending) < end+4+length {
			return // the body is not all there yet
		}
		body := c.pending[end+4 : end+4+length]
		c.pending = c.pending[end+4+length:]
		var m incoming
		if json.Unmarshal([]byte(body), &m) != nil {
			continue
		}
		if m.Method != "" {
			c.notes = append(c.notes, m)
		} else if m.ID != nil {
			c.responses[*m.ID] = m
		}
	}
}

// acceptUntil calls accept-process-output until cond holds.
func (c *emacsClient) acceptUntil(what string, cond func() bool) error {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return errors.New("timed out waiting for " + what)
		}
		c.rt.AcceptProcessOutput(c.p, 100*time.Millisecond, false)
	}
	return nil
}

func (c *emacsClient) send(m outgoing) error {
	m.JSONRPC = "2.0"
	b, err := frame(m)
	if err != nil {
		return err
	}
	return c.p.SendString(string(b))
}

func (c *emacsClient) call(method string, params, result any) error {
	c.nextID++
	id := c.nextID
	if err := c.send(outgoing{ID: &id, Method: method, Params: params}); err != nil {
		return err
	}
	var m incoming
	err := c.acceptUntil(method, func() bool {
		var ok bool
		m, ok = c.responses[id]
		return ok
	})
	if err != nil {
		return err
	}
	delete(c.responses, id)
	if m.Error != nil {
		return m.Error
	}
	if result == nil {
		return nil
	}
	return json.Unmarshal(m.Result, result)
}

func (c *emacsClient) notify(method string, params any) error {
	return c.send(outgoing{Method: method, Params: params})
}

func (c *emacsClient) notification(method string) (json.RawMessage, error) {
	var params json.RawMessage
	err := c.acceptUntil(method, func() bool {
		for i, m := range c.notes {
			if m.Method == method {
				params = m.Params
				c.notes = append(c.notes[:i], c.notes[i+1:]...)
				return true
			}
		}
		return false
	})
	return params, err
}

func (c *emacsClient) wait() (string, string, error) {
	err := c.acceptUntil("the server's exit", func() bool {
		return c.event != "" && !c.errProc.Live()
	})
	if err != nil {
		return "", "", err
	}
	// The standard error process's sentinel message comes last.
	c.rt.AcceptProcessOutput(nil, 0, false)
	return c.event, c.stderr.String(), nil
}
