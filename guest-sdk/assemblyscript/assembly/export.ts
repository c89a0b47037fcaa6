// Exported user functions (ABI.md sections 6 and 7): resolve the input, decode the argument
// list, call the handler, answer with a result envelope.

import {
  classifyInput, freeBlock, isScratch, pack, INPUT_INVALID,
} from "./memory";
import { Reader } from "./reader";
import { Writer } from "./writer";

// --- Status codes (ABI.md section 7.2). ---
export const STATUS_OK: u32 = 0;
export const STATUS_ERROR: u32 = 1;
export const STATUS_PANIC: u32 = 2;
export const STATUS_BAD_ARGUMENTS: u32 = 3;
export const STATUS_BAD_RESULT: u32 = 4;

/**
 * What a fallible handler returns instead of a plain value: an `ok` value, an error (message and
 * optional MessagePack value), or BadArguments. The value is encoded when the Result is made.
 */
export class Result {
  constructor(
    /** One of the STATUS_* codes. */
    public status: u32,
    /** Error and BadArguments: the message. */
    public message: string,
    /** Ok: the encoded body; Error: the encoded value, or null for none. */
    public body: Uint8Array | null,
    /** The error of encoding the value, if it failed (the answer is then BadResult). */
    public encodeError: string | null = null,
  ) {}

  /** Whether this is an ok result. */
  get isOk(): bool {
    return this.status == STATUS_OK;
  }
}

/** A successful result: `value` encoded as MessagePack (any type `Writer.write` accepts). */
export function ok<T>(value: T): Result {
  const w = new Writer(64);
  if (isVoid<T>()) w.nil();
  else w.write<T>(value);
  return new Result(STATUS_OK, "", w.toBytes(), w.error);
}

/** A successful result of a raw or Pod function: `body` exactly, no MessagePack. */
export function okBytes(body: Uint8Array): Result {
  return new Result(STATUS_OK, "", body);
}

/** An error with a message and no value (ABI.md section 7.4). */
export function fail(message: string): Result {
  return new Result(STATUS_ERROR, message, null);
}

/** An error with a message and a value for programs (e.g. `{code: 42}`), encoded as MessagePack. */
export function failWith<E>(message: string, value: E): Result {
  const w = new Writer(64);
  w.write<E>(value);
  return new Result(STATUS_ERROR, message, w.toBytes(), w.error);
}

/** Refuses the arguments (status 3), e.g. after checks of your own. */
export function badArguments(message: string): Result {
  return new Result(STATUS_BAD_ARGUMENTS, message, null);
}

// --- The output buffer. ---

// Every call writes its envelope into `out`, reused from call to call, after its handler has
// returned; the bytes stay valid until the next call into the instance (ABI.md 6.2 step 5). A
// nested call (a host function calling back into the guest) runs inside the handler, so it finds
// `out` free and the host reads its envelope before the outer call writes its own. Only when a
// call back happens while an envelope is being written (from an encode method or a Pod handler
// that calls the host) does the nested call get a writer of its own.
const out = new Writer(1024);
let outBusy = false;
// Keeps the envelope of a nested call reachable until the host has read it.
let nestedOut: Writer | null = null;

function acquireOut(): Writer {
  if (outBusy) {
    const w = new Writer(256);
    nestedOut = w;
    return w;
  }
  outBusy = true;
  return out.reset();
}

function release(w: Writer): u64 {
  // Envelope header: status was written first; body_len = everything after the 8 bytes.
  store<u32>(w.base, w.len - 8, 4);
  if (w === out) outBusy = false;
  return pack(w.base, w.len);
}

/** An envelope of a status and a UTF-8 message (BadArguments, BadResult, or Error without value). */
function answer(status: u32, message: string): u64 {
  const w = acquireOut();
  w.u32le(status).u32le(0);
  if (status == STATUS_ERROR) w.u32le(<u32>String.UTF8.byteLength(message, false)).u32le(0);
  writeUtf8(w, message);
  return release(w);
}

function writeUtf8(w: Writer, s: string): void {
  const n = <u32>String.UTF8.byteLength(s, false);
  const at = w.reserve(n);
  String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, at, false, String.UTF8.ErrorMode.REPLACE);
}

