//go:build linux

package eproc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// Serial processes are tested on pseudo-terminals: the test opens a pty
// pair, eproc opens the terminal side as the serial port, and the test
// plays the device on the master side. A pty's terminal keeps the speed,
// the stop bits and the flow control asked for, but Linux forces 8 bits and
// no parity on it, so those are checked in the modes eproc asked for
// (p.serial.attr). The behaviour pinned here is Emacs 28.2's, checked by
// running make-serial-process on a pty's terminal (see
// TestSerialAgainstEmacs, and K6, G5, H11 of emacs-behaviour.md).

// serialPort is a pty pair standing in for a serial device.
type serialPort struct {
	master *os.File // the device's side
	tty    *os.File // the test's own descriptor of the port, to inspect it
	name   string   // the port's device file
}

func newSerialPort(t *testing.T) *serialPort {
	t.Helper()
	m, s, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	sp := &serialPort{master: m, tty: s, name: s.Name()}
	t.Cleanup(func() {
		m.Close()
		s.Close()
	})
	return sp
}

// control runs f with the raw descriptor of f's file.
func control(t *testing.T, f *os.File, fn func(fd int)) {
	t.Helper()
	rc, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	if err := rc.Control(func(fd uintptr) { fn(int(fd)) }); err != nil {
		t.Fatal(err)
	}
}

