;; HOSTILE: an allocator whose block starts inside memory but ends past it.
;; `wabi_alloc` returns 0x1fff8: 8 bytes before the end of a 131072-byte memory.
;; The host must answer: Error::Alloc { function: "ok", size: 1003, reason: "wabi_alloc returned
;; a block outside memory: guest memory access out of bounds: 1003 bytes at 0x1fff8 exceed the
;; memory size 131072" }; nothing is written; the instance is kept.
(module
  (memory (export "memory") 2)
  (func (export "wabi_abi_version") (result i32) (i32.const 0x10000))
  (func (export "wabi_alloc") (param i32 i32) (result i32) (i32.const 0x1fff8))
  (func (export "wabi_free") (param i32 i32 i32))
  (func (export "wabi_scratch") (result i64) (i64.const 0x0000010000000100)) ;; 256 bytes at 256
  ;; `ok` answers true (status 0, body_len 1, body c3): the call that must work afterwards
  (data (i32.const 64) "\00\00\00\00\01\00\00\00\c3")
  (func (export "ok") (param i32 i32) (result i64) (i64.const 0x0000004000000009))
)
