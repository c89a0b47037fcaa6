//! A small timing harness: every case runs in batches, the cases take turns round by round
//! (interleaved, so slow drifts of a shared machine hit all of them alike), and a case's result is
//! the median of its per-round ns/call. Knobs (environment variables):
//!
//! - `WABI_BENCH_ROUNDS`: rounds (default 101);
//! - `WABI_BENCH_BATCH_MS`: the length of one batch in milliseconds (default 2);
//! - `WABI_BENCH_CLOCK`: `cpu` (default) times batches with the calling thread's CPU time
//!   (`CLOCK_THREAD_CPUTIME_ID`, user + system), so time the thread spends descheduled on a busy
//!   shared machine does not count; `wall` uses the wall clock;
//! - `WABI_BENCH_FILTER`: run only the case named exactly `workload/variant`, or, when no case
//!   has that name, the cases whose `workload/variant` contains this text (useful under a
//!   profiler).

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Barrier;
use std::time::{Duration, Instant};

/// One measured operation.
pub struct Case<'a> {
    /// The workload (`W1 add`, ...).
    pub workload: String,
    /// Who runs it (`raw`, `wabi`, ...).
    pub variant: String,
    run: Box<dyn FnMut(u64) + 'a>,
    iters: u64,
    samples: Vec<f64>,
    /// Operations run in calibration.
    total_ops: u64,
}

/// A case from a closure doing one operation; the loop is monomorphised around it.
pub fn case<'a>(
    workload: impl Into<String>,
    variant: impl Into<String>,
    mut op: impl FnMut() + 'a,
) -> Case<'a> {
    Case {
        workload: workload.into(),
        variant: variant.into(),
        run: Box::new(move |n| {
            for _ in 0..n {
                op();
                black_box(());
            }
        }),
        iters: 1,
        samples: Vec::new(),
        total_ops: 0,
    }
}

/// Summary of a case's samples.
#[derive(Clone, Copy, Debug)]
pub struct Stats {
    /// Median ns per operation.
    pub median: f64,
    /// First quartile.
    pub p25: f64,
    /// Third quartile.
    pub p75: f64,
    /// Operations per batch.
    pub iters: u64,
}

/// Results by `(workload, variant)`.
#[derive(Default)]
pub struct Results {
    /// In the order cases were added.
    pub order: Vec<(String, String)>,
    /// The numbers.
    pub stats: HashMap<(String, String), Stats>,
    /// ns/op of every round, in round order.
    pub samples: HashMap<(String, String), Vec<f64>>,
}

impl Results {
    /// The paired ratio `a / b` of two cases of one workload: the median over rounds of the
    /// ratio of their samples in the same round. Both ran within the same round (adjacent in
    /// the case list, so usually back to back), so a load change on a shared machine affects
    /// both sides of each ratio alike; this is steadier than the ratio of the two medians.
    pub fn paired_ratio(&self, workload: &str, a: &str, b: &str) -> Option<f64> {
        self.paired_ratio_of((workload, a), (workload, b))
    }

    /// [`Results::paired_ratio`] of cases of different workloads.
    pub fn paired_ratio_of(&self, a: (&str, &str), b: (&str, &str)) -> Option<f64> {
        let key = |(w, v): (&str, &str)| (w.to_string(), v.to_string());
        let (a, b) = (self.samples.get(&key(a))?, self.samples.get(&key(b))?);
        let mut ratios: Vec<f64> = a.iter().zip(b).map(|(x, y)| x / y).collect();
        if ratios.is_empty() {
            return None;
        }
        Some(median(&mut ratios))
    }

    /// The stats of one case, if it ran.
    pub fn get(&self, workload: &str, variant: &str) -> Option<Stats> {
        self.stats
            .get(&(workload.to_string(), variant.to_string()))
            .copied()
    }

    /// Median ns of one case, if it ran.
    pub fn median(&self, workload: &str, variant: &str) -> Option<f64> {
        self.get(workload, variant).map(|s| s.median)
    }