// modes returns the port's terminal modes as the system keeps them.
func (sp *serialPort) modes(t *testing.T) *unix.Termios {
	t.Helper()
	var tm *unix.Termios
	var err error
	control(t, sp.tty, func(fd int) { tm, err = unix.IoctlGetTermios(fd, ioctlGetSerial) })
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// waitInput waits (bounded) until the port has input to read, so that
// bytes the device wrote have reached the terminal.
func (sp *serialPort) waitInput(t *testing.T) {
	t.Helper()
	var n int
	var err error
	control(t, sp.tty, func(fd int) {
		pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		for {
			n, err = unix.Poll(pfd, int(longWait.Milliseconds()))
			if err != unix.EINTR {
				break
			}
		}
	})
	if err != nil || n != 1 {
		t.Fatalf("port input: poll %d %v", n, err)
	}
}

// readMaster reads exactly n bytes from the device's side (bounded).
func (sp *serialPort) readMaster(t *testing.T, n int) []byte {
	t.Helper()
	done := make(chan []byte, 1)
	go func() {
		buf := make([]byte, n)
		k, _ := io.ReadFull(sp.master, buf)
		done <- buf[:k]
	}()
	return waitBytes(t, done, n)
}

func waitBytes(t *testing.T, ch chan []byte, n int) []byte {
	t.Helper()
	select {
	case b := <-ch:
		if len(b) != n {
			t.Fatalf("read %d bytes of %d", len(b), n)
		}
		return b
	case <-time.After(longWait):
		t.Fatalf("timed out reading %d bytes from the device", n)
	}
	return nil
}

// K6, L3, A21, F5, B13: a serial process's identity, contact, data both
// ways, and deletion.
func TestSerialProcess(t *testing.T) {
	rt := newRuntime(t, Config{})
	sp := newSerialPort(t)
	var rec recorder
	p := mustSerial(t, rt, SerialArgs{Port: sp.name, Speed: 9600, Sentinel: rec.sentinel})
	// Emacs: name and buffer after the port, status open, type serial, no
	// pid, command or tty name, query flag on.
	if p.Name() != sp.name || p.Buffer() == nil || p.Buffer().Name() != sp.name {
		t.Fatalf("name %q buffer %v", p.Name(), p.Buffer())
	}
	if p.Status() != StatusOpen || p.Type() != "serial" || p.ID() != 0 || p.Command() != nil || p.TTYName() != "" || !p.Live() || !p.QueryOnExitFlag() || p.ExitStatus() != 0 {
		t.Fatalf("status %s type %s id %d command %v tty %q live %v query %v", p.Status(), p.Type(), p.ID(), p.Command(), p.TTYName(), p.Live(), p.QueryOnExitFlag())
	}
	if rt.GetBufferProcess(p.Buffer()) != p || rt.GetProcess(sp.name) != p {
		t.Fatal("the process is not found by its name and buffer")
	}
	// Emacs: (:port P :speed 9600 ... :bytesize 8 :parity nil :stopbits 1
	// :flowcontrol nil :summary "8N1").
	c, ok := p.Contact().(SerialArgs)
	if !ok || c.Port != sp.name || c.Speed != 9600 || c.ByteSize != 8 || c.Parity != ParityNone || c.StopBits != 1 || c.FlowControl != FlowControlNone || c.Buffer != p.Buffer() {
		t.Fatalf("contact %+v", p.Contact())
	}
	for key, want := range map[string]any{":port": sp.name, ":speed": 9600, ":bytesize": 8, ":parity": ParityNone,
		":stopbits": 1, ":flowcontrol": FlowControlNone, ":summary": "8N1", ":name": nil, ":bogus": nil} {
		if got := p.ContactKey(key); got != want {
			t.Errorf("ContactKey(%s) = %v, want %v", key, got, want)
		}
	}
	if ParityNone.String() != "nil" || ParityOdd.String() != "odd" || FlowControlNone.String() != "nil" || FlowControlHW.String() != "hw" {
		t.Error("String() is not Emacs's symbol")
	}
	// The port is in raw mode at 9600 bits per second, modem lines
	// ignored, receiver on.
	m := sp.modes(t)
	if m.Cflag&unix.CBAUD != unix.B9600 || m.Ospeed != 9600 || m.Lflag&(unix.ICANON|unix.ECHO|unix.ISIG|unix.IEXTEN) != 0 ||
		m.Oflag&unix.OPOST != 0 || m.Iflag&(unix.ICRNL|unix.IXON|unix.ISTRIP) != 0 || m.Cflag&(unix.CLOCAL|unix.CREAD) != unix.CLOCAL|unix.CREAD {
		t.Errorf("port modes %+v", m)
	}
	// Data both ways, through the default filter. With no :coding, Emacs
	// decodes as undecided: CRLF is detected and becomes LF, and
	// process-coding-system says (undecided-dos . undecided-dos); what it
	// sends keeps LF.
	if dec, enc := p.CodingSystem(); dec != "undecided" || enc != "undecided" {
		t.Errorf("coding systems %s %s", dec, enc)
	}
	sp.master.WriteString("from-device\r\n")
	waitUntil(t, rt, "output", func() bool { return p.Buffer().String() == "from-device\n" })
	if dec, _ := p.CodingSystem(); dec != "undecided-dos" {
		t.Errorf("decoding %s after CRLF", dec)
	}
	if err := p.SendString("from-emacs\n"); err != nil {
		t.Fatal(err)
	}
	if got := sp.readMaster(t, 11); string(got) != "from-emacs\n" {
		t.Errorf("device read %q", got)
	}
	// set-process-window-size works on a serial port's terminal (Emacs: t).
	if !p.SetWindowSize(24, 80) {
		t.Error("SetWindowSize on a serial port failed")
	}
	// Not a subprocess: signals are refused with Emacs's messages.
	if err := p.Interrupt(false); !errors.Is(err, ErrNotSubprocess) || !strings.HasPrefix(err.Error(), "Process "+sp.name+" is not a subprocess") {
		t.Errorf("Interrupt: %v", err)
	}
	if err := rt.SignalProcess(p, "term"); err == nil || err.Error() != "Cannot signal process "+sp.name {
		t.Errorf("SignalProcess: %v", err)
	}
	// F5: delete-process gives "finished\n", closed, exit status 0.
	if err := p.Delete(); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(rec.events) != "[finished\n]" || p.Status() != StatusClosed || p.ExitStatus() != 0 || p.Live() {
		t.Fatalf("after Delete: events %q status %s exit %d", rec.events, p.Status(), p.ExitStatus())
	}
	if err := p.SendString("x"); !errors.Is(err, ErrNotRunning) || err.Error() != "Process "+sp.name+" not running: "+ErrNotRunning.Error() {
		t.Errorf("SendString after Delete: %v", err)
	}
	if err := p.SendEOF(); !errors.Is(err, ErrNotRunning) {
		t.Errorf("SendEOF after Delete: %v", err)
	}
	// B13: the default sentinel writes into the buffer.
	q := mustSerial(t, rt, SerialArgs{Port: sp.name, Speed: 9600, Name: "dev", NoQuery: true, Plist: []any{"a", 1}})
	if q.Name() != "dev" || q.Buffer().Name() != "dev" || q.QueryOnExitFlag() || q.Get("a") != 1 || q.ContactKey(":name") != "dev" {
		t.Fatalf("name %q buffer %q query %v plist %v", q.Name(), q.Buffer().Name(), q.QueryOnExitFlag(), q.Plist())
	}
	// F8: killing its buffer deletes it.
	b := q.Buffer()
	if err := b.Kill(); err != nil {
		t.Fatal(err)
	}
	if q.Status() != StatusClosed || rt.GetProcess("dev") != nil {
		t.Fatalf("after killing the buffer: %s", q.Status())
	}
}

// A serial process's status changes and the default sentinel's text.
func TestSerialDefaultSentinel(t *testing.T) {
	rt := newRuntime(t, Config{})
	sp := newSerialPort(t)
	b := rt.GetBufferCreate("out")
	b.Insert("PRE\n")
	p := mustSerial(t, rt, SerialArgs{Port: sp.name, Speed: 115200, Name: "ser", Buffer: b})
	sp.master.WriteString("line\n")
	waitUntil(t, rt, "output", func() bool { return b.String() == "PRE\nline\n" })
	p.Delete()
	if b.String() != "PRE\nline\n\nProcess ser finished\n" {
		t.Errorf("buffer %q", b.String())
	}
}

// serial-process-configure: settings merge with the current ones, are
// checked with Emacs's messages, and reach the terminal.
func TestSerialConfigure(t *testing.T) {
	rt := newRuntime(t, Config{})
	sp := newSerialPort(t)
	p := mustSerial(t, rt, SerialArgs{Port: sp.name, Speed: 9600})
	err := p.SerialProcessConfigure(SerialConfig{Speed: 19200, ByteSize: 7, Parity: ParityOdd, StopBits: 2, FlowControl: FlowControlSW})
	if err != nil {
		t.Fatal(err)
	}
	// Emacs: :speed 19200 :bytesize 7 :parity odd :stopbits 2 :flowcontrol
	// sw :summary "7O2".
	if s := p.ContactKey(":summary"); s != "7O2" || p.ContactKey(":speed") != 19200 || p.ContactKey(":parity") != ParityOdd || p.ContactKey(":flowcontrol") != FlowControlSW {
		t.Fatalf("summary %v contact %+v", s, p.Contact())
	}
	// What eproc asked for: 7 bits, odd parity checked on input, two stop
	// bits, XON/XOFF both ways, no RTS/CTS.
	rt.mu.Lock()
	a := p.serial.attr
	rt.mu.Unlock()
	if a.Cflag&unix.CSIZE != unix.CS7 || a.Cflag&(unix.PARENB|unix.PARODD) != unix.PARENB|unix.PARODD || a.Iflag&(unix.INPCK|unix.IGNPAR) != unix.INPCK|unix.IGNPAR ||
		a.Cflag&unix.CSTOPB == 0 || a.Iflag&(unix.IXON|unix.IXOFF) != unix.IXON|unix.IXOFF || a.Cflag&unix.CRTSCTS != 0 {
		t.Errorf("asked for %+v", a)
	}
	// What the terminal kept (Linux ptys keep all but size and parity,
	// as stty -a showed under Emacs 28.2).
	m := sp.modes(t)
	if m.Cflag&unix.CBAUD != unix.B19200 || m.Cflag&unix.CSTOPB == 0 || m.Iflag&(unix.IXON|unix.IXOFF|unix.INPCK|unix.IGNPAR) != unix.IXON|unix.IXOFF|unix.INPCK|unix.IGNPAR || m.Cflag&unix.PARODD == 0 {
		t.Errorf("port modes %+v", m)
	}

	// Zero fields keep the current settings; explicit "none" values turn
	// things off.
	if err := p.SerialProcessConfigure(SerialConfig{Parity: ParityEven, FlowControl: FlowControlHW}); err != nil {
		t.Fatal(err)
	}
	m = sp.modes(t)
	if p.ContactKey(":summary") != "7E2" || p.ContactKey(":speed") != 19200 || m.Cflag&unix.CRTSCTS == 0 || m.Iflag&(unix.IXON|unix.IXOFF) != 0 || m.Cflag&unix.CBAUD != unix.B19200 {
		t.Errorf("after parity even, hw: %v %+v", p.ContactKey(":summary"), m)
	}
	if err := p.SerialProcessConfigure(SerialConfig{ByteSize: 8, Parity: ParityNone, StopBits: 1, FlowControl: FlowControlNone}); err != nil {
		t.Fatal(err)
	}
	rt.mu.Lock()
	a = p.serial.attr
	rt.mu.Unlock()
	if p.ContactKey(":summary") != "8N1" || a.Cflag&(unix.PARENB|unix.CSTOPB|unix.CRTSCTS) != 0 || a.Cflag&unix.CSIZE != unix.CS8 || a.Iflag&(unix.INPCK|unix.IXON|unix.IXOFF) != 0 {
		t.Errorf("after 8N1: %v %+v", p.ContactKey(":summary"), a)
	}

	// Emacs's errors; nothing changes.
	for _, tc := range []struct {
		c    SerialConfig
		want string
	}{
		{SerialConfig{ByteSize: 5}, ":bytesize must be nil (8), 7, or 8"},
		{SerialConfig{Parity: "mark"}, ":parity must be nil (no parity), ‘even’, or ‘odd’"},
		{SerialConfig{StopBits: 3}, ":stopbits must be nil (1 stopbit), 1, or 2"},
		{SerialConfig{FlowControl: "rts"}, ":flowcontrol must be nil (no flowcontrol), ‘hw’, or ‘sw’"},
		{SerialConfig{Speed: -1, ByteSize: 7}, "Failed cfsetspeed: Invalid argument, -1"},
	} {
		if err := p.SerialProcessConfigure(tc.c); err == nil || err.Error() != tc.want {
			t.Errorf("SerialProcessConfigure(%+v) = %v, want %q", tc.c, err, tc.want)
		}
	}
	if p.ContactKey(":summary") != "8N1" || p.ContactKey(":speed") != 19200 || sp.modes(t).Cflag&unix.CBAUD != unix.B19200 {
		t.Errorf("a refused configuration changed the port: %v %v", p.ContactKey(":summary"), p.ContactKey(":speed"))
	}

	// A speed outside the table is set by number (Emacs 28 refuses it).
	if err := p.SerialProcessConfigure(SerialConfig{Speed: 12345}); err != nil {
		t.Fatal(err)
	}
	if m := sp.modes(t); m.Cflag&unix.CBAUD != unix.BOTHER || m.Ospeed != 12345 || m.Ispeed != 12345 || p.ContactKey(":speed") != 12345 {
		t.Errorf("speed 12345: %+v", m)
	}

	pp, err := rt.MakePipeProcess(PipeArgs{Name: "pp"})
	if err != nil {
		t.Fatal(err)
	}
	if err := pp.SerialProcessConfigure(SerialConfig{Speed: 9600}); err == nil || err.Error() != "Not a serial process" {
		t.Errorf("configuring a pipe process: %v", err)
	}
	p.Delete()
	if err := p.SerialProcessConfigure(SerialConfig{Speed: 9600}); err == nil || err.Error() != "Failed tcgetattr: Bad file descriptor" || !errors.Is(err, syscall.EBADF) {
		t.Errorf("configuring a deleted process: %v", err)
	}
}

// Speeds at creation: the table's by code, others by number.
func TestSerialSpeeds(t *testing.T) {
	rt := newRuntime(t, Config{})
	for _, speed := range []int{50, 115200, 4000000, 250000, 12345} {
		sp := newSerialPort(t)
		p := mustSerial(t, rt, SerialArgs{Port: sp.name, Speed: speed, StopBits: 2})
		m := sp.modes(t)
		code, std := linuxSpeeds[speed]
		if !std {
			code = unix.BOTHER
		}
		if m.Cflag&unix.CBAUD != code || m.Cflag&unix.CIBAUD != 0 || m.Ospeed != uint32(speed) || m.Ispeed != uint32(speed) || m.Cflag&unix.CSTOPB == 0 {
			t.Errorf("speed %d: cflag %#x ispeed %d ospeed %d", speed, m.Cflag, m.Ispeed, m.Ospeed)
		}
		if p.ContactKey(":summary") != "8N2" {
			t.Errorf("summary %v", p.ContactKey(":summary"))
		}
		p.Delete()
	}
}

// Every byte value survives no-conversion both ways, and a mebibyte
// arrives whole and in order both ways.
func TestSerialData(t *testing.T) {
	rt := newRuntime(t, Config{})
	sp := newSerialPort(t)
	var out bytes.Buffer
	p := mustSerial(t, rt, SerialArgs{Port: sp.name, Speed: 4000000, Coding: Coding{"no-conversion", "no-conversion"},
		Filter: func(p *Process, s string) { out.WriteString(s) }})
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	sp.master.Write(all)
	waitUntil(t, rt, "256 bytes", func() bool { return out.Len() >= 256 })
	if !bytes.Equal(out.Bytes(), all) {
		t.Errorf("device to process: %q", out.Bytes())
	}
	if err := p.SendString(string(all)); err != nil {
		t.Fatal(err)
	}
	if got := sp.readMaster(t, 256); !bytes.Equal(got, all) {
		t.Errorf("process to device: %q", got)
	}

	const size = 1 << 20
	big := patternBytes(size)
	out.Reset()
	werr := make(chan error, 1)
	go func() {
		_, err := sp.master.Write(big)
		werr <- err
	}()
	waitUntil(t, rt, "a mebibyte", func() bool { return out.Len() >= size })
	if err := <-werr; err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), big) {
		t.Errorf("device to process: %d bytes, first difference at %d", out.Len(), firstDiff(out.Bytes(), big))
	}
	got := make(chan []byte, 1)
	go func() {
		buf := make([]byte, size)
		k, _ := io.ReadFull(sp.master, buf)
		got <- buf[:k]
	}()
	if err := p.SendString(string(big)); err != nil {
		t.Fatal(err)
	}
	if b := waitBytes(t, got, size); !bytes.Equal(b, big) {
		t.Errorf("process to device: first difference at %d", firstDiff(b, big))
	}
	// SendEOF waits for the output to drain and closes nothing (H11): the
	// port still works both ways.
	if err := p.SendString("tail"); err != nil {
		t.Fatal(err)
	}
	if err := p.SendEOF(); err != nil {
		t.Fatal(err)
	}
	if err := p.SendString("more"); err != nil {
		t.Fatal(err)
	}
	if got := sp.readMaster(t, 8); string(got) != "tailmore" {
		t.Errorf("after SendEOF: %q", got)
	}
	if p.Status() != StatusOpen {
		t.Errorf("status after SendEOF %s", p.Status())
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// G5: stop-process stops reading, sending still works, continue-process
// resumes and discards what arrived while stopped (tcflush), as Emacs does.
func TestSerialStopContinue(t *testing.T) {
	rt := newRuntime(t, Config{})
	sp := newSerialPort(t)
	var rec recorder
	p := mustSerial(t, rt, SerialArgs{Port: sp.name, Speed: 9600, Filter: rec.filter, Sentinel: rec.sentinel, Stop: true})
	continueStoppedSerial(t, p)
	if err := p.Stop(false); err != nil {
		t.Fatal(err)
	}
	if p.Status() != StatusStop {
		t.Fatalf("after Stop: %s", p.Status())
	}
	sp.master.WriteString("while-stopped\n")
	sp.waitInput(t)
	if rt.AcceptProcessOutput(p, shortWait, false) || rec.String() != "" {
		t.Fatalf("a stopped serial process read %q", rec.String())
	}
	if err := p.SendString("sent-while-stopped\n"); err != nil {
		t.Fatal(err)
	}
	if err := p.SendEOF(); err != nil {
		t.Fatal(err)
	}
	if got := sp.readMaster(t, 19); string(got) != "sent-while-stopped\n" {
		t.Errorf("device read %q", got)
	}
	if err := p.Continue(false); err != nil {
		t.Fatal(err)
	}
	sp.master.WriteString("after\n")
	waitUntil(t, rt, "output after Continue", func() bool { return strings.HasSuffix(rec.String(), "after\n") })
	if rec.String() != "after\n" {
		t.Errorf("after Continue the filter got %q (the input that arrived while stopped must be discarded)", rec.String())
	}
	// Continue on a process that is not stopped discards nothing.
	rec.out.Reset()
	sp.master.WriteString("kept\n")
	sp.waitInput(t)
	p.Continue(false)
	waitUntil(t, rt, "output", func() bool { return rec.String() == "kept\n" })
	if len(rec.events) != 0 {
		t.Errorf("stop and continue ran the sentinel: %q", rec.events)
	}
}

// The other side hanging up: Emacs 28.2 reports "exited abnormally with
// code 256\n", status closed, exit status 256.
func TestSerialHangup(t *testing.T) {
	rt := newRuntime(t, Config{})
	sp := newSerialPort(t)
	var rec recorder
	p := mustSerial(t, rt, SerialArgs{Port: sp.name, Speed: 9600, Filter: rec.filter, Sentinel: rec.sentinel})
	sp.master.WriteString("last words\n")
	waitUntil(t, rt, "output", func() bool { return rec.String() == "last words\n" })
	fds := openFDs(t)
	sp.master.Close()
	waitUntil(t, rt, "the hang-up", func() bool { return len(rec.events) > 0 })
	if fmt.Sprint(rec.events) != "[exited abnormally with code 256\n]" || p.Status() != StatusClosed || p.ExitStatus() != 256 || p.Live() {
		t.Fatalf("events %q status %s exit %d", rec.events, p.Status(), p.ExitStatus())
	}
	if n := openFDs(t); n != fds-2 { // the master and eproc's descriptor of the port
		t.Errorf("descriptors: %d before the hang-up, %d after", fds, n)
	}
	if rt.GetProcess(sp.name) != nil {
		t.Error("a hung-up serial process stays in the process list")
	}
	p.Delete()
	if len(rec.events) != 1 {
		t.Errorf("Delete after the hang-up ran the sentinel again: %q", rec.events)
	}
}

// Bad input: Emacs's error texts, and nothing left open or listed.
func TestSerialErrors(t *testing.T) {
	rt := newRuntime(t, Config{})
	sp := newSerialPort(t)
	if _, err := rt.MakeSerialProcess(SerialArgs{Speed: 9600}); err == nil || err.Error() != "No port specified" {
		t.Errorf("no port: %v", err)
	}
	pp, err := rt.MakePipeProcess(PipeArgs{Name: "pp", NoBuffer: true}) // the poller exists from now on
	if err != nil {
		t.Fatal(err)
	}
	pp.Delete()
	fds := openFDs(t)
	bufs := len(rt.buffers)
	check := func(what string, a SerialArgs, want string, is error) {
		t.Helper()
		p, err := rt.MakeSerialProcess(a)
		if err == nil {
			p.Delete()
			t.Errorf("%s: no error", what)
			return
		}
		if err.Error() != want || is != nil && !errors.Is(err, is) {
			t.Errorf("%s: %v, want %q", what, err, want)
		}
		if n := openFDs(t); n != fds {
			t.Errorf("%s: %d descriptors open, %d before", what, n, fds)
		}
		if len(rt.ProcessList()) != 0 || len(rt.buffers) != bufs {
			t.Errorf("%s: processes %v, %d buffers (%d before)", what, rt.ProcessList(), len(rt.buffers), bufs)
		}
	}
	check("missing port", SerialArgs{Port: "/dev/nonexistent-tty", Speed: 9600},
		"Opening serial port: No such file or directory, /dev/nonexistent-tty", fs.ErrNotExist)
	check("not a terminal", SerialArgs{Port: os.DevNull, Speed: 9600},
		"Failed tcgetattr: Inappropriate ioctl for device", syscall.ENOTTY)
	check("negative speed", SerialArgs{Port: sp.name, Speed: -1}, "Failed cfsetspeed: Invalid argument, -1", syscall.EINVAL)
	check("byte size", SerialArgs{Port: sp.name, Speed: 9600, ByteSize: 9}, ":bytesize must be nil (8), 7, or 8", nil)
	check("parity", SerialArgs{Port: sp.name, Speed: 9600, Parity: "mark"}, ":parity must be nil (no parity), ‘even’, or ‘odd’", nil)
	check("stop bits", SerialArgs{Port: sp.name, Speed: 9600, StopBits: 3}, ":stopbits must be nil (1 stopbit), 1, or 2", nil)
	check("flow control", SerialArgs{Port: sp.name, Speed: 9600, FlowControl: "foo"}, ":flowcontrol must be nil (no flowcontrol), ‘hw’, or ‘sw’", nil)
	check("coding", SerialArgs{Port: sp.name, Speed: 9600, Coding: Coding{Decoding: "no-such-coding"}}, "Invalid coding system: no-such-coding", nil)

	// A busy port: the first process holds it exclusively.
	p := mustSerial(t, rt, SerialArgs{Port: sp.name, Speed: 9600})
	fds = openFDs(t)
	bufs = len(rt.buffers)
	_, err = rt.MakeSerialProcess(SerialArgs{Port: sp.name, Speed: 9600, Name: "second"})
	if err == nil || err.Error() != "Opening serial port: Device or resource busy, "+sp.name || !errors.Is(err, syscall.EBUSY) {
		t.Errorf("busy port: %v", err)
	}
	if n := openFDs(t); n != fds || len(rt.ProcessList()) != 1 || len(rt.buffers) != bufs {
		t.Errorf("busy port: %d descriptors (%d before), processes %v", n, fds, rt.ProcessList())
	}
	// Closing the port gives up the exclusive use: it opens again.
	p.Delete()
	q, err := rt.MakeSerialProcess(SerialArgs{Port: sp.name, Speed: 9600})
	if err != nil {
		t.Fatalf("reopening a deleted port: %v", err)
	}
	q.Delete()
	if n := openFDs(t); n != fds-1 {
		t.Errorf("after Delete: %d descriptors, %d with the port open", n, fds)
	}
}

// :speed nil opens the port as it is; the contact has no settings.
func TestSerialUnconfigured(t *testing.T) {
	rt := newRuntime(t, Config{})
	sp := newSerialPort(t)
	before := *sp.modes(t)
	p := mustSerial(t, rt, SerialArgs{Port: sp.name, ByteSize: 9})
	if m := *sp.modes(t); m != before {
		t.Errorf("speed 0 changed the port's modes:\n%+v\n%+v", before, m)
	}
	if p.ContactKey(":speed") != nil || p.ContactKey(":summary") != nil || p.ContactKey(":bytesize") != nil || p.ContactKey(":port") != sp.name {
		t.Errorf("contact %+v", p.Contact())
	}
	if c := p.Contact().(SerialArgs); c.Speed != 0 || c.ByteSize != 9 {
		t.Errorf("contact %+v", c)
	}
	row := rt.ListProcesses(false).String()
	if want := fmt.Sprintf("%-15s --      open    %-25s --           Main         (serial port %s)\n", sp.name, sp.name, sp.name); row != want {
		t.Errorf("list-processes:\n%q\nwant\n%q", row, want)
	}
	// With no speed, serial-process-configure leaves it alone, as in
	// Emacs; with one it configures it (Emacs never does).
	if err := p.SerialProcessConfigure(SerialConfig{ByteSize: 7}); err != nil || *sp.modes(t) != before || p.ContactKey(":summary") != nil {
		t.Errorf("configure without a speed: %v", err)
	}
	if err := p.SerialProcessConfigure(SerialConfig{Speed: 2400}); err != nil {
		t.Fatal(err)
	}
	if m := sp.modes(t); m.Cflag&unix.CBAUD != unix.B2400 || m.Lflag&unix.ICANON != 0 || p.ContactKey(":summary") != "8N1" {
		t.Errorf("after configure: %v %+v", p.ContactKey(":summary"), m)
	}
}

// ListProcesses shows a serial process as Emacs 28.2's process menu does.
func TestSerialListProcesses(t *testing.T) {
	rt := newRuntime(t, Config{})
	sp := newSerialPort(t)
	p := mustSerial(t, rt, SerialArgs{Port: sp.name, Speed: 9600})
	p.SerialProcessConfigure(SerialConfig{Speed: 19200})
	// Emacs 28.2 printed, for /dev/pts/0:
	// "/dev/pts/0      --      open    /dev/pts/0                --           Main         (serial port /dev/pts/0 at 19200 b/s)"
	want := fmt.Sprintf("%-15s --      open    %-25s --           Main         (serial port %s at 19200 b/s)\n", sp.name, sp.name, sp.name)
	if got := rt.ListProcesses(false).String(); got != want {
		t.Errorf("list-processes:\n%q\nwant\n%q", got, want)
	}
	p.Stop(false)
	if got := rt.ListProcesses(false).String(); !strings.Contains(got, " stop    ") {
		t.Errorf("stopped: %q", got)
	}
}

// Closing the Runtime closes the port.
func TestSerialClose(t *testing.T) {
	sp := newSerialPort(t)
	fds := openFDs(t)
	rt := NewRuntime(Config{})
	var rec recorder
	mustSerial(t, rt, SerialArgs{Port: sp.name, Speed: 9600, Sentinel: rec.sentinel})
	if err := rt.Close(); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(rec.events) != "[finished\n]" {
		t.Errorf("events %q", rec.events)
	}
	if n := openFDs(t); n != fds {
		t.Errorf("descriptors: %d before, %d after Close", fds, n)
	}
}

func init() {
	// serialctty PORT eproc|plain: in a session of its own (the test
	// starts it with Setsid, so it has no controlling terminal), open PORT
	// with MakeSerialProcess (eproc) or with a plain open(2) (plain), then
	// print "ctty" if the session now has a controlling terminal, else
	// "no ctty".
	helpers["serialctty"] = func(args []string) int {
		if args[1] == "eproc" {
			rt := NewRuntime(Config{})
			defer rt.Close()
			if _, err := rt.MakeSerialProcess(SerialArgs{Port: args[0], Speed: 9600}); err != nil {
				fmt.Println(err)
				return 1
			}
		} else {
			fd, err := unix.Open(args[0], unix.O_RDWR|unix.O_NONBLOCK, 0)
			if err != nil {
				fmt.Println(err)
				return 1
			}
			defer unix.Close(fd)
		}
		fd, err := unix.Open("/dev/tty", unix.O_RDWR|unix.O_NOCTTY, 0)
		if err != nil {
			fmt.Println("no ctty")
			return 0
		}
		unix.Close(fd)
		fmt.Println("ctty")
		return 0
	}
}

// The port never becomes a controlling terminal (O_NOCTTY, as Emacs's
// serial_open): a session leader with none that opens a terminal without
// O_NOCTTY gets it as its controlling terminal (the control case), one
// that makes a serial process does not.
func TestSerialNoControllingTerminal(t *testing.T) {
	run := func(mode string) string {
		sp := newSerialPort(t)
		ctx, cancel := context.WithTimeout(context.Background(), longWait)
		defer cancel()
		cmd := exec.CommandContext(ctx, os.Args[0], "serialctty", sp.name, mode)
		cmd.Env = append(os.Environ(), helperEnv+"=1")
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v %q", mode, err, out)
		}
		return string(out)
	}
	if got := run("plain"); got != "ctty\n" {
		t.Fatalf("control: a plain open of the terminal gave %q, want a controlling terminal", got)
	}
	if got := run("eproc"); got != "no ctty\n" {
		t.Errorf("MakeSerialProcess: %q, want no controlling terminal", got)
	}
}

