//go:build linux

package eproc

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os/exec"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// Issue 16 item 16: network-interface-list. The loopback interface is
// always there; every vector has the port 0, as in Emacs 28.2.
func TestNetworkInterfaceList(t *testing.T) {
	short, err := NetworkInterfaceList(false, "")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(short, func(e NetworkInterface) bool {
		return e.Name == "lo" && reflect.DeepEqual(e.Address, AddressVector{127, 0, 0, 1, 0}) && e.Broadcast == nil && e.Netmask == nil
	}) {
		t.Errorf("no (\"lo\" . [127 0 0 1 0]) in %v", short)
	}
	// Emacs 28.2's order: IPv6 addresses before IPv4 ones.
	seen4 := false
	for _, e := range short {
		if len(e.Address) == 5 {
			seen4 = true
		} else if seen4 {
			t.Errorf("an IPv6 address after an IPv4 one: %v", short)
			break
		}
	}
	full, err := NetworkInterfaceList(true, "ipv4")
	if err != nil {
		t.Fatal(err)
	}
	want := NetworkInterface{Name: "lo", Address: AddressVector{127, 0, 0, 1, 0},
		Broadcast: AddressVector{127, 255, 255, 255, 0}, Netmask: AddressVector{255, 0, 0, 0, 0}}
	if !slices.ContainsFunc(full, func(e NetworkInterface) bool { return reflect.DeepEqual(e, want) }) {
		t.Errorf("no %v in %v", want, full)
	}
	six, err := NetworkInterfaceList(true, "ipv6")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range full {
		if len(e.Address) != 5 {
			t.Errorf("ipv4 list has %v", e)
		}
	}
	for _, e := range six {
		if len(e.Address) != 9 || len(e.Broadcast) != 9 || len(e.Netmask) != 9 {
			t.Errorf("ipv6 list has %v", e)
		}
	}
	if len(full)+len(six) != len(short) {
		t.Errorf("%d IPv4 and %d IPv6 entries, %d in all", len(full), len(six), len(short))
	}
	if _, err := NetworkInterfaceList(false, "local"); err == nil || err.Error() != "Unsupported address family" {
		t.Errorf("family local: %v", err)
	}
}

// Issue 16 item 16: network-interface-info. Emacs 28.2 on lo:
// ([127 0 0 1 0] [0 0 0 0 0] [255 0 0 0 0] (772 . [0 0 0 0 0 0])
// (running loopback up)); nil for no interface and for ""; an error for a
// name of 16 bytes.
func TestNetworkInterfaceInfo(t *testing.T) {
	info, err := NetworkInterfaceInfo("lo")
	if err != nil {
		t.Fatal(err)
	}
	want := &InterfaceInfo{Address: AddressVector{127, 0, 0, 1, 0}, Broadcast: AddressVector{0, 0, 0, 0, 0},
		Netmask: AddressVector{255, 0, 0, 0, 0}, Hardware: &FamilyAddress{772, []int{0, 0, 0, 0, 0, 0}},
		Flags: []string{"running", "loopback", "up"}}
	if !reflect.DeepEqual(info, want) {
		t.Errorf("lo: %+v, want %+v", info, want)
	}
	if FormatNetworkAddress(*info.Hardware, false) != "<Family 772>" {
		t.Errorf("hardware address prints %q", FormatNetworkAddress(*info.Hardware, false))
	}
	for _, name := range []string{"", "nonesuch", "abcdefghijklmno"} {
		if info, err := NetworkInterfaceInfo(name); info != nil || err != nil {
			t.Errorf("%q: %+v, %v", name, info, err)
		}
	}
	if _, err := NetworkInterfaceInfo("abcdefghijklmnop"); err == nil || err.Error() != "interface name too long" {
		t.Errorf("16 bytes: %v", err)
	}
}

