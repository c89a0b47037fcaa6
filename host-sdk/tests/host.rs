//! Host SDK behaviour that does not depend on a guest language: loading and validation errors,
//! traps, malformed results, guest memory access.

mod common;

use common::{load, wat, wat_with, ECHO, RETURN_TRUE};
use std::sync::{Arc, Mutex};
use wabi_host::{AbiVersion, Direction, Engine, Error, LogHandler, LogRecord, Module, ABI_VERSION};

#[test]
fn a_minimal_wat_guest_answers() {
    let mut p = load(&wat(RETURN_TRUE)).unwrap().instantiate().unwrap();
    assert!(p.call::<_, bool>("yes", ()).unwrap());
    assert_eq!(p.module().functions(), ["yes"]);
}

#[test]
fn missing_export_is_named() {
    let src = wat("").replace(
        r#"(func (export "wabi_alloc")"#,
        r#"(func (export "other_alloc")"#,
    );
    match load(&src) {
        Err(e @ Error::MissingExport { .. }) => {
            let msg = e.to_string();
            assert!(
                msg.contains("`wabi_alloc`") && msg.contains("not a wabi guest"),
                "{msg}"
            );
        }
        other => panic!("want MissingExport, got {:?}", other.err()),
    }
}

#[test]
fn wrong_export_signature_is_described() {
    let src = wat("").replace(
        r#"(func (export "wabi_scratch") (result i64) (i64.const 0x0000010000000100))"#,
        r#"(func (export "wabi_scratch") (result i32) (i32.const 0))"#,
    );
    match load(&src) {
        Err(Error::ExportSignature {
            name,
            expected,
            found,
        }) => {
            assert_eq!(name, "wabi_scratch");
            assert_eq!(expected, "func() -> (i64)");
            assert_eq!(found, "func() -> (i32)");
        }
        other => panic!("want ExportSignature, got {:?}", other.err()),
    }
}

#[test]
fn incompatible_abi_versions_are_refused_naming_both() {
    for (raw, guest) in [
        ("0x20000", AbiVersion { major: 2, minor: 0 }),
        ("0x10005", AbiVersion { major: 1, minor: 5 }),
        ("0", AbiVersion { major: 0, minor: 0 }),
    ] {
        let module = load(&wat_with("", &[("{version}", raw)])).unwrap();
        match module.instantiate() {
            Err(e @ Error::AbiVersion { .. }) => {
                let msg = e.to_string();
                assert!(
                    msg.contains(&guest.to_string()) && msg.contains(&ABI_VERSION.to_string()),
                    "{msg}"
                );
                assert!(
                    matches!(e, Error::AbiVersion { guest: g, host } if g == guest && host == ABI_VERSION)
                );
            }
            other => panic!("version {raw}: want AbiVersion, got {:?}", other.err()),
        }
    }
    // An older minor version of the same major is accepted.
    assert!(load(&wat_with("", &[("{version}", "0x10000")]))
        .unwrap()
        .instantiate()
        .is_ok());
}

#[test]
fn unknown_imports_fail_at_load_with_a_hint() {
    let cases = [
        (
            r#"(import "env" "get_time" (func))"#,
            "env",
            "get_time",
            "C runtime",
        ),
        (
            r#"(import "wabi" "teleport" (func))"#,
            "wabi",
            "teleport",
            "newer host",
        ),
        (
            r#"(import "wabi" "log" (func (param i32)))"#,
            "wabi",
            "log",
            "wrong type",
        ),
        (
            r#"(import "wasi_snapshot_preview1" "no_such_call" (func))"#,
            "wasi_snapshot_preview1",
            "no_such_call",
            "not a WASI",
        ),
    ];
    for (import, module, name, hint) in cases {
        match load(&wat_with("", &[("{imports}", import)])) {
            Err(Error::UnknownImport {
                module: m,
                name: n,
                hint: h,
            }) => {
                assert_eq!((m.as_str(), n.as_str()), (module, name));
                assert!(h.contains(hint), "{h}");
            }
            other => panic!("{import}: want UnknownImport, got {:?}", other.err()),
        }
    }
}

#[test]
fn bad_files_and_bytes_are_clear_errors() {
    match Module::from_file(&Engine::default(), "/no/such/plugin.wasm") {
        Err(e @ Error::Io { .. }) => assert!(e.to_string().contains("/no/such/plugin.wasm"), "{e}"),
        other => panic!("want Io, got {:?}", other.err()),
    }
    match load("this is not wasm") {
        Err(Error::Compile { .. }) => {}
        other => panic!("want Compile, got {:?}", other.err()),
    }
}

