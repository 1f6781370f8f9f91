//go:build unix

package eproc

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// The remote-process tests run against a real OpenSSH server that the
// suite starts itself, once, on first need (needSSHD), and stops at the
// end (TestMain calls stopTestSSHD):
//
//   - sshd from openssh-server, listening on 127.0.0.1 and 127.0.0.2 on a
//     free high port, with a host key generated for the run, public-key
//     authentication only, no PAM, and only the test user allowed;
//   - the test user eproc-test (login shell /bin/sh), a dedicated
//     non-root account, and eproc-test2, the target of the sudo tests
//     (eproc-test may run anything as eproc-test2 without a password,
//     /etc/sudoers.d/eproc-test). They are created with useradd when
//     missing and left in place;
//   - a client key, known_hosts and an ssh_config in a temporary
//     directory, given to ssh with -F.
//
// Creating users and running sshd need root: the suite does it directly
// when it runs as root (as CI does) and through "sudo -n" otherwise. When
// that is impossible, or sshd is not installed, the tests that need it
// are skipped saying why, unless EPROC_REQUIRE_SSHD is set (CI sets it):
// then they fail.

const (
	sshTestUser  = "eproc-test"
	sshTestUser2 = "eproc-test2"
)

type testSSHD struct {
	dir    string // keys and configurations
	config string // ssh_config for the client (-F)
	port   int
	cmd    *exec.Cmd
	log    *syncBuffer
	skip   string // why the tests cannot run
}

var (
	sshdOnce sync.Once
	sshd     *testSSHD
)

// needSSHD returns the test sshd, starting it on first use, or skips t.
func needSSHD(t testing.TB) *testSSHD {
	t.Helper()
	sshdOnce.Do(func() { sshd = startTestSSHD() })
	if sshd.skip != "" {
		if os.Getenv("EPROC_REQUIRE_SSHD") != "" {
			t.Fatalf("the test sshd is required (EPROC_REQUIRE_SSHD) but: %s", sshd.skip)
		}
		t.Skip("needs the test sshd: " + sshd.skip)
	}
	return sshd
}

// stopTestSSHD stops the test sshd if it was started.
func stopTestSSHD() {
	if sshd == nil {
		return
	}
	if sshd.cmd != nil && sshd.cmd.Process != nil {
		sshd.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { sshd.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			sshd.cmd.Process.Kill()
			<-done
		}
	}
	if sshd.dir != "" {
		os.RemoveAll(sshd.dir)
	}
}

// privileged runs argv as root: directly when we are root, else with
// sudo -n.
func privileged(argv ...string) error {
	if os.Geteuid() != 0 {
		argv = append([]string{"sudo", "-n"}, argv...)
	}
	out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %v: %s", strings.Join(argv, " "), err, bytes.TrimSpace(out))
	}
	return nil
}

