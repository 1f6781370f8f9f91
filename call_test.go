//go:build unix

package eproc

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Call takes a directory and environment entries for one call, without
// another Runtime, and coding systems for the call.
func TestCallDirEnv(t *testing.T) {
	rt := newRuntime(t, Config{ProcessEnvironment: append([]string{"KEEP=base", "GONE=x"}, os.Environ()...)})
	dir := t.TempDir()
	b := rt.GetBufferCreate("call")
	st, err := rt.Call(context.Background(), CallProcessArgs{
		Program: "pwd",
		Dir:     dir,
		Dest:    Destination{Buffer: b},
	})
	real, _ := filepath.EvalSymlinks(dir)
	if err != nil || !st.Success() || strings.TrimSpace(b.String()) != real {
		t.Errorf("pwd: %v %v %q, want %q", st, err, b.String(), real)
	}
	b2 := rt.GetBufferCreate("env")
	st, err = rt.Call(context.Background(), CallProcessArgs{
		Program: "sh",
		Args:    []string{"-c", `echo "FOO=$FOO KEEP=$KEEP GONE=${GONE-unset}"`},
		Env:     []string{"FOO=bar", "GONE"},
		Dest:    Destination{Buffer: b2},
	})
	if err != nil || !st.Success() || b2.String() != "FOO=bar KEEP=base GONE=unset\n" {
		t.Errorf("env: %v %v %q", st, err, b2.String())
	}
	// The working directory of the Runtime did not change.
	b3 := rt.GetBufferCreate("pwd2")
	rt.CallProcess("pwd", "", Destination{Buffer: b3})
	wd, _ := os.Getwd()
	if wd, _ = filepath.EvalSymlinks(wd); strings.TrimSpace(b3.String()) != wd {
		t.Errorf("the Runtime's directory is now %q", b3.String())
	}
	// A latin-1 decoding for this call only.
	b4 := rt.GetBufferCreate("latin")
	st, err = rt.Call(context.Background(), CallProcessArgs{
		Program: "printf", Args: []string{`caf\351`},
		Coding: Coding{Decoding: "latin-1"}, Dest: Destination{Buffer: b4},
	})
	if err != nil || b4.String() != "café" {
		t.Errorf("latin-1: %v %v %q", st, err, b4.String())
	}
}

// Emacs 28.2: (let ((default-directory "/nonexistent/")) (call-process
// "true")) signals (file-missing "Setting current directory" "No such file
// or directory" "/nonexistent/").
func TestCallBadDir(t *testing.T) {
	rt := newRuntime(t, Config{})
	_, err := rt.Call(context.Background(), CallProcessArgs{Program: "true", Dir: "/nonexistent/"})
	if err == nil || err.Error() != "Setting current directory: No such file or directory, /nonexistent/" || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("err %v", err)
	}
}

// Standard input from a string (encoded) or an io.Reader (bytes); more
// than one source is an error.
func TestCallStdin(t *testing.T) {
	rt := newRuntime(t, Config{})
	b := rt.GetBufferCreate("in")
	st, err := rt.Call(context.Background(), CallProcessArgs{Program: "cat", Input: "from a string\n", Dest: Destination{Buffer: b}})
	if err != nil || !st.Success() || b.String() != "from a string\n" {
		t.Errorf("Input: %v %v %q", st, err, b.String())
	}
	b2 := rt.GetBufferCreate("in2")
	st, err = rt.Call(context.Background(), CallProcessArgs{Program: "od", Args: []string{"-An", "-tx1"},
		Input: "é", Coding: Coding{Encoding: "latin-1"}, Dest: Destination{Buffer: b2}})
	if err != nil || strings.TrimSpace(b2.String()) != "e9" {
		t.Errorf("Input encoded as latin-1: %v %v %q", st, err, b2.String())
	}
	b3 := rt.GetBufferCreate("in3")
	st, err = rt.Call(context.Background(), CallProcessArgs{Program: "wc", Args: []string{"-c"},
		Stdin: strings.NewReader(strings.Repeat("z", 300000)), Dest: Destination{Buffer: b3}})
	if err != nil || strings.TrimSpace(b3.String()) != "300000" {
		t.Errorf("Stdin: %v %v %q", st, err, b3.String())
	}
	_, err = rt.Call(context.Background(), CallProcessArgs{Program: "cat", Input: "a", Stdin: strings.NewReader("b")})
	if err == nil {
		t.Error("Input and Stdin together are accepted")
	}
}

// Emacs 28.2: (call-process-shell-command "echo hi; exit 3" nil t) gives 3
// and inserts "hi\n"; ShellCommandOutput returns both.
func TestShellCommandOutput(t *testing.T) {
	rt := newRuntime(t, Config{ShellFileName: "/bin/sh"})
	out, st, err := rt.ShellCommandOutput(context.Background(), "echo hi; echo err >&2; exit 3")
	if err != nil || out != "hi\nerr\n" || st.Code != 3 || st.Success() || st.String() != "3" {
		t.Errorf("got %q %v %v", out, st, err)
	}
	out, st, err = rt.ShellCommandOutput(context.Background(), "kill -TERM $$")
	if err != nil || out != "" || st.Signal != "Terminated" {
		t.Errorf("signal: %q %v %v", out, st, err)
	}
}

// ShellCommand runs a command line with the Runtime's shell, in a
// directory and environment of its own, and returns its status; with
// Program or Args it is an error.
func TestCallShellCommand(t *testing.T) {
	rt := newRuntime(t, Config{ShellFileName: "/bin/sh"})
	dir := t.TempDir()
	b := rt.GetBufferCreate("shell")
	st, err := rt.Call(context.Background(), CallProcessArgs{
		ShellCommand: `pwd; echo "$GREETING"; cat; exit 4`,
		Dir:          dir,
		Env:          []string{"GREETING=hi"},
		Input:        "in\n",
		Dest:         Destination{Buffer: b},
	})
	real, _ := filepath.EvalSymlinks(dir)
	if err != nil || st.Code != 4 || b.String() != real+"\nhi\nin\n" {
		t.Errorf("got %v %v %q", st, err, b.String())
	}
	if _, err := rt.Call(context.Background(), CallProcessArgs{ShellCommand: "true", Program: "sh"}); err == nil {
		t.Error("ShellCommand with Program is accepted")
	}
}
