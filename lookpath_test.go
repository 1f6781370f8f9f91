package eproc

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"syscall"
	"testing"
)

// lookTree builds, under a temporary directory, the tree on which the
// behaviour of Emacs 28.2 was observed (make-process, call-process and
// (locate-file PROG exec-path exec-suffixes 'file-executable-p) with
// exec-path, exec-suffixes and default-directory bound):
//
//	d1/prog     not executable     d2/prog     executable
//	d1/noex     not executable     d2/suf      executable
//	d1/only.sh  executable         d2/suf.sh   executable
//	d1/isdir/   directory          d3/prog/    directory
//	cwd/local   executable         cwd/bin/rel executable
//	cwd/sub/s   executable         home/bin/hp executable
//
// It returns the root, and sets HOME to root/home.
func lookTree(t *testing.T) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the tree relies on POSIX execute permissions")
	}
	root := t.TempDir()
	files := []struct {
		name string
		mode fs.FileMode
	}{
		{"d1/prog", 0o644}, {"d1/noex", 0o644}, {"d1/only.sh", 0o755},
		{"d2/prog", 0o755}, {"d2/suf", 0o755}, {"d2/suf.sh", 0o755},
		{"cwd/local", 0o755}, {"cwd/bin/rel", 0o755}, {"cwd/sub/s", 0o755},
		{"home/bin/hp", 0o755},
	}
	for _, dir := range []string{"d1/isdir", "d2", "d3/prog", "cwd/bin", "cwd/sub", "home/bin"} {
		if err := os.MkdirAll(filepath.Join(root, dir), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		p := filepath.Join(root, f.name)
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), f.mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, f.mode); err != nil { // past the umask
			t.Fatal(err)
		}
	}
	t.Setenv("HOME", filepath.Join(root, "home"))
	return root
}

