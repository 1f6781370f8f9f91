package eproc

import (
	"flag"
	"fmt"
	"hash/fnv"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// tableLines decodes every one-byte code and, for a multibyte system,
// every two-byte code (lead 0x81-0xFE, trail 0x40-0xFE; for euc-jp also
// 0x8F followed by each) one at a time under name, and encodes every
// character that came out alone: the results in the line format of
// testdata/coding_tables.el, but with the decoded text as eproc's bytes.
// encodeLine gives the line of one character.
func tableLines(t *testing.T, name string) []string {
	c := mustLookup(t, name)
	lines := []string{"S " + name}
	seen := map[rune]bool{}
	var order []rune
	one := func(in ...byte) {
		out := decodeString(c, string(in))
		lines = append(lines, "D "+hexList(in)+" "+hexList([]byte(out)))
		if r, n := decodeEmacsChar(out); n == len(out) && r < 0x3FFF80 && !seen[r] {
			seen[r] = true
			order = append(order, r)
		}
	}
	for b := range 256 {
		one(byte(b))
	}
	if w := tableWidth(c); w > 0 {
		for b1 := byte(0x81); b1 <= 0xFE; b1++ {
			for b2 := byte(0x40); b2 <= 0xFE; b2++ {
				one(b1, b2)
				if w == 2 {
					one(0x8F, b1, b2)
				}
			}
		}
	}
	for _, r := range order {
		lines = append(lines, encodeLine(c, r))
	}
	return lines
}

func encodeLine(c *CodingSystem, r rune) string {
	return "E " + strconv.FormatInt(int64(r), 16) + " " + hexList(c.newEncoder().encode(string(appendEmacsChar(nil, r))))
}

func hexList(b []byte) string {
	var parts []string
	for _, c := range b {
		parts = append(parts, strconv.FormatInt(int64(c), 16))
	}
	return strings.Join(parts, ",")
}

// tableWidth is 0 for a single-byte system, 2 for euc-jp (three-byte
// codes) and 1 for the other multibyte ones.
func tableWidth(c *CodingSystem) int {
	switch {
	case c.fam.name == "japanese-iso-8bit":
		return 2
	case c.fam.kind == kindSJIS || c.fam.kind == kindBig5 || c.fam.kind == kindCharset || c.fam.kind == kindISO2022:
		return 1
	}
	return 0
}

var emacsTables = flag.Bool("eproc.emacstables", false, "TestTablesMatchEmacs compares every code with Emacs (takes a minute) instead of the pinned hashes")

// TestTablesMatchEmacs pins the character tables: for each system below,
// every one-byte code and every two-byte code decoded alone, and every
// character so found encoded (tableLines). With -eproc.emacstables it
// compares each result with Emacs 28.2's (testdata/coding_tables.el);
// without, with the hash of the results taken after that comparison
// passed.
func TestTablesMatchEmacs(t *testing.T) {
	want := map[string]uint64{
		"us-ascii":       0x6a38f20629f89a1d,
		"iso-latin-1":    0x7eb973c8d9142d53,
		"iso-8859-2":     0xc74b54cfc963ea24,
		"iso-8859-3":     0x33080b6d0aee28bc,
		"iso-8859-4":     0xcbbee5196297567,
		"iso-8859-5":     0x40761eb7ffa98e12,
		"iso-8859-6":     0x26431ac961e45c3d,
		"iso-8859-7":     0x60efa7f9628d969d,
		"iso-8859-8":     0x62069c9c2dedac2a,
		"iso-8859-9":     0x61d74991d3f6260e,
		"iso-8859-10":    0xb66c4b67645eb93b,
		"iso-8859-11":    0xa06d77933cacb3f7,
		"iso-8859-13":    0x23fabf15e30cfbbc,
		"iso-8859-14":    0x959fc0cbd46d3b37,
		"iso-8859-15":    0xc062a4cd1751e6df,
		"iso-8859-16":    0x83385543b068f4f,
		"windows-1250":   0xece3556d8be65408,
		"windows-1251":   0xd2be1b4f654d4c5a,
		"windows-1252":   0xca16cb9e0b1942ba,
		"windows-1253":   0x3312f399cc08c8e4,
		"windows-1254":   0xd968529fa09cf88d,
		"windows-1255":   0xdfe7b5005f013b9d,
		"windows-1256":   0xb38adae99762ce7b,
		"windows-1257":   0x8afa1dc0dd13bcd2,
		"windows-1258":   0x9c2ec48ee4a50dba,
		"cp437":          0x3aeff5cbf7d3b14f,
		"cp850":          0x375405746eae6ed4,
		"cp866":          0x4e4e00add0088a81,
		"koi8-r":         0x5da9d4f3a8f348fe,
		"koi8-u":         0x9272689cc9e97228,
		"cp1125":         0xb32ddff38fb479ca,
		"ibm1047":        0x23915e47caa78b8f,
		"mac-roman":      0xb26dce641534a0fd,
		"tis-620":        0x5f739e283a87d22a,
		"viscii":         0x898d9c956e55bc30,
		"shift_jis":      0xf67bd15a7f8006be,
		"shift_jis-2004": 0x877988931ea45772,
		"cp932":          0x94b52f531d22a8e6,
		"euc-jp":         0x8427b08b8b6858a0,
		"euc-jis-2004":   0x9e09dfc55271e856,
		"euc-kr":         0xfee6e84084005822,
		"cp949":          0xbe899d2a4063647b,
		"gbk":            0x85a1d74dc49890d1,
		"gb2312":         0xeeb27f2522b5c2,
		"gb18030":        0x88f60e5ce2a34dc1,
		"big5":           0xcd769f6826de9627,
		"big5-hkscs":     0x30ac6c8c27c34d9c,
		"euc-tw":         0xdc626f200abd54d6,
	}
	names := slices.Sorted(maps.Keys(want))
	if *emacsTables {
		compareTablesWithEmacs(t, names)
	}
	for _, name := range names {
		h := fnv.New64a()
		for _, l := range tableLines(t, name+"-unix") {
			h.Write([]byte(l + "\n"))
		}
		if got := h.Sum64(); got != want[name] {
			t.Errorf("%s: tables hash to %#x, want %#x", name, got, want[name])
		}
	}
}

// compareTablesWithEmacs runs testdata/coding_tables.el over the systems
// and compares its lines with tableLines'.
func compareTablesWithEmacs(t *testing.T, names []string) {
	emacs := emacs28(t)
	dir := t.TempDir()
	var list strings.Builder
	for _, name := range names {
		fmt.Fprintf(&list, "%s-unix %d\n", name, tableWidth(mustLookup(t, name)))
	}
	in, out := filepath.Join(dir, "systems"), filepath.Join(dir, "tables")
	if err := os.WriteFile(in, []byte(list.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(emacs, "-Q", "--batch", "-l", "testdata/coding_tables.el", in, out)
	cmd.Env = append(os.Environ(), "LANG=C.UTF-8", "LC_ALL=C.UTF-8")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("emacs: %v\n%s", err, msg)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	// Emacs's lines, with the decoded characters in eproc's bytes, and
	// each E line computed by eproc for the same character.
	var theirs, ours []string
	var c *CodingSystem
	for _, l := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		f := strings.Split(l, " ")
		switch f[0] {
		case "S":
			c = mustLookup(t, f[1])
			theirs = append(theirs, l)
			ours = append(ours, l)
		case "D":
			var text []byte
			if len(f) > 2 && f[2] != "" {
				for _, h := range strings.Split(f[2], ",") {
					r, _ := strconv.ParseInt(h, 16, 32)
					text = appendEmacsChar(text, rune(r))
				}
			}
			theirs = append(theirs, "D "+f[1]+" "+hexList(text))
			var in []byte
			for _, h := range strings.Split(f[1], ",") {
				b, _ := strconv.ParseUint(h, 16, 8)
				in = append(in, byte(b))
			}
			ours = append(ours, "D "+f[1]+" "+hexList([]byte(decodeString(c, string(in)))))
		case "E":
			r, _ := strconv.ParseInt(f[1], 16, 32)
			theirs = append(theirs, l)
			ours = append(ours, encodeLine(c, rune(r)))
		}
	}
	bad := 0
	for i := range ours {
		if ours[i] != theirs[i] {
			if bad++; bad <= 30 {
				t.Errorf("eproc %q, emacs %q", ours[i], theirs[i])
			}
		}
	}
	if bad > 0 {
		t.Fatalf("%d of %d lines differ", bad, len(ours))
	}
	t.Logf("%d lines the same as Emacs's", len(ours))
}
