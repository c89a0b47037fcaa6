// The conformance suite's types (tests/src/cases.rs), with their MessagePack codecs.

import * as wabi from "../../../../guest-sdk/assemblyscript/assembly/index";

/** Person { name: String, age: u32, email: Option<String>, tags: Vec<String> }. */
export class Person implements wabi.Encodable, wabi.Decodable {
  name: string = "";
  age: u32 = 0;
  email: string | null = null;
  tags: Array<string> = [];

  /** A map keyed by field name, fields in declaration order. */
  encode(w: wabi.Writer): void {
    w.mapHeader(4)
      .field("name", this.name)
      .field("age", this.age)
      .field<string | null>("email", this.email)
      .field("tags", this.tags);
  }

  /** Fields by name; unknown ones are skipped, a missing email stays null. */
  decode(r: wabi.Reader): void {
    const n = r.mapHeader();
    for (let i: u32 = 0; i < n && r.ok; i++) {
      if (r.keyIs("name")) this.name = r.str();
      else if (r.keyIs("age")) this.age = r.uint32();
      else if (r.keyIs("email")) this.email = r.read<string | null>();
      else if (r.keyIs("tags")) this.tags = r.read<Array<string>>();
      else r.skipField();
    }
  }
}

/**
 * enum Shape { Unit, Circle(f64), Rect { w: f64, h: f64 }, Pair(i32, i32) }, as one class:
 * `kind` names the variant and the other variants' fields stay zero.
 */
export class Shape implements wabi.Encodable, wabi.Decodable {
  kind: string = "Unit";
  radius: f64 = 0;
  w: f64 = 0;
  h: f64 = 0;
  a: i32 = 0;
  b: i32 = 0;

  /** Externally tagged, as serde writes it. */
  encode(w: wabi.Writer): void {
    const k = this.kind;
    if (k == "Unit") w.unitVariant("Unit");
    else if (k == "Circle") w.variant("Circle").float64(this.radius);
    else if (k == "Rect") w.variant("Rect").mapHeader(2).field("w", this.w).field("h", this.h);
    else if (k == "Pair") w.variant("Pair").arrayHeader(2).int(this.a).int(this.b);
    else w.fail("unknown Shape variant " + k);
  }

  decode(r: wabi.Reader): void {
    const name = r.variant();
    if (!r.ok) return;
    const hasValue = r.variantHasValue;
    this.kind = name;
    if (name == "Unit" && !hasValue) return;
    if (name == "Circle" && hasValue) {
      this.radius = r.float64();
      return;
    }
    if (name == "Rect" && hasValue) {
      const n = r.mapHeader();
      for (let i: u32 = 0; i < n && r.ok; i++) {
        if (r.keyIs("w")) this.w = r.float64();
        else if (r.keyIs("h")) this.h = r.float64();
        else r.skipField();
      }
      return;
    }
    if (name == "Pair" && hasValue) {
      if (r.arrayHeader() != 2) {
        r.fail("Pair has 2 fields");
        return;
      }
      this.a = r.int32();
      this.b = r.int32();
      return;
    }
    r.fail("unknown Shape variant " + name);
  }
}

/** The error value of fail: {code: u32, reason: String}. */
export class AppError implements wabi.Encodable {
  constructor(public code: u32, public reason: string) {}

  encode(w: wabi.Writer): void {
    w.mapHeader(2).field("code", this.code).field("reason", this.reason);
  }
}

/** Stats { len: u64, checksum: u64 }. */
export class Stats implements wabi.Encodable {
  constructor(public len: u64, public checksum: u64) {}

  encode(w: wabi.Writer): void {
    w.mapHeader(2).field("len", this.len).field("checksum", this.checksum);
  }
}

/** Pair { a: i32, b: i32 } as a MessagePack struct (add_pair). */
export class Pair implements wabi.Decodable {
  a: i32 = 0;
  b: i32 = 0;

  decode(r: wabi.Reader): void {
    const n = r.mapHeader();
    for (let i: u32 = 0; i < n && r.ok; i++) {
      if (r.keyIs("a")) this.a = r.int32();
      else if (r.keyIs("b")) this.b = r.int32();
      else r.skipField();
    }
  }
}

/** Sum { sum: i64 } as a MessagePack struct. */
export class Sum implements wabi.Encodable {
  constructor(public sum: i64) {}

  encode(w: wabi.Writer): void {
    w.mapHeader(1).field("sum", this.sum);
  }
}

/** The Pod struct { a: i32, b: i32 } (8 bytes, little-endian). */
// @ts-ignore: decorator
@unmanaged
export class PodPair {
  a: i32;
  b: i32;
}

/** The Pod struct { sum: i64 } (8 bytes). */
// @ts-ignore: decorator
@unmanaged
export class PodSum {
  sum: i64;
}

/** The 8 integers of echo_ints, as an array. */
export class Ints implements wabi.Encodable {
  constructor(
    public a: i8, public b: i16, public c: i32, public d: i64,
    public e: u8, public f: u16, public g: u32, public h: u64,
  ) {}

  encode(w: wabi.Writer): void {
    w.arrayHeader(8)
      .int(this.a).int(this.b).int(this.c).int(this.d)
      .uint(this.e).uint(this.f).uint(this.g).uint(this.h);
  }
}

/** [f32, f64]: the f32 stays a float 32. */
export class Floats implements wabi.Encodable {
  constructor(public a: f32, public b: f64) {}

  encode(w: wabi.Writer): void {
    w.arrayHeader(2).float32(this.a).float64(this.b);
  }
}

/** The tuple (Person, Shape, BTreeMap<String, i64>, Vec<u8>, f32) of echo_all: an array of 5. */
export class EchoAll implements wabi.Encodable, wabi.Decodable {
  p: Person = new Person();
  s: Shape = new Shape();
  m: Map<string, i64> = new Map<string, i64>();
  b: Uint8Array = new Uint8Array(0);
  f: f32 = 0;

  encode(w: wabi.Writer): void {
    w.arrayHeader(5).write(this.p).write(this.s).write(this.m).write(this.b).float32(this.f);
  }

  decode(r: wabi.Reader): void {
    const n = r.arrayHeader();
    if (r.ok && n != 5) {
      r.fail("expected a tuple of 5, got " + n.toString());
      return;
    }
    this.p = r.read<Person>();
    this.s = r.read<Shape>();
    this.m = r.read<Map<string, i64>>();
    this.b = r.bin();
    this.f = r.float32();
  }
}

/** The value of the host's fail error: {code: u32}. */
export class HostCode implements wabi.Decodable {
  code: u32 = 0;

  decode(r: wabi.Reader): void {
    const n = r.mapHeader();
    for (let i: u32 = 0; i < n && r.ok; i++) {
      if (r.keyIs("code")) this.code = r.uint32();
      else r.skipField();
    }
  }
}

/** The argument of http_fetch: {method, url, headers: [[name, value]...], body: bin}. */
export class FetchInput implements wabi.Decodable {
  method: string = "";
  url: string = "";
  headers: Array<wabi.HttpHeader> = [];
  body: Uint8Array = new Uint8Array(0);

  /** Fields by name; the host may send empty headers and body as `90`. */
  decode(r: wabi.Reader): void {
    const n = r.mapHeader();
    for (let i: u32 = 0; i < n && r.ok; i++) {
      if (r.keyIs("method")) this.method = r.str();
      else if (r.keyIs("url")) this.url = r.str();
      else if (r.keyIs("headers")) this.headers = r.read<Array<wabi.HttpHeader>>();
      else if (r.keyIs("body")) this.body = r.bin();
      else r.skipField();
    }
  }
}
