package eproc

import (
	"os"
	"strings"
	"syscall"

	"golang.org/x/sys/windows"
)

// spawn starts a child with named pipes for its standard input and output
// (and standard error, as asked): Windows has no ptys, so a child always
// gets pipes, as the manual says for MS-Windows. The child leads a process
// group of its own (CREATE_NEW_PROCESS_GROUP), so that Ctrl-Break can reach
// it (see killGroup), and shares eproc's console when there is one; with
// none it gets no console window (CREATE_NO_WINDOW), so no window flashes
// up. Its command line is quoted as Emacs quotes it (windowsCommandLine),
// with argv[0] the program's file name in DOS form, as Emacs passes it.
// A program that cannot be run is an error, as under Emacs on Windows
// (which has no fork to fail in): "Spawning child process: REASON".
func spawn(r spawnRequest) (res spawnResult, err error) {
	res = spawnResult{infd: -1, outfd: -1, ptySlave: -1, pidfd: -1}
	var theirs []windows.Handle // the child's ends, closed here once it has them
	defer func() {
		for _, h := range theirs {
			windows.CloseHandle(h)
		}
		if err != nil {
			if res.infd >= 0 {
				closeFD(res.infd)
			}
			if res.outfd >= 0 {
				closeFD(res.outfd)
			}
			res = spawnResult{}
		}
	}()
	in, inChild, err := newPipe(false)
	if err != nil {
		return res, &FileError{Op: "Creating pipe", Err: err}
	}
	res.outfd = int(in.h)
	theirs = append(theirs, inChild)
	out, outChild, err := newPipe(true)
	if err != nil {
		return res, &FileError{Op: "Creating pipe", Err: err}
	}
	res.infd = int(out.h)
	theirs = append(theirs, outChild)
	errChild := outChild
	switch {
	case r.stderr >= 0:
		errChild = windows.Handle(r.stderr)
	case r.stderr == -2:
		nul, _ := windows.UTF16PtrFromString(os.DevNull)
		h, err := windows.CreateFile(nul, windows.GENERIC_WRITE, windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE, nil, windows.OPEN_EXISTING, 0, 0)
		if err == nil {
			theirs = append(theirs, h)
			errChild = h
		}
	}
	argv := append([]string{strings.ReplaceAll(r.path, "/", `\`)}, r.argv[1:]...)
	flags := uint32(windows.CREATE_NEW_PROCESS_GROUP)
	if !hasConsole() {
		flags |= windows.CREATE_NO_WINDOW
	}
	pid, h, err := syscall.StartProcess(r.path, argv, &syscall.ProcAttr{
		Dir:   r.dir,
		Env:   addSystemRoot(r.env),
		Files: []uintptr{uintptr(inChild), uintptr(outChild), uintptr(errChild)},
		Sys:   &syscall.SysProcAttr{CmdLine: windowsCommandLine(argv), CreationFlags: flags},
	})
	if err != nil {
		return res, &FileError{Op: "Spawning child process", Err: err, Path: r.path}
	}
	addChild(pid, windows.Handle(h))
	res.pid = pid
	return res, nil
}

var procGetConsoleCP = modkernel32.NewProc("GetConsoleCP")

// hasConsole reports whether this program has a console its children
// can share.
func hasConsole() bool {
	r, _, _ := procGetConsoleCP.Call()
	return r != 0
}

// addSystemRoot adds SYSTEMROOT to env from this program's environment
// when env lacks it: without it many Windows programs (and Winsock) fail
// to start. os/exec does the same.
func addSystemRoot(env []string) []string {
	for _, kv := range env {
		if name, _, _ := strings.Cut(kv, "="); strings.EqualFold(name, "SYSTEMROOT") {
			return env
		}
	}
	if v, ok := os.LookupEnv("SYSTEMROOT"); ok {
		return append(env[:len(env):len(env)], "SYSTEMROOT="+v)
	}
	return env
}
