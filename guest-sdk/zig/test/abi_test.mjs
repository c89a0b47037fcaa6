// ABI-level tests of the Zig guest SDK: a small host written from ABI.md drives the conformance
// guest ($WABI_ZIG_CONFORMANCE) and the SDK test guest ($WABI_ZIG_TEST_GUEST) through the edges
// the conformance suite does not reach: hostile pointers, lengths and nesting, where outputs are
// placed, nested calls, host-call answers, config's retry rule, panic records, logging, and
// outbound HTTP against the golden answers of abi-spec/vectors/http.json.
// Run by ../test.sh (node's built-in test runner, no packages).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

// --- A minimal MessagePack (canonical forms, as ABI 8 requires) ---

class F32 { constructor(v) { this.v = v; } }

function mpEncode(v, out = []) {
  const u8 = (...b) => out.push(...b);
  const be = (n, bytes) => { for (let i = bytes - 1; i >= 0; i--) out.push(Number((BigInt(n) >> BigInt(8 * i)) & 0xffn)); };
  if (v === null || v === undefined) u8(0xc0);
  else if (v === true) u8(0xc3);
  else if (v === false) u8(0xc2);
  else if (v instanceof F32) { const b = new DataView(new ArrayBuffer(4)); b.setFloat32(0, v.v); u8(0xca, ...new Uint8Array(b.buffer)); }
  else if (typeof v === 'number' && !Number.isInteger(v)) { const b = new DataView(new ArrayBuffer(8)); b.setFloat64(0, v); u8(0xcb, ...new Uint8Array(b.buffer)); }
  else if (typeof v === 'number' || typeof v === 'bigint') {
    const n = BigInt(v);
    if (n >= 0n) {
      if (n < 128n) u8(Number(n)); else if (n < 256n) { u8(0xcc); be(n, 1); } else if (n < 65536n) { u8(0xcd); be(n, 2); }
      else if (n < 1n << 32n) { u8(0xce); be(n, 4); } else { u8(0xcf); be(n, 8); }
    } else if (n >= -32n) u8(Number(n) & 0xff);
    else if (n >= -128n) { u8(0xd0); be(n & 0xffn, 1); } else if (n >= -32768n) { u8(0xd1); be(n & 0xffffn, 2); }
    else if (n >= -(1n << 31n)) { u8(0xd2); be(n & 0xffffffffn, 4); } else { u8(0xd3); be(n & 0xffffffffffffffffn, 8); }
  } else if (typeof v === 'string') {
    const b = enc.encode(v);
    if (b.length < 32) u8(0xa0 | b.length); else if (b.length < 256) u8(0xd9, b.length); else if (b.length < 65536) { u8(0xda); be(b.length, 2); } else { u8(0xdb); be(b.length, 4); }
    for (const x of b) out.push(x);
  } else if (v instanceof Uint8Array) {
    if (v.length === 0) u8(0x90);
    else { if (v.length < 256) u8(0xc4, v.length); else if (v.length < 65536) { u8(0xc5); be(v.length, 2); } else { u8(0xc6); be(v.length, 4); } for (const x of v) out.push(x); }
  } else if (Array.isArray(v)) {
    if (v.length < 16) u8(0x90 | v.length); else if (v.length < 65536) { u8(0xdc); be(v.length, 2); } else { u8(0xdd); be(v.length, 4); }
    for (const x of v) mpEncode(x, out);
  } else {
    const entries = Object.entries(v);
    if (entries.length < 16) u8(0x80 | entries.length); else { u8(0xde); be(entries.length, 2); }
    for (const [k, x] of entries) { mpEncode(k, out); mpEncode(x, out); }
  }
  return out;
}
const mp = (v) => Uint8Array.from(mpEncode(v));

