//! wabi against the raw baseline and the peer frameworks, in one process, interleaved round by
//! round: Extism 1.30 (on wasmtime 43), waPC (wasmtime-provider 2.25 on wasmtime 48) and the
//! Component Model (wasmtime 48 `component::bindgen!`, with `Config::concurrency_support(false)`
//! and with wasmtime's default configuration). Every output is checked once before timing.
//!
//! Run: `cd bench/peers && CARGO_BUILD_JOBS=2 cargo bench`. Knobs: see
//! benches/src/common/harness.rs (`WABI_BENCH_ROUNDS`, `WABI_BENCH_BATCH_MS`,
//! `WABI_BENCH_FILTER`).
//!
//! Encodings: the raw baseline is rmp-serde compact for everything (the definition);
//! wabi uses its canonical MessagePack; each peer gets its cheapest idiomatic form: Extism and
//! waPC pass structs as rmp-serde compact MessagePack and the W2 string and the W4 bytes as plain
//! payload bytes; the Component Model uses the canonical ABI (records, `string`, `list<u8>`).

// Shared with the main bench (benches/src/wabi.rs), which uses a few more of their items.
#[allow(dead_code)]
#[path = "../../../benches/src/common/harness.rs"]
mod harness;
#[path = "../../../benches/src/common/inputs.rs"]
mod inputs;
#[allow(dead_code)]
#[path = "../../../benches/src/common/raw.rs"]
mod raw;
#[path = "../../../benches/src/common/types.rs"]
mod types;

/// Host bindings of `wit/bench.wit`.
mod cm {
    wasmtime::component::bindgen!({
        path: "wit",
        world: "bench",
        additional_derives: [PartialEq],
    });
}

use std::fmt::Debug;
use std::hint::black_box;
use std::path::PathBuf;

use extism::convert::Msgpack;
use harness::{case, fmt_ns, Case, Results, Settings};
use inputs::Inputs;
use raw::RawModule;
use serde_bytes::Bytes;
use types::{AddIn, AddOut, BulkOut, Request};
use wapc::WapcHost;
use wasmtime_provider::{WasmtimeEngineProviderBuilder, WasmtimeEngineProviderPre};

const WORKLOADS: [&str; 7] = [
    "noop",
    "W1 add",
    "W2 echo 1 KiB",
    "W3 gateway",
    "W4 bulk 1 MiB",
    "W5 instantiate + first call",
    W5_POOL,
];

/// W5 with wasmtime's pooling instance allocator, the same sizes on both sides: wabi and the
/// Component Model with concurrency off only (informational: every SDK's default, as the W5
/// row measures it, is wasmtime's on-demand allocator).
const W5_POOL: &str = "W5, pooling allocator (wabi and CM only)";

/// The pooling allocator's sizes for [`W5_POOL`]: those of the main bench (benches/src/wabi.rs).
const POOLING: wabi_host::PoolingLimits = wabi_host::PoolingLimits {
    total_instances: 64,
    max_memory_bytes: 512 << 20,
};
const PEERS: [&str; 7] = [
    "raw",
    "wabi",
    "wabi, no deadlines",
    "Extism 1.30",
    "waPC 2.25",
    "CM, concurrency off",
    "CM, default config",
];

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

