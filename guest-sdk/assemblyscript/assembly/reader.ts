// The MessagePack reader (ABI.md section 8). Every length is checked against the bytes present
// before anything is read or allocated, and nesting deeper than MAX_DEPTH is refused.

import { utf8Decode, utf8Valid } from "./utf8";
import { Utf8 } from "./writer";
import { Value, Unit } from "./value";

/** Deepest nesting of arrays and maps a reader accepts (ABI.md section 8). */
export const MAX_DEPTH: i32 = 128;

/** MessagePack type families, as `Reader.peekKind()` reports them. */
export enum Type {
  End,
  Nil,
  Bool,
  Int,
  Float,
  Str,
  Bin,
  Array,
  Map,
  Ext,
  Invalid,
}

/**
 * Reads MessagePack from `len` bytes at `ptr`, which must stay valid while it reads.
 *
 * Errors are sticky: the first one (a wrong type, a value out of range, a truncated input,
 * invalid UTF-8, too deep a nesting) is kept in `error` with its byte offset, the reader jumps to
 * the end, and every later read returns a zero value (0, false, "", empty, null). Check `ok`
 * (an export does it for you and answers BadArguments) instead of checking every read. A header
 * never announces more elements than there are bytes left, so loops over a header stay bounded
 * even after an error.
 *
 * A struct's decoder matches fields by name and skips the others:
 *
 * ```ts
 * decode(r: wabi.Reader): void {
 *   const n = r.mapHeader();
 *   for (let i: u32 = 0; i < n && r.ok; i++) {
 *     if (r.keyIs("name")) this.name = r.str();
 *     else if (r.keyIs("age")) this.age = r.uint32(); // keyIs consumes the key only if it matches
 *     else r.skipField();        // an unknown field
 *   }
 * }
 * ```
 */
export class Reader {
  /** First byte. */
  start: usize;
  /** Next byte. */
  pos: usize;
  /** One past the last byte. */
  end: usize;
  /** Current nesting of arrays and maps entered by `read`, `value` and `skip`. */
  depth: i32 = 0;
  /** The first error, or null. */
  error: string | null = null;
  // Whether `error` is set (a flag: comparing a string with null calls String.__eq).
  private failed: bool = false;

  constructor(ptr: usize = 0, len: usize = 0) {
    this.start = ptr;
    this.pos = ptr;
    this.end = ptr + len;
  }

  /** Reads from `len` bytes at `ptr` from now on, forgetting any error. */
  reset(ptr: usize, len: usize): Reader {
    this.start = ptr;
    this.pos = ptr;
    this.end = ptr + len;
    this.depth = 0;
    this.error = null;
    this.failed = false;
    return this;
  }

  /** A reader over the bytes of `b` (which must stay alive while it reads). */
  static of(b: Uint8Array): Reader {
    return new Reader(b.dataStart, <usize>b.length);
  }

  /** Whether no error happened. */
  get ok(): bool {
    return !this.failed;
  }

  /** Bytes not read yet. */
  get remaining(): usize {
    return this.end - this.pos;
  }

  /** Offset of the next byte from the start. */
  get offset(): u32 {
    return <u32>(this.pos - this.start);
  }

  /** Records an error at the current offset (the first one wins) and stops reading. */
  fail(message: string): void {
    if (!this.failed) {
      this.failed = true;
      this.error = message + " (at byte " + this.offset.toString() + ")";
    }
    this.pos = this.end;
  }

  // --- bytes ---

  // @ts-ignore: decorator
  @inline
  private need(n: usize): bool {
    if (this.end - this.pos >= n) return true;
    this.fail("unexpected end of input");
    return false;
  }

  // @ts-ignore: decorator
  @inline
  private u8(): u32 {
    if (!this.need(1)) return 0;
    const b = <u32>load<u8>(this.pos);
    this.pos += 1;
    return b;
  }
  private be16(): u32 {
    if (!this.need(2)) return 0;
    const v = <u32>bswap<u16>(load<u16>(this.pos));
    this.pos += 2;
    return v;
  }
  private be32(): u32 {
    if (!this.need(4)) return 0;
    const v = bswap<u32>(load<u32>(this.pos));
    this.pos += 4;
    return v;
  }
  private be64(): u64 {
    if (!this.need(8)) return 0;
    const v = bswap<u64>(load<u64>(this.pos));
    this.pos += 8;
    return v;
  }

