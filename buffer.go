package eproc

import (
	"errors"
	"math/bits"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// Text storage.
//
// A Buffer stores its text in an internal encoding: valid UTF-8, except
// that a raw byte b (0x80..0xFF that is not part of a valid UTF-8 sequence
// in the inserted string) is stored as the two-byte overlong sequence
// 0xC0|(b>>6&1), 0x80|(b&0x3F). Valid UTF-8 never contains 0xC0 or 0xC1, so
// a raw byte can never merge with its neighbours into a multibyte
// character, and every character, raw or not, begins with exactly one
// byte that is not a continuation byte (binary 10 followed by six bits). Counting characters is
// therefore counting non-continuation bytes.
//
// The text is a sequence of chunks of at most chunkMax bytes each, every
// chunk holding whole characters. Each chunk knows its character count and
// the character index at which it starts; the starts are recomputed lazily
// from the first chunk an edit made stale, so appending at the end never
// touches them and a lookup is a binary search over the chunks followed by
// a scan inside one chunk (or a direct index when the chunk is ASCII).

// maxChunk is the default largest chunk, in bytes. It is a Go size class,
// so a full chunk wastes no heap.
const maxChunk = 16 << 10

// minChunk is the smallest allocation for a growing chunk.
const minChunk = 32

// chunk is one piece of a Buffer's text.
type chunk struct {
	data  []byte // internal encoding, whole characters only, never empty
	chars int    // number of characters in data
	start int    // character index (0-based) of data[0]; valid below Buffer.dirty
}

// bufferIDs numbers buffers, to lock two of them in a fixed order.
var bufferIDs atomic.Uint64

// A Buffer is an Emacs buffer reduced to what processes need: text with
// 1-based character positions, point, and the markers that move with
// insertions and deletions. There is no narrowing, so PointMin is always 1
// and PointMax is Len()+1.
//
// Text is inserted as Go strings. Each valid UTF-8 sequence is one
// character; each byte that is not part of a valid UTF-8 sequence is a raw
// byte and counts as one character, as Emacs's eight-bit characters do.
// Raw bytes stay distinct characters: inserting "\xc3" and then "\xa9" gives
// two characters, not "é". String and Substring give raw bytes back as the
// original bytes, so Insert(s) followed by String() returns s for any s.
//
// A killed buffer (see Live) keeps its name but no text: it reads as empty
// (String returns "", Len 0, Point 1), Insert, InsertBeforeMarkers,
// DeleteRegion, Erase and GotoChar do nothing, and every marker that was in
// it points nowhere.
//
// A nil *Buffer reads like a killed one (Name "", String "", Len 0, Point
// and PointMax 1, Live false; Insert and friends do nothing), except that
// Kill, DeleteRegion and Substring return ErrNilBuffer.
//
// A Buffer is safe for concurrent use by multiple goroutines; each method
// is atomic with respect to the others.
type Buffer struct {
	id   uint64   // fixed; orders locking in Marker.Set
	name string   // fixed
	rt   *Runtime // the Runtime whose buffer table holds it; fixed

	mu       sync.Mutex
	live     bool
	chunks   []chunk
	dirty    int // chunks[i].start is valid for i < dirty
	chars    int // characters in the text
	nbytes   int // bytes of internal encoding in the text
	raw      int // raw bytes in the text (each stored as two bytes)
	pt       int // point, 1-based
	markers  []*Marker
	anchor   anchor // speeds up lookups near the previous one
	chunkMax int    // largest chunk in bytes; maxChunk except in tests
}

// newBuffer returns a new, empty, live buffer called name. The Runtime
// keeps the table of names; newBuffer does not check uniqueness.
func newBuffer(name string) *Buffer {
	return &Buffer{
		id:       bufferIDs.Add(1),
		name:     name,
		live:     true,
		pt:       1,
		anchor:   anchor{chunk: -1},
		chunkMax: maxChunk,
	}
}

// Name returns the buffer's name, as buffer-name does. A killed buffer
// keeps its name, so that it can still be printed.
func (b *Buffer) Name() string {
	if b == nil {
		return ""
	}
	return b.name
}

// Live reports whether the buffer has not been killed, as buffer-live-p
// does.
func (b *Buffer) Live() bool {
	if b == nil {
		return false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.live
}

// kill marks b dead, drops its text and makes every marker in it point
// nowhere.
func (b *Buffer) kill() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.live = false
	for _, m := range b.markers {
		m.buf.Store(nil)
		m.pos = 0
		m.idx = -1
	}
	b.markers = nil
	b.clearText()
	b.pt = 1
}

// describe returns the buffer as Emacs prints it: "#<buffer NAME>", or
// "#<killed buffer>".
func (b *Buffer) describe() string {
	if !b.Live() {
		return "#<killed buffer>"
	}
	return "#<buffer " + b.name + ">"
}

// String returns the whole text of the buffer, as buffer-string does. Raw
// bytes come back as the single bytes they were inserted as. A killed
// buffer returns "".
func (b *Buffer) String() string {
	if b == nil {
		return ""
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.text(0, b.chars)
}

// Len returns the number of characters in the buffer, as buffer-size does.
func (b *Buffer) Len() int {
	if b == nil {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.chars
}

// PointMin returns the smallest position in the buffer, as point-min does.
// It is always 1: eproc has no narrowing.
func (b *Buffer) PointMin() int { return 1 }

// PointMax returns the largest position in the buffer, Len()+1, as
// point-max does without narrowing.
func (b *Buffer) PointMax() int {
	if b == nil {
		return 1
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.chars + 1
}

// Point returns the position of point, as point does.
func (b *Buffer) Point() int {
	if b == nil {
		return 1
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.pt
}

// GotoChar moves point to pos, clamped into [1, PointMax()], as goto-char
// does. It does nothing in a killed buffer.
func (b *Buffer) GotoChar(pos int) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.live {
		return
	}
	b.pt = b.clamp(pos)
}

// Insert inserts s at point and leaves point after it, as insert does.
// A marker at point advances only if its insertion type is true; markers
// after point move with the text. Insert does nothing in a killed buffer.
func (b *Buffer) Insert(s string) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.live {
		return
	}
	pos := b.pt
	b.pt = b.insertLocked(pos, s, false)
}

// InsertBeforeMarkers inserts s at point and leaves point after it, as
// insert-before-markers does: every marker at point advances, whatever its
// insertion type. It does nothing in a killed buffer.
func (b *Buffer) InsertBeforeMarkers(s string) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.live {
		return
	}
	b.insertLocked(b.pt, s, true)
}

// insertAt inserts s at pos, clamped into [1, PointMax()], and returns the
// position after the inserted text; this is what the default filter does
// at the process mark. Point moves like a marker with insertion type false
// (it stays if it is at pos) unless beforeMarkers, in which case point and
// every marker at pos advance as with InsertBeforeMarkers. In a killed
// buffer insertAt does nothing and returns 0.
func (b *Buffer) insertAt(pos int, s string, beforeMarkers bool) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.live {
		return 0
	}
	return b.insertLocked(b.clamp(pos), s, beforeMarkers)
}

// insertAtMarker inserts s at m's position, before markers (so m ends up
// after s), if m points into b, and reports whether it did, or b is
// killed (nothing to insert into). m cannot move meanwhile: moving a
// marker takes the lock of its buffer.
func (b *Buffer) insertAtMarker(m *Marker, s string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.live {
		return true
	}
	if m.buf.Load() != b {
		return false
	}
	b.insertLocked(m.pos, s, true)
	return true
}

// insertLocked inserts s at pos, which must be in range, moves point and
// the markers, and returns the position after the text. A marker at pos
// advances only if its insertion type is true or beforeMarkers; point at
// pos advances only if beforeMarkers.
func (b *Buffer) insertLocked(pos int, s string, beforeMarkers bool) int {
	if s == "" {
		return pos
	}
	n, ok := b.insertText(pos-1, s, validCount)
	if !ok { // not valid UTF-8: raw bytes to encode
		enc, raw := encodeText(s)
		n, _ = b.insertText(pos-1, enc, internalCount)
		b.raw += raw
	}
	if b.pt > pos || b.pt == pos && beforeMarkers {
		b.pt += n
	}
	for _, m := range b.markers {
		if m.pos > pos || m.pos == pos && (beforeMarkers || m.insertionType.Load()) {
			m.pos += n
		}
	}
	return pos + n
}

// Substring returns the text between positions start and end, given in
// either order, as buffer-substring does. A position outside
// [1, PointMax()] gives an *ArgsOutOfRangeError holding the arguments as
// given. A killed buffer is empty: only Substring(1, 1) succeeds.
func (b *Buffer) Substring(start, end int) (string, error) {
	if b == nil {
		return "", ErrNilBuffer
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	lo, hi, err := b.region(start, end)
	if err != nil {
		return "", err
	}
	return b.text(lo-1, hi-1), nil
}

// DeleteRegion deletes the text between positions start and end, given in
// either order, as delete-region does. Point and markers inside the region
// move to its start; those after it move back by its length. A position
// outside [1, PointMax()] gives an *ArgsOutOfRangeError holding the
// arguments as given. In a killed buffer DeleteRegion does nothing and
// returns nil.
func (b *Buffer) DeleteRegion(start, end int) error {
	if b == nil {
		return ErrNilBuffer
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.live {
		return nil
	}
	lo, hi, err := b.region(start, end)
	if err != nil {
		return err
	}
	b.deleteLocked(lo, hi)
	return nil
}

// Erase deletes the whole text, as erase-buffer does; point and every
// marker go to 1. It does nothing in a killed buffer.
func (b *Buffer) Erase() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.live {
		return
	}
	b.deleteLocked(1, b.chars+1)
}

// deleteLocked deletes the characters at positions [lo, hi), which must be
// in range, and moves point and the markers.
func (b *Buffer) deleteLocked(lo, hi int) {
	n := hi - lo
	if n == 0 {
		return
	}
	if n == b.chars {
		b.clearText()
	} else {
		b.deleteText(lo-1, hi-1)
	}
	move := func(p int) int {
		switch {
		case p >= hi:
			return p - n
		case p > lo:
			return lo
		}
		return p
	}
	b.pt = move(b.pt)
	for _, m := range b.markers {
		m.pos = move(m.pos)
	}
}

// CharAt returns the character at position pos, as char-after does, and
// false if pos is not in [1, Len()]. A raw byte c is returned as
// 0x3FFF00+c, as Emacs's eight-bit characters are numbered.
func (b *Buffer) CharAt(pos int) (rune, bool) {
	if b == nil {
		return 0, false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if pos < 1 || pos > b.chars {
		return 0, false
	}
	i, off := b.locate(pos - 1)
	data := b.chunks[i].data[off:]
	if c := data[0]; c == 0xC0 || c == 0xC1 {
		return 0x3FFF00 + rune(rawByte(c, data[1])), true
	}
	r, _ := utf8.DecodeRune(data)
	return r, true
}

// PointMarker returns a new marker at point with insertion type false, as
// point-marker does. In a killed or nil buffer it points nowhere.
func (b *Buffer) PointMarker() *Marker {
	if b == nil {
		return NewMarker()
	}
	m := NewMarker()
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.live {
		m.pos = b.pt
		b.addMarker(m)
	}
	return m
}

// clamp returns pos clamped into [1, PointMax()].
func (b *Buffer) clamp(pos int) int {
	return min(max(pos, 1), b.chars+1)
}

// region checks start and end and returns them in order.
func (b *Buffer) region(start, end int) (lo, hi int, err error) {
	lo, hi = min(start, end), max(start, end)
	if lo < 1 || hi > b.chars+1 {
		return 0, 0, &ArgsOutOfRangeError{Buffer: b.name, Start: start, End: end}
	}
	return lo, hi, nil
}

// addMarker puts m, which must point nowhere, into b's list at m.pos.
func (b *Buffer) addMarker(m *Marker) {
	m.idx = len(b.markers)
	b.markers = append(b.markers, m)
	m.buf.Store(b)
}

// removeMarker takes m out of b's list and makes it point nowhere.
func (b *Buffer) removeMarker(m *Marker) {
	last := len(b.markers) - 1
	moved := b.markers[last]
	b.markers[m.idx] = moved
	moved.idx = m.idx
	b.markers[last] = nil
	b.markers = b.markers[:last]
	m.idx = -1
	m.pos = 0
	m.buf.Store(nil)
}

// Storage.

// clearText drops the whole text.
func (b *Buffer) clearText() {
	b.dropAnchor()
	b.chunks = nil
	b.dirty = 0
	b.chars, b.nbytes, b.raw = 0, 0, 0
}

// ensureStarts makes every chunk's start valid.
func (b *Buffer) ensureStarts() {
	for i := b.dirty; i < len(b.chunks); i++ {
		if i == 0 {
			b.chunks[0].start = 0
		} else {
			b.chunks[i].start = b.chunks[i-1].start + b.chunks[i-1].chars
		}
	}
	b.dirty = len(b.chunks)
}

// stale records that the starts of chunks i and after may be wrong.
func (b *Buffer) stale(i int) {
	b.dirty = min(b.dirty, i)
}

// locate returns the chunk holding character index c (0-based, in
// [0, chars]) and the byte offset of c in it. When c is the end of the
// text it returns the last chunk and its length; when c begins a chunk it
// returns that chunk and 0. The buffer must not be empty.
func (b *Buffer) locate(c int) (i, off int) {
	b.ensureStarts()
	lo, hi := 0, len(b.chunks) // find the last chunk with start <= c
	for hi-lo > 1 {
		mid := int(uint(lo+hi) >> 1)
		if b.chunks[mid].start <= c {
			lo = mid
		} else {
			hi = mid
		}
	}
	ch := &b.chunks[lo]
	k := c - ch.start
	if ch.chars == len(ch.data) { // ASCII: no scan, no anchor
		return lo, k
	}
	// Scan from the anchor when it is in this chunk and nearer than the
	// chunk's start; so sequential lookups cost little.
	a := &b.anchor
	switch {
	case a.chunk != lo || a.k > 2*k:
		off = charOffset(ch.data, ch.chars, k)
	case a.k <= k:
		off = a.off + charOffset(ch.data[a.off:], ch.chars-a.k, k-a.k)
	default:
		off = a.off
		for n := a.k - k; n > 0; n-- {
			off--
			for ch.data[off]&0xC0 == 0x80 {
				off--
			}
		}
	}
	*a = anchor{chunk: lo, k: k, off: off}
	return lo, off
}

// anchor is a character position and its byte offset in a multibyte
// chunk, found by the last lookup there.
type anchor struct {
	chunk int // index of the chunk, -1 for none
	k     int // character index in the chunk
	off   int // byte offset in the chunk
}

// dropAnchor forgets the anchor; every edit of the text calls it.
func (b *Buffer) dropAnchor() {
	b.anchor.chunk = -1
}

// insertText inserts s at character index c, which must be in range, and
// returns its number of characters. It calls count once on each piece of
// s that goes into a chunk, to check it and count its characters, and
// inserts s only if every piece passes: otherwise it changes nothing and
// returns false. For text from outside count is validCount: the only pass
// over the text before it is copied, piece by piece, into the chunks. Text
// already in the internal encoding goes with internalCount.
func (b *Buffer) insertText(c int, s string, count func(string) (int, bool)) (int, bool) {
	i, off := len(b.chunks)-1, 0 // the chunk to insert into (-1: none yet), and where
	if i >= 0 {
		off = len(b.chunks[i].data)
		if c < b.chars { // not at the end
			i, off = b.locate(c)
			if off == 0 && i > 0 {
				i--
				off = len(b.chunks[i].data)
			}
		}
	}
	size := 0
	if i >= 0 {
		size = len(b.chunks[i].data)
	}
	if size+len(s) <= b.chunkMax {
		n, ok := count(s)
		if !ok {
			return 0, false
		}
		if i < 0 {
			b.chunks = append(b.chunks, chunk{})
			b.dirty, i = 0, 0
		}
		b.dropAnchor()
		ch := &b.chunks[i]
		ch.data = insertBytes(ch.data, off, s, b.chunkMax)
		ch.chars += n
		b.chars += n
		b.nbytes += len(s)
		b.stale(i + 1)
		return n, true
	}

	// Split chunk i at off, fill the rest of it with the first piece of s,
	// put the other pieces into new chunks and the old tail after them.
	// The pieces are checked (and all but the first copied, while they are
	// in the cache) before the buffer changes.
	atEnd := i < 0 || i == len(b.chunks)-1 && off == len(b.chunks[i].data)
	k := fit(s, b.chunkMax-off)
	first, rest := s[:k], s[k:]
	firstChars, ok := count(first)
	if !ok {
		return 0, false
	}
	n := firstChars
	var added []chunk
	for rest != "" {
		k := fit(rest, b.chunkMax)
		if k == 0 { // continuation bytes only: not valid UTF-8
			return 0, false
		}
		piece := rest[:k]
		rest = rest[k:]
		pn, ok := count(piece)
		if !ok {
			return 0, false
		}
		n += pn
		var data []byte
		if atEnd && rest == "" {
			// More output is probably coming: room for a whole chunk.
			data = make([]byte, len(piece), b.chunkMax)
			copy(data, piece)
		} else {
			data = []byte(piece) // a copy not cleared first
		}
		added = append(added, chunk{data: data, chars: pn})
	}

	if i < 0 {
		b.chunks = append(b.chunks, chunk{})
		b.dirty, i = 0, 0
	}
	b.dropAnchor()
	b.chars += n
	b.nbytes += len(s)
	ch := &b.chunks[i]
	var tail []byte
	tailChars := 0
	if off < len(ch.data) {
		tail = append([]byte(nil), ch.data[off:]...)
		tailChars = countChars(tail)
		ch.data = ch.data[:off]
		ch.chars -= tailChars
	}
	if first != "" {
		ch.data = insertBytes(ch.data, len(ch.data), first, b.chunkMax)
		ch.chars += firstChars
	}
	if tail != nil {
		last := ch
		if len(added) > 0 {
			last = &added[len(added)-1]
		}
		if len(last.data)+len(tail) <= b.chunkMax {
			last.data = insertBytes(last.data, len(last.data), tail, b.chunkMax)
			last.chars += tailChars
		} else {
			added = append(added, chunk{data: tail, chars: tailChars})
		}
	}
	b.chunks = insertChunks(b.chunks, i+1, added)
	b.stale(i + 1)
	if !atEnd {
		b.mergeAround(i, i+len(added))
	}
	return n, true
}

// internalCount counts the characters of text in the internal encoding,
// for insertText.
func internalCount(enc string) (int, bool) {
	return countChars(enc), true
}

// deleteText deletes the characters at indexes [c0, c1), which must be a
// proper, non-empty part of the text.
func (b *Buffer) deleteText(c0, c1 int) {
	i, off0 := b.locate(c0)
	j, off1 := b.locate(c1)
	b.dropAnchor()
	first := &b.chunks[i]
	if i == j {
		gone := first.data[off0:off1]
		b.nbytes -= len(gone)
		b.raw -= countRaw(gone, b.raw)
		first.data = append(first.data[:off0], first.data[off1:]...)
		first.chars -= c1 - c0
	} else {
		last := &b.chunks[j]
		gone := first.data[off0:]
		b.nbytes -= len(gone)
		b.raw -= countRaw(gone, b.raw)
		first.data = first.data[:off0]
		first.chars = c0 - first.start
		for k := i + 1; k < j; k++ {
			gone := b.chunks[k].data
			b.nbytes -= len(gone)
			b.raw -= countRaw(gone, b.raw)
		}
		gone = last.data[:off1]
		b.nbytes -= len(gone)
		b.raw -= countRaw(gone, b.raw)
		last.data = append(last.data[:0], last.data[off1:]...)
		last.chars = last.start + last.chars - c1
		b.chunks = deleteChunks(b.chunks, i+1, j)
	}
	b.chars -= c1 - c0
	// Drop the chunks emptied, i and perhaps i+1.
	for k := min(i+1, len(b.chunks)-1); k >= i; k-- {
		if len(b.chunks[k].data) == 0 {
			b.chunks = deleteChunks(b.chunks, k, k+1)
		}
	}
	b.stale(i)
	b.mergeAround(i-1, i+1)
}

// mergeAround merges adjacent chunks whose total is at most half a chunk,
// looking at the pairs that begin at indexes lo..hi, so that the number of
// chunks stays proportional to the text.
func (b *Buffer) mergeAround(lo, hi int) {
	for k := min(hi, len(b.chunks)-2); k >= max(lo, 0); k-- {
		x, y := &b.chunks[k], &b.chunks[k+1]
		if len(x.data)+len(y.data) > b.chunkMax/2 {
			continue
		}
		x.data = insertBytes(x.data, len(x.data), y.data, b.chunkMax)
		x.chars += y.chars
		b.chunks = deleteChunks(b.chunks, k+1, k+2)
		b.stale(k + 1)
	}
}

// text returns the characters at indexes [c0, c1) in the external
// encoding.
func (b *Buffer) text(c0, c1 int) string {
	if c0 >= c1 {
		return ""
	}
	i, off0 := b.locate(c0)
	j, off1 := b.locate(c1)
	if i == j && b.raw == 0 {
		return string(b.chunks[i].data[off0:off1])
	}
	size := off1 - off0 // an upper bound on the external size
	for k := i; k < j; k++ {
		size += len(b.chunks[k].data)
	}
	var sb strings.Builder
	sb.Grow(size)
	for k := i; k <= j; k++ {
		data := b.chunks[k].data
		if k == j {
			data = data[:off1]
		}
		if k == i {
			data = data[off0:]
		}
		if b.raw == 0 {
			sb.Write(data)
		} else {
			writeExternal(&sb, data)
		}
	}
	return sb.String()
}

// Encoding.

// encodeText converts s, which is not valid UTF-8, to the internal
// encoding and returns it with its number of raw bytes.
func encodeText(s string) (enc string, raw int) {
	out := make([]byte, 0, len(s)+len(s)/2)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			j := i + 1
			for j+8 <= len(s) && load64(s, j)&highBits == 0 {
				j += 8
			}
			for j < len(s) && s[j] < utf8.RuneSelf {
				j++
			}
			out = append(out, s[i:j]...)
			i = j
			continue
		}
		size := 1
		if c >= 0xC2 && c <= 0xF4 { // can begin a valid sequence
			_, size = utf8.DecodeRuneInString(s[i:])
		}
		if size == 1 { // not part of a valid sequence: a raw byte
			out = append(out, 0xC0|c>>6&1, 0x80|c&0x3F)
			raw++
		} else {
			out = append(out, s[i:i+size]...)
		}
		i += size
	}
	return string(out), raw
}

// rawByte decodes the internal two-byte form lead, cont of a raw byte.
func rawByte(lead, cont byte) byte {
	return 0x80 | (lead&1)<<6 | cont&0x3F
}

// writeExternal writes data, in the internal encoding, to sb with raw
// bytes as single bytes.
func writeExternal(sb *strings.Builder, data []byte) {
	run := 0
	for k := 0; k < len(data); k++ {
		if c := data[k]; c == 0xC0 || c == 0xC1 {
			sb.Write(data[run:k])
			sb.WriteByte(rawByte(c, data[k+1]))
			k++
			run = k + 1
		}
	}
	sb.Write(data[run:])
}

// countRaw returns the number of raw bytes in data (internal encoding);
// total is the number in the whole buffer, so 0 needs no scan.
func countRaw(data []byte, total int) int {
	if total == 0 {
		return 0
	}
	n := 0
	for _, c := range data {
		if c == 0xC0 || c == 0xC1 {
			n++
		}
	}
	return n
}

const (
	highBits = 0x8080808080808080
	lowBits  = 0x0101010101010101
)

// load64 returns the little-endian word at p[i:i+8].
func load64[T string | []byte](p T, i int) uint64 {
	_ = p[i+7]
	return uint64(p[i]) | uint64(p[i+1])<<8 | uint64(p[i+2])<<16 | uint64(p[i+3])<<24 |
		uint64(p[i+4])<<32 | uint64(p[i+5])<<40 | uint64(p[i+6])<<48 | uint64(p[i+7])<<56
}

// continuations returns a word with bit 7 of each byte set where that byte
// of w is a UTF-8 continuation byte (binary 10 followed by six bits).
func continuations(w uint64) uint64 {
	return w &^ (w << 1) & highBits
}

// countChars returns the number of characters in p, valid UTF-8 or the
// internal encoding: the number of bytes that are not continuation bytes.
func countChars[T string | []byte](p T) int {
	conts := 0
	i := 0
	for ; i+8 <= len(p); i += 8 {
		if w := load64(p, i); w&highBits != 0 {
			conts += bits.OnesCount64(continuations(w))
		}
	}
	for ; i < len(p); i++ {
		if p[i]&0xC0 == 0x80 {
			conts++
		}
	}
	return len(p) - conts
}

// charOffset returns the byte offset of character k (0-based, at most
// chars) in data, which holds chars characters.
func charOffset(data []byte, chars, k int) int {
	if chars == len(data) || k == 0 {
		return k
	}
	if k == chars {
		return len(data)
	}
	i := 0
	for ; i+8 <= len(data); i += 8 {
		w := load64(data, i)
		starts := 8 - bits.OnesCount64(continuations(w))
		if starts > k {
			break
		}
		k -= starts
	}
	for ; ; i++ {
		if data[i]&0xC0 != 0x80 {
			if k == 0 {
				return i
			}
			k--
		}
	}
}

// fit returns the length of the longest prefix of s, in whole characters,
// that fits in room bytes.
func fit(s string, room int) int {
	if len(s) <= room {
		return len(s)
	}
	k := max(room, 0)
	for k > 0 && s[k]&0xC0 == 0x80 {
		k--
	}
	return k
}

// insertBytes inserts s into data at off and returns the result, growing
// data geometrically up to limit bytes of capacity.
func insertBytes[T string | []byte](data []byte, off int, s T, limit int) []byte {
	n := len(data) + len(s)
	if n > cap(data) {
		size := min(max(2*cap(data), n, minChunk), max(limit, n))
		grown := make([]byte, len(data), size)
		copy(grown, data)
		data = grown
	}
	data = data[:n]
	copy(data[off+len(s):], data[off:n-len(s)])
	copy(data[off:], s)
	return data
}

// insertChunks inserts add into cs at i.
func insertChunks(cs []chunk, i int, add []chunk) []chunk {
	if len(add) == 0 {
		return cs
	}
	n := len(cs) + len(add)
	if n > cap(cs) {
		grown := make([]chunk, len(cs), n+n/4+4)
		copy(grown, cs)
		cs = grown
	}
	cs = cs[:n]
	copy(cs[i+len(add):], cs[i:n-len(add)])
	copy(cs[i:], add)
	return cs
}

// deleteChunks removes cs[i:j].
func deleteChunks(cs []chunk, i, j int) []chunk {
	n := copy(cs[i:], cs[j:])
	clear(cs[i+n:])
	return cs[:i+n]
}

// Markers.

// A Marker is a position in a buffer that moves with the text, as Emacs's
// markers do: text inserted before it moves it forward; text inserted at
// it moves it forward only if its insertion type is true (or the text is
// inserted with InsertBeforeMarkers); deleting a region that contains it
// moves it to the start of the region; deleting text before it moves it
// back. A marker may also point nowhere; a marker in a killed buffer
// points nowhere.
//
// A buffer keeps a list of its markers and updates them on every edit, so
// a marker that is no longer needed should be detached with Set(nil, 0).
//
// The methods of a nil *Marker never panic: it points nowhere (Position 0,
// Buffer nil, InsertionType false), Set and SetInsertionType do nothing,
// String returns "nil" and Copy a new marker pointing nowhere, as
// (copy-marker nil) does in Emacs 28.2.
//
// A Marker is safe for concurrent use by multiple goroutines.
type Marker struct {
	// Locking: mu serialises Set and is taken before any Buffer's mutex.
	// buf changes only under the mutex of the buffer it leaves or enters
	// (both, when a marker moves between buffers); pos and idx are guarded
	// by the mutex of buf.
	mu            sync.Mutex
	buf           atomic.Pointer[Buffer]
	pos           int
	idx           int
	insertionType atomic.Bool
}

// NewMarker returns a new marker that points nowhere, as make-marker does.
func NewMarker() *Marker {
	return &Marker{idx: -1}
}

// lockBuffer returns m's buffer locked, with pos readable, or nil if m
// points nowhere.
func (m *Marker) lockBuffer() *Buffer {
	for {
		b := m.buf.Load()
		if b == nil {
			return nil
		}
		b.mu.Lock()
		if m.buf.Load() == b {
			return b
		}
		b.mu.Unlock()
	}
}

// Position returns the marker's position, or 0 if it points nowhere, as
// marker-position does (with 0 for nil).
func (m *Marker) Position() int {
	if m == nil {
		return 0
	}
	b := m.lockBuffer()
	if b == nil {
		return 0
	}
	defer b.mu.Unlock()
	return m.pos
}

// Buffer returns the buffer the marker points into, or nil if it points
// nowhere, as marker-buffer does.
func (m *Marker) Buffer() *Buffer {
	if m == nil {
		return nil
	}
	return m.buf.Load()
}

// Set puts the marker at pos in b, as set-marker does. pos is clamped into
// [1, b.PointMax()]. If b is nil or killed the marker points nowhere and
// leaves its buffer's list. A marker can be moved from one buffer to
// another.
func (m *Marker) Set(b *Buffer, pos int) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	old := m.buf.Load()
	// Lock old and b in id order; only kill can change m.buf meanwhile,
	// and only to nil.
	first, second := old, b
	if first == nil || second != nil && second.id < first.id {
		first, second = second, first
	}
	if first != nil {
		first.mu.Lock()
		defer first.mu.Unlock()
	}
	if second != nil && second != first {
		second.mu.Lock()
		defer second.mu.Unlock()
	}
	cur := m.buf.Load()
	if b == nil || !b.live {
		if cur != nil {
			cur.removeMarker(m)
		}
		return
	}
	if cur != b {
		if cur != nil {
			cur.removeMarker(m)
		}
		b.addMarker(m)
	}
	m.pos = b.clamp(pos)
}

