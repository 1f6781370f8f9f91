package eproc

import (
	"strings"
	"sync"

	"golang.org/x/text/transform"
)

// ISO-2022 and its variants (ISO-2022-JP, -KR, -CN, EUC, Compound Text),
// as Emacs 28.2's iso-2022 coding type decodes and encodes them. A system
// is its flags, the charsets designated to the graphic registers G0-G3 at
// the start, which charsets it knows, and which register each is
// designated to when encoding. Decoding follows escape sequences
// (designation, locking and single shifts, compositions) into those
// registers; any byte that does not fit is a raw byte and designates ASCII
// to G0 again. Line ends do not reset the state when decoding. As in
// Emacs 28.2, a composition (ESC 0, 2, 3 or 4) is taken in any system with
// the designation flag, not only in those with the composition flag.

// ISO-2022 flags, Emacs's coding-system-iso-2022-flags.
const (
	isoLongForm       = 1 << iota // long-form designation of 94x94 charsets in G0
	isoResetAtEOL                 // encoding: back to the initial state at each line end
	isoResetAtCntl                // encoding: back to the initial state before a control character
	isoSevenBits                  // 7-bit environment
	isoLockingShift               // SO, SI, LS2, LS3
	isoSingleShift                // SS2, SS3
	isoDesignation                // designation escape sequences
	isoRevision                   // revision number sequences
	isoDirection                  // ISO 6429 direction sequences
	isoInitAtBOL                  // encoding: forget designations at each line end
	isoDesignateAtBOL             // encoding: designate a line's charsets at its start
	isoSafe                       // encoding: safe substitution
	isoLatinExtra                 // Latin extra codes
	isoComposition                // Emacs's composition sequences
	isoEUCTWShift                 // unused
	isoUseRoman                   // JIS X 0201 Roman is ASCII
	isoUseOldJIS                  // JIS X 0208-1978 is JIS X 0208
	isoLevel4                     // 8-bit level 4
)

// iso2022Def is an ISO-2022 coding system as mule-conf.el defines it.
type iso2022Def struct {
	flags uint32
	// designation is :designation, one element per register: a charset
	// name, "" for none, or a list "CHARSET ELT..." whose first element
	// is the initial charset ("nil" for none) and whose others are
	// charsets to designate there, 94 or 96 for any charset of that
	// size, or t for any charset.
	designation [4]string
	// charsets is :charset-list; "" for every ISO-2022 charset (Emacs's
	// full support).
	charsets string
	// asciiCompat is :ascii-compatible-p.
	asciiCompat bool
	// trans names the decode and encode translation tables, if any.
	trans string
}

// iso2022Spec is a def made ready: charsets resolved.
type iso2022Spec struct {
	ascii       *charset
	flags       uint32
	initial     [4]*charset
	safe        map[*charset]int // the register each charset of the system is designated to
	list        []*charset       // the charsets in encoding order
	asciiCompat bool             // ASCII characters are written as they are
	decTrans    map[rune]rune    // :decode-translation-table
	encTrans    map[rune]rune    // :encode-translation-table
}

