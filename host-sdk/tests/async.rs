//! The async API (cargo feature `async`): `call_async` through a pool on a multi-threaded
//! runtime, async host functions with nested calls, deadlines that yield to the executor
//! instead of blocking it, limits and WASI on async engines, and the errors for a method of the
//! wrong kind.
#![cfg(feature = "async")]

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{relay, wat, wat_with, ECHO, HOST_CALL_IMPORT, RETURN_TRUE};
use wabi_host::{
    Engine, Error, HostError, Limits, LogHandler, LogRecord, LogSource, Module, ModuleBuilder,
    PoolingLimits, StartupPhase,
};

const SPIN: &str =
    r#"(func (export "spin") (param i32 i32) (result i64) (loop $l (br $l)) (i64.const 0))"#;

fn async_engine() -> Engine {
    Engine::builder().async_support(true).build().unwrap()
}

fn build(builder: ModuleBuilder, body: &str) -> Module {
    builder
        .build(wat_with(
            &format!("{RETURN_TRUE}\n{ECHO}\n{body}"),
            &[("{imports}", HOST_CALL_IMPORT)],
        ))
        .unwrap()
}

fn timeout(ms: u64) -> Limits {
    Limits {
        timeout: Some(Duration::from_millis(ms)),
        ..Limits::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_tasks_times_ten_thousand_async_calls_through_one_pool() {
    let module = build(Module::builder(&async_engine()), "");
    let pool = module.pool(8);
    let start = Instant::now();
    let tasks: Vec<_> = (0..8u64)
        .map(|t| {
            let pool = pool.clone();
            // `tokio::spawn` requires the futures to be `Send`.
            tokio::spawn(async move {
                for i in 0..10_000u64 {
                    let v = t * 1_000_000 + i;
                    assert_eq!(pool.call_async::<_, u64>("echo", v).await.unwrap(), v);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    eprintln!("80,000 async calls in {:?}", start.elapsed());
    assert!(pool.idle() >= 1 && pool.idle() <= 8, "{}", pool.idle());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pooled_instances_of_a_pooling_allocator_engine_serve_async_tasks() {
    let engine = Engine::builder()
        .async_support(true)
        .pooling_allocator(PoolingLimits {
            total_instances: 8,
            max_memory_bytes: 1 << 20,
        })
        .build()
        .unwrap();
    let limits = Limits {
        max_memory: 1 << 20,
        ..Limits::default()
    };
    let pool = build(Module::builder(&engine).limits(limits), "").pool(4);
    let tasks: Vec<_> = (0..4u64)
        .map(|t| {
            let pool = pool.clone();
            tokio::spawn(async move {
                for i in 0..200u64 {
                    let v = (t << 32) | i;
                    assert_eq!(pool.call_async::<_, u64>("echo", v).await.unwrap(), v);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_async_host_function_awaits_and_calls_back_into_the_guest() {
    let builder = Module::builder(&async_engine())
        .state(|| 0u32)
        .host_fn_async("nap", |ctx, n: u64| {
            Box::pin(async move {
                tokio::time::sleep(Duration::from_millis(1)).await;
                *ctx.state::<u32>().ok_or(HostError::new("no state"))? += 1;
                let back: u64 = ctx.call_async("echo", n + 1).await?;
                Ok(back * 2)
            })
        })
        .host_fn_async("refuse", |_ctx, why: String| {
            Box::pin(async move { Err::<(), _>(HostError::with_value("refused", &why)) })
        })
        // Blocking host functions work on async engines too, without nested calls.
        .host_fn("double", |_ctx, x: i64| Ok(x * 2))
        .host_fn("nested_sync", |ctx, ()| {
            ctx.call::<_, u64>("echo", 1u64)
                .map_err(|e| HostError::new(e.to_string()))
        });
    let body = [
        relay("nap", 3000),
        relay("refuse", 3020),
        relay("double", 3040),
        relay("nested_sync", 3060),
    ]
    .join("\n");
    let mut p = build(builder, &body).instantiate_async().await.unwrap();
    for round in 1..=3u32 {
        let start = Instant::now();
        assert_eq!(
            p.call_async::<_, u64>("relay_nap", 20u64).await.unwrap(),
            42
        );
        assert!(start.elapsed() >= Duration::from_millis(1));
        assert_eq!(*p.state::<u32>().unwrap().unwrap(), round);
    }
    match p.call_async::<_, ()>("relay_refuse", "because").await {
        Err(Error::Guest { function, error }) => {
            assert_eq!(
                (function.as_str(), error.message.as_str()),
                ("relay_refuse", "refused")
            );
            assert_eq!(error.value_as::<String>().unwrap().unwrap(), "because");
        }
        other => panic!("want the host error as a value, got {other:?}"),
    }
    // Undecodable arguments for an async host function: a typed decode error, no trap.
    assert!(matches!(
        p.call_async::<_, u64>("relay_nap", "not a number").await,
        Err(Error::Decode { .. })
    ));
    assert_eq!(
        p.call_async::<_, i64>("relay_double", 21).await.unwrap(),
        42
    );
    match p.call_async::<_, u64>("relay_nested_sync", ()).await {
        Err(Error::Guest { error, .. }) => assert!(
            error.message.contains("HostContext::call_async")
                && error.message.contains("host_fn_async"),
            "{}",
            error.message
        ),
        other => panic!("want the refused nested call as an error value, got {other:?}"),
    }
    assert!(p.call_async::<_, bool>("yes", ()).await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_nested_calls_stop_at_the_depth_limit_and_nested_faults_end_the_outer_call() {
    let limits = Limits {
        max_depth: 5,
        ..timeout(100)
    };
    let builder = Module::builder(&async_engine())
        .limits(limits)
        .host_fn_async("dive", |ctx, n: u32| {
            Box::pin(async move {
                if n == 0 {
                    return Ok(0);
                }
                tokio::task::yield_now().await;
                let below: u32 = ctx
                    .call_async("relay_dive", n - 1)
                    .await
                    .map_err(|e| HostError::new(e.to_string()))?;
                Ok(below + 1)
            })
        })
        .host_fn_async("go_spin", |ctx, ()| {
            Box::pin(async move {
                // Ignore the error on purpose: the fault must still end the call.
                let _ = ctx.call_async::<_, ()>("spin", ()).await;
                Ok(())
            })
        });
    let body = format!(
        "{SPIN}\n{}\n{}",
        relay("dive", 3000),
        relay("go_spin", 3020)
    );
    let mut p = build(builder, &body).instantiate_async().await.unwrap();
    assert_eq!(p.call_async::<_, u32>("relay_dive", 4).await.unwrap(), 4);
    match p.call_async::<_, u32>("relay_dive", 1_000_000).await {
        Err(Error::DepthLimit { function, limit }) => {
            assert_eq!((function.as_str(), limit), ("relay_dive", 5))
        }
        other => panic!("want DepthLimit, got {other:?}"),
    }
    assert_eq!(p.call_async::<_, u32>("relay_dive", 3).await.unwrap(), 3);
    let start = Instant::now();
    match p.call_async::<_, ()>("relay_go_spin", ()).await {
        Err(Error::Timeout { function, .. }) => assert_eq!(function, "spin"),
        other => panic!("want Timeout, got {other:?}"),
    }
    assert!(
        start.elapsed() < Duration::from_millis(200),
        "{:?}",
        start.elapsed()
    );
    assert!(p.call_async::<_, bool>("yes", ()).await.unwrap());
}

/// One thread for everything: if a guest blocked the executor, the ticker could not tick.
#[tokio::test(flavor = "current_thread")]
async fn an_infinite_loop_times_out_within_twice_the_deadline_without_blocking_the_executor() {
    let deadline = Duration::from_millis(200);
    let module = Module::builder(&async_engine())
        .limits(timeout(200))
        .build(wat(&format!("{RETURN_TRUE}\n{SPIN}")))
        .unwrap();
    let mut plugins = vec![
        module.instantiate_async().await.unwrap(),
        module.instantiate_async().await.unwrap(),
    ];
    let ticks = Arc::new(AtomicU64::new(0));
    let ticker = tokio::spawn({
        let ticks = ticks.clone();
        async move {
            loop {
                tokio::time::sleep(Duration::from_millis(1)).await;
                ticks.fetch_add(1, Ordering::Relaxed);
            }
        }
    });
    tokio::task::yield_now().await;
    // One spinning guest, then two at once, each in its own task, sharing the thread with the
    // ticker.
    for guests in [1, 2] {
        let before = ticks.load(Ordering::Relaxed);
        let start = Instant::now();
        let tasks: Vec<_> = plugins
            .drain(..guests)
            .map(|mut p| {
                tokio::spawn(async move {
                    let result = p.call_async::<_, ()>("spin", ()).await;
                    (p, result, Instant::now())
                })
            })
            .collect();
        for task in tasks {
            let (mut p, result, end) = task.await.unwrap();
            let elapsed = end - start;
            let ticked = ticks.load(Ordering::Relaxed) - before;
            eprintln!("{guests} guest(s): timed out after {elapsed:?}; the ticker ticked {ticked} times meanwhile");
            let err = result.unwrap_err();
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
            // A guest yields at every epoch tick (5 ms), and the ticker's timer fires every
            // few yields; a guest that blocked the executor would leave the ticker at 0 until
            // the call ended.
            assert!(
                ticked >= 3,
                "the ticker ticked only {ticked} times in {elapsed:?}"
            );
            assert!(
                p.call_async::<_, bool>("yes", ()).await.unwrap(),
                "a fresh instance"
            );
            plugins.push(p);
        }
    }
    ticker.abort();
}

#[tokio::test(flavor = "current_thread")]
async fn limits_hold_on_async_engines_and_the_pool_replaces_faulted_instances() {
    let bomb = r#"(func (export "bomb") (param i32 i32) (result i64)
        (loop $l (br_if $l (i32.ne (memory.grow (i32.const 16)) (i32.const -1)))) (i64.const 0))"#;
    let limits = Limits {
        max_memory: 4 << 20,
        ..timeout(100)
    };
    let pool = build(
        Module::builder(&async_engine()).limits(limits),
        &format!("{bomb}\n{SPIN}"),
    )
    .pool(2);
    assert!(matches!(
        pool.call_async::<_, ()>("bomb", ()).await,
        Err(Error::MemoryLimit { .. })
    ));
    assert!(matches!(
        pool.call_async::<_, ()>("spin", ()).await,
        Err(Error::Timeout { .. })
    ));
    assert_eq!(pool.idle(), 0, "faulted instances are not returned");
    assert_eq!(pool.call_async::<_, u64>("echo", 7u64).await.unwrap(), 7);
    assert_eq!(pool.idle(), 1);

    // A plugin whose instance a fault discarded restarts it on the next async call; a blocking
    // accessor cannot restart it.
    let mut p = pool.module().instantiate_async().await.unwrap();
    assert!(matches!(
        p.call_async::<_, ()>("bomb", ()).await,
        Err(Error::MemoryLimit { .. })
    ));
    assert!(!p.is_live());
    expect_config(
        p.memory_size(),
        "restarting a discarded plugin instance",
        "an async call such as Plugin::call_async",
    );
    assert!(p.call_async::<_, bool>("yes", ()).await.unwrap());
    assert_eq!(p.memory_size().unwrap(), 2 * 65536, "a fresh instance");

    // The deadline also covers initialisation.
    let src = wat_with(r#"(func (export "_initialize") (loop $l (br $l)))"#, &[]);
    let module = Module::builder(&async_engine())
        .limits(timeout(50))
        .build(src)
        .unwrap();
    let start = Instant::now();
    match module.instantiate_async().await {
        Err(Error::Startup {
            phase: StartupPhase::Initialize,
            error,
        }) => assert!(
            matches!(&*error, Error::Timeout { function, .. } if function == "_initialize"),
            "{error:?}"
        ),
        other => panic!("want Timeout, got {:?}", other.err()),
    }
    // Loosely: the point is that it stops, and the machine may be busy.
    assert!(
        start.elapsed() < Duration::from_millis(1_000),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test(flavor = "current_thread")]
async fn wasi_guests_run_on_async_engines() {
    let imports = r#"
      (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))"#;
    let body = r#"(data (i32.const 2100) "hello from wasi\n")
      (func (export "say") (param i32 i32) (result i64)
        (i32.store (i32.const 2200) (i32.const 2100))
        (i32.store (i32.const 2204) (i32.const 16))
        (if (i32.ne (call $fd_write (i32.const 1) (i32.const 2200) (i32.const 1) (i32.const 2300)) (i32.const 0))
          (then unreachable))
        (if (i32.ne (call $random_get (i32.const 2400) (i32.const 16)) (i32.const 0))
          (then unreachable))
        (i64.const 0x0000004000000009))"#;
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = lines.clone();
    let handler: LogHandler = Arc::new(move |r: &LogRecord<'_>| {
        sink.lock().unwrap().push((r.source, r.message.to_string()))
    });
    let module = Module::builder(&async_engine())
        .log_handler(handler)
        .build(wat_with(
            &format!("{RETURN_TRUE}\n{body}"),
            &[("{imports}", imports)],
        ))
        .unwrap();
    assert!(module.uses_wasi());
    let mut p = module.instantiate_async().await.unwrap();
    assert!(p.call_async::<_, bool>("say", ()).await.unwrap());
    assert_eq!(
        *lines.lock().unwrap(),
        [(LogSource::Stdout, "hello from wasi".to_string())]
    );
}

fn expect_config<T>(result: Result<T, Error>, method: &str, instead: &str) {
    match result {
        Err(e @ Error::Config { .. }) => {
            let msg = e.to_string();
            assert!(
                msg.contains(method) && msg.contains(&format!("use {instead}")),
                "{msg}"
            );
        }
        Err(other) => panic!("{method}: want a Config error, got {other:?}"),
        Ok(_) => panic!("{method}: want a Config error, got a result"),
    }
}

#[tokio::test(flavor = "current_thread")]
async fn blocking_methods_on_an_async_engine_are_configuration_errors() {
    let module = build(Module::builder(&async_engine()), "");
    expect_config(
        module.instantiate(),
        "Module::instantiate",
        "Module::instantiate_async",
    );
    let mut p = module.instantiate_async().await.unwrap();
    expect_config(
        p.call::<_, u64>("echo", 1u64),
        "Plugin::call",
        "Plugin::call_async",
    );
    expect_config(
        p.call_raw("echo", &[1]),
        "Plugin::call_raw",
        "Plugin::call_raw_async",
    );
    expect_config(
        p.call_raw_with("echo", &[1], |b| b.len()),
        "Plugin::call_raw_with",
        "Plugin::call_raw_async",
    );
    expect_config(
        p.call_pod::<u64, u64>("echo", &1),
        "Plugin::call_pod",
        "Plugin::call_pod_async",
    );
    expect_config(
        p.typed::<u64, u64>("echo"),
        "Plugin::typed",
        "Plugin::typed_async",
    );
    let mut echo = p.typed_async::<u64, u64>("echo").await.unwrap();
    expect_config(
        echo.call(&mut p, 1),
        "TypedFunction::call",
        "TypedFunction::call_async",
    );
    let pool = module.pool(1);
    expect_config(pool.get(), "Pool::get", "Pool::get_async");
    expect_config(
        pool.call::<_, u64>("echo", 1u64),
        "Pool::call",
        "Pool::call_async",
    );

    // The async methods work, and so do accessors of a live instance.
    assert_eq!(p.call_async::<_, u64>("echo", 5u64).await.unwrap(), 5);
    assert_eq!(p.call_raw_async("echo", &[0x2a]).await.unwrap(), [0x2a]);
    assert_eq!(p.call_pod_async::<u64, u64>("echo", &7).await.unwrap(), 7);
    assert_eq!(echo.call_async(&mut p, 9).await.unwrap(), 9);
    assert_eq!(
        pool.get_async()
            .await
            .unwrap()
            .call_async::<_, u64>("echo", 2u64)
            .await
            .unwrap(),
        2
    );
    assert_eq!(pool.call_async::<_, u64>("echo", 3u64).await.unwrap(), 3);
    assert_eq!(p.memory_size().unwrap(), 2 * 65536);
}

#[tokio::test(flavor = "current_thread")]
async fn async_methods_on_a_blocking_engine_are_configuration_errors() {
    let module = build(Module::builder(&Engine::default()), "");
    expect_config(
        module.instantiate_async().await,
        "Module::instantiate_async",
        "Module::instantiate",
    );
    let mut p = module.instantiate().unwrap();
    expect_config(
        p.call_async::<_, u64>("echo", 1u64).await,
        "Plugin::call_async",
        "Plugin::call",
    );
    expect_config(
        p.call_raw_async("echo", &[1]).await,
        "Plugin::call_raw_async",
        "Plugin::call_raw",
    );
    expect_config(
        p.call_pod_async::<u64, u64>("echo", &1).await,
        "Plugin::call_pod_async",
        "Plugin::call_pod",
    );
    expect_config(
        p.typed_async::<u64, u64>("echo").await,
        "Plugin::typed_async",
        "Plugin::typed",
    );
    let mut echo = p.typed::<u64, u64>("echo").unwrap();
    expect_config(
        echo.call_async(&mut p, 1).await,
        "TypedFunction::call_async",
        "TypedFunction::call",
    );
    let pool = module.pool(1);
    expect_config(pool.get_async().await, "Pool::get_async", "Pool::get");
    expect_config(
        pool.call_async::<_, u64>("echo", 1u64).await,
        "Pool::call_async",
        "Pool::call",
    );
    // The blocking methods still work.
    assert_eq!(echo.call(&mut p, 4).unwrap(), 4);
    assert_eq!(pool.call::<_, u64>("echo", 3u64).unwrap(), 3);

    // Async host functions need an async engine: refused when the module is built.
    let err = Module::builder(&Engine::default())
        .host_fn_async("later", |_ctx, (): ()| Box::pin(async { Ok(()) }))
        .build(wat(RETURN_TRUE))
        .err()
        .unwrap();
    let msg = err.to_string();
    assert!(
        matches!(err, Error::Config { .. })
            && msg.contains("`later`")
            && msg.contains("async_support(true)"),
        "{msg}"
    );
    // A nested call_async from a blocking host function on a blocking engine cannot happen: a
    // blocking host function has no way to await it. The reverse is covered above.
}

/// Compile-time check: every future of the async API is `Send`, so it runs on a multi-threaded
/// runtime (`tokio::spawn`).
#[allow(dead_code)]
fn every_async_method_returns_a_send_future(
    module: Module,
    mut plugin: wabi_host::Plugin,
    pool: wabi_host::Pool,
    mut typed: wabi_host::TypedFunction<u64, u64>,
    ctx: &mut wabi_host::HostContext<'_, '_>,
) {
    fn send<T: Send>(_: T) {}
    send(module.instantiate_async());
    send(plugin.call_async::<_, u64>("f", ("a", 1u64)));
    send(plugin.call_raw_async("f", b"raw"));
    send(plugin.call_pod_async::<u64, u64>("f", &1));
    send(plugin.typed_async::<u64, u64>("f"));
    send(typed.call_async(&mut plugin, 1));
    send(pool.get_async());
    send(pool.call_async::<_, u64>("f", 1u64));
    send(ctx.call_async::<_, u64>("f", 1u64));
}

/// On an async engine too, time in host functions (async or blocking) counts against the
/// call's deadline from its start: one that returns after the deadline ends the call with
/// `Timeout`, and the guest's second host call never happens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn time_in_host_functions_counts_against_the_deadline() {
    use std::sync::atomic::{AtomicU32, Ordering};
    let calls = Arc::new(AtomicU32::new(0));
    let (async_calls, sync_calls) = (calls.clone(), calls.clone());
    for name in ["slow_async", "slow_sync"] {
        calls.store(0, Ordering::SeqCst);
        let builder = Module::builder(&async_engine()).limits(timeout(200));
        let async_calls = async_calls.clone();
        let sync_calls = sync_calls.clone();
        let builder = if name == "slow_async" {
            builder.host_fn_async("slow", move |_ctx, ms: u64| {
                let calls = async_calls.clone();
                Box::pin(async move {
                    calls.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                    Ok(true)
                })
            })
        } else {
            builder.host_fn("slow", move |_ctx, ms: u64| -> Result<bool, HostError> {
                sync_calls.fetch_add(1, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(ms));
                Ok(true)
            })
        };
        let module = build(builder, common::TWICE);
        let mut p = module.instantiate_async().await.unwrap();
        let err = p.call_async::<_, bool>("twice", 400u64).await.unwrap_err();
        assert!(
            matches!(&err, Error::Timeout { function, .. } if function == "twice"),
            "{name}: {err:?}"
        );
        assert_eq!(calls.load(Ordering::SeqCst), 1, "{name}");
        assert!(p.call_async::<_, bool>("yes", ()).await.unwrap());
    }
}

/// A loopback server for [`http_requests_run_off_the_executor`]: answers every connection with
/// `slow` after the number of milliseconds in its path (`GET /150`), at most `count` times,
/// then stops.
fn slow_server(count: usize) -> std::net::SocketAddr {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(count) {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                let _ = reader.read_line(&mut line);
                let ms: u64 = line
                    .split(['/', ' '])
                    .nth(2)
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).unwrap_or(0) <= 2 {
                        break;
                    }
                }
                std::thread::sleep(Duration::from_millis(ms.min(5_000)));
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 4\r\n\r\nslow",
                );
            });
        }
    });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn http_requests_run_off_the_executor() {
    let addr = slow_server(3);
    let grant = wabi_host::HttpGrant::hosts([format!("http://{addr}")])
        .allow_addresses("127.0.0.1")
        .timeout(Duration::from_millis(400));
    let module = Module::builder(&async_engine())
        .allow_http(grant)
        .build(include_str!("common/http_fetch.wat"))
        .unwrap();
    let mut plugin = module.instantiate_async().await.unwrap();
    let request = |path: &str| {
        wabi_host::value::to_vec(&wabi_host::HttpRequest::new(
            "GET",
            format!("http://{addr}{path}"),
        ))
        .unwrap()
    };
    // A timer task on the only worker thread keeps ticking while the request is out.
    let ticker = tokio::spawn(async {
        let start = Instant::now();
        for _ in 0..10 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        start.elapsed()
    });
    let body = plugin
        .call_raw_async("fetch", &request("/200"))
        .await
        .unwrap();
    let response: wabi_host::HttpResponse = wabi_host::value::decode(&body).unwrap();
    assert_eq!(
        (response.status, response.body.as_slice()),
        (200, &b"slow"[..])
    );
    let ticked = ticker.await.unwrap();
    assert!(
        ticked < Duration::from_millis(190),
        "the executor was blocked: 10 ticks took {ticked:?}"
    );
    // The grant's timeout applies on async engines too.
    match plugin.call_raw_async("fetch", &request("/2000")).await {
        Err(Error::Guest { error, .. }) => {
            let v: wabi_host::HttpErrorKind = error
                .value_as::<std::collections::BTreeMap<String, wabi_host::HttpErrorKind>>()
                .unwrap()
                .unwrap()["kind"];
            assert_eq!(v, wabi_host::HttpErrorKind::Timeout, "{}", error.message);
        }
        other => panic!("want a timeout error, got {other:?}"),
    }
}