/// Everything compiled once.
struct Compiled {
    wabi: wabi_host::Module,
    /// wabi on an engine without epoch checks (`EngineBuilder::deadlines(false)`), as the peers
    /// and raw run: none of them can stop a runaway guest by time.
    wabi_fast: wabi_host::Module,
    raw: RawModule,
    extism: extism::CompiledPlugin,
    wapc: WasmtimeEngineProviderPre,
    cm: Vec<(&'static str, wasmtime::Engine, cm::BenchPre<()>)>,
    /// wabi and the Component Model (concurrency off) with the pooling allocator, for
    /// [`W5_POOL`]; `None` where it cannot reserve its address space.
    pooled: Option<(wabi_host::Module, wasmtime::Engine, cm::BenchPre<()>)>,
}

fn compile() -> Compiled {
    let dir = |env: &str, name: &str| {
        let path = PathBuf::from(env).join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    let bench_dir = env!("BENCH_WASM_DIR");
    let peers_dir = env!("PEERS_WASM_DIR");

    // wabi on its default engine, raw on a plain wasmtime engine with wasmtime's defaults.
    let engine = wabi_host::Engine::default();
    let wabi = wabi_host::Module::new(&engine, dir(bench_dir, "bench_wabi.wasm")).unwrap();
    let fast_engine = wabi_host::Engine::builder()
        .deadlines(false)
        .build()
        .unwrap();
    let wabi_fast = wabi_host::Module::builder(&fast_engine)
        .limits(wabi_host::Limits {
            timeout: None,
            ..Default::default()
        })
        .build(dir(bench_dir, "bench_wabi.wasm"))
        .unwrap();
    let raw_engine = wasmtime::Engine::default();
    let raw = RawModule::new(&raw_engine, &dir(bench_dir, "bench_raw.wasm"));

    let manifest = extism::Manifest::new([extism::Wasm::data(dir(peers_dir, "peer_extism.wasm"))]);
    let extism = extism::PluginBuilder::new(manifest)
        .with_wasi(false)
        .compile()
        .expect("Extism compiles its plug-in");

    let wapc_wasm = dir(peers_dir, "peer_wapc.wasm");
    let wapc = WasmtimeEngineProviderBuilder::new()
        .module_bytes(&wapc_wasm)
        .build_pre()
        .expect("waPC compiles its guest");

    let component_bytes = std::fs::read(env!("PEERS_COMPONENT")).unwrap();
    let mut cm_engines = Vec::new();
    for (name, concurrency) in [(PEERS[5], Some(false)), (PEERS[6], None)] {
        let mut config = wasmtime::Config::new();
        if let Some(on) = concurrency {
            config.concurrency_support(on);
        }
        let engine = wasmtime::Engine::new(&config).unwrap();
        let component = wasmtime::component::Component::new(&engine, &component_bytes)
            .expect("the component compiles");
        let linker = wasmtime::component::Linker::<()>::new(&engine);
        let pre = cm::BenchPre::new(linker.instantiate_pre(&component).unwrap()).unwrap();
        cm_engines.push((name, engine, pre));
    }
    let pooled = pooled(dir(bench_dir, "bench_wabi.wasm"), &component_bytes);
    Compiled {
        wabi,
        wabi_fast,
        raw,
        extism,
        wapc,
        cm: cm_engines,
        pooled,
    }
}

/// The engines of [`W5_POOL`], or `None` (with a note) where the pooling allocator cannot
/// reserve its address space.
fn pooled(
    wabi_wasm: Vec<u8>,
    component_bytes: &[u8],
) -> Option<(wabi_host::Module, wasmtime::Engine, cm::BenchPre<()>)> {
    let wabi_engine = wabi_host::Engine::builder()
        .pooling_allocator(POOLING)
        .build();
    let mut pool = wasmtime::PoolingAllocationConfig::default();
    pool.total_component_instances(POOLING.total_instances)
        .total_core_instances(POOLING.total_instances)
        .total_memories(POOLING.total_instances)
        .total_tables(POOLING.total_instances)
        .max_memory_size(POOLING.max_memory_bytes);
    let mut config = wasmtime::Config::new();
    config
        .concurrency_support(false)
        .allocation_strategy(wasmtime::InstanceAllocationStrategy::Pooling(pool));
    match (wabi_engine, wasmtime::Engine::new(&config)) {
        (Ok(wabi_engine), Ok(cm_engine)) => {
            let wabi = wabi_host::Module::new(&wabi_engine, wabi_wasm).unwrap();
            let component = wasmtime::component::Component::new(&cm_engine, component_bytes)
                .expect("the component compiles");
            let linker = wasmtime::component::Linker::<()>::new(&cm_engine);
            let pre = cm::BenchPre::new(linker.instantiate_pre(&component).unwrap()).unwrap();
            Some((wabi, cm_engine, pre))
        }
        (wabi, cm) => {
            let why = wabi.err().map(|e| e.to_string());
            let why = why.or(cm.err().map(|e| e.to_string()));
            eprintln!("no pooling allocator here ({why:?}); skipping {W5_POOL}");
            None
        }
    }
}

/// A ready waPC host.
fn wapc_host(pre: &WasmtimeEngineProviderPre) -> WapcHost {
    let engine = pre.rehydrate(None).expect("waPC instance");
    WapcHost::new(Box::new(engine), None).expect("waPC host")
}

/// A ready component instance in its own store.
fn cm_instance(
    engine: &wasmtime::Engine,
    pre: &cm::BenchPre<()>,
) -> (wasmtime::Store<()>, cm::Bench) {
    let mut store = wasmtime::Store::new(engine, ());
    let bench = pre.instantiate(&mut store).expect("component instance");
    (store, bench)
}

fn cm_request(r: &Request) -> cm::Request {
    cm::Request {
        method: r.method.clone(),
        path: r.path.clone(),
        headers: r.headers.clone(),
        body: r.body.clone(),
    }
}

fn from_cm_request(r: cm::Request) -> Request {
    Request {
        method: r.method,
        path: r.path,
        headers: r.headers,
        body: r.body,
    }
}

fn cases<'a>(c: &'a Compiled, i: &'a Inputs, cm_gateway: &'a cm::Request) -> Vec<Case<'a>> {
    let [noop, w1, w2, w3, w4, w5, w5_pool] = WORKLOADS;
    let mut cases = Vec::new();
    let add_expected = i.add_expected();
    let gateway_expected = i.gateway_expected();
    let bulk_expected = i.bulk_expected();
    let bulk = Bytes::new(&i.bulk);
    let cm_add = cm::AddIn {
        a: i.add.a,
        b: i.add.b,
    };
    let cm_add_expected = cm::AddOut {
        sum: add_expected.sum,
    };