var isoDefs = map[string]iso2022Def{
	"chinese-iso-8bit": {0, [4]string{"ascii", "chinese-gb2312", "", ""}, "ascii chinese-gb2312", true, ""},
	"compound-text": {isoResetAtEOL | isoResetAtCntl | isoLongForm | isoDesignation | isoLockingShift | isoSingleShift | isoComposition,
		[4]string{"ascii 94", "latin-iso8859-1 katakana-jisx0201 96", "", ""}, "", false, ""},
	"compound-text-with-extensions": {isoResetAtEOL | isoResetAtCntl | isoLongForm | isoDesignation | isoLockingShift | isoSingleShift,
		[4]string{"ascii 94", "latin-iso8859-1 katakana-jisx0201 96", "", ""}, "", false, ""},
	"ctext-no-compositions": {isoResetAtEOL | isoResetAtCntl | isoDesignation | isoLockingShift | isoSingleShift,
		[4]string{"ascii 94", "latin-iso8859-1 katakana-jisx0201 96", "", ""}, "", false, ""},
	"euc-jis-2004": {isoResetAtEOL | isoResetAtCntl | isoSingleShift,
		[4]string{"ascii", "japanese-jisx0213.2004-1", "katakana-jisx0201", "japanese-jisx0213-2"},
		"ascii latin-jisx0201 japanese-jisx0213.2004-1 japanese-jisx0213-1 katakana-jisx0201 japanese-jisx0213-2", true, ""},
	"euc-tw": {0, [4]string{"ascii", "chinese-cns11643-1", "chinese-cns11643-1 chinese-cns11643-2 chinese-cns11643-3 chinese-cns11643-4 chinese-cns11643-5 chinese-cns11643-6 chinese-cns11643-7", ""},
		"ascii chinese-cns11643-1 chinese-cns11643-2 chinese-cns11643-3 chinese-cns11643-4 chinese-cns11643-5 chinese-cns11643-6 chinese-cns11643-7", true, ""},
	"eucjp-ms": {isoResetAtEOL | isoResetAtCntl | isoSingleShift,
		[4]string{"ascii", "japanese-jisx0208", "katakana-jisx0201", "japanese-jisx0212"},
		"ascii latin-jisx0201 japanese-jisx0208 katakana-jisx0201 japanese-jisx0212", true, "eucjp-ms"},
	"in-is13194-devanagari": {0, [4]string{"ascii", "indian-is13194", "", ""}, "ascii indian-is13194", true, ""},
	"iso-2022-7bit": {isoResetAtEOL | isoResetAtCntl | isoSevenBits | isoDesignation | isoComposition,
		[4]string{"ascii t", "", "", ""}, "", false, ""},
	"iso-2022-7bit-lock": {isoResetAtEOL | isoResetAtCntl | isoSevenBits | isoDesignation | isoLockingShift | isoComposition,
		[4]string{"ascii 94", "nil 96", "", ""}, "", false, ""},
	"iso-2022-7bit-lock-ss2": {isoResetAtEOL | isoResetAtCntl | isoSevenBits | isoLockingShift | isoSingleShift,
		[4]string{"ascii 94", "nil korean-ksc5601 chinese-gb2312 chinese-cns11643-1 96", "nil chinese-cns11643-2", "nil chinese-cns11643-3 chinese-cns11643-4 chinese-cns11643-5 chinese-cns11643-6 chinese-cns11643-7"},
		"ascii japanese-jisx0208 japanese-jisx0208-1978 latin-jisx0201 korean-ksc5601 chinese-gb2312 chinese-cns11643-1 chinese-cns11643-2 chinese-cns11643-3 chinese-cns11643-4 chinese-cns11643-5 chinese-cns11643-6 chinese-cns11643-7", false, ""},
	"iso-2022-7bit-ss2": {isoResetAtEOL | isoResetAtCntl | isoSevenBits | isoDesignation | isoSingleShift | isoComposition,
		[4]string{"ascii 94", "", "nil 96", ""}, "", false, ""},
	"iso-2022-8bit-ss2": {isoResetAtEOL | isoResetAtCntl | isoDesignation | isoSingleShift | isoComposition,
		[4]string{"ascii 94", "", "nil 96", ""}, "", false, ""},
	"iso-2022-cn": {isoResetAtEOL | isoResetAtCntl | isoSevenBits | isoDesignation | isoLockingShift | isoSingleShift | isoInitAtBOL,
		[4]string{"ascii", "nil chinese-gb2312 chinese-cns11643-1", "nil chinese-cns11643-2", ""},
		"ascii chinese-gb2312 chinese-cns11643-1 chinese-cns11643-2", false, ""},
	"iso-2022-cn-ext": {isoResetAtEOL | isoResetAtCntl | isoSevenBits | isoDesignation | isoLockingShift | isoSingleShift | isoInitAtBOL,
		[4]string{"ascii", "nil chinese-gb2312 chinese-cns11643-1", "nil chinese-cns11643-2", "nil chinese-cns11643-3 chinese-cns11643-4 chinese-cns11643-5 chinese-cns11643-6 chinese-cns11643-7"},
		"ascii chinese-gb2312 chinese-cns11643-1 chinese-cns11643-2 chinese-cns11643-3 chinese-cns11643-4 chinese-cns11643-5 chinese-cns11643-6 chinese-cns11643-7", false, ""},
	"iso-2022-jp": {isoResetAtEOL | isoResetAtCntl | isoSevenBits | isoDesignation,
		[4]string{"ascii japanese-jisx0208-1978 japanese-jisx0208 latin-jisx0201", "", "", ""},
		"ascii japanese-jisx0208 japanese-jisx0208-1978 latin-jisx0201", false, ""},
	"iso-2022-jp-2": {isoResetAtEOL | isoResetAtCntl | isoSevenBits | isoDesignation | isoSingleShift | isoInitAtBOL,
		[4]string{"ascii japanese-jisx0208-1978 japanese-jisx0208 latin-jisx0201 japanese-jisx0212 chinese-gb2312 korean-ksc5601", "", "nil latin-iso8859-1 greek-iso8859-7", ""},
		"ascii japanese-jisx0208 japanese-jisx0212 latin-jisx0201 japanese-jisx0208-1978 chinese-gb2312 korean-ksc5601 latin-iso8859-1 greek-iso8859-7", false, ""},
	"iso-2022-jp-2004": {isoResetAtEOL | isoResetAtCntl | isoSevenBits | isoDesignation,
		[4]string{"ascii japanese-jisx0208 japanese-jisx0213.2004-1 japanese-jisx0213-1 japanese-jisx0213-2", "", "", ""},
		"ascii japanese-jisx0208 japanese-jisx0213.2004-1 japanese-jisx0213-1 japanese-jisx0213-2", false, ""},
	"iso-2022-kr": {isoResetAtEOL | isoResetAtCntl | isoSevenBits | isoDesignation | isoLockingShift,
		[4]string{"ascii", "nil korean-ksc5601", "", ""}, "ascii korean-ksc5601", false, ""},
	"japanese-iso-7bit-1978-irv": {isoResetAtEOL | isoResetAtCntl | isoSevenBits | isoDesignation | isoUseRoman | isoUseOldJIS,
		[4]string{"latin-jisx0201 japanese-jisx0208-1978 japanese-jisx0208 japanese-jisx0212 katakana-jisx0201", "", "", ""},
		"ascii latin-jisx0201 japanese-jisx0208-1978 japanese-jisx0208 japanese-jisx0212", false, ""},
	"japanese-iso-8bit": {isoResetAtEOL | isoResetAtCntl | isoSingleShift,
		[4]string{"ascii", "japanese-jisx0208", "katakana-jisx0201", "japanese-jisx0212"},
		"ascii latin-jisx0201 japanese-jisx0208 katakana-jisx0201 japanese-jisx0212 japanese-jisx0208-1978", true, ""},
	"korean-iso-8bit":  {0, [4]string{"ascii", "korean-ksc5601", "", ""}, "ascii korean-ksc5601", true, ""},
	"tibetan-iso-8bit": {0, [4]string{"ascii", "tibetan", "", ""}, "ascii tibetan", true, ""},
}

