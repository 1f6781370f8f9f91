package eproc

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// testBuffer returns a new buffer whose chunks hold at most chunkMax bytes
// (0 for the default), to exercise chunk boundaries with little text.
func testBuffer(name string, chunkMax int) *Buffer {
	b := newBuffer(name)
	if chunkMax > 0 {
		b.chunkMax = chunkMax
	}
	return b
}

// checkBuffer verifies the storage invariants of b.
func checkBuffer(t testing.TB, b *Buffer) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	chars, nbytes, raw := 0, 0, 0
	for i, ch := range b.chunks {
		if len(ch.data) == 0 || len(ch.data) > b.chunkMax {
			t.Fatalf("chunk %d of %d has %d bytes (max %d)", i, len(b.chunks), len(ch.data), b.chunkMax)
		}
		if ch.data[0]&0xC0 == 0x80 {
			t.Fatalf("chunk %d begins with a continuation byte %q", i, ch.data)
		}
		n := 0
		for k := 0; k < len(ch.data); k++ {
			c := ch.data[k]
			if c&0xC0 != 0x80 {
				n++
			}
			if c == 0xC0 || c == 0xC1 {
				raw++
				if k+1 >= len(ch.data) || ch.data[k+1]&0xC0 != 0x80 {
					t.Fatalf("chunk %d: raw byte lead without continuation in %q", i, ch.data)
				}
			}
		}
		if n != ch.chars {
			t.Fatalf("chunk %d: chars = %d, counted %d", i, ch.chars, n)
		}
		if i < b.dirty && ch.start != chars {
			t.Fatalf("chunk %d: start = %d, want %d (dirty %d)", i, ch.start, chars, b.dirty)
		}
		chars += ch.chars
		nbytes += len(ch.data)
	}
	if chars != b.chars || nbytes != b.nbytes || raw != b.raw {
		t.Fatalf("totals: chars %d/%d, bytes %d/%d, raw %d/%d", b.chars, chars, b.nbytes, nbytes, b.raw, raw)
	}
	if b.pt < 1 || b.pt > b.chars+1 {
		t.Fatalf("point %d outside [1, %d]", b.pt, b.chars+1)
	}
	for i, m := range b.markers {
		if m.idx != i || m.buf.Load() != b {
			t.Fatalf("marker %d: idx %d, buffer %p, want %p", i, m.idx, m.buf.Load(), b)
		}
		if m.pos < 1 || m.pos > b.chars+1 {
			t.Fatalf("marker %d at %d outside [1, %d]", i, m.pos, b.chars+1)
		}
	}
}

func TestBufferNew(t *testing.T) {
	b := newBuffer("foo")
	if b.Name() != "foo" || !b.Live() || b.String() != "" || b.Len() != 0 ||
		b.PointMin() != 1 || b.PointMax() != 1 || b.Point() != 1 {
		t.Fatalf("new buffer: name %q live %v text %q len %d min %d max %d point %d",
			b.Name(), b.Live(), b.String(), b.Len(), b.PointMin(), b.PointMax(), b.Point())
	}
	if got := b.describe(); got != "#<buffer foo>" {
		t.Errorf("describe = %q", got)
	}
}

// charTests are strings and their characters as Emacs counts them.
var charTests = []struct {
	in    string
	chars []string
}{
	{"", nil},
	{"abc", []string{"a", "b", "c"}},
	{"é€😀", []string{"é", "€", "😀"}},
	{"a\x00b", []string{"a", "\x00", "b"}},
	{"\xc3\xa9", []string{"é"}},
	{"\xc3", []string{"\xc3"}},
	{"\xff\xfe", []string{"\xff", "\xfe"}},
	{"\xe2\x82", []string{"\xe2", "\x82"}},             // truncated €
	{"\xe2\x82x", []string{"\xe2", "\x82", "x"}},       // truncated € before ASCII
	{"\xc0\x80", []string{"\xc0", "\x80"}},             // overlong NUL
	{"\xed\xa0\x80", []string{"\xed", "\xa0", "\x80"}}, // surrogate
	{"\xf4\x90\x80\x80", []string{"\xf4", "\x90", "\x80", "\x80"}},
	{"\xef\xbf\xbd", []string{"\ufffd"}}, // a real U+FFFD
	{"é\xa9€\x80", []string{"é", "\xa9", "€", "\x80"}},
}

func TestBufferInsertCharacters(t *testing.T) {
	for _, chunkMax := range []int{0, 4, 5, 7} {
		for _, tt := range charTests {
			b := testBuffer("foo", chunkMax)
			b.Insert(tt.in)
			checkBuffer(t, b)
			if got := b.String(); got != tt.in {
				t.Errorf("chunk %d: Insert(%q); String() = %q", chunkMax, tt.in, got)
			}
			if got := b.Len(); got != len(tt.chars) {
				t.Errorf("chunk %d: Insert(%q); Len() = %d, want %d", chunkMax, tt.in, got, len(tt.chars))
			}
			if got := b.Point(); got != len(tt.chars)+1 {
				t.Errorf("chunk %d: Insert(%q); Point() = %d, want %d", chunkMax, tt.in, got, len(tt.chars)+1)
			}
			for i, c := range tt.chars {
				got, err := b.Substring(i+1, i+2)
				if err != nil || got != c {
					t.Errorf("chunk %d: Insert(%q); Substring(%d, %d) = %q, %v; want %q", chunkMax, tt.in, i+1, i+2, got, err, c)
				}
			}
		}
	}
}

