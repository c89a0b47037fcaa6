;; HOSTILE (needs a memory limit of at least 4 GiB, issue 4): an envelope that ends exactly at
;; 2^32.
;; `top_of_4gib` grows memory to the 32-bit maximum (65536 pages, 4 GiB of mostly untouched
;; virtual memory) and answers from the very last 9 bytes: ptr 0xfffffff7 + len 9 = 2^32, which is
;; 0 in u32 arithmetic but exactly the memory size in 64 bits. If memory.grow fails it traps.
;; The host must answer: with a memory limit >= 4 GiB, Ok(true) (the host's 64-bit bounds check
;; accepts an envelope ending exactly at the end of a 4 GiB memory); with the default limit,
;; Error::MemoryLimit { requested: 4294967296, limit } and a fresh instance next.
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
  (func (export "wabi_scratch") (result i64) (i64.const 0x0000010000000100)) ;; 256 bytes at 256
  ;; `ok` answers true (status 0, body_len 1, body c3): the call that must work afterwards
  (data (i32.const 64) "\00\00\00\00\01\00\00\00\c3")
  (func (export "ok") (param i32 i32) (result i64) (i64.const 0x0000004000000009))
  (func (export "top_of_4gib") (param i32 i32) (result i64)
    (if (i32.lt_u (memory.size) (i32.const 65536))
      (then (if (i32.eq (memory.grow (i32.sub (i32.const 65536) (memory.size))) (i32.const -1))
        (then (unreachable)))))
    (i64.store (i32.const 0xfffffff7) (i64.const 0x0000000100000000))
    (i32.store8 (i32.const 0xffffffff) (i32.const 0xc3))
    (i64.const 0xfffffff700000009))
)
