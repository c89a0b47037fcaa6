package wabi

import "unsafe"

// ScratchSize is the capacity of the scratch input buffer wabi_scratch reports (64 KiB).
const ScratchSize = 64 << 10

// maxAlloc is the largest block wabi_alloc tries to allocate; larger requests answer 0. (A
// request below it that the Go runtime cannot satisfy is a fatal "out of memory" error, which
// traps: Go offers no way to try an allocation.)
const maxAlloc = 3 << 30

// scratch is the scratch input buffer: a package-level array, so it never moves, is never
// collected, and is 8-byte aligned (its elements are uint64).
var scratch [ScratchSize / 8]uint64

// blocks keeps every block handed out by wabi_alloc reachable until it is freed (a garbage
// collector must not reclaim memory the host is about to write), keyed by its address. It is
// made on first use, so wabi_alloc works even before package initialisation.
var blocks map[uint32][]uint64

// outBuf is the output buffer every call reuses; its bytes stay valid until the next call.
var outBuf []byte

func scratchBytes() []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(&scratch[0])), ScratchSize)
}

func blockBytes(b []uint64) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(&b[0])), len(b)*8)
}

// alloc implements wabi_alloc: size bytes aligned to align (at most 8), or 0.
func alloc(size, align uint32) uint32 {
	if size == 0 || align == 0 || align > 8 || align&(align-1) != 0 || uint64(size) > maxAlloc {
		return 0
	}
	blk := make([]uint64, (uint64(size)+7)/8)
	p := blockAddress(blk)
	if p == 0 {
		return 0
	}
	if blocks == nil {
		blocks = make(map[uint32][]uint64)
	}
	blocks[p] = blk
	return p
}

// free implements wabi_free. Unknown pointers are ignored (freeing twice is harmless).
func free(ptr, size, align uint32) {
	delete(blocks, ptr)
}

// scratchPacked implements wabi_scratch: (ptr << 32) | capacity.
func scratchPacked() uint64 { return uint64(scratchAddress())<<32 | ScratchSize }

func pack(ptr, n uint32) uint64 { return uint64(ptr)<<32 | uint64(n) }

// takeInput resolves the input of a call (ABI section 6.2): nothing, the scratch buffer, or a
// block from wabi_alloc that this call now owns (owned == true: free it after the call). A
// pointer that is neither gives a message for a BadArguments envelope.
func takeInput(ptr, size uint32) (in []byte, owned bool, bad string) {
	if size == 0 {
		return nil, false, ""
	}
	if ptr == scratchAddress() {
		if size > ScratchSize {
			return nil, false, "the input (" + utoa(size) + " bytes) overflows the scratch buffer"
		}
		return scratchBytes()[:size], false, ""
	}
	if blk, ok := blocks[ptr]; ok {
		b := blockBytes(blk)
		if uint64(size) > uint64(len(b)) {
			// Still the guest's block (the host handed it over): freed after the call.
			return nil, true, "the input (" + utoa(size) + " bytes) is larger than its block from wabi_alloc"
		}
		return b[:size], true, ""
	}
	return nil, false, "the input pointer " + utoa(ptr) +
		" is neither the scratch buffer nor a block from wabi_alloc"
}

func utoa(v uint32) string {
	var b [10]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			return string(b[i:])
		}
	}
}
