;; HOSTILE: an allocator that is out of memory once, then recovers.
;; The first `wabi_alloc` returns 0; later ones work. Inputs larger than the 256-byte scratch go
;; through `wabi_alloc`.
;; The host must answer: the first large call -> Error::Alloc { function: "ok", size: 1003,
;; reason: "wabi_alloc returned 0: the guest is out of memory" } (an error, not a trap: the
;; instance is kept); the next large call on the same instance -> Ok(true).
(module
  (memory (export "memory") 2)
  (func (export "wabi_abi_version") (result i32) (i32.const 0x10000))
  (global $bump (mut i32) (i32.const 0x10000))
  (func $alloc (export "wabi_alloc") (param $size i32) (param $align i32) (result i32)
    (local $p i32)
    (if (i32.eqz (global.get $failed_once))
      (then (global.set $failed_once (i32.const 1)) (return (i32.const 0))))
    (local.set $p (i32.and (i32.add (global.get $bump) (i32.const 7)) (i32.const -8)))
    (global.set $bump (i32.add (local.get $p) (local.get $size)))
    (local.get $p))
  (func (export "wabi_free") (param i32 i32 i32))
  (func (export "wabi_scratch") (result i64) (i64.const 0x0000010000000100)) ;; 256 bytes at 256
  ;; `ok` answers true (status 0, body_len 1, body c3): the call that must work afterwards
  (data (i32.const 64) "\00\00\00\00\01\00\00\00\c3")
  (func (export "ok") (param i32 i32) (result i64) (i64.const 0x0000004000000009))
  (global $failed_once (mut i32) (i32.const 0))
)
