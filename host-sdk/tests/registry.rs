//! The plugin registry: reloads that drop no call and mix no results, validation before the
//! swap, failed reloads that leave the old module serving.

mod common;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use common::{wat, wat_with, ECHO, RETURN_TRUE};
use wabi_host::{Engine, Error, Module, PluginOptions, Plugins};

/// `tagged(x)`: answers the array `[version, x]` (x is copied from the input as it is), so a
/// result tells both which module answered and which call it belongs to.
fn tagged(version: u8) -> String {
    format!(
        r#"(func (export "tagged") (param $p i32) (param $n i32) (result i64)
      (i32.store (i32.const 1024) (i32.const 0))
      (i32.store (i32.const 1028) (i32.add (local.get $n) (i32.const 2)))
      (i32.store8 (i32.const 1032) (i32.const 0x92))
      (i32.store8 (i32.const 1033) (i32.const {version}))
      (memory.copy (i32.const 1034) (local.get $p) (local.get $n))
      (i64.or (i64.shl (i64.const 1024) (i64.const 32))
              (i64.extend_i32_u (i32.add (local.get $n) (i32.const 10)))))"#
    )
}

fn version(v: u8) -> String {
    wat(&format!("{}\n{RETURN_TRUE}", tagged(v)))
}

fn registry(engine: &Engine, max_idle: usize) -> Plugins {
    let plugins = Plugins::new();
    let module = Module::new(engine, version(1)).unwrap();
    let options = PluginOptions {
        max_idle,
        required: vec!["tagged".into()],
    };
    plugins.insert("p", module, options).unwrap();
    plugins
}

