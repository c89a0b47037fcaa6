;; HOSTILE: a valid result pointer with a length larger than the whole memory.
;; `huge` returns (64, 0x00ffffff) and `whole` returns (0, 0x00020001): 16 MiB - 1, and the
;; whole 131072-byte memory plus one byte. Both stay under any sensible output limit, so the
;; bounds check must catch them; nothing may be allocated or copied for the claimed length.
;; (Claims of 2 GiB and 4 GiB hit the output limit first: see limit_output_too_large.wat.)
;; The host must answer: Error::BadResult { reason: "the result location is invalid: ...
;; 16777215 bytes at 0x40 exceed the memory size 131072" } (resp. "131073 bytes at 0x0");
;; the same instance answers `ok` next.
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
  (func (export "huge") (param i32 i32) (result i64) (i64.const 0x0000004000ffffff))
  (func (export "whole") (param i32 i32) (result i64) (i64.const 0x0000000000020001))
)
