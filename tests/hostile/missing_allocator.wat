;; HOSTILE: a guest with no allocator at all (neither `wabi_alloc` nor `wabi_free`), as if it
;; only ever used its scratch buffer.
;; The host must answer at load: Error::MissingExport { name: "wabi_alloc", hint: "... ABI.md
;; section 3" }; a good module still loads.
(module
  (memory (export "memory") 2)
  (func (export "wabi_abi_version") (result i32) (i32.const 0x10000))
  (func (export "wabi_scratch") (result i64) (i64.const 0x0000010000000100)) ;; 256 bytes at 256
  ;; `ok` answers true (status 0, body_len 1, body c3): the call that must work afterwards
  (data (i32.const 64) "\00\00\00\00\01\00\00\00\c3")
  (func (export "ok") (param i32 i32) (result i64) (i64.const 0x0000004000000009))
)
