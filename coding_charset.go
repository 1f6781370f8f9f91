package eproc

//go:generate go run ./internal/gencoding

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"io"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// Emacs's charsets: coded character sets whose codes decode to Emacs
// characters. The ISO-2022 coding systems designate them; korean-cp949
// and chinese-big5-hkscs decode through one each. Their tables come from
// Emacs 28.2 itself (internal/gencoding, which writes coding_tables.go):
// every code of each charset as decode-char gives it, kept as the codes
// that differ from x/text's table of the same set where x/text has one,
// or from the charset's code offset.
//
// Emacs characters are Unicode up to U+10FFFF and Emacs's own beyond
// (#x110000 to #x3FFF7F): a code a charset's map does not cover decodes to
// the charset's code offset plus the code's index, a character only Emacs
// has. eproc writes such a character as Emacs does internally (the
// extended UTF-8 of utf-8-emacs: four bytes up to #x1FFFFF, five beyond),
// so that it encodes back to the code it came from.

// genCharset describes a charset of coding_tables.go.
type genCharset struct {
	name               string
	dim                uint8       // bytes per code: 1, 2 or 4
	space              [4][2]uint8 // code space: the range of each byte, lowest first
	minIdx, maxIdx     int         // the charset's codes, as indices into the code space
	offset             int32       // character of code index minIdx for codes the map lacks; -1: none
	base               uint8       // baseXxx: the x/text table the data corrects
	isoChars, isoFinal uint8       // the ISO-2022 designation, if any
	n                  int         // codes in data
	data               [2]uint32   // codes whose characters differ from the base
	enc                [2]uint32   // characters that encode to another code than their first
}

// genSB describes a single-byte coding system of coding_tables.go.
type genSB struct {
	name        string
	asciiCompat bool      // ASCII characters encode as themselves
	defaultByte int16     // written for a character the system cannot encode
	invalid     [2]uint64 // bytes below 0x80 that are no character of the system
	dec, enc    [2]uint32
}

// genTranslation is a translation table of coding_tables.go: pairs of
// characters, as Emacs's char-table maps them.
type genTranslation struct {
	name string
	data [2]uint32
}

// translation returns the translation table called name.
var translations sync.Map // name -> map[rune]rune

func translation(name string) map[rune]rune {
	if t, ok := translations.Load(name); ok {
		return t.(map[rune]rune)
	}
	t := map[rune]rune{}
	for i := range genTrans {
		if genTrans[i].name == name {
			genPairs(genTrans[i].data, func(from int, to int32) { t[rune(from)] = to })
		}
	}
	v, _ := translations.LoadOrStore(name, t)
	return v.(map[rune]rune)
}

// Base tables, as internal/gencoding computes them.
const (
	baseNone = iota
	baseJIS0208
	baseJIS0212
	baseKSC5601
	baseGB2312
	baseBig5
	baseCP949
	baseGBK
	baseCP932
	baseGB18030
)

// genBlob is coding_tables.go's data, inflated on first use.
var genBlob = sync.OnceValue(func() []byte {
	z, err := base64.StdEncoding.DecodeString(genData)
	if err != nil {
		panic("eproc: corrupt coding tables: " + err.Error())
	}
	b, err := io.ReadAll(flate.NewReader(bytes.NewReader(z)))
	if err != nil {
		panic("eproc: corrupt coding tables: " + err.Error())
	}
	return b
})

// genPairs reads the (index, value) pairs of blob[r[0]:r[1]]; a value is
// -1 or an Emacs character.
func genPairs(r [2]uint32, f func(idx int, val int32)) {
	p := genBlob()[r[0]:r[1]]
	next := func() uint64 {
		var v uint64
		for s := 0; ; s += 7 {
			b := p[0]
			p = p[1:]
			v |= uint64(b&0x7F) << s
			if b < 0x80 {
				return v
			}
		}
	}
	idx, val := -1, int64(-1)
	for len(p) > 0 {
		idx += int(next()) + 1
		z := next()
		if z == 0 {
			f(idx, -1)
			continue
		}
		z--
		val += int64(z>>1^-(z&1)) + 1
		f(idx, int32(val))
	}
}

// charset is an Emacs charset of one, two or four bytes per code.
type charset struct {
	gen   *genCharset
	table func() *charsetTable
}

