;; HOSTILE: a Go or TinyGo guest built without -buildmode=c-shared: a WASI command. It exports
;; `_start` and every wabi export (//go:wasmexport), but its runtime is set up only by `_start`,
;; so every other export traps (TinyGo 0.35: `unreachable` in wabi_abi_version).
;; The host must answer: Module::new -> Error::CommandModule, before anything runs, with a text
;; that says the module is a command and names the fix (-buildmode=c-shared); `wabi inspect` and
;; `wabi call` exit 2 (a load error).
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 2)
  (func (export "_start") (call $exit (i32.const 0)))
  (func (export "wabi_abi_version") (result i32) (unreachable))
  (func (export "wabi_alloc") (param i32 i32) (result i32) (unreachable))
  (func (export "wabi_free") (param i32 i32 i32) (unreachable))
  (func (export "wabi_scratch") (result i64) (unreachable))
  (func (export "greet") (param i32 i32) (result i64) (unreachable))
)
