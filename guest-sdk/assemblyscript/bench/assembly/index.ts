// The benchmark workloads (benches/src/common/types.rs) as an AssemblyScript wabi guest: the same
// exports as benches/guests/bench-wabi.
//
// Build: guest-sdk/assemblyscript/bench/build.sh OUT.wasm

import * as wabi from "../../assembly/index";
export * from "../../assembly/exports";

/** W1 input: AddIn { a: i32, b: i32 }. */
class AddIn {
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

/** W1 output: AddOut { sum: i32 }. */
class AddOut {
  constructor(public sum: i32) {}

  encode(w: wabi.Writer): void {
    w.mapHeader(1).field("sum", this.sum);
  }
}

/** A header: the Rust tuple (String, String), an array of 2. */
class Header {
  constructor(public name: string = "", public value: string = "") {}

  encode(w: wabi.Writer): void {
    w.arrayHeader(2).str(this.name).str(this.value);
  }

  decode(r: wabi.Reader): void {
    if (r.arrayHeader() != 2) {
      r.fail("a header is a pair (name, value)");
      return;
    }
    this.name = r.str();
    this.value = r.str();
  }
}

/** W3: Request { method: String, path: String, headers: Vec<(String, String)>, body: bytes }. */
class Request {
  method: string = "";
  path: string = "";
  headers: Array<Header> = [];
  body: Uint8Array = new Uint8Array(0);

  encode(w: wabi.Writer): void {
    w.mapHeader(4)
      .field("method", this.method)
      .field("path", this.path)
      .field("headers", this.headers)
      .field("body", this.body);
  }

  decode(r: wabi.Reader): void {
    const n = r.mapHeader();
    for (let i: u32 = 0; i < n && r.ok; i++) {
      if (r.keyIs("method")) this.method = r.str();
      else if (r.keyIs("path")) this.path = r.str();
      else if (r.keyIs("headers")) this.headers = r.read<Array<Header>>();
      else if (r.keyIs("body")) this.body = r.bin();
      else r.skipField();
    }
  }
}

/** W4 output: BulkOut { len: u64, checksum: u64 }. */
class BulkOut {
  constructor(public len: u64, public checksum: u64) {}

  encode(w: wabi.Writer): void {
    w.mapHeader(2).field("len", this.len).field("checksum", this.checksum);
  }
}

/** Rust's make_ascii_uppercase: a-z become A-Z, everything else stays. */
function asciiUpper(s: string): string {
  let i = 0;
  const n = s.length;
  while (i < n && !(s.charCodeAt(i) >= 0x61 && s.charCodeAt(i) <= 0x7a)) i++;
  if (i == n) return s;
  const out = changetype<string>(__new(<usize>n << 1, idof<string>()));
  memory.copy(changetype<usize>(out), changetype<usize>(s), <usize>n << 1);
  for (; i < n; i++) {
    const c = load<u16>(changetype<usize>(out) + (<usize>i << 1));
    if (c >= 0x61 && c <= 0x7a) store<u16>(changetype<usize>(out) + (<usize>i << 1), c - 32);
  }
  return out;
}

function checksum(ptr: usize, n: i32): u64 {
  let sum: u64 = 0;
  for (let i = 0; i < n; i++) sum += <u64>load<u8>(ptr + <usize>i);
  return sum;
}

/** noop: no arguments, no result. */
export function noop(ptr: u32, len: u32): u64 {
  return wabi.export0<void>(ptr, len, (): void => {});
}

/** W1: a struct in, a struct out. */
export function add(ptr: u32, len: u32): u64 {
  return wabi.export1<AddIn, AddOut>(ptr, len, (p: AddIn): AddOut => new AddOut(p.a + p.b));
}

/** W2: a string in, the same string out (kept as UTF-8: no conversion to UTF-16 and back). */
export function echo(ptr: u32, len: u32): u64 {
  return wabi.export1<wabi.Utf8, wabi.Utf8>(ptr, len, (s: wabi.Utf8): wabi.Utf8 => s);
}

/** W3: the request with one header added and the path upper-cased. */
export function gateway(ptr: u32, len: u32): u64 {
  return wabi.export1<Request, Request>(ptr, len, (req: Request): Request => {
    req.path = asciiUpper(req.path);
    req.headers.push(new Header("x-plugin", "wabi-bench"));
    return req;
  });
}

/** W4: 1 MiB in, its length and checksum out. */
export function bulk(ptr: u32, len: u32): u64 {
  return wabi.export1<Uint8Array, BulkOut>(ptr, len,
    (b: Uint8Array): BulkOut => new BulkOut(<u64>b.length, checksum(b.dataStart, b.length)));
}

/** W1 as a Pod function: struct { a: i32, b: i32 } in, i32 out. */
// @ts-ignore: decorator
@unmanaged
class PodPair {
  a: i32;
  b: i32;
}
// @ts-ignore: decorator
@unmanaged
class PodI32 {
  value: i32;
}

export function add_pod(ptr: u32, len: u32): u64 {
  return wabi.exportPod<PodPair, PodI32>(ptr, len, (p: PodPair, out: PodI32): void => {
    out.value = p.a + p.b;
  });
}

/** W4 as a raw function: the bytes in, 16 bytes (len, checksum, little-endian) out. */
export function bulk_raw(ptr: u32, len: u32): u64 {
  return wabi.exportRaw<Uint8Array>(ptr, len, (data: Uint8Array): Uint8Array => {
    const out = new Uint8Array(16);
    store<u64>(out.dataStart, <u64>data.length);
    store<u64>(out.dataStart, checksum(data.dataStart, data.length), 8);
    return out;
  });
}
