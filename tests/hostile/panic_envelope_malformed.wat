;; HOSTILE: panic envelopes (status 2, a panic the guest caught) with malformed records, and one
;; valid one.
;; `short`: a 4-byte record; `lying`: message_len 9 with 4 bytes present; `file_not_utf8`:
;; file "\ff"; `valid`: message "recovered", file "lib.rs", line 1, column 2.
;; The host must answer: the malformed ones -> Error::BadResult { reason: "panic record needs at
;; least 16 bytes, got 4" / "panic record lengths claims 9 bytes but 4 are present" / "panic file
;; name is not valid UTF-8" } and the instance is kept (a malformed result is not a fault);
;; `valid` -> Error::Panic { panic: { "recovered", Some("lib.rs"), 1, 2 } } and the instance is
;; discarded (ABI.md section 5: a panic envelope discards the instance too).
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
  (data (i32.const 512) "\02\00\00\00\04\00\00\00\00\00\00\00")
  (data (i32.const 544) "\02\00\00\00\14\00\00\00\09\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00boom")
  (data (i32.const 608) "\02\00\00\00\15\00\00\00\04\00\00\00\01\00\00\00\00\00\00\00\00\00\00\00boom\ff")
  (data (i32.const 672) "\02\00\00\00\1f\00\00\00\09\00\00\00\06\00\00\00\01\00\00\00\02\00\00\00recoveredlib.rs")
  (func (export "short") (param i32 i32) (result i64) (i64.const 0x000002000000000c))
  (func (export "lying") (param i32 i32) (result i64) (i64.const 0x000002200000001c))
  (func (export "file_not_utf8") (param i32 i32) (result i64) (i64.const 0x000002600000001d))
  (func (export "valid") (param i32 i32) (result i64) (i64.const 0x000002a000000027))
)
