package eproc

// Filter is a process filter: it receives the process's output, decoded
// through the process's coding system, in chunks of any size (a chunk
// boundary can fall anywhere, even inside a line; never inside a
// character). With the filter-multibyte flag off, it receives the raw
// bytes.
//
// A filter runs only inside an accept call (AcceptProcessOutput, Wait, Run,
// SitFor, or a SendString waiting for room), on the goroutine that made the
// call, never concurrently with another filter or sentinel of the same
// Runtime. A filter may call any eproc function, including
// AcceptProcessOutput (re-entering the loop, as Emacs allows) and Delete.
// A panic in a filter is recovered and reported through
// Config.ErrorHandler unless Config.DebugOnError is set.
type Filter func(p *Process, output string)

// DefaultFilter is Emacs's internal-default-process-filter, the filter of a
// process that has none of its own: it inserts the output into the live
// process buffer at the process mark and advances the mark. Point moves
// along only when it was at the mark. Without a live buffer the output is
// discarded. A mark that points nowhere is put back at the end of the
// buffer first.
func DefaultFilter(p *Process, output string) {
	if b := p.Buffer(); b != nil {
		p.insertAtMark(b, output)
	}
}

// insertAtMark inserts s at p's mark in b, before markers, which leaves
// the mark after it; a mark that points elsewhere is put after s inserted
// at the end. A killed buffer gets nothing.
func (p *Process) insertAtMark(b *Buffer, s string) {
	if b.insertAtMarker(p.mark, s) {
		return // the usual case: one hold of the buffer's lock
	}
	if end := b.insertAt(b.PointMax(), s, true); end > 0 {
		p.mark.Set(b, end)
	}
}

// Filter returns the process filter (process-filter); DefaultFilter when
// none was set, and nil while the filter is t (see SetFilterT). While a
// Reader is attached, it is the Reader's internal filter.
func (p *Process) Filter() Filter {
	if p == nil {
		return nil
	}
	p.rt.mu.Lock()
	defer p.rt.mu.Unlock()
	if p.native.filterT {
		return nil
	}
	if p.filter == nil {
		return DefaultFilter
	}
	return p.filter
}

// SetFilter sets the process filter (set-process-filter); nil restores
// DefaultFilter. The new filter receives all output dispatched after the
// call. After SetFilterT, it makes eproc read the output again. It
// detaches a Reader (see (*Process).Reader).
func (p *Process) SetFilter(f Filter) {
	if p == nil {
		return
	}
	rt := p.rt
	rt.mu.Lock()
	defer rt.mu.Unlock()
	p.detachReaderLocked(errFilterReplaced)
	p.filter = f
	p.bytesFilter = nil
	if p.native.filterT {
		p.native.filterT = false
		rt.resumeReadingLocked(p)
	}
}

// BytesFilter is a filter over bytes, for programs that parse and discard
// output: it receives the same text a Filter would, as bytes that are
// valid only during the call and must not be changed (like
// bufio.Scanner.Bytes). Under an encoding that passes the bytes as they
// are (utf-8-unix, raw-text-unix, no-conversion, binary), they are the
// read buffer itself: no string is made per read, so a fan-in of many
// children allocates nothing per read. It runs where a Filter runs, under
// the same rules.
type BytesFilter func(p *Process, b []byte)

// SetBytesFilter makes f receive p's output instead of its filter (and
// so instead of its buffer), as bytes valid only during each call; nil
// hands the output back to the filter. SetFilter, SetFilterT and Reader
// remove it. Not an Emacs function: Emacs filters get strings.
func (p *Process) SetBytesFilter(f BytesFilter) {
	if p == nil {
		return
	}
	p.rt.mu.Lock()
	p.bytesFilter = f
	p.rt.mu.Unlock()
}

// SetFilterT is the Go form of (set-process-filter p t): eproc stops
// reading the process's output, which waits in the kernel; the process
// keeps running, and a child blocks once its output pipe is full.
// AcceptProcessOutput for p finds no output. SetFilter (with any filter,
// nil too) makes eproc read again, and the new filter gets the output that
// waited. While the filter is t, Filter returns nil. It detaches a Reader.
//
// As in Emacs 28.2: a server with filter t still accepts connections, and
// each connection starts with filter t; and if the process dies while its
// filter is t, the output it left unread is never delivered (its
// descriptors are closed at exit) while its sentinel still runs, with
// "finished\n" or whatever the status says. The filter is t from the call
// on: output already dispatched was delivered to the filter before.
func (p *Process) SetFilterT() {
	if p == nil {
		return
	}
	rt := p.rt
	rt.mu.Lock()
	defer rt.mu.Unlock()
	p.detachReaderLocked(errFilterReplaced)
	p.filter = nil
	p.bytesFilter = nil
	p.native.filterT = true
}

// Sentinel returns the process sentinel (process-sentinel); DefaultSentinel
// when none was set.
func (p *Process) Sentinel() Sentinel {
	if p == nil {
		return nil
	}
	p.rt.mu.Lock()
	defer p.rt.mu.Unlock()
	if p.sentinel == nil {
		return DefaultSentinel
	}
	return p.sentinel
}

// SetSentinel sets the process sentinel (set-process-sentinel); nil
// restores DefaultSentinel. A status change not yet reported is reported
// to the new sentinel.
func (p *Process) SetSentinel(s Sentinel) {
	if p == nil {
		return
	}
	p.rt.mu.Lock()
	defer p.rt.mu.Unlock()
	p.sentinel = s
}

// FilterMultibyte returns the filter-multibyte flag
// (process-filter-multibyte-p): true when filters get decoded text, false
// when they get raw bytes. It is false for a process whose decoding system
// is raw-text or no-conversion.
func (p *Process) FilterMultibyte() bool {
	if p == nil {
		return false
	}
	p.rt.mu.Lock()
	defer p.rt.mu.Unlock()
	return p.filterMultibyte && p.decCS.Multibyte()
}

// SetFilterMultibyte sets the filter-multibyte flag
// (set-process-filter-multibyte). Off, output is decoded with raw-text of
// the same end-of-line type: line ends are still converted, characters are
// not, and filters get the bytes.
func (p *Process) SetFilterMultibyte(flag bool) {
	if p == nil {
		return
	}
	p.rt.mu.Lock()
	defer p.rt.mu.Unlock()
	if p.filterMultibyte == flag {
		return
	}
	p.filterMultibyte = flag
	p.dec = p.decoderCSLocked().newDecoder()
}
