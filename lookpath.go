package eproc

import (
	"errors"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
)

// This file finds the program of a new process in exec-path, as Emacs's
// openp does for make-process and call-process.
//
// Emacs 28.2's rules, checked by running it:
//
//   - A program name is absolute when it starts with "/" (on Windows also
//     "\" or a drive letter and colon). make-process neither searches nor
//     checks an absolute program: a missing or non-executable one only
//     makes the child exit with 127 or 126. The one check is that it is
//     not a directory ("Specified program for new process is a
//     directory").
//   - Every other name, including "./prog", "sub/prog" and "~/bin/prog", is
//     looked up in each directory of exec-path in turn, trying each suffix
//     of exec-suffixes in turn within each directory. A relative name with
//     a slash is therefore NOT taken relative to the default directory
//     unless exec-path has an entry for it ("" or "."); "~" names are
//     expanded, so "~/bin/prog" is found whatever exec-path holds.
//   - An exec-path entry "", "." (Emacs's nil) or any relative entry is
//     taken relative to the default directory; "~" and "~user" at its start
//     are expanded. An empty exec-path means the default directory alone.
//   - A candidate is taken when it is executable (access(2) with X_OK for
//     the effective user; on Windows, when its name ends in .exe, .com,
//     .bat or .cmd) and is not a directory.
//   - When nothing is found the error is Emacs's file-error "Searching for
//     program" with the program as given. Its reason is "No such file or
//     directory" unless some candidate failed for another reason; then the
//     last such reason counts: "Permission denied" for a file that is not
//     executable, "Is a directory" for a directory.
//   - call-process (and process-file, call-process-region, process-lines)
//     searches in the same way, but also checks absolute names, and tries
//     the suffixes on them too.
//   - A name starting with "/:" (Emacs's quoted file name) stands for the
//     name without that prefix.

// searchOp is the operation of the FileError for a program not found.
const searchOp = "Searching for program"

// findProgram resolves program as Emacs's make-process does (openp over
// execPath with execSuffixes, the exec-path and exec-suffixes of Emacs). It
// returns the file to execute.
//
// An absolute program is returned without search or check, so that the
// child can fail with Emacs's exit status 127 (missing) or 126 (not
// executable); only a directory gives an error, ErrProgramIsDirectory. Any
// other name is searched for; if no executable file is found the error is
// a *FileError "Searching for program: REASON, PROGRAM", whose REASON is
// usually "No such file or directory" (errors.Is(err, fs.ErrNotExist)).
//
// execPath entries that are "" or relative, and an empty execPath, mean dir
// (the default directory; "" means the working directory of this process).
// A nil execSuffixes means the system's default (Emacs's exec-suffixes:
// [""] on POSIX systems, .exe .com .bat .cmd .btm "" on Windows); pass
// []string{""} for no suffixes.
func findProgram(program string, execPath []string, execSuffixes []string, dir string) (string, error) {
	if programIsAbsolute(program, runtime.GOOS == "windows") {
		name := unquoteFileName(program)
		if fi, err := os.Stat(name); err == nil && fi.IsDir() {
			return "", ErrProgramIsDirectory
		}
		return name, nil
	}
	return openp(program, execPath, execSuffixes, dir)
}

// findCallProgram resolves program as Emacs's call-process does: like
// findProgram, except that an absolute program is checked too (and tried
// with each suffix), and a directory gives the FileError "Searching for
// program: Is a directory, PROGRAM" rather than ErrProgramIsDirectory.
func findCallProgram(program string, execPath []string, execSuffixes []string, dir string) (string, error) {
	return openp(program, execPath, execSuffixes, dir)
}

// checkProgram checks that the file path can be executed as a program, as
// call-process checks an absolute program: a missing file gives the
// FileError "Searching for program: No such file or directory, PATH", a file
// that is not executable "Searching for program: Permission denied, PATH",
// a directory "Searching for program: Is a directory, PATH". It tries no
// suffixes.
func checkProgram(path string) error {
	err := probeProgram(unquoteFileName(path))
	if err == nil {
		return nil
	}
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		err = syscall.ENOENT
	}
	return &FileError{Op: searchOp, Path: path, Err: err}
}

// defaultExecPath is the exec-path of an Emacs started with the
// environment of this process: the directories of $PATH, an empty entry
// meaning the default directory. Emacs also appends its own exec-directory
// (where its helper programs live); eproc has none, so that entry is left
// out.
func defaultExecPath() []string {
	return filepath.SplitList(os.Getenv("PATH"))
}

// defaultExecSuffixes is Emacs's default exec-suffixes for this system.
func defaultExecSuffixes() []string {
	if runtime.GOOS == "windows" {
		return []string{".exe", ".com", ".bat", ".cmd", ".btm", ""}
	}
	return []string{""}
}

