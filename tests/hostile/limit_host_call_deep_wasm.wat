;; HOSTILE (needs the host functions of issue 4; ABI 1.1 `wabi.host_call`): unbounded wasm
;; recursion in which every level calls a host function ("noop", registered by the test as a
;; function that returns ()). The guest's heap, which receives every answer, grows memory as
;; needed, so the wasm stack, not the heap, runs out first.
;; The host must answer: Error::Trap { message: "... call stack exhausted ..." } (the wasm stack
;; limit, not a host crash), or the nesting/timeout error of issue 4 if one triggers first; the
;; next call works on a fresh instance.
(module
  (import "wabi" "host_call" (func $host_call (param i32 i32 i32 i32) (result i64)))
  (memory (export "memory") 2)
  (func (export "wabi_abi_version") (result i32) (i32.const 0x10001))
  (global $bump (mut i32) (i32.const 0x10000))
  ;; bump allocator from page 1, 8-byte aligned, that grows memory when a block would pass its
  ;; end (and answers 0 if memory.grow fails)
  (func $alloc (export "wabi_alloc") (param $size i32) (param $align i32) (result i32)
    (local $p i32)
    (local $end i32)
    (local.set $p (i32.and (i32.add (global.get $bump) (i32.const 7)) (i32.const -8)))
    (local.set $end (i32.add (local.get $p) (local.get $size)))
    (if (i32.gt_u (local.get $end) (i32.shl (memory.size) (i32.const 16)))
      (then
        (if (i32.eq (memory.grow (i32.sub (i32.shr_u (i32.add (local.get $end) (i32.const 0xffff))
                                                     (i32.const 16))
                                          (memory.size)))
                    (i32.const -1))
          (then (return (i32.const 0))))))
    (global.set $bump (local.get $end))
    (local.get $p))
  (func (export "wabi_free") (param i32 i32 i32))
  (func (export "wabi_scratch") (result i64) (i64.const 0x0000010000000100)) ;; 256 bytes at 256
  ;; `ok` answers true (status 0, body_len 1, body c3): the call that must work afterwards
  (data (i32.const 64) "\00\00\00\00\01\00\00\00\c3")
  (func (export "ok") (param i32 i32) (result i64) (i64.const 0x0000004000000009))
  (data (i32.const 512) "noop")
  (func $down (param $n i32) (result i32)
    (drop (call $host_call (i32.const 512) (i32.const 4) (i32.const 0) (i32.const 0)))
    (i32.add (call $down (i32.add (local.get $n) (i32.const 1))) (i32.const 1)))
  (func (export "recurse") (param i32 i32) (result i64)
    (drop (call $down (i32.const 0)))
    (i64.const 0x0000004000000009))
)