// isoCharsetOrder is Emacs's iso-2022 charset list: every charset with an
// ISO final byte, in the order Emacs defines them; the full-support
// systems encode with the first charset that has a character.
var isoCharsetOrder = strings.Fields(`ascii latin-iso8859-1 latin-iso8859-2
	latin-iso8859-3 latin-iso8859-4 cyrillic-iso8859-5 arabic-iso8859-6
	greek-iso8859-7 hebrew-iso8859-8 latin-iso8859-9 latin-iso8859-10
	thai-iso8859-11 latin-iso8859-13 latin-iso8859-14 latin-iso8859-15
	latin-iso8859-16 thai-tis620 latin-jisx0201 katakana-jisx0201
	chinese-gb2312 chinese-cns11643-1 chinese-cns11643-2 chinese-cns11643-3
	chinese-cns11643-4 chinese-cns11643-5 chinese-cns11643-6
	chinese-cns11643-7 chinese-big5-1 chinese-big5-2 japanese-jisx0208
	japanese-jisx0208-1978 japanese-jisx0212 japanese-jisx0213-1
	japanese-jisx0213-2 japanese-jisx0213.2004-1 korean-ksc5601
	chinese-sisheng ipa vietnamese-viscii-lower vietnamese-viscii-upper
	arabic-digit arabic-1-column arabic-2-column lao indian-is13194
	indian-glyph indian-1-column indian-2-column tibetan tibetan-1-column
	mule-unicode-2500-33ff mule-unicode-e000-ffff mule-unicode-0100-24ff
	ethiopic`)

var isoSpecs sync.Map // name -> *iso2022Spec

