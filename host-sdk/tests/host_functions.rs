//! Host functions called from a guest: typed arguments and results, errors as values, state,
//! configuration, nested calls up to the depth limit, and a pool under concurrent load.

mod common;

use std::collections::BTreeMap;

use common::{relay, wat_with, ECHO, HOST_CALL_IMPORT, RETURN_TRUE};
use serde::{Deserialize, Serialize};
use wabi_host::{Engine, Error, HostError, Limits, Module, ModuleBuilder};

fn build(builder: ModuleBuilder, body: &str) -> Module {
    builder
        .build(wat_with(
            &format!("{RETURN_TRUE}\n{ECHO}\n{body}"),
            &[("{imports}", HOST_CALL_IMPORT)],
        ))
        .unwrap()
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
enum Kind {
    Unit,
    Weight(f64),
    Box { w: u32, h: u32 },
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Everything {
    name: String,
    small: i8,
    big: u64,
    ratio: f32,
    flag: bool,
    bytes: Vec<u8>,
    maybe: Option<String>,
    list: Vec<Vec<i32>>,
    map: BTreeMap<String, i64>,
    kind: Kind,
}

fn everything() -> Everything {
    Everything {
        name: "ünïcode ✓".into(),
        small: -5,
        big: u64::MAX,
        ratio: 0.25,
        flag: true,
        bytes: vec![0, 1, 255],
        maybe: None,
        list: vec![vec![1], vec![], vec![-2, 3]],
        map: BTreeMap::from([("a".into(), -1), ("z".into(), i64::MAX)]),
        kind: Kind::Box { w: 2, h: 3 },
    }
}

#[test]
fn typed_host_functions_with_every_type_class() {
    let builder = Module::builder(&Engine::default())
        .host_fn("double", |_ctx, x: i64| Ok(x * 2))
        .host_fn("none", |_ctx, (): ()| Ok("no arguments"))
        .host_fn("pair", |_ctx, (a, b): (String, u8)| Ok(format!("{a}{b}")))
        .host_fn("everything", |_ctx, mut e: Everything| {
            e.big -= 1;
            e.kind = Kind::Weight(1.5);
            e.maybe = Some(e.name.clone());
            Ok(e)
        })
        .host_fn("unit", |_ctx, _: Kind| Ok(()));
    let body = [
        relay("double", 3000),
        relay("none", 3020),
        relay("pair", 3040),
        relay("everything", 3060),
        relay("unit", 3100),
    ]
    .join("\n");
    let mut p = build(builder, &body).instantiate().unwrap();
    assert_eq!(p.call::<_, i64>("relay_double", 21).unwrap(), 42);
    assert_eq!(
        p.call::<_, String>("relay_none", ()).unwrap(),
        "no arguments"
    );
    assert_eq!(p.call::<_, String>("relay_pair", ("x", 7u8)).unwrap(), "x7");
    let mut want = everything();
    want.big -= 1;
    want.kind = Kind::Weight(1.5);
    want.maybe = Some(want.name.clone());
    assert_eq!(
        p.call::<_, Everything>("relay_everything", everything())
            .unwrap(),
        want
    );
    p.call::<_, ()>("relay_unit", Kind::Unit).unwrap();
}

#[test]
fn host_errors_reach_the_guest_as_values_not_traps() {
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Why {
        code: u16,
    }
    let builder = Module::builder(&Engine::default())
        .host_fn("refuse", |_ctx, _: String| -> Result<(), HostError> {
            Err(HostError::with_value("not allowed", &Why { code: 403 }))
        })
        .host_fn("parse", |_ctx, s: String| -> Result<u32, HostError> {
            Ok(s.parse::<u32>()?)
        });
    let body = [
        relay("refuse", 3000),
        relay("parse", 3020),
        relay("missing", 3040),
    ]
    .join("\n");
    let mut p = build(builder, &body).instantiate().unwrap();
    match p.call::<_, ()>("relay_refuse", "x") {
        Err(Error::Guest { error, .. }) => {
            assert_eq!(error.message, "not allowed");
            assert_eq!(error.value_as::<Why>().unwrap().unwrap(), Why { code: 403 });
        }
        other => panic!("want the host error as a value, got {other:?}"),
    }
    match p.call::<_, u32>("relay_parse", "12x") {
        Err(Error::Guest { error, .. }) => {
            assert!(error.message.contains("invalid digit"), "{}", error.message)
        }
        other => panic!("want a guest-visible error, got {other:?}"),
    }
    assert_eq!(p.call::<_, u32>("relay_parse", "12").unwrap(), 12);
    match p.call::<_, ()>("relay_missing", ()) {
        Err(Error::Guest { error, .. }) => assert!(
            error.message.contains("no host function named `missing`"),
            "{}",
            error.message
        ),
        other => panic!("want a guest-visible error, got {other:?}"),
    }
    // Arguments the host function cannot decode: BadArguments, reported as an argument decode error.
    match p.call::<_, u32>("relay_parse", 5) {
        Err(Error::Decode {
            direction: wabi_host::Direction::Arguments,
            ..
        }) => {}
        other => panic!("want an argument decode error, got {other:?}"),
    }
    assert!(p.call::<_, bool>("yes", ()).unwrap());
}

#[test]
fn host_functions_see_per_instance_state_and_configuration() {
    let builder = Module::builder(&Engine::default())
        .state(|| 0u32)
        .config("greeting", "hi")
        .host_fn("count", |ctx, ()| {
            let n = ctx.state::<u32>().ok_or(HostError::new("no state"))?;
            *n += 1;
            Ok(*n)
        })
        .host_fn("greeting", |ctx, ()| {
            Ok(ctx.config("greeting").map(str::to_string))
        });
    let module = build(
        builder,
        &[relay("count", 3000), relay("greeting", 3020)].join("\n"),
    );
    let mut a = module.instantiate().unwrap();
    let mut b = module.instantiate().unwrap();
    for want in 1..=3u32 {
        assert_eq!(a.call::<_, u32>("relay_count", ()).unwrap(), want);
    }
    assert_eq!(
        b.call::<_, u32>("relay_count", ()).unwrap(),
        1,
        "state is per instance"
    );
    assert_eq!(*a.state::<u32>().unwrap().unwrap(), 3);
    assert_eq!(
        a.call::<_, Option<String>>("relay_greeting", ())
            .unwrap()
            .as_deref(),
        Some("hi")
    );
}

#[test]
fn nested_calls_work_up_to_the_depth_limit_and_a_recursion_bomb_gets_the_depth_error() {
    // dive(n): the host calls back into the guest's relay with n - 1 until 0.
    let limits = Limits {
        max_depth: 5,
        ..Limits::default()
    };
    let builder = Module::builder(&Engine::default()).limits(limits).host_fn(
        "dive",
        |ctx, n: u32| -> Result<u32, HostError> {
            if n == 0 {
                return Ok(0);
            }
            Ok(ctx
                .call::<_, u32>("relay_dive", n - 1)
                .map_err(|e| HostError::new(e.to_string()))?
                + 1)
        },
    );
    let mut p = build(builder, &relay("dive", 3000)).instantiate().unwrap();
    // depth 1 (the call) + 4 nested calls.
    assert_eq!(p.call::<_, u32>("relay_dive", 4).unwrap(), 4);
    // The host function swallows the error into a value, but the limit still ends the call.
    match p.call::<_, u32>("relay_dive", 1_000_000) {
        Err(Error::DepthLimit { function, limit }) => {
            assert_eq!((function.as_str(), limit), ("relay_dive", 5))
        }
        other => panic!("want DepthLimit, got {other:?}"),
    }
    assert_eq!(p.call::<_, u32>("relay_dive", 3).unwrap(), 3);
}

#[test]
fn a_fault_inside_a_nested_call_ends_the_outer_call() {
    let spin =
        r#"(func (export "spin") (param i32 i32) (result i64) (loop $l (br $l)) (i64.const 0))"#;
    let limits = Limits {
        timeout: Some(std::time::Duration::from_millis(50)),
        ..Limits::default()
    };
    let builder =
        Module::builder(&Engine::default())
            .limits(limits)
            .host_fn("go_spin", |ctx, ()| {
                // Ignore the error on purpose: the fault must still end the call.
                let _ = ctx.call::<_, ()>("spin", ());
                Ok(())
            });
    let mut p = build(builder, &format!("{spin}\n{}", relay("go_spin", 3000)))
        .instantiate()
        .unwrap();
    match p.call::<_, ()>("relay_go_spin", ()) {
        Err(Error::Timeout { function, .. }) => assert_eq!(function, "spin"),
        other => panic!("want Timeout, got {other:?}"),
    }
    assert!(p.call::<_, bool>("yes", ()).unwrap());
}

#[test]
fn host_call_arguments_over_the_output_limit_are_refused() {
    let limits = Limits {
        max_output: 64,
        ..Limits::default()
    };
    let builder = Module::builder(&Engine::default())
        .limits(limits)
        .host_fn("sink", |_ctx, s: String| Ok(s.len()));
    let mut p = build(builder, &relay("sink", 3000)).instantiate().unwrap();
    assert_eq!(p.call::<_, usize>("relay_sink", "short").unwrap(), 5);
    // The guest traps mid-call, so the instance is discarded; the next call gets a fresh one.
    let err = p
        .call::<_, usize>("relay_sink", "x".repeat(100))
        .unwrap_err();
    assert!(err.discarded_instance());
    match err {
        Error::OutputTooLarge {
            function,
            host_function,
            len,
            limit,
        } => assert_eq!(
            (function.as_str(), host_function.as_deref(), len, limit),
            ("relay_sink", Some("sink"), 102, 64)
        ),
        other => panic!("want OutputTooLarge, got {other:?}"),
    }
    assert!(!p.is_live());
    assert_eq!(p.call::<_, usize>("relay_sink", "again").unwrap(), 5);
}

#[test]
fn eight_threads_times_ten_thousand_calls_through_one_pool() {
    let module = build(Module::builder(&Engine::default()), "");
    let pool = module.pool(8);
    std::thread::scope(|s| {
        for t in 0..8u64 {
            let pool = pool.clone();
            s.spawn(move || {
                for i in 0..10_000u64 {
                    let v = t * 1_000_000 + i;
                    assert_eq!(pool.call::<_, u64>("echo", v).unwrap(), v);
                }
            });
        }
    });
    assert!(pool.idle() >= 1 && pool.idle() <= 8, "{}", pool.idle());
}

#[test]
fn a_pool_replaces_faulted_instances() {
    let limits = Limits {
        timeout: Some(std::time::Duration::from_millis(20)),
        ..Limits::default()
    };
    let spin =
        r#"(func (export "spin") (param i32 i32) (result i64) (loop $l (br $l)) (i64.const 0))"#;
    let module = build(Module::builder(&Engine::default()).limits(limits), spin);
    let pool = module.pool(2);
    assert!(matches!(
        pool.call::<_, ()>("spin", ()),
        Err(Error::Timeout { .. })
    ));
    assert_eq!(pool.idle(), 0, "the faulted instance is not returned");
    assert_eq!(pool.call::<_, u64>("echo", 7u64).unwrap(), 7);
    assert_eq!(pool.idle(), 1);
}
