package eproc

import (
	"golang.org/x/text/transform"
)

// UTF-16 as Emacs 28.2 decodes it. A -with-signature system drops a
// byte-order mark at the start of the stream (the first two bytes, if
// they are one); utf-16 detects one at the start of each read until it
// finds one (coding_detect.go). A high surrogate waits for the next code
// unit; if that is not a low surrogate, the high surrogate's two bytes
// come out as the characters U+0000-U+00FF in stream order, and a lone
// low surrogate is that code point (written as its three-byte generalized
// UTF-8 form, as Emacs stores it). An odd byte at the end of the stream is
// a raw byte.
//
// Emacs 28.2 keeps an unpaired high surrogate pending after it has
// written its bytes out, and writes them again before every following
// code unit until a low surrogate comes; eproc writes them once. At the
// end of the stream a pending high surrogate comes out as its two raw
// bytes; Emacs drops it.
//
// The end-of-line stage sees a surrogate's bytes as characters: under
// -dos a CR followed by the bytes 0A D8 of an unpaired surrogate (in
// utf-16le) is a CRLF, and so is the CR of a surrogate's bytes D8 0D (in
// utf-16be) followed by an LF. So a CR waits for what decides whether an
// LF follows it: the unit after a surrogate after it, or the unit after
// it when a surrogate is pending. Emacs 28.2 writes the CR out at the end
// of the read, and the line end then depends on where the reads fall.

type utf16Decoder struct {
	big       bool
	bom       bool   // drop a byte-order mark at the start of the next read
	surrogate uint16 // a pending high surrogate, or 0
	eofTail   []byte // raw bytes to write after the text at end of file
	dos       bool
	emacsBugs bool
}

func newUTF16Decoder(f *family, dos bool) *utf16Decoder {
	return &utf16Decoder{big: f.bigEndian, bom: f.bom == bomStrip, dos: dos}
}

func (d *utf16Decoder) Reset() { d.surrogate = 0 }

func (d *utf16Decoder) setDOS(dos bool) { d.dos = dos }

func (d *utf16Decoder) unit(p []byte) uint16 {
	if d.big {
		return uint16(p[0])<<8 | uint16(p[1])
	}
	return uint16(p[1])<<8 | uint16(p[0])
}

// surrogateBytes appends the pending surrogate's two bytes, in stream
// order, as characters.
func (d *utf16Decoder) surrogateBytes(dst []byte, nDst int) int {
	hi, lo := byte(d.surrogate>>8), byte(d.surrogate)
	if !d.big {
		hi, lo = lo, hi
	}
	b := appendEmacsChar(dst[:nDst], rune(hi))
	return len(appendEmacsChar(b, rune(lo)))
}

func (d *utf16Decoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	if d.bom {
		if len(src) < 2 {
			return 0, 0, transform.ErrShortSrc
		}
		d.bom = false
		if u := d.unit(src); u == 0xFEFF {
			nSrc = 2
		}
	}
	short := false
	// Under -dos, the last CR unit written (where it was read and where
	// its character starts) and the unit of the pending high surrogate,
	// if both were read in this call: see the end.
	crSrc, crDst, surSrc := -1, 0, -1
	for nSrc < len(src) && !short {
		if len(dst)-nDst < 16 {
			return nDst, nSrc, transform.ErrShortDst
		}
		if nSrc+1 == len(src) {
			short = true
			break
		}
		u := d.unit(src[nSrc:])
		high := u >= 0xD800 && u < 0xDC00
		low := u >= 0xDC00 && u < 0xE000
		switch {
		case d.surrogate != 0 && low:
			c := (rune(d.surrogate)-0xD800)<<10 | (rune(u) - 0xDC00) + 0x10000
			d.surrogate = 0
			nDst = len(appendEmacsChar(dst[:nDst], c))
		case d.surrogate != 0:
			if u == '\r' && d.dos && !atEOF && !d.emacsBugs && nSrc+4 > len(src) {
				// A CR after an unpaired surrogate waits, with the
				// surrogate, for the unit after it, which may be an LF
				// that makes a CRLF with it. At the end of the stream it
				// is a CR, as in Emacs (which does not hold it).
				short = true
				continue
			}
			nDst = d.surrogateBytes(dst, nDst)
			switch {
			case high:
				d.surrogate, surSrc = u, nSrc
			case d.emacsBugs:
				// Emacs 28.2 keeps the surrogate pending.
				nDst = len(appendEmacsChar(dst[:nDst], rune(u)))
			default:
				d.surrogate = 0
				if u == '\r' {
					crSrc, crDst = nSrc, nDst
				}
				nDst = len(appendEmacsChar(dst[:nDst], rune(u)))
			}
		case high:
			d.surrogate, surSrc = u, nSrc
		default:
			if u == '\r' && d.dos && nSrc+4 > len(src) {
				// A CR waits for the code unit after it, even at the end
				// of the stream, where its bytes come out raw.
				short = true
				continue
			}
			if u == '\r' {
				crSrc, crDst = nSrc, nDst
			}
			nDst = len(appendEmacsChar(dst[:nDst], rune(u)))
		}
		nSrc += 2
	}
	if d.dos && !atEOF && !d.emacsBugs && d.surrogate != 0 && surSrc == crSrc+2 && crSrc >= 0 && src[surSrc] == '\n' {
		// A CR, then a high surrogate whose first byte is 0x0A (in
		// utf-16le) still pending: if the unit after the surrogate is
		// not a low one, the surrogate's bytes come out as characters,
		// the first an LF that makes a CRLF with the CR, as decoding the
		// stream whole gives. So the CR waits, with the surrogate, for
		// that unit. Emacs 28.2 writes the CR out, and the line end then
		// depends on where the reads fall.
		nSrc, nDst = crSrc, crDst
		d.surrogate = 0
		short = true
	}
	if atEOF && d.surrogate != 0 && !d.emacsBugs {
		// The surrogate's bytes, and the byte after them, come out raw
		// after the end-of-line conversion, which they are no part of
		// (Emacs drops them).
		hi, lo := byte(d.surrogate>>8), byte(d.surrogate)
		if !d.big {
			hi, lo = lo, hi
		}
		d.eofTail = append(append(d.eofTail[:0], hi, lo), src[nSrc:]...)
		d.surrogate = 0
		return nDst, len(src), nil
	}
	if short {
		return nDst, nSrc, transform.ErrShortSrc
	}
	return nDst, nSrc, nil
}
