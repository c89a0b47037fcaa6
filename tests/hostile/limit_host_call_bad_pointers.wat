;; HOSTILE (needs the host functions of issue 4; ABI 1.1 `wabi.host_call`): host-function calls
;; with arguments that do not describe guest memory, and a result the host cannot place.
;; `name_oob`: name at 0x100000; `name_wraps`: (0xffffffff, 2); `args_1gib`: args (0, 1 << 30);
;; `name_not_utf8`: name "\ff\fe"; `no_such_function`: "nope"; `alloc_fails`: the host function
;; "noop" succeeds but `wabi_alloc` returns 0 when the host places the result envelope (the
;; allocator returns 0 whenever the control word at 16 is non-zero).
;; The host must answer: `name_oob`, `name_wraps`, `args_1gib` -> Error::Trap (ABI.md 4.1:
;; invalid pointers are faults) naming wabi.host_call and the out-of-bounds range, nothing
;; allocated for the claimed lengths (`args_1gib` only if the output limit, which also bounds
;; host-call arguments, is at least 1 GiB: under a smaller one it is Error::OutputTooLarge
;; { function: "args_1gib", host_function: Some("noop"), len: 1073741824, limit }, a fault like
;; the others: the guest trapped);
;; `no_such_function` -> the guest receives an Error envelope ("no host function named ...") and
;; `probe` style code answers normally; `name_not_utf8` -> either that Error envelope or a trap,
;; as issue 4 documents; `alloc_fails` -> Error::Alloc { function: "alloc_fails", host_function:
;; Some("noop"), size: 9 } (ABI.md 4.1: `wabi_alloc` failing is a fault, which ends the call with
;; its own error). The next call works, on a fresh instance after each fault.
;; Each export answers the status word of the envelope it got back as a u8 body, when it gets one.
(module
  (import "wabi" "host_call" (func $host_call (param i32 i32 i32 i32) (result i64)))
  (memory (export "memory") 2)
  (func (export "wabi_abi_version") (result i32) (i32.const 0x10001))
  (global $bump (mut i32) (i32.const 0x10000))
  (func $alloc (export "wabi_alloc") (param $size i32) (param $align i32) (result i32)
    (local $p i32)
    (if (i32.load (i32.const 16)) (then (return (i32.const 0))))
    (local.set $p (i32.and (i32.add (global.get $bump) (i32.const 7)) (i32.const -8)))
    (global.set $bump (i32.add (local.get $p) (local.get $size)))
    (local.get $p))
  (func (export "wabi_free") (param i32 i32 i32))
  (func (export "wabi_scratch") (result i64) (i64.const 0x0000010000000100)) ;; 256 bytes at 256
  ;; `ok` answers true (status 0, body_len 1, body c3): the call that must work afterwards
  (data (i32.const 64) "\00\00\00\00\01\00\00\00\c3")
  (func (export "ok") (param i32 i32) (result i64) (i64.const 0x0000004000000009))
  (data (i32.const 16) "\00\00\00\00") ;; control word: non-zero makes wabi_alloc fail
  (data (i32.const 512) "\ff\fenopenoop")
  (func $status (param $packed i64) (result i64)
    ;; answer the status word of the envelope at the packed pointer, as a MessagePack fixint
    (i64.store (i32.const 0x8000) (i64.const 0x0000000100000000))
    (i32.store8 (i32.const 0x8008)
      (i32.load (i32.wrap_i64 (i64.shr_u (local.get $packed) (i64.const 32)))))
    (i64.const 0x0000800000000009))
  (func (export "name_oob") (param i32 i32) (result i64)
    (call $status (call $host_call (i32.const 0x100000) (i32.const 4) (i32.const 0) (i32.const 0))))
  (func (export "name_wraps") (param i32 i32) (result i64)
    (call $status (call $host_call (i32.const 0xffffffff) (i32.const 2) (i32.const 0) (i32.const 0))))
  (func (export "args_1gib") (param i32 i32) (result i64)
    (call $status (call $host_call (i32.const 518) (i32.const 4) (i32.const 0) (i32.const 0x40000000))))
  (func (export "name_not_utf8") (param i32 i32) (result i64)
    (call $status (call $host_call (i32.const 512) (i32.const 2) (i32.const 0) (i32.const 0))))
  (func (export "no_such_function") (param i32 i32) (result i64)
    (call $status (call $host_call (i32.const 514) (i32.const 4) (i32.const 0) (i32.const 0))))
  (func (export "alloc_fails") (param i32 i32) (result i64)
    (local $r i64)
    (i32.store (i32.const 16) (i32.const 1))
    (local.set $r (call $host_call (i32.const 518) (i32.const 4) (i32.const 0) (i32.const 0)))
    (i32.store (i32.const 16) (i32.const 0))
    (call $status (local.get $r)))
)