// InsertionType returns the marker's insertion type, as
// marker-insertion-type does: true means the marker advances when text is
// inserted at its position.
func (m *Marker) InsertionType() bool {
	if m == nil {
		return false
	}
	return m.insertionType.Load()
}

// SetInsertionType sets the marker's insertion type, as
// set-marker-insertion-type does: true makes the marker advance when text
// is inserted at its position, false makes it stay before such text.
func (m *Marker) SetInsertionType(t bool) {
	if m == nil {
		return
	}
	m.insertionType.Store(t)
}

// Copy returns a new marker in the same buffer at the same position with
// the same insertion type, as copy-marker does.
func (m *Marker) Copy() *Marker {
	if m == nil {
		return NewMarker()
	}
	c := NewMarker()
	c.insertionType.Store(m.insertionType.Load())
	b := m.lockBuffer()
	if b == nil {
		return c
	}
	defer b.mu.Unlock()
	c.pos = m.pos
	b.addMarker(c)
	return c
}

// String returns the marker as Emacs prints it: "#<marker at 5 in foo>",
// "#<marker in no buffer>", with "(moves after insertion) " after
// "#<marker " when the insertion type is true.
func (m *Marker) String() string {
	if m == nil {
		return "nil"
	}
	s := "#<marker "
	if m.insertionType.Load() {
		s += "(moves after insertion) "
	}
	b := m.lockBuffer()
	if b == nil {
		return s + "in no buffer>"
	}
	defer b.mu.Unlock()
	return s + "at " + strconv.Itoa(m.pos) + " in " + b.name + ">"
}

