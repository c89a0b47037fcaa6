;; HOSTILE: a log line claiming 1 GiB.
;; `shout` calls wabi.log(2, 0, 1 << 30) on a 131072-byte memory.
;; The host must answer: Error::Trap { function: "shout", message: "wabi.log was called with an
;; invalid message: guest memory access out of bounds: 1073741824 bytes at 0x0 exceed the memory
;; size 131072" }: the whole claimed range is checked before anything is read, nothing is logged,
;; nothing is allocated for it; the instance is discarded, the next call works on a fresh one.
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
  (func (export "shout") (param i32 i32) (result i64)
    (call $log (i32.const 2) (i32.const 0) (i32.const 0x40000000))
    (i64.const 0x0000004000000009))
)
