//! Per-plugin metrics: exact counts for a known sequence of calls and errors, the memory
//! high-water mark, fuel, and the Prometheus rendering.

mod common;

use std::time::Duration;

use common::{wat, RETURN_TRUE};
use wabi_host::{Engine, Error, ErrorKind, Limits, Module, PluginOptions, Plugins};

/// `fail`: returns the error "no" (status 1, message "no", no value).
const FAIL: &str = r#"(data (i32.const 160) "\01\00\00\00\0a\00\00\00\02\00\00\00\00\00\00\00no")
    (func (export "fail") (param i32 i32) (result i64) (i64.const 0x000000a000000012))"#;
/// `trap`: traps.
const TRAP: &str = r#"(func (export "trap") (param i32 i32) (result i64) unreachable)"#;
/// `grow`: grows memory by one page (64 KiB) and answers `true`.
const GROW: &str = r#"(func (export "grow") (param i32 i32) (result i64)
    (drop (memory.grow (i32.const 1))) (i64.const 0x0000004000000009))"#;

fn plugins(engine: &Engine, limits: Limits) -> (Plugins, wabi_host::PluginRef) {
    let src = wat(&format!("{RETURN_TRUE}\n{FAIL}\n{TRAP}\n{GROW}"));
    let module = Module::builder(engine).limits(limits).build(src).unwrap();
    let plugins = Plugins::new();
    let plugin = plugins
        .insert("m", module, PluginOptions::default())
        .unwrap();
    (plugins, plugin)
}

#[test]
fn calls_errors_instances_and_memory_are_counted_exactly() {
    let (plugins, plugin) = plugins(&Engine::default(), Limits::default());
    let fresh = plugin.metrics();
    assert_eq!(fresh.calls, 0);
    assert_eq!(fresh.instances_created, 1, "the instance insert started");
    assert_eq!(
        fresh.memory_high_water,
        2 << 16,
        "two pages at instantiation"
    );

    for _ in 0..3 {
        assert!(plugin.call::<_, bool>("yes", ()).unwrap());
    }
    for _ in 0..2 {
        assert!(matches!(
            plugin.call::<_, bool>("fail", ()),
            Err(Error::Guest { .. })
        ));
    }
    assert!(matches!(
        plugin.call::<_, bool>("trap", ()),
        Err(Error::Trap { .. })
    ));
    // The trap discarded the only instance: this call starts a second one.
    assert!(matches!(
        plugins.call::<_, bool>("m", "missing", ()),
        Err(Error::NoSuchFunction { .. })
    ));
    assert!(plugin.call::<_, bool>("grow", ()).unwrap());

    let m = plugin.metrics();
    assert_eq!(m.calls, 8);
    assert_eq!(
        m.errors,
        [
            (ErrorKind::Guest, 2),
            (ErrorKind::Trap, 1),
            (ErrorKind::NoSuchFunction, 1)
        ]
    );
    assert_eq!(m.errors_of(ErrorKind::Timeout), 0);
    assert_eq!(m.error_total(), 4);
    assert_eq!(m.latency.count(), 8);
    assert!(m.latency.sum > Duration::ZERO);
    assert_eq!(m.instances_created, 2);
    assert_eq!(m.memory_high_water, 3 << 16, "grown by one page");
    assert_eq!(m.fuel_consumed, 0, "the engine does not count fuel");
    assert_eq!((m.reloads, m.reload_failures, m.generation), (0, 0, 0));
}

#[test]
fn metrics_survive_a_reload_and_count_its_instance() {
    let (plugins, plugin) = plugins(&Engine::default(), Limits::default());
    plugin.call::<_, bool>("yes", ()).unwrap();
    let src = wat(&format!("{RETURN_TRUE}\n{FAIL}\n{TRAP}\n{GROW}"));
    plugins.reload("m", &src).unwrap();
    assert!(plugins.reload("m", "junk").is_err());
    plugin.call::<_, bool>("yes", ()).unwrap();
    let m = plugin.metrics();
    assert_eq!(m.calls, 2);
    assert_eq!(
        m.instances_created, 2,
        "one for insert, one to validate the reload"
    );
    assert_eq!((m.reloads, m.reload_failures, m.generation), (1, 1, 1));
}

#[test]
fn fuel_is_counted_per_call() {
    let engine = Engine::builder().fuel(true).build().unwrap();
    let limits = Limits {
        fuel: Some(1_000_000),
        ..Limits::default()
    };
    let (_plugins, plugin) = plugins(&engine, limits);
    plugin.call::<_, bool>("yes", ()).unwrap();
    let one = plugin.metrics().fuel_consumed;
    assert!(one > 0);
    plugin.call::<_, bool>("yes", ()).unwrap();
    plugin.call::<_, bool>("yes", ()).unwrap();
    assert_eq!(plugin.metrics().fuel_consumed, 3 * one);
}

