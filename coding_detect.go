package eproc

import "bytes"

// Detection, as Emacs 28.2 does it for each read while a system is
// undecided (detect_coding): the charset of undecided and prefer-utf-8,
// the byte-order mark of utf-8-auto and utf-16. The choices are Emacs's in
// the English language environment (LANG=C or C.UTF-8), whose
// coding-system-priority-list orders the categories as detectOrder does.

// Coding categories, Emacs's coding-category-*.
const (
	catISO7 = iota
	catISO7Tight
	catISO81
	catISO82
	catISO7Else
	catISO8Else
	catUTF8Auto
	catUTF8NoSig
	catUTF8Sig
	catUTF16Auto
	catUTF16BE
	catUTF16LE
	catUTF16BENoSig
	catUTF16LENoSig
	catCharset
	catSJIS
	catBig5
	catCCL
	catEmacsMule
	catRawText // not detected: the categories above are
)

const (
	maskISO7Bit   = 1<<catISO7 | 1<<catISO7Tight
	maskISO8Bit   = 1<<catISO81 | 1<<catISO82
	maskISOEscape = 1<<catISO7 | 1<<catISO7Tight | 1<<catISO7Else | 1<<catISO8Else
	maskISO       = maskISO7Bit | maskISO8Bit | 1<<catISO7Else | 1<<catISO8Else
	maskUTF8      = 1<<catUTF8Auto | 1<<catUTF8NoSig | 1<<catUTF8Sig
	maskUTF16     = 1<<catUTF16Auto | 1<<catUTF16BE | 1<<catUTF16LE | 1<<catUTF16BENoSig | 1<<catUTF16LENoSig
	maskAny       = 1<<catRawText - 1
)

// detectOrder is coding_priorities in the English language environment,
// with the system of each category.
var detectOrder = [...]struct {
	cat    int
	system string
}{
	{catUTF8NoSig, "utf-8"},
	{catISO7, "iso-2022-7bit"},
	{catCharset, "iso-latin-1"},
	{catISO7Else, "iso-2022-7bit-lock"},
	{catISO8Else, "iso-2022-8bit-ss2"},
	{catEmacsMule, "emacs-mule"},
	{catRawText, "raw-text"},
	{catISO7Tight, "iso-2022-jp"},
	{catISO81, "in-is13194-devanagari"},
	{catISO82, "chinese-iso-8bit"},
	{catUTF8Auto, "utf-8-auto"},
	{catUTF8Sig, "utf-8-with-signature"},
	{catUTF16Auto, "utf-16"},
	{catUTF16BE, "utf-16be-with-signature"},
	{catUTF16LE, "utf-16le-with-signature"},
	{catUTF16BENoSig, "utf-16be"},
	{catUTF16LENoSig, "utf-16le"},
	{catSJIS, "japanese-shift-jis"},
	{catBig5, "chinese-big5"},
}

// detectInfo is Emacs's coding_detection_info: bit masks of categories.
type detectInfo struct {
	checked, found, rejected uint32
}

// latinExtra is latin-extra-code-table: the C1 bytes Emacs takes as
// Latin text (Windows quotation marks and dashes).
func latinExtra(c byte) bool { return c >= 0x91 && c <= 0x96 }

// detect runs detection on the read in (carry included) when d's system
// asks for it, and puts what it finds in effect, keeping an end-of-line
// type already decided, as detect_coding does.
func (d *streamDecoder) detect(in []byte, atEOF bool) {
	var found *family
	switch {
	case d.fam.kind == kindUndecided:
		found = detectUndecided(in, atEOF, d.fam.preferUTF8)
	case d.fam.kind == kindUTF8 && d.fam.bom == bomDetect:
		if firstHighByte(in) < 0 {
			found = codingFamily("utf-8")
		} else if info := (detectInfo{}); detectUTF8(in, 0, atEOF, &info) {
			found = codingFamily("utf-8")
			if info.found&(1<<catUTF8Sig) != 0 {
				found = codingFamily("utf-8-with-signature")
			}
		}
	case d.fam.kind == kindUTF16 && d.fam.bom == bomDetect:
		var info detectInfo
		if detectUTF16(in, atEOF, &info) {
			switch {
			case info.found&(1<<catUTF16LE) != 0:
				found = codingFamily("utf-16le-with-signature")
			case info.found&(1<<catUTF16BE) != 0:
				found = codingFamily("utf-16be-with-signature")
			}
		}
	}
	if found != nil {
		d.changed = true
		d.setFamily(found, d.eol)
	}
}

