;; HOSTILE: a decoder stack bomb: 100,000 nested containers in an Ok body.
;; `arrays`: 100,000 x 0x91 (array of 1) then c0, built at 0x20000 on each call.
;; `maps`: 100,000 x (81 a0) (map of 1 whose key is "") then c0, built at 0x40000.
;; `depth_128` / `depth_129`: 128 and 129 nested arrays around a nil (ABI.md section 8: exactly
;; 128 levels are accepted, deeper is an error).
;; The host must answer: `arrays`, `maps`, `depth_129` -> Error::Decode { direction: Result,
;; message: "...depth..." } (never a stack overflow, which would abort the test process) for
;; serde_json::Value and serde::de::IgnoredAny; `depth_128` -> Ok. The instance stays usable.
(module
  (memory (export "memory") 8)
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
  (func $nest (param $at i32) (param $depth i32) (result i64)
    ;; an Ok envelope at $at holding $depth x 0x91 and a nil
    (i32.store (local.get $at) (i32.const 0))
    (i32.store (i32.add (local.get $at) (i32.const 4)) (i32.add (local.get $depth) (i32.const 1)))
    (memory.fill (i32.add (local.get $at) (i32.const 8)) (i32.const 0x91) (local.get $depth))
    (i32.store8 (i32.add (i32.add (local.get $at) (i32.const 8)) (local.get $depth)) (i32.const 0xc0))
    (i64.or (i64.shl (i64.extend_i32_u (local.get $at)) (i64.const 32))
            (i64.extend_i32_u (i32.add (local.get $depth) (i32.const 9)))))
  (func (export "arrays") (param i32 i32) (result i64)
    (call $nest (i32.const 0x20000) (i32.const 100000)))
  (func (export "depth_128") (param i32 i32) (result i64)
    (call $nest (i32.const 0x1000) (i32.const 128)))
  (func (export "depth_129") (param i32 i32) (result i64)
    (call $nest (i32.const 0x1000) (i32.const 129)))
  (func (export "maps") (param i32 i32) (result i64)
    (local $i i32)
    (i32.store (i32.const 0x40000) (i32.const 0))
    (i32.store (i32.const 0x40004) (i32.const 200001))
    (loop $fill
      (i32.store16 (i32.add (i32.const 0x40008) (i32.shl (local.get $i) (i32.const 1)))
                   (i32.const 0xa081)) ;; bytes 81 a0
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $fill (i32.lt_u (local.get $i) (i32.const 100000))))
    (i32.store8 (i32.const 0x70d48) (i32.const 0xc0)) ;; 0x40008 + 200000
    (i64.const 0x0004000000030d49))                    ;; 8 + 200001 = 200009 bytes
)