#[test]
fn a_trap_carries_a_backtrace_and_the_next_call_runs_on_a_fresh_instance() {
    let body = format!(
        r#"{RETURN_TRUE}
        (func $deep (unreachable))
        (func (export "crash") (param i32 i32) (result i64) (call $deep) (i64.const 0))
        (func (export "bump") (param i32 i32) (result i64)
          (global.set $bump (i32.add (global.get $bump) (i32.const 8)))
          (i64.const 0x0000004000000009))
        (func (export "bump_at") (param i32 i32) (result i64) (i64.extend_i32_u (global.get $bump)))"#
    );
    let mut p = load(&wat(&body)).unwrap().instantiate().unwrap();
    p.call_raw("bump", b"").unwrap();
    let err = p.call::<_, bool>("crash", ()).unwrap_err();
    assert!(err.discarded_instance());
    match &err {
        Error::Trap {
            function,
            message,
            backtrace,
        } => {
            assert_eq!(function, "crash");
            assert!(message.contains("unreachable"), "{message}");
            let bt = backtrace.as_deref().expect("a wasm backtrace");
            assert!(bt.contains("deep") || bt.contains("crash"), "{bt}");
        }
        other => panic!("want Trap, got {other:?}"),
    }
    // The fresh instance has the initial bump pointer again.
    let mut typed = p.typed::<(), bool>("yes").unwrap();
    assert!(typed.call(&mut p, ()).unwrap());
}

#[test]
fn typed_handles_survive_reinstantiation_and_refuse_other_plugins_safely() {
    let body = format!(
        r#"{RETURN_TRUE} (func (export "crash") (param i32 i32) (result i64) (unreachable))"#
    );
    let module = load(&wat(&body)).unwrap();
    let mut a = module.instantiate().unwrap();
    let mut b = module.instantiate().unwrap();
    let mut yes = a.typed::<(), bool>("yes").unwrap();
    assert!(yes.call(&mut a, ()).unwrap());
    // A handle made for `a` used on `b` looks the export up again instead of crossing stores.
    assert!(yes.call(&mut b, ()).unwrap());
    assert!(a.call::<_, bool>("crash", ()).is_err());
    assert!(yes.call(&mut a, ()).unwrap());
}

#[test]
fn tinygo_style_stderr_panics_are_reported_as_panics() {
    let imports = r#"(import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))"#;
    let body = r#"
      (data (i32.const 512) "panic: index out of range [5] with length 3\n")
      (data (i32.const 600) "\00\02\00\00\2c\00\00\00") ;; iovec: ptr 512, len 44
      (func (export "explode") (param i32 i32) (result i64)
        (drop (call $fd_write (i32.const 2) (i32.const 600) (i32.const 1) (i32.const 700)))
        (unreachable))"#;
    let module = load(&wat_with(body, &[("{imports}", imports)])).unwrap();
    assert!(module.uses_wasi());
    let mut p = module.instantiate().unwrap();
    match p.call::<_, ()>("explode", ()) {
        Err(Error::Panic { function, panic }) => {
            assert_eq!(function, "explode");
            assert_eq!(panic.message, "index out of range [5] with length 3");
            assert_eq!(panic.file, None);
        }
        other => panic!("want Panic, got {other:?}"),
    }
}

#[test]
fn malformed_panic_records_are_still_panics() {
    let imports = r#"(import "wabi" "panic" (func $panic (param i32 i32)))"#;
    let body = r#"
      (func (export "bad_record") (param i32 i32) (result i64)
        (call $panic (i32.const 64) (i32.const 3)) (i64.const 0))
      (func (export "oob_record") (param i32 i32) (result i64)
        (call $panic (i32.const -1) (i32.const 100)) (i64.const 0))"#;
    let mut p = load(&wat_with(body, &[("{imports}", imports)]))
        .unwrap()
        .instantiate()
        .unwrap();
    for f in ["bad_record", "oob_record"] {
        match p.call::<_, ()>(f, ()) {
            Err(Error::Panic { panic, .. }) => {
                assert!(panic.message.contains("panic record"), "{}", panic.message)
            }
            other => panic!("{f}: want Panic, got {other:?}"),
        }
    }
}

