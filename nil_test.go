package eproc

import (
	"fmt"
	"reflect"
	"testing"
)

// Issue 17 item 9: every method of *Process, *Buffer, *Marker, *TQ,
// *Reader and *Expecter on a nil receiver returns zero values or an error,
// never panics: rt.GetProcess("gone").Status() is a common line. An error
// result that is not nil must be the type's own: ErrNilBuffer for a
// buffer, ErrNilProcess for the others (a nil TQ, Reader or Expecter is
// what a nil process gives); a *Marker has no error results, so any error
// from one fails. The methods are enumerated by reflection, so a new
// method is covered without editing the test; each is called with zero
// arguments.
func TestNilReceivers(t *testing.T) {
	wantErr := map[reflect.Type]error{
		reflect.TypeOf((*Process)(nil)):  ErrNilProcess,
		reflect.TypeOf((*Buffer)(nil)):   ErrNilBuffer,
		reflect.TypeOf((*TQ)(nil)):       ErrNilProcess,
		reflect.TypeOf((*Reader)(nil)):   ErrNilProcess,
		reflect.TypeOf((*Expecter)(nil)): ErrNilProcess,
	}
	for _, v := range []any{(*Process)(nil), (*Buffer)(nil), (*Marker)(nil), (*TQ)(nil), (*Reader)(nil), (*Expecter)(nil)} {
		rv := reflect.ValueOf(v)
		typ := rv.Type()
		for i := 0; i < typ.NumMethod(); i++ {
			m := typ.Method(i)
			t.Run(fmt.Sprintf("%s.%s", typ.Elem().Name(), m.Name), func(t *testing.T) {
				ft := m.Type
				args := []reflect.Value{rv}
				for j := 1; j < ft.NumIn(); j++ {
					if ft.IsVariadic() && j == ft.NumIn()-1 {
						break
					}
					args = append(args, reflect.Zero(ft.In(j)))
				}
				defer func() {
					if r := recover(); r != nil {
						t.Errorf("panic: %v", r)
					}
				}()
				out := m.Func.Call(args)
				// An action that can fail says so, with the type's error.
				// A channel is closed: a nil one would block for ever.
				for _, o := range out {
					switch {
					case o.Type() == reflect.TypeOf((*error)(nil)).Elem():
						if o.IsNil() || o.Interface().(error) != wantErr[typ] {
							t.Errorf("error %v, want %v", o.Interface(), wantErr[typ])
						}
					case o.Kind() == reflect.Chan:
						if o.IsNil() {
							t.Errorf("nil channel")
						} else if chosen, _, _ := reflect.Select([]reflect.SelectCase{{Dir: reflect.SelectRecv, Chan: o}, {Dir: reflect.SelectDefault}}); chosen != 0 {
							t.Errorf("channel not closed")
						}
					}
				}
			})
		}
	}
	// The answers the doc comments promise for a nil process.
	var p *Process
	if p.Status() != "" || p.Live() || !p.Exited() || p.Name() != "" || p.Buffer() != nil || p.LastEvent() != (Event{}) {
		t.Errorf("nil process: Status %q Live %v Exited %v Name %q Buffer %v LastEvent %v, want \"\" false true \"\" nil zero",
			p.Status(), p.Live(), p.Exited(), p.Name(), p.Buffer(), p.LastEvent())
	}
	if done := p.Done(); done != p.Done() {
		t.Errorf("nil process: Done returns a new channel each time")
	}
	if q := TQCreate(nil); q != nil {
		t.Errorf("TQCreate(nil) = %v, want nil", q)
	}
	var m *Marker
	if c := m.Copy(); c == nil || c.Buffer() != nil || c.Position() != 0 {
		t.Errorf("nil marker: Copy = %v, want a marker pointing nowhere, as (copy-marker nil)", c)
	}
	var b *Buffer
	if b.String() != "" || b.Len() != 0 || b.Point() != 1 || b.PointMax() != 1 || b.Live() {
		t.Errorf("nil buffer: String %q Len %d Point %d PointMax %d Live %v, want an empty dead buffer",
			b.String(), b.Len(), b.Point(), b.PointMax(), b.Live())
	}
	// Functions that take a process.
	for name, f := range map[string]func(){
		"DefaultFilter":   func() { DefaultFilter(nil, "x") },
		"DefaultSentinel": func() { DefaultSentinel(nil, "finished\n") },
		"TQCreate":        func() { TQCreate(nil) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("panic: %v", r)
				}
			}()
			f()
		})
	}
}
