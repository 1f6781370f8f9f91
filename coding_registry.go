package eproc

import (
	"sort"
	"strings"
	"sync"

	"golang.org/x/text/encoding/charmap"
)

// The registry: every base coding system of Emacs 28.2
// ((coding-system-list t)), with its aliases and -unix, -dos and -mac
// variants, under Emacs's names.

type codingKind uint8

const (
	kindUTF8         codingKind = iota // text is its bytes; a BOM may be handled
	kindUTF16                          // UTF-16, either byte order
	kindSingle                         // a single-byte charset with a table
	kindCharset                        // Emacs's charset type with one- and two-byte charsets
	kindSJIS                           // Shift-JIS (shift-jis type)
	kindBig5                           // Big5 (big5 type)
	kindISO2022                        // ISO-2022 and its variants (iso-2022 type)
	kindRawText                        // bytes as they are, with EOL conversion
	kindNoConversion                   // bytes as they are
	kindUndecided                      // detected from the data
	kindEmacsMule                      // Emacs 21's internal format
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
	charsets    []string // kindCharset, kindSJIS, kindBig5: Emacs's :charset-list
	iso         string   // kindISO2022: the isoDefs entry
	defaultChar byte     // written for a character the charset cannot encode
	preferUTF8  bool     // prefer-utf-8
	multibyte   bool     // no-conversion-multibyte: raw bytes as a multibyte string
	post        postKind // the post-read and pre-write conversion (coding_postread.go)
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

// familyList is every base system with its aliases, in the order of
// coding-system-aliases (the first name is the canonical one).
func familyList() []*family {
	fams := []*family{
		{name: "utf-8", aliases: []string{"mule-utf-8", "cp65001"}, kind: kindUTF8},
		{name: "utf-8-with-signature", kind: kindUTF8, bom: bomStrip, writeBOM: true},
		// Emacs 28.2 writes no BOM for utf-8-auto.
		{name: "utf-8-auto", kind: kindUTF8, bom: bomDetect},
		{name: "utf-8-emacs", kind: kindUTF8},
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
		{name: "japanese-shift-jis", aliases: []string{"shift_jis", "sjis"}, kind: kindSJIS,
			charsets: []string{"ascii", "katakana-jisx0201", "japanese-jisx0208"}},
		{name: "japanese-shift-jis-2004", aliases: []string{"shift_jis-2004"}, kind: kindSJIS,
			charsets: []string{"ascii", "katakana-jisx0201", "japanese-jisx0213.2004-1", "japanese-jisx0213-2"}},
		{name: "japanese-cp932", aliases: []string{"cp932"}, kind: kindCharset, charsets: []string{"ascii", "katakana-sjis", "cp932-2-byte"}},
		{name: "chinese-gbk", aliases: []string{"gbk", "cp936", "windows-936"}, kind: kindCharset, charsets: []string{"ascii", "chinese-gbk"}},
		{name: "chinese-gb18030", aliases: []string{"gb18030"}, kind: kindCharset, charsets: []string{"ascii", "gb18030-2-byte",
			"gb18030-4-byte-bmp", "gb18030-4-byte-smp", "gb18030-4-byte-ext-1", "gb18030-4-byte-ext-2"}},
		{name: "chinese-big5", aliases: []string{"big5", "cn-big5", "cp950"}, kind: kindBig5, charsets: []string{"ascii", "big5"}},
		{name: "chinese-big5-hkscs", aliases: []string{"big5-hkscs", "cn-big5-hkscs"}, kind: kindCharset, charsets: []string{"ascii", "big5-hkscs"}},
		{name: "korean-cp949", aliases: []string{"cp949"}, kind: kindCharset, charsets: []string{"ascii", "cp949"}},
		{name: "raw-text", kind: kindRawText},
		{name: "no-conversion", aliases: []string{"binary"}, kind: kindNoConversion},
		{name: "no-conversion-multibyte", kind: kindNoConversion, multibyte: true},
		{name: "undecided", kind: kindUndecided},
		{name: "emacs-mule", kind: kindEmacsMule},
		{name: "prefer-utf-8", kind: kindUndecided, preferUTF8: true},
		{name: "chinese-hz", aliases: []string{"hz-gb-2312", "hz"}, kind: kindUTF8, post: postHZ},
		{name: "utf-7", kind: kindUTF8, post: postUTF7},
		{name: "utf-7-imap", kind: kindUTF8, post: postUTF7IMAP},
		{name: "vietnamese-viqr", aliases: []string{"viqr"}, kind: kindUTF8, post: postVIQR},
	}
	isoAliases := map[string][]string{
		"chinese-iso-8bit":              {"cn-gb-2312", "euc-china", "euc-cn", "cn-gb", "gb2312"},
		"compound-text":                 {"x-ctext", "ctext"},
		"compound-text-with-extensions": {"x-ctext-with-extensions", "ctext-with-extensions"},
		"euc-jis-2004":                  {"euc-jisx0213"},
		"euc-tw":                        {"euc-taiwan"},
		"in-is13194-devanagari":         {"devanagari"},
		"iso-2022-7bit-lock":            {"iso-2022-int-1"},
		"iso-2022-7bit-lock-ss2":        {"iso-2022-cjk"},
		"iso-2022-cn":                   {"chinese-iso-7bit"},
		"iso-2022-jp":                   {"junet"},
		"iso-2022-jp-2004":              {"iso-2022-jp-3"},
		"iso-2022-kr":                   {"korean-iso-7bit-lock"},
		"japanese-iso-7bit-1978-irv":    {"iso-2022-jp-1978-irv", "old-jis"},
		"japanese-iso-8bit":             {"euc-japan-1990", "euc-japan", "euc-jp"},
		"korean-iso-8bit":               {"euc-kr", "euc-korea", "ks_c_5601-1987"},
		"tibetan-iso-8bit":              {"tibetan"},
	}
	for name := range isoDefs {
		f := &family{name: name, aliases: isoAliases[name], kind: kindISO2022, iso: name}
		switch name {
		case "in-is13194-devanagari":
			f.post = postISCII
		case "compound-text-with-extensions":
			f.post = postCtext
		}
		fams = append(fams, f)
	}
	for i := range genSingleByte {
		g := &genSingleByte[i]
		fams = append(fams, &family{name: g.name, aliases: genSBAliases[g.name], kind: kindSingle, sb: genSB2sb(g), defaultChar: byte(g.defaultByte)})
	}
	for _, f := range fams {
		if f.defaultChar == 0 {
			f.defaultChar = ' '
		}
	}
	sort.Slice(fams, func(i, j int) bool { return fams[i].name < fams[j].name })
	return fams
}

// genSBAliases are the aliases of the single-byte systems of
// coding_tables.go.
var genSBAliases = map[string][]string{
	"cp1125": {"ruscii", "cp866u"}, "cp775": {"ibm775"}, "cp851": {"ibm851"},
	"cp852": {"ibm852"}, "cp855": {"ibm855"}, "cp857": {"ibm857"}, "cp860": {"ibm860"},
	"cp861": {"ibm861"}, "cp862": {"ibm862"}, "cp863": {"ibm863"}, "cp865": {"ibm865"},
	"cp869": {"ibm869"}, "cp874": {"ibm874"}, "cyrillic-alternativnyj": {"alternativnyj"},
	"hp-roman8": {"roman8"}, "ibm038": {"ebcdic-int", "cp038"}, "ibm1047": {"cp1047"},
	"ibm256": {"ebcdic-int1", "cp256"}, "ibm273": {"cp273"}, "ibm274": {"ebcdic-be", "cp274"},
	"ibm275": {"ebcdic-br", "cp275"}, "ibm277": {"ebcdic-cp-dk", "ebcdic-cp-no", "cp277"},
	"ibm278": {"ebcdic-cp-fi", "ebcdic-cp-se", "cp278"}, "ibm280": {"ebcdic-cp-it", "cp280"},
	"ibm281": {"ebcdic-jp-e", "cp281"}, "ibm284": {"ebcdic-cp-es", "cp284"},
	"ibm285": {"ebcdic-cp-gb", "cp285"}, "ibm290": {"ebcdic-jp-kana", "cp290"},
	"ibm297": {"ebcdic-cp-fr", "cp297"}, "mac-roman": {"macintosh"},
	"thai-tis620": {"th-tis620", "tis620", "tis-620"}, "vietnamese-tcvn": {"tcvn", "tcvn-5712"},
	"vietnamese-viscii": {"viscii"}, "vietnamese-vscii": {"vscii"},
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
	// Emacs's aliases of a variant alone: unix, dos and mac of
	// undecided-unix, -dos and -mac, and emacs-internal of
	// utf-8-emacs-unix (which has no -dos or -mac form).
	und := r.families["undecided"]
	for _, t := range []EOLType{EOLUnix, EOLDOS, EOLMac} {
		add(t.String(), und.variantName(t), und, t)
	}
	ue := r.families["utf-8-emacs"]
	add("emacs-internal", ue.variantName(EOLUnix), ue, EOLUnix)
	sort.Strings(r.names)
	return r
})

