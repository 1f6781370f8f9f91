package eproc

import (
	"sync"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
)

// Single-byte coding systems: a table of 256 characters. The tables are
// x/text's charmaps, corrected where Emacs's differ, or, for the systems
// x/text has no charmap for (the DOS code pages it lacks, EBCDIC, KOI8-T,
// Mac Roman, the Vietnamese, Georgian and Thai ones, ...), Emacs's own
// from coding_tables.go.

// sbCharset is a single-byte charset.
type sbCharset struct {
	tables func() *sbTables
}

type sbTables struct {
	dec         [256]rune // -1: the byte is not decoded (raw byte)
	enc         map[rune]byte
	asciiCompat bool // ASCII characters encode as themselves
	// invalid marks the bytes below 0x80 that are no character of the
	// system: they come out as themselves, like any byte that is not,
	// but Emacs's -dos quirks treat them as invalid.
	invalid [2]uint64
}

// valid reports whether byte b is a character of the system.
func (t *sbTables) valid(b byte) bool {
	if b < 0x80 {
		return t.invalid[b/64]&(1<<(b%64)) == 0
	}
	return t.dec[b] >= 0
}

// newSB makes a charset from a table builder; each character encodes to
// the lowest byte that decodes to it, ASCII to itself.
func newSB(build func(*[256]rune)) *sbCharset {
	return &sbCharset{tables: sync.OnceValue(func() *sbTables {
		t := &sbTables{enc: map[rune]byte{}, asciiCompat: true}
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

// genSB2sb makes the charset of a single-byte system of coding_tables.go:
// the bytes below 0x80 are ASCII unless the data says otherwise; encoding
// is to the lowest byte of a character except where Emacs chooses
// another, and (for systems that are not ASCII-compatible) ASCII
// characters as the data says.
func genSB2sb(g *genSB) *sbCharset {
	return &sbCharset{tables: sync.OnceValue(func() *sbTables {
		t := &sbTables{enc: map[rune]byte{}, asciiCompat: g.asciiCompat, invalid: g.invalid}
		for b := range t.dec {
			t.dec[b] = -1
			if b < 0x80 {
				t.dec[b] = rune(b)
			}
		}
		genPairs(g.dec, func(b int, c int32) { t.dec[b] = c })
		for b, c := range t.dec {
			if _, dup := t.enc[c]; c >= 0 && !dup {
				t.enc[c] = byte(b)
			}
		}
		if !g.asciiCompat {
			for c := rune(0); c < 0x80; c++ {
				if _, ok := t.enc[c]; !ok {
					t.enc[c] = byte(g.defaultByte)
				}
			}
		}
		genPairs(g.enc, func(c int, b int32) { t.enc[rune(c)] = byte(b) })
		return t
	})}
}

// sbDecoder is the charset stage of a single-byte system.
type sbDecoder struct {
	transform.NopResetter
	t         *sbTables
	dos       bool
	emacsBugs bool
}

func (d *sbDecoder) setDOS(dos bool) { d.dos = dos }

func (d *sbDecoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	// Emacs reads the byte after a CR along with it under -dos (lookahead)
	// and decodes it next without reading it again (noLook): a CR so read
	// looks at nothing after it. If that byte is no character, Emacs 28.2
	// loses it and takes the next byte as a raw byte (lossy).
	noLook, lossy := false, false
	for ; nSrc < len(src); nSrc++ {
		if len(dst)-nDst < 5 {
			return nDst, nSrc, transform.ErrShortDst
		}
		b := src[nSrc]
		valid := d.t.valid(b)
		wasNoLook, wasLossy := noLook, lossy
		noLook, lossy = false, false
		if b == '\r' && d.dos && !wasNoLook {
			if nSrc+1 == len(src) {
				if !atEOF {
					return nDst, nSrc, transform.ErrShortSrc
				}
			} else if valid {
				noLook, lossy = true, true
			} else {
				// A CR the charset lacks (EBCDIC-like tables) is a raw
				// byte. Emacs 28.2 then decodes the byte after it twice
				// if it is a character, or takes it alone as raw.
				dst[nDst] = b
				nDst++
				if d.emacsBugs {
					if b2 := src[nSrc+1]; d.t.valid(b2) {
						nDst = len(appendEmacsChar(dst[:nDst], d.t.dec[b2]))
					} else {
						noLook = true
					}
				}
				continue
			}
		}
		if !valid && wasLossy && d.emacsBugs {
			// Emacs 28.2 loses a byte it cannot decode right after a CR
			// and takes the next one as a raw byte.
			if nSrc+1 < len(src) {
				nSrc++
				dst[nDst] = src[nSrc]
				nDst++
			}
			continue
		}
		r := d.t.dec[b]
		switch {
		case r < 0 || !valid:
			dst[nDst] = b
			nDst++
		case r < utf8.RuneSelf:
			dst[nDst] = byte(r)
			nDst++
		default:
			nDst = len(appendEmacsChar(dst[:nDst], r))
		}
	}
	return nDst, nSrc, nil
}
