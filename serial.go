package eproc

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"syscall"
)

// Parity is a serial port's parity, the :parity keyword of
// make-serial-process and serial-process-configure. The zero value means
// the keyword was omitted: no parity when making a process, the current
// parity when configuring one.
type Parity string

// The parities Emacs knows.
const (
	ParityNone Parity = "none" // no parity bit (Emacs's nil)
	ParityOdd  Parity = "odd"
	ParityEven Parity = "even"
)

// String returns Emacs's symbol: "nil" for no parity, "odd" or "even".
func (p Parity) String() string {
	if p == "" || p == ParityNone {
		return "nil"
	}
	return string(p)
}

// FlowControl is a serial port's flow control, the :flowcontrol keyword.
// The zero value means the keyword was omitted: none when making a
// process, the current one when configuring one.
type FlowControl string

// The flow controls Emacs knows.
const (
	FlowControlNone FlowControl = "none" // no flow control (Emacs's nil)
	FlowControlHW   FlowControl = "hw"   // RTS/CTS hardware flow control
	FlowControlSW   FlowControl = "sw"   // XON/XOFF software flow control
)

// String returns Emacs's symbol: "nil" for none, "hw" or "sw".
func (f FlowControl) String() string {
	if f == "" || f == FlowControlNone {
		return "nil"
	}
	return string(f)
}

// SerialArgs are make-serial-process's keywords. A zero field means the
// keyword was omitted.
type SerialArgs struct {
	// Port is :port, the serial port's device file ("/dev/ttyS0",
	// "/dev/ttyUSB0"). It must not be empty.
	Port string
	// Speed is :speed, in bits per second. Emacs requires the keyword and
	// takes nil as "do not configure the port"; Go cannot omit a field, so
	// 0 is Emacs's :speed nil: the port is opened as it is, in whatever
	// mode it was, and ByteSize, Parity, StopBits and FlowControl are
	// ignored. Any positive speed the system can set is accepted (see
	// MakeSerialProcess).
	Speed int
	// ByteSize is :bytesize, 7 or 8 bits per byte; 0 means 8.
	ByteSize int
	// Parity is :parity; zero means ParityNone.
	Parity Parity
	// StopBits is :stopbits, 1 or 2; 0 means 1.
	StopBits int
	// FlowControl is :flowcontrol; zero means FlowControlNone.
	FlowControl FlowControl
	// Name is :name, made unique like a child's; "" means Port.
	Name string
	// Buffer is :buffer. Nil makes (or reuses) a buffer named after Name
	// (or Port when Name is ""), as Emacs does.
	Buffer *Buffer
	// Coding is :coding. A zero field takes Config.CodingSystemForRead or
	// CodingSystemForWrite, else "undecided", as Emacs leaves a serial
	// process's coding systems nil (decided from the first output).
	// default-process-coding-system does not apply, as in Emacs.
	Coding Coding
	// NoQuery is :noquery: the query-on-exit flag starts false.
	NoQuery bool
	// Stop is :stop: the process starts stopped and reads nothing until
	// Continue (it can still send).
	Stop bool
	// Filter is :filter; nil means DefaultFilter.
	Filter Filter
	// Sentinel is :sentinel; nil means DefaultSentinel.
	Sentinel Sentinel
	// Plist is :plist, the initial process plist (names and values
	// alternating).
	Plist []any
}

// SerialConfig are serial-process-configure's settings. A zero field
// keeps the port's current setting, as an omitted keyword does in Emacs;
// ParityNone and FlowControlNone turn parity and flow control off.
type SerialConfig struct {
	Speed       int         // bits per second; 0 keeps the current speed
	ByteSize    int         // 7 or 8; 0 keeps the current size
	Parity      Parity      // zero keeps the current parity
	StopBits    int         // 1 or 2; 0 keeps the current count
	FlowControl FlowControl // zero keeps the current flow control
}

// serialInfo is what a serial process knows beyond a Process's fields.
type serialInfo struct {
	args SerialArgs // the contact, with the settings as configured now; guarded by rt.mu
	attr serialAttr // the terminal modes eproc last asked for; guarded by rt.mu
}

