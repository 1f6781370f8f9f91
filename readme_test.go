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
	blocks := fencedBlocks(string(readme))
	goBlocks := 0
	for _, b := range blocks {
		if b.info != "go" {
			// A Go block tagged otherwise ("golang", "Go", none) would
			// escape the check: Go must be tagged go.
			if strings.HasPrefix(strings.ToLower(b.info), "go") || looksLikeGo.MatchString(b.text) {
				t.Errorf("README block tagged %q looks like Go; tag it go:\n%s", b.info, b.text)
			}
			continue
		}
		goBlocks++
		block := codeLines(b.text)
		found := false
		for _, src := range sources {
			if containsRun(src, block) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("README block not found in any example:\n%s", b.text)
		}
	}
	if goBlocks == 0 {
		t.Fatal("no Go blocks in README.md")
	}
}

// looksLikeGo matches text that is Go code rather than a shell command.
var looksLikeGo = regexp.MustCompile(`:=|\bfunc\b|\beproc\.[A-Z]|\berr != nil`)

// fencedBlock is a fenced code block of a Markdown file: the fence's info
// string and the text between the fences.
type fencedBlock struct{ info, text string }

// fencedBlocks returns the fenced code blocks of md, indented ones (in a
// list item) too. A fence left open is a block up to the end.
func fencedBlocks(md string) []fencedBlock {
	var blocks []fencedBlock
	var cur *fencedBlock
	var text strings.Builder
	for _, line := range strings.Split(md, "\n") {
		trimmed := strings.TrimSpace(line)
		if !strings.HasPrefix(trimmed, "```") {
			if cur != nil {
				text.WriteString(line + "\n")
			}
			continue
		}
		if cur == nil {
			cur = &fencedBlock{info: strings.TrimSpace(strings.TrimLeft(trimmed, "`"))}
			text.Reset()
			continue
		}
		cur.text = text.String()
		blocks = append(blocks, *cur)
		cur = nil
	}
	if cur != nil {
		cur.text = text.String()
		blocks = append(blocks, *cur)
	}
	return blocks
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
