//go:build !amd64 && !arm64

package eproc

import "runtime"

func curG() uintptr { return slowGoroutineID() }

// slowGoroutineID parses the current goroutine's number from its stack
// header. It is the portable fallback of curG on architectures without the
// assembly accessor; it costs microseconds.
func slowGoroutineID() uintptr {
	var buf [64]byte
	n := runtime.Stack(buf[:], false)
	const prefix = len("goroutine ")
	var id uintptr
	for _, c := range buf[prefix:n] {
		if c < '0' || c > '9' {
			break
		}
		id = id*10 + uintptr(c-'0')
	}
	return id
}
