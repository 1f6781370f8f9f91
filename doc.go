// Package eproc gives Go programs GNU Emacs's process objects: the
// "Processes" chapter of the Emacs Lisp Reference Manual, with Emacs's
// behaviour (event strings, naming, ordering, errors) and without its
// limits.
//
// # The model
//
// A [Runtime] is one Emacs's process world: a table of processes with
// unique names, a table of buffers, a [Config] holding the Emacs variables
// (process-connection-type, exec-path, process-environment,
// delete-exited-processes, read-process-output-max, ...) and an accept
// loop. The package-level functions act on [Default]; libraries and tests
// make their own with [NewRuntime].
//
// A [Process] is a child started by [Runtime.MakeProcess] (or
// [Runtime.StartProcess], [Runtime.StartProcessShellCommand]) over pipes or
// a pseudo-terminal, or a pipe process made by [Runtime.MakePipeProcess].
// What the child writes is decoded through the process's coding system and
// handed to its [Filter]; the default filter, [DefaultFilter], inserts it
// into the process [Buffer] at the process mark, a [Marker]. Each status
// change (exit, death by a signal, stop, continue) runs the process's
// [Sentinel] with Emacs's event string ("finished\n", "killed\n", ...);
// the default sentinel, [DefaultSentinel], writes "\nProcess NAME EVENT"
// into the buffer. Input goes in with [Process.SendString],
// [Process.SendRegion] and [Process.SendEOF]; signals with
// [Process.Interrupt], [Process.Kill], [Process.Stop], [Process.Continue]
// and [Runtime.SignalProcess].
//
// # The concurrency promise
//
// As in Emacs, output, status changes and sentinels are dispatched only
// inside an accept call: [Runtime.AcceptProcessOutput], [Process.Wait],
// [Runtime.Run], [Runtime.SitFor], the wait inside [Process.SendString]
// while a child's input is full, and [Process.Delete] and
// [Process.Continue], which run the sentinel before they return. Filters
// and sentinels run on the goroutine that made the accept call, one at a
// time, never concurrently within a Runtime. So a program can make a
// process and set its filter afterwards without losing output. Every
// exported function and method is safe for concurrent use by many
// goroutines; when several goroutines accept at once, one waits in the
// poller and the others wait for its turn, and each callback still runs
// alone. A filter or sentinel may call back into eproc, including
// AcceptProcessOutput (re-entering the loop, as Emacs allows).
//
// Reading is demand-driven: bytes are read from the kernel only when an
// accept call dispatches them, at most Config.ReadProcessOutputMax bytes
// per process per turn, round-robin across processes. Output nobody
// accepts stays in the kernel's pipe and the child blocks, so memory stays
// bounded whatever children write.
//
// # Go-native use
//
// Beside Emacs's functions, eproc has what Go programs expect, in Emacs's
// model: [Process.Done], a channel closed once the exit sentinel has run;
// [WaitAll] for many processes; [Runtime.WaitEvent], which returns for any
// output or status change (AcceptProcessOutput, like Emacs's, ignores
// status changes); [Process.LastEvent], the last sentinel event in typed
// form. A *Process is an io.Writer for its input, [Process.Writer] an
// io.WriteCloser whose Close is SendEOF, and [Process.Reader] a pull
// io.Reader over its output, with bounded memory. [Process.Expecter] waits
// for strings and regular expressions in the output beside the filter.
// [Process.SetFilterT] is Emacs's filter t. [Runtime.Call] runs a program
// synchronously with a directory, environment and standard input of its
// own. Done and LastEvent dispatch nothing; WaitAll, WaitEvent, Read and
// Expect are accept calls (Read and Expect for their process alone). See
// the README's "Coming from os/exec" for the defaults that surprise a Go
// programmer: ptys, standard error mixed in, event strings ending in "\n".
//
// # Where eproc does better than Emacs 28
//
// One poller (epoll, kqueue, an I/O completion port) with no descriptor
// ceiling; at most two descriptors per pipe child and none for reaping
// (SIGCHLD, then wait4 on our own pids only, so the host program's own
// os/exec children are never reaped by eproc); no goroutine per child; reads of 64 KiB with no
// artificial delays; [Process.Stop] really stops a child; a signal to a
// child eproc has reaped is refused instead of reaching a reused pid; a
// child that closes its output but keeps running costs no CPU; all output
// is delivered before the exit sentinel. The doc comment of each function
// says where it departs from Emacs 28.2 and why.
//
// # Files
//
// Each concept lives in the file named after it: runtime.go (Runtime,
// Config, the buffer table), default.go (the package-level functions on
// Default), shutdown.go (Close), loop.go (the accept loop:
// AcceptProcessOutput, Wait, Run, SitFor; its header follows a byte and a
// death through the files), dispatch.go (the dispatch lock and the locking
// discipline), readtogether.go (a turn's reads on two goroutines when
// several processes are ready), descriptor.go (pfd: a descriptor, its
// poller registration and its closing), transport.go (what differs with how a process's bytes
// travel: one transport each for a child over pipes, a pty child, a pipe
// process, a stream socket, a listener, a datagram socket, a serial port,
// each beside the code it is about), status.go (Status, event strings'
// statuses, setStatusLocked: the one place a status changes), callback.go
// (running filters and sentinels, CallbackError), poll_linux.go /
// poll_bsd.go / poll_windows.go (epoll, kqueue, an I/O completion port),
// process.go (Process, MakeProcess, information, plist, Delete), spawn.go
// (what starting a child takes and gives, on every system), pipe.go
// (MakePipeProcess), pty.go and pty_unix.go (pseudo-terminals),
// pty_termios.go (the terminal modes), send.go (input), signal.go
// (signals), filter.go (filters, filter t, BytesFilter), sentinel.go
// (sentinels and their event strings), coding.go and coding_*.go (coding
// systems, one file per family; coding_tables.go is generated from Emacs
// by internal/gencoding), buffer.go (Buffer and Marker; buffer_utf8.go
// checks and counts inserted text in one pass), shell.go
// (ShellQuoteArgument and friends), lookpath.go (exec-path search),
// callproc.go (CallProcess and its family, Call), list.go
// (ListProcesses), tq.go (transaction queues), network.go and network_*.go
// (MakeNetworkProcess and friends: sockets, addresses, half-close, accept
// back-off, interfaces), serial.go and serial_*.go (MakeSerialProcess,
// SerialProcessConfigure), native.go (Done, WaitAll, WaitEvent,
// LastEvent), reader.go (the io adapters), expect.go (Expecter),
// filehandler.go (file handlers, remote file names, StartFileProcess,
// ProcessFile), remote.go, remote_ssh.go and remote_callproc.go (remote
// processes: RemoteHandler), errors.go (the error types and values).
//
// Per-system code follows os/exec: the portable file holds the types and
// the exported API, and FILE_unix.go, FILE_windows.go and FILE_other.go
// (every other system: errors wrapping errors.ErrUnsupported) each hold
// the same few unexported functions: spawn_*.go (spawn), fd_*.go (readFD,
// writeFD, closeFD, pipes), reap.go and reap_*.go (noticing children's
// ends; pidfd_linux.go lets a child's exit wake the poller itself),
// signal_*.go (delivering signals), callproc_*.go (call-process's
// process attributes and statuses), network_sock.go and network_*.go
// (sockets: the logic in network_sock.go, the primitives over each
// system's socket calls in network_unix.go, network_windows.go and
// network_other.go). On Windows
// waits_windows.go holds the thread-pool waits and errtext_windows.go the
// texts of Windows errors.
//
// # Network processes
//
// [Runtime.MakeNetworkProcess] makes processes of type "network" over
// sockets (TCP, UDP, Unix-domain), modelled like pipe processes: no child,
// ID 0, statuses "open", "listen", "connect", "failed", "closed". A
// server's listening socket sits in the poller like any descriptor; the
// accept loop accepts when it is ready and makes the connection's process
// (see MakeNetworkProcess for names, buffers, log and sentinel calls). A
// nowait client waits for its socket to become writable, then its sentinel
// gets "open\n" or "failed with code N\n". A stream's SendEOF shuts the
// sending side down. network.go holds the portable part (arguments,
// contact, ContactKey), network_address.go the address vectors and
// FormatNetworkAddress, network_iface.go the interface list and address
// lookups, network_eof.go a peer's half-close, network_backoff.go the
// accept back-off, network_sock.go the sockets on every system (opening
// and connecting, accepting in batches, datagrams, socket options, socket
// addresses). network_unix.go, network_windows.go and network_other.go
// hold the same few primitives under it, thin over each system's calls
// (listed at the top of network_sock.go): on Unix over x/sys/unix, on
// Windows over Winsock with each socket an overlapped handle of
// fd_windows.go (AcceptEx, ConnectEx), elsewhere stubs. Smaller
// per-system files hold one function each: on Unix socketCloexec
// (network_socket.go, network_socket_darwin.go), acceptCloexec
// (network_accept4.go, and network_accept.go where there is no accept4),
// maxListenBacklog (network_listen_*.go) and the Linux-only socket
// options (network_linux.go, network_sockopt_other.go); interfaceInfo
// (network_iface_*.go).
//
// Where eproc differs from Emacs 28 on networks: IPv6 connection names
// print the right groups ("[0:0:0:0:0:0:0:1]", not Emacs 28's byte-swapped
// ones); a nowait host lookup failure calls the sentinel with "failed with
// code Name lookup of HOST failed\n" (Emacs 28 never calls it), and host
// names are resolved before MakeNetworkProcess returns even with Nowait;
// ExitStatus during "connect" is 0 (Emacs 28 crashes). After a peer's
// half-close, input already queued and what the filter sends while it
// handles the last chunk are written before the socket closes (Emacs 28
// closes at once and loses them). A server's listen queue is the system's
// longest, not 5; a server whose accepts fail for lack of descriptors
// pauses instead of spinning, logs the failure once, and accepts again
// when descriptors are freed. A NUL byte or an empty Unix socket name is
// an error (Emacs 28 cuts the name, or binds an abstract address).
//
// Windows notes: network processes work as on Unix, except Family
// "local" (no Unix-domain sockets, as in Emacs on Windows: an error
// wrapping errors.ErrUnsupported) and the options :priority and
// :bindtodevice; a failed nowait connection reports the Winsock code
// ("failed with code 10061\n" for a refused one), as Emacs on Windows
// does.
//
// # Serial processes
//
// [Runtime.MakeSerialProcess] opens a serial port (a terminal device) as a
// process of type "serial": no child, ID 0, status "open" ("stop" while
// stopped), "closed" once deleted ("finished\n") or hung up by the other
// side ("exited abnormally with code 256\n", as Emacs 28.2 says). The
// port's one descriptor serves both directions and sits in the poller like
// any other. [Process.SerialProcessConfigure] changes the speed, byte size,
// parity, stop bits and flow control; ContactKey reports them with
// Emacs's ":summary" ("8N1"). serial.go holds the portable part,
// serial_unix.go the terminal modes, serial_linux.go and serial_bsd.go the
// per-system calls.
//
// Where eproc differs from Emacs 28 on serial ports: settings are checked
// before the port is opened and nothing stays open after an error; speeds
// outside the system's table are set where the system allows (termios2 on
// Linux); on Linux a port held exclusively is refused even to root; closing
// a port ends its exclusive mode; SerialProcessConfigure configures a port
// opened with Speed 0 when given a speed; Command stays nil while the
// process is stopped (Emacs's process-command is then t).
//
// Windows notes: serial processes open COM ports ("COM1", `\\.\COM10`)
// as Emacs on Windows does: exclusive, overlapped, configured through the
// port's DCB. The handle sits in the completion port with every pipe and
// socket; since a zero-byte read of a comm device completes at once, the
// report that a port is readable is the completion of a one-byte read,
// whose byte the next read hands out first (serial_windows.go). SendEOF
// flushes (FlushFileBuffers), Continue purges the input (PurgeComm); a
// line that hangs up ends the process as on Unix. The CI tests this under
// Wine on ptys behind COM5 and COM6 (internal/ptyecho), which cannot show
// byte size and parity (a Linux pty forces 8N1: the DCB eproc asked for is
// checked instead) or another program's exclusive hold (Wine does not make
// COM ports exclusive; eproc refuses a port it holds itself).
//
// # Ptys
//
// A child gets a pseudo-terminal unless the caller asks for pipes
// (ConnectionType, Config.ProcessConnectionType), as in Emacs; the newest
// manual's (INPUT . OUTPUT) form is PTYInPipeOut and PipeInPTYOut. The pty
// is the child's controlling terminal in a session of its own, with the
// modes Emacs sets (no echo, canonical input, ^C ^\ ^Z ^D, no NL to CRNL;
// see MakeProcess), and a window size of 0x0 until SetWindowSize. TTYName
// names it; RunningChildP tells whether a shell on it runs a job; the
// signal methods with currentGroup reach the terminal's foreground job.
// pty.go holds the portable part, pty_unix.go and pty_termios_*.go the
// system calls.
//
// Where eproc differs from Emacs 28 on ptys: a line of input longer than
// the terminal keeps (4095 bytes on Linux) arrives whole, handed to the
// reader in pieces, where Emacs drops the excess (see SendString); a pty
// with no program has ID 0, not -2, and the same modes as any child's pty.
//
// Linux notes: a pty master reports the end of output with EIO, which
// eproc takes as end of file, after every byte the child wrote. The longest
// line is 4095 bytes.
//
// BSD and macOS notes: the same modes are set; eproc inserts the EOF
// character every 254 bytes of a long line (MAX_CANON), below what these
// terminals keep.
//
// Windows notes: there are no ptys; every child gets pipes, as the manual
// says for MS-Windows, whatever the connection type asks.
//
// # The host program and SIGCHLD
//
// On Unix eproc learns of its children's exits from SIGCHLD, received
// through os/signal (so os/exec keeps working beside it, and eproc calls
// wait4 on its own pids only), and on Linux also from a pidfd per child
// while a Runtime has fewer than 64 children. A host program that calls
// signal.Reset() or signal.Reset(syscall.SIGCHLD) does not stop this:
// while any Runtime has children, eproc renews its signal.Notify and
// checks its children every second, so an exit is seen at most about a
// second late. signal.Ignore(syscall.SIGCHLD) costs more: while SIGCHLD is
// ignored, the kernel discards the exit status of every child that exits
// (the host's os/exec children's too: their Wait fails), so an eproc child
// that exits then gets the status "exit" with ExitStatus -1 (sentinel
// event "exited abnormally with code -1\n"), seen within about a second
// (ten with a Runtime of 64 children or more, should the host take SIGCHLD
// back first); and while any Runtime has children, eproc's next check
// takes SIGCHLD back for the whole program, undoing the Ignore.
//
// # Other systems
//
// Linux is the reference platform. macOS and the BSDs use kqueue and the
// same code otherwise. Other systems (Plan 9, WebAssembly) build, and
// making a process there returns an error wrapping errors.ErrUnsupported.
//
// # Windows notes
//
// Processes, pipe, network and serial processes work on Windows with
// the same model and promise: reads are demand-driven, every byte comes
// before the exit sentinel, a sentinel reports termination exactly once,
// and no goroutine waits for a child. eproc makes a named pipe for each of
// a child's standard streams (its own end overlapped) and uses one I/O
// completion port as the poller: a zero-byte read completing is the report
// that a pipe is readable, and bytes are read only when an accept call
// dispatches them (see fd_windows.go). The system's thread pool waits on
// each child's process handle and records its end at once, waking the
// poller, as SIGCHLD does on Unix (reap_windows.go).
//
// What differs, as in Emacs on Windows (w32proc.c):
//
//   - No ptys: pipes for every child.
//   - Programs are searched with exec-suffixes (.exe .com .bat .cmd .btm
//     and none); only a name ending in .exe, .com, .bat or .cmd is
//     executable. argv[0] is the program's file with backslashes, and the
//     command line is quoted for the Microsoft C runtime as Emacs quotes it
//     (arguments with spaces, tabs, wildcards or double quotes in double
//     quotes). A .bat or .cmd program runs through cmd.exe, which parses
//     its arguments again: quote them for cmd.exe (ShellQuoteArgument)
//     if they hold its special characters.
//   - Arguments are Unicode text (CreateProcess takes UTF-16): the
//     encoding system does not apply to them (Emacs 28 encodes them into
//     the ANSI code page).
//   - A program that cannot be run is an error ("Spawning child process:
//     No such file or directory, PROG"), not a child that exits with 127.
//   - Signals: Interrupt and Quit send Ctrl-Break to the child's process
//     group (each child leads one), which reaches it only when it shares
//     eproc's console; without a console they return an error wrapping
//     errors.ErrUnsupported. Kill, and the SIGHUP of kill-buffer and Close,
//     terminate the child with exit code 255 ("exited abnormally with code
//     255\n"; Delete still reports "killed\n", as Emacs's delete-process
//     does). Only the child ends, not its own children. Every other signal,
//     and Stop and Continue of a child, return an error wrapping
//     errors.ErrUnsupported; Stop and Continue of a pipe, network or
//     serial process work (they stop reading).
//   - Exit codes: a child ended by Ctrl-C or Ctrl-Break
//     (STATUS_CONTROL_C_EXIT) died of SIGINT ("interrupt\n"); any other
//     code is an exit with that code, kept whole (Emacs 28 keeps its low 8
//     bits).
//   - The shell is $SHELL, then %ComSpec% (cmd.exe) with "/c".
//   - Errors show Emacs's texts for Windows's error codes ("No such file
//     or directory", "Connection refused").
//   - process-environment names are compared without regard to case.
//   - Serial processes open COM ports (see Serial processes above); a
//     name with no backslash gets the `\\.\` prefix.
//
// The project's CI runs the Windows tests under Wine (.ci/run), where
// Ctrl-Break cannot be delivered; that one case is skipped there.
//
// The README has the table of every function, variable and keyword of the
// manual's chapter with its Go counterpart.
package eproc