    // raw
    {
        let r = PEERS[0];
        let mut p = c.raw.instantiate();
        let f = p.func("noop");
        cases.push(case(noop, r, move || p.call_unit(&f)));
        let mut p = c.raw.instantiate();
        let f = p.func("add");
        cases.push(checked(w1, r, add_expected, move || {
            p.call::<_, AddOut>(&f, &i.add)
        }));
        let mut p = c.raw.instantiate();
        let f = p.func("echo");
        cases.push(checked(w2, r, i.echo.clone(), move || {
            p.call::<_, String>(&f, i.echo.as_str())
        }));
        let mut p = c.raw.instantiate();
        let f = p.func("gateway");
        cases.push(checked(w3, r, gateway_expected.clone(), move || {
            p.call::<_, Request>(&f, &i.gateway)
        }));
        let mut p = c.raw.instantiate();
        let f = p.func("bulk");
        cases.push(checked(w4, r, bulk_expected, move || {
            p.call::<_, BulkOut>(&f, bulk)
        }));
        cases.push(checked(w5, r, add_expected, move || {
            let mut p = c.raw.instantiate();
            let f = p.func("add");
            p.call::<_, AddOut>(&f, &i.add)
        }));
    }

    // wabi, on its default engine and on one without deadlines
    for (w, module) in [(PEERS[1], &c.wabi), (PEERS[2], &c.wabi_fast)] {
        let new = || module.instantiate().unwrap();
        let mut p = new();
        let mut f = p.typed::<(), ()>("noop").unwrap();
        cases.push(checked(noop, w, (), move || f.call(&mut p, ()).unwrap()));
        let mut p = new();
        let mut f = p.typed::<&AddIn, AddOut>("add").unwrap();
        cases.push(checked(w1, w, add_expected, move || {
            f.call(&mut p, &i.add).unwrap()
        }));
        let mut p = new();
        let mut f = p.typed::<&str, String>("echo").unwrap();
        cases.push(checked(w2, w, i.echo.clone(), move || {
            f.call(&mut p, i.echo.as_str()).unwrap()
        }));
        let mut p = new();
        let mut f = p.typed::<&Request, Request>("gateway").unwrap();
        cases.push(checked(w3, w, gateway_expected.clone(), move || {
            f.call(&mut p, &i.gateway).unwrap()
        }));
        let mut p = new();
        let mut f = p.typed::<&Bytes, BulkOut>("bulk").unwrap();
        cases.push(checked(w4, w, bulk_expected, move || {
            f.call(&mut p, bulk).unwrap()
        }));
        cases.push(checked(w5, w, add_expected, move || {
            let mut p = module.instantiate().unwrap();
            p.call::<_, AddOut>("add", &i.add).unwrap()
        }));
    }

