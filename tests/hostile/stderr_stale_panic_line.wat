;; HOSTILE (a wrong error, not a crash): a WASI guest that writes a TinyGo-style "panic: " line to
;; stderr in one call that succeeds, and traps for an unrelated reason in a later call.
;; `print_panic_line` writes "panic: stale message from an earlier call\n" to fd 2 and answers
;; true; `trap` executes `unreachable` without writing anything.
;; The host turns a trap into a panic when the guest's stderr ends with a "panic: " line (that is
;; how TinyGo reports panics), but that line must come from the call that trapped.
;; The host must answer: `print_panic_line` -> Ok(true); `trap` -> Error::Trap { function:
;; "trap", message: "... unreachable ..." }, not a Panic carrying the stale message; the instance
;; is discarded and the next call works.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (func (export "wabi_abi_version") (result i32) (i32.const 0x10000))
  (global $bump (mut i32) (i32.const 0x10000))
  ;; bump allocator on page 1, 8-byte aligned
  (func $alloc (export "wabi_alloc") (param $size i32) (param $align i32) (result i32)
    (local $p i32)
    (local.set $p (i32.and (i32.add (global.get $bump) (i32.const 7)) (i32.const -8)))
    (global.set $bump (i32.add (local.get $p) (local.get $size)))
    (local.get $p))
  (func (export "wabi_free") (param i32 i32 i32))
  (func (export "wabi_scratch") (result i64) (i64.const 0x0000010000000100)) ;; 256 bytes at 256
  ;; `ok` answers true (status 0, body_len 1, body c3): the call that must work afterwards
  (data (i32.const 64) "\00\00\00\00\01\00\00\00\c3")
  (func (export "ok") (param i32 i32) (result i64) (i64.const 0x0000004000000009))
  (data (i32.const 512) "panic: stale message from an earlier call\n")
  (data (i32.const 600) "\00\02\00\00\2a\00\00\00") ;; iovec: ptr 512, len 42
  (func (export "print_panic_line") (param i32 i32) (result i64)
    (drop (call $fd_write (i32.const 2) (i32.const 600) (i32.const 1) (i32.const 700)))
    (i64.const 0x0000004000000009))
  (func (export "trap") (param i32 i32) (result i64) (unreachable))
)