// MakeSerialProcess is make-serial-process: a process of type "serial"
// talking to the serial port a.Port. Its ID is 0, its Command nil, its
// status "open" ("stop" while stopped). Output from the port goes to the
// filter, SendString writes to the port, as for any process.
//
// The port is opened without becoming the controlling terminal, in
// non-blocking mode, and made exclusive (TIOCEXCL: a second open fails with
// "Device or resource busy"). With a Speed, it is configured as
// SerialProcessConfigure does: raw mode (no echo, no line editing, no
// character conversion, no signal characters), the modem lines ignored
// (CLOCAL), the receiver on (CREAD), the speed, 8 or 7 bits per byte,
// parity, stop bits and flow control. ContactKey reports the settings.
//
// The port's one descriptor serves both directions and sits in the poller
// with every other process's; no goroutine reads it. Stop stops reading
// (input waits in the system) and Continue resumes, discarding the input
// that arrived meanwhile (tcflush), as Emacs does; SendString works while
// stopped. SendEOF waits until the output has been transmitted (tcdrain)
// and closes nothing. Delete closes the port: status "closed", sentinel
// "finished\n". When the other side hangs up (a USB adapter unplugged, the
// master of a pty closed) the status becomes "closed", ExitStatus 256, and
// the sentinel gets "exited abnormally with code 256\n", as in Emacs 28.2.
//
// Errors have Emacs's text: "No port specified"; "Opening serial port:
// No such file or directory, PORT" (wrapping the errno, so errors.Is(err,
// fs.ErrNotExist) holds) or "... Device or resource busy, PORT"; "Failed
// tcgetattr: Inappropriate ioctl for device" when the port is not a
// terminal; "Failed cfsetspeed: Invalid argument, SPEED" for a negative
// speed; ":bytesize must be nil (8), 7, or 8" and the like for bad
// settings. After an error nothing is left open and no process exists.
//
// Where eproc differs from Emacs 28.2: settings are checked before the
// port is opened, and a failure leaves no descriptor behind (Emacs's stays
// open). Speeds outside the system's table are set where the system
// allows (on Linux through termios2, for example 12345 or 250000 bits per
// second; Emacs 28 refuses them with "Failed cfsetspeed"); a speed the
// driver refuses fails with "Failed tcsetattr". On Linux a port another
// program holds exclusively is refused even when the caller is root (the
// kernel lets root through; Emacs run by root opens it). Closing the port
// clears its exclusive mode, so it can be opened again while another
// program still holds it open. The decoding system does not pass what it
// detected on to the encoding system as Emacs's nil coding does.
//
// Windows: Port is a COM port ("COM1", `\\.\COM10`); a name with no
// backslash is opened as `\\.\NAME`, as serial-term's serial-read-name
// does it (Emacs's make-serial-process passes the name on as it is, so
// COM10 and above need the prefix there). The port is opened exclusive and
// overlapped, its handle in the completion port with every other one, and
// configured through its DCB (SetCommState) as Emacs on Windows does: raw
// binary mode, the speed, byte size, parity, stop bits, RTS/CTS (hw) or
// XON/XOFF (sw) flow control. A port held by another program, or by this
// one, gives "Opening serial port: Device or resource busy, PORT" (Emacs
// on Windows says "Could not open PORT"); a missing one "... No such file
// or directory, PORT". SendEOF waits for the output to leave
// (FlushFileBuffers); Continue discards pending input (PurgeComm). The
// configuration errors are "GetCommState() failed: REASON" and
// "SetCommState() failed: REASON" (Emacs's texts with the reason added).
func (rt *Runtime) MakeSerialProcess(a SerialArgs) (*Process, error) {
	if a.Port == "" {
		return nil, errors.New("No port specified")
	}
	name := a.Name
	if name == "" {
		name = a.Port
	}
	contact := a
	contact.Plist = append([]any(nil), a.Plist...)
	if a.Speed != 0 {
		var err error
		contact, err = mergeSerial(contact, SerialConfig{})
		if err != nil {
			return nil, err
		}
	}
	decCS, encCS, err := rt.serialCoding(a.Coding)
	if err != nil {
		return nil, err
	}
	rt.mu.Lock()
	if rt.closed {
		rt.mu.Unlock()
		return nil, ErrClosed
	}
	_, err = rt.pollerLocked()
	rt.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("eproc: cannot make serial processes on this system: %w", err)
	}

	fd, err := openSerial(a.Port)
	if err != nil {
		return nil, err
	}
	var attr serialAttr
	if contact.Speed != 0 {
		if attr, err = configureSerial(fd, contact); err != nil {
			releaseSerial(fd)
			return nil, err
		}
	}
	buf := a.Buffer
	if buf == nil {
		buf = rt.GetBufferCreate(name)
	}

	p := rt.newProcess(kindSerial)
	p.serial = &serialInfo{args: contact, attr: attr}
	p.filter = a.Filter
	p.sentinel = a.Sentinel
	p.query = !a.NoQuery
	p.stopped = a.Stop
	p.plist = append([]any(nil), a.Plist...)
	p.tr = serialLine{}
	p.setFDs(fd, fd)
	p.setCodingLocked(decCS, encCS)
	p.mark.Set(buf, buf.PointMax())

	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.closed {
		releaseSerial(fd)
		return nil, ErrClosed
	}
	rt.addProcess(p, name)
	p.buffer = buf
	rt.registerFDsLocked(p)
	rt.armLocked(p)
	return p, nil
}