#[test]
fn a_reload_under_eight_threads_of_calls_loses_no_call_and_mixes_no_results() {
    let engine = Engine::default();
    let plugins = registry(&engine, 8);
    let plugin = plugins.get("p").unwrap();
    let stop = AtomicBool::new(false);
    let swapped = AtomicBool::new(false);
    let start = Barrier::new(9);
    let made = AtomicU64::new(0);
    let per_version: [AtomicU64; 3] = Default::default();
    std::thread::scope(|s| {
        for t in 0..8u64 {
            let (plugin, stop, swapped, start, made, per_version) =
                (&plugin, &stop, &swapped, &start, &made, &per_version);
            s.spawn(move || {
                start.wait();
                let mut seen_new = false;
                let mut i = 0u64;
                while !stop.load(Ordering::SeqCst) {
                    i += 1;
                    let id = t << 32 | i;
                    let after_swap = swapped.load(Ordering::SeqCst);
                    let (v, echoed): (u8, u64) = plugin
                        .call("tagged", id)
                        .unwrap_or_else(|e| panic!("call {i} of thread {t} failed: {e}"));
                    assert_eq!(echoed, id, "thread {t} got another call's result");
                    assert!(v == 1 || v == 2, "unknown version {v}");
                    if seen_new || after_swap {
                        assert_eq!(v, 2, "thread {t}: version 1 answered after version 2 did");
                    }
                    seen_new |= v == 2;
                    per_version[v as usize].fetch_add(1, Ordering::Relaxed);
                    made.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
        start.wait();
        std::thread::sleep(Duration::from_millis(150));
        assert_eq!(plugins.reload("p", version(2)).unwrap(), 1);
        swapped.store(true, Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(150));
        stop.store(true, Ordering::SeqCst);
    });
    let made = made.load(Ordering::Relaxed);
    let (v1, v2) = (
        per_version[1].load(Ordering::Relaxed),
        per_version[2].load(Ordering::Relaxed),
    );
    assert!(
        v1 > 0 && v2 > 0,
        "both versions must have answered: {v1} and {v2}"
    );
    assert_eq!(v1 + v2, made);
    let metrics = plugin.metrics();
    assert_eq!(metrics.calls, made, "every call is counted once");
    assert_eq!(metrics.error_total(), 0);
    assert_eq!((metrics.reloads, metrics.generation), (1, 1));
    assert_eq!(plugin.generation(), 1);
}

#[test]
fn a_call_in_flight_finishes_on_the_old_module_and_the_next_runs_on_the_new() {
    let engine = Engine::default();
    let plugins = registry(&engine, 4);
    let plugin = plugins.get("p").unwrap();
    let during = plugin
        .with(|old| {
            // The reload happens while this call holds an instance of version 1.
            std::thread::scope(|s| s.spawn(|| plugins.reload("p", version(2))).join())
                .unwrap()
                .unwrap();
            old.call::<_, (u8, u32)>("tagged", 7u32)
        })
        .unwrap();
    assert_eq!(during, (1, 7));
    assert_eq!(plugin.call::<_, (u8, u32)>("tagged", 8u32).unwrap(), (2, 8));
    assert_eq!(
        plugins.call::<_, (u8, u32)>("p", "tagged", 9u32).unwrap(),
        (2, 9)
    );
    assert_eq!(plugin.module().functions(), ["tagged", "yes"]);
}

#[test]
fn a_reload_missing_a_function_of_the_old_module_is_refused_and_the_old_one_serves() {
    let engine = Engine::default();
    let plugins = registry(&engine, 4);
    let plugin = plugins.get("p").unwrap();
    // Has `tagged` (required) but not `yes`, which the serving module exports.
    let err = plugins.reload("p", wat(&tagged(2))).unwrap_err();
    match &err {
        Error::MissingFunctions {
            plugin,
            missing,
            available,
        } => {
            assert_eq!((plugin.as_str(), available.as_str()), ("p", "tagged"));
            assert_eq!(missing, &["yes".to_string()]);
        }
        other => panic!("want MissingFunctions, got {other:?}"),
    }
    let message = err.to_string();
    assert!(
        message.contains("`yes`") && message.contains("nothing was changed"),
        "{message}"
    );
    assert_eq!(plugin.call::<_, (u8, u8)>("tagged", 1u8).unwrap(), (1, 1));
    assert_eq!(plugin.generation(), 0);
    let m = plugin.metrics();
    assert_eq!((m.reloads, m.reload_failures, m.generation), (0, 1, 0));
}

#[test]
fn a_reload_missing_a_required_function_is_refused() {
    let engine = Engine::default();
    let plugins = Plugins::new();
    let module = Module::new(&engine, wat(RETURN_TRUE)).unwrap();
    let plugin = plugins
        .insert("q", module, PluginOptions::default())
        .unwrap();
    // Exports everything the old module did, but not the function the caller requires.
    let err = plugin.reload(wat(RETURN_TRUE)).map(|_| ());
    assert!(err.is_ok(), "{err:?}");
    let strict = Plugins::new();
    let module = Module::new(&engine, wat(&format!("{RETURN_TRUE}\n{ECHO}"))).unwrap();
    let plugin = strict
        .insert("q", module, PluginOptions::required(["echo"]))
        .unwrap();
    match plugin.reload(wat(RETURN_TRUE)).unwrap_err() {
        Error::MissingFunctions { missing, .. } => assert_eq!(missing, ["echo"]),
        other => panic!("want MissingFunctions, got {other:?}"),
    }
    assert_eq!(plugin.call::<_, u8>("echo", 5u8).unwrap(), 5);
}

#[test]
fn inserting_a_module_without_a_required_function_is_refused() {
    let engine = Engine::default();
    let module = Module::new(&engine, wat(RETURN_TRUE)).unwrap();
    match Plugins::new().insert("r", module, PluginOptions::required(["transform", "yes"])) {
        Err(Error::MissingFunctions { missing, .. }) => assert_eq!(missing, ["transform"]),
        other => panic!("want MissingFunctions, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn a_reload_that_does_not_compile_or_start_leaves_the_old_module_serving() {
    let engine = Engine::default();
    let plugins = registry(&engine, 4);
    let plugin = plugins.get("p").unwrap();
    match plugin.reload(b"not wasm").unwrap_err() {
        Error::Compile { .. } => {}
        other => panic!("want Compile, got {other:?}"),
    }
    let newer_abi = wat_with(
        &format!("{}\n{RETURN_TRUE}", tagged(2)),
        &[("{version}", "0x20000")],
    );
    match plugin.reload(newer_abi).unwrap_err() {
        Error::AbiVersion { .. } => {}
        other => panic!("want AbiVersion, got {other:?}"),
    }
    let traps_on_start = wat(&format!(
        "{}\n{RETURN_TRUE}\n(func (export \"_initialize\") unreachable)",
        tagged(2)
    ));
    match plugin.reload(traps_on_start).unwrap_err() {
        Error::Startup { .. } => {}
        other => panic!("want Startup, got {other:?}"),
    }
    assert_eq!(plugin.call::<_, (u8, u8)>("tagged", 3u8).unwrap(), (1, 3));
    let m = plugin.metrics();
    assert_eq!((m.reloads, m.reload_failures, m.generation), (0, 3, 0));
}

#[test]
fn names_are_unique_and_unknown_names_are_reported_with_the_known_ones() {
    let engine = Engine::default();
    let plugins = registry(&engine, 1);
    let module = Module::new(&engine, version(1)).unwrap();
    match plugins.insert("p", module.clone(), PluginOptions::default()) {
        Err(Error::DuplicatePlugin { name }) => assert_eq!(name, "p"),
        other => panic!("want DuplicatePlugin, got {:?}", other.map(|_| ())),
    }
    plugins
        .insert("other", module, PluginOptions::default())
        .unwrap();
    assert_eq!(plugins.names(), ["other", "p"]);
    let err = plugins.call::<_, bool>("nope", "yes", ()).unwrap_err();
    assert!(matches!(&err, Error::NoSuchPlugin { name, registered }
        if name == "nope" && registered == "other, p"));
    assert_eq!(
        err.to_string(),
        "no plugin named `nope` is registered; registered: other, p"
    );
    let removed = plugins.remove("other").unwrap();
    assert!(
        removed.call::<_, bool>("yes", ()).unwrap(),
        "a removed handle still works"
    );
    assert_eq!(plugins.names(), ["p"]);
}

#[test]
fn a_reload_keeps_the_module_options() {
    let engine = Engine::builder().fuel(true).build().unwrap();
    let limits = wabi_host::Limits {
        fuel: Some(1_000),
        ..Default::default()
    };
    let spin =
        r#"(func (export "spin") (param i32 i32) (result i64) (loop $l (br $l)) (i64.const 0))"#;
    let src = wat(&format!("{RETURN_TRUE}\n{spin}"));
    let module = Module::builder(&engine)
        .name("limited")
        .limits(limits)
        .build(&src)
        .unwrap();
    let plugins = Plugins::new();
    let plugin = plugins
        .insert("limited", module, PluginOptions::default())
        .unwrap();
    plugin.reload(&src).unwrap();
    let module = plugin.module();
    assert_eq!(
        (module.name(), module.limits().fuel),
        ("limited", Some(1_000))
    );
    match plugin.call::<_, ()>("spin", ()).unwrap_err() {
        Error::FuelExhausted { limit, .. } => assert_eq!(limit, 1_000),
        other => panic!("want FuelExhausted, got {other:?}"),
    }
    let status = &plugins.snapshots()[0];
    assert_eq!((status.name.as_str(), status.generation), ("limited", 1));
    assert_eq!(status.sha256.len(), 64);
}

#[cfg(feature = "async")]
#[tokio::test]
async fn async_engines_insert_call_and_reload_through_the_async_methods() {
    let engine = Engine::builder().async_support(true).build().unwrap();
    let plugins = Plugins::new();
    let module = Module::new(&engine, version(1)).unwrap();
    match plugins.insert("a", module.clone(), PluginOptions::default()) {
        Err(Error::Config { .. }) => {}
        other => panic!("want Config, got {:?}", other.map(|_| ())),
    }
    let plugin = plugins
        .insert_async("a", module, PluginOptions::default())
        .await
        .unwrap();
    let got: (u8, u8) = plugin.call_async("tagged", 4u8).await.unwrap();
    assert_eq!(got, (1, 4));
    assert_eq!(plugins.reload_async("a", version(2)).await.unwrap(), 1);
    let got: (u8, u8) = plugins.call_async("a", "tagged", 5u8).await.unwrap();
    assert_eq!(got, (2, 5));
    assert_eq!(plugin.metrics().calls, 2);
}

#[test]
fn handles_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Plugins>();
    assert_send_sync::<wabi_host::PluginRef>();
    let _unused = Arc::new(Plugins::new());
}
