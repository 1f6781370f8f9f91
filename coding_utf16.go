package eproc

import (
	"unicode/utf8"

	"golang.org/x/text/transform"
)

// odd byte at the end of the stream is a raw byte. A high surrogate cut by
// the end of the stream is kept as raw bytes (Emacs drops it).
type utf16Decoder struct {
	big      bool
	bom      bomPolicy
	started  bool
	switched string // the family a BOM decided, under bomDetect
}

func (d *utf16Decoder) Reset() { d.started, d.switched = false, "" }

func (d *utf16Decoder) unit(p []byte) uint16 {
	if d.big {
		return uint16(p[0])<<8 | uint16(p[1])
	}
	return uint16(p[1])<<8 | uint16(p[0])
}

func (d *utf16Decoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	if !d.started {
		if len(src) < 2 && !atEOF {
			return 0, 0, transform.ErrShortSrc
		}
		d.started = true
		if len(src) >= 2 {
			be := src[0] == 0xFE && src[1] == 0xFF
			le := src[0] == 0xFF && src[1] == 0xFE
			switch {
			case d.bom == bomDetect && be:
				d.big, d.switched, nSrc = true, "utf-16be-with-signature", 2
			case d.bom == bomDetect && le:
				d.big, d.switched, nSrc = false, "utf-16le-with-signature", 2
			case d.bom == bomStrip && (d.big && be || !d.big && le):
				nSrc = 2
			}
		}
	}
loop:
	for nSrc+1 < len(src) {
		if len(dst)-nDst < utf8.UTFMax {
			return nDst, nSrc, transform.ErrShortDst
		}
		u := d.unit(src[nSrc:])
		switch {
		case u >= 0xD800 && u < 0xDC00:
			if nSrc+4 > len(src) {
				break loop
			}
			if u2 := d.unit(src[nSrc+2:]); u2 >= 0xDC00 && u2 < 0xE000 {
				r := (rune(u)-0xD800)<<10 | (rune(u2) - 0xDC00) + 0x10000
				nDst += utf8.EncodeRune(dst[nDst:], r)
				nSrc += 4
			} else {
				nDst += utf8.EncodeRune(dst[nDst:], rune(src[nSrc]))
				nDst += utf8.EncodeRune(dst[nDst:], rune(src[nSrc+1]))
				nSrc += 2
			}
		case u >= 0xDC00 && u < 0xE000:
			dst[nDst] = 0xED
			dst[nDst+1] = 0x80 | byte(u>>6)&0x3F
			dst[nDst+2] = 0x80 | byte(u)&0x3F
			nDst += 3
			nSrc += 2
		default:
			nDst += utf8.EncodeRune(dst[nDst:], rune(u))
			nSrc += 2
		}
	}
	if nSrc < len(src) {
		if !atEOF {
			return nDst, nSrc, transform.ErrShortSrc
		}
		if len(dst)-nDst < len(src)-nSrc {
			return nDst, nSrc, transform.ErrShortDst
		}
		nDst += copy(dst[nDst:], src[nSrc:])
		nSrc = len(src)
	}
	return nDst, nSrc, nil
}

// sbCharset is a single-byte charset: a table built from x/text's charmap,
