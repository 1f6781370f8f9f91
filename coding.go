package eproc

// Coding systems: Emacs's names for character encodings, and the stateful
// decoders and encoders that process output and input go through.
//
// # Text representation
//
// Decoded text is a Go string of UTF-8. Emacs keeps bytes it cannot decode
// as raw-byte characters; eproc keeps them as the same bytes, so such a
// string is not valid UTF-8 there. Nothing is ever replaced by U+FFFD. An
// encoder given a string that is not valid UTF-8 writes each invalid byte
// as it is (under utf-16, which cannot hold a byte, as a space, as Emacs
// does). Two consequences of this representation: raw bytes that happen to
// form valid UTF-8 read back as characters, and characters Emacs has but
// Unicode lacks (JIS codes without a Unicode mapping, UTF-8 past U+10FFFF)
// are passed on as their bytes.
//
// # Decoders
//
// A decoder belongs to one stream. It keeps an incomplete sequence at the
// end of a read (a UTF-8 or double-byte character split across reads, a CR
// that may begin a CRLF) and prepends it to the next read, so no split
// corrupts the text; at end of file whatever is left comes out as raw
// bytes. Decoders for the charset part are transform.Transformers that
// return transform.ErrShortSrc for such a tail. The character tables come
// from golang.org/x/text; where its WHATWG tables map more than Emacs's
// charsets do (JIS X 0208 extensions, UHC, Big5-HKSCS), the extra codes are
// left undecoded as Emacs leaves them.
//
// # Detection
//
// A coding system whose end-of-line type is undecided (utf-8, latin-1,
// undecided) takes it from the first output that shows an end of line: any
// lone LF makes it -unix, else any CRLF -dos, else a CR -mac. undecided
// also detects the charset from the first output with a byte above 127: a
// NUL byte makes the stream no-conversion, a UTF-16 byte-order mark
// utf-16le/be-with-signature, valid UTF-8 utf-8, bytes free of 0x80-0x9F
// iso-latin-1, valid Shift-JIS japanese-shift-jis, and anything else
// raw-text: Emacs 28.2's choices in the English language environment, where
// these come first in coding-system-priority-list. Once made, a decision
// holds for the rest of the stream, and the decoder's name reports it as
// process-coding-system does ("utf-8-dos", "iso-latin-1-unix"); until then
// it is the name the system was looked up by, as Emacs reports the :coding
// symbol given.
//
// # Differences from Emacs 28.2
//
// Deliberate, so that the result does not depend on where reads split:
// a CR at the very end of a read is no evidence of the EOL type yet and
// waits for the next read (Emacs takes such a read as -mac, which corrupts
// a CRLF stream split between CR and LF); undecided waits when the only
// non-ASCII bytes of a read are an incomplete UTF-8 sequence at its end
// (Emacs decides utf-8 there, and then shows a Latin-1 "é" as a raw byte);
// utf-8-auto waits for a BOM split across reads (Emacs lets it through).
// A UTF-16 high surrogate cut by the end of the stream comes out as raw
// bytes (Emacs drops it).
//
// Limits: undecided does not detect ISO-2022 escape sequences
// (iso-2022-7bit) or emacs-mule; such output stays undecided and passes as
// ASCII or is taken by the rules above. undecided encodes as utf-8 where
// Emacs would use the locale's coding system. euc-jp does not encode ¥ and
// ‾ (Emacs writes ESC ( J sequences that its own euc-jp decoder does not
// read). 174 rare two-byte GB18030 codes that x/text does not map (Private
// Use Area assignments outside the user-defined areas, and the 2005
// remappings) pass through as raw bytes.
//
// # Encoders
//
// An encoder belongs to one stream too: a BOM is written before the first
// string only, and ISO-2022-JP's mode carries from one string to the next,
// as process-send-string does. A character the charset cannot encode is
// written as a space ('?' under us-ascii), as Emacs 28.2 does for both
// encode-coding-string and process-send-string: (encode-coding-string
// "日本" 'latin-1) is "  ". An undecided end of line is encoded as the
// system's (LF; CRLF on Windows), and an undecided or EOL-undecided
// encoder's name becomes the resolved system at the first string
// ("utf-8-unix"), as process-coding-system shows after a send.

import (
	"bytes"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/transform"
)

// EOLType is a coding system's end-of-line convention. Its String is the
// symbol Emacs uses for it ("unix", "dos", "mac").
type EOLType int

const (
	// EOLUnix leaves line ends alone: LF ends a line.
	EOLUnix EOLType = iota
	// EOLDOS turns CRLF into LF when decoding (a lone CR stays) and LF into
	// CRLF when encoding.
	EOLDOS
	// EOLMac turns CR into LF when decoding and LF into CR when encoding.
	EOLMac
	// EOLUndecided is detected from the data when decoding; encoding uses
	// the system's convention (LF, or CRLF on Windows), as Emacs does.
	EOLUndecided
)

// String returns "unix", "dos", "mac" or "undecided".
func (t EOLType) String() string {
	switch t {
	case EOLUnix:
		return "unix"
	case EOLDOS:
		return "dos"
	case EOLMac:
		return "mac"
	case EOLUndecided:
		return "undecided"
	}
	return "EOLType(" + strconv.Itoa(int(t)) + ")"
}

// suffix is the ending Emacs adds to a coding system's name for t.
func (t EOLType) suffix() string {
	switch t {
	case EOLUnix:
		return "-unix"
	case EOLDOS:
		return "-dos"
	case EOLMac:
		return "-mac"
	}
	return ""
}

