package eproc

import (
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
)

// Post-read and pre-write conversions: the coding systems Emacs 28.2
// defines in Lisp on top of a base decoder. chinese-hz, utf-7,
// utf-7-imap and vietnamese-viqr decode as utf-8 and then rewrite the
// text (post-read-decode-hz, utf-7-post-read-conversion,
// viqr-post-read-conversion); in-is13194-devanagari decodes as ISO-2022
// and then turns IS 13194 characters into Unicode Devanagari
// (in-is13194-post-read-conversion). Encoding runs the matching
// pre-write conversion on each string before the base encoder.
//
// Emacs runs a post-read conversion on the text of each read by itself,
// and so does eproc: a sequence cut by a read boundary is not converted,
// and an HZ GB run or a UTF-7 base64 run ends with the read. Where the
// Lisp code signals an error on a read's text (HZ text ending in "~",
// a UTF-7 run of 4n+1 characters), Emacs loses that read's text; eproc
// converts the rest and leaves the offending sequence as it is.

type postKind uint8

const (
	postNone postKind = iota
	postHZ
	postUTF7
	postUTF7IMAP
	postVIQR
	postISCII
	postCtext // compound-text-with-extensions (coding_ctext.go)
)

// postRead is the post-read conversion of kind k of the text of one
// read; ok is false where Emacs's conversion signals an error. emacsBugs
// is the decoder's (see streamDecoder.emacsBugs).
func postRead(k postKind, text string, emacsBugs bool) (_ string, ok bool) {
	switch k {
	case postHZ:
		return hzDecode(text)
	case postUTF7, postUTF7IMAP:
		return utf7Decode(text, k == postUTF7IMAP, emacsBugs)
	case postVIQR:
		return viqrDecode(text), true
	case postISCII:
		return isciiDecode(text), true
	case postCtext:
		return ctextDecode(text, emacsBugs)
	}
	return text, true
}

// preWrite is the pre-write conversion of kind k.
func preWrite(k postKind, s string) string {
	switch k {
	case postHZ:
		return hzEncode(s)
	case postUTF7, postUTF7IMAP:
		return utf7Encode(s, k == postUTF7IMAP)
	case postVIQR:
		return viqrEncode(s)
	case postISCII:
		return isciiEncode(s)
	}
	return s
}

// HZ (RFC 1843), as decode-hz-region reads it: "~{" starts a run of
// GB 2312 codes, two bytes each, the first 0x21-0x7D, the second
// 0x21-0x7E; the first pair that is not one ends the run, and a "~}"
// right there is removed. Outside a run "~~" is "~"; any other "~" is
// left as it is, with the character after it ("~\n" included, since
// decode-hz-line-continuation is nil).
func hzDecode(in string) (string, bool) {
	if strings.IndexByte(in, '~') < 0 {
		return in, true
	}
	ok := true
	out := make([]byte, 0, len(in))
	gb := charsetNamed("chinese-gb2312")
	inGB := false
	for i := 0; i < len(in); {
		if inGB {
			c := in[i]
			if c >= 0x21 && c <= 0x7D && i+1 < len(in) && in[i+1] >= 0x21 && in[i+1] <= 0x7E {
				out = appendEmacsChar(out, gb.decode(uint32(c)<<8|uint32(in[i+1])))
				i += 2
				continue
			}
			if strings.HasPrefix(in[i:], "~}") {
				i += 2
			}
			inGB = false
			continue
		}
		j := strings.IndexByte(in[i:], '~')
		if j < 0 {
			out = append(out, in[i:]...)
			break
		}
		out = append(out, in[i:i+j]...)
		i += j
		switch {
		case strings.HasPrefix(in[i:], "~{"):
			inGB = true
			i += 2
		case strings.HasPrefix(in[i:], "~~"):
			out = append(out, '~')
			i += 2
		default:
			// Emacs signals an error at a "~" that ends the text.
			ok = ok && i+1 < len(in)
			out = append(out, '~')
			i++
		}
	}
	return string(out), ok
}

