;; HOSTILE: wabi.log with pointers and lengths that do not describe guest memory.
;; `wraps`: (ptr 0xffffffff, len 2), which wraps to 1 in u32; `len_max`: (64, 0xffffffff);
;; `past_end_empty`: (0x20001, 0), a zero-length line one byte past the end;
;; `at_end_empty`: (0x20000, 0), a zero-length line exactly at the end.
;; The host must answer: `wraps`, `len_max` -> Error::Trap { message: "wabi.log was called with
;; an invalid message: guest memory access out of bounds: ..." } and the instance is discarded;
;; `past_end_empty` and `at_end_empty` -> Ok(true), one empty line logged each, instance kept
;; (ABI.md 4.1: the pointer of an empty buffer is not read, so it is not checked either).
(module
  (import "wabi" "log" (func $log (param i32 i32 i32)))
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
  (func (export "wraps") (param i32 i32) (result i64)
    (call $log (i32.const 2) (i32.const 0xffffffff) (i32.const 2)) (i64.const 0x0000004000000009))
  (func (export "len_max") (param i32 i32) (result i64)
    (call $log (i32.const 2) (i32.const 64) (i32.const 0xffffffff)) (i64.const 0x0000004000000009))
  (func (export "past_end_empty") (param i32 i32) (result i64)
    (call $log (i32.const 2) (i32.const 0x20001) (i32.const 0)) (i64.const 0x0000004000000009))
  (func (export "at_end_empty") (param i32 i32) (result i64)
    (call $log (i32.const 2) (i32.const 0x20000) (i32.const 0)) (i64.const 0x0000004000000009))
)
