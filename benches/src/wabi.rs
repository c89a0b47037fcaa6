//! wabi against the hand-written "raw" ABI and the floor (an empty typed wasmtime call), in one
//! run: `cargo bench -p wabi-bench`. Prints markdown tables; see docs/PERFORMANCE.md and the
//! knobs in `common/harness.rs` (`WABI_BENCH_ROUNDS`, `WABI_BENCH_BATCH_MS`,
//! `WABI_BENCH_FILTER`, `WABI_BENCH_CLOCK`, for W6 `WABI_BENCH_TPUT_ROUNDS` and
//! `WABI_BENCH_TPUT_MS`; `WABI_BENCH_PERFMAP=1` for perf maps, `WABI_BENCH_RAW_EPOCH=1` to give
//! raw's engine epoch interruption as wabi's has, `WABI_BENCH_INLINE=1` for Cranelift's
//! inlining on wabi's and raw's engines).

#[path = "common/harness.rs"]
mod harness;
#[path = "common/http.rs"]
mod http;
#[path = "common/inputs.rs"]
mod inputs;
#[path = "common/raw.rs"]
mod raw;
#[path = "common/types.rs"]
mod types;

use std::fmt::Debug;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use harness::{case, fmt_ns, Case, Results, Settings};
use inputs::Inputs;
use raw::RawModule;
use serde_bytes::Bytes;
use types::{AddIn, AddOut, BulkOut, Request};
use wabi_host::{Engine, Module, Plugin, PoolingLimits};

// `LANGUAGE_GUESTS`: the C, Zig and AssemblyScript bench guests (build.rs).
include!(concat!(env!("WABI_BENCH_OUT_DIR"), "/languages.rs"));

/// A guest language's bench guest: its name, and its compiled module and file size (or why
/// there is none).
type Language<'a> = (&'a str, Result<(Module, usize), String>);

/// A case whose operation returns a value: the value is checked once against `expected`, then
/// the operation is timed.
fn checked<'a, T: PartialEq + Debug>(
    workload: &str,
    variant: &str,
    expected: T,
    mut op: impl FnMut() -> T + 'a,
) -> Case<'a> {
    let got = op();
    assert_eq!(got, expected, "{workload} / {variant}: wrong output");
    case(workload, variant, move || {
        black_box(op());
    })
}

const NOOP: &str = "noop";
const W1: &str = "W1 add";
const W2: &str = "W2 echo 1 KiB";
const W3: &str = "W3 gateway";
const W4: &str = "W4 bulk 1 MiB";
const W5: &str = "W5 instantiate + first call";
const W5_POOL: &str = "W5 instantiate + first call (pooling allocator)";
/// W1 by name on an instance of a [`wabi_host::Pool`].
const W1_POOL: &str = "wabi Pool::call";
/// W1 by name through a [`wabi_host::Plugins`] registry: reload swap point and metrics.
const W1_REGISTRY: &str = "wabi Plugins registry + metrics";
const FLOOR: &str = "floor: empty typed wasmtime call";
/// wabi on an engine built with `deadlines(false)` (no epoch checks in guest code, like raw's
/// engine; `Limits::timeout: None`).
const NO_DEADLINES: &str = "wabi, engine without deadlines";