/** Writes a Result's envelope. */
function writeResult(res: Result): u64 {
  const encodeError = res.encodeError;
  if (changetype<usize>(encodeError) != 0) return answer(STATUS_BAD_RESULT, "cannot encode the result: " + changetype<string>(encodeError));
  const status = res.status;
  if (status == STATUS_OK) {
    const w = acquireOut();
    w.u32le(STATUS_OK).u32le(0);
    const body = res.body;
    if (body !== null) w.rawBytes(body);
    return release(w);
  }
  if (status == STATUS_ERROR) {
    // Error body: message_len, value_len, message, value (ABI.md section 7.4).
    const w = acquireOut();
    w.u32le(STATUS_ERROR).u32le(0);
    const msgLen = <u32>String.UTF8.byteLength(res.message, false);
    const value = res.body;
    w.u32le(msgLen).u32le(value === null ? 0 : <u32>value.length);
    writeUtf8(w, res.message);
    if (value !== null) w.rawBytes(value);
    return release(w);
  }
  if (status == STATUS_BAD_ARGUMENTS || status == STATUS_BAD_RESULT) return answer(status, res.message);
  return answer(STATUS_BAD_RESULT, "invalid result status " + status.toString());
}

/** The envelope of a handler's return value. */
function finish<R>(res: R): u64 {
  if (isReference<R>()) {
    if (res instanceof Result) return writeResult(changetype<Result>(res));
  }
  const w = acquireOut();
  w.u32le(STATUS_OK).u32le(0);
  w.write<R>(res);
  if (!w.ok) {
    const err = w.error!;
    if (w === out) outBusy = false;
    return answer(STATUS_BAD_RESULT, "cannot encode the result: " + err);
  }
  return release(w);
}

// The constant envelope of a handler that returns nothing: status Ok, body nil. Read-only data of
// the module, the same in every call (ABI.md 6.2 step 5 allows this).
const UNIT_ENVELOPE: usize = memory.data<u8>([0, 0, 0, 0, 1, 0, 0, 0, 0xc0]);

function unit(): u64 {
  return pack(UNIT_ENVELOPE, 9);
}

// --- Arguments. ---

// The reader of arguments, reused; a call back into the guest while arguments are decoded (an
// unusual decode method that calls the host) gets its own.
const argReader = new Reader();
let argReaderBusy = false;

/** Opens the input of a call that takes `count` arguments. */
function beginArgs(ptr: u32, len: u32, count: i32): Reader {
  let r: Reader;
  if (argReaderBusy) {
    r = new Reader();
  } else {
    argReaderBusy = true;
    r = argReader;
  }
  const kind = classifyInput(<usize>ptr, len);
  if (kind == INPUT_INVALID) {
    r.reset(0, 0);
    r.fail("the input (" + len.toString() + " bytes at " + ptr.toString() +
      ") is neither in the scratch buffer nor a block from wabi_alloc");
    return r;
  }
  r.reset(<usize>ptr, <usize>len);
  if (count == 0) {
    // Zero arguments: empty input, nil or an empty array (ABI.md section 6.3).
    if (len != 0) {
      const b = r.peek();
      if (len == 1 && (b == 0xc0 || b == 0x90)) r.pos += 1;
      else r.fail("expected no arguments");
    }
  } else if (count >= 2) {
    const n = r.arrayHeader();
    if (r.ok && n != <u32>count) {
      r.fail("expected " + count.toString() + " arguments, got " + n.toString());
    }
  }
  return r;
}

/** Closes the input: frees an owned block; returns the decode error, if any. */
function endArgs(r: Reader, ptr: u32, len: u32): string | null {
  if (r.ok && r.pos != r.end) r.fail("trailing bytes after the arguments");
  const err: string | null = r.ok ? null : r.error;
  if (r === argReader) argReaderBusy = false;
  freeInput(ptr, len);
  return err;
}

// Decoded values never borrow from the input (strings and bytes are copied), so an input block
// is freed as soon as the arguments are decoded, before the handler runs: this is the ABI's
// "after the user function has returned" with nothing left that could borrow from it.
function freeInput(ptr: u32, len: u32): void {
  if (len != 0 && !isScratch(<usize>ptr)) freeBlock(<usize>ptr);
}