func TestBufferRawBytesNeverMerge(t *testing.T) {
	tests := []struct {
		inserts []string
		want    []string // characters
	}{
		{[]string{"\xc3", "\xa9"}, []string{"\xc3", "\xa9"}},
		{[]string{"\xe2", "\x82", "\xac"}, []string{"\xe2", "\x82", "\xac"}},
		{[]string{"\xe2\x82", "\xac"}, []string{"\xe2", "\x82", "\xac"}},
		{[]string{"\xf0\x9f", "\x98\x80"}, []string{"\xf0", "\x9f", "\x98", "\x80"}},
		{[]string{"é", "\xa9"}, []string{"é", "\xa9"}},
		{[]string{"\xc3\xa9"}, []string{"é"}},
	}
	for _, tt := range tests {
		b := newBuffer("foo")
		for _, s := range tt.inserts {
			b.Insert(s)
		}
		checkBuffer(t, b)
		want := strings.Join(tt.want, "")
		if got := b.String(); got != want || b.Len() != len(tt.want) {
			t.Errorf("inserts %q: String() = %q, Len() = %d; want %q, %d", tt.inserts, got, b.Len(), want, len(tt.want))
		}
		// Inserting in the middle does not merge either.
		b = newBuffer("foo")
		b.Insert(tt.inserts[len(tt.inserts)-1])
		for i := len(tt.inserts) - 2; i >= 0; i-- {
			b.GotoChar(1)
			b.Insert(tt.inserts[i])
		}
		if got := b.String(); got != want || b.Len() != len(tt.want) {
			t.Errorf("inserts %q backwards: String() = %q, Len() = %d; want %q, %d", tt.inserts, got, b.Len(), want, len(tt.want))
		}
	}
}

func TestBufferRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	inputs := []string{string(all), "é€😀 plain \x00\xff\xc3", strings.Repeat("\xe2\x82", 100)}
	for range 20 {
		p := make([]byte, r.IntN(300))
		for i := range p {
			p[i] = byte(r.IntN(256))
		}
		inputs = append(inputs, string(p))
	}
	for _, s := range inputs {
		for _, chunkMax := range []int{0, 4, 6, 16} {
			b := testBuffer("foo", chunkMax)
			b.Insert(s)
			checkBuffer(t, b)
			if got := b.String(); got != s {
				t.Fatalf("chunk %d: String() = %q, want %q", chunkMax, got, s)
			}
			whole, err := b.Substring(1, b.PointMax())
			if err != nil || whole != s {
				t.Fatalf("chunk %d: Substring(1, max) = %q, %v; want %q", chunkMax, whole, err, s)
			}
		}
	}
}

func TestBufferGotoChar(t *testing.T) {
	b := newBuffer("foo")
	b.Insert("héllo")
	for _, tt := range []struct{ pos, want int }{
		{1, 1}, {3, 3}, {6, 6}, {7, 6}, {0, 1}, {-5, 1}, {100, 6},
	} {
		b.GotoChar(tt.pos)
		if got := b.Point(); got != tt.want {
			t.Errorf("GotoChar(%d): Point() = %d, want %d", tt.pos, got, tt.want)
		}
	}
}

