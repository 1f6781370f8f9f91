// Command gencoding writes coding_tables.go, the character tables of the
// coding systems golang.org/x/text has no table for, or a table that
// differs from Emacs's, as GNU Emacs 28.2 decodes them. Run it from the
// module root with Emacs 28.2 on PATH (it takes about 15 seconds):
//
//	go generate ./...
//
// It asks Emacs (emacs -Q --batch) for:
//
//   - every single-byte coding system of type charset that eproc does not
//     build from an x/text charmap: each of the 256 bytes decoded alone
//     (decode-coding-string), each character so found encoded back
//     (encode-coding-string), each ASCII character encoded, and what a
//     character the system cannot encode becomes;
//   - every charset an ISO-2022 designation can name (iso-charset for each
//     dimension, size and final byte), and the charsets of chinese-big5,
//     chinese-big5-hkscs, chinese-gbk, japanese-cp932 and korean-cp949:
//     every code in the charset's code space decoded (decode-char), with
//     the charset's code offset, the character Emacs gives a code its map
//     does not cover, and encode-char for each character several codes
//     decode to;
//   - the translation tables eucjp-ms-decode and eucjp-ms-encode;
//   - the data of the Lisp conversions: viet-viqr-alist and the
//     characters of category v (vietnamese-viqr), and each Devanagari
//     character's IS 13194 form (in-is13194-devanagari).
//
// Where x/text has the same table (JIS X 0208 and 0212 in EUC-JP, KS C
// 5601 and CP949 in EUC-KR, GB 2312 and GBK in GBK, Big5 and Big5-HKSCS
// in Big5, CP932 in Shift_JIS), only the
// codes whose decoding differs from x/text's are kept; coding_charset.go
// computes the same base. The data is deflated and kept as one base64
// string.
package main