function mpDecode(b) {
  let i = 0;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const take = (n) => { const s = b.subarray(i, i + n); if (s.length !== n) throw new Error('truncated'); i += n; return s; };
  const uint = (n) => { let r = 0n; for (const x of take(n)) r = (r << 8n) | BigInt(x); return r; };
  const num = (r) => (r <= BigInt(Number.MAX_SAFE_INTEGER) && r >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(r) : r);
  const sint = (n) => num(BigInt.asIntN(8 * n, uint(n)));
  const str = (n) => dec.decode(take(n));
  const arr = (n) => Array.from({ length: n }, () => one());
  const map = (n) => { const o = {}; for (let k = 0; k < n; k++) { const key = one(); o[key] = one(); } return o; };
  function one() {
    const m = b[i++];
    if (m === undefined) throw new Error('truncated');
    if (m < 0x80) return m;
    if (m >= 0xe0) return m - 256;
    if (m >= 0xa0 && m <= 0xbf) return str(m & 0x1f);
    if (m >= 0x90 && m <= 0x9f) return arr(m & 0x0f);
    if (m >= 0x80 && m <= 0x8f) return map(m & 0x0f);
    switch (m) {
      case 0xc0: return null;
      case 0xc2: return false;
      case 0xc3: return true;
      case 0xc4: return take(Number(uint(1))).slice();
      case 0xc5: return take(Number(uint(2))).slice();
      case 0xc6: return take(Number(uint(4))).slice();
      case 0xca: { const v = dv.getFloat32(i); i += 4; return new F32(v); }
      case 0xcb: { const v = dv.getFloat64(i); i += 8; return v; }
      case 0xcc: return num(uint(1)); case 0xcd: return num(uint(2)); case 0xce: return num(uint(4)); case 0xcf: return num(uint(8));
      case 0xd0: return sint(1); case 0xd1: return sint(2); case 0xd2: return sint(4); case 0xd3: return sint(8);
      case 0xd6: { const t = take(1)[0]; return { ext: t, data: take(4).slice() }; }
      case 0xd7: { const t = take(1)[0]; return { ext: t, data: take(8).slice() }; }
      case 0xc7: { const n = Number(uint(1)); const t = take(1)[0]; return { ext: t, data: take(n).slice() }; }
      case 0xd9: return str(Number(uint(1))); case 0xda: return str(Number(uint(2))); case 0xdb: return str(Number(uint(4)));
      case 0xdc: return arr(Number(uint(2))); case 0xdd: return arr(Number(uint(4)));
      case 0xde: return map(Number(uint(2))); case 0xdf: return map(Number(uint(4)));
      default: throw new Error('marker ' + m.toString(16));
    }
  }
  const v = one();
  if (i !== b.length) throw new Error(`${b.length - i} trailing bytes`);
  return v;
}

const hex = (b) => Buffer.from(b).toString('hex');
const u32le = (n) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, n, true); return b; };
const concat = (...parts) => { const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0)); let o = 0; for (const p of parts) { out.set(p, o); o += p.length; } return out; };
const envelope = (status, body) => concat(u32le(status), u32le(body.length), body);
const errorBody = (message, value) => { const m = enc.encode(message); const v = value ?? new Uint8Array(); return concat(u32le(m.length), u32le(v.length), m, v); };

// --- A host, written from ABI.md ---

class GuestPanic extends Error {
  constructor(record) { super('guest panic'); this.record = record; }
}

