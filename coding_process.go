package eproc

// resolveCoding finds a new process's coding systems as Emacs does: the
// call's :coding, then coding-system-for-read / -write, then
// default-process-coding-system, then utf-8-unix.
func (rt *Runtime) resolveCoding(c Coding) (dec, enc *CodingSystem, err error) {
	pick := func(names ...string) string {
		for _, n := range names {
			if n != "" {
				return n
			}
		}
		return "utf-8-unix"
	}
	dp := rt.cfg.DefaultProcessCodingSystem
	dec, err = LookupCodingSystem(pick(c.Decoding, rt.cfg.CodingSystemForRead, dp.Decoding))
	if err != nil {
		return nil, nil, err
	}
	enc, err = LookupCodingSystem(pick(c.Encoding, rt.cfg.CodingSystemForWrite, dp.Encoding))
	if err != nil {
		return nil, nil, err
	}
	return dec, enc, nil
}

// setCodingLocked installs coding systems and fresh decoder and encoder.
// rt.mu must be held (or p not yet shared).
func (p *Process) setCodingLocked(dec, enc *CodingSystem) {
	p.decCS, p.encCS = dec, enc
	p.dec = p.decoderCSLocked().newDecoder()
	p.enc = enc.newEncoder()
}

// decoderCSLocked is the system output is really decoded with: raw-text of
// the same end-of-line type when the filter-multibyte flag is off.
func (p *Process) decoderCSLocked() *CodingSystem {
	if !p.filterMultibyte {
		return p.decCS.rawText()
	}
	return p.decCS
}

// CodingSystem returns the names of the process's decoding and encoding
// systems (process-coding-system). An undecided system reports what it
// detected once it has decided.
func (p *Process) CodingSystem() (decoding, encoding string) {
	if p == nil {
		return "", ""
	}
	p.rt.mu.Lock()
	defer p.rt.mu.Unlock()
	return p.dec.name(), p.enc.name()
}

// SetCodingSystem sets the decoding and encoding systems
// (set-process-coding-system) by name. As in Emacs, an encoding system
// with no end-of-line type gets -unix ("latin-1" becomes
// "iso-latin-1-unix"). An unknown name is an error ("Invalid coding
// system: NAME") and changes nothing.
func (p *Process) SetCodingSystem(decoding, encoding string) error {
	if p == nil {
		return ErrNilProcess
	}
	dec, err := LookupCodingSystem(decoding)
	if err != nil {
		return err
	}
	enc, err := LookupCodingSystem(encoding)
	if err != nil {
		return err
	}
	if enc.EOL() == EOLUndecided {
		enc = enc.WithEOL(EOLUnix)
	}
	p.rt.mu.Lock()
	defer p.rt.mu.Unlock()
	p.setCodingLocked(dec, enc)
	return nil
}

// InheritCodingSystemFlag returns process-inherit-coding-system-flag.
func (p *Process) InheritCodingSystemFlag() bool {
	if p == nil {
		return false
	}
	p.rt.mu.Lock()
	defer p.rt.mu.Unlock()
	return p.inheritCoding
}

// SetInheritCodingSystemFlag sets process-inherit-coding-system-flag. eproc
// buffers have no coding system of their own, so the flag is kept for
// Emacs's API and has no other effect.
func (p *Process) SetInheritCodingSystemFlag(flag bool) {
	if p == nil {
		return
	}
	p.rt.mu.Lock()
	defer p.rt.mu.Unlock()
	p.inheritCoding = flag
}