func TestBufferSubstring(t *testing.T) {
	b := testBuffer("foo", 5)
	b.Insert("aé€\xff😀\xc3b")
	tests := []struct {
		start, end int
		want       string
		err        string
	}{
		{1, 1, "", ""},
		{1, 7, "aé€\xff😀\xc3", ""},
		{1, 8, "aé€\xff😀\xc3b", ""},
		{8, 1, "aé€\xff😀\xc3b", ""},
		{2, 4, "é€", ""},
		{4, 2, "é€", ""},
		{4, 6, "\xff😀", ""},
		{6, 7, "\xc3", ""},
		{5, 8, "😀\xc3b", ""},
		{8, 8, "", ""},
		{9, 9, "", "Args out of range: #<buffer foo>, 9, 9"},
		{0, 3, "", "Args out of range: #<buffer foo>, 0, 3"},
		{1, 100, "", "Args out of range: #<buffer foo>, 1, 100"},
		{100, 1, "", "Args out of range: #<buffer foo>, 100, 1"},
		{-1, 2, "", "Args out of range: #<buffer foo>, -1, 2"},
	}
	for _, tt := range tests {
		got, err := b.Substring(tt.start, tt.end)
		if tt.err != "" {
			var rangeErr *ArgsOutOfRangeError
			if err == nil || err.Error() != tt.err || !errors.As(err, &rangeErr) ||
				rangeErr.Buffer != "foo" || rangeErr.Start != tt.start || rangeErr.End != tt.end {
				t.Errorf("Substring(%d, %d) error = %#v, want %q", tt.start, tt.end, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Substring(%d, %d) = %q, %v; want %q", tt.start, tt.end, got, err, tt.want)
		}
	}
}

func TestBufferCharAt(t *testing.T) {
	b := testBuffer("foo", 4)
	b.Insert("aé€\xff😀\xc3z\x80\x00")
	tests := []struct {
		pos  int
		want rune
		ok   bool
	}{
		{0, 0, false},
		{1, 'a', true},
		{2, 'é', true},
		{3, '€', true},
		{4, 0x3FFFFF, true},
		{5, '😀', true},
		{6, 0x3FFFC3, true},
		{7, 'z', true},
		{8, 0x3FFF80, true},
		{9, 0, true},
		{10, 0, false},
		{-1, 0, false},
	}
	for _, tt := range tests {
		got, ok := b.CharAt(tt.pos)
		if got != tt.want || ok != tt.ok {
			t.Errorf("CharAt(%d) = %#x, %v; want %#x, %v", tt.pos, got, ok, tt.want, tt.ok)
		}
	}
}

// markerSetup makes buffer "foo" holding text, with point at pt and one
// marker at each of positions, the marker i having insertion type ins[i].
func markerSetup(text string, pt int, positions []int, ins []bool) (*Buffer, []*Marker) {
	b := testBuffer("foo", 4)
	b.Insert(text)
	b.GotoChar(pt)
	var ms []*Marker
	for i, p := range positions {
		m := NewMarker()
		m.Set(b, p)
		if ins != nil {
			m.SetInsertionType(ins[i])
		}
		ms = append(ms, m)
	}
	return b, ms
}

func positionsOf(ms []*Marker) []int {
	var ps []int
	for _, m := range ms {
		ps = append(ps, m.Position())
	}
	return ps
}

func TestBufferInsertMarkers(t *testing.T) {
	type op int
	const (
		insert op = iota
		insertBefore
		insertAt
		insertAtBefore
	)
	tests := []struct {
		name      string
		op        op
		at        int // for insertAt
		s         string
		pt        int
		markers   []int
		ins       []bool
		wantText  string
		wantPt    int
		wantMarks []int
		wantRet   int
	}{
		{"insert: type nil stays, type t advances", insert, 0, "XY", 3,
			[]int{2, 3, 3, 4}, []bool{false, false, true, false}, "abXYcd", 5, []int{2, 3, 5, 6}, 0},
		{"insert-before-markers: all at point advance", insertBefore, 0, "XY", 3,
			[]int{2, 3, 3, 4}, []bool{false, false, true, false}, "abXYcd", 5, []int{2, 5, 5, 6}, 0},
		{"insert at end", insert, 0, "é\xff", 5,
			[]int{5, 5, 1}, []bool{false, true, true}, "abcdé\xff", 7, []int{5, 7, 1}, 0},
		{"insert empty string moves nothing", insertBefore, 0, "", 3,
			[]int{3, 3}, []bool{false, true}, "abcd", 3, []int{3, 3}, 0},
		{"insertAt before point shifts point", insertAt, 2, "XYZ", 3,
			[]int{2, 2, 3}, []bool{false, true, false}, "aXYZbcd", 6, []int{2, 5, 6}, 5},
		{"insertAt at point leaves point", insertAt, 3, "XYZ", 3,
			[]int{3, 3}, []bool{false, true}, "abXYZcd", 3, []int{3, 6}, 6},
		{"insertAt before markers at point moves point", insertAtBefore, 3, "XYZ", 3,
			[]int{3, 3, 2}, []bool{false, true, true}, "abXYZcd", 6, []int{6, 6, 2}, 6},
		{"insertAt after point", insertAt, 4, "€", 2,
			[]int{4, 5}, []bool{false, false}, "abc€d", 2, []int{4, 6}, 5},
		{"insertAt clamps high", insertAt, 99, "Z", 5,
			[]int{5}, []bool{true}, "abcdZ", 5, []int{6}, 6},
		{"insertAt clamps low", insertAt, -3, "Z", 1,
			[]int{1}, []bool{false}, "Zabcd", 1, []int{1}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, ms := markerSetup("abcd", tt.pt, tt.markers, tt.ins)
			ret := 0
			switch tt.op {
			case insert:
				b.Insert(tt.s)
			case insertBefore:
				b.InsertBeforeMarkers(tt.s)
			case insertAt:
				ret = b.insertAt(tt.at, tt.s, false)
			case insertAtBefore:
				ret = b.insertAt(tt.at, tt.s, true)
			}
			checkBuffer(t, b)
			if got := b.String(); got != tt.wantText {
				t.Errorf("text = %q, want %q", got, tt.wantText)
			}
			if got := b.Point(); got != tt.wantPt {
				t.Errorf("point = %d, want %d", got, tt.wantPt)
			}
			if got := positionsOf(ms); fmt.Sprint(got) != fmt.Sprint(tt.wantMarks) {
				t.Errorf("markers = %v, want %v", got, tt.wantMarks)
			}
			if ret != tt.wantRet {
				t.Errorf("insertAt returned %d, want %d", ret, tt.wantRet)
			}
		})
	}
}

func TestBufferDeleteRegion(t *testing.T) {
	tests := []struct {
		start, end int
		pt         int
		markers    []int
		wantText   string
		wantPt     int
		wantMarks  []int
		err        string
	}{
		{2, 4, 1, []int{1, 2, 3, 4, 5, 7}, "a€d\xff", 1, []int{1, 2, 2, 2, 3, 5}, ""},
		{4, 2, 3, []int{1, 2, 3, 4, 5, 7}, "a€d\xff", 2, []int{1, 2, 2, 2, 3, 5}, ""},
		{1, 7, 7, []int{1, 4, 7}, "", 1, []int{1, 1, 1}, ""},
		{3, 3, 5, []int{3, 5}, "abc€d\xff", 5, []int{3, 5}, ""},
		{6, 7, 7, []int{6, 7}, "abc€d", 6, []int{6, 6}, ""},
		{1, 2, 2, []int{1, 2, 7}, "bc€d\xff", 1, []int{1, 1, 6}, ""},
		{1, 100, 3, []int{3}, "abc€d\xff", 3, []int{3}, "Args out of range: #<buffer foo>, 1, 100"},
		{0, 2, 3, []int{3}, "abc€d\xff", 3, []int{3}, "Args out of range: #<buffer foo>, 0, 2"},
	}
	for _, tt := range tests {
		text := "abc€d\xff"
		b, ms := markerSetup(text, tt.pt, tt.markers, nil)
		err := b.DeleteRegion(tt.start, tt.end)
		checkBuffer(t, b)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("DeleteRegion(%d, %d) error = %v, want %q", tt.start, tt.end, err, tt.err)
			}
			tt.wantText = text
		} else if err != nil {
			t.Errorf("DeleteRegion(%d, %d) error = %v", tt.start, tt.end, err)
		}
		if got := b.String(); got != tt.wantText {
			t.Errorf("DeleteRegion(%d, %d): text = %q, want %q", tt.start, tt.end, got, tt.wantText)
		}
		if got := b.Point(); got != tt.wantPt {
			t.Errorf("DeleteRegion(%d, %d): point = %d, want %d", tt.start, tt.end, got, tt.wantPt)
		}
		if got := positionsOf(ms); fmt.Sprint(got) != fmt.Sprint(tt.wantMarks) {
			t.Errorf("DeleteRegion(%d, %d): markers = %v, want %v", tt.start, tt.end, got, tt.wantMarks)
		}
	}
}

