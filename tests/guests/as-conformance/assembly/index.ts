// The AssemblyScript guest of the wabi conformance suite: the exports of tests/README.md, with the
// same semantics as the Rust and Go conformance guests.
//
// Build: guest-sdk/assemblyscript/build-conformance.sh OUT.wasm

import * as wabi from "../../../../guest-sdk/assemblyscript/assembly/index";
import {
  Person, Shape, AppError, Stats, Pair, Sum, PodPair, PodSum, Ints, Floats, EchoAll, HostCode,
  FetchInput,
} from "./types";

export * from "../../../../guest-sdk/assemblyscript/assembly/exports";

export function noop(ptr: u32, len: u32): u64 {
  return wabi.export0<void>(ptr, len, (): void => {});
}

export function echo_bool(ptr: u32, len: u32): u64 {
  return wabi.export1<bool, bool>(ptr, len, (b: bool): bool => b);
}

export function echo_ints(ptr: u32, len: u32): u64 {
  return wabi.export8<i8, i16, i32, i64, u8, u16, u32, u64, Ints>(ptr, len,
    (a: i8, b: i16, c: i32, d: i64, e: u8, f: u16, g: u32, h: u64): Ints =>
      new Ints(a, b, c, d, e, f, g, h));
}

export function echo_floats(ptr: u32, len: u32): u64 {
  return wabi.export2<f32, f64, Floats>(ptr, len, (a: f32, b: f64): Floats => new Floats(a, b));
}

export function echo_string(ptr: u32, len: u32): u64 {
  return wabi.export1<string, string>(ptr, len, (s: string): string => s);
}

export function echo_str(ptr: u32, len: u32): u64 {
  return wabi.export1<string, string>(ptr, len, (s: string): string => s);
}

export function echo_bytes(ptr: u32, len: u32): u64 {
  return wabi.export1<Uint8Array, Uint8Array>(ptr, len, (b: Uint8Array): Uint8Array => b);
}

export function echo_option(ptr: u32, len: u32): u64 {
  return wabi.export1<string | null, string | null>(ptr, len, (s: string | null): string | null => s);
}

export function echo_person(ptr: u32, len: u32): u64 {
  return wabi.export1<Person, Person>(ptr, len, (p: Person): Person => p);
}

export function echo_shape(ptr: u32, len: u32): u64 {
  return wabi.export1<Shape, Shape>(ptr, len, (s: Shape): Shape => s);
}

// A Rust BTreeMap<String, i64>: the SDK writes string-keyed maps with their keys sorted.
export function echo_map(ptr: u32, len: u32): u64 {
  return wabi.export1<Map<string, i64>, Map<string, i64>>(ptr, len,
    (m: Map<string, i64>): Map<string, i64> => m);
}

export function echo_hashmap(ptr: u32, len: u32): u64 {
  return wabi.export1<Map<string, Array<u32>>, Map<string, Array<u32>>>(ptr, len,
    (m: Map<string, Array<u32>>): Map<string, Array<u32>> => m);
}

export function echo_nested(ptr: u32, len: u32): u64 {
  return wabi.export1<Array<Array<Array<u32>>>, Array<Array<Array<u32>>>>(ptr, len,
    (v: Array<Array<Array<u32>>>): Array<Array<Array<u32>>> => v);
}

export function echo_any(ptr: u32, len: u32): u64 {
  return wabi.export1<wabi.Value, wabi.Value>(ptr, len, (v: wabi.Value): wabi.Value => v);
}

// The maximum nesting of arrays and maps (a scalar is 0, [] is 1).
export function depth(ptr: u32, len: u32): u64 {
  return wabi.export1<wabi.Value, u32>(ptr, len, (v: wabi.Value): u32 => v.depth());
}

export function concat3(ptr: u32, len: u32): u64 {
  return wabi.export3<string, string, string, string>(ptr, len,
    (a: string, b: string, c: string): string => a + b + c);
}

