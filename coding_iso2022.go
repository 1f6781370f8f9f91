package eproc

import (
	"unicode/utf8"

	"golang.org/x/text/transform"
)

// selects ASCII, ESC ( J JIS X 0201 Roman, ESC $ @ and ESC $ B JIS X 0208;
// any other escape sequence is left in the text. A byte above 127 is a raw
// byte and returns to ASCII. Line ends do not reset the mode.
type iso2022jpDecoder struct {
	t    *dbTables
	mode uint8
}

const (
	jisASCII uint8 = iota
	jisRoman
	jis0208
)

func (d *iso2022jpDecoder) Reset() { d.mode = jisASCII }

func (d *iso2022jpDecoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		if len(dst)-nDst < utf8.UTFMax {
			return nDst, nSrc, transform.ErrShortDst
		}
		p := src[nSrc:]
		b := p[0]
		switch {
		case b == 0x1B:
			if len(p) < 3 && !atEOF && (len(p) == 1 || p[1] == '(' || p[1] == '$') {
				return nDst, nSrc, transform.ErrShortSrc
			}
			if len(p) >= 3 {
				switch string(p[:3]) {
				case "\x1b(B":
					d.mode = jisASCII
					nSrc += 3
					continue
				case "\x1b(J":
					d.mode = jisRoman
					nSrc += 3
					continue
				case "\x1b$@", "\x1b$B":
					d.mode = jis0208
					nSrc += 3
					continue
				}
			}
			dst[nDst] = b
			nDst++
			nSrc++
		case b >= utf8.RuneSelf:
			dst[nDst] = b
			nDst++
			nSrc++
			d.mode = jisASCII
		case d.mode == jis0208 && b >= 0x21 && b <= 0x7E:
			if len(p) < 2 {
				if !atEOF {
					return nDst, nSrc, transform.ErrShortSrc
				}
				dst[nDst] = b
				nDst++
				nSrc++
				continue
			}
			if p[1] < 0x21 || p[1] > 0x7E {
				dst[nDst] = b
				nDst++
				nSrc++
				continue
			}
			if r := d.t.lookup(d.t.pair, b|0x80, p[1]|0x80); r >= 0 {
				nDst += utf8.EncodeRune(dst[nDst:], r)
			} else {
				nDst += copy(dst[nDst:], p[:2])
			}
			nSrc += 2
		case d.mode == jisRoman && b == 0x5C:
			nDst += utf8.EncodeRune(dst[nDst:], 0xA5)
			nSrc++
		case d.mode == jisRoman && b == 0x7E:
			nDst += utf8.EncodeRune(dst[nDst:], 0x203E)
			nSrc++
		default:
			dst[nDst] = b
			nDst++
			nSrc++
		}
	}
	return nDst, nSrc, nil
}

// appendJIS encodes r in ISO-2022-JP, switching modes as needed. Like Emacs,
// it switches to ASCII before any ASCII character (so before each end of
// line) and does not switch back at the end of a string.
func (e *streamEncoder) appendJIS(out []byte, r rune) []byte {
	setMode := func(m uint8) {
		if e.jisMode != m {
			e.jisMode = m
			switch m {
			case jisASCII:
				out = append(out, "\x1b(B"...)
			case jisRoman:
				out = append(out, "\x1b(J"...)
			case jis0208:
				out = append(out, "\x1b$B"...)
			}
		}
	}
	switch {
	case r < utf8.RuneSelf:
		setMode(jisASCII)
		return append(out, byte(r))
	case r == 0xA5 || r == 0x203E:
		setMode(jisRoman)
		if r == 0xA5 {
			return append(out, 0x5C)
		}
		return append(out, 0x7E)
	}
	if code, ok := dbEUCJP.tables().rev[r]; ok && code >= 0x8000 && code < 0x10000 && code>>8 != 0x8E {
		setMode(jis0208)
		return append(out, byte(code>>8)&0x7F, byte(code)&0x7F)
	}
	setMode(jisASCII)
	return append(out, e.fam.defaultChar)
}
