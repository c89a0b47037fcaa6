;; HOSTILE: a valid panic record larger than the host's 64 KiB panic-record cap.
;; `big_panic` calls wabi.panic with a well-formed record: a 100,000-byte message of 'P' and file
;; "big.rs", line 7, column 9 (built at 0x20000).
;; The host must answer: Error::Panic whose message is the start of the guest's message (cut,
;; as the host's MAX_PANIC_RECORD comment promises: "longer messages are cut"), never more than
;; 64 KiB; the instance is discarded and the next call works.
(module
  (import "wabi" "panic" (func $panic (param i32 i32)))
  (memory (export "memory") 4)
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
  (func (export "big_panic") (param i32 i32) (result i64)
    (i32.store (i32.const 0x20000) (i32.const 100000)) ;; message_len
    (i32.store (i32.const 0x20004) (i32.const 6))      ;; file_len
    (i32.store (i32.const 0x20008) (i32.const 7))      ;; line
    (i32.store (i32.const 0x2000c) (i32.const 9))      ;; column
    (memory.fill (i32.const 0x20010) (i32.const 0x50) (i32.const 100000))
    ;; "big.rs" right after the message, at 0x20010 + 100000 = 0x386b0
    (i32.store (i32.const 0x386b0) (i32.const 0x2e676962)) ;; "big."
    (i32.store16 (i32.const 0x386b4) (i32.const 0x7372))   ;; "rs"
    (call $panic (i32.const 0x20000) (i32.const 100022))   ;; 16 + 100000 + 6
    (i64.const 0))
)
