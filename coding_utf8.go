package eproc

import (
	"bytes"

	"golang.org/x/text/transform"
)

// UTF-8 as Emacs 28.2 decodes it. A byte sequence that is a character
// (up to #x3FFF7F, Emacs's own characters past U+10FFFF included; no
// overlong form, no surrogate) is that character, and eproc's text holds
// it as the same bytes. Any other byte is a raw byte, also kept as itself,
// with one exception: a five-byte sequence F8 8F BF BE/BF xx encodes one
// of Emacs's raw-byte characters and decodes to that raw byte.
//
// Emacs reads a sequence byte by byte and decides at its last byte, so at
// the end of a read it keeps back whatever might still complete: a lead
// byte and the continuation bytes after it, shorter than the lead asks
// for (2 bytes for C0-DF, 3 for E0-EF, 4 for F0-F7), and up to four
// continuation bytes that no character holds, since Emacs reads a stray
// continuation byte (like F8-FF) as the start of a five-byte sequence.

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// utf8SeqLen is how many bytes Emacs reads for a sequence starting with
// the non-ASCII byte c before it can decide.
func utf8SeqLen(c byte) int {
	switch {
	case c >= 0xC0 && c <= 0xDF:
		return 2
	case c >= 0xE0 && c <= 0xEF:
		return 3
	case c >= 0xF0 && c <= 0xF7:
		return 4
	}
	return 5
}

// utf8Char decodes the complete sequence p (len(p) == utf8SeqLen(p[0]),
// every byte after the first a continuation byte) as Emacs does: the
// character, or -1 when p[0] is a raw byte.
func utf8Char(p []byte) rune {
	var c rune
	switch len(p) {
	case 2:
		c = rune(p[0]&0x1F)<<6 | rune(p[1]&0x3F)
		if c < 0x80 {
			return -1
		}
	case 3:
		c = rune(p[0]&0x0F)<<12 | rune(p[1]&0x3F)<<6 | rune(p[2]&0x3F)
		if c < 0x800 || (c >= 0xD800 && c < 0xE000) {
			return -1
		}
	case 4:
		c = rune(p[0]&0x07)<<18 | rune(p[1]&0x3F)<<12 | rune(p[2]&0x3F)<<6 | rune(p[3]&0x3F)
		if c < 0x10000 {
			return -1
		}
	default:
		if p[0]&0xFC != 0xF8 {
			return -1
		}
		c = rune(p[0]&0x03)<<24 | rune(p[1]&0x3F)<<18 | rune(p[2]&0x3F)<<12 | rune(p[3]&0x3F)<<6 | rune(p[4]&0x3F)
		if c < 0x200000 || c > 0x3FFFFF {
			return -1
		}
	}
	return c
}

func isUTF8Cont(b byte) bool { return b&0xC0 == 0x80 }

// utf8Tail returns how many bytes at the end of p Emacs keeps back for
// the next read (0 to 4).
func utf8Tail(p []byte) int {
	// Every byte that is not a continuation byte starts a sequence Emacs
	// reads; the last one within reach is where to start simulating.
	j := len(p) - 1
	for ; j >= 0 && j >= len(p)-9; j-- {
		if !isUTF8Cont(p[j]) {
			break
		}
	}
	if j < 0 || j < len(p)-9 {
		// Nine continuation bytes at the end: no character covers the
		// last four, which wait as a five-byte sequence.
		return min(len(p), 4)
	}
	for i := j; i < len(p); {
		c := p[i]
		if c < 0x80 {
			i++
			continue
		}
		n := utf8SeqLen(c)
		if len(p)-i < n {
			return len(p) - i
		}
		if utf8Char(p[i:i+n]) >= 0 {
			i += n
		} else {
			i++
		}
	}
	return 0
}

// utf8RawByteSeq reports whether p may hold a five-byte sequence for a
// raw-byte character, the only case where decoding changes bytes.
func utf8RawByteSeq(p []byte) bool { return bytes.IndexByte(p, 0xF8) >= 0 }