    /// A markdown table of every case with its spread.
    pub fn details_table(&self) -> String {
        let mut out = String::from(
            "| workload | variant | median ns | p25 ns | p75 ns | ops/batch |\n|---|---|--:|--:|--:|--:|\n",
        );
        for key in &self.order {
            if let Some(s) = self.stats.get(key) {
                out += &format!(
                    "| {} | {} | {} | {} | {} | {} |\n",
                    key.0,
                    key.1,
                    fmt_ns(s.median),
                    fmt_ns(s.p25),
                    fmt_ns(s.p75),
                    s.iters
                );
            }
        }
        out
    }
}

/// The clock that times batches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    /// The calling thread's CPU time (user + system).
    ThreadCpu,
    /// Wall-clock time.
    Wall,
}

impl Clock {
    /// Nanoseconds since an arbitrary origin.
    #[inline]
    pub fn now(self) -> u64 {
        match self {
            Clock::ThreadCpu => {
                let mut ts = libc::timespec {
                    tv_sec: 0,
                    tv_nsec: 0,
                };
                // SAFETY: `ts` is a valid timespec to write into.
                let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
                assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
                ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
            }
            Clock::Wall => {
                static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
                START.get_or_init(Instant::now).elapsed().as_nanos() as u64
            }
        }
    }
}

/// Settings read from the environment.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Rounds.
    pub rounds: usize,
    /// Target length of one batch.
    pub batch: Duration,
    /// Only cases whose `workload/variant` contains this.
    pub filter: Option<String>,
    /// The clock.
    pub clock: Clock,
}

impl Settings {
    /// From `WABI_BENCH_ROUNDS`, `WABI_BENCH_BATCH_MS` and `WABI_BENCH_FILTER`.
    pub fn from_env() -> Settings {
        let num = |name: &str, default: u64| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(default)
        };
        Settings {
            rounds: num("WABI_BENCH_ROUNDS", 101).max(1) as usize,
            batch: Duration::from_micros(num("WABI_BENCH_BATCH_MS", 2).max(1) * 1000),
            filter: std::env::var("WABI_BENCH_FILTER")
                .ok()
                .filter(|f| !f.is_empty()),
            clock: match std::env::var("WABI_BENCH_CLOCK").as_deref() {
                Ok("wall") => Clock::Wall,
                _ => Clock::ThreadCpu,
            },
        }
    }

    /// Whether a case passes the filter.
    pub fn wants(&self, workload: &str, variant: &str) -> bool {
        match &self.filter {
            None => true,
            Some(f) => format!("{workload}/{variant}").contains(f.as_str()),
        }
    }
}

