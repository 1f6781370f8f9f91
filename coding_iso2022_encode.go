package eproc

// The ISO-2022 encoder: designations and invocations as Emacs 28.2's
// encode_coding_iso_2022 writes them.

// iso2022Encoder is the state of one stream's ISO-2022 encoding.
type iso2022Encoder struct {
	spec         *iso2022Spec
	desig        [4]*charset
	inv          [2]int
	singleShift  bool
	bolDesignate bool
	defaultChar  rune
	eolMac       bool
	force        *charset // the charset to use where it has the character (a charset text property)
}

func newISO2022Encoder(spec *iso2022Spec, eol EOLType) *iso2022Encoder {
	e := &iso2022Encoder{spec: spec, desig: spec.initial, inv: [2]int{0, 1}, defaultChar: ' ', bolDesignate: true, eolMac: eol == EOLMac}
	if spec.flags&isoSevenBits != 0 {
		e.inv[1] = -1
	}
	return e
}

func (e *iso2022Encoder) designation(out []byte, cs *charset, reg int) []byte {
	g := cs.gen
	out = append(out, 0x1B)
	if g.dim == 1 {
		if g.isoChars == 96 {
			out = append(out, ",-./"[reg])
		} else {
			out = append(out, "()*+"[reg])
		}
	} else {
		out = append(out, '$')
		if g.isoChars == 96 {
			out = append(out, ",-./"[reg])
		} else if e.spec.flags&isoLongForm != 0 || reg != 0 || g.isoFinal < '@' || g.isoFinal > 'B' {
			out = append(out, "()*+"[reg])
		}
	}
	out = append(out, g.isoFinal)
	e.desig[reg] = cs
	return out
}

func (e *iso2022Encoder) reset(out []byte) []byte {
	if e.inv[0] != 0 {
		out = append(out, 0x0F)
		e.inv[0] = 0
	}
	for reg, cs := range e.spec.initial {
		if cs != nil && e.desig[reg] != cs {
			out = e.designation(out, cs, reg)
		}
	}
	return out
}

// invokeDesignate makes cs usable: designates it to its register and
// invokes that register.
func (e *iso2022Encoder) invokeDesignate(out []byte, cs *charset) []byte {
	reg := -1
	for r := range e.desig {
		if e.desig[r] == cs {
			reg = r
			break
		}
	}
	if reg < 0 {
		reg = 0
		if r, ok := e.spec.safe[cs]; ok {
			reg = r
		}
		out = e.designation(out, cs, reg)
	}
	if e.inv[0] != reg && e.inv[1] != reg {
		seven := e.spec.flags&isoSevenBits != 0
		switch reg {
		case 0:
			out = append(out, 0x0F)
			e.inv[0] = 0
		case 1:
			out = append(out, 0x0E)
			e.inv[0] = 1
		case 2, 3:
			if e.spec.flags&isoSingleShift != 0 {
				switch {
				case seven:
					out = append(out, 0x1B, "NO"[reg-2])
				default:
					out = append(out, 0x8E+byte(reg-2))
				}
				e.singleShift = true
			} else {
				// Emacs writes ESC n for both LS2 and LS3.
				out = append(out, 0x1B, 'n')
				e.inv[0] = reg
			}
		}
	}
	return out
}

// encodeChar writes Emacs character c of charset cs with the given code.
func (e *iso2022Encoder) encodeChar(out []byte, cs *charset, code int) []byte {
	flags := e.spec.flags
	switch {
	case cs.gen.dim == 1 && flags&isoUseRoman != 0 && cs.gen.name == "ascii":
		cs = charsetNamed("latin-jisx0201")
	case cs.gen.dim == 2 && flags&isoUseOldJIS != 0 && cs.gen.name == "japanese-jisx0208":
		cs = charsetNamed("japanese-jisx0208-1978")
	}
	seven := flags&isoSevenBits != 0
	put := func(high bool) []byte {
		b1, b2 := byte(code>>8), byte(code)
		if high {
			b1, b2 = b1|0x80, b2|0x80
		} else {
			b1, b2 = b1&0x7F, b2&0x7F
		}
		if cs.gen.dim == 1 {
			return append(out, b2)
		}
		return append(out, b1, b2)
	}
	for range 3 {
		switch {
		case e.singleShift:
			e.singleShift = false
			return put(!seven)
		case e.inv[0] >= 0 && e.desig[e.inv[0]] == cs:
			return put(false)
		case e.inv[1] >= 0 && e.desig[e.inv[1]] == cs:
			return put(true)
		}
		out = e.invokeDesignate(out, cs)
	}
	return out
}

// charsetOf returns the first charset of the system that has c, with its
// code.
func (e *iso2022Encoder) charsetOf(c rune) (*charset, int) {
	if e.force != nil {
		if code, ok := e.force.encode(c); ok {
			return e.force, int(code)
		}
	}
	for _, cs := range e.spec.list {
		if code, ok := cs.encode(c); ok {
			return cs, int(code)
		}
	}
	return nil, 0
}

// designateLine writes, at the start of a line, the designations the
// line's characters ask for (designate-at-bol).
func (e *iso2022Encoder) designateLine(out []byte, s string) []byte {
	var r [4]*charset
	found := 0
	for i := 0; i < len(s) && found < 4; {
		c, n := decodeEmacsChar(s[i:])
		i += n
		if c == '\n' {
			break
		}
		cs, _ := e.charsetOf(c)
		if cs == nil {
			continue
		}
		if reg, ok := e.spec.safe[cs]; ok && r[reg] == nil {
			r[reg] = cs
			found++
		}
	}
	for reg, cs := range r {
		if cs != nil && e.desig[reg] != cs {
			out = e.designation(out, cs, reg)
		}
	}
	return out
}

// encode writes s (LF already converted for the end-of-line type: a CR
// before it under -dos; a CR instead of it under -mac).
func (e *iso2022Encoder) encode(out []byte, s string) []byte {
	flags := e.spec.flags
	for i := 0; i < len(s); {
		if e.bolDesignate && flags&isoDesignateAtBOL != 0 {
			out = e.designateLine(out, s[i:])
		}
		e.bolDesignate = false
		c, n := decodeEmacsChar(s[i:])
		i += n
		if t, ok := e.spec.encTrans[c]; ok {
			c = t
		}
		switch {
		case c < 0x20 || c == 0x7F:
			if c == '\n' || (c == '\r' && e.eolMac) {
				if flags&isoResetAtEOL != 0 {
					out = e.reset(out)
				}
				if flags&isoInitAtBOL != 0 {
					e.desig = e.spec.initial
				}
				e.bolDesignate = true
			} else if flags&isoResetAtCntl != 0 {
				out = e.reset(out)
			}
			out = append(out, byte(c))
		case c < 0x80:
			if e.spec.asciiCompat {
				out = append(out, byte(c))
			} else {
				out = e.encodeChar(out, e.spec.ascii, int(c))
			}
		case c >= 0x3FFF80:
			out = append(out, byte(c-0x3FFF00))
		default:
			cs, code := e.charsetOf(c)
			if cs == nil {
				cs, code = e.charsetOf(e.defaultChar)
			}
			if cs != nil {
				out = e.encodeChar(out, cs, code)
			}
		}
	}
	return out
}
