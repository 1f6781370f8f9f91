package eproc

import (
	"golang.org/x/text/transform"
)

// Shift-JIS and Big5: Emacs's shift-jis and big5 coding types. Their
// charsets (JIS X 0208 or 0213, Big5) come from coding_tables.go, so a
// well-formed code without a Unicode mapping decodes to the character
// Emacs gives it.

// dbcsDecoder is the charset stage of japanese-shift-jis,
// japanese-shift-jis-2004 and chinese-big5.
type dbcsDecoder struct {
	transform.NopResetter
	sjis      bool
	kana      *charset // Shift-JIS: katakana-jisx0201
	kanji     *charset // Shift-JIS: JIS X 0208 or 0213 plane 1; Big5: big5
	kanji2    *charset // Shift-JIS 2004: JIS X 0213 plane 2
	dos       bool
	emacsBugs bool
}

func newDBCSDecoder(f *family, dos, emacsBugs bool) *dbcsDecoder {
	d := &dbcsDecoder{sjis: f.kind == kindSJIS, dos: dos, emacsBugs: emacsBugs}
	if d.sjis {
		d.kana = charsetNamed(f.charsets[1])
		d.kanji = charsetNamed(f.charsets[2])
		if len(f.charsets) > 3 {
			d.kanji2 = charsetNamed(f.charsets[3])
		}
	} else {
		d.kanji = charsetNamed(f.charsets[1])
	}
	return d
}

func (d *dbcsDecoder) setDOS(dos bool) { d.dos = dos }

// sjisToJIS is SJIS_TO_JIS: the JIS X 0208 code of Shift-JIS code s1 s2.
func sjisToJIS(s1, s2 byte) uint32 {
	var j1, j2 int
	if s2 >= 0x9F {
		j1 = int(s1)*2 - 0xE0
		if s1 >= 0xE0 {
			j1 = int(s1)*2 - 0x160
		}
		j2 = int(s2) - 0x7E
	} else {
		j1 = int(s1)*2 - 0xE1
		if s1 >= 0xE0 {
			j1 = int(s1)*2 - 0x161
		}
		j2 = int(s2) - 0x1F
		if s2 >= 0x7F {
			j2 = int(s2) - 0x20
		}
	}
	return uint32(j1)<<8 | uint32(j2)
}

// sjisToJIS2 is SJIS_TO_JIS2: the JIS X 0213 plane 2 code of Shift-JIS
// code s1 s2 (s1 from 0xF0).
func sjisToJIS2(s1, s2 byte) uint32 {
	var j1, j2 int
	if s2 >= 0x9F {
		switch s1 {
		case 0xF0:
			j1 = 0x28
		case 0xF1:
			j1 = 0x24
		case 0xF2:
			j1 = 0x2C
		case 0xF3:
			j1 = 0x2E
		default:
			j1 = 0x6E + (int(s1)-0xF4)*2
		}
		j2 = int(s2) - 0x7E
	} else {
		switch {
		case s1 <= 0xF2:
			j1 = 0x21 + (int(s1)-0xF0)*2
		case s1 <= 0xF4:
			j1 = 0x2D + (int(s1)-0xF3)*2
		default:
			j1 = 0x6F + (int(s1)-0xF5)*2
		}
		j2 = int(s2) - 0x1F
		if s2 >= 0x7F {
			j2 = int(s2) - 0x20
		}
	}
	return uint32(j1)<<8 | uint32(j2)
}

// jisToSJIS is JIS_TO_SJIS.
func jisToSJIS(code uint32) (byte, byte) {
	j1, j2 := int(code>>8), int(code&0xFF)
	var s1, s2 int
	if j1&1 != 0 {
		s1 = j1/2 + 0x71
		if j1 >= 0x5F {
			s1 = j1/2 + 0xB1
		}
		s2 = j2 + 0x1F
		if j2 >= 0x60 {
			s2 = j2 + 0x20
		}
	} else {
		s1 = j1/2 + 0x70
		if j1 >= 0x5F {
			s1 = j1/2 + 0xB0
		}
		s2 = j2 + 0x7E
	}
	return byte(s1), byte(s2)
}