class Host {
  constructor(module, { hostFns = {}, config = {}, badAnswer = null, http = null } = {}) {
    this.logs = [];
    this.configCalls = [];
    this.httpRequests = [];
    this.nesting = 0;
    this.hostFns = hostFns;
    const host = this;
    const imports = {
      wabi: {
        panic(ptr, len) { throw new GuestPanic(host.read(ptr, len)); },
        log(level, ptr, len) { host.logs.push([level, dec.decode(host.read(ptr, len))]); },
        host_call(np, nl, ap, al) {
          const name = dec.decode(host.read(np, nl));
          const args = host.read(ap, al);
          if (badAnswer) return badAnswer(host);
          const fn = hostFns[name];
          const env = fn ? fn(args, host) : envelope(1, errorBody(`no host function named ${name}`));
          const p = host.x.wabi_alloc(env.length, 8) >>> 0;
          if (p === 0) throw new Error('wabi_alloc failed');
          host.mem().set(env, p);
          return (BigInt(p) << 32n) | BigInt(env.length);
        },
        // wabi.http_request (ABI 4.4): `http(request bytes, host)` returns the envelope to answer
        // with, or a packed (ptr, len) of its own (a bigint); without it every request is denied.
        http_request(rp, rl) {
          const req = host.read(rp, rl);
          host.httpRequests.push(req);
          const env = http ? http(req, host) : envelope(1, errorBody('http: no grant', mp({ kind: 'denied' })));
          if (typeof env === 'bigint') return env;
          const p = host.x.wabi_alloc(env.length, 8) >>> 0;
          if (p === 0) throw new Error('wabi_alloc failed');
          host.mem().set(env, p);
          return (BigInt(p) << 32n) | BigInt(env.length);
        },
        config(kp, kl, bp, cap) {
          const key = dec.decode(host.read(kp, kl));
          host.configCalls.push([key, cap, kp, bp]);
          if (!(key in config)) return -1;
          const v = enc.encode(config[key]);
          if (v.length <= cap) host.mem().set(v, bp);
          return v.length;
        },
      },
    };
    this.instance = new WebAssembly.Instance(module, imports);
    this.x = this.instance.exports;
    if (this.x._initialize) this.x._initialize();
    this.version = this.x.wabi_abi_version();
    const s = this.x.wabi_scratch();
    this.scratchPtr = Number(s >> 32n);
    this.scratchCap = Number(s & 0xffffffffn);
  }
  mem() { return new Uint8Array(this.x.memory.buffer); }
  read(ptr, len) {
    if (len === 0) return new Uint8Array();
    const m = this.mem();
    if ((ptr >>> 0) + (len >>> 0) > m.length) throw new Error(`out of bounds read ${ptr}+${len}`);
    return m.slice(ptr >>> 0, (ptr >>> 0) + (len >>> 0));
  }
  inScratch(p) { return p >= this.scratchPtr && p < this.scratchPtr + this.scratchCap; }
  // Calls export `name` with `input` (bytes) placed as ABI 6.2 says, or at (ptr, len) given.
  callBytes(name, input, { alloc = false, at = null } = {}) {
    let ptr = 0, len = input.length;
    if (at) { [ptr, len] = at; if (input.length) this.mem().set(input, ptr); }
    else if (input.length) {
      if (!alloc && this.nesting === 0 && input.length <= this.scratchCap) ptr = this.scratchPtr;
      else { ptr = this.x.wabi_alloc(input.length, 8) >>> 0; assert.notEqual(ptr, 0); }
      this.mem().set(input, ptr);
    }
    this.nesting++;
    let r;
    try { r = this.x[name](ptr, len); } finally { this.nesting--; }
    const outPtr = Number(r >> 32n), outLen = Number(r & 0xffffffffn);
    assert.ok(outLen >= 8 && outPtr + outLen <= this.mem().length, 'envelope out of bounds');
    const env = this.read(outPtr, outLen);
    const dv = new DataView(env.buffer);
    const status = dv.getUint32(0, true);
    assert.equal(dv.getUint32(4, true), outLen - 8, 'body_len');
    return { status, body: env.subarray(8), outPtr, env };
  }
  call(name, ...args) {
    const input = args.length === 0 ? new Uint8Array() : args.length === 1 ? mp(args[0]) : mp(args);
    const r = this.callBytes(name, input);
    if (r.status === 0) return mpDecode(r.body);
    if (r.status === 1) {
      const dv = new DataView(r.body.buffer, r.body.byteOffset);
      const ml = dv.getUint32(0, true), vl = dv.getUint32(4, true);
      assert.equal(8 + ml + vl, r.body.length);
      const e = new Error(dec.decode(r.body.subarray(8, 8 + ml)));
      e.value = vl ? mpDecode(r.body.subarray(8 + ml)) : undefined;
      throw e;
    }
    throw new Error(`status ${r.status}: ${dec.decode(r.body)}`);
  }
}

function parsePanic(rec) {
  const dv = new DataView(rec.buffer, rec.byteOffset);
  const ml = dv.getUint32(0, true), fl = dv.getUint32(4, true);
  assert.equal(16 + ml + fl, rec.length, 'panic record length');
  return { message: dec.decode(rec.subarray(16, 16 + ml)), file: dec.decode(rec.subarray(16 + ml)), line: dv.getUint32(8, true), column: dv.getUint32(12, true) };
}

