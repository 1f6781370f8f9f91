//go:build !unix && !windows

package eproc

import "errors"

// spawn cannot start children on this system.
func spawn(r spawnRequest) (spawnResult, error) {
	return spawnResult{}, errors.ErrUnsupported
}