// utf8Decoder is the charset stage of the utf-8 systems when the text is
// not simply the bytes: a BOM to look for (utf-8-with-signature, and
// utf-8-auto when detection has not decided), a CR to hold under -dos, a
// raw-byte sequence to translate.
type utf8Decoder struct {
	bom       bool // look for a BOM at the start of the next read
	dos       bool // a CR at the end of a read waits for the next byte
	emacsBugs bool // see streamDecoder.emacsBugs
	sawBOM    bool
}

func (d *utf8Decoder) Reset() {}

func (d *utf8Decoder) setDOS(dos bool) { d.dos = dos }

func (d *utf8Decoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	if d.bom {
		// Emacs checks the first three bytes of the read; if they may
		// still become a BOM it waits for more.
		switch {
		case len(src) == 0:
			return 0, 0, nil
		case len(src) >= 3 && bytes.HasPrefix(src, utf8BOM):
			nSrc = 3
			d.sawBOM = true
		case !atEOF && len(src) < 3 && src[0] >= 0xE0 && src[0] <= 0xEF && (len(src) < 2 || isUTF8Cont(src[1])):
			// A three-byte lead and continuation bytes: not known yet.
			return 0, 0, transform.ErrShortSrc
		}
		d.bom = false
	}
	if !d.emacsBugs && nSrc == 0 && !utf8RawByteSeq(src) && len(dst) >= len(src) {
		// The text is the bytes: only the tail is held (and a final CR
		// under -dos).
		n := len(src)
		if !atEOF {
			n -= utf8Tail(src)
			if n == len(src) && d.dos && n > 0 && src[n-1] == '\r' {
				n--
			}
		}
		copy(dst, src[:n])
		if n < len(src) {
			return n, n, transform.ErrShortSrc
		}
		return n, n, nil
	}
	afterCR := false
	for nSrc < len(src) {
		if len(dst)-nDst < 5 {
			return nDst, nSrc, transform.ErrShortDst
		}
		c := src[nSrc]
		if c < 0x80 {
			if c == '\r' && d.dos {
				if nSrc+1 == len(src) && !atEOF {
					if afterCR && d.emacsBugs {
						// Emacs 28.2 counts a second CR as read.
						nSrc++
					}
					return nDst, nSrc, transform.ErrShortSrc
				}
				dst[nDst] = c
				nDst++
				nSrc++
				afterCR = true
				continue
			}
			dst[nDst] = c
			nDst++
			nSrc++
			afterCR = false
			continue
		}
		n := utf8SeqLen(c)
		k := 1
		for k < n && nSrc+k < len(src) && isUTF8Cont(src[nSrc+k]) {
			k++
		}
		switch {
		case k < n && nSrc+k == len(src) && !atEOF:
			// Incomplete: wait for the next read.
			if afterCR && d.emacsBugs {
				// Emacs 28.2 counts the first byte as read.
				nSrc++
			}
			return nDst, nSrc, transform.ErrShortSrc
		case k == n && utf8Char(src[nSrc:nSrc+n]) >= 0:
			ch := utf8Char(src[nSrc : nSrc+n])
			if ch >= 0x3FFF80 {
				dst[nDst] = byte(ch - 0x3FFF00)
				nDst++
			} else {
				nDst += copy(dst[nDst:], src[nSrc:nSrc+n])
			}
			nSrc += n
		case afterCR && d.emacsBugs:
			// Emacs 28.2 loses the first byte after a CR when its
			// sequence is invalid, and takes the next one as a raw byte.
			nSrc++
			if nSrc < len(src) {
				dst[nDst] = src[nSrc]
				nDst++
				nSrc++
			}
		default:
			dst[nDst] = c
			nDst++
			nSrc++
		}
		afterCR = false
	}
	return nDst, nSrc, nil
}
