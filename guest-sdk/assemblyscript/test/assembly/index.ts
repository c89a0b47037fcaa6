// The SDK's test guest: one typed echo per Rust type of abi-spec/vectors/values.json, so that
// test/run.mjs can check that decoding each golden encoding into its AssemblyScript type and
// encoding it back gives the same bytes; plus a few probes of the SDK's edges.

import * as wabi from "../../assembly/index";
import { Person, Shape } from "../../../../tests/guests/as-conformance/assembly/types";

export * from "../../assembly/exports";

export function t_unit(ptr: u32, len: u32): u64 {
  return wabi.export1<wabi.Unit, wabi.Unit>(ptr, len, (v: wabi.Unit): wabi.Unit => v);
}
export function t_bool(ptr: u32, len: u32): u64 {
  return wabi.export1<bool, bool>(ptr, len, (v: bool): bool => v);
}
export function t_u8(ptr: u32, len: u32): u64 {
  return wabi.export1<u8, u8>(ptr, len, (v: u8): u8 => v);
}
export function t_u16(ptr: u32, len: u32): u64 {
  return wabi.export1<u16, u16>(ptr, len, (v: u16): u16 => v);
}
export function t_u32(ptr: u32, len: u32): u64 {
  return wabi.export1<u32, u32>(ptr, len, (v: u32): u32 => v);
}
export function t_u64(ptr: u32, len: u32): u64 {
  return wabi.export1<u64, u64>(ptr, len, (v: u64): u64 => v);
}
export function t_i8(ptr: u32, len: u32): u64 {
  return wabi.export1<i8, i8>(ptr, len, (v: i8): i8 => v);
}
export function t_i16(ptr: u32, len: u32): u64 {
  return wabi.export1<i16, i16>(ptr, len, (v: i16): i16 => v);
}
export function t_i32(ptr: u32, len: u32): u64 {
  return wabi.export1<i32, i32>(ptr, len, (v: i32): i32 => v);
}
export function t_i64(ptr: u32, len: u32): u64 {
  return wabi.export1<i64, i64>(ptr, len, (v: i64): i64 => v);
}
export function t_f32(ptr: u32, len: u32): u64 {
  return wabi.export1<f32, f32>(ptr, len, (v: f32): f32 => v);
}
export function t_f64(ptr: u32, len: u32): u64 {
  return wabi.export1<f64, f64>(ptr, len, (v: f64): f64 => v);
}
export function t_string(ptr: u32, len: u32): u64 {
  return wabi.export1<string, string>(ptr, len, (v: string): string => v);
}
export function t_utf8(ptr: u32, len: u32): u64 {
  return wabi.export1<wabi.Utf8, wabi.Utf8>(ptr, len, (v: wabi.Utf8): wabi.Utf8 => v);
}
export function t_bytes(ptr: u32, len: u32): u64 {
  return wabi.export1<Uint8Array, Uint8Array>(ptr, len, (v: Uint8Array): Uint8Array => v);
}
export function t_option(ptr: u32, len: u32): u64 {
  return wabi.export1<string | null, string | null>(ptr, len, (v: string | null): string | null => v);
}
export function t_vec_u32(ptr: u32, len: u32): u64 {
  return wabi.export1<Array<u32>, Array<u32>>(ptr, len, (v: Array<u32>): Array<u32> => v);
}
export function t_vec_u16(ptr: u32, len: u32): u64 {
  return wabi.export1<Array<u16>, Array<u16>>(ptr, len, (v: Array<u16>): Array<u16> => v);
}
export function t_nested(ptr: u32, len: u32): u64 {
  return wabi.export1<Array<Array<Array<u32>>>, Array<Array<Array<u32>>>>(ptr, len,
    (v: Array<Array<Array<u32>>>): Array<Array<Array<u32>>> => v);
}
export function t_map(ptr: u32, len: u32): u64 {
  return wabi.export1<Map<string, i64>, Map<string, i64>>(ptr, len, (v: Map<string, i64>): Map<string, i64> => v);
}
export function t_map_u8(ptr: u32, len: u32): u64 {
  return wabi.export1<Map<string, u8>, Map<string, u8>>(ptr, len, (v: Map<string, u8>): Map<string, u8> => v);
}
export function t_person(ptr: u32, len: u32): u64 {
  return wabi.export1<Person, Person>(ptr, len, (v: Person): Person => v);
}
export function t_shape(ptr: u32, len: u32): u64 {
  return wabi.export1<Shape, Shape>(ptr, len, (v: Shape): Shape => v);
}

