package eproc

import (
	"bytes"
	"unicode/utf8"
)

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
