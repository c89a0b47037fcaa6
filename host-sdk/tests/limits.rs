//! Every limit of `Limits`: hit, reported with its own error, and the plugin usable afterwards.

mod common;

use std::time::{Duration, Instant};

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use common::{wat, wat_with, HOST_CALL_IMPORT, RETURN_TRUE, TWICE};
use wabi_host::{Engine, Error, HostError, Limits, Module, StartupPhase};

fn module(engine: &Engine, body: &str, limits: Limits) -> Module {
    Module::builder(engine)
        .limits(limits)
        .build(wat(&format!("{RETURN_TRUE}\n{body}")))
        .unwrap()
}

const SPIN: &str =
    r#"(func (export "spin") (param i32 i32) (result i64) (loop $l (br $l)) (i64.const 0))"#;

/// A plugin of [`SPIN`] with a call deadline of `deadline`.
fn spinner(deadline: Duration) -> wabi_host::Plugin {
    let limits = Limits {
        timeout: Some(deadline),
        ..Limits::default()
    };
    module(&Engine::default(), SPIN, limits)
        .instantiate()
        .unwrap()
}

#[test]
fn an_infinite_loop_times_out_within_twice_the_deadline() {
    let deadline = Duration::from_millis(100);
    let mut p = spinner(deadline);
    for _ in 0..2 {
        let start = Instant::now();
        let err = p.call::<_, ()>("spin", ()).unwrap_err();
        let elapsed = start.elapsed();
        match &err {
            Error::Timeout { function, limit } => {
                assert_eq!((function.as_str(), *limit), ("spin", deadline))
            }
            other => panic!("want Timeout, got {other:?}"),
        }
        assert!(err.discarded_instance());
        assert!(
            elapsed >= deadline && elapsed < 2 * deadline,
            "stopped after {elapsed:?}"
        );
        assert!(
            p.call::<_, bool>("yes", ()).unwrap(),
            "the next call runs on a fresh instance"
        );
    }
}

/// A call does not re-arm wasmtime's epoch deadline: after ticks passed between calls, the
/// stale deadline makes the epoch callback run at the next call's first check, which must
/// start that call's own deadline then, not end the call or give it a shorter one.
#[test]
fn a_call_after_idle_ticks_gets_its_whole_deadline() {
    let deadline = Duration::from_millis(100);
    let mut p = spinner(deadline);
    for idle_ms in [0, 30, 150] {
        assert!(p.call::<_, bool>("yes", ()).unwrap());
        // Several 5 ms epoch ticks with no call running (at 150 ms: more than the deadline).
        std::thread::sleep(Duration::from_millis(idle_ms));
        for _ in 0..3 {
            assert!(
                p.call::<_, bool>("yes", ()).unwrap(),
                "after {idle_ms} ms idle"
            );
        }
        std::thread::sleep(Duration::from_millis(idle_ms));
        let start = Instant::now();
        let err = p.call::<_, ()>("spin", ()).unwrap_err();
        let elapsed = start.elapsed();
        assert!(
            matches!(&err, Error::Timeout { function, .. } if function == "spin"),
            "{err:?}"
        );
        assert!(
            elapsed >= deadline && elapsed < 2 * deadline,
            "after {idle_ms} ms idle: stopped after {elapsed:?}"
        );
    }
}

#[test]
fn a_memory_grow_bomb_hits_the_memory_limit() {
    let bomb = r#"(func (export "bomb") (param i32 i32) (result i64)
        (loop $l (br_if $l (i32.ne (memory.grow (i32.const 16)) (i32.const -1)))) (i64.const 0))"#;
    let limits = Limits {
        max_memory: 4 << 20,
        ..Limits::default()
    };
    let mut p = module(&Engine::default(), bomb, limits)
        .instantiate()
        .unwrap();
    match p.call::<_, ()>("bomb", ()) {
        Err(Error::MemoryLimit {
            function,
            requested,
            limit,
        }) => {
            assert_eq!(function, "bomb");
            assert_eq!(limit, 4 << 20);
            assert!(requested > limit, "{requested}");
        }
        other => panic!("want MemoryLimit, got {other:?}"),
    }
    assert!(p.call::<_, bool>("yes", ()).unwrap());
    assert_eq!(p.memory_size().unwrap(), 2 * 65536, "a fresh instance");
}

