package eproc

import (
	"net"
	"net/netip"
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