func firstHighByte(p []byte) int {
	for i, b := range p {
		if b >= 0x80 {
			return i
		}
	}
	return -1
}

// detectUndecided is detect_coding for a system of type undecided: the
// family the read in shows, or nil for none yet.
func detectUndecided(in []byte, atEOF, preferUTF8 bool) *family {
	var info detectInfo
	nullFound, eightBit := false, false
	headASCII := 0
	for i := 0; i < len(in); i++ {
		c := in[i]
		switch {
		case c >= 0x80:
			eightBit = true
			if nullFound {
				i = len(in)
			}
			continue
		case c < 0x20:
			if (c == 0x1B || c == 0x0E || c == 0x0F) && info.checked == 0 {
				if detectISO2022(in, headASCII, atEOF, &info) {
					// The whole read was scanned.
					if info.rejected&(1<<catISO7Else) == 0 {
						headASCII = len(in)
					}
					info.rejected |= ^uint32(maskISOEscape)
					i = len(in)
					continue
				}
			} else if c == 0 {
				nullFound = true
				if eightBit {
					i = len(in)
					continue
				}
			} else if c == '\r' && i+1 < len(in) && in[i+1] == '\n' {
				i++
				if !eightBit {
					headASCII++
				}
			}
		}
		if !eightBit {
			headASCII++
		}
	}
	if !nullFound && !eightBit && headASCII >= len(in) && info.found == 0 {
		return nil
	}
	i := 0
	if headASCII >= len(in) {
		// All 7-bit: only ISO-2022 can be found.
		for ; i < len(detectOrder); i++ {
			if info.found&(1<<detectOrder[i].cat) != 0 {
				break
			}
		}
	} else {
		if nullFound {
			info.checked |= ^uint32(maskUTF16)
			info.rejected |= ^uint32(maskUTF16)
		} else if preferUTF8 && detectUTF8(in, headASCII, atEOF, &info) {
			info.checked |= ^uint32(maskUTF8)
			info.rejected |= ^uint32(maskUTF8)
		}
		for ; i < len(detectOrder); i++ {
			cat := detectOrder[i].cat
			bit := uint32(1) << cat
			if cat == catRawText {
				continue
			}
			if info.checked&bit != 0 {
				if info.found&bit != 0 {
					break
				}
				continue
			}
			if detectCategory(cat, in, headASCII, atEOF, &info) && info.found&bit != 0 {
				break
			}
		}
	}
	switch {
	case i < len(detectOrder):
		switch cat := detectOrder[i].cat; cat {
		case catUTF8Auto:
			if info.found&(1<<catUTF8Sig) != 0 {
				return codingFamily("utf-8-with-signature")
			}
			return codingFamily("utf-8")
		case catUTF16Auto:
			if info.found&(1<<catUTF16LE) != 0 {
				return codingFamily("utf-16le-with-signature")
			}
			return codingFamily("utf-16be-with-signature")
		}
		return codingFamily(detectOrder[i].system)
	case nullFound:
		return codingFamily("no-conversion")
	case info.rejected&maskAny == maskAny:
		return codingFamily("raw-text")
	case info.rejected != 0:
		for _, o := range detectOrder {
			if info.rejected&(1<<o.cat) == 0 {
				return codingFamily(o.system)
			}
		}
	}
	return nil
}

