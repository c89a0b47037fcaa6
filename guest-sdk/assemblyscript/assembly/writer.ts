// The MessagePack writer (ABI.md section 8): one canonical form per value, so that its bytes equal
// those of every other wabi encoder.

import { utf8Length, utf8Write } from "./utf8";
import { Value, Unit } from "./value";

/**
 * A growable buffer of MessagePack. Methods return `this`, so a struct's encoder reads like its
 * fields: `w.mapHeader(2).key("w").float64(this.w).key("h").float64(this.h)`.
 *
 * Errors are sticky: the first `fail(message)` (e.g. from an encoder that meets a value it cannot
 * represent) is kept in `error`, and an export then answers BadResult with it.
 *
 * The bytes live in a managed ArrayBuffer that the writer references, so the garbage collector
 * keeps them as long as the writer is reachable.
 */
export class Writer {
  /** The storage (kept reachable for the collector; `base` is its address). */
  private buf: ArrayBuffer;
  /** Address of the first byte. */
  base: usize;
  /** Bytes written. */
  len: u32 = 0;
  /** Capacity of `buf`. */
  cap: u32;
  /** The first error, or null. */
  error: string | null = null;
  // Whether `error` is set (a flag: comparing a string with null calls String.__eq).
  private failed: bool = false;

  constructor(capacity: u32 = 64) {
    const cap = max<u32>(capacity, 16);
    this.buf = changetype<ArrayBuffer>(__new(<usize>cap, idof<ArrayBuffer>()));
    this.base = changetype<usize>(this.buf);
    this.cap = cap;
  }

  /** Forgets the bytes and the error; keeps the capacity. */
  reset(): Writer {
    this.len = 0;
    if (this.failed) {
      this.error = null;
      this.failed = false;
    }
    return this;
  }

  /** Records an error (the first one wins). */
  fail(message: string): Writer {
    if (!this.failed) {
      this.failed = true;
      this.error = message;
    }
    return this;
  }

  /** Whether no error was recorded. */
  get ok(): bool {
    return !this.failed;
  }

  /** A copy of the bytes written. */
  toBytes(): Uint8Array {
    const out = new Uint8Array(this.len);
    memory.copy(out.dataStart, this.base, this.len);
    return out;
  }

  /** Makes room for `n` more bytes and returns the address where they go (then `len += n`). */
  reserve(n: u32): usize {
    const need = <u64>this.len + <u64>n;
    if (need > <u64>this.cap) this.grow(need);
    const at = this.base + this.len;
    this.len += n;
    return at;
  }

  private grow(need: u64): void {
    if (need > 0x3ff0_0000) {
      // Larger than the runtime's largest block (1 GiB): a fault of the guest, not of the host.
      throw new Error("wabi: output larger than 1 GiB");
    }
    let cap = <u64>this.cap * 2;
    if (cap < need) cap = need;
    if (cap > 0x3ff0_0000) cap = 0x3ff0_0000;
    this.buf = changetype<ArrayBuffer>(__renew(changetype<usize>(this.buf), <usize>cap));
    this.base = changetype<usize>(this.buf);
    this.cap = <u32>cap;
  }

  // --- raw bytes ---

  /** Appends `len` bytes from `ptr`, as they are. */
  raw(ptr: usize, len: u32): Writer {
    if (len > 0) memory.copy(this.reserve(len), ptr, len);
    return this;
  }

  /** Appends the bytes of `b`, as they are (not as a MessagePack value). */
  rawBytes(b: Uint8Array): Writer {
    return this.raw(b.dataStart, <u32>b.length);
  }

  /** Appends one byte. */
  // @ts-ignore: decorator
  @inline
  byte(b: u8): Writer {
    store<u8>(this.reserve(1), b);
    return this;
  }

  /** Appends a little-endian u32 (envelope headers). */
  u32le(v: u32): Writer {
    store<u32>(this.reserve(4), v);
    return this;
  }

  private tagged8(tag: u8, v: u8): void {
    const at = this.reserve(2);
    store<u8>(at, tag);
    store<u8>(at, v, 1);
  }
  private tagged16(tag: u8, v: u16): void {
    const at = this.reserve(3);
    store<u8>(at, tag);
    store<u16>(at, bswap<u16>(v), 1);
  }
  private tagged32(tag: u8, v: u32): void {
    const at = this.reserve(5);
    store<u8>(at, tag);
    store<u32>(at, bswap<u32>(v), 1);
  }
  private tagged64(tag: u8, v: u64): void {
    const at = this.reserve(9);
    store<u8>(at, tag);
    store<u64>(at, bswap<u64>(v), 1);
  }

