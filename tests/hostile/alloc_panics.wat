;; HOSTILE: an allocator that reports a panic through `wabi.panic` while the host is placing the
;; input of a call.
;; The panic record says "allocator exhausted" at alloc.rs:3:5.
;; The host must answer: Error::Panic { function: "ok", panic: GuestPanic { message: "allocator
;; exhausted", file: Some("alloc.rs"), line: 3, column: 5 } }; the instance is discarded and the
;; next call (input in scratch) works on a fresh one.
(module
  (import "wabi" "panic" (func $panic (param i32 i32)))
  (memory (export "memory") 2)
  (func (export "wabi_abi_version") (result i32) (i32.const 0x10000))
  (func (export "wabi_alloc") (param i32 i32) (result i32)
    (call $panic (i32.const 512) (i32.const 43))
    (i32.const 0))
  (func (export "wabi_free") (param i32 i32 i32))
  (func (export "wabi_scratch") (result i64) (i64.const 0x0000010000000100)) ;; 256 bytes at 256
  ;; `ok` answers true (status 0, body_len 1, body c3): the call that must work afterwards
  (data (i32.const 64) "\00\00\00\00\01\00\00\00\c3")
  (func (export "ok") (param i32 i32) (result i64) (i64.const 0x0000004000000009))
  ;; panic record: message_len 19, file_len 8, line 3, column 5, message, file
  (data (i32.const 512) "\13\00\00\00\08\00\00\00\03\00\00\00\05\00\00\00allocator exhaustedalloc.rs")
)
