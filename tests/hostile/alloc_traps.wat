;; HOSTILE: an allocator that traps (`unreachable`) instead of returning 0.
;; ABI.md section 3 lets a garbage-collected runtime abort on out-of-memory; the host treats the
;; trap like any other.
;; The host must answer: a call whose input needs `wabi_alloc` -> Error::Trap { function: "ok"
;; (the call that was being prepared), message: "... unreachable ..." } with a backtrace naming
;; the allocator; the instance is discarded and the next call (input in scratch) works on a fresh
;; one.
(module
  (memory (export "memory") 2)
  (func (export "wabi_abi_version") (result i32) (i32.const 0x10000))
  (func $guest_alloc (export "wabi_alloc") (param i32 i32) (result i32) (unreachable))
  (func (export "wabi_free") (param i32 i32 i32))
  (func (export "wabi_scratch") (result i64) (i64.const 0x0000010000000100)) ;; 256 bytes at 256
  ;; `ok` answers true (status 0, body_len 1, body c3): the call that must work afterwards
  (data (i32.const 64) "\00\00\00\00\01\00\00\00\c3")
  (func (export "ok") (param i32 i32) (result i64) (i64.const 0x0000004000000009))
)
