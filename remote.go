package eproc

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// Remote processes.
//
// A remote directory's process runs as an ordinary eproc child: the
// OpenSSH client (or sudo, docker exec, ...) started like any local
// program, over pipes or a pty, with its Stderr, its reading by the poller
// and its reaping unchanged. What that child runs on the far side is a
// short POSIX sh script (startScript) that checks the directory and the
// program, writes a start record with the program's pid and process group,
// runs the program, and writes an end record with its exit code or the
// signal that killed it. The records travel on the program's own standard
// output, each one line starting with the byte 0x1E and a random nonce, so
// no program output is ever taken for one.
//
// MakeProcess reads the start record byte by byte before the loop sees the
// child (remoteProc.start, called from makeProcess), so that no byte of the
// program's output is read with it; the end record is taken out of the
// output on its way to the filter (remoteProc.output, called from
// filterOutput) and turned into the process's status just before the exit
// sentinel runs (remoteProc.finish, called from dispatchStatus). Signals,
// Delete, a killed buffer and Close reach the remote program with a kill
// command run through the same connection (route.run).
//
// SSH hops share one connection per host through an OpenSSH control
// master that eproc opens on first use (sshConn.connect) and closes in
// Runtime.Close.

// Method says how to reach a hop's host: an entry of TRAMP's tramp-methods.
// The program runs where the previous hop leads (here for the first hop)
// with Args, then the command: one shell command line for an SSH method,
// else "/bin/sh" "-c" COMMAND.
//
// In Args, each group of arguments is used or left out whole: a group is
// left out when a %-sequence in it has no value, as TRAMP does. The
// sequences are %h (the hop's host), %u (its user, or DefaultUser), %p
// (its port), %j (for SSH methods, the jump hosts of "-J" for the SSH hops
// before this one), and, as whole arguments, %t (PTYArgs for a pty
// connection, else PipeArgs) and %c (the connection-sharing options of an
// SSH method: the control master's). %% is a percent sign.
type Method struct {
	// Program is the program to run, looked up in Config.ExecPath on the
	// first hop.
	Program string
	// Args are the arguments before the command, in groups.
	Args [][]string
	// PTYArgs and PipeArgs are what %t stands for.
	PTYArgs, PipeArgs []string
	// SSH marks the OpenSSH client: consecutive hops of an SSH method
	// become one ssh with "-J", eproc shares one connection per host
	// through a control master, and the command is passed as one line for
	// the remote login shell (which must be a POSIX shell: sh, dash, bash,
	// ksh or zsh).
	SSH bool
	// SameHost marks a method that stays on the host of the previous hop
	// (sudo): the hop's host must be empty or name that host (or, for a
	// first hop, "localhost").
	SameHost bool
	// DefaultUser is the user when the hop names none ("root" for sudo).
	DefaultUser string
}

// DefaultMethods returns the built-in methods, a new map each time, for a
// RemoteHandler to start from:
//
//	ssh      ssh -o BatchMode=yes -o LogLevel=ERROR -e none -T|-tt [-J JUMPS] [-l USER] [-p PORT] HOST 'COMMAND'
//	sudo     sudo -n [-u USER] -- /bin/sh -c COMMAND          (USER defaults to root; never prompts)
//	docker   docker exec -i [-t] [-u USER] CONTAINER /bin/sh -c COMMAND
//	podman   podman exec -i [-t] [-u USER] CONTAINER /bin/sh -c COMMAND
//	kubectl  kubectl exec -i [-t] POD [-c CONTAINER] -- /bin/sh -c COMMAND   (/kubectl:CONTAINER@POD:/dir)
//
// BatchMode=yes means ssh never asks for a password or a host key: a
// connection that needs one fails with ssh's message. Set up keys (or an
// agent) and known hosts first.
func DefaultMethods() map[string]Method {
	exec := func(prog string) Method {
		return Method{
			Program: prog,
			Args:    [][]string{{"exec"}, {"-i"}, {"%t"}, {"-u", "%u"}, {"%h"}},
			PTYArgs: []string{"-t"},
		}
	}
	return map[string]Method{
		"ssh": {
			Program: "ssh",
			Args: [][]string{{"%c"}, {"-o", "BatchMode=yes"}, {"-o", "LogLevel=ERROR"}, {"-e", "none"},
				{"%t"}, {"-J", "%j"}, {"-l", "%u"}, {"-p", "%p"}, {"%h"}},
			PTYArgs:  []string{"-tt"},
			PipeArgs: []string{"-T"},
			SSH:      true,
		},
		"sudo": {
			Program:     "sudo",
			Args:        [][]string{{"-n"}, {"-u", "%u"}, {"--"}},
			SameHost:    true,
			DefaultUser: "root",
		},
		"docker": exec("docker"),
		"podman": exec("podman"),
		"kubectl": {
			Program: "kubectl",
			Args:    [][]string{{"exec"}, {"-i"}, {"%t"}, {"%h"}, {"-c", "%u"}, {"--"}},
			PTYArgs: []string{"-t"},
		},
	}
}

