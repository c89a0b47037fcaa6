;; HOSTILE: body_len disagrees with the returned length, in both directions.
;; `claims_less`: a 16-byte envelope whose body_len says 1 (8 bytes present).
;; `claims_max`: a 9-byte envelope whose body_len says 0xffffffff (1 byte present).
;; The host must answer: Error::BadResult { reason: "envelope body_len claims 1 bytes but 8 are
;; present" } and "envelope body_len claims 4294967295 bytes but 1 are present"; the instance
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
  (data (i32.const 512) "\00\00\00\00\01\00\00\00\c3\c3\c3\c3\c3\c3\c3\c3")
  (data (i32.const 544) "\00\00\00\00\ff\ff\ff\ff\c3")
  (func (export "claims_less") (param i32 i32) (result i64) (i64.const 0x0000020000000010))
  (func (export "claims_max") (param i32 i32) (result i64) (i64.const 0x0000022000000009))
)