  // --- scalars ---

  /** nil (`c0`): unit, None, null. */
  nil(): Writer {
    return this.byte(0xc0);
  }

  /** `c2` / `c3`. */
  bool(v: bool): Writer {
    return this.byte(v ? 0xc3 : 0xc2);
  }

  /** A non-negative integer in its smallest form. */
  uint(v: u64): Writer {
    if (v < 0x80) this.byte(<u8>v);
    else if (v <= 0xff) this.tagged8(0xcc, <u8>v);
    else if (v <= 0xffff) this.tagged16(0xcd, <u16>v);
    else if (v <= 0xffff_ffff) this.tagged32(0xce, <u32>v);
    else this.tagged64(0xcf, v);
    return this;
  }

  /** A signed integer in its smallest form (non-negative values as `uint` does). */
  int(v: i64): Writer {
    if (v >= 0) return this.uint(<u64>v);
    if (v >= -32) this.byte(<u8>v);
    else if (v >= -128) this.tagged8(0xd0, <u8>v);
    else if (v >= -32768) this.tagged16(0xd1, <u16>v);
    else if (v >= -2147483648) this.tagged32(0xd2, <u32>v);
    else this.tagged64(0xd3, <u64>v);
    return this;
  }

  /** float 32 (`ca`): the width follows the type, never the value. */
  float32(v: f32): Writer {
    this.tagged32(0xca, reinterpret<u32>(v));
    return this;
  }

  /** float 64 (`cb`). */
  float64(v: f64): Writer {
    this.tagged64(0xcb, reinterpret<u64>(v));
    return this;
  }

  /** A str header for `n` bytes of UTF-8. */
  strHeader(n: u32): Writer {
    if (n < 32) this.byte(<u8>(0xa0 | n));
    else if (n <= 0xff) this.tagged8(0xd9, <u8>n);
    else if (n <= 0xffff) this.tagged16(0xda, <u16>n);
    else this.tagged32(0xdb, n);
    return this;
  }

  /** A string, as UTF-8 (lone surrogates become U+FFFD). */
  str(s: string): Writer {
    const n = utf8Length(s);
    this.strHeader(n);
    const at = this.reserve(n);
    utf8Write(s, at);
    return this;
  }

  /** A string given as bytes that are already valid UTF-8 (see `Utf8`). */
  strUtf8(ptr: usize, len: u32): Writer {
    return this.strHeader(len).raw(ptr, len);
  }

  /** A bin header for `n` bytes. */
  binHeader(n: u32): Writer {
    if (n <= 0xff) this.tagged8(0xc4, <u8>n);
    else if (n <= 0xffff) this.tagged16(0xc5, <u16>n);
    else this.tagged32(0xc6, n);
    return this;
  }

  /** Bytes as bin; an empty byte string is written as the empty array `90` (ABI.md section 8). */
  bin(b: Uint8Array): Writer {
    return this.binRaw(b.dataStart, <u32>b.length);
  }

  /** `len` bytes at `ptr` as bin (empty: `90`). */
  binRaw(ptr: usize, len: u32): Writer {
    if (len == 0) return this.byte(0x90);
    return this.binHeader(len).raw(ptr, len);
  }

  /** An array header: `n` values follow. */
  arrayHeader(n: u32): Writer {
    if (n < 16) this.byte(<u8>(0x90 | n));
    else if (n <= 0xffff) this.tagged16(0xdc, <u16>n);
    else this.tagged32(0xdd, n);
    return this;
  }

  /** A map header: `n` key/value pairs follow. */
  mapHeader(n: u32): Writer {
    if (n < 16) this.byte(<u8>(0x80 | n));
    else if (n <= 0xffff) this.tagged16(0xde, <u16>n);
    else this.tagged32(0xdf, n);
    return this;
  }

  /** An ext value (type and data) in its smallest form. */
  ext(type: i8, data: Uint8Array): Writer {
    const n = <u32>data.length;
    if (n == 1) this.byte(0xd4);
    else if (n == 2) this.byte(0xd5);
    else if (n == 4) this.byte(0xd6);
    else if (n == 8) this.byte(0xd7);
    else if (n == 16) this.byte(0xd8);
    else if (n <= 0xff) this.tagged8(0xc7, <u8>n);
    else if (n <= 0xffff) this.tagged16(0xc8, <u16>n);
    else this.tagged32(0xc9, n);
    this.byte(<u8>type);
    return this.rawBytes(data);
  }