// RemoteHandler is the built-in FileHandler for remote directories:
// "/ssh:user@host#port:/dir/", "/sudo::/etc/", "/docker:container:/",
// multi-hop names such as "/ssh:bastion|ssh:host:/srv/" or
// "/ssh:host|sudo:root@host:/root/" (see ParseRemoteFileName), through
// the methods of Methods. Its zero value is ready to use: a Config with
// nil FileNameHandlers uses one. A RemoteHandler is safe for concurrent
// use and may serve several Runtimes; do not change its fields once in
// use. The connections it opens belong to each Runtime and close with it.
//
// # Processes
//
// MakeProcess (with FileHandler set), StartFileProcess and
// StartFileProcessShellCommand run the program on the remote host as a
// child running ssh (or the first hop's program): the same Process, with
// filters, sentinels, buffers, coding systems and Stderr. Differences
// from a local child:
//
//   - MakeProcess returns once the remote program has started (one round
//     trip), so a missing remote directory or program is its error, as
//     locally, and the remote program's pid is known: the process property
//     "remote-pid" (as TRAMP's). ID is the local ssh's pid, Command the
//     local command line; "remote-command" holds the remote one. The
//     remote program runs in the remote directory with the remote login
//     environment plus RemoteHandler.Env and ProcessArgs.Env (a "VAR"
//     entry unsets VAR); the local process-environment is not sent (ssh
//     still sends what your ssh configuration's SendEnv names).
//   - A pipe connection runs ssh -T: standard error stays separate when
//     Stderr asks for it. A pty connection (either side) runs ssh -tt: the
//     remote program gets a pty with the same modes as a local child's
//     (ssh copies them), TERM from ProcessArgs.Env or "dumb", its standard
//     error on the terminal, and SetWindowSize reaches it. Interrupt and
//     Quit with currentGroup type ^C and ^\ into the remote terminal.
//   - Interrupt, Kill, Quit, Stop, Continue and Signal reach the remote
//     program's process group (with currentGroup on a pty, the remote
//     terminal's foreground group), and SignalProcess the remote pid, by
//     a kill command through the same connection (a round trip): the
//     method returns once the signal was sent. Stop shows as status
//     "stop", and Continue as "run", as locally (Stop with currentGroup
//     sends SIGTSTP to the terminal's foreground job, as ^Z would).
//     RunningChildP looks at the local terminal only.
//   - Delete sends SIGKILL to the remote program's group as well as to
//     the local ssh; a killed buffer and Close send it SIGHUP, and Close,
//     as for a local child, SIGKILL after its grace period if it has not
//     ended (it ignored SIGHUP, or was stopped). So a remote program never
//     outlives its process, even on a pipe, where killing ssh alone would
//     leave it running.
//
// # Exit status
//
// The status is the remote program's, not ssh's: "exit" with its exit
// code (255 included), or "signal" with the signal that killed it,
// mapped by name to this system's number ("killed\n", "interrupt\n",
// ...), as the end record says. A SIGKILL from Kill or Delete, and the
// SIGHUP of a killed buffer or Close, show as those signals even though
// no end record can come. What stays ambiguous: a program killed by a
// signal sent to its pid alone by another than SignalProcess (a crash such
// as SIGSEGV, or a kill from elsewhere not aimed at its process group)
// shows as an exit with code 128+N, as a remote shell would report it; and
// when no end record comes because the connection was lost (ssh exits with
// 255) or the remote group was killed with SIGKILL by someone other than
// eproc, the status is "exit" 255 and the property
// "remote-connection-lost" is true. The status takes its final value when
// the exit sentinel runs.
//
// # Connections
//
// Each SSH first hop (with its jump hosts) gets one connection per
// Runtime: an OpenSSH control master started on first use with BatchMode
// (never a prompt), so that an unreachable host, a refused key or a host
// key mismatch is the error of MakeProcess or ProcessFile, with ssh's
// message (*ConnectionError). Its ControlPath is a short name in a private
// directory (0700) under /tmp, so that "ControlPath too long" cannot
// happen: a hash of the connection's ssh arguments (jump hosts and
// SSHOptions included), which serves as ssh's %C would, and a new name for
// each master. Every process and command to that host goes through it,
// and Runtime.Close closes it. When a process finds the connection lost,
// the next one opens a new master. If your ssh configuration (as "ssh -G" shows
// it, with SSHOptions) already sets ControlMaster and ControlPath, eproc
// uses yours: it starts a master there only when none runs, and closes
// only a master it started.
//
// # process-file
//
// ProcessFile runs one ssh through the master per call. A local infile is
// streamed to the remote program's standard input (no remote copy); the
// output and standard error files of Destination are local files; and
// when the context of ProcessFileContext ends, SIGINT and then SIGKILL
// reach the remote program's group, as for a local one.
type RemoteHandler struct {
	// Methods are the methods by name; nil means DefaultMethods().
	Methods map[string]Method
	// SSHOptions are arguments given to every ssh before the others, such
	// as {"-F", "/path/to/ssh_config"} or {"-o", "ServerAliveInterval=15"}.
	// ssh takes the first value it sees of an option, so these override
	// eproc's own.
	SSHOptions []string
	// Env holds environment entries for every remote program, in front of
	// ProcessArgs.Env ("VAR=value" sets, "VAR" unsets; earlier entries
	// win), like TRAMP's tramp-remote-process-environment. Nil means none.
	Env []string
	// ControlPersist is how long eproc's own control masters stay open
	// without any session (ssh's ControlPersist), in case the program
	// ends without Runtime.Close; a later process opens a new one. Zero
	// means ten minutes.
	ControlPersist time.Duration
	// Timeout bounds opening a connection, the start of a remote program
	// and each remote kill command. Zero means 60 seconds, as TRAMP's
	// tramp-connection-timeout.
	Timeout time.Duration
}

