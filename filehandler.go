package eproc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// File handlers.
//
// Emacs runs a process wherever default-directory points: on this host for
// a local directory, on another host for a remote one such as
// "/ssh:user@host#2222:/srv/app/" (TRAMP's file-name syntax). It finds the
// code that knows how through file-name-handler-alist, a list of regular
// expressions and handlers matched against the directory. eproc has the
// same list for the process operations (Config.FileNameHandlers): a
// FileHandler makes processes and runs process-file for the directories
// it matches. StartFileProcess, StartFileProcessShellCommand, ProcessFile
// and ProcessFileShellCommand always consult the list; MakeProcess only
// with ProcessArgs.FileHandler set, as in Emacs; a directory no handler
// matches is local, and everything behaves as without handlers.
//
// The built-in handler, RemoteHandler (remote.go), runs programs over SSH
// and through sudo, docker, podman and kubectl exec.

// FileHandler is a file name handler for the process operations: Emacs's
// handlers of make-process (with :file-handler t), process-file and
// file-remote-p. Implement it to run processes your own way for the
// directories you register it for in Config.FileNameHandlers; to add a
// method of reaching a host (like docker exec), adding a Method to a
// RemoteHandler is usually simpler.
//
// eproc calls a handler's methods on the goroutine that called the
// operation; a handler registered on several Runtimes, or used by several
// goroutines, must be safe for concurrent use. A handler that makes a
// local child calls rt.MakeProcess with FileHandler false (Emacs's
// inhibit-file-name-handlers), so that it is not called again.
type FileHandler interface {
	// MakeProcess is make-process for a whose Dir is the directory the
	// handler matched (never ""); a.FileHandler is false.
	MakeProcess(rt *Runtime, a ProcessArgs) (*Process, error)
	// ProcessFile is process-file for a whose Dir is the directory the
	// handler matched (never ""). When ctx ends, the program should be
	// stopped as CallProcessContext stops a local one.
	ProcessFile(ctx context.Context, rt *Runtime, a ProcessFileArgs) (CallStatus, error)
	// FileRemoteP is file-remote-p: the remote part of name, such as
	// "/ssh:user@host:", or "" when name is local to this handler.
	FileRemoteP(name string) string
}

// FileNameHandler is one entry of file-name-handler-alist: Handler is used
// for the directories that Regexp matches.
type FileNameHandler struct {
	Regexp  *regexp.Regexp
	Handler FileHandler
}

// RemoteFileNameRegexp matches the file names that the built-in remote
// handler takes: those that start like "/METHOD:" (a method name of two
// or more letters, digits or dashes, so that "/c:" is not one), as
// TRAMP's tramp-file-name-regexp.
var RemoteFileNameRegexp = regexp.MustCompile(`^/[A-Za-z0-9-]{2,}:`)

// defaultHandlers is the handler list of a Config whose FileNameHandlers
// is nil.
var defaultHandlers = []FileNameHandler{{Regexp: RemoteFileNameRegexp, Handler: &RemoteHandler{}}}

// DefaultFileNameHandlers returns the handler list that a Config with nil
// FileNameHandlers uses: RemoteFileNameRegexp with a RemoteHandler of
// default settings (the same one each time).
func DefaultFileNameHandlers() []FileNameHandler {
	return append([]FileNameHandler(nil), defaultHandlers...)
}

func (rt *Runtime) fileNameHandlers() []FileNameHandler {
	if rt.cfg.FileNameHandlers == nil {
		return defaultHandlers
	}
	return rt.cfg.FileNameHandlers
}

// FindFileNameHandler is find-file-name-handler for the process
// operations: the handler of Config.FileNameHandlers whose regular
// expression matches name, or nil. As in Emacs, when several match, the
// one whose match starts last wins (the first of those in the list).
func (rt *Runtime) FindFileNameHandler(name string) FileHandler {
	var best FileHandler
	bestPos := -1
	for _, h := range rt.fileNameHandlers() {
		if h.Regexp == nil || h.Handler == nil {
			continue
		}
		if loc := h.Regexp.FindStringIndex(name); loc != nil && loc[0] > bestPos {
			best, bestPos = h.Handler, loc[0]
		}
	}
	return best
}

// FileRemoteP is file-remote-p: the remote part of name as its handler
// gives it ("/ssh:user@host#2222:" for "/ssh:user@host#2222:/srv/"), or ""
// for a local name. ParseRemoteFileName gives the parts of a name in the
// built-in syntax (Emacs's IDENTIFICATION argument).
func (rt *Runtime) FileRemoteP(name string) string {
	if h := rt.FindFileNameHandler(name); h != nil {
		return h.FileRemoteP(name)
	}
	return ""
}

// handlerFor returns the handler of the directory dir (Config's default
// directory when dir is empty), and that directory.
func (rt *Runtime) handlerFor(dir string) (FileHandler, string) {
	if dir == "" {
		dir = rt.cfg.DefaultDirectory
	}
	if dir == "" {
		return nil, ""
	}
	return rt.FindFileNameHandler(dir), dir
}

