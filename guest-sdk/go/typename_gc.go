//go:build !tinygo

package wabi

import (
	"runtime"
	"strings"
)

// typeProbe is a type no value passed to unknownTypeName has.
type typeProbe struct{ _ [0]func() }

// unknownTypeName returns the name the runtime gives v's dynamic type ("chan int",
// "main.Config", "map[string]int32"), without reflect: a failed type assertion panics with a
// *runtime.TypeAssertionError that names it. Used only to word an error.
func unknownTypeName(v any) (name string) {
	if v == nil {
		return "nil"
	}
	defer func() {
		r := recover()
		te, ok := r.(*runtime.TypeAssertionError)
		if !ok {
			return
		}
		// "interface conversion: interface {} is T, not wabi.typeProbe"
		msg := te.Error()
		if i := strings.Index(msg, " is "); i >= 0 {
			msg = msg[i+len(" is "):]
			if j := strings.LastIndex(msg, ", not "); j >= 0 {
				name = msg[:j]
			}
		}
	}()
	_ = v.(typeProbe)
	return ""
}
