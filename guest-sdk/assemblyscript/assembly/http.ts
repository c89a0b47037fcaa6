// Outbound HTTP (ABI.md section 4.4, ABI 1.3): `wabi.http_request` takes one MessagePack request
// map and answers, like `wabi.host_call`, with a result envelope in a block from the guest's
// wabi_alloc: Ok with the response, or Error whose value is `{"kind": KIND}`. The answer is
// checked, decoded and freed by host.ts (`takeAnswer`).
//
//   const r = new wabi.HttpRequest("GET", "https://api.example.com/v1/users/7")
//     .header("accept", "application/json")
//     .send();
//   if (r.ok) use(r.response!.status, r.response!.text());
//   else if (r.error!.kind == "denied") ...

import { hostHttpRequest } from "./memory";
import { HostError, HostErrorKind, takeAnswer } from "./host";
import { Reader } from "./reader";
import { Writer } from "./writer";
import { utf8Decode, utf8Length, utf8Write } from "./utf8";

/** One header field, `[name, value]` on the wire. */
export class HttpHeader {
  constructor(public name: string = "", public value: string = "") {}

  /** A 2-element array `[name, value]`. */
  encode(w: Writer): void {
    w.arrayHeader(2).str(this.name).str(this.value);
  }

  decode(r: Reader): void {
    const n = r.arrayHeader();
    if (r.ok && n != 2) {
      r.fail("a header is an array of 2 (name, value), found " + n.toString());
      return;
    }
    this.name = r.str();
    this.value = r.str();
  }
}

/**
 * A request to make with `send()`: the method (upper case, compared case-sensitively by the
 * host), an absolute `http://` or `https://` URL, headers in order (a name may repeat) and a
 * body. Do not set the headers the host owns (`host`, `content-length`, `transfer-encoding`,
 * `connection`, ...): the host refuses such a request with kind `bad_request`.
 */
export class HttpRequest {
  /** Header fields in the order they are sent. */
  headers: Array<HttpHeader> = [];
  /** The body (empty: no body). */
  bodyBytes: Uint8Array = new Uint8Array(0);

  constructor(public method: string = "GET", public url: string = "") {}

  /** Adds a header field (after those already added; the same name may be added again). */
  header(name: string, value: string): HttpRequest {
    this.headers.push(new HttpHeader(name, value));
    return this;
  }

  /** Sets the body to `bytes` (the array is not copied). */
  body(bytes: Uint8Array): HttpRequest {
    this.bodyBytes = bytes;
    return this;
  }

  /** Sets the body to the UTF-8 bytes of `s` (no content-type is added: set one with `header`). */
  text(s: string): HttpRequest {
    const b = new Uint8Array(utf8Length(s));
    utf8Write(s, b.dataStart);
    this.bodyBytes = b;
    return this;
  }

  /** The request map `{method, url, headers, body}`, all four keys in this order (ABI.md 4.4). */
  encode(w: Writer): void {
    w.mapHeader(4).field("method", this.method).field("url", this.url)
      .field("headers", this.headers).field("body", this.bodyBytes);
  }

  /** Reads a request map (keys by name, unknown ones skipped, headers and body optional). */
  decode(r: Reader): void {
    const n = r.mapHeader();
    for (let i: u32 = 0; i < n && r.ok; i++) {
      if (r.keyIs("method")) this.method = r.str();
      else if (r.keyIs("url")) this.url = r.str();
      else if (r.keyIs("headers")) this.headers = r.read<Array<HttpHeader>>();
      else if (r.keyIs("body")) this.bodyBytes = r.bin();
      else r.skipField();
    }
  }