  /** A struct field's name (a str key). */
  key(name: string): Writer {
    return this.str(name);
  }

  /** A struct field: its name, then its value (any type `write` accepts). */
  field<T>(name: string, value: T): Writer {
    return this.str(name).write<T>(value);
  }

  /** An enum's unit variant: its name as str. */
  unitVariant(name: string): Writer {
    return this.str(name);
  }

  /** An enum's other variants: a 1-entry map `name -> value`; write the value next. */
  variant(name: string): Writer {
    return this.byte(0x81).str(name);
  }

  /** Any value whose type the SDK knows (see the README's type table). */
  write<T>(v: T): Writer {
    if (isBoolean<T>()) return this.bool(<bool>v);
    if (isInteger<T>()) {
      // @ts-ignore: T is an integer type here
      if (isSigned<T>()) return this.int(<i64>v);
      // @ts-ignore: T is an integer type here
      return this.uint(<u64>v);
    }
    if (isFloat<T>()) {
      // @ts-ignore: T is a float type here
      if (sizeof<T>() == 4) return this.float32(<f32>v);
      // @ts-ignore: T is a float type here
      return this.float64(<f64>v);
    }
    if (isNullable<T>()) {
      if (changetype<usize>(v) == 0) return this.nil();
      return this.write<nonnull<T>>(changetype<nonnull<T>>(v));
    }
    if (isString<T>()) return this.str(changetype<string>(v));
    if (v instanceof Uint8Array) return this.bin(changetype<Uint8Array>(v));
    if (v instanceof Utf8) {
      const u = changetype<Utf8>(v);
      return this.strUtf8(u.bytes.dataStart, <u32>u.bytes.length);
    }
    if (v instanceof Unit) return this.nil();
    if (v instanceof Value) {
      changetype<Value>(v).encode(this);
      return this;
    }
    if (isArray<T>()) {
      // @ts-ignore: T is an Array here
      const n = <i32>v.length;
      this.arrayHeader(<u32>n);
      for (let i = 0; i < n; i++) {
        // @ts-ignore: T is an Array here
        this.write<valueof<T>>(unchecked(v[i]));
      }
      return this;
    }
    if (v instanceof Map) {
      // @ts-ignore: T is a Map here
      this.writeMap<indexof<T>, valueof<T>>(v);
      return this;
    }
    // A class with its own encoder (Encodable).
    // @ts-ignore: T has an encode(w: Writer) method
    v.encode(this);
    return this;
  }

  /**
   * A map. String keys are written in sorted order (by UTF-8 bytes, as Rust's BTreeMap orders
   * them), so that a map has one canonical encoding; other keys in insertion order.
   */
  writeMap<K, V>(m: Map<K, V>): Writer {
    const keys = m.keys();
    const n = keys.length;
    this.mapHeader(<u32>n);
    if (isString<K>()) {
      // @ts-ignore: K is string here
      sortStrings(changetype<Array<string>>(keys));
    }
    for (let i = 0; i < n; i++) {
      const k = unchecked(keys[i]);
      this.write<K>(k);
      this.write<V>(m.get(k));
    }
    return this;
  }
}

/**
 * A string kept as its UTF-8 bytes: decoding one checks the bytes are UTF-8 but does not convert
 * them to an AssemblyScript (UTF-16) string. For large strings that are only measured, hashed or
 * passed on.
 */
export class Utf8 {
  constructor(public bytes: Uint8Array = new Uint8Array(0)) {}

  /** The bytes as a string. */
  toString(): string {
    return String.UTF8.decodeUnsafe(this.bytes.dataStart, <usize>this.bytes.length, false);
  }

  /** The UTF-8 bytes of `s`. */
  static from(s: string): Utf8 {
    const n = utf8Length(s);
    const b = new Uint8Array(n);
    utf8Write(s, b.dataStart);
    return new Utf8(b);
  }
}

/** Compares two strings by code point (= by their UTF-8 bytes), unlike `<` on UTF-16 units. */
export function compareCodePoints(a: string, b: string): i32 {
  const n = min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = <u32>a.charCodeAt(i);
    const y = <u32>b.charCodeAt(i);
    if (x == y) continue;
    // A surrogate (D800-DFFF) is part of a code point above FFFF: it sorts after E000-FFFF.
    if (x >= 0xd800 && x <= 0xdfff && y >= 0xe000) return 1;
    if (y >= 0xd800 && y <= 0xdfff && x >= 0xe000) return -1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

function sortStrings(keys: Array<string>): void {
  keys.sort(compareCodePoints);
}
