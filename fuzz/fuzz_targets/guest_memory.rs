//! Guest-memory reads with arbitrary (ptr, len) through the host.
//!
//! A fixed guest (`GUEST` below) answers its user export `fuzz` with whatever the fuzz input
//! chose: a packed (ptr, len) result location (mode 0), a `wabi.log` call with that pointer and
//! length (mode 1), or a `wabi.panic` call (mode 2). The fuzz input also provides the bytes at
//! 0x100.. (envelopes, panic records, log text), written through `Plugin::memory()` before the
//! call, and may make `wabi_alloc` return a chosen pointer while the host places a large input.
//!
//! Every outcome must be `Ok` or one of the typed errors a call can produce; the host must not
//! panic; the next call on the same plugin must work. For a result location (mode 0, raw call),
//! the host's answer must match an independent parse of the same guest bytes.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use wabi_host::{Direction, Engine, Error, GuestError, GuestPanic, Module, Plugin};
use wabi_spec::layout::{Envelope, PanicRecord};

const GUEST: &str = r#"(module
  (import "wabi" "log" (func $log (param i32 i32 i32)))
  (import "wabi" "panic" (func $panic (param i32 i32)))
  (memory (export "memory") 1)
  (func (export "wabi_abi_version") (result i32) (i32.const 0x10000))
  (global $bump (mut i32) (i32.const 0x9000))
  ;; control word at 16: when non-zero, wabi_alloc returns it instead of a bump block
  (func (export "wabi_alloc") (param $size i32) (param $align i32) (result i32)
    (local $p i32)
    (if (i32.load (i32.const 16)) (then (return (i32.load (i32.const 16)))))
    (if (i32.gt_u (i32.add (global.get $bump) (local.get $size)) (i32.const 0x10000))
      (then (global.set $bump (i32.const 0x9000))))
    (local.set $p (global.get $bump))
    (global.set $bump (i32.and (i32.add (i32.add (local.get $p) (local.get $size)) (i32.const 7)) (i32.const -8)))
    (local.get $p))
  (func (export "wabi_free") (param i32 i32 i32))
  (func (export "wabi_scratch") (result i64) (i64.const 0x0000800000000100)) ;; 256 bytes at 0x8000
  ;; `ok` rewrites its envelope (status 0, body_len 1, true) at 64 on every call: a chosen
  ;; `wabi_alloc` answer may have let the host write a large input over it
  (func (export "ok") (param i32 i32) (result i64)
    (i64.store (i32.const 64) (i64.const 0x0000000100000000))
    (i32.store8 (i32.const 72) (i32.const 0xc3))
    (i64.const 0x0000004000000009))
  ;; controls: mode at 0, ptr at 4, len at 8, level at 12
  (func (export "fuzz") (param i32 i32) (result i64)
    (if (i32.eq (i32.load (i32.const 0)) (i32.const 1))
      (then
        (call $log (i32.load (i32.const 12)) (i32.load (i32.const 4)) (i32.load (i32.const 8)))
        (return (i64.const 0x0000004000000009))))
    (if (i32.eq (i32.load (i32.const 0)) (i32.const 2))
      (then
        (call $panic (i32.load (i32.const 4)) (i32.load (i32.const 8)))
        (return (i64.const 0))))
    (i64.or (i64.shl (i64.extend_i32_u (i32.load (i32.const 4))) (i64.const 32))
            (i64.extend_i32_u (i32.load (i32.const 8))))))"#;

const DATA_AT: u32 = 0x100;
const DATA_MAX: usize = 0x8000 - DATA_AT as usize;

fn module() -> &'static Module {
    static MODULE: OnceLock<Module> = OnceLock::new();
    MODULE.get_or_init(|| {
        let engine = Engine::default();
        Module::builder(&engine)
            .name("fuzz")
            .log_handler(std::sync::Arc::new(|r: &wabi_host::LogRecord<'_>| {
                // The cut is in raw bytes, before lossy decoding turns each invalid byte into
                // U+FFFD (3 bytes): at most 3 x the limit, plus the "[N bytes cut]" mark.
                assert!(
                    r.message.len() <= 3 * wabi_host::MAX_LOG_LINE + 64,
                    "a log line is cut"
                );
            }))
            .build(GUEST)
            .expect("the fuzz guest loads")
    })
}

/// Little-endian u32 at `at`, 0 past the end.
fn u32_at(b: &[u8], at: usize) -> u32 {
    let mut w = [0u8; 4];
    for (i, x) in w.iter_mut().enumerate() {
        *x = b.get(at + i).copied().unwrap_or(0);
    }
    u32::from_le_bytes(w)
}

/// The only errors a call may produce from guest behaviour.
fn assert_typed(err: &Error) {
    match err {
        Error::BadResult { function, .. }
        | Error::Decode { function, .. }
        | Error::Encode { function, .. }
        | Error::Guest { function, .. }
        | Error::Panic { function, .. }
        | Error::Trap { function, .. }
        | Error::Alloc { function, .. }
        | Error::OutputTooLarge { function, .. } => assert_eq!(function, "fuzz", "{err:?}"),
        other => panic!("a call produced an unexpected error: {other:?}"),
    }
}

