// wabi guest SDK for AssemblyScript: typed exports over wabi ABI 1.3 (see ../README.md and
// abi-spec/ABI.md). Import it as a namespace:
//
//   import * as wabi from "wabi-guest/assembly";     // or a relative path to this file
//   export * from "wabi-guest/assembly/exports";     // wabi_abi_version, wabi_alloc, ...
//
// and compile with `--runtime incremental --use abort=__wabi_abort`.

import "./panic";
import { Writer } from "./writer";
import { Reader } from "./reader";

export { ABI_VERSION, SCRATCH_CAPACITY, memoryPages } from "./memory";
export { Writer, Utf8, compareCodePoints } from "./writer";
export { Reader, Type, MAX_DEPTH } from "./reader";
export { Value, Kind, Unit } from "./value";
export {
  Result, ok, okBytes, fail, failWith, badArguments,
  STATUS_OK, STATUS_ERROR, STATUS_PANIC, STATUS_BAD_ARGUMENTS, STATUS_BAD_RESULT,
  export0, export1, export2, export3, export4, export5, export6, export7, export8,
  exportRaw, exportPod,
} from "./export";
export {
  HostError, HostErrorKind, HostResult,
  callHost0, callHost1, callHost2, callHost3, callHost4, callHost5, callHost6, callHost7, callHost8,
  beginHostArgs, finishHostCall,
} from "./host";
export {
  HttpRequest, HttpResponse, HttpHeader, HttpError, HttpErrorKind, HttpResult,
  httpErrorKindName, parseHttpErrorKind,
} from "./http";
export { config, configBytes } from "./config";
export {
  log, trace, debug, info, warn, error,
  LEVEL_TRACE, LEVEL_DEBUG, LEVEL_INFO, LEVEL_WARN, LEVEL_ERROR,
} from "./log";
export { panic } from "./panic";

/** Implemented by classes the SDK encodes: write the value (a struct: a map keyed by field name). */
export interface Encodable {
  encode(w: Writer): void;
}

/**
 * Implemented by classes the SDK decodes: the SDK makes one with its no-argument constructor,
 * then calls `decode`, which reads the value (match struct fields by name, skip unknown ones).
 */
export interface Decodable {
  decode(r: Reader): void;
}
