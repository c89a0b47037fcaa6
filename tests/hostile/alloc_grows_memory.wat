;; HOSTILE (memory moves under the host): an allocator that grows memory by one page on every
;; call and returns the start of the new page, so the input block lies beyond the memory size the
;; host saw when the call began (and wasmtime may have moved the memory).
;; The host must answer: the call works: the block is checked against the memory's current size
;; after `wabi_alloc` returns, and `echo` gives the 1000 input bytes back exactly; memory grows
;; by 65536 bytes per call. The instance is kept.
(module
  (memory (export "memory") 2)
  (func (export "wabi_abi_version") (result i32) (i32.const 0x10000))
  (func (export "wabi_alloc") (param i32 i32) (result i32)
    (i32.mul (memory.grow (i32.const 1)) (i32.const 65536)))
  (func (export "wabi_free") (param i32 i32 i32))
  (func (export "wabi_scratch") (result i64) (i64.const 0x0000010000000100)) ;; 256 bytes at 256
  ;; `ok` answers true (status 0, body_len 1, body c3): the call that must work afterwards
  (data (i32.const 64) "\00\00\00\00\01\00\00\00\c3")
  (func (export "ok") (param i32 i32) (result i64) (i64.const 0x0000004000000009))
  ;; `echo` answers (raw body) its input bytes
  (func (export "echo") (param $ptr i32) (param $len i32) (result i64)
    (i32.store (i32.const 0x8000) (i32.const 0))
    (i32.store (i32.const 0x8004) (local.get $len))
    (memory.copy (i32.const 0x8008) (local.get $ptr) (local.get $len))
    (i64.or (i64.const 0x0000800000000000)
            (i64.extend_i32_u (i32.add (local.get $len) (i32.const 8)))))
)
