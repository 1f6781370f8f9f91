package eproc

import (
	"math/bits"
	"unicode/utf8"
)

// One pass that validates UTF-8 and counts its characters, for the text
// every insertion brings (process output above all).
//
// The bytes are read eight at a time. A word with no byte >= 0x80 is eight
// ASCII characters (and once one is, the next are tried sixteen at a
// time). In any other word every byte is classified at once, with bit 7
// of each byte of a mask standing for that byte: a continuation byte
// (binary 10xxxxxx), or a lead of two or more (11xxxxxx), three or more
// (111xxxxx) or four or more (1111xxxx) bytes. The text is well formed
// when the continuation bytes are exactly the one, two or three bytes
// after each lead of two, three or four bytes: the leads' mask shifted by
// one, two and three bytes (what runs past the word is carried into the
// next) must equal the continuation bytes' mask. A lead inside another
// character, a missing or a stray continuation byte all break the
// equality. What is left is the few values a lead or the byte after it
// may not take: C0 and C1 (overlong two-byte forms), F5 to FF (past
// U+10FFFF), E0 with a second byte below A0 and F0 below 90 (overlong), ED
// with A0 or more (surrogates), F4 with 90 or more (past U+10FFFF); the
// second bytes are read from the word loaded one byte further on.
//
// The characters are the bytes that are not continuation bytes, which is
// also how the internal encoding (buffer.go) is counted.

const (
	nibbleBits = 0x0F0F0F0F0F0F0F0F
	lowSeven   = 0x7F7F7F7F7F7F7F7F
)

// validCount reports whether s is valid UTF-8 and, when it is, how many
// characters it holds, in one pass over s.
func validCount(s string) (int, bool) {
	var bad uint64   // bit 7 of a byte set where the text is invalid
	var carry uint64 // continuation bytes the last word's leads ask of the next
	conts := 0
	i := 0
	for ; i+9 <= len(s); i += 8 {
		w := word(s, i)
		if w&highBits == 0 {
			bad |= carry
			carry = 0
			for i+25 <= len(s) && (word(s, i+8)|word(s, i+16))&highBits == 0 {
				i += 16 // ASCII
			}
			continue
		}
		l2 := w & (w << 1) & highBits // leads: 11xxxxxx
		l3 := l2 & (w << 2)           // 111xxxxx
		l4 := l3 & (w << 3)           // 1111xxxx
		c := continuations(w)
		conts += bits.OnesCount64(c)
		// The continuation bytes are exactly those the leads ask for.
		bad |= c ^ (carry | l2<<8 | l3<<16 | l4<<24)
		carry = l2>>56 | l3>>48 | l4>>40
		// C0 and C1: a two-byte lead with bits 4 to 1 clear.
		bad |= l2 &^ l3 &^ nonZero(w&0x1E1E1E1E1E1E1E1E)
		if l3 == 0 {
			continue
		}
		// The low nibble of three- and four-byte leads, and bits 5 and 4
		// of the byte after each lead.
		w1 := word(s, i+1)
		nib := w & nibbleBits
		zero := ^nonZero(nib) & highBits
		next5 := w1 << 2 & highBits
		next54 := next5 | w1<<3&highBits
		only3 := l3 &^ l4
		bad |= only3 & zero &^ next5                            // E0 80..9F
		bad |= only3 &^ nonZero(nib^0x0D0D0D0D0D0D0D0D) & next5 // ED A0..BF
		bad |= l4 & zero &^ next54                              // F0 80..8F
		bad |= l4 &^ nonZero(nib^0x0404040404040404) & next54   // F4 90..BF
		bad |= l4 & ((nib + 0x0B0B0B0B0B0B0B0B) << 3)           // F5..FF
	}
	if bad != 0 {
		return 0, false
	}
	// The continuation bytes the last word's last sequence asks for, then
	// the rest.
	for k := bits.OnesCount64(carry); k > 0; k-- {
		if i == len(s) || s[i]&0xC0 != 0x80 {
			return 0, false
		}
		i++
		conts++
	}
	rest := s[i:]
	if !utf8.ValidString(rest) {
		return 0, false
	}
	return len(s) - conts - (len(rest) - utf8.RuneCountInString(rest)), true
}

// nonZero returns a word with bit 7 of each byte set where that byte of x
// is not zero. x must have bit 7 of every byte clear.
func nonZero(x uint64) uint64 {
	return (x + lowSeven) & highBits
}

// word returns the little-endian word at s[i:i+8]. (load64 is generic,
// and the compiler combines the loads of its string form into one only
// when it is not.)
func word(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}
