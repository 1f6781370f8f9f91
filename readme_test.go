//go:build unix

package eproc_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// Every Go block of README.md is a piece of an example function, line for
// line (leading white space aside), so that it compiles and runs.
func TestREADMESnippets(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	var sources [][]string
	for _, name := range []string{"example_test.go", "example_native_test.go", "remote_example_test.go"} {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		sources = append(sources, codeLines(string(b)))
	}
	blocks := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(string(readme), -1)
	if len(blocks) == 0 {
		t.Fatal("no Go blocks in README.md")
	}
	for _, b := range blocks {
		block := codeLines(b[1])
		found := false
		for _, src := range sources {
			if containsRun(src, block) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("README block not found in any example:\n%s", b[1])
		}
	}
}

// codeLines returns the lines of s without leading and trailing white
// space, empty lines left out.
func codeLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// containsRun reports whether run appears in lines as consecutive lines.
func containsRun(lines, run []string) bool {
	for i := 0; i+len(run) <= len(lines); i++ {
		match := true
		for j := range run {
			if lines[i+j] != run[j] {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}
