;; HOSTILE (needs the host functions and deadline of issue 4; ABI 1.1 `wabi.host_call`): a
;; `wabi_alloc` that never returns, and keeps calling a host function that calls back into the
;; guest.
;; The host calls `wabi_alloc` to place an input larger than the scratch buffer, before the user
;; function starts. This allocator then loops forever calling the host function "cb", which the
;; test registers as a function that calls the guest's `ok` (a nested call). The allocator serves
;; the nested calls' own allocations (result envelopes) from a bump allocator it resets each
;; round, so only time grows.
;; The host must answer, with a deadline D: Error::Timeout within 2 x D (the nested calls run
;; inside the outer call and share its deadline and fuel), and a fresh instance next.
;; Found while writing this suite: the work-in-progress host of issue 4 treats a nested call made
;; while `wabi_alloc` runs at depth 0 as a new outermost call, which resets the epoch deadline
;; (and the fuel, and clears a recorded fault) every time: the call never ends.
(module
  (import "wabi" "host_call" (func $host_call (param i32 i32 i32 i32) (result i64)))
  (memory (export "memory") 2)
  (func (export "wabi_abi_version") (result i32) (i32.const 0x10001))
  (global $bump (mut i32) (i32.const 0x10000))
  (func $bump_alloc (param $size i32) (result i32)
    (local $p i32)
    (local.set $p (i32.and (i32.add (global.get $bump) (i32.const 7)) (i32.const -8)))
    (global.set $bump (i32.add (local.get $p) (local.get $size)))
    (local.get $p))
  ;; the first call (the host placing a large input) never returns; nested ones allocate
  (func (export "wabi_alloc") (param $size i32) (param $align i32) (result i32)
    (if (global.get $looping) (then (return (call $bump_alloc (local.get $size)))))
    (global.set $looping (i32.const 1))
    (loop $forever
      (global.set $bump (i32.const 0x10000))
      (drop (call $host_call (i32.const 512) (i32.const 2) (i32.const 0) (i32.const 0)))
      (br $forever))
    (i32.const 0))
  (func (export "wabi_free") (param i32 i32 i32))
  (func (export "wabi_scratch") (result i64) (i64.const 0x0000010000000100)) ;; 256 bytes at 256
  ;; `ok` answers true (status 0, body_len 1, body c3): the call that must work afterwards
  (data (i32.const 64) "\00\00\00\00\01\00\00\00\c3")
  (func (export "ok") (param i32 i32) (result i64) (i64.const 0x0000004000000009))
  (data (i32.const 512) "cb")
  (global $looping (mut i32) (i32.const 0))
)
