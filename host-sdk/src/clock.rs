//! A cheap monotonic clock for per-call deadlines.
//!
//! Deadlines are read at epoch ticks: a call's first tick sets its deadline, later ticks check
//! it (`limits::arm_deadline`), so a call shorter than a tick never reads the clock. When every
//! call read it, `Instant::now()` (`CLOCK_MONOTONIC`, which reads the TSC and scales it) cost
//! about 20 ns a call on the benchmark machine, a fifth of a whole wabi call. Deadlines are only
//! checked at epoch ticks ([`crate::EPOCH_TICK`], 5 ms), so a clock of millisecond resolution is
//! as good:
//! on Linux this is `CLOCK_MONOTONIC_COARSE`, the kernel's time at its last timer interrupt,
//! read from the vDSO without touching the TSC. Elsewhere it is `Instant`.
//!
//! A deadline armed with this clock never fires early: it is `now + timeout + resolution`,
//! and the coarse time lags the real time by at most one resolution step.

use std::time::Duration;

/// A point in time, in nanoseconds since an arbitrary origin, from [`now`].
pub(crate) type Nanos = u64;

/// The current time in nanoseconds since an arbitrary (per-process) origin.
#[cfg(target_os = "linux")]
#[inline]
pub(crate) fn now() -> Nanos {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; CLOCK_MONOTONIC_COARSE exists on every Linux
    // since 2.6.32 and cannot fail with a valid pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC_COARSE, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// How far [`now`] may lag the real time: the coarse clock's resolution.
#[cfg(target_os = "linux")]
pub(crate) fn resolution() -> Duration {
    use std::sync::OnceLock;
    static RESOLUTION: OnceLock<Duration> = OnceLock::new();
    *RESOLUTION.get_or_init(|| {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: as in `now`.
        let ok = unsafe { libc::clock_getres(libc::CLOCK_MONOTONIC_COARSE, &mut ts) } == 0;
        if ok {
            Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
        } else {
            // Never observed; a jiffy at HZ=100 is the coarsest a kernel has.
            Duration::from_millis(10)
        }
    })
}

/// The current time in nanoseconds since the first call in this process.
#[cfg(not(target_os = "linux"))]
#[inline]
pub(crate) fn now() -> Nanos {
    use std::sync::OnceLock;
    use std::time::Instant;
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    ORIGIN.get_or_init(Instant::now).elapsed().as_nanos() as u64
}

/// [`now`] is exact here.
#[cfg(not(target_os = "linux"))]
pub(crate) fn resolution() -> Duration {
    Duration::ZERO
}

/// How far after [`now`] the deadline of something that may take `timeout` lies: the timeout
/// plus one resolution step, so that the deadline never comes before the real
/// `start + timeout`. Computed once per instance; see [`deadline_after`].
pub(crate) fn span(timeout: Duration) -> Nanos {
    saturating_nanos(timeout.saturating_add(resolution()))
}

/// The deadline of something that starts now, given its [`span`]: never before the real
/// `start + timeout`, at most one resolution step after it.
#[inline]
pub(crate) fn deadline_after(span: Nanos) -> Nanos {
    now().saturating_add(span)
}

/// Whether `deadline` (from [`deadline_after`]) has passed.
#[inline]
pub(crate) fn passed(deadline: Nanos) -> bool {
    now() >= deadline
}

/// How long until `deadline` (from [`deadline_after`]); zero once it has passed.
pub(crate) fn remaining(deadline: Nanos) -> Duration {
    Duration::from_nanos(deadline.saturating_sub(now()))
}

fn saturating_nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_goes_backwards_and_follows_real_time() {
        let start = std::time::Instant::now();
        let a = now();
        std::thread::sleep(Duration::from_millis(30));
        let b = now();
        let real = start.elapsed();
        assert!(b >= a);
        let measured = Duration::from_nanos(b - a);
        // The coarse clock may lag by one resolution step at either end.
        assert!(
            measured + 2 * resolution() >= real,
            "{measured:?} vs {real:?}"
        );
        assert!(measured <= real + resolution(), "{measured:?} vs {real:?}");
    }

    #[test]
    fn a_deadline_never_fires_early() {
        let timeout = Duration::from_millis(20);
        let start = std::time::Instant::now();
        let deadline = deadline_after(span(timeout));
        while !passed(deadline) {
            std::thread::sleep(Duration::from_millis(1));
        }
        assert!(
            start.elapsed() >= timeout,
            "fired after {:?}",
            start.elapsed()
        );
    }

    #[test]
    fn resolution_is_small() {
        assert!(
            resolution() <= Duration::from_millis(10),
            "{:?}",
            resolution()
        );
    }
}
