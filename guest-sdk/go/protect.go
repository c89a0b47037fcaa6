//go:build !tinygo

package wabi

import (
	"runtime"
	"strings"
)

// protect runs f and returns the panic it raised, if any (Go: recover; see protect_tinygo.go).
func protect(f func()) (p *panicInfo) {
	defer func() {
		if r := recover(); r != nil {
			p = &panicInfo{msg: panicMessage(r)}
			p.file, p.line = panicLocation()
		}
	}()
	f()
	return nil
}

// panicLocation returns the file and line of the function that panicked: the first frame below
// runtime.gopanic that is not in the runtime (index out of range and nil dereferences go through
// runtime helpers first). It must be called from the deferred function that recovered.
func panicLocation() (string, uint32) {
	var pcs [64]uintptr
	n := runtime.Callers(1, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	seenPanic := false
	for {
		f, more := frames.Next()
		if seenPanic && !strings.HasPrefix(f.Function, "runtime.") {
			if f.Line < 0 {
				f.Line = 0
			}
			return f.File, uint32(f.Line)
		}
		if f.Function == "runtime.gopanic" {
			seenPanic = true
		}
		if !more {
			return "", 0
		}
	}
}

// callerLocation returns the file and line of the caller of the function that calls it.
func callerLocation() (string, uint32) {
	_, file, line, ok := runtime.Caller(2)
	if !ok || line < 0 {
		return "", 0
	}
	return file, uint32(line)
}