const conformance = await WebAssembly.compile(readFileSync(process.env.WABI_ZIG_CONFORMANCE));
const sdkGuest = await WebAssembly.compile(readFileSync(process.env.WABI_ZIG_TEST_GUEST));
const vectors = JSON.parse(readFileSync(new URL('../../../abi-spec/vectors/envelopes.json', import.meta.url)));
const goldenEnvelope = (name) => vectors.envelopes.find((e) => e.name === name).hex;
const httpVectors = JSON.parse(readFileSync(new URL('../../../abi-spec/vectors/http.json', import.meta.url))).vectors;
const httpVector = (name) => httpVectors.find((v) => v.name === name);
const unhex = (h) => Uint8Array.from(Buffer.from(h, 'hex'));

const testHostFns = {
  add: (args) => { const [a, b] = mpDecode(args); return envelope(0, mp(BigInt(a) + BigInt(b))); },
  fail: (args) => envelope(1, errorBody(`host says: ${mpDecode(args)}`, mp({ code: 7 }))),
};

// --- Tests ---

test('reserved exports; version 1.3; the scratch buffer is a constant of the module', () => {
  const names = WebAssembly.Module.exports(conformance).map((e) => e.name);
  for (const n of ['memory', 'wabi_abi_version', 'wabi_alloc', 'wabi_free', 'wabi_scratch']) assert.ok(names.includes(n), n);
  assert.ok(!names.includes('_start'));
  for (const i of WebAssembly.Module.imports(conformance)) {
    assert.equal(i.module, 'wabi');
    assert.ok(['panic', 'log', 'host_call', 'config', 'http_request'].includes(i.name), i.name);
  }
  const a = new Host(conformance), b = new Host(conformance);
  assert.equal(a.version, 0x00010003);
  assert.equal(a.scratchCap, 65536);
  assert.equal(a.scratchPtr % 8, 0);
  a.call('counter');
  a.call('make_bytes', 100000);
  assert.equal(b.x.wabi_scratch(), a.x.wabi_scratch());
  assert.equal(new Host(conformance).x.wabi_scratch(), a.x.wabi_scratch());
});

test('wabi_alloc honours size and alignment; wabi_free ignores unknown pointers', () => {
  const h = new Host(conformance);
  for (const [size, align] of [[0, 8], [8, 0], [8, 3], [8, 16]]) assert.equal(h.x.wabi_alloc(size, align), 0);
  const seen = new Set();
  for (const align of [1, 2, 4, 8]) {
    for (const size of [1, 7, 100, 70000]) {
      const p = h.x.wabi_alloc(size, align) >>> 0;
      assert.ok(p !== 0 && p % align === 0 && p + size <= h.mem().length);
      assert.ok(!h.inScratch(p));
      assert.ok(!seen.has(p));
      seen.add(p);
    }
  }
  for (const p of seen) h.x.wabi_free(p, 1, 1);
  for (const p of seen) h.x.wabi_free(p, 1, 1); // twice: ignored
  h.x.wabi_free(12345, 10, 8);
  h.x.wabi_free(h.scratchPtr, 10, 8);
  assert.equal(h.call('echo_bool', true), true);
  assert.equal(h.x.wabi_alloc(0xffffffff, 8), 0);
});

test('the golden envelopes', () => {
  const h = new Host(conformance);
  assert.equal(hex(h.callBytes('echo_string', mp('hi')).env), goldenEnvelope('ok'));
  assert.equal(hex(h.callBytes('noop', new Uint8Array()).env), goldenEnvelope('ok_unit'));
  assert.equal(hex(h.callBytes('fail_plain', mp('bad')).env), goldenEnvelope('error'));
  assert.equal(hex(h.callBytes('fail', mp('x')).env), goldenEnvelope('error_value'));
});

