// The four exports every wabi guest has (ABI.md section 3). Re-export them from your entry file:
//
//   export * from "wabi-guest/assembly/exports";   // or a relative path to this file
//
// (asc exports only what the entry file exports.)

import { ABI_VERSION, SCRATCH, SCRATCH_CAPACITY, allocBlock, freeBlock, pack } from "./memory";

/** `() -> i32`: the ABI version, 1.3. A constant of the module. */
export function wabi_abi_version(): u32 {
  return ABI_VERSION;
}

/** `(size, align) -> ptr`: a block for the host to write into; 0 when it cannot be had. */
export function wabi_alloc(size: u32, align: u32): u32 {
  return <u32>allocBlock(size, align);
}

/** `(ptr, size, align)`: releases a block from wabi_alloc. */
export function wabi_free(ptr: u32, size: u32, align: u32): void {
  freeBlock(<usize>ptr);
}

/** `() -> i64`: packed (ptr, capacity) of the static 64 KiB scratch buffer. A constant of the module. */
export function wabi_scratch(): u64 {
  return pack(SCRATCH, SCRATCH_CAPACITY);
}