    // Extism
    {
        let e = PEERS[3];
        let new = || extism::Plugin::new_from_compiled(&c.extism).unwrap();
        let mut p = new();
        cases.push(checked(noop, e, (), move || {
            p.call::<(), ()>("noop", ()).unwrap()
        }));
        let mut p = new();
        cases.push(checked(w1, e, add_expected, move || {
            p.call::<_, Msgpack<AddOut>>("add", Msgpack(&i.add))
                .unwrap()
                .0
        }));
        let mut p = new();
        cases.push(checked(w2, e, i.echo.clone(), move || {
            p.call::<&str, String>("echo", i.echo.as_str()).unwrap()
        }));
        let mut p = new();
        cases.push(checked(w3, e, gateway_expected.clone(), move || {
            p.call::<_, Msgpack<Request>>("gateway", Msgpack(&i.gateway))
                .unwrap()
                .0
        }));
        let mut p = new();
        cases.push(checked(w4, e, bulk_expected, move || {
            p.call::<&[u8], Msgpack<BulkOut>>("bulk", i.bulk.as_slice())
                .unwrap()
                .0
        }));
        cases.push(checked(w5, e, add_expected, move || {
            let mut p = extism::Plugin::new_from_compiled(&c.extism).unwrap();
            p.call::<_, Msgpack<AddOut>>("add", Msgpack(&i.add))
                .unwrap()
                .0
        }));
    }

    // waPC
    {
        let wp = PEERS[4];
        let h = wapc_host(&c.wapc);
        cases.push(checked(noop, wp, 0, move || {
            h.call("noop", &[]).unwrap().len()
        }));
        let h = wapc_host(&c.wapc);
        let mut buf = Vec::new();
        cases.push(checked(w1, wp, add_expected, move || {
            buf.clear();
            rmp_serde::encode::write(&mut buf, &i.add).unwrap();
            rmp_serde::from_slice(&h.call("add", &buf).unwrap()).unwrap()
        }));
        let h = wapc_host(&c.wapc);
        cases.push(checked(w2, wp, i.echo.clone(), move || {
            String::from_utf8(h.call("echo", i.echo.as_bytes()).unwrap()).unwrap()
        }));
        let h = wapc_host(&c.wapc);
        let mut buf = Vec::new();
        cases.push(checked(w3, wp, gateway_expected.clone(), move || {
            buf.clear();
            rmp_serde::encode::write(&mut buf, &i.gateway).unwrap();
            rmp_serde::from_slice::<Request>(&h.call("gateway", &buf).unwrap()).unwrap()
        }));
        let h = wapc_host(&c.wapc);
        cases.push(checked(w4, wp, bulk_expected, move || {
            rmp_serde::from_slice::<BulkOut>(&h.call("bulk", &i.bulk).unwrap()).unwrap()
        }));
        cases.push(checked(w5, wp, add_expected, move || {
            let h = wapc_host(&c.wapc);
            let input = rmp_serde::to_vec(&i.add).unwrap();
            rmp_serde::from_slice(&h.call("add", &input).unwrap()).unwrap()
        }));
    }

