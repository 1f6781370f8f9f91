//go:build unix

package eproc

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"math/rand"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Tests of remote processes against the test sshd (sshd_test.go), and of
// the remote machinery through a method that runs the remote side on this
// host ("local" below), which needs no sshd.

// remoteRun runs script with /bin/sh in dir through ProcessFile and
// returns its output (standard error included) and status.
func remoteRun(t testing.TB, rt *Runtime, dir, script string) (string, CallStatus) {
	t.Helper()
	b := newBuffer(" *remote-run*")
	st, err := rt.ProcessFileContext(context.Background(), ProcessFileArgs{Program: "/bin/sh", Args: []string{"-c", script}, Dest: Destination{Buffer: b}, Dir: dir})
	if err != nil {
		t.Fatalf("ProcessFile(sh -c %q) in %s: %v (output %q)", script, dir, err, b.String())
	}
	return b.String(), st
}

// remoteAlive reports whether the remote pid is a live process (not gone,
// not a zombie).
func remoteAlive(t testing.TB, rt *Runtime, dir string, pid int) bool {
	t.Helper()
	out, st := remoteRun(t, rt, dir, fmt.Sprintf(`s=$(cut -d' ' -f3 /proc/%d/stat 2>/dev/null); [ -n "$s" ] && [ "$s" != Z ] && echo "$s"`, pid))
	return st.Code == 0 && strings.TrimSpace(out) != ""
}

// remoteState returns the state letter of the remote pid ("S", "T", ...).
func remoteProcState(t testing.TB, rt *Runtime, dir string, pid int) string {
	t.Helper()
	out, _ := remoteRun(t, rt, dir, fmt.Sprintf(`cut -d' ' -f3 /proc/%d/stat`, pid))
	return strings.TrimSpace(out)
}

// mustRemote makes a remote process with a recorder, or fails the test.
func mustRemote(t testing.TB, rt *Runtime, dir string, a ProcessArgs) (*Process, *recorder) {
	t.Helper()
	rec := &recorder{}
	if a.Name == "" {
		a.Name = "remote"
	}
	a.Dir, a.FileHandler = dir, true
	if a.Filter == nil {
		a.Filter = rec.filter
	}
	a.Sentinel = rec.sentinel
	p, err := rt.MakeProcess(a)
	if err != nil {
		t.Fatalf("MakeProcess(%q in %s): %v", a.Command, dir, err)
	}
	return p, rec
}

// waitRemoteOutput dispatches until the recorder's output contains want.
func waitRemoteOutput(t testing.TB, rt *Runtime, rec *recorder, want string) {
	t.Helper()
	waitUntil(t, rt, fmt.Sprintf("output %q", want), func() bool { return strings.Contains(rec.String(), want) })
}

func remotePid(t testing.TB, p *Process) int {
	t.Helper()
	pid, ok := p.Get("remote-pid").(int)
	if !ok || pid <= 0 {
		t.Fatalf("remote-pid = %v", p.Get("remote-pid"))
	}
	return pid
}

// localMethodRuntime is a Runtime whose handler knows the method "local":
// the remote side runs here, under env (no sshd needed).
func localMethodRuntime(t testing.TB, cfg Config) *Runtime {
	t.Helper()
	methods := DefaultMethods()
	methods["local"] = Method{Program: "env"}
	cfg.FileNameHandlers = []FileNameHandler{{Regexp: RemoteFileNameRegexp, Handler: &RemoteHandler{Methods: methods}}}
	return newRuntime(t, cfg)
}

func TestParseRemoteFileName(t *testing.T) {
	tests := []struct {
		name  string
		hops  []Hop
		local string
	}{
		{"/ssh:user@host#2222:/srv/app/", []Hop{{"ssh", "user", "host", 2222}}, "/srv/app/"},
		{"/ssh:host:", []Hop{{"ssh", "", "host", 0}}, ""},
		{"/sudo::/etc", []Hop{{"sudo", "", "", 0}}, "/etc"},
		{"/ssh:[::1]#22:/tmp", []Hop{{"ssh", "", "::1", 22}}, "/tmp"},
		{"/ssh:me@[fe80::1%eth0]:~/x", []Hop{{"ssh", "me", "fe80::1%eth0", 0}}, "~/x"},
		{"/ssh:bastion|ssh:user@host:/x", []Hop{{"ssh", "", "bastion", 0}, {"ssh", "user", "host", 0}}, "/x"},
		{"/ssh:u@h#2|sudo:root@h:/root/a:b", []Hop{{"ssh", "u", "h", 2}, {"sudo", "root", "h", 0}}, "/root/a:b"},
		{"/docker:app@web-1:/", []Hop{{"docker", "app", "web-1", 0}}, "/"},
		{"/ssh:a.b@c@host:/", []Hop{{"ssh", "a.b@c", "host", 0}}, "/"},
	}
	for _, tc := range tests {
		f, err := ParseRemoteFileName(tc.name)
		if err != nil {
			t.Errorf("ParseRemoteFileName(%q): %v", tc.name, err)
			continue
		}
		if fmt.Sprint(f.Hops) != fmt.Sprint(tc.hops) || f.LocalName != tc.local {
			t.Errorf("ParseRemoteFileName(%q) = %v %q, want %v %q", tc.name, f.Hops, f.LocalName, tc.hops, tc.local)
		}
		if f.String() != tc.name {
			t.Errorf("%q: String() = %q", tc.name, f.String())
		}
	}
	for _, name := range []string{"/tmp/x", "relative", "/c:/windows", "", "/:x:"} {
		if _, err := ParseRemoteFileName(name); !errors.Is(err, ErrNotRemote) {
			t.Errorf("ParseRemoteFileName(%q) = %v, want ErrNotRemote", name, err)
		}
	}
	for _, name := range []string{"/ssh:host", "/ssh:host#x:/", "/ssh:[::1:/", "/ssh:host|", "/ssh:a/b:/", "/ssh:host#99999:/"} {
		if _, err := ParseRemoteFileName(name); err == nil || errors.Is(err, ErrNotRemote) {
			t.Errorf("ParseRemoteFileName(%q) = %v, want a syntax error", name, err)
		}
	}
}

// fakeHandler records the calls of a FileHandler and runs locally.
type fakeHandler struct {
	mu    sync.Mutex
	calls []string
}

func (h *fakeHandler) MakeProcess(rt *Runtime, a ProcessArgs) (*Process, error) {
	h.mu.Lock()
	h.calls = append(h.calls, "make "+a.Dir)
	h.mu.Unlock()
	a.Dir = "/"
	return rt.MakeProcess(a)
}

func (h *fakeHandler) ProcessFile(ctx context.Context, rt *Runtime, a ProcessFileArgs) (CallStatus, error) {
	h.mu.Lock()
	h.calls = append(h.calls, "file "+a.Dir+" "+a.Program)
	h.mu.Unlock()
	return CallStatus{Code: 42}, nil
}

func (h *fakeHandler) FileRemoteP(name string) string { return "/fake:" }