// The port's descriptor is non-blocking and close-on-exec, and the port
// is held exclusively (TIOCEXCL); serial processes add no goroutine: their
// descriptors are read through the poller with every other.
func TestSerialDescriptor(t *testing.T) {
	rt := newRuntime(t, Config{})
	sp := newSerialPort(t)
	var out strings.Builder
	filter := func(p *Process, s string) { out.WriteString(s) }
	p := mustSerial(t, rt, SerialArgs{Port: sp.name, Speed: 9600, Filter: filter})
	rt.mu.Lock()
	fd := p.in.fd
	rt.mu.Unlock()
	fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err != nil || fl&unix.O_NONBLOCK == 0 || fl&unix.O_ACCMODE != unix.O_RDWR {
		t.Errorf("status flags %#x %v: want O_RDWR|O_NONBLOCK", fl, err)
	}
	if fdfl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil || fdfl&unix.FD_CLOEXEC == 0 {
		t.Errorf("descriptor flags %#x %v: want FD_CLOEXEC", fdfl, err)
	}
	var excl int
	control(t, sp.tty, func(fd int) { excl, err = unix.IoctlGetInt(fd, unix.TIOCGEXCL) })
	if err != nil || excl == 0 {
		t.Errorf("TIOCGEXCL %d %v: the port is not exclusive", excl, err)
	}
	sp.master.WriteString("first\n")
	waitUntil(t, rt, "output", func() bool { return out.String() == "first\n" })

	before := runtime.NumGoroutine()
	const n = 10
	want := "first\n"
	for i := range n {
		sp := newSerialPort(t)
		mustSerial(t, rt, SerialArgs{Port: sp.name, Speed: 9600, Filter: filter})
		line := fmt.Sprintf("port %d\n", i)
		sp.master.WriteString(line)
		want += line
	}
	waitUntil(t, rt, "output from every port", func() bool { return len(out.String()) == len(want) })
	if after := runtime.NumGoroutine(); after > before {
		t.Errorf("%d goroutines with %d more serial processes, %d before", after, n, before)
	}
}