func TestBufferDeleteRegionMultibyte(t *testing.T) {
	for _, tt := range []struct {
		start, end int
		pt         int
		markers    []int
		wantText   string
		wantPt     int
		wantMarks  []int
	}{
		{2, 4, 1, []int{1, 2, 3, 4, 5, 6}, "a\xff😀", 1, []int{1, 2, 2, 2, 3, 4}},
		{4, 2, 3, []int{1, 2, 3, 4, 5, 6}, "a\xff😀", 2, []int{1, 2, 2, 2, 3, 4}},
		{4, 5, 6, []int{4, 5, 6}, "aé€😀", 5, []int{4, 4, 5}},
	} {
		b, ms := markerSetup("aé€\xff😀", tt.pt, tt.markers, nil)
		if err := b.DeleteRegion(tt.start, tt.end); err != nil {
			t.Fatal(err)
		}
		checkBuffer(t, b)
		if got := b.String(); got != tt.wantText {
			t.Errorf("DeleteRegion(%d, %d): text = %q, want %q", tt.start, tt.end, got, tt.wantText)
		}
		if got := b.Point(); got != tt.wantPt {
			t.Errorf("DeleteRegion(%d, %d): point = %d, want %d", tt.start, tt.end, got, tt.wantPt)
		}
		if got := positionsOf(ms); fmt.Sprint(got) != fmt.Sprint(tt.wantMarks) {
			t.Errorf("DeleteRegion(%d, %d): markers = %v, want %v", tt.start, tt.end, got, tt.wantMarks)
		}
	}
}

func TestBufferErase(t *testing.T) {
	b, ms := markerSetup("héllo\xff", 4, []int{1, 3, 7}, []bool{true, false, true})
	b.Erase()
	checkBuffer(t, b)
	if b.String() != "" || b.Len() != 0 || b.Point() != 1 || b.PointMax() != 1 {
		t.Fatalf("after Erase: text %q len %d point %d max %d", b.String(), b.Len(), b.Point(), b.PointMax())
	}
	if got := positionsOf(ms); fmt.Sprint(got) != "[1 1 1]" {
		t.Fatalf("markers after Erase = %v", got)
	}
	b.Insert("x")
	if got := positionsOf(ms); fmt.Sprint(got) != "[2 1 2]" {
		t.Fatalf("markers after Erase and Insert = %v", got)
	}
}

func TestMarker(t *testing.T) {
	m := NewMarker()
	if m.Position() != 0 || m.Buffer() != nil || m.InsertionType() {
		t.Fatalf("new marker: %d %v %v", m.Position(), m.Buffer(), m.InsertionType())
	}
	if got := m.String(); got != "#<marker in no buffer>" {
		t.Errorf("String() = %q", got)
	}
	foo := newBuffer("foo")
	foo.Insert("héllo")
	bar := newBuffer("bar")
	bar.Insert("ab")

	for _, tt := range []struct {
		buf     *Buffer
		pos     int
		wantPos int
		wantBuf *Buffer
		str     string
	}{
		{foo, 5, 5, foo, "#<marker at 5 in foo>"},
		{foo, 0, 1, foo, "#<marker at 1 in foo>"},
		{foo, 99, 6, foo, "#<marker at 6 in foo>"},
		{bar, 2, 2, bar, "#<marker at 2 in bar>"},
		{bar, 9, 3, bar, "#<marker at 3 in bar>"},
		{nil, 3, 0, nil, "#<marker in no buffer>"},
		{foo, 3, 3, foo, "#<marker at 3 in foo>"},
	} {
		m.Set(tt.buf, tt.pos)
		if m.Position() != tt.wantPos || m.Buffer() != tt.wantBuf || m.String() != tt.str {
			t.Errorf("Set(%v, %d): Position %d Buffer %v String %q; want %d %v %q",
				tt.buf, tt.pos, m.Position(), m.Buffer(), m.String(), tt.wantPos, tt.wantBuf, tt.str)
		}
		checkBuffer(t, foo)
		checkBuffer(t, bar)
	}
	if len(foo.markers) != 1 || len(bar.markers) != 0 {
		t.Fatalf("marker lists: foo %d, bar %d; want 1, 0", len(foo.markers), len(bar.markers))
	}

	m.SetInsertionType(true)
	if !m.InsertionType() {
		t.Fatal("InsertionType() = false after SetInsertionType(true)")
	}
	if got := m.String(); got != "#<marker (moves after insertion) at 3 in foo>" {
		t.Errorf("String() = %q", got)
	}
	c := m.Copy()
	if c.Position() != 3 || c.Buffer() != foo || !c.InsertionType() {
		t.Fatalf("Copy: %d %v %v", c.Position(), c.Buffer(), c.InsertionType())
	}
	foo.GotoChar(3)
	foo.Insert("X")
	if m.Position() != 4 || c.Position() != 4 {
		t.Fatalf("after insert at marker: %d, %d; want 4, 4", m.Position(), c.Position())
	}
	c.Set(nil, 0)
	foo.GotoChar(1)
	foo.Insert("Y")
	if c.Position() != 0 || m.Position() != 5 {
		t.Fatalf("after detaching the copy: %d, %d; want 0, 5", c.Position(), m.Position())
	}
	if got := NewMarker().Copy(); got.Position() != 0 || got.Buffer() != nil {
		t.Fatalf("copy of a marker in no buffer: %d %v", got.Position(), got.Buffer())
	}

	pm := foo.PointMarker()
	if pm.Position() != 2 || pm.Buffer() != foo || pm.InsertionType() {
		t.Fatalf("PointMarker: %d %v %v", pm.Position(), pm.Buffer(), pm.InsertionType())
	}
	checkBuffer(t, foo)
}

