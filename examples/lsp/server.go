package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/textproto"
	"strconv"
	"strings"
)

// serve is the small language server: it reads LSP messages on in, answers
// initialize, textDocument/hover and shutdown, publishes a diagnostic for
// each TODO of an opened document, logs each message it handles on
// errout, and returns its exit code when it gets exit (0 after shutdown,
// 1 otherwise, as the protocol says) or 1 at the end of its input.
func serve(in io.Reader, out, errout io.Writer) int {
	r := textproto.NewReader(bufio.NewReader(in))
	w := bufio.NewWriter(out)
	docs := map[string]string{}
	shutdown := false
	send := func(v map[string]any) {
		v["jsonrpc"] = "2.0"
		b, _ := frame(v)
		w.Write(b)
		w.Flush()
	}
	for {
		h, err := r.ReadMIMEHeader()
		if err != nil {
			return 1
		}
		n, err := strconv.Atoi(h.Get("Content-Length"))
		if err != nil {
			return 1
		}
		body := make([]byte, n)
		if _, err := io.ReadFull(r.R, body); err != nil {
			return 1
		}
		var m struct {
			ID     *int            `json:"id"`
			Method string          `json:"method"`
			Params json.RawMessage `json:"params"`
		}
		if err := json.Unmarshal(body, &m); err != nil {
			return 1
		}
		fmt.Fprintf(errout, "tinyls: %s\n", m.Method)
		var params struct {
			TextDocument struct{ URI, Text string }    `json:"textDocument"`
			Position     struct{ Line, Character int } `json:"position"`
		}
		json.Unmarshal(m.Params, &params)
		switch m.Method {
		case "initialize":
			send(map[string]any{"id": m.ID, "result": map[string]any{
				"capabilities": map[string]any{"hoverProvider": true, "textDocumentSync": 1},
				"serverInfo":   map[string]any{"name": "tinyls", "version": "1.0"},
			}})
		case "initialized":
		case "textDocument/didOpen":
			uri := params.TextDocument.URI
			docs[uri] = params.TextDocument.Text
			diags := []any{}
			for i, line := range strings.Split(docs[uri], "\n") {
				if c := strings.Index(line, "TODO"); c >= 0 {
					diags = append(diags, map[string]any{
						"range":    map[string]any{"start": map[string]int{"line": i, "character": c}, "end": map[string]int{"line": i, "character": c + 4}},
						"severity": 2,
						"message":  strings.TrimSpace(line[c:]),
					})
				}
			}
			send(map[string]any{"method": "textDocument/publishDiagnostics", "params": map[string]any{"uri": uri, "diagnostics": diags}})
		case "textDocument/hover":
			send(map[string]any{"id": m.ID, "result": map[string]any{"contents": map[string]any{
				"kind": "plaintext", "value": wordAt(docs[params.TextDocument.URI], params.Position.Line, params.Position.Character)}}})
		case "shutdown":
			shutdown = true
			send(map[string]any{"id": m.ID, "result": nil})
		case "exit":
			if shutdown {
				return 0
			}
			return 1
		default:
			if m.ID != nil {
				send(map[string]any{"id": m.ID, "error": map[string]any{"code": -32601, "message": "method not found: " + m.Method}})
			}
		}
	}
}

// wordAt returns the word of text at a line and character (both from 0).
func wordAt(text string, line, char int) string {
	lines := strings.Split(text, "\n")
	if line >= len(lines) || char >= len(lines[line]) {
		return ""
	}
	l := lines[line]
	isWord := func(c byte) bool {
		return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
	}
	start, end := char, char
	for start > 0 && isWord(l[start-1]) {
		start--
	}
	for end < len(l) && isWord(l[end]) {
		end++
	}
	return l[start:end]
}
