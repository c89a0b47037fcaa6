//! Per-plugin metrics: lock-free counters, a fixed-bucket latency histogram, a snapshot, and a
//! Prometheus text rendering.
//!
//! A [`Plugins`](crate::Plugins) registry keeps one [`Metrics`] per plugin name (kept across
//! reloads) and records every call made through it: its latency, its error kind, the fuel it
//! burnt (engines that count fuel). Instances created and the memory high-water mark are
//! recorded by every instance of a module in a registry, including instances a plugin restarts
//! by itself after a trap. Modules used outside a registry record nothing and pay nothing.
//!
//! Recording is a handful of relaxed atomic additions (no lock, no allocation); reading is
//! [`Metrics::snapshot`]. Counters are read one by one, so a snapshot taken while calls run may
//! count a call in `calls` and not yet in the histogram; once calls stop, every number is exact.
//!
//! Why no `metrics` facade crate: the facade's recorder is global to the process and its
//! macros look a metric up by name and labels on every call, where these counters are plain
//! atomics owned by the registry entry; and the one exporter most hosts want, Prometheus text,
//! is about a hundred lines here ([`to_prometheus`]). An embedder on a facade copies
//! [`MetricsSnapshot`] values into it (they are monotonic counters and gauges). Reloads and
//! rejected cache entries are also reported as `tracing` events (target `wabi::host`).

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::error::Error;

/// Upper bounds of the latency histogram's buckets, in nanoseconds (10 µs to 10 s, roughly
/// 1-2.5-5 per decade); a last bucket, `+Inf`, takes the rest.
pub const LATENCY_BUCKETS_NS: [u64; 19] = [
    10_000,
    25_000,
    50_000,
    100_000,
    250_000,
    500_000,
    1_000_000,
    2_500_000,
    5_000_000,
    10_000_000,
    25_000_000,
    50_000_000,
    100_000_000,
    250_000_000,
    500_000_000,
    1_000_000_000,
    2_500_000_000,
    5_000_000_000,
    10_000_000_000,
];

const BUCKETS: usize = LATENCY_BUCKETS_NS.len() + 1;

/// What kind of failure a call ended with, for the error counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The guest returned an error value ([`Error::Guest`]).
    Guest,
    /// The guest panicked ([`Error::Panic`]).
    Panic,
    /// The guest trapped ([`Error::Trap`]).
    Trap,
    /// [`Error::Timeout`].
    Timeout,
    /// [`Error::FuelExhausted`].
    Fuel,
    /// [`Error::MemoryLimit`] or [`Error::TableLimit`].
    Memory,
    /// [`Error::DepthLimit`].
    Depth,
    /// [`Error::OutputTooLarge`].
    OutputTooLarge,
    /// Arguments or result could not be encoded or decoded ([`Error::Encode`],
    /// [`Error::Decode`]), or the guest broke the ABI ([`Error::BadResult`],
    /// [`Error::OutOfBounds`], [`Error::Alloc`]).
    Abi,
    /// No instance could be started for the call ([`Error::Startup`], [`Error::Instantiate`],
    /// [`Error::AbiVersion`]).
    Startup,
    /// The plugin has no such function ([`Error::NoSuchFunction`]).
    NoSuchFunction,
    /// Anything else (for example [`Error::Config`]).
    Other,
}

impl ErrorKind {
    /// Every kind, in the order of the counters.
    pub const ALL: [ErrorKind; 12] = [
        ErrorKind::Guest,
        ErrorKind::Panic,
        ErrorKind::Trap,
        ErrorKind::Timeout,
        ErrorKind::Fuel,
        ErrorKind::Memory,
        ErrorKind::Depth,
        ErrorKind::OutputTooLarge,
        ErrorKind::Abi,
        ErrorKind::Startup,
        ErrorKind::NoSuchFunction,
        ErrorKind::Other,
    ];

