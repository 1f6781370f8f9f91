//go:build !unix

package eproc

// stopTestSSHD has nothing to stop where the sshd tests do not run.
func stopTestSSHD() {}
