package eproc

import (
	"fmt"
	"reflect"
	"testing"
)

// Issue 17 item 9: every method of *Process, *Buffer, *Marker and *TQ on
// a nil receiver returns zero values or an error (ErrNilProcess for a
// process), never panics: rt.GetProcess("gone").Status() is a common
// line. The methods are enumerated by reflection, so a new method is
// covered without editing the test; each is called with zero arguments.
func TestNilReceivers(t *testing.T) {
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
				// An action that can fail says so.
				if typ == reflect.TypeOf((*Process)(nil)) {
					for _, o := range out {
						if o.Type() == reflect.TypeOf((*error)(nil)).Elem() && !o.IsNil() && o.Interface().(error) != ErrNilProcess {
							t.Errorf("error %v, want ErrNilProcess", o.Interface())
						}
					}
				}
			})
		}
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