func startTestSSHD() *testSSHD {
	s := &testSSHD{}
	if runtime.GOOS != "linux" {
		s.skip = "the sshd tests run on Linux (they use 127.0.0.2 and /run/sshd)"
		return s
	}
	sshdPath := "/usr/sbin/sshd"
	if _, err := os.Stat(sshdPath); err != nil {
		if sshdPath, err = exec.LookPath("sshd"); err != nil {
			s.skip = "sshd is not installed (apt-get install openssh-server)"
			return s
		}
	}
	for _, prog := range []string{"ssh", "ssh-keygen", "sudo"} {
		if _, err := exec.LookPath(prog); err != nil {
			s.skip = prog + " is not installed (apt-get install openssh-client openssh-server sudo)"
			return s
		}
	}
	if os.Geteuid() != 0 {
		if err := exec.Command("sudo", "-n", "true").Run(); err != nil {
			s.skip = "creating the test users and running sshd need root or passwordless sudo"
			return s
		}
	}
	fail := func(err error) *testSSHD {
		s.skip = err.Error()
		return s
	}
	for _, name := range []string{sshTestUser, sshTestUser2} {
		if _, err := user.Lookup(name); err != nil {
			if err := privileged("useradd", "-m", "-s", "/bin/sh", "-p", "*", name); err != nil {
				if _, err2 := user.Lookup(name); err2 != nil { // not made by a concurrent run either
					return fail(err)
				}
			}
		}
	}
	sudoers := sshTestUser + " ALL=(" + sshTestUser2 + ") NOPASSWD: ALL\n"
	if b, err := os.ReadFile("/etc/sudoers.d/eproc-test"); err != nil || string(b) != sudoers {
		tmp, err := os.CreateTemp("", "sudoers")
		if err != nil {
			return fail(err)
		}
		tmp.WriteString(sudoers)
		tmp.Close()
		defer os.Remove(tmp.Name())
		if err := privileged("install", "-m", "0440", "-o", "root", "-g", "root", tmp.Name(), "/etc/sudoers.d/eproc-test"); err != nil {
			return fail(err)
		}
	}
	if err := privileged("mkdir", "-p", "-m", "0755", "/run/sshd"); err != nil {
		return fail(err)
	}

	dir, err := os.MkdirTemp("", "eproc-sshd-")
	if err != nil {
		return fail(err)
	}
	s.dir = dir
	// sshd reads authorized_keys as the test user.
	if err := os.Chmod(dir, 0o755); err != nil {
		return fail(err)
	}
	for _, k := range []string{"hostkey", "id", "otherkey", "otherhost"} {
		if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", k, "-f", filepath.Join(dir, k)).CombinedOutput(); err != nil {
			return fail(fmt.Errorf("ssh-keygen: %v: %s", err, out))
		}
	}
	pub := func(k string) string {
		b, _ := os.ReadFile(filepath.Join(dir, k+".pub"))
		f := strings.Fields(string(b))
		return f[0] + " " + f[1]
	}
	if err := os.WriteFile(filepath.Join(dir, "authorized_keys"), []byte(pub("id")+"\n"), 0o644); err != nil {
		return fail(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fail(err)
	}
	s.port = l.Addr().(*net.TCPAddr).Port
	l.Close()
	hosts := fmt.Sprintf("[127.0.0.1]:%d,[127.0.0.2]:%d", s.port, s.port)
	os.WriteFile(filepath.Join(dir, "known_hosts"), []byte(hosts+" "+pub("hostkey")+"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "wrong_known_hosts"), []byte(hosts+" "+pub("otherhost")+"\n"), 0o644)
	sshdConfig := fmt.Sprintf(`Port %d
ListenAddress 127.0.0.1
ListenAddress 127.0.0.2
HostKey %s/hostkey
PidFile none
AuthorizedKeysFile %s/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AllowUsers %s
PermitRootLogin no
MaxSessions 200
MaxStartups 100
UseDNS no
PrintMotd no
PrintLastLog no
AllowTcpForwarding yes
`, s.port, dir, dir, sshTestUser)
	if err := os.WriteFile(filepath.Join(dir, "sshd_config"), []byte(sshdConfig), 0o644); err != nil {
		return fail(err)
	}
	clientConfig := fmt.Sprintf(`Host 127.0.0.2
  ProxyCommand /bin/false
Host *
  IdentityFile %[1]s/id
  IdentitiesOnly yes
  UserKnownHostsFile %[1]s/known_hosts
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  ConnectTimeout 20
`, dir)
	s.config = filepath.Join(dir, "ssh_config")
	os.WriteFile(s.config, []byte(clientConfig), 0o644)
	// A key the server does not know, and a wrong host key.
	bad := strings.Replace(clientConfig, dir+"/id", dir+"/otherkey", 1)
	os.WriteFile(filepath.Join(dir, "ssh_config_badkey"), []byte(bad), 0o644)
	bad = strings.Replace(clientConfig, dir+"/known_hosts", dir+"/wrong_known_hosts", 1)
	os.WriteFile(filepath.Join(dir, "ssh_config_badhost"), []byte(bad), 0o644)
	os.Chmod(filepath.Join(dir, "hostkey"), 0o600)

	argv := []string{sshdPath, "-D", "-e", "-f", filepath.Join(dir, "sshd_config")}
	if os.Geteuid() != 0 {
		argv = append([]string{"sudo", "-n"}, argv...)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return fail(err)
	}
	if err := cmd.Start(); err != nil {
		return fail(err)
	}
	s.cmd = cmd
	s.log = &syncBuffer{}
	ready := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		listening := 0
		for sc.Scan() {
			line := sc.Text()
			s.log.WriteString(line + "\n")
			if strings.HasPrefix(line, "Server listening on 127.0.0.") {
				if listening++; listening == 2 {
					ready <- nil
				}
			}
		}
		ready <- fmt.Errorf("sshd ended: %s", s.log.String())
		io.Copy(io.Discard, stderr)
	}()
	select {
	case err := <-ready:
		if err != nil {
			return fail(err)
		}
	case <-time.After(longWait):
		return fail(fmt.Errorf("sshd did not start: %s", s.log.String()))
	}
	return s
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) WriteString(s string) {
	b.mu.Lock()
	b.b.WriteString(s)
	b.mu.Unlock()
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// prefix is the remote part of names on the test sshd: host is
// "127.0.0.1" unless given.
func (s *testSSHD) prefix(host ...string) string {
	h := "127.0.0.1"
	if len(host) > 0 {
		h = host[0]
	}
	return fmt.Sprintf("/ssh:%s@%s#%d:", sshTestUser, h, s.port)
}

// handler is a RemoteHandler for the test sshd, with more ssh options.
func (s *testSSHD) handler(opts ...string) *RemoteHandler {
	return &RemoteHandler{SSHOptions: append([]string{"-F", s.config}, opts...)}
}

// runtime makes a Runtime for one test whose remote handler is h (nil:
// s.handler()), closed when the test ends.
func (s *testSSHD) runtime(t testing.TB, h *RemoteHandler, cfg Config) *Runtime {
	t.Helper()
	if h == nil {
		h = s.handler()
	}
	cfg.FileNameHandlers = []FileNameHandler{{Regexp: RemoteFileNameRegexp, Handler: h}}
	return newRuntime(t, cfg)
}