test('argument lists: zero-argument forms, wrong counts, trailing bytes', () => {
  const h = new Host(conformance);
  for (const input of [[], [0xc0], [0x90]]) assert.equal(h.callBytes('noop', Uint8Array.from(input)).status, 0);
  assert.equal(h.callBytes('noop', Uint8Array.from([0x91, 0x01])).status, 3);
  assert.equal(h.callBytes('echo_bool', Uint8Array.from([0xc3, 0xc3])).status, 3);
  assert.equal(h.callBytes('echo_bool', new Uint8Array()).status, 3);
  assert.equal(h.callBytes('concat3', mp(['a', 'b'])).status, 3);
  assert.equal(h.callBytes('concat3', mp(['a', 'b', 'c', 'd'])).status, 3);
  assert.equal(h.callBytes('concat3', mp('abc')).status, 3);
  assert.equal(h.call('concat3', 'a', 'b', 'c'), 'abc');
  const r = h.callBytes('echo_ints', mp([1, 2, 3, 4, 300, 6, 7, 8]));
  assert.equal(r.status, 3);
  assert.match(dec.decode(r.body), /integer 300 at byte 5 is out of range for u8/);
});

test('hostile inputs: pointers outside the scratch buffer and blocks, short blocks, bad lengths', () => {
  const h = new Host(conformance);
  const r1 = h.callBytes('echo_bool', Uint8Array.from([0xc3]), { at: [16, 1] });
  assert.equal(r1.status, 3);
  assert.match(dec.decode(r1.body), /neither the scratch buffer nor a block/);
  assert.equal(h.callBytes('echo_bool', new Uint8Array(), { at: [0xfffffff0, 100] }).status, 3);
  assert.equal(h.callBytes('echo_bool', new Uint8Array(), { at: [h.scratchPtr + 65000, 1000] }).status, 3);
  const p = h.x.wabi_alloc(4, 8) >>> 0;
  assert.equal(h.callBytes('echo_bool', Uint8Array.from([0xc3]), { at: [p, 100] }).status, 3);
  // The short block was the guest's again, and freed: a second use of it is refused too.
  assert.equal(h.callBytes('echo_bool', Uint8Array.from([0xc3]), { at: [p, 1] }).status, 3);
  for (const bad of ['dd ffffffff', 'dfffffffff00', 'db7fffffff', 'c67fffffff', 'c97fffffff01', 'cf00', 'c1', '9201', 'a3ffff']) {
    assert.equal(h.callBytes('echo_any', Uint8Array.from(Buffer.from(bad.replace(' ', ''), 'hex'))).status, 3, bad);
  }
  assert.equal(h.call('echo_bool', true), true);
});

test('nesting: 128 levels decode, 129 are refused', () => {
  const h = new Host(conformance);
  const nested = (n) => Uint8Array.from([...Array(n - 1).fill(0x91), 0x90]);
  const ok = h.callBytes('echo_any', nested(128));
  assert.equal(ok.status, 0);
  assert.equal(hex(ok.body), hex(nested(128)));
  assert.equal(h.call('depth', JSON.parse('['.repeat(128) + ']'.repeat(128))), 128);
  const deep = h.callBytes('echo_any', nested(129));
  assert.equal(deep.status, 3);
  assert.match(dec.decode(deep.body), /deeper than 128/);
  assert.equal(h.callBytes('echo_person', Uint8Array.from([...Array(300).fill(0x81).flatMap((x) => [x, 0xa1, 0x6b]), 0xc0])).status, 3);
  // Unknown fields of any depth are skipped with the same limit.
  const person = (extra) => concat(Uint8Array.from([0x83]), mp('name'), mp('x'), mp('tags'), mp([]), mp('extra'), extra);
  assert.equal(h.callBytes('echo_person', person(nested(100))).status, 3); // age missing
  assert.equal(h.callBytes('echo_person', person(nested(140))).status, 3);
});