export function greet(ptr: u32, len: u32): u64 {
  return wabi.export2<Person, string, string>(ptr, len,
    (p: Person, greeting: string): string => greeting + ", " + p.name + " (" + p.age.toString() + ")");
}

export function fail(ptr: u32, len: u32): u64 {
  return wabi.export1<string, wabi.Result>(ptr, len, (s: string): wabi.Result =>
    wabi.failWith<AppError>("app error 42: " + s, new AppError(42, s)));
}

export function fail_plain(ptr: u32, len: u32): u64 {
  return wabi.export1<string, wabi.Result>(ptr, len, (s: string): wabi.Result => wabi.fail(s));
}

// throw is AssemblyScript's panic: abort(), routed to wabi.panic with message, file, line, column.
export function boom(ptr: u32, len: u32): u64 {
  return wabi.export1<string, void>(ptr, len, (s: string): void => {
    throw new Error(s);
  });
}

export function make_bytes(ptr: u32, len: u32): u64 {
  return wabi.export1<u32, Uint8Array>(ptr, len, (n: u32): Uint8Array => {
    const b = new Uint8Array(n);
    for (let i: u32 = 0; i < n; i++) unchecked((b[i] = <u8>(i % 251)));
    return b;
  });
}

function stats(ptr: usize, n: i32): Stats {
  let sum: u64 = 0;
  for (let i = 0; i < n; i++) sum += <u64>load<u8>(ptr + <usize>i);
  return new Stats(<u64>n, sum);
}

export function bytes_stats(ptr: u32, len: u32): u64 {
  return wabi.export1<Uint8Array, Stats>(ptr, len, (b: Uint8Array): Stats => stats(b.dataStart, b.length));
}

// wabi.Utf8 keeps the string as its (validated) UTF-8 bytes: no conversion to UTF-16 and back.
export function str_stats(ptr: u32, len: u32): u64 {
  return wabi.export1<wabi.Utf8, Stats>(ptr, len,
    (s: wabi.Utf8): Stats => stats(s.bytes.dataStart, s.bytes.length));
}

export function raw_reverse(ptr: u32, len: u32): u64 {
  return wabi.exportRaw<Uint8Array>(ptr, len, (input: Uint8Array): Uint8Array => {
    const n = input.length;
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) unchecked((out[n - 1 - i] = input[i]));
    return out;
  });
}

export function add_pair(ptr: u32, len: u32): u64 {
  return wabi.export1<Pair, Sum>(ptr, len, (p: Pair): Sum => new Sum(<i64>p.a + <i64>p.b));
}

export function pod_add(ptr: u32, len: u32): u64 {
  return wabi.exportPod<PodPair, PodSum>(ptr, len, (input: PodPair, output: PodSum): void => {
    output.sum = <i64>input.a + <i64>input.b;
  });
}

export function log_line(ptr: u32, len: u32): u64 {
  return wabi.export1<string, void>(ptr, len, (s: string): void => wabi.info(s));
}

let count: u64 = 0;

export function counter(ptr: u32, len: u32): u64 {
  return wabi.export0<u64>(ptr, len, (): u64 => ++count);
}

// Exported as "renamed.fn": an AssemblyScript export name is an identifier, so the build renames
// this export (guest-sdk/assemblyscript/tools/rename-exports.mjs renamed_fn=renamed.fn).
export function renamed_fn(ptr: u32, len: u32): u64 {
  return wabi.export0<string>(ptr, len, (): string => "renamed");
}

// Keeps the memory grow_memory allocated reachable.
const grown = new Array<ArrayBuffer>();

export function grow_memory(ptr: u32, len: u32): u64 {
  return wabi.export1<u32, u32>(ptr, len, (pages: u32): u32 => {
    if (pages > 0) grown.push(new ArrayBuffer(<i32>(pages * 65536)));
    return wabi.memoryPages();
  });
}

// --- Host functions (ABI 1.1): the test host registers add, echo_all, birthday, fail and
// descend, and gives the plugin configuration. ---

