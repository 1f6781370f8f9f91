package eproc

import (
	"strings"
)

// compound-text-with-extensions: Compound Text with the extended segments
// of the ICCCM, as Emacs 28.2's ctext-post-read-conversion and
// ctext-pre-write-conversion handle them (Emacs means the system for X
// selections, but any process may use it).
//
// Decoding: the ISO-2022 decoder keeps extended segments (ESC % / ...) and
// UTF-8 segments (ESC % G ... ESC % @) as raw bytes; then, on the text of
// each read, the post-read conversion decodes the text again as
// compound-text (bytes and raw bytes are decoded, other characters pass;
// the end-of-line type is detected anew), and decodes each segment found:
// an extended segment named in ctext-non-standard-encodings-alist (or
// naming a coding system) with that system, a UTF-8 segment as utf-8.
//
// Encoding: each run of non-ASCII characters of one charset of
// ctext-standard-encodings (in charset priority order) is written in that
// charset; a run of characters in none of them as a UTF-8 segment.

// ctextStandard is (sort-charsets (copy-sequence ctext-standard-encodings))
// in Emacs 28.2's English language environment.
var ctextStandard = []string{"ascii", "latin-iso8859-1", "latin-iso8859-2", "latin-iso8859-3", "latin-iso8859-4",
	"cyrillic-iso8859-5", "arabic-iso8859-6", "greek-iso8859-7", "hebrew-iso8859-8", "latin-iso8859-9",
	"chinese-gb2312", "japanese-jisx0208", "korean-ksc5601", "latin-jisx0201", "katakana-jisx0201"}

// ctextNonStandard is ctext-non-standard-encodings-alist: an extended
// segment's encoding name (matched ignoring case) and its coding system.
var ctextNonStandard = [][2]string{
	{"big5-0", "big5"}, {"ISO8859-14", "iso-8859-14"}, {"ISO8859-15", "iso-8859-15"},
	{"gbk-0", "gbk"}, {"koi8-r", "koi8-r"}, {"microsoft-cp1251", "windows-1251"},
}

// Raw bytes in the text of the first decoding are marked: written as
// Emacs's internal form of a raw-byte character, F8 8F BF BE/BF and a
// continuation byte, which no character has, so that the conversion can
// tell them from characters (in eproc's text a raw byte is the byte,
// and raw bytes may look like a UTF-8 sequence).

// appendMarkedRaw appends raw byte b (0x80 or more) marked.
func appendMarkedRaw(dst []byte, b byte) []byte {
	return append(dst, 0xF8, 0x8F, 0xBF, 0xBE|b>>6&1, 0x80|b&0x3F)
}

// decodeMarked is decodeEmacsChar for text with marked raw bytes, which
// it returns as raw bytes (#x3FFF80 + ...).
func decodeMarked(s string) (rune, int) {
	if len(s) >= 5 && s[0] == 0xF8 && s[1] == 0x8F && s[2] == 0xBF && s[3]&0xFE == 0xBE && s[4]&0xC0 == 0x80 {
		return 0x3FFF80 + rune(s[3]&1)<<6 + rune(s[4]&0x3F), 5
	}
	return decodeEmacsChar(s)
}

