package eproc

import (
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file holds Emacs's shell quoting: shell-quote-argument,
// combine-and-quote-strings and split-string-and-unquote. All three work on
// bytes, as eproc's strings are bytes: where Emacs would see characters,
// eproc takes the characters that Emacs's utf-8 decoder would make of the
// bytes, and every byte that is not part of such a character stands alone,
// as a raw byte does in Emacs.

// ShellQuoteArgument returns arg quoted so that a shell reads it back as
// one word equal to arg: Emacs's shell-quote-argument.
//
// On every system but Windows the result is Emacs's POSIX form: "" becomes
// two single quotes; every character other than the ASCII letters and digits and
// "-", "_", ".", "/" gets a backslash in front of it (a multibyte UTF-8
// character gets one backslash, a byte that is not valid UTF-8 gets one of
// its own); a newline becomes a newline inside single quotes ("'\n'").
// For example "it's a file" becomes `it\'s\ a\ file`. The result is meant
// for /bin/sh and the shells that share its quoting rules (bash, dash, zsh,
// ksh).
//
// On Windows the result is Emacs's form for cmd.exe: the argument is first
// quoted for the argument parser of Microsoft's C runtime (a run of
// backslashes before a double quote or at the end is doubled, and each
// double quote gets a backslash), then enclosed in double quotes; if it
// holds any of % ! ", cmd.exe's special characters %!()"<>&|^ and the
// enclosing quotes are escaped with a caret instead. For example
// "foo > bar" becomes `"foo > bar"`. Emacs uses this form only when its
// shell is cmd.exe-like (w32-shell-dos-semantics); with a POSIX shell on
// Windows, quote with the POSIX rules yourself.
//
// Emacs 28.2 has a bug that eproc does not copy: it passes its replacement
// text through case conversion, so each of 31 titlecase letters such as
// U+01C5 (Dž) comes out as a different, uppercase text and no longer reads
// back as itself. eproc escapes those letters like every other character.
func ShellQuoteArgument(arg string) string {
	if runtime.GOOS == "windows" {
		return shellQuoteWindows(arg)
	}
	return shellQuotePOSIX(arg)
}

// shellSafe reports whether the POSIX form leaves byte c as it is.
func shellSafe(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '/'
}

// shellQuotePOSIX is the POSIX form of ShellQuoteArgument, compiled on every
// system so that both forms can be tested anywhere.
func shellQuotePOSIX(arg string) string {
	if arg == "" {
		return "''"
	}
	i := 0
	for i < len(arg) && shellSafe(arg[i]) {
		i++
	}
	if i == len(arg) {
		return arg
	}
	var b strings.Builder
	b.Grow(2*len(arg) + 2)
	b.WriteString(arg[:i])
	for i < len(arg) {
		c := arg[i]
		switch {
		case shellSafe(c):
			b.WriteByte(c)
			i++
		case c == '\n':
			b.WriteString("'\n'")
			i++
		default:
			n := emacsCharLen(arg[i:])
			b.WriteByte('\\')
			b.WriteString(arg[i : i+n])
			i += n
		}
	}
	return b.String()
}

// emacsCharLen returns the length in bytes of the first character of s (s
// is not empty) as Emacs's utf-8 decoder reads it: a valid UTF-8 sequence,
// including Emacs's extension to characters above U+10FFFF (4-byte
// sequences up to 0x1FFFFF and 5-byte sequences from 0x200000 to
// 0x3FFFFF), is one character; overlong forms, surrogates, truncated
// sequences and stray bytes are raw bytes of length 1.
func emacsCharLen(s string) int {
	c := s[0]
	var n int
	var min, v rune
	switch {
	case c < 0x80:
		return 1
	case c&0xE0 == 0xC0:
		n, min, v = 2, 0x80, rune(c&0x1F)
	case c&0xF0 == 0xE0:
		n, min, v = 3, 0x800, rune(c&0x0F)
	case c&0xF8 == 0xF0:
		n, min, v = 4, 0x10000, rune(c&0x07)
	case c == 0xF8:
		n, min, v = 5, 0x200000, 0
	default:
		return 1
	}
	if len(s) < n {
		return 1
	}
	for k := 1; k < n; k++ {
		if s[k]&0xC0 != 0x80 {
			return 1
		}
		v = v<<6 | rune(s[k]&0x3F)
	}
	if v < min || 0xD800 <= v && v <= 0xDFFF || v > 0x3FFFFF {
		return 1
	}
	return n
}

// shellQuoteWindows is the MS-Windows (cmd.exe) form of ShellQuoteArgument,
// compiled on every system so that both forms can be tested anywhere.
//
// It reproduces Emacs 28.2 including one detail of its regular
// expressions: a run of backslashes just before a newline is doubled as if
// it ended the argument (cmd.exe cannot pass a newline in an argument
// anyway).
func shellQuoteWindows(arg string) string {
	// Pass 1: quoting for the C runtime's argument parser.
	var b strings.Builder
	b.Grow(len(arg) + 8)
	special := false // holds % ! or "
	run := 0         // backslashes seen and not yet written
	for i := 0; i < len(arg); i++ {
		c := arg[i]
		switch c {
		case '\\':
			run++
			continue
		case '"':
			writeBackslashes(&b, 2*run)
			b.WriteString(`\"`)
			special = true
		case '\n':
			writeBackslashes(&b, 2*run)
			b.WriteByte(c)
		default:
			if c == '%' || c == '!' {
				special = true
			}
			writeBackslashes(&b, run)
			b.WriteByte(c)
		}
		run = 0
	}
	writeBackslashes(&b, 2*run)
	s := b.String()
	if !special {
		return `"` + s + `"`
	}
	// Pass 2: cmd.exe would expand % and ! and act on the other special
	// characters even inside double quotes, because the quotes are
	// unbalanced for it; escape them all with a caret.
	var c strings.Builder
	c.Grow(2*len(s) + 4)
	c.WriteString(`^"`)
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '%', '!', '(', ')', '"', '<', '>', '&', '|', '^':
			c.WriteByte('^')
		}
		c.WriteByte(s[i])
	}
	c.WriteString(`^"`)
	return c.String()
}

