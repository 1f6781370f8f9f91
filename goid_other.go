//go:build !amd64 && !arm64

package eproc

func curG() uintptr { return slowGoroutineID() }
