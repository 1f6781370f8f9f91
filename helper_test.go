package eproc

import (
	"bufio"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The test binary is its own helper child: with EPROC_HELPER set, TestMain
// runs the named helper with the remaining arguments instead of the tests.

const helperEnv = "EPROC_HELPER"

var helpers = map[string]func(args []string) int{
	// echo ARGS...: print the arguments, one per line.
	"echo": func(args []string) int {
		for _, a := range args {
			fmt.Println(a)
		}
		return 0
	},
	// exit N: exit with code N.
	"exit": func(args []string) int {
		n, _ := strconv.Atoi(args[0])
		return n
	},
	// write N [CODE]: write N bytes of a repeating pattern in random-sized
	// writes, then exit with CODE.
	"write": func(args []string) int {
		n, _ := strconv.Atoi(args[0])
		code := 0
		if len(args) > 1 {
			code, _ = strconv.Atoi(args[1])
		}
		buf := patternBytes(n)
		r := rand.New(rand.NewSource(int64(n)))
		for len(buf) > 0 {
			k := min(len(buf), 1+r.Intn(70000))
			os.Stdout.Write(buf[:k])
			buf = buf[k:]
		}
		return code
	},
	// outerr: "out\n" on stdout, "err\n" on stderr, exit 2.
	"outerr": func(args []string) int {
		os.Stdout.WriteString("to-out\n")
		os.Stderr.WriteString("to-err\n")
		return 2
	},
	// bytes HEX...: write each argument's bytes in a separate write, waiting
	// for a line on stdin between writes.
	"bytes": func(args []string) int {
		in := bufio.NewReader(os.Stdin)
		for i, a := range args {
			if i > 0 {
				in.ReadString('\n')
			}
			var b []byte
			for j := 0; j+1 < len(a); j += 2 {
				v, _ := strconv.ParseUint(a[j:j+2], 16, 8)
				b = append(b, byte(v))
			}
			os.Stdout.Write(b)
		}
		return 0
	},
	// cat: copy stdin to stdout.
	"cat": func(args []string) int {
		io.Copy(os.Stdout, os.Stdin)
		return 0
	},
	// count: read stdin to EOF and print the byte count and SHA-256.
	"count": func(args []string) int {
		h := sha256.New()
		n, _ := io.Copy(h, os.Stdin)
		fmt.Printf("%d %x\n", n, h.Sum(nil))
		return 0
	},
	// ready: print "ready", then wait for stdin to close (or a signal).
	"ready": func(args []string) int {
		os.Stdout.WriteString("ready\n")
		io.Copy(io.Discard, os.Stdin)
		return 0
	},
	// trap SIG: ignore SIG (0: none; on Windows 2 is Ctrl-C and Ctrl-Break),
	// print "ready", echo lines from stdin.
	"trap": func(args []string) int {
		n, _ := strconv.Atoi(args[0])
		signal.Ignore(syscall.Signal(n))
		os.Stdout.WriteString("ready\n")
		io.Copy(os.Stdout, os.Stdin)
		return 0
	},
	// args ARGS...: print each argument Go-quoted, one per line.
	"args": func(args []string) int {
		for _, a := range args {
			fmt.Println(strconv.Quote(a))
		}
		return 0
	},
	// argv0: print the program name the child was given (its argv[0]).
	"argv0": func(args []string) int {
		fmt.Println(childArgv0)
		return 0
	},
	// block: print "ready", then wait until killed.
	"block": func(args []string) int {
		os.Stdout.WriteString("ready\n")
		for {
			time.Sleep(time.Hour)
		}
	},
	// env NAME...: print NAME=value for each (or NAME unset).
	"env": func(args []string) int {
		for _, a := range args {
			if v, ok := os.LookupEnv(a); ok {
				fmt.Printf("%s=%s\n", a, v)
			} else {
				fmt.Printf("%s unset\n", a)
			}
		}
		return 0
	},
	// pwd: print the working directory.
	"pwd": func(args []string) int {
		wd, _ := os.Getwd()
		fmt.Println(wd)
		return 0
	},
	// closeout: close stdout, print "closed" on stderr, then wait for stdin.
	"closeout": func(args []string) int {
		os.Stdout.Close()
		io.Copy(io.Discard, os.Stdin)
		return 0
	},
	// random N SEED CODE: write N pseudo-random bytes in random-sized writes,
	// print their SHA-256 on stderr, then exit with CODE, or with CODE -1
	// wait to be killed.
	"random": func(args []string) int {
		n, _ := strconv.Atoi(args[0])
		seed, _ := strconv.ParseInt(args[1], 10, 64)
		code, _ := strconv.Atoi(args[2])
		r := rand.New(rand.NewSource(seed))
		data := make([]byte, n)
		r.Read(data)
		for rest := data; len(rest) > 0; {
			k := min(len(rest), 1+r.Intn(100000))
			os.Stdout.Write(rest[:k])
			rest = rest[k:]
		}
		fmt.Fprintf(os.Stderr, "%x\n", sha256.Sum256(data))
		if code < 0 {
			select {}
		}
		return code
	},
	// lines N: print N numbered lines.
	"lines": func(args []string) int {
		n, _ := strconv.Atoi(args[0])
		w := bufio.NewWriter(os.Stdout)
		for i := 0; i < n; i++ {
			fmt.Fprintf(w, "line %d\n", i)
		}
		w.Flush()
		return 0
	},
}

var (
	traceMu sync.Mutex
	trace   = map[int][]string{}
)

// childArgv0 is a helper child's argv[0], before TestMain drops it.
var childArgv0 string

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "1" && len(os.Args) > 1 {
		name := os.Args[1]
		childArgv0 = os.Args[0]
		os.Args = os.Args[1:]
		h := helpers[name]
		if h == nil {
			fmt.Fprintln(os.Stderr, "no helper", name)
			os.Exit(100)
		}
		os.Exit(h(os.Args[1:]))
	}
	code := m.Run()
	stopTestSSHD() // sshd_test.go
	os.Exit(code)
}

