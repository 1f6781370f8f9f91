package eproc

import (
	"sync"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/transform"
)

// Double-byte charsets.

type dbcsKind uint8

const (
	dbkSJIS dbcsKind = iota
	dbkCP932
	dbkEUCJP
	dbkEUCKR
	dbkGB2312
	dbkGBK
	dbkGB18030
	dbkBig5
)

// dbcsCharset is a double-byte charset. Its tables are x/text's, read by
// decoding every well-formed code once, and restricted to the codes Emacs's
// charset of that name maps.
type dbcsCharset struct {
	kind   dbcsKind
	enc    encoding.Encoding
	tables func() *dbTables
}

type dbTables struct {
	pair  []uint16 // index (b1&0x7F)<<8 | b2; 0: not mapped
	pair3 []uint16 // EUC-JP's JIS X 0212, after 0x8F, indexed likewise
	rev   map[rune]uint32
}

var (
	dbSJIS    = newDBCS(dbkSJIS, japanese.ShiftJIS)
	dbCP932   = newDBCS(dbkCP932, japanese.ShiftJIS)
	dbEUCJP   = newDBCS(dbkEUCJP, japanese.EUCJP)
	dbEUCKR   = newDBCS(dbkEUCKR, korean.EUCKR)
	dbGB2312  = newDBCS(dbkGB2312, simplifiedchinese.GBK)
	dbGBK     = newDBCS(dbkGBK, simplifiedchinese.GBK)
	dbGB18030 = newDBCS(dbkGB18030, simplifiedchinese.GB18030)
	dbBig5    = newDBCS(dbkBig5, traditionalchinese.Big5)
)

func newDBCS(k dbcsKind, enc encoding.Encoding) *dbcsCharset {
	cs := &dbcsCharset{kind: k, enc: enc}
	cs.tables = sync.OnceValue(cs.build)
	return cs
}

func isGR(b byte) bool      { return b >= 0xA1 && b <= 0xFE }
func sjisTrail(b byte) bool { return b >= 0x40 && b <= 0xFC && b != 0x7F }
func gbkTrail(b byte) bool  { return b >= 0x40 && b <= 0xFE && b != 0x7F }

// isLead reports whether b begins a two-byte code.
func (cs *dbcsCharset) isLead(b byte) bool {
	switch cs.kind {
	case dbkSJIS:
		return (b >= 0x81 && b <= 0x9F) || (b >= 0xE0 && b <= 0xEF)
	case dbkCP932:
		return (b >= 0x81 && b <= 0x9F) || (b >= 0xE0 && b <= 0xFC)
	case dbkGBK, dbkGB18030:
		return b >= 0x81 && b <= 0xFE
	case dbkBig5:
		return b >= 0xA1 && b <= 0xF9
	}
	return isGR(b)
}

// isTrail reports whether b may follow a lead byte.
func (cs *dbcsCharset) isTrail(b byte) bool {
	switch cs.kind {
	case dbkSJIS, dbkCP932:
		return sjisTrail(b)
	case dbkGBK, dbkGB18030:
		return gbkTrail(b)
	case dbkBig5:
		return (b >= 0x40 && b <= 0x7E) || isGR(b)
	}
	return isGR(b)
}

// jisStandard holds the JIS X 0208 codes (in EUC form) that Emacs maps as
// the JIS standard does and x/text, following CP932, maps otherwise.
var jisStandard = map[uint16]rune{
	0xA1BD: 0x2014, 0xA1C1: 0x301C, 0xA1C2: 0x2016, 0xA1DD: 0x2212,
	0xA1F1: 0x00A2, 0xA1F2: 0x00A3, 0xA2CC: 0x00AC,
}