// charsetTable is a charset's table; a charset that only maps codes to
// its code offset has none.
type charsetTable struct {
	dec []int32         // by code index; -1: not a character of the charset
	enc map[rune]uint32 // the first code of each character
}

// index returns the code index of code, or -1 outside the charset.
func (cs *charset) index(code uint32) int {
	g := cs.gen
	i, mul := 0, 1
	for k := 0; k < int(g.dim); k++ {
		b := int(code & 0xFF)
		r := g.space[k]
		if b < int(r[0]) || b > int(r[1]) {
			return -1
		}
		i += (b - int(r[0])) * mul
		mul *= int(r[1]) - int(r[0]) + 1
		code >>= 8
	}
	if code != 0 || i < g.minIdx || i > g.maxIdx {
		return -1
	}
	return i
}

// code returns the code of index i.
func (cs *charset) code(i int) uint32 {
	g := cs.gen
	var code uint32
	for k := 0; k < int(g.dim); k++ {
		r := g.space[k]
		n := int(r[1]) - int(r[0]) + 1
		code |= uint32(int(r[0])+i%n) << (8 * k)
		i /= n
	}
	return code
}

// decode returns the Emacs character of code (the bytes of the code,
// first byte highest), or -1.
func (cs *charset) decode(code uint32) rune {
	i := cs.index(code)
	if i < 0 {
		return -1
	}
	if t := cs.table(); t != nil {
		return t.dec[i-cs.gen.minIdx]
	}
	return cs.gen.offset + int32(i-cs.gen.minIdx)
}

// encode returns the code of Emacs character c: the code its table
// gives c, else, as Emacs's encode-char does, the code whose index is
// c's distance from the charset's code offset (a character Emacs gives a
// code its table maps to Unicode encodes to that code too).
func (cs *charset) encode(c rune) (uint32, bool) {
	if t := cs.table(); t != nil {
		if code, ok := t.enc[c]; ok {
			return code, true
		}
	}
	g := cs.gen
	i := int(c-g.offset) + g.minIdx
	if g.offset < 0 || c < g.offset || i > g.maxIdx {
		return 0, false
	}
	return cs.code(i), true
}

func (cs *charset) build() *charsetTable {
	g := cs.gen
	if g.base == baseNone && g.n == 0 {
		return nil
	}
	t := &charsetTable{dec: make([]int32, g.maxIdx-g.minIdx+1), enc: map[rune]uint32{}}
	for j := range t.dec {
		i := j + g.minIdx
		v := rune(-1)
		if g.base != baseNone {
			v = charsetBase(g.base, cs.code(i), g.dim)
		}
		if v < 0 && g.offset >= 0 {
			v = g.offset + int32(j)
		}
		t.dec[j] = v
	}
	genPairs(g.data, func(i int, v int32) { t.dec[i-g.minIdx] = v })
	for j, v := range t.dec {
		if _, dup := t.enc[v]; v >= 0 && !dup {
			t.enc[v] = cs.code(j + g.minIdx)
		}
	}
	genPairs(g.enc, func(c int, i int32) { t.enc[rune(c)] = cs.code(int(i)) })
	return t
}

// charsetBase is the character x/text gives code (dim bytes, first byte
// highest) in the table of base kind k, or -1. internal/gencoding
// computes the same.
func charsetBase(k uint8, code uint32, dim uint8) rune {
	if dim == 4 {
		if k == baseGB18030 {
			return xdecode(simplifiedchinese.GB18030, byte(code>>24), byte(code>>16), byte(code>>8), byte(code))
		}
		return -1
	}
	b1, b0 := byte(code>>8), byte(code)
	switch k {
	case baseJIS0208:
		return xdecode(japanese.EUCJP, b1|0x80, b0|0x80)
	case baseJIS0212:
		return xdecode(japanese.EUCJP, 0x8F, b1|0x80, b0|0x80)
	case baseKSC5601:
		return xdecode(korean.EUCKR, b1|0x80, b0|0x80)
	case baseGB2312:
		return xdecode(simplifiedchinese.GBK, b1|0x80, b0|0x80)
	case baseBig5:
		return xdecode(traditionalchinese.Big5, b1, b0)
	case baseCP949:
		if b1 < 0x81 {
			return -1
		}
		return xdecode(korean.EUCKR, b1, b0)
	case baseGBK:
		return xdecode(simplifiedchinese.GBK, b1, b0)
	case baseCP932:
		return xdecode(japanese.ShiftJIS, b1, b0)
	case baseGB18030:
		return xdecode(simplifiedchinese.GB18030, b1, b0)
	}
	return -1
}