// TestFindProgramSearch checks the search of make-process and call-process
// for names that are not absolute; each row's result is Emacs 28.2's.
func TestFindProgramSearch(t *testing.T) {
	root := lookTree(t)
	r := func(p string) string { return filepath.Join(root, p) }
	cwd := r("cwd")
	tests := []struct {
		program  string
		execPath []string
		suffixes []string
		want     string // the file found, or the error text
	}{
		// Found in the second directory; the non-executable file and the
		// directory of the same name in the first are skipped.
		{"prog", []string{r("d1"), r("d2")}, nil, r("d2/prog")},
		{"prog", []string{r("d3"), r("d2")}, nil, r("d2/prog")},
		{"prog", []string{r("d2") + "/"}, nil, r("d2/prog")},
		// Entries that do not exist or are not directories are passed over.
		{"prog", []string{r("nonexist"), r("d2/prog"), r("d2")}, nil, r("d2/prog")},
		// Suffixes: tried in order within each directory.
		{"suf", []string{r("d2")}, []string{".sh", ""}, r("d2/suf.sh")},
		{"suf", []string{r("d2")}, []string{"", ".sh"}, r("d2/suf")},
		{"suf", []string{r("d1"), r("d2")}, []string{".sh", ""}, r("d2/suf.sh")},
		{"only", []string{r("d1")}, []string{".sh", ""}, r("d1/only.sh")},
		{"only", []string{r("d1")}, nil, "Searching for program: No such file or directory, only"},
		{"only", []string{r("d1")}, []string{""}, "Searching for program: No such file or directory, only"},
		// The reason is the last one other than "No such file or directory"
		// (and "Not a directory").
		{"prog", []string{r("d1")}, nil, "Searching for program: Permission denied, prog"},
		{"prog", []string{r("d3")}, nil, "Searching for program: Is a directory, prog"},
		{"prog", []string{r("d3"), r("d1")}, nil, "Searching for program: Permission denied, prog"},
		{"prog", []string{r("d1"), r("d3")}, nil, "Searching for program: Is a directory, prog"},
		{"prog", []string{r("d3"), r("d1"), r("nonexist")}, nil, "Searching for program: Permission denied, prog"},
		{"prog", []string{r("d1"), r("d2/prog")}, nil, "Searching for program: Permission denied, prog"},
		{"prog", []string{r("d2/prog")}, nil, "Searching for program: No such file or directory, prog"},
		{"isdir", []string{r("d1")}, nil, "Searching for program: Is a directory, isdir"},
		{"noex", []string{r("d1")}, nil, "Searching for program: Permission denied, noex"},
		{"nosuchprog", []string{r("d1"), r("d2")}, nil, "Searching for program: No such file or directory, nosuchprog"},
		// Emacs prints the empty name after ", "; FileError leaves an empty
		// Path out.
		{"", []string{r("d1")}, nil, "Searching for program: Is a directory, "}, // Emacs 28.2 names the empty program too,
		// Entries meaning the default directory, and relative entries.
		{"local", []string{""}, nil, r("cwd/local")},
		{"local", []string{"."}, nil, r("cwd/local")},
		{"local", nil, nil, r("cwd/local")},
		{"local", []string{}, nil, r("cwd/local")},
		{"local", []string{r("d1")}, nil, "Searching for program: No such file or directory, local"},
		{"rel", []string{"bin"}, nil, r("cwd/bin/rel")},
		{"local", []string{"~nosuchuser-eproc/x", ""}, nil, r("cwd/local")},
		// A relative name with a slash is searched for like any other.
		{"./local", []string{r("d1")}, nil, "Searching for program: No such file or directory, ./local"},
		{"./local", []string{""}, nil, r("cwd/local")},
		{"sub/s", []string{r("d1")}, nil, "Searching for program: No such file or directory, sub/s"},
		{"sub/s", []string{cwd}, nil, r("cwd/sub/s")},
		{"./s", []string{r("cwd/sub")}, nil, r("cwd/sub/s")},
		{"x/prog", []string{r("d2/prog") + "/"}, nil, "Searching for program: No such file or directory, x/prog"},
		// "~" expansion, in entries and in the program.
		{"hp", []string{"~/bin"}, nil, r("home/bin/hp")},
		{"~/bin/hp", []string{r("d1")}, nil, r("home/bin/hp")},
		// Emacs's quoted file names.
		{"prog", []string{"/:" + r("d2")}, nil, r("d2/prog")},
	}
	for _, tt := range tests {
		for _, f := range []struct {
			name string
			fn   func(string, []string, []string, string) (string, error)
		}{{"findProgram", findProgram}, {"findCallProgram", findCallProgram}} {
			got, err := f.fn(tt.program, tt.execPath, tt.suffixes, cwd)
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("%s(%q, %q, %q) = %q, want %q", f.name, tt.program, tt.execPath, tt.suffixes, got, tt.want)
			}
		}
	}
}

func TestFindProgramNotFoundError(t *testing.T) {
	root := lookTree(t)
	_, err := findProgram("nosuchprog", []string{filepath.Join(root, "d1"), filepath.Join(root, "d2")}, nil, root)
	if got, want := err.Error(), "Searching for program: No such file or directory, nosuchprog"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("errors.Is(%v, fs.ErrNotExist) = false", err)
	}
	var fe *FileError
	if !errors.As(err, &fe) || fe.Op != "Searching for program" || fe.Path != "nosuchprog" || fe.Err != syscall.ENOENT {
		t.Errorf("error = %#v, want a *FileError{Searching for program, nosuchprog, ENOENT}", err)
	}

	_, err = findProgram("prog", []string{filepath.Join(root, "d1")}, nil, root)
	if !errors.Is(err, fs.ErrPermission) || errors.Is(err, fs.ErrNotExist) {
		t.Errorf("not executable: error %v is not fs.ErrPermission", err)
	}
}

