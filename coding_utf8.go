package eproc

import (
	"bytes"
	"unicode/utf8"

	"golang.org/x/text/transform"
)

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
