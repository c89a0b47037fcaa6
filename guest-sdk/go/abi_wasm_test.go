//go:build wasm && !tinygo

package wabi

import (
	"testing"
	"unsafe"
)

// Run under a WASI runtime that provides the wabi imports:
// GOOS=wasip1 GOARCH=wasm go test -c, then run the test binary with the imports defined.

func TestWasmAddresses(t *testing.T) {
	if scratchAddress() != uint32(uintptr(unsafe.Pointer(&scratch[0]))) || scratchAddress()%8 != 0 {
		t.Fatal("scratch address")
	}
	if wabiScratch() != uint64(scratchAddress())<<32|ScratchSize || wabiABIVersion() != ABIVersion {
		t.Fatal("exports")
	}
	pages := MemoryPages()
	if pages == 0 {
		t.Fatal("MemoryPages() = 0")
	}
	p := wabiAlloc(64<<20, 8)
	if p == 0 || p%8 != 0 {
		t.Fatalf("wabi_alloc = %#x", p)
	}
	if end := uint64(p) + 64<<20; end > uint64(MemoryPages())*65536 {
		t.Fatalf("block end %#x beyond memory (%d pages)", end, MemoryPages())
	}
	if MemoryPages() <= pages {
		t.Fatalf("memory did not grow: %d -> %d pages", pages, MemoryPages())
	}
	wabiFree(p, 64<<20, 8)
	Info("log line from the wasm test")
}