  /** The next byte (a MessagePack tag), not consumed; -1 at the end. */
  // @ts-ignore: decorator
  @inline
  peek(): i32 {
    return this.pos < this.end ? <i32>load<u8>(this.pos) : -1;
  }

  /** The type family of the next value, not consumed. */
  peekKind(): Type {
    const b = this.peek();
    if (b < 0) return Type.End;
    return kindOf(<u32>b);
  }

  /** Whether the next value is nil (not consumed). */
  isNil(): bool {
    return this.peek() == 0xc0;
  }

  /** Consumes a nil if the next value is one. */
  // @ts-ignore: decorator
  @inline
  tryNil(): bool {
    if (this.peek() == 0xc0) {
      this.pos += 1;
      return true;
    }
    return false;
  }

  private wrongType(want: string): void {
    const b = this.peek();
    if (b < 0) {
      this.fail("unexpected end of input, expected " + want);
      return;
    }
    this.fail("expected " + want + ", found " + typeName(kindOf(<u32>b)));
  }

  // --- scalars ---

  /** nil. */
  nil(): void {
    if (!this.tryNil()) this.wrongType("nil");
  }

  /** A bool. */
  bool(): bool {
    const b = this.peek();
    if (b == 0xc2 || b == 0xc3) {
      this.pos += 1;
      return b == 0xc3;
    }
    this.wrongType("bool");
    return false;
  }

  // Reads any integer: returns its bits, and sets intNegative when it is a negative value.
  private intNegative: bool = false;
  private anyInt(want: string): u64 {
    this.intNegative = false;
    const b = this.peek();
    if (b < 0) {
      this.wrongType(want);
      return 0;
    }
    if (b <= 0x7f) {
      this.pos += 1;
      return <u64>b;
    }
    if (b >= 0xe0) {
      this.pos += 1;
      this.intNegative = true;
      return <u64>(<i64>(<i8>b));
    }
    switch (b) {
      case 0xcc: this.pos += 1; return <u64>this.u8();
      case 0xcd: this.pos += 1; return <u64>this.be16();
      case 0xce: this.pos += 1; return <u64>this.be32();
      case 0xcf: this.pos += 1; return this.be64();
      case 0xd0: { this.pos += 1; const v = <i64>(<i8>this.u8()); this.intNegative = v < 0; return <u64>v; }
      case 0xd1: { this.pos += 1; const v = <i64>(<i16>this.be16()); this.intNegative = v < 0; return <u64>v; }
      case 0xd2: { this.pos += 1; const v = <i64>(<i32>this.be32()); this.intNegative = v < 0; return <u64>v; }
      case 0xd3: { this.pos += 1; const v = <i64>this.be64(); this.intNegative = v < 0; return <u64>v; }
    }
    this.wrongType(want);
    return 0;
  }

  /** An integer that fits an i64. */
  int64(): i64 {
    const save = this.pos;
    const v = this.anyInt("integer");
    if (!this.intNegative && v > <u64>i64.MAX_VALUE) {
      this.pos = save;
      this.fail("integer " + v.toString() + " out of range for i64");
      return 0;
    }
    return <i64>v;
  }

  /** A non-negative integer (any u64). */
  uint64(): u64 {
    const save = this.pos;
    const v = this.anyInt("integer");
    if (this.intNegative) {
      this.pos = save;
      this.fail("integer " + (<i64>v).toString() + " out of range for an unsigned type");
      return 0;
    }
    return v;
  }

  private signed(lo: i64, hi: i64, name: string): i64 {
    const save = this.pos;
    const v = this.int64();
    if (v < lo || v > hi) {
      this.pos = save;
      this.fail("integer " + v.toString() + " out of range for " + name);
      return 0;
    }
    return v;
  }
  private unsigned(hi: u64, name: string): u64 {
    const save = this.pos;
    const v = this.uint64();
    if (v > hi) {
      this.pos = save;
      this.fail("integer " + v.toString() + " out of range for " + name);
      return 0;
    }
    return v;
  }

