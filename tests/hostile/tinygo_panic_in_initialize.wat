;; HOSTILE: a TinyGo-style runtime that panics during `_initialize` (a package-level variable's
;; initialiser panics): "panic: init failed\n" on stdout (fd 1), then `unreachable`.
;; The host must answer: Module::instantiate -> Error::Startup { phase: Initialize, error:
;; Error::Panic { function: "_initialize", message: "init failed" } }, whose text names
;; `_initialize` and contains no empty function name; a good module still works.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (func (export "wabi_abi_version") (result i32) (i32.const 0x10002))
  (func (export "wabi_alloc") (param i32 i32) (result i32) (i32.const 0x10000))
  (func (export "wabi_free") (param i32 i32 i32))
  (func (export "wabi_scratch") (result i64) (i64.const 0))
  (data (i32.const 1024) "panic: init failed\0a")
  (func (export "_initialize")
    (i32.store (i32.const 16) (i32.const 1024))
    (i32.store (i32.const 20) (i32.const 19))
    (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))
    (unreachable))
  (func (export "ok") (param i32 i32) (result i64) (i64.const 0))
)
