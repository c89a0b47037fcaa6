;; HOSTILE: a long log line of bytes that are all invalid UTF-8 (100,000 x 0xff at 0x20000).
;; The host cuts a line at 64 KiB of raw bytes, then decodes it lossily: each invalid byte becomes
;; U+FFFD, three bytes in UTF-8, so the line the log handler receives is bounded but three times
;; the cut (found by fuzz/guest_memory).
;; The host must answer: Ok(true); the handler gets exactly one line: 65,536 x U+FFFD (196,608
;; bytes) then "… [34464 bytes cut]", at LogLevel::Info; the instance is kept.
(module
  (import "wabi" "log" (func $log (param i32 i32 i32)))
  (memory (export "memory") 4)
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
  (func (export "invalid_line") (param i32 i32) (result i64)
    (memory.fill (i32.const 0x20000) (i32.const 0xff) (i32.const 100000))
    (call $log (i32.const 2) (i32.const 0x20000) (i32.const 100000))
    (i64.const 0x0000004000000009))
)
