;; HOSTILE (needs the limits of issue 4): a table.grow bomb.
;; `bomb` grows a funcref table (no declared maximum) by 1,000,000 elements at a time until
;; table.grow fails; every element costs host heap memory (tables are not guest linear memory).
;; The host must answer, with a table limit T: the table error of issue 4 (e.g. a
;; MemoryLimit-style error naming the table, or table.grow returning -1 at T elements so the call
;; answers Ok); host RSS grows by at most about T x 8 bytes; the next call works.
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
  (table $t 1 funcref)
  (func (export "bomb") (param i32 i32) (result i64)
    (block $full
      (loop $more
        (br_if $full (i32.eq (table.grow $t (ref.null func) (i32.const 1000000)) (i32.const -1)))
        (br $more)))
    (i64.const 0x0000004000000009))
)
