;; HOSTILE: Ok envelopes whose body is not valid MessagePack.
;; `reserved`: c1 (never used by MessagePack); `truncated`: 92 01 (an array of 2 with one
;; element); `empty`: no body at all; `short_str`: a5 61 62 (a 5-byte string with 2 bytes).
;; The host must answer: Error::Decode { function: <the function>, direction: Result, message }
;; for each (the envelope is fine, the value is not); the instance stays usable.
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
  (data (i32.const 512) "\00\00\00\00\01\00\00\00\c1")
  (data (i32.const 528) "\00\00\00\00\02\00\00\00\92\01")
  (data (i32.const 544) "\00\00\00\00\00\00\00\00")
  (data (i32.const 560) "\00\00\00\00\03\00\00\00\a5\61\62")
  (func (export "reserved") (param i32 i32) (result i64) (i64.const 0x0000020000000009))
  (func (export "truncated") (param i32 i32) (result i64) (i64.const 0x000002100000000a))
  (func (export "empty") (param i32 i32) (result i64) (i64.const 0x0000022000000008))
  (func (export "short_str") (param i32 i32) (result i64) (i64.const 0x000002300000000b))
)