// systemEOL is what an undecided end of line becomes when encoding: Emacs's
// system-eol-type.
var systemEOL = func() EOLType {
	if runtime.GOOS == "windows" {
		return EOLDOS
	}
	return EOLUnix
}()

// CodingSystemError is returned by LookupCodingSystem for a name that is not
// a coding system. Its text is Emacs's: "Invalid coding system: NAME".
type CodingSystemError struct {
	Name string // the name asked for
}

// Error returns Emacs's message, "Invalid coding system: NAME".
func (e *CodingSystemError) Error() string { return "Invalid coding system: " + e.Name }

// CodingSystem is a registered Emacs coding system: a charset and an
// end-of-line type. It is immutable and safe for concurrent use; the
// decoders and encoders made from it are per stream and are not.
type CodingSystem struct {
	name   string // canonical name: "iso-latin-1-dos"
	symbol string // the name it was looked up by: "latin-1-dos"
	fam    *family
	eol    EOLType
}

// LookupCodingSystem returns the coding system with the given name or alias
// ("utf-8", "utf-8-unix", "latin-1", "binary", ...). Names are Emacs's and
// case-sensitive. An unknown name gives a *CodingSystemError.
func LookupCodingSystem(name string) (*CodingSystem, error) {
	if c := registry().byName[name]; c != nil {
		return c, nil
	}
	return nil, &CodingSystemError{Name: name}
}

// CodingSystemNames returns every registered name and alias, with their
// -unix, -dos and -mac forms, sorted.
func CodingSystemNames() []string {
	return append([]string(nil), registry().names...)
}

// Name returns the canonical Emacs name: the first of coding-system-aliases,
// so "utf-8-unix" for "mule-utf-8-unix" and "iso-latin-1" for "latin-1".
func (c *CodingSystem) Name() string { return c.name }

// EOL returns the end-of-line type; no-conversion's is EOLUnix.
func (c *CodingSystem) EOL() EOLType { return c.eol }

// WithEOL returns the same charset with end-of-line type t, by its canonical
// name: utf-8 with EOLUnix is utf-8-unix, and EOLUndecided gives the base
// system. no-conversion has no variants and is returned as it is.
func (c *CodingSystem) WithEOL(t EOLType) *CodingSystem {
	if c.fam.kind == kindNoConversion {
		return c
	}
	if v := registry().byName[c.fam.variantName(t)]; v != nil {
		return v
	}
	return c
}

// Multibyte reports whether decoded text is characters (Emacs's multibyte
// strings). It is false for raw-text and no-conversion, whose output is the
// bytes as read.
func (c *CodingSystem) Multibyte() bool {
	return c.fam.kind != kindRawText && c.fam.kind != kindNoConversion
}

// rawText returns raw-text with c's end-of-line type (raw-text-dos for
// utf-8-dos), the decoding Emacs switches to when a process's filter is not
// multibyte. raw-text and no-conversion are returned unchanged.
func (c *CodingSystem) rawText() *CodingSystem {
	if !c.Multibyte() {
		return c
	}
	return registry().byName["raw-text"+c.eol.suffix()]
}

// newDecoder returns a decoder for one stream of c.
func (c *CodingSystem) newDecoder() decoder {
	d := &streamDecoder{symbol: c.symbol, atStart: true}
	d.setFamily(c.fam, c.eol)
	return d
}

// newEncoder returns an encoder for one stream of c.
func (c *CodingSystem) newEncoder() encoder {
	e := &streamEncoder{symbol: c.symbol, fam: c.fam, eol: c.eol}
	if c.eol == EOLUndecided {
		e.eol = systemEOL
	}
	if c.fam.kind == kindUndecided {
		// Emacs encodes with the locale's coding system; eproc with utf-8.
		e.fam = registry().families["utf-8"]
	}
	if c.eol == EOLUndecided || c.fam.kind == kindUndecided {
		// Emacs resolves the system at the first send and reports that.
		e.resolved = e.fam.variantName(e.eol)
	}
	return e
}

type decoder interface {
	// decode converts the bytes of one read and returns the text.
	// Incomplete input at the end (a multibyte sequence split across reads,
	// a CR that may be followed by LF under -dos, bytes undecided detection
	// still needs) is kept inside and prepended to the next call. atEOF
	// flushes everything: an incomplete sequence comes out as raw bytes.
	// Returns "" when everything was carried over (callers then skip the filter call).
	decode(src []byte, atEOF bool) string
	// decodeOwned is decode (not at EOF) for a src the caller may give
	// away: where the text is the bytes themselves (utf-8-unix,
	// raw-text-unix, no-conversion, with nothing carried over) the string
	// shares src's memory instead of copying it, and kept is true: the
	// caller must never touch src again. Otherwise the text is a copy.
	decodeOwned(src []byte) (s string, kept bool)
	// name is the coding system now in effect: for undecided / EOL-undecided
	// systems it is the detected one once decided (e.g. "utf-8-dos").
	// Until something is decided it is the name the system was looked up
	// by ("latin-1", not "iso-latin-1"), as process-coding-system shows the
	// :coding symbol given.
	name() string
}

type encoder interface {
	encode(s string) []byte // EOL conversion (LF -> CRLF under -dos, -> CR under -mac) and charset conversion
	// name is the name the system was looked up by; for an undecided or
	// EOL-undecided system, after the first encode, the system resolved
	// for it ("utf-8-unix" for utf-8), as process-coding-system shows
	// after a send.
	name() string
}

// The registry.

type codingKind uint8