// TestFindProgramAbsolute checks absolute programs: make-process takes them
// unchecked unless they are directories, call-process checks them and tries
// the suffixes on them.
func TestFindProgramAbsolute(t *testing.T) {
	root := lookTree(t)
	r := func(p string) string { return filepath.Join(root, p) }
	d1 := []string{r("d1")}
	tests := []struct {
		program  string
		suffixes []string
		find     string // findProgram: the file, or the error text
		call     string // findCallProgram: the file, or the error text
	}{
		{r("d2/prog"), nil, r("d2/prog"), r("d2/prog")},
		{r("d2/../d2/prog"), nil, r("d2/../d2/prog"), r("d2/prog")},
		{r("d2/suf"), []string{".sh", ""}, r("d2/suf"), r("d2/suf.sh")},
		{r("d1/only"), []string{".sh", ""}, r("d1/only"), r("d1/only.sh")},
		{"/no/such/prog", nil, "/no/such/prog", "Searching for program: No such file or directory, /no/such/prog"},
		{r("d1/noex"), nil, r("d1/noex"), "Searching for program: Permission denied, " + r("d1/noex")},
		{r("d1/isdir"), nil, "Specified program for new process is a directory", "Searching for program: Is a directory, " + r("d1/isdir")},
		{root + "/", nil, "Specified program for new process is a directory", "Searching for program: Is a directory, " + root + "/"},
		{"/:" + r("d2/prog"), nil, r("d2/prog"), r("d2/prog")},
	}
	for _, tt := range tests {
		got, err := findProgram(tt.program, d1, tt.suffixes, r("cwd"))
		if err != nil {
			got = err.Error()
		}
		if got != tt.find {
			t.Errorf("findProgram(%q) = %q, want %q", tt.program, got, tt.find)
		}
		got, err = findCallProgram(tt.program, d1, tt.suffixes, r("cwd"))
		if err != nil {
			got = err.Error()
		}
		if got != tt.call {
			t.Errorf("findCallProgram(%q) = %q, want %q", tt.program, got, tt.call)
		}
	}

	_, err := findProgram(r("d1/isdir"), nil, nil, root)
	if !errors.Is(err, ErrProgramIsDirectory) {
		t.Errorf("findProgram(directory) = %v, want ErrProgramIsDirectory", err)
	}
}

