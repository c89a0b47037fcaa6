;; HOSTILE: `wabi.panic` with panic records that do not parse or cannot be read.
;; `lying_lengths`: message_len 30 with 4 bytes present (record of 20 bytes);
;; `lengths_wrap`: message_len 0xffffffff + file_len 1 (= 2^32, 0 in u32) with 0 bytes present;
;; `not_utf8`: message "\ff\fe"; `file_not_utf8`: message "boom", file "\ff";
;; `claims_1gib`: wabi.panic(0, 1 << 30).
;; ABI.md section 4: a record that does not parse is still a panic.
;; The host must answer: Error::Panic { function, panic.message: "(the guest panicked but sent a
;; malformed panic record of 20 bytes: panic record lengths claims 30 bytes but 4 are
;; present)" } (and the matching text for each; "its panic record is unreadable: ... 1073741824
;; bytes at 0x0 ..." for `claims_1gib`), file None, line 0, column 0; the instance is discarded,
;; the next call works on a fresh one.
(module
  (import "wabi" "panic" (func $panic (param i32 i32)))
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
  (data (i32.const 512) "\1e\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00boom")
  (data (i32.const 544) "\ff\ff\ff\ff\01\00\00\00\00\00\00\00\00\00\00\00")
  (data (i32.const 576) "\02\00\00\00\00\00\00\00\01\00\00\00\01\00\00\00\ff\fe")
  (data (i32.const 608) "\04\00\00\00\01\00\00\00\01\00\00\00\01\00\00\00boom\ff")
  (func (export "lying_lengths") (param i32 i32) (result i64)
    (call $panic (i32.const 512) (i32.const 20)) (i64.const 0))
  (func (export "lengths_wrap") (param i32 i32) (result i64)
    (call $panic (i32.const 544) (i32.const 16)) (i64.const 0))
  (func (export "not_utf8") (param i32 i32) (result i64)
    (call $panic (i32.const 576) (i32.const 18)) (i64.const 0))
  (func (export "file_not_utf8") (param i32 i32) (result i64)
    (call $panic (i32.const 608) (i32.const 21)) (i64.const 0))
  (func (export "claims_1gib") (param i32 i32) (result i64)
    (call $panic (i32.const 0) (i32.const 0x40000000)) (i64.const 0))
)