test('outputs: after the input in the scratch buffer, else the output buffer; nested calls never use scratch', () => {
  const h = new Host(conformance);
  const small = h.callBytes('echo_string', mp('hello'));
  assert.ok(small.outPtr >= h.scratchPtr + 8 && small.outPtr % 8 === 0 && h.inScratch(small.outPtr));
  const viaAlloc = h.callBytes('str_stats', mp('x'.repeat(70000)));
  assert.equal(viaAlloc.outPtr, h.scratchPtr, 'input elsewhere: the envelope starts the scratch buffer');
  const big = h.callBytes('make_bytes', mp(200000));
  assert.ok(!h.inScratch(big.outPtr));
  assert.equal(big.body.length, 200005);
  const again = h.callBytes('make_bytes', mp(150000));
  assert.equal(again.outPtr, big.outPtr, 'the output buffer is reused');
  // Nested calls: the host function calls back into the guest through the allocation path.
  const seen = [];
  const n = new Host(conformance, {
    hostFns: {
      descend(args, host) {
        const k = mpDecode(args);
        const r = host.callBytes('recurse', mp(k - 1));
        seen.push(r.outPtr);
        assert.equal(r.status, 0);
        return envelope(0, mp(mpDecode(r.body) + 1));
      },
    },
  });
  assert.equal(n.call('recurse', 6), 6);
  assert.equal(seen.length, 6);
  for (const p of seen) assert.ok(!n.inScratch(p));
  assert.equal(new Set(seen).size, 1, 'nested calls reuse one output buffer');
});

test('host calls: answers are decoded and freed, errors keep message and value, bad answers are errors', () => {
  const h = new Host(conformance, { hostFns: testHostFns });
  assert.equal(h.call('call_host_add', 40, 2), 42);
  assert.equal(h.call('call_host_fail', 'nope'), 'host says: nope (code 7)');
  assert.match(h.call('call_host_missing'), /no_such_host_fn/);
  for (let i = 0; i < 300; i++) h.call('call_host_add', i, 1);
  const pages = h.mem().length;
  for (let i = 0; i < 20000; i++) h.call('call_host_add', i, 1);
  assert.equal(h.mem().length, pages, 'host-call answers are freed');
  // A host error with another status reaches the function as a failure with that message.
  const b = new Host(conformance, { hostFns: { add: () => envelope(3, enc.encode('cannot decode the arguments')) } });
  assert.throws(() => b.call('call_host_add', 1, 2), /cannot decode the arguments/);
  // An answer that is not a block from wabi_alloc is a protocol error, not a trap or a read.
  const c = new Host(conformance, { badAnswer: () => (BigInt(16) << 32n) | 100n });
  assert.throws(() => c.call('call_host_add', 1, 2), /invalid envelope/);
  const d = new Host(conformance, {
    badAnswer: (host) => { const p = host.x.wabi_alloc(12, 8) >>> 0; host.mem().set(envelope(0, Uint8Array.from([1, 2, 3, 4, 5])).subarray(0, 12), p); return (BigInt(p) << 32n) | 12n; },
  });
  assert.throws(() => d.call('call_host_add', 1, 2), /invalid envelope/);
  assert.equal(d.call('echo_bool', false), false);
});

test('host calls from the SDK test guest: wrong result types, statuses, no-argument calls', () => {
  const h = new Host(sdkGuest, {
    hostFns: {
      give_string: (args) => { assert.equal(args.length, 0); return envelope(0, mp('text')); },
      add: () => envelope(4, enc.encode('cannot encode')),
    },
  });
  assert.throws(() => h.call('host_wrong_type'), /give_string does not decode as u32: expected an integer, found a string/);
  assert.equal(h.call('host_status'), 'HostFailed 4 cannot encode');
});

test('config: absent keys, the retry with a buffer of the value\'s size, empty keys', () => {
  const h = new Host(conformance, { config: { greeting: 'hello ✓', big: 'x'.repeat(100000) } });
  assert.equal(h.call('config_get', 'greeting'), 'hello ✓');
  assert.equal(h.call('config_get', 'absent'), null);
  h.configCalls.length = 0;
  assert.equal(h.call('config_big'), 100000);
  assert.equal(h.configCalls.length, 2);
  assert.ok(h.configCalls[0][1] < 100000 && h.configCalls[1][1] >= 100000);
  const n = new Host(conformance, { config: {} });
  assert.equal(n.call('config_big'), 0);
  const e = new Host(sdkGuest, { config: { '': 'empty key' } });
  assert.equal(e.call('config_empty_key'), 'empty key');
  assert.equal(e.configCalls[0][2], 0, 'an empty key is passed as pointer 0');
});