#[test]
fn malformed_results_are_typed_errors_and_the_instance_stays_usable() {
    let body = format!(
        r#"{RETURN_TRUE}
        (data (i32.const 128) "\07\00\00\00\00\00\00\00")
        (data (i32.const 160) "\00\00\00\00\ff\00\00\00\c3")
        (func (export "oob") (param i32 i32) (result i64) (i64.const 0x0001fff000001000))
        (func (export "wrap") (param i32 i32) (result i64) (i64.const -1))
        (func (export "short") (param i32 i32) (result i64) (i64.const 0x0000004000000004))
        (func (export "status7") (param i32 i32) (result i64) (i64.const 0x0000008000000008))
        (func (export "liar") (param i32 i32) (result i64) (i64.const 0x000000a000000009))"#
    );
    let mut p = load(&wat(&body)).unwrap().instantiate().unwrap();
    for (f, want) in [
        ("oob", "invalid"),
        ("short", "at least 8 bytes"),
        ("status7", "unknown envelope status 7"),
        ("liar", "body_len claims 255"),
    ] {
        match p.call::<_, bool>(f, ()) {
            Err(Error::BadResult { function, reason }) => {
                assert_eq!(function, f);
                assert!(reason.contains(want), "{f}: {reason}");
            }
            other => panic!("{f}: want BadResult, got {other:?}"),
        }
        assert!(p.call::<_, bool>("yes", ()).unwrap(), "usable after {f}");
    }
    // A length of 4 GiB - 1 at 4 GiB - 1: refused by the output limit before any bounds check.
    match p.call::<_, bool>("wrap", ()) {
        Err(Error::OutputTooLarge { function, len, .. }) => {
            assert_eq!((function.as_str(), len), ("wrap", u32::MAX as u64))
        }
        other => panic!("wrap: want OutputTooLarge, got {other:?}"),
    }
    assert!(p.call::<_, bool>("yes", ()).unwrap());
}

#[test]
fn allocator_failures_are_typed_errors() {
    // Inputs larger than the 256-byte scratch go through wabi_alloc.
    let big = "x".repeat(1000);
    for (alloc_result, want) in [
        ("0", "out of memory"),
        ("4097", "aligned"),
        ("0x7fff0000", "outside memory"),
        ("256", "overlaps the scratch"),
    ] {
        let src = wat(RETURN_TRUE).replace(
            "(local.get $p))",
            &format!("(drop (local.get $p)) (i32.const {alloc_result}))"),
        );
        let mut p = load(&src).unwrap().instantiate().unwrap();
        match p.call::<_, bool>("yes", big.as_str()) {
            Err(Error::Alloc {
                function,
                host_function: None,
                size,
                reason,
            }) => {
                assert_eq!((function.as_str(), size), ("yes", 1003));
                assert!(reason.contains(want), "{alloc_result}: {reason}");
            }
            other => panic!("alloc -> {alloc_result}: want Alloc, got {other:?}"),
        }
    }
}

#[test]
fn an_invalid_scratch_buffer_is_ignored_not_trusted() {
    // Scratch claims 4 GiB at an unaligned address: the host must fall back to wabi_alloc.
    let src = wat_with(RETURN_TRUE, &[("{scratch}", "0x00000003ffffffff")]);
    let mut p = load(&src).unwrap().instantiate().unwrap();
    assert!(p.call::<_, bool>("yes", "input").unwrap());
}

#[test]
fn guest_memory_is_bounds_checked() {
    #[repr(C)]
    #[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
    struct Point {
        x: f32,
        y: f32,
    }
    let mut p = load(&wat(RETURN_TRUE)).unwrap().instantiate().unwrap();
    let mut mem = p.memory().unwrap();
    assert_eq!(mem.size(), 2 * 65536);
    mem.write(1001, &Point { x: 1.5, y: -2.0 }).unwrap(); // unaligned is fine
    assert_eq!(mem.read::<Point>(1001).unwrap(), Point { x: 1.5, y: -2.0 });
    mem.write_slice(2000, &[1u16, 2, 3]).unwrap();
    assert_eq!(mem.read_slice::<u16>(2000, 3).unwrap(), [1, 2, 3]);
    assert_eq!(mem.bytes(64, 9).unwrap()[8], 0xc3);
    let size = mem.size() as u32;
    assert!(mem.read::<u64>(size - 4).is_err());
    assert!(mem.write_bytes(u32::MAX, &[1]).is_err());
    assert!(matches!(
        mem.read_slice::<u64>(0, u32::MAX),
        Err(Error::OutOfBounds { .. })
    ));
    assert!(mem.bytes(size, 0).is_ok());
    assert!(mem.bytes(size, 1).is_err());
}

