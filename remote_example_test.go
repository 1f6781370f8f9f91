package eproc_test

import (
	"fmt"

	"github.com/eproc/eproc"
)

// A remote file name in TRAMP's syntax, with two hops.
func ExampleParseRemoteFileName() {
	f, err := eproc.ParseRemoteFileName("/ssh:deploy@bastion.example.com#2222|sudo:root@bastion.example.com:/etc/")
	if err != nil {
		panic(err)
	}
	for _, h := range f.Hops {
		fmt.Printf("%s user %q host %q port %d\n", h.Method, h.User, h.Host, h.Port)
	}
	fmt.Println(f.LocalName)
	fmt.Println(f.Prefix())
	// Output:
	// ssh user "deploy" host "bastion.example.com" port 2222
	// sudo user "root" host "bastion.example.com" port 0
	// /etc/
	// /ssh:deploy@bastion.example.com#2222|sudo:root@bastion.example.com:
}
