//go:build !wasm && !tinygo.wasm

package wabi

// MemoryPages returns the current size of the linear memory in 64 KiB pages; 0 outside
// WebAssembly.
func MemoryPages() uint32 { return 0 }