    /// The kind of an error.
    pub fn of(error: &Error) -> ErrorKind {
        match error {
            Error::Guest { .. } => ErrorKind::Guest,
            Error::Panic { .. } => ErrorKind::Panic,
            Error::Trap { .. } => ErrorKind::Trap,
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::FuelExhausted { .. } => ErrorKind::Fuel,
            Error::MemoryLimit { .. } | Error::TableLimit { .. } => ErrorKind::Memory,
            Error::DepthLimit { .. } => ErrorKind::Depth,
            Error::OutputTooLarge { .. } => ErrorKind::OutputTooLarge,
            Error::Encode { .. }
            | Error::Decode { .. }
            | Error::BadResult { .. }
            | Error::OutOfBounds { .. }
            | Error::Alloc { .. } => ErrorKind::Abi,
            Error::Startup { .. } | Error::Instantiate { .. } | Error::AbiVersion { .. } => {
                ErrorKind::Startup
            }
            Error::NoSuchFunction { .. } => ErrorKind::NoSuchFunction,
            _ => ErrorKind::Other,
        }
    }

    /// The kind's label value in Prometheus output (`guest_error`, `panic`, `trap`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Guest => "guest_error",
            ErrorKind::Panic => "panic",
            ErrorKind::Trap => "trap",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Fuel => "fuel",
            ErrorKind::Memory => "memory",
            ErrorKind::Depth => "depth",
            ErrorKind::OutputTooLarge => "output_too_large",
            ErrorKind::Abi => "abi",
            ErrorKind::Startup => "startup",
            ErrorKind::NoSuchFunction => "no_such_function",
            ErrorKind::Other => "other",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The live counters of one plugin. Shared (`Arc`) by every generation of the plugin's module;
/// read them with [`Metrics::snapshot`].
#[derive(Debug, Default)]
pub struct Metrics {
    calls: AtomicU64,
    errors: [AtomicU64; ErrorKind::ALL.len()],
    buckets: [AtomicU64; BUCKETS],
    latency_ns: AtomicU64,
    fuel: AtomicU64,
    instances: AtomicU64,
    memory_high_water: AtomicU64,
    reloads: AtomicU64,
    reload_failures: AtomicU64,
    generation: AtomicU64,
}

impl Metrics {
    /// Zeroed counters.
    pub fn new() -> Metrics {
        Metrics::default()
    }