// isoSpec returns the spec of the ISO-2022 system name.
func isoSpec(name string) *iso2022Spec {
	if s, ok := isoSpecs.Load(name); ok {
		return s.(*iso2022Spec)
	}
	def := isoDefs[name]
	s := &iso2022Spec{ascii: charsetNamed("ascii"), flags: def.flags, asciiCompat: def.asciiCompat && def.flags&(isoDesignation|isoLockingShift) == 0, safe: map[*charset]int{}}
	if def.trans != "" {
		s.decTrans = translation(def.trans + "-decode")
		s.encTrans = translation(def.trans + "-encode")
	}
	if def.charsets == "" {
		// Full support: any ISO-2022 charset, designated where the
		// designation's 94, 96 or t says.
		reg94, reg96 := 4, 4
		request := map[*charset]int{}
		for reg, d := range def.designation {
			f := strings.Fields(d)
			for i, e := range f {
				switch {
				case e == "nil":
				case e == "94":
					reg94 = reg
				case e == "96":
					reg96 = reg
				case e == "t":
					reg94, reg96 = reg, reg
				case i == 0:
					s.initial[reg] = charsetNamed(e)
				default:
					if _, dup := request[charsetNamed(e)]; !dup {
						request[charsetNamed(e)] = reg
					}
				}
				if i == 0 && e != "nil" && e != "94" && e != "96" && e != "t" {
					s.initial[reg] = charsetNamed(e)
				}
			}
		}
		for _, n := range isoCharsetOrder {
			cs := charsetNamed(n)
			s.list = append(s.list, cs)
			switch r, ok := request[cs]; {
			case ok:
				s.safe[cs] = r
			case cs.gen.isoChars == 96 && reg96 < 4:
				s.safe[cs] = reg96
			case cs.gen.isoChars != 96 && reg94 < 4:
				s.safe[cs] = reg94
			}
		}
	} else {
		// An explicit charset list: each is designated to G0 when
		// encoding (Emacs ignores the designation's requests then).
		for _, n := range strings.Fields(def.charsets) {
			cs := charsetNamed(n)
			s.list = append(s.list, cs)
			s.safe[cs] = 0
		}
		for reg, d := range def.designation {
			if f := strings.Fields(d); len(f) > 0 && f[0] != "nil" {
				s.initial[reg] = charsetNamed(f[0])
			}
		}
	}
	v, _ := isoSpecs.LoadOrStore(name, s)
	return v.(*iso2022Spec)
}

// Composition states.
const (
	cmpNo = iota
	cmpChar
	cmpRule
	cmpComponentChar
	cmpComponentRule
)

// iso2022Decoder decodes one stream of an ISO-2022 system.
type iso2022Decoder struct {
	spec     *iso2022Spec
	desig    [4]*charset // nil: none
	badDesig [4]bool     // the last designation to the register was invalid
	inv      [2]int      // register invoked to GL and to GR; -1: none
	// cs0 and cs1 are the charsets Emacs's decoder takes as invoked to GL
	// and GR. It reads them at the start of each read and updates them at
	// shifts and at designations to G0 and G1 only; so a designation to a
	// register that a locking shift invokes to GL takes effect at the next
	// read, as in Emacs 28.2.
	cs0, cs1 *charset
	// room is what is left of Emacs's conversion buffer in this pass of
	// its decoder (charbuf, one unit per character, four per change of
	// charset, more for compositions): when it runs out, Emacs's
	// decode_coding calls the decoder again, which reads cs0 and cs1
	// afresh. roomCap is the buffer's size for the current read (its
	// length plus one); lastCS is the charset of the last annotation.
	room, roomCap int
	lastCS        *charset
	dos           bool
	emacsBugs     bool
	// A composition (ESC 0, 2, 3 or 4 ... ESC 1): its method, state,
	// counts, and its text two ways: cmpOut, the composed characters, is
	// what a finished composition gives; cmpFail, every character with
	// the rules and separators as they were, is what follows ESC and the
	// method when the composition fails.
	cmpMethod byte
	cmpState  int
	cmpChars  int
	cmpComps  int
	cmpOut    []byte
	cmpFail   []byte
	extSeg    int  // bytes left in a Compound Text extended segment
	utf8Seg   bool // inside a Compound Text UTF-8 segment
	// markRaw writes raw bytes in their marked form (appendMarkedRaw),
	// for compound-text-with-extensions' post-read conversion, which must
	// tell them from characters.
	markRaw bool
}

// putRaw writes bytes b as raw bytes (ASCII as characters).
func (d *iso2022Decoder) putRaw(dst []byte, nDst int, b ...byte) int {
	if !d.markRaw {
		return nDst + copy(dst[nDst:], b)
	}
	for _, c := range b {
		if c < 0x80 {
			dst[nDst] = c
			nDst++
		} else {
			nDst = len(appendMarkedRaw(dst[:nDst], c))
		}
	}
	return nDst
}

