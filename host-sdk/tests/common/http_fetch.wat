;; A guest that passes its input to `wabi.http_request` as the request and returns the host's
;; answer envelope as its own result envelope, so a test sees exactly what the host answered
;; (tests/tests/http.rs, host-sdk/tests/async.rs). `fetch_10` sends its request ten times in one
;; call; `fetch_oob` claims a request at the end of the address space; `fetch_1gib` claims 1 GiB.
(module
  (import "wabi" "http_request" (func $http (param i32 i32) (result i64)))
  (memory (export "memory") 2)
  (func (export "wabi_abi_version") (result i32) (i32.const 0x10003))
  (global $bump (mut i32) (i32.const 0x1000))
  (func (export "wabi_alloc") (param $size i32) (param $align i32) (result i32)
    (local $p i32) (local $end i32) (local $have i32)
    (local.set $p (i32.and (i32.add (global.get $bump) (i32.const 7)) (i32.const -8)))
    (local.set $end (i32.add (local.get $p) (local.get $size)))
    (local.set $have (i32.shl (memory.size) (i32.const 16)))
    (if (i32.gt_u (local.get $end) (local.get $have))
      (then
        (if (i32.lt_s
              (memory.grow (i32.shr_u (i32.add (i32.sub (local.get $end) (local.get $have)) (i32.const 0xffff)) (i32.const 16)))
              (i32.const 0))
          (then (return (i32.const 0))))))
    (global.set $bump (local.get $end))
    (local.get $p))
  (func (export "wabi_free") (param i32 i32 i32))
  (func (export "wabi_scratch") (result i64) (i64.const 0))
  ;; the host's answer is this call's result envelope
  (func (export "fetch") (param $p i32) (param $n i32) (result i64)
    (call $http (local.get $p) (local.get $n)))
  ;; the same request ten times in one call; answers the last answer
  (func (export "fetch_10") (param $p i32) (param $n i32) (result i64)
    (local $i i32) (local $r i64)
    (loop $again
      (local.set $r (call $http (local.get $p) (local.get $n)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (i32.const 10))))
    (local.get $r))
  ;; a request claimed at the end of the address space: a fault
  (func (export "fetch_oob") (param i32 i32) (result i64)
    (call $http (i32.const 0xfffff000) (i32.const 0x2000)))
  ;; a request of 1 GiB claimed: refused before it is read
  (func (export "fetch_1gib") (param i32 i32) (result i64)
    (call $http (i32.const 0) (i32.const 0x40000000)))
)