func TestFileHandlerRegistry(t *testing.T) {
	fake := &fakeHandler{}
	inner := &fakeHandler{}
	rt := newRuntime(t, Config{
		DefaultDirectory: "/fake:x:/dir",
		FileNameHandlers: []FileNameHandler{
			{Regexp: RemoteFileNameRegexp, Handler: fake},
			{Regexp: regexp.MustCompile(`:inner:`), Handler: inner},
		},
	})
	// As Emacs's find-file-name-handler: the match that starts last wins.
	if h := rt.FindFileNameHandler("/fake:x:inner:y"); h != inner {
		t.Errorf("FindFileNameHandler chose %v, want the later match", h)
	}
	if h := rt.FindFileNameHandler("/tmp"); h != nil {
		t.Errorf("FindFileNameHandler(/tmp) = %v, want nil", h)
	}
	if got := rt.FileRemoteP("/fake:x:/a"); got != "/fake:" {
		t.Errorf("FileRemoteP = %q", got)
	}
	if got := rt.FileRemoteP("/tmp/a"); got != "" {
		t.Errorf("FileRemoteP(/tmp/a) = %q, want \"\"", got)
	}
	// start-file-process consults the handler of default-directory.
	p, err := rt.StartFileProcess("f", nil, os.Args[0], "exit", "0")
	if err != nil {
		t.Fatal(err)
	}
	waitExit(t, p)
	st, err := rt.ProcessFile("prog", "", Destination{})
	if err != nil || st.Code != 42 {
		t.Errorf("ProcessFile = %v, %v: want the handler's 42", st, err)
	}
	// make-process consults it only with :file-handler t; without, the
	// process is local and runs in the home directory, as Emacs 28.2 runs
	// it in "~" when default-directory is remote.
	var rec recorder
	p = mustMake(t, rt, ProcessArgs{Name: "g", Command: helperCmd("pwd"), Filter: rec.filter})
	waitExit(t, p)
	if home, _ := os.UserHomeDir(); rec.String() != home+"\n" {
		t.Errorf("MakeProcess without FileHandler ran in %q, want the home directory %q", rec.String(), home)
	}
	p, err = rt.MakeProcess(ProcessArgs{Name: "h", Command: helperCmd("exit", "0"), FileHandler: true, Dir: t.TempDir()})
	if err != nil {
		t.Fatalf("a local Dir with FileHandler: %v", err)
	}
	waitExit(t, p)
	fake.mu.Lock()
	calls := fmt.Sprint(fake.calls)
	fake.mu.Unlock()
	if calls != "[make /fake:x:/dir file /fake:x:/dir prog]" {
		t.Errorf("handler calls %s", calls)
	}
	// Nil FileNameHandlers: the built-in remote handler; empty: none.
	def := newRuntime(t, Config{})
	if h := def.FindFileNameHandler("/ssh:host:/"); h == nil {
		t.Error("the default handlers do not take /ssh:host:/")
	}
	if d := DefaultFileNameHandlers(); len(d) != 1 || d[0].Regexp != RemoteFileNameRegexp || def.FindFileNameHandler("/ssh:host:/") != d[0].Handler {
		t.Errorf("DefaultFileNameHandlers() = %v", d)
	}
	for name, want := range map[string]string{
		"/ssh:user@host#2222:/srv/app/":   "/ssh:user@host#2222:",
		"/ssh:[::1]#22:/tmp":              "/ssh:[::1]#22:",
		"/ssh:bastion|sudo:root@bastion:": "/ssh:bastion|sudo:root@bastion:",
		"/tmp/x":                          "",
		"/ssh:no-colon":                   "",
	} {
		if got := def.FileRemoteP(name); got != want {
			t.Errorf("FileRemoteP(%q) = %q, want %q", name, got, want)
		}
	}
	if h := newRuntime(t, Config{FileNameHandlers: []FileNameHandler{}}).FindFileNameHandler("/ssh:host:/"); h != nil {
		t.Error("an empty handler list took /ssh:host:/")
	}
}

// TestRemoteRecordsChunking feeds a program's output with the start and
// end records in every chunking: the output comes out whole, without the
// records, whatever the split points; bytes that only resemble a record
// (0x1E, another nonce, a cut-off mark) stay output.
func TestRemoteRecordsChunking(t *testing.T) {
	mark := "\x1e0123456789abcdef:"
	body := "out\x1e\x1e0123456789abcdeX:not a record\n\x1e0123456789ab" + strings.Repeat("x", 50)
	after := "grandchild\n"
	stream := "login noise\n" + mark + "pid:123:120\n" + body + mark + "exit:7\r\n" + after
	for _, sizes := range [][]int{{1}, {2}, {3}, {5}, {7}, {17}, {len(stream)}} {
		for shift := 0; shift < 3; shift++ {
			rs := records{mark: []byte(mark)}
			var out []byte
			for i, k := 0, 0; i < len(stream); k++ {
				n := min(sizes[k%len(sizes)]+(k+shift)%2, len(stream)-i)
				out = append(out, rs.feed([]byte(stream[i:i+n]))...)
				i += n
			}
			out = append(out, rs.flush()...)
			if string(out) != body+after || rs.start != "pid:123:120" || rs.end != "exit:7" || string(rs.noise) != "login noise\n" {
				t.Fatalf("sizes %v shift %d: out %q start %q end %q noise %q", sizes, shift, out, rs.start, rs.end, rs.noise)
			}
		}
	}
	// Output that ends with the beginning of a mark keeps it.
	rs := records{mark: []byte(mark), started: true}
	out := append(rs.feed([]byte("tail\x1e0123")), rs.flush()...)
	if string(out) != "tail\x1e0123" {
		t.Errorf("cut-off mark: %q", out)
	}
	st, ok := (&records{ended: true, end: "signal:TERM"}).endStatus()
	if !ok || st.kind != rawSignal || st.code != int(syscall.SIGTERM) {
		t.Errorf("signal record: %v %v", st, ok)
	}
}

