package main

import (
	"strings"
	"testing"
)

func TestTCPServer(t *testing.T) {
	var out strings.Builder
	if err := run(&out, 20, 100); err != nil {
		t.Fatal(err)
	}
	want := `20 clients x 100 lines: every answer right
 20 client: connection broken by remote peer
 20 server: connection broken by remote peer
`
	if out.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", out.String(), want)
	}
}
