package eproc

import "syscall"

// errnoText gives the text Emacs on Windows shows for a Windows error:
// Emacs maps the system's error codes to errno values and prints those
// the POSIX way ("No such file or directory", not "The system cannot find
// the file specified."). Codes with no errno keep Windows's own text.
func errnoText(errno syscall.Errno) (string, bool) {
	switch errno {
	case 2, 3, 15, 18, 53, 67, 123, 161, 206: // FILE_NOT_FOUND, PATH_NOT_FOUND, INVALID_DRIVE, NO_MORE_FILES, BAD_NETPATH, BAD_NET_NAME, INVALID_NAME, BAD_PATHNAME, FILENAME_EXCED_RANGE
		return "No such file or directory", true
	case 5, 32, 33, 65: // ACCESS_DENIED, SHARING_VIOLATION, LOCK_VIOLATION, NETWORK_ACCESS_DENIED
		return "Permission denied", true
	case 6: // INVALID_HANDLE
		return "Bad file descriptor", true
	case 8, 14: // NOT_ENOUGH_MEMORY, OUTOFMEMORY
		return "Cannot allocate memory", true
	case 11, 193, 216: // BAD_FORMAT, BAD_EXE_FORMAT, EXE_MACHINE_TYPE_MISMATCH
		return "Exec format error", true
	case 80, 183: // FILE_EXISTS, ALREADY_EXISTS
		return "File exists", true
	case 87: // INVALID_PARAMETER
		return "Invalid argument", true
	case 109, 232: // BROKEN_PIPE, NO_DATA
		return "Broken pipe", true
	case 112: // DISK_FULL
		return "No space left on device", true
	case 145: // DIR_NOT_EMPTY
		return "Directory not empty", true
	case 267: // DIRECTORY
		return "Not a directory", true
	}
	return "", false
}
