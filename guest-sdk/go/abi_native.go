//go:build !wasm && !tinygo.wasm

package wabi

// Outside WebAssembly (native builds, go test) there is no linear memory: blocks, the scratch
// buffer and the output get stand-in addresses so that the same code paths run and can be tested.

const (
	nativeScratchAddress = 0x0000_1000
	nativeOutputAddress  = 0x7000_0000
)

var nextNativeAddress uint32 = 0x0010_0000

func blockAddress(b []uint64) uint32 {
	a := nextNativeAddress
	nextNativeAddress += uint32(len(b))*8 + 8
	return a
}

func scratchAddress() uint32 { return nativeScratchAddress }

func outputAddress(b []byte) uint32 { return nativeOutputAddress }

// logHook receives log lines in native builds (tests set it); nil prints them to stderr.
var logHook func(level uint32, msg string)

func writeLog(level uint32, msg string) {
	if logHook != nil {
		logHook(level, msg)
		return
	}
	println("wabi log", level, msg)
}

// Abort panics with msg (in WebAssembly it reports the panic through the wabi.panic import).
func Abort(msg string) { panic(msg) }

// abortWith re-raises a recovered panic (in WebAssembly it goes to the wabi.panic import).
func abortWith(p *panicInfo) { panic(p.msg) }

// hostCallHook plays the host's wabi.host_call in native builds (tests set it): it answers with
// the packed (ptr, len) of an envelope in a block from alloc. nil: host calls panic.
var hostCallHook func(name string, args []byte) uint64

func hostCall(name string, args []byte) uint64 {
	if hostCallHook == nil {
		panic("wabi: cannot call host function `" + name + "`: host calls need a wasm host (wabi.host_call)")
	}
	return hostCallHook(name, args)
}

// configHook plays the host's wabi.config in native builds (tests set it). nil: lookups panic.
var configHook func(key string, buf []byte) int32

func configLookup(key string, buf []byte) int32 {
	if configHook == nil {
		panic("wabi: cannot read configuration key `" + key + "`: configuration needs a wasm host (wabi.config)")
	}
	return configHook(key, buf)
}

// httpRequestHook plays the host's wabi.http_request in native builds (tests set it): it answers
// with the packed (ptr, len) of an envelope in a block from alloc. nil: requests panic.
var httpRequestHook func(req []byte) uint64

func httpRequest(req []byte) uint64 {
	if httpRequestHook == nil {
		panic("wabi: cannot send an HTTP request: outbound HTTP needs a wasm host (wabi.http_request)")
	}
	return httpRequestHook(req)
}
