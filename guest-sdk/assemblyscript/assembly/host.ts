// Calling host functions (ABI.md section 4.1): `wabi.host_call`, whose answer is a result
// envelope in a block the host allocated with wabi_alloc; the guest decodes it and frees it.
// `wabi.http_request` (http.ts) answers the same way and shares `takeAnswer`.

import { blockSize, freeBlock, hostCall } from "./memory";
import { Reader } from "./reader";
import { Writer } from "./writer";
import { utf8Decode, utf8Length, utf8Write } from "./utf8";
import { STATUS_OK, STATUS_ERROR, STATUS_BAD_ARGUMENTS, STATUS_BAD_RESULT } from "./export";

/** Why a host call failed. */
export enum HostErrorKind {
  /** The host function returned an error (status 1), including "no host function named ...". */
  Error = 1,
  /** The host could not decode the arguments (status 3). */
  BadArguments = 3,
  /** The host could not encode the function's result (status 4). */
  BadResult = 4,
  /** The guest could not decode the result into the type it asked for. */
  Decode = 100,
  /** The host's answer broke the ABI (a bad envelope or block). */
  Protocol = 101,
}

/** A failed host call: its kind, message and, for kind Error, the error's MessagePack value. */
export class HostError {
  constructor(
    public kind: HostErrorKind,
    public message: string,
    /** The error's value (MessagePack), or null if it has none. */
    public value: Uint8Array | null = null,
  ) {}

  /** Decodes the error's value as `T`; null (with `decodeError` set) if it has none or fails. */
  valueAs<T>(): T | null {
    const v = this.value;
    if (v === null) {
      this.decodeError = "the error has no value";
      return null;
    }
    const r = Reader.of(v);
    const out = r.read<T>();
    if (!r.ok) {
      this.decodeError = r.error;
      return null;
    }
    return out;
  }
  /** Why the last `valueAs` returned null. */
  decodeError: string | null = null;

  toString(): string {
    return this.message;
  }
}

/** The outcome of a host call: `value` when `ok`, else `error`. */
export class HostResult<T> {
  /** The result (a zero value, or null for references, when the call failed). */
  value: T;
  /** The failure, or null. */
  error: HostError | null = null;

  constructor(value: T, error: HostError | null) {
    this.value = value;
    this.error = error;
  }

  /** Whether the call succeeded. */
  get ok(): bool {
    return this.error === null;
  }
}

// The argument writer, reused: the host copies the arguments out before the function runs
// (ABI.md 4.1 step 1), so a nested call may reuse it. A host call made while arguments are being
// encoded (from an encode method) gets a writer of its own.
const argWriter = new Writer(256);
let argWriterBusy = false;

/** Starts the argument list of a host call with `count` arguments (ABI.md section 6.3). */
export function beginHostArgs(count: i32): Writer {
  let w: Writer;
  if (argWriterBusy) {
    w = new Writer(256);
  } else {
    argWriterBusy = true;
    w = argWriter.reset();
  }
  if (count >= 2) w.arrayHeader(<u32>count);
  return w;
}

function zero<T>(): T {
  if (isReference<T>()) return changetype<T>(0);
  // @ts-ignore: T is a number type here
  return <T>0;
}

/**
 * Calls host function `name` with the argument list written in `w` (from `beginHostArgs`) and
 * decodes its result as `R` (`Unit` for a function that returns nothing, `Value` for any value).
 */
export function finishHostCall<R>(name: string, w: Writer): HostResult<R> {
  const argsErr = w.error;
  if (argsErr !== null) {
    if (w === argWriter) argWriterBusy = false;
    return new HostResult<R>(zero<R>(), new HostError(HostErrorKind.BadArguments,
      "cannot encode the arguments of host function " + name + ": " + argsErr));
  }
  // The name goes after the arguments, in the same buffer.
  const argsLen = w.len;
  const nameLen = utf8Length(name);
  const nameAt = w.reserve(nameLen);
  utf8Write(name, nameAt);
  const packed = hostCall(nameAt, nameLen, argsLen == 0 ? 0 : w.base, argsLen);
  if (w === argWriter) argWriterBusy = false;
  return takeAnswer<R>(packed, name, false);
}

// Who answered, for messages (made only on a failure): host function NAME, or the HTTP import.
function who(name: string, http: bool): string {
  return http ? "wabi.http_request" : "host function " + name;
}

/**
 * Takes the answer of an import that returns a result envelope in a block from the guest's
 * wabi_alloc (`wabi.host_call`, `wabi.http_request`): checks that `(ptr, len)` is a block this
 * guest handed out with at least `len >= 8` bytes (ABI.md 4.1), decodes the envelope (an Ok
 * body as `R`), then frees the block. A location that fails the check is not freed.
 */
export function takeAnswer<R>(packed: u64, name: string, http: bool): HostResult<R> {
  const ptr = <usize>(packed >>> 32);
  const len = <u32>packed;
  const size = blockSize(ptr);
  if (size < 0 || <i64>len > size || len < 8) {
    return new HostResult<R>(zero<R>(), new HostError(HostErrorKind.Protocol,
      who(name, http) + " answered with an invalid envelope location"));
  }
  const result = decodeEnvelope<R>(name, http, ptr, len);
  freeBlock(ptr);
  return result;
}

