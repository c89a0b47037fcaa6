;; HOSTILE: a scratch buffer that covers the guest's own data.
;; `wabi_scratch` returns (0, 65536): aligned and in bounds, so the host must use it, but it
;; covers the envelope `stale` returns at 64. A 102-byte input overwrites that envelope with 'x'.
;; The guest only hurts itself: nothing the host checks is violated.
;; The host must answer: `where` -> 0 (the scratch address) for a non-empty input; `stale` with a
;; 100-character string -> Error::BadResult { reason: "envelope body_len claims 2021161080 bytes
;; but 1 are present" } (0x78787878, "xxxx", is checked before the status, also "xxxx"); `ok`
;; (which rewrites its envelope) -> Ok(true) on the same instance.
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
  (func (export "wabi_scratch") (result i64) (i64.const 0x0000000000010000))
  ;; `ok` rewrites its envelope at 64 (status 0, body_len 1, c3) on every call
  (func (export "ok") (param i32 i32) (result i64)
    (i64.store (i32.const 64) (i64.const 0x0000000100000000))
    (i32.store8 (i32.const 72) (i32.const 0xc3))
    (i64.const 0x0000004000000009))
  ;; `where` answers (raw body) the 4 little-endian bytes of the input pointer it was given
  (func (export "where") (param $ptr i32) (param $len i32) (result i64)
    (i64.store (i32.const 0x8000) (i64.const 0x0000000400000000)) ;; status 0, body_len 4
    (i32.store (i32.const 0x8008) (local.get $ptr))
    (i64.const 0x000080000000000c))

  ;; `stale` answers whatever now lies at 64
  (func (export "stale") (param i32 i32) (result i64) (i64.const 0x0000004000000009))
)
