//go:build tinygo.wasm

package wabi

// wasmMemorySize is LLVM's memory.size intrinsic. TinyGo gives a bodyless function with
// //export NAME the link name NAME, so this declaration is the intrinsic itself: the same
// declaration TinyGo's runtime uses for its heap (src/runtime/arch_tinygowasm.go,
// wasm_memory_size), unchanged from 0.34.0 to 0.41.1. It compiles to one memory.size
// instruction and imports nothing. Only //export works here: it also drops the hidden context
// parameter TinyGo gives other functions, which //go:linkname keeps (the intrinsic would then
// have the wrong signature), and //go:wasmimport would make it a host import.
//
//export llvm.wasm.memory.size.i32
func wasmMemorySize(index int32) int32

// MemoryPages returns the current size of the linear memory in 64 KiB pages.
func MemoryPages() uint32 { return uint32(wasmMemorySize(0)) }