func TestBufferKill(t *testing.T) {
	b, ms := markerSetup("héllo", 3, []int{1, 3, 6}, nil)
	other := newBuffer("other")
	om := NewMarker()
	om.Set(other, 1)
	b.kill()
	if b.Live() || b.Name() != "foo" || b.describe() != "#<killed buffer>" {
		t.Fatalf("killed: live %v name %q describe %q", b.Live(), b.Name(), b.describe())
	}
	for i, m := range ms {
		if m.Position() != 0 || m.Buffer() != nil || m.String() != "#<marker in no buffer>" {
			t.Errorf("marker %d after kill: %d %v %q", i, m.Position(), m.Buffer(), m.String())
		}
	}
	if om.Position() != 1 || om.Buffer() != other {
		t.Errorf("marker in another buffer moved: %d %v", om.Position(), om.Buffer())
	}
	b.Insert("x")
	b.InsertBeforeMarkers("x")
	b.GotoChar(3)
	b.Erase()
	if err := b.DeleteRegion(1, 3); err != nil {
		t.Errorf("DeleteRegion in killed buffer: %v", err)
	}
	if got := b.insertAt(1, "x", true); got != 0 {
		t.Errorf("insertAt in killed buffer = %d", got)
	}
	if b.String() != "" || b.Len() != 0 || b.Point() != 1 || b.PointMax() != 1 {
		t.Errorf("killed: text %q len %d point %d max %d", b.String(), b.Len(), b.Point(), b.PointMax())
	}
	if s, err := b.Substring(1, 1); s != "" || err != nil {
		t.Errorf("killed: Substring(1, 1) = %q, %v", s, err)
	}
	if _, ok := b.CharAt(1); ok {
		t.Error("killed: CharAt(1) ok")
	}
	m := NewMarker()
	m.Set(b, 1)
	if m.Position() != 0 || m.Buffer() != nil {
		t.Errorf("Set into a killed buffer: %d %v", m.Position(), m.Buffer())
	}
	om.Set(b, 1)
	if om.Position() != 0 || om.Buffer() != nil || len(other.markers) != 0 {
		t.Errorf("Set from a live into a killed buffer: %d %v, %d left", om.Position(), om.Buffer(), len(other.markers))
	}
	if pm := b.PointMarker(); pm.Buffer() != nil {
		t.Errorf("PointMarker of a killed buffer is in %v", pm.Buffer())
	}
	ms[0].Set(other, 1) // a marker of the killed buffer can be reused
	if ms[0].Position() != 1 || ms[0].Buffer() != other {
		t.Errorf("reusing a marker: %d %v", ms[0].Position(), ms[0].Buffer())
	}
	checkBuffer(t, other)
}

// TestBufferChunks edits text large enough to span many chunks, in the
// middle and at the edges, and compares with strings.
func TestBufferChunks(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	pieces := []string{"a", "bc", "é", "€€", "😀", "\xff", "\xc3", "\xa9", "line\n", strings.Repeat("x", 50), strings.Repeat("é", 30)}
	for _, chunkMax := range []int{4, 7, 64, 0} {
		b := testBuffer("foo", chunkMax)
		var ref []string
		for step := range 3000 {
			if r.IntN(3) > 0 || len(ref) == 0 {
				s := pieces[r.IntN(len(pieces))]
				pos := r.IntN(len(ref) + 1)
				b.insertAt(pos+1, s, false)
				ref = append(ref[:pos], append(refChars(s), ref[pos:]...)...)
			} else {
				lo := r.IntN(len(ref) + 1)
				hi := min(len(ref), lo+r.IntN(40))
				if err := b.DeleteRegion(hi+1, lo+1); err != nil {
					t.Fatal(err)
				}
				ref = append(ref[:lo], ref[hi:]...)
			}
			if step%50 == 0 {
				checkBuffer(t, b)
				if got, want := b.String(), strings.Join(ref, ""); got != want {
					t.Fatalf("chunk %d step %d: text differs:\n got %q\nwant %q", chunkMax, step, got, want)
				}
			}
		}
		checkBuffer(t, b)
		// Look up characters forwards, backwards, by strides and at
		// random, which uses the lookup anchor in every direction.
		var order []int
		for i := range ref {
			order = append(order, i)
		}
		for i := range ref {
			order = append(order, len(ref)-1-i)
		}
		for i := 0; i < len(ref); i += 7 {
			order = append(order, i, len(ref)-1-i, i/2)
		}
		for range len(ref) {
			order = append(order, r.IntN(len(ref)))
		}
		for _, i := range order {
			c, _ := b.CharAt(i + 1)
			if want := refRune(ref[i]); c != want {
				t.Fatalf("chunk %d: CharAt(%d) = %#x, want %#x", chunkMax, i+1, c, want)
			}
			if i%5 == 0 {
				got, _ := b.Substring(i+1, min(i+4, len(ref)+1))
				if want := strings.Join(ref[i:min(i+3, len(ref))], ""); got != want {
					t.Fatalf("chunk %d: Substring(%d, %d) = %q, want %q", chunkMax, i+1, i+4, got, want)
				}
			}
		}
		if chunkMax > 0 && len(b.chunks) > 4*b.nbytes/chunkMax+2 {
			t.Errorf("chunk %d: %d chunks for %d bytes", chunkMax, len(b.chunks), b.nbytes)
		}
	}
}

