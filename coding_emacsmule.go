package eproc

import (
	"golang.org/x/text/transform"
)

// emacs-mule: the internal format of Emacs 20 and 21. A character is a
// leading code (a charset's emacs-mule id, from 0x81; 0x9A-0x9D announce
// a private charset's id in the next byte) and one or two position codes
// from 0xA0 up; ASCII is itself. eproc does not decode the composition
// sequences that start with 0x80 (Emacs 20/21's composed characters): 0x80
// is a raw byte there, and decoding goes on with the byte after it.

// emacsMuleCharsets maps leading codes to charsets.
var emacsMuleCharsets = func() func() *[256]*charset {
	var once [1]*[256]*charset
	return func() *[256]*charset {
		if once[0] == nil {
			var t [256]*charset
			// ascii's emacs-mule id is 0, which a four-byte sequence
			// (0x9C, 0x9D) may name.
			t[0] = charsetNamed("ascii")
			for name, id := range emacsMuleID {
				cs := charsets().byName[name]
				if cs != nil && t[id] == nil {
					t[id] = cs
				}
			}
			once[0] = &t
		}
		return once[0]
	}
}()

type emacsMuleDecoder struct {
	transform.NopResetter
	dos       bool
	emacsBugs bool
	// As in iso2022Decoder: what is left of Emacs's conversion buffer in
	// this pass of its decoder, one unit per character and four per
	// change of charset. A pass that ends right after a CR does not lose
	// the byte after it (emacsBugs).
	room, roomCap int
	lastCS, curCS *charset // nil: ASCII
}

// eightBitCS stands for Emacs's charset eight-bit in the room count.
var eightBitCS = &charset{}

func (d *emacsMuleDecoder) startRead(n int) {
	d.roomCap = min(n, 0x4000-16)
	d.room, d.lastCS = d.roomCap, nil
}

// note counts a character of charset cs (nil: ASCII) against the room.
func (d *emacsMuleDecoder) note(cs *charset) {
	if cs != d.lastCS {
		if d.lastCS != nil {
			d.room -= 4
		}
		d.lastCS = cs
	}
	d.room--
}

func (d *emacsMuleDecoder) setDOS(dos bool) { d.dos = dos }

// char decodes the character at the start of p (p[0] >= 0x81): the
// character and its length, c = -1 for an invalid sequence, or short for
// an incomplete one.
func (d *emacsMuleDecoder) char(p []byte) (c rune, n int, short bool) {
	t := emacsMuleCharsets()
	at := func(i int) (byte, bool) {
		if i >= len(p) {
			return 0, false
		}
		return p[i], true
	}
	b0 := p[0]
	if b0 >= 0xA0 {
		return -1, 1, false
	}
	var cs *charset
	var code uint32
	switch emacsMuleBytes[b0] {
	case 2:
		if cs = t[b0]; cs == nil {
			return -1, 1, false
		}
		b, ok := at(1)
		if !ok {
			return 0, 0, true
		}
		if b < 0xA0 {
			return -1, 1, false
		}
		code, n = uint32(b&0x7F), 2
	case 3:
		if b0 == 0x9A || b0 == 0x9B {
			id, ok := at(1)
			if !ok {
				return 0, 0, true
			}
			if id < 0xA0 || t[id] == nil {
				return -1, 1, false
			}
			cs = t[id]
			b, ok := at(2)
			if !ok {
				return 0, 0, true
			}
			if b < 0xA0 {
				return -1, 1, false
			}
			code, n = uint32(b&0x7F), 3
		} else {
			if cs = t[b0]; cs == nil {
				return -1, 1, false
			}
			b1, ok := at(1)
			if !ok {
				return 0, 0, true
			}
			if b1 < 0xA0 {
				return -1, 1, false
			}
			b2, ok := at(2)
			if !ok {
				return 0, 0, true
			}
			if b2 < 0xA0 {
				return -1, 1, false
			}
			code, n = uint32(b1&0x7F)<<8|uint32(b2&0x7F), 3
		}
	case 4:
		id, ok := at(1)
		if !ok {
			return 0, 0, true
		}
		if cs = t[id]; cs == nil {
			return -1, 1, false
		}
		b1, ok := at(2)
		if !ok {
			return 0, 0, true
		}
		if b1 < 0xA0 {
			return -1, 1, false
		}
		b2, ok := at(3)
		if !ok {
			return 0, 0, true
		}
		if b2 < 0xA0 {
			return -1, 1, false
		}
		code, n = uint32(b1&0x7F)<<8|uint32(b2&0x7F), 4
	default:
		// A leading code of no charset: the byte itself (eight-bit).
		d.curCS = eightBitCS
		return 0x3FFF00 + rune(b0), 1, false
	}
	if c = cs.decode(code); c < 0 {
		return -1, 1, false
	}
	d.curCS = cs
	return c, n, false
}