const (
	kindUTF8         codingKind = iota // text is its bytes; a BOM may be handled
	kindUTF16                          // UTF-16, either byte order
	kindSingle                         // a single-byte charset with a table
	kindDBCS                           // a double-byte charset (Shift-JIS, EUC, GBK, Big5)
	kindISO2022JP                      // ISO-2022-JP, 7-bit with escape sequences
	kindRawText                        // bytes as they are, with EOL conversion
	kindNoConversion                   // bytes as they are
	kindUndecided                      // detected from the data
)

type bomPolicy uint8

const (
	bomNone   bomPolicy = iota // a byte-order mark is an ordinary U+FEFF
	bomStrip                   // a BOM at the start of the stream is removed
	bomDetect                  // a BOM at the start is removed and decides the system
)

// family is a base coding system with its aliases; its -unix, -dos and -mac
// variants share it.
type family struct {
	name        string
	aliases     []string
	kind        codingKind
	bom         bomPolicy
	writeBOM    bool // the encoder starts the stream with a BOM
	bigEndian   bool // kindUTF16
	sb          *sbCharset
	db          *dbcsCharset
	defaultChar byte // written for a character the charset cannot encode
}

// variantName is the canonical name of f with end-of-line type t.
func (f *family) variantName(t EOLType) string {
	if f.kind == kindNoConversion {
		return f.name
	}
	return f.name + t.suffix()
}

type codingRegistry struct {
	byName   map[string]*CodingSystem
	names    []string
	families map[string]*family
}

// Names and aliases are Emacs 28.2's, as coding-system-aliases lists them.
func familyList() []*family {
	fams := []*family{
		{name: "utf-8", aliases: []string{"mule-utf-8", "cp65001"}, kind: kindUTF8},
		{name: "utf-8-with-signature", kind: kindUTF8, bom: bomStrip, writeBOM: true},
		// Emacs 28.2 writes no BOM for utf-8-auto.
		{name: "utf-8-auto", kind: kindUTF8, bom: bomDetect},
		{name: "utf-16", kind: kindUTF16, bom: bomDetect, writeBOM: true, bigEndian: true},
		{name: "utf-16le", kind: kindUTF16},
		{name: "utf-16be", kind: kindUTF16, bigEndian: true},
		{name: "utf-16le-with-signature", aliases: []string{"utf-16-le"}, kind: kindUTF16, bom: bomStrip, writeBOM: true},
		{name: "utf-16be-with-signature", aliases: []string{"utf-16-be"}, kind: kindUTF16, bom: bomStrip, writeBOM: true, bigEndian: true},
		{name: "us-ascii", aliases: []string{"iso-safe", "ascii"}, kind: kindSingle, sb: asciiSB, defaultChar: '?'},
		{name: "iso-latin-1", aliases: []string{"iso-8859-1", "latin-1"}, kind: kindSingle, sb: cmSB(charmap.ISO8859_1, false, nil)},
		{name: "iso-latin-2", aliases: []string{"iso-8859-2", "latin-2"}, kind: kindSingle, sb: cmSB(charmap.ISO8859_2, true, nil)},
		{name: "iso-latin-3", aliases: []string{"iso-8859-3", "latin-3"}, kind: kindSingle, sb: cmSB(charmap.ISO8859_3, true, nil)},
		{name: "iso-latin-4", aliases: []string{"iso-8859-4", "latin-4"}, kind: kindSingle, sb: cmSB(charmap.ISO8859_4, true, nil)},
		{name: "cyrillic-iso-8bit", aliases: []string{"iso-8859-5"}, kind: kindSingle, sb: cmSB(charmap.ISO8859_5, true, nil)},
		{name: "iso-8859-6", kind: kindSingle, sb: cmSB(charmap.ISO8859_6, true, nil)},
		{name: "greek-iso-8bit", aliases: []string{"iso-8859-7"}, kind: kindSingle, sb: cmSB(charmap.ISO8859_7, true, nil)},
		{name: "hebrew-iso-8bit", aliases: []string{"iso-8859-8", "iso-8859-8-e", "iso-8859-8-i"}, kind: kindSingle, sb: cmSB(charmap.ISO8859_8, true, nil)},
		{name: "iso-latin-5", aliases: []string{"iso-8859-9", "latin-5"}, kind: kindSingle, sb: cmSB(charmap.ISO8859_9, true, nil)},
		{name: "iso-latin-6", aliases: []string{"iso-8859-10", "latin-6"}, kind: kindSingle, sb: cmSB(charmap.ISO8859_10, true, nil)},
		// x/text has no ISO 8859-11; it is windows-874 with C1 controls in
		// 0x80-0x9F, as Emacs's table has them.
		{name: "iso-8859-11", kind: kindSingle, sb: cmSB(charmap.Windows874, true, nil)},
		{name: "iso-latin-7", aliases: []string{"iso-8859-13", "latin-7"}, kind: kindSingle, sb: cmSB(charmap.ISO8859_13, true, nil)},
		{name: "iso-latin-8", aliases: []string{"iso-8859-14", "latin-8"}, kind: kindSingle, sb: cmSB(charmap.ISO8859_14, true, nil)},
		{name: "iso-latin-9", aliases: []string{"iso-8859-15", "latin-9", "latin-0"}, kind: kindSingle, sb: cmSB(charmap.ISO8859_15, true, nil)},
		{name: "iso-latin-10", aliases: []string{"iso-8859-16", "latin-10"}, kind: kindSingle, sb: cmSB(charmap.ISO8859_16, true, nil)},
		{name: "windows-1250", aliases: []string{"cp1250"}, kind: kindSingle, sb: cmSB(charmap.Windows1250, false, nil)},
		{name: "windows-1251", aliases: []string{"cp1251"}, kind: kindSingle, sb: cmSB(charmap.Windows1251, false, nil)},
		{name: "windows-1252", aliases: []string{"cp1252"}, kind: kindSingle, sb: cmSB(charmap.Windows1252, false, nil)},
		{name: "windows-1253", aliases: []string{"cp1253"}, kind: kindSingle, sb: cmSB(charmap.Windows1253, false, nil)},
		{name: "windows-1254", aliases: []string{"cp1254"}, kind: kindSingle, sb: cmSB(charmap.Windows1254, false, nil)},
		// Emacs leaves 0xCA undecoded; x/text maps it to U+05BA.
		{name: "windows-1255", aliases: []string{"cp1255"}, kind: kindSingle, sb: cmSB(charmap.Windows1255, false, map[byte]rune{0xCA: -1})},
		{name: "windows-1256", aliases: []string{"cp1256"}, kind: kindSingle, sb: cmSB(charmap.Windows1256, false, nil)},
		{name: "windows-1257", aliases: []string{"cp1257"}, kind: kindSingle, sb: cmSB(charmap.Windows1257, false, nil)},
		{name: "windows-1258", aliases: []string{"cp1258"}, kind: kindSingle, sb: cmSB(charmap.Windows1258, false, nil)},
		{name: "cp437", aliases: []string{"ibm437"}, kind: kindSingle, sb: cmSB(charmap.CodePage437, false, nil)},
		{name: "cp850", aliases: []string{"ibm850"}, kind: kindSingle, sb: cmSB(charmap.CodePage850, false, nil)},
		{name: "cp866", kind: kindSingle, sb: cmSB(charmap.CodePage866, false, nil)},
		{name: "cyrillic-koi8", aliases: []string{"koi8-r", "koi8", "cp878"}, kind: kindSingle, sb: cmSB(charmap.KOI8R, false, nil)},
		// Emacs's KOI8-U has box drawing at 0xAE and 0xBE where x/text has
		// the later Belarusian letters.
		{name: "koi8-u", kind: kindSingle, sb: cmSB(charmap.KOI8U, false, map[byte]rune{0xAE: 0x255D, 0xBE: 0x256C})},
		{name: "japanese-shift-jis", aliases: []string{"shift_jis", "sjis"}, kind: kindDBCS, db: dbSJIS},
		{name: "japanese-cp932", aliases: []string{"cp932"}, kind: kindDBCS, db: dbCP932},
		{name: "japanese-iso-8bit", aliases: []string{"euc-japan-1990", "euc-japan", "euc-jp"}, kind: kindDBCS, db: dbEUCJP},
		{name: "iso-2022-jp", aliases: []string{"junet"}, kind: kindISO2022JP},
		{name: "korean-iso-8bit", aliases: []string{"euc-kr", "euc-korea", "ks_c_5601-1987"}, kind: kindDBCS, db: dbEUCKR},
		{name: "chinese-gbk", aliases: []string{"gbk", "cp936", "windows-936"}, kind: kindDBCS, db: dbGBK},
		{name: "chinese-iso-8bit", aliases: []string{"cn-gb-2312", "euc-china", "euc-cn", "cn-gb", "gb2312"}, kind: kindDBCS, db: dbGB2312},
		{name: "chinese-gb18030", aliases: []string{"gb18030"}, kind: kindDBCS, db: dbGB18030},
		{name: "chinese-big5", aliases: []string{"big5", "cn-big5", "cp950"}, kind: kindDBCS, db: dbBig5},
		{name: "raw-text", kind: kindRawText},
		{name: "no-conversion", aliases: []string{"binary"}, kind: kindNoConversion},
		{name: "undecided", kind: kindUndecided},
	}
	for _, f := range fams {
		if f.defaultChar == 0 {
			f.defaultChar = ' '
		}
	}
	return fams
}