var builtinMethods = DefaultMethods()

func (h *RemoteHandler) methods() map[string]Method {
	if h.Methods == nil {
		return builtinMethods
	}
	return h.Methods
}

func (h *RemoteHandler) timeout() time.Duration {
	if h.Timeout > 0 {
		return h.Timeout
	}
	return 60 * time.Second
}

func (h *RemoteHandler) controlPersist() time.Duration {
	if h.ControlPersist > 0 {
		return h.ControlPersist
	}
	return 10 * time.Minute
}

// FileRemoteP returns the remote part of name ("/ssh:host:") when it is a
// remote file name, else "".
func (h *RemoteHandler) FileRemoteP(name string) string {
	f, err := ParseRemoteFileName(name)
	if err != nil {
		return ""
	}
	return f.Prefix()
}

// ConnectionError is the error of MakeProcess and ProcessFile when eproc
// cannot open the connection to a remote directory's host, or the hop
// programs fail before the remote program starts: Msg is their own message
// ("ssh: connect to host example.com port 22: Connection refused",
// "Host key verification failed.", "sudo: a password is required").
type ConnectionError struct {
	Prefix string // the remote part of the directory, "/ssh:user@host:"
	Msg    string
}

// Error returns "Cannot connect to PREFIX: MSG".
func (e *ConnectionError) Error() string {
	return "Cannot connect to " + strings.TrimSuffix(e.Prefix, ":") + ": " + e.Msg
}

// ErrConnectionLost is wrapped by the error of ProcessFile when the
// connection ended before the remote program's status came back (ssh
// exited with 255 and no end record). Test with errors.Is.
var ErrConnectionLost = errors.New("connection to the remote host lost")

// MakeProcess makes a process whose program runs in the remote directory
// a.Dir (see RemoteHandler). On Windows it is an error wrapping
// errors.ErrUnsupported: the remote side's reports travel on the local
// child's output, which only the Unix part reads (remote_unix.go).
func (h *RemoteHandler) MakeProcess(rt *Runtime, a ProcessArgs) (*Process, error) {
	if !remoteProcesses {
		return nil, fmt.Errorf("eproc: remote processes: %w", errors.ErrUnsupported)
	}
	f, err := ParseRemoteFileName(a.Dir)
	if err != nil {
		return nil, err
	}
	switch {
	case a.Stop:
		return nil, wrongType("null", "t")
	case len(a.Command) == 0:
		return nil, ErrNoProgram // a remote pty with no program is not supported
	}
	r, err := h.route(rt, f)
	if err != nil {
		return nil, err
	}
	if err := r.connect(); err != nil {
		return nil, err
	}
	env, err := h.remoteEnv(a.Env)
	if err != nil {
		return nil, err
	}
	pty := remotePTY(rt, a)
	nonce, err := newNonce()
	if err != nil {
		return nil, err
	}
	rp := &remoteProc{
		rt:    rt,
		route: r,
		gen:   r.generation(),
		pty:   pty,
		dir:   a.Dir,
		prog:  a.Command[0],
		cmd:   append([]string(nil), a.Command...),
		recs:  records{mark: []byte("\x1e" + nonce + ":")},
	}
	term := "dumb"
	for _, kv := range a.Env {
		if v, ok := strings.CutPrefix(kv, "TERM="); ok {
			term = v
			break
		}
	}
	la := a
	la.Command = r.argv(pty, startScript(nonce, f.LocalName, "", env, a.Command))
	la.Dir = rt.localDirectory("")
	la.Env = []string{"TERM=" + term}
	la.FileHandler = false
	return rt.makeProcess(la, rp)
}

// remotePTY tells whether a's connection, resolved as MakeProcess resolves
// it, puts the remote program on a pty.
func remotePTY(rt *Runtime, a ProcessArgs) bool {
	if !ptySupported {
		return false
	}
	conn := a.ConnectionType
	if conn == DefaultConnection {
		conn = rt.cfg.ProcessConnectionType
		switch s := a.Stderr.(type) {
		case *Buffer:
			if s != nil {
				conn = Pipe
			}
		case *Process:
			if s != nil {
				conn = Pipe
			}
		}
	}
	if conn == DefaultConnection {
		conn = PTY
	}
	return conn.ptyIn() || conn.ptyOut()
}