// detectCategory runs the detector of category cat.
func detectCategory(cat int, in []byte, head int, atEOF bool, info *detectInfo) bool {
	switch cat {
	case catUTF8NoSig, catUTF8Auto, catUTF8Sig:
		return detectUTF8(in, head, atEOF, info)
	case catISO7, catISO7Tight, catISO81, catISO82, catISO7Else, catISO8Else:
		return detectISO2022(in, head, atEOF, info)
	case catCharset:
		return detectLatin1(in, head, info)
	case catEmacsMule:
		return detectEmacsMule(in, head, atEOF, info)
	case catUTF16Auto, catUTF16BE, catUTF16LE, catUTF16BENoSig, catUTF16LENoSig:
		return detectUTF16(in, atEOF, info)
	case catSJIS:
		return detectSJIS(in, head, atEOF, info)
	case catBig5:
		return detectBig5(in, head, atEOF, info)
	}
	info.rejected |= 1 << cat
	return false
}

// detectUTF8 is detect_coding_utf_8, from byte head on.
func detectUTF8(in []byte, head int, atEOF bool, info *detectInfo) bool {
	info.checked |= maskUTF8
	src := head
	nchars := head
	bom := false
	if src == 0 && src+3 < len(in) && bytes.HasPrefix(in, utf8BOM) {
		bom = true
		src += 3
		nchars++
	}
	for src < len(in) {
		base := src
		c := in[src]
		src++
		if c < 0x80 {
			nchars++
			if c == '\r' && src < len(in) && in[src] == '\n' {
				src++
				nchars++
			}
			continue
		}
		// Emacs reads up to five bytes before it can tell; a lead byte
		// that leads nothing (a continuation byte, FC-FF) is rejected at
		// the fifth.
		n := 6
		switch {
		case c&0xE0 == 0xC0:
			n = 2
		case c&0xF0 == 0xE0:
			n = 3
		case c&0xF8 == 0xF0:
			n = 4
		case c&0xFC == 0xF8:
			n = 5
		}
		for k := 1; k < min(n, 5); k++ {
			if src == len(in) {
				// Cut by the end of the read.
				if atEOF && base < src {
					info.rejected |= maskUTF8
					return false
				}
				return detectUTF8End(bom, nchars, len(in), info)
			}
			if !isUTF8Cont(in[src]) {
				info.rejected |= maskUTF8
				return false
			}
			src++
		}
		if n == 6 {
			info.rejected |= maskUTF8
			return false
		}
		nchars++
	}
	return detectUTF8End(bom, nchars, len(in), info)
}

func detectUTF8End(bom bool, nchars, n int, info *detectInfo) bool {
	if bom {
		info.found |= maskUTF8
	} else {
		info.rejected |= 1 << catUTF8Sig
		if nchars < n {
			info.found |= 1<<catUTF8Auto | 1<<catUTF8NoSig
		}
	}
	return true
}

// detectUTF16 is detect_coding_utf_16: a byte-order mark at the start of
// the read.
func detectUTF16(in []byte, atEOF bool, info *detectInfo) bool {
	info.checked |= maskUTF16
	if atEOF && len(in)%2 == 1 {
		info.rejected |= maskUTF16
		return false
	}
	if len(in) < 2 {
		return true
	}
	c1, c2 := in[0], in[1]
	switch {
	case c1 == 0xFF && c2 == 0xFE:
		info.found |= 1<<catUTF16LE | 1<<catUTF16Auto
		info.rejected |= 1<<catUTF16BE | 1<<catUTF16BENoSig | 1<<catUTF16LENoSig
		return true
	case c1 == 0xFE && c2 == 0xFF:
		info.found |= 1<<catUTF16BE | 1<<catUTF16Auto
		info.rejected |= 1<<catUTF16LE | 1<<catUTF16BENoSig | 1<<catUTF16LENoSig
		return true
	}
	// How varied the even and the odd bytes are: very varied bytes on both
	// sides are binary data.
	var e, o [256]bool
	eNum, oNum := 1, 1
	e[c1], o[c2] = true, true
	info.rejected |= 1<<catUTF16Auto | 1<<catUTF16BE | 1<<catUTF16LE
	for i := 2; info.rejected&maskUTF16 != maskUTF16 && i+1 < len(in); i += 2 {
		c1, c2 = in[i], in[i+1]
		if !e[c1] {
			e[c1] = true
			if eNum++; eNum >= 128 {
				info.rejected |= 1 << catUTF16BENoSig
			}
		}
		if !o[c2] {
			o[c2] = true
			if oNum++; oNum >= 128 {
				info.rejected |= 1 << catUTF16LENoSig
			}
		}
	}
	return false
}

