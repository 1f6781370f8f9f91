package eproc

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// SSH connections: the control masters of remote processes (see
// RemoteHandler).

// remoteState is a Runtime's part of remote processes: its SSH
// connections and the private directory of their control sockets.
type remoteState struct {
	mu     sync.Mutex
	dir    string // made on first use
	conns  map[string]*sshConn
	closed bool
}

// sshConn is one SSH connection of a Runtime: the control master shared
// by every process and command of one first hop (with its jump hosts).
type sshConn struct {
	rt     *Runtime
	h      *RemoteHandler
	st     routeStage // the first routeStage of the routes through it
	prefix string

	mu       sync.Mutex
	probed   bool   // ssh -G was asked
	userCtl  bool   // the user's configuration shares connections: use it
	ctlBase  string // eproc's own ControlPaths are ctlBase.GEN
	ctlPath  string // eproc's own ControlPath, when not userCtl
	userPath string // the user's ControlPath, when userCtl
	gen      int    // counts the masters started; a lost connection's is no longer ready
	started  bool   // eproc started the master that runs now (closed by Close)
	ready    bool
}

// sshConn returns the connection of route r's first routeStage.
func (rt *Runtime) sshConn(h *RemoteHandler, r *route) (*sshConn, error) {
	st := r.stages[0]
	key := fmt.Sprintf("%p\x00", h) + strings.Join(stageArgs(h, st, false, nil, nil), "\x00")
	rs := &rt.remote
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.closed {
		return nil, ErrClosed
	}
	if c := rs.conns[key]; c != nil {
		return c, nil
	}
	if rs.dir == "" {
		base := "/tmp"
		if st, err := os.Stat(base); err != nil || !st.IsDir() {
			base = os.TempDir()
		}
		dir, err := os.MkdirTemp(base, "eproc-")
		if err != nil {
			dir, err = os.MkdirTemp("", "eproc-")
			if err != nil {
				return nil, err
			}
		}
		rs.dir = dir
	}
	if rs.conns == nil {
		rs.conns = make(map[string]*sshConn)
	}
	sum := sha256.Sum256([]byte(key))
	base := filepath.Join(rs.dir, hex.EncodeToString(sum[:6]))
	c := &sshConn{
		rt:      rt,
		h:       h,
		st:      st,
		prefix:  "/" + st.hops[len(st.hops)-1].String() + ":",
		ctlBase: base,
		ctlPath: base + ".0",
	}
	rs.conns[key] = c
	return c, nil
}

// sessionOptions are the options of every ssh through the connection (%c).
func (c *sshConn) sessionOptions() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.userCtl {
		return nil
	}
	return []string{"-o", "ControlPath=" + c.ctlPath, "-o", "ControlMaster=no"}
}

// generation identifies the master that runs now, for lost.
func (c *sshConn) generation() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// lost is called when a process or command through the master of
// generation gen found the connection gone (ssh's 255 and no end record):
// the next process starts a new master instead of trusting a control
// socket that a dying master may still show, through which ssh would fall
// back to a direct connection (one that eproc's kill commands could not
// reach once the old socket is gone).
func (c *sshConn) lost(gen int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen == gen {
		c.ready = false
	}
}

// open reports whether the connection is open, as far as eproc knows.
func (c *sshConn) open() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ready && (c.userCtl || fileExists(c.ctlPath))
}

// command is ssh to the first hop with mode right after the program and
// ctl for %c, and no remote command.
func (c *sshConn) command(ctx context.Context, mode, ctl []string) *exec.Cmd {
	argv := stageArgs(c.h, c.st, false, mode, ctl)
	dir := c.rt.localDirectory("")
	path, err := findCallProgram(argv[0], c.rt.execPath(), c.rt.cfg.ExecSuffixes, dir)
	if err != nil {
		path = argv[0]
	}
	cmd := exec.CommandContext(ctx, path, argv[1:]...)
	cmd.Args[0] = argv[0]
	cmd.Dir = dir
	cmd.Env, _ = c.rt.environment(nil)
	return cmd
}

