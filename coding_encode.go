package eproc

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
)

// The encoder.

// streamEncoder encodes one stream. It is stateful as Emacs's process
// encoding is: a BOM is written once, at the start of the stream, and
// ISO-2022-JP's mode carries over from one string to the next.
type streamEncoder struct {
	symbol   string
	fam      *family
	eol      EOLType // never EOLUndecided
	resolved string  // the name after the first encode, if it changes
	used     bool
	bomDone  bool
	jisMode  uint8
	four     *encoding.Encoder // GB18030's four-byte codes
}

func (e *streamEncoder) name() string {
	if e.used && e.resolved != "" {
		return e.resolved
	}
	return e.symbol
}

func (e *streamEncoder) encode(s string) []byte {
	e.used = true
	var out []byte
	if e.fam.writeBOM && !e.bomDone && len(s) > 0 {
		e.bomDone = true
		switch {
		case e.fam.kind == kindUTF8:
			out = append(out, utf8BOM...)
		case e.fam.bigEndian:
			out = append(out, 0xFE, 0xFF)
		default:
			out = append(out, 0xFF, 0xFE)
		}
	}
	switch e.fam.kind {
	case kindUTF8, kindRawText, kindNoConversion:
		if out == nil && e.eol == EOLUnix {
			return []byte(s)
		}
		return appendEOL(out, s, e.eol)
	}
	if out == nil {
		out = make([]byte, 0, len(s)+len(s)/4+8)
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			var n int
			out, n = e.appendRaw(out, s[i:])
			i += n
			continue
		}
		i += size
		if r == '\n' && e.eol != EOLUnix {
			out = e.appendChar(out, '\r')
			if e.eol == EOLMac {
				continue
			}
		}
		out = e.appendChar(out, r)
	}
	return out
}

// appendEOL appends s with LF converted for eol.
func appendEOL(out []byte, s string, eol EOLType) []byte {
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 || eol == EOLUnix {
			return append(out, s...)
		}
		out = append(out, s[:i]...)
		if eol == EOLDOS {
			out = append(out, '\r', '\n')
		} else {
			out = append(out, '\r')
		}
		s = s[i+1:]
	}
}

// appendRaw writes the invalid byte at the start of s and returns how many
// bytes of s it used. A raw byte goes out as itself; UTF-16 cannot carry
// one, and Emacs writes a space (but a surrogate in its 3-byte form is
// written as that code unit).
func (e *streamEncoder) appendRaw(out []byte, s string) ([]byte, int) {
	if e.fam.kind != kindUTF16 {
		return append(out, s[0]), 1
	}
	if len(s) >= 3 && s[0] == 0xED && s[1] >= 0xA0 && s[1] <= 0xBF && s[2] >= 0x80 && s[2] <= 0xBF {
		u := 0xD000 | uint16(s[1]&0x3F)<<6 | uint16(s[2]&0x3F)
		return e.appendUnit(out, u), 3
	}
	return e.appendChar(out, rune(e.fam.defaultChar)), 1
}

func (e *streamEncoder) appendUnit(out []byte, u uint16) []byte {
	if e.fam.bigEndian {
		return append(out, byte(u>>8), byte(u))
	}
	return append(out, byte(u), byte(u>>8))
}

// appendChar encodes r, or the family's default character (a space; '?'
// for us-ascii) when the charset has no code for it, as Emacs 28.2 does.
func (e *streamEncoder) appendChar(out []byte, r rune) []byte {
	switch e.fam.kind {
	case kindUTF16:
		if r >= 0x10000 {
			r -= 0x10000
			out = e.appendUnit(out, 0xD800+uint16(r>>10))
			return e.appendUnit(out, 0xDC00+uint16(r&0x3FF))
		}
		return e.appendUnit(out, uint16(r))
	case kindSingle:
		if r < utf8.RuneSelf {
			return append(out, byte(r))
		}
		if b, ok := e.fam.sb.tables().enc[r]; ok {
			return append(out, b)
		}
	case kindDBCS:
		if r < utf8.RuneSelf {
			return append(out, byte(r))
		}
		if code, ok := e.fam.db.tables().rev[r]; ok {
			switch {
			case code < 0x100:
				return append(out, byte(code))
			case code < 0x10000:
				return append(out, byte(code>>8), byte(code))
			}
			return append(out, byte(code>>16), byte(code>>8), byte(code))
		}
		if e.fam.db.kind == dbkGB18030 {
			if b, ok := e.encodeFour(r); ok {
				return append(out, b...)
			}
		}
	case kindISO2022JP:
		return e.appendJIS(out, r)
	default:
		return utf8.AppendRune(out, r)
	}
	return append(out, e.fam.defaultChar)
}

func (e *streamEncoder) encodeFour(r rune) ([]byte, bool) {
	if e.four == nil {
		e.four = e.fam.db.enc.NewEncoder()
	}
	var buf [8]byte
	e.four.Reset()
	n, _, err := e.four.Transform(buf[:], []byte(string(r)), true)
	if err != nil || n != 4 {
		return nil, false
	}
	return buf[:n], true
}
