;; HOSTILE: an allocator that hands out blocks overlapping the scratch buffer (256..512), where
;; the input of a call may still live. The answer is read from the control word at address 16,
;; which the test sets: 504 (the block covers the scratch tail), 8 (the block swallows the whole
;; scratch buffer), then 512 (adjacent, not overlapping).
;; The host must answer: 504 -> Error::Alloc { size: 1003, reason: "wabi_alloc returned 0x1f8,
;; which overlaps the scratch buffer" }; 8 -> the same with 0x8; 512 -> the call works (the
;; input lands right after the scratch buffer). The instance is kept throughout.
(module
  (memory (export "memory") 2)
  (func (export "wabi_abi_version") (result i32) (i32.const 0x10000))
  (func (export "wabi_alloc") (param i32 i32) (result i32) (i32.load (i32.const 16)))
  (func (export "wabi_free") (param i32 i32 i32))
  (func (export "wabi_scratch") (result i64) (i64.const 0x0000010000000100)) ;; 256 bytes at 256
  ;; `ok` answers true (status 0, body_len 1, body c3): the call that must work afterwards
  (data (i32.const 64) "\00\00\00\00\01\00\00\00\c3")
  (func (export "ok") (param i32 i32) (result i64) (i64.const 0x0000004000000009))
  (data (i32.const 16) "\f8\01\00\00") ;; control word: 504

  ;; `echo` answers (raw body) its input bytes
  (func (export "echo") (param $ptr i32) (param $len i32) (result i64)
    (i32.store (i32.const 0x8000) (i32.const 0))
    (i32.store (i32.const 0x8004) (local.get $len))
    (memory.copy (i32.const 0x8008) (local.get $ptr) (local.get $len))
    (i64.or (i64.const 0x0000800000000000)
            (i64.extend_i32_u (i32.add (local.get $len) (i32.const 8)))))
)
