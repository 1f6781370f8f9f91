//go:build !unix

package eproc

import "errors"

// start is not reached on systems without processes (see spawn_other.go).
func (r *remoteProc) start(p *Process, sp *spawnResult) error { return errors.ErrUnsupported }