#[test]
fn a_module_whose_initial_memory_exceeds_the_limit_cannot_be_instantiated() {
    let limits = Limits {
        max_memory: 65536,
        ..Limits::default()
    };
    let err = module(&Engine::default(), "", limits)
        .instantiate()
        .err()
        .expect("refused");
    assert_eq!(
        err.to_string(),
        "the plugin failed while starting, in instantiation (the start function): the guest hit \
         the memory limit: it asked for 131072 bytes, the limit is 65536"
    );
    match err {
        Error::Startup {
            phase: StartupPhase::Instantiation,
            error,
        } => match *error {
            Error::MemoryLimit {
                requested, limit, ..
            } => assert_eq!((requested, limit), (2 * 65536, 65536)),
            other => panic!("want MemoryLimit, got {other:?}"),
        },
        other => panic!("want Startup, got {other:?}"),
    }
}

#[test]
fn a_table_grow_bomb_hits_the_table_limit() {
    let body = r#"(table $t 1 funcref)
      (func (export "tables") (param i32 i32) (result i64)
        (loop $l (br_if $l (i32.ne (table.grow $t (ref.null func) (i32.const 1000)) (i32.const -1)))) (i64.const 0))"#;
    let limits = Limits {
        max_table_elements: 10_000,
        ..Limits::default()
    };
    let mut p = module(&Engine::default(), body, limits)
        .instantiate()
        .unwrap();
    match p.call::<_, ()>("tables", ()) {
        Err(Error::TableLimit {
            requested, limit, ..
        }) => assert!(requested > limit && limit == 10_000),
        other => panic!("want TableLimit, got {other:?}"),
    }
    assert!(p.call::<_, bool>("yes", ()).unwrap());
}

#[test]
fn fuel_bounds_instructions_per_call() {
    let engine = Engine::builder().fuel(true).build().unwrap();
    let limits = Limits {
        fuel: Some(100_000),
        ..Limits::default()
    };
    let mut p = module(&engine, SPIN, limits).instantiate().unwrap();
    for _ in 0..3 {
        // Every call gets the full budget again.
        assert!(p.call::<_, bool>("yes", ()).unwrap());
    }
    match p.call::<_, ()>("spin", ()) {
        Err(Error::FuelExhausted { function, limit }) => {
            assert_eq!((function.as_str(), limit), ("spin", 100_000))
        }
        other => panic!("want FuelExhausted, got {other:?}"),
    }
    assert!(p.call::<_, bool>("yes", ()).unwrap());
    // A fuel limit on an engine that does not count fuel is refused up front.
    let err = Module::builder(&Engine::default())
        .limits(limits)
        .build(wat(RETURN_TRUE))
        .err()
        .unwrap();
    assert!(
        matches!(err, Error::Config { .. }) && err.to_string().contains("fuel(true)"),
        "{err}"
    );
}

#[test]
fn an_oversized_output_is_refused_and_the_instance_stays_usable() {
    let big =
        r#"(func (export "big") (param i32 i32) (result i64) (i64.const 0x0000000000001000))"#;
    let limits = Limits {
        max_output: 1024,
        ..Limits::default()
    };
    let mut p = module(&Engine::default(), big, limits)
        .instantiate()
        .unwrap();
    let err = p.call::<_, ()>("big", ()).unwrap_err();
    assert!(!err.discarded_instance());
    match err {
        Error::OutputTooLarge {
            function,
            host_function: None,
            len,
            limit,
        } => assert_eq!((function.as_str(), len, limit), ("big", 4096, 1024)),
        other => panic!("want OutputTooLarge, got {other:?}"),
    }
    assert!(p.call::<_, bool>("yes", ()).unwrap());
    // A call by name lends the cached function to the call; after an error that keeps the
    // instance it is back in the cache, and the same call gives the same answer.
    for _ in 0..2 {
        let again = p.call::<_, ()>("big", ()).unwrap_err();
        assert!(
            matches!(again, Error::OutputTooLarge { len: 4096, .. }),
            "{again:?}"
        );
    }
}