    // Component Model, concurrency support off and default.
    for (name, engine, pre) in &c.cm {
        let name: &str = name;
        let (mut s, b) = cm_instance(engine, pre);
        cases.push(checked(noop, name, (), move || {
            b.call_noop(&mut s).unwrap()
        }));
        let (mut s, b) = cm_instance(engine, pre);
        cases.push(checked(w1, name, cm_add_expected, move || {
            b.call_add(&mut s, cm_add).unwrap()
        }));
        let (mut s, b) = cm_instance(engine, pre);
        cases.push(checked(w2, name, i.echo.clone(), move || {
            b.call_echo(&mut s, &i.echo).unwrap()
        }));
        let (mut s, b) = cm_instance(engine, pre);
        let expected = cm_request(&gateway_expected);
        cases.push(checked(w3, name, expected, move || {
            b.call_gateway(&mut s, cm_gateway).unwrap()
        }));
        let (mut s, b) = cm_instance(engine, pre);
        let expected = cm::BulkOut {
            len: bulk_expected.len,
            checksum: bulk_expected.checksum,
        };
        cases.push(checked(w4, name, expected, move || {
            b.call_bulk(&mut s, &i.bulk).unwrap()
        }));
        cases.push(checked(w5, name, cm_add_expected, move || {
            let (mut s, b) = cm_instance(engine, pre);
            b.call_add(&mut s, cm_add).unwrap()
        }));
    }
    if let Some((wabi, engine, pre)) = &c.pooled {
        let add = &i.add;
        cases.push(checked(w5_pool, PEERS[1], add_expected, move || {
            let mut p = wabi.instantiate().unwrap();
            p.call::<_, AddOut>("add", add).unwrap()
        }));
        cases.push(checked(w5_pool, PEERS[5], cm_add_expected, move || {
            let (mut s, b) = cm_instance(engine, pre);
            b.call_add(&mut s, cm_add).unwrap()
        }));
    }
    // Workload-major order: the peers of one workload run back to back in every round, which
    // is what the paired ratios compare.
    cases.sort_by_key(|c| WORKLOADS.iter().position(|w| *w == c.workload));
    cases
}

fn table(r: &Results) -> String {
    let mut out = String::from("### ns per call (median of interleaved rounds)\n\n| workload |");
    for p in PEERS {
        out += &format!(" {p} |");
    }
    out += "\n|---|";
    out += &"--:|".repeat(PEERS.len());
    out += "\n";
    for w in WORKLOADS {
        out += &format!("| {w} |");
        for p in PEERS {
            out += &format!(
                " {} |",
                r.median(w, p).map(fmt_ns).unwrap_or_else(|| "-".into())
            );
        }
        out += "\n";
    }
    out += "\n### Ratio to raw (lower is faster), and whether wabi beats every peer\n\n\
            Ratios are paired: the median over rounds of the ratio of the two samples taken in the \
            same round.\n\n| workload |";
    for p in &PEERS[1..] {
        out += &format!(" {p} |");
    }
    out += " wabi fastest of the SDKs | wabi without deadlines fastest of the SDKs |\n|---|";
    out += &"--:|".repeat(PEERS.len() - 1);
    out += "---|---|\n";
    for w in WORKLOADS {
        out += &format!("| {w} |");
        for p in &PEERS[1..] {
            let q = r.paired_ratio(w, p, PEERS[0]);
            out += &format!(
                " {} |",
                q.map(|q| format!("{q:.2}")).unwrap_or_else(|| "-".into())
            );
        }
        // Each wabi engine against its fastest peer, paired round by round.
        for wabi in &PEERS[1..3] {
            let closest = PEERS[3..]
                .iter()
                .filter_map(|p| r.paired_ratio(w, wabi, p).map(|q| (q, *p)))
                .max_by(|a, b| a.0.total_cmp(&b.0));
            let verdict = match closest {
                Some((q, p)) if q < 1.0 => format!("yes; nearest: {p} (wabi/peer {q:.2})"),
                Some((q, p)) => format!("**no**: {p} (wabi/peer {q:.2})"),
                None => "-".into(),
            };
            out += &format!(" {verdict} |");
        }
        out += "\n";
    }
    out
}

fn main() {
    let settings = Settings::from_env();
    let compiled = compile();
    let inputs = Inputs::new();
    let cm_gateway = cm_request(&inputs.gateway);
    assert_eq!(from_cm_request(cm_request(&inputs.gateway)), inputs.gateway);
    let results = {
        let cases = cases(&compiled, &inputs, &cm_gateway);
        eprintln!(
            "peers: {} cases, {} rounds of {:?} batches",
            cases.len(),
            settings.rounds,
            settings.batch
        );
        harness::run(&settings, cases)
    };
    println!("{}", table(&results));
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