// ErrKillCanceled is returned by (*Buffer).Kill when Config.KillBufferQuery
// answered no. Test with errors.Is.
var ErrKillCanceled = errors.New("kill-buffer canceled")

// Kill kills the buffer (kill-buffer). Each live process of the buffer
// whose query-on-exit flag is set is first put to Config.KillBufferQuery;
// if it answers no, nothing happens and Kill returns ErrKillCanceled.
// Otherwise a child process of the buffer gets SIGHUP (its sentinel runs
// later, from the accept loop, with "hangup\n" if the child dies of it), a
// pipe process is deleted at once, the buffer leaves the buffer table and
// every marker in it points nowhere. Killing a dead buffer does nothing.
func (b *Buffer) Kill() error {
	if b == nil {
		return ErrNilBuffer
	}
	rt := b.rt
	if rt == nil || !b.Live() {
		return nil
	}
	var ps []*Process
	rt.mu.Lock()
	for _, p := range rt.procs {
		if p.buffer == b {
			ps = append(ps, p)
		}
	}
	rt.mu.Unlock()
	if q := rt.cfg.KillBufferQuery; q != nil {
		for _, p := range ps {
			if p.Live() && p.QueryOnExitFlag() && !q(b, p) {
				return ErrKillCanceled
			}
		}
	}
	rt.mu.Lock()
	if rt.bufNames[b.Name()] == b {
		delete(rt.bufNames, b.Name())
	}
	for i, x := range rt.buffers {
		if x == b {
			rt.buffers = append(rt.buffers[:i], rt.buffers[i+1:]...)
			break
		}
	}
	rt.mu.Unlock()
	for _, p := range ps {
		if p.kind == kindReal {
			p.hangupForKilledBuffer()
		} else {
			p.Delete()
		}
	}
	b.kill()
	return nil
}