/// What the host must answer for a raw call whose result location is (ptr, len), by an
/// independent parse of the guest's bytes.
fn check_raw(memory: &[u8], ptr: u32, len: u32, got: &Result<Vec<u8>, Error>) {
    let end = ptr as u64 + len as u64;
    if end > memory.len() as u64 {
        match got {
            Err(Error::BadResult { reason, .. }) => {
                assert!(
                    reason.starts_with("the result location is invalid"),
                    "{reason}"
                )
            }
            Err(Error::OutputTooLarge { len: l, .. }) => assert_eq!(*l, len as u64),
            other => panic!("({ptr:#x}, {len}) is out of bounds, the host answered {other:?}"),
        }
        return;
    }
    let bytes = &memory[ptr as usize..end as usize];
    match (Envelope::parse(bytes), got) {
        (Ok(Envelope::Ok(body)), Ok(out)) => assert_eq!(body, &out[..]),
        (Ok(Envelope::Error { message, value }), Err(Error::Guest { error, .. })) => assert_eq!(
            *error,
            GuestError {
                message: message.into(),
                value: value.map(<[u8]>::to_vec)
            }
        ),
        (Ok(Envelope::Panic(r)), Err(Error::Panic { panic, .. })) => assert_eq!(
            *panic,
            GuestPanic {
                message: r.message.into(),
                file: (!r.file.is_empty()).then(|| r.file.into()),
                line: r.line,
                column: r.column,
            }
        ),
        (
            Ok(Envelope::BadArguments(m)),
            Err(Error::Decode {
                direction: Direction::Arguments,
                message,
                ..
            }),
        ) => assert!(message.ends_with(m)),
        (
            Ok(Envelope::BadResult(m)),
            Err(Error::Encode {
                direction: Direction::Result,
                message,
                ..
            }),
        ) => assert!(message.ends_with(m)),
        (Err(e), Err(Error::BadResult { reason, .. })) => assert_eq!(reason, &e.to_string()),
        (want, got) => panic!(
            "({ptr:#x}, {len}): the guest's bytes parse as {want:?}, the host answered {got:?}"
        ),
    }
}

fuzz_target!(|input: &[u8]| {
    let mode_byte = input.first().copied().unwrap_or(0);
    let flags = input.get(1).copied().unwrap_or(0);
    let mode = (mode_byte % 3) as u32;
    let entry = (mode_byte / 3) % 5;
    let data = input.get(15..).unwrap_or(&[]);
    let data = &data[..data.len().min(DATA_MAX)];
    let mut ptr = u32_at(input, 2);
    let mut len = u32_at(input, 6);
    if flags & 1 != 0 {
        ptr = DATA_AT + ptr % 0x8000;
    }
    if flags & 2 != 0 {
        len %= 0x8100;
    }
    if flags & 4 != 0 {
        ptr = DATA_AT;
        len = data.len() as u32;
    }
    let alloc_ret = if flags & 8 != 0 { u32_at(input, 10) } else { 0 };
    let level = input.get(14).copied().unwrap_or(0) as u32;

    let mut p: Plugin = module().instantiate().expect("the fuzz guest instantiates");
    {
        let mut mem = p.memory().expect("memory");
        for (at, v) in [(0, mode), (4, ptr), (8, len), (12, level), (16, alloc_ret)] {
            mem.write(at, &v).expect("controls fit");
        }
        mem.write_bytes(DATA_AT, data).expect("data fits");
    }
    let snapshot = p.memory().unwrap().bytes(0, 0x10000).unwrap().to_vec();
    // A large input (> 256-byte scratch) goes through wabi_alloc.
    let big_input = vec![0xa5u8; if flags & 16 != 0 { 300 } else { 0 }];
    // A chosen `wabi_alloc` answer lets the host write that input anywhere in guest memory,
    // the controls included: then the guest may not do what `mode` says (its own fault).
    let clobbered = alloc_ret != 0 && !big_input.is_empty();

    let outcome: Result<(), Error> = match (mode, entry) {
        (0, 0) => {
            let got = p.call_raw("fuzz", b"");
            check_raw(&snapshot, ptr, len, &got);
            got.map(drop)
        }
        (_, 0) | (_, 1) => p.call::<_, Value>("fuzz", ()).map(drop),
        (_, 2) => p.call_raw("fuzz", &big_input).map(drop),
        (_, 3) => p.call_pod::<u32, u64>("fuzz", &7).map(drop),
        _ => p.call_raw_with("fuzz", &big_input, |b| b.len()).map(drop),
    };
    match (&outcome, mode) {
        (Err(e), _) => assert_typed(e),
        (Ok(()), 2) if !clobbered => panic!("wabi.panic returned to the guest"),
        (Ok(()), _) => {}
    }
    if mode == 2 && !clobbered {
        if let Err(Error::Panic { panic, .. }) = &outcome {
            // The host writes the call's input at the scratch (0x8000) or in `wabi_alloc`'s
            // bump area (0x9000..): only a record below 0x8000 is the same at the guest's
            // `wabi.panic` as in the snapshot taken before the call.
            if ptr as u64 + len as u64 <= 0x8000 {
                let bytes = &snapshot[ptr as usize..(ptr + len) as usize];
                if let Ok(r) = PanicRecord::parse(bytes) {
                    assert_eq!(panic.message, r.message);
                }
            }
        }
    }
    if let Err(e) = &outcome {
        if matches!(e, Error::Trap { .. } | Error::Panic { .. }) {
            assert!(e.discarded_instance());
        }
    }
    // Whatever happened, the next call on the same plugin works.
    assert!(p.call::<_, bool>("ok", ()).expect("the next call works"));
});
