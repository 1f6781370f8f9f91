package eproc

import (
	"sort"
	"sync"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
)

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
