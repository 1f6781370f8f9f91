package eproc

import (
	"errors"
	"testing"
)

// Serial processes on Windows: not there yet. MakeSerialProcess returns an
// error wrapping errors.ErrUnsupported (Emacs on Windows opens COM ports),
// and leaves no process or buffer behind.
func TestWindowsSerialUnsupported(t *testing.T) {
	rt := newRuntime(t, Config{})
	_, err := rt.MakeSerialProcess(SerialArgs{Port: "COM1", Speed: 9600})
	if !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("MakeSerialProcess: %v, want an error wrapping errors.ErrUnsupported", err)
	}
	if len(rt.ProcessList()) != 0 || rt.GetBuffer("COM1") != nil {
		t.Errorf("left behind: processes %v, buffer %v", rt.ProcessList(), rt.GetBuffer("COM1"))
	}
	if _, err := rt.MakeSerialProcess(SerialArgs{Speed: 9600}); err == nil || err.Error() != "No port specified" {
		t.Errorf("no port: %v", err)
	}
}