// hzEncode is pre-write-encode-hz: "~" becomes "~~", a character neither
// ASCII nor in GB 2312 becomes \uXXXX (\UXXXXXXXX past U+FFFF), and a run
// of GB 2312 characters is written between "~{" and "~}" (the run ends
// at any ASCII character, so before each newline).
func hzEncode(s string) string {
	gb := charsetNamed("chinese-gb2312")
	var b strings.Builder
	inGB := false
	for i := 0; i < len(s); {
		c, n := decodeEmacsChar(s[i:])
		i += n
		if c >= 0x80 {
			if code, ok := gb.encode(c); ok {
				if !inGB {
					b.WriteString("~{")
					inGB = true
				}
				b.WriteByte(byte(code >> 8))
				b.WriteByte(byte(code))
				continue
			}
		}
		if inGB {
			b.WriteString("~}")
			inGB = false
		}
		switch {
		case c == '~':
			b.WriteString("~~")
		case c < 0x80:
			b.WriteByte(byte(c))
		case c < 0x10000:
			fmt.Fprintf(&b, "\\u%04X", c)
		default:
			fmt.Fprintf(&b, "\\U%08X", c)
		}
	}
	if inGB {
		b.WriteString("~}")
	}
	return b.String()
}

// UTF-7 (RFC 2152) and IMAP's variant (RFC 3501), as utf-7-decode reads
// them: the escape character ("+", or "&" for IMAP) starts a run of
// base64 characters (A-Z a-z 0-9 + and /, or + and , for IMAP); a "-"
// right after the run is removed; an empty run leaves the escape
// character. The run, padded with "=", is base64-decoded and the bytes
// decoded as utf-16be, whose end-of-line type is undecided (a CR LF in
// the run becomes LF, a lone CR LF). A run of 4n+1 characters is not
// base64: Emacs signals an error (losing the read); eproc leaves such a
// run as it is.
func utf7Decode(text string, imap, emacsBugs bool) (string, bool) {
	esc := byte('+')
	if imap {
		esc = '&'
	}
	if strings.IndexByte(text, esc) < 0 {
		return text, true
	}
	ok := true
	isB64 := func(c byte) bool {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+':
			return true
		case c == '/':
			return !imap
		case c == ',':
			return imap
		}
		return false
	}
	out := make([]byte, 0, len(text))
	for i := 0; ; {
		j := strings.IndexByte(text[i:], esc)
		if j < 0 {
			out = append(out, text[i:]...)
			break
		}
		out = append(out, text[i:i+j]...)
		i += j + 1
		start := i
		for i < len(text) && isB64(text[i]) {
			i++
		}
		run := text[start:i]
		dash := i < len(text) && text[i] == '-'
		if dash {
			i++
		}
		switch {
		case len(run) == 0:
			out = append(out, esc)
		case len(run)%4 == 1:
			// Not base64: Emacs signals an error.
			ok = false
			out = append(out, text[start-1:i]...)
		default:
			out = append(out, utf7Run(run, emacsBugs)...)
		}
	}
	return string(out), ok
}

// utf7Run decodes the characters of a UTF-7 run (IMAP's "," for "/"
// allowed), not 4n+1 of them.
func utf7Run(run string, emacsBugs bool) string {
	b64 := make([]byte, 0, len(run)+3)
	for i := 0; i < len(run); i++ {
		c := run[i]
		if c == ',' {
			c = '/'
		}
		b64 = append(b64, c)
	}
	for len(b64)%4 != 0 {
		b64 = append(b64, '=')
	}
	raw := make([]byte, base64.StdEncoding.DecodedLen(len(b64)))
	n, err := base64.StdEncoding.Decode(raw, b64)
	if err != nil {
		// Only the last quantum's unused bits can be wrong, which Emacs
		// ignores as well.
		n = lenientBase64(raw, b64)
	}
	d := &streamDecoder{symbol: "utf-16be", emacsBugs: emacsBugs}
	d.setFamily(codingFamily("utf-16be"), EOLUndecided)
	return d.decode(raw[:n], true)
}