// remoteEnv checks and joins the environment entries for a remote program.
func (h *RemoteHandler) remoteEnv(extra []string) ([]string, error) {
	env := make([]string, 0, len(extra)+len(h.Env))
	seen := make(map[string]bool)
	for _, list := range [][]string{extra, h.Env} {
		for _, kv := range list {
			name, _, _ := strings.Cut(kv, "=")
			if !validEnvName(name) || strings.IndexByte(kv, 0) >= 0 {
				return nil, fmt.Errorf("Invalid remote environment entry %q", kv)
			}
			if !seen[name] {
				seen[name] = true
				env = append(env, kv)
			}
		}
	}
	return env, nil
}

func validEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || i > 0 && '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

func newNonce() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

// startScript is the POSIX sh program run on the last hop: it sets the
// environment, checks the directory, the input file and the program
// (writing an error record if one is missing), writes the start record
// with the program's pid and process group, runs the program with the
// script's traps reset, and writes the end record: "signal:NAME" when the
// program died of a signal that reached the script too (a signal to the
// process group), else "exit:CODE". The script's own messages (a shell
// reporting a killed child) go to /dev/null; the program keeps the
// original standard error.
func startScript(nonce, dir, infile string, env, command []string) string {
	var b strings.Builder
	b.WriteString("set --")
	for _, s := range []string{nonce, dir, infile, strconv.Itoa(len(env))} {
		b.WriteString(" " + remoteQuote(s))
	}
	for _, s := range env {
		b.WriteString(" " + remoteQuote(s))
	}
	for _, s := range command {
		b.WriteString(" " + remoteQuote(s))
	}
	b.WriteString(`
m=$1 d=$2 f=$3 n=$4
shift 4
while [ "$n" -gt 0 ]; do case $1 in *=*) export "$1";; *) unset "$1";; esac; shift; n=$((n-1)); done
e() { printf '\036%s:error:%s\n' "$m" "$1"; exit 1; }
case $d in "~") d=$HOME;; "~/"*) d=$HOME/${d#"~/"};; esac
if [ -n "$d" ]; then [ -e "$d" ] || e ENOENT; [ -d "$d" ] || e ENOTDIR; cd "$d" 2>/dev/null || e EACCES; fi
if [ -n "$f" ]; then [ -e "$f" ] || e in-ENOENT; [ -r "$f" ] || e in-EACCES; exec <"$f"; fi
case $1 in */*) ;; *) command -v "$1" >/dev/null 2>&1 || e ENOPROG;; esac
exec 3>&2 2>/dev/null
s=
for x in HUP INT QUIT ABRT ALRM TERM USR1 USR2 PIPE; do trap "s=$x" "$x"; done
(if [ -r /proc/self/stat ] && read -r p x1 x2 x3 g x4 </proc/self/stat; then printf '\036%s:pid:%s:%s\n' "$m" "$p" "$g"; exec "$@" 2>&3 3>&-; fi
exec /bin/sh -c 'printf "\036%s:pid:%s:%s\n" "$0" "$$" "$(ps -o pgid= -p $$ | tr -d " ")"; exec "$@"' "$m" "$@" 2>&3 3>&-)
c=$?
if [ -n "$s" ] && [ "$c" -gt 128 ] && [ "$(kill -l $((c-128)))" = "$s" ]; then printf '\036%s:signal:%s\n' "$m" "$s"; else printf '\036%s:exit:%s\n' "$m" "$c"; fi
exit "$c"
`)
	return b.String()
}

// remoteQuote quotes s for a POSIX shell on any host (ShellQuoteArgument
// gives the local system's form).
func remoteQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// remoteJoin quotes argv as one POSIX shell command line.
func remoteJoin(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		q[i] = remoteQuote(a)
	}
	return strings.Join(q, " ")
}

// Routes: the programs that lead from here to the last hop.

// routeStage is one program of a route: an SSH method's consecutive hops
// (jump hosts, then the target), or one hop of another method.
type routeStage struct {
	m    Method
	hops []Hop
}

// route is how to run commands on the last hop of a remote file name.
type route struct {
	h      *RemoteHandler
	rt     *Runtime
	prefix string
	stages []routeStage
	conn   *sshConn // the connection of the first routeStage when it is SSH, else nil
	key    string   // identifies the route among a Runtime's
}

// route builds the route of f.
func (h *RemoteHandler) route(rt *Runtime, f RemoteFileName) (*route, error) {
	r := &route{h: h, rt: rt, prefix: f.Prefix()}
	methods := h.methods()
	prevHost := ""
	for i, hop := range f.Hops {
		m, ok := methods[hop.Method]
		if !ok {
			return nil, fmt.Errorf("Method ‘%s’ is not known.", hop.Method)
		}
		if m.SameHost && hop.Host != "" {
			if i == 0 && !localHostName(hop.Host) || i > 0 && hop.Host != prevHost {
				want := prevHost
				if i == 0 {
					want = "localhost"
				}
				return nil, fmt.Errorf("Host name ‘%s’ does not match ‘%s’", hop.Host, want)
			}
		}
		if !m.SameHost {
			prevHost = hop.Host
		}
		if n := len(r.stages); m.SSH && n > 0 && r.stages[n-1].m.SSH && f.Hops[i-1].Method == hop.Method {
			r.stages[n-1].hops = append(r.stages[n-1].hops, hop)
			continue
		}
		r.stages = append(r.stages, routeStage{m: m, hops: []Hop{hop}})
	}
	r.key = strings.Join(r.argv(false, ""), "\x00")
	if r.stages[0].m.SSH {
		conn, err := rt.sshConn(h, r)
		if err != nil {
			return nil, err
		}
		r.conn = conn
	}
	return r, nil
}

