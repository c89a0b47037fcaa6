// Panics (ABI.md sections 4 and 7.3). AssemblyScript's `abort()` is what `throw`, a failed
// `assert`, a failed bounds check and an out-of-memory condition call. Compiling with
// `--use abort=__wabi_abort` routes it here: the message, file, line and column become a panic
// record, passed to `wabi.panic`, which never returns (the host ends the call with a panic and
// discards the instance).
//
// This code allocates nothing (it may run because the allocator failed): the record is built in
// a static buffer, long messages and file names are truncated at a character boundary.

import { hostPanic } from "./memory";

// Limits of the record's message and file name, in bytes. Literals and a buffer local to the
// function: abort may run before this file's globals are initialised (from the start function).
// The record buffer: 16 + 6144 + 1024 bytes.

/** Writes up to `cap` bytes of UTF-8 for `s` at `dst`, never splitting a character. */
function encodeBounded(s: string | null, dst: usize, cap: u32): u32 {
  if (s === null) return 0;
  const str = changetype<usize>(s);
  const units = <u32>s.length;
  let n: u32 = 0;
  for (let i: u32 = 0; i < units; i++) {
    let c = <u32>load<u16>(str + (<usize>i << 1));
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < units) {
      const d = <u32>load<u16>(str + (<usize>(i + 1) << 1));
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd; // a lone surrogate
    const size: u32 = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    if (n + size > cap) break;
    const p = dst + n;
    if (size == 1) {
      store<u8>(p, <u8>c);
    } else if (size == 2) {
      store<u8>(p, <u8>(0xc0 | (c >> 6)));
      store<u8>(p, <u8>(0x80 | (c & 0x3f)), 1);
    } else if (size == 3) {
      store<u8>(p, <u8>(0xe0 | (c >> 12)));
      store<u8>(p, <u8>(0x80 | ((c >> 6) & 0x3f)), 1);
      store<u8>(p, <u8>(0x80 | (c & 0x3f)), 2);
    } else {
      store<u8>(p, <u8>(0xf0 | (c >> 18)));
      store<u8>(p, <u8>(0x80 | ((c >> 12) & 0x3f)), 1);
      store<u8>(p, <u8>(0x80 | ((c >> 6) & 0x3f)), 2);
      store<u8>(p, <u8>(0x80 | (c & 0x3f)), 3);
    }
    n += size;
  }
  return n;
}

/** Reports a panic through `wabi.panic`; never returns. */
export function panicRecord(message: string | null, file: string | null, line: u32, column: u32): void {
  const RECORD = memory.data(7184, 8);
  const msgLen = encodeBounded(message === null ? "panic" : message, RECORD + 16, 6144);
  const fileLen = encodeBounded(file, RECORD + 16 + msgLen, 1024);
  store<u32>(RECORD, msgLen);
  store<u32>(RECORD, fileLen, 4);
  store<u32>(RECORD, line, 8);
  store<u32>(RECORD, column, 12);
  hostPanic(RECORD, 16 + msgLen + fileLen);
  unreachable(); // wabi.panic never returns
}

// The replacement of AssemblyScript's `abort` (compile with `--use abort=__wabi_abort`).
// @ts-ignore: decorator
@global
function __wabi_abort(
  message: string | null = null, fileName: string | null = null, lineNumber: u32 = 0, columnNumber: u32 = 0,
): void {
  panicRecord(message, fileName, lineNumber, columnNumber);
}

/** Panics with `message` (the location is unknown: prefer `throw new Error(message)`). */
export function panic(message: string): void {
  panicRecord(message, null, 0, 0);
}