var registry = sync.OnceValue(func() *codingRegistry {
	r := &codingRegistry{byName: map[string]*CodingSystem{}, families: map[string]*family{}}
	add := func(sym, canonical string, f *family, t EOLType) {
		r.byName[sym] = &CodingSystem{name: canonical, symbol: sym, fam: f, eol: t}
		r.names = append(r.names, sym)
	}
	for _, f := range familyList() {
		r.families[f.name] = f
		bases := append([]string{f.name}, f.aliases...)
		if f.kind == kindNoConversion {
			for _, b := range bases {
				add(b, f.name, f, EOLUnix)
			}
			continue
		}
		for _, t := range []EOLType{EOLUndecided, EOLUnix, EOLDOS, EOLMac} {
			for _, b := range bases {
				add(b+t.suffix(), f.variantName(t), f, t)
			}
		}
	}
	// Emacs's aliases unix, dos and mac of undecided-unix, -dos and -mac.
	und := r.families["undecided"]
	for _, t := range []EOLType{EOLUnix, EOLDOS, EOLMac} {
		add(t.String(), und.variantName(t), und, t)
	}
	sort.Strings(r.names)
	return r
})

// The decoder.

// streamDecoder decodes one stream: a charset stage, then the end-of-line
// stage on the decoded text.
type streamDecoder struct {
	symbol  string  // reported until something is detected
	fam     *family // charset in effect
	eol     EOLType // end-of-line type in effect
	changed bool    // detection decided something: name reports fam and eol
	atStart bool    // no byte of the stream has been consumed
	fast    bool    // text is the bytes, EOLs are left alone, nothing is held
	t       transform.Transformer
	carry   []byte // input not decoded yet
	cr      bool   // the end-of-line stage holds a CR
	in      []byte // scratch: carry + src
	buf     []byte // scratch: decoded text
	out     []byte // scratch: text after EOL conversion
}