import (
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/base64"
	"fmt"
	"go/format"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// singleByte lists the single-byte coding systems whose tables come from
// Emacs (the others are x/text charmaps, see coding_registry.go).
var singleByte = []string{
	"adobe-standard-encoding", "cp1125", "cp737", "cp775", "cp851", "cp852", "cp855",
	"cp857", "cp858", "cp860", "cp861", "cp862", "cp863", "cp865", "cp869", "cp874",
	"cyrillic-alternativnyj", "ebcdic-uk", "ebcdic-us", "georgian-academy", "georgian-ps",
	"hp-roman8", "ibm038", "ibm1047", "ibm256", "ibm273", "ibm274", "ibm275", "ibm277",
	"ibm278", "ibm280", "ibm281", "ibm284", "ibm285", "ibm290", "ibm297", "koi8-t", "lao",
	"mac-roman", "mik", "next", "pt154", "thai-tis620", "vietnamese-tcvn",
	"vietnamese-viscii", "vietnamese-vscii",
}

// extraCharsets are charsets dumped besides the ISO-2022 ones.
var extraCharsets = []string{"big5-hkscs", "cp949", "big5", "chinese-gbk", "katakana-sjis", "cp932-2-byte", "gb18030-2-byte", "gb18030-4-byte-bmp", "gb18030-4-byte-smp", "gb18030-4-byte-ext-1", "gb18030-4-byte-ext-2"}

// Base kinds: how coding_charset.go computes a charset's table before the
// overrides. They must match baseXxx there.
const (
	baseNone = iota
	baseJIS0208
	baseJIS0212
	baseKSC5601
	baseGB2312
	baseBig5
	baseCP949
	baseGBK
	baseCP932
	baseGB18030
)

var bases = map[string]int{
	"japanese-jisx0208":        baseJIS0208,
	"japanese-jisx0208-1978":   baseJIS0208,
	"japanese-jisx0213-1":      baseJIS0208,
	"japanese-jisx0213.2004-1": baseJIS0208,
	"japanese-jisx0212":        baseJIS0212,
	"korean-ksc5601":           baseKSC5601,
	"chinese-gb2312":           baseGB2312,
	"big5-hkscs":               baseBig5,
	"cp949":                    baseCP949,
	"big5":                     baseBig5,
	"chinese-gbk":              baseGBK,
	"cp932-2-byte":             baseCP932,
	"gb18030-2-byte":           baseGB18030,
	"gb18030-4-byte-bmp":       baseGB18030,
}

const dumpEl = `
(require 'cl-lib)
(defun gen-line (vals) (princ (mapconcat #'number-to-string vals " ")) (terpri))
(defun gen-code (c default) (cond ((integerp c) c) ((consp c) (logior (ash (car c) 16) (cdr c))) (t default)))
(defun gen-charset (cs)
  (let* ((pl (charset-plist cs)) (dim (charset-dimension cs)) (space (plist-get pl :code-space))
         (off (plist-get pl :code-offset)) (vals nil))
    (cond
     ((= dim 1)
      (cl-loop for c from (aref space 0) to (aref space 1) do (push (or (decode-char cs c) -1) vals)))
     ((= dim 2)
      (cl-loop for b1 from (aref space 2) to (aref space 3) do
        (cl-loop for b0 from (aref space 0) to (aref space 1) do
          (push (or (decode-char cs (+ (* b1 256) b0)) -1) vals))))
     (t
      (cl-loop for b3 from (aref space 6) to (aref space 7) do
        (cl-loop for b2 from (aref space 4) to (aref space 5) do
          (cl-loop for b1 from (aref space 2) to (aref space 3) do
            (cl-loop for b0 from (aref space 0) to (aref space 1) do
              (push (or (decode-char cs (logior (ash b3 24) (ash b2 16) (ash b1 8) b0)) -1) vals)))))))
    (setq vals (nreverse vals))
    (princ (format "CS %s %d %S %d %d %d %d\n" cs dim (append space nil)
                   (gen-code (plist-get pl :min-code) -1) (gen-code (plist-get pl :max-code) -1)
                   (if (integerp off) off -1) (length vals)))
    (gen-line vals)
    ;; For each character several codes decode to, the code encode-char
    ;; gives it.
    (let ((count (make-hash-table)) (dups nil))
      (dolist (v vals) (when (>= v 0) (puthash v (1+ (gethash v count 0)) count)))
      (maphash (lambda (c n) (when (> n 1) (push c dups))) count)
      (setq dups (sort dups #'<))
      (gen-line (cl-mapcan (lambda (c) (list c (or (encode-char c cs) -1))) dups)))))
(defun gen-sb (name)
  (let* ((cs (coding-system-change-eol-conversion name 'unix)) (dec nil) (enc nil) (asc nil))
    (dotimes (b 256)
      (let ((s (decode-coding-string (unibyte-string b) cs)))
        (push (if (and (= (length s) 1) (not (eq (char-charset (aref s 0)) 'eight-bit))) (aref s 0) -1) dec)))
    (setq dec (nreverse dec))
    (dolist (c dec)
      (push (if (< c 0) -1 (let ((e (encode-coding-string (string c) cs))) (if (= (length e) 1) (aref e 0) -2))) enc))
    (dotimes (c 128)
      (push (let ((e (encode-coding-string (string c) cs))) (if (= (length e) 1) (aref e 0) -2)) asc))
    (princ (format "SB %s %d %d\n" name (if (coding-system-get name :ascii-compatible-p) 1 0)
                   (let ((e (encode-coding-string (string #x10FFFD) cs))) (if (= (length e) 1) (aref e 0) -2))))
    (gen-line dec) (gen-line (nreverse enc)) (gen-line (nreverse asc))
    ;; The bytes below 0x80 no charset of the system decodes: they come
    ;; out as themselves, but are invalid.
    (let ((bad nil))
      (dotimes (b 128)
        (unless (cl-some (lambda (ch) (decode-char ch b)) (coding-system-charset-list name))
          (push b bad)))
      (gen-line (or (nreverse bad) '(-1))))))
(let ((seen nil))
  (dolist (dim '(1 2))
    (dolist (chars '(94 96))
      (cl-loop for f from 48 to 126 do
        (let ((cs (iso-charset dim chars f)))
          (when cs
            (princ (format "ISO %s %d %d %d\n" cs dim chars f))
            (unless (memq cs seen) (push cs seen)))))))
  (dolist (cs (reverse charset-list))
    (when (and (> (charset-iso-final-char cs) 0) (not (memq cs seen)))
      (push cs seen)))
  (dolist (cs (append (nreverse seen) (mapcar #'intern extra-charsets))) (gen-charset cs)))
(dolist (name single-byte) (gen-sb (intern name)))
;; Translation tables: TRANS NAME, then the pairs (from to ...).
(dolist (tt '(eucjp-ms-decode eucjp-ms-encode))
  (let ((pairs nil))
    (map-char-table (lambda (k v)
                      (if (consp k)
                          (cl-loop for c from (car k) to (cdr k) do (push (list c v) pairs))
                        (push (list k v) pairs)))
                    (get tt 'translation-table))
    (setq pairs (sort pairs (lambda (a b) (< (car a) (car b)))))
    (princ (format "TRANS %s\n" tt))
    (gen-line (apply #'append pairs))))
;; The tables of the post-read and pre-write conversions.
(require 'viet-util)
(require 'ind-util)
(dolist (e viet-viqr-alist) (princ "VIQR ") (gen-line (cons (car e) (string-to-list (cdr e)))))
(let ((ranges nil) (start nil))
  (cl-loop for c from 0 to #x110000 do
    (let ((v (and (<= c #x10FFFF) (aref (char-category-set c) ?v))))
      (cond ((and v (not start)) (setq start c))
            ((and (not v) start) (push (list start (1- c)) ranges) (setq start nil)))))
  (princ "CATV ")
  (gen-line (apply #'append (nreverse ranges))))
(cl-loop for c from 0 to #x10FFFF do
  (let ((p (and (or (< c #x900) (> c #x97F)) (get-char-code-property c 'iscii))))
    (when p (error "iscii property outside U+0900..U+097F: %x" c))))
(cl-loop for c from #x900 to #x97F do
  (let ((p (get-char-code-property c 'iscii)))
    (when p
      (unless (equal (gethash p is13194-to-ucs-devanagari-hashtbl) (string c))
        (error "ISCII %x: %S does not decode back" c p))
      (princ "ISCII ") (gen-line (cons c (string-to-list p))))))
(unless (= (hash-table-count is13194-to-ucs-devanagari-hashtbl) 128)
  (error "is13194-to-ucs-devanagari-hashtbl has %d entries" (hash-table-count is13194-to-ucs-devanagari-hashtbl)))
`

type charsetDump struct {
	name                       string
	dim                        int
	space                      [][2]int // byte ranges, lowest byte first
	minIdx, maxIdx             int      // the charset's codes, as indices
	offset                     int
	vals                       []int
	encode                     [][2]int // character, code: encode-char for characters with several codes
	isoDim, isoChars, isoFinal int
}

type sbDump struct {
	invalid     [2]uint64 // bytes below 0x80 that are not characters of the system
	name        string
	asciiCompat bool
	defaultByte int
	dec, enc    []int
	ascii       []int
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("gencoding: ")
	out := "coding_tables.go"
	if len(os.Args) > 1 {
		out = os.Args[1]
	}
	charsets, sbs := runEmacs()
	src := generate(charsets, sbs)
	if err := os.WriteFile(out, src, 0o644); err != nil {
		log.Fatal(err)
	}
}

type transDump struct {
	name  string
	pairs [][2]int
}

var trans []transDump

// The tables of the post-read conversions: viet-viqr-alist (character,
// then the mnemonic's characters), the ranges of category v, and each
// Devanagari character with its IS 13194 form.
var (
	viqr  [][]int
	catV  []int
	iscii [][]int
)

func runEmacs() ([]*charsetDump, []*sbDump) {
	dir, err := os.MkdirTemp("", "gencoding")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	var pre strings.Builder
	pre.WriteString("(defvar single-byte '(")
	for _, n := range singleByte {
		fmt.Fprintf(&pre, " %q", n)
	}
	pre.WriteString("))\n(defvar extra-charsets '(")
	for _, n := range extraCharsets {
		fmt.Fprintf(&pre, " %q", n)
	}
	pre.WriteString("))\n")
	el := filepath.Join(dir, "dump.el")
	if err := os.WriteFile(el, []byte(pre.String()+dumpEl), 0o600); err != nil {
		log.Fatal(err)
	}
	cmd := exec.Command("emacs", "-Q", "--batch", "-l", el)
	cmd.Env = append(os.Environ(), "LANG=C.UTF-8", "LC_ALL=C.UTF-8")
	cmd.Stderr = os.Stderr
	outb, err := cmd.Output()
	if err != nil {
		log.Fatalf("emacs: %v", err)
	}
	ver, err := exec.Command("emacs", "--version").Output()
	if err == nil && !bytes.HasPrefix(ver, []byte("GNU Emacs 28.2")) {
		log.Printf("warning: the tables are meant to come from GNU Emacs 28.2, not %s", bytes.SplitN(ver, []byte("\n"), 2)[0])
	}
	var charsets []*charsetDump
	byName := map[string]*charsetDump{}
	type iso struct {
		name              string
		dim, chars, final int
	}
	var isos []iso
	var sbs []*sbDump
	sc := bufio.NewScanner(bytes.NewReader(outb))
	sc.Buffer(nil, 1<<24)
	line2 := func() []int {
		if !sc.Scan() {
			log.Fatal("short output")
		}
		return atoiAll(strings.Fields(sc.Text()))
	}
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch f[0] {
		case "ISO":
			n := atoiAll(f[2:])
			isos = append(isos, iso{f[1], n[0], n[1], n[2]})
		case "CS":
			// CS name dim (lo0 hi0 lo1 hi1 ...) offset count
			line := strings.NewReplacer("(", " ", ")", " ").Replace(sc.Text())
			n := atoiAll(strings.Fields(line)[2:])
			c := &charsetDump{name: f[1], dim: n[0], offset: n[len(n)-2]}
			for i := 0; i < 2*n[0]; i += 2 {
				c.space = append(c.space, [2]int{n[1+i], n[2+i]})
			}
			c.minIdx, c.maxIdx = 0, n[len(n)-1]-1
			if m := n[len(n)-4]; m >= 0 {
				c.minIdx = codeIndex(c.space, m)
			}
			if m := n[len(n)-3]; m >= 0 {
				c.maxIdx = codeIndex(c.space, m)
			}
			c.vals = line2()
			if len(c.vals) != n[len(n)-1] {
				log.Fatalf("%s: %d values, want %d", c.name, len(c.vals), n[len(n)-1])
			}
			dups := line2()
			for i := 0; i+1 < len(dups); i += 2 {
				c.encode = append(c.encode, [2]int{dups[i], dups[i+1]})
			}
			charsets = append(charsets, c)
			byName[c.name] = c
		case "SB":
			n := atoiAll(f[2:])
			s := &sbDump{name: f[1], asciiCompat: n[0] == 1, defaultByte: n[1]}
			s.dec, s.enc, s.ascii = line2(), line2(), line2()
			for _, b := range line2() {
				if b >= 0 {
					s.invalid[b/64] |= 1 << (b % 64)
				}
			}
			sbs = append(sbs, s)
		case "TRANS":
			p := line2()
			var tr [][2]int
			for i := 0; i+1 < len(p); i += 2 {
				tr = append(tr, [2]int{p[i], p[i+1]})
			}
			trans = append(trans, transDump{f[1], tr})
		case "VIQR":
			viqr = append(viqr, atoiAll(f[1:]))
		case "CATV":
			catV = atoiAll(f[1:])
		case "ISCII":
			iscii = append(iscii, atoiAll(f[1:]))
		default:
			log.Fatalf("unexpected line %q", sc.Text())
		}
	}
	for _, i := range isos {
		c := byName[i.name]
		if c == nil {
			log.Fatalf("ISO charset %s not dumped", i.name)
		}
		if c.isoFinal != 0 {
			// A charset registered under two finals keeps the first; the
			// second needs its own entry.
			d := *c
			c = &d
			charsets = append(charsets, c)
		}
		c.isoDim, c.isoChars, c.isoFinal = i.dim, i.chars, i.final
	}
	return charsets, sbs
}

