;; HOSTILE: a scratch buffer whose end overflows u32.
;; `wabi_scratch` returns (0xffffff00, 0x200): 8-byte aligned, but ptr + cap wraps to 0x100 in
;; 32-bit arithmetic. ABI.md section 5: the host must treat the capacity as 0.
;; The host must answer: instantiation succeeds; every non-empty input goes through `wabi_alloc`
;; (`where` reports 0x10000, the first heap block, never 0xffffff00); empty input is (0, 0).
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
  (func (export "wabi_scratch") (result i64) (i64.const 0xffffff0000000200))
  ;; `ok` answers true (status 0, body_len 1, body c3): the call that must work afterwards
  (data (i32.const 64) "\00\00\00\00\01\00\00\00\c3")
  (func (export "ok") (param i32 i32) (result i64) (i64.const 0x0000004000000009))
  ;; `where` answers (raw body) the 4 little-endian bytes of the input pointer it was given
  (func (export "where") (param $ptr i32) (param $len i32) (result i64)
    (i64.store (i32.const 0x8000) (i64.const 0x0000000400000000)) ;; status 0, body_len 4
    (i32.store (i32.const 0x8008) (local.get $ptr))
    (i64.const 0x000080000000000c))
)
