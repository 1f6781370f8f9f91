package eproc

import (
	"strings"
	"unsafe"
)

// The encoder.

// streamEncoder encodes one stream. It is stateful as Emacs's process
// encoding is: a BOM is written once, at the start of the stream, and an
// ISO-2022 system's designations and shifts carry over from one string to
// the next.
type streamEncoder struct {
	symbol   string
	fam      *family
	eol      EOLType // never EOLUndecided
	resolved string  // the name after the first encode, if it changes
	used     bool
	bomDone  bool
	iso      *iso2022Encoder
}

func (e *streamEncoder) name() string {
	if e.used && e.resolved != "" {
		return e.resolved
	}
	return e.symbol
}

// writesAsIs reports whether encode returns the text's own bytes: utf-8,
// raw-text, no-conversion and undecided under -unix, with no BOM still to
// write and no pre-write conversion.
func (e *streamEncoder) writesAsIs() bool {
	switch e.fam.kind {
	case kindUTF8, kindRawText, kindNoConversion, kindUndecided:
		return e.eol == EOLUnix && e.fam.post == postNone && !(e.fam.writeBOM && !e.bomDone)
	}
	return false
}

// encodeShared is encode, except that where the encoding writes the text
// as it is, the bytes returned are s's own, not a copy: the caller may
// only read them (SendString writes them out).
func (e *streamEncoder) encodeShared(s string) []byte {
	if e.writesAsIs() {
		e.used = true
		return unsafe.Slice(unsafe.StringData(s), len(s))
	}
	return e.encode(s)
}

// sendPiece is how much text a long send encodes at a time.
const sendPiece = 256 << 10

// firstPiece splits a long text to be encoded a piece at a time (see
// SendString): the first piece, and the rest ("" when s is encoded
// whole). A text is split only when the encoding changes it, encodes each
// character on its own (no ISO-2022 designations, no pre-write
// conversion), and is at least two pieces long.
func (e *streamEncoder) firstPiece(s string) (piece, rest string) {
	if len(s) < 2*sendPiece || e.writesAsIs() || e.fam.kind == kindISO2022 || e.fam.post != postNone {
		return s, ""
	}
	return e.nextPiece(s)
}

// nextPiece cuts the next piece off s, just after an ASCII byte (which is
// a character of its own in any text, valid UTF-8 or raw bytes), or
// returns s whole when its start has no ASCII byte to cut after.
func (e *streamEncoder) nextPiece(s string) (piece, rest string) {
	if len(s) <= sendPiece {
		return s, ""
	}
	for i := sendPiece; i > sendPiece-4096; i-- {
		if s[i-1] < 0x80 {
			return s[:i], s[i:]
		}
	}
	return s, ""
}

func (e *streamEncoder) encode(s string) []byte { return e.appendEncode(nil, s) }

// appendEncode appends the encoding of s to out, whose spare capacity it
// uses: a long send encodes each piece into the buffer of the one before.
func (e *streamEncoder) appendEncode(out []byte, s string) []byte {
	e.used = true
	if e.fam.post != postNone && e.fam.post != postCtext {
		s = preWrite(e.fam.post, s)
	}
	if e.fam.writeBOM && !e.bomDone {
		// Emacs writes the BOM at the first send, even of "".
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
	case kindUTF8, kindRawText, kindNoConversion, kindUndecided:
		// eproc's text is Emacs's internal form, which utf-8 and raw-text
		// write as it is.
		if out == nil && e.eol == EOLUnix {
			return []byte(s)
		}
		return appendEOL(out, s, e.eol)
	case kindISO2022:
		if e.eol != EOLUnix && strings.IndexByte(s, '\n') >= 0 {
			s = string(appendEOL(nil, s, e.eol))
		}
		if out == nil {
			out = make([]byte, 0, len(s)+len(s)/4+8)
		}
		if e.iso == nil {
			e.iso = newISO2022Encoder(isoSpec(e.fam.iso), e.eol)
		}
		if e.fam.post == postCtext {
			return ctextEncode(e.iso, out, s)
		}
		return e.iso.encode(out, s)
	}
	if out == nil {
		out = make([]byte, 0, len(s)+len(s)/4+8)
	}
	for i := 0; i < len(s); {
		c, n := decodeEmacsChar(s[i:])
		i += n
		if c == '\n' && e.eol != EOLUnix { // LF is CR LF under -dos, CR under -mac
			out = e.appendChar(out, '\r')
			if e.eol == EOLMac {
				continue
			}
		}
		out = e.appendChar(out, c)
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

func (e *streamEncoder) appendUnit(out []byte, u uint16) []byte {
	if e.fam.bigEndian {
		return append(out, byte(u>>8), byte(u))
	}
	return append(out, byte(u), byte(u>>8))
}

// appendChar encodes Emacs character c, or the family's default character
// (a space; '?' for us-ascii) when the charset has no code for it, as
// Emacs 28.2 does. A raw byte is written as itself, except in UTF-16,
// which has no room for one.
func (e *streamEncoder) appendChar(out []byte, c rune) []byte {
	f := e.fam
	if f.kind == kindUTF16 {
		if c > 0x10FFFF {
			c = rune(f.defaultChar)
		}
		if c >= 0x10000 {
			c -= 0x10000
			out = e.appendUnit(out, 0xD800+uint16(c>>10))
			return e.appendUnit(out, 0xDC00+uint16(c&0x3FF))
		}
		return e.appendUnit(out, uint16(c))
	}
	if c >= 0x3FFF80 {
		return append(out, byte(c-0x3FFF00))
	}
	switch f.kind {
	case kindSingle:
		t := f.sb.tables()
		if c < 0x80 && t.asciiCompat {
			return append(out, byte(c))
		}
		if b, ok := t.enc[c]; ok {
			return append(out, b)
		}
	case kindCharset:
		if c < 0x80 {
			return append(out, byte(c))
		}
		return charsetEncode(out, f.charsetCoding().list[1:], c, f.defaultChar)
	case kindSJIS, kindBig5:
		if c < 0x80 {
			return append(out, byte(c))
		}
		return dbcsEncode(out, f, c)
	case kindEmacsMule:
		return emacsMuleEncode(out, c)
	default:
		return appendEmacsChar(out, c)
	}
	return append(out, f.defaultChar)
}
