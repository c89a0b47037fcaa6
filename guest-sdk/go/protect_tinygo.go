//go:build tinygo

package wabi

// protect runs f. TinyGo (of the Go 1.23 era) cannot recover panics in WebAssembly: a panic prints
// "panic: <message>" to stderr and traps, and the host reports it as a panic and discards the
// instance. So there is nothing to catch here.
func protect(f func()) *panicInfo {
	f()
	return nil
}

// callerLocation is unknown under TinyGo (its runtime keeps no line tables).
func callerLocation() (string, uint32) { return "", 0 }
