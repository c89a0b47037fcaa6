//! Hand-written `.wat` guests shared by the host tests.
#![allow(dead_code)]

use wabi_host::{Engine, Error, Module};

/// A minimal hand-written guest: bump allocator, scratch of 256 bytes at 256, plus `body`.
/// `{version}` and `{scratch}` can be overridden through `with`.
pub fn wat(body: &str) -> String {
    wat_with(body, &[])
}

pub fn wat_with(body: &str, replace: &[(&str, &str)]) -> String {
    let mut base = r#"(module
  {imports}
  (memory (export "memory") 2)
  (global $bump (mut i32) (i32.const 4096))
  (func (export "wabi_abi_version") (result i32) (i32.const {version}))
  (func (export "wabi_alloc") (param $size i32) (param $align i32) (result i32)
    (local $p i32)
    (local.set $p (i32.and (i32.add (global.get $bump) (i32.const 7)) (i32.const -8)))
    (global.set $bump (i32.add (local.get $p) (local.get $size)))
    (local.get $p))
  (func (export "wabi_free") (param i32 i32 i32))
  (func (export "wabi_scratch") (result i64) (i64.const {scratch}))
  ;; ok_true: answers the envelope "status 0, body c3 (true)" stored at 64
  (data (i32.const 64) "\00\00\00\00\01\00\00\00\c3")
  {body}
)"#
    .to_string();
    let defaults = [
        ("{imports}", ""),
        ("{version}", "0x10000"),
        ("{scratch}", "0x0000010000000100"),
    ];
    for (k, v) in replace.iter().chain(defaults.iter()) {
        base = base.replace(k, v);
    }
    base.replace("{body}", body)
}

pub fn load(src: &str) -> Result<Module, Error> {
    Module::new(&Engine::default(), src)
}

/// A user function answering `true` from the envelope at 64.
pub const RETURN_TRUE: &str =
    r#"(func (export "yes") (param i32 i32) (result i64) (i64.const 0x0000004000000009))"#;

/// `echo`: answers its input as the Ok body (copied to 1024), so a MessagePack value comes back
/// as itself.
pub const ECHO: &str = r#"(func (export "echo") (param $p i32) (param $n i32) (result i64)
    (i32.store (i32.const 1024) (i32.const 0))
    (i32.store (i32.const 1028) (local.get $n))
    (memory.copy (i32.const 1032) (local.get $p) (local.get $n))
    (i64.or (i64.shl (i64.const 1024) (i64.const 32)) (i64.extend_i32_u (i32.add (local.get $n) (i32.const 8)))))"#;

/// The `wabi.host_call` import, for guests that call host functions.
pub const HOST_CALL_IMPORT: &str =
    r#"(import "wabi" "host_call" (func $host_call (param i32 i32 i32 i32) (result i64)))"#;

/// `relay_<name>`: passes its input to the host function `<name>` (name stored at `addr`, which
/// must lie outside the scratch buffer at 256..512) and returns the host's envelope as its own
/// result.
pub fn relay(name: &str, addr: u32) -> String {
    format!(
        r#"(data (i32.const {addr}) "{name}")
        (func (export "relay_{name}") (param $p i32) (param $n i32) (result i64)
          (call $host_call (i32.const {addr}) (i32.const {len}) (local.get $p) (local.get $n)))"#,
        len = name.len()
    )
}

/// `twice`: calls the host function `slow` (name stored at 2048) twice with its input and
/// returns the host's second envelope as its own result (the first is dropped unread).
pub const TWICE: &str = r#"(data (i32.const 2048) "slow")
    (func (export "twice") (param $p i32) (param $n i32) (result i64)
      (drop (call $host_call (i32.const 2048) (i32.const 4) (local.get $p) (local.get $n)))
      (call $host_call (i32.const 2048) (i32.const 4) (local.get $p) (local.get $n)))"#;
