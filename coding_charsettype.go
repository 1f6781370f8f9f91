package eproc

import (
	"sort"
	"strings"
	"sync"

	"golang.org/x/text/transform"
)

// Emacs's charset coding type with charsets of more than one byte
// (japanese-cp932, chinese-gbk, chinese-big5-hkscs, korean-cp949): each
// first byte selects the charsets whose codes may start with it, shortest
// first; a code is read whole, whatever its other bytes, and decoded by
// the first of them that has it. A code none has leaves its first byte as
// a raw byte, and decoding goes on with the next.

// charsetCoding is the decoding table of such a system.
type charsetCoding struct {
	list   []*charset
	valids [256][]*charset
}

var charsetCodings sync.Map // charset names -> *charsetCoding

func charsetCodingFor(names string) *charsetCoding {
	if c, ok := charsetCodings.Load(names); ok {
		return c.(*charsetCoding)
	}
	c := &charsetCoding{}
	for _, n := range strings.Fields(names) {
		cs := charsetNamed(n)
		c.list = append(c.list, cs)
		first := cs.gen.space[cs.gen.dim-1]
		for b := int(first[0]); b <= int(first[1]); b++ {
			c.valids[b] = append(c.valids[b], cs)
		}
	}
	for b := range c.valids {
		sort.SliceStable(c.valids[b], func(i, j int) bool { return c.valids[b][i].gen.dim < c.valids[b][j].gen.dim })
	}
	v, _ := charsetCodings.LoadOrStore(names, c)
	return v.(*charsetCoding)
}

// charsetDecoder is the charset stage of such a system.
type charsetDecoder struct {
	transform.NopResetter
	c         *charsetCoding
	dos       bool
	emacsBugs bool
}

func newCharsetDecoder(c *charsetCoding, dos, emacsBugs bool) *charsetDecoder {
	return &charsetDecoder{c: c, dos: dos, emacsBugs: emacsBugs}
}

func (d *charsetDecoder) setDOS(dos bool) { d.dos = dos }

func (d *charsetDecoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	afterCR := false
	for nSrc < len(src) {
		if len(dst)-nDst < 5 {
			return nDst, nSrc, transform.ErrShortDst
		}
		b := src[nSrc]
		wasAfterCR := afterCR
		afterCR = false
		if b == '\r' && d.dos && !wasAfterCR {
			// Emacs holds a CR under -dos until it sees the byte after
			// it (a CR it read as that byte holds nothing).
			if nSrc+1 == len(src) && !atEOF {
				return nDst, nSrc, transform.ErrShortSrc
			}
			afterCR = true
		}
		c := rune(-1)
		size := 1
		short := false
		for _, cs := range d.c.valids[b] {
			n := int(cs.gen.dim)
			if nSrc+n > len(src) {
				short = true
				break
			}
			var code uint32
			for _, x := range src[nSrc : nSrc+n] {
				code = code<<8 | uint32(x)
			}
			if c = cs.decode(code); c >= 0 {
				size = n
				break
			}
		}
		if short && c < 0 {
			if !atEOF {
				if wasAfterCR && d.emacsBugs {
					nSrc++ // Emacs 28.2 counts the first byte as read
				}
				return nDst, nSrc, transform.ErrShortSrc
			}
			nDst += copy(dst[nDst:], src[nSrc:])
			return nDst, len(src), nil
		}
		if c < 0 {
			if wasAfterCR && d.emacsBugs {
				// Emacs 28.2 loses the first byte after a CR and takes
				// the next one as a raw byte.
				nSrc++
				if nSrc == len(src) {
					break
				}
			}
			dst[nDst] = src[nSrc]
			nDst++
			nSrc++
			continue
		}
		nDst = len(appendEmacsChar(dst[:nDst], c))
		nSrc += size
	}
	return nDst, nSrc, nil
}

// charsetEncode appends c encoded by the first charset of list that has
// it, or the default byte.
func charsetEncode(out []byte, list []*charset, c rune, defaultChar byte) []byte {
	for _, cs := range list {
		if code, ok := cs.encode(c); ok {
			switch cs.gen.dim {
			case 1:
				return append(out, byte(code))
			case 2:
				return append(out, byte(code>>8), byte(code))
			}
			return append(out, byte(code>>24), byte(code>>16), byte(code>>8), byte(code))
		}
	}
	return append(out, defaultChar)
}
