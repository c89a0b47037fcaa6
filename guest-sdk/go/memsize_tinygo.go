//go:build tinygo.wasm

package wabi

// wasmMemorySize is LLVM's memory.size intrinsic (TinyGo links bodyless //export declarations to
// the named symbol).
//
//export llvm.wasm.memory.size.i32
func wasmMemorySize(index int32) int32

// MemoryPages returns the current size of the linear memory in 64 KiB pages.
func MemoryPages() uint32 { return uint32(wasmMemorySize(0)) }