    /// Count one finished call that took `elapsed` and failed with `error`, if it did.
    #[inline]
    pub fn record_call(&self, elapsed: Duration, error: Option<&Error>) {
        let ns = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        self.calls.fetch_add(1, Ordering::Relaxed);
        self.latency_ns.fetch_add(ns, Ordering::Relaxed);
        let bucket = LATENCY_BUCKETS_NS.partition_point(|&bound| bound < ns);
        self.buckets[bucket].fetch_add(1, Ordering::Relaxed);
        if let Some(e) = error {
            self.errors[ErrorKind::of(e).index()].fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Count fuel a call consumed.
    #[inline]
    pub fn record_fuel(&self, fuel: u64) {
        self.fuel.fetch_add(fuel, Ordering::Relaxed);
    }

    /// Count one instance started.
    pub(crate) fn record_instance(&self) {
        self.instances.fetch_add(1, Ordering::Relaxed);
    }

    /// Note a linear memory of `bytes` (at creation or after growing).
    pub(crate) fn record_memory(&self, bytes: u64) {
        self.memory_high_water.fetch_max(bytes, Ordering::Relaxed);
    }

    /// Count a reload: to `generation` when it succeeded, a failure otherwise.
    pub(crate) fn record_reload(&self, generation: Option<u64>) {
        match generation {
            Some(g) => {
                self.reloads.fetch_add(1, Ordering::Relaxed);
                self.generation.store(g, Ordering::Relaxed);
            }
            None => {
                self.reload_failures.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// The counters as they are now.
    pub fn snapshot(&self) -> MetricsSnapshot {
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let buckets: Vec<u64> = self.buckets.iter().map(load).collect();
        let errors = ErrorKind::ALL
            .iter()
            .map(|&k| (k, load(&self.errors[k.index()])))
            .filter(|&(_, n)| n > 0)
            .collect();
        MetricsSnapshot {
            calls: load(&self.calls),
            errors,
            latency: Histogram {
                counts: buckets,
                sum: Duration::from_nanos(load(&self.latency_ns)),
            },
            fuel_consumed: load(&self.fuel),
            instances_created: load(&self.instances),
            memory_high_water: load(&self.memory_high_water),
            reloads: load(&self.reloads),
            reload_failures: load(&self.reload_failures),
            generation: load(&self.generation),
        }
    }
}

/// Call latencies in the fixed buckets of [`LATENCY_BUCKETS_NS`].
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Histogram {
    /// Calls per bucket (not cumulative): `counts[i]` took at most `LATENCY_BUCKETS_NS[i]` and
    /// more than the bound before; the last entry counts calls over 10 s.
    pub counts: Vec<u64>,
    /// Total time of all calls.
    pub sum: Duration,
}

impl Histogram {
    /// Calls counted.
    pub fn count(&self) -> u64 {
        self.counts.iter().sum()
    }
}

/// The counters of one plugin at one moment; see [`Metrics`].
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct MetricsSnapshot {
    /// Calls made through the registry, failed ones included.
    pub calls: u64,
    /// Failed calls by kind, in [`ErrorKind::ALL`] order; kinds with no failure are left out.
    pub errors: Vec<(ErrorKind, u64)>,
    /// How long the calls took (wall clock, from taking an instance to the decoded result).
    pub latency: Histogram,
    /// Fuel the calls consumed (0 unless the engine counts fuel): the guest's CPU work in
    /// instructions, independent of the machine's load.
    pub fuel_consumed: u64,
    /// Instances started: by the pool, by reload validation, and after faults.
    pub instances_created: u64,
    /// The largest linear memory any instance had, in bytes.
    pub memory_high_water: u64,
    /// Successful reloads.
    pub reloads: u64,
    /// Refused reloads (the old module kept serving).
    pub reload_failures: u64,
    /// The generation serving: 0 for the module first inserted, +1 per reload.
    pub generation: u64,
}

impl MetricsSnapshot {
    /// Failed calls of one kind.
    pub fn errors_of(&self, kind: ErrorKind) -> u64 {
        self.errors
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(0, |&(_, n)| n)
    }

    /// Failed calls of every kind.
    pub fn error_total(&self) -> u64 {
        self.errors.iter().map(|&(_, n)| n).sum()
    }
}

/// Render snapshots of named plugins in the Prometheus text exposition format (version 0.0.4,
/// content type `text/plain; version=0.0.4`), each sample labelled `plugin="<name>"`.
///
/// Families: `wabi_plugin_calls_total`, `wabi_plugin_errors_total{kind}`,
/// `wabi_plugin_call_duration_seconds` (histogram), `wabi_plugin_fuel_consumed_total`,
/// `wabi_plugin_instances_created_total`, `wabi_plugin_memory_high_water_bytes`,
/// `wabi_plugin_reloads_total`, `wabi_plugin_reload_failures_total`, `wabi_plugin_generation`.
///
/// ```
/// let metrics = wabi_host::Metrics::new();
/// metrics.record_call(std::time::Duration::from_micros(30), None);
/// let text = wabi_host::to_prometheus([("gateway", &metrics.snapshot())]);
/// assert!(text.contains("wabi_plugin_calls_total{plugin=\"gateway\"} 1\n"));
/// assert!(text.contains("wabi_plugin_call_duration_seconds_bucket{plugin=\"gateway\",le=\"0.00005\"} 1\n"));
/// ```
pub fn to_prometheus<'a, S: AsRef<str> + 'a>(
    plugins: impl IntoIterator<Item = (S, &'a MetricsSnapshot)>,
) -> String {
    let plugins: Vec<(String, &MetricsSnapshot)> = plugins
        .into_iter()
        .map(|(name, s)| (escape(name.as_ref()), s))
        .collect();
    let mut out = String::new();
    let mut family = |name: &str, kind: &str, help: &str, sample: &dyn Fn(&mut String)| {
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} {kind}");
        sample(&mut out);
    };
    let simple = |metric: &'static str, value: fn(&MetricsSnapshot) -> u64| {
        let plugins = &plugins;
        move |out: &mut String| {
            for (p, s) in plugins {
                let _ = writeln!(out, "{metric}{{plugin=\"{p}\"}} {}", value(s));
            }
        }
    };
    family(
        "wabi_plugin_calls_total",
        "counter",
        "Calls made to the plugin, failed ones included.",
        &simple("wabi_plugin_calls_total", |s| s.calls),
    );
    family(
        "wabi_plugin_errors_total",
        "counter",
        "Failed calls by kind of failure.",
        &|out| {
            for (p, s) in &plugins {
                for &(kind, n) in &s.errors {
                    let _ = writeln!(
                        out,
                        "wabi_plugin_errors_total{{plugin=\"{p}\",kind=\"{}\"}} {n}",
                        kind.as_str()
                    );
                }
            }
        },
    );
    family(
        "wabi_plugin_call_duration_seconds",
        "histogram",
        "Wall-clock time of calls.",
        &|out| {
            for (p, s) in &plugins {
                let mut cumulative = 0;
                for (i, n) in s.latency.counts.iter().enumerate() {
                    cumulative += n;
                    let le = match LATENCY_BUCKETS_NS.get(i) {
                        Some(&ns) => seconds(ns),
                        None => "+Inf".to_string(),
                    };
                    let _ = writeln!(
                        out,
                        "wabi_plugin_call_duration_seconds_bucket{{plugin=\"{p}\",le=\"{le}\"}} {cumulative}"
                    );
                }
                let _ = writeln!(
                    out,
                    "wabi_plugin_call_duration_seconds_sum{{plugin=\"{p}\"}} {}",
                    s.latency.sum.as_secs_f64()
                );
                let _ = writeln!(
                    out,
                    "wabi_plugin_call_duration_seconds_count{{plugin=\"{p}\"}} {cumulative}"
                );
            }
        },
    );
    family(
        "wabi_plugin_fuel_consumed_total",
        "counter",
        "Fuel (wasm instructions) the calls consumed; 0 unless the engine counts fuel.",
        &simple("wabi_plugin_fuel_consumed_total", |s| s.fuel_consumed),
    );
    family(
        "wabi_plugin_instances_created_total",
        "counter",
        "Plugin instances started.",
        &simple("wabi_plugin_instances_created_total", |s| {
            s.instances_created
        }),
    );
    family(
        "wabi_plugin_memory_high_water_bytes",
        "gauge",
        "Largest linear memory of any instance.",
        &simple("wabi_plugin_memory_high_water_bytes", |s| {
            s.memory_high_water
        }),
    );
    family(
        "wabi_plugin_reloads_total",
        "counter",
        "Successful reloads.",
        &simple("wabi_plugin_reloads_total", |s| s.reloads),
    );
    family(
        "wabi_plugin_reload_failures_total",
        "counter",
        "Refused reloads; the previous module kept serving.",
        &simple("wabi_plugin_reload_failures_total", |s| s.reload_failures),
    );
    family(
        "wabi_plugin_generation",
        "gauge",
        "The module generation serving: 0 first, +1 per reload.",
        &simple("wabi_plugin_generation", |s| s.generation),
    );
    out
}

/// Nanoseconds as a decimal number of seconds without trailing zeros (`0.00005`, `2.5`, `10`).
fn seconds(ns: u64) -> String {
    let whole = ns / 1_000_000_000;
    let frac = ns % 1_000_000_000;
    if frac == 0 {
        return whole.to_string();
    }
    let digits = format!("{frac:09}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// A label value with `\`, `"` and newlines escaped.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_bounds_render_as_plain_decimals() {
        assert_eq!(seconds(10_000), "0.00001");
        assert_eq!(seconds(2_500_000_000), "2.5");
        assert_eq!(seconds(10_000_000_000), "10");
    }

    #[test]
    fn a_call_on_a_bound_falls_in_that_bucket() {
        let m = Metrics::new();
        m.record_call(Duration::from_micros(10), None);
        m.record_call(Duration::from_nanos(10_001), None);
        m.record_call(Duration::from_secs(11), None);
        let s = m.snapshot();
        assert_eq!(s.latency.counts[0], 1);
        assert_eq!(s.latency.counts[1], 1);
        assert_eq!(s.latency.counts[BUCKETS - 1], 1);
        assert_eq!(s.latency.count(), 3);
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
