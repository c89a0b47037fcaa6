;; HOSTILE: `wabi_alloc` exported with the wrong wasm type: (i32) -> i32.
;; The host must answer at load: Error::ExportSignature { name: "wabi_alloc", expected:
;; "func(i32, i32) -> (i32)", found: "func(i32) -> (i32)" }.
(module
  (memory (export "memory") 2)
  (func (export "wabi_abi_version") (result i32) (i32.const 0x10000))
  (func (export "wabi_alloc") (param i32) (result i32) (i32.const 0))
  (func (export "wabi_free") (param i32 i32 i32))
  (func (export "wabi_scratch") (result i64) (i64.const 0x0000010000000100)) ;; 256 bytes at 256
  ;; `ok` answers true (status 0, body_len 1, body c3): the call that must work afterwards
  (data (i32.const 64) "\00\00\00\00\01\00\00\00\c3")
  (func (export "ok") (param i32 i32) (result i64) (i64.const 0x0000004000000009))
)
