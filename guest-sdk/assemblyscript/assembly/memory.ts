// The guest's side of ABI.md sections 3 and 4: host imports, the allocator the host uses
// (wabi_alloc / wabi_free), the static scratch buffer (wabi_scratch) and the version.

/** ABI version this SDK implements: 1.3, as `major << 16 | minor`. */
export const ABI_VERSION: u32 = 0x00010003;

/** Capacity of the scratch buffer, in bytes. */
export const SCRATCH_CAPACITY: u32 = 65536;

/**
 * The scratch buffer: static data of the module, 8-byte aligned, never moved nor freed. Its
 * address is fixed when the module is compiled, so wabi_scratch returns the same value in every
 * instance (ABI.md section 5, "once per module").
 */
export const SCRATCH: usize = memory.data(<i32>SCRATCH_CAPACITY, 8);

// --- Host imports (module "wabi"). Imports that a module never calls are left out by asc. ---

// @ts-ignore: decorator
@external("wabi", "panic")
export declare function hostPanic(ptr: usize, len: usize): void;

// @ts-ignore: decorator
@external("wabi", "log")
export declare function hostLog(level: i32, ptr: usize, len: usize): void;

// @ts-ignore: decorator
@external("wabi", "host_call")
export declare function hostCall(namePtr: usize, nameLen: usize, argsPtr: usize, argsLen: usize): u64;

// @ts-ignore: decorator
@external("wabi", "config")
export declare function hostConfig(keyPtr: usize, keyLen: usize, bufPtr: usize, bufCap: usize): i32;

// @ts-ignore: decorator
@external("wabi", "http_request")
export declare function hostHttpRequest(reqPtr: usize, reqLen: usize): u64;

// --- Blocks handed out by wabi_alloc. ---

// The largest block wabi_alloc hands out (the allocator's own limit is 1 GiB).
const MAX_BLOCK: u32 = 0x3ff0_0000;

// Every live block from wabi_alloc, address -> size. The blocks come from the runtime's raw
// allocator (heap.alloc), which the garbage collector never scans nor frees: a block stays valid
// until wabi_free, whatever the collector does meanwhile (ABI.md section 3). The map also lets
// a call check that an input pointer is really a block it handed out (ABI.md section 6.2).
const blocks = new Map<usize, u32>();

/** Allocates a block for the host; 0 on a request it cannot satisfy. */
export function allocBlock(size: u32, align: u32): usize {
  if (size == 0 || size > MAX_BLOCK || align == 0 || align > 16 || (align & (align - 1)) != 0) {
    return 0;
  }
  // heap.alloc returns 16-byte aligned blocks (the runtime's AL_SIZE); it traps when memory
  // cannot grow, which the ABI allows a garbage-collected runtime to do.
  const ptr = heap.alloc(<usize>size);
  if ((ptr & <usize>(align - 1)) != 0) {
    heap.free(ptr);
    return 0;
  }
  blocks.set(ptr, size);
  return ptr;
}

/** Frees a block from allocBlock. Unknown pointers are ignored, so a double free is harmless. */
export function freeBlock(ptr: usize): void {
  if (ptr != 0 && blocks.has(ptr)) {
    blocks.delete(ptr);
    heap.free(ptr);
  }
}

/** The size of the live block at `ptr`, or -1 if `ptr` is not one. */
export function blockSize(ptr: usize): i64 {
  return blocks.has(ptr) ? <i64>blocks.get(ptr) : -1;
}

/** Whether `ptr` points into the scratch buffer. */
// @ts-ignore: decorator
@inline
export function isScratch(ptr: usize): bool {
  return ptr - SCRATCH < <usize>SCRATCH_CAPACITY;
}

/** `(ptr << 32) | len`. */
// @ts-ignore: decorator
@inline
export function pack(ptr: usize, len: u32): u64 {
  return (<u64>ptr << 32) | <u64>len;
}

/** The current memory size in 64 KiB pages. */
export function memoryPages(): u32 {
  return <u32>memory.size();
}

// Input ownership (ABI.md section 6.2).
/** The input is empty or lives in the scratch buffer: nothing to free. */
export const INPUT_BORROWED: i32 = 0;
/** The input is a block from wabi_alloc that this call owns and frees. */
export const INPUT_OWNED: i32 = 1;
/** The input pointer is neither: answer BadArguments and read nothing. */
export const INPUT_INVALID: i32 = -1;

/** Classifies a call's input `(ptr, len)`. */
export function classifyInput(ptr: usize, len: u32): i32 {
  if (len == 0) return INPUT_BORROWED;
  if (isScratch(ptr)) {
    return <u64>(ptr - SCRATCH) + <u64>len <= <u64>SCRATCH_CAPACITY ? INPUT_BORROWED : INPUT_INVALID;
  }
  const size = blockSize(ptr);
  if (size < 0) return INPUT_INVALID;
  // Too short for its length: still the guest's block, so it is freed; the call refuses it.
  return <i64>len <= size ? INPUT_OWNED : INPUT_INVALID;
}