func (d *streamDecoder) name() string {
	if !d.changed {
		return d.symbol
	}
	return d.fam.variantName(d.eol)
}

// setFamily puts f and end-of-line type t in effect.
func (d *streamDecoder) setFamily(f *family, t EOLType) {
	d.fam = f
	if f.kind == kindNoConversion {
		t = EOLUnix
	}
	d.eol = t
	d.t = f.newTransformer()
	d.updateFast()
}

func (d *streamDecoder) updateFast() {
	k := d.fam.kind
	d.fast = d.t == nil && d.eol == EOLUnix && !d.cr &&
		(k == kindUTF8 || k == kindRawText || k == kindNoConversion)
}

func (d *streamDecoder) decodeOwned(src []byte) (string, bool) {
	if !d.fast || len(d.carry) > 0 || len(src) == 0 {
		return d.decode(src, false), false
	}
	n := len(src)
	if d.fam.kind == kindUTF8 {
		n -= incompleteUTF8Tail(src)
	}
	d.carry = append(d.carry[:0], src[n:]...)
	if n == 0 {
		return "", false
	}
	d.atStart = false
	return unsafe.String(&src[0], n), true
}

func (d *streamDecoder) decode(src []byte, atEOF bool) string {
	if d.fast && (len(d.carry) == 0 || len(src) >= utf8.UTFMax-1) {
		// The hot path: utf-8-unix, raw-text-unix, no-conversion. The text
		// is the bytes; only a UTF-8 sequence cut by the end of the read is
		// held back (raw-text never holds anything). With at least three
		// bytes read, such a tail lies within src. One allocation, one copy.
		n := len(src)
		if !atEOF && d.fam.kind == kindUTF8 {
			n -= incompleteUTF8Tail(src)
		}
		var s string
		if len(d.carry) == 0 {
			s = string(src[:n])
		} else {
			var b strings.Builder
			b.Grow(len(d.carry) + n)
			b.Write(d.carry)
			b.Write(src[:n])
			s = b.String()
		}
		d.carry = append(d.carry[:0], src[n:]...)
		if len(s) > 0 {
			d.atStart = false
		}
		return s
	}
	in := src
	if len(d.carry) > 0 {
		d.in = append(append(d.in[:0], d.carry...), src...)
		in = d.in
		d.carry = d.carry[:0]
	}
	var text []byte
	n := len(in)
	if d.fam.kind == kindUndecided {
		if f := detectCharset(in, d.atStart, atEOF); f != nil {
			d.changed = true
			if f.kind == kindNoConversion && d.cr {
				// A CR held for EOL detection goes out as it is.
				in = append([]byte{'\r'}, in...)
				d.cr = false
			}
			d.setFamily(f, d.eol)
		} else {
			// Still undecided: in is ASCII up to a tail of high bytes that
			// waits for more input.
			n = len(in) - undecidedWait(in, d.atStart, atEOF)
			text = in[:n]
		}
	}
	if d.fam.kind != kindUndecided {
		text, n = d.decodeCharset(in, atEOF)
	}
	if n > 0 {
		d.atStart = false
	}
	if n < len(in) {
		d.carry = append(d.carry[:0], in[n:]...)
	}
	s := d.convertEOL(text, atEOF)
	d.updateFast()
	return s
}

// decodeCharset runs the charset stage over in and returns the text and
// how many bytes of in it consumed.
func (d *streamDecoder) decodeCharset(in []byte, atEOF bool) ([]byte, int) {
	if d.t == nil {
		n := len(in)
		if !atEOF && d.fam.kind == kindUTF8 {
			n -= incompleteUTF8Tail(in)
		}
		return in[:n], n
	}
	text, n := runTransform(d.t, d.buf[:0], in, atEOF)
	d.buf = text
	switch t := d.t.(type) {
	case *utf8BOMDecoder:
		if t.started {
			// The BOM is dealt with; from here on the text is the bytes.
			if t.detect {
				d.changed = true
				if t.sawBOM {
					d.fam = registry().families["utf-8-with-signature"]
				} else {
					d.fam = registry().families["utf-8"]
				}
			}
			d.t = nil
		}
	case *utf16Decoder:
		if t.switched != "" && t.switched != d.fam.name {
			d.changed = true
			d.fam = registry().families[t.switched]
		}
	}
	return text, n
}

// runTransform appends the transformation of src to dst, growing dst as
// needed, and returns it with the number of bytes of src consumed; the rest
// is an incomplete tail (transform.ErrShortSrc).
func runTransform(t transform.Transformer, dst, src []byte, atEOF bool) ([]byte, int) {
	if need := 3*len(src) + 16; cap(dst)-len(dst) < need {
		dst = append(make([]byte, 0, len(dst)+need), dst...)
	}
	nSrc := 0
	for {
		nd, ns, err := t.Transform(dst[len(dst):cap(dst)], src[nSrc:], atEOF)
		dst = dst[:len(dst)+nd]
		nSrc += ns
		if err != transform.ErrShortDst {
			return dst, nSrc
		}
		dst = append(make([]byte, 0, 2*cap(dst)+16), dst...)
	}
}

