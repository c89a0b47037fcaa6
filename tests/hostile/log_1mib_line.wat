;; HOSTILE: a valid but long log line: 1 MiB, at level 99, that ends exactly at the end of memory.
;; `long_line` builds 'x', 524,287 x "é" (c3 a9) and a final 'x' at 0x20000 (1,048,576 bytes;
;; memory is 18 pages = 0x120000, so the line ends exactly at the end of memory) and logs it.
;; The host must answer: the call succeeds (Ok(true)) and the log handler receives exactly one
;; line: the first 65,536 bytes decoded lossily (the cut splits an "é", which becomes U+FFFD),
;; then "… [983040 bytes cut]", at LogLevel::Error (levels above 4 mean error). The instance is
;; kept.
(module
  (import "wabi" "log" (func $log (param i32 i32 i32)))
  (memory (export "memory") 18)
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
  (func (export "long_line") (param i32 i32) (result i64)
    (local $i i32)
    (i32.store8 (i32.const 0x20000) (i32.const 0x78))
    (loop $fill
      (i32.store16 (i32.add (i32.const 0x20001) (i32.shl (local.get $i) (i32.const 1)))
                   (i32.const 0xa9c3)) ;; bytes c3 a9: "é"
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $fill (i32.lt_u (local.get $i) (i32.const 524287))))
    (i32.store8 (i32.const 0x11ffff) (i32.const 0x78))
    (call $log (i32.const 99) (i32.const 0x20000) (i32.const 0x100000))
    (i64.const 0x0000004000000009))
)