  int8(): i8 { return <i8>this.signed(-128, 127, "i8"); }
  int16(): i16 { return <i16>this.signed(-32768, 32767, "i16"); }
  int32(): i32 { return <i32>this.signed(-2147483648, 2147483647, "i32"); }
  uint8(): u8 { return <u8>this.unsigned(0xff, "u8"); }
  uint16(): u16 { return <u16>this.unsigned(0xffff, "u16"); }
  uint32(): u32 { return <u32>this.unsigned(0xffff_ffff, "u32"); }

  /** A float 32; integers are accepted too (lenient, no information lost for small ones). */
  float32(): f32 {
    const b = this.peek();
    if (b == 0xca) {
      this.pos += 1;
      return reinterpret<f32>(this.be32());
    }
    if (kindOf(<u32>b) == Type.Int) {
      const v = this.anyInt("float 32");
      return this.intNegative ? <f32>(<i64>v) : <f32>v;
    }
    this.wrongType("float 32");
    return 0;
  }

  /** A float 64; a float 32 or an integer is accepted too (lenient). */
  float64(): f64 {
    const b = this.peek();
    if (b == 0xcb) {
      this.pos += 1;
      return reinterpret<f64>(this.be64());
    }
    if (b == 0xca) {
      this.pos += 1;
      return <f64>reinterpret<f32>(this.be32());
    }
    if (b >= 0 && kindOf(<u32>b) == Type.Int) {
      const v = this.anyInt("float 64");
      return this.intNegative ? <f64>(<i64>v) : <f64>v;
    }
    this.wrongType("float 64");
    return 0;
  }

  // --- strings and bytes ---

  /** A str header: the number of UTF-8 bytes that follow (checked to be present). */
  strHeader(): u32 {
    const b = this.peek();
    let n: u32 = 0;
    if (b >= 0xa0 && b <= 0xbf) {
      this.pos += 1;
      n = <u32>b & 0x1f;
    } else if (b == 0xd9) {
      this.pos += 1;
      n = this.u8();
    } else if (b == 0xda) {
      this.pos += 1;
      n = this.be16();
    } else if (b == 0xdb) {
      this.pos += 1;
      n = this.be32();
    } else {
      this.wrongType("str");
      return 0;
    }
    if (!this.need(<usize>n)) return 0;
    return n;
  }

  /** A str, as a string (the UTF-8 must be valid). */
  str(): string {
    const save = this.pos;
    const n = this.strHeader();
    if (this.failed) return "";
    const s = utf8Decode(this.pos, <usize>n, false);
    if (changetype<usize>(s) == 0) {
      this.pos = save;
      this.fail("invalid UTF-8 in str");
      return "";
    }
    this.pos += n;
    return changetype<string>(s);
  }

  /** A str, kept as its (validated) UTF-8 bytes. */
  utf8(): Utf8 {
    const save = this.pos;
    const n = this.strHeader();
    if (this.failed) return new Utf8();
    if (!utf8Valid(this.pos, <usize>n)) {
      this.pos = save;
      this.fail("invalid UTF-8 in str");
      return new Utf8();
    }
    const out = new Uint8Array(n);
    memory.copy(out.dataStart, this.pos, n);
    this.pos += n;
    return new Utf8(out);
  }

  /**
   * Whether the next value is a str equal to `name`; consumes it only then. Makes no string:
   * for matching struct field names (see the class comment).
   */
  keyIs(name: string): bool {
    const b = this.peek();
    if (b < 0 || kindOf(<u32>b) != Type.Str) return false;
    const save = this.pos;
    const n = this.strHeader();
    if (this.failed) return false;
    if (utf8Equals(this.pos, n, name)) {
      this.pos += n;
      return true;
    }
    this.pos = save;
    return false;
  }

  /** Skips a map entry: its key and its value (a struct field nobody asked for). */
  skipField(): void {
    this.skip();
    this.skip();
  }

  /** A bin header: the number of bytes that follow (checked to be present). */
  binHeader(): u32 {
    const b = this.peek();
    let n: u32 = 0;
    if (b == 0xc4) {
      this.pos += 1;
      n = this.u8();
    } else if (b == 0xc5) {
      this.pos += 1;
      n = this.be16();
    } else if (b == 0xc6) {
      this.pos += 1;
      n = this.be32();
    } else {
      this.wrongType("bin");
      return 0;
    }
    if (!this.need(<usize>n)) return 0;
    return n;
  }