// lenientBase64 decodes b64 (valid characters, padded) into dst ignoring
// the unused bits of the last quantum, and returns the length.
func lenientBase64(dst, b64 []byte) int {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	n, bits := 0, 0
	var acc uint32
	for _, c := range b64 {
		if c == '=' {
			break
		}
		acc = acc<<6 | uint32(strings.IndexByte(alphabet, c))
		bits += 6
		if bits >= 8 {
			bits -= 8
			dst[n] = byte(acc >> bits)
			n++
		}
	}
	return n
}

// utf7Encode is utf-7-encode: the characters "\t\n\r -*,-[]-}" (IMAP:
// "\t\n\r", space to "%" and "'" to "~") are written as they are, the
// escape character as "+-" ("&-"), and a run of other characters as the
// escape character, the base64 form of their utf-16be encoding without
// padding, and "-" (left out at the end of a utf-7 string). Emacs
// 28.2's base64-encode-region breaks lines after 76 characters and
// utf-7-encode then keeps only the first line, losing the rest of a run
// of more than 28 characters; eproc writes the whole run.
func utf7Encode(s string, imap bool) string {
	direct := func(c rune) bool {
		if c == '\t' || c == '\n' || c == '\r' {
			return true
		}
		if imap {
			return c >= 0x20 && c <= 0x7E && c != '&'
		}
		return c >= ' ' && c <= '*' || c >= ',' && c <= '[' || c >= ']' && c <= '}'
	}
	esc := byte('+')
	if imap {
		esc = '&'
	}
	var b strings.Builder
	var units []byte
	for i := 0; i < len(s); {
		c, n := decodeEmacsChar(s[i:])
		if direct(c) {
			b.WriteByte(byte(c))
			i += n
			continue
		}
		if byte(c) == esc && c < 0x80 {
			b.WriteByte(esc)
			b.WriteByte('-')
			i += n
			continue
		}
		units = units[:0]
		for i < len(s) {
			c, n := decodeEmacsChar(s[i:])
			if direct(c) || c < 0x80 && byte(c) == esc {
				break
			}
			i += n
			switch {
			case c > 0x10FFFF:
				// utf-16be's default character.
				units = append(units, 0, ' ')
			case c >= 0x10000:
				c -= 0x10000
				hi, lo := 0xD800+c>>10, 0xDC00+c&0x3FF
				units = append(units, byte(hi>>8), byte(hi), byte(lo>>8), byte(lo))
			default:
				units = append(units, byte(c>>8), byte(c))
			}
		}
		b.WriteByte(esc)
		enc := base64.RawStdEncoding.EncodeToString(units)
		if imap {
			enc = strings.ReplaceAll(enc, "/", ",")
		}
		b.WriteString(enc)
		if imap || i < len(s) {
			b.WriteByte('-')
		}
	}
	return b.String()
}

// VIQR (RFC 1456), as viet-decode-viqr-region reads it: a vowel (a e i
// o u y, either case) followed by a breve, circumflex or horn mark
// ("(", "^", "+") and/or a tone mark ("'", "`", "?", "~", "."), or two
// D's of either case, is replaced by the character viet-viqr-alist gives
// that mnemonic, if any. The backslash escapes the alist also lists are
// not undone.
var viqrTables = sync.OnceValue(func() (t struct {
	dec map[string]rune
	enc map[rune]string
}) {
	t.dec, t.enc = map[string]rune{}, map[rune]string{}
	for _, e := range genVIQR {
		if _, ok := t.dec[e.s]; !ok {
			t.dec[e.s] = e.c
		}
		if _, ok := t.enc[e.c]; !ok {
			t.enc[e.c] = e.s
		}
	}
	return t
})

func viqrVowel(c byte) bool { return strings.IndexByte("aeiouyAEIOUY", c) >= 0 }
func viqrMark(c byte) bool  { return c == '(' || c == '^' || c == '+' }
func viqrTone(c byte) bool  { return strings.IndexByte("'`?~.", c) >= 0 }