func newISO2022Decoder(spec *iso2022Spec) *iso2022Decoder {
	d := &iso2022Decoder{spec: spec}
	d.Reset()
	d.startRead(isoMaxRoom)
	return d
}

// isoMaxRoom is the most units Emacs's decoder has in one pass
// (MAX_CHARBUF_SIZE less three annotations).
const isoMaxRoom = 0x4000 - 15

// startRead begins a read of n bytes (held bytes included): Emacs's
// decoder starts a pass with the charsets invoked now.
func (d *iso2022Decoder) startRead(n int) {
	d.roomCap = min(n+1, isoMaxRoom)
	d.newPass()
}

func (d *iso2022Decoder) newPass() {
	d.room = d.roomCap
	d.lastCS = d.spec.ascii
	d.cs0, d.cs1 = d.invoked(0), d.invoked(1)
}

func (d *iso2022Decoder) Reset() {
	d.desig = d.spec.initial
	d.badDesig = [4]bool{}
	d.inv = [2]int{0, 1}
	if d.spec.flags&isoSevenBits != 0 {
		d.inv[1] = -1
	}
	d.cmpState = cmpNo
	d.extSeg, d.utf8Seg = 0, false
	d.cs0, d.cs1 = d.invoked(0), d.invoked(1)
}

func (d *iso2022Decoder) setDOS(dos bool) { d.dos = dos }

func (d *iso2022Decoder) invoked(plane int) *charset {
	if r := d.inv[plane]; r >= 0 {
		return d.desig[r]
	}
	return nil
}

// designate is DECODE_DESIGNATION, with the refresh of the cached GL or GR
// charset that follows it; false means the sequence is invalid and stays
// in the text.
func (d *iso2022Decoder) designate(reg int, dim, chars, final byte) bool {
	ok := d.designate1(reg, dim, chars, final)
	switch reg {
	case 0:
		d.cs0 = d.invoked(0)
	case 1:
		d.cs1 = d.invoked(1)
	}
	return ok
}

func (d *iso2022Decoder) designate1(reg int, dim, chars, final byte) bool {
	var cs *charset
	if final >= '0' && final < 0x80 {
		cs = charsets().iso[isoKey{dim, chars, final}]
	}
	if cs != nil {
		if _, ok := d.spec.safe[cs]; !ok {
			cs = nil
		}
	}
	if cs == nil {
		d.desig[reg] = nil
		d.badDesig[reg] = true
		return false
	}
	prevBad := d.badDesig[reg]
	switch {
	case cs.gen.name == "latin-jisx0201" && d.spec.flags&isoUseRoman != 0:
		cs = d.spec.ascii
	case cs.gen.name == "japanese-jisx0208-1978" && d.spec.flags&isoUseOldJIS != 0:
		cs = charsetNamed("japanese-jisx0208")
	}
	d.desig[reg] = cs
	d.badDesig[reg] = false
	// After an invalid designation, one of ASCII stays in the text too.
	return !(prevBad && cs.gen.name == "ascii")
}

// finishComposition ends an unfinished composition as Emacs does: ESC
// and the method stay in the text, then the characters, rules and
// separators as they came.
func (d *iso2022Decoder) finishComposition(dst []byte, nDst int) int {
	if d.cmpState == cmpNo {
		return nDst
	}
	d.cmpState = cmpNo
	nDst += copy(dst[nDst:], []byte{0x1B, d.cmpMethod})
	nDst += copy(dst[nDst:], d.cmpFail)
	return nDst
}