function decodeEnvelope<R>(name: string, http: bool, ptr: usize, len: u32): HostResult<R> {
  const status = load<u32>(ptr);
  const bodyLen = load<u32>(ptr, 4);
  if (bodyLen != len - 8) {
    return new HostResult<R>(zero<R>(), new HostError(HostErrorKind.Protocol,
      who(name, http) + ": envelope body_len " + bodyLen.toString() + " does not match " +
      (len - 8).toString()));
  }
  const body = ptr + 8;
  if (status == STATUS_OK) {
    const r = new Reader(body, <usize>bodyLen);
    const value = r.read<R>();
    if (r.ok && r.pos != r.end) r.fail("trailing bytes after the result");
    const err = r.error;
    if (err !== null) {
      return new HostResult<R>(zero<R>(), new HostError(HostErrorKind.Decode,
        "cannot decode the result of " + who(name, http) + ": " + err));
    }
    return new HostResult<R>(value, null);
  }
  if (status == STATUS_ERROR) {
    // Error body: message_len, value_len, message, value (ABI.md section 7.4).
    if (bodyLen < 8) return protocol<R>(name, http, "error body shorter than 8 bytes");
    const msgLen = load<u32>(body);
    const valueLen = load<u32>(body, 4);
    if (<u64>8 + <u64>msgLen + <u64>valueLen != <u64>bodyLen) {
      return protocol<R>(name, http, "error body lengths do not add up");
    }
    const message = utf8Decode(body + 8, <usize>msgLen, true);
    let value: Uint8Array | null = null;
    if (valueLen > 0) {
      const v = new Uint8Array(valueLen);
      memory.copy(v.dataStart, body + 8 + <usize>msgLen, valueLen);
      value = v;
    }
    return new HostResult<R>(zero<R>(), new HostError(HostErrorKind.Error, message!, value));
  }
  if (status == STATUS_BAD_ARGUMENTS || status == STATUS_BAD_RESULT) {
    const message = utf8Decode(body, <usize>bodyLen, true);
    return new HostResult<R>(zero<R>(), new HostError(
      status == STATUS_BAD_ARGUMENTS ? HostErrorKind.BadArguments : HostErrorKind.BadResult, message!));
  }
  return protocol<R>(name, http, "invalid status " + status.toString());
}

function protocol<R>(name: string, http: bool, what: string): HostResult<R> {
  return new HostResult<R>(zero<R>(), new HostError(HostErrorKind.Protocol,
    who(name, http) + " answered with a malformed envelope: " + what));
}

// --- Typed host calls with 0 to 8 arguments. ---

/** Calls host function `name` with no arguments. */
export function callHost0<R>(name: string): HostResult<R> {
  return finishHostCall<R>(name, beginHostArgs(0));
}

export function callHost1<A, R>(name: string, a: A): HostResult<R> {
  const w = beginHostArgs(1);
  w.write<A>(a);
  return finishHostCall<R>(name, w);
}

export function callHost2<A, B, R>(name: string, a: A, b: B): HostResult<R> {
  const w = beginHostArgs(2);
  w.write<A>(a).write<B>(b);
  return finishHostCall<R>(name, w);
}

export function callHost3<A, B, C, R>(name: string, a: A, b: B, c: C): HostResult<R> {
  const w = beginHostArgs(3);
  w.write<A>(a).write<B>(b).write<C>(c);
  return finishHostCall<R>(name, w);
}

export function callHost4<A, B, C, D, R>(name: string, a: A, b: B, c: C, d: D): HostResult<R> {
  const w = beginHostArgs(4);
  w.write<A>(a).write<B>(b).write<C>(c).write<D>(d);
  return finishHostCall<R>(name, w);
}

export function callHost5<A, B, C, D, E, R>(
  name: string, a: A, b: B, c: C, d: D, e: E,
): HostResult<R> {
  const w = beginHostArgs(5);
  w.write<A>(a).write<B>(b).write<C>(c).write<D>(d).write<E>(e);
  return finishHostCall<R>(name, w);
}

export function callHost6<A, B, C, D, E, F, R>(
  name: string, a: A, b: B, c: C, d: D, e: E, f: F,
): HostResult<R> {
  const w = beginHostArgs(6);
  w.write<A>(a).write<B>(b).write<C>(c).write<D>(d).write<E>(e).write<F>(f);
  return finishHostCall<R>(name, w);
}

export function callHost7<A, B, C, D, E, F, G, R>(
  name: string, a: A, b: B, c: C, d: D, e: E, f: F, g: G,
): HostResult<R> {
  const w = beginHostArgs(7);
  w.write<A>(a).write<B>(b).write<C>(c).write<D>(d).write<E>(e).write<F>(f).write<G>(g);
  return finishHostCall<R>(name, w);
}

export function callHost8<A, B, C, D, E, F, G, H, R>(
  name: string, a: A, b: B, c: C, d: D, e: E, f: F, g: G, h: H,
): HostResult<R> {
  const w = beginHostArgs(8);
  w.write<A>(a).write<B>(b).write<C>(c).write<D>(d).write<E>(e).write<F>(f).write<G>(g).write<H>(h);
  return finishHostCall<R>(name, w);
}
