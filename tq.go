package eproc

import (
	"errors"
	"fmt"
	"regexp"
	"sync"
)

// TQ is a transaction queue (tq.el): it talks to a process in
// question-and-answer transactions. Each question is sent to the process;
// the answer is the process's output up to the end of the first match of
// the transaction's regular expression; answers are handed to their
// handlers strictly in the order the questions were enqueued.
//
// A TQ is safe for concurrent use. Its handlers run inside accept calls,
// from the process filter that TQCreate installs.
type TQ struct {
	p   *Process
	buf *Buffer // " tq-temp-NAME": output not yet answered

	mu    sync.Mutex
	queue []tqEntry
}

type tqEntry struct {
	question string // "" once sent
	re       *regexp.Regexp
	handler  func(answer string)
}

// TQCreate is tq-create: it makes a transaction queue talking to p. It
// replaces p's filter with one that collects output in a new buffer named
// " tq-temp-NAME" and answers transactions from it. For a nil p it makes
// nothing and returns nil, a *TQ whose methods never panic: Process,
// Buffer and Len answer nil and 0, Enqueue and Close return ErrNilProcess.
func (rt *Runtime) TQCreate(p *Process) *TQ {
	if p == nil {
		return nil
	}
	q := &TQ{p: p, buf: rt.GenerateNewBuffer(" tq-temp-" + p.Name())}
	p.SetFilter(q.filter)
	return q
}

// Process returns the process the queue talks to.
func (q *TQ) Process() *Process {
	if q == nil {
		return nil
	}
	return q.p
}

// Buffer returns the queue's buffer, which holds output not yet answered.
func (q *TQ) Buffer() *Buffer {
	if q == nil {
		return nil
	}
	return q.buf
}

// Enqueue is tq-enqueue: it adds a transaction at the tail of the queue.
// question is sent at once, unless delayQuestion is set and the queue is
// not empty: then it is sent when its transaction reaches the head, right
// after the previous answer. The answer ends where re first matches the
// output (Go regexp syntax, RE2, in place of an Emacs regexp; the match is
// searched from the start of the unanswered output), and handler gets it
// (the closure of Emacs's CLOSURE and FN). A bad regular expression or a
// failed send is an error, and then nothing is enqueued.
func (q *TQ) Enqueue(question, re string, handler func(answer string), delayQuestion bool) error {
	if q == nil {
		return ErrNilProcess
	}
	rx, err := regexp.Compile(re)
	if err != nil {
		return fmt.Errorf("Invalid regexp: %w", err)
	}
	q.mu.Lock()
	send := !delayQuestion || len(q.queue) == 0
	e := tqEntry{re: rx, handler: handler}
	if !send {
		e.question = question
	}
	q.queue = append(q.queue, e)
	q.mu.Unlock()
	if send {
		if err := q.p.SendString(question); err != nil {
			q.mu.Lock()
			q.queue = q.queue[:len(q.queue)-1]
			q.mu.Unlock()
			return err
		}
	}
	return nil
}

// Len returns the number of transactions waiting for an answer.
func (q *TQ) Len() int {
	if q == nil {
		return 0
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.queue)
}

// Close is tq-close: it deletes the process and kills the queue's buffer.
func (q *TQ) Close() error {
	if q == nil {
		return ErrNilProcess
	}
	err := q.p.Delete()
	q.buf.Kill()
	return err
}

// ErrSpurious is wrapped by the error a TQ's filter raises (and the
// Runtime reports as "error in process filter: ...") when output arrives
// with no transaction waiting: "Spurious communication from process NAME,
// see buffer *spurious*". The text is copied into the buffer *spurious*.
var ErrSpurious = errors.New("spurious communication")

// spuriousError is Emacs's text for ErrSpurious, with the process name.
type spuriousError string

func (e spuriousError) Error() string {
	return "Spurious communication from process " + string(e) + ", see buffer *spurious*"
}

func (e spuriousError) Is(target error) bool { return target == ErrSpurious }

// filter appends output to the queue's buffer and answers what it can.
func (q *TQ) filter(p *Process, output string) {
	q.buf.GotoChar(q.buf.PointMax())
	q.buf.Insert(output)
	for q.answerOne() {
	}
}

// answerOne answers the head transaction if its answer is complete, and
// reports whether it did.
func (q *TQ) answerOne() bool {
	text := q.buf.String()
	if text == "" {
		return false
	}
	q.mu.Lock()
	if len(q.queue) == 0 {
		q.mu.Unlock()
		sp := q.p.rt.GetBufferCreate("*spurious*")
		sp.GotoChar(sp.PointMax())
		sp.Insert(text)
		q.buf.Erase()
		panic(spuriousError(q.p.Name()))
	}
	head := q.queue[0]
	loc := head.re.FindStringIndex(text)
	if loc == nil {
		q.mu.Unlock()
		return false
	}
	answer := text[:loc[1]]
	q.queue = q.queue[1:]
	var next string
	if len(q.queue) > 0 && q.queue[0].question != "" {
		next = q.queue[0].question
		q.queue[0].question = ""
	}
	q.mu.Unlock()
	q.buf.DeleteRegion(1, 1+len([]rune(answer)))
	if next != "" {
		q.p.SendString(next) // as in tq.el, a failed send is ignored
	}
	q.callHandler(head.handler, answer)
	return true
}

// callHandler runs a transaction's handler; a panic in it is reported
// ("Error while processing tq callback: ...") and the queue goes on.
func (q *TQ) callHandler(h func(string), answer string) {
	defer func() {
		if v := recover(); v != nil {
			if q.p.rt.cfg.DebugOnError {
				panic(v)
			}
			q.p.rt.reportError(q.p, fmt.Errorf("Error while processing tq callback: %v", v))
		}
	}()
	if h != nil {
		h(answer)
	}
}
