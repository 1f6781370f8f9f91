package eproc

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Serial processes on Windows need a COM port with something on the other
// end that echoes what it receives. Under Wine, .ci/wine-exec makes one:
// internal/ptyecho holds a pty pair on the Linux side, links the prefix's
// dosdevices/com5 to its slave, echoes every byte, and EPROC_WINE_SERIAL
// names the port ("COM5"); EPROC_WINE_SERIAL_HANGUP names a second one
// ("COM6") whose line hangs up when anything arrives. Without the
// variables (Windows with no such ports) these tests are skipped saying
// why, unless EPROC_REQUIRE_SERIAL is set (CI sets it): then they fail.
//
// What a pty cannot show: Linux forces 8 bits and no parity on it, so
// those are checked in the DCB eproc asked for (p.serial.attr), while the
// speed, the stop bits and the flow control are read back from the port.
// ptyecho keeps COM5's line open across the tests.

// echoPort returns the echoing COM port's name, or skips.
func echoPort(t *testing.T) string {
	t.Helper()
	port := os.Getenv("EPROC_WINE_SERIAL")
	if port == "" {
		if os.Getenv("EPROC_REQUIRE_SERIAL") != "" {
			t.Fatal("an echoing COM port is required (EPROC_REQUIRE_SERIAL) but EPROC_WINE_SERIAL is not set: run the tests through .ci/wine-exec")
		}
		t.Skip("needs an echoing COM port named by EPROC_WINE_SERIAL (.ci/wine-exec makes one under Wine)")
	}
	return port
}