// --- Typed exports: 0 to 8 MessagePack arguments. ---
//
// A handler returns its value (any type Writer.write accepts), a Result (to fail), or nothing
// (void: the answer is nil). Write one export per function:
//
//   export function greet(ptr: u32, len: u32): u64 {
//     return wabi.export2<Person, string, string>(ptr, len,
//       (p: Person, greeting: string): string => greeting + ", " + p.name);
//   }

export function export0<R>(ptr: u32, len: u32, f: () => R): u64 {
  const r = beginArgs(ptr, len, 0);
  const err = endArgs(r, ptr, len);
  if (changetype<usize>(err) != 0) return answer(STATUS_BAD_ARGUMENTS, changetype<string>(err));
  if (isVoid<R>()) {
    f();
    return unit();
  } else {
    return finish<R>(f());
  }
}

export function export1<A, R>(ptr: u32, len: u32, f: (a: A) => R): u64 {
  const r = beginArgs(ptr, len, 1);
  const a = r.read<A>();
  const err = endArgs(r, ptr, len);
  if (changetype<usize>(err) != 0) return answer(STATUS_BAD_ARGUMENTS, changetype<string>(err));
  if (isVoid<R>()) {
    f(a);
    return unit();
  } else {
    return finish<R>(f(a));
  }
}

export function export2<A, B, R>(ptr: u32, len: u32, f: (a: A, b: B) => R): u64 {
  const r = beginArgs(ptr, len, 2);
  const a = r.read<A>();
  const b = r.read<B>();
  const err = endArgs(r, ptr, len);
  if (changetype<usize>(err) != 0) return answer(STATUS_BAD_ARGUMENTS, changetype<string>(err));
  if (isVoid<R>()) {
    f(a, b);
    return unit();
  } else {
    return finish<R>(f(a, b));
  }
}

export function export3<A, B, C, R>(ptr: u32, len: u32, f: (a: A, b: B, c: C) => R): u64 {
  const r = beginArgs(ptr, len, 3);
  const a = r.read<A>();
  const b = r.read<B>();
  const c = r.read<C>();
  const err = endArgs(r, ptr, len);
  if (changetype<usize>(err) != 0) return answer(STATUS_BAD_ARGUMENTS, changetype<string>(err));
  if (isVoid<R>()) {
    f(a, b, c);
    return unit();
  } else {
    return finish<R>(f(a, b, c));
  }
}

export function export4<A, B, C, D, R>(ptr: u32, len: u32, f: (a: A, b: B, c: C, d: D) => R): u64 {
  const r = beginArgs(ptr, len, 4);
  const a = r.read<A>();
  const b = r.read<B>();
  const c = r.read<C>();
  const d = r.read<D>();
  const err = endArgs(r, ptr, len);
  if (changetype<usize>(err) != 0) return answer(STATUS_BAD_ARGUMENTS, changetype<string>(err));
  if (isVoid<R>()) {
    f(a, b, c, d);
    return unit();
  } else {
    return finish<R>(f(a, b, c, d));
  }
}

export function export5<A, B, C, D, E, R>(
  ptr: u32, len: u32, f: (a: A, b: B, c: C, d: D, e: E) => R,
): u64 {
  const r = beginArgs(ptr, len, 5);
  const a = r.read<A>();
  const b = r.read<B>();
  const c = r.read<C>();
  const d = r.read<D>();
  const e = r.read<E>();
  const err = endArgs(r, ptr, len);
  if (changetype<usize>(err) != 0) return answer(STATUS_BAD_ARGUMENTS, changetype<string>(err));
  if (isVoid<R>()) {
    f(a, b, c, d, e);
    return unit();
  } else {
    return finish<R>(f(a, b, c, d, e));
  }
}

export function export6<A, B, C, D, E, F, R>(
  ptr: u32, len: u32, f: (a: A, b: B, c: C, d: D, e: E, f: F) => R,
): u64 {
  const r = beginArgs(ptr, len, 6);
  const a = r.read<A>();
  const b = r.read<B>();
  const c = r.read<C>();
  const d = r.read<D>();
  const e = r.read<E>();
  const g = r.read<F>();
  const err = endArgs(r, ptr, len);
  if (changetype<usize>(err) != 0) return answer(STATUS_BAD_ARGUMENTS, changetype<string>(err));
  if (isVoid<R>()) {
    f(a, b, c, d, e, g);
    return unit();
  } else {
    return finish<R>(f(a, b, c, d, e, g));
  }
}