func TestBufferConcurrent(t *testing.T) {
	foo, bar, baz := newBuffer("foo"), newBuffer("bar"), newBuffer("baz")
	bufs := []*Buffer{foo, bar, baz}
	const writers, rounds = 4, 300
	markers := make([]*Marker, 8)
	for i := range markers {
		markers[i] = NewMarker()
		markers[i].Set(bufs[i%3], 1)
	}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range rounds {
				switch i % 3 {
				case 0:
					foo.Insert("x€\xff")
				case 1:
					foo.InsertBeforeMarkers("x€\xff")
				default:
					foo.insertAt(w, "x€\xff", w%2 == 0)
				}
				bar.Insert("y")
				if i%50 == 0 {
					bar.DeleteRegion(1, 2)
				}
			}
		})
	}
	for range 2 {
		wg.Go(func() {
			for range rounds {
				_ = foo.String()
				n := foo.Len()
				if _, err := foo.Substring(1, n+1); err != nil {
					t.Errorf("Substring(1, %d): %v", n+1, err)
				}
				foo.CharAt(n)
				foo.GotoChar(n / 2)
				bar.PointMax()
			}
		})
	}
	for k := range 4 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(k), 5))
			for i := range rounds {
				m := markers[r.IntN(len(markers))]
				switch r.IntN(6) {
				case 0:
					m.Set(bufs[r.IntN(3)], r.IntN(100))
				case 1:
					m.Set(nil, 0)
				case 2:
					m.SetInsertionType(r.IntN(2) == 0)
				case 3:
					m.Copy().Set(nil, 0)
				case 4:
					_ = m.String()
				default:
					m.Position()
					m.Buffer()
				}
				if k == 0 && i == rounds/2 {
					baz.kill()
				}
			}
		})
	}
	wg.Wait()
	for _, b := range bufs {
		checkBuffer(t, b)
	}
	if want := writers * rounds * 3; foo.Len() != want {
		t.Errorf("foo has %d characters, want %d", foo.Len(), want)
	}
	// Insertions at point may land inside one another, but every
	// character arrived.
	text := foo.String()
	for _, c := range []string{"x", "€", "\xff"} {
		if got, want := strings.Count(text, c), writers*rounds; got != want {
			t.Errorf("foo holds %d of %q, want %d", got, c, want)
		}
	}
	for i, m := range markers {
		if m.Buffer() == baz || m.Buffer() == nil && m.Position() != 0 {
			t.Errorf("marker %d: %v at %d", i, m.Buffer(), m.Position())
		}
	}
}

// binaryChunk returns 64 KiB of random bytes, mostly not valid UTF-8.
func binaryChunk() string {
	r := rand.New(rand.NewPCG(7, 7))
	p := make([]byte, 64<<10)
	for i := range p {
		p[i] = byte(r.IntN(256))
	}
	return string(p)
}

// appendChunk returns a string of about 64 KiB of whole characters, ASCII
// only or mixed.
func appendChunk(multibyte bool) string {
	unit := "The quick brown fox jumps over the lazy dog 0123456789.\n"
	if multibyte {
		unit = "Le cœur déçu mais l'âme plutôt naïve, Louÿs rêva de crapaüter € 😀\n"
	}
	s := strings.Repeat(unit, (64<<10)/len(unit)+1)
	return s[:len(s)-len(unit)]
}

// appendHeap fills a new buffer with total bytes in chunks of s and
// returns the heap the buffer holds per byte of text.
func appendHeap(s string, total int) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b := newBuffer("heap")
	n := 0
	for ; n < total; n += len(s) {
		b.Insert(s)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(b)
	return float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / float64(n)
}

func TestBufferAppendMemory(t *testing.T) {
	for _, multibyte := range []bool{false, true} {
		s := appendChunk(multibyte)
		if ratio := appendHeap(s, 64<<20); ratio > 1.3 {
			t.Errorf("multibyte %v: %.3f heap bytes per text byte, want at most 1.3", multibyte, ratio)
		} else {
			t.Logf("multibyte %v: %.3f heap bytes per text byte", multibyte, ratio)
		}
	}
}

func BenchmarkBufferAppend(b *testing.B) {
	for _, bb := range []struct {
		name string
		s    string
	}{
		{"ascii", appendChunk(false)},
		{"utf8", appendChunk(true)},
		{"binary", binaryChunk()},
	} {
		b.Run(bb.name, func(b *testing.B) {
			b.SetBytes(int64(len(bb.s)))
			perFill := (64 << 20) / len(bb.s)
			var buf *Buffer
			for i := 0; b.Loop(); i++ {
				if i%perFill == 0 {
					buf = newBuffer("bench")
				}
				buf.Insert(bb.s)
			}
			b.ReportMetric(appendHeap(bb.s, 64<<20), "heapB/textB")
		})
	}
}

func BenchmarkBufferInsertMiddle(b *testing.B) {
	buf := newBuffer("bench")
	for range 64 {
		buf.Insert(appendChunk(true))
	}
	r := rand.New(rand.NewPCG(1, 1))
	b.SetBytes(16)
	for b.Loop() {
		buf.insertAt(1+r.IntN(buf.Len()), "sixteen bytes é", false)
	}
}

func BenchmarkBufferCharAtSequential(b *testing.B) {
	buf := newBuffer("bench")
	for range 64 {
		buf.Insert(appendChunk(true))
	}
	n := buf.Len()
	i := 0
	for b.Loop() {
		buf.CharAt(1 + i%n)
		i++
	}
}

func BenchmarkBufferCharAtRandom(b *testing.B) {
	buf := newBuffer("bench")
	for range 64 {
		buf.Insert(appendChunk(true))
	}
	r := rand.New(rand.NewPCG(1, 1))
	n := buf.Len()
	for b.Loop() {
		buf.CharAt(1 + r.IntN(n))
	}
}

