package eproc

// Coding systems: Emacs's names for character encodings, and the stateful
// decoders and encoders that process output and input go through.
//
// Every base coding system of GNU Emacs 28.2 ((coding-system-list t), 126
// of them) is registered under its name and aliases, each with its -unix,
// -dos and -mac variants (coding_registry.go). The character tables come
// from golang.org/x/text where it has them, corrected and completed by
// tables generated from Emacs itself (internal/gencoding, run by go
// generate, writes coding_tables.go): every code of every charset a coding
// system uses, as Emacs decodes and encodes it. The files hold one family
// each: UTF-8, UTF-16, single-byte, Emacs's charset type, Shift-JIS and
// Big5, ISO-2022 (with EUC and compound text), emacs-mule, and the
// coding systems Emacs defines in Lisp on top of another (HZ, UTF-7,
// VIQR, IS 13194: coding_postread.go; compound text's extended segments:
// coding_ctext.go).
//
// # Text representation
//
// Decoded text is a Go string of UTF-8, as Emacs's multibyte text is:
// characters up to U+10FFFF are UTF-8 (surrogates included, as Emacs keeps
// them), and Emacs's own characters past U+10FFFF (the codes of a charset
// without a Unicode mapping) have Emacs's internal form, four or five
// bytes of the same scheme. A byte Emacs cannot decode is a raw-byte
// character in Emacs; eproc keeps it as the byte itself, so such text is
// not valid UTF-8. Nothing is replaced by U+FFFD. Raw bytes that happen to
// form a valid sequence read back as that character. An encoder reads its
// input the same way: a byte that starts no valid sequence is a raw byte
// and is written as itself (under UTF-16, which cannot hold one, as the
// default character).
//
// # Decoders
//
// A decoder belongs to one stream and decodes it the way Emacs 28.2
// decodes a process's output (read_process_output, decode_coding), read
// by read: what a read leaves incomplete (a multibyte sequence, a CR under
// -dos) is held and put in front of the next read, and at end of file
// comes out as raw bytes. Emacs decides some things from each read as it
// comes, and so does eproc, so that for any sequence of reads the text and
// the reported coding system are Emacs's but for the differences listed
// below (TestDecodeLikeEmacs checks this against Emacs itself):
//
//   - An undecided end-of-line type is taken from the first read with a
//     line end: LF alone gives -unix, CRLF -dos (also with lone CRs), CR
//     -mac, a mixture -unix. A CR that ends a read is not taken alone:
//     it waits for the next byte or the end of file (a difference from
//     Emacs, below).
//   - undecided and prefer-utf-8 detect the charset from the first read
//     with a byte above 127 (or an escape sequence, or a NUL), with Emacs's
//     detectors and priorities in the English language environment:
//     utf-8, iso-2022-7bit, iso-latin-1, emacs-mule, raw-text,
//     japanese-shift-jis, chinese-big5, ...; a NUL byte gives
//     no-conversion. A UTF-8 sequence cut by the end of the read counts
//     as valid.
//   - utf-8-auto and utf-16 look for a byte-order mark in the first read
//     only.
//   - An ISO-2022 decoder keeps the charsets invoked to GL and GR when a
//     pass of Emacs's decoder starts (each read, and when its buffer of
//     one unit per byte read fills up): a designation to a register a
//     locking shift invokes takes effect at the next pass.
//   - The Lisp conversions (HZ, UTF-7, VIQR, IS 13194, the segments of
//     compound-text-with-extensions) run on each read's text by itself.
//
// Once decided, the system holds for the rest of the stream, and the
// decoder's name reports it as process-coding-system does ("utf-8-dos",
// "iso-latin-1-unix"); until then it is the name the system was looked up
// by, as Emacs reports the :coding symbol given.
//
// # Differences from Emacs 28.2
//
// eproc does not lose data where Emacs 28.2 does, nor let a read's end
// decide a line end; these are the only differences in decoding
// (TestEmacsRegressions pins each):
//
//   - Emacs decides an undecided end-of-line type on a read that ends in
//     the CR of a CRLF as if the CR were alone: -mac, and every CRLF of
//     the stream then gives two line ends (or -dos on such a read with
//     CRLFs before, and the CR then stays before the LF of the next
//     read). So what it decides depends on where the reads fall. eproc
//     holds a CR that ends a read, and, when no LF or CRLF has decided
//     the type yet, the text from the first CR on, until the next byte or
//     the end of file, so that a stream with one kind of line end decodes
//     as it does whole, however it is read.
//   - Under -dos, Emacs's UTF-8, Shift-JIS, Big5, ISO-2022, charset-type
//     and emacs-mule decoders read the byte after a CR together with it;
//     when that byte starts an invalid or incomplete sequence, Emacs loses
//     it and takes the next byte as a raw byte; and but for the charset
//     type, of a CR ending a read and a CR starting the next, it loses the
//     second. eproc keeps the bytes (as raw bytes where invalid).
//   - UTF-16: Emacs repeats an unpaired high surrogate's bytes before
//     every following code unit, and drops one cut by the end of the
//     stream; eproc writes its two bytes once, as raw bytes. Under -dos,
//     when the bytes of an unpaired surrogate begin with an LF after a
//     CR, whether they make a CRLF depends in Emacs on whether a read
//     ends between the CR and the unit after the surrogate; eproc holds
//     the CR until that unit, and makes the CRLF as Emacs does decoding
//     the bytes whole.
//   - Where a Lisp conversion signals an error on a read's text (HZ text
//     ending in "~", a UTF-7 run of 4n+1 base64 characters, an extended
//     segment longer than the read), Emacs loses the read's text and the
//     bytes held back from it; eproc converts the rest and leaves that
//     sequence as it is.
//   - Emacs 28.2 loops forever on a read that ends in ESC, or in ESC and
//     one byte, inside a Compound Text UTF-8 segment; eproc holds those
//     bytes for the next read.
//
// Limits: emacs-mule's composition sequences (0x80 followed by a byte
// 0xA0-0xBF, 0xF2-0xF5 or 0xFF) are not decoded; their bytes come out as
// raw bytes. An ISO-2022 composition (ESC 0 ... ESC 1) comes out as its
// characters, without the composition (eproc's text has no properties).
// undecided encodes as utf-8 where Emacs uses the locale's coding system.
//
// # Encoders
//
// An encoder belongs to one stream too, as process-send-string's encoding
// does: a BOM is written at the first send (even of ""), and an ISO-2022
// system's designations and shifts carry over from one string to the
// next. A Lisp conversion (pre-write-encode-hz, utf-7-encode, ...) runs on
// each string. A character the coding system cannot encode is written as
// its default character (a space; '?' under us-ascii), as Emacs 28.2 does:
// (encode-coding-string "日本" 'latin-1) is "  ". An undecided end of line
// is encoded as the system's (LF; CRLF on Windows), and an undecided or
// EOL-undecided encoder's name becomes the resolved system at the first
// string ("utf-8-unix"), as process-coding-system shows after a send.
// TestEncodeLikeEmacs checks the bytes against Emacs's. One difference:
// utf-7 writes a run of more than 28 characters whole, where Emacs 28.2
// keeps only its first 76 base64 characters.

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
	// encodeShared is encode returning s's own bytes, to be read only,
	// where the encoding writes the text as it is.
	encodeShared(s string) []byte
	// appendEncode is encode appending to out, in its spare capacity.
	appendEncode(out []byte, s string) []byte
	// firstPiece and nextPiece cut a long text into pieces to encode one
	// after another as the input drains (SendString); rest is "" when
	// the text is encoded whole.
	firstPiece(s string) (piece, rest string)
	nextPiece(s string) (piece, rest string)
	// name is the name the system was looked up by; for an undecided or
	// EOL-undecided system, after the first encode, the system resolved
	// for it ("utf-8-unix" for utf-8), as process-coding-system shows
	// after a send.
	name() string
}
