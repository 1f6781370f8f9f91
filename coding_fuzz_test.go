package eproc

import (
	"math/rand/v2"
	"testing"
)

// The fuzz targets check that decoding does not depend on how the input is
// split into reads: decode(whole) == decode(chunks), with the same final
// name. Seeds are in testdata/fuzz/<target>/. Run one with, for example,
// go test -run '^$' -fuzz FuzzDecodeUTF8 -fuzztime 30s

// fuzzChunks checks data under each named system, split at random points
// chosen from seed (and once at a single point). For EOL-undecided systems
// the line ends are first made all LF, all CRLF or all CR, since Emacs
// decides the type from the first read that has one (eproc holds a CR that
// ends a read until the next byte).
func fuzzChunks(t *testing.T, names []string, data []byte, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, seed>>17))
	for _, name := range names {
		c := mustLookup(t, name)
		p := data
		if c.EOL() == EOLUndecided {
			p = eolUniform(data, int(seed%3))
		}
		checkChunking(t, c, p, randomCuts(rng, len(p)))
		if len(p) > 0 {
			checkChunking(t, c, p, []int{int(seed % uint64(len(p)+1))})
		}
	}
}

func FuzzDecodeUTF8(f *testing.F) {
	for _, s := range []string{"", "caf\xc3\xa9\n", "\xef\xbb\xbfab", "a\xc3", "\xf0\x9f\x98\x80\xed\xa0\x80\xff\xc0\x80", "\xe6\x97\xa5\xe6\x9c\xac\r\n\r"} {
		f.Add([]byte(s), uint64(len(s)))
	}
	f.Fuzz(func(t *testing.T, data []byte, seed uint64) {
		// Not utf-8-auto: Emacs looks for its BOM in each read.
		fuzzChunks(t, []string{"utf-8-unix", "utf-8", "utf-8-dos", "utf-8-with-signature", "utf-8-emacs-mac"}, data, seed)
		// Under utf-8-unix every byte comes out as it went in.
		rng := rand.New(rand.NewPCG(seed, 1))
		if got, _ := decodeSplit(mustLookup(t, "utf-8-unix"), data, randomCuts(rng, len(data))); got != string(data) {
			t.Fatalf("utf-8-unix changed %q into %q", data, got)
		}
	})
}

func FuzzDecodeUTF16(f *testing.F) {
	for _, s := range []string{"", "\xfe\xff\x00a\x00\r\x00\n", "\xff\xfea\x00", "\x00a\xd8=\xde\x00", "\x00a\xd8\x00\x00b\xdc\x00", "a\x00\x00\xd8"} {
		f.Add([]byte(s), uint64(len(s)))
	}
	f.Fuzz(func(t *testing.T, data []byte, seed uint64) {
		// Not utf-16: Emacs looks for its BOM in each read.
		fuzzChunks(t, []string{"utf-16le-dos", "utf-16le-unix", "utf-16be-dos", "utf-16le-with-signature-mac", "utf-16be-with-signature-unix"}, data, seed)
	})
}

func FuzzDecodeShiftJIS(f *testing.F) {
	for _, s := range []string{"", "\x93\xfa\x96{\x8c\xea\n", "a\x80\xa0\xa1\xdf\xe0\xfc\xfd\xfe\xff", "\x81 \x85@\x87@\xed@\xfa@\xf0@", "\x93\r\n\x82"} {
		f.Add([]byte(s), uint64(len(s)))
	}
	f.Fuzz(func(t *testing.T, data []byte, seed uint64) {
		fuzzChunks(t, []string{"shift_jis", "shift_jis-unix", "sjis-dos", "cp932-unix", "cp932-mac"}, data, seed)
	})
}

func FuzzDecodeEOL(f *testing.F) {
	for _, s := range []string{"", "a\r\nb\r\nc\rd\n", "\r", "\r\r\n", "a\r\n\r\n\n\r", "x\xc3\r\n\xa9"} {
		f.Add([]byte(s), uint64(len(s)))
	}
	f.Fuzz(func(t *testing.T, data []byte, seed uint64) {
		fuzzChunks(t, []string{"utf-8-dos", "utf-8-mac", "utf-8", "raw-text-dos", "raw-text", "latin-1-mac", "latin-1", "euc-jp-dos", "gb18030-mac"}, data, seed)
	})
}

func FuzzDecodeISO2022(f *testing.F) {
	for _, s := range []string{"", "\x1b$BF|K\\\x1b(B\n", "\x1b$)C\x0e0!\x0fa\n", "\x1b$)A\x0eF|\x1b$+I\x1bO!!\x0f\r\n",
		"\xa4\xa2\x8e\xb1\x8f\xb0\xa1", "\x1b-A\xe9\x1b$(B\x1b%G\xc3\xa9\x1b%@", "\x1b$", "\x0e\x1b(B\x1b0\x1b"} {
		f.Add([]byte(s), uint64(len(s)))
	}
	f.Fuzz(func(t *testing.T, data []byte, seed uint64) {
		// Not the systems with locking shifts (iso-2022-kr, iso-2022-cn,
		// compound-text, ...): Emacs decodes with the charset a shift
		// invoked until its decoder starts a new pass, at the next read or
		// when its buffer fills, so a designation to the register a shift
		// invoked takes effect at a point that depends on the reads.
		fuzzChunks(t, []string{"iso-2022-jp", "iso-2022-jp-2-dos", "euc-jp-unix", "iso-2022-7bit", "iso-2022-8bit-ss2-mac", "iso-2022-jp-2004-unix"}, data, seed)
	})
}
