//go:build !unix

package eproc

import "errors"

// remoteProcesses reports whether RemoteHandler.MakeProcess works here.
const remoteProcesses = false

// start is never reached: RemoteHandler.MakeProcess refuses first.
func (r *remoteProc) start(p *Process, sp *spawnResult) error { return errors.ErrUnsupported }