func (d *iso2022Decoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	flags := d.spec.flags
	afterCR := false
	for nSrc < len(src) {
		if len(dst)-nDst < 32+len(d.cmpFail) {
			return nDst, nSrc, transform.ErrShortDst
		}
		if d.room <= 0 {
			// Emacs's decoder returns and is called again; the byte it
			// read after a CR is read again.
			d.newPass()
			afterCR = false
		}
		base := nSrc
		p := nSrc
		short := false
		next := func() byte {
			if p >= len(src) {
				short = true
				return 0
			}
			c := src[p]
			p++
			return c
		}
		wasAfterCR := afterCR
		afterCR = false
		c1 := next()
		if d.extSeg > 0 {
			nDst = d.putRaw(dst, nDst, c1)
			d.extSeg--
			d.room--
			nSrc = p
			continue
		}
		if d.utf8Seg {
			if c1 == 0x1B {
				if p+1 >= len(src) {
					if !atEOF {
						return nDst, nSrc, transform.ErrShortSrc
					}
				}
				nDst = d.putRaw(dst, nDst, c1)
				d.room--
				if p+1 < len(src) && src[p] == '%' && src[p+1] == '@' {
					nDst += copy(dst[nDst:], "%@")
					d.room -= 2
					p += 2
					d.utf8Seg = false
				}
			} else {
				nDst = d.putRaw(dst, nDst, c1)
				d.room--
			}
			nSrc = p
			continue
		}
		if (d.cmpState == cmpRule || d.cmpState == cmpComponentRule) && c1 != 0x1B {
			// A composition rule: one byte (old format) or two.
			rule := int(c1) - 32
			ok := rule >= 0
			if ok && rule >= 81 {
				b := next()
				if short {
					break
				}
				ok = rule-81 < 12 && int(b)-32 >= 0 && int(b)-32 < 12
			}
			if !ok {
				nDst = d.finishComposition(dst, nDst)
				nDst, nSrc = d.invalid(dst, nDst, src, base, wasAfterCR)
				continue
			}
			d.cmpFail = append(d.cmpFail, src[base:p]...)
			d.cmpState--
			d.room -= 2
			nSrc = p
			continue
		}
		var cs *charset
		invalid := false
		switch {
		case c1 == 0x20 || c1 == 0x7F:
			cs = d.cs0
			if cs == nil || cs.gen.isoChars != 96 {
				cs = d.spec.ascii
			}
		case c1 > 0x20 && c1 < 0x7F:
			cs = d.cs0
			if cs == nil {
				cs = d.spec.ascii
			}
		case c1 == 0xA0 || c1 == 0xFF:
			cs = d.cs1
			if cs == nil || cs.gen.isoChars != 96 || flags&isoSevenBits != 0 {
				invalid = true
			}
		case c1 > 0xA0:
			cs = d.cs1
			invalid = cs == nil
		case c1 == 0x0E: // SO
			if flags&isoLockingShift == 0 || d.desig[1] == nil {
				invalid = true
				break
			}
			d.inv[0] = 1
			d.cs0 = d.invoked(0)
			nSrc = p
			continue
		case c1 == 0x0F: // SI
			if flags&isoLockingShift == 0 {
				invalid = true
				break
			}
			d.inv[0] = 0
			d.cs0 = d.invoked(0)
			nSrc = p
			continue
		case c1 == 0x19 || c1 == 0x8E || c1 == 0x8F || c1 == 0x9B || c1 == 0x1B:
			var esc byte
			switch c1 {
			case 0x19:
				if flags&isoSevenBits == 0 || flags&isoSingleShift == 0 {
					invalid = true
				}
				esc = 'N'
			case 0x8E:
				invalid = flags&isoSingleShift == 0
				esc = 'N'
			case 0x8F:
				invalid = flags&isoSingleShift == 0
				esc = 'O'
			case 0x9B:
				esc = '['
			default:
				esc = next()
			}
			if invalid || short {
				break
			}
			var done bool
			cs, c1, done, invalid = d.escape(esc, next, &short, dst, &nDst)
			if short || invalid {
				break
			}
			if done {
				nSrc = p
				continue
			}
		case c1 < 0x20:
			if c1 == '\r' && d.dos {
				if p == len(src) && !atEOF {
					if wasAfterCR && d.emacsBugs {
						nSrc = p // Emacs 28.2 counts a second CR as read
					}
					return nDst, nSrc, transform.ErrShortSrc
				}
				afterCR = true
			}
			nDst = d.finishComposition(dst, nDst)
			cs = d.spec.ascii
		default: // C1 controls
			invalid = true
		}
		if short {
			if !atEOF {
				if wasAfterCR && d.emacsBugs {
					nSrc++ // Emacs 28.2 counts the first byte as read
				}
				return nDst, nSrc, transform.ErrShortSrc
			}
			// At end of file the rest comes out as raw bytes.
			nDst = d.finishComposition(dst, nDst)
			nDst = d.putRaw(dst, nDst, src[base:]...)
			return nDst, len(src), nil
		}
		if invalid {
			nDst = d.finishComposition(dst, nDst)
			nDst, nSrc = d.invalid(dst, nDst, src, base, wasAfterCR)
			continue
		}
		if d.cmpState == cmpNo && cs != d.spec.ascii && d.lastCS != cs {
			if d.lastCS != d.spec.ascii {
				d.room -= 4 // a charset annotation
			}
			d.lastCS = cs
		}
		code := int(c1)
		if cs.gen.dim > 1 {
			c2 := next()
			if short {
				if !atEOF {
					if wasAfterCR && d.emacsBugs {
						nSrc++
					}
					return nDst, nSrc, transform.ErrShortSrc
				}
				nDst = d.finishComposition(dst, nDst)
				nDst = d.putRaw(dst, nDst, src[base:]...)
				return nDst, len(src), nil
			}
			if c2 < 0x20 || (c2 >= 0x80 && c2 < 0xA0) || (c1&0x80) != (c2&0x80) {
				nDst = d.finishComposition(dst, nDst)
				nDst, nSrc = d.invalid(dst, nDst, src, base, wasAfterCR)
				continue
			}
			code = code<<8 | int(c2)
		}
		code &= 0x7F7F
		c := cs.decode(uint32(code))
		if t, ok := d.spec.decTrans[c]; ok && c >= 0 {
			c = t
		}
		switch {
		case c < 0:
			nDst = d.finishComposition(dst, nDst)
			if wasAfterCR && d.emacsBugs {
				base++ // Emacs 28.2 loses the first byte after a CR
			}
			nDst = d.putRaw(dst, nDst, src[base:p]...)
			d.room -= p - base
		case d.cmpState == cmpNo:
			nDst = len(appendEmacsChar(dst[:nDst], c))
			d.room--
		case (d.cmpState == cmpChar && d.cmpChars >= 16) || (d.cmpState != cmpChar && d.cmpComps >= 16):
			// Too long a composition.
			nDst = d.finishComposition(dst, nDst)
			nDst = len(appendEmacsChar(dst[:nDst], c))
			d.room--
		default:
			d.room--
			d.cmpFail = appendEmacsChar(d.cmpFail, c)
			if d.cmpState == cmpChar {
				d.cmpOut = appendEmacsChar(d.cmpOut, c)
				d.cmpChars++
			} else {
				d.cmpComps++
			}
			if d.cmpMethod == '2' || (d.cmpMethod == '4' && d.cmpState == cmpComponentChar) {
				d.cmpState++
			}
		}
		nSrc = p
	}
	if d.cmpState != cmpNo && atEOF {
		nDst = d.finishComposition(dst, nDst)
	}
	return nDst, nSrc, nil
}