// The reference model for FuzzBuffer.

// refChars splits s into characters as a Buffer counts them.
func refChars(s string) []string {
	var cs []string
	for s != "" {
		_, size := utf8.DecodeRuneInString(s)
		cs = append(cs, s[:size])
		s = s[size:]
	}
	return cs
}

// refRune is CharAt of a one-character string.
func refRune(c string) rune {
	r, size := utf8.DecodeRuneInString(c)
	if r == utf8.RuneError && size == 1 {
		return 0x3FFF00 + rune(c[0])
	}
	return r
}

type refBuffer struct {
	live bool
	text []string
	pt   int
}

type refMarker struct {
	buf int // index into the buffers, -1 for nowhere
	pos int
	ins bool
}

type refWorld struct {
	bufs    []*refBuffer
	markers []*refMarker
}

func (w *refWorld) insert(bi, pos int, s string, pointAfter, before bool) int {
	rb := w.bufs[bi]
	cs := refChars(s)
	n := len(cs)
	rb.text = append(rb.text[:pos-1], append(cs, rb.text[pos-1:]...)...)
	for _, m := range w.markers {
		if m.buf == bi && (m.pos > pos || m.pos == pos && (before || m.ins) && n > 0) {
			m.pos += n
		}
	}
	if rb.pt > pos || rb.pt == pos && (before || pointAfter) {
		rb.pt += n
	}
	return pos + n
}

func (w *refWorld) delete(bi, lo, hi int) {
	rb := w.bufs[bi]
	rb.text = append(rb.text[:lo-1], rb.text[hi-1:]...)
	move := func(p int) int {
		if p >= hi {
			return p - (hi - lo)
		}
		if p > lo {
			return lo
		}
		return p
	}
	rb.pt = move(rb.pt)
	for _, m := range w.markers {
		if m.buf == bi {
			m.pos = move(m.pos)
		}
	}
}

// fuzzReader hands out the fuzz input a byte at a time, then zeros.
type fuzzReader struct{ p []byte }

func (r *fuzzReader) byte() byte {
	if len(r.p) == 0 {
		return 0
	}
	c := r.p[0]
	r.p = r.p[1:]
	return c
}

var fuzzAlphabet = []string{
	"a", "z", "\n", "\x00", "é", "€", "😀", "\xc3", "\xa9", "\xe2\x82", "\xac",
	"\xff", "\x80", "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xef\xbf\xbd", "xyzzy",
}

func (r *fuzzReader) string() string {
	n := int(r.byte() % 24)
	var sb strings.Builder
	if r.byte()&1 == 0 {
		for range n {
			sb.WriteByte(r.byte())
		}
	} else {
		for range n {
			sb.WriteString(fuzzAlphabet[int(r.byte())%len(fuzzAlphabet)])
		}
	}
	return sb.String()
}

// pos returns a position from -1 to max+1 for a buffer of n characters.
func (r *fuzzReader) pos(n int) int {
	return int(r.byte())%(n+4) - 1
}

