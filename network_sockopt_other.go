//go:build unix && !linux

package eproc

// setOSSocketOption: :priority and :bindtodevice exist on Linux only.
func setOSSocketOption(fd int, name string, value any, flag int) error {
	return errUnknownOption
}