func atoiAll(f []string) []int {
	n := make([]int, len(f))
	for i, s := range f {
		v, err := strconv.Atoi(s)
		if err != nil {
			log.Fatal(err)
		}
		n[i] = v
	}
	return n
}

// xdecode decodes b with e and returns the one character it gives, or -1.
func xdecode(e encoding.Encoding, b ...byte) int {
	var out [16]byte
	n, m, err := e.NewDecoder().Transform(out[:], b, true)
	if err != nil || m != len(b) {
		return -1
	}
	r, size := utf8.DecodeRune(out[:n])
	if size != n || r == utf8.RuneError {
		return -1
	}
	return int(r)
}

// codeIndex returns the index of code in a code space.
func codeIndex(space [][2]int, code int) int {
	i, mul := 0, 1
	for _, r := range space {
		i += (code&0xFF - r[0]) * mul
		mul *= r[1] - r[0] + 1
		code >>= 8
	}
	return i
}

// codeBytes returns the bytes of the code with index i in a code space
// (byte ranges, lowest byte first), first byte first.
func codeBytes(space [][2]int, i int) []byte {
	b := make([]byte, len(space))
	for k, r := range space {
		n := r[1] - r[0] + 1
		b[len(space)-1-k] = byte(r[0] + i%n)
		i /= n
	}
	return b
}