// connect makes sure that the master runs, starting it if needed.
func (c *sshConn) connect() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ready && (c.userCtl || fileExists(c.ctlPath)) {
		return nil
	}
	rs := &c.rt.remote
	rs.mu.Lock()
	closed, dir := rs.closed, rs.dir
	rs.mu.Unlock()
	if closed {
		return ErrClosed
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.h.timeout())
	defer cancel()
	if !c.probed {
		// The user's own connection sharing, as ssh -G shows the
		// configuration for this host.
		out, err := c.command(ctx, []string{"-G"}, nil).Output()
		if err != nil {
			return &ConnectionError{Prefix: c.prefix, Msg: "ssh -G: " + errText(err)}
		}
		cm, cp := "", ""
		for _, line := range strings.Split(string(out), "\n") {
			k, v, _ := strings.Cut(strings.TrimSpace(line), " ")
			switch strings.ToLower(k) {
			case "controlmaster":
				cm = strings.ToLower(v)
			case "controlpath":
				cp = v
			}
		}
		c.userCtl = cp != "" && cp != "none" && cm != "" && cm != "false" && cm != "no"
		if c.userCtl {
			c.userPath = cp // ssh -G shows it expanded
		}
		c.probed = true
	}
	var ctl []string
	if c.userCtl {
		if c.command(ctx, []string{"-O", "check"}, nil).Run() == nil {
			c.ready = true // the user's master: not ours to close
			return nil
		}
	} else {
		// A new name for each master: one that is ending removes its
		// socket by name when it exits, which may be after the next one
		// has started.
		c.ctlPath = c.ctlBase + "." + strconv.Itoa(c.gen+1)
		ctl = []string{"-o", "ControlPath=" + c.ctlPath,
			"-o", "ControlPersist=" + strconv.Itoa(int(c.h.controlPersist().Seconds()))}
	}
	cmd := c.command(ctx, []string{"-M", "-N", "-f"}, ctl)
	// ssh -f goes on in the background: a file, not a pipe, takes its
	// messages, so that waiting for the foreground ssh ends.
	errFile, err := os.CreateTemp(dir, "err")
	if err != nil {
		return err
	}
	defer os.Remove(errFile.Name())
	defer errFile.Close()
	cmd.Stderr = errFile
	if err := cmd.Run(); err != nil {
		msg, _ := os.ReadFile(errFile.Name())
		text := strings.TrimSpace(string(msg))
		if text == "" {
			text = errText(err)
		}
		return &ConnectionError{Prefix: c.prefix, Msg: text}
	}
	c.started, c.ready = true, true
	c.gen++
	return nil
}

// close stops the master if eproc started it.
func (c *sshConn) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.started {
		return
	}
	c.started, c.ready = false, false
	var ctl []string
	path := c.userPath
	if !c.userCtl {
		ctl = []string{"-o", "ControlPath=" + c.ctlPath}
		path = c.ctlPath
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.h.timeout())
	defer cancel()
	if c.command(ctx, []string{"-O", "exit"}, ctl).Run() != nil {
		return
	}
	// ssh -O exit returns once the master has the request, before the
	// master removes its socket and ends: wait for that, a little, so
	// that no master of ours outlives Close.
	for d := time.Millisecond; fileExists(path) && ctx.Err() == nil; d = min(2*d, 50*time.Millisecond) {
		select {
		case <-ctx.Done():
		case <-time.After(d):
		}
	}
}

func errText(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) && len(ee.Stderr) > 0 {
		return strings.TrimSpace(string(ee.Stderr))
	}
	return err.Error()
}

func fileExists(name string) bool {
	_, err := os.Lstat(name)
	return err == nil
}

// hangupRemote sends SIGHUP to the remote programs of rt's live
// processes (Close), one kill command per route, and marks those it
// reached (see remoteHungUp).
func (rt *Runtime) hangupRemote() {
	byRoute := map[string][]*Process{}
	routes := map[string]*route{}
	for _, p := range rt.ProcessList() {
		if p.remote != nil && p.Live() {
			k := p.remote.route.key
			byRoute[k] = append(byRoute[k], p)
			routes[k] = p.remote.route
		}
	}
	var wg sync.WaitGroup
	for k, ps := range byRoute {
		groups := make([]int, len(ps))
		for i, p := range ps {
			groups[i] = p.remote.pgid
			p.remote.sentFatal.Store(int32(syscall.SIGHUP))
		}
		wg.Add(1)
		go func(r *route, ps []*Process) {
			defer wg.Done()
			if _, err := r.run(5*time.Second, killLine(syscall.SIGHUP, killGroupsListed, 0, 0, groups)); err == nil {
				for _, p := range ps {
					p.remote.hungUp.Store(true)
				}
			}
		}(routes[k], ps)
	}
	wg.Wait()
}

// closeRemote closes the connections of rt (Close).
func (rt *Runtime) closeRemote() {
	rs := &rt.remote
	rs.mu.Lock()
	rs.closed = true
	conns := rs.conns
	rs.conns = nil
	dir := rs.dir
	rs.mu.Unlock()
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.close()
		}()
	}
	wg.Wait()
	if dir != "" {
		os.RemoveAll(dir)
	}
}
