;; HOSTILE (needs the configuration grant of issue 4; ABI 1.1 `wabi.config`): configuration reads
;; with pointers that do not describe guest memory. The test grants {"key": "value"}.
;; `key_oob`: key at (0x100000, 3); `key_wraps`: (0xffffffff, 2); `buf_oob`: a valid key whose
;; 5-byte value fits `buf_cap` but `buf_ptr` is 0x1fffe (2 bytes before the end); `buf_cap_lies`:
;; buf (0x1fffe, 0xffffffff).
;; The host must answer: Error::Trap naming wabi.config and the out-of-bounds range for each (no
;; partial write past the end of memory); the next call works on a fresh instance.
(module
  (import "wabi" "config" (func $config (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (func (export "wabi_abi_version") (result i32) (i32.const 0x10001))
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
  (data (i32.const 512) "key")
  (func (export "key_oob") (param i32 i32) (result i64)
    (drop (call $config (i32.const 0x100000) (i32.const 3) (i32.const 0x8000) (i32.const 64)))
    (i64.const 0x0000004000000009))
  (func (export "key_wraps") (param i32 i32) (result i64)
    (drop (call $config (i32.const 0xffffffff) (i32.const 2) (i32.const 0x8000) (i32.const 64)))
    (i64.const 0x0000004000000009))
  (func (export "buf_oob") (param i32 i32) (result i64)
    (drop (call $config (i32.const 512) (i32.const 3) (i32.const 0x1fffe) (i32.const 64)))
    (i64.const 0x0000004000000009))
  (func (export "buf_cap_lies") (param i32 i32) (result i64)
    (drop (call $config (i32.const 512) (i32.const 3) (i32.const 0x1fffe) (i32.const 0xffffffff)))
    (i64.const 0x0000004000000009))
)