// TestRemoteArgv pins the command lines of the methods described as data.
func TestRemoteArgv(t *testing.T) {
	rt := newRuntime(t, Config{})
	h := &RemoteHandler{SSHOptions: []string{"-F", "cfg"}}
	tests := []struct {
		name string
		pty  bool
		want string
	}{
		{"/docker:app@web:/", true, "docker exec -i -t -u app web /bin/sh -c CMD"},
		{"/podman:web:/", false, "podman exec -i web /bin/sh -c CMD"},
		{"/kubectl:box@pod-1:/", false, "kubectl exec -i pod-1 -c box -- /bin/sh -c CMD"},
		{"/sudo::/", false, "sudo -n -u root -- /bin/sh -c CMD"},
		{"/ssh:u@h#22:/", false, "ssh -F cfg -o BatchMode=yes -o LogLevel=ERROR -e none -T -l u -p 22 h CMD"},
		{"/ssh:b1|ssh:u@[::1]#2|ssh:h:/", true, "ssh -F cfg -o BatchMode=yes -o LogLevel=ERROR -e none -tt -J b1,u@[::1]:2 h CMD"},
		{"/ssh:h|sudo:u@h:/", false, "ssh -F cfg -o BatchMode=yes -o LogLevel=ERROR -e none -T h exec sudo -n -u u -- /bin/sh -c CMD"},
		{"/sudo:root@localhost|docker:c:/", false, "sudo -n -u root -- docker exec -i c /bin/sh -c CMD"},
	}
	for _, tc := range tests {
		f, err := ParseRemoteFileName(tc.name)
		if err != nil {
			t.Fatal(err)
		}
		r, err := h.route(rt, f)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		argv := r.argv(tc.pty, "CMD")
		if r.conn != nil {
			// The control options come first: take them out to compare.
			ctl := r.conn.sessionOptions()
			argv = append(argv[:1:1], argv[1+2+len(ctl):]...)
			argv = append([]string{"ssh", "-F", "cfg"}, argv[1:]...)
		}
		if got := strings.Join(argv, " "); got != tc.want {
			t.Errorf("%s: %s\n want %s", tc.name, got, tc.want)
		}
	}
	for _, name := range []string{"/nosuch:h:/", "/ssh:h|sudo:other:/", "/sudo:elsewhere:/"} {
		f, _ := ParseRemoteFileName(name)
		if _, err := h.route(rt, f); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestRemoteLocalMethod runs the remote machinery with a method whose
// "remote" side is this host: start and end records, the remote pid,
// signals through the route, Stop and Continue, Delete, and the directory
// and program checks. It needs no sshd.
func TestRemoteLocalMethod(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("looks at processes in /proc")
	}
	rt := localMethodRuntime(t, Config{})
	dir := "/local::" + t.TempDir()
	p, rec := mustRemote(t, rt, dir, ProcessArgs{Command: []string{"sh", "-c", "echo pid $$; pwd; exit 3"}})
	waitExit(t, p)
	pid := remotePid(t, p)
	if want := fmt.Sprintf("pid %d\n%s\n", pid, strings.TrimPrefix(dir, "/local::")); rec.String() != want {
		t.Errorf("output %q, want %q", rec.String(), want)
	}
	if p.Status() != StatusExit || p.ExitStatus() != 3 || fmt.Sprint(rec.events) != "[exited abnormally with code 3\n]" {
		t.Errorf("status %s %d, events %q", p.Status(), p.ExitStatus(), rec.events)
	}
	if p.Command()[0] != "env" || fmt.Sprint(p.Get("remote-command")) != "[sh -c echo pid $$; pwd; exit 3]" {
		t.Errorf("Command %q, remote-command %v", p.Command(), p.Get("remote-command"))
	}

	// Signals reach the remote program's group; the end record tells
	// the signal.
	for _, tc := range []struct {
		send  func(p *Process) error
		event string
	}{
		{func(p *Process) error { return p.Interrupt(false) }, "interrupt\n"},
		{func(p *Process) error { return p.Kill(false) }, "killed\n"},
		{func(p *Process) error { return p.Signal(syscall.SIGTERM) }, "terminated\n"},
		{func(p *Process) error { return rt.SignalProcess(p, "usr1") }, "user defined signal 1\n"},
	} {
		p, rec := mustRemote(t, rt, dir, ProcessArgs{Command: []string{"sleep", "300"}})
		if err := tc.send(p); err != nil {
			t.Fatal(err)
		}
		waitExit(t, p)
		if fmt.Sprint(rec.events) != fmt.Sprint([]string{tc.event}) || p.Status() != StatusSignal {
			t.Errorf("events %q status %s, want %q", rec.events, p.Status(), tc.event)
		}
	}

	// Stop and Continue show as status changes, as for a local child.
	p, rec = mustRemote(t, rt, dir, ProcessArgs{Command: []string{"sleep", "300"}})
	pid = remotePid(t, p)
	if err := p.Stop(false); err != nil {
		t.Fatal(err)
	}
	// Here the local child is in the remote program's process group too:
	// it may report the same stop itself.
	waitUntil(t, rt, "the stop sentinel", func() bool { return len(rec.events) >= 1 })
	if p.Status() != StatusStop || rec.events[0] != "stopped (signal)\n" || localProcState(pid) != "T" {
		t.Errorf("after Stop: status %s events %q state %q", p.Status(), rec.events, localProcState(pid))
	}
	if err := p.Continue(false); err != nil {
		t.Fatal(err)
	}
	if p.Status() != StatusRun || localProcState(pid) == "T" {
		t.Errorf("after Continue: status %s state %q", p.Status(), localProcState(pid))
	}
	// Delete kills the remote program, not only the local one.
	if err := p.Delete(); err != nil {
		t.Fatal(err)
	}
	// SIGKILL has been sent when Delete returns; the kernel ends the
	// program soon after.
	waitUntil(t, rt, "the remote program's end after Delete", func() bool {
		s := localProcState(pid)
		return s == "" || s == "Z"
	})

	// A missing directory or program is MakeProcess's error, as locally.
	_, err := rt.MakeProcess(ProcessArgs{Name: "x", Command: []string{"true"}, Dir: "/local::/no/such/dir", FileHandler: true})
	var fe *FileError
	if !errors.As(err, &fe) || fe.Op != "Setting current directory" || !errors.Is(err, fs.ErrNotExist) || fe.Path != "/local::/no/such/dir" {
		t.Errorf("missing directory: %v", err)
	}
	_, err = rt.MakeProcess(ProcessArgs{Name: "x", Command: []string{"true"}, Dir: "/local::/etc/passwd", FileHandler: true})
	if !errors.Is(err, syscall.ENOTDIR) {
		t.Errorf("a file as directory: %v", err)
	}
	_, err = rt.MakeProcess(ProcessArgs{Name: "x", Command: []string{"nosuchprog-eproc"}, Dir: dir, FileHandler: true})
	if err == nil || err.Error() != "Searching for program: No such file or directory, nosuchprog-eproc" || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing program: %v", err)
	}
	_, err = rt.MakeProcess(ProcessArgs{Name: "x", Command: []string{"true"}, Dir: "/nosuch:h:/", FileHandler: true})
	if err == nil || err.Error() != "Method ‘nosuch’ is not known." {
		t.Errorf("unknown method: %v", err)
	}
}

// localProcState is the state letter of a local pid, "" when it is gone.
func localProcState(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2 : i+3]
	}
	return ""
}

// TestRemoteSSHPipe runs processes over ssh with pipes: output, the exit
// code (255 included: the remote program's, not ssh's), the remote pid,
// standard error kept apart, the environment sent, and signals.
func TestRemoteSSHPipe(t *testing.T) {
	s := needSSHD(t)
	rt := s.runtime(t, &RemoteHandler{SSHOptions: []string{"-F", s.config}, Env: []string{"EPROC_HANDLER=h"}},
		Config{ProcessEnvironment: append([]string{"EPROC_LOCAL_ONLY=1", helperEnv + "=1"}, os.Environ()...)})
	dir := s.prefix() + "/tmp/"

	p, rec := mustRemote(t, rt, dir, ProcessArgs{Command: []string{"sh", "-c", `echo "pid $$ in $(pwd) as $(id -un)"; exit 255`}})
	waitExit(t, p)
	pid := remotePid(t, p)
	if want := fmt.Sprintf("pid %d in /tmp as %s\n", pid, sshTestUser); rec.String() != want {
		t.Errorf("output %q, want %q", rec.String(), want)
	}
	if p.Status() != StatusExit || p.ExitStatus() != 255 || p.Get("remote-connection-lost") != nil {
		t.Errorf("status %s %d lost %v: want the remote exit 255", p.Status(), p.ExitStatus(), p.Get("remote-connection-lost"))
	}
	if p.Command()[0] != "ssh" || p.ID() <= 0 || p.TTYName() != "" {
		t.Errorf("Command %q ID %d TTYName %q", p.Command(), p.ID(), p.TTYName())
	}

	// Standard error apart, in its own buffer.
	errBuf := rt.GetBufferCreate("err")
	p, rec = mustRemote(t, rt, dir, ProcessArgs{Command: []string{"sh", "-c", "echo out; echo err >&2"}, Stderr: errBuf})
	waitExit(t, p)
	if ep := rt.GetBufferProcess(errBuf); ep != nil {
		waitUntil(t, rt, "the stderr pipe to close", func() bool { return !ep.Live() })
	}
	if rec.String() != "out\n" || !strings.HasPrefix(errBuf.String(), "err\n") {
		t.Errorf("stdout %q stderr %q", rec.String(), errBuf.String())
	}

	// Only ProcessArgs.Env and the handler's Env are sent: not the local
	// process-environment ("VAR" unsets VAR).
	p, rec = mustRemote(t, rt, dir, ProcessArgs{
		Command: []string{"sh", "-c", `echo "${EPROC_SENT-unset} ${EPROC_HANDLER-unset} ${EPROC_LOCAL_ONLY-unset} ${HOME-unset} ${TERM-unset}"`},
		Env:     []string{"EPROC_SENT=it's sent", "HOME"},
	})
	waitExit(t, p)
	if rec.String() != "it's sent h unset unset unset\n" {
		t.Errorf("remote environment %q", rec.String())
	}

	// A program killed by a signal to its group (here from itself) shows
	// as killed by that signal; one killed by a signal to its pid alone
	// from elsewhere shows as the shell's 128+N (documented ambiguity).
	p, rec = mustRemote(t, rt, dir, ProcessArgs{Command: []string{"sh", "-c", "kill -TERM 0"}})
	waitExit(t, p)
	if p.Status() != StatusSignal || p.ExitStatus() != int(syscall.SIGTERM) || rec.events[0] != "terminated\n" {
		t.Errorf("group SIGTERM: %s %d %q", p.Status(), p.ExitStatus(), rec.events)
	}
	p, _ = mustRemote(t, rt, dir, ProcessArgs{Command: []string{"sh", "-c", "kill -TERM $$"}})
	waitExit(t, p)
	if p.Status() != StatusExit || p.ExitStatus() != 128+int(syscall.SIGTERM) {
		t.Errorf("self SIGTERM: %s %d", p.Status(), p.ExitStatus())
	}

	// Signals from eproc reach the remote program.
	for _, tc := range []struct {
		send  func(p *Process) error
		event string
	}{
		{func(p *Process) error { return p.Interrupt(false) }, "interrupt\n"},
		{func(p *Process) error { return p.Quit(false) }, "quit\n"},
		{func(p *Process) error { return p.Kill(false) }, "killed\n"},
		{func(p *Process) error { return p.Signal(syscall.SIGUSR2) }, "user defined signal 2\n"},
		{func(p *Process) error { return rt.SignalProcess(p, "term") }, "terminated\n"},
	} {
		p, rec := mustRemote(t, rt, dir, ProcessArgs{Command: []string{"sleep", "300"}})
		if err := tc.send(p); err != nil {
			t.Fatal(err)
		}
		waitExit(t, p)
		if fmt.Sprint(rec.events) != fmt.Sprint([]string{tc.event}) {
			t.Errorf("events %q, want %q", rec.events, tc.event)
		}
	}

	// Input and end of input through ssh's pipe.
	p, rec = mustRemote(t, rt, dir, ProcessArgs{Command: []string{"tr", "a-z", "A-Z"}})
	p.SendString("hello\n")
	p.SendEOF()
	waitExit(t, p)
	if rec.String() != "HELLO\n" || p.ExitStatus() != 0 {
		t.Errorf("tr: %q %d", rec.String(), p.ExitStatus())
	}
}

