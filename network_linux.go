package eproc

import "golang.org/x/sys/unix"

// setOSSocketOption sets the Linux-only options :priority and
// :bindtodevice.
func setOSSocketOption(fd int, name string, value any, flag int) error {
	if name == "priority" {
		return unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_PRIORITY, flag)
	}
	dev, _ := value.(string)
	return unix.BindToDevice(fd, dev)
}