// baseValue is the character x/text gives the code b (first byte first)
// under base kind k, or -1. coding_charset.go's charsetBase must compute
// the same.
func baseValue(k int, b []byte) int {
	if len(b) == 4 {
		if k == baseGB18030 {
			return xdecode(simplifiedchinese.GB18030, b...)
		}
		return -1
	}
	b1, b0 := byte(0), b[len(b)-1]
	if len(b) == 2 {
		b1 = b[0]
	}
	switch k {
	case baseJIS0208:
		return xdecode(japanese.EUCJP, b1|0x80, b0|0x80)
	case baseJIS0212:
		return xdecode(japanese.EUCJP, 0x8F, b1|0x80, b0|0x80)
	case baseKSC5601:
		return xdecode(korean.EUCKR, b1|0x80, b0|0x80)
	case baseGB2312:
		return xdecode(simplifiedchinese.GBK, b1|0x80, b0|0x80)
	case baseBig5:
		return xdecode(traditionalchinese.Big5, b1, b0)
	case baseCP949:
		if b1 < 0x81 {
			return -1
		}
		return xdecode(korean.EUCKR, b1, b0)
	case baseGBK:
		return xdecode(simplifiedchinese.GBK, b1, b0)
	case baseCP932:
		return xdecode(japanese.ShiftJIS, b1, b0)
	case baseGB18030:
		return xdecode(simplifiedchinese.GB18030, b1, b0)
	}
	return -1
}

