;; HOSTILE: ptr + len overflows u32 and wraps to a small, in-bounds address.
;; `wrap_ptr` returns (0xfffffff8, 16) and `wrap_len` returns (0xff000000, 0x01000008): in
;; 32-bit arithmetic both end at 8, well inside memory (and 16 MiB + 8 stays under any output
;; limit, so the bounds check itself is what must catch it). A host that adds in u32 would read (or slice)
;; garbage; the sum must be computed in 64 bits.
;; The host must answer: Error::BadResult { reason: "the result location is invalid: ... 16
;; bytes at 0xfffffff8 exceed the memory size 131072" } (and "16777224 bytes at 0xff000000" for
;; `wrap_len`); the same instance answers `ok` next.
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
  (func (export "wrap_ptr") (param i32 i32) (result i64) (i64.const 0xfffffff800000010))
  (func (export "wrap_len") (param i32 i32) (result i64) (i64.const 0xff00000001000008))
)