func writeBackslashes(b *strings.Builder, n int) {
	for ; n > 0; n-- {
		b.WriteByte('\\')
	}
}

// CombineAndQuoteStrings joins args with sep between them, enclosing in
// double quotes each arg that holds sep, a double quote or a backslash, and
// putting a backslash before each double quote and backslash inside those
// quotes: Emacs's combine-and-quote-strings. An empty sep means " ", Emacs's
// default. It is meant for SplitStringAndUnquote, not for a shell: use
// ShellQuoteArgument for that.
//
// As in Emacs (whose case-fold-search is on by default), sep is looked for
// without regard to letter case: with sep "x" an arg holding "X" is quoted
// too. eproc folds case as package unicode does, which differs from Emacs's
// case table for a few letters (the Kelvin sign matches "k" here, not in
// Emacs); at worst an arg is quoted that need not be. Emacs also gives a meaning to the separator "" (no separator, every
// arg quoted); eproc cannot tell it from the default.
//
// Like Emacs's, the result only reads back as args when each arg is
// non-empty and holds no whitespace other than sep.
func CombineAndQuoteStrings(args []string, sep string) string {
	if sep == "" {
		sep = " "
	}
	contains := separatorFinder(sep)
	var b strings.Builder
	for i, arg := range args {
		if i > 0 {
			b.WriteString(sep)
		}
		if !strings.ContainsAny(arg, `"\`) && !contains(arg) {
			b.WriteString(arg)
			continue
		}
		b.WriteByte('"')
		for j := 0; j < len(arg); j++ {
			if arg[j] == '"' || arg[j] == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(arg[j])
		}
		b.WriteByte('"')
	}
	return b.String()
}

// separatorFinder returns a function reporting whether a string holds sep,
// ignoring letter case as Emacs's string-match does by default.
func separatorFinder(sep string) func(string) bool {
	cased := false
	for _, r := range sep {
		if unicode.SimpleFold(r) != r {
			cased = true
			break
		}
	}
	if cased && utf8.ValidString(sep) {
		if re, err := regexp.Compile("(?i)" + regexp.QuoteMeta(sep)); err == nil {
			return re.MatchString
		}
	}
	return func(s string) bool { return strings.Contains(s, sep) }
}

// emacsWhitespace matches a run of the characters that have whitespace
// syntax in Emacs's standard syntax table (Emacs 28.2): TAB, LF, FF, CR,
// space, U+00A0, U+2000 to U+200B, U+202F, U+205F and U+3000. VT is not
// among them.
var emacsWhitespace = regexp.MustCompile("[\t\n\f\r \u00a0\u2000-\u200b\u202f\u205f\u3000]+")

// SplitStringAndUnquote splits s into words: Emacs's
// split-string-and-unquote, the inverse of CombineAndQuoteStrings for the
// simple cases.
//
// Outside double quotes, s is split at every match of sep, and empty words
// are dropped. sep is a regular expression in the syntax of package regexp
// (Emacs's is an Emacs regexp); it panics if sep does not compile, as
// regexp.MustCompile does. An empty sep means Emacs's default "\\s-+": a
// run of characters with whitespace syntax in Emacs's standard syntax table
// (TAB, LF, FF, CR, space, U+00A0, U+2000 to U+200B, U+202F, U+205F,
// U+3000). Unlike Emacs's, sep is matched with letter case, unless it
// starts with "(?i)".
//
// A double quote starts a word that is read as an Emacs Lisp string and
// ends at the matching double quote, wherever it is: `x"a b"y` gives "x",
// "a b" and "y", and `""` gives one empty word. Inside the quotes these
// escapes are understood, as Emacs's reader does: \" \\ \a \b \t \n \v \f
// \r \e \s (space) \d (DEL); backslash-newline and backslash-space stand for
// nothing; \NNN (one to three octal digits), \xH... (any number of hex
// digits, none meaning NUL), \uHHHH, \UHHHHHHHH and \N{U+H...} give the
// character with that code (a code below 256 from \NNN or \x gives that
// byte); \C-c and \^c give the control character (c one of @ to _, a to z,
// or ? for DEL); \M-c gives the byte c+128 for an ASCII c; a backslash
// before any other character stands for that character.
//
// Where Emacs signals an error, SplitStringAndUnquote does not fail: a
// quoted word that is not closed runs to the end of s, and an escape that
// Emacs rejects (a short \u, a code out of range, \N{NAME}) loses its
// backslash and is otherwise kept as written.
func SplitStringAndUnquote(s string, sep string) []string {
	re := emacsWhitespace
	if sep != "" {
		re = regexp.MustCompile(sep)
	}
	var words []string
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			return appendSplit(words, s, re)
		}
		words = appendSplit(words, s[:i], re)
		w, n := readLispString(s[i+1:])
		words = append(words, w)
		s = s[i+1+n:]
	}
}

// appendSplit appends the non-empty pieces of s between matches of re.
func appendSplit(words []string, s string, re *regexp.Regexp) []string {
	if s == "" {
		return words
	}
	for _, w := range re.Split(s, -1) {
		if w != "" {
			words = append(words, w)
		}
	}
	return words
}

// readLispString reads the body of an Emacs Lisp string literal from s,
// which starts just after the opening double quote. It returns the string
// and how many bytes of s it used, the closing quote included; an
// unterminated literal uses all of s.
func readLispString(s string) (string, int) {
	var b []byte
	i := 0
	for i < len(s) {
		c := s[i]
		if c == '"' {
			return string(b), i + 1
		}
		if c != '\\' {
			b = append(b, c)
			i++
			continue
		}
		if i+1 == len(s) { // a lone backslash at the end: Emacs's end-of-file
			return string(b), len(s)
		}
		var n int
		var ok bool
		b, n, ok = readEscape(b, s[i+1:])
		if !ok {
			// Keep what follows the backslash as it is.
			i++
			continue
		}
		i += 1 + n
	}
	return string(b), len(s)
}

// readEscape appends the value of the escape sequence at the start of s
// (just after a backslash; s is not empty) to b. It returns the bytes of s
// used and whether the escape was valid.
func readEscape(b []byte, s string) ([]byte, int, bool) {
	c := s[0]
	switch c {
	case '\n', ' ':
		return b, 1, true
	case 'a':
		return append(b, 7), 1, true
	case 'b':
		return append(b, '\b'), 1, true
	case 't':
		return append(b, '\t'), 1, true
	case 'n':
		return append(b, '\n'), 1, true
	case 'v':
		return append(b, '\v'), 1, true
	case 'f':
		return append(b, '\f'), 1, true
	case 'r':
		return append(b, '\r'), 1, true
	case 'e':
		return append(b, 27), 1, true
	case 's':
		return append(b, ' '), 1, true
	case 'd':
		return append(b, 127), 1, true
	case '0', '1', '2', '3', '4', '5', '6', '7':
		v, n := 0, 0
		for n < 3 && n < len(s) && '0' <= s[n] && s[n] <= '7' {
			v = v*8 + int(s[n]-'0')
			n++
		}
		return appendCode(b, v, true), n, true
	case 'x':
		v, n := 0, 1
		for n < len(s) && hexVal(s[n]) >= 0 {
			if v <= maxEmacsChar {
				v = v*16 + hexVal(s[n])
			}
			n++
		}
		if v > maxEmacsChar {
			return b, 0, false
		}
		return appendCode(b, v, true), n, true
	case 'u', 'U':
		digits := 4
		if c == 'U' {
			digits = 8
		}
		if len(s) < 1+digits {
			return b, 0, false
		}
		v := 0
		for _, d := range []byte(s[1 : 1+digits]) {
			if hexVal(d) < 0 {
				return b, 0, false
			}
			v = v*16 + hexVal(d)
		}
		if v > unicode.MaxRune {
			return b, 0, false
		}
		return appendCode(b, v, false), 1 + digits, true
	case 'N':
		// Only the \N{U+X} form; Unicode names are not known here.
		if !strings.HasPrefix(s, "N{U+") {
			return b, 0, false
		}
		end := strings.IndexByte(s, '}')
		if end < 5 {
			return b, 0, false
		}
		v := 0
		for _, d := range []byte(s[4:end]) {
			if hexVal(d) < 0 || v > unicode.MaxRune {
				return b, 0, false
			}
			v = v*16 + hexVal(d)
		}
		if v > unicode.MaxRune || 0xD800 <= v && v <= 0xDFFF {
			return b, 0, false
		}
		return appendCode(b, v, false), end + 1, true
	case 'C', '^', 'M':
		n := 1
		if c != '^' {
			if len(s) < 2 || s[1] != '-' {
				return b, 0, false
			}
			n = 2
		}
		if n == len(s) {
			return b, 0, false
		}
		x := s[n]
		if c == 'M' {
			used := 1
			if x == '\\' && n+1 < len(s) {
				// An escaped character: \M-\n, \M-\C-a.
				inner, m, ok := readEscape(nil, s[n+1:])
				if !ok || len(inner) != 1 {
					return b, 0, false
				}
				x, used = inner[0], 1+m
			}
			if x >= 0x80 {
				return b, 0, false
			}
			return append(b, x|0x80), n + used, true
		}
		switch {
		case x == '?':
			return append(b, 127), n + 1, true
		case '@' <= x && x <= '_':
			return append(b, x-'@'), n + 1, true
		case 'a' <= x && x <= 'z':
			return append(b, x-'a'+1), n + 1, true
		}
		return b, 0, false
	}
	// Any other character stands for itself; a multibyte character is
	// copied whole by the caller's next steps.
	return append(b, c), 1, true
}

// maxEmacsChar is the largest character code Emacs knows; the codes from
// 0x3FFF80 up are its raw bytes 0x80 to 0xFF.
const maxEmacsChar = 0x3FFFFF

// appendCode appends the character with code v as Emacs's utf-8 encoder
// writes it. With rawBelow256 (the \x and octal escapes), codes below 256
// are single bytes. Emacs's raw-byte codes give their byte.
func appendCode(b []byte, v int, rawBelow256 bool) []byte {
	switch {
	case v < 0x80 || rawBelow256 && v < 0x100:
		return append(b, byte(v))
	case v >= 0x3FFF80:
		return append(b, byte(v-0x3FFF00))
	case v < 0x800:
		return append(b, byte(0xC0|v>>6), byte(0x80|v&0x3F))
	case v < 0x10000: // surrogates included, as Emacs writes them
		return append(b, byte(0xE0|v>>12), byte(0x80|v>>6&0x3F), byte(0x80|v&0x3F))
	case v < 0x200000:
		return append(b, byte(0xF0|v>>18), byte(0x80|v>>12&0x3F), byte(0x80|v>>6&0x3F), byte(0x80|v&0x3F))
	default:
		return append(b, 0xF8, byte(0x80|v>>18&0x3F), byte(0x80|v>>12&0x3F), byte(0x80|v>>6&0x3F), byte(0x80|v&0x3F))
	}
}

func hexVal(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// windowsCommandLine joins argv into the command line CreateProcess takes,
// quoted as Emacs's w32 port quotes it for a native program (w32proc.c's
// sys_spawnve with w32-quote-process-args t), so that the Microsoft C
// runtime's argument parser gives the child argv back: an argument that
// is empty or holds a space, a tab, a wildcard (* or ?) or a double quote
// is enclosed in double quotes; inside them each double quote gets a
// backslash, and a run of backslashes before a double quote or before the
// closing quote is doubled. Other arguments are taken as they are.
// Wildcards are quoted so that a program linked with wildcard expansion
// does not expand them, as on POSIX systems without a shell.
//
// It is compiled on every system so that it can be tested anywhere.
func windowsCommandLine(argv []string) string {
	var b strings.Builder
	for i, arg := range argv {
		if i > 0 {
			b.WriteByte(' ')
		}
		if arg != "" && !strings.ContainsAny(arg, " \t*?\"") {
			b.WriteString(arg)
			continue
		}
		b.WriteByte('"')
		run := 0 // backslashes just written
		for j := 0; j < len(arg); j++ {
			c := arg[j]
			if c == '"' {
				writeBackslashes(&b, run+1)
			}
			b.WriteByte(c)
			if c == '\\' {
				run++
			} else {
				run = 0
			}
		}
		writeBackslashes(&b, run)
		b.WriteByte('"')
	}
	return b.String()
}

// defaultShell is shell-file-name's default: $SHELL, then /bin/sh; on
// Windows $SHELL, then %ComSpec%, then cmd.exe.
func defaultShell() string {
	if s := os.Getenv("SHELL"); s != "" {
		return s
	}
	if runtime.GOOS == "windows" {
		if s := os.Getenv("ComSpec"); s != "" {
			return s
		}
		return "cmd.exe"
	}
	return "/bin/sh"
}

// defaultShellSwitch is shell-command-switch's default for the shell
// named shell ("" for defaultShell): "-c", or on Windows "/c" for the
// DOS shells cmd.exe and command.com, which take that form (Emacs's
// w32-shell-dos-semantics).
func defaultShellSwitch(shell string) string {
	if shell == "" {
		shell = defaultShell()
	}
	if runtime.GOOS == "windows" {
		base := strings.ToLower(filepath.Base(strings.ReplaceAll(shell, `\`, "/")))
		switch strings.TrimSuffix(base, ".exe") {
		case "cmd", "command", "command.com":
			return "/c"
		}
	}
	return "-c"
}