// invalid handles an invalid sequence starting at src[base]: its first
// byte goes out as itself and G0 gets ASCII again. It returns the new
// nDst and nSrc.
func (d *iso2022Decoder) invalid(dst []byte, nDst int, src []byte, base int, afterCR bool) (int, int) {
	if afterCR && d.emacsBugs {
		// Emacs 28.2 loses the byte after a CR and takes the next as a
		// raw byte.
		base++
		if base == len(src) {
			return nDst, base
		}
	}
	nDst = d.putRaw(dst, nDst, src[base])
	d.room--
	d.inv[0] = 0
	d.desig[0] = d.spec.ascii
	d.badDesig[0] = false
	d.cs0 = d.spec.ascii
	return nDst, base + 1
}

// escape handles the escape sequence ESC esc...: designations, shifts,
// compositions and Compound Text segments. done means the sequence is
// consumed; otherwise cs and c1 are the charset and first byte of a
// single-shifted character.
func (d *iso2022Decoder) escape(esc byte, next func() byte, short *bool, dst []byte, nDst *int) (cs *charset, c1 byte, done, invalid bool) {
	flags := d.spec.flags
	for {
		switch esc {
		case '&': // revision of the following charset
			c := next()
			if *short {
				return
			}
			if c < '@' || c > '~' {
				return nil, 0, false, true
			}
			if c = next(); *short {
				return
			}
			if c != 0x1B {
				return nil, 0, false, true
			}
			if esc = next(); *short {
				return
			}
			continue
		case '$':
			if flags&isoDesignation == 0 {
				return nil, 0, false, true
			}
			c := next()
			if *short {
				return
			}
			reg, chars := 0, byte(94)
			switch {
			case c >= '@' && c <= 'B':
			case c >= '(' && c <= '+':
				reg = int(c - '(')
				if c = next(); *short {
					return
				}
			case c >= ',' && c <= '/':
				reg, chars = int(c-','), 96
				if c = next(); *short {
					return
				}
			default:
				return nil, 0, false, true
			}
			if !d.designate(reg, 2, chars, c) {
				return nil, 0, false, true
			}
			return nil, 0, true, false
		case 'n', 'o':
			reg := 2 + int(esc-'n')
			if flags&isoLockingShift == 0 || d.desig[reg] == nil {
				return nil, 0, false, true
			}
			d.inv[0] = reg
			d.cs0 = d.invoked(0)
			return nil, 0, true, false
		case 'N', 'O':
			reg := 2 + int(esc-'N')
			if flags&isoSingleShift == 0 || d.desig[reg] == nil {
				return nil, 0, false, true
			}
			cs = d.desig[reg]
			c := next()
			if *short {
				return
			}
			if c < 0x20 || (c >= 0x80 && c < 0xA0) ||
				(flags&isoSevenBits == 0 && ((flags&isoLevel4 != 0 && c >= 0x80) || (flags&isoLevel4 == 0 && c < 0x80))) {
				return nil, 0, false, true
			}
			return cs, c, false, false
		case '0', '2', '3', '4':
			// Emacs 28.2 takes a composition when the system has
			// the composition flag or the designation flag: its
			// annotation mask for charsets (3) includes the bit of
			// compositions (1).
			if flags&(isoComposition|isoDesignation) == 0 {
				return nil, 0, false, true
			}
			if esc == '0' && ((d.cmpState == cmpComponentChar && d.cmpMethod == '3') || (d.cmpState == cmpComponentRule && d.cmpMethod == '4')) {
				// The alternate characters end; the composed ones follow.
				d.cmpFail = append(d.cmpFail, 0x1B, '0')
				d.cmpState = cmpChar
				d.room -= 2
				return nil, 0, true, false
			}
			if d.lastCS != d.spec.ascii {
				d.room -= 4
				d.lastCS = d.spec.ascii
			}
			*nDst = d.finishComposition(dst, *nDst)
			d.room -= 5 // a composition annotation
			d.cmpMethod = esc
			d.cmpState = cmpChar
			if esc > '2' {
				d.cmpState = cmpComponentChar
			}
			d.cmpChars, d.cmpComps = 0, 0
			d.cmpOut, d.cmpFail = d.cmpOut[:0], d.cmpFail[:0]
			return nil, 0, true, false
		case '1':
			if d.cmpState == cmpNo {
				return nil, 0, false, true
			}
			if d.cmpChars == 0 || (d.cmpState == cmpChar) == (d.cmpMethod == '2') {
				*nDst = d.finishComposition(dst, *nDst)
				return nil, 0, false, true
			}
			// A finished composition: the composed characters, without
			// the alternate characters and rules.
			d.cmpState = cmpNo
			*nDst += copy(dst[*nDst:], d.cmpOut)
			return nil, 0, true, false
		case '[':
			if flags&isoDirection == 0 {
				return nil, 0, false, true
			}
			return nil, 0, false, true
		case '%':
			c := next()
			if *short {
				return
			}
			switch c {
			case '/':
				dim := next()
				if *short {
					return
				}
				if dim < '0' || dim > '4' {
					return nil, 0, false, true
				}
				m := next()
				if *short {
					return
				}
				if m < 128 {
					return nil, 0, false, true
				}
				l := next()
				if *short {
					return
				}
				if l < 128 {
					return nil, 0, false, true
				}
				if d.room < 6 {
					d.newPass() // Emacs ends the pass and reads the sequence again
				}
				*nDst = d.putRaw(dst, *nDst, 0x1B, '%', '/', dim, m, l)
				d.room -= 6
				d.extSeg = int(m-128)*128 + int(l-128)
				return nil, 0, true, false
			case 'G':
				if d.room < 3 {
					d.newPass()
				}
				*nDst += copy(dst[*nDst:], "\x1b%G")
				d.room -= 3
				d.utf8Seg = true
				return nil, 0, true, false
			}
			return nil, 0, false, true
		}
		if flags&isoDesignation == 0 {
			return nil, 0, false, true
		}
		reg, chars := 0, byte(94)
		switch {
		case esc >= '(' && esc <= '+':
			reg = int(esc - '(')
		case esc >= ',' && esc <= '/':
			reg, chars = int(esc-','), 96
		default:
			return nil, 0, false, true
		}
		c := next()
		if *short {
			return
		}
		if !d.designate(reg, 1, chars, c) {
			return nil, 0, false, true
		}
		return nil, 0, true, false
	}
}

// The encoder.
