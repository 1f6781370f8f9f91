package main

import (
	"strings"
	"testing"
)

// Both ways start 300 children and tell every end apart: 300/5 = 60 killed
// by SIGTERM, and of the 240 others, 60 for each exit code 0 to 3.
func TestFleet(t *testing.T) {
	want := `300 children (STYLE style):
  exited with 1        60
  exited with 2        60
  exited with 3        60
  finished             60
  killed by signal 15  60
`
	for _, style := range []string{"go", "emacs"} {
		var out strings.Builder
		if err := run(&out, 300, style); err != nil {
			t.Fatalf("%s: %v", style, err)
		}
		if w := strings.Replace(want, "STYLE", style, 1); out.String() != w {
			t.Errorf("%s style:\n%s\nwant:\n%s", style, out.String(), w)
		}
	}
}