  /** Bytes: a bin, or an array of integers 0-255 (ABI.md section 8). */
  bin(): Uint8Array {
    const b = this.peek();
    if (b == 0xc4 || b == 0xc5 || b == 0xc6) {
      const n = this.binHeader();
      if (this.failed) return new Uint8Array(0);
      const out = new Uint8Array(n);
      memory.copy(out.dataStart, this.pos, n);
      this.pos += n;
      return out;
    }
    if (b >= 0 && kindOf(<u32>b) == Type.Array) {
      const n = this.arrayHeader();
      const out = new Uint8Array(n); // n <= remaining bytes: checked by arrayHeader
      for (let i: u32 = 0; i < n; i++) unchecked((out[i] = this.uint8()));
      return !this.failed ? out : new Uint8Array(0);
    }
    this.wrongType("bin");
    return new Uint8Array(0);
  }

  // --- containers ---

  /** An array header: the number of elements (at most the bytes left, each needing one). */
  arrayHeader(): u32 {
    const b = this.peek();
    let n: u32 = 0;
    if (b >= 0x90 && b <= 0x9f) {
      this.pos += 1;
      n = <u32>b & 0x0f;
    } else if (b == 0xdc) {
      this.pos += 1;
      n = this.be16();
    } else if (b == 0xdd) {
      this.pos += 1;
      n = this.be32();
    } else {
      this.wrongType("array");
      return 0;
    }
    if (<usize>n > this.end - this.pos) {
      this.fail("array of " + n.toString() + " elements is longer than the input");
      return 0;
    }
    return n;
  }

  /** A map header: the number of entries (at most half the bytes left). */
  mapHeader(): u32 {
    const b = this.peek();
    let n: u32 = 0;
    if (b >= 0x80 && b <= 0x8f) {
      this.pos += 1;
      n = <u32>b & 0x0f;
    } else if (b == 0xde) {
      this.pos += 1;
      n = this.be16();
    } else if (b == 0xdf) {
      this.pos += 1;
      n = this.be32();
    } else {
      this.wrongType("map");
      return 0;
    }
    if (<u64>n * 2 > <u64>(this.end - this.pos)) {
      this.fail("map of " + n.toString() + " entries is longer than the input");
      return 0;
    }
    return n;
  }

  /** Enters one level of nesting; false (and an error) beyond MAX_DEPTH. */
  enter(): bool {
    if (this.depth >= MAX_DEPTH) {
      this.fail("nesting deeper than " + MAX_DEPTH.toString() + " levels");
      return false;
    }
    this.depth++;
    return true;
  }

  /** Leaves a level entered with `enter`. */
  leave(): void {
    this.depth--;
  }

  /**
   * An enum variant, externally tagged: a str (unit variant, `variantHasValue` false) or a
   * 1-entry map `name -> value` (`variantHasValue` true; read the value next).
   */
  variant(): string {
    const b = this.peek();
    if (b >= 0 && kindOf(<u32>b) == Type.Str) {
      this.variantHasValue = false;
      return this.str();
    }
    if (b >= 0 && kindOf(<u32>b) == Type.Map) {
      const n = this.mapHeader();
      if (this.failed) return "";
      if (n != 1) {
        this.fail("an enum variant is a map of 1 entry, found " + n.toString());
        return "";
      }
      this.variantHasValue = true;
      return this.str();
    }
    this.wrongType("enum variant (str or map of 1)");
    return "";
  }
  /** Whether the last `variant()` has a value to read. */
  variantHasValue: bool = false;

