;; HOSTILE: error envelopes whose MessagePack value is garbage or a decoder bomb.
;; `garbage`: message "bad", value c1 (a byte MessagePack never uses).
;; `bomb`: message "deep", value = 100,000 nested 1-element arrays (0x91 ...) and a nil, built in
;; memory at 0x20000 on each call.
;; The envelope itself is well formed, so the error reaches the caller; the value is decoded only
;; when the caller asks for it.
;; The host must answer: Error::Guest { function, error: GuestError { message: "bad", value:
;; Some([0xc1]) } }; for `bomb` the value is 100,001 bytes. GuestError::value_as::<serde_json::
;; Value>() -> Some(Err(Error::Decode { direction: Result, message: "error value: ..." })), and
;; "depth" for `bomb` (no stack overflow). The instance stays usable.
(module
  (memory (export "memory") 4)
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
  (data (i32.const 512) "\01\00\00\00\0c\00\00\00\03\00\00\00\01\00\00\00bad\c1")
  (func (export "garbage") (param i32 i32) (result i64) (i64.const 0x0000020000000014))
  (func (export "bomb") (param i32 i32) (result i64)
    ;; status 1, body_len 8 + 4 + 100001 = 100013; message_len 4, value_len 100001
    (i32.store (i32.const 0x20000) (i32.const 1))
    (i32.store (i32.const 0x20004) (i32.const 100013))
    (i32.store (i32.const 0x20008) (i32.const 4))
    (i32.store (i32.const 0x2000c) (i32.const 100001))
    (i32.store (i32.const 0x20010) (i32.const 0x70656564)) ;; "deep"
    (memory.fill (i32.const 0x20014) (i32.const 0x91) (i32.const 100000))
    (i32.store8 (i32.const 0x386b4) (i32.const 0xc0))     ;; 0x20014 + 100000
    (i64.const 0x00020000000186b5))                       ;; 8 + 100013 = 100021 bytes
)
