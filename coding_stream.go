package eproc

import (
	"bytes"
	"strings"
	"unsafe"

	"golang.org/x/text/transform"
)

// The decoder of one stream, modelled on how Emacs 28.2 decodes a
// process's output (read_process_output and decode_coding): each read,
// with the bytes held back from the previous one in front, goes through
//
//  1. detection, while the system is undecided: the charset of undecided,
//     the byte-order mark of utf-8-auto and utf-16 (coding_detect.go);
//  2. the charset stage, which turns bytes into text and holds back an
//     incomplete sequence at the end (and, under -dos, a CR with nothing
//     after it);
//  3. the end-of-line stage: an undecided end-of-line type is taken from
//     the text, then CRLF becomes LF (-dos) or CR becomes LF (-mac); while
//     the next byte may still decide the type or make a CRLF, text that
//     ends in CR is held (see convertEOL);
//  4. the post-read conversion of the systems Emacs defines in Lisp
//     (coding_postread.go).
//
// At end of file whatever is held back comes out as raw bytes.

// stage is a charset stage: a transform.Transformer that returns
// transform.ErrShortSrc for input it holds back for the next read.
type stage interface {
	transform.Transformer
}

// dosStage is a stage that holds a CR at the end of a read under -dos.
type dosStage interface {
	setDOS(bool)
}

// readStage is a stage that wants to know where a read starts and how
// long it is (with the bytes held back from the last one).
type readStage interface {
	startRead(n int)
}

// streamDecoder decodes one stream.
type streamDecoder struct {
	symbol  string  // reported until something is detected
	fam     *family // charset in effect
	eol     EOLType // end-of-line type in effect
	changed bool    // detection decided something: name reports fam and eol
	fast    bool    // text is the bytes, EOLs are left alone, nothing special
	t       stage   // nil: the text is the bytes
	carry   []byte  // input not decoded yet
	in      []byte  // scratch: carry + src
	buf     []byte  // scratch: decoded text
	eolHeld []byte  // decoded text the end-of-line stage holds (ends in CR)
	// emacsBugs makes the decoder reproduce the data losses of Emacs
	// 28.2 that eproc does not have, and its end-of-line type decided on
	// a CR that ends a read (see "Differences from Emacs 28.2" in
	// coding.go), so that the differential test can compare every case
	// exactly. Only tests set it.
	emacsBugs bool
}

func (d *streamDecoder) name() string {
	if !d.changed {
		return d.symbol
	}
	return d.fam.variantName(d.eol)
}

// setFamily puts f and end-of-line type t in effect, with a fresh charset
// stage, as Emacs sets a coding system up anew when detection decides it.
func (d *streamDecoder) setFamily(f *family, t EOLType) {
	d.fam = f
	if f.kind == kindNoConversion {
		t = EOLUnix
	}
	d.eol = t
	d.t = f.newStage(d)
	d.updateFast()
}

// setEOL puts end-of-line type t in effect for the rest of the stream.
func (d *streamDecoder) setEOL(t EOLType) {
	d.eol = t
	d.changed = true
	if s, ok := d.t.(dosStage); ok {
		s.setDOS(t == EOLDOS)
	} else if d.t == nil && t == EOLDOS && d.fam.kind == kindUTF8 {
		// utf-8 needs a stage to hold a CR.
		d.t = &utf8Decoder{dos: true, emacsBugs: d.emacsBugs}
	}
	d.updateFast()
}

func (d *streamDecoder) updateFast() {
	k := d.fam.kind
	d.fast = d.t == nil && d.fam.post == postNone && d.eol == EOLUnix && (k == kindUTF8 || k == kindRawText || k == kindNoConversion) && len(d.eolHeld) == 0
}

// fastLen returns how much of src the fast path decodes now (the rest is
// held back), or -1 when src needs the full path.
func (d *streamDecoder) fastLen(src []byte, atEOF bool) int {
	if d.fam.kind != kindUTF8 {
		return len(src)
	}
	if utf8RawByteSeq(src) {
		return -1
	}
	if atEOF {
		return len(src)
	}
	return len(src) - utf8Tail(src)
}

func (d *streamDecoder) decodeOwned(src []byte) (string, bool) {
	if !d.fast || len(d.carry) > 0 || len(src) == 0 {
		return d.decode(src, false), false
	}
	n := d.fastLen(src, false)
	if n < 0 {
		return d.decode(src, false), false
	}
	d.carry = append(d.carry[:0], src[n:]...)
	if n == 0 {
		return "", false
	}
	return unsafe.String(&src[0], n), true
}