#[test]
fn the_deadline_also_covers_initialisation() {
    let src = wat_with(r#"(func (export "_initialize") (loop $l (br $l)))"#, &[]);
    let limits = Limits {
        timeout: Some(Duration::from_millis(50)),
        ..Limits::default()
    };
    let module = Module::builder(&Engine::default())
        .limits(limits)
        .build(src)
        .unwrap();
    let err = module.instantiate().err().expect("times out");
    assert_eq!(
        err.to_string(),
        "the plugin failed while starting, in `_initialize`: `_initialize` timed out after 50ms"
    );
    match err.innermost() {
        Error::Timeout { function, .. } => assert_eq!(function, "_initialize"),
        other => panic!("want Timeout, got {other:?}"),
    }
}

#[test]
fn after_every_limit_the_next_call_on_the_pool_succeeds() {
    let engine = Engine::builder().fuel(true).build().unwrap();
    let bombs = r#"
      (table $t 1 funcref)
      (func (export "bomb") (param i32 i32) (result i64)
        (loop $l (br_if $l (i32.ne (memory.grow (i32.const 16)) (i32.const -1)))) (i64.const 0))
      (func (export "tables") (param i32 i32) (result i64)
        (loop $l (br_if $l (i32.ne (table.grow $t (ref.null func) (i32.const 1000)) (i32.const -1)))) (i64.const 0))
      (func (export "big") (param i32 i32) (result i64) (i64.const 0x0000000000001000))"#;
    let limits = Limits {
        max_memory: 4 << 20,
        max_table_elements: 10_000,
        timeout: Some(Duration::from_millis(50)),
        fuel: Some(10_000_000),
        max_output: 1024,
        ..Limits::default()
    };
    let pool = module(&engine, &format!("{SPIN}\n{bombs}"), limits).pool(4);
    for (f, check) in [
        (
            "spin",
            (|e: &Error| matches!(e, Error::Timeout { .. } | Error::FuelExhausted { .. }))
                as fn(&Error) -> bool,
        ),
        ("bomb", |e| matches!(e, Error::MemoryLimit { .. })),
        ("tables", |e| matches!(e, Error::TableLimit { .. })),
        ("big", |e| matches!(e, Error::OutputTooLarge { .. })),
    ] {
        let err = pool.call::<_, ()>(f, ()).unwrap_err();
        assert!(check(&err), "{f}: {err:?}");
        assert!(
            pool.call::<_, bool>("yes", ()).unwrap(),
            "the pool serves after {f}"
        );
    }
}

#[test]
fn the_pooling_allocator_serves_instances_within_its_slots() {
    let engine = Engine::builder()
        .pooling_allocator(wabi_host::PoolingLimits {
            total_instances: 4,
            max_memory_bytes: 8 << 20,
        })
        .build()
        .unwrap();
    let limits = Limits {
        max_memory: 8 << 20,
        ..Limits::default()
    };
    let m = module(&engine, "", limits);
    let live: Vec<_> = (0..4).map(|_| m.instantiate().unwrap()).collect();
    // A fifth concurrent instance has no slot: a clear error, not a crash.
    assert!(
        matches!(m.instantiate(), Err(Error::Instantiate { .. })),
        "no free slot"
    );
    drop(live);
    let mut p = m.instantiate().unwrap();
    assert!(p.call::<_, bool>("yes", ()).unwrap());
    // A limit above the slot size is refused when the module is built.
    let too_big = Limits {
        max_memory: 16 << 20,
        ..Limits::default()
    };
    let err = Module::builder(&engine)
        .limits(too_big)
        .build(wat(RETURN_TRUE))
        .err()
        .unwrap();
    assert!(matches!(err, Error::Config { .. }), "{err:?}");
}

#[test]
fn engines_modules_and_pools_are_send_sync_and_plugins_are_send() {
    fn send_sync<T: Send + Sync + Clone>() {}
    fn send<T: Send>() {}
    send_sync::<Engine>();
    send_sync::<Module>();
    send_sync::<wabi_host::Pool>();
    send::<wabi_host::Plugin>();
    send::<wabi_host::PooledPlugin>();
}

#[test]
fn a_depth_limit_of_zero_is_refused_up_front() {
    let limits = Limits {
        max_depth: 0,
        ..Limits::default()
    };
    let err = Module::builder(&Engine::default())
        .limits(limits)
        .build(wat(RETURN_TRUE))
        .err()
        .unwrap();
    assert!(
        matches!(&err, Error::Config { what, .. } if what == "Limits::max_depth"),
        "{err:?}"
    );
    assert!(err.to_string().contains("at least 1"), "{err}");
}

#[test]
fn an_engine_without_deadlines_refuses_a_timeout_and_fuel_still_bounds_calls() {
    let engine = Engine::builder()
        .deadlines(false)
        .fuel(true)
        .build()
        .unwrap();
    let source = wat(&format!("{RETURN_TRUE}\n{SPIN}"));
    // The default limits have a 10 s timeout, which this engine cannot enforce.
    match Module::builder(&engine).build(&source) {
        Err(Error::Config { what, reason }) => {
            assert_eq!(what, "Limits::timeout");
            assert!(reason.contains("deadlines(false)"), "{reason}");
            assert!(reason.contains("timeout: None"), "{reason}");
        }
        Err(other) => panic!("want Config, got {other:?}"),
        Ok(_) => panic!("a timeout on an engine without deadlines must be refused"),
    }
    let limits = Limits {
        timeout: None,
        fuel: Some(1_000_000),
        ..Limits::default()
    };
    let mut p = module(&engine, SPIN, limits).instantiate().unwrap();
    assert!(p.call::<_, bool>("yes", ()).unwrap());
    match p.call::<_, ()>("spin", ()).unwrap_err() {
        Error::FuelExhausted { function, limit } => {
            assert_eq!((function.as_str(), limit), ("spin", 1_000_000))
        }
        other => panic!("want FuelExhausted, got {other:?}"),
    }
    assert!(p.call::<_, bool>("yes", ()).unwrap());
}

#[cfg(feature = "async")]
#[test]
fn an_async_engine_needs_deadlines() {
    match Engine::builder()
        .deadlines(false)
        .async_support(true)
        .build()
    {
        Err(Error::Config { what, reason }) => {
            assert_eq!(what, "EngineBuilder::deadlines(false)");
            assert!(reason.contains("async engines need deadlines"), "{reason}");
        }
        Err(other) => panic!("want Config, got {other:?}"),
        Ok(_) => panic!("an async engine without deadlines must be refused"),
    }
}

/// A plugin of [`TWICE`] whose host function `slow` sleeps `ms` (its argument) and counts its
/// calls, with a call deadline of `deadline_ms`.
fn twice(deadline_ms: u64) -> (wabi_host::Plugin, Arc<AtomicU32>) {
    let calls = Arc::new(AtomicU32::new(0));
    let counter = calls.clone();
    let module = Module::builder(&Engine::default())
        .limits(Limits {
            timeout: Some(Duration::from_millis(deadline_ms)),
            ..Limits::default()
        })
        .host_fn("slow", move |_ctx, ms: u64| -> Result<bool, HostError> {
            counter.fetch_add(1, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(ms));
            Ok(true)
        })
        .build(wat_with(
            &format!("{RETURN_TRUE}\n{TWICE}"),
            &[("{imports}", HOST_CALL_IMPORT)],
        ))
        .unwrap();
    (module.instantiate().unwrap(), calls)
}

/// The deadline counts from the call's start, host functions included: a guest whose first
/// action is a host function that outlives the deadline gets `Timeout` when it returns, and the
/// guest never sees the result (the second host call never happens).
#[test]
fn time_in_host_functions_counts_against_the_deadline() {
    let (mut p, calls) = twice(200);
    let start = Instant::now();
    let err = p.call::<_, bool>("twice", 400u64).unwrap_err();
    let took = start.elapsed();
    assert!(
        matches!(&err, Error::Timeout { function, limit } if function == "twice" && *limit == Duration::from_millis(200)),
        "{err:?}"
    );
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "the call ended when the first returned"
    );
    assert!(
        took >= Duration::from_millis(400),
        "a host function is not interrupted: {took:?}"
    );
    assert!(err.discarded_instance());
    // The next call gets a fresh instance and its own deadline.
    assert!(p.call::<_, bool>("yes", ()).unwrap());
}

/// Two host calls that fit the deadline one by one but not together: `Timeout` when the one
/// that crosses it returns, not after the second.
#[test]
fn host_calls_add_up_against_the_deadline() {
    let (mut p, calls) = twice(450);
    let err = p.call::<_, bool>("twice", 300u64).unwrap_err();
    assert!(matches!(&err, Error::Timeout { .. }), "{err:?}");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    // Within the deadline, both run and the call succeeds.
    let (mut p, calls) = twice(5_000);
    assert!(p.call::<_, bool>("twice", 10u64).unwrap());
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}