/** The tuple (i8, u16, String): an array of 3. */
class Tuple {
  a: i8 = 0;
  b: u16 = 0;
  c: string = "";
  encode(w: wabi.Writer): void {
    w.arrayHeader(3).int(this.a).uint(this.b).str(this.c);
  }
  decode(r: wabi.Reader): void {
    if (r.arrayHeader() != 3) {
      r.fail("expected a tuple of 3");
      return;
    }
    this.a = r.int8();
    this.b = r.uint16();
    this.c = r.str();
  }
}
export function t_tuple(ptr: u32, len: u32): u64 {
  return wabi.export1<Tuple, Tuple>(ptr, len, (v: Tuple): Tuple => v);
}

/** Request { method, path, headers: BTreeMap<String, String>, body: Vec<u8> }. */
class Request {
  method: string = "";
  path: string = "";
  headers: Map<string, string> = new Map<string, string>();
  body: Uint8Array = new Uint8Array(0);
  encode(w: wabi.Writer): void {
    w.mapHeader(4).field("method", this.method).field("path", this.path)
      .field("headers", this.headers).field("body", this.body);
  }
  decode(r: wabi.Reader): void {
    const n = r.mapHeader();
    for (let i: u32 = 0; i < n && r.ok; i++) {
      if (r.keyIs("method")) this.method = r.str();
      else if (r.keyIs("path")) this.path = r.str();
      else if (r.keyIs("headers")) this.headers = r.read<Map<string, string>>();
      else if (r.keyIs("body")) this.body = r.bin();
      else r.skipField();
    }
  }
}
export function t_request(ptr: u32, len: u32): u64 {
  return wabi.export1<Request, Request>(ptr, len, (v: Request): Request => v);
}

// Argument lists: each echoes its arguments as one array (the same bytes as its input).
export function args_0(ptr: u32, len: u32): u64 {
  return wabi.export0<void>(ptr, len, (): void => {});
}
export function args_1(ptr: u32, len: u32): u64 {
  return wabi.export1<string, string>(ptr, len, (s: string): string => s);
}
class Args3 {
  constructor(public a: u8, public b: string, public c: bool) {}
  encode(w: wabi.Writer): void {
    w.arrayHeader(3).uint(this.a).str(this.b).bool(this.c);
  }
}
export function args_3(ptr: u32, len: u32): u64 {
  return wabi.export3<u8, string, bool, Args3>(ptr, len, (a: u8, b: string, c: bool): Args3 => new Args3(a, b, c));
}

// --- Edges ---

/** A string with a lone surrogate: encoded as U+FFFD (ef bf bd), never as invalid UTF-8. */
export function lone_surrogate(ptr: u32, len: u32): u64 {
  return wabi.export0<string>(ptr, len, (): string => "a" + String.fromCharCode(0xd800) + "b");
}

/** Strings sorted by code point, not by UTF-16 unit: U+FF61 sorts before U+1F980. */
export function sorted_keys(ptr: u32, len: u32): u64 {
  return wabi.export0<Map<string, u8>>(ptr, len, (): Map<string, u8> => {
    const m = new Map<string, u8>();
    m.set("\u{1F980}", 3);
    m.set("\uFF61", 2);
    m.set("b", 1);
    m.set("a", 0);
    return m;
  });
}

/** An encoder that fails: BadResult. */
class Unencodable {
  encode(w: wabi.Writer): void {
    w.fail("this value cannot be encoded");
  }
}
export function bad_result(ptr: u32, len: u32): u64 {
  return wabi.export0<Unencodable>(ptr, len, (): Unencodable => new Unencodable());
}

/** A failed assertion: a panic with the assertion's message and location. */
export function assert_fail(ptr: u32, len: u32): u64 {
  return wabi.export0<void>(ptr, len, (): void => {
    assert(false, "assertion message");
  });
}

/** An index out of bounds: the runtime's own abort, a panic. */
export function out_of_bounds(ptr: u32, len: u32): u64 {
  return wabi.export1<Array<u32>, u32>(ptr, len, (v: Array<u32>): u32 => v[v.length]);
}

/** Logs at every level. */
export function log_levels(ptr: u32, len: u32): u64 {
  return wabi.export0<void>(ptr, len, (): void => {
    wabi.trace("t");
    wabi.debug("d");
    wabi.info("i");
    wabi.warn("w");
    wabi.error("e");
  });
}

/** A raw function that fails. */
export function raw_fail(ptr: u32, len: u32): u64 {
  return wabi.exportRaw<wabi.Result>(ptr, len, (input: Uint8Array): wabi.Result =>
    input.length == 0 ? wabi.fail("empty") : wabi.okBytes(input));
}

/** A host call whose answer the guest decodes into a wrong type. */
export function host_wrong_type(ptr: u32, len: u32): u64 {
  return wabi.export0<string>(ptr, len, (): string => {
    const r = wabi.callHost1<string, u32>("echo", "not a number");
    const e = r.error;
    return e === null ? "unexpected success" : e.kind.toString() + ": " + e.message;
  });
}

