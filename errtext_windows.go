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
	if text, ok := wsaText[errno]; ok {
		return text, true
	}
	return "", false
}

// wsaText holds the texts of the Winsock errors, the POSIX wording of
// their names, as Emacs on Windows prints them.
var wsaText = map[syscall.Errno]string{
	10004: "Interrupted function call",
	10009: "Bad file descriptor",
	10013: "Permission denied",
	10014: "Bad address",
	10022: "Invalid argument",
	10024: "Too many open files",
	10035: "Resource temporarily unavailable",
	10036: "Operation now in progress",
	10037: "Operation already in progress",
	10038: "Socket operation on non-socket",
	10039: "Destination address required",
	10040: "Message too long",
	10041: "Protocol wrong type for socket",
	10042: "Bad protocol option",
	10043: "Protocol not supported",
	10044: "Socket type not supported",
	10045: "Operation not supported",
	10046: "Protocol family not supported",
	10047: "Address family not supported by protocol family",
	10048: "Address already in use",
	10049: "Cannot assign requested address",
	10050: "Network is down",
	10051: "Network is unreachable",
	10052: "Network dropped connection on reset",
	10053: "Software caused connection abort",
	10054: "Connection reset by peer",
	10055: "No buffer space available",
	10056: "Socket is already connected",
	10057: "Socket is not connected",
	10058: "Cannot send after socket shutdown",
	10060: "Connection timed out",
	10061: "Connection refused",
	10064: "Host is down",
	10065: "No route to host",
}