// codingFamily returns the registered family name; it panics for an
// unknown one (a programming error).
func codingFamily(name string) *family {
	f := registry().families[name]
	if f == nil {
		panic("eproc: no coding system " + name)
	}
	return f
}

// newStage returns the charset stage of f's decoder for d; nil means the
// text is the bytes.
func (f *family) newStage(d *streamDecoder) stage {
	dos := d.eol == EOLDOS
	switch f.kind {
	case kindUTF8:
		if f.bom != bomNone || dos {
			return &utf8Decoder{bom: f.bom != bomNone, dos: dos, emacsBugs: d.emacsBugs}
		}
	case kindUTF16:
		u := newUTF16Decoder(f, dos)
		u.emacsBugs = d.emacsBugs
		return u
	case kindSingle:
		return &sbDecoder{t: f.sb.tables(), dos: dos, emacsBugs: d.emacsBugs}
	case kindCharset:
		return newCharsetDecoder(f.charsetCoding(), dos, d.emacsBugs)
	case kindSJIS, kindBig5:
		return newDBCSDecoder(f, dos, d.emacsBugs)
	case kindEmacsMule:
		return &emacsMuleDecoder{dos: dos, emacsBugs: d.emacsBugs}
	case kindISO2022:
		dec := newISO2022Decoder(isoSpec(f.iso))
		dec.dos, dec.emacsBugs = dos, d.emacsBugs
		dec.markRaw = f.post == postCtext
		return dec
	}
	return nil
}

// charsetCoding returns the decoding table of a kindCharset family.
func (f *family) charsetCoding() *charsetCoding {
	return charsetCodingFor(strings.Join(f.charsets, " "))
}
