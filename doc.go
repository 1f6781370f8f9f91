// Package eproc gives Go programs GNU Emacs's process objects.
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
// Windows notes: there are no ptys; children would get pipes, as the
// manual says, but eproc cannot make processes on Windows yet.
package eproc