fn main() {
    // `cargo bench` passes `--bench` (and any filter after `--`); the knobs are environment
    // variables, so arguments are ignored.
    let settings = Settings::from_env();
    let wasm_dir = PathBuf::from(env!("WABI_BENCH_WASM_DIR"));
    let read = |name: &str| {
        let path = wasm_dir.join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    let wabi_wasm = read("bench_wabi.wasm");
    let raw_wasm = read("bench_raw.wasm");

    // wabi runs on `Engine::builder()` with wasmtime's default configuration underneath (what
    // `Engine::default()` builds, plus `WABI_BENCH_PERFMAP=1` for perf maps so `perf report`
    // names guest functions). raw runs on a plain `wasmtime::Engine` with the same wasmtime
    // configuration, as a user without wabi would write it (wabi adds its own settings, such as
    // epoch interruption for deadlines: part of what wabi costs).
    let engine = Engine::builder()
        .wasmtime_config(base_config())
        .build()
        .expect("engine");
    let module = Module::new(&engine, &wabi_wasm).expect("the wabi guest compiles");
    // A module of its own for the registry's cases, so that the metrics a registry attaches
    // to its modules do not touch the other cases' instances.
    let registered = Module::new(&engine, &wabi_wasm).expect("the wabi guest compiles");
    let no_deadlines = Engine::builder()
        .wasmtime_config(base_config())
        .deadlines(false)
        .build()
        .expect("engine");
    let no_deadlines = Module::builder(&no_deadlines)
        .limits(wabi_host::Limits {
            timeout: None,
            ..Default::default()
        })
        .build(&wabi_wasm)
        .expect("the wabi guest compiles");
    let raw_engine = wasmtime::Engine::new(&raw_config()).expect("wasmtime engine");
    let raw_module = RawModule::new(&raw_engine, &raw_wasm);
    // The same with the pooling instance allocator on both sides, for W5. It reserves a lot of
    // address space up front, which some environments (valgrind) refuse: then W5 runs without.
    let pool_engine = Engine::builder()
        .wasmtime_config(base_config())
        .pooling_allocator(POOLING)
        .build();
    let raw_pool_engine = wasmtime::Engine::new(&raw_pooling_config());
    let pool = match (pool_engine, raw_pool_engine) {
        (Ok(pool_engine), Ok(raw_pool_engine)) => Some((
            Module::new(&pool_engine, &wabi_wasm).expect("the wabi guest compiles"),
            RawModule::new(&raw_pool_engine, &raw_wasm),
        )),
        (wabi, raw) => {
            let why = wabi.err().map(|e| e.to_string());
            let why = why.or(raw.err().map(|e| e.to_string()));
            eprintln!("no pooling allocator here ({why:?}); skipping {W5_POOL}");
            None
        }
    };

    // The other guest languages' bench guests, on wabi's engine, against the Rust guest.
    let languages: Vec<Language> = LANGUAGE_GUESTS
        .iter()
        .map(|&(name, built)| {
            let module = built.map_err(str::to_string).and_then(|path| {
                let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
                let module = Module::new(&engine, &bytes).map_err(|e| e.to_string())?;
                Ok((module, bytes.len()))
            });
            (name, module)
        })
        .collect();

    let inputs = Inputs::new();
    let results = {
        let mut cases = cases(
            &module,
            &registered,
            &no_deadlines,
            &raw_module,
            pool.as_ref(),
            &inputs,
        );
        cases.extend(language_cases(&languages, &inputs));
        eprintln!(
            "wabi-bench: {} cases, {} rounds of {:?} batches",
            cases.len(),
            settings.rounds,
            settings.batch
        );
        harness::run(&settings, cases)
    };

    println!("{}", main_table(&results));
    println!("{}", extra_table(&results));
    println!("{}", languages_table(&results, &languages, wabi_wasm.len()));
    if settings.filter.is_none() || std::env::var_os("WABI_BENCH_TPUT").is_some() {
        println!("{}", throughput_table(&module, &raw_module, &inputs));
    }
    if settings.filter.is_none() || std::env::var_os("WABI_BENCH_HTTP").is_some() {
        println!("{}", http::http_table(&engine, &wabi_wasm));
    }
    if settings.filter.is_none() || std::env::var_os("WABI_BENCH_SIZES").is_some() {
        println!("{}", size_table(&wasm_dir));
    }
    println!(
        "Timing: {} rounds, batches of {:?}, clock: {}.\n",
        settings.rounds,
        settings.batch,
        match settings.clock {
            harness::Clock::ThreadCpu => "the calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID)",
            harness::Clock::Wall => "wall time",
        }
    );
    println!("### Every case (median and quartiles over rounds)\n");
    println!("{}", results.details_table());
}

/// Pooling allocator sizes, the same for wabi and raw: enough slots for the bench's live
/// instances, and slots as large as wabi's default memory limit (`Limits::max_memory`).
const POOLING: PoolingLimits = PoolingLimits {
    total_instances: 64,
    max_memory_bytes: 512 << 20,
};

fn raw_pooling_config() -> wasmtime::Config {
    let mut pool = wasmtime::PoolingAllocationConfig::default();
    pool.total_core_instances(POOLING.total_instances)
        .total_memories(POOLING.total_instances)
        .total_tables(POOLING.total_instances)
        .max_memory_size(POOLING.max_memory_bytes);
    let mut config = raw_config();
    config.allocation_strategy(wasmtime::InstanceAllocationStrategy::Pooling(pool));
    config
}

/// raw's configuration: wasmtime's default, or with `WABI_BENCH_RAW_EPOCH=1` with epoch
/// interruption as wabi's engine has it (to tell its cost from the rest of wabi's).
fn raw_config() -> wasmtime::Config {
    let mut config = base_config();
    if std::env::var_os("WABI_BENCH_RAW_EPOCH").is_some() {
        config.epoch_interruption(true);
    }
    config
}

fn base_config() -> wasmtime::Config {
    let mut config = wasmtime::Config::new();
    if std::env::var_os("WABI_BENCH_INLINE").is_some() {
        config.compiler_inlining(wasmtime::Inlining::Yes);
    }
    if std::env::var_os("WABI_BENCH_PERFMAP").is_some() {
        config.profiler(wasmtime::ProfilingStrategy::PerfMap);
    }
    config
}

/// Every timed case. Each case owns its instance.
fn cases<'a>(
    module: &'a Module,
    registered: &'a Module,
    no_deadlines: &'a Module,
    raw_module: &'a RawModule,
    pool: Option<&'a (Module, RawModule)>,
    inputs: &'a Inputs,
) -> Vec<Case<'a>> {
    let wabi = || module.instantiate().expect("instantiate the wabi guest");
    let fast = || {
        no_deadlines
            .instantiate()
            .expect("instantiate the wabi guest")
    };
    let mut cases = Vec::new();

    // The floor.
    {
        let mut p = raw_module.instantiate();
        let f = p.empty("empty");
        cases.push(case(FLOOR, "wasmtime", move || {
            f.call(p.store(), ()).expect("empty call");
        }));
    }

    // noop.
    {
        let mut p = raw_module.instantiate();
        let f = p.func("noop");
        cases.push(case(NOOP, "raw", move || p.call_unit(&f)));
        let mut p = wabi();
        let mut f = p.typed::<(), ()>("noop").unwrap();
        cases.push(checked(NOOP, "wabi", (), move || {
            f.call(&mut p, ()).unwrap()
        }));
        let mut p = fast();
        let mut f = p.typed::<(), ()>("noop").unwrap();
        cases.push(checked(NOOP, NO_DEADLINES, (), move || {
            f.call(&mut p, ()).unwrap()
        }));
        let mut p = wabi();
        cases.push(checked(NOOP, "wabi call by name", (), move || {
            p.call::<_, ()>("noop", ()).unwrap()
        }));
    }

    // W1.
    {
        let expected = inputs.add_expected();
        let input = &inputs.add;
        let mut p = raw_module.instantiate();
        let f = p.func("add");
        cases.push(checked(W1, "raw", expected, move || {
            p.call::<_, AddOut>(&f, input)
        }));
        let mut p = wabi();
        let mut f = p.typed::<&AddIn, AddOut>("add").unwrap();
        cases.push(checked(W1, "wabi", expected, move || {
            f.call(&mut p, input).unwrap()
        }));
        let mut p = fast();
        let mut f = p.typed::<&AddIn, AddOut>("add").unwrap();
        cases.push(checked(W1, NO_DEADLINES, expected, move || {
            f.call(&mut p, input).unwrap()
        }));
        let mut p = wabi();
        let pair = [input.a, input.b];
        cases.push(checked(W1, "wabi call_pod", expected.sum, move || {
            p.call_pod::<_, i32>("add_pod", &pair).unwrap()
        }));
        // By name through a pool, and the same through a registry (which adds the swap point
        // of reloads and the metrics): their ratio is what the registry costs per call.
        let pool = registered.pool(1);
        cases.push(checked(W1, W1_POOL, expected, move || {
            pool.call::<_, AddOut>("add", input).unwrap()
        }));
        let plugins = wabi_host::Plugins::new();
        let plugin = plugins
            .insert("bench", registered.clone(), Default::default())
            .expect("register the wabi guest");
        cases.push(checked(W1, W1_REGISTRY, expected, move || {
            plugin.call::<_, AddOut>("add", input).unwrap()
        }));
    }

    // W2.
    {
        let input = inputs.echo.as_str();
        let mut p = raw_module.instantiate();
        let f = p.func("echo");
        cases.push(checked(W2, "raw", inputs.echo.clone(), move || {
            p.call::<_, String>(&f, input)
        }));
        let mut p = wabi();
        let mut f = p.typed::<&str, String>("echo").unwrap();
        cases.push(checked(W2, "wabi", inputs.echo.clone(), move || {
            f.call(&mut p, input).unwrap()
        }));
        let mut p = fast();
        let mut f = p.typed::<&str, String>("echo").unwrap();
        cases.push(checked(W2, NO_DEADLINES, inputs.echo.clone(), move || {
            f.call(&mut p, input).unwrap()
        }));
    }

    // W3.
    {
        let input = &inputs.gateway;
        let mut p = raw_module.instantiate();
        let f = p.func("gateway");
        cases.push(checked(W3, "raw", inputs.gateway_expected(), move || {
            p.call::<_, Request>(&f, input)
        }));
        let mut p = wabi();
        let mut f = p.typed::<&Request, Request>("gateway").unwrap();
        cases.push(checked(W3, "wabi", inputs.gateway_expected(), move || {
            f.call(&mut p, input).unwrap()
        }));
        let mut p = fast();
        let mut f = p.typed::<&Request, Request>("gateway").unwrap();
        cases.push(checked(
            W3,
            NO_DEADLINES,
            inputs.gateway_expected(),
            move || f.call(&mut p, input).unwrap(),
        ));
    }

    // W4.
    {
        let expected = inputs.bulk_expected();
        let data = Bytes::new(&inputs.bulk);
        let mut p = raw_module.instantiate();
        let f = p.func("bulk");
        cases.push(checked(W4, "raw", expected, move || {
            p.call::<_, BulkOut>(&f, data)
        }));
        let mut p = wabi();
        let mut f = p.typed::<&Bytes, BulkOut>("bulk").unwrap();
        cases.push(checked(W4, "wabi", expected, move || {
            f.call(&mut p, data).unwrap()
        }));
        let mut p = fast();
        let mut f = p.typed::<&Bytes, BulkOut>("bulk").unwrap();
        cases.push(checked(W4, NO_DEADLINES, expected, move || {
            f.call(&mut p, data).unwrap()
        }));
        // The same call with a plain `&Vec<u8>` argument (no serde_bytes).
        let mut p = wabi();
        let mut f = p.typed::<&Vec<u8>, BulkOut>("bulk").unwrap();
        let vec = &inputs.bulk;
        cases.push(checked(
            W4,
            "wabi, &Vec<u8> argument",
            expected,
            move || f.call(&mut p, vec).unwrap(),
        ));
        // A raw export read in place.
        let mut p = wabi();
        let raw = inputs.bulk.as_slice();
        cases.push(checked(W4, "wabi call_raw_with", expected, move || {
            p.call_raw_with("bulk_raw", raw, |b| BulkOut {
                len: u64::from_le_bytes(b[..8].try_into().unwrap()),
                checksum: u64::from_le_bytes(b[8..16].try_into().unwrap()),
            })
            .unwrap()
        }));
    }

    // W5: a fresh instance from the compiled module, plus its first call (W1). Dropping the
    // instance is part of every iteration on both sides.
    let pooled = pool.map(|(m, r)| (W5_POOL, m, r));
    for (workload, module, raw_module) in [Some((W5, module, raw_module)), pooled]
        .into_iter()
        .flatten()
    {
        let expected = inputs.add_expected();
        let input = &inputs.add;
        cases.push(checked(workload, "raw", expected, move || {
            let mut p = raw_module.instantiate();
            let f = p.func("add");
            p.call::<_, AddOut>(&f, input)
        }));
        cases.push(checked(workload, "wabi", expected, move || {
            let mut p = module.instantiate().unwrap();
            p.call::<_, AddOut>("add", input).unwrap()
        }));
    }
    cases
}

