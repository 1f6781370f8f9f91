package eproc

import (
	"bytes"
	"encoding/hex"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// shellQuotePOSIXTests were produced by GNU Emacs 28.2 on Linux, each input
// decoded from UTF-8 as Emacs decodes process output (invalid bytes become
// raw bytes) and each result encoded back the same way:
//
//	emacs -Q --batch -l run.el posix inputs.hex
//
// where run.el maps every hex line to
// (encode-coding-string (shell-quote-argument (decode-coding-string IN 'utf-8-unix)) 'utf-8-unix).
var shellQuotePOSIXTests = []struct{ in, want string }{
	{"", "''"},
	{"abc", "abc"},
	{"a b", "a\\ b"},
	{"it's", "it\\'s"},
	{"a\"b", "a\\\"b"},
	{"a\nb", "a'\n'b"},
	{"\n", "'\n'"},
	{"$HOME", "\\$HOME"},
	{"~/x", "\\~/x"},
	{"*.c", "\\*.c"},
	{"a;b", "a\\;b"},
	{"a|b", "a\\|b"},
	{"-n", "-n"},
	{"foo-bar_1.2/x", "foo-bar_1.2/x"},
	{"é", "\\é"},
	{"tab\there", "tab\\\there"},
	{"back\\slash", "back\\\\slash"},
	{"a=b", "a\\=b"},
	{"@%+,:", "\\@\\%\\+\\,\\:"},
	{"!", "\\!"},
	{"\n\n", "'\n''\n'"},
	{"a\n\nb", "a'\n''\n'b"},
	{"'", "\\'"},
	{"''", "\\'\\'"},
	{"\\", "\\\\"},
	{"\r", "\\\r"},
	{"\x01", "\\\x01"},
	{"\x7f", "\\\x7f"},
	{"日本語", "\\日\\本\\語"},
	{"😀", "\\😀"},
	{"a\xffb", "a\\\xffb"},
	{"\xc3", "\\\xc3"},
	{"é\xa9", "\\é\\\xa9"},
	{"\xed\xa0\x80", "\\\xed\\\xa0\\\x80"},
	{"\xf4\x90\x80\x80", "\\\xf4\x90\x80\x80"},
	{"\xf8\x88\x80\x80\x80", "\\\xf8\x88\x80\x80\x80"},
	{"\xc0\x80", "\\\xc0\\\x80"},
	{"`cmd`", "\\`cmd\\`"},
	{"$(cmd)", "\\$\\(cmd\\)"},
	{"{a,b}", "\\{a\\,b\\}"},
	{"[x]", "\\[x\\]"},
	{"a#b", "a\\#b"},
	{"a&b", "a\\&b"},
	{"<>", "\\<\\>"},
	{"()", "\\(\\)"},
	{"?", "\\?"},
	{"^", "\\^"},
	{"\t", "\\\t"},
	{" ", "\\ "},
	{"x\u00a0y", "x\\\u00a0y"},
	{"A-Z_0.9/", "A-Z_0.9/"},
	{"K", "K"},
	{"ſ", "\\ſ"},
}

func TestShellQuotePOSIX(t *testing.T) {
	for _, tt := range shellQuotePOSIXTests {
		if got := shellQuotePOSIX(tt.in); got != tt.want {
			t.Errorf("shellQuotePOSIX(%q) = %q, want %q (Emacs 28.2)", tt.in, got, tt.want)
		}
	}
}

// TestShellQuotePOSIXTitlecase checks the one place where eproc departs
// from Emacs 28.2 on purpose: Emacs turns the titlecase letters into other
// text ((shell-quote-argument "\u01c5") gives "\\\u01c4"), eproc escapes
// them like any other character.
func TestShellQuotePOSIXTitlecase(t *testing.T) {
	for _, r := range []rune{0x1C5, 0x1C8, 0x1CB, 0x1F2, 0x1F88, 0x1F8F, 0x1F98, 0x1FAF, 0x1FBC, 0x1FCC, 0x1FFC} {
		in := string(r)
		if got, want := shellQuotePOSIX(in), `\`+in; got != want {
			t.Errorf("shellQuotePOSIX(%q) = %q, want %q", in, got, want)
		}
	}
}

// shellQuoteWindowsTests were produced by GNU Emacs 28.2 on Linux with its
// MS-Windows branch selected, by the same run.el as above with
//
//	(defun w32-shell-dos-semantics () t)
//	(let ((system-type 'windows-nt)) (shell-quote-argument IN))
//
// The first row is the example of the Emacs Lisp manual (node Shell
// Arguments).
var shellQuoteWindowsTests = []struct{ in, want string }{
	{"foo > bar", `"foo > bar"`},
	{"", `""`},
	{"abc", "\"abc\""},
	{"foo > bar", "\"foo > bar\""},
	{"a b", "\"a b\""},
	{"a\"b", "^\"a\\^\"b^\""},
	{"\"", "^\"\\^\"^\""},
	{"a\\", "\"a\\\\\""},
	{"a\\\\", "\"a\\\\\\\\\""},
	{"a\\\"b", "^\"a\\\\\\^\"b^\""},
	{"a\\\\\"b", "^\"a\\\\\\\\\\^\"b^\""},
	{"\\\"", "^\"\\\\\\^\"^\""},
	{"50%", "^\"50^%^\""},
	{"Hi!", "^\"Hi^!^\""},
	{"a%b\"c", "^\"a^%b\\^\"c^\""},
	{"a^b", "\"a^b\""},
	{"a^b%", "^\"a^^b^%^\""},
	{"(x)", "\"(x)\""},
	{"a&b|c", "\"a&b|c\""},
	{"<in>", "\"<in>\""},
	{"a\\b", "\"a\\b\""},
	{"c:\\Program Files\\", "\"c:\\Program Files\\\\\""},
	{"x\\\ny", "\"x\\\\\ny\""},
	{"a\nb", "\"a\nb\""},
	{"é", "\"é\""},
	{"%PATH%", "^\"^%PATH^%^\""},
	{"a\"b\\", "^\"a\\^\"b\\\\^\""},
	{"!x!", "^\"^!x^!^\""},
	{"^\"", "^\"^^\\^\"^\""},
	{"\\\\", "\"\\\\\\\\\""},
	{"a\\\\\nb\\", "\"a\\\\\\\\\nb\\\\\""},
	{"x\\\"\\", "^\"x\\\\\\^\"\\\\^\""},
	{"'quoted'", "\"'quoted'\""},
	{"a\tb", "\"a\tb\""},
	{"\\a\\\\b\\\\\\", "\"\\a\\\\b\\\\\\\\\\\\\""},
}

func TestShellQuoteWindows(t *testing.T) {
	for _, tt := range shellQuoteWindowsTests {
		if got := shellQuoteWindows(tt.in); got != tt.want {
			t.Errorf("shellQuoteWindows(%q) = %q, want %q (Emacs 28.2)", tt.in, got, tt.want)
		}
	}
}

func TestShellQuoteArgumentPicksSystemForm(t *testing.T) {
	for _, tt := range shellQuoteWindowsTests {
		want := shellQuotePOSIX(tt.in)
		if runtime.GOOS == "windows" {
			want = shellQuoteWindows(tt.in)
		}
		if got := ShellQuoteArgument(tt.in); got != want {
			t.Errorf("ShellQuoteArgument(%q) = %q, want %q", tt.in, got, want)
		}
	}
}

// TestEmacsCharLen checks the character boundaries against those of Emacs
// 28.2's utf-8 decoder, from
// (mapcar (lambda (c) (format "%X" c)) (decode-coding-string BYTES 'utf-8-unix)).
func TestEmacsCharLen(t *testing.T) {
	tests := []struct {
		in   string
		want []int // lengths of the characters
	}{
		{"é", []int{2}},
		{"a\xffb", []int{1, 1, 1}},
		{"\xc3", []int{1}},
		{"é\xa9", []int{2, 1}},
		{"\xed\xa0\x80", []int{1, 1, 1}},               // surrogate: raw bytes
		{"\xed\x9f\xbf", []int{3}},                     // U+D7FF
		{"\xee\x80\x80", []int{3}},                     // U+E000
		{"\xf4\x8f\xbf\xbf", []int{4}},                 // U+10FFFF
		{"\xf4\x90\x80\x80", []int{4}},                 // 0x110000: Emacs has it
		{"\xf7\xbf\xbf\xbf", []int{4}},                 // 0x1FFFFF
		{"\xf8\x88\x80\x80\x80", []int{5}},             // 0x200000
		{"\xf8\x8f\xbf\xbf\xbf", []int{5}},             // 0x3FFFFF
		{"\xf8\x87\xbf\xbf\xbf", []int{1, 1, 1, 1, 1}}, // overlong
		{"\xfb\xbf\xbf\xbf\xbf", []int{1, 1, 1, 1, 1}},
		{"\xfc\x80\x80\x80\x80\x80", []int{1, 1, 1, 1, 1, 1}},
		{"\xc0\x80", []int{1, 1}},
		{"\xc1\xbf", []int{1, 1}},
		{"\xc2\x80", []int{2}},
		{"\xe0\x9f\xbf", []int{1, 1, 1}},
		{"\xe0\xa0\x80", []int{3}},
		{"\xf0\x8f\xbf\xbf", []int{1, 1, 1, 1}},
		{"\xf0\x90\x80\x80", []int{4}},
		{"\xe1\x80", []int{1, 1}},
		{"\xe1\x80a", []int{1, 1, 1}},
		{"\xfe", []int{1}},
	}
	for _, tt := range tests {
		var got []int
		for s := tt.in; s != ""; {
			n := emacsCharLen(s)
			got = append(got, n)
			s = s[n:]
		}
		if !equalInts(got, tt.want) {
			t.Errorf("character lengths of %q = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// roundTripInputs returns every byte 1..255 alone and inside strings, and
// random strings mixing ASCII, newlines, multibyte characters and invalid
// UTF-8.
func roundTripInputs(n int) []string {
	var in []string
	for b := 1; b < 256; b++ {
		c := string([]byte{byte(b)})
		in = append(in, c, "a"+c+"z", c+c, c+"\n"+c, "-"+c, c+" x")
	}
	r := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"a", "Z", "0", " ", "\n", "\t", "'", `"`, `\`, "$", "`", "!", "*", "~", "é", "日本", "😀", "\xff", "\xc3", "\xed\xa0\x80", "\xf8\x88\x80\x80\x80", "ǅ", "-", "/", "=", "#", "&", ";", "|", "(", "{", "\r"}
	for i := 0; i < n; i++ {
		var b strings.Builder
		for k := r.IntN(12); k > 0; k-- {
			if r.IntN(4) == 0 {
				b.WriteByte(byte(1 + r.IntN(255)))
			} else {
				b.WriteString(pieces[r.IntN(len(pieces))])
			}
		}
		in = append(in, b.String())
	}
	return in
}

// shells returns the POSIX shells on this machine to check quoting with.
func shells(t *testing.T) []string {
	if runtime.GOOS == "windows" {
		t.Skip("no POSIX shell on Windows")
	}
	var found []string
	seen := map[string]bool{}
	for _, sh := range []string{"/bin/sh", "bash", "dash", "zsh", "ksh", "mksh"} {
		p, err := exec.LookPath(sh)
		if err != nil {
			continue
		}
		real, err := filepath.EvalSymlinks(p)
		if err != nil || seen[real] {
			continue
		}
		seen[real] = true
		found = append(found, p)
	}
	if len(found) == 0 {
		t.Skip("no shell found")
	}
	return found
}

// TestShellQuoteRoundTripSingle runs `SHELL -c 'printf %s '"$(quoted)"` for
// every byte alone and checks that the shell gives back exactly that byte.
func TestShellQuoteRoundTripSingle(t *testing.T) {
	for _, sh := range shells(t) {
		var wg sync.WaitGroup
		sem := make(chan struct{}, runtime.GOMAXPROCS(0))
		for b := 1; b < 256; b++ {
			wg.Go(func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				s := string([]byte{byte(b)})
				out, err := exec.Command(sh, "-c", "printf %s "+shellQuotePOSIX(s)).Output()
				if err != nil {
					t.Errorf("%s: byte %#x: %v", sh, b, err)
				} else if string(out) != s {
					t.Errorf("%s: printf %%s %q printed %q, want %q", sh, shellQuotePOSIX(s), out, s)
				}
			})
		}
		wg.Wait()
	}
}

// TestShellQuoteRoundTrip passes many quoted strings to one printf per
// shell, each followed by a NUL, and checks that they come back exactly,
// under the C locale and a UTF-8 locale.
func TestShellQuoteRoundTrip(t *testing.T) {
	in := roundTripInputs(2000)
	in = append(in, "")
	for _, tt := range shellQuotePOSIXTests {
		in = append(in, tt.in)
	}
	quoted := make([]string, len(in))
	for i, s := range in {
		quoted[i] = shellQuotePOSIX(s)
	}
	script := `printf '%s\0' ` + strings.Join(quoted, " ")
	for _, sh := range shells(t) {
		for _, locale := range []string{"C", "C.UTF-8"} {
			cmd := exec.Command(sh, "-c", script)
			cmd.Env = append(os.Environ(), "LC_ALL="+locale)
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%s (LC_ALL=%s): %v", sh, locale, err)
			}
			got := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
			if len(got) != len(in) {
				t.Fatalf("%s (LC_ALL=%s): got %d words back, want %d", sh, locale, len(got), len(in))
			}
			for i := range in {
				if got[i] != in[i] {
					t.Errorf("%s (LC_ALL=%s): %q quoted as %q came back as %q", sh, locale, in[i], quoted[i], got[i])
				}
			}
		}
	}
}

// unquotePOSIX reads a word of POSIX sh: outside single quotes a backslash
// takes the next byte literally (backslash-newline is removed), inside
// single quotes every byte is literal. ok is false for anything a quoted
// word must not hold: an unescaped byte that the shell would treat
// specially, a double quote, an unterminated quote.
func unquotePOSIX(q string) (s string, ok bool) {
	var b []byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\\':
			i++
			if i == len(q) {
				return "", false
			}
			if q[i] != '\n' {
				b = append(b, q[i])
			}
		case c == '\'':
			end := strings.IndexByte(q[i+1:], '\'')
			if end < 0 {
				return "", false
			}
			b = append(b, q[i+1:i+1+end]...)
			i += 1 + end
		case shellSafe(c) || c >= 0x80:
			b = append(b, c)
		default:
			return "", false
		}
	}
	return string(b), true
}

// FuzzShellQuote checks that the POSIX form reads back as its input under
// the quoting rules of POSIX sh, that it leaves no special byte unescaped,
// and that no unescaped byte at or above 0x80 starts a character (so a
// shell that reads characters sees each of them escaped). It also checks
// that the Windows form reads back under the C runtime's rules.
func FuzzShellQuote(f *testing.F) {
	for _, tt := range shellQuotePOSIXTests {
		f.Add(tt.in)
	}
	for _, tt := range shellQuoteWindowsTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := shellQuotePOSIX(s)
		got, ok := unquotePOSIX(q)
		if !ok || got != s {
			t.Fatalf("shellQuotePOSIX(%q) = %q, which reads back as %q (ok %v)", s, q, got, ok)
		}
		if s == "" {
			return
		}
		// Every unescaped byte >= 0x80 continues a character that was
		// escaped as a whole.
		for i := 0; i < len(q); i++ {
			switch c := q[i]; {
			case c == '\'':
				i += 1 + strings.IndexByte(q[i+1:], '\'')
			case c == '\\':
				n := emacsCharLen(q[i+1:])
				i += n
			case c >= 0x80:
				t.Fatalf("shellQuotePOSIX(%q) = %q: byte %#x at %d is not escaped", s, q, c, i)
			}
		}
		if !strings.ContainsAny(s, "\n\x00") {
			w := shellQuoteWindows(s)
			if got, ok := unquoteWindows(w); !ok || got != s {
				t.Fatalf("shellQuoteWindows(%q) = %q, which reads back as %q (ok %v)", s, w, got, ok)
			}
		}
	})
}

// unquoteWindows reads q as cmd.exe and then the C runtime's argument
// parser would, and reports whether it is exactly one argument. cmd.exe
// must see nothing special: in the caret form every special character is
// escaped, in the plain form there is no % or ! and the rest is inside
// double quotes.
func unquoteWindows(q string) (string, bool) {
	if strings.HasPrefix(q, `^"`) {
		var b []byte
		for i := 0; i < len(q); i++ {
			c := q[i]
			if c == '^' {
				i++
				if i == len(q) {
					return "", false
				}
				b = append(b, q[i])
				continue
			}
			if strings.IndexByte(`%!()"<>&|`, c) >= 0 {
				return "", false // cmd.exe would act on it
			}
			b = append(b, c)
		}
		q = string(b)
	} else if strings.ContainsAny(q, "%!") {
		return "", false
	}
	var args []string
	var cur []byte
	inQuotes, started := false, false
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == '\\':
			n := 0
			for i < len(q) && q[i] == '\\' {
				n++
				i++
			}
			if i < len(q) && q[i] == '"' {
				cur = append(cur, bytes.Repeat([]byte{'\\'}, n/2)...)
				if n%2 == 1 {
					cur = append(cur, '"')
					i++
				}
			} else {
				cur = append(cur, bytes.Repeat([]byte{'\\'}, n)...)
			}
			started = true
		case c == '"':
			inQuotes = !inQuotes
			started = true
			i++
		case (c == ' ' || c == '\t') && !inQuotes:
			if started {
				args = append(args, string(cur))
				cur, started = nil, false
			}
			i++
		default:
			cur = append(cur, c)
			started = true
			i++
		}
	}
	if inQuotes {
		return "", false
	}
	if started {
		args = append(args, string(cur))
	}
	if len(args) != 1 {
		return "", false
	}
	return args[0], true
}