export function call_host_add(ptr: u32, len: u32): u64 {
  return wabi.export2<i64, i64, wabi.Result>(ptr, len, (a: i64, b: i64): wabi.Result => {
    const r = wabi.callHost2<i64, i64, i64>("add", a, b);
    return r.ok ? wabi.ok<i64>(r.value) : wabi.fail(r.error!.message);
  });
}

export function call_host_echo_all(ptr: u32, len: u32): u64 {
  return wabi.export5<Person, Shape, Map<string, i64>, Uint8Array, f32, wabi.Result>(ptr, len,
    (p: Person, s: Shape, m: Map<string, i64>, b: Uint8Array, f: f32): wabi.Result => {
      const r = wabi.callHost5<Person, Shape, Map<string, i64>, Uint8Array, f32, EchoAll>(
        "echo_all", p, s, m, b, f);
      return r.ok ? wabi.ok<EchoAll>(r.value) : wabi.fail(r.error!.message);
    });
}

export function call_host_birthday(ptr: u32, len: u32): u64 {
  return wabi.export1<Person, wabi.Result>(ptr, len, (p: Person): wabi.Result => {
    const r = wabi.callHost1<Person, Person>("birthday", p);
    return r.ok ? wabi.ok<Person>(r.value) : wabi.fail(r.error!.message);
  });
}

// "{message} (code {code})" from the error of the host's fail, or "unexpected success".
export function call_host_fail(ptr: u32, len: u32): u64 {
  return wabi.export1<string, string>(ptr, len, (s: string): string => {
    const r = wabi.callHost1<string, wabi.Unit>("fail", s);
    const e = r.error;
    if (e === null) return "unexpected success";
    if (e.value === null) return e.message + " (no value)";
    const code = e.valueAs<HostCode>();
    if (code === null) return e.message + " (undecodable value: " + e.decodeError! + ")";
    return e.message + " (code " + code.code.toString() + ")";
  });
}

// The message of the error a call of an unregistered host function gets.
export function call_host_missing(ptr: u32, len: u32): u64 {
  return wabi.export0<string>(ptr, len, (): string => {
    const r = wabi.callHost0<wabi.Unit>("no_such_host_fn");
    const e = r.error;
    return e === null ? "unexpected success" : e.message;
  });
}

// n through n nested calls: the host's descend(n) calls back into recurse(n - 1).
export function recurse(ptr: u32, len: u32): u64 {
  return wabi.export1<u32, wabi.Result>(ptr, len, (n: u32): wabi.Result => {
    if (n == 0) return wabi.ok<u32>(0);
    const r = wabi.callHost1<u32, u32>("descend", n);
    return r.ok ? wabi.ok<u32>(r.value) : wabi.fail(r.error!.message);
  });
}

export function config_get(ptr: u32, len: u32): u64 {
  return wabi.export1<string, string | null>(ptr, len, (key: string): string | null => wabi.config(key));
}

// The length in bytes of the configuration value big (0 when it is not set).
export function config_big(ptr: u32, len: u32): u64 {
  return wabi.export0<u32>(ptr, len, (): u32 => {
    const v = wabi.configBytes("big");
    return v === null ? 0 : <u32>v.length;
  });
}

// --- Outbound HTTP (ABI 1.3): the test host grants HTTP to its own test server. ---

// Makes the request described by the argument through the SDK's HTTP API. A response (any status)
// is {status, headers, body}; a failed request is an error whose message is the host's and whose
// value is {"kind": KIND}.
export function http_fetch(ptr: u32, len: u32): u64 {
  return wabi.export1<FetchInput, wabi.Result>(ptr, len, (f: FetchInput): wabi.Result => {
    const req = new wabi.HttpRequest(f.method, f.url);
    for (let i = 0; i < f.headers.length; i++) req.header(f.headers[i].name, f.headers[i].value);
    if (f.body.length > 0) req.body(f.body);
    const r = req.send();
    if (r.ok) return wabi.ok<wabi.HttpResponse>(r.response!);
    const e = r.error!;
    return wabi.failWith<wabi.HttpError>(e.message, e);
  });
}