// TestRemoteSSHStopDelete: Stop and Continue change the status and really
// stop the remote program; Delete, a killed buffer and Close kill it,
// where killing ssh alone would leave it running on a pipe.
func TestRemoteSSHStopDelete(t *testing.T) {
	s := needSSHD(t)
	rt := s.runtime(t, nil, Config{})
	dir := s.prefix() + "/tmp/"

	p, rec := mustRemote(t, rt, dir, ProcessArgs{Command: []string{"sleep", "300"}})
	pid := remotePid(t, p)
	if err := p.Stop(false); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, rt, "the stop sentinel", func() bool { return len(rec.events) == 1 })
	if p.Status() != StatusStop || rec.events[0] != "stopped (signal)\n" {
		t.Errorf("after Stop: %s %q", p.Status(), rec.events)
	}
	if st := remoteProcState(t, rt, dir, pid); st != "T" {
		t.Errorf("the remote program's state after Stop is %q", st)
	}
	if err := p.Continue(false); err != nil {
		t.Fatal(err)
	}
	if st := remoteProcState(t, rt, dir, pid); p.Status() != StatusRun || st == "T" {
		t.Errorf("after Continue: %s, remote state %q", p.Status(), st)
	}
	if err := p.Delete(); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, rt, "the remote program's end after Delete", func() bool { return !remoteAlive(t, rt, dir, pid) })
	if p.Status() != StatusSignal || p.ExitStatus() != 9 {
		t.Errorf("after Delete: %s %d", p.Status(), p.ExitStatus())
	}

	// A killed buffer hangs the remote program up.
	b := rt.GetBufferCreate("remote buffer")
	p, rec = mustRemote(t, rt, dir, ProcessArgs{Command: []string{"sleep", "300"}, Buffer: b, NoQuery: true})
	pid = remotePid(t, p)
	if err := b.Kill(); err != nil {
		t.Fatal(err)
	}
	waitExit(t, p)
	if fmt.Sprint(rec.events) != "[hangup\n]" || remoteAlive(t, rt, dir, pid) {
		t.Errorf("killed buffer: events %q, remote alive %v", rec.events, remoteAlive(t, rt, dir, pid))
	}

	// Close hangs up remote programs, kills after its grace period those
	// that ignored SIGHUP or were stopped (as it kills local children),
	// and closes the connection.
	rt2 := s.runtime(t, nil, Config{})
	p, _ = mustRemote(t, rt2, dir, ProcessArgs{Command: []string{"sleep", "300"}})
	pid = remotePid(t, p)
	pIgn, recIgn := mustRemote(t, rt2, dir, ProcessArgs{Command: []string{"sh", "-c", "trap '' HUP; echo ready; exec sleep 300"}})
	waitRemoteOutput(t, rt2, recIgn, "ready\n")
	pStop, _ := mustRemote(t, rt2, dir, ProcessArgs{Command: []string{"sleep", "300"}})
	if err := pStop.Stop(false); err != nil {
		t.Fatal(err)
	}
	survivors := []int{remotePid(t, pIgn), remotePid(t, pStop)}
	ctl := p.remote.route.conn.ctlPath
	if len(ctl) > 60 {
		t.Errorf("ControlPath %q is long", ctl)
	}
	if st, err := os.Stat(filepath.Dir(ctl)); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("ControlPath directory: %v %v", st.Mode(), err)
	}
	if !fileExists(ctl) {
		t.Fatalf("no control socket at %s", ctl)
	}
	if err := rt2.Close(); err != nil {
		t.Fatal(err)
	}
	if p.Status() != StatusSignal || p.ExitStatus() != int(syscall.SIGHUP) {
		t.Errorf("after Close: %s %d", p.Status(), p.ExitStatus())
	}
	waitUntil(t, rt, "the remote program's end after Close", func() bool { return !remoteAlive(t, rt, dir, pid) })
	for i, p := range []*Process{pIgn, pStop} {
		if p.Status() != StatusSignal || p.ExitStatus() != int(syscall.SIGKILL) {
			t.Errorf("after Close, a program that ignored SIGHUP or was stopped: %s %d", p.Status(), p.ExitStatus())
		}
		waitUntil(t, rt, "the end after Close of a program that ignored SIGHUP or was stopped", func() bool { return !remoteAlive(t, rt, dir, survivors[i]) })
	}
	if fileExists(ctl) || fileExists(filepath.Dir(ctl)) {
		t.Errorf("Close left the control socket %s", ctl)
	}
	if err := exec.Command("ssh", "-F", s.config, "-o", "ControlPath="+ctl, "-O", "check", "127.0.0.1").Run(); err == nil {
		t.Error("the master still runs after Close")
	}
}