// localHostName reports whether host names this host.
func localHostName(host string) bool {
	switch host {
	case "localhost", "127.0.0.1", "::1":
		return true
	}
	h, _ := os.Hostname()
	return host == h
}

// argv returns the local command line that runs command (a POSIX shell
// command line) on the last hop, over a pty when pty is set.
func (r *route) argv(pty bool, command string) []string {
	var inner []string // the command line of the next routeStage
	for i := len(r.stages) - 1; i >= 0; i-- {
		st := r.stages[i]
		var ctl []string
		if i == 0 && r.conn != nil {
			ctl = r.conn.sessionOptions()
		}
		argv := stageArgs(r.h, st, pty, nil, ctl)
		switch {
		case st.m.SSH && inner == nil:
			argv = append(argv, command)
		case st.m.SSH:
			argv = append(argv, "exec "+remoteJoin(inner))
		case inner == nil:
			argv = append(argv, "/bin/sh", "-c", command)
		default:
			argv = append(argv, inner...)
		}
		inner = argv
	}
	return inner
}

// stageArgs expands a routeStage's program and arguments; mode goes right
// after the program, and ctl is what %c stands for.
func stageArgs(h *RemoteHandler, st routeStage, pty bool, mode, ctl []string) []string {
	hop := st.hops[len(st.hops)-1]
	argv := append([]string{st.m.Program}, mode...)
	if st.m.SSH {
		argv = append(argv, h.SSHOptions...)
	}
	return append(argv, expandMethodArgs(st.m, hop, jumpSpec(st.hops[:len(st.hops)-1]), pty, ctl)...)
}

// expandMethodArgs expands m.Args for hop (see Method).
func expandMethodArgs(m Method, hop Hop, jumps string, pty bool, ctl []string) []string {
	user := hop.User
	if user == "" {
		user = m.DefaultUser
	}
	port := ""
	if hop.Port != 0 {
		port = strconv.Itoa(hop.Port)
	}
	values := map[byte]string{'h': hop.Host, 'u': user, 'p': port, 'j': jumps}
	t := m.PipeArgs
	if pty {
		t = m.PTYArgs
	}
	var out []string
groups:
	for _, g := range m.Args {
		var exp []string
		for _, a := range g {
			switch a {
			case "%t", "%c":
				list := t
				if a == "%c" {
					list = ctl
				}
				if len(list) == 0 {
					continue groups
				}
				exp = append(exp, list...)
				continue
			}
			var b strings.Builder
			for i := 0; i < len(a); i++ {
				if a[i] != '%' || i+1 == len(a) {
					b.WriteByte(a[i])
					continue
				}
				i++
				if a[i] == '%' {
					b.WriteByte('%')
					continue
				}
				v, ok := values[a[i]]
				if !ok {
					b.WriteByte('%')
					b.WriteByte(a[i])
					continue
				}
				if v == "" {
					continue groups
				}
				b.WriteString(v)
			}
			exp = append(exp, b.String())
		}
		out = append(out, exp...)
	}
	return out
}