// Issue 16 item 16: network-lookup-address-info, without name servers
// (the test machine has no outside network): numeric addresses,
// /etc/hosts, and a stubbed resolver for failures. Emacs 28.2 gives
// ([127 0 0 1 0]) for "127.0.0.1" and "localhost", ([0 0 0 0 0 0 0 1 0])
// for "::1", ([0 0 0 0 0 65535 32512 1 0]) for "::ffff:127.0.0.1", nil
// with the message "127.0.0.1/0 Address family for hostname not
// supported" for "127.0.0.1" 'ipv6, and the error "Unsupported lookup
// type" for another family.
func TestNetworkLookupAddressInfo(t *testing.T) {
	for _, tc := range []struct {
		name, family string
		want         []AddressVector
		err          string
	}{
		{"127.0.0.1", "", []AddressVector{{127, 0, 0, 1, 0}}, ""},
		{"127.0.0.1", "ipv4", []AddressVector{{127, 0, 0, 1, 0}}, ""},
		{"::1", "", []AddressVector{{0, 0, 0, 0, 0, 0, 0, 1, 0}}, ""},
		{"::1", "ipv6", []AddressVector{{0, 0, 0, 0, 0, 0, 0, 1, 0}}, ""},
		{"::ffff:127.0.0.1", "", []AddressVector{{0, 0, 0, 0, 0, 65535, 32512, 1, 0}}, ""},
		{"127.0.0.1", "ipv6", nil, "127.0.0.1/0 Address family for hostname not supported"},
		{"::1", "ipv4", nil, "::1/0 Address family for hostname not supported"},
		{"localhost", "local", nil, "Unsupported lookup type"},
	} {
		got, err := NetworkLookupAddressInfo(tc.name, tc.family)
		if !reflect.DeepEqual(got, tc.want) || (err == nil) != (tc.err == "") || err != nil && err.Error() != tc.err {
			t.Errorf("%q %q: %v, %v; want %v, %q", tc.name, tc.family, got, err, tc.want, tc.err)
		}
	}
	// /etc/hosts names localhost for 127.0.0.1 on every Linux system.
	got, err := NetworkLookupAddressInfo("localhost", "ipv4")
	if err != nil || !slices.ContainsFunc(got, func(v AddressVector) bool { return v.String() == "127.0.0.1:0" }) {
		t.Errorf("localhost: %v, %v", got, err)
	}
	old := lookupNetIP
	t.Cleanup(func() { lookupNetIP = old })
	var asked []string
	lookupNetIP = func(ctx context.Context, network, host string) ([]netip.Addr, error) {
		asked = append(asked, network+" "+host)
		switch host {
		case "two.test":
			return []netip.Addr{netip.MustParseAddr("::ffff:10.0.0.1"), netip.MustParseAddr("2001:db8::1")}, nil
		case "slow.test":
			return nil, &net.DNSError{Err: "timeout", Name: host, IsTimeout: true}
		}
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	got, err = NetworkLookupAddressInfo("two.test", "")
	if want := []AddressVector{{10, 0, 0, 1, 0}, {8193, 3512, 0, 0, 0, 0, 0, 1, 0}}; err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("two.test: %v, %v; want %v", got, err, want)
	}
	for host, want := range map[string]string{
		"no-such-host.invalid": "no-such-host.invalid/0 Name or service not known",
		"slow.test":            "slow.test/0 Temporary failure in name resolution",
	} {
		if got, err := NetworkLookupAddressInfo(host, "ipv6"); got != nil || err == nil || err.Error() != want {
			t.Errorf("%s: %v, %v; want %q", host, got, err, want)
		}
	}
	if want := []string{"ip two.test", "ip6 no-such-host.invalid", "ip6 slow.test"}; !slices.Equal(slices.Sorted(slices.Values(asked)), want) {
		t.Errorf("asked %q, want %q", asked, want)
	}
}

// lispVector prints v as Lisp prints a vector ("nil" for nil).
func lispVector(v []int) string {
	if v == nil {
		return "nil"
	}
	return fmt.Sprint(v) // [1 2 3], as Lisp prints a vector
}

// Issue 16 item 16: where Emacs is installed, eproc's answers print as
// Emacs 28.2's do on the same machine.
func TestNetworkInterfacesMatchEmacs(t *testing.T) {
	emacs, err := exec.LookPath("emacs")
	if err != nil {
		t.Skip("emacs is not installed")
	}
	out, err := exec.Command(emacs, "-Q", "--batch", "--eval",
		`(princ (format "%S\n%S\n%S\n" (network-interface-list t) (network-interface-list) (network-interface-info "lo")))`).Output()
	if err != nil {
		t.Fatal(err)
	}
	full, err := NetworkInterfaceList(true, "")
	if err != nil {
		t.Fatal(err)
	}
	short, _ := NetworkInterfaceList(false, "")
	info, _ := NetworkInterfaceInfo("lo")
	var b strings.Builder
	b.WriteString("(")
	for i, e := range full {
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "(%q %s %s %s)", e.Name, lispVector(e.Address), lispVector(e.Broadcast), lispVector(e.Netmask))
	}
	b.WriteString(")\n(")
	for i, e := range short {
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "(%q . %s)", e.Name, lispVector(e.Address))
	}
	fmt.Fprintf(&b, ")\n(%s %s %s (%d . %s) (%s))\n", lispVector(info.Address), lispVector(info.Broadcast), lispVector(info.Netmask),
		info.Hardware.Family, lispVector(info.Hardware.Data), strings.Join(info.Flags, " "))
	if got := b.String(); got != string(out) {
		t.Errorf("eproc:\n%s\nEmacs:\n%s", got, out)
	}
}
