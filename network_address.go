package eproc

import (
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// AddressVector is Emacs's vector form of an internet address, as
// process-contact, network-interface-list and network-lookup-address-info
// give it: [A B C D PORT] for IPv4, eight 16-bit groups and the port for
// IPv6, or the 4 or 8 elements alone without a port. Elements are ints,
// as in Lisp; AddrPort and AddressVectorOf convert to and from Go's
// address types.
type AddressVector []int

// AddressVectorOf returns the vector of a *net.TCPAddr, *net.UDPAddr
// (with their port) or *net.IPAddr (without), or nil for other addresses,
// nil pointers and malformed IPs. An IPv4 address is four bytes even when
// net.IP holds it in sixteen.
func AddressVectorOf(addr net.Addr) AddressVector {
	switch a := addr.(type) {
	case *net.TCPAddr:
		if a != nil {
			return ipVector(a.IP, a.Port)
		}
	case *net.UDPAddr:
		if a != nil {
			return ipVector(a.IP, a.Port)
		}
	case *net.IPAddr:
		if a != nil {
			return ipVector(a.IP, -1)
		}
	}
	return nil
}

// AddressVectorOfAddrPort returns the vector of ap: IPv4 for a 4-byte
// address, eight groups for an IPv6 one (an IPv4-mapped IPv6 address
// stays IPv6, as Emacs prints "::ffff:127.0.0.1"), with the port; nil for
// the zero AddrPort.
func AddressVectorOfAddrPort(ap netip.AddrPort) AddressVector {
	a := ap.Addr()
	if !a.IsValid() {
		return nil
	}
	v := addrGroups(a)
	return append(v, int(ap.Port()))
}

// addrGroups is the vector of a without a port.
func addrGroups(a netip.Addr) AddressVector {
	b := a.AsSlice()
	var v AddressVector
	if a.Is4() {
		for _, x := range b {
			v = append(v, int(x))
		}
		return v
	}
	for i := 0; i < len(b); i += 2 {
		v = append(v, int(b[i])<<8|int(b[i+1]))
	}
	return v
}

// AddrPort converts v to Go's form, the port 0 when v has none; false
// when v is not a well-formed vector (see FormatNetworkAddress).
func (v AddressVector) AddrPort() (netip.AddrPort, bool) {
	if formatVector(v, true) == "" {
		return netip.AddrPort{}, false
	}
	port := 0
	groups := v
	if len(v) == 5 || len(v) == 9 {
		groups, port = v[:len(v)-1], v[len(v)-1]
		if port < 0 || port > 65535 {
			return netip.AddrPort{}, false
		}
	}
	var a netip.Addr
	if len(groups) == 4 {
		a = netip.AddrFrom4([4]byte{byte(groups[0]), byte(groups[1]), byte(groups[2]), byte(groups[3])})
	} else {
		var b [16]byte
		for i, g := range groups {
			b[2*i], b[2*i+1] = byte(g>>8), byte(g)
		}
		a = netip.AddrFrom16(b)
	}
	return netip.AddrPortFrom(a, uint16(port)), true
}

// String is format-network-address of v: FormatNetworkAddress(v, false).
func (v AddressVector) String() string { return FormatNetworkAddress(v, false) }

// FamilyAddress is Emacs's (FAMILY . VECTOR) form, an address of a family
// Emacs does not decode, such as the hardware address of
// NetworkInterfaceInfo: the family number and the address's bytes as
// ints. FormatNetworkAddress prints it "<Family N>", as Emacs does.
type FamilyAddress struct {
	Family int
	Data   []int
}

// FormatNetworkAddress is format-network-address. addr is Emacs's address
// vector as an AddressVector or a []int ([A B C D PORT], [A B C D], eight
// 16-bit groups with or without a port), a FamilyAddress (printed
// "<Family N>"), a *net.TCPAddr, *net.UDPAddr, *net.IPAddr,
// *net.UnixAddr, netip.AddrPort, netip.Addr, or a string (returned as it
// is). IPv6 groups are printed in lower-case hex without "::"
// compression, as Emacs does: "[2001:db8:0:0:0:0:0:1]:443". With omitPort
// the port is left out (and not checked). It returns "" where Emacs
// returns nil: a malformed vector or an unknown type. FormatAddr and
// FormatAddrPort are the typed forms for Go's addresses.
func FormatNetworkAddress(addr any, omitPort bool) string {
	var v []int
	switch a := addr.(type) {
	case string:
		return a
	case []int:
		v = a
	case AddressVector:
		v = a
	case FamilyAddress:
		return "<Family " + strconv.Itoa(a.Family) + ">"
	case net.Addr:
		return FormatAddr(a, omitPort)
	case netip.AddrPort:
		return FormatAddrPort(a, omitPort)
	case netip.Addr:
		if !a.IsValid() {
			return ""
		}
		v = addrGroups(a.Unmap())
	default:
		return ""
	}
	return formatVector(v, omitPort)
}

// FormatAddr is FormatNetworkAddress for Go's net.Addr: a *net.TCPAddr or
// *net.UDPAddr with its port ("127.0.0.1:80", "[0:0:0:0:0:0:0:1]:80"), a
// *net.IPAddr without, a *net.UnixAddr's name; "" for nil, a nil pointer
// or another type.
func FormatAddr(addr net.Addr, omitPort bool) string {
	if u, ok := addr.(*net.UnixAddr); ok {
		if u == nil {
			return ""
		}
		return u.Name
	}
	v := AddressVectorOf(addr)
	if v == nil {
		return ""
	}
	return formatVector(v, omitPort)
}

// FormatAddrPort is FormatNetworkAddress for a netip.AddrPort. An
// IPv4-mapped IPv6 address prints as IPv4, as Go's own types do; "" for
// the zero AddrPort.
func FormatAddrPort(ap netip.AddrPort, omitPort bool) string {
	if !ap.Addr().IsValid() {
		return ""
	}
	return formatVector(AddressVectorOfAddrPort(netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())), omitPort)
}

