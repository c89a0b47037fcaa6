#!/usr/bin/env node
// Renames exports of a WebAssembly module, in place:
//
//   node rename-exports.mjs module.wasm from=to [from=to ...]
//
// AssemblyScript names an export after its function, and a function name is an identifier, so an
// export such as `renamed.fn` cannot be written in the source: export `renamed_fn` and rename it
// here. Only the export section changes (names are bytes there; any UTF-8 name is valid); every
// other byte of the module is copied as it is. Fails if a `from` is not exported or a `to` already is.

import { readFileSync, writeFileSync } from "node:fs";

function fail(msg) {
  console.error(`rename-exports: ${msg}`);
  process.exit(1);
}

const [file, ...pairs] = process.argv.slice(2);
if (!file || pairs.length === 0) fail("usage: rename-exports.mjs module.wasm from=to [from=to ...]");
const renames = new Map();
for (const p of pairs) {
  const i = p.indexOf("=");
  if (i <= 0 || i === p.length - 1) fail(`bad rename ${JSON.stringify(p)} (want from=to)`);
  renames.set(p.slice(0, i), p.slice(i + 1));
}

const bytes = readFileSync(file);
if (bytes.length < 8 || bytes.readUInt32LE(0) !== 0x6d736100 || bytes.readUInt32LE(4) !== 1) {
  fail(`${file} is not a WebAssembly module`);
}

function readU32(buf, pos) {
  let result = 0, shift = 0, b;
  do {
    if (pos >= buf.length) fail("truncated LEB128");
    b = buf[pos++];
    result |= (b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80);
  return [result >>> 0, pos];
}

function u32(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return Buffer.from(out);
}

const parts = [bytes.subarray(0, 8)];
let pos = 8;
let found = false;
while (pos < bytes.length) {
  const id = bytes[pos];
  const [size, body] = readU32(bytes, pos + 1);
  const end = body + size;
  if (end > bytes.length) fail("truncated section");
  if (id !== 7) {
    parts.push(bytes.subarray(pos, end));
    pos = end;
    continue;
  }
  found = true;
  let [count, p] = readU32(bytes, body);
  const entries = [];
  const names = new Set();
  for (let i = 0; i < count; i++) {
    const [len, q] = readU32(bytes, p);
    const name = bytes.subarray(q, q + len).toString("utf8");
    p = q + len;
    const kind = bytes[p++];
    const [index, r] = readU32(bytes, p);
    p = r;
    entries.push({ name, kind, index });
    names.add(name);
  }
  if (p !== end) fail("malformed export section");
  for (const [from, to] of renames) {
    if (!names.has(from)) fail(`no export named ${JSON.stringify(from)}`);
    if (names.has(to)) fail(`an export named ${JSON.stringify(to)} already exists`);
  }
  const out = [u32(count)];
  for (const e of entries) {
    const name = Buffer.from(renames.get(e.name) ?? e.name, "utf8");
    out.push(u32(name.length), name, Buffer.from([e.kind]), u32(e.index));
  }
  const payload = Buffer.concat(out);
  parts.push(Buffer.from([7]), u32(payload.length), payload);
  pos = end;
}
if (!found) fail("the module has no export section");
writeFileSync(file, Buffer.concat(parts));
