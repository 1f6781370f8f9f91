package eproc

// Temporary stand-ins for buffer.go, coding.go and lookpath.go, which are
// being written on their own branches; this file is deleted when they land.

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"unicode/utf8"
)

type Buffer struct {
	mu      sync.Mutex
	name    string
	dead    bool
	text    []rune
	pt      int
	markers []*Marker
	rt      *Runtime
}

func newBuffer(name string) *Buffer { return &Buffer{name: name, pt: 1} }
func (b *Buffer) Name() string      { return b.name }
func (b *Buffer) Live() bool        { b.mu.Lock(); defer b.mu.Unlock(); return !b.dead }
func (b *Buffer) kill() {
	b.mu.Lock()
	b.dead = true
	ms := b.markers
	b.markers = nil
	b.mu.Unlock()
	for _, m := range ms {
		m.mu.Lock()
		m.buf = nil
		m.pos = 0
		m.mu.Unlock()
	}
}
func (b *Buffer) String() string { b.mu.Lock(); defer b.mu.Unlock(); return string(b.text) }
func (b *Buffer) Len() int       { b.mu.Lock(); defer b.mu.Unlock(); return len(b.text) }
func (b *Buffer) PointMax() int  { b.mu.Lock(); defer b.mu.Unlock(); return len(b.text) + 1 }
func (b *Buffer) Point() int     { b.mu.Lock(); defer b.mu.Unlock(); return b.pt }
func (b *Buffer) GotoChar(pos int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pt = min(max(pos, 1), len(b.text)+1)
}
func (b *Buffer) Insert(s string) { b.GotoChar(b.insertAt(b.Point(), s, false)) }
func (b *Buffer) insertAt(pos int, s string, before bool) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.dead {
		return 0
	}
	pos = min(max(pos, 1), len(b.text)+1)
	r := []rune{}
	for len(s) > 0 {
		c, n := utf8.DecodeRuneInString(s)
		r = append(r, c)
		s = s[n:]
	}
	b.text = append(b.text[:pos-1], append(r, b.text[pos-1:]...)...)
	n := len(r)
	if b.pt > pos || (b.pt == pos && before) {
		b.pt += n
	}
	for _, m := range b.markers {
		if m.pos > pos || (m.pos == pos && (before || m.itype)) {
			m.pos += n
		}
	}
	return pos + n
}
func (b *Buffer) Substring(start, end int) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s, e := min(start, end), max(start, end)
	if s < 1 || e > len(b.text)+1 {
		return "", &ArgsOutOfRangeError{Buffer: b.name, Start: start, End: end}
	}
	return string(b.text[s-1 : e-1]), nil
}

type Marker struct {
	mu    sync.Mutex
	buf   *Buffer
	pos   int
	itype bool
}

func NewMarker() *Marker { return &Marker{} }
func (m *Marker) Position() int {
	m.mu.Lock()
	b := m.buf
	m.mu.Unlock()
	if b == nil {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return m.pos
}
func (m *Marker) Buffer() *Buffer { m.mu.Lock(); defer m.mu.Unlock(); return m.buf }
func (m *Marker) Set(b *Buffer, pos int) {
	if old := m.Buffer(); old != nil {
		old.mu.Lock()
		for i, x := range old.markers {
			if x == m {
				old.markers = append(old.markers[:i], old.markers[i+1:]...)
				break
			}
		}
		old.mu.Unlock()
	}
	m.mu.Lock()
	m.buf = nil
	m.pos = 0
	m.mu.Unlock()
	if b == nil || !b.Live() {
		return
	}
	b.mu.Lock()
	m.mu.Lock()
	m.buf = b
	m.pos = min(max(pos, 1), len(b.text)+1)
	m.mu.Unlock()
	b.markers = append(b.markers, m)
	b.mu.Unlock()
}

type CodingSystem struct{ name string }
type CodingSystemError struct{ Name string }

func (e *CodingSystemError) Error() string { return "Invalid coding system: " + e.Name }
func LookupCodingSystem(name string) (*CodingSystem, error) {
	switch name {
	case "utf-8", "utf-8-unix", "no-conversion", "binary", "raw-text":
		if name == "binary" {
			name = "no-conversion"
		}
		return &CodingSystem{name}, nil
	}
	return nil, &CodingSystemError{name}
}
func (c *CodingSystem) Name() string    { return c.name }
func (c *CodingSystem) Multibyte() bool { return strings.HasPrefix(c.name, "utf") }
func (c *CodingSystem) rawText() *CodingSystem {
	return &CodingSystem{"raw-text"}
}
func (c *CodingSystem) newDecoder() decoder {
	if c.Multibyte() {
		return &utf8Dec{n: c.name}
	}
	return rawDec(c.name)
}
func (c *CodingSystem) newEncoder() encoder { return rawEnc(c.name) }

type decoder interface {
	decode(src []byte, atEOF bool) string
	name() string
}
type encoder interface {
	encode(s string) []byte
	name() string
}
type rawDec string

func (d rawDec) decode(src []byte, atEOF bool) string { return string(src) }
func (d rawDec) name() string                         { return string(d) }

type rawEnc string

func (d rawEnc) encode(s string) []byte { return []byte(s) }
func (d rawEnc) name() string           { return string(d) }

type utf8Dec struct {
	n     string
	carry []byte
}

func (d *utf8Dec) name() string { return d.n }
func (d *utf8Dec) decode(src []byte, atEOF bool) string {
	b := append(d.carry, src...)
	d.carry = nil
	if !atEOF {
		for i := 1; i <= 3 && i <= len(b); i++ {
			c := b[len(b)-i]
			if c < 0x80 {
				break
			}
			if c >= 0xC0 {
				need := 2
				if c >= 0xE0 {
					need = 3
				}
				if c >= 0xF0 {
					need = 4
				}
				if need > i {
					d.carry = append([]byte(nil), b[len(b)-i:]...)
					b = b[:len(b)-i]
				}
				break
			}
		}
	}
	return string(b)
}

func findProgram(program string, execPath, execSuffixes []string, dir string) (string, error) {
	if strings.Contains(program, "/") {
		if !filepath.IsAbs(program) {
			program = filepath.Join(dir, program)
		}
		return program, nil
	}
	for _, d := range execPath {
		if d == "" {
			d = dir
		}
		f := filepath.Join(d, program)
		if st, err := os.Stat(f); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return f, nil
		}
	}
	return "", &FileError{Op: "Searching for program", Err: syscall.ENOENT, Path: program}
}
func defaultExecPath() []string { return filepath.SplitList(os.Getenv("PATH")) }
