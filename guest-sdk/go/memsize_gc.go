//go:build wasm && !tinygo

package wabi

// memoryPages is implemented in memsize_wasm.s (the memory.size instruction).
func memoryPages() uint32

// MemoryPages returns the current size of the linear memory in 64 KiB pages.
func MemoryPages() uint32 { return memoryPages() }