  /** Skips one value of any type, with its nested values. */
  skip(): void {
    const b = this.peek();
    if (b < 0) {
      this.fail("unexpected end of input");
      return;
    }
    switch (kindOf(<u32>b)) {
      case Type.Nil:
      case Type.Bool:
        this.pos += 1;
        return;
      case Type.Int:
        this.anyInt("integer");
        return;
      case Type.Float:
        this.pos += 1;
        if (!this.need(b == 0xca ? 4 : 8)) return;
        this.pos += b == 0xca ? 4 : 8;
        return;
      case Type.Str: {
        const n = this.strHeader();
        this.pos += n;
        return;
      }
      case Type.Bin: {
        const n = this.binHeader();
        this.pos += n;
        return;
      }
      case Type.Ext: {
        this.extHeader();
        this.pos += this.extLen;
        return;
      }
      case Type.Array: {
        const n = this.arrayHeader();
        if (!this.enter()) return;
        for (let i: u32 = 0; i < n && !this.failed; i++) this.skip();
        this.leave();
        return;
      }
      case Type.Map: {
        const n = this.mapHeader();
        if (!this.enter()) return;
        for (let i: u32 = 0; i < n && !this.failed; i++) {
          this.skip();
          this.skip();
        }
        this.leave();
        return;
      }
    }
    this.fail("invalid MessagePack tag 0x" + (<u32>b).toString(16));
  }

  /** The data length of the ext whose header `extHeader` read. */
  extLen: u32 = 0;

  /** An ext header: returns the ext type; `extLen` bytes of data follow (checked present). */
  extHeader(): i8 {
    const b = this.peek();
    let n: u32 = 0;
    this.pos += 1;
    switch (b) {
      case 0xd4: n = 1; break;
      case 0xd5: n = 2; break;
      case 0xd6: n = 4; break;
      case 0xd7: n = 8; break;
      case 0xd8: n = 16; break;
      case 0xc7: n = this.u8(); break;
      case 0xc8: n = this.be16(); break;
      case 0xc9: n = this.be32(); break;
      default:
        this.pos -= 1;
        this.wrongType("ext");
        this.extLen = 0;
        return 0;
    }
    const type = <i8>this.u8();
    if (!this.need(<usize>n)) {
      this.extLen = 0;
      return 0;
    }
    this.extLen = n;
    return type;
  }

  /** A dynamic value of any type (see `Value`). */
  value(): Value {
    const b = this.peek();
    if (b < 0) {
      this.fail("unexpected end of input");
      return Value.nil();
    }
    switch (kindOf(<u32>b)) {
      case Type.Nil:
        this.pos += 1;
        return Value.nil();
      case Type.Bool:
        return Value.bool(this.bool());
      case Type.Int: {
        const v = this.anyInt("integer");
        return this.intNegative ? Value.int(<i64>v) : Value.uint(v);
      }
      case Type.Float:
        return b == 0xca ? Value.float32(this.float32()) : Value.float64(this.float64());
      case Type.Str:
        return Value.str(this.str());
      case Type.Bin:
        return Value.bin(this.bin());
      case Type.Ext: {
        const type = this.extHeader();
        const data = new Uint8Array(this.extLen);
        memory.copy(data.dataStart, this.pos, this.extLen);
        this.pos += this.extLen;
        return Value.ext(type, data);
      }
      case Type.Array: {
        const n = this.arrayHeader();
        const out = Value.array();
        if (!this.enter()) return out;
        const items = out.items;
        for (let i: u32 = 0; i < n && !this.failed; i++) items.push(this.value());
        this.leave();
        return out;
      }
      case Type.Map: {
        const n = this.mapHeader();
        const out = Value.map();
        if (!this.enter()) return out;
        for (let i: u32 = 0; i < n && !this.failed; i++) {
          const k = this.value();
          const v = this.value();
          out.keys.push(k);
          out.items.push(v);
        }
        this.leave();
        return out;
      }
    }
    this.fail("invalid MessagePack tag 0x" + (<u32>b).toString(16));
    return Value.nil();
  }