// localDirectory is the working directory of a local child for the
// directory dir ("" for the default directory): dir itself, or the home
// directory when dir has a file handler (it is remote), as Emacs runs a
// local process in "~" when default-directory is remote
// (unhandled-file-name-directory is nil; checked with Emacs 28.2).
func (rt *Runtime) localDirectory(dir string) string {
	if dir == "" {
		dir = rt.defaultDirectory()
	}
	if rt.FindFileNameHandler(dir) == nil {
		return dir
	}
	if home, err := os.UserHomeDir(); err == nil {
		return home
	}
	return "/"
}

// StartFileProcess is start-file-process: StartProcess in the default
// directory (Config.DefaultDirectory), through the file handler of that
// directory when it has one, so that the program runs on the remote host
// of a remote directory. Use MakeProcess with Dir and FileHandler set to
// run in another directory.
func (rt *Runtime) StartFileProcess(name string, buf *Buffer, program string, args ...string) (*Process, error) {
	var cmd []string
	if program != "" {
		cmd = append([]string{program}, args...)
	}
	return rt.MakeProcess(ProcessArgs{Name: name, Buffer: buf, Command: cmd, FileHandler: true})
}

// StartFileProcessShellCommand is start-file-process-shell-command:
// command run by a shell in the default directory. Locally the shell is
// Config.ShellFileName with Config.ShellCommandSwitch; through a file
// handler it is the remote "/bin/sh" with "-c" (TRAMP's connection-local
// shell-file-name).
func (rt *Runtime) StartFileProcessShellCommand(name string, buf *Buffer, command string) (*Process, error) {
	shell, sw := rt.shellFor("")
	return rt.StartFileProcess(name, buf, shell, sw, command)
}

// shellFor returns the shell and its command switch for the directory dir.
func (rt *Runtime) shellFor(dir string) (string, string) {
	if h, _ := rt.handlerFor(dir); h != nil {
		return "/bin/sh", "-c"
	}
	return rt.shellFileName(), rt.cfg.ShellCommandSwitch
}

// ProcessFileArgs are the arguments of process-file, with
// default-directory bound for the call (Dir).
type ProcessFileArgs struct {
	// Program and Args are the program and its arguments; a program named
	// without a slash is searched for (on the remote host's own PATH for
	// a remote directory).
	Program string
	Args    []string
	// Infile is the file whose contents are the program's standard input;
	// "" means the null device. A relative name is relative to Dir. For a
	// remote Dir, a local absolute name is read here and streamed to the
	// remote program (no remote copy is made), and a relative name or a
	// remote name on the same host is read there.
	Infile string
	// Dest says where the output goes, as for CallProcess; its files are
	// local files.
	Dest Destination
	// Dir is default-directory for this call; "" means
	// Config.DefaultDirectory.
	Dir string
	// Env holds process-environment entries for this call, in front of the
	// others, as ProcessArgs.Env.
	Env []string
}

// ProcessFile is process-file: CallProcess in the default directory
// (Config.DefaultDirectory), through the file handler of that directory
// when it has one, so that the program runs on the remote host of a
// remote directory. Use ProcessFileContext to name another directory or to
// cancel.
func (rt *Runtime) ProcessFile(program, infile string, dest Destination, args ...string) (CallStatus, error) {
	return rt.ProcessFileContext(context.Background(), ProcessFileArgs{Program: program, Args: args, Infile: infile, Dest: dest})
}

// ProcessFileContext is process-file with its arguments in a struct, a
// directory of its own (a.Dir) and cancellation: when ctx ends, the
// program is stopped as CallProcessContext stops a local one (for a remote
// program, the signals reach the remote program's process group).
func (rt *Runtime) ProcessFileContext(ctx context.Context, a ProcessFileArgs) (CallStatus, error) {
	if h, dir := rt.handlerFor(a.Dir); h != nil {
		a.Dir = dir
		return h.ProcessFile(ctx, rt, a)
	}
	return rt.callProcess(ctx, callRequest{program: a.Program, infile: a.Infile, dest: a.Dest, args: a.Args, dir: a.Dir, env: a.Env})
}

// ProcessFileShellCommand is process-file-shell-command: command (with
// args appended after spaces) run by a shell through ProcessFile. Locally
// the shell is Config.ShellFileName with Config.ShellCommandSwitch;
// through a file handler it is the remote "/bin/sh" with "-c".
func (rt *Runtime) ProcessFileShellCommand(command, infile string, dest Destination, args ...string) (CallStatus, error) {
	if len(args) > 0 {
		command += " " + strings.Join(args, " ")
	}
	shell, sw := rt.shellFor("")
	return rt.ProcessFile(shell, infile, dest, sw, command)
}

