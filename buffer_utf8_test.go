package eproc

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// checkValidCount compares validCount(s) with the standard library.
func checkValidCount(t *testing.T, s string) {
	t.Helper()
	n, ok := validCount(s)
	if want := utf8.ValidString(s); ok != want || ok && n != utf8.RuneCountInString(s) {
		t.Fatalf("validCount(%q) = %d, %v; ValidString %v, RuneCount %d", s, n, ok, want, utf8.RuneCountInString(s))
	}
}

// validCountBytes are the byte values where UTF-8's rules change: ASCII,
// the ends of the continuation ranges each lead allows, every lead that has
// its own rule, and bytes that never appear.
var validCountBytes = []byte{
	0x00, 'a', 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2,
	0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5,
	0xF7, 0xF8, 0xFF,
}

// TestValidCountEverySequence puts every sequence of up to three of
// validCountBytes (and of four, with a fourth byte from a few, except
// under the race detector or -short) at every offset of a word, alone (a
// short string validCount checks a byte at a time) and followed by ASCII
// (its word loop), after ASCII and after a four-byte character, and
// compares validCount with the standard library.
func TestValidCountEverySequence(t *testing.T) {
	fourth := []byte{'a', 0x80, 0x8F, 0x90, 0xBF, 0xC2, 0xE1, 0xF0}
	var seq [4]byte
	check := func(k int) {
		for off := 0; off < 9; off++ {
			s := strings.Repeat("x", off) + string(seq[:k])
			checkValidCount(t, s)
			checkValidCount(t, s+"0123456789abcdef")
			if off < 4 {
				s = "abcde😀" + s
				checkValidCount(t, s)
				checkValidCount(t, s+"0123456789abcdef")
			}
		}
	}
	var gen func(k int)
	gen = func(k int) {
		check(k)
		if k == 3 {
			if validCountFourBytes && !testing.Short() {
				for _, c := range fourth {
					seq[3] = c
					check(4)
				}
			}
			return
		}
		for _, c := range validCountBytes {
			seq[k] = c
			gen(k + 1)
		}
	}
	gen(0)
}

// TestValidCountMixed checks long strings of characters of every length,
// with and without one invalid byte somewhere, at every length from 0 to
// 200 bytes.
func TestValidCountMixed(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 13))
	chars := []string{"a", "é", "€", "日", "😀", "𝄞", "\U0010FFFF", "\uFFFD", "\u0800", "\uD7FF", "\uE000", "\U00010000"}
	bad := []string{"\xff", "\x80", "\xc0\x80", "\xe0\x9f\xbf", "\xed\xa0\x80", "\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xe2\x82", "\xf0\x9f\x98"}
	for i := 0; i < 3000; i++ {
		var sb strings.Builder
		size := r.IntN(200)
		for sb.Len() < size {
			sb.WriteString(chars[r.IntN(len(chars))])
		}
		s := sb.String()
		checkValidCount(t, s)
		k := r.IntN(len(s) + 1)
		for k < len(s) && !utf8.RuneStart(s[k]) {
			k++
		}
		checkValidCount(t, s[:k]+bad[r.IntN(len(bad))]+s[k:])
		checkValidCount(t, s[:r.IntN(len(s)+1)]) // maybe cut in a character
	}
}

func FuzzValidCount(f *testing.F) {
	f.Add("abcdefgh€日本語😀xyz")
	f.Add("0123456789\xed\xa0\x80")
	f.Add("0123456789\xf0\x9f\x98")
	f.Fuzz(func(t *testing.T, s string) {
		checkValidCount(t, s)
	})
}

