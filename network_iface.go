package eproc

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
)

// NetworkInterface is one element of NetworkInterfaceList: an interface's
// name and one of its addresses. Broadcast and Netmask are set only when
// the list was asked for in full. Every vector has the port 0, as in
// Emacs.
type NetworkInterface struct {
	Name      string
	Address   AddressVector
	Broadcast AddressVector // the address with every host bit set
	Netmask   AddressVector
}

// NetworkInterfaceList is network-interface-list: one element per address
// of each network interface. family is Emacs's FAMILY: "" for both IPv4
// and IPv6, "ipv4" or "ipv6"; anything else is Emacs's error "Unsupported
// address family". With full, each element also has the broadcast
// address (which Emacs, like eproc, computes from the address and the
// netmask, for IPv6 too) and the netmask. The order is Emacs 28.2's on
// Linux, the reverse of getifaddrs: IPv6 addresses first, then IPv4, each
// family's interfaces from the last to the first. Emacs returns an alist
// ((NAME . ADDRESS) ...), or ((NAME ADDRESS BROADCAST NETMASK) ...) with
// FULL; Go gets a slice of structs.
func NetworkInterfaceList(full bool, family string) ([]NetworkInterface, error) {
	switch family {
	case "", "ipv4", "ipv6":
	default:
		return nil, errors.New("Unsupported address family")
	}
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	// getifaddrs's order: every interface's IPv4 addresses, then every
	// interface's IPv6 ones; reversed at the end.
	var v4, v6 []NetworkInterface
	for _, ifi := range ifs {
		addrs, err := ifi.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			ipn, ok := a.(*net.IPNet)
			if !ok {
				continue
			}
			ip, ok := netip.AddrFromSlice(ipn.IP)
			if !ok {
				continue
			}
			ip = ip.Unmap()
			e := NetworkInterface{Name: ifi.Name, Address: append(addrGroups(ip), 0)}
			if full {
				mask, ok := netip.AddrFromSlice(ipn.Mask)
				if !ok || mask.BitLen() != ip.BitLen() {
					mask, _ = netip.AddrFromSlice(net.IP(ipn.Mask).To4())
				}
				e.Netmask = append(addrGroups(mask), 0)
				e.Broadcast = append(addrGroups(broadcastOf(ip, mask)), 0)
			}
			if ip.Is4() {
				v4 = append(v4, e)
			} else {
				v6 = append(v6, e)
			}
		}
	}
	var out []NetworkInterface
	if family != "ipv6" {
		out = append(out, v4...)
	}
	if family != "ipv4" {
		out = append(out, v6...)
	}
	slices.Reverse(out)
	return out, nil
}

// broadcastOf is ip with every bit that mask leaves to hosts set.
func broadcastOf(ip, mask netip.Addr) netip.Addr {
	if !mask.IsValid() || mask.BitLen() != ip.BitLen() {
		return ip
	}
	a, m := ip.AsSlice(), mask.AsSlice()
	for i := range a {
		a[i] |= ^m[i]
	}
	b, _ := netip.AddrFromSlice(a)
	return b
}

// InterfaceInfo is what network-interface-info tells about an interface.
// A field is nil where Emacs's element is nil (an interface with no IPv4
// address has no Address, Broadcast or Netmask).
type InterfaceInfo struct {
	Address   AddressVector  // the interface's IPv4 address, [A B C D 0]
	Broadcast AddressVector  // its broadcast address ([0 0 0 0 0] when it has none, as on lo)
	Netmask   AddressVector  // its netmask
	Hardware  *FamilyAddress // the hardware address: (1 . [2 252 0 0 0 1]) for Ethernet, (772 . [0 0 0 0 0 0]) for loopback
	Flags     []string       // "up", "broadcast", "loopback", "running", "multicast", ... in Emacs's order
}

// NetworkInterfaceInfo is network-interface-info: what the system says
// about the interface named name, or nil (Emacs's nil) when there is no
// such interface. A name of 16 bytes or more is Emacs's error "interface
// name too long". Emacs returns the list (ADDR BCAST NETMASK HWADDR
// FLAGS); Go gets a struct.
//
// Linux is the reference: the five answers come from the ioctls Emacs
// uses, and Flags lists the flags set in Emacs 28.2's order, which is the
// reverse of its table ("multicast running broadcast up" for an Ethernet
// card). Elsewhere eproc builds the answer from Go's net package: the
// first IPv4 address, the broadcast computed from it and its netmask, the
// hardware family 18 (AF_LINK), and the flags Go knows.
func NetworkInterfaceInfo(name string) (*InterfaceInfo, error) {
	if len(name) >= 16 {
		return nil, errors.New("interface name too long")
	}
	if name == "" {
		return nil, nil
	}
	return interfaceInfo(name)
}

// lookupNetIP resolves host names for NetworkLookupAddressInfo; tests
// replace it so as not to depend on a name server.
var lookupNetIP = net.DefaultResolver.LookupNetIP

// NetworkLookupAddressInfo is network-lookup-address-info: the addresses
// of the host name (or numeric address) name, as vectors with the port 0.
// family is "" (both), "ipv4" or "ipv6"; anything else is Emacs's error
// "Unsupported lookup type". A numeric address is returned as it is (an
// IPv4-mapped IPv6 address stays IPv6, as in Emacs 28.2); other names go
// to Go's resolver, which reads /etc/hosts and asks the name servers.
//
// Where Emacs 28.2 displays a message and returns nil, eproc returns nil
// and an error with that message: "NAME/0 Name or service not known" (no
// such name, or none of the family), "NAME/0 Address family for hostname
// not supported" (a numeric address of the other family), "NAME/0
// Temporary failure in name resolution" (the name servers did not answer).
// Unlike getaddrinfo, Go's resolver does not take shorthand numeric forms
// such as "127.1".
func NetworkLookupAddressInfo(name, family string) ([]AddressVector, error) {
	return NetworkLookupAddressInfoContext(context.Background(), name, family)
}

// NetworkLookupAddressInfoContext is NetworkLookupAddressInfo with a
// context that bounds the name servers' time.
func NetworkLookupAddressInfoContext(ctx context.Context, name, family string) ([]AddressVector, error) {
	network := "ip"
	switch family {
	case "":
	case "ipv4":
		network = "ip4"
	case "ipv6":
		network = "ip6"
	default:
		return nil, errors.New("Unsupported lookup type")
	}
	fail := func(reason string) error { return errors.New(name + "/0 " + reason) }
	if ip, err := netip.ParseAddr(name); err == nil && ip.Zone() == "" {
		if family == "ipv4" && !ip.Is4() || family == "ipv6" && ip.Is4() {
			return nil, fail("Address family for hostname not supported")
		}
		return []AddressVector{append(addrGroups(ip), 0)}, nil
	}
	ips, err := lookupNetIP(ctx, network, name)
	if err != nil {
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) && (dnsErr.IsTimeout || dnsErr.IsTemporary) {
			return nil, fail("Temporary failure in name resolution")
		}
		return nil, fail("Name or service not known")
	}
	var out []AddressVector
	for _, ip := range ips {
		out = append(out, append(addrGroups(ip.Unmap()), 0))
	}
	if len(out) == 0 {
		return nil, fail("Name or service not known")
	}
	return out, nil
}
