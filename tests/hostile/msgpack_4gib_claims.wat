;; HOSTILE: MessagePack length prefixes claiming about 4 GiB, followed by one or two bytes.
;; `str32`: db ff ff ff ff 61; `bin32`: c6 ff ff ff ff 00; `array32`: dd ff ff ff ff 01;
;; `map32`: df ff ff ff ff 01 02; `ext32`: c9 ff ff ff ff 01 00.
;; The host must answer: Error::Decode { direction: Result } for each, whatever the target type
;; (String, Vec<u8>, Vec<u64>, HashMap, serde_json::Value), without allocating in proportion to
;; the claimed length (the test checks no single allocation above 16 MiB happens during the
;; call); the instance stays usable.
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
  (data (i32.const 512) "\00\00\00\00\06\00\00\00\db\ff\ff\ff\ff\61")
  (data (i32.const 528) "\00\00\00\00\06\00\00\00\c6\ff\ff\ff\ff\00")
  (data (i32.const 544) "\00\00\00\00\06\00\00\00\dd\ff\ff\ff\ff\01")
  (data (i32.const 560) "\00\00\00\00\07\00\00\00\df\ff\ff\ff\ff\01\02")
  (data (i32.const 576) "\00\00\00\00\07\00\00\00\c9\ff\ff\ff\ff\01\00")
  (func (export "str32") (param i32 i32) (result i64) (i64.const 0x000002000000000e))
  (func (export "bin32") (param i32 i32) (result i64) (i64.const 0x000002100000000e))
  (func (export "array32") (param i32 i32) (result i64) (i64.const 0x000002200000000e))
  (func (export "map32") (param i32 i32) (result i64) (i64.const 0x000002300000000f))
  (func (export "ext32") (param i32 i32) (result i64) (i64.const 0x000002400000000f))
)
