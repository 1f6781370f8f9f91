package eproc

import (
	"net"

	"golang.org/x/sys/unix"
)

// ifaceFlagNames are the interface flags Emacs 28.2 names on Linux, in
// its table's order; the result lists them reversed.
var ifaceFlagNames = []struct {
	flag uint16
	name string
}{
	{unix.IFF_UP, "up"}, {unix.IFF_BROADCAST, "broadcast"}, {unix.IFF_DEBUG, "debug"},
	{unix.IFF_LOOPBACK, "loopback"}, {unix.IFF_POINTOPOINT, "pointopoint"},
	{unix.IFF_RUNNING, "running"}, {unix.IFF_NOARP, "noarp"}, {unix.IFF_PROMISC, "promisc"},
	{unix.IFF_NOTRAILERS, "notrailers"}, {unix.IFF_ALLMULTI, "allmulti"},
	{unix.IFF_MASTER, "master"}, {unix.IFF_SLAVE, "slave"}, {unix.IFF_MULTICAST, "multicast"},
	{unix.IFF_PORTSEL, "portsel"}, {unix.IFF_AUTOMEDIA, "automedia"}, {unix.IFF_DYNAMIC, "dynamic"},
}

// interfaceInfo asks the kernel about the interface name with the ioctls
// Emacs uses (SIOCGIFADDR, SIOCGIFBRDADDR, SIOCGIFNETMASK, SIOCGIFHWADDR,
// SIOCGIFFLAGS); an answer that fails stays nil. No answer at all: nil.
func interfaceInfo(name string) (*InterfaceInfo, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, &FileError{Op: "Cannot create socket", Err: err}
	}
	defer unix.Close(fd)
	var info InterfaceInfo
	found := false
	ipv4 := func(req uint) AddressVector {
		ifr, err := unix.NewIfreq(name)
		if err != nil || unix.IoctlIfreq(fd, req, ifr) != nil {
			return nil
		}
		found = true
		b, err := ifr.Inet4Addr()
		if err != nil {
			return nil
		}
		return AddressVector{int(b[0]), int(b[1]), int(b[2]), int(b[3]), 0}
	}
	info.Address = ipv4(unix.SIOCGIFADDR)
	info.Broadcast = ipv4(unix.SIOCGIFBRDADDR)
	info.Netmask = ipv4(unix.SIOCGIFNETMASK)
	if ifr, err := unix.NewIfreq(name); err == nil && unix.IoctlIfreq(fd, unix.SIOCGIFHWADDR, ifr) == nil {
		found = true
		// The family is the sockaddr's first field; the bytes are the
		// ones netlink reports, which Go's net package gives (all zero:
		// none), cut or padded to the 6 Emacs shows.
		hw := &FamilyAddress{Family: int(ifr.Uint16()), Data: make([]int, 6)}
		if ifi, err := net.InterfaceByName(name); err == nil {
			for i := 0; i < 6 && i < len(ifi.HardwareAddr); i++ {
				hw.Data[i] = int(ifi.HardwareAddr[i])
			}
		}
		info.Hardware = hw
	}
	if ifr, err := unix.NewIfreq(name); err == nil && unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr) == nil {
		found = true
		flags := ifr.Uint16()
		for i := len(ifaceFlagNames) - 1; i >= 0; i-- {
			if flags&ifaceFlagNames[i].flag != 0 {
				info.Flags = append(info.Flags, ifaceFlagNames[i].name)
			}
		}
	}
	if !found {
		return nil, nil
	}
	return &info, nil
}