// detectLatin1 is detect_coding_charset for iso-latin-1: C1 bytes other
// than the Latin extras reject it, a byte from 0xA0 up finds it.
func detectLatin1(in []byte, head int, info *detectInfo) bool {
	info.checked |= 1 << catCharset
	found := false
	for _, c := range in[head:] {
		if c >= 0x80 {
			if c < 0xA0 && !latinExtra(c) {
				info.rejected |= 1 << catCharset
				return false
			}
			found = true
		}
	}
	if found {
		info.found |= 1 << catCharset
	}
	return true
}

// detectSJIS is detect_coding_sjis for japanese-shift-jis.
func detectSJIS(in []byte, head int, atEOF bool, info *detectInfo) bool {
	info.checked |= 1 << catSJIS
	found := false
	for i := head; i < len(in); i++ {
		c := in[i]
		switch {
		case c < 0x80:
		case (c >= 0x81 && c <= 0x9F) || (c >= 0xE0 && c <= 0xEF):
			if i+1 == len(in) {
				if atEOF {
					info.rejected |= 1 << catSJIS
					return false
				}
				break
			}
			i++
			if c := in[i]; c < 0x40 || c == 0x7F || c > 0xFC {
				info.rejected |= 1 << catSJIS
				return false
			}
			found = true
		case c >= 0xA0 && c < 0xE0:
			found = true
		default:
			info.rejected |= 1 << catSJIS
			return false
		}
	}
	if found {
		info.found |= 1 << catSJIS
	}
	return true
}

// detectBig5 is detect_coding_big5 for chinese-big5.
func detectBig5(in []byte, head int, atEOF bool, info *detectInfo) bool {
	info.checked |= 1 << catBig5
	found := false
	for i := head; i < len(in); i++ {
		c := in[i]
		switch {
		case c < 0x80:
		case c >= 0xA1:
			if i+1 == len(in) {
				if atEOF {
					info.rejected |= 1 << catBig5
					return false
				}
				break
			}
			i++
			if c := in[i]; c < 0x40 || (c >= 0x7F && c <= 0xA0) {
				// Emacs returns here without rejecting big5.
				return false
			}
			found = true
		default:
			info.rejected |= 1 << catBig5
			return false
		}
	}
	if found {
		info.found |= 1 << catBig5
	}
	return true
}

