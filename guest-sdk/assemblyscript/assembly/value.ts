// A dynamic MessagePack value: what a guest reads when it does not know the type in advance
// (Rust `serde_json::Value`-like, Go `any`). It keeps every distinction the wire makes (float 32
// versus float 64, str versus bin, map key types, ext types), so a value read and written back
// is the same bytes.

import { Writer } from "./writer";

/** The kind of a `Value`. */
export enum Kind {
  Nil,
  Bool,
  /** A negative integer (`int` holds it). */
  Int,
  /** A non-negative integer (`uint` holds it). */
  Uint,
  Float32,
  Float64,
  Str,
  Bin,
  Array,
  Map,
  Ext,
}

/** A dynamic value. Build one with the static constructors; read its fields by `kind`. */
export class Value {
  kind: Kind = Kind.Nil;
  /** Kind.Bool. */
  boolValue: bool = false;
  /** Kind.Int (negative) and Kind.Uint (as bits): the integer. */
  bits: u64 = 0;
  /** Kind.Float32 and Kind.Float64. */
  float: f64 = 0;
  /** Kind.Str. */
  text: string = "";
  /** Kind.Bin and Kind.Ext (the data). */
  bytes: Uint8Array | null = null;
  /** Kind.Ext: the ext type (-1 is a timestamp). */
  extType: i8 = 0;
  private _items: Array<Value> | null = null;
  private _keys: Array<Value> | null = null;

  /** Kind.Array: the elements; Kind.Map: the values, in order. */
  get items(): Array<Value> {
    let a = this._items;
    if (a === null) this._items = a = new Array<Value>();
    return a;
  }
  /** Kind.Map: the keys, in order (`keys[i]` goes with `items[i]`). */
  get keys(): Array<Value> {
    let a = this._keys;
    if (a === null) this._keys = a = new Array<Value>();
    return a;
  }

  static nil(): Value {
    return new Value();
  }
  static bool(b: bool): Value {
    const v = new Value();
    v.kind = Kind.Bool;
    v.boolValue = b;
    return v;
  }
  /** Any signed integer (non-negative ones become Kind.Uint). */
  static int(i: i64): Value {
    const v = new Value();
    v.kind = i < 0 ? Kind.Int : Kind.Uint;
    v.bits = <u64>i;
    return v;
  }
  static uint(u: u64): Value {
    const v = new Value();
    v.kind = Kind.Uint;
    v.bits = u;
    return v;
  }
  static float32(f: f32): Value {
    const v = new Value();
    v.kind = Kind.Float32;
    v.float = <f64>f;
    return v;
  }
  static float64(f: f64): Value {
    const v = new Value();
    v.kind = Kind.Float64;
    v.float = f;
    return v;
  }
  static str(s: string): Value {
    const v = new Value();
    v.kind = Kind.Str;
    v.text = s;
    return v;
  }
  static bin(b: Uint8Array): Value {
    const v = new Value();
    v.kind = Kind.Bin;
    v.bytes = b;
    return v;
  }
  static ext(type: i8, data: Uint8Array): Value {
    const v = new Value();
    v.kind = Kind.Ext;
    v.extType = type;
    v.bytes = data;
    return v;
  }
  /** An empty array; push elements onto `items`. */
  static array(): Value {
    const v = new Value();
    v.kind = Kind.Array;
    return v;
  }
  /** An empty map; add entries with `set`. */
  static map(): Value {
    const v = new Value();
    v.kind = Kind.Map;
    return v;
  }

  /** Appends a map entry (Kind.Map). */
  set(key: Value, value: Value): Value {
    this.keys.push(key);
    this.items.push(value);
    return this;
  }

  /** The value of the first entry whose key is the str `key` (Kind.Map), or null. */
  get(key: string): Value | null {
    if (this.kind != Kind.Map) return null;
    for (let i = 0; i < this.keys.length; i++) {
      const k = unchecked(this.keys[i]);
      if (k.kind == Kind.Str && k.text == key) return unchecked(this.items[i]);
    }
    return null;
  }

  /** Number of elements (Kind.Array) or entries (Kind.Map), else 0. */
  get length(): i32 {
    return this.kind == Kind.Array || this.kind == Kind.Map ? this.items.length : 0;
  }

  /** The integer as an i64 (Kind.Int, Kind.Uint; wraps above i64.MAX_VALUE). */
  get asI64(): i64 {
    return <i64>this.bits;
  }

  /** Writes the value (its original form: float widths, str or bin, entry order). */
  encode(w: Writer): void {
    switch (this.kind) {
      case Kind.Nil: w.nil(); return;
      case Kind.Bool: w.bool(this.boolValue); return;
      case Kind.Int: w.int(<i64>this.bits); return;
      case Kind.Uint: w.uint(this.bits); return;
      case Kind.Float32: w.float32(<f32>this.float); return;
      case Kind.Float64: w.float64(this.float); return;
      case Kind.Str: w.str(this.text); return;
      case Kind.Bin: {
        const b = this.bytes;
        if (b === null) w.byte(0x90);
        else w.bin(b);
        return;
      }
      case Kind.Ext: {
        const b = this.bytes;
        w.ext(this.extType, b === null ? new Uint8Array(0) : b);
        return;
      }
      case Kind.Array: {
        const n = this.items.length;
        w.arrayHeader(<u32>n);
        for (let i = 0; i < n; i++) unchecked(this.items[i]).encode(w);
        return;
      }
      case Kind.Map: {
        const n = this.items.length;
        w.mapHeader(<u32>n);
        for (let i = 0; i < n; i++) {
          unchecked(this.keys[i]).encode(w);
          unchecked(this.items[i]).encode(w);
        }
        return;
      }
    }
  }

  /** Nesting depth of arrays and maps: a scalar is 0, `[]` is 1, `[[1]]` is 2. */
  depth(): u32 {
    if (this.kind != Kind.Array && this.kind != Kind.Map) return 0;
    return max(deepest(this._items), deepest(this._keys)) + 1;
  }
}

function deepest(values: Array<Value> | null): u32 {
  let d: u32 = 0;
  if (values !== null) {
    for (let i = 0; i < values.length; i++) d = max(d, unchecked(values[i]).depth());
  }
  return d;
}

/** The unit type `()`: encoded as nil; a handler or host function that returns nothing. */
export class Unit {}
