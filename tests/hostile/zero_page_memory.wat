;; HOSTILE: a guest whose memory starts with 0 pages (and a scratch buffer of capacity 0).
;; `bad` returns (0, 8) while memory is empty; `ok` grows memory to 1 page on its first call and
;; writes its envelope there. After that, `bad`'s (0, 8) is in bounds: the 8 zero bytes there are
;; an Ok envelope with an empty body.
;; The host must answer: `bad` -> Error::BadResult { reason: "... 8 bytes at 0x0 exceed the
;; memory size 0" }; `ok` -> Ok(true) on the same instance (memory is now 65536 bytes, judged by
;; its current size, never a size cached at instantiation); `bad` again -> Error::Decode
;; { function: "bad", direction: Result } (an empty body is not a bool).
(module
  (memory (export "memory") 0)
  (func (export "wabi_abi_version") (result i32) (i32.const 0x10000))
  (func (export "wabi_alloc") (param i32 i32) (result i32) (i32.const 0)) ;; always out of memory
  (func (export "wabi_free") (param i32 i32 i32))
  (func (export "wabi_scratch") (result i64) (i64.const 0)) ;; no scratch
  (func (export "bad") (param i32 i32) (result i64) (i64.const 0x0000000000000008))
  (func (export "ok") (param i32 i32) (result i64)
    (if (i32.eqz (memory.size)) (then (drop (memory.grow (i32.const 1)))))
    (i64.store (i32.const 64) (i64.const 0x0000000100000000)) ;; status 0, body_len 1
    (i32.store8 (i32.const 72) (i32.const 0xc3))               ;; true
    (i64.const 0x0000004000000009))
)
