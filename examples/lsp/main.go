// Command lsp is a JSON-RPC client in the Language Server Protocol's
// framing (Content-Length headers, then a JSON body), talking to a small
// language server that the same program runs as a child in server mode
// (EPROC_LSP_SERVER=1). The session initializes the server, opens a
// document, prints the diagnostics the server publishes and a hover
// result, shuts the server down and says how it ended.
//
//	go run ./examples/lsp               # the Go-native client (native.go)
//	go run ./examples/lsp -style emacs  # the Emacs-style client (emacs.go)
//
// Both clients run the server over pipes, not Emacs's default pty (a pty
// would turn CR into LF and hold back a last line without newline on the
// way in), with its standard error in a buffer of its own, so that its log
// lines never mix with the JSON on standard output.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"time"

	"github.com/eproc/eproc"
)

// serverEnv makes the program a language server.
const serverEnv = "EPROC_LSP_SERVER"

func main() {
	if os.Getenv(serverEnv) == "1" {
		os.Exit(serve(os.Stdin, os.Stdout, os.Stderr))
	}
	style := flag.String("style", "go", `"go" (Reader, Writer, Done) or "emacs" (filter, AcceptProcessOutput)`)
	flag.Parse()
	if err := run(os.Stdout, *style); err != nil {
		log.Fatal(err)
	}
}

// client is what the session needs from a JSON-RPC client.
type client interface {
	// call sends a request and decodes its result into result (unless nil).
	call(method string, params, result any) error
	// notify sends a notification.
	notify(method string, params any) error
	// notification waits for the server's next notification of method.
	notification(method string) (json.RawMessage, error)
	// wait waits for the server to exit; it returns its exit event and its
	// standard error.
	wait() (event, stderr string, err error)
}

// timeout bounds every wait of the clients.
const timeout = 30 * time.Second

// serverCommand is the server's command line and environment: this
// program in server mode.
func serverCommand() ([]string, []string) {
	return []string{os.Args[0]}, []string{serverEnv + "=1"}
}

const document = `package demo
func main() {
	// TODO: greet
	println("hello")  // TODO: a better greeting
}
`

func run(w io.Writer, style string) error {
	rt := eproc.NewRuntime(eproc.Config{})
	defer rt.Close()
	var c client
	var err error
	switch style {
	case "go":
		c, err = startNative(rt)
	case "emacs":
		c, err = startEmacs(rt)
	default:
		return fmt.Errorf("unknown style %q", style)
	}
	if err != nil {
		return err
	}
	return session(w, c)
}

// session is the dialogue, the same for both clients.
func session(w io.Writer, c client) error {
	var init struct {
		ServerInfo struct {
			Name    string `json:"name"`
			Version string `json:"version"`
		} `json:"serverInfo"`
	}
	if err := c.call("initialize", map[string]any{"processId": os.Getpid(), "capabilities": map[string]any{}}, &init); err != nil {
		return err
	}
	fmt.Fprintf(w, "server %s %s\n", init.ServerInfo.Name, init.ServerInfo.Version)
	if err := c.notify("initialized", map[string]any{}); err != nil {
		return err
	}
	uri := "file:///demo/main.go"
	if err := c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{
		"uri": uri, "languageId": "go", "version": 1, "text": document}}); err != nil {
		return err
	}
	raw, err := c.notification("textDocument/publishDiagnostics")
	if err != nil {
		return err
	}
	var diags struct {
		URI         string `json:"uri"`
		Diagnostics []struct {
			Range struct {
				Start struct{ Line, Character int } `json:"start"`
			} `json:"range"`
			Message string `json:"message"`
		} `json:"diagnostics"`
	}
	if err := json.Unmarshal(raw, &diags); err != nil {
		return err
	}
	for _, d := range diags.Diagnostics {
		fmt.Fprintf(w, "%s:%d:%d: %s\n", diags.URI, d.Range.Start.Line+1, d.Range.Start.Character+1, d.Message)
	}
	var hover struct {
		Contents struct{ Value string } `json:"contents"`
	}
	pos := map[string]any{"textDocument": map[string]any{"uri": uri}, "position": map[string]any{"line": 3, "character": 3}}
	if err := c.call("textDocument/hover", pos, &hover); err != nil {
		return err
	}
	fmt.Fprintf(w, "hover: %s\n", hover.Contents.Value)
	if err := c.call("no/such/method", nil, nil); err != nil {
		fmt.Fprintf(w, "error: %v\n", err)
	}
	if err := c.call("shutdown", nil, nil); err != nil {
		return err
	}
	if err := c.notify("exit", nil); err != nil {
		return err
	}
	ev, stderr, err := c.wait()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "server %s", ev)
	fmt.Fprintln(w, "server log:")
	for _, line := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(line, "tinyls: ") { // not the default sentinel's "Process lsp stderr finished"
			fmt.Fprintln(w, line)
		}
	}
	return nil
}

// outgoing is a JSON-RPC 2.0 message we send: a request (ID and Method)
// or a notification (Method alone).
type outgoing struct {
	JSONRPC string `json:"jsonrpc"`
	ID      *int   `json:"id,omitempty"`
	Method  string `json:"method"`
	Params  any    `json:"params,omitempty"`
}

// incoming is a JSON-RPC 2.0 message we receive: a response (ID alone)
// or a notification (Method).
type incoming struct {
	ID     *int            `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
	Result json.RawMessage `json:"result"`
	Error  *responseError  `json:"error"`
}

type responseError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *responseError) Error() string { return fmt.Sprintf("%s (code %d)", e.Message, e.Code) }

// frame returns v as an LSP message: a Content-Length header and the body.
func frame(v any) ([]byte, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append([]byte(fmt.Sprintf("Content-Length: %d\r\n\r\n", len(body))), body...), nil
}
