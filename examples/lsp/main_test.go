package main

import (
	"os"
	"strings"
	"testing"
)

// The test binary is the language server too.
func TestMain(m *testing.M) {
	if os.Getenv(serverEnv) == "1" {
		os.Exit(serve(os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// Both clients run the same session against the server and print the same
// transcript.
func TestLSP(t *testing.T) {
	want := `server tinyls 1.0
file:///demo/main.go:3:5: TODO: greet
file:///demo/main.go:4:23: TODO: a better greeting
hover: println
error: method not found: no/such/method (code -32601)
server finished
server log:
tinyls: initialize
tinyls: initialized
tinyls: textDocument/didOpen
tinyls: textDocument/hover
tinyls: no/such/method
tinyls: shutdown
tinyls: exit
`
	for _, style := range []string{"go", "emacs"} {
		var out strings.Builder
		if err := run(&out, style); err != nil {
			t.Fatalf("%s: %v", style, err)
		}
		if got := out.String(); got != want {
			t.Errorf("%s style:\n%s\nwant:\n%s", style, got, want)
		}
	}
}