// TestRemoteSSHPTY: a pty connection gives the remote program a pty with
// the modes of a local child's, the window size and ^C.
func TestRemoteSSHPTY(t *testing.T) {
	s := needSSHD(t)
	rt := s.runtime(t, nil, Config{})
	dir := s.prefix() + "/tmp/"

	p, rec := mustRemote(t, rt, dir, ProcessArgs{Command: []string{"sh", "-c", "stty -a; echo tty=$(tty); echo fg=$(cut -d' ' -f8 /proc/$$/stat) pid=$$; echo ready; while read x; do stty size; done"}, ConnectionType: PTY})
	if p.TTYName() == "" {
		t.Error("no local pty")
	}
	waitRemoteOutput(t, rt, rec, "ready\n")
	out := rec.String()
	for _, mode := range []string{"-echo ", "icanon", "isig", "-onlcr", "intr = ^C", "eof = ^D"} {
		if !strings.Contains(out, mode) {
			t.Errorf("remote terminal modes lack %q:\n%s", mode, out)
		}
	}
	pid := remotePid(t, p)
	if !strings.Contains(out, fmt.Sprintf("fg=%d pid=%d", p.remote.pgid, pid)) || strings.Contains(out, "tty=not a tty") {
		t.Errorf("the remote program is not in the foreground of its terminal: %s", out)
	}
	if !p.SetWindowSize(24, 80) {
		t.Fatal("SetWindowSize failed")
	}
	// The new size reaches the remote terminal when ssh handles its
	// SIGWINCH, which may come after the next line of input: ask for the
	// size until it shows.
	waitUntil(t, rt, "the remote size 24 80", func() bool {
		p.SendString("go\n")
		return strings.Contains(rec.String(), "\n24 80\n")
	})
	p.Delete()

	// Interrupt with currentGroup types ^C into the remote terminal.
	p, rec = mustRemote(t, rt, dir, ProcessArgs{Command: []string{"sh", "-c", `trap 'echo got-int; exit 5' INT; echo ready; while read x; do :; done`}, ConnectionType: PTY})
	waitRemoteOutput(t, rt, rec, "ready\n")
	if err := p.Interrupt(true); err != nil {
		t.Fatal(err)
	}
	waitExit(t, p)
	if !strings.Contains(rec.String(), "got-int") || p.ExitStatus() != 5 {
		t.Errorf("^C: output %q status %d", rec.String(), p.ExitStatus())
	}

	// Stop and Continue with currentGroup reach the terminal's foreground
	// group (SIGTSTP, as ^Z, and SIGCONT), and Quit with currentGroup types
	// ^\ into the remote terminal.
	p, rec = mustRemote(t, rt, dir, ProcessArgs{Command: []string{"sh", "-c", `trap 'echo got-tstp' TSTP; trap 'echo got-cont' CONT; trap 'echo got-quit; exit 6' QUIT; echo ready; while :; do sleep 1 & wait $!; done`}, ConnectionType: PTY})
	waitRemoteOutput(t, rt, rec, "ready\n")
	if err := p.Stop(true); err != nil {
		t.Fatal(err)
	}
	waitRemoteOutput(t, rt, rec, "got-tstp\n")
	if err := p.Continue(true); err != nil {
		t.Fatal(err)
	}
	waitRemoteOutput(t, rt, rec, "got-cont\n")
	if err := p.Quit(true); err != nil {
		t.Fatal(err)
	}
	waitExit(t, p)
	if !strings.Contains(rec.String(), "got-quit") || p.ExitStatus() != 6 {
		t.Errorf("^\\: output %q status %d", rec.String(), p.ExitStatus())
	}

	// Kill with currentGroup reaches the terminal's foreground group; end
	// of input is ^D.
	p, rec = mustRemote(t, rt, dir, ProcessArgs{Command: []string{"sleep", "300"}, ConnectionType: PTY})
	if err := p.Kill(true); err != nil {
		t.Fatal(err)
	}
	waitExit(t, p)
	if fmt.Sprint(rec.events) != "[killed\n]" {
		t.Errorf("Kill(true): %q", rec.events)
	}
	p, rec = mustRemote(t, rt, dir, ProcessArgs{Command: []string{"cat"}, ConnectionType: PTY})
	// Input waits for the remote start: until ssh has made its end of the
	// local terminal raw, a ^D would end ssh's own input instead of cat's.
	waitUntil(t, rt, "the remote start", func() bool { return p.Get("remote-pid") != nil })
	p.SendString("line\n")
	p.SendEOF()
	waitExit(t, p)
	if rec.String() != "line\n" || p.ExitStatus() != 0 {
		t.Errorf("cat on a pty: %q %d", rec.String(), p.ExitStatus())
	}
}

// TestRemoteSSHErrors: what fails before the remote program starts is
// MakeProcess's error, with ssh's message.
func TestRemoteSSHErrors(t *testing.T) {
	s := needSSHD(t)
	rt := s.runtime(t, nil, Config{})
	mk := func(rt *Runtime, dir string, cmd ...string) error {
		_, err := rt.MakeProcess(ProcessArgs{Name: "e", Command: cmd, Dir: dir, FileHandler: true})
		return err
	}
	err := mk(rt, s.prefix()+"/no/such/", "true")
	if !errors.Is(err, fs.ErrNotExist) || !strings.HasPrefix(err.Error(), "Setting current directory: No such file or directory, /ssh:") {
		t.Errorf("missing directory: %v", err)
	}
	if err := mk(rt, s.prefix()+"/tmp/", "no-such-program-eproc"); err == nil || err.Error() != "Searching for program: No such file or directory, no-such-program-eproc" {
		t.Errorf("missing program: %v", err)
	}
	l := closedPort(t)
	for _, tc := range []struct {
		cfg, dir, want string
	}{
		{s.config, fmt.Sprintf("/ssh:%s@127.0.0.1#%d:/tmp/", sshTestUser, l), "Connection refused"},
		{filepath.Join(s.dir, "ssh_config_badkey"), s.prefix() + "/tmp/", "Permission denied (publickey)"},
		{filepath.Join(s.dir, "ssh_config_badhost"), s.prefix() + "/tmp/", "Host key verification failed"},
	} {
		rt := s.runtime(t, &RemoteHandler{SSHOptions: []string{"-F", tc.cfg}}, Config{})
		err := mk(rt, tc.dir, "true")
		var ce *ConnectionError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want a ConnectionError with %q", tc.cfg, err, tc.want)
		}
		if _, err := rt.ProcessFile("true", "", Destination{}); err != nil {
			t.Errorf("local ProcessFile after a failed connection: %v", err)
		}
	}
}

// closedPort returns a port on 127.0.0.1 where nothing listens.
func closedPort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