/// Run the cases interleaved and summarise them.
pub fn run(settings: &Settings, mut cases: Vec<Case<'_>>) -> Results {
    let exact = cases
        .iter()
        .any(|c| Some(format!("{}/{}", c.workload, c.variant)) == settings.filter);
    cases.retain(|c| {
        if exact {
            Some(format!("{}/{}", c.workload, c.variant)) == settings.filter
        } else {
            settings.wants(&c.workload, &c.variant)
        }
    });
    // Calibrate (and warm up): double the batch until it takes a quarter of the target, then
    // size it to the target.
    for c in &mut cases {
        let clock = settings.clock;
        let batch_ns = settings.batch.as_nanos() as f64;
        let mut n = 1u64;
        loop {
            let t = clock.now();
            (c.run)(n);
            c.total_ops += n;
            let elapsed = (clock.now() - t) as f64;
            if elapsed * 4.0 >= batch_ns || n >= 1 << 30 {
                // The fastest of three tries, so a busy moment does not shrink the batch.
                let mut per_op = elapsed / n as f64;
                for _ in 0..2 {
                    let t = clock.now();
                    (c.run)(n);
                    c.total_ops += n;
                    per_op = per_op.min((clock.now() - t) as f64 / n as f64);
                }
                c.iters = ((batch_ns / per_op.max(1.0)) as u64).max(1);
                break;
            }
            n *= 2;
        }
    }
    let count = cases.len();
    for round in 0..settings.rounds {
        // Each round starts at another case, so no case is always first after a pause.
        for i in 0..count {
            let c = &mut cases[(i + round) % count];
            let t = settings.clock.now();
            (c.run)(c.iters);
            let ns = (settings.clock.now() - t) as f64 / c.iters as f64;
            c.samples.push(ns);
        }
        eprint!("\rround {}/{}", round + 1, settings.rounds);
    }
    eprintln!();
    let mut results = Results::default();
    for c in cases {
        eprintln!(
            "{}/{}: {} operations",
            c.workload,
            c.variant,
            c.total_ops + c.iters * settings.rounds as u64
        );
        let key = (c.workload, c.variant);
        results.order.push(key.clone());
        results.samples.insert(key.clone(), c.samples.clone());
        let mut s = c.samples;
        s.sort_by(f64::total_cmp);
        results.stats.insert(
            key,
            Stats {
                median: quantile(&s, 0.5),
                p25: quantile(&s, 0.25),
                p75: quantile(&s, 0.75),
                iters: c.iters,
            },
        );
    }
    results
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// One throughput measurement.
#[derive(Clone, Copy, Debug)]
pub struct Throughput {
    /// Operations per second of wall time, all threads together.
    pub per_sec: f64,
    /// CPU time the workers used per operation (ns).
    pub cpu_per_op: f64,
    /// Share of the run the workers were on a CPU: their CPU time over `threads` times the wall
    /// time. Below 1, other processes (or blocking) took the workers' time.
    pub on_cpu: f64,
}

/// Operations per second of `threads` workers for `duration`; each worker is made on its own
/// thread by `make` (so it owns its plugin) and returns a closure doing one operation.
pub fn throughput<W, F>(threads: usize, duration: Duration, make: &W) -> Throughput
where
    W: Fn() -> F + Sync,
    F: FnMut(),
{
    let ready = Barrier::new(threads + 1);
    let go = Barrier::new(threads + 1);
    let stop = AtomicBool::new(false);
    let total = AtomicU64::new(0);
    let cpu = AtomicU64::new(0);
    let mut elapsed = Duration::ZERO;
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let mut op = make();
                op(); // warm
                ready.wait();
                go.wait();
                let start = Clock::ThreadCpu.now();
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    op();
                    n += 1;
                }
                cpu.fetch_add(Clock::ThreadCpu.now() - start, Ordering::Relaxed);
                total.fetch_add(n, Ordering::Relaxed);
            });
        }
        ready.wait();
        let start = Instant::now();
        go.wait();
        std::thread::sleep(duration);
        stop.store(true, Ordering::Relaxed);
        elapsed = start.elapsed();
    });
    // Workers finish the operation in flight after `stop`; at ~10 µs per operation against a
    // run of hundreds of milliseconds that is noise.
    let ops = total.load(Ordering::Relaxed) as f64;
    let cpu = cpu.load(Ordering::Relaxed) as f64;
    Throughput {
        per_sec: ops / elapsed.as_secs_f64(),
        cpu_per_op: cpu / ops,
        on_cpu: cpu / (threads as f64 * elapsed.as_nanos() as f64),
    }
}

/// Median of `samples` (sorted in place).
pub fn median(samples: &mut [f64]) -> f64 {
    samples.sort_by(f64::total_cmp);
    quantile(samples, 0.5)
}

/// `1,234` for 1234.4; one decimal below 100.
pub fn fmt_ns(ns: f64) -> String {
    if !ns.is_finite() {
        return "-".into();
    }
    if ns < 100.0 {
        return format!("{ns:.1}");
    }
    let n = ns.round() as u64;
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}
