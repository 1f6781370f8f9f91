//go:build !linux

package eproc

import (
	"net"
	"net/netip"
)

// interfaceInfo builds network-interface-info's answer from Go's net
// package: the first IPv4 address with its netmask and the broadcast
// address computed from both, the hardware address as family 18
// (AF_LINK), and the flags Go knows, in Emacs's order.
func interfaceInfo(name string) (*InterfaceInfo, error) {
	ifi, err := net.InterfaceByName(name)
	if err != nil {
		return nil, nil
	}
	var info InterfaceInfo
	if addrs, err := ifi.Addrs(); err == nil {
		for _, a := range addrs {
			ipn, ok := a.(*net.IPNet)
			if !ok || ipn.IP.To4() == nil {
				continue
			}
			ip, _ := netip.AddrFromSlice(ipn.IP.To4())
			mask, _ := netip.AddrFromSlice(net.IP(ipn.Mask).To4())
			info.Address = append(addrGroups(ip), 0)
			info.Netmask = append(addrGroups(mask), 0)
			info.Broadcast = append(addrGroups(broadcastOf(ip, mask)), 0)
			break
		}
	}
	if len(ifi.HardwareAddr) > 0 {
		hw := &FamilyAddress{Family: 18}
		for _, b := range ifi.HardwareAddr {
			hw.Data = append(hw.Data, int(b))
		}
		info.Hardware = hw
	}
	for _, f := range []struct {
		flag net.Flags
		name string
	}{{net.FlagMulticast, "multicast"}, {net.FlagRunning, "running"}, {net.FlagPointToPoint, "pointopoint"},
		{net.FlagLoopback, "loopback"}, {net.FlagBroadcast, "broadcast"}, {net.FlagUp, "up"}} {
		if ifi.Flags&f.flag != 0 {
			info.Flags = append(info.Flags, f.name)
		}
	}
	return &info, nil
}