// TestBufferInsertLongAcrossChunks inserts long texts, which insertText
// checks and counts piece by piece, each piece going into its own chunk:
// ASCII, two-, three- and four-byte characters mixed, with a raw byte or
// not, at the end, at the start and in the middle of the text, with
// chunks from 4 bytes up. Every position (CharAt, Substring), Len, point
// and the markers are compared with a slow reference that splits the text
// into characters one at a time.
func TestBufferInsertLongAcrossChunks(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	chars := []string{"a", "b", "\n", "é", "ж", "€", "日", "😀", "𝄞"}
	text := func(size int, raw bool) string {
		var sb strings.Builder
		for sb.Len() < size {
			if r.IntN(3) == 0 {
				sb.WriteString("abcdefghijklmnop"[:1+r.IntN(16)]) // whole ASCII words
			}
			sb.WriteString(chars[r.IntN(len(chars))])
		}
		s := sb.String()
		if raw {
			k := r.IntN(len(s))
			s = s[:k] + "\xff" + s[k:] // maybe inside a character, making more raw bytes
		}
		return s
	}
	for _, chunkMax := range []int{4, 5, 7, 16, 33, 64, 0} {
		for round := 0; round < 12; round++ {
			name := fmt.Sprintf("chunk %d round %d", chunkMax, round)
			b := testBuffer("foo", chunkMax)
			w := &refWorld{bufs: []*refBuffer{{live: true, pt: 1}}}
			markers := make([]*Marker, 3)
			for i := range markers {
				markers[i] = NewMarker()
				w.markers = append(w.markers, &refMarker{buf: -1})
			}
			for step := 0; step < 6; step++ {
				n := len(w.bufs[0].text)
				var pos int
				switch step % 3 {
				case 0:
					pos = n + 1
				case 1:
					pos = 1
				default:
					pos = 1 + r.IntN(n+1)
				}
				s := text(r.IntN(300), round%3 == 2 && step == 4)
				// A marker at the insertion point and one after it, of
				// either insertion type.
				mi := step % len(markers)
				markers[mi].Set(b, pos)
				markers[mi].SetInsertionType(step%2 == 0)
				*w.markers[mi] = refMarker{buf: 0, pos: pos, ins: step%2 == 0}
				b.GotoChar(pos)
				w.bufs[0].pt = pos
				b.Insert(s)
				w.bufs[0].pt = w.insert(0, pos, s, true, false)
				checkBuffer(t, b)
				compareBuffer(t, name, b, w.bufs[0])
				for i, m := range markers {
					if got, want := m.Position(), w.markers[i].pos; got != want {
						t.Fatalf("%s step %d: marker %d at %d, want %d", name, step, i, got, want)
					}
				}
			}
		}
	}
}

// compareBuffer compares b, character by character, with the reference rb.
func compareBuffer(t *testing.T, name string, b *Buffer, rb *refBuffer) {
	t.Helper()
	if got, want := b.String(), strings.Join(rb.text, ""); got != want {
		t.Fatalf("%s: String() = %q, want %q", name, got, want)
	}
	if b.Len() != len(rb.text) || b.Point() != rb.pt {
		t.Fatalf("%s: Len %d, point %d; want %d, %d", name, b.Len(), b.Point(), len(rb.text), rb.pt)
	}
	for pos := 1; pos <= len(rb.text); pos++ {
		c, ok := b.CharAt(pos)
		if want := refRune(rb.text[pos-1]); !ok || c != want {
			t.Fatalf("%s: CharAt(%d) = %#x, %v; want %#x", name, pos, c, ok, want)
		}
		if got, err := b.Substring(pos, pos+1); err != nil || got != rb.text[pos-1] {
			t.Fatalf("%s: Substring(%d, %d) = %q, %v; want %q", name, pos, pos+1, got, err, rb.text[pos-1])
		}
	}
}

// TestInsertTextInvalidChangesNothing: when a piece of the text is not
// valid UTF-8, insertText leaves the buffer as it was (the text then goes
// in encoded), whichever piece it is.
func TestInsertTextInvalidChangesNothing(t *testing.T) {
	valid := strings.Repeat("ab€😀", 10) // 90 bytes
	for _, at := range []int{0, 10, 40, 89, 90} {
		s := valid[:at] + "\x80" + valid[at:]
		b := testBuffer("foo", 16)
		b.Insert("start é end")
		before := b.String()
		b.mu.Lock()
		nchunks, chars, nbytes := len(b.chunks), b.chars, b.nbytes
		n, ok := b.insertText(6, s, validCount)
		after := len(b.chunks) == nchunks && b.chars == chars && b.nbytes == nbytes
		b.mu.Unlock()
		if ok || n != 0 || !after || b.String() != before {
			t.Fatalf("insertText of invalid text (bad byte at %d) = %d, %v; buffer %q (was %q)", at, n, ok, b.String(), before)
		}
		checkBuffer(t, b)
		b.GotoChar(7)
		b.Insert(s)
		checkBuffer(t, b)
		if want := "start " + s + "é end"; b.String() != want || b.Len() != utf8.RuneCountInString(want) {
			t.Fatalf("Insert of invalid text: %q (%d characters), want %q", b.String(), b.Len(), want)
		}
	}
}