// TestShellQuoteAgainstEmacs compares both forms with the output of the
// Emacs on this machine for random strings, when there is one.
func TestShellQuoteAgainstEmacs(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	emacs, err := exec.LookPath("emacs")
	if err != nil {
		t.Skip("no emacs")
	}
	in := roundTripInputs(3000)
	var lines strings.Builder
	for _, s := range in {
		lines.WriteString(hex.EncodeToString([]byte(s)) + "\n")
	}
	dir := t.TempDir()
	inFile := filepath.Join(dir, "in.hex")
	if err := os.WriteFile(inFile, []byte(lines.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	prog := `(progn
(defun w32-shell-dos-semantics () t)
(defun unhex (h)
  (let ((i 0) bytes)
    (while (< i (length h))
      (push (string-to-number (substring h i (+ i 2)) 16) bytes)
      (setq i (+ i 2)))
    (apply #'unibyte-string (nreverse bytes))))
(defun tohex (s)
  (mapconcat (lambda (b) (format "%02x" b)) (encode-coding-string s 'utf-8-unix) ""))
(with-temp-buffer
  (insert-file-contents-literally (car command-line-args-left))
  (setq command-line-args-left nil)
  (dolist (l (split-string (buffer-string) "\n"))
    (let ((s (decode-coding-string (unhex l) 'utf-8-unix)))
      (princ (format "%s %s\n" (tohex (shell-quote-argument s))
                     (tohex (let ((system-type 'windows-nt)) (shell-quote-argument s)))))))))`
	out, err := exec.Command(emacs, "-Q", "--batch", "--eval", prog, inFile).Output()
	if err != nil {
		t.Fatalf("emacs: %v", err)
	}
	got := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(got) != len(in)+1 { // the last line of the file is empty
		t.Fatalf("emacs gave %d lines, want %d", len(got), len(in)+1)
	}
	for i, s := range in {
		f := strings.Fields(got[i])
		if len(f) != 2 {
			t.Fatalf("emacs line %d: %q", i, got[i])
		}
		posix, _ := hex.DecodeString(f[0])
		windows, _ := hex.DecodeString(f[1])
		if !hasTitlecase(s) && shellQuotePOSIX(s) != string(posix) {
			t.Errorf("shellQuotePOSIX(%q) = %q, Emacs gives %q", s, shellQuotePOSIX(s), posix)
		}
		if shellQuoteWindows(s) != string(windows) {
			t.Errorf("shellQuoteWindows(%q) = %q, Emacs gives %q", s, shellQuoteWindows(s), windows)
		}
	}
}

// hasTitlecase reports whether s holds a letter that Emacs 28.2 quotes
// wrongly (see TestShellQuotePOSIXTitlecase).
func hasTitlecase(s string) bool {
	for _, r := range s {
		if r == 0x1C5 || r == 0x1C8 || r == 0x1CB || r == 0x1F2 || 0x1F88 <= r && r <= 0x1FFC && utf8.RuneLen(r) == 3 {
			return true
		}
	}
	return false
}

// combineTests were produced by GNU Emacs 28.2:
//
//	emacs -Q --batch --eval '(princ (format "%S" (combine-and-quote-strings ARGS SEP)))'
var combineTests = []struct {
	args []string
	sep  string
	want string
}{
	{[]string{"a", "b"}, "", "a b"},
	{[]string{"a b", "c"}, "", `"a b" c`},
	{[]string{"", "x", ""}, "", " x "},
	{nil, "", ""},
	{[]string{"one"}, "", "one"},
	{[]string{`a"b`, `c\d`, "e"}, "", `"a\"b" "c\\d" e`},
	{[]string{`a\`, "b c", `d"`}, "", `"a\\" "b c" "d\""`},
	{[]string{"a\tb", "c\nd"}, "", "a\tb c\nd"},
	{[]string{"a,b", "c"}, ",", `"a,b",c`},
	{[]string{"A", "b"}, "a", `"A"ab`}, // case-fold-search
	{[]string{"É", "x"}, "é", `"É"éx`},
	{[]string{"a b", "c"}, ", ", "a b, c"},
	{[]string{"é ü", "ß"}, "", `"é ü" ß`},
	{[]string{"$HOME", "*", "it's"}, "", "$HOME * it's"},
	{[]string{"a.b", "c"}, ".", `"a.b".c`},
}

func TestCombineAndQuoteStrings(t *testing.T) {
	for _, tt := range combineTests {
		if got := CombineAndQuoteStrings(tt.args, tt.sep); got != tt.want {
			t.Errorf("CombineAndQuoteStrings(%q, %q) = %q, want %q (Emacs 28.2)", tt.args, tt.sep, got, tt.want)
		}
	}
}

// splitTests were produced by GNU Emacs 28.2, with the standard syntax
// table (that of a fundamental-mode buffer) current:
//
//	(with-syntax-table (standard-syntax-table) (split-string-and-unquote IN SEP))
//
// with SEP nil where sep is "".
var splitTests = []struct {
	in, sep string
	want    []string
}{
	{"a b  c", "", []string{"a", "b", "c"}},
	{"  a b ", "", []string{"a", "b"}},
	{"", "", nil},
	{"   ", "", nil},
	{"a\tb\nc\rd\fe\vf", "", []string{"a", "b", "c", "d", "e\vf"}},
	{"\"a b\" c", "", []string{"a b", "c"}},
	{"x\"a b\"y z", "", []string{"x", "a b", "y", "z"}},
	{"\"a\\\"b\" \"c\\\\d\"", "", []string{"a\"b", "c\\d"}},
	{"\"\"", "", []string{""}},
	{"a \"\" b", "", []string{"a", "", "b"}},
	{"\"a\"\"b\"", "", []string{"a", "b"}},
	{"a,b,,c", ",", []string{"a", "b", "c"}},
	{"\"a,b\",c", ",", []string{"a,b", "c"}},
	{"a\u00a0b\u3000c\u2003d\u1680e", "", []string{"a", "b", "c", "d\u1680e"}},
	{"\"\\x41\\n\\t\"", "", []string{"A\n\t"}},
	{"a \"b c\"d e", "", []string{"a", "b c", "d", "e"}},
	{"\"\\xe9\" \"\\351\" \"\\u00e9\" \"\\x100\" \"\\400\"", "", []string{"\xe9", "\xe9", "é", "Ā", "Ā"}},
	{"\"\\a\\b\\t\\n\\v\\f\\r\\e\\s\\d\"", "", []string{"\a\b\t\n\v\f\r\x1b \x7f"}},
	{"\"\\q\\z\\ \\\n.\"", "", []string{"qz."}},
	{"\"\\C-a\\^b\\^?\\C-?\\^@\"", "", []string{"\x01\x02\x7f\x7f\x00"}},
	{"\"\\M-a\\M-\\C-a\\M-\\n\"", "", []string{"\xe1\x81\x8a"}},
	{"\"\\N{U+41}\\U0001F600\"", "", []string{"A😀"}},
	{"\"\\x\" \"\\xg\" \"\\0\" \"\\8\" \"\\1234\"", "", []string{"\x00", "\x00g", "\x00", "8", "S4"}},
	{"\"\\x3fff80\" \"\\x110000\" \"\\uD800\"", "", []string{"\x80", "\xf4\x90\x80\x80", "\xed\xa0\x80"}},
	{"\"é ü\" ß", "", []string{"é ü", "ß"}},
	{"\"a\\\\\" b", "", []string{"a\\", "b"}},
	{"one two", "o", []string{"ne tw"}},
	{"a--b-c", "-+", []string{"a", "b", "c"}},
	{"\"tab\there\" x", "", []string{"tab\there", "x"}},
	{"a\"b\"", "", []string{"a", "b"}},
	{"\"a\"b", "", []string{"a", "b"}},
	{"\"x y\"   \"z\"", "", []string{"x y", "z"}},
	{"\xff \xfe\"\xfd\"", "", []string{"\xff", "\xfe", "\xfd"}},
	{"\"\\\"\\\\\"", "", []string{"\"\\"}},
}

func TestSplitStringAndUnquote(t *testing.T) {
	for _, tt := range splitTests {
		got := SplitStringAndUnquote(tt.in, tt.sep)
		if !equalStrings(got, tt.want) || (got == nil) != (tt.want == nil) {
			t.Errorf("SplitStringAndUnquote(%q, %q) = %#v, want %#v (Emacs 28.2)", tt.in, tt.sep, got, tt.want)
		}
	}
}

// TestSplitStringAndUnquoteLenient checks the inputs where Emacs signals an
// error and eproc does not.
func TestSplitStringAndUnquoteLenient(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{`"unterminated`, []string{"unterminated"}},                         // Emacs: end-of-file
		{`a "b c`, []string{"a", "b c"}},                                    // Emacs: end-of-file
		{`"ab\`, []string{"ab"}},                                            // Emacs: end-of-file
		{`"\u12" x`, []string{"u12", "x"}},                                  // Emacs: Non-hex character used for Unicode escape
		{`"\U00110000"`, []string{"U00110000"}},                             // Emacs: Non-Unicode character
		{`"\x400000"`, []string{"x400000"}},                                 // Emacs: Invalid modifier in string
		{`"\N{LATIN SMALL LETTER A}"`, []string{"N{LATIN SMALL LETTER A}"}}, // Emacs knows the names
		{`"\C-%"`, []string{"C-%"}},                                         // Emacs: Invalid modifier in string
		{`"\Cx"`, []string{"Cx"}},                                           // Emacs: Invalid escape character syntax
	}
	for _, tt := range tests {
		if got := SplitStringAndUnquote(tt.in, ""); !equalStrings(got, tt.want) {
			t.Errorf("SplitStringAndUnquote(%q, \"\") = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}

func TestSplitStringAndUnquoteBadSeparatorPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic for the separator \"(\"")
		}
	}()
	SplitStringAndUnquote("a b", "(")
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// FuzzCombineAndSplit checks that SplitStringAndUnquote undoes
// CombineAndQuoteStrings for the words that Emacs's pair handles: not
// empty, and holding no whitespace but spaces.
func FuzzCombineAndSplit(f *testing.F) {
	f.Add("a b", `c"d`, `e\f`)
	f.Add("é", "\xff", "x y z")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		SplitStringAndUnquote(a+`"`+b+`\`+c, "") // must not panic
		words := []string{a, b, c}
		for _, w := range words {
			if w == "" || emacsWhitespace.MatchString(strings.ReplaceAll(w, " ", "")) {
				return
			}
		}
		line := CombineAndQuoteStrings(words, "")
		if got := SplitStringAndUnquote(line, ""); !equalStrings(got, words) {
			t.Fatalf("SplitStringAndUnquote(%q) = %q, want %q", line, got, words)
		}
	})
}

func TestWindowsCommandLine(t *testing.T) {
	// Emacs's quoting for CreateProcess (w32proc.c's sys_spawnve, native
	// programs): quotes around arguments that are empty or hold a space, a
	// tab, a wildcard or a double quote; inside them a backslash before
	// each double quote and backslash runs doubled before a double quote
	// or the closing quote. The round trip through a real child is
	// TestWindowsCommandLineRoundTrip.
	for _, c := range []struct {
		argv []string
		want string
	}{
		{[]string{`C:\bin\prog.exe`, "plain", ""}, `C:\bin\prog.exe plain ""`},
		{[]string{`C:\Program Files\p.exe`, "a b", "tab\there"}, `"C:\Program Files\p.exe" "a b" "tab` + "\t" + `here"`},
		{[]string{"p", `a"b`, `"q"`}, `p "a\"b" "\"q\""`},
		{[]string{"p", `a\"b`, `a\\"b`}, `p "a\\\"b" "a\\\\\"b"`},
		{[]string{"p", `trailing\`, `dir with space\`, `two\\`}, `p trailing\ "dir with space\\" two\\`},
		{[]string{"p", "*.go", "?", `\\server\share`}, `p "*.go" "?" \\server\share`},
		{[]string{"p", "%PATH%", "a&b|c", "new\nline"}, "p %PATH% a&b|c new\nline"},
	} {
		if got := windowsCommandLine(c.argv); got != c.want {
			t.Errorf("windowsCommandLine(%q) = %s, want %s", c.argv, got, c.want)
		}
	}
}