#[test]
fn prometheus_text_has_every_family_with_the_plugin_label() {
    let (plugins, plugin) = plugins(&Engine::default(), Limits::default());
    plugin.call::<_, bool>("yes", ()).unwrap();
    let _ = plugin.call::<_, bool>("fail", ());
    let text = plugins.to_prometheus();
    for line in [
        "# TYPE wabi_plugin_calls_total counter",
        "wabi_plugin_calls_total{plugin=\"m\"} 2",
        "wabi_plugin_errors_total{plugin=\"m\",kind=\"guest_error\"} 1",
        "# TYPE wabi_plugin_call_duration_seconds histogram",
        "wabi_plugin_call_duration_seconds_bucket{plugin=\"m\",le=\"+Inf\"} 2",
        "wabi_plugin_call_duration_seconds_count{plugin=\"m\"} 2",
        "wabi_plugin_instances_created_total{plugin=\"m\"} 1",
        "wabi_plugin_memory_high_water_bytes{plugin=\"m\"} 131072",
        "wabi_plugin_fuel_consumed_total{plugin=\"m\"} 0",
        "wabi_plugin_reloads_total{plugin=\"m\"} 0",
        "wabi_plugin_generation{plugin=\"m\"} 0",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "no line {line:?} in:\n{text}"
        );
    }
    // Buckets are cumulative and end with +Inf.
    let buckets: Vec<u64> = text
        .lines()
        .filter(|l| l.starts_with("wabi_plugin_call_duration_seconds_bucket"))
        .map(|l| l.rsplit(' ').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(
        buckets.len(),
        wabi_host::metrics::LATENCY_BUCKETS_NS.len() + 1
    );
    assert!(buckets.windows(2).all(|w| w[0] <= w[1]));
    assert!(text.ends_with('\n'));
}

#[test]
fn a_module_outside_a_registry_counts_nothing() {
    let module = Module::new(&Engine::default(), wat(RETURN_TRUE)).unwrap();
    let pool = module.pool(1);
    assert!(pool.call::<_, bool>("yes", ()).unwrap());
    let plugins = Plugins::new();
    // Inserting it later starts the counters then.
    let plugin = plugins
        .insert("late", module, PluginOptions::default())
        .unwrap();
    assert_eq!(plugin.metrics().instances_created, 1);
    assert_eq!(plugin.metrics().calls, 0);
}

/// Every call through the registry is also a `tracing` event (target `wabi::metrics`, TRACE),
/// with the plugin, the time and the kind of error.
#[test]
fn each_call_is_a_tracing_event() {
    use std::sync::{Arc, Mutex};
    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};

    #[derive(Default)]
    struct Fields(Vec<(String, String)>);
    impl Visit for Fields {
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            self.0.push((field.name().into(), format!("{value:?}")));
        }
        fn record_str(&mut self, field: &Field, value: &str) {
            self.0.push((field.name().into(), value.into()));
        }
    }
    /// The fields of each event, in order.
    type Events = Arc<Mutex<Vec<Vec<(String, String)>>>>;
    /// Keeps the fields of every `wabi::metrics` event.
    struct Recorder(Events);
    impl Subscriber for Recorder {
        fn enabled(&self, m: &Metadata<'_>) -> bool {
            m.target() == "wabi::metrics"
        }
        fn new_span(&self, _: &Attributes<'_>) -> Id {
            Id::from_u64(1)
        }
        fn record(&self, _: &Id, _: &Record<'_>) {}
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, e: &Event<'_>) {
            let mut fields = Fields::default();
            e.record(&mut fields);
            self.0.lock().unwrap().push(fields.0);
        }
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }

    // A second live dispatcher, so that tracing-core never takes its one-dispatcher shortcut:
    // with exactly one registered, a callsite first reached by another test's thread (which
    // has no subscriber) caches `Interest::never()` for good, and this thread's events are
    // dropped (tracing issues 3611 and 2874). The test then failed now and then in a full run.
    let _second = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());
    let events = Events::default();
    let (_plugins, plugin) = plugins(&Engine::default(), Limits::default());
    tracing::subscriber::with_default(Recorder(events.clone()), || {
        assert!(plugin.call::<_, bool>("yes", ()).unwrap());
        assert!(plugin.call::<_, bool>("fail", ()).is_err());
    });
    let events = events.lock().unwrap();
    assert_eq!(events.len(), 2, "{events:?}");
    let get = |e: &Vec<(String, String)>, k: &str| {
        e.iter().find(|(name, _)| name == k).map(|(_, v)| v.clone())
    };
    for e in events.iter() {
        assert_eq!(get(e, "message").as_deref(), Some("call"));
        assert_eq!(get(e, "plugin").as_deref(), Some("m"));
        assert!(get(e, "elapsed_ns").is_some_and(|ns| ns.parse::<u64>().is_ok()));
    }
    assert_eq!(
        get(&events[0], "error"),
        None,
        "a successful call has no error field"
    );
    assert_eq!(get(&events[1], "error").as_deref(), Some("guest_error"));
}
