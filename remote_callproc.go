package eproc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// process-file on a remote directory (see RemoteHandler).

// ProcessFile runs a.Program in the remote directory a.Dir and waits for
// it (see RemoteHandler).
func (h *RemoteHandler) ProcessFile(ctx context.Context, rt *Runtime, a ProcessFileArgs) (CallStatus, error) {
	f, err := ParseRemoteFileName(a.Dir)
	if err != nil {
		return CallStatus{}, err
	}
	r, err := h.route(rt, f)
	if err != nil {
		return CallStatus{}, err
	}
	if err := r.connect(); err != nil {
		return CallStatus{}, err
	}
	gen := r.generation()
	env, err := h.remoteEnv(a.Env)
	if err != nil {
		return CallStatus{}, err
	}
	var stdin *os.File
	remoteIn := ""
	switch in := a.Infile; {
	case in == "":
	case h.FileRemoteP(in) != "":
		g, err := ParseRemoteFileName(in)
		if err != nil {
			return CallStatus{}, err
		}
		if g.Prefix() != f.Prefix() {
			return CallStatus{}, &FileError{Op: "Opening process input file", Err: syscall.EXDEV, Path: in}
		}
		remoteIn = g.LocalName
	case filepath.IsAbs(in):
		file, err := os.Open(in)
		if err != nil {
			return CallStatus{}, &FileError{Op: "Opening process input file", Err: unwrapErrno(err), Path: in}
		}
		defer file.Close()
		stdin = file
	default:
		remoteIn = in // relative to the remote directory
	}
	nonce, err := newNonce()
	if err != nil {
		return CallStatus{}, err
	}
	command := append([]string{a.Program}, a.Args...)
	decCS, encCS, err := rt.resolveCoding(Coding{})
	if err != nil {
		return CallStatus{}, err
	}
	script := string(encCS.newEncoder().encode(startScript(nonce, f.LocalName, remoteIn, env, command)))
	cmd, err := r.command(context.Background(), script)
	if err != nil {
		return CallStatus{}, err
	}
	cmd.SysProcAttr = newSessionAttr()
	if stdin != nil {
		cmd.Stdin = stdin
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		return CallStatus{}, &FileError{Op: "Creating pipe", Err: err}
	}
	noWait := a.Dest.NoWait
	defer func() {
		if !noWait {
			pr.Close() // a NoWait call's goroutine closes it
		}
	}()
	cmd.Stdout = pw
	var closers []io.Closer
	defer func() {
		for _, c := range closers {
			c.Close()
		}
	}()
	switch d := a.Dest; {
	case d.NoWait || d.DiscardStderr:
	case d.StderrFile != "":
		file, err := os.OpenFile(d.StderrFile, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666)
		if err != nil {
			pw.Close()
			return CallStatus{}, &FileError{Op: "Opening process output file", Err: unwrapErrno(err), Path: d.StderrFile}
		}
		closers = append(closers, file)
		cmd.Stderr = file
	default:
		cmd.Stderr = pw
	}
	var out io.Writer = io.Discard
	if a.Dest.File != "" && !a.Dest.NoWait {
		file, err := os.OpenFile(a.Dest.File, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666)
		if err != nil {
			pw.Close()
			return CallStatus{}, &FileError{Op: "Opening process output file", Err: unwrapErrno(err), Path: a.Dest.File}
		}
		closers = append(closers, file)
		out = file
	}
	if err := cmd.Start(); err != nil {
		pw.Close()
		return CallStatus{}, &FileError{Op: "Doing vfork", Err: unwrapErrno(err), Path: cmd.Path}
	}
	pw.Close()
	rp := &remoteProc{rt: rt, route: r, gen: gen, dir: a.Dir, prog: a.Program, recs: records{mark: []byte("\x1e" + nonce + ":")}}
	if a.Dest.NoWait {
		go func() {
			io.Copy(io.Discard, pr)
			cmd.Wait()
			pr.Close()
		}()
		return CallStatus{NoWait: true}, nil
	}

	var dec decoder
	if a.Dest.Buffer != nil {
		dec = decCS.newDecoder()
	}
	write := func(b []byte) {
		if len(b) == 0 {
			return
		}
		if dec != nil {
			if s := dec.decode(b, false); s != "" {
				a.Dest.Buffer.Insert(s)
			}
			return
		}
		out.Write(b)
	}
	started := make(chan struct{}) // closed when the start record came or never will
	done := make(chan struct{})    // closed when the program ended
	defer close(done)
	var quitSent atomic.Bool
	stop := context.AfterFunc(ctx, func() {
		quitSent.Store(true)
		go rp.quit(cmd, pr, started, done)
	})
	defer stop()
	buf := make([]byte, rt.cfg.ReadProcessOutputMax)
	startedClosed := false
	for {
		n, rerr := pr.Read(buf)
		if n > 0 {
			was := rp.recs.started
			body := rp.recs.feed(buf[:n])
			if !was && rp.recs.started {
				perr := rp.parseStart(rp.recs.start)
				close(started)
				startedClosed = true
				if perr != nil {
					io.Copy(io.Discard, pr)
					cmd.Wait()
					var fe *FileError
					if errors.As(perr, &fe) && fe.Op == "Opening process input file" {
						fe.Path = a.Infile
					}
					return CallStatus{}, perr
				}
			}
			write(body)
		}
		if rerr != nil {
			break
		}
	}
	if !startedClosed {
		close(started)
	}
	write(rp.recs.flush())
	if dec != nil {
		if s := dec.decode(nil, true); s != "" {
			a.Dest.Buffer.Insert(s)
		}
	}
	werr := cmd.Wait()
	if !rp.recs.started {
		if quitSent.Load() {
			return CallStatus{Signal: signalDescription(syscall.SIGKILL)}, ctx.Err()
		}
		return CallStatus{}, rp.startFailed(rp.recs.noise, "exited before the program started: "+errText(werr))
	}
	if st, ok := rp.recs.endStatus(); ok {
		if st.kind == rawSignal {
			return CallStatus{Signal: signalDescription(syscall.Signal(st.code))}, ctx.Err()
		}
		return CallStatus{Code: st.code}, ctx.Err()
	}
	if rp.sentFatal.Load() != 0 {
		return CallStatus{Signal: signalDescription(syscall.SIGKILL)}, ctx.Err()
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return CallStatus{Signal: signalDescription(ws.Signal())}, ctx.Err()
	}
	code := cmd.ProcessState.ExitCode()
	if code == 255 {
		if err := ctx.Err(); err != nil {
			return CallStatus{Code: code}, err
		}
		r.lost(gen)
		return CallStatus{Code: code}, fmt.Errorf("%s: %w", strings.TrimSuffix(r.prefix, ":"), ErrConnectionLost)
	}
	return CallStatus{Code: code}, ctx.Err()
}