// convertEOL is the end-of-line stage: it detects the EOL type if it is
// undecided and converts text.
func (d *streamDecoder) convertEOL(text []byte, atEOF bool) string {
	if d.eol == EOLUndecided && d.fam.kind != kindNoConversion {
		d.detectEOL(text, atEOF)
	}
	switch d.eol {
	case EOLUnix:
		if d.cr {
			// A CR held while the EOL type was undecided.
			d.cr = false
			d.out = append(append(d.out[:0], '\r'), text...)
			return string(d.out)
		}
		return string(text)
	case EOLMac:
		out := d.out[:0]
		if d.cr {
			d.cr = false
			out = append(out, '\n')
		}
		for {
			i := bytes.IndexByte(text, '\r')
			if i < 0 {
				break
			}
			out = append(append(out, text[:i]...), '\n')
			text = text[i+1:]
		}
		out = append(out, text...)
		d.out = out
		return string(out)
	case EOLDOS:
		if !d.cr && bytes.IndexByte(text, '\r') < 0 {
			return string(text)
		}
		out := d.out[:0]
		if d.cr {
			switch {
			case len(text) > 0 && text[0] == '\n':
				d.cr = false
				out = append(out, '\n')
				text = text[1:]
			case len(text) > 0 || atEOF:
				d.cr = false
				out = append(out, '\r')
			default:
				return ""
			}
		}
		for {
			i := bytes.IndexByte(text, '\r')
			if i < 0 {
				out = append(out, text...)
				break
			}
			out = append(out, text[:i]...)
			switch {
			case i+1 < len(text) && text[i+1] == '\n':
				out = append(out, '\n')
				text = text[i+2:]
			case i+1 < len(text) || atEOF:
				out = append(out, '\r') // a lone CR stays
				text = text[i+1:]
			default:
				d.cr = true // the CR may begin a CRLF split across reads
				text = nil
			}
		}
		d.out = out
		return string(out)
	}
	// Still undecided: no end of line seen, except maybe a CR at the end,
	// which waits.
	if len(text) > 0 && text[len(text)-1] == '\r' && !atEOF {
		d.cr = true
		text = text[:len(text)-1]
	}
	return string(text)
}

// detectEOL decides the end-of-line type from text, the way Emacs does for
// the first output that contains an end of line: a lone LF anywhere means
// unix (mixed endings resolve to unix), else a CRLF means dos, else a CR
// means mac. A CR at the end of text is not evidence unless atEOF.
func (d *streamDecoder) detectEOL(text []byte, atEOF bool) {
	var lf, crlf, cr bool
	prevCR := d.cr
	for _, b := range text {
		if prevCR {
			prevCR = false
			if b == '\n' {
				crlf = true
				continue
			}
			cr = true
		}
		switch b {
		case '\r':
			prevCR = true
		case '\n':
			lf = true
		}
	}
	if prevCR && atEOF {
		cr = true
	}
	switch {
	case lf:
		d.eol = EOLUnix
	case crlf:
		d.eol = EOLDOS
	case cr:
		d.eol = EOLMac
	default:
		return
	}
	d.changed = true
}

// incompleteUTF8Tail returns the length of the proper prefix of a UTF-8
// sequence at the end of p (0 to 3 bytes): the bytes a decoder must wait
// with. Invalid bytes are never held; they decode as themselves.
func incompleteUTF8Tail(p []byte) int {
	for k := 1; k <= utf8.UTFMax-1 && k <= len(p); k++ {
		b := p[len(p)-k]
		if b < utf8.RuneSelf {
			return 0
		}
		if b >= 0xC0 {
			if utf8.FullRune(p[len(p)-k:]) {
				return 0
			}
			return k
		}
	}
	return 0
}

// detectCharset picks the charset of undecided output in, as Emacs 28.2
// does in the English language environment, or returns nil when in gives
// no evidence yet (ASCII, maybe with a short tail of high bytes).
func detectCharset(in []byte, atStart, atEOF bool) *family {
	fams := registry().families
	if atStart {
		if len(in) >= 2 {
			switch {
			case in[0] == 0xFF && in[1] == 0xFE:
				return fams["utf-16le-with-signature"]
			case in[0] == 0xFE && in[1] == 0xFF:
				return fams["utf-16be-with-signature"]
			}
		}
	}
	if bytes.IndexByte(in, 0) >= 0 {
		return fams["no-conversion"]
	}
	if undecidedWait(in, atStart, atEOF) > 0 {
		return nil
	}
	k := firstHighByte(in)
	if k < 0 {
		return nil
	}
	hi := in[k:]
	n := len(hi)
	if !atEOF {
		n -= incompleteUTF8Tail(hi)
	}
	switch {
	case utf8.Valid(hi[:n]):
		return fams["utf-8"]
	case !hasC1(hi):
		return fams["iso-latin-1"]
	case validSJIS(hi, atEOF):
		return fams["japanese-shift-jis"]
	}
	return fams["raw-text"]
}

// undecidedWait returns how many bytes at the end of undecided output in
// must wait for more input before the charset can be detected: a lone
// first byte that may begin a UTF-16 BOM, or the only non-ASCII bytes being
// an incomplete UTF-8 sequence at the end (which may as well be Latin-1).
// Emacs 28.2 decides utf-8 on such a read; eproc waits, so that the choice
// does not depend on where reads happen to split.
func undecidedWait(in []byte, atStart, atEOF bool) int {
	if atEOF {
		return 0
	}
	if atStart && len(in) == 1 && (in[0] == 0xFE || in[0] == 0xFF) {
		return 1
	}
	k := firstHighByte(in)
	if k < 0 {
		return 0
	}
	if n := len(in) - k; incompleteUTF8Tail(in[k:]) == n {
		return n
	}
	return 0
}

func firstHighByte(p []byte) int {
	for i, b := range p {
		if b >= utf8.RuneSelf {
			return i
		}
	}
	return -1
}