test('panics: a panic record through wabi.panic, with a location from panicAt and formatted safety messages', () => {
  const h = new Host(conformance);
  assert.throws(() => h.call('boom', 'kaboom ✨'), (e) => {
    assert.ok(e instanceof GuestPanic);
    assert.deepEqual(parsePanic(e.record), { message: 'kaboom ✨', file: '', line: 0, column: 0 });
    return true;
  });
  const t = new Host(sdkGuest);
  assert.throws(() => t.call('panic_at', 'here'), (e) => {
    const p = parsePanic(e.record);
    assert.equal(p.message, 'here');
    assert.match(p.file, /guest\.zig$/);
    assert.ok(p.line > 0 && p.column > 0);
    return true;
  });
  assert.equal(new Host(sdkGuest).call('index', 2), 30);
  assert.throws(() => new Host(sdkGuest).call('index', 10), (e) => {
    assert.equal(parsePanic(e.record).message, 'index out of bounds: index 10, len 3');
    return true;
  });
});

test('logging: wabi.log and std.log through wabi.logFn', () => {
  const h = new Host(conformance);
  h.call('log_line', 'hello ✓');
  assert.deepEqual(h.logs, [[2, 'hello ✓']]);
  const t = new Host(sdkGuest);
  t.call('std_log', 'via std.log');
  assert.deepEqual(t.logs, [[2, 'via std.log'], [3, '(plugin) scoped 7']]);
});

test('errors, Pod, raw, defaults, timestamps', () => {
  const h = new Host(conformance);
  assert.throws(() => h.call('fail', 'x'), (e) => { assert.equal(e.message, 'app error 42: x'); assert.deepEqual(e.value, { code: 42, reason: 'x' }); return true; });
  const pod = h.callBytes('pod_add', concat(u32le(0x7fffffff), u32le(1)));
  assert.equal(pod.status, 0);
  assert.equal(new DataView(pod.body.buffer, pod.body.byteOffset).getBigInt64(0, true), 0x80000000n);
  for (const n of [0, 7, 9]) assert.equal(h.callBytes('pod_add', new Uint8Array(n)).status, 3);
  assert.equal(h.callBytes('raw_reverse', new Uint8Array()).body.length, 0);
  assert.equal(hex(h.callBytes('raw_reverse', Uint8Array.from([1, 2, 3])).body), '030201');
  const t = new Host(sdkGuest);
  assert.deepEqual(t.call('echo_options', { name: 'n' }), { retries: 3, name: 'n', inner: null, color: 'red' });
  assert.deepEqual(t.call('echo_options', { name: 'n', inner: { on: true }, color: 'green', retries: 9, other: [1] }), { retries: 9, name: 'n', inner: { on: true }, color: 'green' });
  assert.throws(() => t.call('echo_options', { retries: 1 }), /missing field "name"/);
  assert.throws(() => t.call('echo_options', { name: 'n', color: 'blue' }), /unknown variant "blue"/);
  assert.throws(() => t.call('zig_error', 0), (e) => { assert.equal(e.message, 'ZeroIsNotAllowed'); assert.equal(e.value, undefined); return true; });
  // Timestamps of 32, 64 and 96 bits (1 s; 1 s + 5 ns; -1 s + 7 ns) come back in the same form.
  for (const ts of ['d6ff00000001', 'd7ff0000001400000001', 'c70cff00000007ffffffffffffffff']) {
    const b = Uint8Array.from(Buffer.from(ts, 'hex'));
    assert.equal(hex(t.callBytes('echo_timestamp', b).body), ts);
  }
});

