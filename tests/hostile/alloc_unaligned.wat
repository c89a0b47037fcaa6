;; HOSTILE: an allocator that returns 4-byte aligned blocks when asked for 8-byte alignment.
;; `wabi_alloc` returns 0x10004 (in bounds, not overlapping the scratch buffer).
;; The host must answer: Error::Alloc { function: "ok", size: 1003, reason: "wabi_alloc
;; returned 0x10004, which is not 8-byte aligned" }, every time (no state is corrupted); the
;; instance is kept and calls whose input fits the scratch buffer work.
(module
  (memory (export "memory") 2)
  (func (export "wabi_abi_version") (result i32) (i32.const 0x10000))
  (func (export "wabi_alloc") (param i32 i32) (result i32) (i32.const 0x10004))
  (func (export "wabi_free") (param i32 i32 i32))
  (func (export "wabi_scratch") (result i64) (i64.const 0x0000010000000100)) ;; 256 bytes at 256
  ;; `ok` answers true (status 0, body_len 1, body c3): the call that must work afterwards
  (data (i32.const 64) "\00\00\00\00\01\00\00\00\c3")
  (func (export "ok") (param i32 i32) (result i64) (i64.const 0x0000004000000009))
)
