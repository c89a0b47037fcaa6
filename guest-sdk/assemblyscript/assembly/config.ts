// Plugin configuration (ABI.md section 4.2): `wabi.config` copies a value only into a buffer
// large enough for it, and otherwise reports the length it needs; the guest then asks again.

import { hostConfig } from "./memory";
import { utf8Decode, utf8Length, utf8Write } from "./utf8";

// The value buffer, reused; it grows to the largest value read so far. Nothing calls back into
// the guest during wabi.config, so one buffer suffices.
let buf = new Uint8Array(1024);
let keyBuf = new Uint8Array(64);

/**
 * The raw bytes of configuration value `key`, or null if it is not set. The returned array is a
 * copy, owned by the caller.
 */
export function configBytes(key: string): Uint8Array | null {
  const keyLen = utf8Length(key);
  if (<i32>keyLen > keyBuf.length) keyBuf = new Uint8Array(keyLen);
  utf8Write(key, keyBuf.dataStart);
  const keyPtr: usize = keyLen == 0 ? 0 : keyBuf.dataStart;
  // A value is written only when it fits; otherwise the host returns its length and the guest
  // retries with a buffer at least that large. Values are read-only, so the second call fits;
  // the bound only protects against a host that keeps changing its answer.
  for (let attempt = 0; attempt < 4; attempt++) {
    const n = hostConfig(keyPtr, keyLen, buf.dataStart, <usize>buf.length);
    if (n < 0) return null;
    if (n <= buf.length) {
      const out = new Uint8Array(n);
      memory.copy(out.dataStart, buf.dataStart, <usize>n);
      return out;
    }
    buf = new Uint8Array(n);
  }
  throw new Error("wabi.config: the length of configuration value " + key + " changes on every call");
}

/** Configuration value `key` as a string (invalid UTF-8 replaced by U+FFFD), or null if unset. */
export function config(key: string): string | null {
  const b = configBytes(key);
  if (b === null) return null;
  return utf8Decode(b.dataStart, <usize>b.length, true);
}
