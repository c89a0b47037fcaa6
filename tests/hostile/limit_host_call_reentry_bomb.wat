;; HOSTILE (needs the host functions and nesting limit of issue 4; ABI 1.1 `wabi.host_call`):
;; unbounded recursion through a host function.
;; `recurse` calls the host function "reenter"; the test registers "reenter" as a host function
;; that calls the plugin's `recurse` again (a nested call), so guest -> host -> guest -> host ...
;; never ends on its own.
;; The host must answer, with a nesting limit N: the nesting-depth error of issue 4 after N
;; levels (never a host stack overflow, never an unbounded host stack); the error ends the whole
;; outer call; the next call works (on a fresh instance if the error is a trap).
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
  (data (i32.const 512) "reenter")
  (func (export "recurse") (param i32 i32) (result i64)
    (drop (call $host_call (i32.const 512) (i32.const 7) (i32.const 0) (i32.const 0)))
    (i64.const 0x0000004000000009))
)