func hasC1(p []byte) bool {
	for _, b := range p {
		if b >= 0x80 && b <= 0x9F {
			return true
		}
	}
	return false
}

// validSJIS reports whether p is well-formed Shift-JIS; unless atEOF, a lead
// byte may end it.
func validSJIS(p []byte, atEOF bool) bool {
	for i := 0; i < len(p); i++ {
		b := p[i]
		switch {
		case b < 0x80 || (b >= 0xA1 && b <= 0xDF):
		case (b >= 0x81 && b <= 0x9F) || (b >= 0xE0 && b <= 0xEF):
			if i+1 == len(p) {
				return !atEOF
			}
			if !sjisTrail(p[i+1]) {
				return false
			}
			i++
		default:
			return false
		}
	}
	return true
}

// newTransformer returns the charset stage of f's decoder; nil means the
// text is the bytes.
func (f *family) newTransformer() transform.Transformer {
	switch f.kind {
	case kindUTF8:
		if f.bom != bomNone {
			return &utf8BOMDecoder{detect: f.bom == bomDetect}
		}
	case kindUTF16:
		return &utf16Decoder{big: f.bigEndian, bom: f.bom}
	case kindSingle:
		return &sbDecoder{dec: &f.sb.tables().dec}
	case kindDBCS:
		return newDBCSDecoder(f.db)
	case kindISO2022JP:
		return &iso2022jpDecoder{t: dbEUCJP.tables()}
	}
	return nil
}

// The charset stages. Each is a transform.Transformer that returns
// transform.ErrShortSrc for an incomplete sequence at the end of src unless
// atEOF, when it emits the bytes as raw bytes instead.

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// utf8BOMDecoder removes a UTF-8 BOM at the start of the stream
// (utf-8-with-signature) and, for utf-8-auto, records whether there was one.
type utf8BOMDecoder struct {
	detect  bool
	started bool
	sawBOM  bool
}

func (d *utf8BOMDecoder) Reset() { d.started, d.sawBOM = false, false }

func (d *utf8BOMDecoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	if !d.started {
		if len(src) < len(utf8BOM) && !atEOF && bytes.HasPrefix(utf8BOM, src) {
			return 0, 0, transform.ErrShortSrc
		}
		d.started = true
		if bytes.HasPrefix(src, utf8BOM) {
			nSrc = len(utf8BOM)
			d.sawBOM = true
		}
	}
	end := len(src)
	if !atEOF {
		end -= incompleteUTF8Tail(src[nSrc:])
	}
	c := copy(dst, src[nSrc:end])
	nDst, nSrc = c, nSrc+c
	switch {
	case nSrc < end:
		err = transform.ErrShortDst
	case nSrc < len(src):
		err = transform.ErrShortSrc
	}
	return nDst, nSrc, err
}

// utf16Decoder decodes UTF-16 as Emacs 28.2 does: a high surrogate not
// followed by a low one comes out as its two bytes taken as characters
// U+0000-U+00FF, in stream order; a lone low surrogate as that code point
// (written as its 3-byte generalized UTF-8 form, as Emacs stores it). An
// odd byte at the end of the stream is a raw byte. A high surrogate cut by
// the end of the stream is kept as raw bytes (Emacs drops it).
type utf16Decoder struct {
	big      bool
	bom      bomPolicy
	started  bool
	switched string // the family a BOM decided, under bomDetect
}

func (d *utf16Decoder) Reset() { d.started, d.switched = false, "" }

func (d *utf16Decoder) unit(p []byte) uint16 {
	if d.big {
		return uint16(p[0])<<8 | uint16(p[1])
	}
	return uint16(p[1])<<8 | uint16(p[0])
}

func (d *utf16Decoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	if !d.started {
		if len(src) < 2 && !atEOF {
			return 0, 0, transform.ErrShortSrc
		}
		d.started = true
		if len(src) >= 2 {
			be := src[0] == 0xFE && src[1] == 0xFF
			le := src[0] == 0xFF && src[1] == 0xFE
			switch {
			case d.bom == bomDetect && be:
				d.big, d.switched, nSrc = true, "utf-16be-with-signature", 2
			case d.bom == bomDetect && le:
				d.big, d.switched, nSrc = false, "utf-16le-with-signature", 2
			case d.bom == bomStrip && (d.big && be || !d.big && le):
				nSrc = 2
			}
		}
	}
loop:
	for nSrc+1 < len(src) {
		if len(dst)-nDst < utf8.UTFMax {
			return nDst, nSrc, transform.ErrShortDst
		}
		u := d.unit(src[nSrc:])
		switch {
		case u >= 0xD800 && u < 0xDC00:
			if nSrc+4 > len(src) {
				break loop
			}
			if u2 := d.unit(src[nSrc+2:]); u2 >= 0xDC00 && u2 < 0xE000 {
				r := (rune(u)-0xD800)<<10 | (rune(u2) - 0xDC00) + 0x10000
				nDst += utf8.EncodeRune(dst[nDst:], r)
				nSrc += 4
			} else {
				nDst += utf8.EncodeRune(dst[nDst:], rune(src[nSrc]))
				nDst += utf8.EncodeRune(dst[nDst:], rune(src[nSrc+1]))
				nSrc += 2
			}
		case u >= 0xDC00 && u < 0xE000:
			dst[nDst] = 0xED
			dst[nDst+1] = 0x80 | byte(u>>6)&0x3F
			dst[nDst+2] = 0x80 | byte(u)&0x3F
			nDst += 3
			nSrc += 2
		default:
			nDst += utf8.EncodeRune(dst[nDst:], rune(u))
			nSrc += 2
		}
	}
	if nSrc < len(src) {
		if !atEOF {
			return nDst, nSrc, transform.ErrShortSrc
		}
		if len(dst)-nDst < len(src)-nSrc {
			return nDst, nSrc, transform.ErrShortDst
		}
		nDst += copy(dst[nDst:], src[nSrc:])
		nSrc = len(src)
	}
	return nDst, nSrc, nil
}