// SendEOF writes what is queued, then drains the port (tcdrain) and
// closes nothing, as Emacs's process-send-eof does for a serial process.
// A pty has nothing to drain, so the call is seen through serialDrain.
func TestSerialSendEOFDrains(t *testing.T) {
	rt := newRuntime(t, Config{})
	sp := newSerialPort(t)
	p := mustSerial(t, rt, SerialArgs{Port: sp.name, Speed: 9600})
	var port unix.Stat_t
	control(t, sp.tty, func(fd int) { unix.Fstat(fd, &port) })
	var calls []string
	tcdrain := serialDrain
	t.Cleanup(func() { serialDrain = tcdrain })
	serialDrain = func(fd int) error {
		var st unix.Stat_t
		unix.Fstat(fd, &st)
		rt.mu.Lock()
		written := p.written == p.queued && len(p.wq) == 0
		rt.mu.Unlock()
		calls = append(calls, fmt.Sprintf("port %v written %v", st.Rdev == port.Rdev, written))
		return tcdrain(fd)
	}
	go func() { io.Copy(io.Discard, sp.master) }()
	if err := p.SendString(strings.Repeat("queued before the end\n", 10000)); err != nil {
		t.Fatal(err)
	}
	if err := p.SendEOF(); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(calls) != "[port true written true]" {
		t.Errorf("tcdrain calls: %q", calls)
	}
	if p.Status() != StatusOpen {
		t.Errorf("status after SendEOF: %s", p.Status())
	}
}