// quit is C-g during a remote ProcessFile: SIGINT to the remote program's
// group, then SIGKILL after Config.CallProcessQuitDelay, then, if the
// local program still runs after that delay again, SIGKILL to it. When
// the remote program has not started within that delay, the local program
// gets SIGKILL at once. If the output has still not ended after one more
// delay (the control master holds the output pipe that ssh passed it for
// as long as the remote program runs: the kill commands failed), quit
// closes out, the output's read end, so that ProcessFile returns.
func (r *remoteProc) quit(cmd *exec.Cmd, out io.Closer, started, done <-chan struct{}) {
	delay := r.rt.cfg.CallProcessQuitDelay
	if delay <= 0 {
		delay = 2 * time.Second
	}
	wait := func() bool {
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-done:
			return true
		case <-t.C:
			return false
		}
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	haveStart := false // the start record came (or never will): r.pid is set if it can be
	select {
	case <-started:
		haveStart = true
	case <-done:
		return
	case <-t.C:
		// No start record yet: the connection hangs; nothing runs remotely
		// to signal yet.
	}
	if haveStart && r.pid > 0 {
		r.route.run(r.route.h.timeout(), killLine(syscall.SIGINT, killGroupOf, r.pid, r.pgid, nil))
		if wait() {
			return
		}
		r.sentFatal.Store(int32(syscall.SIGKILL))
		r.route.run(r.route.h.timeout(), killLine(syscall.SIGKILL, killGroupOf, r.pid, r.pgid, nil))
		if wait() {
			return
		}
	}
	r.sentFatal.Store(int32(syscall.SIGKILL))
	killGroup(cmd.Process.Pid, syscall.SIGKILL)
	if !wait() {
		out.Close()
	}
}