func (d *streamDecoder) decode(src []byte, atEOF bool) string {
	if d.fast && (len(d.carry) == 0 || len(src) >= 9) {
		// The hot path: utf-8-unix, raw-text-unix, no-conversion. The text
		// is the bytes; only a UTF-8 sequence cut by the end of the read
		// is held back (raw-text never holds anything). With nine bytes
		// read, what is held lies within src. One allocation, one copy.
		if n := d.fastLen(src, atEOF); n >= 0 {
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
			return s
		}
	}
	in := src
	if len(d.carry) > 0 {
		d.in = append(append(d.in[:0], d.carry...), src...)
		in = d.in
		d.carry = d.carry[:0]
	}
	d.detect(in, atEOF)
	var text []byte
	n := len(in)
	if d.t == nil {
		text = in
		if d.fam.kind == kindUTF8 && !atEOF {
			n -= utf8Tail(in)
			text = in[:n]
		} else if d.eol == EOLDOS && !atEOF && n > 0 && in[n-1] == '\r' && d.fam.kind != kindNoConversion {
			// decode_coding_raw_text holds a final CR under -dos.
			n--
			text = in[:n]
		}
	} else {
		if r, ok := d.t.(readStage); ok {
			r.startRead(len(in))
		}
		text, n = runTransform(d.t, d.buf[:0], in, atEOF)
		d.buf = text
		d.afterStage()
	}
	if n < len(in) {
		if atEOF && d.fam.post == postCtext {
			text = markRaw(text, in[n:])
		} else if atEOF {
			text = append(text, in[n:]...)
		} else {
			d.carry = append(d.carry[:0], in[n:]...)
		}
	}
	s := d.convertEOL(text, atEOF)
	if u, ok := d.t.(*utf16Decoder); ok && len(u.eofTail) > 0 {
		s += string(u.eofTail)
		u.eofTail = u.eofTail[:0]
	}
	if d.fam.post != postNone {
		var ok bool
		if s, ok = postRead(d.fam.post, s, d.emacsBugs); !ok && d.emacsBugs {
			// Emacs loses the read's text and what it held back.
			s, d.carry = "", d.carry[:0]
		}
	}
	d.updateFast()
	return s
}

// afterStage notes what the charset stage decided: utf-8-auto's BOM,
// after which the text is the bytes.
func (d *streamDecoder) afterStage() {
	if t, ok := d.t.(*utf8Decoder); ok && !t.bom && !t.dos && !t.emacsBugs && d.fam.bom == bomNone {
		d.t = nil
	}
}

// runTransform appends the transformation of src to dst, growing dst as
// needed, and returns it with the number of bytes of src consumed; the rest
// is an incomplete tail (transform.ErrShortSrc).
func runTransform(t transform.Transformer, dst, src []byte, atEOF bool) ([]byte, int) {
	// Room for the longest output (five bytes per byte read: a character
	// past U+FFFF from one byte, or a marked raw byte), so that a stage
	// runs once per read: the stages keep what they know of the bytes
	// before (a CR just read) only within one call.
	if need := 5*len(src) + 64; cap(dst)-len(dst) < need {
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

// The end-of-line stage: Emacs's decode_eol.

const (
	eolSeenLF = 1 << iota
	eolSeenCR
	eolSeenCRLF
)

// eolSeen scans decoded text for line ends the way decode_eol does and
// returns the type they show, or EOLUndecided for none: LF alone gives
// unix, CRLF alone dos, CR alone mac; CRLF with lone CRs (and no LF) dos;
// any other mixture unix.
func eolSeen(text []byte) EOLType {
	seen := 0
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '\n':
			seen |= eolSeenLF
		case '\r':
			if i+1 < len(text) && text[i+1] == '\n' {
				seen |= eolSeenCRLF
				i++
			} else {
				seen |= eolSeenCR
			}
		}
	}
	switch seen {
	case 0:
		return EOLUndecided
	case eolSeenCRLF, eolSeenCRLF | eolSeenCR:
		return EOLDOS
	case eolSeenCR:
		return EOLMac
	}
	return EOLUnix
}

// convertEOL is the end-of-line stage. An undecided end-of-line type is
// taken from the text, except that a CR ending the text (before end of
// file) is not yet a line end: the next byte may make it a CRLF, so a type
// decided on it could differ from what the whole stream gives (Emacs 28.2
// decides -mac on a read ending in the CR of a CRLF; see "Differences from
// Emacs 28.2" in coding.go). So it holds that text for the next read:
//
//   - with only CRs as line ends (-mac, or -dos if a CRLF follows), the
//     text from the first CR on, leaving the type undecided;
//   - once it decides -dos, the final CR, as the -dos stage holds one;
//   - with an LF (-unix whatever follows), nothing.
func (d *streamDecoder) convertEOL(text []byte, atEOF bool) string {
	if len(d.eolHeld) > 0 {
		if len(text) == 0 && !atEOF {
			// A read that gives no text (half a UTF-16 unit, an escape
			// sequence) leaves the held text as it is.
			return ""
		}
		text = append(d.eolHeld, text...)
		d.eolHeld = nil
	}
	var held []byte
	if d.eol == EOLUndecided && d.fam.kind != kindNoConversion {
		t := eolSeen(text)
		if t != EOLUndecided && !atEOF && !d.emacsBugs && text[len(text)-1] == '\r' {
			switch t {
			case EOLMac:
				i := bytes.IndexByte(text, '\r')
				text, held = text[:i], text[i:]
				t = EOLUndecided
			case EOLDOS:
				text, held = text[:len(text)-1], text[len(text)-1:]
			}
		}
		if t != EOLUndecided {
			d.setEOL(t)
		}
	}
	if len(held) > 0 {
		d.eolHeld = append([]byte(nil), held...)
	}
	switch d.eol {
	case EOLMac:
		if bytes.IndexByte(text, '\r') >= 0 {
			b := []byte(string(text))
			for i, c := range b {
				if c == '\r' {
					b[i] = '\n'
				}
			}
			return unsafe.String(unsafe.SliceData(b), len(b))
		}
	case EOLDOS:
		if bytes.Contains(text, []byte("\r\n")) {
			b := make([]byte, 0, len(text))
			for i := 0; i < len(text); i++ {
				if text[i] == '\r' && i+1 < len(text) && text[i+1] == '\n' {
					continue
				}
				b = append(b, text[i])
			}
			return unsafe.String(unsafe.SliceData(b), len(b))
		}
	}
	return string(text)
}