// serialScenarioEL runs the scenario of TestSerialAgainstEmacs in Emacs:
// a pty with no program plays the device, its terminal is the serial
// port. Every line names the port PORT.
const serialScenarioEL = `(progn
(setq text-quoting-style 'curve)
(defun out (fmt &rest args)
  (princ (concat (replace-regexp-in-string (regexp-quote tty) "PORT" (apply #'format fmt args) t t) "\n")))
(defun ev (e) (replace-regexp-in-string "\n" "\\\\n" e))
(defun err (form) (condition-case e (progn (eval form t) "no error") (error (error-message-string e))))
(setq m (make-process :name "m" :buffer "mb" :coding 'no-conversion :noquery t))
(setq tty (process-tty-name m))
(setq events nil)
(setq s (make-serial-process :port tty :speed 9600 :coding 'no-conversion
          :sentinel (lambda (p e) (setq events (append events (list (ev e)))))))
(out "name %s buffer %s" (process-name s) (buffer-name (process-buffer s)))
(out "status %s type %s id %s live %s" (process-status s) (process-type s) (process-id s) (and (process-live-p s) t))
(defun settings ()
  (out "speed %s bytesize %s parity %s stopbits %s flowcontrol %s summary %s"
       (process-contact s :speed) (process-contact s :bytesize) (process-contact s :parity)
       (process-contact s :stopbits) (process-contact s :flowcontrol) (process-contact s :summary)))
(settings)
(process-send-string m "abc\n")
(accept-process-output s 2)
(out "received %s" (ev (with-current-buffer (process-buffer s) (buffer-string))))
(process-send-string s "xyz\n")
(accept-process-output m 2)
(out "device got %s" (ev (with-current-buffer "mb" (buffer-string))))
(serial-process-configure :process s :speed 19200 :bytesize 7 :parity 'odd :stopbits 2 :flowcontrol 'sw)
(settings)
(serial-process-configure :process s :parity 'even :flowcontrol 'hw)
(settings)
(out "configure error %s" (err '(serial-process-configure :process s :bytesize 5)))
(settings)
(stop-process s)
(out "stopped %s" (process-status s))
(continue-process s)
(out "continued %s events %s" (process-status s) events)
(out "eof %s" (eq (process-send-eof s) s))
(list-processes)
(out "list %s" (with-current-buffer "*Process List*"
                 (goto-char (point-min)) (re-search-forward (concat "^" (regexp-quote tty) " .*")) (match-string 0)))
(out "error %s" (err '(make-serial-process :speed 9600)))
(out "error %s" (err '(make-serial-process :port "/dev/nonexistent-tty" :speed 9600)))
(out "error %s" (err '(make-serial-process :port "/dev/null" :speed 9600)))
(out "error %s" (err '(make-serial-process :port tty :speed -1)))
(out "error %s" (err '(make-serial-process :port tty :speed 9600 :bytesize 9)))
(out "error %s" (err '(make-serial-process :port tty :speed 9600 :parity 'mark)))
(out "error %s" (err '(make-serial-process :port tty :speed 9600 :stopbits 3)))
(out "error %s" (err '(make-serial-process :port tty :speed 9600 :flowcontrol 'foo)))
(out "error %s" (err '(interrupt-process s)))
(out "error %s" (err '(signal-process s 'term)))
(delete-process s)
(out "deleted %s exit %s events %s" (process-status s) (process-exit-status s) events)
(out "error %s" (err '(process-send-string s "x")))
(out "error %s" (err '(serial-process-configure :process s :speed 9600)))
(setq events nil)
(setq s (make-serial-process :port tty :speed 9600 :name "again"
          :sentinel (lambda (p e) (setq events (append events (list (ev e)))))))
(delete-process m)
(while (and (null events) (accept-process-output s 2)))
(out "hangup %s exit %s events %s" (process-status s) (process-exit-status s) events))`