#[test]
fn arguments_that_cannot_be_encoded_name_the_function() {
    struct Unserializable;
    impl serde::Serialize for Unserializable {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom(
                "this value refuses to be encoded",
            ))
        }
    }
    let mut p = load(&wat(RETURN_TRUE)).unwrap().instantiate().unwrap();
    match p.call::<_, bool>("yes", Unserializable) {
        Err(Error::Encode {
            function,
            direction: Direction::Arguments,
            message,
        }) => {
            assert_eq!(function, "yes");
            assert!(message.contains("refuses"), "{message}");
        }
        other => panic!("want Encode, got {other:?}"),
    }
}

/// A `nil` result is read without the MessagePack decoder when the type accepts a unit, and
/// through the decoder (same values, same errors) when it does not.
#[test]
fn nil_results_decode_into_unit_like_types_and_nothing_else() {
    use serde::Deserialize;
    #[derive(Debug, PartialEq, Deserialize)]
    struct Marker;
    let mut p = load(&wat(common::ECHO)).unwrap().instantiate().unwrap();
    let nil = Option::<u8>::None; // one argument, encoded as `c0`; echo answers it as its body
    p.call::<_, ()>("echo", nil).unwrap();
    assert_eq!(p.call::<_, Option<u32>>("echo", nil).unwrap(), None);
    assert_eq!(p.call::<_, Marker>("echo", nil).unwrap(), Marker);
    assert_eq!(
        p.call::<_, serde_json::Value>("echo", nil).unwrap(),
        serde_json::Value::Null
    );
    match p.call::<_, u32>("echo", nil).unwrap_err() {
        Error::Decode {
            function,
            direction: Direction::Result,
            message,
        } => {
            assert_eq!(function, "echo");
            assert!(!message.is_empty());
        }
        other => panic!("want Decode, got {other:?}"),
    }
    // The instance is kept after a result that does not decode.
    assert_eq!(p.call::<_, Option<u32>>("echo", 7u32).unwrap(), Some(7));
}