// formatVector prints an address vector as format-network-address does.
func formatVector(v []int, omitPort bool) string {
	var parts []string
	hasPort := false
	switch len(v) {
	case 4, 5:
		for _, b := range v[:4] {
			if b < 0 || b > 255 {
				return ""
			}
			parts = append(parts, strconv.Itoa(b))
		}
		hasPort = len(v) == 5
	case 8, 9:
		for _, g := range v[:8] {
			if g < 0 || g > 65535 {
				return ""
			}
			parts = append(parts, strconv.FormatInt(int64(g), 16))
		}
		hasPort = len(v) == 9
	default:
		return ""
	}
	ipv6 := len(v) >= 8
	sep := "."
	if ipv6 {
		sep = ":"
	}
	host := strings.Join(parts, sep)
	if !hasPort || omitPort {
		return host
	}
	port := v[len(v)-1]
	if port < 0 || port > 65535 {
		return ""
	}
	if ipv6 {
		return "[" + host + "]:" + strconv.Itoa(port)
	}
	return host + ":" + strconv.Itoa(port)
}

// ipVector is Emacs's address vector of ip and port (port < 0: none),
// or nil for a malformed IP.
func ipVector(ip net.IP, port int) AddressVector {
	var v AddressVector
	if ip4 := ip.To4(); ip4 != nil {
		for _, b := range ip4 {
			v = append(v, int(b))
		}
	} else if len(ip) == net.IPv6len {
		for i := 0; i < 16; i += 2 {
			v = append(v, int(ip[i])<<8|int(ip[i+1]))
		}
	} else {
		return nil
	}
	if port >= 0 {
		v = append(v, port)
	}
	return v
}

// inetAddr is the Go address of an IP socket address: a *net.UDPAddr for
// a datagram socket, else a *net.TCPAddr (fromSockaddr on every system).
func inetAddr(ip net.IP, port int, datagram bool) net.Addr {
	if datagram {
		return &net.UDPAddr{IP: ip, Port: port}
	}
	return &net.TCPAddr{IP: ip, Port: port}
}
