;; HOSTILE (needs the limits of issue 4): an oversized but well-formed output.
;; `flood` grows memory by 1025 pages and answers a valid Ok envelope whose body is a 64 MiB bin
;; (c6 04 00 00 00 + 64 MiB of zeros).
;; `claims_2gib` / `claims_4gib` return (64, 0x7fffffff) / (0, 0xffffffff): lies far beyond the
;; 131072-byte memory.
;; The host must answer, with a maximum output size M < 64 MiB: Error::OutputTooLarge { len:
;; 67108877, limit: M } before decoding (and without copying) the body; a malformed-result class
;; error, so the instance is kept (per issue 4's documented policy) and the next call works.
;; For the claims: Error::OutputTooLarge { len: 2147483647 / 4294967295, limit: M } (the size
;; check comes first); without an output limit: Error::BadResult "the result location is
;; invalid". Without the limit `flood` is decoded (a 64 MiB Vec<u8>).
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
  (func (export "flood") (param i32 i32) (result i64)
    (local $at i32)
    (local.set $at (i32.mul (memory.grow (i32.const 1025)) (i32.const 65536)))
    (i32.store (local.get $at) (i32.const 0))                    ;; status Ok
    (i32.store (i32.add (local.get $at) (i32.const 4)) (i32.const 0x04000005)) ;; body_len
    (i32.store8 (i32.add (local.get $at) (i32.const 8)) (i32.const 0xc6))      ;; bin32
    (i32.store (i32.add (local.get $at) (i32.const 9)) (i32.const 0x00000004)) ;; BE 0x04000000
    (i64.or (i64.shl (i64.extend_i32_u (local.get $at)) (i64.const 32))
            (i64.const 0x0400000d)))                              ;; 8 + 5 + 64 MiB
  (func (export "claims_2gib") (param i32 i32) (result i64) (i64.const 0x000000407fffffff))
  (func (export "claims_4gib") (param i32 i32) (result i64) (i64.const 0x00000000ffffffff))
)