// stream accumulates the data of all tables.
type stream struct{ buf []byte }

func (s *stream) uvarint(v uint64) {
	for v >= 0x80 {
		s.buf = append(s.buf, byte(v)|0x80)
		v >>= 7
	}
	s.buf = append(s.buf, byte(v))
}

// pairs writes (index, value) pairs: the index gap from the previous pair,
// then 0 for value -1 or 1 + the zigzag of the value's step from the
// previous value plus one.
func (s *stream) pairs(idx, vals []int) {
	prevIdx, prevVal := -1, -1
	for i, ix := range idx {
		s.uvarint(uint64(ix - prevIdx - 1))
		prevIdx = ix
		v := vals[i]
		if v < 0 {
			s.uvarint(0)
			continue
		}
		d := int64(v - prevVal - 1)
		s.uvarint(uint64(d<<1^d>>63) + 1)
		prevVal = v
	}
}

func generate(charsets []*charsetDump, sbs []*sbDump) []byte {
	var st stream
	var b bytes.Buffer
	b.WriteString("// Code generated by internal/gencoding from GNU Emacs 28.2; DO NOT EDIT.\n\npackage eproc\n\n")
	b.WriteString("// genCharsets are the charsets whose tables come from Emacs: those an\n// ISO-2022 designation can name, and the two-byte charsets of korean-cp949\n// and chinese-big5-hkscs. See internal/gencoding.\nvar genCharsets = [...]genCharset{\n")
	overrides := 0
	for _, c := range charsets {
		base := bases[c.name]
		var idx, vals []int
		for i, v := range c.vals {
			want := -1
			if i >= c.minIdx && i <= c.maxIdx {
				want = baseValue(base, codeBytes(c.space, i))
				if want < 0 && c.offset >= 0 {
					want = c.offset + i - c.minIdx
				}
			}
			if v != want {
				idx = append(idx, i)
				vals = append(vals, v)
			}
		}
		overrides += len(idx)
		start := len(st.buf)
		st.pairs(idx, vals)
		// Encoding: the code Emacs chooses for a character several codes
		// decode to, where it is not the first of them.
		first := map[int]int{}
		for i, v := range c.vals {
			if _, ok := first[v]; v >= 0 && !ok {
				first[v] = i
			}
		}
		var eidx, evals []int
		for _, e := range c.encode {
			if e[1] < 0 {
				continue
			}
			if i := codeIndex(c.space, e[1]); i != first[e[0]] {
				eidx = append(eidx, e[0])
				evals = append(evals, i)
			}
		}
		encStart := len(st.buf)
		st.pairs(eidx, evals)
		var space [4][2]int
		copy(space[:], c.space)
		fmt.Fprintf(&b, "\t{name: %q, dim: %d, space: [4][2]uint8{{%d, %d}, {%d, %d}, {%d, %d}, {%d, %d}}, minIdx: %d, maxIdx: %d, offset: %d, base: %d, isoChars: %d, isoFinal: %d, n: %d, data: [2]uint32{%d, %d}, enc: [2]uint32{%d, %d}},\n",
			c.name, c.dim, space[0][0], space[0][1], space[1][0], space[1][1], space[2][0], space[2][1], space[3][0], space[3][1],
			c.minIdx, c.maxIdx, c.offset, base, c.isoChars, c.isoFinal, len(idx), start, encStart, encStart, len(st.buf))
	}
	b.WriteString("}\n\n")
	b.WriteString("// genSingleByte are the single-byte coding systems whose tables come\n// from Emacs. See internal/gencoding.\nvar genSingleByte = [...]genSB{\n")
	for _, s := range sbs {
		// Decoding: every byte's character, as pairs against ASCII
		// identity for bytes below 0x80 and nothing above.
		var idx, vals []int
		for i, v := range s.dec {
			want := -1
			if i < 0x80 {
				want = i
			}
			if v != want {
				idx = append(idx, i)
				vals = append(vals, v)
			}
		}
		decStart := len(st.buf)
		st.pairs(idx, vals)
		// Encoding: where Emacs encodes a decoded character to another
		// byte than the lowest one that decodes to it, and each ASCII
		// character whose encoding is not itself.
		lowest := map[int]int{}
		for i, v := range s.dec {
			if _, ok := lowest[v]; v >= 0 && !ok {
				lowest[v] = i
			}
		}
		var eidx, evals []int
		for i, e := range s.enc {
			v := s.dec[i]
			if v >= 0 && v >= 0x80 && e != lowest[v] {
				eidx = append(eidx, v)
				evals = append(evals, e)
			}
		}
		for c, e := range s.ascii {
			want := c
			if !s.asciiCompat {
				if l, ok := lowest[c]; ok {
					want = l
				} else {
					want = s.defaultByte
				}
			}
			if e != want {
				eidx = append(eidx, c)
				evals = append(evals, e)
			}
		}
		sort.Sort(pairSort{eidx, evals})
		encStart := len(st.buf)
		st.pairs(eidx, evals)
		fmt.Fprintf(&b, "\t{name: %q, asciiCompat: %v, defaultByte: %d, invalid: [2]uint64{%#x, %#x}, dec: [2]uint32{%d, %d}, enc: [2]uint32{%d, %d}},\n",
			s.name, s.asciiCompat, s.defaultByte, s.invalid[0], s.invalid[1], decStart, encStart, encStart, len(st.buf))
	}
	b.WriteString("}\n\n")
	b.WriteString("// genTrans are Emacs's character translation tables.\nvar genTrans = [...]genTranslation{\n")
	for _, t := range trans {
		var idx, vals []int
		for _, p := range t.pairs {
			idx = append(idx, p[0])
			vals = append(vals, p[1])
		}
		start := len(st.buf)
		st.pairs(idx, vals)
		fmt.Fprintf(&b, "\t{name: %q, data: [2]uint32{%d, %d}},\n", t.name, start, len(st.buf))
	}
	b.WriteString("}\n\n")
	b.WriteString("// genVIQR is Emacs's viet-viqr-alist: a character and its VIQR mnemonic,\n// in Emacs's order.\nvar genVIQR = [...]struct {\n\tc rune\n\ts string\n}{\n")
	for _, v := range viqr {
		var m []byte
		for _, c := range v[1:] {
			m = append(m, byte(c))
		}
		fmt.Fprintf(&b, "\t{%#x, %q},\n", v[0], m)
	}
	b.WriteString("}\n\n// genVietnamese are the ranges of Emacs's character category v\n// (Vietnamese), the characters vietnamese-viqr writes as mnemonics.\nvar genVietnamese = [...][2]rune{")
	for i := 0; i+1 < len(catV); i += 2 {
		fmt.Fprintf(&b, "{%#x, %#x}, ", catV[i], catV[i+1])
	}
	b.WriteString("}\n\n// genISCII is each Devanagari character with its IS 13194 form (the\n// characters' iscii property, the keys of is13194-to-ucs-devanagari-hashtbl):\n// characters of charset indian-is13194, or ASCII text.\nvar genISCII = [...]struct {\n\tc   rune\n\tkey []rune\n}{\n")
	for _, v := range iscii {
		fmt.Fprintf(&b, "\t{%#x, []rune{", v[0])
		for i, c := range v[1:] {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%#x", c)
		}
		b.WriteString("}},\n")
	}
	b.WriteString("}\n\n")
	var z bytes.Buffer
	w, err := flate.NewWriter(&z, flate.BestCompression)
	if err != nil {
		log.Fatal(err)
	}
	w.Write(st.buf)
	w.Close()
	enc := base64.StdEncoding.EncodeToString(z.Bytes())
	fmt.Fprintf(&b, "// genData is the deflated tables (%d bytes inflated), in base64.\nconst genData = \"\" +\n", len(st.buf))
	for len(enc) > 0 {
		n := min(len(enc), 100)
		fmt.Fprintf(&b, "\t%q", enc[:n])
		enc = enc[n:]
		if len(enc) > 0 {
			b.WriteString(" +\n")
		}
	}
	b.WriteString("\n")
	src, err := format.Source(b.Bytes())
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("%d charsets (%d codes kept), %d single-byte systems, %d bytes of data, %d deflated", len(charsets), overrides, len(sbs), len(st.buf), z.Len())
	return src
}

type pairSort struct{ idx, vals []int }

func (p pairSort) Len() int           { return len(p.idx) }
func (p pairSort) Less(i, j int) bool { return p.idx[i] < p.idx[j] }
func (p pairSort) Swap(i, j int) {
	p.idx[i], p.idx[j] = p.idx[j], p.idx[i]
	p.vals[i], p.vals[j] = p.vals[j], p.vals[i]
}