// The scenario above, in eproc: the same lines.
func serialScenario(t *testing.T) []string {
	rt := newRuntime(t, Config{})
	sp := newSerialPort(t)
	var lines []string
	out := func(format string, args ...any) {
		lines = append(lines, strings.ReplaceAll(fmt.Sprintf(format, args...), sp.name, "PORT"))
	}
	ev := func(e string) string { return strings.ReplaceAll(e, "\n", `\n`) }
	nilOr := func(v any) any {
		switch v := v.(type) {
		case nil:
			return "nil"
		case Parity:
			return v.String()
		case FlowControl:
			return v.String()
		}
		return v
	}
	var events []string
	p := mustSerial(t, rt, SerialArgs{Port: sp.name, Speed: 9600, Coding: Coding{"no-conversion", "no-conversion"},
		Sentinel: func(p *Process, e string) { events = append(events, ev(e)) }})
	out("name %s buffer %s", p.Name(), p.Buffer().Name())
	id := any(p.ID())
	if p.ID() == 0 {
		id = "nil"
	}
	out("status %s type %s id %s live %s", p.Status(), p.Type(), id, map[bool]string{true: "t", false: "nil"}[p.Live()])
	settings := func() {
		out("speed %v bytesize %v parity %v stopbits %v flowcontrol %v summary %v",
			nilOr(p.ContactKey(":speed")), nilOr(p.ContactKey(":bytesize")), nilOr(p.ContactKey(":parity")),
			nilOr(p.ContactKey(":stopbits")), nilOr(p.ContactKey(":flowcontrol")), nilOr(p.ContactKey(":summary")))
	}
	errText := func(err error) string {
		if err == nil {
			return "no error"
		}
		// eproc's errors may wrap a sentinel error after Emacs's text.
		for _, e := range []error{ErrNotRunning, ErrNotSubprocess} {
			if errors.Is(err, e) {
				return strings.TrimSuffix(err.Error(), ": "+e.Error())
			}
		}
		return err.Error()
	}
	settings()
	sp.master.WriteString("abc\n")
	waitUntil(t, rt, "output", func() bool { return p.Buffer().String() == "abc\n" })
	out("received %s", ev(p.Buffer().String()))
	p.SendString("xyz\n")
	out("device got %s", ev(string(sp.readMaster(t, 4))))
	p.SerialProcessConfigure(SerialConfig{Speed: 19200, ByteSize: 7, Parity: ParityOdd, StopBits: 2, FlowControl: FlowControlSW})
	settings()
	p.SerialProcessConfigure(SerialConfig{Parity: ParityEven, FlowControl: FlowControlHW})
	settings()
	out("configure error %s", errText(p.SerialProcessConfigure(SerialConfig{ByteSize: 5})))
	settings()
	p.Stop(false)
	out("stopped %s", p.Status())
	p.Continue(false)
	out("continued %s events %s", p.Status(), lispList(events))
	out("eof %s", map[bool]string{true: "t", false: "nil"}[p.SendEOF() == nil])
	out("list %s", strings.TrimSuffix(rt.ListProcesses(false).String(), "\n"))
	for _, a := range []SerialArgs{
		{Speed: 9600},
		{Port: "/dev/nonexistent-tty", Speed: 9600},
		{Port: "/dev/null", Speed: 9600},
		{Port: sp.name, Speed: -1},
		{Port: sp.name, Speed: 9600, ByteSize: 9},
		{Port: sp.name, Speed: 9600, Parity: "mark"},
		{Port: sp.name, Speed: 9600, StopBits: 3},
		{Port: sp.name, Speed: 9600, FlowControl: "foo"},
	} {
		_, err := rt.MakeSerialProcess(a)
		out("error %s", errText(err))
	}
	out("error %s", errText(p.Interrupt(false)))
	out("error %s", errText(rt.SignalProcess(p, "term")))
	p.Delete()
	out("deleted %s exit %d events %s", p.Status(), p.ExitStatus(), lispList(events))
	out("error %s", errText(p.SendString("x")))
	out("error %s", errText(p.SerialProcessConfigure(SerialConfig{Speed: 9600})))
	events = nil
	p = mustSerial(t, rt, SerialArgs{Port: sp.name, Speed: 9600, Name: "again",
		Sentinel: func(p *Process, e string) { events = append(events, ev(e)) }})
	sp.master.Close()
	waitUntil(t, rt, "the hang-up", func() bool { return len(events) > 0 })
	out("hangup %s exit %d events %s", p.Status(), p.ExitStatus(), lispList(events))
	return lines
}

// lispList prints strings as Emacs's format "%s" prints a list of them.
func lispList(s []string) string {
	if len(s) == 0 {
		return "nil"
	}
	return "(" + strings.Join(s, " ") + ")"
}

// TestSerialAgainstEmacs runs one scenario in the Emacs on this machine
// (GNU Emacs 28.2 here) and in eproc, and compares what they report:
// names, statuses, contact and summary, data, configuration, stop and
// continue, list-processes, the error texts, deletion and hang-up.
func TestSerialAgainstEmacs(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	emacs, err := exec.LookPath("emacs")
	if err != nil {
		t.Skip("no emacs")
	}
	cmd := exec.Command(emacs, "-Q", "--batch", "--eval", serialScenarioEL)
	cmd.Env = append(os.Environ(), "LANG=C.UTF-8")
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("emacs: %v", err)
	}
	want := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	got := serialScenario(t)
	for i := range max(len(got), len(want)) {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			t.Errorf("line %d:\neproc: %s\nEmacs: %s", i+1, g, w)
		}
	}
}