/// A target: the largest acceptable ratio.
fn verdict(ratio: f64, limit: f64) -> &'static str {
    if ratio <= limit {
        "met"
    } else {
        "**missed**"
    }
}

fn ratio(num: Option<f64>, den: Option<f64>) -> Option<f64> {
    Some(num? / den?)
}

fn fmt_opt(ns: Option<f64>) -> String {
    ns.map(fmt_ns).unwrap_or_else(|| "-".into())
}

fn fmt_ratio(q: Option<f64>) -> String {
    q.map(|q| format!("{q:.2}")).unwrap_or_else(|| "-".into())
}

fn main_table(r: &Results) -> String {
    let mut out = String::from(
        "### wabi vs raw\n\n\
         ns per call: median over interleaved rounds. wabi/raw: median over rounds of the ratio of \
         the two samples taken in the same round (see `Results::paired_ratio`); the ratio of the \
         two medians follows in parentheses.\n\n\
         | workload | raw ns | wabi ns | wabi/raw | target | |\n\
         |---|--:|--:|--:|--:|---|\n",
    );
    let targets = [
        (NOOP, None),
        (W1, Some(0.8)),
        (W2, Some(0.9)),
        (W3, Some(0.9)),
        (W4, Some(1.02)),
        (W5, Some(0.8)),
        (W5_POOL, Some(0.8)),
    ];
    let mut row = |label: &str, raw: Option<f64>, wabi: Option<f64>, q: Option<f64>, target| {
        let (t, v) = match (target, q) {
            (Some(t), Some(q)) => (format!("<= {t}"), verdict(q, t)),
            (Some(t), None) => (format!("<= {t}"), ""),
            (None, _) => (String::new(), ""),
        };
        out += &format!(
            "| {label} | {} | {} | {} ({}) | {t} | {v} |\n",
            fmt_opt(raw),
            fmt_opt(wabi),
            fmt_ratio(q),
            fmt_ratio(ratio(wabi, raw)),
        );
    };
    for (w, target) in targets {
        let (raw, wabi) = (r.median(w, "raw"), r.median(w, "wabi"));
        if raw.is_none() && wabi.is_none() {
            continue;
        }
        row(w, raw, wabi, r.paired_ratio(w, "wabi", "raw"), target);
    }
    if r.median(W5_POOL, "wabi").is_some() {
        row(
            "W5: wabi with the pooling allocator vs raw with wasmtime's default config",
            r.median(W5, "raw"),
            r.median(W5_POOL, "wabi"),
            r.paired_ratio_of((W5_POOL, "wabi"), (W5, "raw")),
            Some(0.8),
        );
    }
    let floor = r.median(FLOOR, "wasmtime");
    let noop = r.median(NOOP, "wabi");
    let q = r.paired_ratio_of((NOOP, "wabi"), (FLOOR, "wasmtime"));
    out += &format!(
        "\n| floor: empty typed wasmtime call | wabi noop | noop/floor | target | |\n|--:|--:|--:|--:|---|\n| {} | {} | {} ({}) | <= 2 | {} |\n",
        fmt_opt(floor),
        fmt_opt(noop),
        fmt_ratio(q),
        fmt_ratio(ratio(noop, floor)),
        q.map(|q| verdict(q, 2.0)).unwrap_or("")
    );
    let fast = r.median(NOOP, NO_DEADLINES);
    if fast.is_some() {
        let q = r.paired_ratio_of((NOOP, NO_DEADLINES), (FLOOR, "wasmtime"));
        out += &format!(
            "| {} | {} ({NO_DEADLINES}) | {} ({}) | <= 2 | {} |\n",
            fmt_opt(floor),
            fmt_opt(fast),
            fmt_ratio(q),
            fmt_ratio(ratio(fast, floor)),
            q.map(|q| verdict(q, 2.0)).unwrap_or("")
        );
    }
    out
}