func TestCheckProgram(t *testing.T) {
	root := lookTree(t)
	r := func(p string) string { return filepath.Join(root, p) }
	tests := []struct {
		path string
		want string // "" for no error
	}{
		{r("d2/prog"), ""},
		{"/no/such/prog", "Searching for program: No such file or directory, /no/such/prog"},
		{r("d2/prog/x"), "Searching for program: No such file or directory, " + r("d2/prog/x")},
		{r("d1/noex"), "Searching for program: Permission denied, " + r("d1/noex")},
		{r("d1/isdir"), "Searching for program: Is a directory, " + r("d1/isdir")},
		{r("d1/only"), "Searching for program: No such file or directory, " + r("d1/only")}, // no suffixes
	}
	for _, tt := range tests {
		err := checkProgram(tt.path)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("checkProgram(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
	if err := checkProgram("/no/such/prog"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("checkProgram(missing) = %v, not fs.ErrNotExist", err)
	}
}

// TestFindProgramDefaultDirectory checks that dir "" is the working
// directory and a relative dir is taken from it.
func TestFindProgramDefaultDirectory(t *testing.T) {
	root := lookTree(t)
	t.Chdir(root)
	for _, dir := range []string{"", ".", root} {
		got, err := findProgram("local", []string{"cwd"}, nil, dir)
		if err != nil || got != filepath.Join(root, "cwd/local") {
			t.Errorf("findProgram(local, [cwd], dir %q) = %q, %v", dir, got, err)
		}
	}
	got, err := findProgram("local", []string{""}, nil, "cwd")
	if err != nil || got != filepath.Join(root, "cwd/local") {
		t.Errorf("findProgram(local, [\"\"], dir cwd) = %q, %v", got, err)
	}
}

func TestDefaultExecPath(t *testing.T) {
	sep := string(os.PathListSeparator)
	t.Setenv("PATH", "/a"+sep+sep+"/b")
	if got, want := defaultExecPath(), []string{"/a", "", "/b"}; !reflect.DeepEqual(got, want) {
		t.Errorf("defaultExecPath() = %q, want %q", got, want)
	}
	t.Setenv("PATH", "")
	if got := defaultExecPath(); len(got) != 0 {
		t.Errorf("defaultExecPath() with PATH empty = %q, want none", got)
	}
}

func TestDefaultExecSuffixes(t *testing.T) {
	want := []string{""}
	if runtime.GOOS == "windows" {
		want = []string{".exe", ".com", ".bat", ".cmd", ".btm", ""} // Emacs 28.2 bindings.el
	}
	if got := defaultExecSuffixes(); !reflect.DeepEqual(got, want) {
		t.Errorf("defaultExecSuffixes() = %q, want %q", got, want)
	}
}

func TestErrProgramIsDirectoryText(t *testing.T) {
	if got, want := ErrProgramIsDirectory.Error(), "Specified program for new process is a directory"; got != want {
		t.Errorf("ErrProgramIsDirectory = %q, want %q", got, want)
	}
}

// TestWindowsNameRules checks the Windows rules, which are compiled on
// every system.
func TestWindowsNameRules(t *testing.T) {
	for name, want := range map[string]bool{
		"a.exe": true, "A.EXE": true, "x.Com": true, "run.bat": true, "run.cmd": true,
		"a.btm": false, "a": false, "a.exe.txt": false, "dir.exe/a": false, ".exe": true, "a.": false,
	} {
		if got := windowsExecutableName(name); got != want {
			t.Errorf("windowsExecutableName(%q) = %v, want %v", name, got, want)
		}
	}
	tests := []struct {
		name                       string
		absPOSIX, absWin           bool // programIsAbsolute
		completePOSIX, completeWin bool // fileNameIsComplete
	}{
		{"/bin/ls", true, true, true, true},
		{`\bin\ls`, false, true, false, true},
		{`c:\bin\ls`, false, true, false, true},
		{"c:/bin/ls", false, true, false, true},
		{"c:ls", false, true, false, false},
		{"ls", false, false, false, false},
		{"./ls", false, false, false, false},
		{"~/ls", false, false, false, false},
		{"", false, false, false, false},
	}
	for _, tt := range tests {
		if got := programIsAbsolute(tt.name, false); got != tt.absPOSIX {
			t.Errorf("programIsAbsolute(%q, POSIX) = %v", tt.name, got)
		}
		if got := programIsAbsolute(tt.name, true); got != tt.absWin {
			t.Errorf("programIsAbsolute(%q, Windows) = %v", tt.name, got)
		}
		if got := fileNameIsComplete(tt.name, false); got != tt.completePOSIX {
			t.Errorf("fileNameIsComplete(%q, POSIX) = %v", tt.name, got)
		}
		if got := fileNameIsComplete(tt.name, true); got != tt.completeWin {
			t.Errorf("fileNameIsComplete(%q, Windows) = %v", tt.name, got)
		}
	}
}

func TestExpandFileName(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("POSIX file names")
	}
	t.Setenv("HOME", "/home/u")
	tests := []struct{ name, base, want string }{
		{"", "/b", "/b"},
		{".", "/b", "/b"},
		{"x", "/b", "/b/x"},
		{"x/", "/b", "/b/x/"},
		{"../x", "/b/c", "/b/x"},
		{"/a//b/./c/..", "/b", "/a/b"},
		{"~", "/b", "/home/u"},
		{"~/bin", "/b", "/home/u/bin"},
		{"a/~/bin", "/b", "/b/a/~/bin"},
		{"~nosuchuser-eproc/x", "/b", "/b/~nosuchuser-eproc/x"},
		{"/:/x", "/b", "/:/x"}, // unquoted later, by unquoteFileName
	}
	for _, tt := range tests {
		if got := expandFileName(tt.name, tt.base); got != tt.want {
			t.Errorf("expandFileName(%q, %q) = %q, want %q", tt.name, tt.base, got, tt.want)
		}
	}
	if got := unquoteFileName("/:/x"); got != "/x" {
		t.Errorf("unquoteFileName(/:/x) = %q", got)
	}
	if got := unquoteFileName("/:"); got != "/" {
		t.Errorf("unquoteFileName(/:) = %q", got)
	}
}