// detectISO2022 is detect_coding_iso_2022, for the six ISO-2022
// categories at once: designations, shifts, and bytes above 0x7F.
func detectISO2022(in []byte, head int, atEOF bool, info *detectInfo) bool {
	info.checked |= maskISO
	var rejected, found uint32
	singleShifting := false
	compositions := -1
	tight := isoSpec("iso-2022-jp").safe
	iso := charsets().iso
	src := head
	for rejected != maskISO {
		if src >= len(in) {
			break
		}
		c := in[src]
		src++
		more := func() (byte, bool) {
			if src >= len(in) {
				return 0, false
			}
			b := in[src]
			src++
			return b, true
		}
		checkLatin := false
		switch c {
		case 0x1B:
			singleShifting = false
			c, ok := more()
			if !ok {
				goto end
			}
			switch {
			case c == 'N' || c == 'O':
				singleShifting = true
				rejected |= maskISO7Bit | maskISO8Bit
			case c == '1':
				if compositions < 0 || compositions > 16 {
					break
				}
				compositions = -1
				found |= maskISO
			case c >= '0' && c <= '4':
				compositions = 0
			default:
				var cs *charset
				switch {
				case c >= '(' && c <= '/':
					c1, ok := more()
					if !ok {
						goto end
					}
					chars := byte(94)
					if c >= ',' {
						chars = 96
					}
					if c1 >= ' ' && c1 < 0x80 {
						cs = iso[isoKey{1, chars, c1}]
					}
					if cs == nil {
						if c1 >= 0x80 {
							rejected |= maskISO7Bit | 1<<catISO7Else
						}
						continue
					}
				case c == '$':
					c, ok := more()
					if !ok {
						goto end
					}
					switch {
					case c >= '@' && c <= 'B':
						cs = iso[isoKey{2, 94, c}]
					case c >= '(' && c <= '/':
						c1, ok := more()
						if !ok {
							goto end
						}
						chars := byte(94)
						if c >= ',' {
							chars = 96
						}
						if c1 >= ' ' && c1 < 0x80 {
							cs = iso[isoKey{2, chars, c1}]
						}
						if cs == nil {
							if c1 >= 0x80 {
								rejected |= maskISO7Bit | 1<<catISO7Else
							}
							continue
						}
					default:
						if c >= 0x80 {
							rejected |= maskISO7Bit | 1<<catISO7Else
						}
						continue
					}
				default:
					if c >= 0x80 {
						rejected |= maskISO7Bit | 1<<catISO7Else
					}
					continue
				}
				// A valid designation: every full-support system takes
				// it; iso-2022-jp only its own charsets.
				rejected |= maskISO8Bit
				found |= 1<<catISO7 | 1<<catISO7Else | 1<<catISO8Else
				if _, ok := tight[cs]; ok {
					found |= 1 << catISO7Tight
				} else {
					rejected |= 1 << catISO7Tight
				}
			}
		case 0x0E, 0x0F:
			singleShifting = false
			rejected |= maskISO7Bit | maskISO8Bit
		case 0x9B:
			singleShifting = false
			rejected |= maskISO7Bit | 1<<catISO7Else
			found |= 1 << catISO8Else
			checkLatin = true
		case 0x8E, 0x8F:
			// Neither in-is13194-devanagari nor chinese-iso-8bit single
			// shifts.
			singleShifting = false
			rejected |= maskISO7Bit | 1<<catISO7Else
			checkLatin = true
		default:
			if c < 0x80 {
				if compositions >= 0 {
					compositions++
				}
				singleShifting = false
				break
			}
			rejected |= maskISO7Bit | 1<<catISO7Else
			if c >= 0xA0 {
				found |= 1 << catISO81
				if !singleShifting && rejected&(1<<catISO82) == 0 {
					n := 1
					for src < len(in) && in[src] >= 0xA0 {
						src++
						n++
					}
					if n&1 != 0 && src < len(in) {
						rejected |= 1 << catISO82
						if compositions >= 0 {
							compositions += n
						}
					} else {
						found |= 1 << catISO82
						if compositions >= 0 {
							compositions += n / 2
						}
					}
				}
				break
			}
			checkLatin = true
		}
		if checkLatin {
			if !latinExtra(c) {
				rejected = maskISO
				break
			}
			// in-is13194-devanagari has no latin-extra flag.
			rejected |= 1<<catISO81 | 1<<catISO82
		}
	}
	if rejected == maskISO {
		info.rejected |= maskISO
		return false
	}
end:
	info.rejected |= rejected
	info.found |= found &^ rejected
	return true
}

