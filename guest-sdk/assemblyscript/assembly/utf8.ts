// UTF-8 <-> AssemblyScript strings (UTF-16). The wire carries UTF-8 (ABI.md section 8); the
// decoder here validates strictly (the standard library's String.UTF8.decode does not), so a
// malformed string in the arguments is a BadArguments answer, never a silently altered value.

/** Bytes needed to encode `s` as UTF-8; a lone surrogate counts as U+FFFD (3 bytes). */
// @ts-ignore: decorator
@inline
export function utf8Length(s: string): u32 {
  return <u32>String.UTF8.byteLength(s, false);
}

/**
 * Writes `s` as UTF-8 at `dst` (which has room for `utf8Length(s)` bytes); lone surrogates
 * become U+FFFD, so the bytes are always valid UTF-8. Returns the number of bytes written.
 */
// @ts-ignore: decorator
@inline
export function utf8Write(s: string, dst: usize): u32 {
  return <u32>String.UTF8.encodeUnsafe(
    changetype<usize>(s), s.length, dst, false, String.UTF8.ErrorMode.REPLACE,
  );
}

/** Whether `len` bytes at `ptr` are valid UTF-8 (no overlong forms, surrogates or > U+10FFFF). */
export function utf8Valid(ptr: usize, len: usize): bool {
  let p = ptr;
  const end = ptr + len;
  while (p < end) {
    // ASCII fast path, 8 bytes at a time.
    while (p + 8 <= end && (load<u64>(p) & 0x8080808080808080) == 0) p += 8;
    if (p >= end) break;
    const b0 = <u32>load<u8>(p);
    if (b0 < 0x80) {
      p += 1;
    } else if (b0 >= 0xc2 && b0 <= 0xdf) {
      if (p + 2 > end || !isCont(load<u8>(p, 1))) return false;
      p += 2;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      if (p + 3 > end) return false;
      const b1 = <u32>load<u8>(p, 1);
      if (!isCont(<u8>b1) || !isCont(load<u8>(p, 2))) return false;
      if (b0 == 0xe0 && b1 < 0xa0) return false; // overlong
      if (b0 == 0xed && b1 > 0x9f) return false; // surrogate
      p += 3;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      if (p + 4 > end) return false;
      const b1 = <u32>load<u8>(p, 1);
      if (!isCont(<u8>b1) || !isCont(load<u8>(p, 2)) || !isCont(load<u8>(p, 3))) return false;
      if (b0 == 0xf0 && b1 < 0x90) return false; // overlong
      if (b0 == 0xf4 && b1 > 0x8f) return false; // > U+10FFFF
      p += 4;
    } else {
      return false;
    }
  }
  return true;
}

// @ts-ignore: decorator
@inline
function isCont(b: u8): bool {
  return (b & 0xc0) == 0x80;
}

/**
 * Decodes `len` bytes of UTF-8 at `ptr` into a string. Returns null if they are not valid UTF-8,
 * unless `lossy`, in which case each invalid sequence becomes U+FFFD.
 */
export function utf8Decode(ptr: usize, len: usize, lossy: bool = false): string | null {
  if (len == 0) return "";
  if (utf8Valid(ptr, len)) return String.UTF8.decodeUnsafe(ptr, len, false);
  if (!lossy) return null;
  // Lossy: copy valid sequences, replace each maximal invalid prefix by U+FFFD.
  let out = "";
  let p = ptr;
  const end = ptr + len;
  let run = p;
  while (p < end) {
    const n = seqLen(p, end);
    if (n > 0) {
      p += n;
      continue;
    }
    if (p > run) out += String.UTF8.decodeUnsafe(run, p - run, false);
    out += "\uFFFD";
    p += 1;
    run = p;
  }
  if (p > run) out += String.UTF8.decodeUnsafe(run, p - run, false);
  return out;
}

/** Length of the valid UTF-8 sequence at `p`, or 0 if the bytes there are not one. */
function seqLen(p: usize, end: usize): usize {
  const n: usize = min(4, end - p);
  for (let k: usize = 1; k <= n; k++) {
    if (utf8Valid(p, k)) return k;
  }
  return 0;
}
