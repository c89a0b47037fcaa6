;; HOSTILE (memory moves under the host): a user function that grows memory and answers from the
;; new pages.
;; `grow_and_answer`: grows by one page and writes its envelope at the start of the new page.
;; `answer_then_grow`: writes its envelope at 0x8000 first, then grows memory by 16 pages (which
;; may move the memory in the host's address space) and answers the pointer written before.
;; (The 4 GiB edge, an envelope ending exactly at 2^32, is limit_result_at_top_of_4gib.wat: it
;; needs a memory limit of 4 GiB.)
;; The host must answer: Ok(true) for both, reading from the memory's current size and base after
;; the call; the instance is kept (memory stays grown: 2 + 1 + 16 pages).
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
  (func (export "grow_and_answer") (param i32 i32) (result i64)
    (local $at i32)
    (local.set $at (i32.mul (memory.grow (i32.const 1)) (i32.const 65536)))
    (i64.store (local.get $at) (i64.const 0x0000000100000000))
    (i32.store8 (i32.add (local.get $at) (i32.const 8)) (i32.const 0xc3))
    (i64.or (i64.shl (i64.extend_i32_u (local.get $at)) (i64.const 32)) (i64.const 9)))
  (func (export "answer_then_grow") (param i32 i32) (result i64)
    (i64.store (i32.const 0x8000) (i64.const 0x0000000100000000))
    (i32.store8 (i32.const 0x8008) (i32.const 0xc3))
    (if (i32.eq (memory.grow (i32.const 16)) (i32.const -1)) (then (unreachable)))
    (i64.const 0x0000800000000009))
)