// adjust returns what Emacs's charset maps the well-formed code b1 b2 to,
// given x/text's mapping r (0: none); 0 means the code is not mapped.
func (cs *dbcsCharset) adjust(b1, b2 byte, r rune) rune {
	code := uint16(b1)<<8 | uint16(b2)
	between := func(lo, hi uint16) bool { return code >= lo && code <= hi }
	switch cs.kind {
	case dbkSJIS, dbkEUCJP:
		// JIS X 0208 only: rows 1-8 and 16-84, not the NEC and IBM
		// extensions that x/text (CP932) also has.
		var row int
		if cs.kind == dbkEUCJP {
			row = int(b1) - 0xA0
		} else {
			row = sjisRow(b1, b2)
			b1, b2 = byte(0xA0+row), sjisCell(b2)
		}
		if row < 1 || (row > 8 && row < 16) || row > 84 {
			return 0
		}
		if jr, ok := jisStandard[uint16(b1)<<8|uint16(b2)]; ok {
			return jr
		}
	case dbkCP932:
		if b1 >= 0xF0 && b1 <= 0xF9 {
			// The user-defined area maps to the Private Use Area.
			t := rune(b2 - 0x40)
			if b2 > 0x7F {
				t--
			}
			return 0xE000 + rune(b1-0xF0)*188 + t
		}
	case dbkEUCKR:
		if code == 0xA2E8 {
			return 0x327E // added in KS X 1001:2002
		}
	case dbkGB2312:
		switch {
		case code == 0xA1A4:
			return 0x30FB
		case code == 0xA1AA:
			return 0x2015
		case between(0xA2A1, 0xA2AA), code == 0xA2E3, between(0xA6E0, 0xA6F5), between(0xA8BB, 0xA8C0):
			return 0 // GBK additions
		}
	case dbkGBK:
		switch {
		case code == 0xA2E3, code == 0xA3A0, code == 0xA8BF, between(0xA989, 0xA995), between(0xFE50, 0xFEA0):
			return 0 // later than Emacs's GBK table
		}
	case dbkGB18030:
		// The user-defined areas map to the Private Use Area.
		switch {
		case b1 >= 0xAA && b1 <= 0xAF && b2 >= 0xA1:
			return 0xE000 + rune(b1-0xAA)*94 + rune(b2-0xA1)
		case b1 >= 0xF8 && b2 >= 0xA1:
			return 0xE234 + rune(b1-0xF8)*94 + rune(b2-0xA1)
		case b1 >= 0xA1 && b1 <= 0xA7 && b2 < 0xA1:
			t := rune(b2 - 0x40)
			if b2 > 0x7F {
				t--
			}
			return 0xE4C6 + rune(b1-0xA1)*96 + t
		}
	case dbkBig5:
		switch {
		case code == 0xA2CC, code == 0xA2CE, between(0xA3C0, 0xA3E0), between(0xF9E9, 0xF9EB), between(0xF9F9, 0xF9FD):
			return 0
		case code == 0xF9FE:
			return 0x2593
		case between(0xC6A1, 0xC8FE):
			// The ETEN extensions, as the Private Use Area (as CP950 has them).
			idx := func(b byte) rune {
				if b <= 0x7E {
					return rune(b - 0x40)
				}
				return rune(b-0xA1) + 63
			}
			return 0xF6B1 + rune(b1-0xC6)*157 + idx(b2) - 63
		}
	}
	return r
}

// sjisRow is the JIS row (ku) of the Shift-JIS code b1 b2.
func sjisRow(b1, b2 byte) int {
	var row int
	if b1 <= 0x9F {
		row = (int(b1)-0x81)*2 + 1
	} else {
		row = (int(b1)-0xC1)*2 + 1
	}
	if b2 >= 0x9F {
		row++
	}
	return row
}

// sjisCell is the EUC form (0xA1-0xFE) of the JIS cell (ten) of a
// Shift-JIS code with trail byte b2.
func sjisCell(b2 byte) byte {
	switch {
	case b2 >= 0x9F:
		return b2 - 0x9F + 0xA1
	case b2 >= 0x80:
		return b2 - 0x41 + 0xA1
	}
	return b2 - 0x40 + 0xA1
}

func (cs *dbcsCharset) build() *dbTables {
	t := &dbTables{pair: make([]uint16, 1<<15)}
	dec := cs.enc.NewDecoder()
	var buf [16]byte
	lookup := func(src []byte) rune {
		dec.Reset()
		n, m, err := dec.Transform(buf[:], src, true)
		if err != nil || m != len(src) {
			return 0
		}
		r, size := utf8.DecodeRune(buf[:n])
		if size != n || r == utf8.RuneError || r > 0xFFFF {
			return 0
		}
		return r
	}
	for b1 := 0x81; b1 <= 0xFE; b1++ {
		if !cs.isLead(byte(b1)) {
			continue
		}
		for b2 := 0x40; b2 <= 0xFE; b2++ {
			if !cs.isTrail(byte(b2)) {
				continue
			}
			r := cs.adjust(byte(b1), byte(b2), lookup([]byte{byte(b1), byte(b2)}))
			t.pair[(b1&0x7F)<<8|b2] = uint16(r)
		}
	}
	if cs.kind == dbkEUCJP {
		t.pair3 = make([]uint16, 1<<15)
		for b1 := 0xA1; b1 <= 0xFE; b1++ {
			for b2 := 0xA1; b2 <= 0xFE; b2++ {
				if r := lookup([]byte{0x8F, byte(b1), byte(b2)}); r != 0 {
					t.pair3[(b1&0x7F)<<8|b2] = uint16(r)
				}
			}
		}
	}
	t.buildRev(cs)
	return t
}

// buildRev makes the encoding map: for each character the lowest code that
// decodes to it, except that CP932's NEC-selected IBM extensions (leads
// 0xED, 0xEE) yield to the IBM extensions, as in Emacs and Windows.
func (t *dbTables) buildRev(cs *dbcsCharset) {
	t.rev = map[rune]uint32{}
	add := func(r rune, code uint32) {
		if _, ok := t.rev[r]; !ok {
			t.rev[r] = code
		}
	}
	switch cs.kind {
	case dbkSJIS, dbkCP932:
		for b := uint32(0xA1); b <= 0xDF; b++ {
			add(0xFF61+rune(b-0xA1), b)
		}
	case dbkEUCJP:
		for b := uint32(0xA1); b <= 0xDF; b++ {
			add(0xFF61+rune(b-0xA1), 0x8E00|b)
		}
	}
	var deferred []int
	for i, r := range t.pair {
		if r == 0 {
			continue
		}
		if cs.kind == dbkCP932 && (i>>8 == 0xED&0x7F || i>>8 == 0xEE&0x7F) {
			deferred = append(deferred, i)
			continue
		}
		add(rune(r), uint32(0x8000|i))
	}
	for _, i := range deferred {
		add(rune(t.pair[i]), uint32(0x8000|i))
	}
	for i, r := range t.pair3 {
		if r != 0 {
			add(rune(r), uint32(0x8F8000|i))
		}
	}
}

