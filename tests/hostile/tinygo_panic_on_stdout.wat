;; HOSTILE: what TinyGo 0.35 (-target=wasip1 -buildmode=c-shared) does when a Go function panics:
;; its runtime cannot recover on wasm, so `runtime._panic` prints "panic: " + the message + "\n"
;; through `putchar`, which buffers 120 bytes and writes them to fd 1 (stdout, not stderr) with
;; fd_write whenever the buffer is full or a newline arrives, and then executes `unreachable`.
;; - `boom` writes "hello\n" (an ordinary line), then "abc" and "panic: boom" + "\n" as TinyGo
;;   flushes them (print("abc") without a newline shares the panic's line), then traps.
;; - `long` panics with a 150-byte message: the 120-byte buffer is flushed mid-message.
;; - `runtime` is an index out of range: "panic: runtime error: index out of range\n" (on wasm
;;   TinyGo has no return address to print, and never a file or line).
;; - `lines` panics with a message of two lines, "first\nsecond".
;; - `say` prints the same panic line as `boom` but returns normally; `trap` traps without
;;   printing anything.
;; The host must answer: `boom` -> Error::Panic { function: "boom", message: "boom" } (no file,
;; line 0); `long` -> Error::Panic with the whole 150-byte message; `runtime` -> Error::Panic
;; { message: "runtime error: index out of range" }; `lines` -> the message "first\nsecond";
;; `trap` -> Error::Trap, also
;; right after `say` on the same instance (an earlier call's panic line does not explain a
;; trap); "hello" reaches the log handler as a stdout line; each fault discards the instance and
;; the next call works.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (func (export "wabi_abi_version") (result i32) (i32.const 0x10002))
  (global $bump (mut i32) (i32.const 0x10000))
  (func (export "wabi_alloc") (param $size i32) (param $align i32) (result i32)
    (local $p i32)
    (local.set $p (i32.and (i32.add (global.get $bump) (i32.const 7)) (i32.const -8)))
    (global.set $bump (i32.add (local.get $p) (local.get $size)))
    (local.get $p))
  (func (export "wabi_free") (param i32 i32 i32))
  (func (export "wabi_scratch") (result i64) (i64.const 0x0000010000000100)) ;; 256 bytes at 256
  (func (export "_initialize"))
  (data (i32.const 64) "\00\00\00\00\01\00\00\00\c3")
  (func (export "ok") (param i32 i32) (result i64) (i64.const 0x0000004000000009))
  ;; write `len` bytes at `ptr` to stdout with one fd_write (iovec at 16, nwritten at 24)
  (func $out (param $ptr i32) (param $len i32)
    (i32.store (i32.const 16) (local.get $ptr))
    (i32.store (i32.const 20) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24))))
  (data (i32.const 1024) "hello\0a")
  (data (i32.const 1040) "abcpanic: boom\0a")
  (func (export "boom") (param i32 i32) (result i64)
    (call $out (i32.const 1024) (i32.const 6))
    (call $out (i32.const 1040) (i32.const 15))
    (unreachable))
  ;; "panic: " + 150 x "m" + "\n" = 158 bytes, flushed as 120 + 38
  (func (export "long") (param i32 i32) (result i64)
    (i64.store (i32.const 2048) (i64.const 0x203a63696e6170)) ;; "panic: " (+ a zero byte, overwritten)
    (memory.fill (i32.const 2055) (i32.const 0x6d) (i32.const 150))
    (i32.store8 (i32.const 2205) (i32.const 0x0a))
    (call $out (i32.const 2048) (i32.const 120))
    (call $out (i32.const 2168) (i32.const 38))
    (unreachable))
  (data (i32.const 3072) "panic: runtime error: index out of range\0a")
  (func (export "runtime") (param i32 i32) (result i64)
    (call $out (i32.const 3072) (i32.const 41))
    (unreachable))
  (data (i32.const 3200) "panic: first\0asecond\0a")
  (func (export "lines") (param i32 i32) (result i64)
    (call $out (i32.const 3200) (i32.const 13))
    (call $out (i32.const 3213) (i32.const 7))
    (unreachable))
  (func (export "say") (param i32 i32) (result i64)
    (call $out (i32.const 1040) (i32.const 15))
    (i64.const 0x0000004000000009))
  (func (export "trap") (param i32 i32) (result i64) (unreachable))
)