// sbCharset is a single-byte charset: a table built from x/text's charmap,
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

// The encoder.

// streamEncoder encodes one stream. It is stateful as Emacs's process
// encoding is: a BOM is written once, at the start of the stream, and
// ISO-2022-JP's mode carries over from one string to the next.
type streamEncoder struct {
	symbol   string
	fam      *family
	eol      EOLType // never EOLUndecided
	resolved string  // the name after the first encode, if it changes
	used     bool
	bomDone  bool
	jisMode  uint8
	four     *encoding.Encoder // GB18030's four-byte codes
}

func (e *streamEncoder) name() string {
	if e.used && e.resolved != "" {
		return e.resolved
	}
	return e.symbol
}

func (e *streamEncoder) encode(s string) []byte {
	e.used = true
	var out []byte
	if e.fam.writeBOM && !e.bomDone && len(s) > 0 {
		e.bomDone = true
		switch {
		case e.fam.kind == kindUTF8:
			out = append(out, utf8BOM...)
		case e.fam.bigEndian:
			out = append(out, 0xFE, 0xFF)
		default:
			out = append(out, 0xFF, 0xFE)
		}
	}
	switch e.fam.kind {
	case kindUTF8, kindRawText, kindNoConversion:
		if out == nil && e.eol == EOLUnix {
			return []byte(s)
		}
		return appendEOL(out, s, e.eol)
	}
	if out == nil {
		out = make([]byte, 0, len(s)+len(s)/4+8)
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			var n int
			out, n = e.appendRaw(out, s[i:])
			i += n
			continue
		}
		i += size
		if r == '\n' && e.eol != EOLUnix {
			out = e.appendChar(out, '\r')
			if e.eol == EOLMac {
				continue
			}
		}
		out = e.appendChar(out, r)
	}
	return out
}

// appendEOL appends s with LF converted for eol.
func appendEOL(out []byte, s string, eol EOLType) []byte {
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 || eol == EOLUnix {
			return append(out, s...)
		}
		out = append(out, s[:i]...)
		if eol == EOLDOS {
			out = append(out, '\r', '\n')
		} else {
			out = append(out, '\r')
		}
		s = s[i+1:]
	}
}

// appendRaw writes the invalid byte at the start of s and returns how many
// bytes of s it used. A raw byte goes out as itself; UTF-16 cannot carry
// one, and Emacs writes a space (but a surrogate in its 3-byte form is
// written as that code unit).
func (e *streamEncoder) appendRaw(out []byte, s string) ([]byte, int) {
	if e.fam.kind != kindUTF16 {
		return append(out, s[0]), 1
	}
	if len(s) >= 3 && s[0] == 0xED && s[1] >= 0xA0 && s[1] <= 0xBF && s[2] >= 0x80 && s[2] <= 0xBF {
		u := 0xD000 | uint16(s[1]&0x3F)<<6 | uint16(s[2]&0x3F)
		return e.appendUnit(out, u), 3
	}
	return e.appendChar(out, rune(e.fam.defaultChar)), 1
}

func (e *streamEncoder) appendUnit(out []byte, u uint16) []byte {
	if e.fam.bigEndian {
		return append(out, byte(u>>8), byte(u))
	}
	return append(out, byte(u), byte(u>>8))
}

// appendChar encodes r, or the family's default character (a space; '?'
// for us-ascii) when the charset has no code for it, as Emacs 28.2 does.
func (e *streamEncoder) appendChar(out []byte, r rune) []byte {
	switch e.fam.kind {
	case kindUTF16:
		if r >= 0x10000 {
			r -= 0x10000
			out = e.appendUnit(out, 0xD800+uint16(r>>10))
			return e.appendUnit(out, 0xDC00+uint16(r&0x3FF))
		}
		return e.appendUnit(out, uint16(r))
	case kindSingle:
		if r < utf8.RuneSelf {
			return append(out, byte(r))
		}
		if b, ok := e.fam.sb.tables().enc[r]; ok {
			return append(out, b)
		}
	case kindDBCS:
		if r < utf8.RuneSelf {
			return append(out, byte(r))
		}
		if code, ok := e.fam.db.tables().rev[r]; ok {
			switch {
			case code < 0x100:
				return append(out, byte(code))
			case code < 0x10000:
				return append(out, byte(code>>8), byte(code))
			}
			return append(out, byte(code>>16), byte(code>>8), byte(code))
		}
		if e.fam.db.kind == dbkGB18030 {
			if b, ok := e.encodeFour(r); ok {
				return append(out, b...)
			}
		}
	case kindISO2022JP:
		return e.appendJIS(out, r)
	default:
		return utf8.AppendRune(out, r)
	}
	return append(out, e.fam.defaultChar)
}

func (e *streamEncoder) encodeFour(r rune) ([]byte, bool) {
	if e.four == nil {
		e.four = e.fam.db.enc.NewEncoder()
	}
	var buf [8]byte
	e.four.Reset()
	n, _, err := e.four.Transform(buf[:], []byte(string(r)), true)
	if err != nil || n != 4 {
		return nil, false
	}
	return buf[:n], true
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
