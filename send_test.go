package eproc

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"
)

func TestCatLargeInputNoDeadlock(t *testing.T) {
	// H3: sending megabytes to cat keeps dispatching its output.
	rt := newRuntime(t, Config{})
	const n = 16 << 20
	var got int
	var sum bytes.Buffer
	a := helperArgs("cat", "cat")
	a.Filter = func(p *Process, s string) {
		got += len(s)
		if sum.Len() < 1<<20 {
			sum.WriteString(s)
		}
	}
	p := mustMake(t, rt, a)
	data := string(patternBytes(n))
	if err := p.SendString(data); err != nil {
		t.Fatal(err)
	}
	if got == 0 {
		t.Error("no output was dispatched while the input was full")
	}
	if err := p.SendEOF(); err != nil {
		t.Fatal(err)
	}
	waitExit(t, p)
	if got != n {
		t.Errorf("cat echoed %d bytes of %d", got, n)
	}
	if !bytes.Equal(sum.Bytes(), patternBytes(n)[:sum.Len()]) {
		t.Error("echoed bytes differ")
	}
}

func TestConcurrentSendsStayWhole(t *testing.T) {
	// H4: concurrent sends are written whole, in some order.
	rt := newRuntime(t, Config{})
	var out bytes.Buffer
	a := helperArgs("cat2", "cat")
	a.Filter = func(p *Process, s string) { out.WriteString(s) }
	p := mustMake(t, rt, a)
	const senders, size = 8, 300000
	var wg sync.WaitGroup
	for i := 0; i < senders; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if err := p.SendString(strings.Repeat(string(rune('a'+i)), size)); err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	p.SendEOF()
	waitExit(t, p)
	s := out.String()
	if len(s) != senders*size {
		t.Fatalf("got %d bytes", len(s))
	}
	for i := 0; i < senders; i++ {
		block := s[i*size : (i+1)*size]
		if strings.Count(block, block[:1]) != size {
			t.Fatalf("block %d is interleaved", i)
		}
	}
}

func TestSendAfterExitAndEOF(t *testing.T) {
	rt := newRuntime(t, Config{})
	var rec recorder
	a := helperArgs("count", "count")
	a.Filter = rec.filter
	p := mustMake(t, rt, a)
	p.SendString("hello")
	if err := p.SendEOF(); err != nil {
		t.Fatal(err)
	}
	// H8: after EOF, sends to the running process are discarded silently.
	if err := p.SendString("more"); err != nil {
		t.Errorf("send after EOF: %v", err)
	}
	if err := p.SendEOF(); err != nil {
		t.Errorf("second EOF: %v", err)
	}
	waitExit(t, p)
	if !strings.HasPrefix(rec.String(), "5 ") {
		t.Errorf("count %q", rec.String())
	}
	// R: send to a process that is not running.
	for _, f := range []func() error{
		func() error { return p.SendString("x") },
		func() error { return p.SendEOF() },
	} {
		if err := f(); !errors.Is(err, ErrNotRunning) || !strings.HasPrefix(err.Error(), "Process count not running") {
			t.Errorf("after exit: %v", err)
		}
	}
}

func TestSendRegion(t *testing.T) {
	// H7.
	rt := newRuntime(t, Config{})
	b := rt.GetBufferCreate("src")
	b.Insert("hello world")
	var rec recorder
	a := helperArgs("cat", "cat")
	a.Filter = rec.filter
	p := mustMake(t, rt, a)
	if err := p.SendRegion(b, 7, 1); err != nil {
		t.Fatal(err)
	}
	if err := p.SendRegion(b, 1, 100); err == nil || err.Error() != "Args out of range: #<buffer src>, 1, 100" {
		t.Errorf("bad region: %v", err)
	}
	p.SendEOF()
	waitExit(t, p)
	if rec.String() != "hello " {
		t.Errorf("got %q", rec.String())
	}
}
