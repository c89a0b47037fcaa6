;; HOSTILE (needs the host functions of issue 4; ABI 1.1 `wabi.host_call`): a host function called
;; while the instance is still being initialised.
;; `_initialize` calls the host function "cb"; the test registers "cb" as a host function that
;; calls back into the guest (`ok`) through the host-function context. (A wasm start function
;; doing the same hits the same path.) The instance's ABI exports are not looked up yet, so the
;; nested call cannot place its input or read its result.
;; The host must answer: Module::instantiate -> a typed error (Error::Instantiate naming
;; `_initialize`, or the nested call's error turned into "wabi.host_call during initialisation"),
;; never a host panic; a later instantiate fails the same way; a good module still works.
;; Found while writing this suite: the work-in-progress host of issue 4 panics
;; ("calls happen on initialised instances", host-sdk/src/call.rs, read_envelope).
(module
  (import "wabi" "host_call" (func $host_call (param i32 i32 i32 i32) (result i64)))
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
  (data (i32.const 512) "cb")
  (func (export "_initialize")
    (drop (call $host_call (i32.const 512) (i32.const 2) (i32.const 0) (i32.const 0))))
)
