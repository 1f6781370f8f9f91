package eproc

import (
	"errors"
	"strings"
	"sync"
	"testing"
)

// Transaction queues, as tq.el behaves in Emacs 28.2 (section Q).

func TestTQAnswersInOrder(t *testing.T) {
	var mu sync.Mutex
	var reports []error
	rt := newRuntime(t, Config{ErrorHandler: func(err error) { mu.Lock(); reports = append(reports, err); mu.Unlock() }})
	p := mustMake(t, rt, helperArgs("resp", "cat"))
	q := rt.TQCreate(p)
	if q.Buffer().Name() != " tq-temp-resp" {
		t.Errorf("buffer %q", q.Buffer().Name())
	}
	var answers []string
	handler := func(tag string) func(string) {
		return func(a string) { answers = append(answers, tag+":"+a) }
	}
	// Q2: two plain questions go out at once; the delayed one waits for its
	// turn. Q3: "a\nb\n" in one chunk answers two transactions.
	q.Enqueue("a\nb\n", "\n", handler("c1"), false)
	q.Enqueue("", "\n", handler("c2"), false)
	q.Enqueue("three\n", "\n", handler("c3"), true)
	if q.Len() != 3 {
		t.Fatalf("queue length %d", q.Len())
	}
	waitUntil(t, rt, "three answers", func() bool { return len(answers) == 3 })
	if got := strings.Join(answers, "|"); got != "c1:a\n|c2:b\n|c3:three\n" {
		t.Errorf("answers %q", got)
	}
	// Q4: a panicking handler is reported and the queue goes on.
	q.Enqueue("x\n", "\n", func(string) { panic("cb boom") }, false)
	q.Enqueue("y\n", "\n", handler("after"), false)
	waitUntil(t, rt, "the answer after the panic", func() bool { return len(answers) == 4 })
	// Q5: output with no transaction waiting.
	p.SendString("stray\n")
	waitUntil(t, rt, "the spurious report", func() bool { mu.Lock(); defer mu.Unlock(); return len(reports) == 2 })
	mu.Lock()
	if reports[0].Error() != "Error while processing tq callback: cb boom" {
		t.Errorf("handler report %q", reports[0])
	}
	if !errors.Is(reports[1], ErrSpurious) || reports[1].Error() != "error in process filter: Spurious communication from process resp, see buffer *spurious*" {
		t.Errorf("spurious report %q", reports[1])
	}
	mu.Unlock()
	if sp := rt.GetBuffer("*spurious*"); sp == nil || sp.String() != "stray\n" {
		t.Errorf("*spurious* buffer %v", sp)
	}
	// Q6.
	q.Close()
	if p.Live() || q.Buffer().Live() {
		t.Error("tq-close left the process or the buffer")
	}
}
