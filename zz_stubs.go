package eproc

// Temporary stand-ins for buffer.go, coding.go and lookpath.go, which are
// being written on their own branches; this file is deleted when they land.

import (
	"strings"
)

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