export function export7<A, B, C, D, E, F, G, R>(
  ptr: u32, len: u32, f: (a: A, b: B, c: C, d: D, e: E, f: F, g: G) => R,
): u64 {
  const r = beginArgs(ptr, len, 7);
  const a = r.read<A>();
  const b = r.read<B>();
  const c = r.read<C>();
  const d = r.read<D>();
  const e = r.read<E>();
  const g = r.read<F>();
  const h = r.read<G>();
  const err = endArgs(r, ptr, len);
  if (changetype<usize>(err) != 0) return answer(STATUS_BAD_ARGUMENTS, changetype<string>(err));
  if (isVoid<R>()) {
    f(a, b, c, d, e, g, h);
    return unit();
  } else {
    return finish<R>(f(a, b, c, d, e, g, h));
  }
}

export function export8<A, B, C, D, E, F, G, H, R>(
  ptr: u32, len: u32, f: (a: A, b: B, c: C, d: D, e: E, f: F, g: G, h: H) => R,
): u64 {
  const r = beginArgs(ptr, len, 8);
  const a = r.read<A>();
  const b = r.read<B>();
  const c = r.read<C>();
  const d = r.read<D>();
  const e = r.read<E>();
  const g = r.read<F>();
  const h = r.read<G>();
  const i = r.read<H>();
  const err = endArgs(r, ptr, len);
  if (changetype<usize>(err) != 0) return answer(STATUS_BAD_ARGUMENTS, changetype<string>(err));
  if (isVoid<R>()) {
    f(a, b, c, d, e, g, h, i);
    return unit();
  } else {
    return finish<R>(f(a, b, c, d, e, g, h, i));
  }
}

// --- Raw and Pod functions (ABI.md section 6.4). ---

/**
 * A raw function: the input bytes exactly, the result bytes exactly, no MessagePack. The handler
 * returns a Uint8Array (the Ok body) or a Result (`okBytes(body)`, `fail(...)`).
 */
export function exportRaw<R>(ptr: u32, len: u32, f: (input: Uint8Array) => R): u64 {
  const kind = classifyInput(<usize>ptr, len);
  if (kind == INPUT_INVALID) {
    freeInput(ptr, len);
    return answer(STATUS_BAD_ARGUMENTS, "the input is neither in the scratch buffer nor a block from wabi_alloc");
  }
  const input = new Uint8Array(len);
  if (len != 0) memory.copy(input.dataStart, <usize>ptr, len);
  freeInput(ptr, len);
  const res = f(input);
  if (res instanceof Result) return writeResult(changetype<Result>(res));
  if (res instanceof Uint8Array) {
    const w = acquireOut();
    w.u32le(STATUS_OK).u32le(0).rawBytes(changetype<Uint8Array>(res));
    return release(w);
  }
  ERROR("exportRaw: the handler must return a Uint8Array or a wabi.Result");
  return 0;
}

/**
 * A Pod function: the input is the bytes of a fixed-size struct `I`, the answer those of a struct
 * `O` (both `@unmanaged` classes: fields in declaration order, little-endian, no headers; declare
 * fields so that there is no padding, as `#[repr(C)]` Rust structs without padding). The handler
 * reads `input` in place and fills `output`, which starts zeroed. An input of any other size is
 * BadArguments.
 */
export function exportPod<I, O>(ptr: u32, len: u32, f: (input: I, output: O) => void): u64 {
  if (isManaged<I>() || isManaged<O>()) ERROR("exportPod: I and O must be @unmanaged classes");
  const inSize = offsetof<I>();
  const outSize = offsetof<O>();
  const kind = classifyInput(<usize>ptr, len);
  if (kind == INPUT_INVALID || <usize>len != inSize) {
    freeInput(ptr, len);
    return answer(STATUS_BAD_ARGUMENTS,
      "expected a " + inSize.toString() + "-byte struct, got " + len.toString() + " bytes");
  }
  const w = acquireOut();
  w.u32le(STATUS_OK).u32le(0);
  const at = w.reserve(<u32>outSize);
  memory.fill(at, 0, outSize);
  f(changetype<I>(<usize>ptr), changetype<O>(at));
  freeInput(ptr, len);
  return release(w);
}