// serialCoding finds a serial process's coding systems as Emacs does: the
// call's :coding, then coding-system-for-read / -write, then nil, which
// decodes as undecided.
func (rt *Runtime) serialCoding(c Coding) (dec, enc *CodingSystem, err error) {
	pick := func(a, b string) string {
		if a != "" {
			return a
		}
		if b != "" {
			return b
		}
		return "undecided"
	}
	if dec, err = LookupCodingSystem(pick(c.Decoding, rt.cfg.CodingSystemForRead)); err != nil {
		return nil, nil, err
	}
	if enc, err = LookupCodingSystem(pick(c.Encoding, rt.cfg.CodingSystemForWrite)); err != nil {
		return nil, nil, err
	}
	return dec, enc, nil
}

// SerialProcessConfigure is serial-process-configure: it changes the
// settings of the serial process p. Zero fields of c keep the current
// settings; the others are checked and set as MakeSerialProcess does, all
// at once. On an error nothing changes.
//
// It returns "Not a serial process" for other processes, and Emacs's
// "Failed tcgetattr: Bad file descriptor" once p is closed.
//
// Where eproc differs from Emacs 28.2: a port opened with Speed 0 is
// configured once c has a Speed (Emacs never configures such a port); with
// no Speed it is left alone, as in Emacs.
func (p *Process) SerialProcessConfigure(c SerialConfig) error {
	if p == nil {
		return ErrNilProcess
	}
	if p.kind != kindSerial {
		return errors.New("Not a serial process")
	}
	rt := p.rt
	rt.mu.Lock()
	defer rt.mu.Unlock()
	s := p.serial
	if s.args.Speed == 0 && c.Speed == 0 {
		return nil
	}
	cur := s.args
	if cur.Speed == 0 {
		// The settings given with no speed were ignored: start afresh.
		cur.ByteSize, cur.Parity, cur.StopBits, cur.FlowControl = 0, "", 0, ""
	}
	next, err := mergeSerial(cur, c)
	if err != nil {
		return err
	}
	if !p.in.open() {
		return &FileError{Op: "Failed tcgetattr", Err: syscall.EBADF}
	}
	attr, err := configureSerial(p.in.fd, next)
	if err != nil {
		return err
	}
	s.args, s.attr = next, attr
	return nil
}

// mergeSerial puts the non-zero settings of c into cur, gives the
// settings still unset their defaults (8N1, no flow control), and checks
// them in Emacs's order, with Emacs's messages.
func mergeSerial(cur SerialArgs, c SerialConfig) (SerialArgs, error) {
	if c.Speed != 0 {
		cur.Speed = c.Speed
	}
	if c.ByteSize != 0 {
		cur.ByteSize = c.ByteSize
	}
	if c.Parity != "" {
		cur.Parity = c.Parity
	}
	if c.StopBits != 0 {
		cur.StopBits = c.StopBits
	}
	if c.FlowControl != "" {
		cur.FlowControl = c.FlowControl
	}
	if cur.ByteSize == 0 {
		cur.ByteSize = 8
	}
	if cur.Parity == "" {
		cur.Parity = ParityNone
	}
	if cur.StopBits == 0 {
		cur.StopBits = 1
	}
	if cur.FlowControl == "" {
		cur.FlowControl = FlowControlNone
	}
	// The system's speeds are 32-bit numbers at most (int32 on some BSDs).
	if cur.Speed < 0 || cur.Speed > math.MaxInt32 {
		return cur, &FileError{Op: "Failed cfsetspeed", Err: syscall.EINVAL, Path: strconv.Itoa(cur.Speed)}
	}
	if cur.ByteSize != 7 && cur.ByteSize != 8 {
		return cur, errors.New(":bytesize must be nil (8), 7, or 8")
	}
	switch cur.Parity {
	case ParityNone, ParityOdd, ParityEven:
	default:
		return cur, errors.New(":parity must be nil (no parity), ‘even’, or ‘odd’")
	}
	if cur.StopBits != 1 && cur.StopBits != 2 {
		return cur, errors.New(":stopbits must be nil (1 stopbit), 1, or 2")
	}
	switch cur.FlowControl {
	case FlowControlNone, FlowControlHW, FlowControlSW:
	default:
		return cur, errors.New(":flowcontrol must be nil (no flowcontrol), ‘hw’, or ‘sw’")
	}
	return cur, nil
}

