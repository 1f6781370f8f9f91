package eproc

import (
	"bytes"
	"strings"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/text/transform"
)

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
