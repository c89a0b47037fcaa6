;; HOSTILE: exports that look like user functions but do not have the signature (i32, i32) -> i64,
;; or use reserved names.
;; `one_param` (i32) -> i64, `ret_i32` (i32, i32) -> i32, `i64_params` (i64, i64) -> i64,
;; `a_global` (a global), `a_table` (a table), `wabi_sneaky` (right signature, reserved prefix),
;; "" (right signature, empty name).
;; The host must answer: Module::functions() is exactly ["ok"]; calling any of them, or a
;; reserved export such as `wabi_alloc`, `wabi_scratch`, `_initialize` or `memory`, ->
;; Error::NoSuchFunction { function: <name>, available: "ok" }; no wasm runs, the instance is
;; kept.
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
  (func (export "one_param") (param i32) (result i64) (unreachable))
  (func (export "ret_i32") (param i32 i32) (result i32) (unreachable))
  (func (export "i64_params") (param i64 i64) (result i64) (unreachable))
  (global (export "a_global") i32 (i32.const 7))
  (table (export "a_table") 1 funcref)
  (func (export "wabi_sneaky") (param i32 i32) (result i64) (unreachable))
  (func (export "") (param i32 i32) (result i64) (unreachable))
)