// unmark turns marked raw bytes back into bytes.
func unmark(s string) string {
	if !strings.Contains(s, "\xF8\x8F\xBF") {
		return s
	}
	var b []byte
	for i := 0; i < len(s); {
		c, n := decodeMarked(s[i:])
		if n == 5 && c >= 0x3FFF80 {
			b = append(b, byte(c-0x3FFF00))
		} else {
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return string(b)
}

// markRaw marks the bytes of b, all raw, that are 0x80 or more.
func markRaw(dst, b []byte) []byte {
	for _, c := range b {
		if c < 0x80 {
			dst = append(dst, c)
		} else {
			dst = appendMarkedRaw(dst, c)
		}
	}
	return dst
}

// ctextDecode is ctext-post-read-conversion on the text of one read
// (raw bytes marked); ok is false where Emacs signals an error (a segment
// longer than the text).
func ctextDecode(text string, emacsBugs bool) (string, bool) {
	// The second pass, as decode-coding-region with ctext.
	dec := newISO2022Decoder(isoSpec("compound-text"))
	dec.emacsBugs, dec.markRaw = emacsBugs, true
	n := 0 // Emacs's bytes: raw bytes take two
	for i := 0; i < len(text); {
		c, l := decodeMarked(text[i:])
		switch {
		case c >= 0x3FFF80:
			n += 2
		default:
			n += l
		}
		i += l
	}
	dec.startRead(n)
	var out, run []byte
	flush := func() {
		if len(run) > 0 {
			var k int
			out, k = runTransform(dec, out, run, true)
			out = markRaw(out, run[k:])
			run = run[:0]
		}
	}
	for i := 0; i < len(text); {
		c, l := decodeMarked(text[i:])
		switch {
		case c < 0x80:
			run = append(run, byte(c))
		case c >= 0x3FFF80:
			run = append(run, byte(c-0x3FFF00))
		default:
			// A character: the decoder takes it as invalid, writes it
			// and resets G0 to ASCII.
			flush()
			if dec.room <= 0 {
				dec.newPass()
			}
			out = append(out, text[i:i+l]...)
			dec.room--
			dec.inv[0] = 0
			dec.desig[0] = dec.spec.ascii
			dec.cs0 = dec.spec.ascii
		}
		i += l
	}
	flush()
	s := convertEOLOnce(out)
	s, ok := ctextSegments(s, emacsBugs)
	return unmark(s), ok
}

// convertEOLOnce detects the end-of-line type of text and converts it, as
// decode-coding-region with an EOL-undecided system does.
func convertEOLOnce(text []byte) string {
	switch eolSeen(text) {
	case EOLMac:
		return strings.ReplaceAll(string(text), "\r", "\n")
	case EOLDOS:
		return strings.ReplaceAll(string(text), "\r\n", "\n")
	}
	return string(text)
}

// ctextSegments finds the extended and UTF-8 segments of s and decodes
// them.
func ctextSegments(s string, emacsBugs bool) (string, bool) {
	var out strings.Builder
	ok := true
	for {
		i := strings.Index(s, "\x1b%")
		if i < 0 || i+2 >= len(s) {
			out.WriteString(s)
			return out.String(), ok
		}
		switch s[i+2] {
		case '/':
			// ESC % / [0-4] M L NAME STX BYTES, M and L raw bytes.
			p := i + 3
			m, ml := rawByteAt(s, p+1)
			l, ll := rawByteAt(s, p+1+ml)
			if p < len(s) && s[p] >= '0' && s[p] <= '4' && ml > 0 && ll > 0 {
				nameStart := p + 1 + ml + ll
				stx := strings.IndexByte(s[nameStart:], 0x02)
				if stx > 0 {
					name := s[nameStart : nameStart+stx]
					end := nameStart + stx + 1
					size := (m-128)*128 + (l - 128) - (charCount(name) + 1)
					coding := ctextCoding(name)
					if coding == nil {
						out.WriteString(s[:end])
						s = s[end:]
						continue
					}
					prefix := out.String() + s[:i]
					rest := s[end:]
					if size < 0 {
						// forward-char goes back into the text before
						// the segment, which gets decoded, and the
						// search goes on from there.
						before := charCount(prefix)
						if -size > before {
							ok = false
							out.Reset()
							out.WriteString(prefix + s[i:])
							return out.String(), ok
						}
						k := textCharOffset(prefix, before+size)
						out.Reset()
						out.WriteString(prefix[:k])
						s = decodeRegion(coding, prefix[k:], emacsBugs) + rest
						continue
					}
					if size > charCount(rest) {
						// forward-char runs out of the text: Emacs
						// signals an error; eproc leaves the segment as
						// it is.
						ok = false
						out.Reset()
						out.WriteString(prefix + s[i:])
						return out.String(), ok
					}
					k := textCharOffset(rest, size)
					out.Reset()
					out.WriteString(prefix)
					out.WriteString(decodeRegion(coding, rest[:k], emacsBugs))
					s = rest[k:]
					continue
				}
			}
		case 'G':
			// ESC % G UTF-8 ESC % @, without ESC inside.
			body := s[i+3:]
			if j := strings.IndexByte(body, 0x1B); j >= 0 && strings.HasPrefix(body[j:], "\x1b%@") {
				out.WriteString(s[:i])
				out.WriteString(decodeRegion(mustCoding("utf-8"), body[:j], emacsBugs))
				s = body[j+3:]
				continue
			}
		}
		out.WriteString(s[:i+1])
		s = s[i+1:]
	}
}

// rawByteAt returns the marked raw byte at s[i:] and its length, or 0, 0.
func rawByteAt(s string, i int) (int, int) {
	if i >= len(s) {
		return 0, 0
	}
	c, l := decodeMarked(s[i:])
	if c < 0x3FFF80 {
		return 0, 0
	}
	return int(c - 0x3FFF00), l
}

func charCount(s string) int {
	n := 0
	for i := 0; i < len(s); n++ {
		_, l := decodeMarked(s[i:])
		i += l
	}
	return n
}

// textCharOffset is the byte offset of the n-th character of s.
func textCharOffset(s string, n int) int {
	i := 0
	for ; n > 0 && i < len(s); n-- {
		_, l := decodeMarked(s[i:])
		i += l
	}
	return i
}

// ctextCoding is the coding system of an extended segment's encoding
// name, or nil.
func ctextCoding(name string) *CodingSystem {
	for _, e := range ctextNonStandard {
		if strings.EqualFold(e[0], name) {
			return mustCoding(e[1])
		}
	}
	c, err := LookupCodingSystem(strings.ToLower(name))
	if err != nil {
		return nil
	}
	return c
}

func mustCoding(name string) *CodingSystem {
	c, err := LookupCodingSystem(name)
	if err != nil {
		panic("eproc: no coding system " + name)
	}
	return c
}

// decodeRegion is decode-coding-region with c on text: its bytes and raw
// bytes are decoded, other characters pass as they are.
func decodeRegion(c *CodingSystem, text string, emacsBugs bool) string {
	var out strings.Builder
	var run []byte
	flush := func() {
		if len(run) > 0 {
			d := &streamDecoder{symbol: c.symbol, emacsBugs: emacsBugs}
			d.setFamily(c.fam, c.eol)
			out.WriteString(d.decode(run, true))
			run = run[:0]
		}
	}
	for i := 0; i < len(text); {
		r, l := decodeMarked(text[i:])
		switch {
		case r < 0x80:
			run = append(run, byte(r))
		case r >= 0x3FFF80:
			run = append(run, byte(r-0x3FFF00))
		default:
			flush()
			out.WriteString(text[i : i+l])
		}
		i += l
	}
	flush()
	return out.String()
}

// ctextEncode encodes s (line ends already converted) for
// compound-text-with-extensions with iso, as ctext-pre-write-conversion
// and the ISO-2022 encoder do.
func ctextEncode(iso *iso2022Encoder, out []byte, s string) []byte {
	list := make([]*charset, len(ctextStandard))
	for i, n := range ctextStandard {
		list[i] = charsetNamed(n)
	}
	charsetOf := func(c rune) *charset {
		if c >= 0x3FFF80 {
			return nil
		}
		for _, cs := range list {
			if _, ok := cs.encode(c); ok {
				return cs
			}
		}
		return nil
	}
	for len(s) > 0 {
		// The ASCII up to the next non-ASCII character.
		i := 0
		for i < len(s) && s[i] < 0x80 {
			i++
		}
		out = iso.encode(out, s[:i])
		s = s[i:]
		if s == "" {
			break
		}
		c, l := decodeEmacsChar(s)
		cs := charsetOf(c)
		j := l
		for j < len(s) && s[j] >= 0x80 {
			c, l := decodeEmacsChar(s[j:])
			if charsetOf(c) != cs {
				break
			}
			j += l
		}
		if cs != nil {
			iso.force = cs
			out = iso.encode(out, s[:j])
			iso.force = nil
		} else {
			out = iso.encode(out, "\x1b%G")
			out = append(out, s[:j]...)
			out = iso.encode(out, "\x1b%@")
		}
		s = s[j:]
	}
	return out
}