test('http_fetch: requests are the golden request_* bytes, Ok answers come back as maps', () => {
  let answer = unhex(httpVector('ok_200').hex);
  const h = new Host(conformance, { http: () => answer });
  const post = {
    method: 'POST',
    url: 'https://api.example.com/v1/check',
    headers: [['content-type', 'application/json'], ['x-tag', 'a'], ['x-tag', 'b']],
    body: enc.encode('{"id":7}'),
  };
  assert.deepEqual(h.call('http_fetch', post), { status: 200, headers: [['content-type', 'text/plain']], body: enc.encode('ok') });
  assert.equal(hex(h.httpRequests.at(-1)), httpVector('request_post').hex);
  // No headers and no body: both sent as 90 (the suite sends them so too).
  answer = unhex(httpVector('ok_204_empty').hex);
  const get = { method: 'GET', url: 'http://127.0.0.1:8080/users/7', headers: [], body: new Uint8Array() };
  assert.deepEqual(h.call('http_fetch', get), { status: 204, headers: [], body: [] });
  assert.equal(hex(h.httpRequests.at(-1)), httpVector('request_get').hex);
  // A 100 KB body and a response body of the same size.
  const big = new Uint8Array(100000).map((_, i) => i % 251);
  answer = envelope(0, mp({ status: 201, headers: [['a', '1'], ['A', '2']], body: big }));
  const r = h.call('http_fetch', { ...post, body: big });
  assert.equal(r.status, 201);
  assert.deepEqual(r.headers, [['a', '1'], ['A', '2']]);
  assert.equal(hex(r.body), hex(big));
  assert.equal(hex(mpDecode(h.httpRequests.at(-1)).body), hex(big));
  assert.equal(h.httpRequests.at(-1).length, 124 - 10 + 5 + 100000); // request_post with a bin 32 body
  // Answers are freed: memory stays flat over many requests.
  answer = unhex(httpVector('ok_200').hex);
  for (let i = 0; i < 200; i++) h.call('http_fetch', post);
  const pages = h.mem().length;
  for (let i = 0; i < 5000; i++) h.call('http_fetch', post);
  assert.equal(h.mem().length, pages, 'http answers are freed');
});

test('http_fetch: an error answer is passed on as it came (message, {"kind": KIND})', () => {
  let answer;
  const h = new Host(conformance, { http: () => answer });
  const get = { method: 'GET', url: 'http://127.0.0.1:8080/users/7', headers: [], body: new Uint8Array() };
  for (const v of httpVectors.filter((v) => v.name.startsWith('error_'))) {
    answer = unhex(v.hex);
    assert.equal(hex(h.callBytes('http_fetch', mp(get)).env), v.hex, v.name);
    assert.throws(() => h.call('http_fetch', get), (e) => {
      assert.equal(e.message, v.description);
      assert.deepEqual(e.value, { kind: v.name.slice('error_'.length) });
      return true;
    });
  }
  // An unknown kind keeps its name; any other status, or an invalid answer, is connect.
  answer = envelope(1, errorBody('http: a teapot', mp({ kind: 'teapot' })));
  assert.throws(() => h.call('http_fetch', get), (e) => e.message === 'http: a teapot' && e.value.kind === 'teapot');
  answer = envelope(3, enc.encode('bad arguments'));
  assert.throws(() => h.call('http_fetch', get), (e) => e.message === 'http: the host answered with status 3 (not 0 or 1)' && e.value.kind === 'connect');
  answer = envelope(0, mp({ headers: [] }));
  assert.throws(() => h.call('http_fetch', get), (e) => /response does not decode: missing field "status"/.test(e.message) && e.value.kind === 'connect');
  answer = (BigInt(16) << 32n) | 100n; // not a block from wabi_alloc
  assert.throws(() => h.call('http_fetch', get), (e) => e.message === 'http: the host answered with an invalid envelope' && e.value.kind === 'connect');
  answer = unhex(httpVector('ok_200').hex);
  assert.equal(h.call('http_fetch', get).status, 200);
});

test('http from the SDK test guest: the result union of Request.send', () => {
  let answer = unhex(httpVector('ok_200').hex);
  const h = new Host(sdkGuest, { http: () => answer });
  assert.equal(h.call('http_probe', 'https://example.com/'), '200 text/plain ok');
  assert.deepEqual(mpDecode(h.httpRequests.at(-1)), { method: 'GET', url: 'https://example.com/', headers: [['accept', '*/*']], body: [] });
  answer = unhex(httpVector('error_limit').hex);
  assert.equal(h.call('http_probe', 'https://example.com/'), 'limit limit: http: 8 requests per call');
  assert.equal(new Host(sdkGuest).call('http_probe', 'https://example.com/'), 'denied denied: http: no grant');
});
