;; HOSTILE (boundary): envelopes that end exactly at, or one byte past, the end of memory.
;; `edge` returns the valid 9-byte envelope "true" stored in the last 9 bytes (0x1fff7..0x20000);
;; `past` returns (0x1fff8, 9), one byte past the end; `empty_at_end` returns (0x20000, 0).
;; The host must answer: `edge` -> Ok(true) (no off-by-one); `past` -> Error::BadResult
;; { reason: "... 9 bytes at 0x1fff8 exceed the memory size 131072" }; `empty_at_end` ->
;; Error::BadResult { reason: "result envelope needs at least 8 bytes, got 0" }. The instance
;; stays usable.
(module
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
  (data (i32.const 0x1fff7) "\00\00\00\00\01\00\00\00\c3")
  (func (export "edge") (param i32 i32) (result i64) (i64.const 0x0001fff700000009))
  (func (export "past") (param i32 i32) (result i64) (i64.const 0x0001fff800000009))
  (func (export "empty_at_end") (param i32 i32) (result i64) (i64.const 0x0002000000000000))
)
