//go:build tinygo

package wabi

// protect runs f and returns the panic it raised, if any.
//
// In WebAssembly, TinyGo (checked: 0.34.0 to 0.41.1) cannot unwind: its compiler's
// supportsRecover() is false for wasm32 (compiler/defer.go), so a panic never comes back here
// and deferred functions do not run. The runtime prints "panic: <message>" with its print
// builtins (on wasip1: to fd 1, stdout; runtime errors as "panic: runtime error: <what>", with
// no address or location) and executes unreachable; the host reports that line as a panic and
// discards the instance. On WebAssembly the recover below is therefore a no-op that costs one
// deferred call per export call.
//
// It is still written as a real recover, so that the SDK does the right thing wherever TinyGo
// does unwind (native targets, as with `tinygo test`, and TinyGo releases that add unwinding to
// WebAssembly): the panic becomes a Panic envelope, as under Go, without a location (TinyGo
// keeps no line tables).
func protect(f func()) (p *panicInfo) {
	done := false
	defer func() {
		if done {
			return
		}
		// f did not return: it panicked (panic(nil) included, which recover reports as nil
		// under TinyGo) or called runtime.Goexit (which recover does not stop).
		p = &panicInfo{msg: panicMessage(recover())}
	}()
	f()
	done = true
	return nil
}

// callerLocation is unknown under TinyGo: its runtime keeps no line tables (runtime.Caller
// reports nothing), so Abort sends no file or line.
func callerLocation() (string, uint32) { return "", 0 }
