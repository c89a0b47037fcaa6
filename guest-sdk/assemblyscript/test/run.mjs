#!/usr/bin/env node
// Tests of the AssemblyScript SDK that the conformance suite does not make: the golden vectors of
// abi-spec/vectors byte for byte, the edges of the reader (bounds, depth, UTF-8), the panic
// record, the allocator, and a host that answers badly. Runs the test guest (test/assembly) and
// the conformance guest under Node's WebAssembly with a host written here.
//
//   npm test            (builds both guests into test/build/, then runs)

import { execFileSync } from "node:child_process";
import { readFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const sdk = join(here, "..");
const root = join(sdk, "..", "..");
const build = join(here, "build");
mkdirSync(build, { recursive: true });

const asc = join(sdk, "node_modules", ".bin", "asc");
execFileSync(asc, [join("guest-sdk", "assemblyscript", "test", "assembly", "index.ts"),
  "--runtime", "incremental", "--use", "abort=__wabi_abort", "-O3", "-o", join(build, "test.wasm")],
{ cwd: root, stdio: "inherit" });
execFileSync(join(sdk, "build-conformance.sh"), [join(build, "conformance.wasm")], { stdio: "inherit" });
execFileSync(join(sdk, "bench", "build.sh"), [join(build, "bench.wasm")], { stdio: "inherit" });
for (const ex of ["minimal", "greet"]) {
  execFileSync(asc, [join("examples", ex, "assembly", "index.ts"), "--runtime", "incremental",
    "--use", "abort=__wabi_abort", "-O3", "-o", join(build, `${ex}.wasm`)], { cwd: sdk, stdio: "inherit" });
}

const testModule = new WebAssembly.Module(readFileSync(join(build, "test.wasm")));
const confModule = new WebAssembly.Module(readFileSync(join(build, "conformance.wasm")));
const benchModule = new WebAssembly.Module(readFileSync(join(build, "bench.wasm")));
const minimalModule = new WebAssembly.Module(readFileSync(join(build, "minimal.wasm")));
const greetModule = new WebAssembly.Module(readFileSync(join(build, "greet.wasm")));

// --- A host ---

class Panic extends Error {
  constructor(record) {
    super(`guest panic: ${record.message}`);
    this.record = record;
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
const enc = new TextEncoder();

function envelope(status, body) {
  const out = new Uint8Array(8 + body.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, status, true);
  dv.setUint32(4, body.length, true);
  out.set(body, 8);
  return out;
}

function instantiate(module, hostFns = {}, config = {}, http = null) {
  const h = { logs: [], configCalls: 0, hostFns, config, http, httpRequest: null };
  const mem = () => new Uint8Array(h.exports.memory.buffer);
  const imports = {
    wabi: {
      panic(ptr, len) {
        const b = mem().slice(ptr, ptr + len);
        const dv = new DataView(b.buffer);
        const ml = dv.getUint32(0, true), fl = dv.getUint32(4, true);
        if (16 + ml + fl !== len) throw new Error("malformed panic record");
        throw new Panic({
          message: utf8.decode(b.subarray(16, 16 + ml)),
          file: utf8.decode(b.subarray(16 + ml, 16 + ml + fl)),
          line: dv.getUint32(8, true),
          column: dv.getUint32(12, true),
        });
      },
      log(level, ptr, len) {
        h.logs.push([level, utf8.decode(mem().slice(ptr, ptr + len))]);
      },
      host_call(np, nl, ap, al) {
        const name = utf8.decode(mem().slice(np, np + nl));
        const args = mem().slice(ap, ap + al);
        const fn = h.hostFns[name];
        let env;
        let packed;
        if (!fn) {
          const msg = enc.encode(`no host function named ${name}`);
          const body = new Uint8Array(8 + msg.length);
          new DataView(body.buffer).setUint32(0, msg.length, true);
          body.set(msg, 8);
          env = envelope(1, body);
        } else {
          const r = fn(args, h);
          if (r.packed !== undefined) packed = r.packed; else env = r;
        }
        if (packed === undefined) {
          const p = h.exports.wabi_alloc(env.length, 8) >>> 0;
          if (p === 0) throw new Error("wabi_alloc failed");
          mem().set(env, p);
          packed = (BigInt(p) << 32n) | BigInt(env.length);
        }
        return packed;
      },
      http_request(rp, rl) {
        // Like a host without a grant unless the test gives an answer: every request denied.
        const req = mem().slice(rp, rp + rl);
        h.httpRequest = req; // the last request sent
        const r = h.http ? h.http(req, h) : httpErrorEnvelope("denied", "http: no grant");
        let packed = r.packed;
        if (packed === undefined) {
          const p = h.exports.wabi_alloc(r.length, 8) >>> 0;
          if (p === 0) throw new Error("wabi_alloc failed");
          mem().set(r, p);
          packed = (BigInt(p) << 32n) | BigInt(r.length);
        }
        return packed;
      },
      config(kp, kl, bp, bc) {
        h.configCalls++;
        const key = utf8.decode(mem().slice(kp, kp + kl));
        if (!(key in h.config)) return -1;
        const v = enc.encode(h.config[key]);
        if (v.length <= bc) mem().set(v, bp);
        return v.length;
      },
    },
  };
  const inst = new WebAssembly.Instance(module, imports);
  h.exports = inst.exports;
  const sc = inst.exports.wabi_scratch();
  h.scratch = Number(sc >> 32n);
  h.scratchCap = Number(sc & 0xffffffffn);
  h.depth = 0;
  return h;
}

/** Calls export `name` with `input` (bytes) as a host would; returns {status, body}. */
function call(h, name, input = new Uint8Array(0), opts = {}) {
  const ex = h.exports;
  let ptr = 0;
  if (opts.ptr !== undefined) {
    ptr = opts.ptr;
  } else if (input.length > 0) {
    if (input.length <= h.scratchCap && h.depth === 0 && !opts.alloc) {
      ptr = h.scratch;
    } else {
      ptr = ex.wabi_alloc(input.length, 8) >>> 0;
      if (ptr === 0) throw new Error("wabi_alloc failed");
    }
    new Uint8Array(ex.memory.buffer).set(input, ptr);
  }
  h.depth++;
  let packed;
  try {
    packed = ex[name](ptr, opts.len ?? input.length);
  } finally {
    h.depth--;
  }
  const p = Number(packed >> 32n), l = Number(packed & 0xffffffffn);
  const m = new Uint8Array(ex.memory.buffer);
  if (p + l > m.length || l < 8) throw new Error(`${name}: envelope out of bounds`);
  const dv = new DataView(ex.memory.buffer, p, l);
  const status = dv.getUint32(0, true);
  if (dv.getUint32(4, true) !== l - 8) throw new Error(`${name}: body_len mismatch`);
  return { status, body: m.slice(p + 8, p + l), ptr };
}

/** An Error envelope of wabi.http_request: the message, and the value {"kind": kind}. */
function httpErrorEnvelope(kind, message) {
  const m = enc.encode(message);
  const k = enc.encode(kind);
  const value = new Uint8Array([0x81, 0xa4, ...enc.encode("kind"), 0xa0 | k.length, ...k]);
  const body = new Uint8Array(8 + m.length + value.length);
  const dv = new DataView(body.buffer);
  dv.setUint32(0, m.length, true);
  dv.setUint32(4, value.length, true);
  body.set(m, 8);
  body.set(value, 8 + m.length);
  return envelope(1, body);
}

const hex = (b) => Buffer.from(b).toString("hex");
const unhex = (s) => new Uint8Array(Buffer.from(s, "hex"));
const text = (b) => utf8.decode(b);
/** The MessagePack str of `s`. */
function mpStr(s) {
  const b = enc.encode(s);
  const head = b.length < 32 ? [0xa0 | b.length]
    : b.length < 256 ? [0xd9, b.length]
      : b.length < 65536 ? [0xda, b.length >> 8, b.length & 0xff]
        : [0xdb, b.length >>> 24, (b.length >> 16) & 0xff, (b.length >> 8) & 0xff, b.length & 0xff];
  return new Uint8Array([...head, ...b]);
}
/** The string of a MessagePack str. */
function unStr(b) {
  const t = b[0];
  const [n, at] = t >= 0xa0 && t <= 0xbf ? [t & 0x1f, 1] : t === 0xd9 ? [b[1], 2]
    : t === 0xda ? [(b[1] << 8) | b[2], 3] : [new DataView(b.buffer, b.byteOffset).getUint32(1), 5];
  if (at + n !== b.length) throw new Error(`not one str: ${hex(b)}`);
  return text(b.subarray(at, at + n));
}
function errorBody(body) {
  const dv = new DataView(body.buffer, body.byteOffset);
  const ml = dv.getUint32(0, true), vl = dv.getUint32(4, true);
  if (8 + ml + vl !== body.length) throw new Error("malformed error body");
  return { message: text(body.subarray(8, 8 + ml)), value: body.subarray(8 + ml) };
}

// --- Test runner ---

let passed = 0, failed = 0;
function test(name, fn) {
  try {
    fn();
    passed++;
    console.log(`  ok    ${name}`);
  } catch (e) {
    failed++;
    console.log(`  FAIL  ${name}: ${e.stack || e}`);
  }
}
function eq(what, got, want) {
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    throw new Error(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
}
function ok(what, cond) {
  if (!cond) throw new Error(what);
}
function panics(fn) {
  try {
    fn();
  } catch (e) {
    if (e instanceof Panic) return e.record;
    throw e;
  }
  throw new Error("expected a panic");
}

// --- ABI exports ---

test("version and scratch are constants of the module", () => {
  const a = instantiate(testModule), b = instantiate(testModule);
  eq("version", a.exports.wabi_abi_version(), 0x00010003);
  eq("scratch", [a.scratch, a.scratchCap], [b.scratch, b.scratchCap]);
  eq("capacity", a.scratchCap, 65536);
  eq("aligned", a.scratch % 8, 0);
  ok("scratch inside memory", a.scratch + a.scratchCap <= a.exports.memory.buffer.byteLength);
  call(a, "t_string", unhex("a568656c6c6f"));
  eq("scratch after a call", Number(a.exports.wabi_scratch() >> 32n), a.scratch);
});

test("exports and imports", () => {
  const names = WebAssembly.Module.exports(confModule).map((e) => e.name);
  ok("memory exported", names.includes("memory"));
  ok("no _start", !names.includes("_start"));
  ok("renamed.fn", names.includes("renamed.fn") && !names.includes("renamed_fn"));
  for (const i of WebAssembly.Module.imports(confModule)) eq("import module", i.module, "wabi");
});

test("wabi_alloc: refusals, alignment, bounds", () => {
  const h = instantiate(testModule);
  const ex = h.exports;
  eq("size 0", ex.wabi_alloc(0, 8), 0);
  eq("align 0", ex.wabi_alloc(8, 0), 0);
  eq("align 3", ex.wabi_alloc(8, 3), 0);
  eq("align 32", ex.wabi_alloc(8, 32), 0);
  eq("2 GiB", ex.wabi_alloc(0x80000000 | 0, 8), 0);
  for (const align of [1, 2, 4, 8]) {
    for (const size of [1, 7, 100, 70000]) {
      const p = ex.wabi_alloc(size, align) >>> 0;
      ok(`alloc(${size}, ${align})`, p !== 0 && p % align === 0 &&
        p + size <= ex.memory.buffer.byteLength);
      ok("outside scratch", p + size <= h.scratch || p >= h.scratch + h.scratchCap);
      ex.wabi_free(p, size, align);
      ex.wabi_free(p, size, align); // a double free is ignored
    }
  }
  ex.wabi_free(12345, 8, 8); // unknown: ignored
  eq("still works", hex(call(h, "t_u8", unhex("7f")).body), "7f");
});

// --- Golden vectors ---

const typed = {
  "()": "t_unit", bool: "t_bool", u8: "t_u8", u16: "t_u16", u32: "t_u32", u64: "t_u64",
  i8: "t_i8", i16: "t_i16", i32: "t_i32", i64: "t_i64", f32: "t_f32", f64: "t_f64",
  String: "t_string", "Vec<u8>": "t_bytes", "Option<String>": "t_option", "Vec<u32>": "t_vec_u32",
  "Vec<u16>": "t_vec_u16", "Vec<Vec<Vec<u32>>>": "t_nested", "BTreeMap<String, i64>": "t_map",
  "BTreeMap<String, u8>": "t_map_u8", "(i8, u16, String)": "t_tuple",
};
const vectors = JSON.parse(readFileSync(join(root, "abi-spec", "vectors", "values.json"), "utf8")).vectors;
const echoInts = "echo_ints";

for (const v of vectors) {
  test(`vector ${v.name} (${v.rust_type})`, () => {
    const input = unhex(v.hex);
    let fn = typed[v.rust_type];
    let h = instantiate(testModule);
    if (v.rust_type.startsWith("Person")) fn = "t_person";
    else if (v.rust_type.startsWith("Shape")) fn = "t_shape";
    else if (v.rust_type.startsWith("Request")) fn = "t_request";
    if (v.name.startsWith("args_")) {
      if (v.name === "args_8") {
        h = instantiate(confModule);
        fn = echoInts;
      } else fn = v.name;
    }
    if (v.rust_type === "String") {
      eq("as Utf8", hex(call(h, "t_utf8", input).body), v.hex);
    }
    if (!fn) throw new Error(`no typed echo for ${v.rust_type}`);
    const r = call(h, fn, input);
    eq("status", r.status, 0);
    eq("bytes", hex(r.body), v.name === "args_0" ? "c0" : v.hex);
    if (input.length > 0) {
      const d = call(instantiate(confModule), "echo_any", input);
      eq("dynamic", [d.status, hex(d.body)], [0, v.hex]);
    }
  });
}

test("every input path: scratch, wabi_alloc block, nested-style block", () => {
  const h = instantiate(testModule);
  const big = "b".repeat(70000);
  const input = Buffer.concat([Buffer.from([0xdb, 0, 1, 0x11, 0x70]), Buffer.from(big)]);
  const r = call(h, "t_string", input);
  eq("70000-byte string", [r.status, r.body.length], [0, input.length]);
  ok("not in scratch", r.ptr !== h.scratch);
  // The block is the guest's: it freed it, so the same pointer is no longer an input.
  const again = call(h, "t_string", new Uint8Array(0), { ptr: r.ptr, len: 5 });
  eq("freed block refused", again.status, 3);
  const small = call(h, "t_string", unhex("a26869"), { alloc: true });
  eq("small input in a block", hex(small.body), "a26869");
});

// --- Envelopes ---

const envelopes = Object.fromEntries(JSON.parse(readFileSync(join(root, "abi-spec", "vectors", "envelopes.json"), "utf8"))
  .envelopes.map((e) => [e.name, e.hex]));

test("envelopes match the golden vectors", () => {
  const h = instantiate(confModule);
  const full = (r) => hex(envelope(r.status, r.body));
  eq("ok", full(call(h, "echo_string", unhex("a26869"))), envelopes.ok);
  eq("ok_unit", full(call(h, "noop")), envelopes.ok_unit);
  eq("error", full(call(h, "fail_plain", unhex("a3626164"))), envelopes.error);
  eq("error_value", full(call(h, "fail", unhex("a178"))), envelopes.error_value);
});

test("zero-argument forms", () => {
  const h = instantiate(confModule);
  for (const input of ["", "c0", "90"]) eq(`noop(${input})`, hex(call(h, "noop", unhex(input)).body), "c0");
  for (const input of ["91c0", "c0c0", "01"]) eq(`noop(${input})`, call(h, "noop", unhex(input)).status, 3);
});

// --- The reader's edges: every one is BadArguments, never a trap ---

test("malformed inputs are BadArguments", () => {
  const h = instantiate(testModule);
  const cases = [
    ["t_string", "a5616263", "str longer than the input"],
    ["t_string", "dbffffffff61", "str32 length"],
    ["t_string", "a2c328", "invalid UTF-8"],
    ["t_string", "a3eda080", "UTF-8 surrogate"],
    ["t_string", "a2c0af", "overlong UTF-8"],
    ["t_string", "a4f4908080", "above U+10FFFF"],
    ["t_utf8", "a2c328", "invalid UTF-8 (Utf8)"],
    ["t_bytes", "c6ffffffff00", "bin32 length"],
    ["t_bytes", "c5ffff", "bin16 length"],
    ["t_bytes", "92cd0100", "array element above 255"],
    ["t_vec_u32", "ddffffffff", "array32 count"],
    ["t_vec_u32", "dc0003", "array16 count"],
    ["t_map", "dfffffffff", "map32 count"],
    ["t_map", "8fa161", "map count"],
    ["t_u16", "cd01", "truncated u16"],
    ["t_u8", "cd0100", "u8 out of range"],
    ["t_u32", "ff", "negative for unsigned"],
    ["t_i8", "d1ff00", "i8 out of range"],
    ["t_i64", "cfffffffffffffffff", "i64 out of range"],
    ["t_bool", "c3c3", "trailing bytes"],
    ["t_bool", "c1", "invalid tag"],
    ["t_bool", "", "missing argument"],
    ["t_shape", "a6537175617265", "unknown variant"],
    ["t_shape", "82a4556e6974c0a4556e6974c0", "variant map of 2"],
    ["t_person", "84a46e616d6501", "wrong field type"],
    ["t_f64", "a161", "str for float"],
    ["args_3", "9201a174", "2 arguments for 3"],
    ["args_3", "01", "not an array"],
  ];
  for (const [fn, input, what] of cases) {
    const r = call(h, fn, unhex(input));
    if (r.status !== 3) throw new Error(`${what}: status ${r.status} body ${hex(r.body)}`);
    ok(`${what}: message`, text(r.body).length > 0);
  }
  eq("after all that", hex(call(h, "t_bool", unhex("c3")).body), "c3");
});

test("nesting: 128 levels accepted, 129 and 100,000 refused without a stack overflow", () => {
  const h = instantiate(confModule);
  const nested = (n) => new Uint8Array([...Array(n - 1).fill(0x91), 0x90]);
  const r128 = call(h, "echo_any", nested(128));
  eq("128", [r128.status, hex(r128.body)], [0, hex(nested(128))]);
  eq("depth 128", hex(call(h, "depth", nested(128)).body), "cc80");
  const r129 = call(h, "echo_any", nested(129));
  eq("129", r129.status, 3);
  ok("129 message", text(r129.body).includes("nesting"));
  eq("100,000", call(h, "echo_any", nested(100000)).status, 3);
  eq("skip of deep unknown field", call(h, "echo_person",
    new Uint8Array([0x81, 0xa1, 0x78, ...nested(200)])).status, 3);
});

test("bad input pointers are BadArguments", () => {
  const h = instantiate(confModule);
  eq("not a block", call(h, "echo_string", new Uint8Array(0), { ptr: 1 << 20, len: 3 }).status, 3);
  eq("past the scratch", call(h, "echo_string", new Uint8Array(0), { ptr: h.scratch + 65530, len: 10 }).status, 3);
  eq("raw", call(h, "raw_reverse", new Uint8Array(0), { ptr: 1 << 20, len: 3 }).status, 3);
  eq("pod", call(h, "pod_add", new Uint8Array(0), { ptr: 1 << 20, len: 8 }).status, 3);
  const p = h.exports.wabi_alloc(4, 8) >>> 0;
  eq("block shorter than len", call(h, "echo_string", new Uint8Array(0), { ptr: p, len: 100 }).status, 3);
});

// --- Results ---

test("strings: lone surrogates become U+FFFD, keys sort by code point", () => {
  const h = instantiate(testModule);
  eq("lone surrogate", hex(call(h, "lone_surrogate").body), "a561efbfbd62");
  eq("sorted", hex(call(h, "sorted_keys").body), "84a16100a16201a3efbda102a4f09fa68003");
});

test("BadResult from a failing encoder", () => {
  const h = instantiate(testModule);
  const r = call(h, "bad_result");
  eq("status", r.status, 4);
  ok("message", text(r.body).includes("this value cannot be encoded"));
});

test("raw functions: ok and error", () => {
  const h = instantiate(testModule);
  const r = call(h, "raw_fail", unhex("0001ff"));
  eq("ok", [r.status, hex(r.body)], [0, "0001ff"]);
  const e = call(h, "raw_fail");
  eq("error", [e.status, errorBody(e.body).message], [1, "empty"]);
});

test("pod: the struct's bytes; other sizes refused", () => {
  const h = instantiate(confModule);
  const r = call(h, "pod_add", unhex("ffffff7f01000000"));
  eq("i32::MAX + 1", [r.status, hex(r.body)], [0, "0000008000000000"]);
  eq("negative", hex(call(h, "pod_add", unhex("feffffff01000000")).body), "ffffffffffffffff");
  for (const n of [0, 7, 9]) eq(`${n} bytes`, call(h, "pod_add", new Uint8Array(n)).status, 3);
});

// --- Panics ---

test("panics carry message, file, line and column", () => {
  const h = instantiate(confModule);
  const rec = panics(() => call(h, "boom", mpStr("kaboom ✨")));
  eq("message", rec.message, "kaboom ✨");
  eq("file", rec.file, "tests/guests/as-conformance/assembly/index.ts");
  ok("line", rec.line > 0 && rec.column > 0);
  const t = instantiate(testModule);
  eq("assert", panics(() => call(t, "assert_fail")).message, "assertion message");
  const oob = panics(() => call(instantiate(testModule), "out_of_bounds", unhex("9101")));
  ok(`bounds: ${oob.message}`, oob.message.includes("out of range"));
  ok("bounds file", oob.file.length > 0);
  const long = "é".repeat(5000); // 10,000 bytes: truncated at a character boundary
  const r = panics(() => call(instantiate(confModule), "boom", mpStr(long)));
  ok("truncated", r.message.length > 1000 && r.message.length < 5000 && /^é+$/.test(r.message));
});

// --- Imports ---

test("log levels", () => {
  const h = instantiate(testModule);
  call(h, "log_levels");
  eq("logs", h.logs, [[0, "t"], [1, "d"], [2, "i"], [3, "w"], [4, "e"]]);
});

test("config: absent, small, retry when the first buffer is too small", () => {
  const h = instantiate(confModule, {}, { greeting: "hello ✓", big: "x".repeat(5000) });
  eq("greeting", unStr(call(h, "config_get", mpStr("greeting")).body), "hello ✓");
  eq("absent", hex(call(h, "config_get", unhex("a161")).body), "c0");
  h.configCalls = 0;
  eq("big", hex(call(h, "config_big").body), "cd1388");
  eq("two calls", h.configCalls, 2);
  h.configCalls = 0;
  call(h, "config_big");
  eq("one call once the buffer has grown", h.configCalls, 1);
});

test("host calls: result decoded into a wrong type, blocks freed, bad answers", () => {
  const echo = { echo: (args) => envelope(0, args) };
  const h = instantiate(testModule, echo);
  const r = call(h, "host_wrong_type");
  const msg = unStr(r.body);
  ok(`decode error: ${msg}`, msg.startsWith("100: cannot decode the result of host function echo: expected integer, found str"));
  const v = call(h, "host_echo", unhex("93a161c4020102cb3ff8000000000000"));
  eq("echo", [v.status, hex(v.body)], [0, "93a161c4020102cb3ff8000000000000"]);
  // The guest frees the host's blocks: memory stays flat over many calls.
  const before = h.exports.memory.buffer.byteLength;
  const payload = new Uint8Array([0xc5, 0x27, 0x10, ...new Uint8Array(10000)]);
  for (let i = 0; i < 3000; i++) {
    const r = call(h, "host_echo", payload);
    if (r.status !== 0 || hex(r.body) !== hex(payload)) throw new Error(`host_echo #${i}: status ${r.status}`);
  }
  ok("memory bounded", h.exports.memory.buffer.byteLength - before < (4 << 20));

  const bad = (answer) => {
    const g = instantiate(testModule, { echo: () => answer(g) });
    const res = call(g, "host_echo", unhex("c0"));
    eq("status", res.status, 1);
    return errorBody(res.body).message;
  };
  ok("not a block", bad((g) => ({ packed: (BigInt(g.scratch) << 32n) | 9n })).startsWith("101: "));
  ok("too short", bad((g) => {
    const p = g.exports.wabi_alloc(4, 8) >>> 0;
    return { packed: (BigInt(p) << 32n) | 4n };
  }).startsWith("101: "));
  ok("bad status", bad(() => envelope(9, new Uint8Array([0xc0]))).startsWith("101: "));
  ok("bad error body", bad(() => envelope(1, new Uint8Array([5, 0, 0, 0, 0, 0, 0, 0]))).startsWith("101: "));
  eq("bad arguments", bad(() => envelope(3, enc.encode("nope"))), "3: nope");
  eq("missing", bad(() => envelope(1, new Uint8Array([3, 0, 0, 0, 0, 0, 0, 0, 0x61, 0x62, 0x63]))), "1: abc");
});

test("nested calls use wabi_alloc and reuse the output safely", () => {
  let h;
  const descend = (args) => {
    // args is the u32 n; call recurse(n - 1) in the same instance, through wabi_alloc.
    const n = args[0];
    const inner = call(h, "recurse", new Uint8Array([n - 1]));
    if (inner.status !== 0) return inner.status === 1 ? envelope(1, inner.body) : envelope(inner.status, inner.body);
    return envelope(0, new Uint8Array([inner.body[0] + 1]));
  };
  h = instantiate(confModule, { descend });
  eq("recurse(5)", hex(call(h, "recurse", unhex("05")).body), "05");
  eq("recurse(100)", hex(call(h, "recurse", unhex("64")).body), "64");
});

test("objects held across a nested call survive a full collection in it", () => {
  let h;
  const gc_descend = (args) => {
    const inner = call(h, "gc_nested", new Uint8Array([args[0] - 1]));
    return inner.status === 0 ? envelope(0, inner.body) : envelope(1, inner.body);
  };
  h = instantiate(testModule, { gc_descend });
  for (let i = 0; i < 20; i++) eq("gc_nested(6)", hex(call(h, "gc_nested", unhex("06")).body), "06");
});

test("state survives calls; memory flat over 20,000 mixed calls", () => {
  const h = instantiate(confModule);
  for (let i = 1; i <= 3; i++) eq("counter", hex(call(h, "counter").body), `0${i}`);
  const person = unhex("84a46e616d65a3416461a361676524a5656d61696cc0a47461677391a46d617468");
  const bigStr = new Uint8Array([0xdb, 0, 1, 0x86, 0xa0, ...new Uint8Array(100000).fill(0x78)]);
  for (let i = 0; i < 2000; i++) { call(h, "echo_person", person); call(h, "str_stats", bigStr); }
  const before = h.exports.memory.buffer.byteLength;
  for (let i = 0; i < 20000; i++) {
    eq("echo_person", hex(call(h, "echo_person", person).body), hex(person));
    if (i % 10 === 0) call(h, "str_stats", bigStr);
  }
  eq("memory", h.exports.memory.buffer.byteLength, before);
});

test("grow_memory keeps the pages it allocated", () => {
  const h = instantiate(confModule);
  const pages = () => h.exports.memory.buffer.byteLength / 65536;
  const before = pages();
  const r = call(h, "grow_memory", unhex("0a"));
  eq("status", r.status, 0);
  const after = pages();
  ok(`grew by at least 10 pages (${before} -> ${after})`, after >= before + 10);
  const uint = (b) => (b[0] < 0x80 ? b[0] : b[0] === 0xcc ? b[1] : (b[1] << 8) | b[2]);
  eq("answer", uint(r.body), after);
  eq("zero pages", uint(call(h, "grow_memory", unhex("00")).body), after);
});

// --- The bench guest and the examples ---

const cat = (...parts) => new Uint8Array(parts.flatMap((p) => [...p]));
const map = (n) => new Uint8Array([0x80 | n]);
const arr = (n) => new Uint8Array([0x90 | n]);

test("bench guest: add, echo, gateway, bulk, add_pod, bulk_raw", () => {
  const h = instantiate(benchModule);
  eq("noop", hex(call(h, "noop").body), "c0");
  const add = call(h, "add", cat(map(2), mpStr("a"), [0xd2, 0x7f, 0xff, 0xff, 0xff], mpStr("b"), [1]));
  eq("add wraps", hex(add.body), hex(cat(map(1), mpStr("sum"), [0xd2, 0x80, 0, 0, 0])));
  eq("echo", unStr(call(h, "echo", mpStr("héllo ✓")).body), "héllo ✓");
  const req = (path, headers) => cat(map(4), mpStr("method"), mpStr("GET"), mpStr("path"), mpStr(path),
    mpStr("headers"), arr(headers.length), ...headers.map(([k, v]) => cat(arr(2), mpStr(k), mpStr(v))),
    mpStr("body"), [0xc4, 2, 0x68, 0x69]);
  const g = call(h, "gateway", req("/api/v1/ü?q=x", [["host", "example.com"]]));
  eq("gateway", hex(g.body), hex(req("/API/V1/ü?Q=X", [["host", "example.com"], ["x-plugin", "wabi-bench"]])));
  const data = new Uint8Array(1 << 20).map((_, i) => i % 251);
  const sum = data.reduce((a, b) => a + b, 0);
  const bulk = call(h, "bulk", cat([0xc6, 0, 0x10, 0, 0], data));
  eq("bulk", hex(bulk.body), hex(cat(map(2), mpStr("len"), [0xce, 0, 0x10, 0, 0], mpStr("checksum"),
    [0xce, sum >>> 24, (sum >> 16) & 0xff, (sum >> 8) & 0xff, sum & 0xff])));
  eq("add_pod", hex(call(h, "add_pod", unhex("0200000003000000")).body), "05000000");
  const raw = call(h, "bulk_raw", data);
  const dv = new DataView(raw.body.buffer);
  eq("bulk_raw", [Number(dv.getBigUint64(0, true)), Number(dv.getBigUint64(8, true))], [1 << 20, sum]);
});

test("examples: minimal and the README's greet", () => {
  eq("add", hex(call(instantiate(minimalModule), "add", unhex("920203")).body), "05");
  const h = instantiate(greetModule);
  const person = cat(map(3), mpStr("name"), mpStr("Ada"), mpStr("age"), [36], mpStr("extra"), [0xc0]);
  eq("greet", unStr(call(h, "greet", cat(arr(2), person, mpStr("Hello"))).body), "Hello, Ada!");
  const b = call(h, "birthday", person);
  eq("birthday", hex(b.body), hex(cat(map(3), mpStr("name"), mpStr("Ada"), mpStr("age"), [37], mpStr("tags"), [0x90])));
  eq("log", h.logs, [[2, "birthday of Ada"]]);
  const old = call(h, "birthday", cat(map(1), mpStr("age"), [0xcc, 200]));
  eq("error", [old.status, errorBody(old.body).message, hex(errorBody(old.body).value)], [1, "too old: 200", "ccc8"]);
});

// --- Outbound HTTP (ABI 1.3): golden vectors of http.json, and a host that answers badly ---

const http = Object.fromEntries(JSON.parse(readFileSync(join(root, "abi-spec", "vectors", "http.json"), "utf8"))
  .vectors.map((v) => [v.name, v]));
const httpKinds = ["denied", "timeout", "too_large", "connect", "limit", "bad_request", "too_many_redirects"];

test("http: the import is declared as wabi.http_request (i32, i32) -> i64", () => {
  const imp = WebAssembly.Module.imports(confModule).filter((i) => i.name === "http_request");
  eq("imported", imp.map((i) => [i.module, i.kind]), [["wabi", "function"]]);
  // The greet example makes no request: asc leaves the unused import out.
  ok("not imported when unused", !WebAssembly.Module.imports(greetModule).some((i) => i.name === "http_request"));
});

test("http: requests built with the API equal request_get and request_post", () => {
  const h = instantiate(testModule);
  eq("get", hex(call(h, "http_build_get").body), http.request_get.hex);
  eq("post", hex(call(h, "http_build_post").body), http.request_post.hex);
  eq("post, body as bytes", hex(call(h, "http_build_post_bytes").body), http.request_post.hex);
  for (const name of ["request_get", "request_post"]) {
    const r = call(h, "t_http_request", unhex(http[name].hex));
    eq(`${name} decoded and encoded back`, [r.status, hex(r.body)], [0, http[name].hex]);
  }
  // headers and body may be left out, or the body written c4 00; unknown keys are skipped.
  const short = cat(map(3), mpStr("method"), mpStr("GET"), mpStr("x"), [0xc0], mpStr("url"), mpStr("http://a/"));
  const full = cat(map(4), mpStr("method"), mpStr("GET"), mpStr("url"), mpStr("http://a/"),
    mpStr("headers"), arr(0), mpStr("body"), arr(0));
  eq("missing keys", hex(call(h, "t_http_request", short).body), hex(full));
  eq("bad header", call(h, "t_http_request", cat(map(1), mpStr("headers"), arr(1), arr(1), mpStr("a"))).status, 3);
});

test("http: the Ok and Error envelopes of http.json decode (structures)", () => {
  const h = instantiate(testModule);
  for (const name of ["ok_200", "ok_204_empty"]) {
    const body = unhex(http[name].hex).subarray(8);
    const r = call(h, "t_http_response", body);
    eq(`${name} decoded and encoded back`, [r.status, hex(r.body)], [0, hex(body)]);
  }
  eq("no status", call(h, "t_http_response", cat(map(1), mpStr("body"), arr(0))).status, 3);
  for (const kind of httpKinds) {
    const e = errorBody(unhex(http[`error_${kind}`].hex).subarray(8));
    eq(`error_${kind}: message`, e.message, http[`error_${kind}`].description);
    const r = call(h, "t_http_error", e.value);
    eq(`error_${kind}: value`, [r.status, hex(r.body)], [0, hex(e.value)]);
  }
});

test("http: send() through the import: the request sent, every golden answer decoded", () => {
  let answer;
  const h = instantiate(testModule, {}, {}, () => answer);
  const get = unhex(http.request_get.hex);
  answer = unhex(http.ok_200.hex);
  eq("ok_200", unStr(call(h, "http_probe", get).body), "ok 200|text/plain||null|ok");
  eq("request bytes", hex(h.httpRequest), http.request_get.hex);
  answer = unhex(http.ok_204_empty.hex);
  eq("ok_204_empty", unStr(call(h, "http_probe", unhex(http.request_post.hex)).body), "ok 204|(none)||null|");
  eq("request bytes", hex(h.httpRequest), http.request_post.hex);
  const names = { denied: "denied", timeout: "timeout", too_large: "too_large", connect: "connect",
    limit: "limit", bad_request: "bad_request", too_many_redirects: "too_many_redirects" };
  for (const kind of httpKinds) {
    answer = unhex(http[`error_${kind}`].hex);
    eq(`error_${kind}`, unStr(call(h, "http_probe", get).body),
      `error ${kind}|${names[kind]}|known|${http[`error_${kind}`].description}`);
  }
});

test("http: headers case-insensitive, first match; body as text", () => {
  const resp = (status, headers, body) => envelope(0, cat(map(3), mpStr("status"), status < 128 ? [status] : [0xcd, status >> 8, status & 0xff],
    mpStr("headers"), arr(headers.length), ...headers.map(([k, v]) => cat(arr(2), mpStr(k), mpStr(v))),
    mpStr("body"), [0xc4, body.length], body));
  const h = instantiate(testModule, {}, {}, () => resp(404, [["content-type", "text/html; charset=utf-8"],
    ["x-multi", "a"], ["content-type", "second"], ["X-Multi", "b"]], [...enc.encode("nöt found "), 0xff]));
  eq("404 is a response", unStr(call(h, "http_probe", unhex(http.request_get.hex)).body),
    "ok 404|text/html; charset=utf-8|a,b|null|nöt found \ufffd");
});

test("http: conformance http_fetch answers with the golden envelopes and sends the request given", () => {
  let answer;
  const h = instantiate(confModule, {}, {}, () => answer);
  const full = (r) => hex(envelope(r.status, r.body));
  for (const [req, res] of [["request_get", "ok_200"], ["request_post", "ok_204_empty"]]) {
    answer = unhex(http[res].hex);
    eq(res, full(call(h, "http_fetch", unhex(http[req].hex))), http[res].hex);
    eq(`${req} sent`, hex(h.httpRequest), http[req].hex);
  }
  for (const kind of httpKinds) {
    answer = unhex(http[`error_${kind}`].hex);
    eq(`error_${kind}`, full(call(h, "http_fetch", unhex(http.request_get.hex))), http[`error_${kind}`].hex);
  }
  // The host may send empty headers as 90 and an empty body as c4 00.
  answer = unhex(http.ok_200.hex);
  const bin0 = cat(unhex(http.request_get.hex).subarray(0, -1), [0xc4, 0]);
  eq("c4 00 body", full(call(h, "http_fetch", bin0)), http.ok_200.hex);
  eq("sent as 90", hex(h.httpRequest), http.request_get.hex);
  // A kind this version does not know is kept as it came.
  answer = httpErrorEnvelope("teapot", "http: brewing");
  eq("unknown kind", full(call(h, "http_fetch", unhex(http.request_get.hex))), hex(answer));
});

test("http: an unknown kind is connect, raw name kept; bad answers are connect, never a trap", () => {
  let answer;
  const h = instantiate(testModule, {}, {}, (req, g) => answer(g));
  const probe = () => unStr(call(h, "http_probe", unhex(http.request_get.hex)).body);
  answer = () => httpErrorEnvelope("teapot", "http: brewing");
  eq("unknown kind", probe(), "error teapot|connect|unknown|http: brewing");
  const noValue = new Uint8Array([4, 0, 0, 0, 0, 0, 0, 0, ...enc.encode("gone")]);
  answer = () => envelope(1, noValue);
  eq("error without a value", probe(), "error connect|connect|known|gone");
  const noKind = new Uint8Array([4, 0, 0, 0, 1, 0, 0, 0, ...enc.encode("gone"), 0x80]);
  answer = () => envelope(1, noKind);
  eq("value without kind", probe(), "error connect|connect|known|gone");
  answer = () => envelope(3, enc.encode("nope"));
  eq("status 3", probe(), "error connect|connect|known|wabi.http_request: the host answered with status 3: nope");
  answer = () => envelope(9, new Uint8Array([0xc0]));
  eq("status 9", probe(), "error connect|connect|known|wabi.http_request answered with a malformed envelope: invalid status 9");
  answer = () => envelope(0, new Uint8Array([0xc0]));
  ok("undecodable body", probe().startsWith("error connect|connect|known|cannot decode the result of wabi.http_request: expected map"));
  answer = () => envelope(0, cat(unhex(http.ok_200.hex).subarray(8), [0xc0]));
  ok("trailing bytes", probe().includes("trailing bytes"));
  answer = (g) => ({ packed: (BigInt(g.scratch) << 32n) | 9n });
  eq("not a block", probe(), "error connect|connect|known|wabi.http_request answered with an invalid envelope location");
  answer = (g) => ({ packed: (BigInt(g.exports.wabi_alloc(4, 8) >>> 0) << 32n) | 4n });
  eq("too short", probe(), "error connect|connect|known|wabi.http_request answered with an invalid envelope location");
  answer = () => unhex(http.ok_200.hex);
  eq("still works", probe(), "ok 200|text/plain||null|ok");
});

test("http: large bodies both ways; answer blocks freed (memory flat)", () => {
  const big = new Uint8Array(100000).map((_, i) => (i * 7) % 256);
  const h = instantiate(confModule, {}, {}, (req) => {
    // Echo the request body back as the response body.
    ok("request body", hex(req.subarray(req.length - big.length)) === hex(big));
    return envelope(0, cat(map(3), mpStr("status"), [0xcc, 200], mpStr("headers"), arr(0),
      mpStr("body"), [0xc6, 0, 1, 0x86, 0xa0], big));
  });
  const input = cat(map(4), mpStr("method"), mpStr("POST"), mpStr("url"), mpStr("http://x/"),
    mpStr("headers"), arr(2), arr(2), mpStr("x-a"), mpStr("1"), arr(2), mpStr("x-a"), mpStr("2"),
    mpStr("body"), [0xc6, 0, 1, 0x86, 0xa0], big);
  const want = hex(cat(map(3), mpStr("status"), [0xcc, 200], mpStr("headers"), arr(0),
    mpStr("body"), [0xc6, 0, 1, 0x86, 0xa0], big));
  eq("echoed", hex(call(h, "http_fetch", input).body), want);
  eq("request", hex(h.httpRequest), hex(input));
  for (let i = 0; i < 300; i++) call(h, "http_fetch", input);
  const before = h.exports.memory.buffer.byteLength;
  for (let i = 0; i < 1500; i++) {
    const r = call(h, "http_fetch", input);
    if (r.status !== 0 || r.body.length !== want.length / 2) throw new Error(`http_fetch #${i}: status ${r.status}`);
  }
  eq("memory", h.exports.memory.buffer.byteLength, before);
});

test("http: without an answer of the test's, the host denies (no grant)", () => {
  const h = instantiate(confModule);
  const r = call(h, "http_fetch", unhex(http.request_get.hex));
  eq("denied", [r.status, errorBody(r.body).message, hex(errorBody(r.body).value)],
    [1, "http: no grant", "81a46b696e64a664656e696564"]);
});

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
