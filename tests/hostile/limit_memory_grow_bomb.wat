;; HOSTILE (needs the limits of issue 4): a memory.grow bomb.
;; `bomb` grows memory one page at a time until memory.grow fails, touching one byte of every new
;; page so the memory is really committed, then answers the number of pages it reached (u32).
;; The host must answer, with a memory limit L: Error::MemoryLimit { requested, limit: L } (or,
;; if the limiter makes memory.grow return -1 instead of trapping, an answer of at most L / 65536
;; pages); the host's RSS grows by at most about L; the next call works (on a fresh instance if
;; the limit trapped).
;; Without limits this commits 4 GiB of host memory per instance: do not call it un-limited.
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
  (func (export "bomb") (param i32 i32) (result i64)
    (local $old i32)
    (block $full
      (loop $more
        (local.set $old (memory.grow (i32.const 1)))
        (br_if $full (i32.eq (local.get $old) (i32.const -1)))
        (i32.store8 (i32.mul (local.get $old) (i32.const 65536)) (i32.const 1))
        (br $more)))
    ;; Ok envelope at 0x8000: ce + big-endian u32 pages
    (i64.store (i32.const 0x8000) (i64.const 0x0000000500000000))
    (i32.store8 (i32.const 0x8008) (i32.const 0xce))
    (i32.store (i32.const 0x8009)
      (i32.or (i32.or (i32.shl (memory.size) (i32.const 24))
                      (i32.shl (i32.and (memory.size) (i32.const 0xff00)) (i32.const 8)))
              (i32.or (i32.and (i32.shr_u (memory.size) (i32.const 8)) (i32.const 0xff00))
                      (i32.shr_u (memory.size) (i32.const 24)))))
    (i64.const 0x000080000000000d))
)