/** Calls host function `name` with the raw MessagePack value given and returns what it answered. */
export function host_echo(ptr: u32, len: u32): u64 {
  return wabi.export1<wabi.Value, wabi.Result>(ptr, len, (v: wabi.Value): wabi.Result => {
    const r = wabi.callHost1<wabi.Value, wabi.Value>("echo", v);
    const e = r.error;
    if (e === null) return wabi.ok<wabi.Value>(r.value);
    return wabi.fail(e.kind.toString() + ": " + e.message);
  });
}

/**
 * Managed objects held across a host call survive a full collection made by the nested call
 * (the incremental runtime's shadow stack keeps the outer frame's references).
 */
export function gc_nested(ptr: u32, len: u32): u64 {
  return wabi.export1<u32, wabi.Result>(ptr, len, (n: u32): wabi.Result => {
    const mine = new Array<string>();
    for (let i = 0; i < 100; i++) mine.push("s" + i.toString() + "-" + n.toString());
    let junk = 0;
    for (let i = 0; i < 5000; i++) junk += new Array<u32>(16).length;
    if (n > 0) {
      const r = wabi.callHost1<u32, u32>("gc_descend", n);
      if (!r.ok) return wabi.fail(r.error!.message);
      if (r.value != n - 1) return wabi.fail("wrong nested result");
    } else {
      __collect();
    }
    for (let i = 0; i < 100; i++) {
      if (mine[i] != "s" + i.toString() + "-" + n.toString()) return wabi.fail("corrupted after a nested call");
    }
    return wabi.ok<u32>(n + <u32>(junk & 0)); // junk keeps the garbage loop from being optimised out
  });
}

// --- Outbound HTTP (ABI 1.3) ---

/** The request of vector request_get, built with the API. */
export function http_build_get(ptr: u32, len: u32): u64 {
  return wabi.export0<wabi.HttpRequest>(ptr, len, (): wabi.HttpRequest =>
    new wabi.HttpRequest("GET", "http://127.0.0.1:8080/users/7"));
}

/** The request of vector request_post: a repeated header, a text body. */
export function http_build_post(ptr: u32, len: u32): u64 {
  return wabi.export0<wabi.HttpRequest>(ptr, len, (): wabi.HttpRequest =>
    new wabi.HttpRequest("POST", "https://api.example.com/v1/check")
      .header("content-type", "application/json")
      .header("x-tag", "a")
      .header("x-tag", "b")
      .text("{\"id\":7}"));
}

/** The same request with its body given as bytes. */
export function http_build_post_bytes(ptr: u32, len: u32): u64 {
  return wabi.export0<wabi.HttpRequest>(ptr, len, (): wabi.HttpRequest => {
    const body = new Uint8Array(8);
    const s = "{\"id\":7}";
    for (let i = 0; i < 8; i++) body[i] = <u8>s.charCodeAt(i);
    return new wabi.HttpRequest("POST", "https://api.example.com/v1/check")
      .header("content-type", "application/json").header("x-tag", "a").header("x-tag", "b")
      .body(body);
  });
}

export function t_http_request(ptr: u32, len: u32): u64 {
  return wabi.export1<wabi.HttpRequest, wabi.HttpRequest>(ptr, len, (v: wabi.HttpRequest): wabi.HttpRequest => v);
}
export function t_http_response(ptr: u32, len: u32): u64 {
  return wabi.export1<wabi.HttpResponse, wabi.HttpResponse>(ptr, len, (v: wabi.HttpResponse): wabi.HttpResponse => v);
}
export function t_http_error(ptr: u32, len: u32): u64 {
  return wabi.export1<wabi.HttpError, wabi.HttpError>(ptr, len, (v: wabi.HttpError): wabi.HttpError => v);
}

/**
 * Sends the request given (decoded as an HttpRequest) and describes the outcome in one line:
 * `ok STATUS|content-type|x-multi values|missing header|text` or `error KIND|CODE|known|message`.
 */
export function http_probe(ptr: u32, len: u32): u64 {
  return wabi.export1<wabi.HttpRequest, string>(ptr, len, (req: wabi.HttpRequest): string => {
    const r = req.send();
    if (r.ok) {
      const resp = r.response!;
      const ct = resp.header("Content-Type");
      const missing = resp.header("x-not-there");
      return "ok " + resp.status.toString() + "|" + (ct === null ? "(none)" : ct) + "|" +
        resp.headerValues("X-MULTI").join(",") + "|" + (missing === null ? "null" : missing) + "|" +
        resp.text();
    }
    const e = r.error!;
    return "error " + e.kind + "|" + wabi.httpErrorKindName(e.code) + "|" +
      (e.isKnownKind ? "known" : "unknown") + "|" + e.message;
  });
}