// RemoteFileName is a remote file name in TRAMP's syntax,
// "/METHOD:USER@HOST#PORT:LOCALNAME", with multi-hop names
// "/METHOD1:USER1@HOST1|METHOD2:USER2@HOST2:LOCALNAME". An IPv6 address
// is written in brackets: "/ssh:[::1]#2222:/tmp".
type RemoteFileName struct {
	// Hops are the hops, at least one; the last is the host where the
	// file is.
	Hops []Hop
	// LocalName is the file's name on that host ("" for the home
	// directory).
	LocalName string
}

// Hop is one hop of a remote file name.
type Hop struct {
	Method string // "ssh", "sudo", "docker", ...
	User   string // "" for the method's default
	Host   string // without brackets; "" for the method's default
	Port   int    // 0 for the method's default
}

// String returns the hop as it is written: "METHOD:USER@HOST#PORT".
func (h Hop) String() string {
	var b strings.Builder
	b.WriteString(h.Method)
	b.WriteByte(':')
	if h.User != "" {
		b.WriteString(h.User)
		b.WriteByte('@')
	}
	if strings.Contains(h.Host, ":") {
		b.WriteString("[" + h.Host + "]")
	} else {
		b.WriteString(h.Host)
	}
	if h.Port != 0 {
		b.WriteString("#" + strconv.Itoa(h.Port))
	}
	return b.String()
}

// Prefix returns the remote part of the name, file-remote-p's value:
// "/ssh:user@host#2222:".
func (f RemoteFileName) Prefix() string {
	var b strings.Builder
	b.WriteByte('/')
	for i, h := range f.Hops {
		if i > 0 {
			b.WriteByte('|')
		}
		b.WriteString(h.String())
	}
	b.WriteByte(':')
	return b.String()
}

// String returns the whole file name.
func (f RemoteFileName) String() string { return f.Prefix() + f.LocalName }

// ErrNotRemote is returned by ParseRemoteFileName for a name that is not a
// remote file name. Test with errors.Is.
var ErrNotRemote = errors.New("not a remote file name")

// ParseRemoteFileName parses a remote file name,
// "/METHOD:[USER@]HOST[#PORT]:LOCALNAME", with "|" between the hops of a
// multi-hop name and IPv6 hosts in brackets. A method has two or more
// letters, digits or dashes; USER, HOST and PORT may be empty. A name that
// does not start like "/METHOD:" is an error wrapping ErrNotRemote; one
// that does but is malformed is an error saying why.
func ParseRemoteFileName(name string) (RemoteFileName, error) {
	var f RemoteFileName
	if !RemoteFileNameRegexp.MatchString(name) {
		return f, fmt.Errorf("%q: %w", name, ErrNotRemote)
	}
	bad := func(why string) (RemoteFileName, error) {
		return RemoteFileName{}, fmt.Errorf("Invalid remote file name %q: %s", name, why)
	}
	rest := name[1:]
	for {
		colon := strings.IndexByte(rest, ':')
		if colon < 0 {
			return bad("no colon after the method")
		}
		var h Hop
		h.Method = rest[:colon]
		if !validMethodName(h.Method) {
			return bad("bad method name " + strconv.Quote(h.Method))
		}
		rest = rest[colon+1:]
		// USER@ comes before the first of ':', '|', '['.
		if end := strings.IndexAny(rest, ":|["); end >= 0 {
			if at := strings.LastIndexByte(rest[:end], '@'); at >= 0 {
				h.User = rest[:at]
				rest = rest[at+1:]
			}
		} else {
			return bad("no colon before the local name")
		}
		if strings.HasPrefix(rest, "[") {
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return bad("no closing bracket")
			}
			h.Host = rest[1:end]
			rest = rest[end+1:]
		} else {
			end := strings.IndexAny(rest, ":|#")
			if end < 0 {
				return bad("no colon before the local name")
			}
			h.Host = rest[:end]
			rest = rest[end:]
		}
		if strings.HasPrefix(rest, "#") {
			end := strings.IndexAny(rest, ":|")
			if end < 0 {
				return bad("no colon before the local name")
			}
			port, err := strconv.Atoi(rest[1:end])
			if err != nil || port <= 0 || port > 65535 {
				return bad("bad port " + strconv.Quote(rest[1:end]))
			}
			h.Port = port
			rest = rest[end:]
		}
		if strings.Contains(h.User, "/") || strings.ContainsAny(h.Host, "/[]") {
			return bad("bad user or host in " + strconv.Quote(h.String()))
		}
		f.Hops = append(f.Hops, h)
		switch {
		case strings.HasPrefix(rest, "|"):
			rest = rest[1:]
		case strings.HasPrefix(rest, ":"):
			f.LocalName = rest[1:]
			return f, nil
		default:
			return bad("unexpected " + strconv.Quote(rest))
		}
	}
}

func validMethodName(m string) bool {
	if len(m) < 2 {
		return false
	}
	for i := 0; i < len(m); i++ {
		c := m[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// Package-level functions acting on Default.