// jumpSpec is ssh -J's argument for hops: "user@host:port,...".
func jumpSpec(hops []Hop) string {
	var parts []string
	for _, h := range hops {
		s := h.Host
		if strings.Contains(s, ":") {
			s = "[" + s + "]"
		}
		if h.User != "" {
			s = h.User + "@" + s
		}
		if h.Port != 0 {
			s += ":" + strconv.Itoa(h.Port)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ",")
}

// connect opens the route's connection if it has one and it is not open.
func (r *route) connect() error {
	if r.conn == nil {
		return nil
	}
	return r.conn.connect()
}

// generation is the generation of the route's connection (0 without one).
func (r *route) generation() int {
	if r.conn == nil {
		return 0
	}
	return r.conn.generation()
}

// lost tells the route's connection that what ran through its master of
// generation gen found it gone (sshConn.lost).
func (r *route) lost(gen int) {
	if r.conn != nil {
		r.conn.lost(gen)
	}
}

// localEnv is the environment of the local hop program: the local
// process environment, with extra in front.
func (r *route) localEnv(extra ...string) ([]string, error) {
	return r.rt.environment(extra)
}

// command makes the local command that runs line (a POSIX shell command
// line) on the last hop over pipes.
func (r *route) command(ctx context.Context, line string) (*exec.Cmd, error) {
	argv := r.argv(false, line)
	dir := r.rt.localDirectory("")
	path, err := findCallProgram(argv[0], r.rt.execPath(), r.rt.cfg.ExecSuffixes, dir)
	if err != nil {
		return nil, err
	}
	env, err := r.localEnv()
	if err != nil {
		return nil, err
	}
	var cmd *exec.Cmd
	if ctx != nil {
		cmd = exec.CommandContext(ctx, path, argv[1:]...)
	} else {
		cmd = exec.Command(path, argv[1:]...)
	}
	cmd.Args[0] = argv[0]
	cmd.Dir = dir
	cmd.Env = env
	return cmd, nil
}

// run runs line on the last hop and returns its standard output, within
// timeout. A failure is an error with its standard error's text. It goes
// through the route's connection as it is: a connection that was lost is
// not opened again (ErrConnectionLost), since what ran through it has
// ended with it.
func (r *route) run(timeout time.Duration, line string) (string, error) {
	if r.conn != nil && !r.conn.open() {
		return "", fmt.Errorf("%s: %w", strings.TrimSuffix(r.prefix, ":"), ErrConnectionLost)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd, err := r.command(ctx, line)
	if err != nil {
		return "", err
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if strings.Contains(msg, "No such process") {
			// The program has ended; its end is on its way.
			return "", nil
		}
		if msg == "" {
			msg = err.Error()
		}
		return stdout.String(), errors.New(msg)
	}
	return stdout.String(), nil
}

// Signals to remote programs.

// killTarget says which processes a remote kill command reaches.
type killTarget int

const (
	killGroupOf      killTarget = iota // the program's process group
	killPidOf                          // the program alone
	killForeground                     // the foreground group of the program's terminal
	killGroupsListed                   // several process groups (hangupRemote)
)

// signalArg is kill's signal argument: "-s NAME", or "-N" for a signal
// without a portable name.
func signalArg(sig syscall.Signal) string {
	for _, m := range []map[string]syscall.Signal{signalNumbers, moreSignalNumbers} {
		for name, n := range m {
			if n == sig && name != "chld" && name != "io" {
				return "-s " + strings.ToUpper(name)
			}
		}
	}
	return "-" + strconv.Itoa(int(sig))
}

// killLine is the remote command that sends sig; it prints the process
// group it signalled.
func killLine(sig syscall.Signal, target killTarget, pid, pgid int, groups []int) string {
	s := signalArg(sig)
	switch target {
	case killPidOf:
		return fmt.Sprintf("kill %s %d && echo %d", s, pid, pgid)
	case killForeground:
		return fmt.Sprintf(`t=; if [ -r /proc/%[1]d/stat ]; then read -r x1 x2 x3 x4 x5 x6 x7 t x8 </proc/%[1]d/stat; else t=$(ps -o tpgid= -p %[1]d); fi; t=$((t+0)); [ "$t" -gt 0 ] || t=%[2]d; kill %[3]s -- -$t && echo $t`, pid, pgid, s)
	case killGroupsListed:
		var b strings.Builder
		for _, g := range groups {
			fmt.Fprintf(&b, "kill %s -- -%d; ", s, g)
		}
		b.WriteString("exit 0")
		return b.String()
	}
	return fmt.Sprintf("kill %s -- -%d && echo %d", s, pgid, pgid)
}

// remoteProc is the remote side of a process whose child runs a remote
// program (see the comment at the top of this file).
type remoteProc struct {
	rt    *Runtime
	route *route
	pty   bool
	dir   string   // the remote directory, for messages
	prog  string   // the remote program, for messages
	cmd   []string // the remote command (a process's "remote-command")
	gen   int      // the generation of the route's connection (sshConn.lost)

	// Set by start, fixed afterwards.
	pid, pgid int // the remote program's pid and process group

	// Guarded by the dispatch lock (the output path).
	recs     records
	finished bool

	sentFatal atomic.Int32 // SIGKILL or SIGHUP that eproc sent to the remote group (Delete, a killed buffer, Close)
	sentPid   atomic.Int32 // the last signal eproc sent to the remote pid alone (SignalProcess)
	hungUp    atomic.Bool  // Close's SIGHUP reached the remote group (hangupRemote)
}

// remoteHungUp reports whether Close's SIGHUP went to p's remote program
// (hangupRemote). Then Close leaves p's local ssh alone: it ends when the
// remote program ends, and Close's SIGKILL after the grace period (Delete)
// reaches a remote program that ignored the SIGHUP or was stopped, as it
// reaches a local child. Hanging up the local ssh instead would end the
// process at once and leave such a program running.
func (p *Process) remoteHungUp() bool {
	return p.remote != nil && p.remote.hungUp.Load()
}

// parseStart interprets the start record (the part after the mark).
func (r *remoteProc) parseStart(rec string) error {
	kind, rest, _ := strings.Cut(rec, ":")
	switch kind {
	case "pid":
		p, g, _ := strings.Cut(rest, ":")
		pid, err1 := strconv.Atoi(p)
		pgid, err2 := strconv.Atoi(strings.TrimSpace(g))
		if err1 != nil || pid <= 0 {
			return &ConnectionError{Prefix: r.route.prefix, Msg: "bad start record " + strconv.Quote(rec)}
		}
		if err2 != nil || pgid <= 0 {
			pgid = pid
		}
		r.pid, r.pgid = pid, pgid
		return nil
	case "error":
		return startError(rest, r.dir, r.prog, "")
	}
	return &ConnectionError{Prefix: r.route.prefix, Msg: "bad start record " + strconv.Quote(rec)}
}

// startError is the error of an error record.
func startError(code, dir, prog, infile string) error {
	errno := syscall.ENOENT
	switch strings.TrimPrefix(code, "in-") {
	case "ENOTDIR":
		errno = syscall.ENOTDIR
	case "EACCES":
		errno = syscall.EACCES
	}
	switch {
	case code == "ENOPROG":
		return &FileError{Op: "Searching for program", Err: syscall.ENOENT, Path: prog}
	case strings.HasPrefix(code, "in-"):
		return &FileError{Op: "Opening process input file", Err: errno, Path: infile}
	}
	return &FileError{Op: "Setting current directory", Err: errno, Path: dir}
}

// startFailed is the error when the hop programs ended before the start
// record: their own message when they gave one.
func (r *remoteProc) startFailed(noise []byte, how string) error {
	msg := strings.TrimSpace(strings.ReplaceAll(string(noise), "\r\n", "\n"))
	if msg == "" {
		msg = how
	}
	return &ConnectionError{Prefix: r.route.prefix, Msg: msg}
}

// output takes the end record out of the program's output; it is called
// by filterOutput for every read, with the dispatch lock held. The common
// case returns data itself.
func (r *remoteProc) output(data []byte, inBuffer bool) ([]byte, bool) {
	if r.finished {
		return data, inBuffer
	}
	out, same := r.recs.body(data)
	return out, inBuffer && same
}

// finish is called with the dispatch lock held when the child (ssh) has
// died, after its last output: it delivers the bytes held back in case
// they began an end record, and sets the status from the end record.
func (r *remoteProc) finish(p *Process) {
	if r.finished {
		return
	}
	r.finished = true
	rt := r.rt
	if held := r.recs.flush(); len(held) > 0 {
		rt.mu.Lock()
		dec, f, bf := rt.noteOutputLocked(p)
		rt.mu.Unlock()
		rt.filterOutput(p, dec, f, bf, held, nil)
		rt.flushDecoder(p)
	}
	// The dead status being dispatched is corrected in place from the
	// remote record, before its sentinel runs: no new change, no tick.
	lost := false
	rt.mu.Lock()
	if !p.deleted && p.status.dead() {
		if st, ok := r.recs.endStatus(); ok {
			if sig := int(r.sentPid.Load()); st.kind == rawExit && sig > 0 && st.code == 128+sig {
				// The program died of the signal SignalProcess sent to it
				// alone, which the script could not see.
				st = rawStatus{kind: rawSignal, code: sig}
			}
			p.status = st
		} else if sig := r.sentFatal.Load(); sig != 0 {
			// No end record: the signal eproc sent killed the script too
			// (SIGKILL), or the local ssh went with it (SIGHUP from
			// Close, which also hangs up the local child).
			p.status = rawStatus{kind: rawSignal, code: int(sig)}
		} else if p.status.kind == rawExit && p.status.code == 255 {
			lost = true
		}
	}
	rt.mu.Unlock()
	if lost {
		r.route.lost(r.gen)
		p.Put("remote-connection-lost", true)
	}
}

// signal is sendSignal for a remote process.
func (r *remoteProc) signal(p *Process, sig syscall.Signal, currentGroup bool) error {
	if currentGroup && r.pty && (sig == syscall.SIGINT || sig == syscall.SIGQUIT) {
		// As the terminal's key would: ^C or ^\ into the remote pty (the
		// local one is raw while ssh runs), after the input already sent.
		ch := byte(0x03)
		if sig == syscall.SIGQUIT {
			ch = 0x1c
		}
		rt := p.rt
		rt.mu.Lock()
		defer rt.mu.Unlock()
		if !p.out.open() || p.writeErr != nil {
			return fmt.Errorf("Process %s is not active: %w", p.name, ErrNotActive)
		}
		_, err := p.enqueueLocked([]byte{ch})
		return err
	}
	target := killGroupOf
	if currentGroup && r.pty {
		target = killForeground
	}
	if sig == syscall.SIGKILL {
		r.sentFatal.Store(int32(sig))
	}
	out, err := r.route.run(r.route.h.timeout(), killLine(sig, target, r.pid, r.pgid, nil))
	if err != nil {
		return fmt.Errorf("Process %s: %w", p.name, err)
	}
	// SIGSTOP to the program's own group stops it. (SIGTSTP, Stop with
	// currentGroup, stops a job of a shell on the terminal, which is not
	// the program's status; the program's own group is orphaned, its
	// parent being in another session, so the kernel discards SIGTSTP
	// there, as for a local child.)
	if sig == sigSTOP && strings.TrimSpace(out) == strconv.Itoa(r.pgid) {
		r.rt.setRemoteStatus(p, rawStatus{kind: rawStop, code: int(sig)})
	}
	return nil
}

// signalPid is SignalProcess for a remote process: sig to the remote pid.
func (r *remoteProc) signalPid(p *Process, sig syscall.Signal) error {
	r.sentPid.Store(int32(sig))
	if _, err := r.route.run(r.route.h.timeout(), killLine(sig, killPidOf, r.pid, r.pgid, nil)); err != nil {
		return fmt.Errorf("signal-process %d: %w", r.pid, err)
	}
	return nil
}

// kill sends sig to the remote program's group for Delete (SIGKILL), a
// killed buffer and Close (SIGHUP).
func (r *remoteProc) kill(p *Process, sig syscall.Signal) error {
	r.sentFatal.Store(int32(sig))
	_, err := r.route.run(r.route.h.timeout(), killLine(sig, killGroupOf, r.pid, r.pgid, nil))
	return err
}

// setRemoteStatus records a status change of a remote process that its
// child does not show (a remote stop) and queues its sentinel.
func (rt *Runtime) setRemoteStatus(p *Process, st rawStatus) {
	rt.mu.Lock()
	if p.status.dead() || p.deleted || p.status == st {
		rt.mu.Unlock()
		return
	}
	rt.setStatusLocked(p, st)
	rt.mu.Unlock()
}

// records finds eproc's records in a remote program's output: the start
// record before it, the end record amid it.
type records struct {
	mark    []byte // 0x1E, the nonce, ":"
	started bool
	start   string // the start record, after the mark
	noise   []byte // what came before the start record (login messages, errors)
	held    []byte // output held back: it may begin the end record
	ended   bool
	end     string // the end record, after the mark
}

// noiseMax bounds the bytes kept from before the start record.
const noiseMax = 64 << 10

// feed takes bytes of the stream and returns the program's output among
// them.
func (rs *records) feed(data []byte) []byte {
	if rs.started {
		out, _ := rs.body(data)
		return out
	}
	rs.noise = append(rs.noise, data...)
	i := bytes.Index(rs.noise, rs.mark)
	if i < 0 {
		if len(rs.noise) > noiseMax {
			rs.noise = append(rs.noise[:0], rs.noise[len(rs.noise)-noiseMax/2:]...)
		}
		return nil
	}
	j := bytes.IndexByte(rs.noise[i:], '\n')
	if j < 0 {
		return nil
	}
	rs.started = true
	rs.start = strings.TrimSuffix(string(rs.noise[i+len(rs.mark):i+j]), "\r")
	rest := append([]byte(nil), rs.noise[i+j+1:]...)
	rs.noise = rs.noise[:i]
	if len(rest) == 0 {
		return nil
	}
	out, _ := rs.body(rest)
	return out
}

// body takes the end record out of output; same reports that the result
// is data itself.
func (rs *records) body(data []byte) (out []byte, same bool) {
	if rs.ended {
		return data, true
	}
	if len(rs.held) == 0 && bytes.IndexByte(data, rs.mark[0]) < 0 {
		return data, true
	}
	buf := make([]byte, 0, len(rs.held)+len(data))
	buf = append(append(buf, rs.held...), data...)
	rs.held = nil
	i := bytes.Index(buf, rs.mark)
	if i < 0 {
		k := partialMark(buf, rs.mark)
		if k > 0 {
			rs.held = append([]byte(nil), buf[len(buf)-k:]...)
		}
		return buf[:len(buf)-k], false
	}
	j := bytes.IndexByte(buf[i:], '\n')
	if j < 0 {
		if len(buf)-i > 1024 {
			// Not a record of ours after all: no record is this long.
			return buf, false
		}
		rs.held = append([]byte(nil), buf[i:]...)
		return buf[:i], false
	}
	rs.ended = true
	rs.end = strings.TrimSuffix(string(buf[i+len(rs.mark):i+j]), "\r")
	return append(buf[:i], buf[i+j+1:]...), false
}

// partialMark returns the length of the longest end of buf that begins
// mark.
func partialMark(buf, mark []byte) int {
	for k := min(len(mark)-1, len(buf)); k > 0; k-- {
		if bytes.Equal(buf[len(buf)-k:], mark[:k]) {
			return k
		}
	}
	return 0
}

// flush returns the bytes held back at the end of the stream.
func (rs *records) flush() []byte {
	h := rs.held
	rs.held = nil
	return h
}

// endStatus is the status the end record gives, if one came.
func (rs *records) endStatus() (rawStatus, bool) {
	if !rs.ended {
		return rawStatus{}, false
	}
	kind, v, _ := strings.Cut(rs.end, ":")
	switch kind {
	case "exit":
		if n, err := strconv.Atoi(v); err == nil {
			return rawStatus{kind: rawExit, code: n}, true
		}
	case "signal":
		if sig, err := ParseSignal(v); err == nil {
			return rawStatus{kind: rawSignal, code: int(sig)}, true
		}
	}
	return rawStatus{}, false
}