// TestRemoteSSHProcessFile: process-file on a remote directory, with a
// local infile streamed, a remote infile, the stderr destinations as
// local files, NoWait, and cancellation reaching the remote program.
func TestRemoteSSHProcessFile(t *testing.T) {
	s := needSSHD(t)
	rt := s.runtime(t, nil, Config{CallProcessQuitDelay: 200 * time.Millisecond})
	work, _ := remoteRun(t, rt, s.prefix()+"/tmp/", "mktemp -d")
	dir := s.prefix() + strings.TrimSpace(work) + "/"
	t.Cleanup(func() { remoteRun(t, rt, s.prefix()+"/tmp/", "rm -rf "+strings.TrimSpace(work)) })
	call := func(a ProcessFileArgs) (CallStatus, error) {
		if a.Dir == "" {
			a.Dir = dir
		}
		return rt.ProcessFileContext(context.Background(), a)
	}

	// Output into a buffer, the remote exit code.
	b := newBuffer("out")
	st, err := call(ProcessFileArgs{Program: "sh", Args: []string{"-c", "pwd; echo err >&2; exit 4"}, Dest: Destination{Buffer: b}})
	if err != nil || st.Code != 4 || b.String() != strings.TrimSpace(work)+"\nerr\n" {
		t.Errorf("ProcessFile = %v %v, output %q", st, err, b.String())
	}

	// A local infile, streamed (bytes that look like records included),
	// saved remotely, then read back as a remote relative infile into a
	// local file.
	data := make([]byte, 1<<20)
	rand.New(rand.NewSource(7)).Read(data)
	copy(data[1000:], "\x1e0123456789abcdef:exit:0\n")
	in := filepath.Join(t.TempDir(), "in")
	os.WriteFile(in, data, 0o644)
	if st, err := call(ProcessFileArgs{Program: "sh", Args: []string{"-c", "cat > data"}, Infile: in}); err != nil || st.Code != 0 {
		t.Fatalf("streaming infile: %v %v", st, err)
	}
	out := filepath.Join(t.TempDir(), "out")
	if st, err := call(ProcessFileArgs{Program: "cat", Infile: "data", Dest: Destination{File: out}}); err != nil || st.Code != 0 {
		t.Fatalf("remote infile: %v %v", st, err)
	}
	if got, _ := os.ReadFile(out); !bytes.Equal(got, data) {
		t.Errorf("round trip: %d bytes back, sha %x, want %x", len(got), sha256.Sum256(got), sha256.Sum256(data))
	}
	b = newBuffer("sum")
	if st, err := call(ProcessFileArgs{Program: "wc", Args: []string{"-c"}, Infile: dir + "data", Dest: Destination{Buffer: b}}); err != nil || st.Code != 0 || strings.TrimSpace(b.String()) != strconv.Itoa(len(data)) {
		t.Errorf("remote infile by its remote name: %v %v %q", st, err, b.String())
	}
	if _, err := call(ProcessFileArgs{Program: "cat", Infile: "nosuch"}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing remote infile: %v", err)
	}

	// Standard error: discarded, or into a local file.
	b = newBuffer("e")
	errFile := filepath.Join(t.TempDir(), "err")
	call(ProcessFileArgs{Program: "sh", Args: []string{"-c", "echo o; echo e >&2"}, Dest: Destination{Buffer: b, StderrFile: errFile}})
	if got, _ := os.ReadFile(errFile); b.String() != "o\n" || string(got) != "e\n" {
		t.Errorf("StderrFile: out %q err %q", b.String(), got)
	}
	b = newBuffer("d")
	call(ProcessFileArgs{Program: "sh", Args: []string{"-c", "echo o; echo e >&2"}, Dest: Destination{Buffer: b, DiscardStderr: true}})
	if b.String() != "o\n" {
		t.Errorf("DiscardStderr: %q", b.String())
	}

	// Signals: the remote program's death by a signal to its group.
	if st, err := call(ProcessFileArgs{Program: "sh", Args: []string{"-c", "kill -INT 0"}}); err != nil || st.Signal != "Interrupt" {
		t.Errorf("death by SIGINT: %v %v", st, err)
	}

	// NoWait returns at once; the program runs on.
	if st, err := call(ProcessFileArgs{Program: "sh", Args: []string{"-c", "sleep 1; echo done > nowait"}, Dest: Destination{NoWait: true}}); err != nil || !st.NoWait {
		t.Errorf("NoWait: %v %v", st, err)
	}

	// Cancellation: SIGINT reaches the remote program (it exits 9 from
	// its trap, or dies of SIGINT if it had no time to set it); one that
	// ignores SIGINT gets SIGKILL after CallProcessQuitDelay.
	// The program that honours SIGINT runs in a Runtime with a long quit
	// delay: on a loaded machine the SIGINT's path (a kill command through
	// the master, the trap, the end record) can take longer than 200 ms,
	// and the SIGKILL after the delay would be what ends it.
	patient := s.runtime(t, nil, Config{CallProcessQuitDelay: longWait})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	st, err = patient.ProcessFileContext(ctx, ProcessFileArgs{Program: "sh", Args: []string{"-c", "trap 'exit 9' INT; while :; do sleep 1; done"}, Dir: dir})
	if !errors.Is(err, context.Canceled) || st.Code != 9 && st.Signal != "Interrupt" {
		t.Errorf("cancelled ProcessFile: %v %v", st, err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	st, err = rt.ProcessFileContext(ctx, ProcessFileArgs{Program: "sh", Args: []string{"-c", "trap '' INT; echo $$ > ignoring; exec sleep 300"}, Dir: dir})
	if !errors.Is(err, context.Canceled) || st.Signal != "Killed" {
		t.Errorf("cancelled ProcessFile ignoring SIGINT: %v %v", st, err)
	}
	pidText, _ := remoteRun(t, rt, dir, "cat ignoring")
	if pid, _ := strconv.Atoi(strings.TrimSpace(pidText)); pid <= 0 || remoteAlive(t, rt, dir, pid) {
		t.Errorf("the cancelled remote program %q still runs", pidText)
	}

	// process-file-shell-command uses the remote /bin/sh.
	rt2 := s.runtime(t, nil, Config{DefaultDirectory: dir})
	b = newBuffer("sh")
	if st, err := rt2.ProcessFileShellCommand("echo $0", "", Destination{Buffer: b}, "x"); err != nil || st.Code != 0 || b.String() != "/bin/sh x\n" {
		t.Errorf("ProcessFileShellCommand: %v %v %q", st, err, b.String())
	}
	p, err := rt2.StartFileProcessShellCommand("sh", nil, "echo $0 $PWD")
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	p.SetFilter(rec.filter)
	waitExit(t, p)
	if rec.String() != "/bin/sh "+strings.TrimSpace(work)+"\n" {
		t.Errorf("StartFileProcessShellCommand: %q", rec.String())
	}
}

// TestRemoteSSHOneSession counts the ssh commands eproc runs, through a
// wrapper that logs them: after the connection's own (ssh -G, the
// master), one ssh per ProcessFile call, and one per process, which
// gives the remote pid with the program's start (no second round trip);
// all of them through the one master (the same client port in
// SSH_CONNECTION).
func TestRemoteSSHOneSession(t *testing.T) {
	s := needSSHD(t)
	tmp := t.TempDir()
	log := filepath.Join(tmp, "log")
	wrapper := filepath.Join(tmp, "ssh")
	if err := os.WriteFile(wrapper, []byte("#!/bin/sh\nprintf '%s\\n' \"$*\" >> "+remoteQuote(log)+"\nexec ssh \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	methods := DefaultMethods()
	m := methods["ssh"]
	m.Program = wrapper
	methods["ssh"] = m
	rt := s.runtime(t, &RemoteHandler{Methods: methods, SSHOptions: []string{"-F", s.config}}, Config{})
	dir := s.prefix() + "/tmp/"
	sessions := func() (n int) {
		b, _ := os.ReadFile(log)
		for _, line := range strings.Split(string(b), "\n") {
			if strings.Contains(line, "ControlMaster=no") {
				n++
			}
		}
		return n
	}
	var conns []string
	for i := range 3 {
		b := newBuffer("c")
		if st, err := rt.ProcessFileContext(context.Background(), ProcessFileArgs{Program: "sh", Args: []string{"-c", "echo $SSH_CONNECTION"}, Dir: dir, Dest: Destination{Buffer: b}}); err != nil || st.Code != 0 {
			t.Fatalf("ProcessFile: %v %v", st, err)
		}
		conns = append(conns, b.String())
		if n := sessions(); n != i+1 {
			t.Errorf("after %d ProcessFile calls, %d ssh sessions", i+1, n)
		}
	}
	p, rec := mustRemote(t, rt, dir, ProcessArgs{Command: []string{"sh", "-c", "echo $SSH_CONNECTION; echo $$"}})
	waitExit(t, p)
	lines := strings.Split(rec.String(), "\n")
	if len(lines) < 2 || lines[1] != strconv.Itoa(remotePid(t, p)) {
		t.Errorf("output %q, remote-pid %v", rec.String(), p.Get("remote-pid"))
	}
	conns = append(conns, lines[0]+"\n")
	if n := sessions(); n != 4 {
		t.Errorf("after a process, %d ssh sessions in all, want 4", n)
	}
	b, _ := os.ReadFile(log)
	if masters := strings.Count("\n"+string(b), "\n-M "); masters != 1 {
		t.Errorf("%d masters started:\n%s", masters, b)
	}
	for _, c := range conns {
		if f := strings.Fields(c); len(f) != 4 || c != conns[0] {
			t.Errorf("SSH_CONNECTION %q, want the master's %q each time", c, conns[0])
		}
	}
}

// TestRemoteSudo runs the sudo method here, and after an ssh hop.
func TestRemoteSudo(t *testing.T) {
	s := needSSHD(t)
	rt := s.runtime(t, nil, Config{})
	for _, dir := range []string{
		"/sudo:" + sshTestUser + "@localhost:/tmp/",
		fmt.Sprintf("/ssh:%s@127.0.0.1#%d|sudo:%s@127.0.0.1:/tmp/", sshTestUser, s.port, sshTestUser2),
	} {
		want := sshTestUser
		if strings.Contains(dir, "|") {
			want = sshTestUser2
		}
		p, rec := mustRemote(t, rt, dir, ProcessArgs{Command: []string{"sh", "-c", "id -un; pwd; echo ready; exec sleep 300"}})
		waitRemoteOutput(t, rt, rec, "ready\n")
		if rec.String() != want+"\n/tmp\nready\n" {
			t.Errorf("%s: %q, want user %s", dir, rec.String(), want)
		}
		pid := remotePid(t, p)
		if err := p.Interrupt(false); err != nil {
			t.Fatal(err)
		}
		waitExit(t, p)
		if fmt.Sprint(rec.events) != "[interrupt\n]" {
			t.Errorf("%s: events %q", dir, rec.events)
		}
		if strings.HasPrefix(dir, "/sudo") && localProcState(pid) != "" && localProcState(pid) != "Z" {
			t.Errorf("%s: the program survived", dir)
		}
	}
	// sudo never prompts: a user it may not become is an error with
	// sudo's message.
	_, err := rt.MakeProcess(ProcessArgs{Name: "x", Command: []string{"true"}, FileHandler: true,
		Dir: fmt.Sprintf("/ssh:%s@127.0.0.1#%d|sudo:root@127.0.0.1:/", sshTestUser, s.port)})
	var ce *ConnectionError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "sudo") {
		t.Errorf("sudo to a forbidden user: %v", err)
	}
}

// TestRemoteMultiHop reaches 127.0.0.2 through 127.0.0.1: the test
// configuration forbids connecting to 127.0.0.2 directly.
func TestRemoteMultiHop(t *testing.T) {
	s := needSSHD(t)
	rt := s.runtime(t, nil, Config{})
	if _, err := rt.MakeProcess(ProcessArgs{Name: "x", Command: []string{"true"}, FileHandler: true, Dir: s.prefix("127.0.0.2") + "/"}); err == nil {
		t.Fatal("127.0.0.2 is reachable directly: the test proves nothing")
	}
	dir := fmt.Sprintf("/ssh:%s@127.0.0.1#%d|ssh:%s@127.0.0.2#%d:/tmp/", sshTestUser, s.port, sshTestUser, s.port)
	p, rec := mustRemote(t, rt, dir, ProcessArgs{Command: []string{"sh", "-c", "echo $SSH_CONNECTION"}})
	waitExit(t, p)
	if f := strings.Fields(rec.String()); len(f) != 4 || f[2] != "127.0.0.2" || f[3] != strconv.Itoa(s.port) {
		t.Errorf("SSH_CONNECTION %q, want a connection to 127.0.0.2", rec.String())
	}
	b := newBuffer("mh")
	if st, err := rt.ProcessFileContext(context.Background(), ProcessFileArgs{Program: "hostname", Dir: dir, Dest: Destination{Buffer: b}}); err != nil || st.Code != 0 || b.String() == "" {
		t.Errorf("ProcessFile over two hops: %v %v %q", st, err, b.String())
	}
}

// TestRemoteControlMasterUserConfig: a ControlMaster and ControlPath in
// the user's ssh configuration are used; eproc closes only a master it
// started.
func TestRemoteControlMasterUserConfig(t *testing.T) {
	s := needSSHD(t)
	ctlDir, err := os.MkdirTemp("", "eproc-user-ctl-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(ctlDir)
	cfgText, _ := os.ReadFile(s.config)
	cfg := filepath.Join(ctlDir, "config")
	os.WriteFile(cfg, []byte("ControlMaster auto\nControlPath "+ctlDir+"/m-%C\nControlPersist 60\n"+string(cfgText)), 0o644)
	h := &RemoteHandler{SSHOptions: []string{"-F", cfg}}
	sockets := func() []string {
		m, _ := filepath.Glob(filepath.Join(ctlDir, "m-*"))
		return m
	}

	rt := s.runtime(t, h, Config{})
	p, _ := mustRemote(t, rt, s.prefix()+"/", ProcessArgs{Command: []string{"true"}})
	waitExit(t, p)
	if len(sockets()) != 1 || !p.remote.route.conn.userCtl {
		t.Fatalf("the user's ControlPath is not used: %v", sockets())
	}
	rt.Close()
	if len(sockets()) != 0 {
		t.Errorf("Close left the master it started: %v", sockets())
	}

	// A master the user runs already stays after Close.
	master := exec.Command("ssh", "-F", cfg, "-M", "-N", "-f", "-o", "BatchMode=yes", "-p", strconv.Itoa(s.port), "-l", sshTestUser, "127.0.0.1")
	if out, err := master.CombinedOutput(); err != nil {
		t.Fatalf("starting a master: %v %s", err, out)
	}
	defer exec.Command("ssh", "-F", cfg, "-O", "exit", "-p", strconv.Itoa(s.port), "-l", sshTestUser, "127.0.0.1").Run()
	rt = s.runtime(t, h, Config{})
	p, _ = mustRemote(t, rt, s.prefix()+"/", ProcessArgs{Command: []string{"true"}})
	waitExit(t, p)
	rt.Close()
	if len(sockets()) != 1 {
		t.Errorf("Close closed the user's own master: %v", sockets())
	}
}

// TestRemoteConnectionLost: when the connection goes, the process ends
// with ssh's 255 and "remote-connection-lost"; the next process opens a
// new connection.
func TestRemoteConnectionLost(t *testing.T) {
	s := needSSHD(t)
	rt := s.runtime(t, nil, Config{})
	dir := s.prefix() + "/tmp/"
	p, rec := mustRemote(t, rt, dir, ProcessArgs{Command: []string{"sh", "-c", "echo ready; read x"}})
	waitRemoteOutput(t, rt, rec, "ready\n")
	ctl := p.remote.route.conn.ctlPath
	if out, err := exec.Command("ssh", "-F", s.config, "-o", "ControlPath="+ctl, "-O", "exit", "127.0.0.1").CombinedOutput(); err != nil {
		t.Fatalf("stopping the master: %v %s", err, out)
	}
	waitExit(t, p)
	if p.Status() != StatusExit || p.ExitStatus() != 255 || p.Get("remote-connection-lost") != true {
		t.Errorf("after the connection went: %s %d lost %v", p.Status(), p.ExitStatus(), p.Get("remote-connection-lost"))
	}
	// The next process starts a new master, under a new name: the old
	// master removes its socket by name as it exits, which may be after
	// the new one started (a process through a socket that is going away
	// would connect directly, out of reach of eproc's kill commands).
	p, rec = mustRemote(t, rt, dir, ProcessArgs{Command: []string{"sh", "-c", "echo again; exec sleep 300"}})
	waitRemoteOutput(t, rt, rec, "again\n")
	ctl2 := p.remote.route.conn.ctlPath
	if ctl2 == ctl || exec.Command("ssh", "-F", s.config, "-o", "ControlPath="+ctl2, "-O", "check", "127.0.0.1").Run() != nil {
		t.Errorf("after a lost connection: no new master (old socket %s, new %s)", ctl, ctl2)
	}
	if err := p.Kill(false); err != nil {
		t.Errorf("Kill through the new master: %v", err)
	}
	waitExit(t, p)
	if p.Status() != StatusSignal || p.ExitStatus() != int(syscall.SIGKILL) {
		t.Errorf("after Kill: %s %d", p.Status(), p.ExitStatus())
	}
}

// TestRemoteConcurrent makes remote processes from several goroutines at
// once through one connection, with output that holds 0x1E bytes.
func TestRemoteConcurrent(t *testing.T) {
	s := needSSHD(t)
	rt := s.runtime(t, nil, Config{})
	dir := s.prefix() + "/tmp/"
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var out strings.Builder
			want := strings.Repeat(fmt.Sprintf("\x1e%d\n", i), 20000)
			p, err := rt.MakeProcess(ProcessArgs{Name: "c", Dir: dir, FileHandler: true,
				Command: []string{"sh", "-c", fmt.Sprintf(`i=0; while [ $i -lt 20000 ]; do printf '\036%d\n'; i=$((i+1)); done`, i)},
				Filter:  func(p *Process, s string) { out.WriteString(s) }})
			if err != nil {
				errs <- err
				return
			}
			ctx, cancel := context.WithTimeout(context.Background(), longWait)
			defer cancel()
			if err := p.Wait(ctx); err != nil {
				errs <- err
				return
			}
			if out.String() != want || p.ExitStatus() != 0 {
				errs <- fmt.Errorf("process %d: %d bytes, status %d", i, out.Len(), p.ExitStatus())
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func init() {
	// fakedocker ARGS...: a stand-in for "docker exec -i [-t] [-u USER]
	// CONTAINER /bin/sh -c COMMAND" with no daemon: it appends its
	// arguments to $EPROC_FAKEDOCKER_LOG, then runs COMMAND here with
	// CONTAINER in the environment.
	helpers["fakedocker"] = func(args []string) int {
		if f, err := os.OpenFile(os.Getenv("EPROC_FAKEDOCKER_LOG"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644); err == nil {
			fmt.Fprintf(f, "%q\n", args)
			f.Close()
		}
		if len(args) < 4 || args[0] != "exec" || args[1] != "-i" {
			fmt.Fprintln(os.Stderr, "fakedocker: bad arguments")
			return 125
		}
		rest := args[2:]
		if rest[0] == "-t" {
			rest = rest[1:]
		}
		if rest[0] == "-u" {
			rest = rest[2:]
		}
		if len(rest) != 4 || rest[1] != "/bin/sh" || rest[2] != "-c" {
			fmt.Fprintln(os.Stderr, "fakedocker: bad command")
			return 125
		}
		err := syscall.Exec("/bin/sh", rest[1:], append(os.Environ(), "CONTAINER="+rest[0]))
		fmt.Fprintln(os.Stderr, "fakedocker:", err)
		return 126
	}
	// fakekubectl ARGS...: the same for "kubectl exec -i [-t] POD [-c
	// CONTAINER] -- /bin/sh -c COMMAND", with POD and CONTAINER in the
	// environment.
	helpers["fakekubectl"] = func(args []string) int {
		if f, err := os.OpenFile(os.Getenv("EPROC_FAKEDOCKER_LOG"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644); err == nil {
			fmt.Fprintf(f, "%q\n", args)
			f.Close()
		}
		if len(args) < 3 || args[0] != "exec" || args[1] != "-i" {
			fmt.Fprintln(os.Stderr, "fakekubectl: bad arguments")
			return 1
		}
		rest := args[2:]
		if rest[0] == "-t" {
			rest = rest[1:]
		}
		env := append(os.Environ(), "POD="+rest[0])
		rest = rest[1:]
		if len(rest) > 1 && rest[0] == "-c" {
			env = append(env, "KCONTAINER="+rest[1])
			rest = rest[2:]
		}
		if len(rest) != 4 || rest[0] != "--" || rest[1] != "/bin/sh" || rest[2] != "-c" {
			fmt.Fprintln(os.Stderr, "fakekubectl: bad command")
			return 1
		}
		err := syscall.Exec("/bin/sh", rest[1:], env)
		fmt.Fprintln(os.Stderr, "fakekubectl:", err)
		return 126
	}
}

// TestRemoteDockerStandIn runs the docker, podman and kubectl methods,
// described as data, with stand-ins for their clients (no daemon or
// cluster here): the same command lines, the records, and signals through
// a second exec.
func TestRemoteDockerStandIn(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("looks at processes in /proc")
	}
	log := filepath.Join(t.TempDir(), "log")
	methods := DefaultMethods()
	for _, name := range []string{"docker", "podman", "kubectl"} {
		m := methods[name]
		m.Program = os.Args[0]
		fake := "fakedocker"
		if name == "kubectl" {
			fake = "fakekubectl"
		}
		m.Args = append([][]string{{fake}}, m.Args...)
		methods[name] = m
	}
	rt := newRuntime(t, Config{
		FileNameHandlers:   []FileNameHandler{{Regexp: RemoteFileNameRegexp, Handler: &RemoteHandler{Methods: methods}}},
		ProcessEnvironment: append([]string{helperEnv + "=1", "EPROC_FAKEDOCKER_LOG=" + log}, os.Environ()...),
	})
	p, rec := mustRemote(t, rt, "/docker:app@web-1:/tmp/", ProcessArgs{Command: []string{"sh", "-c", "echo in $CONTAINER at $(pwd); exec sleep 300"}})
	waitRemoteOutput(t, rt, rec, "\n")
	if rec.String() != "in web-1 at /tmp\n" {
		t.Errorf("output %q", rec.String())
	}
	pid := remotePid(t, p)
	if err := p.Interrupt(false); err != nil {
		t.Fatal(err)
	}
	waitExit(t, p)
	if fmt.Sprint(rec.events) != "[interrupt\n]" || localProcState(pid) != "" && localProcState(pid) != "Z" {
		t.Errorf("events %q, program state %q", rec.events, localProcState(pid))
	}
	b, _ := os.ReadFile(log)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], `["exec" "-i" "-u" "app" "web-1" "/bin/sh" "-c" "set -- `) ||
		!strings.HasPrefix(lines[1], `["exec" "-i" "-u" "app" "web-1" "/bin/sh" "-c" "kill -s INT -- -`) {
		t.Errorf("docker command lines:\n%s", b)
	}

	// With a pty: -t.
	os.Remove(log)
	p, rec = mustRemote(t, rt, "/podman:web-2:/", ProcessArgs{Command: []string{"sh", "-c", "echo $CONTAINER; tty"}, ConnectionType: PTY})
	waitExit(t, p)
	b, _ = os.ReadFile(log)
	if !strings.HasPrefix(rec.String(), "web-2\n/dev/") || !strings.HasPrefix(string(b), `["exec" "-i" "-t" "web-2" "/bin/sh" "-c"`) {
		t.Errorf("podman with a pty: output %q, command line %s", rec.String(), b)
	}

	// kubectl: /kubectl:CONTAINER@POD:/dir.
	os.Remove(log)
	p, rec = mustRemote(t, rt, "/kubectl:box@pod-1:/tmp/", ProcessArgs{Command: []string{"sh", "-c", "echo in $POD $KCONTAINER at $(pwd); exec sleep 300"}})
	waitRemoteOutput(t, rt, rec, "\n")
	if rec.String() != "in pod-1 box at /tmp\n" {
		t.Errorf("kubectl: output %q", rec.String())
	}
	pid = remotePid(t, p)
	if err := p.Interrupt(false); err != nil {
		t.Fatal(err)
	}
	waitExit(t, p)
	if fmt.Sprint(rec.events) != "[interrupt\n]" || localProcState(pid) != "" && localProcState(pid) != "Z" {
		t.Errorf("kubectl: events %q, program state %q", rec.events, localProcState(pid))
	}
	b, _ = os.ReadFile(log)
	lines = strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], `["exec" "-i" "pod-1" "-c" "box" "--" "/bin/sh" "-c" "set -- `) ||
		!strings.HasPrefix(lines[1], `["exec" "-i" "pod-1" "-c" "box" "--" "/bin/sh" "-c" "kill -s INT -- -`) {
		t.Errorf("kubectl command lines:\n%s", b)
	}
}