  /**
   * Makes the request through the host (`wabi.http_request`). Never throws for a refused or
   * failed request: the result holds the response (any status, 4xx and 5xx included) or the
   * error. The host follows redirects only if the plugin's grant says so.
   */
  send(): HttpResult {
    let size = 32 + <i32>this.bodyBytes.length + 3 * (this.method.length + this.url.length);
    const headers = this.headers;
    for (let i = 0; i < headers.length; i++) {
      const h = unchecked(headers[i]);
      size += 8 + 3 * (h.name.length + h.value.length);
    }
    const w = new Writer(<u32>size);
    this.encode(w);
    // Keeps the request reachable while the host runs (it calls wabi_alloc, which may collect).
    inFlight = w;
    const packed = hostHttpRequest(w.base, w.len);
    inFlight = null;
    const r = takeAnswer<HttpResponse>(packed, "", true);
    if (r.ok) return new HttpResult(r.value, null);
    return new HttpResult(null, httpError(r.error!));
  }
}

// The request being sent: nothing calls back into the guest's user code during
// wabi.http_request, so one slot suffices.
let inFlight: Writer | null = null;

/** A response: the final one, after any redirects the host followed. */
export class HttpResponse {
  /** The status code (a 4xx or 5xx is a response, not an error). */
  status: u16 = 0;
  /** Header fields in the order received; names in lower case. */
  headers: Array<HttpHeader> = [];
  /** The whole body. */
  body: Uint8Array = new Uint8Array(0);

  /** The value of the first header named `name` (ASCII case-insensitive), or null. */
  header(name: string): string | null {
    const headers = this.headers;
    for (let i = 0; i < headers.length; i++) {
      const h = unchecked(headers[i]);
      if (equalsIgnoreAsciiCase(h.name, name)) return h.value;
    }
    return null;
  }

  /** The values of every header named `name` (ASCII case-insensitive), in order. */
  headerValues(name: string): Array<string> {
    const out = new Array<string>();
    const headers = this.headers;
    for (let i = 0; i < headers.length; i++) {
      const h = unchecked(headers[i]);
      if (equalsIgnoreAsciiCase(h.name, name)) out.push(h.value);
    }
    return out;
  }

  /** The body as a string (UTF-8; invalid bytes become U+FFFD). */
  text(): string {
    return utf8Decode(this.body.dataStart, <usize>this.body.length, true)!;
  }

  /** The answer map `{status, headers, body}`, keys in this order (empty body: `90`). */
  encode(w: Writer): void {
    w.mapHeader(3).field("status", this.status).field("headers", this.headers)
      .field("body", this.body);
  }

  /** Reads the answer map; `status` is required, headers and body may be missing. */
  decode(r: Reader): void {
    const n = r.mapHeader();
    let hasStatus = false;
    for (let i: u32 = 0; i < n && r.ok; i++) {
      if (r.keyIs("status")) {
        this.status = r.uint16();
        hasStatus = true;
      } else if (r.keyIs("headers")) this.headers = r.read<Array<HttpHeader>>();
      else if (r.keyIs("body")) this.body = r.bin();
      else r.skipField();
    }
    if (r.ok && !hasStatus) r.fail("the response has no status");
  }
}

/**
 * The kinds of HTTP error of ABI 1.3. A kind the SDK does not know (from a later host) is
 * `Connect` (ABI.md 4.4); `HttpError.kind` keeps its name.
 */
export enum HttpErrorKind {
  /** `denied`: no grant, or a scheme, host, port, method or address the grant does not allow. */
  Denied,
  /** `timeout`: no complete response in time. */
  Timeout,
  /** `too_large`: the request body, or the response's headers or body, over the grant's limit. */
  TooLarge,
  /** `connect`: no resolution, no connection, a TLS failure, a server breaking HTTP (or unknown). */
  Connect,
  /** `limit`: as many requests in this call as the grant allows were already made. */
  Limit,
  /** `bad_request`: the request does not decode, or its URL, method or a header is invalid. */
  BadRequest,
  /** `too_many_redirects`: more redirects than the grant follows. */
  TooManyRedirects,
}