func (d *emacsMuleDecoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	afterCR := false
	if d.roomCap == 0 {
		d.startRead(len(src))
	}
	for nSrc < len(src) {
		if len(dst)-nDst < 5 {
			return nDst, nSrc, transform.ErrShortDst
		}
		if d.room <= 0 {
			// A new pass of Emacs's decoder: it reads the byte after a
			// CR again.
			d.room, d.lastCS = d.roomCap, nil
			afterCR = false
		}
		b := src[nSrc]
		wasAfterCR := afterCR
		afterCR = false
		if b < 0x80 {
			if b == '\r' && d.dos {
				if nSrc+1 == len(src) && !atEOF {
					if wasAfterCR && d.emacsBugs {
						nSrc++ // Emacs 28.2 counts a second CR as read
					}
					return nDst, nSrc, transform.ErrShortSrc
				}
				afterCR = true
			}
			d.note(nil)
			dst[nDst] = b
			nDst++
			nSrc++
			continue
		}
		if wasAfterCR && d.emacsBugs {
			// Emacs 28.2 reads the character after a CR from the byte
			// after its first: the first byte is lost.
			nSrc++
			if nSrc == len(src) {
				break
			}
			if b == 0x80 {
				// A failed composition: the next byte comes out raw.
				dst[nDst] = src[nSrc]
				nDst++
				nSrc++
				d.room--
				continue
			}
			c, n, short := rune(src[nSrc]), 1, false
			switch {
			case c >= 0x80:
				c, n, short = d.char(src[nSrc:])
			case c == 0:
				// Emacs reads 0x00 there as the leading code of ascii
				// (emacs-mule id 0) and the next byte as its position
				// code.
				switch {
				case nSrc+1 == len(src):
					short = true
				case src[nSrc+1] >= 0xA0:
					c, n = rune(src[nSrc+1]&0x7F), 2
				default:
					c = -1
				}
			}
			switch {
			case short && !atEOF:
				return nDst, nSrc, transform.ErrShortSrc
			case short || c < 0:
				dst[nDst] = src[nSrc]
				nDst++
				nSrc++
				d.room--
			case c < 0x80:
				dst[nDst] = byte(c)
				nDst++
				nSrc += n
				d.note(nil)
			default:
				nDst = len(appendEmacsChar(dst[:nDst], c))
				nSrc += n
				d.note(d.curCS)
			}
			continue
		}
		c, n, short := rune(-1), 1, false
		if b != 0x80 {
			c, n, short = d.char(src[nSrc:])
		} else if nSrc+1 == len(src) {
			// A composition may start: Emacs waits for the next byte.
			short = true
		}
		if short {
			if !atEOF {
				if wasAfterCR && d.emacsBugs {
					nSrc++
				}
				return nDst, nSrc, transform.ErrShortSrc
			}
			nDst += copy(dst[nDst:], src[nSrc:])
			return nDst, len(src), nil
		}
		if c < 0 {
			if wasAfterCR && d.emacsBugs {
				nSrc++
				if nSrc == len(src) {
					break
				}
			}
			dst[nDst] = src[nSrc]
			nDst++
			nSrc++
			d.room--
			continue
		}
		nDst = len(appendEmacsChar(dst[:nDst], c))
		nSrc += n
		d.note(d.curCS)
	}
	return nDst, nSrc, nil
}

// emacsMuleEncode appends Emacs character c in emacs-mule: the first
// charset of the emacs-mule list that has it, or a space.
func emacsMuleEncode(out []byte, c rune) []byte {
	if c < 0x80 {
		return append(out, byte(c))
	}
	for _, cs := range emacsMuleOrder() {
		code, ok := cs.encode(c)
		if !ok {
			continue
		}
		id := emacsMuleID[cs.gen.name]
		switch {
		case id < 0xA0:
			out = append(out, id)
		case id < 0xE0:
			out = append(out, 0x9A, id)
		case id < 0xF0:
			out = append(out, 0x9B, id)
		case id < 0xF5:
			out = append(out, 0x9C, id)
		default:
			out = append(out, 0x9D, id)
		}
		if cs.gen.dim == 1 {
			return append(out, byte(code)|0x80)
		}
		return append(out, byte(code>>8)|0x80, byte(code)|0x80)
	}
	return append(out, ' ')
}

// emacsMuleOrder is Emacs's emacs-mule charset list: the charsets with an
// emacs-mule id, in the order Emacs defines them.
func emacsMuleOrder() []*charset {
	var list []*charset
	for _, n := range isoCharsetOrder {
		if _, ok := emacsMuleID[n]; ok {
			list = append(list, charsetNamed(n))
		}
	}
	return list
}
