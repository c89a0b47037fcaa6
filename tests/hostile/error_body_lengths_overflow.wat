;; HOSTILE: error bodies whose inner lengths lie.
;; `wraps`: message_len 0xffffffff + value_len 1 = 2^32, which is 0 in u32 arithmetic, exactly
;; the 0 bytes that follow the error header. `short`: an error body of 4 bytes (its header needs
;; 8). `message_past_end`: message_len 2 with 1 byte present.
;; The host must answer: Error::BadResult { reason: "error body lengths claims 4294967296 bytes
;; but 0 are present" }, "error body needs at least 8 bytes, got 4", "error body lengths claims
;; 2 bytes but 1 are present"; the instance stays usable.
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
  (data (i32.const 512) "\01\00\00\00\08\00\00\00\ff\ff\ff\ff\01\00\00\00")
  (data (i32.const 544) "\01\00\00\00\04\00\00\00\00\00\00\00")
  (data (i32.const 576) "\01\00\00\00\09\00\00\00\02\00\00\00\00\00\00\00a")
  (func (export "wraps") (param i32 i32) (result i64) (i64.const 0x0000020000000010))
  (func (export "short") (param i32 i32) (result i64) (i64.const 0x000002200000000c))
  (func (export "message_past_end") (param i32 i32) (result i64) (i64.const 0x0000024000000011))
)