// openp is the search common to findProgram and findCallProgram.
func openp(program string, execPath []string, execSuffixes []string, dir string) (string, error) {
	windows := runtime.GOOS == "windows"
	base := defaultDirectory(dir)
	if execSuffixes == nil {
		execSuffixes = defaultExecSuffixes()
	}
	dirs := execPath
	if len(dirs) == 0 || fileNameIsComplete(program, windows) {
		dirs = []string{""}
	}
	var last error = syscall.ENOENT
	for _, d := range dirs {
		name := expandFileName(program, expandFileName(d, base))
		for _, suffix := range execSuffixes {
			candidate := unquoteFileName(name + suffix)
			err := probeProgram(candidate)
			if err == nil {
				return candidate, nil
			}
			if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
				last = err
			}
		}
	}
	return "", &FileError{Op: searchOp, Path: program, Err: last}
}

// probeProgram returns nil if path is an executable file that is not a
// directory, syscall.EISDIR for an executable directory, and otherwise
// the error of the access check: syscall.ENOENT, syscall.EACCES, ...
func probeProgram(path string) error {
	if err := accessExec(path); err != nil {
		return err
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return syscall.EISDIR
	}
	return nil
}

// windowsExecutableName reports whether name ends in one of the suffixes
// that make a file executable for Emacs on Windows, in any letter case.
// .btm is not one of them, although it is in exec-suffixes.
func windowsExecutableName(name string) bool {
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return false
	}
	switch strings.ToLower(name[i:]) {
	case ".exe", ".com", ".bat", ".cmd":
		return true
	}
	return false
}

// programIsAbsolute reports whether make-process takes program as given,
// without a search: it starts with a slash (or, on Windows, a backslash,
// or has a drive colon as its second character).
func programIsAbsolute(program string, windows bool) bool {
	if program == "" {
		return false
	}
	if program[0] == '/' || windows && program[0] == '\\' {
		return true
	}
	return windows && len(program) > 1 && program[1] == ':'
}

// fileNameIsComplete reports whether openp takes name without searching
// the path: it starts with a slash (or, on Windows, a backslash, or a drive
// letter, a colon and a slash or backslash).
func fileNameIsComplete(name string, windows bool) bool {
	if name == "" {
		return false
	}
	if name[0] == '/' || windows && name[0] == '\\' {
		return true
	}
	return windows && len(name) > 2 && name[1] == ':' && (name[2] == '/' || name[2] == '\\')
}

// defaultDirectory makes dir absolute: "" is the working directory.
func defaultDirectory(dir string) string {
	wd, err := os.Getwd()
	if err != nil {
		wd = string(filepath.Separator)
	}
	if dir == "" {
		return wd
	}
	return expandFileName(dir, wd)
}

// expandFileName makes name absolute against the absolute directory base,
// as Emacs's expand-file-name does: "~" and "~user" at the start are
// expanded, "." and ".." are resolved by the text of the name alone, and a
// trailing slash is kept. An empty name is base itself.
func expandFileName(name, base string) string {
	trailing := strings.HasSuffix(name, "/") || os.PathSeparator != '/' && strings.HasSuffix(name, string(os.PathSeparator))
	if strings.HasPrefix(name, "~") {
		if home, rest, ok := expandTilde(name); ok {
			name = home + rest
		}
	}
	var r string
	switch {
	case filepath.IsAbs(name):
		r = filepath.Clean(name)
	case runtime.GOOS == "windows" && name != "" && (name[0] == '/' || name[0] == '\\'):
		r = filepath.Join(filepath.VolumeName(base), name) // rooted, on base's drive
	default:
		r = filepath.Join(base, name)
	}
	if trailing && !strings.HasSuffix(r, string(os.PathSeparator)) {
		r += string(os.PathSeparator)
	}
	return r
}

// expandTilde splits a name starting with "~" or "~user" into that user's
// home directory and the rest of the name. ok is false when the home
// directory is not known; Emacs then leaves the name as it is.
func expandTilde(name string) (home, rest string, ok bool) {
	end := strings.IndexAny(name, `/`+string(os.PathSeparator))
	if end < 0 {
		end = len(name)
	}
	who, rest := name[1:end], name[end:]
	if who == "" {
		h, err := os.UserHomeDir()
		if err != nil || h == "" {
			return "", "", false
		}
		return h, rest, true
	}
	u, err := user.Lookup(who)
	if err != nil || u.HomeDir == "" {
		return "", "", false
	}
	return u.HomeDir, rest, true
}

// unquoteFileName removes Emacs's quoting prefix "/:" from a file name.
func unquoteFileName(name string) string {
	if strings.HasPrefix(name, "/:") {
		if name == "/:" {
			return "/"
		}
		return name[2:]
	}
	return name
}