func viqrDecode(in string) string {
	dec := viqrTables().dec
	var out []byte
	last := 0 // in[:last] is in out
	for i := 0; i < len(in); {
		c := in[i]
		m := 0 // the length of the match at i
		if viqrVowel(c) && i+1 < len(in) {
			switch {
			case viqrMark(in[i+1]):
				m = 2
				if i+2 < len(in) && viqrTone(in[i+2]) {
					m = 3
				}
			case viqrTone(in[i+1]):
				m = 2
			}
		} else if (c == 'd' || c == 'D') && i+1 < len(in) && (in[i+1] == 'd' || in[i+1] == 'D') {
			m = 2
		}
		if m == 0 {
			i++
			continue
		}
		if r, ok := dec[in[i:i+m]]; ok {
			out = appendEmacsChar(append(out, in[last:i]...), r)
			last = i + m
		}
		i += m
	}
	if out == nil {
		return in
	}
	return string(append(out, in[last:]...))
}

// viqrEncode is viqr-pre-write-conversion: each Vietnamese character
// (category v) with a mnemonic in viet-viqr-alist is replaced by it.
func viqrEncode(s string) string {
	enc := viqrTables().enc
	var b strings.Builder
	for i := 0; i < len(s); {
		c, n := decodeEmacsChar(s[i:])
		if m, ok := enc[c]; ok && vietnamese(c) {
			b.WriteString(m)
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func vietnamese(c rune) bool {
	for _, r := range genVietnamese {
		if c >= r[0] && c <= r[1] {
			return true
		}
	}
	return false
}

// IS 13194 (ISCII) Devanagari, as in-is13194-post-read-conversion turns
// it into Unicode: the longest IS 13194 form of a Devanagari character
// (one or two characters of charset indian-is13194, or ASCII text like
// "[U+0904]") at each place is replaced by that character. The search
// ignores ASCII case (case-fold-search), and a form found that way but
// not listed as it is ("[u+0904]") is deleted, as Emacs does.
var isciiTables = sync.OnceValue(func() (t struct {
	dec    map[string]rune // form (eproc text) -> character
	enc    map[rune]string
	folded map[string]bool // forms and their prefixes, ASCII lower-cased
	maxLen int
}) {
	t.dec, t.enc, t.folded = map[string]rune{}, map[rune]string{}, map[string]bool{}
	for _, e := range genISCII {
		var k []byte
		for _, c := range e.key {
			k = appendEmacsChar(k, c)
		}
		t.dec[string(k)] = e.c
		t.enc[e.c] = string(k)
		t.maxLen = max(t.maxLen, len(k))
		f := strings.ToLower(string(k))
		for j := 1; j <= len(f); j++ {
			t.folded[f[:j]] = t.folded[f[:j]] || j == len(f)
		}
	}
	return t
})

func isciiDecode(in string) string {
	t := isciiTables()
	out := make([]byte, 0, len(in))
	for i := 0; i < len(in); {
		// The longest form at i, matching ASCII letters in either case.
		best := 0
		for j := i + 1; j <= len(in) && j-i <= t.maxLen; j++ {
			full, ok := t.folded[asciiLower(in[i:j])]
			if !ok {
				break
			}
			if full {
				best = j - i
			}
		}
		if best == 0 {
			out = append(out, in[i])
			i++
			continue
		}
		if c, ok := t.dec[in[i:i+best]]; ok {
			out = appendEmacsChar(out, c)
		}
		i += best
	}
	return string(out)
}

func asciiLower(b string) string {
	s := []byte(b)
	for i, c := range s {
		if c >= 'A' && c <= 'Z' {
			s[i] = c + 'a' - 'A'
		}
	}
	return string(s)
}

// isciiEncode is in-is13194-pre-write-conversion: each character
// U+0900-U+097F becomes its IS 13194 form.
func isciiEncode(s string) string {
	enc := isciiTables().enc
	var b strings.Builder
	for i := 0; i < len(s); {
		c, n := decodeEmacsChar(s[i:])
		if f, ok := enc[c]; ok {
			b.WriteString(f)
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}