/// A guest whose `wabi_abi_version` and `wabi_scratch` log their name each time they are called,
/// reporting ABI `version`, with `echo`.
fn counting_guest(version: &str) -> String {
    wat_with(ECHO, &[("{imports}", LOG_IMPORT), ("{version}", version)])
        .replace(
            r#"(func (export "wabi_abi_version") (result i32) (i32.const "#,
            r#"(data (i32.const 2000) "versionscratch")
  (func (export "wabi_abi_version") (result i32)
    (call $log (i32.const 2) (i32.const 2000) (i32.const 7)) (i32.const "#,
        )
        .replace(
            r#"(func (export "wabi_scratch") (result i64) (i64.const "#,
            r#"(func (export "wabi_scratch") (result i64)
    (call $log (i32.const 2) (i32.const 2007) (i32.const 7)) (i64.const "#,
        )
}

const LOG_IMPORT: &str = r#"(import "wabi" "log" (func $log (param i32 i32 i32)))"#;

#[test]
fn abi_1_2_guests_are_asked_once_per_module_older_ones_in_every_instance() {
    for (version, asked) in [("0x10002", 1), ("0x10001", 3), ("0x10000", 3)] {
        let lines = Arc::new(Mutex::new(Vec::<String>::new()));
        let seen = lines.clone();
        let handler: LogHandler =
            Arc::new(move |r: &LogRecord<'_>| seen.lock().unwrap().push(r.message.to_string()));
        let module = Module::builder(&Engine::default())
            .log_handler(handler)
            .build(counting_guest(version))
            .unwrap();
        for i in 0..3 {
            let mut p = module.instantiate().unwrap();
            // The input goes into the scratch buffer (256 bytes at 256) in every instance.
            let text = format!("instance {i}");
            assert_eq!(p.call::<_, String>("echo", &text).unwrap(), text);
        }
        let lines = lines.lock().unwrap();
        for name in ["version", "scratch"] {
            let count = lines.iter().filter(|l| *l == name).count();
            assert_eq!(count, asked, "ABI {version}: `{name}` asked {count} times");
        }
    }
}

/// Against the rule of ABI 1.2, this guest's scratch buffer exists only in some instances: its
/// `_initialize` adds a memory page when a random byte is odd, and `wabi_scratch` reports 4 KiB
/// on that page. The host, which asks once per module, must still check the buffer against each
/// instance's memory: an instance without the page gets its input through `wabi_alloc`, and
/// nothing is written outside its memory.
#[test]
fn a_1_2_guest_whose_scratch_buffer_comes_and_goes_gets_only_its_own_memory_written() {
    const PAGE: usize = 65536;
    let src = wat_with(
        &format!(
            r#"{ECHO}
  (func (export "_initialize")
    (drop (call $random (i32.const 0) (i32.const 1)))
    (if (i32.and (i32.load8_u (i32.const 0)) (i32.const 1))
      (then (drop (memory.grow (i32.const 1))))))"#
        ),
        &[
            (
                "{imports}",
                r#"(import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))"#,
            ),
            ("{version}", "0x10002"),
            ("{scratch}", "0x0002000000001000"),
        ],
    );
    // A module whose first instance has the page (and so a usable scratch buffer, which the
    // host then remembers); each try succeeds with probability 1/2.
    let (module, mut first) = (0..64)
        .map(|_| {
            let module = load(&src).unwrap();
            let first = module.instantiate().unwrap();
            (module, first)
        })
        .find_map(|(module, mut first)| {
            (first.memory_size().unwrap() == 3 * PAGE).then_some((module, first))
        })
        .expect("a random byte was odd in 64 tries");
    assert_eq!(first.call::<_, String>("echo", "first").unwrap(), "first");
    // Then an instance without it.
    let mut without = (0..64)
        .map(|_| module.instantiate().unwrap())
        .find_map(|mut p| (p.memory_size().unwrap() == 2 * PAGE).then_some(p))
        .expect("a random byte was even in 64 tries");
    for text in ["without the page", "again"] {
        assert_eq!(without.call::<_, String>("echo", text).unwrap(), text);
    }
    assert_eq!(first.call::<_, String>("echo", "still").unwrap(), "still");
}

/// What a host needs without crates of its own: the guest's ABI version, the value codec, and
/// the re-exported `bytemuck` and `serde_bytes`; how 128-bit integers cross (ABI v1 has none).
#[test]
fn abi_version_value_codec_and_reexports() {
    let module = load(&wat_with(ECHO, &[("{version}", "0x10002")])).unwrap();
    assert_eq!(
        module.abi_version(),
        None,
        "known once an instance has started"
    );
    let mut p = module.instantiate().unwrap();
    assert_eq!(p.abi_version(), AbiVersion { major: 1, minor: 2 });
    assert_eq!(
        module.abi_version(),
        Some(AbiVersion { major: 1, minor: 2 })
    );

    // Bytes are a bin, through the re-exported serde_bytes or as a plain Vec<u8> (the codec
    // writes every sequence of u8 as a bin, ABI.md section 8).
    let bin = wabi_host::value::to_vec(&wabi_host::serde_bytes::Bytes::new(b"ab")).unwrap();
    assert_eq!(bin, [0xc4, 2, b'a', b'b']);
    assert_eq!(wabi_host::value::to_vec(&b"ab".to_vec()).unwrap(), bin);
    let back: wabi_host::serde_bytes::ByteBuf = p
        .call("echo", wabi_host::serde_bytes::Bytes::new(b"ab"))
        .unwrap();
    assert_eq!(back.as_slice(), b"ab");

    // i128: 16 big-endian bytes as a bin, and back (what other languages see).
    let wide = -(1i128 << 100);
    let bytes = wabi_host::value::to_vec(&wide).unwrap();
    assert_eq!(&bytes[..2], [0xc4, 16]);
    assert_eq!(&bytes[2..], wide.to_be_bytes());
    assert_eq!(wabi_host::value::decode::<i128>(&bytes).unwrap(), wide);
    let echoed: i128 = p.call("echo", wide).unwrap();
    assert_eq!(echoed, wide);

    // The decoder's limits hold for values the host holds too.
    let deep = [vec![0x91; wabi_host::value::MAX_DEPTH + 1], vec![0xc0]].concat();
    let err = wabi_host::value::decode::<serde_json::Value>(&deep).unwrap_err();
    assert!(err.to_string().contains("depth"), "{err}");

    // Pod structs through the re-exported bytemuck.
    #[derive(Clone, Copy, wabi_host::bytemuck::Pod, wabi_host::bytemuck::Zeroable)]
    #[bytemuck(crate = "wabi_host::bytemuck")]
    #[repr(C)]
    struct Pair {
        a: i32,
        b: i32,
    }
    let pair = Pair { a: 1, b: -1 };
    assert_eq!(
        wabi_host::bytemuck::bytes_of(&pair),
        [1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]
    );
}
