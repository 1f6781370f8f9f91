package eproc

import (
	"net"
	"net/netip"
	"slices"
	"testing"
)

// P: format-network-address, each row checked with Emacs 28.2
// (nil is "").
func TestFormatNetworkAddress(t *testing.T) {
	for _, tc := range []struct {
		addr          any
		full, omitted string
	}{
		{[]int{127, 0, 0, 1, 80}, "127.0.0.1:80", "127.0.0.1"},
		{[]int{127, 0, 0, 1}, "127.0.0.1", "127.0.0.1"},
		{[]int{192, 168, 1, 255, 65535}, "192.168.1.255:65535", "192.168.1.255"},
		{[]int{0, 0, 0, 0, 0, 0, 0, 1, 80}, "[0:0:0:0:0:0:0:1]:80", "0:0:0:0:0:0:0:1"},
		{[]int{0, 0, 0, 0, 0, 0, 0, 1}, "0:0:0:0:0:0:0:1", "0:0:0:0:0:0:0:1"},
		{[]int{8193, 3512, 0, 0, 0, 0, 0, 1, 443}, "[2001:db8:0:0:0:0:0:1]:443", "2001:db8:0:0:0:0:0:1"},
		{[]int{256, 0, 0, 1, 80}, "", ""},
		{[]int{1, 2, 3, 4, 65536}, "", "1.2.3.4"},
		{[]int{1, 2, 3, 4, -1}, "", "1.2.3.4"},
		{[]int{1, 2, 3}, "", ""},
		{[]int{1, 2, 3, 4, 5, 6}, "", ""},
		{[]int{-1, 0, 0, 1, 0}, "", ""},
		{[]int{0, 0, 0, 0, 0, 0, 0, 65535, 0}, "[0:0:0:0:0:0:0:ffff]:0", "0:0:0:0:0:0:0:ffff"},
		{[]int{0, 0, 0, 0, 0, 0, 0, 65536, 0}, "", ""},
		{42, "", ""},
		{nil, "", ""},
		{"/tmp/sock", "/tmp/sock", "/tmp/sock"},
		// Go's address types give the same texts.
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 80}, "127.0.0.1:80", "127.0.0.1"},
		{&net.UDPAddr{IP: net.ParseIP("2001:db8::1"), Port: 443}, "[2001:db8:0:0:0:0:0:1]:443", "2001:db8:0:0:0:0:0:1"},
		{netip.MustParseAddrPort("[::1]:80"), "[0:0:0:0:0:0:0:1]:80", "0:0:0:0:0:0:0:1"},
		{netip.MustParseAddr("10.1.2.3"), "10.1.2.3", "10.1.2.3"},
		{&net.UnixAddr{Name: "/tmp/sock", Net: "unix"}, "/tmp/sock", "/tmp/sock"},
		{(*net.TCPAddr)(nil), "", ""},
	} {
		if got := FormatNetworkAddress(tc.addr, false); got != tc.full {
			t.Errorf("FormatNetworkAddress(%v) = %q, want %q", tc.addr, got, tc.full)
		}
		if got := FormatNetworkAddress(tc.addr, true); got != tc.omitted {
			t.Errorf("FormatNetworkAddress(%v, omit) = %q, want %q", tc.addr, got, tc.omitted)
		}
	}
}

// The typed forms of format-network-address and of Emacs's address
// vectors (issue 10): the same texts as FormatNetworkAddress, and vectors
// that convert to Go's types and back.
func TestAddressVector(t *testing.T) {
	for _, tc := range []struct {
		addr    net.Addr
		vec     AddressVector
		full    string
		omitted string
	}{
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 80}, AddressVector{127, 0, 0, 1, 80}, "127.0.0.1:80", "127.0.0.1"},
		{&net.UDPAddr{IP: net.ParseIP("2001:db8::1"), Port: 443}, AddressVector{8193, 3512, 0, 0, 0, 0, 0, 1, 443}, "[2001:db8:0:0:0:0:0:1]:443", "2001:db8:0:0:0:0:0:1"},
		{&net.IPAddr{IP: net.ParseIP("10.1.2.3")}, AddressVector{10, 1, 2, 3}, "10.1.2.3", "10.1.2.3"},
		{&net.UnixAddr{Name: "/tmp/sock", Net: "unix"}, nil, "/tmp/sock", "/tmp/sock"},
		{(*net.UDPAddr)(nil), nil, "", ""},
		{nil, nil, "", ""},
	} {
		if v := AddressVectorOf(tc.addr); !slices.Equal(v, tc.vec) {
			t.Errorf("AddressVectorOf(%v) = %v, want %v", tc.addr, v, tc.vec)
		}
		if got := FormatAddr(tc.addr, false); got != tc.full || got != FormatNetworkAddress(tc.addr, false) {
			t.Errorf("FormatAddr(%v) = %q, want %q", tc.addr, got, tc.full)
		}
		if got := FormatAddr(tc.addr, true); got != tc.omitted {
			t.Errorf("FormatAddr(%v, omit) = %q, want %q", tc.addr, got, tc.omitted)
		}
		if tc.vec != nil && (tc.vec.String() != tc.full || FormatNetworkAddress(tc.vec, true) != tc.omitted) {
			t.Errorf("%v prints %q", tc.vec, tc.vec.String())
		}
	}
	ap := netip.MustParseAddrPort("[::ffff:127.0.0.1]:8080")
	if v := AddressVectorOfAddrPort(ap); !slices.Equal(v, AddressVector{0, 0, 0, 0, 0, 65535, 32512, 1, 8080}) {
		t.Errorf("AddressVectorOfAddrPort(%v) = %v", ap, v)
	}
	if FormatAddrPort(ap, false) != "127.0.0.1:8080" || FormatAddrPort(netip.AddrPort{}, false) != "" {
		t.Errorf("FormatAddrPort(%v) = %q", ap, FormatAddrPort(ap, false))
	}
	for _, v := range []AddressVector{{127, 0, 0, 1, 80}, {0, 0, 0, 0, 0, 0, 0, 1, 443}, {192, 168, 1, 2}, {0, 0, 0, 0, 0, 65535, 32512, 1, 1}} {
		got, ok := v.AddrPort()
		back := AddressVectorOfAddrPort(got)
		if len(v) == 4 || len(v) == 8 {
			back = back[:len(back)-1]
		}
		if !ok || !slices.Equal(back, v) {
			t.Errorf("%v: AddrPort %v %v, back %v", v, got, ok, back)
		}
	}
	for _, v := range []AddressVector{{256, 0, 0, 1, 80}, {1, 2, 3, 4, 65536}, {1, 2, 3}, nil} {
		if got, ok := v.AddrPort(); ok {
			t.Errorf("%v: AddrPort %v, want false", v, got)
		}
	}
	// Emacs 28.2: (format-network-address '(1 . [1 2 3])) is "<Family 1>".
	if got := FormatNetworkAddress(FamilyAddress{Family: 1, Data: []int{1, 2, 3}}, false); got != "<Family 1>" {
		t.Errorf("family form: %q", got)
	}
}