// portState reads the DCB of p's port back from the system.
func portState(t *testing.T, p *Process) windows.DCB {
	t.Helper()
	var d windows.DCB
	d.DCBlength = uint32(unsafe.Sizeof(d))
	if err := windows.GetCommState(windows.Handle(p.in.fd), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// pendingInput is how many received bytes p's port holds unread: in the
// driver, and the one the readiness read took.
func pendingInput(p *Process) int {
	p.rt.mu.Lock()
	fd := p.in.fd
	p.rt.mu.Unlock()
	f := lookupFD(fd)
	if f == nil {
		return 0
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	n := int(commQueued(f.h))
	if f.comm.held {
		n++
	}
	return n
}

var serialBinary = Coding{Decoding: "no-conversion", Encoding: "no-conversion"}

// K6, A21, F5: a serial process on a COM port: its identity and contact,
// every byte value both ways, 64 KiB in order, SendEOF, and Delete's
// "finished\n".
func TestWindowsSerialEcho(t *testing.T) {
	port := echoPort(t)
	rt := newRuntime(t, Config{})
	var rec recorder
	p := mustSerial(t, rt, SerialArgs{Port: port, Speed: 115200, Coding: serialBinary, Filter: rec.filter, Sentinel: rec.sentinel})
	if p.Name() != port || p.Buffer() == nil || p.Buffer().Name() != port {
		t.Fatalf("name %q buffer %v", p.Name(), p.Buffer())
	}
	if p.Status() != StatusOpen || p.Type() != "serial" || p.ID() != 0 || p.Command() != nil || !p.Live() {
		t.Fatalf("status %s type %s id %d command %v live %v", p.Status(), p.Type(), p.ID(), p.Command(), p.Live())
	}
	for key, want := range map[string]any{":port": port, ":speed": 115200, ":bytesize": 8, ":parity": ParityNone,
		":stopbits": 1, ":flowcontrol": FlowControlNone, ":summary": "8N1"} {
		if got := p.ContactKey(key); got != want {
			t.Errorf("ContactKey(%s) = %v, want %v", key, got, want)
		}
	}
	if d := portState(t, p); d.BaudRate != 115200 || d.StopBits != windows.ONESTOPBIT || d.Flags&dcbBinary == 0 ||
		d.Flags&(dcbOutxCtsFlow|dcbOutX|dcbInX) != 0 {
		t.Errorf("port state: speed %d stop bits %d flags %#x", d.BaudRate, d.StopBits, d.Flags)
	}

	// Every byte value, through no-conversion, comes back unchanged.
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	if err := p.SendString(string(all)); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, rt, "the 256 byte values", func() bool { return rec.out.Len() >= len(all) })
	if got := rec.String(); got != string(all) {
		t.Fatalf("echo of every byte value: got %q", got)
	}

	// 64 KiB in order, sent and read at the same time.
	rec.out.Reset()
	big := make([]byte, 64<<10)
	for i := range big {
		big[i] = byte(i*7 + i/256)
	}
	if err := p.SendString(string(big)); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, rt, "64 KiB", func() bool { return rec.out.Len() >= len(big) })
	if got := []byte(rec.String()); !bytes.Equal(got, big) {
		i := 0
		for i < min(len(got), len(big)) && got[i] == big[i] {
			i++
		}
		t.Fatalf("64 KiB: %d bytes, first difference at %d", len(got), i)
	}

	// SendEOF waits for the output to leave and closes nothing.
	rec.out.Reset()
	if err := p.SendString("tail\n"); err != nil {
		t.Fatal(err)
	}
	if err := p.SendEOF(); err != nil {
		t.Fatal(err)
	}
	if p.Status() != StatusOpen {
		t.Fatalf("after SendEOF: %s", p.Status())
	}
	waitUntil(t, rt, "the echo after SendEOF", func() bool { return rec.String() == "tail\n" })

	// delete-process: "finished\n", closed, exit status 0.
	if err := p.Delete(); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(rec.events) != "[finished\n]" || p.Status() != StatusClosed || p.ExitStatus() != 0 || p.Live() {
		t.Fatalf("after Delete: events %q status %s exit %d", rec.events, p.Status(), p.ExitStatus())
	}
	if err := p.SendString("x"); !errors.Is(err, ErrNotRunning) {
		t.Errorf("SendString after Delete: %v", err)
	}
	if err := p.SendEOF(); !errors.Is(err, ErrNotRunning) {
		t.Errorf("SendEOF after Delete: %v", err)
	}
	// The port can be opened again, and the default sentinel writes into
	// the buffer when its buffer is killed (F8).
	q := mustSerial(t, rt, SerialArgs{Port: port, Speed: 9600, Name: "dev"})
	if err := q.Buffer().Kill(); err != nil {
		t.Fatal(err)
	}
	if q.Status() != StatusClosed || rt.GetProcess("dev") != nil {
		t.Fatalf("after killing the buffer: %s", q.Status())
	}
}

// G5: Stop stops reading (input waits), SendString still works; Continue
// discards the input that arrived meanwhile, as Emacs's continue-process
// does for a serial process (tcflush there, PurgeComm here).
func TestWindowsSerialStopContinue(t *testing.T) {
	port := echoPort(t)
	rt := newRuntime(t, Config{})
	var rec recorder
	p := mustSerial(t, rt, SerialArgs{Port: port, Speed: 9600, Coding: serialBinary, Filter: rec.filter, Sentinel: rec.sentinel, Stop: true})
	continueStoppedSerial(t, p)
	// Reading works after :stop and Continue.
	p.SendString("first\n")
	waitUntil(t, rt, "the first echo", func() bool { return rec.String() == "first\n" })
	rec.out.Reset()

	if err := p.Stop(false); err != nil {
		t.Fatal(err)
	}
	if p.Status() != StatusStop {
		t.Fatalf("after Stop: %s", p.Status())
	}
	const stopped = "sent-while-stopped\n"
	if err := p.SendString(stopped); err != nil {
		t.Fatal(err)
	}
	// The echo arrives and waits in the port, unread.
	// The echo arrives and waits in the port, unread.
	waitUntil(t, rt, "the echo to wait in the port", func() bool { return pendingInput(p) == len(stopped) })
	if rt.AcceptProcessOutput(p, shortWait, false) || rec.String() != "" {
		t.Fatalf("a stopped serial process read %q", rec.String())
	}
	if err := p.Continue(false); err != nil {
		t.Fatal(err)
	}
	if n := pendingInput(p); n != 0 {
		t.Errorf("after Continue %d bytes wait in the port, want them discarded", n)
	}
	p.SendString("after\n")
	waitUntil(t, rt, "output after Continue", func() bool { return strings.HasSuffix(rec.String(), "after\n") })
	if rec.String() != "after\n" {
		t.Errorf("after Continue the filter got %q (the input that arrived while stopped must be discarded)", rec.String())
	}
	if len(rec.events) != 0 {
		t.Errorf("stop and continue ran the sentinel: %q", rec.events)
	}
}

// serial-process-configure on a live port: the DCB eproc asks for, what
// the port keeps (a pty forces 8N1 under Wine), and ContactKey.
func TestWindowsSerialConfigure(t *testing.T) {
	port := echoPort(t)
	rt := newRuntime(t, Config{})
	var rec recorder
	p := mustSerial(t, rt, SerialArgs{Port: port, Speed: 9600, Filter: rec.filter})
	err := p.SerialProcessConfigure(SerialConfig{Speed: 19200, ByteSize: 7, Parity: ParityOdd, StopBits: 2, FlowControl: FlowControlSW})
	if err != nil {
		t.Fatal(err)
	}
	rt.mu.Lock()
	asked := p.serial.attr
	rt.mu.Unlock()
	if asked.BaudRate != 19200 || asked.ByteSize != 7 || asked.Parity != windows.ODDPARITY || asked.Flags&dcbParity == 0 ||
		asked.StopBits != windows.TWOSTOPBITS || asked.Flags&(dcbOutX|dcbInX) != dcbOutX|dcbInX || asked.Flags&dcbOutxCtsFlow != 0 ||
		asked.XonChar != 0x11 || asked.XoffChar != 0x13 || asked.Flags&dcbBinary == 0 {
		t.Errorf("asked for %+v", asked)
	}
	if d := portState(t, p); d.BaudRate != 19200 || d.StopBits != windows.TWOSTOPBITS || d.Flags&(dcbOutX|dcbInX) != dcbOutX|dcbInX {
		t.Errorf("port state: speed %d stop bits %d flags %#x", d.BaudRate, d.StopBits, d.Flags)
	}
	if p.ContactKey(":summary") != "7O2" || p.ContactKey(":speed") != 19200 || p.ContactKey(":flowcontrol") != FlowControlSW {
		t.Errorf("contact after configure: %v %v %v", p.ContactKey(":summary"), p.ContactKey(":speed"), p.ContactKey(":flowcontrol"))
	}
	// Zero fields keep the settings; hw flow control is RTS/CTS.
	if err := p.SerialProcessConfigure(SerialConfig{Speed: 57600, ByteSize: 8, Parity: ParityNone, FlowControl: FlowControlHW}); err != nil {
		t.Fatal(err)
	}
	d := portState(t, p)
	if d.BaudRate != 57600 || d.StopBits != windows.TWOSTOPBITS || d.Flags&dcbOutxCtsFlow == 0 || d.Flags&(dcbOutX|dcbInX) != 0 {
		t.Errorf("port state after hw: speed %d stop bits %d flags %#x", d.BaudRate, d.StopBits, d.Flags)
	}
	rt.mu.Lock()
	asked = p.serial.attr
	rt.mu.Unlock()
	if asked.Flags&dcbRtsMask != windows.RTS_CONTROL_HANDSHAKE || asked.Flags&dcbParity != 0 || asked.Parity != windows.NOPARITY {
		t.Errorf("asked for %+v", asked)
	}
	if p.ContactKey(":summary") != "8N2" {
		t.Errorf("summary %v", p.ContactKey(":summary"))
	}
	// Bad settings change nothing.
	if err := p.SerialProcessConfigure(SerialConfig{ByteSize: 6}); err == nil || err.Error() != ":bytesize must be nil (8), 7, or 8" {
		t.Errorf("byte size 6: %v", err)
	}
	if p.ContactKey(":summary") != "8N2" || portState(t, p).BaudRate != 57600 {
		t.Error("a refused configuration changed the port")
	}
	// The port still carries data after being reconfigured.
	p.SendString("still\n")
	waitUntil(t, rt, "the echo", func() bool { return rec.String() == "still\n" })
	p.Delete()
	if err := p.SerialProcessConfigure(SerialConfig{Speed: 9600}); err == nil || !strings.HasPrefix(err.Error(), "Failed tcgetattr") {
		t.Errorf("configure after Delete: %v", err)
	}
}

// A missing port, a busy one (open already), bad settings: Emacs's texts,
// and nothing left behind.
func TestWindowsSerialErrors(t *testing.T) {
	port := echoPort(t)
	rt := newRuntime(t, Config{})
	_, err := rt.MakeSerialProcess(SerialArgs{Port: "COM99", Speed: 9600})
	if err == nil || err.Error() != "Opening serial port: No such file or directory, COM99" || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing port: %v", err)
	}
	p := mustSerial(t, rt, SerialArgs{Port: port, Speed: 9600})
	_, err = rt.MakeSerialProcess(SerialArgs{Port: port, Speed: 9600, Name: "second"})
	if err == nil || err.Error() != "Opening serial port: Device or resource busy, "+port || !errors.Is(err, syscall.EBUSY) {
		t.Errorf("busy port: %v", err)
	}
	// The same port by its device name is the same port.
	_, err = rt.MakeSerialProcess(SerialArgs{Port: `\\.\` + strings.ToLower(port), Speed: 9600, Name: "third"})
	if !errors.Is(err, syscall.EBUSY) {
		t.Errorf("busy port by its device name: %v", err)
	}
	if _, err := rt.MakeSerialProcess(SerialArgs{Port: port, Speed: 9600, ByteSize: 9, Name: "fourth"}); err == nil || err.Error() != ":bytesize must be nil (8), 7, or 8" {
		t.Errorf("byte size 9: %v", err)
	}
	if _, err := rt.MakeSerialProcess(SerialArgs{Speed: 9600}); err == nil || err.Error() != "No port specified" {
		t.Errorf("no port: %v", err)
	}
	if got := len(rt.ProcessList()); got != 1 || rt.GetBuffer("COM99") != nil || rt.GetBuffer("second") != nil {
		t.Errorf("left behind: %d processes", got)
	}
	// The system's refusal (another program holds the port) is the same
	// error: Windows opens a COM port exclusively.
	if e := openSerialError(port, windows.ERROR_ACCESS_DENIED); !errors.Is(e, syscall.EBUSY) || e.Error() != "Opening serial port: Device or resource busy, "+port {
		t.Errorf("ERROR_ACCESS_DENIED: %v", e)
	}
	// Once deleted, the port opens again.
	p.Delete()
	q := mustSerial(t, rt, SerialArgs{Port: port, Speed: 9600})
	q.Delete()
}

// The other side hanging up: as on Unix, Emacs 28.2's "exited abnormally
// with code 256\n", status closed, exit status 256. Under Wine the line is
// a pty that ptyecho closes when anything arrives (EPROC_WINE_SERIAL_HANGUP).
func TestWindowsSerialHangup(t *testing.T) {
	echoPort(t)
	port := os.Getenv("EPROC_WINE_SERIAL_HANGUP")
	if port == "" {
		if os.Getenv("EPROC_REQUIRE_SERIAL") != "" {
			t.Fatal("a COM port that hangs up is required (EPROC_REQUIRE_SERIAL) but EPROC_WINE_SERIAL_HANGUP is not set")
		}
		t.Skip("needs a COM port that hangs up, named by EPROC_WINE_SERIAL_HANGUP")
	}
	rt := newRuntime(t, Config{})
	var rec recorder
	p := mustSerial(t, rt, SerialArgs{Port: port, Speed: 9600, Filter: rec.filter, Sentinel: rec.sentinel})
	if err := p.SendString("bye\n"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, rt, "the hang-up", func() bool { return len(rec.events) > 0 })
	if fmt.Sprint(rec.events) != "[exited abnormally with code 256\n]" || p.Status() != StatusClosed || p.ExitStatus() != 256 {
		t.Fatalf("after the hang-up: events %q status %s exit %d", rec.events, p.Status(), p.ExitStatus())
	}
	// The port was let go: it opens again.
	q := mustSerial(t, rt, SerialArgs{Port: port, Speed: 9600})
	q.Delete()
}

// The port name: one with no backslash is a device of \\.\ (so COM10 and
// above open, as serial-term's serial-read-name does it).
func TestWindowsSerialDevice(t *testing.T) {
	for port, want := range map[string]string{"COM1": `\\.\COM1`, "COM10": `\\.\COM10`, `\\.\COM3`: `\\.\COM3`} {
		if got := serialDevice(port); got != want {
			t.Errorf("serialDevice(%q) = %q, want %q", port, got, want)
		}
	}
}