/** The wire name of `kind`: `denied`, `timeout`, `too_large`, ... */
export function httpErrorKindName(kind: HttpErrorKind): string {
  switch (kind) {
    case HttpErrorKind.Denied: return "denied";
    case HttpErrorKind.Timeout: return "timeout";
    case HttpErrorKind.TooLarge: return "too_large";
    case HttpErrorKind.Limit: return "limit";
    case HttpErrorKind.BadRequest: return "bad_request";
    case HttpErrorKind.TooManyRedirects: return "too_many_redirects";
    default: return "connect";
  }
}

/** The kind named `name`; `Connect` for a name this version does not know. */
export function parseHttpErrorKind(name: string): HttpErrorKind {
  if (name == "denied") return HttpErrorKind.Denied;
  if (name == "timeout") return HttpErrorKind.Timeout;
  if (name == "too_large") return HttpErrorKind.TooLarge;
  if (name == "limit") return HttpErrorKind.Limit;
  if (name == "bad_request") return HttpErrorKind.BadRequest;
  if (name == "too_many_redirects") return HttpErrorKind.TooManyRedirects;
  return HttpErrorKind.Connect;
}

/**
 * Why a request got no response: `kind` as the host named it (`denied`, `timeout`, `too_large`,
 * `connect`, `limit`, `bad_request`, `too_many_redirects`, or a later version's name) and the
 * host's message for people. Encodes as its wire value `{"kind": kind}`, so that
 * `wabi.failWith<HttpError>(e.message, e)` passes it on unchanged.
 */
export class HttpError {
  constructor(public kind: string = "connect", public message: string = "") {}

  /** The kind as an enum: an unknown name is `Connect`. */
  get code(): HttpErrorKind {
    return parseHttpErrorKind(this.kind);
  }

  /** Whether `kind` is one of the names of this version. */
  get isKnownKind(): bool {
    return this.kind == httpErrorKindName(this.code);
  }

  /** The error value `{"kind": kind}` (ABI.md 4.4). */
  encode(w: Writer): void {
    w.mapHeader(1).field("kind", this.kind);
  }

  /** Reads the error value `{"kind": str}` (other keys skipped); the message is not in it. */
  decode(r: Reader): void {
    const n = r.mapHeader();
    let hasKind = false;
    for (let i: u32 = 0; i < n && r.ok; i++) {
      if (r.keyIs("kind")) {
        this.kind = r.str();
        hasKind = true;
      } else r.skipField();
    }
    if (r.ok && !hasKind) r.fail("the error value has no kind");
  }

  toString(): string {
    return this.message;
  }
}

/** The outcome of `HttpRequest.send()`: `response` when `ok`, else `error`. */
export class HttpResult {
  constructor(
    /** The response (any status), or null. */
    public response: HttpResponse | null,
    /** Why there is no response, or null. */
    public error: HttpError | null,
  ) {}

  /** Whether a response came back (whatever its status). */
  get ok(): bool {
    return this.error === null;
  }
}

// The HTTP error of a failed answer: an Error envelope's value names the kind; anything else
// (no or a bad value, another status, a malformed answer) is kind connect (ABI.md 4.4).
function httpError(e: HostError): HttpError {
  if (e.kind == HostErrorKind.Error) {
    const v = e.value;
    if (v !== null) {
      const r = Reader.of(v);
      const out = r.read<HttpError>();
      if (r.ok) {
        out.message = e.message;
        return out;
      }
    }
    return new HttpError("connect", e.message);
  }
  if (e.kind == HostErrorKind.BadArguments || e.kind == HostErrorKind.BadResult) {
    return new HttpError("connect", "wabi.http_request: the host answered with status " +
      (<i32>e.kind).toString() + ": " + e.message);
  }
  return new HttpError("connect", e.message);
}

function equalsIgnoreAsciiCase(a: string, b: string): bool {
  const n = a.length;
  if (n != b.length) return false;
  for (let i = 0; i < n; i++) {
    let x = <u32>a.charCodeAt(i);
    let y = <u32>b.charCodeAt(i);
    if (x == y) continue;
    if (x - 0x41 < 26) x += 0x20;
    if (y - 0x41 < 26) y += 0x20;
    if (x != y) return false;
  }
  return true;
}
