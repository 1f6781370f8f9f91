//go:build amd64 || arm64

package eproc

// getg returns the address of the current goroutine's runtime descriptor.
// It identifies the goroutine while it runs; eproc uses it only to tell a
// re-entrant call from a filter apart from another goroutine's call.
func getg() uintptr

func curG() uintptr { return getg() }
