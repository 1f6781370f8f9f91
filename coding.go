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
	"runtime"
	"strconv"
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
	return (c.fam.kind != kindRawText && c.fam.kind != kindNoConversion) || c.fam.multibyte
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
	d := &streamDecoder{symbol: c.symbol}
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