func FuzzBuffer(f *testing.F) {
	f.Add([]byte("\x05\x00\x05\x01abcde\x04\x02\x05\x00\x02\x01\x05\x03\x01\x01\x01\x01"))
	f.Add([]byte("\x04\x00\x02\x00\xc3\x00\x02\x00\xa9\x0b\x00\x01\x02"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := &fuzzReader{p: data}
		chunkMax := 4 + int(r.byte()%29)
		if chunkMax == 32 {
			chunkMax = 0 // the default
		}
		names := []string{"a", "b"}
		bufs := []*Buffer{testBuffer("a", chunkMax), testBuffer("b", chunkMax)}
		w := &refWorld{bufs: []*refBuffer{{live: true, pt: 1}, {live: true, pt: 1}}}
		markers := make([]*Marker, 4)
		for i := range markers {
			markers[i] = NewMarker()
			w.markers = append(w.markers, &refMarker{buf: -1})
		}
		for step := 0; len(r.p) > 0 && step < 500; step++ {
			bi := int(r.byte() & 1)
			b, rb := bufs[bi], w.bufs[bi]
			n := len(rb.text)
			var desc string
			switch op := r.byte() % 12; op {
			case 0:
				s := r.string()
				desc = fmt.Sprintf("Insert(%q)", s)
				b.Insert(s)
				if rb.live {
					rb.pt = w.insert(bi, rb.pt, s, true, false)
				}
			case 1:
				s := r.string()
				desc = fmt.Sprintf("InsertBeforeMarkers(%q)", s)
				b.InsertBeforeMarkers(s)
				if rb.live {
					w.insert(bi, rb.pt, s, false, true)
				}
			case 2:
				pos, s, before := r.pos(n), r.string(), r.byte()&1 == 1
				desc = fmt.Sprintf("insertAt(%d, %q, %v)", pos, s, before)
				got := b.insertAt(pos, s, before)
				want := 0
				if rb.live {
					want = w.insert(bi, min(max(pos, 1), n+1), s, false, before)
				}
				if got != want {
					t.Fatalf("%s returned %d, want %d", desc, got, want)
				}
			case 3:
				start, end := r.pos(n), r.pos(n)
				desc = fmt.Sprintf("DeleteRegion(%d, %d)", start, end)
				err := b.DeleteRegion(start, end)
				lo, hi := min(start, end), max(start, end)
				switch {
				case !rb.live:
					if err != nil {
						t.Fatalf("%s in a killed buffer: %v", desc, err)
					}
				case lo < 1 || hi > n+1:
					want := fmt.Sprintf("Args out of range: #<buffer %s>, %d, %d", names[bi], start, end)
					if err == nil || err.Error() != want {
						t.Fatalf("%s: error %v, want %q", desc, err, want)
					}
				default:
					if err != nil {
						t.Fatalf("%s: %v", desc, err)
					}
					w.delete(bi, lo, hi)
				}
			case 4:
				pos := r.pos(n)
				desc = fmt.Sprintf("GotoChar(%d)", pos)
				b.GotoChar(pos)
				if rb.live {
					rb.pt = min(max(pos, 1), n+1)
				}
			case 5:
				mi, target := int(r.byte()%4), int(r.byte()%3)
				pos := r.pos(16)
				var tb *Buffer
				desc = fmt.Sprintf("marker %d Set(nil, %d)", mi, pos)
				if target < 2 {
					tb = bufs[target]
					pos = r.pos(len(w.bufs[target].text))
					desc = fmt.Sprintf("marker %d Set(%s, %d)", mi, tb.describe(), pos)
				}
				markers[mi].Set(tb, pos)
				rm := w.markers[mi]
				if target < 2 && w.bufs[target].live {
					rm.buf, rm.pos = target, min(max(pos, 1), len(w.bufs[target].text)+1)
				} else {
					rm.buf, rm.pos = -1, 0
				}
			case 6:
				mi, ins := int(r.byte()%4), r.byte()&1 == 1
				desc = fmt.Sprintf("marker %d SetInsertionType(%v)", mi, ins)
				markers[mi].SetInsertionType(ins)
				w.markers[mi].ins = ins
			case 7:
				desc = "Erase()"
				b.Erase()
				if rb.live {
					w.delete(bi, 1, n+1)
				}
			case 8:
				dst, src := int(r.byte()%4), int(r.byte()%4)
				desc = fmt.Sprintf("marker %d = marker %d Copy()", dst, src)
				c := markers[src].Copy()
				markers[dst].Set(nil, 0)
				markers[dst] = c
				rc := *w.markers[src]
				w.markers[dst] = &rc
			case 9:
				desc = "kill b"
				if bufs[1].Live() {
					bufs[1].kill()
					w.bufs[1] = &refBuffer{live: false, pt: 1}
					for _, m := range w.markers {
						if m.buf == 1 {
							m.buf, m.pos = -1, 0
						}
					}
				} else {
					desc = "new b"
					bufs[1] = testBuffer("b", chunkMax)
					w.bufs[1] = &refBuffer{live: true, pt: 1}
				}
			case 10:
				mi := int(r.byte() % 4)
				desc = fmt.Sprintf("marker %d = PointMarker()", mi)
				markers[mi].Set(nil, 0)
				markers[mi] = b.PointMarker()
				if rb.live {
					w.markers[mi] = &refMarker{buf: bi, pos: rb.pt}
				} else {
					w.markers[mi] = &refMarker{buf: -1}
				}
			case 11:
				start, end := r.pos(n), r.pos(n)
				desc = fmt.Sprintf("Substring(%d, %d)", start, end)
				got, err := b.Substring(start, end)
				lo, hi := min(start, end), max(start, end)
				if lo < 1 || hi > n+1 {
					var rangeErr *ArgsOutOfRangeError
					if !errors.As(err, &rangeErr) || rangeErr.Start != start || rangeErr.End != end {
						t.Fatalf("%s: error %v", desc, err)
					}
				} else if want := strings.Join(rb.text[lo-1:hi-1], ""); err != nil || got != want {
					t.Fatalf("%s = %q, %v; want %q", desc, got, err, want)
				}
				c, ok := b.CharAt(start)
				if start >= 1 && start <= n {
					if want := refRune(rb.text[start-1]); !ok || c != want {
						t.Fatalf("CharAt(%d) = %#x, %v; want %#x", start, c, ok, want)
					}
				} else if ok {
					t.Fatalf("CharAt(%d) = %#x, true out of range", start, c)
				}
			}
			// Compare everything with the model.
			for i, b := range bufs {
				rb := w.bufs[i]
				checkBuffer(t, b)
				if got, want := b.String(), strings.Join(rb.text, ""); got != want {
					t.Fatalf("step %d, %s: buffer %s text %q, want %q", step, desc, b.Name(), got, want)
				}
				if b.Live() != rb.live || b.Len() != len(rb.text) || b.PointMax() != len(rb.text)+1 || b.Point() != rb.pt {
					t.Fatalf("step %d, %s: buffer %s live %v len %d max %d point %d; want %v %d %d %d", step, desc, b.Name(),
						b.Live(), b.Len(), b.PointMax(), b.Point(), rb.live, len(rb.text), len(rb.text)+1, rb.pt)
				}
			}
			for i, m := range markers {
				rm := w.markers[i]
				var wantBuf *Buffer
				if rm.buf >= 0 {
					wantBuf = bufs[rm.buf]
				}
				if m.Position() != rm.pos || m.Buffer() != wantBuf || m.InsertionType() != rm.ins {
					t.Fatalf("step %d, %s: marker %d is %s in %p; want %d in %p (type %v)", step, desc, i,
						m, m.Buffer(), rm.pos, wantBuf, rm.ins)
				}
			}
		}
	})
}

func TestValidCountMatchesStdlib(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	alphabet := []string{"a", "é", "日", "😀", "\xff", "\xc3", "\xe0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xf0\x9f", "abcdefgh"}
	for i := 0; i < 20000; i++ {
		var sb strings.Builder
		for k := r.IntN(12); k > 0; k-- {
			sb.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		s := sb.String()
		n, ok := validCount(s)
		if ok != utf8.ValidString(s) || ok && n != utf8.RuneCountInString(s) {
			t.Fatalf("validCount(%q) = %d, %v; ValidString %v, RuneCount %d", s, n, ok, utf8.ValidString(s), utf8.RuneCountInString(s))
		}
	}
}
