//go:build wasm || tinygo.wasm

package wabi

import (
	"runtime"
	"unsafe"
)

// The ABI's own exports (ABI section 3). They live in this package, so importing it is enough.

//go:wasmexport wabi_abi_version
func wabiABIVersion() uint32 { return ABIVersion }

//go:wasmexport wabi_alloc
func wabiAlloc(size, align uint32) uint32 { return alloc(size, align) }

//go:wasmexport wabi_free
func wabiFree(ptr, size, align uint32) { free(ptr, size, align) }

//go:wasmexport wabi_scratch
func wabiScratch() uint64 { return scratchPacked() }

// The host imports (ABI section 4; host_call and config are ABI 1.1, http_request 1.3). A
// module imports only those it calls: the linker drops the others.

//go:wasmimport wabi panic
func hostPanic(ptr, size uint32)

//go:wasmimport wabi log
func hostLog(level, ptr, size uint32)

//go:wasmimport wabi host_call
func hostCallImport(namePtr, nameLen, argsPtr, argsLen uint32) uint64

//go:wasmimport wabi config
func hostConfig(keyPtr, keyLen, bufPtr, bufCap uint32) int32

//go:wasmimport wabi http_request
func hostHTTPRequest(reqPtr, reqLen uint32) uint64

// stringAddress returns the address of s's bytes, 0 for an empty string.
func stringAddress(s string) uint32 {
	if len(s) == 0 {
		return 0
	}
	return address(unsafe.Pointer(unsafe.StringData(s)))
}

// bytesAddress returns the address of b's bytes, 0 for an empty slice.
func bytesAddress(b []byte) uint32 {
	if len(b) == 0 {
		return 0
	}
	return address(unsafe.Pointer(&b[0]))
}

// hostCall calls wabi.host_call: the packed (ptr, len) of the result envelope, in a block from
// wabi_alloc. The host may call back into the plugin before it returns.
func hostCall(name string, args []byte) uint64 {
	r := hostCallImport(stringAddress(name), uint32(len(name)), bytesAddress(args), uint32(len(args)))
	runtime.KeepAlive(name)
	runtime.KeepAlive(args)
	return r
}

// httpRequest calls wabi.http_request with an encoded request: the packed (ptr, len) of the
// result envelope, in a block from wabi_alloc.
func httpRequest(req []byte) uint64 {
	r := hostHTTPRequest(bytesAddress(req), uint32(len(req)))
	runtime.KeepAlive(req)
	return r
}

// configLookup calls wabi.config: -1 when key is not set, else the value's length, the value
// being written to buf only if it fits.
func configLookup(key string, buf []byte) int32 {
	n := hostConfig(stringAddress(key), uint32(len(key)), bytesAddress(buf), uint32(len(buf)))
	runtime.KeepAlive(key)
	runtime.KeepAlive(buf)
	return n
}

// address returns the linear-memory address of p (wasm addresses fit 32 bits).
func address(p unsafe.Pointer) uint32 { return uint32(uintptr(p)) }

func blockAddress(b []uint64) uint32 { return address(unsafe.Pointer(&b[0])) }

func scratchAddress() uint32 { return address(unsafe.Pointer(&scratch[0])) }

func outputAddress(b []byte) uint32 {
	if len(b) == 0 {
		return 0
	}
	return address(unsafe.Pointer(&b[0]))
}

func writeLog(level uint32, msg string) {
	if len(msg) == 0 {
		hostLog(level, 0, 0)
		return
	}
	hostLog(level, address(unsafe.Pointer(unsafe.StringData(msg))), uint32(len(msg)))
}

// Abort reports a panic through the wabi.panic import, with msg and the caller's file:line when
// the runtime knows them, and never returns: the host ends the call with a panic error and
// discards the instance. It is the way to fail loudly under TinyGo, which cannot recover panics
// on wasm (a plain panic there prints "panic: ..." to stdout and traps, and the host reports
// that line as the panic, without a location).
func Abort(msg string) {
	file, line := callerLocation()
	rec := appendPanicRecord(nil, msg, file, line, 0)
	hostPanic(address(unsafe.Pointer(&rec[0])), uint32(len(rec)))
	panic(msg) // not reached: wabi.panic never returns
}

// abortWith reports a recovered panic through wabi.panic (see AbortOnPanic).
func abortWith(p *panicInfo) {
	rec := appendPanicRecord(nil, p.msg, p.file, p.line, 0)
	hostPanic(address(unsafe.Pointer(&rec[0])), uint32(len(rec)))
	panic(p.msg) // not reached: wabi.panic never returns
}