// helperCmd is the command line of a helper child.
func helperCmd(name string, args ...string) []string {
	return append([]string{os.Args[0], name}, args...)
}

// patternBytes returns n bytes of a pattern that shows any loss or reorder.
func patternBytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = "0123456789abcdefghijklmnopqrstuvwxyz\n"[i%37]
	}
	return b
}

// Timeouts: long when waiting for something that must happen, short when
// checking that something does not.
const (
	longWait  = 30 * time.Second
	shortWait = 200 * time.Millisecond
)

// newRuntime makes a Runtime for one test, closed when the test ends.
func newRuntime(t testing.TB, cfg Config) *Runtime {
	t.Helper()
	if cfg.ProcessConnectionType == DefaultConnection {
		cfg.ProcessConnectionType = Pipe
	}
	if cfg.ProcessEnvironment == nil {
		cfg.ProcessEnvironment = append([]string{helperEnv + "=1"}, os.Environ()...)
	}
	rt := NewRuntime(cfg)
	t.Cleanup(func() { rt.Close() })
	return rt
}

// helperArgs makes ProcessArgs for a helper child.
func helperArgs(name, helper string, args ...string) ProcessArgs {
	return ProcessArgs{Name: name, Command: helperCmd(helper, args...)}
}

// mustMake makes a process or fails the test.
func mustMake(t testing.TB, rt *Runtime, a ProcessArgs) *Process {
	t.Helper()
	p, err := rt.MakeProcess(a)
	for try := 0; err != nil && wineInternalError(err) && try < 3; try++ {
		// Wine's CreateProcess fails now and then with
		// ERROR_INTERNAL_ERROR when many programs start at once on a
		// loaded machine (seen in CI at the 30th of 50); Windows does not.
		t.Logf("MakeProcess(%v): %v (Wine); trying again", a.Command, err)
		p, err = rt.MakeProcess(a)
	}
	if err != nil {
		t.Fatalf("MakeProcess(%v): %v", a.Command, err)
	}
	return p
}

// wineInternalError reports whether err is Windows's ERROR_INTERNAL_ERROR
// (1359), which Wine's CreateProcess returns under load.
func wineInternalError(err error) bool {
	var errno syscall.Errno
	return runtime.GOOS == "windows" && errors.As(err, &errno) && errno == 1359
}

// waitExit waits (bounded) until p has died and its exit sentinel ran.
func waitExit(t testing.TB, p *Process) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), longWait)
	defer cancel()
	if err := p.Wait(ctx); err != nil {
		st, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.ID()))
		rt := p.rt
		rt.mu.Lock()
		_, child := rt.loop.children[p.pid]
		state := fmt.Sprintf("child %v tick %d/%d inStatusQ %v exitReported %v infd %d", child, p.tick, p.updateTick, p.inStatusQ, p.exitReported, p.in.fd)
		rt.mu.Unlock()
		traceMu.Lock()
		tr := trace[p.pid]
		traceMu.Unlock()
		t.Fatalf("waiting for %s: %v (status %s, pid %d: %q; %s; trace %q)", p.Name(), err, p.Status(), p.ID(), st, state, tr)
	}
}

// waitUntil dispatches until cond holds, failing the test after longWait.
func waitUntil(t testing.TB, rt *Runtime, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(longWait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		rt.AcceptProcessOutput(nil, 50*time.Millisecond, false)
	}
}

// recorder collects filter output and sentinel events.
type recorder struct {
	out    strings.Builder
	chunks int
	events []string
}

func (r *recorder) filter(p *Process, s string) { r.out.WriteString(s); r.chunks++ }
func (r *recorder) sentinel(p *Process, e string) {
	r.events = append(r.events, e)
}

func (r *recorder) String() string { return r.out.String() }

// tempDir is t.TempDir for tests that also run under Wine, whose Go 1.26
// os.RemoveAll fails ("Invalid function": Wine 8 lacks the POSIX-style
// delete it uses): the cleanup removes the tree file by file instead.
func tempDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "eproc-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		var paths []string
		filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			paths = append(paths, path)
			return nil
		})
		for i := len(paths) - 1; i >= 0; i-- {
			os.Remove(paths[i])
		}
	})
	return dir
}

// mustSerial makes a serial process or fails the test.
func mustSerial(t *testing.T, rt *Runtime, a SerialArgs) *Process {
	t.Helper()
	p, err := rt.MakeSerialProcess(a)
	if err != nil {
		t.Fatalf("MakeSerialProcess(%+v): %v", a, err)
	}
	return p
}

// continueStoppedSerial checks that p, a serial process made with :stop t,
// is stopped, and continues it.
func continueStoppedSerial(t *testing.T, p *Process) {
	t.Helper()
	if p.Status() != StatusStop || p.ContactKey(":stop") != true {
		t.Fatalf(":stop t: status %s", p.Status())
	}
	if err := p.Continue(false); err != nil {
		t.Fatal(err)
	}
	if p.Status() != StatusOpen {
		t.Fatalf("after Continue: %s", p.Status())
	}
}