func (d *dbcsDecoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	afterCR := false
	for nSrc < len(src) {
		if len(dst)-nDst < 5 {
			return nDst, nSrc, transform.ErrShortDst
		}
		c := src[nSrc]
		wasAfterCR := afterCR
		afterCR = false
		if c < 0x80 {
			if c == '\r' && d.dos {
				if nSrc+1 == len(src) && !atEOF {
					if wasAfterCR && d.emacsBugs {
						nSrc++ // Emacs 28.2 counts a second CR as read
					}
					return nDst, nSrc, transform.ErrShortSrc
				}
				afterCR = true
			}
			dst[nDst] = c
			nDst++
			nSrc++
			continue
		}
		var cs *charset
		var code uint32
		size := 1
		switch {
		case d.sjis && (c == 0x80 || c == 0xA0):
		case d.sjis && c >= 0xA1 && c <= 0xDF:
			cs, code = d.kana, uint32(c&0x7F)
		case d.sjis && (c <= 0xEF || (c <= 0xFC && d.kanji2 != nil)):
			size = 2
			if nSrc+1 < len(src) {
				c1 := src[nSrc+1]
				if c1 >= 0x40 && c1 != 0x7F && c1 <= 0xFC {
					if c <= 0xEF {
						cs, code = d.kanji, sjisToJIS(c, c1)
					} else {
						cs, code = d.kanji2, sjisToJIS2(c, c1)
					}
				}
			}
		case !d.sjis && c >= 0xA1 && c <= 0xFE:
			size = 2
			if nSrc+1 < len(src) {
				c1 := src[nSrc+1]
				if c1 >= 0x40 && (c1 <= 0x7E || c1 >= 0xA1) && c1 <= 0xFE {
					cs, code = d.kanji, uint32(c)<<8|uint32(c1)
				}
			}
		}
		if size == 2 && nSrc+1 == len(src) {
			if !atEOF {
				if wasAfterCR && d.emacsBugs {
					nSrc++ // Emacs 28.2 counts the first byte as read
				}
				return nDst, nSrc, transform.ErrShortSrc
			}
			dst[nDst] = c
			nDst++
			nSrc++
			continue
		}
		r := rune(-1)
		if cs != nil {
			r = cs.decode(code)
		}
		if r < 0 {
			if wasAfterCR && d.emacsBugs {
				// Emacs 28.2 loses the first byte after a CR and takes
				// the next one as a raw byte (as a character for ASCII).
				nSrc++
				if nSrc == len(src) {
					break
				}
				if b := src[nSrc]; b < 0x80 {
					nDst = len(appendEmacsChar(dst[:nDst], 0x3FFF00+rune(b)))
				} else {
					dst[nDst] = b
					nDst++
				}
				nSrc++
				continue
			}
			dst[nDst] = c
			nDst++
			nSrc++
			continue
		}
		nDst = len(appendEmacsChar(dst[:nDst], r))
		nSrc += size
	}
	return nDst, nSrc, nil
}

// dbcsEncode appends Emacs character c in Shift-JIS or Big5.
func dbcsEncode(out []byte, f *family, c rune) []byte {
	for _, n := range f.charsets[1:] {
		cs := charsetNamed(n)
		code, ok := cs.encode(c)
		if !ok {
			continue
		}
		switch {
		case f.kind == kindBig5:
			return append(out, byte(code>>8), byte(code))
		case cs.gen.dim == 1:
			return append(out, byte(code)|0x80)
		case n == "japanese-jisx0213-2":
			if c1 := code >> 8; c1 == 0x21 || (c1 >= 0x23 && c1 <= 0x25) || c1 == 0x28 || (c1 >= 0x2C && c1 <= 0x2F) || c1 >= 0x6E {
				s1, s2 := jisToSJIS2(code)
				return append(out, s1, s2)
			}
			return append(out, byte(code&0x7F))
		}
		s1, s2 := jisToSJIS(code)
		return append(out, s1, s2)
	}
	return append(out, f.defaultChar)
}

// jisToSJIS2 is JIS_TO_SJIS2, for JIS X 0213 plane 2.
func jisToSJIS2(code uint32) (byte, byte) {
	j1, j2 := int(code>>8), int(code&0xFF)
	var s1, s2 int
	if j1&1 != 0 {
		switch {
		case j1 <= 0x25:
			s1 = 0xF0 + (j1-0x21)/2
		case j1 <= 0x2F:
			s1 = 0xF3 + (j1-0x2D)/2
		default:
			s1 = 0xF5 + (j1-0x6F)/2
		}
		s2 = j2 + 0x1F
		if j2 >= 0x60 {
			s2 = j2 + 0x20
		}
	} else {
		switch j1 {
		case 0x28:
			s1 = 0xF0
		case 0x24:
			s1 = 0xF1
		case 0x2C:
			s1 = 0xF2
		case 0x2E:
			s1 = 0xF3
		default:
			s1 = 0xF4 + (j1-0x6E)/2
		}
		s2 = j2 + 0x7E
	}
	return byte(s1), byte(s2)
}