func (t *dbTables) lookup(tab []uint16, b1, b2 byte) rune {
	if r := tab[int(b1&0x7F)<<8|int(b2)]; r != 0 {
		return rune(r)
	}
	return -1
}

type dbcsDecoder struct {
	transform.NopResetter
	cs   *dbcsCharset
	t    *dbTables
	four *encoding.Decoder // GB18030's four-byte codes
}

func newDBCSDecoder(cs *dbcsCharset) *dbcsDecoder {
	d := &dbcsDecoder{cs: cs, t: cs.tables()}
	if cs.kind == dbkGB18030 {
		d.four = cs.enc.NewDecoder()
	}
	return d
}

func (d *dbcsDecoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		b := src[nSrc]
		if b < utf8.RuneSelf {
			if nDst == len(dst) {
				return nDst, nSrc, transform.ErrShortDst
			}
			dst[nDst] = b
			nDst++
			nSrc++
			continue
		}
		if len(dst)-nDst < utf8.UTFMax {
			return nDst, nSrc, transform.ErrShortDst
		}
		r, size, short := d.decodeOne(src[nSrc:], atEOF)
		if short {
			return nDst, nSrc, transform.ErrShortSrc
		}
		if r >= 0 {
			nDst += utf8.EncodeRune(dst[nDst:], r)
		} else {
			nDst += copy(dst[nDst:], src[nSrc:nSrc+size])
		}
		nSrc += size
	}
	return nDst, nSrc, nil
}

// decodeOne decodes the code that starts with the byte p[0] >= 0x80. It
// returns the character, or r < 0 to pass p[:size] on as raw bytes; short
// means p is an incomplete code that may continue in the next read. A lead
// byte followed by a byte that cannot follow it is one raw byte, and
// decoding goes on with the next byte; a well-formed code the charset does
// not map is passed on whole.
func (d *dbcsDecoder) decodeOne(p []byte, atEOF bool) (r rune, size int, short bool) {
	cs, b := d.cs, p[0]
	need := func(n int) bool { return len(p) < n }
	switch cs.kind {
	case dbkSJIS, dbkCP932:
		if b >= 0xA1 && b <= 0xDF {
			return 0xFF61 + rune(b-0xA1), 1, false
		}
	case dbkEUCJP:
		switch {
		case b == 0x8E:
			if need(2) {
				return -1, 1, !atEOF
			}
			if p[1] >= 0xA1 && p[1] <= 0xDF {
				return 0xFF61 + rune(p[1]-0xA1), 2, false
			}
			return -1, 1, false
		case b == 0x8F:
			for i := 1; i < 3; i++ {
				if need(i + 1) {
					return -1, 1, !atEOF
				}
				if !isGR(p[i]) {
					return -1, 1, false
				}
			}
			return d.t.lookup(d.t.pair3, p[1], p[2]), 3, false
		}
	case dbkGB18030:
		if cs.isLead(b) && len(p) >= 2 && p[1] >= '0' && p[1] <= '9' {
			for i := 2; i < 4; i++ {
				if need(i + 1) {
					return -1, 1, !atEOF
				}
				if ok := (i == 2 && cs.isLead(p[i])) || (i == 3 && p[i] >= '0' && p[i] <= '9'); !ok {
					return -1, 1, false
				}
			}
			return d.decodeFour(p[:4]), 4, false
		}
	}
	if !cs.isLead(b) {
		return -1, 1, false
	}
	if need(2) {
		return -1, 1, !atEOF
	}
	if !cs.isTrail(p[1]) {
		return -1, 1, false
	}
	if r := d.t.lookup(d.t.pair, b, p[1]); r >= 0 {
		return r, 2, false
	}
	if cs.kind == dbkCP932 {
		// Emacs's cp932 leaves the lead byte alone and goes on with the
		// next; its other charsets pass an unmapped code on whole.
		return -1, 1, false
	}
	return -1, 2, false
}

func (d *dbcsDecoder) decodeFour(p []byte) rune {
	var buf [8]byte
	d.four.Reset()
	n, m, err := d.four.Transform(buf[:], p, true)
	if err != nil || m != len(p) {
		return -1
	}
	r, size := utf8.DecodeRune(buf[:n])
	if size != n || r == utf8.RuneError {
		return -1
	}
	return r
}

// iso2022jpDecoder decodes ISO-2022-JP as Emacs's iso-2022-jp does: ESC ( B