  /** Any value whose type the SDK knows (see the README's type table). */
  read<T>(): T {
    if (isBoolean<T>()) return <T>this.bool();
    if (isInteger<T>()) {
      if (isSigned<T>()) {
        if (sizeof<T>() == 1) return <T>this.int8();
        if (sizeof<T>() == 2) return <T>this.int16();
        if (sizeof<T>() == 4) return <T>this.int32();
        return <T>this.int64();
      }
      if (sizeof<T>() == 1) return <T>this.uint8();
      if (sizeof<T>() == 2) return <T>this.uint16();
      if (sizeof<T>() == 4) return <T>this.uint32();
      return <T>this.uint64();
    }
    if (isFloat<T>()) {
      if (sizeof<T>() == 4) return <T>this.float32();
      return <T>this.float64();
    }
    if (isNullable<T>()) {
      if (this.tryNil()) return changetype<T>(0);
      return changetype<T>(this.read<nonnull<T>>());
    }
    if (isString<T>()) return changetype<T>(this.str());
    if (changetype<T>(0) instanceof Uint8Array) return changetype<T>(this.bin());
    if (changetype<T>(0) instanceof Utf8) return changetype<T>(this.utf8());
    if (changetype<T>(0) instanceof Value) return changetype<T>(this.value());
    if (changetype<T>(0) instanceof Unit) {
      this.nil();
      return changetype<T>(new Unit());
    }
    if (isArray<T>()) {
      const n = this.arrayHeader();
      const out = instantiate<T>();
      if (!this.enter()) return out;
      for (let i: u32 = 0; i < n && !this.failed; i++) {
        // @ts-ignore: T is an Array here
        out.push(this.read<valueof<T>>());
      }
      this.leave();
      return out;
    }
    if (changetype<T>(0) instanceof Map) {
      const n = this.mapHeader();
      const out = instantiate<T>();
      if (!this.enter()) return out;
      for (let i: u32 = 0; i < n && !this.failed; i++) {
        const k = this.read<indexof<T>>();
        const v = this.read<valueof<T>>();
        // @ts-ignore: T is a Map here
        out.set(k, v);
      }
      this.leave();
      return out;
    }
    // A class with its own decoder (Decodable): made with its no-argument constructor, then
    // filled by decode(r). One level of nesting, like the map or array it reads.
    const out = instantiate<T>();
    if (!this.enter()) return out;
    // @ts-ignore: T has a decode(r: Reader) method
    out.decode(this);
    this.leave();
    return out;
  }

}

/** The type family of a MessagePack tag byte. */
export function kindOf(b: u32): Type {
  if (b <= 0x7f || b >= 0xe0) return Type.Int;
  if (b <= 0x8f) return Type.Map;
  if (b <= 0x9f) return Type.Array;
  if (b <= 0xbf) return Type.Str;
  switch (b) {
    case 0xc0: return Type.Nil;
    case 0xc2:
    case 0xc3: return Type.Bool;
    case 0xc4:
    case 0xc5:
    case 0xc6: return Type.Bin;
    case 0xc7:
    case 0xc8:
    case 0xc9:
    case 0xd4:
    case 0xd5:
    case 0xd6:
    case 0xd7:
    case 0xd8: return Type.Ext;
    case 0xca:
    case 0xcb: return Type.Float;
    case 0xcc:
    case 0xcd:
    case 0xce:
    case 0xcf:
    case 0xd0:
    case 0xd1:
    case 0xd2:
    case 0xd3: return Type.Int;
    case 0xd9:
    case 0xda:
    case 0xdb: return Type.Str;
    case 0xdc:
    case 0xdd: return Type.Array;
    case 0xde:
    case 0xdf: return Type.Map;
  }
  return Type.Invalid; // 0xc1
}

function typeName(k: Type): string {
  switch (k) {
    case Type.Nil: return "nil";
    case Type.Bool: return "bool";
    case Type.Int: return "integer";
    case Type.Float: return "float";
    case Type.Str: return "str";
    case Type.Bin: return "bin";
    case Type.Array: return "array";
    case Type.Map: return "map";
    case Type.Ext: return "ext";
    case Type.End: return "end of input";
  }
  return "invalid tag";
}

/** Whether `n` bytes at `ptr` are the UTF-8 of `s`. */
function utf8Equals(ptr: usize, n: u32, s: string): bool {
  const len = <u32>s.length;
  const units = changetype<usize>(s);
  // Fast path for ASCII names: one byte per UTF-16 unit.
  if (len == n) {
    let i: u32 = 0;
    for (; i < len; i++) {
      const c = <u32>load<u16>(units + (<usize>i << 1));
      if (c >= 0x80) break;
      if (<u32>load<u8>(ptr + <usize>i) != c) return false;
    }
    if (i == len) return true;
  }
  if (n < len || n > len * 3) return false; // UTF-8 takes 1 to 3 bytes per UTF-16 unit
  const key = utf8Decode(ptr, <usize>n, false);
  return changetype<usize>(key) != 0 && key == s;
}
