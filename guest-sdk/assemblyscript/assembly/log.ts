// Logging through `wabi.log` (ABI.md section 4): one UTF-8 line per call.

import { hostLog } from "./memory";
import { utf8Length, utf8Write } from "./utf8";

export const LEVEL_TRACE: i32 = 0;
export const LEVEL_DEBUG: i32 = 1;
export const LEVEL_INFO: i32 = 2;
export const LEVEL_WARN: i32 = 3;
export const LEVEL_ERROR: i32 = 4;

// The line buffer, reused (nothing calls back into the guest during wabi.log).
let line = new Uint8Array(256);

/** Emits one log line at `level` (0 trace, 1 debug, 2 info, 3 warn, 4 error). */
export function log(level: i32, message: string): void {
  const n = utf8Length(message);
  if (<i32>n > line.length) line = new Uint8Array(<i32>max<u32>(n, <u32>line.length * 2));
  utf8Write(message, line.dataStart);
  hostLog(level, line.dataStart, n);
}

export function trace(message: string): void { log(LEVEL_TRACE, message); }
export function debug(message: string): void { log(LEVEL_DEBUG, message); }
export function info(message: string): void { log(LEVEL_INFO, message); }
export function warn(message: string): void { log(LEVEL_WARN, message); }
export function error(message: string): void { log(LEVEL_ERROR, message); }
