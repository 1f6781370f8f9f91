package eproc

import (
	"sync"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
)

// corrected where Emacs's table differs.
type sbCharset struct {
	tables func() *sbTables
}

type sbTables struct {
	dec [256]rune     // -1: the byte is not decoded (raw byte)
	enc map[rune]byte // the lowest byte for each character
}

func newSB(build func(*[256]rune)) *sbCharset {
	return &sbCharset{tables: sync.OnceValue(func() *sbTables {
		t := &sbTables{enc: map[rune]byte{}}
		build(&t.dec)
		for b := 0x80; b < 256; b++ {
			if r := t.dec[b]; r >= 0 {
				if _, dup := t.enc[r]; !dup {
					t.enc[r] = byte(b)
				}
			}
		}
		return t
	})}
}

// cmSB makes a charset from an x/text charmap. c1 decodes 0x80-0x9F as the
// C1 controls U+0080-U+009F, as Emacs's ISO 8859 tables do; patch overrides
// single bytes (-1: not decoded).
func cmSB(cm *charmap.Charmap, c1 bool, patch map[byte]rune) *sbCharset {
	return newSB(func(dec *[256]rune) {
		for b := 0; b < 256; b++ {
			r := cm.DecodeByte(byte(b))
			switch {
			case c1 && b >= 0x80 && b <= 0x9F:
				r = rune(b)
			case r == utf8.RuneError:
				r = -1
			}
			dec[b] = r
		}
		for b, r := range patch {
			dec[b] = r
		}
	})
}

var asciiSB = newSB(func(dec *[256]rune) {
	for b := 0; b < 256; b++ {
		dec[b] = rune(b)
		if b >= utf8.RuneSelf {
			dec[b] = -1
		}
	}
})

type sbDecoder struct {
	transform.NopResetter
	dec *[256]rune
}

func (d *sbDecoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for ; nSrc < len(src); nSrc++ {
		b := src[nSrc]
		if b < utf8.RuneSelf {
			if nDst == len(dst) {
				return nDst, nSrc, transform.ErrShortDst
			}
			dst[nDst] = b
			nDst++
			continue
		}
		if len(dst)-nDst < 3 {
			return nDst, nSrc, transform.ErrShortDst
		}
		if r := d.dec[b]; r >= 0 {
			nDst += utf8.EncodeRune(dst[nDst:], r)
		} else {
			dst[nDst] = b
			nDst++
		}
	}
	return nDst, nSrc, nil
}
