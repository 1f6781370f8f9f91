package eproc_test

import (
	"context"
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

// A process and a process-file call on remote hosts (not run here: it
// needs the hosts).
func ExampleRuntime_ProcessFileContext() {
	rt := eproc.NewRuntime(eproc.Config{})
	defer rt.Close()
	ctx := context.Background()
	out := rt.GetBufferCreate("git status")
	p, err := rt.MakeProcess(eproc.ProcessArgs{
		Name:        "build",
		Command:     []string{"make", "-j4"},
		Dir:         "/ssh:deploy@build.example.com#2222:/srv/app/",
		FileHandler: true, // :file-handler t; StartFileProcess always consults handlers
	})
	// p.Get("remote-pid") is the remote program's pid; p.Interrupt(false)
	// reaches it; its exit status is the remote program's own.
	st, err := rt.ProcessFileContext(ctx, eproc.ProcessFileArgs{
		Program: "git", Args: []string{"status"},
		Dir:  "/ssh:bastion|ssh:host|sudo:root@host:/etc/", // multi-hop
		Dest: eproc.Destination{Buffer: out},
	})
	fmt.Println(p, st, err)
}