/// W1 and W3 on the bench guest of each other guest SDK (the variant is the language's name).
fn language_cases<'a>(languages: &'a [Language<'a>], inputs: &'a Inputs) -> Vec<Case<'a>> {
    let mut cases = Vec::new();
    for (name, module) in languages {
        let Ok((module, _)) = module else { continue };
        let mut p = module.instantiate().expect("instantiate the bench guest");
        let mut f = p.typed::<&AddIn, AddOut>("add").unwrap();
        let input = &inputs.add;
        cases.push(checked(W1, name, inputs.add_expected(), move || {
            f.call(&mut p, input).unwrap()
        }));
        let mut p = module.instantiate().expect("instantiate the bench guest");
        let mut f = p.typed::<&Request, Request>("gateway").unwrap();
        let input = &inputs.gateway;
        cases.push(checked(W3, name, inputs.gateway_expected(), move || {
            f.call(&mut p, input).unwrap()
        }));
    }
    cases
}

/// The other guest SDKs' call cost against the Rust guest's (`wabi`), paired per round.
fn languages_table(r: &Results, languages: &[Language<'_>], rust_size: usize) -> String {
    let mut out = format!(
        "### Guest languages: W1 and W3 through wabi, against the Rust guest\n\n\
         | guest | bench guest bytes | W1 ns | W1 vs Rust | W3 ns | W3 vs Rust |\n\
         |---|--:|--:|--:|--:|--:|\n\
         | Rust (bench-wabi) | {} | {} | 1.00 | {} | 1.00 |\n",
        fmt_ns(rust_size as f64),
        fmt_opt(r.median(W1, "wabi")),
        fmt_opt(r.median(W3, "wabi")),
    );
    for (name, module) in languages {
        match module {
            Ok((_, size)) => {
                let q = |w| fmt_ratio(r.paired_ratio(w, name, "wabi"));
                out += &format!(
                    "| {name} | {} | {} | {} | {} | {} |\n",
                    fmt_ns(*size as f64),
                    fmt_opt(r.median(W1, name)),
                    q(W1),
                    fmt_opt(r.median(W3, name)),
                    q(W3)
                );
            }
            Err(why) => {
                out += &format!(
                    "| {name} | not built: {} | | | | |\n",
                    why.lines().next().unwrap_or("")
                )
            }
        }
    }
    out
}

fn extra_table(r: &Results) -> String {
    let mut out = String::from(
        "### Other wabi entry points (informational)\n\n\
         | workload | variant | ns | vs raw |\n|---|---|--:|--:|\n",
    );
    for (w, v) in [
        (NOOP, NO_DEADLINES),
        (W1, NO_DEADLINES),
        (W2, NO_DEADLINES),
        (W3, NO_DEADLINES),
        (W4, NO_DEADLINES),
        (NOOP, "wabi call by name"),
        (W1, "wabi call_pod"),
        (W1, W1_POOL),
        (W1, W1_REGISTRY),
        (W4, "wabi, &Vec<u8> argument"),
        (W4, "wabi call_raw_with"),
    ] {
        let ns = r.median(w, v);
        if ns.is_none() {
            continue;
        }
        out += &format!(
            "| {w} | {v} | {} | {} |\n",
            fmt_opt(ns),
            r.paired_ratio(w, v, "raw")
                .map(|q| format!("{q:.2}"))
                .unwrap_or_else(|| "-".into())
        );
    }
    out
}

/// W6: W3 from 1 and 2 threads, each thread with its own instance of the same module.
fn throughput_table(module: &Module, raw_module: &RawModule, inputs: &Inputs) -> String {
    let env = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let rounds = env("WABI_BENCH_TPUT_ROUNDS", 7).max(1) as usize;
    let duration = Duration::from_millis(env("WABI_BENCH_TPUT_MS", 300).max(10));
    let request = &inputs.gateway;
    let expected = inputs.gateway_expected();

    // POOL: every worker instantiates its own `Plugin` from the shared `Module` for now. When the
    // plugin pool of the host-runtime issue is settled (`Module::pool` / `wabi_host::Pool`),
    // replace this closure's first two lines with a checkout from one pool shared by the
    // threads, so W6 measures the pool.
    let wabi_worker = || {
        let mut plugin: Plugin = module.instantiate().unwrap();
        let mut f = plugin.typed::<&Request, Request>("gateway").unwrap();
        assert_eq!(f.call(&mut plugin, request).unwrap(), expected);
        move || {
            black_box(f.call(&mut plugin, request).unwrap());
        }
    };
    let raw_worker = || {
        let mut p = raw_module.instantiate();
        let f = p.func("gateway");
        assert_eq!(p.call::<_, Request>(&f, request), expected);
        move || {
            black_box(p.call::<_, Request>(&f, request));
        }
    };
    let mut samples: [[Vec<harness::Throughput>; 2]; 2] = Default::default();
    for round in 0..rounds {
        for threads in [1, 2] {
            samples[0][threads - 1].push(harness::throughput(threads, duration, &wabi_worker));
            samples[1][threads - 1].push(harness::throughput(threads, duration, &raw_worker));
        }
        eprint!("\rW6 round {}/{rounds}", round + 1);
    }
    eprintln!();
    let mut out = format!(
        "### W6 throughput: W3 from 1 and 2 threads (median of {rounds} rounds of {} ms)\n\n\
         calls/s is wall-clock throughput (the target's measure). `on CPU` is the workers' CPU time \
         over threads x wall time: below 1, other processes had the cores. `CPU/call` is the \
         workers' CPU time per call; if it does not grow from 1 to 2 threads, the calls themselves \
         scale (no lock or cache-line contention), and 2t/1t is limited by free cores.\n\n\
         | host | threads | calls/s | on CPU | CPU/call ns | 2t/1t calls/s | target | |\n\
         |---|--:|--:|--:|--:|--:|--:|---|\n",
        duration.as_millis()
    );
    for (i, name) in [
        "wabi (one Plugin per thread)",
        "raw (one instance per thread)",
    ]
    .iter()
    .enumerate()
    {
        let med = |t: &mut Vec<harness::Throughput>, f: fn(&harness::Throughput) -> f64| {
            let mut v: Vec<f64> = t.iter().map(f).collect();
            harness::median(&mut v)
        };
        let one = med(&mut samples[i][0], |t| t.per_sec);
        let two = med(&mut samples[i][1], |t| t.per_sec);
        let q = two / one;
        for threads in [1, 2] {
            let s = &mut samples[i][threads - 1];
            let (per_sec, on_cpu, cpu) = (
                med(s, |t| t.per_sec),
                med(s, |t| t.on_cpu),
                med(s, |t| t.cpu_per_op),
            );
            let (ratio, target, verdict) = if threads == 2 {
                (
                    format!("{q:.2}"),
                    ">= 1.8",
                    if i == 1 {
                        ""
                    } else if q >= 1.8 {
                        "met"
                    } else {
                        "**missed**"
                    },
                )
            } else {
                (String::new(), "", "")
            };
            out += &format!(
                "| {name} | {threads} | {} | {on_cpu:.2} | {} | {ratio} | {target} | {verdict} |\n",
                fmt_ns(per_sec),
                fmt_ns(cpu),
            );
        }
    }
    out
}

/// Sizes of the guests: what the Rust guest SDK adds, and the Go guest.
fn size_table(wasm_dir: &Path) -> String {
    let mut out = String::from(
        "### Guest sizes (release, LTO, opt-level 3)\n\n\
         | guest | file bytes | without custom sections |\n|---|--:|--:|\n",
    );
    let mut sizes = Vec::new();
    for (name, file) in [
        (
            "size-wabi: `#[export] fn add(a: i32, b: i32) -> i32`",
            "size_wabi.wasm",
        ),
        (
            "size-raw: the same by hand (ptr/len, rmp-serde)",
            "size_raw.wasm",
        ),
        ("bench-wabi (all workloads, wabi)", "bench_wabi.wasm"),
        ("bench-raw (all workloads, raw)", "bench_raw.wasm"),
    ] {
        let bytes = std::fs::read(wasm_dir.join(file)).unwrap_or_default();
        let code = code_size(&bytes);
        sizes.push((bytes.len(), code));
        out += &format!(
            "| {name} | {} | {} |\n",
            fmt_ns(bytes.len() as f64),
            fmt_ns(code as f64)
        );
    }
    match build_go_guest() {
        Ok(bytes) => {
            out += &format!(
                "| Go conformance guest (`tests/guests/go-conformance`, Go c-shared wasip1) | {} | {} |\n",
                fmt_ns(bytes.len() as f64),
                fmt_ns(code_size(&bytes) as f64)
            )
        }
        Err(e) => out += &format!("| Go conformance guest | n/a: {e} | |\n"),
    }
    let (file, code) = (
        sizes[0].0 as f64 - sizes[1].0 as f64,
        sizes[0].1 as f64 - sizes[1].1 as f64,
    );
    out += &format!(
        "\nThe Rust guest SDK adds {:.1} KiB to the file ({:.1} KiB without custom sections) over the hand-written guest (target <= 25 KiB: {}).\n",
        file / 1024.0,
        code / 1024.0,
        if file <= 25.0 * 1024.0 { "met" } else { "**missed**" }
    );
    out
}

/// Bytes of a wasm module outside custom sections (names, producers, debug info).
fn code_size(wasm: &[u8]) -> usize {
    if wasm.len() < 8 {
        return 0;
    }
    let mut pos = 8;
    let mut total = 8;
    while pos < wasm.len() {
        let id = wasm[pos];
        let start = pos;
        pos += 1;
        let (mut size, mut shift) = (0usize, 0);
        while pos < wasm.len() {
            let b = wasm[pos];
            pos += 1;
            size |= usize::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                break;
            }
        }
        pos += size;
        if id != 0 {
            total += pos.min(wasm.len()) - start;
        }
    }
    total
}

/// `GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared` of the Go conformance guest.
fn build_go_guest() -> Result<Vec<u8>, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/guests/go-conformance");
    let out = Path::new(env!("WABI_BENCH_OUT_DIR")).join("go-conformance.wasm");
    let output = std::process::Command::new("go")
        .current_dir(&dir)
        .env("GOOS", "wasip1")
        .env("GOARCH", "wasm")
        .env("GOPROXY", "off")
        .env("GOFLAGS", "-mod=mod")
        .args(["build", "-buildmode=c-shared", "-o"])
        .arg(&out)
        .arg(".")
        .output()
        .map_err(|e| format!("cannot run `go`: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "go build failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    std::fs::read(&out).map_err(|e| format!("{}: {e}", out.display()))
}