// xdecode decodes b with e and returns the one character it gives, or -1.
func xdecode(e encoding.Encoding, b ...byte) rune {
	var out [16]byte
	n, m, err := e.NewDecoder().Transform(out[:], b, true)
	if err != nil || m != len(b) {
		return -1
	}
	r, size := utf8.DecodeRune(out[:n])
	if size != n || r == utf8.RuneError {
		return -1
	}
	return r
}

// charsets holds every charset of coding_tables.go by name, and the ISO
// registry: which charset each designation (dimension, 94 or 96, final
// byte) names, as Emacs's iso-charset gives it.
type charsetRegistry struct {
	byName map[string]*charset
	iso    map[isoKey]*charset
}

type isoKey struct {
	dim, chars, final uint8
}

var charsets = sync.OnceValue(func() *charsetRegistry {
	r := &charsetRegistry{byName: map[string]*charset{}, iso: map[isoKey]*charset{}}
	for i := range genCharsets {
		g := &genCharsets[i]
		cs := r.byName[g.name]
		if cs == nil {
			cs = &charset{gen: g}
			cs.table = sync.OnceValue(cs.build)
			r.byName[g.name] = cs
		}
		if g.isoFinal != 0 {
			r.iso[isoKey{g.dim, g.isoChars, g.isoFinal}] = cs
		}
	}
	return r
})

// charsetNamed returns the charset of coding_tables.go called name; it
// panics for an unknown name (a programming error).
func charsetNamed(name string) *charset {
	cs := charsets().byName[name]
	if cs == nil {
		panic("eproc: no charset " + name)
	}
	return cs
}

// appendEmacsChar appends Emacs character c in eproc's representation:
// UTF-8 up to U+10FFFF (surrogates included, as Emacs keeps them), and
// Emacs's own multibyte form beyond: four bytes up to #x1FFFFF, five up
// to #x3FFF7F. A raw byte (#x3FFF80 to #x3FFFFF) is the byte itself.
func appendEmacsChar(b []byte, c rune) []byte {
	switch {
	case c < 0x80:
		return append(b, byte(c))
	case c < 0x800:
		return append(b, 0xC0|byte(c>>6), 0x80|byte(c)&0x3F)
	case c < 0x10000:
		return append(b, 0xE0|byte(c>>12), 0x80|byte(c>>6)&0x3F, 0x80|byte(c)&0x3F)
	case c < 0x200000:
		return append(b, 0xF0|byte(c>>18), 0x80|byte(c>>12)&0x3F, 0x80|byte(c>>6)&0x3F, 0x80|byte(c)&0x3F)
	case c < 0x3FFF80:
		return append(b, 0xF8, 0x80|byte(c>>18)&0x0F, 0x80|byte(c>>12)&0x3F, 0x80|byte(c>>6)&0x3F, 0x80|byte(c)&0x3F)
	}
	return append(b, byte(c-0x3FFF00))
}

// decodeEmacsChar reads the Emacs character at the start of s in eproc's
// representation and its length; an invalid byte is a raw byte
// (#x3FFF80 + ...), as Emacs reads it.
func decodeEmacsChar(s string) (rune, int) {
	c := s[0]
	if c < 0x80 {
		return rune(c), 1
	}
	n, min := 0, rune(0)
	switch {
	case c >= 0xC2 && c <= 0xDF:
		n, min = 2, 0x80
	case c >= 0xE0 && c <= 0xEF:
		n, min = 3, 0x800
	case c >= 0xF0 && c <= 0xF7:
		n, min = 4, 0x10000
	case c == 0xF8:
		n, min = 5, 0x200000
	}
	if n == 0 || len(s) < n {
		return 0x3FFF00 + rune(c), 1
	}
	r := rune(c) & (0x7F >> n)
	if n == 5 {
		r = 0
	}
	for i := 1; i < n; i++ {
		if s[i]&0xC0 != 0x80 {
			return 0x3FFF00 + rune(c), 1
		}
		r = r<<6 | rune(s[i]&0x3F)
	}
	if r < min || r > 0x3FFF7F {
		return 0x3FFF00 + rune(c), 1
	}
	return r, n
}