// emacsMuleBytes is Emacs's emacs_mule_bytes: how many bytes a character
// that starts with the byte takes in emacs-mule.
var emacsMuleBytes = func() (t [256]uint8) {
	for i := range t {
		t[i] = 1
	}
	t[0x9A], t[0x9B], t[0x9C], t[0x9D] = 3, 3, 4, 4
	for i := range genCharsets {
		g := &genCharsets[i]
		if id := emacsMuleID[g.name]; id != 0 {
			if id < 0xA0 {
				t[id] = g.dim + 1
			} else {
				t[id] = g.dim + 2
			}
		}
	}
	return t
}()

// emacsMuleID is the emacs-mule leading code of each charset that has
// one.
var emacsMuleID = map[string]uint8{
	"latin-iso8859-1": 129, "latin-iso8859-2": 130, "latin-iso8859-3": 131,
	"latin-iso8859-4": 132, "thai-tis620": 133, "greek-iso8859-7": 134,
	"arabic-iso8859-6": 135, "hebrew-iso8859-8": 136, "katakana-jisx0201": 137,
	"latin-jisx0201": 138, "cyrillic-iso8859-5": 140, "latin-iso8859-9": 141,
	"latin-iso8859-15": 142, "latin-iso8859-14": 143, "japanese-jisx0208-1978": 144,
	"chinese-gb2312": 145, "japanese-jisx0208": 146, "korean-ksc5601": 147,
	"japanese-jisx0212": 148, "chinese-cns11643-1": 149, "chinese-cns11643-2": 150,
	"japanese-jisx0213-1": 151, "chinese-big5-1": 152, "chinese-big5-2": 153,
	"chinese-sisheng": 160, "ipa": 161, "vietnamese-viscii-lower": 162,
	"vietnamese-viscii-upper": 163, "arabic-digit": 164, "arabic-1-column": 165,
	"lao": 167, "arabic-2-column": 224, "indian-is13194": 225, "indian-glyph": 240,
	"tibetan-1-column": 241, "mule-unicode-2500-33ff": 242, "mule-unicode-e000-ffff": 243,
	"mule-unicode-0100-24ff": 244, "ethiopic": 245, "chinese-cns11643-3": 246,
	"chinese-cns11643-4": 247, "chinese-cns11643-5": 248, "chinese-cns11643-6": 249,
	"chinese-cns11643-7": 250, "indian-1-column": 251, "indian-2-column": 251,
	"tibetan": 252, "japanese-jisx0213-2": 254,
}

// detectEmacsMule is detect_coding_emacs_mule.
func detectEmacsMule(in []byte, head int, atEOF bool, info *detectInfo) bool {
	info.checked |= 1 << catEmacsMule
	found := false
	src := head
	reject := func() bool {
		info.rejected |= 1 << catEmacsMule
		return false
	}
	for src < len(in) {
		base := src
		c := in[src]
		src++
		if c == 0x80 {
			// Perhaps a composition: at least four more bytes of 0xA0
			// and up.
			for {
				start := src
				for {
					if src >= len(in) {
						if atEOF && base < src {
							return reject()
						}
						goto end
					}
					c = in[src]
					src++
					if c < 0xA0 {
						break
					}
				}
				if src-start <= 4 {
					return reject()
				}
				found = true
				if c != 0x80 {
					break
				}
			}
		}
		if c < 0x80 {
			if c == 0x1B || c == 0x0E || c == 0x0F {
				return reject()
			}
			continue
		}
		more := int(emacsMuleBytes[c]) - 1
		for more > 0 {
			if src >= len(in) {
				if atEOF && base < src {
					return reject()
				}
				goto end
			}
			if in[src] < 0xA0 {
				break
			}
			src++
			more--
		}
		if more != 0 {
			return reject()
		}
		found = true
	}
end:
	if found {
		info.found |= 1 << catEmacsMule
	}
	return true
}