// serialSummary is the contact's :summary, "8N1" and the like: byte size,
// parity (N, E, O), stop bits.
func serialSummary(a SerialArgs) string {
	par := byte('N')
	switch a.Parity {
	case ParityEven:
		par = 'E'
	case ParityOdd:
		par = 'O'
	}
	return string([]byte{byte('0' + a.ByteSize), par, byte('0' + a.StopBits)})
}

// serialContactKeyLocked is ContactKey for a serial process: the keys of
// make-serial-process, with the settings as configured now (nil for
// each setting, ":speed" and ":summary" of a port opened with Speed 0, as
// Emacs's contact then has none). rt.mu must be held.
func (p *Process) serialContactKeyLocked(key string) any {
	a := p.serial.args
	configured := a.Speed != 0
	switch key {
	case ":port":
		return a.Port
	case ":name":
		if a.Name == "" {
			return nil
		}
		return a.Name
	case ":buffer":
		return p.buffer
	case ":coding":
		return a.Coding
	case ":noquery":
		return a.NoQuery
	case ":stop":
		return p.stopped
	case ":filter":
		return p.filter
	case ":sentinel":
		return p.sentinel
	case ":plist":
		return append([]any(nil), p.plist...)
	}
	if !configured {
		return nil
	}
	switch key {
	case ":speed":
		return a.Speed
	case ":bytesize":
		return a.ByteSize
	case ":parity":
		return a.Parity
	case ":stopbits":
		return a.StopBits
	case ":flowcontrol":
		return a.FlowControl
	case ":summary":
		return serialSummary(a)
	}
	return nil
}

// serialContactLocked is Contact for a serial process: its SerialArgs with
// the settings as configured now and Buffer, Filter and Sentinel as they
// are now. rt.mu must be held.
func (p *Process) serialContactLocked() SerialArgs {
	a := p.serial.args
	a.Buffer, a.Filter, a.Sentinel = p.buffer, p.filter, p.sentinel
	a.Plist = append([]any(nil), a.Plist...)
	return a
}

// serialMenuText is a serial process's command column in ListProcesses,
// as Emacs 28's process menu writes it: "(serial port /dev/ttyS0 at 9600
// b/s)", without the speed for a port opened with Speed 0.
func (p *Process) serialMenuText() string {
	p.rt.mu.Lock()
	a := p.serial.args
	p.rt.mu.Unlock()
	if a.Speed == 0 {
		return "(serial port " + a.Port + ")"
	}
	return "(serial port " + a.Port + " at " + strconv.Itoa(a.Speed) + " b/s)"
}

// serialLine is the transport of a serial process.
type serialLine struct{ stream }

// ended records that the other side of the port hung up (end of file or
// an error on reading): status "closed", ExitStatus 256, and the
// sentinel's "exited abnormally with code 256\n", as Emacs 28.2 reports
// it.
func (t serialLine) ended(rt *Runtime, p *Process) {
	t.stream.ended(rt, p)
	rt.endStatusLocked(p, 256)
}

// sendEOF waits until the output has been transmitted (tcdrain) and closes
// nothing, as Emacs does.
func (serialLine) sendEOF(p *Process) error {
	if err := p.waitQueued(); err != nil {
		return err
	}
	return p.drainSerial() // serial_unix.go, serial_windows.go
}

// release lets the port be opened again (serial_unix.go,
// serial_windows.go).
func (serialLine) release(p *Process) { unexclusive(p.in.fd) }
