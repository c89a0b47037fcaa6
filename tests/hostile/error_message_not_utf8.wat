;; HOSTILE: texts that are not UTF-8 where the ABI requires UTF-8.
;; Error envelopes (status 1) whose message is "\ff\fe" (`invalid_bytes`), "\c0\80" (an overlong
;; NUL, `overlong`), "\ed\a0\80" (a UTF-16 surrogate, `surrogate`); a BadArguments (3) and a
;; BadResult (4) envelope whose message is "\ff".
;; The host must answer: Error::BadResult { reason: "error message is not valid UTF-8" } for the
;; three error envelopes and "message is not valid UTF-8" for statuses 3 and 4; no lossy
;; conversion, no panic; the instance stays usable.
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
  (data (i32.const 512) "\01\00\00\00\0a\00\00\00\02\00\00\00\00\00\00\00\ff\fe")
  (data (i32.const 544) "\01\00\00\00\0a\00\00\00\02\00\00\00\00\00\00\00\c0\80")
  (data (i32.const 576) "\01\00\00\00\0b\00\00\00\03\00\00\00\00\00\00\00\ed\a0\80")
  (data (i32.const 608) "\03\00\00\00\01\00\00\00\ff")
  (data (i32.const 624) "\04\00\00\00\01\00\00\00\ff")
  (func (export "invalid_bytes") (param i32 i32) (result i64) (i64.const 0x0000020000000012))
  (func (export "overlong") (param i32 i32) (result i64) (i64.const 0x0000022000000012))
  (func (export "surrogate") (param i32 i32) (result i64) (i64.const 0x0000024000000013))
  (func (export "bad_arguments") (param i32 i32) (result i64) (i64.const 0x0000026000000009))
  (func (export "bad_result") (param i32 i32) (result i64) (i64.const 0x0000027000000009))
)
