package main

import (
	"os/exec"
	"strings"
	"testing"
)

func TestShell(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Fatal("bash is needed (.ci/run installs it)")
	}
	var out strings.Builder
	if err := run(&out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	want := `6 * 7 = 42
stty size: 40 132
interrupted job's status: 130
stopped: "stopped (signal)\n", status stop
input while stopped: Process shell not running: process not running
continued: "run", status run
after continuing: resumed
shell exited with code 3
---- buffer *shell* ----
eproc$ 42
eproc$ 40 132
eproc$ started

eproc$ 130
eproc$ 
Process shell stopped (signal)
resumed
eproc$ exit

Process shell exited abnormally with code 3
`
	if got := out.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}
